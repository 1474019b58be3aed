#!/usr/bin/env python3
"""Every ```cpp block of the README is a whole file that must compile (C++17, -Wall -Wextra
-Wpedantic -Werror) against this tree's headers, so that the README's code stays true as the
API changes. The "## Tasks with code" section must be there and hold at least MIN_TASKS of them.

    check_snippets.py SOURCE_DIR WORK_DIR CXX [extra compiler flags...]
"""
import os
import re
import subprocess
import sys

SECTION = "## Tasks with code"
MIN_TASKS = 6


def blocks(readme):
    """Every ```cpp block, in order, and how many of them are in SECTION."""
    start = readme.find("\n" + SECTION + "\n")
    if start < 0:
        sys.exit(f"README.md has no '{SECTION}' section")
    end = readme.find("\n## ", start + 1)
    end = end if end >= 0 else len(readme)
    found, in_section = [], 0
    for m in re.finditer(r"^```cpp\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL):
        found.append(m.group(1))
        in_section += start <= m.start() < end
    return found, in_section


def main():
    source_dir, work_dir, cxx, *extra = sys.argv[1:]
    with open(os.path.join(source_dir, "README.md"), encoding="utf-8") as f:
        found, in_section = blocks(f.read())
    if in_section < MIN_TASKS:
        sys.exit(f"README.md's '{SECTION}' has {in_section} C++ blocks, expected at least {MIN_TASKS}")
    os.makedirs(work_dir, exist_ok=True)
    failed = 0
    for n, code in enumerate(found, 1):
        path = os.path.join(work_dir, f"snippet{n}.cpp")
        with open(path, "w", encoding="utf-8") as f:
            f.write(code)
        for std in ("17",):
            cmd = [cxx, f"-std=c++{std}", "-fsyntax-only", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
                   "-I" + os.path.join(source_dir, "include"), *extra, path]
            run = subprocess.run(cmd, capture_output=True, text=True)
            if run.returncode != 0:
                failed += 1
                print(f"FAIL block {n} (C++{std}):\n{run.stderr}\n--- the block ---\n{code}")
            else:
                print(f"ok   block {n} (C++{std})")
    print(f"{len(found) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
