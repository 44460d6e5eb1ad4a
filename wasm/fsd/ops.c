/*
 * fsd's operations: one function per op of docs/design/fs-protocol.md, each a thin layer over the Linux
 * calls (stat(2), getdents64 via readdir(3), pread(2)/pwrite(2), mkdir(2), renameat2(2), unlinkat(2),
 * symlink(2), readlink(2), chmod(2)). Every open is O_NONBLOCK|O_NOCTTY: a FIFO or a terminal named by a
 * client must never make the server wait (reads and writes are refused on anything but a regular file).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "fsd.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif
#define OPEN_FLAGS (O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
/* Deepest directory tree a recursive delete descends (one open directory per level). */
#define MAX_DEPTH 256

/* The paths of the request being served (one request at a time). */
static char path1[FSD_MAX_PATH + 1], path2[FSD_MAX_PATH + 1];
/* The path a recursive delete failed on. */
static char errpath[FSD_MAX_PATH + 1];

/* Read a path field that errors will name (the first one read). */
static void path_arg(struct req *r, char *dst) {
  rq_str(r, dst);
  if (!r->errpath[0]) r->errpath = dst;
}

/* After the last field: a malformed request closes the client; a bad field value or an unknown flag is
 * an error reply. */
#define END() do { if (rq_end(r)) return -1; if (r->argerr) return r->argerr; } while (0)
#define FLAGS(allowed) do { if (r->flags & ~(allowed)) return EINVAL; } while (0)

/* For a symlink: the mode of what it points to (0 when dangling); otherwise the mode itself. */
static uint32_t target_mode_at(int dfd, const char *name, const struct stat *st) {
  if (!S_ISLNK(st->st_mode)) return st->st_mode;
  struct stat t;
  return fstatat(dfd, name, &t, 0) == 0 ? t.st_mode : 0;
}

static int op_hello(struct req *r) {
  uint32_t version = rq_u32(r);
  END();
  (void)version;   /* one version so far; a newer client adapts to the one we answer */
  out_u32(r->c, FSD_VERSION);
  out_u32(r->c, FSD_MAX_PAYLOAD);
  out_u32(r->c, FSD_MAX_DATA);
  out_u32(r->c, watch_available() ? FSD_FEATURE_WATCH : 0);
  return 0;
}

static int op_stat(struct req *r) {
  path_arg(r, path1);
  END();
  FLAGS(FSD_STAT_NOFOLLOW);
  struct stat st;
  int nofollow = r->flags & FSD_STAT_NOFOLLOW;
  if ((nofollow ? lstat(path1, &st) : stat(path1, &st)) < 0) return errno;
  out_stat(r->c, &st, nofollow ? target_mode_at(AT_FDCWD, path1, &st) : st.st_mode);
  return 0;
}

/* payload: u32 count, u32 next index, entries {str name, stat}; FSD_R_MORE when more entries follow. */
static int op_readdir(struct req *r) {
  uint32_t start = rq_u32(r);
  path_arg(r, path1);
  END();
  FLAGS(0);
  DIR *d = opendir(path1);
  if (!d) return errno;
  struct client *c = r->c;
  size_t head = c->out.len;
  out_u32(c, 0);
  out_u32(c, 0);
  uint32_t index = 0, count = 0;
  int e = 0;
  for (;;) {
    errno = 0;
    struct dirent *de = readdir(d);
    if (!de) { e = errno; break; }
    const char *n = de->d_name;
    if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]))) continue;
    if (index++ < start) continue;
    size_t nl = strlen(n);
    if (count > 0 && c->out.len - head + 2 + nl + FSD_STAT_SIZE > FSD_READDIR_PAGE) {
      r->reply_flags = FSD_R_MORE;
      index--;
      break;
    }
    struct stat st;
    if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;   /* removed meanwhile */
    out_str(c, n, nl);
    out_stat(c, &st, target_mode_at(dirfd(d), n, &st));
    count++;
  }
  closedir(d);
  if (e) return e;
  out_patch_u32(c, head, count);
  out_patch_u32(c, head + 4, index);
  return 0;
}

