#!/usr/bin/env python3
"""Checks `--profile` / AWS_PROFILE and the AWS config file in the `sigv4` tool (issue 14
items 2 and 3) from the outside.

usage: cli_profile.py <path-to-sigv4-binary>

- botocore is the judge of the config file: for each profile of a config file (region,
  endpoint_url, the services section's `s3 = endpoint_url`, `s3 = addressing_style`,
  ignore_configured_endpoint_urls), `sigv4 presign --profile P` must print the URL that
  botocore's Session(profile=P).client("s3").generate_presigned_url prints (clock frozen);
- precedence flag > environment > profile > default, for the region, the endpoint and the
  style;
- credential_process: a small script printing the JSON version 1 answer (URL checked against
  botocore with the same credentials; Expiration honoured); a process that fails, times out,
  prints garbage or an expired answer gives a clear error without the secret.

Every run gets a clean environment and a temporary HOME. Python 3 and botocore.
"""

import datetime
import json
import os
import stat
import sys
import tempfile
import urllib.parse

from check_results import Results
from cli_presign_verify import DATE, Cli, compare_urls

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.config
import botocore.session

PKEY = "AKIDPROFILEEXAMPLE"
PSECRET = "profile/secret+EXAMPLE/abcdefghijklmnopqrstu"

CONFIG = """\
[default]
region = eu-west-1

[profile minio]
region = us-east-1
endpoint_url = http://127.0.0.1:9000

[profile rgw]
region = default
endpoint_url = http://127.0.0.1:9999
services = local-rgw

[services local-rgw]
s3 =
  endpoint_url = http://127.0.0.1:7480

[profile vhost]
region = us-west-2
endpoint_url = https://files.example.com
s3 =
  addressing_style = virtual

[profile pathy]
region = us-west-2
s3 =
  addressing_style = path

[profile ignored]
region = eu-central-1
endpoint_url = http://127.0.0.1:9000
ignore_configured_endpoint_urls = true

[profile  spaced ]
region = ap-south-1
endpoint_url = http://10.0.0.1:9000
"""

# The same keys under every profile name of CONFIG.
CREDENTIALS = "".join(f"[{name}]\naws_access_key_id = {PKEY}\naws_secret_access_key = {PSECRET}\n\n"
                      for name in ("default", "minio", "rgw", "vhost", "pathy", "ignored", "spaced"))


def botocore_profile_url(config_file, creds_file, profile, method, bucket, key, expires, token_env=None):
    """botocore's presigned URL for a profile of `config_file`, at DATE."""
    saved_env = {k: os.environ.get(k) for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")}
    os.environ["AWS_CONFIG_FILE"] = config_file
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = creds_file
    frozen = datetime.datetime.strptime(DATE, "%Y%m%dT%H%M%SZ")
    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen
    try:
        session = botocore.session.Session(profile=profile)
        client = session.create_client("s3", config=botocore.config.Config(signature_version="s3v4"))
        op = {"GET": "get_object", "PUT": "put_object"}[method]
        return client.generate_presigned_url(op, Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires)
    finally:
        botocore.auth.get_current_datetime = saved
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def host_of(url):
    return urllib.parse.urlsplit(url).netloc


def region_of(url):
    cred = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query)).get("X-Amz-Credential", "")
    return cred.split("/")[2] if cred.count("/") == 4 else None


def test_profiles_vs_botocore(cli, results, files):
    env = {"AWS_CONFIG_FILE": files["config"], "AWS_SHARED_CREDENTIALS_FILE": files["credentials"]}
    for profile, via in [("minio", "flag"), ("rgw", "flag"), ("vhost", "flag"), ("pathy", "flag"),
                         ("ignored", "flag"), ("spaced", "flag"), ("default", "flag"), ("minio", "AWS_PROFILE"),
                         ("default", "none")]:
        args = ["presign", "--date", DATE, "--expires", "900"]
        run_env = dict(env)
        if via == "flag":
            args += ["--profile", profile]
        elif via == "AWS_PROFILE":
            run_env["AWS_PROFILE"] = profile
        rc, out, err = cli.run(args + ["s3://my-bucket/dir/file one.txt"], run_env, creds=False)
        boto = botocore_profile_url(files["config"], files["credentials"], profile if via != "none" else None,
                                    "GET", "my-bucket", "dir/file one.txt", 900)
        if host_of(boto) == "my-bucket.s3.amazonaws.com":
            # No endpoint configured: botocore presigns for the global endpoint, the tool for the
            # region's own (https://s3.REGION.amazonaws.com); the region must agree.
            want = f"my-bucket.s3.{region_of(boto)}.amazonaws.com"
            ok = rc == 0 and host_of(out.strip()) == want and region_of(out.strip()) == region_of(boto)
            results.check(f"profile {profile!r} (via {via}): botocore's region, the regional AWS endpoint", ok,
                          f"{rc} {err!r}\ncli      {out.strip()}\nbotocore {boto}")
            continue
        diff = compare_urls(out.strip(), boto) if rc == 0 else f"exit {rc}: {err}"
        results.check(f"profile {profile!r} (via {via}): the URL botocore makes", not diff,
                      f"{diff}\ncli      {out.strip()}\nbotocore {boto}")


