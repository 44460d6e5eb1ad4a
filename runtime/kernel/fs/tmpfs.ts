// File data in memory (mm/shmem.c, the tmpfs backing store). A RegInode either reads straight out of the
// read-only image (a Uint8Array view, `lower`), or owns a growable buffer after "copy-up" (the first
// change to its data). Buffers grow geometrically so that big sequential writes are linear; bytes past
// the buffer but below `size` read as zeros (a file extended by truncate costs no memory). Every change
// in owned capacity is charged to the superblock, whose callback enforces the sandbox's memory cap.
import { EFBIG, EINVAL } from '../../abi/errno.js';
import { S_IFMT, S_IFREG } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import { DirInode, Inode, SuperBlock } from './inode.js';
import type { Timespec } from './stat.js';

const EMPTY = new Uint8Array(0);
/** Largest file size (sparse); Linux allows 2^63-1, we keep offsets exact in a double. */
export const MAX_FILE_SIZE = 2 ** 43;
/** Largest data buffer of one file. */
export const MAX_BUFFER = 2 ** 31;

let nextNodeId = 1;

export class RegInode extends Inode {
  /** Owned buffer (capacity = buf.length) or, while `lower`, a view of the image. */
  private buf: Uint8Array = EMPTY;
  private len = 0;
  /** True while the data is the image's (zero-copy, never written). */
  lower = false;
  /** Identity of the lower data for the Module cache ("<image hash>:<ino>"), null after copy-up. */
  lowerId: string | null = null;
  /** Bumped by every data change: part of the Module-cache id of upper files. */
  version = 0;
  /** Process-wide unique id of this node (ino is only unique per filesystem). */
  readonly nodeId = nextNodeId++;
  /** Open file descriptions on this node; data is freed when this and nlink are both 0. */
  opens = 0;
  /** An O_TMPFILE file (without O_EXCL) may be given a name with linkat (Linux I_LINKABLE). */
  linkable = false;

  constructor(sb: SuperBlock, mode: number, uid: number, gid: number, ino?: number, time?: Timespec) {
    super(sb, (mode & ~S_IFMT) | S_IFREG, uid, gid, ino, time);
  }

  /** Make this node read `data` (a view of the image) until copy-up. */
  setLower(data: Uint8Array, id: string): void {
    this.buf = data; this.len = data.length; this.lower = true; this.lowerId = id;
  }

  get size(): number { return this.len; }
  /** Owned capacity in bytes (0 while lower). */
  get capacity(): number { return this.lower ? 0 : this.buf.length; }

  protected override blocks(): number {
    return this.lower ? Math.ceil(this.len / 512) : Math.ceil(Math.min(this.len, this.buf.length) / 4096) * 8;
  }

  /** Copy bytes at `off` into dst; returns the count (0 at or past EOF). */
  read(dst: Uint8Array, off: number): number {
    if (off >= this.len) return 0;
    const n = Math.min(dst.length, this.len - off);
    const avail = Math.max(0, Math.min(n, this.buf.length - off));
    if (avail > 0) dst.set(this.buf.subarray(off, off + avail));
    if (avail < n) dst.fill(0, avail, n);
    return n;
  }

  /**
   * The whole content as one array: a view (no copy) when the bytes are all in the buffer, else a fresh
   * zero-extended copy. Valid until the file changes.
   */
  contents(): Uint8Array {
    if (this.buf.length >= this.len) return this.buf.subarray(0, this.len);
    const out = new Uint8Array(this.len);
    out.set(this.buf.subarray(0, Math.min(this.buf.length, this.len)));
    return out;
  }

  write(src: Uint8Array, off: number): number {
    if (off < 0) raise(EINVAL);
    const end = off + src.length;
    if (end > MAX_FILE_SIZE || end > MAX_BUFFER) raise(EFBIG);
    if (src.length === 0) return 0;
    this.copyUp();
    this.reserve(end);
    this.buf.set(src, off);
    if (end > this.len) this.len = end;
    this.version++;
    this.touch(true);
    return src.length;
  }

  truncate(size: number): void {
    if (size < 0) raise(EINVAL);
    if (size > MAX_FILE_SIZE) raise(EFBIG);
    if (size !== this.len) {
      this.copyUp(size);
      if (size < this.len) {
        const cap = this.buf.length;
        if (size < cap / 4 && cap > 65536) this.resize(size);
        else if (size < cap) this.buf.fill(0, size, Math.min(this.len, cap));
      }
      this.len = size;
      this.version++;
    }
    this.touch(true);
  }

  /**
   * overlayfs copy-up: take a private copy of the image data before its first change. Only the first
   * `keep` bytes are copied (a truncate to 0 copies nothing).
   */
  copyUp(keep = this.len): void {
    if (!this.lower) return;
    const data = this.buf.subarray(0, Math.min(keep, this.len));
    this.sb.account(data.length);
    this.buf = data.slice();
    this.lower = false;
    this.lowerId = null;
  }

  /** Free the data once the node is unreachable (no names, no open files). */
  maybeFree(): void {
    if (this.nlink > 0 || this.opens > 0) return;
    if (!this.lower) this.sb.account(-this.buf.length);
    this.buf = EMPTY;
    this.lower = false;
    this.uncharge();
  }

  /** Ensure capacity >= end: double the buffer, or grow exactly when doubling would exceed the cap. */
  private reserve(end: number): void {
    const cap = this.buf.length;
    if (end <= cap) return;
    const want = Math.min(MAX_BUFFER, Math.max(end, cap * 2, 256));
    try {
      this.resize(want);
    } catch (e) {
      if (want === end) throw e;
      this.resize(end);
    }
  }

  private resize(cap: number): void {
    this.sb.account(cap - this.buf.length);
    const nb = new Uint8Array(cap);
    nb.set(cap >= this.buf.length ? this.buf : this.buf.subarray(0, cap));
    this.buf = nb;
  }
}

/** Magic numbers for statfs f_type (include/uapi/linux/magic.h). */
export const TMPFS_MAGIC = 0x01021994, OVERLAYFS_SUPER_MAGIC = 0x794c7630, PROC_SUPER_MAGIC = 0x9fa0;

/** A new empty tmpfs: returns its root directory. */
export function newTmpfs(dev: number, mntId: number, charge?: (delta: number) => void, mode = 0o1777,
  type = 'tmpfs'): DirInode {
  const sb = new SuperBlock(dev, type, TMPFS_MAGIC, mntId, charge, 1);
  return new DirInode(sb, mode, 0, 0);
}
