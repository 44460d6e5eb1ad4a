// struct termios and struct winsize as the kernel keeps them (struct ktermios, drivers/tty/tty_ioctl.c
// copy_termios), and their copy in and out of process memory. Layouts: runtime/abi/termios.ts.
import { NCCS, TERMIOS, stdTermios } from '../../../abi/termios.js';
import type { UserMemory } from '../../mm/uaccess.js';

export class Termios {
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  line: number;
  cc: Uint8Array;
  ispeed: number;
  ospeed: number;

  constructor() {
    const s = stdTermios();
    this.iflag = s.iflag; this.oflag = s.oflag; this.cflag = s.cflag; this.lflag = s.lflag;
    this.line = s.line; this.cc = s.cc; this.ispeed = s.ispeed; this.ospeed = s.ospeed;
  }

  copyFrom(o: Termios): void {
    this.iflag = o.iflag; this.oflag = o.oflag; this.cflag = o.cflag; this.lflag = o.lflag;
    this.line = o.line; this.cc = o.cc.slice(); this.ispeed = o.ispeed; this.ospeed = o.ospeed;
  }

  static read(m: UserMemory, addr: number): Termios {
    const t = new Termios();
    m.check(addr, TERMIOS.size);
    t.iflag = m.u32(addr + TERMIOS.iflag);
    t.oflag = m.u32(addr + TERMIOS.oflag);
    t.cflag = m.u32(addr + TERMIOS.cflag);
    t.lflag = m.u32(addr + TERMIOS.lflag);
    t.line = m.view(addr + TERMIOS.line, 1)[0]!;
    t.cc = m.view(addr + TERMIOS.cc, NCCS).slice();
    // The speeds live in c_cflag (CBAUD) as musl's cfsetospeed sets them; the numeric fields follow.
    t.ispeed = t.ospeed = 38400;
    return t;
  }

  write(m: UserMemory, addr: number): void {
    m.check(addr, TERMIOS.size);
    m.zero(addr, TERMIOS.size);
    m.setU32(addr + TERMIOS.iflag, this.iflag);
    m.setU32(addr + TERMIOS.oflag, this.oflag);
    m.setU32(addr + TERMIOS.cflag, this.cflag);
    m.setU32(addr + TERMIOS.lflag, this.lflag);
    const b = m.view(addr + TERMIOS.line, 1 + NCCS);
    b[0] = this.line;
    b.set(this.cc, 1);
    m.setU32(addr + TERMIOS.ispeed, this.ispeed);
    m.setU32(addr + TERMIOS.ospeed, this.ospeed);
  }
}

export interface Winsize { row: number; col: number; xpixel: number; ypixel: number; }

export function readWinsize(m: UserMemory, addr: number): Winsize {
  m.check(addr, 8);
  return { row: m.u16(addr), col: m.u16(addr + 2), xpixel: m.u16(addr + 4), ypixel: m.u16(addr + 6) };
}

export function writeWinsize(m: UserMemory, addr: number, w: Winsize): void {
  m.check(addr, 8);
  m.setU16(addr, w.row); m.setU16(addr + 2, w.col); m.setU16(addr + 4, w.xpixel); m.setU16(addr + 6, w.ypixel);
}
