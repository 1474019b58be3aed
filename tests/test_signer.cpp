// The signer: HMAC with precomputed states against OpenSSL's own HMAC, signing keys, token
// placement, and what sign_headers / presign do to a request.
#include "catch.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sigv4/sigv4.hpp>

#if defined(SIGV4_USE_EVP)
static_assert(SIGV4_LOW_LEVEL_SHA256 == 0, "this build tests the EVP back end of detail/openssl.hpp");
#endif

namespace {
const sigv4::time_point when = sigv4::parse_amz_date("20150830T123600Z");

std::string openssl_hmac_hex(const std::string& key, const std::string& msg) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), out, &len);
  return sigv4::detail::to_hex(out, len);
}

std::string openssl_sha256_hex(const std::string& msg) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(msg.data(), msg.size(), out, &len, EVP_sha256(), nullptr);
  return sigv4::detail::to_hex(out, len);
}

const std::string* find_header(const sigv4::http_request& r, const std::string& name) {
  for (const auto& h : r.headers)
    if (sigv4::detail::iequals(h.name, name)) return &h.value;
  return nullptr;
}
}  // namespace

TEST_CASE("HMAC-SHA256 with precomputed states equals OpenSSL's HMAC()", "[crypto]") {
  for (std::size_t key_len : {0u, 1u, 32u, 63u, 64u, 65u, 200u}) {
    std::string key;
    for (std::size_t i = 0; i < key_len; ++i) key.push_back(static_cast<char>(i * 7 + 1));
    const sigv4::detail::hmac_sha256_key k(key.data(), key.size());
    for (std::size_t msg_len : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 1000u}) {
      const std::string msg(msg_len, static_cast<char>('a' + msg_len % 26));
      unsigned char out[32];
      k.sign(msg, out);
      INFO("key " << key_len << " msg " << msg_len);
      CHECK(sigv4::detail::to_hex(out, 32) == openssl_hmac_hex(key, msg));
      // the key object is reusable: a second message gives the same answer again
      k.sign(msg, out);
      CHECK(sigv4::detail::to_hex(out, 32) == openssl_hmac_hex(key, msg));
      const auto d = sigv4::detail::sha256(msg);
      CHECK(sigv4::detail::to_hex(d.data(), 32) == openssl_sha256_hex(msg));
    }
  }
}

TEST_CASE("signing key derivation follows the published chain", "[crypto]") {
  // kDate = HMAC("AWS4" + secret, date), then region, service, "aws4_request" (AWS docs).
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  const auto step = [](const std::string& key, const std::string& msg) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
         msg.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
  };
  const std::string k = step(step(step(step("AWS4" + secret, "20150830"), "us-east-1"), "service"), "aws4_request");
  const auto key = sigv4::derive_signing_key(secret, "20150830", "us-east-1", "service");
  CHECK(std::string(reinterpret_cast<const char*>(key.bytes().data()), 32) == k);
  CHECK(sigv4::signature(key, "hello") == openssl_hmac_hex(k, "hello"));
}

