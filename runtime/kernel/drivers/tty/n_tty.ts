// The line discipline (drivers/tty/n_tty.c): input processing of the bytes typed at a terminal (ICRNL,
// INLCR, IGNCR, ISTRIP, IXON), signal characters (ISIG), canonical line editing (VERASE, VKILL, VWERASE,
// VLNEXT, VREPRINT, VEOF, VEOL), echo and its variants (ECHOE, ECHOK, ECHOKE, ECHOCTL, ECHONL, ECHOPRT),
// output processing (OPOST, ONLCR, OCRNL, ONOCR, ONLRET, OLCUC, XTABS) and the read side (canonical
// lines, VMIN/VTIME). See termios(3). The tty it serves (tty.ts) owns the termios and sends the output on.
import {
  ECHO, ECHOCTL, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOPRT, ICANON, ICRNL, IEXTEN, IGNCR, INLCR, ISIG, ISTRIP,
  IUCLC, IUTF8, IXANY, IXON, NOFLSH, OCRNL, OLCUC, ONLCR, ONLRET, ONOCR, OPOST, TABDLY, XTABS, VEOF, VEOL,
  VEOL2, VERASE, VINTR, VKILL, VLNEXT, VQUIT, VREPRINT, VSTART, VSTOP, VSUSP, VWERASE,
} from '../../../abi/termios.js';
import { SIGINT, SIGQUIT, SIGTSTP } from '../../../abi/signal.js';
import type { Termios } from './termios.js';

/** Flags stored above the byte in each input buffer element. */
const END = 0x100; // terminates a canonical line
const EOFM = 0x200; // the line ends with VEOF: the marker itself is not read
/** N_TTY_BUF_SIZE */
export const N_TTY_BUF_SIZE = 4096;

/** What the line discipline needs from its tty. */
export interface LdiscPort {
  readonly termios: Termios;
  /** Send processed output bytes (echoes, written data) towards the terminal. */
  emit(bytes: number[]): void;
  /** Signal the foreground process group (ISIG characters). */
  signalForeground(sig: number): void;
  /** Output stopped by VSTOP / TCOOFF. */
  stopped: boolean;
  /** Input became readable, or buffer space was freed: wake readers and writers. */
  wakeReaders(): void;
  /** Output was restarted (VSTART). */
  wakeWriters(): void;
  now(): number;
}

const iscntrl = (c: number): boolean => c < 32 || c === 127;
const isContinuation = (c: number, t: Termios): boolean => (t.iflag & IUTF8) !== 0 && (c & 0xc0) === 0x80;
const isalnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

export class NTty {
  /** Input bytes with END/EOFM flags. */
  private buf: number[] = [];
  /** Canonical mode: number of elements that belong to complete lines (readable). */
  private canon = 0;
  private lnext = false;
  private erasing = false;
  /** Output column (for tabs and erasing) and the column where the current input line started. */
  column = 0;
  private canonColumn = 0;
  private echoes: number[] = [];
  /** When the last input byte arrived (VTIME inter-byte timer). */
  lastInput = 0;

  constructor(private readonly tty: LdiscPort) {}

  private get t(): Termios { return this.tty.termios; }
  private lflag(f: number): boolean { return (this.t.lflag & f) !== 0; }
  private iflag(f: number): boolean { return (this.t.iflag & f) !== 0; }
  /** Is `c` the (enabled: non-zero) special character at index `i`? */
  private is(c: number, i: number): boolean { const v = this.t.cc[i]!; return v !== 0 && v === c; }

  // ---- input ----

  /** Bytes readable now (FIONREAD): complete lines in canonical mode, EOF markers excluded. */
  get available(): number {
    if (!this.lflag(ICANON)) return this.buf.length;
    let n = 0;
    for (let i = 0; i < this.canon; i++) if (!(this.buf[i]! & EOFM)) n++;
    return n;
  }
  /** Something for read() to return (data or an EOF marker). */
  get readable(): boolean { return this.lflag(ICANON) ? this.canon > 0 : this.buf.length > 0; }
  get count(): number { return this.buf.length; }

