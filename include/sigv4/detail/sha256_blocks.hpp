// sigv4 — SHA-256 one block at a time: an eight-word state, a function that compresses whole
// 64-byte blocks into it (the caller pads its own last blocks: 0x80, zeros, the message length
// in bits, big-endian), a two-stream version that keeps two independent states in flight, and
// HMAC-SHA256 over such states.
//
// Engines, chosen once at run time:
//   sha_ni    own code with the SHA extensions (x86-64, GCC or Clang; CPUID leaf 7 EBX bit 29,
//             with SSSE3 and SSE4.1). One block waits ~131 cycles for the last (the latency of
//             32 dependent sha256rnds2); two independent streams interleaved take ~96 cycles a
//             block, the unit's throughput.
//   fallback  OpenSSL's block function (detail/openssl.hpp) with the low-level back end; with
//             the EVP back end, which offers none, a portable C++ compression.
// SIGV4_NO_SHA_NI compiles the SHA-NI code out; the environment variable SIGV4_NO_SHA_NI (any
// non-empty value, read once) or use_sha256_engine() (for tests) selects the fallback.
#ifndef SIGV4_DETAIL_SHA256_BLOCKS_HPP
#define SIGV4_DETAIL_SHA256_BLOCKS_HPP

#include "config.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "openssl.hpp"
#include "seqlock.hpp"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

#if !defined(SIGV4_NO_SHA_NI) && (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define SIGV4_HAVE_SHA_NI 1
#include <cpuid.h>
// <smmintrin.h> (SSE4.1 and what it builds on) and the three SHA instructions through the
// compilers' builtins, instead of <immintrin.h>, which would cost every includer about half a
// second of compile time (GCC's <shaintrin.h> may only be reached through <immintrin.h>).
#include <smmintrin.h>
#define SIGV4_SHA_NI_TARGET __attribute__((target("sha,sse4.1,ssse3")))
#else
#define SIGV4_HAVE_SHA_NI 0
#endif

namespace sigv4::detail {
SIGV4_BACKEND_NS_BEGIN

#if SIGV4_HAVE_SHA_NI
// The SHA extensions' three instructions (GCC and Clang name their builtins alike).
SIGV4_SHA_NI_TARGET inline __m128i sha256rnds2(__m128i cdgh, __m128i abef, __m128i wk) noexcept {
  return reinterpret_cast<__m128i>(__builtin_ia32_sha256rnds2(reinterpret_cast<__v4si>(cdgh),
                                                              reinterpret_cast<__v4si>(abef),
                                                              reinterpret_cast<__v4si>(wk)));
}
SIGV4_SHA_NI_TARGET inline __m128i sha256msg1(__m128i a, __m128i b) noexcept {
  return reinterpret_cast<__m128i>(__builtin_ia32_sha256msg1(reinterpret_cast<__v4si>(a), reinterpret_cast<__v4si>(b)));
}
SIGV4_SHA_NI_TARGET inline __m128i sha256msg2(__m128i a, __m128i b) noexcept {
  return reinterpret_cast<__m128i>(__builtin_ia32_sha256msg2(reinterpret_cast<__v4si>(a), reinterpret_cast<__v4si>(b)));
}
#endif

// The eight working words H0..H7 between blocks.
struct sha256_state {
  std::uint32_t h[8];
};
inline constexpr sha256_state sha256_initial_state = {
    {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u}};

// Overwrites a buffer that held key material; cheaper than OPENSSL_cleanse for the few bytes
// of a state (no call): the compiler must assume the asm reads the zeros, so it keeps them.
inline void wipe_bytes(void* p, std::size_t n) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
#else
  cleanse(p, n);
#endif
}
inline void wipe(sha256_state& s) noexcept { wipe_bytes(s.h, sizeof s.h); }

inline constexpr std::uint32_t sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

inline std::uint32_t load_be32(const unsigned char* p) noexcept {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | static_cast<std::uint32_t>(p[3]);
}
inline std::uint32_t byte_swap32(std::uint32_t v) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_bswap32(v);
#else
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
#endif
}
inline std::uint64_t byte_swap64(std::uint64_t v) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_bswap64(v);
#else
  return static_cast<std::uint64_t>(byte_swap32(static_cast<std::uint32_t>(v))) << 32 |
         byte_swap32(static_cast<std::uint32_t>(v >> 32));
