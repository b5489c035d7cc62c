"""Bad input against the real services, one table per service.

Each case is (name, method, path-and-query or raw request, expected status,
expected body fragment). The services run as real processes on free ports;
after the table each must still answer, and must exit cleanly on SIGTERM
(exit status 0: under AddressSanitizer a leak or a memory error would make
it non-zero).
"""
import sys

from harness import DeadPort, Process, free_port, http, raw_request

LONG = "a" * 100_000
failures = []


def check(service, name, status, body, want_status, want_fragment):
    if status != want_status or (want_fragment and want_fragment not in body):
        failures.append(f"{service}: {name}: got {status} {body[:120]!r}, "
                        f"want {want_status} containing {want_fragment!r}")


def run_table(proc, table):
    for name, method, target, want_status, want_fragment in table:
        if isinstance(target, bytes):
            status, body = raw_request(proc.port, target), ""
        elif isinstance(target, tuple):  # (path, extra headers)
            status, body, _ = http(method, proc.url(target[0]), headers=target[1])
        else:
            status, body, _ = http(method, proc.url(target))
        check(proc.name, name, status, body, want_status, want_fragment)


# An upstream that is not there: the gateway must answer 502 naming it.
dead_port = DeadPort()  # refuses connections for as long as it lives
dead = dead_port.url()
quiet = {"OTEL_TRACES_EXPORTER": "none", "OTEL_LOGS_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"}
iss = Process("iss-distance-service", free_port(), quiet)
geo = Process("geolocator-service", free_port(), quiet)
gateway = Process("gateway", free_port(), {"GEOLOCATOR_SERVICE_URL": dead,
                                           "ISS_DISTANCE_SERVICE_URL": dead,
                                           "OTEL_TRACES_EXPORTER": "none",
                                           "OTEL_LOGS_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"})
frontend = Process("frontend", free_port(), {"GATEWAY_URL": gateway.url("/"),
                                             "OTEL_TRACES_EXPORTER": "none",
                                             "OTEL_LOGS_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"})

