// File locks (fs/locks.c): flock(2) locks owned by an open file description, POSIX record locks
// (fcntl F_SETLK/F_SETLKW/F_GETLK) owned by a process, and OFD record locks owned by a description.
// Locks are keyed by the file's node (its inode), so every description of one file sees them. Blocking
// requests sleep on a per-node queue woken at every unlock. POSIX locks of a process are released when
// it closes any descriptor of the file or exits; flock and OFD locks when the description is released.
import { EAGAIN, EBADF, EDEADLK, EINVAL, ENOLCK } from '../../abi/errno.js';
import { SEEK_CUR, SEEK_END, SEEK_SET } from '../../abi/fcntl.js';
import { BLOCK, raise } from '../errors.js';
import { WaitQueue } from '../wait.js';
import type { File } from './file.js';
import type { Task } from '../proc/task.js';

export const F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
export const LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
const OFFSET_MAX = Number.MAX_SAFE_INTEGER;

/** A lock owner: a process (POSIX) or an open file description (flock, OFD). */
type Owner = Task | File;

interface RecordLock { owner: Owner; type: number; start: number; end: number; /* inclusive end, OFFSET_MAX = EOF */ pid: number; }

interface NodeLocks {
  flock: { owner: File; type: number }[];
  records: RecordLock[];
  wq: WaitQueue;
}

const table = new WeakMap<object, NodeLocks>();
/** Nodes on which a description/process holds locks, for release at close/exit. */
const heldBy = new WeakMap<object, Set<object>>();

function keyOf(f: File): object { return (f.node as object | undefined) ?? f; }

function locksOf(key: object): NodeLocks {
  let l = table.get(key);
  if (!l) { l = { flock: [], records: [], wq: new WaitQueue() }; table.set(key, l); }
  return l;
}

function noteHeld(owner: object, key: object): void {
  let s = heldBy.get(owner);
  if (!s) { s = new Set(); heldBy.set(owner, s); }
  s.add(key);
}

// ---- flock ----

export function flock(t: Task, f: File, op: number): number {
  const how = op & ~LOCK_NB;
  if (how !== LOCK_SH && how !== LOCK_EX && how !== LOCK_UN) raise(EINVAL);
  const key = keyOf(f);
  const l = locksOf(key);
  const mine = l.flock.findIndex((x) => x.owner === f);
  if (how === LOCK_UN) {
    if (mine >= 0) { l.flock.splice(mine, 1); l.wq.wake(); }
    return 0;
  }
  const conflict = l.flock.some((x) => x.owner !== f && (how === LOCK_EX || x.type === LOCK_EX));
  if (conflict) {
    // Converting an existing lock drops it first, as Linux does.
    if (mine >= 0) { l.flock.splice(mine, 1); l.wq.wake(); }
    if (op & LOCK_NB) raise(EAGAIN);
    t.sleepOn(l.wq);
    throw BLOCK;
  }
  if (mine >= 0) l.flock[mine]!.type = how;
  else l.flock.push({ owner: f, type: how });
  noteHeld(f, key);
  return 0;
}

// ---- record locks ----

export interface FlockStruct { type: number; whence: number; start: number; len: number; pid: number; }

/** struct flock on wasm32 (32 bytes): l_type i16 @0, l_whence i16 @2, l_start i64 @8, l_len i64 @16, l_pid i32 @24. */
export function readFlock(t: Task, addr: number): FlockStruct {
  const m = t.mem;
  m.check(addr, 32);
  return { type: m.dv.getInt16(addr, true), whence: m.dv.getInt16(addr + 2, true), start: m.i64(addr + 8),
    len: m.i64(addr + 16), pid: m.i32(addr + 24) };
}

export function writeFlock(t: Task, addr: number, s: FlockStruct): void {
  const m = t.mem;
  m.check(addr, 32);
  m.dv.setInt16(addr, s.type, true);
  m.dv.setInt16(addr + 2, s.whence, true);
  m.setI64(addr + 8, s.start);
  m.setI64(addr + 16, s.len);
  m.setI32(addr + 24, s.pid);
}

function range(f: File, s: FlockStruct): [number, number] {
  let base: number;
  if (s.whence === SEEK_SET) base = 0;
  else if (s.whence === SEEK_CUR) base = f.pos;
  else if (s.whence === SEEK_END) base = f.stat().size;
  else return raise(EINVAL);
  let start = base + s.start;
  let end: number;
  if (s.len > 0) end = start + s.len - 1;
  else if (s.len === 0) end = OFFSET_MAX;
  else { end = start - 1; start = start + s.len; }
  if (start < 0) raise(EINVAL);
  return [start, end];
}

