// sigv4 sign — signs a raw HTTP/1.1 request read on stdin:
//
//   sigv4 sign --service S [--region R] [options] < request.txt
//
// and writes it back signed, either with an Authorization header or presigned in its query
// string.
#ifndef SIGV4_CLI_SIGN_HPP
#define SIGV4_CLI_SIGN_HPP

#include "common.hpp"

#include <sigv4/sigv4.hpp>

#include <fmt/core.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace sigv4_cli {

// ---------------------------------------------------------------------------
// The HTTP request read on stdin.

/// A request as read from text: what the signer needs, plus what is only echoed back.
struct parsed_http_request {
  sigv4::http_request request;  ///< method, path, raw query, headers in their order
  std::string version;          ///< "HTTP/1.1", as written
  bool has_question_mark = false;  ///< the target held a '?' (perhaps with an empty query)
  std::string body;             ///< everything after the blank line, byte for byte
};

[[noreturn]] inline void fail_request(const std::string& what) {
  throw sigv4::error(sigv4::errc::invalid_request, what);
}

/// Returns the line starting at `pos` without its LF or CRLF, and moves `pos` past it.
inline std::string_view next_line(std::string_view text, std::size_t& pos) {
  std::size_t end = text.find('\n', pos);
  const std::size_t next = end == std::string_view::npos ? text.size() : end + 1;
  if (end == std::string_view::npos) end = text.size();
  std::string_view line = text.substr(pos, end - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos = next;
  return line;
}

/// "METHOD TARGET HTTP/x": the method runs to the first space, the version is the last
/// " HTTP/" word, and the target (which may hold spaces) is everything in between.
inline void parse_request_line(std::string_view line, parsed_http_request& out) {
  if (line.empty()) fail_request("the request line is empty");
  const std::size_t method_end = line.find(' ');
  const std::size_t version_at = line.rfind(" HTTP/");
  if (method_end == std::string_view::npos || version_at == std::string_view::npos)
    fail_request("the request line is not 'METHOD TARGET HTTP/1.1'");
  if (version_at <= method_end) fail_request("the request line has no target");
  const std::string_view version = line.substr(version_at + 1);
  if (version.find_first_of(" \t") != std::string_view::npos)
    fail_request("the request line does not end with the HTTP version");
  const std::string_view target = line.substr(method_end + 1, version_at - method_end - 1);
  if (target.empty() || target.front() != '/')
    fail_request("the request target does not start with '/' (an origin-form target such as /path?query is needed)");
  const std::size_t question = target.find('?');
  out.request.method.assign(line.substr(0, method_end));
  out.request.path.assign(target.substr(0, question));
  out.request.query.assign(question == std::string_view::npos ? std::string_view{} : target.substr(question + 1));
  out.has_question_mark = question != std::string_view::npos;
  out.version.assign(version);
}

/// A folded line (one starting with a space or tab) continues the previous header's value.
inline void append_folded_line(std::vector<sigv4::header>& headers, std::string_view line, std::size_t line_number) {
  if (headers.empty())
    fail_request(fmt::format("line {} is a continuation line but no header comes before it", line_number));
  const std::string_view more = trim_blanks(line);
  if (more.empty()) return;
  headers.back().value.push_back(' ');
  headers.back().value.append(more);
}

/// "Name:value": split at the first ':'; the value is kept as written (the library trims it).
inline void append_header_line(std::vector<sigv4::header>& headers, std::string_view line, std::size_t line_number) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) fail_request(fmt::format("header line {} has no ':'", line_number));
  headers.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
}

/// Parses an HTTP/1.1 request: request line, header lines (LF or CRLF), a blank line, body.
/// @throws sigv4::error errc::invalid_request when the text is not such a request.
inline parsed_http_request parse_http_request(std::string_view text) {
  if (text.empty()) fail_request("no request on stdin");
  parsed_http_request out;
  std::size_t pos = 0;
  parse_request_line(next_line(text, pos), out);
  std::size_t line_number = 1;
  while (pos < text.size()) {
    const std::string_view line = next_line(text, pos);
    ++line_number;
    if (line.empty()) {
      out.body.assign(text.substr(pos));
      break;
    }
    if (is_blank(line.front()))
      append_folded_line(out.request.headers, line, line_number);
    else
      append_header_line(out.request.headers, line, line_number);
  }
  return out;
}

