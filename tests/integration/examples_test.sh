#!/usr/bin/env bash
# The examples against the RGW fixture (ctest: examples_integration, label integration).
#
#   examples_test.sh DOWNLOAD_SERVICE UPLOAD_WORKER PRESIGN_GET
#
# 1. upload_worker uploads a small file (one presigned PUT) and a ~12 MiB file (multipart, 5 MiB
#    threshold and parts) as the results of two jobs; its summary line and its progress line
#    (rewritten in place, ending at 100% of the file's size) are checked;
# 2. download_service runs on a free loopback port with a public endpoint that is not the
#    internal one (internal http://127.0.0.1:PORT, public http://localhost:PORT: the same RGW
#    under another name); curl checks 401 / 403 / 404, that the 302's Location names the public
#    host, that fetching the Location as it is returns the uploaded bytes (and the same URL
#    through the internal host is refused: the host is signed), that following the 302 (curl -L)
#    returns them too, the CIDR allowlist (a client bound to 127.0.0.2), the audit lines of the
#    links and of the refusals (401 / 403 / 404, never echoing an unknown token or a malformed
#    job id), and IPv6: a service on [::1] with an IPv6 block in its allowlist issues links to
#    ::1 and refuses it (logged) when no block holds it; malformed --allow-cidr values are
#    usage errors;
# 3. presign_get's URL fetches the object it names (uploaded first with upload_worker).
#
# The server comes from SIGV4_RGW_* in the environment, else rgw.sh's env file
# ($SIGV4_RGW_ENV_FILE, else $SIGV4_RGW_DIR/env, else /tmp/sigv4-rgw/env). A server that is not
# running is a failure. SIGV4_RGW_PUBLIC_ENDPOINT overrides the public endpoint (it must reach
# the same server under another host name). Buckets are created with curl --aws-sigv4;
# everything else is done by the examples.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 DOWNLOAD_SERVICE UPLOAD_WORKER PRESIGN_GET" >&2
  exit 2
fi
SERVICE=$1
WORKER=$2
PRESIGN=$3

fail() {
  printf 'examples_test: FAIL: %s\n' "$*" >&2
  exit 1
}
step() { printf '\n--- %s\n' "$*"; }
T0=$EPOCHREALTIME
elapsed() { awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# --- the server ------------------------------------------------------------------------------
if [ -z "${SIGV4_RGW_ENDPOINT:-}" ]; then
  ENV_FILE=${SIGV4_RGW_ENV_FILE:-${SIGV4_RGW_DIR:-/tmp/sigv4-rgw}/env}
  [ -r "$ENV_FILE" ] ||
    fail "the RGW fixture is not running: SIGV4_RGW_ENDPOINT is unset and $ENV_FILE cannot be read; start it with \`bash tests/integration/rgw.sh start\`"
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi
EP=${SIGV4_RGW_ENDPOINT%/}
REGION=${SIGV4_RGW_REGION:-us-east-1}
curl -s -o /dev/null -m 5 "$EP/" ||
  fail "the RGW fixture does not answer at $EP; start it with \`bash tests/integration/rgw.sh start\`"

# authority_of URL: the host[:port] of an http(s) URL.
authority_of() {
  local rest=${1#*://}
  rest=${rest%%\?*}
  printf '%s' "${rest%%/*}"
}

# The public endpoint: the internal one under another name for the same loopback server.
if [ -n "${SIGV4_RGW_PUBLIC_ENDPOINT:-}" ]; then
  PUBLIC_EP=${SIGV4_RGW_PUBLIC_ENDPOINT%/}
else
  case $EP in
    http://127.0.0.1:*) PUBLIC_EP=http://localhost:${EP#http://127.0.0.1:} ;;
    http://localhost:*) PUBLIC_EP=http://127.0.0.1:${EP#http://localhost:} ;;
    *) fail "cannot derive a second name for $EP; set SIGV4_RGW_PUBLIC_ENDPOINT" ;;
  esac
fi
PUBLIC_HOST=$(authority_of "$PUBLIC_EP")
INTERNAL_HOST=$(authority_of "$EP")
[ "$PUBLIC_HOST" != "$INTERNAL_HOST" ] ||
  fail "the public endpoint $PUBLIC_EP has the internal endpoint's host $INTERNAL_HOST"
curl -s -o /dev/null -m 5 "$PUBLIC_EP/" || fail "the RGW fixture does not answer at the public endpoint $PUBLIC_EP"
echo "internal endpoint $EP, public endpoint $PUBLIC_EP"

# The examples take their credentials from the environment (sigv4::default_credentials()).
unset AWS_SESSION_TOKEN AWS_SESSION_TOKEN_FILE AWS_CREDENTIAL_EXPIRATION AWS_PROFILE \
  AWS_ACCESS_KEY_ID_FILE AWS_SECRET_ACCESS_KEY_FILE
export AWS_ACCESS_KEY_ID=$SIGV4_RGW_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SIGV4_RGW_SECRET_KEY

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sigv4-examples.XXXXXX")
SERVICE_PID=
cleanup() {
  if [ -n "$SERVICE_PID" ]; then
    kill "$SERVICE_PID" 2>/dev/null || true
    wait "$SERVICE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

make_bucket() { # the empty body's SHA-256: RGW wants x-amz-content-sha256, curl does not add it
  local code
  code=$(curl -s -o "$WORK/bucket.out" -w '%{http_code}' -m 10 -X PUT \
    -H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
    --aws-sigv4 "aws:amz:$REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$EP/$1")
  case $code in
    200) ;;
    409) grep -q BucketAlreadyOwnedByYou "$WORK/bucket.out" || fail "CreateBucket $1: 409 $(cat "$WORK/bucket.out")" ;;
    *) fail "CreateBucket $1 answered $code: $(cat "$WORK/bucket.out")" ;;
  esac
}

