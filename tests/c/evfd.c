/* epoll, eventfd, timerfd and signalfd: readiness, edge/level triggering, one-shot, blocking waits woken by
 * another process, timer expirations, signals read as records. */
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

static void test_eventfd(void) {
  int e = eventfd(3, EFD_NONBLOCK);
  CHECK(e >= 0, "eventfd");
  uint64_t v;
  CHECK(read(e, &v, 8) == 8 && v == 3, "read initial %llu", (unsigned long long)v);
  CHECK_ERR(read(e, &v, 8), EAGAIN);
  v = 5; CHECK(write(e, &v, 8) == 8, "write");
  v = 2; CHECK(write(e, &v, 8) == 8, "write");
  CHECK(read(e, &v, 8) == 8 && v == 7, "sum");
  CHECK_ERR(read(e, &v, 4), EINVAL);
  close(e);
  e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  CHECK(read(e, &v, 8) == 8 && v == 1 && read(e, &v, 8) == 8 && v == 1, "semaphore");
  CHECK_ERR(read(e, &v, 8), EAGAIN);
  close(e);
  OK("eventfd: counter, semaphore mode, EAGAIN, EINVAL");
}

static void test_epoll_pipe(void) {
  int p[2]; CHECK(pipe(p) == 0, "pipe");
  int ep = epoll_create1(EPOLL_CLOEXEC);
  CHECK(ep >= 0, "epoll_create1");
  CHECK((fcntl(ep, F_GETFD) & FD_CLOEXEC) != 0, "cloexec");
  struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1122334455667788ULL };
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0, "add");
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
  struct epoll_event out[4];
  CHECK(epoll_wait(ep, out, 4, 0) == 0, "nothing ready");
  CHECK(write(p[1], "ab", 2) == 2, "write");
  CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 0x1122334455667788ULL, "ready with data");
  CHECK(epoll_wait(ep, out, 4, 0) == 1, "level-triggered: still ready");
  ev.events = EPOLLIN | EPOLLET;
  CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0, "mod");
  CHECK(epoll_wait(ep, out, 4, 0) == 1, "edge: first report");
  CHECK(epoll_wait(ep, out, 4, 0) == 0, "edge: no second report");
  CHECK(write(p[1], "c", 1) == 1, "write");
  CHECK(epoll_wait(ep, out, 4, 0) == 1, "edge: new data reported");
  ev.events = EPOLLIN | EPOLLONESHOT;
  CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0, "mod oneshot");
  CHECK(epoll_wait(ep, out, 4, 0) == 1 && epoll_wait(ep, out, 4, 0) == 0, "oneshot");
  CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == 0, "del");
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
  ev.events = EPOLLOUT;
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0, "add write end");
  CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].events == EPOLLOUT, "writable");
  close(p[0]);
  CHECK(epoll_wait(ep, out, 4, 0) == 1 && (out[0].events & EPOLLERR), "EPOLLERR without readers");
  close(p[1]); close(ep);
  OK("epoll: level, edge, oneshot, mod/del, EEXIST/ENOENT, EPOLLERR");
}

static void test_epoll_block(void) {
  int p[2]; CHECK(pipe(p) == 0, "pipe");
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = p[0] };
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0, "add");
  pid_t c = fork();
  if (c == 0) { usleep(50000); write(p[1], "x", 1); _exit(0); }
  struct epoll_event out;
  CHECK(epoll_wait(ep, &out, 1, 5000) == 1 && out.data.fd == p[0], "woken by the child's write");
  waitpid(c, NULL, 0);
  char b; read(p[0], &b, 1);
  struct timespec a, z; clock_gettime(CLOCK_MONOTONIC, &a);
  CHECK(epoll_wait(ep, &out, 1, 60) == 0, "timeout");
  clock_gettime(CLOCK_MONOTONIC, &z);
  CHECK((z.tv_sec - a.tv_sec) * 1000 + (z.tv_nsec - a.tv_nsec) / 1000000 >= 55, "waited the timeout");
  int f = open("/tmp/evfd-reg", O_CREAT | O_RDWR, 0600);
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), EPERM);
  close(f); unlink("/tmp/evfd-reg");
  close(p[0]); close(p[1]); close(ep);
  OK("epoll: blocking wait woken by another process; timeout; EPERM for a regular file");
}

static void test_timerfd(void) {
  int t = timerfd_create(CLOCK_MONOTONIC, 0);
  CHECK(t >= 0, "timerfd_create");
  struct itimerspec its = { .it_value = { 0, 30 * 1000000 }, .it_interval = { 0, 20 * 1000000 } };
  CHECK(timerfd_settime(t, 0, &its, NULL) == 0, "settime");
  uint64_t n;
  CHECK(read(t, &n, 8) == 8 && n >= 1, "first expiration");
  usleep(70000);
  CHECK(read(t, &n, 8) == 8 && n >= 2, "periodic expirations accumulate (%llu)", (unsigned long long)n);
  struct itimerspec cur;
  CHECK(timerfd_gettime(t, &cur) == 0 && cur.it_interval.tv_nsec == 20 * 1000000, "gettime interval");
  memset(&its, 0, sizeof its);
  CHECK(timerfd_settime(t, 0, &its, NULL) == 0, "disarm");
  fcntl(t, F_SETFL, O_NONBLOCK);
  CHECK_ERR(read(t, &n, 8), EAGAIN);
  close(t);
  OK("timerfd: one-shot and periodic expirations, gettime, disarm");
}

static void test_signalfd(void) {
  sigset_t m; sigemptyset(&m); sigaddset(&m, SIGUSR1); sigaddset(&m, SIGUSR2);
  CHECK(sigprocmask(SIG_BLOCK, &m, NULL) == 0, "block");
  int s = signalfd(-1, &m, SFD_NONBLOCK);
  CHECK(s >= 0, "signalfd");
  struct signalfd_siginfo si;
  CHECK_ERR(read(s, &si, sizeof si), EAGAIN);
  kill(getpid(), SIGUSR2);
  CHECK(read(s, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR2 && si.ssi_pid == (uint32_t)getpid(), "record");
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN };
  epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
  pid_t c = fork();
  if (c == 0) { usleep(30000); kill(getppid(), SIGUSR1); _exit(0); }
  CHECK(epoll_wait(ep, &ev, 1, 5000) == 1, "epoll sees the signal");
  CHECK(read(s, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR1, "USR1 record");
  waitpid(c, NULL, 0);
  close(s); close(ep);
  sigprocmask(SIG_UNBLOCK, &m, NULL);
  OK("signalfd: records, EAGAIN, wakes epoll");
}

int main(void) {
  test_eventfd();
  test_epoll_pipe();
  test_epoll_block();
  test_timerfd();
  test_signalfd();
  return checks_done();
}
