// sigv4/s3_multipart.hpp: the UploadId of an InitiateMultipartUploadResult, the
// CompleteMultipartUpload body, and S3's <Error> answer. The valid inputs are the examples of
// S3's API reference; the rules (part numbers 1 to 10,000, ascending, each with its ETag; the
// error document's Code, Message, RequestId) are the ones it documents:
//   https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
//   https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
//   https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
//   https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
#include "catch.hpp"

#include <sigv4/s3_multipart.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace {

using sigv4::errc;
using sigv4::s3::completed_part;

// The example answer of the CreateMultipartUpload page.
constexpr std::string_view aws_initiate_example =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
    "  <Bucket>example-bucket</Bucket>\n"
    "  <Key>example-object</Key>\n"
    "  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>\n"
    "</InitiateMultipartUploadResult>";

// The example of the Error responses page.
constexpr std::string_view aws_error_example =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Error>\n"
    "  <Code>NoSuchKey</Code>\n"
    "  <Message>The resource you requested does not exist</Message>\n"
    "  <Resource>/mybucket/myfoto.jpg</Resource>\n"
    "  <RequestId>4442587FB7D0A2F9</RequestId>\n"
    "</Error>";

std::string initiate_with(std::string_view upload_id_element) {
  return "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket>"
         "<Key>k</Key>" +
         std::string(upload_id_element) + "</InitiateMultipartUploadResult>";
}

bool has(const std::string& text, std::string_view word) { return text.find(word) != std::string::npos; }

errc code_of(const sigv4::error& e) { return static_cast<errc>(e.code().value()); }

template <class F>
std::string refusal(F&& f, errc want) {
  try {
    f();
  } catch (const sigv4::error& e) {
    CHECK(code_of(e) == want);
    return e.what();
  }
  FAIL_CHECK("no sigv4::error was thrown");
  return "<no error>";
}

}  // namespace

TEST_CASE("parse_upload_id: the example answer of CreateMultipartUpload", "[s3_multipart]") {
  CHECK(sigv4::s3::parse_upload_id(aws_initiate_example) ==
        "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
}

TEST_CASE("parse_upload_id: the forms S3, MinIO and RGW answer with", "[s3_multipart]") {
  // no declaration, no namespace, no whitespace
  CHECK(sigv4::s3::parse_upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                                   "<UploadId>abc</UploadId></InitiateMultipartUploadResult>") == "abc");
  // RGW's 2~ ids, MinIO's UUID-like ids with dots and dashes, base64 with + / =
  CHECK(sigv4::s3::parse_upload_id(initiate_with("<UploadId>2~Kx0sJsdsnE8yHDkZpEZ3VJGvTq8uxEX</UploadId>")) ==
        "2~Kx0sJsdsnE8yHDkZpEZ3VJGvTq8uxEX");
  CHECK(sigv4::s3::parse_upload_id(initiate_with(
            "<UploadId>ZjdhYjA1.YmUtNzI0Mi00ZDk-xYjVhLWY4NTJlZGQ3MmQzZQ</UploadId>")) ==
        "ZjdhYjA1.YmUtNzI0Mi00ZDk-xYjVhLWY4NTJlZGQ3MmQzZQ");
  CHECK(sigv4::s3::parse_upload_id(initiate_with("<UploadId>a+b/c=</UploadId>")) == "a+b/c=");
  // whitespace around the document: S3 may send some before a late answer
  CHECK(sigv4::s3::parse_upload_id("\r\n  " + initiate_with("<UploadId>abc</UploadId>") + "\n") == "abc");
}

TEST_CASE("parse_upload_id: XML entities are decoded, unknown ones refused", "[s3_multipart]") {
  CHECK(sigv4::s3::parse_upload_id(initiate_with("<UploadId>a&amp;b&lt;c&gt;d</UploadId>")) == "a&b<c>d");
  CHECK(sigv4::s3::parse_upload_id(initiate_with("<UploadId>&#65;&#x42;c</UploadId>")) == "ABc");
  refusal([] { sigv4::s3::parse_upload_id(initiate_with("<UploadId>a&nbsp;b</UploadId>")); }, errc::invalid_request);
  refusal([] { sigv4::s3::parse_upload_id(initiate_with("<UploadId>a&amp b</UploadId>")); }, errc::invalid_request);
  refusal([] { sigv4::s3::parse_upload_id(initiate_with("<UploadId>&#xZZ;</UploadId>")); }, errc::invalid_request);
}

