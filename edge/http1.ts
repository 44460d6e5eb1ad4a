// Just enough HTTP/1.1 for a raw-bytes proxy: parse a request head (to route by Host and to set the
// X-Forwarded-* headers afresh), and find where each message body ends (Content-Length or chunked), so that
// every request on a keep-alive connection gets its head rewritten while bodies pass through untouched.
// Responses are only observed (status codes for /metrics). Corresponds to RFC 9112 sections 2-7.
import { EdgeError } from './errors.js';

export interface Header { name: string; value: string }

export interface RequestHead {
  method: string;
  target: string;
  version: string;
  headers: Header[];
  host: string | null;
  /** Body framing: none, a byte count, or chunked. */
  body: { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' };
  /** Upgrade (WebSocket) or CONNECT: after this request the connection is raw bytes both ways. */
  upgrade: boolean;
}

export interface ResponseHead { status: number; headers: Header[]; chunked: boolean; length: number | null }

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Index just past the blank line ending a head (CRLF CRLF, or bare LFs), or -1. */
export function findHeadEnd(b: Uint8Array, from = 0): number {
  for (let i = Math.max(0, from); i < b.length; i++) {
    if (b[i] !== 10) continue;
    if (b[i + 1] === 10) return i + 2;
    if (b[i + 1] === 13 && b[i + 2] === 10) return i + 3;
  }
  return -1;
}

function lines(head: Uint8Array): string[] {
  // latin1: header bytes map 1:1 to chars, so byte counts survive a round trip.
  const s = Buffer.from(head.buffer, head.byteOffset, head.length).toString('latin1');
  return s.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l, i, a) => i < a.length - 2 || l !== '');
}

function parseHeaders(ls: string[]): Header[] {
  const out: Header[] = [];
  for (const l of ls) {
    if (l === '') continue;
    if (l[0] === ' ' || l[0] === '\t') throw new EdgeError('EDGE_ERR_BAD_REQUEST', 'obsolete header folding');
    const c = l.indexOf(':');
    if (c <= 0 || !TOKEN.test(l.slice(0, c))) throw new EdgeError('EDGE_ERR_BAD_REQUEST', 'malformed header line');
    out.push({ name: l.slice(0, c), value: l.slice(c + 1).trim() });
  }
  return out;
}

const values = (hs: Header[], name: string): string[] => hs.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);
const tokens = (hs: Header[], name: string): string[] => values(hs, name).flatMap((v) => v.split(',')).map((t) => t.trim().toLowerCase()).filter(Boolean);

/** Parse a complete request head (through the blank line). Throws EdgeError(EDGE_ERR_BAD_REQUEST). */
export function parseRequestHead(head: Uint8Array): RequestHead {
  const ls = lines(head);
  const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/(1\.[01])$/.exec(ls[0] ?? '');
  if (!m) throw new EdgeError('EDGE_ERR_BAD_REQUEST', 'malformed request line');
  const headers = parseHeaders(ls.slice(1));
  const hosts = values(headers, 'host');
  if (hosts.length > 1) throw new EdgeError('EDGE_ERR_BAD_REQUEST', 'more than one Host header');
  if (m[3] === '1.1' && hosts.length === 0) throw new EdgeError('EDGE_ERR_BAD_REQUEST', 'missing Host header');
  const te = tokens(headers, 'transfer-encoding');
  const cl = values(headers, 'content-length');
  let body: RequestHead['body'] = { kind: 'none' };
  if (te.length > 0) {
    // A request with both, or with a coding other than a final chunked, is a smuggling risk: refuse it.
    if (cl.length > 0 || te[te.length - 1] !== 'chunked') throw new EdgeError('EDGE_ERR_BAD_REQUEST', 'unsupported Transfer-Encoding');
    body = { kind: 'chunked' };
  } else if (cl.length > 0) {
    const all = cl.flatMap((v) => v.split(',')).map((v) => v.trim());
    if (!all.every((v) => /^\d{1,15}$/.test(v)) || new Set(all).size !== 1) throw new EdgeError('EDGE_ERR_BAD_REQUEST', 'bad Content-Length');
    const n = Number(all[0]);
    if (n > 0) body = { kind: 'length', length: n };
  }
  const upgrade = m[1] === 'CONNECT' || (values(headers, 'upgrade').length > 0 && tokens(headers, 'connection').includes('upgrade'));
  return { method: m[1]!, target: m[2]!, version: m[3]!, headers, host: hosts[0]?.toLowerCase() ?? null, body, upgrade };
}

const DROP = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip', 'forwarded']);

/**
 * The head as the sandbox server sees it: client-sent forwarding headers dropped and set afresh. With
 * `trusted` (the edge sits behind a TLS terminator that sets them), the incoming X-Forwarded-For chain and
 * X-Forwarded-Proto are kept and extended instead.
 */