/* payload: u64 offset, u32 length, str path -> stat, data (up to FSD_MAX_DATA; short only at EOF). */
static int op_read(struct req *r) {
  uint64_t off = rq_u64(r);
  uint32_t len = rq_u32(r);
  path_arg(r, path1);
  END();
  FLAGS(0);
  if (off > (uint64_t)INT64_MAX) return EINVAL;
  if (len > FSD_MAX_DATA) len = FSD_MAX_DATA;
  int fd = open(path1, O_RDONLY | OPEN_FLAGS);
  if (fd < 0) return errno;
  struct stat st;
  int e = 0;
  if (fstat(fd, &st) < 0) e = errno;
  else if (S_ISDIR(st.st_mode)) e = EISDIR;
  else if (!S_ISREG(st.st_mode)) e = EINVAL;
  if (e) { close(fd); return e; }
  struct client *c = r->c;
  out_stat(c, &st, st.st_mode);
  unsigned char *dst = out_reserve(c, len);
  size_t n = 0;
  while (dst && n < len) {
    ssize_t k = pread(fd, dst + n, len - n, (off_t)(off + n));
    if (k < 0) { if (errno == EINTR) continue; e = errno; break; }
    if (k == 0) break;
    n += (size_t)k;
  }
  close(fd);
  if (e) return e;
  out_commit(c, n);
  return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n, uint64_t off) {
  size_t done = 0;
  while (done < n) {
    ssize_t k = pwrite(fd, p + done, n - done, (off_t)(off + done));
    if (k < 0) { if (errno == EINTR) continue; return errno; }
    done += (size_t)k;
  }
  return 0;
}

/*
 * Replace `path` with `data` so that readers see the old or the new content, never a mix: write a
 * temporary file in the same directory, give it the old file's mode and owner, rename it over. A symlink
 * is followed (its target is replaced, the link stays).
 */
static int write_atomic(struct req *r, const unsigned char *data, size_t n, uint32_t mode, struct stat *out) {
  static char target[PATH_MAX], tmp[PATH_MAX + 32];
  const char *p = path1;
  struct stat st;
  if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode) && realpath(p, target)) p = target;
  int exists = stat(p, &st) == 0;
  if (!exists && errno != ENOENT) return errno;
  if (exists) {
    if (r->flags & FSD_WRITE_EXCL) return EEXIST;
    if (S_ISDIR(st.st_mode)) return EISDIR;
    if (!S_ISREG(st.st_mode)) return EINVAL;
    mode = st.st_mode & 07777;
  } else if (!(r->flags & FSD_WRITE_CREATE)) {
    return ENOENT;
  }
  const char *slash = strrchr(p, '/');
  size_t dl = slash ? (size_t)(slash - p) + 1 : 0;
  const char *base = p + dl;
  if (!*base) return EISDIR;
  int bl = (int)strlen(base);
  if (bl > 200) bl = 200;   /* keep the temporary name within NAME_MAX */
  if (dl + (size_t)bl + 20 >= sizeof tmp) return ENAMETOOLONG;
  snprintf(tmp, sizeof tmp, "%.*s.%.*s.fsd-XXXXXX", (int)dl, p, bl, base);
  int fd = mkostemp(tmp, O_CLOEXEC);
  if (fd < 0) return errno;
  int e = write_all(fd, data, n, 0);
  if (!e && fchmod(fd, mode & 07777) < 0) e = errno;
  if (!e && exists && (st.st_uid != geteuid() || st.st_gid != getegid())) {
    if (fchown(fd, st.st_uid, st.st_gid) < 0) { /* not permitted: keep ours */ }
  }
  if (!e && fstat(fd, out) < 0) e = errno;
  close(fd);
  if (!e && rename(tmp, p) < 0) e = errno;
  if (e) unlink(tmp);
  return e;
}

