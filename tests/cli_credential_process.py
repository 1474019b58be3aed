#!/usr/bin/env python3
"""credential_process in the `sigv4` tool, run as botocore runs it: the command line split with
botocore.compat.compat_shell_split (Python's shlex.split on POSIX) and executed without a shell,
the program looked up on PATH.

usage: cli_credential_process.py <path-to-sigv4-binary>

- the split: for many command lines (fixed cases for each rule, then random ones made of quotes,
  backslashes, blanks and shell characters), a helper script records the argv it was given
  (NUL-separated) and prints a JSON version 1 answer; the recorded words must be those of
  compat_shell_split. Where compat_shell_split raises (an unterminated quote, a trailing
  backslash), the tool must refuse with a clear error that names the problem and never quotes
  the command;
- no shell: ';', '|', '$VAR', '$(...)', globs and '#' are plain characters (a '; touch FILE'
  creates no file);
- PATH: a bare program name is found on PATH, one that is not there or not executable is an
  error naming it and the reason, a file without '#!' is not handed to /bin/sh;
- the answer: wrong Version, missing fields, garbage, a non-zero exit, a timeout: each a clear
  error without the secret.

Every run gets a clean environment and a temporary HOME. Python 3 and botocore.
"""

import json
import os
import random
import shlex
import stat
import sys
import tempfile

from check_results import Results
from cli_presign_verify import DATE, Cli

try:
    from botocore.compat import compat_shell_split
except ImportError:  # a machine without botocore fails, never skips
    print("botocore is not installed (python3 -m pip install botocore)")
    sys.exit(1)

KEY = "AKIDCREDPROCEXAMPLE"
SECRET = "credproc/secret+KEY/0123456789abcdefghijkl"
ANSWER = json.dumps({"Version": 1, "AccessKeyId": KEY, "SecretAccessKey": SECRET})

# Each rule of shlex's POSIX mode, and what a shell would do differently.
FIXED = [
    "a b c", "  a \t b  ", "'a b'", '"a b"', "a\\ b", '"a\\"b"', '"a\\\\b"', '"a\\$b"', '"a\\b"', "'a\\b'",
    "'a\"b'", "\"a'b\"", "a\"b c\"d", "''", '""', "a '' b", 'x"" y', "'it'\\''s'", "\\'", '\\"', "\\\\",
    "a\\bc", "$HOME", "${HOME}", "*", "?", "[ab]", "a;b", "; touch PWNED", "a|b", "a&&b", "`id`", "$(id)",
    "#comment", "a#b", "~", "~/x", "a=b", "-x --flag=value", "é ü 日本", "'a\tb'", "a\\\tb", "'' ''",
    "\"\\'\"", "'\\\"'", '"$(id)"', "'a'\"b\"c",
]
BAD = ["'abc", '"abc', "abc\\", '"abc\\', "a 'b c", 'a "b\\"', "'", '"']


def write_script(path, body):
    with open(path, "w") as f:
        f.write(body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def random_cases(n):
    rng = random.Random(14)
    alphabet = ["a", "b", " ", " ", "\t", "'", '"', "\\", "$", "*", ";", "#", "|", "é", "~", "="]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(n)]


