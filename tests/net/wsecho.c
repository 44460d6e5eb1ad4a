// A small HTTP/1.1 + WebSocket (RFC 6455) server for the edge tests and benchmarks. One process per
// connection (fork), connections kept alive.
//
//   wsecho [PORT [local]]   listen on 0.0.0.0:PORT (default 8081; 0: any free port; with "local":
//                           127.0.0.1:PORT); prints "listening PORT" once bound
//
//   GET /ws with Upgrade: websocket   echo every data frame back as it came (text, binary, continuation,
//                                     FIN bit kept); ping -> pong; close -> the same close frame back, then EOF
//   GET /bytes/N                      N bytes of a fixed pattern (bulk figures)
//   any other GET or HEAD             "hello from wsecho\n"
//   request bodies (Content-Length)   read and discarded
//
// Written for this project: SHA-1 (FIPS 180-4) and base64 for the handshake, no other dependency. The same
// source builds natively (cc) and for wasmux (wasm/wasmux-cc).
#define _GNU_SOURCE  // memmem
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

// ---- SHA-1 and base64 ------------------------------------------------------------------------------------

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1(const unsigned char *msg, size_t len, unsigned char out[20]) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  size_t total = ((len + 8) / 64 + 1) * 64;
  unsigned char *m = calloc(1, total);
  if (!m) abort();
  memcpy(m, msg, len);
  m[len] = 0x80;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) m[total - 1 - i] = (unsigned char)(bits >> (8 * i));
  for (size_t off = 0; off < total; off += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
      w[i] = (uint32_t)m[off + 4 * i] << 24 | (uint32_t)m[off + 4 * i + 1] << 16 | (uint32_t)m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
      uint32_t f, k;
      if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }
      else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
      else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
      else { f = b ^ c ^ d; k = 0xCA62C1D6; }
      uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d; d = c; c = rol(b, 30); b = a; a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
  }
  free(m);
  for (int i = 0; i < 5; i++) for (int j = 0; j < 4; j++) out[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
}

static void base64(const unsigned char *in, size_t len, char *out) {
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < len ? in[i + 2] : 0);
    out[o++] = tab[v >> 18 & 63];
    out[o++] = tab[v >> 12 & 63];
    out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
    out[o++] = i + 2 < len ? tab[v & 63] : '=';
  }
  out[o] = 0;
}

// ---- buffered connection I/O -----------------------------------------------------------------------------

#define BUF 65536
static unsigned char in[BUF];
static size_t r0, r1;  // unread bytes are in[r0..r1)
static int fd;

