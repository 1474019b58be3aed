/// @file
/// sigv4 — server-side verification of presigned URLs and of requests signed with the
/// Authorization header. A bad request is a result with a reason, never an exception.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
#ifndef SIGV4_VERIFY_HPP
#define SIGV4_VERIFY_HPP

#include "detail/config.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
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
#include "detail/key_cache.hpp"
#include "detail/openssl.hpp"
#include "detail/percent.hpp"
#include "detail/sha256_blocks.hpp"
#include "detail/url.hpp"
#include "errors.hpp"
#include "signer.hpp"
#include "time.hpp"

namespace sigv4 {
SIGV4_BACKEND_NS_BEGIN

/// Why a request was refused (or that it was not). The set is fixed; to_string gives the
/// names used by `sigv4 verify`.
enum class verify_reason {
  valid = 0,                   ///< every check passed
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
  unsigned_header,             ///< the request carries an x-amz-* header that is not among the signed headers
  signed_header_missing,       ///< a signed header is not in the request
};

/// "valid", "malformed", "unsupported algorithm", ...
/// @param r the reason.
/// @return its name, a static string (what `sigv4 verify` prints).
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
    case verify_reason::unsigned_header: return "unsigned header";
    case verify_reason::signed_header_missing: return "signed header missing";
  }
  return "malformed";
}

/// What the key lookup returns for a known access key id.
struct key_entry {
  secret_string secret;  ///< the key's secret access key
  /// The session token requests with this key must carry; empty when it has none.
  std::string session_token;
};

/// Maps an access key id to a copy of its secret (and expected session token); nullopt if
/// unknown. It is called during a verification and must not itself call into a verifier on the
/// same thread. Simple to write, but each call copies the secret (an allocation); a key_lender
/// lends its entry instead.
using key_lookup = std::function<std::optional<key_entry>(std::string_view access_key_id)>;

/// Lends the entry of an access key id without copying it: a pointer that stays valid until the
/// same thread calls the lender again (the verifier is done with it by then), or nullptr when the
/// id is unknown. A lender over keys that live as long as the verifier returns their address;
/// key_set::lender() keeps the lent entry alive per thread. It must not call into a verifier on
/// the same thread.
using key_lender = std::function<const key_entry*(std::string_view access_key_id)>;

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

/// The authentication parts of a request, filled as far as parsing got. The text is held
/// inline (no allocation, but for a signed-header list longer than 256 bytes), so a result
/// stays valid after the request it came from is gone.
class verified_parts {
 public:
  /// The longest access key id accepted (AWS: 16 to 128 characters); a longer one is malformed.
  static constexpr std::size_t max_access_key_id = 128;
  /// The longest credential scope accepted ("YYYYMMDD/region/service/aws4_request").
  static constexpr std::size_t max_scope = 256;

  /// Nothing parsed yet.
  verified_parts() noexcept {}
  /// A copy (of the bytes in use only).
  /// @param o the parts to copy.
  verified_parts(const verified_parts& o) : long_list_(o.long_list_) { copy_from(o); }
  /// @param o the parts to copy.
  /// @return `*this`.
  verified_parts& operator=(const verified_parts& o) {
    if (this != &o) {
      long_list_ = o.long_list_;
      copy_from(o);
    }
    return *this;
  }

  /// @return the access key id, from X-Amz-Credential / the Authorization header; empty when
  ///         parsing did not get that far.
  std::string_view access_key_id() const noexcept { return {credential_.data(), id_size_}; }
  /// @return the credential scope as sent: "YYYYMMDD/region/service/aws4_request".
  std::string_view scope_text() const noexcept { return {credential_.data() + id_size_, scope_size_}; }
  /// @return the scope's date (YYYYMMDD as sent).
  std::string_view scope_date() const noexcept { return scope_part(0, date_size_); }
  /// @return the scope's region.
  std::string_view scope_region() const noexcept { return scope_part(date_size_ + 1u, region_size_); }
  /// @return the scope's service.
  std::string_view scope_service() const noexcept { return scope_part(date_size_ + region_size_ + 2u, service_size_); }
  /// @return the date, region and service of the credential (copies of the views above).
  credential_scope scope() const {
    return {std::string(scope_date()), std::string(scope_region()), std::string(scope_service())};
  }
  /// @return X-Amz-Date; the epoch when parsing did not get that far.
  time_point signed_at() const noexcept { return signed_at_; }
  /// @return presigned: X-Amz-Date + X-Amz-Expires; header mode: X-Amz-Date + the skew.
  time_point expires_at() const noexcept { return expires_at_; }
  /// @return the SignedHeaders list as sent ("host;x-amz-date"), lower case and in order once
  ///         it has been checked; empty before.
  std::string_view signed_header_list() const noexcept {
    return long_list_.empty() ? std::string_view(list_.data(), list_size_) : std::string_view(long_list_);
  }
  /// @return the names of signed_header_list(), in order (copies).
  std::vector<std::string> signed_headers() const {
    std::vector<std::string> out;
    for_each_signed_header([&](std::string_view name) { out.emplace_back(name); });
    return out;
  }
  /// @param lower_name a header name in lower case.
  /// @return whether it is among the signed headers.
  bool is_signed(std::string_view lower_name) const noexcept {
    bool found = false;
    for_each_signed_header([&](std::string_view name) { found = found || name == lower_name; });
    return found;
  }
  /// Calls f(name) for each signed header name, in order.
  /// @param f a callable taking a std::string_view.
  template <class F>
  void for_each_signed_header(F&& f) const {
    const std::string_view list = signed_header_list();
    for (std::size_t i = 0; i < list.size();) {
      std::size_t j = list.find(';', i);
      if (j == std::string_view::npos) j = list.size();
      f(list.substr(i, j - i));
      i = j + 1;
    }
  }

 private:
  friend class verifier;
  // Everything but long_list_; the buffers only as far as they are in use.
  void copy_from(const verified_parts& o) noexcept {
    const std::size_t credential_size = std::size_t{o.id_size_} + o.scope_size_;
    if (credential_size != 0) std::memcpy(credential_.data(), o.credential_.data(), credential_size);
    if (o.list_size_ != 0) std::memcpy(list_.data(), o.list_.data(), o.list_size_);
    signed_at_ = o.signed_at_;
    expires_at_ = o.expires_at_;
    id_size_ = o.id_size_;
    scope_size_ = o.scope_size_;
    date_size_ = o.date_size_;
    region_size_ = o.region_size_;
    service_size_ = o.service_size_;
    list_size_ = o.list_size_;
  }
  std::string_view scope_part(std::size_t at, std::size_t n) const noexcept {
    return scope_size_ == 0 ? std::string_view() : scope_text().substr(at, n);
  }
  // Keeps the access key id and the scope text "date/region/service/terminator" whose first
  // three parts have these sizes; the caller has checked the sizes against the buffer's.
  void set_credential(std::string_view id, std::string_view scope, std::size_t date_size, std::size_t region_size,
                      std::size_t service_size) noexcept {
    std::memcpy(credential_.data(), id.data(), id.size());
    if (!scope.empty()) std::memcpy(credential_.data() + id.size(), scope.data(), scope.size());
    id_size_ = static_cast<unsigned char>(id.size());
    scope_size_ = static_cast<std::uint16_t>(scope.size());
    date_size_ = static_cast<std::uint16_t>(date_size);
    region_size_ = static_cast<std::uint16_t>(region_size);
    service_size_ = static_cast<std::uint16_t>(service_size);
  }
  void set_signed_header_list(std::string_view list) {
    if (list.size() <= list_.size()) {
      std::memcpy(list_.data(), list.data(), list.size());
      list_size_ = static_cast<std::uint16_t>(list.size());
      long_list_.clear();
    } else {
      long_list_.assign(list);
      list_size_ = 0;
    }
  }

