// A tunnel session: many byte streams multiplexed over one ordered, reliable transport (a WebSocket), with
// per-stream receive windows (yamux-style). Runtime-agnostic; the transport and timers are passed in.
//
// Flow control is end to end: a stream may have at most `window` bytes in flight toward its peer; the peer
// returns credit with WINDOW_UPDATE only for bytes its application has taken (not while it is paused). So a
// public client that stops reading stops the sandbox server's writes, and the other way round.
//
// Malformed input never throws out of receive(): a stream-level violation resets that stream (RST with a
// StreamError code); a framing or session-level violation ends the session with GO_AWAY(code).
import { Flag, FrameDecoder, FrameType, GoAway, MAX_DATA_CHUNK, StreamError, encodeFrame, encodeHeader, type Frame } from './frame.js';
import { TunnelError } from './errors.js';

export const DEFAULT_WINDOW = 256 * 1024;
export const DEFAULT_MAX_STREAMS = 1024;
const MAX_WINDOW = 0x7fffffff;
/** Pending outgoing bytes that make a transport message at once (well under the 1 MiB WebSocket limit). */
const BATCH_BYTES = 256 * 1024;

export interface Transport {
  send(bytes: Uint8Array): void;
  close(): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

const g = globalThis as unknown as Timers & { queueMicrotask(fn: () => void): void; TextEncoder: new () => { encode(s: string): Uint8Array }; TextDecoder: new (l?: string, o?: { fatal?: boolean }) => { decode(b: Uint8Array): string } };
const defaultTimers: Timers = { setTimeout: (fn, ms) => g.setTimeout(fn, ms), clearTimeout: (h) => g.clearTimeout(h) };
const enc = new g.TextEncoder();
const dec = new g.TextDecoder('utf-8', { fatal: true });

export interface SessionOptions {
  /** The WebSocket client opens odd stream ids, the server even ones. */
  side: 'client' | 'server';
  /** Per-stream receive window in bytes (both sides start from DEFAULT_WINDOW; larger windows are granted by WINDOW_UPDATE). */
  window?: number;
  /** Open streams per session; a SYN beyond it is refused with RST(TOO_MANY_STREAMS). */
  maxStreams?: number;
  /** Largest DATA payload accepted; a bigger frame ends the session with GO_AWAY(FRAME_TOO_LARGE). */
  maxPayload?: number;
  /** Keepalive: send a PING this often (0: never) and give up when none is answered within pingTimeoutMs. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  timers?: Timers;
  /** The peer opened a stream. `meta` is the JSON sent with the SYN. Not setting this refuses all streams. */
  onStream?: (stream: Stream, meta: unknown) => void;
  /** A session-level control message (JSON on stream 0). */
  onControl?: (msg: unknown) => void;
  /** The session ended: by GO_AWAY (sent or received) or because the transport closed. */
  /** `transport` is true when the transport closed without a GO_AWAY (code is then NORMAL). */
  onClose?: (code: number, reason: string, byPeer: boolean, transport: boolean) => void;
}

export class Stream {
  /** Called with each chunk of data from the peer (not while paused). */
  ondata: ((data: Uint8Array) => void) | null = null;
  /** The peer half-closed its direction (FIN). */
  onend: (() => void) | null = null;
  /** The stream is gone: both sides ended (code undefined) or it was reset (a StreamError code). */
  onclose: ((code?: number) => void) | null = null;
  /** Everything queued by write() has been sent. */
  ondrain: (() => void) | null = null;
  /** The peer accepted a stream this side opened. */
  onopen: (() => void) | null = null;

  /** @internal */ sendWindow: number;
  /** @internal */ recvWindow: number;
  /** @internal */ sendQueue: Uint8Array[] = [];
  /** @internal */ queued = 0;
  /** @internal */ recvQueue: Uint8Array[] = [];
  /** @internal */ consumed = 0;
  /** @internal */ paused = false;
  /** @internal */ wantDrain = false;
  /** @internal */ endQueued = false;
  /** @internal */ finSent = false;
  /** @internal */ remoteEnded = false;
  /** @internal */ endDelivered = false;
  /** @internal */ needAck: boolean;
  /** @internal */ opened: boolean;
  closed = false;
  bytesIn = 0;
  bytesOut = 0;

