/* TCP and UDP on the loopback: bind (ephemeral ports, EADDRINUSE, SO_REUSEADDR), listen/accept4,
 * blocking and non-blocking connect (EINPROGRESS, POLLOUT, SO_ERROR, ECONNREFUSED), names, IPv6 and
 * IPV6_V6ONLY, shutdown, socket options, a fork-per-connection server, UDP datagrams, epoll.
 * Servers listen on 127.0.0.1 (or ::1) only, on ports the kernel picks. Linux: net/ipv4, net/ipv6; tcp(7),
 * udp(7), ip(7), ipv6(7), socket(7). */
#include "check.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

static struct sockaddr_in v4(const char *ip, int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

static struct sockaddr_in6 v6(const char *ip, int port) {
  struct sockaddr_in6 a;
  memset(&a, 0, sizeof a);
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(port);
  inet_pton(AF_INET6, ip, &a.sin6_addr);
  return a;
}

static int port_of(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  CHECK(getsockname(fd, (struct sockaddr *)&ss, &len) == 0, "getsockname");
  return ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port) : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* A TCP listener on 127.0.0.1 at an ephemeral port. */
static int listener(int *port) {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(l >= 0, "socket");
  struct sockaddr_in a = v4("127.0.0.1", 0);
  CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0, "bind");
  CHECK(listen(l, 16) == 0, "listen");
  *port = port_of(l);
  return l;
}

static void test_basic(void) {
  int port, l = listener(&port);
  CHECK(port >= 32768 && port <= 60999, "ephemeral port in 32768-60999 (%d)", port);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = v4("127.0.0.1", port), b;
  CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0, "connect");
  socklen_t len = sizeof b;
  int s = accept4(l, (struct sockaddr *)&b, &len, SOCK_CLOEXEC);
  CHECK(s >= 0 && len == sizeof b && b.sin_family == AF_INET, "accept4");
  CHECK(b.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(b.sin_port) == port_of(c), "peer address = client's name");
  CHECK(fcntl(s, F_GETFD) & FD_CLOEXEC, "SOCK_CLOEXEC");
  len = sizeof b;
  CHECK(getpeername(c, (struct sockaddr *)&b, &len) == 0 && ntohs(b.sin_port) == port, "client's peer");
  len = sizeof b;
  CHECK(getsockname(s, (struct sockaddr *)&b, &len) == 0 && ntohs(b.sin_port) == port, "accepted socket's name");
  CHECK(write(c, "ping", 4) == 4, "write");
  char buf[8];
  CHECK(readn(s, buf, 4) == 4 && memcmp(buf, "ping", 4) == 0, "read");
  CHECK(shutdown(c, SHUT_WR) == 0, "half-close");
  CHECK(read(s, buf, sizeof buf) == 0, "server sees EOF");
  CHECK(write(s, "pong", 4) == 4, "server still writes");
  CHECK(readn(c, buf, 4) == 4 && memcmp(buf, "pong", 4) == 0, "client still reads");
  close(s);
  CHECK(read(c, buf, sizeof buf) == 0, "EOF after the server closes");
  close(c);

  /* EADDRINUSE, SO_REUSEADDR, ECONNREFUSED */
  int l2 = socket(AF_INET, SOCK_STREAM, 0);
  a = v4("127.0.0.1", port);
  CHECK_ERR(bind(l2, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
  a = v4("0.0.0.0", port);
  CHECK_ERR(bind(l2, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
  close(l2);
  close(l);
  c = socket(AF_INET, SOCK_STREAM, 0);
  a = v4("127.0.0.1", port);
  CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), ECONNREFUSED);
  close(c);
  int on = 1;
  l = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0, "SO_REUSEADDR");
  CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0, "rebind the same port");
  close(l);
  l = socket(AF_INET, SOCK_STREAM, 0);
  a = v4("192.0.2.77", 0);
  CHECK_ERR(bind(l, (struct sockaddr *)&a, sizeof a), EADDRNOTAVAIL);
  a = v4("127.0.0.1", 0);
  CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0, "bind");
  CHECK_ERR(bind(l, (struct sockaddr *)&a, sizeof a), EINVAL);
  close(l);
  OK("tcp: connect/accept4, names, half-close, EADDRINUSE, ECONNREFUSED, SO_REUSEADDR, EADDRNOTAVAIL");
}

