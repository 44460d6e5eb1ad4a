// A terminal (struct tty_struct, drivers/tty/tty_io.c and tty_ioctl.c): its termios, window size,
// foreground process group and session, the line discipline (n_tty.ts), and the ioctls of termios(3),
// tty_ioctl(4) and pty(7). wasmux terminals are the slave ends of ptys (pty.ts); the master side has no
// termios of its own, so master ioctls act on the slave, as Linux's tty_pair_get_tty does.
import { EINVAL, EIO, ENOTTY, EPERM, ESRCH } from '../../../abi/errno.js';
import { NSIG, SIGCONT, SIGHUP, SIGWINCH, SIGTTOU, SI_KERNEL } from '../../../abi/signal.js';
import {
  FIONREAD, ICANON, TCFLSH, TCGETS, TCIFLUSH, TCIOFF, TCIOFLUSH, TCION, TCOFLUSH, TCOOFF, TCOON, TCSBRK,
  TCSBRKP, TCSETS, TCSETSF, TCSETSW, TCXONC, TIOCEXCL, TIOCGETD, TIOCGPGRP, TIOCGSID, TIOCGWINSZ,
  TIOCNOTTY, TIOCNXCL, TIOCOUTQ, TIOCSCTTY, TIOCSETD, TIOCSPGRP, TIOCSWINSZ, VSTART, VSTOP,
} from '../../../abi/termios.js';
import { isErrno, raise } from '../../errors.js';
import { TaskState, type Task } from '../../proc/task.js';
import type { Kernel } from '../../kernel.js';
import { WaitQueue } from '../../wait.js';
import { NTty, type LdiscPort } from './n_tty.js';
import { Termios, readWinsize, writeWinsize, type Winsize } from './termios.js';
import { disassociateCtty, setCtty, ttyCheckChange } from './tty_jobctrl.js';

/** The side of the terminal a file refers to. */
export interface TtyDriver {
  /** Bytes the slave sends towards the master (written data after OPOST, echoes). */
  output(bytes: number[]): void;
  /** Room for output before slave writers wait. */
  outputRoom(): number;
  /** Pending output not yet read by the master (TCOFLUSH discards it). */
  flushOutput(): void;
  /** The number of bytes the master has not read (master FIONREAD). */
  outputPending(): number;
  /** The first slave file was opened / the last one closed. */
  slaveOpened(): void;
  slaveClosed(): void;
}

export class Tty implements LdiscPort {
  readonly termios = new Termios();
  winsize: Winsize = { row: 0, col: 0, xpixel: 0, ypixel: 0 };
  /** Foreground process group and session (0: none). */
  pgrp = 0;
  session = 0;
  /** Output stopped by VSTOP or TCOOFF. */
  stopped = false;
  /** The master went away: reads give EOF, writes and ioctls EIO. */
  hungUp = false;
  /** Open file descriptions of this terminal (pts and /dev/tty). */
  opens = 0;
  readonly ldisc: NTty;
  /** Woken on input, output room, hangup and termios changes (slave readers, writers, pollers). */
  readonly wq = new WaitQueue();

  constructor(readonly kernel: Kernel, readonly index: number, readonly driver: TtyDriver) {
    this.ldisc = new NTty(this);
  }

  get name(): string { return `/dev/pts/${this.index}`; }

  emit(bytes: number[]): void { if (bytes.length) this.driver.output(bytes); }
  signalForeground(sig: number): void { if (this.pgrp) this.kernel.signals.sendGroup(this.pgrp, sig, { signo: sig, code: SI_KERNEL }); }
  wakeReaders(): void { this.wq.wake(); }
  wakeWriters(): void { this.wq.wake(); }
  now(): number { return this.kernel.now(); }

  /** The master closed (tty_vhangup): every process of the session loses it; the leader gets SIGHUP. */
  hangup(): void {
    if (this.hungUp) return;
    this.hungUp = true;
    const k = this.kernel;
    if (this.session) {
      for (const p of [...k.tasks.values()]) {
        if (p.ctty === this) p.ctty = null;
        if (p.sid === this.session && p.pid === p.sid && p.state !== TaskState.Zombie) {
          k.signals.send(p, SIGHUP, { signo: SIGHUP, code: SI_KERNEL });
          k.signals.send(p, SIGCONT, { signo: SIGCONT, code: SI_KERNEL });
          p.ttyOldPgrp = this.pgrp;
        }
      }
    }
    this.session = 0;
    this.pgrp = 0;
    this.wq.wake();
  }

  /** tiocswinsz: SIGWINCH to the foreground group when the size changes. */
  setWinsize(w: Winsize): void {
    const o = this.winsize;
    if (o.row === w.row && o.col === w.col && o.xpixel === w.xpixel && o.ypixel === w.ypixel) return;
    this.winsize = { ...w };
    if (this.pgrp) this.kernel.signals.sendGroup(this.pgrp, SIGWINCH, { signo: SIGWINCH, code: SI_KERNEL });
  }

  setTermios(n: Termios): void {
    const oldL = this.termios.lflag;
    this.termios.copyFrom(n);
    this.ldisc.setTermios(oldL);
    this.wq.wake();
  }

