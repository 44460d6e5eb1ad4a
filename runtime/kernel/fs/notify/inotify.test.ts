// inotify and the fsnotify hooks, called as the dispatcher would on a fake task. The behaviour shared with
// Linux is covered by tests/c/inotify.c (run natively and in wasmux); these cover what a C program cannot
// compare with the host: watches on the root overlay's image files across copy-up, O_TRUNC and FIFO event
// sets of Linux 6.x, the per-user limits, and what closing an instance leaves behind.
import { describe, expect, it } from 'vitest';
import { EAGAIN, EMFILE } from '../../../abi/errno.js';
import {
  AT_FDCWD, O_APPEND, O_CREAT, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, RENAME_EXCHANGE, S_IFIFO,
} from '../../../abi/fcntl.js';
import {
  IN_ALL_EVENTS, IN_ATTRIB, IN_CLOSE_NOWRITE, IN_CLOSE_WRITE, IN_CREATE, IN_IGNORED, IN_ISDIR, IN_MODIFY, IN_MOVE_SELF,
  IN_MOVED_FROM, IN_MOVED_TO, IN_NONBLOCK, IN_OPEN,
} from '../../../abi/inotify.js';
import type { SyscallName } from '../../../abi/syscalls.js';
import { makeVfs } from '../../../../tests/helpers/fs-fixture.js';
import { rwSyscalls } from '../sys_rw.js';
import { fsSyscalls } from '../syscalls.js';
import { callSyscall, fakeTask, type FakeTask } from '../testing.js';
import { RegInode } from '../tmpfs.js';
import { inotifySyscalls, MAX_USER_INSTANCES } from './inotify.js';

const defs = { ...fsSyscalls, ...rwSyscalls, ...inotifySyscalls };
const sys = (t: FakeTask, name: SyscallName, ...a: number[]): number => callSyscall(defs, name, t, ...a);

interface Ev { wd: number; mask: number; cookie: number; name: string }

/** Read every queued event of a non-blocking instance. */
function events(t: FakeTask, fd: number): Ev[] {
  const buf = t.alloc(4096);
  const out: Ev[] = [];
  for (;;) {
    const n = sys(t, 'read', fd, buf, 4096);
    if (n === -EAGAIN) return out;
    expect(n).toBeGreaterThan(0);
    for (let p = buf; p < buf + n;) {
      const len = t.mem.u32(p + 12);
      const name = len ? t.mem.cstring(p + 16) : '';
      out.push({ wd: t.mem.i32(p), mask: t.mem.u32(p + 4), cookie: t.mem.u32(p + 8), name });
      p += 16 + len;
    }
  }
}

const brief = (es: Ev[]): [number, number, string][] => es.map((e) => [e.wd, e.mask, e.name]);

function setup(): { t: FakeTask; fd: number; watch: (path: string, mask?: number) => number } {
  const t = fakeTask(makeVfs());
  const fd = sys(t, 'inotify_init1', IN_NONBLOCK);
  expect(fd).toBeGreaterThanOrEqual(0);
  const watch = (path: string, mask = IN_ALL_EVENTS): number => sys(t, 'inotify_add_watch', fd, t.str(path), mask);
  return { t, fd, watch };
}

