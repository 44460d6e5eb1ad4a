// Pipes and FIFOs (fs/pipe.c). A 64 KiB ring buffer shared by a read end and a write end.
// - read returns what is there (at most the request); 0 at EOF (no writers); EAGAIN when empty.
// - write of <= PIPE_BUF bytes is atomic: all or (would) block. Larger writes go in pieces; a blocking
//   writer keeps its progress in task.sysState across retries, and an interrupted partial write returns the
//   count written, as on Linux.
// - write with no readers: SIGPIPE to the writer and EPIPE.
import { EAGAIN, ENOTTY, ENXIO, EPIPE } from '../../abi/errno.js';
import { O_ACCMODE, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, POLLERR, POLLHUP, POLLIN, POLLOUT, S_IFIFO }
  from '../../abi/fcntl.js';
import { SIGPIPE } from '../../abi/signal.js';
import { BLOCK, raise } from '../errors.js';
import { WaitQueue } from '../wait.js';
import { File } from './file.js';
import type { Task } from '../proc/task.js';
import type { Stat } from './stat.js';

export const PIPE_BUF = 4096;
export const FIONREAD = 0x541b;
export const PIPE_SIZE = 65536;

let pipeIno = 1;

export class Pipe {
  buf = new Uint8Array(PIPE_SIZE);
  head = 0; // read position
  len = 0;
  readers = 0;
  writers = 0;
  /** Counts of ends ever opened (FIFO open waits for the other side). */
  readOpens = 0;
  writeOpens = 0;
  wq = new WaitQueue();
  readonly ino = pipeIno++;
  ctime = Date.now();

  get free(): number { return this.buf.length - this.len; }

  take(dst: Uint8Array): number {
    const n = Math.min(dst.length, this.len);
    const cap = this.buf.length;
    const first = Math.min(n, cap - this.head);
    dst.set(this.buf.subarray(this.head, this.head + first), 0);
    if (n > first) dst.set(this.buf.subarray(0, n - first), first);
    this.head = (this.head + n) % cap;
    this.len -= n;
    if (this.len === 0) this.head = 0;
    return n;
  }

  put(src: Uint8Array): number {
    const n = Math.min(src.length, this.free);
    const cap = this.buf.length;
    const tail = (this.head + this.len) % cap;
    const first = Math.min(n, cap - tail);
    this.buf.set(src.subarray(0, first), tail);
    if (n > first) this.buf.set(src.subarray(first, n), 0);
    this.len += n;
    return n;
  }
}

function pipeStat(p: Pipe): Stat {
  const ts = { sec: Math.floor(p.ctime / 1000), nsec: (p.ctime % 1000) * 1e6 };
  return { dev: 0x0c, ino: p.ino, mode: S_IFIFO | 0o600, nlink: 1, uid: 0, gid: 0, rdev: 0, size: p.len,
    blksize: 4096, blocks: 0, atime: ts, mtime: ts, ctime: ts };
}

interface WriteProgress { done: number; }

export class PipeFile extends File {
  constructor(readonly pipe: Pipe, flags: number, readonly statFn: () => Stat = () => pipeStat(pipe)) {
    super(flags);
    if (this.readable) pipe.readers++;
    if (this.writable) pipe.writers++;
  }

  override read(_t: Task, dst: Uint8Array, _off: number): number {
    const p = this.pipe;
    if (dst.length === 0) return 0;
    if (p.len === 0) {
      if (p.writers === 0) return 0;
      return raise(EAGAIN);
    }
    const n = p.take(dst);
    p.wq.wake();
    return n;
  }

