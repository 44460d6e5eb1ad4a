// Build and run the C conformance programs (tests/c/*.c) natively and in wasmux. Builds are cached by
// content hash under build/tests/ (a wasm build takes ~4 s: clang + wasm-ld + post-link with Asyncify).
// The wasm key covers the source, check.h, the driver, the post-link script and the sysroot's libc.a, so
// a rebuilt musl or post-link change invalidates it; the native key covers the source and check.h.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const pexec = promisify(execFile);
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CDIR = join(ROOT, 'tests/c');
const OUT = join(ROOT, 'build/tests');

function fileHash(h: ReturnType<typeof createHash>, p: string): void {
  h.update(p).update('\0');
  if (existsSync(p)) h.update(readFileSync(p));
  h.update('\0');
}

function key(src: string, kind: 'native' | 'wasm'): string {
  const h = createHash('sha256');
  h.update(kind);
  fileHash(h, src);
  fileHash(h, join(CDIR, 'check.h'));
  if (kind === 'wasm') {
    fileHash(h, join(ROOT, 'wasm/wasmux-cc'));
    fileHash(h, join(ROOT, 'scripts/postlink.mjs'));
    const libc = join(ROOT, 'build/sysroot/lib/libc.a');
    if (existsSync(libc)) { const st = statSync(libc); h.update(`${st.size}:${st.mtimeMs}`); }
  }
  return h.digest('hex').slice(0, 16);
}

/** Limit concurrent compiler runs (the machine may have two cores and other builds running). */
let running = 0;
const queue: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => queue.push(r));
  running++;
  try { return await fn(); } finally { running--; queue.shift()?.(); }
}

const inflight = new Map<string, Promise<string>>();

/** Path of the built program (native executable or .wasm), building it if the cache has no copy. */
export function build(src: string, kind: 'native' | 'wasm'): Promise<string> {
  const name = basename(src, '.c');
  const out = join(OUT, `${name}-${key(src, kind)}${kind === 'wasm' ? '.wasm' : ''}`);
  const existing = inflight.get(out);
  if (existing) return existing;
  const p = (async () => {
    if (existsSync(out)) return out;
    mkdirSync(OUT, { recursive: true });
    const tmp = `${out}.tmp${process.pid}`;
    const cc = kind === 'wasm' ? join(ROOT, 'wasm/wasmux-cc') : 'cc';
    const args = ['-O1', '-Wall', '-I', CDIR, src, '-o', tmp];
    await slot(async () => {
      try {
        await pexec(cc, args, { env: { ...process.env, WASMUX_CC_QUIET: '1' }, maxBuffer: 1 << 24 });
      } catch (e) {
        const x = e as { stderr?: string; message: string };
        throw new Error(`${kind} build of ${name} failed: ${x.stderr ?? x.message}`);
      }
    });
    renameSync(tmp, out);
    return out;
  })();
  inflight.set(out, p);
  return p;
}

export interface NativeResult { code: number | null; signal: string | null; stdout: string; stderr: string; }

/** Run a native test program with a fixed environment, killing it after `timeoutMs`. */
export function runNative(exe: string, env: string[], timeoutMs = 60_000): Promise<NativeResult> {
  return new Promise((res, rej) => {
    const envObj: Record<string, string> = {};
    for (const kv of env) { const i = kv.indexOf('='); envObj[kv.slice(0, i)] = kv.slice(i + 1); }
    const p = spawn(exe, [], { env: envObj, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', rej);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}
