// The proc filesystem (fs/proc/root.c, fs/proc/self.c, thread_self.c): system files, /proc/sys, the
// self and thread-self links, and one directory per process (live or zombie). Mounted on /proc by the
// kernel; see proc(5) for the file formats.
import type { Kernel } from '../../kernel.js';
import type { Task } from '../../proc/task.js';
import { type DirInode, type Inode, LnkInode } from '../inode.js';
import { makedev } from '../stat.js';
import { SyntheticDir, syntheticSuper, TaskLink } from '../synthetic.js';
import { PROC_SUPER_MAGIC } from '../tmpfs.js';
import { pidDir } from './base.js';
import { type ProcFs, textFile } from './common.js';
import { filesystemsText } from './mounts.js';
import { sysctlDir } from './sysctl.js';
import { cpuinfoText, loadavgText, meminfoText, statText, uptimeText, versionText } from './system.js';

export const PROC_DEV = makedev(0, 20);

export function makeProcfs(k: Kernel): DirInode {
  const sb = syntheticSuper(PROC_DEV, 'proc', PROC_SUPER_MAGIC, k.vfs.allocMntId());
  const fs: ProcFs = { k, sb };
  const file = (gen: () => string): Inode => textFile(fs, 0o444, gen);
  const fixed: [string, Inode][] = [
    ['cmdline', file(() => 'wasmux\n')],
    ['cpuinfo', file(cpuinfoText)],
    ['diskstats', file(() => '')],
    ['filesystems', file(filesystemsText)],
    ['loadavg', file(() => loadavgText(k))],
    ['meminfo', file(() => meminfoText(k))],
    ['mounts', new LnkInode(sb, 'self/mounts', 0, 0)],
    ['self', new TaskLink(sb, (t) => (t ? String(t.pid) : ''))],
    ['stat', file(() => statText(k))],
    ['swaps', file(() => 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n')],
    ['sys', sysctlDir(fs)],
    ['thread-self', new TaskLink(sb, (t) => (t ? `${t.pid}/task/${t.pid}` : ''))],
    ['uptime', file(() => uptimeText(k))],
    ['version', file(versionText)],
  ];
  const pids = new Map<number, { task: Task; dir: SyntheticDir }>();
  const list = (): [string, Inode][] => {
    const out = [...fixed];
    for (const [pid, task] of k.tasks) {
      let e = pids.get(pid);
      if (!e || e.task !== task) { e = { task, dir: pidDir(fs, task) }; pids.set(pid, e); }
      e.dir.uid = task.cred.euid;
      e.dir.gid = task.cred.egid;
      out.push([String(pid), e.dir]);
    }
    for (const [pid, e] of pids) if (k.tasks.get(pid) !== e.task) pids.delete(pid);
    return out;
  };
  return new SyntheticDir(sb, 0o555, list);
}
