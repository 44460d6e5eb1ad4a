/* Pipes: EOF, PIPE_BUF atomicity, O_NONBLOCK, SIGPIPE/EPIPE, bulk transfer between processes, pipe2 flags,
 * FIONREAD, poll readiness. Linux: fs/pipe.c; pipe(7). */
#include "check.h"
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static void test_eof(void) {
  int p[2];
  char c;
  CHECK(pipe(p) == 0, "pipe");
  CHECK(write(p[1], "ab", 2) == 2, "write");
  close(p[1]);
  CHECK(read(p[0], &c, 1) == 1 && c == 'a', "first byte");
  CHECK(read(p[0], &c, 1) == 1 && c == 'b', "second byte");
  CHECK(read(p[0], &c, 1) == 0, "EOF");
  CHECK(read(p[0], &c, 1) == 0, "EOF again");
  close(p[0]);
  OK("pipe: data then EOF after the writer closes");

  CHECK(pipe(p) == 0, "pipe");
  pid_t pid = fork();
  if (pid == 0) { close(p[0]); usleep(20000); (void)!write(p[1], "z", 1); _exit(0); }
  close(p[1]);
  CHECK(read(p[0], &c, 1) == 1 && c == 'z', "blocking read gets the child's byte");
  CHECK(read(p[0], &c, 1) == 0, "EOF when the child exits");
  waitpid(pid, NULL, 0);
  close(p[0]);
  OK("pipe: EOF only after every writer (the child's copy too) is closed");

  CHECK(pipe(p) == 0, "pipe");
  CHECK(read(p[0], &c, 0) == 0, "zero-length read");
  CHECK(write(p[1], &c, 0) == 0, "zero-length write");
  close(p[0]); close(p[1]);
  OK("pipe: zero-length read and write return 0");
}

#define WRITERS 4
#define RECORDS 64
static void test_atomic(void) {
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  pid_t pids[WRITERS];
  for (int w = 0; w < WRITERS; w++) {
    pids[w] = fork();
    CHECK(pids[w] >= 0, "fork");
    if (pids[w] == 0) {
      static char rec[PIPE_BUF];
      close(p[0]);
      memset(rec, 'A' + w, sizeof rec);
      for (int i = 0; i < RECORDS; i++) if (write(p[1], rec, sizeof rec) != sizeof rec) _exit(1);
      _exit(0);
    }
  }
  close(p[1]);
  static char rec[PIPE_BUF];
  int counts[WRITERS] = {0};
  ssize_t r;
  while ((r = readn(p[0], rec, sizeof rec)) == sizeof rec) {
    int w = rec[0] - 'A';
    CHECK(w >= 0 && w < WRITERS, "record owner %d", w);
    for (int i = 1; i < PIPE_BUF; i++) CHECK(rec[i] == rec[0], "record mixed at byte %d", i);
    counts[w]++;
  }
  CHECK(r == 0, "trailing partial record %zd", r);
  for (int w = 0; w < WRITERS; w++) {
    int st;
    CHECK(counts[w] == RECORDS, "writer %d: %d records", w, counts[w]);
    CHECK(waitpid(pids[w], &st, 0) == pids[w] && WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer status");
  }
  close(p[0]);
  OK("pipe: PIPE_BUF writes from %d writers are not interleaved", WRITERS);
}

static void test_nonblock(void) {
  int p[2];
  char c;
  CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe2");
  CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK, "O_NONBLOCK on read end");
  CHECK(fcntl(p[1], F_GETFL) & O_NONBLOCK, "O_NONBLOCK on write end");
  CHECK_ERR(read(p[0], &c, 1), EAGAIN);
  OK("pipe: O_NONBLOCK read on an empty pipe is EAGAIN");
  static char buf[4096];
  size_t total = 0;
  for (;;) {
    ssize_t r = write(p[1], buf, sizeof buf);
    if (r < 0) { CHECK(errno == EAGAIN, "write error"); break; }
    total += r;
    CHECK(total <= (16u << 20), "pipe never fills");
  }
  CHECK(total >= 4096, "capacity %zu", total);
  CHECK_ERR(write(p[1], "x", 1), EAGAIN);
  OK("pipe: O_NONBLOCK write on a full pipe is EAGAIN");
  int n = -1;
  CHECK(ioctl(p[0], FIONREAD, &n) == 0 && (size_t)n == total, "FIONREAD %d of %zu", n, total);
  OK("pipe: FIONREAD counts the buffered bytes");
  CHECK(read(p[0], buf, sizeof buf) == sizeof buf, "drain some");
  CHECK(write(p[1], "x", 1) == 1, "room again");
  close(p[0]); close(p[1]);
  OK("pipe: writable again after a read");

  CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe2 O_CLOEXEC");
  CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC, "cloexec");
  CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK), "blocking");
  close(p[0]); close(p[1]);
  CHECK_ERR(pipe2(p, 0x12345678), EINVAL);
  OK("pipe2: O_CLOEXEC, EINVAL for bad flags");

  CHECK(pipe(p) == 0, "pipe");
  CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0, "F_SETFL O_NONBLOCK");
  CHECK_ERR(read(p[0], &c, 1), EAGAIN);
  close(p[0]); close(p[1]);
  OK("pipe: F_SETFL O_NONBLOCK makes read return EAGAIN");
}

