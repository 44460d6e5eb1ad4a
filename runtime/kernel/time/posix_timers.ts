// POSIX per-process timers (kernel/time/posix-timers.c): timer_create with SIGEV_SIGNAL or SIGEV_NONE
// (SIGEV_THREAD needs threads; musl implements it in user space with a thread and fails here), armed with
// time64 itimerspecs; expiry sends the chosen signal with SI_TIMER and the sigev_value. Timers are not
// inherited by fork and are deleted at exec and exit.
import { EAGAIN, EINVAL } from '../../abi/errno.js';
import { CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME, TIMER_ABSTIME } from '../../abi/sched.js';
import { NSIG as NSIG_MAX } from '../../abi/signal.js';
import { SIGALRM, SI_TIMER } from '../../abi/signal.js';
import { raise } from '../errors.js';
import { TaskState, type Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';
import { readTimespec, writeTimespec } from './sys_time.js';

const SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD_ID = 4;
const MAX_TIMERS = 256;

interface PosixTimer { id: number; clock: number; signo: number; notify: number; value: number;
  deadline: number; interval: number; overrun: number; handle: unknown; }

const timers = new WeakMap<Task, Map<number, PosixTimer>>();

function tableOf(t: Task): Map<number, PosixTimer> {
  let m = timers.get(t);
  if (!m) { m = new Map(); timers.set(t, m); }
  return m;
}

function timerOf(t: Task, id: number): PosixTimer {
  const x = tableOf(t).get(id);
  if (!x) raise(EINVAL);
  return x;
}

function disarm(t: Task, x: PosixTimer): void {
  if (x.handle !== null) { t.kernel.host.clearTimer(x.handle); x.handle = null; }
  x.deadline = 0;
}

function schedule(t: Task, x: PosixTimer): void {
  const k = t.kernel;
  x.handle = k.host.setTimer(() => {
    x.handle = null;
    if (t.state === TaskState.Zombie || !x.deadline) return;
    if (x.interval > 0) {
      const late = Math.max(0, k.now() - x.deadline);
      const missed = Math.floor(late / x.interval);
      x.overrun += missed;
      x.deadline += (missed + 1) * x.interval;
      schedule(t, x);
    } else x.deadline = 0;
    if (x.notify !== SIGEV_NONE) {
      k.signals.send(t, x.signo, { signo: x.signo, code: SI_TIMER, pid: x.id, uid: x.overrun, value: x.value });
    }
  }, Math.max(0, x.deadline - k.now()));
}

/** exec and exit: delete every timer of the process. */
export function deletePosixTimers(t: Task): void {
  const m = timers.get(t);
  if (!m) return;
  for (const x of m.values()) disarm(t, x);
  timers.delete(t);
}

function sys_timer_create(t: Task, clock: number, sevp: number, idp: number): number {
  if (clock !== CLOCK_REALTIME && clock !== CLOCK_MONOTONIC && clock !== CLOCK_BOOTTIME) raise(EINVAL);
  let signo = SIGALRM, notify = SIGEV_SIGNAL, value = 0;
  if (sevp) {
    value = t.mem.i32(sevp);
    signo = t.mem.i32(sevp + 4);
    notify = t.mem.i32(sevp + 8);
    if (notify !== SIGEV_SIGNAL && notify !== SIGEV_NONE && notify !== SIGEV_THREAD_ID) raise(EINVAL);
    if (notify !== SIGEV_NONE && (signo < 1 || signo > NSIG_MAX)) raise(EINVAL);
  }
  const m = tableOf(t);
  if (m.size >= MAX_TIMERS) raise(EAGAIN);
  let id = 0;
  while (m.has(id)) id++;
  t.mem.setI32(idp, id);
  m.set(id, { id, clock, signo, notify, value, deadline: 0, interval: 0, overrun: 0, handle: null });
  return 0;
}

function current(t: Task, x: PosixTimer, addr: number): void {
  writeTimespec(t, addr, x.interval);
  writeTimespec(t, addr + 16, x.deadline ? Math.max(0.000001, x.deadline - t.kernel.now()) : 0);
}

function sys_timer_settime(t: Task, id: number, flags: number, nv: number, old: number): number {
  const x = timerOf(t, id);
  const interval = readTimespec(t, nv);
  let value = readTimespec(t, nv + 16);
  if (old) current(t, x, old);
  disarm(t, x);
  x.overrun = 0;
  if (value > 0) {
    const k = t.kernel;
    if (flags & TIMER_ABSTIME) value = x.clock === CLOCK_REALTIME ? k.now() + (value - k.host.wallclock()) : value;
    else value = k.now() + value;
    x.deadline = Math.max(value, k.now());
    x.interval = interval;
    schedule(t, x);
  } else x.interval = interval;
  return 0;
}

function sys_timer_gettime(t: Task, id: number, cur: number): number { current(t, timerOf(t, id), cur); return 0; }
function sys_timer_getoverrun(t: Task, id: number): number { return timerOf(t, id).overrun; }
function sys_timer_delete(t: Task, id: number): number {
  const x = timerOf(t, id);
  disarm(t, x);
  tableOf(t).delete(id);
  return 0;
}

export const posixTimerSyscalls: SyscallDefs = {
  timer_create: { handler: sys_timer_create, level: 'partial', note: 'SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID (to the process); no SIGEV_THREAD (needs threads).' },
  timer_settime: { handler: sys_timer_settime, level: 'full', note: 'Millisecond host timer resolution.' },
  timer_gettime: { handler: sys_timer_gettime, level: 'full' },
  timer_getoverrun: { handler: sys_timer_getoverrun, level: 'full' },
  timer_delete: { handler: sys_timer_delete, level: 'full' },
};
