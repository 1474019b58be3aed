/// @file
/// sigv4 — S3 / MinIO presigned object URLs: endpoint and addressing style, bucket and key
/// checks, GET / PUT / HEAD / DELETE and multipart URLs, response-* overrides and version
/// ids, extra signed headers, session tokens.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
#ifndef SIGV4_S3_HPP
#define SIGV4_S3_HPP

#include "detail/config.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "canonical.hpp"
#include "credentials.hpp"
#include "detail/hex.hpp"
#include "detail/ip.hpp"
#include "detail/openssl.hpp"
#include "detail/percent.hpp"
#include "detail/sha256_blocks.hpp"
#include "detail/url.hpp"
#include "detail/utf8.hpp"
#include "errors.hpp"
#include "signer.hpp"
#include "time.hpp"

// The named steps of the presigner's hot path are inlined into it (GCC would otherwise call
// each: measured with callgrind, about 60 instructions per URL). Undefined at the end.
#if defined(__GNUC__)
#define SIGV4_S3_STEP [[gnu::always_inline]]
#else
#define SIGV4_S3_STEP
#endif

namespace sigv4::s3 {
SIGV4_BACKEND_NS_BEGIN

/// How the bucket goes into the URL.
enum class addressing_style {
  path,            ///< https://endpoint/bucket/key — what MinIO and most S3-compatible servers expect
  virtual_hosted,  ///< https://bucket.endpoint/key — AWS's preferred style
  automatic,       ///< virtual-hosted on AWS endpoints when the bucket allows it, path style otherwise
};

/// The HTTP method a URL is signed for; a URL works only with its own method.
enum class http_method { get, put, head, delete_, post };

/// The method's name as sent ("GET", "DELETE", ...).
/// @param m the method.
/// @return its name, a static string.
inline std::string_view method_name(http_method m) noexcept {
  switch (m) {
    case http_method::get: return "GET";
    case http_method::put: return "PUT";
    case http_method::head: return "HEAD";
    case http_method::delete_: return "DELETE";
    case http_method::post: return "POST";
  }
  return "GET";
}

/// Text that a request borrows: a view of characters owned elsewhere, which must stay alive
/// (and unchanged) until the URL is made. It binds to a string literal, a `const char*`, a
/// `std::string_view` or a `std::string` lvalue, but not to a temporary `std::string`: that
/// would be destroyed at the end of the statement and leave the request reading freed memory
/// (`r.key = make_key(job);` does not compile; keep the string in a variable first).
class text_ref {
 public:
  /// An empty text.
  constexpr text_ref() noexcept = default;
  /// @param s a NUL-terminated string that outlives the request (a literal, say).
  constexpr text_ref(const char* s) noexcept : view_(s) {}  // NOLINT: implicit by design
  /// @param s a view whose characters outlive the request.
  constexpr text_ref(std::string_view s) noexcept : view_(s) {}
  /// @param s a string that outlives the request and is not changed before the URL is made.
  text_ref(const std::string& s) noexcept : view_(s) {}
  text_ref(std::string&&) = delete;  ///< a temporary string would dangle: keep it in a variable
  /// A temporary string would dangle: refused at compile time.
  text_ref(const std::string&&) = delete;

  /// @return the borrowed characters.
  constexpr std::string_view view() const noexcept { return view_; }
  /// @return view().
  constexpr operator std::string_view() const noexcept { return view_; }
  /// @return the first character (not NUL-terminated in general).
  constexpr const char* data() const noexcept { return view_.data(); }
  /// @return the length in bytes.
  constexpr std::size_t size() const noexcept { return view_.size(); }
  /// @return whether the text is empty.
  constexpr bool empty() const noexcept { return view_.empty(); }
  /// @return an iterator to the first character.
  constexpr const char* begin() const noexcept { return view_.data(); }
  /// @return an iterator past the last character.
  constexpr const char* end() const noexcept { return view_.data() + view_.size(); }
  /// @param i an index below size().
  /// @return the character at `i`.
  constexpr char operator[](std::size_t i) const noexcept { return view_[i]; }
  /// @return the first character; the text must not be empty.
  constexpr char front() const noexcept { return view_.front(); }
  /// @return the last character; the text must not be empty.
  constexpr char back() const noexcept { return view_.back(); }
  /// @param a a text.
  /// @param b another.
  /// @return whether they hold the same characters.
  friend constexpr bool operator==(text_ref a, text_ref b) noexcept { return a.view_ == b.view_; }
  /// @param a a text.
  /// @param b another.
  /// @return whether their characters differ.
  friend constexpr bool operator!=(text_ref a, text_ref b) noexcept { return a.view_ != b.view_; }

 private:
  std::string_view view_;
};

/// A name and a raw (not yet encoded) value: an extra query parameter or signed header.
/// Both are borrowed (see text_ref).
struct param {
  text_ref name;   ///< the parameter or header name, e.g. "response-content-disposition", "Content-Type"
  text_ref value;  ///< the raw value; the presigner encodes it
};

/// What to do when temporary credentials expire before the URL would.
enum class credential_expiry {
  refuse,  ///< errc::credentials_expired (the default: a link must not silently die early)
  clamp,   ///< shorten X-Amz-Expires to the credentials' remaining lifetime
};

/// Whether a presigner keeps the signing key of each day.
enum class key_cache {
  per_day,  ///< derive once per scope date and keep it (the default)
  off,      ///< derive it for every URL (four more HMACs each; for measurements and key rotation drills)
};

/// Which object keys a presigner accepts besides S3's own rule (1 to 1024 bytes of UTF-8).
enum class key_rules {
  /// S3: every key is signed verbatim, "." and ".." segments included (the default).
  s3,
  /// MinIO, or URLs that browsers and curl will fetch: keys with a "." or ".." path segment
  /// (after trimming blanks, as MinIO does) are refused with errc::invalid_object_key. MinIO
  /// refuses such object names (hasBadPathComponent, cmd/generic-handlers.go), and browsers
  /// and curl remove those segments before sending, so such a URL could never work.
  minio,
};

/// How a presigner is set up; see presigner's constructors.
struct presigner_options {
  addressing_style style = addressing_style::automatic;  ///< path, virtual-hosted or automatic
  key_cache cache = key_cache::per_day;                  ///< whether each day's signing key is kept
  /// A canned ACL to lock into every upload URL: when not empty, every PutObject URL and
  /// every CreateMultipartUpload URL signs `x-amz-acl: <upload_acl>`, so the client must send
  /// exactly that header and cannot choose another ACL (servers that ignore unsigned headers,
  /// such as Ceph RGW 16, would otherwise accept `x-amz-acl: public-read` on a plain URL).
  /// One of S3's canned ACLs: private, public-read, public-read-write, authenticated-read,
  /// aws-exec-read, bucket-owner-read, bucket-owner-full-control.
  std::string upload_acl;
  key_rules keys = key_rules::s3;  ///< which object keys are accepted (key_rules::minio refuses "." / ".." segments)
};

/// One presigned object URL to make. Views only: nothing here is copied or owned, and the
/// text must outlive the presign call (text_ref refuses temporary strings).
struct object_request {
  http_method method = http_method::get;  ///< the method the URL is signed for
  text_ref bucket;                        ///< the bucket, checked against S3's naming rules
  /// The object key, 1 to 1024 bytes of UTF-8, signed verbatim: "a//b", a leading '/', "."
  /// and ".." segments are real keys and stay as they are (unless the presigner is told
  /// key_rules::minio).
  text_ref key;
  /// X-Amz-Expires: 1 to 604800 seconds.
  std::chrono::seconds expires{3600};
  /// Extra query parameters, signed: response-content-type, response-content-disposition,
  /// response-cache-control, response-expires, versionId, partNumber, uploadId, ... Values
  /// are raw; the presigner encodes them. X-Amz-* authentication parameters and
  /// X-Amz-Content-Sha256 are refused.
  std::vector<param> query;
  /// Extra signed headers (Content-Type, Content-MD5, x-amz-meta-*, x-amz-server-side-
  /// encryption*, x-amz-checksum-*, ...). The client MUST send every one of them with exactly
  /// this value, or the server refuses the request (SignatureDoesNotMatch). Host and
  /// x-amz-content-sha256 are refused.
  std::vector<param> headers;
  credential_expiry on_credential_expiry = credential_expiry::refuse;  ///< temporary credentials ending first: refuse or clamp
};

/// A parsed endpoint: scheme, host and optional port.
struct endpoint {
  bool https = true;  ///< https (true) or http (false)
  std::string host;  ///< lower-cased host name, IPv4 literal, or bracketed IPv6 literal
  std::optional<std::uint16_t> port;  ///< the port, when the URL gave one
  bool is_ip_literal = false;         ///< whether host is an IPv4 or IPv6 address (no virtual-hosted style then)

