/* flock(2) and fcntl(2) record locks between processes: conflicts, F_GETLK reporting, blocking waits,
 * unlock on close (POSIX: any descriptor of the file), range splitting. */
#include "check.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>

static int setlk(int fd, int cmd, short type, off_t start, off_t len) {
  struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
  return fcntl(fd, cmd, &fl);
}

/* Run f in a child and return its exit status. */
static int in_child(int (*f)(const char *), const char *path) {
  pid_t p = fork();
  if (p == 0) _exit(f(path));
  int st; waitpid(p, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

static int child_flock_nb(const char *path) {
  int fd = open(path, O_RDWR);
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
  return errno == EWOULDBLOCK ? 1 : 2;
}

static int child_setlk(const char *path) {
  int fd = open(path, O_RDWR);
  if (setlk(fd, F_SETLK, F_WRLCK, 10, 10) == 0) return 0;
  return (errno == EAGAIN || errno == EACCES) ? 1 : 2;
}

static int child_getlk(const char *path) {
  int fd = open(path, O_RDWR);
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  if (fcntl(fd, F_GETLK, &fl) != 0) return 2;
  if (fl.l_type != F_WRLCK || fl.l_start != 5 || fl.l_len != 20 || fl.l_pid != getppid()) return 3;
  return 0;
}

static int child_read_lock_other_range(const char *path) {
  int fd = open(path, O_RDWR);
  return setlk(fd, F_SETLK, F_RDLCK, 100, 10) == 0 ? 0 : 1;
}

int main(void) {
  const char *path = scratch("lockfile");
  int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
  CHECK(fd >= 0, "open");
  CHECK(write(fd, "0123456789012345678901234567890123456789", 40) == 40, "write");

  CHECK(flock(fd, LOCK_EX) == 0, "flock EX");
  CHECK(in_child(child_flock_nb, path) == 1, "other description blocked (EWOULDBLOCK)");
  CHECK(flock(fd, LOCK_UN) == 0, "unlock");
  CHECK(in_child(child_flock_nb, path) == 0, "free again");
  OK("flock: exclusive lock conflicts across descriptions, LOCK_NB, LOCK_UN");

  CHECK(flock(fd, LOCK_SH) == 0, "flock SH");
  int fd2 = open(path, O_RDONLY);
  CHECK(flock(fd2, LOCK_SH | LOCK_NB) == 0, "two shared locks");
  CHECK_ERR(flock(fd2, LOCK_EX | LOCK_NB), EWOULDBLOCK);
  close(fd2);
  flock(fd, LOCK_UN);
  OK("flock: shared locks coexist, upgrade conflicts");

  CHECK(setlk(fd, F_SETLK, F_WRLCK, 5, 20) == 0, "F_SETLK write lock [5,25)");
  CHECK(in_child(child_setlk, path) == 1, "child conflicts on [10,20)");
  CHECK(in_child(child_getlk, path) == 0, "child F_GETLK reports our lock");
  CHECK(in_child(child_read_lock_other_range, path) == 0, "no conflict outside the range");
  CHECK(setlk(fd, F_SETLK, F_UNLCK, 10, 5) == 0, "unlock the middle");
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  CHECK(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK, "own locks never conflict");
  OK("fcntl: F_SETLK conflicts, F_GETLK reports the holder, ranges, own locks");

  /* POSIX: closing any descriptor of the file drops the process's locks. */
  int other = open(path, O_RDONLY);
  close(other);
  CHECK(in_child(child_setlk, path) == 0, "locks gone after closing another fd");
  OK("fcntl: closing any descriptor of the file releases the process's locks");

  /* F_SETLKW waits for the holder. */
  CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 0) == 0, "lock whole file");
  int p[2]; pipe(p);
  pid_t c = fork();
  if (c == 0) {
    int f = open(path, O_RDWR);
    write(p[1], "r", 1);
    if (setlk(f, F_SETLKW, F_WRLCK, 0, 0) != 0) _exit(2);
    _exit(0);
  }
  char b; read(p[0], &b, 1);
  usleep(50000);
  CHECK(waitpid(c, NULL, WNOHANG) == 0, "child still waiting");
  CHECK(setlk(fd, F_SETLK, F_UNLCK, 0, 0) == 0, "unlock");
  int st; waitpid(c, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child got the lock after the unlock");
  OK("fcntl: F_SETLKW sleeps until the conflicting lock goes");
  close(fd);
  scratch_cleanup();
  return checks_done();
}
