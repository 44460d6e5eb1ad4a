// Interval timers (kernel/time/itimer.c): ITIMER_REAL sends SIGALRM from a host timer. ITIMER_VIRTUAL and
// ITIMER_PROF are measured in wall time as well (there is no separate CPU clock per process). alarm(2) is
// musl's wrapper over setitimer. struct itimerval uses 32-bit timevals (legacy syscall, as on 32-bit Linux).
import { EINVAL } from '../../abi/errno.js';
import { SIGALRM, SIGPROF, SIGVTALRM, SI_KERNEL } from '../../abi/signal.js';
import { raise } from '../errors.js';
import { TaskState, type Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';

interface ITimer { deadline: number; interval: number; handle: unknown; }

const timers = new WeakMap<Task, (ITimer | null)[]>();
const SIGS = [SIGALRM, SIGVTALRM, SIGPROF];

function slots(t: Task): (ITimer | null)[] {
  let s = timers.get(t);
  if (!s) { s = [null, null, null]; timers.set(t, s); }
  return s;
}

function disarm(t: Task, which: number): void {
  const s = slots(t);
  const cur = s[which];
  if (cur) t.kernel.host.clearTimer(cur.handle);
  s[which] = null;
}

function arm(t: Task, which: number, valueMs: number, intervalMs: number): void {
  disarm(t, which);
  if (valueMs <= 0) return;
  const k = t.kernel;
  const it: ITimer = { deadline: k.now() + valueMs, interval: intervalMs, handle: null };
  const fire = (): void => {
    if (t.state === TaskState.Zombie) { slots(t)[which] = null; return; }
    k.signals.send(t, SIGS[which]!, { signo: SIGS[which]!, code: SI_KERNEL });
    if (it.interval > 0) {
      it.deadline += it.interval;
      it.handle = k.host.setTimer(fire, Math.max(0, it.deadline - k.now()));
    } else slots(t)[which] = null;
  };
  it.handle = k.host.setTimer(fire, valueMs);
  slots(t)[which] = it;
}

/** Cancel every timer of an exiting task. */
export function exitItimers(t: Task): void { for (let i = 0; i < 3; i++) disarm(t, i); }

function readTv(t: Task, addr: number): number {
  const sec = t.mem.i32(addr), usec = t.mem.i32(addr + 4);
  if (sec < 0 || usec < 0 || usec >= 1_000_000) raise(EINVAL);
  return sec * 1000 + usec / 1000;
}

function writeTv(t: Task, addr: number, ms: number): void {
  let sec = Math.floor(ms / 1000), usec = Math.round((ms - sec * 1000) * 1000);
  if (usec >= 1_000_000) { sec++; usec -= 1_000_000; }
  t.mem.setI32(addr, sec);
  t.mem.setI32(addr + 4, usec);
}

function current(t: Task, which: number, addr: number): void {
  const it = slots(t)[which];
  const left = it ? Math.max(0.001, it.deadline - t.kernel.now()) : 0;
  writeTv(t, addr, it ? it.interval : 0);
  writeTv(t, addr + 8, left);
}

function sys_setitimer(t: Task, which: number, nv: number, old: number): number {
  if (which < 0 || which > 2) raise(EINVAL);
  let interval = 0, value = 0;
  if (nv) { interval = readTv(t, nv); value = readTv(t, nv + 8); }
  if (old) current(t, which, old);
  arm(t, which, value, interval);
  return 0;
}

function sys_getitimer(t: Task, which: number, cur: number): number {
  if (which < 0 || which > 2) raise(EINVAL);
  current(t, which, cur);
  return 0;
}

export const itimerSyscalls: SyscallDefs = {
  setitimer: { handler: sys_setitimer, level: 'partial', note: 'ITIMER_VIRTUAL and ITIMER_PROF count wall time.' },
  getitimer: { handler: sys_getitimer, level: 'partial', note: 'As setitimer.' },
};
