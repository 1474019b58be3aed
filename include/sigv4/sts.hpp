/// @file
/// sigv4 — AWS STS, sans-IO: the signed GetSessionToken and AssumeRole requests, and a strict
/// little parser for the one XML document they answer with. MinIO and Ceph RGW speak the same
/// protocol. https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
#ifndef SIGV4_STS_HPP
#define SIGV4_STS_HPP

#include "detail/config.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "credentials.hpp"
#include "detail/percent.hpp"
#include "detail/utf8.hpp"
#include "errors.hpp"
#include "s3.hpp"
#include "signer.hpp"
#include "time.hpp"

namespace sigv4::sts {
SIGV4_BACKEND_NS_BEGIN

/// A signed form POST: send `request.headers` (Host, Content-Type, X-Amz-Date, Authorization,
/// and the session token when the caller's credentials have one) and `body` to `url`.
struct form_request {
  std::string url;      ///< where to POST, the endpoint with path "/"
  http_request request; ///< method POST, path, and the signed headers to send
  std::string body;     ///< the application/x-www-form-urlencoded body (signed)
};

/// The longest inline session policy (characters), as MinIO and AWS limit it.
inline constexpr std::size_t max_session_policy_size = 2048;

/// What AssumeRole takes besides the caller's credentials.
struct assume_role_params {
  std::string role_arn = "arn:aws:iam::000000000000:role/sigv4";  ///< MinIO ignores it; AWS needs a real one
  std::string role_session_name = "sigv4";  ///< RoleSessionName, not empty
  /// 900 s up to MinIO's 31536000 s (AWS allows up to the role's maximum, at most 43200).
  std::chrono::seconds duration{3600};
  /// An inline session policy (JSON, at most 2048 characters) that narrows what the temporary
  /// credentials may do, e.g. to the caller's networks with aws:SourceIp.
  std::string policy;
};

SIGV4_BACKEND_NS_END
namespace detail {
SIGV4_BACKEND_NS_BEGIN
using sigv4::detail::capture_error;
using sigv4::detail::quote_input;

// Builds and signs a POST of `params` (already name=value pairs, values raw) to the endpoint.
inline form_request signed_form(std::string_view endpoint_url, std::string_view region, const credentials& creds,
                                const std::vector<std::pair<std::string_view, std::string>>& params, time_point at) {
  const s3::endpoint ep = s3::parse_endpoint(endpoint_url);
  form_request f;
  f.url = std::string(ep.https ? "https://" : "http://") + ep.authority() + "/";
  for (const auto& p : params) {
    if (!f.body.empty()) f.body.push_back('&');
    f.body.append(p.first).push_back('=');
    sigv4::detail::append_uri_encoded(f.body, p.second, sigv4::detail::encode_set::component);
  }
  f.request.method = "POST";
  f.request.path = "/";
  f.request.headers = {{"Host", ep.authority()},
                       {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  signing_options o;
  o.region = std::string(region);
  o.service = "sts";
  o.payload = payload_hash::of(f.body);
  sign_headers(f.request, creds, o, at);
  return f;
}

inline void check_duration(std::chrono::seconds d, long long low, long long high, const char* action) {
  if (d.count() < low || d.count() > high)
    throw error(errc::invalid_argument, std::string(action) + " DurationSeconds must be " + std::to_string(low) +
                                            " to " + std::to_string(high) + ", got " + std::to_string(d.count()));
}

// Writes `in` to `out` (which it empties first) with the five XML entities and numeric
// character references replaced; false if one is unknown or malformed. Every reference is at
// least as long as the UTF-8 it stands for ("&#65536;" is 8 bytes for 4), so the text never
// grows: `out` gets in.size() bytes reserved before the first byte is written and its buffer
// never moves, leaving no copy of what it holds behind (the secret key is read with it).
inline bool xml_unescape(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '&') {
      out.push_back(in[i]);
      continue;
    }
    const std::size_t semi = in.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) return false;
    const std::string_view ent = in.substr(i + 1, semi - i - 1);
    if (ent == "amp") out.push_back('&');
    else if (ent == "lt") out.push_back('<');
    else if (ent == "gt") out.push_back('>');
    else if (ent == "quot") out.push_back('"');
    else if (ent == "apos") out.push_back('\'');
    else if (ent.size() > 1 && ent[0] == '#') {
      unsigned long cp = 0;
      const bool hex = ent[1] == 'x';
      const std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty()) return false;
      for (char c : digits) {
        const int v = hex ? sigv4::detail::hex_value(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
        if (v < 0) return false;
        cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(v);
        if (cp > 0x10FFFF) return false;
      }
      sigv4::detail::append_utf8(out, static_cast<std::uint32_t>(cp));
    } else {
      return false;
    }
    i = semi;
  }
  return true;
}

// Decodes the text of the one element <name>...</name> inside `doc` into `out` (see
// xml_unescape: one buffer, reserved first); false when the element is absent. Throws when it
// occurs twice, has attributes or children, or its text does not unescape; `out` may then
// hold part of the text, so a caller reading a secret passes the buffer of a scrubbed string.
inline bool xml_text_into(std::string_view doc, std::string_view name, std::string& out) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string close = "</" + std::string(name) + ">";
  const std::size_t a = doc.find(open);
  if (a == std::string_view::npos) {
    if (doc.find("<" + std::string(name) + " ") != std::string_view::npos)
      throw error(errc::invalid_sts_response, "element <" + std::string(name) + "> has attributes");
    return false;
  }
  const std::size_t b = doc.find(close, a + open.size());
  if (b == std::string_view::npos)
    throw error(errc::invalid_sts_response, "element <" + std::string(name) + "> is not closed");
  if (doc.find(open, b) != std::string_view::npos)
    throw error(errc::invalid_sts_response, "element <" + std::string(name) + "> occurs more than once");
  const std::string_view raw = doc.substr(a + open.size(), b - a - open.size());
  if (raw.find('<') != std::string_view::npos)
    throw error(errc::invalid_sts_response, "element <" + std::string(name) + "> holds markup");
  if (!xml_unescape(raw, out))
    throw error(errc::invalid_sts_response, "element <" + std::string(name) + "> holds an unknown entity");
  return true;
}

