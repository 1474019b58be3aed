/// @file
/// sigv4 — network allowlists for presigned URLs: S3 policy documents written as deterministic
/// JSON (IAM / MinIO user policy, bucket policy, AssumeRole session policy), the ready-made
/// allowlist shapes, and a local evaluator with AWS semantics so a service can refuse to issue a
/// link before it signs anything. The addresses and CIDR blocks they hold are in cidr.hpp.
///
/// Where a policy applies to a presigned URL:
///  - AWS S3 and Ceph RGW: the bucket policy applies to authenticated, presigned requests too,
///    as does the IAM policy of the signing identity.
///  - MinIO: bucket policies apply only to anonymous requests. A presigned URL is judged by the
///    signing user's IAM policy (`mc admin policy create`), or by the session policy of
///    temporary credentials from STS AssumeRole (see sts.hpp). Root credentials bypass every
///    policy, so never presign with them.
///  - On RGW an Allow with IpAddress alone does not stop the bucket owner's presigned URL from
///    other addresses (the ACL allows the owner), hence the Deny + NotIpAddress statements of
///    the bucket shape.
///
/// The proxy caveat: aws:SourceIp is the address the storage server believes the request came
/// from. MinIO takes it from the first X-Forwarded-For entry (then X-Real-IP, then Forwarded)
/// when such a header is present, so a client can claim any address unless the proxy in front
/// of MinIO overwrites those headers. Behind a proxy that does not, an allowlist is no barrier.
///
/// Every CIDR block is written with an explicit prefix: AWS and MinIO read an IPv6 address
/// written without one as /32, not /128.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
#ifndef SIGV4_POLICY_HPP
#define SIGV4_POLICY_HPP

#include "detail/config.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "cidr.hpp"
#include "detail/json.hpp"
#include "detail/utf8.hpp"
#include "errors.hpp"

