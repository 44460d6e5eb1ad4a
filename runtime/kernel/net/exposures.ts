// Exposure points (the contract is net/exposure.ts): listening sockets a host can open streams to. A
// listening AF_UNIX stream socket whose path is in `unixPaths`, and every listening TCP socket, is a point
// ("unix:/tmp/server.sock", "tcp:8080"); several listeners on one TCP port (IPv4 and IPv6, SO_REUSEPORT)
// are one point. connect() creates the server end of a connection exactly as a connect() from inside the
// sandbox would, and hands the host the other end as a HostStream. Listening AF_UNIX stream sockets on
// other paths (the file service, /run/wasmux/fs.sock) are kept apart: connect("unix:<path>") reaches them,
// list() and the events never show them, so the edge tunnel cannot publish them.
//
// Why callbacks are deferred: host callbacks must never run inside a syscall handler (a throwing or
// re-entrant callback would corrupt the kernel's state), so data, end, close and drain are delivered from
// kernel.host.defer, in order, by one pump per stream. 'added'/'removed' are delivered synchronously but
// guarded (a throwing listener is logged, not a kernel bug).
import { AF_UNIX } from '../../abi/socket.js';
import type { Kernel } from '../kernel.js';
import { Channel } from './channel.js';
import type { Exposures, ExposurePoint, HostStream } from './exposure.js';
import type { InetAddr, SockAddr } from './socket.js';
import { StreamSocket } from './stream.js';
import type { UnixStreamSocket } from './unix.js';

export const DEFAULT_EXPOSED_UNIX_PATHS = ['/tmp/server.sock'];

/** Error thrown by connect(): `code` is 'ECONNREFUSED' (undici/fastify-style stable code). */
export class ExposureError extends Error {
  constructor(message: string, readonly code: string) { super(message); this.name = 'ExposureError'; }
}

interface Entry { point: ExposurePoint; socks: StreamSocket[]; }

type Ev = 'added' | 'removed';

export class ExposureRegistry implements Exposures {
  readonly unixPaths: Set<string>;
  private readonly points = new Map<string, Entry>();
  /** Listening AF_UNIX stream sockets on paths not in unixPaths, by id: connectable, never listed. */
  private readonly unlisted = new Map<string, StreamSocket[]>();
  private readonly subs: Record<Ev, Set<(p: ExposurePoint) => void>> = { added: new Set(), removed: new Set() };
  private nextHostPort = 1;

  constructor(private readonly kernel: Kernel, unixPaths: string[] = DEFAULT_EXPOSED_UNIX_PATHS) {
    this.unixPaths = new Set(unixPaths);
  }

  list(): ExposurePoint[] { return [...this.points.values()].map((e) => e.point); }

  on(event: Ev, cb: (p: ExposurePoint) => void): () => void {
    this.subs[event].add(cb);
    return () => { this.subs[event].delete(cb); };
  }

  private emit(event: Ev, p: ExposurePoint): void {
    for (const cb of [...this.subs[event]]) {
      try { cb(p); } catch (e) { this.kernel.host.log(`wasmux: exposure ${event} listener threw: ${String(e)}`); }
    }
  }

  private pointOf(s: StreamSocket): ExposurePoint | null {
    if (s.domain === AF_UNIX) {
      const path = (s as UnixStreamSocket).absPath;
      if (!path || s.type !== 1) return null;
      return { id: `unix:${path}`, kind: 'unix', path };
    }
    const l = s.local as InetAddr | null;
    if (!l || s.type !== 1) return null;
    return { id: `tcp:${l.port}`, kind: 'tcp', port: l.port, address: l.ip };
  }

  /** Called by StreamSocket.listen. */
  listening(s: StreamSocket): void {
    const p = this.pointOf(s);
    if (!p) return;
    if (p.kind === 'unix' && !this.unixPaths.has(p.path!)) {
      // Unlisted (see the header); the newest listener on a path goes first, as for points below.
      const socks = this.unlisted.get(p.id);
      if (socks) socks.unshift(s); else this.unlisted.set(p.id, [s]);
      return;
    }
    const e = this.points.get(p.id);
    // A newer listener on the same UNIX path owns the name (the old one was unlinked): it goes first.
    if (e) { if (p.kind === 'unix') e.socks.unshift(s); else e.socks.push(s); return; }
    this.points.set(p.id, { point: p, socks: [s] });
    this.emit('added', p);
  }

  /** Called when a listener closes or shuts down. */
  unlistening(s: StreamSocket): void {
    for (const [id, socks] of this.unlisted) {
      const i = socks.indexOf(s);
      if (i < 0) continue;
      socks.splice(i, 1);
      if (socks.length === 0) this.unlisted.delete(id);
      return;
    }
    for (const [id, e] of this.points) {
      const i = e.socks.indexOf(s);
      if (i < 0) continue;
      e.socks.splice(i, 1);
      if (e.socks.length === 0) { this.points.delete(id); this.emit('removed', e.point); }
      return;
    }
  }

