// Header-signed request verification: the input is a raw HTTP request (the AWS suite's
// header-signed-request.txt files are the seeds; they verify), read by the raw-request parser
// of `sigv4 sign`, then verified with the suite's key, region, service and time, the payload
// taken as the SHA-256 of the body and, a second time, from x-amz-content-sha256.
#include "fuzz_common.hpp"

#include "fuzz_request.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto parsed = fuzz::read_request(in);
  if (!parsed) return 0;
  const sigv4::http_request& req = parsed->request;
  const std::string target = fuzz::target_of(req, parsed->has_question_mark);
  const auto& v = fuzz::suite_verifier();
  const auto a = v.verify_signed_request(req.method, target, req.headers, sigv4::payload_hash::of(parsed->body),
                                         fuzz::suite_now());
  fuzz::check_result(a);
  const auto b = v.verify_signed_request(req.method, target, req.headers, std::nullopt, fuzz::suite_now());
  fuzz::check_result(b);
  fuzz::check_result(fuzz::s3_verifier().verify_signed_request(req.method, target, req.headers, std::nullopt,
                                                              fuzz::s3_now()));
  return 0;
}
