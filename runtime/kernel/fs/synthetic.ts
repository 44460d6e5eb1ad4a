// Building blocks for synthetic filesystems such as /proc (cf. fs/proc/ and fs/kernfs/): directories
// whose entries are computed on demand, files whose content is generated when opened, and links whose
// target depends on the task that reads them. A filesystem made of these is mounted with
// Vfs.mountProc(root) (or Vfs.mount(path, root)).
//
// Directory cookies stay stable: a SyntheticDir keeps its entry map in step with the source, so a name
// that survives between two listings keeps its sequence number (and its getdents64 d_off).
import { EACCES, EBADF, EINVAL } from '../../abi/errno.js';
import { O_ACCMODE, O_RDONLY, S_IFREG, SEEK_CUR, SEEK_END, SEEK_SET } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import { File } from './file.js';
import { DirInode, Inode, LnkInode, SuperBlock } from './inode.js';
import type { Stat } from './stat.js';

/** A superblock for a synthetic filesystem (its own st_dev, statfs magic and mount id). */
export function syntheticSuper(dev: number, type: string, magic: number, mntId: number): SuperBlock {
  return new SuperBlock(dev, type, magic, mntId, undefined, 1);
}

export class SyntheticDir extends DirInode {
  /** `list` returns the current entries; nodes should be reused across calls (stable inode numbers). */
  constructor(sb: SuperBlock, mode: number, private readonly list: () => Iterable<[string, Inode]>, parent?: DirInode) {
    super(sb, mode, 0, 0, parent);
  }

  protected override load(): void {
    const now = new Map<string, Inode>();
    for (const [name, node] of this.list()) now.set(name, node);
    for (const [name, d] of this.entries) {
      const n = now.get(name);
      if (n !== d.node) this.entries.delete(name);
    }
    for (const [name, node] of now) {
      if (!this.entries.has(name)) {
        this.entries.set(name, { node, seq: this.nextSeq++ });
        if (node instanceof DirInode) { node.parent = this; node.name = name; }
      }
    }
  }
}

/** A read-only file whose bytes are produced when it is opened (a snapshot, as seq_file reads are). */
export class SyntheticFile extends Inode {
  constructor(sb: SuperBlock, mode: number, private readonly generate: (t: Task) => Uint8Array, uid = 0, gid = 0) {
    super(sb, S_IFREG | (mode & 0o7777), uid, gid);
  }
  /** Linux reports size 0 for most /proc files. */
  get size(): number { return 0; }

  override open(t: Task, flags: number): File {
    if ((flags & O_ACCMODE) !== O_RDONLY) raise(EACCES);
    return new SnapshotFile(this, flags, this.generate(t));
  }
}

export class SnapshotFile extends File {
  constructor(readonly inode: Inode, flags: number, private readonly data: Uint8Array) {
    super(flags);
    this.node = inode;
  }

  override read(_t: Task, dst: Uint8Array, off: number): number {
    const at = off < 0 ? this.pos : off;
    if (at >= this.data.length) return 0;
    const n = Math.min(dst.length, this.data.length - at);
    dst.set(this.data.subarray(at, at + n));
    if (off < 0) this.pos = at + n;
    return n;
  }

  override write(): number { return raise(EBADF); }

  override lseek(off: number, whence: number): number {
    const base = whence === SEEK_SET ? 0 : whence === SEEK_CUR ? this.pos : whence === SEEK_END ? this.data.length : -1;
    if (base < 0 || base + off < 0) raise(EINVAL);
    this.pos = base + off;
    return this.pos;
  }

  override stat(): Stat { return this.inode.stat(); }
}

/** A symlink whose text is computed per task (/proc/self -> "<pid>"). */
export class TaskLink extends LnkInode {
  constructor(sb: SuperBlock, private readonly text: (t: Task | null) => string) { super(sb, '', 0, 0); }
  override readlink(t: Task | null): string { return this.text(t); }
  override get size(): number { return 0; }
}

/**
 * A "magic" link (/proc/<pid>/fd/N, /proc/<pid>/cwd): path walks jump straight to the node `resolve`
 * returns (for an fd that is not a filesystem file, return a node with an `open` override that hands
 * out the existing description); readlink shows `text`.
 */
export class MagicLink extends LnkInode {
  constructor(sb: SuperBlock, private readonly text: (t: Task | null) => string,
    private readonly resolve: (t: Task | null) => Inode | null) { super(sb, '', 0, 0); }
  override readlink(t: Task | null): string { return this.text(t); }
  override follow(t: Task | null): Inode | null { return this.resolve(t); }
}
