// sigv4 — S3 / MinIO presigned object URLs: endpoint and addressing style, bucket and key
// checks, GET / PUT / HEAD / DELETE and multipart URLs, response-* overrides and version
// ids, extra signed headers, session tokens.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
#ifndef SIGV4_S3_HPP
#define SIGV4_S3_HPP

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "canonical.hpp"
#include "credentials.hpp"
#include "detail/hex.hpp"
#include "detail/ip.hpp"
#include "detail/openssl.hpp"
#include "detail/percent.hpp"
#include "detail/url.hpp"
#include "detail/utf8.hpp"
#include "errors.hpp"
#include "signer.hpp"
#include "time.hpp"

namespace sigv4::s3 {

/// How the bucket goes into the URL.
enum class addressing_style {
  path,            ///< https://endpoint/bucket/key — what MinIO and most S3-compatible servers expect
  virtual_hosted,  ///< https://bucket.endpoint/key — AWS's preferred style
  automatic,       ///< virtual-hosted on AWS endpoints when the bucket allows it, path style otherwise
};

/// The HTTP method a URL is signed for; a URL works only with its own method.
enum class http_method { get, put, head, delete_, post };

/// The method's name as sent ("GET", "DELETE", ...).
inline std::string_view method_name(http_method m) noexcept {
  switch (m) {
    case http_method::get: return "GET";
    case http_method::put: return "PUT";
    case http_method::head: return "HEAD";
    case http_method::delete_: return "DELETE";
    case http_method::post: return "POST";
  }
  return "GET";
}

/// A name and a raw (not yet encoded) value: an extra query parameter or signed header.
struct param {
  std::string_view name;
  std::string_view value;
};

/// What to do when temporary credentials expire before the URL would.
enum class credential_expiry {
  refuse,  ///< errc::credentials_expired (the default: a link must not silently die early)
  clamp,   ///< shorten X-Amz-Expires to the credentials' remaining lifetime
};

/// Whether a presigner keeps the signing key of each day.
enum class key_cache {
  per_day,  ///< derive once per scope date and keep it (the default)
  off,      ///< derive it for every URL (four more HMACs each; for measurements and key rotation drills)
};

/// One presigned object URL to make. Views only: nothing here is copied or owned.
struct object_request {
  http_method method = http_method::get;
  std::string_view bucket;
  /// The object key, 1 to 1024 bytes of UTF-8, signed verbatim: "a//b", a leading '/', "."
  /// and ".." segments are real keys and stay as they are.
  std::string_view key;
  /// X-Amz-Expires: 1 to 604800 seconds.
  std::chrono::seconds expires{3600};
  /// Extra query parameters, signed: response-content-type, response-content-disposition,
  /// response-cache-control, response-expires, versionId, partNumber, uploadId, ... Values
  /// are raw; the presigner encodes them.
  std::vector<param> query;
  /// Extra signed headers (Content-Type, Content-MD5, x-amz-meta-*, x-amz-server-side-
  /// encryption*, x-amz-checksum-*, ...). The client MUST send every one of them with exactly
  /// this value, or the server refuses the request (SignatureDoesNotMatch).
  std::vector<param> headers;
  credential_expiry on_credential_expiry = credential_expiry::refuse;
};

/// A parsed endpoint: scheme, host and optional port.
struct endpoint {
  bool https = true;
  std::string host;  ///< lower-cased host name, IPv4 literal, or bracketed IPv6 literal
  std::optional<std::uint16_t> port;
  bool is_ip_literal = false;

