// File descriptions of a terminal (drivers/tty/tty_io.c tty_read/tty_write/tty_poll/tty_open): the pty
// slave /dev/pts/N and /dev/tty, which opens the caller's controlling terminal. Reads follow the line
// discipline's modes (canonical lines; VMIN/VTIME in raw mode) after the job-control check; writes go
// through output processing to the master.
import { EAGAIN, EIO, ENXIO, ESPIPE } from '../../../abi/errno.js';
import { O_NOCTTY, O_NONBLOCK, POLLERR, POLLHUP, POLLIN, POLLOUT } from '../../../abi/fcntl.js';
import { SIGTTIN, SIGTTOU } from '../../../abi/signal.js';
import { TOSTOP, VMIN, VTIME } from '../../../abi/termios.js';
import { BLOCK, raise } from '../../errors.js';
import { File } from '../../fs/file.js';
import type { SpecialInode } from '../../fs/inode.js';
import type { Stat } from '../../fs/stat.js';
import type { Task } from '../../proc/task.js';
import type { WaitQueue } from '../../wait.js';
import type { Tty } from './tty.js';
import { setCtty, ttyCheckChange } from './tty_jobctrl.js';

interface WriteProgress { done: number }

export class TtyFile extends File {
  constructor(readonly tty: Tty, readonly inode: SpecialInode, flags: number) {
    super(flags);
    this.node = inode;
    if (tty.opens++ === 0) tty.driver.slaveOpened();
  }

  /** The pts open of tty_open_proc_set_tty: a session leader without a terminal acquires this one. */
  static open(t: Task, tty: Tty, inode: SpecialInode, flags: number, rawFlags: number): TtyFile {
    if (tty.hungUp) raise(EIO);
    const f = new TtyFile(tty, inode, flags);
    if (!(rawFlags & O_NOCTTY) && t.pid === t.sid && !t.ctty && !tty.session && f.readable) setCtty(t, tty);
    return f;
  }

  override read(t: Task, dst: Uint8Array): number {
    const tty = this.tty;
    if (tty.hungUp) return 0;
    ttyCheckChange(t, tty, SIGTTIN);
    if (dst.length === 0) return 0;
    const ld = tty.ldisc;
    if (tty.icanon) return ld.readable ? ld.read(dst) : this.wait(t);
    const min = tty.termios.cc[VMIN]!, time = tty.termios.cc[VTIME]!;
    const avail = ld.count;
    if (min === 0) {
      if (avail > 0 || time === 0) return ld.read(dst);
      // VTIME alone: wait that long for the first byte.
      let st = t.sysState as { deadline: number } | undefined;
      if (!st) { st = { deadline: t.kernel.now() + time * 100 }; t.sysState = st; }
      if (t.kernel.now() >= st.deadline) return 0;
      return this.wait(t, st.deadline);
    }
    if (avail >= Math.min(min, dst.length)) return ld.read(dst);
    if (time > 0 && avail > 0) {
      // Inter-byte timer: return what came once VTIME passes without another byte.
      const deadline = ld.lastInput + time * 100;
      if (t.kernel.now() >= deadline) return ld.read(dst);
      return this.wait(t, deadline);
    }
    return this.wait(t);
  }

  private wait(t: Task, deadline?: number): never {
    if (this.flags & O_NONBLOCK) raise(EAGAIN);
    t.sleepOn(this.tty.wq);
    if (deadline !== undefined) t.sleepUntil(deadline);
    throw BLOCK;
  }

  override write(t: Task, src: Uint8Array): number {
    const tty = this.tty;
    if (tty.hungUp) raise(EIO);
    if (tty.termios.lflag & TOSTOP) ttyCheckChange(t, tty, SIGTTOU);
    const prog = (t.sysState as WriteProgress | undefined) ?? { done: 0 };
    while (prog.done < src.length) {
      const room = tty.stopped ? 0 : tty.driver.outputRoom();
      if (room <= 0) {
        if (this.flags & O_NONBLOCK) { if (prog.done > 0) return prog.done; raise(EAGAIN); }
        t.sysState = prog;
        t.onInterrupt = prog.done > 0 ? () => prog.done : null;
        t.sleepOn(tty.wq);
        throw BLOCK;
      }
      const n = Math.min(room, src.length - prog.done);
      tty.emit(tty.ldisc.process(src.subarray(prog.done, prog.done + n)));
      prog.done += n;
    }
    return prog.done;
  }

  override ioctl(t: Task, req: number, arg: number): number {
    return this.tty.ioctl(t, req >>> 0, arg, false, this.readable);
  }

  override poll(): number {
    const tty = this.tty;
    if (tty.hungUp) return POLLIN | POLLOUT | POLLERR | POLLHUP;
    let ev = 0;
    const ld = tty.ldisc;
    if (tty.icanon) { if (ld.readable) ev |= POLLIN; }
    else {
      const min = tty.termios.cc[VMIN]!, time = tty.termios.cc[VTIME]!;
      if (ld.count >= (time === 0 && min > 0 ? min : 1)) ev |= POLLIN;
    }
    if (!tty.stopped && tty.driver.outputRoom() > 0) ev |= POLLOUT;
    return ev;
  }

  override waitQueue(): WaitQueue { return this.tty.wq; }
  override stat(): Stat { return this.inode.stat(); }
  override lseek(): number { return raise(ESPIPE); }

  override release(): void {
    if (--this.tty.opens === 0) this.tty.driver.slaveClosed();
  }
}

/** Open /dev/tty: the caller's controlling terminal (ENXIO without one). */
export function openDevTty(t: Task, inode: SpecialInode, flags: number): TtyFile {
  const tty = t.ctty;
  if (!tty || tty.hungUp) raise(ENXIO);
  return new TtyFile(tty, inode, flags);
}
