/* The namespace: mkdir/rmdir, rename, link counts, symlink/readlink, readdir (getdents64), chmod/chown and
 * access as root, umask, utimensat, chdir/getcwd. Linux: fs/namei.c, fs/readdir.c, fs/attr.c, fs/utimes.c. */
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>

static void touch(const char *p, const char *text) {
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0, "create %s", p);
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write");
  close(fd);
}

static nlink_t links(const char *p) {
  struct stat st;
  CHECK(lstat(p, &st) == 0, "lstat %s", p);
  return st.st_nlink;
}

static void slurp(const char *p, char *buf, size_t n) {
  int fd = open(p, O_RDONLY);
  CHECK(fd >= 0, "open %s", p);
  ssize_t r = read(fd, buf, n - 1);
  CHECK(r >= 0, "read");
  buf[r] = 0;
  close(fd);
}

static void test_mkdir_rmdir(void) {
  char *d = scratch("d");
  CHECK(mkdir(d, 0755) == 0, "mkdir");
  CHECK_ERR(mkdir(d, 0755), EEXIST);
  OK("mkdir: creates, then EEXIST");
  nlink_t parent = links(scratch_dir());
  CHECK(links(d) == 2, "new dir nlink %d", (int)links(d));
  char *sub = scratch("d/sub");
  CHECK(mkdir(sub, 0700) == 0, "mkdir sub");
  CHECK(links(d) == 3, "nlink after subdir %d", (int)links(d));
  CHECK(links(scratch_dir()) == parent, "parent unchanged");
  OK("mkdir: directory link counts (2, +1 per subdirectory)");
  CHECK_ERR(rmdir(d), ENOTEMPTY);
  OK("rmdir: ENOTEMPTY");
  CHECK(rmdir(sub) == 0 && links(d) == 2, "rmdir sub");
  char *f = scratch("d/f");
  touch(f, "x");
  CHECK_ERR(rmdir(d), ENOTEMPTY);
  CHECK_ERR(rmdir(f), ENOTDIR);
  CHECK(unlink(f) == 0, "unlink");
  CHECK(rmdir(d) == 0, "rmdir");
  CHECK_ERR(rmdir(d), ENOENT);
  OK("rmdir: ENOTDIR on a file, succeeds when empty, then ENOENT");
  CHECK_ERR(mkdir(scratch("no/such/dir"), 0755), ENOENT);
  CHECK_ERR(rmdir("/"), EBUSY);
  OK("mkdir: ENOENT for a missing parent; rmdir / is EBUSY");
}

static void test_rename(void) {
  char *a = scratch("ra"), *b = scratch("rb");
  touch(a, "A");
  touch(b, "B");
  struct stat sa;
  CHECK(stat(a, &sa) == 0, "stat");
  CHECK(rename(a, b) == 0, "rename over a file");
  char buf[16];
  slurp(b, buf, sizeof buf);
  struct stat sb;
  CHECK(strcmp(buf, "A") == 0 && stat(b, &sb) == 0 && sb.st_ino == sa.st_ino, "b is now a");
  CHECK_ERR(stat(a, &sb), ENOENT);
  OK("rename: replaces an existing file atomically");
  CHECK(rename(b, b) == 0, "rename to itself");
  OK("rename: to itself is a no-op");

  char *d1 = scratch("d1"), *d2 = scratch("d2");
  CHECK(mkdir(d1, 0755) == 0 && mkdir(d2, 0755) == 0, "mkdir");
  touch(scratch("d1/in"), "in");
  CHECK(rename(d1, d2) == 0, "rename dir over an empty dir");
  slurp(scratch("d2/in"), buf, sizeof buf);
  CHECK(strcmp(buf, "in") == 0, "content moved");
  OK("rename: a directory over an empty directory");
  CHECK(mkdir(d1, 0755) == 0, "mkdir d1");
  CHECK_ERR(rename(d1, d2), ENOTEMPTY);
  OK("rename: ENOTEMPTY over a non-empty directory");
  CHECK_ERR(rename(b, d1), EISDIR);
  CHECK_ERR(rename(d1, b), ENOTDIR);
  OK("rename: EISDIR (file over dir), ENOTDIR (dir over file)");
  CHECK_ERR(rename(d2, scratch("d2/inside")), EINVAL);
  OK("rename: EINVAL moving a directory into itself");
  CHECK(rename(scratch("d2/in"), scratch("d1/moved")) == 0, "move between directories");
  CHECK(access(scratch("d1/moved"), F_OK) == 0, "moved");
  OK("rename: between directories");
  unlink(scratch("d1/moved"));
  rmdir(d1); rmdir(d2); unlink(b);
}

