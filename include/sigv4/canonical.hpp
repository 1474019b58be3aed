/// @file
/// sigv4 — the pure step functions of Signature Version 4: canonical URI, canonical query,
/// canonical headers, canonical request and string to sign. Each takes plain values and
/// returns a string; the signer and the verifier are built from these and nothing else.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
#ifndef SIGV4_CANONICAL_HPP
#define SIGV4_CANONICAL_HPP

#include "detail/config.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "detail/ascii.hpp"
#include "detail/hex.hpp"
#include "detail/openssl.hpp"
#include "detail/percent.hpp"
#include "errors.hpp"

namespace sigv4 {
SIGV4_BACKEND_NS_BEGIN

/// An HTTP header as the caller has it (any case, untrimmed).
struct header {
  std::string name;   ///< the field name, e.g. "Content-Type" (any case)
  std::string value;  ///< the field value as received or to be sent
};

/// A query parameter, decoded (the encoder adds the percent-encoding).
struct query_param {
  std::string name;   ///< the decoded name
  std::string value;  ///< the decoded value (empty for a parameter without '=')
};

/// How a path becomes the canonical URI.
enum class path_rules {
  /// S3: the path is the object's path as it is (e.g. "/bucket/a b//../c"), never
  /// normalised, percent-encoded once with '/' kept.
  s3,
  /// Every other AWS service: the path as sent on the wire is normalised (empty and "."
  /// segments removed, ".." resolved) and then percent-encoded ('%' becomes %25: AWS's
  /// "double encoding" of an already encoded path).
  generic,
};

/// The payload line of the canonical request: a hex SHA-256 or UNSIGNED-PAYLOAD.
class payload_hash {
 public:
  /// The SHA-256 of `body`.
  /// @param body the whole payload.
  /// @return its hex SHA-256.
  /// @throws sigv4::error errc::crypto_failure when OpenSSL fails.
  static payload_hash of(std::string_view body) {
    const auto d = detail::sha256(body);
    payload_hash p;
    detail::hex_encode(d.data(), d.size(), p.text_);
    p.size_ = 64;
    return p;
  }
  /// The hash of the empty body (e3b0c442...b855).
  /// @return payload_hash::of("").
  static payload_hash empty() { return of({}); }
  /// The literal UNSIGNED-PAYLOAD (S3 presigned URLs, unsigned S3 uploads).
  /// @return the UNSIGNED-PAYLOAD marker.
  static payload_hash unsigned_payload() noexcept {
    payload_hash p;
    constexpr std::string_view text = "UNSIGNED-PAYLOAD";
    text.copy(p.text_, text.size());
    p.size_ = static_cast<unsigned char>(text.size());
    return p;
  }
  /// A hash computed elsewhere: 64 hex digits (upper case is lowered).
  /// @param hex the hash in hex, e.g. the X-Amz-Content-Sha256 a client sent.
  /// @return the hash, lower-cased.
  /// @throws sigv4::error errc::invalid_payload_hash otherwise.
  static payload_hash precomputed(std::string_view hex) {
    payload_hash p;
    bool ok = hex.size() == 64;
    for (std::size_t i = 0; ok && i < 64; ++i) {
      const int v = detail::hex_value(hex[i]);
      ok = v >= 0;
      if (ok) p.text_[i] = detail::hex_lower[v];
    }
    if (!ok) throw error(errc::invalid_payload_hash, "a payload hash must be 64 hex digits, got " + detail::quote_input(hex));
    p.size_ = 64;
    return p;
  }

  /// @return the payload line: 64 lower-case hex digits or "UNSIGNED-PAYLOAD" (a view into this object).
  std::string_view value() const noexcept { return {text_, size_}; }
  /// @return whether this is UNSIGNED-PAYLOAD.
  bool is_unsigned() const noexcept { return size_ != 64; }

