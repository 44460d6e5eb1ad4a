// Open regular files (the tmpfs/overlay file_operations: mm/shmem.c shmem_file_operations, fs/read_write.c
// for the position rules). read/write at `pos` or at an explicit offset (pread/pwrite), O_APPEND,
// lseek with SEEK_DATA/SEEK_HOLE (a file is one data extent followed by the hole at EOF), ftruncate.
import { EBADF, EINVAL, ENXIO, EOVERFLOW } from '../../abi/errno.js';
import { O_APPEND, SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import { File } from './file.js';
import { currentTime, type Stat } from './stat.js';
import { MAX_FILE_SIZE, type RegInode } from './tmpfs.js';

function before(a: { sec: number; nsec: number }, b: { sec: number; nsec: number }): boolean {
  return a.sec < b.sec || (a.sec === b.sec && a.nsec <= b.nsec);
}

export class RegFile extends File {
  override node: RegInode;

  constructor(readonly inode: RegInode, flags: number) {
    super(flags);
    this.node = inode;
    inode.opens++;
  }

  override read(_t: Task, dst: Uint8Array, off: number): number {
    if (!this.readable) raise(EBADF);
    const at = off < 0 ? this.pos : off;
    const n = this.inode.read(dst, at);
    if (off < 0) this.pos = at + n;
    // relatime: update atime only when it is not newer than mtime/ctime.
    if (before(this.inode.atime, this.inode.mtime) || before(this.inode.atime, this.inode.ctime)) {
      this.inode.atime = currentTime();
    }
    return n;
  }

  /** Linux quirk kept: with O_APPEND even pwrite (off >= 0) appends. */
  override write(_t: Task, src: Uint8Array, off: number): number {
    if (!this.writable) raise(EBADF);
    const append = (this.flags & O_APPEND) !== 0;
    const at = append ? this.inode.size : off < 0 ? this.pos : off;
    const n = this.inode.write(src, at);
    if (off < 0) this.pos = at + n;
    return n;
  }

  override lseek(off: number, whence: number): number {
    const size = this.inode.size;
    let p: number;
    switch (whence) {
      case SEEK_SET: p = off; break;
      case SEEK_CUR: p = this.pos + off; break;
      case SEEK_END: p = size + off; break;
      case SEEK_DATA: if (off < 0 || off >= size) raise(ENXIO); p = off; break;
      case SEEK_HOLE: if (off < 0 || off >= size) raise(ENXIO); p = size; break;
      default: return raise(EINVAL);
    }
    if (p < 0) raise(EINVAL);
    if (p > MAX_FILE_SIZE) raise(EOVERFLOW);
    this.pos = p;
    return p;
  }

  override truncate(len: number): void {
    if (!this.writable) raise(EINVAL);
    this.inode.truncate(len);
  }

  override stat(): Stat { return this.inode.stat(); }

  override release(): void {
    this.inode.opens--;
    this.inode.maybeFree();
  }
}
