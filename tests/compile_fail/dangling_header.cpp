// Compile-failure case (tests/CMakeLists.txt): with SIGV4_MISTAKE this must NOT compile, since
// the header value would view a temporary std::string. Without it, the control keeps the
// string alive and must compile.
#include <sigv4/s3.hpp>

#include <string>

namespace {
std::string type_for(const std::string& name) { return name.size() > 4 ? "image/tiff" : "text/plain"; }
}  // namespace

int main() {
  const std::string file = "result.tif";
  sigv4::s3::object_request r;
#ifdef SIGV4_MISTAKE
  r.headers.push_back({"Content-Type", type_for(file)});
#else
  const std::string type = type_for(file);
  r.headers.push_back({"Content-Type", type});
#endif
  return r.headers.size() == 1 ? 0 : 1;
}