/// Writes a request in the format parse_http_request reads.
inline void print_request(const parsed_http_request& r) {
  const sigv4::http_request& req = r.request;
  const bool question_mark = r.has_question_mark || !req.query.empty();
  fmt::print("{} {}{}{} {}\n", req.method, req.path, question_mark ? "?" : "", req.query, r.version);
  for (const sigv4::header& h : req.headers) fmt::print("{}:{}\n", h.name, h.value);
  fmt::print("\n");
  if (!r.body.empty()) {
    std::fflush(stdout);
    write_stdout(r.body);
  }
}

/// The signed request as one JSON object: method, target (path and query, as sent), the
/// headers in order as [name, value] pairs, the body, and the signature's parts.
inline std::string request_as_json(const parsed_http_request& r, const sigv4::signing_result& result) {
  const sigv4::http_request& req = r.request;
  const bool question_mark = r.has_question_mark || !req.query.empty();
  sigv4::detail::json_writer w(false);
  w.open('{');
  w.member("method");
  w.string(req.method);
  w.member("target");
  w.string(req.path + (question_mark ? "?" : "") + req.query);
  w.member("headers");
  w.open('[');
  for (const sigv4::header& h : req.headers) {
    w.element();
    w.string_array({h.name, std::string(trim_blanks(h.value))});
  }
  w.close(']');
  w.member("body");
  w.string(sigv4::detail::is_valid_utf8(r.body) ? std::string_view(r.body) : std::string_view());
  w.member("credential");
  w.string(result.credential);
  w.member("signed_headers");
  w.string(result.signed_headers);
  w.member("signature");
  w.string(result.signature);
  w.close('}');
  std::string out = w.take();
  out.push_back('\n');
  return out;
}

inline std::string read_all(std::FILE* in) {
  std::string out;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, in)) > 0) out.append(buffer, n);
  if (std::ferror(in)) fail_request("cannot read the request from stdin");
  return out;
}

// ---------------------------------------------------------------------------
// sigv4 sign

inline constexpr std::string_view sign_help = R"(usage: sigv4 sign --service S [--region R] [options] < request.txt

Reads a raw HTTP/1.1 request on stdin (request line, Name:value header lines, a
blank line, the body; LF or CRLF line endings) and writes it to stdout signed
with AWS Signature Version 4: with an Authorization header, or with --presign
in its query string. Every header of the request is signed, but those of
--unsigned-header (and with --presign the defaults listed there); Host is
required.

The query of the request line is read as S3 and MinIO read a received query: '+'
is a space (write %2B for a plus), and a value is everything after the first '='.

Credentials: as for 'sigv4 presign' (--profile NAME, the AWS and MinIO
variables with AWS_SESSION_TOKEN, each also as X_FILE, the shared credentials
file, the profile's credential_process, its keys in the config file). The
region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's, us-east-1.

options:
  --service S              the service to sign for (e.g. s3, sts, execute-api); required
  --region R               the region to sign for (default: $AWS_REGION, else
                           $AWS_DEFAULT_REGION, else the profile's region, else
                           us-east-1)
  --date YYYYMMDDTHHMMSSZ  the signing time, UTC (default: now)
  --presign                sign in the query string (X-Amz-Signature) instead of
                           adding an Authorization header; for --service s3 the
                           payload line is UNSIGNED-PAYLOAD (as S3 and MinIO
                           expect of a presigned URL) unless --sign-body is given
  --expires N              (or --expires-in) with --presign: the URL's lifetime,
                           1 to 604800 seconds, or a duration such as 90s, 15m,
                           12h, 7d or 1h30m (default: 3600)
  --no-normalize           S3 rules: the request line's path, as sent (percent-
                           encoded), is decoded and signed as the object path,
                           never normalised, encoded once (/b/my%20file.txt signs
                           as /b/my%20file.txt); the request line is printed
                           unchanged. Without it the path is normalised ('.',
                           '..' and empty segments) and encoded again (every
                           other service)
  --sign-body              sign the SHA-256 of the body; --service s3 without
                           --presign also adds an x-amz-content-sha256 header
                           (other services get none, as botocore signs them;
                           write the header into the request to send it)
                           (default: sign the hash of an empty body, or
                           UNSIGNED-PAYLOAD for --presign --service s3)
  --unsigned-payload       sign UNSIGNED-PAYLOAD instead of a body hash; without
                           --presign also add x-amz-content-sha256 (as S3 expects);
                           excludes --sign-body
  --payload-hash HEX       sign this SHA-256 (64 hex digits) as the payload line, for
                           a body sent separately; --service s3 without --presign
                           also adds x-amz-content-sha256. Excludes --sign-body and
                           --unsigned-payload
  --unsigned-header NAME   leave this header out of the signature (it is still
                           printed); repeatable. With --presign these are unsigned
                           by default: user-agent, expect, x-amzn-trace-id and the
                           hop-by-hop headers (connection, keep-alive,
                           proxy-authenticate, proxy-authorization,
                           proxy-connection, te, trailer, transfer-encoding,
                           upgrade)
  --session-token T        the session token (overrides AWS_SESSION_TOKEN)
  --session-token-after    add the session token after signing, unsigned (some
                           services want this); needs a session token
  --profile NAME           the credentials of this profile, as for 'sigv4 presign'
  --output FORMAT          text (default: the signed request) or json: {"method",
                           "target", "headers": [[name, value]...], "body",
                           "credential", "signed_headers", "signature"}
  --verbose                print the canonical request and the string to sign on
                           stderr (with <session token> in place of the token)
  -h, --help               print this help

