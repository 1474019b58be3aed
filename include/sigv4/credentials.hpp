/// @file
/// sigv4 — credentials: access key id, secret (wiped on destruction, never printed) and an
/// optional session token with its expiry; and the providers that find them (environment,
/// *_FILE secrets, the shared credentials file).
#ifndef SIGV4_CREDENTIALS_HPP
#define SIGV4_CREDENTIALS_HPP

#include "detail/config.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "detail/ascii.hpp"
#include "detail/openssl.hpp"
#include "errors.hpp"
#include "time.hpp"

namespace sigv4 {

/// A secret byte string held in one heap block that is wiped (OPENSSL_cleanse) when the
/// object is destroyed or overwritten. It has no stream operator; view() is the only way in.
class secret_string {
 public:
  /// An empty secret.
  secret_string() = default;
  /// @param s the secret, copied into the wiped block (wipe your own copy of it).
  /// @throws std::bad_alloc only.
  explicit secret_string(std::string_view s) { assign(s); }
  /// A second wiped copy.
  /// @param o the secret to copy.
  secret_string(const secret_string& o) { assign(o.view()); }
  /// Takes the block over; `o` is left empty.
  /// @param o the secret to move from.
  secret_string(secret_string&& o) noexcept : data_(std::move(o.data_)), size_(std::exchange(o.size_, 0)) {}
  /// Wipes this secret, then copies `o`.
  /// @param o the secret to copy.
  /// @return `*this`.
  secret_string& operator=(const secret_string& o) {
    if (this != &o) assign(o.view());
    return *this;
  }
  /// Wipes this secret, then takes `o`'s block over; `o` is left empty.
  /// @param o the secret to move from.
  /// @return `*this`.
  secret_string& operator=(secret_string&& o) noexcept {
    if (this != &o) {
      wipe();
      data_ = std::move(o.data_);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  /// Wipes the block (OPENSSL_cleanse) and frees it.
  ~secret_string() { wipe(); }

  /// The secret's bytes.
  /// @return a view valid while this object lives and is not assigned to.
  std::string_view view() const noexcept { return {data_.get(), size_}; }
  /// @return the secret's length in bytes.
  std::size_t size() const noexcept { return size_; }
  /// @return whether the secret is empty.
  bool empty() const noexcept { return size_ == 0; }

 private:
  void assign(std::string_view s) {
    std::unique_ptr<char[]> fresh(new char[s.size() + 1]);
    if (!s.empty()) std::memcpy(fresh.get(), s.data(), s.size());
    fresh[s.size()] = '\0';
    wipe();
    data_ = std::move(fresh);
    size_ = s.size();
  }
  void wipe() noexcept {
    if (data_) detail::cleanse(data_.get(), size_);
    data_.reset();
    size_ = 0;
  }
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
};

/// AWS-style credentials. The access key id is public (it travels in every signature); the
/// secret is a secret_string; the session token, when not empty, belongs to temporary
/// credentials and is sent with every request (X-Amz-Security-Token).
class credentials {
 public:
  /// Checks and holds a set of credentials.
  /// @param access_key_id the access key id (public; it is part of every signature's scope).
  /// @param secret_access_key the secret, kept in a secret_string.
  /// @param session_token the session token of temporary credentials; empty for long-term ones.
  /// @param expiration when temporary credentials stop working, if known (presigning checks URLs
  ///        against it, see s3::credential_expiry).
  /// @throws sigv4::error errc::invalid_credentials when the key id is empty, longer than 128
  ///         characters (AWS's limit, which the verifier enforces) or holds '/', whitespace or
  ///         control characters, or the secret is empty. The message names the
  ///         field, never its value. The session token may not hold control characters.
  credentials(std::string_view access_key_id, std::string_view secret_access_key, std::string_view session_token = {},
              std::optional<time_point> expiration = std::nullopt)
      : access_key_id_(access_key_id),
        secret_(secret_access_key),
        session_token_(session_token),
        expiration_(expiration) {
    if (access_key_id_.empty()) throw error(errc::invalid_credentials, "the access key id is empty");
    if (access_key_id_.size() > 128)
      throw error(errc::invalid_credentials, "the access key id is longer than 128 characters");
    for (char c : access_key_id_) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7f || c == '/')
        throw error(errc::invalid_credentials, "the access key id holds '/', whitespace or a control character");
    }
    if (secret_.empty()) throw error(errc::invalid_credentials, "the secret access key is empty");
    for (char c : session_token_) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) throw error(errc::invalid_credentials, "the session token holds a control character");
    }
  }

  /// @return the access key id.
  const std::string& access_key_id() const noexcept { return access_key_id_; }
  /// The secret. Do not log it; nothing in this library ever prints it.
  /// @return a view valid while these credentials live.
  std::string_view secret_access_key() const noexcept { return secret_.view(); }
  /// @return the session token; empty for long-term credentials.
  const std::string& session_token() const noexcept { return session_token_; }
  /// @return whether these are temporary credentials with a session token.
  bool has_session_token() const noexcept { return !session_token_.empty(); }
  /// When temporary credentials stop working, if known.
  /// @return the expiry, or nullopt when unknown or none.
  const std::optional<time_point>& expiration() const noexcept { return expiration_; }

 private:
  std::string access_key_id_;
  secret_string secret_;
  std::string session_token_;
  std::optional<time_point> expiration_;
};