  /// The Host header: the host, plus ":port" unless the port is the scheme's default.
  std::string authority() const { return sigv4::detail::host_and_port(https, host, port); }
  bool is_aws() const noexcept {
    const std::string_view h = host;
    const auto ends_with = [&](std::string_view s) { return h.size() > s.size() && h.substr(h.size() - s.size()) == s; };
    return ends_with(".amazonaws.com") || ends_with(".amazonaws.com.cn");
  }
};

namespace detail {
using sigv4::detail::capture_error;
using sigv4::detail::quote_input;

// The class of each byte in a bucket name: 1 for a-z, 2 for a digit, 4 for '.', 8 for '-', 0
// for any other byte.
struct bucket_char_table {
  unsigned char cls[256] = {};
  constexpr bucket_char_table() {
    for (int c = 'a'; c <= 'z'; ++c) cls[c] = 1;
    cls[static_cast<unsigned char>('-')] = 8;
    for (int c = '0'; c <= '9'; ++c) cls[c] = 2;
    cls[static_cast<unsigned char>('.')] = 4;
  }
};
inline constexpr bucket_char_table bucket_chars{};

// The signing key of one scope date, with the strings that go with it, built once.
struct scope_entry {
  scope_entry(const credentials& c, std::int64_t days, std::string_view date, const std::string& region)
      : key(c.secret_access_key(), date, region, "s3"), day_number(days), day(date) {
    scope.append(date).append("/").append(region).append("/s3/aws4_request");
    credential_param = sigv4::detail::uri_encode(c.access_key_id() + '/' + scope, sigv4::detail::encode_set::component);
    query_prefix = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + credential_param + "&X-Amz-Date=";
  }
  signing_key key;
  std::int64_t day_number;       // days since 1970-01-01
  std::string day;               // YYYYMMDD
  std::string scope;             // 20130524/us-east-1/s3/aws4_request
  std::string credential_param;  // AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request
  std::string query_prefix;      // X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Date=
  // The HMAC state after the first block of the string to sign ("AWS4-HMAC-SHA256\n", the
  // X-Amz-Date, the start of the scope), tagged with its second of the day: every URL signed
  // in the same second shares it.
  mutable sigv4::detail::sha256_state_slot first_block;
};

// Per-thread scratch space for requests with extra parameters or headers; reused, so a
// thread allocates only until it has seen its largest request.
struct scratch_space {
  std::string text;
  std::vector<sigv4::detail::encoded_param> params;
  std::vector<std::array<std::size_t, 4>> items;  // offsets and lengths of name and value
  std::vector<sigv4::detail::header_view> headers;
  std::string block;         // canonical header lines
  std::string signed_list;   // content-type;host
  std::string signed_param;  // content-type%3Bhost
  std::string host;
  std::string query;
};
inline scratch_space& scratch() {
  thread_local scratch_space s;
  return s;
}

}  // namespace detail

/// Parses an endpoint URL: "http(s)://host[:port]" with an optional trailing '/', through the
/// library's one URL parser (detail/url.hpp). The host is a DNS name (RFC 1123 labels), an
/// IPv4 address or a bracketed IPv6 literal.
/// @throws sigv4::error errc::invalid_endpoint saying why: a scheme other than http or https,
///         user info, a path, query or fragment (a proxy that rewrites paths breaks
///         signatures), a bad host or port, an IPv6 literal without brackets. The message
///         never quotes what was given (it may hold a password); at most the parsed scheme,
///         host and port.
inline endpoint parse_endpoint(std::string_view url) {
  sigv4::detail::url_parts parts;
  if (const char* why = sigv4::detail::parse_http_url(url, parts))
    throw error(errc::invalid_endpoint, std::string("the endpoint ") + why);
  endpoint ep;
  ep.https = parts.https;
  ep.host = std::move(parts.host);
  ep.port = parts.port;
  ep.is_ip_literal = parts.is_ip_literal;
  const bool fragment = url.find('#') != std::string_view::npos;  // the authority cannot hold one
  if ((!parts.target.empty() && parts.target != "/") || fragment) {
    const char* what = fragment && parts.target.size() <= 1 ? "a fragment" : parts.target[0] == '?' ? "a query" : "a path";
    throw error(errc::invalid_endpoint, "the endpoint " + std::string(ep.https ? "https://" : "http://") +
                                            ep.authority() + " has " + what +
                                            "; give scheme, host and port only (a path-rewriting proxy breaks signatures)");
  }
  return ep;
}

/// Checks a bucket name against S3's rules for general purpose buckets: 3 to 63 characters of
/// a-z 0-9 '.' '-', beginning and ending with a letter or digit, no "..", no ".-" or "-."
/// (every '.'-separated label begins and ends with a letter or digit), not formatted as an
/// IPv4 address (four labels of digits), none of the reserved prefixes (xn--, sthree-,
/// amzn-s3-demo-) or suffixes (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
/// (MinIO: IsValidBucketName in cmd/object-api-utils.go refuses a label starting or ending
/// with '-' and four all-digit labels.)
/// @throws sigv4::error errc::invalid_bucket_name naming the rule broken.
inline void check_bucket_name(std::string_view b) {
  using detail::quote_input;
  const auto fail = [&](const char* why) {
    throw error(errc::invalid_bucket_name, "bucket " + quote_input(b) + " " + why);
  };
  if (b.size() < 3 || b.size() > 63) fail("must be 3 to 63 characters long");
  // one pass with a class per byte: 1 a-z, 2 digit, 4 '.', 8 '-', 0 not allowed
  unsigned seen = 0, previous = 0, periods = 0;
  for (char c : b) {
    const unsigned k = detail::bucket_chars.cls[static_cast<unsigned char>(c)];
    if (k == 0) fail("may hold only lower-case letters, digits, '.' and '-'");
    if (k == 4 && previous == 4) fail("must not hold two adjacent periods");
    if ((k | previous) == 12) fail("must not hold '.' next to '-' (a label begins and ends with a letter or digit)");
    seen |= k;
    previous = k;
    periods += k == 4;
  }
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(b.front()) || !alnum(b.back())) fail("must begin and end with a letter or digit");
  // Digits and periods only, four labels (none empty, as checked above): "formatted as an IP
  // address" in AWS's words, whatever the numbers.
  if ((seen & 9) == 0 && periods == 3) fail("must not be formatted as an IP address");
  // Reserved affixes, looked up by their first or last character (this runs for every URL).
  const auto affix_at = [&](std::string_view affix, bool prefix) {
    if (affix.size() > b.size()) return false;
    const std::size_t at = prefix ? 0 : b.size() - affix.size();
    for (std::size_t i = 0; i < affix.size(); ++i)
      if (b[at + i] != affix[i]) return false;
    return true;
  };
  const char first = b.front(), last = b.back();
  if ((first == 'x' && affix_at("xn--", true)) || (first == 's' && affix_at("sthree-", true)) ||
      (first == 'a' && affix_at("amzn-s3-demo-", true)))
    fail("uses a reserved prefix");
  if ((last == 's' && affix_at("-s3alias", false)) || (last == 'p' && affix_at(".mrap", false)) ||
      (last == '3' && (affix_at("--ol-s3", false) || affix_at("--x-s3", false) || affix_at("--table-s3", false))))
    fail("uses a reserved suffix");
}

