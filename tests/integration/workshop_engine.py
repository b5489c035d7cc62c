"""The workshop engine as a participant meets it, in a copy of the
repository (never the working tree):

  - the marker grammar: every kind of malformed marker is refused by the
    lint with its line, and derive() turns regions into TODOs and STUBs
    into code;
  - `start`, then section 0 typed by hand (not written by the engine),
    then `check 0`: ✗ before, ✓ after;
  - nothing typed is lost: `solution 1` refuses to replace the typed file,
    and with --force saves it first, byte for byte;
  - a build error typed inside a TODO region is reported with its file,
    line and step;
  - the workshop text's code blocks are the marked source of their steps
    (a block that drifts, names the wrong function, or a step without a
    block is found);
  - status shows every section's result, doctor the sources' state;
  - alternative correct solutions pass: logs through otel_log() and
    otel_logger_emit() instead of otel_log_warn()/otel_log_error(), and
    spans with explicit otel_tracer_start_span()/otel_span_end() instead
    of OTEL_SCOPED_SPAN.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "workshop", "engine"))
sys.path.insert(0, HERE)

import markers  # noqa: E402
import steps  # noqa: E402
from workshop_proof import BUILD, Tally, copy_tree  # noqa: E402

ISS = "iss-distance-service/src/main.c"
tally = Tally()
expect = tally.expect


def grammar():
    sections = steps.load()
    good = ("int f(void) {\n"
            "  /* WORKSHOP 1.2 BEGIN: count it */\n  otel_counter_add(c, 1, NULL, 0);\n  /* WORKSHOP 1.2 END */\n"
            "  /* WORKSHOP 1.2 STUB: (void)c; */\n  return 0;\n}\n")
    expect(markers.derive(good, set()) == "int f(void) {\n  /* TODO 1.2: count it */\n  (void)c;\n  return 0;\n}\n",
           "derive: a region not done becomes its TODO, its STUB becomes code")
    expect(markers.derive(good, {"1.2"}) == "int f(void) {\n  otel_counter_add(c, 1, NULL, 0);\n  return 0;\n}\n",
           "derive: a region done keeps its code without markers, its STUB goes")
    bad = {
        "no END": "/* WORKSHOP 1.2 BEGIN: x */\ncode;\n",
        "END without BEGIN": "/* WORKSHOP 1.2 END */\n",
        "nested": "/* WORKSHOP 1.2 BEGIN: x */\n/* WORKSHOP 1.3 BEGIN: y */\n/* WORKSHOP 1.3 END */\n/* WORKSHOP 1.2 END */\n",
        "END of another step": "/* WORKSHOP 1.2 BEGIN: x */\n/* WORKSHOP 1.3 END */\n",
        "BEGIN without a hint": "/* WORKSHOP 1.2 BEGIN */\n/* WORKSHOP 1.2 END */\n",
        "unknown step": "/* WORKSHOP 7.1 BEGIN: x */\n/* WORKSHOP 7.1 END */\n",
        "malformed": "/* WORKSHOP 1.2 begin: x */\n",
        "telemetry outside a step": "void f(void) { otel_log_info(l, \"x\"); }\n",
        "STUB without a region": "/* WORKSHOP 1.2 STUB: (void)x; */\n",
    }
    for what, text in bad.items():
        problems = [p for p in markers.lint({"svc/src/main.c": text}, sections) if p.startswith("svc/")]
        expect(problems and all(re.match(r"svc/src/main\.c:\d+: ", p) for p in problems),
               f"lint refuses {what}, naming the line", problems)
    src = "int f(void) {\n  /* TODO 1.2: count it */\n  x;\n  y;\n}\nint g(void) {\n  z;\n}\n"
    expect([markers.todo_step_at(src, n) for n in range(1, 9)] == [None, "1.2", "1.2", "1.2", "1.2", None, None, None],
           "the lines below 'TODO 1.2' belong to step 1.2, up to the end of its function")


def text_and_code():
    """Every code block of the workshop text is its step's marked source;
    a block that drifts, or a region no block shows, fails."""
    import docs
    from workspace import Workspace
    sections = steps.load()
    marked = Workspace(ROOT).marked_source()
    problems, n = docs.check(os.path.join(ROOT, "workshop"), marked, sections)
    expect(not problems and n >= len(docs.regions_of(marked)),
           f"the workshop text's {n} code blocks are the marked source of their steps", "\n".join(problems))
    tmp = tempfile.mkdtemp(prefix="workshop-docs-")
    try:
        shutil.copytree(os.path.join(ROOT, "workshop"), os.path.join(tmp, "workshop"))
        doc = os.path.join(tmp, "workshop", "1-metrics.md")
        text = open(doc).read()
        open(doc, "w").write(text.replace("otel_counter_add(app->incoming_requests, 1, NULL, 0);",
                                          "otel_counter_add(app->incoming_requests, 2, NULL, 0);", 1))
        problems, _ = docs.check(os.path.join(tmp, "workshop"), marked, sections)
        expect(any("1-metrics.md" in p and "differs from step 1.2" in p for p in problems),
               "a block that differs from its step's code is found", problems)
        open(doc, "w").write(re.sub(r"```c step=1\.2 .*?```\n", "", text, flags=re.S))
        problems, _ = docs.check(os.path.join(tmp, "workshop"), marked, sections)
        expect(any(p.startswith("step 1.2:") and "shown by no block" in p for p in problems),
               "a step shown by no block is found", problems)
        open(doc, "w").write(text.replace("in=handle_distance", "in=main", 1))
        problems, _ = docs.check(os.path.join(tmp, "workshop"), marked, sections)
        expect(any("is in handle_distance(), not main()" in p for p in problems),
               "a block that names the wrong function is found", problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def engine(work, *args):
    r = subprocess.run([sys.executable, os.path.join(work, "workshop", "engine", "workshop.py"), "--build", BUILD,
                        *args], cwd=work, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    return r.returncode, r.stdout + r.stderr


def replace_todo(path, step, code, nth=None, keep=False):
    """Types `code` in place of the TODO line(s) of `step` (all, or the
    nth), or below it with keep."""
    lines = open(path).read().split("\n")
    hits = [i for i, line in enumerate(lines) if f"/* TODO {step}:" in line]
    for k, i in enumerate(hits):
        if nth is None or k == nth:
            indent = re.match(r"\s*", lines[i])[0]
            lines[i] = (lines[i] + "\n" if keep else "") + "\n".join(indent + c for c in code.split("\n"))
    with open(path + ".new", "w") as f:
        f.write("\n".join(lines))
    os.replace(path + ".new", path)


def participant(work):
    iss = os.path.join(work, ISS)
    rc, out = engine(work, "start")
    calls = [line for line in open(iss).read().splitlines()
             if markers.TELEMETRY_CALL.search(line) and not line.startswith("#include")]
    expect(rc == 0 and "TODO 0.1" in open(iss).read() and not calls,
           "start: the TODOs are there and no telemetry call is left", out + "\n".join(calls))
    rc, out = engine(work, "check", "0")
    expect(rc == 1 and "✗ 0.1" in out and "section 0: 0 of 1 steps pass" in out, "check 0 before section 0: ✗ 0.1", out)
    replace_todo(iss, "0.1", "otel_sdk_options_t o;\notel_sdk_options_init(&o);\no.service_name = SERVICE_NAME;\n"
                 "o.resource_attrs = &OTEL_ATTR_STR(\"deployment.environment.name\", \"dev\");\n"
                 "o.resource_attr_count = 1;\notel_sdk_t *sdk = NULL;\notel_sdk_init(&o, &sdk);", nth=0)
    replace_todo(iss, "0.1", "otel_sdk_shutdown(sdk, 5000);")
    rc, out = engine(work, "check", "0")
    expect(rc == 0 and "✓ 0.1" in out, "check 0 after typing section 0 by hand: ✓ 0.1", out)

    typed = open(iss).read()
    rc, out = engine(work, "solution", "1")
    expect(rc == 1 and ISS in out and "FORCE=1" in out and open(iss).read() == typed,
           "solution 1 refuses to replace the typed file, and leaves it as it was", out)
    rc, out = engine(work, "solution", "1", "--force")
    saved = re.search(r"saved in (\S+)/", out)
    expect(rc == 0 and saved and open(os.path.join(work, saved[1], ISS)).read() == typed,
           "solution 1 --force saves the typed file first, byte for byte, and says where", out)

    engine(work, "solution", "0", "--force")
    replace_todo(iss, "1.2", "otel_counter_add(app->incoming_requests, 1);", keep=True)
    rc, out = engine(work, "check", "1")
    m = re.search(rf"{re.escape(ISS)}:(\d+): .*\(in step 1\.2\)", out)
    expect(rc == 1 and m, "a build error typed under TODO 1.2 is reported with its file, line and step 1.2", out)

    engine(work, "solution", "1", "--force")
    replace_todo(iss, "2.1", "app.logger = otel_sdk_logger(sdk, \"iss-distance-service\", \"1.0.0\");")
    replace_todo(iss, "2.2", "otel_log(app->logger, OTEL_SEVERITY_INFO, \"started, port %d\", port);")
    replace_todo(iss, "2.3", "otel_log(app->logger, OTEL_SEVERITY_INFO, \"request from %s\", "
                 "mg_get_request_info(conn)->remote_addr);")
    replace_todo(iss, "2.4", "otel_logger_emit(app->logger, &(otel_log_record_options_t){\n"
                 "    .severity = OTEL_SEVERITY_WARN, .body = \"no latitude or longitude\"});", nth=0)
    replace_todo(iss, "2.5", "otel_logger_emit(app->logger, &(otel_log_record_options_t){\n"
                 "    .severity = OTEL_SEVERITY_ERROR, .body = api_err});", nth=0)
    replace_todo(iss, "2.5", "otel_log(app->logger, OTEL_SEVERITY_ERROR, \"%s\", err);")
    rc, out = engine(work, "check", "2")
    expect(rc == 0, "check 2 passes with otel_log() and otel_logger_emit() instead of otel_log_warn/_error", out)

    engine(work, "solution", "2", "--force")
    text = open(iss).read()
    # 3.3 with explicit start and end: end the span on both returns of iss_position()
    text = text.replace("  /* TODO 3.3: a child span for getting the ISS coordinates */\n",
                        "  otel_span_t *span = otel_tracer_start_span(app->tracer, \"getting-iss-coordinates\", NULL);\n", 1)
    body_start = text.index("static int iss_position(")
    body_end = text.index("\n}\n", body_start)
    body = text[body_start:body_end]
    body = body.replace("    return -1;", "    otel_span_end(span);\n    return -1;")
    body = body.replace("  return 0;", "  otel_span_end(span);\n  return 0;")
    text = text[:body_start] + body + text[body_end:]
    with open(iss + ".new", "w") as f:
        f.write(text)
    os.replace(iss + ".new", iss)
    replace_todo(iss, "3.3", "otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, api_err);", nth=0)
    replace_todo(iss, "3.3", "otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, err);", nth=0)
    replace_todo(iss, "3.3", "char where[64];\nsnprintf(where, sizeof where, \"%.4f,%.4f\", model.latitude_deg, "
                 "model.longitude_deg);\notel_span_set_attribute_str(span, \"iss.position\", where);")
    replace_todo(iss, "3.1", "app.tracer = otel_sdk_tracer(sdk, SERVICE_NAME, NULL);")
    replace_todo(iss, "3.2", "OTEL_SCOPED_SPAN(span, app->tracer, \"calculating-iss-distance\");", nth=0)
    replace_todo(iss, "3.2", "otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, \"bad input\");")
    rc, out = engine(work, "check", "3")
    expect(rc == 0, "check 3 passes with explicit otel_tracer_start_span()/otel_span_end()", out)

    rc, out = engine(work, "status")
    marks = re.findall(r"^  ([✓✗]) (\d) ", out, re.M)
    expect(rc == 1 and marks == [("✓", "0"), ("✓", "1"), ("✓", "2"), ("✓", "3"), ("✗", "4")] and "to do: 4.1, 4.2, 4.3" in out,
           "status: sections 0-3 ✓ and 4 ✗ with its steps to do", out)
    rc, out = engine(work, "doctor")
    expect("workshop-doctor:" in out and "the service sources are at: solution 2" in out and "your edits in" in out,
           "doctor says which state the sources are in and that they were edited", out)


def main():
    grammar()
    text_and_code()
    work = tempfile.mkdtemp(prefix="workshop-engine-")
    try:
        copy_tree(work)
        participant(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tally.summary()


if __name__ == "__main__":
    sys.exit(main())
