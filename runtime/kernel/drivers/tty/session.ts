// Host terminals (no Node or DOM API): a program started on a fresh pty as a session leader whose
// controlling terminal is the slave, driven from the master side. The Node CLI connects a raw-mode host
// terminal to it; the browser connects xterm.js. Output is delivered in batches (one host macrotask after
// it was written), so a screenful of small writes reaches the host as one chunk.
import { SIGHUP } from '../../../abi/signal.js';
import type { Kernel, SpawnOptions } from '../../kernel.js';
import { TaskState, type Task } from '../../proc/task.js';
import { setCtty } from './tty_jobctrl.js';

export interface PtySessionOptions extends Omit<SpawnOptions, 'stdio'> {
  /** Initial window size (TIOCGWINSZ); 80x24 by default. */
  cols?: number;
  rows?: number;
}

export interface PtySession {
  /** The session leader's pid and the slave's name (/dev/pts/N). */
  readonly pid: number;
  readonly ptsName: string;
  /** Type at the terminal (keys, pasted text): UTF-8 for strings. */
  write(data: Uint8Array | string): void;
  /** Terminal output; returns an unsubscribe function. */
  onData(cb: (data: Uint8Array) => void): () => void;
  /** New window size: TIOCSWINSZ on the master, SIGWINCH to the foreground group. */
  resize(cols: number, rows: number): void;
  /** The leader exited with a wait status; all output written before has been delivered. */
  onExit(cb: (status: number) => void): () => void;
  readonly exited: Promise<number>;
  /** Send a signal to the session leader (SIGHUP by default). */
  kill(sig?: number): void;
  /** Close the master: the terminal hangs up (SIGHUP to the session leader). */
  close(): void;
}

export function openPtySession(k: Kernel, o: PtySessionOptions): PtySession {
  const pair = k.ptys.create(o.uid ?? 0);
  pair.locked = false;
  const tty = pair.slave;
  tty.winsize = { row: o.rows ?? 24, col: o.cols ?? 80, xpixel: 0, ypixel: 0 };
  const f = pair.openSlave(null, 2 /* O_RDWR */);
  let task: Task;
  try {
    task = k.spawn({ ...o, stdio: [f, f.get(), f.get()] });
  } catch (e) {
    pair.closeMaster();
    throw e;
  }
  setCtty(task, tty);

  const dataCbs = new Set<(d: Uint8Array) => void>();
  const exitCbs = new Set<(s: number) => void>();
  let scheduled = false;
  const deliver = (): void => {
    scheduled = false;
    if (dataCbs.size === 0) return;
    const b = pair.takeOutput();
    if (b) for (const cb of [...dataCbs]) cb(b);
  };
  const schedule = (): void => { if (!scheduled && dataCbs.size > 0) { scheduled = true; k.host.defer(deliver); } };
  pair.onOutput = schedule;

  const pending: Uint8Array[] = [];
  let waiting = false;
  const pump = (): void => {
    waiting = false;
    while (pending.length > 0 && !pair.masterClosed) {
      const c = pending[0]!;
      const n = pair.input(c);
      if (n === c.length) { pending.shift(); continue; }
      pending[0] = c.subarray(n);
      // The line discipline is full: continue once the program reads.
      waiting = true;
      pair.masterWq.add(() => k.host.defer(pump));
      return;
    }
  };

  let status: number | null = null;
  const exited = k.waitExit(task).then((s) => {
    status = s;
    deliver();
    pair.closeMaster();
    for (const cb of [...exitCbs]) cb(s);
    return s;
  });

  return {
    pid: task.pid,
    ptsName: tty.name,
    write(data) {
      if (pair.masterClosed) return;
      pending.push(typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());
      if (!waiting) pump();
    },
    onData(cb) { dataCbs.add(cb); schedule(); return () => { dataCbs.delete(cb); }; },
    resize(cols, rows) {
      if (pair.masterClosed) return;
      tty.setWinsize({ row: rows, col: cols, xpixel: 0, ypixel: 0 });
    },
    onExit(cb) {
      if (status !== null) { const s = status; k.host.defer(() => cb(s)); return () => {}; }
      exitCbs.add(cb);
      return () => { exitCbs.delete(cb); };
    },
    exited,
    kill(sig = SIGHUP) { if (task.state !== TaskState.Zombie) k.signals.kill(task, sig); },
    close() { pair.closeMaster(); },
  };
}
