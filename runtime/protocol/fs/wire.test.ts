// Unit tests of the file service codec and of FsClient against a scripted in-memory server. The real
// server (fsd, natively and in wasmux) is exercised by tests/fsd.test.ts.
import { describe, expect, it } from 'vitest';
import { FsClient, type FsStream } from './client.js';
import { FsError } from './errors.js';
import {
  EVENT, EventMask, FieldReader, FrameDecoder, FrameWriter, HEADER_SIZE, MAX_PAYLOAD, Op, REPLY, ReplyFlag, readEvent,
  readStat, utf8, type Frame, type FsEvent,
} from './wire.js';

function statBytes(mode: number, size: number, sec: bigint, nsec: number, tmode: number): Uint8Array {
  const b = new Uint8Array(48);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, mode, true); dv.setUint32(4, 1000, true); dv.setUint32(8, 100, true); dv.setUint32(12, 2, true);
  dv.setBigUint64(16, BigInt(size), true); dv.setBigUint64(24, 42n, true);
  dv.setBigInt64(32, sec, true); dv.setUint32(40, nsec, true); dv.setUint32(44, tmode, true);
  return b;
}

describe('fs wire format', () => {
  it('frames round-trip through the decoder, split at every byte', () => {
    const a = new FrameWriter().u32(7).str(utf8('/etc/passwd')).finish(REPLY | Op.STAT, 0, 5);
    const b = new FrameWriter().u64(2 ** 40).bytes(new Uint8Array([1, 2, 3])).finish(EVENT, 0, 0xffffffff);
    const all = new Uint8Array([...a, ...b]);
    for (let cut = 0; cut <= all.length; cut++) {
      const d = new FrameDecoder();
      const frames = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      expect(d.error).toBeNull();
      expect(frames.map((f) => [f.type, f.flags, f.id, f.payload.length])).toEqual([[REPLY | Op.STAT, 0, 5, 17], [EVENT, 0, 0xffffffff, 11]]);
      const r = new FieldReader(frames[0]!.payload);
      expect([r.u32(), r.str()]).toEqual([7, '/etc/passwd']);
      r.end();
      const r2 = new FieldReader(frames[1]!.payload);
      expect(r2.u64()).toBe(2 ** 40);
      expect([...r2.rest()]).toEqual([1, 2, 3]);
    }
  });

  it('the decoder stops at an oversized length, reserved bits or a request type from the server', () => {
    const hdr = (len: number, type: number, reserved = 0): Uint8Array => {
      const h = new Uint8Array(HEADER_SIZE);
      const dv = new DataView(h.buffer);
      dv.setUint32(0, len, true); dv.setUint8(4, type); dv.setUint16(6, reserved, true);
      return h;
    };
    for (const h of [hdr(MAX_PAYLOAD + 1, REPLY | Op.READ), hdr(0, REPLY | Op.STAT, 1), hdr(0, Op.STAT), hdr(0, REPLY)]) {
      const d = new FrameDecoder();
      expect(d.push(h)).toEqual([]);
      expect(d.error).not.toBeNull();
      expect(d.push(new FrameWriter().finish(REPLY | Op.HELLO, 0, 1))).toEqual([]);
    }
    // The server's side of the check: requests only.
    const s = new FrameDecoder(MAX_PAYLOAD, false);
    expect(s.push(hdr(0, Op.STAT)).length).toBe(1);
    expect(s.push(hdr(0, REPLY | Op.STAT))).toEqual([]);
    expect(s.error).toMatch(/type/);
  });

  it('reading past a payload throws; stat and event records decode', () => {
    expect(() => new FieldReader(new Uint8Array(3)).u32()).toThrow(/truncated/);
    expect(() => new FieldReader(new Uint8Array([5, 0, 65])).str()).toThrow(/truncated/);
    const st = readStat(new FieldReader(statBytes(0o120777, 9, 1_700_000_000n, 123_456_789, 0o100644)));
    expect(st).toMatchObject({ type: 'symlink', perm: 0o777, uid: 1000, gid: 100, nlink: 2, size: 9, ino: 42, target: 'file' });
    expect(st.mtimeNs).toBe(1_700_000_000_123_456_789n);
    expect(st.mtimeMs).toBeCloseTo(1_700_000_000_123.4568, 3);
    expect(readStat(new FieldReader(statBytes(0o120777, 1, 0n, 0, 0))).target).toBeNull();
    const ev = readEvent(new FieldReader(new FrameWriter().u32(EventMask.MOVED_TO | EventMask.ISDIR).u32(9).str(utf8('d'))
      .finish(EVENT, 0, 1).subarray(HEADER_SIZE)));
    expect(ev).toEqual({ type: 'moved-to', name: 'd', isDir: true, cookie: 9, mask: EventMask.MOVED_TO | EventMask.ISDIR });
  });
});

