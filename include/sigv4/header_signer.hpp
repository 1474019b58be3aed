/// @file
/// sigv4 — sigv4::signer, the Authorization-header signer for many requests: one set of
/// credentials, one region and one service; the signing key of each day is derived once and
/// kept, the request is read through views and the result written into a reusable buffer.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
#ifndef SIGV4_HEADER_SIGNER_HPP
#define SIGV4_HEADER_SIGNER_HPP

#include "detail/config.hpp"

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "canonical.hpp"
#include "credentials.hpp"
#include "detail/key_cache.hpp"
#include "errors.hpp"
#include "signer.hpp"
#include "time.hpp"

namespace sigv4 {
SIGV4_BACKEND_NS_BEGIN

/// How a signer signs every request (header mode).
struct signer_options {
  path_rules path = path_rules::generic;  ///< how the path becomes the canonical URI (S3: path_rules::s3)
  /// Add and sign x-amz-content-sha256 carrying the payload line (S3 requires it).
  bool content_sha256_header = false;
  token_placement token = token_placement::signed_in_request;  ///< where the session token goes, if any
};

/// Signs requests with the Authorization header (SigV4 header mode) for one set of
/// credentials, one region and one service: sign_headers() for many requests. The signing key
/// of each day (and of each set of credentials) is derived once and kept in a fixed-size cache
/// (the verifier's, detail/key_cache.hpp: 48 KiB, allocated at construction), so a
/// request costs its canonical request's hashing and one HMAC. The steps (canonical request,
/// string to sign) are views into the result, never copied unless asked (result()).
///
/// sign() may be called from many threads at once on one signer (each with its own
/// header_signature); set_credentials() must not run while another thread signs with it.
/// Make one signer and keep it: constructing one costs more than a signature.
class signer {
 public:
  /// @param creds the credentials every request is signed with.
  /// @param region the scope's region, e.g. "us-east-1".
  /// @param service the scope's service, e.g. "s3", "execute-api".
  /// @param options path rules, x-amz-content-sha256, token placement.
  /// @throws sigv4::error errc::invalid_region, errc::invalid_service (empty, or holding '/',
  ///         whitespace or a control character).
  signer(credentials creds, std::string_view region, std::string_view service, signer_options options = {})
      : creds_(std::move(creds)), region_(region), service_(service), options_(options), keys_(new detail::key_cache) {
    detail::check_scope_part(region_, errc::invalid_region, "region");
    detail::check_scope_part(service_, errc::invalid_service, "service");
  }
  /// Not copyable (it owns its key cache).
  signer(const signer&) = delete;
  /// Not assignable.
  signer& operator=(const signer&) = delete;
  /// Wipes the credentials (their own destructor) and every cached signing key.
  ~signer() = default;

  /// @return the credentials the signer signs with.
  const credentials& creds() const noexcept { return creds_; }
  /// @return the scope's region.
  const std::string& region() const noexcept { return region_; }
  /// @return the scope's service.
  const std::string& service() const noexcept { return service_; }
  /// @return the options the signer was made with.
  const signer_options& options() const noexcept { return options_; }

  /// Signs with other credentials from now on; the keys derived from the old ones are wiped.
  /// Not while another thread signs with this signer.
  /// @param fresh the new credentials.
  void set_credentials(credentials fresh) {
    std::unique_ptr<detail::key_cache> keys(new detail::key_cache);
    creds_ = std::move(fresh);
    keys_ = std::move(keys);  // the old cache is destroyed: its records wiped
  }

