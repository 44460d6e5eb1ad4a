// The file service wire format: frames, fields and records exchanged with fsd (wasm/fsd, C; its constants
// are wasm/fsd/proto.h, and tests/fsd.test.ts checks both sides agree). Full description:
// docs/design/fs-protocol.md. Runtime-agnostic: Uint8Array and DataView only.
//
//   0                4        5        6                 8                                 12
//   +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
//   |  payload length (u32)   |  type  | flags  | reserved (0)    |     request id (u32)              |
//   +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
//   | payload ...
//
// Little-endian. Requests carry an op as type; replies REPLY | op (flag ERROR: the payload is an error);
// watch events EVENT with the watch's id. Strings are u16 length + UTF-8 bytes; WRITE and READ data is
// the rest of the payload.
import { ByteQueue } from '../../lib/byte-queue.js';

export const VERSION = 1;
export const HEADER_SIZE = 12;
/** Largest payload either side sends or accepts: a data chunk plus a path and fixed fields. */
export const MAX_PAYLOAD = 1056768;
/** Largest data chunk of one READ reply or WRITE request. */
export const MAX_DATA = 1048576;
/** Longest path or name in bytes. */
export const MAX_PATH = 4095;
export const READDIR_PAGE = 262144;
export const MAX_CLIENTS = 64;
export const MAX_WATCHES = 1024;
export const STAT_SIZE = 48;
export const OP_LIMIT = 64;
export const REPLY = 128;
export const EVENT = 192;

export const Op = {
  HELLO: 1, STAT: 2, READDIR: 3, READ: 4, WRITE: 5, MKDIR: 6, RENAME: 7, UNLINK: 8, RMDIR: 9, SYMLINK: 10,
  READLINK: 11, CHMOD: 12, WATCH: 13, UNWATCH: 14,
} as const;
export type Op = (typeof Op)[keyof typeof Op];
export const OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Op).map(([k, v]) => [v, k.toLowerCase()]));

export const ReplyFlag = { ERROR: 1, MORE: 2 } as const;
export const StatFlag = { NOFOLLOW: 1 } as const;
export const WriteFlag = { CREATE: 1, TRUNC: 2, EXCL: 4, ATOMIC: 8 } as const;
export const MkdirFlag = { PARENTS: 1 } as const;
export const RenameFlag = { NOREPLACE: 1 } as const;
export const RmdirFlag = { RECURSIVE: 1 } as const;
export const Feature = { WATCH: 1 } as const;
export const EventMask = {
  CREATED: 1, DELETED: 2, MODIFIED: 4, MOVED_FROM: 8, MOVED_TO: 16, ATTRIB: 32, SELF_DELETED: 64,
  SELF_MOVED: 128, ISDIR: 256, OVERFLOW: 512, GONE: 1024,
} as const;

export interface Frame {
  type: number;
  flags: number;
  id: number;
  payload: Uint8Array;
}

const g = globalThis as unknown as {
  TextEncoder: new () => { encode(s: string): Uint8Array };
  TextDecoder: new (label?: string) => { decode(b: Uint8Array): string };
};
const enc = new g.TextEncoder();
const dec = new g.TextDecoder('utf-8');

export function utf8(s: string): Uint8Array { return enc.encode(s); }
/** Names that are not valid UTF-8 come back with U+FFFD in place of the bad bytes. */
export function fromUtf8(b: Uint8Array): string { return dec.decode(b); }

/** A frame (or a field in it) that breaks the format. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

/** Builds one frame: fields are appended after the header; finish() fills the header in. */
export class FrameWriter {
  private buf: Uint8Array;
  private dv: DataView;
  private len = HEADER_SIZE;

  constructor(sizeHint = 64) {
    this.buf = new Uint8Array(HEADER_SIZE + sizeHint);
    this.dv = new DataView(this.buf.buffer);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.len + n, this.buf.length * 2));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }

  u16(v: number): this { this.room(2); this.dv.setUint16(this.len, v, true); this.len += 2; return this; }
  u32(v: number): this { this.room(4); this.dv.setUint32(this.len, v >>> 0, true); this.len += 4; return this; }
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new WireError(`not a u64: ${v}`);
    this.room(8);
    this.dv.setBigUint64(this.len, BigInt(v), true);
    this.len += 8;
    return this;
  }
  bytes(b: Uint8Array): this { this.room(b.length); this.buf.set(b, this.len); this.len += b.length; return this; }
  /** A string field; `b` is its UTF-8 encoding (at most MAX_PATH bytes: checked by the caller). */
  str(b: Uint8Array): this { return this.u16(b.length).bytes(b); }

  finish(type: number, flags: number, id: number): Uint8Array {
    const n = this.len - HEADER_SIZE;
    if (n > MAX_PAYLOAD) throw new WireError(`payload of ${n} bytes exceeds ${MAX_PAYLOAD}`);
    this.dv.setUint32(0, n, true);
    this.dv.setUint8(4, type);
    this.dv.setUint8(5, flags);
    this.dv.setUint16(6, 0, true);
    this.dv.setUint32(8, id >>> 0, true);
    return this.buf.subarray(0, this.len);
  }
}

/** Reads the fields of one payload; any read past the end throws WireError. */
export class FieldReader {
  private pos = 0;
  private readonly dv: DataView;

