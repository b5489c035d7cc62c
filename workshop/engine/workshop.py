#!/usr/bin/env python3
"""workshop: the engine behind the workshop's make targets.

    workshop.py start                       make workshop-start
    workshop.py solution N [--without N.M]  make solution N=k [WITHOUT=k.m]
    workshop.py reset                       make workshop-reset (the marked source)
    workshop.py check N                     make check-section N=k
    workshop.py status                      make workshop-status
    workshop.py doctor                      make workshop-doctor
    workshop.py run                         make workshop-run (watch, rebuild, restart)
    workshop.py lint                        the marked source against workshop/MARKERS.md
    workshop.py docs [--fix]                the text's code blocks against the marked source
    workshop.py screenshots                 make workshop-screenshots (workshop/images/)

start, solution and reset never replace a file with changes of the
participant's unless --force (FORCE=1), and then save it first.
"""
import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import build as builder  # noqa: E402
import checks  # noqa: E402
import markers  # noqa: E402
import report  # noqa: E402
import steps  # noqa: E402
from workspace import Workspace, WorkspaceError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))


def fail(msg, code=1):
    print(f"workshop: {msg}", file=sys.stderr)
    sys.exit(code)


def done_steps(sections, upto, without=None):
    """The step ids done at the end of section `upto` (-1: none), less `without`."""
    done = {st.id for s in sections if s.number <= upto for st in s.steps}
    if without:
        st = steps.find(sections, without)
        if st is None or st.section != upto:
            ids = ", ".join(x.id for x in sections[upto].steps) if 0 <= upto < len(sections) else "none"
            fail(f"WITHOUT={without} is not a step of section {upto} (its steps: {ids})", 2)
        done.discard(without)
    return done


def derive_all(ws, done):
    """{rel: text} of every service source in the state `done` (None: the marked source)."""
    marked = ws.marked_source()
    if done is None:
        return marked
    return {rel: markers.derive(text, done, rel) for rel, text in marked.items()}


def write(ws, name, done, force, what):
    try:
        changed = ws.write_state(name, derive_all(ws, done), force=force)
    except (WorkspaceError, markers.MarkerError) as e:
        fail(str(e))
    if changed:
        print(f"workshop: {what}: {len(changed)} file(s) written: {', '.join(changed)}")
    else:
        print(f"workshop: {what}: the sources were already in that state")


def cmd_start(args, sections):
    write(Workspace(args.root), "start", set(), args.force,
          "the starting point (every marked step removed, a TODO in its place)")
    print("workshop: next: open iss-distance-service/src/main.c and find 'TODO 0.1'; "
          "check your work with 'make check-section N=0'")


def cmd_solution(args, sections):
    if not 0 <= args.n < len(sections):
        fail(f"N={args.n}: the sections are 0 to {len(sections) - 1}", 2)
    name = f"solution {args.n}" + (f" without {args.without}" if args.without else "")
    write(Workspace(args.root), name, done_steps(sections, args.n, args.without), args.force,
          f"the end of section {args.n}" + (f" without step {args.without}" if args.without else ""))


def cmd_reset(args, sections):
    write(Workspace(args.root), "marked", None, args.force, "the marked source (all steps, with markers)")


def build_or_report(args, style):
    if args.no_build:
        return True
    print(style.dim("workshop: building ..."), flush=True)
    r = builder.build(args.root, args.build)
    if r.ok:
        return True
    print(style.bad("  ✗ the build fails:"))
    if r.errors:
        for e in r.errors[:10]:
            print(f"      {e}")
        steps_hit = sorted({e.step for e in r.errors if e.step}, key=steps.step_key)
        if steps_hit:
            print(f"    fix step {', '.join(steps_hit)} first: the check needs code that compiles.")
    else:
        print("\n".join("      " + line for line in r.output.strip().splitlines()[-15:]))
    return False


def bin_dir(args):
    return os.path.join(args.root, args.build, "bin")


def run_checks(args, numbers):
    """{section number: results} for the sections asked; one run of each
    kind of scenario is shared by the sections that use it."""
    out = {}
    runs = {}
    for n in numbers:
        kind = checks.SECTION_RUNS[n]
        if kind not in runs:
            log_dir = tempfile.mkdtemp(prefix=f"check-{n}-", dir=ensure(os.path.join(args.root, args.build,
                                                                                     "workshop-check")))
            runs[kind] = kind(bin_dir(args), log_dir)
        out[n] = checks.SECTION_CHECKS[n](runs[kind])
    return out


def ensure(d):
    os.makedirs(d, exist_ok=True)
    return d


