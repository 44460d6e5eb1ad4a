import { describe, expect, it } from 'vitest';
import { Flag, FrameDecoder, FrameType, GoAway, HEADER_SIZE, encodeFrame } from './frame.js';

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('tunnel frames', () => {
  it('encodes the 12-byte header big-endian', () => {
    const f = encodeFrame(FrameType.DATA, Flag.SYN | Flag.FIN, 0x01020304, 0, bytes(3));
    expect([...f.subarray(0, HEADER_SIZE)]).toEqual([1, 0, 0, 5, 1, 2, 3, 4, 0, 0, 0, 3]);
    expect(f.length).toBe(15);
    const w = encodeFrame(FrameType.WINDOW_UPDATE, 0, 7, 0x10000);
    expect([...w]).toEqual([1, 1, 0, 0, 0, 0, 0, 7, 0, 1, 0, 0]);
  });

  it('decodes frames split at every byte boundary', () => {
    const stream = new Uint8Array([
      ...encodeFrame(FrameType.CONTROL, 0, 0, 0, new TextEncoder().encode('{"type":"hello"}')),
      ...encodeFrame(FrameType.DATA, 0, 3, 0, bytes(100)),
      ...encodeFrame(FrameType.PING, Flag.SYN, 0, 42),
      ...encodeFrame(FrameType.DATA, Flag.FIN, 3, 0),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const a = d.push(stream.subarray(0, cut)), b = d.push(stream.subarray(cut));
      const frames = [...a.frames, ...b.frames];
      expect(b.error).toBeNull();
      expect(frames.map((f) => [f.type, f.flags, f.streamId, f.length])).toEqual([[4, 0, 0, 16], [0, 0, 3, 100], [2, 1, 0, 42], [0, 4, 3, 0]]);
      expect([...frames[1]!.payload]).toEqual([...bytes(100)]);
    }
  });

  it('decodes byte by byte', () => {
    const stream = encodeFrame(FrameType.DATA, 0, 1, 0, bytes(1000));
    const d = new FrameDecoder();
    const got = [];
    for (const b of stream) got.push(...d.push(Uint8Array.of(b)).frames);
    expect(got).toHaveLength(1);
    expect(got[0]!.payload.length).toBe(1000);
  });

  const bad: [string, Uint8Array, number][] = [
    ['version 2', Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0), GoAway.PROTOCOL_ERROR],
    ['type 9', Uint8Array.of(1, 9, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0), GoAway.PROTOCOL_ERROR],
    ['unknown flag', Uint8Array.of(1, 0, 0, 0x10, 0, 0, 0, 1, 0, 0, 0, 0), GoAway.PROTOCOL_ERROR],
    ['DATA on stream 0', Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), GoAway.PROTOCOL_ERROR],
    ['WINDOW_UPDATE on stream 0', Uint8Array.of(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), GoAway.PROTOCOL_ERROR],
    ['PING on stream 5', Uint8Array.of(1, 2, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0), GoAway.PROTOCOL_ERROR],
    ['GO_AWAY on stream 5', Uint8Array.of(1, 3, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0), GoAway.PROTOCOL_ERROR],
    ['flags on session control', Uint8Array.of(1, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), GoAway.PROTOCOL_ERROR],
    ['4 GiB DATA', Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff), GoAway.FRAME_TOO_LARGE],
    ['oversized CONTROL', Uint8Array.of(1, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1), GoAway.FRAME_TOO_LARGE],
  ];
  for (const [name, frame, code] of bad) {
    it(`rejects ${name} with go-away code ${code} and stays failed`, () => {
      const d = new FrameDecoder();
      const good = encodeFrame(FrameType.PING, 0, 0, 1);
      const r = d.push(new Uint8Array([...good, ...frame, ...good]));
      expect(r.frames).toHaveLength(1);
      expect(r.error?.code).toBe(code);
      expect(d.push(good).frames).toHaveLength(0);
    });
  }

  it('does not wait for a payload before rejecting an oversized header', () => {
    const d = new FrameDecoder(1024);
    expect(d.push(encodeFrame(FrameType.DATA, 0, 1, 0, bytes(1025)).subarray(0, HEADER_SIZE)).error?.code).toBe(GoAway.FRAME_TOO_LARGE);
  });
});
