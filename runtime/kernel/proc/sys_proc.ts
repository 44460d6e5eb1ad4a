// Process syscalls (kernel/fork.c, kernel/exit.c, fs/exec.c, kernel/sys.c): clone, execve, exit, wait4,
// waitid, ids, process groups and sessions, credentials, resource limits, prctl.
import { E2BIG, EINVAL, EPERM, ESRCH } from '../../abi/errno.js';
import { P_ALL, P_PGID, P_PID, WEXITED, RLIM_NLIMITS, RLIMIT_NOFILE } from '../../abi/sched.js';
import { CLD_EXITED, SIGCHLD, SIGKILL } from '../../abi/signal.js';
import { isErrno, raise } from '../errors.js';
import { ARG_MAX } from './exec.js';
import { doWait, teardown, W_EXITCODE } from './exit.js';
import { sys_clone } from './fork.js';
import { UNWOUND } from './sched.js';
import { TaskState, type Task } from './task.js';
import type { SyscallDefs } from '../syscalls/types.js';
import { deletePosixTimers } from '../time/posix_timers.js';

function readStrings(t: Task, arr: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (!arr) return out;
  let total = 0;
  for (let i = 0; ; i++) {
    const p = t.mem.u32(arr + i * 4);
    if (!p) break;
    const b = t.mem.cbytes(p, ARG_MAX);
    total += b.length + 1 + 4;
    if (total > ARG_MAX) raise(E2BIG);
    out.push(b);
  }
  return out;
}

function sys_execve(t: Task, path: number, argv: number, envp: number): number {
  const k = t.kernel;
  const p = t.mem.cstring(path);
  const img = k.loader.load(t, p, readStrings(t, argv), readStrings(t, envp));
  // Point of no return.
  t.files.closeOnExec();
  deletePosixTimers(t);
  t.sig.exec();
  t.sig.savedMask = null;
  if (t.vforkParent) { const vp = t.vforkParent; t.vforkParent = null; k.sched.wake(vp); }
  k.sched.suspend(t, () => {
    t.mm.destroy();
    try {
      k.loader.start(t, img);
    } catch (e) {
      // Past the point of no return there is no caller to report to: as on Linux, the process dies
      // (SIGKILL). Running out of memory is expected; anything else is a kernel bug.
      if (!isErrno(e) && !(e instanceof RangeError)) k.reportBug('execve', e);
      teardown(k, t, SIGKILL);
      return;
    }
    k.sched.enqueue(t);
  });
  throw UNWOUND;
}

function sys_exit_group(t: Task, code: number): number {
  t.kernel.exitTask(t, W_EXITCODE(code));
  throw UNWOUND;
}

function sys_wait4(t: Task, pid: number, status: number, options: number, rusage: number): number {
  let idtype = P_PID, id = pid;
  if (pid < -1) { idtype = P_PGID; id = -pid; }
  else if (pid === -1) { idtype = P_ALL; id = 0; }
  else if (pid === 0) { idtype = P_PGID; id = 0; }
  if (status) t.mem.check(status, 4);
  const r = doWait(t, idtype, id, options | WEXITED);
  if (!r) return 0;
  if (status) t.mem.setI32(status, r.status);
  if (rusage) writeRusage(t, rusage, r.child.cpuMs + r.child.childCpuMs);
  return r.child.pid;
}

function sys_waitid(t: Task, idtype: number, id: number, infop: number, options: number, rusage: number): number {
  if (idtype !== P_ALL && idtype !== P_PID && idtype !== P_PGID) raise(EINVAL);
  if (!(options & (WEXITED | 2 | 8))) raise(EINVAL);
  const r = doWait(t, idtype, id, options);
  if (infop) t.mem.zero(infop, 128);
  if (!r) return 0;
  if (infop) {
    const m = t.mem;
    m.setI32(infop, SIGCHLD);
    m.setI32(infop + 8, r.code);
    m.setI32(infop + 12, r.child.pid);
    m.setI32(infop + 16, r.child.cred.uid);
    const s = r.status;
    const val = r.code === CLD_EXITED || r.code === 5 /* CLD_STOPPED */ ? (s >> 8) & 0xff
      : r.code === 6 /* CLD_CONTINUED */ ? 18 /* SIGCONT */ : s & 0x7f;
    m.setI32(infop + 20, val);
  }
  if (rusage) writeRusage(t, rusage, r.child.cpuMs);
  return 0;
}

