/// @file
/// sigv4 — signing keys, signatures, and whole-request signing: the Authorization header
/// (sign_headers) or the query string (presign), for any AWS service.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
#ifndef SIGV4_SIGNER_HPP
#define SIGV4_SIGNER_HPP

#include "detail/config.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "canonical.hpp"
#include "credentials.hpp"
#include "detail/hex.hpp"
#include "detail/openssl.hpp"
#include "errors.hpp"
#include "time.hpp"

namespace sigv4 {
SIGV4_BACKEND_NS_BEGIN

/// The longest lifetime of a presigned URL (7 days), in seconds.
inline constexpr long long max_expires_seconds = 604800;

/// The key derived from a secret for one (date, region, service): 32 bytes, with its HMAC
/// states precomputed. Wiped on destruction; never printed.
class signing_key {
 public:
  /// Step 6 — derives kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
  /// @param secret the secret access key (credentials::secret_access_key()).
  /// @param date YYYYMMDD (the scope date).
  /// @param region the scope's region, e.g. "us-east-1".
  /// @param service the scope's service, e.g. "s3".
  /// @throws sigv4::error errc::crypto_failure when OpenSSL fails.
  signing_key(std::string_view secret, std::string_view date, std::string_view region, std::string_view service)
      : key_(derive(secret, date, region, service)), hmac_(keyed(key_)) {}
  /// A key derived earlier, from its 32 bytes (its HMAC states are computed again).
  /// @param key the 32 bytes of a signing key.
  /// @throws sigv4::error errc::crypto_failure when OpenSSL fails.
  explicit signing_key(const detail::digest& key) : key_(key), hmac_(keyed(key_)) {}
  /// A key derived earlier, from its 32 bytes and its HMAC states (the verifier's cache).
  /// @param key the 32 bytes of a signing key.
  /// @param hmac the HMAC states of the same key.
  signing_key(const detail::digest& key, const detail::hmac_sha256_key& hmac) : key_(key), hmac_(hmac) {}
  /// A copy of the key (wiped when it is destroyed, too).
  signing_key(const signing_key&) = default;
  /// Copies another key in.
  /// @return `*this`.
  signing_key& operator=(const signing_key&) = default;
  /// Wipes the key bytes.
  ~signing_key() { detail::cleanse(key_.data(), key_.size()); }

  /// The HMAC states of the key (for the library's caches).
  /// @return the states, valid while this object lives.
  const detail::hmac_sha256_key& hmac() const noexcept { return hmac_; }

  /// The 32 raw bytes (for tests against published keys; keep them out of logs).
  /// @return the key, valid while this object lives.
  const detail::digest& bytes() const noexcept { return key_; }

  /// Writes the 64 hex digits of HMAC(key, string_to_sign) to out.
  /// @param string_to_sign from sigv4::string_to_sign().
  /// @param out room for 64 characters (no NUL is written).
  void sign(std::string_view string_to_sign, char* out) const {
    unsigned char mac[detail::sha256_size];  // the signature itself: public, nothing to wipe
    hmac_.sign(string_to_sign, mac);
    detail::hex_encode(mac, sizeof mac, out);
  }

