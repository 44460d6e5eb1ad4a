/* Signals between processes: SIGCHLD, SA_NOCLDWAIT and ignored SIGCHLD (no zombies), EINTR and SA_RESTART
 * for a read blocked on a pipe, alarm/setitimer, kill(0, sig) to the process group, job control stops
 * (SIGSTOP/SIGCONT with WUNTRACED/WCONTINUED) and SIGKILL of a stopped child.
 * Linux: kernel/signal.c, kernel/exit.c (wait_task_stopped/continued), kernel/time/itimer.c. */
#include "check.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <fcntl.h>

static volatile sig_atomic_t hits, chld;
static void on_count(int sig) { (void)sig; hits++; }
static void on_chld(int sig) { (void)sig; chld++; }

static void set_handler(int sig, void (*h)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction %d", sig);
}

static void test_sigchld(void) {
  chld = 0;
  set_handler(SIGCHLD, on_chld, 0);
  pid_t p = fork();
  if (p == 0) _exit(0);
  int st;
  while (chld == 0) usleep(1000);
  CHECK(waitpid(p, &st, 0) == p, "reap");
  CHECK(chld == 1, "chld %d", (int)chld);
  OK("SIGCHLD: delivered when a child exits");

  /* a blocked SIGCHLD stays pending while we wait */
  sigset_t m, pend;
  sigemptyset(&m);
  sigaddset(&m, SIGCHLD);
  sigprocmask(SIG_BLOCK, &m, NULL);
  chld = 0;
  p = fork();
  if (p == 0) _exit(0);
  CHECK(waitpid(p, &st, 0) == p, "reap");
  CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGCHLD), "pending");
  sigprocmask(SIG_UNBLOCK, &m, NULL);
  CHECK(chld == 1, "delivered on unblock");
  OK("SIGCHLD: stays pending while blocked");

  /* SA_RESTART: wait blocks until every child is gone, and SIGCHLD (still sent) must not interrupt it */
  chld = 0;
  set_handler(SIGCHLD, on_chld, SA_NOCLDWAIT | SA_RESTART);
  for (int i = 0; i < 3; i++) { p = fork(); if (p == 0) _exit(1); }
  usleep(50000);
  CHECK_ERR(wait(&st), ECHILD);
  OK("SA_NOCLDWAIT: exited children leave no zombie (wait gives ECHILD)");
  CHECK(chld >= 1, "SIGCHLD still sent");
  OK("SA_NOCLDWAIT: SIGCHLD is still sent to a handler");

  signal(SIGCHLD, SIG_IGN);
  p = fork();
  if (p == 0) _exit(1);
  CHECK_ERR(waitpid(p, &st, 0), ECHILD); /* blocks until the child is gone, then ECHILD */
  OK("SIGCHLD ignored: no zombie, waitpid gives ECHILD");
  signal(SIGCHLD, SIG_DFL);
  p = fork();
  if (p == 0) _exit(2);
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 2, "default again");
  OK("SIGCHLD default: the child is waitable again");
}