  /// The Host header: the host, plus ":port" unless the port is the scheme's default.
  /// @return e.g. "127.0.0.1:9000", "s3.us-east-1.amazonaws.com".
  std::string authority() const { return sigv4::detail::host_and_port(https, host, port); }
  /// Whether this is an AWS endpoint (a host under amazonaws.com or amazonaws.com.cn), where
  /// addressing_style::automatic picks virtual-hosted URLs.
  /// @return true for AWS hosts.
  bool is_aws() const noexcept {
    const std::string_view h = host;
    const auto ends_with = [&](std::string_view s) { return h.size() > s.size() && h.substr(h.size() - s.size()) == s; };
    return ends_with(".amazonaws.com") || ends_with(".amazonaws.com.cn");
  }
};

SIGV4_BACKEND_NS_END
namespace detail {
SIGV4_BACKEND_NS_BEGIN
using sigv4::detail::capture_error;
using sigv4::detail::quote_input;

// The class of each byte in a bucket name: 1 for a-z, 2 for a digit, 4 for '.', 8 for '-', 0
// for any other byte.
struct bucket_char_table {
  unsigned char cls[256] = {};
  constexpr bucket_char_table() {
    for (int c = 'a'; c <= 'z'; ++c) cls[c] = 1;
    cls[static_cast<unsigned char>('-')] = 8;
    for (int c = '0'; c <= '9'; ++c) cls[c] = 2;
    cls[static_cast<unsigned char>('.')] = 4;
  }
};
inline constexpr bucket_char_table bucket_chars{};

// The signing key of one scope date, with the strings that go with it, built once.
struct scope_entry {
  scope_entry(const credentials& c, std::int64_t days, std::string_view date, const std::string& region)
      : creds(c),
        key(c.secret_access_key(), date, region, "s3"),
        states(key.bytes().data(), key.bytes().size()),
        day_number(days),
        day(date) {
    scope.append(date).append("/").append(region).append("/s3/aws4_request");
    credential_param = sigv4::detail::uri_encode(c.access_key_id() + '/' + scope, sigv4::detail::encode_set::component);
    query_prefix = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + credential_param + "&X-Amz-Date=";
    // The string to sign is "AWS4-HMAC-SHA256\n" (17), the X-Amz-Date and '\n' (17), the
    // scope, '\n' and 64 hex digits. With a scope of 30 characters or more (a region of five
    // or more) the first block ends inside the scope: what follows it differs between URLs by
    // the hex digits only, and is padded here once.
    constexpr std::size_t first_block_scope = sigv4::detail::sha256_block_size - 34;
    if (scope.size() >= first_block_scope) {
      const std::size_t n = scope.size() - first_block_scope + 1 + 2 * sigv4::detail::sha256_size;
      std::memcpy(sts_tail, scope.data() + first_block_scope, scope.size() - first_block_scope);
      sts_tail[scope.size() - first_block_scope] = '\n';
      sts_hex_at = n - 2 * sigv4::detail::sha256_size;
      std::memset(sts_tail + sts_hex_at, '0', 2 * sigv4::detail::sha256_size);
      sts_tail_blocks = sigv4::detail::sha256_pad(sts_tail, n, 2 * sigv4::detail::sha256_block_size);
    }
  }
  const credentials& creds;      // the credentials the key is derived from (they outlive the entry)
  signing_key key;
  sigv4::detail::hmac_block_key states;  // the key's HMAC states as eight words (the presigner's hashing)
  std::int64_t day_number;       // days since 1970-01-01
  std::string day;               // YYYYMMDD
  std::string scope;             // 20130524/us-east-1/s3/aws4_request
  std::string credential_param;  // AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request
  std::string query_prefix;      // X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Date=
  // The HMAC state after the first block of the string to sign ("AWS4-HMAC-SHA256\n", the
  // X-Amz-Date, the start of the scope), tagged with (0, its second of the day): every URL
  // signed in the same second shares it.
  mutable sigv4::detail::sha256_block_slot first_block;
  // The string to sign after its first block, padded for hashing, with room for the hex
  // digest at sts_hex_at; sts_tail_blocks is 0 when the first block holds the whole scope
  // (a region under five characters: the first block then differs by the digest too).
  // Room: a region of at most 64 characters leaves at most 124 bytes after the first block.
  unsigned char sts_tail[3 * sigv4::detail::sha256_block_size] = {};
  std::size_t sts_tail_blocks = 0, sts_hex_at = 0;
};

// One URL of presign_batch waiting for its hashes: its request's index, its padded canonical
// request (offset into the scratch text, blocks), where its signature goes.
struct batch_job {
  std::size_t index, cr_at, blocks, signature_at;
};

// Per-thread scratch space for requests with extra parameters or headers; reused, so a
// thread allocates only until it has seen its largest request.
struct scratch_space {
  std::string text;
  std::vector<sigv4::detail::encoded_param> params;
  std::vector<std::array<std::size_t, 4>> items;  // offsets and lengths of name and value
  std::vector<sigv4::detail::header_view> headers;
  std::string block;         // canonical header lines
  std::string signed_list;   // content-type;host
  std::string signed_param;  // content-type%3Bhost
  std::string host;
  std::string query;
  std::string padded;  // a canonical request too long for the stack, padded for hashing
  std::vector<batch_job> batch_jobs;  // presign_batch's requests that reached hashing
  std::vector<std::size_t> batch_counts;  // presign_batch's requests waiting for a twin, by block count
  // presign_batch's padded canonical requests, back to back (grown, never zero-filled)
  std::unique_ptr<unsigned char[]> batch_cr;
  std::size_t batch_cr_capacity = 0;
  unsigned char* batch_cr_room(std::size_t used, std::size_t more) {
    if (used + more > batch_cr_capacity) {
      const std::size_t cap = std::max(2 * batch_cr_capacity, used + more);
      std::unique_ptr<unsigned char[]> bigger(new unsigned char[cap]);
      if (used != 0) std::memcpy(bigger.get(), batch_cr.get(), used);
      batch_cr = std::move(bigger);
      batch_cr_capacity = cap;
    }
    return batch_cr.get() + used;
  }
};
inline scratch_space& scratch() {
  thread_local scratch_space s;
  return s;
}

// Copies `s` to `w` and returns the end, without a call to memcpy for a length the compiler
// cannot see (the URL's pieces are short, and libc's memcpy measured 8% of a presign in such
// calls): sixteen bytes at a time, the last move overlapping the one before it.
SIGV4_S3_STEP inline char* put_short(char* w, std::string_view s) noexcept {
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n >= 16) {
    for (std::size_t i = 0; i + 16 < n; i += 16) std::memcpy(w + i, p + i, 16);
    std::memcpy(w + n - 16, p + n - 16, 16);
  } else if (n >= 8) {
    std::memcpy(w, p, 8);
    std::memcpy(w + n - 8, p + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(w, p, 4);
    std::memcpy(w + n - 4, p + n - 4, 4);
  } else {
    for (std::size_t i = 0; i < n; ++i) w[i] = p[i];
  }
  return w + n;
}
// Copies a string literal (without its NUL) to `w` and returns the end: a fixed-size copy.
template <std::size_t N>
inline char* put_literal(char* w, const char (&s)[N]) noexcept {
  std::memcpy(w, s, N - 1);
  return w + N - 1;
}

SIGV4_BACKEND_NS_END
}  // namespace detail
SIGV4_BACKEND_NS_BEGIN

/// Parses an endpoint URL: "http(s)://host[:port]" with an optional trailing '/', through the
/// library's one URL parser (detail/url.hpp). The host is a DNS name (RFC 1123 labels), an
/// IPv4 address or a bracketed IPv6 literal.
/// @param url the endpoint, e.g. "https://s3.us-east-1.amazonaws.com", "http://[::1]:9000".
/// @return its scheme, host (lower-cased) and port.
/// @throws sigv4::error errc::invalid_endpoint saying why: a scheme other than http or https,
///         user info, a path, query or fragment (a proxy that rewrites paths breaks
///         signatures), a bad host or port, an IPv6 literal without brackets. The message
///         never quotes what was given (it may hold a password); at most the parsed scheme,
///         host and port.
inline endpoint parse_endpoint(std::string_view url) {
  sigv4::detail::url_parts parts;
  if (const char* why = sigv4::detail::parse_http_url(url, parts))
    throw error(errc::invalid_endpoint, std::string("the endpoint ") + why);
  endpoint ep;
  ep.https = parts.https;
  ep.host = std::move(parts.host);
  ep.port = parts.port;
  ep.is_ip_literal = parts.is_ip_literal;
  const bool fragment = url.find('#') != std::string_view::npos;  // the authority cannot hold one
  if ((!parts.target.empty() && parts.target != "/") || fragment) {
    const char* what = fragment && parts.target.size() <= 1 ? "a fragment" : parts.target[0] == '?' ? "a query" : "a path";
    throw error(errc::invalid_endpoint, "the endpoint " + std::string(ep.https ? "https://" : "http://") +
                                            ep.authority() + " has " + what +
                                            "; give scheme, host and port only (a path-rewriting proxy breaks signatures)");
  }
  return ep;
}

/// Checks a bucket name against S3's rules for general purpose buckets: 3 to 63 characters of
/// a-z 0-9 '.' '-', beginning and ending with a letter or digit, no "..", no ".-" or "-."
/// (every '.'-separated label begins and ends with a letter or digit), not formatted as an
/// IPv4 address (four labels of digits), none of the reserved prefixes (xn--, sthree-,
/// amzn-s3-demo-) or suffixes (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
/// (MinIO: IsValidBucketName in cmd/object-api-utils.go refuses a label starting or ending
/// with '-' and four all-digit labels.)
/// @param b the bucket name.
/// @throws sigv4::error errc::invalid_bucket_name naming the rule broken.
inline void check_bucket_name(std::string_view b) {
  using detail::quote_input;
  const auto fail = [&](const char* why) {
    throw error(errc::invalid_bucket_name, "bucket " + quote_input(b) + " " + why);
  };
  if (b.size() < 3 || b.size() > 63) fail("must be 3 to 63 characters long");
  // one pass with a class per byte: 1 a-z, 2 digit, 4 '.', 8 '-', 0 not allowed
  unsigned seen = 0, previous = 0;
  for (char c : b) {
    const unsigned k = detail::bucket_chars.cls[static_cast<unsigned char>(c)];
    if (k == 0) fail("may hold only lower-case letters, digits, '.' and '-'");
    if (k == 4 && previous == 4) fail("must not hold two adjacent periods");
    seen |= k;
    previous = k;
  }
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(b.front()) || !alnum(b.back())) fail("must begin and end with a letter or digit");
  // only a name with both '.' and '-' can hold ".-" or "-."
  if ((seen & 12) == 12 && (b.find(".-") != std::string_view::npos || b.find("-.") != std::string_view::npos))
    fail("must not hold '.' next to '-' (a label begins and ends with a letter or digit)");
  // Digits and periods only, four labels (none empty, as checked above): "formatted as an IP
  // address" in AWS's words, whatever the numbers.
  if ((seen & 9) == 0 && std::count(b.begin(), b.end(), '.') == 3) fail("must not be formatted as an IP address");
  // Reserved affixes, looked up by their first or last character (this runs for every URL).
  const auto affix_at = [&](std::string_view affix, bool prefix) {
    if (affix.size() > b.size()) return false;
    const std::size_t at = prefix ? 0 : b.size() - affix.size();
    for (std::size_t i = 0; i < affix.size(); ++i)
      if (b[at + i] != affix[i]) return false;
    return true;
  };
  const char first = b.front(), last = b.back();
  if ((first == 'x' && affix_at("xn--", true)) || (first == 's' && affix_at("sthree-", true)) ||
      (first == 'a' && affix_at("amzn-s3-demo-", true)))
    fail("uses a reserved prefix");
  if ((last == 's' && affix_at("-s3alias", false)) || (last == 'p' && affix_at(".mrap", false)) ||
      (last == '3' && (affix_at("--ol-s3", false) || affix_at("--x-s3", false) || affix_at("--table-s3", false))))
    fail("uses a reserved suffix");
}

