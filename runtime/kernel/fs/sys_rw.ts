// Syscalls on file descriptors that do not depend on the filesystem (fs/read_write.c, fs/fcntl.c,
// fs/ioctl.c, fs/file.c, fs/pipe.c): read/write and their vector and positioned forms, close, dup, fcntl,
// ioctl, pipe2. Blocking: a File raises EAGAIN when it would block; unless O_NONBLOCK the task sleeps on
// the file's wait queue and the call runs again when woken. A transfer of at least one byte is reported
// to fsnotify (IN_ACCESS, IN_MODIFY), as vfs_read/vfs_write do.
import { EAGAIN, EBADF, EINVAL, ESPIPE } from '../../abi/errno.js';
import {
  FD_CLOEXEC, F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_GETLK, F_GETOWN, F_GETPIPE_SZ, F_SETFD, F_SETFL,
  F_SETLK, F_SETLKW, F_SETOWN, F_SETPIPE_SZ, O_APPEND, O_ASYNC, O_CLOEXEC, O_DIRECT, O_NOATIME, O_NONBLOCK,
  F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_GETSIG, F_SETSIG, F_GETLK64, F_SETLK64, F_SETLKW64,
} from '../../abi/fcntl.js';
import { BLOCK, isErrno, raise } from '../errors.js';
import { createPipe, PIPE_SIZE } from './pipe.js';
import { flock, getlk, readFlock, setlk, writeFlock } from './locks.js';
import { fsnotifyAccess, fsnotifyModify } from './notify/fsnotify.js';
import type { File } from './file.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';

const IOV_MAX = 1024;

/** Run an I/O step; on EAGAIN from a blocking description, sleep on its wait queue. */
export function blockingIo(t: Task, f: File, step: () => number): number {
  try {
    return step();
  } catch (e) {
    if (!isErrno(e) || e.errno !== EAGAIN || (f.flags & O_NONBLOCK)) throw e;
    const q = f.waitQueue();
    if (!q) throw e;
    t.sleepOn(q);
    throw BLOCK;
  }
}

function readable(t: Task, fd: number): File {
  const f = t.files.get(fd);
  if (!f.readable) raise(EBADF);
  return f;
}

function writable(t: Task, fd: number): File {
  const f = t.files.get(fd);
  if (!f.writable) raise(EBADF);
  return f;
}

const off64 = (lo: number, hi: number): number => (hi * 0x1_0000_0000) + (lo >>> 0);

function doRead(t: Task, fd: number, buf: number, count: number, off: number): number {
  const f = readable(t, fd);
  if (count < 0) raise(EINVAL);
  const dst = t.mem.view(buf, count >>> 0);
  const n = blockingIo(t, f, () => f.read(t, dst, off));
  if (n > 0) fsnotifyAccess(f);
  return n;
}

function doWrite(t: Task, fd: number, buf: number, count: number, off: number): number {
  const f = writable(t, fd);
  if (count < 0) raise(EINVAL);
  const src = t.mem.view(buf, count >>> 0);
  const n = blockingIo(t, f, () => f.write(t, src, off));
  if (n > 0) fsnotifyModify(f);
  return n;
}

function iovecs(t: Task, iov: number, cnt: number): Uint8Array[] {
  if (cnt < 0 || cnt > IOV_MAX) raise(EINVAL);
  const out: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < cnt; i++) {
    const base = t.mem.u32(iov + i * 8), len = t.mem.u32(iov + i * 8 + 4);
    total += len;
    if (total > 0x7ffff000) raise(EINVAL);
    out.push(len ? t.mem.view(base, len) : new Uint8Array(0));
  }
  return out;
}

function doReadv(t: Task, fd: number, iov: number, cnt: number, off: number): number {
  const f = readable(t, fd);
  const vs = iovecs(t, iov, cnt);
  let total = 0;
  for (const v of vs) {
    if (v.length === 0) continue;
    let n: number;
    try {
      n = total === 0 ? blockingIo(t, f, () => f.read(t, v, off < 0 ? -1 : off + total))
        : f.read(t, v, off < 0 ? -1 : off + total);
    } catch (e) {
      if (total > 0 && isErrno(e)) break;
      throw e;
    }
    total += n;
    if (n < v.length) break;
  }
  if (total > 0) fsnotifyAccess(f);
  return total;
}

function doWritev(t: Task, fd: number, iov: number, cnt: number, off: number): number {
  const f = writable(t, fd);
  const vs = iovecs(t, iov, cnt).filter((v) => v.length > 0);
  if (vs.length === 0) return 0;
  let src: Uint8Array;
  if (vs.length === 1) src = vs[0]!;
  else {
    let len = 0;
    for (const v of vs) len += v.length;
    src = new Uint8Array(len);
    let p = 0;
    for (const v of vs) { src.set(v, p); p += v.length; }
  }
  const n = blockingIo(t, f, () => f.write(t, src, off));
  if (n > 0) fsnotifyModify(f);
  return n;
}

function positioned(t: Task, fd: number, lo: number, hi: number): number {
  const off = off64(lo, hi);
  if (off < 0) raise(EINVAL);
  const f = t.files.get(fd);
  if (f.waitQueue() && !f.node) raise(ESPIPE);
  return off;
}

function sys_close(t: Task, fd: number): number { t.files.close(fd); return 0; }

function sys_dup(t: Task, fd: number): number {
  const f = t.files.get(fd);
  return t.files.install(f.get(), false);
}

function sys_dup3(t: Task, old: number, nw: number, flags: number): number {
  if (flags & ~O_CLOEXEC) raise(EINVAL);
  if (old === nw) raise(EINVAL);
  const f = t.files.get(old);
  if (nw < 0 || nw >= t.files.limit) raise(EBADF);
  t.files.installAt(nw, f.get(), (flags & O_CLOEXEC) !== 0);
  return nw;
}

const SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

function sys_fcntl64(t: Task, fd: number, cmd: number, arg: number): number {
  const f = t.files.get(fd);
  switch (cmd) {
    case F_DUPFD: case F_DUPFD_CLOEXEC:
      if (arg < 0 || arg >= t.files.limit) raise(EINVAL);
      return t.files.install(f.get(), cmd === F_DUPFD_CLOEXEC, arg);
    case F_GETFD: return t.files.getCloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD: t.files.setCloexec(fd, (arg & FD_CLOEXEC) !== 0); return 0;
    case F_GETFL: return f.flags & ~O_CLOEXEC;
    case F_SETFL: f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK); f.waitQueue()?.wake(); return 0;
    case F_GETLK: case F_GETLK64: case F_OFD_GETLK: {
      const s = readFlock(t, arg);
      if (cmd === F_OFD_GETLK && s.pid !== 0) raise(EINVAL);
      writeFlock(t, arg, getlk(t, f, s, cmd === F_OFD_GETLK ? f : t));
      return 0;
    }
    case F_SETLK: case F_SETLK64: case F_OFD_SETLK:
    case F_SETLKW: case F_SETLKW64: case F_OFD_SETLKW: {
      const s = readFlock(t, arg);
      const ofd = cmd === F_OFD_SETLK || cmd === F_OFD_SETLKW;
      if (ofd && s.pid !== 0) raise(EINVAL);
      const wait = cmd === F_SETLKW || cmd === F_SETLKW64 || cmd === F_OFD_SETLKW;
      return setlk(t, f, s, ofd ? f : t, wait, ofd);
    }
    case F_GETOWN: return 0;
    case F_SETOWN: return 0;
    case F_GETSIG: return 0;
    case F_SETSIG: return 0;
    case F_GETPIPE_SZ: if (!f.waitQueue()) raise(EINVAL); return PIPE_SIZE;
    case F_SETPIPE_SZ: if (!f.waitQueue()) raise(EINVAL); return PIPE_SIZE;
    default: return raise(EINVAL);
  }
}

const FIONBIO = 0x5421, FIOCLEX = 0x5451, FIONCLEX = 0x5450, FIOASYNC = 0x5452;

function sys_ioctl(t: Task, fd: number, req: number, arg: number): number {
  const f = t.files.get(fd);
  req >>>= 0;
  switch (req) {
    case FIONBIO: if (t.mem.i32(arg)) f.flags |= O_NONBLOCK; else f.flags &= ~O_NONBLOCK; return 0;
    case FIOCLEX: t.files.setCloexec(fd, true); return 0;
    case FIONCLEX: t.files.setCloexec(fd, false); return 0;
    case FIOASYNC: return 0;
    default: return f.ioctl(t, req, arg);
  }
}

function sys_pipe2(t: Task, fds: number, flags: number): number {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) raise(EINVAL);
  t.mem.check(fds, 8);
  const [r, w] = createPipe(flags);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  let rfd = -1;
  try {
    rfd = t.files.install(r, cloexec);
    const wfd = t.files.install(w, cloexec);
    t.mem.setI32(fds, rfd);
    t.mem.setI32(fds + 4, wfd);
  } catch (e) {
    if (rfd >= 0) t.files.close(rfd); else r.put();
    w.put();
    throw e;
  }
  return 0;
}

function sys_close_range(t: Task, first: number, last: number, flags: number): number {
  first >>>= 0; last >>>= 0;
  if (first > last || (flags & ~6)) raise(EINVAL);
  for (const [fd] of t.files.entries()) {
    if (fd < first || fd > last) continue;
    if (flags & 4) t.files.setCloexec(fd, true); else t.files.close(fd);
  }
  return 0;
}

export const rwSyscalls: SyscallDefs = {
  read: { handler: (t, fd, b, c) => doRead(t, fd, b, c, -1), level: 'full' },
  write: { handler: (t, fd, b, c) => doWrite(t, fd, b, c, -1), level: 'full' },
  readv: { handler: (t, fd, v, c) => doReadv(t, fd, v, c, -1), level: 'full' },
  writev: { handler: (t, fd, v, c) => doWritev(t, fd, v, c, -1), level: 'full' },
  pread64: { handler: (t, fd, b, c, lo, hi) => doRead(t, fd, b, c, positioned(t, fd, lo, hi)), level: 'full' },
  pwrite64: { handler: (t, fd, b, c, lo, hi) => doWrite(t, fd, b, c, positioned(t, fd, lo, hi)), level: 'full' },
  preadv: { handler: (t, fd, v, c, lo, hi) => doReadv(t, fd, v, c, positioned(t, fd, lo, hi)), level: 'full' },
  pwritev: { handler: (t, fd, v, c, lo, hi) => doWritev(t, fd, v, c, positioned(t, fd, lo, hi)), level: 'full' },
  close: { handler: sys_close, level: 'full' },
  close_range: { handler: sys_close_range, level: 'full' },
  dup: { handler: sys_dup, level: 'full' },
  dup3: { handler: sys_dup3, level: 'full' },
  fcntl64: { handler: sys_fcntl64, level: 'full', note: 'F_SETOWN/F_SETSIG (SIGIO) are accepted and have no effect.' },
  flock: { handler: (t, fd, op) => flock(t, t.files.get(fd), op), level: 'full' },
  ioctl: { handler: sys_ioctl, level: 'partial', note: 'Generic FIONBIO/FIOCLEX/FIONCLEX; the rest is per device.' },
  pipe2: { handler: sys_pipe2, level: 'full', note: 'O_DIRECT (packet mode) is accepted and ignored.' },
};

