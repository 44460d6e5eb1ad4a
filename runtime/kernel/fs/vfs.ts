// The virtual filesystem switch the kernel owns (kernel.vfs): the mount tree (overlay root over the
// image, devtmpfs on /dev, tmpfs on /dev/shm, a synthetic /proc mounted later), the character device
// registry, and the entry points other subsystems use: open, lookups relative to a dirfd, exec lookup,
// getcwd, plus readFile/writeFile conveniences for hosts and tests (cf. fs/namespace.c, fs/open.c).
import { EACCES, EADDRINUSE, EBADF, ECONNREFUSED, EEXIST, EISDIR, ENOENT, ENOTDIR } from '../../abi/errno.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, S_IFREG, S_IFSOCK } from '../../abi/fcntl.js';
import { IN_MODIFY } from '../../abi/inotify.js';
import { isErrno, raise } from '../errors.js';
import { Cred } from '../proc/cred.js';
import type { Task } from '../proc/task.js';
import { ChrdevRegistry } from './char_dev.js';
import { makeDevfs, registerMemDevices } from './devfs.js';
import type { NameRef } from './dcache.js';
import { realPath } from './d_path.js';
import { vfsMkdir, vfsMknod, vfsSymlink } from './dirops.js';
import type { File } from './file.js';
import { FsContext } from './fs_struct.js';
import { Image } from './image.js';
import { DirInode, Inode, SpecialInode } from './inode.js';
import { dotdot, LAST_ROOT, Nameidata, pathOf, walk, walkParent } from './namei.js';
import { fsnotifyChange } from './notify/fsnotify.js';
import { doOpen, openNode } from './open.js';
import { mountOverlay } from './overlay.js';
import { MAY_EXEC, MAY_WRITE, permission } from './permission.js';
import { makedev } from './stat.js';
import { RegInode } from './tmpfs.js';

export interface VfsOptions {
  /** Called with the change in bytes of in-memory file data; may raise ENOSPC/ENOMEM to refuse growth. */
  memoryAccount?: (deltaBytes: number) => void;
  /** Size statfs reports for the in-memory filesystems (default 1 GiB). */
  capacity?: number;
}

/** What execve needs of a program file. */
export interface ExecFile {
  /** The file's bytes: a view (of the image, or of the tmpfs buffer) valid until the file changes. */
  bytes: Uint8Array;
  /** Stable identity for the Module cache: "<image sha256>:<ino>" or "tmpfs:<node id>:<version>". */
  id: string;
  mode: number;
  uid: number;
  gid: number;
  path: string;
  node: RegInode;
}

/** Credentials used by host-side conveniences (readFile/writeFile). */
const ROOT = new Cred(0, 0);

export class Vfs {
  readonly image: Image;
  /** Root of the mount tree (the overlay). */
  readonly root: DirInode;
  readonly chrdev = new ChrdevRegistry();
  readonly capacity: number;
  private nextMntId = 1;

  constructor(imageBytes: Uint8Array, opts: VfsOptions = {}) {
    this.image = new Image(imageBytes);
    this.capacity = opts.capacity ?? 1 << 30;
    const charge = opts.memoryAccount;
    this.root = mountOverlay(this.image, makedev(0, 32), this.nextMntId++, charge);
    registerMemDevices(this.chrdev);
    const dev = makeDevfs(this.nextMntId++, this.nextMntId++, charge);
    this.mount('/dev', dev.root);
    this.mount('/dev/shm', dev.shm);
  }

  /** Mount the filesystem whose root is `fsRoot` on the existing directory `path`. */
  mount(path: string, fsRoot: DirInode): void {
    const nd = new Nameidata(null, ROOT, this.root);
    const at = walk(nd, this.root, path, true);
    if (!(at instanceof DirInode)) raise(ENOTDIR);
    fsRoot.mountedOn = at;
    fsRoot.parent = fsRoot;
    at.mounted = fsRoot;
  }

  /** Hook for procfs (or any synthetic filesystem): mount its root on /proc. */
  mountProc(fsRoot: DirInode): void { this.mount('/proc', fsRoot); }

