#!/usr/bin/env python3
"""Checks the operator habits of the `sigv4` tool (issue 14) from the outside.

usage: cli_operator.py <path-to-sigv4-binary>

- aws-style aliases (--expires-in, --endpoint-url) and durations (90s, 15m, 12h, 7d, 1h30m):
  the URLs are compared with botocore's presigner given the same lifetime in seconds; bad
  durations are usage errors that name the flag as written;
- --output json on every command, parsed with Python's json: presign's objects (url against
  botocore, expires_at computed here, the headers to send), --batch staying aligned with its
  input (failures as {"line": N, "error": ...}, empty lines in text mode), JSON input lines
  with per-line options, and presign --curl split with shlex.

Every run gets a clean environment (see cli_presign_verify.Cli). Python 3 and botocore.
"""

import datetime
import json
import os
import shlex
import sys
import tempfile
import urllib.parse

from check_results import Results
from cli_presign_verify import DATE, KEY_ID, SECRET, Cli, botocore_presign, compare_urls, reference_url

EP = "http://127.0.0.1:9000"


def botocore_url(method, bucket, key, expires, headers=(), region="us-east-1", endpoint=EP, query=(), date=DATE):
    unsigned = reference_url(endpoint, "auto", bucket, key, list(query))
    return botocore_presign(method, unsigned, list(headers), KEY_ID, SECRET, None, region, expires, date)


def expires_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query)).get("X-Amz-Expires")


def rfc3339_after(date, seconds):
    t = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ") + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------
# item 1: aliases and durations


DURATIONS = [("90s", 90), ("15m", 900), ("12h", 43200), ("7d", 604800), ("1h30m", 5400), ("1d12h", 129600),
             ("2m30s", 150), ("1d1h1m1s", 90061), ("600", 600)]
BAD_DURATIONS = ["1x", "m", "1m1h", "1h1h", "1.5h", "h1", "1 h", "1h ", "30ms", "1H", "", "+5m", "5m-"]


def test_aliases(cli, results):
    base = ["presign", "--date", DATE]
    rc1, a, e1 = cli.run(base + ["--endpoint-url", EP, "--expires-in", "900", "s3://bucket/k"])
    rc2, b, e2 = cli.run(base + ["--endpoint", EP, "--expires", "900", "s3://bucket/k"])
    results.check("--endpoint-url/--expires-in: the same URL as --endpoint/--expires", rc1 == 0 and rc2 == 0 and a == b,
                  f"{rc1} {a!r} {e1!r}\n{rc2} {b!r} {e2!r}")
    diff = compare_urls(a.strip(), botocore_url("GET", "bucket", "k", 900))
    results.check("--endpoint-url/--expires-in: botocore agrees", not diff, diff)
    rc, out, err = cli.run(["presign-post", "--endpoint-url", EP, "--expires-in", "15m", "--date", DATE,
                            "s3://bucket/k"])
    doc = json.loads(out) if rc == 0 else {}
    results.check("presign-post takes --endpoint-url and --expires-in 15m", rc == 0
                  and doc.get("url", "").startswith(EP + "/bucket"), f"{rc} {out!r} {err!r}")


