// One client WebSocket connection (RFC 6455) over an abstract duplex byte stream: the opening handshake,
// messages both ways, ping/pong, and the closing handshake. socket.ts builds the browser's `WebSocket` API on
// it; anything else that wants a WebSocket to a server in the sandbox can use it directly.
//
// The stream is the kernel's HostStream (runtime/kernel/net/exposure.ts) or anything of the same shape,
// such as the MessagePort-backed stream a previewed page gets through the kernel's SharedWorker. Only the
// calls below are used; pause/resume are not (the browser API has no receive backpressure either).
//
// Closing, as the RFC has it (section 7): the side that starts sends a Close frame and waits for one back;
// the side that receives one answers it. After both frames the server closes the TCP connection; the client
// half-closes and waits for that, and only then is the connection closed *cleanly*, with the code of the
// Close frame it received (1005 if that had no body). A stream that ends without a Close frame, or a server
// that does not answer one within closeTimeoutMs, gives 1006. A protocol violation *fails* the connection:
// the client sends Close with 1002/1007/1009 (the WsError's closeCode), reports 1006 with the error, and
// stops reading.
//
// Events are called synchronously from the stream's callbacks; they must not throw (an exception fails the
// connection with 1011). The connection keeps no event queue of its own: socket.ts queues tasks.
import { WsError } from './errors.js';
import { FrameReader, Op, decodeClose, encodeClose, encodeFrame, isControl, MAX_CONTROL_PAYLOAD } from './frames.js';
import { HeadReader, acceptFor, checkRequest, encodeRequest, makeKey, parseResponseHead, validateResponse, type HandshakeRequest, type Negotiated } from './handshake.js';
import { DEFAULT_MAX_MESSAGE, MessageAssembler } from './message.js';
import { platform, utf8Encoder } from './platform.js';

export type { DuplexStream } from '../stream/duplex.js';
import type { DuplexStream } from '../stream/duplex.js';

export interface WsConnectionOptions extends HandshakeRequest {
  /** Largest message accepted from the server, in bytes (default 64 MiB); a larger one fails with 1009. */
  maxMessageSize?: number;
  /** How long to wait for the server's Close frame, and then for it to end the stream (default 5000 ms). */
  closeTimeoutMs?: number;
}

export interface WsCloseInfo {
  /** The status code of the Close frame received; 1005 if it had none, 1006 if none was received. */
  code: number;
  reason: string;
  /** Both Close frames were exchanged and the stream ended after them. */
  wasClean: boolean;
  /** Set when the connection was failed (the WebSocket API fires `error` before `close` then). */
  error?: WsError;
}

export interface WsConnectionEvents {
  /** The handshake succeeded; messages may be sent. */
  open?(negotiated: Negotiated): void;
  /** A complete message: a string for text; for binary, a Uint8Array that is the whole of its ArrayBuffer. */
  message?(data: string | Uint8Array): void;
  /** A ping arrived (it has been answered already). */
  ping?(payload: Uint8Array): void;
  pong?(payload: Uint8Array): void;
  /** The server started the closing handshake (its Close frame has been answered). */
  closing?(code: number, reason: string): void;
  /** The connection is closed; called exactly once. */
  close?(info: WsCloseInfo): void;
  /** `bytes` of message payload were handed to the stream (for the API's bufferedAmount). */
  sent?(bytes: number): void;
}

export type WsState = 'connecting' | 'open' | 'closing' | 'closed';

interface Pending { frame: Uint8Array; app: number; after?: () => void }

export class WsConnection {
  /** 'closing' once either side's Close frame is on its way; 'closed' after the close event. */
  state: WsState = 'connecting';
  protocol = '';
  extensions = '';

  private readonly head = new HeadReader();
  private readonly reader: FrameReader;
  private readonly assembler: MessageAssembler;
  private readonly closeTimeoutMs: number;
  private accept: string | null = null;
  private queue: Pending[] = [];
  private queued = 0;
  private blocked = false;
  private endWhenFlushed = false;
  private weEnded = false;
  private peerEnded = false;
  private streamClosed = false;
  private sentClose = false;
  private received: { code: number; reason: string } | null = null;
  private timer: unknown = null;
  private reapTimer: unknown = null;

  /** Starts the handshake. Throws WsError('WS_ERR_ARG') for an invalid request, before using the stream. */
  constructor(
    private readonly stream: DuplexStream,
    private readonly opts: WsConnectionOptions,
    private readonly events: WsConnectionEvents = {},
  ) {
    checkRequest(opts);
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 5000;
    this.assembler = new MessageAssembler(opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE, (m) => this.events.message?.(m));
    this.reader = new FrameReader({
      dataStart: (op, fin, n) => this.assembler.dataStart(op, fin, n),
      dataChunk: (b) => this.assembler.dataChunk(b),
      dataEnd: (fin) => this.assembler.dataEnd(fin),
      control: (op, p) => this.control(op, p),
    });
    stream.onData((d) => this.onData(d));
    stream.onEnd(() => this.onEnd());
    stream.onClose((e) => this.onStreamClose(e));
    stream.onDrain(() => this.flush());
    // The expected answer is computed (SHA-1 is async in WebCrypto) before the request goes out, so that the
    // response, and the frames that may follow it in the same read, are checked as they arrive.
    const key = makeKey();
    acceptFor(key).then(
      (accept) => {
        if (this.state !== 'connecting') return;
        this.accept = accept;
        this.write(encodeRequest(opts, key), 0);
      },
      (e: unknown) => this.fail(asWsError(e, 'WS_ERR_CONNECT')),
    );
  }

