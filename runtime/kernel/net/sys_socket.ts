// The socket syscalls (net/socket.c): argument decoding and fd plumbing over the socket objects of net/.
// struct msghdr and struct cmsghdr have their ILP32 layouts (abi/socket.ts); SCM_RIGHTS passes open file
// descriptions (they hold a reference while in flight), SCM_CREDENTIALS carries {pid, uid, gid}.
import { EAFNOSUPPORT, EINVAL, EMFILE, ENOTSOCK, EOPNOTSUPP, EPERM } from '../../abi/errno.js';
import { O_NONBLOCK } from '../../abi/fcntl.js';
import {
  AF_UNIX, CMSGHDR_SIZE, MSG_CMSG_CLOEXEC, MSG_CTRUNC, MSG_OOB, MSG_TRUNC, SCM_CREDENTIALS, SCM_RIGHTS,
  SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM, SOCK_TYPE_MASK, SOL_SOCKET, cmsgAlign,
} from '../../abi/socket.js';
import { isErrno, raise } from '../errors.js';
import type { File } from '../fs/file.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';
import { encodeSockAddr, readSockAddr, writeSockAddr } from './addr.js';
import type { Anc, Ucred } from './channel.js';
import { DgramSocket } from './dgram.js';
import { getsockopt, setsockopt } from './sockopt.js';
import { Socket, type MsgIn, type SockAddr } from './socket.js';
import { StreamSocket } from './stream.js';

const SCM_MAX_FD = 253;
const IOV_MAX = 1024;

function sock(t: Task, fd: number): Socket {
  const f = t.files.get(fd);
  if (!(f instanceof Socket)) raise(ENOTSOCK);
  return f;
}

function typeFlags(type: number): { type: number; nonblock: number; cloexec: boolean } {
  if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)) raise(EINVAL);
  return { type: type & SOCK_TYPE_MASK, nonblock: type & SOCK_NONBLOCK ? O_NONBLOCK : 0, cloexec: (type & SOCK_CLOEXEC) !== 0 };
}

function sys_socket(t: Task, domain: number, type: number, protocol: number): number {
  const tf = typeFlags(type);
  const s = t.kernel.net.socket(t, domain, tf.type, protocol, tf.nonblock);
  return t.files.install(s, tf.cloexec);
}

function sys_socketpair(t: Task, domain: number, type: number, protocol: number, sv: number): number {
  const tf = typeFlags(type);
  if (domain !== AF_UNIX) {
    t.kernel.net.socket(t, domain, tf.type, protocol, 0).put();
    raise(EOPNOTSUPP);
  }
  t.mem.check(sv, 8);
  const net = t.kernel.net;
  const a = net.socket(t, domain, tf.type, protocol, tf.nonblock), b = net.socket(t, domain, tf.type, protocol, tf.nonblock);
  if (a instanceof StreamSocket && b instanceof StreamSocket) {
    StreamSocket.link(a, b);
    a.remote = b.remote = { family: AF_UNIX, path: null, abstract: null };
    a.remoteCred = b.remoteCred = a.cred;
  } else if (a instanceof DgramSocket && b instanceof DgramSocket) {
    a.peer = b.peer = { family: AF_UNIX, path: null, abstract: null };
    a.peerSock = b; b.peerSock = a;
    a.pairCred = b.pairCred = a.cred;
  }
  let fa = -1;
  try {
    fa = t.files.install(a, tf.cloexec);
    const fb = t.files.install(b, tf.cloexec);
    t.mem.setI32(sv, fa);
    t.mem.setI32(sv + 4, fb);
  } catch (e) {
    if (fa >= 0) t.files.close(fa); else a.put();
    b.put();
    throw e;
  }
  return 0;
}

function sys_bind(t: Task, fd: number, addr: number, len: number): number {
  const s = sock(t, fd);
  const a = readSockAddr(t, addr, len);
  if (!a) raise(s.domain === AF_UNIX ? EINVAL : EAFNOSUPPORT);
  if (a.family === AF_UNIX && s.domain !== AF_UNIX) raise(EAFNOSUPPORT);
  if (a.family !== AF_UNIX && s.domain === AF_UNIX) raise(EINVAL);
  s.bind(t, a);
  return 0;
}

function sys_listen(t: Task, fd: number, backlog: number): number {
  const s = sock(t, fd);
  if (!(s instanceof StreamSocket)) raise(EOPNOTSUPP);
  s.listen(t, backlog);
  return 0;
}

