"""The marked source: parsing, the lint, and deriving every state from it.

The grammar is written down in workshop/MARKERS.md. In short, each marker
is a C comment alone on its line:

    /* WORKSHOP N.M BEGIN: hint */   opens a region of step N.M
    /* WORKSHOP N.M END */           closes it
    /* WORKSHOP N.M STUB: code */    a line that only states without N.M need

A state is the set of steps that are done. Deriving it keeps the code of
the steps that are done (without the marker lines), puts
`/* TODO N.M: hint */` in place of each region of a step that is not, and
turns each STUB of a step that is not done into its code.
"""
import re
from dataclasses import dataclass


BEGIN = re.compile(r"^(\s*)/\* WORKSHOP (\d+\.\d+) BEGIN: (\S.*?) \*/\s*$")
END = re.compile(r"^\s*/\* WORKSHOP (\d+\.\d+) END \*/\s*$")
STUB = re.compile(r"^(\s*)/\* WORKSHOP (\d+\.\d+) STUB: (\S.*?) \*/\s*$")
ANY = re.compile(r"WORKSHOP\s+\d")
TODO = re.compile(r"/\* TODO (\d+\.\d+): (.*?) \*/")

# The service sources that carry markers (relative to the repository root).
SERVICE_DIRS = ("iss-distance-service", "gateway", "geolocator-service", "frontend")


@dataclass
class Region:
    step: str
    hint: str
    begin: int  # line numbers, 1-based
    end: int


@dataclass
class Stub:
    step: str
    code: str
    line: int


class MarkerError(Exception):
    pass


def parse(text, path="<text>"):
    """Returns (regions, stubs); raises MarkerError with every problem found."""
    regions, stubs, problems = [], [], []
    open_region = None
    for n, line in enumerate(text.splitlines(), 1):
        where = f"{path}:{n}"
        if m := BEGIN.match(line):
            if open_region:
                problems.append(f"{where}: BEGIN of {m[2]} inside the region of {open_region.step} "
                                f"opened at line {open_region.begin} (regions do not nest)")
            open_region = Region(m[2], m[3], n, 0)
        elif m := END.match(line):
            if not open_region:
                problems.append(f"{where}: END of {m[1]} without a BEGIN")
            elif m[1] != open_region.step:
                problems.append(f"{where}: END of {m[1]} closes the region of {open_region.step} "
                                f"opened at line {open_region.begin}")
            else:
                open_region.end = n
                regions.append(open_region)
            open_region = None
        elif m := STUB.match(line):
            if open_region:
                problems.append(f"{where}: STUB of {m[2]} inside the region of {open_region.step}")
            stubs.append(Stub(m[2], m[3], n))
        elif re.search(r"WORKSHOP \d+\.\d+ BEGIN\s*(:\s*)?\*/", line):
            problems.append(f"{where}: BEGIN without a hint (want /* WORKSHOP N.M BEGIN: hint */)")
        elif ANY.search(line):
            problems.append(f"{where}: not a marker of the grammar (workshop/MARKERS.md): {line.strip()}")
    if open_region:
        problems.append(f"{path}:{open_region.begin}: BEGIN of {open_region.step} has no END")
    if problems:
        raise MarkerError("\n".join(problems))
    return regions, stubs


def derive(text, done, path="<text>"):
    """The text of the state in which exactly the steps in `done` are done."""
    regions, stubs = parse(text, path)
    by_begin = {r.begin: r for r in regions}
    by_stub = {s.line: s for s in stubs}
    lines = text.splitlines(keepends=True)
    out = []
    n = 0
    while n < len(lines):
        lineno = n + 1
        if lineno in by_begin:
            r = by_begin[lineno]
            if r.step in done:
                out.extend(lines[r.begin:r.end - 1])
            else:
                indent = BEGIN.match(lines[n])[1]
                out.append(f"{indent}/* TODO {r.step}: {r.hint} */\n")
            n = r.end
            continue
        if lineno in by_stub:
            s = by_stub[lineno]
            if s.step not in done:
                out.append(f"{STUB.match(lines[n])[1]}{s.code}\n")
            n += 1
            continue
        out.append(lines[n])
        n += 1
    return "".join(out)


def todo_step_at(text, lineno):
    """The step whose TODO line is the nearest above `lineno` in the same
    function (no line starting with '}' between them), or None."""
    lines = text.splitlines()
    for n in range(min(lineno, len(lines)) - 1, -1, -1):
        if m := TODO.search(lines[n]):
            return m[1]
        if n < lineno - 1 and lines[n].startswith("}"):
            return None
    return None


# Telemetry calls that must sit inside a marked step (the start state has none).
TELEMETRY_CALL = re.compile(r"\botel_[a-z_]+\s*\(|\bOTEL_SCOPED_SPAN|\bOTEL_ATTR_")


def lint(files, sections):
    """Checks the marked source against the grammar and the step list.
    files: {path: text}. Returns a list of problems (empty when all is well)."""
    from steps import all_steps
    known = {s.id: s for s in all_steps(sections)}
    problems = []
    used = {}
    for path, text in files.items():
        try:
            regions, stubs = parse(text, path)
        except MarkerError as e:
            problems.extend(str(e).splitlines())
            continue
        for r in regions:
            if r.step not in known:
                problems.append(f"{path}:{r.begin}: step {r.step} is not in workshop/steps.txt")
            used.setdefault(r.step, []).append(f"{path}:{r.begin}")
        for s in stubs:
            if s.step not in known:
                problems.append(f"{path}:{s.line}: STUB of {s.step}, a step not in workshop/steps.txt")
            elif not any(r.step == s.step for r in regions):
                problems.append(f"{path}:{s.line}: STUB of {s.step}, which has no region in this file")
        inside = set()
        for r in regions:
            inside.update(range(r.begin, r.end + 1))
        for n, line in enumerate(text.splitlines(), 1):
            code = line.split("//", 1)[0]
            if n not in inside and not line.lstrip().startswith(("#include", "/*", "*")) \
                    and TELEMETRY_CALL.search(code):
                problems.append(f"{path}:{n}: telemetry call outside a marked step: {line.strip()}")
    for sid in known:
        if sid not in used:
            problems.append(f"workshop/steps.txt: step {sid} has no marked region in the services")
    return problems

