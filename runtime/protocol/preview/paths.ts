// Preview URLs: where the service worker serves each exposure point to same-origin iframes.
//   tcp:8080                 -> /preview/8080/
//   unix:/tmp/server.sock    -> /preview/unix~tmp~server.sock/
// A UNIX path's slashes become "~" (a character URLs never escape, so the slug stays readable); a "~" in the
// path and anything else outside [A-Za-z0-9._-] is %-escaped. Slugs never start with ".", so /preview/.wasmux/
// is free for the service worker's own files (the WebSocket shim).

export const PREVIEW_PREFIX = '/preview/';
export const SHIM_PATH = '/preview/.wasmux/shim.js';

export function slugOf(pointId: string): string | null {
  const tcp = /^tcp:(\d{1,5})$/.exec(pointId);
  if (tcp) return tcp[1]!;
  if (!pointId.startsWith('unix:/')) return null;
  return 'unix' + pointId.slice(5).split('/').map((seg) => seg.replace(/[^A-Za-z0-9._-]/g,
    (c) => [...new TextEncoderLite(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''))).join('~');
}

export function pointOf(slug: string): string | null {
  if (/^\d{1,5}$/.test(slug)) return Number(slug) > 0 && Number(slug) < 65536 ? `tcp:${Number(slug)}` : null;
  if (!slug.startsWith('unix~')) return null;
  try {
    return 'unix:' + slug.slice(4).split('~').map((seg) => decodeURIComponent(seg)).join('/');
  } catch { return null; }
}

/** The preview URL path of a point, with `path` (absolute, may carry a query) appended. */
export function previewPath(pointId: string, path = '/'): string {
  const slug = slugOf(pointId);
  if (slug === null) throw new Error(`no preview for ${pointId}`);
  return `${PREVIEW_PREFIX}${slug}${path.startsWith('/') ? path : `/${path}`}`;
}

/** Splits a URL path under /preview/ into the point and the path the server sees; null otherwise. */
export function parsePreviewPath(pathname: string): { slug: string; point: string; rest: string } | null {
  if (!pathname.startsWith(PREVIEW_PREFIX)) return null;
  const after = pathname.slice(PREVIEW_PREFIX.length);
  const cut = after.indexOf('/');
  const slug = cut < 0 ? after : after.slice(0, cut);
  const point = pointOf(slug);
  if (!point) return null;
  return { slug, point, rest: cut < 0 ? '/' : after.slice(cut) };
}

/** UTF-8 bytes of a short string without TextEncoder (not in the ES library this folder compiles with). */
class TextEncoderLite implements Iterable<number> {
  constructor(private readonly s: string) {}
  *[Symbol.iterator](): Iterator<number> {
    for (const ch of this.s) {
      const c = ch.codePointAt(0)!;
      if (c < 0x80) yield c;
      else if (c < 0x800) { yield 0xc0 | (c >> 6); yield 0x80 | (c & 63); }
      else if (c < 0x10000) { yield 0xe0 | (c >> 12); yield 0x80 | ((c >> 6) & 63); yield 0x80 | (c & 63); }
      else { yield 0xf0 | (c >> 18); yield 0x80 | ((c >> 12) & 63); yield 0x80 | ((c >> 6) & 63); yield 0x80 | (c & 63); }
    }
  }
}
