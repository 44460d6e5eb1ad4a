// Terminals driven from the pty master, as a terminal emulator would (kernel.openPtySession, no host
// terminal): line editing in the line discipline, job control from ash (Ctrl-C, Ctrl-Z, bg, jobs, fg),
// stty, window size changes, and the full-screen applets vi, less and top.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PtySession } from '../runtime/kernel/drivers/tty/session.js';
import type { Kernel } from '../runtime/kernel/kernel.js';
import { sandbox } from './sandbox.js';

const ENV = ['PATH=/usr/bin:/bin:/usr/sbin:/sbin', 'HOME=/root', 'TERM=xterm', 'PS1=$ '];
const PROMPT = '\r\n$ ';
/** Terminal output without its CSI escape sequences. */
const plain = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/** A terminal: everything the master read, and waiting for text to appear after a mark. */
class Term {
  out = '';
  constructor(readonly k: Kernel, readonly s: PtySession) {
    s.onData((d) => { this.out += Buffer.from(d).toString('latin1'); });
  }

  get mark(): number { return this.out.length; }

  /** Wait until `what` appears in the output after `from`; returns the output from `from` on. */
  async waitFor(what: string | RegExp, from = 0, ms = 15000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const seen = this.out.slice(from);
      if (typeof what === 'string' ? seen.includes(what) : what.test(seen)) return seen;
      if (Date.now() > end) throw new Error(`timed out waiting for ${JSON.stringify(String(what))}; output since mark:\n${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Type a command line and wait for the next prompt; returns what was printed in between. */
  async run(line: string, ms?: number): Promise<string> {
    const m = this.mark;
    this.s.write(`${line}\r`);
    const seen = await this.waitFor(PROMPT, m, ms);
    return seen.slice(0, seen.indexOf(PROMPT));
  }
}

async function login(cols = 80, rows = 24): Promise<Term> {
  const k = sandbox();
  const s = k.openPtySession({ argv: ['sh'], env: ENV, cwd: '/root', cols, rows });
  const t = new Term(k, s);
  await t.waitFor('$ ');
  return t;
}

describe('terminal (pty driven from the master)', () => {
  it('canonical input: erase, word erase, kill and EOF reach cat as edited lines', async () => {
    const t = await login();
    let m = t.mark;
    t.s.write('cat > /tmp/typed\r');
    await t.waitFor('cat > /tmp/typed\r\n', m);
    // ash has handed the terminal to cat in canonical mode: the line discipline edits the lines.
    m = t.mark;
    t.s.write('helo\x7flo wrld\x17world\r');
    await t.waitFor('world\r\n', m);
    expect(t.out.slice(m)).toBe('helo\b \blo wrld\b \b\b \b\b \b\b \bworld\r\n');
    m = t.mark;
    t.s.write('garbage\x15second line\r');
    await t.waitFor('line\r\n', m);
    t.s.write('\x04');
    await t.waitFor(PROMPT, m);
    expect(await t.run('cat /tmp/typed')).toBe('cat /tmp/typed\r\nhello world\r\nsecond line');
    expect(t.k.bugs).toEqual([]);
  });

  it('Ctrl-C stops the foreground job, not the shell: status 130', async () => {
    const t = await login();
    const m = t.mark;
    t.s.write('sleep 100\r');
    await t.waitFor('sleep 100\r\n', m);
    await new Promise((r) => setTimeout(r, 100));
    t.s.write('\x03');
    await t.waitFor(`^C${PROMPT}`, m);
    expect(await t.run('echo $?')).toBe('echo $?\r\n130');
    expect(t.k.bugs).toEqual([]);
  });

  it('Ctrl-Z suspends the job; bg, jobs and fg control it', async () => {
    const t = await login();
    let m = t.mark;
    t.s.write('sleep 100\r');
    await t.waitFor('sleep 100\r\n', m);
    await new Promise((r) => setTimeout(r, 100));
    t.s.write('\x1a');
    const stopped = await t.waitFor(PROMPT, m);
    // As natively, ash prints the job line right after the echoed ^Z.
    expect(stopped).toMatch(/\^Z\r?\n?\[1\]\+ +Stopped +sleep 100/);
    expect(await t.run('bg')).toMatch(/\[1\]\+? sleep 100/);
    expect(await t.run('jobs')).toMatch(/\[1\]\+ +Running +sleep 100/);
    m = t.mark;
    t.s.write('fg\r');
    await t.waitFor('sleep 100\r\n', m);
    await new Promise((r) => setTimeout(r, 100));
    t.s.write('\x03');
    await t.waitFor(PROMPT, m);
    expect(await t.run('echo $?; jobs')).toBe('echo $?; jobs\r\n130');
    expect(t.k.bugs).toEqual([]);
  });

  it('stty -a shows the terminal settings; a resize is seen by stty size', async () => {
    const t = await login();
    const a = await t.run('stty -a');
    expect(a).toContain('speed 38400 baud; rows 24; columns 80; line = 0;');
    expect(a).toContain('intr = ^C; quit = ^\\; erase = ^?; kill = ^U; eof = ^D;');
    expect(a).toMatch(/isig icanon iexten echo echoe echok -echonl -noflsh/);
    expect(a).toMatch(/opost .*onlcr/);
    t.s.resize(100, 40);
    // ash's line editor redraws its prompt on SIGWINCH before the command is typed.
    expect(await t.run('stty size')).toMatch(/stty size\r\n40 100$/);
    expect(t.k.bugs).toEqual([]);
  });

  it('vi opens a file, inserts text and saves it', async () => {
    const t = await login();
    await t.run('echo first > /tmp/v.txt');
    const m = t.mark;
    t.s.write('vi /tmp/v.txt\r');
    await t.waitFor('first', m);
    await t.waitFor('~', m);
    t.s.write('Oinserted line\x1b');
    await t.waitFor('inserted line', m);
    t.s.write(':wq\r');
    await t.waitFor('\x1b[?1049l$ ', m);
    expect(await t.run('cat /tmp/v.txt')).toBe('cat /tmp/v.txt\r\ninserted line\r\nfirst');
    expect(t.k.bugs).toEqual([]);
  });

  it('less pages through a file', async () => {
    const t = await login(80, 10);
    await t.run('seq 1 100 > /tmp/n');
    let m = t.mark;
    t.s.write('less /tmp/n\r');
    const first = plain(await t.waitFor('/tmp/n', m + 12));
    expect(first).toContain('1\r\n2\r\n3\r\n');
    expect(first).toContain('9\r\n');
    expect(first).not.toContain('10');
    m = t.mark;
    t.s.write(' ');
    const next = plain(await t.waitFor('18', m));
    expect(next).toContain('10\r\n11');
    m = t.mark;
    t.s.write('q');
    await t.waitFor('$ ', m);
    expect(await t.run('echo done')).toBe('echo done\r\ndone');
    expect(t.k.bugs).toEqual([]);
  });

  it('top -n 1 draws one screen', async () => {
    const t = await login();
    const out = await t.run('top -n 1', 20000);
    expect(out).toMatch(/Mem: /);
    expect(out).toMatch(/PID +PPID +USER/);
    expect(out).toMatch(/top -n 1/);
    expect(t.k.bugs).toEqual([]);
  });

  it('a background read stops with SIGTTIN; TOSTOP stops a background write with SIGTTOU', async () => {
    const t = await login();
    await t.run('cat &');
    await new Promise((r) => setTimeout(r, 200));
    expect(await t.run('jobs')).toMatch(/\[1\]\+ +Stopped \(tty input\) +cat/);
    await t.run('kill -9 %1');
    await t.run('stty tostop; echo out &');
    await new Promise((r) => setTimeout(r, 200));
    expect(await t.run('jobs')).toMatch(/Stopped \(tty output\) +echo out/);
    expect(await t.run('stty -tostop; fg')).toContain('out');
    expect(t.k.bugs).toEqual([]);
  });

  it('closing the master hangs up: SIGHUP ends the shell', async () => {
    const t = await login();
    t.s.close();
    expect(await t.s.exited).toBe(1); // killed by SIGHUP
    expect(t.k.bugs).toEqual([]);
  });

  it('Ctrl-D at the prompt logs out', async () => {
    const t = await login();
    t.s.write('\x04');
    expect(await t.s.exited).toBe(0);
    expect(t.k.bugs).toEqual([]);
  });
});

// util-linux script(1) gives the CLI a real host terminal (a Linux pty) without a person at it.
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));

describe.skipIf(!SCRIPT)('wasmux sh on a host terminal', () => {
  it('runs ash on a pty: job control works and the exit status comes back', async () => {
    const bin = fileURLToPath(new URL('../bin/wasmux.mjs', import.meta.url));
    const child = spawn(SCRIPT!, ['-qfec', `${process.execPath} ${bin} sh`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    // libuv's raw mode keeps the host terminal's ONLCR, so each \r\n arrives as \r\r\n here.
    child.stdout.on('data', (d: Buffer) => { out = (out + d.toString('latin1')).replace(/\r+\n/g, '\n'); });
    const waitFor = async (what: string, from: number): Promise<void> => {
      const end = Date.now() + 30000;
      while (!out.slice(from).includes(what)) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${JSON.stringify(what)} in ${JSON.stringify(out)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitFor('# ', 0);
    let m = out.length;
    child.stdin.write('sleep 100\r');
    await waitFor('sleep 100\n', m);
    await new Promise((r) => setTimeout(r, 200));
    child.stdin.write('\x03');
    await waitFor('# ', m);
    m = out.length;
    child.stdin.write('echo status $?; tty\r');
    await waitFor('# ', m + 5);
    expect(out.slice(m)).toMatch(/status 130\n\/dev\/pts\/0\n/);
    child.stdin.write('exit 7\r');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(7);
  }, 60000);
});
