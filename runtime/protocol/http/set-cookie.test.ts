import { describe, expect, it } from 'vitest';
import { parseSetCookie } from './set-cookie.js';

describe('parseSetCookie', () => {
  const now = 1_000_000;
  it('reads name, value, Path, Max-Age over Expires, SameSite', () => {
    expect(parseSetCookie('session=abc123; Path=/app; HttpOnly; SameSite=Lax', '/x', now))
      .toEqual({ name: 'session', value: 'abc123', path: '/app', expires: null, sameSite: 'lax' });
    expect(parseSetCookie('a=b; Expires=Thu, 01 Jan 1970 00:00:10 GMT; Max-Age=60', '/', now)?.expires).toBe(now + 60_000);
    expect(parseSetCookie('a=b; Expires=Thu, 01 Jan 1970 00:00:10 GMT', '/', now)?.expires).toBe(10_000);
    expect(parseSetCookie('a=; Max-Age=0', '/', now)?.expires).toBe(now);
    expect(parseSetCookie('a=b=c', '/', now)?.value).toBe('b=c');
  });
  it('defaults Path to the request directory', () => {
    expect(parseSetCookie('a=b', '/cgi-bin/login?x=1', now)?.path).toBe('/cgi-bin');
    expect(parseSetCookie('a=b', '/login', now)?.path).toBe('/');
    expect(parseSetCookie('a=b; Path=relative', '/d/e', now)?.path).toBe('/d');
  });
  it('ignores lines without a name', () => {
    expect(parseSetCookie('=b', '/', now)).toBeNull();
    expect(parseSetCookie('novalue', '/', now)).toBeNull();
  });
});
