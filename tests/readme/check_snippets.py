#!/usr/bin/env python3
"""The README's whole C++ files must compile (C++17, -Wall -Wextra -Wpedantic -Werror) against
this tree's headers, so that the README's code stays true as the API changes: every ```cpp
block of the "## Tasks with code" section, and every other block that holds a main().
Other blocks are fragments (shown inside a function of your own) and are not compiled.

    check_snippets.py SOURCE_DIR WORK_DIR CXX [extra compiler flags...]
"""
import os
import re
import subprocess
import sys

SECTION = "## Tasks with code"
MIN_BLOCKS = 5


def blocks(readme):
    """The blocks to compile, in order: those of SECTION, and those elsewhere with a main()."""
    start = readme.find("\n" + SECTION + "\n")
    if start < 0:
        sys.exit(f"README.md has no '{SECTION}' section")
    end = readme.find("\n## ", start + 1)
    end = end if end >= 0 else len(readme)
    found = []
    for m in re.finditer(r"^```cpp\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL):
        if start <= m.start() < end or re.search(r"\bint main\(", m.group(1)):
            found.append(m.group(1))
    return found


def main():
    source_dir, work_dir, cxx, *extra = sys.argv[1:]
    with open(os.path.join(source_dir, "README.md"), encoding="utf-8") as f:
        found = blocks(f.read())
    if len(found) < MIN_BLOCKS:
        sys.exit(f"README.md has {len(found)} whole C++ files to compile, expected at least {MIN_BLOCKS}")
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
