// inotify (fs/notify/inotify/inotify_user.c, inotify_fsnotify.c; inotify(7)). An inotify instance is an
// anonymous-inode file holding a set of watches (fsnotify marks, one per watched inode, numbered by a
// watch descriptor) and a queue of events that read(2) returns as struct inotify_event records.
//   - An event identical to the last queued one (same wd, mask and name, not yet read) is dropped.
//   - At MAX_QUEUED_EVENTS queued events, further events are lost and one IN_Q_OVERFLOW (wd -1) is queued.
//   - read returns whole events only: EINVAL if the first does not fit the buffer. The name is NUL padded
//     to a multiple of 16 bytes (sizeof(struct inotify_event)), as Linux does. With no event, read
//     blocks (interruptibly: -ERESTARTSYS) or fails with EAGAIN under O_NONBLOCK.
//   - Removing a watch (inotify_rm_watch, IN_ONESHOT after its event, the inode's removal) queues
//     IN_IGNORED for its wd. Watch descriptors are allocated cyclically from 1, as idr_alloc_cyclic.
// Per-user limits (by real uid, per kernel): MAX_USER_INSTANCES instances (EMFILE) and MAX_USER_WATCHES
// watches (ENOSPC); /proc/sys/fs/inotify shows all three limits.
import { EAGAIN, EEXIST, EINVAL, EMFILE, ENOSPC, ENOTDIR, ENOTTY } from '../../../abi/errno.js';
import { AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_RDONLY, POLLIN, POLLRDNORM } from '../../../abi/fcntl.js';
import {
  ALL_INOTIFY_BITS, IN_ALL_EVENTS, IN_CLOEXEC, IN_DONT_FOLLOW, IN_EXCL_UNLINK, IN_IGNORED, IN_MASK_ADD,
  IN_MASK_CREATE, IN_NONBLOCK, IN_ONESHOT, IN_ONLYDIR, IN_Q_OVERFLOW, INOTIFY_EVENT_SIZE,
} from '../../../abi/inotify.js';
import { FIONREAD } from '../../../abi/termios.js';
import { encodeBytes } from '../../../lib/bytestring.js';
import { raise } from '../../errors.js';
import type { Task } from '../../proc/task.js';
import type { SyscallDefs } from '../../syscalls/types.js';
import { WaitQueue } from '../../wait.js';
import { anonIno, anonStat } from '../anon.js';
import { File } from '../file.js';
import type { Inode } from '../inode.js';
import { MAY_READ, permission } from '../permission.js';
import type { Stat } from '../stat.js';
import { installFile } from '../sys_open.js';
import { attachMark, destroyMark, detachMark, findMark, FsnotifyMark, type FsnotifyGroup } from './fsnotify.js';

/** /proc/sys/fs/inotify/max_queued_events, max_user_instances, max_user_watches (Linux's defaults). */
export const MAX_QUEUED_EVENTS = 16384, MAX_USER_INSTANCES = 128, MAX_USER_WATCHES = 65536;

/** What a watch keeps of the add_watch mask: its events and the flags that act on delivery. */
const MARK_BITS = IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK;

/** A queued event; `name` is the encoded name (without NUL), `size` the record size read(2) returns. */
interface InotifyEvent {
  wd: number;
  mask: number;
  cookie: number;
  name: Uint8Array | null;
  size: number;
}

function makeEvent(wd: number, mask: number, cookie: number, name: string | null): InotifyEvent {
  const bytes = name === null ? null : encodeBytes(name);
  const len = bytes ? (bytes.length + 1 + INOTIFY_EVENT_SIZE - 1) & ~(INOTIFY_EVENT_SIZE - 1) : 0;
  return { wd, mask, cookie, name: bytes, size: INOTIFY_EVENT_SIZE + len };
}

/** inotify's event_compare: same wd, mask and name (the cookie is not compared, as on Linux). */
function sameEvent(a: InotifyEvent, b: InotifyEvent): boolean {
  if (a.wd !== b.wd || a.mask !== b.mask) return false;
  if (a.name === null || b.name === null) return a.name === b.name;
  return a.name.length === b.name.length && a.name.every((x, i) => x === b.name![i]);
}

