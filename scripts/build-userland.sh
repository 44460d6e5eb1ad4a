#!/usr/bin/env bash
# `npm run build:image`: the musl sysroot, busybox.wasm, socat.wasm, fsd.wasm (the file service) and the
# root filesystem image build/rootfs.img.
# Each stage is cached by the hash of its inputs.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
start=$(date +%s.%N)
bash wasm/musl/build.sh
bash wasm/busybox/build.sh
bash wasm/socat/build.sh
bash wasm/fsd/build.sh
node scripts/build-image.mjs "$@"
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "wasmux: userland ready in %.1f s (build/rootfs.img)\n", b - a }' >&2
