// Unix98 pseudo-terminals (drivers/tty/pty.c, fs/devpts): opening /dev/ptmx creates a pair, whose slave
// appears as /dev/pts/N (devpts, mounted on /dev/pts) once the master unlocks it (TIOCSPTLCK; TIOCGPTN
// gives N). What the master writes is typed at the slave's line discipline; what the slave writes (after
// output processing) and its echoes are read from the master. Closing the master hangs the slave up;
// closing the last slave file makes master reads fail with EIO once drained. Also registers /dev/tty.
import { EAGAIN, EINVAL, EIO, ENOSPC } from '../../../abi/errno.js';
import { O_ACCMODE, O_CLOEXEC, O_NOCTTY, O_NONBLOCK, POLLHUP, POLLIN, POLLOUT, S_IFCHR } from '../../../abi/fcntl.js';
import { TIOCGPTLCK, TIOCGPTN, TIOCGPTPEER, TIOCSIG, TIOCSPTLCK } from '../../../abi/termios.js';
import { raise } from '../../errors.js';
import { File } from '../../fs/file.js';
import { DirInode, SpecialInode, SuperBlock } from '../../fs/inode.js';
import { makedev, minor, type Stat } from '../../fs/stat.js';
import type { Kernel } from '../../kernel.js';
import type { Task } from '../../proc/task.js';
import { WaitQueue } from '../../wait.js';
import { Tty, tiocsig, type TtyDriver } from './tty.js';
import { TtyFile, openDevTty } from './tty_io.js';

export const TTYAUX_MAJOR = 5, UNIX98_PTY_SLAVE_MAJOR = 136;
const DEVPTS_SUPER_MAGIC = 0x1cd1;
/** Output the master has not read yet, past which slave writers wait. */
const MASTER_BUF = 65536;
/** Group of the slave nodes (grantpt: the tty group). */
const TTY_GID = 5;
const MAX_PTYS = 4096;

export class PtyPair implements TtyDriver {
  readonly slave: Tty;
  /** Slave output waiting for the master. */
  private out: Uint8Array[] = [];
  private outLen = 0;
  /** Woken when the master can read (output, slave closed) or write (input room). */
  readonly masterWq = new WaitQueue();
  locked = true;
  /** No slave file is open (after at least one was): master reads end with EIO. */
  otherClosed = false;
  masterClosed = false;
  /** Host sessions: called (synchronously) whenever output arrives for the master. */
  onOutput: (() => void) | null = null;

  constructor(readonly driver: PtyDriver, readonly index: number, readonly node: SpecialInode) {
    this.slave = new Tty(driver.kernel, index, this);
  }

  // TtyDriver (the slave's side)
  output(bytes: number[]): void {
    this.out.push(Uint8Array.from(bytes));
    this.outLen += bytes.length;
    this.masterWq.wake();
    this.onOutput?.();
  }
  outputRoom(): number { return MASTER_BUF - this.outLen; }
  flushOutput(): void { this.out = []; this.outLen = 0; this.slave.wq.wake(); }
  outputPending(): number { return this.outLen; }
  slaveOpened(): void { this.otherClosed = false; }
  slaveClosed(): void { this.otherClosed = true; this.masterWq.wake(); }

  /** Take up to `max` bytes of output (master read). */
  readOutput(dst: Uint8Array): number {
    let n = 0;
    while (n < dst.length && this.out.length > 0) {
      const c = this.out[0]!;
      const k = Math.min(c.length, dst.length - n);
      dst.set(c.subarray(0, k), n);
      n += k;
      if (k === c.length) this.out.shift(); else this.out[0] = c.subarray(k);
    }
    this.outLen -= n;
    if (n > 0) this.slave.wq.wake();
    return n;
  }

  /** All pending output at once (host sessions). */
  takeOutput(): Uint8Array | null {
    if (this.outLen === 0) return null;
    const b = new Uint8Array(this.outLen);
    this.readOutput(b);
    return b;
  }

  /** Type bytes at the slave; returns how many the line discipline took (0 when its buffer is full). */
  input(src: Uint8Array): number {
    if (this.slave.hungUp) return src.length;
    return this.slave.ldisc.receive(src);
  }

  /** The master's last file closed: hang the slave up and remove /dev/pts/N. */
  closeMaster(): void {
    if (this.masterClosed) return;
    this.masterClosed = true;
    this.slave.hangup();
    this.driver.remove(this);
  }

