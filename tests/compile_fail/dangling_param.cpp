// Compile-failure case (tests/CMakeLists.txt): with SIGV4_MISTAKE this must NOT compile, since
// the query parameter's value would view a temporary std::string (std::to_string's result).
// Without it, the control keeps the string alive and must compile.
#include <sigv4/s3.hpp>

#include <string>
#include <vector>

int main() {
  const int part = 7;
  std::vector<sigv4::s3::param> query;
#ifdef SIGV4_MISTAKE
  query.push_back(sigv4::s3::param{"partNumber", std::to_string(part)});
#else
  const std::string part_text = std::to_string(part);
  query.push_back(sigv4::s3::param{"partNumber", part_text});
#endif
  return query.size() == 1 ? 0 : 1;
}
