// The C syscall conformance suite (after gVisor's syscall tests): every tests/c/*.c is built natively and
// for wasmux, must exit 0 on this Linux host and in a fresh wasmux kernel, and must print the same stdout
// in both. A program that passes natively and fails in wasmux is a wasmux bug, never a reason to weaken
// the program. The kernel must also record no bugs (exceptions escaping a syscall handler).
// WASMUX_CTEST_TRACE=1 logs every syscall of the wasm run to stderr; WASMUX_CTEST=name[,name] runs only those
// programs; CHECK_KEEP_GOING=1 makes the programs report every failed check instead of stopping at the first.
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKernel, runCaptured } from '../runtime/host/node/node-host.js';
import { build, runNative, CDIR, ROOT } from './helpers/cprog.js';

const ENV = ['PATH=/bin:/usr/bin:/sbin:/usr/sbin', 'HOME=/root', 'LC_ALL=C',
  ...(process.env.CHECK_KEEP_GOING ? ['CHECK_KEEP_GOING=1'] : [])];
const WASM_TIMEOUT_MS = 90_000;
const IMAGE_PATH = join(ROOT, 'build/rootfs.img');
const hasRootfs = existsSync(IMAGE_PATH);

/** The real root image, or (until busybox is built) a minimal one without /bin/sh. */
async function image(): Promise<Uint8Array> {
  if (hasRootfs) return new Uint8Array(readFileSync(IMAGE_PATH));
  // @ts-expect-error: plain ESM script without type declarations
  const { packImage } = await import('../scripts/build-image.mjs');
  const d = (path: string, mode = 0o755) => ({ type: 'dir', path, mode });
  return packImage([d('/'), d('/tmp', 0o1777), d('/dev'), d('/etc'), d('/root', 0o700), d('/bin'),
    { type: 'file', path: '/etc/passwd', mode: 0o644, data: 'root:x:0:0:root:/root:/bin/sh\n' },
    { type: 'file', path: '/etc/group', mode: 0o644, data: 'root:x:0:\n' }]).bytes;
}

const only = process.env.WASMUX_CTEST;
const programs = readdirSync(CDIR).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2))
  .filter((n) => !only || only.split(',').includes(n)).sort();
/** Programs that exec /bin/sh: they need the real root image. */
const needsShell = (src: string): boolean => /\/bin\/sh/.test(src);

// Start every build now (two compilers at a time); each test awaits its own.
const builds = new Map(programs.map((n) => {
  const src = join(CDIR, `${n}.c`);
  const nat = build(src, 'native'), wasm = build(src, 'wasm');
  nat.catch(() => {}); wasm.catch(() => {});
  return [n, { nat, wasm }] as const;
}));

async function runWasm(bytes: Uint8Array): Promise<{ status: number; exitCode: number; stdout: string; stderr: string;
  bugs: unknown[] }> {
  const kernel = createKernel({ image: await image() });
  if (process.env.WASMUX_CTEST_TRACE) kernel.trace = (l) => process.stderr.write(`${l}\n`);
  kernel.vfs.writeFile('/tmp/t.wasm', bytes, 0o755);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`wasmux run timed out after ${WASM_TIMEOUT_MS} ms`)), WASM_TIMEOUT_MS);
  });
  try {
    const r = await Promise.race([runCaptured(kernel, { argv: ['/tmp/t.wasm'], env: ENV }), timeout]);
    return { ...r, bugs: kernel.bugs.map((b) => `${b.syscall}: ${b.error instanceof Error ? b.error.stack : b.error}`) };
  } finally {
    clearTimeout(timer);
  }
}

describe('C syscall conformance (native Linux, then wasmux)', () => {
  for (const name of programs) {
    const src = readFileSync(join(CDIR, `${name}.c`), 'utf8');
    const noShell = needsShell(src) && !hasRootfs;
    it(name, async (ctx) => {
      const b = builds.get(name)!;
      const native = await runNative(await b.nat, ENV);
      expect(native.stderr, 'native stderr').toBe('');
      expect({ code: native.code, signal: native.signal }, `native run failed:\n${native.stdout}`)
        .toEqual({ code: 0, signal: null });
      // Without build/rootfs.img (busybox not built yet) there is no /bin/sh in the sandbox.
      if (noShell) ctx.skip();
      const wasmPath = await b.wasm;
      const w = await runWasm(new Uint8Array(readFileSync(wasmPath)));
      const what = `wasmux run of ${name}: stderr:\n${w.stderr}\nstdout:\n${w.stdout}`;
      expect(w.bugs, what).toEqual([]);
      expect(w.exitCode, what).toBe(0);
      expect(w.stdout, what).toBe(native.stdout);
    });
  }
});