function sys_accept4(t: Task, fd: number, addr: number, lenp: number, flags: number): number {
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) raise(EINVAL);
  const s = sock(t, fd);
  if (!(s instanceof StreamSocket)) raise(EOPNOTSUPP);
  if (addr && lenp) { if (t.mem.i32(lenp) < 0) raise(EINVAL); }
  const c = s.accept(t, flags);
  if (flags & SOCK_NONBLOCK) c.flags |= O_NONBLOCK;
  let nfd: number;
  try { nfd = t.files.install(c, (flags & SOCK_CLOEXEC) !== 0); } catch (e) { c.put(); throw e; }
  try {
    writeSockAddr(t, addr, lenp, encodeSockAddr(c.domain, c.remote));
  } catch (e) { /* Linux returns the fd's error after the connection was taken */ t.files.close(nfd); throw e; }
  return nfd;
}

function sys_connect(t: Task, fd: number, addr: number, len: number): number {
  const s = sock(t, fd);
  const a = readSockAddr(t, addr, len);
  if (!a) {
    if (s instanceof DgramSocket) { s.disconnect(); return 0; }
    raise(s.domain === AF_UNIX ? EINVAL : EAFNOSUPPORT);
  }
  s.connect(t, a);
  return 0;
}

function sys_getsockname(t: Task, fd: number, addr: number, lenp: number): number {
  const s = sock(t, fd);
  t.mem.check(lenp, 4);
  if (t.mem.i32(lenp) < 0) raise(EINVAL);
  writeSockAddr(t, addr, lenp, encodeSockAddr(s.domain, s.local));
  return 0;
}

function sys_getpeername(t: Task, fd: number, addr: number, lenp: number): number {
  const s = sock(t, fd);
  t.mem.check(lenp, 4);
  if (t.mem.i32(lenp) < 0) raise(EINVAL);
  writeSockAddr(t, addr, lenp, encodeSockAddr(s.domain, s.peerName()));
  return 0;
}

function sys_shutdown(t: Task, fd: number, how: number): number {
  sock(t, fd).shutdown(t, how);
  return 0;
}

function iovecs(t: Task, iov: number, cnt: number): { vs: Uint8Array[]; len: number } {
  if (cnt < 0 || cnt > IOV_MAX) raise(EINVAL);
  const vs: Uint8Array[] = [];
  let len = 0;
  for (let i = 0; i < cnt; i++) {
    const base = t.mem.u32(iov + i * 8), n = t.mem.u32(iov + i * 8 + 4);
    len += n;
    if (len > 0x7ffff000) raise(EINVAL);
    vs.push(n ? t.mem.view(base, n) : new Uint8Array(0));
  }
  return { vs, len };
}

function ownCred(t: Task): Ucred { return { pid: t.pid, uid: t.cred.euid, gid: t.cred.egid }; }

function doSend(t: Task, s: Socket, vs: Uint8Array[], len: number, flags: number, to: SockAddr | null, anc: Anc | null): number {
  if (flags & MSG_OOB) raise(EOPNOTSUPP);
  if (s.domain === AF_UNIX) anc = { ...anc, cred: anc?.cred ?? ownCred(t) };
  return s.send(t, { iov: vs, len, to, anc, flags });
}

function sys_sendto(t: Task, fd: number, buf: number, len: number, flags: number, addr: number, alen: number): number {
  const s = sock(t, fd);
  const to = addr ? readSockAddr(t, addr, alen) : null;
  const v = len ? t.mem.view(buf, len >>> 0) : new Uint8Array(0);
  return doSend(t, s, [v], v.length, flags, s instanceof StreamSocket && s.domain !== AF_UNIX ? null : to, null);
}

/** Parse the control buffer of sendmsg: SCM_RIGHTS files (not yet referenced) and SCM_CREDENTIALS. */
function parseControl(t: Task, s: Socket, ctl: number, clen: number): Anc | null {
  if (!ctl || clen === 0) return null;
  if (clen < CMSGHDR_SIZE) raise(EINVAL);
  const anc: Anc = {};
  let p = 0;
  while (p + CMSGHDR_SIZE <= clen) {
    const len = t.mem.u32(ctl + p), level = t.mem.i32(ctl + p + 4), type = t.mem.i32(ctl + p + 8);
    if (len < CMSGHDR_SIZE || p + len > clen) raise(EINVAL);
    if (level === SOL_SOCKET && s.domain === AF_UNIX) {
      if (type === SCM_RIGHTS) {
        const n = (len - CMSGHDR_SIZE) >> 2;
        if (n > SCM_MAX_FD || (anc.files?.length ?? 0) + n > SCM_MAX_FD) raise(EINVAL);
        const files: File[] = anc.files ?? [];
        for (let i = 0; i < n; i++) files.push(t.files.get(t.mem.i32(ctl + p + CMSGHDR_SIZE + i * 4)));
        anc.files = files;
      } else if (type === SCM_CREDENTIALS) {
        if (len !== CMSGHDR_SIZE + 12) raise(EINVAL);
        const c = { pid: t.mem.i32(ctl + p + 12), uid: t.mem.i32(ctl + p + 16), gid: t.mem.i32(ctl + p + 20) };
        const root = t.cred.euid === 0;
        if (!root && (c.pid !== t.pid || ![t.cred.uid, t.cred.euid, t.cred.suid].includes(c.uid) ||
            ![t.cred.gid, t.cred.egid, t.cred.sgid].includes(c.gid))) raise(EPERM);
        anc.cred = c;
      } else raise(EINVAL);
    } else if (level === SOL_SOCKET) raise(EINVAL);
    p += cmsgAlign(len);
  }
  return anc;
}

