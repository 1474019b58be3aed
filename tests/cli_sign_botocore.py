#!/usr/bin/env python3
"""`sigv4 sign` against botocore for raw requests with '+', '%2B', '%20', a raw '=' in a
value and escaped paths.

usage: cli_sign_botocore.py <path-to-sigv4-binary>

Each case is a raw request line (path as sent on the wire, raw query). It is signed by the
tool and, independently, by botocore (the reference SDK), with its clock frozen:

  * presigned for S3 (`--presign --service s3 --no-normalize`, no payload flag): botocore's
    S3SigV4QueryAuth on the URL http://host<path>?<query>. botocore reads the URL's query
    with urllib's parse_qs ('+' is a space, a value runs from the first '='), signs the path
    as it is on the wire, and signs UNSIGNED-PAYLOAD: the X-Amz-Signature must be equal, the
    tool must print the request line's path unchanged, and `sigv4 verify` must accept the URL.
  * presigned for another service (`--presign --service execute-api`): botocore's
    SigV4QueryAuth (normalised path, encoded again; the empty-body hash).
  * header-signed for S3 (`--service s3 --no-normalize --sign-body`) and for another service:
    botocore's S3SigV4Auth / SigV4Auth. In header mode botocore never reads a raw URL query
    (its own URLs are already canonical; a raw one is copied into the canonical request
    unchanged), so it gets the parameters as parse_qsl decodes them, as its presigner does.

Exits 1 on any failure or when botocore is missing; ends with "N passed, M failed".
"""

import datetime
import os
import subprocess
import sys
import urllib.parse

from check_results import Results

try:
    import botocore.auth
    import botocore.awsrequest
    import botocore.config
    import botocore.credentials
except ImportError:  # a machine without botocore fails, never skips
    print("botocore is not installed (python3 -m pip install botocore)")
    sys.exit(1)

KEY_ID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
DATE = "20150830T123600Z"
HOST = "example.com"

# (name, wire path, raw query). No name is repeated in a query: parse_qs keeps only the first.
CASES = [
    ("'+' in a value", "/bucket/k.txt", "response-content-type=text/plain+x"),
    ("'%2B' in a value", "/bucket/k.txt", "response-content-type=text%2Fplain%2Bx"),
    ("'%20' in a value", "/bucket/k.txt", "response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22"),
    ("raw '=' in a value", "/bucket/k.txt", "response-content-type=a=b"),
    ("'+', '%2B', '%20' and '=' together", "/bucket/k.txt", "response-content-type=x+y%2Bz%20w=v"),
    ("'+' in a name", "/bucket/k.txt", "a+b=1&c=2"),
    ("'+' at both ends", "/bucket/k.txt", "tag=+lead&note=trail+"),
    ("escaped path %20", "/bucket/my%20file.txt", ""),
    ("escaped path %2B %3D", "/bucket/a%2Bb%3Dc.txt", "response-content-type=x+y"),
    ("escaped UTF-8 path", "/bucket/%E1%88%B4/%E2%82%AC%20x.txt", "versionId=a+b%2Bc"),
    ("escaped path, list query", "/bucket/", "prefix=my+dir/a%20b&delimiter=/"),
    ("escaped path, no '+'", "/bucket/dir/%24file%26%40.txt", "partNumber=1&uploadId=a%2Bb"),
]


def run(binary, args, stdin=b""):
    env = dict(os.environ)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
        env.pop(name, None)
    env.update({"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": REGION})
    p = subprocess.run([binary] + args, input=stdin, env=env, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def target(path, query):
    return path + ("?" + query if query else "")


def cli_sign(binary, path, query, flags):
    """(printed request line target, printed header lines, stderr, exit code)."""
    request = "GET {} HTTP/1.1\nHost: {}\n\n".format(target(path, query), HOST).encode()
    code, out, err = run(binary, ["sign", "--region", REGION, "--date", DATE] + flags, request)
    lines = out.split("\n")
    line = lines[0]
    printed = line[line.find(" ") + 1:line.rfind(" HTTP/")]
    headers = lines[1:lines.index("")] if "" in lines else lines[1:]
    return printed, headers, err, code


def frozen_botocore(signer, request):
    frozen = datetime.datetime.strptime(DATE, "%Y%m%dT%H%M%SZ")
    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen
    try:
        signer.add_auth(request)
    finally:
        botocore.auth.get_current_datetime = saved
    return request


def botocore_presigned_signature(path, query, s3):
    creds = botocore.credentials.Credentials(KEY_ID, SECRET)
    cls = botocore.auth.S3SigV4QueryAuth if s3 else botocore.auth.SigV4QueryAuth
    signer = cls(creds, "s3" if s3 else "execute-api", REGION, expires=3600)
    request = botocore.awsrequest.AWSRequest(method="GET", url="http://" + HOST + target(path, query))
    frozen_botocore(signer, request)
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))["X-Amz-Signature"]


