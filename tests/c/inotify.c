/* inotify: events with names in a watched directory, IN_ISDIR, rename cookies, moves out of and into watched
 * directories, events on open files after rename and unlink, DELETE_SELF/IGNORED, rm_watch, IN_NONBLOCK,
 * the read buffer rules (EINVAL, whole events, 16-byte name padding), poll/epoll readiness, FIONREAD,
 * IN_ONESHOT, IN_MASK_ADD/IN_MASK_CREATE, IN_EXCL_UNLINK, IN_DONT_FOLLOW, one wd per inode, coalescing,
 * IN_Q_OVERFLOW, blocking reads (woken by another process, interrupted by a signal) and the error cases.
 * Linux: fs/notify/inotify/inotify_user.c, include/linux/fsnotify.h; inotify(7). Event masks are printed
 * symbolically and cookies as labels (c1, c2, ...) so that the output is the same on every run. */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static const char *const event_names[] = {
  "ACCESS", "MODIFY", "ATTRIB", "CLOSE_WRITE", "CLOSE_NOWRITE", "OPEN", "MOVED_FROM", "MOVED_TO", "CREATE",
  "DELETE", "DELETE_SELF", "MOVE_SELF",
};

static void mask_str(uint32_t m, char *out) {
  out[0] = 0;
  for (int i = 0; i < 12; i++) {
    if (m & (1u << i)) { if (out[0]) strcat(out, "|"); strcat(out, event_names[i]); }
  }
  static const struct { uint32_t bit; const char *name; } extra[] = {
    { IN_UNMOUNT, "UNMOUNT" }, { IN_Q_OVERFLOW, "Q_OVERFLOW" }, { IN_IGNORED, "IGNORED" }, { IN_ISDIR, "ISDIR" },
  };
  for (unsigned i = 0; i < sizeof extra / sizeof extra[0]; i++) {
    if (m & extra[i].bit) { if (out[0]) strcat(out, "|"); strcat(out, extra[i].name); }
  }
  uint32_t known = IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ISDIR;
  if (m & ~known) sprintf(out + strlen(out), "|0x%x", m & ~known);
}

/* Rename cookies are printed as c1, c2, ... in order of first appearance. */
static uint32_t cookies[64];
static int ncookies;

static int cookie_label(uint32_t c) {
  for (int i = 0; i < ncookies; i++) if (cookies[i] == c) return i + 1;
  CHECK(ncookies < 64, "too many cookies");
  cookies[ncookies++] = c;
  return ncookies;
}

/* Print one event per line: "  wd MASK name cN". */
static void print_events(const char *buf, ssize_t n) {
  for (const char *p = buf; p < buf + n;) {
    const struct inotify_event *e = (const struct inotify_event *)p;
    char m[160];
    mask_str(e->mask, m);
    printf("  %d %s", e->wd, m);
    if (e->len) {
      CHECK(e->len % 16 == 0 && strlen(e->name) < e->len, "name padding: len %u", e->len);
      printf(" %s", e->name);
    }
    if (e->cookie) printf(" c%d", cookie_label(e->cookie));
    printf("\n");
    p += sizeof *e + e->len;
  }
}

/* Read and print every queued event of a non-blocking instance, under a title. */
static void drain(int fd, const char *title) {
  static char buf[8192] __attribute__((aligned(8)));
  printf("%s:\n", title);
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) { CHECK(errno == EAGAIN, "drain: read"); break; }
    print_events(buf, n);
  }
  fflush(stdout);
}

static int watch(int fd, const char *path, uint32_t mask) {
  int wd = inotify_add_watch(fd, path, mask);
  CHECK(wd > 0, "inotify_add_watch %s", path);
  return wd;
}

static void put(const char *path, const char *s) {
  int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(f >= 0, "create %s", path);
  CHECK(write(f, s, strlen(s)) == (ssize_t)strlen(s), "write %s", path);
  close(f);
}

static char *path2(const char *dir, const char *name) {
  char *b = malloc(strlen(dir) + strlen(name) + 2);
  CHECK(b != NULL, "malloc");
  sprintf(b, "%s/%s", dir, name);
  return b;
}

