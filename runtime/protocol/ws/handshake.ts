// The client's opening handshake (RFC 6455 section 4.1, as amended by the WHATWG WebSockets standard): the
// HTTP/1.1 Upgrade request, and the checks on the server's answer. No extensions are offered (so none may
// be accepted); a subprotocol is accepted only if it was offered, and when some were offered the server
// must select one (WHATWG; RFC 6455 alone would let it stay silent). Redirects are failures.
//
// The head reader splits the server's bytes at the end of the response head: whatever follows arrived in
// the same read as the 101 and is already WebSocket frames, to be handed to the frame reader, not dropped.
import { WsError } from './errors.js';
import { platform, utf8Encoder } from './platform.js';

export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A response head larger than this is refused (no WebSocket server sends one). */
export const MAX_RESPONSE_HEAD = 64 * 1024;

export interface HandshakeRequest {
  /** Host header: host[:port], as in URL.host (the port only when not the scheme's default). */
  host: string;
  /** The request target: the URL's path and query, e.g. "/ws?room=1". */
  path: string;
  /** Origin header (a browser always sends one; the shim passes the previewed page's origin). */
  origin?: string;
  /** Subprotocols offered, most preferred first (tokens, no duplicates). */
  protocols?: readonly string[];
  /** Further header fields, e.g. Cookie. The ones the handshake itself sets may not be given. */
  headers?: ReadonlyArray<readonly [string, string]>;
}

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Field lines in order; names lower-cased, values trimmed. */
  headers: Array<[string, string]>;
}

export interface Negotiated {
  /** The subprotocol the server selected, or "" if none were offered. */
  protocol: string;
  /** Always "": no extension is offered. */
  extensions: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Header fields the handshake writes itself; callers may not set them through `headers`. */
const RESERVED = new Set([
  'host', 'upgrade', 'connection', 'origin', 'content-length', 'transfer-encoding', 'sec-websocket-key',
  'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'sec-websocket-accept',
]);

/** True for an RFC 9110 token, the syntax of subprotocol names and header field names. */
export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + (i + 2 < b.length ? B64[n & 63]! : '=');
  }
  return s;
}

/** A fresh Sec-WebSocket-Key: 16 random bytes, base64. */
export function makeKey(): string {
  return base64(platform.crypto.getRandomValues(new Uint8Array(16)));
}

/** The Sec-WebSocket-Accept a server must answer `key` with: base64(SHA-1(key + GUID)). */
export async function acceptFor(key: string): Promise<string> {
  const subtle = platform.crypto.subtle;
  if (!subtle) throw new WsError('WS_ERR_CONNECT', 'crypto.subtle is unavailable (not a secure context)');
  return base64(new Uint8Array(await subtle.digest('SHA-1', utf8Encoder.encode(key + WS_GUID))));
}

/** Check a request's fields; throws WsError('WS_ERR_ARG') for anything that would corrupt the head. */
export function checkRequest(req: HandshakeRequest): void {
  const visible = /^[\x21-\x7e]+$/;
  if (!visible.test(req.host)) throw new WsError('WS_ERR_ARG', `invalid host ${JSON.stringify(req.host)}`);
  if (!req.path.startsWith('/') || !visible.test(req.path)) throw new WsError('WS_ERR_ARG', `invalid request target ${JSON.stringify(req.path)}`);
  if (req.origin !== undefined && !/^[\x20-\x7e]*$/.test(req.origin)) throw new WsError('WS_ERR_ARG', 'invalid origin');
  const seen = new Set<string>();
  for (const p of req.protocols ?? []) {
    if (!isToken(p)) throw new WsError('WS_ERR_ARG', `invalid subprotocol ${JSON.stringify(p)}`);
    if (seen.has(p)) throw new WsError('WS_ERR_ARG', `subprotocol ${p} offered twice`);
    seen.add(p);
  }
  for (const [name, value] of req.headers ?? []) {
    if (!isToken(name)) throw new WsError('WS_ERR_ARG', `invalid header name ${JSON.stringify(name)}`);
    if (RESERVED.has(name.toLowerCase())) throw new WsError('WS_ERR_ARG', `header ${name} is set by the handshake`);
    if (/[\r\n\0]/.test(value)) throw new WsError('WS_ERR_ARG', `invalid value for header ${name}`);
  }
}