#endif
}
inline bool little_endian() noexcept {
  const std::uint16_t one = 1;
  unsigned char first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}
inline void store_be32(unsigned char* p, std::uint32_t v) noexcept {
  if (little_endian()) v = byte_swap32(v);
  std::memcpy(p, &v, 4);
}
inline void store_be64(unsigned char* p, std::uint64_t v) noexcept {
  if (little_endian()) v = byte_swap64(v);
  std::memcpy(p, &v, 8);
}

// The 32-byte digest of a final state. With SSE2, sixteen bytes at a time: the state was
// stored so by the SHA-NI engine and the digest is read so (hex_encode, the next block), and
// a sixteen-byte load of what four-byte stores wrote cannot take the data from the store
// buffer: it waits for the stores to reach the cache, on the critical path between two
// chains of compressions.
inline void sha256_digest_of(const sha256_state& s, unsigned char* out) noexcept {
#if defined(__SSE2__) || defined(_M_X64)
  for (int i = 0; i < 2; ++i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.h + 4 * i));
    v = _mm_shufflehi_epi16(_mm_shufflelo_epi16(v, 0xB1), 0xB1);  // the halves of each word swapped
    v = _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));  // and the bytes of each half
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * i), v);
  }
#else
  for (int i = 0; i < 8; ++i) store_be32(out + 4 * i, s.h[i]);
#endif
}

// The portable compression (FIPS 180-4 6.2.2): the fallback of the EVP back end, and a third
// opinion in the tests.
inline void sha256_blocks_portable(sha256_state& s, const unsigned char* data, std::size_t blocks) noexcept {
  const auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  std::uint32_t w[64];
  for (std::size_t b = 0; b < blocks; ++b, data += 64) {
    for (int t = 0; t < 16; ++t) w[t] = load_be32(data + 4 * t);
    for (int t = 16; t < 64; ++t) {
      const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
      const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    std::uint32_t a = s.h[0], b1 = s.h[1], c = s.h[2], d = s.h[3], e = s.h[4], f = s.h[5], g = s.h[6], h = s.h[7];
    for (int t = 0; t < 64; ++t) {
      const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + sha256_k[t] + w[t];
      const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b1) ^ (a & c) ^ (b1 & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b1;
      b1 = a;
      a = t1 + t2;
    }
    s.h[0] += a;
    s.h[1] += b1;
    s.h[2] += c;
    s.h[3] += d;
    s.h[4] += e;
    s.h[5] += f;
    s.h[6] += g;
    s.h[7] += h;
  }
  wipe_bytes(w, sizeof w);  // the schedule of a key block is key material
}

// The fallback engine: OpenSSL's block function where the back end has one.
inline void sha256_blocks_fallback(sha256_state& s, const unsigned char* data, std::size_t blocks) noexcept {
#if SIGV4_LOW_LEVEL_SHA256
  openssl_sha256_blocks(s.h, data, blocks);
#else
  sha256_blocks_portable(s, data, blocks);
#endif
}

#if SIGV4_HAVE_SHA_NI
// SHA-NI keeps the state as two vectors, ABEF and CDGH (lane 3 first).
struct sha_ni_state {
  __m128i abef, cdgh;
};

SIGV4_SHA_NI_TARGET inline sha_ni_state sha_ni_load(const sha256_state& s) noexcept {
  const __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.h)), 0xB1);  // lanes B A D C
  const __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.h + 4)), 0x1B);  // H G F E
  return {_mm_alignr_epi8(abcd, efgh, 8), _mm_blend_epi16(efgh, abcd, 0xF0)};  // F E B A, H G D C
}

SIGV4_SHA_NI_TARGET inline void sha_ni_store(const sha_ni_state& v, sha256_state& s) noexcept {
  const __m128i feba = _mm_shuffle_epi32(v.abef, 0x1B);  // A B E F
  const __m128i dchg = _mm_shuffle_epi32(v.cdgh, 0xB1);  // G H C D
  _mm_storeu_si128(reinterpret_cast<__m128i*>(s.h), _mm_blend_epi16(feba, dchg, 0xF0));       // A B C D
  _mm_storeu_si128(reinterpret_cast<__m128i*>(s.h + 4), _mm_alignr_epi8(dchg, feba, 8));      // E F G H
}