  /** Message payload bytes queued here, not yet handed to the stream. */
  get bufferedAmount(): number { return this.queued; }

  /** Send a text message. False (and nothing sent) unless the connection is open. */
  sendText(text: string): boolean {
    return this.sendFrame(Op.TEXT, utf8Encoder.encode(text));
  }

  /** Send a binary message (the bytes are copied as the frame is built). */
  sendBinary(data: Uint8Array): boolean {
    return this.sendFrame(Op.BINARY, data);
  }

  /**
   * Send one data frame as it is: fin=false and continuation frames send a message in parts. The caller
   * keeps the sequence valid. False (and nothing sent) unless the connection is open.
   */
  sendFrame(opcode: number, payload: Uint8Array, fin = true): boolean {
    if (this.state !== 'open') return false;
    if (isControl(opcode)) throw new WsError('WS_ERR_ARG', 'sendFrame sends data frames; use ping() or close()');
    this.write(encodeFrame(opcode, payload, fin), payload.length);
    return true;
  }

  /** Send a ping (the server answers with a pong event). */
  ping(payload: Uint8Array = new Uint8Array(0)): boolean {
    if (payload.length > MAX_CONTROL_PAYLOAD) throw new WsError('WS_ERR_ARG', 'ping payload longer than 125 bytes');
    if (this.state !== 'open') return false;
    this.write(encodeFrame(Op.PING, payload), 0);
    return true;
  }

  /**
   * Start the closing handshake: a Close frame with `code` and `reason` (neither: an empty body), after the
   * messages already sent. While connecting, this fails the connection instead (1006, WS_ERR_ABORTED).
   */
  close(code?: number, reason?: Uint8Array | string): void {
    if (this.state === 'connecting') {
      this.fail(new WsError('WS_ERR_ABORTED', 'closed before the connection was established'));
      return;
    }
    if (this.state !== 'open') return;
    if (code === undefined && reason !== undefined && reason.length > 0) code = 1000;
    const body = encodeClose(code, reason);
    this.state = 'closing';
    this.sentClose = true;
    // Wait for the server's Close frame from when ours is actually handed to the stream.
    this.write(encodeFrame(Op.CLOSE, body), 0, () => {
      if (!this.received) this.arm(() => this.finish({ code: 1006, reason: '', wasClean: false }, false));
    });
  }

  /** Give up on the connection without a closing handshake: the stream is reset; close reports 1006. */
  abort(message = 'aborted'): void {
    this.fail(new WsError('WS_ERR_ABORTED', message));
  }

  // ---- reading -------------------------------------------------------------------------------------------

  private onData(d: Uint8Array): void {
    if (this.state === 'closed') return;
    if (this.state !== 'connecting') { this.readFrames(d); return; }
    let rest: Uint8Array;
    let negotiated: Negotiated;
    try {
      const r = this.head.push(d);
      if (!r) return;
      if (this.accept === null) throw new WsError('WS_ERR_HANDSHAKE', 'the server answered before the request');
      negotiated = validateResponse(parseResponseHead(r.head), this.accept, this.opts.protocols);
      rest = r.rest;
    } catch (e) {
      this.fail(asWsError(e, 'WS_ERR_HANDSHAKE'));
      return;
    }
    this.state = 'open';
    this.protocol = negotiated.protocol;
    this.extensions = negotiated.extensions;
    this.events.open?.(negotiated);
    // Frames that came in the same read as the 101.
    if (rest.length > 0) this.readFrames(rest);
  }

  private readFrames(d: Uint8Array): void {
    try {
      this.reader.push(d);
    } catch (e) {
      this.fail(asWsError(e, 'WS_ERR_INTERNAL'));
    }
  }

  private control(opcode: number, payload: Uint8Array): void {
    if (opcode === Op.PING) {
      // Answer at once (after what is queued); not after our Close frame, which must be the last frame.
      if (!this.sentClose) this.write(encodeFrame(Op.PONG, payload), 0);
      this.events.ping?.(payload);
    } else if (opcode === Op.PONG) {
      this.events.pong?.(payload);
    } else {
      const { code, reason } = decodeClose(payload);
      this.received = { code, reason };
      this.reader.stop();
      this.disarm();
      if (!this.sentClose) {
        this.state = 'closing';
        this.sentClose = true;
        this.events.closing?.(code, reason);
        this.write(encodeFrame(Op.CLOSE, encodeClose(code === 1005 ? undefined : code)), 0);
      }
      // Both Close frames are exchanged: half-close, and wait for the server to end the stream.
      this.end();
      this.arm(() => this.finish({ code, reason, wasClean: true }, false));
    }
  }

