// Reader of the read-only root filesystem image (format: docs/design/image-format.md; writer:
// scripts/build-image.mjs). Plays the role of a read-only disk filesystem such as squashfs or cramfs
// (fs/squashfs/), without compression: file data is returned as views of the image buffer, never copied.
// Pure: no I/O, only the bytes it is given.
import type { Timespec } from './stat.js';
import { decodeBytes, encodeBytes } from '../../lib/bytestring.js';

export const IMAGE_MAGIC = 'WASMUXFS';
export const IMAGE_VERSION = 1;
export const HEADER_SIZE = 128;
export const INODE_SIZE = 40;
export const DIRENT_SIZE = 12;
export const ROOT_INO = 1;

export interface ImageInode {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** Regular file: byte size; directory: number of entries; symlink: target length. */
  size: number;
  /** Regular file: absolute data offset; directory: index of the first dirent; symlink: string offset. */
  off: number;
  mtime: Timespec;
  rdev: number;
}

const dec = new TextDecoder('utf-8', { fatal: false });

export class ImageFormatError extends Error {
  constructor(msg: string) { super(`rootfs image: ${msg}`); this.name = 'ImageFormatError'; }
}

export class Image {
  /** Image identity: sha256 (hex) of everything after the header, computed by the writer. */
  readonly id: string;
  readonly inodeCount: number;
  private readonly dv: DataView;
  private readonly inodeOff: number;
  private readonly direntOff: number;
  private readonly direntCount: number;
  private readonly stringsOff: number;
  private readonly stringsSize: number;

  constructor(readonly bytes: Uint8Array) {
    if (bytes.length < HEADER_SIZE) throw new ImageFormatError('truncated header');
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dec.decode(bytes.subarray(0, 8)) !== IMAGE_MAGIC) throw new ImageFormatError('bad magic');
    const version = this.u32(8);
    if (version !== IMAGE_VERSION) throw new ImageFormatError(`unsupported version ${version}`);
    const headerSize = this.u32(12);
    this.inodeCount = this.u32(16);
    this.inodeOff = this.u32(20);
    this.direntCount = this.u32(24);
    this.direntOff = this.u32(28);
    this.stringsOff = this.u32(32);
    this.stringsSize = this.u32(36);
    const total = this.u32(48);
    if (headerSize < HEADER_SIZE || total !== bytes.length) throw new ImageFormatError('size mismatch');
    if (this.inodeOff + this.inodeCount * INODE_SIZE > total
      || this.direntOff + this.direntCount * DIRENT_SIZE > total
      || this.stringsOff + this.stringsSize > total) throw new ImageFormatError('table out of bounds');
    if (this.inodeCount < 1) throw new ImageFormatError('no root inode');
    let hex = '';
    for (let i = 64; i < 96; i++) hex += bytes[i]!.toString(16).padStart(2, '0');
    this.id = hex;
  }

  private u32(off: number): number { return this.dv.getUint32(off, true); }

  inode(ino: number): ImageInode {
    if (ino < 1 || ino > this.inodeCount) throw new ImageFormatError(`bad inode ${ino}`);
    const p = this.inodeOff + (ino - 1) * INODE_SIZE;
    const secLo = this.u32(p + 24), secHi = this.dv.getInt32(p + 28, true);
    return {
      ino, mode: this.u32(p), uid: this.u32(p + 4), gid: this.u32(p + 8), nlink: this.u32(p + 12),
      size: this.u32(p + 16), off: this.u32(p + 20),
      mtime: { sec: secHi * 2 ** 32 + secLo, nsec: this.u32(p + 32) }, rdev: this.u32(p + 36),
    };
  }

  /** The data of a regular file: a view into the image. */
  data(ino: number): Uint8Array {
    const n = this.inode(ino);
    if (n.off + n.size > this.bytes.length) throw new ImageFormatError(`data of ${ino} out of bounds`);
    return this.bytes.subarray(n.off, n.off + n.size);
  }

  readlink(ino: number): string {
    const n = this.inode(ino);
    return decodeBytes(this.str(n.off, n.size));
  }

  private str(off: number, len: number): Uint8Array {
    if (off + len > this.stringsSize) throw new ImageFormatError('string out of bounds');
    return this.bytes.subarray(this.stringsOff + off, this.stringsOff + off + len);
  }

  private dirent(i: number): { nameOff: number; nameLen: number; ino: number } {
    if (i >= this.direntCount) throw new ImageFormatError('dirent out of bounds');
    const p = this.direntOff + i * DIRENT_SIZE;
    return { nameOff: this.u32(p), nameLen: this.u32(p + 4), ino: this.u32(p + 8) };
  }

  /** Entries of a directory, sorted by name bytes. */
  *entries(dirIno: number): Generator<{ name: string; ino: number }> {
    const d = this.inode(dirIno);
    for (let i = 0; i < d.size; i++) {
      const e = this.dirent(d.off + i);
      yield { name: decodeBytes(this.str(e.nameOff, e.nameLen)), ino: e.ino };
    }
  }

  /** Binary search of `name` in a directory; returns the inode number or 0. */
  lookup(dirIno: number, name: string): number {
    const d = this.inode(dirIno);
    const key = encodeBytes(name);
    let lo = 0, hi = d.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.dirent(d.off + mid);
      const c = compareBytes(this.str(e.nameOff, e.nameLen), key);
      if (c === 0) return e.ino;
      if (c < 0) lo = mid + 1; else hi = mid - 1;
    }
    return 0;
  }
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
