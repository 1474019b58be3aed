/// @file
/// sigv4 — browser uploads with presigned POST forms (S3 "POST Object", SigV4 POST policy):
/// the policy, its conditions and the form's fields, made from an s3::presigner; and the
/// server-side check of a received form, with a reason from a fixed set.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html
#ifndef SIGV4_POST_POLICY_HPP
#define SIGV4_POST_POLICY_HPP

#include "detail/config.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "canonical.hpp"
#include "credentials.hpp"
#include "detail/ascii.hpp"
#include "detail/base64.hpp"
#include "detail/json.hpp"
#include "detail/openssl.hpp"
#include "detail/utf8.hpp"
#include "errors.hpp"
#include "s3.hpp"
#include "signer.hpp"
#include "time.hpp"
#include "verify.hpp"

namespace sigv4::s3 {
SIGV4_BACKEND_NS_BEGIN

/// One field of an HTML form: a part of the multipart/form-data body.
struct post_field {
  std::string name;   ///< the field's name, e.g. "key", "Content-Type"
  std::string value;  ///< its value
};

/// How a condition matches a form field's value.
enum class post_match {
  exact,        ///< {"name": "value"}: the field must be exactly this
  starts_with,  ///< ["starts-with", "$name", "prefix"]: the field must start with it ("" allows anything)
};

/// A condition on a form field that the browser (or the user) fills in, e.g. starts-with on
/// Content-Type. Fields with a fixed value belong in post_policy::fields instead.
struct post_condition {
  std::string field;  ///< the form field's name, e.g. "Content-Type", "x-amz-meta-tag"
  post_match match = post_match::exact;  ///< exact value or starts-with prefix
  std::string value;                     ///< the value, or the prefix
};

/// The largest object one POST can upload (5 GiB), the upper end of content-length-range.
inline constexpr std::uint64_t max_post_object_size = std::uint64_t{5} << 30;

/// content-length-range: the file part must be min..max bytes (both included).
struct content_length_range {
  std::uint64_t min = 0;                     ///< the smallest file accepted, in bytes
  std::uint64_t max = max_post_object_size;  ///< the largest file accepted, in bytes (at most 5 GiB)
};

/// One POST form to make.
struct post_policy {
  std::string bucket;  ///< the bucket the form uploads to (S3's naming rules)
  /// The object key (1 to 1024 bytes of UTF-8), or with key_is_prefix the prefix every key
  /// must start with (at most 1024 bytes of UTF-8, may be empty).
  std::string key;
  /// The key is a starts-with prefix: the form's key field is key + "${filename}", which S3
  /// replaces with the name of the uploaded file.
  bool key_is_prefix = false;
  /// The policy's lifetime from the signing time: 1 to 604800 seconds.
  std::chrono::seconds expires{3600};
  /// Fields the form carries with fixed values (Content-Type, Cache-Control,
  /// Content-Disposition, success_action_redirect, x-amz-meta-*, x-amz-server-side-
  /// encryption*, x-amz-checksum-*, x-amz-storage-class, acl, ...): each is put in the form and
  /// gets an exact condition, in this order.
  std::vector<post_field> fields;
  /// Conditions on fields filled in later, e.g. starts-with "image/" on Content-Type.
  std::vector<post_condition> conditions;
  /// content-length-range, when the size of the file is limited.
  std::optional<content_length_range> size;
  /// success_action_status (200, 201 or 204): a field and its exact condition.
  std::optional<int> success_action_status;
  credential_expiry on_credential_expiry = credential_expiry::refuse;  ///< temporary credentials ending first: refuse or clamp
};

/// A signed form: where to POST it and what to send.
struct post_form {
  /// The form's action: scheme://endpoint/BUCKET (path style) or scheme://BUCKET.endpoint/
  /// (virtual-hosted), by the presigner's style and endpoint rules.
  std::string url;
  /// The fields in form order: key, policy, x-amz-algorithm, x-amz-credential, x-amz-date,
  /// x-amz-security-token (with temporary credentials), x-amz-signature, then the caller's
  /// fields and success_action_status. The file part is NOT among them: the form must send it
  /// after every field (S3 ignores fields that come after the file).
  std::vector<post_field> fields;
  /// The policy document (JSON) whose base64 is the "policy" field.
  std::string policy;
};

SIGV4_BACKEND_NS_END
namespace detail {
SIGV4_BACKEND_NS_BEGIN
using sigv4::detail::iequals;
using sigv4::detail::quote_input;

// The names the form's signature owns; a caller may neither set nor condition them.
inline constexpr std::string_view post_reserved_fields[] = {
    "key", "policy", "bucket", "file", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
    "x-amz-security-token", "x-amz-signature", "success_action_status"};

inline bool is_post_reserved(std::string_view name) noexcept {
  for (std::string_view r : post_reserved_fields)
    if (iequals(name, r)) return true;
  return false;
}

inline void check_post_field_name(std::string_view name) {
  if (!sigv4::detail::is_token(name))
    throw error(errc::invalid_header_name, "form field name " + quote_input(name) + " is not an HTTP token");
}

inline void check_post_field_value(std::string_view name, std::string_view value) {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f)
      throw error(errc::invalid_header_value, "the value of form field " + quote_input(name) +
                                                  (c == '\r' || c == '\n' ? " holds CR or LF" : " holds a control character"));
  }
  if (!sigv4::detail::is_valid_utf8(value))
    throw error(errc::invalid_header_value, "the value of form field " + quote_input(name) + " is not valid UTF-8");
}

