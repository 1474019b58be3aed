// sigv4 — a command-line AWS Signature Version 4 signer built on the sigv4 library.
//
//   sigv4 sign --service S --region R [options] < request.txt
//
// reads a raw HTTP/1.1 request on stdin and writes it back signed, either with an
// Authorization header or presigned in its query string.
//
//   sigv4 presign [options] s3://BUCKET/KEY      (or --batch, one per line on stdin)
//   sigv4 verify [options] URL
//
// print a presigned S3 object URL, and check one against the local credentials. Run
// `sigv4 --help` for the commands and `sigv4 <command> --help` for their options.

#include <sigv4/sigv4.hpp>

#include <fmt/core.h>

#include <cerrno>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace {

// ---------------------------------------------------------------------------
// Errors and their exit codes.

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // the request could not be signed (library error, bad input)
constexpr int exit_usage = 2;    // the command line is wrong

/// A mistake on the command line: reported with a pointer to --help, exit 2.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void report_usage_error(std::string_view message, std::string_view help_command) {
  fmt::print(stderr, "sigv4: {} (see '{} --help')\n", message, help_command);
}

void report_error(std::string_view message) { fmt::print(stderr, "sigv4: error: {}\n", message); }

// ---------------------------------------------------------------------------
// The HTTP request read on stdin.

/// A request as read from text: what the signer needs, plus what is only echoed back.
struct parsed_http_request {
  sigv4::http_request request;  ///< method, path, raw query, headers in their order
  std::string version;          ///< "HTTP/1.1", as written
  bool has_question_mark = false;  ///< the target held a '?' (perhaps with an empty query)
  std::string body;             ///< everything after the blank line, byte for byte
};

[[noreturn]] void fail_request(const std::string& what) { throw sigv4::error(sigv4::errc::invalid_request, what); }

/// Returns the line starting at `pos` without its LF or CRLF, and moves `pos` past it.
std::string_view next_line(std::string_view text, std::size_t& pos) {
  std::size_t end = text.find('\n', pos);
  const std::size_t next = end == std::string_view::npos ? text.size() : end + 1;
  if (end == std::string_view::npos) end = text.size();
  std::string_view line = text.substr(pos, end - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos = next;
  return line;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// "METHOD TARGET HTTP/x": the method runs to the first space, the version is the last
/// " HTTP/" word, and the target (which may hold spaces) is everything in between.
void parse_request_line(std::string_view line, parsed_http_request& out) {
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
  const std::size_t question = target.find('?');
  out.request.method.assign(line.substr(0, method_end));
  out.request.path.assign(target.substr(0, question));
  out.request.query.assign(question == std::string_view::npos ? std::string_view{} : target.substr(question + 1));
  out.has_question_mark = question != std::string_view::npos;
  out.version.assign(version);
}

/// A folded line (one starting with a space or tab) continues the previous header's value.
void append_folded_line(std::vector<sigv4::header>& headers, std::string_view line, std::size_t line_number) {
  if (headers.empty())
    fail_request(fmt::format("line {} is a continuation line but no header comes before it", line_number));
  const std::string_view more = trim_blanks(line);
  if (more.empty()) return;
  headers.back().value.push_back(' ');
  headers.back().value.append(more);
}

/// "Name:value": split at the first ':'; the value is kept as written (the library trims it).
void append_header_line(std::vector<sigv4::header>& headers, std::string_view line, std::size_t line_number) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) fail_request(fmt::format("header line {} has no ':'", line_number));
  headers.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
}

/// Parses an HTTP/1.1 request: request line, header lines (LF or CRLF), a blank line, body.
/// @throws sigv4::error errc::invalid_request when the text is not such a request.
parsed_http_request parse_http_request(std::string_view text) {
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
void print_request(const parsed_http_request& r) {
  const sigv4::http_request& req = r.request;
  const bool question_mark = r.has_question_mark || !req.query.empty();
  fmt::print("{} {}{}{} {}\n", req.method, req.path, question_mark ? "?" : "", req.query, r.version);
  for (const sigv4::header& h : req.headers) fmt::print("{}:{}\n", h.name, h.value);
  fmt::print("\n");
  if (!r.body.empty()) {
    std::fflush(stdout);
    if (std::fwrite(r.body.data(), 1, r.body.size(), stdout) != r.body.size())
      throw std::system_error(errno, std::generic_category(), "cannot write to stdout");
  }
}

std::string read_all(std::FILE* in) {
  std::string out;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, in)) > 0) out.append(buffer, n);
  if (std::ferror(in)) fail_request("cannot read the request from stdin");
  return out;
}

// ---------------------------------------------------------------------------
// Command-line arguments.

/// Walks argv, handing out flags and their values ("--name value" or "--name=value").
class arg_reader {
 public:
  arg_reader(int argc, char** argv) : argc_(argc), argv_(argv) {}