static int write_all(const void *p, size_t n) {
  const char *b = p;
  while (n > 0) {
    ssize_t k = write(fd, b, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    b += k;
    n -= (size_t)k;
  }
  return 0;
}

/** Make at least `want` bytes available (want <= BUF); 0 on success, -1 on EOF or error. */
static int fill(size_t want) {
  if (r1 - r0 >= want) return 0;
  if (r0 > 0) { memmove(in, in + r0, r1 - r0); r1 -= r0; r0 = 0; }
  while (r1 < want) {
    ssize_t k = read(fd, in + r1, BUF - r1);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    r1 += (size_t)k;
  }
  return 0;
}

/** Read into p up to n bytes (at least one); returns the count, or -1 on EOF or error. */
static ssize_t take(unsigned char *p, size_t n) {
  if (r0 == r1 && fill(1) < 0) return -1;
  size_t k = r1 - r0 < n ? r1 - r0 : n;
  memcpy(p, in + r0, k);
  r0 += k;
  return (ssize_t)k;
}

// ---- WebSocket -------------------------------------------------------------------------------------------

static int ws_header(unsigned char op_fin, uint64_t len) {
  unsigned char h[10];
  size_t n;
  h[0] = op_fin;
  if (len < 126) { h[1] = (unsigned char)len; n = 2; }
  else if (len < 65536) { h[1] = 126; h[2] = (unsigned char)(len >> 8); h[3] = (unsigned char)len; n = 4; }
  else { h[1] = 127; for (int i = 0; i < 8; i++) h[2 + i] = (unsigned char)(len >> (56 - 8 * i)); n = 10; }
  return write_all(h, n);
}

static int ws_close(unsigned code) {
  unsigned char p[2] = {(unsigned char)(code >> 8), (unsigned char)code};
  if (ws_header(0x88, 2) < 0) return -1;
  return write_all(p, 2);
}

static void websocket(void) {
  static unsigned char chunk[BUF];
  for (;;) {
    if (fill(2) < 0) return;
    unsigned char b0 = in[r0], b1 = in[r0 + 1];
    unsigned op = b0 & 15;
    size_t hl = 2 + ((b1 & 127) == 126 ? 2 : (b1 & 127) == 127 ? 8 : 0) + 4;
    if (!(b1 & 0x80) || (b0 & 0x70)) { ws_close(1002); return; }  // clients must mask; no extensions
    if (fill(hl) < 0) return;
    const unsigned char *h = in + r0;
    uint64_t len = b1 & 127;
    if (len == 126) len = (uint64_t)h[2] << 8 | h[3];
    else if (len == 127) { len = 0; for (int i = 0; i < 8; i++) len = len << 8 | h[2 + i]; }
    unsigned char mask[4];
    memcpy(mask, h + hl - 4, 4);
    r0 += hl;
    if (op >= 8) {  // control frame: whole, at most 125 bytes
      if (len > 125 || !(b0 & 0x80)) { ws_close(1002); return; }
      unsigned char p[125];
      if (fill((size_t)len) < 0) return;
      for (uint64_t i = 0; i < len; i++) p[i] = in[r0 + i] ^ mask[i & 3];
      r0 += (size_t)len;
      if (op == 8) {  // close: answer with the same status code and reason, then stop
        if (ws_header(0x88, len) == 0) write_all(p, (size_t)len);
        return;
      }
      if (op == 9) { if (ws_header(0x8A, len) < 0 || write_all(p, (size_t)len) < 0) return; }
      continue;  // pong (10) and unknown control opcodes are ignored
    }
    if (op != 0 && op != 1 && op != 2) { ws_close(1002); return; }
    // Data frame: echo it with the same opcode and FIN bit, streaming the payload through.
    if (ws_header(b0 & 0x8F, len) < 0) return;
    uint64_t pos = 0;
    while (pos < len) {
      size_t want = len - pos < BUF ? (size_t)(len - pos) : BUF;
      ssize_t k = take(chunk, want);
      if (k < 0) return;
      for (ssize_t i = 0; i < k; i++) chunk[i] ^= mask[(pos + (uint64_t)i) & 3];
      if (write_all(chunk, (size_t)k) < 0) return;
      pos += (uint64_t)k;
    }
  }
}

// ---- HTTP ------------------------------------------------------------------------------------------------

static const char *header(char *head, const char *name) {
  size_t n = strlen(name);
  for (char *p = strstr(head, "\r\n"); p && p[2] != '\r'; p = strstr(p + 2, "\r\n")) {
    if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
      const char *v = p + 3 + n;
      while (*v == ' ' || *v == '\t') v++;
      return v;
    }
  }
  return NULL;
}

static int value_is(const char *v, const char *want) {
  if (!v) return 0;
  size_t n = strlen(want);
  for (const char *p = v; *p && *p != '\r'; p++)
    if (strncasecmp(p, want, n) == 0) return 1;
  return 0;
}

static void reply(int code, const char *status, const char *extra, const char *body, int keep) {
  char h[512];
  int n = snprintf(h, sizeof h, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n%s%s\r\n%s",
                   code, status, strlen(body), extra, keep ? "" : "Connection: close\r\n", body);
  write_all(h, (size_t)n);
}

