#!/usr/bin/env bash
# Bucket requests and `sigv4 multipart` against the RGW fixture (ctest: cli_multipart_integration,
# label integration), with curl and nothing else:
# 1. CreateBucket (presign -X PUT s3://B), HeadBucket 200;
# 2. a multipart upload: create, upload-id, three parts (5 MiB, 5 MiB, 1 KiB) with their ETags,
#    body, complete; the object downloaded equals the file; ListObjectsV2 --query prefix=
#    names it;
# 3. an aborted upload: ListMultipartUploads shows it before the abort and not after;
# 4. DeleteObject and DeleteBucket; HeadBucket then 404. A tampered part URL is refused (403).
#
#   cli_multipart_test.sh SIGV4_CLI
#
# The server comes from SIGV4_RGW_* in the environment, else rgw.sh's env file.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 SIGV4_CLI" >&2; exit 2; }
CLI=$1
FAILS=0
PASSES=0
fail_now() { printf 'cli_multipart_test: FAIL: %s\n' "$*" >&2; exit 1; }
check() { # check WHAT STATUS DETAIL
  if [ "$2" = 0 ]; then PASSES=$((PASSES + 1)); echo "ok   $1"; else FAILS=$((FAILS + 1)); printf 'FAIL %s\n     %s\n' "$1" "$3"; fi
}
is() { [ "$1" = "$2" ] && echo 0 || echo 1; }

if [ -z "${SIGV4_RGW_ENDPOINT:-}" ]; then
  ENV_FILE=${SIGV4_RGW_ENV_FILE:-${SIGV4_RGW_DIR:-/tmp/sigv4-rgw}/env}
  [ -r "$ENV_FILE" ] || fail_now "the RGW fixture is not running ($ENV_FILE cannot be read); start it with \`bash tests/integration/rgw.sh start\`"
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi
EP=${SIGV4_RGW_ENDPOINT%/}
curl -s -o /dev/null -m 5 "$EP/" || fail_now "the RGW fixture does not answer at $EP"
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 MINIO_ROOT_USER MINIO_ACCESS_KEY
export AWS_ACCESS_KEY_ID=$SIGV4_RGW_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SIGV4_RGW_SECRET_KEY
export AWS_REGION=${SIGV4_RGW_REGION:-us-east-1} AWS_ENDPOINT_URL_S3=$EP HOME=/nonexistent
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sigv4-mp.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
code() { curl -s -o "$WORK/last" -D "$WORK/last.headers" -w '%{http_code}' -m 60 "$@"; }

