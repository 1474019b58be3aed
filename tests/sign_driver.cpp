// Driver for tests/botocore_sign_headers.py: reads one JSON case per line on stdin, signs it in
// header mode with a sigv4::signer and with sigv4::sign_headers, and prints one JSON line per
// case: {"signer": [[name, value], ...] (the headers the signer adds), "free": [[name, value],
// ...] (the request's headers after sign_headers), "canonical_request", "string_to_sign"} or
// {"error": what()}.
//
// A case: {"access_key", "secret", "token", "region", "service", "s3" (path_rules::s3 and
// x-amz-content-sha256), "method", "path", "query" (raw), "headers": [[name, value], ...],
// "body", "epoch" (seconds since 1970)}. One signer is kept per (region, service, s3) for the
// whole run, so that later cases take their key from its cache, cross midnight into a day
// whose key it has not derived yet, and change its credentials (set_credentials) when a case
// names others.
#include <nlohmann/json.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "sigv4/header_signer.hpp"

namespace {

using nlohmann::json;

std::map<std::tuple<std::string, std::string, bool>, std::unique_ptr<sigv4::signer>> signers;

json headers_json(const sigv4::header_signature& sig) {
  json out = json::array();
  sig.for_each_header([&](std::string_view n, std::string_view v) { out.push_back({std::string(n), std::string(v)}); });
  return out;
}

json sign(const json& c) {
  const sigv4::credentials creds(c.at("access_key").get<std::string>(), c.at("secret").get<std::string>(),
                                 c.value("token", ""));
  const std::string region = c.at("region").get<std::string>(), service = c.at("service").get<std::string>();
  const bool s3 = c.at("s3").get<bool>();
  const sigv4::signer_options o{s3 ? sigv4::path_rules::s3 : sigv4::path_rules::generic, s3,
                                sigv4::token_placement::signed_in_request};
  auto& s = signers[{region, service, s3}];
  if (!s) s = std::make_unique<sigv4::signer>(creds, region, service, o);
  if (s->creds().access_key_id() != creds.access_key_id() || s->creds().secret_access_key() != creds.secret_access_key() ||
      s->creds().session_token() != creds.session_token())
    s->set_credentials(creds);
  std::vector<sigv4::header> headers;
  for (const auto& h : c.at("headers")) headers.push_back({h.at(0).get<std::string>(), h.at(1).get<std::string>()});
  const sigv4::payload_hash payload = sigv4::payload_hash::of(c.at("body").get<std::string>());
  const sigv4::time_point at{std::chrono::seconds(c.at("epoch").get<long long>())};
  const std::string method = c.at("method").get<std::string>(), path = c.at("path").get<std::string>(),
                    query = c.at("query").get<std::string>();
  const sigv4::header_signature sig = s->sign(method, path, query, headers, payload, at);

  sigv4::http_request req;
  req.method = method;
  req.path = path;
  req.query = query;
  req.headers = headers;
  sigv4::signing_options so;
  so.region = region;
  so.service = service;
  so.path = o.path;
  so.payload = payload;
  so.content_sha256_header = s3;
  sigv4::sign_headers(req, creds, so, at);
  json free = json::array();
  for (const auto& h : req.headers) free.push_back({h.name, h.value});
  return {{"signer", headers_json(sig)},
          {"free", free},
          {"canonical_request", std::string(sig.canonical_request())},
          {"string_to_sign", std::string(sig.string_to_sign())}};
}

}  // namespace

int main() {
  std::string line;
  int status = 0;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json out;
    try {
      out = sign(json::parse(line));
    } catch (const std::exception& e) {
      out = {{"error", e.what()}};
      status = 1;
    }
    std::cout << out.dump() << "\n";
  }
  return status;
}
