// All filesystem syscall families, joined for syscalls/table.ts.
import type { SyscallDefs } from '../syscalls/types.js';
import { attrSyscalls } from './sys_attr.js';
import { fileSyscalls } from './sys_file.js';
import { fsStructSyscalls } from './sys_fs_struct.js';
import { nameiSyscalls } from './sys_namei.js';
import { openSyscalls } from './sys_open.js';
import { statSyscalls } from './sys_stat.js';

export const fsSyscalls: SyscallDefs = {
  ...openSyscalls, ...nameiSyscalls, ...statSyscalls, ...attrSyscalls, ...fsStructSyscalls, ...fileSyscalls,
};