  private flush(arg: number, fromMaster: boolean): void {
    let input = arg === TCIFLUSH || arg === TCIOFLUSH, output = arg === TCOFLUSH || arg === TCIOFLUSH;
    if (arg !== TCIFLUSH && arg !== TCOFLUSH && arg !== TCIOFLUSH) raise(EINVAL);
    if (fromMaster) [input, output] = [output, input];
    if (input) this.ldisc.flushInput();
    if (output) { this.driver.flushOutput(); this.wq.wake(); }
  }

  /** Start output again (VSTART, TCOON). */
  start(): void { if (this.stopped) { this.stopped = false; this.wq.wake(); } }

  /**
   * tty_ioctl for a file of this terminal; `fromMaster` when it came through the master. Raises ENOTTY
   * for requests that are not terminal requests.
   */
  ioctl(t: Task, req: number, arg: number, fromMaster: boolean, readable: boolean): number {
    const m = t.mem;
    if (this.hungUp && !fromMaster) return raise(req === TIOCSPGRP ? ENOTTY : EIO);
    switch (req) {
      case TCGETS: this.termios.write(m, arg); return 0;
      case TCSETS: case TCSETSW: case TCSETSF: {
        const n = Termios.read(m, arg);
        ttyCheckChange(t, this, SIGTTOU);
        if (req === TCSETSF) this.ldisc.flushInput();
        this.setTermios(n);
        return 0;
      }
      case TIOCGWINSZ: writeWinsize(m, arg, this.winsize); return 0;
      case TIOCSWINSZ: this.setWinsize(readWinsize(m, arg)); return 0;
      case FIONREAD: m.setI32(arg, fromMaster ? this.driver.outputPending() : this.ldisc.available); return 0;
      case TIOCOUTQ: m.setI32(arg, 0); return 0; // as Linux ptys: output is handed over at once
      case TCFLSH: ttyCheckChange(t, this, SIGTTOU); this.flush(arg, fromMaster); return 0;
      case TCXONC:
        ttyCheckChange(t, this, SIGTTOU);
        switch (arg) {
          case TCOOFF: this.stopped = true; return 0;
          case TCOON: this.start(); return 0;
          case TCIOFF: if (this.termios.cc[VSTOP]) this.emit([this.termios.cc[VSTOP]!]); return 0;
          case TCION: if (this.termios.cc[VSTART]) this.emit([this.termios.cc[VSTART]!]); return 0;
          default: return raise(EINVAL);
        }
      case TCSBRK: case TCSBRKP: ttyCheckChange(t, this, SIGTTOU); return 0;
      case TIOCGETD: m.setI32(arg, 0); return 0;
      case TIOCSETD: if (m.i32(arg) !== 0) raise(EINVAL); return 0;
      case TIOCEXCL: case TIOCNXCL: return 0;
      case TIOCSCTTY: return this.tiocsctty(t, arg, readable);
      case TIOCNOTTY:
        if (fromMaster || t.ctty !== this) raise(ENOTTY);
        if (t.pid === t.sid) disassociateCtty(t, false);
        else t.ctty = null;
        return 0;
      case TIOCGPGRP:
        if (!fromMaster && t.ctty !== this) raise(ENOTTY);
        m.setI32(arg, this.pgrp);
        return 0;
      case TIOCSPGRP: return this.tiocspgrp(t, arg);
      case TIOCGSID:
        if (!fromMaster && t.ctty !== this) raise(ENOTTY);
        if (!this.session) raise(ENOTTY);
        m.setI32(arg, this.session);
        return 0;
      default: return raise(ENOTTY);
    }
  }

  private tiocsctty(t: Task, arg: number, readable: boolean): number {
    if (t.pid === t.sid && t.ctty === this) return 0;
    if (t.pid !== t.sid || t.ctty) raise(EPERM);
    if (this.session) {
      // Stealing another session's terminal: root with arg 1 only.
      if (arg !== 1 || t.cred.euid !== 0) raise(EPERM);
      for (const p of this.kernel.tasks.values()) if (p.ctty === this) p.ctty = null;
    }
    if (!readable && t.cred.euid !== 0) raise(EPERM);
    setCtty(t, this);
    return 0;
  }

  private tiocspgrp(t: Task, arg: number): number {
    try { ttyCheckChange(t, this, SIGTTOU); } catch (e) {
      if (isErrno(e) && e.errno === EIO) raise(ENOTTY);
      throw e;
    }
    if (t.ctty !== this || this.session !== t.sid) raise(ENOTTY);
    const pgrp = t.mem.i32(arg);
    if (pgrp < 0) raise(EINVAL);
    let found: Task | null = null;
    for (const p of this.kernel.tasks.values()) if (p.pgid === pgrp && p.state !== TaskState.Zombie) { found = p; break; }
    if (!found) raise(ESRCH);
    if (found.sid !== t.sid) raise(EPERM);
    this.pgrp = pgrp;
    return 0;
  }

  /** Canonical mode (for the readers' readiness test). */
  get icanon(): boolean { return (this.termios.lflag & ICANON) !== 0; }
}

/** TIOCSIG from the master: a signal to the slave's foreground group. */
export function tiocsig(tty: Tty, sig: number): number {
  if (sig <= 0 || sig > NSIG) raise(EINVAL);
  tty.signalForeground(sig);
  return 0;
}