/// Checks an object key: 1 to 1024 bytes of valid UTF-8.
/// @throws sigv4::error errc::invalid_object_key saying which.
inline void check_object_key(std::string_view key) {
  if (key.empty()) throw error(errc::invalid_object_key, "the object key is empty");
  if (key.size() > 1024)
    throw error(errc::invalid_object_key, "the object key is " + std::to_string(key.size()) + " bytes; at most 1024 are allowed");
  if (!sigv4::detail::is_valid_utf8(key))
    throw error(errc::invalid_object_key, "the object key " + detail::quote_input(key) + " is not valid UTF-8");
}

/// Presigns S3 / MinIO object URLs. Configured once, then immutable: one object is safe to
/// share between threads. The signing key of each day is derived once and cached (lock-free
/// on the hot path); a URL then costs about ten SHA-256 block compressions.
///
/// Sign for the host the client will use: a URL signed for an internal name
/// (minio.svc:9000) fails with SignatureDoesNotMatch when fetched through a public one.
class presigner {
 public:
  /// @param endpoint_url "https://s3.us-east-1.amazonaws.com", "http://127.0.0.1:9000", ...
  /// @param region       the region of the credential scope (MinIO's default: us-east-1)
  /// @throws sigv4::error errc::invalid_endpoint, errc::invalid_region.
  presigner(std::string_view endpoint_url, std::string_view region, credentials creds,
            addressing_style style = addressing_style::automatic, key_cache cache = key_cache::per_day)
      : endpoint_(parse_endpoint(endpoint_url)),
        region_(region),
        style_(style),
        cache_(cache),
        is_aws_(endpoint_.is_aws()),
        creds_(std::move(creds)),
        authority_(endpoint_.authority()),
        token_param_(sigv4::detail::uri_encode(creds_.session_token(), sigv4::detail::encode_set::component)) {
    sigv4::detail::check_scope_part(region_, errc::invalid_region, "region");
    if (region_.size() > 64) throw error(errc::invalid_region, "the region is longer than 64 characters");
    base_url_ = (endpoint_.https ? "https://" : "http://");
  }

