// Filesystem change notification (fs/notify/fsnotify.c, include/linux/fsnotify.h): the hooks the VFS calls
// when something happens to a node, and the marks that route those events to listening groups (inotify
// instances, fs/notify/inotify.ts).
//
// A mark is one group's watch on one inode; an inode keeps its marks in `fsnotifyMarks` (null while
// unwatched, so that every hook costs one field test when nobody listens). Marks live on the node object,
// not on a path: names may come and go, and on the root overlay a node read from the image stays the same
// object when its data is copied up (fs/overlay.ts, fs/tmpfs.ts), so its watches and its wd survive the
// first write.
//
// An event on a node goes to the node's own marks and, for the events Linux reports "on a child", first to
// the marks of the directory the node was reached by, with its name: for open files that is the name the
// file was opened by (fs/dcache.ts keeps it right across rename and unlink), for path calls the walk's last
// component, for a directory its own parent. The hooks and their event order follow Linux:
//   create/mknod/symlink/mkdir  IN_CREATE on the directory
//   link                        IN_ATTRIB on the node, IN_CREATE on the directory
//   unlink                      IN_ATTRIB on the node; IN_DELETE_SELF and IN_IGNORED when it is gone (now, or
//                               at the last close of a file open by that name); IN_DELETE on the directory
//   rmdir                       IN_DELETE_SELF and IN_IGNORED (or at its last close); IN_DELETE on the parent
//   rename                      IN_MOVED_FROM and IN_MOVED_TO (one cookie), IN_ATTRIB on a replaced node,
//                               IN_MOVE_SELF, then the replaced node's removal
//   open/read/write/close       IN_OPEN, IN_ACCESS, IN_MODIFY, IN_CLOSE_(NO)WRITE (none for O_PATH files;
//                               no IN_ACCESS/IN_MODIFY on FIFOs, as Linux 6.x)
//   attribute changes           IN_ATTRIB (chmod, chown, both times), IN_MODIFY (truncate, mtime only),
//                               IN_ACCESS (atime only)
// IN_ISDIR is set on events about a directory, except IN_DELETE_SELF and IN_MOVE_SELF (as Linux reports).
import {
  IN_ACCESS, IN_ALL_EVENTS, IN_ATTRIB, IN_CLOSE_NOWRITE, IN_CLOSE_WRITE, IN_CREATE, IN_DELETE, IN_DELETE_SELF,
  IN_EXCL_UNLINK, IN_ISDIR, IN_MODIFY, IN_MOVE_SELF, IN_MOVED_FROM, IN_MOVED_TO, IN_OPEN,
} from '../../../abi/inotify.js';
import { O_PATH, S_IFIFO } from '../../../abi/fcntl.js';
import { dDelete, dMove, dput, type Dentry, type NameRef } from '../dcache.js';
import type { File } from '../file.js';
import type { DirInode, Inode } from '../inode.js';

/** A listener owning marks (struct fsnotify_group): an inotify instance. */
export interface FsnotifyGroup {
  /**
   * Deliver an event for `mark` (whose mask wants it). `name` is set for an event about a child of the
   * marked directory; `mask` carries IN_ISDIR when the subject is a directory.
   */
  handleEvent(mark: FsnotifyMark, mask: number, name: string | null, cookie: number): void;
  /** `mark` was detached from its inode by destroyMark() or by the inode's removal (IN_IGNORED). */
  freeingMark(mark: FsnotifyMark): void;
}

/** One group's watch on one inode (struct fsnotify_mark). `mask`: IN_* events plus the group's flags. */
export class FsnotifyMark {
  attached = false;
  constructor(readonly group: FsnotifyGroup, readonly inode: Inode, public mask: number) {}
}

export function attachMark(mark: FsnotifyMark): void {
  const n = mark.inode;
  if (n.fsnotifyMarks) n.fsnotifyMarks.push(mark); else n.fsnotifyMarks = [mark];
  mark.attached = true;
}

/** The mark `group` has on `inode`, if any. */
export function findMark(inode: Inode, group: FsnotifyGroup): FsnotifyMark | undefined {
  return inode.fsnotifyMarks?.find((m) => m.group === group);
}

/** Take `mark` off its inode without telling its group (the group is going away). */
export function detachMark(mark: FsnotifyMark): void {
  if (!mark.attached) return;
  mark.attached = false;
  const n = mark.inode, marks = n.fsnotifyMarks;
  if (!marks) return;
  const i = marks.indexOf(mark);
  if (i >= 0) marks.splice(i, 1);
  if (marks.length === 0) n.fsnotifyMarks = null;
}

/** Remove `mark` and tell its group (inotify_rm_watch, IN_ONESHOT). */
export function destroyMark(mark: FsnotifyMark): void {
  if (!mark.attached) return;
  detachMark(mark);
  mark.group.freeingMark(mark);
}

/** Deliver to the marks of `inode` that want the event. `unhashed`: a file event on a removed name. */
function send(inode: Inode, mask: number, name: string | null, cookie: number, unhashed: boolean): void {
  const marks = inode.fsnotifyMarks;
  if (!marks) return;
  const ev = mask & IN_ALL_EVENTS;
  for (const m of marks.slice()) {
    if (!m.attached || !(m.mask & ev)) continue;
    if (unhashed && (m.mask & IN_EXCL_UNLINK)) continue;
    m.group.handleEvent(m, mask, name, cookie);
  }
}

