#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang and runs each for a bounded time.
#
#   tests/fuzz/run.sh [-t SECONDS] [-b] [TARGET...]
#
#   -t SECONDS  how long each target fuzzes (default: $FUZZ_TIME or 30)
#   -b          build only
#   TARGET      e.g. verify_url (default: every tests/fuzz/fuzz_*.cpp)
#
# Environment: FUZZ_CXX (default clang++-14, else clang++), FUZZ_BUILD_DIR (default
# build-fuzz, ignored by git), FUZZ_JOBS (targets fuzzed at once, default 1).
# Each target is built with -fsanitize=fuzzer,address,undefined (UB aborts). It first runs
# every input of tests/fuzz/regressions/<target>/ once, then fuzzes from a scratch corpus
# seeded with tests/fuzz/corpus/<target>/ and the dictionary sigv4.dict (the tree's corpus is
# never written). A crash, leak, UB report, timeout (10 s an input) or out-of-memory fails the
# run; the input that did it is in $FUZZ_BUILD_DIR/artifacts/<target>/. Prints, per target,
# executions, cov: and ft: at the end.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TIME=${FUZZ_TIME:-30}
BUILD_ONLY=0
while getopts "t:b" opt; do
  case $opt in
    t) TIME=$OPTARG ;;
    b) BUILD_ONLY=1 ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

CXX=${FUZZ_CXX:-}
if [ -z "$CXX" ]; then
  if command -v clang++-14 >/dev/null; then CXX=clang++-14; else CXX=clang++; fi
fi
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
mkdir -p "$BUILD"

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  for f in "$HERE"/fuzz_*.cpp; do
    n=$(basename "$f" .cpp)
    targets+=("${n#fuzz_}")
  done
fi

FLAGS=(-std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -fno-omit-frame-pointer -Wall -Wextra -Werror -I"$ROOT/include" -I"$ROOT")

build() {  # build <target>: only when a source or header is newer than the binary
  local t=$1 bin=$BUILD/fuzz_$1
  if [ -x "$bin" ] && [ -z "$(find "$HERE" "$ROOT/include" "$ROOT/cli" -newer "$bin" \
                                  \( -name '*.hpp' -o -name "fuzz_$t.cpp" \) -print -quit)" ]; then
    return 0
  fi
  echo "build fuzz_$t"
  "$CXX" "${FLAGS[@]}" "$HERE/fuzz_$t.cpp" -o "$bin.tmp" -lcrypto -lfmt
  mv "$bin.tmp" "$bin"
}

for t in "${targets[@]}"; do
  [ -f "$HERE/fuzz_$t.cpp" ] || { echo "run.sh: no target $t (tests/fuzz/fuzz_$t.cpp)" >&2; exit 2; }
  build "$t"
done
[ "$BUILD_ONLY" -eq 1 ] && exit 0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

fuzz_one() {  # fuzz_one <target>: regressions, then fuzzing; writes $BUILD/log/<target>.log
  local t=$1 bin=$BUILD/fuzz_$1 log=$BUILD/log/$1.log
  local work=$BUILD/corpus/$t art=$BUILD/artifacts/$t/
  mkdir -p "$work" "$art" "$BUILD/log"
  : >"$log"
  if [ -d "$HERE/regressions/$t" ] && [ -n "$(ls -A "$HERE/regressions/$t")" ]; then
    if ! "$bin" -runs=1 "$HERE/regressions/$t"/* >>"$log" 2>&1; then
      echo "FAIL $t: a regression input fails again (see $log)"; return 1
    fi
  fi
  if ! nice "$bin" -max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -dict="$HERE/sigv4.dict" -artifact_prefix="$art" "$work" "$HERE/corpus/$t" >>"$log" 2>&1; then
    echo "FAIL $t: see $log; the input is in $art"
    grep -E 'ERROR|FINDING|runtime error|SUMMARY' "$log" | head -5
    return 1
  fi
  local status execs
  status=$(grep -E '^#[0-9]+.*cov:' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
  execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  printf 'ok   %-16s %ss  execs %-9s %s\n' "$t" "$TIME" "$execs" "$status"
}

JOBS=${FUZZ_JOBS:-1}
failed=0
pids=()
for t in "${targets[@]}"; do
  fuzz_one "$t" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$JOBS" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
exit "$failed"
