// In-memory inodes and superblocks (struct inode / struct super_block in include/linux/fs.h), shared by
// every filesystem of the kernel: the overlay root, tmpfs, devtmpfs and synthetic filesystems (/proc).
// A node is a plain object referenced by its directory entries and by open files, so an unlinked file
// stays usable while open (the garbage collector frees it afterwards). Regular files are in tmpfs.ts.
//
// Directories keep their entries in a Map whose insertion order is the readdir order: each entry gets a
// sequence number when inserted, which is the getdents64 d_off cookie (1 and 2 are "." and ".."). A Map
// iterator is live (it sees later insertions and skips deleted entries), which gives the consistency
// POSIX asks of readdir while entries are added and removed.
import { S_IFDIR, S_IFLNK, S_IFMT } from '../../abi/fcntl.js';
import { byteLength } from '../../lib/bytestring.js';
import type { Task } from '../proc/task.js';
import type { File } from './file.js';
import type { FsnotifyMark } from './notify/fsnotify.js';
import { currentTime, type Stat, type Timespec } from './stat.js';

export class SuperBlock {
  /** Bytes of file data charged to this filesystem (for statfs and accounting). */
  used = 0;
  private nextIno: number;

  constructor(
    readonly dev: number,
    readonly type: string,
    /** statfs f_type */
    readonly magic: number,
    /** Mount id (statx stx_mnt_id). */
    readonly mntId: number,
    private readonly charge?: (delta: number) => void,
    firstIno = 2,
  ) { this.nextIno = firstIno; }

  /** Charge (delta > 0, may raise ENOSPC/ENOMEM and then nothing is charged) or refund memory. */
  account(delta: number): void {
    if (delta === 0) return;
    this.charge?.(delta);
    this.used += delta;
  }

  allocIno(): number { return this.nextIno++; }
}

/** Memory charged for each node created at run time (object, name, map entry), on top of its data. */
export const NODE_COST = 256;

export abstract class Inode {
  readonly ino: number;
  /** Bytes charged to the superblock for this node itself (see charge()/uncharge()). */
  private charged = 0;
  nlink = 1;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  btime: Timespec;
  rdev = 0;
  /** Watches on this node (i_fsnotify_marks; fs/notify/fsnotify.ts), null while nobody watches it. */
  fsnotifyMarks: FsnotifyMark[] | null = null;

  constructor(readonly sb: SuperBlock, public mode: number, public uid: number, public gid: number,
    ino?: number, time?: Timespec) {
    this.ino = ino ?? sb.allocIno();
    const now = time ?? currentTime();
    this.atime = now; this.mtime = now; this.ctime = now; this.btime = now;
  }

  get fmt(): number { return this.mode & S_IFMT; }
  get isDir(): boolean { return this.fmt === S_IFDIR; }
  get isLink(): boolean { return this.fmt === S_IFLNK; }
  abstract get size(): number;

  /** Synthetic filesystems override this to hand out their own file descriptions. */
  open?(t: Task, flags: number): File;

  /** Charge the node's own memory (NODE_COST + extra) when it is created; may raise like account(). */
  charge(extra = 0): void {
    this.sb.account(NODE_COST + extra);
    this.charged += NODE_COST + extra;
  }

  /** Return the node's own memory once it is gone for good (no names, nothing open). */
  uncharge(): void {
    if (this.charged) this.sb.account(-this.charged);
    this.charged = 0;
  }

  /** Set mtime and ctime (content changed) or only ctime (attributes changed) to now. */
  touch(content: boolean): void {
    const now = currentTime();
    if (content) this.mtime = now;
    this.ctime = now;
  }

  stat(): Stat {
    const size = this.size;
    return {
      dev: this.sb.dev, ino: this.ino, mode: this.mode, nlink: this.nlink, uid: this.uid, gid: this.gid,
      rdev: this.rdev, size, blksize: 4096, blocks: this.blocks(),
      atime: this.atime, mtime: this.mtime, ctime: this.ctime, btime: this.btime,
    };
  }

  /** 512-byte blocks allocated. */
  protected blocks(): number { return 0; }
}

export interface Dirent { node: Inode; seq: number }

/** Linux tmpfs reports directory sizes as (entries + 2) * BOGO_DIRENT_SIZE. */
const BOGO_DIRENT_SIZE = 20;

export class DirInode extends Inode {
  /** Parent directory; a filesystem root is its own parent. */
  parent: DirInode;
  /** For the root of a mounted filesystem: the directory it is mounted on. */
  mountedOn: DirInode | null = null;
  /** The root of the filesystem mounted on this directory, if any. */
  mounted: DirInode | null = null;
  /** This directory's name in its parent (directories have exactly one), for getcwd. */
  name = '/';
  /** Set by rmdir: lookups and creations in a removed directory fail with ENOENT. */
  dead = false;
  protected entries = new Map<string, Dirent>();
  protected nextSeq = 3;

  constructor(sb: SuperBlock, mode: number, uid: number, gid: number, parent?: DirInode, ino?: number,
    time?: Timespec) {
    super(sb, (mode & ~S_IFMT) | S_IFDIR, uid, gid, ino, time);
    this.parent = parent ?? this;
    this.nlink = 2;
  }

  /** Hook for lazily populated directories (overlay.ts): called before the entry map is used. */
  protected load(): void {}

  lookup(name: string): Inode | undefined { this.load(); return this.entries.get(name)?.node; }

  /** Live iterator in cookie order (see the file header). */
  iterate(): IterableIterator<[string, Dirent]> { this.load(); return this.entries.entries(); }

  get count(): number { this.load(); return this.entries.size; }

  isEmpty(): boolean { return this.count === 0; }

  /** Add an entry (the caller has checked that `name` is free and maintains nlink). */
  insert(name: string, node: Inode): void {
    this.load();
    this.entries.set(name, { node, seq: this.nextSeq++ });
    if (node instanceof DirInode) { node.parent = this; node.name = name; }
  }

  /** Remove an entry and return its node (the caller maintains nlink). */
  remove(name: string): Inode | undefined {
    this.load();
    const d = this.entries.get(name);
    if (d) this.entries.delete(name);
    return d?.node;
  }

  get size(): number { return (this.count + 2) * BOGO_DIRENT_SIZE; }
}

export class LnkInode extends Inode {
  constructor(sb: SuperBlock, public target: string, uid: number, gid: number, ino?: number, time?: Timespec) {
    super(sb, S_IFLNK | 0o777, uid, gid, ino, time);
  }
  get size(): number { return byteLength(this.target); }
  /** The link text; synthetic links (/proc/self) compute it per task. */
  readlink(_t: Task | null): string { return this.target; }
  /**
   * "Magic" links (/proc/<pid>/fd/N) resolve to a node directly instead of through their text. Return
   * null to resolve the text as usual.
   */
  follow(_t: Task | null): Inode | null { return null; }
}

/** Character and block devices, FIFOs and sockets: nodes with no data of their own. */
export class SpecialInode extends Inode {
  /**
   * Per-node state owned by the subsystem behind the node: the pipe of a FIFO (fs/pipe.ts), the bound
   * socket of an AF_UNIX path (net/). The filesystem never looks inside.
   */
  private: unknown = undefined;

  constructor(sb: SuperBlock, mode: number, rdev: number, uid: number, gid: number, ino?: number) {
    super(sb, mode, uid, gid, ino);
    this.rdev = rdev;
  }
  get size(): number { return 0; }
}
