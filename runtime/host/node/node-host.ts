// The Node host: creates a kernel for one sandbox from an image file and connects host byte streams to a
// process's stdio. Why setImmediate for `defer`: the scheduler must give the event loop a turn between
// batches (stdin data and timers arrive there), and setImmediate runs after I/O without setTimeout's
// 1 ms clamp.
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { webcrypto } from 'node:crypto';
import { Kernel, type KernelOptions, type SpawnOptions } from '../../kernel/kernel.js';
import { HostInput, HostOutput } from '../../kernel/drivers/hoststream.js';
import type { Task } from '../../kernel/proc/task.js';
import { SnapshotError } from '../../kernel/fs/snapshot.js';

/** The project root: the nearest directory above this module holding package.json (works from the TS
 * sources, from dist/ and from the single-file bundle dist/wasmux.mjs alike). */
function findRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(resolve(d, 'package.json'))) return d;
    const up = dirname(d);
    if (up === d) return process.cwd();
    d = up;
  }
}
export const ROOT = findRoot();
export const DEFAULT_IMAGE = resolve(ROOT, 'build/rootfs.img');

export class ImageError extends Error {
  readonly code = 'WASMUX_ERR_IMAGE';
}

export function loadImage(path = DEFAULT_IMAGE): Uint8Array {
  let buf: Buffer;
  try { buf = readFileSync(path); } catch (e) {
    throw new ImageError(`cannot read image ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` +
      (path === DEFAULT_IMAGE ? ' (build it with: npm run build:image)' : ''));
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function createKernel(opts: Omit<KernelOptions, 'host'> & { host?: KernelOptions['host'] }): Kernel {
  try {
    return new Kernel({
      ...opts,
      host: {
        defer: (fn) => { setImmediate(fn); },
        setTimer: (fn, ms) => setTimeout(fn, ms),
        clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
        now: () => performance.now(),
        wallclock: () => Date.now(),
        random: (b) => { for (let i = 0; i < b.length; i += 65536) webcrypto.getRandomValues(b.subarray(i, i + 65536)); },
        log: (m) => { process.stderr.write(`${m}\n`); },
        ...opts.host,
      },
    });
  } catch (e) {
    // A bad snapshot is not a bad image: its SnapshotError (and stable code) passes through.
    if (e instanceof Error && !(e instanceof ImageError) && !(e instanceof SnapshotError)) throw new ImageError(`bad image: ${e.message}`);
    throw e;
  }
}

export interface RunResult { status: number; stdout: string; stderr: string; exitCode: number; }

/** Exit code as a shell reports it: the exit status, or 128 + the signal number. */
export function exitCodeOf(status: number): number {
  const sig = status & 0x7f;
  return sig === 0 ? (status >> 8) & 0xff : 128 + sig;
}

/**
 * Run one program to completion with captured output (tests, scripts). Input is given whole.
 */
export async function runCaptured(kernel: Kernel, o: Omit<SpawnOptions, 'stdio'> & { input?: string | Uint8Array }): Promise<RunResult> {
  const stdin = new HostInput();
  const out: Uint8Array[] = [], err: Uint8Array[] = [];
  const stdout = new HostOutput((d) => { out.push(d); return true; });
  const stderr = new HostOutput((d) => { err.push(d); return true; });
  if (o.input !== undefined) stdin.push(typeof o.input === 'string' ? new TextEncoder().encode(o.input) : o.input);
  stdin.end();
  const t: Task = kernel.spawn({ ...o, stdio: [stdin, stdout, stderr] });
  const status = await kernel.waitExit(t);
  const dec = (parts: Uint8Array[]): string => Buffer.concat(parts).toString('utf8');
  return { status, exitCode: exitCodeOf(status), stdout: dec(out), stderr: dec(err) };
}

/**
 * Copy the host directory tree `hostDir` into the sandbox as `path` (created; its parent must exist):
 * directories, regular files with their permission bits, and symlinks. Everything is owned by root and
 * lands in the writable tmpfs layer. Other file types are skipped.
 */
export function copyTreeIn(kernel: Kernel, hostDir: string, path: string): void {
  kernel.vfs.mkdir(path, lstatSync(hostDir).mode & 0o7777);
  for (const name of readdirSync(hostDir)) {
    const from = join(hostDir, name), to = `${path}/${name}`;
    const st = lstatSync(from);
    if (st.isDirectory()) copyTreeIn(kernel, from, to);
    else if (st.isSymbolicLink()) kernel.vfs.symlink(readlinkSync(from), to);
    else if (st.isFile()) kernel.vfs.writeFile(to, new Uint8Array(readFileSync(from)), st.mode & 0o7777);
  }
}

/** Connect a process's stdio to this Node process's stdin/stdout/stderr. */
export function nodeStdio(): { stdio: [HostInput, HostOutput, HostOutput]; close(): void } {
  const stdin = new HostInput();
  let reading = false;
  const onData = (d: Buffer): void => { stdin.push(new Uint8Array(d)); };
  const onEnd = (): void => { stdin.end(); };
  stdin.onDemand = () => {
    if (reading) return;
    reading = true;
    process.stdin.on('data', onData);
    process.stdin.on('end', onEnd);
  };
  const mkOut = (s: NodeJS.WriteStream): HostOutput => {
    const o: HostOutput = new HostOutput((d) => s.write(d));
    s.on('drain', () => o.drained());
    s.on('error', () => o.close());
    return o;
  };
  return {
    stdio: [stdin, mkOut(process.stdout), mkOut(process.stderr)],
    close(): void {
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      process.stdin.pause();
      process.stdin.unref?.();
    },
  };
}
