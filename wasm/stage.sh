# Helpers shared by the userland build stages (wasm/busybox, wasm/socat, wasm/fsd build.sh), sourced once
# ROOT is set. A stage is skipped when the hash of its inputs matches the one recorded by its last
# successful build.
#
#   source "$ROOT/wasm/stage.sh"; stage_init NAME "$@"   # BUILD, WORK, CC_DRIVER, SYSROOT, JOBS, FORCE, log, die
#   require_tools TOOL...                                # and the compiler driver and the sysroot
#   INPUT_HASH=$(hash_inputs); skip_if_up_to_date OUT "$INPUT_HASH"

# stage_init NAME [ARGS...]: the stage's variables, and its arguments [-j N] [--force].
stage_init() {
  STAGE=$1
  shift
  BUILD=$ROOT/build
  WORK=$BUILD/$STAGE
  CC_DRIVER=${WASMUX_CC:-$ROOT/wasm/wasmux-cc}
  SYSROOT=${SYSROOT:-$BUILD/sysroot}
  JOBS=$(nproc 2>/dev/null || echo 2)
  FORCE=0
  while [ $# -gt 0 ]; do
    case $1 in
      -j) JOBS=$2; shift 2 ;;
      -j*) JOBS=${1#-j}; shift ;;
      --force) FORCE=1; shift ;;
      *) echo "usage: wasm/$STAGE/build.sh [-j N] [--force]" >&2; exit 2 ;;
    esac
  done
}

log() { echo "$STAGE: $*" >&2; }
die() { echo "$STAGE: error: $*" >&2; exit 1; }

# require_tools TOOL...: the tools are on PATH, and the compiler driver and the sysroot exist.
require_tools() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || die "missing tool $t (sudo bash scripts/setup-toolchain.sh)"
  done
  [ -x "$CC_DRIVER" ] || die "compiler driver $CC_DRIVER not found (built by the musl port)"
  [ -f "$SYSROOT/lib/libc.a" ] || die "sysroot $SYSROOT/lib/libc.a not found (build the musl port first)"
}

# What every stage's output depends on besides its own sources: the sysroot, the compiler driver, the
# post-link step and the versions of binaryen and clang (printed, to be hashed with the stage's own inputs).
toolchain_inputs() {
  if [ -f "$SYSROOT/.stamp" ]; then sha256sum "$SYSROOT/.stamp"; fi
  find "$SYSROOT" -type f \( -name '*.a' -o -name '*.o' \) -print0 | sort -z | xargs -0 sha256sum
  find "$SYSROOT/include" -type f -print0 2>/dev/null | sort -z | xargs -0 cat | sha256sum
  sha256sum "$CC_DRIVER" "$ROOT/scripts/postlink.mjs"
  node -e "console.log('binaryen', require('$ROOT/node_modules/binaryen/package.json').version)"
  clang-19 --version | head -n1
}

# skip_if_up_to_date HASH OUT...: every OUT exists and was built from inputs hashing to HASH (and no
# --force): say so and end the stage.
skip_if_up_to_date() {
  local hash=$1 f
  shift
  [ "$FORCE" = 0 ] && [ -f "$WORK/.inputs" ] && [ "$(cat "$WORK/.inputs")" = "$hash" ] || return 0
  for f in "$@"; do [ -f "$f" ] || return 0; done
  log "up to date ($1)"
  exit 0
}

# check_postlinked NAME FILE [EXPORT...]: the driver ran the post-link step (fuel, Asyncify) on FILE.
check_postlinked() {
  local name=$1 file=$2
  shift 2
  node -e '
const [name, file, ...want] = process.argv.slice(1);
const e = WebAssembly.Module.exports(new WebAssembly.Module(require("fs").readFileSync(file))).map((x) => x.name);
for (const n of ["_start", "wasmux_fuel", "asyncify_start_unwind", ...want])
  if (!e.includes(n)) { console.error(`${name}: ${file} lacks export ${n} (post-link not run?)`); process.exit(1); }
' "$name" "$file" "$@"
}
