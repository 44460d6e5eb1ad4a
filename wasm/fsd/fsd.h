/*
 * fsd internals shared by its files: fsd.c (the poll loop, framing, client buffers), ops.c (the file
 * operations), watch.c (inotify watches) and errname.c (errno names).
 */
#ifndef FSD_H
#define FSD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include "proto.h"

struct buf {
  unsigned char *p;
  size_t len, cap;
};

struct client {
  int fd;
  struct buf in;      /* bytes received; frames start at in_off */
  size_t in_off;
  struct buf out;     /* bytes to send; out_off of them already sent */
  size_t out_off;
  int eof;            /* the client half-closed: answer what is buffered, then close */
  int dead;           /* close at the next opportunity (error, malformed frame, out of memory) */
  int ev_dropped;     /* events were dropped while out was full: send FSD_EV_OVERFLOW once it drains */
  unsigned nwatches;
};

/* The request being served. Readers set `malformed` instead of reading past the payload. */
struct req {
  struct client *c;
  const unsigned char *p;
  size_t len, pos;
  uint8_t op, flags;
  uint32_t id;
  int malformed;
  int argerr;            /* a field holds a bad value (a NUL byte in a string): EINVAL */
  uint8_t reply_flags;   /* flags of a successful reply (FSD_R_MORE) */
  const char *errpath;   /* the path an error reply names ("" if none) */
};

extern int fsd_verbose;

/* Reading request fields (little-endian). rq_str copies a u16-length string into dst (FSD_MAX_PATH + 1
 * bytes); a string holding a NUL byte sets argerr. A truncated field marks the request malformed (the
 * readers then return zeros and empty strings). */
uint32_t rq_u32(struct req *r);
uint64_t rq_u64(struct req *r);
void rq_str(struct req *r, char *dst);
/* The rest of the payload (WRITE data). */
const unsigned char *rq_rest(struct req *r, size_t *n);
/* Nothing may follow the last field; extra bytes mark the request malformed. */
int rq_end(struct req *r);

/* Appending to a client's output. Failures (out of memory) mark the client dead; the writers then do
 * nothing. out_reserve returns room for n bytes that the caller fills and commits with out_commit. */
void out_u8(struct client *c, uint8_t v);
void out_u16(struct client *c, uint16_t v);
void out_u32(struct client *c, uint32_t v);
void out_u64(struct client *c, uint64_t v);
void out_bytes(struct client *c, const void *p, size_t n);
void out_str(struct client *c, const char *s, size_t n);
void out_stat(struct client *c, const struct stat *st, uint32_t target_mode);
unsigned char *out_reserve(struct client *c, size_t n);
void out_commit(struct client *c, size_t n);
/* Patch a u32 at an absolute offset of c->out (counts written after the items). */
void out_patch_u32(struct client *c, size_t at, uint32_t v);
/* Bytes queued and not yet sent. */
size_t out_pending(const struct client *c);

/* Serve one request: write the reply body into r->c->out and return 0, or return an errno (the caller
 * replaces the body with an error reply naming r->errpath), or -1 for a malformed request. */
int fsd_dispatch(struct req *r);

/* Queue an unsolicited event frame. */
void client_event(struct client *c, uint32_t watch_id, uint32_t mask, uint32_t cookie, const char *name,
                  size_t namelen);
/* Every connected client, for the watch code. */
struct client **clients_all(int *n);

/* Watches (watch.c). */
int watch_add(struct client *c, uint32_t id, const char *path);
int watch_remove(struct client *c, uint32_t id);
void watch_drop_client(struct client *c);
int watch_available(void);
int watch_fd(void);
void watch_read(void);
/* Tell each of c's watches that events were lost (FSD_EV_OVERFLOW). */
void watch_overflow(struct client *c);

const char *fsd_errname(int e);

#endif
