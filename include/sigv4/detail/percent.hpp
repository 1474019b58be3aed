// sigv4 — RFC 3986 percent-encoding as SigV4 uses it: an allow-list of the unreserved bytes
// A-Z a-z 0-9 - . _ ~ (and '/' in paths); every other byte becomes %XX in upper-case hex.
#ifndef SIGV4_DETAIL_PERCENT_HPP
#define SIGV4_DETAIL_PERCENT_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "hex.hpp"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

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

#if defined(__SSE2__) || defined(_M_X64)
// A bit per byte of the sixteen at p: set when the byte passes unencoded (A-Z a-z 0-9 - . _ ~,
// and '/' in a path; with `separators`, '&' and '=' too).
inline unsigned unreserved_mask16(const char* p, encode_set set, bool separators = false) noexcept {
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i bias = _mm_set1_epi8(static_cast<char>(0x80));
  // unsigned (x - base) < n, with signed compares on biased bytes
  const auto in_range = [&](__m128i x, char base, int n) {
    const __m128i off = _mm_xor_si128(_mm_sub_epi8(x, _mm_set1_epi8(base)), bias);
    return _mm_cmplt_epi8(off, _mm_set1_epi8(static_cast<char>(n - 128)));
  };
  __m128i ok = _mm_or_si128(in_range(_mm_or_si128(c, _mm_set1_epi8(0x20)), 'a', 26), in_range(c, '0', 10));
  ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('-')), _mm_cmpeq_epi8(c, _mm_set1_epi8('.'))));
  ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('_')), _mm_cmpeq_epi8(c, _mm_set1_epi8('~'))));
  if (set == encode_set::path) ok = _mm_or_si128(ok, _mm_cmpeq_epi8(c, _mm_set1_epi8('/')));
  if (separators)
    ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('&')), _mm_cmpeq_epi8(c, _mm_set1_epi8('='))));
  return static_cast<unsigned>(_mm_movemask_epi8(ok));
}

// The index of the lowest set bit of `bits` (not 0).
inline unsigned lowest_bit(unsigned bits) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return static_cast<unsigned>(__builtin_ctz(bits));
#else
  unsigned n = 0;
  while (!(bits & (1u << n))) ++n;
  return n;
#endif
}

// The number of leading bytes a mask of unreserved_mask16 passes (16 when all of them).
inline std::size_t unreserved_prefix16(unsigned mask) noexcept {
  const unsigned bad = ~mask & 0xffffu;
  return bad == 0 ? 16 : lowest_bit(bad);
}

inline bool all_unreserved16(const char* p, encode_set set) noexcept { return unreserved_mask16(p, set) == 0xffffu; }
#endif

