// sigv4 — the library's JSON: one deterministic writer (policy documents, POST policies) and
// one small strict reader for untrusted input (received POST policies): objects, arrays,
// strings and integers only, limited in size and depth.
// https://www.rfc-editor.org/rfc/rfc8259
#ifndef SIGV4_DETAIL_JSON_HPP
#define SIGV4_DETAIL_JSON_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../errors.hpp"
#include "utf8.hpp"

namespace sigv4::detail {

// ---------------------------------------------------------------------------
// Writing

// Whether any of the eight bytes of `w` must be escaped in a JSON string: a control
// character (< 0x20), '"' or '\'.
inline bool word_needs_escape(std::uint64_t w) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  const auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
  return (((w - 0x20 * ones) & ~w & highs) | has_zero(w ^ (0x22 * ones)) | has_zero(w ^ (0x5C * ones))) != 0;
}

// The length of the prefix of `s` that needs no escaping.
inline std::size_t plain_json_run(std::string_view s) noexcept {
  std::size_t i = 0;
  std::uint64_t w;
  for (; i + 8 <= s.size(); i += 8) {
    std::memcpy(&w, s.data() + i, 8);
    if (word_needs_escape(w)) break;
  }
  if (i == s.size()) return i;
  if (s.size() - i < 8) {
    // the last few bytes, in a word padded with 'a'
    w = 0x6161616161616161u;
    std::memcpy(&w, s.data() + i, s.size() - i);
    if (!word_needs_escape(w)) return s.size();
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') break;
  }
  return i;
}

// Writes `s` escaped for a JSON string at `w`, which has room for 6 * s.size() bytes: '"'
// and '\' escaped, control characters as \n, \t, ... or \u00XX, other text (UTF-8) as it is.
// Returns the end.
inline char* write_json_chars(char* w, std::string_view s) noexcept {
  static constexpr char digits[] = "0123456789abcdef";
  while (!s.empty()) {
    const std::size_t run = plain_json_run(s);
    std::memcpy(w, s.data(), run);
    w += run;
    if (run == s.size()) break;
    const auto c = static_cast<unsigned char>(s[run]);
    s.remove_prefix(run + 1);
    *w++ = '\\';
    switch (c) {
      case '"': *w++ = '"'; break;
      case '\\': *w++ = '\\'; break;
      case '\n': *w++ = 'n'; break;
      case '\r': *w++ = 'r'; break;
      case '\t': *w++ = 't'; break;
      case '\b': *w++ = 'b'; break;
      case '\f': *w++ = 'f'; break;
      default:
        std::memcpy(w, "u00", 3);
        w[3] = digits[c >> 4];
        w[4] = digits[c & 15];
        w += 5;
    }
  }
  return w;
}

// Throws errc::invalid_policy when policy text is not valid UTF-8.
inline void check_json_text(std::string_view s) {
  if (!is_valid_utf8(s)) throw error(errc::invalid_policy, "policy text " + quote_input(s) + " is not valid UTF-8");
}

// Appends the JSON string literal of `s` (see write_json_chars).
// Throws errc::invalid_policy when the text is not valid UTF-8.
inline void append_json_string(std::string& out, std::string_view s) {
  check_json_text(s);
  const std::size_t at = out.size();
  out.resize(at + 2 + 6 * s.size());
  char* w = &out[at];
  *w++ = '"';
  w = write_json_chars(w, s);
  *w++ = '"';
  out.resize(static_cast<std::size_t>(w - out.data()));
}

// Writes JSON with or without whitespace: pretty is two-space indentation with one member a
// line, compact has no whitespace at all. The same calls always give the same bytes. It writes
// into its own buffer, grown ahead of each write (no per-character calls into std::string).
class json_writer {
 public:
  explicit json_writer(bool pretty, std::size_t expected_size = 256) : pretty_(pretty) { buf_.resize(expected_size); }

