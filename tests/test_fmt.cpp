// The optional {fmt} formatters: readable values, secrets never printed.
#include "catch.hpp"

#include <sigv4/fmt.hpp>

TEST_CASE("fmt formatters print public types and redact secrets", "[fmt]") {
  const char* const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const sigv4::credentials c("AKIAIOSFODNN7EXAMPLE", secret, "session-token-value",
                             sigv4::parse_amz_date("20260301T120000Z"));
  const std::string text = fmt::format("{}", c);
  CHECK(text.find("AKIAIOSFODNN7EXAMPLE") != std::string::npos);
  CHECK(text.find(secret) == std::string::npos);
  CHECK(text.find("session-token-value") == std::string::npos);
  CHECK(text.find("20260301T120000Z") != std::string::npos);
  const auto key = sigv4::derive_signing_key(secret, "20130524", "us-east-1", "s3");
  const std::string key_text = fmt::format("{}", key);
  CHECK(key_text == "signing_key{<redacted>}");
  CHECK(key_text.find("dbb893ac") == std::string::npos);  // the published key's first bytes
  CHECK(fmt::format("{}", sigv4::errc::invalid_expiry) == "expiry out of range");
  CHECK(fmt::format("{}", sigv4::verify_reason::signature_mismatch) == "signature mismatch");
  CHECK(fmt::format("{:>20}", sigv4::format_amz_date(sigv4::parse_amz_date("20130524T000000Z"))) ==
        "    20130524T000000Z");
  CHECK(fmt::format("{}", sigv4::policy::parse_cidr("2001:DB8:0:0::/32")) == "2001:db8::/32");
  CHECK(fmt::format("{}", sigv4::s3::parse_endpoint("HTTPS://MinIO.example.com:443/")) == "https://minio.example.com");
}
