// An open file description (struct file in include/linux/fs.h). Shared by every fd that refers to it
// (dup, fork), which share flags and position. Subclasses: regular files, directories and devices (fs/),
// pipes (fs/pipe.ts), later ttys and sockets.
//
// Blocking convention: read/write raise EAGAIN when they would block. The syscall layer then, unless the
// description has O_NONBLOCK, sleeps on `waitQueue()` and retries. Regular files never raise EAGAIN.
import { EINVAL, ENOTDIR, ENOTTY, ESPIPE, EBADF } from '../../abi/errno.js';
import { O_ACCMODE, O_RDONLY, O_WRONLY, POLLIN, POLLOUT } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import { WaitQueue } from '../wait.js';
import { releaseLocks } from './locks.js';
import { fsnotifyClose } from './notify/fsnotify.js';
import type { Dentry } from './dcache.js';
import type { Task } from '../proc/task.js';
import type { DirInode } from './inode.js';
import type { Stat } from './stat.js';

export abstract class File {
  /** O_* status flags (access mode, O_APPEND, O_NONBLOCK, ...). */
  flags: number;
  /** File position for read/write without an explicit offset. */
  pos = 0;
  /** Number of fd-table references (plus transient holders); release() runs when it drops to 0. */
  refs = 1;

  constructor(flags: number) { this.flags = flags; }

  get readable(): boolean { return (this.flags & O_ACCMODE) !== O_WRONLY; }
  get writable(): boolean { return (this.flags & O_ACCMODE) !== O_RDONLY; }

  /** Read into dst at offset `off`, or at and advancing `pos` when off < 0. Returns bytes read. */
  read(_t: Task, _dst: Uint8Array, _off: number): number { return raise(EINVAL); }
  /** Write src at offset `off` (or at `pos`, honouring O_APPEND, when off < 0). Returns bytes written. */
  write(_t: Task, _src: Uint8Array, _off: number): number { return raise(EINVAL); }
  lseek(_off: number, _whence: number): number { return raise(ESPIPE); }
  /** Directory iteration: fill linux_dirent64 records into dst; returns bytes used (0 at end). */
  getdents64(_t: Task, _dst: Uint8Array): number { return raise(ENOTDIR); }
  ioctl(_t: Task, _req: number, _arg: number): number { return raise(ENOTTY); }
  abstract stat(): Stat;
  truncate(_len: number): void { raise(EINVAL); }
  /** Ready events (POLLIN | POLLOUT | POLLHUP | ...) right now. */
  poll(): number { return POLLIN | POLLOUT; }
  /** Queue woken when poll() may have changed. Files that never block return null. */
  waitQueue(): WaitQueue | null { return null; }
  /** Called once when the last reference goes away. */
  release(): void {}

  /** Optional: the vfs node this file was opened from (for fchmod, fchdir, openat relative to a dirfd...). */
  node?: unknown;
  /** Where the file was opened (start directory and path as given): its name in /proc/<pid>/fd. */
  openedAt?: { dir: DirInode; path: string };
  /** The name the file was opened by (f_path.dentry; fs/dcache.ts): where fsnotify reports its events. */
  dentry?: Dentry;

  get(): this { this.refs++; return this; }
  put(): void {
    if (--this.refs === 0) {
      releaseLocks(this);
      if (this.dentry) fsnotifyClose(this);
      this.release();
    }
    else if (this.refs < 0) raise(EBADF);
  }
}