inline void check_key_prefix(std::string_view prefix) {
  if (prefix.size() > 1024)
    throw error(errc::invalid_object_key, "the key prefix is " + std::to_string(prefix.size()) + " bytes; at most 1024 are allowed");
  if (!sigv4::detail::is_valid_utf8(prefix))
    throw error(errc::invalid_object_key, "the key prefix " + quote_input(prefix) + " is not valid UTF-8");
}

// Whether `value` satisfies a condition.
inline bool post_condition_holds(post_match m, std::string_view value, std::string_view wanted) noexcept {
  return m == post_match::exact ? value == wanted : value.substr(0, wanted.size()) == wanted;
}

// Whether some value meets both conditions: one exact value that meets the other, or two
// prefixes one of which starts with the other.
inline bool post_conditions_agree(const post_condition& a, const post_condition& b) noexcept {
  if (a.match == post_match::exact) return post_condition_holds(b.match, a.value, b.value);
  if (b.match == post_match::exact) return post_condition_holds(a.match, b.value, a.value);
  return post_condition_holds(post_match::starts_with, a.value, b.value) ||
         post_condition_holds(post_match::starts_with, b.value, a.value);
}

// The key field's value: the key, or the prefix with ${filename}.
inline std::string post_key_field(const post_policy& p) { return p.key_is_prefix ? p.key + "${filename}" : p.key; }

// Checks the caller's part of a policy: names, values, sizes and that no condition
// contradicts a value the form sets.
inline void check_post_policy(const post_policy& p, key_rules rules) {
  check_bucket_name(p.bucket);
  if (p.key_is_prefix) check_key_prefix(p.key);
  else check_object_key(p.key, rules);
  for (std::size_t i = 0; i < p.fields.size(); ++i) {
    const post_field& f = p.fields[i];
    check_post_field_name(f.name);
    check_post_field_value(f.name, f.value);
    if (is_post_reserved(f.name))
      throw error(errc::invalid_argument, "form field " + quote_input(f.name) + " is set by the form itself");
    for (std::size_t j = 0; j < i; ++j)
      if (iequals(p.fields[j].name, f.name))
        throw error(errc::invalid_argument, "form field " + quote_input(f.name) + " is given twice");
  }
  for (const post_condition& c : p.conditions) {
    check_post_field_name(c.field);
    check_post_field_value(c.field, c.value);
    if (iequals(c.field, "key")) {
      const std::string key_field = post_key_field(p);
      if (!post_condition_holds(c.match, key_field, c.value))
        throw error(errc::invalid_policy, "a condition on the key contradicts the key " + quote_input(key_field));
      continue;
    }
    if (is_post_reserved(c.field))
      throw error(errc::invalid_argument, "form field " + quote_input(c.field) + " is conditioned by the form itself");
    for (const post_field& f : p.fields)
      if (iequals(f.name, c.field) && !post_condition_holds(c.match, f.value, c.value))
        throw error(errc::invalid_policy, "a condition on form field " + quote_input(c.field) +
                                              " contradicts the value the form sets");
    for (const post_condition* o = p.conditions.data(); o != &c; ++o)
      if (iequals(o->field, c.field) && !post_conditions_agree(*o, c))
        throw error(errc::invalid_policy, "two conditions on form field " + quote_input(c.field) +
                                              " that no value meets together");
  }
  if (p.size && p.size->min > p.size->max)
    throw error(errc::invalid_policy, "content-length-range has min " + std::to_string(p.size->min) + " > max " +
                                          std::to_string(p.size->max));
  if (p.size && p.size->max > max_post_object_size)
    throw error(errc::invalid_policy, "content-length-range max " + std::to_string(p.size->max) +
                                          " is beyond 5 GiB, the largest POST upload");
  if (p.success_action_status && *p.success_action_status != 200 && *p.success_action_status != 201 &&
      *p.success_action_status != 204)
    throw error(errc::invalid_argument, "success_action_status must be 200, 201 or 204, got " +
                                            std::to_string(*p.success_action_status));
}

