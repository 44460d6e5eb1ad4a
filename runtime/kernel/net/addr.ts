// Socket addresses in user memory (struct sockaddr_un, sockaddr_in, sockaddr_in6; include/uapi/linux/un.h,
// in.h, in6.h) to and from the kernel's SockAddr. Internally an IP address is a short string: "a.b.c.d"
// (IPv4, also for IPv4-mapped IPv6 addresses), "::", "::1", or "other:<hex>" for IPv6 addresses that do
// not exist on the virtual loopback.
import { EAFNOSUPPORT, EINVAL } from '../../abi/errno.js';
import {
  AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE, SOCKADDR_UN_SIZE, UNIX_PATH_MAX,
} from '../../abi/socket.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { InetAddr, SockAddr, UnixAddr } from './socket.js';

const utf8 = new TextDecoder();
const utf8enc = new TextEncoder();

/** AF_UNSPEC (connect() dissolving an association) is reported as null. */
export function readSockAddr(t: Task, addr: number, len: number): SockAddr | null {
  if (len < 2 || len > 128) raise(EINVAL);
  const b = t.mem.copyIn(addr, len);
  const family = b[0]! | (b[1]! << 8);
  switch (family) {
    case AF_UNSPEC: return null;
    case AF_UNIX: return unixFrom(b.subarray(2, Math.min(len, SOCKADDR_UN_SIZE)));
    case AF_INET: {
      if (len < SOCKADDR_IN_SIZE) raise(EINVAL);
      return { family: AF_INET, ip: `${b[4]}.${b[5]}.${b[6]}.${b[7]}`, port: (b[2]! << 8) | b[3]! };
    }
    case AF_INET6: {
      if (len < 24) raise(EINVAL);
      return { family: AF_INET6, ip: ip6From(b.subarray(8, 24)), port: (b[2]! << 8) | b[3]! };
    }
    default: return raise(EAFNOSUPPORT);
  }
}

function unixFrom(p: Uint8Array): UnixAddr {
  if (p.length === 0) return { family: AF_UNIX, path: null, abstract: null };
  if (p[0] === 0) return { family: AF_UNIX, path: null, abstract: p.slice(1) };
  let end = p.indexOf(0);
  if (end < 0) end = p.length;
  if (end > UNIX_PATH_MAX) raise(EINVAL);
  return { family: AF_UNIX, path: utf8.decode(p.subarray(0, end)), abstract: null };
}

function ip6From(a: Uint8Array): string {
  let zero10 = true;
  for (let i = 0; i < 10; i++) if (a[i] !== 0) zero10 = false;
  if (zero10 && a[10] === 0xff && a[11] === 0xff) return `${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
  if (zero10 && a[10] === 0 && a[11] === 0 && a[12] === 0 && a[13] === 0 && a[14] === 0) {
    if (a[15] === 0) return '::';
    if (a[15] === 1) return '::1';
  }
  return `other:${[...a].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

/** Encode `a` as the sockaddr a socket of family `domain` reports (AF_INET6 shows IPv4 as ::ffff:a.b.c.d). */
export function encodeSockAddr(domain: number, a: SockAddr | null): Uint8Array {
  if (domain === AF_UNIX) {
    const u = a as UnixAddr | null;
    if (!u || (u.path === null && u.abstract === null)) return new Uint8Array([AF_UNIX, 0]);
    if (u.abstract) {
      const out = new Uint8Array(3 + u.abstract.length);
      out[0] = AF_UNIX; out.set(u.abstract, 3);
      return out;
    }
    const p = utf8enc.encode(u.path!);
    const out = new Uint8Array(Math.min(2 + p.length + 1, SOCKADDR_UN_SIZE));
    out[0] = AF_UNIX; out.set(p.subarray(0, out.length - 3), 2);
    return out;
  }
  const ia = (a as InetAddr | null) ?? { family: domain as 2 | 10, ip: domain === AF_INET ? '0.0.0.0' : '::', port: 0 };
  if (domain === AF_INET) {
    const out = new Uint8Array(SOCKADDR_IN_SIZE);
    out[0] = AF_INET; out[2] = ia.port >> 8; out[3] = ia.port & 0xff;
    const v4 = ia.ip.includes('.') ? ia.ip : '0.0.0.0';
    v4.split('.').forEach((x, i) => { out[4 + i] = Number(x); });
    return out;
  }
  const out = new Uint8Array(SOCKADDR_IN6_SIZE);
  out[0] = AF_INET6; out[2] = ia.port >> 8; out[3] = ia.port & 0xff;
  if (ia.ip === '::1') out[23] = 1;
  else if (ia.ip.startsWith('other:')) {
    const h = ia.ip.slice(6);
    for (let i = 0; i < 16; i++) out[8 + i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  } else if (ia.ip.includes('.')) {
    out[18] = 0xff; out[19] = 0xff;
    ia.ip.split('.').forEach((x, i) => { out[20 + i] = Number(x); });
  }
  return out;
}

/**
 * Write an address to (addr, *lenp) as getsockname/accept/recvfrom do: truncated to the caller's buffer,
 * *lenp set to the full length. addr == 0 writes nothing.
 */
export function writeSockAddr(t: Task, addr: number, lenp: number, bytes: Uint8Array): void {
  if (!addr || !lenp) return;
  const cap = t.mem.i32(lenp);
  if (cap < 0) raise(EINVAL);
  if (cap > 0) t.mem.copyOut(addr, bytes.subarray(0, Math.min(cap, bytes.length)));
  t.mem.setI32(lenp, bytes.length);
}

export function isV4(ip: string): boolean { return ip.includes('.') && !ip.startsWith('other:'); }
export function isLoopbackV4(ip: string): boolean { return isV4(ip) && ip.startsWith('127.'); }
/** Addresses that exist on the virtual loopback (bind accepts them). */
export function isLocal(ip: string): boolean { return ip === '0.0.0.0' || ip === '::' || ip === '::1' || isLoopbackV4(ip); }
export function isAny(ip: string): boolean { return ip === '0.0.0.0' || ip === '::'; }
