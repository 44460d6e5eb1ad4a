// The kernel of one sandbox: process table, scheduler, filesystem, signals, limits. Host-independent: it
// runs under plain Node (tests, CLI) and in a browser SharedWorker; everything host-specific comes in
// through `KernelHost`. See docs/design/process-abi.md for the process interface.
import { EAGAIN, ENOMEM, ENOSPC } from '../abi/errno.js';
import { O_RDWR } from '../abi/fcntl.js';
import { RLIM_INFINITY, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_STACK, RLIM_NLIMITS } from '../abi/sched.js';
import { SIGKILL, SIGSEGV, SIGILL, SIGFPE } from '../abi/signal.js';
import { raise } from './errors.js';
import { Cred } from './proc/cred.js';
import { FdTable } from './fs/fdtable.js';
import type { File } from './fs/file.js';
import { Vfs } from './fs/vfs.js';
import { makeProcfs } from './fs/proc/root.js';
import { exportSnapshot, importSnapshot, type ImportStats } from './fs/snapshot.js';
import { Scheduler } from './proc/sched.js';
import { Task, TaskState, type Rlimits } from './proc/task.js';
import { Signals } from './signal/kill.js';
import { Loader } from './proc/exec.js';
import { teardown } from './proc/exit.js';
import type { MemoryAccount } from './mm/mm.js';
import { Net } from './net/net.js';
import { PtyDriver } from './drivers/tty/pty.js';
import { openPtySession, type PtySession, type PtySessionOptions } from './drivers/tty/session.js';

export interface KernelHost {
  /** Run `fn` soon as a macrotask (never synchronously, never as a microtask). */
  defer(fn: () => void): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(h: unknown): void;
  /** Monotonic milliseconds. */
  now(): number;
  /** Wall clock, milliseconds since the epoch. */
  wallclock(): number;
  random(buf: Uint8Array): void;
  log(msg: string): void;
}

export interface KernelOptions {
  image: Uint8Array;
  host?: Partial<KernelHost>;
  /** Maximum number of live processes (fork gets EAGAIN past it). */
  maxProcesses?: number;
  /** Maximum bytes of process memory plus tmpfs data in the sandbox (ENOMEM past it). */
  maxMemory?: number;
  hostname?: string;
  /** UNIX socket paths published as exposure points when something listens there (default /tmp/server.sock). */
  exposeUnixPaths?: string[];
  /** A writable layer saved by exportLayer(), applied before anything runs (docs/design/snapshots.md). */
  snapshot?: Uint8Array;
}

export interface SpawnOptions {
  argv: string[];
  env?: string[];
  /** Path to execute; defaults to argv[0] resolved through PATH in env. */
  path?: string;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Files for fd 0, 1, 2 (the kernel takes their references). */
  stdio?: [File, File, File];
}

function defaultHost(): KernelHost {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return {
    defer: (fn) => { setTimeout(fn, 0); },
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    now: () => (perf ? perf.now() : Date.now()),
    wallclock: () => Date.now(),
    random: (b) => { for (let i = 0; i < b.length; i += 65536) crypto.getRandomValues(b.subarray(i, i + 65536)); },
    log: (m) => { console.error(m); },
  };
}

/** Host timers hold at most 2^31-1 ms (about 24.8 days); longer ones are re-armed in steps. */
const MAX_TIMER_MS = 0x7fffffff;

function withLongTimers(host: KernelHost): KernelHost {
  const set = host.setTimer.bind(host), clear = host.clearTimer.bind(host);
  return {
    ...host,
    setTimer: (fn, ms) => {
      const h: { inner: unknown } = { inner: null };
      const arm = (left: number): void => {
        h.inner = set(() => { if (left > MAX_TIMER_MS) arm(left - MAX_TIMER_MS); else fn(); }, Math.min(left, MAX_TIMER_MS));
      };
      arm(Math.max(0, ms));
      return h;
    },
    clearTimer: (h) => { clear((h as { inner: unknown }).inner); },
  };
}

export class Kernel {
  readonly host: KernelHost;
  readonly sched: Scheduler;
  readonly signals: Signals;
  readonly vfs: Vfs;
  readonly loader: Loader;
  /** Sockets: the virtual loopback, AF_UNIX names and the exposure points (net.exposures). */
  readonly net: Net;
  /** Pseudo-terminals: /dev/ptmx, /dev/pts, /dev/tty (drivers/tty/). */
  readonly ptys: PtyDriver;
  readonly tasks = new Map<number, Task>();
  readonly maxProcesses: number;
  readonly maxMemory: number;
  hostname: string;
  /** Unexpected exceptions caught at the syscall boundary: each is a kernel bug. Tests assert it is empty. */
  readonly bugs: { syscall: string; error: unknown }[] = [];
  /** When set, every syscall is logged through it (WASMUX_STRACE in the CLI). */
  trace: ((line: string) => void) | null = null;
  private nextPid = 1;
  private memoryUsed = 0;
  private memoryMax = 0;
  readonly bootTime: number;
  init: Task | null = null;

  readonly account: MemoryAccount = {
    charge: (bytes) => {
      if (this.memoryUsed + bytes > this.maxMemory) raise(ENOMEM);
      this.memoryUsed += bytes;
      if (this.memoryUsed > this.memoryMax) this.memoryMax = this.memoryUsed;
    },
    release: (bytes) => { this.memoryUsed = Math.max(0, this.memoryUsed - bytes); },
  };