def test_precedence(cli, results, files):
    env = {"AWS_CONFIG_FILE": files["config"], "AWS_SHARED_CREDENTIALS_FILE": files["credentials"]}
    base = ["presign", "--date", DATE, "--profile", "minio"]
    target = ["s3://my-bucket/k"]

    def url(extra_args=(), extra_env=None):
        e = dict(env)
        e.update(extra_env or {})
        rc, out, err = cli.run(base + list(extra_args) + target, e, creds=False)
        return out.strip() if rc == 0 else f"<exit {rc}: {err.strip()}>"

    u = url()
    results.check("precedence: the profile's endpoint and region (over the default)",
                  host_of(u) == "127.0.0.1:9000" and region_of(u) == "us-east-1", u)
    u = url(extra_env={"AWS_ENDPOINT_URL": "http://127.0.0.2:9000", "AWS_REGION": "eu-north-1"})
    results.check("precedence: AWS_ENDPOINT_URL and AWS_REGION over the profile",
                  host_of(u) == "127.0.0.2:9000" and region_of(u) == "eu-north-1", u)
    u = url(extra_env={"AWS_ENDPOINT_URL_S3": "http://127.0.0.3:9000", "AWS_ENDPOINT_URL": "http://127.0.0.2:9000",
                       "AWS_DEFAULT_REGION": "eu-south-1"})
    results.check("precedence: AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL; AWS_DEFAULT_REGION over the profile",
                  host_of(u) == "127.0.0.3:9000" and region_of(u) == "eu-south-1", u)
    u = url(["--endpoint", "http://127.0.0.4:9000", "--region", "sa-east-1"],
            {"AWS_ENDPOINT_URL": "http://127.0.0.2:9000", "AWS_REGION": "eu-north-1"})
    results.check("precedence: --endpoint and --region over the environment",
                  host_of(u) == "127.0.0.4:9000" and region_of(u) == "sa-east-1", u)
    e = dict(env, AWS_PROFILE="minio")
    rc, out, err = cli.run(["presign", "--date", DATE, "--profile", "vhost"] + target, e, creds=False)
    results.check("precedence: --profile over AWS_PROFILE", rc == 0 and host_of(out.strip()) == "my-bucket.files.example.com",
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["presign", "--date", DATE, "--profile", "vhost", "--style", "path"] + target, env, creds=False)
    results.check("precedence: --style over the profile's s3 addressing_style",
                  rc == 0 and host_of(out.strip()) == "files.example.com", f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["presign", "--date", DATE, "--profile", "ignored"] + target,
                           dict(env, AWS_ENDPOINT_URL="http://127.0.0.2:9000"), creds=False)
    results.check("ignore_configured_endpoint_urls keeps the environment's endpoint",
                  rc == 0 and host_of(out.strip()) == "127.0.0.2:9000", f"{rc} {out!r} {err!r}")
    # verify and presign-post read the profile too
    rc, out, err = cli.run(["presign", "--profile", "rgw", "--date", DATE, "s3://my-bucket/k"], env, creds=False)
    rc2, out2, err2 = cli.run(["verify", "--profile", "rgw", "--now", DATE, out.strip()], env, creds=False)
    results.check("verify --profile: the profile's region and credentials", rc == 0 and rc2 == 0 and out2 == "valid\n",
                  f"{rc} {out!r} {err!r} {rc2} {out2!r} {err2!r}")
    rc, out, err = cli.run(["presign-post", "--profile", "rgw", "--date", DATE, "s3://my-bucket/k"], env, creds=False)
    doc = json.loads(out) if rc == 0 else {}
    results.check("presign-post --profile: the profile's endpoint", doc.get("url", "").startswith("http://127.0.0.1:7480/"),
                  f"{rc} {out!r} {err!r}")
    # sign --profile: the profile's keys, checked against botocore's SigV4Auth
    request = b"GET /path?a=b HTTP/1.1\nHost: example.amazonaws.com\n\n"
    rc, out, err = cli.run(["sign", "--profile", "minio", "--service", "service", "--region", "us-east-1",
                            "--date", "20150830T123600Z"], env, creds=False, stdin=request)
    aws_req = botocore.awsrequest.AWSRequest(method="GET", url="https://example.amazonaws.com/path?a=b")
    frozen = datetime.datetime(2015, 8, 30, 12, 36, 0)
    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen
    try:
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(PKEY, PSECRET), "service", "us-east-1").add_auth(aws_req)
    finally:
        botocore.auth.get_current_datetime = saved
    want = aws_req.headers["Authorization"]
    results.check("sign --profile: the Authorization botocore makes with the profile's keys",
                  rc == 0 and f"Authorization:{want}\n" in out, f"{rc} {out!r} {err!r}\nbotocore {want}")
    # sign's region: --region > AWS_REGION > AWS_DEFAULT_REGION > the profile's > us-east-1, each
    # level checked by the credential scope and by botocore's signature for that region
    def sign_scope(args, extra_env, creds=False):
        rc, out, err = cli.run(["sign", "--service", "service", "--date", "20150830T123600Z"] + args,
                               dict(env, **extra_env), creds=creds, stdin=request)
        auth = next((l[len("Authorization:"):] for l in out.split("\n") if l.startswith("Authorization:")), "")
        scope = auth.partition("Credential=")[2].partition(",")[0].split("/")
        return rc, (scope[2] if len(scope) == 5 else None), auth, err

    def botocore_auth_for(region, key=PKEY, secret=PSECRET):
        r = botocore.awsrequest.AWSRequest(method="GET", url="https://example.amazonaws.com/path?a=b")
        saved = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen
        try:
            botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), "service", region).add_auth(r)
        finally:
            botocore.auth.get_current_datetime = saved
        return r.headers["Authorization"]

    for label, args, extra_env, want in [
        ("the profile's (--profile)", ["--profile", "vhost"], {}, "us-west-2"),
        ("the profile's (AWS_PROFILE)", [], {"AWS_PROFILE": "vhost"}, "us-west-2"),
        ("the [default] profile's", [], {}, "eu-west-1"),
        ("AWS_DEFAULT_REGION over the profile", ["--profile", "vhost"], {"AWS_DEFAULT_REGION": "eu-south-1"}, "eu-south-1"),
        ("AWS_REGION over AWS_DEFAULT_REGION", ["--profile", "vhost"],
         {"AWS_DEFAULT_REGION": "eu-south-1", "AWS_REGION": "eu-north-1"}, "eu-north-1"),
        ("--region over AWS_REGION", ["--profile", "vhost", "--region", "sa-east-1"],
         {"AWS_DEFAULT_REGION": "eu-south-1", "AWS_REGION": "eu-north-1"}, "sa-east-1"),
        ("us-east-1 without any", [], {"AWS_CONFIG_FILE": os.path.join(os.path.dirname(files["config"]), "none")},
         "us-east-1"),
    ]:
        rc, region, auth, err = sign_scope(args, extra_env)
        results.check(f"sign region: {label} ({want})",
                      rc == 0 and region == want and auth == botocore_auth_for(want), f"{rc} {region!r} {auth!r} {err!r}")
    rc, region, auth, err = sign_scope(["--region", ""], {})
    results.check("sign --region '': a usage error", rc == 2 and "--region" in err, f"{rc} {err!r}")
    # the other commands take the profile's region too
    for args in (["multipart", "create", "--profile", "vhost", "--date", DATE, "s3://my-bucket/k"],
                 ["presign", "--profile", "vhost", "--date", DATE, "s3://my-bucket/k"]):
        rc, out, err = cli.run(args, env, creds=False)
        results.check(f"{args[0]} {args[1] if args[0] == 'multipart' else ''}: the profile's region",
                      rc == 0 and region_of(out.strip()) == "us-west-2", f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["presign-post", "--profile", "vhost", "--date", DATE, "s3://my-bucket/k"], env, creds=False)
    doc = json.loads(out) if rc == 0 else {}
    results.check("presign-post: the profile's region",
                  "/us-west-2/s3/aws4_request" in doc.get("fields", {}).get("x-amz-credential", ""), f"{rc} {out!r} {err!r}")
    # errors
    rc, out, err = cli.run(["presign", "--profile", "nosuch", "s3://my-bucket/k"], env, creds=False)
    results.check("--profile nosuch: names the profile and both files",
                  rc == 1 and "'nosuch'" in err and files["config"] in err and files["credentials"] in err, err)
    bad = os.path.join(os.path.dirname(files["config"]), "bad-config")
    with open(bad, "w") as f:
        f.write("[profile a]\nservices = missing\n[profile b]\ns3 =\n  addressing_style = sideways\n")
    for p, words in (("a", ["'missing'", "services"]), ("b", ["sideways", "addressing_style"])):
        rc, out, err = cli.run(["presign", "--profile", p, "s3://my-bucket/k"], dict(env, AWS_CONFIG_FILE=bad))
        results.check(f"bad config (profile {p}): a clear error", rc == 1 and out == "" and all(w in err for w in words),
                      f"{rc} {err!r}")