// "YYYY-MM-DDTHH:MM:SS.000Z", the form of AWS's examples.
struct expiration_text {
  char text[24];
  std::string_view view() const noexcept { return {text, sizeof text}; }
};
inline expiration_text post_expiration_text(std::int64_t epoch_seconds) {
  const std::int64_t day = epoch_seconds >= 0 ? epoch_seconds / 86400 : -((-epoch_seconds + 86399) / 86400);
  const std::int64_t second = epoch_seconds - day * 86400;
  const auto c = sigv4::detail::civil_from_days(day);
  expiration_text out;
  std::memcpy(out.text, "0000-00-00T00:00:00.000Z", 24);
  sigv4::detail::put_digits(out.text, static_cast<unsigned>(c.year), 4);
  sigv4::detail::put_digits(out.text + 5, c.month, 2);
  sigv4::detail::put_digits(out.text + 8, c.day, 2);
  sigv4::detail::put_digits(out.text + 11, static_cast<unsigned>(second / 3600), 2);
  sigv4::detail::put_digits(out.text + 14, static_cast<unsigned>(second / 60 % 60), 2);
  sigv4::detail::put_digits(out.text + 17, static_cast<unsigned>(second % 60), 2);
  return out;
}

// An exact condition {"name":"value"}.
inline void write_exact(sigv4::detail::json_writer& w, std::string_view name, std::string_view value) {
  w.element();
  w.open('{');
  w.member(name);
  w.string(value);
  w.close('}');
}

// A starts-with condition ["starts-with","$name","prefix"].
inline void write_starts_with(sigv4::detail::json_writer& w, std::string_view name, std::string_view prefix) {
  w.element();
  w.open('[');
  w.element();
  w.string("starts-with");
  w.element();
  w.string(name, "$");
  w.element();
  w.string(prefix);
  w.close(']');
}

// The signing parts of a form: the x-amz-* values that go both in the policy and the form.
struct post_auth {
  std::string_view credential;  // AKID/20151229/us-east-1/s3/aws4_request
  std::string_view date;        // 20151229T000000Z
  std::string_view token;       // empty without one
};

// The policy document, compact and in a fixed order: expiration, then bucket, key, the
// caller's fields, success_action_status, the caller's conditions, content-length-range, and
// the x-amz-* conditions.
inline std::string write_post_policy(const post_policy& p, std::string_view expiration, const post_auth& auth) {
  std::size_t expected = 320 + p.bucket.size() + p.key.size() + auth.credential.size() + auth.token.size();
  for (const post_field& f : p.fields) expected += 8 + f.name.size() + f.value.size();
  for (const post_condition& c : p.conditions) expected += 24 + c.field.size() + c.value.size();
  sigv4::detail::json_writer w(false, expected);
  w.open('{');
  w.member("expiration");
  w.string(expiration);
  w.member("conditions");
  w.open('[');
  write_exact(w, "bucket", p.bucket);
  if (p.key_is_prefix) write_starts_with(w, "key", p.key);
  else write_exact(w, "key", p.key);
  for (const post_field& f : p.fields) write_exact(w, f.name, f.value);
  if (p.success_action_status) write_exact(w, "success_action_status", std::to_string(*p.success_action_status));
  for (const post_condition& c : p.conditions) {
    if (c.match == post_match::exact) write_exact(w, c.field, c.value);
    else write_starts_with(w, c.field, c.value);
  }
  if (p.size) {
    w.element();
    w.open('[');
    w.element();
    w.string("content-length-range");
    w.element();
    w.integer(static_cast<long long>(p.size->min));
    w.element();
    w.integer(static_cast<long long>(p.size->max));
    w.close(']');
  }
  write_exact(w, "x-amz-algorithm", algorithm);
  write_exact(w, "x-amz-credential", auth.credential);
  write_exact(w, "x-amz-date", auth.date);
  if (!auth.token.empty()) write_exact(w, "x-amz-security-token", auth.token);
  w.close(']');
  w.close('}');
  return w.take();
}

// The form's action URL.
inline std::string post_action_url(const presigner& signer, std::string_view bucket) {
  const endpoint& ep = signer.endpoint_info();
  const bool virtual_host = signer.uses_virtual_host(bucket);
  if (virtual_host && ep.is_ip_literal)
    throw error(errc::invalid_endpoint, "virtual-hosted style needs a host name, not an IP literal");
  std::string url = ep.https ? "https://" : "http://";
  if (virtual_host) url.append(bucket).push_back('.');
  url.append(ep.authority()).push_back('/');
  if (!virtual_host) url.append(bucket);
  return url;
}
SIGV4_BACKEND_NS_END
}  // namespace detail
SIGV4_BACKEND_NS_BEGIN

