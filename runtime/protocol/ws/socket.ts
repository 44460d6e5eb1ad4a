// The browser's `WebSocket` API (WHATWG WebSockets standard) over connection.ts, for the script injected
// into previewed pages: a service worker cannot see a page's WebSockets, so the shim replaces
// window.WebSocket with a class from webSocketClass() whose streams reach the sandbox's server through the
// kernel's SharedWorker. The shim supplies the stream factory, what the server should see of the URL (the
// page's URL points at the IDE's origin, under /preview/...), and the headers a browser would add (Origin,
// Cookie); everything else behaves as the standard says, as far as a script can tell:
//
// - The constructor validates the URL (relative URLs and http(s) schemes are accepted, as browsers do now)
//   and the subprotocols synchronously, throwing SyntaxError DOMExceptions; connecting is asynchronous and
//   every failure, including "nothing listens there", is reported the same way: `error`, then `close` with
//   code 1006 and wasClean false (the standard forbids telling those cases apart).
// - Every event is fired from a queued task, one task per event and in the order the protocol produced
//   them; a `message` is dropped if readyState is no longer OPEN when its task runs. readyState changes in
//   those tasks too, except CLOSING after close(), which is immediate.
// - bufferedAmount grows by each send() and shrinks, a task later, once the frame is handed to the stream.
//   Blobs are read asynchronously; later sends and close() wait behind them, keeping the order.
import { WsConnection, type DuplexStream, type WsCloseInfo, type WsConnectionOptions } from './connection.js';
import { WsError } from './errors.js';
import { Op } from './frames.js';
import { domException, makeCloseEvent, makeEvent, makeMessageEvent, type CloseEventLike, type MessageEventLike } from './events.js';
import { isToken } from './handshake.js';
import { platform, queueTask, utf8Encoder, type BlobLike, type EventLike, type URLLike } from './platform.js';

/** Opens the stream to the server for a WebSocket URL (the serialized ws:/wss: URL). May throw or reject. */
export type WsStreamFactory = (url: string) => DuplexStream | Promise<DuplexStream>;

export interface WsSocketOptions {
  connect: WsStreamFactory;
  /** Base URL for relative URLs (the previewed page's URL). */
  base?: string;
  /** The Origin header (the previewed page's origin). Omitted when not given. */
  origin?: string;
  /**
   * The handshake request for a URL, where it differs from the URL itself: the Host and request target the
   * server should see (by default the URL's host and path), and further headers such as Cookie. Called once
   * per connection; if it throws, the connection fails like any other.
   */
  request?: (url: string) => WsRequestOverrides | undefined;
  maxMessageSize?: number;
  closeTimeoutMs?: number;
}

export interface WsRequestOverrides {
  host?: string;
  /** The request target, e.g. "/ws?room=1". */
  path?: string;
  headers?: Iterable<readonly [string, string]> | Record<string, string>;
}

export type BinaryType = 'blob' | 'arraybuffer';
type EventType = 'open' | 'message' | 'error' | 'close';
type Handler<E> = ((this: WsSocket, ev: E) => unknown) | null;

type Out =
  | { kind: 'data'; op: number; bytes: Uint8Array }
  | { kind: 'blob'; blob: BlobLike; bytes: Uint8Array | null; reading: boolean }
  | { kind: 'close'; code?: number; reason?: Uint8Array };

const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;

