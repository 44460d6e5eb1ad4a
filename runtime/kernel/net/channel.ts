// One direction of a connected stream or seqpacket socket: the receive queue of one end, filled by the
// other end (cf. sk_receive_queue of include/net/sock.h, with the sender's send buffer folded into it).
// The queue is bounded: a writer takes only `space()` bytes and sleeps on the writer side when it is full,
// so a slow reader blocks the writer and nothing is dropped. Segments keep their ancillary data
// (SCM_RIGHTS files, the sender's credentials) attached to the bytes they came with, and are message
// boundaries for SOCK_SEQPACKET.
import type { File } from '../fs/file.js';

export interface Ucred { pid: number; uid: number; gid: number; }

/** Ancillary data travelling with a segment. */
export interface Anc {
  files?: File[];
  cred?: Ucred;
}

export interface Seg {
  data: Uint8Array;
  /** Bytes of `data` already read. */
  off: number;
  anc?: Anc;
}

export interface TakeResult {
  n: number;
  /** Ancillary data of the segments read (files only from the first segment that had some). */
  anc: Anc | null;
  /** SOCK_SEQPACKET: the full length of the message read (may exceed n: MSG_TRUNC). */
  msgLen: number;
}

const noop = (): void => {};

export class Channel {
  private segs: Seg[] = [];
  /** Bytes queued. */
  len = 0;
  /** The writing side shut down (SHUT_WR or close): the reader sees EOF once the queue is empty. */
  eof = false;
  /** The reading side is gone or shut down for reading: writes fail with EPIPE. */
  readerGone = false;
  /** Called when data or EOF arrives. */
  onReadable: () => void = noop;
  /** Called when space frees up or the reader goes away. */
  onWritable: () => void = noop;

  constructor(public cap: number) {}

  get empty(): boolean { return this.len === 0; }
  space(): number { return Math.max(0, this.cap - this.len); }
  get segments(): number { return this.segs.length; }

  /** Queue a copy of `data` (callers decide how much fits). */
  push(data: Uint8Array, anc?: Anc): void {
    this.segs.push({ data: data.slice(), off: 0, anc });
    this.len += data.length;
    this.onReadable();
  }

  /** Queue `data` without copying (the caller gives up the buffer). */
  pushOwned(data: Uint8Array, anc?: Anc): void {
    this.segs.push({ data, off: 0, anc });
    this.len += data.length;
    this.onReadable();
  }

  /**
   * Read into `dsts` (scatter list). Stream mode reads across segments but stops before a segment that
   * carries files once bytes were read, and after the segment whose files it returns (as unix(7) does);
   * packet mode reads one segment and discards its unread rest. `peek` leaves the queue unchanged.
   */
  take(dsts: Uint8Array[], packet: boolean, peek: boolean): TakeResult {
    const res: TakeResult = { n: 0, anc: null, msgLen: 0 };
    let di = 0, doff = 0;
    const copy = (s: Seg, from: number): number => {
      let off = from;
      while (off < s.data.length && di < dsts.length) {
        const d = dsts[di]!;
        const k = Math.min(d.length - doff, s.data.length - off);
        d.set(s.data.subarray(off, off + k), doff);
        off += k; doff += k; res.n += k;
        if (doff === d.length) { di++; doff = 0; }
      }
      return off;
    };
    const note = (s: Seg): void => {
      if (!s.anc) return;
      res.anc ??= {};
      if (s.anc.files && !res.anc.files) { res.anc.files = s.anc.files; if (!peek) s.anc.files = undefined; }
      if (s.anc.cred && !res.anc.cred) res.anc.cred = s.anc.cred;
    };
    if (packet) {
      const s = this.segs[0];
      if (!s) return res;
      note(s);
      res.msgLen = s.data.length - s.off;
      copy(s, s.off);
      if (!peek) { this.segs.shift(); this.len -= res.msgLen; this.onWritable(); }
      return res;
    }
    let i = 0, consumed = 0;
    while (i < this.segs.length && di < dsts.length) {
      const s = this.segs[i]!;
      const hadFiles = s.anc?.files !== undefined;
      if (res.n > 0 && hadFiles) break;
      note(s);
      const off = copy(s, s.off);
      if (!peek) { consumed += off - s.off; s.off = off; }
      if (off < s.data.length) break;
      i++;
      if (hadFiles) break;
    }
    if (!peek) {
      let drop = 0;
      while (drop < this.segs.length && this.segs[drop]!.off >= this.segs[drop]!.data.length) drop++;
      if (drop) this.segs.splice(0, drop);
      this.len -= consumed;
      if (consumed > 0) this.onWritable();
    }
    return res;
  }

  /** Bytes up to the next segment boundary that carries files (what one read can return at most). */
  firstSegLen(): number { return this.segs.length ? this.segs[0]!.data.length - this.segs[0]!.off : 0; }

  /** Drop everything queued; returns the files of dropped segments (to be released by the caller). */
  clear(): File[] {
    const files: File[] = [];
    for (const s of this.segs) if (s.anc?.files) files.push(...s.anc.files);
    this.segs = [];
    this.len = 0;
    return files;
  }
}