/// The signature of a POST form: hex(HMAC-SHA256(signing key of the day, base64 policy)).
/// @param key the signing key of the policy's day, region and service s3.
/// @param policy_base64 the "policy" field, as sent.
/// @return the x-amz-signature field, 64 hex digits.
inline std::string post_policy_signature(const signing_key& key, std::string_view policy_base64) {
  return signature(key, policy_base64);
}

/// Makes a signed POST form for `policy` at `at`, with `signer`'s endpoint, region,
/// credentials, addressing style and cached signing key of the day. The policy is written
/// deterministically (the same input and time give the same bytes); with temporary
/// credentials the form carries x-amz-security-token and lives no longer than they do
/// (errc::credentials_expired, unless policy.on_credential_expiry is clamp).
/// @param signer the presigner whose endpoint, region, credentials, style and keys the form uses.
/// @param caller_policy the key, lifetime, fields and conditions of the form.
/// @param at the signing time (x-amz-date).
/// @return the form's action URL, its fields in order, and the policy document.
/// @throws sigv4::error errc::invalid_bucket_name; invalid_object_key (a bad key, or a prefix
///         over 1024 bytes or not UTF-8); invalid_expiry (outside 1..604800 s);
///         credentials_expired; invalid_header_name (a field name that is not an HTTP token,
///         CR/LF included); invalid_header_value (a value with CR, LF or another control
///         character, or not UTF-8); invalid_argument (a field the form sets itself, a field
///         given twice, success_action_status other than 200/201/204); invalid_policy (a
///         condition that contradicts a value the form sets or another condition on its
///         field, content-length-range with
///         min > max or max beyond 5 GiB); invalid_endpoint (virtual-hosted style on an IP
///         literal). With a presigner whose options lock an upload ACL, the form carries an
///         "acl" field with it (errc::invalid_policy when the caller's acl field differs).
inline post_form presign_post(const presigner& signer, const post_policy& caller_policy, time_point at) {
  // A presigner that locks the upload ACL locks it in its forms too: an "acl" field and its condition.
  const std::string& locked_acl = signer.options().upload_acl;
  std::optional<post_policy> with_acl;
  if (!locked_acl.empty()) {
    const auto acl = std::find_if(caller_policy.fields.begin(), caller_policy.fields.end(),
                                  [](const post_field& f) { return sigv4::detail::iequals(f.name, "acl"); });
    if (acl != caller_policy.fields.end() && acl->value != locked_acl)
      throw error(errc::invalid_policy, "the acl field contradicts the presigner's upload ACL");
    if (acl == caller_policy.fields.end()) {
      with_acl = caller_policy;
      with_acl->fields.push_back({"acl", locked_acl});
    }
  }
  const post_policy& policy = with_acl ? *with_acl : caller_policy;
  detail::check_post_policy(policy, signer.options().keys);
  post_form form;
  form.url = detail::post_action_url(signer, policy.bucket);
  const auto split = sigv4::detail::split_time(at);
  // one set of credentials for the lifetime check and the signature (set_credentials may swap them)
  signer.with_scope_entry(at, [&](const detail::scope_entry& entry) {
    const credentials& creds = entry.creds;
    const std::chrono::seconds lifetime =
        presigner::checked_lifetime(policy.expires, policy.on_credential_expiry, at, creds);
    const auto expiration = detail::post_expiration_text(sigv4::detail::epoch_seconds(at) + lifetime.count());
    std::string credential;
    credential.reserve(creds.access_key_id().size() + 1 + entry.scope.size());
    credential.append(creds.access_key_id()).append("/").append(entry.scope);
    const amz_date date = sigv4::detail::amz_date_builder::make(entry.day, split.second);
    const std::string_view token = creds.has_session_token() ? std::string_view(creds.session_token()) : std::string_view();
    form.policy = detail::write_post_policy(policy, expiration.view(), {credential, date.str(), token});
    std::string encoded;
    sigv4::detail::append_base64(encoded, form.policy);
    std::string sig(64, '\0');
    entry.key.sign(encoded, &sig[0]);
    form.fields.reserve(8 + policy.fields.size());
    form.fields.push_back({"key", detail::post_key_field(policy)});
    form.fields.push_back({"policy", std::move(encoded)});
    form.fields.push_back({"x-amz-algorithm", std::string(algorithm)});
    form.fields.push_back({"x-amz-credential", std::move(credential)});
    form.fields.push_back({"x-amz-date", std::string(date.str())});
    if (!token.empty()) form.fields.push_back({"x-amz-security-token", std::string(token)});
    form.fields.push_back({"x-amz-signature", std::move(sig)});
  });
  for (const post_field& f : policy.fields) form.fields.push_back(f);
  if (policy.success_action_status)
    form.fields.push_back({"success_action_status", std::to_string(*policy.success_action_status)});
  return form;
}