/// Formats credentials for logs and diagnostics, e.g.
/// `credentials{access_key_id=AKIDEXAMPLE, secret_access_key=<redacted>, session_token=<redacted, 812 chars>,
/// expires=20261122T150405Z}`. The secret and the session token are never written; a missing token prints
/// as `<none>`, a missing expiry as `<never>`.
/// @param c the credentials to describe.
/// @return the description, with no secret in it.
/// @throws std::bad_alloc only.
inline std::string to_string(const credentials& c) {
  std::string out = "credentials{access_key_id=";
  out += c.access_key_id();
  out += ", secret_access_key=<redacted>, session_token=";
  out += c.has_session_token() ? "<redacted, " + std::to_string(c.session_token().size()) + " chars>" : "<none>";
  out += ", expires=";
  out += c.expiration() ? std::string(format_amz_date(*c.expiration()).str()) : std::string("<never>");
  out += '}';
  return out;
}

/// Writes to_string(c): the secret and the session token are redacted. (A template over the
/// stream's traits, so that this header needs only the iosfwd header: the ostream header costs
/// every includer about a tenth of a second of compile time.)
/// @param os the stream (a std::ostream).
/// @param c the credentials to describe.
/// @return `os`.
template <class Traits>
std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& os, const credentials& c) {
  return os << to_string(c);
}

// ---------------------------------------------------------------------------------------------
// Credential providers
// ---------------------------------------------------------------------------------------------

