// The sandbox end of the edge tunnel: registers the sandbox's exposure points with an edge proxy over one
// WebSocket and relays each stream the edge opens to kernel.net.exposures.connect(point).
//
// Runtime-agnostic on purpose: no Node or DOM API; the WebSocket (Node's `ws` or the browser's native one)
// and the timers are passed in, so the same client runs in the Node host now and in the SharedWorker later.
//
// Why the lifetimes look like this: the edge keeps a tunnel's id for a grace period after its WebSocket
// drops, so on any unexpected close we reconnect (with backoff) presenting the resume token, and the public
// URLs stay the same. Only an explicit close() or a rejected registration (bad secret) stops reconnecting.
// Flow control is end to end: a HostStream that refuses a write pauses the tunnel stream (whose window then
// stops refilling, so the edge stops reading the public socket), and a full tunnel stream pauses the HostStream.
import type { ExposurePoint, Exposures, HostStream } from '../../kernel/net/exposure.js';
import { GoAway, StreamError, codeName } from '../../protocol/tunnel/frame.js';
import { Session, type Stream, type Timers } from '../../protocol/tunnel/session.js';
import { PROTOCOL_VERSION, parseEdgeMessage, parseOpenMeta, type Hello, type PointInfo } from '../../protocol/tunnel/control.js';
import { TunnelError } from '../../protocol/tunnel/errors.js';

/** The part of the WebSocket API the client uses (browser WebSocket and `ws` both have it). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export const TUNNEL_PATH = '/_wasmux/tunnel';
export const DEFAULT_UNIX_PATH = '/tmp/server.sock';

export interface EdgeClientOptions {
  /** Base URL of the edge, e.g. http://127.0.0.1:8080 (ws:// and wss:// work too). */
  edgeUrl: string;
  exposures: Exposures;
  createWebSocket: (url: string) => WebSocketLike;
  secret?: string;
  timers?: Timers;
  /** A point got its public URL (again after a reconnect only if the URL changed). */
  onExposed?: (point: ExposurePoint, url: string) => void;
  /** Connection state changes and errors, for a status line or a log. */
  onStatus?: (status: 'connected' | 'disconnected' | 'failed', detail: string) => void;
  pingIntervalMs?: number;
  /** Longest pause between reconnect attempts (they start at 250 ms and double). */
  maxBackoffMs?: number;
}

export class EdgeClientError extends Error {
  override readonly name = 'EdgeClientError';
  constructor(readonly code: 'EDGE_CLIENT_ERR_REJECTED' | 'EDGE_CLIENT_ERR_CLOSED' | 'EDGE_CLIENT_ERR_URL', message: string) { super(message); }
}

const g = globalThis as unknown as Timers;

