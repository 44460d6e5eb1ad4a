// Test helpers for the WebSocket client: an in-memory duplex stream whose far end the test drives, and a
// hand-written server side on it that reads the client's request and masked frames and writes frames of its
// own. The server side decodes and encodes independently of frames.ts and computes the accept value with
// node:crypto, so the client is checked against a second implementation, not against itself.
import { createHash } from 'node:crypto';
import type { DuplexStream } from './connection.js';

export class MemoryStream implements DuplexStream {
  /** Everything the client wrote, in order (copies). */
  readonly fromClient: Uint8Array[] = [];
  clientEnded = false;
  clientClosed = false;
  /** What write() returns: false simulates a full buffer (until drain()). */
  writeReturns = true;
  writes = 0;
  private dataCb: ((d: Uint8Array) => void) | null = null;
  private endCb: (() => void) | null = null;
  private closeCb: ((e?: string) => void) | null = null;
  private drainCb: (() => void) | null = null;
  private closedNotified = false;

  write(data: Uint8Array): boolean {
    if (this.clientEnded || this.clientClosed) throw new Error('write after end/close');
    this.writes++;
    this.fromClient.push(data.slice());
    return this.writeReturns;
  }
  end(): void { this.clientEnded = true; }
  close(): void { this.clientClosed = true; }
  onData(cb: (d: Uint8Array) => void): void { this.dataCb = cb; }
  onEnd(cb: () => void): void { this.endCb = cb; }
  onClose(cb: (e?: string) => void): void { this.closeCb = cb; }
  onDrain(cb: () => void): void { this.drainCb = cb; }

  // The server's side.
  send(bytes: Uint8Array): void { this.dataCb?.(bytes); }
  serverEnd(): void { this.endCb?.(); }
  serverClose(error?: string): void {
    if (this.closedNotified) return;
    this.closedNotified = true;
    this.closeCb?.(error);
  }
  drain(): void { this.writeReturns = true; this.drainCb?.(); }
}

export interface ClientFrame { fin: boolean; rsv: number; opcode: number; masked: boolean; mask: Uint8Array; payload: Uint8Array }
export interface ClientRequest { line: string; headers: Map<string, string> }

const enc = new TextEncoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);

export function acceptOf(key: string): string {
  return createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
}

/** A server frame (unmasked unless `mask` is given), built by hand. */
export function serverFrame(opcode: number, payload: Uint8Array | string = new Uint8Array(0), o: { fin?: boolean; rsv?: number; mask?: Uint8Array; len64?: boolean } = {}): Uint8Array {
  const p = typeof payload === 'string' ? bytes(payload) : payload;
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode];
  const m = o.mask ? 0x80 : 0;
  if (o.len64 || p.length > 0xffff) {
    head.push(m | 127, 0, 0, 0, 0, (p.length >>> 24) & 255, (p.length >>> 16) & 255, (p.length >>> 8) & 255, p.length & 255);
  } else if (p.length > 125) head.push(m | 126, p.length >> 8, p.length & 255);
  else head.push(m | p.length);
  if (o.mask) head.push(...o.mask);
  const out = new Uint8Array(head.length + p.length);
  out.set(head);
  for (let i = 0; i < p.length; i++) out[head.length + i] = o.mask ? p[i]! ^ o.mask[i % 4]! : p[i]!;
  return out;
}

export function closeBody(code: number, reason = ''): Uint8Array {
  const r = bytes(reason);
  const b = new Uint8Array(2 + r.length);
  b[0] = code >> 8;
  b[1] = code & 255;
  b.set(r, 2);
  return b;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The server side on a MemoryStream: parses the client's request, then its frames, as bytes arrive. */
export class FakeServer {
  request: ClientRequest | null = null;
  readonly frames: ClientFrame[] = [];
  private consumed = 0;  // chunks of stream.fromClient already parsed
  private buf = new Uint8Array(0);

  constructor(readonly stream = new MemoryStream()) {}

  /** Parse whatever the client wrote since the last call. */
  poll(): void {
    while (this.consumed < this.stream.fromClient.length) {
      const c = this.stream.fromClient[this.consumed++]!;
      const b = new Uint8Array(this.buf.length + c.length);
      b.set(this.buf);
      b.set(c, this.buf.length);
      this.buf = b;
    }
    if (!this.request) {
      const text = Buffer.from(this.buf).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = text.slice(0, end).split('\r\n');
      const headers = new Map<string, string>();
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
      }
      this.request = { line: lines[0]!, headers };
      this.buf = this.buf.subarray(end + 4);
    }
    for (;;) {
      const b = this.buf;
      if (b.length < 2) return;
      const len7 = b[1]! & 127;
      const ext = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      const masked = (b[1]! & 128) !== 0;
      const hl = 2 + ext + (masked ? 4 : 0);
      if (b.length < hl) return;
      let len = len7;
      if (len7 === 126) len = (b[2]! << 8) | b[3]!;
      if (len7 === 127) len = Number(Buffer.from(b.subarray(2, 10)).readBigUInt64BE());
      if (b.length < hl + len) return;
      const mask = masked ? b.slice(hl - 4, hl) : new Uint8Array(4);
      const payload = b.slice(hl, hl + len);
      for (let i = 0; i < len; i++) payload[i]! ^= mask[i % 4]!;
      this.frames.push({ fin: (b[0]! & 128) !== 0, rsv: (b[0]! >> 4) & 7, opcode: b[0]! & 15, masked, mask, payload });
      this.buf = b.subarray(hl + len);
    }
  }

  /** Wait until `cond` holds (parsing new client bytes between checks). */
  async until(cond: () => boolean, what = 'condition', ms = 2000): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      this.poll();
      if (cond()) return;
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await sleep(1);
    }
  }

  async waitRequest(): Promise<ClientRequest> {
    await this.until(() => this.request !== null, 'the request');
    return this.request!;
  }

  /** The nth client frame (0-based), waiting for it. */
  async frame(n: number): Promise<ClientFrame> {
    await this.until(() => this.frames.length > n, `client frame ${n}`);
    return this.frames[n]!;
  }

  /** A 101 answer to the request; `after` is sent in the same chunk, `override` replaces or drops fields. */
  async accept(o: { protocol?: string; override?: Record<string, string | null>; after?: Uint8Array; status?: string } = {}): Promise<void> {
    const req = await this.waitRequest();
    const fields: Record<string, string | null> = {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Accept': acceptOf(req.headers.get('sec-websocket-key')!),
      ...(o.protocol ? { 'Sec-WebSocket-Protocol': o.protocol } : {}),
      ...o.override,
    };
    let head = `HTTP/1.1 ${o.status ?? '101 Switching Protocols'}\r\n`;
    for (const [k, v] of Object.entries(fields)) if (v !== null) head += `${k}: ${v}\r\n`;
    head += '\r\n';
    const h = bytes(head);
    const after = o.after ?? new Uint8Array(0);
    const all = new Uint8Array(h.length + after.length);
    all.set(h);
    all.set(after, h.length);
    this.stream.send(all);
  }
}