static void test_dir_events(void) {
  char *d = scratch("dir");
  CHECK(mkdir(d, 0755) == 0, "mkdir");
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  CHECK(fd >= 0, "inotify_init1");
  CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) && (fcntl(fd, F_GETFL) & O_NONBLOCK), "IN_CLOEXEC, IN_NONBLOCK");
  CHECK(watch(fd, d, IN_ALL_EVENTS) == 1, "first wd is 1");
  char *f = path2(d, "file");
  put(f, "hello");
  drain(fd, "create, write, close");
  int r = open(f, O_RDONLY);
  char b[16];
  CHECK(read(r, b, sizeof b) == 5 && read(r, b, sizeof b) == 0, "read to EOF");
  close(r);
  drain(fd, "open, read (the read at EOF is no event), close");
  r = open(f, O_RDWR);
  CHECK(write(r, "a", 1) == 1 && write(r, "b", 1) == 1 && write(r, "c", 1) == 1, "3 writes");
  CHECK(write(r, "", 0) == 0, "empty write");
  close(r);
  drain(fd, "3 writes coalesce into one MODIFY; an empty write is no event");
  CHECK(chmod(f, 0600) == 0, "chmod");
  struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
  CHECK(utimensat(AT_FDCWD, f, ts, 0) == 0, "utimensat");
  ts[0].tv_nsec = UTIME_OMIT;
  CHECK(utimensat(AT_FDCWD, f, ts, 0) == 0, "utimensat mtime only");
  ts[0].tv_nsec = 0; ts[1].tv_nsec = UTIME_OMIT;
  CHECK(utimensat(AT_FDCWD, f, ts, 0) == 0, "utimensat atime only");
  CHECK(truncate(f, 2) == 0, "truncate");
  drain(fd, "chmod, utimensat (both, mtime, atime), truncate");
  char *l = path2(d, "link"), *s = path2(d, "sym"), *sub = path2(d, "sub");
  CHECK(link(f, l) == 0 && symlink("file", s) == 0 && mkdir(sub, 0755) == 0, "link, symlink, mkdir");
  CHECK(unlink(l) == 0 && unlink(s) == 0 && unlink(f) == 0 && rmdir(sub) == 0, "unlink, rmdir");
  drain(fd, "link, symlink, mkdir, unlink, rmdir");
  DIR *dir = opendir(d);
  CHECK(dir != NULL, "opendir");
  while (readdir(dir) != NULL) {}
  closedir(dir);
  drain(fd, "listing the watched directory itself (the getdents calls coalesce)");
  CHECK(rmdir(d) == 0, "rmdir the watched directory");
  drain(fd, "rmdir of the watched directory");
  CHECK(inotify_rm_watch(fd, 1) == -1 && errno == EINVAL, "its wd is gone");
  close(fd);
  OK("directory events: names, IN_ISDIR, attributes, links, coalescing, DELETE_SELF and IGNORED");
}

static void test_rename(void) {
  char *a = scratch("ra"), *b = scratch("rb"), *c = scratch("rc");
  CHECK(mkdir(a, 0755) == 0 && mkdir(b, 0755) == 0 && mkdir(c, 0755) == 0, "mkdir");
  char *ax = path2(a, "x"), *ay = path2(a, "y"), *bz = path2(b, "z"), *cw = path2(c, "w"), *asub = path2(a, "sub");
  put(ax, "x");
  put(cw, "w");
  CHECK(mkdir(asub, 0755) == 0, "mkdir");
  int fd = inotify_init1(IN_NONBLOCK);
  int wa = watch(fd, a, IN_ALL_EVENTS), wb = watch(fd, b, IN_ALL_EVENTS);
  int wx = watch(fd, ax, IN_ALL_EVENTS), wsub = watch(fd, asub, IN_ALL_EVENTS);
  printf("wds: a %d b %d x %d sub %d\n", wa, wb, wx, wsub);
  CHECK(rename(ax, ay) == 0, "rename within a directory");
  drain(fd, "rename x -> y in a");
  CHECK(rename(ay, bz) == 0, "rename a/y -> b/z");
  drain(fd, "rename between watched directories");
  char *a2 = path2(a, "sub2");
  CHECK(rename(asub, a2) == 0, "rename a directory");
  drain(fd, "rename of a watched directory");
  CHECK(rename(bz, cw) == 0, "rename out of watched b over c/w");
  drain(fd, "rename out of a watched directory (over a file)");
  CHECK(rename(cw, ax) == 0, "rename into a");
  drain(fd, "rename into a watched directory");
  put(ay, "y");
  int wy = watch(fd, ay, IN_ALL_EVENTS);
  printf("wd y %d\n", wy);
  drain(fd, "create y");
  CHECK(rename(ax, ay) == 0, "rename over a watched file");
  drain(fd, "rename x over watched y");
  int o = open(ay, O_WRONLY);
  char *bo = path2(b, "open");
  CHECK(rename(ay, bo) == 0, "rename an open file");
  CHECK(write(o, "q", 1) == 1, "write");
  close(o);
  drain(fd, "write and close after the open file moved to b/open");
  CHECK(rename(bo, bo) == 0, "rename onto itself");
  drain(fd, "rename onto itself is no event");
  CHECK(unlink(bo) == 0 && rmdir(a2) == 0 && rmdir(a) == 0 && rmdir(b) == 0 && rmdir(c) == 0, "cleanup");
  drain(fd, "cleanup");
  close(fd);
  OK("rename: cookies pair MOVED_FROM/MOVED_TO, MOVE_SELF, moves out of and into watched directories");
}

