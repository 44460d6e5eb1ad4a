import { describe, expect, it } from 'vitest';
import { parsePreviewPath, pointOf, previewPath, slugOf } from './paths.js';

describe('preview paths', () => {
  it('maps points to readable slugs and back', () => {
    expect(slugOf('tcp:8080')).toBe('8080');
    expect(slugOf('unix:/tmp/server.sock')).toBe('unix~tmp~server.sock');
    expect(previewPath('unix:/tmp/server.sock', '/a?b=1')).toBe('/preview/unix~tmp~server.sock/a?b=1');
    for (const p of ['tcp:1', 'tcp:65535', 'unix:/tmp/server.sock', 'unix:/run/a b/x~y/é.sock', 'unix:/a%2F']) {
      expect(pointOf(slugOf(p)!)).toBe(p);
    }
    expect(slugOf('unix:/run/a b/x~y')).toBe('unix~run~a%20b~x%7Ey');
  });

  it('parses preview paths and refuses others', () => {
    expect(parsePreviewPath('/preview/8080/x/y')).toEqual({ slug: '8080', point: 'tcp:8080', rest: '/x/y' });
    expect(parsePreviewPath('/preview/unix~tmp~server.sock')).toEqual({ slug: 'unix~tmp~server.sock', point: 'unix:/tmp/server.sock', rest: '/' });
    expect(parsePreviewPath('/preview/.wasmux/shim.js')).toBeNull();
    expect(parsePreviewPath('/preview/70000/')).toBeNull();
    expect(parsePreviewPath('/preview/unix~%E0%A4%A/')).toBeNull();
    expect(parsePreviewPath('/app.js')).toBeNull();
    expect(slugOf('tcp:abc')).toBeNull();
  });
});
