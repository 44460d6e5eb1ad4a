// Every filesystem syscall handler, called as the dispatcher would, on a fake task.
import { describe, expect, it } from 'vitest';
import {
  EACCES, EBADF, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, EPERM, ERANGE, ELOOP, EFAULT, ESPIPE,
} from '../../abi/errno.js';
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_CREAT, O_DIRECTORY,
  O_EXCL, O_PATH, O_RDONLY, O_RDWR, O_WRONLY, R_OK, RENAME_EXCHANGE, RENAME_NOREPLACE, S_IFIFO, S_IFMT, S_IFREG,
  SEEK_CUR, SEEK_END, UTIME_NOW, UTIME_OMIT, W_OK, X_OK, AT_EACCESS,
} from '../../abi/fcntl.js';
import type { SyscallName } from '../../abi/syscalls.js';
import { makeVfs } from '../../../tests/helpers/fs-fixture.js';
import { callSyscall, fakeTask, type FakeTask } from './testing.js';
import { fsSyscalls } from './syscalls.js';
import { Vfs } from './vfs.js';

const sys = (t: FakeTask, name: SyscallName, ...a: number[]): number => callSyscall(fsSyscalls, name, t, ...a);
const FD = AT_FDCWD;

function setup(uid = 0): { v: Vfs; t: FakeTask } {
  const v = makeVfs();
  return { v, t: fakeTask(v, uid) };
}

function stat(t: FakeTask, path: string, flags = 0): { dev: bigint; ino: bigint; mode: number; nlink: number; uid: number;
  gid: number; size: number; atime: [number, number]; mtime: [number, number]; blksize: number } {
  const buf = t.alloc(112);
  const r = sys(t, 'fstatat64', FD, t.str(path), buf, flags);
  if (r < 0) throw new Error(`stat ${path}: ${r}`);
  const m = t.mem;
  return { dev: m.u64big(buf), ino: m.u64big(buf + 8), mode: m.u32(buf + 16), nlink: m.u32(buf + 20), uid: m.u32(buf + 24),
    gid: m.u32(buf + 28), size: m.i64(buf + 40), blksize: m.i32(buf + 48), atime: [m.i64(buf + 64), m.i32(buf + 72)],
    mtime: [m.i64(buf + 80), m.i32(buf + 88)] };
}