/// Non-throwing twin of presign_post: on error `ec` is set and the form is empty.
/// @param signer the presigner whose endpoint, region, credentials, style and keys the form uses.
/// @param policy the key, lifetime, fields and conditions of the form.
/// @param at the signing time.
/// @param ec set to the error on failure, cleared on success.
/// @return the form, empty when `ec` is set.
inline post_form presign_post(const presigner& signer, const post_policy& policy, time_point at, std::error_code& ec) {
  return detail::capture_error(ec, [&] { return presign_post(signer, policy, at); });
}

/// presign_post at the current time.
/// @param signer the presigner whose endpoint, region, credentials, style and keys the form uses.
/// @param policy the key, lifetime, fields and conditions of the form.
/// @return the form.
/// @throws sigv4::error as presign_post.
inline post_form presign_post_now(const presigner& signer, const post_policy& policy) {
  return presign_post(signer, policy, clock::now());
}

// ---------------------------------------------------------------------------
// Server side: checking a received form

/// Why a received form was refused (or that it was not). The set is fixed; to_string gives
/// the names `sigv4 verify-post` prints.
enum class post_reason {
  valid = 0,               ///< every check passed
  malformed,               ///< policy, x-amz-signature, -algorithm, -credential or -date missing; a field repeated; an unparsable date or credential
  unsupported_algorithm,   ///< x-amz-algorithm other than AWS4-HMAC-SHA256
  unknown_access_key,      ///< the key lookup does not know the access key id
  scope_mismatch,          ///< the credential's date is not x-amz-date's day, or a wrong region, service or terminator
  signature_mismatch,      ///< x-amz-signature is not the HMAC of the policy field
  session_token_mismatch,  ///< x-amz-security-token missing, unexpected or different from the key's
  policy_malformed,        ///< the policy is not base64 of a policy document (expiration, conditions of the documented shapes)
  expired,                 ///< the check's time is at or past the policy's expiration
  condition_failed,        ///< a field (or the bucket) does not meet a condition of the policy
  field_not_in_policy,     ///< a field that no condition covers (other than x-amz-signature, file, policy, x-ignore-*)
  size_out_of_range,       ///< the file's size is outside a content-length-range
};

/// "valid", "malformed", "signature mismatch", ...
/// @param r the reason.
/// @return its name, a static string (what `sigv4 verify-post` prints).
inline const char* to_string(post_reason r) noexcept {
  switch (r) {
    case post_reason::valid: return "valid";
    case post_reason::malformed: return "malformed";
    case post_reason::unsupported_algorithm: return "unsupported algorithm";
    case post_reason::unknown_access_key: return "unknown access key";
    case post_reason::scope_mismatch: return "credential scope mismatch";
    case post_reason::signature_mismatch: return "signature mismatch";
    case post_reason::session_token_mismatch: return "session token mismatch";
    case post_reason::policy_malformed: return "malformed policy";
    case post_reason::expired: return "expired";
    case post_reason::condition_failed: return "condition failed";
    case post_reason::field_not_in_policy: return "field not in policy";
    case post_reason::size_out_of_range: return "size out of range";
  }
  return "malformed";
}

/// What the form checker accepts.
struct post_verify_options {
  std::vector<std::string> regions = {"us-east-1"};  ///< accepted scope regions (the service is s3)
  std::size_t max_policy_size = 65536;               ///< bytes of decoded policy JSON
  int max_policy_depth = 8;                          ///< nesting of the policy JSON
};

/// The outcome: valid, or one reason with a short detail that names a field or a condition
/// but never holds a secret, a session token or a signature.
struct post_check_result {
  post_reason reason = post_reason::malformed;  ///< valid, or why the form was refused
  std::string detail;                          ///< what exactly failed; safe to log
  std::string access_key_id;                   ///< from x-amz-credential, when it parsed
  credential_scope scope;                      ///< from x-amz-credential, when it parsed
  time_point signed_at{};   ///< x-amz-date
  time_point expires_at{};  ///< the policy's expiration
  /// @return whether the form is authentic, in time and within its policy.
  bool valid() const noexcept { return reason == post_reason::valid; }
  /// @return valid().
  explicit operator bool() const noexcept { return valid(); }
};

SIGV4_BACKEND_NS_END
namespace detail {
SIGV4_BACKEND_NS_BEGIN

// A received field (S3 matches form field names without regard to case).
struct received_field {
  std::string_view name;
  std::string_view value;
  bool covered = false;
};

// One eq / starts-with condition of a received policy, its field lower-cased without '$'.
struct policy_rule {
  std::string field;
  post_match match;
  std::string value;
};

// A received policy document, decoded.
struct received_policy {
  time_point expiration{};
  std::vector<policy_rule> rules;
  std::vector<std::pair<long long, long long>> sizes;  // content-length-range min, max
};

inline std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = sigv4::detail::to_lower_ascii(c);
  return out;
}