  private onEnd(): void {
    this.peerEnded = true;
    this.streamGone('the server closed the connection during the handshake');
  }

  private onStreamClose(error?: string): void {
    this.streamClosed = true;
    if (this.state === 'closed') {
      this.clearReap();
      return;
    }
    this.streamGone(error === 'ECONNREFUSED' ? 'connection refused' : `the connection was closed during the handshake${error ? ` (${error})` : ''}`, error);
  }

  /** The stream ended (or closed) under us. */
  private streamGone(handshakeMessage: string, error?: string): void {
    if (this.state === 'closed') return;
    if (this.state === 'connecting') {
      this.fail(new WsError(error === 'ECONNREFUSED' ? 'WS_ERR_CONNECT' : 'WS_ERR_CLOSED', handshakeMessage));
      return;
    }
    if (this.received) this.finish({ code: this.received.code, reason: this.received.reason, wasClean: true }, true);
    else this.finish({ code: 1006, reason: '', wasClean: false }, false);
  }

  // ---- failing and finishing -----------------------------------------------------------------------------

  /** Fail the connection (RFC 6455 7.1.7): a Close frame with the error's code if open, then close. */
  private fail(error: WsError): void {
    if (this.state === 'closed') return;
    this.reader.stop();
    const graceful = this.state !== 'connecting' && !this.sentClose && error.closeCode !== undefined && !this.streamClosed;
    if (graceful) {
      // Queued frames are not sent (the stream has none of them yet); the Close frame goes out at once.
      this.sentClose = true;
      this.queue = [];
      this.queued = 0;
      this.put({ frame: encodeFrame(Op.CLOSE, encodeClose(error.closeCode)), app: 0 });
      this.end();
    }
    this.finish({ code: 1006, reason: '', wasClean: false, error }, graceful);
  }

  /**
   * Report the close and let go of the stream: reset it, or (graceful) leave it half-closed for a while so
   * that our last frames reach the server, and reset it only if it does not close by itself.
   */
  private finish(info: WsCloseInfo, graceful: boolean): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.reader.stop();
    this.disarm();
    this.queue = [];
    this.queued = 0;
    if (!this.streamClosed) {
      if (graceful) {
        this.end();
        this.reapTimer = platform.setTimeout(() => { this.reapTimer = null; this.closeStream(); }, this.closeTimeoutMs);
      } else {
        this.closeStream();
      }
    }
    this.events.close?.(info);
  }

  private closeStream(): void {
    if (this.streamClosed) return;
    this.streamClosed = true;
    try { this.stream.close(); } catch { /* already gone */ }
  }

  private arm(fn: () => void): void {
    this.disarm();
    this.timer = platform.setTimeout(() => { this.timer = null; fn(); }, this.closeTimeoutMs);
  }

  private disarm(): void {
    if (this.timer !== null) platform.clearTimeout(this.timer);
    this.timer = null;
  }

  private clearReap(): void {
    if (this.reapTimer !== null) platform.clearTimeout(this.reapTimer);
    this.reapTimer = null;
  }

  // ---- writing -------------------------------------------------------------------------------------------

  /** Hand a frame to the stream, or queue it behind others while the stream is full. */
  private write(frame: Uint8Array, app: number, after?: () => void): void {
    if (this.streamClosed) return;
    const p: Pending = { frame, app, after };
    if (this.blocked || this.queue.length > 0) {
      this.queue.push(p);
      this.queued += app;
    } else {
      this.put(p);
    }
  }

  private put(p: Pending): void {
    let ok = false;
    try {
      ok = this.stream.write(p.frame);
    } catch {
      // A stream that throws on write is gone; its onClose reports why.
      ok = false;
    }
    if (p.app > 0) this.events.sent?.(p.app);
    p.after?.();
    if (!ok) this.blocked = true;
  }

  private flush(): void {
    this.blocked = false;
    while (!this.blocked && this.queue.length > 0 && !this.streamClosed) {
      const p = this.queue.shift()!;
      this.queued -= p.app;
      this.put(p);
    }
    if (this.queue.length === 0 && this.endWhenFlushed) this.end();
  }

  /** Half-close once everything queued has been handed to the stream. */
  private end(): void {
    this.endWhenFlushed = true;
    if (this.weEnded || this.streamClosed || this.queue.length > 0) return;
    this.weEnded = true;
    try { this.stream.end(); } catch { /* already gone */ }
  }
}

function asWsError(e: unknown, code: 'WS_ERR_CONNECT' | 'WS_ERR_HANDSHAKE' | 'WS_ERR_INTERNAL'): WsError {
  if (e instanceof WsError) return e;
  return new WsError(code, e instanceof Error ? e.message : String(e), code === 'WS_ERR_INTERNAL' ? 1011 : undefined);
}
