// sigv4 — IPv4 and IPv6 address text, parsed strictly (shared by the policies' CIDR blocks and
// the S3 endpoint's host).
#ifndef SIGV4_DETAIL_IP_HPP
#define SIGV4_DETAIL_IP_HPP

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../errors.hpp"
#include "hex.hpp"

namespace sigv4::detail {

// An unsigned 128-bit number as two halves (no __int128: -Wpedantic). IPv4 uses `lo` only.
struct u128 {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
};
constexpr bool operator==(u128 a, u128 b) noexcept { return a.hi == b.hi && a.lo == b.lo; }
constexpr bool operator!=(u128 a, u128 b) noexcept { return !(a == b); }
constexpr bool operator<(u128 a, u128 b) noexcept { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); }
constexpr bool operator<=(u128 a, u128 b) noexcept { return !(b < a); }
constexpr u128 operator&(u128 a, u128 b) noexcept { return {a.hi & b.hi, a.lo & b.lo}; }
constexpr u128 operator|(u128 a, u128 b) noexcept { return {a.hi | b.hi, a.lo | b.lo}; }
constexpr u128 operator~(u128 a) noexcept { return {~a.hi, ~a.lo}; }

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Dotted-quad IPv4, strictly: four decimal parts 0-255, no leading zeros, nothing else.
// Returns the reason it is not one, or an empty string.
inline std::string parse_ipv4(std::string_view s, std::uint32_t& out) {
  out = 0;
  const auto dots = std::count(s.begin(), s.end(), '.');
  if (dots != 3) return "it has " + std::to_string(dots + 1) + " parts, not 4";
  std::size_t start = 0;
  for (int part = 1; part <= 4; ++part) {
    const std::size_t dot = part < 4 ? s.find('.', start) : s.size();
    const std::string_view p = s.substr(start, dot - start);
    const std::string n = std::to_string(part);
    if (p.empty()) return "part " + n + " is empty";
    if (!std::all_of(p.begin(), p.end(), is_digit)) return "part " + n + " is not a decimal number";
    if (p.size() > 1 && p[0] == '0') return "part " + n + " has a leading zero (octal is not accepted)";
    if (p.size() > 3 || std::stoul(std::string(p)) > 255) return "part " + n + " is greater than 255";
    out = (out << 8) | static_cast<std::uint32_t>(std::stoul(std::string(p)));
    start = dot + 1;
  }
  return {};
}

// The 16 bytes of a 128-bit value, in network order.
inline std::array<std::uint8_t, 16> to_bytes(u128 v) noexcept {
  std::array<std::uint8_t, 16> b{};
  for (std::size_t i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v.hi >> (56 - 8 * i));
  for (std::size_t i = 0; i < 8; ++i) b[8 + i] = static_cast<std::uint8_t>(v.lo >> (56 - 8 * i));
  return b;
}

// Splits "a:b:c" into groups (1-4 hex digits each, the last may be a dotted quad when
// `last_may_be_v4`). Appends 16-bit groups to `out`. Returns the reason or "".
inline std::string parse_v6_groups(std::string_view s, bool last_may_be_v4, std::vector<std::uint16_t>& out) {
  if (s.empty()) return {};
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = s.find(':', start);
    const std::string_view g = s.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
    const bool last = colon == std::string_view::npos;
    if (g.empty()) return "it has an empty group (a single ':' at the start or end, or ':::')";
    if (last && last_may_be_v4 && g.find('.') != std::string_view::npos) {
      std::uint32_t v4 = 0;
      const std::string why = parse_ipv4(g, v4);
      if (!why.empty()) return "its embedded IPv4 address " + quote_input(g) + " is not valid: " + why;
      out.push_back(static_cast<std::uint16_t>(v4 >> 16));
      out.push_back(static_cast<std::uint16_t>(v4 & 0xffffu));
      return {};
    }
    if (g.size() > 4 || !std::all_of(g.begin(), g.end(), [](char c) { return hex_value(c) >= 0; }))
      return "group " + quote_input(g) + " is not 1 to 4 hexadecimal digits";
    unsigned v = 0;
    for (char c : g) v = v * 16 + static_cast<unsigned>(hex_value(c));
    out.push_back(static_cast<std::uint16_t>(v));
    if (last) return {};
    start = colon + 1;
  }
}

// IPv6 text (RFC 4291 section 2.2) strictly: hex groups, at most one "::", an optional
// trailing dotted quad, no zone index. Returns the reason or "".
inline std::string parse_ipv6(std::string_view s, u128& out) {
  if (s.find('%') != std::string_view::npos) return "zone indices ('%...') are not accepted";
  if (s.find(":::") != std::string_view::npos) return "it has ':::'";
  const std::size_t gap = s.find("::");
  if (gap != std::string_view::npos && s.find("::", gap + 1) != std::string_view::npos)
    return "'::' appears more than once";
  std::vector<std::uint16_t> head, tail;
  if (gap == std::string_view::npos) {
    if (std::string why = parse_v6_groups(s, true, head); !why.empty()) return why;
    if (head.size() != 8) return "it has " + std::to_string(head.size()) + " groups, not 8 (and no '::')";
  } else {
    if (std::string why = parse_v6_groups(s.substr(0, gap), false, head); !why.empty()) return why;
    if (std::string why = parse_v6_groups(s.substr(gap + 2), true, tail); !why.empty()) return why;
    if (head.size() + tail.size() > 7) return "it has too many groups for '::' to stand for any";
  }
  std::array<std::uint16_t, 8> groups{};
  std::copy(head.begin(), head.end(), groups.begin());
  std::copy(tail.begin(), tail.end(), groups.end() - static_cast<std::ptrdiff_t>(tail.size()));
  out = {};
  for (int i = 0; i < 4; ++i) out.hi = (out.hi << 16) | groups[static_cast<std::size_t>(i)];
  for (int i = 4; i < 8; ++i) out.lo = (out.lo << 16) | groups[static_cast<std::size_t>(i)];
  return {};
}

}  // namespace sigv4::detail

#endif
