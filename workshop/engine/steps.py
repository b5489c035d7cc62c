"""The workshop's sections and steps, read from workshop/steps.txt.

That file is the one list of step ids and titles: the markers in the
services name its ids, the checks print its titles, and the text uses its
headings. Ids are "N" for a section and "N.M" for a step; they compare as
numbers (4.10 comes after 4.9).
"""
import os
from dataclasses import dataclass, field

STEPS_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "steps.txt")


def step_key(step_id):
    """Sort key of "N.M" (or "N"): numbers, not text."""
    return tuple(int(p) for p in step_id.split("."))


@dataclass
class Step:
    id: str
    title: str
    optional: bool = False

    @property
    def section(self):
        return int(self.id.split(".")[0])


@dataclass
class Section:
    number: int
    slug: str
    title: str
    steps: list = field(default_factory=list)

    def required(self):
        return [s for s in self.steps if not s.optional]


class StepsError(Exception):
    pass


def load(path=STEPS_FILE):
    """Returns the sections in order; raises StepsError naming the line."""
    sections = []
    seen = set()
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|")]
            where = f"{path}:{lineno}"
            if len(parts) != 3 or not parts[0] or not parts[2]:
                raise StepsError(f"{where}: want 'id | flags | title', got {line!r}")
            sid, flags, title = parts
            try:
                key = step_key(sid)
            except ValueError:
                raise StepsError(f"{where}: {sid!r} is not N or N.M") from None
            if sid in seen:
                raise StepsError(f"{where}: {sid} is listed twice")
            seen.add(sid)
            if len(key) == 1:
                if sections and key[0] != sections[-1].number + 1:
                    raise StepsError(f"{where}: section {sid} follows section {sections[-1].number}")
                if not sections and key[0] != 0:
                    raise StepsError(f"{where}: the first section must be 0")
                sections.append(Section(key[0], flags, title))
            elif len(key) == 2:
                if not sections or key[0] != sections[-1].number:
                    raise StepsError(f"{where}: step {sid} is not under its section")
                prev = sections[-1].steps
                if prev and key[1] != step_key(prev[-1].id)[1] + 1 or not prev and key[1] != 1:
                    raise StepsError(f"{where}: step {sid} is out of order (steps count 1, 2, 3 ...)")
                if flags not in ("", "optional"):
                    raise StepsError(f"{where}: unknown flag {flags!r} (only 'optional')")
                prev.append(Step(sid, title, flags == "optional"))
            else:
                raise StepsError(f"{where}: {sid!r} is not N or N.M")
    for s in sections:
        if not s.steps:
            raise StepsError(f"{path}: section {s.number} has no step")
    return sections


def all_steps(sections):
    return [st for s in sections for st in s.steps]


def find(sections, step_id):
    for st in all_steps(sections):
        if st.id == step_id:
            return st
    return None
