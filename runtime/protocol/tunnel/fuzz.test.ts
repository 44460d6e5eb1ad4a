// Fuzz test of the tunnel decoder and session: random and mutated frame streams, a bounded number of cases
// from fixed seeds (reproducible). The session must never throw, must end only with a known go-away code,
// and must itself only ever send well-formed frames.
import { describe, expect, it } from 'vitest';
import { Flag, FrameDecoder, FrameType, GoAway, encodeFrame } from './frame.js';
import { rawPeer } from './testing.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GOAWAY_CODES = new Set<number>(Object.values(GoAway));
const enc = new TextEncoder();

function validSequence(r: () => number): Uint8Array[] {
  const int = (n: number): number => Math.floor(r() * n);
  const out: Uint8Array[] = [];
  let next = 1;
  const open: number[] = [];
  for (let i = 0, n = 1 + int(20); i < n; i++) {
    const id = open.length ? open[int(open.length)]! : 1;
    switch (int(8)) {
      case 0: out.push(encodeFrame(FrameType.CONTROL, Flag.SYN, next, 0, enc.encode(JSON.stringify({ point: 'unix:/tmp/server.sock' })))); open.push(next); next += 2; break;
      case 1: case 2: out.push(encodeFrame(FrameType.DATA, 0, id, 0, new Uint8Array(int(3000)).fill(int(256)))); break;
      case 3: out.push(encodeFrame(FrameType.WINDOW_UPDATE, 0, id, int(1 << 20))); break;
      case 4: out.push(encodeFrame(FrameType.PING, r() < 0.5 ? Flag.SYN : Flag.ACK, 0, int(1e9))); break;
      case 5: out.push(encodeFrame(FrameType.CONTROL, 0, 0, 0, enc.encode(JSON.stringify({ type: 'add', point: { id: 'tcp:80' } })))); break;
      case 6: out.push(encodeFrame(FrameType.DATA, Flag.FIN, id, 0)); break;
      case 7: out.push(encodeFrame(FrameType.WINDOW_UPDATE, Flag.RST, id, int(8))); break;
    }
  }
  return out;
}

function mutate(r: () => number, parts: Uint8Array[]): Uint8Array {
  const int = (n: number): number => Math.floor(r() * n);
  let b = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { b.set(p, o); o += p.length; }
  for (let m = 0, k = int(4); m < k && b.length > 0; m++) {
    switch (int(5)) {
      case 0: b[int(b.length)] = int(256); break;                                       // byte flip
      case 1: b = b.subarray(0, int(b.length)); break;                                  // truncate
      case 2: { const at = int(b.length); const junk = Uint8Array.from({ length: int(16) }, () => int(256)); b = new Uint8Array([...b.subarray(0, at), ...junk, ...b.subarray(at)]); break; }
      case 3: { const at = int(b.length); b = new Uint8Array([...b.subarray(0, at), ...b.subarray(int(b.length))]); break; } // splice a repeat
      case 4: { if (b.length < 4) break; const at = int(b.length - 3); new DataView(b.buffer, b.byteOffset).setUint32(at, int(2 ** 32)); break; } // random 32-bit field
    }
  }
  return b;
}

function feed(r: () => number, input: Uint8Array): void {
  let closedWith: number | null = null;
  const p = rawPeer({
    side: 'server', maxStreams: 8,
    onStream: (s) => { s.ondata = (d) => { s.write(d); }; s.onend = () => s.end(); if (r() < 0.2) s.pause(); },
    onClose: (c) => { closedWith = c; },
  });
  let o = 0;
  while (o < input.length) {
    const n = 1 + Math.floor(r() * 600);
    p.session.receive(input.subarray(o, o + n));        // must not throw
    o += n;
  }
  if (closedWith !== null) expect(GOAWAY_CODES.has(closedWith)).toBe(true);
  expect(p.session.streams.size).toBeLessThanOrEqual(8);
  // Whatever the session sent in reply is well-formed.
  const d = new FrameDecoder(1 << 20);
  for (const s of p.sent) expect(d.push(s).error).toBeNull();
}

describe('tunnel fuzz', () => {
  it('the decoder survives 3,000 random byte strings', () => {
    const r = rng(1);
    for (let i = 0; i < 3000; i++) {
      const d = new FrameDecoder(4096);
      const junk = Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256));
      if (r() < 0.5) junk[0] = 1;                        // often a valid version byte, to get past the first check
      const { frames } = d.push(junk);
      for (const f of frames) {
        if (f.type === FrameType.DATA || f.type === FrameType.CONTROL) expect(f.payload.length).toBe(f.length);
        expect(f.payload.length).toBeLessThanOrEqual(65536);
      }
    }
  });

  it('the session survives 2,000 mutated frame sequences and 1,000 random ones', () => {
    const r = rng(2);
    for (let i = 0; i < 2000; i++) feed(r, mutate(r, validSequence(r)));
    for (let i = 0; i < 1000; i++) {
      const junk = Uint8Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256));
      if (junk.length > 1) { junk[0] = 1; junk[1] = Math.floor(r() * 5); }
      feed(r, junk);
    }
  });

  it('unmutated sequences never end the session with a framing error', () => {
    const r = rng(3);
    for (let i = 0; i < 500; i++) {
      let code: number | null = null;
      const p = rawPeer({ side: 'server', onStream: () => {}, onClose: (c) => { code = c; } });
      for (const f of validSequence(r)) p.session.receive(f);
      expect(code === null || code !== GoAway.FRAME_TOO_LARGE).toBe(true);
    }
  });
});
