#!/usr/bin/env bash
# The integration tests, start to finish: start the RGW fixture, install what the tests and
# examples need, build them in build-integration (warnings as errors), run every ctest test
# labelled `integration`, and stop the fixture whatever happens. Fails when ctest fails, when
# it found no integration test, or when any of them was skipped or did not run (the checks of
# scripts/run_ctest.sh).
#
#   bash tests/integration/run.sh
#
# Settings (environment): JOBS (parallel build jobs, default 2), SIGV4_INTEGRATION_BUILD (the build
# directory, default build-integration), SIGV4_RGW_* as rgw.sh reads them (SIGV4_RGW_APT_TIMEOUT
# bounds this script's apt-get runs too).
set -euo pipefail

cd "$(dirname "$0")/../.."
JOBS=${JOBS:-2}
BUILD=${SIGV4_INTEGRATION_BUILD:-build-integration}  # scripts/test.sh reuses its build-ci
T0=$EPOCHREALTIME

say() { printf '\n==> [%s s] %s\n' "$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')" "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the missing packages; apt-get update only when the install fails without it. Each
# apt-get run is bounded by APT_TIMEOUT seconds (a stuck mirror or dpkg lock fails, not stalls).
APT_TIMEOUT=${SIGV4_RGW_APT_TIMEOUT:-900}
[[ $APT_TIMEOUT =~ ^[1-9][0-9]*$ ]] ||
  { echo "run.sh: SIGV4_RGW_APT_TIMEOUT must be a whole number of seconds > 0, got '$APT_TIMEOUT'" >&2; exit 2; }
install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && { echo "packages present"; return 0; }
  echo "installing: ${missing[*]}"
  local log=${TMPDIR:-/tmp}/sigv4-integration-apt.log
  if ! as_root timeout --kill-after=10 "$APT_TIMEOUT" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    as_root timeout --kill-after=10 "$APT_TIMEOUT" apt-get update -q >/dev/null ||
      { echo "run.sh: apt-get update failed or timed out after ${APT_TIMEOUT}s" >&2; exit 1; }
    as_root timeout --kill-after=10 "$APT_TIMEOUT" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1 ||
      { tail -n 30 "$log" >&2; echo "run.sh: apt-get install failed" >&2; exit 1; }
  fi
}

# shellcheck disable=SC2317  # (run by the EXIT trap)
stop_server() {
  local rc=$?
  trap - EXIT INT TERM
  say "stopping the RGW fixture"
  bash tests/integration/rgw.sh stop || true
  say "done (exit $rc)"
  exit "$rc"
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting the RGW fixture"
bash tests/integration/rgw.sh start

say "build dependencies"
if command -v dpkg-query >/dev/null 2>&1; then
  install_missing cmake g++ make pkg-config curl libssl-dev libfmt-dev catch2 nlohmann-json3-dev \
    libcurl4-openssl-dev libcpp-httplib-dev
fi

say "configure $BUILD"
mkdir -p "$BUILD"
cmake -S . -B "$BUILD" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSIGV4_WERROR=ON \
  -DSIGV4_BUILD_TESTS=ON -DSIGV4_BUILD_EXAMPLES=ON -DSIGV4_BUILD_CLI=ON \
  -DSIGV4_BUILD_INTEGRATION_TESTS=ON >"$BUILD/configure.log" 2>&1 ||
  { cat "$BUILD/configure.log" >&2; exit 1; }

say "build (integration targets only)"
cmake --build "$BUILD" -j"$JOBS" --target sigv4_integration_tests download_service upload_worker presign_get sigv4_cli

say "ctest -L integration"
. scripts/run_ctest.sh
JOBS=1 run_ctest "$BUILD" -L integration  # the tests share one server: one at a time
