// One public HTTP/1.1 connection proxied into a sandbox over a tunnel stream. Bytes pass through untouched
// except request heads: each one (on a keep-alive connection too) is parsed to route by Host and to set the
// X-Forwarded-* headers afresh; bodies are counted (Content-Length) or scanned (chunked) to find the next
// head. After an Upgrade (WebSocket) or CONNECT request the connection is raw in both directions.
// Responses are only observed to count statuses for /metrics; they are never rewritten.
//
// Lifetimes: the connection owns at most one stream, opened on the first request (after waiting for a
// reconnecting tunnel if need be). Backpressure is end to end: a full socket pauses the stream (its window
// stops refilling, so the sandbox writer blocks), and a full stream pauses the socket.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StreamError } from '../runtime/protocol/tunnel/frame.js';
import type { Stream } from '../runtime/protocol/tunnel/session.js';
import { EdgeError } from './errors.js';
import { BodyFramer, findHeadEnd, parseRequestHead, parseResponseHead, rewriteHead, type RequestHead } from './http1.js';
import { pages } from './pages.js';
import type { EdgeServer } from './server.js';
import type { Tunnel } from './registry.js';

const EMPTY: Buffer = Buffer.alloc(0);
const MAX_RESPONSE_HEAD = 64 * 1024;

/** Watches the response byte stream to count statuses; gives up silently on anything it cannot follow. */
class ResponseObserver {
  readonly methods: string[] = [];
  private head: Buffer = EMPTY;
  private framer: BodyFramer | null = null;
  private off = false;
  constructor(private readonly count: (status: number) => void) {}

  feed(d: Buffer): void {
    let o = 0;
    while (o < d.length && !this.off) {
      if (this.framer) {
        const n = this.framer.consume(d, o);
        if (n < 0) { this.off = true; return; }
        o += n;
        if (this.framer.done) this.framer = null;
        continue;
      }
      const prev = this.head.length;
      this.head = prev ? Buffer.concat([this.head, d.subarray(o)]) : d.subarray(o);
      const end = findHeadEnd(this.head, prev - 3);
      if (end < 0) { if (this.head.length > MAX_RESPONSE_HEAD) this.off = true; return; }
      const r = parseResponseHead(this.head.subarray(0, end));
      o = d.length - (this.head.length - end);
      this.head = EMPTY;
      if (!r) { this.off = true; return; }
      if (r.status === 101) { this.methods.shift(); this.count(101); this.off = true; return; }
      if (r.status < 200) continue;
      const method = this.methods.shift();
      this.count(r.status);
      if (method === 'HEAD' || r.status === 204 || r.status === 304) continue;
      this.framer = r.chunked ? new BodyFramer('chunked') : r.length !== null ? new BodyFramer('length', r.length) : new BodyFramer('close');
      if (this.framer.done) this.framer = null;
    }
  }
}

export class PublicConnection {
  private state: 'head' | 'body' | 'raw' | 'waiting' | 'closed' = 'head';
  private head: Buffer = EMPTY;
  private held: Buffer[] = [];
  private framer: BodyFramer | null = null;
  private stream: Stream | null = null;
  private clientEnded = false;
  private streamEnded = false;
  private sentToClient = 0;
  private headTimer: NodeJS.Timeout | null = null;
  private host = '';
  private pointId = '';
  private tunnel: Tunnel | null = null;
  /** Bytes forwarded before the sandbox accepted the stream, for a replay on a resumed session. */
  private replay: Buffer[] | null = [];
  private reopening = false;
  private readonly remote: string;
  private readonly responses: ResponseObserver;

  constructor(private readonly edge: EdgeServer, private readonly socket: Socket) {
    this.remote = socket.remoteAddress?.replace(/^::ffff:/, '') ?? 'unknown';
    this.responses = new ResponseObserver((s) => edge.metrics.request(s));
    edge.metrics.publicConnectionsOpen++;
    socket.setNoDelay(true);
    socket.setTimeout(edge.opts.idleTimeoutMs, () => socket.destroy());
    socket.on('data', this.onData);
    socket.on('end', () => this.onClientEnd());
    socket.on('error', () => { /* 'close' follows */ });
    socket.once('close', () => this.onClose());
    this.armHeadTimer();
  }

