// /proc/sys (kernel/sysctl.c, fs/proc/proc_sysctl.c): the few read-only values programs look at.
// Writing is not supported (sethostname(2) changes the hostname).
import { MAX_QUEUED_EVENTS, MAX_USER_INSTANCES, MAX_USER_WATCHES } from '../notify/inotify.js';
import { PIPE_SIZE } from '../pipe.js';
import type { Inode } from '../inode.js';
import { SyntheticDir } from '../synthetic.js';
import { UNAME } from '../../sys_misc.js';
import { type ProcFs, textFile } from './common.js';

export function sysctlDir(fs: ProcFs): SyntheticDir {
  const dir = (entries: [string, Inode][]): SyntheticDir => new SyntheticDir(fs.sb, 0o555, () => entries);
  const value = (v: () => string | number): Inode => textFile(fs, 0o444, () => `${v()}\n`);
  const kernel = dir([
    ['domainname', value(() => '(none)')],
    ['hostname', value(() => fs.k.hostname)],
    ['ngroups_max', value(() => 65536)],
    ['osrelease', value(() => UNAME.release)],
    ['ostype', value(() => UNAME.sysname)],
    ['pid_max', value(() => 32768)],
    ['threads-max', value(() => fs.k.maxProcesses)],
    ['version', value(() => UNAME.version)],
  ]);
  const inotify = dir([
    ['max_queued_events', value(() => MAX_QUEUED_EVENTS)],
    ['max_user_instances', value(() => MAX_USER_INSTANCES)],
    ['max_user_watches', value(() => MAX_USER_WATCHES)],
  ]);
  const fsDir = dir([
    ['file-max', value(() => 4096)],
    ['inotify', inotify],
    ['pipe-max-size', value(() => PIPE_SIZE)],
  ]);
  const vm = dir([['overcommit_memory', value(() => 0)]]);
  return dir([['fs', fsDir], ['kernel', kernel], ['vm', vm]]);
}
