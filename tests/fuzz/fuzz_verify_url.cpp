// Presigned-URL verification on arbitrary input: the input is a whole URL (verify_presigned_url)
// and, the same bytes, a request target with a fixed Host (verify_presigned). No crash, no UB,
// a verdict from the fixed set; a "valid" verdict must survive a second look (the same input
// verified again gives the same verdict: no state carried between calls).
#include "fuzz_common.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto& v = fuzz::s3_verifier();
  const auto now = fuzz::s3_now();
  for (const char* method : {"GET", "PUT"}) {
    const auto a = v.verify_presigned_url(method, in, {}, now);
    fuzz::check_result(a);
    const auto b = v.verify_presigned_url(method, in, {}, now);
    if (a.reason != b.reason) fuzz::finding("the same URL verified twice gave two verdicts", in);
  }
  const std::vector<sigv4::header> headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  fuzz::check_result(v.verify_presigned("GET", in, headers, now));
  return 0;
}