  /** Room for more input (the master's write blocks when there is none). */
  get room(): number {
    const r = N_TTY_BUF_SIZE - 1 - this.buf.length;
    // Canonical mode with a full buffer and no complete line: accept bytes so that erase, kill and
    // newline still work (ordinary characters are dropped).
    if (r <= 0 && this.lflag(ICANON) && this.canon === 0) return 1;
    return Math.max(0, r);
  }

  /** receive_buf: process typed bytes. Returns how many were taken. */
  receive(src: Uint8Array): number {
    let n = 0;
    for (; n < src.length; n++) {
      if (this.room <= 0) break;
      this.receiveChar(src[n]!);
    }
    this.flushEchoes();
    if (n > 0) this.lastInput = this.tty.now();
    return n;
  }

  private receiveChar(c: number): void {
    if (this.iflag(ISTRIP)) c &= 0x7f;
    if (this.iflag(IUCLC) && this.lflag(IEXTEN) && c >= 65 && c <= 90) c += 32;
    if (this.lnext) { this.lnext = false; this.normalChar(c); return; }
    if (this.iflag(IXON)) {
      if (this.is(c, VSTOP) && !(this.tty.stopped && this.is(c, VSTART))) { this.tty.stopped = true; return; }
      if (this.is(c, VSTART)) { this.start(); return; }
      if (this.tty.stopped && this.iflag(IXANY) && !this.is(c, VINTR) && !this.is(c, VQUIT) && !this.is(c, VSUSP)) this.start();
    }
    if (this.lflag(ISIG)) {
      if (this.is(c, VINTR)) { this.signalChar(SIGINT, c); return; }
      if (this.is(c, VQUIT)) { this.signalChar(SIGQUIT, c); return; }
      if (this.is(c, VSUSP)) { this.signalChar(SIGTSTP, c); return; }
    }
    if (c === 13) {
      if (this.iflag(IGNCR)) return;
      if (this.iflag(ICRNL)) c = 10;
    } else if (c === 10 && this.iflag(INLCR)) c = 13;
    if (this.lflag(ICANON)) {
      if (this.is(c, VERASE) || this.is(c, VKILL) || (this.is(c, VWERASE) && this.lflag(IEXTEN))) { this.eraser(c); return; }
      if (this.is(c, VLNEXT) && this.lflag(IEXTEN)) {
        this.lnext = true;
        if (this.lflag(ECHO)) { this.finishErasing(); if (this.lflag(ECHOCTL)) this.echoes.push(94, 8); }
        return;
      }
      if (this.is(c, VREPRINT) && this.lflag(ECHO) && this.lflag(IEXTEN)) { this.reprint(c); return; }
      if (c === 10) {
        if (this.lflag(ECHO) || this.lflag(ECHONL)) { this.finishErasing(); this.echoes.push(10); }
        this.endLine(10);
        return;
      }
      if (this.is(c, VEOF)) { this.endLine(EOFM); return; }
      if (this.is(c, VEOL) || (this.is(c, VEOL2) && this.lflag(IEXTEN))) {
        if (this.lflag(ECHO)) { this.finishErasing(); this.setCanonColumn(); this.echoChar(c); }
        this.endLine(c);
        return;
      }
    }
    this.normalChar(c);
  }

  private normalChar(c: number): void {
    if (this.lflag(ECHO)) {
      this.finishErasing();
      if (c === 10) this.echoes.push(10);
      else { this.setCanonColumn(); this.echoChar(c); }
    }
    this.put(c);
  }

  private put(v: number): void {
    // Keep the last slot for a line end in canonical mode; drop ordinary characters when full.
    if (this.buf.length >= N_TTY_BUF_SIZE - 1 && !(v & (END | EOFM))) return;
    this.buf.push(v);
    if (!this.lflag(ICANON)) this.tty.wakeReaders();
  }

