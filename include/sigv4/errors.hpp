/// @file
/// sigv4 — the library's one error type: an enum, its category, and an exception.
#ifndef SIGV4_ERRORS_HPP
#define SIGV4_ERRORS_HPP

#include "detail/config.hpp"

#include <cstddef>
#include <string>
#include <system_error>
#include <type_traits>

namespace sigv4 {

/// Every way a sigv4 call can fail. Messages name the problem, never a secret.
enum class errc {
  ok = 0,                  ///< no error (the value of a cleared std::error_code)
  invalid_method = 1,      ///< HTTP method empty or not an RFC 9110 token
  invalid_path,            ///< path does not start with '/' or is otherwise unusable
  invalid_query,           ///< malformed percent-encoding in a query, or auth parameters already present
  invalid_header_name,     ///< header name empty or not an RFC 9110 token
  invalid_header_value,    ///< header value with CR, LF, NUL or another control character
  missing_host_header,     ///< the request to sign has no Host header
  invalid_payload_hash,    ///< a precomputed payload hash that is not 64 lower-case hex digits
  invalid_date,            ///< a date that is not YYYYMMDDTHHMMSSZ, or out of range
  invalid_expiry,          ///< presign expiry outside 1..604800 seconds
  invalid_region,          ///< empty region, or with '/', whitespace or control characters
  invalid_service,         ///< empty service, or with '/', whitespace or control characters
  invalid_credentials,     ///< empty access key id or secret, or an access key id with '/' or whitespace
  credentials_not_found,   ///< no credentials where they were looked for
  credentials_expired,     ///< temporary credentials that expire before the URL would
  malformed_url,           ///< not raised by this version; kept so that the codes after it keep their values
  invalid_endpoint,        ///< an endpoint with a path, query, fragment, user info, or a bad scheme/host/port
  invalid_bucket_name,     ///< a bucket name outside S3's naming rules
  invalid_object_key,      ///< an object key that is empty, longer than 1024 bytes, or not valid UTF-8
  invalid_request,         ///< an HTTP request text that cannot be parsed
  invalid_argument,        ///< any other argument outside its documented domain
  crypto_failure,          ///< OpenSSL reported an error
  invalid_policy,          ///< a policy document or condition that cannot be written or is too large
  invalid_sts_response,    ///< an STS answer that is not the expected XML, or an STS error answer
  invalid_ip_address,      ///< an IP address or CIDR block that does not parse strictly
};

namespace detail {
class error_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sigv4"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok: return "success";
      case errc::invalid_method: return "invalid HTTP method";
      case errc::invalid_path: return "invalid path";
      case errc::invalid_query: return "invalid query string";
      case errc::invalid_header_name: return "invalid header name";
      case errc::invalid_header_value: return "invalid header value";
      case errc::missing_host_header: return "missing Host header";
      case errc::invalid_payload_hash: return "invalid payload hash";
      case errc::invalid_date: return "invalid date";
      case errc::invalid_expiry: return "expiry out of range";
      case errc::invalid_region: return "invalid region";
      case errc::invalid_service: return "invalid service";
      case errc::invalid_credentials: return "invalid credentials";
      case errc::credentials_not_found: return "credentials not found";
      case errc::credentials_expired: return "credentials expire too soon";
      case errc::malformed_url: return "malformed URL";
      case errc::invalid_endpoint: return "invalid endpoint";
      case errc::invalid_bucket_name: return "invalid bucket name";
      case errc::invalid_object_key: return "invalid object key";
      case errc::invalid_request: return "invalid HTTP request";
      case errc::invalid_argument: return "invalid argument";
      case errc::crypto_failure: return "cryptographic library failure";
      case errc::invalid_policy: return "invalid policy";
      case errc::invalid_sts_response: return "invalid STS response";
      case errc::invalid_ip_address: return "invalid IP address or CIDR block";
    }
    return "unknown sigv4 error";
  }
};
}  // namespace detail

/// The category of every sigv4 error code; its name() is "sigv4".
/// @return the one category object, valid for the whole program.
inline const std::error_category& error_category() noexcept {
  static const detail::error_category_impl category;
  return category;
}

/// Makes a std::error_code from a sigv4::errc (found by ADL, so `ec == sigv4::errc::...` works).
/// @param e the code.
/// @return `{int(e), error_category()}`.
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

/// The one exception type. what() is "<detail>: <category message>"; the detail names the
/// offending input (a header name, a bucket name, a date), never a secret or signature.
class error : public std::system_error {
 public:
  /// @param code what went wrong.
  /// @param detail the offending input, named (never a secret); what() starts with it.
  error(errc code, const std::string& detail) : std::system_error(make_error_code(code), detail) {}
  /// @param code what went wrong; what() is the category message alone.
  explicit error(errc code) : std::system_error(make_error_code(code)) {}
};

namespace detail {
// Quotes user input for an error message: at most 64 bytes, non-printable bytes as \xNN.
inline std::string quote_input(const char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "'";
  const std::size_t n = size < 64 ? size : 64;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  if (size > n) out += "...";
  out.push_back('\'');
  return out;
}
template <class S>
std::string quote_input(const S& s) {
  return quote_input(s.data(), s.size());
}

// Runs `f`, turning a sigv4::error into `ec` (the twin of every throwing entry point).
template <class F>
auto capture_error(std::error_code& ec, F&& f) -> decltype(f()) {
  ec.clear();
  try {
    return f();
  } catch (const sigv4::error& e) {
    ec = e.code();
  }
  if constexpr (!std::is_void_v<decltype(f())>) return {};
}
}  // namespace detail

}  // namespace sigv4

/// Makes sigv4::errc a std::error_code enum: an errc converts to std::error_code implicitly.
template <>
struct std::is_error_code_enum<sigv4::errc> : std::true_type {};

#endif
