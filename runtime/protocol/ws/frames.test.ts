import { describe, expect, it } from 'vitest';
import { FrameReader, Op, decodeClose, encodeClose, encodeFrame, isValidCloseCode, type FrameSink } from './frames.js';
import { MessageAssembler } from './message.js';
import { WsError } from './errors.js';
import { bytes, closeBody, serverFrame } from './testing.js';

/** Decode a client frame independently: header fields and the unmasked payload. */
function decodeClient(f: Uint8Array): { fin: boolean; opcode: number; masked: boolean; mask: number[]; payload: Uint8Array } {
  const len7 = f[1]! & 127;
  let len = len7, o = 2;
  if (len7 === 126) { len = (f[2]! << 8) | f[3]!; o = 4; }
  if (len7 === 127) { len = Number(Buffer.from(f.subarray(2, 10)).readBigUInt64BE()); o = 10; }
  const mask = [...f.subarray(o, o + 4)];
  const payload = f.slice(o + 4);
  expect(payload.length).toBe(len);
  for (let i = 0; i < len; i++) payload[i]! ^= mask[i % 4]!;
  return { fin: (f[0]! & 128) !== 0, opcode: f[0]! & 15, masked: (f[1]! & 128) !== 0, mask, payload };
}

type Event = ['start', number, boolean, number] | ['chunk', number[]] | ['end', boolean] | ['control', number, number[]];

function recorder(): { sink: FrameSink; events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    sink: {
      dataStart: (op, fin, n) => events.push(['start', op, fin, n]),
      dataChunk: (b) => events.push(['chunk', [...b]]),
      dataEnd: (fin) => events.push(['end', fin]),
      control: (op, p) => events.push(['control', op, [...p]]),
    },
  };
}

/** Feed `wire` to a reader with a message assembler; returns the messages, or the error. */
function messages(wire: Uint8Array, max = 1 << 20, step = wire.length): { msgs: Array<string | Uint8Array>; controls: Array<[number, Uint8Array]>; error?: WsError } {
  const msgs: Array<string | Uint8Array> = [];
  const controls: Array<[number, Uint8Array]> = [];
  const a = new MessageAssembler(max, (m) => msgs.push(m));
  const r = new FrameReader({ dataStart: (o, f, n) => a.dataStart(o, f, n), dataChunk: (b) => a.dataChunk(b), dataEnd: (f) => a.dataEnd(f), control: (o, p) => controls.push([o, p]) });
  try {
    for (let i = 0; i < wire.length; i += Math.max(1, step)) r.push(wire.subarray(i, i + Math.max(1, step)));
  } catch (e) {
    return { msgs, controls, error: e as WsError };
  }
  return { msgs, controls };
}

const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(parts.flatMap((p) => [...p]));

describe('client frames', () => {
  it('are masked with the given key and carry 7-, 16- and 64-bit lengths', () => {
    for (const n of [0, 1, 5, 125, 126, 127, 65535, 65536, 70000]) {
      const p = Uint8Array.from({ length: n }, (_, i) => (i * 31) & 255);
      const f = encodeFrame(Op.BINARY, p, true, Uint8Array.of(1, 2, 3, 0xff));
      const d = decodeClient(f);
      expect(d.masked).toBe(true);
      expect(d.mask).toEqual([1, 2, 3, 0xff]);
      expect(d.opcode).toBe(Op.BINARY);
      expect(d.fin).toBe(true);
      expect(Buffer.from(d.payload).equals(Buffer.from(p))).toBe(true);
      expect(f[1]! & 127).toBe(n < 126 ? n : n < 65536 ? 126 : 127);
    }
    expect(decodeClient(encodeFrame(Op.TEXT, bytes('x'), false)).fin).toBe(false);
  });

  it('get a fresh random key each and leave the payload untouched', () => {
    const p = bytes('same payload');
    const a = encodeFrame(Op.TEXT, p), b = encodeFrame(Op.TEXT, p);
    expect([...a.subarray(2, 6)]).not.toEqual([...b.subarray(2, 6)]);
    expect(new TextDecoder().decode(p)).toBe('same payload');
  });
});