/** Instances and watches of one user (the inotify ucounts). */
interface UserCounts { instances: number; watches: number }

const counts = new WeakMap<object, Map<number, UserCounts>>();

function userCounts(t: Task): UserCounts {
  let byUid = counts.get(t.kernel);
  if (!byUid) { byUid = new Map(); counts.set(t.kernel, byUid); }
  let c = byUid.get(t.cred.uid);
  if (!c) { c = { instances: 0, watches: 0 }; byUid.set(t.cred.uid, c); }
  return c;
}

class InotifyMark extends FsnotifyMark {
  constructor(group: InotifyFile, inode: Inode, mask: number, readonly wd: number) { super(group, inode, mask); }
}

export class InotifyFile extends File implements FsnotifyGroup {
  /** /proc/<pid>/fd shows anon_inode:inotify. */
  readonly anonName = 'inotify';
  readonly wq = new WaitQueue();
  private readonly ino = anonIno();
  /** The queue is events[head..]; consumed slots are dropped in batches. */
  private events: InotifyEvent[] = [];
  private head = 0;
  private overflowQueued = false;
  private readonly watches = new Map<number, InotifyMark>();
  private lastWd = 0;

  constructor(flags: number, private readonly user: UserCounts) {
    super(O_RDONLY | flags);
    user.instances++;
  }

  get queued(): number { return this.events.length - this.head; }

  /** fsnotify_add_event: queue `ev` unless it repeats the last queued event; overflow at the limit. */
  private queue(ev: InotifyEvent, merge: boolean): void {
    if (this.queued >= MAX_QUEUED_EVENTS) {
      if (this.overflowQueued) return;
      this.overflowQueued = true;
      ev = makeEvent(-1, IN_Q_OVERFLOW, 0, null);
    } else if (merge && this.queued > 0) {
      const last = this.events[this.events.length - 1]!;
      if (!(last.mask & IN_IGNORED) && sameEvent(last, ev)) return;
    }
    this.events.push(ev);
    this.wq.wake();
  }

