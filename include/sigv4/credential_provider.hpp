/// @file
/// sigv4 — credentials that change while the program runs: a provider over the sources of
/// credentials.hpp (the environment with its *_FILE secrets, the shared credentials file) and
/// Kubernetes-style secret directories, which re-reads them when their files change. The files
/// are looked at (stat: device, inode, size, modification time) at most every N seconds, on
/// the caller's thread and clock; nothing runs in the background.
#ifndef SIGV4_CREDENTIAL_PROVIDER_HPP
#define SIGV4_CREDENTIAL_PROVIDER_HPP

#include "detail/config.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/stat.h>
#include <sys/types.h>

#include "credentials.hpp"
#include "errors.hpp"
#include "time.hpp"

namespace sigv4 {

/// One version of a file, as stat() tells it cheaply: a file replaced (a new inode, as an
/// atomic rename or Kubernetes' symlink swap makes), rewritten (size, modification time) or
/// removed gets another stamp. Symbolic links are followed.
struct file_stamp {
  std::string path;  ///< the file, as given to stamp_file
  int error = 0;  ///< the errno of stat(), 0 when it succeeded
  /// The file's device number (0 when stat() failed).
  std::uint64_t device = 0, inode = 0, size = 0;
  /** @var file_stamp::inode
   *  The file's inode number (0 when stat() failed). */
  /** @var file_stamp::size
   *  The file's size in bytes (0 when stat() failed). */
  std::int64_t modified_ns = 0;  ///< the modification time, nanoseconds since the epoch
  /// @param a a stamp. @param b another stamp.
  /// @return true when every field is equal: the same version of the same file.
  friend bool operator==(const file_stamp& a, const file_stamp& b) noexcept {
    return a.path == b.path && a.error == b.error && a.device == b.device && a.inode == b.inode && a.size == b.size &&
           a.modified_ns == b.modified_ns;
  }
  /// @param a a stamp. @param b another stamp.
  /// @return !(a == b).
  friend bool operator!=(const file_stamp& a, const file_stamp& b) noexcept { return !(a == b); }
};

/// The stamp of the file at `path` (never throws for a missing or unreadable file: the stamp
/// holds the error).
/// @param path the file (a symbolic link is followed).
/// @return its stamp; its error is the errno of a failed stat().
inline file_stamp stamp_file(std::string path) {
  file_stamp s;
  s.path = std::move(path);
#if defined(_WIN32)
  struct _stat64 st {};
  if (_stat64(s.path.c_str(), &st) != 0) {
    s.error = errno != 0 ? errno : ENOENT;
    return s;
  }
  s.modified_ns = static_cast<std::int64_t>(st.st_mtime) * 1000000000;
#else
  struct stat st {};
  if (::stat(s.path.c_str(), &st) != 0) {
    s.error = errno != 0 ? errno : ENOENT;
    return s;
  }
#if defined(__APPLE__)
  s.modified_ns = static_cast<std::int64_t>(st.st_mtimespec.tv_sec) * 1000000000 + st.st_mtimespec.tv_nsec;
#else
  s.modified_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
#endif
#endif
  s.device = static_cast<std::uint64_t>(st.st_dev);
  s.inode = static_cast<std::uint64_t>(st.st_ino);
  s.size = static_cast<std::uint64_t>(st.st_size);
  return s;
}

/// The file names in a secret directory: a Kubernetes Secret mounted as a volume holds one
/// file per key (the kubelet replaces them all at once by swapping the `..data` symlink).
struct secret_dir_names {
  std::string access_key_id = "AWS_ACCESS_KEY_ID";          ///< required
  std::string secret_access_key = "AWS_SECRET_ACCESS_KEY";  ///< required
  std::string session_token = "AWS_SESSION_TOKEN";               ///< optional: no file, no token
  std::string expiration = "AWS_CREDENTIAL_EXPIRATION";          ///< optional: ISO-8601 UTC
};

namespace detail {
inline std::string join_path(std::string_view dir, std::string_view name) {
  std::string p(dir);
  if (!p.empty() && p.back() != '/') p.push_back('/');
  p.append(name);
  return p;
}

// The trimmed content of the file `dir`/`name`; nullopt when `optional` and the file does not
// exist. Throws credentials_not_found naming the path and the reason (never the content).
inline std::optional<scrubbed> read_secret_file(std::string_view dir, const std::string& name, bool optional) {
  const std::string path = join_path(dir, name);
  scrubbed content;
  if (const int err = read_file(path, content)) {
    if (optional && err == ENOENT) return std::nullopt;
    throw error(errc::credentials_not_found,
                "the secret file " + quote_path(path) + " cannot be read: " + os_reason(err));
  }
  trim_in_place(content.str());
  if (content.empty()) throw error(errc::credentials_not_found, "the secret file " + quote_path(path) + " is empty");
  return std::optional<scrubbed>(std::move(content));
}

// The files the environment chain reads: those its *_FILE variables name.
inline std::vector<std::string> env_files(const env_lookup& env) {
  std::vector<std::string> out;
  for (const env_pair& p : env_pairs)
    for (const char* name : {p.id, p.secret, p.token}) {
      if (name == nullptr) continue;
      if (auto path = env(std::string(name) + "_FILE"); path && !path->empty()) out.push_back(std::move(*path));
    }
  return out;
}

inline bool same_credentials(const credentials& a, const credentials& b) noexcept {
  return a.access_key_id() == b.access_key_id() && a.secret_access_key() == b.secret_access_key() &&
         a.session_token() == b.session_token() && a.expiration() == b.expiration();
}
}  // namespace detail

/// Credentials from a secret directory (see secret_dir_names), read once: the key id and the
/// secret are required, the session token and the expiry optional; surrounding whitespace is
/// stripped from each file.
/// @param dir the directory (e.g. a Kubernetes Secret's mount point).
/// @param names the names of its files.
/// @return the credentials.
/// @throws sigv4::error errc::credentials_not_found naming the file and the reason (missing,
///         unreadable, empty); errc::invalid_date for an expiry that is not ISO-8601 UTC;
///         errc::invalid_credentials for unusable values. No message holds a value.
inline credentials credentials_from_secret_dir(std::string_view dir, const secret_dir_names& names = {}) {
  const auto id = detail::read_secret_file(dir, names.access_key_id, false);
  const auto secret = detail::read_secret_file(dir, names.secret_access_key, false);
  const auto token = detail::read_secret_file(dir, names.session_token, true);
  std::optional<time_point> expiration;
  if (const auto text = detail::read_secret_file(dir, names.expiration, true)) {
    expiration = detail::try_parse_iso8601(text->view());
    if (!expiration)
      throw error(errc::invalid_date, "the secret file " + detail::quote_path(detail::join_path(dir, names.expiration)) +
                                          " is not an ISO-8601 UTC time such as 2026-11-22T15:04:05Z");
  }
  return detail::make_credentials(id->view(), secret->view(), token ? token->view() : std::string_view(), expiration,
                                  "the secret directory " + detail::quote_path(dir));
}

/// Where a credential_provider reads from.
struct from_environment {
  /// The *_FILE files it names are watched; the variables' own values are read once (the
  /// environment of a running process does not change from outside).
  env_lookup env = process_env;
};
/// A credential_provider source: a profile of the shared credentials file (read as
/// credentials_from_shared_file does), which is watched.
/// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
struct from_shared_file {
  std::string profile;  ///< empty: AWS_PROFILE, else "default"
  std::string path;     ///< empty: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
  env_lookup env = process_env;  ///< where AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE and HOME are looked up
};
/// A credential_provider source: a secret directory (read as credentials_from_secret_dir
/// does), whose four files are watched.
struct from_secret_dir {
  std::string dir;  ///< e.g. /var/run/secrets/storage
  secret_dir_names names;  ///< the names of its files
};

/// How often a provider looks at its files.
struct provider_options {
  /// At most one look (a stat() per file) per this interval; a re-read only when a stamp changed.
  std::chrono::seconds check_every{10};
};

/// What one poll found.
struct poll_result {
  /// New credentials were read (different from the last good ones): hand them on, e.g. to
  /// s3::presigner::set_credentials (poll_into does).
  bool changed = false;
  /// A problem met for the first time since the last good read (an unreadable, half-written,
  /// missing or empty file, unusable values): the last good credentials stay in use. The same
  /// problem is reported once, not at every poll. Never holds a secret or a token.
  std::optional<std::string> problem;
};

/// Credentials that follow their source. The first read happens in the constructor (which
/// throws as the source's function does: a service should not start without credentials);
/// then poll(now) looks at the files at most every check_every, and re-reads them when one of
/// their stamps changed. A read whose files change while it runs (a writer at work, or a
/// secret directory swapped between two of its files) is dropped and tried again at the next
/// check, so that a key id and a secret of two different versions are never paired. A read
/// that fails keeps the last good credentials (never an empty secret) and reports the problem
/// once. Safe to share between threads; a poll before the next check is due costs two
/// atomic loads.
class credential_provider {
 public:
  /// The clock of poll's `now`.
  using steady_time = std::chrono::steady_clock::time_point;

