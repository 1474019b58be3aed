// sigv4 verify — checks a presigned S3 URL against the local credentials:
//
//   sigv4 verify [options] URL
#ifndef SIGV4_CLI_VERIFY_HPP
#define SIGV4_CLI_VERIFY_HPP

#include "common.hpp"
#include "sign.hpp"  // parse_http_request, read_all

#include <sigv4/sigv4.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigv4_cli {

inline constexpr std::string_view verify_help = R"(usage: sigv4 verify [options] URL
       sigv4 verify --request - [options] < request.txt

Checks a presigned URL as an S3 server holding the same credentials would: the
signature, the credential scope (region, service s3, date), the expiry and the
session token. Prints 'valid' and exits 0, or 'invalid: <reason>' and exits 1.
The URL must start with http:// or https:// and carry no user info. The Host
header is taken from the URL (its host lower-cased, without the default port);
give every other header the client will send (each signed --header of 'sigv4
presign') with --header. An x-amz-* header that the URL does not sign is refused
('unsigned header'), as S3 refuses it.

options:
  -X, --method M           the method of the request (default: GET)
  --now YYYYMMDDTHHMMSSZ   the time of the check, UTC (default: now)
  --request -              check the raw HTTP request on stdin instead of a URL (as
                           'sigv4 sign' reads one): signed with an Authorization
                           header, or presigned in its query; its method, headers
                           and body are used (-X and --header are not taken)
  --service S              a service to accept in the credential scope; repeatable
                           (default: s3). Without s3 the path is checked as other
                           services sign it, and the payload is the hash of the
                           body (of an empty body for a URL); with s3, a
                           header-signed request's x-amz-content-sha256
  --max-skew DURATION      how far X-Amz-Date may be from now (header-signed: either
                           way; presigned: in the future), e.g. 900 or 15m
                           (default: 15m)
  --header 'Name: value'   a header the client sends; repeatable
  --region R               a region to accept in the credential scope; repeatable
                           (default: $AWS_REGION, else $AWS_DEFAULT_REGION, else
                           the profile's region, else us-east-1)
  --session-token T        the session token the URL must carry, replacing the one
                           that came with the credentials
  --profile NAME           the profile, as for 'sigv4 presign': its credentials
                           and region
  --output FORMAT          text (default: 'valid' or 'invalid: <reason>') or json:
                           {"valid": true} or {"valid": false, "reason": "..."}
  --verbose                on stderr, the reason's detail and the parsed parts of the
                           URL (access key id, scope, signing time, expiry, signed
                           headers); never a secret or a signature
  -h, --help               print this help

credentials: as for 'sigv4 presign' (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with
AWS_SESSION_TOKEN, MINIO_ROOT_USER and MINIO_ROOT_PASSWORD, MINIO_ACCESS_KEY and
MINIO_SECRET_KEY, each also as X_FILE; then the shared credentials file). Only URLs
signed with their access key id are known; a session token among them must be in
the URL.

reasons: malformed, unsupported algorithm (SigV2 URLs too), unknown access key,
credential scope mismatch, expired, not yet valid, expiry out of range, required
header not signed, signed header missing, unsigned header, signature mismatch,
session token mismatch. --verbose says why.

exit status: 0 valid; 1 invalid, or the check could not be made (no
credentials); 2 a usage error.
)";

/// The `verify` command line, as given.
struct verify_args {
  url_command_flags common;  // -X, --now, --header, --region, --session-token, --profile
  bool verbose = false;
  std::optional<std::string> request;  // --request -: a raw HTTP request on stdin
  std::vector<std::string> services;   // --service, repeatable
  std::optional<std::string> max_skew;
};

/// Reads the flags of `verify`; stops early at --help.
/// @throws usage_error on an unknown flag or a missing value.
inline verify_args read_verify_flags(int argc, char** argv) {
  verify_args a;
  read_url_command_flags(argc, argv, "--now", a.common, [&a](arg_reader& args, std::string_view f) {
    if (f == "--request") a.request = args.value();
    else if (f == "--service") a.services.push_back(args.value());
    else if (f == "--max-skew") a.max_skew = args.value();
    else if (f == "--verbose") {
      args.expect_no_value();
      a.verbose = true;
    } else {
      return false;
    }
    return true;
  });
  return a;
}

inline bool is_host_header(std::string_view name) {
  constexpr std::string_view host = "host";
  if (name.size() != host.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if ((name[i] | 0x20) != host[i]) return false;
  return true;
}

/// On stderr: the reason's detail and the parts parsed, as far as parsing got. The
/// signature and the secret are not among them.
inline void print_verify_details(const sigv4::verify_result& r) {
  if (!r.detail.empty()) fmt::print(stderr, "detail: {}\n", r.detail);
  const sigv4::verified_parts& p = r.parts;
  if (!p.access_key_id().empty()) fmt::print(stderr, "access key id: {}\n", p.access_key_id());
  if (!p.scope_text().empty()) fmt::print(stderr, "scope: {}\n", p.scope_text());
  if (p.signed_at() != sigv4::time_point{}) fmt::print(stderr, "signed at: {}\n", sigv4::format_amz_date(p.signed_at()).str());
  if (p.expires_at() != sigv4::time_point{})
    fmt::print(stderr, "expires at: {}\n", sigv4::format_amz_date(p.expires_at()).str());
  if (!p.signed_header_list().empty()) fmt::print(stderr, "signed headers: {}\n", p.signed_header_list());
}

/// `sigv4 verify`: checks a presigned URL against the local credentials.
inline int cmd_verify(int argc, char** argv) {
  return run_command("sigv4 verify", [&] {
    const verify_args args = read_verify_flags(argc, argv);
    const url_command_flags& c = args.common;
    if (print_help_if(c.help, verify_help)) return exit_ok;
    parse_output(c.output);  // a bad --output is a usage error before anything else
    const std::string method = c.method.value_or("GET");
    if (method.empty() || !std::all_of(method.begin(), method.end(), is_token_char))
      throw usage_error(fmt::format("-X takes an HTTP method, got '{}'", method));
    const std::vector<sigv4::header> headers = parse_header_flags(c.headers);
    for (const sigv4::header& h : headers)
      if (is_host_header(h.name))
        throw usage_error("the Host header is taken from the URL; do not give it with --header");
    if (args.request && *args.request != "-") throw usage_error("--request takes '-' (the request is read on stdin)");
    if (args.request && !c.positionals.empty())
      throw usage_error(fmt::format("--request - reads the request on stdin; unexpected argument '{}'", c.positionals[0]));
    if (args.request && (c.method || !headers.empty()))
      throw usage_error("with --request -, the method and the headers are those of the request read");
    if (!args.request && c.positionals.empty()) throw usage_error("missing the URL to verify (or --request -)");
    if (c.positionals.size() > 1) throw usage_error(fmt::format("unexpected argument '{}'", c.positionals[1]));
    const sigv4::time_point now = time_flag(c.time, "--now");
    const active_profile profile = load_profile(c.profile);
    sigv4::verify_options options;
    options.regions = c.regions.empty() ? std::vector<std::string>{default_region(profile)} : c.regions;
    options.services = args.services.empty() ? std::vector<std::string>{"s3"} : args.services;
    const bool s3 = std::find(options.services.begin(), options.services.end(), "s3") != options.services.end();
    if (!s3) {
      // Other services sign the path as sent (normalised) and the payload's hash in presigned
      // URLs too (of an empty body for a URL).
      options.path = sigv4::path_rules::generic;
      options.presigned_payload = sigv4::payload_hash::empty();
    }
    if (args.max_skew) {
      const long long skew = parse_expires(*args.max_skew, "--max-skew");
      if (skew <= 0 || skew > 7 * 86400) throw usage_error("--max-skew must be 1 s to 7 days");
      options.max_clock_skew = std::chrono::seconds(skew);
    }
    const sigv4::credentials creds = load_credentials(profile, c.session_token);
    const sigv4::verifier check(
        [creds](std::string_view access_key_id) -> std::optional<sigv4::key_entry> {
          if (access_key_id != creds.access_key_id()) return std::nullopt;
          return sigv4::key_entry{sigv4::secret_string(creds.secret_access_key()), creds.session_token()};
        },
        std::move(options));
    sigv4::verify_result result;
    if (args.request) {
      const parsed_http_request req = parse_http_request(read_all(stdin));
      sigv4::http_request r = req.request;
      for (sigv4::header& h : r.headers) h.value = std::string(trim_blanks(h.value));  // "Name: value" as received
      const std::string target = r.path + (req.has_question_mark || !r.query.empty() ? "?" + r.query : "");
      const bool authorization = std::any_of(r.headers.begin(), r.headers.end(), [](const sigv4::header& h) {
        return sigv4::detail::iequals(h.name, "authorization");
      });
      // S3 trusts x-amz-content-sha256; other services the hash of the body received.
      const std::optional<sigv4::payload_hash> payload =
          s3 ? std::nullopt : std::optional<sigv4::payload_hash>(sigv4::payload_hash::of(req.body));
      result = authorization ? check.verify_signed_request(r.method, target, r.headers, payload, now)
                             : check.verify_presigned(r.method, target, r.headers, now);
    } else {
      result = check.verify_presigned_url(method, c.positionals[0], headers, now);
    }
    print_verdict(parse_output(c.output), result.valid(), sigv4::to_string(result.reason));
    if (args.verbose) print_verify_details(result);
    return result.valid() ? exit_ok : exit_failure;
  });
}

}  // namespace sigv4_cli

#endif
