// Network allowlists: IP and CIDR parsing and printing, the CIDR set, policy JSON and the
// local evaluator.
#include "catch.hpp"

#include <sigv4/cidr.hpp>
#include <sigv4/policy.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pol = sigv4::policy;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {
// The message of the error `f` throws, checking its code.
template <class F>
std::string error_of(F&& f, sigv4::errc expected) {
  try {
    f();
  } catch (const sigv4::error& e) {
    CHECK(e.code() == expected);
    return e.what();
  }
  FAIL("no error thrown");
  return {};
}

bool contains_text(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<pol::cidr_block> blocks(std::initializer_list<const char*> texts) {
  std::vector<pol::cidr_block> out;
  for (const char* t : texts) out.push_back(pol::parse_cidr(t));
  return out;
}

pol::ip_address ip(const char* text) { return pol::parse_ip_address(text); }

// The address `delta` (+1 or -1) away, wrapping within its family.
pol::ip_address step(const pol::ip_address& a, int delta) {
  if (a.is_v4()) return pol::ip_address::from_v4(a.v4_value() + static_cast<std::uint32_t>(delta));
  std::array<std::uint8_t, 16> b = a.v6_bytes();
  for (std::size_t i = 16; i-- > 0;) {
    const std::uint8_t before = b[i];
    b[i] = static_cast<std::uint8_t>(b[i] + delta);
    if ((delta > 0 && before != 0xff) || (delta < 0 && before != 0)) break;
  }
  return pol::ip_address::from_v6(b);
}
}  // namespace

