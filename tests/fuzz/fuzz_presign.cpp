// Endpoint parsing and presigning with arbitrary endpoint, region, bucket, key, method,
// expiry, query parameters, headers, addressing style and key rules. The presigner refuses
// with sigv4::error or makes a URL, and every URL it makes verifies with the library's
// verifier (same method, the extra headers sent with their values, at the signing time).
#include "fuzz_common.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace s3 = sigv4::s3;

namespace {
constexpr s3::http_method methods[] = {s3::http_method::get, s3::http_method::put, s3::http_method::head,
                                       s3::http_method::delete_, s3::http_method::post};
constexpr s3::addressing_style styles[] = {s3::addressing_style::path, s3::addressing_style::virtual_hosted,
                                           s3::addressing_style::automatic};

// Whether X-Amz-SignedHeaders of `url` lists `name` (the list is encoded: ';' is %3B).
bool signs_header(std::string_view url, std::string_view name) {
  const std::string_view param = "&X-Amz-SignedHeaders=";
  const std::size_t at = url.find(param);
  if (at == std::string_view::npos) return false;
  std::string_view list = url.substr(at + param.size());
  list = list.substr(0, list.find('&'));
  while (true) {
    const std::size_t sep = list.find("%3B");
    if (list.substr(0, sep) == name) return true;
    if (sep == std::string_view::npos) return false;
    list.remove_prefix(sep + 3);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string endpoint = in.ConsumeRandomLengthString(64);
  const std::string region = in.ConsumeBool() ? std::string("us-east-1") : in.ConsumeRandomLengthString(16);
  s3::presigner_options options;
  options.style = styles[in.ConsumeIntegralInRange<std::size_t>(0, 2)];
  options.keys = in.ConsumeBool() ? s3::key_rules::s3 : s3::key_rules::minio;
  if (in.ConsumeBool()) options.upload_acl = in.ConsumeRandomLengthString(24);
  std::optional<s3::presigner> signer;
  try {
    signer.emplace(endpoint, region, sigv4::credentials(fuzz::s3_key_id, fuzz::s3_secret), options);
  } catch (const sigv4::error&) {
    return 0;
  }
  const std::string bucket = in.ConsumeRandomLengthString(64);
  const std::string key = in.ConsumeRandomLengthString(128);
  std::vector<std::string> text;  // owns the parameters' names and values (object_request holds views)
  const std::size_t n_query = in.ConsumeIntegralInRange<std::size_t>(0, 3);
  const std::size_t n_headers = in.ConsumeIntegralInRange<std::size_t>(0, 3);
  text.reserve(2 * (n_query + n_headers));
  for (std::size_t i = 0; i < 2 * (n_query + n_headers); ++i) text.push_back(in.ConsumeRandomLengthString(24));
  s3::object_request req;
  const std::size_t method = in.ConsumeIntegralInRange<std::size_t>(0, 4);
  req.method = methods[method];
  req.bucket = bucket;
  req.key = key;
  req.expires = std::chrono::seconds(in.ConsumeIntegralInRange<long long>(-10, 700000));
  for (std::size_t i = 0; i < n_query; ++i) req.query.push_back({text[2 * i], text[2 * i + 1]});
  for (std::size_t i = n_query; i < n_query + n_headers; ++i) req.headers.push_back({text[2 * i], text[2 * i + 1]});
  const sigv4::time_point at = fuzz::s3_now();
  std::string url;
  try {
    url = signer->presign(req, at);
  } catch (const sigv4::error&) {
    return 0;
  }
  // The client sends the signed extra headers, and the locked ACL when the URL signs it and the
  // request did not pass its own x-amz-acl (as on a HEAD, which the ACL does not lock).
  std::vector<sigv4::header> sent;
  for (const auto& h : req.headers) sent.push_back({std::string(h.name.view()), std::string(h.value.view())});
  const bool acl_passed = std::any_of(sent.begin(), sent.end(), [](const sigv4::header& h) {
    return sigv4::detail::iequals(h.name, "x-amz-acl");
  });
  if (!options.upload_acl.empty() && !acl_passed && signs_header(url, "x-amz-acl"))
    sent.push_back({"x-amz-acl", options.upload_acl});
  sigv4::verify_options vo;
  vo.regions = {region};
  const sigv4::verifier v(fuzz::lookup(), vo);
  const auto r = v.verify_presigned_url(s3::method_name(req.method), url, sent, at);
  if (!r.valid()) fuzz::finding("a URL the presigner made does not verify", url, r.detail);
  return 0;
}
