/* AF_UNIX sockets: socketpair, bind/listen/accept/connect on paths and abstract names, names reported by
 * getsockname/getpeername, half-close, EOF, EPIPE, flow control (a slow reader blocks the writer),
 * SCM_RIGHTS, SO_PEERCRED and SCM_CREDENTIALS, datagram and seqpacket boundaries, poll readiness.
 * Linux: net/unix/af_unix.c; unix(7). */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

static socklen_t un_addr(struct sockaddr_un *a, const char *path) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  strcpy(a->sun_path, path);
  return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path + 1, name, strlen(name));
  return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

static void test_socketpair(void) {
  int sv[2];
  char buf[16];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
  CHECK(write(sv[0], "hello", 5) == 5, "write");
  CHECK(read(sv[1], buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0, "read");
  CHECK(send(sv[1], "back", 4, 0) == 4, "send");
  CHECK(recv(sv[0], buf, sizeof buf, 0) == 4 && memcmp(buf, "back", 4) == 0, "recv");
  int n = -1;
  CHECK(write(sv[0], "abc", 3) == 3, "write");
  CHECK(ioctl(sv[1], FIONREAD, &n) == 0 && n == 3, "FIONREAD %d", n);
  CHECK(recv(sv[1], buf, 2, MSG_PEEK) == 2 && memcmp(buf, "ab", 2) == 0, "peek");
  CHECK(recv(sv[1], buf, sizeof buf, 0) == 3, "read after peek");
  CHECK(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT) == -1 && errno == EAGAIN, "MSG_DONTWAIT on empty");
  struct stat st;
  CHECK(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat says socket");
  int type = 0; socklen_t len = sizeof type;
  CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM, "SO_TYPE");
  CHECK(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &type, &len) == 0 && type == AF_UNIX, "SO_DOMAIN");
  struct sockaddr_un a; len = sizeof a;
  CHECK(getsockname(sv[0], (struct sockaddr *)&a, &len) == 0 && len == sizeof(sa_family_t), "unnamed: len %d", (int)len);
  len = sizeof a;
  CHECK(getpeername(sv[0], (struct sockaddr *)&a, &len) == 0 && len == sizeof(sa_family_t), "unnamed peer");
  close(sv[0]);
  CHECK(read(sv[1], buf, sizeof buf) == 0, "EOF after close");
  signal(SIGPIPE, SIG_IGN);
  CHECK_ERR(write(sv[1], "x", 1), EPIPE);
  CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
  close(sv[1]);
  signal(SIGPIPE, SIG_DFL);
  OK("socketpair: both directions, FIONREAD, MSG_PEEK, unnamed names, EOF, EPIPE");

  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0, "socketpair flags");
  CHECK((fcntl(sv[0], F_GETFL) & O_NONBLOCK) && (fcntl(sv[0], F_GETFD) & FD_CLOEXEC), "flags applied");
  CHECK_ERR(read(sv[0], buf, 1), EAGAIN);
  close(sv[0]); close(sv[1]);
  CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
  OK("socketpair: SOCK_NONBLOCK, SOCK_CLOEXEC; AF_INET is EOPNOTSUPP");
}

static void test_shutdown(void) {
  int sv[2];
  char buf[8];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
  CHECK(shutdown(sv[0], SHUT_WR) == 0, "shutdown WR");
  CHECK(read(sv[1], buf, sizeof buf) == 0, "peer reads EOF");
  CHECK(write(sv[1], "ok", 2) == 2, "peer can still write");
  CHECK(read(sv[0], buf, sizeof buf) == 2, "half-closed side still reads");
  struct pollfd p = { sv[1], POLLIN | POLLRDHUP, 0 };
  CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLIN) && (p.revents & POLLRDHUP), "POLLRDHUP %x", p.revents);
  signal(SIGPIPE, SIG_IGN);
  CHECK_ERR(write(sv[0], "x", 1), EPIPE);
  signal(SIGPIPE, SIG_DFL);
  CHECK_ERR(shutdown(sv[0], 7), EINVAL);
  close(sv[0]); close(sv[1]);
  OK("shutdown: SHUT_WR gives the peer EOF and keeps the other direction");
}