  /// Moves to the next argument; false at the end. Splits "--name=value".
  bool next() {
    if (index_ >= argc_) return false;
    const std::string_view arg = argv_[index_++];
    arg_ = arg;
    const std::size_t eq = arg.find('=');
    if (arg.size() > 2 && arg.substr(0, 2) == "--" && eq != std::string_view::npos) {
      flag_ = arg.substr(0, eq);
      inline_value_ = arg.substr(eq + 1);
    } else {
      flag_ = arg;
      inline_value_.reset();
    }
    return true;
  }

  std::string_view flag() const { return flag_; }
  /// The current argument whole, "--name=value" not split (for positional arguments).
  std::string_view arg() const { return arg_; }

  /// The value of the current flag: after its '=' or the next argument.
  std::string value() {
    if (inline_value_) return std::string(*inline_value_);
    if (index_ >= argc_) throw usage_error(fmt::format("option {} needs a value", flag_));
    return argv_[index_++];
  }

  /// For flags without a value: refuses "--flag=value".
  void expect_no_value() const {
    if (inline_value_) throw usage_error(fmt::format("option {} takes no value", flag_));
  }

 private:
  int argc_;
  char** argv_;
  int index_ = 1;  // argv[0] is the command's name
  std::string_view arg_;
  std::string_view flag_;
  std::optional<std::string_view> inline_value_;
};

/// Parses a whole decimal number (an optional '-' and digits). An overflowing number is
/// still a number, but no valid lifetime: it is reported as one.
long long parse_expires(std::string_view text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end != text.data() + text.size() || text.empty() ||
      (ec != std::errc() && ec != std::errc::result_out_of_range))
    throw usage_error(fmt::format("--expires takes a number of seconds, got '{}'", text));
  if (ec == std::errc::result_out_of_range)
    throw sigv4::error(sigv4::errc::invalid_expiry,
                       fmt::format("X-Amz-Expires must be 1 to {} seconds, got {}", sigv4::max_expires_seconds, text));
  return value;
}

// ---------------------------------------------------------------------------
// sigv4 sign

constexpr std::string_view sign_help = R"(usage: sigv4 sign --service S --region R [options] < request.txt

Reads a raw HTTP/1.1 request on stdin (request line, Name:value header lines, a
blank line, the body; LF or CRLF line endings) and writes it to stdout signed
with AWS Signature Version 4: with an Authorization header, or with --presign
in its query string. Every header of the request is signed; Host is required.

Credentials come from the environment: AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN for temporary credentials.

options:
  --service S              the service to sign for (e.g. s3, sts, execute-api); required
  --region R               the region to sign for (e.g. us-east-1); required
  --date YYYYMMDDTHHMMSSZ  the signing time, UTC (default: now)
  --presign                sign in the query string (X-Amz-Signature) instead of
                           adding an Authorization header
  --expires N              with --presign: the URL's lifetime in seconds,
                           1 to 604800 (default: 3600)
  --no-normalize           use the path as it is (S3 rules) instead of normalising
                           '.', '..' and empty segments (every other service)
  --sign-body              sign the SHA-256 of the body; without --presign also add
                           an x-amz-content-sha256 header (default: sign the hash
                           of an empty body)
  --unsigned-payload       sign UNSIGNED-PAYLOAD instead of a body hash; without
                           --presign also add x-amz-content-sha256 (as S3 expects)
  --session-token T        the session token (overrides AWS_SESSION_TOKEN)
  --session-token-after    add the session token after signing, unsigned (some
                           services want this); needs a session token
  --verbose                print the canonical request and the string to sign on
                           stderr
  -h, --help               print this help

exit status: 0 signed, 1 the request could not be signed, 2 a usage error.
)";

/// The `sign` command line, as given.
struct sign_args {
  std::string service;
  std::string region;
  std::optional<std::string> date;
  bool presign = false;
  std::optional<std::string> expires;
  bool no_normalize = false;
  bool sign_body = false;
  bool unsigned_payload = false;
  std::optional<std::string> session_token;
  bool session_token_after = false;
  bool verbose = false;
  bool help = false;
};

/// Reads the flags of `sign`; stops early at --help.
/// @throws usage_error on an unknown flag or a missing value.
sign_args read_sign_flags(int argc, char** argv) {
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
    else if (f == "--expires") a.expires = args.value();
    else if (f == "--session-token") a.session_token = args.value();
    else if (f == "--presign") a.presign = true;
    else if (f == "--no-normalize") a.no_normalize = true;
    else if (f == "--sign-body") a.sign_body = true;
    else if (f == "--unsigned-payload") a.unsigned_payload = true;
    else if (f == "--session-token-after") a.session_token_after = true;
    else if (f == "--verbose") a.verbose = true;
    else if (!f.empty() && f.front() == '-') throw usage_error(fmt::format("unknown option '{}'", f));
    else throw usage_error(fmt::format("unexpected argument '{}'", f));
  }
  return a;
}

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

