// sigv4 — the only place that touches OpenSSL: SHA-256, HMAC-SHA256 with precomputed key
// states, constant-time comparison and wiping.
//
// Two back ends, one switch: OpenSSL's low-level SHA256_* functions (deprecated in OpenSSL 3
// but shipped, and the fastest path: a context is a plain struct that copies for free), or EVP
// when the deprecated API is compiled out (OPENSSL_NO_DEPRECATED_3_0) or SIGV4_USE_EVP is set.
#ifndef SIGV4_DETAIL_OPENSSL_HPP
#define SIGV4_DETAIL_OPENSSL_HPP

#include "config.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "../errors.hpp"

#if !defined(SIGV4_USE_EVP) && !defined(OPENSSL_NO_DEPRECATED_3_0)
#define SIGV4_LOW_LEVEL_SHA256 1
#include <openssl/sha.h>
#else
#define SIGV4_LOW_LEVEL_SHA256 0
#endif

// Each back end's hashing types and everything built on them live in an inline namespace of
// their own: a program whose translation units disagree on SIGV4_USE_EVP then holds two
// distinct sets of types, instead of one name with two layouts (an ODR violation that the
// linker would resolve by picking either). Public headers wrap their back-end dependent code
// in SIGV4_BACKEND_NS_BEGIN / SIGV4_BACKEND_NS_END; users never write the namespace's name.
// SIGV4_NO_SHA_NI (detail/sha256_blocks.hpp: no SHA-NI code, the fallback block function
// only) changes inline functions too, so it names namespaces of its own.
#if SIGV4_LOW_LEVEL_SHA256 && !defined(SIGV4_NO_SHA_NI)
#define SIGV4_BACKEND_NS_BEGIN inline namespace sha256_lowlevel {
#elif SIGV4_LOW_LEVEL_SHA256
#define SIGV4_BACKEND_NS_BEGIN inline namespace sha256_lowlevel_no_sha_ni {
#elif !defined(SIGV4_NO_SHA_NI)
#define SIGV4_BACKEND_NS_BEGIN inline namespace sha256_evp {
#else
#define SIGV4_BACKEND_NS_BEGIN inline namespace sha256_evp_no_sha_ni {
#endif
#define SIGV4_BACKEND_NS_END }

#if SIGV4_LOW_LEVEL_SHA256
#if defined(__GNUC__) || defined(__clang__)
#define SIGV4_DETAIL_BEGIN_DEPRECATED _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wdeprecated-declarations\"")
#define SIGV4_DETAIL_END_DEPRECATED _Pragma("GCC diagnostic pop")
#elif defined(_MSC_VER)
#define SIGV4_DETAIL_BEGIN_DEPRECATED __pragma(warning(push)) __pragma(warning(disable : 4996))
#define SIGV4_DETAIL_END_DEPRECATED __pragma(warning(pop))
#else
#define SIGV4_DETAIL_BEGIN_DEPRECATED
#define SIGV4_DETAIL_END_DEPRECATED
#endif
#endif

namespace sigv4::detail {

inline constexpr std::size_t sha256_size = 32;
inline constexpr std::size_t sha256_block_size = 64;
using digest = std::array<unsigned char, sha256_size>;

// Overwrites memory so the compiler cannot drop the store.
inline void cleanse(void* p, std::size_t n) noexcept { OPENSSL_cleanse(p, n); }

// Wipes a buffer of key material when its scope ends, on every path out (a throw included).
class wipe_on_exit {
 public:
  wipe_on_exit(void* p, std::size_t n) noexcept : p_(p), n_(n) {}
  wipe_on_exit(const wipe_on_exit&) = delete;
  wipe_on_exit& operator=(const wipe_on_exit&) = delete;
  ~wipe_on_exit() { cleanse(p_, n_); }

