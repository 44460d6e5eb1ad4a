// Set-Cookie as a client reads it (RFC 6265 §5.2), the parts the preview service worker needs to store a
// server's cookie with the Cookie Store API (sw/preview.ts): name, value, Path, expiry, SameSite.

export interface SetCookie { name: string; value: string; path: string; expires: number | null; sameSite: 'strict' | 'lax' | 'none' | null }

/** RFC 6265 §5.2, the parts a preview needs: name, value, Path (default: the request's directory), expiry. */
export function parseSetCookie(line: string, requestPath: string, now = Date.now()): SetCookie | null {
  const [pair, ...attrs] = line.split(';');
  const eq = pair!.indexOf('=');
  if (eq <= 0) return null;
  const c: SetCookie = { name: pair!.slice(0, eq).trim(), value: pair!.slice(eq + 1).trim(), path: '', expires: null, sameSite: null };
  if (!c.name) return null;
  let maxAge: number | null = null;
  for (const a of attrs) {
    const i = a.indexOf('=');
    const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    const v = i < 0 ? '' : a.slice(i + 1).trim();
    if (k === 'path' && v.startsWith('/')) c.path = v;
    else if (k === 'max-age' && /^-?\d+$/.test(v)) maxAge = Number(v);
    else if (k === 'expires') { const t = Date.parse(v); if (!Number.isNaN(t)) c.expires = t; }
    else if (k === 'samesite' && /^(strict|lax|none)$/i.test(v)) c.sameSite = v.toLowerCase() as 'strict' | 'lax' | 'none';
  }
  if (maxAge !== null) c.expires = now + maxAge * 1000;
  if (!c.path) {
    const dir = requestPath.split('?')[0]!;
    c.path = dir.lastIndexOf('/') > 0 ? dir.slice(0, dir.lastIndexOf('/')) : '/';
  }
  return c;
}
