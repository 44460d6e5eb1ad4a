// Byte strings as JS strings. On Linux a file name (a path, a symlink target, argv) is any sequence of bytes
// without NUL; the kernel keeps names as JS strings. Valid UTF-8 decodes as usual, and every byte that is not
// part of a valid UTF-8 sequence becomes the lone surrogate U+DC80..U+DCFF (Python's "surrogateescape",
// PEP 383). A lone surrogate is never the result of decoding valid UTF-8, so decode and encode are exact
// inverses: a name made of any bytes reads back (readdir, readlink, getcwd) as the same bytes.

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8enc = new TextEncoder();
/** An escaped byte: a low surrogate in U+DC80..U+DCFF not preceded by a high surrogate. */
const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

export function decodeBytes(b: Uint8Array): string {
  try { return strict.decode(b); } catch { return decodeEscaped(b); }
}

export function encodeBytes(s: string): Uint8Array {
  if (!ESCAPED.test(s)) return utf8enc.encode(s);
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xdc80 && cp <= 0xdcff) out.push(cp - 0xdc00);
    else for (const x of utf8enc.encode(ch)) out.push(x);
  }
  return new Uint8Array(out);
}

/** Length in bytes of `s` as encodeBytes gives it. */
export function byteLength(s: string): number {
  let ascii = true;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) { ascii = false; break; }
  return ascii ? s.length : encodeBytes(s).length;
}

function decodeEscaped(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c < 0x80) { s += String.fromCharCode(c); i++; continue; }
    // The well-formed sequences of Unicode table 3-7: no overlong forms, no surrogates, at most U+10FFFF.
    let n = 0, cp = 0, min = 0;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; min = 0x10000; }
    let j = 1;
    for (; j <= n && i + j < b.length && (b[i + j]! & 0xc0) === 0x80; j++) cp = (cp << 6) | (b[i + j]! & 0x3f);
    if (n > 0 && j === n + 1 && cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff)) {
      s += String.fromCodePoint(cp);
      i += j;
    } else {
      s += String.fromCharCode(0xdc00 + c);
      i++;
    }
  }
  return s;
}
