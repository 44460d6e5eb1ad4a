// Opening files (fs/open.c do_sys_open, fs/namei.c path_openat/do_open/may_open). Resolves the path,
// creates the file for O_CREAT (following a final symlink to create its target, as Linux does), checks
// access, and builds the file description for the node's type: regular file, directory, character
// device (chrdev registry), FIFO (fs/pipe.ts), synthetic file (Inode.open). O_PATH gives a PathFile.
// The new description remembers the name it was opened by (fs/dcache.ts) and reports IN_OPEN (fsnotify).
import { EBADF, EEXIST, EINVAL, EISDIR, ELOOP, ENOTDIR, ENXIO } from '../../abi/errno.js';
import {
  O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOCTTY, O_NOFOLLOW, O_PATH, O_RDONLY, O_RDWR, O_TMPFILE, O_TRUNC,
  O_WRONLY, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, S_IFSOCK, S_IFMT,
} from '../../abi/fcntl.js';
import { IN_MODIFY } from '../../abi/inotify.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { ChrdevRegistry } from './char_dev.js';
import { dget, type NameRef } from './dcache.js';
import { vfsMknod, vfsTmpfile } from './dirops.js';
import { File } from './file.js';
import { DirInode, Inode, LnkInode, SpecialInode } from './inode.js';
import { crossMounts, dotdot, LAST_ROOT, Nameidata, walk, walkParent, MAXSYMLINKS } from './namei.js';
import { fsnotifyChange, fsnotifyOpen } from './notify/fsnotify.js';
import { MAY_EXEC, MAY_READ, MAY_WRITE, permission } from './permission.js';
import { openFifo } from './pipe.js';
import { DirFile } from './readdir.js';
import { RegFile } from './regfile.js';
import { major, minor, type Stat } from './stat.js';
import { RegInode } from './tmpfs.js';

/** An O_PATH descriptor: names a node (fchdir, fstat, *at calls) but cannot read or write it. */
export class PathFile extends File {
  constructor(readonly inode: Inode, flags: number) { super(flags); this.node = inode; }
  override read(): number { return raise(EBADF); }
  override write(): number { return raise(EBADF); }
  override getdents64(): number { return raise(EBADF); }
  override ioctl(): number { return raise(EBADF); }
  override lseek(): number { return raise(EBADF); }
  override truncate(): void { raise(EBADF); }
  override stat(): Stat { return this.inode.stat(); }
}

/** The only flags that mean something with O_PATH (fs/open.c O_PATH_FLAGS); the rest are ignored. */
const O_PATH_FLAGS = O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;

/** Flags the description keeps (f_flags): creation-time flags are dropped. */
function keptFlags(flags: number): number { return flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC); }

/** may_open: type and permission checks for opening an existing node. */
function mayOpen(t: Task, node: Inode, flags: number): void {
  const acc = flags & O_ACCMODE;
  let mask = acc === O_RDONLY ? MAY_READ : acc === O_WRONLY ? MAY_WRITE : acc === O_RDWR ? MAY_READ | MAY_WRITE : 0;
  if (flags & O_TRUNC) mask |= MAY_WRITE;
  switch (node.fmt) {
    case S_IFLNK: raise(ELOOP);
    // falls through (raise never returns)
    case S_IFDIR: if (mask & MAY_WRITE) raise(EISDIR); break;
    default: if (flags & O_DIRECTORY) raise(ENOTDIR);
  }
  if (acc === 3 && node.fmt === S_IFREG) mask = MAY_READ | MAY_WRITE;
  permission(node, t.cred, mask);
}

