#!/usr/bin/env bash
# Fetch a pinned Debian source package into build/src/<pkg>-<upstream-version>/.
#   scripts/fetch-source.sh PKG VERSION        e.g. musl 1.2.3-1, busybox 1:1.35.0-4+deb12u1
# Downloads with `apt-get source --download-only` into build/src/cache/<pkg>_<version>/,
# checks the sha256 of every file listed in the .dsc Checksums-Sha256, and unpacks with
# dpkg-source -x (Debian patches applied). Idempotent: a stamp file records success.
# Prints the unpacked directory on stdout (last line).
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 PKG VERSION" >&2
  exit 2
fi
PKG=$1
VER=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC=$ROOT/build/src
# file names drop the epoch
FVER=${VER#*:}
UPVER=${FVER%-*}
DEST=$SRC/$PKG-$UPVER
STAMP=$SRC/.$PKG-$FVER.stamp
CACHE=$SRC/cache/${PKG}_$FVER

if [ -f "$STAMP" ] && [ -d "$DEST" ]; then
  echo "$DEST"
  exit 0
fi

mkdir -p "$CACHE"
DSC=$CACHE/${PKG}_$FVER.dsc

verify() {
  # Checksums-Sha256 block: lines " <sha256> <size> <file>" until the next field
  local ok=1 n=0
  while read -r sum size file; do
    n=$((n + 1))
    if [ ! -f "$CACHE/$file" ]; then ok=0; echo "fetch-source: missing $file" >&2; continue; fi
    got=$(sha256sum "$CACHE/$file" | cut -d' ' -f1)
    if [ "$got" != "$sum" ]; then ok=0; echo "fetch-source: sha256 mismatch for $file" >&2; fi
  done < <(awk '/^Checksums-Sha256:/{f=1;next} /^[^ ]/{f=0} f&&NF==3{print}' "$DSC")
  [ $ok = 1 ] && [ $n -gt 0 ]
}

if [ ! -f "$DSC" ] || ! verify 2>/dev/null; then
  cmd=(apt-get source --download-only "$PKG=$VER")
  if [ "$(id -u)" != 0 ]; then
    echo "fetch-source: not root; run as root:" >&2
    echo "  (cd '$CACHE' && ${cmd[*]})" >&2
    echo "  (deb-src entries: sudo bash scripts/setup-toolchain.sh)" >&2
    exit 1
  fi
  bash "$ROOT/scripts/setup-toolchain.sh"
  if ! (cd "$CACHE" && "${cmd[@]}" >&2); then
    # the deb-src index may be stale
    apt-get update -qq >&2
    (cd "$CACHE" && "${cmd[@]}" >&2)
  fi
  verify || { echo "fetch-source: checksum verification failed for $PKG=$VER" >&2; exit 1; }
fi

rm -rf "$DEST" "$DEST.tmp"
# --no-check: the .dsc signature is not checked here (we have no keyring for it);
# integrity comes from the sha256 list checked above against the apt-verified index.
dpkg-source --no-check -x "$DSC" "$DEST.tmp" >&2
mv "$DEST.tmp" "$DEST"
touch "$STAMP"
echo "$DEST"
