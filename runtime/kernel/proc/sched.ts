// The scheduler (kernel/sched/). All processes run on the kernel's one thread. A task runs until it
// blocks (its wasm stack is unwound by Asyncify and it costs nothing while asleep), exits, or uses up its
// time slice: the post-link fuel check calls the `preempt` import about every FUEL loop iterations or
// function entries, and when the slice is over the task is unwound and put at the back of the run queue.
// Between batches the scheduler returns to the host event loop so that host I/O and timers get through.
import { TaskState, type Task } from './task.js';
import type { Kernel } from '../kernel.js';

/** Fuel handed to a process per preempt check (loop back-edges and calls between checks). */
export const FUEL = 200_000;
/** Time slice in milliseconds. */
export const SLICE_MS = 10;
/** Longest run of tasks before yielding to the host event loop. */
const BATCH_MS = 20;

/** Returned by handlers (via the UNWOUND sentinel) when they started an unwind themselves. */
export const UNWOUND = { unwound: true } as const;

const ASYNCIFY_UNWINDING = 1;

export class Scheduler {
  runq: Task[] = [];
  current: Task | null = null;
  sliceStart = 0;
  private scheduled = false;
  private timers = new Map<Task, unknown>();

  constructor(private readonly k: Kernel) {}

  /** Make `t` runnable (from any state but zombie/stopped). */
  enqueue(t: Task): void {
    t.state = TaskState.Runnable;
    this.runq.push(t);
    this.kick();
  }

  kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.k.host.defer(this.loop);
  }

  /** Wake a sleeping task (wait queue callbacks, timers, signals). */
  wake(t: Task): void {
    if (t.state === TaskState.Sleeping) {
      t.cancelSleep();
      this.enqueue(t);
    } else if (t.state === TaskState.Running) {
      t.wakePending = true;
    }
  }

  setSleepTimer(t: Task, deadline: number): void {
    this.clearSleepTimer(t);
    const ms = Math.max(0, deadline - this.k.now());
    const h = this.k.host.setTimer(() => { this.timers.delete(t); t.sleepTimer = null; this.wake(t); }, ms);
    this.timers.set(t, h);
    t.sleepTimer = h;
  }

  clearSleepTimer(t: Task): void {
    const h = this.timers.get(t);
    if (h !== undefined) { this.k.host.clearTimer(h); this.timers.delete(t); }
    t.sleepTimer = null;
  }

  remove(t: Task): void {
    const i = this.runq.indexOf(t);
    if (i >= 0) this.runq.splice(i, 1);
    t.cancelSleep();
  }

  private loop = (): void => {
    this.scheduled = false;
    const start = this.k.now();
    while (this.runq.length > 0) {
      const t = this.runq.shift()!;
      if (t.state !== TaskState.Runnable) continue;
      this.run(t);
      if (this.k.now() - start > BATCH_MS) break;
    }
    if (this.runq.length > 0) this.kick();
  };

  /** Start an unwind of the running task; `after` runs once its stack is saved. */
  suspend(t: Task, after: () => void): void {
    const buf = t.unwindBuf;
    const mem = t.mem;
    mem.setU32(buf, buf + 8);
    mem.setU32(buf + 4, buf + t.unwindSize);
    t.ex.asyncify_start_unwind(buf);
    t.afterUnwind = after;
  }

  /** Unwind into a sleep (the handler registered its wakeups and raised BLOCK). */
  sleep(t: Task): void {
    this.suspend(t, () => {
      t.needRewind = true;
      if (t.wakePending) { t.wakePending = false; t.cancelSleep(); this.enqueue(t); }
      else t.state = TaskState.Sleeping;
    });
  }

  /** The preempt import: keep running, or unwind to the back of the run queue. */
  preempt(t: Task): number {
    if (t.rewinding) {
      t.ex.asyncify_stop_rewind();
      t.rewinding = false;
      const v = t.resumeValue ?? FUEL;
      t.resumeValue = undefined;
      return v;
    }
    // Code running outside a scheduled slice (the module's start function during instantiation) is
    // never preempted.
    if (this.current !== t) return FUEL;
    const now = this.k.now();
    if (now - this.sliceStart < SLICE_MS) return FUEL;
    this.suspend(t, () => {
      t.needRewind = true;
      t.resumeValue = FUEL;
      this.enqueue(t);
    });
    return 0;
  }

  /** Enter a task: start it, or rewind it to where it was unwound. */
  private run(t: Task): void {
    this.current = t;
    t.state = TaskState.Running;
    t.wakePending = false;
    const begin = this.k.now();
    this.sliceStart = begin;
    const ex = t.ex;
    let trap: unknown = null;
    try {
      if (t.needRewind) {
        t.needRewind = false;
        t.rewinding = true;
        ex.asyncify_start_rewind(t.unwindBuf);
      }
      ex._start();
    } catch (e) {
      trap = e;
    }
    this.current = null;
    t.cpuMs += this.k.now() - begin;
    if (trap !== null) {
      t.afterUnwind = null;
      t.rewinding = false;
      this.k.onTrap(t, trap);
      return;
    }
    if (ex.asyncify_get_state() === ASYNCIFY_UNWINDING) {
      ex.asyncify_stop_unwind();
      const after = t.afterUnwind;
      t.afterUnwind = null;
      if (after) {
        try {
          after();
        } catch (e) {
          // A continuation must not take the scheduler down: record the bug, end the task.
          this.k.reportBug('(after unwind)', e);
          this.k.exitTask(t, 9 /* SIGKILL */);
        }
      }
      return;
    }
    // _start returned without exit(): treat as exit(0).
    this.k.exitTask(t, 0);
  }
}
