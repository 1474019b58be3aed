"""The pass/fail tally the Python test harnesses share; ends with "N passed, M failed"."""


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        """Counts one check, printing its name, and on failure up to 40 lines of detail."""
        if ok:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}")
            for line in str(detail).splitlines()[:40]:
                print(f"     {line}")
        return ok
