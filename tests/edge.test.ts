// End to end: a real sandbox (kernel sockets, BusyBox httpd on a TCP port of the sandbox's loopback) exposed
// through an edge proxy started by the test, reached as a public client would reach it (Node http with a
// Host header; no DNS). Bounded loads; everything listens on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'node:http';
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import type { EdgeServer } from '../edge/server.js';
import type { EdgeClient } from '../runtime/host/common/edge-client.js';
import { runCaptured } from '../runtime/host/node/node-host.js';
import type { Kernel } from '../runtime/kernel/kernel.js';
import { ENV, sandbox } from './sandbox.js';
import { edgeForKernel, get, hostOf, sseArrivals } from './helpers/edge-http.js';
import { Flag, FrameType, encodeFrame } from '../runtime/protocol/tunnel/frame.js';
import { readFileSync } from 'node:fs';
import { build, ROOT } from './helpers/cprog.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MiB32 = 32 << 20;

const SETUP = `
mkdir -p /tmp/www/cgi-bin
echo '<h1>hello from wasmux</h1>' > /tmp/www/index.html
head -c ${MiB32} /dev/urandom > /tmp/www/big.bin
sha256sum /tmp/www/big.bin | cut -d' ' -f1 > /tmp/www/big.sha
printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\nhead -c "$CONTENT_LENGTH" | sha256sum | cut -d" " -f1\\n' > /tmp/www/cgi-bin/sum
printf '#!/bin/sh\\necho "Content-Type: text/event-stream"\\necho\\nfor i in 1 2 3 4 5; do echo "data: tick $i"; echo; sleep 0.2; done\\n' > /tmp/www/cgi-bin/sse
chmod +x /tmp/www/cgi-bin/*
exec httpd -f -p 8080 -h /tmp/www
`;

let kernel: Kernel, edge: EdgeServer, edgePort: number, client: EdgeClient, lines: string[];
let server: Promise<unknown>, wsServer: Promise<unknown>;

beforeAll(async () => {
  kernel = sandbox();
  ({ edge, edgePort, client, lines } = await edgeForKernel(kernel));
  server = runCaptured(kernel, { argv: ['sh', '-c', SETUP], env: ENV, cwd: '/' });
  // tests/net/wsecho.c: a WebSocket echo server (and keep-alive HTTP) on sandbox port 8081.
  kernel.vfs.writeFile('/tmp/wsecho', readFileSync(await build(`${ROOT}/tests/net/wsecho.c`, 'wasm')), 0o755);
  wsServer = runCaptured(kernel, { argv: ['/tmp/wsecho', '8081'], env: ENV, cwd: '/' });
  for (let i = 0; i < 600 && !(client.urls.has('tcp:8080') && client.urls.has('tcp:8081')); i++) await sleep(50);
}, 120_000);

afterAll(async () => {
  client?.close();
  await edge?.close();
  void server;
  void wsServer;
});

const host = (): string => hostOf(client.urls.get('tcp:8080')!);

