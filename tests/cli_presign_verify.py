#!/usr/bin/env python3
"""Checks `sigv4 presign` and `sigv4 verify` from the outside.

usage: cli_presign_verify.py <path-to-sigv4-binary>

The URLs printed by `sigv4 presign` are compared with what botocore's low-level
presigner (botocore.auth.S3SigV4QueryAuth, with its clock frozen) makes of a URL
this script builds on its own: the same scheme, host and path, the same decoded
and encoded query parameters, the same signature. Then AWS's published presigned
URL example, the environment defaults, --profile, --batch, bad inputs and their
exit statuses, and `sigv4 verify` on URLs of both signers.

Every run gets an environment of its own: no AWS_* or MINIO_* variable from the
caller's, and HOME pointing at an empty temporary folder, so that the machine's
~/.aws is never read. Python 3 standard library and botocore.
"""

import datetime
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

from check_results import Results

import botocore.auth
import botocore.awsrequest
import botocore.credentials

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DATE = "20130524T000000Z"

# AWS's example, "Authenticating Requests: Using Query Parameters" (Amazon S3 API reference).
AWS_EXAMPLE_URL = (
    "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
)


class Cli:
    """Runs the binary in a clean environment rooted at a temporary HOME."""

    def __init__(self, binary, home):
        self.binary = binary
        self.home = home

    def env(self, extra=None, creds=True):
        env = {k: v for k, v in os.environ.items() if not (k.startswith("AWS_") or k.startswith("MINIO_"))}
        env["HOME"] = self.home
        if creds:
            env["AWS_ACCESS_KEY_ID"] = KEY_ID
            env["AWS_SECRET_ACCESS_KEY"] = SECRET
        for k, v in (extra or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def run(self, args, extra_env=None, creds=True, stdin=b""):
        """(exit status, stdout, stderr); a run that hangs counts as exit status None."""
        try:
            p = subprocess.run(
                [self.binary] + list(args),
                input=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.env(extra_env, creds),
                timeout=30,
            )
        except subprocess.TimeoutExpired:
            return None, "", "<timed out after 30 s>"
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# The reference: botocore's presigner on a URL built here.


def is_ipv4(host):
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts)


def reference_url(endpoint, style, bucket, key, query):
    """The unsigned URL the CLI should sign, built from the rules of S3 addressing."""
    parts = urllib.parse.urlsplit(endpoint)
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = "[" + host + "]"
    port = parts.port
    if port is not None and port != (443 if scheme == "https" else 80):
        authority = f"{host}:{port}"
    else:
        authority = host
    bare = host.strip("[]")
    ip_literal = is_ipv4(bare) or ":" in bare
    if style == "virtual":
        virtual = True
    elif style == "path":
        virtual = False
    else:
        aws = host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn")
        virtual = aws and not ip_literal and not (scheme == "https" and "." in bucket)
    path = "/" + urllib.parse.quote(key.encode("utf-8"), safe="/~")
    if virtual:
        authority = bucket + "." + authority
    else:
        path = "/" + bucket + path
    q = "&".join(
        urllib.parse.quote(n, safe="-_.~") + "=" + urllib.parse.quote(v, safe="-_.~") for n, v in query
    )
    return urllib.parse.urlunsplit((scheme, authority, path, q, ""))


def botocore_presign(method, url, headers, key_id, secret, token, region, expires, date):
    """botocore.auth.S3SigV4QueryAuth on `url`, at `date` (YYYYMMDDTHHMMSSZ)."""
    creds = botocore.credentials.Credentials(key_id, secret, token)
    signer = botocore.auth.S3SigV4QueryAuth(creds, "s3", region, expires=expires)
    request = botocore.awsrequest.AWSRequest(method=method, url=url, headers=dict(headers))
    frozen = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")
    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen
    try:
        signer.add_auth(request)
    finally:
        botocore.auth.get_current_datetime = saved
    return request.url


def raw_pairs(query):
    out = []
    for piece in query.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            out.append((name, value))
    return sorted(out)


def compare_urls(cli_url, boto_url):
    """'' when the URLs agree on everything that matters, else what differs."""
    a = urllib.parse.urlsplit(cli_url)
    b = urllib.parse.urlsplit(boto_url)
    problems = []
    for what, x, y in (("scheme", a.scheme, b.scheme), ("host", a.netloc, b.netloc), ("path", a.path, b.path)):
        if x != y:
            problems.append(f"{what}: cli {x!r} botocore {y!r}")
    da = sorted(urllib.parse.parse_qsl(a.query, keep_blank_values=True))
    db = sorted(urllib.parse.parse_qsl(b.query, keep_blank_values=True))
    if da != db:
        problems.append(f"decoded query:\n  cli      {da}\n  botocore {db}")
    elif raw_pairs(a.query) != raw_pairs(b.query):
        problems.append(f"encoded query:\n  cli      {raw_pairs(a.query)}\n  botocore {raw_pairs(b.query)}")
    sa = dict(urllib.parse.parse_qsl(a.query)).get("X-Amz-Signature")
    sb = dict(urllib.parse.parse_qsl(b.query)).get("X-Amz-Signature")
    if not sa or sa != sb:
        problems.append(f"signature: cli {sa} botocore {sb}")
    return "\n".join(problems)


# ---------------------------------------------------------------------------
# presign against botocore

