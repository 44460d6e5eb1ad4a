// The network namespace of one sandbox (struct net): the AF_UNIX abstract names, the TCP and UDP port
// tables of the virtual loopback, and the exposure points hosts reach servers through. kernel.net.
import { EAFNOSUPPORT, EINVAL, EPERM, EPROTONOSUPPORT, ESOCKTNOSUPPORT } from '../../abi/errno.js';
import {
  AF_INET, AF_INET6, AF_UNIX, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM,
} from '../../abi/socket.js';
import { raise } from '../errors.js';
import type { Kernel } from '../kernel.js';
import type { Task } from '../proc/task.js';
import { ExposureRegistry } from './exposures.js';
import { PortTable, TcpSocket, UdpSocket } from './inet.js';
import type { Socket } from './socket.js';
import { UnixDgramSocket, UnixStreamSocket } from './unix.js';

export interface NetOptions {
  /** UNIX paths that become exposure points when a stream socket listens there (default /tmp/server.sock). */
  exposeUnixPaths?: string[];
}

export class Net {
  readonly abstractNames = new Map<string, Socket>();
  readonly tcp = new PortTable();
  readonly udp = new PortTable();
  readonly exposures: ExposureRegistry;
  nextAutobind = 0;

  constructor(readonly kernel: Kernel, opts: NetOptions = {}) {
    this.exposures = new ExposureRegistry(kernel, opts.exposeUnixPaths);
  }

  /** socket(2) without the fd: a new socket of (domain, type, protocol); flags: O_NONBLOCK. */
  socket(t: Task | null, domain: number, type: number, protocol: number, flags: number): Socket {
    switch (domain) {
      case AF_UNIX:
        if (protocol !== 0 && protocol !== AF_UNIX) raise(EPROTONOSUPPORT);
        if (type === SOCK_STREAM || type === SOCK_SEQPACKET) return new UnixStreamSocket(this, domain, type, 0, t, flags);
        if (type === SOCK_DGRAM) return new UnixDgramSocket(this, domain, type, 0, t, flags);
        return raise(ESOCKTNOSUPPORT);
      case AF_INET: case AF_INET6:
        if (type === SOCK_STREAM) {
          if (protocol !== 0 && protocol !== IPPROTO_TCP) raise(EPROTONOSUPPORT);
          return new TcpSocket(this, domain, type, IPPROTO_TCP, t, flags);
        }
        if (type === SOCK_DGRAM) {
          if (protocol !== 0 && protocol !== IPPROTO_UDP) raise(EPROTONOSUPPORT);
          return new UdpSocket(this, domain, type, IPPROTO_UDP, t, flags);
        }
        if (type === SOCK_RAW) return raise(EPERM);
        if (type >= 1 && type <= 10) return raise(ESOCKTNOSUPPORT);
        return raise(EINVAL);
      default:
        return raise(EAFNOSUPPORT);
    }
  }
}
