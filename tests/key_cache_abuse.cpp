// The verifier's signing-key cache under abuse: a client that names thousands of distinct access
// key ids, unknown ones and known ones (keys the lookup accepts, as a tenant with many keys
// or a leaked key list would give), between the requests of the keys in use. The keys in use
// must stay cached (each of their verifications makes exactly the OpenSSL calls of a cached
// verification, counted by the SIGV4_FAULT_INJECTION hook without injecting anything), every
// verdict must be right, and the heap must not grow (live blocks counted by the replaced
// operator new). The hot key's URL is AWS's published presigned GET.
#include <sigv4/sigv4.hpp>

#include <cstdio>
#include <string>
#include <vector>

#ifndef SIGV4_FAULT_INJECTION
#error "build with -DSIGV4_FAULT_INJECTION (for the OpenSSL call counter)"
#endif

#include "counting_new.hpp"

namespace {
int failures = 0;
void fail(const std::string& what) {
  ++failures;
  std::printf("FAIL: %s\n", what.c_str());
}

const char* const aws_example_url =
    "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

// Known ids: AWS's example key, and "TENANT" + digits with a secret made from the id.
std::string secret_of(std::string_view id) { return "secret-of-" + std::string(id) + "-0123456789abcdef"; }
sigv4::key_lookup lookup() {
  return [](std::string_view id) -> std::optional<sigv4::key_entry> {
    if (id == "AKIAIOSFODNN7EXAMPLE") return sigv4::key_entry{sigv4::secret_string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), ""};
    if (id.substr(0, 6) == "TENANT") return sigv4::key_entry{sigv4::secret_string(secret_of(id)), ""};
    return std::nullopt;
  };
}

struct cost {
  unsigned long openssl_calls;
  long live_blocks;
  sigv4::verify_reason reason;
};
cost verify(const sigv4::verifier& v, const std::string& url, sigv4::time_point at) {
  const unsigned long calls0 = sigv4::detail::fault_calls;
  const auto r = v.verify_presigned_url("GET", url, {}, at);
  return {sigv4::detail::fault_calls - calls0, counting_new::live_blocks(), r.reason};
}
}  // namespace

int main() {
  const auto at = sigv4::parse_amz_date("20130524T000000Z");
  constexpr int tenants = 10000;
  // every URL made before the measurement, so that making them costs nothing in it
  std::vector<std::string> known, unknown;
  known.reserve(tenants);
  unknown.reserve(tenants);
  for (int i = 0; i < tenants; ++i) {
    const std::string id = "TENANT" + std::to_string(100000 + i);
    const sigv4::s3::presigner p("https://s3.amazonaws.com", "us-east-1", sigv4::credentials(id, secret_of(id)),
                                 sigv4::s3::addressing_style::virtual_hosted);
    known.push_back(p.presign_get("examplebucket", "k/" + std::to_string(i), std::chrono::seconds(600), at));
    const sigv4::s3::presigner q("https://s3.amazonaws.com", "us-east-1",
                                 sigv4::credentials("UNKNOWN" + std::to_string(i), "whatever-secret"),
                                 sigv4::s3::addressing_style::virtual_hosted);
    unknown.push_back(q.presign_get("examplebucket", "k", std::chrono::seconds(600), at));
  }
  const std::string hot = aws_example_url;

  const sigv4::verifier v(lookup());
  const cost first = verify(v, hot, at);
  const cost cached = verify(v, hot, at);
  if (first.reason != sigv4::verify_reason::valid || cached.reason != sigv4::verify_reason::valid)
    fail("AWS's published URL does not verify");
  if (first.openssl_calls <= cached.openssl_calls)
    fail("a cached verification made as many OpenSSL calls as the first (" + std::to_string(first.openssl_calls) + ")");
  // one pass of each kind of churn, so the verifier's scratch space has grown to its size
  verify(v, known[0], at);
  verify(v, unknown[0], at);
  verify(v, hot, at);
  const long live_before = counting_new::live_blocks();

  unsigned long hot_checks = 0, hot_rederived = 0, wrong = 0;
  for (int i = 1; i < tenants; ++i) {
    if (verify(v, known[static_cast<std::size_t>(i)], at).reason != sigv4::verify_reason::valid) ++wrong;
    if (verify(v, unknown[static_cast<std::size_t>(i)], at).reason != sigv4::verify_reason::unknown_access_key) ++wrong;
    if (i % 4 == 0) {
      const cost c = verify(v, hot, at);
      ++hot_checks;
      if (c.reason != sigv4::verify_reason::valid) ++wrong;
      if (c.openssl_calls != cached.openssl_calls) ++hot_rederived;
    }
  }
  const long live_after = counting_new::live_blocks();
  if (wrong != 0) fail(std::to_string(wrong) + " wrong verdicts");
  if (hot_rederived != 0)
    fail("the key in use was derived again " + std::to_string(hot_rederived) + " times of " + std::to_string(hot_checks));
  if (live_after != live_before)
    fail("the heap grew by " + std::to_string(live_after - live_before) + " blocks over " + std::to_string(2 * tenants) +
         " access key ids");
  std::printf("key cache: %d known and %d unknown access key ids between %lu verifications of the key in use: %lu "
              "re-derivations, heap %+ld blocks; OpenSSL calls per verification %lu cached, %lu uncached; %d failures\n",
              tenants, tenants, hot_checks, hot_rederived, live_after - live_before, cached.openssl_calls,
              first.openssl_calls, failures);
  return failures == 0 ? 0 : 1;
}
