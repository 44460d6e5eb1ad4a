// Terminal constants: struct termios and struct winsize layouts for wasm32, termios flags and c_cc indices
// (include/uapi/asm-generic/termbits.h, our musl's bits/termios.h), tty ioctl numbers (asm-generic/ioctls.h).
// Pure data.

/** struct termios on wasm32 (musl layout, 60 bytes): four u32 flag words, c_line, c_cc[32], speeds. */
export const TERMIOS = { iflag: 0, oflag: 4, cflag: 8, lflag: 12, line: 16, cc: 17, ispeed: 52, ospeed: 56, size: 60 } as const;
export const NCCS = 32;
/** struct winsize: ws_row, ws_col, ws_xpixel, ws_ypixel (u16 each). */
export const WINSIZE_SIZE = 8;

// c_cc indices
export const VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSWTC = 7, VSTART = 8,
  VSTOP = 9, VSUSP = 10, VEOL = 11, VREPRINT = 12, VDISCARD = 13, VWERASE = 14, VLNEXT = 15, VEOL2 = 16;

// c_iflag
export const IGNBRK = 0o1, BRKINT = 0o2, IGNPAR = 0o4, PARMRK = 0o10, INPCK = 0o20, ISTRIP = 0o40, INLCR = 0o100,
  IGNCR = 0o200, ICRNL = 0o400, IUCLC = 0o1000, IXON = 0o2000, IXANY = 0o4000, IXOFF = 0o10000,
  IMAXBEL = 0o20000, IUTF8 = 0o40000;
// c_oflag
export const OPOST = 0o1, OLCUC = 0o2, ONLCR = 0o4, OCRNL = 0o10, ONOCR = 0o20, ONLRET = 0o40, OFILL = 0o100,
  OFDEL = 0o200, TABDLY = 0o14000, XTABS = 0o14000;
// c_cflag
export const CBAUD = 0o10017, B38400 = 0o17, CSIZE = 0o60, CS8 = 0o60, CSTOPB = 0o100, CREAD = 0o200,
  PARENB = 0o400, HUPCL = 0o2000, CLOCAL = 0o4000;
// c_lflag
export const ISIG = 0o1, ICANON = 0o2, XCASE = 0o4, ECHO = 0o10, ECHOE = 0o20, ECHOK = 0o40, ECHONL = 0o100,
  NOFLSH = 0o200, TOSTOP = 0o400, ECHOCTL = 0o1000, ECHOPRT = 0o2000, ECHOKE = 0o4000, FLUSHO = 0o10000,
  PENDIN = 0o40000, IEXTEN = 0o100000, EXTPROC = 0o200000;

// tcflow / tcflush arguments
export const TCOOFF = 0, TCOON = 1, TCIOFF = 2, TCION = 3;
export const TCIFLUSH = 0, TCOFLUSH = 1, TCIOFLUSH = 2;

// ioctls
export const TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TCSBRK = 0x5409,
  TCXONC = 0x540a, TCFLSH = 0x540b, TIOCEXCL = 0x540c, TIOCNXCL = 0x540d, TIOCSCTTY = 0x540e,
  TIOCGPGRP = 0x540f, TIOCSPGRP = 0x5410, TIOCOUTQ = 0x5411, TIOCSTI = 0x5412, TIOCGWINSZ = 0x5413,
  TIOCSWINSZ = 0x5414, FIONREAD = 0x541b, TIOCNOTTY = 0x5422, TIOCSETD = 0x5423, TIOCGETD = 0x5424,
  TCSBRKP = 0x5425, TIOCGSID = 0x5429, TIOCGPTN = 0x80045430, TIOCSPTLCK = 0x40045431,
  TIOCSIG = 0x40045436, TIOCGPTLCK = 0x80045439, TIOCGPTPEER = 0x5441;

/** Linux tty_std_termios as a pty slave starts (drivers/tty/pty.c: CS8|CREAD, no HUPCL). */
export function stdTermios(): { iflag: number; oflag: number; cflag: number; lflag: number; line: number; cc: Uint8Array; ispeed: number; ospeed: number } {
  const cc = new Uint8Array(NCCS);
  cc[VINTR] = 0o3; cc[VQUIT] = 0o34; cc[VERASE] = 0o177; cc[VKILL] = 0o25; cc[VEOF] = 0o4; cc[VTIME] = 0;
  cc[VMIN] = 1; cc[VSTART] = 0o21; cc[VSTOP] = 0o23; cc[VSUSP] = 0o32; cc[VREPRINT] = 0o22;
  cc[VDISCARD] = 0o17; cc[VWERASE] = 0o27; cc[VLNEXT] = 0o26;
  return {
    iflag: ICRNL | IXON, oflag: OPOST | ONLCR, cflag: B38400 | CS8 | CREAD,
    lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN, line: 0, cc, ispeed: 38400, ospeed: 38400,
  };
}
