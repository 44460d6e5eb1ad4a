// Attribute syscalls (fs/open.c: fchmod, fchmodat, fchown, fchownat, faccessat, faccessat2, truncate64,
// ftruncate64; fs/utimes.c: utimensat). 64-bit lengths arrive as two i32 halves, low word first.
import { EBADF, EFAULT, EINVAL, ENOENT } from '../../abi/errno.js';
import { AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_PATH } from '../../abi/fcntl.js';
import { IN_MODIFY } from '../../abi/inotify.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';
import { accessNode, chmodNode, chownNode, timeArg, truncateNode, utimesNode, type TimeArg } from './attr.js';
import type { NameRef } from './dcache.js';
import type { Inode } from './inode.js';
import { fsnotifyChange } from './notify/fsnotify.js';

const off64 = (lo: number, hi: number): number => hi * 0x1_0000_0000 + (lo >>> 0);

/** The node behind an fd for f* calls (EBADF for O_PATH descriptors, as Linux) and its name. */
function fdNodeForAttr(t: Task, fd: number): { node: Inode; at: NameRef | null } {
  const f = t.files.get(fd);
  if (f.flags & O_PATH) raise(EBADF);
  return { node: t.kernel.vfs.fdNode(t, fd), at: f.dentry ?? null };
}

export function sys_fchmod(t: Task, fd: number, mode: number): number {
  const { node, at } = fdNodeForAttr(t, fd);
  chmodNode(t.cred, node, mode, at);
  return 0;
}

export function sys_fchmodat(t: Task, dirfd: number, path: number, mode: number): number {
  const { node, at } = t.kernel.vfs.lookupNamedAt(t, dirfd, t.mem.cstring(path), 0);
  chmodNode(t.cred, node, mode, at);
  return 0;
}

export function sys_fchown(t: Task, fd: number, uid: number, gid: number): number {
  const { node, at } = fdNodeForAttr(t, fd);
  chownNode(t.cred, node, uid, gid, at);
  return 0;
}

export function sys_fchownat(t: Task, dirfd: number, path: number, uid: number, gid: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) raise(EINVAL);
  const { node, at } = t.kernel.vfs.lookupNamedAt(t, dirfd, t.mem.cstring(path), flags);
  chownNode(t.cred, node, uid, gid, at);
  return 0;
}

export function sys_utimensat(t: Task, dirfd: number, path: number, times: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) raise(EINVAL);
  let atime: TimeArg = 'now', mtime: TimeArg = 'now';
  if (times !== 0) {
    atime = timeArg(t.mem.i64(times), t.mem.i32(times + 8));
    mtime = timeArg(t.mem.i64(times + 16), t.mem.i32(times + 24));
  }
  let node: Inode, at: NameRef | null;
  if (path === 0) {
    // utimensat(fd, NULL, ...) is futimens(fd): Linux-specific, no flags allowed.
    if (flags & AT_SYMLINK_NOFOLLOW) raise(EINVAL);
    if (dirfd === AT_FDCWD) raise(EFAULT);
    node = t.kernel.vfs.fdNode(t, dirfd);
    at = t.files.get(dirfd).dentry ?? null;
  } else {
    ({ node, at } = t.kernel.vfs.lookupNamedAt(t, dirfd, t.mem.cstring(path), flags));
  }
  utimesNode(t.cred, node, atime, mtime, at);
  return 0;
}

export function sys_truncate64(t: Task, path: number, lo: number, hi: number): number {
  const len = off64(lo, hi);
  if (len < 0) raise(EINVAL);
  const { node, at } = t.kernel.vfs.lookupNamedAt(t, AT_FDCWD, t.mem.cstring(path), 0);
  truncateNode(t.cred, node, len, at);
  return 0;
}

export function sys_ftruncate64(t: Task, fd: number, lo: number, hi: number): number {
  const len = off64(lo, hi);
  if (len < 0) raise(EINVAL);
  const f = t.files.get(fd);
  if (f.flags & O_PATH) raise(EBADF);
  f.truncate(len);
  if (f.dentry) fsnotifyChange(f.dentry.inode, IN_MODIFY, f.dentry);
  return 0;
}

export function sys_faccessat2(t: Task, dirfd: number, path: number, mode: number, flags: number): number {
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) raise(EINVAL);
  const p = t.mem.cstring(path);
  if (p === '' && !(flags & AT_EMPTY_PATH)) raise(ENOENT);
  accessNode(t.cred, t.kernel.vfs.lookupAt(t, dirfd, p, flags), mode, (flags & AT_EACCESS) !== 0);
  return 0;
}

export const attrSyscalls: SyscallDefs = {
  fchmod: { handler: sys_fchmod, level: 'full' },
  fchmodat: { handler: sys_fchmodat, level: 'full' },
  fchown: { handler: sys_fchown, level: 'full', note: 'Only uid 0 may give files away; no CAP_CHOWN model beyond that.' },
  fchownat: { handler: sys_fchownat, level: 'full' },
  utimensat: { handler: sys_utimensat, level: 'full' },
  truncate64: { handler: sys_truncate64, level: 'full' },
  ftruncate64: { handler: sys_ftruncate64, level: 'full' },
  faccessat: { handler: (t, a, b, c) => sys_faccessat2(t, a, b, c, 0), level: 'full' },
  faccessat2: { handler: sys_faccessat2, level: 'full' },
};