 private:
  payload_hash() = default;
  char text_[64] = {};
  unsigned char size_ = 0;
};

SIGV4_BACKEND_NS_END
namespace detail {
SIGV4_BACKEND_NS_BEGIN

// RFC 9110 tchar, one bit per byte.
struct token_char_table {
  bool is[256] = {};
  constexpr token_char_table() {
    for (int c = 'a'; c <= 'z'; ++c) is[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) is[c] = true;
    for (int c = '0'; c <= '9'; ++c) is[c] = true;
    for (char c : {'!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~'})
      is[static_cast<unsigned char>(c)] = true;
  }
};
inline constexpr token_char_table token_chars{};

// RFC 9110 tchar.
inline bool is_token_char(char c) noexcept { return token_chars.is[static_cast<unsigned char>(c)]; }

inline bool is_token(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

inline void check_header_name(std::string_view name) {
  if (!is_token(name)) throw error(errc::invalid_header_name, "header name " + quote_input(name) + " is not an HTTP token");
}

// Whether a header value holds a control character (any below 0x20 but tab, or DEL): one
// branch-free pass, which the compiler turns into vector code.
inline bool has_control_char(std::string_view value) noexcept {
  bool bad = false;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    bad |= (u < 0x20 && c != '\t') || u == 0x7f;
  }
  return bad;
}

inline void check_header_value(std::string_view name, std::string_view value) {
  if (!has_control_char(value)) return;  // the loop below names the problem
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      const char* what = c == '\r' || c == '\n' ? " holds CR or LF" : c == '\0' ? " holds NUL" : " holds a control character";
      throw error(errc::invalid_header_value, "the value of header " + quote_input(name) + what);
    }
  }
}

// Writes a header value with leading and trailing blanks removed and inner runs of blanks
// (space, tab) collapsed to one space to out (room for v.size() characters); returns the end.
inline char* write_trimmed_value(char* out, std::string_view v) noexcept {
  // most values have no blank at either end, no tab and no two spaces in a row: copied at once
  if (!v.empty() && v.front() != ' ' && v.back() != ' ' && v.find('\t') == std::string_view::npos &&
      v.find("  ") == std::string_view::npos) {
    std::memcpy(out, v.data(), v.size());
    return out + v.size();
  }
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  std::size_t i = 0;
  bool first = true;
  while (i < v.size()) {
    while (i < v.size() && blank(v[i])) ++i;  // a run of spaces and tabs
    std::size_t j = i;
    while (j < v.size() && !blank(v[j])) ++j;  // a word, copied at once
    if (j == i) break;
    if (!first) *out++ = ' ';
    std::memcpy(out, v.data() + i, j - i);
    out += j - i;
    first = false;
    i = j;
  }
  return out;
}

// Appends a header value trimmed as write_trimmed_value does.
inline void append_trimmed_value(std::string& out, std::string_view v) {
  const std::size_t at = out.size();
  out.resize(at + v.size());
  out.resize(static_cast<std::size_t>(write_trimmed_value(&out[0] + at, v) - out.data()));
}

inline void check_method(std::string_view method) {
  if (!is_token(method)) throw error(errc::invalid_method, "HTTP method " + quote_input(method) + " is not a token");
}

// Appends the normalised form of a path: empty and "." segments dropped, ".." resolved (never
// above the root); a trailing '/' is kept, and added when the path ends in "." or "..".
inline void append_normalized_path(std::string& out, std::string_view path) {
  const std::size_t root = out.size();
  out.push_back('/');
  bool trailing_slash = false;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    const std::string_view seg = path.substr(i, j - i);
    trailing_slash = j < path.size() || seg == "." || seg == "..";
    if (seg == "..") {
      if (out.size() > root + 1) {
        out.resize(out.size() - 1);  // drop the '/' that ends the last kept segment
        out.resize(out.find_last_of('/') + 1);
      }
    } else if (!seg.empty() && seg != ".") {
      out.append(seg);
      out.push_back('/');
    }
    i = j + 1;
  }
  if (out.size() > root + 1 && !trailing_slash) out.pop_back();
}

inline void check_path(std::string_view path) {
  if (!path.empty() && path.front() != '/')
    throw error(errc::invalid_path, "path " + quote_input(path) + " does not start with '/'");
}

inline void append_canonical_uri(std::string& out, std::string_view path, path_rules rules) {
  check_path(path);
  if (path.empty()) {
    out.push_back('/');
  } else if (rules == path_rules::s3) {
    append_uri_encoded(out, path, encode_set::path);
  } else {
    std::string normalized;
    normalized.reserve(path.size() + 1);
    append_normalized_path(normalized, path);
    append_uri_encoded(out, normalized, encode_set::path);
  }
}

