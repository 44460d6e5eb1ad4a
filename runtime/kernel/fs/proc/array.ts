// /proc/<pid>/stat, statm and status (fs/proc/array.c, task_mmu.c task_mem/task_statm). wasmux processes
// are single-threaded, use no swap and share no pages, so the thread, swap and sharing fields are fixed.
// A process's memory is its wasm Memory: VmSize is the Memory's size, VmRSS the ranges in use (stack,
// data, brk heap, mappings). CPU time is all user time (the kernel's time is not charged to processes).
import { RLIMIT_RSS, RLIMIT_SIGPENDING } from '../../../abi/sched.js';
import { NSIG, SIG_DFL, SIG_IGN } from '../../../abi/signal.js';
import { pageUp } from '../../mm/mm.js';
import { TaskState, type Task } from '../../proc/task.js';
import { bit } from '../../signal/signal.js';
import { hex16, PAGE, ticks, ulong } from './common.js';

export function stateLetter(t: Task): string {
  switch (t.state) {
    case TaskState.Runnable: case TaskState.Running: return 'R';
    case TaskState.Sleeping: return 'S';
    case TaskState.Stopped: return 'T';
    default: return 'Z';
  }
}

const STATE_NAMES: Record<string, string> = { R: 'R (running)', S: 'S (sleeping)', T: 'T (stopped)', Z: 'Z (zombie)' };

/** Memory of a live process, in bytes (all zero for a zombie). */
export interface MemUsage { size: number; rss: number; data: number; stack: number; exe: number; heap: number }

export function memUsage(t: Task): MemUsage {
  const mm = t.state === TaskState.Zombie ? undefined : t.mm;
  if (!mm) return { size: 0, rss: 0, data: 0, stack: 0, exe: 0, heap: 0 };
  const stack = mm.stackHigh - mm.stackLow;
  const exe = Math.max(0, mm.brkStart - mm.stackHigh);
  const heap = Math.max(0, pageUp(mm.brk) - mm.brkStart);
  const rss = mm.mappedBytes();
  return { size: mm.size, rss, data: rss - stack - exe, stack, exe, heap };
}

/** Signal sets of status and stat: ignored and caught (handled) signals. */
function sigSets(t: Task): { ign: bigint; cgt: bigint } {
  let ign = 0n, cgt = 0n;
  for (let s = 1; s <= NSIG; s++) {
    const h = t.sig.actions[s]?.handler ?? SIG_DFL;
    if (h === SIG_IGN) ign |= bit(s);
    else if (h !== SIG_DFL) cgt |= bit(s);
  }
  return { ign, cgt };
}

const low32 = (v: bigint): string => String(v & 0xffffffffn);

/** /proc/<pid>/stat: one line of 52 fields (proc(5)). */
export function statLine(t: Task): string {
  const mem = memUsage(t);
  const mm = t.state === TaskState.Zombie ? undefined : t.mm;
  const { ign, cgt } = sigSets(t);
  const zombie = t.state === TaskState.Zombie;
  const f: (string | number)[] = [
    t.pid, `(${t.comm})`, stateLetter(t), t.ppid, t.pgid, t.sid,
    0, -1, // tty_nr, tpgid: no controlling terminal
    0x400000, // flags: PF_RANDOMIZE
    0, 0, 0, 0, // minflt, cminflt, majflt, cmajflt
    ticks(t.cpuMs), 0, ticks(t.childCpuMs), 0, // utime, stime, cutime, cstime
    20, 0, 1, 0, // priority, nice, num_threads, itrealvalue
    ticks(t.startTime), mem.size, mem.rss / PAGE, ulong(t.rlimits[RLIMIT_RSS]?.[0] ?? 0n),
    mm ? mm.stackHigh : 0, mm ? mm.brkStart : 0, mm ? mm.stackHigh : 0, // startcode, endcode, startstack
    0, 0, // kstkesp, kstkeip
    low32(t.sig.pending), low32(t.sig.blocked), low32(ign), low32(cgt),
    0, 0, 0, // wchan, nswap, cnswap
    t.exitSignal, 0, 0, 0, // exit_signal, processor, rt_priority, policy
    0, 0, 0, // delayacct_blkio_ticks, guest_time, cguest_time
    mm ? mm.stackHigh : 0, mm ? mm.brkStart : 0, mm ? mm.brkStart : 0, // start_data, end_data, start_brk
    0, 0, 0, 0, // arg_start, arg_end, env_start, env_end
    zombie ? t.exitStatus : 0,
  ];
  return f.join(' ') + '\n';
}

