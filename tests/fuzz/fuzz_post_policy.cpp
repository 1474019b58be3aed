// The POST-policy reader and checker (post_policy.hpp). The input is a policy document (JSON),
// a line "--", then the form's fields, one "name=value" a line (the presigner's forms are the
// seeds). The target signs the document as the presigner would (policy, x-amz-algorithm,
// x-amz-credential, x-amz-date, x-amz-signature with the example key), so the checker reads
// the document and checks every condition; it must give a verdict of the fixed set, never
// throw, and never quote the signature. The whole input is also read as a received policy
// field (base64), and its base64 encoding too.
#include "fuzz_common.hpp"

#include <sigv4/detail/base64.hpp>
#include <sigv4/post_policy.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace s3 = sigv4::s3;

namespace {
const s3::post_verifier& checker() {
  static const s3::post_verifier v(fuzz::lookup());
  return v;
}
const sigv4::signing_key& example_key() {
  static const sigv4::signing_key k(fuzz::s3_secret, "20130524", "us-east-1", "s3");
  return k;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  {
    s3::detail::received_policy p;
    (void)s3::detail::read_received_policy(in, checker().options(), p);
    std::string b64;
    sigv4::detail::append_base64(b64, in);
    s3::detail::received_policy q;
    (void)s3::detail::read_received_policy(b64, checker().options(), q);
  }
  const std::size_t split = in.find("\n--\n");
  const std::string_view json = in.substr(0, split);
  std::string_view rest = split == std::string_view::npos ? std::string_view() : in.substr(split + 4);
  std::string policy;
  sigv4::detail::append_base64(policy, json);
  const std::string signature = s3::post_policy_signature(example_key(), policy);
  std::vector<s3::post_field> fields = {
      {"policy", policy},
      {"x-amz-algorithm", "AWS4-HMAC-SHA256"},
      {"x-amz-credential", std::string(fuzz::s3_key_id) + "/20130524/us-east-1/s3/aws4_request"},
      {"x-amz-date", "20130524T000030Z"},
      {"x-amz-signature", signature},
  };
  while (!rest.empty() && fields.size() < 64) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    const std::size_t eq = line.find('=');
    fields.push_back({std::string(line.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(line.substr(eq + 1))});
  }
  for (const std::uint64_t file_size : {std::uint64_t{0}, std::uint64_t{1000}}) {
    const s3::post_check_result r = checker().verify("examplebucket", fields, file_size, fuzz::s3_now());
    if (std::string_view(s3::to_string(r.reason)).empty()) fuzz::finding("empty reason name");
    if (r.detail.find(signature) != std::string::npos) fuzz::finding("a signature in a verdict's detail", r.detail);
  }
  return 0;
}
