#!/usr/bin/env bash
# Every header of include/sigv4 compiles alone, in its own translation unit, with the strict
# warnings a user's build may turn on (plain -I, not -isystem), as errors, with each compiler
# given and in C++17 and C++20. Below C++17 a header stops with one clear message.
#
#   check_headers.sh <include-dir> <compiler>...
set -euo pipefail

INCLUDE=$1
shift
[ $# -gt 0 ] || { echo "usage: check_headers.sh <include-dir> <compiler>..." >&2; exit 2; }
WARN=(-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mapfile -t HEADERS < <(cd "$INCLUDE" && find sigv4 -name '*.hpp' | sort)
[ ${#HEADERS[@]} -ge 10 ] || { echo "check_headers: only ${#HEADERS[@]} headers under $INCLUDE" >&2; exit 1; }

failures=0
checked=0
for cxx in "$@"; do
  command -v "$cxx" >/dev/null || { echo "check_headers: compiler $cxx not found" >&2; exit 1; }
  for std in 17 20; do
    for h in "${HEADERS[@]}"; do
      tu=$WORK/tu.cpp
      printf '#include <%s>\n#include <%s>\nint main() { return 0; }\n' "$h" "$h" >"$tu"
      if ! out=$("$cxx" -std=c++$std -fsyntax-only -I"$INCLUDE" "${WARN[@]}" "$tu" 2>&1); then
        echo "FAIL: $cxx -std=c++$std: $h"
        printf '%s\n' "$out" | head -n 20
        failures=$((failures + 1))
      fi
      checked=$((checked + 1))
    done
  done
  # Below C++17: one clear message, not hundreds of errors.
  printf '#include <sigv4/sigv4.hpp>\nint main() { return 0; }\n' >"$WORK/old.cpp"
  if out=$("$cxx" -std=c++14 -fsyntax-only -I"$INCLUDE" "$WORK/old.cpp" 2>&1); then
    echo "FAIL: $cxx -std=c++14 compiled the umbrella header"
    failures=$((failures + 1))
  else
    errors=$(printf '%s\n' "$out" | grep -c 'error:' || true)
    if ! printf '%s\n' "$out" | grep -q 'sigv4 needs C++17' || [ "$errors" -gt 2 ]; then
      echo "FAIL: $cxx -std=c++14: expected the C++17 message alone, got $errors error lines:"
      printf '%s\n' "$out" | head -n 10
      failures=$((failures + 1))
    fi
  fi
  checked=$((checked + 1))
done
echo "check_headers: $checked checks, $failures failures"
[ "$failures" -eq 0 ]
