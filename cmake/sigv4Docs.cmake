# The API reference: `cmake --build <build> --target docs` runs Doxygen over the public headers
# (docs/Doxyfile.in); open <build>/docs/html/index.html. Included by the top-level
# CMakeLists.txt when sigv4 is the top-level project. The target exists only when Doxygen is
# found (a status line says so). SIGV4_DOCS_WERROR=ON makes any Doxygen warning (an undocumented
# public entity or parameter, a broken reference) fail the target.
option(SIGV4_DOCS_WERROR "Fail the docs target on any Doxygen warning" OFF)
if(NOT EXISTS "${PROJECT_SOURCE_DIR}/docs/Doxyfile.in")
  return()  # a source package without docs/ (the Conan recipe exports only what it installs)
endif()
find_package(Doxygen QUIET)
if(NOT DOXYGEN_FOUND)
  message(STATUS "sigv4: docs: no target (Doxygen not found)")
  return()
endif()
set(SIGV4_DOCS_OUTPUT_DIR "${PROJECT_BINARY_DIR}/docs")
if(SIGV4_DOCS_WERROR)
  set(SIGV4_DOCS_WARN_AS_ERROR FAIL_ON_WARNINGS)
else()
  set(SIGV4_DOCS_WARN_AS_ERROR NO)
endif()
configure_file("${PROJECT_SOURCE_DIR}/docs/Doxyfile.in" "${PROJECT_BINARY_DIR}/Doxyfile" @ONLY)
file(GLOB _sigv4_public_headers CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/include/sigv4/*.hpp")
add_custom_command(
  OUTPUT "${SIGV4_DOCS_OUTPUT_DIR}/html/index.html"
  COMMAND "${CMAKE_COMMAND}" -E make_directory "${SIGV4_DOCS_OUTPUT_DIR}"
  COMMAND Doxygen::doxygen "${PROJECT_BINARY_DIR}/Doxyfile"
  DEPENDS "${PROJECT_BINARY_DIR}/Doxyfile" "${PROJECT_SOURCE_DIR}/docs/mainpage.md"
          "${PROJECT_SOURCE_DIR}/docs/namespaces.dox"
          ${_sigv4_public_headers}
  WORKING_DIRECTORY "${PROJECT_BINARY_DIR}"
  COMMENT "sigv4: API reference (Doxygen) -> ${SIGV4_DOCS_OUTPUT_DIR}/html/index.html"
  VERBATIM)
add_custom_target(docs DEPENDS "${SIGV4_DOCS_OUTPUT_DIR}/html/index.html")
message(STATUS "sigv4: docs: target 'docs' (Doxygen ${DOXYGEN_VERSION}; warnings as errors: ${SIGV4_DOCS_WERROR})")
unset(_sigv4_public_headers)
