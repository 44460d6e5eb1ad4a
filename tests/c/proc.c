/* fork, exit statuses, wait4/waitpid/waitid, process groups and sessions, vfork.
 * Linux: kernel/fork.c, kernel/exit.c, kernel/sys.c (setpgid/setsid). */
#include "check.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static pid_t child_exit(int code) {
  pid_t p = fork();
  CHECK(p >= 0, "fork");
  if (p == 0) _exit(code);
  return p;
}

static void test_exit_status(void) {
  int st;
  pid_t p = child_exit(7);
  CHECK(waitpid(p, &st, 0) == p, "waitpid");
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
  OK("fork: child exit status 7");

  p = child_exit(0);
  CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
  OK("fork: child exit status 0");

  p = child_exit(300); /* only the low 8 bits survive */
  CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 44, "status %#x", st);
  OK("fork: exit(300) reports 44");

  p = fork();
  if (p == 0) { exit(3); }  /* exit(), not _exit(): atexit path */
  CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 3, "status %#x", st);
  OK("fork: exit() from child");

  p = fork();
  if (p == 0) _exit(getppid() > 0 ? 9 : 1);
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 9, "status %#x", st);
  OK("fork: child sees a parent pid");
}

static void test_signaled(void) {
  int sigs[] = { SIGKILL, SIGTERM, SIGUSR1, SIGINT };
  const char *names[] = { "SIGKILL", "SIGTERM", "SIGUSR1", "SIGINT" };
  for (int i = 0; i < 4; i++) {
    int st;
    pid_t p = fork();
    CHECK(p >= 0, "fork");
    if (p == 0) { raise(sigs[i]); _exit(99); }
    CHECK(waitpid(p, &st, 0) == p, "waitpid");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sigs[i], "%s: status %#x", names[i], st);
    OK("wait: child killed by raise(%s)", names[i]);
  }
  /* killed by the parent while sleeping */
  int st;
  pid_t p = fork();
  if (p == 0) { for (;;) pause(); }
  CHECK(kill(p, SIGTERM) == 0, "kill");
  CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %#x", st);
  OK("wait: paused child killed by kill(SIGTERM)");

  p = fork();
  if (p == 0) { for (volatile int i = 0;; i++) ; }
  usleep(10000);
  CHECK(kill(p, SIGKILL) == 0, "kill");
  CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
  OK("wait: busy child killed by kill(SIGKILL)");

  p = fork();
  if (p == 0) { abort(); }
  CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "status %#x", st);
  OK("wait: abort() gives SIGABRT");
}

static void test_wnohang_echild(void) {
  int st, fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  pid_t p = fork();
  if (p == 0) { char c; close(fds[1]); read(fds[0], &c, 1); _exit(4); }
  close(fds[0]);
  CHECK(waitpid(p, &st, WNOHANG) == 0, "WNOHANG on a running child");
  OK("waitpid: WNOHANG returns 0 while the child runs");
  close(fds[1]);
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 4, "status %#x", st);
  OK("waitpid: child exits after its pipe closes");
  CHECK_ERR(waitpid(-1, &st, 0), ECHILD);
  CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
  OK("waitpid: ECHILD with no children");
  CHECK_ERR(waitpid(getpid(), &st, 0), ECHILD);
  OK("waitpid: ECHILD for a pid that is not a child");

  /* waitpid(-1) collects several children, each exactly once */
  int seen = 0;
  for (int i = 1; i <= 5; i++) child_exit(i);
  for (int i = 0; i < 5; i++) {
    CHECK(waitpid(-1, &st, 0) > 0 && WIFEXITED(st), "waitpid(-1)");
    seen |= 1 << WEXITSTATUS(st);
  }
  CHECK(seen == 0x3e, "seen %#x", seen);
  CHECK_ERR(waitpid(-1, &st, 0), ECHILD);
  OK("waitpid: -1 reaps 5 children once each");

  /* a zombie stays until reaped */
  p = child_exit(6);
  usleep(20000);
  CHECK(kill(p, 0) == 0, "kill(zombie, 0)");
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 6, "status");
  CHECK_ERR(kill(p, 0), ESRCH);
  OK("wait: zombie exists until reaped, then ESRCH");

  struct rusage ru;
  p = child_exit(2);
  CHECK(wait4(p, &st, 0, &ru) == p && WEXITSTATUS(st) == 2, "wait4");
  OK("wait4: with rusage");
}

