// signalfd (fs/signalfd.c): pending signals of a mask read as 128-byte signalfd_siginfo records. The
// signals are taken from the reading task's pending set; the caller normally blocks them first. Reads and
// polls wake when a signal of the mask becomes pending (Signals.send wakes Task.signalWq).
import { EAGAIN, EINVAL } from '../../abi/errno.js';
import { O_CLOEXEC, O_NONBLOCK, O_RDONLY, POLLIN } from '../../abi/fcntl.js';
import { raise } from '../errors.js';
import { anonIno, anonStat } from '../fs/anon.js';
import { File } from '../fs/file.js';
import type { Stat } from '../fs/stat.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';
import type { WaitQueue } from '../wait.js';
import { UNBLOCKABLE, bit } from './signal.js';

const SSI_SIZE = 128;

export class SignalFd extends File {
  private readonly ino = anonIno();
  constructor(readonly owner: Task, public mask: bigint, flags: number) { super(O_RDONLY | flags); }

  override read(t: Task, dst: Uint8Array, _off: number): number {
    if (dst.length < SSI_SIZE) raise(EINVAL);
    let n = 0;
    const dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
    while (n + SSI_SIZE <= dst.length) {
      const ready = t.sig.pending & this.mask;
      if (ready === 0n) break;
      let sig = 1;
      while (!(ready & bit(sig))) sig++;
      const i = t.sig.dequeue(sig);
      dst.fill(0, n, n + SSI_SIZE);
      dv.setUint32(n, sig, true);
      dv.setInt32(n + 4, i.errno ?? 0, true);
      dv.setInt32(n + 8, i.code, true);
      dv.setUint32(n + 12, i.pid ?? 0, true);
      dv.setUint32(n + 16, i.uid ?? 0, true);
      if (i.status !== undefined) dv.setInt32(n + 40, i.status, true);
      if (i.value !== undefined) dv.setInt32(n + 44, i.value, true);
      n += SSI_SIZE;
    }
    if (n === 0) raise(EAGAIN);
    t.kernel.signals.recalc(t);
    return n;
  }

  override poll(): number { return (this.owner.sig.pending & this.mask) !== 0n ? POLLIN : 0; }
  override waitQueue(): WaitQueue { return this.owner.signalWq; }
  override stat(): Stat { return anonStat(this.ino); }
}

function sys_signalfd4(t: Task, fd: number, mask: number, size: number, flags: number): number {
  if (size !== 8) raise(EINVAL);
  if (flags & ~(O_CLOEXEC | O_NONBLOCK)) raise(EINVAL);
  const m = t.mem.u64big(mask) & ~UNBLOCKABLE;
  if (fd !== -1) {
    const f = t.files.get(fd);
    if (!(f instanceof SignalFd)) raise(EINVAL);
    f.mask = m;
    return fd;
  }
  return t.files.install(new SignalFd(t, m, flags & O_NONBLOCK), (flags & O_CLOEXEC) !== 0);
}

export const signalfdSyscalls: SyscallDefs = {
  signalfd4: { handler: sys_signalfd4, level: 'full', note: 'Reads the reading task\'s pending signals; shared-pending (thread group) is the same set here.' },
};
