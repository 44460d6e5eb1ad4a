// Calls on open files that belong to the filesystem (fs/readdir.c getdents64, fs/read_write.c _llseek,
// fs/open.c fallocate, fs/sync.c fsync/fdatasync/sync/syncfs, mm/fadvise.c fadvise64_64).
import { EBADF, EINVAL, EISDIR, ENODEV, EOPNOTSUPP, ESPIPE, EFBIG } from '../../abi/errno.js';
import { O_PATH, S_IFDIR, S_IFIFO, S_IFMT, S_IFSOCK } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';
import { fsnotifyAccess, fsnotifyModify } from './notify/fsnotify.js';
import { RegInode, MAX_FILE_SIZE } from './tmpfs.js';

const off64 = (lo: number, hi: number): number => hi * 0x1_0000_0000 + (lo >>> 0);

export function sys_getdents64(t: Task, fd: number, buf: number, count: number): number {
  const f = t.files.get(fd);
  if (f.flags & O_PATH) raise(EBADF);
  const n = f.getdents64(t, t.mem.view(buf, count >>> 0));
  fsnotifyAccess(f);
  return n;
}

/** _llseek(fd, offset_high, offset_low, loff_t *result, whence): note the high word comes first. */
export function sys_llseek(t: Task, fd: number, hi: number, lo: number, result: number, whence: number): number {
  const f = t.files.get(fd);
  if (whence < 0 || whence > 4) raise(EINVAL);
  t.mem.check(result, 8);
  const pos = f.lseek(off64(lo, hi), whence);
  t.mem.setI64(result, pos);
  return 0;
}

export function sys_fallocate(t: Task, fd: number, mode: number, offLo: number, offHi: number, lenLo: number,
  lenHi: number): number {
  const f = t.files.get(fd);
  const off = off64(offLo, offHi), len = off64(lenLo, lenHi);
  if (off < 0 || len <= 0) raise(EINVAL);
  if (!f.writable) raise(EBADF);
  const fmt = (f.stat().mode & S_IFMT);
  if (fmt === S_IFIFO || fmt === S_IFSOCK) raise(ESPIPE);
  if (fmt === S_IFDIR) raise(EISDIR);
  if (!(f.node instanceof RegInode)) raise(ENODEV);
  if (mode !== 0) raise(EOPNOTSUPP);
  if (off + len > MAX_FILE_SIZE) raise(EFBIG);
  if (off + len > f.node.size) f.node.truncate(off + len);
  fsnotifyModify(f);
  return 0;
}

function checkFd(t: Task, fd: number): number { t.files.get(fd); return 0; }

export function sys_fadvise64_64(t: Task, fd: number, _a: number, _b: number, _c: number, _d: number,
  advice: number): number {
  const f = t.files.get(fd);
  if ((f.stat().mode & S_IFMT) === S_IFIFO) raise(ESPIPE);
  if (advice < 0 || advice > 5) raise(EINVAL);
  return 0;
}

export const fileSyscalls: SyscallDefs = {
  getdents64: { handler: sys_getdents64, level: 'full' },
  _llseek: { handler: sys_llseek, level: 'full' },
  fallocate: {
    handler: (t, a, b, c, d, e, f) => sys_fallocate(t, a, b, c, d, e, f),
    level: 'partial',
    note: 'Mode 0 only (extends the size; memory is allocated on write); other modes EOPNOTSUPP.',
  },
  fsync: { handler: (t, fd) => checkFd(t, fd), level: 'full', note: 'No-op: files live in memory.' },
  fdatasync: { handler: (t, fd) => checkFd(t, fd), level: 'full', note: 'No-op: files live in memory.' },
  sync: { handler: () => 0, level: 'full', note: 'No-op.' },
  syncfs: { handler: (t, fd) => checkFd(t, fd), level: 'full', note: 'No-op.' },
  fadvise64_64: { handler: sys_fadvise64_64, level: 'full', note: 'Advice is validated and ignored.' },
};
