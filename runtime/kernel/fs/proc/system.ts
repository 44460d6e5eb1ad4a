// System-wide /proc files: meminfo (fs/proc/meminfo.c), cpuinfo (arch/*/kernel/cpu/proc.c), uptime
// (fs/proc/uptime.c), loadavg (fs/proc/loadavg.c), stat (fs/proc/stat.c), version (fs/proc/version.c).
// The machine is the sandbox: its memory is the sandbox limit (kernel.maxMemory) of which process
// memory and tmpfs data are in use; it has one CPU; the load average is the number of runnable tasks
// now (wasmux keeps no decaying average; sysinfo(2) reports the same); time is kernel.now().
import type { Kernel } from '../../kernel.js';
import { TaskState } from '../../proc/task.js';
import { UNAME } from '../../sys_misc.js';
import { ticks } from './common.js';
import { mountedRoots } from './mounts.js';

function runnable(k: Kernel): number {
  let n = 0;
  for (const t of k.tasks.values()) if (t.state === TaskState.Runnable || t.state === TaskState.Running) n++;
  return n;
}

/** Bytes of file data and nodes held by the in-memory filesystems (tmpfs counts as Cached and Shmem). */
function fsBytes(k: Kernel): number {
  let n = 0;
  for (const r of mountedRoots(k.vfs)) if (r.sb.type !== 'proc') n += r.sb.used;
  return n;
}

export function meminfoText(k: Kernel): string {
  const total = k.maxMemory;
  const used = Math.min(total, k.memoryInUse);
  const cached = Math.min(used, fsBytes(k));
  const free = total - used;
  const rows: [string, number][] = [
    ['MemTotal', total], ['MemFree', free], ['MemAvailable', free], ['Buffers', 0], ['Cached', cached],
    ['SwapCached', 0], ['Active', used], ['Inactive', 0], ['Active(anon)', used - cached],
    ['Inactive(anon)', 0], ['Active(file)', cached], ['Inactive(file)', 0], ['Unevictable', 0],
    ['Mlocked', 0], ['SwapTotal', 0], ['SwapFree', 0], ['Dirty', 0], ['Writeback', 0],
    ['AnonPages', used - cached], ['Mapped', 0], ['Shmem', cached], ['KReclaimable', 0], ['Slab', 0],
    ['SReclaimable', 0], ['SUnreclaim', 0], ['KernelStack', 0], ['PageTables', 0], ['NFS_Unstable', 0],
    ['Bounce', 0], ['WritebackTmp', 0], ['CommitLimit', total], ['Committed_AS', used],
    ['VmallocTotal', 0], ['VmallocUsed', 0], ['VmallocChunk', 0], ['Percpu', 0],
    ['AnonHugePages', 0], ['ShmemHugePages', 0], ['ShmemPmdMapped', 0], ['FileHugePages', 0],
    ['FilePmdMapped', 0],
  ];
  let s = '';
  for (const [name, bytes] of rows) s += `${(name + ':').padEnd(16)}${String(Math.floor(bytes / 1024)).padStart(8)} kB\n`;
  for (const name of ['HugePages_Total', 'HugePages_Free', 'HugePages_Rsvd', 'HugePages_Surp']) {
    s += `${(name + ':').padEnd(16)}${'0'.padStart(8)}\n`;
  }
  s += `${'Hugepagesize:'.padEnd(16)}${'2048'.padStart(8)} kB\n${'Hugetlb:'.padEnd(16)}${'0'.padStart(8)} kB\n`;
  return s;
}

export function cpuinfoText(): string {
  return 'processor\t: 0\nvendor_id\t: wasmux\nmodel name\t: wasm32\ncpu MHz\t\t: 1000.000\n'
    + 'cpu cores\t: 1\nbogomips\t: 2000.00\nflags\t\t:\n\n';
}

/** CPU time used by all processes, in ms: live tasks and zombies, plus what reaped ones left to their parents. */
const busyHigh = new WeakMap<Kernel, number>();
function busyMs(k: Kernel): number {
  let ms = 0;
  for (const t of k.tasks.values()) ms += t.cpuMs + t.childCpuMs;
  // Orphans reaped without a parent take their time with them: never let the total go backwards.
  const high = Math.max(ms, busyHigh.get(k) ?? 0);
  busyHigh.set(k, high);
  return Math.min(high, k.now());
}

export function uptimeText(k: Kernel): string {
  const up = k.now() / 1000;
  const idle = Math.max(0, up - busyMs(k) / 1000);
  return `${up.toFixed(2)} ${idle.toFixed(2)}\n`;
}

/** The most recently created pid (the task table keeps creation order). */
function lastPid(k: Kernel): number {
  let last = 0;
  for (const pid of k.tasks.keys()) last = pid;
  return last;
}

export function loadavgText(k: Kernel): string {
  const r = runnable(k);
  const l = r.toFixed(2);
  return `${l} ${l} ${l} ${r}/${k.tasks.size} ${lastPid(k)}\n`;
}

/** Boot time in seconds since the epoch, consistent with uptime (wallclock now minus uptime). */
export function bootTimeSec(k: Kernel): number {
  return Math.floor((k.host.wallclock() - k.now()) / 1000);
}

export function statText(k: Kernel): string {
  const user = ticks(busyMs(k));
  const idle = Math.max(0, ticks(k.now()) - user);
  const cpu = `${user} 0 0 ${idle} 0 0 0 0 0 0`;
  return `cpu  ${cpu}\ncpu0 ${cpu}\nintr 0\nctxt 0\nbtime ${bootTimeSec(k)}\nprocesses ${lastPid(k)}\n`
    + `procs_running ${runnable(k)}\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n`;
}

export function versionText(): string {
  return `Linux version ${UNAME.release} (wasmux@wasmux) (clang, wasm-ld) ${UNAME.version}\n`;
}