/* payload: u64 offset, u32 mode, str path, data (the rest) -> stat of the file after the write. */
static int op_write(struct req *r) {
  uint64_t off = rq_u64(r);
  uint32_t mode = rq_u32(r);
  path_arg(r, path1);
  size_t n;
  const unsigned char *data = rq_rest(r, &n);
  END();
  FLAGS(FSD_WRITE_CREATE | FSD_WRITE_TRUNC | FSD_WRITE_EXCL | FSD_WRITE_ATOMIC);
  if (off > (uint64_t)INT64_MAX - n) return EFBIG;
  struct stat st;
  if (r->flags & FSD_WRITE_ATOMIC) {
    if (off != 0) return EINVAL;
    int e = write_atomic(r, data, n, mode, &st);
    if (e) return e;
    out_stat(r->c, &st, st.st_mode);
    return 0;
  }
  int of = O_WRONLY | OPEN_FLAGS;
  if (r->flags & FSD_WRITE_CREATE) of |= O_CREAT;
  if (r->flags & FSD_WRITE_EXCL) of |= O_EXCL;
  /* O_TRUNC after the type check below: never truncate what we then refuse to write. */
  int fd = open(path1, of, mode & 07777);
  if (fd < 0) return errno;
  int e = 0;
  if (fstat(fd, &st) < 0) e = errno;
  else if (!S_ISREG(st.st_mode)) e = EINVAL;
  if (!e && (r->flags & FSD_WRITE_TRUNC) && ftruncate(fd, 0) < 0) e = errno;
  if (!e) e = write_all(fd, data, n, off);
  if (!e && fstat(fd, &st) < 0) e = errno;
  close(fd);
  if (e) return e;
  out_stat(r->c, &st, st.st_mode);
  return 0;
}

/* payload: u32 mode, str path. With FSD_MKDIR_PARENTS, as mkdir -p. */
static int op_mkdir(struct req *r) {
  uint32_t mode = rq_u32(r);
  path_arg(r, path1);
  END();
  FLAGS(FSD_MKDIR_PARENTS);
  mode &= 07777;
  if (!(r->flags & FSD_MKDIR_PARENTS)) return mkdir(path1, mode) < 0 ? errno : 0;
  if (!path1[0]) return ENOENT;
  size_t len = strlen(path1);
  while (len > 1 && path1[len - 1] == '/') path1[--len] = 0;
  for (char *s = path1 + 1;; s++) {
    if (*s != '/' && *s) continue;
    char sep = *s;
    *s = 0;
    struct stat st;
    int e = 0;
    if (mkdir(path1, mode) < 0) {
      e = errno;
      if (e == EEXIST) e = stat(path1, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    }
    if (e) {
      snprintf(errpath, sizeof errpath, "%s", path1);
      *s = sep;
      r->errpath = errpath;
      return e;
    }
    *s = sep;
    if (!sep) return 0;
  }
}

/* payload: str from, str to. */
static int op_rename(struct req *r) {
  path_arg(r, path1);
  rq_str(r, path2);
  END();
  FLAGS(FSD_RENAME_NOREPLACE);
  if (!(r->flags & FSD_RENAME_NOREPLACE)) return rename(path1, path2) < 0 ? errno : 0;
  if (syscall(SYS_renameat2, AT_FDCWD, path1, AT_FDCWD, path2, RENAME_NOREPLACE) == 0) return 0;
  if (errno != ENOSYS && errno != EINVAL) return errno;
  /* No renameat2 flags here: check, then rename (racy against other processes only). */
  struct stat st;
  if (lstat(path2, &st) == 0) { r->errpath = path2; return EEXIST; }
  return rename(path1, path2) < 0 ? errno : 0;
}

static int op_unlink(struct req *r) {
  path_arg(r, path1);
  END();
  FLAGS(0);
  return unlink(path1) < 0 ? errno : 0;
}

/* Append "/name" (just "name" to an empty path) to errpath[0..len); the new length, 0 if too long. */
static size_t errpath_add(size_t len, const char *name) {
  size_t nl = strlen(name), sep = len > 0 && errpath[len - 1] != '/';
  if (len + sep + nl >= sizeof errpath) return 0;
  if (sep) errpath[len++] = '/';
  memcpy(errpath + len, name, nl + 1);
  return len + nl;
}

/*
 * Remove everything inside directory `name` (relative to dfd), depth first, never following symlinks.
 * errpath[0..pl) is the path of dfd; on an error errpath is left naming the path that failed.
 */
static int empty_dir(int dfd, const char *name, size_t pl, int depth) {
  size_t len = errpath_add(pl, name);
  if (!len) return ENAMETOOLONG;
  if (depth > MAX_DEPTH) return ELOOP;
  int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | OPEN_FLAGS);
  if (fd < 0) return errno;
  DIR *d = fdopendir(fd);
  if (!d) { int e = errno; close(fd); return e; }
  int e = 0;
  /* Deleting while reading may hide entries from this pass: repeat until a pass finds nothing. */
  for (int found = 1; found && !e;) {
    found = 0;
    rewinddir(d);
    struct dirent *de;
    while (!e && (errno = 0, de = readdir(d))) {
      const char *n = de->d_name;
      if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]))) continue;
      found = 1;
      int isdir = de->d_type == DT_DIR;
      if (de->d_type == DT_UNKNOWN) {
        struct stat st;
        if (fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) < 0) { if (errno != ENOENT) e = errno; }
        else isdir = S_ISDIR(st.st_mode);
      }
      if (!e && isdir) {
        e = empty_dir(fd, n, len, depth + 1);
        if (e) break;   /* errpath names the failure inside */
        if (unlinkat(fd, n, AT_REMOVEDIR) < 0 && errno != ENOENT) e = errno;
      } else if (!e && unlinkat(fd, n, 0) < 0 && errno != ENOENT) {
        e = errno;
      }
      if (e) errpath_add(len, n);
    }
    if (!e && errno) e = errno;
  }
  closedir(d);
  if (!e) errpath[pl] = 0;
  return e;
}

