// epoll (fs/eventpoll.c). An epoll file keeps an interest list of (file, fd) pairs. Readiness is computed
// from File.poll() at wait time (level-triggered by default); EPOLLET reports a file again only after its
// wait queue fired since the last report, EPOLLONESHOT disables an entry after one report until
// EPOLL_CTL_MOD. Every watched file's wait queue wakes the epoll file's own queue, so epoll sets nest and
// can themselves be polled. struct epoll_event is 16 bytes on wasm32: events u32 @0, data u64 @8.
import { EEXIST, EINTR, EINVAL, ELOOP, ENOENT, EPERM } from '../../abi/errno.js';
import { O_CLOEXEC, O_RDWR, POLLERR, POLLHUP, POLLIN, S_IFDIR, S_IFMT, S_IFREG } from '../../abi/fcntl.js';
import { BLOCK, raise } from '../errors.js';
import { UNBLOCKABLE } from '../signal/signal.js';
import { WaitQueue } from '../wait.js';
import { anonIno, anonStat } from './anon.js';
import { File } from './file.js';
import type { Stat } from './stat.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';

export const EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
export const EPOLLET = 1 << 31, EPOLLONESHOT = 1 << 30, EPOLLWAKEUP = 1 << 29, EPOLLEXCLUSIVE = 1 << 28;
const EVENT_SIZE = 16;
const ALWAYS = POLLERR | POLLHUP;

interface Interest {
  file: File;
  fd: number;
  events: number;
  data: bigint;
  /** The file's queue fired since the last report (edge-triggered bookkeeping). */
  woken: boolean;
  disabled: boolean;
  unhook: (() => void) | null;
}

export class EpollFile extends File {
  readonly items = new Map<File, Map<number, Interest>>();
  readonly wq = new WaitQueue();
  private readonly ino = anonIno();

  constructor(flags: number) { super(O_RDWR | flags); }

  private hook(it: Interest): void {
    const q = it.file.waitQueue();
    if (!q) return;
    it.unhook = q.add(() => {
      it.woken = true;
      it.unhook = null;
      if (this.refs > 0 && it.file.refs > 0 && !it.disabled) this.hook(it);
      this.wq.wake();
    });
  }

  add(file: File, fd: number, events: number, data: bigint): void {
    if (file === this) raise(EINVAL);
    if (file instanceof EpollFile && file.watches(this)) raise(ELOOP);
    let m = this.items.get(file);
    if (!m) { m = new Map(); this.items.set(file, m); }
    if (m.has(fd)) raise(EEXIST);
    const it: Interest = { file, fd, events, data, woken: true, disabled: false, unhook: null };
    m.set(fd, it);
    this.hook(it);
    this.wq.wake();
  }

  find(file: File, fd: number): Interest {
    const it = this.items.get(file)?.get(fd);
    if (!it) raise(ENOENT);
    return it;
  }

  remove(file: File, fd: number): void {
    const it = this.find(file, fd);
    it.unhook?.();
    const m = this.items.get(file)!;
    m.delete(fd);
    if (m.size === 0) this.items.delete(file);
  }

  modify(file: File, fd: number, events: number, data: bigint): void {
    const it = this.find(file, fd);
    it.events = events;
    it.data = data;
    it.disabled = false;
    it.woken = true;
    if (!it.unhook) this.hook(it);
    this.wq.wake();
  }

  /** Does this set (or a set it watches) watch `ep`? (loop detection) */
  watches(ep: EpollFile, depth = 0): boolean {
    if (depth > 5) return true;
    for (const f of this.items.keys()) {
      if (f === ep) return true;
      if (f instanceof EpollFile && f.watches(ep, depth + 1)) return true;
    }
    return false;
  }

  /** Ready entries, at most `max`; consumes edge-triggered and one-shot state when `consume`. */
  collect(max: number, consume: boolean): { events: number; data: bigint }[] {
    const out: { events: number; data: bigint }[] = [];
    for (const [file, m] of [...this.items]) {
      if (file.refs <= 0) { for (const it of m.values()) it.unhook?.(); this.items.delete(file); continue; }
      for (const it of m.values()) {
        if (out.length >= max) return out;
        if (it.disabled) continue;
        if ((it.events & EPOLLET) && !it.woken) continue;
        const ev = file.poll() & ((it.events & 0xffff) | ALWAYS);
        if (!ev) continue;
        out.push({ events: ev, data: it.data });
        if (consume) {
          if (it.events & EPOLLET) it.woken = false;
          if (it.events & EPOLLONESHOT) it.disabled = true;
        }
      }
    }
    return out;
  }