BUCKET=sigv4-ex-$(date +%s)-$$
make_bucket "$BUCKET"

# check_progress ERR_FILE BYTES WHAT [partial]: upload_worker's progress line on a terminal, one line
# rewritten in place ("\rupload: D / T MiB (P%), R MiB/s", D and T in MiB with one decimal):
# every frame has the file's size as its total and the last frame is 100% of it. With
# `partial`, a frame below 100% must have been shown as well (the upload was not only announced
# when done).
check_progress() {
  local err=$1 bytes=$2 what=$3 partial=${4:-} total frames bad last
  total=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
  grep -q $'\rupload: ' "$err" || fail "$what: no progress line ('\\rupload: ...') on stderr"
  frames=$(tr '\r' '\n' <"$err" | grep -E '^upload: ' || true)
  bad=$(printf '%s\n' "$frames" |
    grep -Ev "^upload: [0-9]+\.[0-9] / ${total//./\\.} MiB \( *[0-9]+\.[0-9]%\), [0-9]+\.[0-9] MiB/s *\$" || true)
  [ -z "$bad" ] ||
    fail "$what: progress frames not of the form 'upload: D / $total MiB (P%), R MiB/s': $(head -n 3 <<<"$bad")"
  last=$(printf '%s\n' "$frames" | tail -n 1)
  case $last in
    "upload: $total / $total MiB (100.0%), "*) ;;
    *) fail "$what: the last progress frame is not 100% of $total MiB: '$last'" ;;
  esac
  if [ -n "$partial" ] && ! printf '%s\n' "$frames" | grep -vq '(100\.0%)'; then
    fail "$what: no progress frame below 100% was shown"
  fi
  echo "ok: $what: progress line ends at '$last'"
}

# --- 1. uploads ------------------------------------------------------------------------------
step "upload_worker: small file, single PUT"
head -c 150001 /dev/urandom >"$WORK/small.tif"
"$WORKER" --endpoint "$EP" --region "$REGION" "s3://$BUCKET/jobs/job-101/result.tif" "$WORK/small.tif" \
  2>"$WORK/small.err" || { cat "$WORK/small.err" >&2; fail "upload_worker (single PUT) failed"; }
cat "$WORK/small.err"
grep -q "^upload_worker: s3://$BUCKET/jobs/job-101/result.tif: 150001 bytes by single PUT in " "$WORK/small.err" ||
  fail "the small file was not sent with one PUT (no summary line naming its 150001 bytes)"
# stderr is a file here: plain lines, no '\r'
grep -qx "upload: 150001 bytes sent" "$WORK/small.err" && ! grep -q $'\r' "$WORK/small.err" ||
  fail "upload_worker (single PUT) to a file: no plain 'upload: 150001 bytes sent' line, or a '\\r'"
