// Valid URLs from the presigner, mutated: the fuzz input chooses the request (bucket, key,
// method, an extra query parameter, addressing style), then a list of byte edits on the URL
// the presigner made, and the method the mutant is sent with. A mutant that still verifies
// must mean the same request as the original: the same authority, the same decoded path, the
// same decoded query parameters (the signature aside) and the same method. Anything else is a
// finding: the signature would cover a request other than the one served.
#include "fuzz_common.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <sigv4/detail/percent.hpp>
#include <sigv4/detail/url.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace {

// What a server would act on, read independently of the verifier with the library's one URL
// parser and its two percent decoders.
struct meaning {
  std::string authority, path;
  std::vector<std::pair<std::string, std::string>> query;  // decoded, sorted, X-Amz-Signature left out
  bool ok = false;
};

meaning meaning_of(std::string_view url) {
  meaning m;
  sigv4::detail::url_parts u;
  if (sigv4::detail::parse_http_url(url, u)) return m;
  m.authority = u.authority();
  const std::string_view target = u.target;
  const std::size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (raw_path.empty()) raw_path = "/";
  if (!sigv4::detail::append_uri_decoded(m.path, raw_path)) return m;
  if (q != std::string_view::npos) {
    std::string_view rest = target.substr(q + 1);
    while (true) {
      const std::size_t amp = rest.find('&');
      const std::string_view part = rest.substr(0, amp);
      if (!part.empty()) {
        const std::size_t eq = part.find('=');
        std::string name, value;
        if (!sigv4::detail::append_query_decoded(name, part.substr(0, eq))) return m;
        if (eq != std::string_view::npos && !sigv4::detail::append_query_decoded(value, part.substr(eq + 1))) return m;
        if (name != "X-Amz-Signature") m.query.emplace_back(std::move(name), std::move(value));
      }
      if (amp == std::string_view::npos) break;
      rest.remove_prefix(amp + 1);
    }
  }
  std::sort(m.query.begin(), m.query.end());
  m.ok = true;
  return m;
}

const sigv4::s3::presigner& presigner_for(bool path_style) {
  static const sigv4::s3::presigner virtual_host("https://s3.amazonaws.com", "us-east-1",
                                             sigv4::credentials(fuzz::s3_key_id, fuzz::s3_secret),
                                             sigv4::s3::addressing_style::virtual_hosted);
  static const sigv4::s3::presigner path("http://127.0.0.1:9000", "us-east-1",
                                     sigv4::credentials(fuzz::s3_key_id, fuzz::s3_secret), sigv4::s3::addressing_style::path);
  return path_style ? path : virtual_host;
}

constexpr sigv4::s3::http_method methods[] = {sigv4::s3::http_method::get, sigv4::s3::http_method::put, sigv4::s3::http_method::head,
                                          sigv4::s3::http_method::delete_, sigv4::s3::http_method::post};
constexpr const char* method_texts[] = {"GET", "PUT", "HEAD", "DELETE", "POST", "get", "GET ", "OPTIONS"};
constexpr const char* buckets[] = {"examplebucket", "my.bucket", "b-1"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const bool path_style = in.ConsumeBool();
  const std::string bucket = buckets[in.ConsumeIntegralInRange<std::size_t>(0, 2)];
  const std::string key = in.ConsumeRandomLengthString(64);
  const std::size_t method = in.ConsumeIntegralInRange<std::size_t>(0, 4);
  const std::string extra_name = in.ConsumeRandomLengthString(16);
  const std::string extra_value = in.ConsumeRandomLengthString(16);
  sigv4::s3::object_request req;
  req.method = methods[method];
  req.bucket = bucket;
  req.key = key;
  if (!extra_name.empty()) req.query.push_back({extra_name, extra_value});
  std::string url;
  try {
    url = presigner_for(path_style).presign(req, fuzz::s3_now() - std::chrono::seconds(30));
  } catch (const sigv4::error&) {
    return 0;  // a key or parameter the presigner refuses (fuzz_presign covers those)
  }
  const auto& v = fuzz::s3_verifier();
  if (!v.verify_presigned_url(method_texts[method], url, {}, fuzz::s3_now()).valid())
    fuzz::finding("a presigner-made URL does not verify", url);

  std::string mutant = url;
  const std::size_t edits = in.ConsumeIntegralInRange<std::size_t>(1, 4);
  for (std::size_t i = 0; i < edits && !mutant.empty(); ++i) {
    const std::size_t at = in.ConsumeIntegralInRange<std::size_t>(0, mutant.size() - 1);
    const char byte = static_cast<char>(in.ConsumeIntegral<unsigned char>());
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0: mutant[at] = byte; break;
      case 1: mutant.insert(mutant.begin() + static_cast<std::ptrdiff_t>(at), byte); break;
      case 2: mutant.erase(at, 1); break;
      default: {  // insert a run of text (a token from the dictionary lands here)
        const std::string run = in.ConsumeRandomLengthString(24);
        mutant.insert(at, run);
      }
    }
  }
  const std::size_t sent_method = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::size_t>(0, 7) : method;
  const auto r = v.verify_presigned_url(method_texts[sent_method], mutant, {}, fuzz::s3_now());
  fuzz::check_result(r);
  if (!r.valid()) return 0;
  if (std::string_view(method_texts[sent_method]) != method_texts[method])
    fuzz::finding("a URL verifies with another method", url, method_texts[sent_method]);
  const meaning a = meaning_of(url), b = meaning_of(mutant);
  if (!a.ok || !b.ok) fuzz::finding("a verified URL does not parse or decode", url, mutant);
  if (a.authority != b.authority) fuzz::finding("a verified mutant has another host", url, mutant);
  if (a.path != b.path) fuzz::finding("a verified mutant has another decoded path", url, mutant);
  if (a.query != b.query) fuzz::finding("a verified mutant has another query", url, mutant);
  return 0;
}