  private dequeue(): InotifyEvent {
    const ev = this.events[this.head++]!;
    if (ev.mask & IN_Q_OVERFLOW) this.overflowQueued = false;
    if (this.head === this.events.length) { this.events = []; this.head = 0; }
    else if (this.head >= 1024 && this.head * 2 >= this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
    return ev;
  }

  handleEvent(mark: FsnotifyMark, mask: number, name: string | null, cookie: number): void {
    this.queue(makeEvent((mark as InotifyMark).wd, mask, cookie, name), true);
    if (mark.mask & IN_ONESHOT) destroyMark(mark);
  }

  freeingMark(mark: FsnotifyMark): void {
    const wd = (mark as InotifyMark).wd;
    if (this.watches.get(wd) !== mark) return;
    this.watches.delete(wd);
    this.user.watches--;
    this.queue(makeEvent(wd, IN_IGNORED, 0, null), false);
  }

  /** inotify_update_watch: the wd of this instance's watch on `node`, created or updated from `mask`. */
  addWatch(node: Inode, mask: number): number {
    const old = findMark(node, this) as InotifyMark | undefined;
    if (old) {
      if (mask & IN_MASK_CREATE) raise(EEXIST);
      old.mask = (mask & IN_MASK_ADD ? old.mask : 0) | (mask & MARK_BITS);
      return old.wd;
    }
    if (this.user.watches >= MAX_USER_WATCHES) raise(ENOSPC);
    let wd = this.lastWd;
    do wd = wd >= 0x7fffffff ? 1 : wd + 1; while (this.watches.has(wd));
    this.lastWd = wd;
    const m = new InotifyMark(this, node, mask & MARK_BITS, wd);
    attachMark(m);
    this.watches.set(wd, m);
    this.user.watches++;
    return wd;
  }

  rmWatch(wd: number): void {
    const m = this.watches.get(wd);
    if (!m) raise(EINVAL);
    destroyMark(m);
  }

  override read(_t: Task, dst: Uint8Array, _off: number): number {
    let used = 0;
    while (this.queued > 0) {
      const ev = this.events[this.head]!;
      if (used + ev.size > dst.length) {
        if (used === 0) raise(EINVAL);
        break;
      }
      this.dequeue();
      const v = new DataView(dst.buffer, dst.byteOffset + used, INOTIFY_EVENT_SIZE);
      v.setInt32(0, ev.wd, true);
      v.setUint32(4, ev.mask >>> 0, true);
      v.setUint32(8, ev.cookie >>> 0, true);
      v.setUint32(12, ev.size - INOTIFY_EVENT_SIZE, true);
      const body = dst.subarray(used + INOTIFY_EVENT_SIZE, used + ev.size);
      body.fill(0);
      if (ev.name) body.set(ev.name);
      used += ev.size;
    }
    if (used === 0) raise(EAGAIN);
    return used;
  }

  override ioctl(t: Task, req: number, arg: number): number {
    if (req !== FIONREAD) return raise(ENOTTY);
    let n = 0;
    for (let i = this.head; i < this.events.length; i++) n += this.events[i]!.size;
    t.mem.setI32(arg, n);
    return 0;
  }

  override poll(): number { return this.queued > 0 ? POLLIN | POLLRDNORM : 0; }
  override waitQueue(): WaitQueue { return this.wq; }
  override stat(): Stat { return anonStat(this.ino); }

  override release(): void {
    for (const m of this.watches.values()) detachMark(m);
    this.user.watches -= this.watches.size;
    this.user.instances--;
    this.watches.clear();
    this.events = [];
    this.head = 0;
  }
}

function inotifyOf(t: Task, fd: number): InotifyFile {
  const f = t.files.get(fd);
  if (!(f instanceof InotifyFile)) raise(EINVAL);
  return f;
}

function sys_inotify_init1(t: Task, flags: number): number {
  if (flags & ~(IN_CLOEXEC | IN_NONBLOCK)) raise(EINVAL);
  const user = userCounts(t);
  if (user.instances >= MAX_USER_INSTANCES) raise(EMFILE);
  return installFile(t, new InotifyFile(flags & IN_NONBLOCK, user), (flags & IN_CLOEXEC) !== 0);
}

function sys_inotify_add_watch(t: Task, fd: number, path: number, mask: number): number {
  mask >>>= 0;
  if (mask & ~ALL_INOTIFY_BITS || mask === 0) raise(EINVAL);
  t.files.get(fd);
  if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE)) raise(EINVAL);
  const group = inotifyOf(t, fd);
  const follow = mask & IN_DONT_FOLLOW ? AT_SYMLINK_NOFOLLOW : 0;
  const node = t.kernel.vfs.lookupAt(t, AT_FDCWD, t.mem.cstring(path), follow);
  if ((mask & IN_ONLYDIR) && !node.isDir) raise(ENOTDIR);
  permission(node, t.cred, MAY_READ);
  return group.addWatch(node, mask);
}

function sys_inotify_rm_watch(t: Task, fd: number, wd: number): number {
  inotifyOf(t, fd).rmWatch(wd);
  return 0;
}

export const inotifySyscalls: SyscallDefs = {
  inotify_init1: { handler: sys_inotify_init1, level: 'full', note: '/proc/<pid>/fdinfo lists no watches.' },
  inotify_add_watch: {
    handler: sys_inotify_add_watch,
    level: 'full',
    note: 'Not reported: execve opening and reading the program file, IN_UNMOUNT (nothing is unmounted), events '
      + 'of an O_TMPFILE file to its directory. IN_DELETE_SELF of a removed directory does not wait until it is '
      + 'no longer some process\'s cwd.',
  },
  inotify_rm_watch: { handler: sys_inotify_rm_watch, level: 'full' },
};
