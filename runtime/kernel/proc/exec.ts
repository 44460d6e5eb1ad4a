// Program loading and execve (fs/exec.c, fs/binfmt_script.c). A program is a wasm module (magic \0asm)
// compiled once per file identity and cached, or a `#!` script run by its interpreter. The new process
// image gets a fresh Memory; its argv/envp/auxv block is laid out like a Linux initial stack when the
// program's _start asks for it (wasmux_init).
import { E2BIG, EACCES, ENOENT, ENOEXEC, ELOOP } from '../../abi/errno.js';
import {
  AT_CLKTCK, AT_EGID, AT_EUID, AT_EXECFN, AT_GID, AT_HWCAP, AT_NULL, AT_PAGESZ, AT_RANDOM, AT_SECURE, AT_UID,
} from '../../abi/sched.js';
import { raise, isErrno } from '../errors.js';
import { AddressSpace, BRK_GAP } from '../mm/mm.js';
import { UserMemory, encodeUtf8, decodeUtf8 } from '../mm/uaccess.js';
import { makeImports } from '../syscalls/dispatch.js';
import { FUEL } from './sched.js';
import type { Kernel } from '../kernel.js';
import type { Task, ProcExports } from './task.js';

export interface ProgramImage {
  module: WebAssembly.Module;
  minPages: number;
  argv: Uint8Array[];
  envp: Uint8Array[];
  execfn: string;
  path: string;
}

