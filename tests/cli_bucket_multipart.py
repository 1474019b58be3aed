#!/usr/bin/env python3
"""Checks bucket-level presigned requests and `sigv4 multipart` (issue 14 items 6 and 7)
against botocore.

usage: cli_bucket_multipart.py <path-to-sigv4-binary>

- URLs: botocore's generate_presigned_url (clock frozen) for list_objects_v2, head_bucket,
  create_bucket, delete_bucket, list_multipart_uploads, create_multipart_upload, upload_part,
  complete_multipart_upload and abort_multipart_upload, path and virtual-hosted style, must be
  what `sigv4 presign s3://BUCKET` and `sigv4 multipart ...` print;
- `multipart body` must write the bytes botocore's rest-xml serializer writes for
  CompleteMultipartUpload; `multipart upload-id` reads the answer of AWS's documentation
  example, and reports an <Error> answer with its Code; bad steps and part numbers are usage
  errors.
"""

import datetime
import json
import os
import sys
import tempfile

from check_results import Results
from cli_presign_verify import DATE, KEY_ID, SECRET, Cli, compare_urls

import botocore.auth
import botocore.config
import botocore.serialize
import botocore.session

ENDPOINTS = {"path": "http://127.0.0.1:9000", "virtual": "https://s3.eu-west-1.amazonaws.com"}
REGION = "eu-west-1"