static void test_sigpipe(void) {
  int p[2], st;
  CHECK(pipe(p) == 0, "pipe");
  close(p[0]);
  pid_t pid = fork();
  if (pid == 0) { (void)!write(p[1], "x", 1); _exit(0); }
  CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "status %#x", st);
  OK("pipe: writing with no reader kills with SIGPIPE");
  signal(SIGPIPE, SIG_IGN);
  CHECK_ERR(write(p[1], "x", 1), EPIPE);
  OK("pipe: EPIPE when SIGPIPE is ignored");
  signal(SIGPIPE, SIG_DFL);
  close(p[1]);

  /* the reader goes away while the writer is blocked on a full pipe */
  CHECK(pipe(p) == 0, "pipe");
  pid = fork();
  if (pid == 0) {
    static char big[1 << 17];
    signal(SIGPIPE, SIG_IGN);
    close(p[0]);
    ssize_t r = write(p[1], big, sizeof big);
    if (r < 0 && errno == EPIPE) _exit(3);
    _exit(r > 0 ? 4 : 5);
  }
  close(p[1]);
  usleep(50000);
  close(p[0]);
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "status %#x", st);
  CHECK(WEXITSTATUS(st) == 3 || WEXITSTATUS(st) == 4, "blocked writer result %d", WEXITSTATUS(st));
  OK("pipe: a blocked writer wakes when the last reader closes");
}

static void test_bulk(void) {
  int p[2], st;
  CHECK(pipe(p) == 0, "pipe");
  const size_t total = 1 << 20;
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    uint32_t x = 12345, sum = 0;
    static unsigned char buf[3000];
    size_t sent = 0;
    while (sent < total) {
      size_t n = total - sent < sizeof buf ? total - sent : sizeof buf;
      for (size_t i = 0; i < n; i++) { x = x * 1103515245 + 12345; buf[i] = x >> 16; sum += buf[i]; }
      if (write(p[1], buf, n) != (ssize_t)n) _exit(1);
      sent += n;
    }
    if (write(p[1], &sum, 0) != 0) _exit(2);
    _exit(0);
  }
  close(p[1]);
  uint32_t x = 12345, sum = 0, expect = 0;
  size_t got = 0;
  static unsigned char buf[7777];
  ssize_t r;
  int bad = 0;
  while ((r = read(p[0], buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < r; i++) {
      x = x * 1103515245 + 12345;
      unsigned char want = x >> 16;
      if (buf[i] != want && !bad) bad = 1;
      expect += want; sum += buf[i];
    }
    got += r;
  }
  CHECK(r == 0, "read error");
  CHECK(got == total, "got %zu bytes", got);
  CHECK(!bad && sum == expect, "checksum");
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %#x", st);
  close(p[0]);
  OK("pipe: 1 MiB between two processes, checksum matches");
}

static void test_poll(void) {
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  struct pollfd f[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
  CHECK(poll(f, 2, 0) == 1 && f[0].revents == 0 && f[1].revents == POLLOUT, "empty: %d %d", f[0].revents,
        f[1].revents);
  OK("poll: empty pipe is writable, not readable");
  CHECK(write(p[1], "x", 1) == 1, "write");
  CHECK(poll(f, 1, 0) == 1 && f[0].revents == POLLIN, "readable: %d", f[0].revents);
  OK("poll: readable with data");
  close(p[1]);
  char c;
  CHECK(read(p[0], &c, 1) == 1, "read");
  CHECK(poll(f, 1, 0) == 1 && (f[0].revents & POLLHUP), "hup: %d", f[0].revents);
  OK("poll: POLLHUP after the writer closes");
  close(p[0]);

  CHECK(pipe(p) == 0, "pipe");
  pid_t pid = fork();
  if (pid == 0) { usleep(30000); (void)!write(p[1], "y", 1); _exit(0); }
  f[0].fd = p[0]; f[0].events = POLLIN;
  CHECK(poll(f, 1, 5000) == 1 && f[0].revents == POLLIN, "woken: %d", f[0].revents);
  waitpid(pid, NULL, 0);
  close(p[0]); close(p[1]);
  OK("poll: a blocking poll wakes when a child writes");
  CHECK(poll(NULL, 0, 30) == 0, "timeout");
  OK("poll: timeout with no fds");
}

int main(void) {
  test_eof();
  test_atomic();
  test_nonblock();
  test_sigpipe();
  test_bulk();
  test_poll();
  return checks_done();
}
