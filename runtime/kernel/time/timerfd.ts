// timerfd (fs/timerfd.c): a timer delivered as a readable 8-byte expiration count. struct itimerspec is two
// time64 timespecs (32 bytes): it_interval @0, it_value @16.
import { EAGAIN, EINVAL } from '../../abi/errno.js';
import { O_CLOEXEC, O_NONBLOCK, O_RDWR, POLLIN } from '../../abi/fcntl.js';
import { CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME } from '../../abi/sched.js';
import { raise } from '../errors.js';
import { WaitQueue } from '../wait.js';
import { anonIno, anonStat } from '../fs/anon.js';
import { File } from '../fs/file.js';
import type { Stat } from '../fs/stat.js';
import type { Kernel } from '../kernel.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';
import { readTimespec, writeTimespec } from './sys_time.js';

export const TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2;

export class TimerFd extends File {
  readonly wq = new WaitQueue();
  private readonly ino = anonIno();
  expirations = 0n;
  /** Next expiry on the kernel's monotonic clock (ms), or 0 when disarmed. */
  deadline = 0;
  interval = 0;
  private handle: unknown = null;

  constructor(private readonly k: Kernel, readonly clock: number, flags: number) { super(O_RDWR | flags); }

  private schedule(): void {
    if (this.handle !== null) { this.k.host.clearTimer(this.handle); this.handle = null; }
    if (!this.deadline) return;
    this.handle = this.k.host.setTimer(() => this.fire(), Math.max(0, this.deadline - this.k.now()));
  }

  private fire(): void {
    this.handle = null;
    const now = this.k.now();
    if (!this.deadline || now < this.deadline) { this.schedule(); return; }
    if (this.interval > 0) {
      const n = Math.floor((now - this.deadline) / this.interval) + 1;
      this.expirations += BigInt(n);
      this.deadline += n * this.interval;
      this.schedule();
    } else {
      this.expirations += 1n;
      this.deadline = 0;
    }
    this.wq.wake();
  }

  arm(valueMs: number, intervalMs: number): void {
    this.deadline = valueMs > 0 ? valueMs : 0;
    this.interval = intervalMs;
    this.expirations = 0n;
    this.schedule();
  }

  remaining(): number { return this.deadline ? Math.max(0.000001, this.deadline - this.k.now()) : 0; }

  override read(_t: Task, dst: Uint8Array, _off: number): number {
    if (dst.length < 8) raise(EINVAL);
    if (this.expirations === 0n) raise(EAGAIN);
    new DataView(dst.buffer, dst.byteOffset, 8).setBigUint64(0, this.expirations, true);
    this.expirations = 0n;
    return 8;
  }

  override poll(): number { return this.expirations > 0n ? POLLIN : 0; }
  override waitQueue(): WaitQueue { return this.wq; }
  override stat(): Stat { return anonStat(this.ino); }
  override release(): void { this.deadline = 0; this.schedule(); }
}

function timerOf(t: Task, fd: number): TimerFd {
  const f = t.files.get(fd);
  if (!(f instanceof TimerFd)) raise(EINVAL);
  return f;
}

function sys_timerfd_create(t: Task, clock: number, flags: number): number {
  if (clock !== CLOCK_REALTIME && clock !== CLOCK_MONOTONIC && clock !== CLOCK_BOOTTIME) raise(EINVAL);
  if (flags & ~(O_CLOEXEC | O_NONBLOCK)) raise(EINVAL);
  return t.files.install(new TimerFd(t.kernel, clock, flags & O_NONBLOCK), (flags & O_CLOEXEC) !== 0);
}

function writeCurrent(t: Task, tf: TimerFd, addr: number): void {
  writeTimespec(t, addr, tf.interval);
  writeTimespec(t, addr + 16, tf.remaining());
}

function sys_timerfd_settime(t: Task, fd: number, flags: number, nv: number, old: number): number {
  const tf = timerOf(t, fd);
  if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) raise(EINVAL);
  const interval = readTimespec(t, nv);
  let value = readTimespec(t, nv + 16);
  if (old) writeCurrent(t, tf, old);
  const k = t.kernel;
  if (value > 0) {
    if (flags & TFD_TIMER_ABSTIME) {
      value = tf.clock === CLOCK_REALTIME ? k.now() + (value - k.host.wallclock()) : value;
      value = Math.max(value, k.now() + 0.001);
    } else value = k.now() + value;
  }
  tf.arm(value, interval);
  return 0;
}

function sys_timerfd_gettime(t: Task, fd: number, cur: number): number {
  writeCurrent(t, timerOf(t, fd), cur);
  return 0;
}

export const timerfdSyscalls: SyscallDefs = {
  timerfd_create: { handler: sys_timerfd_create, level: 'full', note: 'Millisecond host timer resolution.' },
  timerfd_settime: { handler: sys_timerfd_settime, level: 'partial', note: 'TFD_TIMER_CANCEL_ON_SET is accepted and never cancels (the clock is never set).' },
  timerfd_gettime: { handler: sys_timerfd_gettime, level: 'full' },
};
