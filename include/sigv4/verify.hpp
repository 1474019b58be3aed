// sigv4 — server-side verification of presigned URLs and of requests signed with the
// Authorization header. A bad request is a result with a reason, never an exception.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
#ifndef SIGV4_VERIFY_HPP
#define SIGV4_VERIFY_HPP

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "canonical.hpp"
#include "credentials.hpp"
#include "detail/hex.hpp"
#include "detail/openssl.hpp"
#include "detail/percent.hpp"
#include "errors.hpp"
#include "signer.hpp"
#include "time.hpp"

namespace sigv4 {

/// Why a request was refused (or that it was not). The set is fixed; to_string gives the
/// names used by `sigv4 verify`.
enum class verify_reason {
  valid = 0,
  malformed,                   ///< missing, repeated or unparsable authentication parts
  unsupported_algorithm,       ///< X-Amz-Algorithm other than AWS4-HMAC-SHA256
  unknown_access_key,          ///< the key lookup does not know the access key id
  scope_mismatch,              ///< scope date differs from X-Amz-Date's day, or wrong region, service or terminator
  expired,                     ///< now is past X-Amz-Date + X-Amz-Expires (header mode: past the allowed skew)
  not_yet_valid,               ///< X-Amz-Date is further in the future than the allowed clock skew
  expiry_out_of_range,         ///< X-Amz-Expires outside 1..604800
  required_header_not_signed,  ///< host, or a header the options require, is not among the signed headers
  signature_mismatch,          ///< the signature does not match the request
  session_token_mismatch,      ///< the session token is missing, unexpected or different from the key's
};

/// "valid", "malformed", "unsupported algorithm", ...
inline const char* to_string(verify_reason r) noexcept {
  switch (r) {
    case verify_reason::valid: return "valid";
    case verify_reason::malformed: return "malformed";
    case verify_reason::unsupported_algorithm: return "unsupported algorithm";
    case verify_reason::unknown_access_key: return "unknown access key";
    case verify_reason::scope_mismatch: return "credential scope mismatch";
    case verify_reason::expired: return "expired";
    case verify_reason::not_yet_valid: return "not yet valid";
    case verify_reason::expiry_out_of_range: return "expiry out of range";
    case verify_reason::required_header_not_signed: return "required header not signed";
    case verify_reason::signature_mismatch: return "signature mismatch";
    case verify_reason::session_token_mismatch: return "session token mismatch";
  }
  return "malformed";
}

/// What the key lookup returns for a known access key id.
struct key_entry {
  secret_string secret;
  /// The session token requests with this key must carry; empty when it has none.
  std::string session_token;
};

/// Maps an access key id to its secret (and expected session token); nullopt if unknown.
using key_lookup = std::function<std::optional<key_entry>(std::string_view access_key_id)>;

/// What the verifier accepts.
struct verify_options {
  std::vector<std::string> regions = {"us-east-1"};  ///< accepted scope regions
  std::vector<std::string> services = {"s3"};        ///< accepted scope services
  /// How far in the future X-Amz-Date may be (MinIO: 15 minutes). It never lengthens the
  /// expiry window. For header-signed requests it also bounds how old X-Amz-Date may be.
  std::chrono::seconds max_clock_skew{900};
  /// Headers that must be signed besides host (lower case), e.g. "content-type".
  std::vector<std::string> required_signed_headers;
  /// S3 decodes the received path and re-encodes it canonically; other services sign the
  /// path as sent, normalised.
  path_rules path = path_rules::s3;
  /// The payload line of presigned requests (S3: UNSIGNED-PAYLOAD); an X-Amz-Content-Sha256
  /// query parameter, when present, takes its place.
  payload_hash presigned_payload = payload_hash::unsigned_payload();
};

/// The authentication parts of a request, filled as far as parsing got.
struct verified_parts {
  std::string access_key_id;
  credential_scope scope;
  time_point signed_at{};
  time_point expires_at{};  ///< presigned: X-Amz-Date + X-Amz-Expires; header mode: X-Amz-Date + skew
  std::vector<std::string> signed_headers;
};

/// The outcome: valid, or one reason with a short human-readable detail that never holds a
/// secret or a signature.
struct verify_result {
  verify_reason reason = verify_reason::malformed;
  std::string detail;
  verified_parts parts;
  bool valid() const noexcept { return reason == verify_reason::valid; }
  explicit operator bool() const noexcept { return valid(); }
};

namespace detail {

inline verify_result refuse(verify_result& r, verify_reason why, std::string detail) {
  r.reason = why;
  r.detail = std::move(detail);
  return std::move(r);
}

// Decodes a query component as S3 and MinIO do: %XX escapes, and '+' as a space.
inline bool decode_query_component(std::string_view in, std::string& out) {
  std::string plus_as_space;
  if (in.find('+') != std::string_view::npos) {
    plus_as_space.assign(in);
    std::replace(plus_as_space.begin(), plus_as_space.end(), '+', ' ');
    in = plus_as_space;
  }
  out.clear();
  return append_uri_decoded(out, in);
}

inline bool parse_signed_header_list(std::string_view list, std::vector<std::string>& out) {
  out.clear();
  std::size_t i = 0;
  while (i <= list.size()) {
    std::size_t j = list.find(';', i);
    if (j == std::string_view::npos) j = list.size();
    const std::string_view name = list.substr(i, j - i);
    if (!is_token(name) || std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
      return false;
    out.emplace_back(name);
    i = j + 1;
  }
  return std::is_sorted(out.begin(), out.end()) && std::adjacent_find(out.begin(), out.end()) == out.end();
}

}  // namespace detail

/// Verifies presigned URLs and header-signed requests against a key lookup. Holds only its
/// configuration; safe to share between threads if the lookup is.
class verifier {
 public:
  verifier(key_lookup lookup, verify_options options = {}) : lookup_(std::move(lookup)), options_(std::move(options)) {}