def test_durations(cli, results):
    for text, seconds in DURATIONS:
        rc, out, err = cli.run(["presign", "--endpoint", EP, "--date", DATE, "--expires-in", text, "s3://bucket/k"])
        ok = rc == 0 and expires_of(out.strip()) == str(seconds)
        diff = compare_urls(out.strip(), botocore_url("GET", "bucket", "k", seconds)) if ok else "not signed"
        results.check(f"duration {text!r} is {seconds} s (botocore agrees)", ok and not diff,
                      f"{rc} {out!r} {err!r} {diff}")
    request = b"GET /bucket/k HTTP/1.1\nHost: 127.0.0.1:9000\n\n"
    rc, out, err = cli.run(["sign", "--service", "s3", "--region", "us-east-1", "--presign", "--expires-in", "1h30m",
                            "--date", DATE], stdin=request)
    results.check("sign --presign --expires-in 1h30m signs X-Amz-Expires=5400",
                  rc == 0 and "X-Amz-Expires=5400&" in out, f"{rc} {out!r} {err!r}")
    for flag in ("--expires", "--expires-in"):
        for text in BAD_DURATIONS:
            for cmd in (["presign", "--endpoint", EP, flag, text, "s3://bucket/k"],
                        ["presign-post", "--endpoint", EP, flag, text, "s3://bucket/k"],
                        ["sign", "--service", "s3", "--region", "us-east-1", "--presign", flag, text]):
                rc, out, err = cli.run(cmd, stdin=request)
                results.check(f"{cmd[0]} {flag} {text!r}: usage error naming {flag}",
                              rc == 2 and out == "" and f"sigv4: {flag} takes" in err and repr(text)[1:-1] in err,
                              f"{rc} {out!r} {err!r}")
    for text in ("8d", "168h1s", "604801", "99999999999999999999d"):
        rc, out, err = cli.run(["presign", "--endpoint", EP, "--expires-in", text, "s3://bucket/k"])
        results.check(f"duration {text!r} over 7 days: refused (exit 1, names 604800)",
                      rc == 1 and out == "" and "604800" in err, f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["sign", "--service", "s3", "--region", "us-east-1", "--expires-in", "5m"], stdin=request)
    results.check("sign --expires-in without --presign names --expires-in", rc == 2 and "--expires-in needs --presign" in err,
                  f"{rc} {err!r}")


# ---------------------------------------------------------------------------
# items 4 and 5: --output json, --batch, --curl


def test_presign_json(cli, results):
    headers = [("Content-Type", "text/plain"), ("x-amz-meta-owner", "ops team")]
    args = ["presign", "--endpoint", EP, "--date", DATE, "--expires", "1h30m", "-X", "PUT", "--output", "json"]
    for n, v in headers:
        args += ["--header", f"{n}: {v}"]
    rc, out, err = cli.run(args + ["s3://bucket/dir/a b.txt"])
    try:
        doc = json.loads(out)
    except ValueError as e:
        results.check("presign --output json: one JSON object", False, f"{e}: {rc} {out!r} {err!r}")
        return
    results.check("presign --output json: one line, the members url, method, bucket, key, expires_at, headers",
                  out.count("\n") == 1 and set(doc) == {"url", "method", "bucket", "key", "expires_at", "headers"},
                  repr(out))
    diff = compare_urls(doc["url"], botocore_url("PUT", "bucket", "dir/a b.txt", 5400, headers))
    results.check("presign --output json: url agrees with botocore", not diff, diff)
    results.check("presign --output json: method, bucket, key, expires_at (date + 5400 s), headers",
                  doc["method"] == "PUT" and doc["bucket"] == "bucket" and doc["key"] == "dir/a b.txt"
                  and doc["expires_at"] == rfc3339_after(DATE, 5400) and doc["headers"] == dict(headers), repr(doc))
    rc, out, err = cli.run(["presign", "--endpoint", EP, "--date", DATE, "-X", "PUT", "--acl", "private",
                            "--output", "json", "s3://bucket/k"])
    doc = json.loads(out) if rc == 0 else {}
    results.check("presign --acl: the locked x-amz-acl is among the headers to send",
                  doc.get("headers") == {"x-amz-acl": "private"}, f"{rc} {out!r} {err!r}")
    diff = compare_urls(doc.get("url", ""), botocore_url("PUT", "bucket", "k", 3600, [("x-amz-acl", "private")]))
    results.check("presign --acl --output json: url agrees with botocore", not diff, diff)
    rc, out, err = cli.run(["presign", "--endpoint", EP, "--output", "yaml", "s3://bucket/k"])
    results.check("presign --output yaml: usage error naming --output", rc == 2 and "--output" in err and "yaml" in err,
                  f"{rc} {err!r}")


