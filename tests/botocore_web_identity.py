#!/usr/bin/env python3
"""AssumeRoleWithWebIdentity requests byte for byte against botocore.

usage: botocore_web_identity.py <web_identity_driver-binary>

botocore's transport is stubbed with its 'before-send' event: the handler keeps the
AWSPreparedRequest botocore would send and answers with a canned STS document. Checked:
  * the client call sts.assume_role_with_web_identity(...) for several parameter sets: URL,
    method, body (to the byte), Content-Type, no Authorization, and Host (the URL's). botocore
    writes the parameters in the order of the call's keyword arguments; the calls give them in
    sigv4's order (RoleArn, RoleSessionName, WebIdentityToken, Policy, DurationSeconds);
  * the environment path: botocore's credential chain (AWS_WEB_IDENTITY_TOKEN_FILE,
    AWS_ROLE_ARN) against sigv4::sts::web_identity_from_env in the driver, run with the same
    environment plus AWS_ROLE_SESSION_NAME set to the name botocore made up
    ("botocore-session-<time>"; sigv4's own default is "sigv4-<time>"): to the byte. With
    AWS_ROLE_SESSION_NAME set, botocore puts RoleSessionName before RoleArn: the same
    parameters, compared as a list of pairs. A token file ending in a newline: botocore sends
    the newline (%0A), sigv4 trims it, as it trims every *_FILE secret: compared with botocore's
    token stripped;
  * the canned answer read by sigv4's parser gives what botocore read from it.
Exits 1 on any difference, 2 when botocore is missing.
"""
import json
import os
import subprocess
import sys
import tempfile
from urllib.parse import parse_qsl, urlsplit

try:
    import botocore.session
    from botocore.awsrequest import AWSResponse
except ImportError:
    print("botocore is not installed")
    sys.exit(2)

ANSWER = (
    '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    "<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>system:serviceaccount:geocrop:web"
    "</SubjectFromWebIdentityToken><Credentials><AccessKeyId>ASIAWEBIDENTITY01</AccessKeyId>"
    "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE&amp;KEY</SecretAccessKey>"
    "<SessionToken>IQoJb3JpZ2luX2VjEXAMPLE+/token==</SessionToken>"
    "<Expiration>2031-01-02T03:04:05Z</Expiration></Credentials>"
    "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
)

# A JWT-shaped token: base64url segments, '.', '-', '_' (and '=' padding some issuers leave).
TOKEN = ("eyJhbGciOiJSUzI1NiIsImtpZCI6ImFiYyJ9.eyJpc3MiOiJodHRwczovL2t1YmVybmV0ZXMuZGVmYXVsdC5zdmMiLCJzdWIiOiJz"
         "eXN0ZW06c2VydmljZWFjY291bnQ6Z2VvY3JvcDp3ZWIifQ.c2lnbmF0dXJl-_x==")

failures = 0


def fail(what):
    global failures
    failures += 1
    print("FAIL", what)


class Stub:
    def __init__(self):
        self.requests = []

    def __call__(self, request, **kwargs):
        self.requests.append(request)

        class Raw:
            def stream(self, **kw):
                yield ANSWER.encode()

        return AWSResponse(request.url, 200, {}, Raw())


def run_driver(driver, cases, env=None):
    lines = "".join(json.dumps(c) + "\n" for c in cases)
    out = subprocess.run([driver], input=lines, capture_output=True, text=True, env=env, check=True).stdout
    return [json.loads(l) for l in out.splitlines()]


def header(req, name):
    for k, v in req.headers.items():
        if k.lower() == name.lower():
            return v.decode() if isinstance(v, bytes) else v
    return None


def compare(label, boto_req, ours):
    if "error" in ours:
        return fail(f"{label}: sigv4 refused: {ours['what']}")
    body = boto_req.body.decode() if isinstance(boto_req.body, bytes) else boto_req.body
    if ours["url"] != boto_req.url:
        fail(f"{label}: URL {ours['url']!r} != botocore {boto_req.url!r}")
    if ours["method"] != boto_req.method:
        fail(f"{label}: method {ours['method']} != {boto_req.method}")
    if ours["body"] != body:
        fail(f"{label}: body\n  sigv4    {ours['body']}\n  botocore {body}")
    mine = {k.lower(): v for k, v in ours["headers"]}
    if mine.get("content-type") != header(boto_req, "Content-Type"):
        fail(f"{label}: Content-Type {mine.get('content-type')!r} != {header(boto_req, 'Content-Type')!r}")
    if header(boto_req, "Authorization") is not None or "authorization" in mine:
        fail(f"{label}: the request is signed (AssumeRoleWithWebIdentity is not)")
    if mine.get("host") != urlsplit(boto_req.url).netloc:
        fail(f"{label}: Host {mine.get('host')!r} != the URL's {urlsplit(boto_req.url).netloc!r}")
    extra = set(mine) - {"host", "content-type"}
    if extra:
        fail(f"{label}: headers botocore does not send: {sorted(extra)}")