  presigner(const presigner&) = delete;
  presigner& operator=(const presigner&) = delete;
  ~presigner() {
    for (auto* e = retired_.load(); e;) {
      auto* next = e->next;
      delete e;
      e = next;
    }
  }

  const endpoint& endpoint_info() const noexcept { return endpoint_; }
  const std::string& region() const noexcept { return region_; }
  const credentials& creds() const noexcept { return creds_; }

  /// Whether `bucket` goes in the host name (virtual-hosted) for this endpoint and style.
  bool uses_virtual_host(std::string_view bucket) const noexcept {
    switch (style_) {
      case addressing_style::path: return false;
      case addressing_style::virtual_hosted: return true;
      case addressing_style::automatic:
        return is_aws_ && !endpoint_.is_ip_literal &&
               !(endpoint_.https && bucket.find('.') != std::string_view::npos);
    }
    return false;
  }

  /// Appends the presigned URL of `req`, signed at `at`, to `out`.
  /// @throws sigv4::error errc::invalid_bucket_name, invalid_object_key, invalid_expiry,
  ///         credentials_expired, invalid_query (an X-Amz-* authentication parameter among
  ///         the extras, or a bad name), invalid_header_name / invalid_header_value (a header
  ///         that is not a token, a value with CR/LF or other control characters, or Host),
  ///         invalid_endpoint (virtual-hosted style on an IP-literal endpoint). On error `out`
  ///         is left as it was.
  void presign(const object_request& req, time_point at, std::string& out) const {
    const std::size_t start = out.size();
    try {
      presign_into(req, at, out);
    } catch (...) {
      out.resize(start);
      throw;
    }
  }

  /// The presigned URL of `req`, signed at `at`.
  std::string presign(const object_request& req, time_point at) const {
    std::string out;
    presign_into(req, at, out);
    return out;
  }

  /// Non-throwing twins: on error `ec` is set (and `out` left as it was).
  void presign(const object_request& req, time_point at, std::string& out, std::error_code& ec) const {
    detail::capture_error(ec, [&] { presign(req, at, out); });
  }
  std::string presign(const object_request& req, time_point at, std::error_code& ec) const {
    return detail::capture_error(ec, [&] { return presign(req, at); });
  }

  /// presign at the current time.
  std::string presign_now(const object_request& req) const { return presign(req, clock::now()); }