static void test_waitid(void) {
  siginfo_t si;
  pid_t p = child_exit(5);
  memset(&si, 0, sizeof si);
  CHECK(waitid(P_PID, p, &si, WEXITED) == 0, "waitid");
  CHECK(si.si_pid == p && si.si_signo == SIGCHLD && si.si_code == CLD_EXITED && si.si_status == 5,
        "si pid ok=%d signo %d code %d status %d", si.si_pid == p, si.si_signo, si.si_code, si.si_status);
  OK("waitid: CLD_EXITED status 5");

  p = fork();
  if (p == 0) { raise(SIGTERM); _exit(1); }
  memset(&si, 0, sizeof si);
  CHECK(waitid(P_ALL, 0, &si, WEXITED) == 0, "waitid");
  CHECK(si.si_pid == p && si.si_code == CLD_KILLED && si.si_status == SIGTERM, "code %d status %d",
        si.si_code, si.si_status);
  OK("waitid: CLD_KILLED SIGTERM");

  p = child_exit(8);
  usleep(20000);
  memset(&si, 0, sizeof si);
  CHECK(waitid(P_PID, p, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == p, "WNOWAIT");
  int st;
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 8, "after WNOWAIT");
  OK("waitid: WNOWAIT leaves the child waitable");

  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  p = fork();
  if (p == 0) { char c; close(fds[1]); read(fds[0], &c, 1); _exit(0); }
  close(fds[0]);
  memset(&si, 0xff, sizeof si);
  CHECK(waitid(P_PID, p, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0, "WNOHANG si_pid %d", si.si_pid);
  OK("waitid: WNOHANG with nothing to report zeroes si_pid");
  close(fds[1]);
  CHECK(waitpid(p, &st, 0) == p, "reap");
  CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
  CHECK_ERR(waitid(P_ALL, 0, &si, 0), EINVAL);
  OK("waitid: ECHILD and EINVAL");
}

static void test_pgrp_session(void) {
  pid_t me = getpid();
  CHECK(getpgid(0) == getpgrp(), "getpgid(0)");
  CHECK(getsid(0) == getsid(me), "getsid");
  OK("pgrp: getpgid(0) == getpgrp()");

  int fds[2], st;
  CHECK(pipe(fds) == 0, "pipe");
  pid_t p = fork();
  if (p == 0) {
    char c;
    close(fds[1]);
    read(fds[0], &c, 1);
    _exit(getpgrp() == getpid() ? 0 : 1);
  }
  close(fds[0]);
  CHECK(getpgid(p) == getpgrp(), "child starts in our group");
  CHECK(setpgid(p, p) == 0, "setpgid(child, child)");
  CHECK(getpgid(p) == p, "getpgid(child)");
  close(fds[1]);
  CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
  OK("pgrp: parent moves child into its own group");
  CHECK_ERR(getpgid(p), ESRCH);
  CHECK_ERR(setpgid(p, p), ESRCH);
  OK("pgrp: ESRCH for a reaped child");
  CHECK_ERR(setpgid(0, -1), EINVAL);
  OK("pgrp: setpgid negative pgid EINVAL");

  p = fork();
  if (p == 0) {
    pid_t s = setsid();
    if (s != getpid()) _exit(1);
    if (getsid(0) != getpid() || getpgrp() != getpid()) _exit(2);
    errno = 0;
    if (setsid() != -1 || errno != EPERM) _exit(3); /* already a group leader */
    _exit(0);
  }
  CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st), "status");
  CHECK(WEXITSTATUS(st) == 0, "setsid child step %d", WEXITSTATUS(st));
  OK("session: setsid in a child makes a new session and group");

  p = fork();
  if (p == 0) {
    if (setpgid(0, 0) != 0) _exit(1);
    errno = 0;
    if (setsid() != -1 || errno != EPERM) _exit(2);
    _exit(0);
  }
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 0, "step %d", WEXITSTATUS(st));
  OK("session: setsid by a group leader is EPERM");

  p = fork();
  if (p == 0) {
    if (setsid() < 0) _exit(1);
    pid_t q = fork();
    if (q == 0) _exit(setpgid(0, getppid()) == 0 ? 0 : 2);
    int s2;
    waitpid(q, &s2, 0);
    _exit(WEXITSTATUS(s2));
  }
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 0, "step %d", WEXITSTATUS(st));
  OK("pgrp: grandchild joins the new session's group");
}

