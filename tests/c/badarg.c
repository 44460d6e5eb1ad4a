/* Bad arguments: EFAULT for bad user pointers (through syscall() so that libc does not touch them first),
 * EBADF, EINVAL, ENOSYS for an unknown syscall number, ENAMETOOLONG. Linux: the uaccess helpers
 * (copy_to_user/copy_from_user) and each syscall's argument checks. */
#include "check.h"
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>

#define BAD ((void *)0xfffffff0UL)   /* the top of a 32-bit space: unmapped natively and in wasmux */

int main(void) {
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  CHECK(write(p[1], "abcd", 4) == 4, "write");
  CHECK_ERR(syscall(SYS_read, p[0], BAD, 4), EFAULT);
  OK("read: EFAULT into a bad buffer");
  CHECK_ERR(syscall(SYS_read, p[0], NULL, 4), EFAULT);
  OK("read: EFAULT into NULL");
  CHECK_ERR(syscall(SYS_write, p[1], BAD, 4), EFAULT);
  OK("write: EFAULT from a bad buffer");
  char buf[8];
  CHECK(read(p[0], buf, 4) == 4 && memcmp(buf, "abcd", 4) == 0, "data still there after EFAULT");
  OK("read: a faulting read does not consume the data");

  CHECK_ERR(syscall(SYS_openat, AT_FDCWD, BAD, O_RDONLY), EFAULT);
  CHECK_ERR(syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY), EFAULT);
  OK("open: EFAULT for a bad path pointer");
#ifdef SYS_fstat
  CHECK_ERR(syscall(SYS_fstat, 0, BAD), EFAULT);
#else
  CHECK_ERR(syscall(SYS_fstat64, 0, BAD), EFAULT);
#endif
  OK("fstat: EFAULT for a bad stat buffer");
  CHECK_ERR(syscall(SYS_pipe2, BAD, 0), EFAULT);
  OK("pipe2: EFAULT for a bad fd array");
  CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, BAD, NULL, 8), EFAULT);
  OK("rt_sigaction: EFAULT for a bad action");
  CHECK_ERR(syscall(SYS_uname, BAD), EFAULT);
  OK("uname: EFAULT");
  struct iovec iov = { BAD, 4 };
  CHECK(write(p[1], "wxyz", 4) == 4, "write");
  CHECK_ERR(readv(p[0], &iov, 1), EFAULT);
  CHECK_ERR(syscall(SYS_readv, p[0], BAD, 1), EFAULT);
  OK("readv: EFAULT for a bad iovec base and a bad iovec array");
  char cwd[8];
  (void)cwd;
  CHECK_ERR(syscall(SYS_getcwd, BAD, 100), EFAULT);
  OK("getcwd: EFAULT");

  CHECK_ERR(close(-1), EBADF);
  CHECK_ERR(close(1000), EBADF);
  CHECK_ERR(read(1000, buf, 1), EBADF);
  CHECK_ERR(write(-5, buf, 1), EBADF);
  CHECK_ERR(lseek(999, 0, SEEK_SET), EBADF);
  OK("EBADF: close(-1), read/write/lseek of bad fds");
  CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE);
  CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE);
  OK("ESPIPE: lseek and pread on a pipe");

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  CHECK_ERR(sigaction(100, &sa, NULL), EINVAL);
  CHECK_ERR(kill(getpid(), 1000), EINVAL);
  CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 3), EINVAL);
  OK("EINVAL: invalid signal numbers, bad sigsetsize");
  CHECK_ERR(syscall(5000), ENOSYS);
  CHECK_ERR(syscall(5000, 1, 2, 3, 4, 5, 6), ENOSYS);
  OK("syscall(5000): ENOSYS");

  static char longname[PATH_MAX + 10];
  memset(longname, 'a', sizeof longname - 1);
  longname[0] = '/';
  CHECK_ERR(open(longname, O_RDONLY), ENAMETOOLONG);
  static char longcomp[NAME_MAX + 10];
  memset(longcomp, 'b', sizeof longcomp - 1);
  memcpy(longcomp, "/tmp/", 5);
  CHECK_ERR(open(longcomp, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
  OK("ENAMETOOLONG: path over PATH_MAX, component over NAME_MAX");
  CHECK_ERR(open("/tmp", O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  OK("open: O_CREAT|O_EXCL on an existing directory is EEXIST");
  return checks_done();
}