  constructor(private readonly session: Session, readonly id: number, window: number, incoming: boolean) {
    this.sendWindow = DEFAULT_WINDOW;
    this.recvWindow = window;
    this.needAck = incoming;
    this.opened = incoming;
  }

  /** Queue data for the peer. Returns false when it could not all be sent at once: wait for ondrain. */
  write(data: Uint8Array): boolean {
    if (this.closed || this.endQueued) return false;
    if (data.length === 0) return this.queued === 0;
    this.sendQueue.push(data);
    this.queued += data.length;
    this.session.flushStream(this);
    if (this.queued === 0) return true;
    this.wantDrain = true;
    return false;
  }

  /** Half-close: FIN after the queued data. The peer may still send. */
  end(): void {
    if (this.closed || this.endQueued) return;
    this.endQueued = true;
    this.session.flushStream(this);
  }

  /** Abort both directions with a StreamError code. */
  reset(code: number = StreamError.CANCEL): void { this.session.resetStream(this, code, true); }

  /** Stop delivering data (and granting window) until resume(). */
  pause(): void { this.paused = true; }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.session.deliver(this);
  }

  get bufferedAmount(): number { return this.queued; }
}

export class Session {
  readonly streams = new Map<number, Stream>();
  closed = false;
  bytesIn = 0;
  bytesOut = 0;
  private readonly decoder: FrameDecoder;
  private readonly window: number;
  private readonly maxStreams: number;
  private readonly timers: Timers;
  private nextId: number;
  private lastPeerId = 0;
  private pingTimer: unknown = null;
  private pingSeq = 0;
  private pingOutstanding: { value: number; sentTicks: number } | null = null;
  private pingWaiters = new Map<number, (ok: boolean) => void>();
  private out: Uint8Array[] = [];
  private outBytes = 0;
  private flushQueued = false;
  private receiving = 0;

  constructor(private readonly transport: Transport, private readonly opts: SessionOptions) {
    this.decoder = new FrameDecoder(opts.maxPayload);
    this.window = Math.max(DEFAULT_WINDOW, opts.window ?? DEFAULT_WINDOW);
    this.maxStreams = opts.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.timers = opts.timers ?? defaultTimers;
    this.nextId = opts.side === 'client' ? 1 : 2;
    if (opts.pingIntervalMs) this.schedulePing();
  }

  // ---- outgoing ---------------------------------------------------------------------------------------------

  /** Open a stream; `meta` (JSON) tells the peer what it is for. */
  open(meta: unknown): Stream {
    if (this.closed) throw new TunnelError('TUNNEL_ERR_SESSION_CLOSED', 'the tunnel session is closed');
    if (this.streams.size >= this.maxStreams) throw new TunnelError('TUNNEL_ERR_TOO_MANY_STREAMS', `more than ${this.maxStreams} streams`);
    if (this.nextId > 0xffffffff) {
      this.goAway(GoAway.STREAM_IDS_EXHAUSTED, 'stream ids exhausted');
      throw new TunnelError('TUNNEL_ERR_SESSION_CLOSED', 'stream ids exhausted');
    }
    const s = new Stream(this, this.nextId, this.window, false);
    this.nextId += 2;
    this.streams.set(s.id, s);
    this.send(encodeFrame(FrameType.CONTROL, Flag.SYN, s.id, 0, enc.encode(JSON.stringify(meta ?? null))));
    if (this.window > DEFAULT_WINDOW) this.send(encodeFrame(FrameType.WINDOW_UPDATE, 0, s.id, this.window - DEFAULT_WINDOW));
    return s;
  }

  /** Send a session control message (JSON on stream 0). */
  control(msg: unknown): void {
    if (this.closed) return;
    this.send(encodeFrame(FrameType.CONTROL, 0, 0, 0, enc.encode(JSON.stringify(msg))));
  }

