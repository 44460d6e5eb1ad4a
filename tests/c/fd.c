/* File descriptors: dup, dup2, dup3, fcntl (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD/F_SETFD, F_GETFL/F_SETFL),
 * lowest-free-fd allocation, sharing of the file description (offset, flags) across dup and fork.
 * Linux: fs/file.c, fs/fcntl.c. */
#include "check.h"
#include <fcntl.h>
#include <sys/wait.h>

static int tmpfile_fd(const char *name) {
  int fd = open(scratch(name), O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0, "open %s", name);
  return fd;
}

static void test_dup(void) {
  int fd = tmpfile_fd("dup");
  CHECK(write(fd, "hello world", 11) == 11, "write");
  int d = dup(fd);
  CHECK(d > fd, "dup gives a new fd %d > %d", d, fd);
  CHECK(lseek(fd, 0, SEEK_CUR) == 11 && lseek(d, 0, SEEK_CUR) == 11, "offset");
  CHECK(lseek(d, 6, SEEK_SET) == 6, "lseek dup");
  CHECK(lseek(fd, 0, SEEK_CUR) == 6, "dup shares the offset");
  char buf[8] = {0};
  CHECK(read(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0, "read via original");
  OK("dup: shares the file offset");

  CHECK(fcntl(fd, F_SETFL, O_APPEND) == 0, "F_SETFL");
  CHECK(fcntl(d, F_GETFL) & O_APPEND, "dup shares status flags");
  CHECK(fcntl(fd, F_SETFL, 0) == 0, "F_SETFL 0");
  OK("dup: shares the status flags");

  CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0, "F_SETFD");
  CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "F_GETFD");
  CHECK(fcntl(d, F_GETFD) == 0, "fd flags are per descriptor");
  int d2 = dup(fd);
  CHECK(fcntl(d2, F_GETFD) == 0, "dup clears FD_CLOEXEC");
  OK("fcntl: FD_CLOEXEC is per descriptor and dup clears it");
  close(d2);

  /* lowest free descriptor */
  close(d);
  int n = dup(fd);
  CHECK(n == d, "dup reuses the lowest free fd: %d want %d", n, d);
  close(n);
  int lo = open("/dev/null", O_RDONLY);
  CHECK(lo == d, "open reuses the lowest free fd: %d want %d", lo, d);
  close(lo);
  OK("fd: lowest free descriptor is reused");

  CHECK_ERR(dup(-1), EBADF);
  CHECK_ERR(dup(999), EBADF);
  OK("dup: EBADF");
  close(fd);
}

static void test_dup2_dup3(void) {
  int fd = tmpfile_fd("dup2");
  CHECK(dup2(fd, 20) == 20, "dup2 to 20");
  CHECK(write(20, "abc", 3) == 3 && lseek(fd, 0, SEEK_CUR) == 3, "dup2 shares offset");
  OK("dup2: to an unused number");

  int other = open("/dev/null", O_RDONLY);
  CHECK(dup2(fd, other) == other, "dup2 over an open fd");
  CHECK(lseek(other, 0, SEEK_CUR) == 3, "now refers to the file");
  OK("dup2: closes the target first");

  CHECK(dup2(fd, fd) == fd, "dup2 same fd");
  CHECK_ERR(dup2(55, 56), EBADF);
  CHECK_ERR(dup2(fd, -1), EBADF);
  CHECK_ERR(dup2(fd, 1 << 20), EBADF);
  OK("dup2: same fd is a no-op; EBADF cases");

  CHECK(dup3(fd, 21, O_CLOEXEC) == 21 && fcntl(21, F_GETFD) == FD_CLOEXEC, "dup3 O_CLOEXEC");
  CHECK(dup3(fd, 22, 0) == 22 && fcntl(22, F_GETFD) == 0, "dup3 0");
  CHECK_ERR(dup3(fd, fd, 0), EINVAL);
  CHECK_ERR(dup3(fd, 23, 0x1234), EINVAL);
  OK("dup3: O_CLOEXEC, EINVAL for same fd and bad flags");
  close(20); close(21); close(22); close(other); close(fd);
}

