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
# shellcheck source=../stage.sh
source "$ROOT/wasm/stage.sh"
stage_init fsd "$@"
OUT=$BUILD/fsd.wasm
CFLAGS=(-Os -Wall -Wextra -Werror)

require_tools clang-19 wasm-ld-19

SOURCES=("$HERE"/*.c)

hash_inputs() {
  {
    echo "fsd ${CFLAGS[*]}"
    sha256sum "$HERE/build.sh" "$HERE"/*.c "$HERE"/*.h
    toolchain_inputs
  } | sha256sum | cut -d' ' -f1
}

INPUT_HASH=$(hash_inputs)
skip_if_up_to_date "$INPUT_HASH" "$OUT"

T0=$(date +%s)
rm -rf "$WORK"
mkdir -p "$WORK"
WASMUX_CC_QUIET=1 "$CC_DRIVER" "${CFLAGS[@]}" "${SOURCES[@]}" -o "$WORK/fsd.wasm" 2>"$WORK/build.log" || {
  cat "$WORK/build.log" >&2
  die "compile failed"
}

check_postlinked fsd "$WORK/fsd.wasm"

cp "$WORK/fsd.wasm" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "$INPUT_HASH" >"$WORK/.inputs"
log "built $OUT ($(stat -c %s "$OUT") bytes) in $(( $(date +%s) - T0 )) s"
