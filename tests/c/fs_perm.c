/* Filesystem permissions for an ordinary user (uid/gid 1000) against root: mode bits, search permission,
 * sticky directories, who may chmod/chown/utimes, access() with real ids, execute permission.
 * Linux: fs/namei.c generic_permission, may_delete; fs/attr.c; fs/open.c do_faccessat. Runs as root and
 * drops to uid 1000 in a child. */
#include "check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char dir[128], rootfile[160], userfile[160], secret[160], sticky[160], inroot[200];

static void as_user(void) {
  CHECK(setgid(1000) == 0 && setuid(1000) == 0, "drop to uid 1000");
  CHECK(getuid() == 1000 && geteuid() == 1000, "ids");
  CHECK(open(rootfile, O_RDONLY) >= 0, "read a 0644 root file");
  CHECK_ERR(open(rootfile, O_WRONLY), EACCES);
  CHECK_ERR(open(secret, O_RDONLY), EACCES);
  CHECK_ERR(truncate(rootfile, 0), EACCES);
  CHECK_ERR(open(inroot, O_RDONLY), EACCES);
  struct stat st;
  CHECK_ERR(stat(inroot, &st), EACCES);
  char p[200];
  snprintf(p, sizeof p, "%s/new", dir);
  CHECK_ERR(open(p, O_WRONLY | O_CREAT, 0644), EACCES);
  CHECK_ERR(mkdir(p, 0755), EACCES);
  CHECK_ERR(unlink(rootfile), EACCES);
  OK("user: mode bits and directory write/search permission");

  CHECK_ERR(chmod(rootfile, 0777), EPERM);
  CHECK_ERR(chown(userfile, 0, -1), EPERM);
  CHECK_ERR(chown(userfile, -1, 0), EPERM);
  CHECK(chown(userfile, 1000, 1000) == 0, "chown to oneself");
  CHECK(chmod(userfile, 0600) == 0, "chmod own file");
  struct timespec ts[2] = {{1, 0}, {2, 0}};
  CHECK_ERR(utimensat(AT_FDCWD, rootfile, ts, 0), EPERM);
  CHECK_ERR(utimensat(AT_FDCWD, rootfile, NULL, 0), EACCES);
  CHECK(utimensat(AT_FDCWD, userfile, ts, 0) == 0, "utimensat on own file");
  OK("user: chmod, chown, utimensat need ownership");

  snprintf(p, sizeof p, "%s/theirs", sticky);
  CHECK_ERR(unlink(p), EPERM);
  char mine[200];
  snprintf(mine, sizeof mine, "%s/mine", sticky);
  int fd = open(mine, O_WRONLY | O_CREAT, 0644);
  CHECK(fd >= 0, "create in a sticky world-writable directory");
  close(fd);
  CHECK_ERR(rename(p, mine), EPERM);
  CHECK(unlink(mine) == 0, "remove own file in a sticky directory");
  OK("user: sticky directory");

  CHECK(access(rootfile, R_OK) == 0, "access R_OK");
  CHECK_ERR(access(rootfile, W_OK), EACCES);
  CHECK_ERR(access(secret, R_OK), EACCES);
  char *argv[] = {rootfile, NULL};
  CHECK_ERR(execv(rootfile, argv), EACCES);
  CHECK_ERR(execv(dir, argv), EACCES);
  OK("user: access and execve permission");
  exit(checks_done());
}

int main(void) {
  strcpy(dir, "/tmp/ctest-perm.XXXXXX");
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  CHECK(chmod(dir, 0755) == 0, "chmod scratch dir");
  snprintf(rootfile, sizeof rootfile, "%s/rootfile", dir);
  snprintf(userfile, sizeof userfile, "%s/userfile", dir);
  snprintf(secret, sizeof secret, "%s/secret", dir);
  snprintf(sticky, sizeof sticky, "%s/sticky", dir);
  int fd = open(rootfile, O_WRONLY | O_CREAT, 0644); close(fd);
  fd = open(secret, O_WRONLY | O_CREAT, 0600); close(fd);
  fd = open(userfile, O_WRONLY | O_CREAT, 0644); close(fd);
  CHECK(chown(userfile, 1000, 1000) == 0, "chown");
  CHECK(mkdir(sticky, 0777) == 0 && chmod(sticky, 01777) == 0, "sticky dir");
  char p[200];
  snprintf(p, sizeof p, "%s/theirs", sticky);
  fd = open(p, O_WRONLY | O_CREAT, 0666); close(fd);
  char locked[160];
  snprintf(locked, sizeof locked, "%s/locked", dir);
  CHECK(mkdir(locked, 0700) == 0, "mkdir 0700");
  snprintf(inroot, sizeof inroot, "%s/f", locked);
  fd = open(inroot, O_WRONLY | O_CREAT, 0644); close(fd);

  CHECK_ERR(access(rootfile, X_OK), EACCES);
  CHECK(access(secret, R_OK | W_OK) == 0 && open(secret, O_RDWR) >= 0, "root bypasses read/write bits");
  OK("root: bypasses rw bits, not x on a non-executable");

  pid_t pid = fork();
  if (pid == 0) as_user();
  int status;
  CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "user checks");

  unlink(p); unlink(inroot); rmdir(locked); rmdir(sticky);
  unlink(rootfile); unlink(userfile); unlink(secret);
  CHECK(rmdir(dir) == 0, "cleanup");
  return checks_done();
}
