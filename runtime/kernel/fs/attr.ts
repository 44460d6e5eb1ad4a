// Attribute changes and access checks (fs/attr.c setattr_prepare, fs/open.c chmod_common/chown_common/
// do_truncate/do_faccessat, fs/utimes.c): who may change mode, owner, times and size, and how. A change
// is reported to fsnotify as notify_change does (fsnotify_change), to the node and to the directory of
// `at`, the name it was reached by.
import { EACCES, EINVAL, EISDIR, EPERM } from '../../abi/errno.js';
import { S_IFMT, S_ISGID, S_ISUID, UTIME_NOW, UTIME_OMIT } from '../../abi/fcntl.js';
import { IN_ACCESS, IN_ATTRIB, IN_MODIFY } from '../../abi/inotify.js';
import { raise } from '../errors.js';
import type { Cred } from '../proc/cred.js';
import type { NameRef } from './dcache.js';
import type { Inode } from './inode.js';
import { fsnotifyChange } from './notify/fsnotify.js';
import { allowed, isOwnerOrRoot, MAY_WRITE, permission } from './permission.js';
import { currentTime, type Timespec } from './stat.js';
import { RegInode } from './tmpfs.js';

export function chmodNode(cred: Cred, node: Inode, mode: number, at: NameRef | null = null): void {
  if (!isOwnerOrRoot(node, cred)) raise(EPERM);
  mode &= 0o7777;
  // A non-root owner outside the file's group cannot set set-group-id (it is silently cleared).
  if (cred.fsuid !== 0 && !node.isDir && !cred.inGroup(node.gid)) mode &= ~S_ISGID;
  node.mode = (node.mode & S_IFMT) | mode;
  node.touch(false);
  fsnotifyChange(node, IN_ATTRIB, at);
}

/** chown: uid/gid of -1 (0xffffffff) mean "unchanged". */
export function chownNode(cred: Cred, node: Inode, uid: number, gid: number, at: NameRef | null = null): void {
  uid >>>= 0; gid >>>= 0;
  const setUid = uid !== 0xffffffff, setGid = gid !== 0xffffffff;
  if (cred.fsuid !== 0) {
    if (setUid && !(cred.fsuid === node.uid && uid === node.uid)) raise(EPERM);
    if (setGid && !(cred.fsuid === node.uid && (cred.inGroup(gid) || gid === node.gid))) raise(EPERM);
  }
  if (setUid) node.uid = uid;
  if (setGid) node.gid = gid;
  if ((setUid || setGid) && !node.isDir) {
    // Like Linux: ownership changes drop set-user-id, and set-group-id when group-executable.
    let m = node.mode & ~S_ISUID;
    if (m & 0o010) m &= ~S_ISGID;
    node.mode = m;
  }
  node.touch(false);
  fsnotifyChange(node, setUid || setGid ? IN_ATTRIB : 0, at);
}

/** A utimensat time: explicit, UTIME_NOW or UTIME_OMIT. */
export type TimeArg = Timespec | 'now' | 'omit';

export function timeArg(sec: number, nsec: number): TimeArg {
  if (nsec === UTIME_NOW) return 'now';
  if (nsec === UTIME_OMIT) return 'omit';
  if (nsec < 0 || nsec > 999_999_999) raise(EINVAL);
  return { sec, nsec };
}

export function utimesNode(cred: Cred, node: Inode, atime: TimeArg, mtime: TimeArg, at: NameRef | null = null): void {
  if (atime === 'omit' && mtime === 'omit') return;
  const explicit = atime !== 'now' && atime !== 'omit' || mtime !== 'now' && mtime !== 'omit';
  if (!isOwnerOrRoot(node, cred)) {
    if (explicit) raise(EPERM);
    if (!allowed(node, cred, MAY_WRITE)) raise(EACCES);
  }
  const now = currentTime();
  if (atime !== 'omit') node.atime = atime === 'now' ? now : atime;
  if (mtime !== 'omit') node.mtime = mtime === 'now' ? now : mtime;
  node.ctime = now;
  // Both times is a utime(s) call (IN_ATTRIB); one alone reads as an access or a modification.
  fsnotifyChange(node, atime === 'omit' ? IN_MODIFY : mtime === 'omit' ? IN_ACCESS : IN_ATTRIB, at);
}

/** truncate(2) by path: EISDIR for directories, EINVAL for other non-regular files, EACCES. */
export function truncateNode(cred: Cred, node: Inode, len: number, at: NameRef | null = null): void {
  if (node.isDir) raise(EISDIR);
  if (!(node instanceof RegInode)) raise(EINVAL);
  if (len < 0) raise(EINVAL);
  permission(node, cred, MAY_WRITE);
  node.truncate(len);
  fsnotifyChange(node, IN_MODIFY, at);
}

/** access/faccessat: mode is F_OK or R_OK|W_OK|X_OK, checked with the real ids unless `effective`. */
export function accessNode(cred: Cred, node: Inode, mode: number, effective: boolean): void {
  if (mode & ~7) raise(EINVAL);
  if (mode === 0) return;
  if (!allowed(node, cred, mode, !effective)) raise(EACCES);
}
