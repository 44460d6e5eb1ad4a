/* execve and posix_spawn (needs /bin/sh: the real root image in wasmux, dash or bash natively): exit
 * statuses through the shell, ENOENT/EACCES/ENOEXEC-free errors, #! scripts, close-on-exec, argv/envp
 * passing, signal dispositions across exec. Linux: fs/exec.c, fs/binfmt_script.c. */
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

static int run_sh(const char *cmd) {
  pid_t p = fork();
  CHECK(p >= 0, "fork");
  if (p == 0) {
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  int st;
  CHECK(waitpid(p, &st, 0) == p, "waitpid");
  return st;
}

/* Run argv in a child with stdout to a pipe; returns the output (static buffer) and the status. */
static char *capture(char *const argv[], char *const envp[], int *status) {
  static char out[4096];
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  pid_t p = fork();
  if (p == 0) {
    dup2(fds[1], 1);
    close(fds[0]); close(fds[1]);
    execve(argv[0], argv, envp);
    _exit(127);
  }
  close(fds[1]);
  size_t n = 0;
  ssize_t r;
  while ((r = read(fds[0], out + n, sizeof out - 1 - n)) > 0) n += r;
  out[n] = 0;
  close(fds[0]);
  CHECK(waitpid(p, status, 0) == p, "waitpid");
  return out;
}

static void write_file(const char *path, const char *text, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  CHECK(fd >= 0, "create %s", path);
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write");
  CHECK(close(fd) == 0 && chmod(path, mode) == 0, "close/chmod");
}

static void test_status(void) {
  int st = run_sh("exit 5");
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "status %#x", st);
  OK("execve: /bin/sh -c 'exit 5' gives status 5");
  st = run_sh("kill -TERM $$");
  CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %#x", st);
  OK("execve: a shell that kills itself reports SIGTERM");
  st = run_sh("true");
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
  OK("execve: sh -c true exits 0");
}

static void test_errors(void) {
  char *argv[] = { "x", NULL };
  CHECK_ERR(execve("/nonexistent/prog", argv, environ), ENOENT);
  OK("execve: ENOENT for a missing file");
  CHECK_ERR(execve("/nonexistent", argv, environ), ENOENT);
  CHECK_ERR(execve("/tmp", argv, environ), EACCES);
  OK("execve: EACCES for a directory");
  char *f = scratch("noexec");
  write_file(f, "#!/bin/sh\nexit 3\n", 0644);
  CHECK_ERR(execve(f, argv, environ), EACCES);
  OK("execve: EACCES for a file without execute permission");
  char path[200];
  snprintf(path, sizeof path, "%s/sub", f);
  CHECK_ERR(execve(path, argv, environ), ENOTDIR);
  OK("execve: ENOTDIR when a path component is a file");
  CHECK(unlink(f) == 0, "unlink");
  /* the caller survives a failed execve with its memory intact */
  static int canary = 1234;
  CHECK_ERR(execve("/nonexistent", argv, environ), ENOENT);
  CHECK(canary == 1234, "canary");
  OK("execve: the caller continues after a failed execve");
}

static void test_script(void) {
  char *f = scratch("script.sh");
  write_file(f, "#!/bin/sh\necho \"script $# $1 $2\"\nexit 6\n", 0755);
  char *argv[] = { f, "one", "two", NULL };
  int st;
  char *out = capture(argv, environ, &st);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 6, "status %#x", st);
  CHECK(strcmp(out, "script 2 one two\n") == 0, "output '%s'", out);
  OK("execve: #! script gets its arguments and exit status");

  write_file(f, "#!/bin/sh -e\nfalse\necho not reached\n", 0755);
  char *argv2[] = { f, NULL };
  out = capture(argv2, environ, &st);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1 && out[0] == 0, "status %#x out '%s'", st, out);
  OK("execve: #! line with an option argument");

  write_file(f, "#!/nonexistent/interp\n", 0755);
  CHECK_ERR(execve(f, argv2, environ), ENOENT);
  OK("execve: ENOENT for a missing interpreter");
  CHECK(unlink(f) == 0, "unlink");
}

