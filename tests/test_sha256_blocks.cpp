// The block-level SHA-256 layer (detail/sha256_blocks.hpp), on every engine the machine has
// (SHA-NI, the fallback: OpenSSL's block function or, with EVP, the portable code) and the
// portable code itself: against OpenSSL's one-shot SHA-256 and HMAC (EVP, the reference) on
// every length 0..1000, random inputs and random splits into block runs, the FIPS 180-2
// examples, and the two-stream function against two single streams.
#include "catch.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <sigv4/detail/hex.hpp>
#include <sigv4/detail/sha256_blocks.hpp>
#include <sigv4/detail/openssl.hpp>

namespace d = sigv4::detail;

namespace {

std::string reference_sha256_hex(const void* data, std::size_t n) {
  unsigned char out[32];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(data, n, out, &len, EVP_sha256(), nullptr) == 1);
  std::string hex;
  d::append_hex(hex, out, 32);
  return hex;
}

std::string hex_of(const unsigned char* p, std::size_t n) {
  std::string hex;
  d::append_hex(hex, p, n);
  return hex;
}

// An engine selected for the scope of a test; the one before is restored.
class engine_scope {
 public:
  explicit engine_scope(d::sha256_engine e) : was_(d::active_sha256_engine()) { ok_ = d::use_sha256_engine(e); }
  ~engine_scope() { d::use_sha256_engine(was_); }
  bool ok() const { return ok_; }

 private:
  d::sha256_engine was_;
  bool ok_ = false;
};

// What each test runs on: every engine this build and processor has, and the portable code.
enum class under_test { sha_ni, fallback, portable };
std::vector<under_test> subjects() {
  std::vector<under_test> v = {under_test::fallback, under_test::portable};
  if (d::cpu_has_sha_ni()) v.push_back(under_test::sha_ni);
  return v;
}
const char* name_of(under_test u) {
  return u == under_test::sha_ni ? "sha_ni" : u == under_test::fallback ? "fallback" : "portable";
}

// Compresses with the subject: the portable function directly, or the dispatcher under the engine.
void compress(under_test u, d::sha256_state& s, const unsigned char* p, std::size_t blocks) {
  if (u == under_test::portable) return d::sha256_blocks_portable(s, p, blocks);
  d::sha256_blocks(s, p, blocks);
}

std::string digest_by_blocks(under_test u, const unsigned char* data, std::size_t n) {
  d::sha256_state s = d::sha256_initial_state;
  const std::size_t whole = n / 64;
  compress(u, s, data, whole);
  unsigned char last[128];
  if (n % 64 != 0) std::memcpy(last, data + whole * 64, n % 64);
  compress(u, s, last, d::sha256_pad(last, n % 64, whole * 64));
  unsigned char out[32];
  d::sha256_digest_of(s, out);
  return hex_of(out, 32);
}

d::sha256_engine engine_of(under_test u) {
  return u == under_test::sha_ni ? d::sha256_engine::sha_ni : d::sha256_engine::fallback;
}

}  // namespace