 private:
  static detail::digest derive(std::string_view secret, std::string_view date, std::string_view region,
                               std::string_view service) {
    // "AWS4" + secret, on the stack unless the secret is unusually long; every intermediate
    // key is wiped, whichever way this returns
    const std::size_t n = 4 + secret.size();
    char small[128];
    std::unique_ptr<char[]> large(n > sizeof small ? new char[n] : nullptr);
    char* const k = large ? large.get() : small;
    const detail::wipe_on_exit wipe_k(k, n);
    std::memcpy(k, "AWS4", 4);
    if (!secret.empty()) std::memcpy(k + 4, secret.data(), secret.size());
    detail::digest k_date, k_region, k_service;
    const detail::wipe_on_exit wipe_date(k_date.data(), k_date.size()), wipe_region(k_region.data(), k_region.size()),
        wipe_service(k_service.data(), k_service.size());
    k_date = detail::hmac_sha256(k, n, date);
    k_region = detail::hmac_sha256(k_date.data(), k_date.size(), region);
    k_service = detail::hmac_sha256(k_region.data(), k_region.size(), service);
    return detail::hmac_sha256(k_service.data(), k_service.size(), "aws4_request");
  }
  // The HMAC states of `key`; a failure wipes the key first (a constructor that throws runs
  // no destructor).
  static detail::hmac_sha256_key keyed(detail::digest& key) {
    try {
      return detail::hmac_sha256_key(key.data(), key.size());
    } catch (...) {
      detail::cleanse(key.data(), key.size());
      throw;
    }
  }
  detail::digest key_;
  detail::hmac_sha256_key hmac_;
};

/// Step 6, as a function: the signing key of `secret` for (date, region, service).
/// @param secret the secret access key.
/// @param date YYYYMMDD (the scope date).
/// @param region the scope's region.
/// @param service the scope's service.
/// @return the key.
/// @throws sigv4::error errc::crypto_failure when OpenSSL fails.
inline signing_key derive_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                                      std::string_view service) {
  return signing_key(secret, date, region, service);
}

/// Step 7 — the signature: hex(HMAC-SHA256(signing key, string to sign)), 64 characters.
/// @param key from derive_signing_key().
/// @param string_to_sign from sigv4::string_to_sign().
/// @return the signature, 64 lower-case hex digits.
inline std::string signature(const signing_key& key, std::string_view string_to_sign) {
  std::string out(64, '\0');
  key.sign(string_to_sign, &out[0]);
  return out;
}

/// A request to sign. The signer adds headers (header mode) or query parameters (presign).
struct http_request {
  std::string method = "GET";  ///< the HTTP method, an RFC 9110 token ("GET", "PUT", ...)
  /// The path, starting with '/'. Under path_rules::s3 it is the object path as it is (the
  /// signer encodes it once); under path_rules::generic it is the path as sent.
  std::string path = "/";
  /// The raw query string without '?', e.g. "a=1&b=x%20y" (decoded as parse_query does, '+'
  /// being a space, then re-encoded canonically when signing).
  std::string query;
  /// Every header here is signed; Host is required.
  std::vector<header> headers;
};

/// Where a session token goes.
enum class token_placement {
  signed_in_request,     ///< X-Amz-Security-Token is part of the signature (S3 and most services)
  added_after_signing,   ///< added to the request after signing, unsigned (some services want this)
};

/// What to sign with.
struct signing_options {
  std::string region;                     ///< the scope's region, e.g. "us-east-1"
  std::string service;                    ///< the scope's service, e.g. "s3", "iam"
  path_rules path = path_rules::generic;  ///< how http_request::path becomes the canonical URI
  /// The payload line. The suite and most services: the body's hash; S3 presigning: UNSIGNED-PAYLOAD.
  payload_hash payload = payload_hash::empty();
  /// Header mode: add and sign x-amz-content-sha256 carrying the payload line (S3 requires it).
  bool content_sha256_header = false;
  token_placement token = token_placement::signed_in_request;  ///< where the session token goes, if any
  /// Presign only: X-Amz-Expires, 1..604800 seconds.
  std::chrono::seconds expires{3600};
};

/// What signing produced, for logging and debugging (it holds no secret).
struct signing_result {
  std::string canonical_request;  ///< step 4's text
  std::string string_to_sign;     ///< step 5's text
  std::string signature;       ///< 64 hex digits
  std::string credential;      ///< "AKID/20150830/us-east-1/service/aws4_request"
  std::string signed_headers;  ///< "host;x-amz-date"
};

/// A header given as two views into the caller's text: what signer::sign reads (during the
/// call only, nothing is copied).
struct header_ref {
  std::string_view name;   ///< the field name, any case, e.g. "Content-Type"
  std::string_view value;  ///< the field value as it will be sent
};

SIGV4_BACKEND_NS_END
namespace detail {
SIGV4_BACKEND_NS_BEGIN
struct header_signing;
SIGV4_BACKEND_NS_END
}  // namespace detail
SIGV4_BACKEND_NS_BEGIN

