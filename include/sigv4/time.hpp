/// @file
/// sigv4 — the X-Amz-Date format (YYYYMMDDTHHMMSSZ, UTC) and the scope date (YYYYMMDD).
/// Every signing entry point takes a time; "now" is only ever read by thin wrappers.
#ifndef SIGV4_TIME_HPP
#define SIGV4_TIME_HPP

#include "detail/config.hpp"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "errors.hpp"

namespace sigv4 {

/// The clock and time point every API takes.
using clock = std::chrono::system_clock;
/// A point in time of sigv4::clock (UTC; the signing time, the time of a check).
using time_point = std::chrono::system_clock::time_point;

/// A formatted X-Amz-Date, kept inline (no allocation).
namespace detail {
struct day_and_second {
  std::int64_t day;     // days since 1970-01-01
  std::int64_t second;  // seconds into that day, 0..86399
};
class amz_date_builder;
}  // namespace detail

/// str() and date() are views into the object itself: 16 (8) characters with no terminating
/// NUL, valid while the amz_date lives. Do not pass their data() to a function that expects a
/// C string; to keep the text, use to_string() (or std::string(d)).
class amz_date {
 public:
  /// The X-Amz-Date text.
  /// @return "YYYYMMDDTHHMMSSZ", a view into this object (no terminating NUL).
  std::string_view str() const noexcept { return {text_, 16}; }
  /// The date of the credential scope.
  /// @return "YYYYMMDD", a view into this object (no terminating NUL).
  std::string_view date() const noexcept { return {text_, 8}; }
  /// The X-Amz-Date text, copied.
  /// @return "YYYYMMDDTHHMMSSZ" as an owned string.
  std::string to_string() const { return std::string(text_, 16); }
  /// "YYYYMMDDTHHMMSSZ" as an owned string.
  explicit operator std::string() const { return to_string(); }

