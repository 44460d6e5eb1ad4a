// All filesystem syscall families, joined for syscalls/table.ts.
import type { SyscallDefs } from '../syscalls/types.js';

export const fsSyscalls: SyscallDefs = {
};
