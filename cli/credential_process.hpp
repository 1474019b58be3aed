// Runs a profile's credential_process (POSIX): `/bin/sh -c COMMAND`, its stdout captured
// (at most 1 MiB), its stderr passed through, killed with its process group after a timeout. The answer is read by
// sigv4::credentials_from_process_output (sigv4/aws_config.hpp).
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
#include <string>
#include <string_view>

#if !defined(_WIN32)
#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace sigv4_cli {

inline constexpr std::size_t max_process_output = std::size_t{1} << 20;

/// The stdout of `/bin/sh -c command`, which must exit 0 within `timeout`.
/// @throws sigv4::error errc::credentials_not_found when it cannot be started, times out (it
///         is killed), exits otherwise than with 0, or prints more than 1 MiB. The messages
///         name the profile, never the output.
inline std::string run_credential_process(const std::string& command, std::string_view profile,
                                          std::chrono::milliseconds timeout) {
  const std::string who = fmt::format("the credential_process of profile '{}'", profile);
  const auto fail = [&](const std::string& why) { return sigv4::error(sigv4::errc::credentials_not_found, who + " " + why); };
#if defined(_WIN32)
  (void)command;
  (void)timeout;
  throw fail("cannot be run: credential_process is supported on POSIX systems only");
#else
  int out[2];
  if (::pipe(out) != 0) throw fail(fmt::format("cannot be started: {}", std::strerror(errno)));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out[0]);
    ::close(out[1]);
    throw fail(fmt::format("cannot be started: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    ::setpgid(0, 0);  // its own process group, so that a timeout kills its children too
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
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
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) why = "could not be run (exit status 127)";
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
