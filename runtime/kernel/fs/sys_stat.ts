// stat family and statfs (fs/stat.c: fstat64, fstatat64, statx; fs/statfs.c: statfs64, fstatfs64).
// Layouts: stat64 = the 112-byte kstat of docs/design/process-abi.md, struct statx 256 bytes, struct
// statfs64 of a 32-bit asm-generic architecture (84 bytes, 88 with tail padding).
import { EINVAL } from '../../abi/errno.js';
import { AT_EMPTY_PATH, AT_NO_AUTOMOUNT, AT_SYMLINK_NOFOLLOW } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';
import { Inode } from './inode.js';
import { writeStat64, writeStatx } from './stat.js';

const AT_STATX_SYNC_TYPE = 0x6000;
const STATFS64_MIN = 84;

export function sys_fstat64(t: Task, fd: number, buf: number): number {
  writeStat64(t.mem, buf, t.files.get(fd).stat());
  return 0;
}

export function sys_fstatat64(t: Task, dirfd: number, path: number, buf: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) raise(EINVAL);
  const p = t.mem.cstring(path);
  if (p === '' && (flags & AT_EMPTY_PATH) && dirfd >= 0) return sys_fstat64(t, dirfd, buf);
  writeStat64(t.mem, buf, t.kernel.vfs.lookupAt(t, dirfd, p, flags).stat());
  return 0;
}

export function sys_statx(t: Task, dirfd: number, path: number, flags: number, _mask: number, buf: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) raise(EINVAL);
  if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) raise(EINVAL);
  const p = t.mem.cstring(path);
  let st, mnt = 0;
  if (p === '' && (flags & AT_EMPTY_PATH) && dirfd >= 0) {
    const f = t.files.get(dirfd);
    st = f.stat();
    if (f.node instanceof Inode) mnt = f.node.sb.mntId;
  } else {
    const n = t.kernel.vfs.lookupAt(t, dirfd, p, flags);
    st = n.stat();
    mnt = n.sb.mntId;
  }
  writeStatx(t.mem, buf, st, mnt);
  return 0;
}

function writeStatfs(t: Task, node: Inode, size: number, buf: number): void {
  if (size < STATFS64_MIN) raise(EINVAL);
  const vfs = t.kernel.vfs;
  const m = t.mem;
  const bsize = 4096;
  const total = Math.max(vfs.capacity, node.sb.used);
  const blocks = Math.floor(total / bsize), free = Math.floor((total - node.sb.used) / bsize);
  m.check(buf, size);
  m.zero(buf, Math.min(size, 88));
  m.setU32(buf, node.sb.magic);
  m.setU32(buf + 4, bsize);
  m.setU64(buf + 8, blocks);
  m.setU64(buf + 16, free);
  m.setU64(buf + 24, free);
  m.setU64(buf + 32, 1 << 20);
  m.setU64(buf + 40, 1 << 20);
  m.setU32(buf + 48, node.sb.dev);
  m.setU32(buf + 52, 0);
  m.setU32(buf + 56, 255);
  m.setU32(buf + 60, bsize);
  m.setU32(buf + 64, 0x20 /* ST_VALID */);
}

export function sys_statfs64(t: Task, path: number, size: number, buf: number): number {
  writeStatfs(t, t.kernel.vfs.lookupAt(t, -100, t.mem.cstring(path), 0), size >>> 0, buf);
  return 0;
}

export function sys_fstatfs64(t: Task, fd: number, size: number, buf: number): number {
  const n = t.files.get(fd).node;
  writeStatfs(t, n instanceof Inode ? n : t.fs.root, size >>> 0, buf);
  return 0;
}

export const statSyscalls: SyscallDefs = {
  fstat64: { handler: sys_fstat64, level: 'full' },
  fstatat64: { handler: sys_fstatat64, level: 'full' },
  statx: {
    handler: sys_statx,
    level: 'full',
    note: 'Always returns every basic field plus btime and mnt_id, whatever the mask; sync flags ignored.',
  },
  statfs64: { handler: sys_statfs64, level: 'partial', note: 'Sizes are nominal (capacity option), inode counts fixed.' },
  fstatfs64: {
    handler: sys_fstatfs64,
    level: 'partial',
    note: 'As statfs64; pipes and sockets report the root filesystem instead of pipefs/sockfs.',
  },
};