/// The session token to use: --session-token, else AWS_SESSION_TOKEN (empty: none).
std::string session_token_of(const sign_args& a) {
  return a.session_token ? *a.session_token : env_or_empty("AWS_SESSION_TOKEN");
}

/// Checks the flags that only make sense together.
/// @throws usage_error naming the conflict.
void check_sign_args(const sign_args& a) {
  if (a.service.empty()) throw usage_error("--service is required");
  if (a.region.empty()) throw usage_error("--region is required");
  if (a.expires && !a.presign) throw usage_error("--expires needs --presign");
  if (a.sign_body && a.unsigned_payload) throw usage_error("--sign-body and --unsigned-payload exclude each other");
  if (a.session_token_after && session_token_of(a).empty())
    throw usage_error("--session-token-after needs a session token (--session-token or AWS_SESSION_TOKEN)");
}

/// The signing time: --date, or now.
/// @throws usage_error when --date is not YYYYMMDDTHHMMSSZ.
sigv4::time_point signing_time(const sign_args& a) {
  if (!a.date) return sigv4::clock::now();
  try {
    return sigv4::parse_amz_date(*a.date);
  } catch (const sigv4::error& e) {
    throw usage_error(fmt::format("--date: {}", e.what()));
  }
}

/// Credentials from the environment (and --session-token). The messages name variables,
/// never values.
/// @throws sigv4::error errc::credentials_not_found when a variable is missing.
sigv4::credentials credentials_from_env(const sign_args& a) {
  const std::string key_id = env_or_empty("AWS_ACCESS_KEY_ID");
  if (key_id.empty()) throw sigv4::error(sigv4::errc::credentials_not_found, "AWS_ACCESS_KEY_ID is not set");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (secret == nullptr || *secret == '\0')
    throw sigv4::error(sigv4::errc::credentials_not_found, "AWS_SECRET_ACCESS_KEY is not set");
  return sigv4::credentials(key_id, secret, session_token_of(a));
}

sigv4::signing_options signing_options_of(const sign_args& a, std::string_view body) {
  sigv4::signing_options opt;
  opt.service = a.service;
  opt.region = a.region;
  opt.path = a.no_normalize ? sigv4::path_rules::s3 : sigv4::path_rules::generic;
  if (a.sign_body) {
    opt.payload = sigv4::payload_hash::of(body);
    opt.content_sha256_header = !a.presign;
  } else if (a.unsigned_payload) {
    opt.payload = sigv4::payload_hash::unsigned_payload();
    opt.content_sha256_header = !a.presign;
  } else {
    opt.payload = sigv4::payload_hash::empty();
  }
  opt.token = a.session_token_after ? sigv4::token_placement::added_after_signing
                                    : sigv4::token_placement::signed_in_request;
  if (a.expires) opt.expires = std::chrono::seconds(parse_expires(*a.expires));
  return opt;
}

void print_signing_steps(const sigv4::signing_result& r) {
  fmt::print(stderr, "canonical request:\n{}\n\nstring to sign:\n{}\n", r.canonical_request, r.string_to_sign);
}

/// `sigv4 sign`: signs the request on stdin and prints it.
int cmd_sign(int argc, char** argv) {
  try {
    const sign_args args = read_sign_flags(argc, argv);
    if (args.help) {
      fmt::print("{}", sign_help);
      return exit_ok;
    }
    check_sign_args(args);
    const sigv4::time_point at = signing_time(args);
    const sigv4::credentials creds = credentials_from_env(args);
    parsed_http_request parsed = parse_http_request(read_all(stdin));
    const sigv4::signing_options opt = signing_options_of(args, parsed.body);
    const sigv4::signing_result result = args.presign ? sigv4::presign(parsed.request, creds, opt, at)
                                                      : sigv4::sign_headers(parsed.request, creds, opt, at);
    if (args.verbose) print_signing_steps(result);
    print_request(parsed);
    return exit_ok;
  } catch (const usage_error& e) {
    report_usage_error(e.what(), "sigv4 sign");
    return exit_usage;
  } catch (const sigv4::error& e) {
    report_error(e.what());
    return exit_failure;
  }
}

// ---------------------------------------------------------------------------
// What `presign` and `verify` share: environment defaults, credentials, --header.

/// An environment variable's value; nullopt when it is unset or empty.
std::optional<std::string> env_value(const char* name) { return sigv4::process_env(name); }

/// The region: AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1.
std::string default_region() {
  if (auto r = env_value("AWS_REGION")) return *r;
  if (auto r = env_value("AWS_DEFAULT_REGION")) return *r;
  return "us-east-1";
}

