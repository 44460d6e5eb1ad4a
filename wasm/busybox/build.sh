#!/usr/bin/env bash
# Build BusyBox 1.35 (Debian source busybox=1:1.35.0-4+deb12u1) as one multicall build/busybox.wasm,
# plus build/busybox.applets ("<applet> <install dir>" per line) for the image packer.
#
#   wasm/busybox/build.sh [-j N] [--force]
#
# Inputs: the Debian source (scripts/fetch-source.sh), our config fragment (wasm/busybox/config, applied
# on top of `make defconfig`), our patches (wasm/busybox/patches/*.patch, applied in name order), the
# compiler driver wasm/wasmux-cc and the sysroot build/sysroot. The link goes through the driver, which
# runs scripts/postlink.mjs (preemption fuel, wasmux_g* exports, Asyncify).
# Incremental: nothing is done when the hash of all inputs matches the last successful build.
# Environment: WASMUX_CC (default wasm/wasmux-cc), SYSROOT (default build/sysroot).
set -euo pipefail

BB_PKG=busybox
BB_VERSION=1:1.35.0-4+deb12u1

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/wasm/busybox
# shellcheck source=../stage.sh
source "$ROOT/wasm/stage.sh"
stage_init busybox "$@"
OUT_WASM=$BUILD/busybox.wasm
OUT_APPLETS=$BUILD/busybox.applets

# LLVM tools for the kbuild steps that do not go through the driver (ld -r of built-in.o, archives, nm).
# kbuild runs "$(LD) -nostdlib -r": clang drives wasm-ld for that.
LD=${LD_WASM:-clang-19 --target=wasm32-unknown-unknown -fuse-ld=lld}
AR=${AR_WASM:-llvm-ar-19}
NM=${NM_WASM:-llvm-nm-19}
require_tools clang-19 wasm-ld-19 "$AR" "$NM" make gcc

SRC=$(bash "$ROOT/scripts/fetch-source.sh" "$BB_PKG" "$BB_VERSION" | tail -n1)
[ -f "$SRC/Makefile" ] || die "fetch-source did not produce $SRC"

