// The raw-request parser of `sigv4 sign` (cli/sign.hpp) on arbitrary text: it reads
// the request or throws sigv4::error, and what it reads signs (headers and presigned) or is
// refused with sigv4::error; nothing else escapes. A request signed with its headers must
// verify with the library's verifier.
#include "fuzz_common.hpp"

#include "fuzz_request.hpp"

#include <cstddef>
#include <cstdint>

namespace {
// A request the signer signed with its headers verifies with the library's verifier, given
// the same payload line (the empty body's hash, the signer's default).
void verify_signed(const sigv4::http_request& signed_req, const sigv4::signing_result& r) {
  const auto v = fuzz::suite_verifier().verify_signed_request(signed_req.method, fuzz::target_of(signed_req), signed_req.headers,
                                                              sigv4::payload_hash::empty(), fuzz::suite_now());
  if (!v.valid()) fuzz::finding("a request the signer signed does not verify", r.canonical_request, v.detail);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto parsed = fuzz::read_request(in);
  if (!parsed) return 0;
  const sigv4::credentials creds(fuzz::suite_key_id, fuzz::suite_secret);
  sigv4::signing_options opt;
  opt.region = "us-east-1";
  opt.service = "service";
  for (const bool query : {false, true}) {
    sigv4::http_request copy = parsed->request;
    try {
      const auto r = query ? sigv4::presign(copy, creds, opt, fuzz::suite_now())
                           : sigv4::sign_headers(copy, creds, opt, fuzz::suite_now());
      if (r.signature.size() != 64) fuzz::finding("a signature that is not 64 hex digits", r.signature);
      if (!query) verify_signed(copy, r);
    } catch (const sigv4::error&) {
    }
  }
  return 0;
}