TEST_CASE("parse_upload_id: a missing, empty, repeated or malformed UploadId is refused", "[s3_multipart]") {
  CHECK(has(refusal([] { sigv4::s3::parse_upload_id(initiate_with("")); }, errc::invalid_request), "no UploadId"));
  CHECK(has(refusal([] { sigv4::s3::parse_upload_id(initiate_with("<UploadId></UploadId>")); }, errc::invalid_request), "no UploadId"));
  CHECK(has(refusal([] { sigv4::s3::parse_upload_id(initiate_with("<UploadId>a</UploadId><UploadId>b</UploadId>")); },
                     errc::invalid_request), "more than once"));
  CHECK(has(refusal([] { sigv4::s3::parse_upload_id(initiate_with("<UploadId x=\"1\">a</UploadId>")); },
                     errc::invalid_request), "attributes"));
  CHECK(has(refusal([] { sigv4::s3::parse_upload_id(initiate_with("<UploadId><b>a</b></UploadId>")); },
                     errc::invalid_request), "markup"));
  CHECK(has(refusal([] { sigv4::s3::parse_upload_id(initiate_with("<UploadId>abc")); }, errc::invalid_request), "not closed"));
  for (const char* bad : {"<UploadId> abc</UploadId>", "<UploadId>a b</UploadId>", "<UploadId>a\nb</UploadId>",
                          "<UploadId>a&#9;b</UploadId>", "<UploadId>a&#127;</UploadId>"}) {
    INFO(bad);
    CHECK(has(refusal([&] { sigv4::s3::parse_upload_id(initiate_with(bad)); }, errc::invalid_request), "whitespace or a control character"));
  }
}

TEST_CASE("parse_upload_id: only an InitiateMultipartUploadResult document is read", "[s3_multipart]") {
  // another answer that holds an UploadId (ListMultipartUploads)
  CHECK(has(refusal(
                 [] {
                   sigv4::s3::parse_upload_id(
                       "<ListMultipartUploadsResult><Upload><UploadId>abc</UploadId></Upload></ListMultipartUploadsResult>");
                 },
                 errc::invalid_request), "not an InitiateMultipartUploadResult"));
  for (std::string_view bad : {std::string_view(""), std::string_view("UploadId abc"),
                               std::string_view("<html><body>502 Bad Gateway</body></html>")}) {
    INFO(bad);
    refusal([&] { sigv4::s3::parse_upload_id(bad); }, errc::invalid_request);
  }
  // an UploadId outside the document's element, a truncated document, content after it
  CHECK(has(refusal(
                 [] {
                   sigv4::s3::parse_upload_id(
                       "<InitiateMultipartUploadResult></InitiateMultipartUploadResult><UploadId>abc</UploadId>");
                 },
                 errc::invalid_request), "after"));
  CHECK(has(refusal([] { sigv4::s3::parse_upload_id("<InitiateMultipartUploadResult><UploadId>abc</UploadId>"); },
                     errc::invalid_request), "not closed"));
  refusal([] { sigv4::s3::parse_upload_id("<InitiateMultipartUploadResultX><UploadId>abc</UploadId></InitiateMultipartUploadResultX>"); },
          errc::invalid_request);
  CHECK(has(refusal([] { sigv4::s3::parse_upload_id("<UploadId>abc</UploadId>"); }, errc::invalid_request), "not an InitiateMultipartUploadResult"));
}

