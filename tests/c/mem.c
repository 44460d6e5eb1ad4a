/* Memory: malloc/free of many sizes, a 64 MiB allocation, anonymous mmap (zeroed, page aligned), munmap,
 * mremap growth keeping contents, mprotect, brk, copy-on-fork of all of them.
 * Linux: mm/mmap.c, mm/mremap.c, mm/mmap.c (brk). */
#include "check.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/syscall.h>

static void test_malloc(void) {
  void *ptrs[512];
  size_t sizes[512];
  uint32_t x = 1;
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 512; i++) {
      x = x * 1664525 + 1013904223;
      sizes[i] = (x >> 8) % (i % 16 == 0 ? 200000 : 2000) + 1;
      ptrs[i] = malloc(sizes[i]);
      CHECK(ptrs[i] != NULL, "malloc %zu", sizes[i]);
      CHECK(((uintptr_t)ptrs[i] & 7) == 0, "alignment");
      memset(ptrs[i], i & 0xff, sizes[i]);
    }
    for (int i = 0; i < 512; i++) {
      unsigned char *p = ptrs[i];
      CHECK(p[0] == (i & 0xff) && p[sizes[i] - 1] == (i & 0xff), "block %d corrupted", i);
      if (i % 2 == round % 2) { free(ptrs[i]); ptrs[i] = NULL; }
    }
    for (int i = 0; i < 512; i++) if (ptrs[i]) { ptrs[i] = realloc(ptrs[i], sizes[i] * 2); CHECK(ptrs[i], "realloc"); }
    for (int i = 0; i < 512; i++) {
      unsigned char *p = ptrs[i];
      if (p) CHECK(p[sizes[i] - 1] == (i & 0xff), "realloc kept contents of block %d", i);
      free(p);
    }
  }
  OK("malloc: 2048 blocks of mixed sizes, realloc keeps contents");
  void *z = calloc(1000, 100);
  CHECK(z != NULL, "calloc");
  for (int i = 0; i < 100000; i++) CHECK(((char *)z)[i] == 0, "calloc zero");
  free(z);
  OK("calloc: zeroed");
  errno = 0;
  volatile size_t huge = (size_t)-1 - 4096;  /* volatile: the compiler may otherwise fold the test away */
  void *hp = malloc(huge);
  CHECK(hp == NULL && errno == ENOMEM, "huge malloc");
  free(hp);
  OK("malloc: an impossible size fails with ENOMEM");
}

static void test_big(void) {
  size_t n = 64u << 20;
  unsigned char *p = malloc(n);
  CHECK(p != NULL, "64 MiB malloc");
  memset(p, 0xa5, n);
  for (size_t i = 0; i < n; i += 4096) CHECK(p[i] == 0xa5, "byte %zu", i);
  CHECK(p[n - 1] == 0xa5, "last byte");
  free(p);
  OK("malloc: 64 MiB, memset, read back");
  p = malloc(n);
  CHECK(p != NULL, "64 MiB again after free");
  free(p);
  OK("malloc: 64 MiB again after free");
}

