/// @file
/// sigv4 — temporary credentials refreshed before they expire, sans-IO: the schedule says when
/// to ask STS for new ones; the application makes the HTTP call (sts::assume_role,
/// sts::assume_role_with_web_identity, ...) and hands the answer back, which the strict STS
/// parser reads. No thread, no socket, no clock read: every call takes the time.
#ifndef SIGV4_REFRESH_HPP
#define SIGV4_REFRESH_HPP

#include "detail/config.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "credentials.hpp"
#include "errors.hpp"
#include "sts.hpp"
#include "time.hpp"

namespace sigv4 {
SIGV4_BACKEND_NS_BEGIN

/// When a refreshing_credentials asks for new credentials.
struct refresh_options {
  /// Ask this long before the credentials expire. A presigner refuses (or, with
  /// credential_expiry::clamp, shortens) a URL that would outlive its credentials, so make
  /// this at least the longest URL lifetime the application hands out, plus a margin for the
  /// STS call: links of 15 to 60 minutes want refresh_before of 65 minutes or more (and
  /// credentials that last longer than that).
  std::chrono::seconds refresh_before{300};
  /// After a failed call (refresh_failed, or an answer refused), wait this long before the
  /// next one is due.
  std::chrono::seconds retry_after{30};
};

/// What handing an STS answer back did.
struct refresh_result {
  bool accepted = false;  ///< the answer's credentials are now current: give them to the presigner
  std::optional<std::string> problem;  ///< why the answer was refused (never a secret); the old credentials stay
};

/// Temporary credentials and the schedule of their refresh. Start empty (refresh_due is true);
/// each time refresh_due(now) says so, the application asks STS and hands the XML answer to
/// accept_answer (or, when the call itself failed, calls refresh_failed). Safe to share between
/// threads: begin_refresh lets one of them make the call.
///
/// Times are wall-clock (the credentials' expiry is): a clock that jumps forward makes a
/// refresh due early, one that jumps back before a failed attempt makes the retry due at once.
class refreshing_credentials {
 public:
  /// Starts without credentials: the first call is due at once.
  /// @param o when to refresh and when to retry.
  explicit refreshing_credentials(refresh_options o = {}) : options_(o) {}
  refreshing_credentials(const refreshing_credentials&) = delete;
  refreshing_credentials& operator=(const refreshing_credentials&) = delete;

  /// @return the options it was made with.
  const refresh_options& options() const noexcept { return options_; }

  /// The current credentials, if any were accepted (they may have expired: see expired()).
  /// @return a copy of them; nullopt before the first accepted answer.
  std::optional<credentials> current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }

  /// When the next call is due: at once without credentials, else refresh_before ahead of
  /// their expiry, or after a failure retry_after after it (whichever is later).
  /// @return the time the next call is due; time_point::min() while there are no credentials
  ///         with an expiry and no failed call.
  time_point refresh_at() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return due_at();
  }

  /// Whether the application should ask STS now.
  /// @param now the current wall-clock time.
  /// @return true when a call is due at `now` (see refresh_at).
  bool refresh_due(time_point now) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return is_due(now);
  }

  /// Whether the current credentials (if any) have expired at `now`.
  /// @param now the current wall-clock time.
  /// @return true when there are none, they have no expiry, or it is not after `now`.
  bool expired(time_point now) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return !current_ || !current_->expiration() || *current_->expiration() <= now;
  }

  /// true when a call is due and no other thread has begun one: the caller makes it and then
  /// calls accept_answer or refresh_failed. (A call begun more than retry_after ago counts as
  /// lost and may be begun again.)
  /// @param now the current wall-clock time.
  /// @return true when this caller is to make the STS call.
  bool begin_refresh(time_point now) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!is_due(now)) return false;
    if (in_flight_ && now >= *in_flight_ && now - *in_flight_ < options_.retry_after) return false;
    in_flight_ = now;
    return true;
  }

  /// Hands the STS answer (GetSessionToken, AssumeRole, AssumeRoleWithWebIdentity,
  /// AssumeRoleWithClientGrants: the same document) back. Parsed by
  /// sts::parse_credentials_response; credentials that have already expired at `now` are
  /// refused. On refusal the old credentials stay and the next call is due retry_after later.
  /// The caller's `xml` holds the secret: wipe it when done.
  /// Never throws for a bad answer: the refusal is in the result.
  /// @param xml the body of the STS answer.
  /// @param now the current wall-clock time.
  /// @return whether the answer was accepted, and why not when it was refused.
  refresh_result accept_answer(std::string_view xml, time_point now) {
    refresh_result r;
    std::optional<credentials> fresh;
    try {
      fresh = sts::parse_credentials_response(xml);
    } catch (const error& e) {
      r.problem = e.what();
    }
    if (fresh && (!fresh->expiration() || *fresh->expiration() <= now)) {
      r.problem = "the STS answer's credentials expired at " + std::string(format_amz_date(*fresh->expiration()).str()) +
                  ", before they were received";
      fresh.reset();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    in_flight_.reset();
    if (!fresh) {
      failed_at_ = now;
      return r;
    }
    current_ = std::move(fresh);
    failed_at_.reset();
    r.accepted = true;
    return r;
  }

  /// accept_answer, and when accepted target.set_credentials(the new credentials) (an
  /// s3::presigner, say).
  /// @param target anything with set_credentials(const credentials&).
  /// @param xml the body of the STS answer.
  /// @param now the current wall-clock time.
  /// @return what accept_answer returned.
  template <class Target>
  refresh_result accept_answer_into(Target& target, std::string_view xml, time_point now) {
    refresh_result r = accept_answer(xml, now);
    if (r.accepted) target.set_credentials(*current());
    return r;
  }

  /// The STS call could not be made or answered (a network error, a 5xx): the old credentials
  /// stay, and the next call is due retry_after later.
  /// @param now the current wall-clock time (when the call failed).
  void refresh_failed(time_point now) {
    std::lock_guard<std::mutex> lock(mutex_);
    in_flight_.reset();
    failed_at_ = now;
  }

 private:
  time_point due_at() const {
    time_point due = time_point::min();
    if (current_ && current_->expiration())
      due = sigv4::detail::add_seconds(*current_->expiration(), -options_.refresh_before.count());
    if (failed_at_) due = std::max(due, sigv4::detail::add_seconds(*failed_at_, options_.retry_after.count()));
    return due;
  }
  bool is_due(time_point now) const {
    if (failed_at_ && now < *failed_at_) return true;  // the clock went back past the failure
    return now >= due_at();
  }

  refresh_options options_;
  mutable std::mutex mutex_;
  std::optional<credentials> current_;
  std::optional<time_point> failed_at_;  // the last failed attempt, while no answer has been accepted since
  std::optional<time_point> in_flight_;  // when the call under way began
};

SIGV4_BACKEND_NS_END
}  // namespace sigv4

#endif