/// Checks an object key: 1 to 1024 bytes of valid UTF-8.
/// @param key the object key.
/// @throws sigv4::error errc::invalid_object_key saying which.
inline void check_object_key(std::string_view key) {
  if (key.empty()) throw error(errc::invalid_object_key, "the object key is empty");
  if (key.size() > 1024)
    throw error(errc::invalid_object_key, "the object key is " + std::to_string(key.size()) + " bytes; at most 1024 are allowed");
  if (!sigv4::detail::is_valid_utf8(key))
    throw error(errc::invalid_object_key, "the object key " + detail::quote_input(key) + " is not valid UTF-8");
}

SIGV4_BACKEND_NS_END
namespace detail {
SIGV4_BACKEND_NS_BEGIN
// The length of the white space (Unicode White_Space, as Go's strings.TrimSpace strips it) that
// `s` begins with (`from_end`: ends with). `s` is valid UTF-8.
inline std::size_t white_space_run(std::string_view s, bool from_end) noexcept {
  std::size_t n = 0;
  while (n < s.size()) {
    // the code point at the front (or the back) of what is left
    const std::string_view rest = from_end ? s.substr(0, s.size() - n) : s.substr(n);
    std::size_t len = 1;
    if (from_end) {
      while (len < rest.size() && len < 4 && (static_cast<unsigned char>(rest[rest.size() - len]) & 0xC0) == 0x80) ++len;
    } else {
      const auto lead = static_cast<unsigned char>(rest[0]);
      len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    }
    const std::string_view c = from_end ? rest.substr(rest.size() - len) : rest.substr(0, len);
    char32_t cp = static_cast<char32_t>(len == 1 ? static_cast<unsigned char>(c[0])
                                                 : static_cast<unsigned char>(c[0]) & (0x7F >> len));
    for (std::size_t i = 1; i < c.size(); ++i) cp = (cp << 6) | (static_cast<unsigned char>(c[i]) & 0x3F);
    const bool space = (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
                       (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
                       cp == 0x205F || cp == 0x3000;
    if (!space) break;
    n += len;
  }
  return n;
}

// Whether a '/'-separated segment of `key` is "." or "..", blanks around it ignored: MinIO's
// hasBadPathComponent (minio/minio cmd/generic-handlers.go) splits the path at '/' and refuses
// a segment that strings.TrimSpace leaves as "." or "..". `key` is valid UTF-8.
inline bool has_dot_segment(std::string_view key) noexcept {
  if (key.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= key.size()) {
    std::size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) slash = key.size();
    std::string_view seg = key.substr(start, slash - start);
    seg.remove_prefix(white_space_run(seg, false));
    seg.remove_suffix(white_space_run(seg, true));
    if (seg == "." || seg == "..") return true;
    start = slash + 1;
  }
  return false;
}

// S3's canned ACLs (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl).
inline constexpr std::string_view canned_acls[] = {"private",           "public-read",       "public-read-write",
                                                   "authenticated-read", "aws-exec-read",     "bucket-owner-read",
                                                   "bucket-owner-full-control"};
SIGV4_BACKEND_NS_END
}  // namespace detail
SIGV4_BACKEND_NS_BEGIN

/// Checks an object key under `rules`: as check_object_key, and with key_rules::minio no "."
/// or ".." path segment.
/// @param key the object key.
/// @param rules key_rules::s3 or key_rules::minio.
/// @throws sigv4::error errc::invalid_object_key saying which rule.
inline void check_object_key(std::string_view key, key_rules rules) {
  check_object_key(key);
  if (rules == key_rules::minio && detail::has_dot_segment(key))
    throw error(errc::invalid_object_key,
                "the object key has a '.' or '..' path segment, which MinIO refuses and browsers and curl "
                "rewrite before sending (key_rules::minio)");
}

/// Checks a canned ACL: one of private, public-read, public-read-write, authenticated-read,
/// aws-exec-read, bucket-owner-read, bucket-owner-full-control.
/// @param acl the value of x-amz-acl, e.g. "private".
/// @throws sigv4::error errc::invalid_argument naming the value and the list.
inline void check_canned_acl(std::string_view acl) {
  for (std::string_view a : detail::canned_acls)
    if (acl == a) return;
  throw error(errc::invalid_argument, "the upload ACL " + detail::quote_input(acl) +
                                          " is not one of S3's canned ACLs (private, public-read, public-read-write, "
                                          "authenticated-read, aws-exec-read, bucket-owner-read, "
                                          "bucket-owner-full-control)");
}

/// The URLs of one presigner::presign_batch call: every URL back to back in one text, and for
/// each request (by its index) where its URL is, or the error that stopped it. Reuse one
/// object across calls to save allocations.
class presigned_batch {
 public:
  /// @return the number of requests of the last call.
  std::size_t size() const noexcept { return items_.size(); }
  /// @param i a request's index, below size().
  /// @return whether its URL was made.
  bool ok(std::size_t i) const noexcept { return items_[i].failure < 0; }
  /// @param i a request's index, below size().
  /// @return its URL (a view into text()), empty when it failed.
  std::string_view url(std::size_t i) const noexcept {
    return std::string_view(text_).substr(items_[i].offset, items_[i].size);
  }
  /// @param i a request's index, below size().
  /// @return the error that stopped it (what presign() would have thrown), or nullptr.
  const error* failure(std::size_t i) const noexcept {
    return items_[i].failure < 0 ? nullptr : &failures_[static_cast<std::size_t>(items_[i].failure)];
  }
  /// @return the number of requests that failed.
  std::size_t failures() const noexcept { return failures_.size(); }
  /// @return every URL made, in request order, with nothing between them.
  const std::string& text() const noexcept { return text_; }
  /// Forgets every URL and error (keeps the memory).
  void clear() noexcept {
    text_.clear();
    items_.clear();
    failures_.clear();
  }

 private:
  friend class presigner;
  struct item {
    std::size_t offset = 0, size = 0;
    long failure = -1;  // index into failures_, or -1
  };
  std::string text_;
  std::vector<item> items_;
  std::vector<error> failures_;
};

/// Presigns S3 / MinIO object URLs. Configured once; only the credentials can change
/// afterwards (set_credentials), atomically: one object is safe to share between threads. The
/// signing key of each day is derived once and cached (lock-free on the hot path); a URL then
/// costs about ten SHA-256 block compressions.
///
/// Sign for the host the client will use: a URL signed for an internal name
/// (minio.svc:9000) fails with SignatureDoesNotMatch when fetched through a public one.
class presigner {
 public:
  /// A presigner for one endpoint, region and set of credentials.
  /// @param endpoint_url "https://s3.us-east-1.amazonaws.com", "http://127.0.0.1:9000", ... (see parse_endpoint)
  /// @param region       the region of the credential scope (MinIO's default: us-east-1)
  /// @param creds        the credentials every URL is signed with (see default_credentials())
  /// @param style        how the bucket goes into the URL
  /// @param cache        whether each day's signing key is kept
  /// @throws sigv4::error errc::invalid_endpoint, errc::invalid_region.
  presigner(std::string_view endpoint_url, std::string_view region, credentials creds,
            addressing_style style = addressing_style::automatic, key_cache cache = key_cache::per_day)
      : presigner(endpoint_url, region, std::move(creds), presigner_options{style, cache, {}, key_rules::s3}) {}

  /// @param endpoint_url "https://s3.us-east-1.amazonaws.com", "http://127.0.0.1:9000", ...
  /// @param region       the region of the credential scope (MinIO's default: us-east-1)
  /// @param creds        the credentials every URL is signed with (see default_credentials())
  /// @param options      addressing style, key cache, the upload ACL to lock, the key rules
  /// @throws sigv4::error errc::invalid_endpoint, errc::invalid_region, errc::invalid_argument
  ///         (an upload_acl that is not a canned ACL).
  presigner(std::string_view endpoint_url, std::string_view region, credentials creds, presigner_options options)
      : endpoint_(parse_endpoint(endpoint_url)),
        region_(region),
        options_(std::move(options)),
        is_aws_(endpoint_.is_aws()),
        authority_(endpoint_.authority()) {
    sigv4::detail::check_scope_part(region_, errc::invalid_region, "region");
    if (region_.size() > 64) throw error(errc::invalid_region, "the region is longer than 64 characters");
    if (!options_.upload_acl.empty()) check_canned_acl(options_.upload_acl);
    acl_header_ = {"x-amz-acl", std::string_view(options_.upload_acl)};
    base_url_ = (endpoint_.https ? "https://" : "http://");
    epoch_.store(new credential_epoch(std::move(creds)), std::memory_order_release);
  }

  /// Not copyable (it owns its key cache); share one through a reference or a shared_ptr.
  presigner(const presigner&) = delete;
  /// Not assignable: change the credentials with set_credentials (see the README on rotation).
  presigner& operator=(const presigner&) = delete;
  /// Wipes the credentials and every cached signing key.
  ~presigner() { delete epoch_.load(std::memory_order_acquire); }

  /// @return the parsed endpoint.
  const endpoint& endpoint_info() const noexcept { return endpoint_; }
  /// @return the region of the credential scope.
  const std::string& region() const noexcept { return region_; }
  /// A copy of the credentials the presigner signs with now (they may be replaced the next
  /// moment by set_credentials on another thread).
  /// @return the credentials.
  credentials creds() const {
    const reading r(*this);
    return r.epoch().creds;
  }
  /// @return the options the presigner was made with.
  const presigner_options& options() const noexcept { return options_; }