static void test_unlink_open(void) {
  char *d = scratch("ud"), *f = scratch("ud/f");
  CHECK(mkdir(d, 0755) == 0, "mkdir");
  put(f, "data");
  int fd = inotify_init1(IN_NONBLOCK), ex = inotify_init1(IN_NONBLOCK);
  watch(fd, d, IN_ALL_EVENTS);
  watch(fd, f, IN_ALL_EVENTS);
  watch(ex, d, IN_ALL_EVENTS | IN_EXCL_UNLINK);
  int o = open(f, O_RDWR);
  CHECK(unlink(f) == 0, "unlink while open");
  drain(fd, "unlink of an open file");
  CHECK(write(o, "x", 1) == 1, "write");
  close(o);
  drain(fd, "write and close after unlink; DELETE_SELF at the last close");
  drain(ex, "the same with IN_EXCL_UNLINK on the directory");
  CHECK(rmdir(d) == 0, "rmdir");
  close(fd);
  close(ex);
  OK("unlink while open: events continue, DELETE_SELF waits for the last close; IN_EXCL_UNLINK");
}

static void test_watch_management(void) {
  char *d = scratch("wm"), *f = scratch("wm/f"), *l = scratch("wm/l"), *h = scratch("wm/h");
  CHECK(mkdir(d, 0755) == 0, "mkdir");
  put(f, "f");
  CHECK(symlink("f", l) == 0 && link(f, h) == 0, "symlink, link");
  int fd = inotify_init1(IN_NONBLOCK);
  int wf = watch(fd, f, IN_MODIFY);
  CHECK(watch(fd, f, IN_ATTRIB) == wf, "same wd for the same path");
  CHECK(watch(fd, l, IN_ATTRIB) == wf, "same wd through a symlink");
  CHECK(watch(fd, h, IN_ATTRIB) == wf, "same wd through a hard link");
  int wl = watch(fd, l, IN_ATTRIB | IN_DONT_FOLLOW);
  CHECK(wl != wf, "IN_DONT_FOLLOW watches the symlink itself");
  int other = inotify_init1(IN_NONBLOCK);
  CHECK(watch(other, f, IN_ATTRIB) == 1, "another instance numbers its own watches");
  close(other);
  CHECK(chmod(f, 0644) == 0, "chmod");
  drain(fd, "the replaced mask: chmod is reported");
  put(f, "g");
  drain(fd, "IN_MODIFY was replaced by IN_ATTRIB: no event");
  CHECK(watch(fd, f, IN_MODIFY | IN_MASK_ADD) == wf, "IN_MASK_ADD");
  put(f, "h");
  CHECK(chmod(f, 0600) == 0, "chmod");
  drain(fd, "IN_MASK_ADD: MODIFY and ATTRIB");
  CHECK_ERR(inotify_add_watch(fd, f, IN_MODIFY | IN_MASK_CREATE), EEXIST);
  CHECK_ERR(inotify_add_watch(fd, f, IN_MODIFY | IN_MASK_CREATE | IN_MASK_ADD), EINVAL);
  CHECK(inotify_rm_watch(fd, wf) == 0, "rm_watch");
  drain(fd, "rm_watch");
  CHECK_ERR(inotify_rm_watch(fd, wf), EINVAL);
  int wn = watch(fd, f, IN_MODIFY | IN_ONESHOT | IN_MASK_CREATE);
  printf("new wd after rm_watch: %d\n", wn);
  put(f, "i");
  put(f, "j");
  drain(fd, "IN_ONESHOT: one event, then IGNORED");
  CHECK_ERR(inotify_rm_watch(fd, wn), EINVAL);
  CHECK(unlink(l) == 0, "unlink the symlink");
  drain(fd, "the watched symlink is removed");
  CHECK(unlink(h) == 0 && unlink(f) == 0 && rmdir(d) == 0, "cleanup");
  close(fd);
  OK("watches: one wd per inode, IN_MASK_ADD, IN_MASK_CREATE, IN_DONT_FOLLOW, rm_watch, IN_ONESHOT");
}

