"""How a check speaks: one line per step (✓ or ✗, the id, the title; on
failure got / want / hint), then a summary line. Colour only on a terminal,
and never with NO_COLOR set.
"""
import os
import sys


class Style:
    def __init__(self, stream=sys.stdout):
        self.color = stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"

    def paint(self, code, text):
        return f"\033[{code}m{text}\033[0m" if self.color else text

    def ok(self, t):
        return self.paint("32", t)

    def bad(self, t):
        return self.paint("31", t)

    def note(self, t):
        return self.paint("33", t)

    def dim(self, t):
        return self.paint("2", t)

    def bold(self, t):
        return self.paint("1", t)


def step_lines(results, steps_by_id, style):
    lines = []
    for r in results:
        st = steps_by_id[r.step]
        title = st.title + (" (optional)" if st.optional else "")
        if r.ok:
            lines.append(f"  {style.ok('✓')} {r.step} {title}")
            continue
        mark = style.note("○") if st.optional else style.bad("✗")
        lines.append(f"  {mark} {r.step} {title}" + (style.note("  not done (optional)") if st.optional else ""))
        if r.got:
            lines.append(f"        got:  {r.got}")
        if r.want:
            lines.append(f"        want: {r.want}")
        if r.hint:
            lines.append(style.dim(f"        hint: {r.hint}"))
    return lines


def summary(section, results, steps_by_id):
    required = [r for r in results if not steps_by_id[r.step].optional]
    passed = sum(r.ok for r in required)
    text = f"section {section.number}: {passed} of {len(required)} steps pass"
    optional = [r for r in results if steps_by_id[r.step].optional]
    if optional:
        text += f" (optional: {sum(r.ok for r in optional)} of {len(optional)} done)"
    return text, passed == len(required)