# Each case: the CLI's flags come from these fields; "env" adds variables (None unsets).
CASES = [
    dict(name="GET, default endpoint, auto style (virtual)", bucket="photos", key="cat.jpg"),
    dict(name="GET, MinIO on 127.0.0.1:9000 (auto: path)", endpoint="http://127.0.0.1:9000", bucket="bucket", key="a/b.txt"),
    dict(name="PUT, s3.amazonaws.com, virtual", method="PUT", endpoint="https://s3.amazonaws.com", style="virtual",
         bucket="examplebucket", key="upload.bin"),
    dict(name="HEAD, s3.amazonaws.com, path", method="HEAD", endpoint="https://s3.amazonaws.com", style="path",
         bucket="examplebucket", key="meta.json"),
    dict(name="DELETE, MinIO", method="DELETE", endpoint="http://127.0.0.1:9000", bucket="trash", key="old/file"),
    dict(name="key with spaces", endpoint="http://127.0.0.1:9000", bucket="bucket", key="my photos/summer 2024.jpg"),
    dict(name="key with '+'", endpoint="https://s3.amazonaws.com", bucket="bucket", key="a+b+c.txt"),
    dict(name="key with a literal '%'", endpoint="http://127.0.0.1:9000", bucket="bucket", key="100%25 done%.txt"),
    dict(name="unicode key", endpoint="https://s3.amazonaws.com", style="virtual", bucket="bucket",
         key="r\u00e9sum\u00e9/\u65e5\u672c\u8a9e \U0001f600.txt"),
    dict(name="key with a leading slash", endpoint="http://127.0.0.1:9000", bucket="bucket", key="/leading/slash"),
    dict(name="key with '//', '.' and '..'", endpoint="https://s3.amazonaws.com", style="path", bucket="bucket",
         key="a//b/./../c"),
    dict(name="key with sub-delimiters and '~'", endpoint="http://127.0.0.1:9000", bucket="bucket",
         key="~user/!$&'()*,;=:@x"),
    dict(name="key with '?', '#', '&' and '='", endpoint="https://s3.amazonaws.com", bucket="bucket",
         key="what?is#this&a=b"),
    dict(name="--query response-content-type", endpoint="http://127.0.0.1:9000", bucket="bucket", key="k",
         query=[("response-content-type", "text/plain; charset=utf-8")]),
    dict(name="--query response-content-disposition", endpoint="https://s3.amazonaws.com", bucket="bucket",
         key="report.pdf", query=[("response-content-disposition", 'attachment; filename="q3 report.pdf"')]),
    dict(name="--query without '=' (empty value)", method="PUT", endpoint="http://127.0.0.1:9000", bucket="bucket",
         key="k", query=[("acl", "")]),
    dict(name="--query partNumber and uploadId", method="PUT", endpoint="https://s3.amazonaws.com", bucket="bucket",
         key="big.iso", query=[("partNumber", "3"), ("uploadId", "VXBsb2FkIElE/+=x")]),
    dict(name="--version-id", endpoint="https://s3.amazonaws.com", bucket="bucket", key="doc.txt",
         version_id="3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo"),
    dict(name="--version-id and --query together", endpoint="http://127.0.0.1:9000", bucket="bucket", key="doc.txt",
         version_id="null", query=[("response-cache-control", "no-cache")]),
    dict(name="--header Content-Type on a PUT", method="PUT", endpoint="http://127.0.0.1:9000", bucket="bucket",
         key="image.tiff", headers=[("Content-Type", "image/tiff")]),
    dict(name="--header value with blanks to trim and collapse", method="PUT", endpoint="https://s3.amazonaws.com",
         bucket="bucket", key="k", headers=[("x-amz-meta-note", "  two  words\tand tab  ")]),
    dict(name="several --header, mixed case names", method="PUT", endpoint="https://s3.amazonaws.com",
         style="virtual", bucket="bucket", key="k",
         headers=[("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="), ("X-Amz-Server-Side-Encryption", "AES256"),
                  ("Content-Type", "application/octet-stream"), ("X-Amz-Meta-Color", "Blue")]),
    dict(name="session token from AWS_SESSION_TOKEN", endpoint="https://s3.amazonaws.com", bucket="bucket", key="k",
         token="FwoGZXIvYXdzEBYaDH+/tokenvalue==", token_via="env"),
    dict(name="--session-token", endpoint="http://127.0.0.1:9000", bucket="bucket", key="k",
         token="IQoJb3JpZ2luX2VjEJr//////////wEaCXVz+ZWFzdC0x==", token_via="flag"),
    dict(name="--session-token overrides AWS_SESSION_TOKEN", endpoint="http://127.0.0.1:9000", bucket="bucket",
         key="k", token="the-flag-token", token_via="flag", env={"AWS_SESSION_TOKEN": "the-env-token"}),
    dict(name="token, query and header together", method="PUT", endpoint="https://s3.amazonaws.com", bucket="bucket",
         key="dir/f i+le", token="tok/en+with=signs", token_via="env", query=[("x-id", "PutObject")],
         headers=[("Content-Type", "text/csv")]),
    dict(name="--region eu-west-3, default endpoint", region="eu-west-3", bucket="bucket", key="k"),
    dict(name="AWS_REGION and AWS_ENDPOINT_URL from the environment", region="ap-southeast-2", region_via="env",
         endpoint="http://minio.internal:9000", endpoint_via="env", bucket="bucket", key="k"),
    dict(name="--expires 1", endpoint="http://127.0.0.1:9000", bucket="bucket", key="k", expires=1),
    dict(name="--expires 604800", endpoint="http://127.0.0.1:9000", bucket="bucket", key="k", expires=604800),
    dict(name="last second of a leap day", endpoint="https://s3.amazonaws.com", bucket="bucket", key="k",
         date="20240229T235959Z"),
    dict(name="localhost, virtual style", endpoint="http://localhost:9000", style="virtual", bucket="bucket", key="k"),
    dict(name="https with the default port :443", endpoint="https://minio.example.com:443", bucket="bucket", key="k"),
    dict(name="http with the default port :80", endpoint="http://127.0.0.1:80", bucket="bucket", key="k"),
    dict(name="IPv6 literal endpoint", endpoint="http://[::1]:9000", bucket="bucket", key="k"),
    dict(name="dotted bucket over https, auto (path)", endpoint="https://s3.us-west-2.amazonaws.com",
         region="us-west-2", bucket="my.dotted.bucket", key="k"),
    dict(name="dotted bucket over http, auto (virtual)", endpoint="http://s3.us-west-2.amazonaws.com",
         region="us-west-2", bucket="my.dotted.bucket", key="k"),
    dict(name="dotted bucket, --style virtual", endpoint="https://s3.amazonaws.com", style="virtual",
         bucket="my.dotted.bucket", key="k"),
    dict(name="upper-case endpoint host", endpoint="HTTPS://S3.EU-WEST-1.AMAZONAWS.COM", region="eu-west-1",
         bucket="bucket", key="K"),
    dict(name="1024-byte key", endpoint="http://127.0.0.1:9000", bucket="bucket", key="k/" + "x" * 1022),
    dict(name="key with a tab", endpoint="http://127.0.0.1:9000", bucket="bucket", key="a\tb"),
    dict(name="everything: PUT, virtual, eu-central-1, token, query, headers", method="PUT",
         endpoint="https://s3.eu-central-1.amazonaws.com", style="virtual", region="eu-central-1",
         bucket="data-lake-01", key="raw/2024/01/01/events 00.json.gz", token="session+token/x",
         token_via="flag", query=[("response-content-encoding", "gzip")], version_id=None,
         headers=[("Content-Encoding", "gzip"), ("x-amz-storage-class", "STANDARD_IA")],
         expires=900, date="20240101T000001Z"),
]