def test_batch_json(cli, results):
    lines = [
        "s3://bucket/one",
        "not-a-url",
        json.dumps({"bucket": "bucket", "key": "two", "method": "PUT", "content_type": "image/png", "expires": "15m"}),
        "",
        json.dumps({"url": "s3://bucket/three", "expires": 60, "headers": {"x-amz-meta-a": "1"}}),
        "s3://Bad_Bucket/x",
        json.dumps({"key": "k"}),
        "{not json",
        json.dumps({"url": "s3://bucket/four", "colour": "red"}),
        json.dumps({"url": "s3://bucket/five", "expires": "8d"}),
        "s3://bucket/six",
    ]
    good = {1: ("GET", "one", 3600, []), 3: ("PUT", "two", 900, [("Content-Type", "image/png")]),
            5: ("GET", "three", 60, [("x-amz-meta-a", "1")]), 11: ("GET", "six", 3600, [])}
    stdin = ("\n".join(lines) + "\n").encode()
    flags = ["presign", "--endpoint", EP, "--date", DATE, "--batch"]
    rc, out, err = cli.run(flags + ["--output", "json"], stdin=stdin)
    outs = out.split("\n")
    results.check("--batch --output json: one line per input line, exit 1", rc == 1 and len(outs) == len(lines) + 1
                  and outs[-1] == "", f"{rc} {out!r}")
    docs = []
    for o in outs[:-1]:
        try:
            docs.append(json.loads(o))
        except ValueError:
            docs.append(None)
    results.check("--batch --output json: every line is JSON", None not in docs, repr(outs))
    if None in docs or len(docs) != len(lines):
        return
    for n, doc in enumerate(docs, 1):
        if n in good:
            method, key, expires, headers = good[n]
            ok = "url" in doc and doc["method"] == method and doc["key"] == key and doc["headers"] == dict(headers) \
                and doc["expires_at"] == rfc3339_after(DATE, expires)
            diff = compare_urls(doc["url"], botocore_url(method, "bucket", key, expires, headers)) if ok else "fields"
            results.check(f"--batch --output json: line {n} agrees with botocore", not diff, f"{diff} {doc!r}")
        else:
            results.check(f"--batch --output json: line {n} is {{\"line\": {n}, \"error\": ...}}",
                          set(doc) == {"line", "error"} and doc["line"] == n and doc["error"]
                          and f"sigv4: line {n}: {doc['error']}" in err, repr(doc))
    rc, text_out, err = cli.run(flags, stdin=stdin)
    touts = text_out.split("\n")
    results.check("--batch text: one line per input line, failures empty, URLs as in json",
                  len(touts) == len(lines) + 1 and all(
                      (touts[i] == docs[i]["url"]) if (i + 1) in good else touts[i] == "" for i in range(len(lines))),
                  f"{text_out!r}")


def test_curl(cli, results):
    base = ["presign", "--endpoint", EP, "--date", DATE]
    for method, extra, want in [
        ("PUT", ["--header", "Content-Type: text/csv", "--acl", "private"],
         ["curl", "-H", "Content-Type: text/csv", "-H", "x-amz-acl: private", "-T", "FILE"]),
        ("GET", [], ["curl"]),
        ("HEAD", [], ["curl", "-I"]),
        ("DELETE", [], ["curl", "-X", "DELETE"]),
    ]:
        target = "s3://bucket/it's a key"
        rc, url, err = cli.run(base + ["-X", method] + extra + [target])
        rc2, out, err2 = cli.run(base + ["-X", method, "--curl"] + extra + [target])
        words = shlex.split(out) if rc2 == 0 else []
        results.check(f"presign --curl -X {method}: {' '.join(want)} URL", rc == 0 and rc2 == 0
                      and out.count("\n") == 1 and words == want + [url.strip()], f"{rc2} {out!r} {err2!r} {words}")
    rc, out, err = cli.run(base + ["-X", "PUT", "--curl", "--output", "json", "s3://bucket/k"])
    doc = json.loads(out) if rc == 0 else {}
    results.check("presign --curl --output json: a curl member", shlex.split(doc.get("curl", "")) ==
                  ["curl", "-T", "FILE", doc.get("url")], f"{rc} {out!r} {err!r}")


