// The socket file (struct socket + struct sock of include/linux/net.h, include/net/sock.h): what every
// family and type shares. A Socket is a File (read/write/poll/epoll work on it); the operations of
// socket(2) and friends are its methods, implemented by StreamSocket (net/stream.ts) and DgramSocket
// (net/dgram.ts); naming (bind, connect lookups) is the family's (net/unix.ts, net/inet.ts).
//
// Blocking follows the kernel's convention (docs/design/blocking-and-scheduling.md): an operation that
// must wait registers the task on the socket's wait queue (plus a timer for SO_RCVTIMEO/SO_SNDTIMEO) and
// raises BLOCK; progress that must survive the re-run (bytes already sent, the timeout deadline) lives in
// task.sysState.
import { EAGAIN, EINVAL, ENOTCONN, EOPNOTSUPP } from '../../abi/errno.js';
import { O_NONBLOCK, S_IFSOCK } from '../../abi/fcntl.js';
import { SOCK_STREAM } from '../../abi/socket.js';
import { BLOCK, raise } from '../errors.js';
import { File } from '../fs/file.js';
import { anonIno } from '../fs/anon.js';
import type { Stat } from '../fs/stat.js';
import type { Task } from '../proc/task.js';
import { WaitQueue } from '../wait.js';
import type { Anc, Ucred } from './channel.js';
import type { Net } from './net.js';

export interface UnixAddr { family: 1; path: string | null; abstract: Uint8Array | null; }
/** ip is "a.b.c.d" (also for v4-mapped IPv6 addresses), "::", "::1", or "other" (no such address here). */
export interface InetAddr { family: 2 | 10; ip: string; port: number; }
export type SockAddr = UnixAddr | InetAddr;

/** A message as send/recv see it. */
export interface MsgOut { iov: Uint8Array[]; len: number; to: SockAddr | null; anc: Anc | null; flags: number; }
export interface MsgIn {
  n: number;
  /** Full length (datagram or packet) for MSG_TRUNC. */
  msgLen: number;
  from: SockAddr | null;
  anc: Anc | null;
}

/** Options every socket keeps (SOL_SOCKET plus the TCP/IP ones that only need remembering). */
export class SockOpts {
  reuseaddr = false;
  reuseport = false;
  keepalive = false;
  broadcast = false;
  passcred = false;
  oobinline = false;
  debug = false;
  dontroute = false;
  priority = 0;
  rcvlowat = 1;
  sndbuf = 212992;
  rcvbuf = 212992;
  linger: [number, number] = [0, 0];
  /** SO_RCVTIMEO / SO_SNDTIMEO in milliseconds (0 = none). */
  rcvtimeo = 0;
  sndtimeo = 0;
  nodelay = false;
  cork = false;
  keepidle = 7200;
  keepintvl = 75;
  keepcnt = 9;
  v6only = false;
  ttl = 64;
  tos = 0;
  /** Any other (level, name) pair set through setsockopt that we accept and remember as raw bytes. */
  extra = new Map<string, Uint8Array>();
}

/** State of one blocking operation kept across its re-runs. */
export interface IoState { done: number; deadline: number; }

/** Default receive capacity of a connected socket (bytes). */
export const DEFAULT_BUF = 256 * 1024;

export abstract class Socket extends File {
  readonly wq = new WaitQueue();
  readonly opts = new SockOpts();
  readonly ino = anonIno();
  local: SockAddr | null = null;
  /** Pending asynchronous error (SO_ERROR), e.g. ECONNREFUSED of a non-blocking connect. */
  error = 0;
  /** Credentials of the creator (SO_PEERCRED of the other end for socketpair/listen). */
  cred: Ucred;
  readonly ctime = Date.now();

  constructor(readonly net: Net, readonly domain: number, readonly type: number, readonly protocol: number,
    t: Task | null, flags: number) {
    super(2 | (flags & O_NONBLOCK));
    this.cred = t ? { pid: t.pid, uid: t.cred.euid, gid: t.cred.egid } : { pid: 0, uid: 0, gid: 0 };
  }

  get isStream(): boolean { return this.type === SOCK_STREAM; }
  nonblock(flags: number): boolean { return (this.flags & O_NONBLOCK) !== 0 || (flags & 0x40) !== 0; }

  abstract bind(t: Task, a: SockAddr): void;
  listen(_t: Task, _backlog: number): void { raise(EOPNOTSUPP); }
  accept(_t: Task, _flags: number): Socket { return raise(EOPNOTSUPP); }
  abstract connect(t: Task, a: SockAddr): void;
  abstract send(t: Task, m: MsgOut): number;
  abstract recv(t: Task, iov: Uint8Array[], flags: number): MsgIn;
  abstract shutdown(t: Task, how: number): void;
  abstract peerName(): SockAddr;
  /** SO_PEERCRED. */
  peerCred(): Ucred { return raise(ENOTCONN); }
  get listening(): boolean { return false; }
  /** Bytes ready to read (FIONREAD/SIOCINQ). */
  abstract inq(): number;

  override read(t: Task, dst: Uint8Array, _off: number): number {
    return this.recv(t, [dst], 0).n;
  }
  override write(t: Task, src: Uint8Array, _off: number): number {
    return this.send(t, { iov: [src], len: src.length, to: null, anc: null, flags: 0 });
  }
  override waitQueue(): WaitQueue { return this.wq; }
  override stat(): Stat {
    const ts = { sec: Math.floor(this.ctime / 1000), nsec: (this.ctime % 1000) * 1e6 };
    return { dev: 0x08, ino: this.ino, mode: S_IFSOCK | 0o777, nlink: 1, uid: this.cred.uid, gid: this.cred.gid,
      rdev: 0, size: 0, blksize: 4096, blocks: 0, atime: ts, mtime: ts, ctime: ts };
  }
  override ioctl(t: Task, req: number, arg: number): number {
    if (req === 0x541b /* FIONREAD = SIOCINQ */) { t.mem.setI32(arg, this.inq()); return 0; }
    return super.ioctl(t, req, arg);
  }

  /** Progress of the current blocking operation (created on first run). */
  io(t: Task, timeoutMs: number): IoState {
    let st = t.sysState as IoState | undefined;
    if (!st) {
      st = { done: 0, deadline: timeoutMs > 0 ? t.kernel.now() + timeoutMs : Infinity };
      t.sysState = st;
    }
    return st;
  }

  /**
   * Sleep until the socket's queue fires, or end the call when the timeout of `st` has passed: it returns
   * the bytes already done, or fails with EAGAIN. With bytes already done, an interrupting signal makes
   * the call return them instead of a restart code.
   */
  sleep(t: Task, st: IoState, extra?: WaitQueue): number {
    if (t.kernel.now() >= st.deadline) return st.done > 0 ? st.done : raise(EAGAIN);
    t.onInterrupt = st.done > 0 ? () => st.done : null;
    t.sleepOn(this.wq);
    if (extra) t.sleepOn(extra);
    if (st.deadline !== Infinity) t.sleepUntil(st.deadline);
    throw BLOCK;
  }

  /** Socket-type specific options; return false for "not mine" (ENOPROTOOPT). */
  setOption(_level: number, _name: number, _val: Uint8Array): boolean { return false; }
  getOption(_level: number, _name: number): Uint8Array | null { return null; }

  override release(): void {
    this.close();
    this.wq.wake();
  }
  protected abstract close(): void;
}

export function checkAddrFamily(s: Socket, a: SockAddr): void {
  if (a.family !== s.domain && !(s.domain === 10 && a.family === 2)) raise(EINVAL);
}
