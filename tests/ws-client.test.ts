// The WebSocket client of the preview shim (runtime/protocol/ws/) against a real server in a real sandbox:
// tests/net/wsecho.c built for wasm, listening on the sandbox's TCP port 8081, reached through the kernel's
// exposure API (kernel.net.exposures.connect), the stream the shim's streams are bridged to in the browser.
// wsecho echoes every data frame as it came (opcode and FIN kept), answers pings, answers a Close with the
// same Close and then ends the connection, and closes with 1002 on a frame it does not accept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HostInput, HostOutput } from '../runtime/kernel/drivers/hoststream.js';
import type { Kernel } from '../runtime/kernel/kernel.js';
import type { Task } from '../runtime/kernel/proc/task.js';
import { WsConnection, type WsCloseInfo } from '../runtime/protocol/ws/connection.js';
import type { CloseEventLike, MessageEventLike } from '../runtime/protocol/ws/events.js';
import { Op } from '../runtime/protocol/ws/frames.js';
import { WsSocket, webSocketClass } from '../runtime/protocol/ws/socket.js';
import { build, ROOT } from './helpers/cprog.js';
import { ENV, sandbox } from './sandbox.js';

const POINT = 'tcp:8081';
let k: Kernel;
let server: Task;
let serverOut: () => string;
let WS: ReturnType<typeof webSocketClass>;

const sha = (b: Uint8Array | ArrayBuffer): string => createHash('sha256').update(new Uint8Array(b)).digest('hex');

beforeAll(async () => {
  k = sandbox();
  k.vfs.writeFile('/tmp/wsecho', readFileSync(await build(`${ROOT}/tests/net/wsecho.c`, 'wasm')), 0o755);
  const out: Uint8Array[] = [];
  const stdin = new HostInput();
  stdin.end();
  const o = new HostOutput((d) => { out.push(d.slice()); return true; });
  server = k.spawn({ argv: ['/tmp/wsecho', '8081'], env: ENV, cwd: '/', stdio: [stdin, o, o.get()] });
  serverOut = () => Buffer.concat(out).toString();
  await new Promise<void>((res, rej) => {
    if (k.net.exposures.list().some((p) => p.id === POINT)) { res(); return; }
    const timer = setTimeout(() => rej(new Error(`no ${POINT}; server said: ${serverOut()}`)), 30_000);
    const off = k.net.exposures.on('added', (p) => { if (p.id === POINT) { clearTimeout(timer); off(); res(); } });
  });
  // What the shim does in the browser: every socket's stream is a new connection to the exposure point.
  WS = webSocketClass({ connect: () => k.net.exposures.connect(POINT), origin: 'http://localhost:5173' });
}, 120_000);

afterAll(async () => {
  if (server) {
    k.signals.kill(server, 15);
    await k.waitExit(server);
  }
  expect(k.bugs).toEqual([]);
});

/** A socket and its events as promises. */
function socket(url = 'ws://localhost:8081/ws', protocols?: string[]): { ws: WsSocket; opened: Promise<void>; next: () => Promise<MessageEventLike>; closed: Promise<CloseEventLike>; errors: number } {
  const ws = new WS(url, protocols);
  const queue: MessageEventLike[] = [];
  let wake: (() => void) | null = null;
  const r = {
    ws,
    errors: 0,
    opened: new Promise<void>((res, rej) => {
      ws.addEventListener('open', () => res());
      ws.addEventListener('close', () => rej(new Error('closed before open')));
    }),
    next: async (): Promise<MessageEventLike> => {
      while (queue.length === 0) await new Promise<void>((w) => { wake = w; });
      return queue.shift()!;
    },
    closed: new Promise<CloseEventLike>((res) => ws.addEventListener('close', ((e: CloseEventLike) => res(e)) as never)),
  };
  r.opened.catch(() => {});
  ws.addEventListener('error', () => { r.errors++; });
  ws.addEventListener('message', ((e: MessageEventLike) => { queue.push(e); wake?.(); }) as never);
  return r;
}

