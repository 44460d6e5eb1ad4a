import { describe, expect, it } from 'vitest';
import { WsConnection, type WsCloseInfo, type WsConnectionOptions } from './connection.js';
import { Op } from './frames.js';
import { FakeServer, bytes, closeBody, serverFrame, sleep } from './testing.js';

interface Log { opened: string | null; messages: Array<string | Uint8Array>; pings: string[]; pongs: string[]; closing: Array<[number, string]>; closed: WsCloseInfo | null; sent: number }

function client(o: Partial<WsConnectionOptions> = {}): { srv: FakeServer; conn: WsConnection; log: Log } {
  const srv = new FakeServer();
  const log: Log = { opened: null, messages: [], pings: [], pongs: [], closing: [], closed: null, sent: 0 };
  const conn = new WsConnection(srv.stream, { host: 'sandbox:8081', path: '/ws', ...o }, {
    open: (n) => { log.opened = n.protocol; },
    message: (m) => { log.messages.push(m); },
    ping: (p) => { log.pings.push(Buffer.from(p).toString()); },
    pong: (p) => { log.pongs.push(Buffer.from(p).toString()); },
    closing: (c, r) => { log.closing.push([c, r]); },
    close: (i) => { expect(log.closed).toBeNull(); log.closed = i; },
    sent: (n) => { log.sent += n; },
  });
  return { srv, conn, log };
}

async function opened(o: Partial<WsConnectionOptions> = {}): Promise<ReturnType<typeof client>> {
  const c = client(o);
  await c.srv.accept();
  expect(c.conn.state).toBe('open');
  return c;
}

const str = (b: Uint8Array): string => Buffer.from(b).toString();

