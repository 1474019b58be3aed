// No message, exception, detail or formatted value may hold a secret, a session token, URL
// user info or a signature (issue 11 item 6, DESIGN.md section 3). Recognisable strings are
// pushed through every entry point that takes an endpoint or credentials: the S3 presigner
// and parse_endpoint, the generic signer, the STS request builders and response parser, the
// credential sources, the verifier's results and the {fmt} formatters. Each check asserts
// that the call fails (or succeeds) as documented AND that none of the markers appears.
#include "catch.hpp"

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <sigv4/fmt.hpp>
#include <sigv4/sigv4.hpp>

using namespace std::chrono_literals;

namespace {
// The cores searched for are plain letters, so that they are found however the text around
// them is encoded or cut (quote_input keeps 64 bytes).
const std::string secret = "wJalrXUtnFEMI/K7MDENG/SECRETxSECRETxCORE/xyz";      // 44 characters
const std::string token = "IQoJb3JpZ2luX2Vj/TOKENxTOKENxCORE+/=Zm9vYmFy//==";  // with '/', '+', '='
const std::string password = "PASSxHUNTER2xCORE";
const char* const cores[] = {"SECRETxSECRET", "TOKENxTOKEN", "HUNTER2"};
const std::string key_id = "AKIDEXAMPLE";
const sigv4::time_point when = sigv4::parse_amz_date("20260101T120000Z");

// INFO-annotated check that `text` holds none of the markers (nor `extra`, e.g. a signature).
void check_clean(const std::string& text, const std::vector<std::string>& extra = {}) {
  INFO(text);
  for (const char* c : cores) CHECK(text.find(c) == std::string::npos);
  for (const auto& e : extra) CHECK(text.find(e) == std::string::npos);
}

// Runs `f`, which must throw sigv4::error with `code`; its what() must be clean.
void check_throws_clean(const std::function<void()>& f, sigv4::errc code, const std::vector<std::string>& extra = {}) {
  try {
    f();
    FAIL("no error");
  } catch (const sigv4::error& e) {
    INFO(e.what());
    CHECK(e.code() == sigv4::make_error_code(code));
    check_clean(e.what(), extra);
  }
}

sigv4::credentials creds() { return sigv4::credentials(key_id, secret, token); }

std::string with_password(const char* before, const char* after) { return before + password + after; }

std::string signature_of(const std::string& url) { return url.substr(url.rfind("X-Amz-Signature=") + 16, 64); }
}  // namespace

TEST_CASE("endpoints with user info are refused without quoting it", "[secrets]") {
  const std::vector<std::string> endpoints = {
      with_password("http://minioadmin:", "@127.0.0.1:9000"),
      with_password("https://minioadmin:", "@minio.example.com/"),
      with_password("http://", "@127.0.0.1:9000"),
      with_password("http://", ":x@h"),
      with_password("http://u:", "@[::1]:9000"),
      with_password("http://u:", "@[::1"),
      with_password("http://u:", "@h:99999"),
      with_password("http://u:", "@h/some/path?q=1#f"),
      with_password("http://u:", "@@h"),
      with_password("http://u:", "%40x@h"),
      with_password("http://u:1234/", "@h"),  // user info a URL parser reads as a path
      with_password("http://u:pw?", "@h"),
      with_password("ftp://u:", "@h"),
      with_password("HTTP://U:", "@H"),
      with_password("http://u:", "@2001:db8::1"),
  };
  for (const auto& ep : endpoints) {
    INFO(ep);
    check_throws_clean([&] { sigv4::s3::parse_endpoint(ep); }, sigv4::errc::invalid_endpoint);
    check_throws_clean([&] { sigv4::s3::presigner(ep, "us-east-1", creds()); }, sigv4::errc::invalid_endpoint);
    sigv4::s3::presigner_options o;
    o.upload_acl = "private";
    check_throws_clean([&] { sigv4::s3::presigner(ep, "us-east-1", creds(), o); }, sigv4::errc::invalid_endpoint);
    check_throws_clean([&] { sigv4::sts::get_session_token(ep, "us-east-1", creds(), 3600s, when); },
                       sigv4::errc::invalid_endpoint);
    check_throws_clean([&] { sigv4::sts::assume_role(ep, "us-east-1", creds(), {}, when); },
                       sigv4::errc::invalid_endpoint);
    // (the one URL parser: "http://u:1234/PASS@h" is a valid URL, host u, whose path holds the
    // text; the others are refused)
    sigv4::detail::url_parts parts;
    if (const char* why = sigv4::detail::parse_http_url(ep, parts)) check_clean(why);
  }
}