export function tunnelUrl(edgeUrl: string): string {
  const m = /^(https?|wss?):\/\/([^/?#]+)/i.exec(edgeUrl.trim());
  if (!m) throw new EdgeClientError('EDGE_CLIENT_ERR_URL', `bad edge URL "${edgeUrl}" (want http://HOST:PORT)`);
  const scheme = m[1]!.toLowerCase();
  return `${scheme === 'https' || scheme === 'wss' ? 'wss' : 'ws'}://${m[2]}${TUNNEL_PATH}`;
}

export class EdgeClient {
  /** Tunnel id assigned by the edge (null before the first registration). */
  id: string | null = null;
  /** Point id -> public URL. */
  readonly urls = new Map<string, string>();
  session: Session | null = null;
  private resume: string | undefined;
  private ws: WebSocketLike | null = null;
  private closed = false;
  private backoff = 250;
  private retryTimer: unknown = null;
  private readonly timers: Timers;
  private readonly url: string;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly relays = new Set<() => void>();
  private first: { resolve: (id: string) => void; reject: (e: Error) => void } | null = null;

  constructor(private readonly opts: EdgeClientOptions) {
    this.timers = opts.timers ?? { setTimeout: (fn, ms) => g.setTimeout(fn, ms), clearTimeout: (h) => g.clearTimeout(h) };
    this.url = tunnelUrl(opts.edgeUrl);
  }

  /** Connect and register; resolves with the tunnel id after the first registration. */
  start(): Promise<string> {
    const p = new Promise<string>((resolve, reject) => { this.first = { resolve, reject }; });
    const ex = this.opts.exposures;
    this.unsubscribe.push(ex.on('added', (pt) => this.session?.control({ type: 'point-added', point: this.info(pt) })));
    this.unsubscribe.push(ex.on('removed', (pt) => {
      this.urls.delete(pt.id);
      this.session?.control({ type: 'point-removed', id: pt.id });
    }));
    this.connect();
    return p;
  }

  /** Stop: close the tunnel and every relayed stream; no reconnect. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribe) u();
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.session?.goAway(GoAway.NORMAL, 'sandbox exiting');
    this.ws?.close(1000);
    this.fail(new EdgeClientError('EDGE_CLIENT_ERR_CLOSED', 'closed before registering'));
  }

  /** Drop the WebSocket without going away, as a network failure would (tests; the client reconnects). */
  dropConnection(): void { this.ws?.close(4000, 'dropped'); }

  private defaultPointId(): string {
    const first = this.opts.exposures.unixPaths.values().next();
    return `unix:${first.done ? DEFAULT_UNIX_PATH : first.value}`;
  }

  private info(p: ExposurePoint): PointInfo {
    const i: PointInfo = { id: p.id, kind: p.kind };
    if (p.path !== undefined) i.path = p.path;
    if (p.port !== undefined) i.port = p.port;
    if (p.address !== undefined) i.address = p.address;
    if (p.id === this.defaultPointId()) i.default = true;
    return i;
  }

  private connect(): void {
    if (this.closed) return;
    let ws: WebSocketLike;
    try { ws = this.opts.createWebSocket(this.url); } catch (e) { this.retry(`cannot connect: ${(e as Error).message}`); return; }
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    let session: Session | null = null;
    ws.onopen = () => {
      session = new Session({
        send: (b) => ws.send(b),
        close: () => ws.close(1000),
      }, {
        side: 'client',
        pingIntervalMs: this.opts.pingIntervalMs ?? 15_000,
        timers: this.timers,
        onStream: (s, meta) => this.onStream(s, meta),
        onControl: (m) => this.onControl(m),
        onClose: (code, reason, byPeer) => {
          if (this.session === session) this.session = null;
          if (this.ws === ws) this.ws = null;
          if (code === GoAway.AUTH_FAILED) {
            this.closed = true;
            this.opts.onStatus?.('failed', 'registration refused: bad secret');
            this.fail(new EdgeClientError('EDGE_CLIENT_ERR_REJECTED', 'the edge refused the registration (bad secret)'));
            return;
          }
          if (!this.closed) this.retry(`${byPeer ? 'edge closed the tunnel' : 'tunnel closed'} (${codeName(GoAway, code)}${reason ? `: ${reason}` : ''})`);
        },
      });
      this.session = session;
      const hello: Hello = { type: 'hello', version: PROTOCOL_VERSION, points: this.opts.exposures.list().map((p) => this.info(p)), agent: 'wasmux' };
      if (this.opts.secret !== undefined) hello.secret = this.opts.secret;
      if (this.resume) hello.resume = this.resume;
      session.control(hello);
    };
    ws.onmessage = (ev) => {
      const d = ev.data;
      const bytes = d instanceof ArrayBuffer ? new Uint8Array(d) : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : null;
      if (!session) return;
      if (!bytes) { session.goAway(GoAway.PROTOCOL_ERROR, 'text message on the tunnel'); return; }
      session.receive(bytes);
    };
    ws.onclose = (ev) => {
      if (session) session.transportClosed();
      else if (this.ws === ws) { this.ws = null; this.retry(`cannot connect to ${this.url}${ev.code ? ` (${ev.code})` : ''}`); }
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  private retry(why: string): void {
    if (this.closed) return;
    this.opts.onStatus?.('disconnected', why);
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 5000);
    this.retryTimer = this.timers.setTimeout(() => { this.retryTimer = null; this.connect(); }, delay);
  }

  private fail(e: Error): void {
    this.first?.reject(e);
    this.first = null;
  }

  private onControl(raw: unknown): void {
    const m = parseEdgeMessage(raw);
    if (!m) { this.session?.goAway(GoAway.PROTOCOL_ERROR, 'malformed control message'); return; }
    switch (m.type) {
      case 'welcome': {
        this.backoff = 250;
        this.id = m.id;
        this.resume = m.resume;
        this.opts.onStatus?.('connected', `${m.resumed ? 'resumed' : 'registered'} tunnel ${m.id}`);
        for (const [pid, url] of Object.entries(m.urls)) this.setUrl(pid, url);
        this.first?.resolve(m.id);
        this.first = null;
        return;
      }
      case 'point-url': this.setUrl(m.id, m.url); return;
      case 'error': this.opts.onStatus?.('failed', `${m.code}: ${m.message}`); return;
    }
  }

  private setUrl(pointId: string, url: string): void {
    if (this.urls.get(pointId) === url) return;
    this.urls.set(pointId, url);
    const p = this.opts.exposures.list().find((x) => x.id === pointId);
    if (p) this.opts.onExposed?.(p, url);
  }

  private onStream(stream: Stream, meta: unknown): void {
    const m = parseOpenMeta(meta);
    if (!m) { stream.reset(StreamError.PROTOCOL); return; }
    // Only published points: exposures.connect() also reaches unlisted UNIX sockets (the IDE's file
    // service), which the edge must never open, whatever it asks for.
    if (!this.opts.exposures.list().some((p) => p.id === m.point)) { stream.reset(StreamError.REFUSED); return; }
    let hs: HostStream;
    try { hs = this.opts.exposures.connect(m.point); } catch { stream.reset(StreamError.REFUSED); return; }
    relay(stream, hs);
  }
}

/** Join a tunnel stream and a host stream, with flow control both ways and half-close honoured. */
export function relay(stream: Stream, hs: HostStream): void {
  let hsDone = false;
  stream.ondata = (d) => { if (!hsDone && !hs.write(d)) stream.pause(); };
  stream.onend = () => { if (!hsDone) hs.end(); };
  stream.onclose = (code) => { if (code !== undefined && !hsDone) { hsDone = true; hs.close(); } };
  // write() keeps a reference to what it cannot send yet: fine, onData hands over its chunk (exposure.ts).
  hs.onData((d) => { if (!stream.write(d)) hs.pause(); });
  hs.onDrain(() => stream.resume());
  stream.ondrain = () => hs.resume();
  hs.onEnd(() => stream.end());
  hs.onClose((err) => {
    hsDone = true;
    if (err) stream.reset(StreamError.CANCEL); else stream.end();
  });
}

export { TunnelError };