/// Looks up one environment variable: its value, or nullopt when it is unset. Every provider
/// takes one, so that tests and programs can supply an environment of their own.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The process environment (std::getenv). An empty value counts as unset. Like getenv, not safe
/// against a concurrent setenv/putenv.
/// @param name the variable's name.
/// @return its value, or nullopt when unset or empty.
/// @throws std::bad_alloc only.
inline std::optional<std::string> process_env(std::string_view name) {
  const std::string key(name);
#if defined(_MSC_VER)
  char* buf = nullptr;
  std::size_t len = 0;
  if (_dupenv_s(&buf, &len, key.c_str()) != 0 || buf == nullptr) return std::nullopt;
  std::unique_ptr<char, decltype(&std::free)> owned(buf, &std::free);
  if (*buf == '\0') return std::nullopt;
  return std::string(buf);
#else
  const char* value = std::getenv(key.c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
#endif
}

namespace detail {
// Overwrites a std::string's whole buffer (up to its capacity) and empties it. Resizing within the
// capacity never allocates, so this cannot throw.
inline void wipe_string(std::string& s) noexcept {
  s.resize(s.capacity());
  if (!s.empty()) cleanse(&s[0], s.size());
  s.clear();
}

// A std::string holding a secret (or text that contains one) that is wiped when it goes away.
// Best effort: what it wipes is its own buffer, not copies made before it took the string.
class scrubbed {
 public:
  scrubbed() = default;
  explicit scrubbed(std::string&& s) noexcept : s_(std::move(s)) { wipe_string(s); }
  scrubbed(scrubbed&& o) noexcept : s_(std::move(o.s_)) { wipe_string(o.s_); }
  scrubbed(const scrubbed&) = delete;
  scrubbed& operator=(const scrubbed&) = delete;
  scrubbed& operator=(scrubbed&&) = delete;
  ~scrubbed() { wipe_string(s_); }

  std::string& str() noexcept { return s_; }
  std::string_view view() const noexcept { return s_; }
  bool empty() const noexcept { return s_.empty(); }

 private:
  std::string s_;
};

// Appends to a string that holds secret bytes; when the buffer must grow, the old one is wiped.
inline void append_wiping(std::string& s, const char* p, std::size_t n) {
  if (s.size() + n > s.capacity()) {
    std::string bigger;
    bigger.reserve(std::max(s.capacity() * 2, s.size() + n));
    bigger.append(s);
    wipe_string(s);
    s.swap(bigger);
  }
  s.append(p, n);
}

inline constexpr bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Trims in place, so that no trimmed copy of a secret is left behind.
inline void trim_in_place(std::string& s) {
  std::size_t end = s.size();
  while (end > 0 && is_blank(s[end - 1])) --end;
  std::size_t begin = 0;
  while (begin < end && is_blank(s[begin])) ++begin;
  s.erase(end);
  s.erase(0, begin);
}

// Quotes a path (not a secret) for a message: like quote_input, but never shortened.
inline std::string quote_path(std::string_view p) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "'";
  for (char ch : p) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(ch);
    } else {
      out += "\\x";
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  out.push_back('\'');
  return out;
}

// The operating system's words for an errno value (thread-safe, unlike strerror).
inline std::string os_reason(int err) { return std::generic_category().message(err); }

// The detail part of a sigv4::error's what(), without the ": <category message>" suffix.
inline std::string error_detail(const error& e) {
  std::string w = e.what();
  const std::string suffix = ": " + e.code().message();
  if (w.size() >= suffix.size() && w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0)
    w.erase(w.size() - suffix.size());
  return w;
}

// Files read by the providers are credential files, never this large; the cap keeps a mistaken
// path (a device, a log) from being read forever.
inline constexpr std::size_t max_credential_file_size = std::size_t{4} << 20;

// Reads a whole file into `out`. Returns 0, or the errno value that says why it could not.
inline int read_file(const std::string& path, scrubbed& out) {
  errno = 0;
  std::FILE* f = nullptr;
#if defined(_MSC_VER)
  if (const int err = fopen_s(&f, path.c_str(), "rb"); err != 0 || f == nullptr) return err != 0 ? err : ENOENT;
#else
  f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return errno != 0 ? errno : ENOENT;
#endif
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);
  char chunk[4096];
  int err = 0;
  try {
    for (;;) {
      errno = 0;
      const std::size_t n = std::fread(chunk, 1, sizeof chunk, f);
      if (n > 0) append_wiping(out.str(), chunk, n);
      if (out.str().size() > max_credential_file_size) {
        err = EFBIG;
        break;
      }
      if (n < sizeof chunk) {
        if (std::ferror(f)) err = errno != 0 ? errno : EIO;
        break;
      }
    }
  } catch (...) {
    cleanse(chunk, sizeof chunk);
    throw;
  }
  cleanse(chunk, sizeof chunk);
  if (err != 0) wipe_string(out.str());
  return err;
}

// The value of `name`, else the trimmed content of the file that `name`_FILE names, else nullopt.
// `source` receives the variable that supplied it.
inline std::optional<scrubbed> env_or_file(const env_lookup& env, const std::string& name, std::string& source) {
  if (auto v = env(name)) {
    if (!v->empty()) {
      source = name;
      return std::optional<scrubbed>(scrubbed(std::move(*v)));
    }
  }
  const std::string file_var = name + "_FILE";
  const auto path = env(file_var);
  if (!path || path->empty()) return std::nullopt;
  scrubbed content;
  if (const int err = read_file(*path, content))
    throw error(errc::credentials_not_found,
                file_var + " names the file " + quote_path(*path) + ", which cannot be read: " + os_reason(err));
  trim_in_place(content.str());
  if (content.empty())
    throw error(errc::credentials_not_found, file_var + " names the file " + quote_path(*path) + ", which is empty");
  source = file_var;
  return std::optional<scrubbed>(std::move(content));
}