  std::array<char, max_access_key_id + max_scope> credential_;  // the id, then the scope text
  std::array<char, 256> list_;
  std::string long_list_;  // a list longer than list_ (then list_ is unused)
  time_point signed_at_{};
  time_point expires_at_{};
  unsigned char id_size_ = 0;
  std::uint16_t scope_size_ = 0, date_size_ = 0, region_size_ = 0, service_size_ = 0, list_size_ = 0;
};

/// The outcome: valid, or one reason with a short human-readable detail that never holds a
/// secret or a signature.
struct verify_result {
  verify_reason reason = verify_reason::malformed;  ///< valid, or why the request was refused
  std::string detail;                              ///< what exactly failed; safe to log
  verified_parts parts;                            ///< the authentication parts, as far as parsing got
  /// @return whether the request is authentic and in time.
  bool valid() const noexcept { return reason == verify_reason::valid; }
  /// @return valid().
  explicit operator bool() const noexcept { return valid(); }
};

SIGV4_BACKEND_NS_END
namespace detail {
SIGV4_BACKEND_NS_BEGIN

// Sets the refusal on `r` and returns false (so a check can end in `return refuse(...)`).
inline bool refuse(verify_result& r, verify_reason why, const char* detail) {
  r.reason = why;
  r.detail = detail;
  return false;
}
inline bool refuse(verify_result& r, verify_reason why, std::string detail) {
  r.reason = why;
  r.detail = std::move(detail);
  return false;
}

// Either kind of key lookup, behind one call: a lender's entry as it is, a copying lookup's
// answer kept in `hold` for the caller.
class key_source {
 public:
  explicit key_source(key_lookup lookup) : copy_(std::move(lookup)) {}
  explicit key_source(key_lender lender) : lend_(std::move(lender)) {}
  const key_entry* find(std::string_view id, std::optional<key_entry>& hold) const {
    if (lend_) return lend_(id);
    hold = copy_(id);
    return hold ? &*hold : nullptr;
  }

 private:
  key_lookup copy_;
  key_lender lend_;
};

// The authentication parameters of a presigned query, as views into the query (or the
// decoded text).
struct auth_params {
  std::optional<std::string_view> algorithm, credential, date, expires, signed_headers, signature, token, content_sha;
};

// Per-thread working space of the verifier, reused from call to call.
struct verify_scratch {
  std::string decoded;                // decoded query names and values that needed decoding
  std::vector<encoded_param> params;  // each name and value decoded (only when the query is not canonical)
  std::vector<encoded_param> raw;     // each name and value as received
  bool query_canonical = true;        // every raw name and value is canonically encoded, no value holds '='
  bool query_plain = true;            // no empty piece, every piece has '='
  bool ordered = true;                // the raw pieces are sorted
  bool ordered_but_signature = true;  // the raw pieces but the first X-Amz-Signature are sorted
  bool sigv2 = false;                 // an AWSAccessKeyId parameter
  bool duplicate = false;             // an authentication parameter is repeated
  unsigned escaped = 0;               // a bit per authentication value (by its number) that holds a '%'
  std::size_t signature_index = 0;    // the X-Amz-Signature parameter's index (raw.size() when none)
  auth_params auth;
  std::string encoded;                // the decoded parameters re-encoded canonically
  std::vector<std::size_t> ends;      // where each re-encoded name and value ends
  std::vector<encoded_param> sorted;
  std::string query;                  // the canonical query, when it is not the received one
  std::vector<header_view> headers;   // the signed headers' values, in the order of the list
  std::string path;       // the canonical URI, when the received path is not one already
  std::string block;      // the decoded path (S3 rules) while the URI is built
  std::string canonical;  // the canonical request, padded
};
inline verify_scratch& verify_space() {
  thread_local verify_scratch s;
  return s;
}

// The canonical request's first blocks hashed ahead, while the request is still being checked:
// a block's rounds are one chain of dependent instructions, and the checks that follow it in
// the program (which do not wait for it) run while it is in flight. The blocks hashed are
// those of what the canonical request is expected to begin with (the method, the path and the
// query as received: what SDKs and this library send is canonical already, with the signature
// last); the canonical request, once built, is compared with them, and they are used only when
// they are its first bytes (else the hash starts over).
struct early_blocks {
  static constexpr std::size_t max_blocks = 4;
  unsigned char text[64 * max_blocks];  // the expected first bytes
  std::size_t size = 0;                 // how many of them are known
  std::size_t limit = 0;                // how many blocks are worth hashing ahead
  std::size_t hashed = 0;               // how many blocks are hashed into `state`
  sha256_state state = sha256_initial_state;

