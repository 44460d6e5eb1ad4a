// File attributes as the kernel reports them (struct kstat in include/linux/stat.h) and the user-visible
// encodings: the 112-byte stat64 of docs/design/process-abi.md (fs/stat.c cp_new_stat64), struct statx
// (include/uapi/linux/stat.h) and dev_t packing (include/linux/kdev_t.h new_encode_dev).
import type { UserMemory } from '../mm/uaccess.js';

/** A point in time, as Linux's struct timespec64. */
export interface Timespec { sec: number; nsec: number }

export interface Stat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  /** Birth time, when the filesystem keeps it (statx STATX_BTIME). */
  btime?: Timespec;
}

export function major(dev: number): number { return (dev >>> 8) & 0xfff; }
export function minor(dev: number): number { return (dev & 0xff) | ((dev >>> 12) & 0xfff00); }
/** new_encode_dev: what st_dev / st_rdev carry and what musl's major()/minor() decode. */
export function makedev(ma: number, mi: number): number {
  return ((mi & 0xff) | ((ma & 0xfff) << 8) | ((mi & ~0xff) << 12)) >>> 0;
}

let clock: () => number = () => Date.now();
let lastNs = 0n;

/**
 * Install the wall clock (milliseconds since the epoch, fractional allowed) used for file timestamps.
 * The kernel's time subsystem may call this; the default is Date.now().
 */
export function setFsClock(fn: () => number): void { clock = fn; }

/** The current time for a timestamp; strictly increasing so that successive changes compare as newer. */
export function currentTime(): Timespec {
  let ns = BigInt(Math.floor(clock() * 1e6));
  if (ns <= lastNs) ns = lastNs + 1n;
  lastNs = ns;
  return { sec: Number(ns / 1000000000n), nsec: Number(ns % 1000000000n) };
}

export const STAT64_SIZE = 112;

function setTs(m: UserMemory, addr: number, t: Timespec): void {
  m.setI64(addr, t.sec);
  m.setI32(addr + 8, t.nsec);
  m.setI32(addr + 12, 0);
}

/** Write the wasmux kstat (112 bytes) at addr. */
export function writeStat64(m: UserMemory, addr: number, st: Stat): void {
  m.check(addr, STAT64_SIZE);
  m.zero(addr, STAT64_SIZE);
  m.setU64(addr, st.dev);
  m.setU64(addr + 8, st.ino);
  m.setU32(addr + 16, st.mode);
  m.setU32(addr + 20, st.nlink);
  m.setU32(addr + 24, st.uid);
  m.setU32(addr + 28, st.gid);
  m.setU64(addr + 32, st.rdev);
  m.setI64(addr + 40, st.size);
  m.setI32(addr + 48, st.blksize);
  m.setI64(addr + 56, st.blocks);
  setTs(m, addr + 64, st.atime);
  setTs(m, addr + 80, st.mtime);
  setTs(m, addr + 96, st.ctime);
}

export const STATX_SIZE = 256;
export const STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_NLINK = 0x4, STATX_UID = 0x8, STATX_GID = 0x10,
  STATX_ATIME = 0x20, STATX_MTIME = 0x40, STATX_CTIME = 0x80, STATX_INO = 0x100, STATX_SIZE_ = 0x200,
  STATX_BLOCKS = 0x400, STATX_BASIC_STATS = 0x7ff, STATX_BTIME = 0x800, STATX_MNT_ID = 0x1000,
  STATX__RESERVED = 0x80000000;

function setStatxTs(m: UserMemory, addr: number, t: Timespec): void {
  m.setI64(addr, t.sec);
  m.setU32(addr + 8, t.nsec);
  m.setI32(addr + 12, 0);
}

/** Write struct statx (256 bytes). Like Linux we fill every field we have and report it in stx_mask. */
export function writeStatx(m: UserMemory, addr: number, st: Stat, mntId: number): void {
  m.check(addr, STATX_SIZE);
  m.zero(addr, STATX_SIZE);
  let mask = STATX_BASIC_STATS | STATX_MNT_ID;
  if (st.btime) mask |= STATX_BTIME;
  m.setU32(addr, mask);
  m.setU32(addr + 4, st.blksize);
  m.setU32(addr + 16, st.nlink);
  m.setU32(addr + 20, st.uid);
  m.setU32(addr + 24, st.gid);
  m.setU16(addr + 28, st.mode & 0xffff);
  m.setU64(addr + 32, st.ino);
  m.setU64(addr + 40, st.size);
  m.setU64(addr + 48, st.blocks);
  setStatxTs(m, addr + 64, st.atime);
  if (st.btime) setStatxTs(m, addr + 80, st.btime);
  setStatxTs(m, addr + 96, st.ctime);
  setStatxTs(m, addr + 112, st.mtime);
  m.setU32(addr + 128, major(st.rdev));
  m.setU32(addr + 132, minor(st.rdev));
  m.setU32(addr + 136, major(st.dev));
  m.setU32(addr + 140, minor(st.dev));
  m.setU64(addr + 144, mntId);
}

/** A Stat for objects that live outside any filesystem (pipes, sockets, anonymous inodes). */
export function anonStat(mode: number, ino: number, uid = 0, gid = 0): Stat {
  const now = currentTime();
  return {
    dev: makedev(0, 13), ino, mode, nlink: 1, uid, gid, rdev: 0, size: 0, blksize: 4096, blocks: 0,
    atime: now, mtime: now, ctime: now,
  };
}
