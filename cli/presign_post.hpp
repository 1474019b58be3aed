// sigv4 presign-post and sigv4 verify-post — browser upload forms (S3 POST Object):
//
//   sigv4 presign-post [options] s3://BUCKET/KEY    prints a signed form (json, curl or html)
//   sigv4 verify-post [options] < form.json         checks a received form's fields
#ifndef SIGV4_CLI_PRESIGN_POST_HPP
#define SIGV4_CLI_PRESIGN_POST_HPP

#include "common.hpp"
#include "presign.hpp"

#include <sigv4/detail/json.hpp>
#include <sigv4/detail/url.hpp>
#include <sigv4/post_policy.hpp>
#include <sigv4/sigv4.hpp>

#include <fmt/core.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace sigv4_cli {

inline constexpr std::string_view presign_post_help = R"(usage: sigv4 presign-post [options] s3://BUCKET/KEY

Prints a signed S3 POST form (browser upload, "POST Object" with a SigV4 POST
policy): where to post it and its fields. Whoever holds the form can upload one
file under its conditions until it expires. KEY is taken literally; with
--key-prefix it is the prefix every key must start with, and the form's key field
is KEY${filename} (S3 puts the uploaded file's name there).

options:
  --endpoint URL           (or --endpoint-url) as for 'sigv4 presign' (default: $AWS_ENDPOINT_URL_S3,
                           else $AWS_ENDPOINT_URL, else https://s3.REGION.amazonaws.com)
  --region R               the region of the signature (default: $AWS_REGION, else
                           $AWS_DEFAULT_REGION, else the profile's region, else
                           us-east-1)
  --expires SECONDS        (or --expires-in) the policy's lifetime, 1 to 604800
                           seconds, or a duration as for 'sigv4 presign' (default: 3600)
  --date YYYYMMDDTHHMMSSZ  the signing time, UTC (default: now)
  --style path|virtual|auto  the form's action URL, as for 'sigv4 presign' (default: auto)
  --session-token T        the session token to sign with
  --profile NAME           the profile, as for 'sigv4 presign' (credentials, region, endpoint)
  --key-prefix             KEY is a starts-with prefix; the key field is KEY${filename}
  --content-type T         the form sends Content-Type T (an exact condition)
  --content-type-prefix P  Content-Type must start with P (filled in by the uploader)
  --min-size BYTES         content-length-range: the file has at least BYTES (default 0)
  --max-size BYTES         content-length-range: the file has at most BYTES (default
                           5 GiB when only --min-size is given)
  --success-status N       success_action_status 200, 201 or 204
  --redirect URL           success_action_redirect: where S3 sends the browser after
                           the upload
  --field 'name=value'     a field the form sends with this value (an exact
                           condition), e.g. 'x-amz-meta-job=42'; repeatable
  --condition-prefix 'name=prefix'
                           the field 'name' must start with 'prefix' ("" allows any
                           value); repeatable
  --format json|curl|html  json (default): {"url": "...", "fields": {...}} with the
                           fields in form order; curl: a curl command with -F for each
                           field and -F file=@FILE last; html: a minimal upload page
  --output FORMAT          text (the --format chosen) or json (--format json only)
  -h, --help               print this help

The fields come in form order: key, policy, x-amz-algorithm, x-amz-credential,
x-amz-date, x-amz-security-token (temporary credentials), x-amz-signature, then
Content-Type, success_action_redirect, the --field fields and success_action_status.
The file must be the LAST part of the form: S3 ignores fields after it. Fields
limited by a prefix only (--content-type-prefix, --condition-prefix) are not in the
json fields; curl and html put them in with the prefix as their value, to be edited.

credentials: as for 'sigv4 presign'.

exit status: 0 printed; 1 the form could not be made; 2 a usage error.
)";

inline constexpr std::string_view verify_post_help = R"(usage: sigv4 verify-post [options] < form.json

Checks a received POST form as S3 would: reads on stdin one JSON object of the
shape 'sigv4 presign-post' prints, plus the size of the file part,
  {"url": "...", "fields": {"key": "...", "policy": "...", ...}, "size": N}
and checks the signature (in constant time), the credential scope, the policy's
expiry, every condition of the policy, that every field is covered by one
(except x-amz-signature, file, policy and x-ignore-* fields), and the file size
against content-length-range. Prints 'valid' and exits 0, or 'invalid: <reason>'
and exits 1. The bucket is the URL's first path segment (path style), else the
first label of its host (virtual-hosted style).

options:
  --now YYYYMMDDTHHMMSSZ   the time of the check, UTC (default: now)
  --region R               a region to accept in the credential scope; repeatable
                           (default: $AWS_REGION, else $AWS_DEFAULT_REGION, else the
                           profile's region, else us-east-1)
  --session-token T        the session token forms must carry
  --profile NAME           the profile, as for 'sigv4 presign' (credentials, region)
  --output FORMAT          text (default: 'valid' or 'invalid: <reason>') or json:
                           {"valid": true} or {"valid": false, "reason": "..."}
  --verbose                the reason's detail on stderr (never a secret or a signature)
  -h, --help               print this help

reasons: malformed, unsupported algorithm, unknown access key, credential scope
mismatch, signature mismatch, session token mismatch, malformed policy, expired,
condition failed, field not in policy, size out of range.

exit status: 0 valid; 1 invalid, or the check could not be made; 2 a usage error.
)";

// ---------------------------------------------------------------------------
// presign-post

/// The `presign-post` command line, as given.
struct presign_post_args {
  url_command_flags common;  // --date, --region, --session-token, --profile, positionals
  std::optional<std::string> endpoint, expires, style, content_type, content_type_prefix, min_size, max_size,
      success_status, redirect;
  std::string expires_flag = "--expires";  // as written: --expires or --expires-in
  std::string format = "json";
  std::vector<std::string> fields, condition_prefixes;  // 'name=value'
  bool key_prefix = false;
};

/// Reads the flags of `presign-post`; stops early at --help.
/// @throws usage_error on an unknown flag or a missing value.
inline presign_post_args read_presign_post_flags(int argc, char** argv) {
  presign_post_args a;
  read_url_command_flags(argc, argv, "--date", a.common, [&a](arg_reader& args, std::string_view f) {
    if (f == "--expires" || f == "--expires-in") a.expires_flag = std::string(f);
    std::optional<std::string>* slot = f == "--endpoint"              ? &a.endpoint
                                       : f == "--endpoint-url"        ? &a.endpoint
                                       : f == "--expires"             ? &a.expires
                                       : f == "--expires-in"          ? &a.expires
                                       : f == "--style"               ? &a.style
                                       : f == "--content-type"        ? &a.content_type
                                       : f == "--content-type-prefix" ? &a.content_type_prefix
                                       : f == "--min-size"            ? &a.min_size
                                       : f == "--max-size"            ? &a.max_size
                                       : f == "--success-status"      ? &a.success_status
                                       : f == "--redirect"            ? &a.redirect
                                                                      : nullptr;
    if (slot) *slot = args.value();
    else if (f == "--field") a.fields.push_back(args.value());
    else if (f == "--condition-prefix") a.condition_prefixes.push_back(args.value());
    else if (f == "--format") a.format = args.value();
    else if (f == "--key-prefix") {
      args.expect_no_value();
      a.key_prefix = true;
    } else {
      return false;
    }
    return true;
  });
  // -X and --header belong to presign and verify, not here.
  if (a.common.method) throw unknown_argument("-X");
  if (!a.common.headers.empty()) throw unknown_argument("--header");
  return a;
}

/// 'name=value' split at the first '='. @throws usage_error without '=' or a name.
inline sigv4::s3::post_field parse_name_value(std::string_view flag, std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw usage_error(fmt::format("{} takes 'name=value', got '{}'", flag, text));
  return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

/// A size in bytes: digits only. @throws usage_error otherwise.
inline std::uint64_t parse_size_flag(std::string_view flag, std::string_view text) {
  long long v = 0;
  if (text.empty() || text.front() == '-' || parse_whole_number(text, v) != number_text::number)
    throw usage_error(fmt::format("{} takes a number of bytes, got '{}'", flag, text));
  return static_cast<std::uint64_t>(v);
}

/// The policy the flags describe (bucket and key from `where`).
/// @throws usage_error for contradictory or malformed flags.
inline sigv4::s3::post_policy plan_post_policy(const presign_post_args& a, const presign_plan& p) {
  using sigv4::s3::post_match;
  if (a.content_type && a.content_type_prefix)
    throw usage_error("--content-type and --content-type-prefix exclude each other");
  if (a.success_status && a.redirect) throw usage_error("--success-status and --redirect exclude each other");
  sigv4::s3::post_policy policy;
  policy.bucket = p.object->bucket;
  policy.key = p.object->key;
  policy.key_is_prefix = a.key_prefix;
  policy.expires = p.expires;
  if (a.content_type) policy.fields.push_back({"Content-Type", *a.content_type});
  if (a.redirect) policy.fields.push_back({"success_action_redirect", *a.redirect});
  for (const std::string& f : a.fields) policy.fields.push_back(parse_name_value("--field", f));
  if (a.content_type_prefix) policy.conditions.push_back({"Content-Type", post_match::starts_with, *a.content_type_prefix});
  for (const std::string& c : a.condition_prefixes) {
    sigv4::s3::post_field nv = parse_name_value("--condition-prefix", c);
    policy.conditions.push_back({std::move(nv.name), post_match::starts_with, std::move(nv.value)});
  }
  if (a.min_size || a.max_size) {
    sigv4::s3::content_length_range range;
    if (a.min_size) range.min = parse_size_flag("--min-size", *a.min_size);
    if (a.max_size) range.max = parse_size_flag("--max-size", *a.max_size);
    policy.size = range;
  }
  if (a.success_status) {
    long long v = 0;
    if (parse_whole_number(*a.success_status, v) != number_text::number || (v != 200 && v != 201 && v != 204))
      throw usage_error(fmt::format("--success-status takes 200, 201 or 204, got '{}'", *a.success_status));
    policy.success_action_status = static_cast<int>(v);
  }
  return policy;
}

/// The fields a form must still get from the uploader: those limited only by a prefix.
inline std::vector<sigv4::s3::post_field> prefix_only_fields(const sigv4::s3::post_policy& policy) {
  std::vector<sigv4::s3::post_field> out;
  for (const auto& c : policy.conditions) {
    bool set = sigv4::detail::iequals(c.field, "key");
    for (const auto& f : policy.fields) set = set || sigv4::detail::iequals(f.name, c.field);
    for (const auto& o : out) set = set || sigv4::detail::iequals(o.name, c.field);
    if (!set) out.push_back({c.field, c.value});
  }
  return out;
}

/// {"url":"...","fields":{...}} on one line.
inline std::string form_as_json(const sigv4::s3::post_form& form) {
  sigv4::detail::json_writer w(false);
  w.open('{');
  w.member("url");
  w.string(form.url);
  w.member("fields");
  w.open('{');
  for (const auto& f : form.fields) {
    w.member(f.name);
    w.string(f.value);
  }
  w.close('}');
  w.close('}');
  std::string out = w.take();
  out.push_back('\n');
  return out;
}

/// A curl command: one -F per field (--form-string when curl would read the value as a file
/// or a type: a leading '@' or '<', or a ';'), then -F file=@FILE, then the URL.
inline std::string form_as_curl(const sigv4::s3::post_form& form, const std::vector<sigv4::s3::post_field>& extra) {
  std::string out = "curl";
  const auto add = [&out](const sigv4::s3::post_field& f) {
    const bool literal = !f.value.empty() && (f.value[0] == '@' || f.value[0] == '<' || f.value.find(';') != std::string::npos);
    out += literal ? " \\\n  --form-string " : " \\\n  -F ";
    out += shell_quote(f.name + "=" + f.value);
  };
  for (const auto& f : form.fields) add(f);
  for (const auto& f : extra) add(f);
  out += " \\\n  -F file=@FILE \\\n  " + shell_quote(form.url) + "\n";
  return out;
}

/// Text for an HTML attribute value in double quotes.
inline std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

/// A minimal self-contained upload page: hidden fields, text inputs for the prefix-limited
/// ones, the file input last.
inline std::string form_as_html(const sigv4::s3::post_form& form, const std::vector<sigv4::s3::post_field>& extra) {
  std::string out =
      "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>Upload</title></head>\n<body>\n"
      "<form action=\"" + html_escape(form.url) + "\" method=\"post\" enctype=\"multipart/form-data\">\n";
  for (const auto& f : form.fields)
    out += "  <input type=\"hidden\" name=\"" + html_escape(f.name) + "\" value=\"" + html_escape(f.value) + "\">\n";
  for (const auto& f : extra)
    out += "  <label>" + html_escape(f.name) + " <input type=\"text\" name=\"" + html_escape(f.name) + "\" value=\"" +
           html_escape(f.value) + "\"></label><br>\n";
  out += "  <input type=\"file\" name=\"file\">\n  <input type=\"submit\" value=\"Upload\">\n</form>\n</body>\n</html>\n";
  return out;
}

/// `sigv4 presign-post`: prints a signed POST form.
inline int cmd_presign_post(int argc, char** argv) {
  return run_command("sigv4 presign-post", [&] {
    const presign_post_args args = read_presign_post_flags(argc, argv);
    if (print_help_if(args.common.help, presign_post_help)) return exit_ok;
    if (args.format != "json" && args.format != "curl" && args.format != "html")
      throw usage_error(fmt::format("--format takes json, curl or html, got '{}'", args.format));
    if (parse_output(args.common.output) == output_format::json && args.format != "json")
      throw usage_error(fmt::format("--output json and --format {} exclude each other", args.format));
    // The endpoint, region, style, expiry, date and object rules are those of presign.
    presign_args as_presign;
    as_presign.common = args.common;
    as_presign.endpoint = args.endpoint;
    as_presign.expires = args.expires;
    as_presign.expires_flag = args.expires_flag;
    as_presign.style = args.style;
    const presign_plan plan = plan_presign(as_presign);
    const sigv4::s3::post_policy policy = plan_post_policy(args, plan);
    const std::unique_ptr<sigv4::s3::presigner> presigner = make_presigner(plan, as_presign);
    const sigv4::s3::post_form form =
        sigv4::s3::presign_post(*presigner, policy, plan.date ? *plan.date : sigv4::clock::now());
    if (args.format == "json") write_stdout(form_as_json(form));
    else if (args.format == "curl") write_stdout(form_as_curl(form, prefix_only_fields(policy)));
    else write_stdout(form_as_html(form, prefix_only_fields(policy)));
    return exit_ok;
  });
}

// ---------------------------------------------------------------------------
// verify-post

/// The `verify-post` command line, as given.
struct verify_post_args {
  url_command_flags common;  // --now, --region, --session-token, --profile
  bool verbose = false;
};

/// Reads the flags of `verify-post`; stops early at --help.
/// @throws usage_error on an unknown flag, a missing value or an argument.
inline verify_post_args read_verify_post_flags(int argc, char** argv) {
  verify_post_args a;
  read_url_command_flags(argc, argv, "--now", a.common, [&a](arg_reader& args, std::string_view f) {
    if (f != "--verbose") return false;
    args.expect_no_value();
    a.verbose = true;
    return true;
  });
  if (a.common.method) throw unknown_argument("-X");
  if (!a.common.headers.empty()) throw unknown_argument("--header");
  if (!a.common.positionals.empty() && !a.common.help)
    throw usage_error(fmt::format("unexpected argument '{}' (the form is read on stdin)", a.common.positionals[0]));
  return a;
}

/// All of stdin. @throws std::system_error when it cannot be read.
inline std::string read_all_stdin() {
  std::string text;
  char buffer[65536];
  for (;;) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, stdin);
    text.append(buffer, n);
    if (n < sizeof buffer) break;
  }
  if (std::ferror(stdin)) throw std::system_error(errno, std::generic_category(), "cannot read stdin");
  return text;
}

