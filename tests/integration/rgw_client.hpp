// The client side of the integration tests against a live Ceph RADOS Gateway
// (tests/integration/rgw.sh start), shared by every test file: the configuration, HTTP
// through libcurl, requests signed with the Authorization header, buckets and objects of
// this run, and small text helpers.
//
// Everything that touches the server is signed by this library; libcurl only moves bytes.
//
// Where the server is: SIGV4_RGW_ENDPOINT, SIGV4_RGW_ACCESS_KEY, SIGV4_RGW_SECRET_KEY and
// SIGV4_RGW_REGION from the environment; when SIGV4_RGW_ENDPOINT is unset, the env file that
// rgw.sh writes (SIGV4_RGW_ENV_FILE, else $SIGV4_RGW_DIR/env, else /tmp/sigv4-rgw/env). A
// server that is not running is a failure, never a skip.
//
// Buckets are named after the run (time and pid), so reruns against the same server do not
// collide. Every function is inline: the state behind cfg(), run_id() and make_bucket() is
// one for the whole test program, whichever file uses it.
#ifndef SIGV4_TESTS_INTEGRATION_RGW_CLIENT_HPP
#define SIGV4_TESTS_INTEGRATION_RGW_CLIENT_HPP

#include <sigv4/sigv4.hpp>

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../catch.hpp"

namespace rgw_it {

using namespace std::chrono_literals;
namespace s3 = sigv4::s3;

// ---------------------------------------------------------------------------------------------
// Configuration

struct rgw_config {
  std::string endpoint;  // http://127.0.0.1:7480
  std::string access_key;
  std::string secret_key;
  std::string region;
  std::string authority;  // 127.0.0.1:7480 (the Host header)
};

inline std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

inline std::string env_file_path() {
  if (auto f = env("SIGV4_RGW_ENV_FILE")) return *f;
  return env("SIGV4_RGW_DIR").value_or("/tmp/sigv4-rgw") + "/env";
}

// Reads KEY=value lines (the env file of rgw.sh).
inline std::vector<std::pair<std::string, std::string>> read_env_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("the RGW fixture is not running: SIGV4_RGW_ENDPOINT is unset and its env file " + path +
                             " cannot be read. Start it with `bash tests/integration/rgw.sh start`.");
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTTP through libcurl

struct http_response {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  std::optional<std::string> header(std::string_view name) const {
    for (const auto& h : headers)
      if (sigv4::detail::iequals(h.first, name)) return h.second;
    return std::nullopt;
  }
};

struct http_call {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent with PUT and POST
  /// The client's source address (CURLOPT_INTERFACE), e.g. "127.0.0.2"; empty: the system's choice.
  std::string source_address;
};

class curl_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct curl_global {
  curl_global() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~curl_global() { curl_global_cleanup(); }
};

inline std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

inline std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* r = static_cast<http_response*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    r->headers.clear();  // a new block (after 100 Continue)
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * n;
}

inline http_response perform(const http_call& c) {
  static curl_global global;
  http_response r;
  CURL* h = curl_easy_init();
  if (h == nullptr) throw curl_error("curl_easy_init failed");
  curl_slist* list = nullptr;
  bool has_content_type = false;
  for (const auto& [name, value] : c.headers) {
    has_content_type = has_content_type || sigv4::detail::iequals(name, "content-type");
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  if (!has_content_type) list = curl_slist_append(list, "Content-Type:");  // nor curl's form default
  curl_easy_setopt(h, CURLOPT_URL, c.url.c_str());
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);  // keep "//" and ".." in keys as they are
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
  if (!c.source_address.empty()) curl_easy_setopt(h, CURLOPT_INTERFACE, c.source_address.c_str());
  if (c.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (c.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c.method.c_str());
    if (c.method == "PUT" || c.method == "POST") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(c.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, c.body.data());
    }
  }
  const CURLcode rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  if (rc != CURLE_OK)
    throw curl_error(c.method + " " + c.url.substr(0, c.url.find('?')) + " failed: " + curl_easy_strerror(rc));
  return r;
}

inline http_response send(std::string method, std::string url, std::string body = {},
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
  http_call c;
  c.method = std::move(method);
  c.url = std::move(url);
  c.body = std::move(body);
  c.headers = std::move(headers);
  return perform(c);
}

// A GET of `url` sent from `source_address` (any loopback address works: 127.0.0.2, ...).
inline http_response get_from(const std::string& source_address, const std::string& url) {
  http_call c;
  c.url = url;
  c.source_address = source_address;
  return perform(c);
}

// A signed form POST (STS, IAM) as the library built it.
inline http_response send_form(const sigv4::sts::form_request& form) {
  http_call c;
  c.method = form.request.method;
  c.url = form.url;
  c.body = form.body;
  for (const auto& h : form.request.headers) c.headers.emplace_back(h.name, h.value);
  return perform(c);
}