  // Takes "method\npath\nquery" (as far as it fits) as the expected first bytes.
  void expect(std::string_view method, std::string_view path, std::string_view query) noexcept {
    size = 0;
    for (std::string_view part : {method, std::string_view("\n"), path, std::string_view("\n"), query}) {
      const std::size_t n = part.size() < sizeof text - size ? part.size() : sizeof text - size;
      if (n != 0) std::memcpy(text + size, part.data(), n);
      size += n;
    }
    limit = size / 64;
  }
  // Hashes the next expected block, if it is worth it.
  void hash_next() noexcept {
    if (hashed < limit) {
      sha256_blocks(state, text + 64 * hashed, 1);
      ++hashed;
    }
  }
  // The state after the blocks hashed ahead if `request` (padded, as hashed) begins with them;
  // sets `blocks` to their number (0, and the initial state, when it does not).
  sha256_state resume(const unsigned char* request, std::size_t padded_size, std::size_t& blocks) const noexcept {
    blocks = hashed;
    if (blocks != 0 && 64 * blocks <= padded_size && std::memcmp(request, text, 64 * blocks) == 0) return state;
    blocks = 0;
    return sha256_initial_state;
  }
};

// Whether `s` is the literal `lit`; the fixed size lets the compiler compare inline.
template <std::size_t N>
bool equals_literal(std::string_view s, const char (&lit)[N]) noexcept {
  return s.size() == N - 1 && std::memcmp(s.data(), lit, N - 1) == 0;
}

// The eight bytes at `p` as a big-endian number (so that numbers compare as the bytes do).
inline std::uint64_t load_big_endian64(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return little_endian() ? byte_swap64(v) : v;
}

// Whether `a` sorts before `b` in a canonical query (by name, then value), with one
// comparison of the names.
inline bool precedes(const encoded_param& a, const encoded_param& b) noexcept {
  // names of eight bytes or more (every X-Amz-* name) mostly differ in their first eight,
  // compared as one big-endian word
  if (a.name.size() >= 8 && b.name.size() >= 8) {
    const std::uint64_t x = load_big_endian64(a.name.data()), y = load_big_endian64(b.name.data());
    if (x != y) return x < y;
  }
  const int by_name = a.name.compare(b.name);
  return by_name < 0 || (by_name == 0 && a.value < b.value);
}

// The authentication parameters by number (their place in auth_params, and their bit in
// verify_scratch::escaped); no_auth_param for any other name.
enum auth_param_number : unsigned {
  algorithm_param,
  credential_param,
  date_param,
  expires_param,
  signed_headers_param,
  signature_param,
  token_param,
  content_sha_param,
  no_auth_param
};
inline constexpr std::optional<std::string_view> auth_params::*auth_param_members[] = {
    &auth_params::algorithm,      &auth_params::credential, &auth_params::date,  &auth_params::expires,
    &auth_params::signed_headers, &auth_params::signature,  &auth_params::token, &auth_params::content_sha};

// The number of the presigned query's authentication parameter named `name`, or no_auth_param.
inline auth_param_number auth_param_of(std::string_view name) noexcept {
  if (name.size() < 10 || !equals_literal(name.substr(0, 6), "X-Amz-")) return no_auth_param;
  switch (name.size()) {
    case 10: return equals_literal(name, "X-Amz-Date") ? date_param : no_auth_param;
    case 13: return equals_literal(name, "X-Amz-Expires") ? expires_param : no_auth_param;
    case 15: return equals_literal(name, "X-Amz-Algorithm")   ? algorithm_param
                    : equals_literal(name, "X-Amz-Signature") ? signature_param
                                                              : no_auth_param;
    case 16: return equals_literal(name, "X-Amz-Credential") ? credential_param : no_auth_param;
    case 19: return equals_literal(name, "X-Amz-SignedHeaders") ? signed_headers_param : no_auth_param;
    case 20: return equals_literal(name, "X-Amz-Security-Token")   ? token_param
                    : equals_literal(name, "X-Amz-Content-Sha256") ? content_sha_param
                                                                   : no_auth_param;
    default: return no_auth_param;
  }
}

// Takes note of the parameter `name`=`value` (at `index`, by its decoded name) if it is an
// authentication parameter or SigV2's AWSAccessKeyId. (Views by value: a reference to a stored
// pair was reloaded as one wide word, which store forwarding cannot serve.)
// Returns the parameter's number, or no_auth_param.
inline auth_param_number note_auth_param(verify_scratch& s, std::string_view name, std::string_view value,
                                         std::size_t index) noexcept {
  const auth_param_number k = auth_param_of(name);
  if (k != no_auth_param) {
    std::optional<std::string_view>& slot = s.auth.*auth_param_members[k];
    if (slot) s.duplicate = true;
    slot = value;
    if (k == signature_param) s.signature_index = index;
  } else if (equals_literal(name, "AWSAccessKeyId")) {
    s.sigv2 = true;
  }
  return k;
}

// The one reading of a received query, in one pass over its bytes (scan_raw_query): each
// parameter as received, whether the query is canonically encoded, plain and in order, and the
// authentication parameters. Unless the query is canonical (as SDKs and this library send it;
// then only the authentication values that hold escapes get decoded), every name and value is
// decoded and the parameters are looked up again by their decoded names. False on a malformed
// escape.
inline bool read_query(std::string_view raw_query, verify_scratch& s) {
  // decoded values are written into s.decoded at its start: it is only ever grown (zero-filled
  // once), so views into it stay valid and a call writes no more than the query's size
  if (s.decoded.size() < raw_query.size()) s.decoded.resize(raw_query.size());
  s.params.clear();
  s.raw.clear();
  s.query_canonical = s.query_plain = s.ordered = s.ordered_but_signature = true;
  s.sigv2 = s.duplicate = false;
  s.escaped = 0;
  s.auth = auth_params();
  s.signature_index = std::string_view::npos;
  // The pieces before are named by their index in s.raw (which may move as it grows): the
  // previous one, and the last that is not the (first) signature. (Copies of them, on the
  // stack, were reloaded as wider words than they were stored with: store-forwarding stalls.)
  constexpr std::size_t none = std::string_view::npos;
  std::size_t kept = none;
  std::size_t next_piece = 0;
  scan_raw_query(raw_query, [&](std::string_view n, std::string_view v, bool has_equals, bool canonical,
                                bool value_escaped) {
    const std::size_t index = s.raw.size();
    // field by field: a pushed {n, v} went through the stack, stored as words and reloaded as
    // pairs, which cannot be forwarded (two stalls a piece)
    encoded_param& piece = s.raw.emplace_back();
    piece.name = n;
    piece.value = v;
    // "plain": every piece has '=' and starts right after the previous one's '&' (none is empty)
    s.query_plain = s.query_plain && has_equals && static_cast<std::size_t>(n.data() - raw_query.data()) == next_piece;
    next_piece = static_cast<std::size_t>(v.data() - raw_query.data()) + v.size() + 1;
    s.query_canonical = s.query_canonical && canonical;
    if (!s.query_canonical) return;  // the names are looked up decoded below
    // in a canonical query the names as received are the decoded names
    const bool signature_seen = s.auth.signature.has_value();
    const encoded_param* const raw = s.raw.data();
    const auth_param_number k = note_auth_param(s, n, v, index);
    if (value_escaped && k != no_auth_param) s.escaped |= 1u << k;
    // one comparison per piece but for the one after the signature, which is compared with the
    // piece before the signature too
    const bool after_previous = index == 0 || !precedes(raw[index], raw[index - 1]);
    s.ordered = s.ordered && after_previous;
    if (!signature_seen && s.auth.signature) return;  // the first signature is skipped
    if (kept != none && !(kept + 1 == index ? after_previous : !precedes(raw[index], raw[kept])))
      s.ordered_but_signature = false;
    kept = index;
  });
  s.query_plain = s.query_plain && (raw_query.empty() || next_piece == raw_query.size() + 1);
  if (s.signature_index == std::string_view::npos) s.signature_index = s.raw.size();
  if (s.query_canonical) {
    // the values as received are still encoded (but hold no '+'): decode those that are read
    // and hold an escape (the scan said which)
    // (the signature is compared as received: an escape there never matches hex digits)
    char* w = &s.decoded[0];
    for (unsigned bits = s.escaped & ~(1u << signature_param); bits != 0; bits &= bits - 1) {
      std::optional<std::string_view>& v = s.auth.*auth_param_members[lowest_bit(bits)];
      bool ok = true;  // (the scan found every escape canonical)
      char* const end = write_uri_decoded(w, *v, ok);
      v = std::string_view(w, static_cast<std::size_t>(end - w));
      w = end;
    }
    return true;
  }
  s.decoded.clear();
  s.decoded.reserve(raw_query.size());  // decoding never grows text: views into it stay valid
  s.auth = auth_params();
  s.sigv2 = s.duplicate = false;
  s.signature_index = s.raw.size();
  bool ok = true;
  const auto decode = [&](std::string_view raw) {
    if (raw.find_first_of("%+") == std::string_view::npos) return raw;
    const std::size_t at = s.decoded.size();
    ok = ok && append_query_decoded(s.decoded, raw);
    return std::string_view(s.decoded).substr(at);
  };
  for (const encoded_param& p : s.raw) {
    const std::string_view name = decode(p.name);
    const std::string_view value = decode(p.value);
    s.params.push_back({name, value});
    note_auth_param(s, name, value, s.params.size() - 1);
  }
  return ok;
}

SIGV4_BACKEND_NS_END
}  // namespace detail
SIGV4_BACKEND_NS_BEGIN

