/* Filesystem: open flags, read/write positions, lseek, truncate, stat, directories, symlinks, hard links,
 * rename (incl. renameat2 flags), unlink while open, readdir while removing, utimensat, umask, chmod,
 * access, getcwd, FIFOs, /dev memory devices. Linux: fs/open.c, fs/namei.c, fs/read_write.c, fs/stat.c,
 * fs/readdir.c, fs/utimes.c, drivers/char/mem.c. Runs as root in both worlds. */
#include "check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdint.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

static void put(const char *path, const char *s) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0, "create %s", path);
  CHECK(write(fd, s, strlen(s)) == (ssize_t)strlen(s), "write %s", path);
  close(fd);
}

static char *get(const char *path) {
  static char buf[256];
  int fd = open(path, O_RDONLY);
  CHECK(fd >= 0, "open %s", path);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  CHECK(n >= 0, "read %s", path);
  buf[n] = 0;
  close(fd);
  return buf;
}

static void test_open_rw(void) {
  char *p = scratch("f");
  int fd = open(p, O_RDWR | O_CREAT | O_EXCL, 0600);
  CHECK(fd >= 0, "O_CREAT|O_EXCL");
  CHECK_ERR(open(p, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
  CHECK(write(fd, "hello world", 11) == 11, "write");
  CHECK(lseek(fd, 0, SEEK_CUR) == 11, "position after write");
  CHECK(pwrite(fd, "W", 1, 6) == 1 && lseek(fd, 0, SEEK_CUR) == 11, "pwrite keeps the position");
  char b[16] = {0};
  CHECK(pread(fd, b, 5, 6) == 5 && memcmp(b, "World", 5) == 0, "pread");
  CHECK(lseek(fd, -5, SEEK_END) == 6, "SEEK_END");
  CHECK(read(fd, b, 16) == 5, "read to EOF");
  CHECK(read(fd, b, 16) == 0, "read at EOF");
  CHECK(lseek(fd, 100, SEEK_SET) == 100 && write(fd, "x", 1) == 1, "write past EOF");
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 101, "size after a write past EOF");
  CHECK(pread(fd, b, 4, 50) == 4 && !b[0] && !b[1] && !b[2] && !b[3], "the gap reads as zeros");
  CHECK(lseek(fd, 0, SEEK_DATA) == 0 && lseek(fd, 101, SEEK_HOLE) == -1 && errno == ENXIO, "SEEK_DATA/HOLE");
  CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
  CHECK(ftruncate(fd, 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3, "ftruncate shrinks");
  CHECK(ftruncate(fd, 10) == 0 && pread(fd, b, 10, 0) == 10 && memcmp(b, "hel\0\0\0\0\0\0\0", 10) == 0,
        "ftruncate grows with zeros");
  close(fd);
  fd = open(p, O_WRONLY | O_APPEND);
  CHECK(write(fd, "AB", 2) == 2 && lseek(fd, 0, SEEK_CUR) == 12, "O_APPEND writes at the end");
  close(fd);
  fd = open(p, O_RDONLY | O_TRUNC);
  CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC even with O_RDONLY");
  CHECK_ERR(write(fd, "x", 1), EBADF);
  CHECK_ERR(ftruncate(fd, 0), EINVAL);
  close(fd);
  CHECK(truncate(p, 7) == 0 && stat(p, &st) == 0 && st.st_size == 7, "truncate by path");
  CHECK_ERR(truncate(scratch_dir(), 0), EISDIR);
  CHECK_ERR(open(p, O_RDONLY | O_DIRECTORY), ENOTDIR);
  CHECK_ERR(open(scratch_dir(), O_WRONLY), EISDIR);
  CHECK_ERR(open(scratch("nodir/"), O_WRONLY | O_CREAT, 0644), EISDIR);
  CHECK_ERR(open(scratch("missing/x"), O_WRONLY | O_CREAT, 0644), ENOENT);
  CHECK_ERR(open("", O_RDONLY), ENOENT);
  CHECK_ERR(open(scratch("f/x"), O_RDONLY), ENOTDIR);
  CHECK_ERR(open(scratch("f/"), O_RDONLY), ENOTDIR);
  OK("open, read, write, pread/pwrite, lseek, truncate");
}

static void test_big(void) {
  char *p = scratch("big");
  int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
  static unsigned char buf[65536];
  uint32_t sum = 0, sum2 = 0;
  for (int i = 0; i < 128; i++) {
    for (size_t j = 0; j < sizeof buf; j++) buf[j] = (unsigned char)(i * 31 + j * 7);
    for (size_t j = 0; j < sizeof buf; j++) sum = sum * 33 + buf[j];
    CHECK(write(fd, buf, sizeof buf) == (ssize_t)sizeof buf, "big write %d", i);
  }
  CHECK(lseek(fd, 0, SEEK_SET) == 0, "rewind");
  ssize_t n;
  long total = 0;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t j = 0; j < n; j++) sum2 = sum2 * 33 + buf[j];
    total += n;
  }
  CHECK(total == 128 * 65536 && sum == sum2, "8 MiB read back: %ld bytes", total);
  close(fd);
  CHECK(unlink(p) == 0, "unlink big");
  OK("8 MiB sequential write and read back");
}

