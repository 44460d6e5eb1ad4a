#!/usr/bin/env bash
# Build socat 1.7.4.4 (Debian source socat=1.7.4.4-2) for wasmux as build/socat.wasm, packed into the
# image as /usr/bin/socat by scripts/build-image.mjs.
#
#   wasm/socat/build.sh [-j N] [--force]
#
# Inputs: the Debian source (scripts/fetch-source.sh), our patches (wasm/socat/patches/*.patch, applied in
# name order; none needed so far), the compiler driver wasm/wasmux-cc and the sysroot build/sysroot.
# configure runs in cross mode (its probes compile and link but never run programs). Left out: OpenSSL,
# readline, libwrap, FIPS, TUN, SCTP and VSOCK (no such libraries or kernel features in the sandbox).
# Incremental: nothing is done when the hash of all inputs matches the last successful build.
set -euo pipefail

PKG=socat
VERSION=1.7.4.4-2

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/wasm/socat
# shellcheck source=../stage.sh
source "$ROOT/wasm/stage.sh"
stage_init socat "$@"
OUT=$BUILD/socat.wasm

require_tools clang-19 wasm-ld-19 llvm-ar-19 make

SRC=$(bash "$ROOT/scripts/fetch-source.sh" "$PKG" "$VERSION" | tail -n1)
[ -f "$SRC/configure" ] || die "fetch-source did not produce $SRC"

shopt -s nullglob
PATCHES=("$HERE"/patches/*.patch)
shopt -u nullglob

CONFIGURE_FLAGS=(--build=x86_64-pc-linux-gnu --host=wasm32-unknown-linux-musl
  --disable-openssl --disable-readline --disable-libwrap --disable-fips --disable-tun --disable-sctp
  --disable-vsock)

hash_inputs() {
  {
    echo "$PKG $VERSION ${CONFIGURE_FLAGS[*]}"
    sha256sum "$HERE/build.sh"
    for p in "${PATCHES[@]}"; do sha256sum "$p"; done
    toolchain_inputs
  } | sha256sum | cut -d' ' -f1
}

INPUT_HASH=$(hash_inputs)
skip_if_up_to_date "$INPUT_HASH" "$OUT"

T0=$(date +%s)
log "preparing the source tree"
rm -rf "$WORK"
mkdir -p "$WORK"
cp -a "$SRC" "$WORK/src.tmp"
for p in "${PATCHES[@]}"; do
  log "applying $(basename "$p")"
  patch -d "$WORK/src.tmp" -p1 --no-backup-if-mismatch -s <"$p"
done
mv "$WORK/src.tmp" "$WORK/src"
cd "$WORK/src"

export WASMUX_CC_QUIET=1
log "configure"
# configure's probes link programs it never runs: skip the post-link step (Asyncify) for them.
WASMUX_NO_POSTLINK=1 CC="$CC_DRIVER" AR=llvm-ar-19 RANLIB=llvm-ranlib-19 CFLAGS="-O2" ./configure "${CONFIGURE_FLAGS[@]}" \
  >"$WORK/configure.log" 2>&1 || { tail -n 40 "$WORK/configure.log" >&2; die "configure failed (log: $WORK/configure.log)"; }
log "make -j$JOBS"
make -j"$JOBS" AR="llvm-ar-19" RANLIB="llvm-ranlib-19" socat >"$WORK/make.log" 2>&1 || {
  tail -n 60 "$WORK/make.log" >&2
  die "make failed (full log: $WORK/make.log)"
}

check_postlinked socat socat

cp socat "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "$INPUT_HASH" >"$WORK/.inputs"
log "built $OUT ($(stat -c %s "$OUT") bytes) in $(( $(date +%s) - T0 )) s"