  private endLine(c: number): void {
    this.buf.push(c | END);
    this.canon = this.buf.length;
    this.tty.wakeReaders();
  }

  private start(): void {
    if (!this.tty.stopped) return;
    this.tty.stopped = false;
    this.tty.wakeWriters();
  }

  private signalChar(sig: number, c: number): void {
    if (!this.lflag(NOFLSH)) this.flushInput();
    this.tty.signalForeground(sig);
    if (this.iflag(IXON)) this.start();
    if (this.lflag(ECHO)) { this.finishErasing(); this.echoChar(c); }
  }

  /** At the start of a canonical line, remember the column (for erasing tabs). */
  private setCanonColumn(): void { if (this.buf.length === this.canon) this.canonColumn = this.column; }

  private echoChar(c: number): void {
    if (this.lflag(ECHOCTL) && iscntrl(c) && c !== 9) this.echoes.push(94, c ^ 0o100);
    else this.echoes.push(c);
  }

  private finishErasing(): void {
    if (this.erasing) { this.echoes.push(47); this.erasing = false; }
  }

  private reprint(c: number): void {
    this.finishErasing();
    this.echoChar(c);
    this.echoes.push(10);
    this.flushEchoes();
    this.canonColumn = this.column;
    for (let i = this.canon; i < this.buf.length; i++) this.echoChar(this.buf[i]! & 0xff);
  }

  /** VERASE, VWERASE, VKILL (n_tty.c eraser). */
  private eraser(c: number): void {
    const t = this.t;
    if (this.buf.length === this.canon) return;
    const kind = this.is(c, VERASE) ? 'erase' : this.is(c, VWERASE) ? 'werase' : 'kill';
    if (kind === 'kill') {
      if (!this.lflag(ECHO)) { this.buf.length = this.canon; return; }
      if (!this.lflag(ECHOK) || !this.lflag(ECHOKE) || !this.lflag(ECHOE)) {
        this.buf.length = this.canon;
        this.finishErasing();
        this.echoChar(c);
        if (this.lflag(ECHOK)) this.echoes.push(10);
        return;
      }
    }
    let seenAlnums = 0;
    while (this.buf.length > this.canon) {
      let head = this.buf.length;
      let ch: number;
      do { head--; ch = this.buf[head]! & 0xff; } while (isContinuation(ch, t) && head > this.canon);
      if (isContinuation(ch, t)) break; // only continuation bytes left: leave them
      if (kind === 'werase') {
        if (isalnum(ch) || ch === 95) seenAlnums++;
        else if (seenAlnums) break;
      }
      const removed = this.buf.splice(head);
      if (this.lflag(ECHO)) {
        if (this.lflag(ECHOPRT)) {
          if (!this.erasing) { this.echoes.push(92); this.erasing = true; }
          for (const v of removed) this.echoChar(v & 0xff);
        } else if (kind === 'erase' && !this.lflag(ECHOE)) {
          this.echoChar(t.cc[VERASE]!);
        } else if (ch === 9) {
          this.eraseTab();
        } else {
          if (iscntrl(ch) && this.lflag(ECHOCTL)) this.echoes.push(8, 32, 8);
          if (!iscntrl(ch) || this.lflag(ECHOCTL)) this.echoes.push(8, 32, 8);
        }
      }
      if (kind === 'erase') break;
    }
    if (this.buf.length === this.canon && this.lflag(ECHO)) this.finishErasing();
  }

  /** Back up over an erased tab: the columns it took depend on what precedes it on the line. */
  private eraseTab(): void {
    this.flushEchoes();
    let col = 0, afterTab = false;
    for (let i = this.buf.length - 1; i >= this.canon; i--) {
      const ch = this.buf[i]! & 0xff;
      if (ch === 9) { afterTab = true; break; }
      if (iscntrl(ch)) { if (this.lflag(ECHOCTL)) col += 2; }
      else if (!isContinuation(ch, this.t)) col++;
    }
    if (!afterTab) col += this.canonColumn;
    let bs = 8 - (col & 7);
    if (bs > this.column) bs = this.column;
    while (bs-- > 0) this.echoes.push(8);
  }