static void test_stat_links(void) {
  char *f = scratch("s"), *l = scratch("sl"), *h = scratch("sh");
  put(f, "abc");
  struct stat st, lst, hst;
  CHECK(stat(f, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0644 && st.st_nlink == 1
        && st.st_size == 3 && st.st_uid == 0, "stat a new file");
  CHECK(symlink("s", l) == 0, "symlink");
  CHECK(lstat(l, &lst) == 0 && S_ISLNK(lst.st_mode) && lst.st_size == 1, "lstat a symlink");
  CHECK(stat(l, &hst) == 0 && hst.st_ino == st.st_ino, "stat follows the symlink");
  char t[16] = {0};
  CHECK(readlink(l, t, sizeof t) == 1 && t[0] == 's', "readlink");
  CHECK_ERR(readlink(f, t, sizeof t), EINVAL);
  CHECK_ERR(symlink("x", l), EEXIST);
  CHECK(link(f, h) == 0 && stat(f, &st) == 0 && st.st_nlink == 2, "link: nlink 2");
  CHECK(stat(h, &hst) == 0 && hst.st_ino == st.st_ino, "hard link shares the inode");
  CHECK_ERR(link(scratch_dir(), scratch("dl")), EPERM);
  CHECK_ERR(link(f, h), EEXIST);
  CHECK(unlink(h) == 0 && stat(f, &st) == 0 && st.st_nlink == 1, "unlink: nlink 1");
  CHECK(symlink("loop", scratch("loop")) == 0, "self loop");
  CHECK_ERR(stat(scratch("loop"), &st), ELOOP);
  CHECK_ERR(open(l, O_RDONLY | O_NOFOLLOW), ELOOP);
  CHECK(symlink("nowhere", scratch("dangle")) == 0, "dangling symlink");
  int fd = open(scratch("dangle"), O_WRONLY | O_CREAT, 0644);
  CHECK(fd >= 0 && stat(scratch("nowhere"), &st) == 0, "O_CREAT through a dangling symlink creates the target");
  close(fd);
  CHECK_ERR(open(scratch("dangle"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  CHECK(fstatat(AT_FDCWD, l, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode), "fstatat NOFOLLOW");
  unlink(scratch("loop")); unlink(scratch("dangle")); unlink(scratch("nowhere")); unlink(l);
  OK("stat, symlinks, hard links, ELOOP");
}

static void test_dirs(void) {
  char *d = scratch("d");
  CHECK(mkdir(d, 0755) == 0, "mkdir");
  CHECK_ERR(mkdir(d, 0755), EEXIST);
  struct stat st;
  CHECK(stat(d, &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 2, "new dir nlink 2");
  char sub[160];
  snprintf(sub, sizeof sub, "%s/sub", d);
  CHECK(mkdir(sub, 0755) == 0 && stat(d, &st) == 0 && st.st_nlink == 3, "subdir: nlink 3");
  CHECK_ERR(rmdir(d), ENOTEMPTY);
  CHECK_ERR(unlink(d), EISDIR);
  put(scratch("file"), "x");
  CHECK_ERR(rmdir(scratch("file")), ENOTDIR);
  CHECK_ERR(mkdir(scratch("file/x"), 0755), ENOTDIR);
  CHECK_ERR(rmdir("."), EINVAL);
  CHECK_ERR(unlink(scratch("file/")), ENOTDIR);
  CHECK(rmdir(sub) == 0 && stat(d, &st) == 0 && st.st_nlink == 2, "rmdir: nlink 2");
  CHECK(mkdir(scratch("t/"), 0700) == 0 && rmdir(scratch("t/")) == 0, "trailing slash on mkdir/rmdir");
  int dfd = open(d, O_RDONLY | O_DIRECTORY);
  CHECK(dfd >= 0, "open dir");
  int fd = openat(dfd, "rel", O_WRONLY | O_CREAT, 0600);
  CHECK(fd >= 0 && fstatat(dfd, "rel", &st, 0) == 0, "openat relative to a dirfd");
  close(fd);
  CHECK(mkdirat(dfd, "m", 0755) == 0 && unlinkat(dfd, "m", AT_REMOVEDIR) == 0, "mkdirat/unlinkat");
  CHECK_ERR(unlinkat(dfd, "rel", AT_REMOVEDIR), ENOTDIR);
  CHECK(unlinkat(dfd, "rel", 0) == 0, "unlinkat");
  CHECK_ERR(openat(fd = open(scratch("file"), O_RDONLY), "x", O_RDONLY), ENOTDIR);
  close(fd);
  close(dfd);
  OK("mkdir, rmdir, unlink, *at calls");
}

static void test_rename(void) {
  char *a = scratch("ra"), *b = scratch("rb"), *d1 = scratch("rd1"), *d2 = scratch("rd2");
  put(a, "A"); put(b, "B");
  CHECK(rename(a, b) == 0 && strcmp(get(b), "A") == 0 && access(a, F_OK) != 0, "rename replaces a file");
  CHECK(mkdir(d1, 0755) == 0 && mkdir(d2, 0755) == 0, "mkdir");
  char in2[160], in1[160];
  snprintf(in2, sizeof in2, "%s/x", d2);
  snprintf(in1, sizeof in1, "%s/inner", d1);
  put(in2, "x");
  CHECK_ERR(rename(d1, d2), ENOTEMPTY);
  CHECK_ERR(rename(d1, b), ENOTDIR);
  CHECK_ERR(rename(b, d1), EISDIR);
  CHECK_ERR(rename(d1, in1), EINVAL);
  CHECK_ERR(rename(scratch("none"), a), ENOENT);
  CHECK(rename(b, b) == 0, "rename onto itself");
  CHECK(unlink(in2) == 0 && rename(d1, d2) == 0, "a directory replaces an empty one");
  struct stat st;
  CHECK(stat(d2, &st) == 0 && access(d1, F_OK) != 0, "renamed directory");
  put(a, "A2");
  CHECK(syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE) == -1 && errno == EEXIST,
        "RENAME_NOREPLACE");
  CHECK(syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0
        && strcmp(get(a), "A") == 0 && strcmp(get(b), "A2") == 0, "RENAME_EXCHANGE");
  CHECK(syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, scratch("zz"), RENAME_EXCHANGE) == -1 && errno == ENOENT,
        "RENAME_EXCHANGE needs both");
  unlink(a); unlink(b); rmdir(d2);
  OK("rename and renameat2");
}

static void test_unlink_open(void) {
  char *p = scratch("gone");
  put(p, "still here");
  int fd = open(p, O_RDWR);
  CHECK(unlink(p) == 0, "unlink while open");
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0, "nlink 0");
  char b[16] = {0};
  CHECK(pread(fd, b, sizeof b, 0) == 10 && strcmp(b, "still here") == 0, "read after unlink");
  CHECK(pwrite(fd, "S", 1, 0) == 1, "write after unlink");
  close(fd);
  OK("unlinked files stay usable while open");
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void test_readdir(void) {
  char *d = scratch("rd");
  CHECK(mkdir(d, 0755) == 0, "mkdir");
  char p[400];
  for (int i = 0; i < 50; i++) { snprintf(p, sizeof p, "%s/e%02d", d, i); put(p, ""); }
  snprintf(p, sizeof p, "%s/sub", d);
  mkdir(p, 0755);
  DIR *dir = opendir(d);
  CHECK(dir != NULL, "opendir");
  char *names[64];
  int n = 0, dots = 0, subtype = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) { dots++; continue; }
    if (!strcmp(e->d_name, "sub")) subtype = e->d_type;
    names[n++] = strdup(e->d_name);
    /* rm -r style: remove each entry as it is returned */
    snprintf(p, sizeof p, "%s/%s", d, e->d_name);
    if (e->d_type == DT_DIR) rmdir(p); else unlink(p);
  }
  closedir(dir);
  qsort(names, n, sizeof names[0], cmp);
  CHECK(n == 51 && dots == 2 && subtype == DT_DIR, "readdir saw %d entries", n);
  CHECK(!strcmp(names[0], "e00") && !strcmp(names[49], "e49") && !strcmp(names[50], "sub"), "names");
  for (int i = 0; i < n; i++) free(names[i]);
  CHECK(rmdir(d) == 0, "directory empty after removing while iterating");
  OK("readdir: every entry once while removing, d_type");
}

static void test_attrs(void) {
  char *p = scratch("attr");
  mode_t old = umask(027);
  int fd = open(p, O_WRONLY | O_CREAT, 0777);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0750, "umask applies: %o", st.st_mode & 0777);
  CHECK(umask(old) == 027, "umask returns the old mask");
  CHECK(fchmod(fd, 04711) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 04711, "fchmod");
  CHECK(chown(p, 1000, 1000) == 0 && stat(p, &st) == 0 && st.st_uid == 1000 && st.st_gid == 1000
        && (st.st_mode & 07777) == 0711, "chown clears set-user-id");
  CHECK(chmod(p, 0644) == 0, "chmod");
  CHECK(access(p, R_OK | W_OK) == 0, "root may read and write");
  CHECK_ERR(access(p, X_OK), EACCES);
  CHECK_ERR(access(scratch("nope"), F_OK), ENOENT);
  struct timespec ts[2] = {{1000000000, 123456789}, {1100000000, 987654321}};
  CHECK(utimensat(AT_FDCWD, p, ts, 0) == 0 && stat(p, &st) == 0, "utimensat");
  CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789 && st.st_mtim.tv_sec == 1100000000
        && st.st_mtim.tv_nsec == 987654321, "times with nanoseconds");
  struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  CHECK(futimens(fd, omit) == 0 && fstat(fd, &st) == 0 && st.st_atim.tv_sec == 1000000000
        && st.st_mtim.tv_sec > 1100000000, "UTIME_OMIT / UTIME_NOW");
  ts[0].tv_nsec = 1000000000;
  CHECK_ERR(utimensat(AT_FDCWD, p, ts, 0), EINVAL);
  close(fd);
  OK("umask, chmod, chown, access, utimensat");
}