def case_invocation(case):
    """The CLI's arguments and environment for a case, and what botocore should be given."""
    method = case.get("method", "GET")
    region = case.get("region", "us-east-1")
    expires = case.get("expires", 3600)
    date = case.get("date", DATE)
    style = case.get("style", "auto")
    query = list(case.get("query", []))
    headers = list(case.get("headers", []))
    token = case.get("token")
    env = dict(case.get("env", {}))
    args = ["presign", "--date", date]
    if "method" in case:
        args += ["-X", method]
    if "expires" in case:
        args += ["--expires", str(expires)]
    if "style" in case:
        args += ["--style", style]
    endpoint = case.get("endpoint")
    if endpoint is None:
        endpoint = f"https://s3.{region}.amazonaws.com"
    elif case.get("endpoint_via") == "env":
        env["AWS_ENDPOINT_URL"] = endpoint
    else:
        args += ["--endpoint", endpoint]
    if "region" in case:
        if case.get("region_via") == "env":
            env["AWS_REGION"] = region
        else:
            args += ["--region", region]
    for n, v in case.get("query", []):
        args += ["--query", f"{n}={v}" if v else n]
    if case.get("version_id"):
        args += ["--version-id", case["version_id"]]
        query.append(("versionId", case["version_id"]))
    for n, v in headers:
        args += ["--header", f"{n}: {v}"]
    if token is not None:
        if case.get("token_via") == "env":
            env["AWS_SESSION_TOKEN"] = token
        else:
            args += ["--session-token", token]
    args.append(f"s3://{case['bucket']}/{case['key']}")
    ref = dict(method=method, endpoint=endpoint, style=style, bucket=case["bucket"], key=case["key"], query=query,
               headers=headers, token=token, region=region, expires=expires, date=date)
    return args, env, ref


def test_presign_vs_botocore(cli, results):
    for case in CASES:
        args, env, ref = case_invocation(case)
        rc, out, err = cli.run(args, env)
        name = "presign vs botocore: " + case["name"]
        if not results.check(name + " (exit 0)", rc == 0 and out.endswith("\n") and out.count("\n") == 1,
                             f"exit {rc}\nstdout {out!r}\nstderr {err!r}"):
            continue
        cli_url = out[:-1]
        unsigned = reference_url(ref["endpoint"], ref["style"], ref["bucket"], ref["key"], ref["query"])
        boto_url = botocore_presign(ref["method"], unsigned, ref["headers"], KEY_ID, SECRET, ref["token"],
                                    ref["region"], ref["expires"], ref["date"])
        diff = compare_urls(cli_url, boto_url)
        results.check(name, not diff, f"{diff}\ncli      {cli_url}\nbotocore {boto_url}")
        # The CLI's own verifier accepts what the CLI signed, with the same headers.
        vargs = ["verify", "-X", ref["method"], "--now", ref["date"], "--region", ref["region"]]
        if ref["token"] is not None:
            vargs += ["--session-token", ref["token"]]
        for n, v in ref["headers"]:
            vargs += ["--header", f"{n}: {v}"]
        rc, out, err = cli.run(vargs + [cli_url], env)
        results.check(name + " (verifies)", rc == 0 and out == "valid\n", f"exit {rc}\nstdout {out!r}\nstderr {err!r}")


