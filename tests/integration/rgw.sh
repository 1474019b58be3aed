#!/usr/bin/env bash
# A throw-away single-node Ceph RADOS Gateway (S3) on loopback, for integration tests.
#
#   tests/integration/rgw.sh start   install what is missing, start mon + osd + radosgw,
#                                    create the test user, wait until S3 answers
#   tests/integration/rgw.sh stop    stop what `start` started (pid files only), remove the state
#   tests/integration/rgw.sh env     print the env file (KEY=value lines; `source` it)
#   tests/integration/rgw.sh status  say whether the processes are alive
#
# Settings (environment):
#   SIGV4_RGW_DIR       state directory (default /tmp/sigv4-rgw): ceph.conf, data, logs, pids, env
#   SIGV4_RGW_PORT      S3 port on 127.0.0.1 (default 7480)
#   SIGV4_RGW_MON_PORT  monitor port on 127.0.0.1 (default 3300, msgr2 only)
#   SIGV4_RGW_TIMEOUT   seconds to wait for each start step (default 60): every step that could
#                       hang (mkfs, radosgw-admin, waiting for a daemon) fails after this long
#   SIGV4_RGW_APT_TIMEOUT  seconds for each apt-get run when packages are missing (default 900)
#
# The cluster: one monitor, one OSD on memstore (RAM only), no manager, no authentication
# between the daemons, one replica; radosgw with the beast frontend bound to 127.0.0.1 only.
# Everything lives under the state directory; nothing is installed as a service. Processes are
# stopped by the pids this script wrote, and only when the process still runs our ceph.conf.
#
# What tests can rely on (checked by hand against Ceph 16.2.15, Debian 12):
#   - path-style addressing; any region in the credential scope is accepted;
#   - a bad signature, secret or session token answers 403 AccessDenied (RGW does not say
#     SignatureDoesNotMatch); a body that does not match x-amz-content-sha256 answers 400
#     XAmzContentSHA256Mismatch;
#   - STS GetSessionToken (POST /, service "sts") returns temporary credentials: the user has the
#     user-policy cap and an IAM user policy allowing sts:GetSessionToken (put by `start`);
#   - the user has the roles cap too, so it can create roles through the IAM API (CreateRole,
#     PutRolePolicy; service "iam") and assume them with STS AssumeRole, session policy included;
#   - bucket policies with aws:SourceIp see the client's socket address; a client can connect
#     from 127.0.0.2 (curl --interface 127.0.0.2). The bucket owner is allowed by its ACL
#     whatever an Allow statement says: to refuse the owner's presigned URL from 127.0.0.2 the
#     policy needs an explicit Deny with NotIpAddress.
#   - a second user (SIGV4_RGW_UPLOAD_ACCESS_KEY / _SECRET_KEY in the env file), without caps or
#     policies, for tests that need an identity that cannot read the first user's buckets.
set -euo pipefail

STATE=${SIGV4_RGW_DIR:-/tmp/sigv4-rgw}
PORT=${SIGV4_RGW_PORT:-7480}
MON_PORT=${SIGV4_RGW_MON_PORT:-3300}
TIMEOUT=${SIGV4_RGW_TIMEOUT:-60}
APT_TIMEOUT=${SIGV4_RGW_APT_TIMEOUT:-900}
KILL_AFTER=10 # a step that ignores SIGTERM at its timeout gets SIGKILL this many seconds later

ACCESS_KEY=SIGV4TESTACCESSKEY01
SECRET_KEY=sigv4-test-secret-key-0123456789abcdefXYZ
REGION=us-east-1
USER_ID=sigv4test
# A second user, with no caps and no policies: the restricted signing identity of the
# unsigned-header tests (it owns only the buckets it creates and cannot read the first user's).
UPLOAD_USER_ID=sigv4upload
UPLOAD_ACCESS_KEY=SIGV4UPLOADACCESSKEY
UPLOAD_SECRET_KEY=sigv4-upload-secret-key-0123456789abcdefXY
STS_KEY=sigv4stskey01234 # rgw sts key: exactly 16 characters

PACKAGES=(radosgw ceph-mon ceph-osd ceph-common)
DAEMONS=(rgw osd mon) # stop order

CONF=$STATE/ceph.conf
RUN=$STATE/run
LOG=$STATE/log

