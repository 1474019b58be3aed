// sigv4 — a command-line AWS Signature Version 4 signer built on the sigv4 library.
//
//   sigv4 sign --service S --region R [options] < request.txt
//
// reads a raw HTTP/1.1 request on stdin and writes it back signed, either with an
// Authorization header or presigned in its query string. Run `sigv4 --help` for the
// commands and `sigv4 sign --help` for the options.

#include <sigv4/sigv4.hpp>

#include <fmt/core.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
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
// Subcommands.

struct command {
  std::string_view name;
  int (*run)(int argc, char** argv);  // argv[0] is the command's name
  std::string_view summary;
};

constexpr command commands[] = {
    {"sign", cmd_sign, "sign an HTTP request read on stdin (Authorization header or presigned query)"},
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