namespace sigv4::policy {

// ---------------------------------------------------------------------------
// Policy documents

/// A statement's effect.
enum class effect { allow, deny };

/// The condition operators this library writes and evaluates.
enum class condition_operator {
  ip_address,                   ///< IpAddress: the key's address is in one of the blocks
  not_ip_address,               ///< NotIpAddress: the key's address is in none of the blocks
  boolean,                      ///< Bool: "true" or "false"
  string_equals,                ///< StringEquals: exact, case-sensitive
  string_like,                  ///< StringLike: case-sensitive with '*' and '?' wildcards
  numeric_less_than,            ///< NumericLessThan: key < value (integers)
  numeric_greater_than_equals,  ///< NumericGreaterThanEquals: key >= value (integers)
};

/// The condition keys this library writes and evaluates.
enum class condition_key {
  source_ip,          ///< aws:SourceIp (IpAddress, NotIpAddress)
  secure_transport,   ///< aws:SecureTransport (Bool): the request came over TLS
  auth_type,          ///< s3:authType (StringEquals): REST-QUERY-STRING for presigned URLs
  signature_age,      ///< s3:signatureAge (Numeric...): milliseconds since X-Amz-Date
  signature_version,  ///< s3:signatureversion (StringEquals): AWS4-HMAC-SHA256
  s3_prefix,          ///< s3:prefix (StringLike): the prefix parameter of ListObjects
};

/// The operator's name in a policy ("IpAddress", ...).
/// @param op the operator.
/// @return its name, a static string.
inline std::string_view operator_name(condition_operator op) noexcept {
  switch (op) {
    case condition_operator::ip_address: return "IpAddress";
    case condition_operator::not_ip_address: return "NotIpAddress";
    case condition_operator::boolean: return "Bool";
    case condition_operator::string_equals: return "StringEquals";
    case condition_operator::string_like: return "StringLike";
    case condition_operator::numeric_less_than: return "NumericLessThan";
    case condition_operator::numeric_greater_than_equals: return "NumericGreaterThanEquals";
  }
  return "";
}

/// The key's name in a policy ("aws:SourceIp", ...).
/// @param key the condition key.
/// @return its name, a static string.
inline std::string_view key_name(condition_key key) noexcept {
  switch (key) {
    case condition_key::source_ip: return "aws:SourceIp";
    case condition_key::secure_transport: return "aws:SecureTransport";
    case condition_key::auth_type: return "s3:authType";
    case condition_key::signature_age: return "s3:signatureAge";
    case condition_key::signature_version: return "s3:signatureversion";
    case condition_key::s3_prefix: return "s3:prefix";
  }
  return "";
}

/// One operator on one key with its values. The values are OR'ed: the condition holds when
/// the key matches any of them (NotIpAddress: when the address is in none of them).
struct condition {
  condition_operator op = condition_operator::string_equals;  ///< the operator, e.g. IpAddress
  condition_key key = condition_key::auth_type;               ///< the key, e.g. aws:SourceIp
  std::vector<std::string> values;                            ///< the values, as written in the policy
};

/// aws:SourceIp in one of the blocks (IpAddress).
/// @param blocks the networks.
/// @return the condition.
inline condition source_ip_in(const std::vector<cidr_block>& blocks) {
  condition c{condition_operator::ip_address, condition_key::source_ip, {}};
  for (const cidr_block& b : blocks) c.values.push_back(b.to_string());
  return c;
}
/// aws:SourceIp in none of the blocks (NotIpAddress).
/// @param blocks the networks.
/// @return the condition.
inline condition source_ip_not_in(const std::vector<cidr_block>& blocks) {
  condition c = source_ip_in(blocks);
  c.op = condition_operator::not_ip_address;
  return c;
}
/// aws:SecureTransport is `tls` (Bool).
/// @param tls true to require TLS, false to match plain HTTP.
/// @return the condition.
inline condition secure_transport_is(bool tls) {
  return {condition_operator::boolean, condition_key::secure_transport, {tls ? "true" : "false"}};
}
/// s3:authType equals `type`, e.g. "REST-QUERY-STRING" for presigned URLs (StringEquals).
/// @param type REST-QUERY-STRING, REST-HEADER or POST.
/// @return the condition.
inline condition auth_type_is(std::string_view type) {
  return {condition_operator::string_equals, condition_key::auth_type, {std::string(type)}};
}
/// s3:signatureAge below `age` (NumericLessThan, in milliseconds).
/// @param age the age limit.
/// @return the condition.
inline condition signature_age_below(std::chrono::milliseconds age) {
  return {condition_operator::numeric_less_than, condition_key::signature_age, {std::to_string(age.count())}};
}
/// s3:signatureAge at least `age` (NumericGreaterThanEquals, in milliseconds).
/// @param age the age limit.
/// @return the condition.
inline condition signature_age_at_least(std::chrono::milliseconds age) {
  return {condition_operator::numeric_greater_than_equals, condition_key::signature_age, {std::to_string(age.count())}};
}
/// s3:signatureversion equals `version`, e.g. "AWS4-HMAC-SHA256" (StringEquals).
/// @param version the signature version.
/// @return the condition.
inline condition signature_version_is(std::string_view version) {
  return {condition_operator::string_equals, condition_key::signature_version, {std::string(version)}};
}
/// s3:prefix matches `pattern`, e.g. "reports/*" (StringLike).
/// @param pattern the pattern, with '*' and '?' wildcards.
/// @return the condition.
inline condition s3_prefix_like(std::string_view pattern) {
  return {condition_operator::string_like, condition_key::s3_prefix, {std::string(pattern)}};
}

/// One statement. All conditions must hold (AND); within a condition the values are OR'ed.
struct statement {
  std::string sid;  ///< optional; written when not empty
  policy::effect effect = policy::effect::allow;  ///< Allow or Deny
  /// Bucket policies only: {"*"} writes "Principal": "*", anything else writes
  /// "Principal": {"AWS": [...]}; empty (identity and session policies) writes none.
  std::vector<std::string> principals;
  std::vector<std::string> actions;    ///< "s3:GetObject", "s3:*", ...
  std::vector<std::string> resources;  ///< "arn:aws:s3:::bucket/prefix*", ...
  std::vector<condition> conditions;  ///< all must hold; written as the Condition block
};

/// A policy document (Version 2012-10-17).
struct document {
  std::vector<statement> statements;  ///< the Statement array, in order
};

/// How to_json lays the document out.
enum class json_style {
  pretty,   ///< two-space indentation, one member a line (IAM and bucket policies)
  compact,  ///< no whitespace at all (session policies, counted against 2048 characters)
};

/// The longest inline session policy (characters) AWS STS and MinIO accept; the same limit as
/// sigv4::sts::max_session_policy_size.
inline constexpr std::size_t max_session_policy_size = 2048;

namespace detail {
using sigv4::detail::capture_error;
using sigv4::detail::is_valid_utf8;
using sigv4::detail::quote_input;

// JSON: the library's one writer (detail/json.hpp).
using sigv4::detail::append_json_string;
using sigv4::detail::json_writer;

inline bool parse_integer(std::string_view s, long long& out) noexcept {
  if (s.empty() || s.size() > 18) return false;
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  long long v = 0;
  for (; i < s.size(); ++i) {
    if (!is_digit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = s[0] == '-' ? -v : v;
  return true;
}

inline bool equals_ignore_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Checks that the operator suits the key and every value suits the operator.
// Throws errc::invalid_policy (errc::invalid_ip_address for a bad block).
inline void check_condition(const condition& c) {
  const std::string where = std::string(operator_name(c.op)) + " on " + std::string(key_name(c.key));
  if (c.values.empty()) throw error(errc::invalid_policy, where + " has no values");
  bool suits = false;
  switch (c.op) {
    case condition_operator::ip_address:
    case condition_operator::not_ip_address: suits = c.key == condition_key::source_ip; break;
    case condition_operator::boolean: suits = c.key == condition_key::secure_transport; break;
    case condition_operator::string_equals:
    case condition_operator::string_like:
      suits = c.key == condition_key::auth_type || c.key == condition_key::signature_version ||
              c.key == condition_key::s3_prefix;
      break;
    case condition_operator::numeric_less_than:
    case condition_operator::numeric_greater_than_equals: suits = c.key == condition_key::signature_age; break;
  }
  if (!suits) throw error(errc::invalid_policy, where + ": the operator does not apply to this key");
  for (const std::string& v : c.values) {
    if (!is_valid_utf8(v)) throw error(errc::invalid_policy, where + ": " + quote_input(v) + " is not valid UTF-8");
    long long n = 0;
    if ((c.op == condition_operator::ip_address || c.op == condition_operator::not_ip_address)) {
      parse_cidr(v);
    } else if (c.op == condition_operator::boolean && !equals_ignore_case(v, "true") && !equals_ignore_case(v, "false")) {
      throw error(errc::invalid_policy, where + ": " + quote_input(v) + " is not true or false");
    } else if ((c.op == condition_operator::numeric_less_than || c.op == condition_operator::numeric_greater_than_equals) &&
               !parse_integer(v, n)) {
      throw error(errc::invalid_policy, where + ": " + quote_input(v) + " is not an integer");
    }
  }
}

inline void check_statement(const statement& s, std::size_t index) {
  const std::string where = "statement " + std::to_string(index + 1);
  if (s.actions.empty()) throw error(errc::invalid_policy, where + " has no actions");
  if (s.resources.empty()) throw error(errc::invalid_policy, where + " has no resources");
  for (const auto* list : {&s.actions, &s.resources, &s.principals})
    for (const std::string& v : *list) {
      if (v.empty()) throw error(errc::invalid_policy, where + " has an empty action, resource or principal");
      if (!is_valid_utf8(v)) throw error(errc::invalid_policy, where + ": " + quote_input(v) + " is not valid UTF-8");
    }
  if (!is_valid_utf8(s.sid)) throw error(errc::invalid_policy, where + ": its Sid is not valid UTF-8");
  for (std::size_t i = 0; i < s.conditions.size(); ++i) {
    check_condition(s.conditions[i]);
    for (std::size_t j = 0; j < i; ++j)
      if (s.conditions[j].op == s.conditions[i].op && s.conditions[j].key == s.conditions[i].key)
        throw error(errc::invalid_policy, where + " has " + std::string(operator_name(s.conditions[i].op)) + " on " +
                                              std::string(key_name(s.conditions[i].key)) +
                                              " twice (put the values in one condition)");
  }
}

inline void check_document(const document& d) {
  if (d.statements.empty()) throw error(errc::invalid_policy, "the policy has no statements");
  for (std::size_t i = 0; i < d.statements.size(); ++i) check_statement(d.statements[i], i);
}


// The value written for a condition: IP blocks in canonical form with their prefix.
inline std::vector<std::string> written_values(const condition& c) {
  if (c.op != condition_operator::ip_address && c.op != condition_operator::not_ip_address) return c.values;
  std::vector<std::string> out;
  for (const std::string& v : c.values) out.push_back(parse_cidr(v).to_string());
  return out;
}

inline void write_statement(json_writer& w, const statement& s) {
  w.open('{');
  if (!s.sid.empty()) {
    w.member("Sid");
    w.string(s.sid);
  }
  w.member("Effect");
  w.string(s.effect == effect::allow ? "Allow" : "Deny");
  if (!s.principals.empty()) {
    w.member("Principal");
    if (s.principals.size() == 1 && s.principals[0] == "*") {
      w.string("*");
    } else {
      w.open('{');
      w.member("AWS");
      w.string_array(s.principals);
      w.close('}');
    }
  }
  w.member("Action");
  w.string_array(s.actions);
  w.member("Resource");
  w.string_array(s.resources);
  if (!s.conditions.empty()) {
    w.member("Condition");
    w.open('{');
    // Operators in the order of their first condition; each holds its keys in their order.
    std::vector<condition_operator> written;
    for (const condition& c : s.conditions) {
      if (std::find(written.begin(), written.end(), c.op) != written.end()) continue;
      written.push_back(c.op);
      w.member(operator_name(c.op));
      w.open('{');
      for (const condition& same : s.conditions) {
        if (same.op != c.op) continue;
        w.member(key_name(same.key));
        w.string_array(written_values(same));
      }
      w.close('}');
    }
    w.close('}');
  }
  w.close('}');
}
}  // namespace detail

/// Writes the document as JSON: "Version": "2012-10-17", then "Statement", each statement's
/// members in a fixed order (Sid, Effect, Principal, Action, Resource, Condition), every list
/// as an array, IP blocks canonical with their prefix. The same document always gives the
/// same bytes. Strings are escaped per RFC 8259.
/// @throws sigv4::error errc::invalid_policy for a document with no statements, a statement
///         with no actions or resources, a condition whose operator does not suit its key or
///         whose values do not suit its operator, the same operator and key twice in a
///         statement, or text that is not valid UTF-8; errc::invalid_ip_address for a bad block.
/// @param doc the document.
/// @param style pretty (IAM, bucket) or compact (session policies).
/// @return the JSON text.
inline std::string to_json(const document& doc, json_style style = json_style::pretty) {
  detail::check_document(doc);
  detail::json_writer w(style == json_style::pretty);
  w.open('{');
  w.member("Version");
  w.string("2012-10-17");
  w.member("Statement");
  w.open('[');
  for (const statement& s : doc.statements) {
    w.element();
    detail::write_statement(w, s);
  }
  w.close(']');
  w.close('}');
  return w.take();
}

/// Checks a session policy against the STS limit of 2048 characters.
/// @param json the session policy, as to_json wrote it.
/// @throws sigv4::error errc::invalid_policy giving its length when it is longer.
inline void check_session_policy_size(std::string_view json) {
  if (json.size() > max_session_policy_size)
    throw error(errc::invalid_policy, "the session policy is " + std::to_string(json.size()) +
                                          " characters; STS accepts at most 2048 (use fewer clients or CIDR "
                                          "blocks, or an IAM policy)");
}

// ---------------------------------------------------------------------------
// Local evaluation

/// What a request presents to the policy. An unset optional is a key missing from the
/// request context; see evaluator for what each operator does then.
struct request_context {
  std::string action;    ///< "s3:GetObject"
  std::string resource;  ///< "arn:aws:s3:::bucket/key" (object actions) or "arn:aws:s3:::bucket"
  std::optional<ip_address> source_ip;                    ///< aws:SourceIp
  std::optional<bool> secure_transport;                   ///< aws:SecureTransport
  std::optional<std::string> auth_type;                   ///< s3:authType: REST-QUERY-STRING, REST-HEADER, POST
  std::optional<std::chrono::milliseconds> signature_age; ///< s3:signatureAge
  std::optional<std::string> signature_version;           ///< s3:signatureversion: AWS4-HMAC-SHA256
  std::optional<std::string> s3_prefix;                   ///< s3:prefix (ListBucket)
};

/// The outcome of evaluating a policy.
enum class decision {
  allow,          ///< some Allow statement matched and no Deny did
  explicit_deny,  ///< a Deny statement matched (it wins over every Allow)
  implicit_deny,  ///< no statement matched (default deny)
};

/// A decision and the statement (index into document::statements) that made it: the first
/// matching Deny, or the first matching Allow; none for implicit_deny.
struct evaluation {
  decision outcome = decision::implicit_deny;  ///< allow, explicit_deny or implicit_deny
  std::optional<std::size_t> statement_index;  ///< the deciding statement; none for implicit_deny
  /// @return whether the request is allowed.
  bool allowed() const noexcept { return outcome == decision::allow; }
};

namespace detail {
inline char fold_case(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// IAM wildcards: '*' any run of characters (also none), '?' exactly one. Linear-time
// backtracking over the last '*'.
inline bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case) noexcept {
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  const auto same = [&](char a, char b) { return ignore_case ? fold_case(a) == fold_case(b) : a == b; };
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || (pattern[p] != '*' && same(pattern[p], text[t])))) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}
}  // namespace detail

/// Evaluates a policy document locally with AWS semantics, e.g. to refuse to issue a
/// presigned URL to a caller outside an allowlist before signing anything. The document is
/// checked and its blocks and numbers parsed once, in the constructor.
///
/// A statement matches when one of its actions matches the request's (case-insensitive, with
/// '*' and '?'), one of its resources matches the request's (case-sensitive, with '*' and
/// '?'), and every condition holds. An explicit Deny wins; otherwise an Allow allows;
/// otherwise the request is denied by default. The Principal is not evaluated: the context
/// holds no identity, so a document is judged as the policy of the one identity asking.
///
/// A key missing from the context (an unset optional), as AWS does: IpAddress, Bool,
/// StringEquals, StringLike, NumericLessThan and NumericGreaterThanEquals do not hold;
/// NotIpAddress (a negated operator) holds. So an Allow with IpAddress refuses a request of
/// unknown origin, and a Deny with NotIpAddress refuses it too.
class evaluator {
 public:
  /// @param doc the policy document, checked and compiled here.
  /// @throws sigv4::error errc::invalid_policy or errc::invalid_ip_address, as to_json.
  explicit evaluator(document doc) : doc_(std::move(doc)) {
    detail::check_document(doc_);
    for (const statement& s : doc_.statements) {
      std::vector<compiled_condition> conditions;
      for (const condition& c : s.conditions) {
        compiled_condition cc{c.op, c.key, {}, {}, c.values};
        if (c.op == condition_operator::ip_address || c.op == condition_operator::not_ip_address) {
          std::vector<cidr_block> blocks;
          for (const std::string& v : c.values) blocks.push_back(parse_cidr(v));
          cc.networks = cidr_set(std::move(blocks));
        }
        if (c.op == condition_operator::numeric_less_than || c.op == condition_operator::numeric_greater_than_equals)
          for (const std::string& v : c.values) {
            long long n = 0;
            detail::parse_integer(v, n);
            cc.numbers.push_back(n);
          }
        conditions.push_back(std::move(cc));
      }
      compiled_.push_back(std::move(conditions));
    }
  }

