#!/usr/bin/env python3
"""Differential test of sigv4's POST forms (sigv4/post_policy.hpp) against botocore.

usage: botocore_post_diff.py <sigv4-cli-binary> [--verbose]

Generates deterministic cases: keys with awkward characters (every printable ASCII
character, multi-byte UTF-8, spaces, '+', '%', '//', tabs), exact keys and ${filename}
prefixes, each condition kind (exact fields such as Content-Type, Cache-Control,
Content-Disposition, acl, x-amz-meta-*, x-amz-server-side-encryption,
x-amz-storage-class, success_action_redirect, success_action_status; starts-with on
Content-Type and on x-amz-meta-*, starts-with ""; content-length-range), session tokens,
regions, path and virtual-hosted endpoints and fixed signing times. For each case:

  * botocore's form (generate_presigned_post with its clock fixed at the signing time) is
    fed to `sigv4 verify-post`: it must be accepted. botocore wrote the policy JSON
    itself, so acceptance means our signature of botocore's exact policy text equals
    botocore's signature. Then every single-field change must be refused: each field's
    value changed at its first character, each field dropped (unless a starts-with ""
    condition allows it to be missing), an extra field, a file outside the size range, a
    time at the expiration, another bucket;
  * our form (`sigv4 presign-post --format json` with the same inputs) is compared with
    botocore's: the same URL, the same field names and values (key, x-amz-*, the caller's
    fields), the same conditions as a multiset (field names compared without regard to
    case, as S3 does), the same expiration instant, and a signature that Python's own
    HMAC-SHA256 with the SigV4 signing key reproduces over our policy field.

Prints one line per check and ends with exactly one line "N passed, M failed". Exits 1 on
any failure, when fewer than 150 cases ran, or when botocore is missing.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys

from check_results import Results

SEED = 20261202
N_CASES = 180
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGIONS = ["us-east-1", "eu-west-3", "ap-southeast-2"]
PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F))
MULTIBYTE = ["é", "ß", "ж", "€", "中", "한", "😀", "𝄞", "\u00a0"]
EXACT_FIELDS = [
    ("Content-Type", ["image/png", "text/plain; charset=utf-8", "application/octet-stream"]),
    ("Cache-Control", ["max-age=60", "no-store"]),
    ("Content-Disposition", ['attachment; filename="a b.txt"', "inline"]),
    ("acl", ["private", "bucket-owner-full-control"]),
    ("x-amz-meta-job", ["42", "job 7/é", ""]),
    ("x-amz-server-side-encryption", ["AES256"]),
    ("x-amz-storage-class", ["STANDARD", "REDUCED_REDUNDANCY"]),
    ("success_action_redirect", ["https://app.example.com/done?job=1&x=%20"]),
]


def fixed_clock(moment):
    """Makes botocore's clock read `moment` (naive UTC)."""
    import botocore.auth
    import botocore.signers

    botocore.signers.get_current_datetime = lambda *a, **k: moment
    botocore.auth.get_current_datetime = lambda *a, **k: moment


def random_key(rng, prefix):
    n = rng.randint(1, 12)
    parts = []
    for _ in range(n):
        r = rng.random()
        if r < 0.55:
            parts.append(rng.choice(PRINTABLE))
        elif r < 0.75:
            parts.append(rng.choice(MULTIBYTE))
        else:
            parts.append(rng.choice([" ", "+", "%", "%20", "//", "/", "\t", "a b", "${x}", "'", '"', "&", "="]))
    key = "jobs/" + "".join(parts)
    if prefix and key.endswith("$"):  # '$' then '{filename}' would still be a ${filename} suffix
        key += "x"
    return key


