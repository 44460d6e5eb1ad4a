/*
 * fsd's watches: one inotify instance (inotify(7)) for the whole server, created on first use. A watch
 * belongs to one client and is named by the id of its WATCH request; events go to that client only.
 * Watches of the same directory share one inotify watch descriptor (inotify_add_watch returns the same wd
 * for the same inode), so a wd is removed only when its last watch goes. Where the kernel has no inotify
 * (inotify_init1 fails, e.g. ENOSYS), WATCH answers that errno and everything else works.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>
#include "fsd.h"

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | \
                    IN_DELETE_SELF | IN_MOVE_SELF)

struct watch {
  struct client *c;
  uint32_t id;
  int wd;
};

static int ifd = -1;
static struct watch *watches;
static size_t nwatches, capwatches;

static int ensure_inotify(void) {
  if (ifd >= 0) return 0;
  ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (ifd < 0) return errno;
  return 0;
}

int watch_available(void) { return ensure_inotify() == 0; }
int watch_fd(void) { return ifd; }

int watch_add(struct client *c, uint32_t id, const char *path) {
  int e = ensure_inotify();
  if (e) return e;
  for (size_t i = 0; i < nwatches; i++)
    if (watches[i].c == c && watches[i].id == id) return EEXIST;   /* the client reused a live id */
  if (c->nwatches >= FSD_MAX_WATCHES) return ENOSPC;               /* as inotify's own limit */
  if (nwatches == capwatches) {
    size_t cap = capwatches ? capwatches * 2 : 16;
    struct watch *w = realloc(watches, cap * sizeof *w);
    if (!w) return ENOMEM;
    watches = w;
    capwatches = cap;
  }
  int wd = inotify_add_watch(ifd, path, WATCH_MASK);
  if (wd < 0) return errno;
  watches[nwatches++] = (struct watch){ c, id, wd };
  c->nwatches++;
  return 0;
}

static int wd_used(int wd) {
  for (size_t i = 0; i < nwatches; i++) if (watches[i].wd == wd) return 1;
  return 0;
}

static void remove_at(size_t i, int rm_wd) {
  int wd = watches[i].wd;
  watches[i].c->nwatches--;
  watches[i] = watches[--nwatches];
  if (rm_wd && !wd_used(wd)) inotify_rm_watch(ifd, wd);
}

int watch_remove(struct client *c, uint32_t id) {
  for (size_t i = 0; i < nwatches; i++) {
    if (watches[i].c == c && watches[i].id == id) { remove_at(i, 1); return 0; }
  }
  return ENOENT;
}

void watch_drop_client(struct client *c) {
  for (size_t i = nwatches; i-- > 0;) if (watches[i].c == c) remove_at(i, 1);
}

void watch_overflow(struct client *c) {
  for (size_t i = 0; i < nwatches; i++)
    if (watches[i].c == c) client_event(c, watches[i].id, FSD_EV_OVERFLOW, 0, "", 0);
}

static uint32_t event_mask(uint32_t m) {
  uint32_t out = 0;
  if (m & IN_CREATE) out |= FSD_EV_CREATED;
  if (m & IN_DELETE) out |= FSD_EV_DELETED;
  if (m & IN_MODIFY) out |= FSD_EV_MODIFIED;
  if (m & IN_MOVED_FROM) out |= FSD_EV_MOVED_FROM;
  if (m & IN_MOVED_TO) out |= FSD_EV_MOVED_TO;
  if (m & IN_ATTRIB) out |= FSD_EV_ATTRIB;
  if (m & IN_DELETE_SELF) out |= FSD_EV_SELF_DELETED;
  if (m & IN_MOVE_SELF) out |= FSD_EV_SELF_MOVED;
  if (m & IN_ISDIR) out |= FSD_EV_ISDIR;
  return out;
}

static void deliver(const struct inotify_event *ev) {
  if (ev->mask & IN_Q_OVERFLOW) {
    for (size_t i = 0; i < nwatches; i++) client_event(watches[i].c, watches[i].id, FSD_EV_OVERFLOW, 0, "", 0);
    return;
  }
  size_t nl = ev->len ? strnlen(ev->name, ev->len) : 0;
  uint32_t mask = event_mask(ev->mask);
  if (mask & ~FSD_EV_ISDIR) {
    for (size_t i = 0; i < nwatches; i++)
      if (watches[i].wd == ev->wd) client_event(watches[i].c, watches[i].id, mask, ev->cookie, ev->name, nl);
  }
  if (ev->mask & IN_IGNORED) {
    /* The watched file is gone (or the watch was removed): its watches end here. */
    for (size_t i = nwatches; i-- > 0;) {
      if (watches[i].wd != ev->wd) continue;
      client_event(watches[i].c, watches[i].id, FSD_EV_GONE, 0, "", 0);
      remove_at(i, 0);
    }
  }
}

void watch_read(void) {
  /* Aligned for struct inotify_event; room for many events per read. */
  static union { struct inotify_event ev; char b[65536]; } u;
  for (;;) {
    ssize_t n = read(ifd, u.b, sizeof u.b);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;   /* EAGAIN: drained */
    }
    if (n == 0) return;
    for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
      const struct inotify_event *ev = (const struct inotify_event *)(u.b + off);
      deliver(ev);
      off += (ssize_t)(sizeof *ev + ev->len);
    }
  }
}