  override write(t: Task, src: Uint8Array, _off: number): number {
    const p = this.pipe;
    const prog = (t.sysState as WriteProgress | undefined) ?? { done: 0 };
    if (p.readers === 0) {
      t.kernel.signals.send(t, SIGPIPE, { signo: SIGPIPE, code: 0, pid: t.pid, uid: t.cred.uid });
      if (prog.done > 0) return prog.done;
      return raise(EPIPE);
    }
    if (src.length === 0) return 0;
    let rest = src.subarray(prog.done);
    if (rest.length <= PIPE_BUF && p.free < rest.length) return this.wait(t, prog);
    const n = p.put(rest);
    if (n > 0) p.wq.wake();
    prog.done += n;
    rest = rest.subarray(n);
    if (rest.length === 0) return prog.done;
    return this.wait(t, prog);
  }

  private wait(t: Task, prog: WriteProgress): number {
    if (this.flags & O_NONBLOCK) {
      if (prog.done > 0) return prog.done;
      return raise(EAGAIN);
    }
    t.sysState = prog;
    t.onInterrupt = prog.done > 0 ? () => prog.done : null;
    t.sleepOn(this.pipe.wq);
    throw BLOCK;
  }

  override poll(): number {
    const p = this.pipe;
    let ev = 0;
    if (this.readable) {
      if (p.len > 0) ev |= POLLIN;
      if (p.writers === 0 && p.writeOpens > 0) ev |= POLLHUP;
    }
    if (this.writable) {
      if (p.free >= PIPE_BUF || (p.free > 0 && p.free === p.buf.length)) ev |= POLLOUT;
      if (p.readers === 0) ev |= POLLERR;
    }
    return ev;
  }

  override waitQueue(): WaitQueue { return this.pipe.wq; }
  override stat(): Stat { return this.statFn(); }

  override ioctl(t: Task, req: number, arg: number): number {
    if (req === FIONREAD) { t.mem.setI32(arg, this.pipe.len); return 0; }
    return raise(ENOTTY);
  }

  override release(): void {
    if (this.readable) this.pipe.readers--;
    if (this.writable) this.pipe.writers--;
    this.pipe.wq.wake();
  }
}

/** pipe2(): a fresh pipe's two ends. */
export function createPipe(flags: number): [PipeFile, PipeFile] {
  const p = new Pipe();
  p.readOpens = p.writeOpens = 1;
  return [new PipeFile(p, O_RDONLY | (flags & O_NONBLOCK)), new PipeFile(p, O_WRONLY | (flags & O_NONBLOCK))];
}

const fifos = new WeakMap<object, Pipe>();

/**
 * Open a FIFO node (fs/pipe.c fifo_open). O_RDONLY waits for a writer and O_WRONLY for a reader unless
 * O_NONBLOCK (then a writer without readers gets ENXIO); O_RDWR never waits. As in Linux, a waiting opener
 * waits for the other side's open counter to change.
 */
export function openFifo(t: Task, node: object, flags: number, stat: () => Stat): File {
  let p = fifos.get(node);
  if (!p) { p = new Pipe(); fifos.set(node, p); }
  const pipe = p;
  const acc = flags & O_ACCMODE;
  const nonblock = (flags & O_NONBLOCK) !== 0;
  let st = t.sysState as { other: number } | undefined;
  if (acc === O_RDONLY) {
    if (!st) { pipe.readOpens++; pipe.wq.wake(); st = { other: pipe.writeOpens }; }
    if (!nonblock && pipe.writers === 0 && pipe.writeOpens === st.other) {
      t.sysState = st;
      t.restartCode = -512;
      t.sleepOn(pipe.wq);
      throw BLOCK;
    }
  } else if (acc === O_WRONLY) {
    if (!st) {
      if (pipe.readers === 0 && nonblock) return raise(ENXIO);
      pipe.writeOpens++; pipe.wq.wake(); st = { other: pipe.readOpens };
    }
    if (pipe.readers === 0 && pipe.readOpens === st.other) {
      t.sysState = st;
      t.sleepOn(pipe.wq);
      throw BLOCK;
    }
  } else if (acc === O_RDWR) {
    pipe.readOpens++; pipe.writeOpens++;
  }
  const f = new PipeFile(pipe, flags, stat);
  pipe.wq.wake();
  return f;
}