// The text of the one element <name> inside `doc` (not a secret); nullopt when absent. Throws as
// xml_text_into.
inline std::optional<std::string> xml_text(std::string_view doc, std::string_view name) {
  std::string text;
  if (!xml_text_into(doc, name, text)) return std::nullopt;
  return text;
}
SIGV4_BACKEND_NS_END
}  // namespace detail
SIGV4_BACKEND_NS_BEGIN

/// GetSessionToken: temporary credentials for the caller's own identity.
/// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
/// @param endpoint_url the STS endpoint, e.g. "https://sts.amazonaws.com", "http://127.0.0.1:9000" (MinIO).
/// @param region the region to sign for ("us-east-1" for the global endpoint and MinIO).
/// @param creds the caller's credentials.
/// @param duration 900 to 129600 seconds.
/// @param at the signing time.
/// @return the request to send; parse its answer with parse_credentials_response.
/// @throws sigv4::error errc::invalid_endpoint, invalid_region, invalid_argument (duration).
inline form_request get_session_token(std::string_view endpoint_url, std::string_view region, const credentials& creds,
                                      std::chrono::seconds duration, time_point at) {
  detail::check_duration(duration, 900, 129600, "GetSessionToken");
  return detail::signed_form(endpoint_url, region, creds,
                             {{"Action", "GetSessionToken"},
                              {"DurationSeconds", std::to_string(duration.count())},
                              {"Version", "2011-06-15"}},
                             at);
}

/// AssumeRole, with an optional inline session policy (MinIO: the policy that limits what a
/// presigned URL made with the returned credentials may do, e.g. from which networks).
/// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
/// @param endpoint_url the STS endpoint, e.g. "https://sts.amazonaws.com", "http://127.0.0.1:9000" (MinIO).
/// @param region the region to sign for ("us-east-1" for the global endpoint and MinIO).
/// @param creds the caller's credentials.
/// @param p the role, session name, duration and session policy.
/// @param at the signing time.
/// @return the request to send; parse its answer with parse_credentials_response.
/// @throws sigv4::error errc::invalid_policy when the policy is longer than 2048 characters,
///         errc::invalid_argument for a duration outside 900..31536000 or an empty session name.
inline form_request assume_role(std::string_view endpoint_url, std::string_view region, const credentials& creds,
                                const assume_role_params& p, time_point at) {
  detail::check_duration(p.duration, 900, 31536000, "AssumeRole");
  if (p.role_session_name.empty()) throw error(errc::invalid_argument, "the role session name is empty");
  if (p.policy.size() > max_session_policy_size)
    throw error(errc::invalid_policy, "the session policy is " + std::to_string(p.policy.size()) +
                                          " characters; STS accepts at most 2048");
  std::vector<std::pair<std::string_view, std::string>> params = {
      {"Action", "AssumeRole"},
      {"DurationSeconds", std::to_string(p.duration.count())},
  };
  if (!p.policy.empty()) params.push_back({"Policy", p.policy});
  params.push_back({"RoleArn", p.role_arn});
  params.push_back({"RoleSessionName", p.role_session_name});
  params.push_back({"Version", "2011-06-15"});
  return detail::signed_form(endpoint_url, region, creds, params, at);
}

