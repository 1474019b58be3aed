// The step functions one by one: canonical URI, query, headers, request, string to sign.
#include "catch.hpp"

#include <string>
#include <vector>

#include <sigv4/sigv4.hpp>

using sigv4::path_rules;

TEST_CASE("canonical URI, S3 rules: verbatim, encoded once", "[canonical][uri]") {
  CHECK(sigv4::canonical_uri("", path_rules::s3) == "/");
  CHECK(sigv4::canonical_uri("/", path_rules::s3) == "/");
  CHECK(sigv4::canonical_uri("/bucket/a//b", path_rules::s3) == "/bucket/a//b");
  CHECK(sigv4::canonical_uri("/bucket/./x/../y", path_rules::s3) == "/bucket/./x/../y");
  CHECK(sigv4::canonical_uri("//leading", path_rules::s3) == "//leading");
  CHECK(sigv4::canonical_uri("/a b/c+d%e&f=g~h", path_rules::s3) == "/a%20b/c%2Bd%25e%26f%3Dg~h");
  CHECK(sigv4::canonical_uri("/test$file.text", path_rules::s3) == "/test%24file.text");
}

TEST_CASE("canonical URI, generic rules: normalised, then encoded", "[canonical][uri]") {
  struct row {
    const char* in;
    const char* out;
  };
  // Expectations from the AWS suite's *-normalized cases and RFC 3986 section 5.2.4.
  const row rows[] = {
      {"/", "/"},
      {"//", "/"},
      {"//example//", "/example/"},
      {"/./", "/"},
      {"/./example", "/example"},
      {"/example/..", "/"},
      {"/example1/example2/../..", "/"},
      {"/a/b/../c", "/a/c"},
      {"/a/b/..", "/a/"},
      {"/a/b/.", "/a/b/"},
      {"/../../a", "/a"},
      {"/example space/", "/example%20space/"},
      {"/a%20b", "/a%2520b"},  // the wire path is encoded again: AWS's double encoding
  };
  for (const auto& r : rows) {
    INFO(r.in);
    CHECK(sigv4::canonical_uri(r.in, path_rules::generic) == r.out);
  }
}

TEST_CASE("canonical query: decoded, re-encoded, sorted by name then value", "[canonical][query]") {
  CHECK(sigv4::canonical_query("") == "");
  CHECK(sigv4::canonical_query("b=2&a=1") == "a=1&b=2");
  // repeated names sort by value; empty values and missing '=' both give "name="
  CHECK(sigv4::canonical_query("k=z&k=a&k=&k") == "k=&k=&k=a&k=z");
  CHECK(sigv4::canonical_query("flag&x=1") == "flag=&x=1");
  // sorting is by encoded bytes: upper case before lower case, '%' before letters
  CHECK(sigv4::canonical_query("Param-3=Value3&Param=Value2&%E1%88%B4=Value1") ==
        "%E1%88%B4=Value1&Param=Value2&Param-3=Value3");
  CHECK(sigv4::canonical_query("b=1&B=2&a=3") == "B=2&a=3&b=1");
  // equivalent encodings give one canonical form
  CHECK(sigv4::canonical_query("a=%7e%2f%20") == "a=~%2F%20");
  CHECK(sigv4::canonical_query("a=~/ ") == "a=~%2F%20");
  CHECK(sigv4::canonical_query("&&a=1&&") == "a=1");
  CHECK(sigv4::canonical_query("a==b") == "a=%3Db");
}