static void test_read_rules(void) {
  char *d = scratch("rr");
  CHECK(mkdir(d, 0755) == 0, "mkdir");
  int fd = inotify_init1(IN_NONBLOCK);
  watch(fd, d, IN_CREATE | IN_DELETE);
  char buf[256] __attribute__((aligned(8)));
  CHECK_ERR(read(fd, buf, sizeof buf), EAGAIN);
  struct pollfd p = { .fd = fd, .events = POLLIN };
  CHECK(poll(&p, 1, 0) == 0, "poll: nothing queued");
  int n = -1;
  CHECK(ioctl(fd, FIONREAD, &n) == 0 && n == 0, "FIONREAD 0");
  char *a = path2(d, "a"), *sixteen = path2(d, "abcdefghijklmnop");
  CHECK(mkdir(a, 0700) == 0 && mknod(sixteen, S_IFREG | 0600, 0) == 0, "create two names");
  CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLIN, "poll: POLLIN");
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl");
  CHECK(epoll_wait(ep, &ev, 1, 0) == 1 && ev.events == EPOLLIN && ev.data.u32 == 7, "epoll: EPOLLIN");
  CHECK(ioctl(fd, FIONREAD, &n) == 0, "FIONREAD");
  printf("FIONREAD: %d\n", n);
  CHECK_ERR(read(fd, buf, 16), EINVAL);
  CHECK_ERR(read(fd, buf, 31), EINVAL);
  ssize_t r = read(fd, buf, 40);
  printf("read of 40 bytes: %zd\n", r);
  print_events(buf, r);
  r = read(fd, buf, sizeof buf);
  printf("next read: %zd\n", r);
  print_events(buf, r);
  CHECK(poll(&p, 1, 0) == 0 && epoll_wait(ep, &ev, 1, 0) == 0, "drained: not ready");
  CHECK(rmdir(a) == 0 && unlink(sixteen) == 0, "remove");
  CHECK(ioctl(fd, FIONREAD, &n) == 0, "FIONREAD");
  r = read(fd, buf, sizeof buf);
  printf("FIONREAD %d, read %zd\n", n, r);
  print_events(buf, r);
  CHECK_ERR(write(fd, "x", 1), EBADF);
  CHECK(rmdir(d) == 0, "rmdir");
  close(ep);
  close(fd);
  OK("read: EAGAIN, EINVAL for a short buffer, whole events only, 16-byte padding; poll, epoll, FIONREAD");
}

static void on_usr1(int sig) { (void)sig; }

