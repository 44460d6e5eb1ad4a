/* Pseudo-terminals and termios: posix_openpt/grantpt/unlockpt/ptsname, the slave's default termios, the
 * line discipline seen from both ends (canonical editing, echo variants, ICRNL, OPOST/ONLCR, VEOF,
 * VMIN/VTIME, FIONREAD, tcflush), controlling terminals (acquired at open, /dev/tty, TIOCNOTTY,
 * tcgetsid/tcgetpgrp), signals from the terminal (VINTR, SIGWINCH), background access (SIGTTIN, SIGTTOU
 * with TOSTOP, EIO when ignored) and hangup in both directions. Input written to a Linux master is
 * processed asynchronously, so the master side always waits for output with poll before reading. */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>

/* Read what the fd produces until it has been idle for `ms` milliseconds. */
static int drain(int fd, char *buf, int cap, int ms) {
  int n = 0;
  for (;;) {
    struct pollfd p = { fd, POLLIN, 0 };
    int r = poll(&p, 1, ms);
    if (r <= 0 || !(p.revents & POLLIN)) break;
    int k = read(fd, buf + n, cap - 1 - n);
    if (k <= 0) break;
    n += k;
  }
  buf[n] = 0;
  return n;
}

/* C-escaped text of buf[0..n). */
static const char *show(const char *b, int n) {
  static char o[1024];
  int j = 0;
  for (int i = 0; i < n && j < 1000; i++) {
    unsigned char c = b[i];
    if (c == '\r') j += sprintf(o + j, "\\r");
    else if (c == '\n') j += sprintf(o + j, "\\n");
    else if (c < 32 || c >= 127) j += sprintf(o + j, "\\x%02x", c);
    else o[j++] = c;
  }
  o[j] = 0;
  return o;
}

static int open_pair(int *slave, char *name) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  CHECK(m >= 0, "posix_openpt");
  CHECK(grantpt(m) == 0, "grantpt");
  CHECK(unlockpt(m) == 0, "unlockpt");
  CHECK(ptsname_r(m, name, 64) == 0, "ptsname_r");
  *slave = open(name, O_RDWR | O_NOCTTY);
  CHECK(*slave >= 0, "open %s", name);
  return m;
}

/* Type `in` at the master; print what the slave reads (one read) and what the master sees echoed. */
static void type_line(int m, int s, const char *what, const char *in, int len) {
  char buf[512], echo[512];
  CHECK(write(m, in, len) == len, "write master");
  int n = read(s, buf, sizeof buf);
  CHECK(n >= 0, "read slave");
  int e = drain(m, echo, sizeof echo, 100);
  printf("%s: read \"%s\"", what, show(buf, n));
  printf(" echo \"%s\"\n", show(echo, e));
}

