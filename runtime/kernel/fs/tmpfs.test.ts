import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ENOMEM, ENXIO, EBADF, EINVAL } from '../../abi/errno.js';
import { O_CREAT, O_RDONLY, O_RDWR, O_WRONLY, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import { vfsMkdir, vfsRmdir, vfsSymlink, vfsUnlink } from './dirops.js';
import type { DirInode } from './inode.js';
import { walk } from './namei.js';
import { errnoOf, fakeTask } from './testing.js';
import type { RegInode } from './tmpfs.js';
import { makeVfs } from '../../../tests/helpers/fs-fixture.js';

describe('tmpfs files', () => {
  it('writes and reads back 64 MiB sequentially with geometric growth', () => {
    let charged = 0;
    const v = makeVfs({ memoryAccount: (d: number) => { charged += d; } });
    const t = fakeTask(v);
    const f = v.open(t, '/tmp/big', O_CREAT | O_RDWR);
    const chunk = new Uint8Array(65536);
    const hw = createHash('sha256');
    const total = 64 << 20;
    for (let off = 0; off < total; off += chunk.length) {
      for (let i = 0; i < chunk.length; i += 4096) chunk[i] = (off / 4096 + i) & 0xff;
      expect(f.write(t, chunk, -1)).toBe(chunk.length);
      hw.update(chunk);
    }
    expect(f.stat().size).toBe(total);
    expect(charged).toBeGreaterThanOrEqual(total);
    expect(charged).toBeLessThanOrEqual(2 * total);
    f.lseek(0, SEEK_SET);
    const hr = createHash('sha256');
    const buf = new Uint8Array(1 << 20);
    let n: number, read = 0;
    while ((n = f.read(t, buf, -1)) > 0) { hr.update(buf.subarray(0, n)); read += n; }
    expect(read).toBe(total);
    expect(hr.digest('hex')).toBe(hw.digest('hex'));
    // unlink while open: still readable; memory returned at the last close
    vfsUnlink(t.cred, walk(v.nameidata(t), v.root, '/tmp', true) as DirInode, 'big');
    expect(f.read(t, buf, 0)).toBe(buf.length);
    expect(f.stat().nlink).toBe(0);
    f.put();
    expect(charged).toBe(0);
  });

  it('enforces the memory cap through the accounting callback', () => {
    let used = 0;
    const v = makeVfs({ memoryAccount: (d: number) => { if (used + d > 1 << 20) raise(ENOMEM); used += d; } });
    const t = fakeTask(v);
    const f = v.open(t, '/tmp/f', O_CREAT | O_WRONLY);
    f.write(t, new Uint8Array(600_000), -1);
    // doubling would pass the cap; the exact size still fits
    f.write(t, new Uint8Array(300_000), -1);
    expect(f.stat().size).toBe(900_000);
    expect(errnoOf(() => f.write(t, new Uint8Array(300_000), -1))).toBe(ENOMEM);
    expect(f.stat().size).toBe(900_000);
    f.put();
  });

  it('charges every created node and returns it all when the nodes go away', () => {
    let used = 0;
    const v = makeVfs({ memoryAccount: (d: number) => { if (used + d > 64 * 1024) raise(ENOMEM); used += d; } });
    const t = fakeTask(v);
    const tmp = walk(v.nameidata(t), v.root, '/tmp', true) as DirInode;
    let made = 0;
    const err = errnoOf(() => { for (;;) { vfsMkdir(t.cred, tmp, `d${made}`, 0o755); made++; } });
    expect(err).toBe(ENOMEM);
    expect(made).toBeGreaterThan(100);
    expect(made).toBeLessThan(1000);
    expect(tmp.lookup(`d${made}`)).toBeUndefined();
    expect(tmp.nlink).toBe(2 + made);
    for (let i = 0; i < made; i++) vfsRmdir(t.cred, tmp, `d${i}`);
    vfsSymlink(t.cred, tmp, 'l', 'x'.repeat(1000));
    const f = v.open(t, '/tmp/f', O_CREAT | O_RDWR);
    f.write(t, new Uint8Array(5000), -1);
    expect(used).toBeGreaterThan(6000);
    vfsUnlink(t.cred, tmp, 'l');
    vfsUnlink(t.cred, tmp, 'f');
    f.put();
    expect(used).toBe(0);
  });

  it('sparse extension, SEEK_DATA/SEEK_HOLE, pread past EOF', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const f = v.open(t, '/tmp/s', O_CREAT | O_RDWR);
    f.write(t, new Uint8Array([1, 2, 3]), -1);
    f.truncate(1 << 30);
    expect(f.stat().size).toBe(1 << 30);
    expect((f.node as RegInode).capacity).toBeLessThan(1 << 20);
    const b = new Uint8Array(8);
    expect(f.read(t, b, (1 << 30) - 4)).toBe(4);
    expect([...b.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect(f.read(t, b, 1 << 30)).toBe(0);
    f.truncate(2);
    f.truncate(4);
    expect(f.read(t, b, 0)).toBe(4);
    expect([...b.subarray(0, 4)]).toEqual([1, 2, 0, 0]);
    expect(f.lseek(1, SEEK_DATA)).toBe(1);
    expect(f.lseek(1, SEEK_HOLE)).toBe(4);
    expect(errnoOf(() => f.lseek(4, SEEK_DATA))).toBe(ENXIO);
    expect(f.lseek(-1, SEEK_END)).toBe(3);
    expect(errnoOf(() => f.lseek(-10, SEEK_END))).toBe(EINVAL);
    f.put();
    const r = v.open(t, '/tmp/s', O_RDONLY);
    expect(errnoOf(() => r.write(t, b, -1))).toBe(EBADF);
    expect(errnoOf(() => r.truncate(0))).toBe(EINVAL);
    r.put();
  });

  it('timestamps move on write and are nanosecond-resolution', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const f = v.open(t, '/tmp/ts', O_CREAT | O_RDWR);
    const m0 = f.stat().mtime;
    f.write(t, new Uint8Array(1), -1);
    const m1 = f.stat().mtime;
    expect(m1.sec > m0.sec || (m1.sec === m0.sec && m1.nsec > m0.nsec)).toBe(true);
    expect(m1.nsec).toBeGreaterThanOrEqual(0);
    expect(m1.nsec).toBeLessThan(1e9);
    f.put();
  });
});