def make_case(rng, i):
    region = rng.choice(REGIONS)
    virtual = rng.random() < 0.4
    case = {
        "id": i,
        "region": region,
        "endpoint": f"https://s3.{region}.amazonaws.com" if virtual else rng.choice(
            ["http://127.0.0.1:9000", "http://localhost:9000", "https://minio.example.com:8443"]),
        "style": "virtual" if virtual else "path",
        "bucket": rng.choice(["uploads", "my-bucket", "b12"] + ([] if virtual else ["with.dots"])),
        "prefix": rng.random() < 0.5,
        "token": rng.choice([None, None, "FQoGZXIvYXdzEJr//////////wEaDOPq+token=", "short"]),
        "expires": rng.choice([1, 60, 3600, 86400, 604800]),
        "when": datetime.datetime(2015, 12, 29) + datetime.timedelta(seconds=rng.randint(0, 400 * 86400)),
        "fields": [],      # (name, value): exact conditions with a field
        "prefixes": [],    # (name, prefix): starts-with conditions, value filled in by the uploader
        "size": None,
        "status": None,
    }
    case["key"] = random_key(rng, case["prefix"])
    for name, values in rng.sample(EXACT_FIELDS, rng.randint(0, 3)):
        if name == "success_action_redirect" and rng.random() < 0.5:
            case["status"] = rng.choice([200, 201, 204])
            continue
        if name == "Content-Type" and rng.random() < 0.5:
            case["prefixes"].append(("Content-Type", rng.choice(["image/", "", "text/"])))
            continue
        case["fields"].append((name, rng.choice(values)))
    if rng.random() < 0.4:
        case["prefixes"].append(("x-amz-meta-tag", rng.choice(["", "t-", "é"])))
    if rng.random() < 0.6:
        lo = rng.choice([0, 1, 10])
        case["size"] = (lo, rng.choice([lo, lo + 1, 1 << 20, 5 << 30]))
    return case


CLIENTS = {}


def botocore_client(case):
    """A botocore S3 client for the case's region, endpoint, style and token (made once each)."""
    import botocore.session
    from botocore.config import Config

    which = (case["region"], case["endpoint"], case["style"], case["token"])
    if which not in CLIENTS:
        CLIENTS[which] = botocore.session.get_session().create_client(
            "s3", region_name=case["region"], endpoint_url=case["endpoint"], aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY, aws_session_token=case["token"],
            config=Config(signature_version="s3v4", s3={"addressing_style": case["style"]}))
    return CLIENTS[which]


def botocore_form(case):
    fixed_clock(case["when"])
    client = botocore_client(case)
    fields = {}
    conditions = []
    for name, value in case["fields"]:
        fields[name] = value
        conditions.append({name: value})
    if case["status"] is not None:
        fields["success_action_status"] = str(case["status"])
        conditions.append({"success_action_status": str(case["status"])})
    for name, prefix in case["prefixes"]:
        conditions.append(["starts-with", "$" + name, prefix])
    if case["size"]:
        conditions.append(["content-length-range", case["size"][0], case["size"][1]])
    key = case["key"] + "${filename}" if case["prefix"] else case["key"]
    return client.generate_presigned_post(case["bucket"], key, Fields=fields, Conditions=conditions,
                                          ExpiresIn=case["expires"])


def cli_env(case):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MINIO_"))}
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
               AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_REGION=case["region"])
    if case["token"]:
        env["AWS_SESSION_TOKEN"] = case["token"]
    return env


def amz(moment):
    return moment.strftime("%Y%m%dT%H%M%SZ")