// A query parameter already encoded, as views into some buffer.
struct encoded_param {
  std::string_view name;
  std::string_view value;
  bool operator<(const encoded_param& o) const noexcept {
    return name < o.name || (name == o.name && value < o.value);
  }
};

// Sorts encoded parameters and appends them as name=value joined by '&'.
inline void append_sorted_query(std::string& out, encoded_param* first, encoded_param* last) {
  std::sort(first, last);
  for (auto* p = first; p != last; ++p) {
    if (p != first) out.push_back('&');
    out.append(p->name);
    out.push_back('=');
    out.append(p->value);
  }
}

// A header on its way into the canonical request: lower-cased name, value as received.
struct header_view {
  std::string_view name;
  std::string_view value;
};

// The room the canonical header lines of [first, last) can need: "name:value\n" each.
inline std::size_t canonical_header_lines_room(const header_view* first, const header_view* last) noexcept {
  std::size_t room = 0;
  for (const header_view* h = first; h != last; ++h) room += h->name.size() + h->value.size() + 2;
  return room;
}

// Writes the canonical header lines of the headers [first, last), sorted by name, to `b` (room
// for canonical_header_lines_room): "name:value\n" each, values trimmed, the values of a
// repeated name joined with ','. Returns the end of what it wrote.
inline char* write_canonical_header_lines(char* b, const header_view* first, const header_view* last) noexcept {
  for (const header_view* h = first; h != last; ++h) {
    if (h != first && h->name == (h - 1)->name) {
      b[-1] = ',';  // replaces the '\n' that ended the previous line
    } else {
      std::memcpy(b, h->name.data(), h->name.size());
      b += h->name.size();
      *b++ = ':';
    }
    b = write_trimmed_value(b, h->value);
    *b++ = '\n';
  }
  return b;
}

// Step 3's core, shared by the signer, the S3 presigner and the verifier: sorts the headers by
// name (stably, so repeated names keep their order), then appends "name:value\n" lines to
// `block` (write_canonical_header_lines) and the names joined with ';' to `signed_list`.
inline void append_canonical_headers(std::string& block, std::string& signed_list, header_view* first,
                                     header_view* last) {
  const auto by_name = [](const header_view& a, const header_view& b) { return a.name < b.name; };
  if (last - first <= 16) {
    for (header_view* i = first + (first != last); i < last; ++i)  // insertion sort: no allocation
      for (header_view* j = i; j > first && by_name(*j, *(j - 1)); --j) std::swap(*j, *(j - 1));
  } else {
    std::stable_sort(first, last, by_name);
  }
  // both strings grown once to what they can need, written through pointers, then cut
  std::size_t list_room = 0;
  for (const header_view* h = first; h != last; ++h) list_room += h->name.size() + 1;
  const std::size_t block_at = block.size(), list_at = signed_list.size();
  block.resize(block_at + canonical_header_lines_room(first, last));
  signed_list.resize(list_at + list_room);
  char* const b = write_canonical_header_lines(&block[0] + block_at, first, last);
  char* l = &signed_list[0] + list_at;
  for (const header_view* h = first; h != last; ++h) {
    if (h != first && h->name == (h - 1)->name) continue;
    if (h != first) *l++ = ';';
    std::memcpy(l, h->name.data(), h->name.size());
    l += h->name.size();
  }
  block.resize(static_cast<std::size_t>(b - block.data()));
  signed_list.resize(static_cast<std::size_t>(l - signed_list.data()));
}