static void test_nonblocking(void) {
  int port, l = listener(&port);
  int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in a = v4("127.0.0.1", port);
  int r = connect(c, (struct sockaddr *)&a, sizeof a);
  CHECK(r == 0 || errno == EINPROGRESS, "non-blocking connect: 0 or EINPROGRESS");
  struct pollfd p = { c, POLLOUT, 0 };
  CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT), "POLLOUT when connected");
  int err = -1; socklen_t len = sizeof err;
  CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "SO_ERROR 0");
  int s = accept(l, NULL, NULL);
  CHECK(s >= 0, "accept");
  char ch;
  CHECK(read(c, &ch, 1) == -1 && errno == EAGAIN, "non-blocking read: EAGAIN");
  close(s); close(c);

  /* refused: EINPROGRESS then SO_ERROR = ECONNREFUSED (or refused at once) */
  close(l);
  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  r = connect(c, (struct sockaddr *)&a, sizeof a);
  if (r == -1 && errno == EINPROGRESS) {
    p.fd = c; p.events = POLLOUT; p.revents = 0;
    CHECK(poll(&p, 1, 5000) == 1 && (p.revents & (POLLERR | POLLHUP)), "POLLERR/POLLHUP on failure");
    len = sizeof err;
    CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNREFUSED, "SO_ERROR ECONNREFUSED (%d)", err);
  } else {
    CHECK(r == -1 && errno == ECONNREFUSED, "refused at once");
  }
  close(c);

  /* Non-loopback: blocked (ENETUNREACH here), or in progress on a host with a route. */
  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  a = v4("192.0.2.77", 80);
  r = connect(c, (struct sockaddr *)&a, sizeof a);
  CHECK(r == -1 && (errno == ENETUNREACH || errno == EINPROGRESS), "outside address");
  close(c);
  OK("tcp: non-blocking connect, POLLOUT, SO_ERROR (0 and ECONNREFUSED), EAGAIN");
}

static void test_ipv6(void) {
  int l = socket(AF_INET6, SOCK_STREAM, 0);
  struct sockaddr_in6 a = v6("::", 0), b;
  CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 4) == 0, "listen on ::");
  int port = port_of(l);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a4 = v4("127.0.0.1", port);
  CHECK(connect(c, (struct sockaddr *)&a4, sizeof a4) == 0, "an IPv4 client reaches the :: listener");
  socklen_t len = sizeof b;
  int s = accept(l, (struct sockaddr *)&b, &len);
  char str[64];
  inet_ntop(AF_INET6, &b.sin6_addr, str, sizeof str);
  CHECK(s >= 0 && len == sizeof b && strcmp(str, "::ffff:127.0.0.1") == 0, "v4-mapped peer (%s)", str);
  close(s); close(c);
  int c6 = socket(AF_INET6, SOCK_STREAM, 0);
  a = v6("::1", port);
  CHECK(connect(c6, (struct sockaddr *)&a, sizeof a) == 0, "::1 client");
  s = accept(l, (struct sockaddr *)&b, (len = sizeof b, &len));
  inet_ntop(AF_INET6, &b.sin6_addr, str, sizeof str);
  CHECK(s >= 0 && strcmp(str, "::1") == 0, "peer ::1 (%s)", str);
  close(s); close(c6); close(l);

  int on = 1;
  l = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == 0, "IPV6_V6ONLY");
  int got = 0; len = sizeof got;
  CHECK(getsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &got, &len) == 0 && got == 1, "IPV6_V6ONLY reads back");
  a = v6("::", 0);
  CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 4) == 0, "v6only listen");
  port = port_of(l);
  int l4 = socket(AF_INET, SOCK_STREAM, 0);
  a4 = v4("127.0.0.1", port);
  CHECK(bind(l4, (struct sockaddr *)&a4, sizeof a4) == 0, "v4 bind beside a v6only socket on the same port");
  c = socket(AF_INET, SOCK_STREAM, 0);
  CHECK_ERR(connect(c, (struct sockaddr *)&a4, sizeof a4), ECONNREFUSED);
  close(c); close(l4); close(l);

  l = socket(AF_INET6, SOCK_STREAM, 0);
  a = v6("::", 0);
  CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0, "bind ::");
  port = port_of(l);
  l4 = socket(AF_INET, SOCK_STREAM, 0);
  a4 = v4("127.0.0.1", port);
  CHECK_ERR(bind(l4, (struct sockaddr *)&a4, sizeof a4), EADDRINUSE);
  close(l4); close(l);
  OK("ipv6: :: takes IPv4 (v4-mapped peers), ::1, IPV6_V6ONLY, EADDRINUSE across families");
}

