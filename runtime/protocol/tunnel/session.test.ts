import { describe, expect, it } from 'vitest';
import { Flag, FrameDecoder, FrameType, GoAway, StreamError, encodeFrame } from './frame.js';
import { DEFAULT_WINDOW, type Stream } from './session.js';
import { pipePair, rawPeer, tick } from './testing.js';

const bytes = (n: number, seed = 1): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) { if (Date.now() - t0 > ms) throw new Error('timed out'); await tick(1); }
};
const framesOf = (sent: Uint8Array[]) => new FrameDecoder(1 << 30).push(concat(sent)).frames;

/** Server side echoes every stream back and half-closes when the peer does. */
function echoOn(s: Stream): void {
  s.ondata = (d) => { if (!s.write(d)) { s.pause(); s.ondrain = () => s.resume(); } };
  s.onend = () => s.end();
}

describe('tunnel session', () => {
  it('opens a stream with metadata, echoes, half-closes and closes cleanly', async () => {
    const metas: unknown[] = [];
    const { client } = pipePair({}, { onStream: (s, meta) => { metas.push(meta); echoOn(s); } });
    const s = client.open({ point: 'unix:/tmp/server.sock' });
    const got: Uint8Array[] = [];
    let opened = false, ended = false, closeCode: number | undefined | null = null;
    s.onopen = () => { opened = true; };
    s.ondata = (d) => got.push(d);
    s.onend = () => { ended = true; };
    s.onclose = (c) => { closeCode = c; };
    s.write(bytes(1000));
    s.end();
    await until(() => closeCode !== null);
    expect(metas).toEqual([{ point: 'unix:/tmp/server.sock' }]);
    expect(opened && ended).toBe(true);
    expect(closeCode).toBeUndefined();
    expect(same(concat(got), bytes(1000))).toBe(true);
    expect(client.streams.size).toBe(0);
  });

  it('carries many concurrent streams independently', async () => {
    const { client, server } = pipePair({}, { onStream: (s) => echoOn(s) });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => new Promise<Uint8Array>((resolve) => {
      const s = client.open({ n: i });
      const got: Uint8Array[] = [];
      s.ondata = (d) => got.push(d);
      s.onclose = () => resolve(concat(got));
      s.write(bytes(10_000 + i, i));
      s.end();
    })));
    results.forEach((r, i) => expect(same(r, bytes(10_000 + i, i))).toBe(true));
    expect(server.streams.size).toBe(0);
  });

  it('stops a sender whose peer does not read, and resumes it (backpressure)', async () => {
    let remote!: Stream;
    const { client } = pipePair({}, { onStream: (s) => { remote = s; s.pause(); } });
    const s = client.open({});
    let drained = false;
    s.ondrain = () => { drained = true; };
    const big = bytes(1 << 20);
    expect(s.write(big)).toBe(false);
    await tick(20);
    expect(s.bufferedAmount).toBe((1 << 20) - DEFAULT_WINDOW);
    expect(remote.bytesIn).toBe(DEFAULT_WINDOW);
    const got: Uint8Array[] = [];
    remote.ondata = (d) => got.push(d);
    remote.resume();
    await until(() => drained);
    await until(() => got.reduce((n, d) => n + d.length, 0) === big.length);
    expect(same(concat(got), big)).toBe(true);
  });

  it('keeps window credit back while paused even after partial reads', async () => {
    let remote!: Stream;
    const { client } = pipePair({}, { onStream: (s) => { remote = s; } });
    const s = client.open({});
    let n = 0;
    await tick();
    remote.ondata = (d) => { n += d.length; if (n >= 100_000) remote.pause(); };
    s.write(bytes(2 << 20));
    await tick(20);
    // Only what the reader took before pausing, plus at most one window, crossed the wire.
    expect(remote.bytesIn).toBeLessThanOrEqual(n + DEFAULT_WINDOW);
    expect(s.bufferedAmount).toBeGreaterThan((2 << 20) - n - 2 * DEFAULT_WINDOW);
  });

  it('resets a stream, and the peer sees the code', async () => {
    let remote!: Stream;
    let code: number | undefined = -1;
    const { client } = pipePair({}, { onStream: (s) => { remote = s; s.onclose = (c) => { code = c; }; } });
    const s = client.open({});
    await tick();
    s.reset(StreamError.REFUSED);
    await until(() => code !== -1);
    expect(code).toBe(StreamError.REFUSED);
    expect(remote.closed).toBe(true);
  });

  it('refuses streams when no handler is set', async () => {
    const { client } = pipePair();
    const s = client.open({});
    let code: number | undefined = -1;
    s.onclose = (c) => { code = c; };
    await until(() => code !== -1);
    expect(code).toBe(StreamError.REFUSED);
  });

  it('limits streams per session with RST(TOO_MANY_STREAMS)', async () => {
    const { client } = pipePair({}, { maxStreams: 3, onStream: () => {} });
    const codes: (number | undefined)[] = [];
    const streams = Array.from({ length: 5 }, () => { const s = client.open({}); s.onclose = (c) => codes.push(c); return s; });
    await until(() => codes.length === 2);
    expect(codes).toEqual([StreamError.TOO_MANY_STREAMS, StreamError.TOO_MANY_STREAMS]);
    expect(streams.filter((s) => !s.closed)).toHaveLength(3);
  });

  it('answers pings and times out a silent peer', async () => {
    const { client } = pipePair();
    expect(await client.ping()).toBe(true);
    let closed: number | null = null;
    const p = rawPeer({ side: 'client', pingIntervalMs: 10, pingTimeoutMs: 30, onClose: (c) => { closed = c; } });
    await until(() => closed !== null);
    expect(closed).toBe(GoAway.PING_TIMEOUT);
    const f = framesOf(p.sent);
    expect(f.filter((x) => x.type === FrameType.PING)).toHaveLength(1);
    expect(f.at(-1)).toMatchObject({ type: FrameType.GO_AWAY, length: GoAway.PING_TIMEOUT });
    expect(p.closed()).toBe(true);
  });

  it('go-away closes every stream on both sides', async () => {
    let serverClose: [number, boolean] | null = null;
    const { client } = pipePair({}, { onStream: () => {}, onClose: (c, _r, byPeer) => { serverClose = [c, byPeer]; } });
    const s = client.open({});
    let code: number | undefined = -1;
    s.onclose = (c) => { code = c; };
    await tick();
    client.goAway(GoAway.SHUTDOWN);
    expect(code).toBe(StreamError.SESSION_CLOSED);
    await until(() => serverClose !== null);
    expect(serverClose).toEqual([GoAway.SHUTDOWN, true]);
    expect(() => client.open({})).toThrow(expect.objectContaining({ code: 'TUNNEL_ERR_SESSION_CLOSED' }));
  });

  it('carries session control messages', async () => {
    const got: unknown[] = [];
    const { client } = pipePair({}, { onControl: (m) => got.push(m) });
    client.control({ type: 'hello', points: [] });
    await until(() => got.length === 1);
    expect(got[0]).toEqual({ type: 'hello', points: [] });
  });

  describe('malformed input', () => {
    const syn = (id: number, meta = '{}') => encodeFrame(FrameType.CONTROL, Flag.SYN, id, 0, new TextEncoder().encode(meta));
    const setup = () => {
      const streams: Stream[] = [];
      let closed: number | null = null;
      const p = rawPeer({ side: "server", onStream: (s) => { streams.push(s); s.pause(); }, onClose: (c) => { closed = c; } });
      return { ...p, streams, closedCode: () => closed };
    };

    it('data beyond the window resets only that stream', () => {
      const p = setup();
      p.session.receive(concat([syn(1), syn(3)]));
      p.session.receive(concat([encodeFrame(FrameType.DATA, 0, 1, 0, bytes(DEFAULT_WINDOW)), encodeFrame(FrameType.DATA, 0, 1, 0, bytes(1))]));
      expect(p.streams[0]!.closed).toBe(true);
      expect(p.streams[1]!.closed).toBe(false);
      expect(p.closedCode()).toBeNull();
      const rst = framesOf(p.sent).find((f) => f.flags & Flag.RST);
      expect(rst).toMatchObject({ streamId: 1, length: StreamError.FLOW_CONTROL });
    });

    it('data after FIN, and bad SYN metadata, reset the stream', () => {
      const p = setup();
      p.session.receive(concat([syn(1), encodeFrame(FrameType.DATA, Flag.FIN, 1, 0, bytes(5)), encodeFrame(FrameType.DATA, 0, 1, 0, bytes(5)), syn(3, '{nope')]));
      expect(p.streams).toHaveLength(1);
      expect(p.streams[0]!.closed).toBe(true);
      const rst = framesOf(p.sent).filter((f) => f.flags & Flag.RST).map((f) => [f.streamId, f.length]);
      expect(rst).toEqual([[1, StreamError.PROTOCOL], [3, StreamError.PROTOCOL]]);
      expect(p.closedCode()).toBeNull();
    });

    it('data for an unknown stream gets RST, window updates for it are ignored', () => {
      const p = setup();
      p.session.receive(concat([encodeFrame(FrameType.DATA, 0, 9, 0, bytes(5)), encodeFrame(FrameType.WINDOW_UPDATE, 0, 11, 5)]));
      expect(framesOf(p.sent).map((f) => [f.streamId, f.flags])).toEqual([[9, Flag.RST]]);
      expect(p.closedCode()).toBeNull();
    });

    const fatal: [string, Uint8Array, number][] = [
      ['a reused stream id', concat([syn(1), syn(1)]), GoAway.PROTOCOL_ERROR],
      ['a SYN of the wrong parity', syn(2), GoAway.PROTOCOL_ERROR],
      ['a SYN on a DATA frame', encodeFrame(FrameType.DATA, Flag.SYN, 1, 0), GoAway.PROTOCOL_ERROR],
      ['a control message that is not JSON', encodeFrame(FrameType.CONTROL, 0, 0, 0, bytes(10)), GoAway.PROTOCOL_ERROR],
      ['a bad header', Uint8Array.of(7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7), GoAway.PROTOCOL_ERROR],
      ['an oversized frame', encodeFrame(FrameType.DATA, 0, 1, 0, bytes(300_000)), GoAway.FRAME_TOO_LARGE],
    ];
    for (const [name, input, code] of fatal) {
      it(`${name} ends the session with go-away ${code}`, () => {
        const p = setup();
        p.session.receive(input);
        expect(p.closedCode()).toBe(code);
        expect(framesOf(p.sent).at(-1)).toMatchObject({ type: FrameType.GO_AWAY, length: code });
        expect(p.closed()).toBe(true);
      });
    }

    it('an exception in an application callback resets only that stream', () => {
      const p = setup();
      p.session.receive(syn(1));
      p.streams[0]!.ondata = () => { throw new Error('app bug'); };
      p.streams[0]!.resume();
      p.session.receive(encodeFrame(FrameType.DATA, 0, 1, 0, bytes(3)));
      expect(p.streams[0]!.closed).toBe(true);
      expect(p.closedCode()).toBeNull();
    });
  });
});