  /** Open the slave as a file (the /dev/pts/N node, TIOCGPTPEER, host sessions). */
  openSlave(t: Task | null, flags: number, rawFlags = flags | O_NOCTTY): TtyFile {
    if (this.locked || this.masterClosed) raise(EIO);
    const f = t ? TtyFile.open(t, this.slave, this.node, flags, rawFlags) : new TtyFile(this.slave, this.node, flags);
    // Its name in /proc/<pid>/fd (ttyname) when it was not opened by path.
    f.openedAt = { dir: this.driver.devpts, path: String(this.index) };
    return f;
  }
}

/** The master side of a pair: the file /dev/ptmx opens. */
export class PtyMasterFile extends File {
  constructor(readonly pair: PtyPair, readonly inode: SpecialInode, flags: number) { super(flags); this.node = inode; }

  override read(_t: Task, dst: Uint8Array): number {
    if (dst.length === 0) return 0;
    const n = this.pair.readOutput(dst);
    if (n > 0) return n;
    if (this.pair.otherClosed) raise(EIO);
    return raise(EAGAIN);
  }

  override write(_t: Task, src: Uint8Array): number {
    if (src.length === 0) return 0;
    const n = this.pair.input(src);
    if (n === 0) raise(EAGAIN);
    return n;
  }

  override ioctl(t: Task, req: number, arg: number): number {
    req >>>= 0;
    const p = this.pair;
    switch (req) {
      case TIOCGPTN: t.mem.setU32(arg, p.index); return 0;
      case TIOCSPTLCK: p.locked = t.mem.i32(arg) !== 0; return 0;
      case TIOCGPTLCK: t.mem.setI32(arg, p.locked ? 1 : 0); return 0;
      case TIOCSIG: return tiocsig(p.slave, arg);
      case TIOCGPTPEER: {
        if (arg & ~(O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) raise(EINVAL);
        const f = p.openSlave(t, arg & ~(O_CLOEXEC | O_NOCTTY), arg);
        try { return t.files.install(f, (arg & O_CLOEXEC) !== 0); } catch (e) { f.put(); throw e; }
      }
      default:
        if (p.slave.hungUp) raise(EIO);
        return p.slave.ioctl(t, req, arg, true, this.readable);
    }
  }

  override poll(): number {
    const p = this.pair;
    let ev = 0;
    if (p.outputPending() > 0) ev |= POLLIN;
    if (p.otherClosed) ev |= POLLHUP;
    if (p.slave.ldisc.room > 0) ev |= POLLOUT;
    return ev;
  }

  override waitQueue(): WaitQueue { return this.pair.masterWq; }
  override stat(): Stat { return this.inode.stat(); }
  override release(): void { this.pair.closeMaster(); }
}

/** The pty layer of one kernel: devpts and the pairs by index. */
export class PtyDriver {
  readonly pairs = new Map<number, PtyPair>();
  readonly devpts: DirInode;
  private readonly sb: SuperBlock;

  constructor(readonly kernel: Kernel) {
    const vfs = kernel.vfs;
    this.sb = new SuperBlock(makedev(0, 22), 'devpts', DEVPTS_SUPER_MAGIC, vfs.allocMntId(), undefined, 1);
    this.devpts = new DirInode(this.sb, 0o755, 0, 0);
    vfs.mount('/dev/pts', this.devpts);
    vfs.chrdev.register(TTYAUX_MAJOR, 0, (t, node, flags) => openDevTty(t, node, flags));
    vfs.chrdev.register(TTYAUX_MAJOR, 2, (t, node, flags) => this.openPtmx(t, node, flags));
    vfs.chrdev.registerMajor(UNIX98_PTY_SLAVE_MAJOR, (t, node, flags, raw) => {
      const p = this.pairs.get(minor(node.rdev));
      if (!p || p.node !== node) raise(EIO);
      return p.openSlave(t, flags, raw ?? flags);
    });
  }

  /** A new pair (locked, as after posix_openpt) whose slave belongs to `uid`. */
  create(uid: number): PtyPair {
    let index = 0;
    while (this.pairs.has(index)) index++;
    if (index >= MAX_PTYS) raise(ENOSPC);
    const node = new SpecialInode(this.sb, S_IFCHR | 0o620, makedev(UNIX98_PTY_SLAVE_MAJOR, index), uid, TTY_GID, index + 3);
    const p = new PtyPair(this, index, node);
    this.pairs.set(index, p);
    this.devpts.insert(String(index), node);
    return p;
  }

  remove(p: PtyPair): void {
    if (this.pairs.get(p.index) !== p) return;
    this.pairs.delete(p.index);
    this.devpts.remove(String(p.index));
  }

  private openPtmx(t: Task, node: SpecialInode, flags: number): PtyMasterFile {
    const p = this.create(t.cred.uid);
    return new PtyMasterFile(p, node, flags);
  }
}