TEST_CASE("presigner errors and URLs never hold the secret", "[secrets]") {
  const sigv4::s3::presigner p("http://127.0.0.1:9000", "us-east-1", creds(), sigv4::s3::addressing_style::path);
  const std::string url = p.presign_get("bkt", "k", 60s, when);
  check_clean(url.substr(0, url.find("X-Amz-Security-Token")) + url.substr(url.find("&X-Amz-SignedHeaders")));
  CHECK(url.find(secret) == std::string::npos);
  // every refusal of a request
  using sigv4::errc;
  check_throws_clean([&] { p.presign_get("BKT", "k", 60s, when); }, errc::invalid_bucket_name);
  check_throws_clean([&] { p.presign_get("bkt", "", 60s, when); }, errc::invalid_object_key);
  check_throws_clean([&] { p.presign_get("bkt", "k\xff", 60s, when); }, errc::invalid_object_key);
  check_throws_clean([&] { p.presign_get("bkt", "k", 0s, when); }, errc::invalid_expiry);
  sigv4::s3::object_request r;
  r.bucket = "bkt";
  r.key = "k";
  r.query = {{"X-Amz-Security-Token", token}};
  check_throws_clean([&] { p.presign(r, when); }, errc::invalid_query);
  const std::string url_signature = signature_of(url);
  r.query = {{"X-Amz-Signature", url_signature}};
  check_throws_clean([&] { p.presign(r, when); }, errc::invalid_query, {url_signature});
  r.query = {{"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"}};
  check_throws_clean([&] { p.presign(r, when); }, errc::invalid_query);
  r.query.clear();
  const std::string bad_value = token + "\r\n";
  r.headers = {{"x-amz-security-token", bad_value}};
  check_throws_clean([&] { p.presign(r, when); }, errc::invalid_header_value);
  // temporary credentials that expire: the message gives lifetimes only
  const sigv4::s3::presigner temp("http://127.0.0.1:9000", "us-east-1",
                                  sigv4::credentials(key_id, secret, token, when + 60s));
  check_throws_clean([&] { temp.presign_get("bkt", "k", 3600s, when); }, errc::credentials_expired);
  check_throws_clean([&] { temp.presign_get("bkt", "k", 60s, when + 3600s); }, errc::credentials_expired);
  // the locked ACL's conflict names the two ACLs only
  sigv4::s3::presigner_options o;
  o.upload_acl = "private";
  const sigv4::s3::presigner locked("http://127.0.0.1:9000", "us-east-1", creds(), o);
  check_throws_clean([&] { locked.presign_put("bkt", "k", 60s, when, {{"x-amz-acl", "public-read"}}); },
                     errc::invalid_header_value);
  o.upload_acl = "x";
  check_throws_clean([&] { sigv4::s3::presigner("http://127.0.0.1:9000", "us-east-1", creds(), o); },
                     errc::invalid_argument);
}

TEST_CASE("the generic signer's errors never hold the secret, the token or a signature", "[secrets]") {
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "s3";
  const std::string sig(64, 'a');
  const std::vector<std::string> queries = {"X-Amz-Signature=" + sig, "X-Amz-Security-Token=TOKENxTOKEN",
                                            "a=%zz&X-Amz-Signature=" + sig};
  for (const auto& q : queries) {
    sigv4::http_request req;
    req.method = "GET";
    req.path = "/b/k";
    req.query = q;
    req.headers = {{"Host", "h"}};
    try {
      sigv4::presign(req, creds(), o, when);
      FAIL("no error");
    } catch (const sigv4::error& e) {
      check_clean(e.what(), {sig});
    }
  }
  sigv4::http_request req;
  req.method = "GET";
  req.path = "/b/k";
  req.headers = {{"Host", "h"}, {"X-Amz-Meta-A", token + "\n"}};
  check_throws_clean([&] { sigv4::sign_headers(req, creds(), o, when); }, sigv4::errc::invalid_header_value);
}

TEST_CASE("credentials: construction errors, to_string, operator<< and fmt redact", "[secrets]") {
  using sigv4::errc;
  check_throws_clean([] { sigv4::credentials("AK ID", secret); }, errc::invalid_credentials);
  check_throws_clean([] { sigv4::credentials("", secret, token); }, errc::invalid_credentials);
  check_throws_clean([] { sigv4::credentials(key_id, secret, token + "\x01"); }, errc::invalid_credentials);
  check_throws_clean([] { sigv4::credentials(secret, secret); }, errc::invalid_credentials);  // a secret given as the key id
  const sigv4::credentials c = creds();
  check_clean(sigv4::to_string(c));
  std::ostringstream os;
  os << c;
  check_clean(os.str());
  check_clean(fmt::format("{}", c));
  check_clean(fmt::format("{:>200}", c));
  CHECK(fmt::format("{}", c).find(key_id) != std::string::npos);  // control: it does print something
  const sigv4::signing_key k(secret, "20260101", "us-east-1", "s3");
  check_clean(fmt::format("{}", k));
  check_clean(fmt::format("{}", sigv4::s3::parse_endpoint("http://127.0.0.1:9000")));
}