  connect(id: string): HostStream {
    const socks = this.points.get(id)?.socks ?? this.unlisted.get(id);
    if (!socks) throw new ExposureError(`no exposure point ${id}`, 'ECONNREFUSED');
    const l = socks.find((s) => s.acceptsMore);
    if (!l) throw new ExposureError(`exposure point ${id}: backlog full`, 'ECONNREFUSED');
    const port = 60999 - (this.nextHostPort++ % 28232);
    let dest = l.local!, remote: SockAddr = { family: AF_UNIX, path: null, abstract: null };
    if (l.domain !== AF_UNIX) {
      const la = l.local as InetAddr;
      const ip = la.ip === '0.0.0.0' || (la.ip === '::' && !l.opts.v6only) ? '127.0.0.1' : la.ip === '::' ? '::1' : la.ip;
      dest = { ...la, ip };
      remote = { family: l.domain as 2 | 10, ip: ip === '::1' ? '::1' : '127.0.0.1', port };
    }
    const s = l.enqueue(dest, remote, { pid: 0, uid: 0, gid: 0 });
    return new HostEnd(this.kernel, s);
  }
}

/** The host end of one connection to an exposure point. */
class HostEnd implements HostStream {
  private readonly toServer: Channel;
  private readonly toHost: Channel;
  private readonly cbs = { data: [] as ((d: Uint8Array) => void)[], end: [] as (() => void)[],
    close: [] as ((err?: string) => void)[], drain: [] as (() => void)[] };
  private paused = false;
  private ended = false;
  private endDelivered = false;
  private closed = false;
  private needDrain = false;
  private scheduled = false;
  private resetError: string | undefined;

  constructor(private readonly kernel: Kernel, private readonly server: StreamSocket) {
    this.toServer = new Channel(Math.max(server.opts.rcvbuf, 256 * 1024));
    this.toHost = new Channel(Math.max(server.opts.sndbuf, 256 * 1024));
    this.toServer.onReadable = server.wake;
    this.toServer.onWritable = () => {
      if ((this.needDrain && this.toServer.len <= this.toServer.cap >> 1) || this.toServer.readerGone) this.schedule();
    };
    this.toHost.onReadable = () => { this.schedule(); };
    this.toHost.onWritable = server.wake;
    server.rx = this.toServer;
    server.tx = this.toHost;
    server.state = 'connected';
  }

  write(data: Uint8Array): boolean {
    if (this.closed || this.ended || this.toServer.readerGone) return false;
    if (data.length) this.toServer.push(data);
    const ok = this.toServer.len < this.toServer.cap;
    if (!ok) this.needDrain = true;
    return ok;
  }

  end(): void {
    if (this.closed || this.ended) return;
    this.ended = true;
    this.toServer.eof = true;
    this.toServer.onReadable();
    this.schedule();
  }

  close(): void {
    if (this.closed) return;
    this.ended = true;
    if (!this.toServer.eof) { this.toServer.eof = true; this.toServer.onReadable(); }
    this.toHost.readerGone = true;
    for (const f of this.toHost.clear()) f.put();
    this.toHost.onWritable();
    this.finish();
  }

  pause(): void { this.paused = true; }
  resume(): void { this.paused = false; this.schedule(); }
  onData(cb: (data: Uint8Array) => void): void { this.cbs.data.push(cb); this.schedule(); }
  onEnd(cb: () => void): void { this.cbs.end.push(cb); }
  onClose(cb: (error?: string) => void): void { this.cbs.close.push(cb); }
  onDrain(cb: () => void): void { this.cbs.drain.push(cb); }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    this.kernel.host.defer(() => { this.scheduled = false; this.pump(); });
  }

  private call<A extends unknown[]>(fns: ((...a: A) => void)[], ...args: A): void {
    for (const f of fns) {
      try { f(...args); } catch (e) { this.kernel.host.log(`wasmux: host stream callback threw: ${String(e)}`); }
    }
  }

  private pump(): void {
    if (this.closed) return;
    const q = this.toHost;
    while (!this.paused && q.len > 0 && this.cbs.data.length > 0) {
      const buf = new Uint8Array(Math.min(q.len, 1 << 20));
      const r = q.take([buf], false, false);
      for (const f of r.anc?.files ?? []) f.put();
      if (r.n === 0) break;
      this.call(this.cbs.data, buf.subarray(0, r.n));
      if (this.closed) return;
    }
    if (this.needDrain && this.toServer.len <= this.toServer.cap >> 1 && !this.ended) {
      this.needDrain = false;
      this.call(this.cbs.drain);
    }
    if (q.eof && q.len === 0 && !this.endDelivered && !this.paused) {
      this.endDelivered = true;
      this.call(this.cbs.end);
    }
    if (this.endDelivered && (this.ended || this.toServer.readerGone)) this.finish();
    else if (this.toServer.readerGone && this.ended) this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    const err = this.resetError;
    this.kernel.host.defer(() => this.call(this.cbs.close, err));
  }
}
