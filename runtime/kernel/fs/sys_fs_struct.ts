// Per-process filesystem context syscalls (fs/open.c chdir/fchdir/chroot, fs/d_path.c getcwd,
// kernel/sys.c umask).
import { EPERM, ERANGE, ENOTDIR } from '../../abi/errno.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';
import { encodeUtf8 } from '../mm/uaccess.js';
import { DirInode, type Inode } from './inode.js';
import { MAY_EXEC, permission } from './permission.js';

function searchableDir(t: Task, node: Inode): DirInode {
  if (!(node instanceof DirInode)) raise(ENOTDIR);
  permission(node, t.cred, MAY_EXEC);
  return node;
}

export function sys_chdir(t: Task, path: number): number {
  t.fs.cwd = searchableDir(t, t.kernel.vfs.lookupAt(t, -100, t.mem.cstring(path), 0));
  return 0;
}

export function sys_fchdir(t: Task, fd: number): number {
  t.fs.cwd = searchableDir(t, t.kernel.vfs.fdNode(t, fd));
  return 0;
}

export function sys_chroot(t: Task, path: number): number {
  const node = t.kernel.vfs.lookupAt(t, -100, t.mem.cstring(path), 0);
  const dir = searchableDir(t, node);
  if (t.cred.euid !== 0) raise(EPERM);
  t.fs.root = dir;
  return 0;
}

/** getcwd(2) returns the length including the NUL (ERANGE if it does not fit, ENOENT if removed). */
export function sys_getcwd(t: Task, buf: number, size: number): number {
  const b = encodeUtf8(t.kernel.vfs.getcwd(t.fs));
  if (b.length + 1 > (size >>> 0)) raise(ERANGE);
  t.mem.copyOut(buf, b);
  t.mem.setU8(buf + b.length, 0);
  return b.length + 1;
}

export function sys_umask(t: Task, mask: number): number {
  const old = t.fs.umask;
  t.fs.umask = mask & 0o777;
  return old;
}

export const fsStructSyscalls: SyscallDefs = {
  chdir: { handler: sys_chdir, level: 'full' },
  fchdir: { handler: sys_fchdir, level: 'full' },
  chroot: { handler: sys_chroot, level: 'full', note: 'Root (euid 0) only; no CAP_SYS_CHROOT model.' },
  getcwd: { handler: sys_getcwd, level: 'full' },
  umask: { handler: sys_umask, level: 'full' },
};