// Four rounds with the message words `w` (already plus their constants).
#define SIGV4_SHA_NI_4ROUNDS(st, wk)                                  \
  do {                                                                \
    (st).cdgh = sha256rnds2((st).cdgh, (st).abef, (wk));     \
    (st).abef = sha256rnds2((st).abef, (st).cdgh, _mm_shuffle_epi32((wk), 0x0E)); \
  } while (0)

// The next four schedule words from the last sixteen (w0 oldest).
#define SIGV4_SHA_NI_SCHEDULE(w0, w1, w2, w3) \
  sha256msg2(_mm_add_epi32(sha256msg1((w0), (w1)), _mm_alignr_epi8((w3), (w2), 4)), (w3))

SIGV4_SHA_NI_TARGET inline __m128i sha_ni_k(int i) noexcept {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(sha256_k + 4 * i));
}

SIGV4_SHA_NI_TARGET inline __m128i sha_ni_message(const unsigned char* p) noexcept {
  const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
  return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), swap);
}

// One block into `st` (in SHA-NI form).
SIGV4_SHA_NI_TARGET inline void sha_ni_block(sha_ni_state& st, const unsigned char* p) noexcept {
  const sha_ni_state saved = st;
  __m128i w[4] = {sha_ni_message(p), sha_ni_message(p + 16), sha_ni_message(p + 32), sha_ni_message(p + 48)};
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) {
    if (i >= 4) w[i & 3] = SIGV4_SHA_NI_SCHEDULE(w[i & 3], w[(i + 1) & 3], w[(i + 2) & 3], w[(i + 3) & 3]);
    SIGV4_SHA_NI_4ROUNDS(st, _mm_add_epi32(w[i & 3], sha_ni_k(i)));
  }
  st.abef = _mm_add_epi32(st.abef, saved.abef);
  st.cdgh = _mm_add_epi32(st.cdgh, saved.cdgh);
}

// One block into each of two independent states, the rounds of the two interleaved so that
// each sha256rnds2 of one stream issues while the other's waits for its result.
SIGV4_SHA_NI_TARGET inline void sha_ni_block2(sha_ni_state& a, const unsigned char* pa, sha_ni_state& b,
                                              const unsigned char* pb) noexcept {
  const sha_ni_state saved_a = a, saved_b = b;
  __m128i wa[4] = {sha_ni_message(pa), sha_ni_message(pa + 16), sha_ni_message(pa + 32), sha_ni_message(pa + 48)};
  __m128i wb[4] = {sha_ni_message(pb), sha_ni_message(pb + 16), sha_ni_message(pb + 32), sha_ni_message(pb + 48)};
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) {
    if (i >= 4) {
      wa[i & 3] = SIGV4_SHA_NI_SCHEDULE(wa[i & 3], wa[(i + 1) & 3], wa[(i + 2) & 3], wa[(i + 3) & 3]);
      wb[i & 3] = SIGV4_SHA_NI_SCHEDULE(wb[i & 3], wb[(i + 1) & 3], wb[(i + 2) & 3], wb[(i + 3) & 3]);
    }
    const __m128i k = sha_ni_k(i);
    const __m128i ka = _mm_add_epi32(wa[i & 3], k), kb = _mm_add_epi32(wb[i & 3], k);
    a.cdgh = sha256rnds2(a.cdgh, a.abef, ka);
    b.cdgh = sha256rnds2(b.cdgh, b.abef, kb);
    a.abef = sha256rnds2(a.abef, a.cdgh, _mm_shuffle_epi32(ka, 0x0E));
    b.abef = sha256rnds2(b.abef, b.cdgh, _mm_shuffle_epi32(kb, 0x0E));
  }
  a.abef = _mm_add_epi32(a.abef, saved_a.abef);
  a.cdgh = _mm_add_epi32(a.cdgh, saved_a.cdgh);
  b.abef = _mm_add_epi32(b.abef, saved_b.abef);
  b.cdgh = _mm_add_epi32(b.cdgh, saved_b.cdgh);
}
#undef SIGV4_SHA_NI_4ROUNDS
#undef SIGV4_SHA_NI_SCHEDULE

SIGV4_SHA_NI_TARGET inline void sha256_blocks_sha_ni(sha256_state& s, const unsigned char* data,
                                                     std::size_t blocks) noexcept {
  sha_ni_state st = sha_ni_load(s);
  for (std::size_t i = 0; i < blocks; ++i) sha_ni_block(st, data + 64 * i);
  sha_ni_store(st, s);
}