echo "ok: upload_worker (single PUT) writes plain progress lines to a file"
# on a terminal (script(1) gives it one): the line rewritten in place
script -qec "'$WORKER' --endpoint '$EP' --region '$REGION' 's3://$BUCKET/jobs/job-101/tty.tif' '$WORK/small.tif'" \
  /dev/null >"$WORK/tty.err" 2>&1 </dev/null || { cat "$WORK/tty.err" >&2; fail "upload_worker on a terminal failed"; }
check_progress "$WORK/tty.err" 150001 "upload_worker (single PUT, on a terminal)"

step "upload_worker: ~12 MiB file, multipart (5 MiB threshold and parts)"
head -c $((12 * 1024 * 1024 + 777)) /dev/urandom >"$WORK/big.tif"
"$WORKER" --endpoint "$EP" --region "$REGION" --multipart-threshold 5242880 --part-size 5242880 \
  "s3://$BUCKET/jobs/job-202/result.tif" "$WORK/big.tif" 2>"$WORK/big.err" ||
  { cat "$WORK/big.err" >&2; fail "upload_worker (multipart) failed"; }
tr '\r' '\n' <"$WORK/big.err" | tail -n 2
BIG_BYTES=$((12 * 1024 * 1024 + 777))
grep -q "^upload_worker: s3://$BUCKET/jobs/job-202/result.tif: $BIG_BYTES bytes by multipart upload in " \
  "$WORK/big.err" ||
  fail "the big file was not sent as a multipart upload (no summary line naming its $BIG_BYTES bytes)"
grep -Eq "^upload_worker: multipart upload [^ ]+ started$" "$WORK/big.err" ||
  fail "upload_worker (multipart) did not print its UploadId"
[ "$(grep -E '^upload: ' "$WORK/big.err")" = "$(printf 'upload: part 1/3 done\nupload: part 2/3 done\nupload: part 3/3 done\nupload: %s bytes sent' "$BIG_BYTES")" ] ||
  fail "upload_worker (multipart) to a file: not the lines 'upload: part N/3 done' for N = 1..3 and the total: $(grep '^upload: ' "$WORK/big.err")"
echo "ok: upload_worker (multipart) prints its UploadId and one line per part"

step "upload_worker: SIGTERM during a multipart upload aborts it"
head -c $((100 * 1024 * 1024)) /dev/zero >"$WORK/huge.tif"
"$WORKER" --endpoint "$EP" --region "$REGION" --multipart-threshold 5242880 --part-size 5242880 \
  "s3://$BUCKET/jobs/job-303/result.tif" "$WORK/huge.tif" 2>"$WORK/huge.err" &
pid=$!
for _ in $(seq 1 100); do grep -q '^upload: part 1/20 done' "$WORK/huge.err" && break; sleep 0.05; done
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
rm -f "$WORK/huge.tif"
{ [ "$status" = 1 ] && grep -q '^upload_worker: aborted the multipart upload (HTTP 204)$' "$WORK/huge.err" &&
  ! grep -q '^upload: part 20/20 done' "$WORK/huge.err"; } ||
  fail "upload_worker did not stop and abort on SIGTERM (exit $status): $(tr '\r' '\n' <"$WORK/huge.err" | tail -n 4)"
echo "ok: SIGTERM stopped the upload after $(grep -c '^upload: part' "$WORK/huge.err") parts and RGW confirmed the abort (204)"

step "upload_worker: refuses a missing file and a malformed target"
if "$WORKER" --endpoint "$EP" --region "$REGION" "s3://$BUCKET/x" "$WORK/missing" 2>/dev/null; then
  fail "upload_worker accepted a missing file"
fi
if "$WORKER" --endpoint "$EP" --region "$REGION" "not-a-target" "$WORK/small.tif" 2>/dev/null; then
  fail "upload_worker accepted a malformed target"
fi

# --- 2. download_service ---------------------------------------------------------------------
step "download_service on a free loopback port"
"$SERVICE" --listen 127.0.0.1:0 --bucket "$BUCKET" --public-endpoint "$PUBLIC_EP" --region "$REGION" \
  --grant tok-alice-7f3a=101,202 --grant tok-bob-91c2=303 --allow-cidr 127.0.0.1/32 \
  >"$WORK/service.out" 2>"$WORK/service.err" &
