// The tunnels an edge knows: id -> session and exposure points. A tunnel outlives its WebSocket for a grace
// period so that a sandbox that reconnects with its resume token keeps its id (and so its URLs); public
// requests that arrive meanwhile wait for it. Ids and tokens come from crypto.randomBytes.
//
// Single node only. Scaling out (docs/edge.md) moves this map into a shared store keyed by tunnel id.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Session } from '../runtime/protocol/tunnel/session.js';
import type { PointInfo } from '../runtime/protocol/tunnel/control.js';

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lowercase RFC 4648 base32 of `bits` random bits (a multiple of 5). */
export function randomId(bits: number): string {
  const bytes = randomBytes(Math.ceil(bits / 8));
  let out = '', acc = 0, n = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    n += 8;
    while (n >= 5 && out.length < bits / 5) { out += B32[(acc >>> (n - 5)) & 31]; n -= 5; }
    acc &= (1 << n) - 1;
  }
  return out;
}

/** Tunnel ids carry 100 random bits (20 base32 characters); resume tokens 160. */
export const ID_BITS = 100;
const TOKEN_BITS = 160;
const hashToken = (t: string): Buffer => createHash('sha256').update(t).digest();

export class Tunnel {
  session: Session | null = null;
  readonly points = new Map<string, PointInfo>();
  /** Host-name suffix ("" for the default point, "8080" for tcp:8080, "u1" for another UNIX path) -> point id. */
  private readonly suffixes = new Map<string, string>();
  private unixCount = 0;
  graceTimer: NodeJS.Timeout | null = null;
  private waiters = new Set<(s: Session | null) => void>();

  constructor(readonly id: string, readonly tokenHash: Buffer) {}

  suffixOf(p: PointInfo): string {
    if (p.default) return '';
    if (p.kind === 'tcp' && p.port) return String(p.port);
    for (const [s, id] of this.suffixes) if (id === p.id) return s;
    return `u${++this.unixCount}`;
  }

  addPoint(p: PointInfo): string {
    const suffix = this.suffixOf(p);
    this.points.set(p.id, p);
    this.suffixes.set(suffix, p.id);
    return suffix;
  }

  removePoint(id: string): void { this.points.delete(id); }

  /** The point a host-name suffix names (it may not be listening at the moment). */
  pointFor(suffix: string): string | null { return this.suffixes.get(suffix) ?? null; }

  attach(s: Session): void {
    this.session = s;
    if (this.graceTimer) { clearTimeout(this.graceTimer); this.graceTimer = null; }
    for (const w of this.waiters) w(s);
    this.waiters.clear();
  }

  /** Resolve with the session once connected, or null after `ms`. */
  waitForSession(ms: number): Promise<Session | null> {
    if (this.session && !this.session.closed) return Promise.resolve(this.session);
    return new Promise((resolve) => {
      const done = (s: Session | null): void => { clearTimeout(t); this.waiters.delete(done); resolve(s); };
      const t = setTimeout(() => done(null), ms);
      this.waiters.add(done);
    });
  }

  dropWaiters(): void {
    for (const w of this.waiters) w(null);
    this.waiters.clear();
  }
}

export class Registry {
  readonly tunnels = new Map<string, Tunnel>();

  constructor(private readonly graceMs: number, private readonly onExpire: (t: Tunnel) => void = () => {}) {}

  create(): { tunnel: Tunnel; token: string } {
    let id: string;
    do id = randomId(ID_BITS); while (this.tunnels.has(id));
    const token = `${id}.${randomId(TOKEN_BITS)}`;
    const tunnel = new Tunnel(id, hashToken(token));
    this.tunnels.set(id, tunnel);
    return { tunnel, token };
  }

  /** The tunnel a resume token belongs to, if it is still within its grace period (or connected). */
  resume(token: string): Tunnel | null {
    const dot = token.indexOf('.');
    const t = dot > 0 ? this.tunnels.get(token.slice(0, dot)) : undefined;
    if (!t) return null;
    const h = hashToken(token);
    return timingSafeEqual(h, t.tokenHash) ? t : null;
  }

  /** The tunnel lost its session: keep it for the grace period, then forget it. */
  detach(t: Tunnel, s: Session): void {
    if (t.session !== s) return;
    t.session = null;
    if (t.graceTimer) clearTimeout(t.graceTimer);
    t.graceTimer = setTimeout(() => this.expire(t), this.graceMs);
    t.graceTimer.unref();
  }

  expire(t: Tunnel): void {
    if (this.tunnels.get(t.id) !== t) return;
    this.tunnels.delete(t.id);
    if (t.graceTimer) { clearTimeout(t.graceTimer); t.graceTimer = null; }
    t.dropWaiters();
    this.onExpire(t);
  }

  /** Split a host label "<id>" or "<id>-<suffix>". */
  lookup(label: string): { tunnel: Tunnel; suffix: string } | null {
    const dash = label.indexOf('-');
    const id = dash < 0 ? label : label.slice(0, dash);
    const tunnel = this.tunnels.get(id);
    return tunnel ? { tunnel, suffix: dash < 0 ? '' : label.slice(dash + 1) } : null;
  }
}
