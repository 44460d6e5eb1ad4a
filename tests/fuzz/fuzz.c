/* Syscall fuzzer for wasmux (never run natively: random syscalls as root would harm the host).
 * Calls random syscall numbers with random arguments N times (default 100000). The arguments come from a
 * pool of interesting values: small integers, -1, flag-like bit patterns, NULL and near-NULL pointers,
 * out-of-range pointers, and pointers into a private scratch buffer (so that writes by the kernel land
 * there and not in the fuzzer's own data). Calls that would end the fuzzer or take away the means of
 * interrupting it are skipped (exit, fork/exec, signal setup, unmapping memory, the wasmux private calls).
 * A periodic SIGALRM without SA_RESTART interrupts any call that blocks. Exit status 0 = completed. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <fcntl.h>

/* Pointer arguments point into the first 64 KiB of a 64 MiB mapping. Any value the fuzzer passes is
 * either small, above 2 GiB, or such a pointer (a few MiB as a number), so even a pointer used as a
 * length keeps a kernel write inside the mapping and away from the fuzzer's own stack and data. */
#include <sys/mman.h>
#define SCRATCH_SPAN (1 << 16)
static unsigned char *scratch;
static uint64_t rng;

static uint32_t rnd(void) {
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return (uint32_t)rng;
}

static long arg(void) {
  switch (rnd() % 12) {
    case 0: return 0;
    case 1: return -1;
    case 2: return rnd() % 8;
    case 3: return rnd() % 4096;
    /* Large values stay above 2 GiB so that, taken as pointers, they never land in the fuzzer's own
     * stack or data (its memory is a few MiB); flag patterns stay below the first page. */
    case 4: return (long)(rnd() | 0x80000000u);
    case 5: return 1L << (rnd() % 12);
    case 6: return (long)(scratch + (rnd() % (SCRATCH_SPAN - 512)));
    case 7: return (long)(scratch + (rnd() % (SCRATCH_SPAN - 512)));
    case 8: return 16;
    case 9: return (long)0xfffffff0u;
    case 10: return -100; /* AT_FDCWD */
    default: return (long)(rnd() % 64);
  }
}

static int skipped(long n) {
  switch (n) {
    case SYS_exit: case SYS_exit_group: case SYS_clone: case SYS_execve: case SYS_execveat:
#ifdef SYS_clone3
    case SYS_clone3:
#endif
    case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo:
    case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_rt_sigreturn: case SYS_rt_sigsuspend:
    case SYS_setitimer: case SYS_timer_create: case SYS_sigaltstack:
    case SYS_munmap: case SYS_mremap: case SYS_mmap2: case SYS_madvise: case SYS_brk:
    case SYS_set_tid_address: case SYS_setrlimit: case SYS_prlimit64:
    case 1024: case 1025: /* wasmux_init, wasmux_sigdeliver */
      return 1;
  }
  return 0;
}

static void on_alarm(int s) { (void)s; }

int main(int argc, char **argv) {
  long iters = argc > 1 ? atol(argv[1]) : 100000;
  rng = argc > 2 ? strtoull(argv[2], 0, 0) : 0x9e3779b97f4a7c15ULL;
  scratch = mmap(0, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (scratch == MAP_FAILED) return 4;
  /* Keep a copy of stderr out of the way: the fuzzer may close or overwrite fds 0-2. */
  int out = fcntl(2, F_DUPFD, 1000);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm; /* no SA_RESTART: a blocked call returns EINTR */
  sigaction(SIGALRM, &sa, 0);
  signal(SIGPIPE, SIG_IGN);
  struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
  setitimer(ITIMER_REAL, &it, 0);
  long calls = 0, errors = 0;
  for (long i = 0; i < iters; i++) {
    long n = rnd() % 460;
    if (rnd() % 64 == 0) n = 1000 + rnd() % 100;
    if (skipped(n)) continue;
    long a = arg(), b = arg(), c = arg(), d = arg(), e = arg(), f = arg();
    long r = syscall(n, a, b, c, d, e, f);
    calls++;
    if (r < 0) errors++;
  }
  /* Still alive and able to do ordinary work; the report is best effort (fd 1000 may be gone too). */
  char msg[96];
  int len = snprintf(msg, sizeof msg, "fuzz: %ld calls, %ld errors\n", calls, errors);
  if (out >= 0) write(out, msg, len);
  return 0;
}