// How S3 and MinIO read a received query: MinIO (cmd/signature-v4.go, getCanonicalRequest and
// doesPresignedSignatureMatch) takes the parameters from Go's url.ParseQuery, which decodes
// '+' as a space and keeps everything after the first '=' as the value, re-encodes them with
// url.Values.Encode and replaces the '+' it writes for a space with "%20". botocore's
// SigV4QueryAuth reads a URL's query with urllib's parse_qs, which does the same. So a raw
// '+' signs as %20 and only "%2B" is a plus.
TEST_CASE("raw query: '+' is a space, a value runs from the first '='", "[canonical][query]") {
  CHECK(sigv4::canonical_query("a=x+y") == "a=x%20y");
  CHECK(sigv4::canonical_query("a=x%2By") == "a=x%2By");
  CHECK(sigv4::canonical_query("a=x%2by") == "a=x%2By");
  CHECK(sigv4::canonical_query("a+b=1") == "a%20b=1");
  CHECK(sigv4::canonical_query("a=x+%20+y") == "a=x%20%20%20y");
  CHECK(sigv4::canonical_query("response-content-type=text/plain+x") == "response-content-type=text%2Fplain%20x");
  CHECK(sigv4::canonical_query("response-content-type=a=b") == "response-content-type=a%3Db");
  CHECK(sigv4::canonical_query("k=+") == "k=%20");

  const auto parsed = sigv4::parse_query("ct=text/plain+x&eq=b=c&plus=%2B&space=%20&sp+ace=1&empty=&flag");
  REQUIRE(parsed.size() == 7);
  CHECK(parsed[0].value == "text/plain x");
  CHECK(parsed[1].name == "eq");
  CHECK(parsed[1].value == "b=c");
  CHECK(parsed[2].value == "+");
  CHECK(parsed[3].value == " ");
  CHECK(parsed[4].name == "sp ace");
  CHECK(parsed[5].value.empty());
  CHECK(parsed[6].name == "flag");
  CHECK(parsed[6].value.empty());

  for (const char* bad : {"a=%", "a=%2", "a=%zz", "%g0=1", "a=+%"}) {
    INFO(bad);
    try {
      sigv4::parse_query(bad);
      FAIL("no error");
    } catch (const sigv4::error& e) {
      CHECK(e.code() == sigv4::errc::invalid_query);
    }
  }
}

