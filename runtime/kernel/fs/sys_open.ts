// openat(2) (fs/open.c do_sys_openat2). open/creat do not exist in the asm-generic table; musl maps them
// to openat(AT_FDCWD, ...).
import { O_CLOEXEC } from '../../abi/fcntl.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';

/** Install a freshly opened file at the lowest free fd, dropping it if the table is full (EMFILE). */
export function installFile(t: Task, f: import('./file.js').File, cloexec: boolean): number {
  try {
    return t.files.install(f, cloexec);
  } catch (e) {
    f.put();
    throw e;
  }
}

export function sys_openat(t: Task, dirfd: number, path: number, flags: number, mode: number): number {
  const p = t.mem.cstring(path);
  const f = t.kernel.vfs.open(t, p, flags, mode & 0o7777, dirfd);
  return installFile(t, f, (flags & O_CLOEXEC) !== 0);
}

export const openSyscalls: SyscallDefs = {
  openat: {
    handler: sys_openat,
    level: 'full',
    note: 'O_DIRECT, O_SYNC, O_DSYNC, O_NOATIME, O_ASYNC are accepted and have no effect (in-memory files); '
      + 'ETXTBSY is never reported.',
  },
};
