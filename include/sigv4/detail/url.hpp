// sigv4 — the one strict parser of http(s) URLs, shared by the S3 endpoint
// (s3::parse_endpoint) and the verifier (verify_presigned_url).
#ifndef SIGV4_DETAIL_URL_HPP
#define SIGV4_DETAIL_URL_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ascii.hpp"
#include "ip.hpp"

namespace sigv4::detail {

// "host" or "host:port", the port left out when it is the scheme's default (443 / 80): what
// the Host header carries.
inline std::string host_and_port(bool https, const std::string& host, std::optional<std::uint16_t> port) {
  std::string a = host;
  if (port && *port != (https ? 443 : 80)) a.append(":").append(std::to_string(*port));
  return a;
}

// The parts of an http(s) URL.
struct url_parts {
  bool https = true;
  std::string host;                   // lower-cased; an IPv6 literal kept in its brackets
  std::optional<std::uint16_t> port;  // as written, if any
  bool is_ip_literal = false;         // IPv4 or IPv6
  std::string_view target;            // from the first '/' or '?' to before any '#'; may be empty (not checked)
  std::string authority() const { return host_and_port(https, host, port); }
};

// A DNS host name per RFC 1123 section 2.1 (with RFC 1035's lengths): labels of letters,
// digits and '-', none empty, none starting or ending with '-', at most 63 characters each,
// at most 253 in all. nullptr, or what is wrong (never quoting the input).
inline const char* check_host_name(std::string_view host) noexcept {
  if (host.size() > 253) return "has a host name longer than 253 characters";
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i < host.size() && host[i] != '.') {
      const char c = host[i];
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return "has a character not allowed in a host name (letters, digits, '-' and '.' only)";
      continue;
    }
    const std::size_t len = i - label_start;
    if (len == 0) return "has an empty label in its host name (a leading, trailing or doubled '.')";
    if (len > 63) return "has a host name label longer than 63 characters";
    if (host[label_start] == '-' || host[i - 1] == '-')
      return "has a host name label that starts or ends with '-' (RFC 1123)";
    label_start = i + 1;
  }
  return nullptr;
}

// The port text after ':' (1-65535, digits only). nullptr, or what is wrong.
inline const char* parse_port(std::string_view text, std::optional<std::uint16_t>& out) noexcept {
  if (text.empty()) return "has an empty port";
  unsigned long port = 0;
  for (char c : text) {
    if (!is_digit(c) || port > 65535) return "has a port that is not a number from 1 to 65535";
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port < 1 || port > 65535) return "has a port that is not a number from 1 to 65535";
  out = static_cast<std::uint16_t>(port);
  return nullptr;
}

// "[IPv6]" or "[IPv6]:port".
inline const char* parse_bracketed_authority(std::string_view authority, url_parts& out) {
  const std::size_t close = authority.find(']');
  if (close == std::string_view::npos) return "has an unclosed IPv6 literal ('[' without ']')";
  const std::string_view inner = authority.substr(1, close - 1);
  if (inner.find('%') != std::string_view::npos) return "has an IPv6 literal with a zone index (not accepted)";
  u128 ignored;
  if (!parse_ipv6(inner, ignored).empty())
    return "has a malformed IPv6 literal (RFC 4291: 8 groups of 1 to 4 hex digits, at most one '::')";
  out.host.assign(authority.substr(0, close + 1));
  out.is_ip_literal = true;
  const std::string_view after = authority.substr(close + 1);
  if (after.empty()) return nullptr;
  if (after.front() != ':') return "has text after the IPv6 literal";
  return parse_port(after.substr(1), out.port);
}

// "host", "host:port", "a.b.c.d" or "a.b.c.d:port".
inline const char* parse_plain_authority(std::string_view authority, url_parts& out) {
  const std::size_t colon = authority.find(':');
  if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos)
    return "has more than one ':' in its host; IPv6 literals need brackets (http://[::1]:9000)";
  const std::string_view host = authority.substr(0, colon);
  if (host.empty()) return "has no host";
  bool digits_and_dots = true;
  for (char c : host) digits_and_dots = digits_and_dots && (is_digit(c) || c == '.');
  if (digits_and_dots) {
    // A name of digits and dots only is an IPv4 address to every client: it must be one.
    std::uint32_t ignored = 0;
    if (!parse_ipv4(host, ignored).empty())
      return "has a malformed IPv4 address (four decimal parts 0-255, no leading zeros)";
    out.is_ip_literal = true;
  } else if (const char* why = check_host_name(host)) {
    return why;
  }
  out.host.assign(host);
  if (colon == std::string_view::npos) return nullptr;
  return parse_port(authority.substr(colon + 1), out.port);
}

// Parses "http(s)://host[:port][target][#fragment]" strictly: scheme http or https (any case),
// no user info, a host name (RFC 1123), an IPv4 address or a bracketed IPv6 literal (through
// ip.hpp), a port of 1-65535. nullptr on success; otherwise a fixed description of what is
// wrong, which never quotes any part of the input (a URL may carry a password or a signature).
// `out.target` views `url`.
inline const char* parse_http_url(std::string_view url, url_parts& out) {
  out = url_parts{};
  std::string_view rest;
  if (url.size() >= 8 && iequals(url.substr(0, 8), "https://")) {
    rest = url.substr(8);
  } else if (url.size() >= 7 && iequals(url.substr(0, 7), "http://")) {
    out.https = false;
    rest = url.substr(7);
  } else {
    return "must start with http:// or https://";
  }
  const std::size_t end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) return "has user info; credentials go elsewhere";
  if (end != std::string_view::npos && rest[end] != '#') {
    const std::string_view from = rest.substr(end);
    out.target = from.substr(0, from.find('#'));
  }
  const char* why = !authority.empty() && authority.front() == '['
                        ? parse_bracketed_authority(authority, out)
                        : parse_plain_authority(authority, out);
  if (why) return why;
  for (auto& c : out.host) c = to_lower_ascii(c);
  return nullptr;
}

}  // namespace sigv4::detail

#endif