/// What Authorization-header signing produced: the headers to add to the request (X-Amz-Date,
/// X-Amz-Security-Token, x-amz-content-sha256, Authorization) and the steps, as views into
/// this object. Signing into the same object again reuses its buffers: once they have grown
/// to a request's size, signing allocates nothing. The canonical request and the string to
/// sign are the very buffers the signature was computed from (asking for them costs nothing;
/// result() copies them out). The buffers, which hold the session token when one is signed,
/// are wiped when the object is destroyed; the object holds no secret and no key.
class header_signature {
 public:
  /// An empty result (every view empty), to sign into.
  header_signature() = default;
  /// A copy of another result (its buffers copied).
  header_signature(const header_signature&) = default;
  /// Takes over another result's buffers.
  header_signature(header_signature&&) noexcept = default;
  /// Copies another result in (this one's buffers wiped first).
  /// @param other the result to copy.
  /// @return `*this`.
  header_signature& operator=(const header_signature& other) {
    if (this != &other) {
      wipe();
      assign(other);
      text_ = other.text_;
      auth_ = other.auth_;
      token_ = other.token_;
    }
    return *this;
  }
  /// Takes over another result's buffers (this one's wiped first).
  /// @param other the result to take the buffers of.
  /// @return `*this`.
  header_signature& operator=(header_signature&& other) noexcept {
    if (this != &other) {
      wipe();
      assign(other);
      text_ = std::move(other.text_);
      auth_ = std::move(other.auth_);
      token_ = std::move(other.token_);
    }
    return *this;
  }
  /// Wipes the buffers (the canonical request and the copy of the session token).
  ~header_signature() { wipe(); }

  /// @return the X-Amz-Date header's value, "YYYYMMDDTHHMMSSZ".
  std::string_view amz_date() const noexcept { return signed_ ? date_.str() : std::string_view(); }
  /// @return the x-amz-content-sha256 header's value (the payload line), or empty when the
  ///         signer does not add that header.
  std::string_view content_sha256() const noexcept { return {content_sha256_, content_sha256_size_}; }
  /// @return the X-Amz-Security-Token header's value, or empty when the credentials have no token.
  std::string_view security_token() const noexcept { return token_; }
  /// @return whether the session token is part of the signature (token_placement::signed_in_request).
  bool token_signed() const noexcept { return token_signed_; }
  /// @return the Authorization header's value: "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
  std::string_view authorization() const noexcept { return auth_; }
  /// @return the 64 hex digits of the signature (the end of authorization()).
  std::string_view signature() const noexcept { return part(auth_, auth_.size() - (signed_ ? 64 : 0), signed_ ? 64 : 0); }
  /// @return "AKID/20150830/us-east-1/service/aws4_request".
  std::string_view credential() const noexcept { return part(auth_, credential_at_, credential_size_); }
  /// @return the signed-header list, e.g. "host;x-amz-date".
  std::string_view signed_headers() const noexcept { return part(auth_, signed_at_, signed_size_); }
  /// @return step 4's text, the canonical request that was hashed.
  std::string_view canonical_request() const noexcept { return part(text_, 0, canonical_size_); }
  /// @return step 5's text, the string to sign that was signed.
  std::string_view string_to_sign() const noexcept { return part(text_, canonical_size_, text_.size() - canonical_size_); }

  /// Calls f(name, value) for each header to add to the request, in this order: X-Amz-Date,
  /// X-Amz-Security-Token (when signed), x-amz-content-sha256 (when added),
  /// X-Amz-Security-Token (when added after signing), Authorization. Any header of these
  /// names the request has already must be replaced (see apply_to).
  /// @param f a callable taking two std::string_view.
  template <class F>
  void for_each_header(F&& f) const {
    if (!signed_) return;
    f(std::string_view("X-Amz-Date"), amz_date());
    if (!token_.empty() && token_signed_) f(std::string_view("X-Amz-Security-Token"), security_token());
    if (content_sha256_size_ != 0) f(std::string_view("x-amz-content-sha256"), content_sha256());
    if (!token_.empty() && !token_signed_) f(std::string_view("X-Amz-Security-Token"), security_token());
    f(std::string_view("Authorization"), authorization());
  }

