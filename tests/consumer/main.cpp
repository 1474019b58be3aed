// Downstream smoke test: the installed / add_subdirectory'd sigv4 package
// provides its headers, C++17, and libcrypto to a consumer that only links
// sigv4::sigv4.
#include <sigv4/sigv4.hpp>

#include <openssl/crypto.h>

#include <cstdio>
#include <cstring>

#ifndef SIGV4_EXPECTED_VERSION
#error "SIGV4_EXPECTED_VERSION must be defined by the consumer's CMakeLists.txt"
#endif

int main() {
  const char* const got = sigv4::version_string;
  std::printf("sigv4 %s (expected %s), %s\n", got, SIGV4_EXPECTED_VERSION,
              OpenSSL_version(OPENSSL_VERSION));
  return std::strcmp(got, SIGV4_EXPECTED_VERSION) == 0 ? 0 : 1;
}