describe('fs syscalls', () => {
  it('every handler has a support level', () => {
    const names = ['openat', 'mkdirat', 'mknodat', 'unlinkat', 'renameat', 'renameat2', 'linkat', 'symlinkat',
      'readlinkat', 'fstat64', 'fstatat64', 'statx', 'getdents64', 'fchmod', 'fchmodat', 'fchown', 'fchownat',
      'utimensat', 'truncate64', 'ftruncate64', 'faccessat', 'faccessat2', 'statfs64', 'fstatfs64', 'chdir', 'fchdir',
      'getcwd', 'chroot', 'umask', '_llseek', 'fallocate', 'fsync', 'fdatasync', 'sync', 'syncfs', 'fadvise64_64'];
    for (const n of names) expect(fsSyscalls[n as SyscallName]?.level, n).toMatch(/full|partial|stub/);
  });

  it('openat: fds, O_CLOEXEC, dirfd-relative, umask, errors', () => {
    const { v, t } = setup();
    const fd = sys(t, 'openat', FD, t.str('/tmp/a'), O_CREAT | O_WRONLY | O_CLOEXEC, 0o777);
    expect(fd).toBe(0);
    expect(t.files.getCloexec(fd)).toBe(true);
    expect(stat(t, '/tmp/a').mode).toBe(S_IFREG | 0o755);
    const dfd = sys(t, 'openat', FD, t.str('/tmp'), O_RDONLY | O_DIRECTORY, 0);
    expect(dfd).toBe(1);
    const fd2 = sys(t, 'openat', dfd, t.str('a'), O_RDONLY, 0);
    expect(t.files.get(fd2).node).toBe(t.files.get(fd).node);
    expect(sys(t, 'openat', fd, t.str('x'), O_RDONLY, 0)).toBe(-ENOTDIR);
    expect(sys(t, 'openat', 99, t.str('x'), O_RDONLY, 0)).toBe(-EBADF);
    expect(sys(t, 'openat', 99, t.str('/etc/passwd'), O_RDONLY, 0)).toBeGreaterThan(0); // absolute ignores dirfd
    expect(sys(t, 'openat', FD, t.str('/tmp/a'), O_CREAT | O_EXCL | O_WRONLY, 0)).toBe(-EEXIST);
    expect(sys(t, 'openat', FD, 0, O_RDONLY, 0)).toBe(-EFAULT);
    expect(sys(t, 'openat', FD, t.str(''), O_RDONLY, 0)).toBe(-ENOENT);
    t.files.limit = t.files.count();
    expect(sys(t, 'openat', FD, t.str('/etc/passwd'), O_RDONLY, 0)).toBe(-24);
    expect(v.readFile('/tmp/a').length).toBe(0);
  });

  it('mkdirat, mknodat, unlinkat, symlinkat, readlinkat, linkat', () => {
    const { v, t } = setup();
    expect(sys(t, 'mkdirat', FD, t.str('/tmp/d'), 0o777)).toBe(0);
    expect(stat(t, '/tmp/d').mode & 0o7777).toBe(0o755);
    expect(sys(t, 'mkdirat', FD, t.str('/tmp/d/'), 0o777)).toBe(-EEXIST);
    expect(sys(t, 'mkdirat', FD, t.str('/tmp/e/'), 0o700)).toBe(0);
    expect(sys(t, 'mknodat', FD, t.str('/tmp/fifo'), S_IFIFO | 0o666, 0)).toBe(0);
    expect(stat(t, '/tmp/fifo').mode).toBe(S_IFIFO | 0o644);
    expect(sys(t, 'mknodat', FD, t.str('/tmp/reg'), 0o600, 0)).toBe(0);
    expect(stat(t, '/tmp/reg').mode).toBe(S_IFREG | 0o600);
    expect(sys(t, 'mknodat', FD, t.str('/tmp/x/'), 0o600, 0)).toBe(-ENOENT);
    expect(sys(t, 'symlinkat', t.str('reg'), FD, t.str('/tmp/sl')) ).toBe(0);
    expect(sys(t, 'symlinkat', t.str(''), FD, t.str('/tmp/sl2'))).toBe(-ENOENT);
    const buf = t.alloc(64);
    expect(sys(t, 'readlinkat', FD, t.str('/tmp/sl'), buf, 64)).toBe(3);
    expect(new TextDecoder().decode(t.mem.view(buf, 3))).toBe('reg');
    expect(sys(t, 'readlinkat', FD, t.str('/tmp/sl'), buf, 2)).toBe(2);
    expect(sys(t, 'readlinkat', FD, t.str('/tmp/reg'), buf, 64)).toBe(-EINVAL);
    expect(sys(t, 'readlinkat', FD, t.str('/tmp/sl'), buf, 0)).toBe(-EINVAL);
    const pfd = sys(t, 'openat', FD, t.str('/tmp/sl'), O_PATH | 0o400000 /* O_NOFOLLOW */, 0);
    expect(sys(t, 'readlinkat', pfd, t.str(''), buf, 64)).toBe(3);
    // linkat: by default does not follow a symlink
    expect(sys(t, 'linkat', FD, t.str('/tmp/sl'), FD, t.str('/tmp/hl'), 0)).toBe(0);
    expect(stat(t, '/tmp/hl', AT_SYMLINK_NOFOLLOW).mode & S_IFMT).toBe(0o120000);
    expect(sys(t, 'linkat', FD, t.str('/tmp/sl'), FD, t.str('/tmp/hl2'), AT_SYMLINK_FOLLOW)).toBe(0);
    expect(stat(t, '/tmp/reg').nlink).toBe(2);
    expect(sys(t, 'linkat', FD, t.str('/tmp/d'), FD, t.str('/tmp/dl'), 0)).toBe(-EPERM);
    expect(sys(t, 'linkat', FD, t.str('/tmp/reg'), FD, t.str('/tmp/x'), 0x8)).toBe(-EINVAL);
    expect(sys(t, 'unlinkat', FD, t.str('/tmp/d'), 0)).toBe(-EISDIR);
    expect(sys(t, 'unlinkat', FD, t.str('/tmp/reg/'), 0)).toBe(-ENOTDIR);
    expect(sys(t, 'unlinkat', FD, t.str('/tmp/reg'), AT_REMOVEDIR)).toBe(-ENOTDIR);
    expect(sys(t, 'unlinkat', FD, t.str('/tmp/reg'), 0x1)).toBe(-EINVAL);
    expect(sys(t, 'unlinkat', FD, t.str('/tmp/d'), AT_REMOVEDIR)).toBe(0);
    expect(sys(t, 'unlinkat', FD, t.str('/tmp/reg'), 0)).toBe(0);
    expect(stat(t, '/tmp/hl2').nlink).toBe(1);
    expect(() => v.readFile('/tmp/reg')).toThrow();
  });

  it('renameat and renameat2', () => {
    const { v, t } = setup();
    v.writeFile('/tmp/a', 'A');
    v.writeFile('/tmp/b', 'B');
    expect(sys(t, 'renameat2', FD, t.str('/tmp/a'), FD, t.str('/tmp/b'), RENAME_NOREPLACE)).toBe(-EEXIST);
    expect(sys(t, 'renameat2', FD, t.str('/tmp/a'), FD, t.str('/tmp/b'), RENAME_EXCHANGE)).toBe(0);
    expect(new TextDecoder().decode(v.readFile('/tmp/a'))).toBe('B');
    expect(sys(t, 'renameat2', FD, t.str('/tmp/a'), FD, t.str('/tmp/c'), 4 /* WHITEOUT */)).toBe(-EINVAL);
    expect(sys(t, 'renameat', FD, t.str('/tmp/a'), FD, t.str('/tmp/c'))).toBe(0);
    expect(sys(t, 'renameat', FD, t.str('/tmp/c/'), FD, t.str('/tmp/d'))).toBe(-ENOTDIR);
    expect(sys(t, 'renameat', FD, t.str('/tmp/c'), FD, t.str('/dev/c'))).toBe(-18);
  });

  it('fstat64, fstatat64, statx', () => {
    const { v, t } = setup();
    const st = stat(t, '/etc/passwd');
    expect(st.mode).toBe(S_IFREG | 0o644);
    expect(st.nlink).toBe(2);
    expect(st.size).toBe(v.readFile('/etc/passwd').length);
    expect(st.mtime).toEqual([1700000000, 0]);
    expect(st.blksize).toBe(4096);
    expect(stat(t, '/bin/sh').ino).toBe(stat(t, '/bin/busybox').ino);
    expect(stat(t, '/bin/sh', AT_SYMLINK_NOFOLLOW).mode & S_IFMT).toBe(0o120000);
    expect(stat(t, '/dev/null').dev).not.toBe(st.dev);
    const fd = sys(t, 'openat', FD, t.str('/etc/passwd'), O_RDONLY, 0);
    const b = t.alloc(256);
    expect(sys(t, 'fstat64', fd, b)).toBe(0);
    expect(t.mem.u64big(b + 8)).toBe(st.ino);
    expect(sys(t, 'fstatat64', fd, t.str(''), b, AT_EMPTY_PATH)).toBe(0);
    expect(sys(t, 'fstatat64', fd, t.str(''), b, 0)).toBe(-ENOENT);
    expect(sys(t, 'fstatat64', FD, t.str('/x'), b, 0x1)).toBe(-EINVAL);
    expect(sys(t, 'fstat64', 77, b)).toBe(-EBADF);
    expect(sys(t, 'fstat64', fd, 0x7fffffff)).toBe(-EFAULT);
    expect(sys(t, 'statx', FD, t.str('/etc/passwd'), 0, 0x7ff, b)).toBe(0);
    expect(t.mem.u32(b) & 0x7ff).toBe(0x7ff);
    expect(t.mem.u16(b + 28)).toBe(S_IFREG | 0o644);
    expect(t.mem.u64big(b + 32)).toBe(st.ino);
    expect(t.mem.i64(b + 40)).toBe(st.size);
    expect(t.mem.i64(b + 112)).toBe(1700000000);
    expect(sys(t, 'statx', FD, t.str('/dev/null'), 0, 0x7ff, b)).toBe(0);
    expect([t.mem.u32(b + 128), t.mem.u32(b + 132)]).toEqual([1, 3]);
    expect(sys(t, 'statx', fd, t.str(''), AT_EMPTY_PATH, 0x7ff, b)).toBe(0);
    expect(sys(t, 'statx', FD, t.str('/etc/passwd'), 0x6000, 0x7ff, b)).toBe(-EINVAL);
  });

  it('statfs64, fstatfs64', () => {
    const { t } = setup();
    const b = t.alloc(88);
    expect(sys(t, 'statfs64', t.str('/'), 88, b)).toBe(0);
    expect(t.mem.u32(b)).toBe(0x794c7630);
    expect(t.mem.u32(b + 4)).toBe(4096);
    expect(t.mem.u32(b + 56)).toBe(255);
    expect(sys(t, 'statfs64', t.str('/dev/shm'), 88, b)).toBe(0);
    expect(t.mem.u32(b)).toBe(0x01021994);
    expect(sys(t, 'statfs64', t.str('/'), 10, b)).toBe(-EINVAL);
    const fd = sys(t, 'openat', FD, t.str('/etc'), O_RDONLY, 0);
    expect(sys(t, 'fstatfs64', fd, 88, b)).toBe(0);
  });

  it('getdents64 and _llseek', () => {
    const { t } = setup();
    const fd = sys(t, 'openat', FD, t.str('/usr/share/doc'), O_RDONLY | O_DIRECTORY, 0);
    const b = t.alloc(1024);
    const n = sys(t, 'getdents64', fd, b, 1024);
    expect(n).toBe(4 * 24);
    expect(sys(t, 'getdents64', fd, b, 1024)).toBe(0);
    const res = t.alloc(8);
    expect(sys(t, '_llseek', fd, 0, 0, res, 0)).toBe(0);
    expect(sys(t, 'getdents64', fd, b, 1024)).toBe(n);
    const f = sys(t, 'openat', FD, t.str('/etc/passwd'), O_RDONLY, 0);
    expect(sys(t, '_llseek', f, 0, 5, res, SEEK_END)).toBe(0);
    expect(t.mem.i64(res)).toBe(t.files.get(f).stat().size + 5);
    expect(sys(t, '_llseek', f, 1, 0, res, SEEK_CUR)).toBe(0);
    expect(t.mem.i64(res)).toBe(2 ** 32 + t.files.get(f).stat().size + 5);
    expect(sys(t, '_llseek', f, -1, -1, res, 0)).toBe(-EINVAL);
    expect(sys(t, '_llseek', f, 0, 0, res, 9)).toBe(-EINVAL);
    expect(sys(t, 'getdents64', f, b, 1024)).toBe(-ENOTDIR);
  });

  it('chmod, chown, utimensat, access as root and as user 1000', () => {
    const { v, t } = setup();
    const u = fakeTask(v, 1000);
    v.writeFile('/tmp/f', 'x', 0o644);
    expect(sys(u, 'fchmodat', FD, u.str('/tmp/f'), 0o600)).toBe(-EPERM);
    expect(sys(t, 'fchownat', FD, t.str('/tmp/f'), 1000, 1000, 0)).toBe(0);
    expect(stat(t, '/tmp/f')).toMatchObject({ uid: 1000, gid: 1000 });
    expect(sys(u, 'fchmodat', FD, u.str('/tmp/f'), 0o4755)).toBe(0);
    expect(stat(t, '/tmp/f').mode).toBe(S_IFREG | 0o4755);
    expect(sys(u, 'fchownat', FD, u.str('/tmp/f'), 0, -1, 0)).toBe(-EPERM);
    expect(sys(u, 'fchownat', FD, u.str('/tmp/f'), -1, 5, 0)).toBe(-EPERM);
    expect(sys(t, 'fchownat', FD, t.str('/tmp/f'), -1, 100, 0)).toBe(0);
    expect(stat(t, '/tmp/f').mode).toBe(S_IFREG | 0o755); // chown dropped set-user-id
    const fd = sys(u, 'openat', FD, u.str('/tmp/f'), O_RDONLY, 0);
    expect(sys(u, 'fchmod', fd, 0o700)).toBe(0);
    expect(sys(u, 'fchown', fd, 1000, 1000)).toBe(0);
    const pfd = sys(u, 'openat', FD, u.str('/tmp/f'), O_PATH, 0);
    expect(sys(u, 'fchmod', pfd, 0o700)).toBe(-EBADF);
    // utimensat
    const ts = u.alloc(32);
    u.mem.setI64(ts, 1000); u.mem.setI32(ts + 8, 5);
    u.mem.setI64(ts + 16, 2000); u.mem.setI32(ts + 24, UTIME_OMIT);
    expect(sys(u, 'utimensat', FD, u.str('/tmp/f'), ts, 0)).toBe(0);
    const s1 = stat(t, '/tmp/f');
    expect(s1.atime).toEqual([1000, 5]);
    expect(s1.mtime[0]).toBeGreaterThan(2000);
    expect(sys(u, 'utimensat', FD, u.str('/etc/passwd'), ts, 0)).toBe(-EPERM);
    expect(sys(u, 'utimensat', FD, u.str('/etc/passwd'), 0, 0)).toBe(-EACCES);
    expect(sys(u, 'utimensat', fd, 0, 0, 0)).toBe(0);
    expect(sys(u, 'utimensat', FD, 0, 0, 0)).toBe(-EFAULT);
    u.mem.setI32(ts + 8, 1e9);
    expect(sys(u, 'utimensat', FD, u.str('/tmp/f'), ts, 0)).toBe(-EINVAL);
    u.mem.setI32(ts + 8, 5);
    expect(sys(u, 'utimensat', FD, u.str('/bin/sh'), ts, AT_SYMLINK_NOFOLLOW)).toBe(-EPERM);
    const tts = t.alloc(32);
    t.mem.copyOut(tts, u.mem.view(ts, 32));
    expect(sys(t, 'utimensat', FD, t.str('/bin/sh'), tts, AT_SYMLINK_NOFOLLOW)).toBe(0);
    expect(stat(t, '/bin/sh', AT_SYMLINK_NOFOLLOW).atime).toEqual([1000, 5]);
    expect(stat(t, '/bin/sh').atime).not.toEqual([1000, 5]);
    // access
    expect(sys(u, 'faccessat', FD, u.str('/etc/secret'), R_OK)).toBe(-EACCES);
    expect(sys(t, 'faccessat', FD, t.str('/etc/secret'), R_OK | W_OK)).toBe(0);
    expect(sys(t, 'faccessat', FD, t.str('/etc/passwd'), X_OK)).toBe(-EACCES);
    expect(sys(t, 'faccessat', FD, t.str('/bin/sh'), X_OK)).toBe(0);
    expect(sys(t, 'faccessat', FD, t.str('/nope'), 0)).toBe(-ENOENT);
    expect(sys(t, 'faccessat', FD, t.str('/etc'), 8)).toBe(-EINVAL);
    expect(sys(u, 'faccessat2', FD, u.str('/tmp/f'), W_OK, AT_EACCESS)).toBe(0);
    expect(sys(u, 'faccessat2', FD, u.str('/tmp/f'), W_OK, 0x1)).toBe(-EINVAL);
  });

  it('truncate64, ftruncate64, fallocate, sync family, fadvise64_64', () => {
    const { v, t } = setup();
    v.writeFile('/tmp/f', 'hello');
    expect(sys(t, 'truncate64', t.str('/tmp/f'), 2, 0)).toBe(0);
    expect(v.readFile('/tmp/f').length).toBe(2);
    expect(sys(t, 'truncate64', t.str('/tmp'), 0, 0)).toBe(-EISDIR);
    expect(sys(t, 'truncate64', t.str('/tmp/f'), 0, -1)).toBe(-EINVAL);
    expect(sys(t, 'truncate64', t.str('/dev/null'), 0, 0)).toBe(-EINVAL);
    const u = fakeTask(v, 1000);
    expect(sys(u, 'truncate64', u.str('/etc/passwd'), 0, 0)).toBe(-EACCES);
    const fd = sys(t, 'openat', FD, t.str('/tmp/f'), O_RDWR, 0);
    expect(sys(t, 'ftruncate64', fd, 0, 1)).toBe(0);
    expect(t.files.get(fd).stat().size).toBe(2 ** 32);
    expect(sys(t, 'ftruncate64', fd, 10, 0)).toBe(0);
    const ro = sys(t, 'openat', FD, t.str('/tmp/f'), O_RDONLY, 0);
    expect(sys(t, 'ftruncate64', ro, 0, 0)).toBe(-EINVAL);
    expect(sys(t, 'fallocate', fd, 0, 0, 0, 100, 0)).toBe(0);
    expect(t.files.get(fd).stat().size).toBe(100);
    expect(sys(t, 'fallocate', fd, 1, 0, 0, 100, 0)).toBe(-95);
    expect(sys(t, 'fallocate', fd, 0, 0, 0, 0, 0)).toBe(-EINVAL);
    expect(sys(t, 'fallocate', ro, 0, 0, 0, 10, 0)).toBe(-EBADF);
    for (const n of ['fsync', 'fdatasync', 'syncfs'] as const) {
      expect(sys(t, n, fd)).toBe(0);
      expect(sys(t, n, 99)).toBe(-EBADF);
    }
    expect(sys(t, 'sync')).toBe(0);
    expect(sys(t, 'fadvise64_64', fd, 0, 0, 0, 0, 4)).toBe(0);
    expect(sys(t, 'fadvise64_64', fd, 0, 0, 0, 0, 9)).toBe(-EINVAL);
    expect(sys(t, 'mknodat', FD, t.str('/tmp/p'), S_IFIFO | 0o600, 0)).toBe(0);
    const pfd = sys(t, 'openat', FD, t.str('/tmp/p'), O_PATH, 0);
    expect(sys(t, 'fadvise64_64', pfd, 0, 0, 0, 0, 0)).toBe(-ESPIPE);
  });

  it('chdir, fchdir, getcwd, chroot, umask', () => {
    const { v, t } = setup();
    const u = fakeTask(v, 1000);
    const b = t.alloc(256);
    expect(sys(t, 'chdir', t.str('/usr/share')) ).toBe(0);
    expect(sys(t, 'getcwd', b, 256)).toBe('/usr/share'.length + 1);
    expect(t.mem.cstring(b)).toBe('/usr/share');
    expect(sys(t, 'getcwd', b, 5)).toBe(-ERANGE);
    expect(sys(t, 'chdir', t.str('doc'))).toBe(0);
    expect(sys(t, 'chdir', t.str('a'))).toBe(-ENOTDIR);
    expect(sys(t, 'chdir', t.str('..'))).toBe(0);
    sys(t, 'getcwd', b, 256);
    expect(t.mem.cstring(b)).toBe('/usr/share');
    expect(sys(u, 'chdir', u.str('/root'))).toBe(-EACCES);
    const fd = sys(t, 'openat', FD, t.str('/etc'), O_RDONLY, 0);
    expect(sys(t, 'fchdir', fd)).toBe(0);
    sys(t, 'getcwd', b, 256);
    expect(t.mem.cstring(b)).toBe('/etc');
    const ffd = sys(t, 'openat', FD, t.str('/etc/passwd'), O_RDONLY, 0);
    expect(sys(t, 'fchdir', ffd)).toBe(-ENOTDIR);
    expect(sys(u, 'chroot', u.str('/tmp'))).toBe(-EPERM);
    expect(sys(t, 'chroot', t.str('/usr'))).toBe(0);
    sys(t, 'getcwd', b, 256);
    expect(t.mem.cstring(b)).toBe('(unreachable)/etc');
    expect(sys(t, 'chdir', t.str('/share'))).toBe(0);
    sys(t, 'getcwd', b, 256);
    expect(t.mem.cstring(b)).toBe('/share');
    expect(sys(t, 'chdir', t.str('/../../..'))).toBe(0);
    sys(t, 'getcwd', b, 256);
    expect(t.mem.cstring(b)).toBe('/');
    expect(sys(t, 'umask', 0o077)).toBe(0o022);
    expect(sys(t, 'umask', 0o1777)).toBe(0o077);
    expect(t.fs.umask).toBe(0o777);
    expect(sys(t, 'openat', FD, t.str('/loop'), O_CREAT | O_WRONLY, 0o666)).toBeGreaterThanOrEqual(0);
    expect(sys(t, 'fstatat64', FD, t.str('/loop'), b, 0)).toBe(0);
    expect(t.mem.u32(b + 16) & 0o777).toBe(0);
    expect(sys(t, 'openat', AT_FDCWD, t.str('/../loop1'), O_RDONLY, 0)).toBe(-ENOENT);
    void ELOOP;
  });
});