function sys_sendmsg(t: Task, fd: number, msg: number, flags: number): number {
  const s = sock(t, fd);
  t.mem.check(msg, 28);
  const name = t.mem.u32(msg), namelen = t.mem.u32(msg + 4);
  const { vs, len } = iovecs(t, t.mem.u32(msg + 8), t.mem.i32(msg + 12));
  const to = name && namelen ? readSockAddr(t, name, namelen) : null;
  const anc = parseControl(t, s, t.mem.u32(msg + 16), t.mem.u32(msg + 20));
  return doSend(t, s, vs, len, flags, s instanceof StreamSocket && s.domain !== AF_UNIX ? null : to, anc);
}

function doRecv(t: Task, s: Socket, vs: Uint8Array[], flags: number): MsgIn {
  if (flags & MSG_OOB) raise(s.domain === AF_UNIX ? EOPNOTSUPP : EINVAL);
  return s.recv(t, vs, flags);
}

function sys_recvfrom(t: Task, fd: number, buf: number, len: number, flags: number, addr: number, lenp: number): number {
  const s = sock(t, fd);
  const v = len ? t.mem.view(buf, len >>> 0) : new Uint8Array(0);
  if (addr && lenp && t.mem.i32(lenp) < 0) raise(EINVAL);
  const r = doRecv(t, s, [v], flags);
  for (const f of r.anc?.files ?? []) f.put();
  if (addr && lenp) {
    if (s instanceof StreamSocket) t.mem.setI32(lenp, 0);
    else writeSockAddr(t, addr, lenp, encodeSockAddr(s.domain, r.from));
  }
  return r.n;
}

function sys_recvmsg(t: Task, fd: number, msg: number, flags: number): number {
  const s = sock(t, fd);
  t.mem.check(msg, 28);
  const name = t.mem.u32(msg), namelen = t.mem.i32(msg + 4);
  const { vs } = iovecs(t, t.mem.u32(msg + 8), t.mem.i32(msg + 12));
  const ctl = t.mem.u32(msg + 16), clen = t.mem.u32(msg + 20);
  const r = doRecv(t, s, vs, flags);
  let mflags = 0;
  if (s.type !== SOCK_STREAM && r.msgLen > vs.reduce((a, v) => a + v.length, 0)) mflags |= MSG_TRUNC;
  // Control messages.
  let used = 0;
  const put = (level: number, type: number, data: Uint8Array): boolean => {
    const need = CMSGHDR_SIZE + data.length;
    if (!ctl || used + need > clen) { mflags |= MSG_CTRUNC; return false; }
    t.mem.setU32(ctl + used, need);
    t.mem.setI32(ctl + used + 4, level);
    t.mem.setI32(ctl + used + 8, type);
    t.mem.copyOut(ctl + used + CMSGHDR_SIZE, data);
    used += Math.min(cmsgAlign(need), clen - used);
    return true;
  };
  if (s.opts.passcred && s.domain === AF_UNIX) {
    const c = r.anc?.cred ?? { pid: 0, uid: 65534, gid: 65534 };
    const b = new Uint8Array(12), dv = new DataView(b.buffer);
    dv.setInt32(0, c.pid, true); dv.setInt32(4, c.uid, true); dv.setInt32(8, c.gid, true);
    put(SOL_SOCKET, SCM_CREDENTIALS, b);
  }
  const files = r.anc?.files;
  if (files?.length) {
    const room = ctl ? Math.max(0, Math.floor((clen - used - CMSGHDR_SIZE) / 4)) : 0;
    const n = Math.min(room, files.length);
    const fds: number[] = [];
    for (let i = 0; i < files.length; i++) {
      if (i < n) {
        try { fds.push(t.files.install(files[i]!, (flags & MSG_CMSG_CLOEXEC) !== 0)); continue; }
        catch (e) { if (!isErrno(e) || e.errno !== EMFILE) throw e; }
      }
      files[i]!.put();
      mflags |= MSG_CTRUNC;
    }
    if (fds.length) {
      const b = new Uint8Array(fds.length * 4), dv = new DataView(b.buffer);
      fds.forEach((x, i) => dv.setInt32(i * 4, x, true));
      put(SOL_SOCKET, SCM_RIGHTS, b);
    } else if (files.length) mflags |= MSG_CTRUNC;
  }
  t.mem.setU32(msg + 20, used);
  t.mem.setI32(msg + 24, mflags);
  if (name && namelen > 0 && !(s instanceof StreamSocket)) {
    const a = encodeSockAddr(s.domain, r.from);
    t.mem.copyOut(name, a.subarray(0, Math.min(namelen, a.length)));
    t.mem.setI32(msg + 4, a.length);
  } else t.mem.setI32(msg + 4, 0);
  return r.n;
}