describe('reading server frames', () => {
  it('streams data payloads and whole control frames, at any chunking', () => {
    const wire = cat(serverFrame(Op.TEXT, 'hel', { fin: false }), serverFrame(Op.PING, 'p'), serverFrame(Op.CONTINUATION, 'lo'), serverFrame(Op.BINARY, new Uint8Array(300).fill(7)));
    for (const step of [1, 2, 3, 7, wire.length]) {
      const { sink, events } = recorder();
      const r = new FrameReader(sink);
      for (let i = 0; i < wire.length; i += step) r.push(wire.subarray(i, i + step));
      const merged: Event[] = [];
      for (const e of events) {
        const last = merged[merged.length - 1];
        if (e[0] === 'chunk' && last?.[0] === 'chunk') last[1].push(...e[1]);
        else merged.push(e[0] === 'chunk' ? ['chunk', [...e[1]]] : e);
      }
      expect(merged).toEqual([
        ['start', Op.TEXT, false, 3], ['chunk', [...bytes('hel')]], ['end', false],
        ['control', Op.PING, [...bytes('p')]],
        ['start', Op.CONTINUATION, true, 2], ['chunk', [...bytes('lo')]], ['end', true],
        ['start', Op.BINARY, true, 300], ['chunk', new Array(300).fill(7)], ['end', true],
      ]);
    }
  });

  it('reads a 64-bit length and an empty frame', () => {
    const { sink, events } = recorder();
    new FrameReader(sink).push(cat(serverFrame(Op.BINARY, bytes('abc'), { len64: true }), serverFrame(Op.TEXT, '')));
    expect(events).toEqual([['start', Op.BINARY, true, 3], ['chunk', [97, 98, 99]], ['end', true], ['start', Op.TEXT, true, 0], ['end', true]]);
  });

  it('refuses frames a client must not accept (1002), and stops', () => {
    const bad: Array<[string, Uint8Array]> = [
      ['RSV1 (no permessage-deflate)', serverFrame(Op.TEXT, 'x', { rsv: 4 })],
      ['RSV3', serverFrame(Op.BINARY, 'x', { rsv: 1 })],
      ['reserved data opcode', serverFrame(3, 'x')],
      ['reserved control opcode', serverFrame(0xb, 'x')],
      ['masked', serverFrame(Op.TEXT, 'x', { mask: Uint8Array.of(1, 2, 3, 4) })],
      ['fragmented ping', serverFrame(Op.PING, 'x', { fin: false })],
      ['control over 125', serverFrame(Op.PING, new Uint8Array(126))],
      ['64-bit length MSB', Uint8Array.of(0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1)],
    ];
    for (const [what, wire] of bad) {
      const { sink, events } = recorder();
      const r = new FrameReader(sink);
      expect(() => r.push(cat(wire, serverFrame(Op.TEXT, 'after'))), what).toThrow(expect.objectContaining({ code: 'WS_ERR_PROTOCOL', closeCode: 1002 }));
      r.push(serverFrame(Op.TEXT, 'later'));
      expect(events.filter((e) => e[0] === 'start'), what).toEqual([]);
    }
  });
});