  const verify_options& options() const noexcept { return options_; }

  /// Verifies a presigned request.
  /// @param method  the request's method ("GET")
  /// @param target  the request target exactly as received: raw path and query ("/b/k?X-Amz-...")
  /// @param headers the request's headers; Host is required (it is signed)
  /// @param now     the server's time
  verify_result verify_presigned(std::string_view method, std::string_view target, const std::vector<header>& headers,
                                 time_point now) const {
    verify_result r;
    const std::size_t q = target.find('?');
    const std::string_view raw_path = target.substr(0, q);
    const std::string_view raw_query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);

    // Split the query into decoded parameters, pulling out the authentication ones.
    std::vector<query_param> params;
    std::optional<std::string> algorithm_v, credential, date, expires, signed_list, signature, token, content_sha;
    bool bad_encoding = false, duplicate = false;
    detail::for_each_raw_param(raw_query, [&](std::string_view n, std::string_view v, bool) {
      query_param p;
      if (!detail::decode_query_component(n, p.name) || !detail::decode_query_component(v, p.value)) {
        bad_encoding = true;
        return;
      }
      const auto take = [&](std::optional<std::string>& slot) {
        if (slot) duplicate = true;
        slot = p.value;
      };
      if (p.name == "X-Amz-Algorithm") take(algorithm_v);
      else if (p.name == "X-Amz-Credential") take(credential);
      else if (p.name == "X-Amz-Date") take(date);
      else if (p.name == "X-Amz-Expires") take(expires);
      else if (p.name == "X-Amz-SignedHeaders") take(signed_list);
      else if (p.name == "X-Amz-Signature") take(signature);
      else if (p.name == "X-Amz-Security-Token") take(token);
      else if (p.name == "X-Amz-Content-Sha256") take(content_sha);
      if (p.name != "X-Amz-Signature") params.push_back(std::move(p));
    });
    if (bad_encoding) return detail::refuse(r, verify_reason::malformed, "the query has a malformed percent-encoding");
    if (duplicate) return detail::refuse(r, verify_reason::malformed, "an X-Amz-* authentication parameter is repeated");
    if (!algorithm_v || !credential || !date || !expires || !signed_list || !signature)
      return detail::refuse(r, verify_reason::malformed, "an X-Amz-* authentication parameter is missing");
    if (*algorithm_v != algorithm)
      return detail::refuse(r, verify_reason::unsupported_algorithm, "X-Amz-Algorithm is not AWS4-HMAC-SHA256");

