// Process exit and reaping (kernel/exit.c): teardown, reparenting, SIGCHLD, wait4 and waitid.
import { ECHILD, EINVAL } from '../../abi/errno.js';
import {
  CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED, SA_NOCLDWAIT, SIGCHLD, SIGKILL, SIG_IGN,
} from '../../abi/signal.js';
import { P_ALL, P_PGID, P_PID, WCONTINUED, WEXITED, WNOHANG, WNOWAIT, WUNTRACED } from '../../abi/sched.js';
import { BLOCK, raise } from '../errors.js';
import { TaskState, type Task } from './task.js';
import type { Kernel } from '../kernel.js';
import { exitItimers } from '../time/itimer.js';
import { releaseLocks } from '../fs/locks.js';
import { deletePosixTimers } from '../time/posix_timers.js';
import { disassociateCtty } from '../drivers/tty/tty_jobctrl.js';

/** Linux wait status encodings. */
export const W_EXITCODE = (code: number): number => (code & 0xff) << 8;
export const W_STOPCODE = (sig: number): number => (sig << 8) | 0x7f;
export const W_CONTINUED = 0xffff;

/** Tear a task down into a zombie with `status`, notify its parent, reparent its children. */
export function teardown(k: Kernel, t: Task, status: number): void {
  if (t.state === TaskState.Zombie) return;
  k.sched.remove(t);
  t.state = TaskState.Zombie;
  t.exitStatus = status;
  exitItimers(t);
  deletePosixTimers(t);
  t.files.closeAll();
  releaseLocks(t);
  disassociateCtty(t, true);
  if (t.mm) t.mm.destroy();
  t.instance = null;
  t.module = null;
  t.startImage = null;
  // Release a parent waiting in vfork.
  if (t.vforkParent) { const p = t.vforkParent; t.vforkParent = null; k.sched.wake(p); }
  // Orphans go to init, or are killed when init itself exits (as in a pid namespace).
  const init = k.init;
  for (const c of [...t.children]) {
    t.children.delete(c);
    if (t === init || !init || init.state === TaskState.Zombie) {
      c.parent = null;
      if (c.state !== TaskState.Zombie) k.signals.kill(c, SIGKILL);
      k.tasks.delete(c.pid);
    } else {
      c.parent = init;
      init.children.add(c);
      if (c.state === TaskState.Zombie) init.childWait.wake();
    }
  }
  const p = t.parent;
  if (p && p.state !== TaskState.Zombie) {
    const act = p.sig.actions[SIGCHLD]!;
    const autoreap = act.handler === SIG_IGN || (act.flags & SA_NOCLDWAIT) !== 0;
    if (t.exitSignal) {
      const killed = (status & 0x7f) !== 0;
      k.signals.send(p, t.exitSignal, {
        signo: t.exitSignal, code: killed ? ((status & 0x80) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED,
        pid: t.pid, uid: t.cred.uid, status: killed ? status & 0x7f : (status >> 8) & 0xff,
      });
    }
    if (autoreap) { reap(k, t); }
    p.childWait.wake();
  } else if (!p) {
    reap(k, t);
  }
  for (const w of t.exitWaiters.splice(0)) w(status);
  if (t === init) {
    for (const o of k.tasks.values()) if (o !== t && o.state !== TaskState.Zombie) k.signals.kill(o, SIGKILL);
  }
}

/** Remove a zombie from the process table; its CPU time goes to the parent. */
export function reap(k: Kernel, t: Task): void {
  if (t.parent) { t.parent.children.delete(t); t.parent.childCpuMs += t.cpuMs + t.childCpuMs; }
  k.tasks.delete(t.pid);
}

interface WaitResult { child: Task; status: number; code: number; reapIt: boolean; }

function matches(t: Task, c: Task, idtype: number, id: number): boolean {
  if (idtype === P_ALL) return true;
  if (idtype === P_PID) return c.pid === id;
  if (idtype === P_PGID) return c.pgid === (id === 0 ? t.pgid : id);
  return false;
}

/** Find a child whose state change is reportable; raises ECHILD, returns null (nothing yet). */
function findWaitable(t: Task, idtype: number, id: number, options: number): WaitResult | null {
  let any = false;
  for (const c of t.children) {
    if (!matches(t, c, idtype, id)) continue;
    any = true;
    if (c.state === TaskState.Zombie && (options & WEXITED)) {
      const s = c.exitStatus;
      const code = (s & 0x7f) === 0 ? CLD_EXITED : (s & 0x80 ? CLD_DUMPED : CLD_KILLED);
      return { child: c, status: s, code, reapIt: !(options & WNOWAIT) };
    }
    if (c.stopReport !== null && (options & WUNTRACED)) {
      const s = c.stopReport;
      if (!(options & WNOWAIT)) c.stopReport = null;
      return { child: c, status: s, code: CLD_STOPPED, reapIt: false };
    }
    if (c.contReport && (options & WCONTINUED)) {
      if (!(options & WNOWAIT)) c.contReport = false;
      return { child: c, status: W_CONTINUED, code: CLD_CONTINUED, reapIt: false };
    }
  }
  if (!any) raise(ECHILD);
  return null;
}

/** Shared core of wait4/waitid: returns the result, null for WNOHANG with nothing, or blocks. */
export function doWait(t: Task, idtype: number, id: number, options: number): WaitResult | null {
  if (options & ~(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | 0xe0000000)) raise(EINVAL);
  const r = findWaitable(t, idtype, id, options);
  if (r) {
    if (r.reapIt) reap(t.kernel, r.child);
    return r;
  }
  if (options & WNOHANG) return null;
  t.sleepOn(t.childWait);
  throw BLOCK;
}

