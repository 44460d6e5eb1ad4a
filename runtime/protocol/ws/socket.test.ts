import { describe, expect, it } from 'vitest';
import { Op } from './frames.js';
import { WsSocket, webSocketClass, type WsSocketOptions } from './socket.js';
import type { CloseEventLike, MessageEventLike } from './events.js';
import type { EventLike } from './platform.js';
import { FakeServer, closeBody, serverFrame, sleep } from './testing.js';

type Rec = { type: string; data?: unknown; code?: number; reason?: string; wasClean?: boolean; state: number };

function setup(o: Partial<WsSocketOptions> = {}, url = 'ws://sandbox:8081/ws', protocols?: string | string[]): { srv: FakeServer; ws: WsSocket; events: Rec[]; urls: string[] } {
  const srv = new FakeServer();
  const urls: string[] = [];
  const WS = webSocketClass({ connect: (u) => { urls.push(u); return srv.stream; }, ...o });
  const ws = new WS(url, protocols);
  const events: Rec[] = [];
  for (const type of ['open', 'message', 'error', 'close']) {
    ws.addEventListener(type, ((ev: EventLike & Partial<MessageEventLike & CloseEventLike>) => {
      events.push({ type, ...(type === 'message' ? { data: ev.data } : {}), ...(type === 'close' ? { code: ev.code, reason: ev.reason, wasClean: ev.wasClean } : {}), state: ws.readyState });
    }) as never);
  }
  return { srv, ws, events, urls };
}

const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await sleep(1);
  }
};

async function openSocket(o: Partial<WsSocketOptions> = {}): Promise<ReturnType<typeof setup>> {
  const s = setup(o);
  await s.srv.accept();
  await until(() => s.ws.readyState === WsSocket.OPEN);
  return s;
}

describe('WebSocket: constructor', () => {
  it('has the readyState constants on the class and its instances', () => {
    const { ws } = setup();
    expect([WsSocket.CONNECTING, WsSocket.OPEN, WsSocket.CLOSING, WsSocket.CLOSED]).toEqual([0, 1, 2, 3]);
    expect([ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED]).toEqual([0, 1, 2, 3]);
    expect(ws.readyState).toBe(0);
    expect(ws.constructor.name).toBe('WebSocket');
    expect(ws.binaryType).toBe('blob');
    expect(ws.protocol).toBe('');
    expect(ws.extensions).toBe('');
  });

  it('throws SyntaxError for bad URLs and protocols, synchronously', () => {
    const bad: Array<[string, string | string[] | undefined]> = [
      ['ftp://x/', undefined], ['ws://x/#frag', undefined], ['ws://x/#', undefined], ['not a url', undefined],
      ['ws://x/', ['a', 'a']], ['ws://x/', 'has space'], ['ws://x/', ['']], ['ws://x/', ['a,b']],
    ];
    for (const [url, p] of bad) {
      let err: unknown;
      try { setup({}, url, p); } catch (e) { err = e; }
      expect(err, `${url} ${String(p)}`).toMatchObject({ name: 'SyntaxError' });
    }
  });

  it('resolves relative and http(s) URLs as browsers do', () => {
    expect(setup({ base: 'http://localhost:5173/preview/8081/index.html' }, '/ws?x=1').ws.url).toBe('ws://localhost:5173/ws?x=1');
    expect(setup({}, 'https://h.example/a').ws.url).toBe('wss://h.example/a');
    const { ws, urls } = setup({}, 'ws://H.example:80/p');
    expect(ws.url).toBe('ws://h.example/p');
    expect(urls).toEqual(['ws://h.example/p']);
  });

  it('sends the URL path, Host, Origin and extra headers in the request', async () => {
    const { srv, ws } = setup({ origin: 'http://localhost:5173' }, 'ws://sandbox:8081/chat?room=1', ['v1']);
    const req = await srv.waitRequest();
    expect(req.line).toBe('GET /chat?room=1 HTTP/1.1');
    expect(req.headers.get('host')).toBe('sandbox:8081');
    expect(req.headers.get('origin')).toBe('http://localhost:5173');
    expect(req.headers.get('sec-websocket-protocol')).toBe('v1');
    expect(Object.prototype.toString.call(ws)).toBe('[object WebSocket]');
  });

  it('lets the shim say what the server sees: Host, request target, Cookie', async () => {
    const seen: string[] = [];
    const request = (url: string): { host: string; path: string; headers: Record<string, string> } => {
      seen.push(url);
      const u = new URL(url);
      return { host: 'localhost:8081', path: u.pathname.replace(/^\/preview\/8081/, '') + u.search, headers: { Cookie: 'sid=1' } };
    };
    const { srv, ws } = setup({ base: 'https://ide.example/preview/8081/index.html', request }, 'ws?x=1');
    const req = await srv.waitRequest();
    expect(ws.url).toBe('wss://ide.example/preview/8081/ws?x=1');
    expect(seen).toEqual([ws.url]);
    expect(req.line).toBe('GET /ws?x=1 HTTP/1.1');
    expect(req.headers.get('host')).toBe('localhost:8081');
    expect(req.headers.get('cookie')).toBe('sid=1');
  });

  it('a request hook that throws or gives a bad header fails the connection, not the constructor', async () => {
    for (const request of [() => { throw new Error('shim bug'); }, () => ({ headers: { 'Bad Name': 'x' } })]) {
      const { ws, events } = setup({ request });
      expect(ws.readyState).toBe(WsSocket.CONNECTING);
      await until(() => events.length === 2);
      expect(events.map((e) => [e.type, e.code])).toEqual([['error', undefined], ['close', 1006]]);
    }
  });
});

