// AF_INET and AF_INET6 on the virtual loopback (net/ipv4/af_inet.c, inet_connection_sock.c, udp.c,
// net/ipv6/af_inet6.c): 127.0.0.0/8 and ::1 exist, 0.0.0.0 and :: bind every address (an AF_INET6
// socket on :: also takes IPv4 unless IPV6_V6ONLY), ports are per protocol with EADDRINUSE, SO_REUSEADDR
// and SO_REUSEPORT, ephemeral ports come from 32768-60999, and anything that is not loopback is
// unreachable (ENETUNREACH): outbound networking does not exist yet.
import {
  EACCES, EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, ECONNREFUSED, EINVAL, ENETUNREACH,
} from '../../abi/errno.js';
import { AF_INET, AF_INET6 } from '../../abi/socket.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import { isAny, isLocal, isLoopbackV4, isV4 } from './addr.js';
import { DgramSocket } from './dgram.js';
import type { Net } from './net.js';
import type { InetAddr, SockAddr, Socket } from './socket.js';
import { StreamSocket } from './stream.js';

export const EPHEMERAL_LOW = 32768, EPHEMERAL_HIGH = 60999;

export type Proto = 'tcp' | 'udp';

/** What a bound inet socket occupies in its protocol's port table. */
export interface Binding { sock: Socket; ip: string; port: number; v6only: boolean; }

/** The IPv4 addresses a binding covers: 'all', one address, or none. */
function v4Set(b: Binding): string | null {
  if (b.ip === '0.0.0.0') return 'all';
  if (b.ip === '::') return b.v6only ? null : 'all';
  return isV4(b.ip) ? b.ip : null;
}
function v6Set(b: Binding): string | null {
  if (b.ip === '::') return 'all';
  return b.ip === '::1' ? '::1' : null;
}
const meets = (x: string | null, y: string | null): boolean => x !== null && y !== null && (x === 'all' || y === 'all' || x === y);
function overlaps(a: Binding, b: Binding): boolean { return meets(v4Set(a), v4Set(b)) || meets(v6Set(a), v6Set(b)); }

/** The binding receives traffic for destination `ip` (exact address first when ranking). */
function covers(b: Binding, ip: string): number {
  if (b.ip === ip) return 2;
  if (isV4(ip)) return v4Set(b) === 'all' ? 1 : 0;
  return v6Set(b) === 'all' ? 1 : 0;
}

export class PortTable {
  readonly ports = new Map<number, Binding[]>();
  private next = EPHEMERAL_LOW;

  add(b: Binding, listening: (s: Socket) => boolean): void {
    for (const o of this.ports.get(b.port) ?? []) {
      if (!overlaps(b, o)) continue;
      if (b.sock.opts.reuseport && o.sock.opts.reuseport) continue;
      if (b.sock.opts.reuseaddr && o.sock.opts.reuseaddr && !listening(o.sock)) continue;
      raise(EADDRINUSE);
    }
    let l = this.ports.get(b.port);
    if (!l) { l = []; this.ports.set(b.port, l); }
    l.push(b);
  }

  /** An unused ephemeral port for `b` (the caller adds it). */
  ephemeral(b: Omit<Binding, 'port'>): number {
    const n = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    for (let i = 0; i < n; i++) {
      const port = this.next;
      this.next = port >= EPHEMERAL_HIGH ? EPHEMERAL_LOW : port + 1;
      const cand = { ...b, port };
      if (!(this.ports.get(port) ?? []).some((o) => overlaps(cand, o))) return port;
    }
    return raise(EADDRNOTAVAIL);
  }

  remove(sock: Socket): void {
    for (const [port, l] of this.ports) {
      const i = l.findIndex((b) => b.sock === sock);
      if (i < 0) continue;
      l.splice(i, 1);
      if (l.length === 0) this.ports.delete(port);
      return;
    }
  }

  /** Bound sockets that receive traffic for (ip, port), best match first. */
  find(ip: string, port: number, pred: (s: Socket) => boolean): Socket | null {
    let best: Socket | null = null, score = 0;
    for (const b of this.ports.get(port) ?? []) {
      const c = covers(b, ip);
      if (c > score && pred(b.sock)) { best = b.sock; score = c; }
    }
    return best;
  }
}

/** Check a destination: the address must be loopback of a family this socket can reach. */
function route(s: Socket, a: SockAddr): InetAddr {
  if (a.family !== AF_INET && a.family !== AF_INET6) raise(EAFNOSUPPORT);
  if (s.domain === AF_INET && a.family !== AF_INET) raise(EAFNOSUPPORT);
  let ip = a.ip;
  if (ip === '0.0.0.0') ip = '127.0.0.1';
  if (ip === '::') ip = '::1';
  if (isV4(ip) && s.domain === AF_INET6 && s.opts.v6only) raise(ENETUNREACH);
  if (!(isLoopbackV4(ip) || ip === '::1')) raise(ENETUNREACH);
  return { family: a.family, ip, port: a.port };
}