def botocore_header_signature(path, query, s3):
    creds = botocore.credentials.Credentials(KEY_ID, SECRET)
    cls = botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
    signer = cls(creds, "s3" if s3 else "execute-api", REGION)
    params = urllib.parse.parse_qsl(query, keep_blank_values=True)
    request = botocore.awsrequest.AWSRequest(method="GET", url="http://" + HOST + path, params=params,
                                             headers={"Host": HOST})
    frozen_botocore(signer, request)
    auth = request.headers["Authorization"]
    return auth[auth.rfind("Signature=") + len("Signature="):]


def query_value(printed, name):
    for piece in printed.partition("?")[2].split("&"):
        key, _, value = piece.partition("=")
        if key == name:
            return value
    return None


def authorization_signature(headers):
    for h in headers:
        name, _, value = h.partition(":")
        if name.lower() == "authorization":
            return value[value.rfind("Signature=") + len("Signature="):]
    return None


def check_case(binary, results, name, path, query):
    # presigned for S3
    printed, _, err, code = cli_sign(binary, path, query, ["--service", "s3", "--presign", "--no-normalize"])
    expected = botocore_presigned_signature(path, query, True)
    results.check("s3 presign: " + name, code == 0 and query_value(printed, "X-Amz-Signature") == expected,
                  "exit {} {}\ncli      {}\nbotocore X-Amz-Signature={}".format(code, err.strip(), printed, expected))
    results.check("s3 presign keeps the request line: " + name,
                  printed.partition("?")[0] == path and printed.startswith(target(path, query)),
                  "printed {!r}".format(printed))
    url = "http://" + HOST + printed
    vcode, vout, verr = run(binary, ["verify", "--now", DATE, url])
    results.check("sigv4 verify accepts it: " + name, vcode == 0 and vout.strip() == "valid",
                  "exit {}: {} {}\n{}".format(vcode, vout.strip(), verr.strip(), url))

    # presigned for another service: normalised path, encoded again
    printed, _, err, code = cli_sign(binary, path, query, ["--service", "execute-api", "--presign"])
    expected = botocore_presigned_signature(path, query, False)
    results.check("generic presign: " + name, code == 0 and query_value(printed, "X-Amz-Signature") == expected,
                  "exit {} {}\ncli      {}\nbotocore {}".format(code, err.strip(), printed, expected))

    # header-signed, S3 and another service
    for s3, flags in ((True, ["--service", "s3", "--no-normalize", "--sign-body"]),
                      (False, ["--service", "execute-api"])):
        printed, headers, err, code = cli_sign(binary, path, query, flags)
        expected = botocore_header_signature(path, query, s3)
        results.check("{} header: {}".format("s3" if s3 else "generic", name),
                      code == 0 and authorization_signature(headers) == expected,
                      "exit {} {}\ncli      {}\nbotocore {}".format(code, err.strip(), headers, expected))


