// Datagram sockets: AF_UNIX SOCK_DGRAM (net/unix/af_unix.c unix_dgram_*) and UDP on the virtual loopback
// (net/ipv4/udp.c). Each socket has a bounded queue of whole messages with their sender's address. When
// the receiver's queue is full, an AF_UNIX sender blocks (or gets EAGAIN), as on Linux; UDP drops the
// datagram, as Linux does when a socket's receive buffer is full. The family subclasses supply naming.
import { EAGAIN, ECONNREFUSED, EDESTADDRREQ, EINVAL, EISCONN, EMSGSIZE, ENOTCONN, EPERM, EPIPE } from '../../abi/errno.js';
import { POLLIN, POLLOUT } from '../../abi/fcntl.js';
import { SIGPIPE } from '../../abi/signal.js';
import { MSG_NOSIGNAL, MSG_PEEK, MSG_TRUNC, SHUT_RD, SHUT_RDWR, SHUT_WR } from '../../abi/socket.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { Anc, Ucred } from './channel.js';
import { gather } from './stream.js';
import { Socket, type MsgIn, type MsgOut, type SockAddr } from './socket.js';

interface Datagram { data: Uint8Array; from: SockAddr | null; anc: Anc | null; }

/** Largest datagram (UDP's 65507-byte payload limit; AF_UNIX limits by the send buffer). */
const MAX_DGRAM = 65507;

export abstract class DgramSocket extends Socket {
  readonly queue: Datagram[] = [];
  qbytes = 0;
  /** connect()ed default destination. */
  peer: SockAddr | null = null;
  /** AF_UNIX: the socket connect() or socketpair() associated this one with (unnamed peers included). */
  peerSock: DgramSocket | null = null;
  closed = false;
  shutRd = false;
  shutWr = false;

  /** The socket datagrams to `a` go to; null when nobody is there. */
  protected abstract lookupTarget(t: Task, a: SockAddr): DgramSocket | null;
  protected abstract autobind(t: Task, dest: SockAddr): void;
  protected abstract unbind(): void;
  /** UDP drops datagrams for a full queue or nobody; AF_UNIX reports and blocks. */
  protected abstract get lossy(): boolean;
  /** Validate a connect() destination (ENETUNREACH ...); AF_UNSPEC disconnects. */
  protected abstract checkDest(t: Task, a: SockAddr): void;

  get cap(): number { return Math.max(this.opts.rcvbuf, 65536 * 4); }
  get full(): boolean { return this.qbytes >= this.cap; }

  override connect(t: Task, a: SockAddr): void {
    this.checkDest(t, a);
    if (!this.lossy) {
      const target = this.lookupTarget(t, a);
      if (!target) raise(ECONNREFUSED);
      if (!this.accepts(target)) raise(EPERM);
      this.peerSock = target;
    }
    this.autobind(t, a);
    this.local = this.sourceName(a) ?? this.local;
    this.peer = a;
    this.wq.wake();
  }

  /** Disconnect (connect with AF_UNSPEC). */
  disconnect(): void { this.peer = null; this.peerSock = null; }

  /** `target` takes datagrams from this socket (it is not connected to someone else). */
  private accepts(target: DgramSocket): boolean {
    if (target.peerSock) return target.peerSock === this;
    return !target.peer || this.matches(target.peer);
  }

  /** The sender address a datagram to `dest` carries. */
  protected sourceName(_dest: SockAddr): SockAddr | null { return this.local; }

  private matches(a: SockAddr): boolean {
    const l = this.local;
    if (!l) return false;
    if (a.family === 1 && l.family === 1) {
      if (a.path !== null) return a.path === l.path;
      return !!a.abstract && !!l.abstract && a.abstract.length === l.abstract.length && a.abstract.every((b, i) => b === l.abstract![i]);
    }
    if (a.family !== 1 && l.family !== 1) return a.port === l.port && (a.ip === l.ip || l.ip === '0.0.0.0' || l.ip === '::');
    return false;
  }