function sys_setsockopt(t: Task, fd: number, level: number, name: number, val: number, len: number): number {
  const s = sock(t, fd);
  if (len < 0) raise(EINVAL);
  const v = len ? t.mem.copyIn(val, len) : new Uint8Array(0);
  setsockopt(s, level, name, v);
  return 0;
}

function sys_getsockopt(t: Task, fd: number, level: number, name: number, val: number, lenp: number): number {
  const s = sock(t, fd);
  const cap = t.mem.i32(lenp);
  if (cap < 0) raise(EINVAL);
  const v = getsockopt(t, s, level, name);
  const n = Math.min(cap, v.length);
  if (n) t.mem.copyOut(val, v.subarray(0, n));
  t.mem.setI32(lenp, n);
  return 0;
}

const ipNote = 'Virtual loopback only: 127.0.0.0/8, ::1 and the any addresses; other destinations fail with ENETUNREACH.';

export const socketSyscalls: SyscallDefs = {
  socket: { handler: sys_socket, level: 'partial', note: 'AF_UNIX (stream, datagram, seqpacket), AF_INET/AF_INET6 (TCP, UDP) on a virtual loopback; SOCK_RAW is EPERM, other families EAFNOSUPPORT.' },
  socketpair: { handler: sys_socketpair, level: 'full' },
  bind: { handler: sys_bind, level: 'full', note: `${ipNote} AF_UNIX paths are socket nodes; abstract names are per sandbox.` },
  listen: { handler: sys_listen, level: 'full', note: 'Listening TCP sockets and AF_UNIX stream sockets on configured paths become exposure points (net/exposure.ts).' },
  accept: { handler: (t, fd, a, l) => sys_accept4(t, fd, a, l, 0), level: 'full' },
  accept4: { handler: sys_accept4, level: 'full' },
  connect: { handler: sys_connect, level: 'full', note: `${ipNote} Connections complete at once; a non-blocking TCP connect reports EINPROGRESS, then POLLOUT and SO_ERROR.` },
  getsockname: { handler: sys_getsockname, level: 'full' },
  getpeername: { handler: sys_getpeername, level: 'full' },
  sendto: { handler: sys_sendto, level: 'full', note: 'MSG_OOB is not supported (EOPNOTSUPP). UDP drops datagrams when the receiver queue is full, as Linux does.' },
  recvfrom: { handler: sys_recvfrom, level: 'full', note: 'MSG_OOB is not supported.' },
  sendmsg: { handler: sys_sendmsg, level: 'full', note: 'SCM_RIGHTS and SCM_CREDENTIALS on AF_UNIX.' },
  recvmsg: { handler: sys_recvmsg, level: 'full', note: 'SCM_RIGHTS (MSG_CMSG_CLOEXEC), SCM_CREDENTIALS with SO_PASSCRED; no timestamps.' },
  shutdown: { handler: sys_shutdown, level: 'full', note: 'Closing a TCP socket with unread data does not reset the connection (the peer sees EOF).' },
  setsockopt: { handler: sys_setsockopt, level: 'partial', note: 'SOL_SOCKET options are kept and reported; effective: SO_RCVBUF, SO_RCVTIMEO/SO_SNDTIMEO (66/67 and 20/21), SO_PASSCRED, SO_REUSEADDR/SO_REUSEPORT, IPV6_V6ONLY. TCP_NODELAY and keepalive options are remembered only.' },
  getsockopt: { handler: sys_getsockopt, level: 'partial', note: 'SO_PEERCRED for AF_UNIX; TCP_INFO is ENOPROTOOPT.' },
};
