/// @file
/// sigv4 — network addresses for allowlists: strict IPv4 and IPv6 addresses (one parser,
/// detail/ip.hpp), CIDR blocks, and CIDR sets with O(log n) membership. The policy documents of
/// policy.hpp carry these blocks in aws:SourceIp conditions; a service can also test a caller's
/// address against a cidr_set directly (examples/download_service does).
///
/// The names live in sigv4::policy, beside the documents that use them: sigv4::policy::ip_address,
/// parse_ip_address, cidr_block, parse_cidr, cidr_set.
#ifndef SIGV4_CIDR_HPP
#define SIGV4_CIDR_HPP

#include "detail/config.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "detail/ip.hpp"
#include "errors.hpp"

namespace sigv4::policy {

/// The address family of an address or block.
enum class ip_family { v4, v6 };

namespace detail {
using sigv4::detail::capture_error;
using sigv4::detail::quote_input;

using sigv4::detail::is_digit;
using sigv4::detail::parse_ipv4;
using sigv4::detail::parse_ipv6;
using sigv4::detail::to_bytes;
using sigv4::detail::u128;

// The largest value of a family: 2^32-1 or 2^128-1.
constexpr u128 family_max(ip_family f) noexcept {
  return f == ip_family::v4 ? u128{0, 0xffffffffu} : u128{~std::uint64_t{0}, ~std::uint64_t{0}};
}

// The network mask of a prefix length within the family's width.
constexpr u128 prefix_mask(ip_family f, int prefix) noexcept {
  const std::uint64_t ones = ~std::uint64_t{0};
  if (f == ip_family::v4) return {0, prefix == 0 ? 0 : (0xffffffffu << (32 - prefix)) & 0xffffffffu};
  if (prefix == 0) return {0, 0};
  if (prefix <= 64) return {ones << (64 - prefix), 0};
  return {ones, ones << (128 - prefix)};
}

// True for ::ffff:0:0/96, the IPv4-mapped IPv6 addresses.
constexpr bool is_v4_mapped(u128 v) noexcept { return v.hi == 0 && (v.lo >> 32) == 0xffffu; }

inline std::string format_ipv4(std::uint32_t v) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    if (shift != 24) out.push_back('.');
    out += std::to_string((v >> shift) & 0xffu);
  }
  return out;
}

// RFC 5952: lower case, no leading zeros, the longest run (the first of equals) of two or
// more zero groups as "::".
inline std::string format_ipv6(u128 v) {
  std::array<unsigned, 8> g{};
  for (int i = 0; i < 4; ++i) g[static_cast<std::size_t>(i)] = static_cast<unsigned>((v.hi >> (48 - 16 * i)) & 0xffffu);
  for (int i = 0; i < 4; ++i) g[static_cast<std::size_t>(4 + i)] = static_cast<unsigned>((v.lo >> (48 - 16 * i)) & 0xffffu);
  int best_at = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[static_cast<std::size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[static_cast<std::size_t>(j)] == 0) ++j;
    if (j - i > best_len) best_at = i, best_len = j - i;
    i = j;
  }
  if (best_len < 2) best_at = -1;
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_at) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out.push_back(':');
    const unsigned x = g[static_cast<std::size_t>(i)];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned d = (x >> shift) & 0xfu;
      if (d != 0 || started || shift == 0) out.push_back(digits[d]), started = true;
    }
  }
  return out;
}
}  // namespace detail

/// An IPv4 or IPv6 address. An IPv4-mapped IPv6 address ("::ffff:a.b.c.d") is held, compared,
/// matched and printed as the IPv4 address a.b.c.d.
class ip_address {
 public:
  /// 0.0.0.0.
  ip_address() = default;

  /// An IPv4 address from its 32-bit value (192.0.2.1 is 0xC0000201).
  /// @param value the address, host byte order.
  /// @return the address.
  static ip_address from_v4(std::uint32_t value) noexcept { return ip_address(ip_family::v4, {0, value}); }

