// The edge proxy and the tunnel client end to end, with the sandbox replaced by FakeExposures (a Node
// HTTP/WebSocket server and an in-memory echo behind HostStream). Everything listens on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'node:http';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { EdgeServer } from '../edge/server.js';
import { nodeEdgeClient } from '../runtime/host/node/edge.js';
import type { EdgeClient } from '../runtime/host/common/edge-client.js';
import { FakeExposures, echoServer, tcpBridge } from './helpers/fake-exposures.js';
import { PAGE, pattern, startBackend } from './helpers/http-backend.js';
import { get, hostOf, raw, sseArrivals } from './helpers/edge-http.js';
import { Flag, FrameType, encodeFrame } from '../runtime/protocol/tunnel/frame.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let edge: EdgeServer, edgePort: number, backend: Awaited<ReturnType<typeof startBackend>>;
let ex: FakeExposures, client: EdgeClient, lines: string[];
const echo = echoServer();

beforeAll(async () => {
  edge = new EdgeServer({ host: '127.0.0.1', port: 0, reconnectWaitMs: 3000 });
  edgePort = (await edge.listen()).port;
  backend = await startBackend();
  ex = new FakeExposures();
  ex.add({ id: 'unix:/tmp/server.sock', kind: 'unix', path: '/tmp/server.sock' }, tcpBridge(backend.port));
  lines = [];
  client = nodeEdgeClient(ex, `http://127.0.0.1:${edgePort}`, { write: (l) => lines.push(l) });
  await client.start();
});

afterAll(async () => {
  client?.close();
  await backend?.close();
  await edge?.close();
});

const defaultHost = (): string => hostOf(client.urls.get('unix:/tmp/server.sock')!);

