#!/usr/bin/env bash
# Browser-style POST uploads (S3 "POST Object" with a SigV4 POST policy) against the RGW fixture,
# sent with curl -F (ctest: post_integration, label integration).
#
#   post_test.sh SIGV4_CLI
#
# Every case is run twice, with forms from two makers with the same command line:
#   sigv4     `SIGV4_CLI presign-post --format json` (the library under test);
#   botocore  tests/integration/post_form_botocore.py (botocore's generate_presigned_post), so
#             that what RGW accepts and refuses is also shown for forms made without our code.
# What is checked, each against what RGW answers (status, error code and, where RGW gives one,
# its message) and against the bucket (the object read back with a request signed by curl
# --aws-sigv4, never by our code):
#   1. a valid form stores the object: the bytes and the Content-Type read back are the ones
#      sent (a file of exactly --max-size bytes: the range is inclusive);
#   2. refused, nothing stored: a wrong Content-Type, another key, a file one byte over the
#      range, an empty file under it, a tampered signature, an extra field the policy does not
#      cover, a missing field the policy requires, an expired policy (beside a control form of
#      the same signing time that is not expired);
#   3. --key-prefix with ${filename} and success_action_redirect: the object is stored under the
#      prefix plus the file's name, and RGW's 303 Location carries bucket, key and etag; a key
#      outside the prefix is refused; success_action_status 201 answers the PostResponse XML;
#      the command `presign-post --format curl` prints stores the object when run as it is;
#   4. temporary credentials (STS GetSessionToken through curl): the form carries
#      x-amz-security-token and stores the object; a changed or missing token is refused;
#   5. IP-bound uploads: with the bucket policy of `SIGV4_CLI policy --kind bucket --action put
#      --allow-cidr 127.0.0.1/32`, a form posted from 127.0.0.2 (curl --interface) is refused
#      and stores nothing, while the same form from 127.0.0.1 is accepted (and from 127.0.0.2 it
#      was accepted before the policy was put: the address alone is the difference);
#   6. `SIGV4_CLI verify-post`, given the fields and file size RGW received, judges every form
#      posted from 127.0.0.1 as RGW did: valid where RGW stored it, else invalid for the reason
#      RGW's code and message name (RGW as the outside judge of the library's checker).
#
# What Ceph RGW 16.2.15 does with POST forms (measured by hand; the cases below assert the status,
# error code and message of each form they send):
#   - the signature is checked first: a bad one answers 403 AccessDenied with an empty Message,
#     whatever else is wrong with the form;
#   - then the policy: 403 AccessDenied "Policy check failed, variable not met condition: NAME"
#     (an exact condition), "Policy condition failed: starts-with: $NAME, PREFIX", "Policy check
#     failed, variable not found: NAME" (a conditioned field left out), "Policy missing
#     condition: NAME" (a field the policy does not cover), "Policy expired";
#     sizes outside content-length-range answer 400 EntityTooLarge / EntityTooSmall;
#   - success_action_redirect: 303 to the URL + "?bucket=B&key=K&etag=%22MD5%22" (percent-encoded),
#     with a '?' even when the URL already has a query: give it a URL without one;
#   - success_action_status 201: a PostResponse XML (Location, Bucket, Key, ETag); 204 by default;
#   - aws:SourceIp in a bucket policy applies to POST uploads (the owner needs the Deny);
#   - fields after the file part are ignored (as S3 does); field names match case-insensitively;
#   - without a Content-Type field the object is binary/octet-stream (the part's type is ignored);
#   - s3:authType is not evaluated: a Deny on StringEquals s3:authType "POST" (or "REST-HEADER")
#     refused nothing.
#
# The server comes from SIGV4_RGW_* in the environment, else rgw.sh's env file
# ($SIGV4_RGW_ENV_FILE, else $SIGV4_RGW_DIR/env, else /tmp/sigv4-rgw/env). A server that is not
# running, a CLI without presign-post, or a missing botocore is a failure, never a skip.
# SIGV4_PYTHON names the python with botocore (default python3).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 SIGV4_CLI" >&2
  exit 2