  /// What sign_headers does to a request's headers: removes every Authorization, X-Amz-Date,
  /// X-Amz-Security-Token and (when this signature adds one) x-amz-content-sha256 header, and
  /// appends the headers of for_each_header. On a throw (std::bad_alloc) `headers` is unchanged.
  /// @param headers the request's headers (those that were signed).
  void apply_to(std::vector<header>& headers) const {
    header add[5];  // built first, so that a throw leaves `headers` as it was
    std::size_t n = 0;
    for_each_header([&](std::string_view name, std::string_view value) {
      add[n].name.assign(name.data(), name.size());
      add[n].value.assign(value.data(), value.size());
      ++n;
    });
    headers.reserve(headers.size() + n);
    const bool sha = content_sha256_size_ != 0;
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [sha](const header& h) {
                                   return detail::iequals(h.name, "authorization") || detail::iequals(h.name, "x-amz-date") ||
                                          detail::iequals(h.name, "x-amz-security-token") ||
                                          (sha && detail::iequals(h.name, "x-amz-content-sha256"));
                                 }),
                  headers.end());
    for (std::size_t i = 0; i < n; ++i) headers.push_back(std::move(add[i]));  // capacity reserved: no throw
  }

  /// The steps as owned strings (the old signing_result).
  /// @return canonical request, string to sign, signature, credential and signed headers.
  signing_result result() const {
    signing_result r;
    r.canonical_request = std::string(canonical_request());
    r.string_to_sign = std::string(string_to_sign());
    r.signature = std::string(signature());
    r.credential = std::string(credential());
    r.signed_headers = std::string(signed_headers());
    return r;
  }

 private:
  friend struct detail::header_signing;
  // Without a session token the buffers hold nothing secret; with one, they are wiped before
  // they are freed, replaced or grown.
  void wipe() noexcept {
    if (!held_token_) return;
    detail::wipe_string(text_);
    detail::wipe_string(token_);
  }
  // Everything but the buffers.
  void assign(const header_signature& o) noexcept {
    canonical_size_ = o.canonical_size_;
    credential_at_ = o.credential_at_;
    credential_size_ = o.credential_size_;
    signed_at_ = o.signed_at_;
    signed_size_ = o.signed_size_;
    date_ = o.date_;
    std::memcpy(content_sha256_, o.content_sha256_, sizeof content_sha256_);
    content_sha256_size_ = o.content_sha256_size_;
    token_signed_ = o.token_signed_;
    signed_ = o.signed_;
    held_token_ = held_token_ || o.held_token_;
  }
  static std::string_view part(const std::string& s, std::size_t at, std::size_t n) noexcept {
    return std::string_view(s).substr(std::min(at, s.size()), n);
  }
  std::string text_;   // the canonical request, then the string to sign
  std::string auth_;   // the Authorization value
  std::string token_;  // the session token, when the credentials have one
  std::size_t canonical_size_ = 0;
  std::size_t credential_at_ = 0, credential_size_ = 0, signed_at_ = 0, signed_size_ = 0;
  sigv4::amz_date date_;
  char content_sha256_[64] = {};
  unsigned char content_sha256_size_ = 0;
  bool token_signed_ = false;
  bool signed_ = false;
  bool held_token_ = false;  // a session token has been written to the buffers (they are wiped)
};

SIGV4_BACKEND_NS_END
namespace detail {
SIGV4_BACKEND_NS_BEGIN

inline void check_scope_part(std::string_view value, errc code, const char* what) {
  if (value.empty()) throw error(code, std::string("the ") + what + " is empty");
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '/')
      throw error(code, std::string("the ") + what + " " + quote_input(value) + " holds '/', whitespace or a control character");
  }
}

inline void check_expires(std::chrono::seconds expires) {
  if (expires.count() < 1 || expires.count() > max_expires_seconds)
    throw error(errc::invalid_expiry, "X-Amz-Expires must be 1 to 604800 seconds, got " + std::to_string(expires.count()));
}

inline void remove_header(std::vector<header>& headers, std::string_view name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(), [&](const header& h) { return iequals(h.name, name); }),
                headers.end());
}