/// Verifies presigned URLs and header-signed requests against a key lookup. Safe to share
/// between threads if the lookup is. Signing keys are cached per (access key, scope, secret):
/// a verification then costs about the hashing of the request; a rotated secret is noticed
/// because the cached copy no longer matches what the lookup returns. The cache has a fixed
/// size (128 keys, 48 KiB, allocated with the verifier) and keeps the keys in use when
/// many others pass through it; no request can grow it. A verification of a request whose key
/// is cached allocates nothing with a key_lender (a key_lookup's copy of the secret is the
/// one allocation otherwise); a refusal allocates its detail text.
class verifier {
 public:
  /// @param lookup  finds (a copy of) the secret and expected session token of an access key id.
  /// @param options accepted regions and services, clock skew, required signed headers, path rules.
  verifier(key_lookup lookup, verify_options options = {})
      : keys_(std::move(lookup)), options_(std::move(options)) {}
  /// @param lender  lends the entry (secret and expected session token) of an access key id.
  /// @param options accepted regions and services, clock skew, required signed headers, path rules.
  verifier(key_lender lender, verify_options options = {})
      : keys_(std::move(lender)), options_(std::move(options)) {}
  /// Not copyable (it owns its key cache).
  verifier(const verifier&) = delete;
  /// Not assignable.
  verifier& operator=(const verifier&) = delete;

  /// @return the options the verifier was made with.
  const verify_options& options() const noexcept { return options_; }

  /// Verifies a presigned request.
  /// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
  /// @param method  the request's method ("GET")
  /// @param target  the request target exactly as received: raw path and query ("/b/k?X-Amz-...")
  /// @param headers every header of the request as received; Host is required (it is signed).
  ///                An x-amz-* header that is not signed makes the request unsigned_header, a
  ///                signed header that is absent signed_header_missing: pass them all.
  /// @param now     the server's time
  /// @return valid, or the first reason the request fails (with a detail safe to log) and the
  ///         parts parsed so far. A bad request is never an exception; an exception thrown by
  ///         the key lookup (or std::bad_alloc) propagates.
  verify_result verify_presigned(std::string_view method, std::string_view target, const std::vector<header>& headers,
                                 time_point now) const {
    verify_result r;
    check_presigned(r, method, target, headers, now);
    return r;
  }

  /// Verifies a presigned URL given whole: "https://host[:port]/path?query". The URL is read
  /// by the library's one strict URL parser (as the presigner reads its endpoint): http or https
  /// only, no user info, a valid host name, IPv4 address or bracketed IPv6 literal, a port of
  /// 1-65535; anything else is malformed, with the parser's description (which never quotes the
  /// URL). The Host header is taken from the URL: the host lower-cased, with the port unless it
  /// is the scheme's default; `headers` holds the other headers the client sends.
  /// @param method  the request's method ("GET")
  /// @param url     the whole URL as the client used it
  /// @param headers the other headers of the request as received (not Host); pass them all, as
  ///                for verify_presigned
  /// @param now     the server's time
  /// @return valid, or the first reason the request fails (with a detail safe to log) and the
  ///         parts parsed so far. A bad request is never an exception; an exception thrown by
  ///         the key lookup (or std::bad_alloc) propagates.
  verify_result verify_presigned_url(std::string_view method, std::string_view url, std::vector<header> headers,
                                     time_point now) const {
    verify_result r;
    detail::url_parts u;
    if (const char* why = detail::parse_http_url(url, u)) {
      detail::refuse(r, verify_reason::malformed, std::string("the URL ") + why);
      return r;
    }
    detail::remove_header(headers, "host");
    headers.push_back({"Host", u.authority()});
    if (!u.target.empty() && u.target.front() == '/') check_presigned(r, method, u.target, headers, now);
    else check_presigned(r, method, "/" + std::string(u.target), headers, now);  // "" or "?query"
    return r;
  }

  /// Verifies a request signed with the Authorization header.
  /// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html
  /// @param method  the request's method ("PUT")
  /// @param target  the request target exactly as received: raw path and query
  /// @param headers every header of the request as received, Authorization and X-Amz-Date
  ///                included; as for verify_presigned, an unsigned x-amz-* header is refused.
  /// @param payload the payload hash the server trusts (e.g. of the body it received); when
  ///                nullopt, the x-amz-content-sha256 header's value is used (S3), and its
  ///                absence is malformed.
  /// @param now     the server's time
  /// @return valid, or the first reason the request fails (with a detail safe to log) and the
  ///         parts parsed so far. A bad request is never an exception; an exception thrown by
  ///         the key lookup (or std::bad_alloc) propagates.
  verify_result verify_signed_request(std::string_view method, std::string_view target,
                                      const std::vector<header>& headers, std::optional<payload_hash> payload,
                                      time_point now) const {
    verify_result r;
    check_signed_request(r, method, target, headers, std::move(payload), now);
    return r;
  }

