// The percent-encoder and decoder, over every byte value.
#include "catch.hpp"

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <sigv4/sigv4.hpp>

using sigv4::detail::encode_set;

namespace {
// RFC 3986 section 2.3, written out rather than derived from the encoder's table.
const std::string unreserved_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

std::string expected_encoding(unsigned char b, bool keep_slash) {
  if (unreserved_chars.find(static_cast<char>(b)) != std::string::npos || (keep_slash && b == '/'))
    return std::string(1, static_cast<char>(b));
  char buf[4];
  std::snprintf(buf, sizeof buf, "%%%02X", b);
  return buf;
}
}  // namespace

TEST_CASE("every byte 0x00-0xFF is encoded by the allow-list, upper-case hex", "[encoding]") {
  for (int b = 0; b < 256; ++b) {
    const std::string in(1, static_cast<char>(b));
    INFO("byte " << b);
    CHECK(sigv4::detail::uri_encode(in, encode_set::component) == expected_encoding(static_cast<unsigned char>(b), false));
    CHECK(sigv4::detail::uri_encode(in, encode_set::path) == expected_encoding(static_cast<unsigned char>(b), true));
    CHECK(sigv4::detail::uri_encoded_size(in, encode_set::component) == expected_encoding(static_cast<unsigned char>(b), false).size());
  }
}

TEST_CASE("all 256 bytes in one string encode and decode back", "[encoding]") {
  std::string all, expected;
  for (int b = 0; b < 256; ++b) {
    all.push_back(static_cast<char>(b));
    expected += expected_encoding(static_cast<unsigned char>(b), false);
  }
  const std::string enc = sigv4::detail::uri_encode(all, encode_set::component);
  CHECK(enc == expected);
  std::string dec;
  REQUIRE(sigv4::detail::append_uri_decoded(dec, enc));
  CHECK(dec == all);
}

TEST_CASE("space is %20 and plus is %2B, never the form encoding", "[encoding]") {
  CHECK(sigv4::detail::uri_encode("a b+c", encode_set::component) == "a%20b%2Bc");
  CHECK(sigv4::detail::uri_encode("/a b/c", encode_set::path) == "/a%20b/c");
  CHECK(sigv4::detail::uri_encode("/a b/c", encode_set::component) == "%2Fa%20b%2Fc");
  CHECK(sigv4::detail::uri_encode("\xE1\x88\xB4", encode_set::path) == "%E1%88%B4");
}

TEST_CASE("decoding: either hex case, '+' literal, malformed escapes refused", "[encoding]") {
  std::string out;
  CHECK(sigv4::detail::append_uri_decoded(out, "%e1%88%B4+%20"));
  CHECK(out == "\xE1\x88\xB4+ ");
  for (const char* bad : {"%", "%2", "%zz", "a%g0", "%%41"}) {
    std::string o;
    INFO(bad);
    CHECK_FALSE(sigv4::detail::append_uri_decoded(o, bad));
  }
}

TEST_CASE("decoding: an escape at every place of the eight-byte words, and the text around it", "[encoding]") {
  // the decoder copies eight bytes at a time while they hold no '%': every alignment of an
  // escape, a '%' in the last bytes, and malformed escapes anywhere
  for (std::size_t len = 0; len <= 40; ++len) {
    for (std::size_t at = 0; at <= len; ++at) {
      const std::string before(at, 'a'), after(len - at, 'z');
      INFO("length " << len << " escape at " << at);
      std::string out = "kept";
      REQUIRE(sigv4::detail::append_uri_decoded(out, before + "%41" + after));
      CHECK(out == "kept" + before + "A" + after);
      std::string o1, o2, o3;
      CHECK_FALSE(sigv4::detail::append_uri_decoded(o1, before + "%4"));
      CHECK_FALSE(sigv4::detail::append_uri_decoded(o2, before + "%g1" + after));
      CHECK_FALSE(sigv4::detail::append_uri_decoded(o3, before + "%" + after.substr(0, 1)));
      CHECK(o2 == before);  // written up to the malformed escape
    }
  }
}

TEST_CASE("hex helpers", "[encoding]") {
  const unsigned char bytes[] = {0x00, 0x7f, 0x80, 0xff, 0x12};
  CHECK(sigv4::detail::to_hex(bytes, sizeof bytes) == "007f80ff12");
  CHECK(sigv4::detail::is_lower_hex("00ff", 4));
  CHECK_FALSE(sigv4::detail::is_lower_hex("00FF", 4));
  CHECK_FALSE(sigv4::detail::is_lower_hex("00f", 4));
}

TEST_CASE("the presigner's encoder agrees for every byte at every place of a long string", "[encoding]") {
  // write_uri_encoded takes sixteen bytes at a time when none needs an escape: put each byte
  // value at each position of a 40-byte run of unreserved text, so that it falls in a whole
  // chunk, at its edges and in the tail.
  for (const bool path : {false, true}) {
    const encode_set set = path ? encode_set::path : encode_set::component;
    for (int b = 0; b < 256; ++b) {
      for (std::size_t at = 0; at < 40; ++at) {
        std::string in(40, 'x');
        in[at] = static_cast<char>(b);
        const std::string expected =
            in.substr(0, at) + expected_encoding(static_cast<unsigned char>(b), path) + in.substr(at + 1);
        std::string out(3 * in.size(), '\0');
        out.resize(static_cast<std::size_t>(sigv4::detail::write_uri_encoded(&out[0], in, set) - out.data()));
        INFO("byte " << b << " at " << at << (path ? " (path)" : " (component)"));
        REQUIRE(out == expected);
      }
    }
  }
  // and a long key of every unreserved character, which is copied sixteen bytes at a time
  const std::string all = unreserved_chars + "/" + unreserved_chars;
  std::string out(3 * all.size(), '\0');
  out.resize(static_cast<std::size_t>(sigv4::detail::write_uri_encoded(&out[0], all, encode_set::path) - out.data()));
  CHECK(out == all);
}