  /** Round trip: resolves true when the peer answers, false if the session ends first. */
  ping(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const value = (++this.pingSeq) >>> 0;
    return new Promise((resolve) => {
      this.pingWaiters.set(value, resolve);
      this.send(encodeFrame(FrameType.PING, Flag.SYN, 0, value));
    });
  }

  /** End the session: GO_AWAY(code), reset every stream, close the transport. */
  goAway(code: number = GoAway.NORMAL, reason = ''): void {
    if (this.closed) return;
    this.send(encodeFrame(FrameType.GO_AWAY, 0, 0, code));
    this.shutdown(code, reason, false);
  }

  /** The transport went away underneath (WebSocket closed or errored). */
  transportClosed(): void {
    if (!this.closed) this.shutdown(GoAway.NORMAL, 'transport closed', true, true);
  }

  private shutdown(code: number, reason: string, byPeer: boolean, transport = false): void {
    this.closed = true;
    if (this.pingTimer !== null) { this.timers.clearTimeout(this.pingTimer); this.pingTimer = null; }
    for (const s of [...this.streams.values()]) this.closeStream(s, StreamError.SESSION_CLOSED);
    for (const w of this.pingWaiters.values()) w(false);
    this.pingWaiters.clear();
    this.flushOut();
    try { this.transport.close(); } catch { /* already closed */ }
    this.call(() => this.opts.onClose?.(code, reason, byPeer, transport));
  }

  /**
   * Frames are batched into one transport message (one WebSocket message, one socket write) per turn: what
   * receive() makes the session send goes out when it returns, anything else at the next microtask, or
   * once BATCH_BYTES are pending. WebSocket messages need not align with frames (docs/design/tunnel.md).
   */
  private send(bytes: Uint8Array): void {
    this.bytesOut += bytes.length;
    this.out.push(bytes);
    this.outBytes += bytes.length;
    if (this.outBytes >= BATCH_BYTES) this.flushOut();
    else if (!this.flushQueued && this.receiving === 0) {
      this.flushQueued = true;
      g.queueMicrotask(this.flushLater);
    }
  }

  private readonly flushLater = (): void => { this.flushQueued = false; this.flushOut(); };

  private flushOut(): void {
    if (this.out.length === 0) return;
    const parts = this.out;
    let msg = parts[0]!;
    if (parts.length > 1) {
      msg = new Uint8Array(this.outBytes);
      let o = 0;
      for (const p of parts) { msg.set(p, o); o += p.length; }
    }
    this.out = [];
    this.outBytes = 0;
    try { this.transport.send(msg); } catch { /* the transport reports its own close */ }
  }

  /** @internal Send as much of the stream's queue as its window allows; FIN once it is empty. */
  flushStream(s: Stream): void {
    if (this.closed || s.closed) return;
    while (s.sendQueue.length > 0 && s.sendWindow > 0) {
      let chunk = s.sendQueue[0]!;
      const n = Math.min(chunk.length, s.sendWindow, MAX_DATA_CHUNK);
      if (n < chunk.length) { s.sendQueue[0] = chunk.subarray(n); chunk = chunk.subarray(0, n); } else s.sendQueue.shift();
      s.queued -= n;
      s.sendWindow -= n;
      s.bytesOut += n;
      const last = s.endQueued && s.sendQueue.length === 0;
      // Header and payload go into the batch separately: the batch's one copy is the only copy.
      this.send(encodeHeader(FrameType.DATA, this.ackFlag(s) | (last ? Flag.FIN : 0), s.id, n));
      this.send(chunk);
      if (last) s.finSent = true;
    }
    if (s.sendQueue.length === 0) {
      if (s.endQueued && !s.finSent) {
        s.finSent = true;
        this.send(encodeFrame(FrameType.DATA, this.ackFlag(s) | Flag.FIN, s.id, 0));
      }
      this.maybeFinished(s);
      if (!s.closed && s.wantDrain) {
        s.wantDrain = false;
        this.callStream(s, () => s.ondrain?.());
      }
    }
  }

  private ackFlag(s: Stream): number {
    if (!s.needAck) return 0;
    s.needAck = false;
    return Flag.ACK;
  }