// The one splitter of a raw query string, in one pass over its bytes: pieces on '&' (empty
// ones skipped), each split at its first '='. Calls f(name, value, has_equals, canonical,
// value_escaped) with the raw (still encoded) text; `canonical` tells that name and value are
// canonically encoded query components (every escape upper-case hex of a byte that needs one,
// nothing else outside the unreserved set) and that the value holds no '=' (the canonical
// query writes it %3D); `value_escaped` that the value holds a '%'.
// Both views always point into `query`: a piece without '=' has an empty value positioned at
// the piece's end, so a caller may take value.data() + value.size() as where the piece ends.
// Runs of sixteen unreserved bytes are passed at once.
template <class F>
void scan_raw_query(std::string_view query, F&& f) {
  const char* const p = query.data();
  const std::size_t n = query.size();
  std::size_t start = 0;                      // where the current piece starts
  std::size_t eq = std::string_view::npos;    // its first '='
  bool canonical = true;
  bool value_escaped = false;
  // (One call of f, so that it is inlined here: with two, its views went through the stack and
  // their reloads stalled on store forwarding.)
  const auto end_piece = [&](std::size_t end) {
    if (end > start) {
      const bool has_equals = eq != std::string_view::npos;
      const std::size_t name_end = has_equals ? eq : end;
      const std::size_t value_begin = has_equals ? eq + 1 : end;
      f(std::string_view(p + start, name_end - start), std::string_view(p + value_begin, end - value_begin), has_equals,
        canonical, value_escaped);
    }
    start = end + 1;
    eq = std::string_view::npos;
    canonical = true;
    value_escaped = false;
  };
  // every byte outside the unreserved set: a separator, the '%' of an escape (whose hex digits
  // are unreserved themselves), or a byte that makes the piece not canonical
  const auto special = [&](std::size_t i) {
    const char c = p[i];
    if (c == '&') {
      end_piece(i);
    } else if (c == '=') {
      if (eq == std::string_view::npos) eq = i;
      else canonical = false;
    } else if (c == '%') {
      value_escaped = value_escaped || eq != std::string_view::npos;
      if (!is_canonical_escape(p, i, n, encode_set::component)) canonical = false;
    } else {
      canonical = false;
    }
  };
  std::size_t i = 0;
#if defined(__SSE2__) || defined(_M_X64)
  // sixteen bytes at a time: a mask of the special ones, visited lowest first
  for (; n - i >= 16; i += 16) {
    unsigned bits = ~unreserved_mask16(p + i, encode_set::component) & 0xffffu;
    for (; bits != 0; bits &= bits - 1) special(i + static_cast<std::size_t>(lowest_bit(bits)));
  }
#endif
  for (; i < n; ++i)
    if (!(unreserved.bits[static_cast<unsigned char>(p[i])] & static_cast<unsigned char>(encode_set::component)))
      special(i);
  end_piece(n);
}

// Splits a raw query string on '&' and the first '=' (scan_raw_query); empty pieces are
// skipped. Calls f(name, value, has_equals) with the raw (still encoded) text.
template <class F>
void for_each_raw_param(std::string_view query, F&& f) {
  scan_raw_query(query, [&](std::string_view name, std::string_view value, bool has_equals, bool, bool) {
    f(name, value, has_equals);
  });
}

// A raw query component decoded with the library's one query decoder ('+' is a space).
inline std::string decode_query_part(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  if (!append_query_decoded(out, raw))
    throw error(errc::invalid_query, "query part " + quote_input(raw) + " has a '%' not followed by two hex digits");
  return out;
}

SIGV4_BACKEND_NS_END
}  // namespace detail
SIGV4_BACKEND_NS_BEGIN

/// Step 1 — the canonical URI of a path.
/// @param path  the path, starting with '/' (empty means "/"); see path_rules for what it holds.
/// @param rules path_rules::s3 (verbatim, encoded once) or path_rules::generic (normalised).
/// @return the canonical URI, e.g. "/example%20space/".
/// @throws sigv4::error errc::invalid_path when the path does not start with '/'.
inline std::string canonical_uri(std::string_view path, path_rules rules) {
  std::string out;
  out.reserve(path.size() + 16);
  detail::append_canonical_uri(out, path, rules);
  return out;
}

