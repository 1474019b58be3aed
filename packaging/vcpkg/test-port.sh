#!/usr/bin/env bash
# Runs the vcpkg port for real, offline, against the system OpenSSL (the empty overlay port
# test-overlay/openssl): `vcpkg install sigv4` from a local folder and from a git commit
# (classic mode), each followed by test_package/ built with vcpkg's toolchain, then the same
# consumer in manifest mode. Needs VCPKG_ROOT (a vcpkg checkout holding a vcpkg binary),
# cmake, ninja, git and patchelf; not run by CI.
#   packaging/vcpkg/test-port.sh [SOURCE_DIR]     (SOURCE_DIR: a git checkout; default this one)
set -euo pipefail
SRC=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
: "${VCPKG_ROOT:?set VCPKG_ROOT to a vcpkg checkout with its vcpkg binary}"
export VCPKG_FORCE_SYSTEM_BINARIES=1 VCPKG_DISABLE_METRICS=1 VCPKG_BINARY_SOURCES=clear
VCPKG="$VCPKG_ROOT/vcpkg"
OVERLAYS=(--overlay-ports="$SRC/packaging/vcpkg/ports" --overlay-ports="$SRC/packaging/vcpkg/test-overlay")
TRIPLET=${VCPKG_DEFAULT_TRIPLET:-x64-linux}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# (sed reads to the end: with head, vcpkg could die of SIGPIPE writing its next line, and
# pipefail stopped the script)
"$VCPKG" version | sed -n 1p

consume() {  # test_package/ with vcpkg's toolchain, in classic mode
  rm -rf "$WORK/consumer"
  cmake -S "$SRC/test_package" -B "$WORK/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_TOOLCHAIN_FILE=$VCPKG_ROOT/scripts/buildsystems/vcpkg.cmake" \
    "-DVCPKG_TARGET_TRIPLET=$TRIPLET" >"$WORK/consumer.log"
  cmake --build "$WORK/consumer" >>"$WORK/consumer.log"
  "$WORK/consumer/test_package"
}

echo "== classic mode, sources from the local folder $SRC"
"$VCPKG" remove sigv4 --triplet "$TRIPLET" "${OVERLAYS[@]}" >/dev/null 2>&1 || true
SIGV4_SOURCE_DIR="$SRC" "$VCPKG" install sigv4 --triplet "$TRIPLET" "${OVERLAYS[@]}"
consume

REF=$(git -C "$SRC" rev-parse HEAD)
echo "== classic mode, sources from git file://$SRC at $REF"
"$VCPKG" remove sigv4 --triplet "$TRIPLET" "${OVERLAYS[@]}"
SIGV4_GIT_URL="file://$SRC" SIGV4_GIT_REF="$REF" "$VCPKG" install sigv4 --triplet "$TRIPLET" "${OVERLAYS[@]}"
consume

echo "== manifest mode (vcpkg.json naming sigv4), sources from the local folder"
mkdir -p "$WORK/manifest"
cp "$SRC/test_package/CMakeLists.txt" "$SRC/test_package/test_package.cpp" "$WORK/manifest/"
printf '{ "dependencies": [ "sigv4" ] }\n' >"$WORK/manifest/vcpkg.json"
SIGV4_SOURCE_DIR="$SRC" cmake -S "$WORK/manifest" -B "$WORK/manifest/build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release "-DCMAKE_TOOLCHAIN_FILE=$VCPKG_ROOT/scripts/buildsystems/vcpkg.cmake" \
  "-DVCPKG_TARGET_TRIPLET=$TRIPLET" \
  "-DVCPKG_OVERLAY_PORTS=$SRC/packaging/vcpkg/ports;$SRC/packaging/vcpkg/test-overlay" >"$WORK/manifest.log"
cmake --build "$WORK/manifest/build" >>"$WORK/manifest.log"
"$WORK/manifest/build/test_package"
echo "vcpkg port: all three modes passed"