  /// Replaces the credentials, atomically with respect to presigns on other threads: a URL
  /// (or POST form) is signed entirely with the old or entirely with the new credentials, and
  /// its lifetime checked against the expiry of the same ones. The new credentials' state is
  /// built before the swap; the call then waits until no presign that may still read the old
  /// credentials is running (a few microseconds: presigns in flight are short), and destroys
  /// them: their secret and every signing key derived from them are wiped. Presigns are never
  /// blocked (the hot path takes no lock). Must not be called from inside a presign (the
  /// callback of with_scope_entry).
  /// URLs signed before the swap stay valid as long as the server still accepts the old key.
  /// @param fresh the credentials to sign with from now on (e.g. from a credential_provider
  ///        or a refreshing_credentials).
  void set_credentials(credentials fresh) {
    std::unique_ptr<credential_epoch> next(new credential_epoch(std::move(fresh)));
    std::unique_ptr<const credential_epoch> old;  // destroyed (wiped) after the lock is released
    {
      std::lock_guard<std::mutex> lock(swap_mutex_);
      old.reset(epoch_.exchange(next.release(), std::memory_order_seq_cst));
      // New presigns count themselves under the other parity from here on; those counted
      // under the old one may hold the old credentials: wait for them to finish.
      const unsigned was = parity_.load(std::memory_order_relaxed);
      parity_.store(was ^ 1u, std::memory_order_seq_cst);
      for (const auto& stripe : readers_)
        while (stripe.count[was].load(std::memory_order_acquire) != 0) std::this_thread::yield();
    }
  }

  /// Whether `bucket` goes in the host name (virtual-hosted) for this endpoint and style.
  /// @param bucket a bucket name.
  /// @return true for bucket.host/key URLs, false for host/bucket/key.
  bool uses_virtual_host(std::string_view bucket) const noexcept {
    switch (options_.style) {
      case addressing_style::path: return false;
      case addressing_style::virtual_hosted: return true;
      case addressing_style::automatic:
        return is_aws_ && !endpoint_.is_ip_literal &&
               !(endpoint_.https && bucket.find('.') != std::string_view::npos);
    }
    return false;
  }

  /// Appends the presigned URL of `req`, signed at `at`, to `out`.
  /// @throws sigv4::error errc::invalid_bucket_name, invalid_object_key (also a "." or ".."
  ///         segment under key_rules::minio), invalid_expiry, credentials_expired,
  ///         invalid_query (an X-Amz-* authentication parameter or X-Amz-Content-Sha256 among
  ///         the extras, or a bad name), invalid_header_name / invalid_header_value (a header
  ///         that is not a token, a value with CR/LF or other control characters, Host,
  ///         x-amz-content-sha256, or an x-amz-acl other than the locked upload ACL),
  ///         invalid_endpoint (virtual-hosted style on an IP-literal endpoint). On error `out`
  ///         is left as it was.
  /// @param req the URL to make; its text must outlive this call.
  /// @param at the signing time (X-Amz-Date).
  /// @param out the buffer the URL is appended to (reuse it to save allocations).
  void presign(const object_request& req, time_point at, std::string& out) const {
    const std::size_t start = out.size();
    try {
      presign_into(req, at, out);
    } catch (...) {
      out.resize(start);
      throw;
    }
  }

  /// The presigned URL of `req`, signed at `at`.
  /// @param req the URL to make; its text must outlive this call.
  /// @param at the signing time (X-Amz-Date).
  /// @return the URL.
  /// @throws sigv4::error as the appending presign().
  std::string presign(const object_request& req, time_point at) const {
    std::string out;
    presign_into(req, at, out);
    return out;
  }

  /// Non-throwing twin of the appending presign(): on error `ec` is set and `out` left as it was.
  /// @param req the URL to make.
  /// @param at the signing time.
  /// @param out the buffer the URL is appended to.
  /// @param ec set to the error on failure, cleared on success.
  void presign(const object_request& req, time_point at, std::string& out, std::error_code& ec) const {
    detail::capture_error(ec, [&] { presign(req, at, out); });
  }
  /// Non-throwing twin of presign(req, at).
  /// @param req the URL to make.
  /// @param at the signing time.
  /// @param ec set to the error on failure, cleared on success.
  /// @return the URL, or an empty string when `ec` is set.
  std::string presign(const object_request& req, time_point at, std::error_code& ec) const {
    return detail::capture_error(ec, [&] { return presign(req, at); });
  }

  /// Appends the presigned URL of a bucket request, signed at `at`, to `out`: `req.key` is
  /// empty and the path is /BUCKET (path style) or / (virtual-hosted), as botocore writes them.
  /// ListObjectsV2 is a GET with query list-type=2 (and prefix, delimiter, ...), HeadBucket a
  /// HEAD, CreateBucket a PUT, DeleteBucket a DELETE, ListMultipartUploads a GET with
  /// `uploads`. The presigner's upload ACL is not signed into bucket requests.
  /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
  /// @param req the request: method, bucket, an empty key, query parameters, expiry; its text
  ///        must outlive this call.
  /// @param at the signing time (X-Amz-Date).
  /// @param out the buffer the URL is appended to.
  /// @throws sigv4::error as presign, and errc::invalid_object_key when `req.key` is not empty.
  ///         On error `out` is left as it was.
  void presign_bucket(const object_request& req, time_point at, std::string& out) const {
    const std::size_t start = out.size();
    try {
      presign_into(req, at, out, true);
    } catch (...) {
      out.resize(start);
      throw;
    }
  }

  /// The presigned URL of a bucket request (see the overload above), signed at `at`.
  /// @param req the request, with an empty key; its text must outlive this call.
  /// @param at the signing time (X-Amz-Date).
  /// @return the URL.
  /// @throws sigv4::error as the appending presign_bucket().
  std::string presign_bucket(const object_request& req, time_point at) const {
    std::string out;
    presign_into(req, at, out, true);
    return out;
  }

  /// Presigns many object requests in one call, all signed at `at`: the URLs are those that
  /// presign() gives one by one, byte for byte, written back to back into `out.text()`. A
  /// request that presign() would refuse fails alone (out.failure(i) holds the error) and the
  /// others are still made. The credentials are read once for the whole call, and two
  /// SHA-256 streams are kept in flight (requests paired by the block count of their canonical
  /// requests): with SHA-NI a URL costs about 0.7 of a presign() (BM_presign_batch).
  /// @param reqs the requests; their text must outlive this call.
  /// @param n how many.
  /// @param at the signing time of every URL (X-Amz-Date).
  /// @param out cleared, then filled; out.size() == n.
  /// @throws sigv4::error only for what stops every URL: errc::crypto_failure deriving the
  ///         day's key, std::bad_alloc.
  void presign_batch(const object_request* reqs, std::size_t n, time_point at, presigned_batch& out) const {
    out.clear();
    out.items_.resize(n);
    const reading held(*this);
    const credential_epoch& ep = held.epoch();
    const auto split = sigv4::detail::split_time(at);
    if (options_.cache == key_cache::off) {
      const detail::scope_entry fresh(ep.creds, split.day, format_amz_date(at).date(), region_);
      batch_with_entry(reqs, n, at, ep, fresh, split.second, out);
    } else {
      batch_with_entry(reqs, n, at, ep, entry_for(ep, split.day, at), split.second, out);
    }
  }
  /// presign_batch over a vector.
  /// @param reqs the requests; their text must outlive this call.
  /// @param at the signing time of every URL.
  /// @return the URLs and the failures, by index.
  /// @throws sigv4::error as the other overload.
  presigned_batch presign_batch(const std::vector<object_request>& reqs, time_point at) const {
    presigned_batch out;
    presign_batch(reqs.data(), reqs.size(), at, out);
    return out;
  }

  /// presign at the current time.
  /// @param req the URL to make.
  /// @return the URL.
  /// @throws sigv4::error as presign().
  std::string presign_now(const object_request& req) const { return presign(req, clock::now()); }

  /// A GET URL (download; GetObject).
  /// @param bucket the bucket, checked against S3's rules (check_bucket_name).
  /// @param key the object key, 1 to 1024 bytes of UTF-8, signed verbatim.
  /// @param expires X-Amz-Expires, 1 to 604800 seconds.
  /// @param at the signing time.
  /// @return the URL.
  /// @throws sigv4::error as presign().
  std::string presign_get(std::string_view bucket, std::string_view key, std::chrono::seconds expires,
                          time_point at) const {
    return presign(simple(http_method::get, bucket, key, expires), at);
  }
  /// A PUT URL (upload). The client must send exactly the headers given in `headers` (and
  /// x-amz-acl when the presigner locks an upload ACL). PutObject.
  /// @param bucket the bucket, checked against S3's rules (check_bucket_name).
  /// @param key the object key, 1 to 1024 bytes of UTF-8, signed verbatim.
  /// @param expires X-Amz-Expires, 1 to 604800 seconds.
  /// @param at the signing time.
  /// @param headers extra signed headers, e.g. {{"Content-Type", "image/tiff"}}; borrowed.
  /// @return the URL.
  /// @throws sigv4::error as presign().
  std::string presign_put(std::string_view bucket, std::string_view key, std::chrono::seconds expires, time_point at,
                          std::vector<param> headers = {}) const {
    object_request r = simple(http_method::put, bucket, key, expires);
    r.headers = std::move(headers);
    return presign(r, at);
  }
  /// A HEAD URL (metadata; HeadObject).
  /// @param bucket the bucket, checked against S3's rules (check_bucket_name).
  /// @param key the object key, 1 to 1024 bytes of UTF-8, signed verbatim.
  /// @param expires X-Amz-Expires, 1 to 604800 seconds.
  /// @param at the signing time.
  /// @return the URL.
  /// @throws sigv4::error as presign().
  std::string presign_head(std::string_view bucket, std::string_view key, std::chrono::seconds expires,
                           time_point at) const {
    return presign(simple(http_method::head, bucket, key, expires), at);
  }
  /// A DELETE URL (DeleteObject).
  /// @param bucket the bucket, checked against S3's rules (check_bucket_name).
  /// @param key the object key, 1 to 1024 bytes of UTF-8, signed verbatim.
  /// @param expires X-Amz-Expires, 1 to 604800 seconds.
  /// @param at the signing time.
  /// @return the URL.
  /// @throws sigv4::error as presign().
  std::string presign_delete(std::string_view bucket, std::string_view key, std::chrono::seconds expires,
                             time_point at) const {
    return presign(simple(http_method::delete_, bucket, key, expires), at);
  }