inline bool has_header(const std::vector<header>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const header& h) { return iequals(h.name, name); });
}

// The parameters that make a URL presigned; a request that has one already is refused.
inline constexpr std::string_view presign_params[] = {"X-Amz-Algorithm",     "X-Amz-Credential",
                                                      "X-Amz-Date",          "X-Amz-Expires",
                                                      "X-Amz-SignedHeaders", "X-Amz-Signature",
                                                      "X-Amz-Security-Token"};

// Computes canonical request, string to sign and signature of a prepared request.
inline signing_result sign_prepared(const http_request& req, std::string_view canonical_query_string,
                                    const canonical_headers_result& ch, const credentials& creds,
                                    const signing_options& opt, const amz_date& date) {
  signing_result r;
  const std::string scope = credential_scope{std::string(date.date()), opt.region, opt.service}.str();
  r.credential = creds.access_key_id() + '/' + scope;
  r.signed_headers = ch.signed_headers;
  r.canonical_request = sigv4::canonical_request(req.method, canonical_uri(req.path, opt.path), canonical_query_string,
                                                 ch.canonical, ch.signed_headers, opt.payload.value());
  r.string_to_sign = sigv4::string_to_sign(date.str(), scope, r.canonical_request);
  const signing_key key(creds.secret_access_key(), date.date(), opt.region, opt.service);
  r.signature = signature(key, r.string_to_sign);
  return r;
}

inline void check_request(const http_request& req, const signing_options& opt) {
  check_method(req.method);
  check_path(req.path);
  check_scope_part(opt.region, errc::invalid_region, "region");
  check_scope_part(opt.service, errc::invalid_service, "service");
  if (!has_header(req.headers, "host")) throw error(errc::missing_host_header, "the request has no Host header");
}


// Header mode's steps 1 to 7, shared by sign_headers and signer: the canonical request is
// written into the result's one buffer (the canonical headers straight into it, from views
// sorted on the stack), hashed, followed by the string to sign, which `sign` signs.
struct header_signing {
  // What a request is signed with, besides its own text.
  struct setup {
    const credentials& creds;
    std::string_view region;
    std::string_view service;
    path_rules path;
    bool content_sha256_header;
    token_placement token;
  };

  // The names of the headers header mode replaces; x-amz-content-sha256 only when it adds one.
  static bool replaced(std::string_view name, bool content_sha256_header) noexcept {
    switch (name.size()) {
      case 10: return iequals(name, "x-amz-date");
      case 13: return iequals(name, "authorization");
      case 20: return iequals(name, "x-amz-security-token") || (content_sha256_header && iequals(name, "x-amz-content-sha256"));
      default: return false;
    }
  }

  // Signs; `sign(date, scope, string_to_sign, out)` writes the 64 hex digits of the signature
  // to out. `Headers` is a range of objects with `name` and `value` (std::string or
  // std::string_view). On a throw `out` is left empty.
  template <class Headers, class Sign>
  static void run(const setup& s, std::string_view method, std::string_view path, std::string_view query,
                  const Headers& headers, const payload_hash& payload, time_point at, header_signature& out,
                  Sign&& sign) {
    try {
      steps(s, method, path, query, headers, payload, at, out, sign);
    } catch (...) {
      clear(out);
      throw;
    }
  }

 private:
  static void clear(header_signature& out) noexcept {
    out.signed_ = false;
    out.text_.clear();
    out.auth_.clear();
    out.token_.clear();  // its old bytes are wiped with the buffers (held_token_)
    out.canonical_size_ = out.credential_at_ = out.credential_size_ = out.signed_at_ = out.signed_size_ = 0;
    out.content_sha256_size_ = 0;
    out.token_signed_ = false;
  }

