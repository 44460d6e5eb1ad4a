// Wait queues (cf. include/linux/wait.h). A waiter is a one-shot callback: wake() removes and calls every
// waiter registered so far. Tasks sleep by registering on one or more queues and then raising BLOCK; the
// scheduler re-runs the syscall when any of them fires.
export type Waiter = () => void;

export class WaitQueue {
  private waiters = new Set<Waiter>();

  /** Register a one-shot waiter; returns a function that unregisters it. */
  add(w: Waiter): () => void {
    this.waiters.add(w);
    return () => { this.waiters.delete(w); };
  }

  get size(): number { return this.waiters.size; }

  wake(): void {
    if (this.waiters.size === 0) return;
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }
}