TEST_CASE("credential sources: errors name variables and files, never their secret values", "[secrets]") {
  using sigv4::errc;
  std::map<std::string, std::string> env;
  const sigv4::env_lookup lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  // unusable values, each with the secret and token present
  env = {{"AWS_ACCESS_KEY_ID", "AK ID"}, {"AWS_SECRET_ACCESS_KEY", secret}, {"AWS_SESSION_TOKEN", token}};
  check_throws_clean([&] { sigv4::credentials_from_env(lookup); }, errc::invalid_credentials);
  env = {{"AWS_ACCESS_KEY_ID", key_id}, {"AWS_SECRET_ACCESS_KEY", secret}, {"AWS_SESSION_TOKEN", token + "\x7f"}};
  check_throws_clean([&] { sigv4::credentials_from_env(lookup); }, errc::invalid_credentials);
  env = {{"AWS_ACCESS_KEY_ID", key_id}, {"AWS_SECRET_ACCESS_KEY", secret}, {"AWS_SESSION_TOKEN", token},
         {"AWS_CREDENTIAL_EXPIRATION", "tomorrow"}};
  check_throws_clean([&] { sigv4::credentials_from_env(lookup); }, errc::invalid_date);
  env = {{"AWS_ACCESS_KEY_ID", key_id}, {"AWS_SESSION_TOKEN", token}};
  check_throws_clean([&] { sigv4::credentials_from_env(lookup); }, errc::credentials_not_found);
  env = {{"MINIO_ROOT_USER", secret}, {"MINIO_ROOT_PASSWORD", password}};  // a secret as the user: '/' refused
  check_throws_clean([&] { sigv4::credentials_from_env(lookup); }, errc::invalid_credentials);
  env = {{"AWS_ACCESS_KEY_ID", key_id}, {"AWS_SECRET_ACCESS_KEY_FILE", "/nonexistent/" + password}};
  try {
    sigv4::credentials_from_env(lookup);
    FAIL("no error");
  } catch (const sigv4::error& e) {
    CHECK(e.code() == errc::credentials_not_found);  // the path is named: it is not a secret
  }
  // the shared credentials file
  const std::string path = "sigv4_test_secrets_credentials.ini";
  const auto write = [&](const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  };
  const std::vector<std::string> files = {
      "[default]\naws_access_key_id = AK ID\naws_secret_access_key = " + secret + "\naws_session_token = " + token + "\n",
      "[default]\naws_access_key_id = " + key_id + "\naws_secret_access_key = " + secret + "\naws_session_token = " +
          token + "\x01\n",
      "[default]\naws_access_key_id = " + key_id + "\naws_secret_access_key " + secret + "\n",  // no '='
      "[other]\naws_access_key_id = " + key_id + "\naws_secret_access_key = " + secret + "\n",
      "[default]\naws_secret_access_key = " + secret + "\naws_session_token = " + token + "\n",
      "[default\naws_access_key_id = " + secret + "\n",
  };
  env.clear();
  for (const auto& f : files) {
    write(f);
    try {
      sigv4::credentials_from_shared_file("default", path, lookup);
      FAIL("no error");
    } catch (const sigv4::error& e) {
      check_clean(e.what());
    }
    try {
      sigv4::default_credentials({}, [&](std::string_view name) -> std::optional<std::string> {
        if (name == "AWS_SHARED_CREDENTIALS_FILE") return path;
        return std::nullopt;
      });
      FAIL("no error");
    } catch (const sigv4::error& e) {
      check_clean(e.what());
    }
  }
  std::remove(path.c_str());
}