static void serve(void) {
  static char head[BUF + 1];
  static unsigned char pattern[BUF];
  for (size_t i = 0; i < BUF; i++) pattern[i] = (unsigned char)('a' + i % 26);
  for (;;) {
    // Find the end of the request head.
    size_t end = 0;
    for (;;) {
      unsigned char *p = r1 - r0 >= 4 ? memmem(in + r0, r1 - r0, "\r\n\r\n", 4) : NULL;
      if (p) { end = (size_t)(p - (in + r0)) + 4; break; }
      if (r1 - r0 >= BUF) { reply(431, "Request Header Fields Too Large", "", "head too large\n", 0); return; }
      if (fill(r1 - r0 + 1) < 0) return;
    }
    memcpy(head, in + r0, end);
    head[end] = 0;
    r0 += end;
    char method[16], target[1024], version[16];
    if (sscanf(head, "%15s %1023s %15s", method, target, version) != 3) { reply(400, "Bad Request", "", "bad request\n", 0); return; }
    const char *conn = header(head, "Connection");
    int keep = strcmp(version, "HTTP/1.1") == 0 ? !value_is(conn, "close") : value_is(conn, "keep-alive");
    const char *cl = header(head, "Content-Length");
    unsigned long long body = cl ? strtoull(cl, NULL, 10) : 0;
    while (body > 0) {  // discard a request body
      size_t n = r1 - r0 < body ? r1 - r0 : (size_t)body;
      if (n == 0) { if (fill(1) < 0) return; continue; }
      r0 += n;
      body -= n;
    }
    const char *key = header(head, "Sec-WebSocket-Key");
    if (value_is(header(head, "Upgrade"), "websocket") && key) {
      char k[128], acc[64], resp[256];
      size_t kn = 0;
      while (key[kn] && key[kn] != '\r' && key[kn] != ' ' && kn < 60) { k[kn] = key[kn]; kn++; }
      memcpy(k + kn, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 37);
      unsigned char digest[20];
      sha1((unsigned char *)k, kn + 36, digest);
      base64(digest, 20, acc);
      int n = snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: %s\r\n\r\n", acc);
      if (write_all(resp, (size_t)n) < 0) return;
      websocket();
      return;
    }
    int isHead = strcmp(method, "HEAD") == 0;
    if (strncmp(target, "/bytes/", 7) == 0) {
      unsigned long long n = strtoull(target + 7, NULL, 10);
      char h[256];
      int hn = snprintf(h, sizeof h, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %llu\r\n%s\r\n",
                        n, keep ? "" : "Connection: close\r\n");
      if (write_all(h, (size_t)hn) < 0) return;
      if (!isHead) {
        while (n > 0) {
          size_t k = n < BUF ? (size_t)n : BUF;
          if (write_all(pattern, k) < 0) return;
          n -= k;
        }
      }
    } else if (strcmp(method, "GET") == 0 || isHead) {
      reply(200, "OK", "", isHead ? "" : "hello from wsecho\n", keep);
    } else {
      reply(405, "Method Not Allowed", "", "method not allowed\n", keep);
    }
    if (!keep) return;
  }
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 8081;
  signal(SIGPIPE, SIG_IGN);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(argc > 2 ? INADDR_LOOPBACK : INADDR_ANY);
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 64) < 0) { perror("wsecho: bind/listen"); return 1; }
  socklen_t al = sizeof a;
  getsockname(s, (struct sockaddr *)&a, &al);
  printf("listening %d\n", ntohs(a.sin_port));
  fflush(stdout);
  for (;;) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    int c = accept(s, NULL, NULL);
    if (c < 0) { if (errno == EINTR || errno == ECONNABORTED) continue; perror("wsecho: accept"); return 1; }
    pid_t pid = fork();
    if (pid == 0) {
      close(s);
      fd = c;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      serve();
      close(fd);
      _exit(0);
    }
    close(c);
  }
}
