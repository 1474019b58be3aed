# A packager's build of sigv4, run as a ctest test:
#   cmake -DMODE=<bare|cli|port> -DSOURCE_DIR=<sigv4> -DWORK_DIR=<scratch> -DGENERATOR=<gen>
#         -DCXX_COMPILER=<c++> [-DMAKE_PROGRAM=<ninja/make>] -P packager_build.cmake
#
# bare  What a packager runs on a machine with only a compiler, CMake and OpenSSL:
#       `cmake -S . -B b -DCMAKE_BUILD_TYPE=Release && cmake --install b`, with every other
#       package sigv4's own parts use hidden from CMake. Tests, examples, the tool and the
#       benchmarks must say OFF, the install tree must hold the headers and the package files
#       only, and a fresh project must build against it with find_package(sigv4 X.Y).
# cli   The same with fmt visible and -DSIGV4_BUILD_EXAMPLES=OFF: the command-line tool (and
#       nothing else) builds and installs with its manual page and completion scripts, and the
#       installed tool presigns AWS's published example.
# required  Asked for (-DSIGV4_BUILD_<PART>=ON), a part whose dependency is missing is a
#       configure error naming it, for each part and dependency (scripts/test.sh relies on it).
# reexport  A project that add_subdirectory()s sigv4 and installs and exports its own target
#       linking sigv4::sigv4 generates with SIGV4_INSTALL=ON (the README's advice), and fails
#       without it (so the advice is still needed).
# fetchcontent  The README's FetchContent snippet, taken from README.md as written, in a fresh
#       project (FETCHCONTENT_SOURCE_DIR_SIGV4 = this tree, so nothing is downloaded): the program
#       builds and signs, and sigv4's headers reach it with -isystem (SYSTEM). CMake 3.25+.
# port  The options the vcpkg port and the Conan recipe pass (checked to be in both files), with
#       the CMake package in share/sigv4 as vcpkg lays it out; a fresh project consumes it.
#
# Every step's output goes to WORK_DIR/<mode>/*.log; a failure prints the log's tail.

