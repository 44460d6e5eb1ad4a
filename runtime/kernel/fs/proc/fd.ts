// /proc/<pid>/fd and /proc/<pid>/fdinfo (fs/proc/fd.c). Each open descriptor is a magic link: readlink
// gives the file's path, or pipe:[ino], socket:[ino], anon_inode:[kind] for descriptions with no name;
// a path walk through it lands on the file itself. Opening it opens the node again, as Linux does: a new
// description for files, directories and devices, a new end of the same pipe for pipes. Descriptions the
// kernel cannot open twice (host streams) hand out the same description; sockets and anonymous inodes
// (eventfd, epoll, ...) fail with ENXIO.
import { EACCES, ENXIO } from '../../../abi/errno.js';
import { O_ACCMODE, O_CLOEXEC, O_RDONLY, O_WRONLY, S_IFIFO, S_IFLNK, S_IFMT, S_IFSOCK } from '../../../abi/fcntl.js';
import { raise } from '../../errors.js';
import type { Task } from '../../proc/task.js';
import { realPath } from '../d_path.js';
import type { File } from '../file.js';
import { DirInode, Inode, type SuperBlock } from '../inode.js';
import { pathOf } from '../namei.js';
import { PipeFile } from '../pipe.js';
import type { Stat } from '../stat.js';
import { MagicLink, SyntheticDir, type SyntheticFile } from '../synthetic.js';
import { mayInspect, type ProcFs, textFile } from './common.js';

/** The node a walk through the fd link of a description with no filesystem node reaches. */
class OpenFileNode extends Inode {
  constructor(sb: SuperBlock, readonly file: File, uid: number, gid: number) {
    const st = file.stat();
    super(sb, (st.mode & S_IFMT) | 0o600, uid, gid, st.ino);
  }
  get size(): number { return this.file.stat().size; }
  override stat(): Stat { return this.file.stat(); }

  override open(_t: Task, flags: number): File {
    const f = this.file;
    if (f instanceof PipeFile) return new PipeFile(f.pipe, flags, f.statFn);
    const fmt = f.stat().mode & S_IFMT;
    if (fmt === S_IFSOCK || fmt === 0) raise(ENXIO);
    const acc = flags & O_ACCMODE;
    if ((acc !== O_WRONLY && !f.readable) || (acc !== O_RDONLY && !f.writable)) raise(EACCES);
    return f.get();
  }
}

const nodeless = new WeakMap<File, OpenFileNode>();

/** Linux's names for anonymous-inode files, by the class that implements them. */
function anonName(f: File): string {
  const named = (f as { anonName?: unknown }).anonName;
  if (typeof named === 'string') return named;
  const c = f.constructor.name.toLowerCase();
  if (c.includes('poll')) return '[eventpoll]';
  if (c.includes('eventfd')) return '[eventfd]';
  if (c.includes('timer')) return '[timerfd]';
  if (c.includes('signal')) return '[signalfd]';
  return `[${c}]`;
}

/** readlink of /proc/<pid>/fd/N: what `f`, open in `owner`, is called as seen by `reader`. */
export function fdLinkText(reader: Task | null, owner: Task, f: File): string {
  const node = f.node;
  if (node instanceof DirInode) {
    return pathOf((reader ?? owner).fs.root, node) ?? `/${node.name} (deleted)`;
  }
  if (node instanceof Inode) {
    const at = f.openedAt;
    let p = at ? realPath(owner, owner.fs.root, at.dir, at.path) : null;
    if (p === null) p = at && at.path.startsWith('/') ? at.path : `/${at?.path ?? ''}`;
    return node.nlink === 0 ? `${p} (deleted)` : p;
  }
  const st = f.stat();
  switch (st.mode & S_IFMT) {
    case S_IFIFO: return `pipe:[${st.ino}]`;
    case S_IFSOCK: return `socket:[${st.ino}]`;
    default: return `anon_inode:${anonName(f)}`;
  }
}

/** The node a walk through /proc/<pid>/fd/N reaches. */
export function fdTarget(sb: SuperBlock, owner: Task, f: File): Inode {
  if (f.node instanceof Inode) return f.node;
  let n = nodeless.get(f);
  if (!n) { n = new OpenFileNode(sb, f, owner.cred.euid, owner.cred.egid); nodeless.set(f, n); }
  return n;
}

/** Linux reports st_size 64 for these links, whatever the text. */
class FdLink extends MagicLink {
  override get size(): number { return 64; }
}

/** Link modes show the access mode: lr-x, l-wx or lrwx for the owner. */
function linkMode(f: File): number { return S_IFLNK | (f.readable ? 0o500 : 0o100) | (f.writable ? 0o200 : 0); }

interface FdEntry { file: File; link: FdLink; info: SyntheticFile }

/** fd/ and fdinfo/ of `owner`: two directories sharing one cache of per-descriptor nodes. */
export function fdDirs(fs: ProcFs, owner: Task): { fd: SyntheticDir; fdinfo: SyntheticDir } {
  const cache = new Map<number, FdEntry>();
  const current = (): [number, FdEntry][] => {
    const out: [number, FdEntry][] = [];
    const seen = new Set<number>();
    for (const [fd, file] of owner.files.entries()) {
      seen.add(fd);
      let e = cache.get(fd);
      if (!e || e.file !== file) {
        const link = new FdLink(fs.sb, (r) => { mayInspect(r, owner); return fdLinkText(r, owner, file); },
          (r) => { mayInspect(r, owner); return fdTarget(fs.sb, owner, file); });
        const info = textFile(fs, 0o444, () => fdinfoText(owner, fd, file));
        e = { file, link, info };
        cache.set(fd, e);
      }
      e.link.mode = linkMode(file);
      e.link.uid = e.info.uid = owner.cred.euid;
      e.link.gid = e.info.gid = owner.cred.egid;
      out.push([fd, e]);
    }
    for (const fd of cache.keys()) if (!seen.has(fd)) cache.delete(fd);
    return out;
  };
  const fd = new SyntheticDir(fs.sb, 0o500, () => current().map(([n, e]) => [String(n), e.link]));
  const fdinfo = new SyntheticDir(fs.sb, 0o500, () => current().map(([n, e]) => [String(n), e.info]));
  return { fd, fdinfo };
}

function fdinfoText(owner: Task, fd: number, f: File): string {
  let cloexec = false;
  try { cloexec = owner.files.getCloexec(fd); } catch { /* closed since */ }
  const st = f.stat();
  const mnt = f.node instanceof Inode ? f.node.sb.mntId : 0;
  const flags = (f.flags | (cloexec ? O_CLOEXEC : 0)) >>> 0;
  return `pos:\t${f.pos}\nflags:\t0${flags.toString(8)}\nmnt_id:\t${mnt}\nino:\t${st.ino}\n`;
}