describe('a sandbox server through the edge', () => {
  it('prints the public URL as the point appears and serves the page', async () => {
    expect(lines).toContain(`exposed 8080 at http://${client.id}-8080.localhost:${edgePort}/\n`);
    const r = await get(edgePort, host(), '/');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('<h1>hello from wasmux</h1>\n');
  });

  it('100 concurrent requests over keep-alive', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const t0 = performance.now();
    const rs = await Promise.all(Array.from({ length: 100 }, () => get(edgePort, host(), '/index.html', { agent })));
    const ms = performance.now() - t0;
    agent.destroy();
    expect(rs.filter((r) => r.status === 200 && r.body.toString().includes('hello')).length).toBe(100);
    console.log(`edge e2e: 100 GETs in ${ms.toFixed(0)} ms (${(100_000 / ms).toFixed(0)} req/s)`);
  });

  it('32 MiB download and upload with matching checksums', async () => {
    const want = (await get(edgePort, host(), '/big.sha')).body.toString().trim();
    let t0 = performance.now();
    const down = await get(edgePort, host(), '/big.bin');
    const dms = performance.now() - t0;
    expect(down.body.length).toBe(MiB32);
    expect(sha(down.body)).toBe(want);
    const body = Buffer.alloc(MiB32);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE((i * 2654435761) >>> 0, i);
    t0 = performance.now();
    const up = await get(edgePort, host(), '/cgi-bin/sum', { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    const ums = performance.now() - t0;
    expect(up.status).toBe(200);
    expect(up.body.toString().trim()).toBe(sha(body));
    console.log(`edge e2e: 32 MiB down ${(32_000 / dms).toFixed(1)} MiB/s, up ${(32_000 / ums).toFixed(1)} MiB/s`);
  });

  it('an SSE-style response arrives chunk by chunk', async () => {
    const arrivals = await sseArrivals(edgePort, host(), '/cgi-bin/sse');
    expect(arrivals).toHaveLength(5);
    expect(arrivals[4]! - arrivals[0]!).toBeGreaterThan(500);
  });

  it('a WebSocket echo through the tunnel to a server inside the sandbox', async () => {
    const url = client.urls.get('tcp:8081')!.replace(/^http/, 'ws');
    // Connect to the edge's address with the public Host (no DNS for <id>-8081.localhost).
    const ws = new WebSocket(`ws://127.0.0.1:${edgePort}/ws`, { headers: { host: hostOf(url) }, perMessageDeflate: false, maxPayload: 4 << 20 });
    const got: { data: Buffer; binary: boolean }[] = [];
    let wake: () => void = () => {};
    ws.on('message', (data: Buffer, binary: boolean) => { got.push({ data, binary }); wake(); });
    const next = async (): Promise<{ data: Buffer; binary: boolean }> => {
      while (got.length === 0) await new Promise<void>((r) => { wake = r; });
      return got.shift()!;
    };
    await new Promise((r, j) => { ws.on('open', r); ws.on('error', j); });
    ws.send('hello, sandbox');
    let m = await next();
    expect(m.binary).toBe(false);
    expect(m.data.toString()).toBe('hello, sandbox');
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2246822519) >>> 0, i);
    ws.send(big);
    m = await next();
    expect(m.binary).toBe(true);
    expect(m.data.length).toBe(big.length);
    expect(sha(m.data)).toBe(sha(big));
    const pong = new Promise<Buffer>((r) => ws.once('pong', r));
    ws.ping('are you there');
    expect((await pong).toString()).toBe('are you there');
    ws.send('bye');
    expect((await next()).data.toString()).toBe('bye');
    const closed = new Promise<[number, string]>((r) => ws.on('close', (code: number, reason: Buffer) => r([code, reason.toString()])));
    ws.close(1000, 'done');
    expect(await closed).toEqual([1000, 'done']);
  });

  it('an unknown id gets 404', async () => {
    expect((await get(edgePort, `aaaaaaaaaaaaaaaaaaaa.localhost:${edgePort}`)).status).toBe(404);
  });

  it('the tunnel dropped and resumed keeps its URL', async () => {
    const url = client.urls.get('tcp:8080');
    client.dropConnection();
    const r = await get(edgePort, host(), '/');
    expect(r.status).toBe(200);
    expect(client.urls.get('tcp:8080')).toBe(url);
  });

  it('a malformed frame from another client closes only that session', async () => {
    const bad = new WebSocket(`ws://127.0.0.1:${edgePort}/_wasmux/tunnel`);
    await new Promise((r) => bad.on('open', r));
    const closed = new Promise<void>((r) => bad.on('close', () => r()));
    bad.send(Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9));
    bad.send(encodeFrame(FrameType.DATA, Flag.SYN, 1, 0));
    await closed;
    expect((await get(edgePort, host(), '/')).status).toBe(200);
  });
});