inline post_check_result refuse_post(post_check_result& r, post_reason why, std::string detail) {
  r.reason = why;
  r.detail = std::move(detail);
  return std::move(r);
}

// One condition of the "conditions" array; nullptr, or why it is malformed.
inline const char* read_policy_condition(const sigv4::detail::json_value& c, received_policy& out) {
  using type = sigv4::detail::json_value::type;
  if (c.kind == type::object) {
    if (c.items.empty()) return "an empty condition";
    for (std::size_t i = 0; i < c.items.size(); ++i) {
      if (c.items[i].kind != type::string) return "an exact condition whose value is not a string";
      out.rules.push_back({lower_ascii(c.names[i]), post_match::exact, c.items[i].text});
    }
    return nullptr;
  }
  if (c.kind != type::array || c.items.size() != 3 || c.items[0].kind != type::string)
    return "a condition that is neither an object nor a three-element array naming its operator";
  const std::string op = lower_ascii(c.items[0].text);
  if (op == "content-length-range") {
    const auto& lo = c.items[1];
    const auto& hi = c.items[2];
    if (lo.kind != type::integer || hi.kind != type::integer || lo.number < 0 || hi.number < 0)
      return "a content-length-range whose bounds are not integers >= 0";
    out.sizes.emplace_back(lo.number, hi.number);
    return nullptr;
  }
  if (op != "eq" && op != "starts-with") return "a condition with an unknown operator";
  if (c.items[1].kind != type::string || c.items[2].kind != type::string || c.items[1].text.empty() ||
      c.items[1].text[0] != '$')
    return "a condition whose field is not a \"$name\" string or whose value is not a string";
  out.rules.push_back({lower_ascii(std::string_view(c.items[1].text).substr(1)),
                       op == "eq" ? post_match::exact : post_match::starts_with, c.items[2].text});
  return nullptr;
}

// Decodes the policy field: base64, JSON, then the document's shape. nullptr, or why not.
inline const char* read_received_policy(std::string_view field, const post_verify_options& o, received_policy& out) {
  using type = sigv4::detail::json_value::type;
  if (field.size() > (o.max_policy_size + 2) / 3 * 4) return "the policy is too large";
  std::string text;
  if (!sigv4::detail::decode_base64(field, text)) return "the policy is not base64";
  sigv4::detail::json_value doc;
  sigv4::detail::json_limits limits;
  limits.max_size = o.max_policy_size;
  limits.max_depth = o.max_policy_depth;
  if (const char* why = sigv4::detail::parse_json(text, doc, limits)) return why;
  if (doc.kind != type::object) return "the policy is not a JSON object";
  const sigv4::detail::json_value* expiration = doc.find("expiration");
  const sigv4::detail::json_value* conditions = doc.find("conditions");
  if (!expiration || !conditions || doc.items.size() != 2) return "the policy needs exactly expiration and conditions";
  if (expiration->kind != type::string) return "the policy's expiration is not a string";
  const auto when = sigv4::detail::try_parse_iso8601(expiration->text);
  if (!when) return "the policy's expiration is not an ISO-8601 UTC time";
  out.expiration = *when;
  if (conditions->kind != type::array) return "the policy's conditions are not an array";
  for (const auto& c : conditions->items)
    if (const char* why = read_policy_condition(c, out)) return why;
  return nullptr;
}

// The fields S3 allows only exact conditions on.
inline bool exact_only_field(std::string_view lower) noexcept {
  return lower == "bucket" || lower == "x-amz-algorithm" || lower == "x-amz-credential" || lower == "x-amz-date" ||
         lower == "x-amz-security-token" || lower == "success_action_status";
}

// The fields that need no condition. AWS ("Creating a POST policy"): every field but
// x-amz-signature, file, policy and fields named x-ignore-*. (MinIO, cmd/postpolicyform.go
// checkPostPolicy, also lets x-amz-checksum-*, x-amz-server-side-encryption-*,
// Content-Encoding and X-Amz-Ignore-* fields through without one; this checker follows AWS.)
inline bool exempt_field(std::string_view name) noexcept {
  return iequals(name, "x-amz-signature") || iequals(name, "file") || iequals(name, "policy") ||
         iequals(name.substr(0, 9), "x-ignore-");
}

SIGV4_BACKEND_NS_END
}  // namespace detail
SIGV4_BACKEND_NS_BEGIN

/// Checks received POST forms (S3 "POST Object" with a SigV4 policy), for gateways and tests.
/// Safe to share between threads if the lookup is. The signing keys of the last 16 (access
/// key, day, region, secret) are kept, so a check derives no key in the common case.
class post_verifier {
 public:
  /// @param lookup  finds the secret (and expected session token) of an access key id.
  /// @param options accepted regions and the limits on the policy document.
  explicit post_verifier(key_lookup lookup, post_verify_options options = {})
      : lookup_(std::move(lookup)), options_(std::move(options)) {}
  /// @param lender  lends the entry (secret and expected session token) of an access key id.
  /// @param options accepted regions and the limits on the policy document.
  explicit post_verifier(key_lender lender, post_verify_options options = {})
      : lookup_(std::move(lender)), options_(std::move(options)) {}
  /// Not copyable (it owns its key cache).
  post_verifier(const post_verifier&) = delete;
  /// Not assignable.
  post_verifier& operator=(const post_verifier&) = delete;

