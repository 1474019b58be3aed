#!/usr/bin/env python3
"""No secret, session token, endpoint password or signature on the command line tool's output.

usage: cli_secrets.py <path-to-sigv4-binary>

Runs `sigv4 presign`, `sigv4 sign` and `sigv4 verify` (with --verbose where the command has
it) with recognisable secret values: in the credentials, in the endpoint's user info, in a
session token, and with forged signatures. stderr must never hold any of them; stdout may
hold only what the command exists to print (a presigned URL carries its session token and
its own signature, a signed request its Authorization header), never the secret key or the
endpoint's password. Each run gets its own environment (no AWS_* / MINIO_* of the caller,
HOME an empty temporary folder). Python 3 standard library only.
"""

import os
import subprocess
import sys
import tempfile

from check_results import Results

KEY_ID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/SECRETxSECRETxCORE/xyz"
TOKEN = "IQoJb3JpZ2luX2Vj/TOKENxTOKENxCORE+/=Zm9vYmFy//=="
PASSWORD = "PASSxHUNTER2xCORE"
SECRET_CORE, TOKEN_CORE, PASSWORD_CORE = "SECRETxSECRET", "TOKENxTOKEN", "HUNTER2"
DATE = "20260101T120000Z"


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = argv[1]
    results = Results()
    home = tempfile.mkdtemp(prefix="sigv4-cli-secrets-")

    def run(args, extra_env=None, stdin=""):
        env = {k: v for k, v in os.environ.items() if not (k.startswith("AWS_") or k.startswith("MINIO_"))}
        env.update({"HOME": home, "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
                    "AWS_SESSION_TOKEN": TOKEN})
        for k, v in (extra_env or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        p = subprocess.run([binary] + args, input=stdin.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def check(name, args, want_rc, extra_env=None, stdin="", stdout_may_hold=(), banned=()):
        rc, out, err = run(args, extra_env, stdin)
        detail = "rc %d\nstdout: %s\nstderr: %s" % (rc, out, err)
        results.check(name + ": exit status %d" % want_rc, rc == want_rc, detail)
        cores = [SECRET_CORE, TOKEN_CORE, PASSWORD_CORE] + list(banned)
        results.check(name + ": stderr holds no secret", not any(c in err for c in cores), detail)
        results.check(name + ": stdout holds no secret",
                      not any(c in out for c in cores if c not in stdout_may_hold), detail)
        return out

    endpoint = "http://127.0.0.1:9000"
    # presign: endpoints with user info, bad credentials, bad input
    for ep in ("http://minioadmin:%s@127.0.0.1:9000" % PASSWORD, "http://%s@127.0.0.1:9000" % PASSWORD,
               "https://u:%s@minio.example.com/path" % PASSWORD, "http://u:%s@[::1" % PASSWORD,
               "http://u:%s@h:99999" % PASSWORD, "http://u:%s@2001:db8::1" % PASSWORD):
        check("presign --endpoint " + ep.replace(PASSWORD, "<password>"),
              ["presign", "--endpoint", ep, "--date", DATE, "s3://bkt/k"], 1)
    check("presign, endpoint with user info in AWS_ENDPOINT_URL_S3", ["presign", "--date", DATE, "s3://bkt/k"], 1,
          {"AWS_ENDPOINT_URL_S3": "http://minioadmin:%s@127.0.0.1:9000" % PASSWORD})
    url = check("presign with a session token", ["presign", "--endpoint", endpoint, "--date", DATE, "s3://bkt/k"], 0,
                stdout_may_hold=(TOKEN_CORE,))
    results.check("presign: the URL carries the token (control)", TOKEN_CORE in url, url)
    check("presign, a key id with a space", ["presign", "--endpoint", endpoint, "s3://bkt/k"], 1,
          {"AWS_ACCESS_KEY_ID": "AK ID"})
    check("presign, a token with a control character", ["presign", "--endpoint", endpoint, "s3://bkt/k"], 1,
          {"AWS_SESSION_TOKEN": TOKEN + "\x01"})
    check("presign --session-token with a control character",
          ["presign", "--endpoint", endpoint, "--session-token", TOKEN + "\x7f", "s3://bkt/k"], 1)
    check("presign, MinIO root credentials", ["presign", "--endpoint", endpoint, "--date", DATE, "s3://bkt/k"], 0,
          {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_SESSION_TOKEN": None,
           "MINIO_ROOT_USER": "minioadmin", "MINIO_ROOT_PASSWORD": PASSWORD})
    check("presign, bad bucket", ["presign", "--endpoint", endpoint, "s3://BKT/k"], 1)
    check("presign --acl conflict", ["presign", "--endpoint", endpoint, "-X", "PUT", "--acl", "private",
                                     "--header", "x-amz-acl: public-read", "s3://bkt/k"], 1)
    check("presign --query X-Amz-Security-Token", ["presign", "--endpoint", endpoint, "--query",
                                                   "X-Amz-Security-Token=" + TOKEN, "s3://bkt/k"], 1)
    check("presign --batch with errors", ["presign", "--endpoint", endpoint, "--batch"], 1,
          stdin="s3://BKT/k\nnot-a-url\ns3://bkt/ok\n", stdout_may_hold=(TOKEN_CORE,))

    # sign, with --verbose (canonical request and string to sign on stderr)
    request = "GET /bkt/k HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n\r\n"
    for mode in ([], ["--presign"], ["--presign", "--session-token-after"]):
        check("sign --verbose " + " ".join(mode),
              ["sign", "--service", "s3", "--region", "us-east-1", "--date", DATE, "--verbose"] + mode, 0,
              stdin=request, stdout_may_hold=(TOKEN_CORE,))
    check("sign, endpoint-like Host with user info",
          ["sign", "--service", "s3", "--region", "us-east-1", "--date", DATE, "--verbose"], 1,
          stdin="GET http://u:%s@h/k HTTP/1.1\r\nHost: h\r\n\r\n" % PASSWORD, stdout_may_hold=(TOKEN_CORE,))
    check("sign, a key id with a space", ["sign", "--service", "s3", "--region", "us-east-1", "--verbose"], 1,
          {"AWS_ACCESS_KEY_ID": "AK ID"}, stdin=request)

    # verify, with --verbose, of forged and foreign URLs
    good = url.strip()
    signature = good[good.rindex("X-Amz-Signature=") + 16:]
    forged = good[:-1] + ("1" if good.endswith("0") else "0")
    forged_signature = forged[forged.rindex("X-Amz-Signature=") + 16:]
    sigs = (signature, forged_signature, signature[:16], forged_signature[:16])
    now = ["--now", "20260101T120001Z"]
    check("verify --verbose, valid (control)", ["verify", "--verbose"] + now + [good], 0, banned=sigs)
    check("verify --verbose, forged signature", ["verify", "--verbose"] + now + [forged], 1, banned=sigs)
    check("verify --verbose, another session token", ["verify", "--verbose"] + now + [good], 1,
          {"AWS_SESSION_TOKEN": "OTHERxTOKEN"}, banned=sigs)
    check("verify --verbose, expired", ["verify", "--verbose", "--now", "20260102T120001Z", good], 1, banned=sigs)
    with_user = good.replace("http://", "http://minioadmin:%s@" % PASSWORD, 1)
    check("verify --verbose, URL with user info", ["verify", "--verbose"] + now + [with_user], 1, banned=sigs)
    check("verify --verbose, another method", ["verify", "--verbose", "-X", "PUT"] + now + [good], 1, banned=sigs)

    print("%d passed, %d failed" % (results.passed, results.failed))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