// Builds credentials, naming where they came from if they are refused (the message never holds
// a value: the credentials constructor's messages do not).
inline credentials make_credentials(std::string_view id, std::string_view secret, std::string_view token,
                                    std::optional<time_point> expiration, const std::string& source) {
  try {
    return credentials(id, secret, token, expiration);
  } catch (const error& e) {
    throw error(static_cast<errc>(e.code().value()), error_detail(e) + " (from " + source + ")");
  }
}

struct env_pair {
  const char* id;
  const char* secret;
  const char* token;       // nullptr: the pair has no session token
  const char* expiration;  // nullptr: the pair has no expiry
};

inline constexpr env_pair env_pairs[] = {
    {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION"},
    {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", nullptr, nullptr},
    {"MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", nullptr, nullptr},
};

inline constexpr const char* env_looked_for =
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, MINIO_ROOT_USER and MINIO_ROOT_PASSWORD, "
    "MINIO_ACCESS_KEY and MINIO_SECRET_KEY, each also as a *_FILE variable naming a file";

// The environment chain. nullopt when no pair's id is present; throws when one is present but
// unusable (its secret missing, a *_FILE unreadable, a malformed expiry, invalid credentials).
inline std::optional<credentials> try_credentials_from_env(const env_lookup& env) {
  for (const env_pair& p : env_pairs) {
    std::string id_source, secret_source, token_source;
    auto id = env_or_file(env, p.id, id_source);
    if (!id) continue;
    auto secret = env_or_file(env, p.secret, secret_source);
    if (!secret)
      throw error(errc::credentials_not_found, id_source + " is set but " + p.secret + " (or " + p.secret + "_FILE) is not");
    const std::optional<scrubbed> token =
        p.token != nullptr ? env_or_file(env, p.token, token_source) : std::optional<scrubbed>();
    std::optional<time_point> expiration;
    if (p.expiration != nullptr) {
      if (const auto text = env(p.expiration); text && !text->empty()) {
        expiration = try_parse_iso8601(*text);
        if (!expiration)
          throw error(errc::invalid_date, std::string(p.expiration) + " is " + quote_input(*text) +
                                              ", not an ISO-8601 UTC time such as 2026-11-22T15:04:05Z");
      }
    }
    std::string source = id_source + " and " + secret_source;
    if (token) source += " and " + token_source;
    return make_credentials(id->view(), secret->view(), token ? token->view() : std::string_view(), expiration,
                            source);
  }
  return std::nullopt;
}

// The shared credentials file to read: `path`, else AWS_SHARED_CREDENTIALS_FILE, else
// ~/.aws/credentials. A leading "~/" is expanded with HOME (USERPROFILE on Windows).
inline std::string shared_credentials_path(std::string_view path, const env_lookup& env) {
  const auto home = [&]() -> std::optional<std::string> {
    if (auto h = env("HOME"); h && !h->empty()) return h;
#if defined(_WIN32)
    if (auto h = env("USERPROFILE"); h && !h->empty()) return h;
#endif
    return std::nullopt;
  };
  std::string p;
  if (!path.empty()) {
    p = std::string(path);
  } else if (auto v = env("AWS_SHARED_CREDENTIALS_FILE"); v && !v->empty()) {
    p = std::move(*v);
  } else {
    const auto h = home();
    if (!h)
      throw error(errc::credentials_not_found,
                  "neither AWS_SHARED_CREDENTIALS_FILE nor HOME is set, so there is no shared credentials file "
                  "(~/.aws/credentials) to read");
    return *h + "/.aws/credentials";
  }
  if (p == "~" || p.compare(0, 2, "~/") == 0) {
    if (const auto h = home()) p.replace(0, 1, *h);
  }
  return p;
}

struct profile_values {
  bool found = false;  // the [profile] section exists
  std::optional<scrubbed> id, secret, token;
};

// One line of INI text that matters, as the AWS CLI reads it (Python configparser): a
// [section] header (`key` empty, `section` its trimmed name) or a key = value (or key: value)
// line of `section`, trimmed. `indented` says the line began with a blank: in ~/.aws/config
// that makes it a setting of the nested block opened by the key before it (`s3 =` then
// `  addressing_style = path`).
struct ini_line {
  std::string_view section;
  std::string_view key;
  std::string_view value;
  bool is_section = false;
  bool indented = false;
};

// Calls visit(const ini_line&) for each section header and key line of `text`, in order.
// Comment lines (# and ;), blank lines, lines without '=' or ':' and a header without ']' are
// skipped; so is a UTF-8 byte order mark.
template <class Visit>
void for_each_ini_line(std::string_view text, Visit&& visit) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  std::string_view section;
  bool in_section = false;  // key lines before the first [section] header belong to no profile
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    const std::string_view line = trim(raw);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      const std::size_t close = line.rfind(']');
      if (close == std::string_view::npos) continue;
      section = trim(line.substr(1, close - 1));
      in_section = true;
      visit(ini_line{section, {}, {}, true, false});
      continue;
    }
    const std::size_t delim = line.find_first_of("=:");
    if (delim == std::string_view::npos || !in_section) continue;
    visit(ini_line{section, trim(line.substr(0, delim)), trim(line.substr(delim + 1)), false, is_blank(raw.front())});
  }
}

