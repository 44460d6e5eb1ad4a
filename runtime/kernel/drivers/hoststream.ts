// Byte streams connected to the host: the stdin/stdout/stderr of a process started by a host (the CLI's
// terminal or pipes, a browser terminal before ptys exist). They look like pipes to the process. Input is
// pushed by the host and read by the process (blocking when empty, EOF after end()); output goes to a sink
// that may report back-pressure, in which case writers sleep until the host calls drained().
import { EAGAIN, ENOTTY, EPIPE } from '../../abi/errno.js';
import { FIONREAD } from '../fs/pipe.js';
import { O_RDONLY, O_WRONLY, POLLHUP, POLLIN, POLLOUT, S_IFIFO } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import { File } from '../fs/file.js';
import type { Stat } from '../fs/stat.js';
import { WaitQueue } from '../wait.js';
import type { Task } from '../proc/task.js';

let nextIno = 1;
function streamStat(ino: number, mode: number): Stat {
  const now = Date.now();
  const ts = { sec: Math.floor(now / 1000), nsec: (now % 1000) * 1e6 };
  return { dev: 0x0d, ino, mode, nlink: 1, uid: 0, gid: 0, rdev: 0, size: 0, blksize: 4096, blocks: 0,
    atime: ts, mtime: ts, ctime: ts };
}

export class HostInput extends File {
  private chunks: Uint8Array[] = [];
  private ended = false;
  private readonly wq = new WaitQueue();
  private readonly ino = nextIno++;
  /** Called when a process first waits for input (hosts may start reading lazily). */
  onDemand: (() => void) | null = null;

  constructor() { super(O_RDONLY); }

  push(data: Uint8Array): void {
    if (this.ended || data.length === 0) return;
    this.chunks.push(data);
    this.wq.wake();
  }

  end(): void { this.ended = true; this.wq.wake(); }

  get buffered(): number { let n = 0; for (const c of this.chunks) n += c.length; return n; }

  override read(_t: Task, dst: Uint8Array, _off: number): number {
    if (dst.length === 0) return 0;
    if (this.chunks.length === 0) {
      if (this.ended) return 0;
      this.demand();
      return raise(EAGAIN);
    }
    let n = 0;
    while (n < dst.length && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, dst.length - n);
      dst.set(c.subarray(0, k), n);
      n += k;
      if (k === c.length) this.chunks.shift(); else this.chunks[0] = c.subarray(k);
    }
    return n;
  }

  override ioctl(t: Task, req: number, arg: number): number {
    if (req === FIONREAD) { t.mem.setI32(arg, this.buffered); return 0; }
    return raise(ENOTTY);
  }

  /** A process waits for input: let the host start reading (once). */
  private demand(): void {
    if (this.onDemand) { const d = this.onDemand; this.onDemand = null; d(); }
  }

  override poll(): number {
    if (this.chunks.length === 0 && !this.ended) this.demand();
    return (this.chunks.length > 0 ? POLLIN : 0) | (this.ended ? POLLIN | POLLHUP : 0);
  }
  override waitQueue(): WaitQueue { return this.wq; }
  override stat(): Stat { return streamStat(this.ino, S_IFIFO | 0o600); }
}

export type Sink = (data: Uint8Array) => boolean;

export class HostOutput extends File {
  private blocked = false;
  private closed = false;
  private readonly wq = new WaitQueue();
  private readonly ino = nextIno++;

  /** `sink` gets a copy of every write; returning false asks writers to wait until drained(). */
  constructor(private readonly sink: Sink) { super(O_WRONLY); }

  drained(): void { this.blocked = false; this.wq.wake(); }
  /** The host side went away (EPIPE for writers). */
  close(): void { this.closed = true; this.wq.wake(); }

  override write(_t: Task, src: Uint8Array, _off: number): number {
    if (this.closed) return raise(EPIPE);
    if (this.blocked) return raise(EAGAIN);
    if (src.length === 0) return 0;
    if (!this.sink(src.slice())) this.blocked = true;
    return src.length;
  }

  override poll(): number { return this.blocked ? 0 : POLLOUT; }
  override waitQueue(): WaitQueue { return this.wq; }
  override stat(): Stat { return streamStat(this.ino, S_IFIFO | 0o600); }
}
