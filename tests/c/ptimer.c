/* POSIX timers: timer_create with SIGEV_SIGNAL delivers the chosen signal with SI_TIMER and the value;
 * periodic timers, timer_gettime, timer_delete, SIGEV_NONE. */
#include "check.h"
#include <signal.h>
#include <time.h>

static volatile int hits, last_code, last_val;
static void on_sig(int s, siginfo_t *si, void *uc) { (void)s; (void)uc; hits++; last_code = si->si_code; last_val = si->si_value.sival_int; }

int main(void) {
  struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
  sigaction(SIGUSR1, &sa, NULL);
  struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1, .sigev_value.sival_int = 42 };
  timer_t tm;
  CHECK(timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0, "timer_create");
  struct itimerspec its = { .it_value = { 0, 20 * 1000000 } };
  CHECK(timer_settime(tm, 0, &its, NULL) == 0, "settime");
  while (hits == 0) pause();
  CHECK(hits == 1 && last_code == SI_TIMER && last_val == 42, "one-shot: code %d val %d", last_code, last_val);
  OK("timer_create: one-shot SIGEV_SIGNAL with SI_TIMER and sigev_value");
  its.it_interval.tv_nsec = 10 * 1000000;
  its.it_value.tv_nsec = 10 * 1000000;
  CHECK(timer_settime(tm, 0, &its, NULL) == 0, "periodic");
  while (hits < 4) pause();
  struct itimerspec cur;
  CHECK(timer_gettime(tm, &cur) == 0 && cur.it_interval.tv_nsec == 10 * 1000000, "gettime");
  CHECK(timer_delete(tm) == 0, "delete");
  int before = hits;
  usleep(50000);
  CHECK(hits == before, "no signal after delete");
  OK("timer_create: periodic, gettime, delete stops it");
  sev.sigev_notify = SIGEV_NONE;
  CHECK(timer_create(CLOCK_REALTIME, &sev, &tm) == 0, "SIGEV_NONE");
  its.it_interval.tv_nsec = 0; its.it_value.tv_sec = 10; its.it_value.tv_nsec = 0;
  CHECK(timer_settime(tm, 0, &its, NULL) == 0, "arm");
  CHECK(timer_gettime(tm, &cur) == 0 && cur.it_value.tv_sec >= 9, "remaining");
  CHECK(timer_delete(tm) == 0, "delete");
  CHECK(timer_delete(tm) != 0, "deleted twice fails"); /* glibc: -1/EINVAL; musl returns -EINVAL itself */
  OK("timer_create: SIGEV_NONE keeps time, EINVAL after delete");
  return checks_done();
}
