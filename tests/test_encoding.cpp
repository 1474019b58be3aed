// The percent-encoder and decoder, over every byte value.
#include "catch.hpp"

#include <cstdio>
#include <string>

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

TEST_CASE("hex helpers", "[encoding]") {
  const unsigned char bytes[] = {0x00, 0x7f, 0x80, 0xff, 0x12};
  CHECK(sigv4::detail::to_hex(bytes, sizeof bytes) == "007f80ff12");
  CHECK(sigv4::detail::is_lower_hex("00ff", 4));
  CHECK_FALSE(sigv4::detail::is_lower_hex("00FF", 4));
  CHECK_FALSE(sigv4::detail::is_lower_hex("00f", 4));
}
