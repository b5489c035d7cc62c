"""References to the repository's own documents resolve.

- A source comment or document that cites a design note names it by its
  path from the repository root ("docs/design.md, civetweb"): every such
  path exists, and no comment cites a bare "design.md" (a file that is not
  in the repository).
- A cited section ("docs/design.md, gRPC") is a heading of that file.
- Relative links in the Markdown files of docs/, libotel-lite/, examples/
  and the top-level README ([text](path)) point at files that exist.
"""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SKIP = {".git", ".workshop", "node_modules", "__pycache__"}
SOURCE_EXT = (".c", ".h", ".py", ".sh", ".mk", ".md", ".yml", ".yaml")

failures = []


def files():
    for d, dirs, names in os.walk(ROOT):
        dirs[:] = [x for x in dirs if x not in SKIP and not x.startswith("build")]
        for n in names:
            if n.endswith(SOURCE_EXT) or n == "Makefile":
                yield os.path.join(d, n)


def headings(path):
    with open(path, encoding="utf-8") as f:
        return {line.lstrip("#").strip().lower() for line in f if line.startswith("#")}


cite = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*docs/[\w./-]+\.md)(?:,\s*([\w-]+(?: [\w-]+)?))?")
bare = re.compile(r"(?<![\w/.-])design\.md")
link = re.compile(r"\]\(([^)\s]+)\)")
me = os.path.relpath(__file__, ROOT)
cited = 0
for path in files():
    rel = os.path.relpath(path, ROOT)
    if rel == me:
        continue
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for m in bare.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        failures.append(f"{rel}:{line}: cites design.md without its path (docs/design.md)")
    for m in cite.finditer(text):
        target, section = m.group(1), m.group(2)
        line = text.count("\n", 0, m.start()) + 1
        full = os.path.join(ROOT, target)
        cited += 1
        if not os.path.isfile(full):
            failures.append(f"{rel}:{line}: {target} does not exist")
        elif section and rel.endswith((".c", ".h")):
            words = section.lower()
            if not any(h == words or h.startswith(words) for h in headings(full)):
                failures.append(f"{rel}:{line}: {target} has no section '{section}'")
    if rel.endswith(".md") and (rel.startswith(("docs/", "libotel-lite/", "examples/")) or rel == "README.md"):
        for m in link.finditer(text):
            target = m.group(1).split("#")[0]
            if not target or re.match(r"[a-z]+:", target):
                continue
            line = text.count("\n", 0, m.start()) + 1
            if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(path), target))):
                failures.append(f"{rel}:{line}: link to {target}, which does not exist")

if cited == 0:
    failures.append("no docs/*.md citation found at all: is the pattern still right?")
for f in failures:
    print("FAIL:", f)
print(f"doc_references: {cited} citations checked,", "ok" if not failures else f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
