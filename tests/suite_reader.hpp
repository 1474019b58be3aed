// Reads the official AWS SigV4 test suite (aws-c-auth's v4 folder) from disk.
#pragma once
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <sigv4/sigv4.hpp>

namespace suite {

inline std::filesystem::path root() { return std::filesystem::path(SIGV4_AWS_TEST_SUITE_DIR) / "v4"; }

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One case: its inputs and the expected outputs of both modes.
struct test_case {
  std::string name;
  nlohmann::json context;
  sigv4::http_request request;
  std::string body;
};

// Parses request.txt as the suite's README describes: method up to the first space, target up
// to the final " HTTP/1.1", headers split on the first ':', continuation lines folded with one
// space, a blank line, then the body.
inline void parse_request(const std::string& text, test_case& c) {
  std::size_t eol = text.find('\n');
  const std::string line = text.substr(0, eol);
  const std::size_t sp = line.find(' ');
  const std::size_t proto = line.rfind(" HTTP/");
  const std::string target = line.substr(sp + 1, proto - sp - 1);
  c.request.method = line.substr(0, sp);
  const std::size_t q = target.find('?');
  c.request.path = target.substr(0, q);
  c.request.query = q == std::string::npos ? "" : target.substr(q + 1);
  std::size_t at = eol == std::string::npos ? text.size() : eol + 1;
  while (at < text.size()) {
    eol = text.find('\n', at);
    const std::string l = text.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
    at = eol == std::string::npos ? text.size() : eol + 1;
    if (l.empty()) {
      c.body = text.substr(at);
      break;
    }
    if (l[0] == ' ' || l[0] == '\t') {
      const std::size_t first = l.find_first_not_of(" \t");
      c.request.headers.back().value += ' ' + l.substr(first);
      continue;
    }
    const std::size_t colon = l.find(':');
    c.request.headers.push_back({l.substr(0, colon), l.substr(colon + 1)});
  }
}

inline std::vector<test_case> load_all() {
  std::vector<test_case> cases;
  for (const auto& entry : std::filesystem::directory_iterator(root())) {
    if (!entry.is_directory()) continue;
    test_case c;
    c.name = entry.path().filename().string();
    c.context = nlohmann::json::parse(read_file(entry.path() / "context.json"));
    parse_request(read_file(entry.path() / "request.txt"), c);
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(), [](const test_case& a, const test_case& b) { return a.name < b.name; });
  return cases;
}

// "2015-08-30T12:36:00Z" -> "20150830T123600Z".
inline std::string amz_date_of(const std::string& iso) {
  std::string out;
  for (char ch : iso)
    if (ch != '-' && ch != ':') out.push_back(ch);
  return out;
}

inline std::string expected(const test_case& c, const std::string& file) { return read_file(root() / c.name / file); }

}  // namespace suite