export function rewriteHead(h: RequestHead, fwd: { remote: string; proto: string; trusted?: boolean }): Uint8Array {
  let chain = fwd.remote, proto = fwd.proto;
  if (fwd.trusted) {
    const prior = values(h.headers, 'x-forwarded-for').join(', ');
    if (prior) chain = `${prior}, ${fwd.remote}`;
    proto = values(h.headers, 'x-forwarded-proto')[0] ?? proto;
  }
  let s = `${h.method} ${h.target} HTTP/${h.version}\r\n`;
  for (const { name, value } of h.headers) if (!DROP.has(name.toLowerCase())) s += `${name}: ${value}\r\n`;
  s += `X-Forwarded-For: ${chain}\r\nX-Forwarded-Proto: ${proto}\r\n`;
  if (h.host) s += `X-Forwarded-Host: ${h.host}\r\n`;
  s += '\r\n';
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export function parseResponseHead(head: Uint8Array): ResponseHead | null {
  const ls = lines(head);
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(ls[0] ?? '');
  if (!m) return null;
  let headers: Header[];
  try { headers = parseHeaders(ls.slice(1)); } catch { return null; }
  const te = tokens(headers, 'transfer-encoding');
  const cl = values(headers, 'content-length')[0];
  const length = cl !== undefined && /^\d{1,15}$/.test(cl.trim()) ? Number(cl.trim()) : null;
  return { status: Number(m[1]), headers, chunked: te.at(-1) === 'chunked', length };
}

const enum C { SIZE, EXT, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER, TRAILER_LF, END_LF }

/**
 * Finds the end of a chunked body without copying it. consume() returns how many of the given bytes belong
 * to the body (all of them until the end), -1 for malformed framing.
 */
export class ChunkedScanner {
  private state = C.SIZE;
  private size = 0;
  private digits = 0;
  private left = 0;
  done = false;

  consume(b: Uint8Array, from = 0): number {
    let i = from;
    while (i < b.length && !this.done) {
      const c = b[i]!;
      switch (this.state) {
        case C.SIZE: {
          const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
          if (v >= 0) {
            if (++this.digits > 15) return -1;
            this.size = this.size * 16 + v;
          } else if (this.digits === 0) return -1;
          else if (c === 59 || c === 32 || c === 9) this.state = C.EXT;
          else if (c === 13) this.state = C.SIZE_LF;
          else if (c === 10) this.endSizeLine();
          else return -1;
          i++;
          break;
        }
        case C.EXT:
          if (c === 10) this.endSizeLine();
          i++;
          break;
        case C.SIZE_LF:
          if (c !== 10) return -1;
          this.endSizeLine();
          i++;
          break;
        case C.DATA: {
          const n = Math.min(this.left, b.length - i);
          this.left -= n;
          i += n;
          if (this.left === 0) this.state = C.DATA_CR;
          break;
        }
        case C.DATA_CR:
          if (c === 13) this.state = C.DATA_LF;
          else if (c === 10) this.state = C.SIZE;
          else return -1;
          i++;
          break;
        case C.DATA_LF:
          if (c !== 10) return -1;
          this.state = C.SIZE;
          i++;
          break;
        case C.TRAILER_START:
          if (c === 13) this.state = C.END_LF;
          else if (c === 10) this.done = true;
          else this.state = C.TRAILER;
          i++;
          break;
        case C.TRAILER:
          if (c === 10) this.state = C.TRAILER_START;
          i++;
          break;
        case C.END_LF:
          if (c !== 10) return -1;
          this.done = true;
          i++;
          break;
        default:
          i++;
      }
    }
    return i - from;
  }

  private endSizeLine(): void {
    if (this.size === 0) this.state = C.TRAILER_START;
    else { this.left = this.size; this.state = C.DATA; }
    this.size = 0;
    this.digits = 0;
  }
}

/** Body framing state of one message: how many more bytes belong to it. */
export class BodyFramer {
  private left: number;
  private readonly chunked: ChunkedScanner | null;
  constructor(kind: 'none' | 'length' | 'chunked' | 'close', length = 0) {
    this.left = kind === 'length' ? length : kind === 'close' ? Infinity : 0;
    this.chunked = kind === 'chunked' ? new ChunkedScanner() : null;
  }
  get done(): boolean { return this.chunked ? this.chunked.done : this.left === 0; }
  /** Bytes of b (from `from`) that belong to this body; -1 for malformed chunked framing. */
  consume(b: Uint8Array, from = 0): number {
    if (this.chunked) return this.chunked.consume(b, from);
    const n = Math.min(this.left, b.length - from);
    this.left -= n;
    return n;
  }
}