GATEWAY = [
    ("missing location", "GET", "/", 400, "No location given"),
    ("empty location", "GET", "/?location=", 400, "No location given"),
    ("blank location", "GET", "/?location=%20%20", 400, "No location given"),
    ("100 KB location", "GET", "/?location=" + LONG, 400, "too long"),
    ("invalid UTF-8", "GET", "/?location=%ff%fe", 400, "UTF-8"),
    ("NUL byte", "GET", "/?location=Lon%00don", 400, "control characters"),
    ("CR LF in value", "GET", "/?location=a%0d%0aSet-Cookie:x", 400, "control characters"),
    ("upstream down", "GET", "/?location=London", 502, "geolocator-service unavailable"),
    ("unknown path", "GET", "/admin", 404, "Not found"),
    ("POST not allowed", "POST", "/?location=London", 405, ""),
    ("DELETE not allowed", "DELETE", "/", 405, ""),
    ("malformed traceparent ignored", "GET", ("/?location=London", {"traceparent": "00-zzzz-bad"}),
     502, "geolocator-service unavailable"),
    ("upper-case traceparent ignored", "GET", ("/", {"traceparent": "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"}),
     400, "No location given"),
    ("huge header line", "RAW", b"GET /?location=x HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 300_000 +
     b"\r\nConnection: close\r\n\r\n", 400, ""),  # civetweb: over max_request_size
]
FRONTEND = [
    ("form page", "GET", "/", 200, "<form"),
    ("empty location shows the form", "GET", "/?location=", 200, "<form"),
    ("100 KB location", "GET", "/?location=" + LONG, 400, "too long"),
    ("invalid UTF-8", "GET", "/?location=%c3%28", 400, "UTF-8"),
    ("script is escaped", "GET", "/?location=%3Cscript%3Ealert(1)%3C/script%3E", 502,
     "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("gateway error shown", "GET", "/?location=London", 502, "Error 502"),
    ("unknown path", "GET", "/x.php", 404, "Not found"),
    ("PUT not allowed", "PUT", "/", 405, ""),
]

ISS = [
    ("valid", "GET", "/?latitude=51.5&longitude=-0.12", 200, '"distance":'),
    ("missing both", "GET", "/", 400, "No latitude/longitude given"),
    ("missing longitude", "GET", "/?latitude=1", 400, "No latitude/longitude given"),
    ("empty latitude", "GET", "/?latitude=&longitude=2", 400, "No latitude/longitude given"),
    ("latitude=abc", "GET", "/?latitude=abc&longitude=2", 400, "Invalid latitude/longitude"),
    ("NaN", "GET", "/?latitude=NaN&longitude=2", 400, "Invalid latitude/longitude"),
    ("inf", "GET", "/?latitude=1&longitude=inf", 400, "Invalid latitude/longitude"),
    ("1e999", "GET", "/?latitude=1e999&longitude=2", 400, "Invalid latitude/longitude"),
    ("latitude out of range", "GET", "/?latitude=90.5&longitude=2", 400, "Invalid latitude/longitude"),
    ("longitude out of range", "GET", "/?latitude=1&longitude=-181", 400, "Invalid latitude/longitude"),
    ("trailing junk", "GET", "/?latitude=1x&longitude=2", 400, "Invalid latitude/longitude"),
    ("NUL byte", "GET", "/?latitude=1%00&longitude=2", 400, "Invalid latitude/longitude"),
    ("100 KB value", "GET", "/?latitude=" + "1" * 100_000 + "&longitude=2", 400, "Invalid latitude/longitude"),
    ("unknown path", "GET", "/v1/iss", 404, "Not found"),
    ("POST not allowed", "POST", "/?latitude=1&longitude=2", 405, ""),
]
GEO = [
    ("found", "GET", "/?location=London", 200, '"name":"London, England, United Kingdom"'),
    ("missing", "GET", "/", 400, "No location given"),
    ("empty", "GET", "/?location=", 400, "No location given"),
    ("unknown place", "GET", "/?location=Xyzzyville", 404, "No coordinates found for location 'Xyzzyville'"),
    ("100 KB location", "GET", "/?location=" + LONG, 400, "too long"),
    ("invalid UTF-8", "GET", "/?location=Z%FCrich", 400, "UTF-8"),
    ("CR LF", "GET", "/?location=Paris%0d%0aX:1", 400, "control characters"),
    ("script tag", "GET", "/?location=%3Cscript%3E", 404, "No coordinates found"),
    ("unknown path", "GET", "/search", 404, "Not found"),
    ("DELETE not allowed", "DELETE", "/?location=x", 405, ""),
]

try:
    run_table(iss, ISS)
    run_table(geo, GEO)
    run_table(gateway, GATEWAY)
    run_table(frontend, FRONTEND)
    # the script must not come back unescaped anywhere in the page
    status, body, _ = http("GET", frontend.url("/?location=%3Cscript%3Ealert(1)%3C/script%3E"))
    if "<script>" in body:
        failures.append("frontend: <script> from the query appears unescaped")
    status, body, _ = http("POST", frontend.url("/"), b"location=", {"Content-Type": "application/x-www-form-urlencoded"})
    check("frontend", "POST empty form", status, body, 400, "No location given")
    for p in (gateway, frontend, iss, geo):
        status, _, _ = http("GET", p.url("/?location=still-alive"))
        if status == 0:
            failures.append(f"{p.name}: not answering after the table")
finally:
    for p in (frontend, gateway, iss, geo):
        rc = p.stop()
        if rc != 0:
            failures.append(f"{p.name}: exited with {rc}; its output:\n{p.output()[-3000:]}")

for f in failures:
    print("FAIL:", f)
total = len(ISS) + len(GEO) + len(GATEWAY) + len(FRONTEND) + 6
print(f"{total - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