/* payload: str path. With FSD_RMDIR_RECURSIVE, the whole tree (as rm -rf on a directory). */
static int op_rmdir(struct req *r) {
  path_arg(r, path1);
  END();
  FLAGS(FSD_RMDIR_RECURSIVE);
  if (!(r->flags & FSD_RMDIR_RECURSIVE)) return rmdir(path1) < 0 ? errno : 0;
  struct stat st;
  if (lstat(path1, &st) < 0) return errno;
  if (!S_ISDIR(st.st_mode)) return ENOTDIR;
  errpath[0] = 0;
  int e = empty_dir(AT_FDCWD, path1, 0, 0);
  if (e) { r->errpath = errpath; return e; }
  return rmdir(path1) < 0 ? errno : 0;
}

/* payload: str target, str path. */
static int op_symlink(struct req *r) {
  rq_str(r, path2);
  path_arg(r, path1);
  END();
  FLAGS(0);
  return symlink(path2, path1) < 0 ? errno : 0;
}

static int op_readlink(struct req *r) {
  path_arg(r, path1);
  END();
  FLAGS(0);
  ssize_t n = readlink(path1, path2, sizeof path2);
  if (n < 0) return errno;
  if ((size_t)n >= sizeof path2) return ENAMETOOLONG;
  out_str(r->c, path2, (size_t)n);
  return 0;
}

/* payload: u32 mode, str path. */
static int op_chmod(struct req *r) {
  uint32_t mode = rq_u32(r);
  path_arg(r, path1);
  END();
  FLAGS(0);
  return chmod(path1, mode & 07777) < 0 ? errno : 0;
}

/* payload: str path; the request id names the watch. */
static int op_watch(struct req *r) {
  path_arg(r, path1);
  END();
  FLAGS(0);
  return watch_add(r->c, r->id, path1);
}

/* payload: u32 watch id (the id of the WATCH request). */
static int op_unwatch(struct req *r) {
  uint32_t id = rq_u32(r);
  END();
  FLAGS(0);
  return watch_remove(r->c, id);
}

int fsd_dispatch(struct req *r) {
  switch (r->op) {
    case FSD_OP_HELLO: return op_hello(r);
    case FSD_OP_STAT: return op_stat(r);
    case FSD_OP_READDIR: return op_readdir(r);
    case FSD_OP_READ: return op_read(r);
    case FSD_OP_WRITE: return op_write(r);
    case FSD_OP_MKDIR: return op_mkdir(r);
    case FSD_OP_RENAME: return op_rename(r);
    case FSD_OP_UNLINK: return op_unlink(r);
    case FSD_OP_RMDIR: return op_rmdir(r);
    case FSD_OP_SYMLINK: return op_symlink(r);
    case FSD_OP_READLINK: return op_readlink(r);
    case FSD_OP_CHMOD: return op_chmod(r);
    case FSD_OP_WATCH: return op_watch(r);
    case FSD_OP_UNWATCH: return op_unwatch(r);
  }
  return ENOSYS;   /* an op of a newer protocol: the client learns it is not served here */
}
