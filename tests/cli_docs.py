#!/usr/bin/env python3
"""Checks that `--help`, the sigv4(1) manual page and the completion scripts agree (issue 14
item 11).

usage: cli_docs.py <path-to-sigv4-binary>

For every command that `sigv4 --help` lists: every flag of `sigv4 CMD --help` (found here with
a regular expression of this script) is in the command's section of the manual page as man(1)
renders it, and every flag of that section is in the help; bash's completion, sourced and run
for `sigv4 CMD --`, offers every flag; the zsh and fish scripts name every flag. The bash
script must parse (bash -n), and the manual page must render without warnings.
"""

import os
import re
import subprocess
import sys
import tempfile

from check_results import Results

FLAG = re.compile(r"(?<![\w$-])(--[a-z0-9][a-z0-9-]*[a-z0-9]|-X|-h)(?![\w-])")


def run(args, **kw):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, **kw)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def flags(text):
    return set(FLAG.findall(text))


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    results = Results()
    rc, top, _ = run([binary, "--help"])
    commands = re.findall(r"^  ([a-z][a-z-]+) {2,}", top, re.M)
    commands = [c for c in commands if c != "completion"]
    results.check("sigv4 --help lists the commands", rc == 0 and {"sign", "presign", "verify", "multipart"} <= set(commands),
                  top)
    with tempfile.TemporaryDirectory(prefix="sigv4-docs-") as tmp:
        page = os.path.join(tmp, "sigv4.1")
        rc, roff, err = run([binary, "man"])
        with open(page, "w") as f:
            f.write(roff)
        env = dict(os.environ, MANWIDTH="120", MAN_KEEP_FORMATTING="")
        rc2, rendered, err2 = run(["man", "-l", "-P", "cat", page], env=env)
        rendered = re.sub(r".\x08", "", rendered)
        results.check("the manual page renders without warnings", rc == 0 and rc2 == 0 and err2.strip() == "",
                      f"{rc} {rc2} {err2!r}")
        sections = re.split(r"^SIGV4 ([a-z-]+)\s*$", rendered, flags=re.M)
        by_command = dict(zip(sections[1::2], sections[2::2]))
        scripts = {}
        for shell in ("bash", "zsh", "fish"):
            rc, scripts[shell], err = run([binary, "completion", shell])
            results.check(f"sigv4 completion {shell}", rc == 0 and scripts[shell], err)
        path = os.path.join(tmp, "sigv4.bash")
        with open(path, "w") as f:
            f.write(scripts["bash"])
        rc, _, err = run(["bash", "-n", path])
        results.check("the bash completion parses", rc == 0, err)
        for cmd in commands:
            rc, help_text, err = run([binary, cmd, "--help"])
            want = flags(help_text)
            results.check(f"{cmd} --help names flags", rc == 0 and len(want) >= 3, f"{rc} {want}")
            section = by_command.get(cmd, "")
            in_man = flags(section)
            results.check(f"{cmd}: every --help flag is in the manual page", want <= in_man, f"missing: {sorted(want - in_man)}")
            results.check(f"{cmd}: every manual page flag is in --help", in_man <= want, f"extra: {sorted(in_man - want)}")
            script = (f"source {path}; COMP_WORDS=(sigv4 {cmd} -); COMP_CWORD=2; _sigv4; "
                      "printf '%s\\n' \"${COMPREPLY[@]}\"")
            rc, offered, err = run(["bash", "-c", script])
            offered = set(offered.split())
            results.check(f"{cmd}: bash completes every flag", rc == 0 and want <= offered,
                          f"missing: {sorted(want - offered)} {err}")
            zsh_line = next((l for l in scripts["zsh"].splitlines() if l.strip().startswith(cmd + ")")), "")
            results.check(f"{cmd}: zsh completes every flag", want <= set(zsh_line.split()), zsh_line)
            fish = set()
            for l in scripts["fish"].splitlines():
                m = re.match(rf"complete -c sigv4 -n '__fish_seen_subcommand_from {re.escape(cmd)}' -([ls]) (\S+)$", l)
                if m:
                    fish.add(("--" if m.group(1) == "l" else "-") + m.group(2))
            results.check(f"{cmd}: fish completes every flag", want <= fish, f"missing: {sorted(want - fish)}")
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
