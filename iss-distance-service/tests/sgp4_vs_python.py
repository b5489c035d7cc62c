"""Compares our SGP4 (sgp4_points) with Debian's python3-sgp4 (Vallado's
reference code, WGS-72, opsmode 'i') for the bundled ISS TLE and every TLE
of the verification set python3-sgp4 ships (SGP4-VER.TLE), near-earth
(SGP4) and deep-space (SDP4, period >= 225 min) orbits alike, at two sets
of times:
  - from -3 to +3 days around each epoch, every 6 hours;
  - the span Vallado lists after each line 2 of SGP4-VER.TLE (start, stop,
    step in minutes; up to 1.8 million minutes, and the times at which his
    hand-made cases fail), stop included.
Passes when every position is within 1 m and every velocity within 1 mm/s,
both report the same error code at the same times, and nothing but the
TLEs with bad checksums is refused. Prints the states compared and the
worst differences per orbit kind and set of times.
Run with /usr/bin/python3 (Debian's, where python3-sgp4 is installed).
"""
import os
import subprocess
import sys

import sgp4
from sgp4.api import WGS72, Satrec

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("BUILD", "build")
POINTS = os.path.join(HERE, "..", "..", BUILD, "tests", "iss", "sgp4_points")
AROUND_EPOCH = [m * 360.0 for m in range(-12, 13)]  # -3 d .. +3 d, every 6 h
FILES = [os.path.join(HERE, "..", "data", "iss-25544.tle"),
         os.path.join(os.path.dirname(sgp4.__file__), "SGP4-VER.TLE")]
KINDS = {"n": "near-earth", "d": "deep-space"}
SETS = ("-3..+3 days", "Vallado's listed times")


class Tally:
    def __init__(self):
        self.tles, self.states, self.errors = set(), 0, 0
        self.worst_r = self.worst_v = 0.0


tally = {(s, k): Tally() for s in SETS for k in KINDS}
mismatches = 0
refused, bad_checksum = set(), set()


def checksum_ok(line):
    total = sum(int(c) if c.isdigit() else (c == "-") for c in line[:68])
    return str(total % 10) == line[68]


def read_tles(path):
    """(line1, line2, rest of line 2) for each pair of the file."""
    pairs, l1 = [], None
    for line in open(path):
        if line.startswith("1 "):
            l1 = line[:69]
        elif line.startswith("2 ") and l1:
            pairs.append((l1, line[:69], line[69:]))
            l1 = None
    return pairs


def listed_times(rest):
    start, stop, step = map(float, rest.split())
    times, i = [], 0
    while start + i * step < stop:
        times.append(start + i * step)
        i += 1
    return times + [stop]


def compare(which, l1, l2, minutes):
    """Runs ours on one TLE at the given minutes and checks it against python."""
    global mismatches
    cat = int(l1[2:7])
    out = subprocess.run([POINTS, "/dev/stdin", *map(repr, minutes)], input=f"{l1}\n{l2}\n",
                         capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()
    if rows and rows[0].startswith("#"):
        refused.add(cat)
        return
    if len(rows) != len(minutes):
        mismatches += 1
        print(f"{cat}: {len(rows)} states printed for {len(minutes)} times")
        return
    sat = Satrec.twoline2rv(l1, l2, WGS72)
    t = tally[(which, sat.method)]  # method: 'n' near earth, 'd' deep space
    t.tles.add(cat)
    for row in rows:
        _, m, err, *state = row.split()
        m, err = float(m), int(err)
        e, r, v = sat.sgp4_tsince(m)
        if e != 0 or err != 0:
            if e == err:
                t.errors += 1
            else:
                mismatches += 1
                print(f"{cat} at {m:+.1f} min: python error {e}, ours {err}")
            continue
        ours = list(map(float, state))
        dr = sum((a - b) ** 2 for a, b in zip(ours[:3], r)) ** 0.5 * 1000.0  # m
        dv = sum((a - b) ** 2 for a, b in zip(ours[3:], v)) ** 0.5 * 1e6     # mm/s
        t.states += 1
        t.worst_r, t.worst_v = max(t.worst_r, dr), max(t.worst_v, dv)
        if dr > 1.0 or dv > 1.0:
            mismatches += 1
            print(f"{cat} at {m:+.1f} min: position off by {dr:.3f} m, velocity by {dv:.3f} mm/s")


for path in FILES:
    for l1, l2, rest in read_tles(path):
        if not (checksum_ok(l1) and checksum_ok(l2)):
            bad_checksum.add(int(l1[2:7]))
        compare(SETS[0], l1, l2, AROUND_EPOCH)
        if rest.strip():
            compare(SETS[1], l1, l2, listed_times(rest))

for (which, kind), t in tally.items():
    print(f"{which}, {KINDS[kind]}: {len(t.tles)} TLEs, compared {t.states} states: worst position "
          f"{t.worst_r * 1000:.4f} mm, worst velocity {t.worst_v:.6f} mm/s; "
          f"{t.errors} error states agree")
print(f"compared {sum(t.states for t in tally.values())} states in all")
if refused != bad_checksum:
    mismatches += 1
    print(f"refused TLEs {sorted(refused)} are not exactly those with bad checksums {sorted(bad_checksum)}")
print(f"refused for a bad checksum (Vallado's hand-made error cases): {sorted(refused)}")
ok = mismatches == 0 and all(tally[(SETS[0], k)].states for k in KINDS)
print(f"{1 if ok else 0} passed, {0 if ok else 1} failed")
sys.exit(0 if ok else 1)
