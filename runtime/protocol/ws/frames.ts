// WebSocket framing, client side (RFC 6455 section 5): encoding masked frames, and an incremental reader of
// the server's frames. The reader checks what a single frame can get wrong (reserved bits, opcodes, a mask,
// the 64-bit length's top bit, control frames fragmented or over 125 bytes) and streams data payloads to
// its sink as they arrive, so a large message is never held twice. Whether frames form valid messages
// (continuations, UTF-8, size) is message.ts's business. Close frame bodies (section 5.5.1, 7.4) are here.
import { WsError, protocolError } from './errors.js';
import { platform, strictUtf8, utf8Encoder } from './platform.js';

export const Op = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

export const isControl = (opcode: number): boolean => (opcode & 0x8) !== 0;
export const MAX_CONTROL_PAYLOAD = 125;

/** Encode one client frame: masked with a fresh random key (section 5.3). The payload is not modified. */
export function encodeFrame(opcode: number, payload: Uint8Array, fin = true, mask = platform.crypto.getRandomValues(new Uint8Array(4))): Uint8Array {
  const n = payload.length;
  const ext = n < 126 ? 0 : n < 0x10000 ? 2 : 8;
  const out = new Uint8Array(2 + ext + 4 + n);
  out[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  if (ext === 0) out[1] = 0x80 | n;
  else if (ext === 2) {
    out[1] = 0x80 | 126;
    out[2] = n >>> 8;
    out[3] = n & 0xff;
  } else {
    out[1] = 0x80 | 127;
    const hi = Math.floor(n / 0x100000000);
    new DataView(out.buffer).setUint32(2, hi);
    new DataView(out.buffer).setUint32(6, n >>> 0);
  }
  const p = 2 + ext;
  out.set(mask, p);
  const m0 = mask[0]!, m1 = mask[1]!, m2 = mask[2]!, m3 = mask[3]!;
  const o = p + 4;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    out[o + i] = payload[i]! ^ m0;
    out[o + i + 1] = payload[i + 1]! ^ m1;
    out[o + i + 2] = payload[i + 2]! ^ m2;
    out[o + i + 3] = payload[i + 3]! ^ m3;
  }
  for (; i < n; i++) out[o + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

// ---- close frames ----------------------------------------------------------------------------------------

/** Status codes a peer may put in a Close frame (section 7.4; 1012-1014 registered with IANA since). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** A Close frame body: nothing, or a status code and an optional UTF-8 reason (at most 123 bytes). */
export function encodeClose(code?: number, reason?: Uint8Array | string): Uint8Array {
  if (code === undefined) return new Uint8Array(0);
  const r = typeof reason === 'string' ? utf8Encoder.encode(reason) : reason ?? new Uint8Array(0);
  if (r.length > MAX_CONTROL_PAYLOAD - 2) throw new WsError('WS_ERR_ARG', 'close reason longer than 123 bytes');
  const out = new Uint8Array(2 + r.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(r, 2);
  return out;
}

/**
 * The status code and reason of a received Close frame. No body means 1005 (no status received). A one-byte
 * body or a code that may not be sent is a protocol error (1002); a reason that is not UTF-8, 1007.
 */
export function decodeClose(payload: Uint8Array): { code: number; reason: string } {
  if (payload.length === 0) return { code: 1005, reason: '' };
  if (payload.length === 1) throw protocolError('close frame with a one-byte body');
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) throw protocolError(`close frame with invalid status code ${code}`);
  let reason: string;
  try {
    reason = strictUtf8().decode(payload.subarray(2));
  } catch {
    throw new WsError('WS_ERR_UTF8', 'close reason is not valid UTF-8', 1007);
  }
  return { code, reason };
}

// ---- reading ---------------------------------------------------------------------------------------------

/** Where the reader delivers frames. A sink may throw a WsError; the reader then stops. */
export interface FrameSink {
  /** A data frame (text, binary or continuation) begins; `length` bytes of payload follow. */
  dataStart(opcode: number, fin: boolean, length: number): void;
  /** Part of the current data frame's payload (a view into the chunk pushed; keep it or copy it). */
  dataChunk(bytes: Uint8Array): void;
  /** The current data frame is complete. */
  dataEnd(fin: boolean): void;
  /** A whole control frame (close, ping, pong). */
  control(opcode: number, payload: Uint8Array): void;
}

/** Largest frame length the reader represents exactly (2^53 - 1); the message size limit is far below. */
const MAX_SAFE_HIGH = 0x1fffff;

export class FrameReader {
  private readonly head = new Uint8Array(10);
  private headLen = 0;
  private headNeed = 2;
  private inPayload = false;
  private remaining = 0;
  private fin = false;
  private opcode = 0;
  private control: Uint8Array | null = null;
  private controlLen = 0;
  private stopped = false;

  constructor(private readonly sink: FrameSink) {}

  /** Stop reading: later bytes, and the rest of the chunk being read, are ignored. */
  stop(): void { this.stopped = true; }

  /** Read the server's bytes. Throws the WsError of the first violation (and stops). */
  push(chunk: Uint8Array): void {
    let o = 0;
    try {
      while (o < chunk.length && !this.stopped) {
        if (!this.inPayload) {
          const take = Math.min(this.headNeed - this.headLen, chunk.length - o);
          this.head.set(chunk.subarray(o, o + take), this.headLen);
          this.headLen += take;
          o += take;
          if (this.headLen === 2) this.firstTwo();
          if (this.headLen === this.headNeed) this.headerDone();
        } else {
          const take = Math.min(this.remaining, chunk.length - o);
          const part = chunk.subarray(o, o + take);
          o += take;
          this.remaining -= take;
          if (this.control) {
            this.control.set(part, this.controlLen);
            this.controlLen += take;
          } else {
            this.sink.dataChunk(part);
          }
          if (this.remaining === 0) this.frameDone();
        }
      }
    } catch (e) {
      this.stopped = true;
      throw e;
    }
  }

  /** Check the first two header bytes and work out the header's length. */
  private firstTwo(): void {
    const b0 = this.head[0]!, b1 = this.head[1]!;
    if (b0 & 0x70) throw protocolError('reserved bits set (no extension was negotiated)');
    const opcode = b0 & 0x0f;
    if (!(opcode <= 2 || (opcode >= 8 && opcode <= 10))) throw protocolError(`reserved opcode ${opcode}`);
    if (b1 & 0x80) throw protocolError('masked frame from the server');
    const len7 = b1 & 0x7f;
    if (isControl(opcode)) {
      if (!(b0 & 0x80)) throw protocolError('fragmented control frame');
      if (len7 > MAX_CONTROL_PAYLOAD) throw protocolError('control frame longer than 125 bytes');
    }
    this.headNeed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
  }

  private headerDone(): void {
    const h = this.head;
    this.fin = (h[0]! & 0x80) !== 0;
    this.opcode = h[0]! & 0x0f;
    const len7 = h[1]! & 0x7f;
    let length = len7;
    if (len7 === 126) length = (h[2]! << 8) | h[3]!;
    else if (len7 === 127) {
      const view = new DataView(h.buffer, h.byteOffset, 10);
      const hi = view.getUint32(2);
      if (hi & 0x80000000) throw protocolError('frame length with the most significant bit set');
      // Lengths past 2^53 cannot be represented; any limit rejects them, so saturate.
      length = hi > MAX_SAFE_HIGH ? Number.MAX_SAFE_INTEGER : hi * 0x100000000 + view.getUint32(6);
    }
    this.headLen = 0;
    this.headNeed = 2;
    this.remaining = length;
    if (isControl(this.opcode)) {
      this.control = new Uint8Array(length);
      this.controlLen = 0;
    } else {
      this.sink.dataStart(this.opcode, this.fin, length);
    }
    if (length === 0) this.frameDone();
    else this.inPayload = true;
  }

  private frameDone(): void {
    this.inPayload = false;
    const control = this.control;
    if (control) {
      this.control = null;
      this.sink.control(this.opcode, control);
    } else {
      this.sink.dataEnd(this.fin);
    }
  }
}