  override send(t: Task, m: MsgOut): number {
    if (this.shutWr) {
      if (!(m.flags & MSG_NOSIGNAL)) t.kernel.signals.send(t, SIGPIPE, { signo: SIGPIPE, code: 0, pid: t.pid, uid: t.cred.uid });
      raise(EPIPE);
    }
    if (m.to && this.peer && this.domain === 1) raise(EISCONN);
    const dest = m.to ?? this.peer;
    if (!dest) raise(this.domain === 1 ? ENOTCONN : EDESTADDRREQ);
    if (m.to) this.checkDest(t, dest);
    if (m.len > MAX_DGRAM && (this.domain !== 1 || m.len > this.opts.sndbuf)) raise(EMSGSIZE);
    const target = !m.to && this.peerSock ? (this.peerSock.closed ? null : this.peerSock) : this.lookupTarget(t, dest);
    this.autobind(t, dest);
    if (!target) {
      if (this.lossy) return m.len;
      raise(ECONNREFUSED);
    }
    if (!this.accepts(target)) {
      if (this.lossy) return m.len;
      raise(EPERM);
    }
    if (target.shutRd) { if (this.lossy) return m.len; raise(EPIPE); }
    if (target.full) {
      if (this.lossy) return m.len;
      if (this.nonblock(m.flags)) raise(EAGAIN);
      return this.sleep(t, this.io(t, this.opts.sndtimeo), target.wq);
    }
    const anc: Anc | null = m.anc ? { files: m.anc.files?.map((f) => f.get()), cred: m.anc.cred } : null;
    target.queue.push({ data: gather(m.iov, 0, m.len), from: this.sourceName(dest), anc });
    target.qbytes += m.len;
    target.wq.wake();
    return m.len;
  }

  override recv(t: Task, iov: Uint8Array[], flags: number): MsgIn {
    const d = this.queue[0];
    if (!d) {
      if (this.shutRd) return { n: 0, msgLen: 0, from: null, anc: null };
      if (this.nonblock(flags)) raise(EAGAIN);
      return { n: this.sleep(t, this.io(t, this.opts.rcvtimeo)), msgLen: 0, from: null, anc: null };
    }
    let n = 0;
    for (const v of iov) {
      if (n === d.data.length) break;
      const k = Math.min(v.length, d.data.length - n);
      v.set(d.data.subarray(n, n + k));
      n += k;
    }
    if (!(flags & MSG_PEEK)) {
      this.queue.shift();
      this.qbytes -= d.data.length;
      this.wq.wake();
    }
    return { n: flags & MSG_TRUNC ? d.data.length : n, msgLen: d.data.length, from: d.from,
      anc: flags & MSG_PEEK ? (d.anc?.cred ? { cred: d.anc.cred } : null) : d.anc };
  }

  override shutdown(_t: Task, how: number): void {
    if (how < SHUT_RD || how > SHUT_RDWR) raise(EINVAL);
    if (!this.peer && this.domain !== 1) raise(ENOTCONN);
    if (how !== SHUT_WR) this.shutRd = true;
    if (how !== SHUT_RD) this.shutWr = true;
    this.wq.wake();
  }

  override peerName(): SockAddr {
    if (!this.peer) raise(ENOTCONN);
    return this.peer;
  }
  /** socketpair(): the creator's credentials (SO_PEERCRED). */
  pairCred: Ucred | null = null;
  override peerCred(): Ucred { return this.pairCred ?? raise(ENOTCONN); }
  override inq(): number { return this.queue[0]?.data.length ?? 0; }

  override poll(): number {
    let ev = 0;
    if (this.queue.length || this.shutRd) ev |= POLLIN;
    if (!this.shutWr) ev |= POLLOUT;
    return ev;
  }

  protected close(): void {
    for (const d of this.queue.splice(0)) for (const f of d.anc?.files ?? []) f.put();
    this.qbytes = 0;
    this.closed = true;
    this.peerSock = null;
    this.unbind();
  }
}