/** struct rusage with 32-bit timevals (72 bytes on ILP32): user time filled, the rest zero. */
export function writeRusage(t: Task, addr: number, cpuMs: number): void {
  t.mem.zero(addr, 72);
  const us = Math.round(cpuMs * 1000);
  t.mem.setI32(addr, Math.floor(us / 1e6));
  t.mem.setI32(addr + 4, us % 1e6);
}

function sys_getrusage(t: Task, who: number, addr: number): number {
  if (who === 0) writeRusage(t, addr, t.cpuMs);
  else if (who === -1) writeRusage(t, addr, t.childCpuMs);
  else raise(EINVAL);
  return 0;
}

function sys_times(t: Task, buf: number): number {
  const ticks = (ms: number): number => Math.floor(ms / 10);
  if (buf) {
    t.mem.setI32(buf, ticks(t.cpuMs));
    t.mem.setI32(buf + 4, 0);
    t.mem.setI32(buf + 8, ticks(t.childCpuMs));
    t.mem.setI32(buf + 12, 0);
  }
  return ticks(t.kernel.now()) | 0;
}

function find(t: Task, pid: number): Task {
  if (pid === 0) return t;
  const x = t.kernel.tasks.get(pid);
  if (!x) raise(ESRCH);
  return x;
}

function sys_setpgid(t: Task, pid: number, pgid: number): number {
  if (pgid < 0) raise(EINVAL);
  const x = find(t, pid);
  if (x !== t && x.parent !== t) raise(ESRCH);
  if (x.sid !== t.sid) raise(EPERM);
  if (x.pid === x.sid) raise(EPERM);
  const target = pgid === 0 ? x.pid : pgid;
  if (target !== x.pid) {
    let ok = false;
    for (const o of t.kernel.tasks.values()) if (o.pgid === target && o.sid === t.sid) { ok = true; break; }
    if (!ok) raise(EPERM);
  }
  x.pgid = target;
  return 0;
}

function sys_getpgid(t: Task, pid: number): number { return find(t, pid).pgid; }
function sys_getsid(t: Task, pid: number): number { return find(t, pid).sid; }

function sys_setsid(t: Task): number {
  // A process group leader cannot start a session, nor can anyone while a group with its id exists.
  if (t.pgid === t.pid) raise(EPERM);
  for (const o of t.kernel.tasks.values()) if (o.pgid === t.pid && o.state !== TaskState.Zombie) raise(EPERM);
  t.sid = t.pid;
  t.pgid = t.pid;
  t.ctty = null;
  return t.pid;
}

function setIds(t: Task, r: number, e: number, s: number, isUid: boolean): number {
  const c = t.cred;
  const cur = isUid ? [c.uid, c.euid, c.suid] : [c.gid, c.egid, c.sgid];
  const priv = c.euid === 0;
  for (const v of [r, e, s]) if (v !== -1 && !priv && !cur.includes(v)) raise(EPERM);
  if (isUid) {
    if (r !== -1) c.uid = r;
    if (e !== -1) c.euid = e;
    if (s !== -1) c.suid = s;
    c.fsuid = c.euid;
  } else {
    if (r !== -1) c.gid = r;
    if (e !== -1) c.egid = e;
    if (s !== -1) c.sgid = s;
    c.fsgid = c.egid;
  }
  return 0;
}

