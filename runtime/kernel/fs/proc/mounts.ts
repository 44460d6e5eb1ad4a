// /proc/<pid>/mounts and mountinfo (fs/proc_namespace.c), /proc/filesystems (fs/filesystems.c). The
// mount tree has no table of its own (a mount is a DirInode's `mounted` field), so the places where
// wasmux mounts things are looked at in turn; a mount outside the reader's root is not shown.
import { Cred } from '../../proc/cred.js';
import type { Task } from '../../proc/task.js';
import type { Vfs } from '../vfs.js';
import { DirInode } from '../inode.js';
import { Nameidata, pathOf, walkParent } from '../namei.js';
import { major, minor } from '../stat.js';

const ROOT = new Cred(0, 0);
const MOUNT_POINTS = ['/dev', '/dev/shm', '/dev/pts', '/dev/mqueue', '/proc', '/sys', '/tmp', '/run'];

/** Mount options as Linux shows them for each filesystem type (mount flags, then superblock options). */
const OPTIONS: Record<string, [string, string]> = {
  overlay: ['rw,relatime', 'rw'],
  devtmpfs: ['rw,nosuid,relatime', 'rw,mode=755'],
  tmpfs: ['rw,nosuid,nodev', 'rw'],
  proc: ['rw,nosuid,nodev,noexec,relatime', 'rw'],
  devpts: ['rw,nosuid,noexec,relatime', 'rw,gid=5,mode=620,ptmxmode=000'],
};

interface Mount { path: string; root: DirInode; parentId: number }

/** The mounts visible from `root`, in mount order. */
function mounts(vfs: Vfs, root: DirInode): Mount[] {
  const out: Mount[] = [];
  const top = pathOf(root, vfs.root);
  if (top === '/') out.push({ path: '/', root: vfs.root, parentId: vfs.root.sb.mntId });
  const nd = new Nameidata(null, ROOT, vfs.root);
  for (const p of MOUNT_POINTS) {
    let at: DirInode;
    try {
      const { dir, name } = walkParent(nd, vfs.root, p);
      const under = dir.lookup(name);
      if (!(under instanceof DirInode) || !under.mounted) continue;
      at = under;
    } catch { continue; }
    let fsRoot = at.mounted!;
    while (fsRoot.mounted) fsRoot = fsRoot.mounted;
    const shown = pathOf(root, fsRoot);
    if (shown === null || shown.startsWith('(unreachable)')) continue;
    out.push({ path: shown, root: fsRoot, parentId: at.sb.mntId });
  }
  return out.sort((a, b) => a.root.sb.mntId - b.root.sb.mntId);
}

/** The device a filesystem's superblock reports (st_dev), as "major:minor". */
const devOf = (d: DirInode): string => `${major(d.sb.dev)}:${minor(d.sb.dev)}`;
const opts = (type: string): [string, string] => OPTIONS[type] ?? ['rw,relatime', 'rw'];
const escape = (s: string): string => s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);

export function mountsText(vfs: Vfs, t: Task): string {
  return mounts(vfs, t.fs.root).map((m) => {
    const type = m.root.sb.type;
    const [mnt, sb] = opts(type);
    const o = sb === 'rw' ? mnt : `${mnt},${sb.slice(3)}`;
    return `${type} ${escape(m.path)} ${type} ${o} 0 0\n`;
  }).join('');
}

export function mountinfoText(vfs: Vfs, t: Task): string {
  return mounts(vfs, t.fs.root).map((m) => {
    const type = m.root.sb.type;
    const [mnt, sb] = opts(type);
    return `${m.root.sb.mntId} ${m.parentId} ${devOf(m.root)} / ${escape(m.path)} ${mnt} - ${type} ${type} ${sb}\n`;
  }).join('');
}

export function filesystemsText(): string {
  return ['sysfs', 'tmpfs', 'devtmpfs', 'proc', 'overlay'].map((f) => `nodev\t${f}\n`).join('');
}

/** Root directories of every mounted filesystem. */
export function mountedRoots(vfs: Vfs): DirInode[] { return mounts(vfs, vfs.root).map((m) => m.root); }
