// Directory-changing operations on resolved parents (fs/namei.c: vfs_create, vfs_mknod, vfs_mkdir,
// vfs_symlink, vfs_link, vfs_unlink, vfs_rmdir, vfs_rename). Callers resolve the parent with
// namei.walkParent() (which has checked search permission on the parent) and pass the last component;
// these functions check the name, permissions and the types involved in Linux's order (so that the
// first failing check decides the errno, e.g. EEXIST before EACCES), and keep st_nlink, timestamps and
// parent pointers right. Each successful change is reported to fsnotify (fs/notify/fsnotify.ts).
import {
  EBUSY, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, EXDEV,
} from '../../abi/errno.js';
import {
  RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT, S_IFBLK, S_IFCHR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK,
  S_ISGID,
} from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import type { Cred } from '../proc/cred.js';
import { DirInode, Inode, LnkInode, SpecialInode } from './inode.js';
import { LAST_ROOT } from './namei.js';
import { fsnotifyCreate, fsnotifyDelete, fsnotifyLink, fsnotifyMove } from './notify/fsnotify.js';
import { MAY_WRITE, mayCreate, mayDelete, permission } from './permission.js';
import { RegInode } from './tmpfs.js';

function isSpecial(name: string): boolean { return name === '.' || name === '..' || name === LAST_ROOT; }

/** uid/gid of a new node: the creator's, or the directory's group under a set-group-id directory. */
function owner(dir: DirInode, cred: Cred): { uid: number; gid: number } {
  return { uid: cred.fsuid, gid: (dir.mode & S_ISGID) ? dir.gid : cred.fsgid };
}

/** filename_create + may_create: an existing name is EEXIST before any permission check. */
function prepareCreate(dir: DirInode, name: string, cred: Cred): void {
  if (isSpecial(name)) raise(EEXIST);
  if (dir.dead) raise(ENOENT);
  if (dir.lookup(name)) raise(EEXIST);
  mayCreate(dir, cred);
}

/** Charge a new node (may raise ENOSPC/ENOMEM: nothing is created then) and give it its name. */
function attach(dir: DirInode, name: string, node: Inode, extra = 0): Inode {
  node.charge(extra);
  dir.insert(name, node);
  dir.touch(true);
  return node;
}

/**
 * Create a regular file, FIFO, socket or device node. `mode` carries the type and the permission bits
 * after umask. Device nodes need root (EPERM), as CAP_MKNOD.
 */
export function vfsMknod(cred: Cred, dir: DirInode, name: string, mode: number, rdev = 0): Inode {
  let fmt = mode & S_IFMT;
  if (fmt === 0) fmt = S_IFREG;
  if (fmt !== S_IFREG && fmt !== S_IFCHR && fmt !== S_IFBLK && fmt !== S_IFIFO && fmt !== S_IFSOCK) {
    raise(fmt === 0o040000 ? EPERM : EINVAL);
  }
  prepareCreate(dir, name, cred);
  if ((fmt === S_IFCHR || fmt === S_IFBLK) && cred.fsuid !== 0) raise(EPERM);
  const { uid, gid } = owner(dir, cred);
  const perm = mode & 0o7777;
  const node = fmt === S_IFREG ? new RegInode(dir.sb, perm, uid, gid)
    : new SpecialInode(dir.sb, fmt | perm, fmt === S_IFCHR || fmt === S_IFBLK ? rdev : 0, uid, gid);
  attach(dir, name, node);
  fsnotifyCreate(dir, name, node);
  return node;
}

/** A regular file not linked anywhere (O_TMPFILE); `linkable` unless opened with O_EXCL. */
export function vfsTmpfile(cred: Cred, dir: DirInode, mode: number, linkable: boolean): RegInode {
  mayCreate(dir, cred);
  const { uid, gid } = owner(dir, cred);
  const node = new RegInode(dir.sb, mode & 0o7777, uid, gid);
  node.charge();
  node.nlink = 0;
  node.linkable = linkable;
  return node;
}

export function vfsMkdir(cred: Cred, dir: DirInode, name: string, mode: number): DirInode {
  prepareCreate(dir, name, cred);
  const { uid, gid } = owner(dir, cred);
  const perm = (mode & 0o1777) | (dir.mode & S_ISGID);
  const node = new DirInode(dir.sb, perm, uid, gid, dir);
  attach(dir, name, node);
  dir.nlink++;
  fsnotifyCreate(dir, name, node);
  return node;
}

export function vfsSymlink(cred: Cred, dir: DirInode, name: string, target: string): LnkInode {
  if (target === '') raise(ENOENT);
  prepareCreate(dir, name, cred);
  const { uid, gid } = owner(dir, cred);
  const node = new LnkInode(dir.sb, target, uid, gid);
  attach(dir, name, node, node.size);
  fsnotifyCreate(dir, name, node);
  return node;
}

/** A new name for `node` in `dir` (hard link). */
export function vfsLink(cred: Cred, node: Inode, dir: DirInode, name: string): void {
  if (isSpecial(name)) raise(EEXIST);
  if (dir.dead) raise(ENOENT);
  if (dir.lookup(name)) raise(EEXIST);
  if (node.sb !== dir.sb) raise(EXDEV);
  mayCreate(dir, cred);
  if (node.isDir) raise(EPERM);
  if (node.nlink === 0) {
    if (!(node instanceof RegInode && node.linkable)) raise(ENOENT);
    node.linkable = false;
  }
  node.nlink++;
  node.touch(false);
  attach(dir, name, node);
  fsnotifyLink(dir, name, node);
}

