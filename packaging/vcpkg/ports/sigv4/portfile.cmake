# vcpkg port of sigv4 (header-only; needs OpenSSL's libcrypto).
#
# Where the sources come from, first match wins:
#   SIGV4_SOURCE_DIR (environment)  a local checkout, used as it is: to test the port before a
#                                   release (`SIGV4_SOURCE_DIR=$PWD vcpkg install sigv4 ...`);
#   SIGV4_GIT_URL + SIGV4_GIT_REF   a git repository and the full commit id to build (environment,
#                                   or the defaults below, which a published port fills in).
set(SIGV4_GIT_URL_DEFAULT "")
set(SIGV4_GIT_REF_DEFAULT "")

set(VCPKG_BUILD_TYPE release)  # header-only: one configuration is all there is

if(DEFINED ENV{SIGV4_SOURCE_DIR} AND NOT "$ENV{SIGV4_SOURCE_DIR}" STREQUAL "")
  set(SOURCE_PATH "$ENV{SIGV4_SOURCE_DIR}")
  if(NOT EXISTS "${SOURCE_PATH}/include/sigv4/version.hpp")
    message(FATAL_ERROR "SIGV4_SOURCE_DIR=${SOURCE_PATH} is not a sigv4 source tree")
  endif()
  message(STATUS "sigv4: sources from the local folder ${SOURCE_PATH}")
else()
  set(_url "${SIGV4_GIT_URL_DEFAULT}")
  set(_ref "${SIGV4_GIT_REF_DEFAULT}")
  if(DEFINED ENV{SIGV4_GIT_URL})
    set(_url "$ENV{SIGV4_GIT_URL}")
  endif()
  if(DEFINED ENV{SIGV4_GIT_REF})
    set(_ref "$ENV{SIGV4_GIT_REF}")
  endif()
  if(_url STREQUAL "" OR NOT _ref MATCHES "^[0-9a-f]+$")
    message(FATAL_ERROR "sigv4: set SIGV4_SOURCE_DIR (a local checkout), or SIGV4_GIT_URL and "
                        "SIGV4_GIT_REF (a full commit id)")
  endif()
  vcpkg_from_git(OUT_SOURCE_PATH SOURCE_PATH URL "${_url}" REF "${_ref}")
  message(STATUS "sigv4: sources from ${_url} at ${_ref}")
endif()

# The version this port says must be the one the sources say.
file(STRINGS "${SOURCE_PATH}/include/sigv4/version.hpp" _lines REGEX "^#define SIGV4_VERSION_(MAJOR|MINOR|PATCH) ")
string(REGEX REPLACE "[^;]*SIGV4_VERSION_[A-Z]+ ([0-9]+)" "\\1" _parts "${_lines}")
string(REPLACE ";" "." _source_version "${_parts}")
if(NOT _source_version STREQUAL VERSION)
  message(FATAL_ERROR "sigv4: the port is version ${VERSION}, the sources ${_source_version}")
endif()

# The library only: the same options as the Conan recipe (tests/packaging/packager_build.cmake
# checks that both pass them), with the CMake package where vcpkg keeps it.
vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    -DSIGV4_BUILD_TESTS=OFF
    -DSIGV4_BUILD_EXAMPLES=OFF
    -DSIGV4_BUILD_CLI=OFF
    -DSIGV4_BUILD_BENCHMARKS=OFF
    -DSIGV4_INSTALL=ON
    -DSIGV4_INSTALL_CMAKEDIR=share/sigv4
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH share/sigv4)
vcpkg_fixup_pkgconfig()

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