  constructor(opts: KernelOptions) {
    this.host = withLongTimers({ ...defaultHost(), ...opts.host });
    this.maxProcesses = opts.maxProcesses ?? 256;
    this.maxMemory = opts.maxMemory ?? 2 * 1024 * 1024 * 1024;
    this.hostname = opts.hostname ?? 'wasmux';
    this.sched = new Scheduler(this);
    this.signals = new Signals(this);
    // tmpfs data counts against the sandbox memory limit; a full tmpfs is ENOSPC, as on Linux.
    this.vfs = new Vfs(opts.image, { memoryAccount: (delta: number) => {
      if (delta <= 0) { this.account.release(-delta); return; }
      try { this.account.charge(delta); } catch { raise(ENOSPC); }
    } });
    this.vfs.mountProc(makeProcfs(this));
    this.snapshotImport = opts.snapshot ? importSnapshot(this.vfs, opts.snapshot) : null;
    this.loader = new Loader(this);
    this.net = new Net(this, { exposeUnixPaths: opts.exposeUnixPaths });
    this.ptys = new PtyDriver(this);
    this.bootTime = this.host.wallclock();
  }

  /** What KernelOptions.snapshot brought in (null without one): counts, and the image it was made on. */
  readonly snapshotImport: ImportStats | null;

  /** The root filesystem's writable layer as a tar, for KernelOptions.snapshot (docs/design/snapshots.md). */
  exportLayer(): Uint8Array { return exportSnapshot(this.vfs); }

  now(): number { return this.host.now(); }
  get memoryInUse(): number { return this.memoryUsed; }
  /** The highest memoryInUse since the kernel was created (benchmarks report it). */
  get memoryPeak(): number { return this.memoryMax; }

  allocPid(): number {
    if (this.liveCount() >= this.maxProcesses) raise(EAGAIN);
    for (;;) {
      const pid = this.nextPid++;
      if (this.nextPid > 32768) this.nextPid = 2;
      if (!this.tasks.has(pid)) return pid;
    }
  }

  liveCount(): number {
    let n = 0;
    for (const t of this.tasks.values()) if (t.state !== TaskState.Zombie) n++;
    return n;
  }

  defaultRlimits(): Rlimits {
    const r: Rlimits = [];
    for (let i = 0; i < RLIM_NLIMITS; i++) r.push([RLIM_INFINITY, RLIM_INFINITY]);
    r[RLIMIT_NOFILE] = [1024n, 4096n];
    r[RLIMIT_STACK] = [1048576n, 1048576n];
    r[RLIMIT_NPROC] = [BigInt(this.maxProcesses), BigInt(this.maxProcesses)];
    return r;
  }

  /**
   * Start a new process from the host (no parent inside the sandbox). The first one becomes init (pid 1).
   * Raises an errno (ENOENT, EACCES, ENOEXEC, ...) when the program cannot be started.
   */
  spawn(o: SpawnOptions): Task {
    const pid = this.allocPid();
    const cred = new Cred(o.uid ?? 0, o.gid ?? o.uid ?? 0);
    const fs = this.vfs.newContext(o.cwd ?? '/');
    const t = new Task(pid, this, cred, new FdTable(), fs, this.defaultRlimits());
    if (o.stdio) o.stdio.forEach((f, i) => t.files.installAt(i, f));
    else for (let i = 0; i < 3; i++) t.files.installAt(i, this.vfs.open(t, '/dev/null', O_RDWR));
    const env = o.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', 'HOME=/root', 'TERM=xterm-256color'];
    const path = o.path ?? this.loader.searchPath(t, o.argv[0] ?? '', env);
    try {
      const img = this.loader.load(t, path, o.argv, env);
      this.tasks.set(pid, t);
      if (!this.init) this.init = t;
      this.loader.start(t, img);
    } catch (e) {
      t.files.closeAll();
      throw e;
    }
    this.sched.enqueue(t);
    return t;
  }

  /** Resolves with the wait status when `t` exits. */
  waitExit(t: Task): Promise<number> {
    if (t.state === TaskState.Zombie) return Promise.resolve(t.exitStatus);
    return new Promise((res) => t.exitWaiters.push(res));
  }

  /**
   * Terminate `t` with wait status `status`. When `t` is the running task it is unwound first; otherwise
   * its instance is simply dropped.
   */
  exitTask(t: Task, status: number): void {
    if (t.state === TaskState.Zombie) return;
    if (this.sched.current === t) {
      this.sched.suspend(t, () => teardown(this, t, status));
    } else {
      teardown(this, t, status);
    }
  }

  /** A trap inside the process (unreachable, out-of-bounds, stack overflow) kills it with a signal. */
  onTrap(t: Task, e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    let sig = SIGSEGV;
    if (/unreachable/i.test(msg)) sig = SIGILL;
    else if (/divide|remainder|integer overflow|float unrepresentable/i.test(msg)) sig = SIGFPE;
    if (!(e instanceof WebAssembly.RuntimeError) && !(e instanceof RangeError)) {
      this.bugs.push({ syscall: '(process entry)', error: e });
      this.host.log(`wasmux: kernel bug while running pid ${t.pid}: ${e instanceof Error ? e.stack : msg}`);
      sig = SIGKILL;
    }
    teardown(this, t, sig | (sig === SIGKILL ? 0 : 0x80));
  }

  /** Start a program on a new pty as the session leader with the slave as its terminal (docs/design/tty.md). */
  openPtySession(o: PtySessionOptions): PtySession { return openPtySession(this, o); }

  reportBug(syscall: string, error: unknown): void {
    this.bugs.push({ syscall, error });
    this.host.log(`wasmux: kernel bug in ${syscall}: ${error instanceof Error ? error.stack : String(error)}`);
  }
}