 private:
  friend amz_date format_amz_date(time_point t);
  friend class detail::amz_date_builder;
  char text_[16] = {};
};

namespace detail {
// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil_date {
  std::int64_t year;
  unsigned month, day;
};

constexpr civil_date civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

// Seconds since the epoch as a time_point; nullopt when the clock cannot hold them
// (libstdc++'s nanosecond clock ends in 2262).
inline std::optional<time_point> time_from_seconds(std::int64_t secs) noexcept {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  constexpr std::int64_t max_secs = duration_cast<seconds>(time_point::duration::max()).count();
  constexpr std::int64_t min_secs = duration_cast<seconds>(time_point::duration::min()).count();
  if (secs > max_secs || secs < min_secs) return std::nullopt;
  return time_point(duration_cast<time_point::duration>(seconds(secs)));
}

// Whole seconds since the epoch, rounded down.
inline std::int64_t epoch_seconds(time_point t) noexcept {
  using namespace std::chrono;
  std::int64_t secs = duration_cast<seconds>(t.time_since_epoch()).count();
  if (t.time_since_epoch() < duration_cast<time_point::duration>(seconds(secs))) --secs;
  return secs;
}

// t + d without overflow: saturates at the ends of the clock's range.
inline time_point add_seconds(time_point t, std::int64_t d) noexcept {
  if (auto r = time_from_seconds(epoch_seconds(t) + d)) return *r + (t - *time_from_seconds(epoch_seconds(t)));
  return d > 0 ? time_point::max() : time_point::min();
}

inline void put_digits(char* out, unsigned value, int width) noexcept {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

inline bool read_digits(std::string_view s, std::size_t at, int width, unsigned& value) noexcept {
  value = 0;
  for (int i = 0; i < width; ++i) {
    const char c = s[at + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}
}  // namespace detail

namespace detail {
// Splits a time into its day and the second within it (rounding down, also before 1970).
inline day_and_second split_time(time_point t) noexcept {
  using namespace std::chrono;
  std::int64_t secs = duration_cast<seconds>(t.time_since_epoch()).count();
  if (t.time_since_epoch() < duration_cast<time_point::duration>(seconds(secs))) --secs;  // floor
  const std::int64_t day = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  return {day, secs - day * 86400};
}

// Builds an X-Amz-Date from a day already written as YYYYMMDD and the second of that day.
class amz_date_builder {
 public:
  static amz_date make(std::string_view yyyymmdd, std::int64_t second) noexcept {
    amz_date out;
    // eight bytes, a fixed-size copy (string_view::copy would call memcpy for a length it
    // has to compute); every caller passes a YYYYMMDD of eight characters
    std::memcpy(out.text_, yyyymmdd.data(), 8);
    out.text_[8] = 'T';
    put_digits(out.text_ + 9, static_cast<unsigned>(second / 3600), 2);
    put_digits(out.text_ + 11, static_cast<unsigned>(second / 60 % 60), 2);
    put_digits(out.text_ + 13, static_cast<unsigned>(second % 60), 2);
    out.text_[15] = 'Z';
    return out;
  }
};
}  // namespace detail

/// Formats a time as X-Amz-Date (UTC, whole seconds; sub-second parts are dropped).
/// Years outside 0000..9999 cannot be written and are clamped to that range's ends.
/// @param t the time.
/// @return its X-Amz-Date ("YYYYMMDDTHHMMSSZ"); never throws.
inline amz_date format_amz_date(time_point t) {
  const detail::day_and_second split = detail::split_time(t);
  std::int64_t days = split.day;
  std::int64_t sod = split.second;
  constexpr std::int64_t min_days = detail::days_from_civil(0, 1, 1);
  constexpr std::int64_t max_days = detail::days_from_civil(9999, 12, 31);
  if (days < min_days) days = min_days, sod = 0;
  if (days > max_days) days = max_days, sod = 86399;
  const auto c = detail::civil_from_days(days);
  char day[8];
  detail::put_digits(day, static_cast<unsigned>(c.year), 4);
  detail::put_digits(day + 4, c.month, 2);
  detail::put_digits(day + 6, c.day, 2);
  return detail::amz_date_builder::make(std::string_view(day, 8), sod);
}

/// Parses an X-Amz-Date ("YYYYMMDDTHHMMSSZ", UTC) strictly: exactly 16 characters, a real
/// calendar date, hours 00-23, minutes and seconds 00-59, within the clock's range.
/// @param text the date, e.g. "20130524T000000Z".
/// @return the time it names.
/// @throws sigv4::error errc::invalid_date naming the text.
inline time_point parse_amz_date(std::string_view text) {
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const bool shape = text.size() == 16 && text[8] == 'T' && text[15] == 'Z' && detail::read_digits(text, 0, 4, y) &&
                     detail::read_digits(text, 4, 2, mo) && detail::read_digits(text, 6, 2, d) &&
                     detail::read_digits(text, 9, 2, h) && detail::read_digits(text, 11, 2, mi) &&
                     detail::read_digits(text, 13, 2, s);
  std::optional<time_point> t;
  if (shape && mo >= 1 && mo <= 12 && d >= 1 && d <= detail::days_in_month(y, mo) && h <= 23 && mi <= 59 && s <= 59)
    t = detail::time_from_seconds(detail::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
  if (!t) throw error(errc::invalid_date, detail::quote_input(text) + " is not a date of the form YYYYMMDDTHHMMSSZ within the clock's range");
  return *t;
}

/// Non-throwing twin of parse_amz_date.
/// @param text the date.
/// @param ec set to errc::invalid_date on failure, cleared on success.
/// @return the time, or the epoch when `ec` is set.
inline time_point parse_amz_date(std::string_view text, std::error_code& ec) {
  return detail::capture_error(ec, [&] { return parse_amz_date(text); });
}

// ISO-8601 times (AWS_CREDENTIAL_EXPIRATION, STS <Expiration>)

namespace detail {
// "YYYY-MM-DDTHH:MM:SS[.f...](Z|+00:00)"; nullopt when malformed, not a real calendar time, or
// outside what time_point can hold. Fraction digits past nanoseconds are read and dropped.
inline std::optional<time_point> try_parse_iso8601(std::string_view t) noexcept {
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (t.size() < 20) return std::nullopt;
  const bool shape = read_digits(t, 0, 4, y) && t[4] == '-' && read_digits(t, 5, 2, mo) && t[7] == '-' &&
                     read_digits(t, 8, 2, d) && t[10] == 'T' && read_digits(t, 11, 2, h) && t[13] == ':' &&
                     read_digits(t, 14, 2, mi) && t[16] == ':' && read_digits(t, 17, 2, s);
  if (!shape || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59)
    return std::nullopt;
  std::size_t i = 19;
  std::int64_t nanos = 0;
  if (t[i] == '.') {
    ++i;
    int digits = 0;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++digits)
      if (digits < 9) nanos = nanos * 10 + (t[i] - '0');
    if (digits == 0) return std::nullopt;
    for (; digits < 9; ++digits) nanos *= 10;
  }
  const std::string_view zone = t.substr(i);
  if (zone != "Z" && zone != "+00:00") return std::nullopt;
  const auto whole = time_from_seconds(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
  if (!whole) return std::nullopt;
  return *whole + std::chrono::duration_cast<time_point::duration>(std::chrono::nanoseconds(nanos));
}
}  // namespace detail

/// Parses an ISO-8601 / RFC 3339 UTC time strictly: `YYYY-MM-DDTHH:MM:SSZ`, optionally with a
/// fraction of a second (`.sss`, any number of digits, kept to the clock's resolution), and with
/// `Z` or `+00:00` as the zone. The form AWS uses for credential expiry (STS, the SDKs'
/// AWS_CREDENTIAL_EXPIRATION). Upper-case `T` and `Z` only; no leap second 60.
/// @param text the time, e.g. "2026-11-22T15:04:05Z".
/// @return the time it names.
/// @throws sigv4::error errc::invalid_date naming the text when it is malformed, not a real
///         calendar time, or outside what time_point can represent.
inline time_point parse_iso8601(std::string_view text) {
  if (auto t = detail::try_parse_iso8601(text)) return *t;
  throw error(errc::invalid_date,
              detail::quote_input(text) + " is not an ISO-8601 UTC time such as 2026-11-22T15:04:05Z (or is out of range)");
}

/// Non-throwing twin of parse_iso8601: sets `ec` and returns the epoch on failure.
/// @param text the time.
/// @param ec set to errc::invalid_date on failure, cleared on success.
/// @return the time, or the epoch when `ec` is set.
inline time_point parse_iso8601(std::string_view text, std::error_code& ec) {
  return detail::capture_error(ec, [&] { return parse_iso8601(text); });
}

}  // namespace sigv4

#endif