describe('messages', () => {
  it('reassembles fragments with control frames between them', () => {
    const wire = cat(
      serverFrame(Op.BINARY, Uint8Array.of(1, 2), { fin: false }),
      serverFrame(Op.PING, 'a'),
      serverFrame(Op.CONTINUATION, Uint8Array.of(3), { fin: false }),
      serverFrame(Op.PONG, 'b'),
      serverFrame(Op.CONTINUATION, new Uint8Array(0), { fin: false }),
      serverFrame(Op.CONTINUATION, Uint8Array.of(4, 5)),
      serverFrame(Op.TEXT, 'whole'),
    );
    for (const step of [1, 5, wire.length]) {
      const r = messages(wire, 1 << 20, step);
      expect(r.error).toBeUndefined();
      expect(r.msgs.map((m) => (typeof m === 'string' ? m : [...m]))).toEqual([[1, 2, 3, 4, 5], 'whole']);
      expect(r.controls.map(([o, p]) => [o, Buffer.from(p).toString()])).toEqual([[Op.PING, 'a'], [Op.PONG, 'b']]);
    }
  });

  it('delivers binary as a Uint8Array owning its whole ArrayBuffer', () => {
    const big = Uint8Array.from({ length: 200_000 }, (_, i) => i & 255);
    const wire = cat(serverFrame(Op.BINARY, Uint8Array.of(9, 9, 9)), serverFrame(Op.BINARY, big), serverFrame(Op.BINARY, new Uint8Array(0)));
    for (const step of [4096, wire.length]) {
      const { msgs } = messages(wire, 1 << 20, step);
      for (const m of msgs as Uint8Array[]) {
        expect(m.byteOffset).toBe(0);
        expect(m.buffer.byteLength).toBe(m.byteLength);
      }
      expect((msgs as Uint8Array[]).map((m) => m.length)).toEqual([3, 200_000, 0]);
      expect(Buffer.from(msgs[1] as Uint8Array).equals(Buffer.from(big))).toBe(true);
    }
  });

  it('refuses a continuation with no message, and a new message inside a fragmented one', () => {
    expect(messages(serverFrame(Op.CONTINUATION, 'x')).error).toMatchObject({ code: 'WS_ERR_PROTOCOL', closeCode: 1002 });
    const r = messages(cat(serverFrame(Op.TEXT, 'a', { fin: false }), serverFrame(Op.TEXT, 'b')));
    expect(r.error).toMatchObject({ code: 'WS_ERR_PROTOCOL', closeCode: 1002 });
  });

  it('refuses a message over the limit at the frame header, before its payload (1009)', () => {
    expect(messages(serverFrame(Op.BINARY, new Uint8Array(100)), 100).error).toBeUndefined();
    // Only the header is sent: the limit is checked before any payload arrives.
    const header = serverFrame(Op.BINARY, new Uint8Array(101), {}).subarray(0, 2);
    expect(messages(header, 100).error).toMatchObject({ code: 'WS_ERR_TOO_BIG', closeCode: 1009 });
    // Across fragments.
    const frag = cat(serverFrame(Op.TEXT, 'a'.repeat(60), { fin: false }), serverFrame(Op.CONTINUATION, 'b'.repeat(41)));
    const r = messages(frag, 100);
    expect(r.error).toMatchObject({ code: 'WS_ERR_TOO_BIG' });
    // A 2^62-byte length is "too big", not a lost precision.
    expect(messages(Uint8Array.of(0x82, 127, 0x40, 0, 0, 0, 0, 0, 0, 0), 100).error).toMatchObject({ code: 'WS_ERR_TOO_BIG' });
  });

  it('decodes text split inside UTF-8 sequences, keeps a BOM, fails bad UTF-8 at once (1007)', () => {
    const s = '\ufeffhé€😀 end';
    const b = bytes(s);
    const wire = cat(serverFrame(Op.TEXT, b.subarray(0, 5), { fin: false }), serverFrame(Op.CONTINUATION, b.subarray(5, 9), { fin: false }), serverFrame(Op.CONTINUATION, b.subarray(9)));
    expect(messages(wire, 1 << 20, 1).msgs).toEqual([s]);
    // Invalid in the first fragment: fails before the message is complete.
    const early = messages(serverFrame(Op.TEXT, Uint8Array.of(0x61, 0xc0, 0xaf), { fin: false }));
    expect(early.error).toMatchObject({ code: 'WS_ERR_UTF8', closeCode: 1007 });
    // Truncated at the end of the message.
    expect(messages(serverFrame(Op.TEXT, Uint8Array.of(0x61, 0xe2, 0x82))).error).toMatchObject({ code: 'WS_ERR_UTF8', closeCode: 1007 });
    // Surrogates encoded in UTF-8 are invalid.
    expect(messages(serverFrame(Op.TEXT, Uint8Array.of(0xed, 0xa0, 0x80))).error).toMatchObject({ code: 'WS_ERR_UTF8' });
  });
});

describe('close frames', () => {
  it('decodes status and reason; no body is 1005', () => {
    expect(decodeClose(new Uint8Array(0))).toEqual({ code: 1005, reason: '' });
    expect(decodeClose(closeBody(1000))).toEqual({ code: 1000, reason: '' });
    expect(decodeClose(closeBody(4001, 'bye ✓'))).toEqual({ code: 4001, reason: 'bye ✓' });
  });

  it('refuses a one-byte body and codes that may not be sent (1002), a bad reason (1007)', () => {
    expect(() => decodeClose(Uint8Array.of(3))).toThrow(expect.objectContaining({ closeCode: 1002 }));
    for (const c of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
      expect(isValidCloseCode(c), String(c)).toBe(false);
      expect(() => decodeClose(closeBody(c)), String(c)).toThrow(expect.objectContaining({ code: 'WS_ERR_PROTOCOL', closeCode: 1002 }));
    }
    for (const c of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999]) expect(isValidCloseCode(c), String(c)).toBe(true);
    expect(() => decodeClose(cat(closeBody(1000), Uint8Array.of(0xff)))).toThrow(expect.objectContaining({ code: 'WS_ERR_UTF8', closeCode: 1007 }));
  });

  it('encodes an empty body, a code, a code and reason; refuses a reason over 123 bytes', () => {
    expect([...encodeClose()]).toEqual([]);
    expect([...encodeClose(1000)]).toEqual([3, 232]);
    expect([...encodeClose(3001, 'ok')]).toEqual([11, 185, 111, 107]);
    expect(encodeClose(1000, 'x'.repeat(123))).toHaveLength(125);
    expect(() => encodeClose(1000, 'x'.repeat(124))).toThrow(WsError);
  });
});
