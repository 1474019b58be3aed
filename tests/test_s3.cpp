// The S3 presigner: addressing, endpoints, the bad-input table, expiry against temporary
// credentials, appending into a buffer, sharing between threads. Signatures are checked
// against AWS's published example and against the generic signer, which the AWS suite checks.
#include "catch.hpp"

#include <atomic>
#include <cstring>
#include <functional>
#include <thread>

#include <sigv4/s3.hpp>
#include <sigv4/sigv4.hpp>

using namespace std::chrono_literals;
using sigv4::s3::addressing_style;
using sigv4::s3::http_method;

namespace {
const char* const key_id = "AKIAIOSFODNN7EXAMPLE";
const char* const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const sigv4::time_point when = sigv4::parse_amz_date("20130524T000000Z");

sigv4::s3::presigner make(const char* endpoint, addressing_style style = addressing_style::automatic,
                          sigv4::credentials c = sigv4::credentials(key_id, secret)) {
  return sigv4::s3::presigner(endpoint, "us-east-1", std::move(c), style);
}

std::string signature_of(const std::string& url) { return url.substr(url.rfind("X-Amz-Signature=") + 16); }
std::string host_of(const std::string& url) {
  const auto a = url.find("://") + 3;
  return url.substr(a, url.find('/', a) - a);
}
std::string path_of(const std::string& url) {
  const auto a = url.find('/', url.find("://") + 3);
  return url.substr(a, url.find('?') - a);
}
}  // namespace