TEST_CASE("STS: signed forms, answers and their errors", "[secrets]") {
  const auto f = sigv4::sts::get_session_token("https://sts.example.com", "us-east-1", creds(), 3600s, when);
  check_clean(f.url);
  check_clean(f.body);
  for (const auto& h : f.request.headers)
    if (!sigv4::detail::iequals(h.name, "x-amz-security-token")) check_clean(h.name + ": " + h.value);
  using sigv4::errc;
  sigv4::sts::assume_role_params big;
  big.policy = std::string(3000, 'x');
  check_throws_clean([&] { sigv4::sts::assume_role("https://sts.example.com", "us-east-1", creds(), big, when); },
                     errc::invalid_policy);
  check_throws_clean([&] { sigv4::sts::get_session_token("https://sts.example.com", "us-east-1", creds(), 1s, when); },
                     errc::invalid_argument);
  const auto answer = [&](const std::string& id, const std::string& sk, const std::string& tok, const std::string& exp) {
    return "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>" + id + "</AccessKeyId>" +
           "<SecretAccessKey>" + sk + "</SecretAccessKey>" + tok + exp +
           "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
  };
  const std::string tok = "<SessionToken>" + token + "</SessionToken>";
  const std::string exp = "<Expiration>2026-01-01T13:00:00Z</Expiration>";
  const std::vector<std::string> bad = {
      answer(key_id, secret, "", exp),                                           // no token
      answer(key_id, secret, tok, ""),                                           // no expiry
      answer(key_id, secret, tok, "<Expiration>tomorrow</Expiration>"),          // not a time
      answer("AK ID", secret, tok, exp),                                         // unusable key id
      answer(key_id, secret + "&bogus;", tok, exp),                              // unknown entity
      answer(key_id, "<b>" + secret + "</b>", tok, exp),                         // markup
      answer(key_id, secret, tok + tok, exp),                                    // twice
      answer(key_id, secret, "<SessionToken>" + token + "\x01</SessionToken>", exp),  // control character
      answer(key_id, secret, "<SessionToken attr=\"" + token + "\">x</SessionToken>", exp),
  };
  for (const auto& xml : bad) {
    INFO(xml);
    check_throws_clean([&] { sigv4::sts::parse_credentials_response(xml); }, errc::invalid_sts_response);
  }
  const auto ok = sigv4::sts::parse_credentials_response(answer(key_id, secret, tok, exp));  // control
  CHECK(ok.secret_access_key() == secret);
}

TEST_CASE("the verifier's results never hold the secret, the token, user info or a signature", "[secrets]") {
  const sigv4::verifier v([](std::string_view id) -> std::optional<sigv4::key_entry> {
    if (id != key_id) return std::nullopt;
    return sigv4::key_entry{sigv4::secret_string(secret), token};
  });
  const sigv4::s3::presigner p("http://127.0.0.1:9000", "us-east-1", creds(), sigv4::s3::addressing_style::path);
  const std::string url = p.presign_get("bkt", "k", 600s, when);
  REQUIRE(v.verify_presigned_url("GET", url, {}, when + 1s).valid());  // control
  const std::string sig = signature_of(url);
  std::string forged = url;
  forged[forged.size() - 1] = forged.back() == '0' ? '1' : '0';
  const std::string forged_sig = signature_of(forged);
  const auto clean_result = [&](const sigv4::verify_result& r) {
    INFO(sigv4::to_string(r.reason));
    CHECK_FALSE(r.valid());
    const std::vector<std::string> sigs = {sig, forged_sig, sig.substr(0, 16), forged_sig.substr(0, 16)};
    check_clean(r.detail, sigs);
    check_clean(std::string(r.parts.access_key_id()), sigs);
    check_clean(r.parts.scope().str(), sigs);
    for (const auto& h : r.parts.signed_headers()) check_clean(h, sigs);
    check_clean(fmt::format("{}", r.reason), sigs);
  };
  clean_result(v.verify_presigned_url("GET", forged, {}, when + 1s));
  // another session token than the key's
  const sigv4::verifier other([](std::string_view) -> std::optional<sigv4::key_entry> {
    return sigv4::key_entry{sigv4::secret_string(secret), "OTHERxTOKEN"};
  });
  clean_result(other.verify_presigned_url("GET", url, {}, when + 1s));
  clean_result(v.verify_presigned_url("GET", url, {}, when + 3600s));  // expired
  clean_result(v.verify_presigned_url("PUT", url, {}, when + 1s));     // another method
  // the same URL with user info put in front of the host
  const std::string with_user = "http://minioadmin:" + password + "@" + url.substr(7);
  clean_result(v.verify_presigned_url("GET", with_user, {}, when + 1s));
  // the token changed in the URL
  std::string odd = url;
  odd.replace(odd.find("TOKENxTOKEN"), 11, "TOKENyTOKEN");
  clean_result(v.verify_presigned_url("GET", odd, {}, when + 1s));
  // header-signed requests
  sigv4::http_request req;
  req.method = "GET";
  req.path = "/bkt/k";
  req.headers = {{"Host", "127.0.0.1:9000"}};
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "s3";
  o.payload = sigv4::payload_hash::unsigned_payload();
  const auto signed_result = sigv4::sign_headers(req, creds(), o, when);
  std::vector<sigv4::header> headers = req.headers;
  for (auto& h : headers)
    if (sigv4::detail::iequals(h.name, "authorization")) h.value.back() = h.value.back() == '0' ? '1' : '0';
  const auto r = v.verify_signed_request("GET", "/bkt/k", headers, std::nullopt, when + 1s);
  CHECK_FALSE(r.valid());
  check_clean(r.detail, {signed_result.signature, signed_result.signature.substr(0, 16)});
}