describe('edge proxy with a fake sandbox', () => {
  it('registers with an unguessable id and prints the public URL', () => {
    expect(client.id).toMatch(/^[a-z2-7]{20}$/);
    expect(lines).toEqual([`exposed /tmp/server.sock at http://${client.id}.localhost:${edgePort}/\n`]);
  });

  it('serves the page through the public URL, with X-Forwarded-* set afresh', async () => {
    const r = await get(edgePort, defaultHost());
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(PAGE);
    const h = await get(edgePort, defaultHost(), '/headers', { headers: { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil', forwarded: 'for=6.6.6.6' } });
    const seen = JSON.parse(h.body.toString()) as Record<string, string>;
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBe(defaultHost());
    expect(seen['forwarded']).toBeUndefined();
  });

  it('rewrites the head of every request on a keep-alive connection', async () => {
    const host = defaultHost();
    const req = (xff: string): string => `GET /headers HTTP/1.1\r\nHost: ${host}\r\nX-Forwarded-For: ${xff}\r\n\r\n`;
    const body = 'x'.repeat(10);
    const out = await raw(edgePort, req('1.1.1.1') + `POST /upload HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nxxxxx\r\n5\r\nxxxxx\r\n0\r\n\r\n` + req('2.2.2.2') +
      `POST /upload HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 10\r\nConnection: close\r\n\r\n${body}`, 2000);
    expect(out.match(/HTTP\/1\.1 200/g)).toHaveLength(4);
    expect(out).not.toContain('1.1.1.1');
    expect(out).not.toContain('2.2.2.2');
    expect(out.match(/"x-forwarded-for":"127.0.0.1"/g)).toHaveLength(2);
    expect(out.match(/"n":10/g)).toHaveLength(2);
  });

  it('handles 100 concurrent requests over keep-alive', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    const rs = await Promise.all(Array.from({ length: 100 }, () => get(edgePort, defaultHost(), '/', { agent })));
    agent.destroy();
    expect(rs.every((r) => r.status === 200 && r.body.toString() === PAGE)).toBe(true);
  });

  it('downloads and uploads 32 MiB with matching checksums', async () => {
    const n = 32 << 20;
    const down = await get(edgePort, defaultHost(), `/big?n=${n}`);
    expect(down.body.length).toBe(n);
    expect(sha(down.body)).toBe(sha(pattern(n)));
    const body = pattern(n, 99);
    const up = await get(edgePort, defaultHost(), '/upload', { method: 'POST', body });
    expect(JSON.parse(up.body.toString())).toEqual({ n, sha256: sha(body) });
  });

  it('streams server-sent events one by one', async () => {
    const arrivals = await sseArrivals(edgePort, defaultHost(), '/sse');
    expect(arrivals).toHaveLength(5);
    for (let i = 1; i < 5; i++) expect(arrivals[i]! - arrivals[i - 1]!).toBeGreaterThan(80);
  });

  it('passes a WebSocket upgrade through and echoes', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${edgePort}/ws`, { headers: { host: defaultHost() } });
    const got = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hello through the tunnel'));
      ws.on('message', (m) => resolve(m.toString()));
      ws.on('error', reject);
    });
    ws.close();
    expect(got).toBe('hello through the tunnel');
  });

  it('gives a TCP port its own URL as it appears', async () => {
    ex.add({ id: 'tcp:8080', kind: 'tcp', port: 8080, address: '0.0.0.0' }, tcpBridge(backend.port));
    for (let i = 0; i < 100 && !client.urls.has('tcp:8080'); i++) await sleep(10);
    expect(client.urls.get('tcp:8080')).toBe(`http://${client.id}-8080.localhost:${edgePort}/`);
    expect(lines.at(-1)).toBe(`exposed 8080 at http://${client.id}-8080.localhost:${edgePort}/\n`);
    expect((await get(edgePort, `${client.id}-8080.localhost:${edgePort}`)).body.toString()).toBe(PAGE);
  });

  it('backpressure: a client that does not read stops the sandbox writer', async () => {
    ex.add({ id: 'tcp:7', kind: 'tcp', port: 7 }, echo.serve);
    for (let i = 0; i < 100 && !client.urls.has('tcp:7'); i++) await sleep(10);
    const host = hostOf(client.urls.get('tcp:7')!);
    // Raw echo: the request head and 16 MiB go in; nobody reads the echo.
    const s = connect(edgePort, '127.0.0.1');
    s.pause();
    let written = 0;
    s.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nUpgrade: raw\r\nConnection: upgrade\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (let i = 0; i < 256; i++) { if (s.write(chunk)) written += chunk.length; else { written += chunk.length; break; } }
    await sleep(500);
    // The echo server's buffer stays bounded by its cap: writes were refused, not queued without bound.
    expect(echo.stats.maxBuffered).toBeLessThan(1 << 20);
    s.destroy();
    expect(written).toBeGreaterThan(0);
  });

  it('answers 404 for an unknown id and for an unknown port', async () => {
    const r = await get(edgePort, `aaaaaaaaaaaaaaaaaaaa.localhost:${edgePort}`);
    expect(r.status).toBe(404);
    expect(r.body.toString()).toContain('No such tunnel');
    expect((await get(edgePort, `${client.id}-9999.localhost:${edgePort}`)).status).toBe(404);
  });

  it('refuses bad requests, oversized heads and slow heads', async () => {
    expect(await raw(edgePort, 'NOT HTTP\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(edgePort, `GET / HTTP/1.1\r\nHost: ${defaultHost()}\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    expect(await raw(edgePort, `GET / HTTP/1.1\r\nHost: ${defaultHost()}\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
  });

  it('serves Prometheus metrics on its own host', async () => {
    const r = await get(edgePort, `127.0.0.1:${edgePort}`, '/metrics');
    const text = r.body.toString();
    expect(r.status).toBe(200);
    expect(text).toContain('edge_tunnels{state="connected"} 1');
    expect(text).toMatch(/edge_http_requests_total\{status="200"\} \d+/);
    expect(text).toMatch(/edge_http_requests_total\{status="404"\} \d+/);
    expect(text).toMatch(/edge_stream_open_seconds_count [1-9]\d*/);
    expect(text).toMatch(/edge_bytes_total\{direction="to_client"\} [1-9]\d{7,}/);
  });

  it('keeps the URL across a dropped and resumed tunnel; requests during the reconnect wait', async () => {
    const id = client.id;
    client.dropConnection();
    const r = await get(edgePort, defaultHost());       // sent while the tunnel is down or reconnecting
    expect(r.status).toBe(200);
    expect(client.id).toBe(id);
    expect(edge.metrics.registrations.get('resumed')).toBeGreaterThanOrEqual(1);
  });

  it('a malformed frame from a client closes only that session', async () => {
    const bad = new WebSocket(`ws://127.0.0.1:${edgePort}/_wasmux/tunnel`);
    await new Promise((r) => bad.on('open', r));
    const closed = new Promise<void>((r) => bad.on('close', () => r()));
    bad.send(encodeFrame(FrameType.CONTROL, 0, 0, 0, new TextEncoder().encode(JSON.stringify({ type: 'hello', version: 1, points: [] }))));
    bad.send(encodeFrame(FrameType.DATA, Flag.SYN, 1, 0, new Uint8Array(4)));   // SYN on DATA: protocol error
    await closed;
    expect(edge.metrics.sessionsClosed.get('PROTOCOL_ERROR')).toBe(1);
    expect((await get(edgePort, defaultHost())).status).toBe(200);
  });

  it('a request during a reconnect that never comes back gets a clear 502', async () => {
    const edge2 = new EdgeServer({ host: '127.0.0.1', port: 0, reconnectWaitMs: 300 });
    const port2 = (await edge2.listen()).port;
    const c2 = nodeEdgeClient(ex, `http://127.0.0.1:${port2}`, { write: () => {} });
    await c2.start();
    const host = hostOf(c2.urls.get('unix:/tmp/server.sock')!);
    // A sandbox that vanishes without a goodbye (its tab killed): the connection drops and nothing
    // reconnects (the client's own reconnect is switched off).
    (c2 as unknown as { closed: boolean }).closed = true;
    c2.dropConnection();
    await sleep(50);
    const r = await get(port2, host);
    expect(r.status).toBe(502);
    expect(r.body.toString()).toContain('reconnecting');
    await edge2.close();
  });

  it('a sandbox that stops sharing (goodbye) makes its URL 404 at once', async () => {
    const edge4 = new EdgeServer({ host: '127.0.0.1', port: 0 });
    const port4 = (await edge4.listen()).port;
    const c4 = nodeEdgeClient(ex, `http://127.0.0.1:${port4}`, { write: () => {} });
    await c4.start();
    const host = hostOf(c4.urls.get('unix:/tmp/server.sock')!);
    expect((await get(port4, host)).status).toBe(200);
    const t0 = Date.now();
    c4.close();
    let r = await get(port4, host);
    while (r.status === 200 && Date.now() - t0 < 1000) { await sleep(20); r = await get(port4, host); }
    expect(r.status).toBe(404);
    expect(Date.now() - t0).toBeLessThan(1000);
    await edge4.close();
  });

  it('requires the registration secret when one is configured', async () => {
    const edge3 = new EdgeServer({ host: '127.0.0.1', port: 0, secret: 's3cret' });
    const port3 = (await edge3.listen()).port;
    const bad = nodeEdgeClient(ex, `http://127.0.0.1:${port3}`, { write: () => {}, secret: 'wrong' });
    await expect(bad.start()).rejects.toMatchObject({ code: 'EDGE_CLIENT_ERR_REJECTED' });
    const good = nodeEdgeClient(ex, `http://127.0.0.1:${port3}`, { write: () => {}, secret: 's3cret' });
    expect(await good.start()).toMatch(/^[a-z2-7]{20}$/);
    good.close();
    await edge3.close();
  });
});