// `na` blocks into `a` and `nb` into `b`: two at a time while both streams have some, then the
// rest of the longer one alone.
SIGV4_SHA_NI_TARGET inline void sha256_blocks2_sha_ni(sha256_state& a, const unsigned char* pa, std::size_t na,
                                                      sha256_state& b, const unsigned char* pb,
                                                      std::size_t nb) noexcept {
  sha_ni_state x = sha_ni_load(a), y = sha_ni_load(b);
  std::size_t i = 0;
  for (; i < na && i < nb; ++i) sha_ni_block2(x, pa + 64 * i, y, pb + 64 * i);
  for (std::size_t j = i; j < na; ++j) sha_ni_block(x, pa + 64 * j);
  for (std::size_t j = i; j < nb; ++j) sha_ni_block(y, pb + 64 * j);
  sha_ni_store(x, a);
  sha_ni_store(y, b);
}

// Whether the processor has SHA-NI with SSSE3 and SSE4.1 (CPUID leaves 1 and 7).
inline bool cpu_has_sha_ni() noexcept {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool ssse3 = (c & (1u << 9)) != 0, sse41 = (c & (1u << 19)) != 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  return ssse3 && sse41 && (b & (1u << 29)) != 0;
}
#else
inline bool cpu_has_sha_ni() noexcept { return false; }
#endif

enum class sha256_engine : int { sha_ni, fallback };

// The engine in use: decided on first use (CPU, SIGV4_NO_SHA_NI in the environment), then
// changed only by use_sha256_engine.
inline std::atomic<int>& sha256_engine_choice() noexcept {
  static std::atomic<int> choice{[] {
    const char* off = std::getenv("SIGV4_NO_SHA_NI");
    const bool sha_ni = cpu_has_sha_ni() && !(off != nullptr && *off != '\0');
    return static_cast<int>(sha_ni ? sha256_engine::sha_ni : sha256_engine::fallback);
  }()};
  return choice;
}
inline sha256_engine active_sha256_engine() noexcept {
  return static_cast<sha256_engine>(sha256_engine_choice().load(std::memory_order_relaxed));
}
// For tests and measurements: selects an engine for the whole program; false (and no change)
// for sha_ni on a processor or build without it. Not meant to race with hashing threads.
inline bool use_sha256_engine(sha256_engine e) noexcept {
  if (e == sha256_engine::sha_ni && !cpu_has_sha_ni()) return false;
  sha256_engine_choice().store(static_cast<int>(e), std::memory_order_relaxed);
  return true;
}

// Compresses `blocks` whole 64-byte blocks at `data` into `s`.
inline void sha256_blocks(sha256_state& s, const void* data, std::size_t blocks) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
#if SIGV4_HAVE_SHA_NI
  if (active_sha256_engine() == sha256_engine::sha_ni) return sha256_blocks_sha_ni(s, p, blocks);
#endif
  sha256_blocks_fallback(s, p, blocks);
}

// Two independent streams at once: `na` blocks at `pa` into `a`, `nb` at `pb` into `b`. With
// SHA-NI the blocks of the two are interleaved (while both have some); the fallback does one
// stream after the other.
inline void sha256_blocks2(sha256_state& a, const void* pa, std::size_t na, sha256_state& b, const void* pb,
                           std::size_t nb) noexcept {
  const auto* x = static_cast<const unsigned char*>(pa);
  const auto* y = static_cast<const unsigned char*>(pb);
#if SIGV4_HAVE_SHA_NI
  if (active_sha256_engine() == sha256_engine::sha_ni) return sha256_blocks2_sha_ni(a, x, na, b, y, nb);
#endif
  sha256_blocks_fallback(a, x, na);
  sha256_blocks_fallback(b, y, nb);
}

// The padded size of a message of `n` bytes (0x80, zeros, 8 bytes of length): whole blocks.
constexpr std::size_t sha256_padded_size(std::size_t n) noexcept { return (n + 8) / 64 * 64 + 64; }

// Pads the message of `n` bytes at the start of `buf` in place, up to sha256_padded_size(n)
// (which `buf` must have room for); `prefix_bytes` already hashed before it (whole blocks: a
// key block, say) count in the length. Returns the number of blocks.
inline std::size_t sha256_pad(unsigned char* buf, std::size_t n, std::uint64_t prefix_bytes = 0) noexcept {
  const std::size_t total = sha256_padded_size(n);
  buf[n] = 0x80;
  std::memset(buf + n + 1, 0, total - n - 9);
  store_be64(buf + total - 8, (prefix_bytes + n) * 8);
  return total / 64;
}

