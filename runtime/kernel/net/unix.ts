// AF_UNIX naming (net/unix/af_unix.c): filesystem paths are socket nodes created by bind (vfs.bindSocket;
// the bound socket is kept in the node's `private` field; unlink removes the name, the socket lives on),
// abstract names (leading NUL) live in a per-sandbox table, and autobind (bind with an empty address)
// picks an abstract name of five hex digits. Stream and seqpacket sockets use net/stream.ts, datagram
// sockets net/dgram.ts.
import { EADDRINUSE, ECONNREFUSED, EINVAL, EPROTOTYPE } from '../../abi/errno.js';
import { AF_UNIX } from '../../abi/socket.js';
import { raise } from '../errors.js';
import type { SpecialInode } from '../fs/inode.js';
import type { Task } from '../proc/task.js';
import { DgramSocket } from './dgram.js';
import { Socket, type SockAddr, type UnixAddr } from './socket.js';
import { StreamSocket } from './stream.js';

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);

/** State shared by both AF_UNIX socket kinds: the name, the node or the abstract-table key. */
interface Bound { node: SpecialInode | null; key: string | null; }

function bindUnix(s: Socket & { bound: Bound; absPath: string | null }, t: Task, a: SockAddr): void {
  if (a.family !== AF_UNIX) raise(EINVAL);
  if (s.local) raise(EINVAL);
  if (a.path === null && a.abstract === null) { autobindUnix(s); return; }
  if (a.abstract) {
    const key = latin1(a.abstract);
    if (s.net.abstractNames.has(key)) raise(EADDRINUSE);
    s.net.abstractNames.set(key, s);
    s.bound = { node: null, key };
    s.local = { family: AF_UNIX, path: null, abstract: a.abstract };
    return;
  }
  const path = a.path!;
  const node = t.kernel.vfs.bindSocket(t, path);
  node.private = s;
  s.bound = { node, key: null };
  s.local = { family: AF_UNIX, path, abstract: null };
  s.absPath = path.startsWith('/') ? path : `${safeCwd(t)}/${path}`;
}

function safeCwd(t: Task): string {
  try { const c = t.kernel.vfs.getcwd(t.fs); return c === '/' ? '' : c; } catch { return ''; }
}

function autobindUnix(s: Socket & { bound: Bound; absPath: string | null }): void {
  const net = s.net;
  for (let i = 0; i < 0x100000; i++) {
    const name = (net.nextAutobind++ & 0xfffff).toString(16).padStart(5, '0');
    const key = latin1(new TextEncoder().encode(name));
    if (net.abstractNames.has(key)) continue;
    net.abstractNames.set(key, s);
    s.bound = { node: null, key };
    s.local = { family: AF_UNIX, path: null, abstract: new TextEncoder().encode(name) };
    return;
  }
}

function unbindUnix(s: Socket & { bound: Bound; absPath: string | null }): void {
  const b = s.bound;
  if (b.key !== null && s.net.abstractNames.get(b.key) === s) s.net.abstractNames.delete(b.key);
  if (b.node && b.node.private === s) b.node.private = undefined;
  s.bound = { node: null, key: null };
}

/** The socket bound at `a` (ENOENT/EACCES from the path walk; ECONNREFUSED when nobody is bound). */
function lookupUnix(t: Task, net: Socket['net'], a: SockAddr): Socket {
  if (a.family !== AF_UNIX) raise(EINVAL);
  let s: unknown;
  if (a.abstract) s = net.abstractNames.get(latin1(a.abstract));
  else if (a.path !== null) s = t.kernel.vfs.lookupSocket(t, a.path).private;
  else raise(EINVAL);
  if (!(s instanceof Socket)) raise(ECONNREFUSED);
  return s;
}

export class UnixStreamSocket extends StreamSocket {
  bound: Bound = { node: null, key: null };
  /** Absolute path of a filesystem name (exposure points match on it). */
  absPath: string | null = null;

  override bind(t: Task, a: SockAddr): void { bindUnix(this, t, a); }
  protected prepareListen(_t: Task): void { if (!this.local) raise(EINVAL); }
  protected findListener(t: Task, a: SockAddr): StreamSocket {
    const s = lookupUnix(t, this.net, a);
    if (s.type !== this.type) raise(EPROTOTYPE);
    if (!(s instanceof StreamSocket) || !s.listening) raise(ECONNREFUSED);
    return s;
  }
  protected autobind(): void {}
  protected spawn(): StreamSocket { return new UnixStreamSocket(this.net, AF_UNIX, this.type, 0, null, 0); }
  protected unbind(): void { unbindUnix(this); }
}

export class UnixDgramSocket extends DgramSocket {
  bound: Bound = { node: null, key: null };
  absPath: string | null = null;

  override bind(t: Task, a: SockAddr): void { bindUnix(this, t, a); }
  protected lookupTarget(t: Task, a: SockAddr): DgramSocket | null {
    const s = lookupUnix(t, this.net, a);
    if (s.type !== this.type) raise(EPROTOTYPE);
    return s instanceof DgramSocket ? s : null;
  }
  protected autobind(): void {}
  protected unbind(): void { unbindUnix(this); }
  protected get lossy(): boolean { return false; }
  protected checkDest(_t: Task, a: SockAddr): void { if (a.family !== AF_UNIX) raise(EINVAL); }
}

export type { UnixAddr };
