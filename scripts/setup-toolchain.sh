#!/usr/bin/env bash
# Installs the Debian packages the userland build and the tests need, and enables
# deb-src entries derived from this machine's own apt configuration (no host name
# is written here: we copy the URIs/Suites of the existing "deb" entries).
# Idempotent: does nothing when everything is already present.
set -euo pipefail

# chromium: the end-to-end tests drive it with playwright-core (npm run test:e2e).
PKGS=(clang-19 lld-19 llvm-19 libclang-rt-19-dev-wasm32 dpkg-dev busybox-static make xz-utils patch wasi-libc time chromium)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SRC_LIST=/etc/apt/sources.list.d/wasmux-src.sources
need_src=0
[ -f "$SRC_LIST" ] || need_src=1

if [ ${#missing[@]} -eq 0 ] && [ $need_src -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "wasmux: missing packages: ${missing[*]:-} (and deb-src entries)." >&2
  echo "Run as root:  sudo bash scripts/setup-toolchain.sh" >&2
  exit 1
fi

if [ $need_src -eq 1 ]; then
  # Derive deb-src stanzas from deb822 files and one-line lists that are active.
  tmp=$(mktemp)
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    [ "$f" = "$SRC_LIST" ] && continue
    awk 'BEGIN{RS="";FS="\n"} /(^|\n)Types:[^\n]*deb/ && !/deb-src/ {
           out=""; for(i=1;i<=NF;i++){ if($i ~ /^Types:/) out=out "Types: deb-src\n"; else if ($i !~ /^#/) out=out $i "\n" }
           print out }' "$f" >>"$tmp"
  done
  if [ -f /etc/apt/sources.list ]; then
    grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' >"$tmp.list" || true
    [ -s "$tmp.list" ] && cp "$tmp.list" /etc/apt/sources.list.d/wasmux-src.list
  fi
  cp "$tmp" "$SRC_LIST"
  rm -f "$tmp" "$tmp.list"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