  /// A GET URL (download).
  std::string presign_get(std::string_view bucket, std::string_view key, std::chrono::seconds expires,
                          time_point at) const {
    return presign(simple(http_method::get, bucket, key, expires), at);
  }
  /// A PUT URL (upload). The client must send exactly the headers given in `headers`.
  std::string presign_put(std::string_view bucket, std::string_view key, std::chrono::seconds expires, time_point at,
                          std::vector<param> headers = {}) const {
    object_request r = simple(http_method::put, bucket, key, expires);
    r.headers = std::move(headers);
    return presign(r, at);
  }
  /// A HEAD URL (metadata).
  std::string presign_head(std::string_view bucket, std::string_view key, std::chrono::seconds expires,
                           time_point at) const {
    return presign(simple(http_method::head, bucket, key, expires), at);
  }
  /// A DELETE URL.
  std::string presign_delete(std::string_view bucket, std::string_view key, std::chrono::seconds expires,
                             time_point at) const {
    return presign(simple(http_method::delete_, bucket, key, expires), at);
  }

  /// CreateMultipartUpload: POST ?uploads; the answer's XML carries the UploadId.
  std::string presign_create_multipart_upload(std::string_view bucket, std::string_view key,
                                              std::chrono::seconds expires, time_point at) const {
    object_request r = simple(http_method::post, bucket, key, expires);
    r.query = {{"uploads", ""}};
    return presign(r, at);
  }
  /// UploadPart: PUT ?partNumber=N&uploadId=ID, N from 1 to 10000.
  /// @throws sigv4::error errc::invalid_argument for a part number outside 1..10000 or an empty upload id.
  std::string presign_upload_part(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                  int part_number, std::chrono::seconds expires, time_point at) const {
    if (part_number < 1 || part_number > 10000)
      throw error(errc::invalid_argument, "part number " + std::to_string(part_number) + " is outside 1..10000");
    check_upload_id(upload_id);
    const std::string part = std::to_string(part_number);
    object_request r = simple(http_method::put, bucket, key, expires);
    r.query = {{"partNumber", part}, {"uploadId", upload_id}};
    return presign(r, at);
  }
  /// CompleteMultipartUpload: POST ?uploadId=ID with the part list as the XML body.
  std::string presign_complete_multipart_upload(std::string_view bucket, std::string_view key,
                                                std::string_view upload_id, std::chrono::seconds expires,
                                                time_point at) const {
    return presign_upload_id_action(http_method::post, bucket, key, upload_id, expires, at);
  }
  /// AbortMultipartUpload: DELETE ?uploadId=ID.
  std::string presign_abort_multipart_upload(std::string_view bucket, std::string_view key,
                                             std::string_view upload_id, std::chrono::seconds expires,
                                             time_point at) const {
    return presign_upload_id_action(http_method::delete_, bucket, key, upload_id, expires, at);
  }

 private:
  struct cache_node : detail::scope_entry {
    using detail::scope_entry::scope_entry;
    cache_node* next = nullptr;
  };

  static object_request simple(http_method m, std::string_view bucket, std::string_view key,
                               std::chrono::seconds expires) {
    object_request r;
    r.method = m;
    r.bucket = bucket;
    r.key = key;
    r.expires = expires;
    return r;
  }

  static void check_upload_id(std::string_view id) {
    if (id.empty()) throw error(errc::invalid_argument, "the upload id is empty");
  }

  // A multipart request on an existing upload: `method` with ?uploadId=ID.
  std::string presign_upload_id_action(http_method method, std::string_view bucket, std::string_view key,
                                       std::string_view upload_id, std::chrono::seconds expires, time_point at) const {
    check_upload_id(upload_id);
    object_request r = simple(method, bucket, key, expires);
    r.query = {{"uploadId", upload_id}};
    return presign(r, at);
  }