exit status: 0 signed, 1 the request could not be signed, 2 a usage error.
)";

/// The `sign` command line, as given.
struct sign_args {
  std::string service;
  std::optional<std::string> region;  // --region; else the environment, the profile, us-east-1
  std::optional<std::string> date;
  bool presign = false;
  std::optional<std::string> expires;
  std::string expires_flag = "--expires";  // as written: --expires or --expires-in
  bool no_normalize = false;
  bool sign_body = false;
  bool unsigned_payload = false;
  std::optional<std::string> payload_hash;   // --payload-hash HEX
  std::vector<std::string> unsigned_headers;  // --unsigned-header NAME, repeatable
  std::optional<std::string> session_token, profile;
  bool session_token_after = false;
  bool verbose = false;
  bool help = false;
  std::optional<std::string> output;  // --output text|json
};

/// Reads the flags of `sign`; stops early at --help.
/// @throws usage_error on an unknown flag or a missing value.
inline sign_args read_sign_flags(int argc, char** argv) {
  sign_args a;
  arg_reader args(argc, argv);
  while (args.next()) {
    const std::string_view f = args.flag();
    const bool switch_flag = f == "--presign" || f == "--no-normalize" || f == "--sign-body" ||
                             f == "--unsigned-payload" || f == "--session-token-after" || f == "--verbose" ||
                             f == "--help" || f == "-h";
    if (switch_flag) args.expect_no_value();
    if (f == "--help" || f == "-h") {
      a.help = true;
      return a;
    }
    if (f == "--service") a.service = args.value();
    else if (f == "--region") a.region = args.value();
    else if (f == "--date") a.date = args.value();
    else if (f == "--expires" || f == "--expires-in") {
      a.expires = args.value();
      a.expires_flag = std::string(f);
    }
    else if (f == "--session-token") a.session_token = args.value();
    else if (f == "--output") a.output = args.value();
    else if (f == "--profile") a.profile = args.value();
    else if (f == "--payload-hash") a.payload_hash = args.value();
    else if (f == "--unsigned-header") a.unsigned_headers.push_back(args.value());
    else if (f == "--presign") a.presign = true;
    else if (f == "--no-normalize") a.no_normalize = true;
    else if (f == "--sign-body") a.sign_body = true;
    else if (f == "--unsigned-payload") a.unsigned_payload = true;
    else if (f == "--session-token-after") a.session_token_after = true;
    else if (f == "--verbose") a.verbose = true;
    else throw unknown_argument(f);
  }
  return a;
}

/// Checks the flags that only make sense together.
/// @throws usage_error naming the conflict.
inline void check_sign_args(const sign_args& a) {
  if (a.service.empty()) throw usage_error("--service is required");
  if (a.region && a.region->empty()) throw usage_error("--region needs a region");
  if (a.expires && !a.presign) throw usage_error(fmt::format("{} needs --presign", a.expires_flag));
  if (a.sign_body && a.unsigned_payload) throw usage_error("--sign-body and --unsigned-payload exclude each other");
  if (a.payload_hash && (a.sign_body || a.unsigned_payload))
    throw usage_error("--payload-hash excludes --sign-body and --unsigned-payload");
  for (const std::string& name : a.unsigned_headers)
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
      throw usage_error(fmt::format("--unsigned-header takes a header name, got '{}'", name));
}