function sys_setuid(t: Task, uid: number): number {
  if (t.cred.euid === 0) return setIds(t, uid, uid, uid, true);
  return setIds(t, -1, uid, -1, true);
}
function sys_setgid(t: Task, gid: number): number {
  if (t.cred.euid === 0) return setIds(t, gid, gid, gid, false);
  return setIds(t, -1, gid, -1, false);
}

function putIds(t: Task, a: number, b: number, c: number, v: number[]): number {
  t.mem.setU32(a, v[0]!); t.mem.setU32(b, v[1]!); t.mem.setU32(c, v[2]!);
  return 0;
}

function sys_getgroups(t: Task, size: number, list: number): number {
  const g = t.cred.groups;
  if (size === 0) return g.length;
  if (size < g.length) raise(EINVAL);
  g.forEach((v, i) => t.mem.setU32(list + i * 4, v));
  return g.length;
}

function sys_setgroups(t: Task, size: number, list: number): number {
  if (t.cred.euid !== 0) raise(EPERM);
  if (size < 0 || size > 65536) raise(EINVAL);
  const g: number[] = [];
  for (let i = 0; i < size; i++) g.push(t.mem.u32(list + i * 4));
  t.cred.groups = g;
  return 0;
}

function sys_prlimit64(t: Task, pid: number, res: number, nw: number, old: number): number {
  const x = find(t, pid);
  if (res < 0 || res >= RLIM_NLIMITS) raise(EINVAL);
  const cur = x.rlimits[res]!;
  if (old) { t.mem.setU64(old, cur[0]); t.mem.setU64(old + 8, cur[1]); }
  if (nw) {
    const soft = t.mem.u64big(nw), hard = t.mem.u64big(nw + 8);
    if (soft > hard) raise(EINVAL);
    if (hard > cur[1] && t.cred.euid !== 0) raise(EPERM);
    x.rlimits[res] = [soft, hard];
    if (res === RLIMIT_NOFILE) x.files.limit = Number(soft > 65536n ? 65536n : soft);
  }
  return 0;
}

function sys_getrlimit(t: Task, res: number, addr: number): number {
  if (res < 0 || res >= RLIM_NLIMITS) raise(EINVAL);
  const [s, h] = t.rlimits[res]!;
  const clamp = (v: bigint): number => (v > 0xffffffffn ? 0xffffffff : Number(v));
  t.mem.setU32(addr, clamp(s)); t.mem.setU32(addr + 4, clamp(h));
  return 0;
}

function sys_setrlimit(t: Task, res: number, addr: number): number {
  if (res < 0 || res >= RLIM_NLIMITS) raise(EINVAL);
  const wide = (v: number): bigint => (v === 0xffffffff ? 0xffffffffffffffffn : BigInt(v));
  const soft = wide(t.mem.u32(addr)), hard = wide(t.mem.u32(addr + 4));
  if (soft > hard) raise(EINVAL);
  if (hard > t.rlimits[res]![1] && t.cred.euid !== 0) raise(EPERM);
  t.rlimits[res] = [soft, hard];
  if (res === RLIMIT_NOFILE) t.files.limit = Number(soft > 65536n ? 65536n : soft);
  return 0;
}

function sys_prctl(t: Task, op: number, arg2: number): number {
  if (op === 15) { t.comm = t.mem.cstring(arg2, 16).slice(0, 15); return 0; } // PR_SET_NAME
  if (op === 16) { t.mem.writeCString(arg2, t.comm, 16); return 0; } // PR_GET_NAME
  if (op === 1 || op === 2 || op === 36 || op === 38) return 0; // PDEATHSIG, CHILD_SUBREAPER, NO_NEW_PRIVS
  return raise(EINVAL);
}

