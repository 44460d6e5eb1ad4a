/* Syscall round trip: getppid N times (default 1,000,000). Prints elapsed ms.
 * Under WASI (node:wasi peer) there is no getppid: the loop calls args_sizes_get instead, the cheapest
 * host call there (the WASI runtime answers it from memory, as wasmux answers getppid). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#else
#include <sys/syscall.h>
#endif

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  struct timespec a, b;
  volatile long sink = 0;
  clock_gettime(CLOCK_MONOTONIC, &a);
#ifdef __wasi__
  for (long i = 0; i < n; i++) {
    __wasi_size_t c, s;
    sink += __wasi_args_sizes_get(&c, &s) + c;
  }
#else
  for (long i = 0; i < n; i++) sink += syscall(SYS_getppid);
#endif
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.1f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
  return 0;
}