static void test_links(void) {
  char *a = scratch("la"), *b = scratch("lb");
  touch(a, "data");
  CHECK(link(a, b) == 0, "link");
  CHECK(links(a) == 2 && links(b) == 2, "nlink 2");
  struct stat sa, sb;
  CHECK(stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino == sb.st_ino, "same inode");
  OK("link: second name, nlink 2, same inode");
  CHECK_ERR(link(a, b), EEXIST);
  CHECK_ERR(link(scratch_dir(), scratch("dl")), EPERM);
  OK("link: EEXIST, EPERM for a directory");
  CHECK(unlink(a) == 0 && links(b) == 1, "nlink back to 1");
  char buf[16];
  slurp(b, buf, sizeof buf);
  CHECK(strcmp(buf, "data") == 0, "data");
  OK("unlink: the other name keeps the data, nlink 1");

  char *s = scratch("sym");
  CHECK(symlink("lb", s) == 0, "symlink");
  char t[PATH_MAX];
  ssize_t n = readlink(s, t, sizeof t);
  CHECK(n == 2 && memcmp(t, "lb", 2) == 0, "readlink %zd", n);
  OK("symlink/readlink: relative target");
  struct stat ls, fs;
  CHECK(lstat(s, &ls) == 0 && S_ISLNK(ls.st_mode) && ls.st_size == 2, "lstat link");
  CHECK(stat(s, &fs) == 0 && S_ISREG(fs.st_mode) && fs.st_ino == sb.st_ino, "stat follows");
  slurp(s, buf, sizeof buf);
  CHECK(strcmp(buf, "data") == 0, "open follows");
  OK("symlink: lstat sees the link, stat and open follow it");
  CHECK(readlink(s, t, 1) == 1 && t[0] == 'l', "truncated readlink");
  CHECK_ERR(readlink(b, t, sizeof t), EINVAL);
  CHECK_ERR(symlink("x", s), EEXIST);
  OK("readlink: truncates, EINVAL on a non-link; symlink EEXIST");
  char *dang = scratch("dangling");
  CHECK(symlink("/nonexistent/target", dang) == 0, "dangling");
  CHECK_ERR(stat(dang, &fs), ENOENT);
  CHECK(lstat(dang, &fs) == 0, "lstat dangling");
  CHECK_ERR(open(dang, O_RDONLY), ENOENT);
  OK("symlink: a dangling link (stat ENOENT, lstat ok)");
  char *loop = scratch("loop");
  CHECK(symlink("loop", loop) == 0, "loop");
  CHECK_ERR(stat(loop, &fs), ELOOP);
  OK("symlink: ELOOP for a self loop");
  int fd = open(s, O_RDONLY | O_NOFOLLOW);
  CHECK(fd == -1 && errno == ELOOP, "O_NOFOLLOW");
  OK("open: O_NOFOLLOW on a symlink is ELOOP");
  unlink(s); unlink(dang); unlink(loop); unlink(b);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

static void test_readdir(void) {
  char *d = scratch("rd");
  CHECK(mkdir(d, 0755) == 0, "mkdir");
  char name[64];
  for (int i = 0; i < 50; i++) {
    snprintf(name, sizeof name, "rd/file%02d", i);
    touch(scratch(name), "");
  }
  CHECK(mkdir(scratch("rd/subdir"), 0755) == 0, "subdir");
  DIR *dir = opendir(d);
  CHECK(dir != NULL, "opendir");
  char *names[64];
  int n = 0, dots = 0, types_ok = 1;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) { dots++; continue; }
    CHECK(n < 64, "too many entries");
    if (e->d_type != DT_UNKNOWN)
      types_ok &= e->d_type == (strcmp(e->d_name, "subdir") ? DT_REG : DT_DIR);
    names[n++] = strdup(e->d_name);
  }
  closedir(dir);
  CHECK(dots == 2 && n == 51, "dots %d entries %d", dots, n);
  CHECK(types_ok, "d_type");
  qsort(names, n, sizeof *names, cmp);
  CHECK(!strcmp(names[0], "file00") && !strcmp(names[49], "file49") && !strcmp(names[50], "subdir"), "names");
  for (int i = 0; i < n; i++) free(names[i]);
  OK("readdir: . and .. plus 51 entries with d_type");

  /* removing entries while reading does not return an entry twice */
  dir = opendir(d);
  int seen = 0;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char rel[300];
    snprintf(rel, sizeof rel, "rd/%s", e->d_name);
    char *p = scratch(rel);
    CHECK(unlink(p) == 0 || rmdir(p) == 0, "remove %s", e->d_name);
    seen++;
  }
  closedir(dir);
  CHECK(seen == 51, "seen %d", seen);
  OK("readdir: removing each entry as it is read visits all of them once");
  CHECK(rmdir(d) == 0, "rmdir");
}