static void test_vfork(void) {
  int st;
  volatile int shared = 0;
  pid_t p = vfork();
  if (p == 0) { shared = 1; _exit(12); }
  CHECK(p > 0, "vfork");
  CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 12, "status %#x", st);
  (void)shared; /* Linux shares memory with the vfork child; wasmux copies it: do not check the value */
  OK("vfork: child _exit(12)");
}

static void test_nested(void) {
  int st;
  pid_t p = fork();
  if (p == 0) {
    int total = 0;
    for (int i = 0; i < 3; i++) {
      pid_t q = fork();
      if (q == 0) {
        pid_t r = fork();
        if (r == 0) _exit(1);
        int s;
        waitpid(r, &s, 0);
        _exit(WEXITSTATUS(s) + 1);
      }
    }
    for (int i = 0; i < 3; i++) { int s; wait(&s); total += WEXITSTATUS(s); }
    _exit(total);
  }
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 6, "total %d", WEXITSTATUS(st));
  OK("fork: three levels of processes");

  /* the child gets a copy of memory */
  int *heap = malloc(sizeof *heap);
  *heap = 10;
  p = fork();
  if (p == 0) { *heap = 20; _exit(*heap); }
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 20 && *heap == 10, "heap %d", *heap);
  free(heap);
  OK("fork: child writes do not reach the parent");

  /* stdio buffers are copied too: flush before fork */
  p = fork();
  if (p == 0) { printf("fork: child printf"); printf(" ok\n"); fflush(stdout); _exit(0); }
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 0, "status");
}

/* Reparenting: when a parent exits, its child gets a new parent (init or a subreaper: natively some
 * process of the host, in wasmux the test itself as init). Only "the parent changed" is checked. */
static void test_reparent(void) {
  int fds[2], st;
  CHECK(pipe(fds) == 0, "pipe");
  pid_t mid = fork();
  if (mid == 0) {
    pid_t old = getpid();  /* before the fork: the middle process may be gone before the grandchild runs */
    pid_t g = fork();
    if (g == 0) {
      close(fds[0]);
      for (int i = 0; i < 2000 && getppid() == old; i++) usleep(1000);
      char r = getppid() != old ? 'y' : 'n';  /* may be 0: a new parent outside our pid namespace */
      (void)!write(fds[1], &r, 1);
      _exit(0);
    }
    _exit(0);
  }
  close(fds[1]);
  CHECK(waitpid(mid, &st, 0) == mid && WIFEXITED(st), "middle process");
  char r = 0;
  CHECK(read(fds[0], &r, 1) == 1 && r == 'y', "orphan's getppid changed: %c", r);
  close(fds[0]);
  OK("getppid: an orphan is reparented after its parent exits");
}

int main(void) {
  test_exit_status();
  test_signaled();
  test_wnohang_echild();
  test_waitid();
  test_pgrp_session();
  test_vfork();
  test_nested();
  test_reparent();
  return checks_done();
}