  template <class Headers, class Sign>
  static void steps(const setup& s, std::string_view method, std::string_view path, std::string_view query,
                    const Headers& headers, const payload_hash& payload, time_point at, header_signature& out,
                    Sign& sign) {
    clear(out);
    check_method(method);
    check_path(path);
    // first pass: sizes, and the Host header
    std::size_t count = 0, name_bytes = 0, value_bytes = 0;
    bool host = false;
    for (const auto& h : headers) {
      const std::string_view name = h.name;
      ++count;
      name_bytes += name.size();
      value_bytes += std::string_view(h.value).size();
      host = host || iequals(name, "host");
    }
    if (!host) throw error(errc::missing_host_header, "the request has no Host header");
    const std::string canonical_query_string = query.empty() ? std::string() : canonical_query(query);  // step 2

    out.date_ = format_amz_date(at);
    const bool token = s.creds.has_session_token();
    out.token_signed_ = token && s.token == token_placement::signed_in_request;
    if (token) {
      out.held_token_ = true;
      if (out.token_.capacity() < s.creds.session_token().size()) wipe_string(out.token_);  // before it grows
      out.token_.assign(s.creds.session_token());
    }
    if (s.content_sha256_header) {
      const std::string_view p = payload.value();
      std::memcpy(out.content_sha256_, p.data(), p.size());
      out.content_sha256_size_ = static_cast<unsigned char>(p.size());
    }

    // second pass: checks, lower-cased names, views (on the stack for most requests)
    constexpr std::size_t small_count = 16, small_bytes = 512, added = 3;
    static_assert(std::is_trivially_destructible<header_view>::value, "views are placed in raw storage");
    alignas(header_view) unsigned char small_views[(small_count + added) * sizeof(header_view)];  // not zeroed
    char small_names[small_bytes];
    std::unique_ptr<header_view[]> large_views(count > small_count ? new header_view[count + added] : nullptr);
    std::unique_ptr<char[]> large_names(name_bytes > small_bytes ? new char[name_bytes] : nullptr);
    header_view* const views = large_views ? large_views.get() : reinterpret_cast<header_view*>(small_views);
    char* w = large_names ? large_names.get() : small_names;
    std::size_t n = 0;
    for (const auto& h : headers) {
      const std::string_view name = h.name, value = h.value;
      check_header_name(name);
      if (replaced(name, s.content_sha256_header)) continue;
      check_header_value(name, value);
      for (std::size_t i = 0; i < name.size(); ++i) w[i] = to_lower_ascii(name[i]);
      new (views + n++) header_view{std::string_view(w, name.size()), value};
      w += name.size();
    }
    new (views + n++) header_view{"x-amz-date", out.date_.str()};
    if (out.token_signed_) new (views + n++) header_view{"x-amz-security-token", out.token_};
    if (s.content_sha256_header) new (views + n++) header_view{"x-amz-content-sha256", out.content_sha256()};

    // Authorization up to the signed-header list (the list is appended by step 3)
    const std::string_view id = s.creds.access_key_id();
    std::string& auth = out.auth_;
    auth.reserve(algorithm.size() + id.size() + s.region.size() + s.service.size() + name_bytes + 2 * n + 160);
    constexpr std::string_view head = "AWS4-HMAC-SHA256 Credential=", tail = "/aws4_request", list = ", SignedHeaders=";
    static_assert(head.substr(0, 16) == algorithm, "the Authorization value starts with the algorithm");
    auth.append(head.data(), head.size());
    out.credential_at_ = auth.size();
    auth.append(id.data(), id.size()).push_back('/');
    const std::size_t scope_at = auth.size();
    auth.append(out.date_.date().data(), 8).push_back('/');
    auth.append(s.region.data(), s.region.size()).push_back('/');
    auth.append(s.service.data(), s.service.size()).append(tail.data(), tail.size());
    const std::size_t scope_size = auth.size() - scope_at;
    out.credential_size_ = auth.size() - out.credential_at_;
    auth.append(list.data(), list.size());
    out.signed_at_ = auth.size();

    // steps 1 to 4 into one buffer, followed by step 5
    std::string& t = out.text_;
    // An upper bound of what is written (so the buffer never grows while it holds the token):
    // each character of the path and the query becomes at most three, a header line is its
    // name, value and two characters, the added headers' names take 50 characters.
    const std::size_t room = method.size() + 3 * (path.size() + 1) + 3 * query.size() + 3 +
                             (name_bytes + 50 + 3 * n) * 2 + value_bytes + 16 + out.token_.size() + 64 + 2 * 64 +
                             string_to_sign_size(16, scope_size);
    if (out.held_token_ && t.capacity() < room) wipe_string(t);  // the old buffer may hold a token
    t.reserve(room);
    t.append(method).push_back('\n');
    append_canonical_uri(t, path, s.path);
    t.push_back('\n');
    t.append(canonical_query_string);
    t.push_back('\n');
    append_canonical_headers(t, auth, views, views + n);
    out.signed_size_ = auth.size() - out.signed_at_;
    t.push_back('\n');
    t.append(auth, out.signed_at_, out.signed_size_).push_back('\n');
    t.append(payload.value());
    out.canonical_size_ = t.size();
    const digest request_hash = sha256(t);
    const std::string_view scope(auth.data() + scope_at, scope_size);
    t.resize(out.canonical_size_ + string_to_sign_size(16, scope_size));
    write_string_to_sign(&t[out.canonical_size_], out.date_.str(), scope, request_hash.data());

    // steps 6 and 7
    char sig[64];
    sign(out.date_, scope, std::string_view(t).substr(out.canonical_size_), sig);
    auth.append(", Signature=").append(sig, sizeof sig);
    out.signed_ = true;
  }
};