TEST_CASE("the published presigned GET, virtual-hosted", "[s3]") {
  const auto p = make("https://s3.amazonaws.com", addressing_style::virtual_hosted);
  CHECK(p.presign_get("examplebucket", "test.txt", 86400s, when) ==
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
        "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-"
        "Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST_CASE("the presigner agrees with the generic signer on requests with extras", "[s3]") {
  const sigv4::credentials creds(key_id, secret, "tok/en+=");
  const auto p = make("http://127.0.0.1:9000", addressing_style::path, creds);
  sigv4::s3::object_request r;
  r.method = http_method::put;
  r.bucket = "geocrop-results";
  r.key = "jobs/job 123//../ሴ+%.tif";
  r.expires = 900s;
  r.query = {{"versionId", "v/1"}, {"response-content-disposition", "attachment; filename=\"a b.tif\""}};
  r.headers = {{"Content-Type", "image/tiff"}, {"X-Amz-Meta-Owner", "  job   123 "}, {"x-amz-meta-owner", "x"}};
  const std::string url = p.presign(r, when);

  sigv4::http_request g;
  g.method = "PUT";
  g.path = "/geocrop-results/jobs/job 123//../ሴ+%.tif";
  g.query = "versionId=v%2F1&response-content-disposition=attachment%3B%20filename%3D%22a%20b.tif%22";
  g.headers = {{"Host", "127.0.0.1:9000"}};
  for (const auto& h : r.headers) g.headers.push_back({std::string(h.name), std::string(h.value)});
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "s3";
  o.path = sigv4::path_rules::s3;
  o.payload = sigv4::payload_hash::unsigned_payload();
  o.expires = 900s;
  const auto expected = sigv4::presign(g, creds, o, when);
  CHECK(signature_of(url) == expected.signature);
  CHECK(path_of(url) == "/geocrop-results/jobs/job%20123//../%E1%88%B4%2B%25.tif");
  CHECK(url.find("X-Amz-SignedHeaders=content-type%3Bhost%3Bx-amz-meta-owner&") != std::string::npos);
  CHECK(url.find("X-Amz-Security-Token=tok%2Fen%2B%3D&") != std::string::npos);
}

TEST_CASE("addressing style and the Host port", "[s3]") {
  CHECK(host_of(make("https://s3.amazonaws.com").presign_get("my-bucket", "k", 60s, when)) ==
        "my-bucket.s3.amazonaws.com");
  // auto: dots on https stay path style (the wildcard certificate would not match)
  CHECK(host_of(make("https://s3.amazonaws.com").presign_get("my.bucket", "k", 60s, when)) == "s3.amazonaws.com");
  CHECK(host_of(make("http://s3.amazonaws.com").presign_get("my.bucket", "k", 60s, when)) ==
        "my.bucket.s3.amazonaws.com");
  // auto on a non-AWS endpoint: path style, as MinIO expects
  const std::string minio = make("http://minio.svc:9000").presign_get("geocrop-results", "a/b.tif", 60s, when);
  CHECK(host_of(minio) == "minio.svc:9000");
  CHECK(path_of(minio) == "/geocrop-results/a/b.tif");
  CHECK(host_of(make("https://minio.example.com", addressing_style::virtual_hosted).presign_get("b-1", "k", 60s, when)) ==
        "b-1.minio.example.com");
  // default ports are dropped from the Host, others kept
  CHECK(host_of(make("https://s3.example.com:443", addressing_style::path).presign_get("bkt", "k", 60s, when)) ==
        "s3.example.com");
  CHECK(host_of(make("http://s3.example.com:80", addressing_style::path).presign_get("bkt", "k", 60s, when)) ==
        "s3.example.com");
  CHECK(host_of(make("http://s3.example.com:443", addressing_style::path).presign_get("bkt", "k", 60s, when)) ==
        "s3.example.com:443");
  CHECK(host_of(make("http://[::1]:9000").presign_get("bkt", "k", 60s, when)) == "[::1]:9000");
  CHECK(host_of(make("http://[2001:db8:0:0:1:0:0:1]").presign_get("bkt", "k", 60s, when)) == "[2001:db8:0:0:1:0:0:1]");
  CHECK(host_of(make("http://[::ffff:192.0.2.1]:9000").presign_get("bkt", "k", 60s, when)) == "[::ffff:192.0.2.1]:9000");
  CHECK(host_of(make("HTTP://MinIO.Example.COM/").presign_get("bkt", "k", 60s, when)) == "minio.example.com");
}

TEST_CASE("keys are signed verbatim: no normalisation, encoded once", "[s3]") {
  const auto p = make("http://localhost:9000", addressing_style::path);
  CHECK(path_of(p.presign_get("bkt", "a//b", 60s, when)) == "/bkt/a//b");
  CHECK(path_of(p.presign_get("bkt", "/lead", 60s, when)) == "/bkt//lead");
  CHECK(path_of(p.presign_get("bkt", "./x/../y", 60s, when)) == "/bkt/./x/../y");
  CHECK(path_of(p.presign_get("bkt", "sp ace+plus%pct&amp=eq~t", 60s, when)) ==
        "/bkt/sp%20ace%2Bplus%25pct%26amp%3Deq~t");
}

TEST_CASE("bad input table: each case gets its own error", "[s3][errors]") {
  struct row {
    const char* what;
    std::function<void()> call;
    sigv4::errc code;
    const char* needle;
  };
  const auto p = make("http://127.0.0.1:9000", addressing_style::path);
  const auto get = [&](std::string bucket, std::string key, std::chrono::seconds e = 60s) {
    return [&p, bucket, key, e] { p.presign_get(bucket, key, e, when); };
  };
  const auto with_header = [&](std::string name, std::string value) {
    return [&p, name, value] {
      sigv4::s3::object_request r;
      r.bucket = "bkt";
      r.key = "k";
      r.headers = {{name, value}};
      p.presign(r, when);
    };
  };
  const auto with_query = [&](std::string name) {
    return [&p, name] {
      sigv4::s3::object_request r;
      r.bucket = "bkt";
      r.key = "k";
      r.query = {{name, "v"}};
      p.presign(r, when);
    };
  };
  using sigv4::errc;
  const std::vector<row> rows = {
      {"endpoint with a path", [] { make("http://minio:9000/s3"); }, errc::invalid_endpoint, "has a path"},
      {"endpoint with a query", [] { make("http://minio:9000?x=1"); }, errc::invalid_endpoint, "has a query"},
      {"endpoint with a fragment", [] { make("http://minio:9000#f"); }, errc::invalid_endpoint, "has a fragment"},
      {"endpoint with user info", [] { make("http://u:p@minio:9000"); }, errc::invalid_endpoint, "user info"},
      {"endpoint with another scheme", [] { make("ftp://minio"); }, errc::invalid_endpoint, "http:// or https://"},
      {"endpoint without host", [] { make("http://:9000"); }, errc::invalid_endpoint, "no host"},
      {"endpoint with port 0", [] { make("http://minio:0"); }, errc::invalid_endpoint, "1 to 65535"},
      {"endpoint with port 65536", [] { make("http://minio:65536"); }, errc::invalid_endpoint, "1 to 65535"},
      {"endpoint with a bad IPv6 literal", [] { make("http://[::g]:9000"); }, errc::invalid_endpoint, "IPv6"},
      {"endpoint with an IPv6 literal of nine groups", [] { make("http://[1:2:3:4:5:6:7:8:9]:9000"); },
       errc::invalid_endpoint, "malformed IPv6"},
      {"endpoint with an IPv6 literal of colons only", [] { make("http://[::::::]:9000"); }, errc::invalid_endpoint,
       "malformed IPv6"},
      // issue 11: an unbracketed IPv6 literal is told so, not about its "port" or "host"
      {"endpoint with an unbracketed IPv6 literal", [] { make("http://2001:db8::1"); }, errc::invalid_endpoint,
       "IPv6 literals need brackets"},
      {"endpoint with an unbracketed IPv6 literal and port", [] { make("http://::1:9000"); }, errc::invalid_endpoint,
       "IPv6 literals need brackets"},
      // RFC 1123 section 2.1 / RFC 952: a label is letters, digits and '-', not starting or
      // ending with '-'; RFC 1035 section 2.3.4: labels of at most 63 octets
      {"host label starting with '-'", [] { make("http://-minio.example.com"); }, errc::invalid_endpoint,
       "starts or ends with '-'"},
      {"host label ending with '-'", [] { make("http://minio-.example.com:9000"); }, errc::invalid_endpoint,
       "starts or ends with '-'"},
      {"host with an empty label", [] { make("http://minio..example.com"); }, errc::invalid_endpoint, "empty label"},
      {"host with a leading '.'", [] { make("http://.minio:9000"); }, errc::invalid_endpoint, "empty label"},
      {"host label of 64 characters", [] { make(("http://" + std::string(64, 'a') + ".example.com").c_str()); },
       errc::invalid_endpoint, "longer than 63"},
      {"host of digits that is not an IPv4 address", [] { make("http://256.1.1.1:9000"); }, errc::invalid_endpoint,
       "malformed IPv4"},
      {"IPv4 host with a leading zero", [] { make("http://127.0.0.01:9000"); }, errc::invalid_endpoint,
       "malformed IPv4"},
      {"endpoint with an IPv6 zone index", [] { make("http://[fe80::1%25eth0]:9000"); }, errc::invalid_endpoint,
       "zone"},
      {"endpoint with a space", [] { make("http://min io"); }, errc::invalid_endpoint, "not allowed"},
      {"empty region", [] { sigv4::s3::presigner("http://m", "", sigv4::credentials(key_id, secret)); },
       errc::invalid_region, "region"},
      {"virtual host on an IP literal",
       [] { make("http://127.0.0.1:9000", addressing_style::virtual_hosted).presign_get("bkt", "k", 60s, when); },
       errc::invalid_endpoint, "IP literal"},
      {"bucket too short", get("ab", "k"), errc::invalid_bucket_name, "3 to 63"},
      {"bucket too long", get(std::string(64, 'a'), "k"), errc::invalid_bucket_name, "3 to 63"},
      {"bucket with upper case", get("MyBucket", "k"), errc::invalid_bucket_name, "lower-case"},
      {"bucket with underscore", get("my_bucket", "k"), errc::invalid_bucket_name, "lower-case"},
      {"bucket starting with '-'", get("-bucket", "k"), errc::invalid_bucket_name, "begin and end"},
      {"bucket ending with '.'", get("bucket.", "k"), errc::invalid_bucket_name, "begin and end"},
      {"bucket with '..'", get("my..bucket", "k"), errc::invalid_bucket_name, "adjacent periods"},
      // AWS: "must begin and end with a letter or number" per label, i.e. no ".-" or "-.";
      // MinIO's IsValidBucketName (cmd/object-api-utils.go) refuses a '.'-separated piece
      // that starts or ends with '-'
      {"bucket with '.-'", get("my.-bucket", "k"), errc::invalid_bucket_name, "'.' next to '-'"},
      {"bucket with '-.'", get("my-.bucket", "k"), errc::invalid_bucket_name, "'.' next to '-'"},
      // MinIO: four all-digit pieces look like an IP address whatever their values
      {"bucket like an IP with large parts", get("999.168.5.4", "k"), errc::invalid_bucket_name, "IP address"},
      {"bucket like an IP with a leading zero", get("192.168.05.4", "k"), errc::invalid_bucket_name, "IP address"},
      {"bucket like an IP", get("192.168.5.4", "k"), errc::invalid_bucket_name, "IP address"},
      {"bucket with reserved prefix", get("xn--bucket", "k"), errc::invalid_bucket_name, "prefix"},
      {"bucket with reserved suffix", get("bucket-s3alias", "k"), errc::invalid_bucket_name, "suffix"},
      {"empty key", get("bkt", ""), errc::invalid_object_key, "empty"},
      {"key of 1025 bytes", get("bkt", std::string(1025, 'k')), errc::invalid_object_key, "1025 bytes"},
      {"key not UTF-8 (lone continuation)", get("bkt", "a\x80"), errc::invalid_object_key, "not valid UTF-8"},
      {"key not UTF-8 (overlong '/')", get("bkt", "\xC0\xAF"), errc::invalid_object_key, "not valid UTF-8"},
      {"key not UTF-8 (surrogate)", get("bkt", "\xED\xA0\x80"), errc::invalid_object_key, "not valid UTF-8"},
      {"key not UTF-8 (truncated)", get("bkt", "ab\xE1\x88"), errc::invalid_object_key, "not valid UTF-8"},
      {"key not UTF-8 (above U+10FFFF)", get("bkt", "\xF4\x90\x80\x80"), errc::invalid_object_key, "not valid UTF-8"},
      {"expiry 0", get("bkt", "k", 0s), errc::invalid_expiry, "1 to 604800"},
      // two faults: the bucket's is reported, as check_bucket_name (the presigner checks the
      // bucket's text beside its hashing, after the expiry)
      {"bad bucket and expiry 0", get("my_bucket", "k", 0s), errc::invalid_bucket_name, "lower-case"},
      {"bad key and expiry 0", get("bkt", "\xff", 0s), errc::invalid_object_key, "UTF-8"},
      {"expiry over 7 days", get("bkt", "k", 604801s), errc::invalid_expiry, "604801"},
      {"header with CR/LF", with_header("x-amz-meta-a", "a\r\nb"), errc::invalid_header_value, "CR or LF"},
      {"header name with space", with_header("x amz", "v"), errc::invalid_header_name, "not an HTTP token"},
      {"Host as an extra header", with_header("Host", "evil"), errc::invalid_header_name, "Host"},
      {"extra X-Amz-Signature", with_query("X-Amz-Signature"), errc::invalid_query, "X-Amz-Signature"},
      {"extra query with empty name", with_query(""), errc::invalid_query, "empty name"},
      {"part number 0", [&p] { p.presign_upload_part("bkt", "k", "id", 0, 60s, when); }, errc::invalid_argument,
       "1..10000"},
      {"empty upload id", [&p] { p.presign_abort_multipart_upload("bkt", "k", "", 60s, when); },
       errc::invalid_argument, "upload id"},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    try {
      r.call();
      FAIL("no error");
    } catch (const sigv4::error& e) {
      INFO(e.what());
      CHECK(e.code() == sigv4::make_error_code(r.code));
      CHECK(std::string(e.what()).find(r.needle) != std::string::npos);
      CHECK(std::string(e.what()).find(secret) == std::string::npos);
    }
  }
}

TEST_CASE("temporary credentials: a URL that would outlive them is refused or clamped", "[s3]") {
  const sigv4::credentials temp(key_id, secret, "token", when + 3600s);
  const auto p = make("http://127.0.0.1:9000", addressing_style::path, temp);
  CHECK_NOTHROW(p.presign_get("bkt", "k", 3600s, when));
  try {
    p.presign_get("bkt", "k", 3601s, when);
    FAIL("no error");
  } catch (const sigv4::error& e) {
    CHECK(e.code() == sigv4::errc::credentials_expired);
    CHECK(std::string(e.what()).find("expire in 3600 s") != std::string::npos);
  }
  sigv4::s3::object_request r;
  r.bucket = "bkt";
  r.key = "k";
  r.expires = 604800s;
  r.on_credential_expiry = sigv4::s3::credential_expiry::clamp;
  const std::string url = p.presign(r, when + 600s);
  CHECK(url.find("X-Amz-Expires=3000&") != std::string::npos);
  std::error_code ec;
  p.presign(r, when + 3600s, ec);  // expired at signing time: refused even when clamping
  CHECK(ec == sigv4::errc::credentials_expired);
}

TEST_CASE("set_credentials: the next URL is signed with the new credentials, and checked against their expiry", "[s3][rotation]") {
  const char* const published =
      "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
      "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-"
      "Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  for (auto cache : {sigv4::s3::key_cache::per_day, sigv4::s3::key_cache::off}) {
    CAPTURE(static_cast<int>(cache));
    sigv4::s3::presigner p("https://s3.amazonaws.com", "us-east-1", sigv4::credentials("AKIDOLD", "old-secret"),
                           addressing_style::virtual_hosted, cache);
    const std::string before = p.presign_get("examplebucket", "test.txt", 86400s, when);
    CHECK(before.find("X-Amz-Credential=AKIDOLD%2F") != std::string::npos);
    p.set_credentials(sigv4::credentials(key_id, secret));
    CHECK(p.creds().access_key_id() == key_id);
    CHECK(p.presign_get("examplebucket", "test.txt", 86400s, when) == published);  // AWS's example, to the byte

    // temporary credentials that expire in 299 s: a 900 s URL is refused, a 200 s one carries the token
    const sigv4::credentials temp("ASIATEMP", "temp-secret", "tok/en+=", when + 299s);
    p.set_credentials(temp);
    try {
      p.presign_get("examplebucket", "test.txt", 900s, when);
      FAIL("no error");
    } catch (const sigv4::error& e) {
      CHECK(e.code() == sigv4::errc::credentials_expired);
      CHECK(std::string(e.what()).find("expire in 299 s") != std::string::npos);
    }
    const sigv4::s3::presigner fresh("https://s3.amazonaws.com", "us-east-1", temp, addressing_style::virtual_hosted);
    const std::string with_token = p.presign_get("examplebucket", "test.txt", 200s, when);
    CHECK(with_token == fresh.presign_get("examplebucket", "test.txt", 200s, when));
    CHECK(with_token.find("&X-Amz-Security-Token=tok%2Fen%2B%3D&") != std::string::npos);

    // refreshed before they expire: the new ones sign 900 s URLs again, without the old token
    p.set_credentials(sigv4::credentials(key_id, secret));
    CHECK(p.presign_get("examplebucket", "test.txt", 86400s, when) == published);
  }
}