  /** @internal */
  resetStream(s: Stream, code: number, local: boolean): void {
    if (s.closed) return;
    if (local && !this.closed) this.send(encodeFrame(FrameType.WINDOW_UPDATE, Flag.RST, s.id, code));
    this.closeStream(s, code);
  }

  private closeStream(s: Stream, code?: number): void {
    if (s.closed) return;
    s.closed = true;
    s.sendQueue = [];
    s.recvQueue = [];
    s.queued = 0;
    this.streams.delete(s.id);
    const cb = s.onclose;
    if (cb) this.call(() => cb(code));
  }

  private maybeFinished(s: Stream): void {
    if (!s.closed && s.finSent && s.endDelivered) this.closeStream(s);
  }

  /** @internal Hand buffered data to the application while it is not paused; return window credit. */
  deliver(s: Stream): void {
    while (!s.closed && !s.paused && s.recvQueue.length > 0) {
      const d = s.recvQueue.shift()!;
      s.consumed += d.length;
      this.callStream(s, () => s.ondata?.(d));
    }
    if (s.closed) return;
    if (s.consumed > 0 && !s.remoteEnded && (s.consumed >= this.window / 4 || s.recvQueue.length === 0 && s.recvWindow === 0)) {
      s.recvWindow += s.consumed;
      this.send(encodeFrame(FrameType.WINDOW_UPDATE, this.ackFlag(s), s.id, s.consumed));
      s.consumed = 0;
    }
    if (s.remoteEnded && s.recvQueue.length === 0 && !s.endDelivered && !s.paused) {
      s.endDelivered = true;
      this.callStream(s, () => s.onend?.());
      this.maybeFinished(s);
    }
  }

  // ---- incoming ---------------------------------------------------------------------------------------------