SIGV4_BACKEND_NS_END
}  // namespace detail
SIGV4_BACKEND_NS_BEGIN

/// Signs a request with the Authorization header (SigV4 header mode). Adds X-Amz-Date, the
/// session token (X-Amz-Security-Token, signed or after signing, see signing_options::token),
/// x-amz-content-sha256 when asked, and Authorization; any earlier Authorization, X-Amz-Date,
/// X-Amz-Security-Token or (when it adds one) x-amz-content-sha256 header is replaced.
/// Every header of the request is signed and must be sent unchanged. Derives the signing key
/// for this one call: to sign many requests, a sigv4::signer (header_signer.hpp) keeps the
/// key of each day and returns the steps only when asked.
/// @param req the request; its headers (sign_headers) or query (presign) are extended in place.
/// @param creds the credentials to sign with.
/// @param opt region, service, path rules, payload line, token placement (and expiry).
/// @param at the signing time (X-Amz-Date).
/// @return the canonical request, string to sign, signature, credential and signed headers.
/// @throws sigv4::error on bad input: errc::invalid_method, invalid_path, invalid_query,
///         invalid_header_name, invalid_header_value, missing_host_header, invalid_region,
///         invalid_service.
inline signing_result sign_headers(http_request& req, const credentials& creds, const signing_options& opt,
                                   time_point at) {
  detail::check_method(req.method);
  detail::check_path(req.path);
  detail::check_scope_part(opt.region, errc::invalid_region, "region");
  detail::check_scope_part(opt.service, errc::invalid_service, "service");
  header_signature sig;
  const detail::header_signing::setup s{creds, opt.region, opt.service, opt.path, opt.content_sha256_header, opt.token};
  detail::header_signing::run(s, req.method, req.path, req.query, req.headers, opt.payload, at, sig,
                              [&](const amz_date& date, std::string_view, std::string_view string_to_sign, char* out) {
                                const signing_key key(creds.secret_access_key(), date.date(), opt.region, opt.service);
                                key.sign(string_to_sign, out);
                              });
  signing_result r = sig.result();  // before the request changes: a throw leaves it as it was
  sig.apply_to(req.headers);
  return r;
}