/** /proc/<pid>/statm: size resident shared text lib data dt, in pages. */
export function statmLine(t: Task): string {
  const m = memUsage(t);
  const p = (n: number): number => Math.ceil(n / PAGE);
  return `${p(m.size)} ${p(m.rss)} 0 ${p(m.exe)} 0 ${p(m.data + m.stack)} 0\n`;
}

const kb = (bytes: number): string => `${String(Math.ceil(bytes / 1024)).padStart(8)} kB`;

/** /proc/<pid>/status (proc(5)); fields in Linux 6.1's order. */
export function statusText(t: Task): string {
  const c = t.cred;
  const letter = stateLetter(t);
  const { ign, cgt } = sigSets(t);
  const fds = t.files.entries();
  const maxFd = fds.length ? fds[fds.length - 1]![0] + 1 : 0;
  let npend = 0;
  for (let s = 1; s <= NSIG; s++) if (t.sig.pending & bit(s)) npend++;
  const sigq = t.rlimits[RLIMIT_SIGPENDING]?.[0] ?? 0n;
  const caps = c.euid === 0 ? 0x1ffffffffffn : 0n;
  const lines = [
    `Name:\t${t.comm.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
    `Umask:\t${t.fs.umask.toString(8).padStart(4, '0')}`,
    `State:\t${STATE_NAMES[letter]}`,
    `Tgid:\t${t.pid}`, 'Ngid:\t0', `Pid:\t${t.pid}`, `PPid:\t${t.ppid}`, 'TracerPid:\t0',
    `Uid:\t${c.uid}\t${c.euid}\t${c.suid}\t${c.fsuid}`,
    `Gid:\t${c.gid}\t${c.egid}\t${c.sgid}\t${c.fsgid}`,
    `FDSize:\t${Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(1, maxFd))))}`,
    `Groups:\t${c.groups.join(' ')}`,
    `NStgid:\t${t.pid}`, `NSpid:\t${t.pid}`, `NSpgid:\t${t.pgid}`, `NSsid:\t${t.sid}`,
  ];
  if (t.state !== TaskState.Zombie && t.mm) {
    const m = memUsage(t);
    lines.push(
      `VmPeak:\t${kb(m.size)}`, `VmSize:\t${kb(m.size)}`, `VmLck:\t${kb(0)}`, `VmPin:\t${kb(0)}`,
      `VmHWM:\t${kb(m.rss)}`, `VmRSS:\t${kb(m.rss)}`, `RssAnon:\t${kb(m.rss)}`, `RssFile:\t${kb(0)}`,
      `RssShmem:\t${kb(0)}`, `VmData:\t${kb(m.data)}`, `VmStk:\t${kb(m.stack)}`, `VmExe:\t${kb(m.exe)}`,
      `VmLib:\t${kb(0)}`, `VmPTE:\t${kb(0)}`, `VmSwap:\t${kb(0)}`,
    );
  }
  lines.push(
    `HugetlbPages:\t${kb(0)}`, 'CoreDumping:\t0', 'THP_enabled:\t0', 'Threads:\t1',
    `SigQ:\t${npend}/${ulong(sigq)}`,
    `SigPnd:\t${hex16(0n)}`, `ShdPnd:\t${hex16(t.sig.pending)}`, `SigBlk:\t${hex16(t.sig.blocked)}`,
    `SigIgn:\t${hex16(ign)}`, `SigCgt:\t${hex16(cgt)}`,
    `CapInh:\t${hex16(0n)}`, `CapPrm:\t${hex16(caps)}`, `CapEff:\t${hex16(caps)}`,
    `CapBnd:\t${hex16(0x1ffffffffffn)}`, `CapAmb:\t${hex16(0n)}`,
    'NoNewPrivs:\t0', 'Seccomp:\t0', 'Seccomp_filters:\t0',
    'Speculation_Store_Bypass:\tnot vulnerable', 'SpeculationIndirectBranch:\tnot vulnerable',
    'Cpus_allowed:\t1', 'Cpus_allowed_list:\t0', 'Mems_allowed:\t1', 'Mems_allowed_list:\t0',
    'voluntary_ctxt_switches:\t0', 'nonvoluntary_ctxt_switches:\t0',
  );
  return lines.join('\n') + '\n';
}
