import { describe, expect, it } from 'vitest';
import {
  EACCES, EBUSY, EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, EXDEV, ENXIO,
} from '../../abi/errno.js';
import {
  O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, O_APPEND, RENAME_EXCHANGE,
  RENAME_NOREPLACE, S_IFIFO,
} from '../../abi/fcntl.js';
import { vfsLink, vfsMkdir, vfsMknod, vfsRename, vfsRmdir, vfsSymlink, vfsUnlink } from './dirops.js';
import { DirInode, LnkInode } from './inode.js';
import { Nameidata, walk, walkParent } from './namei.js';
import { fakeTask, errnoOf } from './testing.js';
import { RegInode } from './tmpfs.js';
import { Vfs } from './vfs.js';
import { OverlayDir } from './overlay.js';
import { makeVfs } from '../../../tests/helpers/fs-fixture.js';

const dec = new TextDecoder();
const text = (v: Vfs, p: string): string => dec.decode(v.readFile(p));

describe('path walk', () => {
  const v = makeVfs();
  const t = fakeTask(v);
  const nd = (): Nameidata => v.nameidata(t);
  it('resolves symlinks, .. and trailing slashes', () => {
    expect(walk(nd(), v.root, '/bin/sh', true)).toBe(walk(nd(), v.root, '/bin/busybox', true));
    expect(walk(nd(), v.root, '/bin/ls', true)).toBeInstanceOf(RegInode);
    expect(walk(nd(), v.root, '/bin/sh', false)).toBeInstanceOf(LnkInode);
    expect(walk(nd(), v.root, '/../../etc/../bin/./busybox', true)).toBeInstanceOf(RegInode);
    expect(walk(nd(), v.root, '/etcl/passwd', false)).toBe(walk(nd(), v.root, '/etc/passwd', false));
    expect(walk(nd(), v.root, '/etcl/', false)).toBe(walk(nd(), v.root, '/etc', false));
    expect(walk(nd(), v.root, '//usr///share/doc//', true)).toBeInstanceOf(DirInode);
    expect(walk(nd(), v.root, '/', true)).toBe(v.root);
    expect(walk(nd(), v.root, 'etc', true)).toBe(walk(nd(), v.root, '/etc', true));
  });
  it('reports ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG', () => {
    expect(errnoOf(() => walk(nd(), v.root, '/nope', true))).toBe(ENOENT);
    expect(errnoOf(() => walk(nd(), v.root, '', true))).toBe(ENOENT);
    expect(errnoOf(() => walk(nd(), v.root, '/etc/passwd/x', true))).toBe(ENOTDIR);
    expect(errnoOf(() => walk(nd(), v.root, '/etc/passwd/', true))).toBe(ENOTDIR);
    expect(errnoOf(() => walk(nd(), v.root, '/bin/sh/', true))).toBe(ENOTDIR);
    expect(errnoOf(() => walk(nd(), v.root, '/loop1', true))).toBe(ELOOP);
    expect(walk(nd(), v.root, '/loop1', false)).toBeInstanceOf(LnkInode);
    expect(errnoOf(() => walk(nd(), v.root, '/loop1/x', false))).toBe(ELOOP);
    expect(errnoOf(() => walk(nd(), v.root, '/' + 'a'.repeat(256), true))).toBe(36);
  });
  it('counts 40 links at most', () => {
    const v2 = makeVfs();
    const t2 = fakeTask(v2);
    const tmp = walk(v2.nameidata(t2), v2.root, '/tmp', true) as DirInode;
    vfsMkdir(t2.cred, tmp, 'd', 0o755);
    for (let i = 1; i <= 41; i++) vfsSymlink(t2.cred, tmp, `l${i}`, i === 1 ? 'd' : `l${i - 1}`);
    expect(walk(v2.nameidata(t2), v2.root, '/tmp/l40', true)).toBeInstanceOf(DirInode);
    expect(errnoOf(() => walk(v2.nameidata(t2), v2.root, '/tmp/l41', true))).toBe(ELOOP);
  });
  it('stays at the process root and crosses mounts', () => {
    const dev = walk(nd(), v.root, '/dev', true) as DirInode;
    expect(dev.sb.type).toBe('devtmpfs');
    expect(walk(nd(), v.root, '/dev/..', true)).toBe(v.root);
    expect(walk(nd(), v.root, '/dev/shm/../../etc', true)).toBe(walk(nd(), v.root, '/etc', true));
    const etc = walk(nd(), v.root, '/etc', true) as DirInode;
    const chrooted = new Nameidata(t, t.cred, etc);
    expect(walk(chrooted, etc, '/../..', true)).toBe(etc);
    expect(walk(chrooted, etc, '/passwd', true)).toBe(walk(nd(), v.root, '/etc/passwd', true));
  });
  it('checks search permission', () => {
    const u = fakeTask(v, 1000);
    expect(errnoOf(() => walk(v.nameidata(u), v.root, '/root/x', true))).toBe(EACCES);
    expect(errnoOf(() => walk(v.nameidata(t), v.root, '/root/x', true))).toBe(ENOENT);
  });
  it('walkParent reports the last component', () => {
    expect(walkParent(nd(), v.root, '/usr/share/x/')).toMatchObject({ name: 'x', slash: true });
    expect(walkParent(nd(), v.root, '/').name).toBe('/');
    expect(walkParent(nd(), v.root, '/bin/sh').dir).toBe(walk(nd(), v.root, '/bin', true));
  });
});

