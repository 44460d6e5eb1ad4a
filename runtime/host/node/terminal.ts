// The host terminal as the sandbox's terminal: when `wasmux sh` (or `run`) has a TTY for stdin and stdout,
// the program runs on a pty (kernel.openPtySession) as a session leader with the slave as its controlling
// terminal, and this process becomes the terminal emulator's side: the host terminal goes into raw mode
// (so Ctrl-C, Ctrl-Z and every key reach the pty's line discipline as bytes instead of signalling Node),
// keys go to the master, output comes back from it, and SIGWINCH of this process (Node's 'resize' event)
// becomes TIOCSWINSZ on the master. Raw mode is undone on every way out: normal exit, process 'exit', and
// SIGTERM/SIGHUP to this process (which hang the pty up so the shell ends first).
import type { Kernel, SpawnOptions } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/proc/task.js';

export interface HostTerminal { task: Task; close(): void; }

/** Is this process attached to a terminal on both stdin and stdout? */
export function hasHostTerminal(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env['WASMUX_NO_PTY'];
}

/** Start `o` on a pty connected to the host terminal. Raises like kernel.spawn when it cannot start. */
export function runOnHostTerminal(kernel: Kernel, o: Omit<SpawnOptions, 'stdio'>): HostTerminal {
  const stdin = process.stdin, stdout = process.stdout;
  const s = kernel.openPtySession({ ...o, cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const task = kernel.tasks.get(s.pid)!;
  let raw = false;
  const restore = (): void => { if (raw) { raw = false; try { stdin.setRawMode(false); } catch { /* gone */ } } };
  stdin.setRawMode(true);
  raw = true;
  const onKeys = (d: Buffer): void => { s.write(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)); };
  const onResize = (): void => { s.resize(stdout.columns, stdout.rows); };
  const onSignal = (): void => { s.close(); };
  s.onData((d) => { stdout.write(d); });
  stdin.on('data', onKeys);
  stdin.resume();
  stdout.on('resize', onResize);
  process.on('exit', restore);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  return {
    task,
    close(): void {
      stdin.off('data', onKeys);
      stdout.off('resize', onResize);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
      restore();
      process.off('exit', restore);
      stdin.pause();
      stdin.unref?.();
      s.close();
    },
  };
}