def our_form(cli, case):
    args = [cli, "presign-post", "--endpoint", case["endpoint"], "--region", case["region"], "--style", case["style"],
            "--expires", str(case["expires"]), "--date", amz(case["when"])]
    if case["prefix"]:
        args.append("--key-prefix")
    for name, value in case["fields"]:
        args += ["--field", f"{name}={value}"]
    for name, prefix in case["prefixes"]:
        args += ["--condition-prefix", f"{name}={prefix}"]
    if case["status"] is not None:
        args += ["--success-status", str(case["status"])]
    if case["size"]:
        args += ["--min-size", str(case["size"][0]), "--max-size", str(case["size"][1])]
    args.append(f"s3://{case['bucket']}/{case['key']}")
    p = subprocess.run(args, env=cli_env(case), capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(f"presign-post exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout)


def verify(cli, case, url, fields, size, now):
    doc = json.dumps({"url": url, "fields": fields, "size": size})
    p = subprocess.run([cli, "verify-post", "--now", amz(now), "--region", case["region"]], input=doc.encode(),
                       env=cli_env(case), capture_output=True)
    return p.returncode, p.stdout.decode(errors="replace").strip()


def received_fields(case, form_fields):
    """The form as a browser sends it: the signed fields plus the uploader's prefixed ones."""
    fields = dict(form_fields)
    for name, prefix in case["prefixes"]:
        fields.setdefault(name, prefix + "filled")
    return fields


def good_size(case):
    return case["size"][0] if case["size"] else 1234


def changed_first(value):
    if not value:
        return "x"
    first = value[0]
    return ("A" if first != "A" else "B") + value[1:]


def normalised_conditions(policy_json):
    out = []
    for c in policy_json["conditions"]:
        if isinstance(c, dict):
            for k, v in c.items():
                out.append(("eq", k.lower(), v))
        elif c[0] == "content-length-range":
            out.append(("range", c[1], c[2]))
        else:
            out.append((c[0].lower(), c[1].lower(), c[2]))
    return sorted(out, key=repr)


def parse_expiration(text):
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise ValueError(text)


def sigv4_signature(date, region, string_to_sign):
    def h(key, msg):
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

    key = h(h(h(h(("AWS4" + SECRET_KEY).encode(), date), region), "s3"), "aws4_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def check_botocore_form(results, cli, case, boto):
    name = f"case {case['id']}"
    url, fields = boto["url"], received_fields(case, boto["fields"])
    now = case["when"] + datetime.timedelta(seconds=min(case["expires"] - 1, 30)) if case["expires"] > 1 else case["when"]
    rc, out = verify(cli, case, url, fields, good_size(case), now)
    results.check(f"{name}: botocore's form accepted", rc == 0 and out == "valid", f"{out}\n{json.dumps(fields)}")

    # A field under starts-with "" may hold anything, or be missing.
    allowed_anything = {n.lower() for n, p in case["prefixes"] if p == ""}
    for field in fields:
        if field.lower() in allowed_anything:
            continue
        changed = dict(fields)
        changed[field] = changed_first(fields[field])
        rc, out = verify(cli, case, url, changed, good_size(case), now)
        results.check(f"{name}: {field} changed, refused", rc == 1 and out.startswith("invalid: "), out)
        dropped = {k: v for k, v in fields.items() if k != field}
        rc, out = verify(cli, case, url, dropped, good_size(case), now)
        # A field with an exact "" condition may be missing: S3 (and MinIO) read it as "".
        exact_empty = any(n.lower() == field.lower() and v == "" for n, v in case["fields"])
        if not exact_empty:
            results.check(f"{name}: {field} dropped, refused", rc == 1 and out.startswith("invalid: "), out)
    extra = dict(fields, **{"x-amz-meta-extra": "1"})
    rc, out = verify(cli, case, url, extra, good_size(case), now)
    results.check(f"{name}: extra field refused", out == "invalid: field not in policy", out)
    if case["size"]:
        lo, hi = case["size"]
        for size in ([lo - 1] if lo > 0 else []) + [hi + 1]:
            rc, out = verify(cli, case, url, fields, size, now)
            results.check(f"{name}: size {size} refused", out == "invalid: size out of range", out)
    rc, out = verify(cli, case, url, fields, good_size(case), case["when"] + datetime.timedelta(seconds=case["expires"]))
    results.check(f"{name}: at the expiration, refused", out == "invalid: expired", out)
    other = url.replace(case["bucket"], "zz" + case["bucket"], 1)
    rc, out = verify(cli, case, other, fields, good_size(case), now)
    results.check(f"{name}: another bucket refused", out == "invalid: condition failed", out)


def check_our_form(results, cli, case, boto):
    name = f"case {case['id']}"
    ours = our_form(cli, case)
    results.check(f"{name}: same url", ours["url"] == boto["url"], f"{ours['url']} != {boto['url']}")
    skip = {"policy", "x-amz-signature"}
    mine = {k: v for k, v in ours["fields"].items() if k not in skip}
    theirs = {k: v for k, v in boto["fields"].items() if k not in skip}
    results.check(f"{name}: same fields", mine == theirs, f"ours {mine}\nbotocore {theirs}")
    ours_policy = json.loads(base64.b64decode(ours["fields"]["policy"]))
    boto_policy = json.loads(base64.b64decode(boto["fields"]["policy"]))
    results.check(f"{name}: same conditions", normalised_conditions(ours_policy) == normalised_conditions(boto_policy),
                  f"ours {normalised_conditions(ours_policy)}\nbotocore {normalised_conditions(boto_policy)}")
    results.check(f"{name}: same expiration",
                  parse_expiration(ours_policy["expiration"]) == parse_expiration(boto_policy["expiration"]),
                  f"{ours_policy['expiration']} != {boto_policy['expiration']}")
    want = sigv4_signature(case["when"].strftime("%Y%m%d"), case["region"], ours["fields"]["policy"])
    results.check(f"{name}: our signature is the HMAC of our policy", ours["fields"]["x-amz-signature"] == want)
    order = list(ours["fields"])
    head = ["key", "policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date"]
    results.check(f"{name}: form order", order[:5] == head and order.index("x-amz-signature") == 5 + bool(case["token"]),
                  order)


def check_formats_and_usage(results, cli):
    """--format curl and html carry the json form's fields in order, the file last; usage errors
    exit 2 and refused input exit 1."""
    import html.parser

    case = {"region": "us-east-1", "token": "TOK"}
    base = [cli, "presign-post", "--endpoint", "http://127.0.0.1:9000", "--date", "20151229T000000Z",
            "--content-type-prefix", "image/", "--field", "x-amz-meta-a=@not-a-file;x", "--key-prefix"]
    target = "s3://uploads/a b/'quoted'/"
    run = lambda extra: subprocess.run(base + extra + [target], env=cli_env(case), capture_output=True)
    form = json.loads(run([]).stdout)
    expected = list(form["fields"].items())

    # The command as bash reads it, with a curl that prints its arguments.
    command = run(["--format", "curl"]).stdout.decode()
    shell = subprocess.run(["bash", "-c", "curl() { printf '%s\\0' \"$@\"; }\n" + command], capture_output=True)
    words = shell.stdout.decode().split("\0")[:-1]
    pairs = [(words[i], words[i + 1]) for i in range(0, len(words) - 1, 2)]
    got = [tuple(v.split("=", 1)) for f, v in pairs if f in ("-F", "--form-string")]
    results.check("curl: the json fields in order, the prefixed field, then file=@FILE, then the URL",
                  got == expected + [("Content-Type", "image/"), ("file", "@FILE")] and words[-1] == form["url"],
                  f"{shell.stderr}\n{words}")
    results.check("curl: a value with '@' or ';' goes through --form-string",
                  ("--form-string", "x-amz-meta-a=@not-a-file;x") in pairs, pairs)

    class Inputs(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.inputs, self.action = [], None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.action = a.get("action")
            if tag == "input" and a.get("type") != "submit":
                self.inputs.append((a.get("type"), a.get("name"), a.get("value")))

    page = Inputs()
    page.feed(run(["--format", "html"]).stdout.decode())
    want = [("hidden", k, v) for k, v in expected] + [("text", "Content-Type", "image/"), ("file", "file", None)]
    results.check("html: hidden fields in order, the prefixed field, the file input last",
                  page.inputs == want and page.action == form["url"], page.inputs)

    for extra, code, what in [
        (["--content-type", "a/b"], 2, "--content-type with --content-type-prefix"),
        (["--format", "xml"], 2, "an unknown format"),
        (["--success-status", "302"], 2, "a status other than 200, 201, 204"),
        (["--success-status", "201", "--redirect", "https://x/"], 2, "--success-status with --redirect"),
        (["--min-size", "-1"], 2, "a negative size"),
        (["--field", "novalue"], 2, "a --field without '='"),
        (["-X", "PUT"], 2, "-X"),
        (["--min-size", "10", "--max-size", "9"], 1, "min > max"),
        (["--max-size", str((5 << 30) + 1)], 1, "beyond 5 GiB"),
        (["--expires", "604801"], 1, "over 7 days"),
        (["--field", "bad name=1"], 1, "a field name that is not a token"),
        (["--field", "x-amz-signature=1"], 1, "a field the form sets"),
        (["--condition-prefix", "Content-Type=text/"], 1, "two prefixes no value meets together"),
        (["--condition-prefix", "Content-Type=image/p"], 0, "two prefixes that agree"),
    ]:
        p = run(extra)
        results.check(f"presign-post {what}: exit {code}", p.returncode == code, p.stderr.decode(errors="replace"))
    p = subprocess.run([cli, "verify-post"], input=b"[]", env=cli_env(case), capture_output=True)
    results.check("verify-post: not a form on stdin, exit 2", p.returncode == 2, p.stderr)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    cli = sys.argv[1]
    try:
        import botocore  # noqa: F401
    except ImportError:
        print("botocore is missing\n0 passed, 1 failed")
        return 1
    rng = random.Random(SEED)
    results = Results()
    cases = [make_case(rng, i) for i in range(N_CASES)]
    for case in cases:
        boto = botocore_form(case)
        check_botocore_form(results, cli, case, boto)
        check_our_form(results, cli, case, boto)
    check_formats_and_usage(results, cli)
    if len(cases) < 150:
        results.check("at least 150 cases", False)
    print(f"{results.passed} passed, {results.failed} failed")
    return 0 if results.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