  /// An IPv6 address from its 16 bytes in network order; an IPv4-mapped one becomes IPv4.
  /// @param bytes the address, network order.
  /// @return the address.
  static ip_address from_v6(const std::array<std::uint8_t, 16>& bytes) noexcept {
    detail::u128 v;
    for (std::size_t i = 0; i < 8; ++i) v.hi = (v.hi << 8) | bytes[i];
    for (std::size_t i = 8; i < 16; ++i) v.lo = (v.lo << 8) | bytes[i];
    return from_value(v);
  }

  /// @return ip_family::v4 or ip_family::v6.
  ip_family family() const noexcept { return family_; }
  /// @return whether this is an IPv4 address.
  bool is_v4() const noexcept { return family_ == ip_family::v4; }

  /// The 32-bit value of an IPv4 address (0 for IPv6).
  /// @return the value, host byte order.
  std::uint32_t v4_value() const noexcept { return is_v4() ? static_cast<std::uint32_t>(value_.lo) : 0; }

  /// The 16 bytes in network order; an IPv4 address as its IPv4-mapped form "::ffff:a.b.c.d".
  /// @return the bytes.
  std::array<std::uint8_t, 16> v6_bytes() const noexcept {
    return detail::to_bytes(is_v4() ? detail::u128{0, 0xffff00000000u | value_.lo} : value_);
  }

  /// Canonical text: dotted quad for IPv4, RFC 5952 for IPv6 ("2001:db8::1").
  /// @return the text.
  std::string to_string() const {
    return is_v4() ? detail::format_ipv4(v4_value()) : detail::format_ipv6(value_);
  }

  /// Equality; the order puts every IPv4 address before every IPv6 address.
  /// @param a an address.
  /// @param b another.
  /// @return whether they are the same address.
  friend bool operator==(const ip_address& a, const ip_address& b) noexcept {
    return a.family_ == b.family_ && a.value_ == b.value_;
  }
  /// @param a an address.
  /// @param b another.
  /// @return whether they differ.
  friend bool operator!=(const ip_address& a, const ip_address& b) noexcept { return !(a == b); }
  /// @param a an address.
  /// @param b another.
  /// @return whether `a` comes first: IPv4 before IPv6, then by value.
  friend bool operator<(const ip_address& a, const ip_address& b) noexcept {
    return a.family_ != b.family_ ? a.family_ < b.family_ : a.value_ < b.value_;
  }

 private:
  friend class cidr_block;
  friend class cidr_set;
  ip_address(ip_family f, detail::u128 v) noexcept : family_(f), value_(v) {}
  static ip_address from_value(detail::u128 v) noexcept {
    if (detail::is_v4_mapped(v)) return ip_address(ip_family::v4, {0, v.lo & 0xffffffffu});
    return ip_address(ip_family::v6, v);
  }
  detail::u128 value() const noexcept { return value_; }

  ip_family family_ = ip_family::v4;
  detail::u128 value_;
};

/// Parses an IPv4 address ("192.0.2.1": four decimal parts 0-255, no leading zeros) or an
/// IPv6 address ("2001:db8::1", "::ffff:192.0.2.1"; hex in either case, at most one "::", no
/// zone index). An IPv4-mapped IPv6 address becomes the IPv4 address.
/// @param text the address.
/// @return the address.
/// @throws sigv4::error errc::invalid_ip_address naming the text and what is wrong with it.
inline ip_address parse_ip_address(std::string_view text) {
  if (text.empty()) throw error(errc::invalid_ip_address, "'' is not an IP address: it is empty");
  std::string why;
  if (text.find(':') != std::string_view::npos) {
    detail::u128 v;
    why = detail::parse_ipv6(text, v);
    if (why.empty()) return ip_address::from_v6(detail::to_bytes(v));
    why = "not an IPv6 address: " + why;
  } else {
    std::uint32_t v = 0;
    why = detail::parse_ipv4(text, v);
    if (why.empty()) return ip_address::from_v4(v);
    why = "not an IPv4 address: " + why;
  }
  throw error(errc::invalid_ip_address, detail::quote_input(text) + " is " + why);
}

