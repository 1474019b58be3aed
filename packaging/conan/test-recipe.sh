#!/usr/bin/env bash
# Runs the Conan 2 recipe for real: `conan create` of this tree, which builds and runs
# test_package/ (AWS's published presigned URL). Needs `conan` (2.x) on PATH; not run by CI.
#   packaging/conan/test-recipe.sh [SOURCE_DIR]
# With SIGV4_CONAN_SYSTEM_OPENSSL=1 (the default) the `openssl` requirement is the local
# "system OpenSSL" fixture (packaging/conan/openssl-system); with 0, the remote's openssl.
set -euo pipefail
SRC=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
conan --version
if [ "${SIGV4_CONAN_SYSTEM_OPENSSL:-1}" = 1 ]; then
  conan export "$SRC/packaging/conan/openssl-system"
fi
conan create "$SRC" --build=missing