describe('overlay', () => {
  it('reads lower files without copying and copies up on write', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const f = v.open(t, '/etc/passwd', O_RDWR);
    const node = f.node as RegInode;
    expect(node.lower).toBe(true);
    expect(node.contents().buffer).toBe(v.image.bytes.buffer);
    const ino = node.ino;
    f.write(t, new TextEncoder().encode('ROOT'), 0);
    expect(node.lower).toBe(false);
    expect(node.ino).toBe(ino);
    expect(text(v, '/etc/passwd')).toBe('ROOT:x:0:0::/root:/bin/sh\n');
    expect(text(v, '/etc/passwd.link')).toBe('ROOT:x:0:0::/root:/bin/sh\n');
    // the image itself is untouched
    expect(dec.decode(v.image.data(ino))).toBe('root:x:0:0::/root:/bin/sh\n');
    f.put();
  });
  it('O_TRUNC of an image file copies nothing up; attribute changes need no copy', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const node = walk(v.nameidata(t), v.root, '/etc/passwd', true) as RegInode;
    node.mode = (node.mode & ~0o777) | 0o600;
    expect(node.lower).toBe(true);
    v.open(t, '/etc/passwd', O_WRONLY | O_TRUNC).put();
    expect(node.lower).toBe(false);
    expect(node.capacity).toBe(0);
    expect(node.size).toBe(0);
  });
  it('whiteouts, opaque directories and merged readdir', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const nd = v.nameidata(t);
    const share = walk(nd, v.root, '/usr/share', true) as OverlayDir;
    const doc = walk(nd, v.root, '/usr/share/doc', true) as OverlayDir;
    expect(doc.materialized).toBe(false);
    vfsUnlink(t.cred, doc, 'a');
    expect(errnoOf(() => v.readFile('/usr/share/doc/a'))).toBe(ENOENT);
    v.writeFile('/usr/share/doc/c', 'C');
    expect([...doc.iterate()].map(([n]) => n)).toEqual(['b', 'c']);
    expect(errnoOf(() => vfsRmdir(t.cred, share, 'doc'))).toBe(ENOTEMPTY);
    vfsUnlink(t.cred, doc, 'b'); vfsUnlink(t.cred, doc, 'c');
    vfsRmdir(t.cred, share, 'doc');
    expect(doc.dead).toBe(true);
    const fresh = vfsMkdir(t.cred, share, 'doc', 0o755);
    expect(fresh.isEmpty()).toBe(true);
    expect(errnoOf(() => v.readFile('/usr/share/doc/b'))).toBe(ENOENT);
  });
  it('keeps image inode numbers and gives new nodes fresh ones', () => {
    const v = makeVfs();
    const a = walk(v.nameidata(fakeTask(v)), v.root, '/etc/passwd', true);
    v.writeFile('/tmp/new', 'x');
    const b = walk(v.nameidata(fakeTask(v)), v.root, '/tmp/new', true);
    expect(a.ino).toBeLessThanOrEqual(v.image.inodeCount);
    expect(b.ino).toBeGreaterThan(v.image.inodeCount);
    expect(a.sb.dev).toBe(b.sb.dev);
    expect(walk(v.nameidata(fakeTask(v)), v.root, '/etc/passwd', true)).toBe(a);
  });
});