export const procSyscalls: SyscallDefs = {
  clone: { handler: sys_clone, level: 'partial', note: 'No threads (CLONE_THREAD: ENOSYS). CLONE_VM is not shared: the child gets a copy. CLONE_VFORK waits for exec/exit.' },
  execve: { handler: sys_execve, level: 'full', note: 'Runs wasm modules and #! scripts; ELF gives ENOEXEC.' },
  exit: { handler: sys_exit_group, level: 'full', note: 'Same as exit_group (no threads).' },
  exit_group: { handler: sys_exit_group, level: 'full' },
  wait4: { handler: sys_wait4, level: 'full', note: 'rusage reports user time only.' },
  waitid: { handler: sys_waitid, level: 'full' },
  getpid: { handler: (t) => t.pid, level: 'full' },
  gettid: { handler: (t) => t.pid, level: 'full' },
  getppid: { handler: (t) => t.ppid, level: 'full' },
  getuid: { handler: (t) => t.cred.uid, level: 'full' },
  geteuid: { handler: (t) => t.cred.euid, level: 'full' },
  getgid: { handler: (t) => t.cred.gid, level: 'full' },
  getegid: { handler: (t) => t.cred.egid, level: 'full' },
  getresuid: { handler: (t, a, b, c) => putIds(t, a, b, c, [t.cred.uid, t.cred.euid, t.cred.suid]), level: 'full' },
  getresgid: { handler: (t, a, b, c) => putIds(t, a, b, c, [t.cred.gid, t.cred.egid, t.cred.sgid]), level: 'full' },
  setuid: { handler: sys_setuid, level: 'full' },
  setgid: { handler: sys_setgid, level: 'full' },
  setreuid: { handler: (t, r, e) => setIds(t, r, e, -1, true), level: 'partial', note: 'saved id not updated.' },
  setregid: { handler: (t, r, e) => setIds(t, r, e, -1, false), level: 'partial', note: 'saved id not updated.' },
  setresuid: { handler: (t, r, e, s) => setIds(t, r, e, s, true), level: 'full' },
  setresgid: { handler: (t, r, e, s) => setIds(t, r, e, s, false), level: 'full' },
  setfsuid: { handler: (t, u) => { const o = t.cred.fsuid; if (t.cred.euid === 0) t.cred.fsuid = u; return o; }, level: 'full' },
  setfsgid: { handler: (t, g) => { const o = t.cred.fsgid; if (t.cred.euid === 0) t.cred.fsgid = g; return o; }, level: 'full' },
  getgroups: { handler: sys_getgroups, level: 'full' },
  setgroups: { handler: sys_setgroups, level: 'full' },
  setpgid: { handler: sys_setpgid, level: 'full' },
  getpgid: { handler: sys_getpgid, level: 'full' },
  getsid: { handler: sys_getsid, level: 'full' },
  setsid: { handler: sys_setsid, level: 'full' },
  prlimit64: { handler: sys_prlimit64, level: 'partial', note: 'Limits are recorded; only RLIMIT_NOFILE is enforced (sandbox-wide process and memory limits apply).' },
  getrlimit: { handler: sys_getrlimit, level: 'full' },
  setrlimit: { handler: sys_setrlimit, level: 'partial', note: 'As prlimit64, with 32-bit limits (RLIM_INFINITY is 0xffffffff).' },
  getrusage: { handler: sys_getrusage, level: 'partial', note: 'User time only.' },
  times: { handler: sys_times, level: 'partial' },
  prctl: { handler: sys_prctl, level: 'partial', note: 'PR_SET_NAME/PR_GET_NAME; a few options accepted as no-ops; others EINVAL.' },
  set_tid_address: { handler: (t) => t.pid, level: 'full' },
  set_robust_list: { handler: () => 0, level: 'stub' },
  getpriority: { handler: () => 20, level: 'stub', note: 'Always nice 0.' },
  setpriority: { handler: () => 0, level: 'stub' },
  sched_yield: { handler: () => 0, level: 'partial' },
  getcpu: { handler: (t, cpu, node) => { if (cpu) t.mem.setU32(cpu, 0); if (node) t.mem.setU32(node, 0); return 0; }, level: 'full' },
};