// Reads `profile` out of INI text the way the AWS CLI does (Python configparser): [section]
// headers, key = value (or key: value) lines, # and ; comment lines. Section names are case
// sensitive, keys are not; a key given twice keeps its last value; other lines are ignored.
inline void parse_shared_credentials(std::string_view text, std::string_view profile, profile_values& out) {
  for_each_ini_line(text, [&](const ini_line& l) {
    if (l.section != profile) return;
    if (l.is_section) {
      out.found = true;
      return;
    }
    std::optional<scrubbed>* slot = nullptr;
    if (iequals(l.key, "aws_access_key_id")) slot = &out.id;
    else if (iequals(l.key, "aws_secret_access_key")) slot = &out.secret;
    else if (iequals(l.key, "aws_session_token") || iequals(l.key, "aws_security_token")) slot = &out.token;
    if (slot == nullptr) return;
    slot->reset();
    if (!l.value.empty()) slot->emplace(std::string(l.value));
  });
}
}  // namespace detail

/// Credentials from the environment. Tries, in order, the pairs
/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (with the optional AWS_SESSION_TOKEN and
/// AWS_CREDENTIAL_EXPIRATION), MINIO_ROOT_USER / MINIO_ROOT_PASSWORD and
/// MINIO_ACCESS_KEY / MINIO_SECRET_KEY; the first pair whose key id is present is used. Each
/// variable X (but the expiration) may instead be given as X_FILE naming a file that holds the value,
/// as container and Kubernetes secrets are mounted; surrounding whitespace, a trailing newline
/// included, is stripped from it. X wins when both X and X_FILE are set.
/// @param env where to look the variables up; the process environment by default.
/// @return the credentials of the first pair present.
/// @throws sigv4::error errc::credentials_not_found when no pair is present (the message lists
///         what was looked for), when a pair's key id is present but its secret is not (the
///         message names the missing variable), or when a *_FILE cannot be read or is empty
///         (naming the variable, the path and the reason);
///         errc::invalid_date when AWS_CREDENTIAL_EXPIRATION is not an ISO-8601 UTC time;
///         errc::invalid_credentials when the values are unusable (see credentials).
///         No message ever holds a secret or a token.
inline credentials credentials_from_env(const env_lookup& env = process_env) {
  if (auto c = detail::try_credentials_from_env(env)) return std::move(*c);
  throw error(errc::credentials_not_found,
              std::string("no credentials in the environment; looked for ") + detail::env_looked_for);
}

/// Credentials from the shared credentials file, as the AWS CLI writes it (INI: `[profile]`
/// sections with aws_access_key_id, aws_secret_access_key and the optional aws_session_token,
/// or its legacy name aws_security_token).
/// @param profile the section to read; empty means AWS_PROFILE, else "default".
/// @param path the file; empty means AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials.
///        A leading "~/" is expanded with HOME.
/// @param env where to look the variables up; the process environment by default.
/// @return the profile's credentials.
/// @throws sigv4::error errc::credentials_not_found when no path can be formed (HOME unset), the
///         file cannot be read (naming the path and the reason), the profile is not in it (naming
///         the profile and the path), or the profile lacks the key id or the secret (naming the key,
///         the profile and the path); errc::invalid_credentials when the values are unusable.
///         No message ever holds a secret or a token.
inline credentials credentials_from_shared_file(std::string_view profile = {}, std::string_view path = {},
                                                const env_lookup& env = process_env) {
  std::string name(profile);
  if (name.empty()) {
    if (auto p = env("AWS_PROFILE"); p && !p->empty()) name = std::move(*p);
    else name = "default";
  }
  const std::string file = detail::shared_credentials_path(path, env);
  detail::scrubbed text;
  if (const int err = detail::read_file(file, text))
    throw error(errc::credentials_not_found,
                "cannot read the shared credentials file " + detail::quote_path(file) + ": " + detail::os_reason(err));
  detail::profile_values values;
  detail::parse_shared_credentials(text.view(), name, values);
  const std::string where = "profile " + detail::quote_input(name) + " of the shared credentials file " +
                            detail::quote_path(file);
  if (!values.found)
    throw error(errc::credentials_not_found, "profile " + detail::quote_input(name) +
                                                 " is not in the shared credentials file " + detail::quote_path(file));
  if (!values.id) throw error(errc::credentials_not_found, "aws_access_key_id is missing from " + where);
  if (!values.secret) throw error(errc::credentials_not_found, "aws_secret_access_key is missing from " + where);
  return detail::make_credentials(values.id->view(), values.secret->view(),
                                  values.token ? values.token->view() : std::string_view(), std::nullopt, where);
}

/// The default chain. With a profile: that profile of the shared credentials file, and nothing
/// else. Without one: the environment (credentials_from_env), and when no variable there is set at
/// all, the shared credentials file (profile from AWS_PROFILE, else "default"). Environment
/// credentials that are present but unusable (a key id without its secret, say) are an error, not
/// a reason to fall back.
/// @param profile the shared-file profile to use; empty for the chain.
/// @param env where to look the variables up; the process environment by default.
/// @return the first credentials found.
/// @throws sigv4::error errc::credentials_not_found when neither source has credentials (one
///         message listing the variables looked for and why the shared file gave none, with its
///         path), or any error of credentials_from_env / credentials_from_shared_file.
inline credentials default_credentials(std::string_view profile = {}, const env_lookup& env = process_env) {
  if (!profile.empty()) return credentials_from_shared_file(profile, {}, env);
  if (auto c = detail::try_credentials_from_env(env)) return std::move(*c);
  try {
    return credentials_from_shared_file({}, {}, env);
  } catch (const error& e) {
    if (e.code() != make_error_code(errc::credentials_not_found)) throw;
    throw error(errc::credentials_not_found, std::string("no credentials in the environment (looked for ") +
                                                 detail::env_looked_for + ") nor in the shared credentials file (" +
                                                 detail::error_detail(e) + ")");
  }
}

/// Non-throwing twin of credentials_from_env: on failure sets `ec` and returns nullopt. (The
/// error_code comes first so that the other arguments keep their defaults.)
/// @param ec set to the error on failure, cleared on success.
/// @param env where to look the variables up.
/// @return the credentials, or nullopt when `ec` is set.
inline std::optional<credentials> credentials_from_env(std::error_code& ec, const env_lookup& env = process_env) {
  return detail::capture_error(ec, [&]() -> std::optional<credentials> { return credentials_from_env(env); });
}

/// Non-throwing twin of credentials_from_shared_file: on failure sets `ec` and returns nullopt.
/// @param ec set to the error on failure, cleared on success.
/// @param profile the section to read; empty means AWS_PROFILE, else "default".
/// @param path the file; empty means AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials.
/// @param env where to look the variables up.
/// @return the credentials, or nullopt when `ec` is set.
inline std::optional<credentials> credentials_from_shared_file(std::error_code& ec, std::string_view profile = {},
                                                               std::string_view path = {},
                                                               const env_lookup& env = process_env) {
  return detail::capture_error(
      ec, [&]() -> std::optional<credentials> { return credentials_from_shared_file(profile, path, env); });
}

/// Non-throwing twin of default_credentials: on failure sets `ec` and returns nullopt.
/// @param ec set to the error on failure, cleared on success.
/// @param profile the shared-file profile to use; empty for the chain.
/// @param env where to look the variables up.
/// @return the credentials, or nullopt when `ec` is set.
inline std::optional<credentials> default_credentials(std::error_code& ec, std::string_view profile = {},
                                                      const env_lookup& env = process_env) {
  return detail::capture_error(ec,
                               [&]() -> std::optional<credentials> { return default_credentials(profile, env); });
}

}  // namespace sigv4

#endif