 private:
  // The presigned checks, in order; false (with the reason in `r`) at the first that fails.
  bool check_presigned(verify_result& r, std::string_view method, std::string_view target,
                       const std::vector<header>& headers, time_point now) const {
    const std::size_t q = target.find('?');
    const std::string_view raw_path = target.substr(0, q);
    const std::string_view raw_query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    auto& s = detail::verify_space();
    // the canonical request's first blocks, hashed between the checks (early_blocks)
    detail::early_blocks early;
    early.expect(method, raw_path, raw_query);
    early.hash_next();
    if (!detail::read_query(raw_query, s))
      return detail::refuse(r, verify_reason::malformed, "the query has a malformed percent-encoding");
    const detail::auth_params& a = s.auth;
    if (s.signature_index < s.raw.size()) {
      // the canonical query leaves the signature out: the blocks before it are worth hashing
      const std::size_t at = method.size() + raw_path.size() + 2 +
                             static_cast<std::size_t>(s.raw[s.signature_index].name.data() - raw_query.data());
      if ((at - 1) / 64 < early.limit) early.limit = (at - 1) / 64;
    }
    early.hash_next();
    if (s.duplicate) return detail::refuse(r, verify_reason::malformed, "an X-Amz-* authentication parameter is repeated");
    if (!a.algorithm && !a.credential && s.sigv2)
      return detail::refuse(r, verify_reason::unsupported_algorithm,
                            "the URL is signed with SigV2 (AWSAccessKeyId, Signature); only SigV4 "
                            "(X-Amz-Algorithm=AWS4-HMAC-SHA256) is accepted");
    if (!a.algorithm || !a.credential || !a.date || !a.expires || !a.signed_headers || !a.signature)
      return detail::refuse(r, verify_reason::malformed, "an X-Amz-* authentication parameter is missing");
    if (!detail::same_text(*a.algorithm, algorithm))
      return detail::refuse(r, verify_reason::unsupported_algorithm, "X-Amz-Algorithm is not AWS4-HMAC-SHA256");
    long long expires_s = 0;
    if (!check_credential_and_date(r, *a.credential, *a.date)) return false;
    early.hash_next();
    if (!check_expires(r, *a.expires, expires_s) || !check_window(r, now, expires_s, "the URL has expired") ||
        !check_signed_headers(r, *a.signed_headers) || !check_unsigned_headers(r, headers))
      return false;
    early.hash_next();
    std::optional<key_entry> held;
    const key_entry* key = keys_.find(r.parts.access_key_id(), held);
    if (!key) return detail::refuse(r, verify_reason::unknown_access_key, "the access key id is not known");
    if (!check_token(r, *key, a.token)) return false;
    std::optional<payload_hash> sent;  // (the options' payload line is read in place)
    if (a.content_sha && !(sent = payload_line(*a.content_sha)))
      return detail::refuse(r, verify_reason::malformed, "X-Amz-Content-Sha256 is not a payload hash");
    const std::string_view payload = sent ? sent->value() : options_.presigned_payload.value();
    return check_signature(r, method, raw_path, raw_query, s.signature_index, headers, payload, *key, *a.date,
                           *a.signature, early);
  }

  // The header-mode checks, in order; false (with the reason in `r`) at the first that fails.
  bool check_signed_request(verify_result& r, std::string_view method, std::string_view target,
                            const std::vector<header>& headers, std::optional<payload_hash> payload,
                            time_point now) const {
    bool repeated = false;
    const auto value_of = [&](std::string_view name) -> std::optional<std::string_view> {
      std::optional<std::string_view> found;
      for (const auto& h : headers) {
        if (!detail::iequals(h.name, name)) continue;
        if (found) repeated = true;
        found = h.value;
      }
      return found;
    };
    const auto auth = value_of("authorization");
    const auto date = value_of("x-amz-date");
    if (repeated) return detail::refuse(r, verify_reason::malformed, "Authorization or X-Amz-Date is repeated");
    // SigV2: "AWS id:signature" (MinIO, cmd/auth-handler.go isRequestSignatureV2: the prefix "AWS" but not
    // "AWS4-HMAC-SHA256")
    if (auth && auth->size() > 4 && detail::equals_literal(auth->substr(0, 4), "AWS "))
      return detail::refuse(r, verify_reason::unsupported_algorithm,
                            "the Authorization header is SigV2 (AWS id:signature); only SigV4 (AWS4-HMAC-SHA256) "
                            "is accepted");
    if (!auth || !date) return detail::refuse(r, verify_reason::malformed, "Authorization or X-Amz-Date is missing");
    std::string_view credential, signed_list, signature;
    if (!parse_authorization(r, *auth, credential, signed_list, signature) ||
        !check_credential_and_date(r, credential, *date) ||
        !check_window(r, now, options_.max_clock_skew.count(), "X-Amz-Date is too old") ||
        !check_signed_headers(r, signed_list) || !check_unsigned_headers(r, headers))
      return false;
    std::optional<key_entry> held;
    const key_entry* key = keys_.find(r.parts.access_key_id(), held);
    if (!key) return detail::refuse(r, verify_reason::unknown_access_key, "the access key id is not known");
    repeated = false;
    const auto token = value_of("x-amz-security-token");
    if (repeated) return detail::refuse(r, verify_reason::malformed, "X-Amz-Security-Token is repeated");
    if (!check_token(r, *key, token)) return false;
    if (!payload) {
      const auto sha = value_of("x-amz-content-sha256");
      if (sha) payload = payload_line(*sha);
      if (!payload || repeated)
        return detail::refuse(r, verify_reason::malformed, "x-amz-content-sha256 is missing or not a payload hash");
    }
    const std::size_t q = target.find('?');
    const std::string_view raw_query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    auto& s = detail::verify_space();
    if (!detail::read_query(raw_query, s))
      return detail::refuse(r, verify_reason::malformed, "the query has a malformed percent-encoding");
    return check_signature(r, method, target.substr(0, q), raw_query, s.raw.size(), headers, payload->value(), *key,
                           *date, signature, detail::early_blocks());
  }

  // A payload line from text: 64 lower-case hex digits or UNSIGNED-PAYLOAD; nullopt otherwise.
  static std::optional<payload_hash> payload_line(std::string_view text) {
    if (text == "UNSIGNED-PAYLOAD") return payload_hash::unsigned_payload();
    if (!detail::is_lower_hex(text, 64)) return std::nullopt;
    return payload_hash::precomputed(text);
  }

  // "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...": each part once, in any
  // order, spaces around them ignored.
  static bool parse_authorization(verify_result& r, std::string_view a, std::string_view& credential,
                                  std::string_view& signed_list, std::string_view& signature) {
    const std::size_t sp = a.find(' ');
    if (sp == std::string_view::npos) return detail::refuse(r, verify_reason::malformed, "Authorization is malformed");
    if (a.substr(0, sp) != algorithm)
      return detail::refuse(r, verify_reason::unsupported_algorithm, "the Authorization algorithm is not AWS4-HMAC-SHA256");
    std::optional<std::string_view> c, l, sig;
    bool bad = false;
    for (std::size_t i = sp + 1; i < a.size();) {
      std::size_t j = a.find(',', i);
      if (j == std::string_view::npos) j = a.size();
      std::string_view part = a.substr(i, j - i);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      const std::size_t eq = part.find('=');
      const std::string_view name = part.substr(0, eq);
      auto* slot = name == "Credential" ? &c : name == "SignedHeaders" ? &l : name == "Signature" ? &sig : nullptr;
      if (!slot || eq == std::string_view::npos || *slot) bad = true;  // unknown, without '=', or repeated
      else *slot = part.substr(eq + 1);
      i = j + 1;
    }
    if (bad || !c || !l || !sig) return detail::refuse(r, verify_reason::malformed, "Authorization is malformed");
    credential = *c;
    signed_list = *l;
    signature = *sig;
    return true;
  }

