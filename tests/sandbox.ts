// Shared helpers for behaviour tests: a fresh sandbox on the real root image, and native busybox to
// compare with (Debian's busybox-static, the same 1.35 version, installed by scripts/setup-toolchain.sh).
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createKernel, runCaptured, type RunResult } from '../runtime/host/node/node-host.js';
import type { Kernel, KernelOptions } from '../runtime/kernel/kernel.js';
import type { Task } from '../runtime/kernel/proc/task.js';
import { HostInput, HostOutput } from '../runtime/kernel/drivers/hoststream.js';
import { afterEach, expect } from 'vitest';

export const IMAGE_PATH = new URL('../build/rootfs.img', import.meta.url);
let image: Uint8Array | null = null;

export function rootImage(): Uint8Array {
  if (!image) {
    if (!existsSync(IMAGE_PATH)) throw new Error('build/rootfs.img missing: run `npm run build:image`');
    image = new Uint8Array(readFileSync(IMAGE_PATH));
  }
  return image;
}

export function sandbox(opts: Partial<KernelOptions> = {}): Kernel {
  return createKernel({ image: rootImage(), ...opts });
}

export const ENV = ['PATH=/usr/bin:/bin:/usr/sbin:/sbin', 'HOME=/root', 'LANG=C', 'TERM=dumb'];

/** Run `sh -c script` in a fresh sandbox (or the given one). */
export async function sh(script: string, o: { kernel?: Kernel; input?: string | Uint8Array; cwd?: string } = {}): Promise<RunResult & { kernel: Kernel }> {
  const kernel = o.kernel ?? sandbox();
  const r = await runCaptured(kernel, { argv: ['sh', '-c', script], env: ENV, cwd: o.cwd ?? '/root', input: o.input });
  return { ...r, kernel };
}

export const NATIVE_BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p)) ?? null;

/** The same script under Debian's native busybox sh (in a temp dir), for output comparison. */
const NATIVE_BIN = '/tmp/wasmux-native-bb';

export function nativeSh(script: string, input?: string): { stdout: string; stderr: string; exitCode: number } {
  if (!NATIVE_BUSYBOX) throw new Error('native busybox missing: run scripts/setup-toolchain.sh');
  if (!existsSync(`${NATIVE_BIN}/sh`)) {
    // Every applet as a link to native busybox, first in PATH: the comparison is busybox against busybox.
    spawnSync('mkdir', ['-p', NATIVE_BIN]);
    spawnSync(NATIVE_BUSYBOX, ['--install', '-s', NATIVE_BIN]);
  }
  const r = spawnSync(NATIVE_BUSYBOX, ['sh', '-c', script], {
    input: input ?? '', encoding: 'utf8', env: { PATH: `${NATIVE_BIN}:${process.env['PATH']}`, LANG: 'C', HOME: '/tmp' },
    cwd: '/tmp', maxBuffer: 256 * 1024 * 1024,
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? 128 + 9 };
}

/** Start a long-running program in a sandbox (stdin at EOF); its stdout and stderr are collected. */
export function startProcess(k: Kernel, argv: string[], env = ENV): { task: Task; out: () => string } {
  const chunks: Uint8Array[] = [];
  const stdin = new HostInput();
  stdin.end();
  const o = new HostOutput((d) => { chunks.push(d.slice()); return true; });
  const task = k.spawn({ argv, env, cwd: '/', stdio: [stdin, o, o.get()] });
  return { task, out: () => Buffer.concat(chunks).toString() };
}

export function sha256(b: Uint8Array | string): string { return createHash('sha256').update(b).digest('hex'); }

/**
 * For a test file: `run(script)` runs `sh -c script` in a fresh sandbox, and after each test every sandbox
 * handed to `track` (run's included) must have logged no kernel bug (an exception escaping a syscall
 * handler), whatever the script printed.
 */
export function bugCheckedRunner(): { run: (script: string, input?: string) => ReturnType<typeof sh>; track: (k: Kernel) => void } {
  let tracked: Kernel[] = [];
  afterEach(() => {
    const bugs = tracked.flatMap((k) => k.bugs.map((b) => `${b.syscall}: ${String(b.error)}`));
    tracked = [];
    expect(bugs).toEqual([]);
  });
  return {
    run: async (script, input) => { const r = await sh(script, { input }); tracked.push(r.kernel); return r; },
    track: (k) => { tracked.push(k); },
  };
}