BUCKET=sigv4-mp-$(date +%s)-$$
KEY="big/file one.bin"
# --- 1 ------------------------------------------------------------------------------------------
c=$(code -X PUT "$("$CLI" presign -X PUT "s3://$BUCKET")")
check "CreateBucket by presign -X PUT s3://BUCKET" "$(is "$c" 200)" "$c $(head -c 300 "$WORK/last")"
c=$(code -I "$("$CLI" presign -X HEAD "s3://$BUCKET/")")
check "HeadBucket by presign -X HEAD s3://BUCKET/" "$(is "$c" 200)" "$c"

# --- 2 ------------------------------------------------------------------------------------------
head -c $((5 * 1024 * 1024)) /dev/urandom >"$WORK/p1"
head -c $((5 * 1024 * 1024)) /dev/urandom >"$WORK/p2"
head -c 1024 /dev/urandom >"$WORK/p3"
cat "$WORK/p1" "$WORK/p2" "$WORK/p3" >"$WORK/whole"
c=$(code -X POST "$("$CLI" multipart create "s3://$BUCKET/$KEY")")
[ "$c" = 200 ] || fail_now "CreateMultipartUpload answered $c: $(head -c 300 "$WORK/last")"
ID=$("$CLI" multipart upload-id <"$WORK/last") || fail_now "multipart upload-id refused the answer"
check "multipart create + upload-id: an UploadId" "$([ -n "$ID" ] && echo 0 || echo 1)" "$ID"
"$CLI" multipart part --upload-id "$ID" --parts 3 "s3://$BUCKET/$KEY" >"$WORK/urls"
: >"$WORK/etags"
n=0
while IFS= read -r url; do
  n=$((n + 1))
  c=$(code -T "$WORK/p$n" "$url")
  etag=$(sed -n 's/^etag: *//Ip' "$WORK/last.headers" | tr -d '\r')
  check "UploadPart $n" "$([ "$c" = 200 ] && [ -n "$etag" ] && echo 0 || echo 1)" "$c $etag"
  printf '%s %s\n' "$n" "$etag" >>"$WORK/etags"
done <"$WORK/urls"
tampered=$(sed -n 1p "$WORK/urls" | sed 's/partNumber=1/partNumber=2/')
c=$(code -T "$WORK/p3" "$tampered")
check "control: a part URL with another partNumber is refused (403)" "$(is "$c" 403)" "$c"
"$CLI" multipart body <"$WORK/etags" >"$WORK/body"
c=$(code -X POST -H 'Content-Type: application/xml' --data-binary "@$WORK/body" \
  "$("$CLI" multipart complete --upload-id "$ID" "s3://$BUCKET/$KEY")")
check "CompleteMultipartUpload with the body of multipart body" \
  "$([ "$c" = 200 ] && ! grep -q '<Error>' "$WORK/last" && echo 0 || echo 1)" "$c $(head -c 300 "$WORK/last")"
c=$(curl -s -o "$WORK/got" -w '%{http_code}' -m 60 "$("$CLI" presign "s3://$BUCKET/$KEY")")
cmp -s "$WORK/whole" "$WORK/got" && same=0 || same=1
check "the object downloaded equals the three parts" "$([ "$c" = 200 ] && echo $same || echo 1)" "$c"
c=$(code "$("$CLI" presign --query prefix=big/ "s3://$BUCKET")")
check "ListObjectsV2 --query prefix=big/ names the key" \
  "$([ "$c" = 200 ] && grep -q "<Key>$KEY</Key>" "$WORK/last" && echo 0 || echo 1)" "$c $(head -c 300 "$WORK/last")"

# --- 3 ------------------------------------------------------------------------------------------
c=$(code -X POST "$("$CLI" multipart create "s3://$BUCKET/aborted.bin")")
ID2=$("$CLI" multipart upload-id <"$WORK/last") || fail_now "no UploadId for the upload to abort ($c)"
c=$(code "$("$CLI" presign --query uploads "s3://$BUCKET")")
check "ListMultipartUploads shows the open upload" \
  "$([ "$c" = 200 ] && grep -q "<UploadId>$ID2</UploadId>" "$WORK/last" && echo 0 || echo 1)" "$c $(head -c 300 "$WORK/last")"
c=$(code -X DELETE "$("$CLI" multipart abort --upload-id "$ID2" "s3://$BUCKET/aborted.bin")")
check "AbortMultipartUpload (204)" "$(is "$c" 204)" "$c"
c=$(code "$("$CLI" presign --query uploads "s3://$BUCKET")")
check "ListMultipartUploads: nothing left behind after the abort" \
  "$([ "$c" = 200 ] && ! grep -q "<Upload>" "$WORK/last" && echo 0 || echo 1)" "$c $(head -c 300 "$WORK/last")"

# --- 4 ------------------------------------------------------------------------------------------
c=$(code -X DELETE "$("$CLI" presign -X DELETE "s3://$BUCKET/$KEY")")
check "DeleteObject" "$(is "$c" 204)" "$c"
c=$(code -X DELETE "$("$CLI" presign -X DELETE "s3://$BUCKET")")
check "DeleteBucket by presign -X DELETE s3://BUCKET" "$(is "$c" 204)" "$c $(head -c 300 "$WORK/last")"
c=$(code -I "$("$CLI" presign -X HEAD "s3://$BUCKET")")
check "HeadBucket after DeleteBucket: 404" "$(is "$c" 404)" "$c"

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
