import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ENOSPC } from '../../abi/errno.js';
import { S_IFCHR, S_IFIFO, S_IFREG, S_IFSOCK } from '../../abi/fcntl.js';
import { encodeBytes } from '../../lib/bytestring.js';
import { raise } from '../errors.js';
import { Cred } from '../proc/cred.js';
import { vfsLink, vfsMkdir, vfsMknod, vfsRename, vfsRmdir, vfsUnlink } from './dirops.js';
import { DirInode, Inode, LnkInode, SpecialInode } from './inode.js';
import { Nameidata, walk } from './namei.js';
import { exportSnapshot, exportSnapshotChunks, importSnapshot, SnapshotError } from './snapshot.js';
import { makedev } from './stat.js';
import { readTar, TarWriter, type TarHeader } from '../../lib/tar.js';
import { RegInode } from './tmpfs.js';
import type { Vfs, VfsOptions } from './vfs.js';
import { makeVfs } from '../../../tests/helpers/fs-fixture.js';

const ROOT = new Cred(0, 0);
const T = { sec: 1700000000, nsec: 0 };

function at(v: Vfs, path: string): Inode { return walk(new Nameidata(null, ROOT, v.root), v.root, path, false); }
function dir(v: Vfs, path: string): DirInode { return at(v, path) as DirInode; }
function split(path: string): [string, string] {
  const i = path.lastIndexOf('/');
  return [path.slice(0, i) || '/', path.slice(i + 1)];
}
const rm = (v: Vfs, p: string): void => { const [d, n] = split(p); vfsUnlink(ROOT, dir(v, d), n); };
const rmdir = (v: Vfs, p: string): void => { const [d, n] = split(p); vfsRmdir(ROOT, dir(v, d), n); };
const mv = (v: Vfs, a: string, b: string): void => {
  const [da, na] = split(a), [db, nb] = split(b);
  vfsRename(ROOT, dir(v, da), na, dir(v, db), nb);
};
const ln = (v: Vfs, target: string, p: string): void => { const [d, n] = split(p); vfsLink(ROOT, at(v, target), dir(v, d), n); };
const mknod = (v: Vfs, p: string, mode: number, rdev = 0): void => { const [d, n] = split(p); vfsMknod(ROOT, dir(v, d), n, mode, rdev); };

function sha(b: Uint8Array): string { return createHash('sha256').update(b).digest('hex').slice(0, 16); }

/**
 * Everything a process could observe of the merged tree, one line per name: type and mode, owner, mtime
 * (ns), link count, size, contents (hash), link target, device, and which names share an inode.
 */
function tree(v: Vfs): string[] {
  const out: string[] = [];
  const first = new Map<Inode, string>();
  const line = (path: string, node: Inode): string => {
    const s = node.stat();
    let d = `${path} ${s.mode.toString(8)} ${s.uid}:${s.gid} ${s.mtime.sec}.${s.mtime.nsec} n${s.nlink} ${s.size}`;
    if (!node.isDir && node.nlink > 1) {
      const f = first.get(node);
      if (f) d += ` same-as ${f}`; else first.set(node, path);
    }
    if (node instanceof RegInode) d += ` ${sha(node.contents())}`;
    else if (node instanceof LnkInode) d += ` -> ${node.target}`;
    else if (node instanceof SpecialInode) d += ` rdev ${node.rdev}`;
    return d;
  };
  const rec = (d: DirInode, p: string): void => {
    const kids = [...d.iterate()].map(([n, e]) => [n, e.node] as const)
      .sort((a, b) => Buffer.compare(Buffer.from(encodeBytes(a[0])), Buffer.from(encodeBytes(b[0]))));
    for (const [n, node] of kids) {
      const path = `${p}/${n}`;
      if (node instanceof DirInode && node.mounted) { out.push(`${path} (mount point)`); continue; }
      out.push(line(path, node));
      if (node instanceof DirInode) rec(node, path);
    }
  };
  out.push(line('/', v.root));
  rec(v.root, '');
  return out;
}

/** A Vfs whose memory use is counted, with an optional budget. */
function counted(budget = Infinity): { v: Vfs; used: () => number } {
  let used = 0;
  const opts: VfsOptions = {
    memoryAccount: (d: number) => {
      if (d > 0 && used + d > budget) raise(ENOSPC); // as the kernel's account does
      used += d;
    },
  };
  return { v: makeVfs(opts), used: () => used };
}