static void test_mmap(void) {
  size_t len = 10 * 4096 + 100;
  unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(m != MAP_FAILED, "mmap");
  CHECK(((uintptr_t)m & 4095) == 0, "page aligned");
  for (size_t i = 0; i < len; i++) CHECK(m[i] == 0, "zero at %zu", i);
  memset(m, 7, len);
  OK("mmap: anonymous memory is page aligned and zeroed");

  unsigned char *m2 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(m2 != MAP_FAILED && (m2 + 4096 <= m || m2 >= m + len), "second mapping does not overlap");
  CHECK(munmap(m2, 4096) == 0, "munmap");
  OK("mmap: a second mapping does not overlap; munmap");

  /* mremap growth (may move) keeps the contents */
  unsigned char *g = mremap(m, len, 64 * 4096, MREMAP_MAYMOVE);
  CHECK(g != MAP_FAILED, "mremap");
  for (size_t i = 0; i < len; i++) CHECK(g[i] == 7, "kept byte %zu", i);
  for (size_t i = 11 * 4096; i < 64 * 4096; i++) CHECK(g[i] == 0, "new part zero at %zu", i);
  g[64 * 4096 - 1] = 1;
  OK("mremap: growth keeps the contents, new pages zeroed");
  unsigned char *s = mremap(g, 64 * 4096, 4096, 0);
  CHECK(s == g && s[0] == 7, "shrink in place");
  OK("mremap: shrink in place");
  CHECK(munmap(s, 4096) == 0, "munmap");

  CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL, "len 0");
  CHECK(mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL, "no PRIVATE/SHARED");
  CHECK_ERR(munmap((void *)4097, 4096), EINVAL);
  OK("mmap: EINVAL for length 0 or missing MAP_PRIVATE/MAP_SHARED; munmap unaligned EINVAL");

  unsigned char *r = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(r != MAP_FAILED && mprotect(r, 4096, PROT_READ) == 0 && mprotect(r, 8192, PROT_READ | PROT_WRITE) == 0,
        "mprotect");
  r[0] = 1;
  CHECK(munmap(r, 8192) == 0, "munmap");
  OK("mprotect: change protections");

  /* a big mapping */
  size_t big = 32u << 20;
  unsigned char *b = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(b != MAP_FAILED, "32 MiB mmap");
  b[0] = 1; b[big - 1] = 2;
  CHECK(b[big / 2] == 0, "zero");
  CHECK(munmap(b, big) == 0, "munmap");
  OK("mmap: 32 MiB");
}

/* The raw brk syscall (musl's sbrk refuses nonzero increments because malloc owns the break): grow by
 * 64 KiB, use it, shrink back to where it was so that malloc's own idea of the break stays right. */
static void test_brk(void) {
  char *cur = (char *)syscall(SYS_brk, 0);
  CHECK(cur != NULL && cur != (char *)-1, "brk(0)");
  char *grown = (char *)syscall(SYS_brk, cur + 65536);
  CHECK(grown == cur + 65536, "brk grow");
  for (int i = 0; i < 65536; i++) CHECK(cur[i] == 0, "new break memory is zero at %d", i);
  memset(cur, 3, 65536);
  CHECK((char *)syscall(SYS_brk, 0) == grown, "brk(0) after growth");
  CHECK((char *)syscall(SYS_brk, cur) == cur, "brk shrink");
  OK("brk: grow by 64 KiB (zeroed, writable), query, shrink back");
  /* wasmux keeps 1 MiB free above the break once mappings exist (docs: brk in docs/syscalls.md); Linux
   * allows far more. 512 KiB holds on both. A refused brk must return the old break, never move it. */
  size_t big = 512u << 10;
  char *g2 = (char *)syscall(SYS_brk, cur + big);
  CHECK(g2 == cur + big, "brk grow by 512 KiB");
  cur[big - 1] = 1;
  CHECK((char *)syscall(SYS_brk, cur) == cur, "brk shrink");
  OK("brk: grow by 512 KiB, shrink back");
  char *g3 = (char *)syscall(SYS_brk, cur + (1u << 30));
  CHECK(g3 == cur || g3 == cur + (1u << 30), "a brk of 1 GiB either succeeds or leaves the break alone");
  if (g3 != cur) CHECK((char *)syscall(SYS_brk, cur) == cur, "brk shrink");
  OK("brk: a large request succeeds or fails cleanly");
  CHECK((char *)syscall(SYS_brk, (char *)16) == cur, "brk below the start is refused (returns the old break)");
  OK("brk: an invalid request returns the current break");
}

static void test_fork_copy(void) {
  unsigned char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(m != MAP_FAILED, "mmap");
  unsigned char *h = malloc(100000);
  m[0] = 1; h[99999] = 1;
  pid_t p = fork();
  if (p == 0) {
    int ok = m[0] == 1 && h[99999] == 1;
    m[0] = 2; h[99999] = 2;
    _exit(ok ? 0 : 1);
  }
  int st;
  CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child saw the parent's memory");
  CHECK(m[0] == 1 && h[99999] == 1, "child writes are private");
  OK("fork: mmap and heap memory copied, writes private");
  free(h);
  munmap(m, 4096);
}

int main(void) {
  test_malloc();
  test_big();
  test_mmap();
  test_brk();
  test_fork_copy();
  return checks_done();
}