describe('inotify', () => {
  it('keeps watches on image files and directories across overlay copy-up', () => {
    const { t, fd, watch } = setup();
    const node = t.kernel.vfs.lookupAt(t, AT_FDCWD, '/etc/passwd', 0) as RegInode;
    expect(node.lower).toBe(true);
    const wd = watch('/etc/passwd');
    const wdir = watch('/etc');
    const f = sys(t, 'openat', AT_FDCWD, t.str('/etc/passwd'), O_WRONLY | O_APPEND, 0);
    expect(sys(t, 'write', f, t.str('x'), 1)).toBe(1);
    expect(node.lower).toBe(false);
    sys(t, 'close', f);
    expect(brief(events(t, fd))).toEqual([
      [wdir, IN_OPEN, 'passwd'], [wd, IN_OPEN, ''], [wdir, IN_MODIFY, 'passwd'], [wd, IN_MODIFY, ''],
      [wdir, IN_CLOSE_WRITE, 'passwd'], [wd, IN_CLOSE_WRITE, ''],
    ]);
    expect(watch('/etc/passwd')).toBe(wd);
    expect(watch('/etc/passwd.link')).toBe(wd);
    // A directory of the image is a window on it until its first change: the watch survives that too.
    const wdoc = watch('/usr/share/doc');
    expect(sys(t, 'mkdirat', AT_FDCWD, t.str('/usr/share/doc/new'), 0o755)).toBe(0);
    expect(watch('/usr/share/doc')).toBe(wdoc);
    expect(brief(events(t, fd))).toEqual([[wdoc, IN_CREATE | IN_ISDIR, 'new']]);
  });

  it('reports O_TRUNC of an existing file after IN_OPEN, and no IN_ACCESS/IN_MODIFY on FIFOs (Linux 6.x)', () => {
    const { t, fd, watch } = setup();
    t.kernel.vfs.writeFile('/tmp/f', 'data');
    expect(sys(t, 'mknodat', AT_FDCWD, t.str('/tmp/fifo'), S_IFIFO | 0o644, 0)).toBe(0);
    const w = watch('/tmp');
    sys(t, 'close', sys(t, 'openat', AT_FDCWD, t.str('/tmp/f'), O_WRONLY | O_TRUNC, 0));
    const p = sys(t, 'openat', AT_FDCWD, t.str('/tmp/fifo'), O_RDWR, 0);
    const buf = t.str('ab');
    expect(sys(t, 'write', p, buf, 2)).toBe(2);
    expect(sys(t, 'read', p, buf, 2)).toBe(2);
    sys(t, 'close', p);
    expect(brief(events(t, fd))).toEqual([
      [w, IN_OPEN, 'f'], [w, IN_MODIFY, 'f'], [w, IN_CLOSE_WRITE, 'f'],
      [w, IN_OPEN, 'fifo'], [w, IN_CLOSE_WRITE, 'fifo'],
    ]);
    sys(t, 'close', sys(t, 'openat', AT_FDCWD, t.str('/tmp/g'), O_CREAT | O_TRUNC | O_RDONLY, 0o644));
    expect(brief(events(t, fd))).toEqual([[w, IN_CREATE, 'g'], [w, IN_OPEN, 'g'], [w, IN_CLOSE_NOWRITE, 'g']]);
  });

  it('reports RENAME_EXCHANGE as two moves', () => {
    const { t, fd, watch } = setup();
    t.kernel.vfs.writeFile('/tmp/a', 'a');
    t.kernel.vfs.writeFile('/tmp/b', 'b');
    const w = watch('/tmp'), wa = watch('/tmp/a'), wb = watch('/tmp/b');
    expect(sys(t, 'renameat2', AT_FDCWD, t.str('/tmp/a'), AT_FDCWD, t.str('/tmp/b'), RENAME_EXCHANGE)).toBe(0);
    const es = events(t, fd);
    expect(brief(es)).toEqual([
      [w, IN_MOVED_FROM, 'a'], [w, IN_MOVED_TO, 'b'], [wa, IN_MOVE_SELF, ''],
      [w, IN_MOVED_FROM, 'b'], [w, IN_MOVED_TO, 'a'], [wb, IN_MOVE_SELF, ''],
    ]);
    expect(es[0]!.cookie).toBe(es[1]!.cookie);
    expect(es[3]!.cookie).toBe(es[4]!.cookie);
    expect(es[0]!.cookie).not.toBe(es[3]!.cookie);
  });

  it('reports host writes (Vfs.writeFile) as IN_MODIFY', () => {
    const { t, fd, watch } = setup();
    const w = watch('/tmp');
    t.kernel.vfs.writeFile('/tmp/h', 'x');
    t.kernel.vfs.writeFile('/tmp/h', 'y');
    expect(brief(events(t, fd))).toEqual([[w, IN_CREATE, 'h'], [w, IN_MODIFY, 'h']]);
  });

  it('drops its marks when the instance is closed, and a file that was open at the time keeps working', () => {
    const { t, fd, watch } = setup();
    t.kernel.vfs.writeFile('/tmp/f', 'data');
    watch('/tmp/f', IN_ATTRIB);
    const node = t.kernel.vfs.lookupAt(t, AT_FDCWD, '/tmp/f', 0);
    expect(node.fsnotifyMarks?.length).toBe(1);
    const f = sys(t, 'openat', AT_FDCWD, t.str('/tmp/f'), O_RDONLY, 0);
    expect(sys(t, 'close', fd)).toBe(0);
    expect(node.fsnotifyMarks).toBe(null);
    expect(sys(t, 'unlinkat', AT_FDCWD, t.str('/tmp/f'), 0)).toBe(0);
    expect(sys(t, 'close', f)).toBe(0);
  });

  it('limits instances per user (EMFILE) and frees the count on close', () => {
    const t = fakeTask(makeVfs());
    t.files.limit = 4096;
    const fds: number[] = [];
    for (let i = 0; i < MAX_USER_INSTANCES; i++) fds.push(sys(t, 'inotify_init1', 0));
    expect(fds.every((fd) => fd >= 0)).toBe(true);
    expect(sys(t, 'inotify_init1', 0)).toBe(-EMFILE);
    const other = fakeTask(t.kernel.vfs, 1000);
    (other as { kernel: unknown }).kernel = t.kernel;
    expect(sys(other, 'inotify_init1', 0)).toBeGreaterThanOrEqual(0);
    sys(t, 'close', fds[0]!);
    expect(sys(t, 'inotify_init1', 0)).toBeGreaterThanOrEqual(0);
  });

  it('queues IN_IGNORED for every watch of a removed node, in each instance', () => {
    const { t, fd, watch } = setup();
    const fd2 = sys(t, 'inotify_init1', IN_NONBLOCK);
    t.kernel.vfs.writeFile('/tmp/f', 'data');
    const w = watch('/tmp/f', IN_MODIFY);
    const w2 = sys(t, 'inotify_add_watch', fd2, t.str('/tmp/f'), IN_ATTRIB);
    expect(sys(t, 'unlinkat', AT_FDCWD, t.str('/tmp/f'), 0)).toBe(0);
    expect(brief(events(t, fd))).toEqual([[w, IN_IGNORED, '']]);
    expect(brief(events(t, fd2))).toEqual([[w2, IN_ATTRIB, ''], [w2, IN_IGNORED, '']]);
  });
});