  void open(char bracket) {
    put(bracket);
    ++depth_;
    first_ = true;
  }
  void close(char bracket) {
    --depth_;
    if (!first_) newline();
    put(bracket);
    first_ = false;
  }
  // Starts a member "name": (a comma and a new line before it unless it is the first).
  void member(std::string_view name) {
    element();
    string(name);
    put(pretty_ ? std::string_view(": ") : std::string_view(":"));
  }
  // Starts an element of an array.
  void element() {
    if (!first_) put(',');
    newline();
    first_ = false;
  }
  // A string; with `prefix`, the one string prefix + s (e.g. "$" and a field name).
  void string(std::string_view s, std::string_view prefix = {}) {
    check_json_text(prefix);
    check_json_text(s);
    char* w = room(2 + 6 * (prefix.size() + s.size()));
    *w++ = '"';
    w = write_json_chars(write_json_chars(w, prefix), s);
    *w++ = '"';
    n_ = static_cast<std::size_t>(w - buf_.data());
  }
  void integer(long long v) { put(std::to_string(v)); }
  // An array of strings on one line: ["a", "b"].
  void string_array(const std::vector<std::string>& values) {
    put('[');
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i != 0) put(pretty_ ? std::string_view(", ") : std::string_view(","));
      string(values[i]);
    }
    put(']');
  }
  std::string take() {
    if (pretty_) put('\n');
    buf_.resize(n_);
    n_ = 0;
    return std::move(buf_);
  }

 private:
  // Room for `k` more bytes at the end of what is written.
  char* room(std::size_t k) {
    if (n_ + k > buf_.size()) buf_.resize(2 * buf_.size() + k);
    return &buf_[n_];
  }
  void put(char c) {
    *room(1) = c;
    ++n_;
  }
  void put(std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    n_ += s.size();
  }
  void newline() {
    if (!pretty_) return;
    char* w = room(1 + 2 * static_cast<std::size_t>(depth_));
    *w = '\n';
    std::memset(w + 1, ' ', 2 * static_cast<std::size_t>(depth_));
    n_ += 1 + 2 * static_cast<std::size_t>(depth_);
  }
  bool pretty_;
  int depth_ = 0;
  bool first_ = true;
  std::string buf_;    // written bytes, then spare room
  std::size_t n_ = 0;  // bytes written
};

// ---------------------------------------------------------------------------
// Reading

// A parsed JSON value of the four kinds the reader accepts.
struct json_value {
  enum class type { object, array, string, integer };
  type kind = type::string;
  std::string text;                // a string, decoded to UTF-8
  long long number = 0;            // an integer
  std::vector<json_value> items;   // an array's elements, or an object's member values
  std::vector<std::string> names;  // an object's member names, in order, each once

  // The member `name` of an object, or nullptr.
  const json_value* find(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return &items[i];
    return nullptr;
  }
};

// What the reader accepts at most.
struct json_limits {
  std::size_t max_size = 65536;  // bytes of input
  int max_depth = 8;             // nested objects and arrays
};

// A recursive-descent reader over untrusted text. Every refusal is a fixed description that
// quotes nothing of the input.
class json_reader {
 public:
  json_reader(std::string_view text, const json_limits& limits) : s_(text), limits_(limits) {}

  // nullptr on success; otherwise why the text is refused.
  const char* read(json_value& out) {
    if (s_.size() > limits_.max_size) return "the JSON text is too large";
    if (!is_valid_utf8(s_)) return "the JSON text is not valid UTF-8";
    skip_space();
    if (const char* why = value(out, 0)) return why;
    skip_space();
    return i_ == s_.size() ? nullptr : "the JSON text has more after its value";
  }

