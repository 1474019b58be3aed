// sigv4 — credentials: access key id, secret (wiped on destruction, never printed) and an
// optional session token with its expiry.
#ifndef SIGV4_CREDENTIALS_HPP
#define SIGV4_CREDENTIALS_HPP

#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "detail/openssl.hpp"
#include "errors.hpp"
#include "time.hpp"

namespace sigv4 {

/// A secret byte string held in one heap block that is wiped (OPENSSL_cleanse) when the
/// object is destroyed or overwritten. It has no stream operator; view() is the only way in.
class secret_string {
 public:
  secret_string() = default;
  explicit secret_string(std::string_view s) { assign(s); }
  secret_string(const secret_string& o) { assign(o.view()); }
  secret_string(secret_string&& o) noexcept : data_(std::move(o.data_)), size_(std::exchange(o.size_, 0)) {}
  secret_string& operator=(const secret_string& o) {
    if (this != &o) assign(o.view());
    return *this;
  }
  secret_string& operator=(secret_string&& o) noexcept {
    if (this != &o) {
      wipe();
      data_ = std::move(o.data_);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ~secret_string() { wipe(); }

  std::string_view view() const noexcept { return {data_.get(), size_}; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  void assign(std::string_view s) {
    std::unique_ptr<char[]> fresh(new char[s.size() + 1]);
    if (!s.empty()) std::memcpy(fresh.get(), s.data(), s.size());
    fresh[s.size()] = '\0';
    wipe();
    data_ = std::move(fresh);
    size_ = s.size();
  }
  void wipe() noexcept {
    if (data_) detail::cleanse(data_.get(), size_);
    data_.reset();
    size_ = 0;
  }
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
};

/// AWS-style credentials. The access key id is public (it travels in every signature); the
/// secret is a secret_string; the session token, when not empty, belongs to temporary
/// credentials and is sent with every request (X-Amz-Security-Token).
class credentials {
 public:
  /// @throws sigv4::error errc::invalid_credentials when the key id is empty or holds '/',
  ///         whitespace or control characters, or the secret is empty. The message names the
  ///         field, never its value.
  credentials(std::string_view access_key_id, std::string_view secret_access_key, std::string_view session_token = {},
              std::optional<time_point> expiration = std::nullopt)
      : access_key_id_(access_key_id),
        secret_(secret_access_key),
        session_token_(session_token),
        expiration_(expiration) {
    if (access_key_id_.empty()) throw error(errc::invalid_credentials, "the access key id is empty");
    for (char c : access_key_id_) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7f || c == '/')
        throw error(errc::invalid_credentials, "the access key id holds '/', whitespace or a control character");
    }
    if (secret_.empty()) throw error(errc::invalid_credentials, "the secret access key is empty");
    for (char c : session_token_) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) throw error(errc::invalid_credentials, "the session token holds a control character");
    }
  }

  const std::string& access_key_id() const noexcept { return access_key_id_; }
  /// The secret. Do not log it; nothing in this library ever prints it.
  std::string_view secret_access_key() const noexcept { return secret_.view(); }
  const std::string& session_token() const noexcept { return session_token_; }
  bool has_session_token() const noexcept { return !session_token_.empty(); }
  /// When temporary credentials stop working, if known.
  const std::optional<time_point>& expiration() const noexcept { return expiration_; }

 private:
  std::string access_key_id_;
  secret_string secret_;
  std::string session_token_;
  std::optional<time_point> expiration_;
};

}  // namespace sigv4

#endif
