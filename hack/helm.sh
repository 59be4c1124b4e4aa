#!/usr/bin/env bash
# Builds the helm command from the Go module proxy (no release download is
# reachable from here) and caches it beside the Kubernetes test binaries.
# Idempotent: when the cached binary reports the wanted version it does
# nothing.
#
#   hack/helm.sh                 # prints the binary's path on its last line
#   HELM_VERSION=v4.3.2 hack/helm.sh
set -euo pipefail

HELM_VERSION=${HELM_VERSION:-v4.3.2}
CACHE=${EXODNS_CACHE:-$HOME/.cache/exodns}
DEST=${DEST:-$CACHE/helm/$HELM_VERSION}
BIN="$DEST/helm"

if [ -x "$BIN" ] && "$BIN" version --template '{{.Version}}' 2>/dev/null | grep -qx "$HELM_VERSION"; then
  echo "helm already in $DEST" >&2
  echo "$BIN"
  exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DEST"
cd "$WORK"
printf 'module local/helm\n\ngo 1.25.0\n\nrequire helm.sh/helm/v4 %s\n' "$HELM_VERSION" > go.mod
# helm prints its version from this variable, as its release build sets it.
echo ">> building helm $HELM_VERSION (minutes when cold)" >&2
CGO_ENABLED=0 go build -mod=mod -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
  -o "$BIN" helm.sh/helm/v4/cmd/helm
"$BIN" version >&2
echo "$BIN"
