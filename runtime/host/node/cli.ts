// The `wasmux` command line: run a program in a fresh sandbox with this process's stdio.
//   wasmux run [--image F] [--env K=V]... [--cwd DIR] [--user] [--edge URL] -- PROG [ARGS]...
//   wasmux sh  [--image F]
// --edge URL registers the sandbox with an edge proxy (edge/, docs/edge.md) and prints
// `exposed <path or port> at <public URL>` on stderr as each exposure point appears.
// With a terminal on stdin and stdout, the program runs on a pty connected to it (terminal.ts); otherwise
// it gets this process's stdio as pipes. Exit status is the program's, or 128+N when a signal killed it.
import { ImageError, createKernel, exitCodeOf, loadImage, nodeStdio, DEFAULT_IMAGE } from './node-host.js';
import { Errno } from '../../kernel/errors.js';
import { ERRNO_NAMES } from './errnames.js';
import { hasHostTerminal, runOnHostTerminal, type HostTerminal } from './terminal.js';
import type { Exposures } from '../../kernel/net/exposure.js';

const USAGE = `usage: wasmux run [--image FILE] [--env K=V]... [--cwd DIR] [--user] [--edge URL] -- PROG [ARGS]...
       wasmux sh [--image FILE]`;

interface Args { cmd: string; image: string; env: string[]; cwd?: string; user: boolean; argv: string[]; edge?: string; }

function parse(argv: string[]): Args {
  const a: Args = { cmd: argv[0] ?? '', image: process.env['WASMUX_IMAGE'] ?? DEFAULT_IMAGE, env: [], user: false, argv: [] };
  let i = 1;
  for (; i < argv.length; i++) {
    const s = argv[i]!;
    if (s === '--') { i++; break; }
    if (s === '--image') a.image = argv[++i] ?? '';
    else if (s.startsWith('--image=')) a.image = s.slice(8);
    else if (s === '--env') a.env.push(argv[++i] ?? '');
    else if (s.startsWith('--env=')) a.env.push(s.slice(6));
    else if (s === '--cwd') a.cwd = argv[++i];
    else if (s.startsWith('--cwd=')) a.cwd = s.slice(6);
    else if (s === '--user') a.user = true;
    else if (s === '--edge') a.edge = argv[++i] ?? ''; // edge tunnel (issue 5)
    else if (s.startsWith('--edge=')) a.edge = s.slice(7);
    else if (s.startsWith('-')) throw new Error(`unknown option ${s}\n${USAGE}`);
    else break;
  }
  a.argv = argv.slice(i);
  return a;
}

function baseEnv(user: boolean, extra: string[]): string[] {
  const env = new Map<string, string>([
    ['PATH', '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin'],
    ['HOME', user ? '/home/user' : '/root'],
    ['USER', user ? 'user' : 'root'],
    ['LOGNAME', user ? 'user' : 'root'],
    ['SHELL', '/bin/sh'],
    ['TERM', process.env['TERM'] ?? 'xterm-256color'],
    ['LANG', 'C.UTF-8'],
  ]);
  for (const kv of extra) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--env needs K=V, got "${kv}"`);
    env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

export async function main(argv: string[]): Promise<number> {
  let a: Args;
  try { a = parse(argv); } catch (e) { process.stderr.write(`wasmux: ${(e as Error).message}\n`); return 2; }
  if (a.cmd === 'sh') { a.argv = ['sh', ...a.argv]; a.cmd = 'run'; }
  if (a.cmd !== 'run' || a.argv.length === 0) { process.stderr.write(`${USAGE}\n`); return 2; }
  let kernel;
  try {
    kernel = createKernel({ image: loadImage(a.image) });
  } catch (e) {
    process.stderr.write(`wasmux: ${(e as Error).message}\n`);
    return e instanceof ImageError ? 2 : 70;
  }
  if (process.env['WASMUX_STRACE']) kernel.trace = (l) => process.stderr.write(`${l}\n`);
  const io = hasHostTerminal() ? null : nodeStdio();
  let term: HostTerminal | null = null;
  let task;
  try {
    const opts = {
      argv: a.argv, env: baseEnv(a.user, a.env), cwd: a.cwd ?? (a.user ? '/home/user' : '/root'),
      uid: a.user ? 1000 : 0, gid: a.user ? 1000 : 0,
    };
    if (io) task = kernel.spawn({ ...opts, stdio: io.stdio });
    else { term = runOnHostTerminal(kernel, opts); task = term.task; }
  } catch (e) {
    io?.close();
    if (e instanceof Errno) {
      const [, msg] = ERRNO_NAMES[e.errno] ?? ['', `error ${e.errno}`];
      process.stderr.write(`wasmux: ${a.argv[0]}: ${msg}\n`);
      return e.errno === 2 ? 127 : 126;
    }
    throw e;
  }
  // Edge tunnel (issue 5): serve the sandbox's exposure points on public URLs until the program exits.
  let edge: { close(): void } | null = null;
  if (a.edge !== undefined) {
    const exposures = (kernel as unknown as { net?: { exposures?: Exposures } }).net?.exposures;
    if (!exposures) process.stderr.write('wasmux: --edge: this kernel has no exposure points (sockets)\n');
    else {
      const { nodeEdgeClient } = await import('./edge.js');
      const client = nodeEdgeClient(exposures, a.edge);
      edge = client;
      client.start().catch((e: Error & { code?: string }) => {
        if (e.code !== 'EDGE_CLIENT_ERR_CLOSED') process.stderr.write(`wasmux: --edge: ${e.message}\n`);
      });
    }
  }
  const status = await kernel.waitExit(task);
  edge?.close();
  io?.close();
  term?.close();
  if (kernel.bugs.length > 0) process.stderr.write(`wasmux: ${kernel.bugs.length} kernel bug(s) logged above\n`);
  return exitCodeOf(status);
}
