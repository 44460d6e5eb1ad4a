// System information and assorted syscalls (kernel/sys.c, drivers/char/random.c, kernel/futex/):
// uname, sethostname, sysinfo, getrandom, futex (single-threaded processes), wasmux_init.
import { EAGAIN, EINVAL, ENOSYS, EPERM } from '../abi/errno.js';
import { raise } from './errors.js';
import { TaskState, type Task } from './proc/task.js';
import type { SyscallDefs } from './syscalls/types.js';

export const UNAME = { sysname: 'Linux', release: '6.1.0-wasmux', version: '#1 SMP PREEMPT wasmux', machine: 'wasm32' };

function sys_uname(t: Task, buf: number): number {
  const m = t.mem;
  m.zero(buf, 65 * 6);
  const fields = [UNAME.sysname, t.kernel.hostname, UNAME.release, UNAME.version, UNAME.machine, '(none)'];
  fields.forEach((s, i) => m.writeCString(buf + i * 65, s, 65));
  return 0;
}

function sys_sethostname(t: Task, name: number, len: number): number {
  if (t.cred.euid !== 0) raise(EPERM);
  if (len < 0 || len > 64) raise(EINVAL);
  t.kernel.hostname = new TextDecoder().decode(t.mem.copyIn(name, len));
  return 0;
}

/** struct sysinfo for a 32-bit long (64 bytes). */
function sys_sysinfo(t: Task, buf: number): number {
  const k = t.kernel;
  const m = t.mem;
  m.zero(buf, 64);
  m.setI32(buf, Math.floor(k.now() / 1000));
  let running = 0;
  for (const x of k.tasks.values()) if (x.state === TaskState.Runnable || x.state === TaskState.Running) running++;
  const load = Math.round(running * 65536);
  m.setU32(buf + 4, load); m.setU32(buf + 8, load); m.setU32(buf + 12, load);
  const unit = 4096;
  m.setU32(buf + 16, Math.floor(k.maxMemory / unit));
  m.setU32(buf + 20, Math.floor(Math.max(0, k.maxMemory - k.memoryInUse) / unit));
  m.setU16(buf + 40, Math.min(65535, k.tasks.size));
  m.setU32(buf + 52, unit);
  return 0;
}

function sys_getrandom(t: Task, buf: number, len: number, flags: number): number {
  if (flags & ~7) raise(EINVAL);
  len = Math.min(len >>> 0, 33554431);
  const dst = t.mem.view(buf, len);
  t.kernel.host.random(dst);
  return len;
}

const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
function sys_futex(t: Task, uaddr: number, op: number, val: number): number {
  const cmd = op & 0x7f;
  if (cmd === FUTEX_WAKE || cmd === FUTEX_WAKE_BITSET) { t.mem.check(uaddr, 4); return 0; }
  if (cmd === FUTEX_WAIT || cmd === FUTEX_WAIT_BITSET) {
    // Single-threaded: nobody else can change the word, so a wait whose value matches would hang forever.
    if (t.mem.i32(uaddr) !== val) raise(EAGAIN);
    return raise(EAGAIN);
  }
  return raise(ENOSYS);
}

function sys_wasmux_init(t: Task, flagAddr: number): number {
  if (flagAddr) t.mem.check(flagAddr, 4);
  t.sigflagAddr = flagAddr >>> 0;
  const base = t.kernel.loader.buildStartBlock(t);
  t.kernel.signals.recalc(t);
  return base;
}

export const miscSyscalls: SyscallDefs = {
  uname: { handler: sys_uname, level: 'full', note: 'machine is "wasm32".' },
  sethostname: { handler: sys_sethostname, level: 'full' },
  setdomainname: { handler: () => 0, level: 'stub' },
  sysinfo: { handler: sys_sysinfo, level: 'full', note: 'totalram is the sandbox memory limit.' },
  getrandom: { handler: sys_getrandom, level: 'full' },
  futex: { handler: sys_futex, level: 'partial', note: 'Processes are single-threaded: WAKE is a no-op, WAIT returns EAGAIN.' },
  membarrier: { handler: () => 0, level: 'stub' },
  wasmux_init: { handler: sys_wasmux_init, level: 'full', note: 'wasmux private: registers the signal-pending word, returns the argv/envp/auxv block.' },
};

