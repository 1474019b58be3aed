// What every command of the `sigv4` tool shares: exit codes, error reports, the argument
// reader, and the flags and defaults that more than one command reads (--header, --date and
// --now, --expires, credentials, region and endpoint).
//
// Included once, by cli/main.cpp (through the command headers beside this one).
#ifndef SIGV4_CLI_COMMON_HPP
#define SIGV4_CLI_COMMON_HPP

#include "credential_process.hpp"

#include <sigv4/aws_config.hpp>
#include <sigv4/sigv4.hpp>

#include <fmt/core.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace sigv4_cli {

// ---------------------------------------------------------------------------
// Errors and their exit codes.

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;  // the input was refused (library error, bad input)
inline constexpr int exit_usage = 2;    // the command line is wrong

/// A mistake on the command line: reported with a pointer to --help, exit 2.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline void report_usage_error(std::string_view message, std::string_view help_command) {
  fmt::print(stderr, "sigv4: {} (see '{} --help')\n", message, help_command);
}

inline void report_error(std::string_view message) { fmt::print(stderr, "sigv4: error: {}\n", message); }

/// Runs a command's body and turns its errors into reports and exit codes: a usage_error
/// into exit 2 with a pointer to `help_command --help`, a sigv4::error into exit 1. Any
/// other exception is left to main.
template <class Body>
int run_command(std::string_view help_command, Body&& body) {
  try {
    return std::forward<Body>(body)();
  } catch (const usage_error& e) {
    report_usage_error(e.what(), help_command);
    return exit_usage;
  } catch (const sigv4::error& e) {
    report_error(e.what());
    return exit_failure;
  }
}

/// Writes `data` to stdout as it is.
/// @throws std::system_error when it cannot be written.
inline void write_stdout(std::string_view data) {
  if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size())
    throw std::system_error(errno, std::generic_category(), "cannot write to stdout");
}

/// Prints a command's help on stdout when it was asked for; returns whether it was.
inline bool print_help_if(bool asked, std::string_view help) {
  if (asked) fmt::print("{}", help);
  return asked;
}

// ---------------------------------------------------------------------------
// Text.

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// A character of an HTTP token (RFC 9110), e.g. of a method.
inline bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

/// A word for a POSIX shell, in single quotes.
inline std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

/// A time as RFC 3339 in UTC, whole seconds: 2013-05-25T00:00:00Z.
inline std::string rfc3339(sigv4::time_point t) {
  const std::string d(sigv4::format_amz_date(t).str());  // YYYYMMDDTHHMMSSZ
  return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) + "T" + d.substr(9, 2) + ":" + d.substr(11, 2) +
         ":" + d.substr(13, 2) + "Z";
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

/// The usage error for an argument no command knows: an unknown option when it starts
/// with '-', else an unexpected argument.
inline usage_error unknown_argument(std::string_view flag) {
  if (!flag.empty() && flag.front() == '-') return usage_error(fmt::format("unknown option '{}'", flag));
  return usage_error(fmt::format("unexpected argument '{}'", flag));
}

// ---------------------------------------------------------------------------
// Flag values more than one command reads.

/// What parse_whole_number made of a text.
enum class number_text { number, overflow, not_a_number };

/// A whole decimal number: an optional '-' and digits, nothing else. An overflowing number is
/// still a number (number_text::overflow), but `value` is not set then.
inline number_text parse_whole_number(std::string_view text, long long& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || end != text.data() + text.size()) return number_text::not_a_number;
  if (ec == std::errc::result_out_of_range) return number_text::overflow;
  return ec == std::errc() ? number_text::number : number_text::not_a_number;
}