inline sigv4::signing_options signing_options_of(const sign_args& a, std::string_view body) {
  sigv4::signing_options opt;
  opt.service = a.service;
  opt.region = *a.region;  // resolved by cmd_sign
  opt.path = a.no_normalize ? sigv4::path_rules::s3 : sigv4::path_rules::generic;
  if (a.payload_hash) {
    try {
      opt.payload = sigv4::payload_hash::precomputed(*a.payload_hash);
    } catch (const sigv4::error&) {
      throw usage_error(fmt::format("--payload-hash takes 64 hex digits (a SHA-256), got '{}'", *a.payload_hash));
    }
    opt.content_sha256_header = !a.presign && a.service == "s3";
  } else if (a.sign_body) {
    opt.payload = sigv4::payload_hash::of(body);
    opt.content_sha256_header = !a.presign && a.service == "s3";  // botocore: S3SigV4Auth only
  } else if (a.unsigned_payload) {
    opt.payload = sigv4::payload_hash::unsigned_payload();
    opt.content_sha256_header = !a.presign;
  } else if (a.presign && a.service == "s3") {
    opt.payload = sigv4::payload_hash::unsigned_payload();  // what S3 and MinIO check a presigned URL with
  } else {
    opt.payload = sigv4::payload_hash::empty();
  }
  opt.token = a.session_token_after ? sigv4::token_placement::added_after_signing
                                    : sigv4::token_placement::signed_in_request;
  if (a.expires) opt.expires = std::chrono::seconds(parse_expires(*a.expires, a.expires_flag));
  return opt;
}

/// Prints the canonical request and the string to sign on stderr, the session token (raw in a
/// header, encoded in a query) replaced by <session token>: no --verbose line holds a secret.
inline void print_signing_steps(const sigv4::signing_result& r, const std::string& token) {
  std::string canonical = r.canonical_request;
  constexpr std::string_view hidden = "<session token>";
  if (!token.empty()) {
    for (const std::string& t : {token, sigv4::detail::uri_encode(token, sigv4::detail::encode_set::component)})
      for (std::size_t at = canonical.find(t); at != std::string::npos; at = canonical.find(t, at + hidden.size()))
        canonical.replace(at, t.size(), hidden);
  }
  fmt::print(stderr, "canonical request:\n{}\n\nstring to sign:\n{}\n", canonical, r.string_to_sign);
}

/// The request as the signer sees it under S3 rules: the path of the request line is what was
/// sent on the wire, percent-encoded, while path_rules::s3 takes the object path itself, so it
/// is decoded first ('+' stays a plus in a path).
/// @throws sigv4::error errc::invalid_path on a '%' not followed by two hex digits.
inline sigv4::http_request with_decoded_path(const sigv4::http_request& wire) {
  sigv4::http_request r = wire;
  r.path.clear();
  if (!sigv4::detail::append_uri_decoded(r.path, wire.path))
    throw sigv4::error(sigv4::errc::invalid_path, "the request path has a '%' not followed by two hex digits");
  return r;
}

/// Signs `parsed` (its headers or its query get the signature) and returns the steps.
/// Headers a presigned URL leaves unsigned by default: what clients and proxies add or change
/// on the way (as botocore leaves user-agent, expect and x-amzn-trace-id out), and the
/// hop-by-hop headers (RFC 9110, 7.6.1).
inline constexpr std::string_view presign_unsigned_defaults[] = {
    "user-agent", "expect", "x-amzn-trace-id", "connection", "keep-alive", "proxy-authenticate",
    "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"};

