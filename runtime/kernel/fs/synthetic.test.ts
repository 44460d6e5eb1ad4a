import { describe, expect, it } from 'vitest';
import { EACCES, EADDRINUSE, ECONNREFUSED } from '../../abi/errno.js';
import { O_DIRECTORY, O_RDONLY, O_WRONLY } from '../../abi/fcntl.js';
import { makeVfs } from '../../../tests/helpers/fs-fixture.js';
import type { Inode } from './inode.js';
import { walk } from './namei.js';
import { makedev } from './stat.js';
import { MagicLink, SyntheticDir, SyntheticFile, syntheticSuper, TaskLink } from './synthetic.js';
import { errnoOf, fakeTask } from './testing.js';
import { PROC_SUPER_MAGIC, RegInode } from './tmpfs.js';

describe('synthetic filesystems (the /proc hook)', () => {
  it('mounts on /proc with dynamic entries, per-task links and generated files', () => {
    const v = makeVfs();
    const t = fakeTask(v, 0, 0, 42);
    const sb = syntheticSuper(makedev(0, 40), 'proc', PROC_SUPER_MAGIC, v.allocMntId());
    const pids = new Map<string, Inode>();
    const passwd = walk(v.nameidata(t), v.root, '/etc/passwd', true);
    const root = new SyntheticDir(sb, 0o555, () => [
      ...pids,
      ['self', new TaskLink(sb, (tk) => String(tk?.pid ?? 0))] as [string, Inode],
    ]);
    const mkPid = (pid: number): SyntheticDir => new SyntheticDir(sb, 0o555, () => [
      ['comm', new SyntheticFile(sb, 0o444, (tk) => new TextEncoder().encode(`${tk.comm} ${pid}\n`))],
      ['exe', new MagicLink(sb, () => '/etc/passwd', () => passwd)],
    ]);
    pids.set('42', mkPid(42));
    v.mountProc(root);
    const nd = v.nameidata(t);
    expect(walk(nd, v.root, '/proc/self/comm', true)).toBeInstanceOf(SyntheticFile);
    expect(walk(nd, v.root, '/proc/self/exe', true)).toBe(passwd);
    const f = v.open(t, '/proc/self/comm', O_RDONLY);
    const b = new Uint8Array(64);
    const n = f.read(t, b, -1);
    expect(new TextDecoder().decode(b.subarray(0, n))).toBe('test 42\n');
    expect(errnoOf(() => v.open(t, '/proc/42/comm', O_WRONLY))).toBe(EACCES);
    // cookies survive changes: a listing resumed after a pid appears does not repeat entries
    const d = v.open(t, '/proc', O_RDONLY | O_DIRECTORY);
    const buf = new Uint8Array(4096);
    expect(d.getdents64(t, buf)).toBeGreaterThan(0);
    pids.set('7', mkPid(7));
    expect(walk(nd, v.root, '/proc/7/comm', true)).toBeInstanceOf(SyntheticFile);
    expect(walk(nd, v.root, '/proc/..', true)).toBe(v.root);
    expect(v.getcwd({ root: v.root, cwd: walk(nd, v.root, '/proc/7', true) } as never)).toBe('/proc/7');
  });

  it('socket node hooks for AF_UNIX bind and connect', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const s = v.bindSocket(t, '/tmp/sock');
    expect(s.stat().mode).toBe(0o140755);
    expect(errnoOf(() => v.bindSocket(t, '/tmp/sock'))).toBe(EADDRINUSE);
    expect(v.lookupSocket(t, '/tmp/sock')).toBe(s);
    v.writeFile('/tmp/plain', 'x');
    expect(errnoOf(() => v.lookupSocket(t, '/tmp/plain'))).toBe(ECONNREFUSED);
    expect(errnoOf(() => v.lookupSocket(fakeTask(v, 1000), '/tmp/sock'))).toBe(EACCES);
    expect(errnoOf(() => v.open(t, '/tmp/sock', O_RDONLY))).toBe(6);
    void RegInode;
  });
});
