#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go module proxy into a folder that
# controller-runtime's envtest reads through KUBEBUILDER_ASSETS. setup-envtest
# cannot download here, but the module proxy has every Kubernetes release.
#
# Idempotent: when the folder already holds binaries of the wanted versions it
# does nothing, so CI keeps the folder in its cache and pays the build once.
#
#   hack/k8s-test-bins.sh            # prints the folder on its last line
#   K8S_VERSION=1.32.13 ETCD_VERSION=3.5.21 DEST=/some/dir hack/k8s-test-bins.sh
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-1.32.13}
ETCD_VERSION=${ETCD_VERSION:-3.5.21}
CACHE=${EXODNS_CACHE:-$HOME/.cache/exodns}
DEST=${DEST:-$CACHE/kubebuilder-assets/k8s-$K8S_VERSION-etcd-$ETCD_VERSION}
# k8s.io/kubernetes v1.X.Y publishes its staging modules as v0.X.Y.
STAGING_VERSION=v0.${K8S_VERSION#*.}
MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)

mkdir -p "$DEST"
if [ -x "$DEST/kube-apiserver" ] && [ -x "$DEST/etcd" ] &&
   "$DEST/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes v$K8S_VERSION" &&
   "$DEST/etcd" --version 2>/dev/null | grep -q "etcd Version: $ETCD_VERSION"; then
  echo "k8s test binaries already in $DEST" >&2
  echo "$DEST"
  exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# kube-apiserver: a scratch module that requires k8s.io/kubernetes and points
# each of its ./staging replaces at the published module instead. Never run
# `go mod tidy` here: some staging modules used only by tests are missing
# from the proxy for some versions.
mkdir -p "$WORK/apiserver" && cd "$WORK/apiserver"
KMOD=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
STAGING=$(sed -n '/^replace (/,/^)/p' "$KMOD" | awk '$2=="=>" && $3 ~ /^\.\/staging/ {print $1}')
{
  printf 'module local/apiserver\n\ngo 1.23.0\n\nrequire k8s.io/kubernetes v%s\n\nreplace (\n' "$K8S_VERSION"
  for m in $STAGING; do printf '\t%s => %s %s\n' "$m" "$m" "$STAGING_VERSION"; done
  printf ')\n'
} > go.mod
LDFLAGS="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDFLAGS+=" -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MINOR -X $p.gitTreeState=clean"
done
echo ">> building kube-apiserver v$K8S_VERSION (minutes when cold)" >&2
go build -mod=mod -ldflags "$LDFLAGS" -o "$DEST/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver

# etcd: its server package exposes the whole command as one function.
mkdir -p "$WORK/etcd" && cd "$WORK/etcd"
printf 'module local/etcd\n\ngo 1.23.0\n\nrequire go.etcd.io/etcd/server/v3 v%s\n' "$ETCD_VERSION" > go.mod
printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' > main.go
echo ">> building etcd v$ETCD_VERSION" >&2
go build -mod=mod -ldflags "-s -w" -o "$DEST/etcd" .

"$DEST/kube-apiserver" --version >&2
"$DEST/etcd" --version | head -1 >&2
echo "$DEST"