def check_payload_defaults(binary, results):
    """--presign --service s3 signs UNSIGNED-PAYLOAD (what S3 checks a presigned URL with);
    --sign-body and other services keep a body hash."""
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for flags, payload in ((["--service", "s3", "--presign"], "UNSIGNED-PAYLOAD"),
                           (["--service", "s3", "--presign", "--sign-body"], empty),
                           (["--service", "execute-api", "--presign"], empty),
                           (["--service", "s3"], empty)):
        _, _, err, code = cli_sign(binary, "/bucket/k", "", flags + ["--verbose"])
        creq = err.partition("canonical request:\n")[2].partition("\n\nstring to sign:")[0]
        last = creq.rsplit("\n", 1)[-1]
        results.check("payload line of {}".format(" ".join(flags)), code == 0 and last == payload,
                      "exit {}: payload line {!r}, expected {!r}".format(code, last, payload))
    code, out, _ = run(binary, ["sign", "--help"])
    results.check("sign --help tells the s3 presign default and the decoded path",
                  code == 0 and "UNSIGNED-PAYLOAD" in out and "--presign" in out and "my%20file.txt" in out
                  and "'+'" in out, out[:2000])


def check_body_signing(binary, results):
    """A body signed with --sign-body (and --unsigned-payload), header mode: botocore's S3SigV4Auth
    adds x-amz-content-sha256 for S3, its SigV4Auth adds none for another service (and
    UNSIGNED-PAYLOAD as that header for both when payload signing is off)."""
    body = b'{"Action": "Put", "value": "a+b %20 \\u00e9"}\n'
    for service, flag, want_header in (("s3", "--sign-body", True), ("execute-api", "--sign-body", False),
                                       ("sts", "--sign-body", False), ("s3", "--unsigned-payload", True),
                                       ("execute-api", "--unsigned-payload", True)):
        request = "POST /bucket/k.txt HTTP/1.1\nHost: {}\nContent-Type: application/json\n\n".format(HOST).encode()
        args = ["sign", "--region", REGION, "--date", DATE, "--service", service, flag]
        if service == "s3":
            args.append("--no-normalize")
        code, out, err = run(binary, args, request + body)
        head, _, printed_body = out.partition("\n\n")
        headers = head.split("\n")[1:]
        sha = [h.partition(":")[2] for h in headers if h.partition(":")[0].lower() == "x-amz-content-sha256"]

        creds = botocore.credentials.Credentials(KEY_ID, SECRET)
        cls = botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth
        breq = botocore.awsrequest.AWSRequest(method="POST", url="https://" + HOST + "/bucket/k.txt", data=body,
                                              headers={"Host": HOST, "Content-Type": "application/json"})
        if flag == "--unsigned-payload":  # botocore's switches for "payload signing off"
            breq.context["payload_signing_enabled"] = False
            breq.context["client_config"] = botocore.config.Config(s3={"payload_signing_enabled": False})
        frozen_botocore(cls(creds, service, REGION), breq)
        auth = breq.headers["Authorization"]
        expected = auth[auth.rfind("Signature=") + len("Signature="):]
        boto_sha = breq.headers.get("X-Amz-Content-SHA256")
        name = "{} {}".format(service, flag)
        results.check("body, " + name + ": the signature botocore makes",
                      code == 0 and authorization_signature(headers) == expected,
                      "exit {} {}\ncli      {}\nbotocore {}".format(code, err.strip(), headers, auth))
        results.check("body, " + name + ": x-amz-content-sha256 " + ("added" if want_header else "not added")
                      + " (as botocore)",
                      code == 0 and (boto_sha is not None) == want_header and
                      (sha == [boto_sha] if want_header else sha == []) and printed_body.encode() == body,
                      "cli {} botocore {!r}".format(sha, boto_sha))


def check_bad_wire_path(binary, results):
    printed, _, err, code = cli_sign(binary, "/bucket/bad%zzkey", "", ["--service", "s3", "--no-normalize"])
    results.check("--no-normalize refuses a malformed escape in the path",
                  code == 1 and "%" in err and "path" in err and SECRET not in err, "exit {}: {}".format(code, err))


def main(argv):
    if len(argv) != 2:
        print("usage: cli_sign_botocore.py <path-to-sigv4-binary>", file=sys.stderr)
        return 2
    binary = argv[1]
    results = Results()
    for name, path, query in CASES:
        check_case(binary, results, name, path, query)
    check_payload_defaults(binary, results)
    check_body_signing(binary, results)
    check_bad_wire_path(binary, results)
    print("{} passed, {} failed".format(results.passed, results.failed))
    return 0 if results.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