/// The lifetime given with `flag` (--expires or --expires-in), in seconds: a number of
/// seconds ("900"), or a duration as `mc share --expire` takes it: whole numbers with a unit,
/// d, h, m or s, largest first and each unit at most once ("90s", "15m", "12h", "7d",
/// "1h30m", "1d12h"). A number too large to hold is no valid lifetime and is reported as one;
/// the library checks the range of the others.
/// @throws usage_error naming `flag` when the text is neither; sigv4::error errc::invalid_expiry.
inline long long parse_expires(std::string_view text, std::string_view flag = "--expires") {
  const auto bad = [&] {
    return usage_error(fmt::format("{} takes seconds (900) or a duration such as 90s, 15m, 12h, 7d or 1h30m, got '{}'",
                                   flag, text));
  };
  const auto too_large = [&] {
    return sigv4::error(sigv4::errc::invalid_expiry,
                        fmt::format("X-Amz-Expires must be 1 to {} seconds, got {}", sigv4::max_expires_seconds, text));
  };
  long long value = 0;
  const number_text parsed = parse_whole_number(text, value);
  if (parsed == number_text::overflow) throw too_large();
  if (parsed == number_text::number) return value;
  constexpr std::string_view units = "dhms";
  constexpr long long unit_seconds[] = {86400, 3600, 60, 1};
  constexpr long long cap = 1LL << 40;  // far above any lifetime, far below overflow
  std::size_t next_unit = 0;            // units must come largest first, each once
  long long total = 0;
  std::string_view rest = text;
  if (rest.empty()) throw bad();
  while (!rest.empty()) {
    std::size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 0 || digits == rest.size()) throw bad();
    const std::size_t unit = units.find(rest[digits], next_unit);
    if (unit == std::string_view::npos) throw bad();
    long long amount = 0;
    if (parse_whole_number(rest.substr(0, digits), amount) != number_text::number || amount > cap) throw too_large();
    total += amount * unit_seconds[unit];
    if (total > cap) throw too_large();
    next_unit = unit + 1;
    rest.remove_prefix(digits + 1);
  }
  return total;
}

/// What --output asks for: text (the default) or json.
enum class output_format { text, json };

/// @throws usage_error for anything but text or json.
inline output_format parse_output(const std::optional<std::string>& text) {
  if (!text || *text == "text") return output_format::text;
  if (*text == "json") return output_format::json;
  throw usage_error(fmt::format("--output takes text or json, got '{}'", *text));
}

/// A check's verdict on stdout: "valid" or "invalid: <reason>", or the same as JSON.
inline void print_verdict(output_format output, bool valid, std::string_view reason) {
  if (output == output_format::text) {
    if (valid) write_stdout("valid\n");
    else write_stdout(fmt::format("invalid: {}\n", reason));
    return;
  }
  write_stdout(valid ? fmt::format("{{\"valid\":true}}\n") : fmt::format("{{\"valid\":false,\"reason\":\"{}\"}}\n", reason));
}

/// The time given with `flag` (--date or --now, YYYYMMDDTHHMMSSZ), or now.
/// @throws usage_error when the text is not such a time.
inline sigv4::time_point time_flag(const std::optional<std::string>& text, std::string_view flag) {
  if (!text) return sigv4::clock::now();
  try {
    return sigv4::parse_amz_date(*text);
  } catch (const sigv4::error& e) {
    throw usage_error(fmt::format("{}: {}", flag, e.what()));
  }
}

/// "Name: value", split at the first ':'; the value is kept as written (the library trims it).
/// @throws usage_error when there is no ':' or no name before it.
inline sigv4::header parse_header_flag(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    throw usage_error(fmt::format("--header takes 'Name: value', got '{}' (no ':')", text));
  const std::string_view name = trim_blanks(text.substr(0, colon));
  if (name.empty()) throw usage_error(fmt::format("--header takes 'Name: value', got '{}' (no name)", text));
  return {std::string(name), std::string(text.substr(colon + 1))};
}

/// Every --header, in order. @throws usage_error at the first bad one.
inline std::vector<sigv4::header> parse_header_flags(const std::vector<std::string>& texts) {
  std::vector<sigv4::header> out;
  for (const std::string& h : texts) out.push_back(parse_header_flag(h));
  return out;
}

// ---------------------------------------------------------------------------
// Environment defaults and credentials (presign and verify).

/// An environment variable's value; nullopt when it is unset or empty.
inline std::optional<std::string> env_value(const char* name) { return sigv4::process_env(name); }

