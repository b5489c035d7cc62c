"""README.md says of tests/unit/: one file per unit, a source file with
logic of its own or a few that work together, each named in the test's
opening comment; what needs real servers is tested in tests/integration/.
This keeps that true: every .c file under libotel-lite/src/ (any folder)
must be named, by its file name, in the opening comment (or docstring) of
at least one test: tests/unit/*.c, tests/integration/*.c or *.py, or the
tests of a tool. Also: no file includes a library header by its path
("../../libotel-lite/src/x.h"), so that the folders can move. The few
sources not named yet are listed below with the
reason (a listed source that a test now names is reported, to be taken
off the list).
"""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Sources without a test that names them, and why (keep this short).
NOT_YET = {
}


def opening(path):
    """The first comment block of a C file, or the docstring of a Python one."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read(6000)
    if path.endswith(".py"):
        m = re.search(r'"""(.*?)"""', text, re.S)
    else:
        m = re.search(r"/\*(.*?)\*/", text, re.S)
    return m.group(1) if m else ""


tests = []
for d in ("tests/unit", "tests/integration", "tools/otel-instrument/tests", "tools/otel-viewer/tests"):
    full = os.path.join(ROOT, d)
    for n in sorted(os.listdir(full)) if os.path.isdir(full) else []:
        if n.endswith((".c", ".py")):
            tests.append(os.path.join(full, n))
named = " ".join(opening(t) for t in tests)

sources = []
for d, _, names in os.walk(os.path.join(ROOT, "libotel-lite", "src")):
    sources += [n for n in names if n.endswith(".c")]

failures = []
for s in sorted(sources):
    is_named = re.search(r"(?<![\w./-])" + re.escape(s) + r"\b", named) is not None
    if not is_named and s not in NOT_YET:
        failures.append(f"libotel-lite/src/**/{s}: no test names it in its opening comment")
    if is_named and s in NOT_YET:  # a note, not a failure: a merge may bring the test
        print(f"NOTE: {s} is named by a test now: take it out of NOT_YET")
for s in NOT_YET:
    if s not in sources:
        failures.append(f"NOT_YET lists {s}, which is not a library source")

# The layout must stay movable: nothing reaches a library header by its path.
by_path = re.compile(r'#\s*include\s+"[^"]*libotel-lite/src/')
for d, dirs, names in os.walk(ROOT):
    dirs[:] = [x for x in dirs if not x.startswith((".", "build")) and x != "node_modules"]
    for n in names:
        if n.endswith((".c", ".h")):
            path = os.path.join(d, n)
            with open(path, encoding="utf-8", errors="replace") as f:
                for i, line in enumerate(f, 1):
                    if by_path.search(line):
                        failures.append(f"{os.path.relpath(path, ROOT)}:{i}: includes a library header by "
                                        "its path; include it by name (the Makefile's LIB_INTERNAL_INCLUDES)")

for f in failures:
    print("FAIL:", f)
print(f"library_sources_tested: {len(sources)} sources, {len(tests)} tests,",
      "ok" if not failures else f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