def test_output_every_command(cli, results):
    rc, url, err = cli.run(["presign", "--endpoint", EP, "--date", DATE, "s3://bucket/k"])
    url = url.strip()
    rc, out, err = cli.run(["verify", "--now", DATE, "--output", "json", url])
    results.check("verify --output json: {\"valid\": true}", rc == 0 and json.loads(out) == {"valid": True},
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["verify", "--now", DATE, "--output", "json", url.replace("Signature=", "Signature=0")])
    results.check("verify --output json: {\"valid\": false, \"reason\": ...}",
                  rc == 1 and json.loads(out) == {"valid": False, "reason": "signature mismatch"}, f"{rc} {out!r} {err!r}")
    request = b"GET /x?a=1 HTTP/1.1\nHost: example.amazonaws.com\n\n"
    sign = ["sign", "--service", "service", "--region", "us-east-1", "--date", "20150830T123600Z"]
    rc, text, err = cli.run(sign, stdin=request)
    rc2, out, err2 = cli.run(sign + ["--output", "json"], stdin=request)
    doc = json.loads(out) if rc2 == 0 else {}
    auth = dict((n.lower(), v) for n, v in doc.get("headers", []))
    text_headers = [tuple(x.strip() for x in line.split(":", 1)) for line in text.split("\n\n")[0].split("\n")[1:]]
    results.check("sign --output json: the same request as text, as JSON",
                  rc == 0 and doc.get("method") == "GET" and doc.get("target") == "/x?a=1"
                  and [tuple(h) for h in doc.get("headers", [])] == text_headers
                  and doc.get("signature", "x") in auth.get("authorization", "")
                  and doc.get("signed_headers") == "host;x-amz-date", f"{out!r}\n{text!r}")
    policy = ["policy", "--kind", "bucket", "--bucket", "b", "--allow-cidr", "10.0.0.0/8"]
    rc, text, err = cli.run(policy)
    rc2, out, err2 = cli.run(policy + ["--output", "json"])
    results.check("policy --output json: the policy document", rc2 == 0 and json.loads(out) == json.loads(text),
                  f"{rc2} {err2!r}")
    post = ["presign-post", "--endpoint", EP, "--date", DATE, "s3://bucket/k"]
    rc, text, err = cli.run(post)
    rc2, out, err2 = cli.run(post + ["--output", "json"])
    results.check("presign-post --output json: the form as JSON", rc2 == 0 and json.loads(out) == json.loads(text),
                  f"{rc2} {err2!r}")
    rc, out, err = cli.run(post + ["--output", "json", "--format", "curl"])
    results.check("presign-post --output json --format curl: usage error", rc == 2 and "--output" in err, err)
    rc, out, err = cli.run(["verify-post", "--now", DATE, "--output", "json"], stdin=json.dumps(
        dict(json.loads(text), size=1)).encode())
    results.check("verify-post --output json: {\"valid\": true}", rc == 0 and json.loads(out) == {"valid": True},
                  f"{rc} {out!r} {err!r}")
    for cmd in (["presign", "s3://bucket/k"], ["verify", url], ["sign", "--service", "s3", "--region", "r"],
                policy, ["presign-post", "s3://bucket/k"], ["verify-post"]):
        rc, out, err = cli.run(cmd + ["--output", "xml"], stdin=request)
        results.check(f"{cmd[0]} --output xml: usage error naming --output", rc == 2 and "--output takes text or json" in err,
                      f"{rc} {err!r}")


# ---------------------------------------------------------------------------
# item 9: sign --unsigned-header, the presign defaults, --payload-hash


def botocore_sign(method, url, headers, body=b"", query_auth=False, payload=None):
    """botocore's SigV4Auth (or SigV4QueryAuth) at 20150830T123600Z for service 'service'."""
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    creds = botocore.credentials.Credentials(KEY_ID, SECRET)
    req = botocore.awsrequest.AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    if payload is not None:
        req.context["payload_signing_enabled"] = True
    frozen = datetime.datetime(2015, 8, 30, 12, 36, 0)
    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen
    try:
        signer = (botocore.auth.SigV4QueryAuth(creds, "service", "us-east-1", expires=3600) if query_auth
                  else botocore.auth.SigV4Auth(creds, "service", "us-east-1"))
        if payload is not None:
            signer.payload = lambda request: payload
        signer.add_auth(req)
    finally:
        botocore.auth.get_current_datetime = saved
    return req


