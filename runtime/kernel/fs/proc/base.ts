// /proc/<pid> and /proc/<pid>/task/<tid> (fs/proc/base.c): one directory per process, built when it is
// first looked up and kept while the process exists, so its inode numbers stay stable. Files are
// generated for the reader when opened; links to the process's fds, cwd, root and executable are magic
// links, readable by root and by the process's own user.
import { RLIM_INFINITY, RLIM_NLIMITS } from '../../../abi/sched.js';
import { Cred } from '../../proc/cred.js';
import type { Task } from '../../proc/task.js';
import { pageUp } from '../../mm/mm.js';
import type { Inode } from '../inode.js';
import { Nameidata, pathOf, walk } from '../namei.js';
import { MagicLink, SyntheticDir } from '../synthetic.js';
import { statLine, statmLine, statusText } from './array.js';
import { bytesFile, mayInspect, type ProcFs, requireAlive, textFile } from './common.js';
import { fdDirs } from './fd.js';
import { mountinfoText, mountsText } from './mounts.js';

const ROOT = new Cred(0, 0);
const enc = new TextEncoder();

/** NUL-terminated strings, as cmdline and environ show them. */
function nulJoin(parts: (string | Uint8Array)[]): Uint8Array {
  const bs = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : p));
  const out = new Uint8Array(bs.reduce((n, b) => n + b.length + 1, 0));
  let at = 0;
  for (const b of bs) { out.set(b, at); at += b.length + 1; }
  return out;
}

const LIMITS: [string, string][] = [
  ['Max cpu time', 'seconds'], ['Max file size', 'bytes'], ['Max data size', 'bytes'],
  ['Max stack size', 'bytes'], ['Max core file size', 'bytes'], ['Max resident set', 'bytes'],
  ['Max processes', 'processes'], ['Max open files', 'files'], ['Max locked memory', 'bytes'],
  ['Max address space', 'bytes'], ['Max file locks', 'locks'], ['Max pending signals', 'signals'],
  ['Max msgqueue size', 'bytes'], ['Max nice priority', ''], ['Max realtime priority', ''],
  ['Max realtime timeout', 'us'],
];

function limitsText(t: Task): string {
  let s = `${'Limit'.padEnd(25)} ${'Soft Limit'.padEnd(20)} ${'Hard Limit'.padEnd(20)} ${'Units'.padEnd(10)}\n`;
  const v = (x: bigint): string => (x === RLIM_INFINITY ? 'unlimited' : String(x)).padEnd(20);
  for (let i = 0; i < RLIM_NLIMITS; i++) {
    const [name, unit] = LIMITS[i]!;
    const [cur, max] = t.rlimits[i] ?? [RLIM_INFINITY, RLIM_INFINITY];
    s += `${name.padEnd(25)} ${v(cur)} ${v(max)} ${unit ? unit.padEnd(10) : ''}\n`;
  }
  return s;
}

/** /proc/<pid>/maps: the stack, the data segment, the brk heap and each mapping (all private, anonymous). */
function mapsText(t: Task): string {
  const mm = t.mm;
  if (!mm || !t.alive) return '';
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  const line = (s: number, e: number, name = ''): string => {
    const head = `${hex(s)}-${hex(e)} rw-p 00000000 00:00 0 `;
    return (name ? head.padEnd(48) + name : head) + '\n';
  };
  let out = '';
  if (mm.stackHigh > mm.stackLow) out += line(mm.stackLow, mm.stackHigh, '[stack]');
  if (mm.brkStart > mm.stackHigh) out += line(mm.stackHigh, mm.brkStart, t.exePath);
  if (pageUp(mm.brk) > mm.brkStart) out += line(mm.brkStart, pageUp(mm.brk), '[heap]');
  for (const r of mm.maps) out += line(r.start, r.end);
  return out;
}