  /// @return the options the checker was made with.
  const post_verify_options& options() const noexcept { return options_; }

  /// Checks a form posted to `bucket` at `now`: `fields` are the form's text fields as
  /// received (name, value; the file part is not among them), `file_size` the size of the
  /// file part. Checks, in order: the required fields (each at most once), the algorithm, the
  /// credential scope, the access key, the session token, the signature (in constant time),
  /// the policy document, its expiry, every condition (the bucket against `bucket`, a missing
  /// field as ""), that every field is covered by a condition, and content-length-range.
  /// Field names match without regard to case. Never throws for bad input.
  /// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
  /// @param bucket    the bucket the form was posted to.
  /// @param fields    the form's text fields as received.
  /// @param file_size the size of the file part, in bytes.
  /// @param now       the server's time.
  /// @return valid, or the first reason the form fails, with a detail safe to log. An exception
  ///         thrown by the key lookup (or std::bad_alloc) propagates.
  post_check_result verify(std::string_view bucket, const std::vector<post_field>& fields, std::uint64_t file_size,
                           time_point now) const {
    post_check_result r;
    std::vector<detail::received_field> got;
    got.reserve(fields.size());
    for (const post_field& f : fields) {
      got.push_back({f.name, f.value, false});
      for (std::size_t j = 0; j + 1 < got.size(); ++j)
        if (sigv4::detail::iequals(got[j].name, f.name))
          return detail::refuse_post(r, post_reason::malformed, "field " + quote_input(f.name) + " is repeated");
    }
    if (auto refused = check_authentication(r, got)) return std::move(*refused);
    detail::received_policy policy;
    if (const char* why = detail::read_received_policy(*find(got, "policy"), options_, policy))
      return detail::refuse_post(r, post_reason::policy_malformed, why);
    r.expires_at = policy.expiration;
    if (now >= policy.expiration) return detail::refuse_post(r, post_reason::expired, "the policy has expired");
    for (const detail::policy_rule& rule : policy.rules)
      if (auto refused = check_rule(r, rule, bucket, got)) return std::move(*refused);
    for (const detail::received_field& f : got)
      if (!f.covered && !detail::exempt_field(f.name))
        return detail::refuse_post(r, post_reason::field_not_in_policy,
                                   "field " + quote_input(f.name) + " is not covered by a condition of the policy");
    for (const auto& [min, max] : policy.sizes)
      if (file_size < static_cast<std::uint64_t>(min) || file_size > static_cast<std::uint64_t>(max))
        return detail::refuse_post(r, post_reason::size_out_of_range,
                                   "the file has " + std::to_string(file_size) + " bytes; the policy allows " +
                                       std::to_string(min) + " to " + std::to_string(max));
    r.reason = post_reason::valid;
    return r;
  }

 private:
  static std::string quote_input(std::string_view s) { return sigv4::detail::quote_input(s); }

  static const std::string_view* find(const std::vector<detail::received_field>& got, std::string_view lower) {
    for (const auto& f : got)
      if (sigv4::detail::iequals(f.name, lower)) return &f.value;
    return nullptr;
  }

  // The x-amz-* fields and the signature; nullopt when they hold.
  std::optional<post_check_result> check_authentication(post_check_result& r,
                                                        const std::vector<detail::received_field>& got) const {
    const std::string_view* policy = find(got, "policy");
    const std::string_view* sig = find(got, "x-amz-signature");
    const std::string_view* alg = find(got, "x-amz-algorithm");
    const std::string_view* credential = find(got, "x-amz-credential");
    const std::string_view* date = find(got, "x-amz-date");
    if (!policy || !sig || !alg || !credential || !date)
      return detail::refuse_post(r, post_reason::malformed,
                                 "policy, x-amz-signature, x-amz-algorithm, x-amz-credential and x-amz-date are required");
    if (*alg != algorithm) return detail::refuse_post(r, post_reason::unsupported_algorithm, "x-amz-algorithm is not AWS4-HMAC-SHA256");
    std::error_code ec;
    r.signed_at = parse_amz_date(*date, ec);
    if (ec) return detail::refuse_post(r, post_reason::malformed, "x-amz-date is not YYYYMMDDTHHMMSSZ");
    if (auto refused = check_scope(r, *credential, date->substr(0, 8))) return refused;
    std::optional<key_entry> held;
    const key_entry* key = lookup_.find(r.access_key_id, held);
    if (!key) return detail::refuse_post(r, post_reason::unknown_access_key, "access key id " + quote_input(r.access_key_id) + " is not known");
    const std::string_view* token = find(got, "x-amz-security-token");
    const std::string_view expected_token = key->session_token;
    if (expected_token.empty() != (token == nullptr) ||
        (token && (token->size() != expected_token.size() ||
                   !sigv4::detail::constant_time_equal(token->data(), expected_token.data(), token->size()))))
      return detail::refuse_post(r, post_reason::session_token_mismatch, "x-amz-security-token does not match the key's");
    char want[64];
    key_for(r, key->secret.view())->key.sign(*policy, want);
    if (sig->size() != sizeof want || !sigv4::detail::constant_time_equal(sig->data(), want, sizeof want))
      return detail::refuse_post(r, post_reason::signature_mismatch, "x-amz-signature does not match the policy");
    return std::nullopt;
  }

