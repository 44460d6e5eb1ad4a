/* Clocks and sleeps: clock_gettime (MONOTONIC, REALTIME, BOOTTIME, CPU clocks), clock_getres, nanosleep and
 * clock_nanosleep (relative, absolute, EINTR with the remaining time), gettimeofday, time, times.
 * Linux: kernel/time/posix-timers.c, kernel/time/hrtimer.c. */
#include "check.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static long long ns(const struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }

static long long now_ns(clockid_t c) {
  struct timespec t;
  CHECK(clock_gettime(c, &t) == 0, "clock_gettime %d", (int)c);
  CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000, "tv_nsec range");
  return ns(&t);
}

static void on_alrm(int s) { (void)s; }

int main(void) {
  long long a = now_ns(CLOCK_MONOTONIC), prev = a;
  for (int i = 0; i < 1000; i++) {
    long long b = now_ns(CLOCK_MONOTONIC);
    CHECK(b >= prev, "monotonic went back");
    prev = b;
  }
  OK("clock_gettime: CLOCK_MONOTONIC never goes back (1000 reads)");
  volatile unsigned x = 0;
  for (int i = 0; i < 3000000; i++) x += i;
  CHECK(now_ns(CLOCK_MONOTONIC) > a, "monotonic advances");
  OK("clock_gettime: CLOCK_MONOTONIC advances");
  long long rt = now_ns(CLOCK_REALTIME);
  CHECK(rt / 1000000000LL > 1600000000LL, "realtime is after 2020");
  CHECK(now_ns(CLOCK_BOOTTIME) >= 0 && now_ns(CLOCK_MONOTONIC_RAW) >= 0 && now_ns(CLOCK_REALTIME_COARSE) > 0 &&
        now_ns(CLOCK_MONOTONIC_COARSE) >= 0, "other clocks");
  OK("clock_gettime: REALTIME after 2020; BOOTTIME, MONOTONIC_RAW, COARSE clocks work");
  long long c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
  for (int i = 0; i < 20000000; i++) x += i;
  CHECK(now_ns(CLOCK_PROCESS_CPUTIME_ID) >= c0 && now_ns(CLOCK_THREAD_CPUTIME_ID) >= 0, "cpu clocks");
  OK("clock_gettime: CPU-time clocks");
  struct timespec res;
  CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && ns(&res) > 0 && ns(&res) <= 10000000, "res %lld", ns(&res));
  OK("clock_getres: CLOCK_MONOTONIC resolution is at most 10 ms");
  struct timespec t;
  CHECK_ERR(clock_gettime((clockid_t)12345, &t), EINVAL);
  OK("clock_gettime: EINVAL for an unknown clock");

  a = now_ns(CLOCK_MONOTONIC);
  struct timespec req = { 0, 50 * 1000000 };
  CHECK(nanosleep(&req, NULL) == 0, "nanosleep");
  long long slept = now_ns(CLOCK_MONOTONIC) - a;
  CHECK(slept >= 50000000LL, "slept only %lld ns", slept);
  CHECK(slept < 5000000000LL, "slept %lld ns", slept);
  OK("nanosleep: 50 ms takes at least 50 ms");
  req.tv_nsec = 1000000000;
  CHECK_ERR(nanosleep(&req, NULL), EINVAL);
  req.tv_sec = -1; req.tv_nsec = 0;
  CHECK_ERR(nanosleep(&req, NULL), EINVAL);
  OK("nanosleep: EINVAL for a bad timespec");
  req.tv_sec = 0; req.tv_nsec = 0;
  CHECK(nanosleep(&req, NULL) == 0, "zero sleep");
  OK("nanosleep: zero returns at once");

  a = now_ns(CLOCK_MONOTONIC);
  struct timespec abs_t = { (a + 30000000) / 1000000000, (a + 30000000) % 1000000000 };
  CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs_t, NULL) == 0, "absolute");
  CHECK(now_ns(CLOCK_MONOTONIC) >= ns(&abs_t), "woke before the deadline");
  OK("clock_nanosleep: TIMER_ABSTIME waits until the deadline");
  abs_t.tv_sec = 0; abs_t.tv_nsec = 1;
  CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs_t, NULL) == 0, "past deadline");
  OK("clock_nanosleep: a past deadline returns at once");
  struct timespec rel = { 0, 20000000 };
  a = now_ns(CLOCK_REALTIME);
  CHECK(clock_nanosleep(CLOCK_REALTIME, 0, &rel, NULL) == 0 && now_ns(CLOCK_REALTIME) - a >= 19000000LL, "rt");
  OK("clock_nanosleep: relative on CLOCK_REALTIME");

  /* EINTR with the remaining time */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alrm;
  sigaction(SIGUSR1, &sa, NULL);
  pid_t p = fork();
  if (p == 0) { usleep(30000); kill(getppid(), SIGUSR1); _exit(0); }
  struct timespec longreq = { 5, 0 }, rem = { 0, 0 };
  a = now_ns(CLOCK_MONOTONIC);
  CHECK_ERR(nanosleep(&longreq, &rem), EINTR);
  CHECK(now_ns(CLOCK_MONOTONIC) - a < 4000000000LL, "interrupted early");
  CHECK(rem.tv_sec >= 3 && rem.tv_sec <= 5 && (rem.tv_sec < 5 || rem.tv_nsec == 0), "rem %lld.%09ld",
        (long long)rem.tv_sec, rem.tv_nsec);
  CHECK(rem.tv_sec < 5, "remaining time is less than the request");
  waitpid(p, NULL, 0);
  OK("nanosleep: EINTR from a handler, remaining time reported");

  struct timeval tv;
  CHECK(gettimeofday(&tv, NULL) == 0, "gettimeofday");
  CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "usec");
  long long diff = (long long)tv.tv_sec - now_ns(CLOCK_REALTIME) / 1000000000LL;
  CHECK(diff >= -1 && diff <= 1, "gettimeofday agrees with CLOCK_REALTIME (%lld)", diff);
  time_t tt = time(NULL);
  CHECK(tt - tv.tv_sec >= -1 && tt - tv.tv_sec <= 1, "time()");
  OK("gettimeofday/time: agree with CLOCK_REALTIME");

  struct tms tm;
  clock_t c1 = times(&tm);
  CHECK(c1 != (clock_t)-1, "times");
  usleep(30000);
  clock_t c2 = times(&tm);
  CHECK(c2 - c1 >= 2 && c2 - c1 < 500, "times advances in ticks: %ld", (long)(c2 - c1));
  CHECK(sysconf(_SC_CLK_TCK) == 100, "CLK_TCK");
  OK("times: elapsed ticks at 100 Hz");
  return checks_done();
}
