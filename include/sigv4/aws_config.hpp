/// @file
/// sigv4 — the AWS config file (~/.aws/config), sans-IO: resolve a profile's region, S3
/// endpoint, addressing style and credential_process from the file's text, and read the JSON
/// answer of a credential_process. Reading the file and running the process are the caller's.
/// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
#ifndef SIGV4_AWS_CONFIG_HPP
#define SIGV4_AWS_CONFIG_HPP

#include "detail/config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "credentials.hpp"
#include "detail/ascii.hpp"
#include "detail/json.hpp"
#include "errors.hpp"
#include "time.hpp"

namespace sigv4 {

/// What a profile of the AWS config file says for S3. Each field is empty when the profile
/// does not set it.
struct aws_profile {
  std::string name;             ///< the profile asked for
  bool found = false;           ///< the file has [default] (for "default") or [profile NAME]
  std::string region;           ///< region
  std::string endpoint_url;     ///< the S3 endpoint: the services section's `s3 = endpoint_url`,
                                ///< else the profile's endpoint_url; empty when
                                ///< ignore_configured_endpoint_urls is true
  std::string addressing_style; ///< the profile's `s3 = addressing_style` (path, virtual, auto)
  std::string credential_process;  ///< the command line of credential_process
};

namespace detail {

// A [section] of the config file names profile `name`: [default] or [profile default] for
// "default", [profile NAME] otherwise (blanks between the words, as botocore's shlex split).
inline bool is_profile_section(std::string_view section, std::string_view name) {
  if (section == "default") return name == "default";
  return section.substr(0, 7) == "profile" && section.size() > 7 && is_blank(section[7]) &&
         trim(section.substr(7)) == name;
}

// [services NAME].
inline bool is_services_section(std::string_view section, std::string_view name) {
  return section.substr(0, 8) == "services" && section.size() > 8 && is_blank(section[8]) &&
         trim(section.substr(8)) == name;
}

// What one section holds that matters here: top-level keys, and the keys of its `s3 =` block.
struct config_section_values {
  std::string region, endpoint_url, services, credential_process, ignore_endpoints;
  std::string s3_endpoint_url, s3_addressing_style;
  // The static keys (botocore's ConfigProvider): wiped with the values.
  std::optional<scrubbed> access_key_id, secret_access_key, security_token, session_token;
};

// The slot of a static key line in `v`, or nullptr.
inline std::optional<scrubbed>* config_secret_slot(config_section_values& v, std::string_view key) {
  if (iequals(key, "aws_access_key_id")) return &v.access_key_id;
  if (iequals(key, "aws_secret_access_key")) return &v.secret_access_key;
  if (iequals(key, "aws_security_token")) return &v.security_token;
  if (iequals(key, "aws_session_token")) return &v.session_token;
  return nullptr;
}

// Collects the keys of every section `in_section` accepts (a later key wins, as in
// configparser, where a repeated section continues the first). `found` says whether one exists.
template <class InSection>
config_section_values collect_config_section(std::string_view text, InSection&& in_section, bool& found) {
  config_section_values v;
  std::string_view block;  // the key whose nested block indented lines belong to
  for_each_ini_line(text, [&](const ini_line& l) {
    if (!in_section(l.section)) return;
    if (l.is_section) {
      found = true;
      block = {};
      return;
    }
    if (l.indented && !block.empty()) {
      if (iequals(block, "s3") && iequals(l.key, "endpoint_url")) v.s3_endpoint_url = std::string(l.value);
      if (iequals(block, "s3") && iequals(l.key, "addressing_style")) v.s3_addressing_style = std::string(l.value);
      return;
    }
    block = l.value.empty() ? l.key : std::string_view();
    if (std::optional<scrubbed>* secret = config_secret_slot(v, l.key)) {
      secret->reset();
      secret->emplace(std::string(l.value));  // an empty value is still there, as in configparser
      return;
    }
    std::string* slot = iequals(l.key, "region")                            ? &v.region
                        : iequals(l.key, "endpoint_url")                    ? &v.endpoint_url
                        : iequals(l.key, "services")                        ? &v.services
                        : iequals(l.key, "credential_process")              ? &v.credential_process
                        : iequals(l.key, "ignore_configured_endpoint_urls") ? &v.ignore_endpoints
                                                                            : nullptr;
    if (slot) *slot = std::string(l.value);
  });
  return v;
}

}  // namespace detail

/// Resolves profile `name` in the text of an AWS config file, as the AWS CLI and botocore read
/// it: [default] and [profile NAME] sections; region; endpoint_url, and the `services` key
/// naming a [services NAME] section whose `s3 =` block's endpoint_url takes precedence over it;
/// ignore_configured_endpoint_urls = true drops both; the `s3 =` block's addressing_style;
/// credential_process. Keys are case-insensitive, section names are not.
/// @param config_text the file's text (UTF-8; a byte order mark is skipped).
/// @param name the profile (the caller picks it: --profile, AWS_PROFILE, "default").
/// @return the profile's settings, empty where the file has none; found says whether the
///         profile's section is there.
/// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
/// @throws sigv4::error errc::invalid_argument when the profile names a services section the
///         text does not have.
inline aws_profile resolve_aws_profile(std::string_view config_text, std::string_view name) {
  aws_profile out;
  out.name = std::string(name);
  const detail::config_section_values p = detail::collect_config_section(
      config_text, [&](std::string_view s) { return detail::is_profile_section(s, name); }, out.found);
  out.region = p.region;
  out.addressing_style = p.s3_addressing_style;
  out.credential_process = p.credential_process;
  if (detail::iequals(p.ignore_endpoints, "true")) return out;
  out.endpoint_url = p.endpoint_url;
  if (!p.services.empty()) {
    bool services_found = false;
    const detail::config_section_values s = detail::collect_config_section(
        config_text, [&](std::string_view sec) { return detail::is_services_section(sec, p.services); },
        services_found);
    if (!services_found)
      throw error(errc::invalid_argument, "profile " + detail::quote_input(name) + " uses the services section " +
                                              detail::quote_input(p.services) + ", which the config file does not have");
    if (!s.s3_endpoint_url.empty()) out.endpoint_url = s.s3_endpoint_url;
  }
  return out;
}

/// The static credentials of profile `name` in the text of an AWS config file, as botocore's
/// ConfigProvider reads them: aws_access_key_id, aws_secret_access_key, and aws_session_token or
/// its legacy name aws_security_token (the legacy name wins when both are there, as in
/// botocore). The profile's sections are found as resolve_aws_profile finds them. In the AWS
/// CLI's chain these come last among the profile's sources: after the shared credentials file
/// and after credential_process.
/// @param config_text the file's text (UTF-8; a byte order mark is skipped).
/// @param name the profile.
/// @return the credentials; nullopt when the profile is not in the text or has no
///         aws_access_key_id (the config file then gives none).
/// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
/// @throws sigv4::error errc::credentials_not_found when the profile has aws_access_key_id but
///         no aws_secret_access_key (botocore's PartialCredentialsError), naming the key and the
///         profile; errc::invalid_credentials when the values are unusable (an empty key id,
///         say). No message holds a secret or a token.
inline std::optional<credentials> credentials_from_aws_config(std::string_view config_text, std::string_view name) {
  bool found = false;
  const detail::config_section_values p = detail::collect_config_section(
      config_text, [&](std::string_view s) { return detail::is_profile_section(s, name); }, found);
  if (!found || !p.access_key_id) return std::nullopt;
  const std::string where = "profile " + detail::quote_input(name) + " of the config file";
  if (!p.secret_access_key)
    throw error(errc::credentials_not_found, "aws_access_key_id is set but aws_secret_access_key is missing in " + where);
  const std::optional<detail::scrubbed>& token = p.security_token ? p.security_token : p.session_token;
  return detail::make_credentials(p.access_key_id->view(), p.secret_access_key->view(),
                                  token ? token->view() : std::string_view(), std::nullopt, where);
}

/// The words of a credential_process command line, split as botocore splits it before running
/// it without a shell (botocore.compat.compat_shell_split, on POSIX Python's shlex.split):
/// words are separated by spaces, tabs, CR and LF; single quotes keep everything literally;
/// in double quotes a backslash followed by a double quote or by another backslash stands for
/// that character, and any other backslash stays; outside quotes a backslash makes the next
/// character literal; quoted and unquoted pieces next to each other make one word, and '' is
/// an empty word. Nothing else is special: no variables, globs, comments, pipes or redirections.
/// @param command the credential_process value of the config file.
/// @return the program (first) and its arguments.
/// https://docs.python.org/3/library/shlex.html#parsing-rules
/// @throws sigv4::error errc::invalid_argument when a quote is not closed, the text ends with
///         a backslash, it holds a NUL byte, or it has no word. The messages quote nothing of
///         the command (its arguments may hold a secret).
inline std::vector<std::string> split_credential_process(std::string_view command) {
  const auto refuse = [](const char* why) {
    return error(errc::invalid_argument, std::string("the credential_process command ") + why);
  };
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // a word has begun (an empty quoted one counts)
  char quote = 0;        // the open quote, or 0
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (c == '\0') throw refuse("holds a NUL byte");
    if (quote == '\'') {
      if (c == '\'') quote = 0;
      else word.push_back(c);
      continue;
    }
    if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < command.size() && (command[i + 1] == '"' || command[i + 1] == '\\')) {
        word.push_back(command[++i]);
      } else if (c == '\\' && i + 1 == command.size()) {
        throw refuse("ends with a backslash inside a double-quoted string");
      } else {
        word.push_back(c);
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '\\') {
      if (i + 1 == command.size()) throw refuse("ends with a backslash (nothing to escape)");
      word.push_back(command[++i]);
      if (word.back() == '\0') throw refuse("holds a NUL byte");
    } else {
      word.push_back(c);
    }
  }
  if (quote == '\'') throw refuse("has an unterminated single quote (')");
  if (quote == '"') throw refuse("has an unterminated double quote (\")");
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) throw refuse("is empty");
  return words;
}

