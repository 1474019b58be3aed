#!/usr/bin/env bash
# Sourced by scripts/test.sh and tests/integration/run.sh:
#   run_ctest <build-dir> [ctest args...]
# runs ctest and fails on a failing test, on any skipped or not-run test, and when no test
# ran at all (ctest exits 0 when a label matches nothing, and a skip does not fail it).
run_ctest() {
  local dir=$1; shift
  local out="$dir/ctest-output$(printf '%s' "$*" | tr -c 'A-Za-z0-9' '-').log"
  local rc=0
  (cd "$dir" && ctest --output-on-failure -j"${JOBS:-2}" "$@") 2>&1 | tee "$out" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "run_ctest: ctest failed in $dir (exit $rc)" >&2
    return "$rc"
  fi
  if grep -Eq 'No tests were found' "$out"; then
    echo "run_ctest: ctest found no tests in $dir" >&2
    return 1
  fi
  if ! grep -Eq 'tests passed, 0 tests failed out of [1-9]' "$out"; then
    echo "run_ctest: could not confirm a clean ctest run in $dir" >&2
    return 1
  fi
  if grep -Eq '\*\*\*Skipped|Not Run|did not run' "$out"; then
    echo "run_ctest: some tests were skipped or did not run in $dir:" >&2
    grep -E '\*\*\*Skipped|Not Run|did not run' "$out" >&2 || true
    return 1
  fi
}