TEST_CASE("appending into a caller's buffer; on error the buffer is unchanged", "[s3]") {
  const auto p = make("http://127.0.0.1:9000", addressing_style::path);
  sigv4::s3::object_request r;
  r.bucket = "bkt";
  r.key = "k";
  std::string buf = "Location: ";
  p.presign(r, when, buf);
  CHECK(buf == "Location: " + p.presign(r, when));
  r.key = "";
  std::error_code ec;
  p.presign(r, when, buf, ec);
  CHECK(ec == sigv4::errc::invalid_object_key);
  CHECK(buf.rfind("Location: http://127.0.0.1:9000/bkt/k?", 0) == 0);
}

TEST_CASE("multipart URLs carry their sub-resources", "[s3]") {
  const auto p = make("http://127.0.0.1:9000", addressing_style::path);
  const auto has = [](const std::string& url, const std::string& part) { return url.find(part) != std::string::npos; };
  CHECK(has(p.presign_create_multipart_upload("bkt", "big.bin", 60s, when), "&uploads=&"));
  const std::string part = p.presign_upload_part("bkt", "big.bin", "upl/oad+id", 7, 60s, when);
  CHECK(has(part, "&partNumber=7&uploadId=upl%2Foad%2Bid&"));
  CHECK(has(p.presign_complete_multipart_upload("bkt", "big.bin", "u1", 60s, when), "&uploadId=u1&"));
  CHECK(has(p.presign_abort_multipart_upload("bkt", "big.bin", "u1", 60s, when), "&uploadId=u1&"));
}

