/*
 * fsd: the wasmux file service. Installed as /usr/libexec/wasmux/fsd; protocol in
 * docs/design/fs-protocol.md (constants: proto.h).
 *
 *   fsd [-v] [SOCKET]        SOCKET defaults to /run/wasmux/fs.sock (its directory is created)
 *
 * The IDE's file explorer and editor reach the sandbox's files the way any client would: through a stream
 * to this UNIX socket. One process, one poll() loop, non-blocking sockets, no fork and no threads: in
 * wasmux every process shares the kernel's single thread, so fsd must only ever wait in poll(). Each
 * client's requests are served in order (a client may pipeline); a client that stops reading stops being
 * read once FSD_HIGH_WATER bytes of replies wait for it. A malformed frame closes that client only.
 *
 * Works the same on Linux: tests/fsd.test.ts runs its protocol tests against a native build first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "fsd.h"

#define DEFAULT_SOCKET "/run/wasmux/fs.sock"
/* Stop reading a client's requests while this many reply bytes wait to be sent. */
#define FSD_HIGH_WATER (2u << 20)
/* Drop watch events (and later send FSD_EV_OVERFLOW) while this many bytes wait. */
#define FSD_EVENT_WATER (8u << 20)
#define READ_CHUNK 65536

int fsd_verbose;
static struct client *clients[FSD_MAX_CLIENTS];
static int nclients;
static volatile sig_atomic_t stopping;

static void logf_(const char *fmt, const char *a, int e) {
  fprintf(stderr, "fsd: ");
  fprintf(stderr, fmt, a);
  if (e) fprintf(stderr, ": %s", strerror(e));
  fputc('\n', stderr);
}

struct client **clients_all(int *n) { *n = nclients; return clients; }

/* ---- buffers ---- */

static int buf_room(struct buf *b, size_t n) {
  if (b->cap - b->len >= n) return 0;
  size_t want = b->len + n, cap = b->cap ? b->cap : 4096;
  while (cap < want) cap *= 2;
  unsigned char *p = realloc(b->p, cap);
  if (!p) return -1;
  b->p = p;
  b->cap = cap;
  return 0;
}

static void buf_free(struct buf *b) { free(b->p); b->p = NULL; b->len = b->cap = 0; }

unsigned char *out_reserve(struct client *c, size_t n) {
  if (c->dead) return NULL;
  if (buf_room(&c->out, n)) { c->dead = 1; return NULL; }
  return c->out.p + c->out.len;
}

void out_commit(struct client *c, size_t n) { if (!c->dead) c->out.len += n; }

void out_bytes(struct client *c, const void *p, size_t n) {
  unsigned char *d = out_reserve(c, n);
  if (!d) return;
  if (n) memcpy(d, p, n);
  out_commit(c, n);
}

static void put_le(unsigned char *d, uint64_t v, int n) { for (int i = 0; i < n; i++) d[i] = (unsigned char)(v >> (8 * i)); }

void out_u8(struct client *c, uint8_t v) { out_bytes(c, &v, 1); }
void out_u16(struct client *c, uint16_t v) { unsigned char d[2]; put_le(d, v, 2); out_bytes(c, d, 2); }
void out_u32(struct client *c, uint32_t v) { unsigned char d[4]; put_le(d, v, 4); out_bytes(c, d, 4); }
void out_u64(struct client *c, uint64_t v) { unsigned char d[8]; put_le(d, v, 8); out_bytes(c, d, 8); }
void out_str(struct client *c, const char *s, size_t n) {
  if (n > FSD_MAX_PATH) n = FSD_MAX_PATH;
  out_u16(c, (uint16_t)n);
  out_bytes(c, s, n);
}
void out_patch_u32(struct client *c, size_t at, uint32_t v) { if (!c->dead) put_le(c->out.p + at, v, 4); }
size_t out_pending(const struct client *c) { return c->out.len - c->out_off; }