// Writes `in` percent-encoded to `out`, which has room for 3 * in.size() bytes; returns the
// end of what it wrote.
inline char* write_uri_encoded(char* out, std::string_view in, encode_set set) noexcept {
  const unsigned char mask = static_cast<unsigned char>(set);
  const auto encode_bytes = [&](const char* p, const char* end) {
    for (; p != end; ++p) {
      const auto c = static_cast<unsigned char>(*p);
      if (unreserved.bits[c] & mask) {
        *out++ = *p;
      } else {
        out[0] = '%';
        out[1] = hex_upper[c >> 4];
        out[2] = hex_upper[c & 0x0f];
        out += 3;
      }
    }
  };
  const char* p = in.data();
  const char* const end = p + in.size();
#if defined(__SSE2__) || defined(_M_X64)
  // sixteen bytes at a time: copied at once when none needs an escape
  for (; end - p >= 16; p += 16) {
    if (all_unreserved16(p, set)) {
      std::memcpy(out, p, 16);
      out += 16;
    } else {
      encode_bytes(p, p + 16);
    }
  }
#endif
  encode_bytes(p, end);
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

// Whether the '%' at p[i] (of n bytes) starts an escape in canonical form: two upper-case hex
// digits, of a byte outside the set (one inside it is written as itself).
inline bool is_canonical_escape(const char* p, std::size_t i, std::size_t n, encode_set set) noexcept {
  if (i + 2 >= n) return false;
  const char hi = p[i + 1], lo = p[i + 2];
  const bool upper_hex = ((hi >= '0' && hi <= '9') || (hi >= 'A' && hi <= 'F')) &&
                         ((lo >= '0' && lo <= '9') || (lo >= 'A' && lo <= 'F'));
  return upper_hex &&
         !(unreserved.bits[static_cast<unsigned char>(hex_value(hi) * 16 + hex_value(lo))] & static_cast<unsigned char>(set));
}

// True when `in` is already in canonical form: every byte outside the set escaped as %XX with
// upper-case hex, and no byte inside it escaped. Decoding and re-encoding would not change it.
// With `separators`, '&' and '=' may appear unescaped too (a whole query string, whose
// components are then each canonical). Runs of sixteen unreserved bytes are passed at once.
inline bool is_canonically_encoded(std::string_view in, encode_set set, bool separators = false) noexcept {
  const unsigned char mask = static_cast<unsigned char>(set);
  const char* const p = in.data();
  const std::size_t n = in.size();
  std::size_t i = 0;
  while (i < n) {
#if defined(__SSE2__) || defined(_M_X64)
    // skip the unreserved bytes of the next sixteen at once; look closer at the first other one
    if (n - i >= 16) {
      const std::size_t run = unreserved_prefix16(unreserved_mask16(p + i, set, separators));
      i += run;
      if (run == 16) continue;
    }
#endif
    const auto c = static_cast<unsigned char>(p[i]);
    if ((unreserved.bits[c] & mask) || (separators && (c == '&' || c == '='))) {
      ++i;
      continue;
    }
    if (c != '%' || !is_canonical_escape(p, i, n, set)) return false;
    i += 3;
  }
  return true;
}

// The one decoder of a raw query component (a name or a value of "a=1&b=x+y"), used by every
// reader of a raw query in the library, signer and verifier alike: %XX escapes, and '+' as a
// space, as S3 and MinIO read a query (MinIO: Go's url.ParseQuery). Appends to `out` and
// never writes more bytes than `in` has. False, leaving `out` partly written, on a '%' not
// followed by two hex digits.
inline bool append_query_decoded(std::string& out, std::string_view in) {
  std::size_t run = 0;  // start of the bytes that are copied as they are
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c != '+' && c != '%') continue;
    out.append(in.data() + run, i - run);
    if (c == '+') {
      out.push_back(' ');
    } else {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
    run = i + 1;
  }
  out.append(in.data() + run, in.size() - run);
  return true;
}

// Writes the percent-decoding of a path (or of any text but a query component) to `out`, which
// has room for in.size() bytes (decoding never grows text): '+' stays '+', as it does in a URL
// path. Returns the end of what it wrote; sets `ok` to false, having written up to it, at a '%'
// not followed by two hex digits.
inline char* write_uri_decoded(char* out, std::string_view in, bool& ok) noexcept {
  // eight bytes at a time while they hold no '%': a search and an append per escape cost more
  // than the escapes themselves
  char* w = out;
  ok = true;
  for (std::size_t i = 0; i < in.size();) {
    if (in.size() - i >= 8) {
      std::uint64_t word;
      std::memcpy(&word, in.data() + i, 8);
      const std::uint64_t x = word ^ 0x2525252525252525ull;  // a zero byte where a '%' was
      const std::uint64_t found = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
      std::memcpy(w, &word, 8);  // room: w is no further on than i
      if (found == 0) {
        w += 8;
        i += 8;
        continue;
      }
      // the bytes before the word's first '%' are copied already: step over them
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      // (the lowest flagged byte is the first '%': a borrow only flags bytes above a zero)
      const std::size_t before = static_cast<std::size_t>(__builtin_ctzll(found)) / 8;
#else
      std::size_t before = 0;
      while (in[i + before] != '%') ++before;
#endif
      w += before;
      i += before;
    }
    if (in[i] != '%') {
      *w++ = in[i++];
      continue;
    }
    const int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
    const int lo = hi < 0 ? -1 : hex_value(in[i + 2]);
    if (lo < 0) {
      ok = false;
      break;
    }
    *w++ = static_cast<char>(hi * 16 + lo);
    i += 3;
  }
  return w;
}

// Appends the percent-decoding of a path (or of any text but a query component) to `out`
// (write_uri_decoded). Returns false, leaving `out` partly written, when a '%' is not followed
// by two hex digits.
inline bool append_uri_decoded(std::string& out, std::string_view in) {
  const std::size_t at = out.size();
  out.resize(at + in.size());
  bool ok = true;
  char* const end = write_uri_decoded(&out[at], in, ok);
  out.resize(static_cast<std::size_t>(end - out.data()));
  return ok;
}

}  // namespace sigv4::detail

#endif