 private:
  void* p_;
  std::size_t n_;
};

#if defined(SIGV4_FAULT_INJECTION)
// Test builds only (tests/fault_injection.cpp): every OpenSSL call below counts itself in
// fault_calls, and the call that brings fault_countdown from 1 to 0 fails as if OpenSSL had
// failed. Not thread-safe by design: the test drives one thread.
inline std::atomic<unsigned long> fault_calls{0};
inline std::atomic<unsigned long> fault_countdown{0};
inline bool fault_now() noexcept {
  fault_calls.fetch_add(1, std::memory_order_relaxed);
  const unsigned long n = fault_countdown.load(std::memory_order_relaxed);
  if (n == 0) return false;
  fault_countdown.store(n - 1, std::memory_order_relaxed);
  return n == 1;
}
#define SIGV4_DETAIL_FAULT_NOW() (::sigv4::detail::fault_now())
#else
#define SIGV4_DETAIL_FAULT_NOW() false
#endif
// True when an OpenSSL call that returns 1 on success succeeded (and no fault was injected).
#define SIGV4_DETAIL_OPENSSL_OK(call) (!SIGV4_DETAIL_FAULT_NOW() && (call) == 1)

// Compares in time that depends on the length only, with CRYPTO_memcmp. Sixteen bytes at a
// time: OpenSSL's x86-64 CRYPTO_memcmp compares exactly sixteen in two words and anything else
// byte by byte (a 64-digit signature: about 11 ns in four calls against 35 ns in one). Every
// chunk is compared, whatever the earlier ones gave.
inline bool constant_time_equal(const void* a, const void* b, std::size_t n) noexcept {
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  int differ = 0;
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) differ |= CRYPTO_memcmp(x + i, y + i, 16);
  if (i < n) differ |= CRYPTO_memcmp(x + i, y + i, n - i);
  return differ == 0;
}

// Throws errc::crypto_failure with OpenSSL's first queued error (never key material).
[[noreturn]] inline void throw_openssl_error(const char* what) {
  std::string msg = what;
  unsigned long code = ERR_get_error();
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    msg += ": ";
    msg += buf;
  }
  ERR_clear_error();
  throw error(errc::crypto_failure, msg);
}

SIGV4_BACKEND_NS_BEGIN

#if SIGV4_LOW_LEVEL_SHA256
SIGV4_DETAIL_BEGIN_DEPRECATED
// An incremental SHA-256 over OpenSSL's low-level context (a copyable struct). It does not
// wipe itself: the owners of key-derived states call wipe(). The low-level functions do not
// fail in practice; their results are checked all the same (a predictable branch).
class sha256_ctx {
 public:
  struct overwritten_t {};
  sha256_ctx() {
    if (!SIGV4_DETAIL_OPENSSL_OK(SHA256_Init(&ctx_))) throw_openssl_error("SHA-256 init");
  }
  // A context whose bytes the caller writes next (a copy of a saved state).
  explicit sha256_ctx(overwritten_t) noexcept : ctx_() {}
  void update(const void* data, std::size_t n) {
    if (!SIGV4_DETAIL_OPENSSL_OK(SHA256_Update(&ctx_, data, n))) throw_openssl_error("SHA-256 update");
  }
  void update(std::string_view s) { update(s.data(), s.size()); }
  void finish(unsigned char* out) {
    if (!SIGV4_DETAIL_OPENSSL_OK(SHA256_Final(out, &ctx_))) throw_openssl_error("SHA-256 final");
  }
  // Overwrites the state (for contexts that absorbed key material).
  void wipe() noexcept { cleanse(&ctx_, sizeof ctx_); }

 private:
  SHA256_CTX ctx_;
};
SIGV4_DETAIL_END_DEPRECATED
#else
struct evp_md_ctx_deleter {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
// An incremental SHA-256 over an EVP digest context (copying duplicates the context).
class sha256_ctx {
 public:
  sha256_ctx() : ctx_(new_context()) {
    if (!SIGV4_DETAIL_OPENSSL_OK(EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr))) throw_openssl_error("SHA-256 init");
  }
  sha256_ctx(const sha256_ctx& other) : ctx_(new_context()) {
    if (!SIGV4_DETAIL_OPENSSL_OK(EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get()))) throw_openssl_error("SHA-256 copy");
  }
  sha256_ctx& operator=(const sha256_ctx& other) {
    if (this != &other && !SIGV4_DETAIL_OPENSSL_OK(EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get())))
      throw_openssl_error("SHA-256 copy");
    return *this;
  }
  void update(const void* data, std::size_t n) {
    if (!SIGV4_DETAIL_OPENSSL_OK(EVP_DigestUpdate(ctx_.get(), data, n))) throw_openssl_error("SHA-256 update");
  }
  void update(std::string_view s) { update(s.data(), s.size()); }
  void finish(unsigned char* out) {
    unsigned int len = 0;
    if (!SIGV4_DETAIL_OPENSSL_OK(EVP_DigestFinal_ex(ctx_.get(), out, &len))) throw_openssl_error("SHA-256 final");
  }
  // EVP_MD_CTX_free cleanses the state when the context dies.
  void wipe() noexcept {}

 private:
  static EVP_MD_CTX* new_context() {
    EVP_MD_CTX* p = SIGV4_DETAIL_FAULT_NOW() ? nullptr : EVP_MD_CTX_new();
    if (!p) throw_openssl_error("SHA-256 context allocation");
    return p;
  }
  std::unique_ptr<EVP_MD_CTX, evp_md_ctx_deleter> ctx_;  // EVP_MD_CTX_free cleanses
};
#endif

