/* setjmp/longjmp across functions (wasm: the SjLj lowering with exception handling, which must survive the
 * Asyncify post-link), values preserved in volatile locals, longjmp(env, 0) returning 1, nested jump
 * buffers, jumps over frames that made syscalls and blocked, and across fork. */
#include "check.h"
#include <setjmp.h>
#include <sys/wait.h>

static jmp_buf env;
static int depth_reached;

static void deep(int n) {
  depth_reached = n;
  if (n == 0) longjmp(env, 42);
  char pad[64];
  memset(pad, n, sizeof pad);
  if (n > 0) deep(n - 1);
  CHECK(pad[0] == n, "unreachable");
}

static void jump_zero(void) { longjmp(env, 0); }

static jmp_buf outer, inner;
static int nested(void) {
  volatile int stage = 0;
  if (setjmp(inner) == 0) {
    stage = 1;
    longjmp(inner, 1);
  }
  stage = 2;
  longjmp(outer, stage);
}

static void after_sleep(void) {
  usleep(1000);        /* a blocking syscall: the process is unwound and rewound in wasmux */
  getpid();
  longjmp(env, 7);
}

int main(void) {
  volatile int count = 0;
  int r = setjmp(env);
  count++;
  if (r == 0) deep(100);
  CHECK(r == 42 && count == 2 && depth_reached == 0, "r %d count %d", r, (int)count);
  OK("longjmp: out of 100 nested calls, value 42, volatile local kept");

  r = setjmp(env);
  if (r == 0) jump_zero();
  CHECK(r == 1, "longjmp(env, 0) gives %d", r);
  OK("longjmp: a value of 0 becomes 1");

  r = setjmp(outer);
  if (r == 0) nested();
  CHECK(r == 2, "nested r %d", r);
  OK("longjmp: nested jump buffers");

  volatile int loops = 0;
  r = setjmp(env);
  if (loops < 1000) { loops++; longjmp(env, loops); }
  CHECK(loops == 1000 && r == 1000, "loops %d r %d", (int)loops, r);
  OK("longjmp: 1000 jumps to the same buffer");

  r = setjmp(env);
  if (r == 0) after_sleep();
  CHECK(r == 7, "r %d", r);
  OK("longjmp: after a blocking syscall in the jumping function");

  pid_t p = fork();
  if (p == 0) {
    int rr = setjmp(env);
    if (rr == 0) deep(10);
    _exit(rr == 42 ? 0 : 1);
  }
  int st;
  CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
  OK("setjmp/longjmp: in a forked child");

  r = setjmp(env);
  if (r == 0) {
    pid_t q = fork();
    if (q == 0) longjmp(env, 5);  /* the child jumps to a buffer set before the fork */
    CHECK(waitpid(q, &st, 0) == q, "wait");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "child status %#x", st);
    OK("longjmp: a forked child jumps to a buffer set before fork");
  } else {
    _exit(r);
  }
  return checks_done();
}
