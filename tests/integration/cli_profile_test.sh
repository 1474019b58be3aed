#!/usr/bin/env bash
# `sigv4 presign --profile` against the RGW fixture (ctest: cli_profile_integration, label
# integration): a profile of an AWS config file that points at the RGW endpoint (endpoint_url,
# and the services section's `s3 = endpoint_url` form) makes URLs that the real server accepts,
# with no --endpoint, no --region and no credentials in the environment.
#
#   cli_profile_test.sh SIGV4_CLI
#
# 1. A bucket is created with a URL of `sigv4 sign --presign` (credentials from the environment,
#    as in sign_query_test.sh); everything after uses the profile only.
# 2. `sigv4 presign --profile rgw -X PUT` uploads a file with curl -T; `AWS_PROFILE=rgw-services
#    sigv4 presign --output json` reads it back, byte for byte; the URL's host is RGW's.
# 3. A credential_process profile (a script printing the JSON answer) downloads it too.
# 4. Control, so that the test can fail: the same URL with another profile's secret is refused.
#
# The server comes from SIGV4_RGW_* in the environment, else rgw.sh's env file
# ($SIGV4_RGW_ENV_FILE, else $SIGV4_RGW_DIR/env, else /tmp/sigv4-rgw/env).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 SIGV4_CLI" >&2
  exit 2
fi
CLI=$1
FAILS=0
PASSES=0
fail_now() {
  printf 'cli_profile_test: FAIL: %s\n' "$*" >&2
  exit 1
}
check() { # check WHAT CONDITION-STATUS DETAIL
  if [ "$2" = 0 ]; then
    PASSES=$((PASSES + 1))
    echo "ok   $1"
  else
    FAILS=$((FAILS + 1))
    printf 'FAIL %s\n     %s\n' "$1" "$3"
  fi
}