def test_sign_unsigned(cli, results):
    base = ["sign", "--service", "service", "--region", "us-east-1", "--date", "20150830T123600Z"]
    raw = (b"GET /p?a=b HTTP/1.1\nHost: example.amazonaws.com\nUser-Agent: curl/8.0\nX-Trace: 1\n"
           b"X-Keep: yes\n\n")
    # header mode: botocore leaves user-agent out by itself; X-Trace is left out with the flag
    rc, out, err = cli.run(base + ["--unsigned-header", "user-agent", "--unsigned-header", "X-TRACE"], stdin=raw)
    want = botocore_sign("GET", "https://example.amazonaws.com/p?a=b",
                         [("User-Agent", "curl/8.0"), ("X-Keep", "yes")]).headers["Authorization"]
    results.check("sign --unsigned-header: botocore's Authorization without them; they are still printed",
                  rc == 0 and f"Authorization:{want}\n" in out and "User-Agent: curl/8.0\n" in out
                  and "X-Trace: 1\n" in out and "SignedHeaders=host;x-amz-date;x-keep," in out,
                  f"{rc} {out!r} {err!r}\nbotocore {want}")
    # presign mode: user-agent, expect and the hop-by-hop headers are unsigned by default
    raw = (b"GET /p HTTP/1.1\nHost: example.amazonaws.com\nUser-Agent: curl/8.0\nExpect: 100-continue\n"
           b"Connection: keep-alive\nX-Keep: yes\n\n")
    rc, out, err = cli.run(base + ["--presign"], stdin=raw)
    url = botocore_sign("GET", "https://example.amazonaws.com/p", [("X-Keep", "yes")], query_auth=True).url
    target = out.split("\n")[0].split(" ")[1] if rc == 0 else ""
    diff = compare_urls("https://example.amazonaws.com" + target, url) if rc == 0 else f"exit {rc}: {err}"
    results.check("sign --presign: user-agent, expect, connection unsigned by default (botocore's URL)", not diff
                  and "Connection: keep-alive\n" in out, f"{diff}\n{out!r}")
    # --payload-hash: the hash of a body that is not on stdin
    body = b"the body sent separately"
    digest = __import__("hashlib").sha256(body).hexdigest()
    raw = b"PUT /p HTTP/1.1\nHost: example.amazonaws.com\n\n"
    rc, out, err = cli.run(base + ["--payload-hash", digest], stdin=raw)
    want = botocore_sign("PUT", "https://example.amazonaws.com/p", [], body=body).headers["Authorization"]
    results.check("sign --payload-hash: botocore's Authorization for that body", rc == 0 and f"Authorization:{want}\n" in out
                  and "x-amz-content-sha256" not in out.lower(), f"{rc} {out!r} {err!r}\nbotocore {want}")
    for args, word in ((["--payload-hash", "abc"], "--payload-hash"), (["--payload-hash", digest, "--sign-body"], "excludes"),
                       (["--unsigned-header", "bad name"], "--unsigned-header")):
        rc, out, err = cli.run(base + args, stdin=raw)
        results.check(f"sign {' '.join(args)[:40]}: usage error", rc == 2 and word in err, f"{rc} {err!r}")


# ---------------------------------------------------------------------------
# item 8: verify --request -, --service, --max-skew