/* The stat record: mode uid gid nlink u32, size ino u64, mtime s64 + nsec u32, target mode u32. */
void out_stat(struct client *c, const struct stat *st, uint32_t target_mode) {
  unsigned char *d = out_reserve(c, FSD_STAT_SIZE);
  if (!d) return;
  put_le(d + 0, st->st_mode, 4);
  put_le(d + 4, st->st_uid, 4);
  put_le(d + 8, st->st_gid, 4);
  put_le(d + 12, (uint32_t)st->st_nlink, 4);
  put_le(d + 16, (uint64_t)st->st_size, 8);
  put_le(d + 24, (uint64_t)st->st_ino, 8);
  put_le(d + 32, (uint64_t)(int64_t)st->st_mtim.tv_sec, 8);
  put_le(d + 40, (uint32_t)st->st_mtim.tv_nsec, 4);
  put_le(d + 44, target_mode, 4);
  out_commit(c, FSD_STAT_SIZE);
}

/* ---- request fields ---- */

static uint64_t get_le(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static const unsigned char *rq_take(struct req *r, size_t n) {
  if (r->malformed || r->len - r->pos < n) { r->malformed = 1; return NULL; }
  const unsigned char *p = r->p + r->pos;
  r->pos += n;
  return p;
}

uint32_t rq_u32(struct req *r) { const unsigned char *p = rq_take(r, 4); return p ? (uint32_t)get_le(p, 4) : 0; }
uint64_t rq_u64(struct req *r) { const unsigned char *p = rq_take(r, 8); return p ? get_le(p, 8) : 0; }

void rq_str(struct req *r, char *dst) {
  dst[0] = 0;
  const unsigned char *l = rq_take(r, 2);
  if (!l) return;
  size_t n = (size_t)get_le(l, 2);
  if (n > FSD_MAX_PATH) { r->malformed = 1; return; }
  const unsigned char *s = rq_take(r, n);
  if (!s) return;
  if (memchr(s, 0, n)) { r->argerr = EINVAL; return; }
  memcpy(dst, s, n);
  dst[n] = 0;
}

const unsigned char *rq_rest(struct req *r, size_t *n) {
  *n = r->len - r->pos;
  const unsigned char *p = r->p + r->pos;
  r->pos = r->len;
  return p;
}

int rq_end(struct req *r) {
  if (r->pos != r->len) r->malformed = 1;
  return r->malformed ? -1 : 0;
}

/* ---- frames ---- */

static void header(unsigned char *d, uint32_t len, uint8_t type, uint8_t flags, uint32_t id) {
  put_le(d, len, 4);
  d[4] = type;
  d[5] = flags;
  d[6] = d[7] = 0;
  put_le(d + 8, id, 4);
}

void client_event(struct client *c, uint32_t watch_id, uint32_t mask, uint32_t cookie, const char *name,
                  size_t namelen) {
  if (c->dead) return;
  if (out_pending(c) > FSD_EVENT_WATER) { c->ev_dropped = 1; return; }
  size_t at = c->out.len;
  if (!out_reserve(c, FSD_HEADER_SIZE)) return;
  out_commit(c, FSD_HEADER_SIZE);
  out_u32(c, mask);
  out_u32(c, cookie);
  out_str(c, name, namelen);
  if (!c->dead) header(c->out.p + at, (uint32_t)(c->out.len - at - FSD_HEADER_SIZE), FSD_EVENT, 0, watch_id);
}

static void serve(struct client *c, const unsigned char *h, const unsigned char *payload) {
  uint32_t len = (uint32_t)get_le(h, 4);
  struct req r = { .c = c, .p = payload, .len = len, .op = h[4], .flags = h[5], .id = (uint32_t)get_le(h + 8, 4),
                   .errpath = "" };
  size_t at = c->out.len;
  if (!out_reserve(c, FSD_HEADER_SIZE)) return;
  out_commit(c, FSD_HEADER_SIZE);
  int e = fsd_dispatch(&r);
  if (c->dead) return;
  if (e < 0 || r.malformed) {
    if (fsd_verbose) fprintf(stderr, "fsd: client %d: malformed request (op %u), closing it\n", c->fd, r.op);
    c->out.len = at;
    c->dead = 1;
    return;
  }
  uint8_t flags = 0;
  if (e > 0) {
    c->out.len = at + FSD_HEADER_SIZE;
    out_u32(c, (uint32_t)e);
    const char *n = fsd_errname(e);
    out_str(c, n, strlen(n));
    out_str(c, r.errpath, strlen(r.errpath));
    flags = FSD_R_ERROR;
  } else {
    flags = r.reply_flags;
  }
  if (c->dead) return;
  header(c->out.p + at, (uint32_t)(c->out.len - at - FSD_HEADER_SIZE), (uint8_t)(FSD_REPLY | r.op), flags, r.id);
}

/* Serve the complete frames in c->in while the client keeps up with its replies. */
static void serve_frames(struct client *c) {
  while (!c->dead && out_pending(c) < FSD_HIGH_WATER) {
    size_t avail = c->in.len - c->in_off;
    if (avail < FSD_HEADER_SIZE) break;
    const unsigned char *h = c->in.p + c->in_off;
    uint32_t len = (uint32_t)get_le(h, 4);
    if (len > FSD_MAX_PAYLOAD || h[4] == 0 || h[4] >= FSD_OP_LIMIT || h[6] || h[7]) {
      if (fsd_verbose) fprintf(stderr, "fsd: client %d: bad frame header (type %u, length %u), closing it\n", c->fd, h[4], len);
      c->dead = 1;
      return;
    }
    if (avail < FSD_HEADER_SIZE + (size_t)len) break;
    serve(c, h, h + FSD_HEADER_SIZE);
    c->in_off += FSD_HEADER_SIZE + len;
  }
  if (c->in_off == c->in.len) {
    c->in.len = c->in_off = 0;
    if (c->in.cap > 4 * READ_CHUNK) buf_free(&c->in);
  } else if (c->in_off > 0 && (c->in_off >= c->in.len / 2 || c->in.cap - c->in.len < READ_CHUNK)) {
    memmove(c->in.p, c->in.p + c->in_off, c->in.len - c->in_off);
    c->in.len -= c->in_off;
    c->in_off = 0;
  }
}

/* A complete frame is buffered (so reading more is pointless until it is served). */
static int frame_ready(const struct client *c) {
  size_t avail = c->in.len - c->in_off;
  if (avail < FSD_HEADER_SIZE) return 0;
  return avail >= FSD_HEADER_SIZE + (size_t)get_le(c->in.p + c->in_off, 4);
}

static void flush_out(struct client *c) {
  while (!c->dead && out_pending(c) > 0) {
    ssize_t k = send(c->fd, c->out.p + c->out_off, out_pending(c), MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) c->dead = 1;
      return;
    }
    c->out_off += (size_t)k;
  }
  if (out_pending(c) == 0) {
    c->out.len = c->out_off = 0;
    if (c->out.cap > FSD_HIGH_WATER) buf_free(&c->out);
  }
}