TEST_CASE("sign_headers adds X-Amz-Date, the token, x-amz-content-sha256 and Authorization", "[signer]") {
  const sigv4::credentials creds("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN/+=");
  sigv4::http_request req;
  req.method = "PUT";
  req.path = "/bucket/key";
  req.headers = {{"Host", "example.com"}, {"X-Amz-Date", "stale"}, {"Authorization", "stale"}};
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "s3";
  o.path = sigv4::path_rules::s3;
  o.payload = sigv4::payload_hash::of("body");
  o.content_sha256_header = true;
  const auto r = sigv4::sign_headers(req, creds, o, when);
  CHECK(r.signed_headers == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  REQUIRE(find_header(req, "x-amz-date"));
  CHECK(*find_header(req, "x-amz-date") == "20150830T123600Z");
  CHECK(*find_header(req, "x-amz-security-token") == "TOKEN/+=");
  CHECK(*find_header(req, "x-amz-content-sha256") == sigv4::payload_hash::of("body").value());
  CHECK(*find_header(req, "authorization") ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=" + r.signature);
  CHECK(req.headers.size() == 5);  // the stale copies were replaced, not duplicated

  // after signing: the token is sent but not signed, so the signature equals a token-less one
  sigv4::http_request a, b;
  a.headers = b.headers = {{"Host", "example.com"}};
  o.token = sigv4::token_placement::added_after_signing;
  const auto with_token = sigv4::sign_headers(a, creds, o, when);
  const auto without = sigv4::sign_headers(b, sigv4::credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), o, when);
  CHECK(with_token.signature == without.signature);
  CHECK(*find_header(a, "x-amz-security-token") == "TOKEN/+=");
  CHECK(with_token.signed_headers.find("x-amz-security-token") == std::string::npos);
}

TEST_CASE("presign appends encoded X-Amz-* parameters after the request's own", "[signer]") {
  const sigv4::credentials creds("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN/+=");
  sigv4::http_request req;
  req.path = "/b/k";
  req.query = "versionId=v1";
  req.headers = {{"Host", "example.com"}};
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "s3";
  o.payload = sigv4::payload_hash::unsigned_payload();
  o.expires = std::chrono::seconds(900);
  const auto r = sigv4::presign(req, creds, o, when);
  CHECK(req.query ==
        "versionId=v1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2F"
        "aws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token="
        "TOKEN%2F%2B%3D&X-Amz-Signature=" + r.signature);
  CHECK(r.canonical_request.find("X-Amz-Security-Token=TOKEN%2F%2B%3D&X-Amz-SignedHeaders=host&versionId=v1\n") !=
        std::string::npos);
}

namespace {
// The published chain with OpenSSL's HMAC(): kSigning of (secret, date, region, service), then
// the hex HMAC of a string to sign; the reference the cached signer is held to.
std::string openssl_signature(const std::string& secret, const std::string& date, const std::string& region,
                              const std::string& service, std::string_view string_to_sign) {
  const auto step = [](const std::string& key, const std::string& msg) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
         msg.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
  };
  const std::string k = step(step(step(step("AWS4" + secret, date), region), service), "aws4_request");
  return openssl_hmac_hex(k, std::string(string_to_sign));
}

// The string to sign's last line must be the SHA-256 of the canonical request (OpenSSL's).
void check_steps(const sigv4::header_signature& sig) {
  const std::string_view sts = sig.string_to_sign();
  CHECK(sts.substr(sts.size() - 64) == openssl_sha256_hex(std::string(sig.canonical_request())));
}

sigv4::http_request put_request() {
  sigv4::http_request r;
  r.method = "PUT";
  r.path = "/bucket/a key";
  r.query = "uploadId=u%2B1&partNumber=2";
  r.headers = {{"Host", "example.com"}, {"Content-Type", "image/tiff"}, {"X-Amz-Meta-A", "  x   y "}};
  return r;
}
}  // namespace

TEST_CASE("signer: a new day derives that day's key, the old day's is still right", "[signer]") {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  const sigv4::credentials creds("AKIDEXAMPLE", secret);
  const sigv4::signer s(creds, "eu-west-1", "s3", {sigv4::path_rules::s3, true, sigv4::token_placement::signed_in_request});
  sigv4::signing_options o;
  o.region = "eu-west-1";
  o.service = "s3";
  o.path = sigv4::path_rules::s3;
  o.payload = sigv4::payload_hash::of("body");
  o.content_sha256_header = true;
  const sigv4::time_point last_second = sigv4::parse_amz_date("20150830T235959Z");
  const sigv4::time_point midnight = last_second + std::chrono::seconds(1);
  const sigv4::time_point later = midnight + std::chrono::hours(24 * 40);
  for (const sigv4::time_point t : {last_second, midnight, last_second, later, midnight, midnight}) {
    const std::string date(sigv4::format_amz_date(t).date());
    INFO("date " << date);
    sigv4::http_request a = put_request(), b = put_request();
    const sigv4::header_signature sig = s.sign_headers(a, o.payload, t);
    const sigv4::signing_result r = sigv4::sign_headers(b, creds, o, t);
    CHECK(sig.signature() == r.signature);
    CHECK(sig.canonical_request() == r.canonical_request);
    CHECK(sig.string_to_sign() == r.string_to_sign);
    CHECK(sig.credential() == "AKIDEXAMPLE/" + date + "/eu-west-1/s3/aws4_request");
    CHECK(sig.signature() == openssl_signature(secret, date, "eu-west-1", "s3", sig.string_to_sign()));
    check_steps(sig);
    REQUIRE(a.headers.size() == b.headers.size());
    for (std::size_t i = 0; i < a.headers.size(); ++i) {
      CHECK(a.headers[i].name == b.headers[i].name);
      CHECK(a.headers[i].value == b.headers[i].value);
    }
  }
}

