"""Code in the workshop text that cannot drift from the marked source.

Every C block of workshop/*.md that shows a step's code names where it
comes from in its fence line:

    ```c step=3.2 file=iss-distance-service/src/main.c in=handle_distance region=1

`region` counts the step's regions in that file from 1 (it may be left
out when the step has one region there). The check (`workshop.py docs`,
run by make test) fails when a block differs from its region, names a
step, file, function or region that does not exist, when a C block names
no step, when a region of the marked source is shown by no block, or when
the prose names an otel_ function, type or macro the public headers do
not declare; `workshop.py docs --fix` writes
every block again from the source. Sample check output in ```text blocks
must use the step titles of steps.txt.
"""
import glob
import os
import re
import textwrap

import markers
import steps as steps_mod

FENCE = re.compile(r"^```c(?:\s+(.*))?$")
API_NAME = re.compile(r"`[^`]*?\b(otel_[a-z0-9_]+|OTEL_[A-Z0-9_]+)\b[^`]*`")
FUNCTION = re.compile(r"^[A-Za-z_][^;]*?\b([A-Za-z_][A-Za-z0-9_]*)\s*\([^;]*$")
STEP_LINE = re.compile(r"^\s*[✓✗○] (\d+\.\d+) (.*?)(?: \(optional\))?(?:  not done \(optional\))?$")


def regions_of(marked):
    """{(file, step, k): (function, code)} of every region, k from 1."""
    out = {}
    for rel, text in marked.items():
        regions, _ = markers.parse(text, rel)
        lines = text.splitlines()
        count = {}
        for r in regions:
            count[r.step] = count.get(r.step, 0) + 1
            function = None
            for n in range(r.begin - 2, -1, -1):
                if m := FUNCTION.match(lines[n]):
                    function = m[1]
                    break
            code = textwrap.dedent("\n".join(lines[r.begin:r.end - 1]))
            out[(rel, r.step, count[r.step])] = (function, code)
    return out


def blocks_of(doc_path):
    """[(line number, attrs dict, code, first line index, last line index)]."""
    lines = open(doc_path, encoding="utf-8").read().split("\n")
    out = []
    n = 0
    while n < len(lines):
        m = FENCE.match(lines[n])
        if m:
            attrs = dict(kv.split("=", 1) for kv in (m[1] or "").split() if "=" in kv)
            end = n + 1
            while end < len(lines) and lines[end] != "```":
                end += 1
            out.append((n + 1, attrs, "\n".join(lines[n + 1:end]), n, end))
            n = end
        n += 1
    return out


def doc_files(workshop_dir):
    return sorted(glob.glob(os.path.join(workshop_dir, "*.md")) + glob.glob(os.path.join(workshop_dir, "extras", "*.md")))


def api_names(root):
    """Every otel_ / OTEL_ name the public headers declare or define."""
    names = set()
    for h in glob.glob(os.path.join(root, "libotel-lite", "include", "otel", "*.h")):
        names.update(re.findall(r"\b(otel_[a-z0-9_]+|OTEL_[A-Z0-9_]+)\b", open(h, encoding="utf-8").read()))
    return names


def check(workshop_dir, marked, sections, fix=False):
    """Returns (problems, number of blocks checked)."""
    known_api = api_names(os.path.dirname(workshop_dir))
    regions = regions_of(marked)
    titles = {st.id: st.title for st in steps_mod.all_steps(sections)}
    problems, shown, checked = [], set(), 0
    for doc in doc_files(workshop_dir):
        rel_doc = os.path.relpath(doc, os.path.dirname(workshop_dir))
        blocks = blocks_of(doc)
        text_lines = open(doc, encoding="utf-8").read().split("\n")
        in_block = False
        for lineno, line in enumerate(text_lines, 1):
            if line.startswith("```"):
                in_block = not in_block
            if not in_block:
                for name in API_NAME.findall(line):
                    if name.startswith(("OTEL_EXPORTER", "OTEL_TRACES", "OTEL_METRICS", "OTEL_LOGS", "OTEL_SERVICE",
                                        "OTEL_RESOURCE", "OTEL_PROPAGATORS", "OTEL_SDK", "OTEL_LOG_LEVEL",
                                        "OTEL_BSP", "OTEL_BLRP", "OTEL_METRIC_", "OTEL_INSTRUMENT_")):
                        continue  # environment variables, not C names
                    if name not in known_api:
                        problems.append(f"{rel_doc}:{lineno}: {name} is not declared in libotel-lite/include/otel/")
            for img in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", line):
                if not os.path.exists(os.path.join(os.path.dirname(doc), img)):
                    problems.append(f"{rel_doc}:{lineno}: the image {img} does not exist "
                                    "(make workshop-screenshots makes the viewer's)")
            if m := STEP_LINE.match(line):
                if m[1] in titles and m[2] != titles[m[1]]:
                    problems.append(f"{rel_doc}:{lineno}: step {m[1]} is titled {m[2]!r}, steps.txt says "
                                    f"{titles[m[1]]!r}")
                elif m[1] not in titles:
                    problems.append(f"{rel_doc}:{lineno}: step {m[1]} is not in steps.txt")
        replacements = []
        for lineno, attrs, code, first, last in blocks:
            checked += 1
            where = f"{rel_doc}:{lineno}"
            step, file = attrs.get("step"), attrs.get("file")
            if step is None:
                problems.append(f"{where}: a C block that is no step's code (add step=N.M file=... in=...)")
                continue
            if step not in titles:
                problems.append(f"{where}: step {step} is not in steps.txt")
                continue
            if file not in marked:
                problems.append(f"{where}: {file} is not a marked service source")
                continue
            k = int(attrs.get("region", "1"))
            n_regions = sum(1 for (f, s, _) in regions if f == file and s == step)
            if "region" not in attrs and n_regions > 1:
                problems.append(f"{where}: step {step} has {n_regions} regions in {file}: say which (region=K)")
                continue
            if (file, step, k) not in regions:
                problems.append(f"{where}: step {step} has no region {k} in {file} (it has {n_regions})")
                continue
            function, want = regions[(file, step, k)]
            shown.add((file, step, k))
            if attrs.get("in") != function:
                problems.append(f"{where}: the code of {step} (region {k}) is in {function}(), not "
                                f"{attrs.get('in')}()")
            if code != want:
                if fix:
                    replacements.append((first, last, want))
                else:
                    problems.append(f"{where}: the block differs from step {step}'s code in {file} "
                                    f"(workshop.py docs --fix writes it again)")
        if replacements:
            for first, last, want in reversed(replacements):
                text_lines[first + 1:last] = want.split("\n")
            with open(doc, "w", encoding="utf-8") as f:
                f.write("\n".join(text_lines))
    for key in sorted(set(regions) - shown, key=lambda k: (steps_mod.step_key(k[1]), k[0], k[2])):
        problems.append(f"step {key[1]}: its region {key[2]} in {key[0]} ({regions[key][0]}()) is shown by no "
                        "block of the workshop text")
    return problems, checked
