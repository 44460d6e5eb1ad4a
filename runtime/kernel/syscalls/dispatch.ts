// The syscall boundary: the three `wasmux` imports of every process (docs/design/process-abi.md). This is
// the one place where raised errnos become -errno and where anything else thrown is recorded as a kernel
// bug (and returned as -EIO) instead of escaping into the process.
import { EAGAIN, EIO, ENOSYS } from '../../abi/errno.js';
import { BLOCK, Errno } from '../errors.js';
import { UNWOUND } from '../proc/sched.js';
import { SYSCALLS } from './table.js';
import type { Kernel } from '../kernel.js';
import type { Task } from '../proc/task.js';

function finish(t: Task): void {
  t.sysState = undefined;
  t.restartCode = -512;
  t.onInterrupt = null;
}

function invoke(k: Kernel, t: Task, n: number, a: number, b: number, c: number, d: number, e: number, f: number,
  canBlock: boolean): number {
  const ent = SYSCALLS[n];
  if (ent === undefined) {
    if (k.trace) k.trace(`[${t.pid}] syscall ${n}(${a}, ${b}, ${c}) = -ENOSYS`);
    return -ENOSYS;
  }
  try {
    const r = ent.handler(t, a, b, c, d, e, f);
    if (t.sysState !== undefined || t.onInterrupt !== null) finish(t);
    if (k.trace) k.trace(`[${t.pid}] ${ent.name}(${a}, ${b}, ${c}, ${d}) = ${r}`);
    return r;
  } catch (err) {
    if (err === BLOCK) {
      if (t.sig.deliverable() !== 0n) {
        t.cancelSleep();
        const r = t.onInterrupt ? t.onInterrupt() : t.restartCode;
        finish(t);
        if (k.trace) k.trace(`[${t.pid}] ${ent.name}(...) interrupted = ${r}`);
        return r;
      }
      if (!canBlock) {
        t.cancelSleep();
        finish(t);
        k.host.log(`wasmux: ${ent.name} would block but came through syscall_nb (libc routing bug)`);
        return -EAGAIN;
      }
      if (k.trace) k.trace(`[${t.pid}] ${ent.name}(${a}, ${b}, ${c}) blocks`);
      k.sched.sleep(t);
      return 0;
    }
    finish(t);
    if (err instanceof Errno) {
      if (k.trace) k.trace(`[${t.pid}] ${ent.name}(${a}, ${b}, ${c}, ${d}) = -${err.errno}`);
      return -err.errno;
    }
    if (err === UNWOUND) return 0;
    k.reportBug(ent.name, err);
    return -EIO;
  }
}

export function makeImports(k: Kernel, t: Task, memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: { memory },
    wasmux: {
      syscall: (n: number, a: number, b: number, c: number, d: number, e: number, f: number): number => {
        if (t.rewinding) {
          t.ex.asyncify_stop_rewind();
          t.rewinding = false;
          const v = t.resumeValue;
          if (v !== undefined) { t.resumeValue = undefined; return v; }
        }
        return invoke(k, t, n, a, b, c, d, e, f, true);
      },
      syscall_nb: (n: number, a: number, b: number, c: number, d: number, e: number, f: number): number =>
        invoke(k, t, n, a, b, c, d, e, f, false),
      preempt: (): number => k.sched.preempt(t),
    },
  };
}
