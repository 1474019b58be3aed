#!/usr/bin/env python3
"""Header-mode signing (sigv4::signer and sigv4::sign_headers) against botocore.

usage: botocore_sign_headers.py <sign_driver-binary>

Generates requests (methods, paths with spaces, escapes and dot segments, queries with
reserved characters, headers with runs of blanks and mixed case, bodies), for S3
(botocore's S3SigV4Auth: the path as it is, x-amz-content-sha256) and for other services
(SigV4Auth: the path normalised and encoded again), with and without a session token, at
times that walk across midnight and back and over months. botocore (the reference SDK)
signs each with its clock frozen; tests/sign_driver.cpp signs it with one long-lived
sigv4::signer per (region, service, S3 rules), whose credentials change now and then
(set_credentials), and with sigv4::sign_headers. The Authorization, X-Amz-Date,
X-Amz-Security-Token and x-amz-content-sha256 headers of both must equal botocore's, and the
signer's canonical request and string to sign botocore's.

Every case runs through one driver process. Prints one line per failed check (and a count per
kind) and ends with "N passed, M failed"; exits 1 on any failure or when botocore is missing.
"""

import datetime
import hashlib
import json
import random
import subprocess
import sys
import urllib.parse

from check_results import Results

try:
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
except ImportError:  # a machine without botocore fails, never skips
    print("botocore is not installed (python3 -m pip install botocore)")
    sys.exit(1)

HOST = "service.example.com"
CREDENTIALS = [
    ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
    ("ASIATEMPORARY", "tmpSecret/abc+def=ghi", "FQoGZXIvYXdzEXAMPLE//token+/="),
    ("AKIAROTATED", "rotated-secret-0123456789abcdefghijklmn", ""),
]
SCOPES = [("us-east-1", "s3"), ("eu-west-3", "s3"), ("us-east-1", "execute-api"), ("ap-south-1", "iam"),
          ("us-west-2", "sts")]
# Object paths under S3 rules (signed as they are, encoded once); wire paths elsewhere.
S3_PATHS = ["/bucket/key.txt", "/bucket/a b/c+d.txt", "/bucket/dir//x/../y", "/b/\u1234/\u20ac x",
            "/bucket/", "/bucket/k~_-.1", "/bucket/%41"]
# (No path ends in "." or "..": botocore drops the trailing '/' the AWS suite keeps there.)
GENERIC_PATHS = ["/", "/a/b", "/a b/./c/../d", "/%20escaped/%2B", "//double//slash/", "/x/../../y", "/~user/./z"]
QUERY_PARAMS = [("Action", "ListUsers"), ("Version", "2010-05-08"), ("prefix", "a b/c"), ("marker", "x+y=z"),
                ("list-type", "2"), ("uploadId", "u%1"), ("tag", "\u00e9t\u00e9"), ("empty", "")]
EXTRA_HEADERS = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("X-Amz-Meta-Owner", "  alice   and  bob "),
                 ("x-amz-meta-tabs", "a\t\tb"), ("Range", "bytes=0-9"), ("X-Custom", "MiXeD CaSe"),
                 ("content-md5", "1B2M2Y8AsgTpgAmY7PHvfQ==")]
# Walks across midnight, back to the day before, and months ahead.
BASE = datetime.datetime(2015, 8, 30, 23, 59, 58, tzinfo=datetime.timezone.utc)
OFFSETS = [0, 1, 2, 3, -1, 86400, 86401, 1, 40 * 86400, 0, 2]


