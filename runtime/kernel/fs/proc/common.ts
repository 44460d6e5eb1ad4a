// Shared pieces of procfs (fs/proc/internal.h): the filesystem context every node is built with, the
// access check for another process's private files (ptrace_may_access in PTRACE_MODE_READ), and the
// constructors for generated text files.
import { EACCES, ENOENT } from '../../../abi/errno.js';
import { raise } from '../../errors.js';
import type { Kernel } from '../../kernel.js';
import { TaskState, type Task } from '../../proc/task.js';
import type { SuperBlock } from '../inode.js';
import { SyntheticFile } from '../synthetic.js';

export interface ProcFs {
  k: Kernel;
  sb: SuperBlock;
}

export const HZ = 100;
export const PAGE = 4096;
/** Milliseconds to clock ticks (USER_HZ = 100, as sysconf(_SC_CLK_TCK) and AT_CLKTCK say). */
export const ticks = (ms: number): number => Math.floor(ms / (1000 / HZ));

const enc = new TextEncoder();

/** A read-only file whose text is generated for the reading task when it is opened. */
export function textFile(fs: ProcFs, mode: number, gen: (reader: Task) => string): SyntheticFile {
  return new SyntheticFile(fs.sb, mode, (t) => enc.encode(gen(t)));
}

/** A file of raw bytes (cmdline, environ: NUL-separated strings). */
export function bytesFile(fs: ProcFs, mode: number, gen: (reader: Task) => Uint8Array): SyntheticFile {
  return new SyntheticFile(fs.sb, mode, gen);
}

/**
 * May `reader` see the private state (fds, cwd, exe, environ) of `target`? Root may, and so may a task
 * of the same user; a null reader (the host) may.
 */
export function mayInspect(reader: Task | null, target: Task): void {
  if (!reader || reader === target) return;
  const c = reader.cred;
  if (c.euid === 0) return;
  const o = target.cred;
  if (c.uid === o.uid && c.uid === o.euid && c.uid === o.suid) return;
  raise(EACCES);
}

/** Links into a process's filesystem state fail with ENOENT once it is a zombie (exit_fs/exit_mm ran). */
export function requireAlive(t: Task): void {
  if (t.state === TaskState.Zombie) raise(ENOENT);
}

/** An `unsigned long` of the wasm32 ABI (RLIM_INFINITY prints as 4294967295 in /proc/<pid>/stat). */
export function ulong(v: bigint): string { return String(v > 0xffffffffn ? 0xffffffffn : v); }

export function hex16(v: bigint): string { return (v & 0xffffffffffffffffn).toString(16).padStart(16, '0'); }
