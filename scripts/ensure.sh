#!/usr/bin/env bash
# Brings a fresh clone to a runnable state; every step is incremental, so a second run takes seconds:
#   1. Debian packages (clang-19, lld-19, ...) and deb-src entries  (scripts/setup-toolchain.sh, as root)
#   2. npm dependencies                                               (npm ci, when node_modules is missing)
#   3. the userland image: musl sysroot -> busybox.wasm -> rootfs.img (scripts/build-userland.sh)
#   4. the TypeScript build (dist/: the runtime, the CLI bundle, the edge and app server)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

bash scripts/setup-toolchain.sh

if [ ! -d node_modules/typescript ] || [ ! -d node_modules/binaryen ]; then
  echo "wasmux: installing npm dependencies" >&2
  npm ci --no-audit --no-fund >&2
fi

bash scripts/build-userland.sh
node node_modules/typescript/bin/tsc -p tsconfig.json
node node_modules/typescript/bin/tsc -p edge/tsconfig.json
node scripts/bundle-cli.mjs
