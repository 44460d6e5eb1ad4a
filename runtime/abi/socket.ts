// Socket constants and struct layouts of the wasm32 ABI (include/uapi/linux/socket.h, asm-generic/socket.h,
// linux/in.h, linux/in6.h, linux/tcp.h, linux/un.h). Pure data.
export const AF_UNSPEC = 0, AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17;

export const SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_RDM = 4, SOCK_SEQPACKET = 5;
export const SOCK_TYPE_MASK = 0xf;
/** socket()/socketpair()/accept4() flags share the O_* bits. */
export const SOCK_NONBLOCK = 0o4000, SOCK_CLOEXEC = 0o2000000;

export const IPPROTO_IP = 0, IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_IPV6 = 41;

export const SOL_SOCKET = 1;
export const SO_DEBUG = 1, SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_DONTROUTE = 5, SO_BROADCAST = 6,
  SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9, SO_OOBINLINE = 10, SO_NO_CHECK = 11, SO_PRIORITY = 12,
  SO_LINGER = 13, SO_BSDCOMPAT = 14, SO_REUSEPORT = 15, SO_PASSCRED = 16, SO_PEERCRED = 17, SO_RCVLOWAT = 18,
  SO_SNDLOWAT = 19, SO_RCVTIMEO_OLD = 20, SO_SNDTIMEO_OLD = 21, SO_ACCEPTCONN = 30, SO_SNDBUFFORCE = 32,
  SO_RCVBUFFORCE = 33, SO_PROTOCOL = 38, SO_DOMAIN = 39, SO_RCVTIMEO_NEW = 66, SO_SNDTIMEO_NEW = 67;

export const TCP_NODELAY = 1, TCP_MAXSEG = 2, TCP_CORK = 3, TCP_KEEPIDLE = 4, TCP_KEEPINTVL = 5,
  TCP_KEEPCNT = 6, TCP_DEFER_ACCEPT = 9, TCP_QUICKACK = 12;
export const IP_TOS = 1, IP_TTL = 2;
export const IPV6_V6ONLY = 26;

export const SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;

export const MSG_OOB = 0x1, MSG_PEEK = 0x2, MSG_DONTROUTE = 0x4, MSG_CTRUNC = 0x8, MSG_TRUNC = 0x20,
  MSG_DONTWAIT = 0x40, MSG_EOR = 0x80, MSG_WAITALL = 0x100, MSG_NOSIGNAL = 0x4000, MSG_MORE = 0x8000,
  MSG_CMSG_CLOEXEC = 0x40000000;

export const SCM_RIGHTS = 1, SCM_CREDENTIALS = 2;
export const SOMAXCONN = 4096;

/** struct sockaddr_in (16), sockaddr_in6 (28), sockaddr_un (110): sizes on wasm32 as on every Linux. */
export const SOCKADDR_IN_SIZE = 16, SOCKADDR_IN6_SIZE = 28, SOCKADDR_UN_SIZE = 110, UNIX_PATH_MAX = 108;

/** struct msghdr (ILP32, 28 bytes): name @0, namelen @4, iov @8, iovlen @12, control @16, controllen @20,
 * flags @24. struct cmsghdr (12 bytes): len u32 @0, level @4, type @8; data at CMSG_ALIGN(12) = 12 with
 * 4-byte alignment (sizeof(size_t)). struct ucred: pid, uid, gid (12 bytes). */
export const MSGHDR_SIZE = 28, CMSGHDR_SIZE = 12, CMSG_ALIGNTO = 4, UCRED_SIZE = 12;
export const cmsgAlign = (n: number): number => (n + CMSG_ALIGNTO - 1) & ~(CMSG_ALIGNTO - 1);