static void test_blocking(void) {
  char *d = scratch("bl"), *f = scratch("bl/new");
  CHECK(mkdir(d, 0755) == 0, "mkdir");
  int fd = inotify_init1(0);
  watch(fd, d, IN_CREATE);
  pid_t c = fork();
  if (c == 0) { usleep(50000); put(f, ""); _exit(0); }
  char buf[256] __attribute__((aligned(8)));
  ssize_t n = read(fd, buf, sizeof buf);
  CHECK(n > 0, "blocking read");
  printf("woken by the child:\n");
  print_events(buf, n);
  waitpid(c, NULL, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction without SA_RESTART");
  /* The child keeps signalling until it is killed: a signal that comes before read() sleeps is handled
   * and the next one interrupts the read. */
  c = fork();
  if (c == 0) { for (int i = 0; i < 500; i++) { usleep(20000); kill(getppid(), SIGUSR1); } _exit(0); }
  CHECK_ERR(read(fd, buf, sizeof buf), EINTR);
  kill(c, SIGKILL);
  waitpid(c, NULL, 0);
  CHECK(unlink(f) == 0 && rmdir(d) == 0, "cleanup");
  close(fd);
  OK("blocking read: woken by another process's create; EINTR from a signal handler");
}

static void test_overflow(void) {
  char *f = scratch("of");
  put(f, "");
  int max = 0;
  FILE *m = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
  CHECK(m && fscanf(m, "%d", &max) == 1 && max > 0, "max_queued_events");
  fclose(m);
  int fd = inotify_init1(IN_NONBLOCK);
  watch(fd, f, IN_OPEN | IN_CLOSE_NOWRITE);
  for (int i = 0; i < max / 2 + 8; i++) {
    int o = open(f, O_RDONLY);
    CHECK(o >= 0, "open");
    close(o);
  }
  int n = 0;
  CHECK(ioctl(fd, FIONREAD, &n) == 0 && n == (max + 1) * 16, "FIONREAD %d with max %d", n, max);
  static char buf[65536] __attribute__((aligned(8)));
  int events = 0, overflow = 0;
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0) {
    for (char *p = buf; p < buf + r;) {
      struct inotify_event *e = (struct inotify_event *)p;
      events++;
      if (e->mask == IN_Q_OVERFLOW) { CHECK(e->wd == -1 && events == max + 1, "overflow last, wd -1"); overflow++; }
      p += sizeof *e + e->len;
    }
  }
  CHECK(events == max + 1 && overflow == 1, "%d events, %d overflow", events, overflow);
  int o = open(f, O_RDONLY);
  close(o);
  drain(fd, "after the overflow was read, events are queued again");
  CHECK(unlink(f) == 0, "unlink");
  drain(fd, "unlink");
  close(fd);
  OK("queue limit: max_queued_events events, then one IN_Q_OVERFLOW with wd -1");
}

static void test_errors(void) {
  char *f = scratch("ef");
  put(f, "");
  int fd = inotify_init1(IN_NONBLOCK);
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  CHECK_ERR(inotify_init1(IN_NONBLOCK | 1), EINVAL);
  CHECK_ERR(inotify_add_watch(99, f, IN_MODIFY), EBADF);
  CHECK_ERR(inotify_add_watch(p[0], f, IN_MODIFY), EINVAL);
  CHECK_ERR(inotify_add_watch(fd, f, 0), EINVAL);
  CHECK_ERR(inotify_add_watch(fd, f, 0x1000), EINVAL);
  CHECK_ERR(inotify_add_watch(fd, scratch("missing"), IN_MODIFY), ENOENT);
  CHECK_ERR(inotify_add_watch(fd, "", IN_MODIFY), ENOENT);
  CHECK_ERR(inotify_add_watch(fd, scratch("ef/x"), IN_MODIFY), ENOTDIR);
  CHECK_ERR(inotify_add_watch(fd, f, IN_MODIFY | IN_ONLYDIR), ENOTDIR);
  CHECK(inotify_add_watch(fd, scratch_dir(), IN_MODIFY | IN_ONLYDIR) == 1, "IN_ONLYDIR on a directory");
  CHECK_ERR(inotify_rm_watch(99, 1), EBADF);
  CHECK_ERR(inotify_rm_watch(p[0], 1), EINVAL);
  CHECK_ERR(inotify_rm_watch(fd, 2), EINVAL);
  CHECK_ERR(inotify_rm_watch(fd, -1), EINVAL);
  CHECK(unlink(f) == 0, "unlink");
  close(p[0]);
  close(p[1]);
  close(fd);
  OK("errors: EBADF, EINVAL (flags, mask, not an inotify fd, unknown wd), ENOENT, ENOTDIR");
}

int main(void) {
  test_dir_events();
  test_rename();
  test_unlink_open();
  test_watch_management();
  test_read_rules();
  test_blocking();
  test_overflow();
  test_errors();
  scratch_cleanup();
  return checks_done();
}
