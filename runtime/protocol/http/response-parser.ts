// An incremental HTTP/1.1 response parser over a byte stream (no DOM or Node APIs): the service worker uses
// it to turn the bytes a server in the sandbox writes into a fetch Response whose body streams. RFC 9112:
// status line, header fields, and the body's length from Content-Length, chunked Transfer-Encoding, or the
// end of the connection; no body for 1xx, 204, 304 and responses to HEAD. Interim 1xx responses (100
// Continue, 103 Early Hints) are skipped. Anything malformed is an HttpParseError; the caller answers 502.

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Field lines in order, names as sent. */
  headers: Array<[string, string]>;
}

export class HttpParseError extends Error {
  override readonly name = 'HttpParseError';
  readonly code = 'HTTP_ERR_PARSE';
}

const MAX_HEAD = 64 * 1024;
const CR = 13, LF = 10;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'eof' | 'done';

export class ResponseParser {
  private state: State = 'head';
  private buf = new Uint8Array(0);
  private remaining = 0;

  /**
   * @param headRequest the request was HEAD (no body whatever the headers say)
   * @param onHead the final (non-1xx) response head
   * @param onBody a piece of the decoded body (chunked framing removed)
   * @param onDone the body is complete
   */
  constructor(
    private readonly headRequest: boolean,
    private readonly onHead: (h: ResponseHead) => void,
    private readonly onBody: (b: Uint8Array) => void,
    private readonly onDone: () => void,
  ) {}

  get done(): boolean { return this.state === 'done'; }

  /** Feed bytes from the connection; throws HttpParseError on malformed input. */
  feed(d: Uint8Array): void {
    let data = this.buf.length ? concat(this.buf, d) : d;
    this.buf = new Uint8Array(0);
    let o = 0;
    while (o < data.length && this.state !== 'done') {
      switch (this.state) {
        case 'head': case 'trailers': {
          if (this.state === 'trailers') {
            // An empty trailer section is a bare CRLF (possibly split across reads).
            if (data[o] === LF) { o++; this.finish(); break; }
            if (data[o] === CR) {
              if (o + 1 >= data.length) { this.buf = data.slice(o); return; }
              if (data[o + 1] === LF) { o += 2; this.finish(); break; }
            }
          }
          const end = findHeadEnd(data, o);
          if (end < 0) {
            if (data.length - o > MAX_HEAD) throw new HttpParseError('response head too large');
            this.buf = data.slice(o);
            return;
          }
          const text = latin1(data.subarray(o, end));
          o = end;
          if (this.state === 'trailers') { this.finish(); break; }
          this.head(text);
          break;
        }
        case 'length': {
          const n = Math.min(this.remaining, data.length - o);
          this.onBody(data.subarray(o, o + n));
          o += n;
          this.remaining -= n;
          if (this.remaining === 0) this.finish();
          break;
        }
        case 'chunk-size': {
          const nl = data.indexOf(LF, o);
          if (nl < 0) {
            if (data.length - o > 1024) throw new HttpParseError('chunk size line too long');
            this.buf = data.slice(o);
            return;
          }
          const line = latin1(data.subarray(o, nl)).replace(/\r$/, '');
          o = nl + 1;
          const m = /^([0-9a-fA-F]{1,12})(?:\s*;.*)?$/.exec(line);
          if (!m) throw new HttpParseError(`bad chunk size "${line.slice(0, 40)}"`);
          this.remaining = parseInt(m[1]!, 16);
          this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
          break;
        }
        case 'chunk-data': {
          const n = Math.min(this.remaining, data.length - o);
          this.onBody(data.subarray(o, o + n));
          o += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'chunk-crlf';
          break;
        }
        case 'chunk-crlf': {
          if (data[o] === CR) { if (o + 1 >= data.length) { this.buf = data.slice(o); return; } o++; }
          if (data[o] !== LF) throw new HttpParseError('missing CRLF after chunk data');
          o++;
          this.state = 'chunk-size';
          break;
        }
        case 'eof':
          this.onBody(data.subarray(o));
          o = data.length;
          break;
      }
    }
  }

  /** The connection ended: completes a body delimited by the end, else the response was cut short. */
  end(): void {
    if (this.state === 'done') return;
    if (this.state === 'eof') { this.finish(); return; }
    throw new HttpParseError(this.state === 'head' ? 'the server closed the connection without a response'
      : 'the server closed the connection in the middle of the body');
  }

  private head(text: string): void {
    const lines = text.split(/\r?\n/);
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (!m) throw new HttpParseError(`bad status line "${(lines[0] ?? '').slice(0, 60)}"`);
    const status = Number(m[1]);
    const headers: Array<[string, string]> = [];
    for (const l of lines.slice(1)) {
      if (l === '') continue;
      const c = l.indexOf(':');
      if (c <= 0 || /[\s]/.test(l.slice(0, c))) throw new HttpParseError(`bad header line "${l.slice(0, 60)}"`);
      headers.push([l.slice(0, c), l.slice(c + 1).trim()]);
    }
    if (status < 200) {
      if (status === 101) throw new HttpParseError('unexpected 101 Switching Protocols');
      return; // interim response: the final one follows
    }
    this.onHead({ status, statusText: m[2] ?? '', headers });
    const get = (n: string): string[] => headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
    if (this.headRequest || status === 204 || status === 304) { this.finish(); return; }
    const te = get('transfer-encoding').join(',').toLowerCase();
    if (te) {
      if (!/(^|,)\s*chunked\s*$/.test(te)) { this.state = 'eof'; return; }
      this.state = 'chunk-size';
      return;
    }
    const cl = get('content-length');
    if (cl.length > 0) {
      const values = new Set(cl.flatMap((v) => v.split(',').map((x) => x.trim())));
      const v = [...values][0]!;
      if (values.size !== 1 || !/^\d{1,15}$/.test(v)) throw new HttpParseError(`bad Content-Length "${cl.join(', ')}"`);
      this.remaining = Number(v);
      if (this.remaining === 0) this.finish(); else this.state = 'length';
      return;
    }
    this.state = 'eof';
  }

  private finish(): void {
    this.state = 'done';
    this.onDone();
  }
}

/** Index just past the blank line ending a head that starts at `from`, or -1. */
function findHeadEnd(d: Uint8Array, from: number): number {
  for (let i = from; i < d.length; i++) {
    if (d[i] !== LF) continue;
    if (d[i + 1] === LF) return i + 2;
    if (d[i + 1] === CR && d[i + 2] === LF) return i + 3;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Bytes as ISO-8859-1 text (each byte one code unit), as HTTP field values are read. */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}