describe('WebSocket: events', () => {
  it('opens, then delivers messages in order, each from a task of its own', async () => {
    const { srv, ws, events } = setup({}, 'ws://sandbox:8081/ws', ['chat']);
    const order: string[] = [];
    ws.onmessage = function (this: WsSocket, ev) {
      expect(this).toBe(ws);
      order.push(`m:${String(ev.data)}`);
      void Promise.resolve().then(() => order.push(`micro:${String(ev.data)}`));
    };
    await srv.accept({ protocol: 'chat', after: new Uint8Array([...serverFrame(Op.TEXT, 'one'), ...serverFrame(Op.TEXT, 'two')]) });
    // Nothing is dispatched from inside the stream's callback.
    expect(events).toEqual([]);
    expect(ws.readyState).toBe(WsSocket.CONNECTING);
    await until(() => events.length === 3);
    expect(events).toEqual([{ type: 'open', state: 1 }, { type: 'message', data: 'one', state: 1 }, { type: 'message', data: 'two', state: 1 }]);
    expect(ws.protocol).toBe('chat');
    // As in browsers: microtasks queued by one message's handler run before the next message.
    expect(order).toEqual(['m:one', 'micro:one', 'm:two', 'micro:two']);
  });

  it('event handler properties: set, replace, remove, re-add', async () => {
    const { srv, ws } = setup();
    const got: string[] = [];
    const h1 = (): void => { got.push('h1'); };
    ws.onopen = h1;
    expect(ws.onopen).toBe(h1);
    ws.onopen = () => { got.push('h2'); };
    ws.onmessage = () => { got.push('msg'); };
    ws.onmessage = null;
    expect(ws.onmessage).toBeNull();
    let dispatched = 0;
    ws.addEventListener('message', () => { dispatched++; });
    await srv.accept({ after: serverFrame(Op.TEXT, 'x') });
    await until(() => dispatched === 1);
    expect(got).toEqual(['h2']);
  });

  it('binaryType decides between Blob and ArrayBuffer when the message is dispatched', async () => {
    const { srv, ws, events } = await openSocket();
    srv.stream.send(serverFrame(Op.BINARY, Uint8Array.of(1, 2, 3)));
    await until(() => events.length === 2);
    const blob = events[1]!.data as Blob;
    expect(blob).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([1, 2, 3]);
    ws.binaryType = 'nonsense' as never;
    expect(ws.binaryType).toBe('blob');
    srv.stream.send(serverFrame(Op.BINARY, Uint8Array.of(4, 5)));
    ws.binaryType = 'arraybuffer';
    await until(() => events.length === 3);
    expect(events[2]!.data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(events[2]!.data as ArrayBuffer)]).toEqual([4, 5]);
    const ev = await new Promise<MessageEventLike>((r) => { ws.onmessage = (e) => r(e); srv.stream.send(serverFrame(Op.TEXT, 'o')); });
    expect(ev.origin).toBe('ws://sandbox:8081');
  });

  it('a refused connection: error, then close 1006, never open', async () => {
    const WS = webSocketClass({ connect: () => { throw Object.assign(new Error('no exposure point tcp:9'), { code: 'ECONNREFUSED' }); } });
    const ws = new WS('ws://sandbox:9/');
    const seen: string[] = [];
    let close: CloseEventLike | null = null;
    ws.onopen = () => seen.push('open');
    ws.onerror = () => seen.push(`error:${ws.readyState}`);
    ws.onclose = (e) => { seen.push('close'); close = e; };
    expect(seen).toEqual([]);
    await until(() => seen.length === 2);
    expect(seen).toEqual(['error:3', 'close']);
    expect(close).toMatchObject({ type: 'close', code: 1006, reason: '', wasClean: false });
  });

  it('a factory that rejects, and one that resolves later', async () => {
    const a = new (webSocketClass({ connect: () => Promise.reject(new Error('ECONNREFUSED')) }))('ws://x/');
    const aEvents: string[] = [];
    a.onerror = () => aEvents.push('error');
    a.onclose = (e) => aEvents.push(`close:${e.code}`);
    await until(() => aEvents.length === 2);
    expect(aEvents).toEqual(['error', 'close:1006']);

    const srv = new FakeServer();
    const b = new (webSocketClass({ connect: async () => { await sleep(5); return srv.stream; } }))('ws://x/');
    await srv.accept();
    await until(() => b.readyState === WsSocket.OPEN);
  });

  it('a failed handshake: error then close 1006', async () => {
    const { srv, events } = setup();
    await srv.accept({ status: '404 Not Found' });
    await until(() => events.length === 2);
    expect(events).toEqual([{ type: 'error', state: 3 }, { type: 'close', code: 1006, reason: '', wasClean: false, state: 3 }]);
  });

  it('a protocol error from the server: error then close 1006 (Close 1002 sent)', async () => {
    const { srv, events } = await openSocket();
    srv.stream.send(serverFrame(Op.TEXT, 'x', { rsv: 2 }));
    await until(() => events.length === 3);
    expect(events.slice(1)).toEqual([{ type: 'error', state: 3 }, { type: 'close', code: 1006, reason: '', wasClean: false, state: 3 }]);
    expect([...(await srv.frame(0)).payload]).toEqual([3, 234]);
  });
});