/// Credentials: the profile of the shared file when one is named, else the default chain
/// (environment, then shared file); a session token given on the command line replaces
/// the one found. Messages name variables and files, never values.
/// @throws sigv4::error errc::credentials_not_found, invalid_credentials, invalid_date.
sigv4::credentials load_credentials(const std::optional<std::string>& profile,
                                    const std::optional<std::string>& session_token) {
  sigv4::credentials found = sigv4::default_credentials(profile ? std::string_view(*profile) : std::string_view());
  if (!session_token) return found;
  return sigv4::credentials(found.access_key_id(), found.secret_access_key(), *session_token, found.expiration());
}

/// "Name: value", split at the first ':'; the value is kept as written (the library trims it).
/// @throws usage_error when there is no ':' or no name before it.
sigv4::header parse_header_flag(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    throw usage_error(fmt::format("--header takes 'Name: value', got '{}' (no ':')", text));
  const std::string_view name = trim_blanks(text.substr(0, colon));
  if (name.empty()) throw usage_error(fmt::format("--header takes 'Name: value', got '{}' (no name)", text));
  return {std::string(name), std::string(text.substr(colon + 1))};
}

/// The signing time given with `flag` (YYYYMMDDTHHMMSSZ), or now.
/// @throws usage_error when the text is not such a time.
sigv4::time_point time_flag(const std::optional<std::string>& text, std::string_view flag) {
  if (!text) return sigv4::clock::now();
  try {
    return sigv4::parse_amz_date(*text);
  } catch (const sigv4::error& e) {
    throw usage_error(fmt::format("{}: {}", flag, e.what()));
  }
}

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// ---------------------------------------------------------------------------
// sigv4 presign

constexpr std::string_view presign_help = R"(usage: sigv4 presign [options] s3://BUCKET/KEY
       sigv4 presign --batch [options] < objects.txt

Prints a presigned URL for an S3 (or MinIO, or other S3-compatible) object, and a
newline. Whoever holds the URL can make the request it was signed for (-X) until
it expires, without credentials of their own. KEY is everything after the
bucket's '/', taken literally: it is not decoded, and '+', '%', spaces, a leading
'/', '//' and '..' are all part of the key.

