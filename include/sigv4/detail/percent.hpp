// sigv4 — RFC 3986 percent-encoding as SigV4 uses it: an allow-list of the unreserved bytes
// A-Z a-z 0-9 - . _ ~ (and '/' in paths); every other byte becomes %XX in upper-case hex.
#ifndef SIGV4_DETAIL_PERCENT_HPP
#define SIGV4_DETAIL_PERCENT_HPP

#include <cstddef>
#include <string>
#include <string_view>

#include "hex.hpp"

namespace sigv4::detail {

// Whether each byte passes unencoded: bit 0 in a query component, bit 1 in a path.
struct unreserved_table {
  unsigned char bits[256] = {};
  constexpr unreserved_table() {
    for (int c = 'A'; c <= 'Z'; ++c) bits[c] = 3;
    for (int c = 'a'; c <= 'z'; ++c) bits[c] = 3;
    for (int c = '0'; c <= '9'; ++c) bits[c] = 3;
    bits[static_cast<unsigned char>('-')] = 3;
    bits[static_cast<unsigned char>('.')] = 3;
    bits[static_cast<unsigned char>('_')] = 3;
    bits[static_cast<unsigned char>('~')] = 3;
    bits[static_cast<unsigned char>('/')] = 2;
  }
};
inline constexpr unreserved_table unreserved{};

enum class encode_set : unsigned char { component = 1, path = 2 };

// Appends `in` percent-encoded; with encode_set::path, '/' is kept.
inline void append_uri_encoded(std::string& out, std::string_view in, encode_set set) {
  const unsigned char mask = static_cast<unsigned char>(set);
  std::size_t run = 0;  // start of the current run of bytes that pass unchanged
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (unreserved.bits[c] & mask) continue;
    out.append(in.data() + run, i - run);
    const char esc[3] = {'%', hex_upper[c >> 4], hex_upper[c & 0x0f]};
    out.append(esc, 3);
    run = i + 1;
  }
  out.append(in.data() + run, in.size() - run);
}

// Writes `in` percent-encoded to `out`, which has room for 3 * in.size() bytes; returns the
// end of what it wrote.
inline char* write_uri_encoded(char* out, std::string_view in, encode_set set) noexcept {
  const unsigned char mask = static_cast<unsigned char>(set);
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved.bits[c] & mask) {
      *out++ = ch;
    } else {
      out[0] = '%';
      out[1] = hex_upper[c >> 4];
      out[2] = hex_upper[c & 0x0f];
      out += 3;
    }
  }
  return out;
}

inline std::string uri_encode(std::string_view in, encode_set set) {
  std::string out;
  out.reserve(in.size() + in.size() / 2);
  append_uri_encoded(out, in, set);
  return out;
}

// Exact length of the encoding of `in`.
inline std::size_t uri_encoded_size(std::string_view in, encode_set set) noexcept {
  const unsigned char mask = static_cast<unsigned char>(set);
  std::size_t n = in.size();
  for (char ch : in)
    if (!(unreserved.bits[static_cast<unsigned char>(ch)] & mask)) n += 2;
  return n;
}

// True when `in` is already in canonical form: every byte outside the set escaped as %XX with
// upper-case hex, and no byte inside it escaped. Decoding and re-encoding would not change it.
inline bool is_canonically_encoded(std::string_view in, encode_set set) noexcept {
  const unsigned char mask = static_cast<unsigned char>(set);
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (unreserved.bits[c] & mask) continue;
    if (c != '%' || i + 2 >= in.size()) return false;
    const char hi = in[i + 1], lo = in[i + 2];
    const bool upper_hex = ((hi >= '0' && hi <= '9') || (hi >= 'A' && hi <= 'F')) &&
                           ((lo >= '0' && lo <= '9') || (lo >= 'A' && lo <= 'F'));
    if (!upper_hex || (unreserved.bits[static_cast<unsigned char>(hex_value(hi) * 16 + hex_value(lo))] & mask))
      return false;
    i += 2;
  }
  return true;
}

// Appends the percent-decoding of `in` to `out` ('+' stays '+'). Returns false, leaving `out`
// partly written, when a '%' is not followed by two hex digits.
inline bool append_uri_decoded(std::string& out, std::string_view in) {
  std::size_t run = 0;  // start of the bytes that are copied as they are
  for (std::size_t i = in.find('%'); i != std::string_view::npos; i = in.find('%', run)) {
    out.append(in.data() + run, i - run);
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    run = i + 3;
  }
  out.append(in.data() + run, in.size() - run);
  return true;
}

}  // namespace sigv4::detail

#endif