class Setup:
    def __init__(self, tmp):
        self.tmp = tmp
        self.argv_file = os.path.join(tmp, "argv")
        spaced = os.path.join(tmp, "dir with space")
        os.makedirs(spaced)
        self.bin = os.path.join(tmp, "bin")
        os.makedirs(self.bin)
        dump = f"#!/bin/sh\n{{ printf '%s\\n' \"$#\"; printf '%s\\0' \"$@\"; }} > \"$SIGV4_TEST_ARGV\"\ncat <<'EOF'\n{ANSWER}\nEOF\n"
        self.dumper = os.path.join(tmp, "dump-argv.sh")
        write_script(self.dumper, dump)
        self.spaced_dumper = os.path.join(spaced, "dump argv.sh")
        write_script(self.spaced_dumper, dump)
        write_script(os.path.join(self.bin, "sigv4-test-helper"), dump)
        no_shebang = os.path.join(tmp, "no-shebang")
        write_script(no_shebang, f"cat <<'EOF'\n{ANSWER}\nEOF\n")
        not_executable = os.path.join(tmp, "not-executable.sh")
        with open(not_executable, "w") as f:
            f.write(dump)
        self.no_shebang, self.not_executable = no_shebang, not_executable

    def config(self, command):
        path = os.path.join(self.tmp, "config")
        with open(path, "w") as f:
            f.write(f"[profile p]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9000\n"
                    f"credential_process = {command}\n")
        return path

    def run(self, cli, command, extra_env=None):
        """(exit, stdout, stderr, recorded argv or None)."""
        if os.path.exists(self.argv_file):
            os.remove(self.argv_file)
        env = {"AWS_CONFIG_FILE": self.config(command), "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.tmp, "none"),
               "SIGV4_TEST_ARGV": self.argv_file, "SIGV4_CREDENTIAL_PROCESS_TIMEOUT": "5s"}
        env.update(extra_env or {})
        rc, out, err = cli.run(["presign", "--profile", "p", "--date", DATE, "s3://my-bucket/k"], env, creds=False)
        argv = None
        if os.path.exists(self.argv_file):
            with open(self.argv_file, "rb") as f:
                data = f.read().decode("utf-8")
            count, _, words = data.partition("\n")
            argv = words.split("\0")[:int(count)] if int(count) else []
        return rc, out, err, argv


def test_split(cli, results, s):
    cases = [(args, s.dumper) for args in FIXED + BAD + random_cases(80)]
    cases += [(args, s.spaced_dumper) for args in FIXED[:6] + BAD[:2]]  # a program path with a space
    agree_shlex = True
    for args, program in cases:
        command = f"{shlex.quote(program)} {args}"
        try:
            want = compat_shell_split(command)
        except ValueError as e:
            want = e
        try:
            agree_shlex = agree_shlex and want == shlex.split(command)
        except ValueError:
            agree_shlex = agree_shlex and isinstance(want, ValueError)
        rc, out, err, argv = s.run(cli, command)
        label = f"split {'(spaced program) ' if program == s.spaced_dumper else ''}{args!r}"
        if isinstance(want, ValueError):
            ok = (rc == 1 and out == "" and argv is None and "'p'" in err and ("quote" in err or "backslash" in err)
                  and program not in err and (len(args) < 4 or args not in err))
            results.check(f"{label}: refused as compat_shell_split refuses it ({want})", ok,
                          f"{rc} {out!r} {err!r} {argv!r}")
        else:
            ok = rc == 0 and want[0] == program and argv == want[1:] and KEY in out
            results.check(f"{label}: the words of compat_shell_split {want[1:]!r}", ok, f"{rc} {err!r} got {argv!r}")
    results.check("compat_shell_split is shlex.split here (POSIX)", agree_shlex)
    results.check("no shell: '; touch PWNED' made no file", not os.path.exists(os.path.join(s.tmp, "PWNED")))


def test_path_and_exec(cli, results, s):
    path_env = {"PATH": s.bin + ":/usr/bin:/bin"}
    rc, out, err, argv = s.run(cli, "sigv4-test-helper 'one arg' two", path_env)
    results.check("a bare program name is found on PATH", rc == 0 and argv == ["one arg", "two"] and KEY in out,
                  f"{rc} {out!r} {err!r} {argv!r}")
    rc, out, err, argv = s.run(cli, "sigv4-test-helper x", {"PATH": "/usr/bin:/bin"})
    results.check("not on PATH: names the program and 'No such file'",
                  rc == 1 and "'sigv4-test-helper'" in err and "No such file" in err and "cannot be run" in err,
                  f"{rc} {err!r}")
    rc, out, err, argv = s.run(cli, "/nonexistent/helper --secret-arg hunter2")
    results.check("a missing program: named, its arguments not",
                  rc == 1 and "'/nonexistent/helper'" in err and "No such file" in err and "hunter2" not in err,
                  f"{rc} {err!r}")
    rc, out, err, argv = s.run(cli, shlex.quote(s.not_executable))
    results.check("a file that is not executable: 'Permission denied'", rc == 1 and "Permission denied" in err,
                  f"{rc} {err!r}")
    rc, out, err, argv = s.run(cli, shlex.quote(s.no_shebang))
    results.check("a script without '#!' is not run by a shell (Exec format error)",
                  rc == 1 and "format" in err.lower() and KEY not in out, f"{rc} {out!r} {err!r}")
    rc, out, err, argv = s.run(cli, "''")
    results.check("an empty program name: a clear error", rc == 1 and "empty program" in err, f"{rc} {err!r}")
    rc, out, err, argv = s.run(cli, "'   '  ")
    results.check("a program name of blanks: not found", rc == 1 and "cannot be run" in err, f"{rc} {err!r}")