if [ -z "${SIGV4_RGW_ENDPOINT:-}" ]; then
  ENV_FILE=${SIGV4_RGW_ENV_FILE:-${SIGV4_RGW_DIR:-/tmp/sigv4-rgw}/env}
  [ -r "$ENV_FILE" ] ||
    fail_now "the RGW fixture is not running: SIGV4_RGW_ENDPOINT is unset and $ENV_FILE cannot be read; start it with \`bash tests/integration/rgw.sh start\`"
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi
EP=${SIGV4_RGW_ENDPOINT%/}
REGION=${SIGV4_RGW_REGION:-us-east-1}
curl -s -o /dev/null -m 5 "$EP/" || fail_now "the RGW fixture does not answer at $EP"
HOST=${EP#*://}
HOST=${HOST%%/*}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sigv4-profile.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
unset AWS_SESSION_TOKEN AWS_SESSION_TOKEN_FILE AWS_PROFILE AWS_ACCESS_KEY_ID_FILE AWS_SECRET_ACCESS_KEY_FILE \
  MINIO_ROOT_USER MINIO_ROOT_PASSWORD MINIO_ACCESS_KEY MINIO_SECRET_KEY AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 \
  AWS_REGION AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# --- 1. the bucket -----------------------------------------------------------------------------
BUCKET=sigv4-profile-$(date +%s)-$$
out=$(printf 'PUT /%s HTTP/1.1\nHost: %s\n\n' "$BUCKET" "$HOST" |
  AWS_ACCESS_KEY_ID=$SIGV4_RGW_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SIGV4_RGW_SECRET_KEY \
    "$CLI" sign --service s3 --region "$REGION" --presign) || fail_now "sigv4 sign refused the CreateBucket request"
line=${out%%$'\n'*}
target=${line#* }
target=${target% HTTP/1.1}
code=$(curl -s -o "$WORK/bucket.out" -w '%{http_code}' -m 20 -X PUT "$EP$target")
[ "$code" = 200 ] || fail_now "CreateBucket answered $code: $(head -c 300 "$WORK/bucket.out")"

# --- the config files: nothing in the environment but their paths ------------------------------
PROCESS=$WORK/credential-process.sh
cat >"$PROCESS" <<EOF
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}\n' '$SIGV4_RGW_ACCESS_KEY' '$SIGV4_RGW_SECRET_KEY'
EOF
chmod +x "$PROCESS"
cat >"$WORK/config" <<EOF
[profile rgw]
region = $REGION
endpoint_url = $EP
s3 =
  addressing_style = path

[profile rgw-services]
region = $REGION
services = local

[services local]
s3 =
  endpoint_url = $EP

[profile rgw-process]
region = $REGION
endpoint_url = $EP
credential_process = $PROCESS

[profile wrong]
region = $REGION
endpoint_url = $EP
EOF
cat >"$WORK/credentials" <<EOF
[rgw]
aws_access_key_id = $SIGV4_RGW_ACCESS_KEY
aws_secret_access_key = $SIGV4_RGW_SECRET_KEY

[rgw-services]
aws_access_key_id = $SIGV4_RGW_ACCESS_KEY
aws_secret_access_key = $SIGV4_RGW_SECRET_KEY

[wrong]
aws_access_key_id = $SIGV4_RGW_ACCESS_KEY
aws_secret_access_key = not-the-secret
EOF
export AWS_CONFIG_FILE=$WORK/config AWS_SHARED_CREDENTIALS_FILE=$WORK/credentials HOME=$WORK

# --- 2. upload and download through profiles ---------------------------------------------------
head -c 300000 /dev/urandom >"$WORK/payload"
put=$("$CLI" presign --profile rgw -X PUT --expires-in 10m "s3://$BUCKET/dir/payload.bin") ||
  fail_now "presign --profile rgw -X PUT failed"
case $put in "$EP/$BUCKET/dir/payload.bin?"*) r=0 ;; *) r=1 ;; esac
check "--profile rgw: the URL is for RGW's endpoint, path style" $r "$put"
code=$(curl -s -o "$WORK/put.out" -w '%{http_code}' -m 30 -T "$WORK/payload" "$put")
check "--profile rgw: RGW accepts the PUT" "$([ "$code" = 200 ] && echo 0 || echo 1)" "$code $(head -c 300 "$WORK/put.out")"

json=$(AWS_PROFILE=rgw-services "$CLI" presign --output json "s3://$BUCKET/dir/payload.bin") ||
  fail_now "AWS_PROFILE=rgw-services presign failed"
get=$(printf '%s' "$json" | "${SIGV4_PYTHON:-python3}" -c 'import json,sys; print(json.load(sys.stdin)["url"])')
case $get in "$EP/"*) r=0 ;; *) r=1 ;; esac
check "AWS_PROFILE=rgw-services (services section): the URL is for RGW's endpoint" $r "$get"
code=$(curl -s -o "$WORK/got" -w '%{http_code}' -m 30 "$get")
check "AWS_PROFILE=rgw-services: RGW serves the object" "$([ "$code" = 200 ] && echo 0 || echo 1)" "$code"
cmp -s "$WORK/payload" "$WORK/got"
check "the object read back equals the file uploaded" $? "cmp differs"

# --- 3. credential_process ----------------------------------------------------------------------
get=$("$CLI" presign --profile rgw-process "s3://$BUCKET/dir/payload.bin") || fail_now "presign --profile rgw-process failed"
code=$(curl -s -o "$WORK/got2" -w '%{http_code}' -m 30 "$get")
check "--profile rgw-process (credential_process): RGW serves the object" \
  "$([ "$code" = 200 ] && cmp -s "$WORK/payload" "$WORK/got2" && echo 0 || echo 1)" "$code"

# --- 4. control ----------------------------------------------------------------------------------
bad=$("$CLI" presign --profile wrong "s3://$BUCKET/dir/payload.bin") || fail_now "presign --profile wrong failed"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 30 "$bad")
check "control: a profile with the wrong secret is refused (403)" "$([ "$code" = 403 ] && echo 0 || echo 1)" "$code"

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