// ---------------------------------------------------------------------------------------------
// Small text helpers (written here, independent of the library's encoders)

// RFC 3986 percent-encoding: unreserved characters stay, '/' too when keep_slash.
inline std::string encode(std::string_view s, bool keep_slash) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

inline std::string xml_unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    const std::size_t semi = s.find(';', i);
    const std::string_view e = s.substr(i + 1, semi - i - 1);
    if (e == "amp") out.push_back('&');
    else if (e == "lt") out.push_back('<');
    else if (e == "gt") out.push_back('>');
    else if (e == "quot") out.push_back('"');
    else if (e == "apos") out.push_back('\'');
    else out.append(s.substr(i, semi - i + 1));  // left as it is
    i = semi;
  }
  return out;
}

// The text of every <tag>...</tag> in doc, unescaped.
inline std::vector<std::string> xml_all(std::string_view doc, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  std::vector<std::string> out;
  for (std::size_t at = doc.find(open); at != std::string_view::npos; at = doc.find(open, at)) {
    const std::size_t end = doc.find(close, at);
    if (end == std::string_view::npos) break;
    out.push_back(xml_unescape(doc.substr(at + open.size(), end - at - open.size())));
    at = end + close.size();
  }
  return out;
}

inline std::string xml_first(std::string_view doc, std::string_view tag) {
  auto all = xml_all(doc, tag);
  return all.empty() ? std::string() : all.front();
}

// Deterministic bytes (xorshift), every byte value included.
inline std::string make_bytes(std::size_t n, std::uint32_t seed) {
  std::string out(n, '\0');
  std::uint32_t x = seed ? seed : 1;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return out;
}

inline std::string with_param_removed(const std::string& url, std::string_view name) {
  const std::string needle = std::string(name) + "=";
  const std::size_t q = url.find('?');
  std::size_t at = url.find(needle, q);
  while (at != std::string::npos && url[at - 1] != '?' && url[at - 1] != '&') at = url.find(needle, at + 1);
  if (at == std::string::npos) throw std::logic_error("no " + std::string(name) + " in the URL");
  std::size_t end = url.find('&', at);
  std::string out = url;
  if (end == std::string::npos) {
    out.erase(at - 1);  // the last one: drop its '&' (or '?') too
  } else {
    out.erase(at, end + 1 - at);
  }
  return out;
}

inline std::string with_path_of(const std::string& url, const std::string& other_url) {
  const auto split = [](const std::string& u) { return u.find('?'); };
  return other_url.substr(0, split(other_url)) + url.substr(split(url));
}

// One hex digit of the signature changed.
inline std::string with_signature_digit_changed(std::string url) {
  const std::size_t at = url.find("X-Amz-Signature=");
  REQUIRE(at != std::string::npos);
  char& c = url[at + 16 + 10];
  c = c == '0' ? '1' : '0';
  return url;
}

// ---------------------------------------------------------------------------------------------
// The server: the configuration, and requests signed with the Authorization header

inline std::string run_id() {
  static const std::string id = std::to_string(std::time(nullptr)) + "-" + std::to_string(getpid());
  return id;
}

inline rgw_config load_config() {
  rgw_config c;
  if (auto ep = env("SIGV4_RGW_ENDPOINT")) {
    c.endpoint = *ep;
    c.access_key = env("SIGV4_RGW_ACCESS_KEY").value_or("");
    c.secret_key = env("SIGV4_RGW_SECRET_KEY").value_or("");
    c.region = env("SIGV4_RGW_REGION").value_or("us-east-1");
  } else {
    for (const auto& [k, v] : read_env_file(env_file_path())) {
      if (k == "SIGV4_RGW_ENDPOINT") c.endpoint = v;
      else if (k == "SIGV4_RGW_ACCESS_KEY") c.access_key = v;
      else if (k == "SIGV4_RGW_SECRET_KEY") c.secret_key = v;
      else if (k == "SIGV4_RGW_REGION") c.region = v;
    }
  }
  if (c.endpoint.empty() || c.access_key.empty() || c.secret_key.empty() || c.region.empty())
    throw std::runtime_error("incomplete RGW configuration: need SIGV4_RGW_ENDPOINT, SIGV4_RGW_ACCESS_KEY, "
                             "SIGV4_RGW_SECRET_KEY and SIGV4_RGW_REGION");
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  c.authority = s3::parse_endpoint(c.endpoint).authority();
  try {
    const auto r = send("GET", c.endpoint + "/");
    if (r.status != 200 && r.status != 403)
      throw std::runtime_error("RGW at " + c.endpoint + " answered " + std::to_string(r.status) + " to GET /");
  } catch (const curl_error& e) {
    throw std::runtime_error(std::string("the RGW fixture is not running: ") + e.what() +
                             ". Start it with `bash tests/integration/rgw.sh start`.");
  }
  return c;
}