static void test_eintr_restart(void) {
  int fds[2];
  char c;
  CHECK(pipe(fds) == 0, "pipe");
  hits = 0;
  set_handler(SIGUSR1, on_count, 0);
  pid_t p = fork();
  if (p == 0) { usleep(30000); kill(getppid(), SIGUSR1); _exit(0); }
  CHECK_ERR(read(fds[0], &c, 1), EINTR);
  CHECK(hits == 1, "handler ran");
  waitpid(p, NULL, 0);
  OK("read: EINTR on an empty pipe when a handler without SA_RESTART runs");

  hits = 0;
  set_handler(SIGUSR1, on_count, SA_RESTART);
  p = fork();
  if (p == 0) {
    usleep(30000);
    kill(getppid(), SIGUSR1);
    usleep(30000);
    (void)!write(fds[1], "r", 1);
    _exit(0);
  }
  CHECK(read(fds[0], &c, 1) == 1 && c == 'r', "restarted read");
  CHECK(hits == 1, "handler ran");
  waitpid(p, NULL, 0);
  OK("read: SA_RESTART restarts the read after the handler");

  hits = 0;
  set_handler(SIGCHLD, on_count, 0);
  p = fork();
  if (p == 0) { usleep(30000); _exit(0); }
  int st;
  CHECK(waitpid(p, &st, 0) == p, "waitpid is restarted or completes");
  CHECK(hits == 1, "SIGCHLD handler ran");
  signal(SIGCHLD, SIG_DFL);
  OK("waitpid: returns the child although SIGCHLD interrupts it");

  /* an ignored signal does not interrupt */
  signal(SIGUSR2, SIG_IGN);
  p = fork();
  if (p == 0) {
    usleep(20000);
    kill(getppid(), SIGUSR2);
    usleep(20000);
    (void)!write(fds[1], "i", 1);
    _exit(0);
  }
  CHECK(read(fds[0], &c, 1) == 1 && c == 'i', "not interrupted");
  waitpid(p, NULL, 0);
  signal(SIGUSR2, SIG_DFL);
  OK("read: an ignored signal does not interrupt it");
  close(fds[0]); close(fds[1]);
}

static void test_alarm(void) {
  int fds[2];
  char c;
  CHECK(pipe(fds) == 0, "pipe");
  hits = 0;
  set_handler(SIGALRM, on_count, 0);
  struct itimerval it = { { 0, 0 }, { 0, 50000 } }, cur;
  CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
  CHECK(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 &&
        cur.it_value.tv_usec <= 50000, "getitimer %ld", (long)cur.it_value.tv_usec);
  CHECK_ERR(read(fds[0], &c, 1), EINTR);
  CHECK(hits == 1, "SIGALRM handler");
  OK("setitimer: SIGALRM interrupts a blocked read");

  CHECK(alarm(5) == 0, "alarm");
  unsigned left = alarm(0);
  CHECK(left >= 4 && left <= 5, "alarm(0) returns the remaining seconds %u", left);
  OK("alarm: alarm(0) cancels and returns the remaining time");

  pid_t p = fork();
  if (p == 0) {
    signal(SIGALRM, SIG_DFL);
    struct itimerval t = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &t, NULL);
    for (;;) pause();
  }
  int st;
  CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM, "status %#x", st);
  OK("setitimer: default SIGALRM terminates the process");

  hits = 0;
  struct itimerval per = { { 0, 10000 }, { 0, 10000 } };
  CHECK(setitimer(ITIMER_REAL, &per, NULL) == 0, "periodic");
  while (hits < 3) pause();
  memset(&per, 0, sizeof per);
  setitimer(ITIMER_REAL, &per, NULL);
  OK("setitimer: a periodic timer fires repeatedly");
  signal(SIGALRM, SIG_DFL);
  close(fds[0]); close(fds[1]);
}