/** Changes of every kind to the fixture image (see tests/helpers/fs-fixture.ts). */
function mutate(v: Vfs): void {
  v.writeFile('/tmp/new.txt', 'new\n');
  v.mkdir('/tmp/a');
  v.mkdir('/tmp/a/b', 0o750);
  v.writeFile('/tmp/a/b/c', new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff), 0o600);
  v.symlink('../new.txt', '/tmp/a/link');
  ln(v, '/tmp/new.txt', '/tmp/a/hard');
  v.writeFile('/etc/passwd', 'root:x:0:0::/root:/bin/ash\n'); // image hard link pair /etc/passwd{,.link}
  rm(v, '/etc/secret'); // whiteout
  at(v, '/etc/noexec').mode = S_IFREG | 0o755; // chmod only
  at(v, '/etc/noexec').uid = 7;
  rm(v, '/usr/share/doc/a'); rm(v, '/usr/share/doc/b'); rmdir(v, '/usr/share/doc');
  v.mkdir('/usr/share/doc'); // opaque
  v.writeFile('/usr/share/doc/readme', 'fresh\n');
  mv(v, '/home', '/house'); // an image directory moved: saved whole
  mknod(v, '/tmp/fifo', S_IFIFO | 0o640);
  mknod(v, '/tmp/tty', S_IFCHR | 0o620, makedev(136, 3));
  ln(v, '/bin/busybox', '/tmp/bb'); // a new name for an unchanged image file
  rm(v, '/bin/ls'); v.mkdir('/bin/ls'); // a symlink replaced by a directory
  rmdir(v, '/root'); v.writeFile('/root', 'not a dir\n'); // a directory replaced by a file
  v.writeFile(`/tmp/${'long'.repeat(40)}`, 'long name\n');
  v.writeFile('/tmp/caf\u00e9 \udcff', 'odd name\n');
}

function corruptCode(fn: () => unknown): string {
  try { fn(); } catch (e) { if (e instanceof SnapshotError) return e.code; throw e; }
  return 'no error';
}

describe('snapshot export', () => {
  it('of an unchanged filesystem holds no entries, and records the image', () => {
    const v = makeVfs();
    const tar = exportSnapshot(v);
    expect([...readTar(tar)]).toEqual([]);
    const w = makeVfs();
    const before = tree(w);
    const stats = importSnapshot(w, tar);
    expect(stats.imageId).toBe(v.image.id);
    expect(stats.entries).toBe(0);
    expect(tree(w)).toEqual(before);
  });

  it('holds exactly what differs from the image, in sorted order', () => {
    const v = makeVfs();
    mutate(v);
    const e = [...readTar(exportSnapshot(v))];
    const names = e.map((x) => `${x.type === 'file' ? '' : `${x.type} `}${x.name}${x.linkname ? ` > ${x.linkname}` : ''}`);
    expect(names).toEqual([
      'dir ./', '.wh.home',
      'dir bin/', 'bin/busybox', 'dir bin/ls/', // busybox is kept whole: /tmp/bb is a second name of it
      'dir etc/', 'etc/.wh.secret', 'etc/noexec', 'etc/passwd', 'hardlink etc/passwd.link > etc/passwd',
      'dir house/', 'dir house/user/',
      'root',
      'dir tmp/', 'dir tmp/a/', 'dir tmp/a/b/', 'tmp/a/b/c', 'tmp/a/hard', 'symlink tmp/a/link > ../new.txt',
      'hardlink tmp/bb > bin/busybox', 'tmp/caf\u00e9 \udcff', 'fifo tmp/fifo', `tmp/${'long'.repeat(40)}`,
      'hardlink tmp/new.txt > tmp/a/hard', 'chardev tmp/tty',
      'dir usr/', 'dir usr/share/', 'dir usr/share/doc/', 'usr/share/doc/.wh..wh..opq', 'usr/share/doc/readme',
    ]);
  });

  it('skips sockets and names reserved for whiteouts, and keeps a socket\'s image name deleted', () => {
    const v = makeVfs();
    rm(v, '/etc/passwd.link');
    mknod(v, '/etc/passwd.link', S_IFSOCK | 0o755);
    mknod(v, '/tmp/s', S_IFSOCK | 0o755);
    v.writeFile('/tmp/.wh.trick', 'x');
    const skipped: string[] = [];
    const e = [...readTar(exportSnapshot(v, { onSkip: (p, why) => skipped.push(`${p}: ${why}`) }))];
    expect(skipped.sort()).toEqual(['etc/passwd.link: socket', 'tmp/.wh.trick: name reserved for whiteouts', 'tmp/s: socket']);
    expect(e.map((x) => x.name)).toEqual(['./', 'etc/', 'etc/.wh.passwd.link', 'tmp/']);
  });

  it('gives the same bytes as chunks and as one array', () => {
    const v = makeVfs();
    mutate(v);
    const { size, chunks } = exportSnapshotChunks(v);
    const joined = Buffer.concat(chunks);
    expect(joined.length).toBe(size);
    expect(new Uint8Array(joined)).toEqual(exportSnapshot(v));
  });

  it('refuses a tree too deep to import back', () => {
    const v = makeVfs();
    let d = dir(v, '/tmp');
    for (let i = 0; i < 1100; i++) d = vfsMkdir(ROOT, d, 'd', 0o755);
    expect(corruptCode(() => exportSnapshot(v))).toBe('SNAPSHOT_ERR_TOO_LARGE');
  });

  it('refuses a layer larger than maxBytes', () => {
    const v = makeVfs();
    v.writeFile('/tmp/big', new Uint8Array(100_000));
    expect(corruptCode(() => exportSnapshot(v, { maxBytes: 50_000 }))).toBe('SNAPSHOT_ERR_TOO_LARGE');
  });
});

