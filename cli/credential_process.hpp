// Runs a profile's credential_process (POSIX) as botocore does: the command line split into
// words by sigv4::split_credential_process (botocore's shlex split), the program found on PATH
// when its name has no '/', and executed without a shell. Its stdout is captured (at most
// 1 MiB), its stderr passed through; it is killed with its process group after a timeout. The
// answer is read by sigv4::credentials_from_process_output (sigv4/aws_config.hpp).
//
// Included once, by common.hpp.
#ifndef SIGV4_CLI_CREDENTIAL_PROCESS_HPP
#define SIGV4_CLI_CREDENTIAL_PROCESS_HPP

#include <sigv4/aws_config.hpp>
#include <sigv4/credentials.hpp>
#include <sigv4/errors.hpp>

#include <fmt/core.h>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#if !defined(_WIN32)
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace sigv4_cli {

inline constexpr std::size_t max_process_output = std::size_t{1} << 20;

/// The files to try for `program`, in order: itself when it holds a '/', else each directory
/// of PATH (an empty entry is the current directory; without PATH, /bin:/usr/bin, as Python's
/// os.defpath) joined with it.
inline std::vector<std::string> program_candidates(const std::string& program) {
  if (program.find('/') != std::string::npos) return {program};
  const char* path = std::getenv("PATH");
  const std::string_view dirs = path != nullptr ? std::string_view(path) : std::string_view("/bin:/usr/bin");
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = dirs.find(':', start);
    const std::string_view dir = dirs.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
    out.push_back(dir.empty() ? program : std::string(dir) + (dir.back() == '/' ? "" : "/") + program);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return out;
}

#if !defined(_WIN32)
/// In the child: tries each candidate with execv (no shell; a file that is no executable is
/// not handed to /bin/sh, as Python's subprocess does not); on failure writes the errno to
/// `report` and exits 127. Only async-signal-safe calls.
[[noreturn]] inline void exec_candidates(const std::vector<std::string>& candidates, char* const* argv, int report) {
  int error = ENOENT;
  bool denied = false;
  for (const std::string& file : candidates) {
    ::execv(file.c_str(), argv);
    error = errno;
    if (error == EACCES) denied = true;
    else if (error != ENOENT && error != ENOTDIR) break;
  }
  if (denied && (error == ENOENT || error == ENOTDIR)) error = EACCES;
  const ssize_t written = ::write(report, &error, sizeof error);
  (void)written;
  ::_exit(127);
}
#endif

/// The stdout of the credential_process `command`, run without a shell, which must exit 0
/// within `timeout`.
/// @throws sigv4::error errc::invalid_argument when the command line cannot be split (an
///         unterminated quote, ...); errc::credentials_not_found when the program cannot be
///         started (naming it and the reason), times out (it is killed), exits otherwise than
///         with 0, or prints more than 1 MiB. The messages name the profile and the program,
///         never the arguments or the output.
inline std::string run_credential_process(const std::string& command, std::string_view profile,
                                          std::chrono::milliseconds timeout) {
  const std::string who = fmt::format("the credential_process of profile '{}'", profile);
  const auto fail = [&](const std::string& why) { return sigv4::error(sigv4::errc::credentials_not_found, who + " " + why); };
  std::vector<std::string> words;
  try {
    words = sigv4::split_credential_process(command);
  } catch (const sigv4::error& e) {
    throw sigv4::error(sigv4::errc::invalid_argument,
                       fmt::format("profile '{}': {}", profile, sigv4::detail::error_detail(e)));
  }
  if (words.front().empty()) throw sigv4::error(sigv4::errc::invalid_argument, who + " names an empty program");
#if defined(_WIN32)
  (void)timeout;
  throw fail("cannot be run: credential_process is supported on POSIX systems only");
#else
  // Everything the child needs is made before fork: after it only async-signal-safe calls.
  const std::vector<std::string> candidates = program_candidates(words.front());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(&w[0]);
  argv.push_back(nullptr);
  int out[2];
  int report[2];  // the child's exec errno; closed by a successful exec (close-on-exec)
  if (::pipe(out) != 0) throw fail(fmt::format("cannot be started: {}", std::strerror(errno)));
  if (::pipe(report) != 0) {
    const int err = errno;
    ::close(out[0]);
    ::close(out[1]);
    throw fail(fmt::format("cannot be started: {}", std::strerror(err)));
  }
  ::fcntl(report[1], F_SETFD, FD_CLOEXEC);
  ::fcntl(out[0], F_SETFD, FD_CLOEXEC);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    for (int fd : {out[0], out[1], report[0], report[1]}) ::close(fd);
    throw fail(fmt::format("cannot be started: {}", std::strerror(err)));
  }
  if (pid == 0) {
    ::setpgid(0, 0);  // its own process group, so that a timeout kills its children too
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    ::close(report[0]);
    exec_candidates(candidates, argv.data(), report[1]);
  }
  ::close(report[1]);
  int exec_error = 0;
  ssize_t got = 0;
  while ((got = ::read(report[0], &exec_error, sizeof exec_error)) < 0 && errno == EINTR) {
  }
  ::close(report[0]);
  if (got == static_cast<ssize_t>(sizeof exec_error)) {
    ::close(out[0]);
    ::close(out[1]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    throw fail(fmt::format("cannot be run: '{}': {}", words.front(), std::strerror(exec_error)));
  }
  ::close(out[1]);
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string why;
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      why = fmt::format("timed out after {} ms and was killed", timeout.count());
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;
    const ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of its stdout
    output.append(buffer, static_cast<std::size_t>(n));
    if (output.size() > max_process_output) {
      why = "printed more than 1 MiB";
      break;
    }
  }
  ::close(out[0]);
  if (!why.empty()) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (why.empty()) {
    if (WIFSIGNALED(status)) why = fmt::format("was killed by signal {}", WTERMSIG(status));
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      why = fmt::format("failed (exit status {})", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  if (!why.empty()) {
    sigv4::detail::wipe_string(output);
    throw fail(why);
  }
  return output;
#endif
}

/// Credentials from a profile's credential_process, judged at `now`.
/// @throws sigv4::error as run_credential_process and credentials_from_process_output, the
///         message naming the profile.
inline sigv4::credentials credentials_from_process(const std::string& command, std::string_view profile,
                                                   std::chrono::milliseconds timeout, sigv4::time_point now) {
  std::string output = run_credential_process(command, profile, timeout);
  try {
    sigv4::credentials c = sigv4::credentials_from_process_output(output, now);
    sigv4::detail::wipe_string(output);
    return c;
  } catch (const sigv4::error& e) {
    sigv4::detail::wipe_string(output);
    throw sigv4::error(static_cast<sigv4::errc>(e.code().value()),
                       fmt::format("profile '{}': {}", profile, sigv4::detail::error_detail(e)));
  }
}

}  // namespace sigv4_cli

#endif