static void test_modes(void) {
  char *f = scratch("m");
  touch(f, "x");
  CHECK(chmod(f, 0) == 0, "chmod 0");
  struct stat st;
  CHECK(stat(f, &st) == 0 && (st.st_mode & 07777) == 0, "mode 0");
  CHECK(access(f, R_OK | W_OK) == 0, "root may read/write a mode 0 file");
  CHECK_ERR(access(f, X_OK), EACCES);
  int fd = open(f, O_RDWR);
  CHECK(fd >= 0, "root opens a mode 0 file");
  close(fd);
  OK("access: root reads/writes any file, X_OK needs an x bit");
  CHECK(chmod(f, 04711) == 0 && stat(f, &st) == 0 && (st.st_mode & 07777) == 04711, "mode %o", st.st_mode);
  CHECK(access(f, X_OK) == 0, "x");
  fd = open(f, O_RDONLY);
  CHECK(fchmod(fd, 0640) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0640, "fchmod");
  close(fd);
  OK("chmod/fchmod: setuid bits and permission bits");
  CHECK(chown(f, 1000, 1000) == 0 && stat(f, &st) == 0 && st.st_uid == 1000 && st.st_gid == 1000, "chown");
  CHECK(chown(f, -1, 0) == 0 && stat(f, &st) == 0 && st.st_uid == 1000 && st.st_gid == 0, "chown -1");
  OK("chown: as root, -1 keeps the field");
  CHECK_ERR(access(scratch("nope"), F_OK), ENOENT);
  OK("access: ENOENT");

  mode_t old = umask(077);
  CHECK(old == 022, "old umask %o", old);
  char *g = scratch("um");
  touch(g, "");
  CHECK(stat(g, &st) == 0 && (st.st_mode & 0777) == 0600, "umask applied %o", st.st_mode & 0777);
  char *d = scratch("umd");
  CHECK(mkdir(d, 0777) == 0 && stat(d, &st) == 0 && (st.st_mode & 0777) == 0700, "dir %o", st.st_mode);
  CHECK(umask(022) == 077, "umask returns previous");
  OK("umask: applied to files and directories, returns the old mask");
  rmdir(d); unlink(g); unlink(f);
}

static void test_times(void) {
  char *f = scratch("t");
  touch(f, "x");
  struct timespec ts[2] = { { 1000000000, 5000 }, { 1200000000, 123456789 } };
  CHECK(utimensat(AT_FDCWD, f, ts, 0) == 0, "utimensat");
  struct stat st;
  CHECK(stat(f, &st) == 0, "stat");
  CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 5000, "atime");
  CHECK(st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 123456789, "mtime");
  OK("utimensat: sets atime and mtime with nanoseconds");
  struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
  CHECK(utimensat(AT_FDCWD, f, omit, 0) == 0 && stat(f, &st) == 0, "omit/now");
  CHECK(st.st_atim.tv_sec == 1000000000 && st.st_mtime > 1600000000, "UTIME_OMIT/NOW");
  OK("utimensat: UTIME_OMIT keeps, UTIME_NOW sets the current time");
  time_t before = st.st_mtime;
  CHECK(utimensat(AT_FDCWD, f, ts, 0) == 0, "reset");
  int fd = open(f, O_WRONLY);
  CHECK(write(fd, "y", 1) == 1 && fstat(fd, &st) == 0 && st.st_mtime >= before, "write updates mtime");
  close(fd);
  OK("write: updates mtime");
  struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
  CHECK_ERR(utimensat(AT_FDCWD, f, bad, 0), EINVAL);
  OK("utimensat: EINVAL for tv_nsec out of range");
  unlink(f);
}

static void test_cwd(void) {
  char buf[PATH_MAX], old[PATH_MAX];
  CHECK(getcwd(old, sizeof old) != NULL, "getcwd");
  CHECK(mkdir(scratch("cwd"), 0755) == 0 && chdir(scratch("cwd")) == 0, "chdir");
  CHECK(getcwd(buf, sizeof buf) && strcmp(buf, scratch("cwd")) == 0, "getcwd after chdir");
  touch("rel", "r");
  CHECK(access(scratch("cwd/rel"), F_OK) == 0, "relative create");
  CHECK(chdir("..") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, scratch_dir()) == 0, "chdir ..");
  OK("chdir/getcwd: relative paths resolve from the cwd");
  errno = 0;
  CHECK(getcwd(buf, 2) == NULL && errno == ERANGE, "getcwd small buffer");
  CHECK_ERR(chdir(scratch("cwd/rel")), ENOTDIR);
  OK("getcwd ERANGE; chdir ENOTDIR");
  unlink(scratch("cwd/rel"));
  CHECK(chdir(old) == 0, "back");
  rmdir(scratch("cwd"));
}

int main(void) {
  umask(022);
  test_mkdir_rmdir();
  test_rename();
  test_links();
  test_readdir();
  test_modes();
  test_times();
  test_cwd();
  scratch_cleanup();
  return checks_done();
}
