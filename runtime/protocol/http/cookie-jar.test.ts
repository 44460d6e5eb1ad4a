import { describe, expect, it } from 'vitest';
import { CookieJar, pathMatches } from './cookie-jar.js';

describe('CookieJar', () => {
  it('sends stored cookies back to matching paths of the same point only', () => {
    const j = new CookieJar();
    j.store('unix:/tmp/server.sock', ['session=abc; Path=/; HttpOnly', 'pref=dark; Path=/app'], '/login', 0);
    expect(j.header('unix:/tmp/server.sock', '/app/x?q=1', 1)).toBe('pref=dark; session=abc');
    expect(j.header('unix:/tmp/server.sock', '/apple', 1)).toBe('session=abc');
    expect(j.header('tcp:8080', '/', 1)).toBe('');
  });

  it('replaces by name and path, deletes with Max-Age=0, forgets expired ones, and survives JSON', () => {
    const j = new CookieJar();
    j.store('p', ['a=1; Path=/'], '/', 0);
    j.store('p', ['b=2; Max-Age=10'], '/', 1);
    j.store('p', ['a=3; Path=/'], '/', 5);
    expect(j.header('p', '/', 6)).toBe('a=3; b=2');
    expect(j.header('p', '/', 20_000)).toBe('a=3');
    j.store('p', ['a=; Max-Age=0'], '/', 30_000);
    expect(j.header('p', '/', 30_001)).toBe('');
    const k = new CookieJar(JSON.parse(JSON.stringify(new CookieJar({ p: [{ name: 'x', value: 'y', path: '/', expires: null, created: 1 }] }))));
    expect(k.header('p', '/anything', 2)).toBe('x=y');
    expect(new CookieJar({ p: [{ junk: true } as never] }).header('p', '/', 0)).toBe('');
  });

  it('matches paths as RFC 6265 says', () => {
    expect(pathMatches('/a/b', '/a')).toBe(true);
    expect(pathMatches('/a/b', '/a/')).toBe(true);
    expect(pathMatches('/ab', '/a')).toBe(false);
    expect(pathMatches('/a', '/a')).toBe(true);
  });
});
