#!/usr/bin/env bash
# Builds the rest of a single-node cluster from the Go module proxy, beside
# the kube-apiserver and etcd that hack/k8s-test-bins.sh builds:
# kube-controller-manager, kube-scheduler, kubelet and kube-proxy, all of the
# same Kubernetes version. No release download is reachable from here, but
# the module proxy holds every Kubernetes release.
#
# Idempotent like hack/k8s-test-bins.sh: when the folder already holds the
# four binaries at the wanted version it does nothing, so CI pays the build
# once and keeps the folder in its cache.
#
#   hack/cluster/k8s-node-bins.sh        # prints the folder on its last line
#   K8S_VERSION=1.32.13 DEST=/some/dir hack/cluster/k8s-node-bins.sh
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-1.32.13}
CACHE=${EXODNS_CACHE:-$HOME/.cache/exodns}
DEST=${DEST:-$CACHE/cluster-bins/k8s-$K8S_VERSION}
STAGING_VERSION=v0.${K8S_VERSION#*.}
# Staging modules the proxy does not serve at STAGING_VERSION, as
# "module=version" pairs: the nearest patch release it does serve. The
# kube-controller-manager needs k8s.io/endpointslice, and v0.32.13 answers
# "not available"; v0.32.12 is the same API.
STAGING_PINS=${STAGING_PINS:-k8s.io/endpointslice=v0.32.12}
MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
BINS="kube-controller-manager kube-scheduler kubelet kube-proxy"

have_all() {
  for b in $BINS; do
    [ -x "$DEST/$b" ] && "$DEST/$b" --version 2>/dev/null | grep -qx "Kubernetes v$K8S_VERSION" || return 1
  done
}

mkdir -p "$DEST"
if have_all; then
  echo "cluster binaries already in $DEST" >&2
  echo "$DEST"
  exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The same scratch module as hack/k8s-test-bins.sh: require k8s.io/kubernetes
# and point each ./staging replace at the published module. Never run
# `go mod tidy` here (some test-only staging modules are not on the proxy).
cd "$WORK"
KMOD=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
STAGING=$(sed -n '/^replace (/,/^)/p' "$KMOD" | awk '$2=="=>" && $3 ~ /^\.\/staging/ {print $1}')
{
  printf 'module local/clusterbins\n\ngo 1.23.0\n\nrequire k8s.io/kubernetes v%s\n\nreplace (\n' "$K8S_VERSION"
  for m in $STAGING; do
    v=$STAGING_VERSION
    for pin in $STAGING_PINS; do [ "${pin%%=*}" = "$m" ] && v=${pin#*=}; done
    printf '\t%s => %s %s\n' "$m" "$m" "$v"
  done
  printf ')\n'
} > go.mod
LDFLAGS="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDFLAGS+=" -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MINOR -X $p.gitTreeState=clean"
done
PKGS=
for b in $BINS; do PKGS+=" k8s.io/kubernetes/cmd/$b"; done
echo ">> building $BINS v$K8S_VERSION (many minutes when cold)" >&2
# The same build settings as hack/k8s-test-bins.sh (no -trimpath, default
# cgo), so the packages these commands share with kube-apiserver come from
# Go's build cache; one go build also shares them among the four.
go build -mod=mod -ldflags "$LDFLAGS" -o "$DEST/" $PKGS

for b in $BINS; do "$DEST/$b" --version >&2; done
echo "$DEST"
