import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, linkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeBytes } from './bytestring.js';
import { formatPaxTime, parsePaxTime, readTar, TarError, TarWriter, type TarEntry, type TarHeader } from './tar.js';

const T = { sec: 1700000000, nsec: 0 };
const hasGnuTar = spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout?.includes('GNU tar') ?? false;

function archive(entries: [TarHeader, (Uint8Array | string)?][]): Uint8Array {
  const w = new TarWriter();
  for (const [h, d] of entries) w.add(h, typeof d === 'string' ? encodeBytes(d) : d);
  return w.finish();
}

function all(b: Uint8Array): TarEntry[] { return [...readTar(b)]; }

function codeOf(fn: () => unknown): string {
  try { fn(); } catch (e) { if (e instanceof TarError) return e.code; throw e; }
  return 'no error';
}

/** Recompute the checksum of the header at `off` after editing it. */
function fixChecksum(b: Uint8Array, off: number): void {
  let s = 8 * 32;
  for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) s += b[off + i]!;
  const o = s.toString(8).padStart(6, '0');
  for (let i = 0; i < 6; i++) b[off + 148 + i] = o.charCodeAt(i);
  b[off + 154] = 0; b[off + 155] = 32;
}

describe('tar writer and reader', () => {
  it('round-trips every entry type with its attributes', () => {
    const data = new Uint8Array(1000).map((_, i) => i * 7);
    const b = archive([
      [{ name: 'd', type: 'dir', mode: 0o1755, uid: 1000, gid: 100, mtime: T }],
      [{ name: 'd/f', type: 'file', mode: 0o4751, uid: 1, gid: 2, mtime: { sec: 1700000001, nsec: 5 } }, data],
      [{ name: 'd/empty', type: 'file', mode: 0o600, uid: 0, gid: 0, mtime: T }],
      [{ name: 'd/l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: T, linkname: '../x y' }],
      [{ name: 'd/h', type: 'hardlink', mode: 0o4751, uid: 1, gid: 2, mtime: T, linkname: 'd/f' }],
      [{ name: 'c', type: 'chardev', mode: 0o666, uid: 0, gid: 0, mtime: T, devmajor: 136, devminor: 1048575 }],
      [{ name: 'b', type: 'blockdev', mode: 0o660, uid: 0, gid: 6, mtime: T, devmajor: 8, devminor: 1 }],
      [{ name: 'p', type: 'fifo', mode: 0o644, uid: 0, gid: 0, mtime: T }],
    ]);
    expect(b.length % 512).toBe(0);
    const e = all(b);
    expect(e.map((x) => [x.name, x.type])).toEqual([
      ['d/', 'dir'], ['d/f', 'file'], ['d/empty', 'file'], ['d/l', 'symlink'], ['d/h', 'hardlink'],
      ['c', 'chardev'], ['b', 'blockdev'], ['p', 'fifo'],
    ]);
    expect(e[0]).toMatchObject({ mode: 0o1755, uid: 1000, gid: 100, mtime: T });
    expect(e[1]).toMatchObject({ mode: 0o4751, uid: 1, gid: 2, mtime: { sec: 1700000001, nsec: 5 } });
    expect([...e[1]!.data]).toEqual([...data]);
    expect(e[2]!.data.length).toBe(0);
    expect(e[3]!.linkname).toBe('../x y');
    expect(e[4]!.linkname).toBe('d/f');
    expect(e[5]).toMatchObject({ devmajor: 136, devminor: 1048575 });
    expect(e[6]).toMatchObject({ devmajor: 8, devminor: 1, gid: 6 });
  });

  it('is deterministic, and data is not copied on read', () => {
    const mk = (): Uint8Array => archive([[{ name: 'a', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: { sec: 5, nsec: 123 } }, 'xyz']]);
    const a = mk();
    expect(mk()).toEqual(a);
    const [e] = all(a);
    expect(e!.data.buffer).toBe(a.buffer);
  });

  it('uses the ustar prefix, then pax, for long names and link targets', () => {
    const dir = 'd'.repeat(120), leaf = 'f'.repeat(90);
    const viaPrefix = `${dir}/${leaf}`; // 211 bytes: fits as prefix + name
    const noSlash = 'n'.repeat(300); // cannot be split: pax path
    const deep = Array.from({ length: 60 }, (_, i) => `dir${i}`).join('/'); // 349 bytes
    const target = `/${'t'.repeat(250)}`;
    const b = archive([
      [{ name: viaPrefix, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, 'p'],
      [{ name: noSlash, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, 'q'],
      [{ name: deep, type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: T }],
      [{ name: 'l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: T, linkname: target }],
    ]);
    const e = all(b);
    expect(e.map((x) => x.name)).toEqual([viaPrefix, noSlash, `${deep}/`, 'l']);
    expect(e[3]!.linkname).toBe(target);
    // The first needed no pax header: its header is the first block.
    expect(String.fromCharCode(b[156]!)).toBe('0');
    expect(String.fromCharCode(b[512 * 2 + 156]!)).toBe('x');
  });

  it('keeps non-ASCII and non-UTF-8 names exact (raw bytes in a pax path)', () => {
    const utf8 = 'caf\u00e9/\u{1F600}.txt';
    const binary = 'a\udcff\udc80b'; // bytes ff 80: not UTF-8
    const b = archive([
      [{ name: utf8, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, '1'],
      [{ name: binary, type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: T, linkname: binary }],
    ]);
    expect(Buffer.from(b).includes(Buffer.from([0x20, 0x70, 0x61, 0x74, 0x68, 0x3d, 0x61, 0xff, 0x80, 0x62, 0x0a]))).toBe(true); // " path=a\xff\x80b\n"
    expect(all(b).map((x) => [x.name, x.linkname])).toEqual([[utf8, ''], [binary, binary]]);
  });

  it('stores sub-second, negative and far-future times and large owners through pax', () => {
    const times = [{ sec: 1, nsec: 999999999 }, { sec: -1, nsec: 500000000 }, { sec: -86400, nsec: 0 },
      { sec: 2 ** 40, nsec: 1 }];
    const b = archive(times.map((mtime, i) => [{ name: `f${i}`, type: 'file', mode: 0o644, uid: 4000000000, gid: 2 ** 21, mtime }]));
    const e = all(b);
    expect(e.map((x) => x.mtime)).toEqual(times);
    expect(e.every((x) => x.uid === 4000000000 && x.gid === 2 ** 21)).toBe(true);
    expect(formatPaxTime({ sec: -2, nsec: 500000000 })).toBe('-1.5');
    expect(formatPaxTime({ sec: -1, nsec: 500000000 })).toBe('-0.5');
    expect(parsePaxTime('-0.5', 0)).toEqual({ sec: -1, nsec: 500000000 });
    expect(parsePaxTime('12.3456789012', 0)).toEqual({ sec: 12, nsec: 345678901 });
  });

  it('writes a pax size and a base-256 size field past 8 GiB', () => {
    const w = new TarWriter(2 ** 40);
    const huge = { length: 2 ** 34 } as unknown as Uint8Array; // never read: only the header is inspected
    w.add({ name: 'big', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, huge);
    const header = w.chunks()[0]!;
    expect(new TextDecoder('latin1').decode(header.subarray(512, 1024))).toContain(`size=${2 ** 34}\n`);
    const ustar = header.subarray(1024, 1536);
    expect(ustar[124]).toBe(0x80);
    // Reading it back needs the data; check the reader's base-256 decoding on a small value instead.
    const b = archive([[{ name: 'x', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, 'abc']]);
    b.fill(0, 124, 136); b[124] = 0x80; b[135] = 3; fixChecksum(b, 0);
    expect(new TextDecoder().decode(all(b)[0]!.data)).toBe('abc');
  });

  it('refuses archives larger than the writer limit', () => {
    const w = new TarWriter(4096);
    expect(codeOf(() => w.add({ name: 'f', type: 'file', mode: 0, uid: 0, gid: 0, mtime: T }, new Uint8Array(4096)))).toBe('TAR_ERR_LIMIT');
  });

  it('applies pax global headers and reports them', () => {
    const w = new TarWriter();
    w.addGlobal([['comment', 'hello'], ['uid', '42']]);
    w.add({ name: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, encodeBytes('z'));
    const seen: string[] = [];
    const e = [...readTar(w.finish(), { onGlobal: (g) => seen.push(g.get('comment')!) })];
    expect(seen).toEqual(['hello']);
    expect(e).toHaveLength(1);
    expect(e[0]!.uid).toBe(42);
  });
});

describe('tar reader checks', () => {
  const sample = (): Uint8Array => archive([
    [{ name: 'a', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, 'x'.repeat(700)],
    [{ name: 'b', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: { sec: 1, nsec: 1 } }],
  ]);

  it('detects a corrupted header', () => {
    const b = sample();
    b[5] ^= 1;
    expect(codeOf(() => all(b))).toBe('TAR_ERR_CHECKSUM');
    const c = sample();
    c[148] = 0x39; // not an octal digit
    expect(codeOf(() => all(c))).toBe('TAR_ERR_FORMAT');
  });

  it('detects truncation anywhere, including at a block boundary', () => {
    const b = sample();
    for (const cut of [0, 100, 512, 700, 1536, 2048, 2560, 3072]) {
      expect(codeOf(() => all(b.subarray(0, cut)))).toBe('TAR_ERR_TRUNCATED');
    }
    expect(all(b.subarray(0, b.length - 512))).toHaveLength(2); // one zero block is enough
  });

  it('refuses absurd sizes', () => {
    const b = sample();
    const s = '77777777777';
    for (let i = 0; i < 11; i++) b[124 + i] = s.charCodeAt(i);
    fixChecksum(b, 0);
    expect(codeOf(() => all(b))).toBe('TAR_ERR_TRUNCATED');
    expect(codeOf(() => all(sample()).length && [...readTar(sample(), { maxEntrySize: 100 })])).toBe('TAR_ERR_LIMIT');
    expect(codeOf(() => [...readTar(sample(), { maxEntries: 1 })])).toBe('TAR_ERR_LIMIT');
  });

  it('refuses malformed pax records', () => {
    const good = sample();
    const paxAt = 512 * 3; // a (1 header + 2 data blocks), then b's pax header
    expect(String.fromCharCode(good[paxAt + 156]!)).toBe('x');
    const rec = paxAt + 512;
    for (const edit of [(b: Uint8Array) => { b[rec] = 0x39; }, (b: Uint8Array) => { b[rec + 1] = 0x41; }]) {
      const b = sample();
      edit(b);
      expect(codeOf(() => all(b))).toBe('TAR_ERR_FORMAT');
    }
  });

  it('refuses unsupported and unknown entry types', () => {
    for (const [tf, code] of [['S', 'TAR_ERR_UNSUPPORTED'], ['M', 'TAR_ERR_UNSUPPORTED'], ['Z', 'TAR_ERR_UNSUPPORTED']]) {
      const b = sample();
      b[156] = tf!.charCodeAt(0);
      fixChecksum(b, 0);
      expect(codeOf(() => all(b))).toBe(code);
    }
  });

  it('reads v7 headers and old-style directories', () => {
    const b = archive([[{ name: 'dir/', type: 'file', mode: 0o755, uid: 0, gid: 0, mtime: T }]]);
    b.fill(0, 257, 265); // no magic: v7
    b[156] = 0; // '\0' type
    fixChecksum(b, 0);
    expect(all(b).map((e) => [e.name, e.type])).toEqual([['dir/', 'dir']]);
  });
});

describe.skipIf(!hasGnuTar)('interoperability with GNU tar', () => {
  /** A tree for GNU tar; `long` adds names only gnu and posix formats can hold. */
  function tree(long: boolean): string {
    const d = mkdtempSync(join(tmpdir(), 'wasmux-tar-'));
    mkdirSync(join(d, 'src/sub'), { recursive: true });
    writeFileSync(join(d, 'src/sub/file.txt'), 'hello\n');
    mkdirSync(join(d, `src/${'p'.repeat(90)}/${'q'.repeat(60)}`), { recursive: true }); // ustar prefix split
    writeFileSync(join(d, `src/${'p'.repeat(90)}/${'q'.repeat(60)}/leaf`), 'split\n');
    symlinkSync('sub/file.txt', join(d, 'src/link'));
    linkSync(join(d, 'src/sub/file.txt'), join(d, 'src/hard'));
    utimesSync(join(d, 'src/sub/file.txt'), 1600000000.25, 1600000000.25);
    if (long) {
      writeFileSync(join(d, `src/${'long-name-'.repeat(15)}.txt`), 'long\n');
      symlinkSync(`/${'x'.repeat(150)}`, join(d, 'src/longlink'));
    }
    return d;
  }

  for (const format of ['gnu', 'posix', 'ustar', 'v7']) {
    it(`reads what GNU tar --format=${format} writes`, () => {
      const long = format === 'gnu' || format === 'posix';
      const d = tree(long);
      try {
        const args = [`--format=${format}`, '-C', join(d, 'src'), '-cf', join(d, 'out.tar'), '.'];
        if (format === 'v7') args.splice(1, 0, '--exclude', `./${'p'.repeat(90)}`);
        const r = spawnSync('tar', args, { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const e = all(new Uint8Array(readFileSync(join(d, 'out.tar'))));
        const byName = new Map(e.map((x) => [x.name.replace(/^\.\//, '').replace(/\/$/, ''), x]));
        expect(byName.get('sub')?.type).toBe('dir');
        expect(new TextDecoder().decode(byName.get('sub/file.txt')!.data)).toBe('hello\n');
        expect(byName.get('link')).toMatchObject({ type: 'symlink', linkname: 'sub/file.txt' });
        // GNU tar stores whichever name it meets first in full, the other as a hard link.
        const pair = [byName.get('hard')!, byName.get('sub/file.txt')!].map((x) => x.type).sort();
        expect(pair).toEqual(['file', 'hardlink']);
        if (format !== 'v7') {
          expect(new TextDecoder().decode(byName.get(`${'p'.repeat(90)}/${'q'.repeat(60)}/leaf`)!.data)).toBe('split\n');
        }
        if (long) {
          expect(byName.get(`${'long-name-'.repeat(15)}.txt`)?.type).toBe('file');
          expect(byName.get('longlink')).toMatchObject({ type: 'symlink', linkname: `/${'x'.repeat(150)}` });
        }
        if (format === 'posix') expect(byName.get('sub/file.txt')!.mtime).toEqual({ sec: 1600000000, nsec: 250000000 });
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    });
  }

  it('GNU tar lists and extracts what we write, without a warning', () => {
    const d = mkdtempSync(join(tmpdir(), 'wasmux-tar-'));
    try {
      const long = `${'a'.repeat(130)}/${'b'.repeat(130)}/${'c'.repeat(50)}`;
      const w = new TarWriter();
      w.addGlobal([['comment', 'test']]);
      w.add({ name: 'top', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: T });
      w.add({ name: 'top/f', type: 'file', mode: 0o640, uid: 0, gid: 0, mtime: { sec: 1600000000, nsec: 5e8 } }, encodeBytes('data\n'));
      w.add({ name: 'top/h', type: 'hardlink', mode: 0o640, uid: 0, gid: 0, mtime: T, linkname: 'top/f' });
      w.add({ name: 'top/l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: T, linkname: 'x'.repeat(200) });
      w.add({ name: long, type: 'file', mode: 0o600, uid: 0, gid: 0, mtime: T }, encodeBytes('long\n'));
      w.add({ name: 'top/caf\u00e9', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: T }, encodeBytes(''));
      w.add({ name: 'top/bin\udcff\udc80', type: 'file', mode: 0o644, uid: 4000000000, gid: 0, mtime: { sec: 1, nsec: 1 } }, encodeBytes('b'));
      writeFileSync(join(d, 'x.tar'), w.finish());
      const list = spawnSync('tar', ['-tvf', join(d, 'x.tar')], { encoding: 'utf8' });
      expect(list.stderr).toBe('');
      expect(list.status).toBe(0);
      expect(list.stdout).toContain(long);
      expect(list.stdout).toContain(`top/l -> ${'x'.repeat(200)}`);
      expect(list.stdout).toContain('top/h link to top/f');
      mkdirSync(join(d, 'out'));
      const x = spawnSync('tar', ['-xf', join(d, 'x.tar'), '-C', join(d, 'out')], { encoding: 'utf8' });
      expect(x.stderr).toBe('');
      expect(readFileSync(join(d, 'out', long), 'utf8')).toBe('long\n');
      expect(readFileSync(join(d, 'out/top/h'), 'utf8')).toBe('data\n');
      expect(readFileSync(Buffer.concat([Buffer.from(join(d, 'out/top/bin')), Buffer.from([0xff, 0x80])]), 'utf8')).toBe('b');
      expect(list.stdout).toContain('4000000000/0');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
