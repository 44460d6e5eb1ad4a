// setsockopt(2)/getsockopt(2) (net/core/sock.c sock_setsockopt/sock_getsockopt, net/ipv4/tcp.c,
// net/ipv6/ipv6_sockglue.c). Options are remembered and reported back; those with an effect here are
// SO_RCVBUF (receive queue size of new connections), SO_RCVTIMEO/SO_SNDTIMEO, SO_PASSCRED, SO_REUSEADDR,
// SO_REUSEPORT and IPV6_V6ONLY. SO_RCVTIMEO/SO_SNDTIMEO come as 66/67 with a 64-bit timeval (what musl
// on wasm32 sends first) or as 20/21 with a 32-bit one (musl's fallback).
import { EDOM, EINVAL, ENOPROTOOPT, EOPNOTSUPP } from '../../abi/errno.js';
import {
  AF_INET6, AF_UNIX, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IPV6_V6ONLY, IP_TOS, IP_TTL, SOL_SOCKET,
  SO_ACCEPTCONN, SO_BROADCAST, SO_BSDCOMPAT, SO_DEBUG, SO_DOMAIN, SO_DONTROUTE, SO_ERROR, SO_KEEPALIVE,
  SO_LINGER, SO_NO_CHECK, SO_OOBINLINE, SO_PASSCRED, SO_PEERCRED, SO_PRIORITY, SO_PROTOCOL, SO_RCVBUF,
  SO_RCVBUFFORCE, SO_RCVLOWAT, SO_RCVTIMEO_NEW, SO_RCVTIMEO_OLD, SO_REUSEADDR, SO_REUSEPORT, SO_SNDBUF,
  SO_SNDBUFFORCE, SO_SNDLOWAT, SO_SNDTIMEO_NEW, SO_SNDTIMEO_OLD, SO_TYPE, TCP_CORK, TCP_DEFER_ACCEPT,
  TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_MAXSEG, TCP_NODELAY, TCP_QUICKACK,
} from '../../abi/socket.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { Socket } from './socket.js';

const SYSCTL_MEM_MAX = 212992;
const int = (v: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, v, true); return b; };

type BoolOpt = 'reuseaddr' | 'reuseport' | 'keepalive' | 'broadcast' | 'passcred' | 'oobinline' | 'debug' | 'dontroute';
const BOOLS: Record<number, BoolOpt> = {
  [SO_REUSEADDR]: 'reuseaddr', [SO_REUSEPORT]: 'reuseport', [SO_KEEPALIVE]: 'keepalive',
  [SO_BROADCAST]: 'broadcast', [SO_PASSCRED]: 'passcred', [SO_OOBINLINE]: 'oobinline', [SO_DEBUG]: 'debug',
  [SO_DONTROUTE]: 'dontroute',
};

function readTimeval(v: Uint8Array, wide: boolean): number {
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  if (v.length < (wide ? 16 : 8)) raise(EINVAL);
  const sec = wide ? Number(dv.getBigInt64(0, true)) : dv.getInt32(0, true);
  const usec = wide ? Number(dv.getBigInt64(8, true)) : dv.getInt32(4, true);
  if (usec < 0 || usec >= 1_000_000) raise(EDOM);
  if (sec < 0) return 0;
  return sec * 1000 + Math.ceil(usec / 1000);
}

function timeval(ms: number, wide: boolean): Uint8Array {
  const b = new Uint8Array(wide ? 16 : 8), dv = new DataView(b.buffer);
  const sec = Math.floor(ms / 1000), usec = (ms % 1000) * 1000;
  if (wide) { dv.setBigInt64(0, BigInt(sec), true); dv.setBigInt64(8, BigInt(usec), true); }
  else { dv.setInt32(0, sec, true); dv.setInt32(4, usec, true); }
  return b;
}

