// STS: the signed form requests and the strict parser of their XML answer.
#include "catch.hpp"

#include <sigv4/sts.hpp>

using namespace std::chrono_literals;

namespace {
// The GetSessionToken answer shown in the AWS STS API Reference.
const char* const aws_example = R"(<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetSessionTokenResult>
    <Credentials>
      <SessionToken>AQoEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5TthT+FvwqnKwRcOIfrRh3c/LTo6UDdyJwOOvEVPvLXCrrrUtdnniCEXAMPLE/IvU1dYUg2RVAJBanLiHb4IgRmpRV3zrkuWJOgQs8IZZaIv2BXIa2R4OlgkBN9bkUDNCJiBeb/AXlzBBko7b15fjrBs2+cTQtpZ3CYWFXG8C5zqx37wnOE49mRl/+OtkIKGO7fAE</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>2011-07-11T19:55:29.611Z</Expiration>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
  </GetSessionTokenResult>
  <ResponseMetadata>
    <RequestId>58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId>
  </ResponseMetadata>
</GetSessionTokenResponse>)";

const sigv4::time_point when = sigv4::parse_amz_date("20260301T120000Z");
const sigv4::credentials caller("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

std::string with(std::string doc, const std::string& from, const std::string& to) {
  doc.replace(doc.find(from), from.size(), to);
  return doc;
}

// The whole <SessionToken> element of aws_example.
std::string aws_example_token_element() {
  const std::string doc = aws_example;
  const std::size_t a = doc.find("<SessionToken>");
  const std::size_t b = doc.find("</SessionToken>") + std::string("</SessionToken>").size();
  return doc.substr(a, b - a);
}

std::string header_value(const sigv4::http_request& r, const std::string& name) {
  for (const auto& h : r.headers)
    if (sigv4::detail::iequals(h.name, name)) return h.value;
  return {};
}
}  // namespace

TEST_CASE("the AWS example answer parses into temporary credentials", "[sts]") {
  const auto c = sigv4::sts::parse_credentials_response(aws_example);
  CHECK(c.access_key_id() == "ASIAIOSFODNN7EXAMPLE");
  CHECK(c.secret_access_key() == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  CHECK(c.session_token().rfind("AQoEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5TthT+Fvwq", 0) == 0);
  REQUIRE(c.expiration());
  // date -u -d 2011-07-11T19:55:29Z +%s = 1310414129, plus 611 ms
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(c.expiration()->time_since_epoch()).count() ==
        1310414129611LL);
}

TEST_CASE("entities are decoded; malformed answers are refused", "[sts]") {
  const auto c = sigv4::sts::parse_credentials_response(
      with(aws_example, "<AccessKeyId>ASIAIOSFODNN7EXAMPLE<", "<AccessKeyId>ASIA&amp;&#x41;&#66;<"));
  CHECK(c.access_key_id() == "ASIA&AB");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"no credentials", with(aws_example, "<Credentials>", "<Creds>")},
      {"missing key id", with(aws_example, "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>", "")},
      {"empty secret", with(aws_example, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", "")},
      {"bad expiration", with(aws_example, "2011-07-11T19:55:29.611Z", "tomorrow")},
      {"repeated token", with(aws_example, "<Expiration>", "<SessionToken>x</SessionToken><Expiration>")},
      {"unknown entity", with(aws_example, "ASIAIOSFODNN7EXAMPLE", "ASIA&bogus;")},
      {"markup inside", with(aws_example, "ASIAIOSFODNN7EXAMPLE", "ASIA<b>x</b>")},
      {"unclosed", with(aws_example, "</SecretAccessKey>", "")},
      {"empty", ""},
  };
  for (const auto& [what, doc] : bad) {
    INFO(what);
    try {
      sigv4::sts::parse_credentials_response(doc);
      FAIL("accepted");
    } catch (const sigv4::error& e) {
      CHECK(e.code() == sigv4::errc::invalid_sts_response);
      CHECK(std::string(e.what()).find("wJalrXUtnFEMI") == std::string::npos);
    }
  }
}

