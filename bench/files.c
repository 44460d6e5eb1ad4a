/* tmpfs metadata: create N small files (100 bytes each) in DIR, stat each, unlink each.
 * Usage: files DIR [N]  (default N = 10000). Prints elapsed ms. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const char *path) {
  fprintf(stderr, "files: %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/tmp/bench-files";
  int n = argc > 2 ? atoi(argv[2]) : 10000;
  char path[4096], data[100];
  memset(data, 'x', sizeof data);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) die("mkdir", dir);
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/f%05d", dir, i);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) die("open", path);
    if (write(fd, data, sizeof data) != (ssize_t)sizeof data) die("write", path);
    close(fd);
  }
  for (int i = 0; i < n; i++) {
    struct stat st;
    snprintf(path, sizeof path, "%s/f%05d", dir, i);
    if (stat(path, &st) != 0) die("stat", path);
    if (st.st_size != (off_t)sizeof data) { fprintf(stderr, "files: %s: bad size\n", path); return 1; }
  }
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/f%05d", dir, i);
    if (unlink(path) != 0) die("unlink", path);
  }
  if (rmdir(dir) != 0) die("rmdir", dir);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.1f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
  return 0;
}
