// Signal generation (kernel/signal.c: send_signal, kill_pgrp, do_signal_stop): makes a signal pending,
// applies the job-control side effects of SIGCONT and stop signals, keeps libc's signal-pending word in
// sync, and interrupts sleeping tasks. A fatal default-action signal to a task that is not running kills it
// at once (its instance is simply dropped); the running task dies in wasmux_sigdeliver.
import { CLD_CONTINUED, CLD_STOPPED, SA_NOCLDSTOP, SIGCHLD, SIGCONT, SIGKILL, SIGSTOP, SIGTSTP, SIGTTIN,
  SIGTTOU, SIG_DFL, SI_KERNEL } from '../../abi/signal.js';
import { TaskState, type Task } from '../proc/task.js';
import { teardown, W_STOPCODE } from '../proc/exit.js';
import { bit, defaultAction, type SigInfo } from './signal.js';
import type { Kernel } from '../kernel.js';

const STOP_MASK = bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU);

export class Signals {
  constructor(private readonly k: Kernel) {}

  /** Send `sig` to task `t` (sig 0 only checks existence, done by callers). */
  send(t: Task, sig: number, info: SigInfo): void {
    if (t.state === TaskState.Zombie || sig === 0) return;
    const s = t.sig;
    if (sig === SIGCONT || sig === SIGKILL) {
      s.pending &= ~STOP_MASK;
      if (t.state === TaskState.Stopped) this.continueTask(t);
    }
    if (STOP_MASK & bit(sig)) s.pending &= ~bit(SIGCONT);
    if (s.ignored(sig) && !(s.blocked & bit(sig))) { return; }
    s.setPending(sig, info);
    t.signalWq.wake();
    // A task in sigtimedwait for this signal is woken even though the signal is blocked.
    if ((t.sigwait & bit(sig)) && t.state === TaskState.Sleeping) this.k.sched.wake(t);
    const a = s.actions[sig]!;
    const fatal = sig === SIGKILL ||
      (a.handler === SIG_DFL && !(s.blocked & bit(sig)) &&
        (defaultAction(sig) === 'term' || defaultAction(sig) === 'core'));
    // A stopped task keeps a fatal signal pending until it is continued (SIGKILL excepted).
    if (fatal && this.k.sched.current !== t && (t.state !== TaskState.Stopped || sig === SIGKILL)) {
      const core = sig !== SIGKILL && defaultAction(sig) === 'core';
      teardown(this.k, t, sig | (core ? 0x80 : 0));
      return;
    }
    this.recalc(t);
  }

  kill(t: Task, sig: number): void { this.send(t, sig, { signo: sig, code: SI_KERNEL }); }

  /** Send to every member of process group `pgid`; returns how many got it. */
  sendGroup(pgid: number, sig: number, info: SigInfo, filter?: (t: Task) => boolean): number {
    let n = 0;
    for (const t of [...this.k.tasks.values()]) {
      if (t.pgid === pgid && t.state !== TaskState.Zombie && (!filter || filter(t))) { this.send(t, sig, info); n++; }
    }
    return n;
  }

  /** Update libc's pending word and interrupt a sleeping task that now has a deliverable signal. */
  recalc(t: Task): void {
    const has = t.sig.deliverable() !== 0n;
    if (t.sigflagAddr) {
      try { t.mem.setI32(t.sigflagAddr, has ? 1 : 0); } catch { /* memory gone: task is exiting */ }
    }
    if (has && t.state === TaskState.Sleeping) this.k.sched.wake(t);
  }

  /** Job-control stop of the running task by `sig` (called from wasmux_sigdeliver). */
  stop(t: Task, sig: number): void {
    t.stopReport = W_STOPCODE(sig);
    t.contReport = false;
    const p = t.parent;
    if (p && p.state !== TaskState.Zombie) {
      if (!(p.sig.actions[SIGCHLD]!.flags & SA_NOCLDSTOP)) {
        this.send(p, SIGCHLD, { signo: SIGCHLD, code: CLD_STOPPED, pid: t.pid, uid: t.cred.uid, status: sig });
      }
      p.childWait.wake();
    }
    this.k.sched.suspend(t, () => {
      t.needRewind = true;
      if (t.stopReport !== null) t.state = TaskState.Stopped; else this.k.sched.enqueue(t);
      if (t.sig.pending & bit(SIGKILL)) teardown(this.k, t, SIGKILL);
    });
  }

  private continueTask(t: Task): void {
    t.stopReport = null;
    t.contReport = true;
    this.k.sched.enqueue(t);
    const p = t.parent;
    if (p && p.state !== TaskState.Zombie) {
      if (!(p.sig.actions[SIGCHLD]!.flags & SA_NOCLDSTOP)) {
        this.send(p, SIGCHLD, { signo: SIGCHLD, code: CLD_CONTINUED, pid: t.pid, uid: t.cred.uid, status: SIGCONT });
      }
      p.childWait.wake();
    }
  }
}
