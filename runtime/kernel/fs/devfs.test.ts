import { describe, expect, it } from 'vitest';
import { ENOSPC, ENXIO, EPERM } from '../../abi/errno.js';
import { O_CREAT, O_NONBLOCK, O_RDONLY, O_RDWR, O_TMPFILE, O_WRONLY, S_IFCHR, S_IFIFO } from '../../abi/fcntl.js';
import { makeVfs } from '../../../tests/helpers/fs-fixture.js';
import { File } from './file.js';
import { LnkInode, type DirInode, type SpecialInode } from './inode.js';
import { walk } from './namei.js';
import { makedev, type Stat } from './stat.js';
import { errnoOf, fakeTask } from './testing.js';
import { vfsLink, vfsMknod } from './dirops.js';

describe('/dev', () => {
  it('memory devices behave as drivers/char/mem.c', () => {
    const v = makeVfs();
    const t = fakeTask(v, 1000);
    const buf = new Uint8Array(70000).fill(7);
    const nul = v.open(t, '/dev/null', O_RDWR);
    expect(nul.read(t, buf, -1)).toBe(0);
    expect(nul.write(t, buf, -1)).toBe(buf.length);
    expect(nul.stat().mode).toBe(S_IFCHR | 0o666);
    expect(nul.stat().rdev).toBe(makedev(1, 3));
    const zero = v.open(t, '/dev/zero', O_RDONLY);
    expect(zero.read(t, buf, -1)).toBe(buf.length);
    expect(buf.every((b) => b === 0)).toBe(true);
    const full = v.open(t, '/dev/full', O_RDWR);
    expect(errnoOf(() => full.write(t, buf, -1))).toBe(ENOSPC);
    for (const p of ['/dev/random', '/dev/urandom']) {
      const r = v.open(t, p, O_RDONLY);
      expect(r.read(t, buf, -1)).toBe(buf.length);
      expect(new Set(buf.subarray(65000)).size).toBeGreaterThan(100);
    }
    expect(errnoOf(() => v.open(t, '/dev/tty', O_RDWR))).toBe(ENXIO);
  });

  it('has the standard links, /dev/shm tmpfs and /dev/pts', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const nd = v.nameidata(t);
    for (const [n, target] of [['stdin', '/proc/self/fd/0'], ['stdout', '/proc/self/fd/1'], ['stderr', '/proc/self/fd/2'],
      ['fd', '/proc/self/fd']]) {
      expect((walk(nd, v.root, `/dev/${n}`, false) as LnkInode).target).toBe(target);
    }
    const shm = walk(nd, v.root, '/dev/shm', true) as DirInode;
    expect(shm.sb.type).toBe('tmpfs');
    expect(shm.mode & 0o7777).toBe(0o1777);
    v.writeFile('/dev/shm/seg', 'x');
    expect(walk(nd, v.root, '/dev/pts', true).isDir).toBe(true);
  });

  it('chrdev registry: drivers register (major, minor) open functions', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    class Tty extends File {
      constructor(readonly n: SpecialInode, flags: number) { super(flags); this.node = n; }
      override stat(): Stat { return this.n.stat(); }
    }
    let opened = 0;
    v.chrdev.register(5, 0, (_t, n, fl) => { opened++; return new Tty(n, fl); });
    const f = v.open(t, '/dev/tty', O_RDWR);
    expect(f).toBeInstanceOf(Tty);
    expect(opened).toBe(1);
    v.chrdev.registerMajor(136, (_t, n, fl) => new Tty(n, fl));
    const pts = walk(v.nameidata(t), v.root, '/dev/pts', true) as DirInode;
    vfsMknod(t.cred, pts, '0', S_IFCHR | 0o620, makedev(136, 0));
    expect(v.open(t, '/dev/pts/0', O_RDWR)).toBeInstanceOf(Tty);
    // EACCES (no write permission on /dev/pts) comes before EPERM (no CAP_MKNOD), as in vfs_mknod
    expect(errnoOf(() => vfsMknod(fakeTask(v, 1000).cred, pts, '1', S_IFCHR | 0o620, makedev(136, 1)))).toBe(13);
    void EPERM;
  });

  it('FIFO nodes open through fs/pipe.ts openFifo', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const tmp = walk(v.nameidata(t), v.root, '/tmp', true) as DirInode;
    vfsMknod(t.cred, tmp, 'p', S_IFIFO | 0o644);
    const rw = v.open(t, '/tmp/p', O_RDWR);
    expect(rw.write(t, new Uint8Array([1, 2, 3]), -1)).toBe(3);
    const r = v.open(t, '/tmp/p', O_RDONLY | O_NONBLOCK);
    const b = new Uint8Array(8);
    expect(r.read(t, b, -1)).toBe(3);
    expect(rw.stat().mode).toBe(S_IFIFO | 0o644);
  });

  it('O_TMPFILE files can be written and linked in', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const f = v.open(t, '/tmp', O_TMPFILE | O_RDWR, 0o600);
    f.write(t, new TextEncoder().encode('tmp'), -1);
    expect(f.stat().nlink).toBe(0);
    const tmp = walk(v.nameidata(t), v.root, '/tmp', true) as DirInode;
    vfsLink(t.cred, f.node as SpecialInode, tmp, 'kept');
    expect(new TextDecoder().decode(v.readFile('/tmp/kept'))).toBe('tmp');
    expect(errnoOf(() => v.open(t, '/tmp', O_TMPFILE | O_RDONLY))).toBe(22);
    expect(errnoOf(() => v.open(t, '/tmp/kept', O_TMPFILE | O_WRONLY))).toBe(20);
    void O_CREAT; void O_WRONLY;
  });
});