static void test_iovec(void) {
  int sv[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
  char a[] = "scatter", b[] = "-", c[] = "gather";
  struct iovec out[3] = { { a, 7 }, { b, 1 }, { c, 6 } };
  struct msghdr m = { 0 };
  m.msg_iov = out; m.msg_iovlen = 3;
  CHECK(sendmsg(sv[0], &m, 0) == 14, "sendmsg of three iovecs");
  char x[4], y[5], z[8] = {0};
  struct iovec in[3] = { { x, 4 }, { y, 5 }, { z, 5 } };
  struct msghdr r = { 0 };
  r.msg_iov = in; r.msg_iovlen = 3;
  CHECK(recvmsg(sv[1], &r, MSG_WAITALL) == 14, "recvmsg into three iovecs");
  CHECK(memcmp(x, "scat", 4) == 0 && memcmp(y, "ter-g", 5) == 0 && memcmp(z, "ather", 5) == 0, "bytes in order");
  CHECK(r.msg_flags == 0 && r.msg_controllen == 0, "no flags, no control data");
  CHECK(shutdown(sv[1], SHUT_RD) == 0, "SHUT_RD");
  CHECK(recv(sv[1], x, sizeof x, 0) == 0, "reads return 0 after SHUT_RD");
  signal(SIGPIPE, SIG_IGN);
  CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE);
  signal(SIGPIPE, SIG_DFL);
  close(sv[0]); close(sv[1]);
  int fd = open("/dev/null", O_RDONLY);
  CHECK_ERR(send(fd, "x", 1, 0), ENOTSOCK);
  close(fd);
  CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 99), EPROTONOSUPPORT);
  CHECK_ERR(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
  OK("iovecs: sendmsg/recvmsg scatter-gather, MSG_WAITALL, SHUT_RD, ENOTSOCK, bad socket() arguments");
}

static void test_path(void) {
  char *path = scratch("s.sock");
  struct sockaddr_un a, b;
  socklen_t alen = un_addr(&a, path), len;
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(l >= 0, "socket");
  CHECK_ERR(listen(l, 1), EINVAL);
  CHECK(bind(l, (struct sockaddr *)&a, alen) == 0, "bind");
  struct stat st;
  CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode), "bind made a socket node");
  int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_ERR(bind(l2, (struct sockaddr *)&a, alen), EADDRINUSE);
  int c0 = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_ERR(connect(c0, (struct sockaddr *)&a, alen), ECONNREFUSED);
  close(c0);
  CHECK(listen(l, 4) == 0, "listen");
  int acc = 0; len = sizeof acc;
  CHECK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0 && acc == 1, "SO_ACCEPTCONN");
  len = sizeof b;
  CHECK(getsockname(l, (struct sockaddr *)&b, &len) == 0 && len == alen && strcmp(b.sun_path, path) == 0, "getsockname");

  pid_t pid = fork();
  if (pid == 0) {
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr *)&a, alen) != 0) _exit(1);
    char m[6];
    if (readn(c, m, 5) != 5 || memcmp(m, "hello", 5)) _exit(2);
    if (write(c, "world", 5) != 5) _exit(3);
    struct ucred cr; socklen_t cl = sizeof cr;
    if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &cl) != 0 || cr.pid != getppid()) _exit(4);
    _exit(0);
  }
  int s = accept(l, (struct sockaddr *)&b, (len = sizeof b, &len));
  CHECK(s >= 0, "accept");
  CHECK(len == sizeof(sa_family_t), "an unbound client has no name (len %d)", (int)len);
  struct ucred cr; socklen_t cl = sizeof cr;
  CHECK(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 && cr.pid == pid && cr.uid == getuid(), "SO_PEERCRED");
  len = sizeof b;
  CHECK(getsockname(s, (struct sockaddr *)&b, &len) == 0 && strcmp(b.sun_path, path) == 0, "accepted socket's name");
  CHECK(write(s, "hello", 5) == 5, "write");
  char m[8];
  CHECK(readn(s, m, 5) == 5 && memcmp(m, "world", 5) == 0, "reply");
  int status;
  CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %x", status);
  CHECK(read(s, m, 1) == 0, "EOF after the client exits");
  close(s);
  close(l);
  c0 = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_ERR(connect(c0, (struct sockaddr *)&a, alen), ECONNREFUSED);
  close(c0);
  CHECK(unlink(path) == 0, "unlink the name");
  c0 = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_ERR(connect(c0, (struct sockaddr *)&a, alen), ENOENT);
  CHECK(bind(l2, (struct sockaddr *)&a, alen) == 0, "bind again after unlink");
  close(c0); close(l2);
  unlink(path);
  OK("path: bind node, EADDRINUSE, ECONNREFUSED, accept, SO_PEERCRED, names, unlink");
}