  private flushEchoes(): void {
    if (this.echoes.length === 0) return;
    const e = this.echoes;
    this.echoes = [];
    this.tty.emit(this.process(e));
  }

  /** Discard pending input (TCIFLUSH, signal characters without NOFLSH). */
  flushInput(): void {
    this.buf.length = 0;
    this.canon = 0;
    this.lnext = false;
    this.tty.wakeWriters();
  }

  /** The termios changed (n_tty_set_termios): switching ICANON reinterprets the buffered input. */
  setTermios(oldLflag: number): void {
    if (((oldLflag ^ this.t.lflag) & ICANON) === 0) return;
    if (!this.lflag(ICANON)) {
      // Raw now: everything is readable; EOF markers have no meaning any more.
      this.buf = this.buf.filter((v) => !(v & EOFM)).map((v) => v & 0xff);
      this.canon = 0;
    } else if (this.buf.length > 0) {
      // Canonical now: what was typed forms one line (Linux pushes it).
      this.buf[this.buf.length - 1]! |= END;
      this.canon = this.buf.length;
    } else {
      this.canon = 0;
    }
    this.erasing = false;
    this.lnext = false;
    this.tty.wakeReaders();
  }

  /**
   * Copy input to `dst`. Canonical mode: at most one line (the EOF marker is consumed but not copied: a
   * read of 0 is end of file). Raw mode: what is there. The caller checked `readable`.
   */
  read(dst: Uint8Array): number {
    let n = 0, i = 0;
    if (this.lflag(ICANON)) {
      while (i < this.canon && n < dst.length) {
        const v = this.buf[i++]!;
        if (v & EOFM) break;
        dst[n++] = v & 0xff;
        if (v & END) break;
      }
      this.buf.splice(0, i);
      this.canon -= i;
    } else {
      n = Math.min(dst.length, this.buf.length);
      for (; i < n; i++) dst[i] = this.buf[i]! & 0xff;
      this.buf.splice(0, n);
    }
    this.tty.wakeWriters();
    return n;
  }

  // ---- output ----

  /**
   * Output processing (n_tty.c do_output_char): map `src` through OPOST and the column tracking. Returns
   * the bytes to send.
   */
  process(src: ArrayLike<number>): number[] {
    const out: number[] = [];
    const o = this.t.oflag;
    if (!(o & OPOST)) { for (let i = 0; i < src.length; i++) out.push(src[i]!); return out; }
    for (let i = 0; i < src.length; i++) {
      let c = src[i]!;
      switch (c) {
        case 10:
          if (o & ONLRET) this.column = 0;
          if (o & ONLCR) { this.column = 0; this.canonColumn = 0; out.push(13, 10); continue; }
          this.canonColumn = this.column;
          break;
        case 13:
          if ((o & ONOCR) && this.column === 0) continue;
          if (o & OCRNL) { c = 10; if (o & ONLRET) this.column = this.canonColumn = 0; break; }
          this.column = this.canonColumn = 0;
          break;
        case 9: {
          const spaces = 8 - (this.column & 7);
          if ((o & TABDLY) === XTABS) { this.column += spaces; for (let k = 0; k < spaces; k++) out.push(32); continue; }
          this.column += spaces;
          break;
        }
        case 8:
          if (this.column > 0) this.column--;
          break;
        default:
          if (!iscntrl(c)) {
            if ((o & OLCUC) && c >= 97 && c <= 122) c -= 32;
            if (!isContinuation(c, this.t)) this.column++;
          }
      }
      out.push(c);
    }
    return out;
  }
}