describe('directory operations', () => {
  const setup = (): { v: Vfs; t: ReturnType<typeof fakeTask>; tmp: DirInode; at: (p: string) => DirInode } => {
    const v = makeVfs();
    const t = fakeTask(v);
    const at = (p: string): DirInode => walk(v.nameidata(t), v.root, p, true) as DirInode;
    return { v, t, tmp: at('/tmp'), at };
  };
  it('mkdir/rmdir/unlink errors', () => {
    const { t, tmp, at } = setup();
    const d = vfsMkdir(t.cred, tmp, 'd', 0o755);
    expect(tmp.nlink).toBe(3);
    expect(errnoOf(() => vfsMkdir(t.cred, tmp, 'd', 0o755))).toBe(EEXIST);
    vfsSymlink(t.cred, tmp, 'dangling', '/nowhere');
    expect(errnoOf(() => vfsMkdir(t.cred, tmp, 'dangling', 0o755))).toBe(EEXIST);
    expect(errnoOf(() => vfsUnlink(t.cred, tmp, 'd'))).toBe(EISDIR);
    expect(errnoOf(() => vfsRmdir(t.cred, tmp, 'dangling'))).toBe(ENOTDIR);
    expect(errnoOf(() => vfsRmdir(t.cred, tmp, '.'))).toBe(EINVAL);
    expect(errnoOf(() => vfsRmdir(t.cred, tmp, '..'))).toBe(ENOTEMPTY);
    expect(errnoOf(() => vfsRmdir(t.cred, at('/'), '/'))).toBe(EBUSY);
    expect(errnoOf(() => vfsRmdir(t.cred, at('/'), 'dev'))).toBe(EBUSY);
    expect(errnoOf(() => vfsUnlink(t.cred, tmp, 'nope'))).toBe(ENOENT);
    vfsRmdir(t.cred, tmp, 'd');
    expect(tmp.nlink).toBe(2);
    expect(errnoOf(() => vfsMknod(t.cred, d, 'x', 0o644))).toBe(ENOENT);
  });
  it('hard links keep st_nlink right and cannot cross filesystems', () => {
    const { v, t, tmp, at } = setup();
    const f = vfsMknod(t.cred, tmp, 'f', 0o644);
    vfsLink(t.cred, f, tmp, 'g');
    expect(f.nlink).toBe(2);
    expect(errnoOf(() => vfsLink(t.cred, f, tmp, 'g'))).toBe(EEXIST);
    expect(errnoOf(() => vfsLink(t.cred, tmp, at('/'), 'x'))).toBe(EPERM);
    expect(errnoOf(() => vfsLink(t.cred, f, at('/dev/shm'), 'x'))).toBe(EXDEV);
    vfsUnlink(t.cred, tmp, 'f');
    expect(f.nlink).toBe(1);
    v.writeFile('/tmp/g', 'data');
    expect(text(v, '/tmp/g')).toBe('data');
    const lower = walk(v.nameidata(t), v.root, '/etc/passwd', true);
    expect(lower.nlink).toBe(2);
    vfsLink(t.cred, lower, tmp, 'pw');
    expect(lower.nlink).toBe(3);
    expect(text(v, '/tmp/pw')).toBe(text(v, '/etc/passwd'));
  });
  it('rename: files, directories, replace, errors', () => {
    const { v, t, tmp, at } = setup();
    v.writeFile('/tmp/a', 'A');
    v.writeFile('/tmp/b', 'B');
    vfsRename(t.cred, tmp, 'a', tmp, 'b');
    expect(text(v, '/tmp/b')).toBe('A');
    expect(errnoOf(() => v.readFile('/tmp/a'))).toBe(ENOENT);
    const d1 = vfsMkdir(t.cred, tmp, 'd1', 0o755);
    const d2 = vfsMkdir(t.cred, tmp, 'd2', 0o755);
    vfsMkdir(t.cred, d2, 'sub', 0o755);
    expect(errnoOf(() => vfsRename(t.cred, tmp, 'd1', tmp, 'd2'))).toBe(ENOTEMPTY);
    expect(errnoOf(() => vfsRename(t.cred, tmp, 'd1', tmp, 'b'))).toBe(ENOTDIR);
    expect(errnoOf(() => vfsRename(t.cred, tmp, 'b', tmp, 'd1'))).toBe(EISDIR);
    expect(errnoOf(() => vfsRename(t.cred, tmp, 'd1', d1, 'x'))).toBe(EINVAL);
    expect(errnoOf(() => vfsRename(t.cred, tmp, 'd2', at('/tmp/d2/sub'), 'x'))).toBe(EINVAL);
    expect(errnoOf(() => vfsRename(t.cred, tmp, 'b', at('/dev/shm'), 'b'))).toBe(EXDEV);
    expect(errnoOf(() => vfsRename(t.cred, tmp, 'nope', tmp, 'x'))).toBe(ENOENT);
    expect(errnoOf(() => vfsRename(t.cred, tmp, '.', tmp, 'x'))).toBe(EBUSY);
    expect(errnoOf(() => vfsRename(t.cred, tmp, 'b', tmp, 'd1', RENAME_NOREPLACE))).toBe(EEXIST);
    // move a directory to another parent: nlink of both parents and its ".." follow
    const etc = at('/etc');
    const before = etc.nlink;
    vfsRename(t.cred, tmp, 'd1', etc, 'moved');
    expect(etc.nlink).toBe(before + 1);
    expect(d1.parent).toBe(etc);
    expect(walk(v.nameidata(t), v.root, '/etc/moved/..', true)).toBe(etc);
    // a directory replaces an empty one
    vfsRename(t.cred, etc, 'moved', d2, 'sub');
    expect(walk(v.nameidata(t), v.root, '/tmp/d2/sub', true)).toBe(d1);
    expect(etc.nlink).toBe(before);
    // rename a lower file away (whiteout) and back
    vfsRename(t.cred, etc, 'passwd', tmp, 'pw');
    expect(errnoOf(() => v.readFile('/etc/passwd'))).toBe(ENOENT);
    vfsRename(t.cred, tmp, 'pw', etc, 'passwd');
    expect(text(v, '/etc/passwd')).toContain('root');
    // same inode: no-op
    vfsRename(t.cred, etc, 'passwd', etc, 'passwd.link');
    expect(text(v, '/etc/passwd')).toContain('root');
  });
  it('RENAME_EXCHANGE swaps entries, also a file with a directory', () => {
    const { v, t, tmp, at } = setup();
    v.writeFile('/tmp/a', 'A');
    const d = vfsMkdir(t.cred, tmp, 'd', 0o755);
    const etc = at('/etc');
    const n = etc.nlink;
    vfsRename(t.cred, tmp, 'd', etc, 'passwd', RENAME_EXCHANGE);
    expect(walk(v.nameidata(t), v.root, '/etc/passwd', true)).toBe(d);
    expect(text(v, '/tmp/d')).toContain('root');
    expect(etc.nlink).toBe(n + 1);
    expect(tmp.nlink).toBe(2);
    expect(errnoOf(() => vfsRename(t.cred, tmp, 'a', tmp, 'zz', RENAME_EXCHANGE))).toBe(ENOENT);
    expect(errnoOf(() => vfsRename(t.cred, tmp, 'a', tmp, 'd', RENAME_EXCHANGE | RENAME_NOREPLACE))).toBe(EINVAL);
  });
});