fi
SIGV4=$1
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${SIGV4_PYTHON:-python3}

PASSED=0
FAILED=0
AGREED=0
COMPARED=0
VERIFY_ARGS=()
T0=$EPOCHREALTIME
elapsed() { awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
die() {
  printf 'post_test: FAIL: %s\n' "$*" >&2
  printf '%d passed, %d failed\n' "$PASSED" "$((FAILED + 1))"
  exit 1
}
ok() {
  PASSED=$((PASSED + 1))
  echo "ok: $*"
}
bad() {
  FAILED=$((FAILED + 1))
  printf 'FAIL: %s\n' "$*" >&2
}
step() { printf '\n--- %s\n' "$*"; }

# --- the server ------------------------------------------------------------------------------
if [ -z "${SIGV4_RGW_ENDPOINT:-}" ]; then
  ENV_FILE=${SIGV4_RGW_ENV_FILE:-${SIGV4_RGW_DIR:-/tmp/sigv4-rgw}/env}
  [ -r "$ENV_FILE" ] ||
    die "the RGW fixture is not running: SIGV4_RGW_ENDPOINT is unset and $ENV_FILE cannot be read; start it with \`bash tests/integration/rgw.sh start\`"
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi
EP=${SIGV4_RGW_ENDPOINT%/}
REGION=${SIGV4_RGW_REGION:-us-east-1}
curl -s -o /dev/null -m 5 "$EP/" ||
  die "the RGW fixture does not answer at $EP; start it with \`bash tests/integration/rgw.sh start\`"

# Both form makers take their credentials from the environment.
unset AWS_SESSION_TOKEN AWS_SESSION_TOKEN_FILE AWS_CREDENTIAL_EXPIRATION AWS_PROFILE \
  AWS_ACCESS_KEY_ID_FILE AWS_SECRET_ACCESS_KEY_FILE
export AWS_ACCESS_KEY_ID=$SIGV4_RGW_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SIGV4_RGW_SECRET_KEY

"$SIGV4" presign-post --help >/dev/null 2>&1 || die "$SIGV4 has no working presign-post command"
"$PYTHON" -c 'import botocore' 2>/dev/null || die "$PYTHON cannot import botocore"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sigv4-post.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# --- signed requests by curl (the outside judge of what is stored) ---------------------------
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
signed() { # signed [curl options...] URL: a request signed by curl itself (needs curl >= 7.75)
  curl -s -m 20 --aws-sigv4 "aws:amz:$REGION:s3" --user "$SIGV4_RGW_ACCESS_KEY:$SIGV4_RGW_SECRET_KEY" "$@"
}
make_bucket() {
  local code
  code=$(signed -o "$WORK/bucket.out" -w '%{http_code}' -X PUT -H "x-amz-content-sha256: $EMPTY_SHA256" "$EP/$1")
  [ "$code" = 200 ] || die "CreateBucket $1 answered $code: $(cat "$WORK/bucket.out")"
}
# put_bucket_policy BUCKET FILE. curl 7.88 signs a bare "?policy" as "policy" (no '='), which RGW
# refuses, hence "?policy=".
put_bucket_policy() {
  local code
  code=$(signed -o "$WORK/policy.out" -w '%{http_code}' -X PUT --data-binary "@$2" \
    -H "x-amz-content-sha256: $(sha256sum "$2" | cut -d' ' -f1)" "$EP/$1?policy=")
  [ "$code" = 204 ] || die "PutBucketPolicy $1 answered $code: $(cat "$WORK/policy.out")"
}
urlpath() { # the key, percent-encoded for a URL path (unreserved bytes and '/' kept)
  local LC_ALL=C s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [A-Za-z0-9._~/-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}
# head_status BUCKET KEY: the status of a signed HEAD; its headers in $WORK/head.txt.
head_status() {
  signed -I -o "$WORK/head.txt" -w '%{http_code}' -H "x-amz-content-sha256: $EMPTY_SHA256" "$EP/$1/$(urlpath "$2")"
}
# expect_absent WHAT BUCKET KEY...: none of the keys is stored.
expect_absent() {
  local what=$1 bucket=$2 key code
  shift 2
  for key in "$@"; do
    code=$(head_status "$bucket" "$key")
    if [ "$code" != 404 ]; then
      bad "$what: s3://$bucket/$key answers HEAD $code, expected 404 (nothing stored)"
      return
    fi
  done
  ok "$what: nothing stored ($# key(s) answer 404)"
}
# expect_stored WHAT BUCKET KEY FILE CONTENT_TYPE: the object's bytes and Content-Type.
expect_stored() {
  local what=$1 bucket=$2 key=$3 file=$4 type=$5 code got
  code=$(signed -o "$WORK/got.bin" -D "$WORK/got.headers" -w '%{http_code}' \
    -H "x-amz-content-sha256: $EMPTY_SHA256" "$EP/$bucket/$(urlpath "$key")")
  if [ "$code" != 200 ]; then
    bad "$what: GET s3://$bucket/$key answered $code"
    return
  fi
  if ! cmp -s "$file" "$WORK/got.bin"; then
    bad "$what: s3://$bucket/$key holds other bytes than the file sent"
    return
  fi
  got=$(sed -n 's/^[Cc]ontent-[Tt]ype: *//p' "$WORK/got.headers" | tr -d '\r')
  if [ "$got" != "$type" ]; then
    bad "$what: s3://$bucket/$key has Content-Type '$got', expected '$type'"
    return
  fi
  ok "$what: s3://$bucket/$key holds the $(stat -c %s "$file") bytes sent, Content-Type $type"
}

# --- forms -----------------------------------------------------------------------------------
# make_form MAKER OUT [presign-post options...] s3://BUCKET/KEY
make_form() {
  local maker=$1 out=$2
  shift 2
  case $maker in
    sigv4) "$SIGV4" presign-post --endpoint "$EP" --region "$REGION" --format json "$@" >"$out" ;;
    botocore) "$PYTHON" "$HERE/post_form_botocore.py" --endpoint "$EP" --region "$REGION" "$@" >"$out" ;;
  esac || die "$maker: cannot make the form for: $*"
}