  // The cached scope entry of `date`: one acquire load on the hot path. A miss derives the key
  // under a mutex; entries are kept until the presigner dies (one per distinct date used), so
  // a pointer handed out stays valid.
  const detail::scope_entry& entry_for(std::int64_t day, time_point at) const {
    const cache_node* cur = current_.load(std::memory_order_acquire);
    if (cur && cur->day_number == day) return *cur;
    std::lock_guard<std::mutex> lock(mutex_);
    for (cache_node* e = retired_.load(std::memory_order_relaxed); e; e = e->next) {
      if (e->day_number == day) {
        current_.store(e, std::memory_order_release);
        return *e;
      }
    }
    auto* fresh = new cache_node(creds_, day, format_amz_date(at).date(), region_);
    fresh->next = retired_.load(std::memory_order_relaxed);
    retired_.store(fresh, std::memory_order_relaxed);
    current_.store(fresh, std::memory_order_release);
    return *fresh;
  }

  std::chrono::seconds effective_expiry(const object_request& req, time_point at) const {
    sigv4::detail::check_expires(req.expires);
    const auto& exp = creds_.expiration();
    if (!exp) return req.expires;
    const std::chrono::seconds left(sigv4::detail::epoch_seconds(*exp) - sigv4::detail::epoch_seconds(at));
    if (left.count() < 1)
      throw error(errc::credentials_expired, "the temporary credentials have expired at the signing time");
    if (req.expires <= left) return req.expires;
    if (req.on_credential_expiry == credential_expiry::clamp) return left;
    throw error(errc::credentials_expired, "the URL would live " + std::to_string(req.expires.count()) +
                                               " s but the temporary credentials expire in " +
                                               std::to_string(left.count()) + " s");
  }

  void presign_into(const object_request& req, time_point at, std::string& out) const {
    namespace d = sigv4::detail;
    check_bucket_name(req.bucket);
    check_object_key(req.key);
    const std::chrono::seconds expires = effective_expiry(req, at);
    const bool virtual_host = uses_virtual_host(req.bucket);
    if (virtual_host && endpoint_.is_ip_literal)
      throw error(errc::invalid_endpoint, "virtual-hosted style needs a host name, not an IP literal");
    const auto split = sigv4::detail::split_time(at);
    if (cache_ == key_cache::off) {
      const detail::scope_entry fresh(creds_, split.day, format_amz_date(at).date(), region_);
      build_url(req, fresh, split.second, expires, virtual_host, out);
    } else {
      build_url(req, entry_for(split.day, at), split.second, expires, virtual_host, out);
    }
  }