static void basics(void) {
  char name[64], buf[256];
  int s, m = open_pair(&s, name);
  CHECK(strncmp(name, "/dev/pts/", 9) == 0, "ptsname %s", name);
  OK("ptsname is /dev/pts/N");
  CHECK(isatty(s) && isatty(m), "isatty");
  OK("isatty on both ends");
  int n;
  CHECK_ERR(ioctl(s, TIOCGPTN, &n), ENOTTY);
  OK("TIOCGPTN on the slave is ENOTTY");
  char *tn = ttyname(s);
  CHECK(tn && strcmp(tn, name) == 0, "ttyname %s", tn ? tn : "(null)");
  OK("ttyname of the slave is its ptsname");
  struct stat st;
  CHECK(fstat(s, &st) == 0 && S_ISCHR(st.st_mode), "fstat slave");
  OK("slave is a character device");

  struct termios t;
  CHECK(tcgetattr(s, &t) == 0, "tcgetattr");
  printf("default iflag %o oflag %o cflag %o lflag %o\n", t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag);
  printf("default cc");
  for (int i = 0; i <= VEOL2; i++) printf(" %d", t.c_cc[i]);
  printf("\nspeed %d\n", cfgetospeed(&t) == B38400);
  struct winsize ws;
  CHECK(ioctl(s, TIOCGWINSZ, &ws) == 0, "TIOCGWINSZ");
  printf("winsize %d %d\n", ws.ws_row, ws.ws_col);
  ws.ws_row = 40; ws.ws_col = 132;
  CHECK(ioctl(m, TIOCSWINSZ, &ws) == 0, "TIOCSWINSZ master");
  memset(&ws, 0, sizeof ws);
  CHECK(ioctl(s, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 40 && ws.ws_col == 132, "size seen by the slave");
  OK("window size set on the master is the slave's");

  /* Output processing. */
  CHECK(write(s, "a\nb\tc", 5) == 5, "write slave");
  n = drain(m, buf, sizeof buf, 100);
  printf("opost: \"%s\"\n", show(buf, n));
  t.c_oflag &= ~OPOST;
  CHECK(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr");
  CHECK(write(s, "a\nb", 3) == 3, "write slave");
  n = drain(m, buf, sizeof buf, 100);
  printf("-opost: \"%s\"\n", show(buf, n));
  t.c_oflag |= OPOST;
  CHECK(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr");

  /* Canonical input and echo. */
  type_line(m, s, "erase", "abc\x7f" "d\r", 6);
  type_line(m, s, "kill", "foo\x15" "bar\n", 8);
  type_line(m, s, "werase", "one two\x17three\n", 14);
  type_line(m, s, "lnext", "a\x16\x03" "b\n", 5);
  type_line(m, s, "ctl", "x\x01y\x7f\x7fz\n", 7);
  type_line(m, s, "eof after text", "ab\x04", 3);
  type_line(m, s, "eof", "\x04", 1);
  t.c_lflag &= ~ECHOCTL;
  CHECK(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr");
  type_line(m, s, "-echoctl", "p\x01q\n", 4);
  t.c_lflag &= ~(ECHOE | ECHOKE);
  t.c_lflag |= ECHOCTL;
  CHECK(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr");
  type_line(m, s, "-echoe -echoke", "ab\x7f" "c\x15" "d\n", 7);
  t.c_lflag |= ECHOE | ECHOKE;
  t.c_lflag &= ~ECHO;
  t.c_lflag |= ECHONL;
  CHECK(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr");
  type_line(m, s, "-echo echonl", "secret\n", 7);
  t.c_lflag |= ECHO;
  t.c_lflag &= ~ECHONL;
  t.c_iflag |= IGNCR;
  CHECK(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr");
  type_line(m, s, "igncr", "r\rs\n", 4);
  t.c_iflag = (t.c_iflag & ~IGNCR) | INLCR;
  CHECK(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr");
  type_line(m, s, "inlcr", "t\n\x04", 3);
  t.c_iflag &= ~(INLCR | IGNCR | ICRNL);
  CHECK(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr");
  type_line(m, s, "-icrnl", "cr\r\n", 4);
  t.c_iflag |= ICRNL;
  CHECK(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr");

  /* FIONREAD counts complete lines only; tcflush discards. */
  CHECK(write(m, "line\npart", 9) == 9, "write");
  drain(m, buf, sizeof buf, 100);
  CHECK(ioctl(s, FIONREAD, &n) == 0, "FIONREAD");
  printf("FIONREAD canonical %d\n", n);
  CHECK(tcflush(s, TCIFLUSH) == 0, "tcflush");
  CHECK(ioctl(s, FIONREAD, &n) == 0 && n == 0, "FIONREAD after flush %d", n);
  OK("tcflush(TCIFLUSH) empties the input");
  CHECK(write(s, "out", 3) == 3, "write");
  struct pollfd pm = { m, POLLIN, 0 };
  CHECK(poll(&pm, 1, 1000) == 1, "poll master");
  CHECK(ioctl(m, FIONREAD, &n) == 0 && n == 3, "master FIONREAD %d", n);
  OK("FIONREAD on the master counts output");
  drain(m, buf, sizeof buf, 50);

  /* Raw mode: VMIN/VTIME. */
  struct termios raw = t;
  raw.c_lflag &= ~(ICANON | ECHO);
  raw.c_cc[VMIN] = 0; raw.c_cc[VTIME] = 0;
  CHECK(tcsetattr(s, TCSANOW, &raw) == 0, "tcsetattr raw");
  CHECK(read(s, buf, sizeof buf) == 0, "MIN 0 TIME 0 with no input returns 0");
  OK("VMIN=0 VTIME=0 polls");
  raw.c_cc[VTIME] = 1;
  CHECK(tcsetattr(s, TCSANOW, &raw) == 0, "tcsetattr");
  CHECK(read(s, buf, sizeof buf) == 0, "MIN 0 TIME 1 times out with 0");
  OK("VMIN=0 VTIME=1 times out");
  raw.c_cc[VMIN] = 3; raw.c_cc[VTIME] = 0;
  CHECK(tcsetattr(s, TCSANOW, &raw) == 0, "tcsetattr");
  CHECK(write(m, "ab", 2) == 2, "write");
  struct pollfd ps = { s, POLLIN, 0 };
  CHECK(poll(&ps, 1, 100) == 0, "not readable before VMIN bytes");
  CHECK(write(m, "c\r", 2) == 2, "write");
  n = 0;
  while (n < 4) { int k = read(s, buf + n, sizeof buf - n); CHECK(k > 0, "read raw"); n += k; }
  printf("raw read \"%s\"\n", show(buf, n));
  CHECK(drain(m, buf, sizeof buf, 50) == 0, "no echo");
  OK("VMIN=3 waits for three bytes, no echo");
  /* Switching back to canonical mode: the pending input forms a line. */
  CHECK(write(m, "xyz", 3) == 3, "write");
  CHECK(poll(&ps, 1, 1000) == 1, "poll");
  CHECK(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr canon");
  n = read(s, buf, sizeof buf);
  printf("raw to canonical \"%s\"\n", show(buf, n));
  close(s);
  close(m);
}

static void hangups(void) {
  char name[64], buf[64];
  int s, m = open_pair(&s, name);
  close(m);
  CHECK(read(s, buf, sizeof buf) == 0, "slave read after hangup is EOF");
  CHECK_ERR(write(s, "x", 1), EIO);
  struct termios t;
  CHECK_ERR(tcgetattr(s, &t), EIO);
  struct pollfd p = { s, POLLIN | POLLOUT, 0 };
  CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP), "POLLHUP");
  OK("master closed: slave reads EOF, writes and ioctls EIO, POLLHUP");
  close(s);

  m = open_pair(&s, name);
  CHECK(write(s, "zz", 2) == 2, "write");
  close(s);
  p.fd = m; p.events = POLLIN;
  CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLHUP), "master POLLHUP");
  int n = drain(m, buf, sizeof buf, 100);
  CHECK(n == 2, "buffered output is still read: %d", n);
  CHECK_ERR(read(m, buf, sizeof buf), EIO);
  OK("slave closed: master reads what was left, then EIO");
  close(m);

  m = posix_openpt(O_RDWR | O_NOCTTY);
  CHECK(m >= 0 && ptsname_r(m, name, sizeof name) == 0, "openpt");
  CHECK_ERR(open(name, O_RDWR | O_NOCTTY), EIO);
  OK("a locked slave cannot be opened");
  close(m);
}

static volatile sig_atomic_t got;
static void on_sig(int sig) { got = sig; }

/* Child side of the session tests: a new session whose controlling terminal is the slave. Reports over
 * `rep` one byte per step. */
static void session_child(const char *name, int m, int rep) {
  close(m);
  CHECK(setsid() == getpid(), "setsid");
  CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
  int s = open(name, O_RDWR);
  CHECK(s >= 0, "open slave");
  CHECK(tcgetsid(s) == getpid(), "tcgetsid");
  CHECK(tcgetpgrp(s) == getpgrp(), "tcgetpgrp");
  int t = open("/dev/tty", O_RDWR);
  CHECK(t >= 0, "/dev/tty");
  CHECK(write(t, "via /dev/tty\n", 13) == 13, "write /dev/tty");
  close(t);
  struct sigaction sa = { 0 };
  sa.sa_handler = on_sig;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGWINCH, &sa, NULL);
  got = 0;
  CHECK(write(rep, "r", 1) == 1, "report");
  while (got != SIGINT) pause();
  CHECK(write(rep, "i", 1) == 1, "report");
  while (got != SIGWINCH) pause();
  CHECK(write(rep, "w", 1) == 1, "report");

  /* Background access. */
  pid_t c = fork();
  if (c == 0) {
    setpgid(0, 0);
    char b[8];
    read(s, b, 1);
    _exit(0);
  }
  setpgid(c, c);
  int st;
  CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN, "SIGTTIN stop %x", st);
  kill(c, SIGKILL);
  waitpid(c, &st, 0);
  c = fork();
  if (c == 0) {
    setpgid(0, 0);
    signal(SIGTTIN, SIG_IGN);
    char b[8];
    _exit(read(s, b, 1) == -1 && errno == EIO ? 0 : 1);
  }
  setpgid(c, c);
  CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0, "ignored SIGTTIN: EIO");
  c = fork();
  if (c == 0) {
    setpgid(0, 0);
    _exit(write(s, "bg\n", 3) == 3 ? 0 : 1);
  }
  setpgid(c, c);
  CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0, "background write without TOSTOP");
  struct termios tio;
  tcgetattr(s, &tio);
  tio.c_lflag |= TOSTOP;
  tcsetattr(s, TCSANOW, &tio);
  c = fork();
  if (c == 0) {
    setpgid(0, 0);
    write(s, "no\n", 3);
    _exit(0);
  }
  setpgid(c, c);
  CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU, "SIGTTOU stop %x", st);
  kill(c, SIGKILL);
  waitpid(c, &st, 0);
  c = fork();
  if (c == 0) {
    setpgid(0, 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTTOU);
    sigprocmask(SIG_BLOCK, &set, NULL);
    if (tcsetpgrp(s, getpgrp()) != 0 || tcgetpgrp(s) != getpgrp()) _exit(1);
    _exit(0);
  }
  setpgid(c, c);
  CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0, "tcsetpgrp with SIGTTOU blocked");
  CHECK(tcgetpgrp(s) == c, "the child's group is in the foreground");
  signal(SIGTTOU, SIG_IGN);
  CHECK(tcsetpgrp(s, getpgrp()) == 0, "take the foreground back");
  signal(SIGTTOU, SIG_DFL);
  CHECK(write(rep, "j", 1) == 1, "report");

  /* Giving the terminal up. */
  signal(SIGHUP, SIG_IGN);
  CHECK(ioctl(s, TIOCNOTTY) == 0, "TIOCNOTTY");
  CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
  CHECK_ERR(tcgetpgrp(s), ENOTTY);
  CHECK(ioctl(s, TIOCSCTTY, 0) == 0, "TIOCSCTTY");
  CHECK(tcgetsid(s) == getpid(), "terminal again");
  signal(SIGHUP, on_sig);
  got = 0;
  CHECK(write(rep, "n", 1) == 1, "report");
  while (got != SIGHUP) pause();
  CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
  CHECK(write(rep, "h", 1) == 1, "report");
  _exit(0);
}

static void sessions(void) {
  char name[64], buf[256];
  int s, m = open_pair(&s, name);
  close(s);
  int rep[2];
  CHECK(pipe(rep) == 0, "pipe");
  pid_t c = fork();
  CHECK(c >= 0, "fork");
  if (c == 0) { close(rep[0]); session_child(name, m, rep[1]); }
  close(rep[1]);
  char r;
  CHECK(read(rep[0], &r, 1) == 1 && r == 'r', "child ready");
  int n = drain(m, buf, sizeof buf, 100);
  printf("child wrote \"%s\"\n", show(buf, n));
  OK("a session leader acquires the terminal it opens; /dev/tty is it");
  CHECK(ioctl(m, TIOCGPGRP, &n) == 0 && n == c, "TIOCGPGRP through the master");
  CHECK(write(m, "\x03", 1) == 1, "^C");
  CHECK(read(rep[0], &r, 1) == 1 && r == 'i', "SIGINT");
  n = drain(m, buf, sizeof buf, 100);
  printf("^C echo \"%s\"\n", show(buf, n));
  OK("VINTR sends SIGINT to the foreground group");
  struct winsize ws = { 30, 100, 0, 0 };
  CHECK(ioctl(m, TIOCSWINSZ, &ws) == 0, "TIOCSWINSZ");
  CHECK(read(rep[0], &r, 1) == 1 && r == 'w', "SIGWINCH");
  OK("TIOCSWINSZ sends SIGWINCH");
  CHECK(read(rep[0], &r, 1) == 1 && r == 'j', "job control");
  n = drain(m, buf, sizeof buf, 100);
  printf("background output \"%s\"\n", show(buf, n));
  OK("SIGTTIN, SIGTTOU with TOSTOP, EIO when ignored, tcsetpgrp when blocked");
  CHECK(read(rep[0], &r, 1) == 1 && r == 'n', "TIOCNOTTY");
  OK("TIOCNOTTY and TIOCSCTTY");
  close(m);
  CHECK(read(rep[0], &r, 1) == 1 && r == 'h', "SIGHUP");
  OK("closing the master sends SIGHUP to the session leader");
  int st;
  CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %x", st);
}

int main(void) {
  basics();
  hangups();
  sessions();
  return checks_done();
}