# post FORM FILE [name=value | +name=value | -name]... [-- curl options...]
# Posts the form's fields in their order (name=value replaces a field's value in place or adds
# the field, +name=value adds it after the others, -name leaves the field out), then the file
# part last; the status into $STATUS, the body into $WORK/resp.txt, the headers into
# $WORK/resp.headers. Field values are sent as they are (--form-string: no '@' or '<' magic).
post() {
  local form=$1 file=$2 url
  shift 2
  local edits=() curl_opts=()
  while [ $# -gt 0 ]; do
    if [ "$1" = -- ]; then
      shift
      curl_opts=("$@")
      break
    fi
    edits+=("$1")
    shift
  done
  local args=() line
  url=
  while IFS= read -r -d '' line; do
    if [ -z "$url" ]; then url=$line; else args+=(--form-string "$line"); fi
  done < <(
    "$PYTHON" - "$form" "$(stat -c %s "$file")" "$WORK/verify.json" "${edits[@]}" <<'EOF'
import json, sys
form = json.load(open(sys.argv[1]))
size, verify_json = int(sys.argv[2]), sys.argv[3]
del sys.argv[2:4]
sys.stdout.write(form["url"] + "\0")
fields = list(form["fields"].items())
names = [n.lower() for n, _ in fields]
for edit in sys.argv[2:]:
    if edit.startswith("-"):
        fields = [(n, v) for n, v in fields if n.lower() != edit[1:].lower()]
        names = [n.lower() for n, _ in fields]
        continue
    name, value = edit.split("=", 1)
    if name.startswith("+") or name.lower() not in names:
        fields.append((name.lstrip("+"), value))
        names.append(name.lstrip("+").lower())
    else:
        fields[names.index(name.lower())] = (name, value)
for n, v in fields:
    sys.stdout.write(n + "=" + v + "\0")
# The same fields for sigv4 verify-post (the names are distinct here, so an object holds them).
json.dump({"url": form["url"], "fields": dict(fields), "size": size}, open(verify_json, "w"))
EOF
  )
  STATUS=$(curl -s -m 30 -o "$WORK/resp.txt" -D "$WORK/resp.headers" -w '%{http_code}' \
    "${curl_opts[@]}" "${args[@]}" -F "file=@$file" "$url") || STATUS="curl failed"
  # Where the address is not what differs (no curl options), sigv4 verify-post, given the fields
  # RGW got, must judge the form as RGW did, for the same reason.
  if [ ${#curl_opts[@]} -eq 0 ]; then agree_with_rgw; fi
}

# agree_with_rgw: compares `sigv4 verify-post` on the last post's fields with RGW's answer.
agree_with_rgw() {
  local verdict want body
  COMPARED=$((COMPARED + 1))
  verdict=$("$SIGV4" verify-post --region "$REGION" "${VERIFY_ARGS[@]}" <"$WORK/verify.json" 2>/dev/null) || true
  body=$(tr -d '\n' <"$WORK/resp.txt")
  case $STATUS:$body in
    2??:* | 303:*) want=valid ;;
    403:*"<Message></Message>"*) # RGW names no reason for a failed authentication
      want="invalid: signature mismatch"
      [ "$verdict" = "invalid: session token mismatch" ] && want=$verdict
      ;;
    403:*"not met condition"* | 403:*"variable not found"* | 403:*"Policy condition failed"*)
      want="invalid: condition failed" ;;
    403:*"Policy missing condition"*) want="invalid: field not in policy" ;;
    403:*"Policy expired"*) want="invalid: expired" ;;
    400:*"<Code>EntityToo"*) want="invalid: size out of range" ;;
    *) want="(RGW's answer $STATUS is not one this test maps)" ;;
  esac
  if [ "$verdict" = "$want" ]; then
    AGREED=$((AGREED + 1))
  else
    bad "sigv4 verify-post says '$verdict' where RGW answered $STATUS (expected '$want'): ${body:0:200}"
  fi
}
field_of() { # field_of FORM NAME
  "$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["fields"][sys.argv[2]])' "$1" "$2"
}

