#!/usr/bin/env python3
"""The verifier against requests botocore signs.

usage: botocore_verify.py <verify_driver-binary>

botocore (the reference SDK) presigns (S3SigV4QueryAuth) and header-signs (S3SigV4Auth)
S3 requests with its clock frozen; this script then sends each request to the verifier
through tests/verify_driver.cpp as a server would receive it, unchanged or with one thing
changed, and checks the reason. What a server must answer comes from S3's and MinIO's
documented behaviour, not from our code:

  * S3 refuses a request with an x-amz-* header that is not signed (AccessDenied, "There
    were headers present in the request which were not signed", HeadersNotSigned names the
    header); MinIO answers ErrUnsignedHeaders for unsigned X-Amz-Meta-* (cmd/signature-v4-
    utils.go, checkMetaHeaders) and for a signed header the request lacks (extractSignedHeaders).
    botocore signs every header it is given but Expect, User-Agent and X-Amzn-Trace-Id
    (SIGNED_HEADERS_BLACKLIST), so the same headers signed by botocore are accepted.
  * A query is split at '&', a parameter at its first '=' (MinIO: Go's url.ParseQuery), so
    `response-content-type=a=b` holds the value "a=b"; a piece without '=' (`?uploads`) is a
    parameter with an empty value; empty pieces (`&&`) are no parameters.
  * MinIO rebuilds X-Amz-Expires with strconv.Itoa and X-Amz-Credential from its five parts
    and refuses a request whose text differs (cmd/signature-v4.go, doesPresignedSignatureMatch):
    `0900` and a credential with a trailing '/' or a sixth part are refused.
  * SigV2 (AWSAccessKeyId/Signature/Expires query, `Authorization: AWS id:sig`), which botocore
    still makes (HmacV1QueryAuth, HmacV1Auth), is another algorithm.
  * A URL is http or https, without user info, its host case-insensitive (botocore signs the
    lower-cased host of the URL).

Every case runs through one driver process. Prints one line per check and ends with
"N passed, M failed"; exits 1 on any failure.
"""

import datetime
import hashlib
import json
import subprocess
import sys

from check_results import Results

import botocore.auth
import botocore.awsrequest
import botocore.credentials

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DATE = "20130524T000000Z"
NOW = "20130524T000100Z"
ENDPOINT = "http://127.0.0.1:9000"

# Headers a holder of an upload URL could add to change what the server does.
HAZARDS = [
    ("x-amz-acl", "public-read"),
    ("x-amz-copy-source", "geocrop-results/private/payroll.csv"),
    ("x-amz-meta-owner", "mallory"),
    ("x-amz-tagging", "class=public"),
    ("x-amz-website-redirect-location", "https://evil.example/"),
    ("x-amz-server-side-encryption", "AES256"),
]


def frozen_clock(date):
    frozen = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")
    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen
    return saved


def botocore_sign(signer, method, url, headers, body=b""):
    """Signs an AWSRequest with `signer` at DATE; returns (url, [(name, value), ...])."""
    request = botocore.awsrequest.AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    saved = frozen_clock(DATE)
    try:
        signer.add_auth(request)
    finally:
        botocore.auth.get_current_datetime = saved
    return request.url, list(request.headers.items())


def creds():
    return botocore.credentials.Credentials(KEY_ID, SECRET)


def presign(method, url, headers=(), expires=900, signer_class=botocore.auth.S3SigV4QueryAuth):
    return botocore_sign(signer_class(creds(), "s3", "us-east-1", expires=expires), method, url, headers)[0]


def header_sign(method, url, headers=(), body=b""):
    """The headers of a request botocore signs with Authorization, Host (which botocore signs
    from the URL, lower-cased, without the default port) included as a client sends it."""
    sent = botocore_sign(botocore.auth.S3SigV4Auth(creds(), "s3", "us-east-1"), method, url, headers, body)[1]
    if not any(name.lower() == "host" for name, _ in sent):
        sent.append(("Host", botocore.auth._host_from_url(url)))
    return sent


class ScopeWith(botocore.auth.S3SigV4QueryAuth):
    """botocore's presigner, signing a credential scope with `tail` appended (both in
    X-Amz-Credential and in the string to sign, so the signature matches the URL)."""

    tail = ""

    def scope(self, request):
        return super().scope(request) + self.tail

    def credential_scope(self, request):
        return super().credential_scope(request) + self.tail