TEST_CASE("parse_upload_id: an <Error> answer is reported with its Code and Message", "[s3_multipart]") {
  const std::string what = refusal(
      [] {
        sigv4::s3::parse_upload_id("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                                   "<Message>Access Denied</Message><RequestId>R1</RequestId></Error>");
      },
      errc::invalid_request);
  CHECK(has(what, "'AccessDenied'"));
  CHECK(has(what, "'Access Denied'"));
}

TEST_CASE("complete_multipart_body: the request body of CompleteMultipartUpload", "[s3_multipart]") {
  // the shape of the page's request syntax, without its indentation
  const std::vector<completed_part> parts = {{1, "\"a54357aff0632cce46d942af68356b38\""},
                                             {2, "\"0c78aef83f66abc1fa1e8477f296d394\""},
                                             {3, "\"acbd18db4cc2f85cedef654fccc4a4d8\""}};
  CHECK(sigv4::s3::complete_multipart_body(parts) ==
        "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<Part><PartNumber>1</PartNumber><ETag>\"a54357aff0632cce46d942af68356b38\"</ETag></Part>"
        "<Part><PartNumber>2</PartNumber><ETag>\"0c78aef83f66abc1fa1e8477f296d394\"</ETag></Part>"
        "<Part><PartNumber>3</PartNumber><ETag>\"acbd18db4cc2f85cedef654fccc4a4d8\"</ETag></Part>"
        "</CompleteMultipartUpload>");
}

TEST_CASE("complete_multipart_body: gaps and the range ends 1 and 10000 are fine", "[s3_multipart]") {
  const std::string body = sigv4::s3::complete_multipart_body({{1, "\"e1\""}, {7, "\"e7\""}, {10000, "\"eX\""}});
  CHECK(body.find("<Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part>"
                  "<Part><PartNumber>7</PartNumber><ETag>\"e7\"</ETag></Part>"
                  "<Part><PartNumber>10000</PartNumber><ETag>\"eX\"</ETag></Part>") != std::string::npos);
  std::vector<completed_part> all;
  for (int n = 1; n <= 10000; ++n) all.push_back({n, "\"etag-" + std::to_string(n) + "\""});
  const std::string big = sigv4::s3::complete_multipart_body(all);
  std::size_t count = 0;
  for (std::size_t at = big.find("<Part>"); at != std::string::npos; at = big.find("<Part>", at + 1)) ++count;
  CHECK(count == 10000);
  // multipart ETags ("md5-N") and bare ones (no quotes) go through unchanged
  CHECK(sigv4::s3::complete_multipart_body({{1, "\"3858f62230ac3c915f300c664312c11f-9\""}, {2, "abc"}})
            .find("<ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></Part><Part><PartNumber>2</PartNumber>"
                  "<ETag>abc</ETag>") != std::string::npos);
}

TEST_CASE("complete_multipart_body: part numbers out of range or out of order are refused", "[s3_multipart]") {
  for (int bad : {0, -1, 10001, 2147483647}) {
    INFO(bad);
    CHECK(has(refusal([&] { sigv4::s3::complete_multipart_body({{bad, "\"e\""}}); }, errc::invalid_argument), "not 1 to 10000"));
  }
  CHECK(has(refusal([] { sigv4::s3::complete_multipart_body({{2, "\"a\""}, {1, "\"b\""}}); }, errc::invalid_argument), "ascending"));
  CHECK(has(refusal([] { sigv4::s3::complete_multipart_body({{1, "\"a\""}, {1, "\"b\""}}); }, errc::invalid_argument), "ascending"));
  CHECK(has(refusal([] { sigv4::s3::complete_multipart_body({{1, "\"a\""}, {3, "\"b\""}, {2, "\"c\""}}); },
                     errc::invalid_argument), "part number 2 comes after part 3"));
  CHECK(has(refusal([] { sigv4::s3::complete_multipart_body({}); }, errc::invalid_argument), "at least one part"));
}

TEST_CASE("complete_multipart_body: ETags are escaped, empty or control characters refused", "[s3_multipart]") {
  CHECK(sigv4::s3::complete_multipart_body({{1, "a&b<c>d\"e'f\tg"}}).find("<ETag>a&amp;b&lt;c&gt;d\"e'f\tg</ETag>") !=
        std::string::npos);
  CHECK(has(refusal([] { sigv4::s3::complete_multipart_body({{1, ""}}); }, errc::invalid_argument), "part 1 has no ETag"));
  for (const char* bad : {"\"a\nb\"", "\"a\rb\"", "a\x01"}) {
    INFO(bad);
    CHECK(has(refusal([&] { sigv4::s3::complete_multipart_body({{1, bad}}); }, errc::invalid_argument), "control character"));
  }
}

TEST_CASE("parse_s3_error: the example of S3's error responses", "[s3_multipart]") {
  const auto e = sigv4::s3::parse_s3_error(aws_error_example);
  REQUIRE(e);
  CHECK(e->code == "NoSuchKey");
  CHECK(e->message == "The resource you requested does not exist");
  CHECK(e->request_id == "4442587FB7D0A2F9");
}

TEST_CASE("parse_s3_error: Message and RequestId are optional, entities decoded", "[s3_multipart]") {
  const auto e = sigv4::s3::parse_s3_error("<Error><Code>SlowDown</Code></Error>");
  REQUIRE(e);
  CHECK(e->code == "SlowDown");
  CHECK(e->message.empty());
  CHECK(e->request_id.empty());
  const auto q = sigv4::s3::parse_s3_error("<Error><Code>InvalidArgument</Code><Message>&quot;x&quot; &amp; "
                                           "&apos;y&apos;</Message></Error>");
  REQUIRE(q);
  CHECK(q->message == "\"x\" & 'y'");
}

TEST_CASE("parse_s3_error: an error inside a 200 answer of CompleteMultipartUpload", "[s3_multipart]") {
  // S3 sends whitespace while it works, then the result or an <Error> (the page says so)
  const auto e = sigv4::s3::parse_s3_error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n   \n  \n<Error><Code>InternalError</Code>"
      "<Message>We encountered an internal error. Please try again.</Message><RequestId>656c76696e6727732072657175657374</RequestId></Error>");
  REQUIRE(e);
  CHECK(e->code == "InternalError");
  CHECK(e->request_id == "656c76696e6727732072657175657374");
}

