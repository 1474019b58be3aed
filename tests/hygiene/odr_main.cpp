// Links both back ends into one program: each must give AWS's published presigned GET
// (the "GET Object" query example of the S3 documentation, signature aeeed9bb...).
#include <cstdio>
#include <string>

std::string presign_lowlevel();
std::string presign_evp();

int main() {
  const std::string expected =
      "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
      "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
      "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
      "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  const std::string a = presign_lowlevel(), b = presign_evp();
  if (a != expected || b != expected) {
    std::printf("low-level: %s\nevp:       %s\nexpected:  %s\n", a.c_str(), b.c_str(), expected.c_str());
    return 1;
  }
  std::puts("both back ends give AWS's published URL");
  return 0;
}