/// Non-throwing twin of parse_ip_address: sets `ec` and returns 0.0.0.0 on failure.
/// @param text the address.
/// @param ec set to errc::invalid_ip_address on failure, cleared on success.
/// @return the address, or 0.0.0.0 when `ec` is set.
inline ip_address parse_ip_address(std::string_view text, std::error_code& ec) {
  return detail::capture_error(ec, [&] { return parse_ip_address(text); });
}

/// What parse_cidr does with a block whose address has host bits set ("10.0.0.1/8").
enum class cidr_parse {
  strict,     ///< refuse it (the default: it is usually a typo)
  normalize,  ///< clear the host bits ("10.0.0.1/8" becomes 10.0.0.0/8)
};

/// A CIDR block: a network address and a prefix length, host bits clear. A block inside the
/// IPv4-mapped range ("::ffff:0:0/96" and longer) is the IPv4 block it maps.
class cidr_block {
 public:
  /// 0.0.0.0/0.
  cidr_block() = default;

  /// The block of `address` with `prefix_length` bits (0-32 for IPv4, 0-128 for IPv6).
  /// @param address the network address.
  /// @param prefix_length the prefix length.
  /// @param mode strict refuses host bits set in `address`; normalize clears them.
  /// @throws sigv4::error errc::invalid_ip_address for a prefix length out of range, or for
  ///         host bits set in `address` when `mode` is cidr_parse::strict.
  cidr_block(const ip_address& address, int prefix_length, cidr_parse mode = cidr_parse::strict) {
    const int width = address.is_v4() ? 32 : 128;
    if (prefix_length < 0 || prefix_length > width)
      throw error(errc::invalid_ip_address, "prefix length " + std::to_string(prefix_length) + " is not 0 to " +
                                                std::to_string(width) + " for " + address.to_string());
    const detail::u128 mask = detail::prefix_mask(address.family(), prefix_length);
    const detail::u128 network = address.value() & mask;
    if (network != address.value() && mode == cidr_parse::strict)
      throw error(errc::invalid_ip_address, address.to_string() + "/" + std::to_string(prefix_length) +
                                                " has host bits set; the network is " +
                                                ip_address(address.family(), network).to_string() + "/" +
                                                std::to_string(prefix_length));
    network_ = ip_address(address.family(), network);
    prefix_length_ = prefix_length;
  }

  /// A single address: /32 for IPv4, /128 for IPv6.
  /// @param address the address.
  /// @return its one-address block.
  static cidr_block host(const ip_address& address) { return cidr_block(address, address.is_v4() ? 32 : 128); }

  /// @return the network address (host bits clear).
  const ip_address& network() const noexcept { return network_; }
  /// @return the prefix length.
  int prefix_length() const noexcept { return prefix_length_; }
  /// @return the block's family.
  ip_family family() const noexcept { return network_.family(); }

  /// The first address of the block.
  /// @return the network address.
  const ip_address& first() const noexcept { return network_; }
  /// The last address of the block.
  /// @return the address with every host bit set.
  ip_address last() const noexcept {
    const detail::u128 host_bits = ~detail::prefix_mask(family(), prefix_length_) & detail::family_max(family());
    return ip_address(family(), network_.value() | host_bits);
  }

  /// True when `address` is inside the block. Never across families: 10.0.0.1 (or
  /// "::ffff:10.0.0.1") is not in "::/0".
  /// @param address the address to test.
  /// @return whether it is inside.
  bool contains(const ip_address& address) const noexcept {
    return address.family() == family() &&
           (address.value() & detail::prefix_mask(family(), prefix_length_)) == network_.value();
  }

