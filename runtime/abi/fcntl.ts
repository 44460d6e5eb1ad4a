// open(2)/fcntl(2)/stat(2) constants for asm-generic Linux (include/uapi/asm-generic/fcntl.h, stat.h).
export const O_ACCMODE = 0o3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
export const O_CREAT = 0o100, O_EXCL = 0o200, O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_APPEND = 0o2000,
  O_NONBLOCK = 0o4000, O_DSYNC = 0o10000, O_ASYNC = 0o20000, O_DIRECT = 0o40000, O_LARGEFILE = 0o100000,
  O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000, O_NOATIME = 0o1000000, O_CLOEXEC = 0o2000000,
  O_SYNC = 0o4010000, O_PATH = 0o10000000, O_TMPFILE = 0o20200000;

export const AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400,
  AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000, AT_EACCESS = 0x200;

export const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6,
  F_SETLKW = 7, F_SETOWN = 8, F_GETOWN = 9, F_SETSIG = 10, F_GETSIG = 11, F_DUPFD_CLOEXEC = 1030,
  F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032, F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
export const FD_CLOEXEC = 1;
/** The wasm32 ABI's record-lock commands (64-bit off_t, as on 32-bit Linux: F_GETLK64...). */
export const F_GETLK64 = 12, F_SETLK64 = 13, F_SETLKW64 = 14;

export const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000,
  S_IFBLK = 0o60000, S_IFDIR = 0o40000, S_IFCHR = 0o20000, S_IFIFO = 0o10000;
export const S_ISUID = 0o4000, S_ISGID = 0o2000, S_ISVTX = 0o1000;

export const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;
export const R_OK = 4, W_OK = 2, X_OK = 1, F_OK = 0;
export const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;
export const UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2;

// d_type values of linux_dirent64
export const DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10,
  DT_SOCK = 12, DT_WHT = 14;

export const POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
  POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200, POLLRDHUP = 0x2000;

export function S_ISDIR(m: number): boolean { return (m & S_IFMT) === S_IFDIR; }
export function S_ISREG(m: number): boolean { return (m & S_IFMT) === S_IFREG; }
export function S_ISLNK(m: number): boolean { return (m & S_IFMT) === S_IFLNK; }
export function S_ISCHR(m: number): boolean { return (m & S_IFMT) === S_IFCHR; }
export function S_ISFIFO(m: number): boolean { return (m & S_IFMT) === S_IFIFO; }