  // Writes the URL into `out` and signs it, with the scope entry of the signing day.
  void build_url(const object_request& req, const detail::scope_entry& entry, std::int64_t second_of_day,
                 std::chrono::seconds expires, bool virtual_host, std::string& out) const {
    namespace d = sigv4::detail;
    const amz_date date = sigv4::detail::amz_date_builder::make(entry.day, second_of_day);
    const bool token = creds_.has_session_token();
    char expires_text[8];  // 1..604800: at most 6 digits
    std::size_t expires_len = 0;
    for (long long v = expires.count(); v > 0; v /= 10) expires_text[7 - expires_len++] = static_cast<char>('0' + v % 10);
    const char* expires_digits = expires_text + 8 - expires_len;

    const bool has_extras = !req.query.empty() || !req.headers.empty();
    extras ex{{}, "host", "host"};
    std::string_view sorted_query;  // with extras: the whole canonical query, from the scratch space
    if (has_extras) {
      auto& s = detail::scratch();
      s.host.assign(virtual_host ? req.bucket : std::string_view());
      if (virtual_host) s.host.push_back('.');
      s.host.append(authority_);
      ex = prepare_extras(req, s.host);
      const d::encoded_param auth[] = {
          {"X-Amz-Algorithm", algorithm},
          {"X-Amz-Credential", entry.credential_param},
          {"X-Amz-Date", date.str()},
          {"X-Amz-Expires", std::string_view(expires_digits, expires_len)},
          {"X-Amz-Security-Token", token_param_},
          {"X-Amz-SignedHeaders", ex.signed_headers_param},
      };
      for (const auto& p : auth)
        if (token || p.name != "X-Amz-Security-Token") s.params.push_back(p);
      s.query.clear();
      d::append_sorted_query(s.query, s.params.data(), s.params.data() + s.params.size());
      sorted_query = s.query;
    }

    // One resize to an upper bound, then plain copies; the excess is cut at the end.
    constexpr std::string_view expires_name = "&X-Amz-Expires=", token_name = "&X-Amz-Security-Token=",
                               signed_host = "&X-Amz-SignedHeaders=host", signature_name = "&X-Amz-Signature=";
    const std::size_t start = out.size();
    const std::size_t bound = base_url_.size() + 2 * (req.bucket.size() + 1) + authority_.size() + 3 * req.key.size() +
                              1 + entry.query_prefix.size() + 16 + expires_name.size() + expires_len +
                              token_name.size() + token_param_.size() + signed_host.size() + sorted_query.size() +
                              signature_name.size() + 64;
    out.resize(start + bound);
    char* const base = &out[0];
    char* w = base + start;
    const auto put = [&w](std::string_view part) {
      std::memcpy(w, part.data(), part.size());
      w += part.size();
    };
    // scheme://host
    put(base_url_);
    const std::size_t host_begin = static_cast<std::size_t>(w - base);
    if (virtual_host) put(req.bucket), *w++ = '.';
    put(authority_);
    const std::size_t host_end = static_cast<std::size_t>(w - base);
    // the path, which is also the canonical URI
    const std::size_t path_begin = host_end;
    *w++ = '/';
    if (!virtual_host) put(req.bucket), *w++ = '/';
    w = d::write_uri_encoded(w, req.key, d::encode_set::path);
    const std::size_t path_end = static_cast<std::size_t>(w - base);
    *w++ = '?';
    // the query, in canonical order, so that it is also the canonical query
    if (!has_extras) {
      // the fixed prefix of the day, then date, expiry, token and the signed headers
      put(entry.query_prefix);
      put(date.str());
      put(expires_name);
      put(std::string_view(expires_digits, expires_len));
      if (token) put(token_name), put(token_param_);
      put(signed_host);
    } else {
      put(sorted_query);
    }
    const std::size_t query_end = static_cast<std::size_t>(w - base);
    put(signature_name);
    const std::size_t sig_at = static_cast<std::size_t>(w - base);
    out.resize(sig_at + 64);

    // Hash the canonical request straight from the URL: its path and query are the canonical
    // URI and query, with '\n' in place of the '?' between them for the moment.
    d::sha256_ctx h;
    const std::string_view method = method_name(req.method);
    char head[8];
    method.copy(head, method.size());
    head[method.size()] = '\n';
    h.update(head, method.size() + 1);
    out[path_end] = '\n';
    h.update(out.data() + path_begin, query_end - path_begin);
    out[path_end] = '?';
    if (!has_extras) {
      // "\nhost:<host>\n\nhost\nUNSIGNED-PAYLOAD"
      char tail[320];
      constexpr std::string_view before = "\nhost:", after = "\n\nhost\nUNSIGNED-PAYLOAD";
      const std::size_t host_len = host_end - host_begin;
      if (host_len + before.size() + after.size() <= sizeof tail) {
        before.copy(tail, before.size());
        out.copy(tail + before.size(), host_len, host_begin);
        after.copy(tail + before.size() + host_len, after.size());
        h.update(tail, before.size() + host_len + after.size());
      } else {
        h.update(before);
        h.update(out.data() + host_begin, host_len);
        h.update(after);
      }
    } else {
      h.update("\n", 1);
      h.update(ex.canonical_headers);
      h.update("\n", 1);
      h.update(ex.signed_headers);
      h.update("\nUNSIGNED-PAYLOAD", 17);
    }
    unsigned char digest[d::sha256_size];
    h.finish(digest);

    // The string to sign, on the stack (the region is at most 64 characters).
    char sts[d::string_to_sign_size(16, 8 + 1 + 64 + 1 + 2 + 1 + 12)];
    const std::string_view string_to_sign(sts, d::write_string_to_sign(sts, date.str(), entry.scope, digest));
    // The first 64 bytes hold the algorithm, the date and time and the start of the scope
    // (all of it when the region has four characters or more): the second names them.
    // (Without the key cache the entry dies with this URL: nothing to keep.)
    if (cache_ == key_cache::per_day && algorithm.size() + 1 + 17 + entry.scope.size() >= d::sha256_block_size)
      entry.key.sign(string_to_sign, &out[sig_at], entry.first_block, second_of_day);
    else
      entry.key.sign(string_to_sign, &out[sig_at]);
  }

