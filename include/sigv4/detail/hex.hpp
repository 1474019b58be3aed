// sigv4 — lower-case hex encoding and decoding.
#ifndef SIGV4_DETAIL_HEX_HPP
#define SIGV4_DETAIL_HEX_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace sigv4::detail {

inline constexpr char hex_lower[] = "0123456789abcdef";
inline constexpr char hex_upper[] = "0123456789ABCDEF";

// The two lower-case hex digits of every byte value.
struct hex_pairs_table {
  char pairs[512] = {};
  constexpr hex_pairs_table() {
    for (int b = 0; b < 256; ++b) {
      pairs[2 * b] = hex_lower[b >> 4];
      pairs[2 * b + 1] = hex_lower[b & 0x0f];
    }
  }
};
inline constexpr hex_pairs_table hex_pairs{};

// Writes 2*n lower-case hex digits to out.
inline void hex_encode(const unsigned char* in, std::size_t n, char* out) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = hex_pairs.pairs[2 * in[i]];
    out[2 * i + 1] = hex_pairs.pairs[2 * in[i] + 1];
  }
}

inline void append_hex(std::string& out, const unsigned char* in, std::size_t n) {
  const std::size_t at = out.size();
  out.resize(at + 2 * n);
  hex_encode(in, n, &out[at]);
}

inline std::string to_hex(const unsigned char* in, std::size_t n) {
  std::string s;
  append_hex(s, in, n);
  return s;
}

// Value of one hex digit (either case), or -1.
inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// True when s is exactly n lower-case hex digits.
inline bool is_lower_hex(std::string_view s, std::size_t n) noexcept {
  if (s.size() != n) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace sigv4::detail

#endif