  // x-amz-credential: AKID/YYYYMMDD/region/s3/aws4_request, dated x-amz-date's day.
  std::optional<post_check_result> check_scope(post_check_result& r, std::string_view credential,
                                               std::string_view day) const {
    std::string_view parts[5];
    std::size_t n = 0, at = 0;
    for (; n < 5 && at <= credential.size(); ++n) {
      std::size_t slash = credential.find('/', at);
      if (slash == std::string_view::npos || n == 4) slash = credential.size();
      parts[n] = credential.substr(at, slash - at);
      at = slash + 1;
    }
    if (n != 5 || at != credential.size() + 1 || parts[0].empty() || parts[4].find('/') != std::string_view::npos)
      return detail::refuse_post(r, post_reason::malformed, "x-amz-credential is not AKID/date/region/service/aws4_request");
    r.access_key_id = std::string(parts[0]);
    r.scope = {std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
    const bool region_ok = std::find(options_.regions.begin(), options_.regions.end(), parts[2]) != options_.regions.end();
    if (parts[1] != day || !region_ok || parts[3] != "s3" || parts[4] != "aws4_request")
      return detail::refuse_post(r, post_reason::scope_mismatch,
                                 "the credential scope " + quote_input(credential.substr(parts[0].size() + 1)) +
                                     " is not x-amz-date's day in an accepted region for s3");
    return std::nullopt;
  }

  // One eq / starts-with condition; nullopt when it holds (and the field is then covered).
  static std::optional<post_check_result> check_rule(post_check_result& r, const detail::policy_rule& rule,
                                                     std::string_view bucket, std::vector<detail::received_field>& got) {
    if (rule.match == post_match::starts_with && detail::exact_only_field(rule.field))
      return detail::refuse_post(r, post_reason::condition_failed, "starts-with is not allowed on " + quote_input(rule.field));
    std::string_view value;
    if (rule.field == "bucket") value = bucket;
    for (auto& f : got)
      if (sigv4::detail::iequals(f.name, rule.field)) {
        f.covered = true;
        if (rule.field != "bucket") value = f.value;
      }
    if (!detail::post_condition_holds(rule.match, value, rule.value))
      return detail::refuse_post(r, post_reason::condition_failed,
                                 std::string(rule.match == post_match::exact ? "the exact condition on " : "the starts-with condition on ") +
                                     quote_input(rule.field) + " does not hold");
    return std::nullopt;
  }

  // A signing key derived for (access key id, date, region, secret).
  struct cached_key {
    std::string id, date, region;
    secret_string secret;
    signing_key key;
  };
  static constexpr std::size_t max_cached_keys = 16;

  // The signing key of the result's scope and `secret`: one of the last few used, or derived
  // and kept (a changed secret is a different entry).
  std::shared_ptr<const cached_key> key_for(const post_check_result& r, std::string_view secret) const {
    const auto same = [&](const cached_key& k) {
      return k.id == r.access_key_id && k.date == r.scope.date && k.region == r.scope.region &&
             k.secret.view().size() == secret.size() &&
             sigv4::detail::constant_time_equal(k.secret.view().data(), secret.data(), secret.size());
    };
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& k : keys_)
      if (same(*k)) return k;
    auto fresh = std::make_shared<const cached_key>(cached_key{r.access_key_id, r.scope.date, r.scope.region,
                                                               secret_string(secret),
                                                               signing_key(secret, r.scope.date, r.scope.region, "s3")});
    if (keys_.size() == max_cached_keys) keys_.erase(keys_.begin());
    keys_.push_back(fresh);
    return fresh;
  }

  sigv4::detail::key_source lookup_;
  post_verify_options options_;
  mutable std::mutex mutex_;
  mutable std::vector<std::shared_ptr<const cached_key>> keys_;
};


SIGV4_BACKEND_NS_END
}  // namespace sigv4::s3

#endif