say() { printf 'rgw.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# bounded SECONDS OUT COMMAND...: COMMAND with stdout and stderr into the file OUT, sent SIGTERM
# after SECONDS (SIGKILL KILL_AFTER seconds later), so that a hang fails instead of stalling.
# Returns COMMAND's status, 124 (or 137, killed) on a timeout, which is also said on stderr.
bounded() {
  local seconds=$1 out=$2 rc=0
  shift 2
  timeout --kill-after="$KILL_AFTER" "$seconds" "$@" >"$out" 2>&1 || rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then say "timed out after ${seconds}s: $1 (output in $out)"; fi
  return "$rc"
}

# A timeout of 0 would mean none at all (timeout(1)), and wait_for needs whole seconds.
for _v in TIMEOUT APT_TIMEOUT; do
  [[ ${!_v} =~ ^[1-9][0-9]*$ ]] || die "SIGV4_RGW_${_v} must be a whole number of seconds > 0, got '${!_v}'"
done
unset _v

# --- processes -----------------------------------------------------------------------------

pid_of() { # prints the pid from the pid file of daemon $1, if any
  local f=$RUN/$1.pid
  [ -s "$f" ] && tr -dc '0-9' <"$f"
  return 0
}

# Alive and still ours: the process runs with our ceph.conf on its command line (guards against
# a recycled pid after a crash).
is_ours() {
  local pid=$1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$CONF"
}

any_alive() {
  local d
  for d in "${DAEMONS[@]}"; do is_ours "$(pid_of "$d")" && return 0; done
  return 1
}

stop_daemon() {
  local d=$1 pid i
  pid=$(pid_of "$d")
  if is_ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do # up to 10 s
      is_ours "$pid" || break
      sleep 0.1
    done
    if is_ours "$pid"; then
      say "$d (pid $pid) ignored SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do is_ours "$pid" || break; sleep 0.1; done
    fi
  fi
  rm -f "$RUN/$d.pid"
}

stop_all() {
  local d
  for d in "${DAEMONS[@]}"; do stop_daemon "$d"; done
}

# Starts "$@" in the background, stdout/stderr to $LOG/$1.out, pid into $RUN/$1.pid.
spawn() {
  local name=$1
  shift
  "$@" </dev/null >"$LOG/$name.out" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

log_tails() {
  local f
  for f in "$LOG"/*; do
    [ -s "$f" ] || continue
    printf '\n===== %s (last 30 lines) =====\n' "$f" >&2
    tail -n 30 "$f" >&2
  done
}

# --- packages ------------------------------------------------------------------------------

install_packages() {
  local missing=() p t0
  for p in "${PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "packages present: ${PACKAGES[*]}"
    return 0
  fi
  t0=$(now)
  say "installing: ${missing[*]}"
  # apt-get update only when the lists are missing or the install fails for want of them.
  # Each apt-get run is bounded (a stuck mirror or dpkg lock must not stall CI).
  if ! as_root timeout --kill-after="$KILL_AFTER" "$APT_TIMEOUT" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}" >"${TMPDIR:-/tmp}/sigv4-rgw-apt.log" 2>&1; then
    as_root timeout --kill-after="$KILL_AFTER" "$APT_TIMEOUT" apt-get update -q >/dev/null ||
      die "apt-get update failed or timed out after ${APT_TIMEOUT}s"
    as_root timeout --kill-after="$KILL_AFTER" "$APT_TIMEOUT" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}" >"${TMPDIR:-/tmp}/sigv4-rgw-apt.log" 2>&1 ||
      { tail -n 30 "${TMPDIR:-/tmp}/sigv4-rgw-apt.log" >&2; die "apt-get install failed"; }
  fi
  say "packages installed in $(since "$t0") s"
}

# --- configuration -------------------------------------------------------------------------

write_conf() {
  local fsid=$1
  cat >"$CONF" <<EOF
# Generated by tests/integration/rgw.sh; thrown away by "rgw.sh stop".
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr1 = false
ms bind msgr2 = true

# No authentication between daemons and clients (loopback only, throw-away data).
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
# With auth none, the secure mode first makes the monitor client hang; crc works.
ms mon client mode = crc secure
ms mon service mode = crc secure
ms client mode = crc secure
ms service mode = crc secure
ms cluster mode = crc secure

# Everything under the state directory.
run dir = $RUN
admin socket = $RUN/\$name.asok
log file = $LOG/\$name.log
crash dir = $STATE/crash
keyring = $STATE/keyring
log to stderr = false
err to stderr = true
log to syslog = false
mon cluster log to syslog = false

# One monitor, one OSD, one replica, no manager.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
osd crush chooseleaf type = 0
mon data avail warn = 2
mon data avail crit = 1
mon warn on insecure global id reclaim allowed = false
paxos propose interval = 0.05

[mon]
mon data = $STATE/mon.\$id

[osd]
osd data = $STATE/osd.\$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd crush update on start = true
# osd max object name len stays at its default (2048): lower values make long keys fail (500).

[client]
rgw data = $STATE/rgw.\$id
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw thread pool size = 64
rgw enable usage log = false
rgw s3 auth use sts = true
rgw sts key = $STS_KEY
EOF
}

write_env() {
  cat >"$STATE/env.tmp" <<EOF
SIGV4_RGW_ENDPOINT=http://127.0.0.1:$PORT
SIGV4_RGW_ACCESS_KEY=$ACCESS_KEY
SIGV4_RGW_SECRET_KEY=$SECRET_KEY
SIGV4_RGW_REGION=$REGION
SIGV4_RGW_UPLOAD_ACCESS_KEY=$UPLOAD_ACCESS_KEY
SIGV4_RGW_UPLOAD_SECRET_KEY=$UPLOAD_SECRET_KEY
EOF
  mv "$STATE/env.tmp" "$STATE/env"
}

# --- helpers that talk to the cluster ------------------------------------------------------

ceph_cli() { timeout --kill-after=5 20 ceph -c "$CONF" --connect-timeout 10 "$@"; }

wait_for() { # wait_for WHAT DAEMON COMMAND...: retry COMMAND until it succeeds
  local what=$1 daemon=$2 deadline
  shift 2
  deadline=$((SECONDS + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    is_ours "$(pid_of "$daemon")" || die "$daemon exited while waiting for $what"
    [ $SECONDS -lt $deadline ] || die "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.2
  done
}

osd_up() { ceph_cli osd stat 2>/dev/null | grep -Eq '1 up'; }

s3_answers() {
  local code
  code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$PORT/") || return 1
  [ "$code" = 200 ] || [ "$code" = 403 ]
}

rss_kib() { # VmRSS of one pid, in KiB
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

report_memory() {
  local d pid kib total=0 line=""
  for d in mon osd rgw; do
    pid=$(pid_of "$d")
    is_ours "$pid" || continue
    kib=$(rss_kib "$pid")
    total=$((total + kib))
    line+=" $d=$((kib / 1024))MiB"
  done
  say "memory (RSS):$line total=$((total / 1024))MiB"
}

# RGW refuses sts:GetSessionToken unless an IAM user policy allows it; a policy can only be put
# through the IAM API, by a user with the user-policy cap. curl (>= 7.75) signs that request, so
# the fixture does not depend on the library under test. The roles cap lets the tests create the
# roles they assume (IAM CreateRole answers 403 AccessDenied without it); only radosgw-admin (or
# an admin user) can grant a cap.
allow_get_session_token() {
  local policy code
  bounded "$TIMEOUT" "$LOG/caps-add.out" radosgw-admin -c "$CONF" caps add --uid="$USER_ID" \
    --caps="user-policy=*;roles=*" || die "radosgw-admin caps add failed"
  policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetSessionToken"],"Resource":"*"}]}'
  code=$(curl -s -o "$LOG/put-user-policy.out" -w '%{http_code}' -m 10 \
    --aws-sigv4 "aws:amz:$REGION:iam" --user "$ACCESS_KEY:$SECRET_KEY" \
    --data-urlencode "Action=PutUserPolicy" --data-urlencode "Version=2010-05-08" \
    --data-urlencode "UserName=$USER_ID" --data-urlencode "PolicyName=sigv4-get-session-token" \
    --data-urlencode "PolicyDocument=$policy" "http://127.0.0.1:$PORT/") || code="curl failed"
  [ "$code" = 200 ] || die "PutUserPolicy (sts:GetSessionToken) answered $code: $(cat "$LOG/put-user-policy.out" 2>/dev/null)"
}

all_alive() {
  local d
  for d in "${DAEMONS[@]}"; do is_ours "$(pid_of "$d")" || return 1; done
  return 0
}

# --- commands ------------------------------------------------------------------------------

on_start_failure() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$rc" -ne 0 ]; then
    say "start failed (exit $rc); stopping what was started"
    log_tails
    stop_all
    say "logs kept in $LOG (\"$0 stop\" removes them)"
  fi
  exit "$rc"
}

cmd_start() {
  local t0 t1 fsid osd_uuid osd_id
  if all_alive && [ -s "$STATE/env" ]; then
    say "already running (state in $STATE)"
    exit 0
  fi
  if any_alive; then
    say "a previous cluster in $STATE is only partly alive; stopping it and starting afresh"
    stop_all
  fi
  command -v curl >/dev/null || die "curl is required"

  t0=$(now)
  install_packages
  t1=$(now)

  # A stale state directory (crash, reboot) is thrown away.
  rm -rf "$STATE"
  mkdir -p "$STATE" "$RUN" "$LOG" "$STATE/crash" "$STATE/mon.a" "$STATE/osd.0" "$STATE/rgw.rgw.a"
  : >"$STATE/keyring"
  trap on_start_failure EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  if ss -Hltn "sport = :$PORT" 2>/dev/null | grep -q .; then die "port $PORT is already in use"; fi
  if ss -Hltn "sport = :$MON_PORT" 2>/dev/null | grep -q .; then
    die "monitor port $MON_PORT is already in use (set SIGV4_RGW_MON_PORT)"
  fi

  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid"

  # Monitor.
  bounded "$TIMEOUT" "$LOG/monmaptool.out" \
    monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$STATE/monmap" || die "monmaptool failed"
  bounded "$TIMEOUT" "$LOG/mon-mkfs.out" ceph-mon -c "$CONF" -i a --mkfs --monmap "$STATE/monmap" ||
    die "ceph-mon --mkfs failed"
  spawn mon ceph-mon -f -c "$CONF" -i a
  wait_for "the monitor" mon ceph_cli mon stat
  say "monitor up after $(since "$t1") s"

  # OSD (memstore: RAM only).
  osd_id=$(ceph_cli osd new "$osd_uuid") || die "ceph osd new failed"
  [ "$osd_id" = 0 ] || die "expected osd id 0, got '$osd_id'"
  bounded "$TIMEOUT" "$LOG/osd-mkfs.out" ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" ||
    die "ceph-osd --mkfs failed"
  spawn osd ceph-osd -f -c "$CONF" -i 0
  wait_for "the OSD" osd osd_up
  say "osd up after $(since "$t1") s"

  # The S3 user (this also creates the default realm/zone and its pools).
  bounded "$TIMEOUT" "$LOG/user-create.out" radosgw-admin -c "$CONF" user create --uid="$USER_ID" \
    --display-name="sigv4 tests" --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" ||
    die "radosgw-admin user create failed"
  bounded "$TIMEOUT" "$LOG/upload-user-create.out" radosgw-admin -c "$CONF" user create --uid="$UPLOAD_USER_ID" \
    --display-name="sigv4 tests, upload only" --access-key="$UPLOAD_ACCESS_KEY" --secret-key="$UPLOAD_SECRET_KEY" ||
    die "radosgw-admin user create ($UPLOAD_USER_ID) failed"
  say "users created after $(since "$t1") s"

  # radosgw, beast on 127.0.0.1 only.
  spawn rgw radosgw -f -c "$CONF" -n client.rgw.a
  wait_for "S3 on 127.0.0.1:$PORT" rgw s3_answers
  say "S3 answers after $(since "$t1") s"
  allow_get_session_token
  write_env

  trap - EXIT INT TERM
  say "S3 ready at http://127.0.0.1:$PORT (cluster start $(since "$t1") s, total incl. install $(since "$t0") s)"
  report_memory
  say "env: source <($0 env)   or   set -a; . $STATE/env; set +a"
}

cmd_stop() {
  if [ ! -d "$STATE" ]; then
    say "not running (no $STATE)"
    return 0
  fi
  [ -f "$CONF" ] || die "$STATE has no ceph.conf; refusing to remove it"
  stop_all
  rm -rf "$STATE"
  say "stopped; removed $STATE"
}

cmd_env() {
  [ -s "$STATE/env" ] || die "no env file ($STATE/env); run \"$0 start\" first"
  cat "$STATE/env"
}

cmd_status() {
  local d pid rc=1
  for d in mon osd rgw; do
    pid=$(pid_of "$d")
    if is_ours "$pid"; then
      echo "$d: running (pid $pid)"
      rc=0
    else
      echo "$d: not running"
    fi
  done
  return $rc
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) cmd_env ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|env|status" >&2
    exit 2
    ;;
esac
