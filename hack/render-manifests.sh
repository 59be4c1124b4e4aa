#!/usr/bin/env bash
# Renders the plain manifests under deploy/manifests/ from the Helm chart,
# for users without Helm: one file per values file in
# deploy/manifests/values/, plus crds.yaml. test/deploy re-renders them and
# fails when the committed files differ, so run this after changing the
# chart.
#
#   hack/render-manifests.sh                # writes deploy/manifests
#   OUT=/tmp/m hack/render-manifests.sh     # writes elsewhere
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CHART="$ROOT/deploy/chart/exodns"
OUT=${OUT:-$ROOT/deploy/manifests}
HELM=${HELM:-$("$ROOT/hack/helm.sh" | tail -n 1)}
RELEASE=exodns
NAMESPACE=exodns

mkdir -p "$OUT"
{
  echo "# The CustomResourceDefinitions exodns reads (--source=crd). Apply first."
  echo "# Rendered by hack/render-manifests.sh from deploy/chart/exodns/crds; do not edit."
  for f in "$CHART"/crds/*.yaml; do
    echo "---"
    grep -v '^---$' "$f"
  done
} > "$OUT/crds.yaml"

for values in "$ROOT"/deploy/manifests/values/*.yaml; do
  name=$(basename "$values" .yaml)
  {
    echo "# exodns, as the Helm chart installs it with deploy/manifests/values/$name.yaml."
    echo "# Rendered by hack/render-manifests.sh; do not edit: change the values and re-render."
    echo "# kubectl apply -f crds.yaml -f $name.yaml"
    echo "---"
    echo "apiVersion: v1"
    echo "kind: Namespace"
    echo "metadata:"
    echo "  name: $NAMESPACE"
    "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" -f "$values"
  } > "$OUT/$name.yaml"
done
echo "$OUT"
