#!/usr/bin/env bash
# `sigv4 sign --presign --service s3 --no-normalize` against the RGW fixture (ctest:
# sign_query_integration, label integration): raw requests whose query holds '+', '%2B', '%20'
# and a raw '=' in a value, and whose path is percent-encoded as sent, become URLs that the
# real server accepts and that `sigv4 verify` accepts.
#
#   sign_query_test.sh SIGV4_CLI
#
# 1. Objects with escaped keys ("my file.txt", "a+b=c.txt", "ሴ/€ x.txt", ...) are uploaded
#    with presigned PUTs made by `sigv4 sign` from the escaped request line, and read back by
#    key through a second, independently built URL (ListObjects of the bucket must name each
#    key decoded).
# 2. GETs with response-content-type / -disposition overrides: RGW answers 200 with the
#    object and echoes the override decoded as it read it ('+' a space, %2B a plus, the value
#    everything after the first '='), which must be the value S3 and MinIO would read.
# 3. ListObjects with prefix=my+fi: the key "my file.txt" is listed only if '+' is a space.
# 4. Controls, so that the test can fail: the same URL with '+' turned into %2B after signing
#    (or a changed override) is refused by RGW (403) and by `sigv4 verify`.
#
# The server comes from SIGV4_RGW_* in the environment, else rgw.sh's env file
# ($SIGV4_RGW_ENV_FILE, else $SIGV4_RGW_DIR/env, else /tmp/sigv4-rgw/env). A server that is not
# running is a failure.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 SIGV4_CLI" >&2
  exit 2
fi
CLI=$1