TEST_CASE("IP addresses parse strictly and print canonically", "[policy]") {
  struct row {
    const char* text;
    const char* canonical;
    pol::ip_family family;
  };
  const row rows[] = {
      {"0.0.0.0", "0.0.0.0", pol::ip_family::v4},
      {"192.0.2.1", "192.0.2.1", pol::ip_family::v4},
      {"255.255.255.255", "255.255.255.255", pol::ip_family::v4},
      {"10.0.0.0", "10.0.0.0", pol::ip_family::v4},
      // RFC 5952: lower case, no leading zeros, the longest zero run, the first of equal runs.
      {"2001:DB8:0:0:0:0:2:1", "2001:db8::2:1", pol::ip_family::v6},
      {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1", pol::ip_family::v6},
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1", pol::ip_family::v6},
      {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1", pol::ip_family::v6},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", pol::ip_family::v6},
      {"::", "::", pol::ip_family::v6},
      {"::1", "::1", pol::ip_family::v6},
      {"1::", "1::", pol::ip_family::v6},
      {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0", pol::ip_family::v6},
      {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8", pol::ip_family::v6},
      {"fe80:0:0:1:0:0:0:0", "fe80:0:0:1::", pol::ip_family::v6},  // the longer run
      {"fe80::1:0:0:0", "fe80::1:0:0:0", pol::ip_family::v6},        // equal runs: the first
      {"FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", pol::ip_family::v6},
      {"64:ff9b::192.0.2.33", "64:ff9b::c000:221", pol::ip_family::v6},
      {"::192.0.2.1", "::c000:201", pol::ip_family::v6},  // IPv4-compatible (deprecated): stays IPv6
      // IPv4-mapped IPv6 is IPv4.
      {"::ffff:192.0.2.1", "192.0.2.1", pol::ip_family::v4},
      {"::FFFF:c000:0201", "192.0.2.1", pol::ip_family::v4},
      {"0:0:0:0:0:ffff:10.1.2.3", "10.1.2.3", pol::ip_family::v4},
  };
  for (const row& r : rows) {
    INFO(r.text);
    const pol::ip_address a = pol::parse_ip_address(r.text);
    CHECK(a.to_string() == r.canonical);
    CHECK(a.family() == r.family);
    CHECK(pol::parse_ip_address(a.to_string()) == a);  // canonical text parses back
  }
  CHECK(ip("192.0.2.1").v4_value() == 0xC0000201u);
  CHECK(ip("::ffff:192.0.2.1") == pol::ip_address::from_v4(0xC0000201u));
  const auto bytes = ip("192.0.2.1").v6_bytes();
  CHECK(bytes[10] == 0xff);
  CHECK(bytes[11] == 0xff);
  CHECK(bytes[15] == 1);
  CHECK(pol::ip_address::from_v6(bytes) == ip("192.0.2.1"));
  CHECK(pol::ip_address::from_v6(ip("2001:db8::1").v6_bytes()) == ip("2001:db8::1"));
  CHECK(ip("10.0.0.1") < ip("::"));
}

TEST_CASE("Bad IP addresses are refused with a reason", "[policy]") {
  struct row {
    const char* text;
    const char* reason;
  };
  const row rows[] = {
      {"", "it is empty"},
      {"10.0.0.256", "part 4 is greater than 255"},
      {"10.0.0.1000", "part 4 is greater than 255"},
      {"010.0.0.1", "part 1 has a leading zero"},
      {"10.00.0.1", "part 2 has a leading zero"},
      {"10.0.0", "it has 3 parts, not 4"},
      {"10.0.0.1.2", "it has 5 parts, not 4"},
      {"10..0.1", "part 2 is empty"},
      {"10.0.0.", "part 4 is empty"},
      {"10.0.0.-1", "part 4 is not a decimal number"},
      {" 10.0.0.1", "part 1 is not a decimal number"},
      {"0x0a.0.0.1", "part 1 is not a decimal number"},
      {"::1::2", "'::' appears more than once"},
      {"1:::2", "':::'"},
      {"1:2:3:4:5:6:7", "it has 7 groups, not 8"},
      {"1:2:3:4:5:6:7:8:9", "it has 9 groups, not 8"},
      {"1:2:3:4:5:6:7:8::", "too many groups"},
      {"::1:2:3:4:5:6:7:8", "too many groups"},
      {":1:2:3:4:5:6:7", "empty group"},
      {"1:2:3:4:5:6:7:", "empty group"},
      {"12345::", "group '12345' is not 1 to 4 hexadecimal digits"},
      {"g::1", "group 'g' is not 1 to 4 hexadecimal digits"},
      {"fe80::1%eth0", "zone indices"},
      {"::ffff:1.2.3.256", "embedded IPv4 address '1.2.3.256' is not valid: part 4 is greater than 255"},
      {"1.2.3.4::", "not 1 to 4 hexadecimal digits"},
      {"::1.2.3.4:5", "not 1 to 4 hexadecimal digits"},
  };
  for (const row& r : rows) {
    INFO(r.text);
    const std::string what = error_of([&] { pol::parse_ip_address(r.text); }, sigv4::errc::invalid_ip_address);
    CHECK(contains_text(what, r.reason));
    CHECK(contains_text(what, "'" + std::string(r.text).substr(0, 20)));
  }
  std::error_code ec;
  CHECK(pol::parse_ip_address("10.0.0.256", ec) == pol::ip_address());
  CHECK(ec == sigv4::errc::invalid_ip_address);
  CHECK(pol::parse_ip_address("10.0.0.255", ec) == ip("10.0.0.255"));
  CHECK(!ec);
}

TEST_CASE("CIDR blocks parse strictly and print with their prefix", "[policy]") {
  struct row {
    const char* text;
    const char* canonical;
  };
  const row rows[] = {
      {"10.0.0.0/8", "10.0.0.0/8"},
      {"0.0.0.0/0", "0.0.0.0/0"},
      {"192.0.2.7/32", "192.0.2.7/32"},
      {"192.0.2.7", "192.0.2.7/32"},  // a bare address is one host, printed with /32
      {"2001:DB8::/32", "2001:db8::/32"},
      {"2001:db8::1", "2001:db8::1/128"},  // never written bare: MinIO would read it as /32
      {"::/0", "::/0"},
      {"::1/128", "::1/128"},
      {"2001:DB8:0:0:1:0:0:0/80", "2001:db8:0:0:1::/80"},
      {"::ffff:10.0.0.0/104", "10.0.0.0/8"},  // mapped blocks are IPv4 blocks
      {"::ffff:0:0/96", "0.0.0.0/0"},
      {"::ffff:192.0.2.1", "192.0.2.1/32"},
      {"::fffe:0:0/95", "::fffe:0:0/95"},
  };
  for (const row& r : rows) {
    INFO(r.text);
    const pol::cidr_block b = pol::parse_cidr(r.text);
    CHECK(b.to_string() == r.canonical);
    CHECK(pol::parse_cidr(b.to_string()) == b);
  }
  const pol::cidr_block b = pol::parse_cidr("10.1.0.0/16");
  CHECK(b.family() == pol::ip_family::v4);
  CHECK(b.prefix_length() == 16);
  CHECK(b.first().to_string() == "10.1.0.0");
  CHECK(b.last().to_string() == "10.1.255.255");
  CHECK(pol::parse_cidr("2001:db8::/32").last().to_string() == "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
  CHECK(pol::parse_cidr("::/0").last().to_string() == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  CHECK(pol::parse_cidr("0.0.0.0/0").last().to_string() == "255.255.255.255");
  CHECK(pol::cidr_block::host(ip("2001:db8::5")).to_string() == "2001:db8::5/128");
  CHECK(pol::cidr_block(ip("10.9.8.7"), 8, pol::cidr_parse::normalize).to_string() == "10.0.0.0/8");
}

TEST_CASE("Bad CIDR blocks are refused with a reason; normalize clears host bits", "[policy]") {
  struct row {
    const char* text;
    const char* reason;
  };
  const row rows[] = {
      {"1.2.3.4/33", "the prefix length 33 is greater than 32"},
      {"2001:db8::/129", "the prefix length 129 is greater than 128"},
      {"1.2.3.0/024", "leading zero"},
      {"1.2.3.0/", "the prefix length after '/' is empty"},
      {"1.2.3.0/x", "not a decimal number"},
      {"1.2.3.0/-1", "not a decimal number"},
      {"1.2.3.0/24/1", "not a decimal number"},
      {"/24", "the address is empty"},
      {"10.0.0.256/8", "part 4 is greater than 255"},
      {"010.0.0.0/8", "leading zero"},
      {"::1::2/64", "'::' appears more than once"},
      {"10.0.0.1/8", "host bits are set; the network is 10.0.0.0/8"},
      {"2001:db8::1/32", "host bits are set; the network is 2001:db8::/32"},
      {"::ffff:10.0.0.1/104", "host bits are set"},
      {"::ffff:0:0/80", "host bits are set; the network is ::/80"},
  };
  for (const row& r : rows) {
    INFO(r.text);
    const std::string what = error_of([&] { pol::parse_cidr(r.text); }, sigv4::errc::invalid_ip_address);
    CHECK(contains_text(what, r.reason));
    CHECK(contains_text(what, "is not a CIDR block"));
  }
  CHECK(pol::parse_cidr("10.0.0.1/8", pol::cidr_parse::normalize).to_string() == "10.0.0.0/8");
  CHECK(pol::parse_cidr("2001:db8::1/32", pol::cidr_parse::normalize).to_string() == "2001:db8::/32");
  CHECK(pol::parse_cidr("::ffff:10.9.9.9/104", pol::cidr_parse::normalize).to_string() == "10.0.0.0/8");
  CHECK(pol::parse_cidr("255.255.255.255/0", pol::cidr_parse::normalize).to_string() == "0.0.0.0/0");
  CHECK_THROWS_AS(pol::parse_cidr("1.2.3.4/33", pol::cidr_parse::normalize), sigv4::error);
  CHECK_THROWS_AS(pol::cidr_block(ip("10.0.0.1"), 8), sigv4::error);
  CHECK_THROWS_AS(pol::cidr_block(ip("10.0.0.0"), 33), sigv4::error);
  CHECK_THROWS_AS(pol::cidr_block(ip("::"), 129), sigv4::error);
  CHECK_THROWS_AS(pol::cidr_block(ip("::"), -1), sigv4::error);
  std::error_code ec;
  pol::parse_cidr("10.0.0.1/8", pol::cidr_parse::strict, ec);
  CHECK(ec == sigv4::errc::invalid_ip_address);
}

TEST_CASE("CIDR membership: IPv4, IPv6, mapped, /0, /32, /128", "[policy]") {
  struct row {
    const char* block;
    const char* address;
    bool inside;
  };
  const row rows[] = {
      {"10.0.0.0/8", "10.0.0.0", true},
      {"10.0.0.0/8", "10.255.255.255", true},
      {"10.0.0.0/8", "11.0.0.0", false},
      {"10.0.0.0/8", "9.255.255.255", false},
      {"10.0.0.0/8", "::ffff:10.1.2.3", true},  // mapped is matched as IPv4
      {"10.0.0.0/8", "::10.1.2.3", false},      // IPv4-compatible is not
      {"0.0.0.0/0", "0.0.0.0", true},
      {"0.0.0.0/0", "255.255.255.255", true},
      {"0.0.0.0/0", "::1", false},  // families never mix
      {"::/0", "::1", true},
      {"::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
      {"::/0", "10.0.0.1", false},
      {"::/0", "::ffff:10.0.0.1", false},
      {"192.0.2.7/32", "192.0.2.7", true},
      {"192.0.2.7/32", "192.0.2.6", false},
      {"192.0.2.7/32", "192.0.2.8", false},
      {"2001:db8::7/128", "2001:db8::7", true},
      {"2001:db8::7/128", "2001:db8::6", false},
      {"2001:db8::/32", "2001:db8:ffff::1", true},
      {"2001:db8::/32", "2001:db9::", false},
      {"2001:db8::/63", "2001:db8:0:1:ffff::", true},
      {"2001:db8::/64", "2001:db8:0:1::", false},
      {"2001:db8::/65", "2001:db8::7fff:ffff:ffff:ffff", true},
      {"2001:db8::/65", "2001:db8::8000:0:0:0", false},
      {"::ffff:0:0/96", "1.2.3.4", true},
  };
  for (const row& r : rows) {
    INFO(r.block << " " << r.address);
    CHECK(pol::parse_cidr(r.block).contains(ip(r.address)) == r.inside);
    CHECK(pol::cidr_set{pol::parse_cidr(r.block)}.contains(ip(r.address)) == r.inside);
  }
}

TEST_CASE("CIDR set membership equals a linear check over random addresses", "[policy]") {
  std::mt19937_64 rng(20260301);
  const auto random_address = [&](bool v6) {
    if (!v6) return pol::ip_address::from_v4(static_cast<std::uint32_t>(rng()));
    std::array<std::uint8_t, 16> b{};
    const std::uint64_t hi = rng(), lo = rng();
    for (std::size_t i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(hi >> (8 * i));
    for (std::size_t i = 0; i < 8; ++i) b[8 + i] = static_cast<std::uint8_t>(lo >> (8 * i));
    b[0] = 0x20;  // keep clear of the mapped range
    b[1] = static_cast<std::uint8_t>(b[1] & 0x03);  // and bunch the addresses up so blocks overlap
    return pol::ip_address::from_v6(b);
  };
  std::size_t inside = 0, outside = 0;
  for (int round = 0; round < 20; ++round) {
    std::vector<pol::cidr_block> list;
    const int count = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < count; ++i) {
      const bool v6 = rng() % 2 == 0;
      // Short v4 prefixes in the 10/8 neighbourhood so that blocks nest, touch and overlap.
      pol::ip_address a = random_address(v6);
      if (!v6) a = pol::ip_address::from_v4(0x0A000000u | (a.v4_value() & 0x0003ffffu));
      const int prefix = v6 ? 8 + static_cast<int>(rng() % 121) : 12 + static_cast<int>(rng() % 21);
      list.push_back(pol::cidr_block(a, prefix, pol::cidr_parse::normalize));
    }
    const pol::cidr_set set(list);
    CHECK(set.range_count() <= list.size());
    std::vector<pol::ip_address> probes;
    for (int i = 0; i < 2000; ++i) {
      pol::ip_address a = random_address(i % 2 == 0);
      if (a.is_v4()) a = pol::ip_address::from_v4(0x0A000000u | (a.v4_value() & 0x0007ffffu));
      probes.push_back(a);
    }
    for (const pol::cidr_block& b : list) {  // the edges of every block and just outside them
      probes.push_back(b.first());
      probes.push_back(b.last());
      probes.push_back(step(b.first(), -1));
      probes.push_back(step(b.last(), +1));
    }
    for (const pol::ip_address& a : probes) {
      bool linear = false;
      for (const pol::cidr_block& b : list) linear = linear || b.contains(a);
      ++(linear ? inside : outside);
      if (set.contains(a) != linear) {
        INFO(a.to_string());
        CHECK(set.contains(a) == linear);
      }
    }
  }
  CHECK(inside > 1000);  // both answers are well represented
  CHECK(outside > 1000);
}

namespace {
pol::request_context get_request(const char* resource, const char* source) {
  pol::request_context r;
  r.action = "s3:GetObject";
  r.resource = resource;
  if (source != nullptr) r.source_ip = ip(source);
  return r;
}

pol::statement allow_get(std::vector<std::string> resources, std::vector<pol::condition> conditions = {}) {
  pol::statement s;
  s.effect = pol::effect::allow;
  s.actions = {"s3:GetObject"};
  s.resources = std::move(resources);
  s.conditions = std::move(conditions);
  return s;
}
}  // namespace

TEST_CASE("Evaluation: explicit deny wins, default deny, IpAddress / NotIpAddress", "[policy]") {
  const auto office = blocks({"203.0.113.0/24", "2001:db8:1::/48"});
  pol::document doc;
  doc.statements.push_back(allow_get({"arn:aws:s3:::photos/*"}, {pol::source_ip_in(office)}));
  pol::statement deny = allow_get({"arn:aws:s3:::photos/private/*"}, {pol::source_ip_not_in(blocks({"203.0.113.7/32"}))});
  deny.effect = pol::effect::deny;
  doc.statements.push_back(deny);
  const pol::evaluator e(doc);

  struct row {
    const char* resource;
    const char* source;  // nullptr: aws:SourceIp missing
    pol::decision outcome;
  };
  const row rows[] = {
      {"arn:aws:s3:::photos/a.jpg", "203.0.113.9", pol::decision::allow},
      {"arn:aws:s3:::photos/a.jpg", "::ffff:203.0.113.9", pol::decision::allow},
      {"arn:aws:s3:::photos/a.jpg", "2001:db8:1:ffff::1", pol::decision::allow},
      {"arn:aws:s3:::photos/a.jpg", "203.0.114.1", pol::decision::implicit_deny},
      {"arn:aws:s3:::photos/a.jpg", "2001:db8:2::1", pol::decision::implicit_deny},
      {"arn:aws:s3:::photos/a.jpg", nullptr, pol::decision::implicit_deny},  // IpAddress: missing key does not match
      {"arn:aws:s3:::other/a.jpg", "203.0.113.9", pol::decision::implicit_deny},
      {"arn:aws:s3:::photos/private/x", "203.0.113.7", pol::decision::allow},
      {"arn:aws:s3:::photos/private/x", "203.0.113.9", pol::decision::explicit_deny},  // Deny beats Allow
      {"arn:aws:s3:::photos/private/x", "198.51.100.1", pol::decision::explicit_deny},
      {"arn:aws:s3:::photos/private/x", nullptr, pol::decision::explicit_deny},  // NotIpAddress: missing key matches
  };
  for (const row& r : rows) {
    INFO(r.resource << " from " << (r.source ? r.source : "(unknown)"));
    const pol::evaluation v = e.evaluate(get_request(r.resource, r.source));
    CHECK(v.outcome == r.outcome);
    CHECK(v.allowed() == (r.outcome == pol::decision::allow));
    if (r.outcome == pol::decision::explicit_deny) CHECK(v.statement_index == std::optional<std::size_t>(1));
    if (r.outcome == pol::decision::allow) CHECK(v.statement_index == std::optional<std::size_t>(0));
    if (r.outcome == pol::decision::implicit_deny) CHECK(!v.statement_index);
  }
  CHECK(pol::evaluate(doc, get_request("arn:aws:s3:::photos/a", "203.0.113.1")).allowed());
  CHECK(pol::evaluate(pol::document{{allow_get({"*"})}}, get_request("arn:aws:s3:::x/y", nullptr)).allowed());
}

TEST_CASE("Evaluation: conditions are AND'ed, values OR'ed; TLS, authType, signatureversion", "[policy]") {
  pol::document doc;
  doc.statements.push_back(allow_get({"arn:aws:s3:::b/*"},
                                     {pol::source_ip_in(blocks({"10.0.0.0/8", "192.168.1.0/24"})),
                                      pol::secure_transport_is(true), pol::auth_type_is("REST-QUERY-STRING"),
                                      pol::signature_version_is("AWS4-HMAC-SHA256")}));
  const pol::evaluator e(doc);
  const auto base = [] {
    pol::request_context r = pol::presigned_request(pol::s3_access::get, "b", "k", ip("10.1.1.1"), true);
    return r;
  };
  CHECK(e.evaluate(base()).allowed());
  auto r = base();
  r.source_ip = ip("192.168.1.200");  // the other value of the same key
  CHECK(e.evaluate(r).allowed());
  r = base();
  r.secure_transport = false;
  CHECK(e.evaluate(r).outcome == pol::decision::implicit_deny);
  r.secure_transport.reset();  // Bool: missing key does not match
  CHECK(e.evaluate(r).outcome == pol::decision::implicit_deny);
  r = base();
  r.auth_type = "REST-HEADER";
  CHECK(!e.evaluate(r).allowed());
  r.auth_type = "rest-query-string";  // StringEquals is case-sensitive
  CHECK(!e.evaluate(r).allowed());
  r.auth_type.reset();
  CHECK(!e.evaluate(r).allowed());
  r = base();
  r.signature_version = "AWS";
  CHECK(!e.evaluate(r).allowed());
  r.signature_version.reset();
  CHECK(!e.evaluate(r).allowed());

  // Bool values are read without regard to case, as AWS does; Bool "false" matches plain HTTP.
  pol::document http_only;
  http_only.statements.push_back(allow_get({"*"}, {{pol::condition_operator::boolean, pol::condition_key::secure_transport, {"FALSE"}}}));
  r = base();
  CHECK(!pol::evaluate(http_only, r).allowed());
  r.secure_transport = false;
  CHECK(pol::evaluate(http_only, r).allowed());
}

TEST_CASE("Evaluation: s3:signatureAge boundaries in milliseconds", "[policy]") {
  pol::document doc;
  doc.statements.push_back(allow_get({"*"}, {pol::signature_age_below(600000ms)}));
  pol::statement deny = allow_get({"*"}, {pol::signature_age_at_least(900000ms)});
  deny.effect = pol::effect::deny;
  doc.statements.push_back(deny);
  const pol::evaluator e(doc);
  struct row {
    std::optional<long long> age_ms;
    pol::decision outcome;
  };
  const row rows[] = {
      {0, pol::decision::allow},
      {599999, pol::decision::allow},
      {600000, pol::decision::implicit_deny},  // NumericLessThan is strict
      {899999, pol::decision::implicit_deny},
      {900000, pol::decision::explicit_deny},  // NumericGreaterThanEquals includes its value
      {std::nullopt, pol::decision::implicit_deny},  // missing key: neither operator matches
  };
  for (const row& r : rows) {
    INFO((r.age_ms ? std::to_string(*r.age_ms) : std::string("missing")));
    pol::request_context c = get_request("arn:aws:s3:::b/k", "10.0.0.1");
    if (r.age_ms) c.signature_age = std::chrono::milliseconds(*r.age_ms);
    CHECK(e.evaluate(c).outcome == r.outcome);
  }
}

TEST_CASE("Evaluation: action and resource wildcards", "[policy]") {
  struct row {
    const char* action_pattern;
    const char* resource_pattern;
    const char* action;
    const char* resource;
    bool allowed;
  };
  const row rows[] = {
      {"s3:GetObject", "arn:aws:s3:::b/k", "s3:GetObject", "arn:aws:s3:::b/k", true},
      {"s3:getobject", "arn:aws:s3:::b/k", "S3:GETOBJECT", "arn:aws:s3:::b/k", true},  // actions ignore case
      {"s3:*", "arn:aws:s3:::b/*", "s3:PutObject", "arn:aws:s3:::b/x/y", true},
      {"*", "*", "s3:DeleteObject", "arn:aws:s3:::any/thing", true},
      {"s3:Get*", "arn:aws:s3:::b/*", "s3:GetObjectVersion", "arn:aws:s3:::b/k", true},
      {"s3:Get*", "arn:aws:s3:::b/*", "s3:PutObject", "arn:aws:s3:::b/k", false},
      {"s3:GetObject", "arn:aws:s3:::B/*", "s3:GetObject", "arn:aws:s3:::b/k", false},  // resources keep case
      {"s3:GetObject", "arn:aws:s3:::b/Photos/*", "s3:GetObject", "arn:aws:s3:::b/photos/1", false},
      {"s3:GetObject", "arn:aws:s3:::b/?.jpg", "s3:GetObject", "arn:aws:s3:::b/a.jpg", true},
      {"s3:GetObject", "arn:aws:s3:::b/?.jpg", "s3:GetObject", "arn:aws:s3:::b/ab.jpg", false},
      {"s3:GetObject", "arn:aws:s3:::b/?.jpg", "s3:GetObject", "arn:aws:s3:::b/.jpg", false},
      {"s3:GetObject", "arn:aws:s3:::b/*.jpg", "s3:GetObject", "arn:aws:s3:::b/x/y.jpg", true},
      {"s3:GetObject", "arn:aws:s3:::b/*.jpg", "s3:GetObject", "arn:aws:s3:::b/x.jpg.png", false},
      {"s3:GetObject", "arn:aws:s3:::b/a*b*c", "s3:GetObject", "arn:aws:s3:::b/aXbYbZc", true},
      {"s3:GetObject", "arn:aws:s3:::b/a*b*c", "s3:GetObject", "arn:aws:s3:::b/aXbYcZ", false},
      {"s3:GetObject", "arn:aws:s3:::b/p*", "s3:GetObject", "arn:aws:s3:::b/p", true},
      {"s3:GetObject", "arn:aws:s3:::b", "s3:GetObject", "arn:aws:s3:::b/k", false},
      {"s3:GetObject", "arn:aws:s3:::b/k", "s3:GetObject", "arn:aws:s3:::b", false},
  };
  for (const row& r : rows) {
    INFO(r.action_pattern << " " << r.resource_pattern << " vs " << r.action << " " << r.resource);
    pol::statement s;
    s.actions = {r.action_pattern};
    s.resources = {r.resource_pattern};
    pol::request_context c;
    c.action = r.action;
    c.resource = r.resource;
    CHECK(pol::evaluate(pol::document{{s}}, c).allowed() == r.allowed);
  }
}

TEST_CASE("Evaluation: s3:prefix with StringLike for ListBucket", "[policy]") {
  pol::allowlist a;
  a.bucket = "reports";
  a.actions = {pol::s3_access::list};
  a.prefix = "acme/";
  a.networks = blocks({"10.0.0.0/8"});
  a.principals = {"arn:aws:iam:::user/signer"};  // a named principal gets the Allow statements too
  const pol::evaluator e(pol::make_policy(pol::policy_kind::bucket, a));
  CHECK(e.evaluate(pol::presigned_request(pol::s3_access::list, "reports", "acme/2026/", ip("10.0.0.1"), true)).allowed());
  CHECK(e.evaluate(pol::presigned_request(pol::s3_access::list, "reports", "other/", ip("10.0.0.1"), true)).outcome ==
        pol::decision::implicit_deny);
  CHECK(e.evaluate(pol::presigned_request(pol::s3_access::list, "reports", "acme/", ip("11.0.0.1"), true)).outcome ==
        pol::decision::explicit_deny);
  // Listing another prefix from elsewhere is not this rule's business: no Deny.
  CHECK(e.evaluate(pol::presigned_request(pol::s3_access::list, "reports", "other/", ip("11.0.0.1"), true)).outcome ==
        pol::decision::implicit_deny);
}

TEST_CASE("Documents that cannot be written are refused", "[policy]") {
  const auto refuse = [](const pol::document& d, const char* reason) {
    INFO(reason);
    const std::string what = error_of([&] { pol::to_json(d); }, sigv4::errc::invalid_policy);
    CHECK(contains_text(what, reason));
    CHECK_THROWS_AS(pol::evaluator(d), sigv4::error);
  };
  refuse(pol::document{}, "no statements");
  pol::statement s = allow_get({"*"});
  s.actions.clear();
  refuse(pol::document{{s}}, "no actions");
  s = allow_get({});
  refuse(pol::document{{s}}, "no resources");
  refuse(pol::document{{allow_get({"*"}, {{pol::condition_operator::ip_address, pol::condition_key::auth_type, {"x"}}})}},
         "does not apply to this key");
  refuse(pol::document{{allow_get({"*"}, {{pol::condition_operator::ip_address, pol::condition_key::source_ip, {}}})}},
         "has no values");
  refuse(pol::document{{allow_get({"*"}, {{pol::condition_operator::boolean, pol::condition_key::secure_transport, {"yes"}}})}},
         "is not true or false");
  refuse(pol::document{{allow_get({"*"}, {{pol::condition_operator::numeric_less_than, pol::condition_key::signature_age, {"1e3"}}})}},
         "is not an integer");
  refuse(pol::document{{allow_get({"*"}, {pol::auth_type_is("A"), pol::auth_type_is("B")})}}, "twice");
  refuse(pol::document{{allow_get({"arn:aws:s3:::b/\xff"})}}, "not valid UTF-8");
  const pol::document bad_block{{allow_get({"*"}, {{pol::condition_operator::ip_address, pol::condition_key::source_ip, {"10.0.0.1/8"}}})}};
  error_of([&] { pol::to_json(bad_block); }, sigv4::errc::invalid_ip_address);
}

TEST_CASE("JSON: escaping, canonical blocks, deterministic bytes", "[policy]") {
  pol::statement s = allow_get({"arn:aws:s3:::b/quote\"back\\slash\nnew\ttab\x01\x7f/\xc3\xa9*"},
                               {{pol::condition_operator::ip_address, pol::condition_key::source_ip,
                                 {"2001:DB8::1", "10.0.0.0/8", "::ffff:192.0.2.0/120"}}});
  s.sid = "S\"1";
  const pol::document doc{{s}};
  const std::string pretty = pol::to_json(doc);
  const std::string compact = pol::to_json(doc, pol::json_style::compact);
  CHECK(pretty == pol::to_json(doc));
  CHECK(compact.find_first_of(" \n") == std::string::npos);
  CHECK(contains_text(compact, "\\u0001"));
  for (const std::string& text : {pretty, compact}) {
    const json j = json::parse(text);
    CHECK(j["Version"] == "2012-10-17");
    CHECK(j["Statement"][0]["Sid"] == "S\"1");
    CHECK(j["Statement"][0]["Resource"][0] == "arn:aws:s3:::b/quote\"back\\slash\nnew\ttab\x01\x7f/\xc3\xa9*");
    CHECK(j["Statement"][0]["Condition"]["IpAddress"]["aws:SourceIp"] ==
          json::array({"2001:db8::1/128", "10.0.0.0/8", "192.0.2.0/24"}));
    CHECK(!j["Statement"][0].contains("Principal"));
  }
  CHECK(json::parse(pretty) == json::parse(compact));
  // Operators group their keys: one StringEquals with two keys.
  const pol::document two{{allow_get({"*"}, {pol::auth_type_is("REST-QUERY-STRING"), pol::secure_transport_is(true),
                                              pol::signature_version_is("AWS4-HMAC-SHA256")})}};
  const json j = json::parse(pol::to_json(two));
  CHECK(j["Statement"][0]["Condition"].size() == 2);
  CHECK(j["Statement"][0]["Condition"]["StringEquals"]["s3:authType"] == json::array({"REST-QUERY-STRING"}));
  CHECK(j["Statement"][0]["Condition"]["StringEquals"]["s3:signatureversion"] == json::array({"AWS4-HMAC-SHA256"}));
  CHECK(j["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"] == json::array({"true"}));
  // Principal forms.
  pol::statement p = allow_get({"*"});
  p.principals = {"*"};
  CHECK(json::parse(pol::to_json(pol::document{{p}}))["Statement"][0]["Principal"] == "*");
  p.principals = {"arn:aws:iam::123456789012:user/app"};
  CHECK(json::parse(pol::to_json(pol::document{{p}}))["Statement"][0]["Principal"]["AWS"] ==
        json::array({"arn:aws:iam::123456789012:user/app"}));
}

TEST_CASE("JSON: the pretty layout is fixed", "[policy]") {
  const pol::document doc{{allow_get({"arn:aws:s3:::b/*"}, {pol::source_ip_in(blocks({"10.0.0.0/8"}))})}};
  CHECK(pol::to_json(doc) == R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject"],
      "Resource": ["arn:aws:s3:::b/*"],
      "Condition": {
        "IpAddress": {
          "aws:SourceIp": ["10.0.0.0/8"]
        }
      }
    }
  ]
}
)");
  CHECK(pol::to_json(doc, pol::json_style::compact) ==
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/*"],"Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]}}}]})");
}

namespace {
pol::allowlist office_allowlist() {
  pol::allowlist a;
  a.bucket = "media";
  a.prefix = "public/";
  a.networks = blocks({"203.0.113.0/24", "2001:db8::/32"});
  return a;
}

// The statements of `j` with this effect.
std::vector<json> with_effect(const json& j, const char* effect) {
  std::vector<json> out;
  for (const json& s : j["Statement"])
    if (s["Effect"] == effect) out.push_back(s);
  return out;
}
}  // namespace

TEST_CASE("Shapes: IAM, bucket (with Deny + NotIpAddress) and session", "[policy]") {
  const pol::allowlist a = office_allowlist();
  const json iam = json::parse(pol::policy_json(pol::policy_kind::iam, a));
  const json bucket = json::parse(pol::policy_json(pol::policy_kind::bucket, a));
  const std::string session_text = pol::policy_json(pol::policy_kind::session, a);
  const json session = json::parse(session_text);

  // A bucket policy for Principal "*" holds only Deny statements: an Allow for everyone would let
  // unsigned requests in from the networks, and the bucket must stay private.
  CHECK(bucket["Version"] == "2012-10-17");
  CHECK(with_effect(bucket, "Allow").empty());
  pol::allowlist named = a;
  named.principals = {"arn:aws:iam:::user/signer"};
  const json named_bucket = json::parse(pol::policy_json(pol::policy_kind::bucket, named));
  CHECK(with_effect(named_bucket, "Allow")[0]["Principal"]["AWS"] == json::array({"arn:aws:iam:::user/signer"}));
  for (const json* j : {&iam, &named_bucket, &session}) {
    CHECK((*j)["Version"] == "2012-10-17");
    const std::vector<json> allows = with_effect(*j, "Allow");
    REQUIRE(allows.size() == 1);
    CHECK(allows[0]["Action"] == json::array({"s3:GetObject"}));
    CHECK(allows[0]["Resource"] == json::array({"arn:aws:s3:::media/public/*"}));
    CHECK(allows[0]["Condition"]["IpAddress"]["aws:SourceIp"] == json::array({"203.0.113.0/24", "2001:db8::/32"}));
  }
  CHECK(with_effect(iam, "Deny").empty());
  CHECK(with_effect(session, "Deny").empty());
  for (const json& s : iam["Statement"]) CHECK(!s.contains("Principal"));
  for (const json& s : session["Statement"]) {
    CHECK(!s.contains("Principal"));
    CHECK(!s.contains("Sid"));
  }
  CHECK(session_text.find_first_of(" \n") == std::string::npos);

  const std::vector<json> denies = with_effect(bucket, "Deny");
  REQUIRE(denies.size() == 1);
  CHECK(denies[0]["Principal"] == "*");
  CHECK(denies[0]["Action"] == json::array({"s3:GetObject"}));
  CHECK(denies[0]["Resource"] == json::array({"arn:aws:s3:::media/public/*"}));
  CHECK(denies[0]["Condition"]["NotIpAddress"]["aws:SourceIp"] == json::array({"203.0.113.0/24", "2001:db8::/32"}));

  // explicit_deny overrides the default per kind.
  pol::allowlist b = a;
  b.explicit_deny = true;
  CHECK(with_effect(json::parse(pol::policy_json(pol::policy_kind::iam, b)), "Deny").size() == 1);
  b.explicit_deny = false;
  CHECK(contains_text(error_of([&] { pol::policy_json(pol::policy_kind::bucket, b); }, sigv4::errc::invalid_policy),
                      "unsigned requests"));
  b.principals = {"arn:aws:iam:::user/signer"};
  CHECK(with_effect(json::parse(pol::policy_json(pol::policy_kind::bucket, b)), "Deny").empty());

  // The bucket shape, evaluated: the Deny binds even where another grant (the owner's ACL)
  // would allow; here modelled as an extra unconditional Allow.
  pol::document bucket_doc = pol::make_policy(pol::policy_kind::bucket, a);
  bucket_doc.statements.push_back(allow_get({"arn:aws:s3:::media/*"}));
  const pol::evaluator e(bucket_doc);
  CHECK(e.evaluate(pol::presigned_request(pol::s3_access::get, "media", "public/x", ip("203.0.113.5"), true)).allowed());
  CHECK(e.evaluate(pol::presigned_request(pol::s3_access::get, "media", "public/x", ip("2001:db8:5::1"), true)).allowed());
  CHECK(e.evaluate(pol::presigned_request(pol::s3_access::get, "media", "public/x", ip("198.51.100.5"), true)).outcome ==
        pol::decision::explicit_deny);
  CHECK(e.evaluate(pol::presigned_request(pol::s3_access::get, "media", "private/x", ip("198.51.100.5"), true)).allowed());
}

TEST_CASE("Shapes: actions, list, TLS, signature age, presigned only", "[policy]") {
  pol::allowlist a = office_allowlist();
  a.actions = {pol::s3_access::get, pol::s3_access::put, pol::s3_access::delete_, pol::s3_access::list, pol::s3_access::get};
  a.require_tls = true;
  a.max_signature_age = 600s;
  a.presigned_only = true;
  a.require_sigv4 = true;
  a.principals = {"arn:aws:iam::123456789012:user/app"};
  const json j = json::parse(pol::policy_json(pol::policy_kind::bucket, a));
  const std::vector<json> allows = with_effect(j, "Allow");
  REQUIRE(allows.size() == 2);
  CHECK(allows[0]["Action"] == json::array({"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}));
  CHECK(allows[0]["Principal"]["AWS"] == json::array({"arn:aws:iam::123456789012:user/app"}));
  CHECK(allows[0]["Condition"]["Bool"]["aws:SecureTransport"] == json::array({"true"}));
  CHECK(allows[0]["Condition"]["NumericLessThan"]["s3:signatureAge"] == json::array({"600000"}));
  CHECK(allows[0]["Condition"]["StringEquals"]["s3:authType"] == json::array({"REST-QUERY-STRING"}));
  CHECK(allows[0]["Condition"]["StringEquals"]["s3:signatureversion"] == json::array({"AWS4-HMAC-SHA256"}));
  CHECK(!allows[0]["Condition"].contains("StringLike"));
  CHECK(allows[1]["Action"] == json::array({"s3:ListBucket"}));
  CHECK(allows[1]["Resource"] == json::array({"arn:aws:s3:::media"}));
  CHECK(allows[1]["Condition"]["StringLike"]["s3:prefix"] == json::array({"public/*"}));

  const std::vector<json> denies = with_effect(j, "Deny");
  REQUIRE(denies.size() == 6);  // outside networks, without TLS, old signature; objects and list
  CHECK(denies[0]["Condition"].contains("NotIpAddress"));
  CHECK(denies[1]["Condition"]["Bool"]["aws:SecureTransport"] == json::array({"false"}));
  CHECK(denies[2]["Condition"]["NumericGreaterThanEquals"]["s3:signatureAge"] == json::array({"600000"}));
  for (int i = 3; i < 6; ++i) CHECK(denies[static_cast<std::size_t>(i)]["Condition"]["StringLike"]["s3:prefix"] == json::array({"public/*"}));
  std::vector<std::string> sids;
  for (const json& s : j["Statement"]) sids.push_back(s["Sid"]);
  std::sort(sids.begin(), sids.end());
  CHECK(std::adjacent_find(sids.begin(), sids.end()) == sids.end());

  const pol::evaluator e(pol::make_policy(pol::policy_kind::bucket, a));
  auto r = pol::presigned_request(pol::s3_access::put, "media", "public/new", ip("203.0.113.5"), true);
  CHECK(e.evaluate(r).allowed());
  r.signature_age = 599999ms;
  CHECK(e.evaluate(r).allowed());
  r.signature_age = 600000ms;
  CHECK(e.evaluate(r).outcome == pol::decision::explicit_deny);
  r = pol::presigned_request(pol::s3_access::put, "media", "public/new", ip("203.0.113.5"), false);
  CHECK(e.evaluate(r).outcome == pol::decision::explicit_deny);
  r = pol::presigned_request(pol::s3_access::put, "media", "public/new", ip("203.0.113.5"), true);
  r.auth_type = "REST-HEADER";
  CHECK(e.evaluate(r).outcome == pol::decision::implicit_deny);
}

TEST_CASE("Shapes: per-client allowlists get one statement pair each", "[policy]") {
  pol::allowlist a;
  a.bucket = "shared";
  a.clients = {{"acme-corp", "acme/", blocks({"198.51.100.0/24"})},
               {"globex", "globex/", blocks({"2001:db8:beef::/48", "192.0.2.10"})},
               {"acme corp", "acme2/", blocks({"203.0.113.0/24"})}};
  // Principal "*": one Deny per client, no Allow.
  const json denies_only = json::parse(pol::policy_json(pol::policy_kind::bucket, a));
  REQUIRE(denies_only["Statement"].size() == 3);
  for (const json& st : denies_only["Statement"]) CHECK(st["Effect"] == "Deny");
  a.principals = {"arn:aws:iam:::user/signer"};
  const json j = json::parse(pol::policy_json(pol::policy_kind::bucket, a));
  REQUIRE(j["Statement"].size() == 6);
  const char* prefixes[] = {"acme/", "globex/", "acme2/"};
  const char* sids[] = {"ClientAcmeCorpObjects", "ClientGlobexObjects", "ClientAcmeCorpObjects2"};
  for (std::size_t i = 0; i < 3; ++i) {
    const json& allow = j["Statement"][2 * i];
    const json& deny = j["Statement"][2 * i + 1];
    CHECK(allow["Effect"] == "Allow");
    CHECK(deny["Effect"] == "Deny");
    CHECK(allow["Resource"] == json::array({"arn:aws:s3:::shared/" + std::string(prefixes[i]) + "*"}));
    CHECK(deny["Resource"] == allow["Resource"]);
    CHECK(allow["Condition"]["IpAddress"]["aws:SourceIp"] == deny["Condition"]["NotIpAddress"]["aws:SourceIp"]);
    CHECK(allow["Sid"] == "Allow" + std::string(sids[i]));
  }
  CHECK(j["Statement"][2]["Condition"]["IpAddress"]["aws:SourceIp"] == json::array({"2001:db8:beef::/48", "192.0.2.10/32"}));

  const pol::evaluator e(pol::make_policy(pol::policy_kind::bucket, a));
  const auto at = [&](const char* key, const char* from) {
    return e.evaluate(pol::presigned_request(pol::s3_access::get, "shared", key, ip(from), true)).outcome;
  };
  CHECK(at("acme/report.pdf", "198.51.100.20") == pol::decision::allow);
  CHECK(at("acme/report.pdf", "192.0.2.10") == pol::decision::explicit_deny);  // globex's address
  CHECK(at("globex/plan.txt", "192.0.2.10") == pol::decision::allow);
  CHECK(at("globex/plan.txt", "2001:db8:beef:1::9") == pol::decision::allow);
  CHECK(at("globex/plan.txt", "198.51.100.20") == pol::decision::explicit_deny);
  CHECK(at("acme2/x", "203.0.113.1") == pol::decision::allow);
  CHECK(at("other/x", "198.51.100.20") == pol::decision::implicit_deny);

  // Top-level networks and clients together.
  pol::allowlist both = a;
  both.networks = blocks({"10.0.0.0/8"});
  both.prefix = "shared/";
  const json k = json::parse(pol::policy_json(pol::policy_kind::iam, both));
  REQUIRE(k["Statement"].size() == 4);
  CHECK(k["Statement"][0]["Sid"] == "AllowAllowedNetworksObjects");
  CHECK(k["Statement"][0]["Resource"] == json::array({"arn:aws:s3:::shared/shared/*"}));
}

TEST_CASE("Shapes: bad allowlists are refused", "[policy]") {
  const auto refuse = [](const pol::allowlist& a, sigv4::errc code, const char* reason) {
    INFO(reason);
    CHECK(contains_text(error_of([&] { pol::make_policy(pol::policy_kind::bucket, a); }, code), reason));
  };
  pol::allowlist a = office_allowlist();
  a.networks.clear();
  a.prefix.clear();
  refuse(a, sigv4::errc::invalid_policy, "no networks");
  a = office_allowlist();
  a.networks.clear();
  a.clients = {{"c", "c/", blocks({"10.0.0.0/8"})}};
  refuse(a, sigv4::errc::invalid_policy, "without networks");
  a = office_allowlist();
  a.clients = {{"c", "c/", {}}};
  refuse(a, sigv4::errc::invalid_policy, "'c' has no networks");
  a.clients = {{"", "c/", blocks({"10.0.0.0/8"})}};
  refuse(a, sigv4::errc::invalid_policy, "a client has no name");
  a = office_allowlist();
  a.actions.clear();
  refuse(a, sigv4::errc::invalid_policy, "no actions");
  a = office_allowlist();
  a.prefix = "a*b/";
  refuse(a, sigv4::errc::invalid_policy, "wildcard");
  a.prefix = "${aws:username}/";
  refuse(a, sigv4::errc::invalid_policy, "wildcard or variable");
  a = office_allowlist();
  a.max_signature_age = 0s;
  refuse(a, sigv4::errc::invalid_policy, "must be positive");
  a = office_allowlist();
  a.bucket = "";
  refuse(a, sigv4::errc::invalid_bucket_name, "empty");
  a.bucket = "b/c";
  refuse(a, sigv4::errc::invalid_bucket_name, "'b/c'");
  a = office_allowlist();
  a.principals.clear();
  refuse(a, sigv4::errc::invalid_policy, "needs a principal");
}

TEST_CASE("Session policies are compact and at most 2048 characters", "[policy]") {
  pol::allowlist a;
  a.bucket = "b";
  std::string last_fit;
  int clients = 0;
  for (;; ++clients) {
    a.clients.push_back({"c" + std::to_string(clients), "p" + std::to_string(clients) + "/",
                         {pol::cidr_block(pol::ip_address::from_v4(0x0A000000u + static_cast<std::uint32_t>(clients) * 256), 24)}});
    std::error_code ec;
    const std::string text = sigv4::detail::capture_error(ec, [&] { return pol::policy_json(pol::policy_kind::session, a); });
    if (ec) {
      CHECK(ec == sigv4::errc::invalid_policy);
      break;
    }
    last_fit = text;
  }
  CHECK(clients > 5);
  CHECK(last_fit.size() <= 2048);
  CHECK(json::parse(last_fit)["Statement"].size() == static_cast<std::size_t>(clients));
  const std::string what = error_of([&] { pol::policy_json(pol::policy_kind::session, a); }, sigv4::errc::invalid_policy);
  const std::string size = std::to_string(pol::to_json(pol::make_policy(pol::policy_kind::session, a), pol::json_style::compact).size());
  CHECK(contains_text(what, "the session policy is " + size + " characters; STS accepts at most 2048"));
  // The same allowlist still makes an IAM policy (no such limit).
  CHECK(json::parse(pol::policy_json(pol::policy_kind::iam, a))["Statement"].size() == static_cast<std::size_t>(clients + 1));

  CHECK_NOTHROW(pol::check_session_policy_size(std::string(2048, 'x')));
  CHECK_THROWS_AS(pol::check_session_policy_size(std::string(2049, 'x')), sigv4::error);
  CHECK(pol::max_session_policy_size == 2048);
}