/// Splits a raw query string ("a=1&b=%20x&flag") into decoded parameters, in order, the way
/// S3, MinIO and sigv4's verifier read a received query: pieces split on '&', a name runs to
/// the first '=' and the value is everything after it ("a=b=c" is a = "b=c"); %XX escapes are
/// decoded and '+' is a space (write "%2B" for a plus). A parameter without '=' has an empty
/// value; empty pieces are skipped. sign_headers and presign read http_request::query with it.
/// @param raw_query the query as sent, without the '?'.
/// @return the decoded parameters, in order.
/// @throws sigv4::error errc::invalid_query on a '%' not followed by two hex digits.
inline std::vector<query_param> parse_query(std::string_view raw_query) {
  std::vector<query_param> params;
  detail::for_each_raw_param(raw_query, [&](std::string_view n, std::string_view v, bool) {
    params.push_back({detail::decode_query_part(n), detail::decode_query_part(v)});
  });
  return params;
}

/// Step 2 — the canonical query string of decoded parameters: each name and value encoded
/// (everything but A-Z a-z 0-9 - . _ ~, '/' included), sorted by name then value, joined as
/// name=value with '&'. Repeated names and empty values are kept.
/// @param params the decoded parameters, in any order.
/// @return the canonical query string, e.g. "Action=ListUsers&Version=2010-05-08".
inline std::string canonical_query(const std::vector<query_param>& params) {
  std::string buf;  // all encoded names and values, back to back
  std::size_t total = 0;
  for (const auto& p : params)
    total += detail::uri_encoded_size(p.name, detail::encode_set::component) +
             detail::uri_encoded_size(p.value, detail::encode_set::component);
  buf.reserve(total);
  std::vector<std::size_t> ends;
  ends.reserve(params.size() * 2);
  for (const auto& p : params) {
    detail::append_uri_encoded(buf, p.name, detail::encode_set::component);
    ends.push_back(buf.size());
    detail::append_uri_encoded(buf, p.value, detail::encode_set::component);
    ends.push_back(buf.size());
  }
  std::vector<detail::encoded_param> enc(params.size());
  std::size_t at = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    enc[i].name = std::string_view(buf).substr(at, ends[2 * i] - at);
    enc[i].value = std::string_view(buf).substr(ends[2 * i], ends[2 * i + 1] - ends[2 * i]);
    at = ends[2 * i + 1];
  }
  std::string out;
  out.reserve(total + 2 * params.size());
  detail::append_sorted_query(out, enc.data(), enc.data() + enc.size());
  return out;
}

/// Step 2, from a raw query string: decoded (see parse_query), then canonicalised, so that
/// "%E1%88%B4=a" and a raw "ሴ=a" give the same result.
/// @param raw_query the query as sent, without the '?'.
/// @return the canonical query string.
/// @throws sigv4::error errc::invalid_query on malformed percent-encoding.
inline std::string canonical_query(std::string_view raw_query) { return canonical_query(parse_query(raw_query)); }

/// The canonical header block and the signed-header list.
struct canonical_headers_result {
  std::string canonical;       ///< "name:value\n" per header, names lower-cased and sorted
  std::string signed_headers;  ///< "host;x-amz-date", the names joined with ';'
};

/// Step 3 — canonical headers of the given headers (all of them are signed): names
/// lower-cased; values trimmed with inner runs of spaces and tabs collapsed to one space;
/// repeated names joined with ',' in their original order; sorted by name.
/// @param headers the headers to sign, Host included.
/// @return the canonical header block and the signed-header list.
/// @throws sigv4::error errc::invalid_header_name for a name that is not an HTTP token,
///         errc::invalid_header_value for a value with CR, LF, NUL or another control character.
inline canonical_headers_result canonical_headers(const std::vector<header>& headers) {
  std::string names;  // the lower-cased names, back to back
  for (const auto& h : headers) {
    detail::check_header_name(h.name);
    detail::check_header_value(h.name, h.value);
    for (char c : h.name) names.push_back(detail::to_lower_ascii(c));
  }
  std::vector<detail::header_view> views(headers.size());
  std::size_t at = 0;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    views[i] = {std::string_view(names).substr(at, headers[i].name.size()), headers[i].value};
    at += headers[i].name.size();
  }
  canonical_headers_result r;
  detail::append_canonical_headers(r.canonical, r.signed_headers, views.data(), views.data() + views.size());
  return r;
}

