import { describe, expect, it } from 'vitest';
import { HttpParseError, ResponseParser, type ResponseHead } from './response-parser.js';

function parse(chunks: string[], head = false, end = true): { h: ResponseHead | null; body: string; done: boolean } {
  let h: ResponseHead | null = null;
  let body = '';
  let done = false;
  const p = new ResponseParser(head, (x) => { h = x; }, (b) => { body += new TextDecoder().decode(b); }, () => { done = true; });
  const enc = new TextEncoder();
  for (const c of chunks) p.feed(enc.encode(c));
  if (end) p.end();
  return { h, body, done };
}

/** Every split of `s` into two pieces must parse the same as the whole. */
function allSplits(s: string, head = false): void {
  const whole = parse([s], head);
  for (let i = 1; i < s.length; i++) expect(parse([s.slice(0, i), s.slice(i)], head)).toEqual(whole);
}

describe('ResponseParser', () => {
  it('parses a Content-Length response at every split point', () => {
    const s = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello';
    const r = parse([s]);
    expect(r.h).toEqual({ status: 200, statusText: 'OK', headers: [['Content-Type', 'text/plain'], ['Content-Length', '5'], ['X-A', 'b']] });
    expect(r.body).toBe('hello');
    expect(r.done).toBe(true);
    allSplits(s);
  });

  it('decodes chunked bodies with extensions and trailers, at every split point', () => {
    const s = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-T: 1\r\n\r\n';
    expect(parse([s]).body).toBe('hello world');
    allSplits(s);
    const bare = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    expect(parse([bare])).toMatchObject({ body: 'abc', done: true });
    allSplits(bare);
  });

  it('reads to the end of the connection without a length, and knows bodiless responses', () => {
    expect(parse(['HTTP/1.0 200 OK\r\n\r\nall', ' of it'])).toMatchObject({ body: 'all of it', done: true });
    expect(parse(['HTTP/1.1 204 No Content\r\n\r\n'], false, false).done).toBe(true);
    expect(parse(['HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'], false, false).done).toBe(true);
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'], true, false)).toMatchObject({ body: '', done: true });
  });

  it('skips interim responses', () => {
    const r = parse(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok']);
    expect(r.h?.status).toBe(201);
    expect(r.body).toBe('ok');
  });

  it('rejects malformed responses and truncation', () => {
    expect(() => parse(['SSH-2.0-x\r\n\r\n'])).toThrow(HttpParseError);
    expect(() => parse(['HTTP/1.1 200 OK\r\nbad header\r\n\r\n'])).toThrow(/bad header/);
    expect(() => parse(['HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n'])).toThrow(/Content-Length/);
    expect(() => parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'])).toThrow(/chunk size/);
    expect(() => parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'])).toThrow(/middle of the body/);
    expect(() => parse([''])).toThrow(/without a response/);
    expect(() => parse(['HTTP/1.1 200 OK\r\n' + 'X: y\r\n'.repeat(20000)], false, false)).toThrow(/too large/);
  });
});