/// Presigns a request in its query string (SigV4 query mode): X-Amz-Algorithm, -Credential,
/// -Date, -Expires, -SignedHeaders, -Security-Token (signed, or after signing) and
/// -Signature are appended to req.query. Every header of the request (Host at least) is
/// signed and must be sent unchanged. The payload line is opt.payload (S3: UNSIGNED-PAYLOAD).
/// @param req the request; its headers (sign_headers) or query (presign) are extended in place.
/// @param creds the credentials to sign with.
/// @param opt region, service, path rules, payload line, token placement (and expiry).
/// @param at the signing time (X-Amz-Date).
/// @return the canonical request, string to sign, signature, credential and signed headers.
/// @throws sigv4::error as sign_headers, plus errc::invalid_expiry (outside 1..604800 s) and
///         errc::invalid_query when the query already holds X-Amz-* authentication parameters.
inline signing_result presign(http_request& req, const credentials& creds, const signing_options& opt, time_point at) {
  detail::check_request(req, opt);
  detail::check_expires(opt.expires);
  std::vector<query_param> params = parse_query(req.query);
  for (const auto& p : params)
    for (auto name : detail::presign_params)
      if (p.name == name) throw error(errc::invalid_query, "the query already holds " + std::string(name));
  const amz_date date = format_amz_date(at);
  const canonical_headers_result ch = canonical_headers(req.headers);
  const std::string scope = credential_scope{std::string(date.date()), opt.region, opt.service}.str();
  std::vector<query_param> auth = {
      {"X-Amz-Algorithm", std::string(algorithm)},
      {"X-Amz-Credential", creds.access_key_id() + '/' + scope},
      {"X-Amz-Date", std::string(date.str())},
      {"X-Amz-Expires", std::to_string(opt.expires.count())},
      {"X-Amz-SignedHeaders", ch.signed_headers},
  };
  const bool token = creds.has_session_token();
  if (token && opt.token == token_placement::signed_in_request)
    auth.push_back({"X-Amz-Security-Token", creds.session_token()});
  params.insert(params.end(), auth.begin(), auth.end());
  signing_result r = detail::sign_prepared(req, canonical_query(params), ch, creds, opt, date);
  if (token && opt.token == token_placement::added_after_signing)
    auth.push_back({"X-Amz-Security-Token", creds.session_token()});
  auth.push_back({"X-Amz-Signature", r.signature});
  for (const auto& p : auth) {
    if (!req.query.empty()) req.query.push_back('&');
    detail::append_uri_encoded(req.query, p.name, detail::encode_set::component);
    req.query.push_back('=');
    detail::append_uri_encoded(req.query, p.value, detail::encode_set::component);
  }
  return r;
}

/// Non-throwing twin of sign_headers.
/// @param req the request; its headers (sign_headers) or query (presign) are extended in place.
/// @param creds the credentials to sign with.
/// @param opt region, service, path rules, payload line, token placement (and expiry).
/// @param at the signing time (X-Amz-Date).
/// @param ec set to the error on failure (`req` is then unchanged), cleared on success.
/// @return as sign_headers; empty when `ec` is set.
inline signing_result sign_headers(http_request& req, const credentials& creds, const signing_options& opt,
                                   time_point at, std::error_code& ec) {
  return detail::capture_error(ec, [&] { return sign_headers(req, creds, opt, at); });
}

/// Non-throwing twin of presign.
/// @param req the request; its headers (sign_headers) or query (presign) are extended in place.
/// @param creds the credentials to sign with.
/// @param opt region, service, path rules, payload line, token placement (and expiry).
/// @param at the signing time (X-Amz-Date).
/// @param ec set to the error on failure (`req` is then unchanged), cleared on success.
/// @return as presign; empty when `ec` is set.
inline signing_result presign(http_request& req, const credentials& creds, const signing_options& opt, time_point at,
                              std::error_code& ec) {
  return detail::capture_error(ec, [&] { return presign(req, creds, opt, at); });
}

/// sign_headers at the current time.
/// @param req the request, extended in place.
/// @param creds the credentials to sign with.
/// @param opt what to sign with.
/// @return as sign_headers.
/// @throws sigv4::error as sign_headers.
inline signing_result sign_headers_now(http_request& req, const credentials& creds, const signing_options& opt) {
  return sign_headers(req, creds, opt, clock::now());
}

/// presign at the current time.
/// @param req the request, extended in place.
/// @param creds the credentials to sign with.
/// @param opt what to sign with.
/// @return as presign.
/// @throws sigv4::error as presign.
inline signing_result presign_now(http_request& req, const credentials& creds, const signing_options& opt) {
  return presign(req, creds, opt, clock::now());
}

SIGV4_BACKEND_NS_END
}  // namespace sigv4

#endif