TEST_CASE("hex_encode matches printf for every byte value and every length to 80", "[encoding]") {
  std::string bytes;
  for (int i = 0; i < 80; ++i) bytes.push_back(static_cast<char>((i * 73 + 11) & 0xff));
  for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  for (std::size_t n = 0; n <= bytes.size(); n += (n < 80 ? 1 : 16)) {
    const auto* in = reinterpret_cast<const unsigned char*>(bytes.data() + (n <= 80 ? 0 : bytes.size() - n));
    std::string expected;
    for (std::size_t i = 0; i < n; ++i) {
      char buf[3];
      std::snprintf(buf, sizeof buf, "%02x", in[i]);
      expected += buf;
    }
    INFO("length " << n);
    CHECK(sigv4::detail::to_hex(in, n) == expected);
  }
}

namespace {
// The UTF-8 encoding of a code point (no checks), to build the validator's expectations from
// the definition rather than from the validator.
std::string utf8_of(unsigned cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}
}  // namespace

TEST_CASE("UTF-8: every scalar value is accepted, surrogates and malformed sequences are not", "[encoding]") {
  using sigv4::detail::is_valid_utf8;
  for (unsigned cp = 0; cp <= 0x10FFFF; ++cp) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    // after 0..8 ASCII bytes, so that the sequence also meets the eight-byte ASCII scan
    const std::string s = std::string(cp % 9, 'k') + utf8_of(cp) + "tail";
    if (is_valid_utf8(s) == surrogate) {
      INFO("code point " << cp);
      FAIL("wrong verdict");
    }
  }
  // every two-byte string: valid exactly when it is ASCII+ASCII or the encoding of U+0080..U+07FF
  for (unsigned a = 0; a < 256; ++a) {
    for (unsigned b = 0; b < 256; ++b) {
      const std::string s{static_cast<char>(a), static_cast<char>(b)};
      const bool expected = (a < 0x80 && b < 0x80) || (a >= 0xC2 && a <= 0xDF && b >= 0x80 && b <= 0xBF);
      if (is_valid_utf8(s) != expected) {
        INFO("bytes " << a << " " << b);
        FAIL("wrong verdict");
      }
    }
  }
  for (const char* bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xF0\x80\x80\xAF", "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80",
                          "\xFF", "abcdefgh\x80", "abcdefghijklmno\xE1\x88", "\xED\xA0\x80"}) {
    INFO(bad);
    CHECK_FALSE(is_valid_utf8(bad));
  }
}

// The one-pass query scanner against a plain reading of the rules, written here byte by byte:
// split at '&' (empty pieces skipped) and the first '='; canonical when every byte of name and
// value is unreserved or the '%' of an upper-case escape of a byte that is not, and the value
// holds no '='.
namespace {
bool plain_canonical(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (unreserved_chars.find(c) != std::string::npos) continue;
    if (c != '%' || i + 2 >= s.size()) return false;
    const std::string hex = s.substr(i + 1, 2);
    if (hex.find_first_not_of("0123456789ABCDEF") != std::string::npos) return false;
    const char decoded = static_cast<char>(std::stoi(hex, nullptr, 16));
    if (decoded != 0 && unreserved_chars.find(decoded) != std::string::npos) return false;
    i += 2;
  }
  return true;
}
struct piece {
  std::string name, value;
  bool has_equals, canonical;
  bool operator==(const piece& o) const {
    return name == o.name && value == o.value && has_equals == o.has_equals && canonical == o.canonical;
  }
};
std::vector<piece> plain_scan(const std::string& q) {
  std::vector<piece> out;
  std::size_t i = 0;
  while (i <= q.size()) {
    std::size_t j = q.find('&', i);
    if (j == std::string::npos) j = q.size();
    const std::string p = q.substr(i, j - i);
    if (!p.empty()) {
      const std::size_t eq = p.find('=');
      piece x{p.substr(0, eq), eq == std::string::npos ? "" : p.substr(eq + 1), eq != std::string::npos, false};
      x.canonical = plain_canonical(x.name) && plain_canonical(x.value) && x.value.find('=') == std::string::npos;
      out.push_back(x);
    }
    i = j + 1;
  }
  return out;
}
}  // namespace

TEST_CASE("scan_raw_query agrees with a plain reading of the rules on random queries", "[encoding][query]") {
  std::mt19937 rng(20261203);
  const std::string alphabet = "aZ09-._~&&==%%%2F3D4a+ /\x01\xc3\xa9";
  for (int round = 0; round < 20000; ++round) {
    std::string q;
    const std::size_t len = rng() % 300;  // past many of the scanner's sixteen-byte runs
    for (std::size_t i = 0; i < len; ++i) q.push_back(alphabet[rng() % alphabet.size()]);
    std::vector<piece> got;
    sigv4::detail::scan_raw_query(q, [&](std::string_view n, std::string_view v, bool eq, bool canonical, bool escaped) {
      CHECK(escaped == (v.find('%') != std::string_view::npos));
      // both views point into the query; a value without '=' sits at the piece's end
      CHECK(n.data() >= q.data());
      CHECK(v.data() + v.size() <= q.data() + q.size());
      got.push_back({std::string(n), std::string(v), eq, canonical});
    });
    INFO(q);
    CHECK(got == plain_scan(q));
  }
}
