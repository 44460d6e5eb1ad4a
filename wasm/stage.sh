# Helpers shared by the userland build stages (wasm/busybox, wasm/socat, wasm/fsd build.sh), sourced after
# they set ROOT, SYSROOT, CC_DRIVER, FORCE and define log/die. A stage is skipped when the hash of its inputs
# matches the one recorded by its last successful build.

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

# up_to_date OUT WORK HASH: OUT exists and was built from inputs hashing to HASH (and no --force).
up_to_date() {
  [ "$FORCE" = 0 ] && [ -f "$1" ] && [ -f "$2/.inputs" ] && [ "$(cat "$2/.inputs")" = "$3" ]
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