/** The Upgrade request for `req` with `key`, as bytes (header values UTF-8). Call checkRequest first. */
export function encodeRequest(req: HandshakeRequest, key: string): Uint8Array {
  const lines = [
    `GET ${req.path} HTTP/1.1`,
    `Host: ${req.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (req.origin !== undefined) lines.push(`Origin: ${req.origin}`);
  if (req.protocols && req.protocols.length > 0) lines.push(`Sec-WebSocket-Protocol: ${req.protocols.join(', ')}`);
  for (const [name, value] of req.headers ?? []) lines.push(`${name}: ${value.trim()}`);
  return utf8Encoder.encode(lines.join('\r\n') + '\r\n\r\n');
}

const CR = 13, LF = 10;

/**
 * Collects the server's bytes until the end of the response head (an empty line; CRLF, or bare LF as RFC
 * 9112 lets recipients accept). push() returns the head and the bytes after it once the head is complete.
 */
export class HeadReader {
  private buf = new Uint8Array(0);
  private scanned = 0;

  push(chunk: Uint8Array): { head: Uint8Array; rest: Uint8Array } | null {
    const b = new Uint8Array(this.buf.length + chunk.length);
    b.set(this.buf);
    b.set(chunk, this.buf.length);
    this.buf = b;
    for (let i = this.scanned; i < b.length; i++) {
      if (b[i] !== LF) continue;
      let end = -1;
      if (b[i + 1] === LF) end = i + 2;
      else if (b[i + 1] === CR && b[i + 2] === LF) end = i + 3;
      else if (i + 2 >= b.length) { this.scanned = i; return this.tooBig(); }
      if (end > 0) return { head: b.subarray(0, end), rest: b.subarray(end) };
    }
    this.scanned = b.length;
    return this.tooBig();
  }

  private tooBig(): null {
    if (this.buf.length > MAX_RESPONSE_HEAD) throw new WsError('WS_ERR_HANDSHAKE', 'response head too large');
    return null;
  }
}

/** Parse a complete response head (as returned by HeadReader). Throws WsError('WS_ERR_HANDSHAKE'). */
export function parseResponseHead(head: Uint8Array): ResponseHead {
  let text = '';
  for (let i = 0; i < head.length; i += 8192) text += String.fromCharCode(...head.subarray(i, i + 8192));
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) throw new WsError('WS_ERR_HANDSHAKE', `not an HTTP/1.1 response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    if (colon <= 0 || !isToken(name)) throw new WsError('WS_ERR_HANDSHAKE', `malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    headers.push([name.toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { status: Number(m[1]), statusText: m[2] ?? '', headers };
}

/** All values of a header field, combined and split at commas (the field's list syntax). */
function listValues(head: ResponseHead, name: string): string[] {
  const values: string[] = [];
  for (const [n, v] of head.headers) {
    if (n !== name) continue;
    for (const part of v.split(',')) {
      const t = part.trim();
      if (t !== '') values.push(t);
    }
  }
  return values;
}

/**
 * Check the server's answer against the request (RFC 6455 4.1, client steps 1-6 for the response; WHATWG
 * for the subprotocol). Returns what was negotiated; throws WsError('WS_ERR_HANDSHAKE').
 */
export function validateResponse(head: ResponseHead, accept: string, offered: readonly string[] = []): Negotiated {
  const fail = (why: string): never => { throw new WsError('WS_ERR_HANDSHAKE', why); };
  if (head.status !== 101) fail(`the server answered ${head.status} ${head.statusText}`.trim());
  const upgrade = head.headers.filter(([n]) => n === 'upgrade').map(([, v]) => v);
  if (upgrade.length !== 1 || upgrade[0]!.toLowerCase() !== 'websocket') fail('Upgrade is not "websocket"');
  if (!listValues(head, 'connection').some((t) => t.toLowerCase() === 'upgrade')) fail('Connection has no "upgrade"');
  const accepts = head.headers.filter(([n]) => n === 'sec-websocket-accept');
  if (accepts.length !== 1 || accepts[0]![1] !== accept) fail('Sec-WebSocket-Accept does not match the key');
  const ext = listValues(head, 'sec-websocket-extensions');
  if (ext.length > 0) fail(`the server selected an extension that was not offered (${ext[0]})`);
  const proto = listValues(head, 'sec-websocket-protocol');
  if (proto.length > 1) fail('the server selected more than one subprotocol');
  const selected = proto[0] ?? '';
  if (selected !== '' && !offered.includes(selected)) fail(`the server selected a subprotocol that was not offered (${selected})`);
  if (offered.length > 0 && selected === '') fail('the server selected none of the offered subprotocols');
  return { protocol: selected, extensions: '' };
}
