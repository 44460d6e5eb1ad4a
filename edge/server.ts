// The edge proxy: gives servers inside sandboxes public URLs. Sandboxes connect a WebSocket to
// /_wasmux/tunnel on the edge's own host and register; public HTTP/1.1 clients reach them by host name,
// <id>.<domain> for a sandbox's default exposure point and <id>-<port>.<domain> for TCP port <port>.
//
// One TCP listener serves both: the first request head of every connection is parsed (proxy.ts); if its
// Host is under the public domain it is proxied into a tunnel, otherwise the socket is handed to an
// ordinary node:http server (metrics, the tunnel endpoint). The edge opens no connection of its own to
// anything: public traffic goes only into registered tunnels.
import type { IncomingMessage } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { GoAway, codeName } from '../runtime/protocol/tunnel/frame.js';
import { Session } from '../runtime/protocol/tunnel/session.js';
import { PROTOCOL_VERSION, parseClientMessage, type PointInfo, type Welcome } from '../runtime/protocol/tunnel/control.js';
import { Metrics } from './metrics.js';
import { Registry, type Tunnel } from './registry.js';
import { PublicConnection } from './proxy.js';
import type { RequestHead } from './http1.js';
import { responseHead, type StaticSite } from './site.js';

export const TUNNEL_PATH = '/_wasmux/tunnel';
export const STATUS_PATH = '/_wasmux/status';

export interface EdgeOptions {
  host: string;
  port: number;
  /** Public base domain, with port if not the default: "localhost:8080". Default: localhost:<bound port>. */
  domain?: string;
  /** Scheme of the public URLs handed out (https when a TLS terminator is in front). */
  scheme: 'http' | 'https';
  /** Registration secret; when set, sandboxes must present it. */
  secret?: string;
  graceMs: number;
  reconnectWaitMs: number;
  headTimeoutMs: number;
  idleTimeoutMs: number;
  maxHeadBytes: number;
  maxStreamsPerTunnel: number;
  registerTimeoutMs: number;
  pingIntervalMs: number;
  /** Keep and extend X-Forwarded-For/-Proto from the peer (only behind a trusted proxy). */
  trustProxy: boolean;
  log: (line: string) => void;
  /** Static files served on the edge's own host (the browser app, `npm start`); paths under /_wasmux/ and
   * /metrics stay the edge's. */
  site?: StaticSite;
}

export const DEFAULTS: EdgeOptions = {
  host: '127.0.0.1', port: 8080, scheme: 'http', graceMs: 10 * 60_000, reconnectWaitMs: 10_000,
  headTimeoutMs: 10_000, idleTimeoutMs: 120_000, maxHeadBytes: 16 * 1024, maxStreamsPerTunnel: 1024,
  registerTimeoutMs: 10_000, pingIntervalMs: 15_000, trustProxy: false, log: () => {},
};