  /// The environment chain of credentials_from_env, with the files its *_FILE variables name.
  /// @param s the source. @param o how often to look at the files.
  /// @throws sigv4::error as credentials_from_env does.
  explicit credential_provider(from_environment s, provider_options o = {})
      : credential_provider(
            [env = s.env] { return credentials_from_env(env); }, [env = s.env] { return detail::env_files(env); }, o) {}
  /// A profile of the shared credentials file, as credentials_from_shared_file reads it.
  /// @param s the source. @param o how often to look at the file.
  /// @throws sigv4::error as credentials_from_shared_file does.
  explicit credential_provider(from_shared_file s, provider_options o = {})
      : credential_provider(
            [s] { return credentials_from_shared_file(s.profile, s.path, s.env); },
            [s] { return std::vector<std::string>{detail::shared_credentials_path(s.path, s.env)}; }, o) {}
  /// A secret directory, as credentials_from_secret_dir reads it.
  /// @param s the source. @param o how often to look at the files.
  /// @throws sigv4::error as credentials_from_secret_dir does.
  explicit credential_provider(from_secret_dir s, provider_options o = {})
      : credential_provider([s] { return credentials_from_secret_dir(s.dir, s.names); },
                            [s] {
                              return std::vector<std::string>{detail::join_path(s.dir, s.names.access_key_id),
                                                              detail::join_path(s.dir, s.names.secret_access_key),
                                                              detail::join_path(s.dir, s.names.session_token),
                                                              detail::join_path(s.dir, s.names.expiration)};
                            },
                            o) {}

