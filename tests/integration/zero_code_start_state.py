"""The workshop's start state under otel-instrument: the four services
derived with no step done (every telemetry line removed, as `make
workshop-start` leaves them), built in a copy of the repository, then
zero_code_services.py runs each under the agent and wants one trace across
the four. Prints the trace's waterfall."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "workshop", "engine"))
sys.path.insert(0, HERE)

import build as builder  # noqa: E402
import markers  # noqa: E402
from workshop_proof import BUILD, ROOT, copy_tree  # noqa: E402
from workspace import Workspace  # noqa: E402

work = tempfile.mkdtemp(prefix="zero-code-start-")
try:
    copy_tree(work)
    ws = Workspace(work)
    for rel, text in Workspace(ROOT).marked_source().items():
        ws._write(work, rel, markers.derive(text, set(), rel))
    b = builder.build(work, BUILD)
    if not b.ok:
        print(b.output[-3000:])
        print("0 passed, 1 failed")
        sys.exit(1)
    calls = [f"{rel}:{n}" for rel in ws.service_files() for n, line in enumerate(ws.read(rel).splitlines(), 1)
             if markers.TELEMETRY_CALL.search(line) and not line.startswith("#include")]
    if calls:
        print(f"the start state still has telemetry calls: {calls}")
        print("0 passed, 1 failed")
        sys.exit(1)
    sys.exit(subprocess.call([sys.executable, os.path.join(HERE, "zero_code_services.py"),
                              os.path.join(work, BUILD, "bin")], cwd=HERE))
finally:
    shutil.rmtree(work, ignore_errors=True)