def boto_url(style, op, params, expires=900):
    frozen = datetime.datetime.strptime(DATE, "%Y%m%dT%H%M%SZ")
    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen
    try:
        client = botocore.session.Session().create_client(
            "s3", region_name=REGION, endpoint_url=ENDPOINTS[style], aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
            config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": style}))
        return client.generate_presigned_url(op, Params=params, ExpiresIn=expires)
    finally:
        botocore.auth.get_current_datetime = saved


CASES = [
    # (name, botocore operation, its params, the tool's arguments after the common ones)
    ("ListObjectsV2", "list_objects_v2", {"Bucket": "my-bucket"}, ["presign", "--query", "encoding-type=url", "s3://my-bucket"]),
    ("ListObjectsV2 prefix", "list_objects_v2", {"Bucket": "my-bucket", "Prefix": "logs/2024 01/", "Delimiter": "/"},
     ["presign", "--query", "prefix=logs/2024 01/", "--query", "delimiter=/", "--query", "encoding-type=url",
      "s3://my-bucket/"]),
    ("HeadBucket", "head_bucket", {"Bucket": "my-bucket"}, ["presign", "-X", "HEAD", "s3://my-bucket"]),
    ("CreateBucket", "create_bucket", {"Bucket": "my-bucket"}, ["presign", "-X", "PUT", "s3://my-bucket"]),
    ("DeleteBucket", "delete_bucket", {"Bucket": "my-bucket"}, ["presign", "-X", "DELETE", "s3://my-bucket/"]),
    ("ListMultipartUploads", "list_multipart_uploads", {"Bucket": "my-bucket"},
     ["presign", "--query", "uploads", "s3://my-bucket"]),
    ("CreateMultipartUpload", "create_multipart_upload", {"Bucket": "my-bucket", "Key": "big/file 1.bin"},
     ["multipart", "create", "s3://my-bucket/big/file 1.bin"]),
    ("UploadPart 7", "upload_part", {"Bucket": "my-bucket", "Key": "big/file 1.bin", "UploadId": "2~abc/+=", "PartNumber": 7},
     ["multipart", "part", "--upload-id", "2~abc/+=", "--part", "7", "s3://my-bucket/big/file 1.bin"]),
    ("CompleteMultipartUpload", "complete_multipart_upload",
     {"Bucket": "my-bucket", "Key": "big/file 1.bin", "UploadId": "2~abc/+="},
     ["multipart", "complete", "--upload-id", "2~abc/+=", "s3://my-bucket/big/file 1.bin"]),
    ("AbortMultipartUpload", "abort_multipart_upload", {"Bucket": "my-bucket", "Key": "big/file 1.bin", "UploadId": "2~abc/+="},
     ["multipart", "abort", "--upload-id", "2~abc/+=", "s3://my-bucket/big/file 1.bin"]),
]


def test_urls(cli, results):
    for style in ENDPOINTS:
        common = ["--endpoint", ENDPOINTS[style], "--region", REGION, "--style", style, "--date", DATE,
                  "--expires", "15m"]
        for name, op, params, args in CASES:
            rc, out, err = cli.run(args[:1] + (args[1:2] if args[0] == "multipart" else []) + common +
                                   args[(2 if args[0] == "multipart" else 1):])
            want = boto_url(style, op, params)
            diff = compare_urls(out.strip(), want) if rc == 0 else f"exit {rc}: {err}"
            results.check(f"{name} ({style}): botocore's URL", not diff, f"{diff}\ncli      {out.strip()}\nbotocore {want}")
    # --parts N: N URLs, part i on line i
    common = ["--endpoint", ENDPOINTS["path"], "--region", REGION, "--style", "path", "--date", DATE, "--expires", "900"]
    rc, out, err = cli.run(["multipart", "part"] + common + ["--upload-id", "U1", "--parts", "3", "s3://my-bucket/k"])
    lines = out.strip().split("\n")
    ok = rc == 0 and len(lines) == 3 and all(
        not compare_urls(lines[i], boto_url("path", "upload_part", {"Bucket": "my-bucket", "Key": "k", "UploadId": "U1",
                                                                     "PartNumber": i + 1})) for i in range(3))
    results.check("multipart part --parts 3: three URLs, parts 1 to 3, as botocore's", ok, f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["multipart", "create"] + common + ["--output", "json", "s3://my-bucket/k"])
    doc = json.loads(out) if rc == 0 else {}
    results.check("multipart create --output json: method POST", doc.get("method") == "POST" and doc.get("key") == "k",
                  f"{rc} {out!r} {err!r}")


def test_documents(cli, results):
    client = botocore.session.Session().create_client("s3", region_name=REGION, aws_access_key_id="A",
                                                      aws_secret_access_key="B")
    model = client.meta.service_model.operation_model("CompleteMultipartUpload")
    parts = [(1, '"a54357aff0632cce46d942af68356b38"'), (2, '"0c78aef83f66abc1fa1e8477f296d394"'), (3, '"x&y<z>"')]
    body = botocore.serialize.create_serializer("rest-xml").serialize_to_request(
        {"Bucket": "b", "Key": "k", "UploadId": "u",
         "MultipartUpload": {"Parts": [{"PartNumber": n, "ETag": e} for n, e in parts]}}, model)["body"]
    rc, out, err = cli.run(["multipart", "body"], stdin="".join(f"{n} {e}\n" for n, e in parts).encode())
    results.check("multipart body: botocore's CompleteMultipartUpload bytes", rc == 0 and out.encode() == body + b"\n",
                  f"{rc} {out!r} {err!r}\nbotocore {body!r}")
    for bad, why in ((b"2 \"a\"\n1 \"b\"\n", "ascending"), (b"0 \"a\"\n", "1 to 10000"), (b"1\n", "PART-NUMBER ETAG"),
                     (b"", "at least one part")):
        rc, out, err = cli.run(["multipart", "body"], stdin=bad)
        results.check(f"multipart body refuses {bad!r}", rc in (1, 2) and out == "" and why in err, f"{rc} {err!r}")
    # AWS's example answer (Amazon S3 API Reference, CreateMultipartUpload, "Sample Response")
    answer = (b'<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult '
              b'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n  <Bucket>example-bucket</Bucket>\n'
              b'  <Key>example-object</Key>\n  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA'
              b'</UploadId>\n</InitiateMultipartUploadResult>')
    rc, out, err = cli.run(["multipart", "upload-id"], stdin=answer)
    results.check("multipart upload-id: AWS's example answer", rc == 0 and
                  out == "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA\n", f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["multipart", "upload-id"], stdin=answer.replace(b"VXBsb2Fk", b"a&amp;b"))
    results.check("multipart upload-id: entities decoded", rc == 0 and out.startswith("a&b"), f"{rc} {out!r}")
    error = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code>'
             b'<Message>The specified bucket does not exist</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>')
    rc, out, err = cli.run(["multipart", "upload-id"], stdin=error)
    results.check("multipart upload-id: an <Error> answer names its Code and Message",
                  rc == 1 and out == "" and "NoSuchBucket" in err and "does not exist" in err, f"{rc} {err!r}")
    for bad in (b"<ListBucketResult/>", answer.replace(b"</UploadId>", b"</UploadId><UploadId>x</UploadId>"),
                answer.replace(b"VXBsb2Fk", b"a&bogus;b"), answer.replace(b"VXBsb2Fk", b"<b>x</b>"), b""):
        rc, out, err = cli.run(["multipart", "upload-id"], stdin=bad)
        results.check(f"multipart upload-id refuses {bad[:60]!r}", rc == 1 and out == "", f"{rc} {out!r} {err!r}")
    for args, word in ((["multipart"], "missing the step"), (["multipart", "explode"], "unknown step"),
                       (["multipart", "part", "--upload-id", "u", "s3://my-bucket/k"], "--part N or --parts N"),
                       (["multipart", "part", "--upload-id", "u", "--part", "10001", "s3://my-bucket/k"], "--part"),
                       (["multipart", "complete", "s3://my-bucket/k"], "--upload-id"),
                       (["multipart", "create", "s3://my-bucket"], "s3://BUCKET/KEY"),
                       (["multipart", "abort", "-X", "GET", "--upload-id", "u", "s3://my-bucket/k"], "-X")):
        rc, out, err = cli.run(args)
        results.check(f"{' '.join(args)}: usage error", rc == 2 and word in err, f"{rc} {err!r}")
    rc, out, err = cli.run(["presign", "--endpoint", ENDPOINTS["path"], "s3://my-bucket/", "-X", "PUT", "--acl", "private"])
    results.check("a bucket PUT does not sign the upload ACL", rc == 0 and "x-amz-acl" not in out, f"{rc} {out!r}")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    results = Results()
    with tempfile.TemporaryDirectory(prefix="sigv4-cli-mp-") as tmp:
        cli = Cli(os.path.abspath(sys.argv[1]), tmp)
        test_urls(cli, results)
        test_documents(cli, results)
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
