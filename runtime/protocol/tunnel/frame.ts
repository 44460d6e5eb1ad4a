// Tunnel frames: the wire format of the edge tunnel (one WebSocket per sandbox carrying many streams).
// A yamux-style framing; the full description is docs/design/tunnel.md. Runtime-agnostic: Uint8Array and
// DataView only, so the same code runs in Node (edge, Node host) and in a browser SharedWorker.
//
//   0        1        2                 4                                 8                                12
//   +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
//   | version|  type  |     flags       |            stream id              |             length                |
//   +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
//   | payload (DATA and CONTROL only: `length` bytes) ...
//
// All integers are big-endian. `length` is the payload size for DATA and CONTROL; for the other types there
// is no payload and `length` is a value: the window delta (WINDOW_UPDATE), the stream error code
// (WINDOW_UPDATE with RST), the opaque ping value (PING) or the session error code (GO_AWAY).
import { ByteQueue } from '../../lib/byte-queue.js';

export const VERSION = 1;
export const HEADER_SIZE = 12;

export const FrameType = { DATA: 0, WINDOW_UPDATE: 1, PING: 2, GO_AWAY: 3, CONTROL: 4 } as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];
export const FRAME_TYPE_NAMES = ['DATA', 'WINDOW_UPDATE', 'PING', 'GO_AWAY', 'CONTROL'] as const;

export const Flag = { SYN: 1, ACK: 2, FIN: 4, RST: 8 } as const;
const KNOWN_FLAGS = 0xf;

/** Session error codes, carried by GO_AWAY. */
export const GoAway = {
  NORMAL: 0,
  PROTOCOL_ERROR: 1,
  INTERNAL_ERROR: 2,
  AUTH_FAILED: 3,
  FRAME_TOO_LARGE: 4,
  PING_TIMEOUT: 5,
  SHUTDOWN: 6,
  REPLACED: 7,
  STREAM_IDS_EXHAUSTED: 8,
} as const;

/** Stream error codes, carried by a WINDOW_UPDATE frame with the RST flag. */
export const StreamError = {
  CANCEL: 0,
  REFUSED: 1,
  FLOW_CONTROL: 2,
  PROTOCOL: 3,
  TOO_MANY_STREAMS: 4,
  INTERNAL: 5,
  SESSION_CLOSED: 6,
} as const;

export function codeName(table: Record<string, number>, code: number): string {
  for (const [k, v] of Object.entries(table)) if (v === code) return k;
  return `UNKNOWN_${code}`;
}

export interface Frame {
  type: FrameType;
  flags: number;
  streamId: number;
  /** Payload length (DATA, CONTROL) or the type's value (see the header comment). */
  length: number;
  payload: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** Largest DATA payload a sender puts in one frame (the decoder accepts up to its maxPayload). */
export const MAX_DATA_CHUNK = 64 * 1024;
/** Default decoder limit: frames announcing a bigger payload end the session with FRAME_TOO_LARGE. */
export const DEFAULT_MAX_PAYLOAD = 256 * 1024;
/** CONTROL payloads (JSON) are small; a larger one is a protocol error. */
export const MAX_CONTROL_PAYLOAD = 64 * 1024;

export function encodeFrame(type: FrameType, flags: number, streamId: number, lengthOrValue: number, payload: Uint8Array = EMPTY): Uint8Array {
  const hasPayload = type === FrameType.DATA || type === FrameType.CONTROL;
  const out = new Uint8Array(HEADER_SIZE + (hasPayload ? payload.length : 0));
  const dv = new DataView(out.buffer);
  dv.setUint8(0, VERSION);
  dv.setUint8(1, type);
  dv.setUint16(2, flags);
  dv.setUint32(4, streamId >>> 0);
  dv.setUint32(8, (hasPayload ? payload.length : lengthOrValue) >>> 0);
  if (hasPayload) out.set(payload, HEADER_SIZE);
  return out;
}

/** Just the 12-byte header; `lengthOrValue` is written as is (the payload size for DATA and CONTROL). */
export function encodeHeader(type: FrameType, flags: number, streamId: number, lengthOrValue: number): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, VERSION);
  dv.setUint8(1, type);
  dv.setUint16(2, flags);
  dv.setUint32(4, streamId >>> 0);
  dv.setUint32(8, lengthOrValue >>> 0);
  return out;
}

/** A malformed frame header: the session must end with GO_AWAY(code). */
export interface DecodeError { code: number; message: string; }

/**
 * Incremental decoder: push() arbitrary chunks of the byte stream (WebSocket messages need not align with
 * frames) and get back whole frames. The first malformed header stops the decoder for good and is returned
 * as `error`; frames decoded before it are still returned. It never throws on any input.
 */
export class FrameDecoder {
  private readonly queue = new ByteQueue();
  private failed: DecodeError | null = null;

  constructor(readonly maxPayload = DEFAULT_MAX_PAYLOAD) {}

  get error(): DecodeError | null { return this.failed; }

  push(chunk: Uint8Array): { frames: Frame[]; error: DecodeError | null } {
    const frames: Frame[] = [];
    if (this.failed) return { frames, error: this.failed };
    this.queue.push(chunk);
    while (this.queue.length >= HEADER_SIZE) {
      const head = this.queue.peek(HEADER_SIZE);
      const dv = new DataView(head.buffer, head.byteOffset, HEADER_SIZE);
      const version = dv.getUint8(0), type = dv.getUint8(1), flags = dv.getUint16(2);
      const streamId = dv.getUint32(4), length = dv.getUint32(8);
      const err = this.check(version, type, flags, streamId, length);
      if (err) { this.failed = err; this.queue.clear(); break; }
      const hasPayload = type === FrameType.DATA || type === FrameType.CONTROL;
      const size = HEADER_SIZE + (hasPayload ? length : 0);
      if (this.queue.length < size) break;
      const whole = this.queue.take(size);
      frames.push({ type: type as FrameType, flags, streamId, length, payload: hasPayload ? whole.subarray(HEADER_SIZE) : EMPTY });
    }
    return { frames, error: this.failed };
  }

  private check(version: number, type: number, flags: number, streamId: number, length: number): DecodeError | null {
    const bad = (message: string, code: number = GoAway.PROTOCOL_ERROR): DecodeError => ({ code, message });
    if (version !== VERSION) return bad(`unsupported version ${version}`);
    if (type > FrameType.CONTROL) return bad(`unknown frame type ${type}`);
    if (flags & ~KNOWN_FLAGS) return bad(`unknown flags 0x${flags.toString(16)}`);
    switch (type as FrameType) {
      case FrameType.DATA:
        if (streamId === 0) return bad('DATA on stream 0');
        if (length > this.maxPayload) return bad(`frame of ${length} bytes exceeds ${this.maxPayload}`, GoAway.FRAME_TOO_LARGE);
        break;
      case FrameType.CONTROL:
        if (length > MAX_CONTROL_PAYLOAD) return bad(`control frame of ${length} bytes exceeds ${MAX_CONTROL_PAYLOAD}`, GoAway.FRAME_TOO_LARGE);
        if (streamId === 0 && flags !== 0) return bad('flags on a session control frame');
        break;
      case FrameType.WINDOW_UPDATE:
        if (streamId === 0) return bad('WINDOW_UPDATE on stream 0');
        break;
      case FrameType.PING:
      case FrameType.GO_AWAY:
        if (streamId !== 0) return bad(`${FRAME_TYPE_NAMES[type]} on stream ${streamId}`);
        break;
    }
    return null;
  }
}