export const ARG_MAX = 2 * 1024 * 1024;
const UNWIND_SIZE = 1024 * 1024;
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Minimum pages of the `env.memory` import, read from the module's import section. */
export function memoryMinPages(bytes: Uint8Array): number {
  let p = 8;
  const u = (): number => { let r = 0, s = 0, b; do { b = bytes[p++]!; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const skipName = (): void => { const n = u(); p += n; };
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const size = u();
    const end = p + size;
    if (id === 2) {
      const count = u();
      for (let i = 0; i < count; i++) {
        skipName(); skipName();
        const kind = bytes[p++]!;
        if (kind === 0) u();
        else if (kind === 1) { p++; const fl = u(); u(); if (fl & 1) u(); }
        else if (kind === 2) { const fl = u(); const min = u(); if (fl & 1) u(); return min; }
        else if (kind === 3) { p += 2; }
        else if (kind === 4) { p++; u(); }
      }
    }
    p = end;
  }
  return 0;
}

/**
 * Compiled modules by file identity (image hash + inode, or a tmpfs node version). Shared by every kernel
 * in this JS realm: Modules are immutable, and several sandboxes of one image should compile busybox once.
 */
const moduleCache = new Map<string, { module: WebAssembly.Module; minPages: number }>();
const MODULE_CACHE_MAX = 64;

export class Loader {
  private cache = moduleCache;

  constructor(private readonly k: Kernel) {}

  /** Cached modules (file identity -> compiled module). Hosts may pre-warm it with `prime`. */
  get moduleCount(): number { return this.cache.size; }

  prime(id: string, module: WebAssembly.Module, bytes: Uint8Array): void {
    this.cache.set(id, { module, minPages: memoryMinPages(bytes) });
  }

  /** Resolve a command name through PATH (for host spawns; execvp in libc does its own search). */
  searchPath(t: Task, name: string, env: string[]): string {
    if (name.includes('/')) return name;
    const pathVar = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/bin:/bin';
    for (const dir of pathVar.split(':')) {
      const p = `${dir || '.'}/${name}`;
      try { this.k.vfs.resolveExec(t, p); return p; } catch (e) { if (!isErrno(e)) throw e; }
    }
    return raise(ENOENT);
  }

  /** Everything execve does before the point of no return; raises errno on failure. */
  load(t: Task, path: string, argv: (string | Uint8Array)[], envp: (string | Uint8Array)[], depth = 0): ProgramImage {
    if (depth > 4) raise(ELOOP);
    const ex = this.k.vfs.resolveExec(t, path);
    const bytes = ex.bytes;
    const args = argv.map((a) => (typeof a === 'string' ? encodeUtf8(a) : a));
    const envs = envp.map((a) => (typeof a === 'string' ? encodeUtf8(a) : a));
    let total = 0;
    for (const a of args) total += a.length + 5;
    for (const a of envs) total += a.length + 5;
    if (total > ARG_MAX) raise(E2BIG);
    if (bytes.length >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b)) {
      let c = this.cache.get(ex.id);
      if (!c) {
        let module: WebAssembly.Module;
        try { module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>); } catch { return raise(ENOEXEC); }
        c = { module, minPages: memoryMinPages(bytes) };
        if (this.cache.size >= MODULE_CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(ex.id, c);
      }
      return { module: c.module, minPages: c.minPages, argv: args, envp: envs, path: ex.path, execfn: path };
    }
    if (bytes.length >= 2 && bytes[0] === 0x23 && bytes[1] === 0x21) {
      let nl = bytes.indexOf(0x0a);
      if (nl < 0) nl = Math.min(bytes.length, 256);
      const line = decodeUtf8(bytes.subarray(2, Math.min(nl, 256))).trim();
      if (!line) raise(ENOEXEC);
      const sp = line.search(/[ \t]/);
      const interp = sp < 0 ? line : line.slice(0, sp);
      const optarg = sp < 0 ? '' : line.slice(sp).trim();
      const nargv: (string | Uint8Array)[] = [interp];
      if (optarg) nargv.push(optarg);
      nargv.push(path, ...args.slice(1));
      const img = this.load(t, interp, nargv, envs, depth + 1);
      img.execfn = path;
      return img;
    }
    return raise(ENOEXEC);
  }

  /** Give `t` a fresh instance of `img` (spawn and the second half of execve). */
  start(t: Task, img: ProgramImage): void {
    // Room for the module's own memory, the gap kept for brk, the unwind buffer and the start block.
    const initial = img.minPages + Math.ceil((BRK_GAP + UNWIND_SIZE) / 65536) + 2;
    const memory = new WebAssembly.Memory({ initial, maximum: 65536 });
    const instance = new WebAssembly.Instance(img.module, makeImports(this.k, t, memory));
    const ex = instance.exports as unknown as ProcExports;
    const g = (n: string): number => {
      const v = ex[n] as WebAssembly.Global | undefined;
      return v ? (v.value as number) : 0;
    };
    const heapBase = g('__heap_base');
    const stackHigh = g('__stack_high') || 1048576;
    const stackLow = g('__stack_low');
    t.module = img.module;
    t.instance = instance;
    t.ex = ex;
    t.mem = new UserMemory(memory);
    t.mm = new AddressSpace(memory, stackLow, stackHigh, heapBase, this.k.account);
    t.unwindSize = UNWIND_SIZE;
    t.unwindBuf = t.mm.map(UNWIND_SIZE);
    t.needRewind = false;
    t.rewinding = false;
    t.resumeValue = undefined;
    t.sigflagAddr = 0;
    t.startImage = img;
    const fuel = ex['wasmux_fuel'] as WebAssembly.Global | undefined;
    if (fuel) fuel.value = FUEL;
    t.exePath = img.path;
    t.argv = img.argv.map(decodeUtf8);
    const base = img.execfn.slice(img.execfn.lastIndexOf('/') + 1);
    t.comm = base.slice(0, 15);
  }

  /** wasmux_init: map and fill the initial argv/envp/auxv block; returns its address. */
  buildStartBlock(t: Task): number {
    const img = t.startImage;
    if (!img) raise(EACCES);
    const execfn = encodeUtf8(img.execfn);
    const auxv: [number, number][] = [];
    const nptr = 1 + img.argv.length + 1 + img.envp.length + 1 + (10 + 1) * 2;
    let strBytes = 16 + execfn.length + 1;
    for (const a of img.argv) strBytes += a.length + 1;
    for (const a of img.envp) strBytes += a.length + 1;
    const size = nptr * 4 + strBytes;
    const base = t.mm.map(size);
    const mem = t.mem;
    let s = base + nptr * 4;
    const putStr = (b: Uint8Array): number => { const at = s; mem.copyOut(at, b); mem.setU8(at + b.length, 0); s += b.length + 1; return at; };
    let p = base;
    const word = (v: number): void => { mem.setU32(p, v); p += 4; };
    const rnd = new Uint8Array(16);
    this.k.host.random(rnd);
    const rndAt = s; mem.copyOut(rndAt, rnd); s += 16;
    const execfnAt = putStr(execfn);
    word(img.argv.length);
    for (const a of img.argv) word(putStr(a));
    word(0);
    for (const e of img.envp) word(putStr(e));
    word(0);
    auxv.push([AT_PAGESZ, 4096], [AT_UID, t.cred.uid], [AT_EUID, t.cred.euid], [AT_GID, t.cred.gid],
      [AT_EGID, t.cred.egid], [AT_SECURE, 0], [AT_RANDOM, rndAt], [AT_EXECFN, execfnAt], [AT_CLKTCK, 100],
      [AT_HWCAP, 0], [AT_NULL, 0]);
    for (const [k, v] of auxv) { word(k); word(v); }
    return base;
  }
}
