#!/usr/bin/env bash
# The upload page of examples/download_service, clicked through by a real browser against the
# RGW fixture (ctest: browser_integration, label integration).
#
#   browser_test.sh DOWNLOAD_SERVICE SIGV4_CLI
#
# 1. installs what the test needs when it is missing: Debian's chromium (apt-get, bounded by
#    SIGV4_RGW_APT_TIMEOUT like the other installs of the integration run) and playwright-core
#    (npm ci from package-lock.json, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1: no browser is ever
#    downloaded; the test drives /usr/bin/chromium). Node.js >= 20 must be there already.
#    Anything that cannot be installed is a failure, never a skip;
# 2. creates a bucket (curl --aws-sigv4) and starts download_service on a free loopback port with
#    --service-url, --upload-max-bytes 65536 and two grants;
#    and writes the upload page of `SIGV4_CLI presign-post --format html` for the same bucket;
# 3. runs upload.test.mjs with node's test runner (see that file for what is checked).
#
# The server comes from SIGV4_RGW_* in the environment, else rgw.sh's env file
# ($SIGV4_RGW_ENV_FILE, else $SIGV4_RGW_DIR/env, else /tmp/sigv4-rgw/env). The whole run is
# bounded by SIGV4_BROWSER_TIMEOUT seconds (default 240) for the test itself.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 DOWNLOAD_SERVICE SIGV4_CLI" >&2
  exit 2
fi
SERVICE=$1
SIGV4=$2
HERE=$(cd "$(dirname "$0")" && pwd)
APT_TIMEOUT=${SIGV4_RGW_APT_TIMEOUT:-900}
TEST_TIMEOUT=${SIGV4_BROWSER_TIMEOUT:-240}
CHROMIUM=/usr/bin/chromium
T0=$EPOCHREALTIME