cmake_minimum_required(VERSION 3.14)
foreach(_var MODE SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if("${${_var}}" STREQUAL "")
    message(FATAL_ERROR "packager_build.cmake needs -D${_var}=...")
  endif()
endforeach()

set(_dir "${WORK_DIR}/${MODE}")
set(_build "${_dir}/build")
set(_prefix "${_dir}/prefix")
file(REMOVE_RECURSE "${_dir}")
file(MAKE_DIRECTORY "${_dir}")

# run(<log-name> <command...>): runs the command, fails the test with the log's tail if it fails.
function(run name)
  execute_process(COMMAND ${ARGN}
                  OUTPUT_FILE "${_dir}/${name}.log" ERROR_FILE "${_dir}/${name}.log"
                  RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    file(READ "${_dir}/${name}.log" _log)
    string(LENGTH "${_log}" _len)
    if(_len GREATER 6000)
      math(EXPR _from "${_len} - 6000")
      string(SUBSTRING "${_log}" ${_from} -1 _log)
    endif()
    message(FATAL_ERROR "${MODE}: '${name}' failed (${_rc}):\n${_log}")
  endif()
endfunction()

# expect_lines(<log-name> <regex>...): each regex must match a line of the log.
function(expect_lines name)
  file(STRINGS "${_dir}/${name}.log" _lines)
  foreach(_rx IN LISTS ARGN)
    set(_hit FALSE)
    foreach(_line IN LISTS _lines)
      if(_line MATCHES "${_rx}")
        set(_hit TRUE)
        break()
      endif()
    endforeach()
    if(NOT _hit)
      message(FATAL_ERROR "${MODE}: no line of ${name}.log matches '${_rx}'")
    endif()
  endforeach()
endfunction()

# The version, for the find_package(sigv4 X.Y) checks.
foreach(_part MAJOR MINOR)
  file(STRINGS "${SOURCE_DIR}/include/sigv4/version.hpp" _line
       REGEX "^#define SIGV4_VERSION_${_part} [0-9]+$")
  string(REGEX REPLACE ".* " "" _v_${_part} "${_line}")
endforeach()

set(_gen_args -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
if(MAKE_PROGRAM)
  list(APPEND _gen_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()

# What the packager's machine lacks. Python3/Python also stop sigv4 looking for python3.
set(_hidden Catch2 benchmark nlohmann_json Python3 Python CURL GTest)
if(NOT MODE STREQUAL "cli")
  list(APPEND _hidden fmt)
endif()
set(_hide_args "")
foreach(_pkg IN LISTS _hidden)
  list(APPEND _hide_args "-DCMAKE_DISABLE_FIND_PACKAGE_${_pkg}=ON")
endforeach()

# The options the vcpkg port and the Conan recipe give sigv4's configure step.
set(_port_options
  -DSIGV4_BUILD_TESTS=OFF -DSIGV4_BUILD_EXAMPLES=OFF -DSIGV4_BUILD_CLI=OFF
  -DSIGV4_BUILD_BENCHMARKS=OFF -DSIGV4_INSTALL=ON)

if(MODE STREQUAL "required")
  set(_cases TESTS:Catch2 TESTS:nlohmann_json TESTS:fmt EXAMPLES:fmt CLI:fmt BENCHMARKS:benchmark)
  foreach(_case IN LISTS _cases)
    string(REPLACE ":" ";" _case "${_case}")
    list(GET _case 0 _part)
    list(GET _case 1 _pkg)
    set(_parts -DSIGV4_BUILD_TESTS=OFF -DSIGV4_BUILD_EXAMPLES=OFF -DSIGV4_BUILD_CLI=OFF
               -DSIGV4_BUILD_BENCHMARKS=OFF -DSIGV4_BUILD_${_part}=ON)
    execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${_build}-${_part}-${_pkg}"
                            ${_gen_args} ${_parts} -DCMAKE_DISABLE_FIND_PACKAGE_${_pkg}=ON
                    OUTPUT_VARIABLE _out ERROR_VARIABLE _out RESULT_VARIABLE _rc)
    if(_rc EQUAL 0)
      message(FATAL_ERROR "required: SIGV4_BUILD_${_part}=ON without ${_pkg} configured")
    endif()
    if(NOT _out MATCHES "find_package for module ${_pkg} called with REQUIRED")
      message(FATAL_ERROR "required: SIGV4_BUILD_${_part}=ON without ${_pkg} failed, but not for ${_pkg}:\n${_out}")
    endif()
  endforeach()
  message(STATUS "required: each asked-for part refused its missing dependency: ${_cases}")
  return()
elseif(MODE STREQUAL "reexport")
  file(WRITE "${_dir}/project/CMakeLists.txt"
    "cmake_minimum_required(VERSION 3.14)\nproject(reexport LANGUAGES CXX)\n"
    "option(WITH_SIGV4_INSTALL \"\" ON)\n"
    "if(WITH_SIGV4_INSTALL)\n  set(SIGV4_INSTALL ON)\nendif()\n"
    "add_subdirectory(\"${SOURCE_DIR}\" sigv4-build)\n"
    "add_library(mylib INTERFACE)\ntarget_link_libraries(mylib INTERFACE sigv4::sigv4)\n"
    "install(TARGETS mylib EXPORT mylibTargets)\n"
    "install(EXPORT mylibTargets NAMESPACE my:: DESTINATION share/cmake/mylib)\n")
  run(with_install "${CMAKE_COMMAND}" -S "${_dir}/project" -B "${_dir}/with" ${_gen_args})
  execute_process(COMMAND "${CMAKE_COMMAND}" -S "${_dir}/project" -B "${_dir}/without" ${_gen_args}
                          -DWITH_SIGV4_INSTALL=OFF
                  OUTPUT_VARIABLE _out ERROR_VARIABLE _out RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 OR NOT _out MATCHES "requires target \"sigv4\" that is not in any export set")
    message(FATAL_ERROR "reexport: without SIGV4_INSTALL the export did not fail as expected:\n${_out}")
  endif()
  message(STATUS "reexport: generates with SIGV4_INSTALL=ON, fails without it")
  return()
elseif(MODE STREQUAL "fetchcontent")
  file(READ "${SOURCE_DIR}/README.md" _readme)
  if(NOT _readme MATCHES "```cmake\n(include[(]FetchContent[)]\n[^`]*target_link_libraries[(]app PRIVATE sigv4::sigv4[)]\n)```")
    message(FATAL_ERROR "fetchcontent: README.md has no ```cmake block from include(FetchContent) to target_link_libraries(app ...)")
  endif()
  set(_snippet "${CMAKE_MATCH_1}")
  file(COPY "${SOURCE_DIR}/tests/consumer/main.cpp" DESTINATION "${_dir}/project")
  file(WRITE "${_dir}/project/CMakeLists.txt"
    "cmake_minimum_required(VERSION 3.25)\nproject(app LANGUAGES CXX)\n"
    "add_executable(app main.cpp)\n"
    "# --- README.md's snippet ---\n${_snippet}# ---\n"
    "target_compile_definitions(app PRIVATE \"SIGV4_EXPECTED_VERSION=\\\"\${sigv4_VERSION}\\\"\")\n")
  run(configure "${CMAKE_COMMAND}" -S "${_dir}/project" -B "${_dir}/build" ${_gen_args}
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
      "-DFETCHCONTENT_SOURCE_DIR_SIGV4=${SOURCE_DIR}" -DFETCHCONTENT_FULLY_DISCONNECTED=ON)
  run(build "${CMAKE_COMMAND}" --build "${_dir}/build")
  run(app "${_dir}/build/app")
  expect_lines(app "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
  file(READ "${_dir}/build/compile_commands.json" _commands)
  string(FIND "${_commands}" "-isystem ${SOURCE_DIR}/include" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "fetchcontent: sigv4's include directory is not -isystem:\n${_commands}")
  endif()
  message(STATUS "fetchcontent: the README's snippet builds a signing program, headers as -isystem")
  return()
elseif(MODE STREQUAL "bare" OR MODE STREQUAL "cli")
  set(_mode_args "")
  if(MODE STREQUAL "cli")
    set(_mode_args -DSIGV4_BUILD_EXAMPLES=OFF)
  endif()
  run(configure "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${_build}" ${_gen_args}
      -DCMAKE_BUILD_TYPE=Release ${_hide_args} ${_mode_args})
  if(MODE STREQUAL "bare")
    expect_lines(configure
      "^-- sigv4: tests: OFF \\(not found: Catch2, nlohmann_json, fmt, python3;"
      "^-- sigv4: examples: OFF \\(not found: fmt;"
      "^-- sigv4: command-line tool: OFF \\(not found: fmt;"
      "^-- sigv4: benchmarks: OFF \\(not found: benchmark;")
    # The packager's two commands: nothing is built, so install straight away.
  else()
    expect_lines(configure
      "^-- sigv4: tests: OFF \\(not found: Catch2, nlohmann_json, python3;"
      "^-- sigv4: examples: OFF \\(SIGV4_BUILD_EXAMPLES=OFF\\)"
      "^-- sigv4: command-line tool: ON \\(found: fmt\\)"
      "^-- sigv4: benchmarks: OFF \\(not found: benchmark;")
    run(build "${CMAKE_COMMAND}" --build "${_build}")
  endif()
  run(install "${CMAKE_COMMAND}" --install "${_build}" --prefix "${_prefix}")
  set(_cmakedir "share/cmake/sigv4")
elseif(MODE STREQUAL "port")
  # vcpkg.json states the version; it must be version.hpp's (Conan's recipe reads the header).
  file(READ "${SOURCE_DIR}/packaging/vcpkg/ports/sigv4/vcpkg.json" _manifest)
  if(NOT _manifest MATCHES "\n  \"version\": \"([^\"]+)\"")
    message(FATAL_ERROR "port: vcpkg.json has no top-level \"version\"")
  endif()
  set(_port_version "${CMAKE_MATCH_1}")
  file(STRINGS "${SOURCE_DIR}/include/sigv4/version.hpp" _line REGEX "^#define SIGV4_VERSION_PATCH [0-9]+$")
  string(REGEX REPLACE ".* " "" _v_PATCH "${_line}")
  if(NOT _port_version STREQUAL "${_v_MAJOR}.${_v_MINOR}.${_v_PATCH}")
    message(FATAL_ERROR "port: vcpkg.json says ${_port_version}, version.hpp ${_v_MAJOR}.${_v_MINOR}.${_v_PATCH}")
  endif()
  foreach(_file packaging/vcpkg/ports/sigv4/portfile.cmake conanfile.py)
    file(READ "${SOURCE_DIR}/${_file}" _text)
    # portfile.cmake: -DNAME=VALUE; conanfile.py: "NAME": "VALUE" in cache_variables.
    set(_opts ${_port_options})
    if(_file MATCHES "portfile")
      list(APPEND _opts -DSIGV4_INSTALL_CMAKEDIR=share/sigv4)
    endif()
    foreach(_opt IN LISTS _opts)
      if(_file MATCHES "portfile")
        set(_want "${_opt}")
      else()
        string(REGEX REPLACE "^-D([A-Z_0-9]+)=(.*)$" "\"\\1\": \"\\2\"" _want "${_opt}")
      endif()
      string(FIND "${_text}" "${_want}" _at)
      if(_at EQUAL -1)
        message(FATAL_ERROR "port: ${_file} does not pass ${_want}")
      endif()
    endforeach()
  endforeach()
  run(configure "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${_build}" ${_gen_args}
      -DCMAKE_BUILD_TYPE=Release ${_port_options} -DSIGV4_INSTALL_CMAKEDIR=share/sigv4)
  run(install "${CMAKE_COMMAND}" --install "${_build}" --prefix "${_prefix}")
  set(_cmakedir "share/sigv4")
else()
  message(FATAL_ERROR "MODE must be bare, cli or port, not '${MODE}'")
endif()

# The install tree: the headers, the CMake package, the pkg-config file, and the tool in cli
# mode; nothing else (no library, no test or example binary).
file(GLOB_RECURSE _files RELATIVE "${_prefix}" "${_prefix}/*")
set(_expected
  "${_cmakedir}/sigv4Config.cmake" "${_cmakedir}/sigv4ConfigVersion.cmake"
  "${_cmakedir}/sigv4Targets.cmake" "share/pkgconfig/sigv4.pc" "include/sigv4/sigv4.hpp"
  "include/sigv4/version.hpp")
if(MODE STREQUAL "cli")
  list(APPEND _expected "bin/sigv4" "share/man/man1/sigv4.1" "share/bash-completion/completions/sigv4"
       "share/zsh/site-functions/_sigv4" "share/fish/vendor_completions.d/sigv4.fish")
endif()
foreach(_file IN LISTS _expected)
  if(NOT "${_file}" IN_LIST _files)
    message(FATAL_ERROR "${MODE}: the install tree lacks ${_file}; it holds: ${_files}")
  endif()
endforeach()
foreach(_file IN LISTS _files)
  if(NOT _file MATCHES "^include/sigv4/.*\\.hpp$" AND NOT "${_file}" IN_LIST _expected)
    message(FATAL_ERROR "${MODE}: the install tree holds an unexpected ${_file}")
  endif()
endforeach()

if(MODE STREQUAL "cli")
  # AWS's published presigned GET (S3 API Reference, "Authenticating Requests: Using Query
  # Parameters"), through the installed tool.
  run(cli_presign "${CMAKE_COMMAND}" -E env
      AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
      AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
      "${_prefix}/bin/sigv4" presign --endpoint https://s3.amazonaws.com
      --region us-east-1 --expires 86400 --date 20130524T000000Z s3://examplebucket/test.txt)
  expect_lines(cli_presign
    "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
  return()
endif()

# A fresh project finds the package with the version a user pins, and builds and runs a
# program that presigns AWS's published example (tests/consumer).
run(consumer "${CMAKE_CTEST_COMMAND}" --build-and-test
    "${SOURCE_DIR}/tests/consumer" "${_dir}/consumer"
    --build-generator "${GENERATOR}"
    --build-options ${_gen_args} -DCMAKE_BUILD_TYPE=Release ${_hide_args}
      "-DCMAKE_PREFIX_PATH=${_prefix}" "-DSIGV4_CONSUMER_VERSION=${_v_MAJOR}.${_v_MINOR}"
    --test-command consumer)
expect_lines(consumer "Found sigv4 ${_v_MAJOR}\\.${_v_MINOR}\\.[0-9]+ in ${_prefix}/${_cmakedir}")

# While 0.x, another minor version is another API: find_package must refuse it.
math(EXPR _next_minor "${_v_MINOR} + 1")
set(_refused "${_v_MAJOR}.${_next_minor}")
if(_v_MAJOR EQUAL 0 AND _v_MINOR GREATER 0)
  math(EXPR _prev_minor "${_v_MINOR} - 1")
  list(APPEND _refused "0.${_prev_minor}")
else()
  math(EXPR _next_major "${_v_MAJOR} + 1")
  list(APPEND _refused "${_next_major}.0")
endif()
foreach(_version IN LISTS _refused)
  set(_probe "${_dir}/refuse-${_version}")
  file(WRITE "${_probe}/CMakeLists.txt"
    "cmake_minimum_required(VERSION 3.14)\nproject(probe NONE)\n"
    "find_package(sigv4 ${_version} CONFIG QUIET)\n"
    "if(sigv4_FOUND)\n  message(FATAL_ERROR \"find_package(sigv4 ${_version}) accepted \${sigv4_VERSION}\")\nendif()\n")
  run(refuse-${_version} "${CMAKE_COMMAND}" -S "${_probe}" -B "${_probe}/build" -G "${GENERATOR}"
      "-DCMAKE_PREFIX_PATH=${_prefix}")
endforeach()
message(STATUS "${MODE}: install tree and consumer OK; find_package refused ${_refused}")
