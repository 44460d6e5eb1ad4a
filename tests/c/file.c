/* Regular file I/O: open/creat flags (O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY), read/write/lseek,
 * pread/pwrite, readv/writev, stat/fstat/lstat fields, unlink while open, truncate/ftruncate, holes.
 * Linux: fs/open.c, fs/read_write.c, fs/stat.c. */
#include "check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/sysmacros.h>

static void test_open_flags(void) {
  char *f = scratch("a");
  CHECK_ERR(open(f, O_RDONLY), ENOENT);
  OK("open: ENOENT without O_CREAT");
  int fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0640);
  CHECK(fd >= 0, "create");
  CHECK_ERR(open(f, O_RDWR | O_CREAT | O_EXCL, 0640), EEXIST);
  OK("open: O_CREAT|O_EXCL creates, then EEXIST");
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == (0640 & ~022), "mode %o",
        st.st_mode);
  OK("open: new file mode is mode & ~umask");
  CHECK(write(fd, "0123456789", 10) == 10, "write");
  close(fd);
  fd = open(f, O_RDWR | O_CREAT, 0600);
  CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 10, "O_CREAT on an existing file keeps it");
  close(fd);
  fd = open(f, O_WRONLY | O_TRUNC);
  CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC size %lld", (long long)st.st_size);
  OK("open: O_TRUNC empties the file");
  CHECK(write(fd, "abc", 3) == 3, "write");
  close(fd);

  fd = open(f, O_WRONLY | O_APPEND);
  CHECK(lseek(fd, 0, SEEK_SET) == 0, "seek 0");
  CHECK(write(fd, "def", 3) == 3, "append");
  CHECK(lseek(fd, 0, SEEK_CUR) == 6, "offset after append");
  close(fd);
  char buf[32] = {0};
  fd = open(f, O_RDONLY);
  CHECK(read(fd, buf, sizeof buf) == 6 && strcmp(buf, "abcdef") == 0, "contents '%s'", buf);
  close(fd);
  OK("open: O_APPEND writes at the end whatever the offset");

  fd = creat(f, 0644);
  CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "creat truncates");
  CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY, "creat is write-only");
  close(fd);
  OK("creat: truncates and opens write-only");

  CHECK_ERR(open(f, O_RDONLY | O_DIRECTORY), ENOTDIR);
  fd = open(scratch_dir(), O_RDONLY | O_DIRECTORY);
  CHECK(fd >= 0, "O_DIRECTORY on a directory");
  CHECK_ERR(read(fd, buf, 1), EISDIR);
  close(fd);
  CHECK_ERR(open(scratch_dir(), O_WRONLY), EISDIR);
  OK("open: O_DIRECTORY, EISDIR for reading or writing a directory");
  char sub[200];
  snprintf(sub, sizeof sub, "%s/x", f);
  CHECK_ERR(open(sub, O_RDONLY), ENOTDIR);
  CHECK_ERR(open(sub, O_RDWR | O_CREAT, 0644), ENOTDIR);
  CHECK_ERR(open("", O_RDONLY), ENOENT);
  OK("open: ENOTDIR through a file, ENOENT for an empty path");
  CHECK(unlink(f) == 0, "unlink");
}

static void test_rw_seek(void) {
  char *f = scratch("rw");
  int fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0, "open");
  char buf[64];
  CHECK(read(fd, buf, sizeof buf) == 0, "empty read");
  CHECK(write(fd, "hello, world", 12) == 12, "write");
  CHECK(lseek(fd, 0, SEEK_END) == 12, "SEEK_END");
  CHECK(lseek(fd, -5, SEEK_END) == 7, "SEEK_END -5");
  CHECK(read(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0, "read world");
  CHECK(read(fd, buf, 5) == 0, "EOF");
  CHECK(lseek(fd, -3, SEEK_CUR) == 9, "SEEK_CUR -3");
  CHECK_ERR(lseek(fd, -100, SEEK_SET), EINVAL);
  CHECK_ERR(lseek(fd, 0, 99), EINVAL);
  OK("lseek: SEEK_SET/CUR/END, EINVAL for negative or bad whence");

  CHECK(pwrite(fd, "HELLO", 5, 0) == 5, "pwrite");
  CHECK(lseek(fd, 0, SEEK_CUR) == 9, "pwrite keeps the offset");
  memset(buf, 0, sizeof buf);
  CHECK(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "HELLO", 5) == 0, "pread");
  CHECK(pread(fd, buf, 10, 100) == 0, "pread past EOF");
  CHECK(lseek(fd, 0, SEEK_CUR) == 9, "pread keeps the offset");
  CHECK_ERR(pread(fd, buf, 1, -1), EINVAL);
  OK("pread/pwrite: positioned, offset unchanged");

  /* a hole reads as zeros */
  CHECK(lseek(fd, 100000, SEEK_SET) == 100000, "seek far");
  CHECK(write(fd, "end", 3) == 3, "write after hole");
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 100003, "size %lld", (long long)st.st_size);
  CHECK(pread(fd, buf, 10, 50000) == 10, "read hole");
  for (int i = 0; i < 10; i++) CHECK(buf[i] == 0, "hole byte");
  OK("write: past EOF leaves a hole of zeros");

  struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
  CHECK(lseek(fd, 0, SEEK_SET) == 0, "seek");
  CHECK(writev(fd, iov, 3) == 5, "writev");
  char x[2], y[3];
  struct iovec riov[2] = { { x, 2 }, { y, 3 } };
  CHECK(lseek(fd, 0, SEEK_SET) == 0, "seek");
  CHECK(readv(fd, riov, 2) == 5 && memcmp(x, "ab", 2) == 0 && memcmp(y, "cde", 3) == 0, "readv");
  OK("readv/writev: scatter and gather");

  /* a large write and read back */
  static char big[1 << 20];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(i * 7);
  CHECK(pwrite(fd, big, sizeof big, 0) == sizeof big, "big pwrite");
  static char back[1 << 20];
  CHECK(pread(fd, back, sizeof back, 0) == sizeof back && memcmp(big, back, sizeof big) == 0, "big pread");
  OK("pwrite/pread: 1 MiB round trip");
  close(fd);
  CHECK(unlink(f) == 0, "unlink");
}

