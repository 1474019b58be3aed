// Compile-failure case (tests/CMakeLists.txt): with SIGV4_MISTAKE this must NOT compile, since
// the key would view a temporary std::string destroyed at the end of the statement
// (heap-use-after-free when the URL is made). Without it, the control keeps the string alive
// and must compile.
#include <sigv4/s3.hpp>

#include <string>

namespace {
std::string make_key(int job) { return "jobs/job-" + std::to_string(job) + "/result.tif"; }
}  // namespace

int main() {
  sigv4::s3::object_request r;
  r.bucket = "geocrop-results";
#ifdef SIGV4_MISTAKE
  r.key = make_key(123);
#else
  const std::string key = make_key(123);
  r.key = key;
#endif
  return r.key.empty() ? 1 : 0;
}