# expect_refused WHAT STATUS CODE [MESSAGE]: the last post was answered STATUS with the S3 error
# CODE (and, when given, a Message containing MESSAGE).
expect_refused() {
  local what=$1 want=$2 code=$3 message=${4:-} body
  body=$(tr -d '\n' <"$WORK/resp.txt")
  if [ "$STATUS" != "$want" ]; then
    bad "$what: expected $want $code, got $STATUS: ${body:0:300}"
    return 1
  fi
  case $body in *"<Code>$code</Code>"*) ;; *)
    bad "$what: expected the error code $code: ${body:0:300}"
    return 1
    ;;
  esac
  if [ -n "$message" ]; then
    case $body in *"<Message>"*"$message"*"</Message>"*) ;; *)
      bad "$what: expected a message naming '$message': ${body:0:300}"
      return 1
      ;;
    esac
  fi
  ok "$what: $STATUS $code${message:+ ($message)}"
}
expect_status() { # expect_status WHAT STATUS
  if [ "$STATUS" != "$2" ]; then
    bad "$1: expected $2, got $STATUS: $(head -c 300 "$WORK/resp.txt")"
    return 1
  fi
  ok "$1: $STATUS"
}

head -c 1024 /dev/urandom >"$WORK/max.bin"   # exactly --max-size
head -c 1025 /dev/urandom >"$WORK/over.bin"  # one byte over
: >"$WORK/empty.bin"
mkdir -p "$WORK/files"
head -c 333 /dev/urandom >"$WORK/files/scan 1+x.png"  # its name becomes part of the key

amz_date_ago() { date -u -d "@$(($(date +%s) - $1))" +%Y%m%dT%H%M%SZ; }