TEST_CASE("the SHA-NI check agrees with the kernel's CPU flags", "[sha256_blocks]") {
  std::ifstream info("/proc/cpuinfo");
  if (!info) {
    SUCCEED("no /proc/cpuinfo");
    return;
  }
  std::string line;
  bool flags_seen = false, sha_ni = false, sse41 = false, ssse3 = false;
  while (std::getline(info, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    flags_seen = true;
    const std::string padded = line + " ";
    sha_ni = padded.find(" sha_ni ") != std::string::npos;
    sse41 = padded.find(" sse4_1 ") != std::string::npos;
    ssse3 = padded.find(" ssse3 ") != std::string::npos;
    break;
  }
  if (!flags_seen) {
    SUCCEED("no flags line (not x86)");
    return;
  }
#if SIGV4_HAVE_SHA_NI
  CHECK(d::cpu_has_sha_ni() == (sha_ni && sse41 && ssse3));
  const char* off = std::getenv("SIGV4_NO_SHA_NI");
  if (sha_ni && sse41 && ssse3 && !(off && *off)) CHECK(d::active_sha256_engine() == d::sha256_engine::sha_ni);
#else
  CHECK_FALSE(d::cpu_has_sha_ni());
  CHECK(d::active_sha256_engine() == d::sha256_engine::fallback);
  (void)sha_ni, (void)sse41, (void)ssse3;
#endif
}

TEST_CASE("the FIPS 180-2 examples", "[sha256_blocks]") {
  const std::string abc = "abc", two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  const std::string million(1000000, 'a');
  for (under_test u : subjects()) {
    const engine_scope e(engine_of(u));
    INFO(name_of(u));
    const auto p = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
    CHECK(digest_by_blocks(u, p(abc), abc.size()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(digest_by_blocks(u, p(two_blocks), two_blocks.size()) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(digest_by_blocks(u, p(million), million.size()) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }
}

TEST_CASE("every length 0..1000 of random bytes against OpenSSL", "[sha256_blocks]") {
  std::mt19937 rng(17);
  std::vector<unsigned char> data(1000);
  for (auto& b : data) b = static_cast<unsigned char>(rng());
  for (under_test u : subjects()) {
    const engine_scope e(engine_of(u));
    INFO(name_of(u));
    for (std::size_t n = 0; n <= 1000; ++n) {
      INFO("length " << n);
      REQUIRE(digest_by_blocks(u, data.data(), n) == reference_sha256_hex(data.data(), n));
    }
    // the dispatcher's own one-shot helper too
    if (u != under_test::portable)
      for (std::size_t n : {0u, 55u, 56u, 63u, 64u, 119u, 120u, 1000u}) {
        const d::digest out = d::sha256_by_blocks(data.data(), n);
        CHECK(hex_of(out.data(), 32) == reference_sha256_hex(data.data(), n));
      }
  }
}

TEST_CASE("random messages split into random runs of blocks", "[sha256_blocks]") {
  std::mt19937 rng(1717);
  for (under_test u : subjects()) {
    const engine_scope e(engine_of(u));
    INFO(name_of(u));
    for (int round = 0; round < 300; ++round) {
      std::vector<unsigned char> data(rng() % 3000);
      for (auto& b : data) b = static_cast<unsigned char>(rng());
      d::sha256_state s = d::sha256_initial_state;
      const std::size_t whole = data.size() / 64;
      for (std::size_t done = 0; done < whole;) {
        const std::size_t run = std::min<std::size_t>(whole - done, rng() % 6);
        compress(u, s, data.data() + 64 * done, run);
        done += run;
      }
      unsigned char last[128];
      const std::size_t rest = data.size() % 64;
      if (rest) std::memcpy(last, data.data() + 64 * whole, rest);
      compress(u, s, last, d::sha256_pad(last, rest, 64 * whole));
      unsigned char out[32];
      d::sha256_digest_of(s, out);
      INFO("length " << data.size());
      REQUIRE(hex_of(out, 32) == reference_sha256_hex(data.data(), data.size()));
    }
  }
}

TEST_CASE("two streams at once give what two single streams give", "[sha256_blocks]") {
  std::mt19937 rng(99);
  for (under_test u : subjects()) {
    if (u == under_test::portable) continue;
    const engine_scope e(engine_of(u));
    INFO(name_of(u));
    for (int round = 0; round < 500; ++round) {
      const std::size_t na = rng() % 5, nb = rng() % 5;
      std::vector<unsigned char> a(64 * na + 1), b(64 * nb + 1);
      for (auto& x : a) x = static_cast<unsigned char>(rng());
      for (auto& x : b) x = static_cast<unsigned char>(rng());
      d::sha256_state sa, sb;
      for (auto& w : sa.h) w = static_cast<std::uint32_t>(rng());
      for (auto& w : sb.h) w = static_cast<std::uint32_t>(rng());
      d::sha256_state ra = sa, rb = sb;
      d::sha256_blocks_portable(ra, a.data(), na);  // the reference: the portable code, one stream
      d::sha256_blocks_portable(rb, b.data(), nb);
      d::sha256_blocks2(sa, a.data(), na, sb, b.data(), nb);
      INFO("blocks " << na << " and " << nb);
      REQUIRE(std::memcmp(sa.h, ra.h, 32) == 0);
      REQUIRE(std::memcmp(sb.h, rb.h, 32) == 0);
    }
    // and whole messages from the initial state against OpenSSL, in pairs of one length each
    std::vector<unsigned char> data(700);
    for (auto& x : data) x = static_cast<unsigned char>(rng());
    for (std::size_t n = 0; n + 1 < 700; n += 7) {
      unsigned char pa[768], pb[768];
      std::memcpy(pa, data.data(), n);
      std::memcpy(pb, data.data() + 1, n + 1);
      const std::size_t na = d::sha256_pad(pa, n), nb = d::sha256_pad(pb, n + 1);
      d::sha256_state sa = d::sha256_initial_state, sb = d::sha256_initial_state;
      d::sha256_blocks2(sa, pa, na, sb, pb, nb);
      unsigned char oa[32], ob[32];
      d::sha256_digest_of(sa, oa);
      d::sha256_digest_of(sb, ob);
      REQUIRE(hex_of(oa, 32) == reference_sha256_hex(data.data(), n));
      REQUIRE(hex_of(ob, 32) == reference_sha256_hex(data.data() + 1, n + 1));
    }
  }
}

TEST_CASE("HMAC from block states against OpenSSL's HMAC and the context-based key", "[sha256_blocks]") {
  std::mt19937 rng(4);
  for (under_test u : subjects()) {
    if (u == under_test::portable) continue;
    const engine_scope e(engine_of(u));
    INFO(name_of(u));
    for (int round = 0; round < 400; ++round) {
      std::vector<unsigned char> key(rng() % 65), msg(rng() % 400);
      for (auto& x : key) x = static_cast<unsigned char>(rng());
      for (auto& x : msg) x = static_cast<unsigned char>(rng());
      unsigned char want[32];
      unsigned int len = 0;
      REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), msg.data(), msg.size(), want, &len) != nullptr);
      const d::hmac_block_key k(key.data(), key.size());
      unsigned char got[32];
      k.sign(msg.data(), msg.size(), got);
      INFO("key " << key.size() << " message " << msg.size());
      REQUIRE(hex_of(got, 32) == hex_of(want, 32));
      // the same MAC as detail::hmac_sha256_key, whose inner and outer contexts hold one block
      unsigned char ctx_mac[32];
      d::hmac_sha256_key(key.data(), key.size()).sign(msg.data(), msg.size(), ctx_mac);
      REQUIRE(hex_of(ctx_mac, 32) == hex_of(want, 32));
      // finish() from a state past a first whole block of the message
      if (msg.size() >= 64) {
        d::sha256_state st = k.inner();
        d::sha256_blocks(st, msg.data(), 1);
        k.finish(st, 64, msg.data() + 64, msg.size() - 64, got);
        REQUIRE(hex_of(got, 32) == hex_of(want, 32));
        CHECK(std::all_of(st.h, st.h + 8, [](std::uint32_t w) { return w == 0; }));  // wiped
      }
    }
  }
}

TEST_CASE("HMAC with the first block's state kept in a slot gives OpenSSL's HMAC on hits and misses", "[sha256_blocks]") {
  // Messages drawn so that the slot sees repeats (same key, same first block, other tails),
  // the same first block under another key (a key whose state differs by one bit), first
  // blocks seen once, and short messages; the tags name (key, first block) as the callers'
  // do, so a hit must be the same computation. Each MAC against OpenSSL's HMAC.
  std::mt19937 rng(17);
  for (under_test u : subjects()) {
    if (u == under_test::portable) continue;
    const engine_scope e(engine_of(u));
    INFO(name_of(u));
    std::vector<std::vector<unsigned char>> keys(3, std::vector<unsigned char>(32));
    for (auto& k : keys)
      for (auto& x : k) x = static_cast<unsigned char>(rng());
    keys[2] = keys[1];
    keys[2][31] ^= 1;  // one bit from keys[1]
    std::vector<unsigned char> firsts[2] = {std::vector<unsigned char>(64), std::vector<unsigned char>(64)};
    for (auto& f : firsts)
      for (auto& x : f) x = static_cast<unsigned char>(rng());
    d::sha256_block_slot slot;
    std::uint64_t once = 100;  // the tag of a first block seen once
    for (int round = 0; round < 600; ++round) {
      const std::size_t which_key = rng() % 3;
      const auto& key = keys[which_key];
      std::vector<unsigned char> msg;
      std::uint64_t block_tag = 0;
      if (rng() % 8 == 0) {
        msg.resize(rng() % 64);  // shorter than a block: not kept
      } else {
        block_tag = rng() % 2;
        msg = firsts[block_tag];
        if (rng() % 4 == 0) {
          msg[rng() % 64] ^= static_cast<unsigned char>(1 + rng() % 255);
          block_tag = ++once;
        }
        msg.resize(64 + rng() % 200);
        for (std::size_t i = 64; i < msg.size(); ++i) msg[i] = static_cast<unsigned char>(rng());
      }
      unsigned char want[32];
      unsigned int len = 0;
      REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), msg.data(), msg.size(), want, &len) != nullptr);
      const d::hmac_block_key k(key.data(), key.size());
      unsigned char got[32];
      d::hmac_sign_first_block_kept(k, slot, which_key, block_tag, msg.data(), msg.size(), got);
      INFO("round " << round << " message " << msg.size());
      REQUIRE(hex_of(got, 32) == hex_of(want, 32));
    }
  }
}

TEST_CASE("the block state slot keeps one state under its two tags, and clears", "[sha256_blocks]") {
  d::sha256_block_slot slot;
  d::sha256_state s = d::sha256_initial_state, out{};
  CHECK_FALSE(slot.load(0, 5, out));
  slot.store(0, 5, s);
  REQUIRE(slot.load(0, 5, out));
  CHECK(std::memcmp(out.h, s.h, 32) == 0);
  CHECK_FALSE(slot.load(0, 6, out));
  CHECK_FALSE(slot.load(2, 5, out));
  slot.clear();
  CHECK_FALSE(slot.load(0, 5, out));
  slot.store(2, 5, s);
  CHECK(slot.load(2, 5, out));
}