// The signer reads a raw query with the same decoder as the verifier: a request signed with a
// '+' in its query is the request the verifier (and S3 / MinIO, see above) checks.
TEST_CASE("sign_headers and presign read '+' in a raw query as a space", "[canonical][query]") {
  const sigv4::credentials creds("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  const auto at = sigv4::parse_amz_date("20150830T123600Z");
  sigv4::signing_options opt;
  opt.service = "s3";
  opt.region = "us-east-1";
  opt.path = path_rules::s3;
  opt.payload = sigv4::payload_hash::unsigned_payload();
  sigv4::http_request plus, space;
  plus.path = space.path = "/b/k";
  plus.headers = space.headers = {{"Host", "example.com"}};
  plus.query = "response-content-type=text/plain+x";
  space.query = "response-content-type=text%2Fplain%20x";
  sigv4::http_request plus_h = plus, space_h = space;
  const auto a = sigv4::presign(plus, creds, opt, at);
  const auto b = sigv4::presign(space, creds, opt, at);
  CHECK(a.canonical_request == b.canonical_request);
  CHECK(a.signature == b.signature);
  const auto c = sigv4::sign_headers(plus_h, creds, opt, at);
  const auto d = sigv4::sign_headers(space_h, creds, opt, at);
  CHECK(c.canonical_request.find("\nresponse-content-type=text%2Fplain%20x\n") != std::string::npos);
  CHECK(c.signature == d.signature);
}

TEST_CASE("canonical query from decoded parameters", "[canonical][query]") {
  const std::vector<sigv4::query_param> params = {
      {"response-content-disposition", "attachment; filename=\"r.tif\""}, {"versionId", "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"}};
  CHECK(sigv4::canonical_query(params) ==
        "response-content-disposition=attachment%3B%20filename%3D%22r.tif%22&"
        "versionId=3%2FL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY");
  const auto parsed = sigv4::parse_query("a=1&b&c=%41");
  REQUIRE(parsed.size() == 3);
  CHECK(parsed[1].name == "b");
  CHECK(parsed[1].value.empty());
  CHECK(parsed[2].value == "A");
}

TEST_CASE("canonical headers: lower-case, trim, collapse, join repeats in order, sort", "[canonical][headers]") {
  const std::vector<sigv4::header> headers = {
      {"Host", "example.amazonaws.com"},
      {"My-Header1", "value4"},
      {"My-Header1", "  value1 "},
      {"X-Quoted", "\"a   b \t c\""},
      {"my-header1", "value3"},
      {"Empty", ""},
      {"my-header1", "value2"},
      {"Folded", "value1 value2     value3"},
  };
  const auto r = sigv4::canonical_headers(headers);
  CHECK(r.canonical ==
        "empty:\n"
        "folded:value1 value2 value3\n"
        "host:example.amazonaws.com\n"
        "my-header1:value4,value1,value3,value2\n"
        "x-quoted:\"a b c\"\n");
  CHECK(r.signed_headers == "empty;folded;host;my-header1;x-quoted");
}

TEST_CASE("header values: trimmed and collapsed like botocore's ' '.join(value.split(' \\t'))", "[canonical][headers]") {
  // the reference: split on spaces and tabs, drop the empty pieces, join with one space
  const auto reference = [](const std::string& v) {
    std::string out, word;
    for (char c : v + " ") {
      if (c == ' ' || c == '\t') {
        if (!word.empty()) out += (out.empty() ? "" : " ") + word;
        word.clear();
      } else {
        word += c;
      }
    }
    return out;
  };
  const char alphabet[] = {'a', 'b', ' ', ' ', '\t', 'c'};
  std::vector<std::string> values = {"", " ", "\t", "a", " a", "a ", "a  b", "a\tb", "a \t b", "  a  b  ", "a b c"};
  unsigned state = 17;
  for (int i = 0; i < 2000; ++i) {  // every short mix of letters, spaces and tabs, at random
    std::string v;
    const unsigned len = (state = state * 1103515245u + 12345u) >> 28;
    for (unsigned j = 0; j < len; ++j) v.push_back(alphabet[((state = state * 1103515245u + 12345u) >> 16) % 6]);
    values.push_back(v);
  }
  for (const std::string& v : values) {
    INFO("value '" << v << "'");
    std::string out = "x:";
    sigv4::detail::append_trimmed_value(out, v);
    CHECK(out == "x:" + reference(v));
  }
}

TEST_CASE("canonical request and string to sign", "[canonical]") {
  const std::string cr = sigv4::canonical_request("GET", "/", "", "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n",
                                                  "host;x-amz-date", sigv4::payload_hash::empty().value());
  CHECK(cr ==
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // get-vanilla from the AWS suite
  CHECK(sigv4::string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", cr) ==
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  CHECK((sigv4::credential_scope{"20150830", "us-east-1", "service"}.str()) == "20150830/us-east-1/service/aws4_request");
}

TEST_CASE("payload hashes", "[canonical]") {
  CHECK(sigv4::payload_hash::empty().value() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sigv4::payload_hash::of("Param1=value1").value() ==
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  CHECK(sigv4::payload_hash::unsigned_payload().value() == "UNSIGNED-PAYLOAD");
  CHECK(sigv4::payload_hash::unsigned_payload().is_unsigned());
  CHECK(sigv4::payload_hash::precomputed("9095672BBD1F56DFC5B65F3E153ADC8731A4A654192329106275F4C7B24D0B6E").value() ==
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
}

TEST_CASE("X-Amz-Date formatting and parsing", "[time]") {
  using namespace std::chrono;
  const auto t = sigv4::parse_amz_date("20150830T123600Z");
  CHECK(duration_cast<seconds>(t.time_since_epoch()).count() == 1440938160);  // date -d 2015-08-30T12:36:00Z +%s
  CHECK(sigv4::format_amz_date(t).str() == "20150830T123600Z");
  CHECK(sigv4::format_amz_date(t).date() == "20150830");
  CHECK(sigv4::format_amz_date(t + milliseconds(999)).str() == "20150830T123600Z");
  CHECK(sigv4::format_amz_date(sigv4::time_point{}).str() == "19700101T000000Z");
  CHECK(sigv4::format_amz_date(sigv4::parse_amz_date("20240229T235959Z")).str() == "20240229T235959Z");
  CHECK(sigv4::format_amz_date(sigv4::parse_amz_date("19691231T235959Z")).str() == "19691231T235959Z");
  CHECK(duration_cast<seconds>(sigv4::parse_amz_date("20380119T031408Z").time_since_epoch()).count() == 2147483648LL);
}