  private readonly onData = (d: Buffer): void => {
    if (this.state === 'waiting' || this.reopening) { this.held.push(d); return; }
    this.process(d);
  };

  private process(d: Buffer): void {
    let o = 0;
    while (o < d.length && this.state !== 'closed' && this.state !== 'waiting') {
      if (this.state === 'raw') { this.forward(d.subarray(o)); return; }
      if (this.state === 'body') {
        const n = this.framer!.consume(d, o);
        if (n < 0) return this.fail(pages.badRequest('malformed chunked body'), 400);
        this.forward(d.subarray(o, o + n));
        o += n;
        if (this.framer!.done) { this.framer = null; this.state = 'head'; }
        continue;
      }
      // state 'head'
      if (this.head.length === 0) this.armHeadTimer();
      const prev = this.head.length;
      this.head = prev ? Buffer.concat([this.head, d.subarray(o)]) : d.subarray(o);
      const end = findHeadEnd(this.head, prev - 3);
      const max = this.edge.opts.maxHeadBytes;
      if (end < 0) {
        if (this.head.length > max) return this.fail(pages.tooLarge(), 431);
        return;
      }
      if (end > max) return this.fail(pages.tooLarge(), 431);
      const headBytes = this.head.subarray(0, end);
      const rest = this.head.subarray(end);
      this.head = EMPTY;
      this.clearHeadTimer();
      let req: RequestHead;
      try { req = parseRequestHead(headBytes); } catch (e) {
        return this.fail(pages.badRequest(e instanceof EdgeError ? e.message : 'bad request'), 400);
      }
      if (!this.stream) { void this.route(req, headBytes, rest); return; }
      this.startRequest(req);
      d = rest;
      o = 0;
    }
  }

  /** Forward a parsed request head and set up body framing for it. */
  private startRequest(req: RequestHead): void {
    this.responses.methods.push(req.method);
    this.forward(rewriteHead(req, { remote: this.remote, proto: this.edge.opts.scheme, trusted: this.edge.opts.trustProxy }));
    if (req.upgrade) this.state = 'raw';
    else if (req.body.kind === 'none') this.state = 'head';
    else { this.framer = new BodyFramer(req.body.kind, req.body.kind === 'length' ? req.body.length : 0); this.state = 'body'; }
  }

  private async route(req: RequestHead, headBytes: Buffer, rest: Buffer): Promise<void> {
    const host = (req.host ?? '').replace(/\.$/, '');
    const domain = this.edge.domain;
    if (!host.endsWith(`.${domain}`)) {
      // The edge's own host: metrics, the tunnel WebSocket endpoint.
      this.state = 'closed';
      this.edge.metrics.publicConnectionsOpen--;
      this.clearHeadTimer();
      this.socket.removeListener('data', this.onData);
      this.socket.removeAllListeners('end');
      this.socket.removeAllListeners('close');
      this.socket.setTimeout(0);
      this.edge.ownHost(this.socket, req, rest);
      return;
    }
    this.host = host;
    const label = host.slice(0, -domain.length - 1);
    const found = label.includes('.') ? null : this.edge.registry.lookup(label);
    const pointId = found?.tunnel.pointFor(found.suffix) ?? null;
    if (!found || pointId === null) return this.fail(pages.notFound(host), 404);
    this.pointId = pointId;
    this.tunnel = found.tunnel;
    this.state = 'waiting';
    this.held.push(rest);
    this.socket.pause();
    if (!(await this.openStream())) return;
    this.state = 'head';
    this.startRequest(req);
    this.drainHeld();
  }