/// The profile of the AWS config file in use: --profile, else AWS_PROFILE, else default;
/// its settings are empty when the file (AWS_CONFIG_FILE, else ~/.aws/config) does not exist.
struct active_profile {
  bool named = false;  // by --profile
  std::string config_path;
  sigv4::aws_profile config;
  // The profile's aws_access_key_id / aws_secret_access_key / aws_session_token in the config
  // file, or why they are unusable (reported only when the chain gets that far, as botocore).
  std::optional<sigv4::credentials> config_credentials;
  std::optional<sigv4::error> config_credentials_error;
};

/// Reads the config file and resolves the profile.
/// @throws sigv4::error when the file exists but cannot be read, or the profile names a
///         services section the file lacks.
inline active_profile load_profile(const std::optional<std::string>& flag) {
  active_profile p;
  p.named = flag.has_value();
  const std::string name = flag ? *flag : env_value("AWS_PROFILE").value_or("default");
  p.config.name = name;
  if (auto f = env_value("AWS_CONFIG_FILE")) p.config_path = *f;
  else if (auto home = env_value("HOME")) p.config_path = *home + "/.aws/config";
  else return p;
  if (p.config_path.compare(0, 2, "~/") == 0)
    if (auto home = env_value("HOME")) p.config_path.replace(0, 1, *home);
  sigv4::detail::scrubbed text;
  if (const int err = sigv4::detail::read_file(p.config_path, text)) {
    if (err == ENOENT) return p;
    throw sigv4::error(sigv4::errc::invalid_argument, fmt::format("cannot read the config file '{}': {}", p.config_path,
                                                                  sigv4::detail::os_reason(err)));
  }
  try {
    p.config = sigv4::resolve_aws_profile(text.view(), name);
  } catch (const sigv4::error& e) {
    throw sigv4::error(sigv4::errc::invalid_argument,
                       fmt::format("{} (config file '{}')", sigv4::detail::error_detail(e), p.config_path));
  }
  try {
    p.config_credentials = sigv4::credentials_from_aws_config(text.view(), name);
  } catch (const sigv4::error& e) {
    p.config_credentials_error.emplace(static_cast<sigv4::errc>(e.code().value()),
                                       fmt::format("{} '{}'", sigv4::detail::error_detail(e), p.config_path));
  }
  return p;
}

/// The region: AWS_REGION, else AWS_DEFAULT_REGION, else the profile's, else us-east-1.
inline std::string default_region(const active_profile& profile) {
  if (auto r = env_value("AWS_REGION")) return *r;
  if (auto r = env_value("AWS_DEFAULT_REGION")) return *r;
  if (!profile.config.region.empty()) return profile.config.region;
  return "us-east-1";
}

/// The S3 endpoint the environment or the profile names: AWS_ENDPOINT_URL_S3, else
/// AWS_ENDPOINT_URL, else the profile's (its services section's s3 endpoint_url, else its
/// endpoint_url); nullopt when none is set. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores
/// them all, as the AWS CLI does.
inline std::optional<std::string> configured_endpoint(const active_profile& profile) {
  if (auto ignore = env_value("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"); ignore && sigv4::detail::iequals(*ignore, "true"))
    return std::nullopt;
  if (auto e = env_value("AWS_ENDPOINT_URL_S3")) return e;
  if (auto e = env_value("AWS_ENDPOINT_URL")) return e;
  if (!profile.config.endpoint_url.empty()) return profile.config.endpoint_url;
  return std::nullopt;
}

/// The AWS endpoint of S3 in a region.
inline std::string default_s3_endpoint(const std::string& region) { return "https://s3." + region + ".amazonaws.com"; }

/// How long a credential_process may take: SIGV4_CREDENTIAL_PROCESS_TIMEOUT (seconds or a
/// duration such as 30s), else 60 seconds.
/// @throws usage_error for a bad value.
inline std::chrono::milliseconds credential_process_timeout() {
  const auto text = env_value("SIGV4_CREDENTIAL_PROCESS_TIMEOUT");
  if (!text) return std::chrono::seconds(60);
  const long long seconds = parse_expires(*text, "SIGV4_CREDENTIAL_PROCESS_TIMEOUT");
  if (seconds <= 0 || seconds > 3600) throw usage_error("SIGV4_CREDENTIAL_PROCESS_TIMEOUT must be 1 s to 1 h");
  return std::chrono::seconds(seconds);
}