    if (auto fail = check_credential_and_date(r, *credential, *date)) return std::move(*fail);
    long long expires_s = 0;
    if (expires->empty() || expires->size() > 7 ||
        !std::all_of(expires->begin(), expires->end(), [](char c) { return c >= '0' && c <= '9'; }))
      return detail::refuse(r, expires->size() > 7 ? verify_reason::expiry_out_of_range : verify_reason::malformed,
                            "X-Amz-Expires is not a number of seconds");
    expires_s = std::stoll(*expires);
    if (expires_s < 1 || expires_s > max_expires_seconds)
      return detail::refuse(r, verify_reason::expiry_out_of_range, "X-Amz-Expires must be 1 to 604800");
    r.parts.expires_at = r.parts.signed_at + std::chrono::seconds(expires_s);
    if (now + options_.max_clock_skew < r.parts.signed_at)
      return detail::refuse(r, verify_reason::not_yet_valid, "X-Amz-Date is too far in the future");
    if (now > r.parts.expires_at) return detail::refuse(r, verify_reason::expired, "the URL has expired");

    if (auto fail = check_signed_headers(r, *signed_list)) return std::move(*fail);
    auto key = lookup_(r.parts.access_key_id);
    if (!key) return detail::refuse(r, verify_reason::unknown_access_key, "the access key id is not known");
    if (auto fail = check_token(r, *key, token)) return std::move(*fail);

    const std::optional<payload_hash> payload =
        content_sha ? payload_line(*content_sha) : std::optional<payload_hash>(options_.presigned_payload);
    if (!payload) return detail::refuse(r, verify_reason::malformed, "X-Amz-Content-Sha256 is not a payload hash");
    return check_signature(r, method, raw_path, canonical_query(params), headers, payload->value(), *key, *date,
                           *signature);
  }

  /// Verifies a presigned URL given whole: "https://host[:port]/path?query". The Host header
  /// is taken from the URL; `headers` holds the other headers the client sends.
  verify_result verify_presigned_url(std::string_view method, std::string_view url, std::vector<header> headers,
                                     time_point now) const {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
      verify_result r;
      return detail::refuse(r, verify_reason::malformed, "the URL has no scheme");
    }
    const std::string_view rest = url.substr(scheme_end + 3);
    const std::size_t slash = rest.find_first_of("/?");
    std::string_view host = rest.substr(0, slash);
    std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (!target.empty() && target[0] == '?') target.insert(0, "/");
    const std::size_t hash = target.find('#');
    if (hash != std::string::npos) target.resize(hash);
    // The Host a client sends omits the scheme's default port.
    const bool https = detail::iequals(url.substr(0, scheme_end), "https");
    const std::string_view default_port = https ? ":443" : ":80";
    if (host.size() > default_port.size() && host.substr(host.size() - default_port.size()) == default_port)
      host.remove_suffix(default_port.size());
    detail::remove_header(headers, "host");
    headers.push_back({"Host", std::string(host)});
    return verify_presigned(method, target, headers, now);
  }

