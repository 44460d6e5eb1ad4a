// The server behind `npm start` (edge/app-server.ts): the app's static files on the edge's own host (MIME
// types, caching of revisioned files, ETag revalidation, precompressed variants, no escape from the
// directory) beside the edge's own paths, on one port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startAppServer, type AppServer } from './app-server.js';
import { acceptedEncodings } from './site.js';

let dir: string;
let server: AppServer;
const image = new Uint8Array(5000).map((_, i) => i % 7);
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wasmux-serve-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'app.js'), 'export {}');
  writeFileSync(join(dir, 'rootfs.0123456789ab.img'), image);
  writeFileSync(join(dir, 'rootfs.0123456789ab.img.gz'), gzipSync(image));
  // A stale variant (older than its file) must never be sent.
  writeFileSync(join(dir, 'stale.js'), 'export const fresh = 1;');
  writeFileSync(join(dir, 'stale.js.gz'), gzipSync('export const old = 1;'));
  utimesSync(join(dir, 'stale.js.gz'), new Date(0), new Date(0));
  server = await startAppServer({ dir, port: 0 });
});
afterAll(async () => { await server.close(); rmSync(dir, { recursive: true }); });

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }
function get(path: string, o: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((ok, fail) => {
    const u = new URL(server.url);
    const req = request({ host: '127.0.0.1', port: u.port, path, method: o.method ?? 'GET', headers: { host: u.host, ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('the app server (edge + static files on one port)', () => {
  it('serves index.html for / and revalidates it', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.body.toString()).toBe('<!doctype html>');
    const again = await get('/', { headers: { 'if-none-match': r.headers['etag'] as string } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('caches revisioned files forever, as octet-stream for the image', async () => {
    const r = await get('/rootfs.0123456789ab.img');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.headers['content-length']).toBe('5000');
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.headers['vary']).toBe('Accept-Encoding');
    expect(Buffer.compare(r.body, Buffer.from(image))).toBe(0);
    expect((await get('/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('sends a precompressed variant when the request accepts it, with its own validator', async () => {
    const plain = await get('/rootfs.0123456789ab.img');
    const r = await get('/rootfs.0123456789ab.img', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.body.length).toBeLessThan(5000);
    expect(r.headers['etag']).not.toBe(plain.headers['etag']);
    const { gunzipSync } = await import('node:zlib');
    expect(Buffer.compare(gunzipSync(r.body), Buffer.from(image))).toBe(0);
    expect((await get('/rootfs.0123456789ab.img', { headers: { 'accept-encoding': 'gzip;q=0, identity' } })).headers['content-encoding']).toBeUndefined();
    const stale = await get('/stale.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(stale.headers['content-encoding']).toBeUndefined();
    expect(stale.body.toString()).toBe('export const fresh = 1;');
  });

  it('answers HEAD without a body, 404 outside the directory, 405 for other methods', async () => {
    const h = await get('/app.js', { method: 'HEAD' });
    expect(h.status).toBe(200);
    expect(h.body.length).toBe(0);
    expect((await get('/missing.js')).status).toBe(404);
    expect((await get('/../package.json')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await get('/%E0%A4%A')).status).toBe(400);
    expect((await get('/', { method: 'POST' })).status).toBe(405);
  });

  it('keeps the edge its own paths on the same port', async () => {
    const m = await get('/metrics');
    expect(m.status).toBe(200);
    expect(m.body.toString()).toMatch(/edge_http_requests_total\{status="200"\} \d+/);
    expect((await get('/_wasmux/status')).body.toString()).toMatch(/^wasmux edge: 0 tunnel\(s\)/);
    expect((await get('/_wasmux/tunnel')).status).toBe(404);
    // A public host name under the edge's domain is routed to tunnels, not to the files.
    const pub = await get('/', { headers: { host: `abcdefghijklmnopqrst.${server.edge.domain}` } });
    expect(pub.status).toBe(404);
    expect(pub.body.toString()).toContain('No such tunnel');
  });

  it('parses Accept-Encoding with weights', () => {
    expect([...acceptedEncodings('gzip, deflate, br')]).toEqual(['gzip', 'deflate', 'br']);
    expect([...acceptedEncodings('br;q=0, gzip;q=0.5')]).toEqual(['gzip']);
    expect([...acceptedEncodings('')]).toEqual([]);
  });
});