  /// CreateMultipartUpload: POST ?uploads; the answer's XML carries the UploadId. With a
  /// locked upload ACL, x-amz-acl is signed here (the parts then need none).
  /// @param bucket the bucket, checked against S3's rules (check_bucket_name).
  /// @param key the object key, 1 to 1024 bytes of UTF-8, signed verbatim.
  /// @param expires X-Amz-Expires, 1 to 604800 seconds.
  /// @param at the signing time.
  /// @return the URL.
  /// @throws sigv4::error as presign().
  std::string presign_create_multipart_upload(std::string_view bucket, std::string_view key,
                                              std::chrono::seconds expires, time_point at) const {
    object_request r = simple(http_method::post, bucket, key, expires);
    r.query = {{"uploads", ""}};
    return presign(r, at);
  }
  /// UploadPart: PUT ?partNumber=N&uploadId=ID, N from 1 to 10000.
  /// @param bucket the bucket, checked against S3's rules (check_bucket_name).
  /// @param key the object key, 1 to 1024 bytes of UTF-8, signed verbatim.
  /// @param upload_id the UploadId of CreateMultipartUpload's answer.
  /// @param part_number the part, 1 to 10000.
  /// @param expires X-Amz-Expires, 1 to 604800 seconds.
  /// @param at the signing time.
  /// @return the URL.
  /// @throws sigv4::error errc::invalid_argument for a part number outside 1..10000 or an empty upload id;
  ///         otherwise as presign().
  std::string presign_upload_part(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                  int part_number, std::chrono::seconds expires, time_point at) const {
    if (part_number < 1 || part_number > 10000)
      throw error(errc::invalid_argument, "part number " + std::to_string(part_number) + " is outside 1..10000");
    check_upload_id(upload_id);
    const std::string part = std::to_string(part_number);
    object_request r = simple(http_method::put, bucket, key, expires);
    r.query = {{"partNumber", part}, {"uploadId", upload_id}};
    return presign(r, at);
  }
  /// CompleteMultipartUpload: POST ?uploadId=ID with the part list as the XML body.
  /// @param bucket the bucket, checked against S3's rules (check_bucket_name).
  /// @param key the object key, 1 to 1024 bytes of UTF-8, signed verbatim.
  /// @param upload_id the UploadId of CreateMultipartUpload's answer.
  /// @param expires X-Amz-Expires, 1 to 604800 seconds.
  /// @param at the signing time.
  /// @return the URL.
  /// @throws sigv4::error errc::invalid_argument for an empty upload id; otherwise as presign().
  std::string presign_complete_multipart_upload(std::string_view bucket, std::string_view key,
                                                std::string_view upload_id, std::chrono::seconds expires,
                                                time_point at) const {
    return presign_upload_id_action(http_method::post, bucket, key, upload_id, expires, at);
  }
  /// AbortMultipartUpload: DELETE ?uploadId=ID.
  /// @param bucket the bucket, checked against S3's rules (check_bucket_name).
  /// @param key the object key, 1 to 1024 bytes of UTF-8, signed verbatim.
  /// @param upload_id the UploadId of CreateMultipartUpload's answer.
  /// @param expires X-Amz-Expires, 1 to 604800 seconds.
  /// @param at the signing time.
  /// @return the URL.
  /// @throws sigv4::error errc::invalid_argument for an empty upload id; otherwise as presign().
  std::string presign_abort_multipart_upload(std::string_view bucket, std::string_view key,
                                             std::string_view upload_id, std::chrono::seconds expires,
                                             time_point at) const {
    return presign_upload_id_action(http_method::delete_, bucket, key, upload_id, expires, at);
  }

  // Hooks for browser POST forms (sigv4/post_policy.hpp), which share this presigner's
  // endpoint, credentials, style, expiry rule and per-day signing keys.

  /// The lifetime a form signed at `at` may have: `expires` under the rules of X-Amz-Expires
  /// (1..604800 s) and of temporary credentials (`rule`).
  /// @param expires the lifetime asked for.
  /// @param rule what to do when temporary credentials expire first.
  /// @param at the signing time.
  /// @return `expires`, or the credentials' remaining lifetime under credential_expiry::clamp.
  /// @throws sigv4::error errc::invalid_expiry, errc::credentials_expired.
  std::chrono::seconds checked_lifetime(std::chrono::seconds expires, credential_expiry rule, time_point at) const {
    const reading held(*this);
    return checked_lifetime(expires, rule, at, held.epoch().creds);
  }
  /// checked_lifetime against given credentials (those of a scope entry: entry.creds).
  /// @param expires the lifetime asked for.
  /// @param rule what to do when temporary credentials expire first.
  /// @param at the signing time.
  /// @param creds the credentials whose expiry bounds the lifetime.
  /// @return `expires`, or the credentials' remaining lifetime under credential_expiry::clamp.
  /// @throws sigv4::error errc::invalid_expiry, errc::credentials_expired.
  static std::chrono::seconds checked_lifetime(std::chrono::seconds expires, credential_expiry rule, time_point at,
                                               const credentials& creds) {
    object_request r;
    r.expires = expires;
    r.on_credential_expiry = rule;
    return effective_expiry(r, at, creds);
  }
  /// Calls `use(const detail::scope_entry&)` with the signing key, scope and credential of
  /// the day of `at`: the cached entry, or (key_cache::off) one derived for this call. The
  /// entry's credentials (entry.creds) stay those of the presigner for the whole call, even
  /// if set_credentials runs meanwhile; `use` must not call set_credentials.
  /// @param at the signing time.
  /// @param use the callable.
  template <class Use>
  void with_scope_entry(time_point at, Use&& use) const {
    const reading held(*this);
    const auto split = sigv4::detail::split_time(at);
    if (options_.cache == key_cache::off) {
      const detail::scope_entry fresh(held.epoch().creds, split.day, format_amz_date(at).date(), region_);
      use(fresh);
    } else {
      use(entry_for(held.epoch(), split.day, at));
    }
  }

 private:
  struct cache_node : detail::scope_entry {
    using detail::scope_entry::scope_entry;
    cache_node* next = nullptr;
  };

  // The credentials of one period between swaps and what is derived from them: the encoded
  // session token and the signing key of each day used. Immutable once published but for the
  // key cache (a lock-free read; a miss derives under the mutex). Destroyed, keys wiped, by the
  // swap that replaces it once no presign can read it any more.
  struct credential_epoch {
    explicit credential_epoch(credentials c)
        : creds(std::move(c)),
          token_param(sigv4::detail::uri_encode(creds.session_token(), sigv4::detail::encode_set::component)) {}
    credential_epoch(const credential_epoch&) = delete;
    credential_epoch& operator=(const credential_epoch&) = delete;
    ~credential_epoch() {
      for (auto* e = retired.load(std::memory_order_acquire); e;) {
        auto* next = e->next;
        delete e;  // the signing key and the cached HMAC state are wiped by their destructors
        e = next;
      }
      sigv4::detail::wipe_string(token_param);
    }
    credentials creds;
    std::string token_param;
    mutable std::atomic<const cache_node*> current{nullptr};
    mutable std::atomic<cache_node*> retired{nullptr};
    mutable std::mutex mutex;
  };

