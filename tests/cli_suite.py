#!/usr/bin/env python3
"""Checks the `sigv4 sign` command line against the AWS SigV4 test suite.

usage: cli_suite.py <path-to-sigv4-binary> <suite-dir>

For every case folder of <suite-dir>/v4 the request is signed twice, with an
Authorization header and presigned (--presign), and the signature, canonical
request and string to sign are compared byte for byte with the suite's files.
A suite folder with fewer than 38 cases fails the run. Then the five published
AWS S3 examples are signed, and the error behaviours of the tool are checked:
usage errors (exit 2) and malformed requests on stdin (exit 1), each reported in
one line on stderr that never holds the secret. Python 3 standard library only.
"""

import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.parse

SKIP_MESSAGE = "AWS SigV4 test suite not found at {}"

# The suite's v4 folder holds 38 cases (tests/test_suite.cpp requires exactly as many). A
# folder that yields fewer (a partial checkout, a moved case) fails the run: a check that
# signs nothing must not pass.
EXPECTED_SUITE_CASES = 38

VERBOSE_HEAD = b"canonical request:\n"
VERBOSE_MIDDLE = b"\n\nstring to sign:\n"

# The S3 examples published by AWS ("Signature Calculations for the Authorization Header"
# and "Authenticating Requests: Using Query Parameters", Amazon S3 API reference).
S3_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
S3_DATE = "20130524T000000Z"
S3_HOST = "examplebucket.s3.amazonaws.com"
S3_EXAMPLES = [
    {
        "name": "s3 presigned GET /test.txt",
        "request": b"GET /test.txt HTTP/1.1\nHost: " + S3_HOST.encode() + b"\n\n",
        "flags": ["--presign", "--expires", "86400", "--unsigned-payload"],
        "mode": "query",
        "signature": "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
    },
    {
        "name": "s3 GET /test.txt with Range",
        "request": b"GET /test.txt HTTP/1.1\nHost: " + S3_HOST.encode() + b"\nRange: bytes=0-9\n\n",
        "flags": ["--sign-body"],
        "mode": "header",
        "signature": "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    },
    {
        "name": "s3 PUT /test$file.text",
        "request": b"PUT /test$file.text HTTP/1.1\nHost: " + S3_HOST.encode() + b"\n"
        b"Date: Fri, 24 May 2013 00:00:00 GMT\n"
        b"x-amz-storage-class: REDUCED_REDUNDANCY\n"
        b"\n"
        b"Welcome to Amazon S3.",
        "flags": ["--sign-body"],
        "mode": "header",
        "signature": "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
    },
    {
        "name": "s3 GET /?lifecycle",
        "request": b"GET /?lifecycle HTTP/1.1\nHost: " + S3_HOST.encode() + b"\n\n",
        "flags": ["--sign-body"],
        "mode": "header",
        "signature": "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
    },
    {
        "name": "s3 GET /?max-keys=2&prefix=J",
        "request": b"GET /?max-keys=2&prefix=J HTTP/1.1\nHost: " + S3_HOST.encode() + b"\n\n",
        "flags": ["--sign-body"],
        "mode": "header",
        "signature": "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
    },
]

SIGN_FLAGS = [
    "--service", "--region", "--date", "--presign", "--expires", "--no-normalize", "--sign-body",
    "--unsigned-payload", "--session-token", "--session-token-after", "--verbose", "-h", "--help",
]


def mentions_flag(text, flag):
    """Whether `flag` appears in `text` as a word of its own ('--session-token' inside
    '--session-token-after' does not count)."""
    return re.search(rb"(?<![\w-])" + re.escape(flag.encode()) + rb"(?![\w-])", text) is not None


# ---------------------------------------------------------------------------
# Running the tool and reading what it prints.

def run_cli(binary, args, stdin, env):
    """Runs the tool; returns (exit code, stdout bytes, stderr bytes)."""
    proc = subprocess.run([binary] + args, input=stdin, env=env, capture_output=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def make_env(key_id, secret, token=None):
    """The environment with exactly these credentials (no stray AWS_SESSION_TOKEN)."""
    env = dict(os.environ)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    if key_id is not None:
        env["AWS_ACCESS_KEY_ID"] = key_id
    if secret is not None:
        env["AWS_SECRET_ACCESS_KEY"] = secret
    if token is not None:
        env["AWS_SESSION_TOKEN"] = token
    return env


def split_verbose(stderr):
    """The (canonical request, string to sign) that --verbose printed, or None."""
    if not stderr.startswith(VERBOSE_HEAD) or not stderr.endswith(b"\n"):
        return None
    body = stderr[len(VERBOSE_HEAD):-1]
    middle = body.rfind(VERBOSE_MIDDLE)
    if middle < 0:
        return None
    return body[:middle], body[middle + len(VERBOSE_MIDDLE):]


def request_line(stdout):
    return stdout.split(b"\n", 1)[0]


def header_lines(stdout):
    """The header lines of a printed request (between the request line and the blank line)."""
    lines = stdout.split(b"\n")[1:]
    return lines[:lines.index(b"")] if b"" in lines else lines


def authorization_signature(stdout):
    """The Signature= value of the Authorization header, or None."""
    for line in header_lines(stdout):
        name, _, value = line.partition(b":")
        if name.lower() == b"authorization":
            marker = value.rfind(b"Signature=")
            return value[marker + len(b"Signature="):] if marker >= 0 else None
    return None


def query_of(stdout):
    """The raw query of the printed request line ('' without one)."""
    line = request_line(stdout)
    target = line[line.find(b" ") + 1:line.rfind(b" HTTP/")]
    return target.partition(b"?")[2]


def query_param(stdout, name):
    """The raw value of the first query parameter called `name`, or None."""
    for piece in query_of(stdout).split(b"&"):
        key, _, value = piece.partition(b"=")
        if key == name:
            return value
    return None


def describe_difference(expected, actual):
    """A short view of where two byte strings first differ."""
    if actual is None:
        return "missing (expected {!r})".format(expected[:60])
    at = next((i for i, (a, b) in enumerate(zip(expected, actual)) if a != b), min(len(expected), len(actual)))
    start = max(0, at - 20)
    return "differs at byte {}: expected {!r}, got {!r}".format(
        at, expected[start:at + 30], actual[start:at + 30])


# ---------------------------------------------------------------------------
# Checks. Each returns a list of failure descriptions (empty: passed).

def compare(label, expected, actual):
    return [] if actual == expected else ["{} {}".format(label, describe_difference(expected, actual))]


def check_exit(code, stderr):
    if code == 0:
        return []
    return ["exit code {}, stderr {!r}".format(code, stderr[:300])]


def check_verbose(stderr, expected_creq, expected_sts, env):
    # --verbose never prints the session token: it shows <session token> in its place
    token = env.get("AWS_SESSION_TOKEN")
    if token:
        for form in (token.encode(), urllib.parse.quote(token, safe="").encode()):
            expected_creq = expected_creq.replace(form, b"<session token>")
    steps = split_verbose(stderr)
    if steps is None:
        return ["--verbose output not understood: {!r}".format(stderr[:200])]
    return (compare("canonical request", expected_creq, steps[0]) +
            compare("string to sign", expected_sts, steps[1]))


def read_bytes(folder, name):
    with open(os.path.join(folder, name), "rb") as f:
        return f.read()


def amz_date(timestamp):
    """'2015-08-30T12:36:00Z' -> '20150830T123600Z'."""
    when = datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return when.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def suite_case_setup(folder):
    """(flags, env, context) for one suite case; the flags are those of both modes."""
    with open(os.path.join(folder, "context.json"), "rb") as f:
        context = json.load(f)
    creds = context["credentials"]
    env = make_env(creds["access_key_id"], creds["secret_access_key"], creds.get("token"))
    flags = ["--service", context["service"], "--region", context["region"],
             "--date", amz_date(context["timestamp"]), "--verbose"]
    if not context.get("normalize", True):
        flags.append("--no-normalize")
    if context.get("sign_body", False):
        flags.append("--sign-body")
    if context.get("omit_session_token", False):
        flags.append("--session-token-after")
    return flags, env, context


def with_content_sha256_header(request):
    """The suite's sign_body asks for the body's SHA-256 signed and sent as x-amz-content-sha256
    (aws-c-auth's X_AMZ_CONTENT_SHA256 body header). `sigv4 sign --sign-body` adds that header
    only for S3, as botocore does, so for another service the case writes it into the request
    (the hash computed here, by hashlib)."""
    head, sep, body = request.partition(b"\n\n")
    digest = hashlib.sha256(body).hexdigest().encode()
    return head + b"\nX-Amz-Content-Sha256:" + digest + sep + body


def check_header_mode(binary, folder, flags, env, context):
    request = read_bytes(folder, "request.txt")
    if context.get("sign_body", False) and context["service"] != "s3":
        request = with_content_sha256_header(request)
    code, out, err = run_cli(binary, flags, request, env)
    if code != 0:
        return check_exit(code, err)
    return (compare("Authorization signature", read_bytes(folder, "header-signature.txt"),
                    authorization_signature(out)) +
            check_verbose(err, read_bytes(folder, "header-canonical-request.txt"),
                          read_bytes(folder, "header-string-to-sign.txt"), env))


def check_query_mode(binary, folder, flags, env, context):
    expires = str(context["expiration_in_seconds"])
    code, out, err = run_cli(binary, flags + ["--presign", "--expires", expires],
                             read_bytes(folder, "request.txt"), env)
    if code != 0:
        return check_exit(code, err)
    failures = (compare("X-Amz-Signature", read_bytes(folder, "query-signature.txt"),
                        query_param(out, b"X-Amz-Signature")) +
                check_verbose(err, read_bytes(folder, "query-canonical-request.txt"),
                              read_bytes(folder, "query-string-to-sign.txt"), env))
    token = context["credentials"].get("token")
    if token:  # signed or added after signing, the URL must carry it
        expected = b"X-Amz-Security-Token=" + urllib.parse.quote(token, safe="").encode()
        if expected not in query_of(out):
            failures.append("query has no {!r}".format(expected[:60]))
    return failures


def check_s3_example(binary, example):
    env = make_env(S3_KEY_ID, S3_SECRET)
    flags = ["--service", "s3", "--region", "us-east-1", "--no-normalize", "--date", S3_DATE] + example["flags"]
    code, out, err = run_cli(binary, ["sign"] + flags, example["request"], env)
    if code != 0:
        return check_exit(code, err)
    expected = example["signature"].encode()
    if example["mode"] == "query":
        return compare("X-Amz-Signature", expected, query_param(out, b"X-Amz-Signature"))
    return compare("Authorization signature", expected, authorization_signature(out))


def redact(data, secret):
    """`data` with every occurrence of `secret` masked, for failure messages."""
    return data.replace(secret, b"<secret>") if secret else data


def check_one_line_report(code, out, err, status, words, secret):
    """Failures of a refused run: exit `status`, nothing on stdout, exactly one line on stderr
    ("sigv4: error: ..." for 1, "sigv4: ... (see 'sigv4 sign --help')" for 2) holding every
    one of `words`, and the secret nowhere."""
    failures = []
    if code != status:
        failures.append("exit code {} instead of {}".format(code, status))
    if out:
        failures.append("stdout is not empty ({} bytes): the request was printed anyway".format(len(out)))
    shown = redact(err, secret)[:300]
    one_line = err.endswith(b"\n") and err.count(b"\n") == 1
    if not one_line:
        failures.append("stderr is not exactly one line: {!r}".format(shown))
    if status == 1:
        if not err.startswith(b"sigv4: error: "):
            failures.append("stderr does not start with 'sigv4: error: ': {!r}".format(shown))
    else:
        if not err.startswith(b"sigv4: ") or err.startswith(b"sigv4: error: "):
            failures.append("stderr is not a usage report 'sigv4: ...': {!r}".format(shown))
        if b"'sigv4 sign --help'" not in err:
            failures.append("the usage report does not point at 'sigv4 sign --help': {!r}".format(shown))
    missing = [w for w in words if w.encode() not in err]
    if missing:
        failures.append("the message does not name {}: {!r}".format(missing, shown))
    if secret and secret in out + err:
        failures.append("the secret appears in the output")
    return failures


def check_usage_errors(binary):
    """(name, failures) for the flag combinations check_sign_args refuses (exit 2, one line).

    Every run gets a well-formed request and credentials, so the flags alone are at fault."""
    request = b"GET / HTTP/1.1\nHost: example.amazonaws.com\n\n"
    date = ["--date", "20150830T123600Z"]
    service = ["--service", "service"]
    region = ["--region", "us-east-1"]
    secret = S3_SECRET.encode()
    env = make_env("AKIDEXAMPLE", S3_SECRET)  # no AWS_SESSION_TOKEN
    cases = [
        ("missing --service", region + date, env, ["--service", "required"]),
        ("empty --service", ["--service", ""] + region + date, env, ["--service", "required"]),
        # without --region the region comes from the environment, the profile or us-east-1
        # (cli_profile.py checks each level)
        ("empty --region", service + ["--region", ""] + date, env, ["--region", "needs a region"]),
        ("--expires without --presign", service + region + date + ["--expires", "60"], env,
         ["--expires", "--presign"]),
        ("--session-token-after without a session token", service + region + date + ["--session-token-after"],
         env, ["--session-token-after", "session token"]),
        ("--session-token-after with an empty --session-token",
         service + region + date + ["--session-token-after", "--session-token", ""], env,
         ["--session-token-after", "session token"]),
    ]
    results = []
    for name, flags, run_env, words in cases:
        code, out, err = run_cli(binary, ["sign"] + flags, request, run_env)
        results.append(("usage: " + name, check_one_line_report(code, out, err, 2, words, secret)))

    # The counterparts that are allowed: the check is about a session token, not about the flag.
    # The token is added after signing, so it is sent but not among the signed headers.
    token = "FAKE-SESSION-TOKEN-FOR-TESTS"
    for name, flags, run_env in (
            ("--session-token-after with AWS_SESSION_TOKEN", [], make_env("AKIDEXAMPLE", S3_SECRET, token)),
            ("--session-token-after with --session-token", ["--session-token", token], env)):
        code, out, err = run_cli(binary, ["sign"] + service + region + date + ["--session-token-after"] + flags,
                                 request, run_env)
        failures = [] if code == 0 else ["exit code {}: {!r}".format(code, redact(err, secret)[:300])]
        names = [line.partition(b":")[0].strip().lower() for line in header_lines(out)]
        if b"x-amz-security-token" not in names:
            failures.append("no X-Amz-Security-Token header in the signed request")
        auth = next((line for line in header_lines(out) if line.lower().startswith(b"authorization:")), b"")
        if b"SignedHeaders=" not in auth or b"x-amz-security-token" in auth.lower():
            failures.append("the token is signed (or there is no SignedHeaders): {!r}".format(auth[:200]))
        results.append(("allowed: " + name, failures))
    return results


def check_malformed_requests(binary):
    """(name, failures) for requests on stdin that cannot be parsed (exit 1, one line naming it)."""
    good = ["sign", "--service", "service", "--region", "us-east-1", "--date", "20150830T123600Z"]
    secret = S3_SECRET.encode()
    env = make_env("AKIDEXAMPLE", S3_SECRET)
    cases = [
        ("request line without a path", b"GET HTTP/1.1\nHost: example.amazonaws.com\n\n",
         ["request line", "no target"]),
        ("request line without an HTTP version", b"GET /\nHost: example.amazonaws.com\n\n",
         ["request line", "METHOD TARGET HTTP/1.1"]),
        ("request line with a word after the version", b"GET / HTTP/1.1 x\nHost: example.amazonaws.com\n\n",
         ["request line", "HTTP version"]),
        ("header line without ':' (line 2)", b"GET / HTTP/1.1\nHost example.amazonaws.com\n\n",
         ["header line 2", "':'"]),
        ("header line without ':' (line 3, CRLF)",
         b"GET / HTTP/1.1\r\nHost: example.amazonaws.com\r\nX-Amz-Meta-Note value\r\n\r\n",
         ["header line 3", "':'"]),
        ("continuation line before any header", b"GET / HTTP/1.1\n folded\nHost: example.amazonaws.com\n\n",
         ["line 2", "continuation"]),
        ("request line with an empty target", b"GET  HTTP/1.1\nHost: example.amazonaws.com\n\n",
         ["request target", "'/'"]),
        ("request line with a query but no path", b"GET ?a=b HTTP/1.1\nHost: example.amazonaws.com\n\n",
         ["request target", "'/'"]),
        ("nothing on stdin", b"", ["no request", "stdin"]),
        ("no Host header", b"GET / HTTP/1.1\nX-Amz-Meta-A: b\n\n", ["Host"]),
    ]
    results = []
    for name, request, words in cases:
        code, out, err = run_cli(binary, good, request, env)
        results.append(("malformed request: " + name, check_one_line_report(code, out, err, 1, words, secret)))
    return results


def check_error_behaviours(binary):
    """(name, failures) for each error behaviour of `sigv4 sign`."""
    request = b"GET / HTTP/1.1\nHost: example.amazonaws.com\n\n"
    good = ["sign", "--service", "service", "--region", "us-east-1", "--date", "20150830T123600Z"]
    env = make_env("AKIDEXAMPLE", S3_SECRET)
    results = []

    code, _, err = run_cli(binary, good + ["--presign", "--expires", "0"], request, env)
    failures = [] if code == 1 else ["exit code {} instead of 1".format(code)]
    if b"expir" not in err.lower():
        failures.append("message does not mention the expiry: {!r}".format(redact(err, S3_SECRET.encode())[:200]))
    results.append(("--presign --expires 0", failures))

    code, _, err = run_cli(binary, good + ["--no-such-flag"], request, env)
    results.append(("unknown flag", [] if code == 2 else [
        "exit code {} instead of 2: {!r}".format(code, redact(err, S3_SECRET.encode())[:200])]))

    for label, secret in (("unset", None), ("empty", "")):
        code, out, err = run_cli(binary, good, request, make_env("AKIDEXAMPLE", secret))
        failures = [] if code == 1 else ["exit code {} instead of 1".format(code)]
        if b"AWS_SECRET_ACCESS_KEY" not in err:
            failures.append("message does not name AWS_SECRET_ACCESS_KEY: {!r}".format(
                redact(err, S3_SECRET.encode())[:200]))
        results.append(("AWS_SECRET_ACCESS_KEY " + label, failures))

    code, out, err = run_cli(binary, good + ["--verbose"], request, env)
    failures = check_exit(code, err)
    if S3_SECRET.encode() in out + err:
        failures.append("the secret appears in the output")
    results.append(("secret never printed", failures))

    code, out, err = run_cli(binary, ["sign", "--help"], b"", env)
    failures = check_exit(code, err)
    failures += ["--help does not mention {}".format(f) for f in SIGN_FLAGS if not mentions_flag(out, f)]
    results.append(("sign --help", failures))
    return results + check_usage_errors(binary) + check_malformed_requests(binary)


# ---------------------------------------------------------------------------

def main(argv):
    if len(argv) != 3:
        print("usage: cli_suite.py <path-to-sigv4-binary> <suite-dir>", file=sys.stderr)
        return 2
    binary, suite_dir = argv[1], argv[2]
    cases_dir = os.path.join(suite_dir, "v4")
    if not os.path.isdir(cases_dir):
        print(SKIP_MESSAGE.format(suite_dir))
        return 0

    passed = failed = suite_cases = 0

    def record(name, failures):
        nonlocal passed, failed
        if failures:
            failed += 1
            for failure in failures:
                print("FAIL {}: {}".format(name, failure))
        else:
            passed += 1

    for case in sorted(os.listdir(cases_dir)):
        folder = os.path.join(cases_dir, case)
        if not os.path.isdir(folder):
            continue
        flags, env, context = suite_case_setup(folder)
        record(case + " [header]", check_header_mode(binary, folder, ["sign"] + flags, env, context))
        record(case + " [query]", check_query_mode(binary, folder, ["sign"] + flags, env, context))
        suite_cases += 1
    print("{} AWS suite cases signed in both modes from {}".format(suite_cases, cases_dir))
    too_few = suite_cases < EXPECTED_SUITE_CASES
    if too_few:
        print("FAIL the AWS suite at {} yields {} case(s), expected {}: a partial or wrong suite folder"
              .format(cases_dir, suite_cases, EXPECTED_SUITE_CASES))

    for example in S3_EXAMPLES:
        record(example["name"], check_s3_example(binary, example))

    error_failures = error_checks = 0
    for name, failures in check_error_behaviours(binary):
        for failure in failures:
            print("FAIL error check {}: {}".format(name, failure))
        error_failures += bool(failures)
        error_checks += 1
    print("{} of {} CLI error checks passed".format(error_checks - error_failures, error_checks))

    print("{} passed, {} failed".format(passed, failed))
    if too_few:
        print("FAIL only {} of the {} AWS suite cases ran".format(suite_cases, EXPECTED_SUITE_CASES))
    return 1 if failed or error_failures or too_few else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
