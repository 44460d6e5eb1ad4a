import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { packImage, buildImage, parseApplets, rootfsEntries } from '../../../scripts/build-image.mjs';
import { Image, HEADER_SIZE, ImageFormatError } from './image.js';

const tree = [
  { type: 'dir', path: '/etc', mode: 0o755 },
  { type: 'file', path: '/etc/hostname', data: 'wasmux\n', mode: 0o644 },
  { type: 'file', path: '/bin/busybox', data: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), mode: 0o755 },
  { type: 'symlink', path: '/bin/sh', target: '/bin/busybox' },
  { type: 'hardlink', path: '/bin/bb2', target: '/bin/busybox' },
  { type: 'dir', path: '/home/user', mode: 0o750, uid: 1000, gid: 1000 },
  { type: 'dir', path: '/tmp', mode: 0o1777 },
];

describe('rootfs image', () => {
  it('round-trips a tree through the writer and the reader', () => {
    const { bytes, id } = packImage(tree, { mtime: 1700000000 });
    const img = new Image(bytes);
    expect(img.id).toBe(id);
    expect(createHash('sha256').update(bytes.subarray(HEADER_SIZE)).digest('hex')).toBe(id);
    const root = img.inode(1);
    expect(root.mode & 0o170000).toBe(0o040000);
    expect([...img.entries(1)].map((e) => e.name)).toEqual(['bin', 'etc', 'home', 'tmp']);
    const bin = img.lookup(1, 'bin');
    const bb = img.lookup(bin, 'busybox');
    expect(img.lookup(bin, 'bb2')).toBe(bb);
    expect(img.inode(bb).nlink).toBe(2);
    expect(img.inode(bb).mode).toBe(0o100755);
    expect(img.inode(bb).mtime).toEqual({ sec: 1700000000, nsec: 0 });
    expect(img.readlink(img.lookup(bin, 'sh'))).toBe('/bin/busybox');
    const data = img.data(img.lookup(img.lookup(1, 'etc'), 'hostname'));
    expect(new TextDecoder().decode(data)).toBe('wasmux\n');
    expect(data.buffer).toBe(bytes.buffer); // a view, not a copy
    expect(img.data(bb).byteOffset % 16).toBe(0);
    const home = img.lookup(img.lookup(1, 'home'), 'user');
    expect(img.inode(home)).toMatchObject({ uid: 1000, gid: 1000, mode: 0o040750, nlink: 2 });
    expect(img.inode(img.lookup(1, 'tmp')).mode).toBe(0o041777);
    expect(root.nlink).toBe(2 + 4);
    expect(img.lookup(1, 'nope')).toBe(0);
  });

  it('binary search finds every name in a big directory', () => {
    const entries = [];
    for (let i = 0; i < 500; i++) entries.push({ type: 'file', path: `/d/f${(i * 7919) % 1000}`, data: `${i}` });
    const img = new Image(packImage(entries).bytes);
    const d = img.lookup(1, 'd');
    const names = [...img.entries(d)].map((e) => e.name);
    expect(names).toEqual([...names].sort());
    for (const n of names) expect(img.lookup(d, n)).toBeGreaterThan(0);
    expect(img.lookup(d, 'f')).toBe(0);
    expect(img.lookup(d, 'zzz')).toBe(0);
  });

  it('is deterministic and rejects damaged images', () => {
    const a = packImage(tree, { mtime: 5 }), b = packImage(tree, { mtime: 5 });
    expect(a.id).toBe(b.id);
    const bad = a.bytes.slice(); bad[0] = 0;
    expect(() => new Image(bad)).toThrow(ImageFormatError);
    expect(() => new Image(a.bytes.subarray(0, a.bytes.length - 1))).toThrow(ImageFormatError);
    const v2 = a.bytes.slice(); v2[8] = 2;
    expect(() => new Image(v2)).toThrow(/version/);
  });

  it('parses applet lists and lays out the root filesystem', () => {
    expect(parseApplets('ls /bin\n# c\n\nmount /sbin/\n/usr/bin/env\nbusybox /bin\n'))
      .toEqual(['/bin/ls', '/sbin/mount', '/usr/bin/env']);
    const dir = mkdtempSync(join(tmpdir(), 'wasmux-etc-'));
    writeFileSync(join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(dir, 'shadow'), 'root::1:::::\n');
    const entries = rootfsEntries({ busybox: new Uint8Array([1, 2, 3]), applets: 'ls /bin\nenv /usr/bin\n', etcDir: dir, mtime: 7 });
    const img = new Image(packImage(entries, { mtime: 7 }).bytes);
    const at = (p: string): number => p.split('/').filter(Boolean).reduce((ino, c) => img.lookup(ino, c), 1);
    expect(img.readlink(at('/bin/ls'))).toBe('/bin/busybox');
    expect(img.readlink(at('/usr/bin/env'))).toBe('/bin/busybox');
    expect(img.readlink(at('/bin/sh'))).toBe('/bin/busybox');
    expect(img.inode(at('/tmp')).mode).toBe(0o041777);
    expect(img.inode(at('/home/user')).uid).toBe(1000);
    expect(img.inode(at('/etc/shadow')).mode).toBe(0o100600);
    for (const p of ['/dev', '/proc', '/root', '/usr/share', '/var/tmp', '/sbin', '/usr/sbin']) expect(at(p)).toBeGreaterThan(0);
    rmSync(dir, { recursive: true });
  });

  it('builds a staging directory incrementally', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmux-stage-'));
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'f'), 'hello');
    symlinkSync('f', join(dir, 'a', 'l'));
    utimesSync(dir, 1000, 1000);
    const out = join(dir, '..', `${dir.split('/').pop()}.img`);
    const r1 = buildImage({ staging: dir, out });
    expect(r1.skipped).toBe(false);
    const r2 = buildImage({ staging: dir, out });
    expect(r2.skipped).toBe(true);
    expect(r2.id).toBe(r1.id);
    const img = new Image(new Uint8Array(readFileSync(out)));
    expect(img.id).toBe(r1.id);
    writeFileSync(join(dir, 'a', 'f'), 'changed');
    utimesSync(dir, 1000, 1000);
    expect(buildImage({ staging: dir, out }).skipped).toBe(false);
    rmSync(dir, { recursive: true });
    rmSync(out); rmSync(`${out}.stamp`);
  });
});
