/* Signal delivery inside one process: handlers, sa_mask, SA_RESETHAND, SA_NODEFER, SA_SIGINFO, sigprocmask
 * and sigpending, sigsuspend, sigtimedwait, siglongjmp out of a handler, EINVAL cases.
 * Linux: kernel/signal.c, arch signal delivery; signal(7). */
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>

static volatile sig_atomic_t hits, depth, maxdepth;
static volatile sig_atomic_t order[8], norder;

static void on_count(int sig) { (void)sig; hits++; }

static void set_handler(int sig, void (*h)(int), int flags, const sigset_t *mask) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sa.sa_flags = flags;
  if (mask) sa.sa_mask = *mask; else sigemptyset(&sa.sa_mask);
  CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction %d", sig);
}

static int is_blocked(int sig) {
  sigset_t cur;
  CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0, "sigprocmask query");
  return sigismember(&cur, sig);
}

static void test_basic(void) {
  hits = 0;
  set_handler(SIGUSR1, on_count, 0, NULL);
  CHECK(raise(SIGUSR1) == 0 && hits == 1, "hits %d", (int)hits);
  OK("signal: raise runs the handler before returning");
  CHECK(kill(getpid(), SIGUSR1) == 0 && hits == 2, "hits %d", (int)hits);
  OK("signal: kill(getpid()) runs the handler before returning");
  struct sigaction old;
  CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == on_count, "query");
  OK("sigaction: query returns the installed handler");
  signal(SIGUSR1, SIG_IGN);
  CHECK(raise(SIGUSR1) == 0 && hits == 2, "ignored");
  OK("signal: SIG_IGN discards the signal");
  CHECK(kill(getpid(), 0) == 0, "kill 0");
  OK("kill: signal 0 checks existence");
}

static void on_mask_usr1(int sig) {
  (void)sig;
  order[norder++] = 1;
  raise(SIGUSR2); /* blocked by sa_mask: must not run yet */
  order[norder++] = 2;
}
static void on_mask_usr2(int sig) { (void)sig; order[norder++] = 3; }

static void test_samask(void) {
  sigset_t m;
  sigemptyset(&m);
  sigaddset(&m, SIGUSR2);
  set_handler(SIGUSR1, on_mask_usr1, 0, &m);
  set_handler(SIGUSR2, on_mask_usr2, 0, NULL);
  norder = 0;
  raise(SIGUSR1);
  CHECK(norder == 3 && order[0] == 1 && order[1] == 2 && order[2] == 3, "order n=%d %d %d %d", (int)norder,
        (int)order[0], (int)order[1], (int)order[2]);
  CHECK(!is_blocked(SIGUSR2) && !is_blocked(SIGUSR1), "mask restored");
  OK("sa_mask: blocked signal runs after the handler returns; mask restored");
}

static void on_nest(int sig) {
  depth++;
  if (depth > maxdepth) maxdepth = depth;
  hits++;
  if (hits < 3) raise(sig);
  depth--;
}

static void test_nodefer_resethand(void) {
  hits = depth = maxdepth = 0;
  set_handler(SIGUSR1, on_nest, 0, NULL);
  raise(SIGUSR1);
  CHECK(hits == 3 && maxdepth == 1, "hits %d depth %d", (int)hits, (int)maxdepth);
  OK("signal: the caught signal is blocked in its handler (no nesting)");
  hits = depth = maxdepth = 0;
  set_handler(SIGUSR1, on_nest, SA_NODEFER, NULL);
  raise(SIGUSR1);
  CHECK(hits == 3 && maxdepth == 3, "hits %d depth %d", (int)hits, (int)maxdepth);
  OK("SA_NODEFER: the handler nests");

  hits = 0;
  set_handler(SIGUSR2, on_count, SA_RESETHAND, NULL);
  raise(SIGUSR2);
  struct sigaction old;
  CHECK(hits == 1, "hits");
  CHECK(sigaction(SIGUSR2, NULL, &old) == 0 && old.sa_handler == SIG_DFL, "reset to SIG_DFL");
  OK("SA_RESETHAND: handler reset to SIG_DFL after one delivery");
  pid_t p = fork();
  if (p == 0) { set_handler(SIGUSR2, on_count, SA_RESETHAND, NULL); raise(SIGUSR2); raise(SIGUSR2); _exit(0); }
  int st;
  CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR2, "status %#x", st);
  OK("SA_RESETHAND: the second signal takes the default action");
}