/// Credentials, the first found, in botocore's order: the environment (not with --profile),
/// the profile's keys in the shared credentials file (profile --profile, else AWS_PROFILE, else
/// default), its credential_process, then its aws_access_key_id / aws_secret_access_key in the
/// config file. A session token given on the command line replaces the one found.
/// Messages name variables and files, never values.
/// @throws sigv4::error errc::credentials_not_found, invalid_credentials, invalid_date,
///         credentials_expired.
inline sigv4::credentials load_credentials(const active_profile& profile,
                                           const std::optional<std::string>& session_token) {
  const std::string& name = profile.config.name;
  const auto found = [&]() -> sigv4::credentials {
    try {
      return profile.named ? sigv4::credentials_from_shared_file(name) : sigv4::default_credentials();
    } catch (const sigv4::error& e) {
      if (e.code() != sigv4::make_error_code(sigv4::errc::credentials_not_found)) throw;
      if (!profile.config.credential_process.empty())
        return credentials_from_process(profile.config.credential_process, name, credential_process_timeout(),
                                        sigv4::clock::now());
      if (profile.config_credentials_error) throw *profile.config_credentials_error;
      if (profile.config_credentials) return *profile.config_credentials;
      if (profile.named && !profile.config.found)
        throw sigv4::error(sigv4::errc::credentials_not_found,
                           fmt::format("{}; nor is it in the config file '{}'", sigv4::detail::error_detail(e),
                                       profile.config_path));
      throw;
    }
  }();
  if (!session_token) return found;
  return sigv4::credentials(found.access_key_id(), found.secret_access_key(), *session_token, found.expiration());
}

// ---------------------------------------------------------------------------
// The command line of presign and verify.

/// The flags `presign` and `verify` both read, as given, and their positional arguments.
struct url_command_flags {
  std::optional<std::string> method;      // -X, --method
  std::optional<std::string> time;        // --date (presign) or --now (verify)
  std::vector<std::string> headers;       // --header 'Name: value', in order
  std::vector<std::string> regions;       // --region, in order
  std::optional<std::string> session_token, profile;
  std::optional<std::string> output;      // --output text|json
  std::vector<std::string> positionals;   // everything not a flag, and all after "--"
  bool help = false;
};

/// Reads the command line of `presign` or `verify`: the positional arguments ("-" and all
/// after "--" among them), -h/--help (which stops the reading), -X/--method, the time flag
/// named `time_flag_name`, --header, --region, --session-token, --profile and --output into `out`.
/// Every other flag goes to `own_flag(reader, flag)`, which reads it and returns true, or
/// returns false for a flag the command does not know.
/// @throws usage_error on an unknown flag or a missing value.
template <class OwnFlag>
void read_url_command_flags(int argc, char** argv, std::string_view time_flag_name, url_command_flags& out,
                            OwnFlag&& own_flag) {
  arg_reader args(argc, argv);
  bool only_positionals = false;
  while (args.next()) {
    const std::string_view f = args.flag();
    if (only_positionals || f.empty() || f.front() != '-' || f == "-") {
      out.positionals.emplace_back(args.arg());
      continue;
    }
    if (f == "--help" || f == "-h") {
      args.expect_no_value();
      out.help = true;
      return;
    }
    if (f == "--") {
      args.expect_no_value();
      only_positionals = true;
    } else if (f == "-X" || f == "--method") {
      out.method = args.value();
    } else if (f == time_flag_name) {
      out.time = args.value();
    } else if (f == "--header") {
      out.headers.push_back(args.value());
    } else if (f == "--region") {
      out.regions.push_back(args.value());
    } else if (f == "--session-token") {
      out.session_token = args.value();
    } else if (f == "--profile") {
      out.profile = args.value();
    } else if (f == "--output") {
      out.output = args.value();
    } else if (!own_flag(args, f)) {
      throw usage_error(fmt::format("unknown option '{}'", f));
    }
  }
}

}  // namespace sigv4_cli

#endif