def write_script(path, body):
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def test_credential_process(cli, results, tmp):
    key, secret, token = "AKIDPROCESSEXAMPLE", "process/secret+KEY/0123456789abcdefghij", "process-session-token"
    later = (datetime.datetime.utcnow() + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answers = {
        "good": json.dumps({"Version": 1, "AccessKeyId": key, "SecretAccessKey": secret, "SessionToken": token,
                            "Expiration": later}),
        "static": json.dumps({"Version": 1, "AccessKeyId": key, "SecretAccessKey": secret}),
        "expired": json.dumps({"Version": 1, "AccessKeyId": key, "SecretAccessKey": secret,
                               "Expiration": "2020-01-01T00:00:00Z"}),
        "v2": json.dumps({"Version": 2, "AccessKeyId": key, "SecretAccessKey": secret}),
        "nosecret": json.dumps({"Version": 1, "AccessKeyId": key}),
        "garbage": "this is not JSON " + secret,
    }
    config = os.path.join(tmp, "process-config")
    lines = []
    for name, answer in answers.items():
        script = os.path.join(tmp, f"cp-{name}.sh")
        write_script(script, f"cat <<'EOF'\n{answer}\nEOF\n")
        lines.append(f"[profile {name}]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9000\n"
                     f"credential_process = {script} --flag 'quoted arg'\n")
    write_script(os.path.join(tmp, "cp-fail.sh"), "echo 'it broke' >&2\nexit 3\n")
    write_script(os.path.join(tmp, "cp-slow.sh"), "sleep 10\n")
    lines.append(f"[profile fail]\ncredential_process = {os.path.join(tmp, 'cp-fail.sh')}\n")
    lines.append(f"[profile slow]\ncredential_process = {os.path.join(tmp, 'cp-slow.sh')}\n")
    lines.append("[profile missing]\ncredential_process = /nonexistent/credential-helper\n")
    with open(config, "w") as f:
        f.write("\n".join(lines))
    env = {"AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "no-credentials")}

    # botocore, given the same answer through its own credential_process support, is the judge
    rc, out, err = cli.run(["presign", "--profile", "static", "--date", DATE, "s3://my-bucket/k"], env, creds=False)
    boto = botocore_profile_url(config, env["AWS_SHARED_CREDENTIALS_FILE"], "static", "GET", "my-bucket", "k", 3600)
    diff = compare_urls(out.strip(), boto) if rc == 0 else f"exit {rc}: {err}"
    results.check("credential_process: the URL botocore makes with the same process", not diff,
                  f"{diff}\ncli      {out.strip()}\nbotocore {boto}")
    rc, out, err = cli.run(["presign", "--profile", "good", "--expires", "30m", "s3://my-bucket/k"], env, creds=False)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(out.strip()).query))
    results.check("credential_process: SessionToken signed in the URL",
                  rc == 0 and q.get("X-Amz-Security-Token") == token and q.get("X-Amz-Credential", "").startswith(key),
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["presign", "--profile", "good", "--expires", "2h", "s3://my-bucket/k"], env, creds=False)
    results.check("credential_process: Expiration honoured (a URL outliving it is refused)",
                  rc == 1 and out == "" and "expire" in err, f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["presign", "--date", DATE, "s3://my-bucket/k"], dict(env, AWS_PROFILE="static"), creds=False)
    results.check("credential_process via AWS_PROFILE (no credentials anywhere else)", rc == 0 and key in out,
                  f"{rc} {out!r} {err!r}")
    rc, out, err = cli.run(["presign", "--date", DATE, "s3://my-bucket/k"], dict(env, AWS_PROFILE="static"))
    results.check("environment credentials come before the profile's credential_process",
                  rc == 0 and key not in out and "AKIAIOSFODNN7EXAMPLE" in out, f"{rc} {out!r} {err!r}")
    for name, words, extra in [
        ("expired", ["expired", "2020"], {}),
        ("v2", ["Version"], {}),
        ("nosecret", ["SecretAccessKey"], {}),
        ("garbage", ["not JSON"], {}),
        ("fail", ["exit status 3", "'fail'"], {}),
        ("missing", ["cannot be run", "No such file", "'missing'"], {}),
        ("slow", ["timed out", "killed"], {"SIGV4_CREDENTIAL_PROCESS_TIMEOUT": "1s"}),
    ]:
        rc, out, err = cli.run(["presign", "--profile", name, "s3://my-bucket/k"], dict(env, **extra), creds=False)
        results.check(f"credential_process {name}: a clear error, no secret",
                      rc == 1 and out == "" and all(w in err for w in words) and secret not in err,
                      f"{rc} {out!r} {err!r}")