def test_answers(cli, results, s):
    answers = {
        "version 2": (json.dumps({"Version": 2, "AccessKeyId": KEY, "SecretAccessKey": SECRET}), ["Version"]),
        "version as a string": (json.dumps({"Version": "1", "AccessKeyId": KEY, "SecretAccessKey": SECRET}),
                                ["Version"]),
        "no Version": (json.dumps({"AccessKeyId": KEY, "SecretAccessKey": SECRET}), ["Version"]),
        "no AccessKeyId": (json.dumps({"Version": 1, "SecretAccessKey": SECRET}), ["AccessKeyId"]),
        "no SecretAccessKey": (json.dumps({"Version": 1, "AccessKeyId": KEY}), ["SecretAccessKey"]),
        "SessionToken not a string": (json.dumps({"Version": 1, "AccessKeyId": KEY, "SecretAccessKey": SECRET,
                                                  "SessionToken": 5}), ["SessionToken"]),
        "bad Expiration": (json.dumps({"Version": 1, "AccessKeyId": KEY, "SecretAccessKey": SECRET,
                                       "Expiration": "tomorrow"}), ["Expiration"]),
        "past Expiration": (json.dumps({"Version": 1, "AccessKeyId": KEY, "SecretAccessKey": SECRET,
                                        "Expiration": "2020-01-01T00:00:00Z"}), ["expired"]),
        "garbage": ("this is not JSON " + SECRET, ["not JSON"]),
        "a JSON array": (json.dumps([1, KEY, SECRET]), ["not a JSON object"]),
        "nothing": ("", ["not JSON"]),
    }
    for name, (answer, words) in answers.items():
        script = os.path.join(s.tmp, "answer-" + name.replace(" ", "-") + ".sh")
        write_script(script, f"#!/bin/sh\ncat <<'EOF'\n{answer}\nEOF\n")
        rc, out, err, _ = s.run(cli, shlex.quote(script))
        results.check(f"answer {name}: a clear error, no secret",
                      rc == 1 and out == "" and all(w in err for w in words) and "'p'" in err and SECRET not in err,
                      f"{rc} {out!r} {err!r}")
    for name, body, words, env in (
            ("exits 3", "echo 'it broke' >&2\nexit 3\n", ["exit status 3"], {}),
            ("killed by a signal", "kill -9 $$\n", ["signal 9"], {}),
            ("times out", f"echo '{ANSWER}'\nsleep 10\n", ["timed out", "killed"],
             {"SIGV4_CREDENTIAL_PROCESS_TIMEOUT": "1s"})):
        script = os.path.join(s.tmp, "proc-" + name.replace(" ", "-") + ".sh")
        write_script(script, "#!/bin/sh\n" + body)
        rc, out, err, _ = s.run(cli, shlex.quote(script), env)
        results.check(f"a process that {name}: a clear error, no secret",
                      rc == 1 and out == "" and all(w in err for w in words) and SECRET not in err,
                      f"{rc} {out!r} {err!r}")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    results = Results()
    with tempfile.TemporaryDirectory(prefix="sigv4-cli-credproc-") as tmp:
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        cwd = os.getcwd()
        os.chdir(tmp)  # where '; touch PWNED' would write
        try:
            s = Setup(tmp)
            cli = Cli(binary, home)
            test_split(cli, results, s)
            test_path_and_exec(cli, results, s)
            test_answers(cli, results, s)
        finally:
            os.chdir(cwd)
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
