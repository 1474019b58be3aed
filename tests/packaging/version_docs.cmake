# cmake -DSOURCE_DIR=<sigv4 source> -P version_docs.cmake
# The version written in include/sigv4/version.hpp must be the one README.md states and the
# newest release heading of CHANGELOG.md (a version a user can pin is a version they can read).
foreach(_part MAJOR MINOR PATCH)
  file(STRINGS "${SOURCE_DIR}/include/sigv4/version.hpp" _line
       REGEX "^#define SIGV4_VERSION_${_part} [0-9]+$")
  string(REGEX REPLACE ".* " "" _v_${_part} "${_line}")
  if(_v_${_part} STREQUAL "")
    message(FATAL_ERROR "no SIGV4_VERSION_${_part} in version.hpp")
  endif()
endforeach()
set(_version "${_v_MAJOR}.${_v_MINOR}.${_v_PATCH}")

file(READ "${SOURCE_DIR}/README.md" _readme)
string(FIND "${_readme}" "Version: **${_version}**" _at)
if(_at EQUAL -1)
  message(FATAL_ERROR "README.md does not say 'Version: **${_version}**'")
endif()
string(FIND "${_readme}" "find_package(sigv4 ${_v_MAJOR}.${_v_MINOR} CONFIG REQUIRED)" _at)
if(_at EQUAL -1)
  message(FATAL_ERROR "README.md's find_package line does not pin ${_v_MAJOR}.${_v_MINOR}")
endif()

# The first release heading after [Unreleased] must be this version.
file(STRINGS "${SOURCE_DIR}/CHANGELOG.md" _headings REGEX "^## \\[")
list(FILTER _headings EXCLUDE REGEX "^## \\[Unreleased\\]")
list(GET _headings 0 _newest)
if(NOT _newest MATCHES "^## \\[${_version}\\] - [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$")
  message(FATAL_ERROR "CHANGELOG.md's newest release is '${_newest}', expected '## [${_version}] - YYYY-MM-DD'")
endif()
message(STATUS "version ${_version}: README.md and CHANGELOG.md agree")