// SHA-256 of a whole message through the block layer (for tests, and short one-off messages).
inline digest sha256_by_blocks(const void* data, std::size_t n) {
  sha256_state s = sha256_initial_state;
  const std::size_t whole = n / 64;
  sha256_blocks(s, data, whole);
  unsigned char last[128];
  const std::size_t rest = n - whole * 64;
  if (rest != 0) std::memcpy(last, static_cast<const unsigned char*>(data) + whole * 64, rest);
  sha256_blocks(s, last, sha256_pad(last, rest, whole * 64));
  digest out;
  sha256_digest_of(s, out.data());
  return out;
}

// The HMAC-SHA256 states of a key of at most 64 bytes (RFC 2104): the state after the key
// block xor ipad, and after the key block xor opad. Wiped when it dies.
class hmac_block_key {
 public:
  hmac_block_key(const void* key, std::size_t n) noexcept {
    unsigned char block[64] = {};
    if (n != 0) std::memcpy(block, key, n < 64 ? n : 64);
    for (auto& b : block) b ^= 0x36;
    inner_ = sha256_initial_state;
    sha256_blocks(inner_, block, 1);
    for (auto& b : block) b ^= 0x36 ^ 0x5c;
    outer_ = sha256_initial_state;
    sha256_blocks(outer_, block, 1);
    wipe_bytes(block, sizeof block);
  }
  // From the two states of a key saved earlier (inner(), outer()): for the caches that keep them.
  hmac_block_key(const sha256_state& inner, const sha256_state& outer) noexcept : inner_(inner), outer_(outer) {}
  hmac_block_key(const hmac_block_key&) = default;
  hmac_block_key& operator=(const hmac_block_key&) = default;
  ~hmac_block_key() {
    wipe(inner_);
    wipe(outer_);
  }

  const sha256_state& inner() const noexcept { return inner_; }
  const sha256_state& outer() const noexcept { return outer_; }

  // The outer block of an HMAC: the inner hash, padded as the second block of the outer hash.
  static void outer_block(const sha256_state& inner_final, unsigned char (&block)[64]) noexcept {
    sha256_digest_of(inner_final, block);
    sha256_pad(block, 32, 64);
  }

  // HMAC(key, prefix + message): `st` is the inner state after the prefix (`prefix_bytes`
  // whole blocks after the key block), the message is `n` bytes; writes the 32-byte MAC.
  // `st` is wiped. A message that fits is copied and padded on the stack and compressed in
  // one run (the message is no key material; the states and the inner hash are wiped).
  void finish(sha256_state& st, std::uint64_t prefix_bytes, const void* message, std::size_t n,
              unsigned char* mac) const noexcept {
    unsigned char buf[256];
    const auto* m = static_cast<const unsigned char*>(message);
    std::size_t whole = 0;  // blocks compressed straight from the message
    if (sha256_padded_size(n) > sizeof buf) {
      whole = n / 64;
      sha256_blocks(st, m, whole);
    }
    const std::size_t rest = n - whole * 64;
    if (rest != 0) std::memcpy(buf, m + whole * 64, rest);
    finish_padded(st, buf, sha256_pad(buf, rest, 64 + prefix_bytes + whole * 64), mac);
  }

  // HMAC(key, prefix + message) as finish, for a message already padded as the end of the
  // inner hash: `blocks` whole blocks at `padded`.
  void finish_padded(sha256_state& st, const unsigned char* padded, std::size_t blocks,
                     unsigned char* mac) const noexcept {
    sha256_blocks(st, padded, blocks);
    unsigned char block[64];
    outer_block(st, block);
    sha256_state out = outer_;
    sha256_blocks(out, block, 1);
    sha256_digest_of(out, mac);
    wipe(st);
    wipe(out);
    wipe_bytes(block, 32);  // the inner hash (the rest is padding)
  }

  // HMAC(key, message) into mac[0..32).
  void sign(const void* message, std::size_t n, unsigned char* mac) const noexcept {
    sha256_state st = inner_;
    finish(st, 0, message, n, mac);
  }

 private:
  sha256_state inner_;
  sha256_state outer_;
};

