// sigv4 — lower-case hex encoding and decoding.
#ifndef SIGV4_DETAIL_HEX_HPP
#define SIGV4_DETAIL_HEX_HPP

#include <cstddef>
#include <string>
#include <string_view>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

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

// Writes 2*n lower-case hex digits to out. With SSE2 (every x86-64), sixteen bytes at a
// time: split into nibbles, interleave, and map 0-9 / 10-15 to '0'-'9' / 'a'-'f'.
inline void hex_encode(const unsigned char* in, std::size_t n, char* out) noexcept {
  std::size_t i = 0;
#if defined(__SSE2__) || defined(_M_X64)
  const __m128i low_nibble = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
  const __m128i zero_digit = _mm_set1_epi8('0'), letter_gap = _mm_set1_epi8('a' - '0' - 10);
  const auto digits = [&](__m128i nibbles) {
    const __m128i letters = _mm_and_si128(_mm_cmpgt_epi8(nibbles, nine), letter_gap);
    return _mm_add_epi8(_mm_add_epi8(nibbles, zero_digit), letters);
  };
  for (; i + 16 <= n; i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), low_nibble);
    const __m128i lo = _mm_and_si128(bytes, low_nibble);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * i), digits(_mm_unpacklo_epi8(hi, lo)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * i + 16), digits(_mm_unpackhi_epi8(hi, lo)));
  }
#endif
  for (char* w = out + 2 * i; i < n; ++i, w += 2) {
    const char* pair = hex_pairs.pairs + 2 * in[i];
    w[0] = pair[0];
    w[1] = pair[1];
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