  /// The decision for one request.
  /// @param request the action, resource and condition keys the request presents.
  /// @return the decision and the statement that made it.
  evaluation evaluate(const request_context& request) const {
    evaluation result;
    for (std::size_t i = 0; i < doc_.statements.size(); ++i) {
      const statement& s = doc_.statements[i];
      if (!statement_matches(s, compiled_[i], request)) continue;
      if (s.effect == effect::deny) return {decision::explicit_deny, i};
      if (!result.statement_index) result = {decision::allow, i};
    }
    return result;
  }

  /// @return the document being evaluated.
  const document& policy_document() const noexcept { return doc_; }

 private:
  struct compiled_condition {
    condition_operator op;
    condition_key key;
    cidr_set networks;
    std::vector<long long> numbers;
    std::vector<std::string> strings;
  };

  static std::optional<std::string_view> string_value(condition_key key, const request_context& r) {
    const std::optional<std::string>* v = nullptr;
    if (key == condition_key::auth_type) v = &r.auth_type;
    else if (key == condition_key::signature_version) v = &r.signature_version;
    else if (key == condition_key::s3_prefix) v = &r.s3_prefix;
    if (v == nullptr || !*v) return std::nullopt;
    return std::string_view(**v);
  }

  static bool holds(const compiled_condition& c, const request_context& r) {
    const auto any = [&](auto&& pred) { return std::any_of(c.strings.begin(), c.strings.end(), pred); };
    switch (c.op) {
      case condition_operator::ip_address: return r.source_ip && c.networks.contains(*r.source_ip);
      case condition_operator::not_ip_address: return !r.source_ip || !c.networks.contains(*r.source_ip);
      case condition_operator::boolean:
        if (!r.secure_transport) return false;
        return any([&](const std::string& v) { return detail::equals_ignore_case(v, *r.secure_transport ? "true" : "false"); });
      case condition_operator::string_equals: {
        const auto v = string_value(c.key, r);
        return v && any([&](const std::string& s) { return s == *v; });
      }
      case condition_operator::string_like: {
        const auto v = string_value(c.key, r);
        return v && any([&](const std::string& s) { return detail::wildcard_match(s, *v, false); });
      }
      case condition_operator::numeric_less_than:
        return r.signature_age && std::any_of(c.numbers.begin(), c.numbers.end(),
                                              [&](long long n) { return r.signature_age->count() < n; });
      case condition_operator::numeric_greater_than_equals:
        return r.signature_age && std::any_of(c.numbers.begin(), c.numbers.end(),
                                              [&](long long n) { return r.signature_age->count() >= n; });
    }
    return false;
  }