/** The source address of traffic to `dest`. */
const sourceFor = (dest: InetAddr): string => (isV4(dest.ip) ? '127.0.0.1' : '::1');

function bindInet(s: Socket & { binding: Binding | null }, t: Task | null, a: SockAddr, table: PortTable,
  listening: (s: Socket) => boolean): void {
  if (s.binding) raise(EINVAL);
  if (a.family !== AF_INET && a.family !== AF_INET6) raise(EAFNOSUPPORT);
  if (s.domain === AF_INET && a.family !== AF_INET) raise(EAFNOSUPPORT);
  if (s.domain === AF_INET6 && a.family !== AF_INET6) raise(EINVAL);
  if (!isLocal(a.ip)) raise(EADDRNOTAVAIL);
  if (a.port !== 0 && a.port < 1024 && t && t.cred.euid !== 0) raise(EACCES);
  const base = { sock: s, ip: a.ip, v6only: s.domain === AF_INET6 && s.opts.v6only };
  const port = a.port || table.ephemeral(base);
  const b = { ...base, port };
  table.add(b, listening);
  s.binding = b;
  s.local = { family: s.domain as 2 | 10, ip: a.ip, port };
}

const isListening = (s: Socket): boolean => s.listening;

export class TcpSocket extends StreamSocket {
  binding: Binding | null = null;

  override bind(t: Task, a: SockAddr): void { bindInet(this, t, a, this.net.tcp, isListening); }
  protected prepareListen(t: Task): void {
    if (!this.binding) this.bind(t, { family: this.domain as 2 | 10, ip: this.domain === AF_INET ? '0.0.0.0' : '::', port: 0 });
  }
  protected findListener(_t: Task, a: SockAddr): StreamSocket {
    const d = route(this, a);
    if (d.port === 0) raise(ECONNREFUSED);
    const l = this.net.tcp.find(d.ip, d.port, isListening);
    if (!(l instanceof StreamSocket)) raise(ECONNREFUSED);
    return l;
  }
  protected autobind(t: Task | null, dest: SockAddr): void {
    const d = route(this, dest);
    const src = this.domain === AF_INET6 && isV4(d.ip) ? sourceFor(d) : sourceFor(d);
    if (!this.binding) {
      bindInet(this, t, { family: this.domain as 2 | 10, ip: src, port: 0 }, this.net.tcp, isListening);
    }
    this.local = { family: this.domain as 2 | 10, ip: isAny(this.binding!.ip) ? src : this.binding!.ip, port: this.binding!.port };
  }
  protected override acceptedName(dest: SockAddr): SockAddr | null {
    const d = dest as InetAddr;
    let ip = d.ip;
    if (ip === '0.0.0.0') ip = '127.0.0.1';
    if (ip === '::') ip = '::1';
    return { family: this.domain as 2 | 10, ip, port: this.binding?.port ?? d.port };
  }
  protected spawn(): StreamSocket { return new TcpSocket(this.net, this.domain, this.type, this.protocol, null, 0); }
  protected unbind(): void { if (this.binding) { this.net.tcp.remove(this); this.binding = null; } }
  protected override get asyncConnect(): boolean { return true; }
}

export class UdpSocket extends DgramSocket {
  binding: Binding | null = null;

  override bind(t: Task, a: SockAddr): void { bindInet(this, t, a, this.net.udp, () => false); }
  protected lookupTarget(_t: Task, a: SockAddr): DgramSocket | null {
    const d = route(this, a);
    const s = this.net.udp.find(d.ip, d.port, () => true);
    return s instanceof DgramSocket ? s : null;
  }
  protected autobind(t: Task, dest: SockAddr): void {
    if (this.binding) return;
    const d = route(this, dest);
    bindInet(this, t, { family: this.domain as 2 | 10, ip: this.domain === AF_INET ? '0.0.0.0' : '::', port: 0 },
      this.net.udp, () => false);
    void d;
  }
  protected override sourceName(dest: SockAddr): SockAddr | null {
    if (!this.binding) return this.local;
    const d = dest as InetAddr;
    const ip = isAny(this.binding.ip) ? sourceFor({ ...d, ip: d.ip === '0.0.0.0' ? '127.0.0.1' : d.ip }) : this.binding.ip;
    return { family: this.domain as 2 | 10, ip, port: this.binding.port };
  }
  protected unbind(): void { if (this.binding) { this.net.udp.remove(this); this.binding = null; } }
  protected get lossy(): boolean { return true; }
  protected checkDest(_t: Task, a: SockAddr): void { route(this, a); }
  override peerName(): SockAddr { return super.peerName(); }
}

export type { Net };
