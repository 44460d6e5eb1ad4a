// /dev (cf. drivers/base/devtmpfs.c) and the memory devices (drivers/char/mem.c: null, zero, full;
// drivers/char/random.c: random, urandom). /dev is its own tmpfs-like filesystem (st_dev 0:5), so root
// may create nodes there; /dev/shm is a separate tmpfs mounted on it, /dev/pts an empty directory for the
// tty layer. stdin/stdout/stderr/fd are symlinks into /proc/self/fd, which procfs resolves.
import { ENOSPC } from '../../abi/errno.js';
import { S_IFCHR } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { ChrdevRegistry } from './char_dev.js';
import { File } from './file.js';
import { DirInode, LnkInode, SpecialInode, SuperBlock } from './inode.js';
import { makedev, type Stat } from './stat.js';
import { TMPFS_MAGIC, newTmpfs } from './tmpfs.js';

declare const crypto: { getRandomValues<T extends Uint8Array>(a: T): T };

export const DEVTMPFS_DEV = makedev(0, 5);
export const MEM_MAJOR = 1, TTYAUX_MAJOR = 5;

/** Fill `b` with random bytes (getRandomValues takes at most 65536 bytes per call). */
export function randomFill(b: Uint8Array): void {
  for (let i = 0; i < b.length; i += 65536) crypto.getRandomValues(b.subarray(i, Math.min(b.length, i + 65536)));
}

/** Base of device files: attributes come from the device node that was opened. */
export abstract class DeviceFile extends File {
  constructor(readonly inode: SpecialInode, flags: number) { super(flags); this.node = inode; }
  override stat(): Stat { return this.inode.stat(); }
  /** Device positions are meaningless; Linux's null_lseek/noop_llseek succeed. */
  override lseek(): number { this.pos = 0; return 0; }
}

class NullFile extends DeviceFile {
  override read(): number { return 0; }
  override write(_t: Task, src: Uint8Array): number { return src.length; }
}

class ZeroFile extends DeviceFile {
  override read(_t: Task, dst: Uint8Array): number { dst.fill(0); return dst.length; }
  override write(_t: Task, src: Uint8Array): number { return src.length; }
}

class FullFile extends DeviceFile {
  override read(_t: Task, dst: Uint8Array): number { dst.fill(0); return dst.length; }
  override write(_t: Task, src: Uint8Array): number { return src.length === 0 ? 0 : raise(ENOSPC); }
}

class RandomFile extends DeviceFile {
  override read(_t: Task, dst: Uint8Array): number { randomFill(dst); return dst.length; }
  /** Writing mixes into the pool on Linux; here it is accepted and ignored. */
  override write(_t: Task, src: Uint8Array): number { return src.length; }
}

export function registerMemDevices(reg: ChrdevRegistry): void {
  reg.register(MEM_MAJOR, 3, (_t, n, fl) => new NullFile(n, fl));
  reg.register(MEM_MAJOR, 5, (_t, n, fl) => new ZeroFile(n, fl));
  reg.register(MEM_MAJOR, 7, (_t, n, fl) => new FullFile(n, fl));
  reg.register(MEM_MAJOR, 8, (_t, n, fl) => new RandomFile(n, fl));
  reg.register(MEM_MAJOR, 9, (_t, n, fl) => new RandomFile(n, fl));
}

/** The /dev tree; returns its root and the /dev/shm tmpfs root (to be mounted on /dev/shm). */
export function makeDevfs(mntId: number, shmMntId: number, charge?: (delta: number) => void):
  { root: DirInode; shm: DirInode } {
  const sb = new SuperBlock(DEVTMPFS_DEV, 'devtmpfs', TMPFS_MAGIC, mntId, charge, 1);
  const root = new DirInode(sb, 0o755, 0, 0);
  const chr = (name: string, ma: number, mi: number, mode = 0o666): void => {
    root.insert(name, new SpecialInode(sb, S_IFCHR | mode, makedev(ma, mi), 0, 0));
  };
  chr('null', MEM_MAJOR, 3);
  chr('zero', MEM_MAJOR, 5);
  chr('full', MEM_MAJOR, 7);
  chr('random', MEM_MAJOR, 8);
  chr('urandom', MEM_MAJOR, 9);
  chr('tty', TTYAUX_MAJOR, 0);
  chr('console', TTYAUX_MAJOR, 1, 0o600);
  chr('ptmx', TTYAUX_MAJOR, 2);
  const link = (name: string, target: string): void => { root.insert(name, new LnkInode(sb, target, 0, 0)); };
  link('fd', '/proc/self/fd');
  link('stdin', '/proc/self/fd/0');
  link('stdout', '/proc/self/fd/1');
  link('stderr', '/proc/self/fd/2');
  const dir = (name: string, mode: number): DirInode => {
    const d = new DirInode(sb, mode, 0, 0, root);
    root.insert(name, d);
    root.nlink++;
    return d;
  };
  dir('pts', 0o755);
  dir('shm', 0o1777);
  const shm = newTmpfs(makedev(0, 6), shmMntId, charge, 0o1777);
  return { root, shm };
}