describe('connection: handshake', () => {
  it('sends the request a browser would, and opens on a valid 101', async () => {
    const { srv, conn, log } = client({ origin: 'http://localhost:5173', protocols: ['v1', 'v2'], headers: [['Cookie', 'sid=42']] });
    const req = await srv.waitRequest();
    expect(req.line).toBe('GET /ws HTTP/1.1');
    expect(req.headers.get('host')).toBe('sandbox:8081');
    expect(req.headers.get('upgrade')).toBe('websocket');
    expect(req.headers.get('connection')).toBe('Upgrade');
    expect(req.headers.get('sec-websocket-version')).toBe('13');
    expect(Buffer.from(req.headers.get('sec-websocket-key')!, 'base64')).toHaveLength(16);
    expect(req.headers.get('origin')).toBe('http://localhost:5173');
    expect(req.headers.get('sec-websocket-protocol')).toBe('v1, v2');
    expect(req.headers.get('cookie')).toBe('sid=42');
    expect(req.headers.has('sec-websocket-extensions')).toBe(false);
    expect(conn.state).toBe('connecting');
    await srv.accept({ protocol: 'v2' });
    expect(conn.state).toBe('open');
    expect(log.opened).toBe('v2');
    expect(conn.protocol).toBe('v2');
  });

  it('keeps frames that arrive in the same chunk as the 101', async () => {
    const { srv, log } = client();
    await srv.accept({ after: new Uint8Array([...serverFrame(Op.TEXT, 'first'), ...serverFrame(Op.BINARY, Uint8Array.of(1, 2)), ...serverFrame(Op.TEXT, 'thi')]) });
    expect(log.opened).toBe('');
    expect(log.messages.map((m) => (typeof m === 'string' ? m : [...m]))).toEqual(['first', [1, 2], 'thi']);
  });

  it('handles a 101 delivered a byte at a time, with a frame after it', async () => {
    const { srv, log, conn } = client();
    const req = await srv.waitRequest();
    const { acceptOf } = await import('./testing.js');
    const wire = new Uint8Array([...bytes(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptOf(req.headers.get('sec-websocket-key')!)}\r\n\r\n`), ...serverFrame(Op.TEXT, 'x')]);
    for (const b of wire) srv.stream.send(Uint8Array.of(b));
    expect(conn.state).toBe('open');
    expect(log.messages).toEqual(['x']);
  });

  it('fails on a bad answer: 1006, WS_ERR_HANDSHAKE, the stream reset, no close frame', async () => {
    const answers: Array<Parameters<FakeServer['accept']>[0]> = [
      { status: '200 OK' }, { override: { 'Sec-WebSocket-Accept': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' } }, { override: { 'Sec-WebSocket-Extensions': 'permessage-deflate' } },
    ];
    for (const bad of answers) {
      const { srv, log, conn } = client();
      await srv.accept(bad);
      expect(conn.state).toBe('closed');
      expect(log.opened).toBeNull();
      expect(log.closed).toMatchObject({ code: 1006, wasClean: false, error: { code: 'WS_ERR_HANDSHAKE' } });
      expect(srv.stream.clientClosed).toBe(true);
      srv.poll();
      expect(srv.frames).toEqual([]);
    }
  });

  it('fails with WS_ERR_CONNECT when the stream is refused, WS_ERR_CLOSED when it ends early', async () => {
    const a = client();
    a.srv.stream.serverClose('ECONNREFUSED');
    expect(a.log.closed).toMatchObject({ code: 1006, wasClean: false, error: { code: 'WS_ERR_CONNECT' } });
    const b = client();
    await b.srv.waitRequest();
    b.srv.stream.send(bytes('HTTP/1.1 101 Switching'));
    b.srv.stream.serverEnd();
    expect(b.log.closed).toMatchObject({ code: 1006, error: { code: 'WS_ERR_CLOSED' } });
    expect(b.srv.stream.clientClosed).toBe(true);
  });

  it('close() while connecting fails the connection (WS_ERR_ABORTED)', async () => {
    const { srv, conn, log } = client();
    await srv.waitRequest();
    conn.close(1000);
    expect(log.closed).toMatchObject({ code: 1006, error: { code: 'WS_ERR_ABORTED' } });
    expect(srv.stream.clientClosed).toBe(true);
  });
});

describe('connection: messages', () => {
  it('sends masked text and binary frames, one per message', async () => {
    const { srv, conn, log } = await opened();
    expect(conn.sendText('héllo')).toBe(true);
    expect(conn.sendBinary(Uint8Array.of(0, 1, 2, 255))).toBe(true);
    const f0 = await srv.frame(0), f1 = await srv.frame(1);
    expect(f0).toMatchObject({ fin: true, rsv: 0, opcode: Op.TEXT, masked: true });
    expect(str(f0.payload)).toBe('héllo');
    expect(f1).toMatchObject({ fin: true, opcode: Op.BINARY, masked: true });
    expect([...f1.payload]).toEqual([0, 1, 2, 255]);
    expect(log.sent).toBe(6 + 4);
  });

  it('answers pings with the same payload, also between fragments', async () => {
    const { srv, log } = await opened();
    srv.stream.send(new Uint8Array([...serverFrame(Op.TEXT, 'frag', { fin: false }), ...serverFrame(Op.PING, 'are you there'), ...serverFrame(Op.CONTINUATION, 'ment')]));
    const pong = await srv.frame(0);
    expect(pong).toMatchObject({ opcode: Op.PONG, fin: true, masked: true });
    expect(str(pong.payload)).toBe('are you there');
    expect(log.pings).toEqual(['are you there']);
    expect(log.messages).toEqual(['fragment']);
  });

  it('sends pings and reports pongs', async () => {
    const { srv, conn, log } = await opened();
    conn.ping(bytes('p1'));
    const f = await srv.frame(0);
    expect(f.opcode).toBe(Op.PING);
    srv.stream.send(serverFrame(Op.PONG, f.payload));
    expect(log.pongs).toEqual(['p1']);
    expect(() => conn.ping(new Uint8Array(126))).toThrow(expect.objectContaining({ code: 'WS_ERR_ARG' }));
  });

  it('queues frames while the stream is full and sends them in order on drain', async () => {
    const { srv, conn, log } = await opened();
    srv.stream.writeReturns = false;
    conn.sendText('a');
    expect(conn.bufferedAmount).toBe(0);
    conn.sendText('bb');
    conn.sendBinary(new Uint8Array(1000));
    expect(conn.bufferedAmount).toBe(1002);
    expect(log.sent).toBe(1);
    srv.stream.drain();
    expect(conn.bufferedAmount).toBe(0);
    expect(log.sent).toBe(1003);
    await srv.until(() => srv.frames.length === 3);
    expect(srv.frames.map((f) => f.payload.length)).toEqual([1, 2, 1000]);
  });
});

describe('connection: closing', () => {
  it('client starts: Close with code and reason, waits for the answer and the end of the stream', async () => {
    const { srv, conn, log } = await opened();
    conn.sendText('last');
    conn.close(1000, 'bye');
    expect(conn.state).toBe('closing');
    expect(conn.sendText('dropped')).toBe(false);
    const f = await srv.frame(1);
    expect(f.opcode).toBe(Op.CLOSE);
    expect([...f.payload]).toEqual([...closeBody(1000, 'bye')]);
    // Messages still arriving before the server's Close are delivered.
    srv.stream.send(serverFrame(Op.TEXT, 'in flight'));
    srv.stream.send(serverFrame(Op.CLOSE, closeBody(1000, 'bye too')));
    expect(srv.stream.clientEnded).toBe(true);
    expect(log.closed).toBeNull();
    srv.stream.serverEnd();
    expect(log.closed).toEqual({ code: 1000, reason: 'bye too', wasClean: true });
    expect(log.messages).toEqual(['in flight']);
    srv.poll();
    expect(srv.frames).toHaveLength(2);
  });

  it('close() with neither code nor reason sends an empty body; a reason alone goes with 1000', async () => {
    const a = await opened();
    a.conn.close();
    expect((await a.srv.frame(0)).payload).toHaveLength(0);
    a.srv.stream.send(serverFrame(Op.CLOSE));
    a.srv.stream.serverClose();
    expect(a.log.closed).toEqual({ code: 1005, reason: '', wasClean: true });
    const b = await opened();
    b.conn.close(undefined, 'why');
    expect([...(await b.srv.frame(0)).payload]).toEqual([...closeBody(1000, 'why')]);
  });

  it('server starts: the client echoes the code, half-closes, and reports the server code', async () => {
    const { srv, conn, log } = await opened();
    srv.stream.send(new Uint8Array([...serverFrame(Op.TEXT, 'before'), ...serverFrame(Op.CLOSE, closeBody(4001, 'going away')), ...serverFrame(Op.TEXT, 'ignored')]));
    expect(log.closing).toEqual([[4001, 'going away']]);
    expect(conn.state).toBe('closing');
    const f = await srv.frame(0);
    expect(f.opcode).toBe(Op.CLOSE);
    expect([...f.payload]).toEqual([...closeBody(4001)]);
    expect(srv.stream.clientEnded).toBe(true);
    expect(conn.sendText('too late')).toBe(false);
    srv.stream.serverEnd();
    expect(log.closed).toEqual({ code: 4001, reason: 'going away', wasClean: true });
    expect(log.messages).toEqual(['before']);
  });

  it('an empty server Close is answered with an empty one and reported as 1005', async () => {
    const { srv, log } = await opened();
    srv.stream.send(serverFrame(Op.CLOSE));
    expect((await srv.frame(0)).payload).toHaveLength(0);
    srv.stream.serverClose();
    expect(log.closed).toEqual({ code: 1005, reason: '', wasClean: true });
  });

  it('the stream ending without a Close frame is 1006, not clean, with no error', async () => {
    const { srv, log } = await opened();
    srv.stream.send(serverFrame(Op.TEXT, 'partial', { fin: false }));
    srv.stream.serverEnd();
    expect(log.closed).toEqual({ code: 1006, reason: '', wasClean: false });
    expect(srv.stream.clientClosed).toBe(true);
    const b = await opened();
    b.srv.stream.serverClose('ECONNRESET');
    expect(b.log.closed).toEqual({ code: 1006, reason: '', wasClean: false });
  });

  it('a server that never answers Close gives 1006 after the timeout', async () => {
    const { srv, conn, log } = await opened({ closeTimeoutMs: 30 });
    conn.close(1000);
    await sleep(60);
    expect(log.closed).toEqual({ code: 1006, reason: '', wasClean: false });
    expect(srv.stream.clientClosed).toBe(true);
  });

  it('a server that answers Close but keeps the stream open is closed after the timeout, cleanly', async () => {
    const { srv, conn, log } = await opened({ closeTimeoutMs: 30 });
    conn.close(3000);
    srv.stream.send(serverFrame(Op.CLOSE, closeBody(3000)));
    await sleep(60);
    expect(log.closed).toEqual({ code: 3000, reason: '', wasClean: true });
    expect(srv.stream.clientClosed).toBe(true);
  });
});

describe('connection: failures', () => {
  const cases: Array<[string, Uint8Array, string, number, Partial<WsConnectionOptions>?]> = [
    ['a masked server frame', serverFrame(Op.TEXT, 'x', { mask: Uint8Array.of(1, 2, 3, 4) }), 'WS_ERR_PROTOCOL', 1002],
    ['reserved bits', serverFrame(Op.TEXT, 'x', { rsv: 4 }), 'WS_ERR_PROTOCOL', 1002],
    ['an unknown opcode', serverFrame(5, 'x'), 'WS_ERR_PROTOCOL', 1002],
    ['a continuation with no message', serverFrame(Op.CONTINUATION, 'x'), 'WS_ERR_PROTOCOL', 1002],
    ['a close code that may not be sent', serverFrame(Op.CLOSE, closeBody(1006)), 'WS_ERR_PROTOCOL', 1002],
    ['bad UTF-8 in text', serverFrame(Op.TEXT, Uint8Array.of(0xff)), 'WS_ERR_UTF8', 1007],
    ['bad UTF-8 in a close reason', serverFrame(Op.CLOSE, Uint8Array.of(3, 232, 0xff)), 'WS_ERR_UTF8', 1007],
    ['a message over the limit', serverFrame(Op.BINARY, new Uint8Array(2000)), 'WS_ERR_TOO_BIG', 1009, { maxMessageSize: 1024 }],
  ];
  for (const [what, wire, code, closeCode, o] of cases) {
    it(`${what}: Close ${closeCode} sent, 1006 reported with the error, nothing more read`, async () => {
      const { srv, conn, log } = await opened(o);
      conn.sendText('queued before');
      srv.stream.send(new Uint8Array([...wire, ...serverFrame(Op.TEXT, 'after')]));
      expect(conn.state).toBe('closed');
      expect(log.closed).toMatchObject({ code: 1006, reason: '', wasClean: false, error: { code, closeCode } });
      expect(log.messages).toEqual([]);
      const f = await srv.frame(1);
      expect(f.opcode).toBe(Op.CLOSE);
      expect([...f.payload.subarray(0, 2)]).toEqual([closeCode >> 8, closeCode & 255]);
      // Half-closed so the Close frame gets there; reset only if the server does not close.
      expect(srv.stream.clientEnded).toBe(true);
      srv.stream.serverClose();
    });
  }

  it('a failure while the stream is full drops the queued frames and sends Close at once', async () => {
    const { srv, conn, log } = await opened();
    srv.stream.writeReturns = false;
    conn.sendText('one');
    conn.sendText('queued');
    srv.stream.send(serverFrame(Op.TEXT, Uint8Array.of(0xc3)));
    expect(log.closed?.error?.closeCode).toBe(1007);
    await srv.until(() => srv.frames.length === 2);
    expect(srv.frames.map((f) => f.opcode)).toEqual([Op.TEXT, Op.CLOSE]);
    srv.stream.drain();
    srv.poll();
    expect(srv.frames).toHaveLength(2);
  });

  it('an event callback that throws fails the connection with 1011', async () => {
    const srv = new FakeServer();
    let info: WsCloseInfo | null = null;
    new WsConnection(srv.stream, { host: 'h', path: '/' }, { message: () => { throw new Error('app bug'); }, close: (i) => { info = i; } });
    await srv.accept({ after: serverFrame(Op.TEXT, 'boom') });
    expect(info).toMatchObject({ code: 1006, error: { code: 'WS_ERR_INTERNAL', closeCode: 1011, message: 'app bug' } });
  });
});