  /// Canonical text, always with the prefix: "10.0.0.0/8", "2001:db8::/32", "::1/128".
  /// @return the text.
  std::string to_string() const { return network_.to_string() + "/" + std::to_string(prefix_length_); }

  /// @param a a block.
  /// @param b another.
  /// @return whether they are the same block.
  friend bool operator==(const cidr_block& a, const cidr_block& b) noexcept {
    return a.network_ == b.network_ && a.prefix_length_ == b.prefix_length_;
  }
  /// @param a a block.
  /// @param b another.
  /// @return whether they differ.
  friend bool operator!=(const cidr_block& a, const cidr_block& b) noexcept { return !(a == b); }
  /// @param a a block.
  /// @param b another.
  /// @return whether `a` comes first (by network address, then prefix length).
  friend bool operator<(const cidr_block& a, const cidr_block& b) noexcept {
    return a.network_ != b.network_ ? a.network_ < b.network_ : a.prefix_length_ < b.prefix_length_;
  }

 private:
  ip_address network_;
  int prefix_length_ = 0;
};

/// Parses a CIDR block, "ADDRESS/PREFIX" (IPv4 prefix 0-32, IPv6 0-128, decimal without
/// leading zeros), or a bare address as a single host (/32 or /128; it is printed with the
/// prefix). "::ffff:10.0.0.0/104" is the IPv4 block 10.0.0.0/8.
/// @param text the block, e.g. "10.0.0.0/8", "2001:db8::/32", "192.0.2.7".
/// @param mode cidr_parse::strict refuses host bits set ("10.0.0.1/8"); normalize clears them.
/// @return the block.
/// @throws sigv4::error errc::invalid_ip_address naming the text and what is wrong with it.
inline cidr_block parse_cidr(std::string_view text, cidr_parse mode = cidr_parse::strict) {
  const auto fail = [&](const std::string& why) -> cidr_block {
    throw error(errc::invalid_ip_address, detail::quote_input(text) + " is not a CIDR block: " + why);
  };
  const std::size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  const bool v6_syntax = address_text.find(':') != std::string_view::npos;
  detail::u128 value;
  if (address_text.empty()) return fail("the address is empty");
  if (v6_syntax) {
    if (std::string why = detail::parse_ipv6(address_text, value); !why.empty()) return fail(why);
  } else {
    std::uint32_t v4 = 0;
    if (std::string why = detail::parse_ipv4(address_text, v4); !why.empty()) return fail(why);
    value = {0, v4};
  }
  const int width = v6_syntax ? 128 : 32;
  int prefix = width;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    if (p.empty()) return fail("the prefix length after '/' is empty");
    if (!std::all_of(p.begin(), p.end(), detail::is_digit)) return fail("the prefix length is not a decimal number");
    if (p.size() > 1 && p[0] == '0') return fail("the prefix length has a leading zero");
    if (p.size() > 3 || std::stoi(std::string(p)) > width)
      return fail("the prefix length " + std::string(p) + " is greater than " + std::to_string(width));
    prefix = std::stoi(std::string(p));
  }
  const ip_family family = v6_syntax ? ip_family::v6 : ip_family::v4;
  const detail::u128 network = value & detail::prefix_mask(family, prefix);
  if (network != value && mode == cidr_parse::strict) {
    const std::string net = v6_syntax ? detail::format_ipv6(network) : detail::format_ipv4(static_cast<std::uint32_t>(network.lo));
    return fail("host bits are set; the network is " + net + "/" + std::to_string(prefix));
  }
  if (v6_syntax && detail::is_v4_mapped(network) && prefix >= 96)
    return cidr_block(ip_address::from_v4(static_cast<std::uint32_t>(network.lo)), prefix - 96);
  if (v6_syntax) return cidr_block(ip_address::from_v6(detail::to_bytes(network)), prefix);
  return cidr_block(ip_address::from_v4(static_cast<std::uint32_t>(network.lo)), prefix);
}