  // Presigns in flight, counted per parity: the swap flips the parity and waits for the count
  // of the old one to drain (two generations, as in SRCU). Striped over cache lines by thread,
  // so that threads presigning on one presigner do not all write the same line.
  struct alignas(64) reader_stripe {
    std::atomic<std::uint32_t> count[2] = {{0}, {0}};
  };
  static constexpr std::size_t reader_stripes = 8;
  static std::size_t stripe_of_this_thread() noexcept {
    static thread_local const char tag = 0;
    const auto a = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&tag));
    return static_cast<std::size_t>((a * 0x9E3779B97F4A7C15ull) >> 61);  // 3 bits: 8 stripes
  }

  // Holds the current credentials for one presign: counted in, under a parity that was still
  // current once counted (else counted again), then the epoch is read; counted out at the end.
  // No lock, no allocation: three atomic loads and two atomic additions.
  class reading {
   public:
    explicit reading(const presigner& p) noexcept {
      reader_stripe& stripe = p.readers_[stripe_of_this_thread()];
      for (;;) {
        const unsigned parity = p.parity_.load(std::memory_order_seq_cst);
        counter_ = &stripe.count[parity];
        counter_->fetch_add(1, std::memory_order_seq_cst);
        if (p.parity_.load(std::memory_order_seq_cst) == parity) break;
        counter_->fetch_sub(1, std::memory_order_release);
      }
      epoch_ = p.epoch_.load(std::memory_order_seq_cst);
    }
    reading(const reading&) = delete;
    reading& operator=(const reading&) = delete;
    ~reading() { counter_->fetch_sub(1, std::memory_order_release); }
    const credential_epoch& epoch() const noexcept { return *epoch_; }

   private:
    std::atomic<std::uint32_t>* counter_ = nullptr;
    const credential_epoch* epoch_ = nullptr;
  };

  static object_request simple(http_method m, std::string_view bucket, std::string_view key,
                               std::chrono::seconds expires) {
    object_request r;
    r.method = m;
    r.bucket = bucket;
    r.key = key;
    r.expires = expires;
    return r;
  }

  static void check_upload_id(std::string_view id) {
    if (id.empty()) throw error(errc::invalid_argument, "the upload id is empty");
  }

  // A multipart request on an existing upload: `method` with ?uploadId=ID.
  std::string presign_upload_id_action(http_method method, std::string_view bucket, std::string_view key,
                                       std::string_view upload_id, std::chrono::seconds expires, time_point at) const {
    check_upload_id(upload_id);
    object_request r = simple(method, bucket, key, expires);
    r.query = {{"uploadId", upload_id}};
    return presign(r, at);
  }

  // The cached scope entry of `date` in epoch `e`: one acquire load on the hot path. A miss
  // derives the key under the epoch's mutex; entries are kept until the epoch dies (one per
  // distinct date used), so a pointer handed out stays valid while the epoch is held.
  const detail::scope_entry& entry_for(const credential_epoch& e, std::int64_t day, time_point at) const {
    const cache_node* cur = e.current.load(std::memory_order_acquire);
    if (cur && cur->day_number == day) return *cur;
    std::lock_guard<std::mutex> lock(e.mutex);
    for (cache_node* n = e.retired.load(std::memory_order_relaxed); n; n = n->next) {
      if (n->day_number == day) {
        e.current.store(n, std::memory_order_release);
        return *n;
      }
    }
    auto* fresh = new cache_node(e.creds, day, format_amz_date(at).date(), region_);
    fresh->next = e.retired.load(std::memory_order_relaxed);
    e.retired.store(fresh, std::memory_order_relaxed);
    e.current.store(fresh, std::memory_order_release);
    return *fresh;
  }

  static std::chrono::seconds effective_expiry(const object_request& req, time_point at, const credentials& creds) {
    sigv4::detail::check_expires(req.expires);
    const auto& exp = creds.expiration();
    if (!exp) return req.expires;
    const std::chrono::seconds left(sigv4::detail::epoch_seconds(*exp) - sigv4::detail::epoch_seconds(at));
    if (left.count() < 1)
      throw error(errc::credentials_expired, "the temporary credentials have expired at the signing time");
    if (req.expires <= left) return req.expires;
    if (req.on_credential_expiry == credential_expiry::clamp) return left;
    throw error(errc::credentials_expired, "the URL would live " + std::to_string(req.expires.count()) +
                                               " s but the temporary credentials expire in " +
                                               std::to_string(left.count()) + " s");
  }

  // Whether `req` creates an object (PutObject, CopyObject: a PUT without uploadId) or starts
  // a multipart upload (CreateMultipartUpload: POST ?uploads): the requests an upload ACL locks.
  static bool creates_object(const object_request& req) noexcept {
    if (req.method != http_method::put && req.method != http_method::post) return false;
    bool uploads = false, upload_id = false;
    for (const auto& q : req.query) {
      uploads = uploads || q.name == "uploads";
      upload_id = upload_id || q.name == "uploadId";
    }
    return !upload_id && (req.method == http_method::put || uploads);
  }

  // The x-amz-acl header to add to `req` (the locked upload ACL), or nullptr: none is locked,
  // `req` does not create an object, or it already carries that very header.
  // @throws sigv4::error errc::invalid_header_value for an x-amz-acl of another value.
  const param* acl_to_sign(const object_request& req) const {
    if (options_.upload_acl.empty() || !creates_object(req)) return nullptr;
    const param* add = &acl_header_;
    for (const auto& h : req.headers) {
      if (!sigv4::detail::iequals(h.name, "x-amz-acl")) continue;
      std::string_view v = h.value;
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      if (v != options_.upload_acl)
        throw error(errc::invalid_header_value, "the request's x-amz-acl " + detail::quote_input(v) +
                                                    " conflicts with the presigner's locked upload ACL " +
                                                    detail::quote_input(options_.upload_acl));
      add = nullptr;  // the same value: signed once, as given
    }
    return add;
  }

  // What one URL is made of, checked.
  struct url_inputs {
    const object_request& req;
    const param* acl;  // an extra x-amz-acl header to sign, or nullptr
    std::int64_t second_of_day;
    std::chrono::seconds expires;
    bool virtual_host;
    bool has_extras;  // acl, or extra query parameters or headers: the canonical query is sorted anew
    std::string_view token_param;  // the session token, encoded; empty without one
    bool bucket_level;  // no key: the path is /BUCKET (path style) or / (virtual-hosted)
  };

  // build_url checks the bucket and the key (check_request) beside the hashing of the
  // canonical request; their lengths, which bound its buffers, are looked at first, and what
  // throws before build_url checks them too before it throws, so that a request with more than
  // one fault is refused for the same one as if the checks came first.
  void presign_into(const object_request& req, time_point at, std::string& out, bool bucket_level = false) const {
    if (req.bucket.size() < 3 || req.bucket.size() > 63 || req.key.size() > 1024) check_request(req, bucket_level);
    const reading held(*this);  // the credentials of this URL, from its expiry to its signature
    const credential_epoch& ep = held.epoch();
    const auto split = sigv4::detail::split_time(at);
    const url_inputs inputs = [&] {
      try {
        return checked_inputs(req, at, ep, split.second, bucket_level);
      } catch (...) {
        check_request(req, bucket_level);
        throw;
      }
    }();
    if (options_.cache == key_cache::off) {
      const detail::scope_entry fresh(ep.creds, split.day, format_amz_date(at).date(), region_);
      build_url(inputs, fresh, out);
    } else {
      build_url(inputs, entry_for(ep, split.day, at), out);
    }
  }

  // The checks of a request that need no credentials.
  void check_request(const object_request& req, bool bucket_level) const {
    check_bucket_name(req.bucket);
    if (!bucket_level) check_object_key(req.key, options_.keys);
    else if (!req.key.empty()) throw error(errc::invalid_object_key, "a bucket request has no object key");
  }

  // The rest of the checks, and what the URL is made of.
  url_inputs checked_inputs(const object_request& req, time_point at, const credential_epoch& ep,
                            std::int64_t second_of_day, bool bucket_level) const {
    const std::chrono::seconds expires = effective_expiry(req, at, ep.creds);
    const bool virtual_host = uses_virtual_host(req.bucket);
    if (virtual_host && endpoint_.is_ip_literal)
      throw error(errc::invalid_endpoint, "virtual-hosted style needs a host name, not an IP literal");
    const param* acl = bucket_level ? nullptr : acl_to_sign(req);  // the upload ACL locks objects only
    const bool has_extras = acl || !req.query.empty() || !req.headers.empty();
    return url_inputs{req, acl, second_of_day, expires, virtual_host, has_extras, ep.token_param, bucket_level};
  }

  // presign_batch's step for one checked request: writes its padded canonical request at
  // offset `cr_at` of the scratch arena and its URL into `out` (room for the signature left
  // blank), as build_url does.
  detail::batch_job write_batch_url(const url_inputs& u, std::size_t index, const detail::scope_entry& entry,
                                    const amz_date& date, std::string& out, std::size_t cr_at) const {
    namespace d = sigv4::detail;
    char expires_buf[8];
    const std::string_view expires = expires_text(u.expires, expires_buf);
    extras ex{{}, "host", "host", {}};
    if (u.has_extras) ex = prepare_extras(u, entry, date, expires);  // views into scratch: used at once
    const std::size_t room = d::sha256_padded_size(canonical_bound(u, entry, expires, ex));
    unsigned char* const cr = detail::scratch().batch_cr_room(cr_at, room);
    const canonical_layout c = write_canonical_request(u, entry, date, expires, ex, reinterpret_cast<char*>(cr));
    const std::size_t blocks = d::sha256_pad(cr, c.size);
    const std::size_t signature_at = write_url(u, reinterpret_cast<const char*>(cr), c, out);
    return {index, cr_at, blocks, signature_at};
  }

  // presign_batch with the day's scope entry. Each URL is written (its room for the signature
  // left blank) and its padded canonical request kept; a request waits until another of the
  // same number of blocks arrives, and the two then run as two SHA-256 streams at once. The
  // canonical requests of a pair are set going first (launch), then the rest of the pair
  // before (land: the strings to sign, the outer blocks, the signatures). Requests left
  // without a twin are paired at the end, in order of length. (Spreading single blocks of a
  // pair between the steps of writing the next URLs, to run the writing beside them,
  // measured no faster.)
  void batch_with_entry(const object_request* reqs, std::size_t n, time_point at, const credential_epoch& ep,
                        const detail::scope_entry& entry, std::int64_t second_of_day, presigned_batch& out) const {
    namespace d = sigv4::detail;
    auto& scratch = detail::scratch();
    std::size_t padded = 0;  // bytes used in scratch.batch_cr
    auto& jobs = scratch.batch_jobs;
    jobs.clear();
    auto& waiting = scratch.batch_counts;  // by block count: 1 + the index in jobs of a request waiting for a twin
    waiting.clear();
    const amz_date date = d::amz_date_builder::make(entry.day, second_of_day);
    // The string to sign's first block is the same for every URL of the batch: its HMAC state
    // once. Its other blocks differ by the hex digest only: padded once as a template.
    char sts[d::string_to_sign_size(16, 8 + 1 + 64 + 1 + 2 + 1 + 12)];
    const unsigned char zero_digest[d::sha256_size] = {};
    const std::size_t sts_size = d::write_string_to_sign(sts, date.str(), entry.scope, zero_digest);
    const bool fixed = first_block_is_fixed(entry);
    d::sha256_state first = entry.states.inner();
    const d::wipe_on_exit wipe_first(&first, sizeof first);
    if (fixed) d::sha256_blocks(first, sts, 1);
    const std::size_t skip = fixed ? d::sha256_block_size : 0;  // the bytes `first` has taken
    unsigned char tail_template[192];  // room: at most 124 bytes after a fixed first block, 127 without
    std::memcpy(tail_template, sts + skip, sts_size - skip);
    const std::size_t tail_blocks = d::sha256_pad(tail_template, sts_size - skip, d::sha256_block_size + skip);
    const std::size_t hex_at = sts_size - skip - 2 * d::sha256_size;

    // a pair whose canonical requests are hashed (or being hashed): the rest of its work
    struct flight {
      std::size_t a = 0, b = 0;  // indices in jobs
      bool pair = false;
      d::sha256_state ha, hb;
    };
    flight in_air;
    bool flying = false;
    const auto land = [&](flight& f) {
      unsigned char tail[2][192];
      const d::sha256_state* h[2] = {&f.ha, &f.hb};
      for (int k = 0; k < 2; ++k) {
        unsigned char digest[d::sha256_size];
        d::sha256_digest_of(*h[k], digest);
        std::memcpy(tail[k], tail_template, sizeof tail_template);
        d::hex_encode(digest, d::sha256_size, reinterpret_cast<char*>(tail[k] + hex_at));
      }
      d::sha256_state ia = first, ib = first;
      d::sha256_blocks2(ia, tail[0], tail_blocks, ib, tail[1], f.pair ? tail_blocks : 0);
      unsigned char outer[2][64];
      d::hmac_block_key::outer_block(ia, outer[0]);
      d::hmac_block_key::outer_block(ib, outer[1]);
      d::sha256_state oa = entry.states.outer(), ob = entry.states.outer();
      d::sha256_blocks2(oa, outer[0], 1, ob, outer[1], f.pair ? 1 : 0);
      unsigned char mac[d::sha256_size];  // the signatures: public
      d::sha256_digest_of(oa, mac);
      d::hex_encode(mac, sizeof mac, &out.text_[jobs[f.a].signature_at]);
      if (f.pair) {
        d::sha256_digest_of(ob, mac);
        d::hex_encode(mac, sizeof mac, &out.text_[jobs[f.b].signature_at]);
      }
      d::wipe(ia), d::wipe(ib), d::wipe(oa), d::wipe(ob);
      d::wipe_bytes(outer, sizeof outer);
    };
    // Sets the canonical requests of jobs a and b (b == a: alone) going, then lands the pair before.
    const auto launch = [&](std::size_t a, std::size_t b) {
      flight next;
      next.a = a;
      next.b = b;
      next.pair = a != b;
      next.ha = d::sha256_initial_state;
      next.hb = d::sha256_initial_state;
      const unsigned char* cr = scratch.batch_cr.get();
      d::sha256_blocks2(next.ha, cr + jobs[a].cr_at, jobs[a].blocks, next.hb, cr + jobs[b].cr_at,
                        next.pair ? jobs[b].blocks : 0);
      if (flying) land(in_air);
      in_air = next;
      flying = true;
    };

    std::string_view checked_bucket;  // the last bucket checked (a manifest names one, mostly)
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t start = out.text_.size();
      std::size_t blocks = 0;
      try {
        const std::string_view bucket = reqs[i].bucket;
        if (bucket.data() != checked_bucket.data() || bucket.size() != checked_bucket.size()) {
          check_bucket_name(bucket);
          checked_bucket = bucket;
        }
        check_object_key(reqs[i].key, options_.keys);
        const url_inputs u = checked_inputs(reqs[i], at, ep, second_of_day, false);
        const detail::batch_job job = write_batch_url(u, i, entry, date, out.text_, padded);
        blocks = job.blocks;
        padded += 64 * blocks;
        jobs.push_back(job);
        out.items_[i].offset = start;
        out.items_[i].size = out.text_.size() - start;
      } catch (const error& e) {
        out.text_.resize(start);
        out.items_[i].failure = static_cast<long>(out.failures_.size());
        out.failures_.push_back(e);
        continue;
      }
      if (waiting.size() <= blocks) waiting.resize(blocks + 1, 0);
      if (waiting[blocks] != 0) {
        launch(waiting[blocks] - 1, jobs.size() - 1);
        waiting[blocks] = 0;
      } else {
        waiting[blocks] = jobs.size();
      }
    }
    // the requests without a twin, shortest first, in pairs
    std::size_t odd = 0;  // 1 + a job waiting for any partner
    for (std::size_t b = 0; b < waiting.size(); ++b) {
      if (waiting[b] == 0) continue;
      if (odd != 0) {
        launch(odd - 1, waiting[b] - 1);
        odd = 0;
      } else {
        odd = waiting[b];
      }
    }
    if (odd != 0) launch(odd - 1, odd - 1);
    if (flying) land(in_air);
  }


  // The extra parameters and headers, validated and encoded in the thread's scratch space.
  struct extras {
    std::string_view canonical_headers;     // "content-type:image/tiff\nhost:h\n"
    std::string_view signed_headers;        // "content-type;host"
    std::string_view signed_headers_param;  // "content-type%3Bhost"
    std::string_view sorted_query;          // the whole canonical query, X-Amz-* included
  };

  // Writes the URL of `u` into `out` and signs it, with the scope entry of the signing day.
  // The canonical request is written first, straight into its padded buffer; its path and
  // query are also the URL's, copied from it into `out` between its first blocks and the rest:
  // the compressions are one latency-bound chain (sha256rnds2 after sha256rnds2), and
  // out-of-order execution runs the URL's writing (the allocation of a returned string
  // included) and the bucket and key checks beside them only when they come close after them
  // in program order. (Measured no faster: one block before the URL and one before the
  // checks; hashing the blocks of the method, path and query prefix before writing the rest.)
  void build_url(const url_inputs& u, const detail::scope_entry& entry, std::string& out) const {
    namespace d = sigv4::detail;
    const amz_date date = d::amz_date_builder::make(entry.day, u.second_of_day);
    char expires_buf[8];
    const std::string_view expires = expires_text(u.expires, expires_buf);
    extras ex{{}, "host", "host", {}};
    if (u.has_extras) {
      check_request(u.req, u.bucket_level);  // before the extras' own checks
      ex = prepare_extras(u, entry, date, expires);
    }
    unsigned char stack[1024];
    unsigned char* buf = stack;
    const std::size_t room = d::sha256_padded_size(canonical_bound(u, entry, expires, ex));
    if (room > sizeof stack) {
      std::string& big = detail::scratch().padded;
      if (big.size() < room) big.resize(room);
      buf = reinterpret_cast<unsigned char*>(&big[0]);
    }
    const canonical_layout c = write_canonical_request(u, entry, date, expires, ex, reinterpret_cast<char*>(buf));
    const std::size_t blocks = d::sha256_pad(buf, c.size);
    d::sha256_state h = d::sha256_initial_state;
    const std::size_t early = blocks < 2 ? blocks : 2;  // blocks in flight while the URL is written
    d::sha256_blocks(h, buf, early);
    const std::size_t signature_at = write_url(u, reinterpret_cast<const char*>(buf), c, out);
    if (!u.has_extras) check_request(u.req, u.bucket_level);
    d::sha256_blocks(h, buf + d::sha256_block_size * early, blocks - early);
    unsigned char digest[d::sha256_size];
    d::sha256_digest_of(h, digest);
    sign(entry, date, u.second_of_day, digest, &out[signature_at]);
  }

  // Where the canonical request's path and query (the URL's too) are in its buffer.
  struct canonical_layout {
    std::size_t path_begin, path_end;    // the canonical URI, after the method line
    std::size_t query_begin, query_end;  // the canonical query, after the path's newline
    std::size_t size;                    // the whole canonical request
  };

  // An upper bound of the canonical request's length (the key encoded at most 3 bytes a byte).
  SIGV4_S3_STEP std::size_t canonical_bound(const url_inputs& u, const detail::scope_entry& entry,
                                            std::string_view expires, const extras& ex) const noexcept {
    const object_request& req = u.req;
    const std::size_t path = 2 + req.bucket.size() + 3 * req.key.size();
    const std::size_t query = u.has_extras ? ex.sorted_query.size()
                                           : entry.query_prefix.size() + 16 + 15 + expires.size() + 22 +
                                                 u.token_param.size() + 25;
    const std::size_t tail = u.has_extras ? ex.canonical_headers.size() + ex.signed_headers.size() + 19
                                          : req.bucket.size() + 1 + authority_.size() + 29;
    return 7 + path + 1 + query + tail;
  }

  // Writes the canonical request of `u` to `w` (room for canonical_bound bytes): the method,
  // the path, the query (in canonical order: the fixed prefix of the day, date, expiry, token
  // and the signed headers; or, with extras, the whole sorted query), the headers, the
  // signed-header list and the payload.
  SIGV4_S3_STEP canonical_layout write_canonical_request(const url_inputs& u, const detail::scope_entry& entry,
                                                         const amz_date& date, std::string_view expires,
                                                         const extras& ex, char* const buf) const noexcept {
    namespace d = sigv4::detail;
    const object_request& req = u.req;
    canonical_layout c{};
    char* w = detail::put_short(buf, method_line(req.method));
    c.path_begin = static_cast<std::size_t>(w - buf);
    *w++ = '/';
    if (!u.virtual_host) {
      w = detail::put_short(w, req.bucket);
      if (!u.bucket_level) *w++ = '/';
    }
    w = d::write_uri_encoded(w, req.key, d::encode_set::path);
    c.path_end = static_cast<std::size_t>(w - buf);
    *w++ = '\n';
    c.query_begin = c.path_end + 1;
    if (u.has_extras) {
      w = detail::put_short(w, ex.sorted_query);
    } else {
      w = detail::put_short(w, entry.query_prefix);
      w = detail::put_short(w, date.str());
      w = detail::put_literal(w, "&X-Amz-Expires=");
      w = detail::put_short(w, expires);
      if (!u.token_param.empty()) w = detail::put_short(detail::put_literal(w, "&X-Amz-Security-Token="), u.token_param);
      w = detail::put_literal(w, "&X-Amz-SignedHeaders=host");
    }
    c.query_end = static_cast<std::size_t>(w - buf);
    if (u.has_extras) {
      *w++ = '\n';
      w = detail::put_short(w, ex.canonical_headers);
      *w++ = '\n';
      w = detail::put_short(w, ex.signed_headers);
    } else {
      w = detail::put_literal(w, "\nhost:");
      if (u.virtual_host) w = detail::put_short(w, req.bucket), *w++ = '.';
      w = detail::put_short(w, authority_);
      w = detail::put_literal(w, "\n\nhost");
    }
    w = detail::put_literal(w, "\nUNSIGNED-PAYLOAD");
    c.size = static_cast<std::size_t>(w - buf);
    return c;
  }

  // Appends the URL to `out`, sized exactly (one allocation for a returned string, and no
  // zero fill beyond the URL): scheme://host, the path and query copied from the canonical
  // request `cr`, "&X-Amz-Signature=" and room for the signature, whose offset it returns.
  SIGV4_S3_STEP std::size_t write_url(const url_inputs& u, const char* cr, const canonical_layout& c,
                                      std::string& out) const {
    namespace d = sigv4::detail;
    const std::size_t path = c.path_end - c.path_begin, query = c.query_end - c.query_begin;
    const std::size_t host = (u.virtual_host ? u.req.bucket.size() + 1 : 0) + authority_.size();
    const std::size_t start = out.size();
    const std::size_t size = base_url_.size() + host + path + 1 + query + 17 + 64;
    out.resize(start + size);
    char* w = detail::put_short(&out[start], base_url_);
    if (u.virtual_host) w = detail::put_short(w, u.req.bucket), *w++ = '.';
    w = detail::put_short(w, authority_);
    w = detail::put_short(w, {cr + c.path_begin, path});
    *w++ = '?';
    w = detail::put_short(w, {cr + c.query_begin, query});
    detail::put_literal(w, "&X-Amz-Signature=");
    return start + size - 64;
  }

  // X-Amz-Expires in decimal (1..604800: at most 6 digits), at the end of `buf`.
  SIGV4_S3_STEP static std::string_view expires_text(std::chrono::seconds expires, char (&buf)[8]) noexcept {
    std::size_t len = 0;
    for (long long v = expires.count(); v > 0; v /= 10) buf[7 - len++] = static_cast<char>('0' + v % 10);
    return {buf + 8 - len, len};
  }

  // The method and the newline after it, the first line of the canonical request.
  static std::string_view method_line(http_method m) noexcept {
    static constexpr std::string_view lines[] = {"GET\n", "PUT\n", "HEAD\n", "DELETE\n", "POST\n"};
    return lines[static_cast<int>(m)];
  }

  // The string to sign and its HMAC with the day's key, written as 64 hex digits at
  // `signature`. With the key cache and a fixed first block (see scope_entry::sts_tail) the
  // first block's state is kept per second and the rest is the entry's padded tail with this
  // digest's hex in it; otherwise the whole string is written on the stack (the region is at
  // most 64 characters) and signed.
  SIGV4_S3_STEP void sign(const detail::scope_entry& entry, const amz_date& date, std::int64_t second_of_day,
            const unsigned char (&digest)[sigv4::detail::sha256_size], char* signature) const {
    namespace d = sigv4::detail;
    unsigned char mac[d::sha256_size];  // the signature itself: public
    // (Without the key cache the entry dies with this URL: nothing to keep.)
    if (options_.cache == key_cache::per_day && entry.sts_tail_blocks != 0) {
      d::sha256_state st;
      if (!entry.first_block.load(0, static_cast<std::uint64_t>(second_of_day), st)) {
        char sts[d::string_to_sign_size(16, 8 + 1 + 64 + 1 + 2 + 1 + 12)];
        d::write_string_to_sign(sts, date.str(), entry.scope, digest);
        st = entry.states.inner();
        d::sha256_blocks(st, sts, 1);
        entry.first_block.store(0, static_cast<std::uint64_t>(second_of_day), st);
      }
      unsigned char tail[sizeof entry.sts_tail];
      std::memcpy(tail, entry.sts_tail, sizeof tail);
      d::hex_encode(digest, d::sha256_size, reinterpret_cast<char*>(tail + entry.sts_hex_at));
      entry.states.finish_padded(st, tail, entry.sts_tail_blocks, mac);
    } else {
      char sts[d::string_to_sign_size(16, 8 + 1 + 64 + 1 + 2 + 1 + 12)];
      const std::size_t n = d::write_string_to_sign(sts, date.str(), entry.scope, digest);
      entry.states.sign(sts, n, mac);
    }
    d::hex_encode(mac, sizeof mac, signature);
  }

  // Whether the string to sign's first block holds only the algorithm, the X-Amz-Date and
  // the scope (the same for every URL of one second).
  static bool first_block_is_fixed(const detail::scope_entry& entry) noexcept {
    return sigv4::detail::string_to_sign_first_block_is_fixed(16, entry.scope.size());
  }

  // Validates and encodes the extra parameters and headers (the locked x-amz-acl included) in
  // the thread's scratch space: the canonical header block (Host included), the signed-header
  // list, and the whole canonical query with the X-Amz-* parameters of this URL.
  extras prepare_extras(const url_inputs& u, const detail::scope_entry& entry, const amz_date& date,
                        std::string_view expires) const {
    auto& s = detail::scratch();
    s.host.assign(u.virtual_host ? u.req.bucket.view() : std::string_view());
    if (u.virtual_host) s.host.push_back('.');
    s.host.append(authority_);
    extras ex = encode_extras(u, s.host);
    const bool token = !u.token_param.empty();
    const sigv4::detail::encoded_param auth[] = {
        {"X-Amz-Algorithm", algorithm},
        {"X-Amz-Credential", entry.credential_param},
        {"X-Amz-Date", date.str()},
        {"X-Amz-Expires", expires},
        {"X-Amz-Security-Token", u.token_param},
        {"X-Amz-SignedHeaders", ex.signed_headers_param},
    };
    for (const auto& p : auth)
      if (token || p.name != "X-Amz-Security-Token") s.params.push_back(p);
    s.query.clear();
    sigv4::detail::append_sorted_query(s.query, s.params.data(), s.params.data() + s.params.size());
    ex.sorted_query = s.query;
    return ex;
  }

  // Fills scratch().params with the encoded extra query parameters and builds the canonical
  // header block (Host included) and the signed-header list. Offsets into the scratch text are
  // kept while it grows; views are taken once it is complete.
  static extras encode_extras(const url_inputs& u, std::string_view host) {
    namespace d = sigv4::detail;
    const object_request& req = u.req;
    auto& s = detail::scratch();
    s.text.clear();
    s.params.clear();
    s.items.clear();
    for (const auto& p : req.query) {
      check_extra_query_name(p.name);
      const std::size_t a = s.text.size();
      d::append_uri_encoded(s.text, p.name, d::encode_set::component);
      const std::size_t b = s.text.size();
      d::append_uri_encoded(s.text, p.value, d::encode_set::component);
      s.items.push_back({a, b - a, b, s.text.size() - b});
    }
    const std::size_t query_items = s.items.size();
    const std::size_t header_count = req.headers.size() + (u.acl ? 1 : 0);
    const auto header_at = [&](std::size_t i) -> const param& { return i < req.headers.size() ? req.headers[i] : *u.acl; };
    s.headers.clear();
    s.headers.push_back({"host", host});
    for (std::size_t i = 0; i < header_count; ++i) {
      const param& h = header_at(i);
      check_extra_header(h);
      const std::size_t a = s.text.size();
      for (char c : h.name) s.text.push_back(d::to_lower_ascii(c));
      s.items.push_back({a, h.name.size(), 0, 0});
    }
    const auto text_of = [&](std::size_t at, std::size_t len) { return std::string_view(s.text).substr(at, len); };
    for (std::size_t i = 0; i < header_count; ++i)
      s.headers.push_back({text_of(s.items[query_items + i][0], s.items[query_items + i][1]), header_at(i).value});
    s.block.clear();
    s.signed_list.clear();
    d::append_canonical_headers(s.block, s.signed_list, s.headers.data(), s.headers.data() + s.headers.size());
    s.signed_param.clear();
    d::append_uri_encoded(s.signed_param, s.signed_list, d::encode_set::component);
    for (std::size_t i = 0; i < query_items; ++i)
      s.params.push_back({text_of(s.items[i][0], s.items[i][1]), text_of(s.items[i][2], s.items[i][3])});
    return {s.block, s.signed_list, s.signed_param, {}};
  }

  // An extra query parameter may not be one the presigner writes, nor X-Amz-Content-Sha256:
  // a presigned S3 URL signs UNSIGNED-PAYLOAD, while S3 and MinIO take that parameter as the
  // payload hash to check (MinIO: getContentSha256Cksum, cmd/signature-v4-utils.go), so the
  // URL could never verify. It is refused rather than signed wrong.
  static void check_extra_query_name(std::string_view name) {
    if (name.empty()) throw error(errc::invalid_query, "an extra query parameter has an empty name");
    for (auto auth : sigv4::detail::presign_params)
      if (name == auth) throw error(errc::invalid_query, "the extra query parameters hold " + std::string(auth));
    if (sigv4::detail::iequals(name, "X-Amz-Content-Sha256"))
      throw error(errc::invalid_query,
                  "the extra query parameters hold X-Amz-Content-Sha256; presigned S3 URLs sign UNSIGNED-PAYLOAD "
                  "and a server would check the payload against it instead");
  }

  // An extra header must be a token with a clean value, and neither Host (set from the
  // endpoint) nor x-amz-content-sha256 (MinIO reads it as the payload hash of a presigned
  // request when the query has none; see check_extra_query_name).
  static void check_extra_header(const param& h) {
    sigv4::detail::check_header_name(h.name);
    sigv4::detail::check_header_value(h.name, h.value);
    if (sigv4::detail::iequals(h.name, "host"))
      throw error(errc::invalid_header_name, "Host is set from the endpoint; do not pass it as an extra header");
    if (sigv4::detail::iequals(h.name, "x-amz-content-sha256"))
      throw error(errc::invalid_header_name,
                  "x-amz-content-sha256 cannot be signed into a presigned S3 URL (it signs UNSIGNED-PAYLOAD)");
  }

  endpoint endpoint_;
  std::string region_;
  presigner_options options_;
  bool is_aws_;
  std::string authority_;
  std::string base_url_;
  param acl_header_;  // x-amz-acl: options_.upload_acl
  std::atomic<const credential_epoch*> epoch_{nullptr};  // owned; replaced by set_credentials
  std::atomic<unsigned> parity_{0};
  mutable reader_stripe readers_[reader_stripes];
  std::mutex swap_mutex_;
};

SIGV4_BACKEND_NS_END
}  // namespace sigv4::s3

#undef SIGV4_S3_STEP

#endif
