// The dev server (scripts/serve.mjs): MIME types, caching of revisioned and other files, ETag revalidation,
// no escape from the served directory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
// @ts-expect-error plain ES module without declarations
import { serve } from '../../scripts/serve.mjs';

let dir: string;
let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wasmux-serve-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'app.js'), 'export {}');
  writeFileSync(join(dir, 'rootfs.0123456789ab.img'), new Uint8Array(1000));
  server = await serve({ dir, port: 0 });
});
afterAll(async () => { await server.close(); rmSync(dir, { recursive: true }); });

function get(path: string, o: { method?: string; headers?: Record<string, string> } = {}):
    Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((ok, fail) => {
    const u = new URL(server.url);
    const req = request({ host: u.hostname, port: u.port, path, method: o.method ?? 'GET', headers: o.headers }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('scripts/serve.mjs', () => {
  it('serves index.html for / and revalidates it', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    const again = await get('/', { headers: { 'if-none-match': r.headers['etag'] as string } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('caches revisioned files forever, as octet-stream for the image', async () => {
    const r = await get('/rootfs.0123456789ab.img');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.headers['content-length']).toBe('1000');
    expect(r.body.length).toBe(1000);
    expect((await get('/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('answers HEAD without a body, 404 outside the directory, 405 for other methods', async () => {
    const h = await get('/app.js', { method: 'HEAD' });
    expect(h.status).toBe(200);
    expect(h.body).toBe('');
    expect((await get('/missing.js')).status).toBe(404);
    expect((await get('/../package.json')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await get('/', { method: 'POST' })).status).toBe(405);
  });
});
