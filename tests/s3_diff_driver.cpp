// Driver for tests/botocore_diff.py: reads one JSON case per line on stdin, presigns it with
// sigv4::s3::presigner and prints one line per case: the URL, or
// "ERROR <error_code message>: <what()>" when the library throws.
//
// A case: {"endpoint", "region", "style": "path"|"virtual"|"auto", "access_key", "secret",
// "token", "method", "bucket", "key" (or "key_hex": the key bytes in hex, for invalid UTF-8),
// "expires", "date": "YYYYMMDDTHHMMSSZ" (or "epoch": seconds since 1970, preferred when given,
// so that the date formatting is checked against Python rather than against our own parser),
// "query": [[name, value], ...], "headers": [[name, value], ...], "upload_acl" (optional: the
// presigner's locked upload ACL), "key_rules": "s3"|"minio" (optional)}.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "sigv4/s3.hpp"
#include "sigv4/verify.hpp"

namespace {

using nlohmann::json;

sigv4::s3::addressing_style style_of(const std::string& s) {
  if (s == "path") return sigv4::s3::addressing_style::path;
  if (s == "virtual") return sigv4::s3::addressing_style::virtual_hosted;
  if (s == "auto") return sigv4::s3::addressing_style::automatic;
  throw std::runtime_error("unknown style " + s);
}

sigv4::s3::http_method method_of(const std::string& s) {
  if (s == "GET") return sigv4::s3::http_method::get;
  if (s == "PUT") return sigv4::s3::http_method::put;
  if (s == "HEAD") return sigv4::s3::http_method::head;
  if (s == "DELETE") return sigv4::s3::http_method::delete_;
  if (s == "POST") return sigv4::s3::http_method::post;
  throw std::runtime_error("unknown method " + s);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  throw std::runtime_error("bad hex digit in key_hex");
}

std::string from_hex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw std::runtime_error("odd length key_hex");
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2)
    out.push_back(static_cast<char>(hex_digit(hex[i]) * 16 + hex_digit(hex[i + 1])));
  return out;
}

std::vector<std::pair<std::string, std::string>> pairs_of(const json& c, const char* field) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!c.contains(field)) return out;
  for (const auto& p : c.at(field)) out.emplace_back(p.at(0).get<std::string>(), p.at(1).get<std::string>());
  return out;
}

std::string run_case(const json& c) {
  const std::string token = c.value("token", std::string());
  sigv4::credentials creds(c.at("access_key").get<std::string>(), c.at("secret").get<std::string>(), token);
  sigv4::s3::presigner_options options;
  options.style = style_of(c.value("style", std::string("auto")));
  options.upload_acl = c.value("upload_acl", std::string());
  const std::string rules = c.value("key_rules", std::string("s3"));
  if (rules != "s3" && rules != "minio") throw std::runtime_error("unknown key_rules " + rules);
  options.keys = rules == "minio" ? sigv4::s3::key_rules::minio : sigv4::s3::key_rules::s3;
  const sigv4::s3::presigner signer(c.at("endpoint").get<std::string>(), c.at("region").get<std::string>(),
                                    std::move(creds), std::move(options));

  const std::string bucket = c.at("bucket").get<std::string>();
  const std::string key = c.contains("key_hex") ? from_hex(c.at("key_hex").get<std::string>()) : c.at("key").get<std::string>();
  const auto query = pairs_of(c, "query");
  const auto headers = pairs_of(c, "headers");

  sigv4::s3::object_request req;
  req.method = method_of(c.at("method").get<std::string>());
  req.bucket = bucket;
  req.key = key;
  req.expires = std::chrono::seconds(c.at("expires").get<std::int64_t>());
  for (const auto& q : query) req.query.push_back({q.first, q.second});
  for (const auto& h : headers) req.headers.push_back({h.first, h.second});

  sigv4::time_point at;
  if (c.contains("epoch")) {
    at = sigv4::time_point(
        std::chrono::duration_cast<sigv4::time_point::duration>(std::chrono::seconds(c.at("epoch").get<std::int64_t>())));
  } else {
    at = sigv4::parse_amz_date(c.at("date").get<std::string>());
  }
  // Twice: the first call derives the state of the string to sign's first block and offers it
  // to the presigner's per-second slot, the second takes it from there. Both must give the
  // URL that botocore gives.
  // And through presign_batch, twice in one batch (a pair of equal block counts, so the two
  // SHA-256 streams run together): the same URL, or the same error as presign().
  const std::vector<sigv4::s3::object_request> two = {req, req};
  const sigv4::s3::presigned_batch batch = signer.presign_batch(two, at);
  std::string url;
  try {
    url = signer.presign(req, at);
  } catch (const sigv4::error& e) {
    for (std::size_t i = 0; i < 2; ++i)
      if (batch.ok(i) || batch.failure(i)->code() != e.code() || std::string(batch.failure(i)->what()) != e.what())
        throw std::runtime_error("presign_batch does not fail as presign() does");
    throw;
  }
  if (signer.presign(req, at) != url) throw std::runtime_error("a second presign in the same second differs");
  for (std::size_t i = 0; i < 2; ++i)
    if (!batch.ok(i) || batch.url(i) != url) throw std::runtime_error("presign_batch gives another URL than presign()");
  return url;
}

// --verify: {"url", "method", "headers", "access_key", "secret", "token", "region", "epoch"}
// -> the verifier's verdict for that URL at that time ("valid", "signature mismatch", ...).
std::string verify_case(const json& c) {
  const std::string access_key = c.at("access_key").get<std::string>();
  const std::string secret = c.at("secret").get<std::string>();
  const std::string token = c.value("token", std::string());
  sigv4::verify_options o;
  o.regions = {c.at("region").get<std::string>()};
  const sigv4::verifier v(
      [&](std::string_view id) -> std::optional<sigv4::key_entry> {
        if (id != access_key) return std::nullopt;
        return sigv4::key_entry{sigv4::secret_string(secret), token};
      },
      o);
  std::vector<sigv4::header> headers;
  for (const auto& h : pairs_of(c, "headers")) headers.push_back({h.first, h.second});
  const auto at = sigv4::time_point(
      std::chrono::duration_cast<sigv4::time_point::duration>(std::chrono::seconds(c.at("epoch").get<std::int64_t>())));
  const auto r = v.verify_presigned_url(c.at("method").get<std::string>(), c.at("url").get<std::string>(), headers, at);
  return r.valid() ? "valid" : std::string(sigv4::to_string(r.reason)) + ": " + r.detail;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const bool verify_mode = argc > 1 && std::string_view(argv[1]) == "--verify";
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::string out;
    try {
      out = verify_mode ? verify_case(json::parse(line)) : run_case(json::parse(line));
    } catch (const sigv4::error& e) {
      out = "ERROR " + e.code().message() + ": " + e.what();
    } catch (const std::exception& e) {
      // Not a library error: a malformed case or a driver bug. The script treats it as a failure.
      out = std::string("DRIVER-FAILURE ") + e.what();
    }
    // A URL never holds a newline; an error message quotes control bytes as \xNN.
    std::cout << out << '\n';
  }
  std::cout.flush();
  return 0;
}
