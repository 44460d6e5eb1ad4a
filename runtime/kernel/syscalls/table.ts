// The one syscall table: number -> name, handler, support level, note. It is both the dispatcher's table
// and the compatibility document (scripts/gen-syscall-docs.mjs renders docs/syscalls.md from it).
import { NR, type SyscallName } from '../../abi/syscalls.js';
import type { SyscallDef, SyscallDefs } from './types.js';
import { procSyscalls } from '../proc/sys_proc.js';
import { signalSyscalls } from '../signal/sys_signal.js';
import { rwSyscalls } from '../fs/sys_rw.js';
import { mmSyscalls } from '../mm/sys_mm.js';
import { timeSyscalls } from '../time/sys_time.js';
import { miscSyscalls } from '../sys_misc.js';
import { fsSyscalls } from '../fs/syscalls.js';
import { itimerSyscalls } from '../time/itimer.js';
import { pollSyscalls } from '../fs/sys_poll.js';
import { epollSyscalls } from '../fs/eventpoll.js';
import { eventfdSyscalls } from '../fs/eventfd.js';
import { inotifySyscalls } from '../fs/notify/inotify.js';
import { timerfdSyscalls } from '../time/timerfd.js';
import { signalfdSyscalls } from '../signal/signalfd.js';
import { posixTimerSyscalls } from '../time/posix_timers.js';
import { socketSyscalls } from '../net/sys_socket.js';

export interface TableEntry extends SyscallDef { nr: number; name: SyscallName; }

const families: SyscallDefs[] = [procSyscalls, signalSyscalls, rwSyscalls, mmSyscalls, timeSyscalls, miscSyscalls,
  fsSyscalls, itimerSyscalls, pollSyscalls, epollSyscalls, eventfdSyscalls, inotifySyscalls, timerfdSyscalls,
  signalfdSyscalls, posixTimerSyscalls, socketSyscalls];

function build(): TableEntry[] {
  const table: TableEntry[] = [];
  for (const fam of families) {
    for (const [name, def] of Object.entries(fam) as [SyscallName, SyscallDef][]) {
      const nr = NR[name];
      if (nr === undefined) throw new Error(`syscall table: unknown syscall name ${name}`);
      if (table[nr]) throw new Error(`syscall table: ${name} defined twice`);
      table[nr] = { ...def, nr, name };
    }
  }
  return table;
}

/** Indexed by syscall number; holes are ENOSYS. */
export const SYSCALLS: readonly (TableEntry | undefined)[] = build();

/** Every known syscall name with its entry, if implemented (for docs). */
export function describe(): { nr: number; name: string; entry?: TableEntry }[] {
  return (Object.entries(NR) as [SyscallName, number][]).map(([name, nr]) => ({ nr, name, entry: SYSCALLS[nr] }))
    .sort((a, b) => a.nr - b.nr);
}
