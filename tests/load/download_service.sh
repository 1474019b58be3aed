#!/usr/bin/env bash
# The download service example under load: wrk on loopback for a bounded time with a mix of
# valid, tampered, expired (revoked) and malformed requests (download_service.lua), every
# answer checked against the one status it must get (302 with a presigned Location, or the
# 4xx of its kind). Prints requests/second, latency percentiles, the counts per kind, socket
# errors, and the service's RSS before and after. Fails on any wrong answer, socket error, or
# RSS growth above 8 MiB.
#
#   tests/load/download_service.sh [-d SECONDS] [-t THREADS] [-b BUILD_DIR]
#
# -d  duration (default 10); -t  wrk threads = connections (default 2);
# -b  the build dir holding examples/download_service (default build-ci).
# Needs wrk (Debian package wrk).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=10
THREADS=2
BUILD=$ROOT/build-ci
while getopts "d:t:b:" opt; do
  case $opt in
    d) DURATION=$OPTARG ;;
    t) THREADS=$OPTARG ;;
    b) BUILD=$(cd "$OPTARG" && pwd) ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
done
BIN=$BUILD/examples/download_service
[ -x "$BIN" ] || { echo "download_service.sh: $BIN not built" >&2; exit 2; }
command -v wrk >/dev/null || { echo "download_service.sh: wrk not found (apt-get install wrk)" >&2; exit 2; }

WORK=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The example's credentials (AWS's documentation key); the service never contacts S3.
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \
  "$BIN" --listen 127.0.0.1:0 --bucket geocrop-results --public-endpoint https://files.example \
  --region us-east-1 --grant tok-alice-0123456789=123,124 --grant tok-bob-9876543210=200 --job 300 \
  >"$WORK/audit.log" 2>"$WORK/stderr.log" &
PID=$!
for _ in $(seq 100); do
  grep -q '^listening on' "$WORK/audit.log" 2>/dev/null && break
  sleep 0.05
done
URL=$(sed -n 's/^listening on //p' "$WORK/audit.log" | head -1)
[ -n "$URL" ] || { echo "the service did not start:"; cat "$WORK/stderr.log"; exit 1; }

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"; }
# A first second of load warms the allocator and the presigner's key cache; RSS is taken after it.
wrk -t1 -c1 -d1s -s "$HERE/download_service.lua" "$URL" >"$WORK/warmup.txt" || { cat "$WORK/warmup.txt"; exit 1; }
RSS_START=$(rss_kib)
echo "service $URL (pid $PID), RSS after warm-up ${RSS_START} KiB; wrk -t$THREADS -c$THREADS -d${DURATION}s"
status=0
wrk -t"$THREADS" -c"$THREADS" -d"${DURATION}s" --latency -s "$HERE/download_service.lua" "$URL" || status=$?
RSS_END=$(rss_kib)
GROWTH=$((RSS_END - RSS_START))
echo "RSS start ${RSS_START} KiB, end ${RSS_END} KiB (growth ${GROWTH} KiB); audit lines $(wc -l <"$WORK/audit.log")"
if [ "$status" -ne 0 ]; then echo "wrong answers or socket errors"; exit 1; fi
if [ "$GROWTH" -gt 8192 ]; then echo "RSS grew by more than 8 MiB"; exit 1; fi
echo "load test passed"