/** /proc/<pid>/smaps: maps, each followed by its sizes (everything is private, anonymous and resident). */
function smapsText(t: Task): string {
  return mapsText(t).split('\n').filter((l) => l).map((l) => {
    const [s, e] = l.slice(0, 17).split('-').map((x) => parseInt(x, 16)) as [number, number];
    const kb = (e - s) / 1024;
    const row = (name: string, v: number): string => `${(name + ':').padEnd(16)}${String(v).padStart(8)} kB\n`;
    return `${l}\n${row('Size', kb)}${row('KernelPageSize', 4)}${row('MMUPageSize', 4)}${row('Rss', kb)}`
      + `${row('Pss', kb)}${row('Shared_Clean', 0)}${row('Shared_Dirty', 0)}${row('Private_Clean', 0)}`
      + `${row('Private_Dirty', kb)}${row('Referenced', kb)}${row('Anonymous', kb)}${row('LazyFree', 0)}`
      + `${row('AnonHugePages', 0)}${row('ShmemPmdMapped', 0)}${row('FilePmdMapped', 0)}`
      + `${row('Shared_Hugetlb', 0)}${row('Private_Hugetlb', 0)}${row('Swap', 0)}${row('SwapPss', 0)}`
      + `${row('Locked', 0)}THPeligible:    0\nVmFlags: rd wr mr mw me ac \n`;
  }).join('');
}

/** The directory of `t` (/proc/<pid>), or of its one thread (/proc/<pid>/task/<pid>) when `thread`. */
export function pidDir(fs: ProcFs, t: Task, thread = false): SyntheticDir {
  let entries: [string, Inode][] | null = null;
  const build = (): [string, Inode][] => {
    const { sb } = fs;
    const reader = (r: Task | null): Task => r ?? t;
    const inspect = (r: Task | null): void => { mayInspect(r, t); requireAlive(t); };
    const { fd, fdinfo } = fdDirs(fs, t);
    const e: [string, Inode][] = [];
    if (!thread) {
      let self: SyntheticDir | null = null;
      e.push(['task', new SyntheticDir(sb, 0o555, () => [[String(t.pid), self ??= pidDir(fs, t, true)]])]);
    }
    e.push(
      ['fd', fd],
      ['fdinfo', fdinfo],
      ['environ', bytesFile(fs, 0o400, (r) => {
        mayInspect(r, t);
        return t.alive && t.startImage ? nulJoin(t.startImage.envp) : new Uint8Array(0);
      })],
      ['status', textFile(fs, 0o444, () => statusText(t))],
      ['limits', textFile(fs, 0o444, () => limitsText(t))],
      ['comm', textFile(fs, 0o444, () => `${t.comm}\n`)],
      ['cmdline', bytesFile(fs, 0o444, () => (t.alive ? nulJoin(t.argv) : new Uint8Array(0)))],
      ['stat', textFile(fs, 0o444, () => statLine(t))],
      ['statm', textFile(fs, 0o444, () => statmLine(t))],
      ['maps', textFile(fs, 0o444, (r) => { mayInspect(r, t); return mapsText(t); })],
      ['smaps', textFile(fs, 0o444, (r) => { mayInspect(r, t); return smapsText(t); })],
      ['cwd', new MagicLink(sb, (r) => {
        inspect(r);
        return pathOf(reader(r).fs.root, t.fs.cwd) ?? `/${t.fs.cwd.name} (deleted)`;
      }, (r) => { inspect(r); return t.fs.cwd; })],
      ['root', new MagicLink(sb, (r) => {
        inspect(r);
        return pathOf(reader(r).fs.root, t.fs.root) ?? '/';
      }, (r) => { inspect(r); return t.fs.root; })],
      ['exe', new MagicLink(sb, (r) => { inspect(r); return t.exePath; },
        (r) => { inspect(r); return walk(new Nameidata(t, ROOT, t.fs.root), t.fs.root, t.exePath, true); })],
      ['mounts', textFile(fs, 0o444, () => mountsText(fs.k.vfs, t))],
      ['mountinfo', textFile(fs, 0o444, () => mountinfoText(fs.k.vfs, t))],
    );
    return e;
  };
  const dir = new SyntheticDir(fs.sb, 0o555, () => {
    entries ??= build();
    const { euid, egid } = t.cred;
    for (const [, n] of entries) { n.uid = euid; n.gid = egid; }
    return entries;
  });
  return dir;
}