TEST_CASE("one presigner shared by threads gives the same URLs as one thread", "[s3][threads]") {
  // The threads sign at changing seconds on three days, so the per-day keys and the
  // per-second state of the string to sign are replaced while other threads read them. The
  // expected URLs come from a presigner that shares nothing (key_cache::off: everything
  // derived per URL).
  const auto p = make("http://127.0.0.1:9000", addressing_style::path);
  const sigv4::s3::presigner reference("http://127.0.0.1:9000", "us-east-1", sigv4::credentials(key_id, secret),
                                       addressing_style::path, sigv4::s3::key_cache::off);
  const auto at = [](int i, int round) {
    return when + std::chrono::hours(24 * (i % 3)) + std::chrono::seconds((i + round) % 5);
  };
  constexpr int rounds = 50, keys = 64;
  std::vector<std::string> expected;
  for (int round = 0; round < rounds; ++round)
    for (int i = 0; i < keys; ++i) expected.push_back(reference.presign_get("bkt", "k" + std::to_string(i), 60s, at(i, round)));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int round = 0; round < rounds; ++round)
        for (int i = 0; i < keys; ++i)
          if (p.presign_get("bkt", "k" + std::to_string(i), 60s, at(i, round)) != expected[static_cast<std::size_t>(round * keys + i)])
            ++mismatches;
    });
  for (auto& t : threads) t.join();
  CHECK(mismatches == 0);
}

