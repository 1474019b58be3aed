# Which of sigv4's own parts (tests, examples, command-line tool, benchmarks) are built.
# Included by the top-level CMakeLists.txt; never installed.
#
# Each SIGV4_BUILD_<PART> is ON, OFF or AUTO:
#   ON    asked for: its dependencies are REQUIRED, a missing one is a configure error
#         (scripts/test.sh passes ON, so a CI machine that lacks one fails);
#   OFF   not built;
#   AUTO  built when every dependency is found (the default for the top-level project, so
#         that a packager's `cmake -S . -B b && cmake --install b` needs only a compiler,
#         CMake and OpenSSL); as a subproject the default is OFF.
# After sigv4_settle_part() the variable holds ON or OFF, and one status line says which
# and why.

# sigv4_declare_part(<var> <doc>): the cache entry, unless the variable is already set (on
# the command line, in the cache, or as a normal variable by a parent project).
macro(sigv4_declare_part var doc)
  if(NOT DEFINED ${var})
    if(PROJECT_IS_TOP_LEVEL)
      set(_sigv4_part_default AUTO)
    else()
      set(_sigv4_part_default OFF)
    endif()
    set(${var} "${_sigv4_part_default}" CACHE STRING
        "${doc}: ON (dependencies required), OFF, or AUTO (built when its dependencies are found)")
    set_property(CACHE ${var} PROPERTY STRINGS AUTO ON OFF)
  endif()
endmacro()

# sigv4_part_is_auto(<var> <out>): <out> is TRUE when <var> says AUTO (any case).
function(sigv4_part_is_auto var out)
  string(TOUPPER "${${var}}" _value)
  if(_value STREQUAL "AUTO")
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# sigv4_settle_part(<var> <label> <what it needs> <missing...>): turns AUTO into ON (nothing
# missing) or OFF, and prints the status line.
function(sigv4_settle_part var label needs)
  set(_missing ${ARGN})
  sigv4_part_is_auto(${var} _auto)
  if(_auto)
    if(_missing)
      string(REPLACE ";" ", " _list "${_missing}")
      set(_value OFF)
      set(_why "not found: ${_list}; -D${var}=ON makes them required")
    else()
      set(_value ON)
      set(_why "found: ${needs}")
    endif()
  elseif(${var})
    set(_value ON)
    set(_why "asked for; needs ${needs}")
  else()
    set(_value OFF)
    set(_why "${var}=${${var}}")
  endif()
  message(STATUS "sigv4: ${label}: ${_value} (${_why})")
  set(${var} ${_value} PARENT_SCOPE)
endfunction()

# sigv4_probe_package(<out-list> <package> [args...]): appends <package> to <out-list> when
# find_package(<package> [args...] QUIET) does not find it.
macro(sigv4_probe_package out package)
  find_package(${package} ${ARGN} QUIET)
  if(NOT ${package}_FOUND)
    list(APPEND ${out} ${package})
  endif()
endmacro()

sigv4_declare_part(SIGV4_BUILD_TESTS "Build the sigv4 tests")
sigv4_declare_part(SIGV4_BUILD_EXAMPLES "Build the sigv4 examples")
sigv4_declare_part(SIGV4_BUILD_CLI "Build and install the sigv4 command-line tool")
sigv4_declare_part(SIGV4_BUILD_BENCHMARKS "Build the sigv4 benchmarks")

# The tests: Catch2, nlohmann_json, fmt and a Python 3 interpreter (tests/CMakeLists.txt
# requires each of them).
set(_sigv4_missing "")
sigv4_part_is_auto(SIGV4_BUILD_TESTS _sigv4_auto)
if(_sigv4_auto)
  sigv4_probe_package(_sigv4_missing Catch2)
  sigv4_probe_package(_sigv4_missing nlohmann_json)
  sigv4_probe_package(_sigv4_missing fmt)
  if(NOT CMAKE_DISABLE_FIND_PACKAGE_Python3)
    find_program(SIGV4_PYTHON NAMES python3 python
                 DOC "Python 3 interpreter (with botocore for botocore_diff.py)")
  endif()
  if(NOT SIGV4_PYTHON)
    list(APPEND _sigv4_missing python3)
  endif()
endif()
sigv4_settle_part(SIGV4_BUILD_TESTS "tests" "Catch2, nlohmann_json, fmt, python3" ${_sigv4_missing})

# The examples: fmt (download_service and upload_worker are added when cpp-httplib /
# libcurl are found too; examples/CMakeLists.txt says which).
set(_sigv4_missing "")
sigv4_part_is_auto(SIGV4_BUILD_EXAMPLES _sigv4_auto)
if(_sigv4_auto)
  sigv4_probe_package(_sigv4_missing fmt)
endif()
sigv4_settle_part(SIGV4_BUILD_EXAMPLES "examples" "fmt" ${_sigv4_missing})

# The command-line tool (cli/): fmt only, independent of the examples.
set(_sigv4_missing "")
sigv4_part_is_auto(SIGV4_BUILD_CLI _sigv4_auto)
if(_sigv4_auto)
  sigv4_probe_package(_sigv4_missing fmt)
endif()
sigv4_settle_part(SIGV4_BUILD_CLI "command-line tool" "fmt" ${_sigv4_missing})

# The benchmarks: Google Benchmark.
set(_sigv4_missing "")
sigv4_part_is_auto(SIGV4_BUILD_BENCHMARKS _sigv4_auto)
if(_sigv4_auto)
  sigv4_probe_package(_sigv4_missing benchmark)
endif()
sigv4_settle_part(SIGV4_BUILD_BENCHMARKS "benchmarks" "Google Benchmark" ${_sigv4_missing})

unset(_sigv4_missing)
unset(_sigv4_auto)