describe('WebSocket: send', () => {
  it('throws InvalidStateError while connecting', () => {
    const { ws } = setup();
    expect(() => ws.send('x')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
  });

  it('sends strings, ArrayBuffers, views (their range only) and Blobs, in order', async () => {
    const { srv, ws } = await openSocket();
    const buf = Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7).buffer;
    ws.send('text é');
    ws.send(buf);
    ws.send(new Uint8Array(buf, 2, 3));
    ws.send(new DataView(buf, 6));
    ws.send(new Blob([Uint8Array.of(9, 9)]));
    const after = new Uint8Array([42]);
    ws.send(after);
    after[0] = 0;  // send() took a snapshot even though it waits behind the Blob
    ws.send('end');
    await srv.until(() => srv.frames.length === 7);
    expect(srv.frames.map((f) => [f.opcode, f.opcode === Op.TEXT ? Buffer.from(f.payload).toString() : [...f.payload]])).toEqual([
      [Op.TEXT, 'text é'], [Op.BINARY, [0, 1, 2, 3, 4, 5, 6, 7]], [Op.BINARY, [2, 3, 4]], [Op.BINARY, [6, 7]], [Op.BINARY, [9, 9]], [Op.BINARY, [42]], [Op.TEXT, 'end'],
    ]);
  });

  it('bufferedAmount counts bytes until a task after they reach the stream', async () => {
    const { srv, ws } = await openSocket();
    ws.send('héllo');
    expect(ws.bufferedAmount).toBe(6);
    await until(() => ws.bufferedAmount === 0);
    srv.stream.writeReturns = false;
    ws.send(new Uint8Array(10));
    ws.send(new Uint8Array(20));
    expect(ws.bufferedAmount).toBe(30);
    // The first frame reached the stream (which then said it was full); the second waits for a drain.
    await until(() => ws.bufferedAmount === 20);
    await sleep(10);
    expect(ws.bufferedAmount).toBe(20);
    srv.stream.drain();
    await until(() => ws.bufferedAmount === 0);
  });

  it('after close(), data is counted but not sent', async () => {
    const { srv, ws } = await openSocket();
    ws.close();
    ws.send('abc');
    expect(ws.bufferedAmount).toBe(3);
    await sleep(5);
    expect(ws.bufferedAmount).toBe(3);
    srv.poll();
    expect(srv.frames.map((f) => f.opcode)).toEqual([Op.CLOSE]);
  });
});