def botocore_chosen(env, profile):
    """What botocore's chain picks for `env` (the tool's environment): ("creds", key, secret, token)
    or ("error", the exception's class name)."""
    saved = dict(os.environ)
    try:
        for k in list(os.environ):
            if k.startswith("AWS_") or k.startswith("MINIO_"):
                del os.environ[k]
        os.environ.update(env)
        try:
            c = botocore.session.Session(profile=profile).get_credentials()
        except Exception as e:  # botocore's PartialCredentialsError and friends
            return ("error", type(e).__name__)
        if c is None:
            return ("error", "NoCredentials")
        f = c.get_frozen_credentials()
        return ("creds", f.access_key, f.secret_key, f.token)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def botocore_authorization(key, secret, token):
    """botocore's Authorization (and X-Amz-Security-Token) for SIGN_REQUEST with these keys."""
    aws_req = botocore.awsrequest.AWSRequest(method="GET", url="https://example.amazonaws.com/path?a=b")
    frozen = datetime.datetime(2015, 8, 30, 12, 36, 0)
    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen
    try:
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret, token), "service",
                                "us-east-1").add_auth(aws_req)
    finally:
        botocore.auth.get_current_datetime = saved
    return aws_req.headers["Authorization"], aws_req.headers.get("X-Amz-Security-Token")


