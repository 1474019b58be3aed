// Shared pieces of the libFuzzer targets in tests/fuzz/: the keys, times and verifiers every
// target uses, and a check that reports a finding (a wrong verdict) as a crash.
#ifndef SIGV4_FUZZ_COMMON_HPP
#define SIGV4_FUZZ_COMMON_HPP

#include <sigv4/s3.hpp>
#include <sigv4/verify.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace fuzz {

// The key of AWS's published S3 presigned-URL example (and of the presigner-made seeds).
inline constexpr const char* s3_key_id = "AKIAIOSFODNN7EXAMPLE";
inline constexpr const char* s3_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
// The key of the AWS SigV4 test suite (its header-signed requests are seeds).
inline constexpr const char* suite_key_id = "AKIDEXAMPLE";
inline constexpr const char* suite_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// A minute after the published example was signed (20130524T000000Z, 86400 s), so it verifies.
inline sigv4::time_point s3_now() {
  static const sigv4::time_point t = sigv4::parse_amz_date("20130524T000100Z");
  return t;
}
// The suite's signing time.
inline sigv4::time_point suite_now() {
  static const sigv4::time_point t = sigv4::parse_amz_date("20150830T123600Z");
  return t;
}

inline sigv4::key_lookup lookup() {
  return [](std::string_view id) -> std::optional<sigv4::key_entry> {
    if (id == s3_key_id) return sigv4::key_entry{sigv4::secret_string(s3_secret), ""};
    if (id == suite_key_id) return sigv4::key_entry{sigv4::secret_string(suite_secret), ""};
    return std::nullopt;
  };
}

// The S3 verifier (us-east-1, s3).
inline const sigv4::verifier& s3_verifier() {
  static const sigv4::verifier v(lookup());
  return v;
}

// The verifier of the AWS suite's requests (us-east-1, service "service", generic paths).
inline const sigv4::verifier& suite_verifier() {
  static const sigv4::verifier v = [] {
    sigv4::verify_options o;
    o.services = {"service"};
    o.path = sigv4::path_rules::generic;
    return sigv4::verifier(lookup(), o);
  }();
  return v;
}

// A wrong verdict: print what was found (fuzz inputs hold no real secret) and abort, which
// libFuzzer records as a crash with the input that caused it.
[[noreturn]] inline void finding(const char* what, std::string_view a = {}, std::string_view b = {}) {
  std::fprintf(stderr, "FINDING: %s\n  a: %.*s\n  b: %.*s\n", what, static_cast<int>(a.size()), a.data(),
               static_cast<int>(b.size()), b.data());
  std::abort();
}

// Every verdict names a reason of the fixed set, and its detail never quotes a signature.
inline void check_result(const sigv4::verify_result& r) {
  const std::string_view name = sigv4::to_string(r.reason);
  if (name.empty()) finding("empty reason name");
  if (r.detail.find(s3_secret) != std::string::npos || r.detail.find(suite_secret) != std::string::npos)
    finding("a secret in a verdict's detail", r.detail);
}

}  // namespace fuzz

#endif