  /** A mount id for a filesystem created elsewhere (statx stx_mnt_id). */
  allocMntId(): number { return this.nextMntId++; }

  /** FsContext of the first process: root "/", cwd `cwd` (falls back to "/" if it does not exist). */
  newContext(cwd = '/', umask = 0o022): FsContext {
    let dir: Inode = this.root;
    try { dir = walk(new Nameidata(null, ROOT, this.root), this.root, cwd, true); } catch { dir = this.root; }
    return new FsContext(this.root, dir instanceof DirInode ? dir : this.root, umask);
  }

  nameidata(t: Task): Nameidata { return new Nameidata(t, t.cred, t.fs.root); }

  /**
   * The directory a dirfd-relative path starts from (EBADF, ENOTDIR as openat). An absolute path ignores
   * dirfd, and an empty one fails with ENOENT before dirfd is looked at, as on Linux.
   */
  startDir(t: Task, dirfd: number, path = ''): DirInode {
    if (path === '') raise(ENOENT);
    if (dirfd === AT_FDCWD || path.charCodeAt(0) === 47) return t.fs.cwd;
    const f = t.files.get(dirfd);
    if (!(f.node instanceof DirInode)) raise(ENOTDIR);
    return f.node;
  }

  /** The node an fd refers to (EBADF if it has none, e.g. a pipe). */
  fdNode(t: Task, fd: number): Inode {
    const n = t.files.get(fd).node;
    if (!(n instanceof Inode)) raise(EBADF);
    return n;
  }

  /**
   * Resolve (dirfd, path, AT_* flags) as the *at syscalls do: AT_SYMLINK_NOFOLLOW leaves a final
   * symlink unresolved; AT_EMPTY_PATH with "" names the file of dirfd itself.
   */
  lookupAt(t: Task, dirfd: number, path: string, atFlags: number): Inode {
    return this.lookupNamedAt(t, dirfd, path, atFlags).node;
  }

  /**
   * lookupAt, also giving the name the node was reached by: the walk's last component, or the name an
   * AT_EMPTY_PATH descriptor was opened by (fsnotify reports attribute changes to that directory).
   */
  lookupNamedAt(t: Task, dirfd: number, path: string, atFlags: number): { node: Inode; at: NameRef | null } {
    if (path === '' && (atFlags & AT_EMPTY_PATH)) {
      if (dirfd === AT_FDCWD) return { node: t.fs.cwd, at: null };
      return { node: this.fdNode(t, dirfd), at: t.files.get(dirfd).dentry ?? null };
    }
    const nd = this.nameidata(t);
    const node = walk(nd, this.startDir(t, dirfd, path), path, !(atFlags & AT_SYMLINK_NOFOLLOW));
    return { node, at: nd.last };
  }

  /** Parent directory and last component of a path, for the calls that create or remove names. */
  lookupParentAt(t: Task, dirfd: number, path: string): { dir: DirInode; name: string; slash: boolean } {
    return walkParent(this.nameidata(t), this.startDir(t, dirfd, path), path);
  }

  /** open/openat: a new file description (one reference) for `path`. */
  open(t: Task, path: string, flags: number, mode = 0o666, dirfd = AT_FDCWD): File {
    const start = this.startDir(t, dirfd, path);
    const f = doOpen(t, start, path, flags, mode, this.chrdev);
    f.openedAt ??= { dir: start, path };
    return f;
  }

  /** Alias of open() (the kernel's spawn uses this name). */
  openPath(t: Task, path: string, flags: number, mode = 0o666): File { return this.open(t, path, flags, mode); }

  /** A new description for a node already resolved (no permission check). */
  openNode(t: Task, node: Inode, flags: number): File { return openNode(t, node, flags, this.chrdev); }