/// Non-throwing twin of parse_cidr: sets `ec` and returns 0.0.0.0/0 on failure.
/// @param text the block.
/// @param mode strict or normalize, as for parse_cidr.
/// @param ec set to errc::invalid_ip_address on failure, cleared on success.
/// @return the block, or 0.0.0.0/0 when `ec` is set.
inline cidr_block parse_cidr(std::string_view text, cidr_parse mode, std::error_code& ec) {
  return detail::capture_error(ec, [&] { return parse_cidr(text, mode); });
}

/// A set of CIDR blocks with O(log n) membership: the blocks become sorted, merged address
/// ranges per family, searched by binary search. Build it once, query it many times.
class cidr_set {
 public:
  /// An empty set (it contains no address).
  cidr_set() = default;
  /// @param blocks the blocks, e.g. {parse_cidr("10.0.0.0/8"), parse_cidr("2001:db8::/32")}.
  cidr_set(std::initializer_list<cidr_block> blocks) : cidr_set(std::vector<cidr_block>(blocks)) {}
  /// @param blocks the blocks; duplicates are dropped.
  explicit cidr_set(std::vector<cidr_block> blocks) {
    for (const cidr_block& b : blocks) add_block(b);
    rebuild();
  }

  /// Adds a block (a duplicate is ignored). O(n log n): prefer the constructor for many.
  /// @param block the block to add.
  void insert(const cidr_block& block) {
    add_block(block);
    rebuild();
  }

  /// True when some block holds `address`.
  /// @param address the address to test.
  /// @return whether it is in the set.
  bool contains(const ip_address& address) const noexcept {
    const std::vector<range>& ranges = address.is_v4() ? v4_ : v6_;
    const detail::u128 v = address.value();
    auto it = std::upper_bound(ranges.begin(), ranges.end(), v,
                               [](const detail::u128& x, const range& r) { return x < r.first; });
    if (it == ranges.begin()) return false;
    --it;
    return v <= it->last;
  }

  /// @return whether the set has no block.
  bool empty() const noexcept { return blocks_.empty(); }
  /// The blocks in the order first added, without duplicates.
  /// @return the blocks.
  const std::vector<cidr_block>& blocks() const noexcept { return blocks_; }
  /// How many disjoint, non-adjacent address ranges the blocks cover (both families).
  /// @return the number of ranges searched.
  std::size_t range_count() const noexcept { return v4_.size() + v6_.size(); }

 private:
  struct range {
    detail::u128 first, last;
  };

  void add_block(const cidr_block& b) {
    if (std::find(blocks_.begin(), blocks_.end(), b) == blocks_.end()) blocks_.push_back(b);
  }

  void rebuild() {
    v4_.clear();
    v6_.clear();
    for (const cidr_block& b : blocks_)
      (b.family() == ip_family::v4 ? v4_ : v6_).push_back({b.first().value(), b.last().value()});
    merge(v4_, ip_family::v4);
    merge(v6_, ip_family::v6);
  }

  static void merge(std::vector<range>& ranges, ip_family f) {
    std::sort(ranges.begin(), ranges.end(), [](const range& a, const range& b) { return a.first < b.first; });
    std::vector<range> out;
    for (const range& r : ranges) {
      if (!out.empty()) {
        range& back = out.back();
        const bool touches = back.last == detail::family_max(f) || r.first <= next(back.last);
        if (touches) {
          if (back.last < r.last) back.last = r.last;
          continue;
        }
      }
      out.push_back(r);
    }
    ranges.swap(out);
  }

  static detail::u128 next(detail::u128 v) noexcept {
    ++v.lo;
    if (v.lo == 0) ++v.hi;
    return v;
  }

  std::vector<cidr_block> blocks_;
  std::vector<range> v4_, v6_;
};

}  // namespace sigv4::policy

#endif
