// Signal syscalls (kernel/signal.c): rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend,
// rt_sigreturn, kill, tkill, tgkill, rt_sigqueueinfo, sigaltstack, and wasmux_sigdeliver, the delivery
// step libc runs when its pending word is set (docs/design/process-abi.md).
import { EINVAL, EPERM, ESRCH, EAGAIN } from '../../abi/errno.js';
import {
  NSIG, SIGFRAME, SIGKILL, SIGSTOP, SIG_BLOCK, SIG_DFL, SIG_IGN, SIG_SETMASK, SIG_UNBLOCK, SIGINFO_SIZE,
  SI_TKILL, SI_USER, SI_QUEUE,
} from '../../abi/signal.js';
import { BLOCK, raise } from '../errors.js';
import { UNWOUND } from '../proc/sched.js';
import { TaskState, type Task } from '../proc/task.js';
import { WaitQueue } from '../wait.js';
import type { SyscallDefs } from '../syscalls/types.js';
import {
  UNBLOCKABLE, bit, defaultAction, maskForHandler, resetIfOneShot, resultAfterHandler, type SigInfo,
} from './signal.js';

const never = new WaitQueue();

function readSet(t: Task, addr: number): bigint { return t.mem.u64big(addr); }
function writeSet(t: Task, addr: number, v: bigint): void { t.mem.setU64(addr, v & ((1n << 64n) - 1n)); }

export function writeSiginfo(t: Task, addr: number, i: SigInfo): void {
  t.mem.zero(addr, SIGINFO_SIZE);
  t.mem.setI32(addr, i.signo);
  t.mem.setI32(addr + 4, i.errno ?? 0);
  t.mem.setI32(addr + 8, i.code);
  t.mem.setI32(addr + 12, i.pid ?? 0);
  t.mem.setI32(addr + 16, i.uid ?? 0);
  if (i.status !== undefined) t.mem.setI32(addr + 20, i.status);
  else if (i.value !== undefined) t.mem.setI32(addr + 20, i.value);
}

function checkSig(sig: number): void { if (sig < 1 || sig > NSIG) raise(EINVAL); }

function sys_rt_sigaction(t: Task, sig: number, act: number, oact: number, size: number): number {
  if (size !== 8) raise(EINVAL);
  checkSig(sig);
  const a = t.sig.actions[sig]!;
  const old = { ...a };
  if (act) {
    if (sig === SIGKILL || sig === SIGSTOP) raise(EINVAL);
    const m = t.mem;
    a.handler = m.u32(act);
    a.flags = m.u32(act + 4);
    a.restorer = m.u32(act + 8);
    a.mask = readSet(t, act + 12) & ~UNBLOCKABLE;
    // POSIX: setting a pending signal's action to ignore discards it.
    if (t.sig.ignored(sig)) { t.sig.pending &= ~bit(sig); t.sig.info.delete(sig); t.kernel.signals.recalc(t); }
  }
  if (oact) {
    t.mem.setU32(oact, old.handler);
    t.mem.setU32(oact + 4, old.flags);
    t.mem.setU32(oact + 8, old.restorer);
    writeSet(t, oact + 12, old.mask);
  }
  return 0;
}

function sys_rt_sigprocmask(t: Task, how: number, set: number, oset: number, size: number): number {
  if (size !== 8) raise(EINVAL);
  const old = t.sig.blocked;
  if (set) {
    const s = readSet(t, set);
    if (how === SIG_BLOCK) t.sig.blocked |= s;
    else if (how === SIG_UNBLOCK) t.sig.blocked &= ~s;
    else if (how === SIG_SETMASK) t.sig.blocked = s;
    else raise(EINVAL);
    t.sig.blocked &= ~UNBLOCKABLE;
  }
  if (oset) writeSet(t, oset, old);
  t.kernel.signals.recalc(t);
  return 0;
}

function sys_rt_sigpending(t: Task, set: number, size: number): number {
  if (size !== 8) raise(EINVAL);
  writeSet(t, set, t.sig.pending & t.sig.blocked);
  return 0;
}