  static bool statement_matches(const statement& s, const std::vector<compiled_condition>& conditions,
                                const request_context& r) {
    const bool action = std::any_of(s.actions.begin(), s.actions.end(),
                                    [&](const std::string& a) { return detail::wildcard_match(a, r.action, true); });
    const bool resource = std::any_of(s.resources.begin(), s.resources.end(), [&](const std::string& res) {
      return detail::wildcard_match(res, r.resource, false);
    });
    return action && resource &&
           std::all_of(conditions.begin(), conditions.end(), [&](const compiled_condition& c) { return holds(c, r); });
  }

  document doc_;
  std::vector<std::vector<compiled_condition>> compiled_;
};

/// Evaluates `doc` for one request (builds an evaluator; keep one for many requests).
/// @param doc the policy document.
/// @param request what the request presents.
/// @return the decision and the statement that made it.
/// @throws sigv4::error errc::invalid_policy or errc::invalid_ip_address for a bad document.
inline evaluation evaluate(const document& doc, const request_context& request) {
  return evaluator(doc).evaluate(request);
}

// ---------------------------------------------------------------------------
// Ready-made policy shapes

/// What a presigned URL may do.
enum class s3_access {
  get,      ///< s3:GetObject
  put,      ///< s3:PutObject
  delete_,  ///< s3:DeleteObject
  list,     ///< s3:ListBucket (on the bucket ARN, narrowed with s3:prefix)
};

/// The action name ("s3:GetObject", ...).
/// @param a the access.
/// @return its action name, a static string.
inline std::string_view action_name(s3_access a) noexcept {
  switch (a) {
    case s3_access::get: return "s3:GetObject";
    case s3_access::put: return "s3:PutObject";
    case s3_access::delete_: return "s3:DeleteObject";
    case s3_access::list: return "s3:ListBucket";
  }
  return "";
}

/// The ARN of a bucket.
/// @param bucket the bucket name.
/// @return "arn:aws:s3:::bucket".
inline std::string bucket_arn(std::string_view bucket) { return "arn:aws:s3:::" + std::string(bucket); }
/// The ARN of an object, or of the objects a pattern matches.
/// @param bucket the bucket name.
/// @param key a key, or a pattern such as "prefix*".
/// @return "arn:aws:s3:::bucket/key".
inline std::string object_arn(std::string_view bucket, std::string_view key) {
  return bucket_arn(bucket) + "/" + std::string(key);
}

/// Which policy a shape is for.
enum class policy_kind {
  iam,      ///< the signing identity's policy (MinIO `mc admin policy create`, AWS IAM): no Principal
  bucket,   ///< a bucket policy (AWS S3, Ceph RGW; MinIO: anonymous requests only): with Principal
  session,  ///< an AssumeRole session policy: no Principal, compact, at most 2048 characters
};

/// One client of a per-client allowlist: its key prefix, readable only from its networks.
struct client_rule {
  std::string name;    ///< names its statements' Sid (letters and digits kept)
  std::string prefix;  ///< key prefix, e.g. "acme/"; empty for the whole bucket
  std::vector<cidr_block> networks;  ///< the networks the client may use the prefix from
};

/// The input of the ready-made shapes: who may do what in a bucket, from where.
struct allowlist {
  std::string bucket;                                 ///< the bucket the policy is about
  std::vector<s3_access> actions = {s3_access::get};  ///< what the URLs may do
  /// The key prefix `networks` may use; empty for the whole bucket.
  std::string prefix;
  /// The networks allowed for `prefix`; may be empty when there are clients.
  std::vector<cidr_block> networks;
  /// Per-client rules: each gets its own statements with its own prefix and networks.
  std::vector<client_rule> clients;
  /// Requires s3:signatureAge below this (a URL older than this stops working).
  std::optional<std::chrono::seconds> max_signature_age;
  /// Requires aws:SecureTransport.
  bool require_tls = false;
  /// Requires s3:authType REST-QUERY-STRING: presigned URLs only.
  bool presigned_only = false;
  /// Requires s3:signatureversion AWS4-HMAC-SHA256.
  bool require_sigv4 = false;
  /// Bucket policies: the principals of every statement. With "*" (the default) the bucket
  /// policy holds only the Deny statements: an Allow for "*" would let unsigned requests (and
  /// URLs presigned by any account) in from those networks, and the bucket stays private. The
  /// signing identity's own permissions do the allowing. Name principals (AWS:
  /// "arn:aws:iam::123456789012:user/name", RGW: "arn:aws:iam:::user/name") to get the Allow
  /// statements too.
  std::vector<std::string> principals = {"*"};
  /// Whether to add Deny statements (NotIpAddress; with require_tls, SecureTransport false;
  /// with max_signature_age, the age at least that) for the same actions and resources.
  /// Unset: for bucket policies only, where an Allow alone does not bind the bucket owner.
  std::optional<bool> explicit_deny;
};

namespace detail {
inline void check_bucket_for_policy(std::string_view bucket) {
  if (bucket.empty()) throw error(errc::invalid_bucket_name, "the bucket name is empty");
  for (char c : bucket)
    if (c == '/' || c == '*' || c == '?' || c == '$' || c == ':' || static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      throw error(errc::invalid_bucket_name, "bucket name " + quote_input(bucket) + " has a character not allowed in a policy resource");
}

inline void check_prefix_for_policy(std::string_view prefix) {
  if (prefix.find_first_of("*?") != std::string_view::npos || prefix.find("${") != std::string_view::npos)
    throw error(errc::invalid_policy, "prefix " + quote_input(prefix) +
                                          " holds '*', '?' or '${', which a policy reads as a wildcard or variable");
}

// "acme-corp" -> "AcmeCorp": letters and digits, each run's first letter upper case.
inline std::string sid_part(std::string_view name) {
  std::string out;
  bool word_start = true;
  for (char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c);
    if (!alnum) {
      word_start = true;
      continue;
    }
    out.push_back(word_start && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    word_start = false;
  }
  return out;
}

struct shape_rule {
  std::string sid_base;
  std::string prefix;
  std::vector<cidr_block> networks;
};

// Unique Sids: a second "X" becomes "X2", and so on.
inline void make_sids_unique(document& doc) {
  std::vector<std::string> seen;
  for (statement& s : doc.statements) {
    if (s.sid.empty()) continue;
    std::string sid = s.sid;
    for (int n = 2; std::find(seen.begin(), seen.end(), sid) != seen.end(); ++n) sid = s.sid + std::to_string(n);
    s.sid = sid;
    seen.push_back(sid);
  }
}
}  // namespace detail

/// Builds the policy of `kind` for an allowlist. For each rule (the top-level prefix and
/// networks, then each client) and each resource group (object actions on
/// "arn:aws:s3:::bucket/prefix*"; s3:ListBucket on "arn:aws:s3:::bucket" with
/// s3:prefix StringLike "prefix*" when there is a prefix):
///  - an Allow (left out of bucket policies for Principal "*", see allowlist::principals)
///    with IpAddress aws:SourceIp [networks], plus Bool aws:SecureTransport "true",
///    NumericLessThan s3:signatureAge [ms], StringEquals s3:authType / s3:signatureversion as
///    asked;
///  - with explicit_deny (default for bucket policies): a Deny with NotIpAddress aws:SourceIp
///    [networks] on the same actions and resources, and likewise a Deny for
///    aws:SecureTransport "false" and for s3:signatureAge at least the limit.
/// Bucket policies carry `principals`; IAM and session policies no Principal. Session
/// policies carry no Sid (they count against 2048 characters).
/// @param kind iam, bucket or session.
/// @param a who may do what, from where.
/// @return the policy document (write it with to_json, or use policy_json).
/// @throws sigv4::error errc::invalid_policy when there are no actions, no networks at all, a
///         prefix without networks, a client without a name or networks, a prefix with a
///         wildcard, or a maximum signature age that is not positive;
///         errc::invalid_bucket_name for an empty bucket or one with '/', '*', '?', '$', ':'.
inline document make_policy(policy_kind kind, const allowlist& a) {
  detail::check_bucket_for_policy(a.bucket);
  if (a.actions.empty()) throw error(errc::invalid_policy, "the allowlist has no actions");
  if (a.networks.empty() && a.clients.empty())
    throw error(errc::invalid_policy, "the allowlist has no networks: give at least one CIDR block");
  if (a.networks.empty() && !a.prefix.empty())
    throw error(errc::invalid_policy, "prefix " + detail::quote_input(a.prefix) + " is given without networks for it");
  if (a.max_signature_age && a.max_signature_age->count() <= 0)
    throw error(errc::invalid_policy, "the maximum signature age must be positive");
  if (kind == policy_kind::bucket && a.principals.empty())
    throw error(errc::invalid_policy, "a bucket policy needs a principal");

  std::vector<detail::shape_rule> rules;
  if (!a.networks.empty()) rules.push_back({"AllowedNetworks", a.prefix, a.networks});
  for (const client_rule& c : a.clients) {
    if (c.name.empty()) throw error(errc::invalid_policy, "a client has no name");
    if (c.networks.empty())
      throw error(errc::invalid_policy, "client " + detail::quote_input(c.name) + " has no networks");
    rules.push_back({"Client" + detail::sid_part(c.name), c.prefix, c.networks});
  }

  std::vector<std::string> object_actions;
  bool list = false;
  for (s3_access x : a.actions) {
    if (x == s3_access::list) list = true;
    else if (std::find(object_actions.begin(), object_actions.end(), action_name(x)) == object_actions.end())
      object_actions.emplace_back(action_name(x));
  }

  const bool deny = a.explicit_deny.value_or(kind == policy_kind::bucket);
  const bool anyone = kind == policy_kind::bucket &&
                      std::find(a.principals.begin(), a.principals.end(), "*") != a.principals.end();
  if (anyone && !deny)
    throw error(errc::invalid_policy,
                "a bucket policy that allows Principal \"*\" would open the bucket to unsigned requests; "
                "name the signing identity or keep the Deny statements");
  const bool with_sid = kind != policy_kind::session;
  const std::vector<std::string> principals = kind == policy_kind::bucket ? a.principals : std::vector<std::string>{};
  std::optional<std::chrono::milliseconds> max_age;
  if (a.max_signature_age) max_age = std::chrono::duration_cast<std::chrono::milliseconds>(*a.max_signature_age);

  document doc;
  for (const detail::shape_rule& r : rules) {
    detail::check_prefix_for_policy(r.prefix);
    std::vector<cidr_block> networks;  // without duplicates, in the order given
    for (const cidr_block& b : r.networks)
      if (std::find(networks.begin(), networks.end(), b) == networks.end()) networks.push_back(b);

    struct group {
      std::string name;
      std::vector<std::string> actions, resources;
      std::optional<condition> prefix_condition;
    };
    std::vector<group> groups;
    if (!object_actions.empty()) groups.push_back({"Objects", object_actions, {object_arn(a.bucket, r.prefix + "*")}, {}});
    if (list) {
      group g{"List", {std::string(action_name(s3_access::list))}, {bucket_arn(a.bucket)}, {}};
      if (!r.prefix.empty()) g.prefix_condition = s3_prefix_like(r.prefix + "*");
      groups.push_back(std::move(g));
    }

    for (const group& g : groups) {
      const auto base = [&](policy::effect e, const std::string& sid) {
        statement s;
        if (with_sid) s.sid = sid;
        s.effect = e;
        s.principals = principals;
        s.actions = g.actions;
        s.resources = g.resources;
        return s;
      };
      statement allow = base(effect::allow, "Allow" + r.sid_base + g.name);
      allow.conditions.push_back(source_ip_in(networks));
      if (a.require_tls) allow.conditions.push_back(secure_transport_is(true));
      if (max_age) allow.conditions.push_back(signature_age_below(*max_age));
      if (a.presigned_only) allow.conditions.push_back(auth_type_is("REST-QUERY-STRING"));
      if (a.require_sigv4) allow.conditions.push_back(signature_version_is("AWS4-HMAC-SHA256"));
      if (g.prefix_condition) allow.conditions.push_back(*g.prefix_condition);
      if (!anyone) doc.statements.push_back(std::move(allow));
      if (!deny) continue;

      const auto add_deny = [&](const std::string& why, condition c) {
        statement s = base(effect::deny, "Deny" + r.sid_base + g.name + why);
        s.conditions.push_back(std::move(c));
        if (g.prefix_condition) s.conditions.push_back(*g.prefix_condition);
        doc.statements.push_back(std::move(s));
      };
      add_deny("OutsideNetworks", source_ip_not_in(networks));
      if (a.require_tls) add_deny("WithoutTls", secure_transport_is(false));
      if (max_age) add_deny("OldSignature", signature_age_at_least(*max_age));
    }
  }
  detail::make_sids_unique(doc);
  return doc;
}

/// The allowlist's policy as JSON: pretty for iam and bucket, compact for session.
/// @param kind iam, bucket or session.
/// @param a who may do what, from where.
/// @return the JSON text.
/// @throws sigv4::error as make_policy and to_json; for session, errc::invalid_policy when the
///         document is longer than 2048 characters (the message gives its length).
inline std::string policy_json(policy_kind kind, const allowlist& a) {
  const document doc = make_policy(kind, a);
  if (kind != policy_kind::session) return to_json(doc, json_style::pretty);
  std::string json = to_json(doc, json_style::compact);
  check_session_policy_size(json);
  return json;
}

/// The context of a presigned URL for `access` used right after it is issued, from `client`:
/// s3:authType REST-QUERY-STRING, s3:signatureversion AWS4-HMAC-SHA256, s3:signatureAge 0.
/// For list, `key` is the s3:prefix and the resource the bucket.
/// @param access what the URL does.
/// @param bucket the bucket.
/// @param key the object key (list: the prefix).
/// @param client the client's address (aws:SourceIp).
/// @param https whether the URL is fetched over TLS (aws:SecureTransport).
/// @return the request context to evaluate.
inline request_context presigned_request(s3_access access, std::string_view bucket, std::string_view key,
                                         const ip_address& client, bool https) {
  request_context r;
  r.action = std::string(action_name(access));
  if (access == s3_access::list) {
    r.resource = bucket_arn(bucket);
    r.s3_prefix = std::string(key);
  } else {
    r.resource = object_arn(bucket, key);
  }
  r.source_ip = client;
  r.secure_transport = https;
  r.auth_type = "REST-QUERY-STRING";
  r.signature_age = std::chrono::milliseconds(0);
  r.signature_version = "AWS4-HMAC-SHA256";
  return r;
}

}  // namespace sigv4::policy

#endif