/// A form as presign-post prints it, plus the file's size.
struct received_form {
  std::string bucket;
  std::vector<sigv4::s3::post_field> fields;
  std::uint64_t size = 0;
};

/// The bucket a form is posted to: the first path segment of its URL (path style), else the
/// first label of its host (virtual-hosted style).
/// @throws usage_error for a URL that is not http(s) or names no bucket.
inline std::string bucket_of_form_url(std::string_view url) {
  sigv4::detail::url_parts parts;
  if (const char* why = sigv4::detail::parse_http_url(url, parts)) throw usage_error(fmt::format("the form's url {}", why));
  std::string_view path = parts.target.substr(0, parts.target.find('?'));
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  const std::string_view bucket = !path.empty() ? path.substr(0, path.find('/')) : std::string_view(parts.host).substr(0, parts.host.find('.'));
  if (bucket.empty() || (parts.is_ip_literal && path.empty())) throw usage_error("the form's url names no bucket");
  return std::string(bucket);
}

/// Reads {"url": "...", "fields": {"name": "value", ...}, "size": N}.
/// @throws usage_error for any other shape.
inline received_form parse_received_form(std::string_view text) {
  using type = sigv4::detail::json_value::type;
  sigv4::detail::json_value doc;
  sigv4::detail::json_limits limits;
  limits.max_size = std::size_t{1} << 20;
  limits.max_depth = 4;
  if (const char* why = sigv4::detail::parse_json(text, doc, limits)) throw usage_error(fmt::format("stdin: {}", why));
  const auto* url = doc.kind == type::object ? doc.find("url") : nullptr;
  const auto* fields = doc.kind == type::object ? doc.find("fields") : nullptr;
  const auto* size = doc.kind == type::object ? doc.find("size") : nullptr;
  if (!url || url->kind != type::string || !fields || fields->kind != type::object || !size ||
      size->kind != type::integer || size->number < 0)
    throw usage_error("stdin must hold {\"url\": \"...\", \"fields\": {\"name\": \"value\", ...}, \"size\": N}");
  received_form form;
  form.bucket = bucket_of_form_url(url->text);
  form.size = static_cast<std::uint64_t>(size->number);
  for (std::size_t i = 0; i < fields->items.size(); ++i) {
    if (fields->items[i].kind != type::string) throw usage_error("stdin: every field's value must be a string");
    form.fields.push_back({fields->names[i], fields->items[i].text});
  }
  return form;
}

