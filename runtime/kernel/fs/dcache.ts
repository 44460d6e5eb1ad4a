// Names of open files: the part of Linux's dentry cache (fs/dcache.c) that open files pin. There is no
// dentry tree here (directories hold their entries, DirInode knows its own parent and name); what is kept
// is, for each open File, the directory and name it was opened by. fsnotify reports events on an open file
// to that directory (inotify's events "on a child" of a watched directory), so the name must follow the
// file as Linux's dentry does:
//   - rename moves it to the new directory and name (d_move);
//   - unlink, rmdir or a rename over it "unhashes" it while the file is open (d_delete): events keep going
//     to the old directory, and the node's removal (IN_DELETE_SELF) waits for the last close (dput).
// Files opened by the same name share one Dentry (reference counted), as they share one dentry on Linux.
import type { DirInode, Inode } from './inode.js';

/** A directory and a name in it: where a node was reached (a path walk's last component). */
export interface NameRef {
  readonly parent: DirInode | null;
  readonly name: string;
}

export class Dentry implements NameRef {
  refs = 1;
  /** Its name was removed (unlink, rmdir, replaced by rename) while files held it. */
  unhashed = false;

  /** `parent` is null for names fsnotify never reports to a directory (O_TMPFILE files, mount roots). */
  constructor(public parent: DirInode | null, public name: string, readonly inode: Inode) {}
}

/** Open names of each node (the inode's alias list). */
const aliases = new WeakMap<Inode, Dentry[]>();

function find(inode: Inode, parent: DirInode, name: string): Dentry | undefined {
  const list = aliases.get(inode);
  if (!list) return undefined;
  for (const d of list) if (!d.unhashed && d.parent === parent && d.name === name) return d;
  return undefined;
}

/**
 * The Dentry a file opened as `at` holds (one more reference to it). A directory is named by its own
 * parent and name, whatever path reached it; `at` null or `unhashed` gives a name that is already gone.
 */
export function dget(inode: Inode, at: NameRef | null, unhashed = false): Dentry {
  let parent = at?.parent ?? null, name = at?.name ?? '';
  if (inode.isDir) {
    const dir = inode as DirInode;
    parent = dir.parent === dir ? null : dir.parent;
    name = dir.name;
  }
  if (parent && !unhashed) {
    const d = find(inode, parent, name);
    if (d) { d.refs++; return d; }
  }
  const d = new Dentry(parent, name, inode);
  d.unhashed = unhashed;
  const list = aliases.get(inode);
  if (list) list.push(d); else aliases.set(inode, [d]);
  return d;
}

/**
 * Drop a reference. True when that was the last reference to a removed name of a node with no links left:
 * the node is gone now (Linux: dentry_unlink_inode, where fsnotify_inoderemove runs).
 */
export function dput(d: Dentry): boolean {
  if (--d.refs > 0) return false;
  const list = aliases.get(d.inode);
  if (list) {
    const i = list.indexOf(d);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) aliases.delete(d.inode);
  }
  return d.unhashed && d.inode.nlink === 0;
}

/**
 * `name` in `dir` was removed (its node's nlink already dropped). True when the node is gone now: no
 * links left and no open file holding that name (else the removal waits for dput).
 */
export function dDelete(inode: Inode, dir: DirInode, name: string): boolean {
  const d = find(inode, dir, name);
  if (d) { d.unhashed = true; return false; }
  return inode.nlink === 0;
}

/** rename moved `inode` from odir/oname to ndir/nname: open files follow it. */
export function dMove(inode: Inode, odir: DirInode, oname: string, ndir: DirInode, nname: string): void {
  const d = find(inode, odir, oname);
  if (d) { d.parent = ndir; d.name = nname; }
}