  // X-Amz-Expires: whole seconds, digits without a leading zero, 1 to 604800. MinIO
  // (cmd/signature-v4.go, doesPresignedSignatureMatch) writes the number back with
  // strconv.Itoa and refuses a URL whose X-Amz-Expires text differs, so "0900" or "+900"
  // never works there; anything but digits is malformed whatever its length.
  static bool check_expires(verify_result& r, std::string_view text, long long& seconds) {
    const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || (text.size() > 1 && text.front() == '0'))
      return detail::refuse(r, verify_reason::malformed,
                            "X-Amz-Expires is not a number of seconds (digits without a leading zero)");
    if (text.size() > 7) return detail::refuse(r, verify_reason::expiry_out_of_range, "X-Amz-Expires must be 1 to 604800");
    seconds = 0;
    for (char c : text) seconds = seconds * 10 + (c - '0');
    if (seconds < 1 || seconds > max_expires_seconds)
      return detail::refuse(r, verify_reason::expiry_out_of_range, "X-Amz-Expires must be 1 to 604800");
    return true;
  }

  // Every x-amz-* request header (any case) must be signed. S3 refuses one that is not, in
  // both modes ("There were headers present in the request which were not signed", with
  // HeadersNotSigned naming it); MinIO checks only X-Amz-Meta-* and only in presigned mode
  // (cmd/signature-v4-utils.go, checkMetaHeaders); Ceph RGW 16 checks none, so a verifier in
  // front of it is what refuses them. None is exempt here:
  //  - not x-amz-content-sha256, which S3 lets through unsigned in header mode: its value is
  //    bound by the signature only when it is the payload line, not when the caller passes the
  //    payload hash it computed;
  //  - not x-amz-date or x-amz-security-token: every SDK signs them (botocore signs every
  //    header but Expect, User-Agent and X-Amzn-Trace-Id), so a token added after signing is
  //    refused, as a presigned token added after signing already is (signature mismatch);
  //  - not in presigned mode: what is exempt there is the query, whose x-amz-* parameters
  //    (X-Amz-Security-Token, a hoisted x-amz-acl, ...) are all signed through the canonical
  //    query. A signed header carried in the query instead of the headers, which MinIO looks
  //    for (extractSignedHeaders), is not: it is a missing signed header.
  // X-Amzn-Trace-Id is not an x-amz- header. The detail names the header, never its value.
  static bool check_unsigned_headers(verify_result& r, const std::vector<header>& headers) {
    for (const header& h : headers) {
      if (h.name.size() < 6 || !detail::iequals(std::string_view(h.name).substr(0, 6), "x-amz-")) continue;
      bool is_signed = false;
      r.parts.for_each_signed_header([&](std::string_view name) { is_signed = is_signed || detail::iequals(name, h.name); });
      if (is_signed) continue;
      if (!detail::is_token(h.name) || h.name.size() > 128)
        return detail::refuse(r, verify_reason::unsigned_header, "an x-amz-* header with a malformed name is not signed");
      std::string name = h.name;
      for (char& c : name) c = detail::to_lower_ascii(c);
      return detail::refuse(r, verify_reason::unsigned_header, name + " is not signed (x-amz-* headers must be)");
    }
    return true;
  }

  // Parses "AKID/YYYYMMDD/region/service/aws4_request" into r.parts and checks it against
  // X-Amz-Date and the options.
  bool check_credential_and_date(verify_result& r, std::string_view credential, std::string_view date) const {
    // AKID/YYYYMMDD/region/service/aws4_request: exactly five parts, so neither a sixth part nor
    // a trailing '/' (MinIO, cmd/signature-v4.go doesPresignedSignatureMatch, rebuilds the
    // credential from its five parts and refuses a URL whose text differs). An access key id
    // with a '/' (which MinIO's parser would join back, cmd/signature-v4-parser.go) is refused.
    // where the parts end, in one pass (the text is short: a search per part cost more),
    // eight bytes at a time: a mask of the '/'s in each word, visited lowest first
    std::size_t ends[5];
    std::size_t n = 0;
    std::size_t i = 0;
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; credential.size() - i >= 8 && n < 5; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, credential.data() + i, 8);
      const std::uint64_t x = word ^ 0x2F2F2F2F2F2F2F2Full;  // a zero byte where a '/' was
      // exact per byte (no borrow from a lower byte): the high bit of each byte that is zero
      std::uint64_t slashes = ~(((x & 0x7F7F7F7F7F7F7F7Full) + 0x7F7F7F7F7F7F7F7Full) | x) & 0x8080808080808080ull;
      for (; slashes != 0 && n < 5; slashes &= slashes - 1)
        ends[n++] = i + static_cast<std::size_t>(__builtin_ctzll(slashes)) / 8;
    }
