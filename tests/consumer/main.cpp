// Downstream smoke test: the installed / add_subdirectory'd sigv4 package
// provides its headers, C++17, and libcrypto to a consumer that only links
// sigv4::sigv4.
#include <sigv4/sigv4.hpp>

#include <openssl/crypto.h>

#include <cstdio>
#include <cstring>
#include <string>

#ifndef SIGV4_EXPECTED_VERSION
#error "SIGV4_EXPECTED_VERSION must be defined by the consumer's CMakeLists.txt"
#endif

int main() {
  const char* const got = sigv4::version_string;
  std::printf("sigv4 %s (expected %s), %s\n", got, SIGV4_EXPECTED_VERSION,
              OpenSSL_version(OPENSSL_VERSION));
  if (std::strcmp(got, SIGV4_EXPECTED_VERSION) != 0) return 1;
  // AWS's published presigned GET (S3 API Reference, "Authenticating Requests: Using Query
  // Parameters"): the package must sign, not only compile.
  const sigv4::s3::presigner p("https://s3.amazonaws.com", "us-east-1",
                               sigv4::credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                               sigv4::s3::addressing_style::virtual_hosted);
  const std::string url = p.presign_get("examplebucket", "test.txt", std::chrono::seconds(86400),
                                        sigv4::parse_amz_date("20130524T000000Z"));
  const char* const expected = "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  std::printf("%s\n", url.c_str());
  return url.find(expected) != std::string::npos ? 0 : 1;
}
