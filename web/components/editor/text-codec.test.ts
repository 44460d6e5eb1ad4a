import { describe, expect, it } from 'vitest';
import { BINARY_PREVIEW_BYTES, decodeText, encodeText, firstLine } from './text-codec.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('decodeText', () => {
  it('decodes UTF-8 and round-trips through encodeText, keeping a BOM', () => {
    for (const s of ['café ✓\n', '\uFEFFbom\n', '', 'no newline']) {
      const d = decodeText(bytes(s));
      expect(d).toMatchObject({ text: s, binary: false });
      expect([...encodeText(d.text)]).toEqual([...bytes(s)]);
    }
  });

  it('edits with CRLF only when every line end is CRLF', () => {
    expect(decodeText(bytes('a\r\nb\r\n')).lineSeparator).toBe('\r\n');
    expect(decodeText(bytes('a\r\nb\n')).lineSeparator).toBe('\n');
    expect(decodeText(bytes('a\nb\n')).lineSeparator).toBe('\n');
    expect(decodeText(bytes('a\rb')).lineSeparator).toBe('\n');
  });

  it('calls invalid UTF-8 and NUL bytes binary', () => {
    expect(decodeText(new Uint8Array([0x63, 0xe9])).binary).toBe(true);
    expect(decodeText(new Uint8Array([0xc0, 0x80])).binary).toBe(true); // overlong NUL
    expect(decodeText(new Uint8Array([0x61, 0x00, 0x62])).binary).toBe(true);
    const big = new Uint8Array(BINARY_PREVIEW_BYTES + 10);
    const d = decodeText(big);
    expect(d).toMatchObject({ binary: true, truncated: true });
    expect(d.text.length).toBe(BINARY_PREVIEW_BYTES);
  });
});

describe('firstLine', () => {
  it('stops at LF or CRLF', () => {
    expect(firstLine('#!/bin/sh\r\necho')).toBe('#!/bin/sh');
    expect(firstLine('one')).toBe('one');
  });
});
