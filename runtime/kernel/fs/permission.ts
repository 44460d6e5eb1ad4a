// Permission checks (fs/namei.c generic_permission, may_delete, may_create; fs/attr.c
// setattr_prepare), for the wasmux model of root plus one ordinary user: mode bits against fsuid/fsgid,
// no capabilities beyond "uid 0 bypasses", no ACLs.
import { EACCES, ENOENT, EPERM } from '../../abi/errno.js';
import { S_ISVTX } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import type { Cred } from '../proc/cred.js';
import type { DirInode, Inode } from './inode.js';

export const MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4;

/** True when `mask` (MAY_*) is allowed. Root may do anything except execute a file with no x bit. */
export function allowed(node: Inode, cred: Cred, mask: number, useRealIds = false): boolean {
  const uid = useRealIds ? cred.uid : cred.fsuid;
  const gid = useRealIds ? cred.gid : cred.fsgid;
  if (uid === 0) return !(mask & MAY_EXEC) || node.isDir || (node.mode & 0o111) !== 0;
  let bits: number;
  if (uid === node.uid) bits = (node.mode >> 6) & 7;
  else if (gid === node.gid || cred.groups.includes(node.gid)) bits = (node.mode >> 3) & 7;
  else bits = node.mode & 7;
  return (bits & mask) === mask;
}

/** Raise EACCES unless `mask` is allowed. */
export function permission(node: Inode, cred: Cred, mask: number): void {
  if (!allowed(node, cred, mask)) raise(EACCES);
}

export function isOwnerOrRoot(node: Inode, cred: Cred): boolean {
  return cred.fsuid === 0 || cred.fsuid === node.uid;
}

/** May `cred` create an entry in `dir`? (write + search; ENOENT in a removed directory). */
export function mayCreate(dir: DirInode, cred: Cred): void {
  if (dir.dead) raise(ENOENT);
  permission(dir, cred, MAY_WRITE | MAY_EXEC);
}

/** May `cred` remove `victim` from `dir`? (write + search, and the sticky-bit rule: EPERM). */
export function mayDelete(dir: DirInode, victim: Inode, cred: Cred): void {
  permission(dir, cred, MAY_WRITE | MAY_EXEC);
  if ((dir.mode & S_ISVTX) && cred.fsuid !== 0 && cred.fsuid !== victim.uid && cred.fsuid !== dir.uid) {
    raise(EPERM);
  }
}
