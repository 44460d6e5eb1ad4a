// Syscalls that create, remove and rename names (fs/namei.c: mknodat, mkdirat, unlinkat, symlinkat,
// linkat, renameat2; fs/stat.c readlinkat). Argument decoding only; the work is in dirops.ts.
import { EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR } from '../../abi/errno.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, S_IFMT } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';
import { vfsLink, vfsMkdir, vfsMknod, vfsRename, vfsRmdir, vfsSymlink, vfsUnlink } from './dirops.js';
import { LnkInode, type DirInode } from './inode.js';
import { encodeUtf8 } from '../mm/uaccess.js';

/** Parent and name for creating a non-directory: a trailing slash is ENOENT (EEXIST if the name exists). */
function createTarget(t: Task, dirfd: number, path: number): { dir: DirInode; name: string } {
  const { dir, name, slash } = t.kernel.vfs.lookupParentAt(t, dirfd, t.mem.cstring(path));
  if (slash) raise(dir.lookup(name) ? EEXIST : ENOENT);
  return { dir, name };
}

export function sys_mknodat(t: Task, dirfd: number, path: number, mode: number, dev: number): number {
  const { dir, name } = createTarget(t, dirfd, path);
  vfsMknod(t.cred, dir, name, (mode & S_IFMT) | (mode & 0o7777 & ~t.fs.umask), dev >>> 0);
  return 0;
}

export function sys_mkdirat(t: Task, dirfd: number, path: number, mode: number): number {
  const { dir, name } = t.kernel.vfs.lookupParentAt(t, dirfd, t.mem.cstring(path));
  vfsMkdir(t.cred, dir, name, mode & 0o1777 & ~t.fs.umask);
  return 0;
}

export function sys_unlinkat(t: Task, dirfd: number, path: number, flags: number): number {
  if (flags & ~AT_REMOVEDIR) raise(EINVAL);
  const { dir, name, slash } = t.kernel.vfs.lookupParentAt(t, dirfd, t.mem.cstring(path));
  if (flags & AT_REMOVEDIR) {
    vfsRmdir(t.cred, dir, name);
  } else {
    if (slash) {
      const n = dir.lookup(name);
      raise(!n ? ENOENT : n.isDir ? EISDIR : ENOTDIR);
    }
    vfsUnlink(t.cred, dir, name);
  }
  return 0;
}

export function sys_symlinkat(t: Task, target: number, dirfd: number, path: number): number {
  const text = t.mem.cstring(target);
  const { dir, name } = createTarget(t, dirfd, path);
  vfsSymlink(t.cred, dir, name, text);
  return 0;
}

export function sys_linkat(t: Task, olddfd: number, oldpath: number, newdfd: number, newpath: number,
  flags: number): number {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) raise(EINVAL);
  const vfs = t.kernel.vfs;
  const op = t.mem.cstring(oldpath);
  // linkat(fd, "", ..., AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH: root only, ENOENT otherwise.
  if (op === '' && (flags & AT_EMPTY_PATH) && t.cred.fsuid !== 0) raise(ENOENT);
  const node = vfs.lookupAt(t, olddfd, op, (flags & AT_EMPTY_PATH) | (flags & AT_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW));
  const { dir, name } = createTarget(t, newdfd, newpath);
  vfsLink(t.cred, node, dir, name);
  return 0;
}

export function sys_renameat2(t: Task, olddfd: number, oldpath: number, newdfd: number, newpath: number,
  flags: number): number {
  const vfs = t.kernel.vfs;
  const o = vfs.lookupParentAt(t, olddfd, t.mem.cstring(oldpath));
  const n = vfs.lookupParentAt(t, newdfd, t.mem.cstring(newpath));
  if (o.slash || n.slash) {
    const old = o.dir.lookup(o.name);
    if (old && !old.isDir) raise(ENOTDIR);
  }
  vfsRename(t.cred, o.dir, o.name, n.dir, n.name, flags >>> 0);
  return 0;
}

export function sys_readlinkat(t: Task, dirfd: number, path: number, buf: number, size: number): number {
  if (size <= 0) raise(EINVAL);
  const p = t.mem.cstring(path);
  if (p === '' && dirfd === AT_FDCWD) raise(ENOENT);
  const node = t.kernel.vfs.lookupAt(t, dirfd, p, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
  if (!(node instanceof LnkInode)) raise(EINVAL);
  const b = encodeUtf8(node.readlink(t));
  const n = Math.min(b.length, size);
  t.mem.copyOut(buf, b.subarray(0, n));
  return n;
}

export const nameiSyscalls: SyscallDefs = {
  mknodat: { handler: sys_mknodat, level: 'full', note: 'Block devices can be created but not opened (ENXIO).' },
  mkdirat: { handler: sys_mkdirat, level: 'full' },
  unlinkat: { handler: sys_unlinkat, level: 'full' },
  symlinkat: { handler: sys_symlinkat, level: 'full' },
  linkat: { handler: sys_linkat, level: 'full', note: 'No protected_hardlinks restriction.' },
  renameat: {
    handler: (t, a, b, c, d) => sys_renameat2(t, a, b, c, d, 0),
    level: 'full',
  },
  renameat2: {
    handler: sys_renameat2,
    level: 'partial',
    note: 'RENAME_NOREPLACE and RENAME_EXCHANGE supported; RENAME_WHITEOUT is EINVAL.',
  },
  readlinkat: { handler: sys_readlinkat, level: 'full', note: 'An empty path reads the symlink an O_PATH fd refers to.' },
};