options:
  -X, --method M           GET, PUT, HEAD or DELETE (default: GET)
  --endpoint URL           scheme, host and optional port, no path, e.g.
                           http://127.0.0.1:9000 (default: $AWS_ENDPOINT_URL_S3,
                           else $AWS_ENDPOINT_URL, else https://s3.REGION.amazonaws.com)
  --region R               the region of the signature (default: $AWS_REGION, else
                           $AWS_DEFAULT_REGION, else us-east-1; MinIO: us-east-1
                           unless configured otherwise)
  --expires N              the URL's lifetime in seconds, 1 to 604800 (default: 3600)
  --date YYYYMMDDTHHMMSSZ  the signing time, UTC (default: now)
  --style S                path (scheme://endpoint/BUCKET/KEY), virtual
                           (scheme://BUCKET.endpoint/KEY) or auto: virtual on AWS
                           endpoints when the bucket name allows it, else path
                           (default: auto)
  --header 'Name: value'   a header to sign, e.g. 'Content-Type: image/tiff' for a
                           PUT; repeatable. Every --header is signed: the client
                           must send each one, unchanged, with its request, or the
                           server refuses it (SignatureDoesNotMatch)
  --query 'name=value'     an extra signed query parameter, e.g.
                           'response-content-disposition=attachment; filename=a.txt';
                           split at the first '=', no '=' means an empty value; the
                           value is raw (the tool encodes it); repeatable
  --version-id ID          a version of the object (adds the query versionId=ID)
  --session-token T        the session token to sign with, replacing the one that
                           came with the credentials
  --profile NAME           take the credentials from this profile of the shared
                           credentials file, and from nowhere else
  --batch                  read one s3://BUCKET/KEY per line on stdin (a trailing CR
                           is dropped) and print one URL per line, in order; a bad
                           line (an empty one too) is reported on stderr as
                           'sigv4: line N: ...' and the other lines are still
                           printed. No s3:// argument is given with --batch
  -h, --help               print this help

Sign for the host the clients will use. The Host header is signed, so a URL signed
for an internal name (http://minio.svc:9000) fails with SignatureDoesNotMatch when
it is fetched through a public one (https://files.example.com), even if both names
lead to the same server. Give that public name as --endpoint.

credentials, the first found:
  with --profile NAME: that profile of the shared credentials file, only
  AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN and
    AWS_CREDENTIAL_EXPIRATION for temporary credentials (a URL that would outlive
    them is refused)
  MINIO_ROOT_USER and MINIO_ROOT_PASSWORD
  MINIO_ACCESS_KEY and MINIO_SECRET_KEY
    (each of these variables may instead be given as X_FILE, naming a file that
    holds the value)
  the shared credentials file: $AWS_SHARED_CREDENTIALS_FILE, else
    ~/.aws/credentials; profile $AWS_PROFILE, else default

environment:
  AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL   the default endpoint, in that order
  AWS_REGION, AWS_DEFAULT_REGION          the default region, in that order
  and the credential variables above

exit status: 0 printed; 1 a URL could not be made (with --batch: some line
failed); 2 a usage error.
)";

/// The `presign` command line, as given.
struct presign_args {
  std::optional<std::string> method, endpoint, region, expires, date, style, version_id, session_token, profile;
  std::vector<std::string> headers;  // 'Name: value'
  std::vector<std::string> query;    // 'name=value'
  std::vector<std::string> positionals;
  bool batch = false;
  bool help = false;
};

/// Reads the flags of `presign`; stops early at --help.
/// @throws usage_error on an unknown flag or a missing value.
presign_args read_presign_flags(int argc, char** argv) {
  presign_args a;
  arg_reader args(argc, argv);
  bool only_positionals = false;
  while (args.next()) {
    const std::string_view f = args.flag();
    if (only_positionals || f.empty() || f.front() != '-' || f == "-") {
      a.positionals.emplace_back(args.arg());
      continue;
    }
    if (f == "--help" || f == "-h" || f == "--batch" || f == "--") args.expect_no_value();
    if (f == "--help" || f == "-h") {
      a.help = true;
      return a;
    }
    if (f == "-X" || f == "--method") a.method = args.value();
    else if (f == "--endpoint") a.endpoint = args.value();
    else if (f == "--region") a.region = args.value();
    else if (f == "--expires") a.expires = args.value();
    else if (f == "--date") a.date = args.value();
    else if (f == "--style") a.style = args.value();
    else if (f == "--header") a.headers.push_back(args.value());
    else if (f == "--query") a.query.push_back(args.value());
    else if (f == "--version-id") a.version_id = args.value();
    else if (f == "--session-token") a.session_token = args.value();
    else if (f == "--profile") a.profile = args.value();
    else if (f == "--batch") a.batch = true;
    else if (f == "--") only_positionals = true;
    else throw usage_error(fmt::format("unknown option '{}'", f));
  }
  return a;
}

/// Where an object is: s3://BUCKET/KEY split at the first '/' after the bucket.
struct object_location {
  std::string bucket;
  std::string key;
};

/// Splits "s3://BUCKET/KEY"; the key is taken literally. The bucket and key themselves are
/// checked by the presigner.
/// @throws usage_error when the text is not of that shape.
object_location parse_object_url(std::string_view text) {
  constexpr std::string_view scheme = "s3://";
  if (text.substr(0, scheme.size()) != scheme)
    throw usage_error(fmt::format("'{}' is not an s3://BUCKET/KEY URL (it does not start with s3://)", text));
  const std::string_view rest = text.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos)
    throw usage_error(fmt::format("'{}' has no key: expected s3://BUCKET/KEY, with a '/' after the bucket", text));
  return {std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
}

sigv4::s3::http_method parse_method(std::string_view m) {
  using sigv4::s3::http_method;
  if (m == "GET") return http_method::get;
  if (m == "PUT") return http_method::put;
  if (m == "HEAD") return http_method::head;
  if (m == "DELETE") return http_method::delete_;
  throw usage_error(fmt::format("-X takes GET, PUT, HEAD or DELETE, got '{}'", m));
}

sigv4::s3::addressing_style parse_style(std::string_view s) {
  using sigv4::s3::addressing_style;
  if (s == "path") return addressing_style::path;
  if (s == "virtual") return addressing_style::virtual_hosted;
  if (s == "auto") return addressing_style::automatic;
  throw usage_error(fmt::format("--style takes path, virtual or auto, got '{}'", s));
}

/// Everything a presign run needs, checked; the strings the request's views point into.
struct presign_plan {
  sigv4::s3::http_method method = sigv4::s3::http_method::get;
  std::string endpoint;
  bool default_endpoint = false;
  std::string region;
  std::chrono::seconds expires{3600};
  std::optional<sigv4::time_point> date;
  sigv4::s3::addressing_style style = sigv4::s3::addressing_style::automatic;
  std::vector<sigv4::header> headers;
  std::vector<std::pair<std::string, std::string>> query;
  std::optional<object_location> object;  // without --batch
};

/// Checks the command line and fills in the defaults.
/// @throws usage_error; sigv4::error for an expiry too large to be a number.
presign_plan plan_presign(const presign_args& a) {
  presign_plan p;
  if (a.method) p.method = parse_method(*a.method);
  if (a.style) p.style = parse_style(*a.style);
  if (a.expires) p.expires = std::chrono::seconds(parse_expires(*a.expires));
  if (a.date) p.date = time_flag(a.date, "--date");
  for (const std::string& h : a.headers) p.headers.push_back(parse_header_flag(h));
  for (const std::string& q : a.query) {
    const std::size_t eq = q.find('=');
    const std::string name = q.substr(0, eq);
    if (name.empty()) throw usage_error(fmt::format("--query takes 'name=value', got '{}' (no name)", q));
    p.query.emplace_back(name, eq == std::string::npos ? std::string() : q.substr(eq + 1));
  }
  if (a.version_id) {
    if (a.version_id->empty()) throw usage_error("--version-id needs a version id");
    p.query.emplace_back("versionId", *a.version_id);
  }
  if (a.batch && !a.positionals.empty())
    throw usage_error(fmt::format("--batch reads the objects on stdin; unexpected argument '{}'", a.positionals[0]));
  if (!a.batch) {
    if (a.positionals.empty()) throw usage_error("missing the object, s3://BUCKET/KEY");
    if (a.positionals.size() > 1) throw usage_error(fmt::format("unexpected argument '{}'", a.positionals[1]));
    p.object = parse_object_url(a.positionals[0]);
  }
  p.region = a.region ? *a.region : default_region();
  if (a.endpoint) {
    p.endpoint = *a.endpoint;
  } else if (auto e = env_value("AWS_ENDPOINT_URL_S3")) {
    p.endpoint = *e;
  } else if (auto e2 = env_value("AWS_ENDPOINT_URL")) {
    p.endpoint = *e2;
  } else {
    p.endpoint = "https://s3." + p.region + ".amazonaws.com";
    p.default_endpoint = true;
  }
  return p;
}

/// The presigner of a plan: the one used for every URL of the run.
/// @throws sigv4::error for a bad endpoint or region, or missing or unusable credentials.
std::unique_ptr<sigv4::s3::presigner> make_presigner(const presign_plan& p, const presign_args& a) {
  if (p.default_endpoint) {
    const bool host_label = !p.region.empty() && std::all_of(p.region.begin(), p.region.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!host_label)
      throw sigv4::error(sigv4::errc::invalid_region,
                         fmt::format("region '{}' cannot form the default endpoint https://s3.REGION.amazonaws.com; "
                                     "give --endpoint",
                                     p.region));
  }
  sigv4::credentials creds = load_credentials(a.profile, a.session_token);
  return std::make_unique<sigv4::s3::presigner>(p.endpoint, p.region, std::move(creds), p.style);
}

/// Reads stdin line by line: the line without its LF (and a CR before it). False at the end.
class line_reader {
 public:
  explicit line_reader(std::FILE* in) : in_(in) {}

  bool next(std::string& line) {
    line.clear();
    for (;;) {
      if (pos_ == len_) {
        if (eof_) break;
        len_ = std::fread(buffer_, 1, sizeof buffer_, in_);
        pos_ = 0;
        if (len_ < sizeof buffer_) {
          if (std::ferror(in_)) throw std::system_error(errno, std::generic_category(), "cannot read stdin");
          eof_ = true;
        }
        if (len_ == 0) break;
      }
      const char* start = buffer_ + pos_;
      const void* nl = std::memchr(start, '\n', len_ - pos_);
      if (nl != nullptr) {
        const std::size_t n = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
        line.append(start, n);
        pos_ += n + 1;
        strip_cr(line);
        return true;
      }
      line.append(start, len_ - pos_);
      pos_ = len_;
    }
    // The end of the input: a last line without its LF still counts.
    const bool had_text = !line.empty();
    strip_cr(line);
    return had_text;
  }

 private:
  static void strip_cr(std::string& line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
  }
  std::FILE* in_;
  char buffer_[65536];
  std::size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
};

/// `sigv4 presign`: prints presigned object URLs.
int cmd_presign(int argc, char** argv) {
  try {
    const presign_args args = read_presign_flags(argc, argv);
    if (args.help) {
      fmt::print("{}", presign_help);
      return exit_ok;
    }
    const presign_plan plan = plan_presign(args);
    const std::unique_ptr<sigv4::s3::presigner> presigner = make_presigner(plan, args);
    sigv4::s3::object_request request;
    request.method = plan.method;
    request.expires = plan.expires;
    for (const auto& [name, value] : plan.query) request.query.push_back({name, value});
    for (const sigv4::header& h : plan.headers) request.headers.push_back({h.name, h.value});
    std::string url;
    const auto presign_object = [&](const object_location& where) {
      request.bucket = where.bucket;
      request.key = where.key;
      url.clear();
      presigner->presign(request, plan.date ? *plan.date : sigv4::clock::now(), url);
      url.push_back('\n');
      if (std::fwrite(url.data(), 1, url.size(), stdout) != url.size())
        throw std::system_error(errno, std::generic_category(), "cannot write to stdout");
    };
    if (!args.batch) {
      presign_object(*plan.object);
      return exit_ok;
    }
    line_reader lines(stdin);
    std::string line;
    std::size_t line_number = 0;
    bool failed = false;
    while (lines.next(line)) {
      ++line_number;
      try {
        if (line.empty()) throw usage_error("an empty line; expected s3://BUCKET/KEY");
        presign_object(parse_object_url(line));
      } catch (const usage_error& e) {
        fmt::print(stderr, "sigv4: line {}: {}\n", line_number, e.what());
        failed = true;
      } catch (const sigv4::error& e) {
        fmt::print(stderr, "sigv4: line {}: {}\n", line_number, e.what());
        failed = true;
      }
    }
    return failed ? exit_failure : exit_ok;
  } catch (const usage_error& e) {
    report_usage_error(e.what(), "sigv4 presign");
    return exit_usage;
  } catch (const sigv4::error& e) {
    report_error(e.what());
    return exit_failure;
  }
}

// ---------------------------------------------------------------------------
// sigv4 verify

constexpr std::string_view verify_help = R"(usage: sigv4 verify [options] URL

Checks a presigned URL as an S3 server holding the same credentials would: the
signature, the credential scope (region, service s3, date), the expiry and the
session token. Prints 'valid' and exits 0, or 'invalid: <reason>' and exits 1.
The Host header is taken from the URL; give every other header the client will
send (each signed --header of 'sigv4 presign') with --header.

options:
  -X, --method M           the method of the request (default: GET)
  --now YYYYMMDDTHHMMSSZ   the time of the check, UTC (default: now)
  --header 'Name: value'   a header the client sends; repeatable
  --region R               a region to accept in the credential scope; repeatable
                           (default: $AWS_REGION, else $AWS_DEFAULT_REGION, else
                           us-east-1)
  --session-token T        the session token the URL must carry, replacing the one
                           that came with the credentials
  --profile NAME           take the credentials from this profile of the shared
                           credentials file, and from nowhere else
  --verbose                on stderr, the reason's detail and the parsed parts of the
                           URL (access key id, scope, signing time, expiry, signed
                           headers); never a secret or a signature
  -h, --help               print this help

credentials: as for 'sigv4 presign' (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with
AWS_SESSION_TOKEN, MINIO_ROOT_USER and MINIO_ROOT_PASSWORD, MINIO_ACCESS_KEY and
MINIO_SECRET_KEY, each also as X_FILE; then the shared credentials file). Only URLs
signed with their access key id are known; a session token among them must be in
the URL.

reasons: malformed, unsupported algorithm, unknown access key, credential scope
mismatch, expired, not yet valid, expiry out of range, required header not
signed, signature mismatch, session token mismatch.

exit status: 0 valid; 1 invalid, or the check could not be made (no
credentials); 2 a usage error.
)";

/// The `verify` command line, as given.
struct verify_args {
  std::string method = "GET";
  std::optional<std::string> now, session_token, profile;
  std::vector<std::string> headers;
  std::vector<std::string> regions;
  std::vector<std::string> positionals;
  bool verbose = false;
  bool help = false;
};

/// Reads the flags of `verify`; stops early at --help.
/// @throws usage_error on an unknown flag or a missing value.
verify_args read_verify_flags(int argc, char** argv) {
  verify_args a;
  arg_reader args(argc, argv);
  bool only_positionals = false;
  while (args.next()) {
    const std::string_view f = args.flag();
    if (only_positionals || f.empty() || f.front() != '-' || f == "-") {
      a.positionals.emplace_back(args.arg());
      continue;
    }
    if (f == "--help" || f == "-h" || f == "--verbose" || f == "--") args.expect_no_value();
    if (f == "--help" || f == "-h") {
      a.help = true;
      return a;
    }
    if (f == "-X" || f == "--method") a.method = args.value();
    else if (f == "--now") a.now = args.value();
    else if (f == "--header") a.headers.push_back(args.value());
    else if (f == "--region") a.regions.push_back(args.value());
    else if (f == "--session-token") a.session_token = args.value();
    else if (f == "--profile") a.profile = args.value();
    else if (f == "--verbose") a.verbose = true;
    else if (f == "--") only_positionals = true;
    else throw usage_error(fmt::format("unknown option '{}'", f));
  }
  return a;
}

bool is_host_header(std::string_view name) {
  constexpr std::string_view host = "host";
  if (name.size() != host.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if ((name[i] | 0x20) != host[i]) return false;
  return true;
}

/// On stderr: the reason's detail and the parts parsed, as far as parsing got. The
/// signature and the secret are not among them.
void print_verify_details(const sigv4::verify_result& r) {
  if (!r.detail.empty()) fmt::print(stderr, "detail: {}\n", r.detail);
  const sigv4::verified_parts& p = r.parts;
  if (!p.access_key_id.empty()) fmt::print(stderr, "access key id: {}\n", p.access_key_id);
  if (!p.scope.date.empty() || !p.scope.region.empty()) fmt::print(stderr, "scope: {}\n", p.scope.str());
  if (p.signed_at != sigv4::time_point{}) fmt::print(stderr, "signed at: {}\n", sigv4::format_amz_date(p.signed_at).str());
  if (p.expires_at != sigv4::time_point{})
    fmt::print(stderr, "expires at: {}\n", sigv4::format_amz_date(p.expires_at).str());
  if (!p.signed_headers.empty()) {
    std::string list;
    for (const std::string& h : p.signed_headers) list.append(list.empty() ? "" : ";").append(h);
    fmt::print(stderr, "signed headers: {}\n", list);
  }
}

/// `sigv4 verify`: checks a presigned URL against the local credentials.
int cmd_verify(int argc, char** argv) {
  try {
    const verify_args args = read_verify_flags(argc, argv);
    if (args.help) {
      fmt::print("{}", verify_help);
      return exit_ok;
    }
    if (args.method.empty() || !std::all_of(args.method.begin(), args.method.end(), is_token_char))
      throw usage_error(fmt::format("-X takes an HTTP method, got '{}'", args.method));
    std::vector<sigv4::header> headers;
    for (const std::string& h : args.headers) headers.push_back(parse_header_flag(h));
    for (const sigv4::header& h : headers)
      if (is_host_header(h.name))
        throw usage_error("the Host header is taken from the URL; do not give it with --header");
    if (args.positionals.empty()) throw usage_error("missing the URL to verify");
    if (args.positionals.size() > 1) throw usage_error(fmt::format("unexpected argument '{}'", args.positionals[1]));
    const sigv4::time_point now = time_flag(args.now, "--now");
    sigv4::verify_options options;
    options.regions = args.regions.empty() ? std::vector<std::string>{default_region()} : args.regions;
    options.services = {"s3"};
    const sigv4::credentials creds = load_credentials(args.profile, args.session_token);
    const sigv4::verifier check(
        [creds](std::string_view access_key_id) -> std::optional<sigv4::key_entry> {
          if (access_key_id != creds.access_key_id()) return std::nullopt;
          return sigv4::key_entry{sigv4::secret_string(creds.secret_access_key()), creds.session_token()};
        },
        std::move(options));
    const sigv4::verify_result result = check.verify_presigned_url(args.method, args.positionals[0], headers, now);
    if (result.valid())
      fmt::print("valid\n");
    else
      fmt::print("invalid: {}\n", sigv4::to_string(result.reason));
    if (args.verbose) print_verify_details(result);
    return result.valid() ? exit_ok : exit_failure;
  } catch (const usage_error& e) {
    report_usage_error(e.what(), "sigv4 verify");
    return exit_usage;
  } catch (const sigv4::error& e) {
    report_error(e.what());
    return exit_failure;
  }
}

// ---------------------------------------------------------------------------
// Subcommands.

struct command {
  std::string_view name;
  int (*run)(int argc, char** argv);  // argv[0] is the command's name
  std::string_view summary;
};

constexpr command commands[] = {
    {"sign", cmd_sign, "sign an HTTP request read on stdin (Authorization header or presigned query)"},
    {"presign", cmd_presign, "print a presigned S3 object URL (s3://BUCKET/KEY), or one per line with --batch"},
    {"verify", cmd_verify, "check a presigned S3 URL against the local credentials"},
};

const command* find_command(std::string_view name) {
  for (const command& c : commands)
    if (c.name == name) return &c;
  return nullptr;
}

void print_main_help() {
  fmt::print("usage: sigv4 <command> [options]\n\nAWS Signature Version 4 signing from the command line.\n\ncommands:\n");
  for (const command& c : commands) fmt::print("  {:<10}{}\n", c.name, c.summary);
  fmt::print("\n  sigv4 <command> --help   options of a command\n");
  fmt::print("  sigv4 --version          print the version\n");
  fmt::print("  sigv4 --help             print this help\n");
}

/// `sigv4 help [command]`.
int cmd_help(int argc, char** argv) {
  if (argc < 2) {
    print_main_help();
    return exit_ok;
  }
  const command* c = find_command(argv[1]);
  if (c == nullptr) {
    report_usage_error(fmt::format("unknown command '{}'", argv[1]), "sigv4");
    return exit_usage;
  }
  char help_flag[] = "--help";
  char* help_argv[] = {argv[1], help_flag, nullptr};
  return c->run(2, help_argv);
}

int run_main(int argc, char** argv) {
  if (argc < 2) {
    report_usage_error("no command given", "sigv4");
    return exit_usage;
  }
  const std::string_view first = argv[1];
  if (first == "help" || first == "--help" || first == "-h") return cmd_help(argc - 1, argv + 1);
  if (first == "--version") {
    fmt::print("sigv4 {}\n", sigv4::version_string);
    return exit_ok;
  }
  if (const command* c = find_command(first)) return c->run(argc - 1, argv + 1);
  report_usage_error(fmt::format("unknown command '{}'", first), "sigv4");
  return exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int status = run_main(argc, argv);
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      report_error("cannot write to stdout");
      return exit_failure;
    }
    return status;
  } catch (const std::exception& e) {
    report_error(e.what());
    return exit_failure;
  }
}