def target_of(url):
    rest = url.split("://", 1)[1]
    return rest[rest.index("/"):]


class Cases:
    """Collects cases, runs them through the driver at once, then checks each answer."""

    def __init__(self):
        self.cases = []

    def add(self, name, case, reason, detail_has=(), detail_lacks=()):
        full = {"access_key": KEY_ID, "secret": SECRET, "token": "", "now": NOW, "headers": []}
        full.update(case)
        self.cases.append((name, full, reason, detail_has, detail_lacks))

    def url(self, name, method, url, headers, reason, **kw):
        self.add(name, {"mode": "url", "method": method, "url": url, "headers": list(headers)}, reason, **kw)

    def run(self, driver, results):
        stdin = "".join(json.dumps(c) + "\n" for _, c, _, _, _ in self.cases)
        p = subprocess.run([driver], input=stdin.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
        answers = [json.loads(line) for line in p.stdout.decode().splitlines()]
        if not results.check("the driver answered every case", len(answers) == len(self.cases) and p.returncode == 0,
                             f"{len(answers)} answers to {len(self.cases)} cases, exit {p.returncode}\n"
                             + p.stderr.decode(errors="replace")):
            return
        for (name, case, reason, has, lacks), got in zip(self.cases, answers):
            detail = got["detail"]
            ok = got["reason"] == reason and all(h in detail for h in has) and not any(x in detail for x in lacks)
            results.check(f"{name} -> {reason}", ok, f"got {got['reason']!r}: {detail!r}\ncase: {json.dumps(case)}")


def unsigned_headers(cases):
    # A presigned PUT with Content-Type signed, as an upload page would get it.
    put_url = f"{ENDPOINT}/uploads/in/x.tif"
    ctype = [("Content-Type", "image/tiff")]
    url = presign("PUT", put_url, ctype)
    cases.url("presigned PUT sent as signed", "PUT", url, ctype, "valid")
    cases.add("presigned PUT through verify_presigned, Host given", {
        "mode": "target", "method": "PUT", "target": target_of(url),
        "headers": [["Host", "127.0.0.1:9000"]] + [list(h) for h in ctype]}, "valid")
    for name, value in HAZARDS:
        cases.url(f"presigned PUT + unsigned {name}", "PUT", url, ctype + [(name, value)], "unsigned header",
                  detail_has=(name,), detail_lacks=(value,))
        upper = name.upper()
        cases.url(f"presigned PUT + unsigned {upper}", "PUT", url, ctype + [(upper, value)], "unsigned header",
                  detail_has=(name,), detail_lacks=(value, upper))
        cases.add(f"verify_presigned: presigned PUT + unsigned {name}", {
            "mode": "target", "method": "PUT", "target": target_of(url),
            "headers": [["Host", "127.0.0.1:9000"], [name, value]] + [list(h) for h in ctype]},
            "unsigned header", detail_has=(name,), detail_lacks=(value,))
        signed = presign("PUT", put_url, ctype + [(name, value)])
        cases.url(f"presigned PUT with {name} signed by botocore", "PUT", signed, ctype + [(name, value)], "valid")
        cases.url(f"presigned PUT with {name} signed, then a different value", "PUT", signed,
                  ctype + [(name, value + "x")], "signature mismatch")
        cases.url(f"presigned PUT with {name} signed, not sent", "PUT", signed, ctype, "signed header missing",
                  detail_has=(name,))
    every = ctype + HAZARDS
    all_signed = presign("PUT", put_url, every)
    cases.url("presigned PUT with all six signed", "PUT", all_signed, every, "valid")
    cases.url("presigned PUT with all six signed + unsigned x-amz-storage-class", "PUT", all_signed,
              every + [("X-Amz-Storage-Class", "GLACIER")], "unsigned header", detail_has=("x-amz-storage-class",),
              detail_lacks=("GLACIER",))
    # Not x-amz-: botocore leaves X-Amzn-Trace-Id unsigned, and S3 accepts it so.
    traced = presign("PUT", put_url, ctype + [("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793")])
    cases.url("botocore leaves X-Amzn-Trace-Id unsigned: not an x-amz- header", "PUT", traced,
              ctype + [("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793")], "valid")
    cases.url("an unsigned non-x-amz header (User-Agent) is no matter", "PUT", url,
              ctype + [("User-Agent", "curl/8.5.0")], "valid")
    # a presigned GET: the same rule
    get = presign("GET", f"{ENDPOINT}/geocrop-results/jobs/job-123/result.tif")
    cases.url("presigned GET", "GET", get, [], "valid")
    cases.url("presigned GET + unsigned x-amz-server-side-encryption-customer-key", "GET", get,
              [("x-amz-server-side-encryption-customer-key", "c2VjcmV0LWtleQ==")], "unsigned header",
              detail_has=("x-amz-server-side-encryption-customer-key",), detail_lacks=("c2VjcmV0",))

    # Header-signed requests (Authorization): botocore signs X-Amz-Date and X-Amz-Content-SHA256.
    body = b"result bytes"
    sent = header_sign("PUT", put_url, ctype, body)
    signed_case = {"mode": "signed", "method": "PUT", "target": "/uploads/in/x.tif"}
    cases.add("header-signed PUT as signed", dict(signed_case, headers=[list(h) for h in sent]), "valid")
    cases.add("header-signed PUT, the server's own payload hash",
              dict(signed_case, headers=[list(h) for h in sent], payload=hashlib.sha256(body).hexdigest()), "valid")
    for name, value in HAZARDS:
        cases.add(f"header-signed PUT + unsigned {name}",
                  dict(signed_case, headers=[list(h) for h in sent] + [[name, value]]), "unsigned header",
                  detail_has=(name,), detail_lacks=(value,))
        with_it = header_sign("PUT", put_url, ctype + [(name, value)], body)
        cases.add(f"header-signed PUT with {name} signed by botocore",
                  dict(signed_case, headers=[list(h) for h in with_it]), "valid")
    no_ctype = [list(h) for h in sent if h[0].lower() != "content-type"]
    cases.add("header-signed PUT without its signed Content-Type",
              dict(signed_case, headers=no_ctype), "signed header missing", detail_has=("content-type",))


def reasons(cases):
    url = presign("GET", f"{ENDPOINT}/bkt/k", expires=900)
    cases.url("botocore GET, X-Amz-Expires=900", "GET", url, [], "valid")
    for text, reason in (("0900", "malformed"), ("00900", "malformed"), ("0", "expiry out of range"),
                         ("604801", "expiry out of range"), ("12345678", "expiry out of range"),
                         ("9x", "malformed"), ("abcdefgh", "malformed"), ("-900", "malformed"),
                         ("+900", "malformed"), ("900.0", "malformed"), ("15m", "malformed")):
        # botocore writes the string it is given and signs it: only the verifier's reading differs
        cases.url(f"botocore-signed X-Amz-Expires={text}", "GET", presign("GET", f"{ENDPOINT}/bkt/k", expires=text),
                  [], reason, detail_has=("X-Amz-Expires",))
    for tail in ("/", "/extra", "/extra/"):
        signer = type("Tail", (ScopeWith,), {"tail": tail})
        cases.url(f"credential scope with {tail!r} after aws4_request, signed so", "GET",
                  presign("GET", f"{ENDPOINT}/bkt/k", signer_class=signer), [], "malformed",
                  detail_has=("X-Amz-Credential",))
    cases.url("the same subclass with nothing appended", "GET", presign("GET", f"{ENDPOINT}/bkt/k",
                                                                         signer_class=ScopeWith), [], "valid")
    for value in ("STREAMING-UNSIGNED-PAYLOAD-TRAILER", "abc", "e3b0c442", "z" * 64, "e3b0" * 15 + "e3b"):
        cases.url(f"X-Amz-Content-Sha256={value[:40]} signed by botocore", "GET",
                  presign("GET", f"{ENDPOINT}/bkt/k?X-Amz-Content-Sha256={value}"), [], "malformed",
                  detail_has=("X-Amz-Content-Sha256",))
    cases.url("X-Amz-Content-Sha256=UNSIGNED-PAYLOAD signed by botocore", "GET",
              presign("GET", f"{ENDPOINT}/bkt/k?X-Amz-Content-Sha256=UNSIGNED-PAYLOAD"), [], "valid")

    # SigV2, as botocore still makes it
    # (SigV2 dates come from botocore's own clock; the reason does not depend on them)
    v2 = botocore_sign(botocore.auth.HmacV1QueryAuth(creds(), expires=900), "GET", f"{ENDPOINT}/bkt/k", [])[0]
    assert "AWSAccessKeyId=" in v2 and "Signature=" in v2, v2
    cases.url("a SigV2 presigned URL (AWSAccessKeyId, Signature, Expires)", "GET", v2, [], "unsupported algorithm",
              detail_has=("SigV2",))
    v2_headers = botocore_sign(botocore.auth.HmacV1Auth(creds()), "GET", f"{ENDPOINT}/bkt/k", [])[1]
    cases.add("a SigV2 header-signed request (Authorization: AWS id:signature)",
              {"mode": "signed", "method": "GET", "target": "/bkt/k", "headers": [list(h) for h in v2_headers]},
              "unsupported algorithm", detail_has=("SigV2",))


def query_shapes(cases):
    # A raw '=' inside a value: the value is everything after the first '='.
    for value, encoded in (("a=b", "a%3Db"), ("==", "%3D%3D"), ("text/plain; q=1", "text%2Fplain%3B%20q%3D1")):
        url = presign("GET", f"{ENDPOINT}/bkt/k?response-content-type={encoded}")
        assert f"response-content-type={encoded}" in url, url
        cases.url(f"botocore URL with response-content-type={encoded}", "GET", url, [], "valid")
        raw = url.replace(f"response-content-type={encoded}", "response-content-type=" + encoded.replace("%3D", "="))
        cases.url(f"the same URL with '=' sent raw in the value ({value})", "GET", raw, [], "valid")
    # A parameter without '=' and empty pieces.
    url = presign("POST", f"{ENDPOINT}/bkt/big.tif?uploads")
    assert "?uploads=&" in url, url
    cases.url("botocore CreateMultipartUpload URL (uploads=)", "POST", url, [], "valid")
    for shape in ("?uploads&", "?&&uploads&", "?uploads&&"):
        cases.url(f"the same with {shape}", "POST", url.replace("?uploads=&", shape), [], "valid")
        cases.add(f"verify_presigned: the same with {shape}", {
            "mode": "target", "method": "POST", "target": target_of(url.replace("?uploads=&", shape)),
            "headers": [["Host", "127.0.0.1:9000"]]}, "valid")
    cases.url("the URL with a trailing '&'", "POST", url + "&", [], "valid")
    cases.url("uploads changed to uploadz", "POST", url.replace("?uploads=&", "?uploadz&"), [], "signature mismatch")


def urls(cases):
    url = presign("GET", "http://MinIO.Example.COM:9000/bkt/k")
    cases.url("botocore URL for an upper-case host (botocore signs it lower-cased)", "GET", url, [], "valid")
    url = presign("GET", f"{ENDPOINT}/bkt/k")
    for bad, what in (("Bttp://", "http://"), ("ftp://", "http://"), ("http:/", "http://"), ("//", "http://")):
        cases.url(f"scheme {bad}", "GET", bad + url.split("://", 1)[1], [], "malformed", detail_has=(what,))
    cases.url("HTTP:// in capitals", "GET", "HTTP://" + url.split("://", 1)[1], [], "valid")
    cases.url("user info in the URL", "GET", url.replace("http://", "http://minioadmin:SECRETPW@"), [], "malformed",
              detail_has=("user info",), detail_lacks=("SECRETPW", "minioadmin"))
    cases.url("unbracketed IPv6 host", "GET", url.replace("127.0.0.1:9000", "::1:9000"), [], "malformed",
              detail_has=("bracket",))
    cases.url("host label ending in '-'", "GET", url.replace("127.0.0.1", "minio-.example.com"), [], "malformed")
    cases.url("port 0", "GET", url.replace(":9000", ":0"), [], "malformed", detail_has=("port",))
    https = presign("GET", "https://minio.example.com/bkt/k")
    cases.url("https URL, default port omitted", "GET", https, [], "valid")
    cases.url("https URL with :443 written", "GET", https.replace(".com/", ".com:443/"), [], "valid")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    results = Results()
    cases = Cases()
    unsigned_headers(cases)
    reasons(cases)
    query_shapes(cases)
    urls(cases)
    cases.run(sys.argv[1], results)
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