TEST_CASE("names the servers accept still work beside the refused ones", "[s3]") {
  // controls for the rows above: the same shapes without the broken rule
  CHECK(host_of(make("http://minio-1.example-2.com:9000").presign_get("my-bucket.a-b", "k", 60s, when)) ==
        "minio-1.example-2.com:9000");
  CHECK(host_of(make(("http://" + std::string(63, 'a') + ".example.com").c_str()).presign_get("bkt", "k", 60s, when)) ==
        std::string(63, 'a') + ".example.com");
  CHECK(host_of(make("http://xn--bcher-kva.example").presign_get("bkt", "k", 60s, when)) == "xn--bcher-kva.example");
  CHECK(path_of(make("http://127.0.0.1:9000").presign_get("1.2.3", "k", 60s, when)) == "/1.2.3/k");
  CHECK(path_of(make("http://127.0.0.1:9000").presign_get("1.2.3.4.5", "k", 60s, when)) == "/1.2.3.4.5/k");
  CHECK(path_of(make("http://127.0.0.1:9000").presign_get("a.b-c.d", "k", 60s, when)) == "/a.b-c.d/k");
}

TEST_CASE("the one URL parser (detail/url.hpp)", "[s3][url]") {
  using sigv4::detail::parse_http_url;
  using sigv4::detail::url_parts;
  url_parts u;
  // RFC 3986: scheme case-insensitive, host case-insensitive; the target runs from the first
  // '/' or '?' to before the '#'
  REQUIRE(parse_http_url("HTTPS://MinIO.Example.COM:443/b/k%20x?X-Amz-Date=1&a=b#frag", u) == nullptr);
  CHECK(u.https);
  CHECK(u.host == "minio.example.com");
  CHECK(u.port == std::optional<std::uint16_t>(443));
  CHECK(u.authority() == "minio.example.com");
  CHECK_FALSE(u.is_ip_literal);
  CHECK(u.target == "/b/k%20x?X-Amz-Date=1&a=b");
  REQUIRE(parse_http_url("http://127.0.0.1:9000?x=1", u) == nullptr);
  CHECK_FALSE(u.https);
  CHECK(u.is_ip_literal);
  CHECK(u.authority() == "127.0.0.1:9000");
  CHECK(u.target == "?x=1");
  REQUIRE(parse_http_url("http://[2001:DB8::1]:80#f", u) == nullptr);
  CHECK(u.host == "[2001:db8::1]");
  CHECK(u.is_ip_literal);
  CHECK(u.authority() == "[2001:db8::1]");
  CHECK(u.target.empty());
  REQUIRE(parse_http_url("http://h", u) == nullptr);
  CHECK(u.target.empty());
  CHECK_FALSE(u.port);

  // Each refusal is a fixed text: none quotes the input (which may hold a password).
  const char* const marker = "S3CR3TMARK";
  struct row {
    std::string url;
    const char* needle;
  };
  const std::vector<row> rows = {
      {std::string("Bttp://h/") + marker, "must start with http:// or https://"},
      {std::string("ftp://h/") + marker, "must start with http:// or https://"},
      {std::string("http://minioadmin:") + marker + "@127.0.0.1:9000", "user info"},
      {std::string("https://") + marker + "@h/x", "user info"},
      {std::string("http://") + marker + ":" + marker + "/", "port"},
      {std::string("http://") + marker + "_x/", "not allowed in a host name"},
      {std::string("http://2001:db8::") + "1/" + marker, "IPv6 literals need brackets"},
      {std::string("http://[::") + marker + "]/", "malformed IPv6"},
      {std::string("http://[::1") + marker, "unclosed IPv6"},
      {std::string("http://[::1]x") + marker, "text after the IPv6 literal"},
      {std::string("http://[fe80::1%25") + marker + "]", "zone index"},
      {std::string("http://-") + marker + ".com", "starts or ends with '-'"},
      {std::string("http://h:") + "/" + marker, "empty port"},
      {std::string("http://h:99999/") + marker, "1 to 65535"},
      {std::string("http:///") + marker, "no host"},
      {std::string("http://1.2.3/") + marker, "malformed IPv4"},
  };
  for (const auto& r : rows) {
    INFO(r.url);
    const char* why = parse_http_url(r.url, u);
    REQUIRE(why != nullptr);
    CHECK(std::string(why).find(r.needle) != std::string::npos);
    CHECK(std::string(why).find("S3CR3T") == std::string::npos);
    try {
      sigv4::s3::parse_endpoint(r.url);
      FAIL("no error");
    } catch (const sigv4::error& e) {
      CHECK(std::string(e.what()).find(r.needle) != std::string::npos);
      CHECK(std::string(e.what()).find("S3CR3T") == std::string::npos);
    }
  }
}

