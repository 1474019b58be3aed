// Each error: the right code, a message that names the problem, never the secret; and the
// std::error_code twins.
#include "catch.hpp"

#include <functional>
#include <string>
#include <system_error>

#include <sigv4/sigv4.hpp>

namespace {

const char* const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

sigv4::http_request good_request() {
  sigv4::http_request r;
  r.method = "GET";
  r.path = "/bucket/key";
  r.headers = {{"Host", "example.amazonaws.com"}};
  return r;
}

sigv4::signing_options good_options() {
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "s3";
  return o;
}

const sigv4::time_point when = sigv4::parse_amz_date("20150830T123600Z");

// Runs f, which must throw sigv4::error with `code` and a message holding `needle`.
void expect_error(const std::function<void()>& f, sigv4::errc code, const std::string& needle) {
  try {
    f();
    FAIL("no error thrown; expected " << sigv4::make_error_code(code).message());
  } catch (const sigv4::error& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(e.code() == sigv4::make_error_code(code));
    CHECK(what.find(needle) != std::string::npos);
    CHECK(what.find(secret) == std::string::npos);
    CHECK(what.find("wJalrXUtnFEMI") == std::string::npos);
  }
}

}  // namespace

TEST_CASE("the error category names every code", "[errors]") {
  CHECK(std::string(sigv4::error_category().name()) == "sigv4");
  for (int i = 1; i <= static_cast<int>(sigv4::errc::invalid_ip_address); ++i) {
    INFO(i);
    const std::string m = sigv4::make_error_code(static_cast<sigv4::errc>(i)).message();
    CHECK_FALSE(m.empty());
    CHECK(m != "unknown sigv4 error");
  }
  const std::error_code ec = sigv4::errc::invalid_expiry;  // implicit, via is_error_code_enum
  CHECK(ec.category() == sigv4::error_category());
}

TEST_CASE("bad requests are refused with their own error", "[errors]") {
  const sigv4::credentials creds("AKIDEXAMPLE", secret);
  const auto sign_with = [&](sigv4::http_request r, sigv4::signing_options o) {
    return [=, &creds]() mutable { sigv4::sign_headers(r, creds, o, when); };
  };
  auto r = good_request();
  auto o = good_options();

  r = good_request(), r.method = "GE T";
  expect_error(sign_with(r, o), sigv4::errc::invalid_method, "GE T");
  r = good_request(), r.method = "";
  expect_error(sign_with(r, o), sigv4::errc::invalid_method, "method");
  r = good_request(), r.path = "bucket/key";
  expect_error(sign_with(r, o), sigv4::errc::invalid_path, "does not start with '/'");
  r = good_request(), r.query = "a=%zz";
  expect_error(sign_with(r, o), sigv4::errc::invalid_query, "%zz");
  r = good_request(), r.headers.push_back({"X-Bad\r\nInjected", "v"});
  expect_error(sign_with(r, o), sigv4::errc::invalid_header_name, "not an HTTP token");
  r = good_request(), r.headers.push_back({"X-Meta", "v\r\nInjected: 1"});
  expect_error(sign_with(r, o), sigv4::errc::invalid_header_value, "CR or LF");
  r = good_request(), r.headers.push_back({"X-Meta", std::string("a\0b", 3)});
  expect_error(sign_with(r, o), sigv4::errc::invalid_header_value, "NUL");
  r = good_request(), r.headers.clear();
  expect_error(sign_with(r, o), sigv4::errc::missing_host_header, "Host");
  r = good_request(), o.region = "";
  expect_error(sign_with(r, o), sigv4::errc::invalid_region, "region");
  o = good_options(), o.region = "us/east";
  expect_error(sign_with(r, o), sigv4::errc::invalid_region, "us/east");
  o = good_options(), o.service = "s 3";
  expect_error(sign_with(r, o), sigv4::errc::invalid_service, "s 3");
}

TEST_CASE("presign refuses bad expiry and an already presigned query", "[errors]") {
  const sigv4::credentials creds("AKIDEXAMPLE", secret);
  for (long long s : {0LL, -1LL, 604801LL}) {
    auto r = good_request();
    auto o = good_options();
    o.expires = std::chrono::seconds(s);
    expect_error([&] { sigv4::presign(r, creds, o, when); }, sigv4::errc::invalid_expiry, std::to_string(s));
  }
  auto r = good_request();
  auto o = good_options();
  o.expires = std::chrono::seconds(604800);
  CHECK_NOTHROW(sigv4::presign(r, creds, o, when));
  expect_error([&] { sigv4::presign(r, creds, o, when); }, sigv4::errc::invalid_query, "X-Amz-");
}

TEST_CASE("credentials, dates and payload hashes are checked", "[errors]") {
  expect_error([] { sigv4::credentials("", secret); }, sigv4::errc::invalid_credentials, "access key id");
  expect_error([] { sigv4::credentials("AKID/X", secret); }, sigv4::errc::invalid_credentials, "access key id");
  expect_error([] { sigv4::credentials("AKID", ""); }, sigv4::errc::invalid_credentials, "secret");
  expect_error([] { sigv4::credentials("AKID", secret, "tok\nen"); }, sigv4::errc::invalid_credentials, "session token");
  for (const char* bad : {"", "20150830", "20150830T123600", "2015-08-30T12:36:00Z", "20150230T000000Z",
                          "20151301T000000Z", "20150830T240000Z", "20150830T126000Z", "20150830T123660Z",
                          "2015083OT123600Z"}) {
    INFO(bad);
    expect_error([&] { sigv4::parse_amz_date(bad); }, sigv4::errc::invalid_date, "YYYYMMDDTHHMMSSZ");
  }
  expect_error([] { sigv4::payload_hash::precomputed("abc"); }, sigv4::errc::invalid_payload_hash, "64 hex digits");
  expect_error([] { sigv4::payload_hash::precomputed(std::string(64, 'g')); }, sigv4::errc::invalid_payload_hash,
               "64 hex digits");
}

TEST_CASE("std::error_code twins report instead of throwing", "[errors]") {
  const sigv4::credentials creds("AKIDEXAMPLE", secret);
  std::error_code ec;
  auto r = good_request();
  r.headers.push_back({"X", "a\nb"});
  const auto res = sigv4::sign_headers(r, creds, good_options(), when, ec);
  CHECK(ec == sigv4::errc::invalid_header_value);
  CHECK(res.signature.empty());
  CHECK(r.headers.size() == 2);  // the request is left as it was

  auto o = good_options();
  o.expires = std::chrono::seconds(0);
  auto r2 = good_request();
  sigv4::presign(r2, creds, o, when, ec);
  CHECK(ec == sigv4::errc::invalid_expiry);
  CHECK(r2.query.empty());

  sigv4::parse_amz_date("nope", ec);
  CHECK(ec == sigv4::errc::invalid_date);
  const auto t = sigv4::parse_amz_date("20150830T123600Z", ec);
  CHECK_FALSE(ec);
  CHECK(sigv4::format_amz_date(t).str() == "20150830T123600Z");
}

TEST_CASE("messages quote input safely", "[errors]") {
  const std::string q = sigv4::detail::quote_input(std::string("a\r\n'\\") + std::string(100, 'x'));
  CHECK(q.find('\r') == std::string::npos);
  CHECK(q.find('\n') == std::string::npos);
  CHECK(q.substr(0, 20) == "'a\\x0d\\x0a\\x27\\x5cxx");
  CHECK(q.size() < 100);
}
