// Connection-oriented sockets: AF_UNIX SOCK_STREAM and SOCK_SEQPACKET (net/unix/af_unix.c) and TCP on
// the virtual loopback (net/ipv4/tcp.c), which behave alike once connected: each end reads its own
// bounded Channel and writes the other end's. connect() to a listener completes at once (as loopback TCP
// and AF_UNIX do on Linux when the backlog has room): the server end is created, linked and queued for
// accept(). The family subclasses (net/unix.ts, net/inet.ts) supply naming: bind, the listener lookup,
// and the addresses of the two ends.
import {
  EAGAIN, ECONNREFUSED, EINPROGRESS, EINVAL, EISCONN, EMSGSIZE, ENOTCONN, EPIPE,
} from '../../abi/errno.js';
import { POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP } from '../../abi/fcntl.js';
import { SIGPIPE } from '../../abi/signal.js';
import {
  MSG_NOSIGNAL, MSG_PEEK, MSG_TRUNC, MSG_WAITALL, SHUT_RD, SHUT_RDWR, SHUT_WR, SOCK_SEQPACKET, SOMAXCONN,
} from '../../abi/socket.js';
import { isErrno, raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import { Channel, type Ucred } from './channel.js';
import { DEFAULT_BUF, Socket, type MsgIn, type MsgOut, type SockAddr } from './socket.js';

export type StreamState = 'new' | 'listening' | 'connected' | 'closed';

/** Gather `n` bytes starting at byte `from` of a scatter list into one new buffer. */
export function gather(iov: Uint8Array[], from: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let p = 0, skip = from;
  for (const v of iov) {
    if (p === n) break;
    if (skip >= v.length) { skip -= v.length; continue; }
    const k = Math.min(v.length - skip, n - p);
    out.set(v.subarray(skip, skip + k), p);
    p += k; skip = 0;
  }
  return out;
}

/** The scatter list minus its first `from` bytes. */
export function skipIov(iov: Uint8Array[], from: number): Uint8Array[] {
  if (from === 0) return iov;
  const out: Uint8Array[] = [];
  for (const v of iov) {
    if (from >= v.length) { from -= v.length; continue; }
    out.push(from ? v.subarray(from) : v);
    from = 0;
  }
  return out;
}

export abstract class StreamSocket extends Socket {
  state: StreamState = 'new';
  rx: Channel | null = null;
  tx: Channel | null = null;
  remote: SockAddr | null = null;
  remoteCred: Ucred | null = null;
  backlog = 0;
  readonly acceptQueue: StreamSocket[] = [];
  shutRd = false;
  shutWr = false;
  /** A non-blocking connect() "in progress" (completed at once here; reported as EINPROGRESS for TCP). */
  connectReported = true;

  /** The listener a connect() to `a` reaches (ECONNREFUSED, ENETUNREACH, ...). */
  protected abstract findListener(t: Task, a: SockAddr): StreamSocket;
  /** Give an unbound client a name before it connects (TCP: an ephemeral port). */
  protected abstract autobind(t: Task | null, dest: SockAddr): void;
  /** A fresh socket of the same family and type (the server end of a new connection). */
  protected abstract spawn(): StreamSocket;
  /** Release the name (port, abstract name) when the socket goes away. */
  protected abstract unbind(): void;
  /** The local name of the server end of a connection that reached this listener at `dest`. */
  protected acceptedName(_dest: SockAddr): SockAddr | null { return this.local; }
  /** Non-blocking connect reports EINPROGRESS (TCP) instead of completing synchronously (AF_UNIX). */
  protected get asyncConnect(): boolean { return false; }

  get packet(): boolean { return this.type === SOCK_SEQPACKET; }
  override get listening(): boolean { return this.state === 'listening'; }

  wake = (): void => { this.wq.wake(); };

  override listen(t: Task, backlog: number): void {
    if (this.state === 'connected') raise(EINVAL);
    if (this.state === 'new') this.prepareListen(t);
    this.backlog = Math.max(0, Math.min(backlog < 0 ? SOMAXCONN : backlog, SOMAXCONN));
    if (this.state !== 'listening') {
      this.state = 'listening';
      this.cred = { pid: t.pid, uid: t.cred.euid, gid: t.cred.egid };
      this.net.exposures.listening(this);
    }
    this.wq.wake();
  }
  /** Before the first listen(): bind checks (EINVAL unbound for AF_UNIX; TCP autobinds). */
  protected abstract prepareListen(t: Task): void;

  /** The backlog has room for one more connection (Linux allows backlog + 1 queued). */
  get acceptsMore(): boolean { return this.acceptQueue.length <= this.backlog; }

  override accept(t: Task, _flags: number): StreamSocket {
    if (this.state !== 'listening') raise(EINVAL);
    const s = this.acceptQueue.shift();
    if (!s) {
      if (this.nonblock(0)) raise(EAGAIN);
      return this.sleep(t, this.io(t, this.opts.rcvtimeo)) as never;
    }
    this.wq.wake();
    return s;
  }

  /** Link the two ends of a new connection (a client socket or a host stream and a server end). */
  static link(a: StreamSocket, b: StreamSocket): void {
    const ab = new Channel(Math.max(b.opts.rcvbuf, DEFAULT_BUF)), ba = new Channel(Math.max(a.opts.rcvbuf, DEFAULT_BUF));
    ab.onReadable = b.wake; ab.onWritable = a.wake;
    ba.onReadable = a.wake; ba.onWritable = b.wake;
    a.tx = ab; a.rx = ba; b.tx = ba; b.rx = ab;
    a.state = b.state = 'connected';
  }

  /** Create the server end of a connection to this listener and queue it for accept(). */
  enqueue(dest: SockAddr, remote: SockAddr | null, remoteCred: Ucred): StreamSocket {
    const s = this.spawn();
    s.local = this.acceptedName(dest);
    s.remote = remote;
    s.remoteCred = remoteCred;
    s.opts.rcvbuf = this.opts.rcvbuf;
    s.opts.sndbuf = this.opts.sndbuf;
    s.opts.nodelay = this.opts.nodelay;
    s.cred = this.cred;
    this.acceptQueue.push(s);
    this.wq.wake();
    return s;
  }

  override connect(t: Task, a: SockAddr): void {
    if (this.state === 'connected') {
      if (!this.connectReported) { this.connectReported = true; return; }
      raise(EISCONN);
    }
    if (this.state === 'listening') raise(EISCONN);
    if (this.error && this.asyncConnect) { const e = this.error; this.error = 0; raise(e); }
    const async = this.asyncConnect && this.nonblock(0);
    let l: StreamSocket;
    try {
      l = this.findListener(t, a);
      if (l.type !== this.type) raise(ECONNREFUSED);
    } catch (e) {
      if (async && isErrno(e) && e.errno === ECONNREFUSED) {
        this.error = ECONNREFUSED;
        this.wq.wake();
        raise(EINPROGRESS);
      }
      throw e;
    }
    if (!l.acceptsMore) {
      if (this.nonblock(0)) raise(EAGAIN);
      this.sleep(t, this.io(t, this.opts.sndtimeo), l.wq);
    }
    this.autobind(t, a);
    const s = l.enqueue(a, this.local, { pid: t.pid, uid: t.cred.euid, gid: t.cred.egid });
    this.remote = l.acceptedName(a);
    this.remoteCred = l.cred;
    StreamSocket.link(this, s);
    this.wq.wake();
    if (async) { this.connectReported = false; raise(EINPROGRESS); }
  }

  override send(t: Task, m: MsgOut): number {
    if (this.state !== 'connected') {
      if (this.domain === 1) raise(ENOTCONN);
      return this.epipe(t, m.flags, 0);
    }
    if (m.to && this.domain === 1) raise(EISCONN);
    const tx = this.tx!;
    const st = this.io(t, this.opts.sndtimeo);
    if (this.shutWr || tx.readerGone) return this.epipe(t, m.flags, st.done);
    if (this.packet) {
      if (m.len > tx.cap * 4) raise(EMSGSIZE);
      if (tx.len > 0 && tx.space() < m.len) {
        if (this.nonblock(m.flags)) raise(EAGAIN);
        return this.sleep(t, st);
      }
      tx.pushOwned(gather(m.iov, 0, m.len), this.ancFor(m));  // gather made a new buffer: no second copy
      return m.len;
    }
    if (m.len === 0) return 0;
    for (;;) {
      const space = tx.space();
      if (space === 0) {
        if (this.nonblock(m.flags)) { if (st.done > 0) return st.done; raise(EAGAIN); }
        return this.sleep(t, st);
      }
      const n = Math.min(space, m.len - st.done);
      tx.pushOwned(gather(m.iov, st.done, n), st.done === 0 ? this.ancFor(m) : undefined);
      st.done += n;
      if (st.done === m.len) return st.done;
    }
  }

  private ancFor(m: MsgOut): { files?: import('../fs/file.js').File[]; cred?: Ucred } | undefined {
    if (!m.anc) return undefined;
    return { files: m.anc.files?.map((f) => f.get()), cred: m.anc.cred };
  }

  private epipe(t: Task, flags: number, done: number): number {
    if (done > 0) return done;
    if (!(flags & MSG_NOSIGNAL)) t.kernel.signals.send(t, SIGPIPE, { signo: SIGPIPE, code: 0, pid: t.pid, uid: t.cred.uid });
    return raise(EPIPE);
  }

  override recv(t: Task, iov: Uint8Array[], flags: number): MsgIn {
    if (this.state !== 'connected') raise(this.domain === 1 ? EINVAL : ENOTCONN);
    const rx = this.rx!;
    const st = this.io(t, this.opts.rcvtimeo);
    let total = 0;
    for (const v of iov) total += v.length;
    const out: MsgIn = { n: st.done, msgLen: 0, from: null, anc: null };
    if (rx.empty && !(this.packet && rx.segments > 0)) {
      if (rx.eof || this.shutRd || st.done > 0 && !(flags & MSG_WAITALL)) return out;
      if (total === 0 && !this.packet) return out;
      if (this.nonblock(flags)) { if (st.done > 0) return out; raise(EAGAIN); }
      out.n = this.sleep(t, st);
      return out;
    }
    const r = rx.take(skipIov(iov, st.done), this.packet, (flags & MSG_PEEK) !== 0);
    st.done += r.n;
    out.n = st.done;
    out.anc = r.anc;
    out.msgLen = this.packet ? r.msgLen : out.n;
    if (this.packet && (flags & MSG_TRUNC)) out.n = r.msgLen;
    if ((flags & MSG_WAITALL) && !(flags & MSG_PEEK) && !this.packet && st.done < total && !r.anc?.files &&
        !rx.eof && !this.shutRd && !this.nonblock(flags)) {
      out.n = this.sleep(t, st);
    }
    return out;
  }

  override shutdown(_t: Task, how: number): void {
    if (how < SHUT_RD || how > SHUT_RDWR) raise(EINVAL);
    if (this.state !== 'connected') {
      if (this.state === 'listening' && this.domain !== 1 && how !== SHUT_WR) { this.stopListening(); return; }
      raise(ENOTCONN);
    }
    if (how !== SHUT_WR) {
      this.shutRd = true;
      if (this.domain === 1) { this.rx!.readerGone = true; this.rx!.onWritable(); }
    }
    if (how !== SHUT_RD && !this.shutWr) {
      this.shutWr = true;
      this.tx!.eof = true;
      this.tx!.onReadable();
    }
    this.wq.wake();
  }

  override peerName(): SockAddr {
    if (this.state !== 'connected' || !this.remote) raise(ENOTCONN);
    return this.remote;
  }
  override peerCred(): Ucred {
    if (!this.remoteCred) raise(ENOTCONN);
    return this.remoteCred;
  }
  override inq(): number {
    if (this.state === 'listening') raise(EINVAL);
    return this.rx ? (this.packet ? this.rx.firstSegLen() : this.rx.len) : 0;
  }

  override poll(): number {
    let ev = 0;
    if (this.error) ev |= POLLERR;
    switch (this.state) {
      case 'listening': return ev | (this.acceptQueue.length ? POLLIN : 0);
      case 'new': case 'closed': return ev | POLLOUT | POLLHUP;
      default: break;
    }
    const rx = this.rx!, tx = this.tx!;
    const rdDone = rx.eof || this.shutRd;
    const wrDone = this.shutWr || tx.readerGone;
    if (rx.len > 0 || rx.segments > 0 || rdDone) ev |= POLLIN;
    if (rx.eof) ev |= POLLRDHUP;
    if (!this.shutWr && (tx.readerGone || tx.space() >= Math.min(tx.cap >> 2, 16384) || tx.len === 0)) ev |= POLLOUT;
    if (rdDone && wrDone) ev |= POLLHUP;
    return ev;
  }

  /** A listener going away: connections not yet accepted are closed (their clients see EOF). */
  private abortQueue(): void {
    for (const s of this.acceptQueue.splice(0)) s.put();
  }

  private stopListening(): void {
    this.net.exposures.unlistening(this);
    this.abortQueue();
    this.state = 'closed';
    this.wq.wake();
  }

  protected close(): void {
    if (this.state === 'listening') this.stopListening();
    else if (this.state === 'connected') {
      const rx = this.rx!, tx = this.tx!;
      if (!tx.eof) { tx.eof = true; tx.onReadable(); }
      rx.readerGone = true;
      for (const f of rx.clear()) f.put();
      rx.onWritable();
    }
    this.state = 'closed';
    this.unbind();
  }

}