describe('open', () => {
  it('creates, truncates, appends and follows dangling symlinks on O_CREAT', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const enc = new TextEncoder();
    const f = v.open(t, '/tmp/x', O_CREAT | O_WRONLY, 0o666);
    expect((f.node as RegInode).mode & 0o777).toBe(0o644);
    f.write(t, enc.encode('hello'), -1);
    f.put();
    expect(errnoOf(() => v.open(t, '/tmp/x', O_CREAT | O_EXCL | O_WRONLY))).toBe(EEXIST);
    const g = v.open(t, '/tmp/x', O_WRONLY | O_APPEND);
    g.write(t, enc.encode('!'), -1);
    g.write(t, enc.encode('?'), 0);
    expect(text(v, '/tmp/x')).toBe('hello!?');
    v.open(t, '/tmp/x', O_WRONLY | O_TRUNC).put();
    expect(text(v, '/tmp/x')).toBe('');
    vfsSymlink(t.cred, walk(v.nameidata(t), v.root, '/tmp', true) as DirInode, 'dl', 'target');
    v.open(t, '/tmp/dl', O_CREAT | O_WRONLY).put();
    expect(v.readFile('/tmp/target').length).toBe(0);
    expect(errnoOf(() => v.open(t, '/tmp/dl', O_CREAT | O_EXCL | O_WRONLY))).toBe(EEXIST);
    expect(errnoOf(() => v.open(t, '/tmp/dl', O_RDONLY | O_NOFOLLOW))).toBe(ELOOP);
    expect(errnoOf(() => v.open(t, '/tmp', O_WRONLY))).toBe(EISDIR);
    expect(errnoOf(() => v.open(t, '/tmp', O_CREAT | O_WRONLY))).toBe(EISDIR);
    expect(errnoOf(() => v.open(t, '/tmp/new/', O_CREAT | O_WRONLY))).toBe(EISDIR);
    expect(errnoOf(() => v.open(t, '/tmp/x', O_DIRECTORY))).toBe(ENOTDIR);
    expect(errnoOf(() => v.open(t, '/nope/x', O_CREAT | O_WRONLY))).toBe(ENOENT);
    expect(errnoOf(() => v.open(t, '/dev/console', O_RDWR))).toBe(ENXIO);
  });
  it('checks permissions for user 1000 vs root', () => {
    const v = makeVfs();
    const root = fakeTask(v);
    const user = fakeTask(v, 1000);
    expect(errnoOf(() => v.open(user, '/etc/secret', O_RDONLY))).toBe(EACCES);
    expect(errnoOf(() => v.open(user, '/etc/passwd', O_WRONLY))).toBe(EACCES);
    expect(errnoOf(() => v.open(user, '/etc/new', O_CREAT | O_WRONLY))).toBe(EACCES);
    v.open(root, '/etc/secret', O_RDWR).put();
    v.open(user, '/etc/passwd', O_RDONLY).put();
    v.open(user, '/home/user/mine', O_CREAT | O_WRONLY).put();
    expect(errnoOf(() => v.resolveExec(user, '/etc/noexec'))).toBe(EACCES);
    expect(errnoOf(() => v.resolveExec(root, '/etc/noexec'))).toBe(EACCES);
    expect(errnoOf(() => v.resolveExec(root, '/etc'))).toBe(EACCES);
    expect(errnoOf(() => v.resolveExec(root, '/bin/nope'))).toBe(ENOENT);
    // sticky /tmp: user cannot remove root's file
    v.writeFile('/tmp/rootfile', 'r');
    const tmp = walk(v.nameidata(root), v.root, '/tmp', true) as DirInode;
    expect(errnoOf(() => vfsUnlink(user.cred, tmp, 'rootfile'))).toBe(EPERM);
    v.open(user, '/tmp/userfile', O_CREAT | O_WRONLY).put();
    vfsUnlink(user.cred, tmp, 'userfile');
    vfsUnlink(root.cred, tmp, 'rootfile');
  });
  it('reports errors in Linux order (EEXIST before EACCES, EACCES before EISDIR)', () => {
    const v = makeVfs();
    const user = fakeTask(v, 1000);
    const etc = walk(v.nameidata(user), v.root, '/etc', true) as DirInode;
    const root = walk(v.nameidata(user), v.root, '/', true) as DirInode;
    expect(errnoOf(() => vfsMkdir(user.cred, etc, 'passwd', 0o755))).toBe(EEXIST);
    expect(errnoOf(() => vfsMkdir(user.cred, etc, 'newdir', 0o755))).toBe(EACCES);
    expect(errnoOf(() => vfsUnlink(user.cred, root, 'etc'))).toBe(EACCES);
    expect(errnoOf(() => vfsRmdir(user.cred, etc, 'passwd'))).toBe(EACCES);
    expect(errnoOf(() => vfsRename(user.cred, etc, 'passwd', etc, 'passwd.link'))).toBe(0);
    expect(errnoOf(() => vfsRename(user.cred, etc, 'passwd', etc, 'x'))).toBe(EACCES);
    expect(errnoOf(() => walkParent(v.nameidata(user), v.root, '/root/x'))).toBe(EACCES);
  });
  it('resolveExec gives stable ids: image for lower files, versioned for upper files', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const a = v.resolveExec(t, '/bin/sh');
    expect(a.id).toBe(`${v.image.id}:${a.node.ino}`);
    expect(v.resolveExec(t, '/bin/ls').id).toBe(a.id);
    expect(a.bytes[1]).toBe(0x61);
    v.writeFile('/tmp/prog', new Uint8Array([0, 0x61, 0x73, 0x6d]), 0o755);
    const b = v.resolveExec(t, '/tmp/prog');
    expect(b.id).toMatch(/^tmpfs:/);
    v.writeFile('/tmp/prog', new Uint8Array([0, 0x61, 0x73, 0x6d, 1]), 0o755);
    expect(v.resolveExec(t, '/tmp/prog').id).not.toBe(b.id);
  });
  it('mknod FIFO nodes and devices', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const user = fakeTask(v, 1000);
    const tmp = walk(v.nameidata(t), v.root, '/tmp', true) as DirInode;
    const fifo = vfsMknod(user.cred, tmp, 'fifo', S_IFIFO | 0o644);
    expect(fifo.stat().mode).toBe(S_IFIFO | 0o644);
    expect(errnoOf(() => vfsMknod(user.cred, tmp, 'null', 0o20666, 0x103))).toBe(EPERM);
    vfsMknod(t.cred, tmp, 'null', 0o20666, 0x103);
    const f = v.open(t, '/tmp/null', O_RDWR);
    expect(f.write(t, new Uint8Array(10), -1)).toBe(10);
    expect(f.read(t, new Uint8Array(10), -1)).toBe(0);
  });
  it('getcwd, including removed directories', () => {
    const v = makeVfs();
    const t = fakeTask(v);
    const nd = v.nameidata(t);
    t.fs.cwd = walk(nd, v.root, '/usr/share/doc', true) as DirInode;
    expect(v.getcwd(t.fs)).toBe('/usr/share/doc');
    t.fs.cwd = walk(nd, v.root, '/dev/shm', true) as DirInode;
    expect(v.getcwd(t.fs)).toBe('/dev/shm');
    const d = vfsMkdir(t.cred, walk(nd, v.root, '/tmp', true) as DirInode, 'gone', 0o755);
    t.fs.cwd = d;
    vfsRmdir(t.cred, walk(nd, v.root, '/tmp', true) as DirInode, 'gone');
    expect(errnoOf(() => v.getcwd(t.fs))).toBe(ENOENT);
  });
});
