// Anonymous-inode files (fs/anon_inodes.c): the shared stat of epoll, eventfd, timerfd and signalfd
// descriptors, which have no name in any filesystem.
import type { Stat } from './stat.js';

let nextIno = 1;
export function anonIno(): number { return nextIno++; }

export function anonStat(ino: number): Stat {
  const now = Date.now();
  const ts = { sec: Math.floor(now / 1000), nsec: (now % 1000) * 1e6 };
  return { dev: 0x0e, ino, mode: 0o600, nlink: 1, uid: 0, gid: 0, rdev: 0, size: 0, blksize: 4096, blocks: 0,
    atime: ts, mtime: ts, ctime: ts };
}