def client_cases(driver):
    cases = [
        dict(RoleArn="arn:aws:iam::123456789012:role/geocrop-web", RoleSessionName="geocrop-web-1",
             WebIdentityToken=TOKEN),
        dict(RoleArn="arn:aws:iam::123456789012:role/path/to/role", RoleSessionName="a.b@c=d,e+f_g-h",
             WebIdentityToken=TOKEN, DurationSeconds=900),
        dict(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="s2", WebIdentityToken=TOKEN,
             Policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",'
                    '"Resource":"arn:aws:s3:::geocrop-results/*"}]}',
             DurationSeconds=43200),
    ]
    for endpoint in ["https://sts.us-east-1.amazonaws.com", "http://127.0.0.1:7480"]:
        session = botocore.session.get_session()
        client = session.create_client("sts", region_name="us-east-1", endpoint_url=endpoint,
                                       aws_access_key_id="unused", aws_secret_access_key="unused")
        stub = Stub()
        client.meta.events.register("before-send", stub)
        ours = []
        for c in cases:
            got = client.assume_role_with_web_identity(**c)
            if got["Credentials"]["AccessKeyId"] != "ASIAWEBIDENTITY01":
                fail("botocore did not read the canned answer")
            ours.append({"mode": "params", "endpoint": endpoint, "role_arn": c["RoleArn"],
                         "role_session_name": c["RoleSessionName"], "token": c["WebIdentityToken"],
                         "duration": c.get("DurationSeconds", 0), "policy": c.get("Policy", "")})
        for i, (req, mine) in enumerate(zip(stub.requests, run_driver(driver, ours))):
            compare(f"client case {i} at {endpoint}", req, mine)
        if len(stub.requests) != len(cases):
            fail(f"botocore sent {len(stub.requests)} requests for {len(cases)} calls")


def botocore_from_env(env):
    """botocore's credential chain in `env`: the one request it sent and the credentials."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        session = botocore.session.get_session()
        stub = Stub()
        session.register("before-send", stub)
        creds = session.get_credentials()
        frozen = creds.get_frozen_credentials()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return stub.requests, creds, frozen


def env_case(driver, token_text, session_name):
    label = f"the environment path (session name {'set' if session_name else 'unset'}, token {token_text[-3:]!r})"
    with tempfile.TemporaryDirectory() as d:
        token_file = os.path.join(d, "token")
        with open(token_file, "w") as f:
            f.write(token_text)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({
            "AWS_WEB_IDENTITY_TOKEN_FILE": token_file,
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/geocrop-web",
            "AWS_CONFIG_FILE": os.path.join(d, "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(d, "no-credentials"),
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        })
        if session_name:
            env["AWS_ROLE_SESSION_NAME"] = session_name
        requests, creds, frozen = botocore_from_env(env)
        if len(requests) != 1:
            return fail(f"{label}: botocore sent {len(requests)} requests")
        req = requests[0]
        body = req.body.decode() if isinstance(req.body, bytes) else req.body
        pairs = parse_qsl(body, keep_blank_values=True)
        theirs = dict(pairs)
        if not session_name:
            env["AWS_ROLE_SESSION_NAME"] = theirs["RoleSessionName"]  # botocore's made-up name, for sigv4 too
        endpoint = "{0.scheme}://{0.netloc}".format(urlsplit(req.url))
        ours = run_driver(driver, [{"mode": "env", "endpoint": endpoint}], env)[0]
        if "error" in ours:
            return fail(f"{label}: sigv4 refused: {ours['what']}")
        if token_text == TOKEN and not session_name:
            compare(label, req, ours)
        else:
            expected = [(k, v.strip() if k == "WebIdentityToken" else v) for k, v in pairs]
            if sorted(parse_qsl(ours["body"], keep_blank_values=True)) != sorted(expected):
                fail(f"{label}: parameters\n  sigv4    {ours['body']}\n  botocore {body}")
        answer = run_driver(driver, [{"mode": "answer", "xml": ANSWER}])[0]
        expiry = creds._expiry_time.strftime("%Y%m%dT%H%M%SZ")
        for name, value in [("access_key_id", frozen.access_key), ("secret", frozen.secret_key),
                            ("token", frozen.token), ("expiration", expiry)]:
            if answer.get(name) != value:
                fail(f"{label}: the answer's {name}: sigv4 read {answer.get(name)!r}, botocore {value!r}")
        print(f"{label}: {req.url}, {len(body)} bytes of body")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    client_cases(sys.argv[1])
    env_case(sys.argv[1], TOKEN, None)
    env_case(sys.argv[1], TOKEN, "geocrop-web-pod-7f9c")
    env_case(sys.argv[1], TOKEN + "\n", None)
    print("ok" if failures == 0 else f"{failures} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