/// Step 4 — the canonical request: its six parts, each but the last followed by a newline.
/// The parts are taken as given (make them with the step functions above).
/// @param method the HTTP method, e.g. "GET".
/// @param canonical_uri from canonical_uri().
/// @param canonical_query from canonical_query().
/// @param canonical_headers canonical_headers_result::canonical (it ends with a newline).
/// @param signed_headers canonical_headers_result::signed_headers.
/// @param payload_hash payload_hash::value().
/// @return the canonical request.
inline std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                                     std::string_view canonical_query, std::string_view canonical_headers,
                                     std::string_view signed_headers, std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + canonical_uri.size() + canonical_query.size() + canonical_headers.size() +
              signed_headers.size() + payload_hash.size() + 5);
  out.append(method).append(1, '\n');
  out.append(canonical_uri).append(1, '\n');
  out.append(canonical_query).append(1, '\n');
  out.append(canonical_headers).append(1, '\n');
  out.append(signed_headers).append(1, '\n');
  out.append(payload_hash);
  return out;
}

/// The algorithm name of this signature version.
inline constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

/// The credential scope: date (YYYYMMDD), region, service, "aws4_request".
struct credential_scope {
  std::string date;     ///< YYYYMMDD, the date of the signing time (UTC)
  std::string region;   ///< e.g. "us-east-1"
  std::string service;  ///< e.g. "s3", "iam", "sts"
  /// The scope as it appears in the string to sign and in X-Amz-Credential.
  /// @return e.g. "20150830/us-east-1/service/aws4_request".
  std::string str() const { return date + '/' + region + '/' + service + "/aws4_request"; }
};

SIGV4_BACKEND_NS_END
namespace detail {
SIGV4_BACKEND_NS_BEGIN
// The size of a string to sign for an X-Amz-Date and a scope of these sizes.
constexpr std::size_t string_to_sign_size(std::size_t amz_date_size, std::size_t scope_size) noexcept {
  return algorithm.size() + 1 + amz_date_size + 1 + scope_size + 1 + 2 * sha256_size;
}

// Whether the first 64 bytes of a string to sign end inside its scope (a scope of 30
// characters or more with a 16-character X-Amz-Date: a region and service of seven or more
// together), so that they hold no byte of the request hash: then they are the same for every
// request of one key, scope and X-Amz-Date, and the HMAC state after them may be kept.
constexpr bool string_to_sign_first_block_is_fixed(std::size_t amz_date_size, std::size_t scope_size) noexcept {
  return algorithm.size() + 1 + amz_date_size + 1 + scope_size >= 64;
}

// Step 5's one implementation, shared by string_to_sign, the S3 presigner and the verifier:
// writes "AWS4-HMAC-SHA256\n" date "\n" scope "\n" hex(request_hash) to out, which has room for
// string_to_sign_size(...) bytes, and returns the length.
inline std::size_t write_string_to_sign(char* out, std::string_view amz_date, std::string_view scope,
                                        const unsigned char* request_hash) noexcept {
  char* w = out;
  const auto put = [&w](std::string_view part) {
    if (!part.empty()) std::memcpy(w, part.data(), part.size());
    w += part.size();
    *w++ = '\n';
  };
  put(algorithm);
  put(amz_date);
  put(scope);
  hex_encode(request_hash, sha256_size, w);
  return static_cast<std::size_t>(w - out) + 2 * sha256_size;
}
SIGV4_BACKEND_NS_END
}  // namespace detail
SIGV4_BACKEND_NS_BEGIN

/// Step 5 — the string to sign: "AWS4-HMAC-SHA256", the X-Amz-Date, the scope and the hex
/// SHA-256 of the canonical request, one per line.
/// @param amz_date the signing time as YYYYMMDDTHHMMSSZ (amz_date::str()).
/// @param scope credential_scope::str().
/// @param canonical_request from canonical_request().
/// @return the string to sign.
/// @throws sigv4::error errc::crypto_failure when OpenSSL fails.
inline std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                                  std::string_view canonical_request) {
  const auto d = detail::sha256(canonical_request);
  std::string out(detail::string_to_sign_size(amz_date.size(), scope.size()), '\0');
  detail::write_string_to_sign(&out[0], amz_date, scope, d.data());
  return out;
}

SIGV4_BACKEND_NS_END
}  // namespace sigv4

#endif
