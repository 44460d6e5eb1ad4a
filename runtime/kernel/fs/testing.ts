// Test support for the filesystem: a fake Task (memory, fd table, fs context, credentials) good enough
// to call Vfs entry points and syscall handlers directly, without a wasm program or a scheduler.
import { Cred } from '../proc/cred.js';
import type { Task } from '../proc/task.js';
import { UserMemory } from '../mm/uaccess.js';
import { FdTable } from './fdtable.js';
import type { SyscallDefs } from '../syscalls/types.js';
import type { SyscallName } from '../../abi/syscalls.js';
import { isErrno } from '../errors.js';
import type { Vfs } from './vfs.js';

export interface FakeTask extends Task {
  /** Scratch allocator in the fake memory: returns the address of `n` fresh bytes. */
  alloc(n: number): number;
  /** Allocate and write a NUL-terminated string. */
  str(s: string): number;
}

/** A task for tests: uid/gid as given (default root), cwd "/", 1 MiB of memory. */
export function fakeTask(vfs: Vfs, uid = 0, gid = uid, pid = 1): FakeTask {
  const memory = new WebAssembly.Memory({ initial: 16 });
  const mem = new UserMemory(memory);
  let brk = 4096;
  const t = {
    pid,
    kernel: { vfs },
    cred: new Cred(uid, gid),
    files: new FdTable(),
    fs: vfs.newContext('/'),
    mem,
    comm: 'test',
    sysState: undefined,
    restartCode: -512,
    sleepOn(): void { throw new Error('fake task cannot sleep'); },
    alloc(n: number): number {
      const a = brk;
      brk = (brk + n + 15) & ~15;
      if (brk > mem.size) throw new Error('fake task out of memory');
      mem.zero(a, n);
      return a;
    },
    str(s: string): number {
      const b = new TextEncoder().encode(s);
      const a = this.alloc(b.length + 1);
      mem.copyOut(a, b);
      return a;
    },
  };
  return t as unknown as FakeTask;
}

/** Call a syscall handler the way the dispatcher does: returns the result or -errno. */
export function callSyscall(defs: SyscallDefs, name: SyscallName, t: Task, ...args: number[]): number {
  const def = defs[name];
  if (!def) throw new Error(`no handler for ${name}`);
  const a = [...args, 0, 0, 0, 0, 0, 0];
  try {
    return def.handler(t, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!);
  } catch (e) {
    if (isErrno(e)) return -e.errno;
    throw e;
  }
}

/** Run `fn` and return the errno it raised (0 if none); rethrows anything that is not an errno. */
export function errnoOf(fn: () => unknown): number {
  try { fn(); return 0; } catch (e) { if (isErrno(e)) return e.errno; throw e; }
}