  /// Signs a request into `out` (whose buffers are reused: no allocation once they have
  /// grown to the request's size). Every header given is signed; the request must then be
  /// sent with them and with out's headers added (header_signature::for_each_header or
  /// apply_to), any Authorization, X-Amz-Date, X-Amz-Security-Token (and, with
  /// content_sha256_header, x-amz-content-sha256) among them being replaced (they are left
  /// out of the signature).
  /// @tparam Headers a range of objects with `name` and `value` members (std::string or
  ///         std::string_view): std::vector<sigv4::header>, std::array<sigv4::header_ref, N>, ...
  /// @param method the HTTP method, an RFC 9110 token ("GET", "PUT", ...).
  /// @param path the path, starting with '/' (see path_rules for what it holds).
  /// @param query the raw query string without '?' (decoded as parse_query does, then
  ///        encoded canonically).
  /// @param headers the headers to sign, Host among them.
  /// @param payload the payload line (payload_hash::of(body), unsigned_payload(), ...).
  /// @param at the signing time (X-Amz-Date).
  /// @param out the result; on a throw it is left empty.
  /// @throws sigv4::error errc::invalid_method, invalid_path, invalid_query,
  ///         invalid_header_name, invalid_header_value, missing_host_header;
  ///         errc::crypto_failure when OpenSSL fails.
  template <class Headers>
  void sign(std::string_view method, std::string_view path, std::string_view query, const Headers& headers,
            const payload_hash& payload, time_point at, header_signature& out) const {
    const detail::header_signing::setup s{creds_,       region_, service_, options_.path, options_.content_sha256_header,
                                          options_.token};
    detail::header_signing::run(s, method, path, query, headers, payload, at, out,
                                [this](const amz_date& date, std::string_view scope, std::string_view string_to_sign,
                                       char* signature) { sign_with_key(date, scope, string_to_sign, signature); });
  }
  /// sign(), with the headers written in place: `{{"Host", "example.com"}, {"Content-Type", "text/plain"}}`.
  /// @param method the HTTP method.
  /// @param path the path.
  /// @param query the raw query string.
  /// @param headers the headers to sign, Host among them.
  /// @param payload the payload line.
  /// @param at the signing time.
  /// @param out the result; on a throw it is left empty.
  /// @throws sigv4::error as the other sign().
  void sign(std::string_view method, std::string_view path, std::string_view query,
            std::initializer_list<header_ref> headers, const payload_hash& payload, time_point at,
            header_signature& out) const {
    sign<std::initializer_list<header_ref>>(method, path, query, headers, payload, at, out);
  }
  /// sign(), into a new result.
  /// @tparam Headers as the other sign().
  /// @param method the HTTP method.
  /// @param path the path.
  /// @param query the raw query string.
  /// @param headers the headers to sign, Host among them.
  /// @param payload the payload line.
  /// @param at the signing time.
  /// @return the headers to add and the steps.
  /// @throws sigv4::error as the other sign().
  template <class Headers>
  header_signature sign(std::string_view method, std::string_view path, std::string_view query, const Headers& headers,
                        const payload_hash& payload, time_point at) const {
    header_signature out;
    sign(method, path, query, headers, payload, at, out);
    return out;
  }
  /// sign(), into a new result, with the headers written in place.
  /// @param method the HTTP method.
  /// @param path the path.
  /// @param query the raw query string.
  /// @param headers the headers to sign, Host among them.
  /// @param payload the payload line.
  /// @param at the signing time.
  /// @return the headers to add and the steps.
  /// @throws sigv4::error as the other sign().
  header_signature sign(std::string_view method, std::string_view path, std::string_view query,
                        std::initializer_list<header_ref> headers, const payload_hash& payload, time_point at) const {
    header_signature out;
    sign<std::initializer_list<header_ref>>(method, path, query, headers, payload, at, out);
    return out;
  }

  /// What sigv4::sign_headers does, with this signer's key: signs `req` and adds the headers
  /// to it (header_signature::apply_to). On a throw `req` is unchanged.
  /// @param req the request; its headers are extended in place.
  /// @param payload the payload line.
  /// @param at the signing time.
  /// @return the headers added and the steps.
  /// @throws sigv4::error as sign().
  header_signature sign_headers(http_request& req, const payload_hash& payload, time_point at) const {
    header_signature out;
    sign(req.method, req.path, req.query, req.headers, payload, at, out);
    out.apply_to(req.headers);
    return out;
  }

 private:
  // HMAC(day key, string to sign) as 64 hex digits at `signature`: the key's eight-word states
  // from the cache, and the state after the string to sign's first block kept in the key's
  // record for the last second it saw (when that block ends inside the scope).
  void sign_with_key(const amz_date& date, std::string_view scope, std::string_view string_to_sign,
                     char* signature) const {
    std::optional<detail::hmac_block_key> key;
    detail::key_cache::first_block_memo memo;
    keys_->get_block_key(creds_.access_key_id(), scope, creds_.secret_access_key(), key, memo, [&] {
      return signing_key(creds_.secret_access_key(), date.date(), region_, service_);
    });
    unsigned char mac[detail::sha256_size];  // the signature itself: public
    memo.sign(*key, second_of_day(date), string_to_sign.data(), string_to_sign.size(), mac);
    detail::hex_encode(mac, sizeof mac, signature);
  }

  // HHMMSS of an X-Amz-Date as seconds (the record's scope names the day).
  static std::uint64_t second_of_day(const amz_date& date) noexcept {
    const std::string_view t = date.str();
    const auto two = [&t](std::size_t i) { return static_cast<std::uint64_t>((t[i] - '0') * 10 + (t[i + 1] - '0')); };
    return two(9) * 3600 + two(11) * 60 + two(13);
  }

  credentials creds_;
  std::string region_;
  std::string service_;
  signer_options options_;
  std::unique_ptr<detail::key_cache> keys_;  // wiped when destroyed
};

SIGV4_BACKEND_NS_END
}  // namespace sigv4

#endif