describe('WebSocket client against wsecho in a sandbox', () => {
  it('echoes text and binary messages', async () => {
    const s = socket();
    await s.opened;
    expect(s.ws.readyState).toBe(WsSocket.OPEN);
    expect(s.ws.protocol).toBe('');
    s.ws.send('hello, sandbox ✓');
    expect((await s.next()).data).toBe('hello, sandbox ✓');
    s.ws.binaryType = 'arraybuffer';
    s.ws.send(Uint8Array.of(0, 1, 2, 254, 255));
    const m = await s.next();
    expect(m.data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(m.data as ArrayBuffer)]).toEqual([0, 1, 2, 254, 255]);
    s.ws.binaryType = 'blob';
    s.ws.send(new Blob(['as a blob']));
    const b = (await s.next()).data as Blob;
    expect(await b.text()).toBe('as a blob');
    s.ws.send('');
    expect((await s.next()).data).toBe('');
    s.ws.close(1000, 'done');
    const c = await s.closed;
    expect({ code: c.code, reason: c.reason, wasClean: c.wasClean }).toEqual({ code: 1000, reason: 'done', wasClean: true });
    expect(s.errors).toBe(0);
  });

  it('a 1 MiB binary message and a 256 KiB text message round trip intact', async () => {
    const s = socket();
    s.ws.binaryType = 'arraybuffer';
    await s.opened;
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < big.length; i += 4) new DataView(big.buffer).setUint32(i, (i * 2654435761) >>> 0);
    const t0 = performance.now();
    s.ws.send(big);
    expect(s.ws.bufferedAmount).toBe(1 << 20);
    const got = (await s.next()).data as ArrayBuffer;
    const ms = performance.now() - t0;
    expect(got.byteLength).toBe(big.length);
    expect(sha(got)).toBe(sha(big));
    expect(s.ws.bufferedAmount).toBe(0);
    const text = 'ünïcødé ✓ 😀 '.repeat(256 * 1024 / 24);
    s.ws.send(text);
    expect((await s.next()).data).toBe(text);
    console.log(`ws client: 1 MiB echo in ${ms.toFixed(0)} ms`);
    s.ws.close();
    expect((await s.closed).code).toBe(1005);
  });

  it('a burst of 200 messages comes back complete and in order', async () => {
    const s = socket();
    s.ws.binaryType = 'arraybuffer';
    await s.opened;
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 3 === 2) {
        const b = new Uint8Array(i * 37 % 5000).fill(i & 255);
        s.ws.send(b);
        sent.push(`bin:${b.length}:${i & 255}`);
      } else {
        const t = `message ${i} `.repeat(i % 50);
        s.ws.send(t);
        sent.push(`txt:${t}`);
      }
    }
    const got: string[] = [];
    for (let i = 0; i < 200; i++) {
      const d = (await s.next()).data;
      if (typeof d === 'string') got.push(`txt:${d}`);
      else {
        const u = new Uint8Array(d as ArrayBuffer);
        got.push(`bin:${u.length}:${u.length ? u[0] : i & 255}`);
      }
    }
    expect(got).toEqual(sent);
    s.ws.close(4000);
    const c = await s.closed;
    expect([c.code, c.wasClean]).toEqual([4000, true]);
  });

  it('several sockets at once, each with its own connection', async () => {
    const all = Array.from({ length: 6 }, () => socket());
    await Promise.all(all.map((s) => s.opened));
    all.forEach((s, i) => s.ws.send(`socket ${i}`));
    expect(await Promise.all(all.map(async (s) => (await s.next()).data))).toEqual(all.map((_, i) => `socket ${i}`));
    all.forEach((s) => s.ws.close());
    expect((await Promise.all(all.map((s) => s.closed))).map((c) => c.wasClean)).toEqual(all.map(() => true));
  });

  it('ping gets a pong; a message sent in fragments is echoed and reassembled', async () => {
    const events: string[] = [];
    let closed!: (i: WsCloseInfo) => void;
    const done = new Promise<WsCloseInfo>((r) => { closed = r; });
    let opened!: () => void;
    const open = new Promise<void>((r) => { opened = r; });
    const msgs: Array<string | Uint8Array> = [];
    const conn = new WsConnection(k.net.exposures.connect(POINT), { host: 'localhost:8081', path: '/ws' }, {
      open: () => opened(),
      pong: (p) => events.push(`pong:${Buffer.from(p).toString()}`),
      message: (m) => msgs.push(m),
      close: (i) => closed(i),
    });
    await open;
    conn.ping(new TextEncoder().encode('are you there'));
    conn.sendFrame(Op.TEXT, new TextEncoder().encode('frag'), false);
    conn.ping(new TextEncoder().encode('between'));
    conn.sendFrame(Op.CONTINUATION, new TextEncoder().encode('ment'), true);
    for (let i = 0; i < 200 && msgs.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(msgs).toEqual(['fragment']);
    expect(events).toEqual(['pong:are you there', 'pong:between']);
    conn.close(1000);
    expect(await done).toEqual({ code: 1000, reason: '', wasClean: true });
  });

  it('the server closes: a frame it refuses makes it send Close 1002 and end; the client answers, clean', async () => {
    let closing: [number, string] | null = null;
    const done = new Promise<WsCloseInfo>((resolve) => {
      const conn = new WsConnection(k.net.exposures.connect(POINT), { host: 'localhost:8081', path: '/ws' }, {
        // Opcode 3 is reserved: wsecho answers with Close 1002 and ends the connection.
        open: () => { conn.sendFrame(3, new Uint8Array(1)); },
        closing: (c, r) => { closing = [c, r]; },
        close: resolve,
      });
    });
    expect(await done).toEqual({ code: 1002, reason: '', wasClean: true });
    expect(closing).toEqual([1002, '']);
  });

  it('nothing listening: error, then close 1006, not clean', async () => {
    const ws = new (webSocketClass({ connect: () => k.net.exposures.connect('tcp:9999') }))('ws://localhost:9999/');
    const seen: string[] = [];
    const closed = new Promise<CloseEventLike>((r) => { ws.onclose = (e) => { seen.push('close'); r(e); }; });
    ws.onerror = () => seen.push('error');
    ws.onopen = () => seen.push('open');
    const c = await closed;
    expect(seen).toEqual(['error', 'close']);
    expect([c.code, c.reason, c.wasClean]).toEqual([1006, '', false]);
    expect(ws.readyState).toBe(WsSocket.CLOSED);
  });

  it('a plain HTTP request on the same server still works (the keep-alive path is untouched)', async () => {
    const st = k.net.exposures.connect(POINT);
    const body = await new Promise<string>((res, rej) => {
      const parts: Uint8Array[] = [];
      st.onData((d) => parts.push(d.slice()));
      st.onClose((e) => (e ? rej(new Error(e)) : res(Buffer.concat(parts).toString())));
      st.write(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    });
    expect(body).toContain('hello from wsecho');
  });
});