static void test_options(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0), v = 0, on = 1;
  socklen_t len = sizeof v;
  CHECK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM, "SO_TYPE");
  CHECK(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 && v == AF_INET, "SO_DOMAIN");
  CHECK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 && v == IPPROTO_TCP, "SO_PROTOCOL");
  CHECK(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 0, "SO_ACCEPTCONN");
  CHECK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) == 0, "SO_KEEPALIVE");
  CHECK(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &len) == 0 && v == 1, "SO_KEEPALIVE reads back");
  CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0, "SO_REUSEPORT");
  CHECK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0, "TCP_NODELAY");
  CHECK(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v == 1, "TCP_NODELAY reads back");
  int sz = 65536;
  CHECK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz) == 0, "SO_RCVBUF");
  CHECK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 && v >= sz, "SO_RCVBUF doubled (%d)", v);
  CHECK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz) == 0, "SO_SNDBUF");
  CHECK(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len) == 0 && v >= sz, "SO_SNDBUF (%d)", v);
  struct linger lg = { 1, 5 }, lg2;
  socklen_t ll = sizeof lg2;
  CHECK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0, "SO_LINGER");
  CHECK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg2, &ll) == 0 && lg2.l_onoff == 1 && lg2.l_linger == 5, "SO_LINGER reads back");
  struct timeval tv = { 2, 500000 }, tv2;
  socklen_t tl = sizeof tv2;
  CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0, "SO_RCVTIMEO");
  CHECK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv2, &tl) == 0 && tv2.tv_sec == 2 && tv2.tv_usec == 500000, "SO_RCVTIMEO reads back");
  CHECK(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0, "SO_SNDTIMEO");
  CHECK_ERR(setsockopt(s, SOL_SOCKET, 9999, &on, sizeof on), ENOPROTOOPT);
  CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &on, 1), EINVAL);
  close(s);

  /* SO_RCVTIMEO makes a blocking recv give up with EAGAIN. */
  int port, l = listener(&port);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = v4("127.0.0.1", port);
  CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0, "connect");
  tv.tv_sec = 0; tv.tv_usec = 50000;
  CHECK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0, "SO_RCVTIMEO 50 ms");
  char ch;
  CHECK_ERR(recv(c, &ch, 1, 0), EAGAIN);
  close(c); close(l);
  CHECK(getsockopt(l = listener(&port), SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 1, "SO_ACCEPTCONN on a listener");
  close(l);
  OK("options: SO_TYPE/DOMAIN/PROTOCOL/ACCEPTCONN, KEEPALIVE, REUSEPORT, NODELAY, RCVBUF/SNDBUF, LINGER, RCVTIMEO");
}

/* A fork-per-connection echo server: each child upper-cases one client's lines. */
static void serve(int s) {
  char buf[256];
  for (;;) {
    ssize_t n = read(s, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
    if (write(s, buf, n) != n) break;
  }
  close(s);
}

static void test_fork_server(void) {
  int port, l = listener(&port);
  const int N = 5;
  pid_t server = fork();
  if (server == 0) {
    for (int i = 0; i < N; i++) {
      int s = accept(l, NULL, NULL);
      if (s < 0) _exit(1);
      pid_t h = fork();
      if (h == 0) { close(l); serve(s); _exit(0); }
      close(s);
    }
    while (wait(NULL) > 0) {}
    _exit(0);
  }
  close(l);
  int cs[5];
  struct sockaddr_in a = v4("127.0.0.1", port);
  for (int i = 0; i < N; i++) {
    cs[i] = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(cs[i], (struct sockaddr *)&a, sizeof a) == 0, "connect %d", i);
  }
  for (int i = N - 1; i >= 0; i--) {
    char msg[32], got[32] = {0};
    int n = snprintf(msg, sizeof msg, "client %d says hi", i);
    CHECK(write(cs[i], msg, n) == n, "write");
    CHECK(readn(cs[i], got, n) == n, "read reply");
    for (int j = 0; j < n; j++) if (msg[j] >= 'a' && msg[j] <= 'z') msg[j] -= 32;
    CHECK(memcmp(msg, got, n) == 0, "echo %s", got);
    close(cs[i]);
  }
  int status;
  CHECK(waitpid(server, &status, 0) == server && WIFEXITED(status) && WEXITSTATUS(status) == 0, "server exit");
  OK("fork-per-connection server: 5 concurrent clients served by 5 children");
}

static void test_bulk(void) {
  int port, l = listener(&port);
  pid_t pid = fork();
  if (pid == 0) {
    int s = accept(l, NULL, NULL);
    static unsigned char b[100000];
    unsigned v = 0;
    for (int i = 0; i < 40; i++) {
      for (size_t j = 0; j < sizeof b; j++) b[j] = (unsigned char)(v++ * 13);
      if (write(s, b, sizeof b) != (ssize_t)sizeof b) _exit(1);
    }
    _exit(0);
  }
  close(l);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = v4("127.0.0.1", port);
  CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0, "connect");
  static unsigned char rb[7000];
  unsigned v = 0; long got = 0; int bad = 0;
  for (;;) {
    ssize_t r = recv(c, rb, sizeof rb, got % 3 ? 0 : MSG_WAITALL);
    CHECK(r >= 0, "recv");
    if (r == 0) break;
    for (ssize_t j = 0; j < r; j++) if (rb[j] != (unsigned char)(v++ * 13)) bad++;
    got += r;
  }
  int status;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && got == 4000000 && bad == 0, "4 MB in order (%ld, %d bad)", got, bad);
  close(c);
  OK("tcp: 4 MB with a blocking writer, MSG_WAITALL reads");
}