def raw_request(req, body=b""):
    """An AWSRequest as raw HTTP/1.1 text (request line, headers, blank line, body)."""
    parts = urllib.parse.urlsplit(req.url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    lines = [f"{req.method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{n}: {v}" for n, v in req.headers.items() if n.lower() != "host"]
    return ("\n".join(lines) + "\n\n").encode() + body


def test_verify_requests(cli, results):
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    creds = botocore.credentials.Credentials(KEY_ID, SECRET)
    frozen = datetime.datetime(2015, 8, 30, 12, 36, 0)
    now = "20150830T123600Z"

    def signed(cls, method, url, service, body=b"", headers=None, **kw):
        req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers or {})
        saved = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen
        try:
            cls(creds, service, "us-east-1", **kw).add_auth(req)
        finally:
            botocore.auth.get_current_datetime = saved
        return req

    body = b'{"action": "deploy"}'
    api = signed(botocore.auth.SigV4Auth, "POST", "https://api.example.com/prod/run?x=1", "execute-api", body,
                 {"Content-Type": "application/json"})
    base = ["verify", "--request", "-", "--service", "execute-api", "--region", "us-east-1", "--now", now]
    rc, out, err = cli.run(base, stdin=raw_request(api, body))
    results.check("verify --request - --service execute-api: botocore's header-signed request is valid",
                  rc == 0 and out == "valid\n", f"{rc} {out!r} {err!r}\n{raw_request(api, body)!r}")
    rc, out, err = cli.run(base, stdin=raw_request(api, body.replace(b"deploy", b"destroy")))
    results.check("verify --request -: a changed body is a signature mismatch", rc == 1 and out == "invalid: signature mismatch\n",
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(base + ["--service", "lambda"], stdin=raw_request(api, body))
    results.check("verify --request -: several --service accepted", rc == 0 and out == "valid\n", f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["verify", "--request", "-", "--region", "us-east-1", "--now", now], stdin=raw_request(api, body))
    results.check("verify --request -: the default service s3 refuses an execute-api scope",
                  rc == 1 and out == "invalid: credential scope mismatch\n", f"{rc} {out!r}")
    s3req = signed(botocore.auth.S3SigV4Auth, "PUT", "https://my-bucket.s3.amazonaws.com/a%20b.txt", "s3", b"hello")
    rc, out, err = cli.run(["verify", "--request", "-", "--now", now], stdin=raw_request(s3req, b"hello"))
    results.check("verify --request -: botocore's S3 header-signed PUT (x-amz-content-sha256) is valid",
                  rc == 0 and out == "valid\n", f"{rc} {out!r} {err!r}")
    later = "20150830T125600Z"  # 20 minutes on
    rc, out, err = cli.run(base[:-1] + [later], stdin=raw_request(api, body))
    rc2, out2, err2 = cli.run(base[:-1] + [later, "--max-skew", "30m"], stdin=raw_request(api, body))
    results.check("verify --max-skew: 20 minutes late refused by default, accepted with --max-skew 30m",
                  rc == 1 and rc2 == 0 and out2 == "valid\n", f"{rc} {out!r} {rc2} {out2!r} {err2!r}")
    url = signed(botocore.auth.SigV4QueryAuth, "GET", "https://api.example.com/prod/items?id=7", "execute-api",
                 expires=600).url
    rc, out, err = cli.run(["verify", "--service", "execute-api", "--now", now, url])
    results.check("verify --service execute-api: botocore's presigned URL (payload: empty-body hash) is valid",
                  rc == 0 and out == "valid\n", f"{rc} {out!r} {err!r}")
    for args, word in ((["--request", "req.txt"], "--request"), (["--request", "-", "-X", "PUT"], "method"),
                       (["--max-skew", "soon", "https://h/x"], "--max-skew")):
        rc, out, err = cli.run(["verify"] + args, stdin=b"")
        results.check(f"verify {' '.join(args)}: usage error", rc == 2 and word in err, f"{rc} {err!r}")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    results = Results()
    with tempfile.TemporaryDirectory(prefix="sigv4-cli-op-") as tmp:
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        cli = Cli(binary, home)
        test_aliases(cli, results)
        test_durations(cli, results)
        test_presign_json(cli, results)
        test_batch_json(cli, results)
        test_curl(cli, results)
        test_output_every_command(cli, results)
        test_sign_unsigned(cli, results)
        test_verify_requests(cli, results)
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