TEST_CASE("key_rules::minio refuses the '.' and '..' segments MinIO refuses", "[s3][minio]") {
  // MinIO's hasBadPathComponent (minio/minio cmd/generic-handlers.go): the object path split at
  // '/', each piece through strings.TrimSpace, "." or ".." refused (ErrInvalidResourceName).
  sigv4::s3::presigner_options o;
  o.style = addressing_style::path;
  o.keys = sigv4::s3::key_rules::minio;
  const sigv4::s3::presigner minio("http://127.0.0.1:9000", "us-east-1", sigv4::credentials(key_id, secret), o);
  const auto s3 = make("http://127.0.0.1:9000", addressing_style::path);
  for (const char* key : {".", "..", "./x", "a/./b", "a/../b", "a/..", "x/.", "/..", "a/ .. /b", "a/\t./b", "a/..\xC2\xA0",
                          "\xE3\x80\x80.\xE3\x80\x80/k"}) {
    INFO(key);
    CHECK_NOTHROW(s3.presign_get("bkt", key, 60s, when));  // S3 signs them verbatim
    try {
      minio.presign_get("bkt", key, 60s, when);
      FAIL("no error");
    } catch (const sigv4::error& e) {
      CHECK(e.code() == sigv4::errc::invalid_object_key);
      CHECK(std::string(e.what()).find("'.' or '..' path segment") != std::string::npos);
    }
  }
  // dots that are not a whole segment are ordinary keys to MinIO
  for (const char* key : {"a.b", ".hidden", "...", "a/.../b", "a/.b./c", "v1..2", "a//b", "/lead", "dir/"}) {
    INFO(key);
    CHECK(minio.presign_get("bkt", key, 60s, when) == s3.presign_get("bkt", key, 60s, when));
  }
}

