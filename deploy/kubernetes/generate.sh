#!/usr/bin/env bash
# Writes the manifests made from the project's own files, so they cannot
# drift: the PrometheusRule from dashboards/alerts.yml, the dashboard
# ConfigMap from dashboards/memcgd.json, the workloads ConfigMap from
# examples/workloads/. `make deploy` runs it; `make test-deploy` checks the
# committed files equal its output.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/deploy/kubernetes}
indent() { sed -e "s/^/$1/" -e 's/[[:space:]]*$//'; }
{
  echo "# Generated from dashboards/alerts.yml by deploy/kubernetes/generate.sh."
  echo "apiVersion: monitoring.coreos.com/v1"
  echo "kind: PrometheusRule"
  echo "metadata:"
  echo "  name: memcgd"
  echo "  labels: {app.kubernetes.io/name: memcgd}"
  echo "spec:"
  indent "  " <"$ROOT/dashboards/alerts.yml"
} >"$OUT/prometheusrule.yaml"
{
  echo "# Generated from dashboards/memcgd.json by deploy/kubernetes/generate.sh."
  echo "# The label is the one Grafana's dashboard sidecar looks for."
  echo "apiVersion: v1"
  echo "kind: ConfigMap"
  echo "metadata:"
  echo "  name: memcgd-dashboard"
  echo "  labels: {app.kubernetes.io/name: memcgd, grafana_dashboard: \"1\"}"
  echo "data:"
  echo "  memcgd.json: |"
  indent "    " <"$ROOT/dashboards/memcgd.json"
} >"$OUT/dashboard-configmap.yaml"
{
  echo "# Generated from examples/workloads/ by deploy/kubernetes/generate.sh."
  echo "apiVersion: v1"
  echo "kind: ConfigMap"
  echo "metadata:"
  echo "  name: memcgd-workloads"
  echo "  labels: {app.kubernetes.io/name: memcgd}"
  echo "data:"
  for f in "$ROOT"/examples/workloads/*.yaml; do
    echo "  $(basename "$f"): |"
    indent "    " <"$f"
  done
} >"$OUT/workloads-configmap.yaml"
