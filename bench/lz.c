/* gzip-like CPU work in plain C: greedy LZ77 (4-byte hash, one candidate per bucket, 64 KiB window,
 * LZ4-style byte-aligned tokens) over 1 MiB blocks of FILE, each block decompressed again and compared.
 * No entropy coding, so it is cheaper than gzip -1; it exists to run the same code natively, in wasmux and
 * under node:wasi. Usage: lz FILE. Prints "<input bytes> <compressed bytes>". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK (1 << 20)
#define HBITS 15
#define MINMATCH 4

static uint32_t rd32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint32_t hash(uint32_t v) { return (v * 2654435761u) >> (32 - HBITS); }

static unsigned char *putlen(unsigned char *o, size_t n) {  /* continuation of a 15 in a token nibble */
  while (n >= 255) { *o++ = 255; n -= 255; }
  *o++ = (unsigned char)n;
  return o;
}

static size_t compress(const unsigned char *in, size_t n, unsigned char *out) {
  static int32_t table[1 << HBITS];
  for (size_t i = 0; i < (1 << HBITS); i++) table[i] = -1;
  unsigned char *o = out;
  size_t i = 0, lit = 0;
  while (i + MINMATCH <= n) {
    uint32_t v = rd32(in + i), h = hash(v);
    int32_t c = table[h];
    table[h] = (int32_t)i;
    if (c >= 0 && i - (size_t)c <= 65535 && rd32(in + c) == v) {
      size_t len = MINMATCH;
      while (i + len < n && in[c + len] == in[i + len]) len++;
      size_t ll = i - lit, ml = len - MINMATCH;
      *o++ = (unsigned char)((ll < 15 ? ll : 15) << 4 | (ml < 15 ? ml : 15));
      if (ll >= 15) o = putlen(o, ll - 15);
      memcpy(o, in + lit, ll); o += ll;
      size_t off = i - (size_t)c;
      *o++ = (unsigned char)off; *o++ = (unsigned char)(off >> 8);
      if (ml >= 15) o = putlen(o, ml - 15);
      for (size_t j = i + 1; j + MINMATCH <= n && j < i + len; j += 2) table[hash(rd32(in + j))] = (int32_t)j;
      i += len;
      lit = i;
    } else {
      i++;
    }
  }
  size_t ll = n - lit;  /* last literals: a token with no match (offset 0 ends the block) */
  *o++ = (unsigned char)((ll < 15 ? ll : 15) << 4);
  if (ll >= 15) o = putlen(o, ll - 15);
  memcpy(o, in + lit, ll); o += ll;
  *o++ = 0; *o++ = 0;
  return (size_t)(o - out);
}

static size_t getlen(const unsigned char **p, size_t n) {
  if (n == 15) { unsigned char b; do { b = *(*p)++; n += b; } while (b == 255); }
  return n;
}

static size_t decompress(const unsigned char *in, unsigned char *out) {
  unsigned char *o = out;
  for (;;) {
    unsigned char t = *in++;
    size_t ll = getlen(&in, t >> 4);
    memcpy(o, in, ll); o += ll; in += ll;
    size_t off = in[0] | (size_t)in[1] << 8;
    in += 2;
    if (off == 0) break;
    size_t ml = getlen(&in, t & 15) + MINMATCH;
    for (size_t j = 0; j < ml; j++) o[j] = o[j - off];  /* may overlap */
    o += ml;
  }
  return (size_t)(o - out);
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: lz FILE\n"); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 1; }
  unsigned char *in = malloc(BLOCK), *c = malloc(BLOCK + BLOCK / 8 + 64), *d = malloc(BLOCK);
  if (!in || !c || !d) { perror("malloc"); return 1; }
  unsigned long long total = 0, packed = 0;
  size_t n;
  while ((n = fread(in, 1, BLOCK, f)) > 0) {
    size_t m = compress(in, n, c);
    if (decompress(c, d) != n || memcmp(in, d, n) != 0) { fprintf(stderr, "lz: round trip failed\n"); return 1; }
    total += n; packed += m;
  }
  if (ferror(f)) { perror(argv[1]); return 1; }
  printf("%llu %llu\n", total, packed);
  return 0;
}