static void test_kill_group(void) {
  pid_t leader = fork();
  if (leader == 0) {
    if (setpgid(0, 0) != 0) _exit(10);
    hits = 0;
    set_handler(SIGUSR1, on_count, 0);
    pid_t kids[2];
    int fds[2];
    if (pipe(fds) != 0) _exit(11);
    for (int i = 0; i < 2; i++) {
      kids[i] = fork();
      if (kids[i] == 0) { signal(SIGUSR1, SIG_DFL); (void)!write(fds[1], "r", 1); for (;;) pause(); }
    }
    char rd[2];
    if (read(fds[0], rd, 1) != 1 || read(fds[0], rd, 1) != 1) _exit(20); /* both kids reset SIGUSR1 */
    if (kill(0, SIGUSR1) != 0) _exit(12);
    if (hits != 1) _exit(13);
    for (int i = 0; i < 2; i++) {
      int st;
      if (waitpid(kids[i], &st, 0) != kids[i]) _exit(14);
      if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGUSR1) _exit(15);
    }
    pid_t k = fork();
    if (k == 0) { signal(SIGUSR1, SIG_DFL); (void)!write(fds[1], "r", 1); for (;;) pause(); }
    if (read(fds[0], rd, 1) != 1) _exit(21);
    if (kill(-getpgrp(), SIGUSR1) != 0) _exit(16);
    int st;
    if (waitpid(k, &st, 0) != k || !WIFSIGNALED(st)) _exit(17);
    if (killpg(getpgrp(), 0) != 0) _exit(18);
    _exit(hits == 2 ? 0 : 19);
  }
  int st;
  CHECK(waitpid(leader, &st, 0) == leader && WIFEXITED(st), "status %#x", st);
  CHECK(WEXITSTATUS(st) == 0, "group test step %d", WEXITSTATUS(st));
  OK("kill: kill(0, sig) and kill(-pgrp, sig) reach the whole group, the sender too");
  CHECK_ERR(kill(-leader, SIGUSR1), ESRCH);
  OK("kill: ESRCH for an empty process group");
}

static void test_stop_cont(void) {
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  pid_t p = fork();
  if (p == 0) {
    close(fds[0]);
    for (int i = 0;; i++) { usleep(2000); if (write(fds[1], "t", 1) != 1) _exit(1); }
  }
  close(fds[1]);
  char c;
  CHECK(read(fds[0], &c, 1) == 1, "child runs");
  int st;
  CHECK(kill(p, SIGSTOP) == 0, "SIGSTOP");
  CHECK(waitpid(p, &st, WUNTRACED) == p && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status %#x", st);
  OK("job control: WUNTRACED reports a SIGSTOP stop");
  CHECK(waitpid(p, &st, WUNTRACED | WNOHANG) == 0, "stop reported once");
  OK("job control: a stop is reported only once");
  /* drain, then make sure nothing more arrives while stopped */
  CHECK(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0, "nonblock");
  while (read(fds[0], &c, 1) == 1) {}
  usleep(30000);
  CHECK_ERR(read(fds[0], &c, 1), EAGAIN);
  OK("job control: a stopped child does not run");
  CHECK(kill(p, SIGCONT) == 0, "SIGCONT");
  CHECK(waitpid(p, &st, WCONTINUED) == p && WIFCONTINUED(st), "status %#x", st);
  OK("job control: WCONTINUED reports the continue");
  CHECK(fcntl(fds[0], F_SETFL, 0) == 0, "block");
  CHECK(read(fds[0], &c, 1) == 1, "runs again");
  OK("job control: the continued child runs again");

  /* (not SIGTSTP: it is discarded in an orphaned process group, which ours may be natively and in wasmux) */
  CHECK(kill(p, SIGSTOP) == 0, "SIGSTOP");
  CHECK(waitpid(p, &st, WUNTRACED) == p && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status %#x", st);
  OK("job control: stopped a second time");
  CHECK(kill(p, SIGKILL) == 0, "SIGKILL");
  CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
  OK("job control: SIGKILL kills a stopped child");

  p = fork();
  if (p == 0) { for (;;) pause(); }
  kill(p, SIGSTOP);
  CHECK(waitpid(p, &st, WUNTRACED) == p && WIFSTOPPED(st), "stopped");
  CHECK(kill(p, SIGTERM) == 0, "TERM while stopped");
  usleep(20000);
  CHECK(waitpid(p, &st, WNOHANG) == 0, "TERM stays pending while stopped");
  CHECK(kill(p, SIGCONT) == 0, "CONT");
  CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %#x", st);
  OK("job control: SIGTERM to a stopped child acts when it continues");
  close(fds[0]);
}

int main(void) {
  test_sigchld();
  test_eintr_restart();
  test_alarm();
  test_kill_group();
  test_stop_cont();
  return checks_done();
}
