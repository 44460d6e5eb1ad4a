// A process's address space (mm_struct, mm/mmap.c, mm/mremap.c). The wasm linear memory is laid out as
//   [__stack_low, __stack_high)  C stack (stack-first link)
//   [__stack_high, __heap_base)  data and bss
//   [brkStart, brk)              the brk heap
//   mappings                     anonymous and private file mappings, anywhere above brkStart
// Memory only grows (wasm cannot unmap), so the kernel keeps the list of mapped ranges to know what is live:
// fork copies only those, and new mappings are zero-filled when they reuse memory that was unmapped.
// Page granularity is 4096 as on Linux; memory grows in 64 KiB wasm pages.
// Accounting against the sandbox limit counts mapped bytes (stack, data, brk heap, mappings), not the size
// of the wasm memory: the gap kept free above the break is address space, never touched, so it costs no
// host memory.
import { EINVAL, ENOMEM } from '../../abi/errno.js';
import { PAGE_SIZE, WASM_PAGE } from '../../abi/mman.js';
import { raise } from '../errors.js';

export interface Range { start: number; end: number; }

/** Accounting shared by every address space of a sandbox (the memory limit). */
export interface MemoryAccount {
  /** Called before memory grows by `bytes`; raises ENOMEM when over the limit. */
  charge(bytes: number): void;
  release(bytes: number): void;
}

const MAX_BYTES = 0x1_0000_0000; // 4 GiB: wasm32 addressing limit
/**
 * Room left free above the break when placing mappings, so that brk can still grow. Linux keeps mappings
 * far from the heap; wasm memory is contiguous and its whole size counts as V8 external memory, so a big
 * gap makes every process's Memory bigger and garbage collection much more frequent (measured: a 16 MiB
 * gap quadrupled the GCs of 300 fork+exec+wait). With 1 MiB, brk grows at most 1 MiB past the last break
 * once mappings exist (it then fails as on Linux, returning the old break; musl's malloc uses mmap).
 */
export const BRK_GAP = 1 << 20;
export const pageUp = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