// An eight-word state as four relaxed atomic words, for states that threads share under a
// detail::seqlock (the reader discards what it read when a writer intervened).
class shared_sha256_state {
 public:
  void put(const sha256_state& s) noexcept {
    for (std::size_t i = 0; i < 4; ++i)
      words_[i].store(static_cast<std::uint64_t>(s.h[2 * i]) | static_cast<std::uint64_t>(s.h[2 * i + 1]) << 32,
                      std::memory_order_relaxed);
  }
  void get(sha256_state& out) const noexcept {
    for (std::size_t i = 0; i < 4; ++i) {
      const std::uint64_t w = words_[i].load(std::memory_order_relaxed);
      out.h[2 * i] = static_cast<std::uint32_t>(w);
      out.h[2 * i + 1] = static_cast<std::uint32_t>(w >> 32);
    }
  }
  void zero() noexcept {
    for (auto& w : words_) w.store(0, std::memory_order_relaxed);
  }

 private:
  std::atomic<std::uint64_t> words_[4] = {{0}, {0}, {0}, {0}};
};

// One eight-word state shared between threads without a mutex, under a two-word tag (a
// detail::seqlock, as detail::key_cache's records are). Wiped when it dies.
class sha256_block_slot {
 public:
  sha256_block_slot() = default;
  sha256_block_slot(const sha256_block_slot&) = delete;
  sha256_block_slot& operator=(const sha256_block_slot&) = delete;
  ~sha256_block_slot() {
    state_.zero();
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }

  // Copies the state stored under (`tag`, `tag2`) into `out`; false (`out` unspecified) when
  // the slot holds another tag or is being written.
  bool load(std::uint64_t tag, std::uint64_t tag2, sha256_state& out) const noexcept {
    std::uint64_t before;
    if (!lock_.read_begin(before) || tag_[0].load(std::memory_order_relaxed) != tag ||
        tag_[1].load(std::memory_order_relaxed) != tag2)
      return false;
    state_.get(out);
    return lock_.read_valid(before);
  }

  // Stores `s` under (`tag`, `tag2`), unless another thread is storing right now.
  void store(std::uint64_t tag, std::uint64_t tag2, const sha256_state& s) noexcept {
    std::uint64_t seq;
    if (!lock_.try_write_begin(seq)) return;
    put(tag, tag2, s);
    lock_.write_end(seq);
  }

  // Empties the slot and zeroes its state, waiting for a thread that is storing.
  void clear() noexcept {
    const std::uint64_t seq = lock_.write_begin();
    put(no_tag, no_tag, sha256_state{});
    lock_.write_end(seq);
  }

 private:
  // (odd: never a generation of detail::key_cache's records, nor a second of the day)
  static constexpr std::uint64_t no_tag = ~std::uint64_t{0};
  void put(std::uint64_t tag, std::uint64_t tag2, const sha256_state& s) noexcept {
    state_.put(s);
    tag_[0].store(tag, std::memory_order_relaxed);
    tag_[1].store(tag2, std::memory_order_relaxed);
  }

  seqlock lock_;
  std::atomic<std::uint64_t> tag_[2] = {{no_tag}, {no_tag}};
  shared_sha256_state state_;
};

// HMAC(key, message) into mac[0..32), with the inner state after the message's first block
// taken from `slot` when it holds one under (`tag`, `tag2`), else computed and offered to it.
// The caller's tags must name the key and the first block exactly (detail::key_cache: the
// record's generation and the X-Amz-Date's second, the record fixing key and scope, for a
// string to sign whose first block ends inside the scope: string_to_sign_first_block_is_fixed);
// the slot's owner wipes it. Messages shorter than a block are signed plainly.
inline void hmac_sign_first_block_kept(const hmac_block_key& key, sha256_block_slot& slot, std::uint64_t tag,
                                       std::uint64_t tag2, const void* message, std::size_t n,
                                       unsigned char* mac) noexcept {
  if (n < sha256_block_size) return key.sign(message, n, mac);
  const auto* m = static_cast<const unsigned char*>(message);
  sha256_state st;
  if (!slot.load(tag, tag2, st)) {
    st = key.inner();
    sha256_blocks(st, m, 1);
    slot.store(tag, tag2, st);
  }
  key.finish(st, sha256_block_size, m + sha256_block_size, n - sha256_block_size, mac);
}

SIGV4_BACKEND_NS_END
}  // namespace sigv4::detail

#undef SIGV4_SHA_NI_TARGET

#endif
