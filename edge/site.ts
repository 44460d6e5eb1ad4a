// The browser app's static files, served by the edge on its own host name so that `npm start` needs one
// port for both (the app at http://localhost:8080/, shared servers at http://<id>.localhost:8080/).
//
// Caching: revisioned files (name.<hex>.ext, e.g. the image rootfs.<sha256 prefix>.img) never change behind
// their URL, so they are cached for a year as immutable; everything else (index.html, app.js, sw.js) is
// revalidated on every load (ETag, 304). Compression: scripts/bundle-web.mjs writes file.br and file.gz
// beside the large files; they are sent when the request accepts them (Vary: Accept-Encoding), so the
// multi-MB image crosses the network compressed without compressing on every request. No COOP/COEP headers:
// nothing needs cross-origin isolation (ARCHITECTURE.md §1).
import { createReadStream, statSync, type Stats } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.img': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};
/** Names that carry their content's hash: ours (name.<hex>.ext) and esbuild's chunks (chunks/name.<HASH>.js). */
const REVISIONED = /\.[0-9a-f]{8,}\.[a-z]+$|\/chunks\/[^/]+\.[0-9A-Z]{8}\.js$/;
/** Precompressed variants, best first. */
const ENCODINGS: Array<[token: string, suffix: string]> = [['br', '.br'], ['gzip', '.gz']];

export interface SiteResponse {
  status: number;
  headers: Record<string, string | number>;
  /** The body (null for HEAD, 304 and errors with a short text body in `text`). */
  body: Readable | null;
  text?: string;
}

export class StaticSite {
  readonly dir: string;
  constructor(dir: string) { this.dir = resolve(dir); }

  /** Answer a request; `headers` has lower-case names. Never throws. */
  respond(method: string, target: string, headers: Record<string, string | undefined>): SiteResponse {
    const plain = (status: number, text: string, extra: Record<string, string> = {}): SiteResponse =>
      ({ status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra }, body: null, text });
    if (method !== 'GET' && method !== 'HEAD') return plain(405, 'method not allowed\n', { allow: 'GET, HEAD' });
    let path: string;
    try { path = decodeURIComponent(new URL(target, 'http://x').pathname); } catch { return plain(400, 'bad request\n'); }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(this.dir, path));
    const st = file.startsWith(this.dir + sep) ? fileStat(file) : null;
    if (!st) return plain(404, 'not found\n');
    const out: Record<string, string | number> = {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': REVISIONED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    let send = file, size = st.size;
    const accepted = acceptedEncodings(headers['accept-encoding'] ?? '');
    for (const [token, suffix] of ENCODINGS) {
      const c = fileStat(file + suffix);
      if (!c) continue;
      out['vary'] = 'Accept-Encoding';
      // A variant older than the file is stale (the file was rebuilt in place): ignore it.
      if (!accepted.has(token) || c.mtimeMs < st.mtimeMs) continue;
      out['content-encoding'] = token;
      send = file + suffix;
      size = c.size;
      break;
    }
    // Each coding is its own representation, so it gets its own validator.
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}${send === file ? '' : `-${String(out['content-encoding'])}`}"`;
    out['etag'] = etag;
    if (headers['if-none-match'] === etag) return { status: 304, headers: out, body: null };
    out['content-length'] = size;
    return { status: 200, headers: out, body: method === 'HEAD' ? null : createReadStream(send) };
  }
}

function fileStat(f: string): Stats | null {
  try { const st = statSync(f); return st.isFile() ? st : null; } catch { return null; }
}

/** The codings an Accept-Encoding header allows (q=0 excluded). */
export function acceptedEncodings(h: string): Set<string> {
  const ok = new Set<string>();
  for (const part of h.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) ok.add(name);
  }
  return ok;
}

const REASONS: Record<number, string> = { 200: 'OK', 304: 'Not Modified', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed' };

/** The response as an HTTP/1.1 head (the caller sends the body and closes the connection). */
export function responseHead(r: SiteResponse, close: boolean): string {
  const h = { ...r.headers };
  if (r.text !== undefined) h['content-length'] = Buffer.byteLength(r.text);
  if (close) h['connection'] = 'close';
  let s = `HTTP/1.1 ${r.status} ${REASONS[r.status] ?? ''}\r\n`;
  for (const [k, v] of Object.entries(h)) s += `${k}: ${v}\r\n`;
  return s + '\r\n';
}