static void read_in(struct client *c) {
  for (;;) {
    if (frame_ready(c)) return;   /* serve that first (a paused client is not read further) */
    size_t want = READ_CHUNK;
    size_t avail = c->in.len - c->in_off;
    if (avail >= FSD_HEADER_SIZE) {
      size_t need = FSD_HEADER_SIZE + (size_t)get_le(c->in.p + c->in_off, 4);
      if (need > FSD_HEADER_SIZE + FSD_MAX_PAYLOAD) return;   /* serve_frames closes the client */
      if (need > avail && need - avail > want) want = need - avail;
    }
    if (buf_room(&c->in, want)) { c->dead = 1; return; }
    ssize_t k = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len);
    if (k < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) c->dead = 1;
      return;
    }
    if (k == 0) { c->eof = 1; return; }
    c->in.len += (size_t)k;
  }
}

static void drop_client(int i) {
  struct client *c = clients[i];
  if (fsd_verbose) fprintf(stderr, "fsd: client %d closed\n", c->fd);
  watch_drop_client(c);
  close(c->fd);
  buf_free(&c->in);
  buf_free(&c->out);
  free(c);
  clients[i] = clients[--nclients];
}

static void accept_clients(int lfd) {
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED) logf_("accept on %s", "listener", errno);
      return;
    }
    struct client *c = nclients < FSD_MAX_CLIENTS ? calloc(1, sizeof *c) : NULL;
    if (!c) {
      if (fsd_verbose) fprintf(stderr, "fsd: refusing a client (%d connected)\n", nclients);
      close(fd);
      continue;
    }
    c->fd = fd;
    clients[nclients++] = c;
    if (fsd_verbose) fprintf(stderr, "fsd: client %d connected\n", fd);
  }
}

/* ---- the listening socket ---- */

static int mkdir_parents(char *path) {
  for (char *s = path + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    int r = mkdir(path, 0755);
    *s = '/';
    if (r < 0 && errno != EEXIST) return -1;
  }
  return 0;
}

