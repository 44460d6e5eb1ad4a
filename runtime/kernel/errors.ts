// Kernel error convention (cf. gVisor's syserror): code below the syscall boundary raises an errno with
// raise(); the dispatcher converts it to -errno in exactly one place. Anything else thrown is a kernel bug.
import { ERESTARTSYS } from '../abi/errno.js';

/** A preallocated errno value: cheap to throw (no stack capture). */
export class Errno {
  constructor(readonly errno: number) {}
  toString(): string { return `Errno(${this.errno})`; }
}

const table: Errno[] = [];
for (let i = 0; i <= 4095; i++) table.push(new Errno(i));

export function errno(n: number): Errno { return table[n] ?? new Errno(n); }

/** Throw errno `n`. Typed `never` so that `return raise(EINVAL)` type-checks anywhere. */
export function raise(n: number): never { throw table[n] ?? new Errno(n); }

export function isErrno(e: unknown): e is Errno { return e instanceof Errno; }

/**
 * Thrown by code below a syscall that must wait. The caller has already registered the current task on
 * one or more wait queues (Task.sleepOn) or a timer. The dispatcher unwinds the process and runs the
 * syscall again from the start when the task is woken ("restart" semantics, like Linux's -ERESTARTSYS
 * without a signal).
 */
export class Block {
  private constructor() {}
  static readonly instance = new Block();
}
export const BLOCK = Block.instance;

export { ERESTARTSYS };