/** An in-memory FsStream whose server side is a function of each request frame. */
function fake(serve: (f: Frame, send: (b: Uint8Array) => void) => void): { stream: FsStream; closed: () => boolean; end(): void } {
  let data: ((d: Uint8Array) => void) | null = null, close: ((e?: string) => void) | null = null, isClosed = false;
  const dec = new FrameDecoder(MAX_PAYLOAD, false);
  const send = (b: Uint8Array): void => { queueMicrotask(() => { if (!isClosed) data?.(b); }); };
  return {
    stream: {
      write: (b) => { for (const f of dec.push(b.slice())) serve(f, send); return true; },
      onData: (cb) => { data = cb; },
      onClose: (cb) => { close = cb; },
      close: () => { if (!isClosed) { isClosed = true; close?.(); } },
    },
    closed: () => isClosed,
    end: () => { isClosed = true; close?.('reset'); },
  };
}

describe('FsClient against a scripted server', () => {
  it('matches replies to requests by id, even out of order, and rejects error replies with FsError', async () => {
    const held: Frame[] = [];
    const f = fake((req, send) => {
      held.push(req);
      if (held.length < 2) return;
      // Answer the second request first.
      for (const r of held.reverse()) {
        if (r.type === Op.READLINK) send(new FrameWriter().str(utf8('target')).finish(REPLY | Op.READLINK, 0, r.id));
        else send(new FrameWriter().u32(2).str(utf8('ENOENT')).str(utf8('')).finish(REPLY | r.type, ReplyFlag.ERROR, r.id));
      }
    });
    const c = new FsClient(f.stream);
    const [e, t] = await Promise.allSettled([c.stat('/nope'), c.readlink('/l')]);
    expect(t).toEqual({ status: 'fulfilled', value: 'target' });
    const err = (e as PromiseRejectedResult).reason as FsError;
    expect(err).toBeInstanceOf(FsError);
    expect(err).toMatchObject({ code: 'FS_ERR_ENOENT', errno: 2, path: '/nope', op: 'stat' });
  });

  it('a reply nobody asked for, or a malformed reply body, is a protocol error that ends the client', async () => {
    const f = fake((req, send) => { send(new FrameWriter().u32(1).finish(REPLY | Op.STAT, 0, req.id + 100)); });
    const c = new FsClient(f.stream);
    await expect(c.stat('/x')).rejects.toMatchObject({ code: 'FS_ERR_PROTOCOL' });
    expect(f.closed()).toBe(true);
    await expect(c.stat('/y')).rejects.toMatchObject({ code: 'FS_ERR_PROTOCOL' });

    const g = fake((req, send) => { send(new FrameWriter().u32(1).finish(REPLY | Op.STAT, 0, req.id)); });
    const c2 = new FsClient(g.stream);
    await expect(c2.stat('/x')).rejects.toMatchObject({ code: 'FS_ERR_PROTOCOL' });
    expect(g.closed()).toBe(true);
  });

  it('pending calls fail with FS_ERR_CLOSED when the stream closes; watch events reach their callback', async () => {
    let watchId = 0;
    const f = fake((req, send) => {
      if (req.type === Op.WATCH) {
        watchId = req.id;
        send(new FrameWriter().finish(REPLY | Op.WATCH, 0, req.id));
        send(new FrameWriter().u32(EventMask.CREATED).u32(0).str(utf8('new')).finish(EVENT, 0, req.id));
        send(new FrameWriter().u32(EventMask.CREATED).u32(0).str(utf8('other')).finish(EVENT, 0, req.id + 1000));
      }
    });
    const c = new FsClient(f.stream);
    const evs: FsEvent[] = [];
    const w = await c.watch('/d', (ev) => evs.push(ev));
    expect(w.id).toBe(watchId);
    await new Promise((r) => setTimeout(r, 0));
    expect(evs.map((e) => e.name)).toEqual(['new']);
    const closedWith: string[] = [];
    c.onClose((e) => closedWith.push(e.code));
    const p = c.readFile('/big');
    f.end();
    await expect(p).rejects.toMatchObject({ code: 'FS_ERR_CLOSED' });
    expect(closedWith).toEqual(['FS_ERR_CLOSED']);
  });

  it('paths longer than MAX_PATH are refused before anything is sent', async () => {
    let sent = 0;
    const c = new FsClient(fake(() => { sent++; }).stream);
    await expect(c.mkdir(`/${'é'.repeat(2100)}`)).rejects.toMatchObject({ code: 'FS_ERR_ENAMETOOLONG', errno: 36 });
    expect(sent).toBe(0);
  });
});