static void test_abstract(void) {
  struct sockaddr_un a, b;
  socklen_t alen = abstract_addr(&a, "wasmux-test-abstract"), len;
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(bind(l, (struct sockaddr *)&a, alen) == 0, "bind abstract");
  int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_ERR(bind(l2, (struct sockaddr *)&a, alen), EADDRINUSE);
  close(l2);
  CHECK(listen(l, 1) == 0, "listen");
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(connect(c, (struct sockaddr *)&a, alen) == 0, "connect abstract");
  len = sizeof b;
  CHECK(getpeername(c, (struct sockaddr *)&b, &len) == 0 && len == alen && b.sun_path[0] == 0 &&
        memcmp(b.sun_path + 1, "wasmux-test-abstract", 20) == 0, "peer name");
  int s = accept(l, NULL, NULL);
  CHECK(s >= 0, "accept");
  close(s); close(c); close(l);
  l = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(bind(l, (struct sockaddr *)&a, alen) == 0, "abstract name free after close");
  close(l);
  /* autobind */
  l = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK(bind(l, (struct sockaddr *)&a, sizeof(sa_family_t)) == 0, "autobind");
  len = sizeof b;
  CHECK(getsockname(l, (struct sockaddr *)&b, &len) == 0 && len == offsetof(struct sockaddr_un, sun_path) + 6 && b.sun_path[0] == 0,
        "autobind name is NUL + 5 bytes (len %d)", (int)len);
  close(l);
  OK("abstract: bind, EADDRINUSE, connect, peer name, freed on close, autobind");
}

static void test_flow(void) {
  int sv[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
  CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0, "nonblock");
  static char big[65536];
  memset(big, 'x', sizeof big);
  long total = 0;
  for (;;) {
    ssize_t r = write(sv[0], big, sizeof big);
    if (r < 0) { CHECK(errno == EAGAIN, "EAGAIN when full"); break; }
    total += r;
    CHECK(total < 64L << 20, "the buffer is bounded");
  }
  struct pollfd p = { sv[0], POLLOUT, 0 };
  CHECK(poll(&p, 1, 0) == 0, "full: not writable");
  char tmp[4096];
  long drained = 0;
  while (drained < total) {
    ssize_t r = read(sv[1], tmp, sizeof tmp);
    CHECK(r > 0, "drain");
    drained += r;
  }
  CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT), "writable after draining");
  close(sv[0]); close(sv[1]);

  /* Blocking writer and a slow reader: 8 MiB arrives complete and in order. */
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[1]);
    unsigned char b2[70000];
    unsigned v = 0;
    for (int i = 0; i < 120; i++) {
      for (size_t j = 0; j < sizeof b2; j++) b2[j] = (unsigned char)(v++ * 7);
      if (write(sv[0], b2, sizeof b2) != (ssize_t)sizeof b2) _exit(1);
    }
    _exit(0);
  }
  close(sv[0]);
  unsigned v = 0;
  long got = 0;
  int bad = 0;
  unsigned char rb[3000];
  for (;;) {
    ssize_t r = read(sv[1], rb, sizeof rb);
    CHECK(r >= 0, "read");
    if (r == 0) break;
    for (ssize_t j = 0; j < r; j++) if (rb[j] != (unsigned char)(v++ * 7)) bad++;
    got += r;
    if ((got & 0xfffff) < 3000) usleep(1000);
  }
  int status;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer status");
  CHECK(got == 120L * 70000 && bad == 0, "got %ld bytes, %d bad", got, bad);
  close(sv[1]);
  OK("flow control: bounded buffer, EAGAIN, POLLOUT, blocking writer with a slow reader");
}

