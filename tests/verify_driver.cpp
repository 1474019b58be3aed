// Driver for tests/botocore_verify.py: reads one JSON case per line on stdin, checks it with
// sigv4::verifier and prints one JSON line per case: {"reason": to_string(reason), "detail"}.
//
// A case: {"mode": "url" (verify_presigned_url) | "target" (verify_presigned) | "signed"
// (verify_signed_request), "method", "url" or "target", "headers": [[name, value], ...],
// "now": "YYYYMMDDTHHMMSSZ", "access_key", "secret", "token" (the key's session token, may be
// empty), "regions": [...] (default us-east-1), "payload" (signed mode: the payload hash the
// server trusts, "UNSIGNED-PAYLOAD" or 64 hex digits; absent or null: the header's)}.
#include <nlohmann/json.hpp>

#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "sigv4/verify.hpp"

namespace {

using nlohmann::json;

sigv4::verify_result check(const json& c) {
  sigv4::verify_options o;
  if (c.contains("regions")) o.regions = c.at("regions").get<std::vector<std::string>>();
  const std::string id = c.at("access_key").get<std::string>();
  const std::string secret = c.at("secret").get<std::string>();
  const std::string token = c.value("token", "");
  const sigv4::verifier v(
      [&](std::string_view asked) -> std::optional<sigv4::key_entry> {
        if (asked != id) return std::nullopt;
        return sigv4::key_entry{sigv4::secret_string(secret), token};
      },
      o);
  std::vector<sigv4::header> headers;
  for (const auto& h : c.value("headers", json::array()))
    headers.push_back({h.at(0).get<std::string>(), h.at(1).get<std::string>()});
  const std::string method = c.at("method").get<std::string>();
  const sigv4::time_point now = sigv4::parse_amz_date(c.at("now").get<std::string>());
  const std::string mode = c.at("mode").get<std::string>();
  if (mode == "url") return v.verify_presigned_url(method, c.at("url").get<std::string>(), headers, now);
  if (mode == "target") return v.verify_presigned(method, c.at("target").get<std::string>(), headers, now);
  if (mode == "signed") {
    std::optional<sigv4::payload_hash> payload;
    if (c.contains("payload") && !c.at("payload").is_null()) {
      const std::string p = c.at("payload").get<std::string>();
      payload = p == "UNSIGNED-PAYLOAD" ? sigv4::payload_hash::unsigned_payload() : sigv4::payload_hash::precomputed(p);
    }
    return v.verify_signed_request(method, c.at("target").get<std::string>(), headers, payload, now);
  }
  throw std::runtime_error("unknown mode " + mode);
}

}  // namespace

int main() {
  std::string line;
  int status = 0;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json out;
    try {
      const sigv4::verify_result r = check(json::parse(line));
      out = {{"reason", sigv4::to_string(r.reason)}, {"detail", r.detail}};
    } catch (const std::exception& e) {
      out = {{"reason", "ERROR"}, {"detail", e.what()}};
      status = 1;
    }
    std::cout << out.dump() << "\n";
  }
  return status;
}