def cmd_check(args, sections):
    style = report.Style()
    if not 0 <= args.n < len(sections):
        fail(f"N={args.n}: the sections are 0 to {len(sections) - 1}", 2)
    section = sections[args.n]
    by_id = {st.id: st for st in steps.all_steps(sections)}
    print(style.bold(f"section {section.number}: {section.title}"))
    if not build_or_report(args, style):
        print(f"section {section.number}: the build fails, no step can be checked")
        return 1
    try:
        results = run_checks(args, [args.n])[args.n]
    except (checks.AppProblem, checks.StartError) as e:
        print(style.bad("  ✗ " + str(e).replace("\n", "\n    ")))
        print(f"section {section.number}: the app does not run as it should, no step can be checked")
        return 1
    for line in report.step_lines(results, by_id, style):
        print(line)
    text, passed = report.summary(section, results, by_id)
    print(style.ok(text) if passed else style.bad(text))
    return 0 if passed else 1


def cmd_status(args, sections):
    style = report.Style()
    ws = Workspace(args.root)
    state = ws.load_state()
    try:
        edited = ws.edited_files(ws.marked_source(), state)
    except WorkspaceError:
        edited = []
    where = state.get("state") or "as cloned (the finished code)"
    print(style.bold(f"workshop status: the sources are at '{where}'") +
          (f", edited since in {', '.join(edited)}" if edited else ""))
    if not build_or_report(args, style):
        return 1
    by_id = {st.id: st for st in steps.all_steps(sections)}
    try:
        results = run_checks(args, [s.number for s in sections])
    except (checks.AppProblem, checks.StartError) as e:
        print(style.bad("  ✗ " + str(e).replace("\n", "\n    ")))
        return 1
    all_ok = True
    for s in sections:
        text, passed = report.summary(s, results[s.number], by_id)
        all_ok &= passed
        failing = [r.step for r in results[s.number] if not r.ok and not by_id[r.step].optional]
        mark = style.ok("✓") if passed else style.bad("✗")
        print(f"  {mark} {s.number} {s.slug:<20} {text.split(': ', 1)[1]}" +
              (f"  (to do: {', '.join(failing)})" if failing else ""))
    return 0 if all_ok else 1


def cmd_lint(args, sections):
    ws = Workspace(args.root)
    files = {rel: ws.read(rel) for rel in ws.service_files() if ws.read(rel) is not None}
    problems = markers.lint(files, sections)
    for p in problems:
        print(p)
    if problems:
        print(f"workshop lint: {len(problems)} problem(s)")
        return 1
    n_regions = sum(len(markers.parse(t, rel)[0]) for rel, t in files.items())
    print(f"workshop lint: {len(files)} files, {n_regions} marked regions, "
          f"{len(steps.all_steps(sections))} steps: all well")
    return 0


def cmd_docs(args, sections):
    import docs
    marked = Workspace(args.root).marked_source()
    problems, n = docs.check(os.path.join(args.root, "workshop"), marked, sections, fix=args.fix)
    for p in problems:
        print(p)
    if problems:
        print(f"workshop docs: {len(problems)} problem(s) in {n} code blocks")
        return 1
    print(f"workshop docs: {n} code blocks, each the marked source of its step" + (" (fixed)" if args.fix else ""))
    return 0


def cmd_screenshots(args, sections):
    import screenshots
    return screenshots.run(args.root, args.build, os.path.join(args.root, "workshop", "images"))


def cmd_doctor(args, sections):
    import doctor
    return doctor.run(args.root, args.build)


def cmd_run(args, sections):
    import watch
    return watch.run(args.root, args.build, free_ports=args.free_ports)


def main(argv=None):
    p = argparse.ArgumentParser(prog="workshop", description=__doc__.split("\n\n")[0])
    p.add_argument("--root", default=ROOT, help="the repository (default: this one)")
    p.add_argument("--build", default=os.environ.get("BUILD", "build"), help="build folder (default: build)")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("start", "reset"):
        q = sub.add_parser(name)
        q.add_argument("--force", action="store_true")
    q = sub.add_parser("solution")
    q.add_argument("n", type=int)
    q.add_argument("--without", default=None)
    q.add_argument("--force", action="store_true")
    q = sub.add_parser("check")
    q.add_argument("n", type=int)
    q.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    q = sub.add_parser("status")
    q.add_argument("--no-build", action="store_true")
    for name in ("doctor", "lint", "screenshots"):
        sub.add_parser(name)
    q = sub.add_parser("run")
    q.add_argument("--free-ports", action="store_true", help="free ports instead of make run's (for tests)")
    q = sub.add_parser("docs")
    q.add_argument("--fix", action="store_true", help="write every code block again from the marked source")
    args = p.parse_args(argv)
    try:
        sections = steps.load()
    except steps.StepsError as e:
        fail(str(e), 2)
    handler = {"start": cmd_start, "solution": cmd_solution, "reset": cmd_reset, "check": cmd_check,
               "status": cmd_status, "doctor": cmd_doctor, "lint": cmd_lint, "run": cmd_run,
               "docs": cmd_docs, "screenshots": cmd_screenshots}[args.cmd]
    return handler(args, sections) or 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