export class EdgeServer {
  readonly opts: EdgeOptions;
  readonly metrics = new Metrics();
  readonly registry: Registry;
  domain = '';
  private readonly net: NetServer;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false });
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<Session>();

  constructor(opts: Partial<EdgeOptions> = {}) {
    this.opts = { ...DEFAULTS, ...opts };
    this.registry = new Registry(this.opts.graceMs, (t) => this.opts.log(`tunnel ${t.id} expired`));
    this.net = createNetServer({ allowHalfOpen: true }, (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      new PublicConnection(this, socket);
    });
  }

  async listen(): Promise<{ host: string; port: number; url: string }> {
    await new Promise<void>((resolve, reject) => {
      this.net.once('error', reject);
      this.net.listen(this.opts.port, this.opts.host, () => { this.net.off('error', reject); resolve(); });
    });
    const addr = this.net.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
    this.domain = (this.opts.domain ?? `localhost:${port}`).toLowerCase();
    const h = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return { host: this.opts.host, port, url: `http://${h}:${port}` };
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.goAway(GoAway.SHUTDOWN, 'edge shutting down');
    for (const t of [...this.registry.tunnels.values()]) this.registry.expire(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.net.close(() => r()));
    this.wss.close();
  }

  /**
   * A connection whose first request is for the edge itself: /metrics, a status line, or the tunnel
   * WebSocket. Answered here from the already parsed head (one request per connection), not by node:http,
   * whose parser would read the socket's handle directly and miss the bytes already consumed.
   */
  ownHost(socket: Socket, req: RequestHead, rest: Buffer): void {
    const path = req.target.split('?')[0];
    const reply = (status: string, type: string, body: string): void => {
      const b = Buffer.from(body);
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: ${type}\r\nContent-Length: ${b.length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
      this.metrics.request(Number(status.slice(0, 3)));
    };
    if (path === TUNNEL_PATH && req.upgrade && req.method === 'GET') {
      const headers: Record<string, string> = {};
      for (const h of req.headers) headers[h.name.toLowerCase()] = h.value;
      const fake = { method: req.method, url: req.target, headers, socket } as unknown as IncomingMessage;
      this.wss.handleUpgrade(fake, socket, rest, (ws) => this.onTunnel(ws, socket.remoteAddress ?? ''));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply('405 Method Not Allowed', 'text/plain', 'method not allowed\n');
    if (path === '/metrics') {
      this.metrics.tunnelsConnected = [...this.registry.tunnels.values()].filter((t) => t.session).length;
      this.metrics.tunnelsWaiting = this.registry.tunnels.size - this.metrics.tunnelsConnected;
      this.metrics.streamsOpen = [...this.sessions].reduce((n, x) => n + x.streams.size, 0);
      return reply('200 OK', 'text/plain; version=0.0.4; charset=utf-8', this.metrics.render());
    }
    if (path === STATUS_PATH || (path === '/' && !this.opts.site)) {
      return reply('200 OK', 'text/plain; charset=utf-8', `wasmux edge: ${this.registry.tunnels.size} tunnel(s)\n`);
    }
    if (this.opts.site && !path.startsWith('/_wasmux/')) return this.serveSite(this.opts.site, socket, req);
    reply('404 Not Found', 'text/plain; charset=utf-8', 'not found\n');
  }

  /** A static file, one request per connection like the rest of the edge's own host. */
  private serveSite(site: StaticSite, socket: Socket, req: RequestHead): void {
    const headers: Record<string, string> = {};
    for (const h of req.headers) headers[h.name.toLowerCase()] = h.value;
    const r = site.respond(req.method, req.target, headers);
    this.metrics.request(r.status);
    const head = responseHead(r, true);
    if (!r.body) { socket.end(head + (r.text ?? '')); return; }
    socket.write(head);
    r.body.on('error', () => socket.destroy());
    socket.on('error', () => r.body!.destroy());
    socket.on('close', () => r.body!.destroy());
    r.body.pipe(socket);
  }

  publicUrl(t: Tunnel, suffix: string): string {
    return `${this.opts.scheme}://${t.id}${suffix ? `-${suffix}` : ''}.${this.domain}/`;
  }

  private onTunnel(ws: WebSocket, remote: string): void {
    let tunnel: Tunnel | null = null;
    const log = this.opts.log;
    const session: Session = new Session({
      send: (b) => ws.send(b),
      close: () => ws.close(),
    }, {
      side: 'server',
      maxStreams: this.opts.maxStreamsPerTunnel,
      pingIntervalMs: this.opts.pingIntervalMs,
      onControl: (msg) => onControl(msg),
      onClose: (code, reason, byPeer, transport) => {
        clearTimeout(regTimer);
        this.sessions.delete(session);
        this.metrics.inc(this.metrics.sessionsClosed, codeName(GoAway, code));
        if (!tunnel) return;
        log(`tunnel ${tunnel.id} disconnected (${codeName(GoAway, code)}${reason ? `: ${reason}` : ''})`);
        // A sandbox that says goodbye (GoAway NORMAL: it stopped sharing or is exiting) will not resume:
        // its URLs stop working at once (404) instead of waiting out the grace period for a reconnect.
        if (byPeer && !transport && code === GoAway.NORMAL && tunnel.session === session) {
          log(`tunnel ${tunnel.id} closed by the sandbox`);
          this.registry.expire(tunnel);
        } else {
          this.registry.detach(tunnel, session);
        }
      },
    });
    this.sessions.add(session);
    const regTimer = setTimeout(() => { if (!tunnel) session.goAway(GoAway.PROTOCOL_ERROR, 'no registration'); }, this.opts.registerTimeoutMs);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return session.goAway(GoAway.PROTOCOL_ERROR, 'text message on the tunnel');
      session.receive(new Uint8Array(data.buffer, data.byteOffset, data.length));
    });
    ws.on('close', () => session.transportClosed());
    ws.on('error', () => { /* close follows */ });

    const reject = (code: string, message: string, goAway: number): void => {
      this.metrics.inc(this.metrics.registrations, 'rejected');
      session.control({ type: 'error', code, message });
      session.goAway(goAway, message);
    };

    const onControl = (raw: unknown): void => {
      const m = parseClientMessage(raw);
      if (!m) return reject('EDGE_ERR_PROTOCOL', 'malformed control message', GoAway.PROTOCOL_ERROR);
      if (!tunnel) {
        if (m.type !== 'hello') return reject('EDGE_ERR_PROTOCOL', 'expected hello', GoAway.PROTOCOL_ERROR);
        if (this.opts.secret !== undefined && !sameSecret(m.secret ?? '', this.opts.secret)) {
          return reject('EDGE_ERR_AUTH', 'bad registration secret', GoAway.AUTH_FAILED);
        }
        let t = m.resume ? this.registry.resume(m.resume) : null;
        let token = m.resume ?? '';
        const resumed = t !== null;
        if (!t) ({ tunnel: t, token } = this.registry.create());
        const previous = t.session;
        for (const id of [...t.points.keys()]) t.removePoint(id);
        const urls: Record<string, string> = {};
        for (const p of m.points) urls[p.id] = this.publicUrl(t, t.addPoint(p));
        t.attach(session);
        tunnel = t;
        previous?.goAway(GoAway.REPLACED, 'replaced by a resumed session');
        this.metrics.inc(this.metrics.registrations, resumed ? 'resumed' : 'new');
        log(`tunnel ${t.id} ${resumed ? 'resumed' : 'registered'} from ${remote} (${m.points.length} point(s))`);
        const welcome: Welcome = { type: 'welcome', id: t.id, resume: token, resumed, graceMs: this.opts.graceMs, urls };
        session.control(welcome);
        return;
      }
      switch (m.type) {
        case 'hello': return reject('EDGE_ERR_PROTOCOL', 'already registered', GoAway.PROTOCOL_ERROR);
        case 'point-added': {
          const p: PointInfo = m.point;
          session.control({ type: 'point-url', id: p.id, url: this.publicUrl(tunnel, tunnel.addPoint(p)) });
          return;
        }
        case 'point-removed': tunnel.removePoint(m.id); return;
      }
    };
  }
}

function sameSecret(a: string, b: string): boolean {
  const h = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

export { PROTOCOL_VERSION };