static void test_stat(void) {
  char *f = scratch("st");
  int fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(write(fd, "12345", 5) == 5, "write");
  struct stat a, b, c;
  CHECK(stat(f, &a) == 0 && fstat(fd, &b) == 0 && lstat(f, &c) == 0, "stat");
  CHECK(a.st_ino == b.st_ino && a.st_ino == c.st_ino && a.st_dev == b.st_dev, "same inode");
  CHECK(a.st_size == 5 && a.st_nlink == 1 && S_ISREG(a.st_mode) && (a.st_mode & 0777) == 0644, "fields");
  CHECK(a.st_uid == getuid() && a.st_gid == getgid(), "owner");
  CHECK(a.st_blksize > 0, "blksize");
  CHECK(a.st_mtime > 1600000000, "mtime is recent");
  OK("stat/fstat/lstat: ino, dev, size, nlink, mode, owner, times");

  struct stat d;
  CHECK(stat(scratch_dir(), &d) == 0 && S_ISDIR(d.st_mode) && d.st_nlink >= 2, "dir");
  CHECK(d.st_dev == a.st_dev, "same filesystem");
  CHECK(stat("/dev/null", &d) == 0 && S_ISCHR(d.st_mode) && major(d.st_rdev) == 1 && minor(d.st_rdev) == 3,
        "/dev/null rdev");
  OK("stat: directory and /dev/null (char 1:3)");
  CHECK_ERR(stat(scratch("missing"), &d), ENOENT);
  CHECK_ERR(fstat(-1, &d), EBADF);
  OK("stat: ENOENT, fstat EBADF");

  /* unlink while open: the data stays reachable through the fd */
  CHECK(unlink(f) == 0, "unlink");
  CHECK_ERR(stat(f, &d), ENOENT);
  CHECK(fstat(fd, &d) == 0 && d.st_nlink == 0 && d.st_size == 5, "nlink %d", (int)d.st_nlink);
  char buf[8] = {0};
  CHECK(pread(fd, buf, 5, 0) == 5 && strcmp(buf, "12345") == 0, "read after unlink");
  CHECK(write(fd, "6", 1) == 1, "write after unlink");
  close(fd);
  OK("unlink: an open file stays readable and writable, nlink 0");
  CHECK_ERR(unlink(f), ENOENT);
  CHECK_ERR(unlink(scratch_dir()), EISDIR);
  OK("unlink: ENOENT again, EISDIR for a directory");
}

static void test_truncate(void) {
  char *f = scratch("tr");
  int fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(write(fd, "abcdefgh", 8) == 8, "write");
  CHECK(ftruncate(fd, 3) == 0, "ftruncate");
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 3, "size %lld", (long long)st.st_size);
  CHECK(lseek(fd, 0, SEEK_CUR) == 8, "offset unchanged");
  CHECK(truncate(f, 6) == 0, "truncate grow");
  char buf[8];
  CHECK(pread(fd, buf, 8, 0) == 6 && memcmp(buf, "abc\0\0\0", 6) == 0, "grown part is zero");
  OK("truncate/ftruncate: shrink and grow with zeros");
  CHECK_ERR(ftruncate(fd, -1), EINVAL);
  close(fd);
  fd = open(f, O_RDONLY);
  CHECK_ERR(ftruncate(fd, 0), EINVAL);
  close(fd);
  CHECK_ERR(truncate(scratch_dir(), 0), EISDIR);
  CHECK_ERR(truncate(scratch("nothere"), 0), ENOENT);
  OK("truncate: EINVAL (negative, read-only fd), EISDIR, ENOENT");
  CHECK(unlink(f) == 0, "unlink");
}

static void test_openat(void) {
  int dfd = open(scratch_dir(), O_RDONLY | O_DIRECTORY);
  CHECK(dfd >= 0, "open dir");
  int fd = openat(dfd, "rel", O_RDWR | O_CREAT, 0600);
  CHECK(fd >= 0, "openat");
  close(fd);
  struct stat st;
  CHECK(stat(scratch("rel"), &st) == 0, "created relative to dirfd");
  CHECK(fstatat(dfd, "rel", &st, 0) == 0 && (st.st_mode & 0777) == 0600, "fstatat");
  CHECK(unlinkat(dfd, "rel", 0) == 0, "unlinkat");
  int ffd = open("/dev/null", O_RDONLY);
  CHECK_ERR(openat(ffd, "x", O_RDONLY), ENOTDIR);
  CHECK_ERR(openat(12345, "x", O_RDONLY), EBADF);
  CHECK(fstatat(ffd, "", &st, AT_EMPTY_PATH) == 0 && S_ISCHR(st.st_mode), "AT_EMPTY_PATH");
  close(ffd);
  close(dfd);
  OK("openat/fstatat/unlinkat: relative to a dirfd, ENOTDIR, EBADF, AT_EMPTY_PATH");
}

int main(void) {
  umask(022);
  test_open_flags();
  test_rw_seek();
  test_stat();
  test_truncate();
  test_openat();
  scratch_cleanup();
  return checks_done();
}
