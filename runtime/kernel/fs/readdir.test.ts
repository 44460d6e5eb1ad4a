import { describe, expect, it } from 'vitest';
import { EINVAL, ENOENT } from '../../abi/errno.js';
import { O_DIRECTORY, O_RDONLY, SEEK_SET } from '../../abi/fcntl.js';
import { vfsMkdir, vfsRmdir, vfsUnlink } from './dirops.js';
import type { File } from './file.js';
import type { DirInode } from './inode.js';
import { walk } from './namei.js';
import { errnoOf, fakeTask } from './testing.js';
import { makeVfs } from '../../../tests/helpers/fs-fixture.js';

interface Ent { ino: number; off: number; type: number; name: string }

function parse(buf: Uint8Array, n: number): Ent[] {
  const dv = new DataView(buf.buffer, buf.byteOffset);
  const out: Ent[] = [];
  for (let p = 0; p < n;) {
    const len = dv.getUint16(p + 16, true);
    expect(len % 8).toBe(0);
    const nameBytes = buf.subarray(p + 19, p + len);
    out.push({ ino: Number(dv.getBigUint64(p, true)), off: Number(dv.getBigInt64(p + 8, true)), type: buf[p + 18]!,
      name: new TextDecoder().decode(nameBytes.subarray(0, nameBytes.indexOf(0))) });
    p += len;
  }
  return out;
}

function readAll(f: File, t: ReturnType<typeof fakeTask>, size = 4096): Ent[] {
  const buf = new Uint8Array(size);
  const out: Ent[] = [];
  for (;;) {
    const n = f.getdents64(t, buf);
    if (n === 0) return out;
    out.push(...parse(buf, n));
  }
}

describe('getdents64', () => {
  it('lists ".", "..", merged entries with d_type and resumable d_off', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    v.writeFile('/etc/zz', 'z');
    const f = v.open(t, '/etc', O_RDONLY | O_DIRECTORY);
    const all = readAll(f, t);
    expect(all.map((e) => e.name)).toEqual(['.', '..', 'noexec', 'passwd', 'passwd.link', 'secret', 'zz']);
    expect(all[0]!.type).toBe(4);
    expect(all[2]!.type).toBe(8);
    expect(all[1]!.ino).toBe(v.root.ino);
    // seekdir to the d_off of the third entry resumes after it
    f.lseek(all[2]!.off, SEEK_SET);
    expect(readAll(f, t).map((e) => e.name)).toEqual(['passwd', 'passwd.link', 'secret', 'zz']);
    f.lseek(0, SEEK_SET);
    expect(readAll(f, t, 64).length).toBe(7);
    expect(errnoOf(() => { f.lseek(0, SEEK_SET); f.getdents64(t, new Uint8Array(16)); })).toBe(EINVAL);
  });

  it('stays consistent while entries are added and removed', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const tmp = walk(v.nameidata(t), v.root, '/tmp', true) as DirInode;
    for (let i = 0; i < 200; i++) v.writeFile(`/tmp/f${i}`, '');
    const f = v.open(t, '/tmp', O_RDONLY);
    const buf = new Uint8Array(256);
    const seen = new Map<string, number>();
    let round = 0;
    for (;;) {
      const n = f.getdents64(t, buf);
      if (n === 0) break;
      for (const e of parse(buf, n)) seen.set(e.name, (seen.get(e.name) ?? 0) + 1);
      // churn: remove an early and a late entry, add new ones
      vfsUnlink(t.cred, tmp, `f${199 - round}`);
      v.writeFile(`/tmp/new${round}`, '');
      round++;
    }
    // every entry present for the whole walk was returned exactly once; none twice
    for (let i = 0; i < 200 - round; i++) expect(seen.get(`f${i}`)).toBe(1);
    for (const c of seen.values()) expect(c).toBe(1);
    f.put();
  });

  it('fails with ENOENT on a removed directory', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const tmp = walk(v.nameidata(t), v.root, '/tmp', true) as DirInode;
    vfsMkdir(t.cred, tmp, 'd', 0o755);
    const f = v.open(t, '/tmp/d', O_RDONLY);
    vfsRmdir(t.cred, tmp, 'd');
    expect(errnoOf(() => f.getdents64(t, new Uint8Array(1024)))).toBe(ENOENT);
  });
});
