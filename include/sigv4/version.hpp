/// @file
/// sigv4 — AWS Signature Version 4 for C++.
/// The library's version: the one place it is written (CMake reads it from here).
#ifndef SIGV4_VERSION_HPP
#define SIGV4_VERSION_HPP

#include "detail/config.hpp"

/// The major version: 0 while the API may change in a minor version (see CHANGELOG.md).
#define SIGV4_VERSION_MAJOR 0
/// The minor version; under 1.0 a new one may break the API.
#define SIGV4_VERSION_MINOR 1
/// The patch version: fixes only.
#define SIGV4_VERSION_PATCH 0

#define SIGV4_DETAIL_STR2(x) #x
#define SIGV4_DETAIL_STR(x) SIGV4_DETAIL_STR2(x)

namespace sigv4 {
/// The library version as "MAJOR.MINOR.PATCH".
inline constexpr const char* version_string = SIGV4_DETAIL_STR(SIGV4_VERSION_MAJOR) "." SIGV4_DETAIL_STR(
    SIGV4_VERSION_MINOR) "." SIGV4_DETAIL_STR(SIGV4_VERSION_PATCH);
}  // namespace sigv4

#endif
