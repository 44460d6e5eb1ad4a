/* Shared helpers of the C syscall conformance tests (tests/c/NAME.c). Each test passes on real Linux
 * (built with the system cc) and must pass in wasmux (built with wasm/wasmux-cc); tests/c.test.ts runs
 * both and compares stdout. Print only deterministic text (never pids, times or addresses).
 *
 *   CHECK(cond, "fmt", ...)   on failure: message + errno to stderr, exit 1 (prints nothing to stdout);
 *                             with CHECK_KEEP_GOING=1 in the environment (debugging: see every failure at
 *                             once) it also prints "FAIL ..." to stdout and continues; main returns
 *                             checks_done(), which is 1 if anything failed
 *   OK("fmt", ...)            one line "fmt ok" on stdout for a passed check
 *   CHECK_ERR(expr, E)        expr returns -1 with errno E
 */
#ifndef WASMUX_CHECK_H
#define WASMUX_CHECK_H
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

static int check_failures;

#define CHECK(cond, ...) do { \
    if (!(cond)) { \
      int e_ = errno; \
      fflush(stdout); \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__); \
      fprintf(stderr, " (errno %d %s)\n", e_, strerror(e_)); \
      if (!getenv("CHECK_KEEP_GOING")) exit(1); \
      printf("FAIL line %d\n", __LINE__); \
      check_failures++; \
    } \
  } while (0)

static inline int checks_done(void) { return check_failures ? 1 : 0; }

#define OK(...) do { printf(__VA_ARGS__); printf(" ok\n"); fflush(stdout); } while (0)

#define CHECK_ERR(expr, E) do { \
    errno = 0; \
    long r_ = (long)(expr); \
    CHECK(r_ == -1 && errno == (E), "%s: want -1/%s, got %ld/%s", #expr, #E, r_, strerror(errno)); \
  } while (0)

/* A private scratch directory under /tmp; scratch_cleanup() removes it and the files directly in it. */
static inline const char *scratch_dir(void) {
  static char d[64];
  if (!d[0]) {
    strcpy(d, "/tmp/ctest.XXXXXX");
    CHECK(mkdtemp(d) != NULL, "mkdtemp");
  }
  return d;
}

/* "<scratch dir>/<name>", a new string each call (never freed: tests are short-lived). */
static inline char *scratch(const char *name) {
  size_t n = strlen(scratch_dir()) + strlen(name) + 2;
  char *b = malloc(n);
  CHECK(b != NULL, "malloc");
  snprintf(b, n, "%s/%s", scratch_dir(), name);
  return b;
}

static inline void scratch_cleanup(void) {
  if (!scratch_dir()[0]) return;
  DIR *d = opendir(scratch_dir());
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
        char *p = scratch(e->d_name);
        if (unlink(p) != 0) rmdir(p);
      }
    }
    closedir(d);
  }
  CHECK(rmdir(scratch_dir()) == 0, "remove the scratch directory");
}

/* Read exactly n bytes unless EOF comes first; -1 on error. */
static inline ssize_t readn(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r < 0) return -1;
    if (r == 0) break;
    got += r;
  }
  return got;
}

#endif