function sys_rt_sigsuspend(t: Task, mask: number, size: number): number {
  if (size !== 8) raise(EINVAL);
  if (t.sysState === undefined) {
    const m = readSet(t, mask);
    t.sig.savedMask = t.sig.blocked;
    t.sig.blocked = m & ~UNBLOCKABLE;
    t.sysState = true;
    t.kernel.signals.recalc(t);
  }
  t.restartCode = -514; // ERESTARTNOHAND: EINTR once a handler ran
  t.sleepOn(never);
  throw BLOCK;
}

function sys_rt_sigreturn(t: Task, frame: number): number {
  t.sig.blocked = readSet(t, frame + SIGFRAME.oldmask) & ~UNBLOCKABLE;
  t.kernel.signals.recalc(t);
  return 0;
}

/** Dequeue and act on pending signals; returns 1 with the frame filled when a handler must run. */
function sys_wasmux_sigdeliver(t: Task, frame: number, r: number): number {
  const k = t.kernel;
  for (;;) {
    const sig = t.sig.next();
    if (!sig) {
      // No handler ran for the remaining restart: put back a mask saved by sigsuspend & co.
      if (t.sig.savedMask !== null) { t.sig.blocked = t.sig.savedMask; t.sig.savedMask = null; }
      t.mem.setI32(frame + SIGFRAME.result, r);
      k.signals.recalc(t);
      return 0;
    }
    const info = t.sig.dequeue(sig);
    const a = t.sig.actions[sig]!;
    const forced = sig === SIGKILL || sig === SIGSTOP;
    if (!forced && a.handler === SIG_IGN) continue;
    if (forced || a.handler === SIG_DFL) {
      const act = defaultAction(sig);
      if (act === 'ign' || act === 'cont') continue;
      if (act === 'stop') { k.signals.stop(t, sig); throw UNWOUND; }
      k.exitTask(t, sig | (act === 'core' ? 0x80 : 0));
      throw UNWOUND;
    }
    const m = t.mem;
    m.setU32(frame + SIGFRAME.sig, sig);
    m.setU32(frame + SIGFRAME.handler, a.handler);
    m.setU32(frame + SIGFRAME.flags, a.flags);
    m.setI32(frame + SIGFRAME.result, resultAfterHandler(r, a.flags));
    writeSet(t, frame + SIGFRAME.oldmask, t.sig.savedMask ?? t.sig.blocked);
    writeSiginfo(t, frame + SIGFRAME.info, info);
    t.sig.savedMask = null;
    t.sig.blocked = maskForHandler(t.sig.blocked, sig, a);
    resetIfOneShot(a);
    k.signals.recalc(t);
    return 1;
  }
}

/** May `t` signal `target`? Root may signal anyone; a user its own processes. */
function permitted(t: Task, target: Task): boolean {
  const c = t.cred;
  return c.euid === 0 || c.uid === target.cred.uid || c.euid === target.cred.uid ||
    c.uid === target.cred.suid || c.euid === target.cred.suid;
}

export function killPid(t: Task, pid: number, sig: number, info: SigInfo): number {
  if (sig < 0 || sig > NSIG) raise(EINVAL);
  const k = t.kernel;
  const targets: Task[] = [];
  if (pid > 0) {
    const x = k.tasks.get(pid);
    if (!x) raise(ESRCH);
    // A zombie still exists until reaped: signalling it succeeds and does nothing.
    if (x.state === TaskState.Zombie) { if (!permitted(t, x)) raise(EPERM); return 0; }
    targets.push(x);
  } else if (pid === -1) {
    for (const x of k.tasks.values()) if (x.pid > 1 && x !== t && x.state !== TaskState.Zombie) targets.push(x);
  } else {
    const pg = pid === 0 ? t.pgid : -pid;
    for (const x of k.tasks.values()) if (x.pgid === pg && x.state !== TaskState.Zombie) targets.push(x);
  }
  if (targets.length === 0) raise(ESRCH);
  const allowed = targets.filter((x) => permitted(t, x));
  if (allowed.length === 0) raise(EPERM);
  // Signal others first so that a fatal signal to ourselves (kill 0) is delivered last.
  for (const x of allowed) if (x !== t) k.signals.send(x, sig, info);
  if (allowed.includes(t)) k.signals.send(t, sig, info);
  return 0;
}

function sys_kill(t: Task, pid: number, sig: number): number {
  return killPid(t, pid, sig, { signo: sig, code: SI_USER, pid: t.pid, uid: t.cred.uid });
}

