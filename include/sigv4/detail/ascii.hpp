// sigv4 — ASCII helpers that ignore the locale.
#ifndef SIGV4_DETAIL_ASCII_HPP
#define SIGV4_DETAIL_ASCII_HPP

#include <cstddef>
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

}  // namespace sigv4::detail

#endif