static void test_udp(void) {
  int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = v4("127.0.0.1", 0), from;
  CHECK(bind(r, (struct sockaddr *)&a, sizeof a) == 0, "bind");
  int port = port_of(r);
  a = v4("127.0.0.1", port);
  CHECK(sendto(s, "one", 3, 0, (struct sockaddr *)&a, sizeof a) == 3, "sendto");
  CHECK(sendto(s, "two!", 4, 0, (struct sockaddr *)&a, sizeof a) == 4, "sendto");
  int sport = port_of(s);
  CHECK(sport >= 32768 && sport <= 60999, "the sender was given an ephemeral port");
  char buf[16];
  socklen_t fl = sizeof from;
  CHECK(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) == 3 && ntohs(from.sin_port) == sport &&
        from.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "first datagram and its sender");
  CHECK(recv(r, buf, 2, MSG_TRUNC) == 4, "MSG_TRUNC");
  struct sockaddr_in rb = v4("127.0.0.1", sport);
  CHECK(connect(r, (struct sockaddr *)&rb, sizeof rb) == 0, "connect");
  CHECK(send(r, "back", 4, 0) == 4, "send when connected");
  CHECK(recv(s, buf, sizeof buf, 0) == 4 && memcmp(buf, "back", 4) == 0, "reply");
  struct sockaddr_in pn; socklen_t pl = sizeof pn;
  CHECK(getpeername(r, (struct sockaddr *)&pn, &pl) == 0 && ntohs(pn.sin_port) == sport, "getpeername");
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK_ERR(send(u, "x", 1, 0), EDESTADDRREQ);
  CHECK_ERR(getpeername(u, (struct sockaddr *)&pn, &pl), ENOTCONN);
  close(u);
  int b2 = socket(AF_INET, SOCK_DGRAM, 0);
  a = v4("127.0.0.1", port);
  CHECK_ERR(bind(b2, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
  close(b2); close(r); close(s);
  OK("udp: sendto/recvfrom, sender address, ephemeral ports, MSG_TRUNC, connect, EDESTADDRREQ, EADDRINUSE");
}

static void test_epoll(void) {
  int port, l = listener(&port);
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = l }, out[4];
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0, "add listener");
  CHECK(epoll_wait(ep, out, 4, 0) == 0, "idle");
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = v4("127.0.0.1", port);
  CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0, "connect");
  CHECK(epoll_wait(ep, out, 4, 1000) == 1 && out[0].data.fd == l, "listener ready");
  int s = accept(l, NULL, NULL);
  ev.events = EPOLLIN | EPOLLRDHUP; ev.data.fd = s;
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) == 0, "add connection");
  CHECK(epoll_wait(ep, out, 4, 0) == 0, "nothing to read");
  pid_t pid = fork();
  if (pid == 0) { usleep(20000); (void)!write(c, "late", 4); shutdown(c, SHUT_WR); _exit(0); }
  CHECK(epoll_wait(ep, out, 4, 5000) == 1 && out[0].data.fd == s && (out[0].events & EPOLLIN), "woken by data");
  char buf[8];
  CHECK(readn(s, buf, 4) == 4, "read");
  waitpid(pid, NULL, 0);
  CHECK(epoll_wait(ep, out, 4, 5000) == 1 && (out[0].events & EPOLLRDHUP), "EPOLLRDHUP after shutdown");
  close(s); close(c); close(l); close(ep);
  OK("epoll: listener readiness, data wakes a waiter, EPOLLRDHUP");
}

static void test_resolve(void) {
  struct addrinfo hints = { 0 }, *res = NULL;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_INET;
  CHECK(getaddrinfo("localhost", "80", &hints, &res) == 0 && res, "getaddrinfo localhost");
  CHECK(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK), "127.0.0.1");
  freeaddrinfo(res);
  hints.ai_family = AF_INET6;
  CHECK(getaddrinfo("::1", "80", &hints, &res) == 0 && res, "getaddrinfo ::1");
  freeaddrinfo(res);
  hints.ai_family = AF_UNSPEC;
  CHECK(getaddrinfo("127.0.0.1", NULL, &hints, &res) == 0 && res, "getaddrinfo 127.0.0.1");
  freeaddrinfo(res);
  OK("getaddrinfo: localhost, ::1, 127.0.0.1");
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  test_basic();
  test_nonblocking();
  test_ipv6();
  test_options();
  test_fork_server();
  test_bulk();
  test_udp();
  test_epoll();
  test_resolve();
  return checks_done();
}