FAILS=0
PASSES=0
fail_now() {
  printf 'sign_query_test: FAIL: %s\n' "$*" >&2
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

# --- the server ------------------------------------------------------------------------------
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
curl -s -o /dev/null -m 5 "$EP/" ||
  fail_now "the RGW fixture does not answer at $EP; start it with \`bash tests/integration/rgw.sh start\`"
HOST=${EP#*://}
HOST=${HOST%%/*}
echo "endpoint $EP (Host: $HOST), region $REGION"

unset AWS_SESSION_TOKEN AWS_SESSION_TOKEN_FILE AWS_PROFILE AWS_ACCESS_KEY_ID_FILE AWS_SECRET_ACCESS_KEY_FILE \
  MINIO_ROOT_USER MINIO_ROOT_PASSWORD MINIO_ACCESS_KEY MINIO_SECRET_KEY
export AWS_ACCESS_KEY_ID=$SIGV4_RGW_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SIGV4_RGW_SECRET_KEY
export AWS_REGION=$REGION

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sigv4-signq.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# presign METHOD TARGET: the URL `sigv4 sign --presign --service s3 --no-normalize` makes of the
# raw request line "METHOD TARGET HTTP/1.1" (TARGET as sent on the wire); checks that the tool
# printed the request line's path and query unchanged in front of the signature.
presign() {
  local out line target
  out=$(printf '%s %s HTTP/1.1\nHost: %s\n\n' "$1" "$2" "$HOST" |
    "$CLI" sign --service s3 --region "$REGION" --presign --no-normalize) ||
    fail_now "sigv4 sign refused $1 $2"
  line=${out%%$'\n'*}
  target=${line#* }
  target=${target% HTTP/1.1}
  case $target in
    "$2"[?\&]X-Amz-Algorithm=*) ;;
    *) fail_now "sigv4 sign changed the request line: '$2' became '${target%%X-Amz-*}'" ;;
  esac
  printf '%s%s' "$EP" "$target"
}

fetch() { # fetch URL OUT [curl options]: the status; body to OUT, headers to OUT.headers
  local url=$1 out=$2
  shift 2
  curl -s -g --path-as-is -m 20 -D "$out.headers" -o "$out" -w '%{http_code}' "$@" "$url"
}

header_of() { # header_of FILE NAME: the value of a response header
  sed -n "s/^$2: *//Ip" "$1" | tr -d '\r' | head -n 1
}

verifies() { # verifies URL [METHOD]: sigv4 verify's one-word answer
  "$CLI" verify --region "$REGION" -X "${2:-GET}" "$1" 2>&1 || true
}

# --- 1. objects with escaped keys ------------------------------------------------------------
BUCKET=sigv4-signq-$(date +%s)-$$
url=$(presign PUT "/$BUCKET")
code=$(fetch "$url" "$WORK/bucket.out" -X PUT)
[ "$code" = 200 ] || fail_now "CreateBucket by a presigned PUT answered $code: $(head -c 300 "$WORK/bucket.out")"
echo "bucket $BUCKET"

# wire path (after /BUCKET) | the key it names
OBJECTS=(
  "k.txt|k.txt"
  "my%20file.txt|my file.txt"
  "a%2Bb%3Dc.txt|a+b=c.txt"
  "%E1%88%B4/%E2%82%AC%20x.txt|ሴ/€ x.txt"
  "dir/%24file%26%40.txt|dir/\$file&@.txt"
  "semi%3B%2C%21%27%28%29.txt|semi;,!'().txt"
)
for entry in "${OBJECTS[@]}"; do
  wire=${entry%%|*}
  key=${entry#*|}
  printf 'object %s\n' "$key" >"$WORK/body"
  url=$(presign PUT "/$BUCKET/$wire")
  code=$(fetch "$url" "$WORK/put.out" -T "$WORK/body")
  check "presigned PUT /$BUCKET/$wire" "$([ "$code" = 200 ]; echo $?)" "RGW answered $code: $(head -c 300 "$WORK/put.out")"
  v=$(verifies "$url" PUT)
  check "sigv4 verify accepts the PUT /$BUCKET/$wire" "$([ "$v" = valid ]; echo $?)" "$v"
  url=$(presign GET "/$BUCKET/$wire")
  code=$(fetch "$url" "$WORK/get.out")
  check "presigned GET /$BUCKET/$wire returns the object" \
    "$([ "$code" = 200 ] && cmp -s "$WORK/body" "$WORK/get.out"; echo $?)" \
    "RGW answered $code: $(head -c 300 "$WORK/get.out")"
  v=$(verifies "$url")
  check "sigv4 verify accepts the GET /$BUCKET/$wire" "$([ "$v" = valid ]; echo $?)" "$v"
done

# Each key is stored decoded: ListObjects (XML escapes & as &amp;) names every one of them.
url=$(presign GET "/$BUCKET/?list-type=2")
code=$(fetch "$url" "$WORK/list.xml")
[ "$code" = 200 ] || fail_now "ListObjectsV2 answered $code: $(head -c 300 "$WORK/list.xml")"
for entry in "${OBJECTS[@]}"; do
  key=${entry#*|}
  xml_key=${key//&/"&amp;"}  # quoted: bash 5.2 reads an unquoted '&' in the replacement as the match
  xml_key=${xml_key//\'/"&apos;"}
  listed=1
  grep -qF "<Key>$xml_key</Key>" "$WORK/list.xml" && listed=0
  check "the bucket lists the key '$key'" "$listed" "$(grep -o '<Key>[^<]*</Key>' "$WORK/list.xml" | tr '\n' ' ')"
done

# --- 2. response overrides: RGW echoes what it decoded ----------------------------------------
# raw query | header | the value S3 and MinIO read (Go's url.ParseQuery: '+' a space, %XX, the
# value everything after the first '=')
OVERRIDES=(
  "response-content-type=text/plain+x|Content-Type|text/plain x"
  "response-content-type=text%2Fplain%2Bx|Content-Type|text/plain+x"
  "response-content-type=a=b|Content-Type|a=b"
  "response-content-type=x+y%2Bz%20w=v|Content-Type|x y+z w=v"
  "response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22|Content-Disposition|attachment; filename=\"a b.txt\""
  "response-content-disposition=attachment;+filename=%22a+b%2Bc.txt%22|Content-Disposition|attachment; filename=\"a b+c.txt\""
  "response-cache-control=no-cache,+max-age=0|Cache-Control|no-cache, max-age=0"
)
for target_path in "/$BUCKET/k.txt" "/$BUCKET/a%2Bb%3Dc.txt" "/$BUCKET/my%20file.txt"; do
  for entry in "${OVERRIDES[@]}"; do
    query=${entry%%|*}
    rest=${entry#*|}
    header=${rest%%|*}
    want=${rest#*|}
    url=$(presign GET "$target_path?$query")
    code=$(fetch "$url" "$WORK/o.out")
    got=$(header_of "$WORK/o.out.headers" "$header")
    check "GET $target_path?$query: 200 and $header '$want'" \
      "$([ "$code" = 200 ] && [ "$got" = "$want" ]; echo $?)" \
      "RGW answered $code with $header '$got': $(head -c 300 "$WORK/o.out")"
    v=$(verifies "$url")
    check "sigv4 verify accepts GET $target_path?$query" "$([ "$v" = valid ]; echo $?)" "$v"
  done
done

# --- 3. a listing prefix with '+' -------------------------------------------------------------
for query in "list-type=2&prefix=my+fi" "prefix=my+fi&delimiter=/" "list-type=2&prefix=%E1%88%B4/&delimiter=/"; do
  url=$(presign GET "/$BUCKET/?$query")
  code=$(fetch "$url" "$WORK/l.xml")
  case $query in
    *my+fi*) want="<Key>my file.txt</Key>" ;;
    *) want="<Key>ሴ/€ x.txt</Key>" ;;
  esac
  check "ListObjects ?$query names $want" "$([ "$code" = 200 ] && grep -qF "$want" "$WORK/l.xml"; echo $?)" \
    "RGW answered $code: $(head -c 400 "$WORK/l.xml")"
  v=$(verifies "$url")
  check "sigv4 verify accepts GET /$BUCKET/?$query" "$([ "$v" = valid ]; echo $?)" "$v"
done

# --- 4. controls: a change after signing is refused --------------------------------------------
url=$(presign GET "/$BUCKET/k.txt?response-content-type=text/plain+x")
tampered=${url/text\/plain+x/text\/plain%2Bx}
[ "$tampered" != "$url" ] || fail_now "could not tamper with the URL"
code=$(fetch "$tampered" "$WORK/t.out")
check "RGW refuses the URL with '+' changed to %2B after signing" "$([ "$code" = 403 ]; echo $?)" "RGW answered $code"
v=$(verifies "$tampered")
check "sigv4 verify refuses it" "$([ "$v" = "invalid: signature mismatch" ]; echo $?)" "$v"
tampered=${url/text\/plain+x/text\/plain+y}
code=$(fetch "$tampered" "$WORK/t.out")
check "RGW refuses the URL with its override changed after signing" "$([ "$code" = 403 ]; echo $?)" "RGW answered $code"

printf '\nsign_query_test: %d passed, %d failed\n' "$PASSES" "$FAILS"
[ "$FAILS" = 0 ]