static void test_cwd(void) {
  char buf[256], *d = scratch("cwd");
  CHECK(mkdir(d, 0755) == 0 && chdir(d) == 0, "chdir");
  CHECK(getcwd(buf, sizeof buf) != NULL && strcmp(buf, d) == 0, "getcwd: %s", buf);
  CHECK(chdir("..") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, scratch_dir()) == 0, "chdir ..");
  int fd = open(d, O_RDONLY | O_DIRECTORY);
  CHECK(fchdir(fd) == 0 && getcwd(buf, sizeof buf) && strcmp(buf, d) == 0, "fchdir");
  close(fd);
  CHECK(getcwd(buf, 3) == NULL && errno == ERANGE, "getcwd ERANGE");
  CHECK(rmdir(d) == 0, "rmdir the cwd");
  CHECK(getcwd(buf, sizeof buf) == NULL && errno == ENOENT, "getcwd of a removed directory");
  CHECK(chdir("/") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/") == 0, "back to /");
  CHECK_ERR(chdir(scratch("attr")), ENOTDIR);
  OK("chdir, fchdir, getcwd");
}

static void test_fifo_dev(void) {
  char *p = scratch("fifo");
  CHECK(mkfifo(p, 0600) == 0, "mkfifo");
  struct stat st;
  CHECK(stat(p, &st) == 0 && S_ISFIFO(st.st_mode), "S_ISFIFO");
  int fd = open(p, O_RDWR);
  char b[8] = {0};
  CHECK(fd >= 0 && write(fd, "pipe", 4) == 4 && read(fd, b, 8) == 4 && !strcmp(b, "pipe"), "FIFO O_RDWR");
  close(fd);
  fd = open("/dev/null", O_RDWR);
  CHECK(write(fd, "x", 1) == 1 && read(fd, b, 8) == 0, "/dev/null");
  CHECK(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3, "rdev 1,3");
  close(fd);
  fd = open("/dev/zero", O_RDONLY);
  memset(b, 1, 8);
  CHECK(read(fd, b, 8) == 8 && !b[0] && !b[7], "/dev/zero");
  close(fd);
  fd = open("/dev/full", O_WRONLY);
  CHECK_ERR(write(fd, "x", 1), ENOSPC);
  close(fd);
  fd = open("/dev/urandom", O_RDONLY);
  unsigned char r[64];
  int nz = 0;
  CHECK(read(fd, r, sizeof r) == sizeof r, "/dev/urandom");
  for (int i = 0; i < 64; i++) nz += r[i] != 0;
  CHECK(nz > 32, "random bytes");
  close(fd);
  struct statfs sf;
  CHECK(statfs("/", &sf) == 0 && sf.f_bsize > 0 && sf.f_namelen == 255, "statfs");
  OK("FIFO, /dev/null, /dev/zero, /dev/full, /dev/urandom, statfs");
}

