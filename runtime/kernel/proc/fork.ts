// fork/vfork/clone (kernel/fork.c). The parent is unwound by Asyncify; its mapped memory and exported
// mutable globals are copied into a new instance of the same Module, and both are rewound: the parent's
// clone() returns the child's pid, the child's returns 0. CLONE_VM is not honoured (the child gets a copy;
// wasm memories cannot be shared here); CLONE_VFORK makes the parent wait for the child's exec or exit.
import { EAGAIN, ENOMEM, ENOSYS } from '../../abi/errno.js';
import { CLONE_THREAD, CLONE_VFORK, CSIGNAL, CLONE_PARENT } from '../../abi/sched.js';
import { isErrno, raise } from '../errors.js';
import { UserMemory } from '../mm/uaccess.js';
import { makeImports } from '../syscalls/dispatch.js';
import { UNWOUND } from './sched.js';
import { Task, TaskState } from './task.js';
import type { Kernel } from '../kernel.js';

const GLOBAL_PREFIX = 'wasmux_g';

/** The C stack pointer: the first exported mutable global is __stack_pointer (post-link order). */
function stackPointer(t: Task): number {
  const g = t.ex[`${GLOBAL_PREFIX}0`] as WebAssembly.Global | undefined;
  return g ? (g.value as number) : t.mm.stackLow;
}

export function sys_clone(t: Task, flags: number): number {
  if (flags & CLONE_THREAD) raise(ENOSYS);
  const k = t.kernel;
  if (k.liveCount() >= k.maxProcesses) raise(EAGAIN);
  k.sched.suspend(t, () => forkAfterUnwind(k, t, flags));
  throw UNWOUND;
}

function forkAfterUnwind(k: Kernel, parent: Task, flags: number): void {
  parent.needRewind = true;
  let child: Task;
  try {
    child = createChild(k, parent, flags);
  } catch (e) {
    // A host that cannot allocate another Memory throws RangeError: that is ENOMEM, not a kernel bug.
    parent.resumeValue = -(isErrno(e) ? e.errno : ENOMEM);
    if (!isErrno(e) && !(e instanceof RangeError)) k.reportBug('clone', e);
    k.sched.enqueue(parent);
    return;
  }
  parent.resumeValue = child.pid;
  child.needRewind = true;
  child.resumeValue = 0;
  k.sched.enqueue(child);
  if (flags & CLONE_VFORK) {
    child.vforkParent = parent;
    parent.state = TaskState.Sleeping;
  } else {
    k.sched.enqueue(parent);
  }
}

function createChild(k: Kernel, p: Task, flags: number): Task {
  const pid = k.allocPid();
  const c = new Task(pid, k, p.cred.clone(), p.files.fork(), p.fs.clone(), p.rlimits);
  try {
    // Same size as the parent's up front: one allocation instead of a grow.
    const memory = new WebAssembly.Memory({ initial: p.mm.size / 65536, maximum: 65536 });
    // Instantiate first: the module's start function writes its data segments into the new memory, and
    // the copy of the parent's live ranges below must come after it.
    c.mem = new UserMemory(memory);
    c.instance = new WebAssembly.Instance(p.module!, makeImports(k, c, memory));
    c.ex = c.instance.exports as unknown as Task['ex'];
    const used = p.mem.u32(p.unwindBuf); // Asyncify's write pointer: the end of the saved stack
    c.mm = p.mm.forkInto(memory, stackPointer(p), k.account,
      { start: p.unwindBuf, end: p.unwindBuf + p.unwindSize, used });
    for (const [name, v] of Object.entries(p.ex)) {
      if ((name.startsWith(GLOBAL_PREFIX) || name === 'wasmux_fuel') && v instanceof WebAssembly.Global) {
        (c.ex[name] as WebAssembly.Global).value = v.value;
      }
    }
  } catch (e) {
    c.files.closeAll();
    if (c.mm) c.mm.destroy();
    throw e;
  }
  c.module = p.module;
  c.unwindBuf = p.unwindBuf;
  c.unwindSize = p.unwindSize;
  c.sigflagAddr = p.sigflagAddr;
  c.sig = p.sig.fork();
  c.comm = p.comm;
  c.argv = [...p.argv];
  c.exePath = p.exePath;
  c.pgid = p.pgid;
  c.sid = p.sid;
  c.ctty = p.ctty;
  c.exitSignal = flags & CSIGNAL;
  const parent = (flags & CLONE_PARENT) && p.parent ? p.parent : p;
  c.parent = parent;
  parent.children.add(c);
  k.tasks.set(pid, c);
  // The child starts with no pending signals: clear its copy of libc's pending word.
  if (c.sigflagAddr) c.mem.setI32(c.sigflagAddr, 0);
  return c;
}

