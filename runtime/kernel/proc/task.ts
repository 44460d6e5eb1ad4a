// A process (task_struct in include/linux/sched.h). wasmux has no threads: one task = one process = one
// WebAssembly instance with its own Memory. See docs/design/process-abi.md for how the kernel enters and
// leaves the instance (Asyncify) and proc/sched.ts for how tasks are run.
import type { Cred } from './cred.js';
import type { FdTable } from '../fs/fdtable.js';
import type { FsContext } from '../fs/fs_struct.js';
import type { UserMemory } from '../mm/uaccess.js';
import type { AddressSpace } from '../mm/mm.js';
import type { Kernel } from '../kernel.js';
import { WaitQueue } from '../wait.js';
import { closePosixLocks } from '../fs/locks.js';
import { SignalState } from '../signal/signal.js';
import type { ProgramImage } from './exec.js';
import type { Tty } from '../drivers/tty/tty.js';

export const enum TaskState { Runnable, Running, Sleeping, Stopped, Zombie }

/** Exports of a post-linked process module (docs/design/process-abi.md). */
export interface ProcExports {
  _start(): void;
  asyncify_start_unwind(addr: number): void;
  asyncify_stop_unwind(): void;
  asyncify_start_rewind(addr: number): void;
  asyncify_stop_rewind(): void;
  asyncify_get_state(): number;
  __heap_base: WebAssembly.Global;
  __stack_low?: WebAssembly.Global;
  __stack_high?: WebAssembly.Global;
  [name: string]: unknown;
}

export type Rlimits = [bigint, bigint][];

export class Task {
  parent: Task | null = null;
  children = new Set<Task>();
  pgid: number;
  sid: number;
  /** Controlling terminal (signal->tty): inherited by fork, cleared by setsid (drivers/tty/tty_jobctrl.ts). */
  ctty: Tty | null = null;
  /** Session leader: the foreground group when its terminal was hung up (SIGHUP at its exit). */
  ttyOldPgrp = 0;
  comm = '';
  argv: string[] = [];
  exePath = '';
  state: TaskState = TaskState.Runnable;

  // The program.
  module: WebAssembly.Module | null = null;
  instance: WebAssembly.Instance | null = null;
  ex!: ProcExports;
  mm!: AddressSpace;
  mem!: UserMemory;
  /** Asyncify unwind buffer (address inside the process's memory) and its size. */
  unwindBuf = 0;
  unwindSize = 0;
  /** The program image whose start block wasmux_init lays out. */
  startImage: ProgramImage | null = null;
  /** Address of libc's signal-pending word (wasmux_init). */
  sigflagAddr = 0;
  /** The process has been unwound and must be rewound on its next run. */
  needRewind = false;
  /** Set while rewinding: the import being re-entered stops the rewind. */
  rewinding = false;
  /** Value the re-entered import returns instead of re-running the syscall (fork results, preempt). */
  resumeValue: number | undefined;
  /** Runs after the current unwind completes (fork, exec, exit, sleep bookkeeping). */
  afterUnwind: (() => void) | null = null;
  /** Scratch state kept across re-runs of one blocking syscall (deadlines, saved masks). */
  sysState: unknown = undefined;
  /** Restart code returned when a sleep is interrupted by a signal (-ERESTARTSYS by default). */
  restartCode = -512;
  /** Called instead of using restartCode when a sleep is interrupted (e.g. nanosleep writes rem). */
  onInterrupt: (() => number) | null = null;
  /** Unregister functions of the current sleep. */
  sleepers: (() => void)[] = [];
  sleepTimer: unknown = null;
  /** A wake arrived while the task was still unwinding into its sleep. */
  wakePending = false;

  // Signals and exit.
  sig = new SignalState();
  /** Woken whenever a signal becomes pending for this task (signalfd readers and pollers). */
  signalWq = new WaitQueue();
  /** Signals a task sleeping in rt_sigtimedwait waits for (they wake it although blocked). */
  sigwait = 0n;
  /** Linux wait status once a zombie (or the stop/continue status to report). */
  exitStatus = 0;
  stopReport: number | null = null;
  contReport = false;
  /** Woken when a child changes state (wait4). */
  childWait = new WaitQueue();
  /** The parent blocked in vfork until this child execs or exits. */
  vforkParent: Task | null = null;
  exitWaiters: ((status: number) => void)[] = [];

  startTime: number;
  cpuMs = 0;
  childCpuMs = 0;
  rlimits: Rlimits;
  /** The pid's signal to the parent at exit (clone's CSIGNAL byte). */
  exitSignal = 17;

  constructor(
    readonly pid: number,
    readonly kernel: Kernel,
    public cred: Cred,
    public files: FdTable,
    public fs: FsContext,
    rlimits: Rlimits,
  ) {
    this.pgid = pid;
    this.sid = pid;
    files.onClose = (f) => closePosixLocks(this, f);
    this.startTime = kernel.now();
    this.rlimits = rlimits.map(([a, b]) => [a, b]);
  }

  get ppid(): number { return this.parent ? this.parent.pid : 0; }
  get alive(): boolean { return this.state !== TaskState.Zombie; }

  /** Register the task on `q`; the caller raises BLOCK afterwards. */
  sleepOn(q: WaitQueue): void {
    this.sleepers.push(q.add(() => this.kernel.sched.wake(this)));
  }

  /** Wake the task at `deadline` (kernel.now() milliseconds); the caller raises BLOCK afterwards. */
  sleepUntil(deadline: number): void {
    this.kernel.sched.setSleepTimer(this, deadline);
  }

  /** Clear the registrations of a finished or interrupted sleep. */
  cancelSleep(): void {
    for (const un of this.sleepers) un();
    this.sleepers.length = 0;
    if (this.sleepTimer !== null) { this.kernel.sched.clearSleepTimer(this); }
  }
}