/// `sigv4 verify-post`: checks a received POST form against the local credentials.
inline int cmd_verify_post(int argc, char** argv) {
  return run_command("sigv4 verify-post", [&] {
    const verify_post_args args = read_verify_post_flags(argc, argv);
    const url_command_flags& c = args.common;
    if (print_help_if(c.help, verify_post_help)) return exit_ok;
    const output_format output = parse_output(c.output);
    const sigv4::time_point now = time_flag(c.time, "--now");
    const received_form form = parse_received_form(read_all_stdin());
    sigv4::s3::post_verify_options options;
    const active_profile profile = load_profile(c.profile);
    options.regions = c.regions.empty() ? std::vector<std::string>{default_region(profile)} : c.regions;
    const sigv4::credentials creds = load_credentials(profile, c.session_token);
    const sigv4::s3::post_verifier check(
        [creds](std::string_view access_key_id) -> std::optional<sigv4::key_entry> {
          if (access_key_id != creds.access_key_id()) return std::nullopt;
          return sigv4::key_entry{sigv4::secret_string(creds.secret_access_key()), creds.session_token()};
        },
        std::move(options));
    const sigv4::s3::post_check_result result = check.verify(form.bucket, form.fields, form.size, now);
    print_verdict(output, result.valid(), sigv4::s3::to_string(result.reason));
    if (args.verbose && !result.detail.empty()) fmt::print(stderr, "detail: {}\n", result.detail);
    return result.valid() ? exit_ok : exit_failure;
  });
}

}  // namespace sigv4_cli

#endif