function sys_tgkill(t: Task, tgid: number, tid: number, sig: number): number {
  if (tid <= 0 || (tgid !== -1 && tgid !== tid)) raise(tid <= 0 ? EINVAL : ESRCH);
  return killPid(t, tid, sig, { signo: sig, code: SI_TKILL, pid: t.pid, uid: t.cred.uid });
}

function sys_tkill(t: Task, tid: number, sig: number): number {
  if (tid <= 0) raise(EINVAL);
  return killPid(t, tid, sig, { signo: sig, code: SI_TKILL, pid: t.pid, uid: t.cred.uid });
}

function sys_rt_sigqueueinfo(t: Task, pid: number, sig: number, uinfo: number): number {
  const code = t.mem.i32(uinfo + 8);
  if (code >= 0 || code === SI_TKILL) raise(EPERM);
  return killPid(t, pid, sig, { signo: sig, code: SI_QUEUE, pid: t.pid, uid: t.cred.uid, value: t.mem.i32(uinfo + 20) });
}

function sys_sigaltstack(t: Task, _ss: number, oss: number): number {
  if (oss) { t.mem.setU32(oss, 0); t.mem.setI32(oss + 4, 2 /* SS_DISABLE */); t.mem.setU32(oss + 8, 0); }
  return 0;
}

/**
 * rt_sigtimedwait: take a pending signal of `set` without running its handler. The caller normally blocks
 * those signals first; while waiting, the task is woken by any signal of the set (Task.sigwait) and, as
 * everywhere, by unblocked signals (which interrupt with EINTR).
 */
function sys_rt_sigtimedwait(t: Task, set: number, info: number, timeout: number, size: number): number {
  if (size !== 8) raise(EINVAL);
  const want = readSet(t, set) & ~UNBLOCKABLE;
  const ready = t.sig.pending & want;
  if (ready !== 0n) {
    t.sigwait = 0n;
    let sig = 1;
    while (!(ready & bit(sig))) sig++;
    const i = t.sig.dequeue(sig);
    if (info) writeSiginfo(t, info, i);
    t.kernel.signals.recalc(t);
    return sig;
  }
  const k = t.kernel;
  let st = t.sysState as { deadline: number } | undefined;
  if (!st) {
    let deadline = Infinity;
    if (timeout) {
      const sec = t.mem.i64(timeout), nsec = t.mem.i32(timeout + 8);
      if (sec < 0 || nsec < 0 || nsec > 999_999_999) raise(EINVAL);
      deadline = k.now() + sec * 1000 + nsec / 1e6;
    }
    st = { deadline };
    t.sysState = st;
  }
  if (k.now() >= st.deadline) { t.sigwait = 0n; return raise(EAGAIN); }
  t.sigwait = want;
  if (st.deadline !== Infinity) t.sleepUntil(st.deadline);
  t.sleepOn(never);
  t.onInterrupt = () => { t.sigwait = 0n; return -4; };
  throw BLOCK;
}

export const signalSyscalls: SyscallDefs = {
  rt_sigaction: { handler: sys_rt_sigaction, level: 'full', note: 'sa_restorer is stored and ignored.' },
  rt_sigprocmask: { handler: sys_rt_sigprocmask, level: 'full' },
  rt_sigpending: { handler: sys_rt_sigpending, level: 'full' },
  rt_sigsuspend: { handler: sys_rt_sigsuspend, level: 'full' },
  rt_sigreturn: { handler: sys_rt_sigreturn, level: 'full', note: 'Takes the wasmux sigframe; restores the mask only (no register state exists).' },
  kill: { handler: sys_kill, level: 'full' },
  tkill: { handler: sys_tkill, level: 'full' },
  tgkill: { handler: sys_tgkill, level: 'full' },
  rt_sigqueueinfo: { handler: sys_rt_sigqueueinfo, level: 'partial', note: 'Real-time signals are not queued: one pending instance per signal.' },
  sigaltstack: { handler: sys_sigaltstack, level: 'stub', note: 'Handlers always run on the normal stack; reports SS_DISABLE.' },
  rt_sigtimedwait: { handler: sys_rt_sigtimedwait, level: 'full' },
  wasmux_sigdeliver: { handler: sys_wasmux_sigdeliver, level: 'full', note: 'wasmux private: the delivery step of docs/design/process-abi.md.' },
};