  override poll(): number { return this.collect(1, false).length > 0 ? POLLIN : 0; }
  override waitQueue(): WaitQueue { return this.wq; }
  override stat(): Stat { return anonStat(this.ino); }
  override release(): void {
    for (const m of this.items.values()) for (const it of m.values()) it.unhook?.();
    this.items.clear();
  }
}

function epollOf(t: Task, epfd: number): EpollFile {
  const f = t.files.get(epfd);
  if (!(f instanceof EpollFile)) raise(EINVAL);
  return f;
}

function sys_epoll_create1(t: Task, flags: number): number {
  if (flags & ~O_CLOEXEC) raise(EINVAL);
  return t.files.install(new EpollFile(0), (flags & O_CLOEXEC) !== 0);
}

function sys_epoll_ctl(t: Task, epfd: number, op: number, fd: number, ev: number): number {
  const ep = epollOf(t, epfd);
  const f = t.files.get(fd);
  // Regular files and directories are always ready; Linux refuses to watch them.
  const fmt = f.stat().mode & S_IFMT;
  if (fmt === S_IFREG || fmt === S_IFDIR) raise(EPERM);
  let events = 0, data = 0n;
  if (op !== EPOLL_CTL_DEL) {
    events = t.mem.u32(ev);
    data = t.mem.u64big(ev + 8);
  }
  switch (op) {
    case EPOLL_CTL_ADD: ep.add(f, fd, events, data); return 0;
    case EPOLL_CTL_DEL: ep.remove(f, fd); return 0;
    case EPOLL_CTL_MOD:
      if (events & EPOLLEXCLUSIVE) raise(EINVAL);
      ep.modify(f, fd, events, data); return 0;
    default: return raise(EINVAL);
  }
}

interface WaitState { deadline: number; masked: boolean; }

function epollWait(t: Task, epfd: number, events: number, max: number, timeoutMs: number, mask: number, masklen: number): number {
  const ep = epollOf(t, epfd);
  if (max <= 0 || max > 65536) raise(EINVAL);
  t.mem.check(events, max * EVENT_SIZE);
  const k = t.kernel;
  let st = t.sysState as WaitState | undefined;
  if (!st) {
    st = { deadline: timeoutMs < 0 ? Infinity : k.now() + timeoutMs, masked: false };
    if (mask) {
      if (masklen !== 8) raise(EINVAL);
      t.sig.savedMask = t.sig.blocked;
      t.sig.blocked = t.mem.u64big(mask) & ~UNBLOCKABLE;
      st.masked = true;
      k.signals.recalc(t);
    }
    t.sysState = st;
  }
  const ready = ep.collect(max, true);
  const restore = (): void => {
    if (st!.masked) { t.sig.blocked = t.sig.savedMask ?? t.sig.blocked; t.sig.savedMask = null; k.signals.recalc(t); }
  };
  if (ready.length > 0 || k.now() >= st.deadline) {
    ready.forEach((r, i) => {
      t.mem.setU32(events + i * EVENT_SIZE, r.events);
      t.mem.setU32(events + i * EVENT_SIZE + 4, 0);
      t.mem.setU64(events + i * EVENT_SIZE + 8, r.data);
    });
    restore();
    return ready.length;
  }
  t.sleepOn(ep.wq);
  if (st.deadline !== Infinity) t.sleepUntil(st.deadline);
  // epoll_wait is never restarted after a handler (signal(7)); with a temporary mask the mask is put back
  // by the signal frame, as for ppoll.
  t.restartCode = -514;
  if (!st.masked) t.onInterrupt = () => -EINTR;
  throw BLOCK;
}

function sys_epoll_pwait2(t: Task, epfd: number, events: number, max: number, ts: number, mask: number, masklen: number): number {
  let ms = -1;
  if (ts) {
    const sec = t.mem.i64(ts), nsec = t.mem.i32(ts + 8);
    if (sec < 0 || nsec < 0 || nsec > 999_999_999) raise(EINVAL);
    ms = sec * 1000 + nsec / 1e6;
  }
  return epollWait(t, epfd, events, max, ms, mask, masklen);
}

export const epollSyscalls: SyscallDefs = {
  epoll_create1: { handler: sys_epoll_create1, level: 'full' },
  epoll_ctl: { handler: sys_epoll_ctl, level: 'full', note: 'EPOLLEXCLUSIVE and EPOLLWAKEUP are accepted and have no effect.' },
  epoll_pwait: { handler: (t, ep, ev, max, to, mask, ml) => epollWait(t, ep, ev, max, to, mask, ml), level: 'full' },
  epoll_pwait2: { handler: sys_epoll_pwait2, level: 'full' },
};

