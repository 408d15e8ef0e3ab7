#!/usr/bin/env bash
# Validates deploy/ (no Docker or Kubernetes here): tests/deploy/check.py
# parses and checks every file; promtool checks the PrometheusRule's rules
# and the Prometheus config as the e2e test derives it.
# Usage: run.sh PYTHON   (a python with pyyaml: the Makefile passes .build/venv's)
set -euo pipefail
PY=${1:-python3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
failed=0
"$PY" "$ROOT/tests/deploy/check.py" || failed=1
"$PY" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); yaml.safe_dump(d["spec"], open(sys.argv[2], "w"))' \
  "$ROOT/deploy/kubernetes/prometheusrule.yaml" "$WORK/rule.yml"
if promtool check rules "$WORK/rule.yml" >"$WORK/r.log" 2>&1; then echo "ok   - promtool check rules on the PrometheusRule"; else echo "FAIL - promtool rules: $(cat "$WORK/r.log")"; failed=1; fi
cp "$ROOT/dashboards/alerts.yml" "$WORK/alerts.yml"
sed -e "s#^  - /etc/prometheus/alerts.yml\$#  - $WORK/alerts.yml#" "$ROOT/deploy/prometheus/prometheus.yml" >"$WORK/prometheus.yml"
if promtool check config "$WORK/prometheus.yml" >"$WORK/c.log" 2>&1; then echo "ok   - promtool check config deploy/prometheus/prometheus.yml"; else echo "FAIL - promtool config: $(cat "$WORK/c.log")"; failed=1; fi
[ "$failed" = 0 ]