TEST_CASE("signer: set_credentials signs with the new secret from the next request on", "[signer]") {
  const sigv4::credentials first("AKIDFIRST", "first-secret-first-secret-first-secret00");
  const sigv4::credentials second("AKIDSECOND", "second-secret-second-secret-second-secre", "TOKEN/+=");
  sigv4::signer s(first, "us-east-1", "execute-api");
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "execute-api";
  const auto payload = sigv4::payload_hash::empty();
  const auto sign_with = [&](const sigv4::credentials& c) {
    sigv4::http_request a = put_request(), b = put_request();
    const sigv4::header_signature sig = s.sign_headers(a, payload, when);
    const sigv4::signing_result r = sigv4::sign_headers(b, c, o, when);
    CHECK(sig.signature() == r.signature);
    CHECK(sig.canonical_request() == r.canonical_request);
    CHECK(sig.signature() ==
          openssl_signature(std::string(c.secret_access_key()), "20150830", "us-east-1", "execute-api", sig.string_to_sign()));
    CHECK(sig.credential() == c.access_key_id() + "/20150830/us-east-1/execute-api/aws4_request");
    CHECK(sig.security_token() == c.session_token());
    return std::string(sig.signature());
  };
  const std::string one = sign_with(first);
  s.set_credentials(second);
  CHECK(s.creds().access_key_id() == "AKIDSECOND");
  const std::string two = sign_with(second);
  CHECK(one != two);
  // the same id with another secret (a rotated secret) must not be served the old key
  s.set_credentials(sigv4::credentials("AKIDSECOND", "rotated-secret-rotated-secret-rotated-se", "TOKEN/+="));
  CHECK(sign_with(s.creds()) != two);
}

TEST_CASE("signer: the steps, the headers to add, a reused result and errors", "[signer]") {
  const sigv4::credentials creds("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN/+=");
  const sigv4::signer s(creds, "us-east-1", "s3", {sigv4::path_rules::s3, true, sigv4::token_placement::added_after_signing});
  const auto payload = sigv4::payload_hash::of("body");
  sigv4::header_signature out;
  const std::string path = "/bucket/k";
  s.sign("GET", path, "", {{"host", "example.com"}, {"X-Amz-Date", "stale"}, {"authorization", "stale"}}, payload,
         when, out);
  CHECK(out.canonical_request() ==
        "GET\n/bucket/k\n\nhost:example.com\nx-amz-content-sha256:" + std::string(payload.value()) +
            "\nx-amz-date:20150830T123600Z\n\nhost;x-amz-content-sha256;x-amz-date\n" + std::string(payload.value()));
  CHECK(out.string_to_sign().substr(0, 69) ==
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/s3/aws4_request\n");
  check_steps(out);
  CHECK_FALSE(out.token_signed());
  std::vector<std::pair<std::string, std::string>> added;
  out.for_each_header([&](std::string_view n, std::string_view v) { added.emplace_back(n, v); });
  REQUIRE(added.size() == 4);
  CHECK(added[0] == std::make_pair(std::string("X-Amz-Date"), std::string("20150830T123600Z")));
  CHECK(added[1] == std::make_pair(std::string("x-amz-content-sha256"), std::string(payload.value())));
  CHECK(added[2] == std::make_pair(std::string("X-Amz-Security-Token"), std::string("TOKEN/+=")));
  CHECK(added[3].first == "Authorization");
  CHECK(added[3].second == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
                           "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" +
                               std::string(out.signature()));
  std::vector<sigv4::header> hs = {{"Host", "example.com"}, {"x-amz-date", "stale"}, {"X-Amz-Security-Token", "old"}};
  out.apply_to(hs);
  REQUIRE(hs.size() == 5);
  CHECK(hs[0].name == "Host");
  CHECK(hs[1].value == "20150830T123600Z");
  CHECK(hs[4].value == out.authorization());
  const sigv4::signing_result r = out.result();
  CHECK(r.canonical_request == out.canonical_request());
  CHECK(r.string_to_sign == out.string_to_sign());
  CHECK(r.signature == out.signature());
  CHECK(r.signed_headers == "host;x-amz-content-sha256;x-amz-date");

  // into the same result again: a longer request, then a shorter one; nothing of the earlier one stays
  const sigv4::signer plain(sigv4::credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "us-east-1",
                            "s3", {sigv4::path_rules::s3, false, sigv4::token_placement::signed_in_request});
  std::vector<sigv4::header_ref> many = {{"Host", "example.com"}};
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back("X-Amz-Meta-Field-" + std::to_string(i));  // past the stack buffers
  for (const auto& n : names) many.push_back({n, "v"});
  plain.sign("PUT", path, "a=1&b=2", many, payload, when, out);
  std::vector<sigv4::header> many_owned;
  for (const auto& h : many) many_owned.push_back({std::string(h.name), std::string(h.value)});
  sigv4::http_request req;
  req.method = "PUT";
  req.path = path;
  req.query = "a=1&b=2";
  req.headers = many_owned;
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "s3";
  o.path = sigv4::path_rules::s3;
  o.payload = payload;
  const auto big = sigv4::sign_headers(req, sigv4::credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), o, when);
  CHECK(out.canonical_request() == big.canonical_request);
  CHECK(out.signature() == big.signature);
  CHECK(out.security_token().empty());
  CHECK(out.content_sha256().empty());
  plain.sign("GET", "/", "", {{"Host", "h"}}, payload, when, out);
  CHECK(out.signed_headers() == "host;x-amz-date");
  check_steps(out);

  // an error leaves the result empty and says what is wrong
  sigv4::errc code = sigv4::errc::ok;
  try {
    plain.sign("GET", "/", "", {{"Content-Type", "x"}}, payload, when, out);
  } catch (const sigv4::error& e) {
    code = static_cast<sigv4::errc>(e.code().value());
  }
  CHECK(code == sigv4::errc::missing_host_header);
  CHECK(out.authorization().empty());
  CHECK(out.canonical_request().empty());
  CHECK(out.signature().empty());
  CHECK(out.amz_date().empty());
  CHECK_THROWS_AS(plain.sign("GET", "/", "", {{"Host", "h"}, {"Bad Name", "x"}}, payload, when, out), sigv4::error);
  CHECK_THROWS_AS(plain.sign("GET", "/", "", {{"Host", "h\r\nX: y"}}, payload, when, out), sigv4::error);
  CHECK_THROWS_AS(plain.sign("G T", "/", "", {{"Host", "h"}}, payload, when, out), sigv4::error);
  CHECK_THROWS_AS(plain.sign("GET", "x", "", {{"Host", "h"}}, payload, when, out), sigv4::error);
  CHECK_THROWS_AS(plain.sign("GET", "/", "a=%zz", {{"Host", "h"}}, payload, when, out), sigv4::error);
  CHECK_THROWS_AS(sigv4::signer(creds, "", "s3"), sigv4::error);
  CHECK_THROWS_AS(sigv4::signer(creds, "us-east-1", "s 3"), sigv4::error);
}