TEST_CASE("parse_s3_error: other documents are no error", "[s3_multipart]") {
  CHECK_FALSE(sigv4::s3::parse_s3_error(aws_initiate_example));
  CHECK_FALSE(sigv4::s3::parse_s3_error(""));
  CHECK_FALSE(sigv4::s3::parse_s3_error("<html><body>502 Bad Gateway</body></html>"));
  CHECK_FALSE(sigv4::s3::parse_s3_error(
      "<CompleteMultipartUploadResult><Location>http://b/k</Location><Bucket>b</Bucket><Key>k</Key>"
      "<ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></CompleteMultipartUploadResult>"));
}

TEST_CASE("parse_s3_error: a malformed <Error> is refused", "[s3_multipart]") {
  CHECK(has(refusal([] { sigv4::s3::parse_s3_error("<Error><Message>m</Message></Error>"); }, errc::invalid_request), "no <Code>"));
  refusal([] { sigv4::s3::parse_s3_error("<Error><Code></Code></Error>"); }, errc::invalid_request);
  CHECK(has(refusal([] { sigv4::s3::parse_s3_error("<Error><Code>A</Code><Code>B</Code></Error>"); },
                     errc::invalid_request), "more than once"));
  refusal([] { sigv4::s3::parse_s3_error("<Error><Code>A&bogus;</Code></Error>"); }, errc::invalid_request);
  refusal([] { sigv4::s3::parse_s3_error("<Error><Code><x/>A</Code></Error>"); }, errc::invalid_request);
  CHECK(has(refusal([] { sigv4::s3::parse_s3_error("<Error><Code>NoSuchUpload</Code>"); }, errc::invalid_request), "not closed"));
  // a Code that is not the error's own
  CHECK(has(refusal([] { sigv4::s3::parse_s3_error("<Error></Error><Code>NoSuchUpload</Code>"); },
                     errc::invalid_request), "after"));
}