/// Takes the headers to leave unsigned (--unsigned-header, and the defaults with --presign)
/// out of `headers`, with their positions, so that they can be put back after signing.
inline std::vector<std::pair<std::size_t, sigv4::header>> take_unsigned_headers(std::vector<sigv4::header>& headers,
                                                                               const sign_args& a) {
  const auto is_unsigned = [&](std::string_view name) {
    for (const std::string& u : a.unsigned_headers)
      if (sigv4::detail::iequals(u, name)) return true;
    if (a.presign)
      for (std::string_view d : presign_unsigned_defaults)
        if (sigv4::detail::iequals(d, name)) return true;
    return false;
  };
  std::vector<std::pair<std::size_t, sigv4::header>> taken;
  std::vector<sigv4::header> kept;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (is_unsigned(headers[i].name)) taken.emplace_back(i, std::move(headers[i]));
    else kept.push_back(std::move(headers[i]));
  }
  headers = std::move(kept);
  return taken;
}

/// Puts the unsigned headers back where they were (signing appends after them).
inline void put_back_unsigned_headers(std::vector<sigv4::header>& headers,
                                      std::vector<std::pair<std::size_t, sigv4::header>>& taken) {
  for (auto& [at, h] : taken)
    headers.insert(headers.begin() + static_cast<std::ptrdiff_t>(std::min(at, headers.size())), std::move(h));
}

/// Header mode through sigv4::signer (the cached signer a program signing many requests
/// uses; here it signs one), with the steps asked for (--verbose, --output json).
inline sigv4::signing_result sign_headers_with_signer(sigv4::http_request& req, const sigv4::credentials& creds,
                                                      const sigv4::signing_options& opt, sigv4::time_point at) {
  const sigv4::signer s(creds, opt.region, opt.service, {opt.path, opt.content_sha256_header, opt.token});
  return s.sign_headers(req, opt.payload, at).result();
}

/// Signs `parsed` (its headers or its query get the signature) and returns the steps.
inline sigv4::signing_result sign_signed_part(parsed_http_request& parsed, const sign_args& args,
                                              const sigv4::credentials& creds, sigv4::time_point at) {
  const sigv4::signing_options opt = signing_options_of(args, parsed.body);
  if (!args.no_normalize)
    return args.presign ? sigv4::presign(parsed.request, creds, opt, at)
                        : sign_headers_with_signer(parsed.request, creds, opt, at);
  sigv4::http_request decoded = with_decoded_path(parsed.request);
  const sigv4::signing_result r = args.presign ? sigv4::presign(decoded, creds, opt, at)
                                               : sign_headers_with_signer(decoded, creds, opt, at);
  parsed.request.query = std::move(decoded.query);  // the path stays as it was sent
  parsed.request.headers = std::move(decoded.headers);
  return r;
}

/// Signs `parsed` (its headers or its query get the signature) and returns the steps; the
/// unsigned headers stay in the request, unsigned.
inline sigv4::signing_result sign_parsed(parsed_http_request& parsed, const sign_args& args,
                                         const sigv4::credentials& creds, sigv4::time_point at) {
  auto taken = take_unsigned_headers(parsed.request.headers, args);
  sigv4::signing_result r = sign_signed_part(parsed, args, creds, at);
  put_back_unsigned_headers(parsed.request.headers, taken);
  return r;
}

/// `sigv4 sign`: signs the request on stdin and prints it.
inline int cmd_sign(int argc, char** argv) {
  return run_command("sigv4 sign", [&] {
    sign_args args = read_sign_flags(argc, argv);
    if (print_help_if(args.help, sign_help)) return exit_ok;
    check_sign_args(args);
    const output_format output = parse_output(args.output);
    const sigv4::time_point at = time_flag(args.date, "--date");
    const active_profile profile = load_profile(args.profile);
    if (!args.region) args.region = default_region(profile);  // flag > environment > profile > us-east-1
    const sigv4::credentials creds = load_credentials(profile, args.session_token);
    if (args.session_token_after && creds.session_token().empty())
      throw usage_error("--session-token-after needs a session token (--session-token, AWS_SESSION_TOKEN or the "
                        "profile's)");
    parsed_http_request parsed = parse_http_request(read_all(stdin));
    const sigv4::signing_result result = sign_parsed(parsed, args, creds, at);
    if (args.verbose) print_signing_steps(result, std::string(creds.session_token()));
    if (output == output_format::json) {
      if (!sigv4::detail::is_valid_utf8(parsed.body))
        throw usage_error("--output json cannot hold a body that is not UTF-8; use --output text");
      write_stdout(request_as_json(parsed, result));
    } else {
      print_request(parsed);
    }
    return exit_ok;
  });
}

}  // namespace sigv4_cli

#endif
