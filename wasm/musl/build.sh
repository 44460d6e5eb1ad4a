#!/usr/bin/env bash
# Builds musl for wasmux into build/sysroot/{include,lib/libc.a,lib/crt1.o,
# lib/libclang_rt.builtins-wasm32.a}.
#   wasm/musl/build.sh            incremental (skips when nothing changed)
#   wasm/musl/build.sh --force    rebuild even if the stamp matches
# Inputs: the Debian musl source (scripts/fetch-source.sh), our arch files
# (arch/wasm32), our sources (src/, crt/) and patches (patches/*.patch).
set -euo pipefail

MUSL_VERSION=1.2.3-1
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SYSROOT=$ROOT/build/sysroot
TREE=$ROOT/build/musl-wasm32
CC=${CC_WASM:-clang-19}
BUILTINS=${WASMUX_BUILTINS:-/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a}
JOBS=${JOBS:-2}

# Must match wasm/wasmux-cc.
TARGET_FLAGS="--target=wasm32-unknown-unknown -mexception-handling -mllvm -wasm-enable-sjlj -mbulk-memory -mmutable-globals -msign-ext -mnontrapping-fptoint"
CFLAGS="$TARGET_FLAGS -O2 -pipe -Qunused-arguments -Werror=implicit-function-declaration -Werror=implicit-int -Werror=int-conversion -Werror=incompatible-pointer-types -Wno-ignored-attributes -Wno-shift-op-parentheses -Wno-string-plus-int -Wno-deprecated-non-prototype"

hash_of() { # files... -> one hash over names and contents
  (cd "$HERE" && for f in "$@"; do echo "$f"; cat "$f"; done) | sha256sum | cut -d' ' -f1
}
cd "$HERE"
ALL_FILES=$(find arch src crt patches build.sh -type f | LC_ALL=C sort)
HDR_FILES=$(find arch patches -type f | LC_ALL=C sort)
CCVER=$("$CC" --version | head -1)
ALL_HASH=$( { echo "$MUSL_VERSION $CCVER $CFLAGS"; sha256sum "$BUILTINS" | cut -d' ' -f1; hash_of $ALL_FILES; } | sha256sum | cut -d' ' -f1)
HDR_HASH=$( { echo "$MUSL_VERSION $CCVER $CFLAGS"; hash_of $HDR_FILES; } | sha256sum | cut -d' ' -f1)

if [ "${1:-}" != --force ] && [ -f "$SYSROOT/.stamp" ] && [ "$(cat "$SYSROOT/.stamp")" = "$ALL_HASH" ] \
   && [ -f "$SYSROOT/lib/libc.a" ] && [ -f "$SYSROOT/lib/crt1.o" ]; then
  echo "musl: up to date ($SYSROOT)"
  exit 0
fi

SRC=$("$ROOT/scripts/fetch-source.sh" musl "$MUSL_VERSION" | tail -1)

# Arch headers or patches changed: start from a fresh tree (musl's Makefile does
# not track header dependencies). Otherwise make recompiles changed sources.
if [ ! -f "$TREE/.hdr-stamp" ] || [ "$(cat "$TREE/.hdr-stamp")" != "$HDR_HASH" ]; then
  echo "musl: preparing $TREE"
  rm -rf "$TREE"
  cp -a "$SRC" "$TREE.tmp"
  for p in "$HERE"/patches/*.patch; do
    [ -f "$p" ] || continue
    patch -d "$TREE.tmp" -p1 --quiet --forward < "$p"
  done
  mkdir -p "$TREE.tmp/arch/wasm32"
  cp -a "$HERE/arch/wasm32/." "$TREE.tmp/arch/wasm32/"
  # SysV IPC structs: the 32-bit time64 layouts of or1k (generic asm ABI)
  for h in ipcstat.h msg.h sem.h shm.h; do
    cp "$TREE.tmp/arch/or1k/bits/$h" "$TREE.tmp/arch/wasm32/bits/$h"
  done
  mv "$TREE.tmp" "$TREE"
  echo "$HDR_HASH" > "$TREE/.hdr-stamp"
fi

# Overlay our sources (new files and arch overrides), keeping their mtimes so
# make only rebuilds what changed; drop files we no longer have.
(cd "$TREE" && find src crt -path '*/wasm32/*' -type f -delete 2>/dev/null; rm -rf src/wasmux)
(cd "$HERE" && find src crt -type f) | while read -r f; do
  mkdir -p "$TREE/$(dirname "$f")"
  cp -p "$HERE/$f" "$TREE/$f"
done

cat > "$TREE/config.mak.new" <<MAK
ARCH = wasm32
SUBARCH =
ASMSUBARCH =
srcdir = .
prefix = $SYSROOT
exec_prefix = $SYSROOT
bindir = $SYSROOT/bin
libdir = $SYSROOT/lib
includedir = $SYSROOT/include
syslibdir = $SYSROOT/lib
CC = $CC
AR = llvm-ar-19
RANLIB = llvm-ranlib-19
CFLAGS = $CFLAGS
CFLAGS_AUTO =
CFLAGS_C99FSE = -std=c99 -nostdinc -ffreestanding
CFLAGS_MEMOPS =
CFLAGS_NOSSP =
CPPFLAGS =
LDFLAGS =
LIBCC =
ALL_TOOLS =
TOOL_LIBS =
SHARED_LIBS =
MALLOC_DIR = mallocng
MAK
cmp -s "$TREE/config.mak.new" "$TREE/config.mak" || mv "$TREE/config.mak.new" "$TREE/config.mak"
rm -f "$TREE/config.mak.new"

echo "musl: compiling (make -j$JOBS)"
make -C "$TREE" -j"$JOBS" -s lib/libc.a lib/crt1.o
# install into a fresh directory, then swap it in
rm -rf "$SYSROOT.tmp"
mkdir -p "$SYSROOT.tmp/lib"
make -C "$TREE" -s install-headers DESTDIR= includedir="$SYSROOT.tmp/include" >/dev/null
cp "$TREE/lib/libc.a" "$SYSROOT.tmp/lib/libc.a"
cp "$TREE/lib/crt1.o" "$SYSROOT.tmp/lib/crt1.o"
cp "$BUILTINS" "$SYSROOT.tmp/lib/libclang_rt.builtins-wasm32.a"
for l in m rt pthread crypt util xnet resolv dl; do
  llvm-ar-19 rc "$SYSROOT.tmp/lib/lib$l.a"
done
rm -rf "$SYSROOT"
mv "$SYSROOT.tmp" "$SYSROOT"
echo "$ALL_HASH" > "$SYSROOT/.stamp"
echo "musl: installed $SYSROOT"