  /// Any source: `read` gives the credentials (throwing sigv4::error when it cannot), `files`
  /// the paths whose stamps say when to read again.
  /// @param read reads the credentials. @param files the paths to watch.
  /// @param o how often to look at the files.
  /// @throws sigv4::error what the first call of `read` throws.
  credential_provider(std::function<credentials()> read, std::function<std::vector<std::string>()> files,
                      provider_options o = {})
      : read_(std::move(read)), files_(std::move(files)), options_(o), current_(first_read()) {}

  credential_provider(const credential_provider&) = delete;
  credential_provider& operator=(const credential_provider&) = delete;

  /// The last good credentials.
  /// @return a copy of them.
  credentials current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }

  /// Looks at the files if a check is due at `now` (steady clock: a change of the wall clock
  /// neither hastens nor delays it; a `now` before the last check, as from a clock that went
  /// back, counts as due), and re-reads them if their stamps changed.
  /// Never throws for a failed read: the problem is in the result.
  /// @param now the current time of the steady clock.
  /// @return whether new credentials were read, and a problem met for the first time.
  poll_result poll(steady_time now) {
    const std::int64_t t = now.time_since_epoch().count();
    if (t >= last_check_.load(std::memory_order_acquire) && t < next_check_.load(std::memory_order_acquire)) return {};
    std::lock_guard<std::mutex> lock(mutex_);
    last_check_.store(t, std::memory_order_release);
    next_check_.store(
        (now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.check_every)).time_since_epoch().count(),
        std::memory_order_release);
    return check();
  }

  /// poll(now), and on a change target.set_credentials(current()) (an s3::presigner, say).
  /// @param target anything with set_credentials(const credentials&).
  /// @param now the current time of the steady clock.
  /// @return what poll returned.
  template <class Target>
  poll_result poll_into(Target& target, steady_time now) {
    poll_result r = poll(now);
    if (r.changed) target.set_credentials(current());
    return r;
  }

 private:
  std::vector<file_stamp> stamps() const {
    std::vector<file_stamp> out;
    for (auto& f : files_()) out.push_back(stamp_file(std::move(f)));
    return out;
  }

  credentials first_read() {
    read_stamps_ = stamps();
    credentials c = read_();
    if (stamps() != read_stamps_) read_stamps_.clear();  // changing as it was read: look again at the first poll
    return c;
  }

  poll_result check() {
    poll_result r;
    std::vector<file_stamp> before = stamps();
    if (before == read_stamps_) return r;  // nothing new since the last read, good or bad
    try {
      credentials c = read_();
      if (stamps() != before) return r;  // changed while being read: read again at the next check
      read_stamps_ = std::move(before);
      reported_.clear();
      if (!detail::same_credentials(c, current_)) {
        current_ = std::move(c);
        r.changed = true;
      }
    } catch (const error& e) {
      if (stamps() != before) return r;  // a writer at work: its next state decides
      read_stamps_ = std::move(before);
      std::string what = std::string(e.what()) + "; the last good credentials stay in use";
      if (what != reported_) {
        reported_ = what;
        r.problem = std::move(what);
      }
    }
    return r;
  }

  std::function<credentials()> read_;
  std::function<std::vector<std::string>()> files_;
  provider_options options_;
  mutable std::mutex mutex_;
  std::vector<file_stamp> read_stamps_;  // the stamps of the files at the last read
  credentials current_;
  std::string reported_;  // the problem last reported
  std::atomic<std::int64_t> last_check_{0};
  std::atomic<std::int64_t> next_check_{0};
};

}  // namespace sigv4

#endif