SERVICE_PID=$!
PORT=
for _ in $(seq 1 100); do
  PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$WORK/service.out" 2>/dev/null | head -n 1)
  [ -n "$PORT" ] && break
  kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$WORK/service.err" >&2; fail "download_service exited at start"; }
  sleep 0.1
done
[ -n "$PORT" ] || fail "download_service did not say which port it listens on"
API=http://127.0.0.1:$PORT/api/v1/results
echo "listening on port $PORT"

status() { # status [curl options...] URL: the HTTP status, no redirect followed
  curl -s -o /dev/null -m 10 -w '%{http_code}' "$@"
}
expect() { # expect CODE WHAT [curl options...] URL
  local want=$1 what=$2 got
  shift 2
  got=$(status "$@")
  [ "$got" = "$want" ] || fail "$what: expected $want, got $got"
  echo "ok: $what -> $got"
}

expect 401 "no token" "$API/101/download"
expect 401 "unknown token" -H 'Authorization: Bearer tok-mallory' "$API/101/download"
expect 401 "not a bearer token" -H 'Authorization: Basic dG9rLWFsaWNlLTdmM2E6' "$API/101/download"
expect 403 "token without that job" -H 'Authorization: Bearer tok-bob-91c2' "$API/101/download"
expect 404 "unknown job" -H 'Authorization: Bearer tok-alice-7f3a' "$API/999/download"
expect 404 "malformed job id" -H 'Authorization: Bearer tok-alice-7f3a' "$API/job.101/download"
expect 404 "path traversal in the job id" -H 'Authorization: Bearer tok-alice-7f3a' "$API/..%2F..%2Fsecret/download"
expect 403 "caller outside the allowlist (from 127.0.0.2)" --interface 127.0.0.2 \
  -H 'Authorization: Bearer tok-alice-7f3a' "$API/101/download"

step "the 302 and its Location"
curl -s -o /dev/null -D "$WORK/302.headers" -m 10 -H 'Authorization: Bearer tok-alice-7f3a' "$API/101/download"
head -n 1 "$WORK/302.headers" | grep -q ' 302' || fail "expected a 302: $(head -n 1 "$WORK/302.headers")"
LOCATION=$(sed -n 's/^[Ll]ocation: *//p' "$WORK/302.headers" | tr -d '\r')
LOCATION_HOST=$(authority_of "$LOCATION")
[ "$LOCATION_HOST" = "$PUBLIC_HOST" ] ||
  fail "the Location's host is '$LOCATION_HOST', not the public endpoint's '$PUBLIC_HOST' (internal: $INTERNAL_HOST)"
case $LOCATION in
  "$PUBLIC_EP/$BUCKET/jobs/job-101/result.tif?"*) ;;
  *) fail "the Location does not point at the object through the public endpoint: ${LOCATION%%\?*}" ;;
esac
case $LOCATION in *X-Amz-Expires=900\&*) ;; *) fail "the link does not live 15 minutes" ;; esac
grep -qi '^cache-control: no-store' "$WORK/302.headers" || fail "the 302 may be cached"
echo "ok: 302 to ${LOCATION%%\?*} (public host $PUBLIC_HOST, 15 minutes)"

