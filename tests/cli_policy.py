#!/usr/bin/env python3
"""Checks `sigv4 policy` from the outside.

usage: cli_policy.py <path-to-sigv4-binary>

Every document the command prints must be valid JSON (json.loads) with the structure
of its kind: --kind iam has no Principal and Allows with IpAddress; --kind bucket has
Principal "*" and Denies with NotIpAddress; --kind session is compact (no whitespace)
and at most 2048 characters. Then --action, --prefix, --max-signature-age,
--require-tls and --client, and the error cases with their exit statuses and
messages (1 for what the library refuses, 2 for a wrong command line).

Ends with a line "N passed, M failed"; exits 1 when anything failed. Python 3
standard library only.
"""

import json
import os
import subprocess
import sys

from check_results import Results

ACTIONS = {
    "get": "s3:GetObject",
    "put": "s3:PutObject",
    "delete": "s3:DeleteObject",
    "list": "s3:ListBucket",
}


class Cli:
    def __init__(self, binary):
        self.binary = binary

    def run(self, args):
        """(exit status, stdout, stderr) of `sigv4 policy ARGS`, in a plain environment."""
        env = {k: v for k, v in os.environ.items() if not (k.startswith("AWS_") or k.startswith("MINIO_"))}
        p = subprocess.run([self.binary, "policy"] + args, capture_output=True, env=env, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def parse(out):
    """The document, or None when it is not JSON."""
    try:
        return json.loads(out)
    except ValueError:
        return None


def statements(doc):
    return doc.get("Statement", []) if isinstance(doc, dict) else []


def as_list(value):
    return value if isinstance(value, list) else [value]


def actions_of(doc):
    return sorted({a for s in statements(doc) for a in as_list(s.get("Action", []))})


def resources_of(doc):
    return sorted({r for s in statements(doc) for r in as_list(s.get("Resource", []))})


def conditions_of(doc, operator):
    """Every condition under `operator`, merged: {key: [values...]}."""
    out = {}
    for s in statements(doc):
        for key, values in s.get("Condition", {}).get(operator, {}).items():
            out.setdefault(key, []).extend(as_list(values))
    return out


def source_ips(doc, operator):
    return conditions_of(doc, operator).get("aws:SourceIp", [])


class Document:
    """A policy document a command printed; its checks are named after the command."""

    def __init__(self, results, name, doc, out):
        self.results = results
        self.name = name
        self.doc = doc
        self.out = out
        self.statements = statements(doc)

    def check(self, what, ok):
        return self.results.check(f"{self.name}: {what}", ok, self.out)

    def with_condition(self, operator, key):
        """The statements that hold `operator` with `key`, e.g. NotIpAddress, aws:SourceIp."""
        return [s for s in self.statements if key in s.get("Condition", {}).get(operator, {})]


def policy(cli, results, name, args):
    """Runs `sigv4 policy ARGS`, which must succeed: exit 0, nothing on stderr, on stdout a
    JSON document ending in a newline with Version 2012-10-17 and a Statement list.
    Returns the Document, or None when that failed."""
    rc, out, err = cli.run(args)
    doc = parse(out)
    ok = results.check(
        f"{name}: exit 0, a JSON policy document on stdout, nothing on stderr",
        rc == 0 and err == "" and out.endswith("\n") and isinstance(doc, dict)
        and doc.get("Version") == "2012-10-17" and isinstance(doc.get("Statement"), list) and len(doc["Statement"]) > 0,
        f"exit {rc}\nstdout: {out[:2000]}\nstderr: {err}",
    )
    return Document(results, name, doc, out) if ok else None


def test_iam(cli, results):
    d = policy(cli, results, "iam", ["--kind", "iam", "--bucket", "bkt", "--allow-cidr", "203.0.113.0/24"])
    if d is None:
        return
    d.check("no Principal", all("Principal" not in s for s in d.statements))
    d.check("every statement is an Allow", all(s.get("Effect") == "Allow" for s in d.statements))
    d.check("IpAddress holds the CIDR", source_ips(d.doc, "IpAddress") == ["203.0.113.0/24"])
    d.check("no NotIpAddress", source_ips(d.doc, "NotIpAddress") == [])
    d.check("default action is s3:GetObject", actions_of(d.doc) == ["s3:GetObject"])
    d.check("whole bucket by default", resources_of(d.doc) == ["arn:aws:s3:::bkt/*"])


def test_bucket(cli, results):
    d = policy(cli, results, "bucket", ["--kind", "bucket", "--bucket", "bkt", "--allow-cidr", "127.0.0.1/32"])
    if d is None:
        return
    d.check('every statement has Principal "*"', all(s.get("Principal") == "*" for s in d.statements))
    denies = [s for s in d.with_condition("NotIpAddress", "aws:SourceIp") if s.get("Effect") == "Deny"]
    d.check("a Deny with NotIpAddress", len(denies) >= 1)
    d.check("NotIpAddress holds the CIDR", source_ips(d.doc, "NotIpAddress") == ["127.0.0.1/32"])
    d.check("the Deny covers s3:GetObject on the bucket's objects",
            any("s3:GetObject" in as_list(s.get("Action")) and "arn:aws:s3:::bkt/*" in as_list(s.get("Resource"))
                for s in denies))


def test_session(cli, results):
    d = policy(cli, results, "session",
               ["--kind", "session", "--bucket", "bkt", "--allow-cidr", "10.0.0.0/8,2001:db8::/32",
                "--action", "get", "--action", "put", "--require-tls", "--max-signature-age", "300"])
    if d is not None:
        text = d.out[:-1]
        d.check("compact, one line, no whitespace", not any(c in text for c in " \t\r\n"))
        d.check(f"at most 2048 characters ({len(text)})", len(text) <= 2048)
        d.check("no Principal", all("Principal" not in s for s in d.statements))
        d.check("IpAddress holds both CIDRs", sorted(source_ips(d.doc, "IpAddress")) == ["10.0.0.0/8", "2001:db8::/32"])

    # Too many blocks for a session policy: refused by the library, exit 1.
    args = ["--kind", "session", "--bucket", "bkt"]
    for i in range(200):
        args += ["--allow-cidr", f"10.{i}.0.0/16"]
    rc, out, err = cli.run(args)
    results.check("session over 2048 characters: exit 1, nothing on stdout, says why",
                  rc == 1 and out == "" and err.startswith("sigv4: error: ") and "2048" in err,
                  f"exit {rc}\nstderr: {err}")
    # The same networks fit an IAM policy.
    args[1] = "iam"
    d = policy(cli, results, "the same 200 networks as an IAM policy", args)
    if d is not None:
        d.check("all 200 blocks kept", len(source_ips(d.doc, "IpAddress")) == 200)


def test_actions(cli, results):
    for kind in ("iam", "bucket"):
        base = ["--kind", kind, "--bucket", "bkt", "--allow-cidr", "1.2.3.4"]
        for flag, action in ACTIONS.items():
            d = policy(cli, results, f"{kind} --action {flag}", base + ["--action", flag])
            if d is not None:
                d.check(f"only {action}", actions_of(d.doc) == [action])
        d = policy(cli, results, f"{kind} several --action",
                   base + ["--action", "get", "--action", "put", "--action=delete"])
        if d is not None:
            d.check("all three", actions_of(d.doc) == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"])


def test_prefix(cli, results):
    d = policy(cli, results, "iam --prefix",
               ["--kind", "iam", "--bucket", "bkt", "--prefix", "jobs/", "--allow-cidr", "1.2.3.4",
                "--action", "get", "--action", "list"])
    if d is not None:
        objects = [s for s in d.statements if "s3:GetObject" in as_list(s.get("Action"))]
        listing = [s for s in d.statements if "s3:ListBucket" in as_list(s.get("Action"))]
        d.check("objects under the prefix only", resources_of({"Statement": objects}) == ["arn:aws:s3:::bkt/jobs/*"])
        d.check("list on the bucket, limited by s3:prefix",
                resources_of({"Statement": listing}) == ["arn:aws:s3:::bkt"]
                and conditions_of({"Statement": listing}, "StringLike").get("s3:prefix") == ["jobs/*"])
    d = policy(cli, results, "bucket --prefix",
               ["--kind", "bucket", "--bucket", "bkt", "--prefix", "in/", "--allow-cidr", "1.2.3.4"])
    if d is not None:
        d.check("the Deny names the prefix", resources_of(d.doc) == ["arn:aws:s3:::bkt/in/*"])


def test_signature_age_and_tls(cli, results):
    d = policy(cli, results, "iam --max-signature-age 600 --require-tls",
               ["--kind", "iam", "--bucket", "bkt", "--allow-cidr", "1.2.3.4", "--max-signature-age", "600",
                "--require-tls"])
    if d is not None:
        d.check("s3:signatureAge < 600000 ms", conditions_of(d.doc, "NumericLessThan").get("s3:signatureAge") == ["600000"])
        d.check("aws:SecureTransport true", conditions_of(d.doc, "Bool").get("aws:SecureTransport") == ["true"])
    d = policy(cli, results, "bucket --max-signature-age=60 --require-tls",
               ["--kind", "bucket", "--bucket", "bkt", "--allow-cidr", "1.2.3.4", "--max-signature-age=60",
                "--require-tls"])
    if d is not None:
        old = d.with_condition("NumericGreaterThanEquals", "s3:signatureAge")
        plain = d.with_condition("Bool", "aws:SecureTransport")
        d.check("a Deny at s3:signatureAge >= 60000 ms",
                any(s.get("Effect") == "Deny"
                    and s["Condition"]["NumericGreaterThanEquals"]["s3:signatureAge"] == ["60000"] for s in old))
        d.check("a Deny when aws:SecureTransport is false",
                any(s.get("Effect") == "Deny" and s["Condition"]["Bool"]["aws:SecureTransport"] == ["false"]
                    for s in plain))
    d = policy(cli, results, "iam without --max-signature-age or --require-tls",
               ["--kind", "iam", "--bucket", "bkt", "--allow-cidr", "1.2.3.4"])
    if d is not None:
        d.check("no signatureAge or SecureTransport condition",
                not conditions_of(d.doc, "NumericLessThan") and not conditions_of(d.doc, "Bool"))


def test_clients(cli, results):
    d = policy(cli, results, "iam --client",
               ["--kind", "iam", "--bucket", "bkt", "--client", "alpha=a/:198.51.100.7,2001:db8::1",
                "--client", "beta=:192.0.2.0/24"])
    if d is not None:
        by_resource = {}
        for s in d.with_condition("IpAddress", "aws:SourceIp"):
            for r in as_list(s.get("Resource")):
                by_resource.setdefault(r, []).extend(as_list(s["Condition"]["IpAddress"]["aws:SourceIp"]))
        d.check("each client's prefix with its own networks (a bare address gets /32 or /128)",
                sorted(by_resource.get("arn:aws:s3:::bkt/a/*", [])) == ["198.51.100.7/32", "2001:db8::1/128"]
                and by_resource.get("arn:aws:s3:::bkt/*", []) == ["192.0.2.0/24"])
    d = policy(cli, results, "bucket --allow-cidr and --client",
               ["--kind", "bucket", "--bucket", "bkt", "--allow-cidr", "10.0.0.0/8", "--client", "c=c/:1.1.1.1"])
    if d is not None:
        d.check("a NotIpAddress Deny for the client's prefix too",
                any("arn:aws:s3:::bkt/c/*" in as_list(s.get("Resource")) and s.get("Effect") == "Deny"
                    and s["Condition"]["NotIpAddress"]["aws:SourceIp"] == ["1.1.1.1/32"]
                    for s in d.with_condition("NotIpAddress", "aws:SourceIp")))


def test_help(cli, results):
    for flag in ("--help", "-h"):
        rc, out, err = cli.run([flag])
        results.check(f"policy {flag}: exit 0, usage on stdout",
                      rc == 0 and out.startswith("usage: sigv4 policy") and err == "", f"exit {rc}\n{err}")
    rc, out, err = cli.run(["--help"])
    missing = [f for f in ("--kind", "--bucket", "--prefix", "--action", "--allow-cidr", "--max-signature-age",
                           "--require-tls", "--client") if f not in out]
    results.check("policy --help documents every flag", not missing, f"missing {missing}")
    top = subprocess.run([cli.binary, "--help"], capture_output=True, text=True)
    results.check("top-level help lists policy",
                  top.returncode == 0 and any(line.split()[:1] == ["policy"] for line in top.stdout.splitlines()),
                  top.stdout)
    via_help = subprocess.run([cli.binary, "help", "policy"], capture_output=True, text=True)
    results.check("sigv4 help policy prints the policy help",
                  via_help.returncode == 0 and via_help.stdout.startswith("usage: sigv4 policy"), via_help.stderr)


# (arguments, exit status, text the message must hold). Exit 2 messages also point at --help.
ERRORS = [
    (["--bucket", "b", "--allow-cidr", "1.1.1.1"], 2, "--kind is required"),
    (["--kind", "iam", "--allow-cidr", "1.1.1.1"], 2, "--bucket is required"),
    (["--kind", "iam", "--bucket", "b"], 2, "give at least one CIDR with --allow-cidr or --client"),
    (["--kind", "iam", "--bucket", "b", "--prefix", "p/", "--client", "c=:1.1.1.1"], 2, "--prefix needs --allow-cidr"),
    (["--kind", "other", "--bucket", "b", "--allow-cidr", "1.1.1.1"], 2, "--kind takes iam, bucket or session, got 'other'"),
    (["--kind", "iam", "--kind", "iam"], 2, "option --kind is given twice"),
    (["--kind", "iam", "--bucket", "a", "--bucket", "b"], 2, "option --bucket is given twice"),
    (["--kind", "iam", "--prefix", "a", "--prefix", "b"], 2, "option --prefix is given twice"),
    (["--action", "post"], 2, "--action takes get, put, delete or list, got 'post'"),
    (["--max-signature-age", "0"], 2, "--max-signature-age takes a positive number of seconds, got '0'"),
    (["--max-signature-age", "-5"], 2, "--max-signature-age takes a positive number of seconds, got '-5'"),
    (["--max-signature-age", "1m"], 2, "--max-signature-age takes a positive number of seconds, got '1m'"),
    (["--max-signature-age", "99999999999"], 2, "--max-signature-age takes a positive number of seconds"),
    (["--max-signature-age", "5", "--max-signature-age", "6"], 2, "option --max-signature-age is given twice"),
    (["--require-tls=yes"], 2, "option --require-tls takes no value"),
    (["--help=1"], 2, "option --help takes no value"),
    (["--kind"], 2, "option --kind needs a value"),
    (["--bogus"], 2, "unknown option '--bogus'"),
    (["--bogus=1"], 2, "unknown option '--bogus'"),
    (["stray"], 2, "unexpected argument 'stray'"),
    (["--help", "--bogus"], 2, "unknown option '--bogus'"),
    (["--kind", "iam", "--bucket", "b", "--allow-cidr", "1.1.1.1,"], 2, "--allow-cidr has an empty CIDR in '1.1.1.1,'"),
    (["--kind", "iam", "--bucket", "b", "--client", "=p:1.1.1.1"], 2, "--client takes NAME=PREFIX:CIDR[,CIDR...]"),
    (["--kind", "iam", "--bucket", "b", "--client", "name"], 2, "--client takes NAME=PREFIX:CIDR[,CIDR...]"),
    (["--kind", "iam", "--bucket", "b", "--client", "n=p"], 2, "--client 'n=p' has no ':' between the prefix and the CIDRs"),
    (["--kind", "iam", "--bucket", "b", "--client", "n=p:"], 2, "--client 'n' has an empty CIDR"),
    (["--kind", "iam", "--bucket", "b", "--allow-cidr", "127.0.0.1/33"], 1, "'127.0.0.1/33' is not a CIDR block"),
    (["--kind", "iam", "--bucket", "b", "--allow-cidr", "300.1.1.1"], 1, "'300.1.1.1' is not a CIDR block"),
    (["--kind", "bucket", "--bucket", "b", "--allow-cidr", "not-an-ip"], 1, "'not-an-ip' is not a CIDR block"),
    (["--kind", "iam", "--bucket", "b", "--client", "n=p:2001:db8::zz"], 1, "is not a CIDR block"),
]


def test_errors(cli, results):
    for args, status, text in ERRORS:
        rc, out, err = cli.run(args)
        if status == 2:
            shape = err.startswith("sigv4: ") and err.rstrip("\n").endswith("(see 'sigv4 policy --help')")
        else:
            shape = err.startswith("sigv4: error: ")
        results.check(f"policy {' '.join(args)}: exit {status}, '{text}'",
                      rc == status and out == "" and text in err and shape and err.count("\n") == 1,
                      f"exit {rc}\nstdout: {out}\nstderr: {err}")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    cli = Cli(os.path.abspath(sys.argv[1]))
    results = Results()
    for test in (test_iam, test_bucket, test_session, test_actions, test_prefix, test_signature_age_and_tls,
                 test_clients, test_help, test_errors):
        test(cli, results)
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