static int listen_on(const char *path) {
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof a.sun_path) { errno = ENAMETOOLONG; logf_("socket path %s", path, errno); return -1; }
  strcpy(a.sun_path, path);
  char dir[sizeof a.sun_path];
  strcpy(dir, path);
  char *slash = strrchr(dir, '/');
  if (slash && slash != dir) {
    slash[1] = 0;
    if (mkdir_parents(dir) < 0) { logf_("cannot create the directory of %s", path, errno); return -1; }
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) { logf_("socket for %s", path, errno); return -1; }
  struct stat st;
  if (lstat(path, &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) { logf_("%s exists and is not a socket", path, 0); close(fd); return -1; }
    /* A socket file left behind: take it over unless a server still answers there. */
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0 && connect(probe, (struct sockaddr *)&a, sizeof a) == 0) {
      logf_("another server is listening on %s", path, 0);
      close(probe);
      close(fd);
      return -1;
    }
    if (probe >= 0) close(probe);
    unlink(path);
  }
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { logf_("bind %s", path, errno); close(fd); return -1; }
  /* The service runs as root and serves every file: only root may connect. */
  chmod(path, 0600);
  if (listen(fd, 64) < 0) { logf_("listen on %s", path, errno); close(fd); unlink(path); return -1; }
  return fd;
}

static void on_signal(int sig) { (void)sig; stopping = 1; }

static void usage(FILE *f) { fprintf(f, "usage: fsd [-v] [SOCKET]   (default %s)\n", DEFAULT_SOCKET); }

int main(int argc, char **argv) {
  const char *path = DEFAULT_SOCKET;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (!strcmp(argv[i], "-v")) fsd_verbose = 1;
    else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { usage(stdout); return 0; }
    else if (!strcmp(argv[i], "--")) { i++; break; }
    else { usage(stderr); return 2; }
  }
  if (i < argc) path = argv[i++];
  if (i < argc) { usage(stderr); return 2; }

  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa = { .sa_handler = on_signal };   /* no SA_RESTART: poll() returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  /* Modes in requests are applied exactly as given. */
  umask(0);

  int lfd = listen_on(path);
  if (lfd < 0) return 1;
  if (fsd_verbose) fprintf(stderr, "fsd: listening on %s\n", path);

  struct pollfd fds[2 + FSD_MAX_CLIENTS];
  while (!stopping) {
    int n = 0;
    fds[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
    int wfd = watch_fd();
    fds[n++] = (struct pollfd){ .fd = wfd, .events = POLLIN };   /* ignored by poll() when wfd is -1 */
    for (int k = 0; k < nclients; k++) {
      struct client *c = clients[k];
      short ev = 0;
      if (!c->eof && out_pending(c) < FSD_HIGH_WATER && !frame_ready(c)) ev |= POLLIN;
      if (out_pending(c) > 0) ev |= POLLOUT;
      fds[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
    }
    if (poll(fds, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      logf_("poll %s", "", errno);
      break;
    }
    /* Clients first (their slots match fds[2...] only until accept or drop changes the array). */
    int polled = nclients;
    for (int k = polled - 1; k >= 0; k--) {
      struct client *c = clients[k];
      short re = fds[2 + k].revents;
      if (re & (POLLIN | POLLHUP | POLLERR)) read_in(c);
      if (re & POLLNVAL) c->dead = 1;
      serve_frames(c);
      flush_out(c);
      if (c->ev_dropped && !c->dead && out_pending(c) < FSD_HIGH_WATER) {
        c->ev_dropped = 0;
        watch_overflow(c);
        flush_out(c);
      }
      /* A half-closed client is closed once everything it asked for is answered and sent. */
      if (c->dead || (c->eof && !frame_ready(c) && out_pending(c) == 0)) drop_client(k);
    }
    if (fds[1].revents & POLLIN) {
      watch_read();
      for (int k = nclients - 1; k >= 0; k--) {
        flush_out(clients[k]);
        if (clients[k]->dead) drop_client(k);
      }
    }
    if (fds[0].revents & POLLIN) accept_clients(lfd);
  }
  while (nclients > 0) drop_client(nclients - 1);
  close(lfd);
  unlink(path);
  if (fsd_verbose) fprintf(stderr, "fsd: stopped\n");
  return 0;
}
