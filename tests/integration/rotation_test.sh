#!/usr/bin/env bash
# Credential rotation of download_service against the RGW fixture (ctest: rotation_integration,
# label integration).
#
#   rotation_test.sh DOWNLOAD_SERVICE
#
# 1. Two more access keys, B and C, are added to the test user (radosgw-admin key create).
# 2. download_service runs with --credentials-dir: a secret volume laid out as the kubelet lays
#    it out (files in a timestamped folder, `..data` a symlink to it, each key a symlink into
#    `..data`), holding key B. A background client asks for links and fetches each, all along.
# 3. The volume is updated the kubelet's way to key C (a new folder, `..data_tmp` renamed over
#    `..data`): the service logs credentials-rotated and its links name C; a link of B and a link
#    of C both fetch the object (the overlap: both keys exist on the server).
# 4. An update with an empty secret file (a half-written secret) is logged once as a problem and
#    the service keeps signing with C.
# 5. Key B is removed (radosgw-admin key rm): B's link, unexpired, is refused (403) from then on;
#    C's links keep working. No fetch of the background client failed while both keys existed.
# 6. With --sts-endpoint (GetSessionToken, 900 s credentials, --refresh-before 880): the links
#    carry a session token, and after the first refresh (20 s) their key id changes; links of
#    both temporary keys fetch the object.
# 7. With --sts-role-arn too (AssumeRole): a role is made through the IAM API (CreateRole, its
#    trust policy naming the test user), allowed s3:GetObject on the bucket (PutRolePolicy). The
#    service starts before that policy is put: its first link is refused (403), so the links are
#    signed as the role, not as the user; with the policy, the links carry a session token and
#    fetch the object, and after the first refresh (20 s) the key id changes and links of both
#    temporary keys fetch the object. The role is deleted at the end, and on exit.
#
# Ceph 16's radosgw-admin key create / key rm drop the user's IAM inline policies (the
# sts:GetSessionToken policy rgw.sh puts; ListUserPolicies answers NoSuchEntity afterwards), so
# the test puts that policy back after each, and on exit, as rgw.sh puts it.
#
# The server comes from rgw.sh's env file ($SIGV4_RGW_ENV_FILE, else $SIGV4_RGW_DIR/env, else
# /tmp/sigv4-rgw/env); radosgw-admin uses the ceph.conf beside it.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DOWNLOAD_SERVICE" >&2
  exit 2
fi
SERVICE=$1

fail() {
  printf 'rotation_test: FAIL: %s\n' "$*" >&2
  exit 1
}
step() { printf '\n--- %s\n' "$*"; }

ENV_FILE=${SIGV4_RGW_ENV_FILE:-${SIGV4_RGW_DIR:-/tmp/sigv4-rgw}/env}
[ -r "$ENV_FILE" ] ||
  fail "the RGW fixture is not running: $ENV_FILE cannot be read; start it with \`bash tests/integration/rgw.sh start\`"
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
CONF=$(dirname "$ENV_FILE")/ceph.conf
[ -r "$CONF" ] || fail "no ceph.conf beside $ENV_FILE (radosgw-admin needs it)"
EP=${SIGV4_RGW_ENDPOINT%/}
REGION=${SIGV4_RGW_REGION:-us-east-1}
curl -s -o /dev/null -m 5 "$EP/" || fail "the RGW fixture does not answer at $EP"
admin() { timeout 60 radosgw-admin -c "$CONF" "$@"; }
USER_ID=$(admin user info --access-key="$SIGV4_RGW_ACCESS_KEY" | python3 -c 'import json,sys; print(json.load(sys.stdin)["user_id"])')

unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ACCESS_KEY_ID_FILE AWS_SECRET_ACCESS_KEY_FILE
export AWS_ACCESS_KEY_ID=$SIGV4_RGW_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SIGV4_RGW_SECRET_KEY

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sigv4-rotation.XXXXXX")
TAG=$(date +%s)$$
KEY_B=SIGV4ROTB$TAG SECRET_B=rotation-secret-b-$TAG-$RANDOM$RANDOM
KEY_C=SIGV4ROTC$TAG SECRET_C=rotation-secret-c-$TAG-$RANDOM$RANDOM
SERVICE_PID= LOAD_PID=
# iam OUT PARAM=VALUE...: one IAM API call (POST /, service "iam") signed by curl with the test
# user's key; the answer's body goes to the file OUT, its status to stdout ("curl failed" if none).
iam() {
  local out=$1 args=() p
  shift
  for p in Version=2010-05-08 "$@"; do args+=(--data-urlencode "$p"); done
  curl -s -o "$out" -w '%{http_code}' -m 10 --aws-sigv4 "aws:amz:$REGION:iam" \
    --user "$SIGV4_RGW_ACCESS_KEY:$SIGV4_RGW_SECRET_KEY" "${args[@]}" "$EP/" || echo "curl failed"
}
# The user policy rgw.sh puts (see above): PutUserPolicy through the IAM API.
allow_get_session_token() {
  local policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetSessionToken"],"Resource":"*"}]}'
  local code
  code=$(iam "$WORK/iam.out" Action=PutUserPolicy "UserName=$USER_ID" PolicyName=sigv4-get-session-token \
    "PolicyDocument=$policy")
  [ "$code" = 200 ] || fail "PutUserPolicy (sts:GetSessionToken) answered $code"
}
ROLE=sigv4-rot-$TAG ROLE_MADE=
delete_role() { # the role of step 7, its inline policy first
  iam /dev/null Action=DeleteRolePolicy "RoleName=$ROLE" PolicyName=read-object >/dev/null
  iam "$WORK/iam.out" Action=DeleteRole "RoleName=$ROLE"
}
cleanup() {
  for pid in $LOAD_PID $SERVICE_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  admin key rm --uid="$USER_ID" --key-type=s3 --access-key="$KEY_B" >/dev/null 2>&1 || true
  admin key rm --uid="$USER_ID" --key-type=s3 --access-key="$KEY_C" >/dev/null 2>&1 || true
  if [ -n "$ROLE_MADE" ]; then delete_role >/dev/null || true; fi
  allow_get_session_token || true
  rm -rf "$WORK"
}
trap cleanup EXIT