#endif
    for (; i < credential.size() && n < 5; ++i)
      if (credential[i] == '/') ends[n++] = i;
    std::string_view parts[5];
    if (n == 4) {
      ends[4] = credential.size();
      for (std::size_t k = 0, begin = 0; k < 5; begin = ends[k++] + 1) parts[k] = credential.substr(begin, ends[k] - begin);
    }
    if (n != 4)
      return detail::refuse(r, verify_reason::malformed,
                            "X-Amz-Credential is not the five parts key/date/region/service/aws4_request");
    if (parts[0].empty())
      return detail::refuse(r, verify_reason::malformed, "X-Amz-Credential has an empty access key id");
    if (parts[0].size() > verified_parts::max_access_key_id)
      return detail::refuse(r, verify_reason::malformed, "X-Amz-Credential's access key id is longer than 128 characters");
    const std::string_view scope_text = credential.substr(parts[0].size() + 1);
    if (scope_text.size() > verified_parts::max_scope)
      return detail::refuse(r, verify_reason::malformed, "the credential scope is too long");
    r.parts.set_credential(parts[0], scope_text, parts[1].size(), parts[2].size(), parts[3].size());
    std::error_code ec;
    r.parts.signed_at_ = parse_amz_date(date, ec);
    if (ec) return detail::refuse(r, verify_reason::malformed, "X-Amz-Date is not YYYYMMDDTHHMMSSZ");
    if (!detail::same_text(parts[1], date.substr(0, 8)))
      return detail::refuse(r, verify_reason::scope_mismatch, "the credential scope date is not X-Amz-Date's day");
    const auto listed = [](const std::vector<std::string>& v, std::string_view s) {
      return std::any_of(v.begin(), v.end(), [s](const std::string& x) { return detail::same_text(x, s); });
    };
    if (!listed(options_.regions, parts[2]))
      return detail::refuse(r, verify_reason::scope_mismatch, "the credential scope region is not accepted");
    if (!listed(options_.services, parts[3]))
      return detail::refuse(r, verify_reason::scope_mismatch, "the credential scope service is not accepted");
    if (!detail::equals_literal(parts[4], "aws4_request"))
      return detail::refuse(r, verify_reason::scope_mismatch, "the credential scope does not end in aws4_request");
    return true;
  }

  // The validity window, in whole seconds (no overflow at the ends of the clock's range):
  // refused when X-Amz-Date is further ahead of `now` than the skew, or `now` is past
  // X-Amz-Date + `lifetime` seconds. The skew never lengthens the window.
  bool check_window(verify_result& r, time_point now, long long lifetime, const char* expired_detail) const {
    const std::int64_t signed_s = detail::epoch_seconds(r.parts.signed_at_);
    const std::int64_t now_s = detail::epoch_seconds(now);
    r.parts.expires_at_ = detail::add_seconds(r.parts.signed_at_, lifetime);
    if (signed_s - now_s > options_.max_clock_skew.count())
      return detail::refuse(r, verify_reason::not_yet_valid, "X-Amz-Date is too far in the future");
    if (now_s - signed_s > lifetime) return detail::refuse(r, verify_reason::expired, expired_detail);
    return true;
  }

  // The SignedHeaders list: lower-case tokens joined by ';', strictly in order (so each once),
  // with host and the required headers among them.
  bool check_signed_headers(verify_result& r, std::string_view list) const {
    // one pass over the bytes: each name checked as it ends, host noted on the way
    std::string_view previous;
    bool host = false;
    for (std::size_t i = 0, begin = 0; i <= list.size(); ++i) {
      if (i < list.size() && list[i] != ';') {
        if (!detail::is_token_char(list[i]) || (list[i] >= 'A' && list[i] <= 'Z'))
          return detail::refuse(r, verify_reason::malformed, "the signed header list is not sorted lower-case names");
        continue;
      }
      const std::string_view name = list.substr(begin, i - begin);
      if (name.empty() || (begin != 0 && !(previous < name)))
        return detail::refuse(r, verify_reason::malformed, "the signed header list is not sorted lower-case names");
      host = host || detail::same_text(name, "host");
      previous = name;
      begin = i + 1;
    }
    r.parts.set_signed_header_list(list);
    if (!host) return detail::refuse(r, verify_reason::required_header_not_signed, "host is not signed");
    for (const auto& h : options_.required_signed_headers)
      if (!r.parts.is_signed(h)) return detail::refuse(r, verify_reason::required_header_not_signed, h + " is not signed");
    return true;
  }

  static bool check_token(verify_result& r, const key_entry& key, const std::optional<std::string_view>& token) {
    if (key.session_token.empty() && !token) return true;
    if (key.session_token.empty() || !token)
      return detail::refuse(r, verify_reason::session_token_mismatch,
                            token ? "a session token was sent for a key that has none" : "the session token is missing");
    if (token->size() != key.session_token.size() ||
        !detail::constant_time_equal(token->data(), key.session_token.data(), token->size()))
      return detail::refuse(r, verify_reason::session_token_mismatch, "the session token does not match");
    return true;
  }

  // The HMAC states of the signing key for the parts' scope and `secret`, from the cache or
  // derived (and cached).
  void key_for(const verified_parts& parts, std::string_view secret, std::optional<detail::hmac_block_key>& out,
               detail::key_cache::first_block_memo& memo) const {
    cache_.get_block_key(parts.access_key_id(), parts.scope_text(), secret, out, memo, [&] {
      return signing_key(secret, parts.scope_date(), parts.scope_region(), parts.scope_service());
    });
  }

  // Re-encodes the decoded query parameters (but the one at `skip`) into the scratch space's
  // sorted list.
  static void reencode_query(std::size_t skip) {
    auto& s = detail::verify_space();
    s.encoded.clear();
    s.ends.clear();
    for (std::size_t i = 0; i < s.params.size(); ++i) {
      if (i == skip) continue;
      detail::append_uri_encoded(s.encoded, s.params[i].name, detail::encode_set::component);
      s.ends.push_back(s.encoded.size());
      detail::append_uri_encoded(s.encoded, s.params[i].value, detail::encode_set::component);
      s.ends.push_back(s.encoded.size());
    }
    s.sorted.clear();
    for (std::size_t k = 0, at = 0; k < s.ends.size(); k += 2) {
      s.sorted.push_back({std::string_view(s.encoded).substr(at, s.ends[k] - at),
                          std::string_view(s.encoded).substr(s.ends[k], s.ends[k + 1] - s.ends[k])});
      at = s.ends[k + 1];
    }
  }

  // The canonical query: the parameters but the one at `skip`, sorted, each canonically
  // encoded. When the received query is that already but for the skipped piece (parameters
  // canonically encoded and in order, as SDKs and this library send them), it is the received
  // text around that piece, given as `before` + `after`; otherwise it is built in s.query.
  static void canonical_query_of(std::string_view raw_query, std::size_t skip, detail::verify_scratch& s,
                                 std::string_view& before, std::string_view& after) {
    before = after = std::string_view();
    // read_query found the order of the pieces with and without the (first) signature
    const bool ordered = skip >= s.raw.size() ? s.ordered : skip == s.signature_index && s.ordered_but_signature;
    if (s.query_canonical && s.query_plain) {
      if (ordered) {
        if (skip >= s.raw.size()) {
          before = raw_query;
          return;
        }
        // the skipped piece runs from its name to the end of its value
        const std::size_t begin = static_cast<std::size_t>(s.raw[skip].name.data() - raw_query.data());
        const std::size_t end = static_cast<std::size_t>(s.raw[skip].value.data() - raw_query.data()) +
                                s.raw[skip].value.size();
        if (begin == 0) {
          before = raw_query.substr(end == raw_query.size() ? end : end + 1);  // drop the '&' after it
        } else {
          before = raw_query.substr(0, begin - 1);  // up to the '&' before it
          after = raw_query.substr(end);            // from the '&' after it, if any
        }
        return;
      }
    }
    s.sorted.clear();
    if (s.query_canonical) {
      for (std::size_t i = 0; i < s.raw.size(); ++i)
        if (i != skip) s.sorted.push_back(s.raw[i]);
    } else {
      reencode_query(skip);
    }
    s.query.clear();
    detail::append_sorted_query(s.query, s.sorted.data(), s.sorted.data() + s.sorted.size());
    before = s.query;
  }

  // Step 1: the canonical URI, as a view into the received path when decoding and re-encoding
  // would give it back (S3 rules), else built in s.path (s.block holds the decoded path).
  bool canonical_uri_of(verify_result& r, std::string_view raw_path, detail::verify_scratch& s,
                                                std::string_view& path) const {
    path = raw_path;
    if (options_.path == path_rules::s3 && detail::is_canonically_encoded(raw_path, detail::encode_set::path)) {
      if (path.empty()) path = "/";
      else if (path.front() != '/') return detail::refuse(r, verify_reason::malformed, "the path does not start with '/'");
      return true;
    }
    std::string_view plain = raw_path;
    if (options_.path == path_rules::s3) {
      s.block.clear();
      if (!detail::append_uri_decoded(s.block, raw_path))
        return detail::refuse(r, verify_reason::malformed, "the path has a malformed percent-encoding");
      plain = s.block;
    }
    if (!plain.empty() && plain.front() != '/')
      return detail::refuse(r, verify_reason::malformed, "the path does not start with '/'");
    s.path.clear();
    detail::append_canonical_uri(s.path, plain, options_.path);
    path = s.path;
    return true;
  }

  // Step 3: the headers of the canonical header lines (in s.headers), every value each signed
  // header has in the request, in the order of the signed-header list (which is sorted: so are
  // they, and the list is the canonical request's). A signed header that is absent is refused
  // (MinIO: ErrUnsignedHeaders, cmd/signature-v4-utils.go extractSignedHeaders).
  static bool canonical_headers_of(verify_result& r, const std::vector<header>& headers, detail::verify_scratch& s) {
    s.headers.clear();
    bool ok = true;
    r.parts.for_each_signed_header([&](std::string_view name) {
      if (!ok) return;
      bool found = false;
      for (const auto& h : headers) {
        if (!detail::iequals(h.name, name)) continue;
        if (detail::has_control_char(h.value)) {
          ok = detail::refuse(r, verify_reason::malformed, "signed header " + std::string(name) + " holds a control character");
          return;
        }
        s.headers.push_back({name, h.value});
        found = true;
      }
      if (!found)
        ok = detail::refuse(r, verify_reason::signed_header_missing,
                            "signed header " + std::string(name) + " is not in the request");
    });
    return ok;
  }

  // Step 4: method \n URI \n query \n header lines \n signed list \n payload, written with one
  // resize, plain copies and the header lines written in place into a buffer with room for the
  // padding, and hashed there (after the blocks hashed ahead, when it begins with them); the
  // signing key's states are fetched between the next block and the rest (so that the lookup
  // runs while that block's dependent rounds are in flight); the string to sign; its HMAC
  // (the state after its first block kept in the key's cache record for the last X-Amz-Date
  // second it saw), compared with `provided` in constant time.
  bool compare_signature(verify_result& r, detail::verify_scratch& s, std::string_view method, std::string_view path,
                         std::string_view query_before, std::string_view query_after, std::string_view payload,
                         const key_entry& key, std::string_view date, std::string_view provided,
                         const detail::early_blocks& early) const {
    std::string& cr = s.canonical;
    const detail::header_view* const lines = s.headers.data();
    const std::size_t n_lines = s.headers.size();
    const std::string_view list = r.parts.signed_header_list();
    const std::size_t room = method.size() + path.size() + query_before.size() + query_after.size() +
                             detail::canonical_header_lines_room(lines, lines + n_lines) + list.size() + payload.size() + 5;
    cr.resize(detail::sha256_padded_size(room));  // (the same size call after call: no fill)
    char* w = &cr[0];
    const auto put = [&w](std::string_view part, bool newline) {
      if (!part.empty()) std::memcpy(w, part.data(), part.size());  // an empty view may hold no pointer
      w += part.size();
      if (newline) *w++ = '\n';
    };
    put(method, true);
    put(path, true);
    put(query_before, false);
    put(query_after, true);
    w = detail::write_canonical_header_lines(w, lines, lines + n_lines);  // straight into the request
    *w++ = '\n';
    put(list, true);
    put(payload, false);
    auto* bytes = reinterpret_cast<unsigned char*>(&cr[0]);
    const std::size_t blocks = detail::sha256_pad(bytes, static_cast<std::size_t>(w - cr.data()));
    std::size_t done = 0;
    detail::sha256_state h = early.resume(bytes, blocks * detail::sha256_block_size, done);
    // The signing key's states are looked up between the next block and the rest: the lookup
    // does not wait for the hash, so the processor runs it while that block's rounds (a chain
    // of dependent instructions) are in flight.
    if (done < blocks) detail::sha256_blocks(h, bytes + detail::sha256_block_size * done++, 1);
    std::optional<detail::hmac_block_key> k;
    detail::key_cache::first_block_memo memo;
    key_for(r.parts, key.secret.view(), k, memo);
    detail::sha256_blocks(h, bytes + detail::sha256_block_size * done, blocks - done);
    detail::digest request_digest;
    detail::sha256_digest_of(h, request_digest.data());
    char sts[detail::string_to_sign_size(16, 256)];
    const std::size_t sts_size = detail::write_string_to_sign(sts, date, r.parts.scope_text(), request_digest.data());
    unsigned char mac[detail::sha256_size];
    memo.sign(*k, static_cast<std::uint64_t>(detail::epoch_seconds(r.parts.signed_at())), sts, sts_size, mac);
    char expected[64];
    detail::hex_encode(mac, sizeof mac, expected);
    const bool same = provided.size() == 64 && detail::constant_time_equal(expected, provided.data(), 64);
    detail::wipe_bytes(expected, sizeof expected);  // inline (OPENSSL_cleanse is a call through a pointer)
    detail::wipe_bytes(mac, sizeof mac);
    if (!same) return detail::refuse(r, verify_reason::signature_mismatch, "the signature does not match the request");
    r.reason = verify_reason::valid;
    r.detail.clear();
    return true;
  }

  // The canonical request from its pieces (step 1 the URI, step 2 the query without the
  // signature, step 3 the signed headers), then step 4: hash, sign and compare.
  bool check_signature(verify_result& r, std::string_view method, std::string_view raw_path, std::string_view raw_query,
                       std::size_t skip_param, const std::vector<header>& headers, std::string_view payload,
                       const key_entry& key, std::string_view date, std::string_view provided,
                       const detail::early_blocks& early) const {
    auto& s = detail::verify_space();
    if (!detail::is_token(method)) return detail::refuse(r, verify_reason::malformed, "the method is malformed");
    std::string_view path;
    if (!canonical_uri_of(r, raw_path, s, path)) return false;
    std::string_view query_before, query_after;
    canonical_query_of(raw_query, skip_param, s, query_before, query_after);
    if (!canonical_headers_of(r, headers, s)) return false;
    return compare_signature(r, s, method, path, query_before, query_after, payload, key, date, provided, early);
  }

  detail::key_source keys_;
  verify_options options_;
  detail::key_cache cache_;
};

SIGV4_BACKEND_NS_END
}  // namespace sigv4

#endif