  /**
   * Open the tunnel stream, waiting for a reconnecting tunnel. Returns false after answering with a page.
   * Until the sandbox accepts the stream (ACK), what was forwarded is kept: if the session dies first (a
   * tunnel dropping under an incoming request), the stream is opened again on the resumed session and the
   * bytes are replayed. Once accepted, a broken session breaks the connection as a TCP reset would.
   */
  private async openStream(): Promise<boolean> {
    const tunnel = this.tunnel!, host = this.host, pointId = this.pointId;
    const session = await tunnel.waitForSession(this.edge.opts.reconnectWaitMs);
    if (this.socket.destroyed) return false;
    if (!session) {
      const gone = this.edge.registry.tunnels.get(tunnel.id) !== tunnel;
      this.fail(gone ? pages.notFound(host) : pages.unreachable(host), gone ? 404 : 502);
      return false;
    }
    if (!tunnel.points.has(pointId)) { this.fail(pages.noServer(host, pointId), 502); return false; }
    let stream: Stream;
    const t0 = performance.now();
    try { stream = session.open({ point: pointId, remote: this.remote }); } catch {
      this.fail(pages.unreachable(host), 502);
      return false;
    }
    this.stream = stream;
    this.edge.metrics.streamsTotal++;
    stream.onopen = () => {
      this.edge.metrics.streamOpened((performance.now() - t0) / 1000);
      this.replay = null;
    };
    stream.ondata = (d) => {
      this.edge.metrics.bytesToClient += d.length;
      this.sentToClient += d.length;
      const b = Buffer.from(d.buffer, d.byteOffset, d.length);
      this.responses.feed(b);
      if (!this.socket.write(b)) { stream.pause(); this.socket.once('drain', () => stream.resume()); }
    };
    stream.onend = () => { this.streamEnded = true; this.socket.end(); };
    stream.onclose = (code) => {
      if (code === undefined || this.streamEnded) { this.socket.end(); return; }
      if (code === StreamError.SESSION_CLOSED && this.replay && this.sentToClient === 0 && this.state !== 'closed') {
        void this.reopen();
        return;
      }
      if (this.sentToClient === 0 && code === StreamError.REFUSED) return this.fail(pages.noServer(host, pointId), 502);
      if (this.sentToClient === 0) return this.fail(pages.unreachable(host), 502);
      this.socket.destroy();
    };
    stream.ondrain = () => { if (this.state !== 'closed' && !this.reopening) this.socket.resume(); };
    return true;
  }

  private async reopen(): Promise<void> {
    const replay = this.replay ?? [];
    this.replay = [];
    this.reopening = true;
    this.socket.pause();
    this.stream = null;
    if (!(await this.openStream())) return;
    this.reopening = false;
    for (const b of replay) this.forward(b);
    this.drainHeld();
  }

  private drainHeld(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) this.process(h);
    if (this.clientEnded) this.stream?.end();
    if (!this.isClosed() && this.stream && this.stream.bufferedAmount === 0) this.socket.resume();
  }

  private forward(b: Uint8Array): void {
    if (b.length === 0 || !this.stream) return;
    if (this.replay) this.replay.push(Buffer.from(b));
    this.edge.metrics.bytesToSandbox += b.length;
    if (!this.stream.write(b)) this.socket.pause();
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    if (this.stream && !this.reopening) this.stream.end();
    else if (this.state !== 'waiting') this.socket.end();
  }

  private onClose(): void {
    this.clearHeadTimer();
    if (this.state !== 'closed') this.edge.metrics.publicConnectionsOpen--;
    this.state = 'closed';
    if (this.stream && !this.stream.closed) this.stream.reset(StreamError.CANCEL);
  }

  /** Answer with an edge page and close; a stream, if any, is reset. */
  private fail(page: Uint8Array, status: number): void {
    if (this.state === 'closed') return;
    this.edge.metrics.request(status);
    this.state = 'closed';
    this.clearHeadTimer();
    if (this.stream && !this.stream.closed) this.stream.reset(StreamError.CANCEL);
    this.socket.removeListener('data', this.onData);
    this.socket.resume();
    this.socket.end(page);
    // Do not wait forever for a client that never closes its side.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private armHeadTimer(): void {
    if (this.headTimer) return;
    this.headTimer = setTimeout(() => {
      this.headTimer = null;
      if (this.state === 'head' && (this.head.length > 0 || !this.stream)) this.fail(pages.timeout(), 408);
    }, this.edge.opts.headTimeoutMs);
    this.headTimer.unref();
  }

  private clearHeadTimer(): void {
    if (this.headTimer) { clearTimeout(this.headTimer); this.headTimer = null; }
  }

  private isClosed(): boolean { return this.state === 'closed'; }

  get description(): string { return `${this.remote} -> ${this.host} (${this.pointId})`; }
}
