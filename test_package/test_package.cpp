// Packaging test (Conan's test_package, vcpkg's consumer): the packaged sigv4 compiles, links
// libcrypto, and presigns AWS's published example (S3 API Reference, "Authenticating Requests:
// Using Query Parameters": examplebucket/test.txt, 2013-05-24, 86400 s) to the published URL.
#include <sigv4/sigv4.hpp>

#include <chrono>
#include <cstdio>
#include <string>

int main() {
  const sigv4::s3::presigner presigner(
      "https://s3.amazonaws.com", "us-east-1",
      sigv4::credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
      sigv4::s3::addressing_style::virtual_hosted);
  const std::string url = presigner.presign_get("examplebucket", "test.txt", std::chrono::seconds(86400),
                                                sigv4::parse_amz_date("20130524T000000Z"));
  const std::string published =
      "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
      "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
      "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
      "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  std::printf("sigv4 %s\n%s\n", sigv4::version_string, url.c_str());
  if (url != published) {
    std::printf("FAIL: expected AWS's published URL\n%s\n", published.c_str());
    return 1;
  }
  std::printf("OK: AWS's published presigned URL\n");
  return 0;
}
