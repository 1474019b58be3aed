// CIDR parsing, CIDR sets and policy evaluation (cidr.hpp, policy.hpp). The input is lines:
// each is tried as a CIDR block (strict and normalizing) and as an address; a line with a tab
// is a wildcard pattern and a text. Checked against oracles written here, bit by bit:
//  - a block's text parses back to the same block;
//  - cidr_block::contains agrees with comparing the prefix bits;
//  - cidr_set::contains (merged ranges) agrees with "some block contains it";
//  - a policy that allows IpAddress <blocks> allows exactly the addresses the set contains, and
//    one that denies NotIpAddress <blocks> denies exactly the others;
//  - StringLike on s3:prefix agrees with a dynamic-programming wildcard matcher.
#include "fuzz_common.hpp"

#include <sigv4/cidr.hpp>
#include <sigv4/policy.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pol = sigv4::policy;

namespace {

bool bits_match(const pol::cidr_block& b, const pol::ip_address& a) {
  if (a.family() != b.family()) return false;
  const auto x = a.v6_bytes(), y = b.network().v6_bytes();
  const int offset = a.is_v4() ? 96 : 0;
  for (int i = 0; i < b.prefix_length(); ++i) {
    const int bit = offset + i;
    const auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
    if ((x[static_cast<std::size_t>(bit / 8)] & mask) != (y[static_cast<std::size_t>(bit / 8)] & mask)) return false;
  }
  return true;
}

// '*' any run, '?' one character, case-sensitive; table[i][j]: pattern[0,i) matches text[0,j).
bool like(std::string_view p, std::string_view t) {
  std::vector<std::vector<char>> m(p.size() + 1, std::vector<char>(t.size() + 1, 0));
  m[0][0] = 1;
  for (std::size_t i = 1; i <= p.size(); ++i)
    for (std::size_t j = 0; j <= t.size(); ++j) {
      if (p[i - 1] == '*') m[i][j] = m[i - 1][j] || (j > 0 && m[i][j - 1]);
      else if (j > 0) m[i][j] = m[i - 1][j - 1] && (p[i - 1] == '?' || p[i - 1] == t[j - 1]);
    }
  return m[p.size()][t.size()] != 0;
}

pol::request_context get_object() {
  pol::request_context r;
  r.action = "s3:GetObject";
  r.resource = "arn:aws:s3:::bucket/key";
  return r;
}

pol::statement statement_of(pol::effect e, pol::condition c) {
  pol::statement s;
  s.effect = e;
  s.actions = {"s3:GetObject"};
  s.resources = {"arn:aws:s3:::*"};
  s.conditions.push_back(std::move(c));
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<pol::cidr_block> blocks;
  std::vector<pol::ip_address> addresses;
  std::vector<std::pair<std::string_view, std::string_view>> patterns;
  while (!in.empty() && blocks.size() + addresses.size() < 64) {
    const std::size_t nl = in.find('\n');
    const std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    const std::size_t tab = line.find('\t');
    if (tab != std::string_view::npos && patterns.size() < 8 && line.size() < 200)
      patterns.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    for (const auto mode : {pol::cidr_parse::strict, pol::cidr_parse::normalize}) {
      std::error_code ec;
      const pol::cidr_block b = pol::parse_cidr(line, mode, ec);
      if (ec) continue;
      const std::string text = b.to_string();
      if (pol::parse_cidr(text).to_string() != text) fuzz::finding("a block's text does not parse back", line, text);
      if (!b.contains(b.first()) || !b.contains(b.last())) fuzz::finding("a block without its ends", text);
      blocks.push_back(b);
      addresses.push_back(b.first());
      addresses.push_back(b.last());
    }
    std::error_code ec;
    const pol::ip_address a = pol::parse_ip_address(line, ec);
    if (!ec) {
      if (pol::parse_ip_address(a.to_string()).to_string() != a.to_string())
        fuzz::finding("an address's text does not parse back", line, a.to_string());
      addresses.push_back(a);
    }
  }
  const pol::cidr_set set(blocks);
  for (const auto& a : addresses) {
    bool any = false;
    for (const auto& b : blocks) {
      const bool in_block = b.contains(a);
      if (in_block != bits_match(b, a)) fuzz::finding("cidr_block::contains disagrees with the bits", b.to_string(), a.to_string());
      any = any || in_block;
    }
    if (set.contains(a) != any) fuzz::finding("cidr_set::contains disagrees with its blocks", a.to_string());
  }
  if (!blocks.empty()) {
    try {
      pol::document allow, deny;
      allow.statements.push_back(statement_of(pol::effect::allow, pol::source_ip_in(blocks)));
      deny.statements.push_back(statement_of(pol::effect::allow, pol::condition{pol::condition_operator::string_equals,
                                                                                 pol::condition_key::auth_type,
                                                                                 {"REST-QUERY-STRING"}}));
      deny.statements.push_back(statement_of(pol::effect::deny, pol::source_ip_not_in(blocks)));
      const pol::evaluator allow_eval(allow), deny_eval(deny);
      for (const auto& a : addresses) {
        pol::request_context r = get_object();
        r.source_ip = a;
        r.auth_type = "REST-QUERY-STRING";
        const bool inside = set.contains(a);
        if (allow_eval.evaluate(r).allowed() != inside) fuzz::finding("IpAddress disagrees with the set", a.to_string());
        if (deny_eval.evaluate(r).allowed() != inside) fuzz::finding("NotIpAddress disagrees with the set", a.to_string());
      }
      (void)pol::to_json(allow, pol::json_style::compact);
    } catch (const sigv4::error&) {
    }
  }
  for (const auto& [pattern, text] : patterns) {
    try {
      pol::document d;
      d.statements.push_back(statement_of(pol::effect::allow, pol::s3_prefix_like(pattern)));
      const pol::evaluator e(d);
      pol::request_context r = get_object();
      r.s3_prefix = std::string(text);
      if (e.evaluate(r).allowed() != like(pattern, text)) fuzz::finding("StringLike disagrees with the oracle", pattern, text);
    } catch (const sigv4::error&) {
    }
  }
  return 0;
}
