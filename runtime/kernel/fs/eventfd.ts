// eventfd (fs/eventfd.c): a 64-bit counter readable and writable as 8-byte values.
import { EAGAIN, EINVAL } from '../../abi/errno.js';
import { O_CLOEXEC, O_NONBLOCK, O_RDWR, POLLERR, POLLIN, POLLOUT } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import { WaitQueue } from '../wait.js';
import { anonIno, anonStat } from './anon.js';
import { File } from './file.js';
import type { Stat } from './stat.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';

export const EFD_SEMAPHORE = 1;
const MAX = 0xfffffffffffffffen;

export class EventFd extends File {
  readonly wq = new WaitQueue();
  private readonly ino = anonIno();

  constructor(public count: bigint, flags: number, readonly semaphore: boolean) { super(O_RDWR | flags); }

  override read(_t: Task, dst: Uint8Array, _off: number): number {
    if (dst.length < 8) raise(EINVAL);
    if (this.count === 0n) raise(EAGAIN);
    const v = this.semaphore ? 1n : this.count;
    this.count -= v;
    new DataView(dst.buffer, dst.byteOffset, 8).setBigUint64(0, v, true);
    this.wq.wake();
    return 8;
  }

  override write(_t: Task, src: Uint8Array, _off: number): number {
    if (src.length < 8) raise(EINVAL);
    const v = new DataView(src.buffer, src.byteOffset, 8).getBigUint64(0, true);
    if (v === 0xffffffffffffffffn) raise(EINVAL);
    if (this.count + v > MAX) raise(EAGAIN);
    this.count += v;
    this.wq.wake();
    return 8;
  }

  override poll(): number {
    let ev = 0;
    if (this.count > 0n) ev |= POLLIN;
    if (this.count < MAX) ev |= POLLOUT;
    if (this.count === 0xffffffffffffffffn) ev |= POLLERR;
    return ev;
  }

  override waitQueue(): WaitQueue { return this.wq; }
  override stat(): Stat { return anonStat(this.ino); }
}

function sys_eventfd2(t: Task, initval: number, flags: number): number {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE)) raise(EINVAL);
  const f = new EventFd(BigInt(initval >>> 0), flags & O_NONBLOCK, (flags & EFD_SEMAPHORE) !== 0);
  return t.files.install(f, (flags & O_CLOEXEC) !== 0);
}

export const eventfdSyscalls: SyscallDefs = {
  eventfd2: { handler: sys_eventfd2, level: 'full' },
};
