import { describe, expect, it } from 'vitest';
import { WsError } from './errors.js';
import { HeadReader, MAX_RESPONSE_HEAD, acceptFor, base64, checkRequest, encodeRequest, makeKey, parseResponseHead, validateResponse } from './handshake.js';
import { acceptOf, bytes } from './testing.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

function response(lines: string[]): ReturnType<typeof parseResponseHead> {
  return parseResponseHead(bytes(lines.join('\r\n') + '\r\n\r\n'));
}

const GOOD = (accept: string): string[] => ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`];

describe('opening handshake', () => {
  it('base64 matches Node for every length mod 3', () => {
    for (let n = 0; n < 40; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n) & 255);
      expect(base64(b)).toBe(Buffer.from(b).toString('base64'));
    }
  });

  it('keys are 16 random bytes, different each time', () => {
    const k = makeKey();
    expect(Buffer.from(k, 'base64')).toHaveLength(16);
    expect(makeKey()).not.toBe(k);
  });

  it('computes Sec-WebSocket-Accept with SHA-1 (the RFC 6455 example, and against node:crypto)', async () => {
    expect(await acceptFor('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const k = makeKey();
    expect(await acceptFor(k)).toBe(acceptOf(k));
  });

  it('writes the Upgrade request with the optional fields', () => {
    const req = { host: 'localhost:8080', path: '/ws?x=1', origin: 'https://ide.example', protocols: ['chat', 'v2.chat'], headers: [['Cookie', 'a=1; b=2']] as [string, string][] };
    checkRequest(req);
    expect(text(encodeRequest(req, 'KEY=='))).toBe(
      'GET /ws?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: KEY==\r\n' +
      'Sec-WebSocket-Version: 13\r\nOrigin: https://ide.example\r\nSec-WebSocket-Protocol: chat, v2.chat\r\nCookie: a=1; b=2\r\n\r\n');
    const bare = text(encodeRequest({ host: 'h', path: '/' }, 'K'));
    expect(bare).not.toMatch(/Origin|Protocol|Extensions/);
  });

  it('refuses requests that would corrupt the head or override the handshake', () => {
    const bad = [
      { host: 'h', path: '/a b' },
      { host: 'h', path: 'ws' },
      { host: 'h\r\nX: y', path: '/' },
      { host: 'h', path: '/', protocols: ['a b'] },
      { host: 'h', path: '/', protocols: ['a', 'a'] },
      { host: 'h', path: '/', protocols: [''] },
      { host: 'h', path: '/', headers: [['Cookie', 'x\r\nEvil: 1']] as [string, string][] },
      { host: 'h', path: '/', headers: [['Bad Name', 'x']] as [string, string][] },
      { host: 'h', path: '/', headers: [['sec-websocket-extensions', 'permessage-deflate']] as [string, string][] },
      { host: 'h', path: '/', headers: [['Host', 'other']] as [string, string][] },
    ];
    for (const r of bad) expect(() => checkRequest(r), JSON.stringify(r)).toThrow(expect.objectContaining({ code: 'WS_ERR_ARG' }));
  });

  it('finds the end of the head at any split, keeping the bytes after it', () => {
    const whole = new Uint8Array(Buffer.from('HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\n\x81\x02hi', 'latin1'));
    for (let cut = 0; cut <= whole.length; cut++) {
      const r = new HeadReader();
      const first = r.push(whole.subarray(0, cut));
      const got = first ?? r.push(whole.subarray(cut));
      expect(got, `cut ${cut}`).not.toBeNull();
      expect(text(got!.head)).toBe('HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\n');
      // Bytes after the head: from the chunk that completed it (and none lost if it was the first).
      const rest = first ? new Uint8Array([...first.rest, ...whole.subarray(cut)]) : got!.rest;
      expect([...rest]).toEqual([0x81, 2, 0x68, 0x69]);
    }
    // Byte by byte.
    const r = new HeadReader();
    let out = null;
    for (const b of whole) out ??= r.push(Uint8Array.of(b));
    expect(out && text(out.head)).toContain('Upgrade');
  });

  it('accepts bare LF line ends, refuses an endless head', () => {
    const r = new HeadReader().push(bytes('HTTP/1.1 101 X\nUpgrade: websocket\n\nrest'));
    expect(text(r!.rest)).toBe('rest');
    expect(parseResponseHead(r!.head).headers).toEqual([['upgrade', 'websocket']]);
    const h = new HeadReader();
    expect(() => { for (let i = 0; i < 20; i++) h.push(bytes('X-Long: ' + 'a'.repeat(MAX_RESPONSE_HEAD / 16) + '\r\n')); }).toThrow(WsError);
  });

  it('parses the status line and fields; refuses what is not HTTP', () => {
    const h = response(['HTTP/1.1 101 Switching Protocols', 'Upgrade:websocket', 'X-A:  spaced  ']);
    expect(h.status).toBe(101);
    expect(h.statusText).toBe('Switching Protocols');
    expect(h.headers).toEqual([['upgrade', 'websocket'], ['x-a', 'spaced']]);
    for (const bad of [['SSH-2.0-OpenSSH'], ['HTTP/1.1 101 OK', 'no colon'], ['HTTP/1.1 101 OK', ' folded: x'], ['HTTP/2 101']]) {
      expect(() => response(bad)).toThrow(expect.objectContaining({ code: 'WS_ERR_HANDSHAKE' }));
    }
  });

  it('accepts a valid 101, tolerant of case and list syntax', () => {
    expect(validateResponse(response(GOOD('A=')), 'A=')).toEqual({ protocol: '', extensions: '' });
    expect(validateResponse(response(['HTTP/1.1 101 x', 'UPGRADE: WebSocket', 'connection: keep-alive, upgrade', 'sec-websocket-accept: A=']), 'A=').protocol).toBe('');
    expect(validateResponse(response([...GOOD('A='), 'Sec-WebSocket-Protocol: v2']), 'A=', ['v1', 'v2']).protocol).toBe('v2');
  });

  it('refuses every other answer', () => {
    const cases: Array<[string[], string[]]> = [
      [['HTTP/1.1 200 OK', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Accept: A='], []],
      [['HTTP/1.1 302 Found', 'Location: /elsewhere'], []],
      [['HTTP/1.1 101 x', 'Connection: Upgrade', 'Sec-WebSocket-Accept: A='], []],
      [['HTTP/1.1 101 x', 'Upgrade: h2c', 'Connection: Upgrade', 'Sec-WebSocket-Accept: A='], []],
      [['HTTP/1.1 101 x', 'Upgrade: websocket', 'Connection: keep-alive', 'Sec-WebSocket-Accept: A='], []],
      [['HTTP/1.1 101 x', 'Upgrade: websocket', 'Connection: Upgrade'], []],
      [[...GOOD('B=')], []],
      [[...GOOD('A='), 'Sec-WebSocket-Accept: A='], []],
      [[...GOOD('A='), 'Sec-WebSocket-Extensions: permessage-deflate'], []],
      [[...GOOD('A='), 'Sec-WebSocket-Protocol: chat'], []],
      [[...GOOD('A='), 'Sec-WebSocket-Protocol: chat'], ['v1']],
      [[...GOOD('A=')], ['v1']],
      [[...GOOD('A='), 'Sec-WebSocket-Protocol: v1, v2'], ['v1', 'v2']],
    ];
    for (const [lines, offered] of cases) {
      expect(() => validateResponse(response(lines), 'A=', offered), lines.join(' | ')).toThrow(expect.objectContaining({ code: 'WS_ERR_HANDSHAKE' }));
    }
  });
});