static void test_procmask(void) {
  sigset_t m, old, pend;
  hits = 0;
  set_handler(SIGUSR1, on_count, 0, NULL);
  sigemptyset(&m);
  sigaddset(&m, SIGUSR1);
  CHECK(sigprocmask(SIG_BLOCK, &m, &old) == 0, "block");
  CHECK(!sigismember(&old, SIGUSR1), "old mask");
  raise(SIGUSR1);
  raise(SIGUSR1);
  CHECK(hits == 0, "blocked signal not delivered");
  CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2), "pending");
  OK("sigprocmask: blocked signal stays pending (sigpending shows it)");
  CHECK(sigprocmask(SIG_UNBLOCK, &m, NULL) == 0, "unblock");
  CHECK(hits == 1, "delivered once on unblock: %d", (int)hits);
  CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1), "no longer pending");
  OK("sigprocmask: unblock delivers the pending signal once (standard signals do not queue)");

  sigset_t all;
  sigfillset(&all);
  CHECK(sigprocmask(SIG_SETMASK, &all, NULL) == 0, "block all");
  CHECK(sigprocmask(SIG_SETMASK, NULL, &old) == 0, "query");
  CHECK(!sigismember(&old, SIGKILL) && !sigismember(&old, SIGSTOP), "KILL/STOP cannot be blocked");
  CHECK(sigismember(&old, SIGTERM), "TERM blocked");
  sigemptyset(&m);
  CHECK(sigprocmask(SIG_SETMASK, &m, NULL) == 0, "restore");
  OK("sigprocmask: SIGKILL and SIGSTOP cannot be blocked");
  CHECK_ERR(sigprocmask(12345, &m, NULL), EINVAL);
  OK("sigprocmask: bad how is EINVAL");

  /* pending signals are not inherited by a fork child; the mask and handlers are */
  sigaddset(&m, SIGUSR1);
  sigprocmask(SIG_BLOCK, &m, NULL);
  raise(SIGUSR1);
  pid_t p = fork();
  if (p == 0) {
    sigset_t pd, cur;
    sigpending(&pd);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    _exit(sigismember(&pd, SIGUSR1) ? 1 : !sigismember(&cur, SIGUSR1) ? 2 : sa.sa_handler != on_count ? 3 : 0);
  }
  int st;
  CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child step %d", WEXITSTATUS(st));
  hits = 0;
  sigprocmask(SIG_UNBLOCK, &m, NULL);
  CHECK(hits == 1, "parent still has it pending");
  OK("fork: child inherits mask and handlers, not pending signals");
}

static volatile sig_atomic_t info_ok;
static void on_info(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  info_ok = sig == SIGUSR1 && si->si_signo == SIGUSR1 && si->si_code == SI_QUEUE && si->si_value.sival_int == 42 &&
            si->si_pid == getpid() && si->si_uid == getuid();
}
static void on_info2(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  info_ok = sig == SIGUSR2 && si->si_signo == SIGUSR2 && si->si_code == SI_USER && si->si_pid == getpid();
}

static void test_siginfo(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_info;
  sa.sa_flags = SA_SIGINFO;
  CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
  union sigval v = { .sival_int = 42 };
  info_ok = 0;
  CHECK(sigqueue(getpid(), SIGUSR1, v) == 0 && info_ok, "sigqueue info");
  OK("SA_SIGINFO: sigqueue value, si_code SI_QUEUE, si_pid, si_uid");
  sa.sa_sigaction = on_info2;
  CHECK(sigaction(SIGUSR2, &sa, NULL) == 0, "sigaction");
  info_ok = 0;
  CHECK(kill(getpid(), SIGUSR2) == 0 && info_ok, "kill info");
  OK("SA_SIGINFO: kill gives SI_USER and the sender's pid");
}

