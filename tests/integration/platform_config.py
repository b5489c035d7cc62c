"""The telemetry platform's configuration (docker-compose.yml and
telemetry-platform-config/), checked as far as it can be without a Docker
engine and the platform images, which no registry here can give:

  - every host:port a configuration points at is a service of the compose
    files listening on that port (by its own configuration, or the image's
    documented default);
  - every data source UID that a link, a dashboard or an alert rule names
    is provisioned, and of the right type;
  - Prometheus' configuration passes Debian's `promtool check config`, and
    its alert rule expressions parse (`promtool check rules` on a rules file
    made from the Grafana rule's PromQL);
  - Tempo's metrics generator writes to Prometheus, which accepts remote
    writes (--web.enable-remote-write-receiver);
  - the Jaeger extra (docker-compose.jaeger.yml layered over the platform
    file): the Collector's command names both configuration files at paths
    that are mounted, and the two files merged as the Collector merges them
    still send traces everywhere the first one did, and to Jaeger.
What only the real images can show (that Grafana loads the provisioning,
that Tempo builds the service graph) is not claimed here.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from urllib.parse import urlparse

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CFG = os.path.join(ROOT, "telemetry-platform-config")
failures = []
checks = 0


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        failures.append(msg)


def load(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return yaml.safe_load(f)


platform = load("docker-compose.yml")["services"]
collector = load("telemetry-platform-config/otel-collector.yaml")
tempo = load("telemetry-platform-config/tempo.yaml")
loki = load("telemetry-platform-config/loki.yaml")
datasources = load("telemetry-platform-config/grafana/provisioning/datasources/datasources.yaml")["datasources"]


def port_of(endpoint):
    return int(endpoint.rsplit(":", 1)[1])


# What each platform service listens on, from its own configuration (or the
# image's default where the configuration does not say).
listens = {
    "otel-collector": {port_of(p["endpoint"]) for p in collector["receivers"]["otlp"]["protocols"].values()},
    "tempo": {tempo["server"]["http_listen_port"],
              *(port_of(p["endpoint"]) for p in tempo["distributor"]["receivers"]["otlp"]["protocols"].values())},
    "loki": {loki["server"]["http_listen_port"]},
    "prometheus": {9090},  # prom/prometheus' default --web.listen-address
    "grafana": {3000},     # grafana/grafana's default http_port
}
for name in listens:
    check(name in platform, f"docker-compose.yml has no service {name}")


def points_at(where, url):
    u = urlparse(url if "://" in url else f"http://{url}")
    check(u.hostname in listens and u.port in listens.get(u.hostname, ()),
          f"{where}: {url} is not a platform service on a port it listens on ({listens.get(u.hostname)})")


for name, exp in collector["exporters"].items():
    if "endpoint" in exp:
        points_at(f"otel-collector exporter {name}", exp["endpoint"])
for rw in tempo.get("metrics_generator", {}).get("storage", {}).get("remote_write", []):
    points_at("tempo metrics_generator remote_write", rw["url"])
    if urlparse(rw["url"]).hostname == "prometheus":
        check("--web.enable-remote-write-receiver" in platform["prometheus"].get("command", []),
              "tempo remote-writes to prometheus, which does not accept remote writes")
check("service-graphs" in tempo.get("overrides", {}).get("defaults", {}).get("metrics_generator", {})
      .get("processors", []), "tempo: the metrics generator's service-graphs processor is off")
for ds in datasources:
    points_at(f"grafana data source {ds['name']}", ds["url"])

# ---- the Jaeger extra: docker-compose.jaeger.yml over docker-compose.yml ----
def merged(base, over):
    """Merges two configurations as the Collector merges its --config files
    (and Compose its -f files, for the keys used here): maps key by key, any
    other value (a list included) replaced by the later file's."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merged(base.get(k), v) if k in base else v
        return out
    return over


jaeger_over = load("docker-compose.jaeger.yml")["services"]
check("jaeger" in jaeger_over, "docker-compose.jaeger.yml has no jaeger service")
check(jaeger_over.get("jaeger", {}).get("networks") == platform["otel-collector"].get("networks"),
      "docker-compose.jaeger.yml: jaeger is not on the Collector's network")
collector_over = jaeger_over.get("otel-collector", {})
mounts = {}
for svc in (platform["otel-collector"], collector_over):
    for vol in svc.get("volumes", []):
        host, container = vol.split(":")[:2]
        check(os.path.exists(os.path.join(ROOT, host)), f"otel-collector mounts missing {host}")
        mounts[container] = os.path.normpath(os.path.join(ROOT, host))
configs = [a.split("=", 1)[1] for a in collector_over.get("command", []) if a.startswith("--config=")]
check(len(configs) == 2, f"docker-compose.jaeger.yml: the Collector should get two --config files, has {configs}")
for c in configs:
    check(c in mounts, f"docker-compose.jaeger.yml: --config={c} is not a mounted file ({sorted(mounts)})")