SIGN_REQUEST = b"GET /path?a=b HTTP/1.1\nHost: example.amazonaws.com\n\n"


def test_config_file_credentials(cli, results, tmp):
    """Static keys in ~/.aws/config: the tool must pick the credentials botocore's chain picks
    (environment, shared credentials file, credential_process, config file), for the same files."""
    ck, cs = "AKIDCONFIGFILEEXAMPLE", "config/file+secret/0123456789abcdefghijk"
    sk, ss = "AKIDSHAREDFILEEXAMPLE", "shared/file+secret/0123456789abcdefghijk"
    pk, ps = "AKIDPROCESSWINSEXAMPLE", "process/wins+secret/0123456789abcdefghij"
    script = os.path.join(tmp, "cp-static.sh")
    write_script(script, "cat <<'EOF'\n" + json.dumps({"Version": 1, "AccessKeyId": pk, "SecretAccessKey": ps}) + "\nEOF\n")
    config = os.path.join(tmp, "keys-config")
    creds = os.path.join(tmp, "keys-credentials")
    with open(config, "w") as f:
        f.write(f"""[default]
aws_access_key_id = {ck}
aws_secret_access_key = {cs}

[profile cfgonly]
region = eu-west-1
aws_access_key_id = {ck}
aws_secret_access_key = {cs}

[profile both]
aws_access_key_id = {ck}
aws_secret_access_key = {cs}

[profile nokeys-in-shared]
AWS_ACCESS_KEY_ID = {ck}
aws_secret_access_key = {cs}

[profile token]
aws_access_key_id = {ck}
aws_secret_access_key = {cs}
aws_session_token = config-session-token

[profile twotokens]
aws_access_key_id = {ck}
aws_secret_access_key = {cs}
aws_session_token = the-new-name
aws_security_token = the-legacy-name

[profile process]
credential_process = {script}
aws_access_key_id = {ck}
aws_secret_access_key = {cs}

[profile partial]
aws_access_key_id = {ck}

[profile shared-and-process]
credential_process = {script}
aws_access_key_id = {ck}
aws_secret_access_key = {cs}

[cfgonly-without-profile-word]
aws_access_key_id = {ck}
aws_secret_access_key = {cs}
""")
    with open(creds, "w") as f:
        f.write(f"""[both]
aws_access_key_id = {sk}
aws_secret_access_key = {ss}

[nokeys-in-shared]
region = us-west-2

[shared-and-process]
aws_access_key_id = {sk}
aws_secret_access_key = {ss}
""")
    files = {"AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": creds}
    env_keys = {"AWS_ACCESS_KEY_ID": "AKIDENVIRONMENTEXAMPLE", "AWS_SECRET_ACCESS_KEY": "env/secret+0123456789abcdefghijklmno"}
    cases = [  # (label, profile flag, extra environment)
        ("config keys only", "cfgonly", {}),
        ("shared file beats config file", "both", {}),
        ("shared section without keys falls through to the config file", "nokeys-in-shared", {}),
        ("aws_session_token of the config file", "token", {}),
        ("aws_security_token beats aws_session_token", "twotokens", {}),
        ("credential_process beats the config file's keys", "process", {}),
        ("the shared file beats credential_process", "shared-and-process", {}),
        ("partial keys in the config file", "partial", {}),
        ("[NAME] without 'profile' is no config profile", "cfgonly-without-profile-word", {}),
        ("[default] of the config file, no profile given", None, {}),
        ("AWS_PROFILE names the config profile", None, {"AWS_PROFILE": "cfgonly"}),
        ("environment beats the config file (AWS_PROFILE)", None, dict(env_keys, AWS_PROFILE="cfgonly")),
        ("--profile skips the environment", "cfgonly", env_keys),
    ]
    for label, profile, extra in cases:
        env = dict(files, **extra)
        boto = botocore_chosen(env, profile)
        args = ["sign", "--service", "service", "--region", "us-east-1", "--date", "20150830T123600Z"]
        if profile:
            args += ["--profile", profile]
        rc, out, err = cli.run(args, env, creds=False, stdin=SIGN_REQUEST)
        secrets = (cs, ss, ps)
        if boto[0] == "error":
            ok = rc == 1 and out == "" and "sigv4: error:" in err and not any(x in err for x in secrets)
            if profile == "partial":
                ok = ok and "aws_secret_access_key" in err and "'partial'" in err and config in err
            results.check(f"config-file keys, {label}: botocore fails ({boto[1]}), so does the tool", ok,
                          f"{rc} {out!r} {err!r}")
            continue
        auth, token = botocore_authorization(*boto[1:])
        ok = rc == 0 and f"Authorization:{auth}\n" in out
        ok = ok and ((f"X-Amz-Security-Token:{token}\n" in out) if token else "X-Amz-Security-Token" not in out)
        results.check(f"config-file keys, {label}: the credentials botocore picks ({boto[1]})", ok,
                      f"{rc} {out!r} {err!r}\nbotocore Authorization:{auth} token {token!r}")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    results = Results()
    with tempfile.TemporaryDirectory(prefix="sigv4-cli-profile-") as tmp:
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        files = {"config": os.path.join(tmp, "config"), "credentials": os.path.join(tmp, "credentials")}
        with open(files["config"], "w") as f:
            f.write(CONFIG)
        with open(files["credentials"], "w") as f:
            f.write(CREDENTIALS)
        cli = Cli(binary, home)
        test_profiles_vs_botocore(cli, results, files)
        test_precedence(cli, results, files)
        test_credential_process(cli, results, tmp)
        test_config_file_credentials(cli, results, tmp)
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
