// Access to a process's memory from the kernel (cf. arch uaccess: copy_from_user/copy_to_user).
// Every user pointer goes through here; an out-of-range access raises EFAULT instead of throwing a
// RangeError. Views are refreshed when the process's WebAssembly.Memory grows (its buffer is replaced).
import { EFAULT, ENAMETOOLONG } from '../../abi/errno.js';
import { raise } from '../errors.js';
import { decodeBytes, encodeBytes } from '../../lib/bytestring.js';

/**
 * The first page is never valid user memory, as on Linux (mmap_min_addr): a NULL or near-NULL pointer
 * passed to a syscall gives EFAULT. In wasm it would be addressable (the bottom of the 1 MiB C stack, only
 * reached by an overflow), so the check is the kernel's.
 */
export const NULL_PAGE = 4096;
export class UserMemory {
  private buf!: ArrayBuffer;
  private _u8!: Uint8Array;
  private _dv!: DataView;

  constructor(readonly memory: WebAssembly.Memory) { this.refresh(); }

  private refresh(): void {
    this.buf = this.memory.buffer;
    this._u8 = new Uint8Array(this.buf);
    this._dv = new DataView(this.buf);
  }

  get u8(): Uint8Array { if (this.memory.buffer !== this.buf) this.refresh(); return this._u8; }
  get dv(): DataView { if (this.memory.buffer !== this.buf) this.refresh(); return this._dv; }
  get size(): number { return this.u8.byteLength; }

  /** Raise EFAULT unless [addr, addr+len) lies inside memory. addr is taken as unsigned 32-bit. */
  check(addr: number, len: number): number {
    addr >>>= 0;
    if (len < 0 || addr + len > this.u8.byteLength || (addr < NULL_PAGE && len > 0)) raise(EFAULT);
    return addr;
  }

  /** A live view of user memory (valid until memory grows). */
  view(addr: number, len: number): Uint8Array {
    addr = this.check(addr, len);
    return this._u8.subarray(addr, addr + len);
  }

  copyIn(addr: number, len: number): Uint8Array { return this.view(addr, len).slice(); }

  copyOut(addr: number, data: Uint8Array): void {
    addr = this.check(addr, data.byteLength);
    this._u8.set(data, addr);
  }

  zero(addr: number, len: number): void { addr = this.check(addr, len); this._u8.fill(0, addr, addr + len); }

  /**
   * Find the NUL ending the string at `addr`, looking at most `max` bytes; raises EFAULT for a bad
   * address and `tooLong` when no NUL comes in time. Returns the end offset.
   */
  private scan(addr: number, max: number, tooLong: number): number {
    const u8 = this.u8;
    if (addr < NULL_PAGE || addr >= u8.byteLength) raise(EFAULT);
    const lim = Math.min(u8.byteLength, addr + max);
    let end = addr;
    while (end < lim && u8[end] !== 0) end++;
    if (end === lim) raise(end - addr >= max ? tooLong : EFAULT);
    return end;
  }

  /** Read a NUL-terminated string of at most `max` bytes (ENAMETOOLONG past it); see bytestring.ts. */
  cstring(addr: number, max = 4096): string {
    addr >>>= 0;
    const end = this.scan(addr, max, ENAMETOOLONG);
    return decodeBytes(this._u8.subarray(addr, end));
  }

  /** Raw bytes of a NUL-terminated string (without the NUL). */
  cbytes(addr: number, max = 131072): Uint8Array {
    addr >>>= 0;
    const end = this.scan(addr, max, EFAULT);
    return this._u8.slice(addr, end);
  }

  /** Write a string plus NUL; returns bytes written including the NUL. */
  writeCString(addr: number, s: string, cap: number): number {
    const b = encodeBytes(s);
    const n = Math.min(b.length, cap - 1);
    addr = this.check(addr, n + 1);
    this._u8.set(b.subarray(0, n), addr);
    this._u8[addr + n] = 0;
    return n + 1;
  }

  i32(addr: number): number { return this.dv.getInt32(this.check(addr, 4), true); }
  u32(addr: number): number { return this.dv.getUint32(this.check(addr, 4), true); }
  i64(addr: number): number { return Number(this.dv.getBigInt64(this.check(addr, 8), true)); }
  u64big(addr: number): bigint { return this.dv.getBigUint64(this.check(addr, 8), true); }
  u16(addr: number): number { return this.dv.getUint16(this.check(addr, 2), true); }
  setI32(addr: number, v: number): void { this.dv.setInt32(this.check(addr, 4), v, true); }
  setU32(addr: number, v: number): void { this.dv.setUint32(this.check(addr, 4), v >>> 0, true); }
  setU16(addr: number, v: number): void { this.dv.setUint16(this.check(addr, 2), v, true); }
  setU8(addr: number, v: number): void { this.dv.setUint8(this.check(addr, 1), v); }
  setI64(addr: number, v: number | bigint): void {
    this.dv.setBigInt64(this.check(addr, 8), typeof v === 'bigint' ? v : BigInt(Math.trunc(v)), true);
  }
  setU64(addr: number, v: number | bigint): void {
    this.dv.setBigUint64(this.check(addr, 8), typeof v === 'bigint' ? v : BigInt(Math.trunc(v)), true);
  }
}

/** UTF-8 that keeps any bytes (bytestring.ts). */
export function encodeUtf8(s: string): Uint8Array { return encodeBytes(s); }
export function decodeUtf8(b: Uint8Array): string { return decodeBytes(b); }
