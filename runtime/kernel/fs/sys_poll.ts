// poll(2) and select(2) family (fs/select.c): ppoll and pselect6 over File.poll() readiness, sleeping on
// every involved file's wait queue plus a timer. The temporary signal mask of ppoll/pselect6 is installed
// for the wait and restored after a handler ran (like sigsuspend), via SignalState.savedMask.
import { EBADF, EINVAL } from '../../abi/errno.js';
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDNORM, POLLWRNORM } from '../../abi/fcntl.js';
import { BLOCK, raise } from '../errors.js';
import { UNBLOCKABLE } from '../signal/signal.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';
import type { File } from './file.js';

const ALWAYS = POLLERR | POLLHUP | POLLNVAL;

interface WaitState { deadline: number; masked: boolean; }

/** Read an optional time64 timespec as a deadline (Infinity when NULL). */
function deadlineOf(t: Task, ts: number): number {
  if (!ts) return Infinity;
  const sec = t.mem.i64(ts), nsec = t.mem.i32(ts + 8);
  if (sec < 0 || nsec < 0 || nsec > 999_999_999) raise(EINVAL);
  return t.kernel.now() + sec * 1000 + nsec / 1e6;
}

function begin(t: Task, ts: number, mask: number, masklen: number): WaitState {
  let st = t.sysState as WaitState | undefined;
  if (st) return st;
  st = { deadline: deadlineOf(t, ts), masked: false };
  if (mask) {
    if (masklen !== 8) raise(EINVAL);
    const m = t.mem.u64big(mask);
    t.sig.savedMask = t.sig.blocked;
    t.sig.blocked = m & ~UNBLOCKABLE;
    st.masked = true;
    t.kernel.signals.recalc(t);
  }
  t.sysState = st;
  return st;
}

/** Nothing ready: restore the mask (if no signal is coming) or sleep. */
function waitOrTimeout(t: Task, st: WaitState, files: File[]): number {
  const k = t.kernel;
  if (k.now() >= st.deadline) {
    if (st.masked) { t.sig.blocked = t.sig.savedMask ?? t.sig.blocked; t.sig.savedMask = null; k.signals.recalc(t); }
    return 0;
  }
  for (const f of files) { const q = f.waitQueue(); if (q) t.sleepOn(q); }
  if (st.deadline !== Infinity) t.sleepUntil(st.deadline);
  t.restartCode = -514; // ERESTARTNOHAND
  throw BLOCK;
}

function done(t: Task, st: WaitState, n: number): number {
  if (st.masked) { t.sig.blocked = t.sig.savedMask ?? t.sig.blocked; t.sig.savedMask = null; t.kernel.signals.recalc(t); }
  return n;
}

function sys_ppoll(t: Task, fds: number, nfds: number, ts: number, mask: number, masklen: number): number {
  if (nfds < 0 || nfds > t.files.limit) raise(EINVAL);
  if (nfds) t.mem.check(fds, nfds * 8);
  const st = begin(t, ts, mask, masklen);
  let n = 0;
  const files: File[] = [];
  for (let i = 0; i < nfds; i++) {
    const p = fds + i * 8;
    const fd = t.mem.i32(p);
    const events = t.mem.u16(p + 4);
    let rev = 0;
    if (fd >= 0) {
      if (!t.files.has(fd)) rev = POLLNVAL;
      else {
        const f = t.files.get(fd);
        files.push(f);
        let ready = f.poll();
        if (ready & POLLIN) ready |= POLLRDNORM;
        if (ready & POLLOUT) ready |= POLLWRNORM;
        rev = ready & (events | ALWAYS);
      }
    }
    t.mem.setU16(p + 6, rev);
    if (rev) n++;
  }
  if (n > 0) return done(t, st, n);
  return waitOrTimeout(t, st, files);
}

function readFdSet(t: Task, addr: number, n: number): Uint8Array | null {
  if (!addr) return null;
  return t.mem.copyIn(addr, Math.ceil(n / 32) * 4);
}

function sys_pselect6(t: Task, n: number, inp: number, outp: number, exp: number, ts: number, sig: number): number {
  if (n < 0 || n > 65536) raise(EINVAL);
  let mask = 0, masklen = 0;
  if (sig) { mask = t.mem.u32(sig); masklen = t.mem.u32(sig + 4); }
  const st = begin(t, ts, mask, masklen);
  const sets = [readFdSet(t, inp, n), readFdSet(t, outp, n), readFdSet(t, exp, n)];
  const want = [POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI];
  const out = sets.map((s) => (s ? new Uint8Array(s.length) : null));
  let count = 0;
  const files: File[] = [];
  for (let fd = 0; fd < n; fd++) {
    const byte = fd >> 3, bitm = 1 << (fd & 7);
    if (!sets.some((s) => s && (s[byte]! & bitm))) continue;
    if (!t.files.has(fd)) raise(EBADF);
    const f = t.files.get(fd);
    files.push(f);
    const ready = f.poll();
    sets.forEach((s, i) => {
      if (s && (s[byte]! & bitm) && (ready & want[i]!)) { out[i]![byte]! |= bitm; count++; }
    });
  }
  if (count > 0) {
    const addrs = [inp, outp, exp];
    out.forEach((o, i) => { if (o) t.mem.copyOut(addrs[i]!, o); });
    return done(t, st, count);
  }
  const r = waitOrTimeout(t, st, files);
  // Timed out: clear the sets as Linux does.
  [inp, outp, exp].forEach((a, i) => { if (a && sets[i]) t.mem.zero(a, sets[i]!.length); });
  return r;
}

export const pollSyscalls: SyscallDefs = {
  ppoll: { handler: sys_ppoll, level: 'full' },
  pselect6: { handler: sys_pselect6, level: 'full', note: 'The remaining time is not written back to the timeout.' },
};