  /**
   * Look up a program for execve: follows symlinks; ENOENT/ENOTDIR/ELOOP from the walk; EACCES for a
   * directory, a non-regular file or a file without execute permission (root needs some x bit). The
   * result's `path` is the canonical name (symlinks resolved), which /proc/<pid>/exe shows.
   */
  resolveExec(t: Task, path: string): ExecFile {
    const node = walk(this.nameidata(t), t.fs.cwd, path, true);
    if (!(node instanceof RegInode)) raise(EACCES);
    permission(node, t.cred, MAY_EXEC);
    const id = node.lower && node.lowerId ? node.lowerId : `tmpfs:${node.nodeId}:${node.version}`;
    const real = realPath(t, t.fs.root, t.fs.cwd, path) ?? path;
    return { bytes: node.contents(), id, mode: node.mode, uid: node.uid, gid: node.gid, path: real, node };
  }

  /**
   * Hook for AF_UNIX bind(2): create a socket node at `path` (mode after umask; EADDRINUSE if the name
   * exists). The socket layer keeps its state in the node's `private` field.
   */
  bindSocket(t: Task, path: string, mode = 0o777): SpecialInode {
    const { dir, name } = this.lookupParentAt(t, AT_FDCWD, path);
    try {
      return vfsMknod(t.cred, dir, name, S_IFSOCK | (mode & 0o777 & ~t.fs.umask)) as SpecialInode;
    } catch (e) {
      if (isErrno(e) && e.errno === EEXIST) raise(EADDRINUSE);
      throw e;
    }
  }

  /** Hook for AF_UNIX connect(2): the socket node at `path` (EACCES without write permission,
   * ECONNREFUSED when it is not a socket). */
  lookupSocket(t: Task, path: string): SpecialInode {
    const node = this.lookupAt(t, AT_FDCWD, path, 0);
    permission(node, t.cred, MAY_WRITE);
    if (node.fmt !== S_IFSOCK || !(node instanceof SpecialInode)) raise(ECONNREFUSED);
    return node;
  }

  /** getcwd: the path of ctx.cwd from ctx.root; ENOENT if the directory was removed. */
  getcwd(ctx: FsContext): string {
    const p = pathOf(ctx.root, ctx.cwd);
    if (p === null) raise(ENOENT);
    return p;
  }

  /** The node ".." of `d` names for a process rooted at `root`. */
  parentOf(d: DirInode, root: DirInode): DirInode { return dotdot(root, d); }

  /** Host/test convenience: the contents of a file (a copy), as root. */
  readFile(path: string): Uint8Array {
    const node = walk(new Nameidata(null, ROOT, this.root), this.root, path, true);
    if (node.isDir) raise(EISDIR);
    if (!(node instanceof RegInode)) raise(EACCES);
    return node.contents().slice();
  }

  /** Host/test convenience: create or replace the contents of a file, as root (parents must exist). */
  writeFile(path: string, data: Uint8Array | string, mode = 0o644): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const nd = new Nameidata(null, ROOT, this.root);
    const { dir, name } = walkParent(nd, this.root, path);
    if (name === LAST_ROOT || name === '.' || name === '..') raise(EISDIR);
    let node = dir.lookup(name);
    if (!node) node = vfsMknod(ROOT, dir, name, S_IFREG | (mode & 0o7777));
    else node = walk(nd, this.root, path, true);
    if (!(node instanceof RegInode)) raise(node.isDir ? EISDIR : EACCES);
    node.truncate(0);
    node.write(bytes, 0);
    fsnotifyChange(node, IN_MODIFY, nd.last ?? { parent: dir, name });
  }

  /** Host/test convenience: create a directory, as root (the parent must exist; EEXIST if it does). */
  mkdir(path: string, mode = 0o755): void {
    const { dir, name } = walkParent(new Nameidata(null, ROOT, this.root), this.root, path);
    if (name === LAST_ROOT || name === '.' || name === '..') raise(EEXIST);
    vfsMkdir(ROOT, dir, name, mode);
  }

  /** Host/test convenience: create a symbolic link at `path` pointing to `target`, as root. */
  symlink(target: string, path: string): void {
    const { dir, name } = walkParent(new Nameidata(null, ROOT, this.root), this.root, path);
    if (name === LAST_ROOT || name === '.' || name === '..') raise(EEXIST);
    vfsSymlink(ROOT, dir, name, target);
  }
}