fail() {
  printf 'browser_test: FAIL: %s\n' "$*" >&2
  exit 1
}
say() { printf 'browser_test: [%s s] %s\n' "$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')" "$*"; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- 1. what the test needs --------------------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
  say "installing chromium (apt)"
  log=${TMPDIR:-/tmp}/sigv4-browser-apt.log
  if ! as_root timeout --kill-after=10 "$APT_TIMEOUT" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends chromium >"$log" 2>&1; then
    as_root timeout --kill-after=10 "$APT_TIMEOUT" apt-get update -q >/dev/null ||
      fail "apt-get update failed or timed out after ${APT_TIMEOUT}s"
    as_root timeout --kill-after=10 "$APT_TIMEOUT" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends chromium >"$log" 2>&1 ||
      { tail -n 20 "$log" >&2; fail "apt-get install chromium failed"; }
  fi
fi
[ -x "$CHROMIUM" ] || fail "$CHROMIUM is missing after installing chromium"
say "$("$CHROMIUM" --version 2>/dev/null || echo "chromium (version unknown)")"

command -v node >/dev/null || fail "node is missing (Node.js >= 20 is needed for playwright-core)"
command -v npm >/dev/null || fail "npm is missing"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  fail "node $(node --version) is too old: playwright-core needs Node.js >= 20"

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
want=$(node -p 'require(process.argv[1]).packages["node_modules/playwright-core"].version' "$HERE/package-lock.json")
have=$(node -p 'try { require(process.argv[1]).version } catch (e) { "" }' "$HERE/node_modules/playwright-core/package.json")
if [ "$have" != "$want" ]; then
  say "npm ci (playwright-core $want)"
  (cd "$HERE" && timeout --kill-after=10 300 npm ci --no-audit --no-fund --loglevel=error) ||
    fail "npm ci failed in $HERE"
fi

# --- 2. the server, a bucket, the service --------------------------------------------------------
if [ -z "${SIGV4_RGW_ENDPOINT:-}" ]; then
  ENV_FILE=${SIGV4_RGW_ENV_FILE:-${SIGV4_RGW_DIR:-/tmp/sigv4-rgw}/env}
  [ -r "$ENV_FILE" ] ||
    fail "the RGW fixture is not running: SIGV4_RGW_ENDPOINT is unset and $ENV_FILE cannot be read; start it with \`bash tests/integration/rgw.sh start\`"
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi
export SIGV4_RGW_ENDPOINT=${SIGV4_RGW_ENDPOINT%/} SIGV4_RGW_REGION=${SIGV4_RGW_REGION:-us-east-1}
export SIGV4_RGW_ACCESS_KEY SIGV4_RGW_SECRET_KEY
EP=$SIGV4_RGW_ENDPOINT
curl -s -o /dev/null -m 5 "$EP/" ||
  fail "the RGW fixture does not answer at $EP; start it with \`bash tests/integration/rgw.sh start\`"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sigv4-browser.XXXXXX")
SERVICE_PID=
cleanup() {
  if [ -n "$SERVICE_PID" ]; then
    kill "$SERVICE_PID" 2>/dev/null || true
    wait "$SERVICE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

BUCKET=sigv4-browser-$(date +%s)-$$
code=$(curl -s -o "$WORK/bucket.out" -w '%{http_code}' -m 10 -X PUT \
  -H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
  --aws-sigv4 "aws:amz:$SIGV4_RGW_REGION:s3" --user "$SIGV4_RGW_ACCESS_KEY:$SIGV4_RGW_SECRET_KEY" "$EP/$BUCKET")
[ "$code" = 200 ] || fail "CreateBucket $BUCKET answered $code: $(cat "$WORK/bucket.out")"

# The service must know its own URL before it starts (the forms' success_action_redirect), so the
# port is picked here: a free one from the kernel, retried if another process takes it first.
TOKEN=tok-browser-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
MAX_BYTES=65536
# "${WITH_CREDENTIALS[@]}" COMMAND...: COMMAND with the fixture's credentials and no other AWS
# settings. (A simple command, not a function: in the background, $! is then the program itself.)
WITH_CREDENTIALS=(env -u AWS_SESSION_TOKEN -u AWS_SESSION_TOKEN_FILE -u AWS_CREDENTIAL_EXPIRATION -u AWS_PROFILE
  -u AWS_ACCESS_KEY_ID_FILE -u AWS_SECRET_ACCESS_KEY_FILE
  "AWS_ACCESS_KEY_ID=$SIGV4_RGW_ACCESS_KEY" "AWS_SECRET_ACCESS_KEY=$SIGV4_RGW_SECRET_KEY")
PORT=
for attempt in 1 2 3; do
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${WITH_CREDENTIALS[@]}" "$SERVICE" --listen "127.0.0.1:$port" --bucket "$BUCKET" --public-endpoint "$EP" \
    --region "$SIGV4_RGW_REGION" --service-url "http://127.0.0.1:$port" --upload-max-bytes "$MAX_BYTES" \
    --grant "$TOKEN=101" --grant tok-other-5e1d=303 >"$WORK/service.out" 2>"$WORK/service.err" &
  SERVICE_PID=$!
  for _ in $(seq 1 100); do
    grep -q "^listening on http://127\.0\.0\.1:$port\$" "$WORK/service.out" 2>/dev/null && { PORT=$port; break; }
    kill -0 "$SERVICE_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$PORT" ] && break
  kill "$SERVICE_PID" 2>/dev/null || true
  wait "$SERVICE_PID" 2>/dev/null || true
  SERVICE_PID=
  grep -q 'cannot listen' "$WORK/service.err" || { cat "$WORK/service.err" >&2; fail "download_service did not start"; }
  echo "browser_test: attempt $attempt: port $port was taken" >&2
done
[ -n "$PORT" ] || { cat "$WORK/service.err" >&2; fail "download_service did not start listening"; }
curl -s -o /dev/null -m 5 "http://127.0.0.1:$PORT/upload" || fail "the upload page does not answer"
say "download_service on port $PORT, bucket $BUCKET"

# The CLI's own upload page: a key prefix with ${filename}, a Content-Type the user types in
# (it must start with image/), at most MAX_BYTES, success_action_status 201.
"${WITH_CREDENTIALS[@]}" "$SIGV4" presign-post --endpoint "$EP" --region "$SIGV4_RGW_REGION" --expires 600 --format html --key-prefix \
  --content-type-prefix image/ --max-size "$MAX_BYTES" --success-status 201 "s3://$BUCKET/cli-html/" \
  >"$WORK/form.html" || fail "sigv4 presign-post --format html failed"

# --- 3. the browser --------------------------------------------------------------------------
export BROWSER_TEST_SERVICE_URL=http://127.0.0.1:$PORT BROWSER_TEST_BUCKET=$BUCKET BROWSER_TEST_TOKEN=$TOKEN \
  BROWSER_TEST_MAX_BYTES=$MAX_BYTES BROWSER_TEST_CHROMIUM=$CHROMIUM BROWSER_TEST_HTML_FORM=$WORK/form.html
rc=0
(cd "$HERE" && timeout --kill-after=10 "$TEST_TIMEOUT" node --test --test-timeout=60000 upload.test.mjs) || rc=$?
[ "$rc" -eq 124 ] && echo "browser_test: the test timed out after ${TEST_TIMEOUT}s" >&2

say "service audit lines:"
cat "$WORK/service.out"
if [ "$rc" -eq 0 ]; then
  issued=$(grep -c ' form-issued ' "$WORK/service.out" || true)
  [ "$issued" = 2 ] || fail "expected 2 form-issued audit lines (two forms given out), got $issued"
  if grep -q -e "$TOKEN" -e 'X-Amz-' -e 'x-amz-signature' "$WORK/service.out" "$WORK/service.err"; then
    fail "the service logged the token or a part of a form"
  fi
fi
say "done (exit $rc)"
exit "$rc"
