// Time syscalls (kernel/time/): clocks, sleeping. struct timespec is {i64 sec, i32 nsec, pad} (time64).
import { EFAULT, EINVAL, EPERM } from '../../abi/errno.js';
import {
  CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW, CLOCK_PROCESS_CPUTIME_ID,
  CLOCK_REALTIME, CLOCK_REALTIME_COARSE, CLOCK_THREAD_CPUTIME_ID, TIMER_ABSTIME,
} from '../../abi/sched.js';
import { BLOCK, raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';

/** Current value of `clk` in milliseconds (fractional). */
export function clockMs(t: Task, clk: number): number {
  const k = t.kernel;
  switch (clk) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: return k.host.wallclock() + (k.now() % 1);
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
      return k.now();
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
      return t.cpuMs + (k.sched.current === t ? k.now() - k.sched.sliceStart : 0);
    default: return raise(EINVAL);
  }
}

export function writeTimespec(t: Task, addr: number, ms: number): void {
  const sec = Math.floor(ms / 1000);
  const nsec = Math.min(999_999_999, Math.max(0, Math.round((ms - sec * 1000) * 1e6)));
  t.mem.setI64(addr, sec);
  t.mem.setI32(addr + 8, nsec);
  t.mem.setI32(addr + 12, 0);
}

/** Read a timespec as milliseconds; EINVAL for a bad nsec or negative seconds. */
export function readTimespec(t: Task, addr: number): number {
  const sec = t.mem.i64(addr);
  const nsec = t.mem.i32(addr + 8);
  if (nsec < 0 || nsec > 999_999_999 || sec < 0) raise(EINVAL);
  return sec * 1000 + nsec / 1e6;
}

function sys_clock_gettime(t: Task, clk: number, tp: number): number {
  const ms = clockMs(t, clk);
  writeTimespec(t, tp, ms);
  return 0;
}

function sys_clock_getres(t: Task, clk: number, tp: number): number {
  clockMs(t, clk);
  if (tp) writeTimespec(t, tp, 0.001);
  return 0;
}

function sys_gettimeofday(t: Task, tv: number, tz: number): number {
  if (tv) {
    const ms = t.kernel.host.wallclock();
    t.mem.setI32(tv, Math.floor(ms / 1000));
    t.mem.setI32(tv + 4, Math.floor((ms % 1000) * 1000));
  }
  if (tz) { t.mem.setI32(tz, 0); t.mem.setI32(tz + 4, 0); }
  return 0;
}

function sys_clock_nanosleep(t: Task, clk: number, flags: number, req: number, rem: number): number {
  const k = t.kernel;
  let st = t.sysState as { deadline: number } | undefined;
  if (!st) {
    if (clk !== CLOCK_REALTIME && clk !== CLOCK_MONOTONIC && clk !== CLOCK_BOOTTIME) raise(EINVAL);
    const ms = readTimespec(t, req);
    let deadline: number;
    if (flags & TIMER_ABSTIME) {
      deadline = clk === CLOCK_REALTIME ? k.now() + (ms - k.host.wallclock()) : ms;
    } else deadline = k.now() + ms;
    st = { deadline };
    t.sysState = st;
  }
  const left = st.deadline - k.now();
  if (left <= 0) return 0;
  t.sleepUntil(st.deadline);
  const deadline = st.deadline;
  t.onInterrupt = () => {
    if (rem && !(flags & TIMER_ABSTIME)) {
      try { writeTimespec(t, rem, Math.max(0, deadline - k.now())); } catch { return -EFAULT; }
    }
    return -4; // EINTR (Linux would restart transparently when no handler runs; we report EINTR)
  };
  throw BLOCK;
}

export const timeSyscalls: SyscallDefs = {
  clock_gettime: { handler: sys_clock_gettime, level: 'full', note: 'CPU-time clocks count time spent running in the kernel thread.' },
  clock_getres: { handler: sys_clock_getres, level: 'full', note: 'Reports 1 µs.' },
  gettimeofday: { handler: sys_gettimeofday, level: 'full' },
  settimeofday: { handler: () => raise(EPERM), level: 'stub', note: 'The clock belongs to the host.' },
  clock_settime: { handler: () => raise(EPERM), level: 'stub', note: 'The clock belongs to the host.' },
  nanosleep: { handler: (t, req, rem) => sys_clock_nanosleep(t, CLOCK_MONOTONIC, 0, req, rem), level: 'full', note: 'Takes the 64-bit timespec (the wasm32 ABI has no time32 variant).' },
  clock_nanosleep: { handler: sys_clock_nanosleep, level: 'full', note: 'Millisecond timer resolution. An interrupted sleep returns EINTR even when no handler ran.' },
};
