// A cookie jar for the preview service worker (sw/preview.ts). The browser adds cookies below the service
// worker, so a request it hands over has none, and a Response cannot carry Set-Cookie back to it; the
// Cookie Store API does not help either (in a service worker it only sees cookies of the scope's own path).
// So the service worker keeps the previews' cookies itself: one jar per preview point, RFC 6265 §5.3 storage
// and §5.4 path matching and expiry, HttpOnly kept as it is (the page's scripts never see these cookies).
// Not kept: Domain (every cookie is host-only), Secure and SameSite (one origin, the service worker decides).
import { parseSetCookie } from './set-cookie.js';

interface Cookie { name: string; value: string; path: string; expires: number | null; created: number }

/** What is saved between service worker runs. */
export type JarData = Record<string, Cookie[]>;

export class CookieJar {
  private readonly points: Map<string, Cookie[]>;

  constructor(data: JarData = {}) {
    this.points = new Map(Object.entries(data).map(([k, v]) => [k, v.filter(isCookie)]));
  }

  /** Store a response's Set-Cookie lines for `point`, the request having been for `requestPath`. */
  store(point: string, lines: string[], requestPath: string, now = Date.now()): boolean {
    if (lines.length === 0) return false;
    const jar = this.points.get(point) ?? [];
    for (const line of lines) {
      const c = parseSetCookie(line, requestPath, now);
      if (!c) continue;
      const i = jar.findIndex((x) => x.name === c.name && x.path === c.path);
      const created = i >= 0 ? jar[i]!.created : now;
      if (i >= 0) jar.splice(i, 1);
      if (c.expires !== null && c.expires <= now) continue;
      jar.push({ name: c.name, value: c.value, path: c.path, expires: c.expires, created });
    }
    this.points.set(point, jar);
    return true;
  }

  /** The Cookie header for a request to `point` at `requestPath` ("" when none): longer paths first. */
  header(point: string, requestPath: string, now = Date.now()): string {
    const jar = (this.points.get(point) ?? []).filter((c) => c.expires === null || c.expires > now);
    this.points.set(point, jar);
    const path = requestPath.split('?')[0]!;
    return jar.filter((c) => pathMatches(path, c.path))
      .sort((a, b) => b.path.length - a.path.length || a.created - b.created)
      .map((c) => `${c.name}=${c.value}`).join('; ');
  }

  toJSON(): JarData { return Object.fromEntries(this.points); }
}

/** RFC 6265 §5.1.4. */
export function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function isCookie(c: unknown): c is Cookie {
  const x = c as Cookie;
  return typeof x?.name === 'string' && typeof x.value === 'string' && typeof x.path === 'string' &&
    (x.expires === null || typeof x.expires === 'number') && typeof x.created === 'number';
}
