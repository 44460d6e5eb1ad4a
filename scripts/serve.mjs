#!/usr/bin/env node
// The development server for the browser app: static files from dist/web (built by scripts/bundle-web.mjs).
// Caching: revisioned files (name.<hex>.ext, e.g. the image rootfs.<sha256 prefix>.img) never change behind
// their URL, so they are cached for a year as immutable; everything else (index.html, app.js,
// kernel-worker.js) is revalidated on every load (ETag, 304). No COOP/COEP headers: nothing needs them
// (ARCHITECTURE.md §1).
//   node scripts/serve.mjs [--port N] [--host H] [--no-build]
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const MIME = {
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
};
const REVISIONED = /\.[0-9a-f]{8,}\.[a-z]+$/;

/** Starts the server; resolves once it listens. `port` 0 picks a free port (tests). */
export function serve({ dir = join(root, 'dist/web'), port = 8080, host = '127.0.0.1' } = {}) {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try { path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname); } catch {
      res.writeHead(400).end();
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    let st;
    try {
      if (!file.startsWith(base + sep)) throw new Error('outside');
      st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers = {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': REVISIONED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag,
      'x-content-type-options': 'nosniff',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': st.size });
    if (req.method === 'HEAD') { res.end(); return; }
    createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const a = server.address();
      ok({ server, url: `http://${host}:${typeof a === 'object' && a ? a.port : port}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
  if (!process.argv.includes('--no-build')) {
    const { bundleWeb } = await import('./bundle-web.mjs');
    await bundleWeb();
  }
  const { url } = await serve({ port: Number(arg('--port') ?? 8080), host: arg('--host') ?? '127.0.0.1' });
  console.log(`wasmux: serving dist/web on ${url}`);
}
