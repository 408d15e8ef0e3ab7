"""Validates deploy/ without Docker or Kubernetes: every file parses, the
manifests say what a cluster needs (probes on /healthz, a numeric non-root
user, resources, /data on a volume), the generated manifests equal the
project's own rules, dashboard and workloads, and the compose file mounts
the Prometheus config the end-to-end test uses. Prints ok/FAIL lines."""
import json, os, subprocess, sys, tempfile
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
bad = 0

def check(claim, ok):
    global bad
    print(("ok   - " if ok else "FAIL - ") + claim)
    bad += not ok

def load_all(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]

k8s = {}
for name in sorted(os.listdir(os.path.join(ROOT, "deploy/kubernetes"))):
    if name.endswith(".yaml"):
        docs = load_all("deploy/kubernetes/" + name)
        check(f"deploy/kubernetes/{name} parses ({len(docs)} objects)", all("apiVersion" in d and "kind" in d and "metadata" in d for d in docs))
        for d in docs:
            k8s[d["kind"]] = d

dep = k8s.get("Deployment", {})
pod = dep.get("spec", {}).get("template", {}).get("spec", {})
c = (pod.get("containers") or [{}])[0]
sc = pod.get("securityContext", {})
check("Deployment runs as a numeric non-root user", isinstance(sc.get("runAsUser"), int) and sc["runAsUser"] > 0 and sc.get("runAsNonRoot") is True)
check("Deployment has liveness and readiness probes on /healthz",
      all(c.get(p, {}).get("httpGet", {}).get("path") == "/healthz" for p in ("livenessProbe", "readinessProbe")))
check("Deployment sets resource requests and limits", {"cpu", "memory"} <= set(c.get("resources", {}).get("requests", {})) and {"cpu", "memory"} <= set(c.get("resources", {}).get("limits", {})))
env = {e["name"]: e.get("value") for e in c.get("env", [])}
mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
vols = {v["name"]: v for v in pod.get("volumes", [])}
check("Deployment mounts a persistent volume at the data dir (MEMCGD_DATA_DIR)",
      env.get("MEMCGD_DATA_DIR") in mounts and "persistentVolumeClaim" in vols.get(mounts[env["MEMCGD_DATA_DIR"]], {}))
wl = env.get("MEMCGD_WORKLOAD", "")
wdir = os.path.dirname(wl)
wcm = load_all("deploy/kubernetes/workloads-configmap.yaml")[0]
check(f"Deployment's workload {wl} comes from the workloads ConfigMap",
      wdir in mounts and vols.get(mounts[wdir], {}).get("configMap", {}).get("name") == wcm["metadata"]["name"]
      and os.path.basename(wl) in wcm["data"])
svc = k8s.get("Service", {})
check("Service selects the Deployment's pods", svc.get("spec", {}).get("selector") == dep.get("spec", {}).get("selector", {}).get("matchLabels"))
sm = k8s.get("ServiceMonitor", {})
check("ServiceMonitor scrapes /metrics of the Service's port",
      sm.get("spec", {}).get("selector", {}).get("matchLabels") == svc.get("metadata", {}).get("labels")
      and sm["spec"]["endpoints"][0]["port"] == svc["spec"]["ports"][0]["name"] and sm["spec"]["endpoints"][0]["path"] == "/metrics")
alerts = load_all("dashboards/alerts.yml")[0]
check("PrometheusRule holds exactly dashboards/alerts.yml", k8s.get("PrometheusRule", {}).get("spec") == alerts)
dash = load_all("deploy/kubernetes/dashboard-configmap.yaml")[0]
with open(os.path.join(ROOT, "dashboards/memcgd.json")) as f:
    check("dashboard ConfigMap holds exactly dashboards/memcgd.json", json.loads(dash["data"]["memcgd.json"]) == json.load(f))
wcm = wcm["data"]
ex = sorted(n for n in os.listdir(os.path.join(ROOT, "examples/workloads")) if n.endswith(".yaml"))
check("workloads ConfigMap holds every example spec, parsed equal",
      sorted(wcm) == ex and all(yaml.safe_load(wcm[n]) == load_all("examples/workloads/" + n)[0] for n in ex))
with tempfile.TemporaryDirectory() as t:
    subprocess.run(["bash", os.path.join(ROOT, "deploy/kubernetes/generate.sh"), t], check=True)
    same = all(open(os.path.join(t, n)).read() == open(os.path.join(ROOT, "deploy/kubernetes", n)).read() for n in os.listdir(t))
    check("generated manifests are up to date (deploy/kubernetes/generate.sh)", same)

compose = load_all("deploy/docker-compose.yml")[0]
s = compose.get("services", {})
check("compose runs memcgd, prometheus and grafana", {"memcgd", "prometheus", "grafana"} <= set(s))
pv = s.get("prometheus", {}).get("volumes", [])
check("compose's Prometheus uses deploy/prometheus/prometheus.yml (the e2e test's config) and dashboards/alerts.yml",
      "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in pv and "../dashboards/alerts.yml:/etc/prometheus/alerts.yml:ro" in pv)
prom = load_all("deploy/prometheus/prometheus.yml")[0]
check("the Prometheus config loads /etc/prometheus/alerts.yml and scrapes memcgd:8080",
      prom["rule_files"] == ["/etc/prometheus/alerts.yml"] and prom["scrape_configs"][0]["static_configs"][0]["targets"] == ["memcgd:8080"])
mv = s.get("memcgd", {})
check("compose's memcgd plays an example workload and keeps /data on a volume",
      "../examples/workloads:/workloads:ro" in mv.get("volumes", []) and any(v.endswith(":/data") for v in mv.get("volumes", []))
      and mv.get("environment", {}).get("MEMCGD_WORKLOAD", "").startswith("/workloads/"))
gv = s.get("grafana", {}).get("volumes", [])
check("compose's Grafana provisions the datasource and the dashboard",
      "../dashboards/memcgd.json:/var/lib/grafana/dashboards/memcgd.json:ro" in gv and "./grafana/provisioning:/etc/grafana/provisioning:ro" in gv)
for rel in ("deploy/grafana/provisioning/datasources/prometheus.yml", "deploy/grafana/provisioning/dashboards/memcgd.yml"):
    check(f"{rel} parses", load_all(rel)[0].get("apiVersion") == 1)
sys.exit(1 if bad else 0)
