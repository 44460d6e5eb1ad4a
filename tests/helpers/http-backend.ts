// A Node HTTP + WebSocket server on 127.0.0.1 standing in for a server inside a sandbox (tests of the edge
// with FakeExposures): a page, forwarded-header echo, big downloads, uploads with checksums, an SSE stream
// and a WebSocket echo.
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { WebSocketServer } from 'ws';

export const PAGE = '<!doctype html><title>wasmux</title><h1>It works</h1>\n';

/** Deterministic bytes for downloads: the same function checks them. */
export function pattern(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
}

export async function startBackend(): Promise<{ port: number; server: Server; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') { res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE); return; }
    if (url.pathname === '/headers') { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers)); return; }
    if (url.pathname === '/big') {
      const body = pattern(Number(url.searchParams.get('n') ?? 1024));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
      return;
    }
    if (url.pathname === '/upload') {
      const h = createHash('sha256');
      let n = 0;
      req.on('data', (d: Buffer) => { h.update(d); n += d.length; });
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n, sha256: h.digest('hex') })));
      return;
    }
    if (url.pathname === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let i = 0;
      const t = setInterval(() => {
        res.write(`data: tick ${i}\n\n`);
        if (++i === 5) { clearInterval(t); res.end(); }
      }, 150);
      return;
    }
    res.writeHead(404).end('no\n');
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws) => ws.on('message', (m, isBinary) => ws.send(m, { binary: isBinary })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port, server,
    close: async () => { wss.close(); server.closeAllConnections(); await new Promise((r) => server.close(r)); },
  };
}