export class WsSocket extends platform.EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  declare readonly CONNECTING: 0;
  declare readonly OPEN: 1;
  declare readonly CLOSING: 2;
  declare readonly CLOSED: 3;

  #url: string;
  #origin: string;
  #readyState = CONNECTING;
  #buffered = 0;
  #protocol = '';
  #extensions = '';
  #binaryType: BinaryType = platform.Blob ? 'blob' : 'arraybuffer';
  #conn: WsConnection | null = null;
  /** close() was called before there was a connection to fail. */
  #aborted = false;
  #closeReported = false;
  #out: Out[] = [];
  #handlers: { open: Handler<EventLike>; message: Handler<MessageEventLike>; error: Handler<EventLike>; close: Handler<CloseEventLike> } =
    { open: null, message: null, error: null, close: null };
  #wrappers = new Map<EventType, (ev: never) => unknown>();

  /**
   * new WebSocket(url, protocols) with the stream factory and request in `options`. Throws a SyntaxError
   * DOMException for a URL that is not ws(s)/http(s), has a fragment, or for invalid or repeated protocols.
   */
  constructor(url: string | URLLike, protocols: string | Iterable<string> = [], options: WsSocketOptions) {
    super();
    const u = parseUrl(String(url), options.base);
    const list = typeof protocols === 'string' || typeof (protocols as Iterable<string>)?.[Symbol.iterator] !== 'function'
      ? [String(protocols)]
      : Array.from(protocols as Iterable<string>, String);
    const seen = new Set<string>();
    for (const p of list) {
      if (!isToken(p) || seen.has(p)) throw domException(`The subprotocol '${p}' is invalid or repeated.`, 'SyntaxError');
      seen.add(p);
    }
    this.#url = u.href;
    this.#origin = u.origin;
    let req: WsConnectionOptions;
    let stream: DuplexStream | Promise<DuplexStream>;
    try {
      const o = options.request?.(u.href);
      req = {
        host: o?.host ?? u.host,
        path: o?.path ?? (u.pathname || '/') + u.search,
        origin: options.origin,
        protocols: list,
        headers: headerList(o?.headers),
        maxMessageSize: options.maxMessageSize,
        closeTimeoutMs: options.closeTimeoutMs,
      };
      stream = options.connect(u.href);
    } catch (e) {
      this.#failEarly(e);
      return;
    }
    if (isPromise(stream)) stream.then((s) => this.#attach(s, req), (e: unknown) => this.#failEarly(e));
    else this.#attach(stream, req);
  }

  get url(): string { return this.#url; }
  get readyState(): number { return this.#readyState; }
  get bufferedAmount(): number { return this.#buffered; }
  get protocol(): string { return this.#protocol; }
  get extensions(): string { return this.#extensions; }
  get binaryType(): BinaryType { return this.#binaryType; }
  set binaryType(v: BinaryType) {
    // An enumeration attribute: other values are ignored. 'blob' needs a Blob constructor.
    if (v === 'arraybuffer' || (v === 'blob' && platform.Blob)) this.#binaryType = v;
  }

  get onopen(): Handler<EventLike> { return this.#handlers.open; }
  set onopen(h: Handler<EventLike>) { this.#setHandler('open', h); }
  get onmessage(): Handler<MessageEventLike> { return this.#handlers.message; }
  set onmessage(h: Handler<MessageEventLike>) { this.#setHandler('message', h); }
  get onerror(): Handler<EventLike> { return this.#handlers.error; }
  set onerror(h: Handler<EventLike>) { this.#setHandler('error', h); }
  get onclose(): Handler<CloseEventLike> { return this.#handlers.close; }
  set onclose(h: Handler<CloseEventLike>) { this.#setHandler('close', h); }

  /** Queue a message. Throws InvalidStateError while CONNECTING; after close() data is counted, not sent. */
  send(data: string | ArrayBuffer | ArrayBufferView | BlobLike): void {
    if (this.#readyState === CONNECTING) throw domException('Still in CONNECTING state.', 'InvalidStateError');
    let item: Out;
    let size: number;
    if (data instanceof ArrayBuffer) {
      item = { kind: 'data', op: Op.BINARY, bytes: new Uint8Array(data) };
      size = data.byteLength;
    } else if (ArrayBuffer.isView(data)) {
      item = { kind: 'data', op: Op.BINARY, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      size = data.byteLength;
    } else if (isBlob(data)) {
      item = { kind: 'blob', blob: data, bytes: null, reading: false };
      size = data.size;
    } else {
      const bytes = utf8Encoder.encode(String(data));
      item = { kind: 'data', op: Op.TEXT, bytes };
      size = bytes.length;
    }
    this.#buffered += size;
    if (this.#readyState !== OPEN || this.#conn?.state !== 'open') return;
    // Behind a Blob still being read, the bytes are kept as they are now (send() takes a snapshot).
    if (this.#out.length > 0 && item.kind === 'data' && item.op === Op.BINARY) item.bytes = item.bytes.slice();
    this.#out.push(item);
    this.#pump();
  }

  /**
   * Start the closing handshake (or, while connecting, fail the connection). Throws InvalidAccessError for a
   * code other than 1000 or 3000-4999, SyntaxError for a reason longer than 123 bytes of UTF-8.
   */
  close(code?: number, reason?: string): void {
    let c: number | undefined;
    if (code !== undefined) {
      c = clampUnsignedShort(code);
      if (c !== 1000 && !(c >= 3000 && c <= 4999)) throw domException(`The close code must be either 1000, or between 3000 and 4999. ${c} is neither.`, 'InvalidAccessError');
    }
    let r: Uint8Array | undefined;
    if (reason !== undefined) {
      r = utf8Encoder.encode(String(reason));
      if (r.length > 123) throw domException('The close reason must not be greater than 123 UTF-8 bytes.', 'SyntaxError');
    }
    if (this.#readyState === CLOSING || this.#readyState === CLOSED) return;
    const conn = this.#conn;
    this.#readyState = CLOSING;
    if (!conn) {
      this.#aborted = true;
      this.#failEarly(new WsError('WS_ERR_ABORTED', 'closed before the connection was established'));
    } else if (conn.state === 'connecting') {
      conn.close();
    } else if (conn.state === 'open') {
      if (this.#out.length > 0) this.#out.push({ kind: 'close', code: c, reason: r });
      else conn.close(c, r);
    }
  }

  // ---- internals -----------------------------------------------------------------------------------------

  #attach(stream: DuplexStream, req: WsConnectionOptions): void {
    if (this.#aborted) {
      try { stream.close(); } catch { /* ignore */ }
      return;
    }
    try {
      this.#conn = new WsConnection(stream, req, {
        open: (n) => queueTask(() => {
          this.#protocol = n.protocol;
          this.#extensions = n.extensions;
          if (this.#readyState === CONNECTING) this.#readyState = OPEN;
          this.dispatchEvent(makeEvent('open'));
        }),
        message: (m) => queueTask(() => {
          if (this.#readyState !== OPEN) return;
          let data: unknown = m;
          if (typeof m !== 'string') data = this.#binaryType === 'blob' && platform.Blob ? new platform.Blob([m]) : m.buffer;
          this.dispatchEvent(makeMessageEvent(data, this.#origin));
        }),
        closing: () => queueTask(() => {
          if (this.#readyState < CLOSING) this.#readyState = CLOSING;
        }),
        sent: (n) => queueTask(() => { this.#buffered -= n; }),
        close: (info) => this.#reportClose(info),
      });
    } catch (e) {
      try { stream.close(); } catch { /* ignore */ }
      this.#failEarly(e);
    }
  }

  #failEarly(e: unknown): void {
    const error = e instanceof WsError ? e : new WsError('WS_ERR_CONNECT', e instanceof Error ? e.message : String(e));
    this.#reportClose({ code: 1006, reason: '', wasClean: false, error });
  }

  #reportClose(info: WsCloseInfo): void {
    if (this.#closeReported) return;
    this.#closeReported = true;
    this.#out = [];
    queueTask(() => {
      this.#readyState = CLOSED;
      if (info.error) this.dispatchEvent(makeEvent('error'));
      this.dispatchEvent(makeCloseEvent({ code: info.code, reason: info.reason, wasClean: info.wasClean }));
    });
  }

  /** Hand queued sends to the connection in order, waiting for Blobs to be read. */
  #pump(): void {
    const conn = this.#conn;
    while (this.#out.length > 0 && conn) {
      const it = this.#out[0]!;
      if (it.kind === 'blob' && it.bytes === null) {
        if (!it.reading) {
          it.reading = true;
          it.blob.arrayBuffer().then(
            (b) => { it.bytes = new Uint8Array(b); this.#pump(); },
            () => { this.#out = []; conn.abort('could not read a Blob passed to send()'); },
          );
        }
        return;
      }
      this.#out.shift();
      if (it.kind === 'close') conn.close(it.code, it.reason);
      else conn.sendFrame(it.kind === 'blob' ? Op.BINARY : it.op, it.bytes!);
    }
  }

  #setHandler(type: EventType, h: unknown): void {
    // EventHandler attributes take any object (only a function is ever called); anything else is null.
    const fn = typeof h === 'function' || (typeof h === 'object' && h !== null) ? h : null;
    const handlers = this.#handlers as Record<EventType, unknown>;
    const had = handlers[type] !== null;
    handlers[type] = fn;
    let w = this.#wrappers.get(type);
    if (!w) {
      w = (ev: never) => {
        const cur = (this.#handlers as Record<EventType, unknown>)[type];
        return typeof cur === 'function' ? (cur as (this: WsSocket, ev: unknown) => unknown).call(this, ev) : undefined;
      };
      this.#wrappers.set(type, w);
    }
    if (fn && !had) this.addEventListener(type, w);
    else if (!fn && had) this.removeEventListener(type, w);
  }
}

for (const [name, value] of [['CONNECTING', CONNECTING], ['OPEN', OPEN], ['CLOSING', CLOSING], ['CLOSED', CLOSED]] as const) {
  Object.defineProperty(WsSocket.prototype, name, { value, enumerable: true });
}
Object.defineProperty(WsSocket.prototype, Symbol.toStringTag, { value: 'WebSocket', configurable: true });

/**
 * A `WebSocket` class for a page: `new (webSocketClass(o))(url, protocols)` is `new WsSocket(url, protocols, o)`.
 * Its name is WebSocket, as scripts that check the constructor expect.
 */
export function webSocketClass(options: WsSocketOptions): { new (url: string | URLLike, protocols?: string | Iterable<string>): WsSocket; readonly CONNECTING: 0; readonly OPEN: 1; readonly CLOSING: 2; readonly CLOSED: 3 } {
  return class WebSocket extends WsSocket {
    constructor(url: string | URLLike, protocols?: string | Iterable<string>) {
      super(url, protocols, options);
    }
  } as never;
}

// ---- helpers ---------------------------------------------------------------------------------------------

function parseUrl(s: string, base?: string): URLLike {
  let u: URLLike;
  try {
    u = new platform.URL(s, base);
  } catch {
    throw domException(`The URL '${s}' is invalid.`, 'SyntaxError');
  }
  if (u.protocol === 'http:') u = new platform.URL('ws:' + u.href.slice(5));
  else if (u.protocol === 'https:') u = new platform.URL('wss:' + u.href.slice(6));
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw domException(`The URL's scheme must be either 'http', 'https', 'ws', or 'wss'. '${u.protocol}' is not allowed.`, 'SyntaxError');
  if (u.href.includes('#')) throw domException(`The URL contains a fragment identifier ('${s}'). Fragment identifiers are not allowed in WebSocket URLs.`, 'SyntaxError');
  return u;
}

function headerList(h: Iterable<readonly [string, string]> | Record<string, string> | undefined): Array<[string, string]> {
  if (!h) return [];
  if (typeof (h as Iterable<unknown>)[Symbol.iterator] === 'function') return Array.from(h as Iterable<readonly [string, string]>, ([k, v]) => [k, v]);
  return Object.entries(h as Record<string, string>);
}

/** WebIDL [Clamp] unsigned short: NaN is 0, clamped to 0..65535, rounded half to even. */
function clampUnsignedShort(v: unknown): number {
  let x = Number(v);
  if (Number.isNaN(x)) return 0;
  x = Math.min(Math.max(x, 0), 65535);
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

function isPromise<T>(x: T | Promise<T>): x is Promise<T> {
  return typeof (x as { then?: unknown } | null)?.then === 'function';
}

function isBlob(x: unknown): x is BlobLike {
  if (platform.Blob) return x instanceof platform.Blob;
  return typeof x === 'object' && x !== null && typeof (x as BlobLike).arrayBuffer === 'function' && typeof (x as BlobLike).size === 'number';
}