export class AddressSpace {
  /** Mapped ranges other than stack/data/brk, sorted by start, non-overlapping. */
  maps: Range[] = [];
  brkStart: number;
  brk: number;
  /** Nothing at or above this address was ever handed out: memory there is still zero. */
  private clean: number;
  /** Bytes charged to the sandbox account. */
  private charged = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly stackLow: number,
    readonly stackHigh: number,
    readonly heapBase: number,
    private readonly account: MemoryAccount,
  ) {
    this.brkStart = pageUp(heapBase);
    this.brk = this.brkStart;
    this.clean = this.brkStart;
    this.charge(this.brkStart - stackLow);
  }

  private charge(bytes: number): void {
    if (bytes <= 0) return;
    this.account.charge(bytes);
    this.charged += bytes;
  }

  private uncharge(bytes: number): void {
    bytes = Math.min(bytes, this.charged);
    if (bytes <= 0) return;
    this.account.release(bytes);
    this.charged -= bytes;
  }

  /** Zero [start, end) where it may hold old data, and record it as used. */
  private zeroFill(start: number, end: number): void {
    if (start < this.clean) new Uint8Array(this.memory.buffer).fill(0, start, Math.min(end, this.clean));
    if (end > this.clean) this.clean = end;
  }

  get size(): number { return this.memory.buffer.byteLength; }

  /** Grow memory so that `end` is addressable. */
  ensure(end: number): void {
    if (end > MAX_BYTES) raise(ENOMEM);
    const cur = this.memory.buffer.byteLength;
    if (end <= cur) return;
    const pages = Math.ceil((end - cur) / WASM_PAGE);
    try { this.memory.grow(pages); } catch { raise(ENOMEM); }
  }

  /** Release the accounting of this address space (process exit or exec). */
  destroy(): void { this.uncharge(this.charged); }

  private overlapsMaps(start: number, end: number): boolean {
    for (const m of this.maps) if (m.start < end && start < m.end) return true;
    return false;
  }

  setBrk(want: number): number {
    if (want === 0 || want < this.brkStart) return this.brk;
    const end = pageUp(want);
    const oldEnd = pageUp(this.brk);
    if (end > oldEnd) {
      if (this.overlapsMaps(oldEnd, end)) return this.brk;
      try { this.charge(end - oldEnd); } catch { return this.brk; }
      try { this.ensure(end); } catch { this.uncharge(end - oldEnd); return this.brk; }
      this.zeroFill(oldEnd, end);
    } else if (end < oldEnd) {
      this.uncharge(oldEnd - end);
    }
    this.brk = want;
    return this.brk;
  }

  /** Find room for `len` bytes (page multiple); grows memory if needed. Returns the address. */
  private findFree(len: number): number {
    let cursor = pageUp(Math.max(this.brk, this.brkStart)) + BRK_GAP;
    for (const m of this.maps) {
      if (m.end <= cursor) continue;
      if (m.start >= cursor + len) break;
      cursor = m.end;
    }
    return cursor;
  }

  /** Map `len` bytes of zeroed memory; `fixed` places it exactly (replacing what was there). */
  map(len: number, fixedAt = -1): number {
    if (len <= 0) raise(EINVAL);
    len = pageUp(len);
    let addr: number;
    if (fixedAt >= 0) {
      if (fixedAt % PAGE_SIZE !== 0) raise(EINVAL);
      if (fixedAt < this.brkStart) raise(ENOMEM);
      addr = fixedAt;
      this.unmap(addr, len);
    } else {
      addr = this.findFree(len);
    }
    this.charge(len);
    try { this.ensure(addr + len); } catch (e) { this.uncharge(len); throw e; }
    this.zeroFill(addr, addr + len);
    this.insert({ start: addr, end: addr + len });
    return addr;
  }

  private insert(r: Range): void {
    const i = this.maps.findIndex((m) => m.start > r.start);
    if (i < 0) this.maps.push(r); else this.maps.splice(i, 0, r);
    // merge neighbours
    const out: Range[] = [];
    for (const m of this.maps) {
      const last = out[out.length - 1];
      if (last && last.end >= m.start) last.end = Math.max(last.end, m.end);
      else out.push({ ...m });
    }
    this.maps = out;
  }

  isMapped(addr: number, len: number): boolean {
    let a = addr;
    const end = addr + len;
    for (const m of this.maps) {
      if (m.end <= a) continue;
      if (m.start > a) return false;
      a = m.end;
      if (a >= end) return true;
    }
    return a >= end;
  }

  unmap(addr: number, len: number): void {
    if (addr % PAGE_SIZE !== 0 || len <= 0) raise(EINVAL);
    const end = addr + pageUp(len);
    const out: Range[] = [];
    let removed = 0;
    for (const m of this.maps) {
      if (m.end <= addr || m.start >= end) { out.push(m); continue; }
      removed += Math.min(m.end, end) - Math.max(m.start, addr);
      if (m.start < addr) out.push({ start: m.start, end: addr });
      if (m.end > end) out.push({ start: end, end: m.end });
    }
    this.maps = out;
    this.uncharge(removed);
  }

  /** mremap: grow in place when possible, else move (MAYMOVE). */
  remap(old: number, oldLen: number, newLen: number, mayMove: boolean): number {
    if (old % PAGE_SIZE !== 0 || newLen <= 0) raise(EINVAL);
    oldLen = pageUp(oldLen); newLen = pageUp(newLen);
    if (!this.isMapped(old, oldLen)) raise(EINVAL);
    if (newLen <= oldLen) {
      if (newLen < oldLen) this.unmap(old + newLen, oldLen - newLen);
      return old;
    }
    const tailStart = old + oldLen, tailEnd = old + newLen;
    if (!this.overlapsMaps(tailStart, tailEnd)) {
      this.charge(tailEnd - tailStart);
      try { this.ensure(tailEnd); } catch (e) { this.uncharge(tailEnd - tailStart); throw e; }
      this.zeroFill(tailStart, tailEnd);
      this.insert({ start: old, end: tailEnd });
      return old;
    }
    if (!mayMove) raise(ENOMEM);
    const addr = this.map(newLen);
    const u8 = new Uint8Array(this.memory.buffer);
    u8.copyWithin(addr, old, old + oldLen);
    this.unmap(old, oldLen);
    return addr;
  }

  /** Ranges live in this address space, for fork. `sp` bounds the used part of the stack. */
  liveRanges(sp: number): Range[] {
    const r: Range[] = [];
    const lo = Math.max(this.stackLow, Math.min(sp, this.stackHigh));
    if (lo < this.stackHigh) r.push({ start: lo, end: this.stackHigh });
    r.push({ start: this.stackHigh, end: Math.max(this.stackHigh, this.brkStart) });
    if (this.brk > this.brkStart) r.push({ start: this.brkStart, end: pageUp(this.brk) });
    for (const m of this.maps) r.push(m);
    return r;
  }

  /** A copy of this address space in `memory` (already instantiated with the same module). */
  /**
   * Copy this address space into `memory` (already instantiated with the same module). `partial` is a
   * mapped range of which only [start, used) holds data (the Asyncify buffer): the rest is not copied.
   */
  forkInto(memory: WebAssembly.Memory, sp: number, account: MemoryAccount,
    partial?: { start: number; end: number; used: number }): AddressSpace {
    account.charge(this.charged);
    const need = this.memory.buffer.byteLength - memory.buffer.byteLength;
    if (need > 0) {
      try { memory.grow(need / WASM_PAGE); } catch { account.release(this.charged); raise(ENOMEM); }
    }
    const child = Object.create(AddressSpace.prototype) as AddressSpace;
    Object.assign(child, {
      memory, stackLow: this.stackLow, stackHigh: this.stackHigh, heapBase: this.heapBase,
      account, brkStart: this.brkStart, brk: this.brk, maps: this.maps.map((m) => ({ ...m })),
      clean: this.clean, charged: this.charged,
    });
    const src = new Uint8Array(this.memory.buffer);
    const dst = new Uint8Array(memory.buffer);
    const copy = (a: number, b: number): void => { if (b > a) dst.set(src.subarray(a, b), a); };
    for (const r of this.liveRanges(sp)) {
      if (partial && r.start <= partial.start && partial.end <= r.end) {
        copy(r.start, partial.start);
        copy(partial.start, Math.min(partial.end, Math.max(partial.start, partial.used)));
        copy(partial.end, r.end);
      } else copy(r.start, r.end);
    }
    return child;
  }

  /** Bytes mapped (for /proc and accounting displays). */
  mappedBytes(): number {
    let n = (this.stackHigh - this.stackLow) + (this.brkStart - this.stackHigh) + (pageUp(this.brk) - this.brkStart);
    for (const m of this.maps) n += m.end - m.start;
    return n;
  }
}
