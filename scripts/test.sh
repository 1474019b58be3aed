#!/usr/bin/env bash
# The whole sigv4 test suite: a warnings-as-errors RelWithDebInfo build with
# every ctest test (unit, AWS suite, CLI suite, packaging), the download service under wrk,
# then an ASan+UBSan build, a ThreadSanitizer build of the threaded tests, every fuzz target
# for 30 s, then a short benchmark run. Any skipped test is a failure.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=${JOBS:-2}

# Each stage is announced with the time since the start and how long the previous stage took.
T0=$EPOCHREALTIME
T_STAGE=$T0
STAGE=""
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
log() {
  if [ -n "$STAGE" ]; then printf '==> stage "%s" took %s s\n' "$STAGE" "$(elapsed "$T_STAGE")"; fi
  STAGE=$*
  T_STAGE=$EPOCHREALTIME
  printf '\n==> [%s s] %s\n' "$(elapsed "$T0")" "$*"
}

log "dependencies"
bash scripts/deps.sh

# The CLI suite needs botocore. Prefer the python3 on PATH (pyenv/venv);
# fall back to Debian's python3-botocore with /usr/bin/python3.
PYTHON=$(command -v python3 || true)
if [ -z "$PYTHON" ] || ! "$PYTHON" -c 'import botocore' >/dev/null 2>&1; then
  log "botocore not importable from ${PYTHON:-python3}; using python3-botocore"
  bash scripts/deps.sh python3-botocore
  PYTHON=/usr/bin/python3
  "$PYTHON" -c 'import botocore'
fi
echo "python: $PYTHON"

EXTRA_ARGS=()
if [ -n "${SIGV4_AWS_TEST_SUITE_DIR:-}" ]; then
  EXTRA_ARGS+=("-DSIGV4_AWS_TEST_SUITE_DIR=$SIGV4_AWS_TEST_SUITE_DIR")
fi

# run_ctest: fails on failures, skips, and on a run with no tests.
. scripts/run_ctest.sh

log "configure build-ci (RelWithDebInfo, -Werror)"
cmake -S . -B build-ci \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSIGV4_WERROR=ON \
  -DSIGV4_SANITIZE=OFF \
  -DSIGV4_BUILD_TESTS=ON -DSIGV4_BUILD_EXAMPLES=ON -DSIGV4_BUILD_CLI=ON -DSIGV4_BUILD_BENCHMARKS=ON \
  -DSIGV4_DOCS_WERROR=ON \
  -DSIGV4_BUILD_INTEGRATION_TESTS=OFF \
  "-DSIGV4_PYTHON=$PYTHON" \
  "${EXTRA_ARGS[@]}"
log "API reference (Doxygen, every warning an error)"
# Every public function, type, enumerator and parameter documented; the stage's time is printed
# by the next log line. On failure, Doxygen's warnings are in build-ci/docs/warnings.log.
if ! cmake --build build-ci --target docs; then
  cat build-ci/docs/warnings.log >&2 || true
  exit 1
fi
log "build build-ci"
cmake --build build-ci -j"$JOBS"
log "test build-ci"
run_ctest build-ci

log "load: the download service under wrk for 10 s (tests/load/download_service.sh)"
bash scripts/deps.sh wrk
bash tests/load/download_service.sh -d 10 -b build-ci

log "integration: a real Ceph RADOS Gateway on 127.0.0.1 (started and stopped by run.sh)"
SIGV4_INTEGRATION_BUILD=build-ci bash tests/integration/run.sh

log "configure build-asan (Debug, ASan+UBSan, -Werror)"
cmake -S . -B build-asan \
  -DCMAKE_BUILD_TYPE=Debug \
  -DSIGV4_WERROR=ON \
  -DSIGV4_SANITIZE=ON \
  -DSIGV4_BUILD_TESTS=ON -DSIGV4_BUILD_EXAMPLES=ON -DSIGV4_BUILD_CLI=ON -DSIGV4_BUILD_BENCHMARKS=OFF \
  "-DSIGV4_PYTHON=$PYTHON" \
  "${EXTRA_ARGS[@]}"
log "build build-asan"
cmake --build build-asan -j"$JOBS"
log "test build-asan"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run_ctest build-asan -LE 'package|hygiene'
unset ASAN_OPTIONS UBSAN_OPTIONS

# clang: g++ 12 refuses std::atomic_thread_fence under -fsanitize=thread (-Werror=tsan), and
# detail/openssl.hpp's sequence lock uses fences. The fuzz stage installs clang-14 too.
log "configure build-tsan (clang, RelWithDebInfo, ThreadSanitizer)"
bash scripts/deps.sh clang-14 libclang-rt-14-dev
cmake -S . -B build-tsan \
  -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSIGV4_WERROR=ON \
  -DSIGV4_SANITIZE=thread \
  -DSIGV4_BUILD_TESTS=ON -DSIGV4_BUILD_EXAMPLES=OFF -DSIGV4_BUILD_BENCHMARKS=OFF \
  "-DSIGV4_PYTHON=$PYTHON" \
  "${EXTRA_ARGS[@]}"
log "build build-tsan (the threaded tests' sources only)"
cmake --build build-tsan -j"$JOBS" --target sigv4_thread_tests
log "test build-tsan: the tests that share a presigner or a verifier between threads ([threads])"
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
  ./build-tsan/tests/sigv4_thread_tests "[threads]"

log "fuzz: every tests/fuzz target for 30 s, two at a time (clang, libFuzzer, ASan+UBSan)"
bash scripts/deps.sh clang-14 libclang-rt-14-dev libfuzzer-14-dev
FUZZ_JOBS=2 bash tests/fuzz/run.sh -t 30

if [ -x build-ci/bench/sigv4_bench ]; then
  log "benchmark (short run)"
  # Google Benchmark 1.7 takes min_time as a plain number of seconds.
  ./build-ci/bench/sigv4_bench --benchmark_min_time=0.01
fi

log "all sigv4 checks passed ($ROOT) in $(elapsed "$T0") s"
