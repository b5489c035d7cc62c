"""Compares our SGP4 (sgp4_points) with Debian's python3-sgp4 (Vallado's
reference code) for the bundled ISS TLE and every TLE of the verification
set python3-sgp4 ships (SGP4-VER.TLE), at times from -3 to +3 days around
each epoch, every 6 hours. Passes when every position is within 1 m and
every velocity within 1 mm/s, and both report the same errors. Deep-space
TLEs (period >= 225 min) are reported as not supported and listed.
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
MINUTES = [m * 360.0 for m in range(-12, 13)]  # -3 d .. +3 d, every 6 h
files = [os.path.join(HERE, "..", "data", "iss-25544.tle"),
         os.path.join(os.path.dirname(sgp4.__file__), "SGP4-VER.TLE")]

worst_r = worst_v = 0.0
compared = mismatches = 0
deep_space = set()
refused, bad_checksum = set(), set()


def checksum_ok(line):
    total = sum(int(c) if c.isdigit() else (c == "-") for c in line[:68])
    return str(total % 10) == line[68]


errors_agree = 0
for path in files:
    pairs, l1 = {}, None
    for line in open(path):
        if line.startswith("1 "):
            l1 = line[:69]
        elif line.startswith("2 ") and l1:
            pairs[int(l1[2:7])] = (l1, line[:69])
            if not (checksum_ok(l1) and checksum_ok(line)):
                bad_checksum.add(int(l1[2:7]))
            l1 = None
    out = subprocess.run([POINTS, path, *map(str, MINUTES)], capture_output=True, text=True, check=True)
    for row in out.stdout.splitlines():
        if row.startswith("#"):
            refused.add(int(row.split()[1]))
            continue
        cat, minutes, err, *state = row.split()
        cat, minutes, err = int(cat), float(minutes), int(err)
        if err == 100:
            deep_space.add(cat)
            continue
        sat = Satrec.twoline2rv(*pairs[cat], WGS72)
        e, r, v = sat.sgp4_tsince(minutes)
        if e != 0 or err != 0:
            if (e != 0) == (err != 0):
                errors_agree += 1
            else:
                mismatches += 1
                print(f"{cat} at {minutes:+.0f} min: python error {e}, ours {err}")
            continue
        ours = list(map(float, state))
        dr = sum((a - b) ** 2 for a, b in zip(ours[:3], r)) ** 0.5 * 1000.0  # m
        dv = sum((a - b) ** 2 for a, b in zip(ours[3:], v)) ** 0.5 * 1e6     # mm/s
        compared += 1
        worst_r, worst_v = max(worst_r, dr), max(worst_v, dv)
        if dr > 1.0 or dv > 1.0:
            mismatches += 1
            print(f"{cat} at {minutes:+.0f} min: position off by {dr:.3f} m, velocity by {dv:.3f} mm/s")

print(f"compared {compared} states of {len(files)} files: worst position {worst_r * 1000:.4f} mm, "
      f"worst velocity {worst_v:.6f} mm/s; {errors_agree} error states agree")
if refused != bad_checksum:
    mismatches += 1
    print(f"refused TLEs {sorted(refused)} are not exactly those with bad checksums {sorted(bad_checksum)}")
print(f"refused for a bad checksum (Vallado's hand-made error cases): {sorted(refused)}")
print(f"deep-space TLEs not supported (SDP4 not implemented): {sorted(deep_space)}")
print(f"{1 if mismatches == 0 and compared > 0 else 0} passed, {1 if mismatches or not compared else 0} failed")
sys.exit(1 if mismatches or not compared else 0)
