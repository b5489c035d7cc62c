"""Compares our WGS-84 geodesic distance with Debian's python3-geopy
(geopy.distance.geodesic, the original workshop's function) for a table of
point pairs, within 1 m; and our slant range with an ECEF computation done
here from the WGS-84 definition, within 1 m. Run with /usr/bin/python3."""
import math
import os
import subprocess
import sys

from geopy.distance import geodesic

BUILD = os.environ.get("BUILD", "build")
TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", BUILD, "tests", "iss", "geodesy_points")
PAIRS = [
    ("London - New York", 51.5074, -0.1278, 40.7128, -74.0060),
    ("same point", 48.8566, 2.3522, 48.8566, 2.3522),
    ("north pole - south pole", 90, 0, -90, 0),
    ("across the date line", 0, 179.5, 0, -179.5),
    ("nearly antipodal", 0, 0, 0.5, 179.5),
    ("equator quarter", 0, 0, 0, 90),
    ("Sydney - Santiago", -33.8688, 151.2093, -33.4489, -70.6693),
    ("short hop", 52.52, 13.405, 52.5201, 13.4051),
    ("pole to equator", 90, 0, 0, 45),
    ("Zurich - ISS-like point", 47.3769, 8.5417, 51.6, -120.0),
]


def ecef(lat, lon, h):
    a, f = 6378.137, 1 / 298.257223563
    e2 = f * (2 - f)
    lat, lon = math.radians(lat), math.radians(lon)
    n = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return ((n + h) * math.cos(lat) * math.cos(lon), (n + h) * math.cos(lat) * math.sin(lon),
            (n * (1 - e2) + h) * math.sin(lat))


stdin = "".join(f"{a} {b} {c} {d}\n" for _, a, b, c, d in PAIRS)
out = subprocess.run([TOOL], input=stdin, capture_output=True, text=True, check=True).stdout.split("\n")
failed, worst = 0, 0.0
for (name, a, b, c, d), line in zip(PAIRS, out):
    ours, slant = map(float, line.split())
    want = geodesic((a, b), (c, d)).km
    p, q = ecef(a, b, 0), ecef(c, d, 400)
    want_slant = math.dist(p, q)
    err = abs(ours - want) * 1000
    worst = max(worst, err)
    if err > 1.0 or abs(slant - want_slant) * 1000 > 1.0:
        failed += 1
        print(f"{name}: ours {ours:.6f} km, geopy {want:.6f} km; slant {slant:.6f} vs {want_slant:.6f}")
print(f"{len(PAIRS)} point pairs, worst geodesic difference {worst * 1000:.4f} mm")
print(f"{1 if not failed else 0} passed, {1 if failed else 0} failed")
sys.exit(1 if failed else 0)
