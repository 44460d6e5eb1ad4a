// Path walk (fs/namei.c: link_path_walk, walk_component, follow_dotdot, trailing_symlink). Resolves a
// path component by component from the process root or a start directory, checking search permission on
// every directory, following symlinks (at most 40 per walk: ELOOP), crossing mount points downwards and,
// for "..", upwards; ".." at the process root stays there. A trailing slash requires a directory and
// makes the final symlink be followed.
import { ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from '../../abi/errno.js';
import { raise } from '../errors.js';
import { byteLength } from '../../lib/bytestring.js';
import type { Cred } from '../proc/cred.js';
import type { Task } from '../proc/task.js';
import type { NameRef } from './dcache.js';
import { DirInode, Inode, LnkInode } from './inode.js';
import { MAY_EXEC, permission } from './permission.js';

export const MAXSYMLINKS = 40;
export const NAME_MAX = 255;
/** The name walkParent() returns for a path that is only slashes (Linux's LAST_ROOT). */
export const LAST_ROOT = '/';

/** State of one path walk (struct nameidata): who walks, from which root, and the symlink budget. */
export class Nameidata {
  links = 0;
  /**
   * The directory and name of the last component of the last walk() (null when the path named "/" or
   * went through a magic link): the name fsnotify reports the node's events to (fs/dcache.ts).
   */
  last: NameRef | null = null;
  constructor(readonly task: Task | null, readonly cred: Cred, readonly root: DirInode) {}
}


interface Split { parts: string[]; abs: boolean; slash: boolean }

function split(path: string): Split {
  if (path === '') raise(ENOENT);
  const parts = path.split('/').filter((c) => c !== '');
  for (const c of parts) if (c.length > NAME_MAX / 3 && byteLength(c) > NAME_MAX) raise(ENAMETOOLONG);
  return { parts, abs: path.charCodeAt(0) === 47, slash: path.charCodeAt(path.length - 1) === 47 };
}

/** Descend through mounts: the root of the filesystem mounted on `n`, if any. */
export function crossMounts(n: Inode): Inode {
  while (n instanceof DirInode && n.mounted) n = n.mounted;
  return n;
}

/** The directory ".." names, from `cur`, for a walk rooted at `root`. */
export function dotdot(root: DirInode, cur: DirInode): DirInode {
  for (;;) {
    if (cur === root) return cur;
    if (cur.parent === cur) {
      if (!cur.mountedOn) return cur;
      cur = cur.mountedOn;
      continue;
    }
    return cur.parent;
  }
}

/** One component: search permission on `cur`, then ".", ".." or a lookup. */
function step(nd: Nameidata, cur: DirInode, name: string): Inode {
  permission(cur, nd.cred, MAY_EXEC);
  if (name === '.') return cur;
  if (name === '..') return dotdot(nd.root, cur);
  if (cur.dead) raise(ENOENT);
  const n = cur.lookup(name);
  if (!n) raise(ENOENT);
  return crossMounts(n);
}

interface ParentResult { dir: DirInode; name: string; slash: boolean }

function run(nd: Nameidata, start: DirInode, path: string, follow: boolean, wantParent: true): ParentResult;
function run(nd: Nameidata, start: DirInode, path: string, follow: boolean, wantParent: false): Inode;
function run(nd: Nameidata, start: DirInode, path: string, follow: boolean, wantParent: boolean): Inode | ParentResult {
  const { parts, abs, slash } = split(path);
  let cur: DirInode = abs ? crossMounts(nd.root) as DirInode : start;
  nd.last = null;
  if (parts.length === 0) return wantParent ? { dir: cur, name: LAST_ROOT, slash: true } : cur;
  const stack = parts.reverse();
  let result: Inode = cur;
  while (stack.length > 0) {
    const name = stack.pop()!;
    const last = stack.length === 0;
    if (wantParent && last) {
      // link_path_walk checks search permission on the parent before the last component, too.
      permission(cur, nd.cred, MAY_EXEC);
      return { dir: cur, name, slash };
    }
    let n = step(nd, cur, name);
    let magic: Inode | null = null;
    if (n instanceof LnkInode && (!last || follow || slash)) {
      if (++nd.links > MAXSYMLINKS) raise(ELOOP);
      magic = n.follow(nd.task);
      if (magic) {
        n = magic;
      } else {
        const t = split(n.readlink(nd.task));
        if (t.abs) cur = crossMounts(nd.root) as DirInode;
        for (let i = t.parts.length - 1; i >= 0; i--) stack.push(t.parts[i]!);
        if (stack.length === 0) { result = cur; nd.last = null; }
        continue;
      }
    }
    if (!last) {
      if (!(n instanceof DirInode)) raise(ENOTDIR);
      cur = n;
    } else {
      result = n;
      nd.last = magic ? null : { parent: cur, name };
    }
  }
  if (slash && !result.isDir) raise(ENOTDIR);
  return result;
}

/** Resolve `path` (relative paths from `start`) to an existing node; `follow`: follow a final symlink. */
export function walk(nd: Nameidata, start: DirInode, path: string, follow: boolean): Inode {
  return run(nd, start, path, follow, false);
}

/**
 * Resolve all but the last component, for calls that create, remove or rename it. The name may be ".",
 * "..", or LAST_ROOT for "/"; `slash` tells whether the path had a trailing slash.
 */
export function walkParent(nd: Nameidata, start: DirInode, path: string): ParentResult {
  return run(nd, start, path, false, true);
}

/**
 * The path of directory `dir` as seen from `root` (getcwd): null if it was removed, or "(unreachable)"
 * prefixed as Linux does when `dir` is outside `root`.
 */
export function pathOf(root: DirInode, dir: DirInode): string | null {
  const names: string[] = [];
  let cur = dir;
  for (;;) {
    if (cur.dead) return null;
    if (cur === root) break;
    if (cur.parent === cur) {
      if (!cur.mountedOn) return '(unreachable)/' + names.reverse().join('/');
      cur = cur.mountedOn;
      continue;
    }
    names.push(cur.name);
    cur = cur.parent;
  }
  return '/' + names.reverse().join('/');
}