static void test_dupfd(void) {
  int fd = tmpfile_fd("dupfd");
  int a = fcntl(fd, F_DUPFD, 30);
  CHECK(a == 30, "F_DUPFD 30 -> %d", a);
  int b = fcntl(fd, F_DUPFD, 30);
  CHECK(b == 31, "F_DUPFD 30 again -> %d", b);
  int c = fcntl(fd, F_DUPFD_CLOEXEC, 30);
  CHECK(c == 32 && fcntl(c, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC -> %d", c);
  close(a);
  CHECK(fcntl(fd, F_DUPFD, 30) == 30, "reuses 30");
  int low = fcntl(fd, F_DUPFD, 0);
  CHECK(low > fd && low < 30, "F_DUPFD 0 lowest free %d", low);
  OK("fcntl: F_DUPFD returns the lowest free fd >= arg");
  CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);
  CHECK_ERR(fcntl(fd, F_DUPFD, 1 << 20), EINVAL);
  CHECK_ERR(fcntl(-1, F_GETFD), EBADF);
  CHECK_ERR(fcntl(77, F_GETFL), EBADF);
  OK("fcntl: EINVAL and EBADF");
  close(30); close(b); close(c); close(low); close(fd);
}

static void test_flags(void) {
  int fd = open(scratch("flags"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0, "open");
  CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY, "accmode");
  CHECK(fcntl(fd, F_SETFL, O_RDWR | O_NONBLOCK) == 0, "F_SETFL");
  int fl = fcntl(fd, F_GETFL);
  CHECK((fl & O_ACCMODE) == O_WRONLY && (fl & O_NONBLOCK), "F_SETFL keeps the access mode %#x", fl);
  OK("fcntl: F_SETFL cannot change the access mode");
  char c;
  CHECK_ERR(read(fd, &c, 1), EBADF);
  OK("read: EBADF on a write-only fd");
  close(fd);
  fd = open(scratch("flags"), O_RDONLY);
  CHECK_ERR(write(fd, "x", 1), EBADF);
  OK("write: EBADF on a read-only fd");
  close(fd);
  CHECK_ERR(close(fd), EBADF);
  CHECK_ERR(close(-1), EBADF);
  OK("close: EBADF on a closed fd and -1");
}

static void test_fork_shares(void) {
  int fd = tmpfile_fd("forkoff");
  pid_t p = fork();
  if (p == 0) {
    if (write(fd, "child", 5) != 5) _exit(1);
    _exit(0);
  }
  int st;
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 0, "child");
  CHECK(lseek(fd, 0, SEEK_CUR) == 5, "parent sees the child's offset");
  CHECK(write(fd, "parent", 6) == 6, "write");
  char buf[16] = {0};
  CHECK(pread(fd, buf, sizeof buf, 0) == 11 && memcmp(buf, "childparent", 11) == 0, "contents %s", buf);
  OK("fork: parent and child share the file offset");

  /* the child's close does not close the parent's fd */
  p = fork();
  if (p == 0) { close(fd); _exit(0); }
  waitpid(p, &st, 0);
  CHECK(fcntl(fd, F_GETFD) >= 0, "still open");
  OK("fork: child close leaves the parent's fd open");

  /* a descriptor opened in the child is not in the parent */
  int pfd[2];
  CHECK(pipe(pfd) == 0, "pipe");
  p = fork();
  if (p == 0) {
    int n = open("/dev/null", O_RDONLY);
    (void)!write(pfd[1], &n, sizeof n);
    _exit(0);
  }
  int n = -1;
  CHECK(read(pfd[0], &n, sizeof n) == sizeof n, "read");
  waitpid(p, &st, 0);
  CHECK_ERR(fcntl(n, F_GETFD), EBADF);
  OK("fork: the child's new fds are its own");
  close(pfd[0]); close(pfd[1]); close(fd);
}

static void test_many(void) {
  int fds[200];
  for (int i = 0; i < 200; i++) { fds[i] = open("/dev/null", O_RDONLY); CHECK(fds[i] >= 0, "open %d", i); }
  for (int i = 1; i < 200; i++) CHECK(fds[i] > fds[i - 1], "increasing");
  close(fds[100]);
  CHECK(open("/dev/null", O_RDONLY) == fds[100], "hole reused");
  for (int i = 0; i < 200; i++) CHECK(close(fds[i]) == 0, "close");
  OK("fd: 200 descriptors open and close");
  /* /dev/null and /dev/zero */
  int z = open("/dev/zero", O_RDONLY);
  char b[64];
  memset(b, 1, sizeof b);
  CHECK(read(z, b, sizeof b) == sizeof b, "read zero");
  for (int i = 0; i < 64; i++) CHECK(b[i] == 0, "zero byte");
  close(z);
  int nl = open("/dev/null", O_RDWR);
  CHECK(read(nl, b, sizeof b) == 0 && write(nl, b, sizeof b) == sizeof b, "null");
  close(nl);
  OK("dev: /dev/zero reads zeros, /dev/null reads EOF");
}

int main(void) {
  test_dup();
  test_dup2_dup3();
  test_dupfd();
  test_flags();
  test_fork_shares();
  test_many();
  scratch_cleanup();
  return checks_done();
}
