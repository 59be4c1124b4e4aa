#!/usr/bin/env bash
# Builds a slim CoreDNS (plugins: bind, errors, etcd, file, log, ready,
# health, tsig, transfer) from the Go module proxy, for the coredns provider's
# integration tests (test/providers). CoreDNS is not packaged in Debian.
#
# Idempotent: when the cached binary is there and reports the wanted version
# it does nothing, so CI pays the build once (about 3 minutes cold on the
# 2-core CI machine, seconds with a warm module cache).
#
#   hack/coredns.sh                # prints the binary's path on its last line
#   COREDNS_VERSION=1.11.3 DEST=/some/dir hack/coredns.sh
set -euo pipefail

COREDNS_VERSION=${COREDNS_VERSION:-1.11.3}
CACHE=${EXODNS_CACHE:-$HOME/.cache/exodns}
DEST=${DEST:-$CACHE/coredns-$COREDNS_VERSION}
BIN=$DEST/coredns

if [ -x "$BIN" ] && "$BIN" -version 2>/dev/null | grep -q "CoreDNS-$COREDNS_VERSION"; then
  echo "coredns already in $DEST" >&2
  echo "$BIN"
  exit 0
fi
mkdir -p "$DEST"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
printf 'module local/corednsslim\n\ngo 1.22\n\nrequire github.com/coredns/coredns v%s\n' "$COREDNS_VERSION" > go.mod
cat > main.go <<'GO'
// A CoreDNS with only the plugins the provider tests need.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/etcd"
	_ "github.com/coredns/coredns/plugin/file"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/transfer"
	_ "github.com/coredns/coredns/plugin/tsig"
)

// The order plugins run in, as in CoreDNS's plugin.cfg.
func init() {
	dnsserver.Directives = []string{"tsig", "bind", "ready", "health", "errors", "log", "transfer", "file", "etcd"}
}

func main() { coremain.Run() }
GO
echo ">> building coredns v$COREDNS_VERSION (minutes when cold)" >&2
start=$(date +%s)
# -mod=mod resolves every other module from coredns's own go.mod.
GOFLAGS=-mod=mod go build -ldflags "-s -w" -o "$BIN" .
echo ">> built in $(( $(date +%s) - start )) s" >&2
"$BIN" -version >&2
echo "$BIN"