if len(configs) == 2 and all(c in mounts for c in configs):
    check(mounts[configs[0]] == os.path.join(CFG, "otel-collector.yaml"),
          "docker-compose.jaeger.yml: the first --config is not the platform's otel-collector.yaml")
    both = merged(*(yaml.safe_load(open(mounts[c])) for c in configs))
    base_exporters = collector["service"]["pipelines"]["traces"]["exporters"]
    both_exporters = both["service"]["pipelines"]["traces"]["exporters"]
    check(set(base_exporters) <= set(both_exporters),
          f"Jaeger extra: the traces pipeline lost exporters: {base_exporters} -> {both_exporters}")
    for name in both_exporters:
        check(name in both["exporters"], f"Jaeger extra: traces exporter {name} is not defined")
    listens_jaeger = {4317, 4318, 16686}  # all-in-one's OTLP gRPC/HTTP and UI defaults
    to_jaeger = [n for n in both_exporters
                 if urlparse("http://" + both["exporters"].get(n, {}).get("endpoint", "")).hostname == "jaeger"]
    check(to_jaeger, f"Jaeger extra: no traces exporter sends to jaeger ({both_exporters})")
    for n in to_jaeger:
        check(port_of(both["exporters"][n]["endpoint"]) in listens_jaeger,
              f"Jaeger extra: exporter {n} points at a port jaeger does not listen on")
    for name in ("metrics", "logs"):
        check(both["service"]["pipelines"][name] == collector["service"]["pipelines"][name],
              f"Jaeger extra: the {name} pipeline changed")

# ---- data source UIDs named by links, dashboards and alert rules ----------
types = {ds["uid"]: ds["type"] for ds in datasources}


def names_uid(where, uid, want_type):
    check(types.get(uid) == want_type, f"{where}: data source uid {uid!r} is not a provisioned {want_type} "
                                       f"data source (have {types})")


for ds in datasources:
    j = ds.get("jsonData", {})
    if "tracesToLogsV2" in j:
        names_uid(f"{ds['name']}.tracesToLogsV2", j["tracesToLogsV2"]["datasourceUid"], "loki")
    if "serviceMap" in j:
        names_uid(f"{ds['name']}.serviceMap", j["serviceMap"]["datasourceUid"], "prometheus")
    for f in j.get("derivedFields", []):
        names_uid(f"{ds['name']}.derivedFields.{f['name']}", f["datasourceUid"], "tempo")
    for e in j.get("exemplarTraceIdDestinations", []):
        names_uid(f"{ds['name']}.exemplarTraceIdDestinations", e["datasourceUid"], "tempo")
dash_dir = os.path.join(CFG, "grafana", "dashboards")
for f in sorted(os.listdir(dash_dir)):
    dash = json.load(open(os.path.join(dash_dir, f)))
    for panel in dash.get("panels", []):
        ds = panel.get("datasource") or {}
        names_uid(f"dashboard {f} panel {panel.get('title')!r}", ds.get("uid"), ds.get("type"))
        for t in panel.get("targets", []):
            if "datasource" in t:
                names_uid(f"dashboard {f} panel {panel.get('title')!r}", t["datasource"].get("uid"),
                          t["datasource"].get("type"))

# ---- Prometheus: its configuration, and the alert rules' PromQL ------------
r = subprocess.run(["promtool", "check", "config", os.path.join(CFG, "prometheus.yml")],
                   capture_output=True, text=True)
check(r.returncode == 0, f"promtool check config prometheus.yml:\n{r.stdout}{r.stderr}")
alert_dir = os.path.join(CFG, "grafana", "provisioning", "alerting")
exprs = []
for f in sorted(os.listdir(alert_dir)) if os.path.isdir(alert_dir) else []:
    for group in yaml.safe_load(open(os.path.join(alert_dir, f))).get("groups", []):
        for rule in group.get("rules", []):
            refs = {d["refId"] for d in rule["data"]}
            check(rule.get("condition") in refs, f"alert {rule.get('title')}: condition {rule.get('condition')} "
                                                 f"is none of its queries {sorted(refs)}")
            for d in rule["data"]:
                if d["datasourceUid"] == "__expr__":
                    continue
                names_uid(f"alert {rule.get('title')!r} query {d['refId']}", d["datasourceUid"], "prometheus")
                exprs.append((rule["title"], d["model"]["expr"]))
check(exprs, "no Grafana alert rule is provisioned (the latency extra needs one)")
with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as rules:
    yaml.safe_dump({"groups": [{"name": "grafana-rules", "rules": [
        {"alert": re.sub(r"\W+", "_", title), "expr": expr} for title, expr in exprs]}]}, rules)
r = subprocess.run(["promtool", "check", "rules", rules.name], capture_output=True, text=True)
os.unlink(rules.name)
check(r.returncode == 0, f"promtool check rules on the alert rules' PromQL:\n{r.stdout}{r.stderr}")

for f in failures:
    print("FAIL:", f)
print("platform configuration: checked without a Docker engine (the images cannot be pulled here)")
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