  // The extra parameters and headers, validated and encoded in the thread's scratch space.
  struct extras {
    std::string_view canonical_headers;     // "content-type:image/tiff\nhost:h\n"
    std::string_view signed_headers;        // "content-type;host"
    std::string_view signed_headers_param;  // "content-type%3Bhost"
  };

  // Fills scratch().params with the encoded extra query parameters and builds the canonical
  // header block (Host included) and the signed-header list. Offsets into the scratch text are
  // kept while it grows; views are taken once it is complete.
  extras prepare_extras(const object_request& req, std::string_view host) const {
    namespace d = sigv4::detail;
    auto& s = detail::scratch();
    s.text.clear();
    s.params.clear();
    s.items.clear();
    for (const auto& p : req.query) {
      if (p.name.empty()) throw error(errc::invalid_query, "an extra query parameter has an empty name");
      for (auto name : d::presign_params)
        if (p.name == name) throw error(errc::invalid_query, "the extra query parameters hold " + std::string(name));
      const std::size_t a = s.text.size();
      d::append_uri_encoded(s.text, p.name, d::encode_set::component);
      const std::size_t b = s.text.size();
      d::append_uri_encoded(s.text, p.value, d::encode_set::component);
      s.items.push_back({a, b - a, b, s.text.size() - b});
    }
    const std::size_t query_items = s.items.size();
    s.headers.clear();
    s.headers.push_back({"host", host});
    for (const auto& h : req.headers) {
      d::check_header_name(h.name);
      d::check_header_value(h.name, h.value);
      if (d::iequals(h.name, "host"))
        throw error(errc::invalid_header_name, "Host is set from the endpoint; do not pass it as an extra header");
      const std::size_t a = s.text.size();
      for (char c : h.name) s.text.push_back(d::to_lower_ascii(c));
      s.items.push_back({a, h.name.size(), 0, 0});
    }
    const auto text_of = [&](std::size_t at, std::size_t len) { return std::string_view(s.text).substr(at, len); };
    for (std::size_t i = 0; i < req.headers.size(); ++i)
      s.headers.push_back({text_of(s.items[query_items + i][0], s.items[query_items + i][1]), req.headers[i].value});
    s.block.clear();
    s.signed_list.clear();
    d::append_canonical_headers(s.block, s.signed_list, s.headers.data(), s.headers.data() + s.headers.size());
    s.signed_param.clear();
    d::append_uri_encoded(s.signed_param, s.signed_list, d::encode_set::component);
    for (std::size_t i = 0; i < query_items; ++i)
      s.params.push_back({text_of(s.items[i][0], s.items[i][1]), text_of(s.items[i][2], s.items[i][3])});
    return {s.block, s.signed_list, s.signed_param};
  }

  endpoint endpoint_;
  std::string region_;
  addressing_style style_;
  key_cache cache_;
  bool is_aws_;
  credentials creds_;
  std::string authority_;
  std::string token_param_;
  std::string base_url_;
  mutable std::atomic<const cache_node*> current_{nullptr};
  mutable std::atomic<cache_node*> retired_{nullptr};
  mutable std::mutex mutex_;
};

}  // namespace sigv4::s3

#endif