TEST_CASE("an extra X-Amz-Content-Sha256 is refused, as a query parameter or a header", "[s3][errors]") {
  // MinIO's getContentSha256Cksum (cmd/signature-v4-utils.go) takes the X-Amz-Content-Sha256
  // query parameter of a presigned request, else that header, as the payload hash; the
  // presigner signs UNSIGNED-PAYLOAD, so such a URL would never verify.
  const auto p = make("http://127.0.0.1:9000", addressing_style::path);
  sigv4::s3::object_request r;
  r.method = http_method::put;
  r.bucket = "bkt";
  r.key = "k";
  r.query = {{"X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}};
  std::error_code ec;
  p.presign(r, when, ec);
  CHECK(ec == sigv4::errc::invalid_query);
  r.query = {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  p.presign(r, when, ec);
  CHECK(ec == sigv4::errc::invalid_query);
  r.query.clear();
  r.headers = {{"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"}};
  p.presign(r, when, ec);
  CHECK(ec == sigv4::errc::invalid_header_name);
  r.headers = {{"X-Amz-Checksum-Sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}};  // control: other x-amz-* are fine
  p.presign(r, when, ec);
  CHECK_FALSE(ec);
}

TEST_CASE("a locked upload ACL is signed into PutObject and CreateMultipartUpload URLs only", "[s3][acl]") {
  const sigv4::credentials creds(key_id, secret);
  sigv4::s3::presigner_options o;
  o.style = addressing_style::path;
  o.upload_acl = "private";
  const sigv4::s3::presigner locked("http://127.0.0.1:9000", "us-east-1", creds, o);
  const auto plain = make("http://127.0.0.1:9000", addressing_style::path);
  const auto signed_headers = [](const std::string& url) {
    const auto a = url.find("X-Amz-SignedHeaders=") + 20;
    return url.substr(a, url.find('&', a) - a);
  };
  // the generic signer (checked by the AWS suite) with the header given explicitly
  const auto expected_put = [&](const std::vector<sigv4::header>& extra) {
    sigv4::http_request g;
    g.method = "PUT";
    g.path = "/bkt/k";
    g.headers = {{"Host", "127.0.0.1:9000"}};
    g.headers.insert(g.headers.end(), extra.begin(), extra.end());
    sigv4::signing_options so;
    so.region = "us-east-1";
    so.service = "s3";
    so.path = sigv4::path_rules::s3;
    so.payload = sigv4::payload_hash::unsigned_payload();
    so.expires = 60s;
    return sigv4::presign(g, creds, so, when).signature;
  };
  const std::string put = locked.presign_put("bkt", "k", 60s, when);
  CHECK(signed_headers(put) == "host%3Bx-amz-acl");
  CHECK(signature_of(put) == expected_put({{"x-amz-acl", "private"}}));
  CHECK(signed_headers(locked.presign_create_multipart_upload("bkt", "k", 60s, when)) == "host%3Bx-amz-acl");
  // not on the other multipart steps, downloads or deletes
  CHECK(signed_headers(locked.presign_upload_part("bkt", "k", "u1", 1, 60s, when)) == "host");
  CHECK(signed_headers(locked.presign_complete_multipart_upload("bkt", "k", "u1", 60s, when)) == "host");
  CHECK(signed_headers(locked.presign_abort_multipart_upload("bkt", "k", "u1", 60s, when)) == "host");
  CHECK(locked.presign_get("bkt", "k", 60s, when) == plain.presign_get("bkt", "k", 60s, when));
  CHECK(locked.presign_delete("bkt", "k", 60s, when) == plain.presign_delete("bkt", "k", 60s, when));
  // with other headers: sorted in among them
  const std::string typed = locked.presign_put("bkt", "k", 60s, when, {{"Content-Type", "image/tiff"}});
  CHECK(signed_headers(typed) == "content-type%3Bhost%3Bx-amz-acl");
  CHECK(signature_of(typed) == expected_put({{"Content-Type", "image/tiff"}, {"x-amz-acl", "private"}}));
  // the same value given by the caller is signed once; another value is a conflict
  CHECK(locked.presign_put("bkt", "k", 60s, when, {{"X-Amz-Acl", " private "}}) ==
        plain.presign_put("bkt", "k", 60s, when, {{"X-Amz-Acl", " private "}}));
  try {
    locked.presign_put("bkt", "k", 60s, when, {{"x-amz-acl", "public-read"}});
    FAIL("no error");
  } catch (const sigv4::error& e) {
    CHECK(e.code() == sigv4::errc::invalid_header_value);
    CHECK(std::string(e.what()).find("conflicts with the presigner's locked upload ACL 'private'") != std::string::npos);
  }
  // without a lock, the caller's x-amz-acl is signed as given (control)
  CHECK(signed_headers(plain.presign_put("bkt", "k", 60s, when, {{"x-amz-acl", "public-read"}})) == "host%3Bx-amz-acl");
  // S3's canned ACLs only
  for (const char* acl : {"private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
                          "bucket-owner-read", "bucket-owner-full-control"}) {
    o.upload_acl = acl;
    CHECK_NOTHROW(sigv4::s3::presigner("http://127.0.0.1:9000", "us-east-1", creds, o));
  }
  for (const char* acl : {"Private", "log-delivery-write", "public-read ", "x"}) {
    o.upload_acl = acl;
    try {
      sigv4::s3::presigner("http://127.0.0.1:9000", "us-east-1", creds, o);
      FAIL("no error");
    } catch (const sigv4::error& e) {
      CHECK(e.code() == sigv4::errc::invalid_argument);
      CHECK(std::string(e.what()).find("canned ACL") != std::string::npos);
    }
  }
}

TEST_CASE("amz_date converts to an owned std::string", "[time]") {
  // str() views 16 characters of the object, with no terminating NUL; to_string() and the
  // explicit conversion own theirs (AWS's example time, 24 May 2013 00:00:00 UTC).
  const sigv4::amz_date d = sigv4::format_amz_date(when);
  const std::string s = d.to_string();
  CHECK(s == "20130524T000000Z");
  CHECK(std::string(d) == "20130524T000000Z");
  CHECK(std::strlen(s.c_str()) == 16);
  CHECK(d.str().size() == 16);
}

TEST_CASE("presign_batch gives presign()'s URLs and fails per index", "[s3][batch]") {
  namespace d = sigv4::detail;
  const sigv4::credentials with_token(key_id, secret, "token/with+special=chars");
  const sigv4::s3::presigner signers[] = {
      sigv4::s3::presigner("https://s3.us-east-1.amazonaws.com", "us-east-1", sigv4::credentials(key_id, secret)),
      sigv4::s3::presigner("http://127.0.0.1:9000", "eu", with_token, addressing_style::path),  // short region
      sigv4::s3::presigner("https://minio.example.com", "a-region-name-that-is-rather-long-for-a-region",
                           sigv4::credentials(key_id, secret), addressing_style::path, sigv4::s3::key_cache::off)};
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) {
    std::string k = "dir-" + std::to_string(i) + "/";
    for (int j = 0; j < (i * 37) % 200; ++j) k.push_back("abc xyz/+%~="[j % 12]);
    if (i % 5 == 0) k += "\xc3\xa9";  // é
    keys.push_back(k);
  }
  keys[17] = "";                      // refused: empty key
  keys[42] = std::string("\xff\xfe");  // refused: not UTF-8
  std::vector<sigv4::s3::object_request> reqs(keys.size());
  const http_method methods[] = {http_method::get, http_method::put, http_method::head, http_method::delete_};
  for (std::size_t i = 0; i < keys.size(); ++i) {
    reqs[i].bucket = i == 99 ? "Bad_Bucket" : "my-bucket";
    reqs[i].key = keys[i];
    reqs[i].method = methods[i % 4];
    reqs[i].expires = std::chrono::seconds(i == 150 ? 0 : 60 + static_cast<long>(i));  // 150: bad expiry
    if (i % 7 == 3) reqs[i].headers = {{"Content-Type", "image/tiff"}};
    if (i % 11 == 5) reqs[i].query = {{"response-content-disposition", "attachment; filename=\"a b.txt\""}};
  }
  const auto check_all = [&] {
    for (const auto& p : signers) {
      const auto batch = p.presign_batch(reqs, when);
      REQUIRE(batch.size() == reqs.size());
      std::size_t failed = 0;
      std::string joined;
      for (std::size_t i = 0; i < reqs.size(); ++i) {
        INFO("request " << i);
        std::error_code ec;
        const std::string one = p.presign(reqs[i], when, ec);
        if (ec) {
          REQUIRE_FALSE(batch.ok(i));
          REQUIRE(batch.failure(i) != nullptr);
          CHECK(batch.failure(i)->code() == ec);
          CHECK(batch.url(i).empty());
          ++failed;
        } else {
          REQUIRE(batch.ok(i));
          CHECK(batch.failure(i) == nullptr);
          REQUIRE(batch.url(i) == one);
          joined += one;
        }
      }
      CHECK(failed == 4);
      CHECK(batch.failures() == failed);
      CHECK(batch.text() == joined);
    }
  };
  SECTION("the engine the machine chose") { check_all(); }
  SECTION("the fallback block function") {
    const d::sha256_engine was = d::active_sha256_engine();
    REQUIRE(d::use_sha256_engine(d::sha256_engine::fallback));
    check_all();
    d::use_sha256_engine(was);
  }
  SECTION("an empty batch and a batch of one") {
    sigv4::s3::presigned_batch out;
    signers[0].presign_batch(reqs.data(), 0, when, out);
    CHECK(out.size() == 0);
    CHECK(out.text().empty());
    signers[0].presign_batch(reqs.data(), 1, when, out);
    REQUIRE(out.size() == 1);
    CHECK(out.url(0) == signers[0].presign(reqs[0], when));
  }
}
