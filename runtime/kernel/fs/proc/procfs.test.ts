// procfs on a real sandbox: processes are started from the host and their /proc files read directly
// through the VFS (the behaviour tests in tests/proc.test.ts read them with BusyBox).
import { afterEach, describe, expect, it } from 'vitest';
import { EACCES, ENOENT, ENXIO } from '../../../abi/errno.js';
import { O_RDONLY, O_WRONLY } from '../../../abi/fcntl.js';
import { SIGKILL } from '../../../abi/signal.js';
import { sandbox, ENV } from '../../../../tests/sandbox.js';
import type { Kernel } from '../../kernel.js';
import { Cred } from '../../proc/cred.js';
import { TaskState, type Task } from '../../proc/task.js';
import { realPath } from '../d_path.js';
import { Nameidata, walk } from '../namei.js';
import { File } from '../file.js';
import { createPipe } from '../pipe.js';
import type { Stat } from '../stat.js';
import { errnoOf } from '../testing.js';

let k: Kernel | null = null;
afterEach(() => {
  if (k) {
    for (const t of k.tasks.values()) if (t.alive) k.signals.kill(t, SIGKILL);
    expect(k.bugs).toEqual([]);
  }
  k = null;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A sandbox running `argv` (left sleeping); returns the kernel and the task. */
async function start(argv: string[], o: { uid?: number } = {}): Promise<{ k: Kernel; t: Task }> {
  k = sandbox();
  const t = k.spawn({ argv, env: ENV, cwd: '/tmp', uid: o.uid });
  for (let i = 0; i < 100 && t.state !== TaskState.Sleeping; i++) await sleep(10);
  return { k, t };
}

function read(k: Kernel, reader: Task, path: string): string {
  const f = k.vfs.open(reader, path, O_RDONLY);
  const out: number[] = [];
  const buf = new Uint8Array(256);
  for (let n; (n = f.read(reader, buf, -1)) > 0;) out.push(...buf.subarray(0, n));
  f.put();
  return new TextDecoder().decode(new Uint8Array(out));
}

const readlink = (k: Kernel, reader: Task, path: string): string =>
  (k.vfs.lookupAt(reader, -100, path, 0x100) as unknown as { readlink(t: Task): string }).readlink(reader);

describe('procfs', () => {
  it('stat has the 52 Linux fields with state, ppid, group, session and times', async () => {
    const { k, t } = await start(['sleep', '5']);
    const s = read(k, t, `/proc/${t.pid}/stat`).trim();
    const m = /^(\d+) \((.*)\) (.*)$/.exec(s)!;
    expect(m[1]).toBe(String(t.pid));
    expect(m[2]).toBe('sleep');
    const f = m[3]!.split(' ');
    expect(f.length).toBe(50);
    expect(f[0]).toBe('S');
    expect(f.slice(1, 4)).toEqual(['0', String(t.pid), String(t.pid)]);
    expect(Number(f[19])).toBe(Math.floor(t.startTime / 10)); // starttime, field 22
    expect(Number(f[20])).toBe(t.mm.size); // vsize
    expect(Number(f[21])).toBeGreaterThan(0); // rss pages
    expect(read(k, t, '/proc/self/stat')).toBe(read(k, t, `/proc/${t.pid}/stat`));
    expect(read(k, t, `/proc/${t.pid}/statm`)).toMatch(/^\d+ \d+ 0 \d+ 0 \d+ 0\n$/);
  });

  it('status, cmdline, comm, environ, limits, maps', async () => {
    const { k, t } = await start(['sleep', '5']);
    const st = read(k, t, '/proc/self/status');
    expect(st).toMatch(/^Name:\tsleep\nUmask:\t0022\nState:\tS \(sleeping\)\nTgid:\t1\n/);
    for (const l of ['Pid:\t1', 'PPid:\t0', 'Uid:\t0\t0\t0\t0', 'Gid:\t0\t0\t0\t0', 'Threads:\t1', 'SigPnd:\t0000000000000000']) {
      expect(st).toContain(`\n${l}\n`);
    }
    expect(st).toMatch(/\nVmRSS:\t +\d+ kB\n/);
    expect(st).toMatch(/\nSigBlk:\t[0-9a-f]{16}\nSigIgn:\t[0-9a-f]{16}\nSigCgt:\t[0-9a-f]{16}\n/);
    expect(read(k, t, '/proc/1/cmdline')).toBe('sleep\x005\x00');
    expect(read(k, t, '/proc/1/comm')).toBe('sleep\n');
    expect(read(k, t, '/proc/1/environ').split('\0')).toContain('LANG=C');
    expect(read(k, t, '/proc/1/limits')).toMatch(/^Limit {21}Soft Limit {11}Hard Limit {11}Units {5}\nMax cpu time {14}unlimited {12}unlimited {12}seconds {3}\n/);
    expect(read(k, t, '/proc/1/limits')).toContain('\nMax open files            1024                 4096                 files     \n');
    expect(read(k, t, '/proc/1/maps')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8} rw-p 00000000 00:00 0 +\[stack\]\n/);
    expect(read(k, t, '/proc/1/task/1/stat')).toBe(read(k, t, '/proc/1/stat'));
    expect(readlink(k, t, '/proc/thread-self')).toBe('1/task/1');
  });

  it('exe, cwd and root links name and reach the files', async () => {
    const { k, t } = await start(['sleep', '5']);
    expect(readlink(k, t, '/proc/self/exe')).toBe('/bin/busybox');
    expect(readlink(k, t, '/proc/1/cwd')).toBe('/tmp');
    expect(readlink(k, t, '/proc/1/root')).toBe('/');
    const nd = new Nameidata(t, t.cred, t.fs.root);
    expect(walk(nd, t.fs.root, '/proc/self/cwd', true)).toBe(t.fs.cwd);
    expect(walk(nd, t.fs.root, '/proc/self/exe', true)).toBe(walk(nd, t.fs.root, '/bin/busybox', true));
    expect(k.vfs.resolveExec(t, '/proc/self/exe').path).toBe('/bin/busybox');
    expect(realPath(t, t.fs.root, t.fs.cwd, '../bin/sh')).toBe('/bin/busybox');
    expect(realPath(t, t.fs.root, t.fs.cwd, '/proc/self/cwd')).toBe('/tmp');
    expect(realPath(t, t.fs.root, t.fs.cwd, 'nope')).toBeNull();
  });

  it('fd links: paths, pipes re-opened as new ends, anonymous inodes, fdinfo', async () => {
    const { k, t } = await start(['sleep', '5']);
    const file = k.vfs.open(t, '/etc/passwd', O_RDONLY);
    const fd = t.files.install(file);
    expect(readlink(k, t, `/proc/self/fd/${fd}`)).toBe('/etc/passwd');
    expect(readlink(k, t, '/proc/self/fd/0')).toBe('/dev/null');
    expect(read(k, t, `/proc/self/fd/${fd}`)).toContain('root:');
    expect(read(k, t, `/proc/self/fdinfo/${fd}`)).toBe(`pos:\t0\nflags:\t00\nmnt_id:\t1\nino:\t${file.stat().ino}\n`);
    const [r, w] = createPipe(0);
    const rfd = t.files.install(r), wfd = t.files.install(w);
    expect(readlink(k, t, `/proc/self/fd/${rfd}`)).toBe(`pipe:[${r.stat().ino}]`);
    const w2 = k.vfs.open(t, `/dev/fd/${rfd}`, O_WRONLY);
    expect(w2).not.toBe(w);
    w2.write(t, new TextEncoder().encode('via proc'), -1);
    const b = new Uint8Array(16);
    t.files.close(wfd);
    w2.put();
    expect(new TextDecoder().decode(b.subarray(0, r.read(t, b, -1)))).toBe('via proc');
    const lst = k.vfs.lookupAt(t, -100, `/proc/self/fd/${rfd}`, 0x100).stat();
    expect([lst.mode & 0o777, lst.size]).toEqual([0o500, 64]);
    // A file with no node and no second end: sockets and anonymous inodes cannot be opened again.
    class EventFdLike extends File { override stat(): Stat { return { ...r.stat(), mode: 0o600 }; } }
    const afd = t.files.install(new EventFdLike(2));
    expect(readlink(k, t, `/proc/self/fd/${afd}`)).toBe('anon_inode:[eventfd]');
    expect(errnoOf(() => k.vfs.open(t, `/proc/self/fd/${afd}`, O_RDONLY))).toBe(ENXIO);
  });

  it('other users see stat and cmdline but not fds, exe or environ', async () => {
    const { k, t } = await start(['sleep', '5']);
    const user = k.spawn({ argv: ['sleep', '5'], env: ENV, uid: 1000 });
    expect(read(k, user, `/proc/${t.pid}/stat`)).toMatch(/^1 \(sleep\)/);
    expect(errnoOf(() => readlink(k, user, `/proc/${t.pid}/exe`))).toBe(EACCES);
    expect(errnoOf(() => read(k, user, `/proc/${t.pid}/environ`))).toBe(EACCES);
    expect(errnoOf(() => k.vfs.open(user, `/proc/${t.pid}/fd`, O_RDONLY | 0o200000))).toBe(EACCES);
    expect(k.vfs.lookupAt(user, -100, `/proc/${user.pid}`, 0).stat().uid).toBe(1000);
    expect(readlink(k, user, '/proc/self/exe')).toBe('/bin/busybox');
  });

  it('zombies show Z until reaped, then their directory is gone', async () => {
    const { k, t } = await start(['sh', '-c', 'sleep 0.05 & exec sleep 5']);
    const zombie = (): Task | undefined => [...k.tasks.values()].find((x) => x.state === TaskState.Zombie);
    for (let i = 0; i < 300 && !zombie(); i++) await sleep(10);
    const z = zombie()!;
    expect(z).toBeDefined();
    expect(read(k, t, `/proc/${z.pid}/stat`)).toMatch(new RegExp(`^${z.pid} \\(sleep\\) Z ${t.pid} `));
    expect(read(k, t, `/proc/${z.pid}/status`)).toContain('State:\tZ (zombie)\n');
    expect(read(k, t, `/proc/${z.pid}/cmdline`)).toBe('');
    expect(errnoOf(() => readlink(k, t, `/proc/${z.pid}/cwd`))).toBe(ENOENT);
    const dir = k.vfs.lookupAt(t, -100, `/proc/${z.pid}`, 0);
    expect(k.vfs.lookupAt(t, -100, `/proc/${z.pid}`, 0)).toBe(dir);
    k.signals.kill(t, SIGKILL);
    await k.waitExit(t);
    expect(errnoOf(() => k.vfs.lookupAt(t, -100, `/proc/${z.pid}`, 0))).toBe(ENOENT);
  });

  it('system files: meminfo, mounts, stat, uptime, loadavg, sys', async () => {
    const { k, t } = await start(['sleep', '5']);
    expect(read(k, t, '/proc/meminfo')).toMatch(new RegExp(`^MemTotal: +${k.maxMemory / 1024} kB\nMemFree: +\\d+ kB\n`));
    expect(read(k, t, '/proc/mounts')).toBe('overlay / overlay rw,relatime 0 0\n'
      + 'devtmpfs /dev devtmpfs rw,nosuid,relatime,mode=755 0 0\ntmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0\n'
      + 'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n'
      + 'devpts /dev/pts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=000 0 0\n');
    expect(read(k, t, '/proc/self/mountinfo').split('\n')[3]).toMatch(/^\d+ \d+ 0:20 \/ \/proc rw,nosuid,nodev,noexec,relatime - proc proc rw$/);
    const stat = read(k, t, '/proc/stat');
    expect(stat).toMatch(/^cpu {2}\d+ 0 0 \d+ 0 0 0 0 0 0\ncpu0 /);
    const btime = Number(/\nbtime (\d+)\n/.exec(stat)![1]);
    const up = Number(read(k, t, '/proc/uptime').split(' ')[0]);
    expect(Math.abs(btime + up - Date.now() / 1000)).toBeLessThan(2);
    expect(read(k, t, '/proc/loadavg')).toMatch(/^\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+\/1 1\n$/);
    expect(read(k, t, '/proc/sys/kernel/hostname')).toBe('wasmux\n');
    expect(read(k, t, '/proc/sys/kernel/ostype')).toBe('Linux\n');
    expect(read(k, t, '/proc/sys/kernel/pid_max')).toBe('32768\n');
    expect(read(k, t, '/proc/sys/fs/pipe-max-size')).toBe('65536\n');
    expect(read(k, t, '/proc/cpuinfo')).toContain('model name\t: wasm32\n');
    expect(read(k, t, '/proc/version')).toMatch(/^Linux version 6\.1\.0-wasmux /);
    const host = new Nameidata(null, new Cred(0, 0), k.vfs.root);
    expect(errnoOf(() => walk(host, k.vfs.root, '/proc/self/stat', true))).toBe(ENOENT);
  });
});
