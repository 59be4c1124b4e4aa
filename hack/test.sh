#!/usr/bin/env bash
# The whole test suite: formatting, vet, unit and integration tests, and every
# fuzz target for FUZZTIME each. README.md and .ci/run both call this.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-30s}

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...
go vet -tags integration ./test/...

echo "== go test"
go test -count=1 ./...

echo "== go test -race -short (concurrent packages; -short skips the 10k+ record scenarios already run above)"
go test -count=1 -race -short ./internal/controller/... ./internal/source/... ./internal/provider/... ./internal/registry/...

echo "== integration tests (real binaries: exodns, dig, BIND, PowerDNS, etcd, CoreDNS, kube-apiserver, dynalite, promtool, helm, a kubelet on containerd)"
if [ -z "${KUBEBUILDER_ASSETS:-}" ] && [ -d test/k8s ]; then
  # Built from the module proxy on first use, then cached.
  KUBEBUILDER_ASSETS=$(./hack/k8s-test-bins.sh | tail -n 1)
  export KUBEBUILDER_ASSETS
fi
if [ -z "${EXODNS_DYNALITE:-}" ] && [ -d test/aws2 ]; then
  # test/aws2: dynalite from npm, installed once into the cache.
  EXODNS_DYNALITE=$(./hack/dynalite.sh | tail -n 1)
  export EXODNS_DYNALITE
fi
if [ -z "${COREDNS_BIN:-}" ] && [ -d test/providers ]; then
  # test/providers: CoreDNS built from the module proxy once, then cached.
  COREDNS_BIN=$(./hack/coredns.sh | tail -n 1)
  export COREDNS_BIN
fi
if [ -d test/deploy ]; then
  # test/deploy: helm and the node's binaries, built once and cached, and
  # the image of this checkout.
  [ -n "${HELM:-}" ] || { HELM=$(./hack/helm.sh | tail -n 1); export HELM; }
  [ -n "${EXODNS_CLUSTER_BINS:-}" ] || { EXODNS_CLUSTER_BINS=$(./hack/cluster/k8s-node-bins.sh | tail -n 1); export EXODNS_CLUSTER_BINS; }
  [ -n "${EXODNS_IMAGE:-}" ] || { EXODNS_IMAGE=$(./hack/image/build.sh | tail -n 1); export EXODNS_IMAGE; }
fi
# The cluster of test/deploy takes minutes on a busy machine: more than go
# test's default 10 minutes per package.
go test -count=1 -timeout 30m -tags integration ./test/...

# Go 1.26's fuzz coordinator can fail a run with a bare "context deadline
# exceeded" when -fuzztime ends while a worker is busy (golang/go#75804,
# fixed only in Go 1.27). Such a run found nothing: it wrote no failing
# input. fuzz_one runs a target again then, up to three times in all; any
# other failure, or one that wrote an input, fails at once.
fuzz_one() {
  local pkg=$1 target=$2 dir=$3/testdata/fuzz/$2 log attempt
  log=$(mktemp)
  for attempt in 1 2 3; do
    local before after
    before=$(ls "$dir" 2>/dev/null || true)
    if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg" 2>&1 | tee "$log"; then
      rm -f "$log"
      return 0
    fi
    after=$(ls "$dir" 2>/dev/null || true)
    if [ "$before" != "$after" ] || grep -q 'Failing input written' "$log" ||
      ! grep -qx '    context deadline exceeded' "$log"; then
      rm -f "$log"
      return 1
    fi
    echo "-- $target: Go's fuzz coordinator stopped on its own deadline with no failing input (golang/go#75804); run $((attempt + 1)) of 3"
  done
  rm -f "$log"
  return 1
}

echo "== fuzz (${FUZZTIME} each)"
# Packages are read from fd 3, so no test can read the list from stdin.
while read -r pkg pkgdir <&3; do
  for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "-- $pkg $target"
    fuzz_one "$pkg" "$target" "$pkgdir"
  done
done 3< <(go list -f '{{.ImportPath}} {{.Dir}}' ./...)

echo "== all tests passed"
