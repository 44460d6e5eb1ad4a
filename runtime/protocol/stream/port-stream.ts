// A duplex byte stream over a MessagePort, with end-to-end flow control: how pages, the service worker and
// preview pages reach a server inside the sandbox through the kernel's worker. The kernel's end is bridged to
// a connection from kernel.net.exposures.connect(point) (runtime/host/browser/streams.ts), so every client
// in the browser uses the same abstraction as the edge tunnel (ARCHITECTURE.md §4).
//
// Messages (structured clone; data buffers are transferred, not copied):
//   {t:'d', b: ArrayBuffer}   data
//   {t:'a', n}                n bytes of data were consumed by the receiver (a window update)
//   {t:'e'}                   end of data from the sender (half-close; the other direction stays open)
//   {t:'c', err?}             the stream is closed in both directions; err (an errno name such as
//                             ECONNREFUSED, or a message) when it was reset or never opened
//   {t:'o'}                   the kernel accepted the connection (sent once by the kernel's end)
// Why a window: a MessagePort has no backpressure; without one a 32 MiB response would be queued in the
// receiving thread at the producer's speed. A writer may have WINDOW bytes unacknowledged; write() returns
// false once it is past that (the HostStream convention), and onDrain fires when acknowledgements bring
// it back under. The receiver acknowledges what it delivered, and holds acknowledgements while paused.

import type { DuplexStream } from './duplex.js';

/** The part of MessagePort this needs (no DOM types in protocol/). */
export interface PortLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
  close(): void;
  start?(): void;
}

/** What postMessage may transfer (MessagePort, ArrayBuffer): opaque here. */
type Transferable = object;

/** A DuplexStream that can also be paused, and closed with a reason (an errno name) for the other end. */
export interface ByteStream extends DuplexStream {
  close(error?: string): void;
  pause(): void;
  resume(): void;
}

export const WINDOW = 256 * 1024;

type Msg = { t: 'd'; b: ArrayBuffer } | { t: 'a'; n: number } | { t: 'e' } | { t: 'c'; err?: string } | { t: 'o' };

function parse(m: unknown): Msg | null {
  if (typeof m !== 'object' || m === null) return null;
  const x = m as { t?: unknown; b?: unknown; n?: unknown; err?: unknown };
  switch (x.t) {
    case 'd': return x.b instanceof ArrayBuffer ? { t: 'd', b: x.b } : null;
    case 'a': return typeof x.n === 'number' && x.n > 0 && Number.isFinite(x.n) ? { t: 'a', n: x.n } : null;
    case 'e': case 'o': return { t: x.t };
    case 'c': return typeof x.err === 'string' ? { t: 'c', err: x.err } : { t: 'c' };
    default: return null;
  }
}

export class PortStream implements ByteStream {
  /** True once the kernel accepted the connection ({t:'o'}); page-side ends wait for it with `opened`. */
  isOpen = false;
  readonly opened: Promise<void>;
  private resolveOpened!: () => void;
  private rejectOpened!: (e: Error) => void;
  private inflight = 0;
  private paused = false;
  private unacked = 0;
  private queue: Uint8Array[] = [];
  private endQueued = false;
  private closeQueued = false;
  private ended = false;       // we sent 'e'
  private peerEnded = false;   // the peer's 'e' was delivered
  private closed = false;
  private dataCb: ((d: Uint8Array) => void) | null = null;
  private endCb: (() => void) | null = null;
  private closeCb: ((e?: string) => void) | null = null;
  private drainCb: (() => void) | null = null;
  private openCb: (() => void) | null = null;
  private readonly listener = (ev: { data: unknown }): void => this.receive(ev.data);

  constructor(private readonly port: PortLike) {
    this.opened = new Promise((ok, fail) => { this.resolveOpened = ok; this.rejectOpened = fail; });
    this.opened.catch(() => {});
    port.addEventListener('message', this.listener);
    port.start?.();
  }