function conflicts(a: RecordLock, owner: Owner, type: number, start: number, end: number): boolean {
  return a.owner !== owner && a.start <= end && start <= a.end && (type === F_WRLCK || a.type === F_WRLCK);
}

/** Would waiting for `blocker`'s owner deadlock (it waits, transitively, for a lock `me` holds)? */
function wouldDeadlock(me: Task, blocker: Owner, depth = 0): boolean {
  if (depth > 16 || !('pid' in blocker) || typeof (blocker as Task).pid !== 'number') return false;
  const w = waiting.get(blocker as Task);
  if (!w) return false;
  for (const r of w.l.records) {
    if (conflicts(r, blocker, w.type, w.start, w.end)) {
      if (r.owner === me) return true;
      if (wouldDeadlock(me, r.owner, depth + 1)) return true;
    }
  }
  return false;
}

const waiting = new WeakMap<Task, { l: NodeLocks; type: number; start: number; end: number }>();

/** F_GETLK: the first lock that would block `s`, or F_UNLCK. */
export function getlk(t: Task, f: File, s: FlockStruct, owner: Owner): FlockStruct {
  if (s.type !== F_RDLCK && s.type !== F_WRLCK) raise(EINVAL);
  const [start, end] = range(f, s);
  const l = locksOf(keyOf(f));
  const c = l.records.find((r) => conflicts(r, owner, s.type, start, end));
  if (!c) return { ...s, type: F_UNLCK };
  return { type: c.type, whence: SEEK_SET, start: c.start, len: c.end === OFFSET_MAX ? 0 : c.end - c.start + 1,
    pid: c.owner === owner ? 0 : c.pid };
}

/** F_SETLK / F_SETLKW (and the OFD variants with `owner` = the description). */
export function setlk(t: Task, f: File, s: FlockStruct, owner: Owner, wait: boolean, ofd: boolean): number {
  if (s.type === F_RDLCK && !f.readable) raise(EBADF);
  if (s.type === F_WRLCK && !f.writable) raise(EBADF);
  if (s.type !== F_RDLCK && s.type !== F_WRLCK && s.type !== F_UNLCK) raise(EINVAL);
  const [start, end] = range(f, s);
  const key = keyOf(f);
  const l = locksOf(key);
  if (s.type !== F_UNLCK) {
    const c = l.records.find((r) => conflicts(r, owner, s.type, start, end));
    if (c) {
      if (!wait) raise(EAGAIN);
      if (!ofd && wouldDeadlock(t, c.owner)) raise(EDEADLK);
      waiting.set(t, { l, type: s.type, start, end });
      t.onInterrupt = () => { waiting.delete(t); return -4; };
      t.sleepOn(l.wq);
      throw BLOCK;
    }
  }
  waiting.delete(t);
  if (l.records.length > 10000) raise(ENOLCK);
  // Remove our coverage of [start, end], splitting partly covered locks, then add the new one.
  const out: RecordLock[] = [];
  for (const r of l.records) {
    if (r.owner !== owner || r.end < start || r.start > end) { out.push(r); continue; }
    if (r.start < start) out.push({ ...r, end: start - 1 });
    if (r.end > end) out.push({ ...r, start: end + 1 });
  }
  if (s.type !== F_UNLCK) {
    out.push({ owner, type: s.type, start, end, pid: ofd ? -1 : t.pid });
    noteHeld(owner, key);
  }
  // Merge adjacent locks of the same owner and type.
  out.sort((a, b) => a.start - b.start);
  const merged: RecordLock[] = [];
  for (const r of out) {
    const last = merged[merged.length - 1];
    if (last && last.owner === r.owner && last.type === r.type && last.end !== OFFSET_MAX && last.end + 1 >= r.start) {
      last.end = Math.max(last.end, r.end);
    } else merged.push({ ...r });
  }
  l.records = merged;
  l.wq.wake();
  return 0;
}

/** Release everything `owner` holds (description released: flock + OFD; process exit: POSIX). */
export function releaseLocks(owner: object): void {
  const keys = heldBy.get(owner);
  if (!keys) return;
  heldBy.delete(owner);
  for (const key of keys) dropOwnerOn(owner, key);
}

function dropOwnerOn(owner: object, key: object): void {
  const l = table.get(key);
  if (!l) return;
  const nf = l.flock.filter((x) => x.owner !== owner);
  const nr = l.records.filter((r) => r.owner !== owner);
  if (nf.length !== l.flock.length || nr.length !== l.records.length) {
    l.flock = nf; l.records = nr; l.wq.wake();
  }
}

/** close(2) of any descriptor of a file drops the calling process's POSIX locks on it. */
export function closePosixLocks(t: Task, f: File): void {
  const keys = heldBy.get(t);
  const key = keyOf(f);
  if (keys?.has(key)) { keys.delete(key); dropOwnerOn(t, key); }
}
