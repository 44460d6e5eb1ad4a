// Canonical path names (fs/d_path.c, and what realpath(3) computes): the absolute path of the node a path
// names, with every symlink resolved, as seen from a process root. Used for /proc/<pid>/exe and the
// /proc/<pid>/fd links. wasmux has no dentries for non-directories, so the name of a file comes from the
// path it was reached by: its parent directory (which knows its own name) plus the last component.
import { isErrno } from '../errors.js';
import { Cred } from '../proc/cred.js';
import type { Task } from '../proc/task.js';
import { DirInode, LnkInode } from './inode.js';
import { crossMounts, LAST_ROOT, MAXSYMLINKS, Nameidata, pathOf, walk, walkParent } from './namei.js';

const ROOT = new Cred(0, 0);

function join(dir: string, name: string): string { return dir === '/' ? `/${name}` : `${dir}/${name}`; }

/**
 * The canonical absolute path of `path` (relative paths from `start`) for task `t` (whose /proc/self
 * and root are used), or null if it does not resolve. A final "magic" link (/proc/<pid>/fd/N,
 * /proc/<pid>/exe) stands for its own text, which procfs already gives in canonical form.
 */
export function realPath(t: Task | null, root: DirInode, start: DirInode, path: string): string | null {
  const nd = new Nameidata(t, ROOT, root);
  let cur = start, p = path;
  try {
    for (let i = 0; i <= MAXSYMLINKS; i++) {
      const { dir, name } = walkParent(nd, cur, p);
      if (name === LAST_ROOT || name === '.' || name === '..') {
        const d = walk(nd, dir, name === LAST_ROOT ? '/' : name, true);
        return d instanceof DirInode ? pathOf(root, d) : null;
      }
      if (dir.dead) return null;
      const found = dir.lookup(name);
      if (!found) return null;
      const n = crossMounts(found);
      if (n instanceof LnkInode) {
        if (n.follow(t)) return n.readlink(t);
        cur = dir;
        p = n.readlink(t);
        continue;
      }
      if (n instanceof DirInode) return pathOf(root, n);
      const d = pathOf(root, dir);
      return d === null ? null : join(d, name);
    }
  } catch (e) {
    if (!isErrno(e)) throw e;
  }
  return null;
}