  /** Tell the other end that the connection is accepted (the kernel's end). */
  accept(): void {
    if (!this.closed) this.port.postMessage({ t: 'o' });
  }

  write(data: Uint8Array): boolean {
    if (this.closed || this.ended || data.byteLength === 0) return !this.closed && !this.ended;
    // A copy into a buffer of its own, so that transferring it detaches nothing the caller still uses.
    const b = data.slice().buffer;
    this.inflight += data.byteLength;
    this.port.postMessage({ t: 'd', b }, [b]);
    return this.inflight < WINDOW;
  }

  end(): void {
    if (this.closed || this.ended) return;
    this.ended = true;
    this.port.postMessage({ t: 'e' });
  }

  close(error?: string): void {
    if (this.closed) return;
    this.port.postMessage(error === undefined ? { t: 'c' } : { t: 'c', err: error });
    this.finish(error);
  }

  pause(): void { this.paused = true; }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.flush();
  }

  onData(cb: (d: Uint8Array) => void): void { this.dataCb = cb; this.flush(); }
  onEnd(cb: () => void): void { this.endCb = cb; this.flush(); }
  onClose(cb: (error?: string) => void): void { this.closeCb = cb; }
  onDrain(cb: () => void): void { this.drainCb = cb; }
  onOpen(cb: () => void): void { this.openCb = cb; if (this.isOpen) cb(); }

  private receive(raw: unknown): void {
    if (this.closed) return;
    const m = parse(raw);
    // A malformed message resets this one stream (it cannot be resynchronised); nothing else is affected.
    if (!m) { this.close('EPROTO'); return; }
    switch (m.t) {
      case 'd':
        if (this.endQueued) { this.close('EPROTO'); return; }
        this.queue.push(new Uint8Array(m.b));
        this.flush();
        return;
      case 'a': {
        const was = this.inflight;
        this.inflight = Math.max(0, this.inflight - m.n);
        if (was >= WINDOW && this.inflight < WINDOW) this.drainCb?.();
        return;
      }
      case 'e':
        this.endQueued = true;
        this.flush();
        return;
      case 'o':
        if (this.isOpen) return;
        this.isOpen = true;
        this.resolveOpened();
        this.openCb?.();
        return;
      case 'c':
        // A reset drops what is queued; an orderly close first delivers it (and the end before it).
        if (m.err !== undefined) { this.finish(m.err); return; }
        this.closeQueued = true;
        this.flush();
        return;
    }
  }

  /** Deliver queued data (unless paused or nobody listens yet), acknowledge it, then a queued end. */
  private flush(): void {
    while (!this.paused && this.dataCb && this.queue.length > 0 && !this.closed) {
      const d = this.queue.shift()!;
      this.unacked += d.byteLength;
      this.dataCb(d);
    }
    // Acknowledge in batches of a quarter window (or at once when the queue drained), not per chunk.
    if (this.unacked > 0 && !this.closed && (this.unacked >= WINDOW / 4 || this.queue.length === 0)) {
      this.port.postMessage({ t: 'a', n: this.unacked });
      this.unacked = 0;
    }
    if (this.endQueued && !this.peerEnded && this.queue.length === 0 && !this.paused && this.endCb && !this.closed) {
      this.peerEnded = true;
      this.endCb();
    }
    if (this.closeQueued && this.queue.length === 0 && (!this.endQueued || this.peerEnded || !this.endCb)) this.finish();
  }

  private finish(error?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    if (!this.isOpen) this.rejectOpened(new PortStreamError(error ?? 'ECONNRESET'));
    this.port.removeEventListener('message', this.listener);
    this.port.close();
    this.closeCb?.(error);
  }
}

export class PortStreamError extends Error {
  override readonly name = 'PortStreamError';
  /** An errno name (ECONNREFUSED: nothing listens there) or EPROTO / ECONNRESET. */
  readonly code: string;
  constructor(code: string) {
    super(code === 'ECONNREFUSED' ? 'nothing is listening there' : `the stream was closed (${code})`);
    this.code = code;
  }
}
