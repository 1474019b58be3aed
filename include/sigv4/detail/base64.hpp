// sigv4 — standard base64 (RFC 4648 section 4, with '=' padding), for POST policies.
#ifndef SIGV4_DETAIL_BASE64_HPP
#define SIGV4_DETAIL_BASE64_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sigv4::detail {

inline constexpr char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The two base64 digits of every 12-bit value.
struct base64_pairs_table {
  char pairs[2 * 4096] = {};
  constexpr base64_pairs_table() {
    for (int v = 0; v < 4096; ++v) {
      pairs[2 * v] = base64_alphabet[v >> 6];
      pairs[2 * v + 1] = base64_alphabet[v & 63];
    }
  }
};
inline constexpr base64_pairs_table base64_pairs{};

// Appends the base64 of `in`, padded with '='. Three bytes at a time, two digits per lookup.
inline void append_base64(std::string& out, std::string_view in) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  const std::size_t at = out.size();
  out.resize(at + (n + 2) / 3 * 4);
  char* w = &out[at];
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3, w += 4) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
    std::memcpy(w, base64_pairs.pairs + 2 * (v >> 12), 2);
    std::memcpy(w + 2, base64_pairs.pairs + 2 * (v & 4095), 2);
  }
  if (i < n) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (i + 1 < n ? std::uint32_t{p[i + 1]} << 8 : 0);
    w[0] = base64_alphabet[v >> 18];
    w[1] = base64_alphabet[(v >> 12) & 63];
    w[2] = i + 1 < n ? base64_alphabet[(v >> 6) & 63] : '=';
    w[3] = '=';
  }
}

// The value of a base64 digit, or -1.
inline int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Decodes padded base64 strictly into `out`: a length that is a multiple of four, digits of
// the standard alphabet only, '=' only as the last one or two, and no stray bits in the
// last digit. False (and `out` unspecified) otherwise.
inline bool decode_base64(std::string_view in, std::string& out) {
  out.clear();
  if (in.size() % 4 != 0) return false;
  out.resize(in.size() / 4 * 3);
  char* w = &out[0];
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    const int pad = last ? (in[i + 3] == '=') + (in[i + 3] == '=' && in[i + 2] == '=') : 0;
    int d[4];
    for (int k = 0; k < 4 - pad; ++k)
      if ((d[k] = base64_value(in[i + static_cast<std::size_t>(k)])) < 0) return false;
    for (int k = 4 - pad; k < 4; ++k) d[k] = 0;
    const std::uint32_t v = (static_cast<std::uint32_t>(d[0]) << 18) | (static_cast<std::uint32_t>(d[1]) << 12) |
                            (static_cast<std::uint32_t>(d[2]) << 6) | static_cast<std::uint32_t>(d[3]);
    if ((pad == 1 && (v & 0xFF) != 0) || (pad == 2 && (v & 0xFFFF) != 0)) return false;
    w[0] = static_cast<char>(v >> 16);
    w[1] = static_cast<char>((v >> 8) & 0xFF);
    w[2] = static_cast<char>(v & 0xFF);
    w += 3 - pad;
  }
  out.resize(static_cast<std::size_t>(w - out.data()));
  return true;
}

}  // namespace sigv4::detail

#endif