  /** Feed bytes from the transport. Never throws. */
  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    this.bytesIn += bytes.length;
    this.receiving++;
    try { this.receiveFrames(bytes); } finally {
      if (--this.receiving === 0) this.flushOut();
    }
  }

  private receiveFrames(bytes: Uint8Array): void {
    const { frames, error } = this.decoder.push(bytes);
    for (const f of frames) {
      if (this.closed) return;
      try { this.handle(f); } catch (e) {
        this.goAway(GoAway.INTERNAL_ERROR, `internal error: ${(e as Error)?.message ?? String(e)}`);
        return;
      }
    }
    if (error && !this.closed) this.goAway(error.code, error.message);
  }

  private handle(f: Frame): void {
    switch (f.type) {
      case FrameType.PING:
        if (f.flags & Flag.ACK) {
          const w = this.pingWaiters.get(f.length);
          if (w) { this.pingWaiters.delete(f.length); w(true); }
          if (this.pingOutstanding?.value === f.length) this.pingOutstanding = null;
        } else this.send(encodeFrame(FrameType.PING, Flag.ACK, 0, f.length));
        return;
      case FrameType.GO_AWAY:
        this.shutdown(f.length, 'go-away from peer', true);
        return;
      case FrameType.CONTROL:
        return this.handleControl(f);
      case FrameType.DATA:
      case FrameType.WINDOW_UPDATE:
        return this.handleStreamFrame(f);
    }
  }

  private handleControl(f: Frame): void {
    if (f.streamId === 0) {
      const msg = this.parseJson(f.payload);
      if (msg === undefined) return this.goAway(GoAway.PROTOCOL_ERROR, 'control message is not JSON');
      this.call(() => this.opts.onControl?.(msg));
      return;
    }
    if (!(f.flags & Flag.SYN) || (f.flags & ~Flag.SYN)) return this.goAway(GoAway.PROTOCOL_ERROR, 'CONTROL on a stream without SYN');
    const peerParity = this.opts.side === 'client' ? 0 : 1;
    if (f.streamId % 2 !== peerParity) return this.goAway(GoAway.PROTOCOL_ERROR, `stream id ${f.streamId} has the wrong parity`);
    if (f.streamId <= this.lastPeerId) return this.goAway(GoAway.PROTOCOL_ERROR, `stream id ${f.streamId} reused`);
    this.lastPeerId = f.streamId;
    const rst = (code: number): void => this.send(encodeFrame(FrameType.WINDOW_UPDATE, Flag.RST, f.streamId, code));
    if (this.streams.size >= this.maxStreams) return rst(StreamError.TOO_MANY_STREAMS);
    const meta = this.parseJson(f.payload);
    if (meta === undefined) return rst(StreamError.PROTOCOL);
    if (!this.opts.onStream) return rst(StreamError.REFUSED);
    const s = new Stream(this, f.streamId, this.window, true);
    this.streams.set(s.id, s);
    this.callStream(s, () => this.opts.onStream!(s, meta));
    const extra = this.window - DEFAULT_WINDOW;
    if (!s.closed && (s.needAck || extra > 0)) this.send(encodeFrame(FrameType.WINDOW_UPDATE, this.ackFlag(s), s.id, extra));
  }

  private handleStreamFrame(f: Frame): void {
    if (f.flags & Flag.SYN) return this.goAway(GoAway.PROTOCOL_ERROR, 'SYN outside a CONTROL frame');
    const s = this.streams.get(f.streamId);
    if (!s) {
      // Frames may cross a reset or a close in flight: window credit for a gone stream is dropped, data gets RST.
      if (f.type === FrameType.DATA && !(f.flags & Flag.RST) && f.payload.length > 0) {
        this.send(encodeFrame(FrameType.WINDOW_UPDATE, Flag.RST, f.streamId, StreamError.CANCEL));
      }
      return;
    }
    if (f.flags & Flag.RST) {
      return this.resetStream(s, f.type === FrameType.WINDOW_UPDATE ? f.length : StreamError.CANCEL, false);
    }
    if (f.flags & Flag.ACK && !s.opened) {
      s.opened = true;
      this.callStream(s, () => s.onopen?.());
      if (s.closed) return;
    }
    if (f.type === FrameType.WINDOW_UPDATE) {
      if (f.length > 0) {
        if (s.sendWindow + f.length > MAX_WINDOW) return this.resetStream(s, StreamError.FLOW_CONTROL, true);
        s.sendWindow += f.length;
        this.flushStream(s);
      }
    } else if (f.payload.length > 0) {
      if (s.remoteEnded) return this.resetStream(s, StreamError.PROTOCOL, true);
      if (f.payload.length > s.recvWindow) return this.resetStream(s, StreamError.FLOW_CONTROL, true);
      s.recvWindow -= f.payload.length;
      s.bytesIn += f.payload.length;
      s.recvQueue.push(f.payload);
    }
    if (f.flags & Flag.FIN) {
      if (s.remoteEnded) return this.resetStream(s, StreamError.PROTOCOL, true);
      s.remoteEnded = true;
    }
    this.deliver(s);
  }

  private parseJson(b: Uint8Array): unknown {
    try { return JSON.parse(dec.decode(b)) as unknown; } catch { return undefined; }
  }

  // ---- keepalive --------------------------------------------------------------------------------------------

  private schedulePing(): void {
    const interval = this.opts.pingIntervalMs!;
    const timeout = this.opts.pingTimeoutMs ?? 2 * interval;
    this.pingTimer = this.timers.setTimeout(() => {
      this.pingTimer = null;
      if (this.closed) return;
      if (this.pingOutstanding) {
        this.pingOutstanding.sentTicks++;
        if (this.pingOutstanding.sentTicks * interval >= timeout) return this.goAway(GoAway.PING_TIMEOUT, 'keepalive timeout');
      } else {
        const value = (++this.pingSeq) >>> 0;
        this.pingOutstanding = { value, sentTicks: 0 };
        this.send(encodeFrame(FrameType.PING, Flag.SYN, 0, value));
      }
      this.schedulePing();
    }, interval);
  }

  // ---- application callbacks --------------------------------------------------------------------------------

  /** Run an application callback; an exception there is the application's bug, not a tunnel failure. */
  private call(fn: () => void): void {
    try { fn(); } catch (e) { void e; }
  }

  /** Run a stream callback; an exception resets that stream only. */
  private callStream(s: Stream, fn: () => void): void {
    try { fn(); } catch { this.resetStream(s, StreamError.INTERNAL, true); }
  }
}