#if SIGV4_LOW_LEVEL_SHA256
SIGV4_DETAIL_BEGIN_DEPRECATED
// OpenSSL's block function, for detail/sha256_blocks.hpp: compresses `blocks` whole 64-byte
// blocks at `data` into the eight words `h` (H0..H7). SHA256_Update on a context with no
// buffered bytes and a whole number of blocks goes straight to sha256_block_data_order (the
// same code SHA256_Transform runs, for n blocks at once) and buffers nothing; only the words
// are key material, and they are wiped from the context.
inline void openssl_sha256_blocks(std::uint32_t (&h)[8], const unsigned char* data, std::size_t blocks) noexcept {
  SHA256_CTX c;
  std::memset(&c, 0, sizeof c);
  for (int i = 0; i < 8; ++i) c.h[i] = h[i];
  c.md_len = SHA256_DIGEST_LENGTH;
  SHA256_Update(&c, data, blocks * sha256_block_size);  // cannot fail: no allocation, no provider
  for (int i = 0; i < 8; ++i) h[i] = static_cast<std::uint32_t>(c.h[i]);
  cleanse(c.h, sizeof c.h);
}
SIGV4_DETAIL_END_DEPRECATED
#endif

// SHA-256 of a byte string.
inline digest sha256(std::string_view data) {
  sha256_ctx ctx;
  ctx.update(data);
  digest out;
  ctx.finish(out.data());
  return out;
}

// HMAC-SHA256 with the key's inner and outer states computed once (RFC 2104): each message
// then costs only its own blocks plus one block for the outer hash.
class hmac_sha256_key {
 public:
  hmac_sha256_key(const void* key, std::size_t n) {
    unsigned char block[sha256_block_size] = {};
    const wipe_on_exit wipe_block(block, sizeof block);
    if (n > sha256_block_size) {
      sha256_ctx k;
      try {
        k.update(key, n);
        k.finish(block);
      } catch (...) {
        k.wipe();
        throw;
      }
      k.wipe();
    } else if (n != 0) {
      std::memcpy(block, key, n);
    }
    for (auto& b : block) b ^= 0x36;
    inner_.update(block, sizeof block);
    for (auto& b : block) b ^= 0x36 ^ 0x5c;
    try {
      outer_.update(block, sizeof block);
    } catch (...) {
      inner_.wipe();  // a constructor that throws runs no destructor
      throw;
    }
  }
  // From the states of a key saved earlier (inner_state(), outer_state()): for the caches that
  // keep them.
  hmac_sha256_key(const sha256_ctx& inner, const sha256_ctx& outer) : inner_(inner), outer_(outer) {}
  hmac_sha256_key(const hmac_sha256_key&) = default;
  hmac_sha256_key& operator=(const hmac_sha256_key&) = default;
  ~hmac_sha256_key() {
    inner_.wipe();
    outer_.wipe();
  }

  // Writes HMAC(key, data) to out[0..32).
  void sign(const void* data, std::size_t n, unsigned char* out) const {
    sha256_ctx ctx = inner_;
    finish(ctx, data, n, out);
  }
  void sign(std::string_view data, unsigned char* out) const { sign(data.data(), data.size(), out); }

  // The inner hash's state after the key block: a caller that signs many messages with the
  // same first blocks absorbs them once into a copy, then calls finish() per message.
  const sha256_ctx& inner_state() const noexcept { return inner_; }
  // The outer hash's state after the key block.
  const sha256_ctx& outer_state() const noexcept { return outer_; }

  // Completes HMAC(key, prefix + data) from `ctx`, the inner state after the prefix, and
  // writes it to out[0..32). `ctx` is used up and wiped.
  void finish(sha256_ctx& ctx, const void* data, std::size_t n, unsigned char* out) const {
    unsigned char inner_hash[sha256_size];
    const wipe_on_exit wipe_hash(inner_hash, sizeof inner_hash);
    try {
      ctx.update(data, n);
      ctx.finish(inner_hash);
      ctx = outer_;
      ctx.update(inner_hash, sizeof inner_hash);
      ctx.finish(out);
    } catch (...) {
      ctx.wipe();
      throw;
    }
    ctx.wipe();
  }

 private:
  sha256_ctx inner_;
  sha256_ctx outer_;
};

// One-shot HMAC-SHA256.
inline digest hmac_sha256(const void* key, std::size_t key_len, std::string_view data) {
  digest out;
  hmac_sha256_key(key, key_len).sign(data, out.data());
  return out;
}

SIGV4_BACKEND_NS_END
}  // namespace sigv4::detail

#endif