function dropLink(node: Inode): void {
  node.nlink--;
  node.touch(false);
  if (node instanceof RegInode) node.maybeFree();
  else if (node.nlink === 0) node.uncharge();
}

export function vfsUnlink(cred: Cred, dir: DirInode, name: string): void {
  if (isSpecial(name)) raise(EISDIR);
  if (dir.dead) raise(ENOENT);
  const node = dir.lookup(name);
  if (!node) raise(ENOENT);
  mayDelete(dir, node, cred);
  if (node.isDir) raise(EISDIR);
  dir.remove(name);
  dir.touch(true);
  dropLink(node);
  fsnotifyDelete(dir, name, node);
}

function checkRmdirVictim(node: DirInode): void {
  if (node.mounted || node.parent === node) raise(EBUSY);
  if (!node.isEmpty()) raise(ENOTEMPTY);
}

function killDir(dir: DirInode, node: DirInode): void {
  node.dead = true;
  node.nlink = 0;
  node.uncharge();
  node.touch(false);
  dir.nlink--;
}

export function vfsRmdir(cred: Cred, dir: DirInode, name: string): void {
  if (name === '.') raise(EINVAL);
  if (name === '..') raise(ENOTEMPTY);
  if (name === LAST_ROOT) raise(EBUSY);
  if (dir.dead) raise(ENOENT);
  const node = dir.lookup(name);
  if (!node) raise(ENOENT);
  mayDelete(dir, node, cred);
  if (!(node instanceof DirInode)) raise(ENOTDIR);
  checkRmdirVictim(node);
  dir.remove(name);
  dir.touch(true);
  killDir(dir, node);
  fsnotifyDelete(dir, name, node);
}

/** True if `a` is `b` or one of its ancestors (in the same filesystem). */
function isAncestor(a: DirInode, b: DirInode): boolean {
  for (let c = b; ; c = c.parent) {
    if (c === a) return true;
    if (c.parent === c) return false;
  }
}

/**
 * rename/renameat2 (RENAME_NOREPLACE and RENAME_EXCHANGE supported; RENAME_WHITEOUT is EINVAL, which
 * Linux also returns on filesystems without whiteout support).
 */
export function vfsRename(cred: Cred, odir: DirInode, oname: string, ndir: DirInode, nname: string,
  flags = 0): void {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) raise(EINVAL);
  if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT))) raise(EINVAL);
  if (flags & RENAME_WHITEOUT) raise(EINVAL);
  if (odir.sb !== ndir.sb) raise(EXDEV);
  if (isSpecial(oname)) raise(EBUSY);
  if (isSpecial(nname)) raise(flags & RENAME_NOREPLACE ? EEXIST : EBUSY);
  if (odir.dead || ndir.dead) raise(ENOENT);
  const old = odir.lookup(oname);
  if (!old) raise(ENOENT);
  const target = ndir.lookup(nname);
  const exchange = (flags & RENAME_EXCHANGE) !== 0;
  if ((flags & RENAME_NOREPLACE) && target) raise(EEXIST);
  if (exchange && !target) raise(ENOENT);
  // lock_rename's "trap": a directory moved below itself, or replacing one of its ancestors.
  if (old instanceof DirInode && isAncestor(old, ndir)) raise(EINVAL);
  if (target instanceof DirInode && isAncestor(target, odir)) raise(exchange ? EINVAL : ENOTEMPTY);
  if (old === target) return;

  // may_delete / may_create, each followed by its type checks, as vfs_rename does.
  mayDelete(odir, old, cred);
  if (target) {
    mayDelete(ndir, target, cred);
    if (!exchange && old.isDir && !target.isDir) raise(ENOTDIR);
    if (!exchange && !old.isDir && target.isDir) raise(EISDIR);
  } else {
    mayCreate(ndir, cred);
  }
  if (odir !== ndir) {
    if (old.isDir) permission(old, cred, MAY_WRITE);
    if (exchange && target!.isDir) permission(target!, cred, MAY_WRITE);
  }
  if (old instanceof DirInode && old.mounted) raise(EBUSY);
  if (target instanceof DirInode) {
    if (target.mounted) raise(EBUSY);
    if (!exchange) checkRmdirVictim(target);
  }

  odir.remove(oname);
  if (exchange) {
    ndir.remove(nname);
    odir.insert(oname, target!);
    ndir.insert(nname, old);
    if (odir !== ndir && old.isDir !== target!.isDir) {
      const d = old.isDir ? 1 : -1;
      odir.nlink -= d; ndir.nlink += d;
    }
    target!.touch(false);
  } else {
    if (target) {
      ndir.remove(nname);
      if (target instanceof DirInode) killDir(ndir, target); else dropLink(target);
    }
    ndir.insert(nname, old);
    if (old.isDir && odir !== ndir) { odir.nlink--; ndir.nlink++; }
  }
  old.touch(false);
  odir.touch(true);
  if (ndir !== odir) ndir.touch(true);
  fsnotifyMove(odir, oname, ndir, nname, old, target, exchange);
}