shopt -s nullglob
PATCHES=("$HERE"/patches/*.patch)
shopt -u nullglob

# ---- input hash ----
hash_inputs() {
  {
    echo "busybox $BB_VERSION"
    sha256sum "$HERE/build.sh" "$HERE/config"
    for p in "${PATCHES[@]}"; do sha256sum "$p"; done
    # the sysroot: its stamp when it has one, else the libraries and headers themselves
    toolchain_inputs
    wasm-ld-19 --version
  } | sha256sum | cut -d' ' -f1
}
# the tree only depends on the source and the patches
hash_tree() {
  { echo "busybox $BB_VERSION"; for p in "${PATCHES[@]}"; do sha256sum "$p"; done; } \
    | sha256sum | cut -d' ' -f1
}

INPUT_HASH=$(hash_inputs)
skip_if_up_to_date "$INPUT_HASH" "$OUT_WASM" "$OUT_APPLETS"

T0=$(date +%s)
TREE=$WORK/src
TREE_HASH=$(hash_tree)
if [ ! -f "$WORK/.tree" ] || [ "$(cat "$WORK/.tree")" != "$TREE_HASH" ] || [ ! -d "$TREE" ]; then
  log "preparing the source tree"
  rm -rf "$WORK"
  mkdir -p "$WORK"
  cp -a "$SRC" "$TREE.tmp"
  for p in "${PATCHES[@]}"; do
    log "applying $(basename "$p")"
    patch -d "$TREE.tmp" -p1 --no-backup-if-mismatch -s <"$p"
  done
  mv "$TREE.tmp" "$TREE"
  echo "$TREE_HASH" >"$WORK/.tree"
fi
rm -f "$WORK/.inputs"

MAKEVARS=(
  ARCH=wasm32
  CROSS_COMPILE=
  # wasm32-unknown-unknown does not define __linux__, but the ABI is Linux's: busybox keys the Linux
  # parts on it (.platform.in -> PLATFORM_LINUX: free, uptime, ps details, stty, prctl...).
  CC="$CC_DRIVER -D__linux__ -D__linux"
  HOSTCC=gcc
  LD="$LD"
  AR="$AR"
  NM="$NM"
  STRIP=true
  SKIP_STRIP=y
  # One link through the driver instead of scripts/trylink (which links up to a dozen times to probe
  # linker options and drop libraries; every link runs the post-link step). musl has everything in libc.
  # main() lives in libbb/lib.a and crt1 refers to it weakly (which pulls nothing from an archive): -u.
  "cmd_busybox__=\$(CC) \$(CFLAGS) \$(CFLAGS_busybox) \$(EXTRA_LDFLAGS) -Wl,-u,__main_argc_argv -o \$@ \$(core-y) \$(libs-y) && \$(srctree)/scripts/generate_BUFSIZ.sh --post include/common_bufsiz.h"
  LDLIBS=
)

# ---- configuration: defconfig + our overrides, then oldconfig ----
cd "$TREE"
rm -f .platform.in   # generated once from $(CC) -E; the compiler may have changed
make -s "${MAKEVARS[@]}" defconfig >/dev/null
python3 - "$HERE/config" .config <<'EOF'
import re, sys
frag, cfg = sys.argv[1], sys.argv[2]
want = {}
for line in open(frag):
    line = line.rstrip('\n')
    m = re.match(r'^(CONFIG_\w+)=(.*)$', line) or re.match(r'^# (CONFIG_\w+) is not set$', line)
    if m:
        want[m.group(1)] = line
out = []
for line in open(cfg):
    m = re.match(r'^(CONFIG_\w+)=', line) or re.match(r'^# (CONFIG_\w+) is not set', line)
    if m and m.group(1) in want:
        continue
    out.append(line)
out += [v + '\n' for v in want.values()]
open(cfg, 'w').writelines(out)
EOF
{ yes "" || true; } | make -s "${MAKEVARS[@]}" oldconfig >/dev/null
# Every override must have survived oldconfig (a dependency can silently flip one).
python3 - "$HERE/config" .config <<'EOF'
import re, sys
frag, cfg = sys.argv[1], sys.argv[2]
have = {}
for line in open(cfg):
    line = line.rstrip('\n')
    m = re.match(r'^(CONFIG_\w+)=(.*)$', line)
    if m: have[m.group(1)] = line
    m = re.match(r'^# (CONFIG_\w+) is not set$', line)
    if m: have[m.group(1)] = line
bad = 0
for line in open(frag):
    line = line.rstrip('\n')
    m = re.match(r'^(CONFIG_\w+)=(.*)$', line) or re.match(r'^# (CONFIG_\w+) is not set$', line)
    if not m: continue
    k = m.group(1)
    got = have.get(k, '# %s is not set' % k)
    if got != line:
        print('busybox: config: %s requested, got %s' % (line, got), file=sys.stderr); bad += 1
sys.exit(1 if bad else 0)
EOF

# ---- build ----
log "make -j$JOBS"
T1=$(date +%s)
make -j"$JOBS" "${MAKEVARS[@]}" busybox_unstripped >"$WORK/make.log" 2>&1 || {
  tail -n 60 "$WORK/make.log" >&2
  die "make failed (full log: $WORK/make.log)"
}
make -s "${MAKEVARS[@]}" busybox.links >>"$WORK/make.log" 2>&1 || die "make busybox.links failed"
T2=$(date +%s)

# The driver runs the post-link step; check it really did.
check_postlinked busybox "$TREE/busybox_unstripped" wasmux_g0

# ---- outputs ----
cp "$TREE/busybox_unstripped" "$OUT_WASM.tmp"
mv "$OUT_WASM.tmp" "$OUT_WASM"
# busybox.links: one absolute path per applet -> "<name> <dir>"
sed -n 's@^\(.*\)/\([^/]*\)$@\2 \1@p' "$TREE/busybox.links" | sort -u >"$OUT_APPLETS.tmp"
[ -s "$OUT_APPLETS.tmp" ] || die "empty applet list"
mv "$OUT_APPLETS.tmp" "$OUT_APPLETS"
cp .config "$WORK/config.full"
echo "$INPUT_HASH" >"$WORK/.inputs"

T3=$(date +%s)
log "built $OUT_WASM ($(stat -c %s "$OUT_WASM") bytes, $(wc -l <"$OUT_APPLETS") applets); make $((T2 - T1)) s, total $((T3 - T0)) s"
