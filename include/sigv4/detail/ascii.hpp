// sigv4 — ASCII helpers that ignore the locale.
#ifndef SIGV4_DETAIL_ASCII_HPP
#define SIGV4_DETAIL_ASCII_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sigv4::detail {

inline char to_lower_ascii(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Case-insensitive equality for ASCII (header names, schemes, INI keys).
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower_ascii(a[i]) != to_lower_ascii(b[i])) return false;
  return true;
}

// Equality of two short texts (names, scope parts) inline, eight bytes at a time: the ==
// of std::string_view is a call of memcmp, which costs more than such texts' bytes.
inline bool same_text(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  std::uint64_t diff = 0;
  std::size_t i = 0;
  for (; a.size() - i >= 8; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    diff |= x ^ y;
  }
  for (; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace sigv4::detail

#endif