  /// Verifies a request signed with the Authorization header.
  /// @param payload the payload hash the server trusts (e.g. of the body it received); when
  ///                nullopt, the x-amz-content-sha256 header's value is used (S3), and its
  ///                absence is malformed.
  verify_result verify_signed_request(std::string_view method, std::string_view target,
                                      const std::vector<header>& headers, std::optional<payload_hash> payload,
                                      time_point now) const {
    verify_result r;
    const auto value_of = [&](std::string_view name) -> std::optional<std::string> {
      std::optional<std::string> found;
      for (const auto& h : headers) {
        if (!detail::iequals(h.name, name)) continue;
        if (found) return std::string("\x01");  // repeated: marker, refused below
        found = h.value;
      }
      return found;
    };
    const auto auth = value_of("authorization");
    const auto date = value_of("x-amz-date");
    if (!auth || !date) return detail::refuse(r, verify_reason::malformed, "Authorization or X-Amz-Date is missing");
    if (*auth == "\x01" || *date == "\x01")
      return detail::refuse(r, verify_reason::malformed, "Authorization or X-Amz-Date is repeated");
    // AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...
    const std::string_view a = *auth;
    const std::size_t sp = a.find(' ');
    if (sp == std::string_view::npos) return detail::refuse(r, verify_reason::malformed, "Authorization is malformed");
    if (a.substr(0, sp) != algorithm)
      return detail::refuse(r, verify_reason::unsupported_algorithm, "the Authorization algorithm is not AWS4-HMAC-SHA256");
    std::optional<std::string> credential, signed_list, signature;
    bool duplicate = false, bad = false;
    std::size_t i = sp + 1;
    while (i < a.size()) {
      std::size_t j = a.find(',', i);
      if (j == std::string_view::npos) j = a.size();
      std::string_view part = a.substr(i, j - i);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      const std::size_t eq = part.find('=');
      const std::string_view name = part.substr(0, eq);
      const std::string value(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
      auto* slot = name == "Credential" ? &credential : name == "SignedHeaders" ? &signed_list
                                                        : name == "Signature"   ? &signature
                                                                                : nullptr;
      if (!slot || eq == std::string_view::npos) bad = true;
      else if (*slot) duplicate = true;
      else *slot = value;
      i = j + 1;
    }
    if (bad || duplicate || !credential || !signed_list || !signature)
      return detail::refuse(r, verify_reason::malformed, "Authorization is malformed");
    if (auto fail = check_credential_and_date(r, *credential, *date)) return std::move(*fail);
    r.parts.expires_at = r.parts.signed_at + options_.max_clock_skew;
    if (now + options_.max_clock_skew < r.parts.signed_at)
      return detail::refuse(r, verify_reason::not_yet_valid, "X-Amz-Date is too far in the future");
    if (now > r.parts.expires_at) return detail::refuse(r, verify_reason::expired, "X-Amz-Date is too old");
    if (auto fail = check_signed_headers(r, *signed_list)) return std::move(*fail);
    auto key = lookup_(r.parts.access_key_id);
    if (!key) return detail::refuse(r, verify_reason::unknown_access_key, "the access key id is not known");
    if (auto fail = check_token(r, *key, value_of("x-amz-security-token"))) return std::move(*fail);
    std::string payload_text;
    if (payload) {
      payload_text = payload->value();
    } else {
      const auto sha = value_of("x-amz-content-sha256");
      if (!sha || !payload_line(*sha))
        return detail::refuse(r, verify_reason::malformed, "x-amz-content-sha256 is missing or not a payload hash");
      payload_text = *sha;
    }
    const std::size_t q = target.find('?');
    std::vector<query_param> params;
    bool bad_encoding = false;
    detail::for_each_raw_param(q == std::string_view::npos ? std::string_view() : target.substr(q + 1),
                               [&](std::string_view n, std::string_view v, bool) {
                                 query_param p;
                                 if (!detail::decode_query_component(n, p.name) ||
                                     !detail::decode_query_component(v, p.value))
                                   bad_encoding = true;
                                 params.push_back(std::move(p));
                               });
    if (bad_encoding) return detail::refuse(r, verify_reason::malformed, "the query has a malformed percent-encoding");
    return check_signature(r, method, target.substr(0, q), canonical_query(params), headers, payload_text, *key, *date,
                           *signature);
  }

 private:
  // A payload line from text: 64 lower-case hex digits or UNSIGNED-PAYLOAD; nullopt otherwise.
  static std::optional<payload_hash> payload_line(std::string_view text) {
    if (text == "UNSIGNED-PAYLOAD") return payload_hash::unsigned_payload();
    if (!detail::is_lower_hex(text, 64)) return std::nullopt;
    return payload_hash::precomputed(text);
  }

  std::optional<verify_result> check_credential_and_date(verify_result& r, std::string_view credential,
                                                         std::string_view date) const {
    // AKID/YYYYMMDD/region/service/aws4_request
    std::string_view parts[5];
    std::size_t n = 0, i = 0;
    while (n < 5) {
      const std::size_t j = credential.find('/', i);
      parts[n++] = credential.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
      if (j == std::string_view::npos) break;
      i = j + 1;
    }
    if (n != 5 || credential.find('/', i) != std::string_view::npos || parts[0].empty())
      return detail::refuse(r, verify_reason::malformed, "X-Amz-Credential is not key/date/region/service/aws4_request");
    r.parts.access_key_id = std::string(parts[0]);
    r.parts.scope = {std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
    std::error_code ec;
    r.parts.signed_at = parse_amz_date(date, ec);
    if (ec) return detail::refuse(r, verify_reason::malformed, "X-Amz-Date is not YYYYMMDDTHHMMSSZ");
    if (parts[1] != date.substr(0, 8))
      return detail::refuse(r, verify_reason::scope_mismatch, "the credential scope date is not X-Amz-Date's day");
    const auto listed = [](const std::vector<std::string>& v, std::string_view s) {
      return std::find(v.begin(), v.end(), s) != v.end();
    };
    if (!listed(options_.regions, parts[2]))
      return detail::refuse(r, verify_reason::scope_mismatch, "the credential scope region is not accepted");
    if (!listed(options_.services, parts[3]))
      return detail::refuse(r, verify_reason::scope_mismatch, "the credential scope service is not accepted");
    if (parts[4] != "aws4_request")
      return detail::refuse(r, verify_reason::scope_mismatch, "the credential scope does not end in aws4_request");
    return std::nullopt;
  }

  std::optional<verify_result> check_signed_headers(verify_result& r, std::string_view list) const {
    if (!detail::parse_signed_header_list(list, r.parts.signed_headers))
      return detail::refuse(r, verify_reason::malformed, "the signed header list is not sorted lower-case names");
    const auto signed_ = [&](std::string_view name) {
      return std::binary_search(r.parts.signed_headers.begin(), r.parts.signed_headers.end(), name);
    };
    if (!signed_("host")) return detail::refuse(r, verify_reason::required_header_not_signed, "host is not signed");
    for (const auto& h : options_.required_signed_headers)
      if (!signed_(h)) return detail::refuse(r, verify_reason::required_header_not_signed, h + " is not signed");
    return std::nullopt;
  }

  static std::optional<verify_result> check_token(verify_result& r, const key_entry& key,
                                                  const std::optional<std::string>& token) {
    if (key.session_token.empty() && !token) return std::nullopt;
    if (key.session_token.empty() || !token)
      return detail::refuse(r, verify_reason::session_token_mismatch,
                            token ? "a session token was sent for a key that has none" : "the session token is missing");
    if (token->size() != key.session_token.size() ||
        !detail::constant_time_equal(token->data(), key.session_token.data(), token->size()))
      return detail::refuse(r, verify_reason::session_token_mismatch, "the session token does not match");
    return std::nullopt;
  }

  verify_result check_signature(verify_result& r, std::string_view method, std::string_view raw_path,
                                const std::string& canonical_query_string, const std::vector<header>& headers,
                                std::string_view payload, const key_entry& key, std::string_view date,
                                std::string_view provided) const {
    std::string path;
    if (options_.path == path_rules::s3) {
      if (!detail::append_uri_decoded(path, raw_path))
        return detail::refuse(r, verify_reason::malformed, "the path has a malformed percent-encoding");
    } else {
      path.assign(raw_path);
    }
    // The signed headers, with every value each one has in the request.
    std::vector<header> signed_headers;
    for (const auto& name : r.parts.signed_headers) {
      bool found = false;
      for (const auto& h : headers)
        if (detail::iequals(h.name, name)) signed_headers.push_back({name, h.value}), found = true;
      if (!found) return detail::refuse(r, verify_reason::malformed, "signed header " + name + " is not in the request");
    }
    std::error_code ec;
    const auto ch = detail::capture_error(ec, [&] { return canonical_headers(signed_headers); });
    if (ec) return detail::refuse(r, verify_reason::malformed, "a signed header is malformed");
    const auto uri = detail::capture_error(ec, [&] { return canonical_uri(path, options_.path); });
    if (ec || method.empty()) return detail::refuse(r, verify_reason::malformed, "the method or path is malformed");
    const std::string cr = canonical_request(method, uri, canonical_query_string, ch.canonical, ch.signed_headers, payload);
    const std::string sts = string_to_sign(date, r.parts.scope.str(), cr);
    const signing_key k(key.secret.view(), r.parts.scope.date, r.parts.scope.region, r.parts.scope.service);
    char expected[64];
    k.sign(sts, expected);
    const bool same = provided.size() == 64 && detail::constant_time_equal(expected, provided.data(), 64);
    detail::cleanse(expected, sizeof expected);
    if (!same) return detail::refuse(r, verify_reason::signature_mismatch, "the signature does not match the request");
    r.reason = verify_reason::valid;
    r.detail.clear();
    return std::move(r);
  }

  key_lookup lookup_;
  verify_options options_;
};

}  // namespace sigv4

#endif
