#!/usr/bin/env bash
# Installs dynalite, an implementation of the DynamoDB API on LevelDB, from
# the npm registry into the cache, once. The DynamoDB registry's tests
# (test/aws2) start it on loopback. Prints the module folder as its last
# line; tests find it there, or through EXODNS_DYNALITE.
set -euo pipefail

VERSION=${DYNALITE_VERSION:-4.0.0}
CACHE=${EXODNS_CACHE:-$HOME/.cache/exodns}
DIR="$CACHE/dynalite-$VERSION"
MOD="$DIR/node_modules/dynalite"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  # Debian's node is new enough (dynalite 4 needs node 20).
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

if [ ! -f "$MOD/package.json" ] || ! grep -q "\"version\": \"$VERSION\"" "$MOD/package.json"; then
  mkdir -p "$DIR"
  echo "installing dynalite $VERSION into $DIR" >&2
  npm install --prefix "$DIR" --no-audit --no-fund --no-save --loglevel=error "dynalite@$VERSION" >&2
fi

# It must load (its LevelDB binding ships prebuilt for this platform).
node -e 'require(process.argv[1])' "$MOD"
echo "$MOD"
