// AWS's published S3 examples ("Authenticating Requests: Using Query Parameters" and
// "Signature Calculations for the Authorization Header: Transferring Payload in a Single
// Chunk", Amazon S3 API Reference), written here as literal constants.
#include "catch.hpp"

#include <sigv4/sigv4.hpp>

namespace {

const char* const key_id = "AKIAIOSFODNN7EXAMPLE";
const char* const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const char* const host = "examplebucket.s3.amazonaws.com";

sigv4::time_point example_time() { return sigv4::parse_amz_date("20130524T000000Z"); }

sigv4::signing_options s3_options(sigv4::payload_hash payload) {
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "s3";
  o.path = sigv4::path_rules::s3;
  o.payload = payload;
  o.content_sha256_header = true;
  return o;
}

std::string sha256_hex(const std::string& s) {
  const auto d = sigv4::detail::sha256(s);
  return sigv4::detail::to_hex(d.data(), d.size());
}

}  // namespace

TEST_CASE("published S3 signing key for 20130524", "[s3][examples]") {
  const auto key = sigv4::derive_signing_key(secret, "20130524", "us-east-1", "s3");
  CHECK(sigv4::detail::to_hex(key.bytes().data(), key.bytes().size()) ==
        "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378");
}

TEST_CASE("published S3 presigned GET (query parameters)", "[s3][examples]") {
  sigv4::http_request req;
  req.method = "GET";
  req.path = "/test.txt";
  req.headers = {{"Host", host}};
  auto opt = s3_options(sigv4::payload_hash::unsigned_payload());
  opt.expires = std::chrono::seconds(86400);
  const auto r = sigv4::presign(req, sigv4::credentials(key_id, secret), opt, example_time());
  CHECK(r.canonical_request ==
        "GET\n/test.txt\n"
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_"
        "request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n"
        "host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
  CHECK(sha256_hex(r.canonical_request) == "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
  CHECK(r.signature == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  CHECK("https://" + std::string(host) + req.path + "?" + req.query ==
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
        "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-"
        "Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST_CASE("published S3 Authorization-header examples", "[s3][examples]") {
  struct example {
    const char* name;
    const char* method;
    const char* path;
    const char* query;
    std::vector<sigv4::header> extra;
    std::string body;
    const char* signed_headers;
    const char* canonical_request_sha256;
    const char* signature;
  };
  const std::vector<example> examples = {
      {"GET Object with Range", "GET", "/test.txt", "", {{"Range", "bytes=0-9"}}, "",
       "host;range;x-amz-content-sha256;x-amz-date",
       "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
       "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
      {"PUT Object", "PUT", "/test$file.text", "",
       {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
       "Welcome to Amazon S3.", "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
       "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
       "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"},
      {"GET Bucket lifecycle", "GET", "/", "lifecycle", {}, "", "host;x-amz-content-sha256;x-amz-date",
       "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
       "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"},
      {"GET Bucket (list objects)", "GET", "/", "max-keys=2&prefix=J", {}, "", "host;x-amz-content-sha256;x-amz-date",
       "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
       "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"},
  };
  for (const auto& ex : examples) {
    INFO(ex.name);
    sigv4::http_request req;
    req.method = ex.method;
    req.path = ex.path;
    req.query = ex.query;
    req.headers = {{"Host", host}};
    req.headers.insert(req.headers.end(), ex.extra.begin(), ex.extra.end());
    const auto r = sigv4::sign_headers(req, sigv4::credentials(key_id, secret),
                                       s3_options(sigv4::payload_hash::of(ex.body)), example_time());
    CHECK(r.signed_headers == ex.signed_headers);
    CHECK(sha256_hex(r.canonical_request) == ex.canonical_request_sha256);
    CHECK(r.signature == ex.signature);
  }
}

TEST_CASE("published S3 PUT example: canonical request, literal", "[s3][examples]") {
  sigv4::http_request req;
  req.method = "PUT";
  req.path = "/test$file.text";
  req.headers = {{"Host", host},
                 {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                 {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  const auto r = sigv4::sign_headers(req, sigv4::credentials(key_id, secret),
                                     s3_options(sigv4::payload_hash::of("Welcome to Amazon S3.")), example_time());
  CHECK(r.canonical_request ==
        "PUT\n/test%24file.text\n\n"
        "date:Fri, 24 May 2013 00:00:00 GMT\nhost:examplebucket.s3.amazonaws.com\n"
        "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
        "x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
        "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
}

TEST_CASE("published IAM ListUsers example (generic service)", "[examples]") {
  sigv4::http_request req;
  req.method = "GET";
  req.path = "/";
  req.query = "Action=ListUsers&Version=2010-05-08";
  req.headers = {{"Host", "iam.amazonaws.com"},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "iam";
  const sigv4::credentials creds("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  const auto r = sigv4::sign_headers(req, creds, o, sigv4::parse_amz_date("20150830T123600Z"));
  CHECK(sha256_hex(r.canonical_request) == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  CHECK(r.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  const auto key = sigv4::derive_signing_key(creds.secret_access_key(), "20150830", "us-east-1", "iam");
  CHECK(sigv4::detail::to_hex(key.bytes().data(), 32) ==
        "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}
