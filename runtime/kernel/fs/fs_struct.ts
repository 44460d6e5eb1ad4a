// Per-process filesystem context (include/linux/fs_struct.h): root directory (chroot), current
// directory and umask. fork copies it (CLONE_FS sharing is not supported: each process has its own).
import type { DirInode } from './inode.js';

export class FsContext {
  constructor(public root: DirInode, public cwd: DirInode, public umask = 0o022) {}

  /** copy_fs_struct for fork. */
  clone(): FsContext { return new FsContext(this.root, this.cwd, this.umask); }
}