 private:
  void skip_space() noexcept {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool take(char c) noexcept {
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }

  const char* value(json_value& out, int depth) {
    if (i_ == s_.size()) return "the JSON text ends early";
    const char c = s_[i_];
    if (c == '{' || c == '[') {
      if (depth >= limits_.max_depth) return "the JSON text is nested too deeply";
      return c == '{' ? object(out, depth + 1) : array(out, depth + 1);
    }
    if (c == '"') {
      out.kind = json_value::type::string;
      return string(out.text);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return integer(out);
    return "the JSON text has a value that is not an object, array, string or integer";
  }

  const char* object(json_value& out, int depth) {
    out.kind = json_value::type::object;
    ++i_;  // '{'
    out.names.reserve(4);
    out.items.reserve(4);
    skip_space();
    if (take('}')) return nullptr;
    for (;;) {
      skip_space();
      if (i_ == s_.size() || s_[i_] != '"') return "a JSON object member has no string name";
      std::string name;
      if (const char* why = string(name)) return why;
      for (const std::string& seen : out.names)
        if (seen == name) return "a JSON object has the same member name twice";
      skip_space();
      if (!take(':')) return "a JSON object member has no ':'";
      skip_space();
      out.names.push_back(std::move(name));
      out.items.emplace_back();
      if (const char* why = value(out.items.back(), depth)) return why;
      skip_space();
      if (take('}')) return nullptr;
      if (!take(',')) return "a JSON object has no ',' or '}' after a member";
    }
  }

  const char* array(json_value& out, int depth) {
    out.kind = json_value::type::array;
    ++i_;  // '['
    out.items.reserve(4);
    skip_space();
    if (take(']')) return nullptr;
    for (;;) {
      skip_space();
      out.items.emplace_back();
      if (const char* why = value(out.items.back(), depth)) return why;
      skip_space();
      if (take(']')) return nullptr;
      if (!take(',')) return "a JSON array has no ',' or ']' after an element";
    }
  }

  // An integer: '-'? and digits without a leading zero, within 64 bits; no fraction or exponent.
  const char* integer(json_value& out) {
    out.kind = json_value::type::integer;
    const bool negative = take('-');
    const std::size_t start = i_;
    std::uint64_t v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      const auto d = static_cast<std::uint64_t>(s_[i_] - '0');
      if (v > (static_cast<std::uint64_t>(INT64_MAX) - d) / 10) return "a JSON integer is out of range";
      v = v * 10 + d;
      ++i_;
    }
    if (i_ == start) return "a JSON number has no digits";
    if (s_[start] == '0' && i_ - start > 1) return "a JSON integer has a leading zero";
    if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E')) return "a JSON number is not an integer";
    out.number = negative ? -static_cast<long long>(v) : static_cast<long long>(v);
    return nullptr;
  }

  static int hex4(std::string_view s, std::size_t at) noexcept {
    if (at + 4 > s.size()) return -1;
    int v = 0;
    for (std::size_t k = at; k < at + 4; ++k) {
      const char c = s[k];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }

  // A \u escape at i_ (after the backslash and 'u'): one code unit, or a surrogate pair.
  const char* unicode_escape(std::string& out) {
    const int first = hex4(s_, i_);
    if (first < 0) return "a JSON \\u escape does not have four hex digits";
    i_ += 4;
    std::uint32_t cp = static_cast<std::uint32_t>(first);
    if (cp >= 0xDC00 && cp <= 0xDFFF) return "a JSON \\u escape is a lone low surrogate";
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i_ + 2 > s_.size() || s_[i_] != '\\' || s_[i_ + 1] != 'u') return "a JSON \\u escape is a lone high surrogate";
      const int second = hex4(s_, i_ + 2);
      if (second < 0xDC00 || second > 0xDFFF) return "a JSON \\u escape is a lone high surrogate";
      i_ += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(second) - 0xDC00);
    }
    append_utf8(out, cp);
    return nullptr;
  }

  const char* string(std::string& out) {
    ++i_;  // '"'
    std::size_t run = i_;
    for (;;) {
      if (i_ == s_.size()) return "a JSON string is not closed";
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        out.append(s_.data() + run, i_ - run);
        ++i_;
        return nullptr;
      }
      if (c < 0x20) return "a JSON string holds a raw control character";
      if (c != '\\') {
        ++i_;
        continue;
      }
      out.append(s_.data() + run, i_ - run);
      if (++i_ == s_.size()) return "a JSON string is not closed";
      const char e = s_[i_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u':
          if (const char* why = unicode_escape(out)) return why;
          break;
        default: return "a JSON string has an unknown escape";
      }
      run = i_;
    }
  }

  std::string_view s_;
  json_limits limits_;
  std::size_t i_ = 0;
};

// Parses `text` strictly into `out`: nullptr on success, otherwise a fixed description of
// what is wrong (it quotes nothing of the input).
inline const char* parse_json(std::string_view text, json_value& out, const json_limits& limits = {}) {
  out = json_value{};
  return json_reader(text, limits).read(out);
}

}  // namespace sigv4::detail

#endif
