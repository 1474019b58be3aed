// The signer: HMAC with precomputed states against OpenSSL's own HMAC, signing keys, token
// placement, and what sign_headers / presign do to a request.
#include "catch.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

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