def test_aws_example(cli, results):
    args = ["presign", "--endpoint", "https://s3.amazonaws.com", "--style", "virtual", "--date", DATE, "--expires",
            "86400", "s3://examplebucket/test.txt"]
    rc, out, err = cli.run(args)
    results.check("AWS published presigned GET example", rc == 0 and out == AWS_EXAMPLE_URL + "\n",
                  f"exit {rc}\nstdout {out!r}\nstderr {err!r}")


# ---------------------------------------------------------------------------
# environment defaults and credentials


def query_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_env_defaults(cli, results, tmp):
    obj = "s3://bucket/k"
    base = ["presign", "--date", DATE]

    rc, out, err = cli.run(base + [obj], {"AWS_ENDPOINT_URL_S3": "http://s3only.example:9000",
                                          "AWS_ENDPOINT_URL": "http://generic.example:9000"})
    results.check("AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL",
                  rc == 0 and out.startswith("http://s3only.example:9000/bucket/k?"), f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(base + [obj], {"AWS_ENDPOINT_URL": "http://generic.example:9000"})
    results.check("AWS_ENDPOINT_URL is used alone", rc == 0 and out.startswith("http://generic.example:9000/bucket/k?"),
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(base + ["--endpoint", "http://flag.example", obj],
                           {"AWS_ENDPOINT_URL_S3": "http://s3only.example:9000"})
    results.check("--endpoint beats AWS_ENDPOINT_URL_S3", rc == 0 and out.startswith("http://flag.example/bucket/k?"),
                  f"{rc} {out!r} {err!r}")

    rc, out, err = cli.run(base + [obj], {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "ap-south-1"})
    results.check("AWS_REGION beats AWS_DEFAULT_REGION",
                  rc == 0 and out.startswith("https://bucket.s3.eu-west-1.amazonaws.com/k?")
                  and f"{KEY_ID}/20130524/eu-west-1/s3/aws4_request" == query_of(out.strip()).get("X-Amz-Credential"),
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(base + [obj], {"AWS_DEFAULT_REGION": "ap-south-1"})
    results.check("AWS_DEFAULT_REGION is used alone",
                  rc == 0 and out.startswith("https://bucket.s3.ap-south-1.amazonaws.com/k?")
                  and "/ap-south-1/" in query_of(out.strip()).get("X-Amz-Credential", ""), f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(base + [obj])
    results.check("no region anywhere: us-east-1 and its endpoint",
                  rc == 0 and out.startswith("https://bucket.s3.us-east-1.amazonaws.com/k?")
                  and "/us-east-1/" in query_of(out.strip()).get("X-Amz-Credential", ""), f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(base + ["--region", "sa-east-1", obj], {"AWS_REGION": "eu-west-1"})
    results.check("--region beats AWS_REGION", rc == 0 and "/sa-east-1/" in query_of(out.strip()).get("X-Amz-Credential", ""),
                  f"{rc} {out!r} {err!r}")

    # MinIO's variables when no AWS ones are set.
    minio = {"MINIO_ROOT_USER": "minioadmin", "MINIO_ROOT_PASSWORD": "minio-secret-password"}
    ep = "http://127.0.0.1:9000"
    rc, out, err = cli.run(base + ["--endpoint", ep, obj], minio, creds=False)
    boto = botocore_presign("GET", reference_url(ep, "auto", "bucket", "k", []), [], "minioadmin",
                            "minio-secret-password", None, "us-east-1", 3600, DATE)
    results.check("MINIO_ROOT_USER / MINIO_ROOT_PASSWORD when no AWS variable is set",
                  rc == 0 and not compare_urls(out.strip(), boto), f"{rc} {out!r} {err!r}\n{boto}")
    rc, out, err = cli.run(base + ["--endpoint", ep, obj], minio, creds=True)
    results.check("AWS_ACCESS_KEY_ID beats MINIO_ROOT_USER",
                  rc == 0 and query_of(out.strip()).get("X-Amz-Credential", "").startswith(KEY_ID + "/"),
                  f"{rc} {out!r} {err!r}")

    # The shared credentials file.
    path = os.path.join(tmp, "credentials")
    with open(path, "w") as f:
        f.write("[default]\naws_access_key_id = AKIDDEFAULTPROFILE\naws_secret_access_key = default-secret\n\n"
                "[work]\naws_access_key_id = AKIDWORKPROFILE\naws_secret_access_key = work/secret+key\n"
                "aws_session_token = work-session-token/+=\n")
    shared = {"AWS_SHARED_CREDENTIALS_FILE": path}
    rc, out, err = cli.run(base + ["--endpoint", ep, "--profile", "work", obj], shared, creds=False)
    boto = botocore_presign("GET", reference_url(ep, "auto", "bucket", "k", []), [], "AKIDWORKPROFILE",
                            "work/secret+key", "work-session-token/+=", "us-east-1", 3600, DATE)
    results.check("--profile reads AWS_SHARED_CREDENTIALS_FILE (with its session token)",
                  rc == 0 and not compare_urls(out.strip(), boto), f"{rc} {out!r} {err!r}\n{boto}")
    rc, out, err = cli.run(base + ["--endpoint", ep, "--profile", "work", obj], shared, creds=True)
    results.check("--profile wins over the environment's credentials",
                  rc == 0 and query_of(out.strip()).get("X-Amz-Credential", "").startswith("AKIDWORKPROFILE/"),
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(base + ["--endpoint", ep, obj], shared, creds=False)
    results.check("no variables: the shared file's default profile",
                  rc == 0 and query_of(out.strip()).get("X-Amz-Credential", "").startswith("AKIDDEFAULTPROFILE/"),
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(base + ["--endpoint", ep, obj], dict(shared, AWS_PROFILE="work"), creds=False)
    results.check("AWS_PROFILE picks the shared file's profile",
                  rc == 0 and query_of(out.strip()).get("X-Amz-Credential", "").startswith("AKIDWORKPROFILE/"),
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(base + ["--endpoint", ep, "--profile", "nosuch", obj], shared, creds=False)
    results.check("--profile that is not in the file: exit 1 naming it",
                  rc == 1 and "nosuch" in err and err.startswith("sigv4: error: ") and err.count("\n") == 1,
                  f"{rc} {out!r} {err!r}")
    # ~/.aws/credentials under HOME
    aws_dir = os.path.join(cli.home, ".aws")
    os.makedirs(aws_dir, exist_ok=True)
    with open(os.path.join(aws_dir, "credentials"), "w") as f:
        f.write("[default]\naws_access_key_id = AKIDHOMEFILE\naws_secret_access_key = home-secret\n")
    try:
        rc, out, err = cli.run(base + ["--endpoint", ep, obj], creds=False)
        results.check("no variables: $HOME/.aws/credentials",
                      rc == 0 and query_of(out.strip()).get("X-Amz-Credential", "").startswith("AKIDHOMEFILE/"),
                      f"{rc} {out!r} {err!r}")
    finally:
        os.remove(os.path.join(aws_dir, "credentials"))
        os.rmdir(aws_dir)


# ---------------------------------------------------------------------------
# --batch


def test_batch(cli, results):
    objects = ["s3://bucket/one.txt", "s3://bucket/dir/two words.txt", "s3://Bad_Bucket/three",
               "s3://other-bucket/f\u00fcnf", "s3://bucket//six"]
    flags = ["presign", "--endpoint", "http://127.0.0.1:9000", "--date", DATE, "--expires", "600"]
    rc, out, err = cli.run(flags + ["--batch"], stdin=("\n".join(objects) + "\n").encode())
    lines = out.split("\n")
    results.check("--batch: one line per input line (line 3 empty) and a final newline",
                  len(lines) == 6 and lines[2] == "" and lines[-1] == "", repr(out))
    results.check("--batch: exit 1 when a line failed", rc == 1, f"exit {rc}")
    results.check("--batch: stderr names line 3 and its problem",
                  err.startswith("sigv4: line 3: ") and "Bad_Bucket" in err and err.count("\n") == 1, repr(err))
    singles = []
    for o in objects:
        src, sout, serr = cli.run(flags + [o])
        singles.append(sout.rstrip("\n") if src == 0 else "")
    results.check("--batch: each line equals the single-shot output (empty when it fails), in order",
                  lines[:5] == singles, "\n".join(lines[:5]) + "\n---\n" + "\n".join(singles))

    rc, out, err = cli.run(flags + ["--batch"], stdin=b"s3://bucket/a\r\ns3://bucket/b\r\ns3://bucket/c")
    single = cli.run(flags + ["s3://bucket/c"])[1]
    results.check("--batch: CRLF lines and a last line without newline", rc == 0 and out.count("\n") == 3
                  and out.endswith(single) and "%0D" not in out and err == "", f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(flags + ["--batch"], stdin=b"s3://bucket/a\n\ns3://bucket/c\n")
    results.check("--batch: an empty line is a bad line, kept as an empty line", rc == 1 and out.count("\n") == 3
                  and out.split("\n")[1] == "" and err.startswith("sigv4: line 2: "), f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(flags + ["--batch"], stdin=b"https://bucket/a\ns3:/bucket\ns3://bucket/ok\n")
    results.check("--batch: malformed lines are reported with their numbers", rc == 1
                  and out.split("\n")[:2] == ["", ""] and out.count("\n") == 3
                  and "line 1:" in err and "line 2:" in err, f"{rc} {out!r} {err!r}")
    long_line = b"s3://bucket/" + b"y" * 70000
    rc, out, err = cli.run(flags + ["--batch"], stdin=b"s3://bucket/a\n" + long_line + b"\ns3://bucket/c\n" + long_line + b"\n")
    results.check("--batch: lines longer than the read buffer", rc == 1 and out.count("\n") == 4
                  and out.split("\n")[1] == "" and out.split("\n")[3] == ""
                  and err.count("\n") == 2 and "line 2: " in err and "line 4: " in err and "1024" in err,
                  f"{rc} {out[:200]!r} {err!r}")
    rc, out, err = cli.run(flags + ["--batch"], stdin=b"")
    results.check("--batch: empty input prints nothing, exit 0", rc == 0 and out == "" and err == "",
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(flags + ["--batch", "s3://bucket/k"], stdin=b"s3://bucket/a\n")
    results.check("--batch with a positional argument: usage error", rc == 2 and out == "", f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(flags + ["--batch"], stdin=b"s3://bucket/a\n", creds=False)
    results.check("--batch without credentials: exit 1 before any line",
                  rc == 1 and out == "" and err.startswith("sigv4: error: "), f"{rc} {out!r} {err!r}")


# ---------------------------------------------------------------------------
# bad inputs


def mentions_flag(text, flag):
    """Whether `flag` appears in `text` as a word of its own ('-h' inside '--header' does not count)."""
    return re.search(r"(?<![\w-])" + re.escape(flag) + r"(?![\w-])", text) is not None


def test_bad_inputs(cli, results):
    ok = ["presign", "--date", DATE]
    # (name, args, env, creds, expected exit, words that the message must hold)
    cases = [
        ("--expires 0", ok + ["--expires", "0", "s3://bucket/k"], 1, ["604800", "0"]),
        ("--expires 604801", ok + ["--expires", "604801", "s3://bucket/k"], 1, ["604800", "604801"]),
        ("--expires -5", ok + ["--expires", "-5", "s3://bucket/k"], 1, ["604800"]),
        ("--expires 99999999999999999999", ok + ["--expires", "99999999999999999999", "s3://bucket/k"], 1, ["604800"]),
        ("--expires abc", ok + ["--expires", "abc", "s3://bucket/k"], 2, ["--expires", "abc"]),
        ("bucket s3://Bad_Bucket/k", ok + ["s3://Bad_Bucket/k"], 1, ["Bad_Bucket", "bucket"]),
        ("bucket too short", ok + ["s3://ab/k"], 1, ["'ab'", "3 to 63"]),
        # s3://bucket and s3://bucket/ are bucket requests (cli_bucket_multipart.py checks them)
        ("bad bucket in a bucket request: s3://Bad_Bucket/", ok + ["s3://Bad_Bucket/"], 1, ["Bad_Bucket"]),
        ("not an s3:// URL", ok + ["https://bucket/k"], 2, ["s3://"]),
        ("--style diagonal", ok + ["--style", "diagonal", "s3://bucket/k"], 2, ["--style", "diagonal"]),
        # the message names the parsed scheme and host at most, never the text given
        ("--endpoint http://h/path", ok + ["--endpoint", "http://h/path", "s3://bucket/k"], 1, ["http://h ", "path"]),
        ("--endpoint ftp://h", ok + ["--endpoint", "ftp://h", "s3://bucket/k"], 1, ["http:// or https://"]),
        ("--header with no colon", ok + ["--header", "Content-Type image/tiff", "s3://bucket/k"], 2,
         ["--header", "':'"]),
        ("--header with no name", ok + ["--header", ": value", "s3://bucket/k"], 2, ["--header"]),
        ("--header Host", ok + ["--header", "Host: evil.example", "s3://bucket/k"], 1, ["Host"]),
        ("--query with no name", ok + ["--query", "=v", "s3://bucket/k"], 2, ["--query"]),
        ("--query X-Amz-Signature", ok + ["--query", "X-Amz-Signature=x", "s3://bucket/k"], 1, ["X-Amz-Signature"]),
        ("-X PATCH", ok + ["-X", "PATCH", "s3://bucket/k"], 2, ["PATCH", "GET"]),
        ("-X get (lower case)", ok + ["-X", "get", "s3://bucket/k"], 2, ["get"]),
        ("--date not a date", ok + ["--date", "2013-05-24", "s3://bucket/k"], 2, ["--date", "2013-05-24"]),
        ("unknown flag", ok + ["--bogus", "s3://bucket/k"], 2, ["--bogus"]),
        ("flag without its value", ["presign", "s3://bucket/k", "--region"], 2, ["--region"]),
        ("no positional", ok, 2, ["s3://BUCKET/KEY"]),
        ("two positionals", ok + ["s3://bucket/a", "s3://bucket/b"], 2, ["s3://bucket/b"]),
        ("virtual style on an IP endpoint", ok + ["--style", "virtual", "--endpoint", "http://127.0.0.1:9000",
                                                  "s3://bucket/k"], 1, ["IP"]),
        ("key that is not UTF-8", ok + [b"s3://bucket/\xff\xfe"], 1, ["UTF-8"]),
        ("region that cannot form the default endpoint", ok + ["--region", "us east", "s3://bucket/k"], 1,
         ["us east", "--endpoint"]),
    ]
    for name, args, status, words in cases:
        rc, out, err = cli.run(args)
        one_line = err.count("\n") == 1 and err.endswith("\n")
        prefix = "sigv4: error: " if status == 1 else "sigv4: "
        good = rc == status and out == "" and one_line and err.startswith(prefix) and all(w in err for w in words)
        results.check(f"bad input: {name} -> exit {status}", good, f"exit {rc}\nstdout {out!r}\nstderr {err!r}")

    # Missing credentials: the message names the variables and holds no secret.
    rc, out, err = cli.run(ok + ["s3://bucket/k"], {"AWS_SECRET_ACCESS_KEY": "TOPSECRETVALUE123",
                                                    "MINIO_ROOT_PASSWORD": "MINIOSECRET456"}, creds=False)
    results.check("missing credentials: exit 1, names the variables, no secret",
                  rc == 1 and out == "" and "AWS_ACCESS_KEY_ID" in err and "AWS_SECRET_ACCESS_KEY" in err
                  and "MINIO_ROOT_USER" in err and "TOPSECRETVALUE123" not in err and "MINIOSECRET456" not in err
                  and err.count("\n") == 1, f"exit {rc}\nstderr {err!r}")
    rc, out, err = cli.run(ok + ["s3://bucket/k"], {"AWS_SECRET_ACCESS_KEY": None}, creds=True)
    results.check("key id without its secret: exit 1 naming AWS_SECRET_ACCESS_KEY",
                  rc == 1 and "AWS_SECRET_ACCESS_KEY" in err and SECRET not in err, f"exit {rc}\nstderr {err!r}")
    rc, out, err = cli.run(["presign", "--help"])
    words = ["--method", "--endpoint", "--region", "--expires", "--date", "--style", "--header", "--query",
             "--version-id", "--session-token", "--profile", "--batch", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL",
             "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "MINIO_ROOT_USER", "AWS_SHARED_CREDENTIALS_FILE",
             "signed", "unchanged", "minio.svc:9000"]
    missing = [w for w in words if w not in out]
    results.check("presign --help documents every flag and variable", rc == 0 and not missing, f"missing {missing}")

    # verify: every flag its parser accepts (read_url_command_flags plus its own --verbose),
    # each with a sample value (None: a switch).
    verify_flags = [("-X", "PUT"), ("--method", "PUT"), ("--now", DATE), ("--header", "Content-Type: text/plain"),
                    ("--region", "eu-west-1"), ("--session-token", "tok"), ("--profile", "default"),
                    ("--verbose", None), ("-h", None), ("--help", None)]
    rc, out, err = cli.run(["verify", "--help"])
    missing = [f for f, _ in verify_flags if not mentions_flag(out, f)]
    results.check("verify --help exits 0 on stdout alone and documents every flag it accepts",
                  rc == 0 and err == "" and out.startswith("usage: sigv4 verify") and not missing,
                  f"exit {rc}\nmissing {missing}\nstderr {err!r}")
    # The list above is the parser's: each flag, read before --help (which stops the reading),
    # is accepted; an unknown one is a usage error.
    refused = []
    for flag, value in verify_flags:
        rc, out, err = cli.run(["verify", flag] + ([value] if value is not None else []) + ["--help"])
        if rc != 0 or not out.startswith("usage: sigv4 verify"):
            refused.append(f"{flag}: exit {rc} {err.strip()!r}")
    rc, out, err = cli.run(["verify", "--no-such-flag", "--help"])
    results.check("verify accepts every flag its --help is checked for (and refuses an unknown one)",
                  not refused and rc == 2 and out == "", "\n".join(refused) + f"\nunknown flag: exit {rc}")
    rc, out, err = cli.run(["--help"])
    results.check("top-level help lists presign and verify", rc == 0 and "presign" in out and "verify" in out, out)


# ---------------------------------------------------------------------------
# verify


def test_verify(cli, results):
    ep = "http://127.0.0.1:9000"
    rc, url, err = cli.run(["presign", "--endpoint", ep, "--date", DATE, "--expires", "600", "s3://bucket/dir/k y+z"])
    url = url.strip()
    if not results.check("verify: presign a URL to check", rc == 0, err):
        return

    def verify(args, target, env=None):
        return cli.run(["verify"] + args + [target], env)

    rc, out, err = verify(["--now", DATE], url)
    results.check("verify: valid at its --date", rc == 0 and out == "valid\n", f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["--now", "20130524T001000Z"], url)
    results.check("verify: valid at its last second", rc == 0 and out == "valid\n", f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["--now", "20130524T001001Z"], url)
    results.check("verify: one second past expiry -> expired", rc == 1 and out == "invalid: expired\n",
                  f"{rc} {out!r} {err!r}")
    sig = query_of(url)["X-Amz-Signature"]
    flipped = sig[:10] + ("0" if sig[10] != "0" else "1") + sig[11:]
    rc, out, err = verify(["--now", DATE], url.replace(sig, flipped))
    results.check("verify: a changed signature digit -> signature mismatch",
                  rc == 1 and out == "invalid: signature mismatch\n", f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["-X", "PUT", "--now", DATE], url)
    results.check("verify: -X PUT on a GET URL -> signature mismatch",
                  rc == 1 and out == "invalid: signature mismatch\n", f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["--now", DATE], url.replace("/dir/", "/dir2/"))
    results.check("verify: another key -> signature mismatch", rc == 1 and out == "invalid: signature mismatch\n",
                  f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["--now", DATE], url, {"AWS_ACCESS_KEY_ID": "AKIDSOMEONEELSE"})
    results.check("verify: other credentials -> unknown access key", rc == 1 and out == "invalid: unknown access key\n",
                  f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["--now", "20130523T230000Z"], url)
    results.check("verify: an hour before its date -> not yet valid", rc == 1 and out == "invalid: not yet valid\n",
                  f"{rc} {out!r} {err!r}")

    # --verbose: the parts, never the secret or the signature. (An expired URL is refused
    # before its signed headers are read, so they are listed only for the valid one.)
    rc, out, err = verify(["--verbose", "--now", "20130524T001001Z"], url)
    results.check("verify --verbose: detail and parts on stderr, no secret or signature",
                  rc == 1 and out == "invalid: expired\n" and "expired" in err and KEY_ID in err
                  and "20130524/us-east-1/s3/aws4_request" in err and "20130524T000000Z" in err
                  and "20130524T001000Z" in err and SECRET not in err and sig not in err,
                  f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["--verbose", "--now", DATE], url.replace(sig, flipped))
    results.check("verify --verbose: signed headers listed, no signature",
                  rc == 1 and out == "invalid: signature mismatch\n" and "signed headers: host" in err
                  and sig not in err and flipped not in err and SECRET not in err, f"{rc} {out!r} {err!r}")

    # A URL of botocore's low-level signer, path style on MinIO.
    unsigned = reference_url(ep, "path", "bucket", "photos/2024/a b.jpg", [("response-content-type", "image/jpeg")])
    boto = botocore_presign("GET", unsigned, [], KEY_ID, SECRET, None, "us-east-1", 300, DATE)
    rc, out, err = verify(["--now", "20130524T000100Z"], boto)
    results.check("verify: a botocore-presigned URL is valid", rc == 0 and out == "valid\n",
                  f"{rc} {out!r} {err!r}\n{boto}")
    boto_token = botocore_presign("PUT", unsigned, [("Content-Type", "image/jpeg")], KEY_ID, SECRET, "tok/en+=",
                                  "us-east-1", 300, DATE)
    rc, out, err = verify(["-X", "PUT", "--now", DATE, "--header", "Content-Type: image/jpeg"], boto_token,
                          {"AWS_SESSION_TOKEN": "tok/en+="})
    results.check("verify: a botocore PUT with token and Content-Type is valid", rc == 0 and out == "valid\n",
                  f"{rc} {out!r} {err!r}\n{boto_token}")
    rc, out, err = verify(["-X", "PUT", "--now", DATE, "--header", "Content-Type: image/jpeg"], boto_token)
    results.check("verify: the same URL without the expected token -> session token mismatch",
                  rc == 1 and out == "invalid: session token mismatch\n", f"{rc} {out!r} {err!r}")

    # A signed --header must be given to verify as well.
    rc, hurl, err = cli.run(["presign", "-X", "PUT", "--endpoint", ep, "--date", DATE, "--header",
                             "Content-Type: image/tiff", "s3://bucket/scan.tiff"])
    hurl = hurl.strip()
    rc, out, err = verify(["-X", "PUT", "--now", DATE, "--header", "Content-Type: image/tiff"], hurl)
    results.check("verify: signed Content-Type given with --header -> valid", rc == 0 and out == "valid\n",
                  f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["-X", "PUT", "--now", DATE], hurl)
    results.check("verify: signed Content-Type not sent -> invalid", rc == 1 and out.startswith("invalid: "),
                  f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["-X", "PUT", "--now", DATE, "--header", "Content-Type: image/png"], hurl)
    results.check("verify: another Content-Type -> signature mismatch",
                  rc == 1 and out == "invalid: signature mismatch\n", f"{rc} {out!r} {err!r}")

    # Regions.
    rc, eurl, err = cli.run(["presign", "--endpoint", ep, "--region", "eu-west-3", "--date", DATE, "s3://bucket/k"])
    eurl = eurl.strip()
    rc, out, err = verify(["--now", DATE], eurl)
    results.check("verify: eu-west-3 URL refused by default -> credential scope mismatch",
                  rc == 1 and out == "invalid: credential scope mismatch\n", f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["--now", DATE, "--region", "eu-west-3"], eurl)
    results.check("verify: eu-west-3 URL with --region eu-west-3 -> valid", rc == 0 and out == "valid\n",
                  f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["--now", DATE, "--region", "us-east-1", "--region", "eu-west-3"], eurl)
    results.check("verify: repeated --region accepts several", rc == 0 and out == "valid\n", f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["--now", DATE], eurl, {"AWS_REGION": "eu-west-3"})
    results.check("verify: AWS_REGION is the default region", rc == 0 and out == "valid\n", f"{rc} {out!r} {err!r}")

    # Usage errors.
    for name, args in (("no URL", ["verify", "--now", DATE]),
                       ("two URLs", ["verify", url, url]),
                       ("unknown flag", ["verify", "--bogus", url]),
                       ("bad --now", ["verify", "--now", "yesterday", url]),
                       ("--header with no colon", ["verify", "--header", "nocolon", url])):
        rc, out, err = cli.run(args)
        results.check(f"verify usage error: {name} -> exit 2", rc == 2 and out == "" and err.count("\n") == 1,
                      f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["verify", "--now", DATE, "not a url"])
    results.check("verify: not a URL -> invalid: malformed", rc == 1 and out == "invalid: malformed\n",
                  f"{rc} {out!r} {err!r}")
    # Only http:// and https:// URLs, without user info, read by the one strict URL parser.
    rest = url.split("://", 1)[1]
    for name, bad in (("scheme Bttp://", "Bttp://" + rest), ("scheme ftp://", "ftp://" + rest),
                      ("user info", "http://minioadmin:S3CR3TPW@" + rest)):
        rc, out, err = verify(["--verbose", "--now", DATE], bad)
        results.check(f"verify: {name} -> invalid: malformed, the detail says why without quoting it",
                      rc == 1 and out == "invalid: malformed\n" and "detail: the URL " in err and "S3CR3TPW" not in err
                      and "minioadmin" not in err, f"{rc} {out!r} {err!r}")
    rc, out, err = verify(["--now", DATE], "HTTP://" + rest)
    results.check("verify: HTTP:// in capitals is http", rc == 0 and out == "valid\n", f"{rc} {out!r} {err!r}")
    # S3 refuses an x-amz-* header the URL does not sign; the detail names it, not its value.
    rc, out, err = verify(["--verbose", "--now", DATE, "--header", "X-Amz-Acl: public-read"], url)
    results.check("verify: an unsigned x-amz-acl header -> invalid: unsigned header",
                  rc == 1 and out == "invalid: unsigned header\n" and "x-amz-acl" in err and "public-read" not in err,
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["verify", "--help"])
    text = " ".join(out.split())
    missing = [r for r in ("malformed", "unsupported algorithm", "unknown access key", "credential scope mismatch",
                           "expired", "not yet valid", "expiry out of range", "required header not signed",
                           "signed header missing", "unsigned header", "signature mismatch", "session token mismatch")
               if r not in text]
    results.check("verify --help lists every reason", rc == 0 and not missing, f"missing: {missing}")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    results = Results()
    with tempfile.TemporaryDirectory(prefix="sigv4-cli-") as tmp:
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        cli = Cli(binary, home)
        test_aws_example(cli, results)
        test_presign_vs_botocore(cli, results)
        test_env_defaults(cli, results, tmp)
        test_batch(cli, results)
        test_bad_inputs(cli, results)
        test_verify(cli, results)
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