describe('WebSocket: close', () => {
  it('validates code and reason as the DOM does', () => {
    const { ws } = setup();
    for (const c of [0, 999, 1001, 1005, 2999, 5000, 65536 + 1000, NaN]) {
      expect(() => ws.close(c), String(c)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    }
    expect(() => ws.close(1000, 'é'.repeat(62))).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(ws.readyState).toBe(WsSocket.CONNECTING);
  });

  it('client close: CLOSING at once, Close frame with code and reason, close event with the server code', async () => {
    const { srv, ws, events } = await openSocket();
    ws.close(3000.5, 'done');  // [Clamp]: 3000.5 rounds to even, 3000
    expect(ws.readyState).toBe(WsSocket.CLOSING);
    ws.close(1000);  // no effect once CLOSING
    const f = await srv.frame(0);
    expect([...f.payload]).toEqual([...closeBody(3000, 'done')]);
    srv.stream.send(new Uint8Array([...serverFrame(Op.TEXT, 'dropped: not OPEN'), ...serverFrame(Op.CLOSE, closeBody(3000, 'ok'))]));
    srv.stream.serverEnd();
    await until(() => events.length === 2);
    expect(events[1]).toEqual({ type: 'close', code: 3000, reason: 'ok', wasClean: true, state: 3 });
    srv.poll();
    expect(srv.frames).toHaveLength(1);
  });

  it('close() while connecting: CLOSING, then error and close 1006', async () => {
    const { srv, ws, events } = setup();
    await srv.waitRequest();
    ws.close();
    expect(ws.readyState).toBe(WsSocket.CLOSING);
    await until(() => events.length === 2);
    expect(events).toEqual([{ type: 'error', state: 3 }, { type: 'close', code: 1006, reason: '', wasClean: false, state: 3 }]);
    expect(srv.stream.clientClosed).toBe(true);
  });

  it('close() before an async factory resolves closes the stream when it comes', async () => {
    const srv = new FakeServer();
    let resolve!: (s: FakeServer['stream']) => void;
    const ws = new (webSocketClass({ connect: () => new Promise((r) => { resolve = r; }) }))('ws://x/');
    const seen: string[] = [];
    ws.onerror = () => seen.push('error');
    ws.onclose = (e) => seen.push(`close:${e.code}`);
    ws.close();
    resolve(srv.stream);
    await until(() => seen.length === 2);
    expect(seen).toEqual(['error', 'close:1006']);
    expect(srv.stream.clientClosed).toBe(true);
    expect(srv.stream.writes).toBe(0);
  });

  it('server close: readyState goes CLOSING, then CLOSED with the server code', async () => {
    const { srv, ws, events } = await openSocket();
    const states: number[] = [];
    srv.stream.send(serverFrame(Op.CLOSE, closeBody(1001, 'restarting')));
    states.push(ws.readyState);
    await until(() => ws.readyState !== WsSocket.OPEN);
    states.push(ws.readyState);
    srv.stream.serverClose();
    await until(() => events.length === 2);
    expect(states).toEqual([WsSocket.OPEN, WsSocket.CLOSING]);
    expect(events[1]).toEqual({ type: 'close', code: 1001, reason: 'restarting', wasClean: true, state: 3 });
  });

  it('close() waits behind a Blob being read', async () => {
    const { srv, ws } = await openSocket();
    ws.send(new Blob([new Uint8Array(3)]));
    ws.close(1000);
    await srv.until(() => srv.frames.length === 2);
    expect(srv.frames.map((f) => f.opcode)).toEqual([Op.BINARY, Op.CLOSE]);
  });
});