  constructor(private readonly b: Uint8Array) { this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength); }

  private need(n: number): number {
    if (this.b.length - this.pos < n) throw new WireError(`payload truncated (need ${n} bytes at ${this.pos} of ${this.b.length})`);
    const p = this.pos;
    this.pos += n;
    return p;
  }

  u32(): number { return this.dv.getUint32(this.need(4), true); }
  i32(): number { return this.dv.getInt32(this.need(4), true); }
  u64(): number { return Number(this.dv.getBigUint64(this.need(8), true)); }
  i64(): bigint { return this.dv.getBigInt64(this.need(8), true); }
  bytes(n: number): Uint8Array { const p = this.need(n); return this.b.subarray(p, p + n); }
  str(): string { return fromUtf8(this.bytes(this.dv.getUint16(this.need(2), true))); }
  rest(): Uint8Array { return this.bytes(this.b.length - this.pos); }
  end(): void { if (this.pos !== this.b.length) throw new WireError(`${this.b.length - this.pos} unexpected bytes after the last field`); }
}

export type FileType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block' | 'unknown';

export interface FsStat {
  type: FileType;
  /** st_mode: type bits and permissions. */
  mode: number;
  /** mode & 0o7777. */
  perm: number;
  uid: number;
  gid: number;
  nlink: number;
  size: number;
  ino: number;
  mtimeMs: number;
  /** Exact modification time in nanoseconds since the epoch (compare this to detect changes). */
  mtimeNs: bigint;
  /** What a symlink points to (null when dangling); for anything else, `type` again. */
  target: FileType | null;
}

export interface FsDirent extends FsStat { name: string }

export function fileType(mode: number): FileType {
  switch (mode & 0o170000) {
    case 0o100000: return 'file';
    case 0o040000: return 'dir';
    case 0o120000: return 'symlink';
    case 0o010000: return 'fifo';
    case 0o140000: return 'socket';
    case 0o020000: return 'char';
    case 0o060000: return 'block';
  }
  return 'unknown';
}

/** The 48-byte stat record: mode uid gid nlink u32, size ino u64, mtime s64 + ns u32, target mode u32. */
export function readStat(r: FieldReader): FsStat {
  const mode = r.u32(), uid = r.u32(), gid = r.u32(), nlink = r.u32();
  const size = r.u64(), ino = r.u64();
  const sec = r.i64(), nsec = r.u32(), tmode = r.u32();
  return {
    type: fileType(mode), mode, perm: mode & 0o7777, uid, gid, nlink, size, ino,
    mtimeMs: Number(sec) * 1000 + nsec / 1e6, mtimeNs: sec * 1_000_000_000n + BigInt(nsec),
    target: tmode === 0 ? null : fileType(tmode),
  };
}

export type FsEventType = 'created' | 'deleted' | 'modified' | 'moved-from' | 'moved-to' | 'attrib' | 'self-deleted' |
  'self-moved' | 'overflow' | 'gone';

export interface FsEvent {
  type: FsEventType;
  /** The entry of the watched directory the event is about ("" for the watched path itself). */
  name: string;
  isDir: boolean;
  /** Pairs a moved-from with its moved-to (0 otherwise). */
  cookie: number;
  /** The raw EventMask bits. */
  mask: number;
}

const EVENT_TYPES: [number, FsEventType][] = [
  [EventMask.CREATED, 'created'], [EventMask.DELETED, 'deleted'], [EventMask.MODIFIED, 'modified'],
  [EventMask.MOVED_FROM, 'moved-from'], [EventMask.MOVED_TO, 'moved-to'], [EventMask.ATTRIB, 'attrib'],
  [EventMask.SELF_DELETED, 'self-deleted'], [EventMask.SELF_MOVED, 'self-moved'],
  [EventMask.OVERFLOW, 'overflow'], [EventMask.GONE, 'gone'],
];

export function readEvent(r: FieldReader): FsEvent {
  const mask = r.u32(), cookie = r.u32(), name = r.str();
  r.end();
  const t = EVENT_TYPES.find(([bit]) => mask & bit);
  if (!t) throw new WireError(`event without a known type (mask 0x${mask.toString(16)})`);
  return { type: t[1], name, isDir: (mask & EventMask.ISDIR) !== 0, cookie, mask };
}

/**
 * Incremental frame decoder: push() any chunks of the byte stream, get whole frames back. A header
 * announcing more than `maxPayload` bytes, a non-zero reserved field or a request-typed frame stops it for
 * good (error set); frames decoded before stay valid. Never throws.
 */
export class FrameDecoder {
  private readonly queue = new ByteQueue();
  error: string | null = null;

  constructor(private readonly maxPayload = MAX_PAYLOAD, private readonly fromServer = true) {}

  push(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    if (this.error) return out;
    this.queue.push(chunk);
    while (this.queue.length >= HEADER_SIZE) {
      const h = this.queue.peek(HEADER_SIZE);
      const dv = new DataView(h.buffer, h.byteOffset, HEADER_SIZE);
      const len = dv.getUint32(0, true), type = dv.getUint8(4), flags = dv.getUint8(5), id = dv.getUint32(8, true);
      const typeOk = this.fromServer ? type === EVENT || (type > REPLY && type < REPLY + OP_LIMIT) : type > 0 && type < OP_LIMIT;
      if (len > this.maxPayload) { this.fail(`frame of ${len} bytes exceeds ${this.maxPayload}`); break; }
      if (dv.getUint16(6, true) !== 0) { this.fail('reserved header bits set'); break; }
      if (!typeOk) { this.fail(`unexpected frame type ${type}`); break; }
      if (this.queue.length < HEADER_SIZE + len) break;
      const whole = this.queue.take(HEADER_SIZE + len);
      out.push({ type, flags, id, payload: whole.subarray(HEADER_SIZE) });
    }
    return out;
  }

  private fail(msg: string): void { this.error = msg; this.queue.clear(); }
}