# --- the cases, once per form maker ----------------------------------------------------------
run_cases() {
  local maker=$1 bucket key other form
  bucket=sigv4-post-$maker-$(date +%s)-$$
  make_bucket "$bucket"
  key="uploads/job-7/report 1+é.txt"
  other="uploads/job-8/report.txt"

  step "$maker: one form (exact key, Content-Type text/plain, 1 to 1024 bytes), changed one way at a time"
  form=$WORK/$maker-exact.json
  make_form "$maker" "$form" --expires 600 --content-type text/plain --min-size 1 --max-size 1024 "s3://$bucket/$key"

  post "$form" "$WORK/max.bin" Content-Type=text/html
  expect_refused "$maker: wrong Content-Type" 403 AccessDenied "Content-Type" || true
  post "$form" "$WORK/max.bin" "key=$other"
  expect_refused "$maker: another key" 403 AccessDenied "key" || true
  post "$form" "$WORK/over.bin"
  expect_refused "$maker: 1025 bytes, over the range" 400 EntityTooLarge || true
  post "$form" "$WORK/empty.bin"
  expect_refused "$maker: an empty file, under the range" 400 EntityTooSmall || true
  local sig tampered
  sig=$(field_of "$form" x-amz-signature)
  tampered=$(printf '%s' "$sig" | tr '0-9a-f' '1-9a-f0')  # every hex digit changed
  post "$form" "$WORK/max.bin" "x-amz-signature=$tampered"
  expect_refused "$maker: tampered signature" 403 AccessDenied || true
  local one_digit=${sig:0:63}
  [ "${sig:63}" = 0 ] && one_digit+=1 || one_digit+=0
  post "$form" "$WORK/max.bin" "x-amz-signature=$one_digit"
  expect_refused "$maker: signature with its last digit changed" 403 AccessDenied || true
  post "$form" "$WORK/max.bin" +x-amz-meta-extra=1
  expect_refused "$maker: an extra field not in the policy" 403 AccessDenied "x-amz-meta-extra" || true
  post "$form" "$WORK/max.bin" +Cache-Control=no-cache
  expect_refused "$maker: an extra Cache-Control field" 403 AccessDenied "Cache-Control" || true
  post "$form" "$WORK/max.bin" -Content-Type
  expect_refused "$maker: the Content-Type field left out" 403 AccessDenied "Content-Type" || true
  expect_absent "$maker: after the refused posts" "$bucket" "$key" "$other"

  post "$form" "$WORK/max.bin"
  expect_status "$maker: the form as made, 1024 bytes" 204 &&
    expect_stored "$maker: the form as made" "$bucket" "$key" "$WORK/max.bin" text/plain

  step "$maker: expiry (both forms signed two minutes ago)"
  local then
  then=$(amz_date_ago 120)
  form=$WORK/$maker-expired.json
  make_form "$maker" "$form" --date "$then" --expires 60 "s3://$bucket/uploads/expired.txt"
  post "$form" "$WORK/max.bin"
  expect_refused "$maker: a policy that expired a minute ago" 403 AccessDenied "expired" || true
  expect_absent "$maker: the expired policy" "$bucket" uploads/expired.txt
  form=$WORK/$maker-live.json
  make_form "$maker" "$form" --date "$then" --expires 600 "s3://$bucket/uploads/live.txt"
  post "$form" "$WORK/max.bin"
  expect_status "$maker: the same signing time, expiring in 8 minutes" 204 &&
    expect_stored "$maker: the live policy" "$bucket" uploads/live.txt "$WORK/max.bin" binary/octet-stream

  step "$maker: --key-prefix with \${filename}, Content-Type prefix, success_action_redirect"
  local redirect=http://127.0.0.1:9/uploaded stored="uploads/job-9/scan 1+x.png" location etag want
  form=$WORK/$maker-prefix.json
  make_form "$maker" "$form" --expires 600 --key-prefix --content-type-prefix image/ --max-size 4096 \
    --redirect "$redirect" "s3://$bucket/uploads/job-9/"
  [ "$(field_of "$form" key)" = 'uploads/job-9/${filename}' ] ||
    bad "$maker: the key field is '$(field_of "$form" key)', expected 'uploads/job-9/\${filename}'"
  post "$form" "$WORK/files/scan 1+x.png" "key=uploads/job-10/x.png" Content-Type=image/png
  expect_refused "$maker: a key outside the prefix" 403 AccessDenied "key" || true
  post "$form" "$WORK/files/scan 1+x.png" Content-Type=text/plain
  expect_refused "$maker: a Content-Type outside the prefix" 403 AccessDenied "Content-Type" || true
  expect_absent "$maker: outside the prefixes" "$bucket" uploads/job-10/x.png "$stored"
  post "$form" "$WORK/files/scan 1+x.png" Content-Type=image/png
  if expect_status "$maker: the prefix form with a file named 'scan 1+x.png'" 303; then
    location=$(sed -n 's/^[Ll]ocation: *//p' "$WORK/resp.headers" | tr -d '\r')
    etag=$(md5sum "$WORK/files/scan 1+x.png" | cut -d' ' -f1)
    # RGW 16 appends "?bucket=...&key=...&etag=..." (key and etag percent-encoded, the etag with
    # its quotes).
    want="$redirect?bucket=$bucket&key=uploads%2Fjob-9%2Fscan%201%2Bx.png&etag=%22$etag%22"
    if [ "$location" = "$want" ]; then
      ok "$maker: 303 to the redirect with bucket, key and etag"
    else
      bad "$maker: the 303 Location is '$location', expected '$want'"
    fi
    expect_stored "$maker: \${filename} stored" "$bucket" "$stored" "$WORK/files/scan 1+x.png" image/png
  fi

  step "$maker: temporary credentials (STS GetSessionToken): the form carries x-amz-security-token"
  local code sts_key sts_secret sts_token
  code=$(signed -o "$WORK/sts.xml" -w '%{http_code}' --aws-sigv4 "aws:amz:$REGION:sts" \
    --data-urlencode Action=GetSessionToken --data-urlencode Version=2011-06-15 \
    --data-urlencode DurationSeconds=900 "$EP/")
  [ "$code" = 200 ] || die "GetSessionToken answered $code: $(head -c 300 "$WORK/sts.xml")"
  sts_key=$(sed -n 's:.*<AccessKeyId>\([^<]*\)</AccessKeyId>.*:\1:p' "$WORK/sts.xml")
  sts_secret=$(sed -n 's:.*<SecretAccessKey>\([^<]*\)</SecretAccessKey>.*:\1:p' "$WORK/sts.xml")
  sts_token=$(sed -n 's:.*<SessionToken>\([^<]*\)</SessionToken>.*:\1:p' "$WORK/sts.xml")
  [ -n "$sts_key" ] && [ -n "$sts_secret" ] && [ -n "$sts_token" ] || die "GetSessionToken: no credentials in the answer"
  form=$WORK/$maker-sts.json
  AWS_ACCESS_KEY_ID=$sts_key AWS_SECRET_ACCESS_KEY=$sts_secret AWS_SESSION_TOKEN=$sts_token \
    make_form "$maker" "$form" --expires 300 --content-type text/plain "s3://$bucket/uploads/sts.txt"
  [ "$(field_of "$form" x-amz-security-token)" = "$sts_token" ] || bad "$maker: the form does not carry the session token"
  local saved_key=$AWS_ACCESS_KEY_ID saved_secret=$AWS_SECRET_ACCESS_KEY
  export AWS_ACCESS_KEY_ID=$sts_key AWS_SECRET_ACCESS_KEY=$sts_secret  # for verify-post
  VERIFY_ARGS=(--session-token "$sts_token")
  local other=A
  [ "${sts_token:20:1}" = A ] && other=B
  post "$form" "$WORK/max.bin" "x-amz-security-token=${sts_token:0:20}$other${sts_token:21}"
  expect_refused "$maker: the session token with one character changed" 403 AccessDenied || true
  post "$form" "$WORK/max.bin" -x-amz-security-token
  expect_refused "$maker: the session token left out" 403 AccessDenied || true
  expect_absent "$maker: the refused session forms" "$bucket" uploads/sts.txt
  post "$form" "$WORK/max.bin"
  expect_status "$maker: the form signed with temporary credentials" 204 &&
    expect_stored "$maker: temporary credentials" "$bucket" uploads/sts.txt "$WORK/max.bin" text/plain
  export AWS_ACCESS_KEY_ID=$saved_key AWS_SECRET_ACCESS_KEY=$saved_secret
  VERIFY_ARGS=()

  step "$maker: success_action_status 201"
  form=$WORK/$maker-201.json
  make_form "$maker" "$form" --expires 600 --success-status 201 "s3://$bucket/uploads/created.txt"
  post "$form" "$WORK/max.bin"
  if expect_status "$maker: success_action_status 201" 201; then
    if grep -q "<Key>uploads/created.txt</Key>" "$WORK/resp.txt" && grep -q "<Bucket>$bucket</Bucket>" "$WORK/resp.txt"; then
      ok "$maker: the 201 body is a PostResponse naming the bucket and key"
    else
      bad "$maker: the 201 body does not name the bucket and key: $(head -c 300 "$WORK/resp.txt")"
    fi
  fi

  if [ "$maker" = sigv4 ]; then
    step "sigv4: the command that --format curl prints, run as it is (with FILE named)"
    local cmd
    cmd=$("$SIGV4" presign-post --endpoint "$EP" --region "$REGION" --format curl --expires 600 \
      --content-type text/plain --max-size 4096 "s3://$bucket/uploads/curl form.txt") || die "presign-post --format curl failed"
    case $cmd in *" file=@FILE "*) ;; *) die "the curl command has no 'file=@FILE' part: $cmd" ;; esac
    cmd=${cmd/ file=@FILE / file=@$(printf '%q' "$WORK/max.bin") }
    STATUS=$(eval "$cmd -s -m 30 -o $(printf '%q' "$WORK/resp.txt") -w '%{http_code}'") || STATUS="curl failed"
    expect_status "sigv4: --format curl" 204 &&
      expect_stored "sigv4: --format curl" "$bucket" "uploads/curl form.txt" "$WORK/max.bin" text/plain
  fi

  step "$maker: IP-bound uploads (bucket policy from \`sigv4 policy\`)"
  form=$WORK/$maker-ip.json
  make_form "$maker" "$form" --expires 600 --key-prefix "s3://$bucket/ipbound/"
  post "$form" "$WORK/files/scan 1+x.png" "key=ipbound/before.png" -- --interface 127.0.0.2
  expect_status "$maker: from 127.0.0.2 before the policy" 204 || true
  "$SIGV4" policy --kind bucket --bucket "$bucket" --prefix ipbound/ --action put --allow-cidr 127.0.0.1/32 \
    >"$WORK/policy.json" || die "sigv4 policy failed"
  put_bucket_policy "$bucket" "$WORK/policy.json"
  post "$form" "$WORK/files/scan 1+x.png" "key=ipbound/outside.png" -- --interface 127.0.0.2
  expect_refused "$maker: from 127.0.0.2, outside the policy's networks" 403 AccessDenied || true
  expect_absent "$maker: the upload from outside" "$bucket" ipbound/outside.png
  post "$form" "$WORK/files/scan 1+x.png" "key=ipbound/inside.png" -- --interface 127.0.0.1
  expect_status "$maker: from 127.0.0.1, inside" 204 &&
    expect_stored "$maker: the upload from inside" "$bucket" ipbound/inside.png "$WORK/files/scan 1+x.png" \
      binary/octet-stream
}

run_cases sigv4
run_cases botocore

if [ "$COMPARED" -ge 30 ] && [ "$AGREED" -eq "$COMPARED" ]; then
  ok "sigv4 verify-post judged all $COMPARED forms RGW judged (valid or refused) as RGW did, for the same reason"
else
  bad "sigv4 verify-post agreed with RGW on $AGREED of $COMPARED forms (at least 30 expected)"
fi

printf '\npost_test: %s s\n' "$(elapsed)"
printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