s3() { # s3 METHOD PATH [curl args]: a request signed by curl with the test user's key
  local method=$1 path=$2
  shift 2
  curl -s -m 10 -X "$method" --aws-sigv4 "aws:amz:$REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
    "$@" "$EP$path"
}
BUCKET=sigv4-rot-$TAG
code=$(s3 PUT "/$BUCKET" -o /dev/null -w '%{http_code}' \
  -H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
[ "$code" = 200 ] || fail "CreateBucket answered $code"
CONTENT="rotation test object $TAG"
printf '%s' "$CONTENT" >"$WORK/object"
SHA=$(sha256sum "$WORK/object" | cut -d' ' -f1)
code=$(s3 PUT "/$BUCKET/jobs/job-rot1/result.tif" -o /dev/null -w '%{http_code}' -H "x-amz-content-sha256: $SHA" \
  --data-binary @"$WORK/object")
[ "$code" = 200 ] || fail "PutObject answered $code"

# --- 1. two more keys for the user --------------------------------------------------------------
step "keys B and C added to $USER_ID"
admin key create --uid="$USER_ID" --key-type=s3 --access-key="$KEY_B" --secret-key="$SECRET_B" >/dev/null
admin key create --uid="$USER_ID" --key-type=s3 --access-key="$KEY_C" --secret-key="$SECRET_C" >/dev/null
allow_get_session_token

# --- 2. the service on a secret volume with key B -----------------------------------------------
VOL=$WORK/secret
mkdir -p "$VOL"
VERSION=0
publish() { # publish ID SECRET: the kubelet's atomic update of the volume
  local v="..2026_12_02_15_00_00.$((++VERSION))" old
  old=$(readlink "$VOL/..data" || true)
  mkdir "$VOL/$v"
  printf '%s\n' "$1" >"$VOL/$v/AWS_ACCESS_KEY_ID"
  printf '%s' "$2" >"$VOL/$v/AWS_SECRET_ACCESS_KEY"
  ln -s "$v" "$VOL/..data_tmp"
  mv -T "$VOL/..data_tmp" "$VOL/..data"
  for f in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; do [ -L "$VOL/$f" ] || ln -s "..data/$f" "$VOL/$f"; done
  if [ -n "$old" ]; then rm -rf "${VOL:?}/$old"; fi
}
publish "$KEY_B" "$SECRET_B"

start_service() { # start_service LOG [options]: sets SERVICE_PID and PORT
  local log=$1
  shift
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$SERVICE" --listen 127.0.0.1:0 --bucket "$BUCKET" \
    --public-endpoint "$EP" --region "$REGION" --grant tok-rot=rot1 "$@" >"$log" 2>"$log.err" &
  SERVICE_PID=$!
  PORT=
  for _ in $(seq 100); do
    PORT=$(sed -n 's/^listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log" | head -n1)
    [ -n "$PORT" ] && break
    kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$log.err" >&2; fail "download_service exited at start"; }
    sleep 0.1
  done
  [ -n "$PORT" ] || fail "download_service did not say which port it listens on"
}
step "download_service --credentials-dir (key B)"
start_service "$WORK/service.log" --credentials-dir "$VOL" --check-every 1

link() { # a link from the service (the 302's Location)
  curl -s -o /dev/null -m 10 -w '%{redirect_url}' -H 'Authorization: Bearer tok-rot' \
    "http://127.0.0.1:$PORT/api/v1/results/rot1/download"
}
key_of() { sed -n 's/.*X-Amz-Credential=\([^%]*\)%2F.*/\1/p' <<<"$1"; }
fetch() { curl -s -m 10 -o "$WORK/fetched" -w '%{http_code}' "$1"; }
fetch_ok() { # fetch_ok URL WHAT: the object's bytes, or a failure
  local code
  code=$(fetch "$1")
  [ "$code" = 200 ] || fail "$2: the link answered $code ($(head -c 300 "$WORK/fetched"))"
  [ "$(cat "$WORK/fetched")" = "$CONTENT" ] || fail "$2: the link returned other bytes"
}

LINK_B=$(link)
[ "$(key_of "$LINK_B")" = "$KEY_B" ] || fail "the first link is not signed with key B: $(key_of "$LINK_B")"
fetch_ok "$LINK_B" "key B's link"

# the background client: links asked for and fetched without pause until told to stop
: >"$WORK/load.out"
(
  while [ ! -e "$WORK/load.stop" ]; do
    u=$(link)
    c=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$u")
    printf '%s %s\n' "$(key_of "$u")" "$c" >>"$WORK/load.out"
  done
) &
LOAD_PID=$!
sleep 1

# --- 3. the volume updated to key C -------------------------------------------------------------
step "the secret volume updated to key C (..data swapped)"
publish "$KEY_C" "$SECRET_C"
LINK_C=
for _ in $(seq 100); do
  LINK_C=$(link)
  [ "$(key_of "$LINK_C")" = "$KEY_C" ] && break
  sleep 0.1
done
[ "$(key_of "$LINK_C")" = "$KEY_C" ] || fail "the service did not take key C within 10 s"
grep -q "credentials-rotated access_key_id=$KEY_C" "$WORK/service.log" || fail "no credentials-rotated line for C"
fetch_ok "$LINK_C" "key C's link"
fetch_ok "$LINK_B" "key B's link during the overlap"
sleep 1

# --- 4. a half-written secret -------------------------------------------------------------------
step "an update with an empty secret file keeps key C, logged once"
publish "$KEY_B" ""
sleep 3
[ "$(grep -c 'credentials-problem' "$WORK/service.log.err")" = 1 ] ||
  fail "expected one credentials-problem line: $(cat "$WORK/service.log.err")"
grep 'credentials-problem' "$WORK/service.log.err" | grep -q 'AWS_SECRET_ACCESS_KEY.*is empty' ||
  fail "the problem line does not say which file: $(cat "$WORK/service.log.err")"
L=$(link)
[ "$(key_of "$L")" = "$KEY_C" ] || fail "after the half-written update the link is signed with $(key_of "$L"), not C"
fetch_ok "$L" "a link after the half-written update"
if grep -q -e "$SECRET_B" -e "$SECRET_C" "$WORK/service.log" "$WORK/service.log.err"; then
  fail "a secret is in the service's output"
fi
publish "$KEY_C" "$SECRET_C"  # the volume whole again (same key: no rotation)

# --- 5. key B removed -----------------------------------------------------------------------------
touch "$WORK/load.stop"
wait "$LOAD_PID" || true
LOAD_PID=
total=$(wc -l <"$WORK/load.out")
bad=$(awk '$2 != 200' "$WORK/load.out" | wc -l)
seen_b=$(awk -v k="$KEY_B" '$1 == k' "$WORK/load.out" | wc -l)
seen_c=$(awk -v k="$KEY_C" '$1 == k' "$WORK/load.out" | wc -l)
echo "background client: $total links fetched ($seen_b with B, $seen_c with C), $bad failed"
[ "$bad" = 0 ] || fail "$bad of $total links failed while both keys existed: $(awk '$2 != 200' "$WORK/load.out" | head -3)"
[ "$seen_b" -gt 0 ] && [ "$seen_c" -gt 0 ] || fail "the background client did not see both keys"

step "key B removed from the user: B's unexpired link fails, C's links work"
admin key rm --uid="$USER_ID" --key-type=s3 --access-key="$KEY_B" >/dev/null
allow_get_session_token
code=
for _ in $(seq 60); do
  code=$(fetch "$LINK_B")
  [ "$code" = 403 ] && break
  sleep 0.5
done
[ "$code" = 403 ] || fail "key B's link still answers $code 30 s after the key was removed"
fetch_ok "$LINK_C" "key C's link after B was removed"
fetch_ok "$(link)" "a new link after B was removed"
kill "$SERVICE_PID" 2>/dev/null || true
wait "$SERVICE_PID" 2>/dev/null || true
SERVICE_PID=

# temporary_links LOG WHAT: with the service logging to LOG, its links carry a session token and
# a temporary key (not the base key C) and fetch the object; after the first refresh the key id
# changes, and links of both temporary keys fetch the object; no secret and no failed refresh in
# the service's output.
temporary_links() {
  local log=$1 what=$2 l1 l2 t1 t2
  l1=$(link)
  grep -q 'X-Amz-Security-Token=' <<<"$l1" || fail "$what: a link carries no session token"
  t1=$(key_of "$l1")
  [ "$t1" != "$KEY_C" ] || fail "$what: the link is signed with the base key, not temporary credentials"
  grep -q "credentials-refreshed access_key_id=$t1" "$log" || fail "$what: no credentials-refreshed line for $t1"
  fetch_ok "$l1" "$what: the first temporary key's link"
  t2=$t1
  for _ in $(seq 40); do
    sleep 1
    l2=$(link)
    t2=$(key_of "$l2")
    [ "$t2" != "$t1" ] && break
  done
  [ "$t2" != "$t1" ] || fail "$what: the temporary credentials were not refreshed within 40 s"
  grep -q "credentials-refreshed access_key_id=$t2" "$log" || fail "$what: no credentials-refreshed line for $t2"
  fetch_ok "$l2" "$what: the refreshed key's link"
  fetch_ok "$l1" "$what: the first temporary key's link after the refresh"
  if grep -q -e "$SECRET_C" "$log" "$log.err"; then fail "$what: a secret is in the service's output"; fi
  if grep -q 'sts-refresh-failed' "$log.err"; then fail "$what: $(cat "$log.err")"; fi
}

# --- 6. temporary credentials refreshed through STS ---------------------------------------------
step "download_service --sts-endpoint: GetSessionToken, refreshed before expiry"
start_service "$WORK/sts.log" --credentials-dir "$VOL" --sts-endpoint "$EP" --sts-duration 900 \
  --expires 60 --refresh-before 880
temporary_links "$WORK/sts.log" GetSessionToken
kill "$SERVICE_PID" 2>/dev/null || true
wait "$SERVICE_PID" 2>/dev/null || true
SERVICE_PID=

# --- 7. AssumeRole: a role on RGW, refreshed before expiry --------------------------------------
step "download_service --sts-role-arn: AssumeRole of a role made through IAM, refreshed before expiry"
T7=$EPOCHREALTIME
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/'$USER_ID'"]},"Action":["sts:AssumeRole"]}]}'
code=$(iam "$WORK/iam.out" Action=CreateRole "RoleName=$ROLE" Path=/ "AssumeRolePolicyDocument=$trust")
[ "$code" = 200 ] || fail "CreateRole answered $code: $(head -c 300 "$WORK/iam.out")"
ROLE_MADE=1
ROLE_ARN=$(sed -n 's:.*<Arn>\([^<]*\)</Arn>.*:\1:p' "$WORK/iam.out")
[ "$ROLE_ARN" = "arn:aws:iam:::role/$ROLE" ] || fail "CreateRole named the role '$ROLE_ARN'"
start_service "$WORK/role.log" --credentials-dir "$VOL" --sts-endpoint "$EP" --sts-role-arn "$ROLE_ARN" \
  --sts-duration 900 --expires 60 --refresh-before 880
L0=$(link)
grep -q 'X-Amz-Security-Token=' <<<"$L0" || fail "an AssumeRole link carries no session token: $(cat "$WORK/role.log.err")"
code=$(fetch "$L0")
[ "$code" = 403 ] || fail "a link of the role without a role policy answered $code, not 403: it is not signed as the role"
read_policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::'$BUCKET'/*"]}]}'
code=$(iam "$WORK/iam.out" Action=PutRolePolicy "RoleName=$ROLE" PolicyName=read-object "PolicyDocument=$read_policy")
[ "$code" = 200 ] || fail "PutRolePolicy answered $code: $(head -c 300 "$WORK/iam.out")"
temporary_links "$WORK/role.log" AssumeRole
kill "$SERVICE_PID" 2>/dev/null || true
wait "$SERVICE_PID" 2>/dev/null || true
SERVICE_PID=
code=$(delete_role)
[ "$code" = 200 ] || fail "DeleteRole answered $code: $(head -c 300 "$WORK/iam.out")"
ROLE_MADE=
echo "AssumeRole step: $(awk -v a="$T7" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

printf '\nrotation_test: all passed\n'