/** A file description for `node` (access already checked). */
export function openNode(t: Task, node: Inode, flags: number, chrdev: ChrdevRegistry): File {
  if (flags & O_PATH) return new PathFile(node, flags & O_PATH_FLAGS);
  if (node.open) return node.open(t, keptFlags(flags));
  switch (node.mode & S_IFMT) {
    case S_IFREG: return new RegFile(node as RegInode, keptFlags(flags));
    case S_IFDIR: return new DirFile(node as DirInode, keptFlags(flags), (d) => dotdot(t.fs.root, d));
    case S_IFCHR: {
      const n = node as SpecialInode;
      return chrdev.open(t, n, major(n.rdev), minor(n.rdev), keptFlags(flags), flags);
    }
    case S_IFIFO: return openFifo(t, node, keptFlags(flags), () => node.stat());
    case S_IFBLK: case S_IFSOCK: return raise(ENXIO);
    default: return raise(ELOOP);
  }
}

/** A description just opened as `at`: it holds that name, and the open is reported (fsnotify_open). */
function opened(f: File, node: Inode, at: NameRef | null, unhashed = false): File {
  // A synthetic node may hand out a description that is already open (fs/proc/fd.ts): it keeps its name.
  if (!f.dentry) f.dentry = dget(node, at, unhashed);
  fsnotifyOpen(f);
  return f;
}

/** Check, truncate (O_TRUNC) and open an existing node reached as `at`. */
function finish(t: Task, node: Inode, flags: number, chrdev: ChrdevRegistry, at: NameRef | null): File {
  if (flags & O_PATH) {
    if ((flags & O_DIRECTORY) && !node.isDir) raise(ENOTDIR);
    return opened(openNode(t, node, flags, chrdev), node, at);
  }
  mayOpen(t, node, flags);
  const f = opened(openNode(t, node, flags, chrdev), node, at);
  if ((flags & O_TRUNC) && node instanceof RegInode) {
    node.truncate(0);
    fsnotifyChange(node, IN_MODIFY, f.dentry ?? null);
  }
  return f;
}

/**
 * openat(2) below the syscall: `start` is the directory relative paths start from. `mode` is the
 * creation mode before umask.
 */
export function doOpen(t: Task, start: DirInode, path: string, flags: number, mode: number,
  chrdev: ChrdevRegistry): File {
  if (flags & O_PATH) flags &= O_PATH_FLAGS;
  const nd = new Nameidata(t, t.cred, t.fs.root);
  const perm = mode & 0o7777 & ~t.fs.umask;
  if ((flags & O_TMPFILE) === O_TMPFILE) {
    const acc = flags & O_ACCMODE;
    if (acc !== O_WRONLY && acc !== O_RDWR) raise(EINVAL);
    const dir = walk(nd, start, path, true);
    if (!(dir instanceof DirInode)) raise(ENOTDIR);
    const node = vfsTmpfile(t.cred, dir, perm, !(flags & O_EXCL));
    return opened(new RegFile(node, keptFlags(flags & ~O_TMPFILE)), node, null, true);
  }
  if (!(flags & O_CREAT)) {
    const node = walk(nd, start, path, !(flags & O_NOFOLLOW));
    return finish(t, node, flags, chrdev, nd.last);
  }
  if (flags & O_DIRECTORY) raise(EINVAL);
  let cur = start, p = path;
  for (;;) {
    const { dir, name, slash } = walkParent(nd, cur, p);
    if (slash || name === '.' || name === '..' || name === LAST_ROOT) raise(EISDIR);
    permission(dir, t.cred, MAY_EXEC);
    const found = dir.dead ? undefined : dir.lookup(name);
    if (!found) {
      const node = vfsMknod(t.cred, dir, name, S_IFREG | perm);
      return opened(openNode(t, node, flags, chrdev), node, { parent: dir, name });
    }
    if (flags & O_EXCL) raise(EEXIST);
    let node = crossMounts(found);
    let at: NameRef | null = { parent: dir, name };
    if (node instanceof LnkInode) {
      if (flags & O_NOFOLLOW) raise(ELOOP);
      if (++nd.links > MAXSYMLINKS) raise(ELOOP);
      const magic = node.follow(t);
      if (!magic) { cur = dir; p = node.readlink(t); continue; }
      node = magic;
      at = null;
    }
    if (node.isDir) raise(EISDIR);
    return finish(t, node, flags, chrdev, at);
  }
}
