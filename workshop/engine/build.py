"""Building the participant's tree with the project's own Makefile, and
naming the step of each compiler error: the nearest `/* TODO N.M: ... */`
above the error's line, in the same function, is the step being typed.
"""
import os
import re
import subprocess
from dataclasses import dataclass

import markers

SERVICES = ("iss-distance-service", "geolocator-service", "gateway", "frontend")
DIAGNOSTIC = re.compile(r"^(?P<file>[^:\s][^:]*\.[ch]):(?P<line>\d+):(?:(?P<col>\d+):)? "
                        r"(?:fatal )?error: (?P<msg>.*)$")


@dataclass
class BuildError:
    file: str
    line: int
    message: str
    step: str = None

    def __str__(self):
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.message}" + (f"  (in step {self.step})" if self.step else "")


@dataclass
class BuildResult:
    ok: bool
    errors: list
    output: str


def build(root, build_dir, services=SERVICES, with_viewer=True, keep_going=False):
    """Runs make for the services' binaries (and the viewer). Never raises
    for a failed build: the result says what failed, step by step."""
    targets = [f"{build_dir}/bin/{s}" for s in services]
    if with_viewer:
        targets.append(f"{build_dir}/bin/otel-viewer")
    cmd = ["make", "--no-print-directory", "-s", f"-j{min(os.cpu_count() or 1, 4)}", f"BUILD={build_dir}",
           *(["-k"] if keep_going else []), *targets]
    r = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    out = r.stdout + r.stderr
    errors = []
    for line in out.splitlines():
        m = DIAGNOSTIC.match(line)
        if not m:
            continue
        path = os.path.join(root, m["file"])
        step = None
        try:
            with open(path, encoding="utf-8") as f:
                step = markers.todo_step_at(f.read(), int(m["line"]))
        except OSError:
            pass
        errors.append(BuildError(m["file"], int(m["line"]), m["msg"], step))
    return BuildResult(r.returncode == 0, errors, out)
