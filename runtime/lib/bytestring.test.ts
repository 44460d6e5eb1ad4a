import { describe, expect, it } from 'vitest';
import { byteLength, decodeBytes, encodeBytes } from './bytestring.js';

describe('byte strings', () => {
  it('decodes valid UTF-8 as usual, BOM included', () => {
    const b = new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
    expect(decodeBytes(b)).toBe('\uFEFFaé😀');
    expect([...encodeBytes('\uFEFFaé😀')]).toEqual([...b]);
  });
  it('round-trips any bytes', () => {
    const cases = [[0x80], [0xff, 0xfe], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xc0, 0xaf],
      [0xe0, 0x80, 0x22], [0xf4, 0x90, 0x80, 0x80], [0x61, 0xe4, 0xb8], [0xed, 0xb2, 0x80, 0xf0, 0x90, 0x82, 0x80]];
    for (const c of cases) {
      const b = new Uint8Array(c);
      const s = decodeBytes(b);
      expect([...encodeBytes(s)]).toEqual(c);
      expect(byteLength(s)).toBe(c.length);
    }
    const all = new Uint8Array(4096);
    for (let i = 0; i < all.length; i++) all[i] = (i * 7919 + (i >> 3)) & 0xff;
    expect([...encodeBytes(decodeBytes(all))]).toEqual([...all]);
  });
  it('escapes each byte of an invalid sequence on its own', () => {
    expect(decodeBytes(new Uint8Array([0x61, 0xf8, 0x88, 0x62]))).toBe('a\uDCF8\uDC88b');
  });
});