static void test_misc(void) {
  /* O_TMPFILE: an unnamed file that linkat(AT_EMPTY_PATH) can give a name */
  int fd = open(scratch_dir(), O_TMPFILE | O_RDWR, 0600);
  CHECK(fd >= 0, "O_TMPFILE");
  struct stat st;
  CHECK(write(fd, "tmp", 3) == 3 && fstat(fd, &st) == 0 && st.st_nlink == 0, "unnamed, nlink 0");
  CHECK(linkat(fd, "", AT_FDCWD, scratch("named"), AT_EMPTY_PATH) == 0, "linkat AT_EMPTY_PATH");
  CHECK(strcmp(get(scratch("named")), "tmp") == 0 && fstat(fd, &st) == 0 && st.st_nlink == 1, "named");
  close(fd);
  CHECK_ERR(open(scratch_dir(), O_TMPFILE | O_RDONLY, 0600), EINVAL);
  unlink(scratch("named"));

  /* telldir/seekdir and rewinddir */
  char *d = scratch("td"), p[400];
  CHECK(mkdir(d, 0755) == 0, "mkdir");
  for (int i = 0; i < 5; i++) { snprintf(p, sizeof p, "%s/n%d", d, i); put(p, ""); }
  DIR *dir = opendir(d);
  struct dirent *e;
  long pos = -1;
  char after[256] = "";
  int count = 0;
  while ((e = readdir(dir)) != NULL) {
    count++;
    if (count == 3) pos = telldir(dir);
    else if (count == 4) snprintf(after, sizeof after, "%s", e->d_name);
  }
  CHECK(count == 7, "7 entries");
  seekdir(dir, pos);
  e = readdir(dir);
  CHECK(e && !strcmp(e->d_name, after), "seekdir resumes after the remembered entry");
  snprintf(p, sizeof p, "%s/late", d);
  put(p, "");
  rewinddir(dir);
  count = 0;
  int late = 0;
  while ((e = readdir(dir)) != NULL) { count++; late += !strcmp(e->d_name, "late"); }
  CHECK(count == 8 && late == 1, "rewinddir sees a new entry");
  closedir(dir);
  for (int i = 0; i < 5; i++) { snprintf(p, sizeof p, "%s/n%d", d, i); unlink(p); }
  snprintf(p, sizeof p, "%s/late", d);
  unlink(p);
  CHECK(rmdir(d) == 0, "rmdir");
  OK("O_TMPFILE, telldir/seekdir, rewinddir");
}

int main(void) {
  test_open_rw();
  test_big();
  test_stat_links();
  test_dirs();
  test_rename();
  test_unlink_open();
  test_readdir();
  test_attrs();
  test_cwd();
  test_fifo_dev();
  test_misc();
  scratch_cleanup();
  return checks_done();
}