static void test_rights(void) {
  int sv[2], p[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
  CHECK(pipe(p) == 0, "pipe");
  char byte = 'F';
  struct iovec iov = { &byte, 1 };
  union { struct cmsghdr h; char buf[CMSG_SPACE(2 * sizeof(int))]; } u;
  memset(&u, 0, sizeof u);
  struct msghdr m = { 0 };
  m.msg_iov = &iov; m.msg_iovlen = 1;
  m.msg_control = u.buf; m.msg_controllen = CMSG_SPACE(2 * sizeof(int));
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(2 * sizeof(int));
  memcpy(CMSG_DATA(c), p, 2 * sizeof(int));
  CHECK(sendmsg(sv[0], &m, 0) == 1, "sendmsg with SCM_RIGHTS");
  close(p[0]); close(p[1]);
  CHECK(write(sv[0], "tail", 4) == 4, "more data after it");

  char rbyte[8] = {0};
  struct iovec riov = { rbyte, sizeof rbyte };
  union { struct cmsghdr h; char buf[CMSG_SPACE(2 * sizeof(int))]; } ru;
  struct msghdr rm = { 0 };
  rm.msg_iov = &riov; rm.msg_iovlen = 1;
  rm.msg_control = ru.buf; rm.msg_controllen = sizeof ru.buf;
  ssize_t n = recvmsg(sv[1], &rm, MSG_CMSG_CLOEXEC);
  CHECK(n == 1 && rbyte[0] == 'F', "the read stops after the segment with the fds (n=%zd)", n);
  struct cmsghdr *rc = CMSG_FIRSTHDR(&rm);
  CHECK(rc && rc->cmsg_level == SOL_SOCKET && rc->cmsg_type == SCM_RIGHTS && rc->cmsg_len == CMSG_LEN(2 * sizeof(int)), "cmsg");
  int fds[2];
  memcpy(fds, CMSG_DATA(rc), sizeof fds);
  CHECK(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, "MSG_CMSG_CLOEXEC");
  CHECK(write(fds[1], "via", 3) == 3, "write to the passed pipe");
  char pb[4] = {0};
  CHECK(read(fds[0], pb, 3) == 3 && memcmp(pb, "via", 3) == 0, "read from the passed pipe");
  CHECK(readn(sv[1], rbyte, 4) == 4 && memcmp(rbyte, "tail", 4) == 0, "data after the fds");
  close(fds[0]); close(fds[1]);

  /* Passing a socket end itself; truncated control buffer closes what does not fit. */
  int sv2[2];
  CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv2) == 0, "dgram pair");
  memcpy(CMSG_DATA(c), sv2, 2 * sizeof(int));
  CHECK(sendmsg(sv[0], &m, 0) == 1, "send two socket fds");
  rm.msg_controllen = CMSG_LEN(sizeof(int));
  n = recvmsg(sv[1], &rm, 0);
  CHECK(n == 1 && (rm.msg_flags & MSG_CTRUNC), "MSG_CTRUNC when only one fd fits (flags %x)", rm.msg_flags);
  rc = CMSG_FIRSTHDR(&rm);
  int got;
  memcpy(&got, CMSG_DATA(rc), sizeof got);
  CHECK(send(sv2[1], "dg", 2, 0) == 2, "send to the passed end");
  char db[4];
  CHECK(recv(got, db, sizeof db, 0) == 2, "the received copy gets it");
  close(got); close(sv2[0]); close(sv2[1]);
  close(sv[0]); close(sv[1]);
  OK("SCM_RIGHTS: pipe ends and sockets pass, MSG_CMSG_CLOEXEC, stream boundary, MSG_CTRUNC");
}

static void test_creds(void) {
  int sv[2], on = 1;
  CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair");
  CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == 0, "SO_PASSCRED");
  CHECK(send(sv[0], "c", 1, 0) == 1, "send");
  char b[4];
  struct iovec iov = { b, sizeof b };
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(struct ucred))]; } u;
  struct msghdr m = { 0 };
  m.msg_iov = &iov; m.msg_iovlen = 1; m.msg_control = u.buf; m.msg_controllen = sizeof u.buf;
  CHECK(recvmsg(sv[1], &m, 0) == 1, "recvmsg");
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  CHECK(c && c->cmsg_type == SCM_CREDENTIALS, "SCM_CREDENTIALS");
  struct ucred cr;
  memcpy(&cr, CMSG_DATA(c), sizeof cr);
  CHECK(cr.pid == getpid() && cr.uid == getuid() && cr.gid == getgid(), "creds are the sender's");
  struct ucred pc; socklen_t pl = sizeof pc;
  CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &pc, &pl) == 0 && pc.pid == getpid(), "socketpair SO_PEERCRED");
  close(sv[0]); close(sv[1]);
  OK("credentials: SCM_CREDENTIALS with SO_PASSCRED, SO_PEERCRED of a socketpair");
}