static void test_args_env(void) {
  char *argv[] = { "/bin/sh", "-c", "echo \"$0|$1|$FOO|${BAR-unset}\"", "zero", "first arg", NULL };
  char *envp[] = { "FOO=foo value", "PATH=/bin:/usr/bin", NULL };
  int st;
  char *out = capture(argv, envp, &st);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status");
  CHECK(strcmp(out, "zero|first arg|foo value|unset\n") == 0, "output '%s'", out);
  OK("execve: argv and envp reach the new program");

  static char big[100000];
  memset(big, 'a', sizeof big - 1);
  memcpy(big, "BIG=", 4);
  char *envp2[] = { big, NULL };
  char *argv2[] = { "/bin/sh", "-c", "echo ${#BIG}", NULL };
  out = capture(argv2, envp2, &st);
  CHECK(strcmp(out, "99995\n") == 0, "output '%s'", out);
  OK("execve: a 100 kB environment string");
}

static void test_cloexec(void) {
  int fd = open("/dev/null", O_WRONLY);
  CHECK(dup2(fd, 9) == 9, "dup2 9");
  close(fd);
  char *argv[] = { "/bin/sh", "-c", "echo x >&9; echo $?", NULL };
  char *envp[] = { "PATH=/bin:/usr/bin", NULL };
  int st;
  char *out = capture(argv, envp, &st);
  CHECK(strcmp(out, "0\n") == 0, "open fd 9: '%s'", out);
  OK("execve: fd 9 without FD_CLOEXEC stays open in the new program");
  CHECK(fcntl(9, F_SETFD, FD_CLOEXEC) == 0, "F_SETFD");
  char *argv2[] = { "/bin/sh", "-c", "{ echo x >&9; } 2>/dev/null; echo $?", NULL };
  out = capture(argv2, envp, &st);
  CHECK(strcmp(out, "0\n") != 0 && out[0] != 0, "fd 9 should be closed: '%s'", out);
  OK("execve: fd 9 with FD_CLOEXEC is closed in the new program");
  CHECK(fcntl(9, F_GETFD) == FD_CLOEXEC, "still open here");
  close(9);
}

static void test_signals_across_exec(void) {
  /* ignored signals stay ignored, caught ones are reset to default, the mask is kept */
  int st;
  pid_t p = fork();
  if (p == 0) {
    signal(SIGTERM, SIG_IGN);
    execl("/bin/sh", "sh", "-c", "kill -TERM $$; exit 4", (char *)NULL);
    _exit(127);
  }
  CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 4, "status %#x", st);
  OK("execve: an ignored signal stays ignored");
}

static void on_usr1(int s) { (void)s; }

static void test_handler_reset(void) {
  int st;
  pid_t p = fork();
  if (p == 0) {
    signal(SIGUSR1, on_usr1);
    execl("/bin/sh", "sh", "-c", "kill -USR1 $$; exit 4", (char *)NULL);
    _exit(127);
  }
  CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "status %#x", st);
  OK("execve: a caught signal is reset to the default action");
}

static void test_spawn(void) {
  pid_t p;
  int st;
  char *argv[] = { "sh", "-c", "exit 9", NULL };
  CHECK(posix_spawn(&p, "/bin/sh", NULL, NULL, argv, environ) == 0, "posix_spawn");
  CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 9, "status %#x", st);
  OK("posix_spawn: /bin/sh exit 9");
  CHECK(posix_spawnp(&p, "sh", NULL, NULL, argv, environ) == 0, "posix_spawnp");
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 9, "status %#x", st);
  OK("posix_spawnp: found through PATH");
  int r = posix_spawn(&p, "/nonexistent", NULL, NULL, argv, environ);
  if (r == 0) { /* glibc reports the exec failure as exit 127 */
    CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 127, "status %#x", st);
  } else {
    CHECK(r == ENOENT, "posix_spawn error %d", r);
  }
  OK("posix_spawn: a missing program fails");

  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  char *argv2[] = { "sh", "-c", "echo spawned", NULL };
  CHECK(posix_spawn(&p, "/bin/sh", &fa, NULL, argv2, environ) == 0, "spawn with file actions");
  close(fds[1]);
  char buf[64] = {0};
  size_t n = 0;
  ssize_t k;
  while ((k = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0) n += k;
  CHECK(strcmp(buf, "spawned\n") == 0, "output '%s'", buf);
  CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 0, "status");
  posix_spawn_file_actions_destroy(&fa);
  close(fds[0]);
  OK("posix_spawn: file actions redirect stdout");
}

int main(void) {
  test_status();
  test_errors();
  test_script();
  test_args_env();
  test_cloexec();
  test_signals_across_exec();
  test_handler_reset();
  test_spawn();
  scratch_cleanup();
  return checks_done();
}
