"""The proof that the workshop works: every state a participant can be in,
derived from the marked source, builds with -Werror, and the checks judge
it as they should.

For every section k:
  - the state before k (the end of section k-1; the start state for 0)
    fails check k with the check's own messages (no build error, no app
    problem);
  - the end of section k passes check k;
  - for every required step k.m, the end of section k without k.m fails
    check k, and the failing step is k.m; without an optional step the
    check still passes and reports the step as not done.

It works in a copy of the repository in a temporary folder (source files
hard-linked, the build's objects copied), never in the working tree, and
prints the time of each check and of the whole proof.

Usage: workshop_proof.py [SECTION...]   (default: all sections)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "workshop", "engine"))

import build as builder  # noqa: E402
import checks  # noqa: E402
import markers  # noqa: E402
import steps  # noqa: E402
from workspace import Workspace  # noqa: E402

BUILD = os.environ.get("BUILD", "build")


class Tally:
    """ok / not ok lines, and the closing 'N passed, M failed' line."""

    def __init__(self):
        self.passed = self.failed = 0

    def expect(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print(f"ok - {what}")
        else:
            self.failed += 1
            print(f"not ok - {what}")
            if detail:
                print("    " + str(detail).replace("\n", "\n    "))

    def summary(self):
        print(f"\n{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


tally = Tally()
expect = tally.expect


def copy_tree(dst):
    """The repository's files (hard links: the engine writes through a
    rename, so the originals never change) and the build's objects."""
    r = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                       capture_output=True)
    files = [f for f in r.stdout.decode().split("\0") if f] if r.returncode == 0 else None
    if not files:  # not a git checkout: everything but build output
        files = []
        for dirpath, dirnames, names in os.walk(ROOT):
            dirnames[:] = [d for d in dirnames if not d.startswith((".", "build"))]
            files += [os.path.relpath(os.path.join(dirpath, n), ROOT) for n in names]
    for rel in files:
        src = os.path.join(ROOT, rel)
        if not os.path.isfile(src):
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
        try:
            os.link(src, os.path.join(dst, rel))
        except OSError:
            shutil.copy2(src, os.path.join(dst, rel))
    for part in ("obj", "lib", "gen", "bin"):
        if os.path.isdir(os.path.join(ROOT, BUILD, part)):
            shutil.copytree(os.path.join(ROOT, BUILD, part), os.path.join(dst, BUILD, part), symlinks=True)


def plan(sections, wanted):
    """{frozenset(done): (state name, [(section, expectation, step)])}.
    expectation: 'passes', 'fails' (some required step), 'fails-step',
    'optional-not-done'."""
    states = {}

    def add(done, name, section, expectation, step=None):
        key = frozenset(done)
        states.setdefault(key, (name, []))[1].append((section, expectation, step))

    def done_upto(k):
        return {st.id for s in sections if s.number <= k for st in s.steps}
    for s in sections:
        k = s.number
        if k not in wanted:
            continue
        add(done_upto(k - 1), f"solution {k - 1}" if k else "start", k, "fails")
        add(done_upto(k), f"solution {k}", k, "passes")
        for st in s.steps:
            add(done_upto(k) - {st.id}, f"solution {k} without {st.id}", k,
                "optional-not-done" if st.optional else "fails-step", st.id)
    return states


def main():
    sections = steps.load()
    wanted = {int(a) for a in sys.argv[1:]} or {s.number for s in sections}
    by_id = {st.id: st for st in steps.all_steps(sections)}
    marked = Workspace(ROOT).marked_source()
    problems = markers.lint(marked, sections)
    expect(not problems, "the marked source passes the lint (workshop/MARKERS.md)", "\n".join(problems))
    t_all = time.monotonic()
    work = tempfile.mkdtemp(prefix="workshop-proof-")
    timings = []
    try:
        copy_tree(work)
        ws = Workspace(work)
        for done, (name, judgements) in plan(sections, wanted).items():
            texts = {rel: markers.derive(text, done, rel) for rel, text in marked.items()}
            for rel, text in texts.items():
                if ws.read(rel) != text:
                    ws._write(work, rel, text)
            t0 = time.monotonic()
            b = builder.build(work, BUILD)
            expect(b.ok, f"{name}: builds with -Werror",
                   "\n".join(str(e) for e in b.errors) or b.output[-2000:])
            if not b.ok:
                continue
            bin_dir = os.path.join(work, BUILD, "bin")
            runs = {}
            for section, expectation, step in judgements:
                kind = checks.SECTION_RUNS[section]
                log_dir = os.path.join(ROOT, BUILD, "test-logs", "workshop-proof", name.replace(" ", "-"))
                try:
                    if kind not in runs:
                        runs[kind] = kind(bin_dir, log_dir)
                    results = checks.SECTION_CHECKS[section](runs[kind])
                except (checks.AppProblem, checks.StartError) as e:
                    expect(False, f"{name}: check {section} runs", str(e))
                    continue
                failing = [r.step for r in results if not r.ok]
                required_failing = [s for s in failing if not by_id[s].optional]
                shown = "\n".join(f"{'✓' if r.ok else '✗'} {r.step}  got: {r.got}  want: {r.want}"
                                  for r in results)
                if expectation == "passes":
                    expect(not failing, f"{name}: check {section} passes", shown)
                elif expectation == "fails":
                    expect(bool(required_failing), f"{name}: check {section} fails "
                           f"(failing: {', '.join(required_failing) or 'none'})", shown)
                elif expectation == "fails-step":
                    expect(step in required_failing, f"{name}: check {section} fails and names {step} "
                           f"(failing: {', '.join(required_failing) or 'none'})", shown)
                else:
                    expect(not required_failing and step in failing,
                           f"{name}: check {section} passes and reports optional {step} as not done", shown)
            timings.append((name, time.monotonic() - t0))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = time.monotonic() - t_all
    print("\nstate timings (build + checks):")
    for name, t in timings:
        print(f"  {t:5.1f} s  {name}")
    print(f"  {total:5.1f} s  the whole proof ({len(timings)} states)")
    return tally.summary()


if __name__ == "__main__":
    sys.exit(main())
