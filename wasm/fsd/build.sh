#!/usr/bin/env bash
# Build fsd, the wasmux file service (ours: wasm/fsd/*.c), as build/fsd.wasm, packed into the image as
# /usr/libexec/wasmux/fsd by scripts/build-image.mjs. Protocol: docs/design/fs-protocol.md.
#
#   wasm/fsd/build.sh [--force]
#
# Inputs: wasm/fsd/*.c and *.h, this script, the compiler driver wasm/wasmux-cc (which runs
# scripts/postlink.mjs) and the sysroot build/sysroot. Incremental: nothing is done when the hash of all
# inputs matches the last successful build. tests/fsd.test.ts builds the same sources natively.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/wasm/fsd
BUILD=$ROOT/build
WORK=$BUILD/fsd
CC_DRIVER=${WASMUX_CC:-$ROOT/wasm/wasmux-cc}
SYSROOT=${SYSROOT:-$BUILD/sysroot}
OUT=$BUILD/fsd.wasm
CFLAGS=(-Os -Wall -Wextra -Werror)
FORCE=0

while [ $# -gt 0 ]; do
  case $1 in
    --force) FORCE=1; shift ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done

log() { echo "fsd: $*" >&2; }
die() { echo "fsd: error: $*" >&2; exit 1; }

for t in clang-19 wasm-ld-19; do
  command -v "$t" >/dev/null || die "missing tool $t (sudo bash scripts/setup-toolchain.sh)"
done
[ -x "$CC_DRIVER" ] || die "compiler driver $CC_DRIVER not found"
[ -f "$SYSROOT/lib/libc.a" ] || die "sysroot $SYSROOT/lib/libc.a not found (build the musl port first)"

SOURCES=("$HERE"/*.c)

hash_inputs() {
  {
    echo "fsd ${CFLAGS[*]}"
    sha256sum "$HERE/build.sh" "$HERE"/*.c "$HERE"/*.h
    if [ -f "$SYSROOT/.stamp" ]; then sha256sum "$SYSROOT/.stamp"; fi
    find "$SYSROOT" -type f \( -name '*.a' -o -name '*.o' \) -print0 | sort -z | xargs -0 sha256sum
    find "$SYSROOT/include" -type f -print0 2>/dev/null | sort -z | xargs -0 cat | sha256sum
    sha256sum "$CC_DRIVER" "$ROOT/scripts/postlink.mjs"
    node -e "console.log('binaryen', require('$ROOT/node_modules/binaryen/package.json').version)"
    clang-19 --version | head -n1
  } | sha256sum | cut -d' ' -f1
}

INPUT_HASH=$(hash_inputs)
if [ $FORCE = 0 ] && [ -f "$OUT" ] && [ -f "$WORK/.inputs" ] && [ "$(cat "$WORK/.inputs")" = "$INPUT_HASH" ]; then
  log "up to date ($OUT)"
  exit 0
fi

T0=$(date +%s)
rm -rf "$WORK"
mkdir -p "$WORK"
WASMUX_CC_QUIET=1 "$CC_DRIVER" "${CFLAGS[@]}" "${SOURCES[@]}" -o "$WORK/fsd.wasm" 2>"$WORK/build.log" || {
  cat "$WORK/build.log" >&2
  die "compile failed"
}

node -e '
const m = new WebAssembly.Module(require("fs").readFileSync(process.argv[1]));
const e = WebAssembly.Module.exports(m).map((x) => x.name);
for (const n of ["_start", "wasmux_fuel", "asyncify_start_unwind"])
  if (!e.includes(n)) { console.error("fsd: " + process.argv[1] + " lacks export " + n + " (post-link not run?)"); process.exit(1); }
' "$WORK/fsd.wasm"

cp "$WORK/fsd.wasm" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "$INPUT_HASH" >"$WORK/.inputs"
log "built $OUT ($(stat -c %s "$OUT") bytes) in $(( $(date +%s) - T0 )) s"
