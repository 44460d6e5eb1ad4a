// The tunnel client opens only published exposure points, whatever the edge asks for: kernel exposures
// also reach unlisted UNIX sockets (the IDE's file service at /run/wasmux/fs.sock), and a compromised or
// buggy edge must not be able to open them. The test plays the edge with a server-side Session.
import { describe, expect, it } from 'vitest';
import { EdgeClient, type WebSocketLike } from '../runtime/host/common/edge-client.js';
import { Session } from '../runtime/protocol/tunnel/session.js';
import { StreamError } from '../runtime/protocol/tunnel/frame.js';
import { FakeExposures, echoServer } from './helpers/fake-exposures.js';
import { tick } from '../runtime/protocol/tunnel/testing.js';

describe('EdgeClient', () => {
  it('refuses a stream to a point it did not publish, even one the exposures can connect to', async () => {
    const ex = new FakeExposures();
    const echo = echoServer().serve;
    ex.add({ id: 'unix:/tmp/server.sock', kind: 'unix', path: '/tmp/server.sock' }, echo);
    // A hidden socket that connect() reaches but list() does not show (as fsd's is in the kernel).
    let hiddenConnects = 0;
    const connect = ex.connect.bind(ex);
    ex.connect = (id) => { if (id === 'unix:/run/wasmux/fs.sock') { hiddenConnects++; return echo(); } return connect(id); };

    let edge!: Session;
    const ws: WebSocketLike = {
      binaryType: 'arraybuffer', readyState: 1,
      send: (d) => { const c = d.slice(); queueMicrotask(() => edge.receive(c)); },
      close: () => { queueMicrotask(() => edge.transportClosed()); },
      onopen: null, onmessage: null, onclose: null, onerror: null,
    };
    edge = new Session({
      send: (b) => { const c = b.slice(); queueMicrotask(() => ws.onmessage?.({ data: c.buffer })); },
      close: () => { queueMicrotask(() => ws.onclose?.({ code: 1000 })); },
    }, {
      side: 'server',
      onControl: (m) => {
        if ((m as { type?: string }).type === 'hello') {
          edge.control({ type: 'welcome', id: 'abcdefghijklmnopqrst', resume: 'r', resumed: false, graceMs: 1000, urls: { 'unix:/tmp/server.sock': 'http://x.localhost/' } });
        }
      },
    });
    const client = new EdgeClient({ edgeUrl: 'http://127.0.0.1:1', exposures: ex, createWebSocket: () => { queueMicrotask(() => ws.onopen?.({})); return ws; } });
    await client.start();

    const hidden = edge.open({ point: 'unix:/run/wasmux/fs.sock' });
    let code: number | undefined = -1;
    hidden.onclose = (c) => { code = c; };
    const published = edge.open({ point: 'unix:/tmp/server.sock' });
    const got: number[] = [];
    published.ondata = (d) => got.push(...d);
    published.write(new Uint8Array([1, 2, 3]));
    await tick(20);
    expect(code).toBe(StreamError.REFUSED);
    expect(hiddenConnects).toBe(0);
    expect(got).toEqual([1, 2, 3]);
    client.close();
  });
});