/// What AssumeRoleWithWebIdentity takes: an OpenID Connect token (a Kubernetes service
/// account token, say) instead of credentials.
struct web_identity_params {
  std::string role_arn;           ///< AWS_ROLE_ARN
  std::string role_session_name;  ///< AWS_ROLE_SESSION_NAME; 2 to 64 of A-Z a-z 0-9 + = , . @ _ -
  /// The token (a bearer secret: never printed). Read it again for every call: Kubernetes
  /// replaces projected service account tokens well before they expire.
  secret_string token;
  /// 0: leave DurationSeconds out (STS's default, one hour); else 900 up to 43200 (AWS: the
  /// role's maximum) or MinIO's 31536000.
  std::chrono::seconds duration{0};
  /// An inline session policy (JSON, at most 2048 characters).
  std::string policy;
};

/// The web identity named by the environment, as the AWS SDKs read it: the token from the file
/// AWS_WEB_IDENTITY_TOKEN_FILE names (read now, whitespace trimmed), AWS_ROLE_ARN, and
/// AWS_ROLE_SESSION_NAME, else "sigv4-<seconds since the epoch at `at`>" (botocore:
/// "botocore-session-<time>").
/// https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
/// @param at the time the default session name is made from.
/// @param env where the variables are read (the process environment by default).
/// @return the role, session name and token; duration 0 (STS's default) and no policy.
/// @throws sigv4::error errc::credentials_not_found naming the missing variable, or the
///         token file and why it cannot be read (missing, unreadable, empty). Never the token.
inline web_identity_params web_identity_from_env(time_point at, const env_lookup& env = process_env) {
  web_identity_params p;
  const auto file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (!file || file->empty()) throw error(errc::credentials_not_found, "AWS_WEB_IDENTITY_TOKEN_FILE is not set");
  const auto role = env("AWS_ROLE_ARN");
  if (!role || role->empty())
    throw error(errc::credentials_not_found, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
  p.role_arn = *role;
  if (auto name = env("AWS_ROLE_SESSION_NAME"); name && !name->empty()) p.role_session_name = std::move(*name);
  else p.role_session_name = "sigv4-" + std::to_string(sigv4::detail::epoch_seconds(at));
  sigv4::detail::scrubbed token;
  if (const int err = sigv4::detail::read_file(*file, token))
    throw error(errc::credentials_not_found, "AWS_WEB_IDENTITY_TOKEN_FILE names the file " +
                                                 sigv4::detail::quote_path(*file) +
                                                 ", which cannot be read: " + sigv4::detail::os_reason(err));
  sigv4::detail::trim_in_place(token.str());
  if (token.empty())
    throw error(errc::credentials_not_found, "AWS_WEB_IDENTITY_TOKEN_FILE names the file " +
                                                 sigv4::detail::quote_path(*file) + ", which is empty");
  p.token = secret_string(token.view());
  return p;
}

/// AssumeRoleWithWebIdentity: a form POST that is not signed (the token authenticates it), as
/// botocore sends it: the body Action, Version, RoleArn, RoleSessionName, WebIdentityToken,
/// Policy, DurationSeconds in that order, values percent-encoded (a space as %20 where
/// botocore writes '+': the same in a form body); headers Host and Content-Type. The body
/// holds the token: wipe it when done. The answer is read by parse_credentials_response.
/// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
/// @param endpoint_url the STS endpoint, e.g. "https://sts.amazonaws.com", "http://127.0.0.1:9000" (MinIO).
/// @param p the role, session name, token, duration and session policy.
/// @return the request to send; parse its answer with parse_credentials_response.
/// @throws sigv4::error errc::invalid_endpoint; errc::invalid_argument for an empty role ARN,
///         a session name outside STS's pattern, an empty token or a duration outside
///         900..31536000; errc::invalid_policy for a policy over 2048 characters.
inline form_request assume_role_with_web_identity(std::string_view endpoint_url, const web_identity_params& p) {
  if (p.role_arn.empty()) throw error(errc::invalid_argument, "the role ARN is empty");
  const std::string_view name = p.role_session_name;
  const bool name_ok = name.size() >= 2 && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("+=,.@_-").find(c) != std::string_view::npos;
  });
  if (!name_ok)
    throw error(errc::invalid_argument, "the role session name " + detail::quote_input(name) +
                                            " is not 2 to 64 of A-Z a-z 0-9 + = , . @ _ -");
  if (p.token.empty()) throw error(errc::invalid_argument, "the web identity token is empty");
  if (p.duration.count() != 0) detail::check_duration(p.duration, 900, 31536000, "AssumeRoleWithWebIdentity");
  if (p.policy.size() > max_session_policy_size)
    throw error(errc::invalid_policy, "the session policy is " + std::to_string(p.policy.size()) +
                                          " characters; STS accepts at most 2048");
  const s3::endpoint ep = s3::parse_endpoint(endpoint_url);
  form_request f;
  f.url = std::string(ep.https ? "https://" : "http://") + ep.authority() + "/";
  const auto add = [&f](std::string_view key, std::string_view value) {
    if (!f.body.empty()) f.body.push_back('&');
    f.body.append(key).push_back('=');
    sigv4::detail::append_uri_encoded(f.body, value, sigv4::detail::encode_set::component);
  };
  f.body.reserve(160 + p.role_arn.size() + 3 * (p.token.size() + p.policy.size()));  // the token is never reallocated
  add("Action", "AssumeRoleWithWebIdentity");
  add("Version", "2011-06-15");
  add("RoleArn", p.role_arn);
  add("RoleSessionName", name);
  add("WebIdentityToken", p.token.view());
  if (!p.policy.empty()) add("Policy", p.policy);
  if (p.duration.count() != 0) add("DurationSeconds", std::to_string(p.duration.count()));
  f.request.method = "POST";
  f.request.path = "/";
  f.request.headers = {{"Host", ep.authority()},
                       {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  return f;
}

/// Parses the XML answer of GetSessionToken or AssumeRole into credentials with their
/// session token and expiry. Strict: the `<Credentials>` element must hold exactly one each of
/// AccessKeyId, SecretAccessKey, SessionToken and Expiration (ISO-8601), as text.
/// The secret key and the session token are decoded each into one buffer reserved before it is
/// written, which is wiped on every way out, returned or thrown (the credentials keep their
/// own copy). The caller's `xml` still holds them: wipe it when done.
/// @param xml the body of STS's answer.
/// @return the temporary credentials, with their session token and expiration.
/// @throws sigv4::error errc::invalid_sts_response for an `<ErrorResponse>` (its Code and
///         Message quoted) or a document that is not this shape; the message never holds a
///         secret.
inline credentials parse_credentials_response(std::string_view xml) {
  if (xml.find("<ErrorResponse") != std::string_view::npos || xml.find("<Error>") != std::string_view::npos) {
    std::string what = "STS refused the request";
    std::error_code ec;
    const auto code = detail::capture_error(ec, [&] { return detail::xml_text(xml, "Code"); });
    const auto message = detail::capture_error(ec, [&] { return detail::xml_text(xml, "Message"); });
    if (code) what += ": " + detail::quote_input(*code);
    if (message) what += " " + detail::quote_input(*message);
    throw error(errc::invalid_sts_response, what);
  }
  const std::size_t a = xml.find("<Credentials>");
  const std::size_t b = xml.find("</Credentials>");
  if (a == std::string_view::npos || b == std::string_view::npos || b < a)
    throw error(errc::invalid_sts_response, "the answer has no <Credentials> element");
  if (xml.find("<Credentials>", a + 1) != std::string_view::npos)
    throw error(errc::invalid_sts_response, "the answer has more than one <Credentials> element");
  const std::string_view body = xml.substr(a, b - a);
  // Decodes element `name` of <Credentials> into `out`, which must not come out empty.
  const auto need = [&](const char* name, std::string& out) {
    if (!detail::xml_text_into(body, name, out) || out.empty())
      throw error(errc::invalid_sts_response, std::string("<Credentials> has no ") + name);
  };
  sigv4::detail::scrubbed secret, token;  // wiped when this function is left, by return or throw
  std::string id, expiration;             // public
  need("AccessKeyId", id);
  need("SecretAccessKey", secret.str());
  need("SessionToken", token.str());
  need("Expiration", expiration);
  std::error_code ec;
  const time_point expires = parse_iso8601(expiration, ec);
  if (ec) throw error(errc::invalid_sts_response, "<Expiration> " + detail::quote_input(expiration) + " is not an ISO-8601 time");
  try {
    return credentials(id, secret.view(), token.view(), expires);
  } catch (const error& e) {  // its messages name the field, never the value
    throw error(errc::invalid_sts_response, std::string("the credentials in the answer are unusable: ") + e.what());
  }
}

SIGV4_BACKEND_NS_END
}  // namespace sigv4::sts

#endif