step "the Location, fetched as it is, returns the uploaded bytes"
# No credentials, no redirect, no globbing or path clean-up: the URL exactly as the 302 gave it.
code=$(curl -s -g --path-as-is -m 30 -o "$WORK/got-location.tif" -w '%{http_code}' "$LOCATION")
[ "$code" = 200 ] || fail "the Location answered $code: $(head -c 300 "$WORK/got-location.tif")"
cmp "$WORK/small.tif" "$WORK/got-location.tif" || fail "the Location returned other bytes than job 101's upload"
echo "ok: the Location returns job 101's $(stat -c %s "$WORK/got-location.tif") bytes"
# The host is signed: the same URL through the internal name must be refused.
INTERNAL_URL=${LOCATION/#"$PUBLIC_EP"/"$EP"}
[ "$INTERNAL_URL" != "$LOCATION" ] || fail "could not rewrite the Location to the internal endpoint"
code=$(curl -s -g --path-as-is -m 30 -o "$WORK/got-internal.out" -w '%{http_code}' "$INTERNAL_URL")
[ "$code" = 403 ] || fail "the Location through the internal host $INTERNAL_HOST answered $code, expected 403"
echo "ok: the same URL through the internal host $INTERNAL_HOST -> 403"

step "following the 302 returns the uploaded bytes"
for job in 101 202; do
  src=$WORK/small.tif
  [ $job = 202 ] && src=$WORK/big.tif
  code=$(curl -s -L -m 60 -o "$WORK/got-$job.tif" -w '%{http_code}' -H 'Authorization: Bearer tok-alice-7f3a' \
    "$API/$job/download")
  [ "$code" = 200 ] || fail "job $job: the followed link answered $code: $(head -c 300 "$WORK/got-$job.tif")"
  cmp "$src" "$WORK/got-$job.tif" || fail "job $job: the downloaded bytes differ from the uploaded ones"
  echo "ok: job $job, $(stat -c %s "$WORK/got-$job.tif") bytes, identical"
done

step "audit lines"
cat "$WORK/service.out"
issued=$(grep -c ' link-issued ' "$WORK/service.out" || true)
[ "$issued" = 3 ] || fail "expected 3 audit lines (one per link), got $issued"
grep -q "object=s3://$BUCKET/jobs/job-202/result.tif expires=" "$WORK/service.out" || fail "no audit line for job 202"
grep -q 'client=127.0.0.1 token=sha256:[0-9a-f]\{12\} ' "$WORK/service.out" || fail "the audit line does not say who"
if grep -Eq 'X-Amz-|tok-alice|tok-bob|tok-mallory|Signature|Credential|dG9r' "$WORK/service.out" "$WORK/service.err"; then
  fail "the service logged a token or a part of a URL's query"
fi
# One line per refusal, as links are logged. The traversal attempt never reaches the handler
# (httplib's route does not match a decoded '/'), so it is not among them.
refused=$(grep -c ' refused ' "$WORK/service.out" || true)
[ "$refused" = 7 ] || fail "expected 7 refusal lines (3 x 401, 2 x 403, 2 x 404), got $refused"
FP='token=sha256:[0-9a-f]\{12\}'
for want in \
  "refused status=401 client=127.0.0.1 token=none job=101 reason=\"missing or unknown bearer token\"" \
  "refused status=403 client=127.0.0.1 $FP job=101 reason=\"this token has no access to that job\"" \
  "refused status=404 client=127.0.0.1 $FP job=999 reason=\"no such job\"" \
  "refused status=404 client=127.0.0.1 $FP job=<malformed> reason=\"no such job\"" \
  "refused status=403 client=127.0.0.2 $FP job=101 reason=\"caller outside the allowed networks\""; do
  grep -q "^[0-9]\{8\}T[0-9]\{6\}Z $want\$" "$WORK/service.out" || fail "no refusal line '$want'"
done
[ "$(grep -c 'refused status=401 client=127.0.0.1 token=none job=101 ' "$WORK/service.out")" = 3 ] ||
  fail "expected the three 401s to be logged with token=none"
grep -q 'job\.101' "$WORK/service.out" && fail "a malformed job id was written to the log"
echo "ok: $refused refusal lines, none with a token or a malformed job id"

kill "$SERVICE_PID"
wait "$SERVICE_PID" 2>/dev/null || true
SERVICE_PID=

step "download_service: IPv6 callers and IPv6 blocks"
# start_service OUT ARGS...: starts the service on a free port; sets SERVICE_PID and PORT.
start_service() {
  local out=$1
  shift
  "$SERVICE" --bucket "$BUCKET" --public-endpoint "$PUBLIC_EP" --region "$REGION" "$@" >"$out" 2>"$out.err" &
  SERVICE_PID=$!
  PORT=
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's|^listening on http://.*:\([0-9][0-9]*\)$|\1|p' "$out" 2>/dev/null | head -n 1)
    [ -n "$PORT" ] && return 0
    kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$out.err" >&2; fail "download_service exited at start"; }
    sleep 0.1
  done
  fail "download_service did not say which port it listens on"
}
stop_service() {
  kill "$SERVICE_PID"
  wait "$SERVICE_PID" 2>/dev/null || true
  SERVICE_PID=
}
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
  start_service "$WORK/v6.out" --listen '[::1]:0' --grant tok-alice-7f3a=101 \
    --allow-cidr 2001:db8::/32 --allow-cidr ::1/128 --allow-cidr 10.0.0.0/8
  grep -q "^listening on http://\[::1\]:$PORT\$" "$WORK/v6.out" || fail "the IPv6 address is not bracketed: $(head -n 1 "$WORK/v6.out")"
  V6=http://[::1]:$PORT/api/v1/results
  code=$(curl -s -g -L -m 30 -o "$WORK/got-v6.tif" -w '%{http_code}' -H 'Authorization: Bearer tok-alice-7f3a' "$V6/101/download")
  [ "$code" = 200 ] || fail "an IPv6 caller inside ::1/128: the followed link answered $code"
  cmp "$WORK/small.tif" "$WORK/got-v6.tif" || fail "the IPv6 caller got other bytes than job 101's upload"
  grep -q ' link-issued client=::1 token=sha256:[0-9a-f]\{12\} object=s3://'"$BUCKET"'/jobs/job-101/result.tif ' "$WORK/v6.out" ||
    fail "no audit line for the IPv6 caller: $(cat "$WORK/v6.out")"
  echo "ok: an IPv6 caller inside ::1/128 gets job 101"
  stop_service

  start_service "$WORK/v6-out.out" --listen '[::1]:0' --grant tok-alice-7f3a=101 \
    --allow-cidr 2001:db8::/32 --allow-cidr 127.0.0.1/32
  V6=http://[::1]:$PORT/api/v1/results
  expect 403 "an IPv6 caller outside every block" -g -H 'Authorization: Bearer tok-alice-7f3a' "$V6/101/download"
  grep -q "^[0-9]\{8\}T[0-9]\{6\}Z refused status=403 client=::1 $FP job=101 reason=\"caller outside the allowed networks\"\$" \
    "$WORK/v6-out.out" || fail "the IPv6 refusal was not logged: $(cat "$WORK/v6-out.out")"
  echo "ok: the IPv6 refusal is logged"
  stop_service
