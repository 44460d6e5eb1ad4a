// Open directories and getdents64 (fs/readdir.c, fs/libfs.c dcache_readdir). The position is a cookie:
// 0 = start, 1 = after ".", 2 = after "..", otherwise the sequence number of the last entry returned
// (inode.ts); d_off of each record is the cookie to resume after it, so telldir/seekdir work. A live
// iterator over the directory's entry map keeps iteration consistent while entries come and go: every
// entry present for the whole walk is returned exactly once.
import { EBADF, EINVAL, EISDIR, ENOENT } from '../../abi/errno.js';
import { SEEK_CUR, SEEK_SET } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import { encodeBytes } from '../../lib/bytestring.js';
import type { Task } from '../proc/task.js';
import { File } from './file.js';
import type { DirInode, Dirent, Inode } from './inode.js';
import type { Stat } from './stat.js';


/** d_type from st_mode (DT_* = S_IFMT >> 12). */
export function dtype(mode: number): number { return (mode >>> 12) & 15; }

/** Size of a linux_dirent64 record for a name of `n` bytes. */
export function direntSize(n: number): number { return (19 + n + 1 + 7) & ~7; }

/** Write one linux_dirent64 at dst[at]; returns its size or 0 when it does not fit. */
export function putDirent(dst: Uint8Array, at: number, ino: number, off: number, type: number, name: string): number {
  const nb = encodeBytes(name);
  const len = direntSize(nb.length);
  if (at + len > dst.length) return 0;
  const dv = new DataView(dst.buffer, dst.byteOffset + at, len);
  dv.setBigUint64(0, BigInt(ino), true);
  dv.setBigInt64(8, BigInt(off), true);
  dv.setUint16(16, len, true);
  dv.setUint8(18, type);
  dst.set(nb, at + 19);
  dst.fill(0, at + 19 + nb.length, at + len);
  return len;
}

export class DirFile extends File {
  override node: DirInode;
  private it: Iterator<[string, Dirent]> | null = null;
  private pending: [string, Dirent] | null = null;

  /** `parentOf` gives the node ".." names (it depends on mounts and the process root). */
  constructor(readonly dir: DirInode, flags: number, private readonly parentOf: (d: DirInode) => Inode) {
    super(flags);
    this.node = dir;
  }

  override read(): number { return raise(EISDIR); }
  override write(): number { return raise(EBADF); }

  override getdents64(_t: Task, dst: Uint8Array): number {
    if (this.dir.dead) raise(ENOENT);
    let used = 0;
    let full = false;
    const put = (ino: number, cookie: number, type: number, name: string): boolean => {
      const n = putDirent(dst, used, ino, cookie, type, name);
      if (n === 0) { full = true; return false; }
      used += n;
      this.pos = cookie;
      return true;
    };
    if (this.pos === 0 && !put(this.dir.ino, 1, 4, '.')) return this.tooSmall(used);
    if (this.pos === 1) {
      const p = this.parentOf(this.dir);
      if (!put(p.ino, 2, 4, '..')) return this.tooSmall(used);
    }
    if (!this.it) {
      this.it = this.dir.iterate();
      this.pending = null;
    }
    for (;;) {
      let e = this.pending;
      this.pending = null;
      if (!e) {
        const r = this.it.next();
        if (r.done) break;
        e = r.value;
      }
      const [name, d] = e;
      if (d.seq <= this.pos) continue;
      if (!put(d.node.ino, d.seq, dtype(d.node.mode), name)) { this.pending = e; break; }
    }
    return full ? this.tooSmall(used) : used;
  }

  private tooSmall(used: number): number {
    if (used === 0) raise(EINVAL);
    return used;
  }

  override lseek(off: number, whence: number): number {
    if (whence === SEEK_CUR) off += this.pos;
    else if (whence !== SEEK_SET) raise(EINVAL);
    if (off < 0) raise(EINVAL);
    this.pos = off;
    this.it = null;
    this.pending = null;
    return off;
  }

  override stat(): Stat { return this.dir.stat(); }
}