/// The credentials in the answer of a credential_process (its stdout): a JSON object with
/// "Version": 1, "AccessKeyId", "SecretAccessKey", and optional "SessionToken" and
/// "Expiration" (ISO 8601, UTC). Credentials whose Expiration is not after `now` are refused.
/// @param output the process's stdout.
/// @param now the time to judge Expiration by.
/// @return the credentials, with their expiry when the answer has one.
/// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html
/// @throws sigv4::error errc::credentials_not_found when the answer is not such an object
///         (the message says what is wrong, and quotes nothing of the answer: it holds a
///         secret); errc::credentials_expired when Expiration is past;
///         errc::invalid_credentials when the values are unusable.
inline credentials credentials_from_process_output(std::string_view output, time_point now) {
  using type = detail::json_value::type;
  detail::json_value doc;
  const auto refuse = [](const std::string& why) {
    return error(errc::credentials_not_found, "the credential_process answer " + why);
  };
  // The parsed copy holds the secret: wipe it whatever happens.
  struct wipe_doc {
    detail::json_value& d;
    ~wipe_doc() {
      for (detail::json_value& item : d.items) detail::wipe_string(item.text);
    }
  } wiper{doc};
  if (const char* why = detail::parse_json(output, doc)) throw refuse(std::string("is not JSON: ") + why);
  if (doc.kind != type::object) throw refuse("is not a JSON object");
  const detail::json_value* version = doc.find("Version");
  if (version == nullptr || version->kind != type::integer || version->number != 1)
    throw refuse("has no \"Version\": 1");
  const auto text = [&](const char* key, bool required) -> std::string_view {
    const detail::json_value* v = doc.find(key);
    if (v == nullptr) {
      if (required) throw refuse(std::string("has no \"") + key + "\"");
      return {};
    }
    if (v->kind != type::string) throw refuse(std::string("has a \"") + key + "\" that is not a string");
    return v->text;
  };
  const std::string_view id = text("AccessKeyId", true);
  const std::string_view secret = text("SecretAccessKey", true);
  const std::string_view token = text("SessionToken", false);
  const std::string_view expiration = text("Expiration", false);
  std::optional<time_point> expires;
  if (!expiration.empty()) {
    expires = detail::try_parse_iso8601(expiration);
    if (!expires) throw refuse("has an \"Expiration\" that is not an ISO 8601 UTC time");
    if (*expires <= now)
      throw error(errc::credentials_expired, "the credential_process answer expired at " +
                                                 std::string(format_amz_date(*expires).str()));
  }
  return detail::make_credentials(id, secret, token, expires, "the credential_process answer");
}

}  // namespace sigv4

#endif