def make_cases(rng):
    cases = []
    for i in range(360):
        region, service = SCOPES[i % len(SCOPES)]
        s3 = service == "s3"
        key_id, secret, token = CREDENTIALS[(i // 7) % len(CREDENTIALS)]
        when = BASE + datetime.timedelta(seconds=OFFSETS[i % len(OFFSETS)])
        params = rng.sample(QUERY_PARAMS, rng.randint(0, 4))
        headers = [("Host", HOST)] + rng.sample(EXTRA_HEADERS, rng.randint(0, 3))
        method = rng.choice(["GET", "PUT", "POST", "DELETE", "HEAD"])
        body = "" if method in ("GET", "HEAD", "DELETE") else rng.choice(["", "body", "x" * 200, "\u00e9\u00e8"])
        cases.append({
            "access_key": key_id, "secret": secret, "token": token, "region": region, "service": service,
            "s3": s3, "method": method, "path": rng.choice(S3_PATHS if s3 else GENERIC_PATHS),
            "query": urllib.parse.urlencode(params, quote_via=urllib.parse.quote), "params": params,
            "headers": headers, "body": body, "epoch": int(when.timestamp()), "when": when,
        })
    return cases


def botocore_sign(case):
    """(headers botocore set, canonical request, string to sign)."""
    creds = botocore.credentials.Credentials(case["access_key"], case["secret"], case["token"] or None)
    cls = botocore.auth.S3SigV4Auth if case["s3"] else botocore.auth.SigV4Auth
    signer = cls(creds, case["service"], case["region"])
    # S3 signs the path as sent: the object path encoded once; elsewhere the wire path as given
    path = urllib.parse.quote(case["path"], safe="/~") if case["s3"] else case["path"]
    request = botocore.awsrequest.AWSRequest(method=case["method"], url="http://" + HOST + path,
                                             params=case["params"], headers=dict(case["headers"]),
                                             data=case["body"].encode("utf-8"))
    # the steps as add_auth computes them (afterwards the request holds Authorization, which
    # botocore would sign too)
    steps = {}
    canonical_request, string_to_sign = signer.canonical_request, signer.string_to_sign

    def keep_canonical(req):
        steps["canonical"] = canonical_request(req)
        return steps["canonical"]

    def keep_string_to_sign(req, canonical):
        steps["string_to_sign"] = string_to_sign(req, canonical)
        return steps["string_to_sign"]

    signer.canonical_request, signer.string_to_sign = keep_canonical, keep_string_to_sign
    frozen = case["when"].replace(tzinfo=None)
    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen
    try:
        signer.add_auth(request)
    finally:
        botocore.auth.get_current_datetime = saved
    return dict(request.headers.items()), steps["canonical"], steps["string_to_sign"]


def header(pairs, name):
    found = None
    for n, v in pairs:
        if n.lower() == name.lower():
            found = v
    return found


def main(argv):
    if len(argv) != 2:
        print("usage: botocore_sign_headers.py <sign_driver-binary>", file=sys.stderr)
        return 2
    rng = random.Random(17)
    cases = make_cases(rng)
    lines = "".join(json.dumps({k: v for k, v in c.items() if k not in ("params", "when")}) + "\n" for c in cases)
    p = subprocess.run([argv[1]], input=lines.encode("utf-8"), capture_output=True, timeout=300)
    answers = [json.loads(line) for line in p.stdout.decode("utf-8").splitlines()]
    results = Results()
    results.check("the driver answered every case", p.returncode == 0 and len(answers) == len(cases),
                  "exit {}, {} answers for {} cases: {}".format(p.returncode, len(answers), len(cases),
                                                               p.stderr.decode("utf-8", "replace")[:2000]))
    counts = {}
    for i, (case, ours) in enumerate(zip(cases, answers)):
        theirs, canonical, string_to_sign = botocore_sign(case)
        name = "case {} ({} {} {} {}, {})".format(i, case["method"], case["service"], case["path"], case["query"],
                                                  case["when"].strftime("%Y%m%dT%H%M%SZ"))
        if "error" in ours:
            results.check(name, False, ours["error"])
            continue
        wanted = [("Authorization", True), ("X-Amz-Date", True), ("X-Amz-Security-Token", bool(case["token"])),
                  ("X-Amz-Content-SHA256", case["s3"])]
        for source in ("signer", "free"):
            for h, present in wanted:
                got, want = header(ours[source], h), theirs.get(h)
                ok = got == want and (want is not None) == present
                key = "{} {}".format(source, h)
                counts[key] = counts.get(key, 0) + 1
                if not ok:
                    results.check("{}: {} {}".format(name, source, h), False,
                                  "ours     {!r}\nbotocore {!r}\ncanonical request (botocore):\n{}".format(
                                      got, want, canonical))
                else:
                    results.passed += 1
        for what, want in (("canonical_request", canonical), ("string_to_sign", string_to_sign)):
            if ours[what] != want:
                results.check("{}: signer {}".format(name, what), False,
                              "ours:\n{}\nbotocore:\n{}".format(ours[what], want))
            else:
                results.passed += 1
    days = sorted({c["when"].date() for c in cases})
    results.check("the cases span {} days, across midnight and back".format(len(days)), len(days) >= 3, days)
    results.check("temporary and rotated credentials are among them",
                  len({c["access_key"] for c in cases}) == len(CREDENTIALS))
    for key in sorted(counts):
        print("checked {:4d} x {}".format(counts[key], key))
    print("{} passed, {} failed".format(results.passed, results.failed))
    return 0 if results.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
