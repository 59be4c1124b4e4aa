#!/usr/bin/env bash
# Builds exodns's OCI image with no container engine and no base image:
# static binaries for each platform (CGO_ENABLED=0, -trimpath, version
# stamped), put on an empty base by hack/image (go-containerregistry), as one
# multi-arch index. Writes an OCI layout folder and the same layout as a tar
# that `ctr images import` and `podman load` take.
#
# Reproducible: the timestamps come from the commit (SOURCE_DATE_EPOCH), tar
# entries are sorted, and Go builds are deterministic, so the same commit
# gives the same digests on any machine with the same Go version.
#
#   hack/image/build.sh                      # prints the tar on its last line
#   OUT=/tmp/img PLATFORMS=linux/amd64 hack/image/build.sh
#
# Variables: OUT (default _out/image), PLATFORMS (default "linux/amd64
# linux/arm64"), VERSION, COMMIT, SOURCE_DATE_EPOCH, IMAGE (the reference
# recorded in the layout, default exodns.local/exodns:$VERSION), PKG (the main
# package, default ./cmd/exodns), BIN (its name in the image, default exodns).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

OUT=${OUT:-$ROOT/_out/image}
PLATFORMS=${PLATFORMS:-linux/amd64 linux/arm64}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
COMMIT=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
IMAGE=${IMAGE:-exodns.local/exodns:$VERSION}
PKG=${PKG:-./cmd/exodns}
BIN=${BIN:-exodns}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# The image tool is a module of its own (see hack/image/main.go).
go build -C hack/image -trimpath -o "$OUT/.tools/mkimage" .

args=()
for plat in $PLATFORMS; do
  os=${plat%%/*}; arch=${plat#*/}; arch=${arch%%/*}
  bin="$OUT/bin/${os}_${arch}/$BIN"
  echo ">> $BIN for $plat" >&2
  # -buildvcs=false: the version is stamped below, and VCS stamping would
  # make the binary depend on how the checkout was made.
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false \
    -ldflags "-s -w -X main.version=$VERSION -X main.commit=$COMMIT" -o "$bin" "$PKG"
  args+=(-binary "$plat=$bin")
done

TAR="$OUT/$BIN.oci.tar"
digest=$("$OUT/.tools/mkimage" "${args[@]}" -path "/$BIN" -name "$IMAGE" \
  -version "$VERSION" -revision "$COMMIT" -epoch "$SOURCE_DATE_EPOCH" \
  -port 7979/tcp -layout "$OUT/oci" -tar "$TAR")
echo "$IMAGE" > "$OUT/image-name"
echo "$digest" > "$OUT/image-digest"
echo ">> $IMAGE $digest" >&2
echo "$TAR"
