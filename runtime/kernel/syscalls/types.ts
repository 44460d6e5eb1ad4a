// Shape of a syscall table entry. Each syscall family file (fs/sys_*.ts, proc/sys_*.ts, ...) exports a
// `SyscallDefs` record keyed by the Linux name; syscalls/table.ts joins them with the numbers of
// runtime/abi/syscalls.ts into the one dispatch table, which is also the compatibility document
// (docs/syscalls.md is generated from it).
import type { SyscallName } from '../../abi/syscalls.js';
import type { Task } from '../proc/task.js';

/**
 * A handler gets the calling task and the six raw i32 arguments (pointers are signed: use `>>> 0` or the
 * UserMemory helpers, which do). It returns a non-negative result, or raises an errno (errors.ts), or
 * raises BLOCK after registering the task on a wait queue (it will be called again from the start).
 */
export type Handler = (t: Task, a: number, b: number, c: number, d: number, e: number, f: number) => number;

export type SupportLevel = 'full' | 'partial' | 'stub';

export interface SyscallDef {
  handler: Handler;
  level: SupportLevel;
  /** How it differs from Linux, if it does. */
  note?: string;
}

export type SyscallDefs = Partial<Record<SyscallName, SyscallDef>>;