// Every way parse_credentials_response can refuse an answer, each with the element it names.
// The element tables come from the STS API reference (GetSessionToken, AssumeRole: one
// <Credentials> with AccessKeyId, SecretAccessKey, SessionToken, Expiration). Several break
// the answer after the secret has been read (a later element missing, empty, repeated or
// malformed), or part-way through decoding it: the paths where it used to be freed unwiped.
// That no copy of it survives any of them is checked by tests/sts_wipe_test.cpp.
TEST_CASE("every refusal of an STS answer names what is wrong and never the secret", "[sts]") {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
  const std::string secret_el = "<SecretAccessKey>" + secret + "</SecretAccessKey>";
  struct row {
    const char* what;
    std::string doc;
    const char* says;
  };
  const row rows[] = {
      {"no credentials", with(aws_example, "<Credentials>", "<Creds>"), "no <Credentials>"},
      {"two credentials", with(aws_example, "</GetSessionTokenResult>", "<Credentials></Credentials></GetSessionTokenResult>"),
       "more than one <Credentials>"},
      {"missing key id", with(aws_example, "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>", ""), "no AccessKeyId"},
      {"missing secret", with(aws_example, secret_el, ""), "no SecretAccessKey"},
      {"empty secret", with(aws_example, secret, ""), "no SecretAccessKey"},
      {"unclosed token", with(aws_example, "</SessionToken>", ""), "<SessionToken> is not closed"},
      {"no token", with(aws_example, aws_example_token_element(), ""), "no SessionToken"},
      {"empty token", with(aws_example, aws_example_token_element(), "<SessionToken></SessionToken>"), "no SessionToken"},
      {"missing expiration", with(aws_example, "<Expiration>2011-07-11T19:55:29.611Z</Expiration>", ""), "no Expiration"},
      {"bad expiration", with(aws_example, "2011-07-11T19:55:29.611Z", "tomorrow"), "<Expiration> 'tomorrow'"},
      {"repeated token", with(aws_example, "<Expiration>", "<SessionToken>x</SessionToken><Expiration>"),
       "<SessionToken> occurs more than once"},
      {"repeated secret", with(aws_example, "<Expiration>", secret_el + "<Expiration>"), "<SecretAccessKey> occurs more than once"},
      {"attributes on the secret", with(aws_example, "<SecretAccessKey>", "<SecretAccessKey a=\"1\">"),
       "<SecretAccessKey> has attributes"},
      {"unknown entity", with(aws_example, "ASIAIOSFODNN7EXAMPLE", "ASIA&bogus;"), "<AccessKeyId> holds an unknown entity"},
      {"unknown entity late in the secret", with(aws_example, secret, "wJalrXUtnFEMI&amp;K7MDENG/bPxRfiCYzEXAMPLEKEY&#xZZ;"),
       "<SecretAccessKey> holds an unknown entity"},
      {"markup inside", with(aws_example, "ASIAIOSFODNN7EXAMPLE", "ASIA<b>x</b>"), "<AccessKeyId> holds markup"},
      {"markup inside the secret", with(aws_example, secret, secret + "<b/>"), "<SecretAccessKey> holds markup"},
      {"unclosed secret", with(aws_example, "</SecretAccessKey>", ""), "<SecretAccessKey> is not closed"},
      {"unusable key id", with(aws_example, "ASIAIOSFODNN7EXAMPLE", "ASIA EXAMPLE"), "unusable: the access key id"},
      {"empty", "", "no <Credentials>"},
  };
  for (const row& r : rows) {
    INFO(r.what);
    try {
      sigv4::sts::parse_credentials_response(r.doc);
      FAIL("accepted");
    } catch (const sigv4::error& e) {
      CHECK(e.code() == sigv4::errc::invalid_sts_response);
      INFO(e.what());
      CHECK(std::string(e.what()).find(r.says) != std::string::npos);
      CHECK(std::string(e.what()).find("wJalrXUtnFEMI") == std::string::npos);
      CHECK(std::string(e.what()).find("AQoEXAMPLE") == std::string::npos);
    }
  }
}

TEST_CASE("an STS error answer names its code and message", "[sts]") {
  const std::string err = R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>
<Code>AccessDenied</Code><Message>User does not have permission &amp; more</Message></Error>
<RequestId>x</RequestId></ErrorResponse>)";
  try {
    sigv4::sts::parse_credentials_response(err);
    FAIL("accepted");
  } catch (const sigv4::error& e) {
    CHECK(e.code() == sigv4::errc::invalid_sts_response);
    CHECK(std::string(e.what()).find("'AccessDenied'") != std::string::npos);
    CHECK(std::string(e.what()).find("permission & more") != std::string::npos);
  }
}

TEST_CASE("GetSessionToken and AssumeRole requests", "[sts]") {
  const auto f = sigv4::sts::get_session_token("http://127.0.0.1:7480", "us-east-1", caller, 3600s, when);
  CHECK(f.url == "http://127.0.0.1:7480/");
  CHECK(f.body == "Action=GetSessionToken&DurationSeconds=3600&Version=2011-06-15");
  CHECK(header_value(f.request, "host") == "127.0.0.1:7480");
  CHECK(header_value(f.request, "content-type") == "application/x-www-form-urlencoded; charset=utf-8");
  CHECK(header_value(f.request, "authorization")
            .rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/sts/aws4_request, "
                   "SignedHeaders=content-type;host;x-amz-date, Signature=", 0) == 0);

  sigv4::sts::assume_role_params p;
  p.policy = R"({"Version":"2012-10-17","Statement":[]})";
  p.duration = 900s;
  const auto a = sigv4::sts::assume_role("https://minio.example.com", "us-east-1", caller, p, when);
  CHECK(a.body ==
        "Action=AssumeRole&DurationSeconds=900&Policy=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"
        "&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fsigv4&RoleSessionName=sigv4&Version=2011-06-15");
  CHECK(a.url == "https://minio.example.com/");

  p.policy = std::string(2049, ' ');
  try {
    sigv4::sts::assume_role("https://minio.example.com", "us-east-1", caller, p, when);
    FAIL("accepted");
  } catch (const sigv4::error& e) {
    CHECK(e.code() == sigv4::errc::invalid_policy);
    CHECK(std::string(e.what()).find("2049 characters") != std::string::npos);
  }
  p.policy.clear();
  p.duration = 899s;
  CHECK_THROWS_AS(sigv4::sts::assume_role("https://minio.example.com", "us-east-1", caller, p, when), sigv4::error);
  CHECK_THROWS_AS(sigv4::sts::get_session_token("https://sts.amazonaws.com", "us-east-1", caller, 129601s, when),
                  sigv4::error);
}