describe('snapshot import', () => {
  it('restores the merged view exactly, and exporting it again gives the same bytes', () => {
    const v = makeVfs();
    mutate(v);
    const tar = exportSnapshot(v);
    const { v: w, used } = counted();
    const stats = importSnapshot(w, tar);
    expect(tree(w)).toEqual(tree(v));
    expect(exportSnapshot(w)).toEqual(tar);
    expect(stats).toMatchObject({ whiteouts: 2, opaque: 1, hardlinks: 3, special: 2, skipped: 0 });
    expect(used()).toBeGreaterThan(100_000);
    // Shared inodes really are shared.
    expect(at(w, '/etc/passwd')).toBe(at(w, '/etc/passwd.link'));
    expect(at(w, '/tmp/a/hard')).toBe(at(w, '/tmp/new.txt'));
    expect(at(w, '/tmp/bb').nlink).toBe(2);
    expect((at(w, '/usr/share/doc') as DirInode).count).toBe(1);
  });

  it('keeps the image hard-link count right when one name is whited out', () => {
    const w = makeVfs();
    const tar = layer([[{ name: 'etc/.wh.passwd.link', type: 'file', mode: 0, uid: 0, gid: 0, mtime: T }]]);
    importSnapshot(w, tar);
    expect(at(w, '/etc/passwd').nlink).toBe(1);
    expect(() => at(w, '/etc/passwd.link')).toThrow();
  });

  it('accepts a whiteout of a name of NAME_MAX bytes', () => {
    expect(() => importSnapshot(makeVfs(), layer([[{ name: `tmp/.wh.${'w'.repeat(255)}`, type: 'file', mode: 0, uid: 0, gid: 0, mtime: T }]]))).not.toThrow();
  });

  it('treats an entry and a whiteout of the same name as "replace what is below"', () => {
    const w = makeVfs();
    importSnapshot(w, layer([
      [{ name: 'usr/share/.wh.doc', type: 'file', mode: 0, uid: 0, gid: 0, mtime: T }],
      [{ name: 'usr/share/doc/new', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, 'n'],
    ]));
    expect([...(at(w, '/usr/share/doc') as DirInode).iterate()].map(([n]) => n)).toEqual(['new']);
  });

  it('imports archives of other tools: implied directories, "./" names, later entries win', () => {
    const w = makeVfs();
    const skipped: string[] = [];
    const stats = importSnapshot(w, layer([
      [{ name: './', type: 'dir', mode: 0o700, uid: 1000, gid: 1000, mtime: T }],
      [{ name: './srv/app/main.c', type: 'file', mode: 0o644, uid: 1000, gid: 1000, mtime: T }, 'int main;\n'],
      [{ name: 'srv/app/main.c', type: 'file', mode: 0o600, uid: 1000, gid: 1000, mtime: T }, 'v2\n'],
      [{ name: './/etc//hostname', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, 'box\n'],
      [{ name: 'dev/null2', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, 'x'],
    ]), { onSkip: (p) => skipped.push(p) });
    expect(new TextDecoder().decode(w.readFile('/srv/app/main.c'))).toBe('v2\n');
    expect(at(w, '/srv/app/main.c').mode & 0o7777).toBe(0o600);
    expect(at(w, '/srv/app').mode & 0o7777).toBe(0o755);
    expect(new TextDecoder().decode(w.readFile('/etc/hostname'))).toBe('box\n');
    expect(w.root).toMatchObject({ mode: 0o40755, uid: 0, gid: 0, mtime: T }); // "./" of a foreign archive: not applied
    expect(skipped).toEqual(['.', 'dev']);
    expect(stats.skipped).toBe(2);
    expect(stats.imageId).toBeNull();
  });

  const whiteout = (name: string): [TarHeader] => [{ name, type: 'file', mode: 0, uid: 0, gid: 0, mtime: T }];
  const file = (name: string, data = 'x'): [TarHeader, string] => [{ name, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, data];
  const link = (name: string, type: 'symlink' | 'hardlink', linkname: string): [TarHeader] =>
    [{ name, type, mode: 0o777, uid: 0, gid: 0, mtime: T, linkname }];
  /** Valid changes first, so that a partly applied archive would show. */
  const valid: [TarHeader, string?][] = [file('tmp/ok', 'ok'), whiteout('etc/.wh.passwd'), whiteout('usr/share/doc/.wh..wh..opq')];

  const hostile: [string, [TarHeader, string?][], string][] = [
    ['a ".." name', [file('../evil')], 'SNAPSHOT_ERR_UNSAFE'],
    ['a ".." in the middle', [file('tmp/../../evil')], 'SNAPSHOT_ERR_UNSAFE'],
    ['an absolute name', [file('/etc/evil')], 'SNAPSHOT_ERR_UNSAFE'],
    ['a file below a symlink of the archive', [link('tmp/evil', 'symlink', '/etc'), file('tmp/evil/passwd')], 'SNAPSHOT_ERR_UNSAFE'],
    ['a file below a symlink of the image', [file('etcl/passwd')], 'SNAPSHOT_ERR_UNSAFE'],
    ['a file below a file of the image', [file('etc/noexec/x')], 'SNAPSHOT_ERR_UNSAFE'],
    ['a hard link out of the root', [link('tmp/h', 'hardlink', '../etc/passwd')], 'SNAPSHOT_ERR_UNSAFE'],
    ['a hard link through an image symlink', [link('tmp/h', 'hardlink', 'etcl/passwd')], 'SNAPSHOT_ERR_UNSAFE'],
    ['a hard link to a directory', [link('tmp/h', 'hardlink', 'etc')], 'SNAPSHOT_ERR_UNSAFE'],
    ['a hard link to nothing', [link('tmp/h', 'hardlink', 'etc/nope')], 'SNAPSHOT_ERR_CORRUPT'],
    ['a hard link to a whited-out file', [link('tmp/h', 'hardlink', 'etc/passwd')], 'SNAPSHOT_ERR_CORRUPT'],
    ['a hard link loop', [link('tmp/h1', 'hardlink', 'tmp/h2'), link('tmp/h2', 'hardlink', 'tmp/h1')], 'SNAPSHOT_ERR_CORRUPT'],
    ['a whiteout of a mount point', [whiteout('.wh.dev')], 'SNAPSHOT_ERR_UNSAFE'],
    ['a file over a mount point', [file('dev')], 'SNAPSHOT_ERR_UNSAFE'],
    ['an opaque root', [whiteout('.wh..wh..opq')], 'SNAPSHOT_ERR_UNSAFE'],
    ['a symlink as the root', [link('.', 'symlink', 'x')], 'SNAPSHOT_ERR_CORRUPT'],
    ['an empty symlink', [link('tmp/l', 'symlink', '')], 'SNAPSHOT_ERR_CORRUPT'],
    ['a name over NAME_MAX', [file(`tmp/${'n'.repeat(256)}`)], 'SNAPSHOT_ERR_TOO_LARGE'],
    ['a file replacing a directory the archive fills', [file('tmp/d/x'), file('tmp/d')], 'SNAPSHOT_ERR_CORRUPT'],
    ['a whiteout name used as a directory', [file('tmp/.wh.x/y')], 'SNAPSHOT_ERR_CORRUPT'],
    ['a NUL in a name', [file('tmp/a\0b')], 'SNAPSHOT_ERR_CORRUPT'],
    ['a NUL in a symlink target', [link('tmp/l', 'symlink', 'a\0b')], 'SNAPSHOT_ERR_CORRUPT'],
    ['a path deeper than 1024 levels', [file(`${'d/'.repeat(1100)}f`)], 'SNAPSHOT_ERR_TOO_LARGE'],
  ];

  for (const [what, entries, code] of hostile) {
    it(`rejects ${what} and leaves the filesystem untouched`, () => {
      const { v: w, used } = counted();
      const before = tree(w), mem = used();
      expect(corruptCode(() => importSnapshot(w, layer([...valid, ...entries])))).toBe(code);
      expect(tree(w)).toEqual(before);
      expect(used()).toBe(mem);
    });
  }

  it('rejects damaged archives: checksum, truncation, absurd sizes', () => {
    const good = layer([...valid, file('tmp/data', 'd'.repeat(3000))]);
    const flip = good.slice(); flip[512 * 3 + 10] ^= 0x20; // in a header
    const sized = good.slice();
    const off = good.length - 1024 - 512 * 7; // tmp/data's ustar header: 6 data blocks + header before the end
    expect(new TextDecoder().decode(sized.subarray(off, off + 8))).toBe('tmp/data');
    sized.set(encodeBytes('77777777777'), off + 124);
    let s = 256; for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) s += sized[off + i]!;
    sized.set(encodeBytes(`${s.toString(8).padStart(6, '0')}\0 `), off + 148);
    for (const [bad, code] of [
      [flip, 'SNAPSHOT_ERR_CORRUPT'], [good.subarray(0, good.length - 1500), 'SNAPSHOT_ERR_CORRUPT'],
      [good.subarray(0, good.length - 1024), 'SNAPSHOT_ERR_CORRUPT'], [sized, 'SNAPSHOT_ERR_CORRUPT'],
      [new Uint8Array(0), 'SNAPSHOT_ERR_CORRUPT'], [encodeBytes('not a tar at all'.repeat(64)), 'SNAPSHOT_ERR_CORRUPT'],
    ] as const) {
      const { v: w, used } = counted();
      const before = tree(w);
      expect(corruptCode(() => importSnapshot(w, bad))).toBe(code);
      expect(tree(w)).toEqual(before);
      expect(used()).toBe(0);
    }
    expect(corruptCode(() => importSnapshot(makeVfs(), good, { maxFileSize: 1000 }))).toBe('SNAPSHOT_ERR_TOO_LARGE');
    expect(corruptCode(() => importSnapshot(makeVfs(), good, { maxEntries: 2 }))).toBe('SNAPSHOT_ERR_TOO_LARGE');
  });

  it('fails with SNAPSHOT_ERR_NOSPC past the memory limit and frees what it allocated', () => {
    const mib = new Uint8Array(1 << 20);
    const tar = layer([...valid, file('tmp/1'), [{ ...file('tmp/2')[0] }, mib as unknown as string], [{ ...file('tmp/3')[0] }, mib as unknown as string]]);
    const { v: w, used } = counted(1.5 * (1 << 20));
    const before = tree(w);
    let err: unknown;
    try { importSnapshot(w, tar); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SnapshotError);
    expect((err as SnapshotError).code).toBe('SNAPSHOT_ERR_NOSPC');
    expect((err as Error).message).toMatch(/^snapshot: /);
    expect(tree(w)).toEqual(before);
    expect(used()).toBe(0);
  });

  it('never half-applies a randomly damaged snapshot, and fails only with SnapshotError', () => {
    const v = makeVfs();
    mutate(v);
    const tar = exportSnapshot(v);
    let seed = 12345;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    let failed = 0;
    for (let i = 0; i < 300; i++) {
      const bad = tar.slice(0, i % 10 === 0 ? rand(tar.length) : tar.length);
      // Damage the headers and pax records more than the file data, where a flip is mostly harmless.
      for (let j = 0; j < 1 + rand(3); j++) {
        const block = rand(Math.ceil(bad.length / 512)) * 512;
        if (block < bad.length) bad[Math.min(bad.length - 1, block + rand(512))] ^= 1 << rand(8);
      }
      const { v: w, used } = counted();
      const before = tree(w);
      try {
        importSnapshot(w, bad);
      } catch (e) {
        expect(e).toBeInstanceOf(SnapshotError);
        expect(tree(w)).toEqual(before);
        expect(used()).toBe(0);
        failed++;
        continue;
      }
      // Applied: the flip hit file data or a field any value of which is valid (mtime, mode...).
    }
    expect(failed).toBeGreaterThan(100);
  });

  it('applying the same snapshot twice changes nothing more', () => {
    const v = makeVfs();
    mutate(v);
    const tar = exportSnapshot(v);
    const w = makeVfs();
    importSnapshot(w, tar);
    importSnapshot(w, tar);
    expect(tree(w)).toEqual(tree(v));
  });
});

function layer(entries: [TarHeader, (string | Uint8Array)?][]): Uint8Array {
  const w = new TarWriter();
  for (const [h, d] of entries) w.add(h, typeof d === 'string' ? encodeBytes(d) : d);
  return w.finish();
}