function isdir(node: Inode): number { return node.isDir ? IN_ISDIR : 0; }

/**
 * An event on `node` (fsnotify_parent + fsnotify): to the directory it was reached by, as a child event
 * with its name, then to the node itself.
 */
function notifyChild(node: Inode, mask: number, at: NameRef | null, unhashed: boolean): void {
  mask |= isdir(node);
  let parent = at?.parent ?? null, name = at?.name ?? '';
  if (node.isDir) {
    const d = node as DirInode;
    parent = d.parent === d ? null : d.parent;
    name = d.name;
  }
  if (parent?.fsnotifyMarks) send(parent, mask, name, 0, unhashed);
  if (node.fsnotifyMarks) send(node, mask, null, 0, unhashed);
}

/** fsnotify_link_count: the node's link count changed (self only). */
function linkCount(node: Inode): void {
  if (node.fsnotifyMarks) send(node, IN_ATTRIB | isdir(node), null, 0, false);
}

/** fsnotify_inoderemove: the node is gone. IN_DELETE_SELF, then every mark is dropped (IN_IGNORED). */
export function fsnotifyInodeRemove(node: Inode): void {
  if (!node.fsnotifyMarks) return;
  send(node, IN_DELETE_SELF, null, 0, false);
  for (const m of node.fsnotifyMarks?.slice() ?? []) destroyMark(m);
}

/** A new name `name` in `dir` for a new node (create, mknod, mkdir, symlink, bind). */
export function fsnotifyCreate(dir: DirInode, name: string, node: Inode): void {
  if (dir.fsnotifyMarks) send(dir, IN_CREATE | isdir(node), name, 0, false);
}

/** link(2): a new name for an existing node. */
export function fsnotifyLink(dir: DirInode, name: string, node: Inode): void {
  linkCount(node);
  fsnotifyCreate(dir, name, node);
}

/** unlink(2) or rmdir(2) removed `name` from `dir` (the node's nlink has dropped already). */
export function fsnotifyDelete(dir: DirInode, name: string, node: Inode): void {
  if (!node.isDir) linkCount(node);
  if (dDelete(node, dir, name)) fsnotifyInodeRemove(node);
  if (dir.fsnotifyMarks) send(dir, IN_DELETE | isdir(node), name, 0, false);
}

let lastCookie = 0;

/** One fsnotify_move: `node` went from fromDir/fromName to toDir/toName, replacing `target` if given. */
function moveEvents(fromDir: DirInode, fromName: string, toDir: DirInode, toName: string, node: Inode,
  target: Inode | undefined): void {
  lastCookie = (lastCookie + 1) >>> 0 || 1;
  const d = isdir(node);
  if (fromDir.fsnotifyMarks) send(fromDir, IN_MOVED_FROM | d, fromName, lastCookie, false);
  if (toDir.fsnotifyMarks) send(toDir, IN_MOVED_TO | d, toName, lastCookie, false);
  if (target) linkCount(target);
  if (node.fsnotifyMarks) send(node, IN_MOVE_SELF, null, 0, false);
}

/**
 * rename(2): `node` moved from odir/oname to ndir/nname. `target` is the node that was at the new name:
 * replaced (its nlink has dropped already) or, with `exchange`, moved to the old name.
 */
export function fsnotifyMove(odir: DirInode, oname: string, ndir: DirInode, nname: string, node: Inode,
  target: Inode | undefined, exchange: boolean): void {
  const gone = target !== undefined && !exchange && dDelete(target, ndir, nname);
  dMove(node, odir, oname, ndir, nname);
  if (exchange && target) dMove(target, ndir, nname, odir, oname);
  moveEvents(odir, oname, ndir, nname, node, exchange ? undefined : target);
  if (exchange && target) moveEvents(ndir, nname, odir, oname, target, undefined);
  if (gone) fsnotifyInodeRemove(target!);
}

/** An attribute change through a path or a file (fsnotify_change); `mask` 0 means nothing to report. */
export function fsnotifyChange(node: Inode, mask: number, at: NameRef | null): void {
  if (mask) notifyChild(node, mask, at, false);
}

/** Events on an open file (fsnotify_file): none for O_PATH descriptions or files opened by no name. */
function fileEvent(f: File, mask: number): void {
  const d = f.dentry;
  if (!d || (f.flags & O_PATH)) return;
  notifyChild(d.inode, mask, d, d.unhashed);
}

export function fsnotifyOpen(f: File): void { fileEvent(f, IN_OPEN); }

/** read/readv/getdents transferred data (or getdents ran): IN_ACCESS. */
export function fsnotifyAccess(f: File): void {
  if (f.dentry && f.dentry.inode.fmt !== S_IFIFO) fileEvent(f, IN_ACCESS);
}

/** write/writev/fallocate changed the file: IN_MODIFY. */
export function fsnotifyModify(f: File): void {
  if (f.dentry && f.dentry.inode.fmt !== S_IFIFO) fileEvent(f, IN_MODIFY);
}

/** The last reference to `f` is going (__fput): IN_CLOSE_*, then its name is released. */
export function fsnotifyClose(f: File): void {
  const d: Dentry | undefined = f.dentry;
  if (!d) return;
  fileEvent(f, f.writable ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
  f.dentry = undefined;
  if (dput(d)) fsnotifyInodeRemove(d.inode);
}