inline const rgw_config& cfg() {
  static const rgw_config c = load_config();  // retried (and failing again) in every test if it throws
  return c;
}

inline sigv4::credentials creds() { return {cfg().access_key, cfg().secret_key}; }

// An IAM query API call (POST /, form body) as the test user, header-signed by the library for
// service "iam".
inline http_response iam_call(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string body;
  for (const auto& [name, value] : params) body += (body.empty() ? "" : "&") + name + "=" + encode(value, false);
  sigv4::http_request req;
  req.method = "POST";
  req.path = "/";
  req.headers = {{"Host", cfg().authority}, {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  sigv4::signing_options opt;
  opt.region = cfg().region;
  opt.service = "iam";
  opt.payload = sigv4::payload_hash::of(body);
  sigv4::sign_headers(req, creds(), opt, sigv4::clock::now());
  http_call c;
  c.method = "POST";
  c.url = cfg().endpoint + "/";
  c.body = body;
  for (const auto& h : req.headers) c.headers.emplace_back(h.name, h.value);
  return perform(c);
}

inline s3::presigner presigner_for(const sigv4::credentials& c) {
  return s3::presigner(cfg().endpoint, cfg().region, c, s3::addressing_style::path);
}

// A request signed with the Authorization header and the body's SHA-256 in x-amz-content-sha256.
// `raw_query` is sent as given (already encoded).
inline http_response signed_request(const std::string& method, const std::string& bucket, const std::string& key,
                             const std::string& raw_query = {}, const std::string& body = {},
                             std::vector<sigv4::header> extra = {},
                             const std::optional<sigv4::credentials>& with = std::nullopt) {
  sigv4::http_request req;
  req.method = method;
  req.path = "/" + bucket + (key.empty() ? "" : "/" + key);
  req.query = raw_query;
  req.headers = {{"Host", cfg().authority}};
  for (auto& h : extra) req.headers.push_back(std::move(h));
  sigv4::signing_options opt;
  opt.region = cfg().region;
  opt.service = "s3";
  opt.path = sigv4::path_rules::s3;
  opt.payload = sigv4::payload_hash::of(body);
  opt.content_sha256_header = true;
  sigv4::sign_headers(req, with ? *with : creds(), opt, sigv4::clock::now());
  http_call c;
  c.method = method;
  c.url = cfg().endpoint + encode(req.path, true) + (raw_query.empty() ? "" : "?" + raw_query);
  c.body = body;
  for (const auto& h : req.headers) c.headers.emplace_back(h.name, h.value);
  return perform(c);
}

inline std::string bucket_name(std::string_view what) {
  std::string b = "sigv4-it-" + run_id() + "-" + std::string(what);
  return b;
}

// Creates a bucket of this run (header-signed PUT /bucket), once: Catch2 runs a test case
// again for each of its sections.
inline std::string make_bucket(std::string_view what) {
  static std::vector<std::string> made;
  const std::string b = bucket_name(what);
  if (std::find(made.begin(), made.end(), b) != made.end()) return b;
  const auto r = signed_request("PUT", b, "");
  INFO("CreateBucket " << b << ": " << r.body);
  REQUIRE(r.status == 200);
  made.push_back(b);
  return b;
}

inline void put_object(const std::string& bucket, const std::string& key, const std::string& body) {
  const auto r = signed_request("PUT", bucket, key, {}, body);
  INFO("PutObject " << bucket << "/" << key << ": " << r.body);
  REQUIRE(r.status == 200);
}

inline long head_status(const std::string& bucket, const std::string& key) {
  return signed_request("HEAD", bucket, key).status;
}

inline std::optional<std::string> stored_body(const std::string& bucket, const std::string& key) {
  const auto r = signed_request("GET", bucket, key);
  if (r.status == 404) return std::nullopt;
  INFO("GetObject " << bucket << "/" << key << ": " << r.status << " " << r.body.substr(0, 300));
  REQUIRE(r.status == 200);
  return r.body;
}

// The keys of a bucket (ListObjectsV2), as the server names them.
inline std::vector<std::string> list_keys(const std::string& bucket, const std::string& prefix = {}) {
  std::string query = "list-type=2&max-keys=1000";
  if (!prefix.empty()) query += "&prefix=" + encode(prefix, false);
  const auto r = signed_request("GET", bucket, "", query);
  INFO("ListObjectsV2 " << bucket << ": " << r.body.substr(0, 300));
  REQUIRE(r.status == 200);
  return xml_all(r.body, "Key");
}

inline bool is_refusal(const http_response& r) {
  return r.status == 403 && (r.body.find("AccessDenied") != std::string::npos ||
                             r.body.find("SignatureDoesNotMatch") != std::string::npos);
}

inline std::string describe(const http_response& r) {
  return std::to_string(r.status) + " " + r.body.substr(0, 400);
}

}  // namespace rgw_it

#endif