static void test_sigsuspend_wait(void) {
  sigset_t m, empty, cur;
  sigemptyset(&m);
  sigaddset(&m, SIGUSR1);
  sigemptyset(&empty);
  hits = 0;
  set_handler(SIGUSR1, on_count, 0, NULL);
  sigprocmask(SIG_BLOCK, &m, NULL);
  pid_t p = fork();
  if (p == 0) { usleep(20000); kill(getppid(), SIGUSR1); _exit(0); }
  CHECK_ERR(sigsuspend(&empty), EINTR);
  CHECK(hits == 1, "handler ran");
  sigprocmask(SIG_BLOCK, NULL, &cur);
  CHECK(sigismember(&cur, SIGUSR1), "mask restored after sigsuspend");
  waitpid(p, NULL, 0);
  OK("sigsuspend: returns EINTR after the handler, old mask restored");

  raise(SIGUSR1);
  CHECK_ERR(sigsuspend(&empty), EINTR);
  CHECK(hits == 2, "already pending");
  OK("sigsuspend: a signal already pending is delivered at once");

  sigaddset(&m, SIGUSR2);
  sigprocmask(SIG_BLOCK, &m, NULL);
  raise(SIGUSR2);
  siginfo_t si;
  struct timespec ts = { 1, 0 };
  CHECK(sigtimedwait(&m, &si, &ts) == SIGUSR2 && si.si_signo == SIGUSR2, "sigtimedwait");
  OK("sigtimedwait: takes a pending blocked signal");
  ts.tv_sec = 0; ts.tv_nsec = 20 * 1000 * 1000;
  CHECK_ERR(sigtimedwait(&m, &si, &ts), EAGAIN);
  OK("sigtimedwait: EAGAIN on timeout");
  int sig = 0;
  kill(getpid(), SIGUSR2);
  CHECK(sigwait(&m, &sig) == 0 && sig == SIGUSR2, "sigwait %d", sig);
  OK("sigwait: returns the pending signal");
  sigprocmask(SIG_UNBLOCK, &m, NULL);
}

static sigjmp_buf jb;
static void on_jump(int sig) { siglongjmp(jb, sig); }

static void test_siglongjmp(void) {
  set_handler(SIGUSR1, on_jump, 0, NULL);
  volatile int passes = 0;
  int r = sigsetjmp(jb, 1);
  passes++;
  if (r == 0) { raise(SIGUSR1); CHECK(0, "siglongjmp did not leave the handler"); }
  CHECK(r == SIGUSR1 && passes == 2, "r %d passes %d", r, (int)passes);
  CHECK(!is_blocked(SIGUSR1), "mask restored by siglongjmp");
  OK("siglongjmp: out of a handler, signal mask restored");
  /* and it works again */
  r = sigsetjmp(jb, 1);
  if (r == 0) raise(SIGUSR1);
  CHECK(r == SIGUSR1 && !is_blocked(SIGUSR1), "second jump");
  OK("siglongjmp: a second time");
  r = sigsetjmp(jb, 0);
  if (r == 0) raise(SIGUSR1);
  CHECK(r == SIGUSR1 && is_blocked(SIGUSR1), "sigsetjmp(.., 0) keeps the handler mask");
  sigset_t m;
  sigemptyset(&m);
  sigprocmask(SIG_SETMASK, &m, NULL);
  OK("siglongjmp: sigsetjmp without savemask leaves the signal blocked");
}

static void test_einval(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_count;
  CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
  CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
  CHECK_ERR(sigaction(0, &sa, NULL), EINVAL);
  CHECK_ERR(sigaction(65, &sa, NULL), EINVAL);
  OK("sigaction: EINVAL for SIGKILL, SIGSTOP, 0, 65");
  CHECK_ERR(kill(getpid(), 65), EINVAL);
  CHECK_ERR(kill(getpid(), -1), EINVAL);
  OK("kill: EINVAL for an invalid signal");
  CHECK_ERR(kill(999999, SIGUSR1), ESRCH);
  OK("kill: ESRCH for a missing pid");
}

int main(void) {
  test_basic();
  test_samask();
  test_nodefer_resethand();
  test_procmask();
  test_siginfo();
  test_sigsuspend_wait();
  test_siglongjmp();
  test_einval();
  return checks_done();
}
