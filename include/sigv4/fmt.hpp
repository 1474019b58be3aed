/// @file
/// sigv4 — optional {fmt} formatters for the public types. Include it only where {fmt} is
/// available; nothing else in the library needs {fmt}. Secrets are never formatted: credentials
/// print their key id with the secret and session token redacted, signing keys print nothing
/// of themselves.
#ifndef SIGV4_FMT_HPP
#define SIGV4_FMT_HPP

#include "detail/config.hpp"

#include <fmt/format.h>

#include <string_view>

#include "credentials.hpp"
#include "errors.hpp"
#include "policy.hpp"
#include "s3.hpp"
#include "signer.hpp"
#include "time.hpp"
#include "verify.hpp"

namespace sigv4::detail {
SIGV4_BACKEND_NS_BEGIN
// Formats a value through a string the library already knows how to make.
template <class T, class ToText>
struct text_formatter : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const T& value, Context& ctx) const -> decltype(ctx.out()) {
    return fmt::formatter<std::string_view>::format(ToText{}(value), ctx);
  }
};
struct errc_text {
  std::string operator()(errc e) const { return make_error_code(e).message(); }
};
struct reason_text {
  std::string_view operator()(verify_reason r) const { return to_string(r); }
};
struct amz_date_text {
  std::string_view operator()(const amz_date& d) const { return d.str(); }
};
struct credentials_text {
  std::string operator()(const credentials& c) const { return to_string(c); }
};
struct signing_key_text {
  std::string_view operator()(const signing_key&) const { return "signing_key{<redacted>}"; }
};
struct ip_text {
  std::string operator()(const policy::ip_address& a) const { return a.to_string(); }
};
struct cidr_text {
  std::string operator()(const policy::cidr_block& b) const { return b.to_string(); }
};
struct endpoint_text {
  std::string operator()(const s3::endpoint& e) const { return (e.https ? "https://" : "http://") + e.authority(); }
};
SIGV4_BACKEND_NS_END
}  // namespace sigv4::detail

/// {fmt} formatter of sigv4::errc: the category message ("invalid date").
template <>
struct fmt::formatter<sigv4::errc> : sigv4::detail::text_formatter<sigv4::errc, sigv4::detail::errc_text> {};
/// {fmt} formatter of sigv4::verify_reason: to_string() of the reason ("expired").
template <>
struct fmt::formatter<sigv4::verify_reason>
    : sigv4::detail::text_formatter<sigv4::verify_reason, sigv4::detail::reason_text> {};
/// {fmt} formatter of sigv4::amz_date: "YYYYMMDDTHHMMSSZ".
template <>
struct fmt::formatter<sigv4::amz_date> : sigv4::detail::text_formatter<sigv4::amz_date, sigv4::detail::amz_date_text> {};
/// {fmt} formatter of sigv4::credentials: to_string(), the key id with the secret and token redacted.
template <>
struct fmt::formatter<sigv4::credentials>
    : sigv4::detail::text_formatter<sigv4::credentials, sigv4::detail::credentials_text> {};
/// {fmt} formatter of sigv4::signing_key: "signing_key{<redacted>}", nothing of the key.
template <>
struct fmt::formatter<sigv4::signing_key>
    : sigv4::detail::text_formatter<sigv4::signing_key, sigv4::detail::signing_key_text> {};
/// {fmt} formatter of sigv4::policy::ip_address: its canonical text (RFC 5952 for IPv6).
template <>
struct fmt::formatter<sigv4::policy::ip_address>
    : sigv4::detail::text_formatter<sigv4::policy::ip_address, sigv4::detail::ip_text> {};
/// {fmt} formatter of sigv4::policy::cidr_block: "network/prefix".
template <>
struct fmt::formatter<sigv4::policy::cidr_block>
    : sigv4::detail::text_formatter<sigv4::policy::cidr_block, sigv4::detail::cidr_text> {};
/// {fmt} formatter of sigv4::s3::endpoint: "scheme://authority".
template <>
struct fmt::formatter<sigv4::s3::endpoint>
    : sigv4::detail::text_formatter<sigv4::s3::endpoint, sigv4::detail::endpoint_text> {};

#endif