export function setsockopt(s: Socket, level: number, name: number, v: Uint8Array): void {
  const o = s.opts;
  const iv = (): number => { if (v.length < 4) raise(EINVAL); return new DataView(v.buffer, v.byteOffset, 4).getInt32(0, true); };
  if (level === SOL_SOCKET) {
    const b = BOOLS[name];
    if (b) { o[b] = iv() !== 0; return; }
    switch (name) {
      case SO_SNDBUF: case SO_SNDBUFFORCE: o.sndbuf = Math.max(Math.min(iv() >>> 0, SYSCTL_MEM_MAX) * 2, 4608); return;
      case SO_RCVBUF: case SO_RCVBUFFORCE: o.rcvbuf = Math.max(Math.min(iv() >>> 0, SYSCTL_MEM_MAX) * 2, 2304); return;
      case SO_PRIORITY: o.priority = iv(); return;
      case SO_RCVLOWAT: o.rcvlowat = Math.max(1, iv()); return;
      case SO_LINGER: {
        if (v.length < 8) raise(EINVAL);
        const dv = new DataView(v.buffer, v.byteOffset, 8);
        o.linger = [dv.getInt32(0, true) ? 1 : 0, dv.getInt32(4, true)];
        return;
      }
      case SO_RCVTIMEO_NEW: case SO_RCVTIMEO_OLD: o.rcvtimeo = readTimeval(v, name === SO_RCVTIMEO_NEW); return;
      case SO_SNDTIMEO_NEW: case SO_SNDTIMEO_OLD: o.sndtimeo = readTimeval(v, name === SO_SNDTIMEO_NEW); return;
      case SO_NO_CHECK: case SO_BSDCOMPAT: iv(); return;
      case SO_TYPE: case SO_ERROR: case SO_DOMAIN: case SO_PROTOCOL: case SO_ACCEPTCONN: case SO_PEERCRED:
      case SO_SNDLOWAT:
        return raise(ENOPROTOOPT);
      default: return raise(ENOPROTOOPT);
    }
  }
  if (s.domain === AF_UNIX) raise(EOPNOTSUPP);
  if (level === IPPROTO_TCP) {
    if (s.type !== 1) raise(ENOPROTOOPT);
    switch (name) {
      case TCP_NODELAY: o.nodelay = iv() !== 0; return;
      case TCP_CORK: o.cork = iv() !== 0; return;
      case TCP_KEEPIDLE: { const x = iv(); if (x < 1 || x > 32767) raise(EINVAL); o.keepidle = x; return; }
      case TCP_KEEPINTVL: { const x = iv(); if (x < 1 || x > 32767) raise(EINVAL); o.keepintvl = x; return; }
      case TCP_KEEPCNT: { const x = iv(); if (x < 1 || x > 127) raise(EINVAL); o.keepcnt = x; return; }
      case TCP_MAXSEG: case TCP_DEFER_ACCEPT: case TCP_QUICKACK: iv(); o.extra.set(`6:${name}`, v.slice(0, 4)); return;
      default: return raise(ENOPROTOOPT);
    }
  }
  if (level === IPPROTO_IP) {
    switch (name) {
      case IP_TOS: o.tos = iv() & 0xff; return;
      case IP_TTL: { const x = iv(); if (x < -1 || x === 0 || x > 255) raise(EINVAL); o.ttl = x === -1 ? 64 : x; return; }
      default: o.extra.set(`0:${name}`, v.slice()); return;
    }
  }
  if (level === IPPROTO_IPV6) {
    if (s.domain !== AF_INET6) raise(ENOPROTOOPT);
    if (name === IPV6_V6ONLY) {
      if (s.local) raise(EINVAL);
      o.v6only = iv() !== 0;
      return;
    }
    o.extra.set(`41:${name}`, v.slice());
    return;
  }
  raise(ENOPROTOOPT);
}

export function getsockopt(t: Task, s: Socket, level: number, name: number): Uint8Array {
  const o = s.opts;
  if (level === SOL_SOCKET) {
    const b = BOOLS[name];
    if (b) return int(o[b] ? 1 : 0);
    switch (name) {
      case SO_TYPE: return int(s.type);
      case SO_DOMAIN: return int(s.domain);
      case SO_PROTOCOL: return int(s.protocol);
      case SO_ACCEPTCONN: return int(s.listening ? 1 : 0);
      case SO_ERROR: { const e = s.error; s.error = 0; return int(e); }
      case SO_SNDBUF: return int(o.sndbuf);
      case SO_RCVBUF: return int(o.rcvbuf);
      case SO_PRIORITY: return int(o.priority);
      case SO_RCVLOWAT: return int(o.rcvlowat);
      case SO_SNDLOWAT: return int(1);
      case SO_NO_CHECK: case SO_BSDCOMPAT: return int(0);
      case SO_LINGER: { const b8 = new Uint8Array(8), dv = new DataView(b8.buffer); dv.setInt32(0, o.linger[0], true); dv.setInt32(4, o.linger[1], true); return b8; }
      case SO_RCVTIMEO_NEW: case SO_RCVTIMEO_OLD: return timeval(o.rcvtimeo, name === SO_RCVTIMEO_NEW);
      case SO_SNDTIMEO_NEW: case SO_SNDTIMEO_OLD: return timeval(o.sndtimeo, name === SO_SNDTIMEO_NEW);
      case SO_PEERCRED: {
        let c = { pid: 0, uid: -1, gid: -1 };
        try { c = s.peerCred(); } catch { /* not connected: pid 0, uid and gid -1, as Linux */ }
        const b12 = new Uint8Array(12), dv = new DataView(b12.buffer);
        dv.setInt32(0, c.pid, true); dv.setInt32(4, c.uid, true); dv.setInt32(8, c.gid, true);
        return b12;
      }
      default: return raise(ENOPROTOOPT);
    }
  }
  void t;
  if (s.domain === AF_UNIX) raise(EOPNOTSUPP);
  if (level === IPPROTO_TCP) {
    if (s.type !== 1) raise(ENOPROTOOPT);
    switch (name) {
      case TCP_NODELAY: return int(o.nodelay ? 1 : 0);
      case TCP_CORK: return int(o.cork ? 1 : 0);
      case TCP_KEEPIDLE: return int(o.keepidle);
      case TCP_KEEPINTVL: return int(o.keepintvl);
      case TCP_KEEPCNT: return int(o.keepcnt);
      case TCP_MAXSEG: return int(65483);
      case TCP_DEFER_ACCEPT: case TCP_QUICKACK: return o.extra.get(`6:${name}`) ?? int(name === TCP_QUICKACK ? 1 : 0);
      default: return raise(ENOPROTOOPT);
    }
  }
  if (level === IPPROTO_IP) {
    if (name === IP_TOS) return int(o.tos);
    if (name === IP_TTL) return int(o.ttl);
    return o.extra.get(`0:${name}`) ?? raise(ENOPROTOOPT);
  }
  if (level === IPPROTO_IPV6) {
    if (s.domain !== AF_INET6) raise(ENOPROTOOPT);
    if (name === IPV6_V6ONLY) return int(o.v6only ? 1 : 0);
    return o.extra.get(`41:${name}`) ?? raise(ENOPROTOOPT);
  }
  return raise(ENOPROTOOPT);
}
