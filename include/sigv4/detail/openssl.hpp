// sigv4 — the only place that touches OpenSSL: SHA-256, HMAC-SHA256 with precomputed key
// states, constant-time comparison and wiping.
//
// Two back ends, one switch: OpenSSL's low-level SHA256_* functions (deprecated in OpenSSL 3
// but shipped, and the fastest path: a context is a plain struct that copies for free), or EVP
// when the deprecated API is compiled out (OPENSSL_NO_DEPRECATED_3_0) or SIGV4_USE_EVP is set.
#ifndef SIGV4_DETAIL_OPENSSL_HPP
#define SIGV4_DETAIL_OPENSSL_HPP

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>

#include <array>
#include <cstddef>
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

// Compares in time that depends on the length only.
inline bool constant_time_equal(const void* a, const void* b, std::size_t n) noexcept {
  return CRYPTO_memcmp(a, b, n) == 0;
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

#if SIGV4_LOW_LEVEL_SHA256
SIGV4_DETAIL_BEGIN_DEPRECATED
// An incremental SHA-256 over OpenSSL's low-level context (a copyable struct). It does not
// wipe itself: the owners of key-derived states call wipe().
class sha256_ctx {
 public:
  sha256_ctx() noexcept { SHA256_Init(&ctx_); }
  void update(const void* data, std::size_t n) noexcept { SHA256_Update(&ctx_, data, n); }
  void update(std::string_view s) noexcept { update(s.data(), s.size()); }
  void finish(unsigned char* out) noexcept { SHA256_Final(out, &ctx_); }
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
  sha256_ctx() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) throw_openssl_error("SHA-256 init");
  }
  sha256_ctx(const sha256_ctx& other) : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get()) != 1) throw_openssl_error("SHA-256 copy");
  }
  sha256_ctx& operator=(const sha256_ctx& other) {
    if (this != &other && EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get()) != 1) throw_openssl_error("SHA-256 copy");
    return *this;
  }
  void update(const void* data, std::size_t n) {
    if (EVP_DigestUpdate(ctx_.get(), data, n) != 1) throw_openssl_error("SHA-256 update");
  }
  void update(std::string_view s) { update(s.data(), s.size()); }
  void finish(unsigned char* out) {
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), out, &len) != 1) throw_openssl_error("SHA-256 final");
  }
  // EVP_MD_CTX_free cleanses the state when the context dies.
  void wipe() noexcept {}

 private:
  std::unique_ptr<EVP_MD_CTX, evp_md_ctx_deleter> ctx_;  // EVP_MD_CTX_free cleanses
};
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
    if (n > sha256_block_size) {
      sha256_ctx k;
      k.update(key, n);
      k.finish(block);
      k.wipe();
    } else if (n != 0) {
      std::memcpy(block, key, n);
    }
    for (auto& b : block) b ^= 0x36;
    inner_.update(block, sizeof block);
    for (auto& b : block) b ^= 0x36 ^ 0x5c;
    outer_.update(block, sizeof block);
    cleanse(block, sizeof block);
  }
  hmac_sha256_key(const hmac_sha256_key&) = default;
  hmac_sha256_key& operator=(const hmac_sha256_key&) = default;
  ~hmac_sha256_key() {
    inner_.wipe();
    outer_.wipe();
  }

  // Writes HMAC(key, data) to out[0..32).
  void sign(const void* data, std::size_t n, unsigned char* out) const {
    sha256_ctx ctx = inner_;
    ctx.update(data, n);
    unsigned char inner_hash[sha256_size];
    ctx.finish(inner_hash);
    ctx = outer_;
    ctx.update(inner_hash, sizeof inner_hash);
    ctx.finish(out);
    ctx.wipe();
    cleanse(inner_hash, sizeof inner_hash);
  }
  void sign(std::string_view data, unsigned char* out) const { sign(data.data(), data.size(), out); }

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

}  // namespace sigv4::detail

#endif
