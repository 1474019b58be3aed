// The raw HTTP requests of the header-signed targets, read by the parser of `sigv4 sign`
// (cli/sign.hpp; it needs fmt).
#ifndef SIGV4_FUZZ_REQUEST_HPP
#define SIGV4_FUZZ_REQUEST_HPP

#include "cli/sign.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace fuzz {

// The request in `text`, or nullopt when the parser refuses it (with sigv4::error).
inline std::optional<sigv4_cli::parsed_http_request> read_request(std::string_view text) {
  try {
    return sigv4_cli::parse_http_request(text);
  } catch (const sigv4::error&) {
    return std::nullopt;
  }
}

// The request target a server receives: the path, then '?' and the query when there is one.
inline std::string target_of(const sigv4::http_request& r, bool question_mark = false) {
  std::string target = r.path;
  if (question_mark || !r.query.empty()) target += "?" + r.query;
  return target;
}

}  // namespace fuzz

#endif