else
  echo "SKIP: no IPv6 loopback (::1) on this machine; the IPv6 checks did not run"
fi

for bad in 2001:db8::1/32 10.0.0.0/33 10.0.0.1/8 2001:db8::/129 10.0.0.0/08 fe80::1%lo/64; do
  code=0
  timeout 10 "$SERVICE" --listen 127.0.0.1:0 --bucket "$BUCKET" --public-endpoint "$PUBLIC_EP" --region "$REGION" \
    --allow-cidr "$bad" >/dev/null 2>"$WORK/bad-cidr.err" || code=$?
  [ "$code" = 2 ] || fail "--allow-cidr $bad: exit $code, not a usage error (2)"
  grep -q -- "--allow-cidr" "$WORK/bad-cidr.err" || fail "--allow-cidr $bad: the message does not name the option"
done
echo "ok: malformed --allow-cidr values are refused"

# --- 3. presign_get --------------------------------------------------------------------------
step "presign_get"
make_bucket geocrop-results
head -c 4242 /dev/urandom >"$WORK/job-123.tif"
"$WORKER" --endpoint "$EP" --region "$REGION" s3://geocrop-results/jobs/job-123/result.tif "$WORK/job-123.tif" \
  2>"$WORK/job-123.err" || { cat "$WORK/job-123.err" >&2; fail "upload_worker (job-123) failed"; }
URL=$("$PRESIGN" "$EP" "$REGION") || fail "presign_get failed"
case $URL in "$EP/geocrop-results/jobs/job-123/result.tif?"*X-Amz-Expires=900*) ;; *) fail "presign_get printed ${URL%%\?*}" ;; esac
code=$(curl -s -m 10 -o "$WORK/got-123.tif" -w '%{http_code}' "$URL")
[ "$code" = 200 ] || fail "presign_get's URL answered $code"
cmp "$WORK/job-123.tif" "$WORK/got-123.tif" || fail "presign_get's URL returned other bytes"
echo "ok: presign_get's URL returns the object"

printf '\nexamples_test: all passed in %s s\n' "$(elapsed)"