static void test_dgram(void) {
  char *p1 = scratch("d1.sock"), *p2 = scratch("d2.sock");
  struct sockaddr_un a1, a2, from;
  socklen_t l1 = un_addr(&a1, p1), l2 = un_addr(&a2, p2), fl;
  int s1 = socket(AF_UNIX, SOCK_DGRAM, 0), s2 = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK(bind(s1, (struct sockaddr *)&a1, l1) == 0 && bind(s2, (struct sockaddr *)&a2, l2) == 0, "bind both");
  CHECK(sendto(s1, "one", 3, 0, (struct sockaddr *)&a2, l2) == 3, "sendto");
  CHECK(sendto(s1, "second", 6, 0, (struct sockaddr *)&a2, l2) == 6, "sendto");
  char b[16];
  fl = sizeof from;
  CHECK(recvfrom(s2, b, sizeof b, 0, (struct sockaddr *)&from, &fl) == 3 && strcmp(from.sun_path, p1) == 0, "boundaries and sender");
  CHECK(recv(s2, b, 2, 0) == 2, "truncated read");
  CHECK(recv(s2, b, sizeof b, MSG_DONTWAIT) == -1 && errno == EAGAIN, "the rest of a datagram is discarded");
  CHECK(sendto(s1, "trunc", 5, 0, (struct sockaddr *)&a2, l2) == 5, "sendto");
  CHECK(recv(s2, b, 2, MSG_TRUNC) == 5, "MSG_TRUNC returns the real length");
  CHECK(connect(s1, (struct sockaddr *)&a2, l2) == 0, "connect");
  CHECK(send(s1, "c", 1, 0) == 1, "send when connected");
  CHECK(recv(s2, b, sizeof b, 0) == 1, "recv");
  close(s2);
  CHECK_ERR(send(s1, "c", 1, 0), ECONNREFUSED);
  int s3 = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK_ERR(sendto(s3, "x", 1, 0, (struct sockaddr *)&a2, l2), ECONNREFUSED);
  CHECK_ERR(send(s3, "x", 1, 0), ENOTCONN);
  close(s1); close(s3);
  unlink(p1); unlink(p2);

  /* A full receiver blocks (here: EAGAIN) the sender; nothing is dropped. */
  int sv[2];
  CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "dgram pair");
  CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0, "nonblock");
  int sent = 0;
  static char big[8192];
  while (send(sv[0], big, sizeof big, 0) == (ssize_t)sizeof big) { sent++; if (sent > 100000) break; }
  CHECK(errno == EAGAIN && sent > 0 && sent < 100000, "EAGAIN when the peer queue is full");
  int recvd = 0;
  while (recv(sv[1], big, sizeof big, MSG_DONTWAIT) == (ssize_t)sizeof big) recvd++;
  CHECK(recvd == sent, "every datagram arrives (%d of %d)", recvd, sent);
  close(sv[0]); close(sv[1]);
  OK("datagram: boundaries, sender address, truncation, MSG_TRUNC, connect, ECONNREFUSED, no loss");
}

static void test_seqpacket(void) {
  int sv[2];
  CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "socketpair seqpacket");
  CHECK(send(sv[0], "abc", 3, 0) == 3 && send(sv[0], "defgh", 5, 0) == 5, "two records");
  char b[16];
  CHECK(recv(sv[1], b, sizeof b, 0) == 3, "first record");
  CHECK(recv(sv[1], b, 2, 0) == 2, "truncated second");
  CHECK(recv(sv[1], b, sizeof b, MSG_DONTWAIT) == -1 && errno == EAGAIN, "rest discarded");
  close(sv[0]);
  CHECK(recv(sv[1], b, sizeof b, 0) == 0, "EOF");
  close(sv[1]);
  OK("seqpacket: record boundaries, truncation, EOF");
}

static void test_poll(void) {
  char *path = scratch("p.sock");
  struct sockaddr_un a;
  socklen_t alen = un_addr(&a, path);
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  CHECK(bind(l, (struct sockaddr *)&a, alen) == 0 && listen(l, 2) == 0, "listen");
  CHECK(accept(l, NULL, NULL) == -1 && errno == EAGAIN, "nonblocking accept: EAGAIN");
  struct pollfd p = { l, POLLIN, 0 };
  CHECK(poll(&p, 1, 0) == 0, "listener idle");
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(connect(c, (struct sockaddr *)&a, alen) == 0, "connect");
  CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLIN, "listener readable with a pending connection");
  int s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
  CHECK(s >= 0 && (fcntl(s, F_GETFL) & O_NONBLOCK), "accept4 SOCK_NONBLOCK");
  struct pollfd q = { s, POLLIN | POLLOUT, 0 };
  CHECK(poll(&q, 1, 0) == 1 && q.revents == POLLOUT, "connected: writable only");
  CHECK(write(c, "x", 1) == 1, "write");
  CHECK(poll(&q, 1, 0) == 1 && q.revents == (POLLIN | POLLOUT), "readable and writable");
  char ch;
  CHECK(read(s, &ch, 1) == 1, "read");
  close(c);
  CHECK(poll(&q, 1, 0) == 1 && (q.revents & POLLIN) && (q.revents & POLLHUP), "POLLHUP after the peer closed (%x)", q.revents);
  close(s); close(l);
  unlink(path);
  OK("poll: listener POLLIN, connected POLLIN/POLLOUT, POLLHUP when the peer is gone");
}

int main(void) {
  test_socketpair();
  test_shutdown();
  test_iovec();
  test_path();
  test_abstract();
  test_flow();
  test_rights();
  test_creds();
  test_dgram();
  test_seqpacket();
  test_poll();
  scratch_cleanup();
  return checks_done();
}