TEST_CASE("signer: one signer shared by threads signing on two days", "[signer][threads]") {
  const sigv4::credentials creds("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  const sigv4::signer s(creds, "us-east-1", "s3", {sigv4::path_rules::s3, true, sigv4::token_placement::signed_in_request});
  const auto payload = sigv4::payload_hash::unsigned_payload();
  const sigv4::time_point days[2] = {when, when + std::chrono::hours(24)};
  std::string expected[2];
  for (int d = 0; d < 2; ++d) {
    sigv4::http_request r = put_request();
    sigv4::signing_options o;
    o.region = "us-east-1";
    o.service = "s3";
    o.path = sigv4::path_rules::s3;
    o.payload = payload;
    o.content_sha256_header = true;
    expected[d] = sigv4::sign_headers(r, creds, o, days[d]).signature;
  }
  std::atomic<int> wrong{0};
  const auto work = [&](int first) {
    sigv4::header_signature out;
    const auto req = put_request();
    for (int i = 0; i < 300; ++i) {
      const int d = (i + first) % 2;
      s.sign(req.method, req.path, req.query, req.headers, payload, days[d], out);
      if (out.signature() != expected[d]) ++wrong;
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  CHECK(wrong.load() == 0);
}

TEST_CASE("signer: requests of one second under short and long scopes, each against OpenSSL's HMAC chain", "[signer]") {
  // The signer keeps the state after the string to sign's first block for the second it saw,
  // in the key's cache record, only when that block ends inside the scope; with a short
  // region it reaches into the request hash, which differs per request. Each signature is
  // checked against the key derived and the string to sign signed with OpenSSL's HMAC().
  const sigv4::credentials creds("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  for (const char* region : {"r", "eu-w", "eu-we", "us-east-1"}) {
    INFO("region " << region);
    const sigv4::signer s(creds, region, "s3");
    for (int second = 0; second < 3; ++second) {
      for (int i = 0; i < 8; ++i) {
        const std::string path = "/bucket/tiles/" + std::to_string(i) + ".tif";
        const auto sig = s.sign("GET", path, "", {{"host", "example.com"}}, sigv4::payload_hash::unsigned_payload(),
                                when + std::chrono::seconds(second));
        INFO("second " << second << " path " << path);
        CHECK(std::string(sig.signature()) ==
              openssl_signature(std::string(creds.secret_access_key()), "20150830", region, "s3", sig.string_to_sign()));
      }
    }
  }
}
