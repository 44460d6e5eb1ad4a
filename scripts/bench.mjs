#!/usr/bin/env node
// `npm run bench`: wasmux against native Debian busybox 1.35 (and native C) on this machine, in one run.
// Every figure is the median of several runs timed here with the wall clock around each run (after one
// untimed warm-up). The kernel runs in this process (dist/, built by scripts/ensure.sh); only the two
// start-up figures spawn the CLI. Native shell commands run under /bin/busybox with every applet linked
// first in PATH (busybox --install -s); native C programs are built with cc -O2; the wasm ones with
// wasm/wasmux-cc -O2, and, for the node:wasi peer rows, with clang-19 and Debian's wasi-libc.
// Builds are cached by content hash under build/bench/. Writes bench-results.json at the repo root.
//   WASMUX_BENCH_ONLY=regexp   run only the figures whose name matches
//   WASMUX_BENCH_QUICK=1       1/16 of the sizes and counts, fewer runs (checks the script, not numbers)
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpus, tmpdir } from 'node:os';
import {
  closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

process.removeAllListeners('warning');  // node:wasi prints an ExperimentalWarning on first use
const { WASI } = await import('node:wasi');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'build/bench');
const BENCH = join(ROOT, 'bench');
const QUICK = !!process.env.WASMUX_BENCH_QUICK;
const ONLY = process.env.WASMUX_BENCH_ONLY ? new RegExp(process.env.WASMUX_BENCH_ONLY, 'i') : null;
const Q = QUICK ? 16 : 1;
/** A count scaled down in QUICK mode. */
const scaled = (n) => Math.max(1, Math.round(n / Q));
const MiB = 1 << 20;
const pexec = promisify(execFile);
const t0 = performance.now();

const { createKernel, runCaptured } = await import(join(ROOT, 'dist/runtime/host/node/node-host.js'));
const IMAGE = new Uint8Array(readFileSync(join(ROOT, 'build/rootfs.img')));

// ---------------------------------------------------------------------------------------------------------
// Builds (cached by content hash)

function hashOf(parts) {
  const h = createHash('sha256');
  for (const p of parts) {
    if (existsSync(p)) { h.update(p).update(readFileSync(p)); } else h.update(String(p));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

let running = 0;
const waiting = [];
async function slot(fn) {
  if (running >= 2) await new Promise((r) => waiting.push(r));
  running++;
  try { return await fn(); } finally { running--; waiting.shift()?.(); }
}

/** Build bench/NAME.c (or `src`) for `kind` (native | wasmux | wasi) and return the output path. */
async function build(name, kind, src = join(BENCH, `${name}.c`)) {
  const deps = {
    native: [src, 'native cc -O2'],
    wasmux: [src, join(ROOT, 'wasm/wasmux-cc'), join(ROOT, 'scripts/postlink.mjs'), join(ROOT, 'build/sysroot/lib/libc.a')],
    wasi: [src, 'clang-19 wasm32-wasi -O2', '/usr/lib/wasm32-wasi/libc.a'],
  }[kind];
  const out = join(OUT, `${name}-${kind}-${hashOf(deps)}${kind === 'native' ? '' : '.wasm'}`);
  if (existsSync(out)) return out;
  mkdirSync(OUT, { recursive: true });
  const tmp = `${out}.tmp${process.pid}`;
  await slot(async () => {
    try {
      if (kind === 'native') await pexec('cc', ['-O2', '-Wall', src, '-o', tmp]);
      else if (kind === 'wasmux') {
        await pexec(join(ROOT, 'wasm/wasmux-cc'), ['-O2', '-Wall', src, '-o', tmp], { env: { ...process.env, WASMUX_CC_QUIET: '1' } });
      } else {
        // Compile with -O2, link without -O: clang runs any wasm-opt on PATH after an optimised link.
        const wasi = ['--target=wasm32-wasi', '--sysroot=/usr'];
        await pexec('clang-19', [...wasi, '-O2', '-Wall', '-c', src, '-o', `${tmp}.o`]);
        await pexec('clang-19', [...wasi, `${tmp}.o`, '-o', tmp]);
        rmSync(`${tmp}.o`);
      }
    } catch (e) {
      throw new Error(`${kind} build of ${src} failed:\n${e.stderr ?? e.message}`);
    }
  });
  renameSync(tmp, out);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Test data: 64 MiB of deterministic text-like data (words of a seeded pseudo-random vocabulary, numbers,
// lines of varying length), so gzip and the LZ program have real work (gzip -1 shrinks it to about a third).

function genData(size) {
  let s = 0x9e3779b9;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  const vocab = [];
  for (let i = 0; i < 4096; i++) {
    let w = '';
    const len = 2 + (rnd() % 9);
    for (let j = 0; j < len; j++) w += String.fromCharCode(97 + (rnd() % 26));
    vocab.push(Buffer.from(w));
  }
  const buf = Buffer.alloc(size);
  let p = 0, col = 0;
  while (p < size) {
    const r = rnd();
    let piece;
    if (r % 11 === 0) piece = Buffer.from(String(r % 100000));
    else piece = vocab[(r >>> 4) % (r % 3 === 0 ? 4096 : 256)];  // a few words are frequent, as in text
    p += piece.copy(buf, p);
    col += piece.length + 1;
    if (p < size) buf[p++] = col > 40 + (r % 40) ? 10 : 32;
    if (buf[p - 1] === 10) col = 0;
  }
  return buf;
}

function dataFile(size) {
  const f = join(OUT, `text-v1-${size}.dat`);
  if (!existsSync(f)) {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(`${f}.tmp`, genData(size));
    renameSync(`${f}.tmp`, f);
  }
  return f;
}

// ---------------------------------------------------------------------------------------------------------
// Runners

const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
if (!BUSYBOX) throw new Error('native busybox missing: run scripts/setup-toolchain.sh (busybox-static)');
const work = mkdtempSync(join(tmpdir(), 'wasmux-bench-'));
const BB = join(work, 'bin');
mkdirSync(BB);
spawnSync(BUSYBOX, ['--install', '-s', BB]);
// Native "tmpfs" figures need a real tmpfs: /tmp here may be a disk.
const shm = existsSync('/dev/shm') && spawnSync('stat', ['-f', '-c', '%T', '/dev/shm']).stdout.toString().trim() === 'tmpfs';
const NTMP = mkdtempSync(join(shm ? '/dev/shm' : tmpdir(), 'wasmux-bench-'));
const NENV = { PATH: `${BB}:${process.env.PATH}`, LANG: 'C', HOME: work };
const WENV = ['PATH=/usr/bin:/bin:/usr/sbin:/sbin', 'HOME=/root', 'LANG=C'];

function cleanup() {
  rmSync(work, { recursive: true, force: true });
  rmSync(NTMP, { recursive: true, force: true });
}
process.on('exit', cleanup);

function now() { return performance.now(); }

/** Run a native program; returns { ms, stdout }. */
function native(argv, opts = {}) {
  const a = now();
  const r = spawnSync(argv[0], argv.slice(1), {
    env: NENV, cwd: NTMP, input: opts.input ?? '', maxBuffer: 64 * MiB, stdio: ['pipe', 'pipe', 'pipe'],
  });
  const ms = now() - a;
  if (r.status !== 0) throw new Error(`native ${argv.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return { ms, stdout: r.stdout.toString() };
}
const nsh = (script) => native([BUSYBOX, 'sh', '-c', script]);

/** Run a program in `kernel`; returns { ms, stdout }. */
async function wasmux(kernel, argv, opts = {}) {
  const a = now();
  const r = await runCaptured(kernel, { argv, env: WENV, cwd: '/root', input: opts.input });
  const ms = now() - a;
  if (r.exitCode !== 0) throw new Error(`wasmux ${argv.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
  if (kernel.bugs.length) throw new Error(`wasmux ${argv.join(' ')}: kernel bug: ${kernel.bugs[0].error?.stack ?? kernel.bugs[0].error}`);
  return { ms, stdout: r.stdout };
}
const wsh = (kernel, script) => wasmux(kernel, ['sh', '-c', script]);

const modules = new Map();
/** Run a wasm32-wasi program under node:wasi in this process; preopens /data = the native tmpfs dir. */
async function wasi(path, args) {
  if (!modules.has(path)) modules.set(path, await WebAssembly.compile(readFileSync(path)));
  const outFile = join(work, 'wasi.out');
  const fd = openSync(outFile, 'w');
  try {
    const a = now();
    const w = new WASI({ version: 'preview1', args, env: {}, preopens: { '/data': NTMP }, stdout: fd, returnOnExit: true });
    const inst = await WebAssembly.instantiate(modules.get(path), w.getImportObject());
    const code = w.start(inst);
    const ms = now() - a;
    if (code !== 0) throw new Error(`node:wasi ${args.join(' ')} exited ${code}`);
    return { ms, stdout: readFileSync(outFile, 'utf8') };
  } finally { closeSync(fd); }
}

/** Wall time of a child process until it exits, or until `until` appears on its stdout or stderr. */
function spawnTimed(argv, { env = process.env, until = null } = {}) {
  return new Promise((res, rej) => {
    const a = now();
    const p = spawn(argv[0], argv.slice(1), { env, cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', hit = null;
    const onData = (d) => {
      out += d;
      if (until && hit === null && out.includes(until)) { hit = now() - a; p.stdin.end('exit\n'); }
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    p.on('error', rej);
    p.on('close', (code) => {
      if (until && hit === null) rej(new Error(`${argv.join(' ')} exited (${code}) before printing ${JSON.stringify(until)}: ${out}`));
      else if (!until && code !== 0) rej(new Error(`${argv.join(' ')} exited ${code}: ${out}`));
      else res(until ? hit : now() - a);
    });
    if (!until) p.stdin.end();
  });
}

/** Run argv natively; sample the summed Pss of its process tree every 5 ms; also GNU time's %M. */
async function nativePeak(argv) {
  const tree = (root) => {  // pids below root, from the ppid field of every /proc/PID/stat
    const byParent = new Map();
    for (const d of safeList('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const st = safeRead(`/proc/${d}/stat`);
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      if (!byParent.has(ppid)) byParent.set(ppid, []);
      byParent.get(ppid).push(Number(d));
    }
    const out = [], todo = [...(byParent.get(root) ?? [])];
    while (todo.length) { const q = todo.pop(); out.push(q); todo.push(...(byParent.get(q) ?? [])); }
    return out;
  };
  const pss = (pid) => Number(safeRead(`/proc/${pid}/smaps_rollup`).match(/^Pss:\s+(\d+)/m)?.[1] ?? 0);
  const p = spawn('/usr/bin/time', ['-f', '%M', ...argv], { env: NENV, cwd: NTMP, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '', peak = 0, samples = 0;
  p.stderr.on('data', (d) => { err += d; });
  const timer = setInterval(() => {
    const seen = tree(p.pid);  // below /usr/bin/time
    const sum = seen.reduce((a, q) => a + pss(q), 0);
    if (seen.length) { samples++; peak = Math.max(peak, sum); }
  }, 5);
  const code = await new Promise((res) => p.on('close', res));
  clearInterval(timer);
  if (code !== 0) throw new Error(`native ${argv.join(' ')} failed: ${err}`);
  return { pssKb: peak, samples, maxRssKb: Number(err.trim().split('\n').pop()) };
}
function safeRead(f) { try { return readFileSync(f, 'utf8'); } catch { return ''; } }
function safeList(d) { try { return readdirSync(d); } catch { return []; } }

const median = (xs) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Warm up once, then time `runs` runs; returns the median of the values fn returns (ms by default). */
async function measure(runs, fn, warm = fn) {
  await warm();
  const xs = [];
  for (let i = 0; i < runs; i++) xs.push(await fn(i));
  return median(xs);
}
const runsOf = (n) => (QUICK ? Math.min(n, 2) : n);

// ---------------------------------------------------------------------------------------------------------
// Figures

const figures = [];
const log = (m) => process.stderr.write(`${m}\n`);

/**
 * Add one figure. `w` and `n` return the wasmux and native value (already medians); `peer` the node:wasi one.
 * target: bound on the ratio (or on the wasmux value when targetOn === 'wasmux').
 */
async function figure(f) {
  if (ONLY && !ONLY.test(f.name)) return;
  const a = now();
  log(`bench: ${f.name} ...`);
  const w = await f.w();
  const n = await f.n();
  const peer = f.peer ? await f.peer() : null;
  const ratio = w / n;
  const r = {
    name: f.name, unit: f.unit, wasmux: round(w), native: round(n), ratio: round(ratio, 3),
    target: f.target ?? null, better: f.better ?? 'lower',
  };
  if (f.targetOn) r.targetOn = f.targetOn;
  if (peer !== null) r.wasi = { value: round(peer), ratio: round(peer / n, 3), note: f.peerNote ?? '' };
  if (f.note) r.note = f.note;
  const v = f.targetOn === 'wasmux' ? w : f.targetOn === 'added' ? w - n : ratio;
  r.met = r.target === null ? null : r.better === 'lower' ? v <= r.target : v >= r.target;
  figures.push(r);
  log(`bench:   wasmux ${fmt(r.wasmux)} ${f.unit}, native ${fmt(r.native)} ${f.unit}, ratio ${fmt(r.ratio)}` +
    (peer !== null ? `, node:wasi ${fmt(r.wasi.value)} ${f.unit}` : '') + ` (${((now() - a) / 1000).toFixed(1)} s)`);
}

function round(x, d) {
  if (d === undefined) d = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return Number(x.toFixed(d));
}
function fmt(x) {
  if (x === null || x === undefined) return '—';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 100) return String(Math.round(x));
  if (Math.abs(x) >= 10) return x.toFixed(1);
  if (Math.abs(x) >= 0.1) return x.toFixed(2);
  return x.toPrecision(2);
}

/** A fresh kernel with `files` ({path: bytes}) written into its tmpfs. */
function kernelWith(files = {}) {
  const k = createKernel({ image: IMAGE });
  for (const [p, b] of Object.entries(files)) k.vfs.writeFile(p, b, 0o755);
  return k;
}

// Builds first (in parallel, two compilers at a time).
const progs = ['getppid', 'forkexec', 'files', 'sha256', 'lz'];
const bins = {};
await Promise.all(progs.flatMap((p) => ['native', 'wasmux', 'wasi'].filter((k) => k !== 'wasi' || !['forkexec', 'files'].includes(p))
  .map(async (k) => { (bins[p] ??= {})[k] = await build(p, k); })));
const wasmBytes = (p) => new Uint8Array(readFileSync(bins[p].wasmux));
log(`bench: builds ready (${((now() - t0) / 1000).toFixed(1)} s)`);

const DATA_SIZE = 64 * MiB / Q;
const data = readFileSync(dataFile(DATA_SIZE));
writeFileSync(join(NTMP, 'data'), data);
const dataKernel = () => kernelWith({ '/tmp/data': data });

// 1. Syscall round trip.
{
  const N = scaled(1_000_000);
  const k = kernelWith({ '/tmp/getppid': wasmBytes('getppid') });
  await figure({
    name: `syscall round trip: ${N.toLocaleString('en-US')} × getppid (C)`, unit: 'ms', target: 3,
    w: () => measure(runsOf(5), async () => (await wasmux(k, ['/tmp/getppid', String(N)])).ms),
    n: () => measure(runsOf(5), () => native([bins.getppid.native, String(N)]).ms),
    peer: () => measure(runsOf(5), async () => (await wasi(bins.getppid.wasi, ['getppid', String(N)])).ms),
    peerNote: 'WASI has no getppid: the loop calls args_sizes_get, answered by node:wasi from memory',
  });
}

// 2. fork + execve + wait.
{
  const N = scaled(1000);
  const k = kernelWith({ '/tmp/forkexec': wasmBytes('forkexec') });
  await figure({
    name: `${N.toLocaleString('en-US')} × fork + execve + wait of /bin/true (C)`, unit: 'ms', target: 5,
    note: 'native execs busybox true (the static busybox-static binary), as wasmux does',
    w: () => measure(runsOf(3), async () => (await wasmux(k, ['/tmp/forkexec', String(N), '/bin/true'])).ms,
      () => wasmux(k, ['/tmp/forkexec', '10', '/bin/true'])),
    n: () => measure(runsOf(3), () => native([bins.forkexec.native, String(N), join(BB, 'true')]).ms),
  });
  // The same from sh. Busybox sh with FEATURE_SH_STANDALONE runs applets named without a slash in the
  // forked child without exec; with the path /bin/true it forks and execs. Check that on a short loop:
  // every child must start a new image (wasmux_init; a successful execve does not return, so the trace
  // has no line for it).
  const loop = (n, t) => `i=0; while [ $i -lt ${n} ]; do ${t}; i=$((i+1)); done`;
  const tk = kernelWith();
  const lines = [];
  tk.trace = (l) => lines.push(l);
  await wsh(tk, loop(3, '/bin/true'));
  tk.trace = null;
  const inits = new Set(lines.filter((l) => /\] wasmux_init\(/.test(l)).map((l) => l.slice(1, l.indexOf(']'))));
  const execs = inits.size - 1;  // minus the shell itself
  if (execs !== 3) log(`bench: warning: sh loop of 3 × /bin/true started ${execs} new images (expected 3)`);
  await figure({
    name: `${N.toLocaleString('en-US')} × /bin/true from sh (fork + execve + wait)`, unit: 'ms', target: 5,
    note: `sh loop running /bin/true by path; in the sandbox ${execs} of 3 children checked exec'd a new image ` +
      '(WASMUX_STRACE: wasmux_init per child); native runs the same loop with the path of busybox true',
    w: () => measure(runsOf(3), async () => (await wsh(k, loop(N, '/bin/true'))).ms, () => wsh(k, loop(10, '/bin/true'))),
    n: () => measure(runsOf(3), () => nsh(loop(N, join(BB, 'true'))).ms),
  });
}

// 3. Pipes. The producer is dd with 64 KiB blocks, so the figure is about the pipe and cat rather than the
// producer's stdio buffer (busybox head -c writes 1 KiB at a time under musl).
{
  const SIZE = 256 * MiB / Q, blocks = SIZE / 65536;
  const mbs = (ms) => SIZE / 1e6 / (ms / 1000);
  const k = kernelWith();
  for (const [label, tail] of [['cat', 'cat > /dev/null'], ['cat | cat', 'cat | cat > /dev/null']]) {
    const cmd = (b) => `dd if=/dev/zero bs=65536 count=${b} 2>/dev/null | ${tail}`;
    await figure({
      name: `pipe: ${SIZE / MiB} MiB through ${label}`, unit: 'MB/s', target: 0.3, better: 'higher',
      note: 'dd if=/dev/zero bs=64k | ' + tail,
      w: () => measure(runsOf(3), async () => mbs((await wsh(k, cmd(blocks))).ms), () => wsh(k, cmd(16))),
      n: () => measure(runsOf(3), () => mbs(nsh(cmd(blocks)).ms)),
    });
  }
}

// 4. tmpfs: streaming write and read of one big file, and metadata on many small ones.
{
  const SIZE = 256 * MiB / Q, count = SIZE / MiB;
  const mbs = (ms) => SIZE / 1e6 / (ms / 1000);
  const k = kernelWith();
  // dd's record counts (on stderr, folded into stdout) are checked, so a short copy cannot look fast.
  const recs = (r) => { if (!r.stdout.includes(`${count}+0 records in`)) throw new Error(`dd copied less than ${count} MiB: ${r.stdout}`); return r; };
  const wr = (dir) => `dd if=/dev/zero of=${dir}/big bs=1048576 count=${count} 2>&1`;
  const rd = (dir) => `dd if=${dir}/big of=/dev/null bs=1048576 2>&1`;
  const note = `native: ${shm ? '/dev/shm (tmpfs)' : `${tmpdir()} (no tmpfs found)`}; the sandbox: /tmp`;
  await figure({
    name: `tmpfs: write ${SIZE / MiB} MiB (dd bs=1M)`, unit: 'MB/s', target: 0.2, better: 'higher', note,
    w: () => measure(runsOf(3), async () => { const r = recs(await wsh(k, wr('/tmp'))); await wsh(k, 'rm /tmp/big'); return mbs(r.ms); }),
    n: () => measure(runsOf(3), () => { const r = recs(nsh(wr(NTMP))); rmSync(join(NTMP, 'big')); return mbs(r.ms); }),
  });
  await figure({
    name: `tmpfs: read ${SIZE / MiB} MiB (dd bs=1M)`, unit: 'MB/s', target: 0.2, better: 'higher', note,
    w: async () => { await wsh(k, wr('/tmp')); const v = await measure(runsOf(3), async () => mbs(recs(await wsh(k, rd('/tmp'))).ms)); await wsh(k, 'rm /tmp/big'); return v; },
    n: async () => { nsh(wr(NTMP)); const v = await measure(runsOf(3), () => mbs(recs(nsh(rd(NTMP))).ms)); rmSync(join(NTMP, 'big')); return v; },
  });
  const N = scaled(10000);
  const fk = kernelWith({ '/tmp/files': wasmBytes('files') });
  await figure({
    name: `tmpfs: create + stat + unlink ${N.toLocaleString('en-US')} files (C)`, unit: 'ms', target: 5, note,
    w: () => measure(runsOf(5), async () => (await wasmux(fk, ['/tmp/files', '/tmp/bench-files', String(N)])).ms),
    n: () => measure(runsOf(5), () => native([bins.files.native, join(NTMP, 'bench-files'), String(N)]).ms),
  });
}

// 5. CPU.
{
  const size = `${DATA_SIZE / MiB} MiB`;
  const k = dataKernel();
  let wsum, nsum;
  await figure({
    name: `sha256sum ${size}`, unit: 'ms', target: 2,
    w: () => measure(runsOf(3), async () => { const r = await wsh(k, 'sha256sum /tmp/data'); wsum = r.stdout.slice(0, 64); return r.ms; }),
    n: () => measure(runsOf(3), () => { const r = nsh(`sha256sum ${NTMP}/data`); nsum = r.stdout.slice(0, 64); return r.ms; }),
  });
  const digest = createHash('sha256').update(data).digest('hex');
  const ck = (out, what) => { if (out.slice(0, 64) !== digest) throw new Error(`${what}: sha256 ${out.slice(0, 64)}, expected ${digest}`); };
  if (wsum !== undefined) { ck(wsum, 'wasmux sha256sum'); ck(nsum, 'native sha256sum'); }
  k.vfs.writeFile('/tmp/sha256', wasmBytes('sha256'), 0o755);
  await figure({
    name: `sha256 ${size} (C program)`, unit: 'ms', target: 2,
    note: 'bench/sha256.c, the same source for all three',
    w: () => measure(runsOf(3), async () => { const r = await wasmux(k, ['/tmp/sha256', '/tmp/data']); ck(r.stdout, 'wasmux'); return r.ms; }),
    n: () => measure(runsOf(3), () => { const r = native([bins.sha256.native, join(NTMP, 'data')]); ck(r.stdout, 'native'); return r.ms; }),
    peer: () => measure(runsOf(3), async () => { const r = await wasi(bins.sha256.wasi, ['sha256', '/data/data']); ck(r.stdout, 'node:wasi'); return r.ms; }),
  });
  // Neither busybox build has FEATURE_GZIP_LEVELS: -1 is accepted and ignored, both compress at level 6.
  // The outputs differ by a fraction of a percent (GZIP_FAST and other build options); the sandbox's output
  // is checked by decompressing it here.
  let wgz, nsz;
  await figure({
    name: `gzip -1 ${size}`, unit: 'ms', target: 2,
    note: 'both busybox builds lack FEATURE_GZIP_LEVELS, so -1 is ignored and both run level 6; ' +
      'target taken from sha256sum\'s (the issue gives one CPU bound)',
    w: () => measure(runsOf(3), async () => { const r = await wsh(k, 'gzip -1 -c /tmp/data > /tmp/data.gz'); wgz = k.vfs.readFile('/tmp/data.gz'); return r.ms; },
      () => wsh(k, 'gzip -1 -c /tmp/sha256 > /dev/null')),
    n: () => measure(runsOf(3), () => { const r = nsh(`gzip -1 -c ${NTMP}/data > ${NTMP}/data.gz`); nsz = statSync(join(NTMP, 'data.gz')).size; return r.ms; },
      () => nsh(`gzip -1 -c ${BUSYBOX} > /dev/null`)),
  });
  if (wgz !== undefined) {
    if (!gunzipSync(wgz).equals(data)) throw new Error('gzip in wasmux: the output does not decompress to the input');
    figures.at(-1).note += `; output ${(wgz.length / MiB).toFixed(2)} MiB in wasmux, ${(nsz / MiB).toFixed(2)} MiB native`;
    await wsh(k, 'rm /tmp/data.gz');
    rmSync(join(NTMP, 'data.gz'));
  }
  k.vfs.writeFile('/tmp/lz', wasmBytes('lz'), 0o755);
  let lout;
  await figure({
    name: `LZ77 compress + check ${size} (C program)`, unit: 'ms', target: 2,
    note: 'bench/lz.c: gzip-like work without entropy coding, the same source for all three',
    w: () => measure(runsOf(3), async () => { const r = await wasmux(k, ['/tmp/lz', '/tmp/data']); lout ??= r.stdout; if (r.stdout !== lout) throw new Error('lz output differs'); return r.ms; }),
    n: () => measure(runsOf(3), () => { const r = native([bins.lz.native, join(NTMP, 'data')]); if (r.stdout !== lout) throw new Error('lz output differs'); return r.ms; }),
    peer: () => measure(runsOf(3), async () => { const r = await wasi(bins.lz.wasi, ['lz', '/data/data']); if (r.stdout !== lout) throw new Error('lz output differs'); return r.ms; }),
  });
}

// 6. Shell workload and the sandbox's peak memory during it.
{
  const script = readFileSync(join(BENCH, 'workload.sh'));
  const iters = String(scaled(10000));
  let wout, nout, peak = 0;
  await figure({
    name: `shell workload (bench/workload.sh, ${Number(iters).toLocaleString('en-US')} iterations)`, unit: 'ms', target: 4,
    w: () => measure(runsOf(3), async () => {
      const k = kernelWith({ '/tmp/workload.sh': script });
      const r = await wasmux(k, ['sh', '/tmp/workload.sh', iters]);
      wout = r.stdout;
      peak = Math.max(peak, k.memoryPeak);
      return r.ms;
    }, async () => { await wasmux(kernelWith({ '/tmp/workload.sh': script }), ['sh', '/tmp/workload.sh', '100']); }),
    n: () => measure(runsOf(3), () => { const r = native([BUSYBOX, 'sh', join(BENCH, 'workload.sh'), iters]); nout = r.stdout; return r.ms; }),
  });
  if (wout !== undefined && wout !== nout) throw new Error(`workload output differs:\n--- wasmux\n${wout}\n--- native\n${nout}`);
  if (!ONLY || ONLY.test('peak memory')) {
    // Native: the proportional set size (Pss: shared pages split between the processes sharing them) summed
    // over the whole process tree, sampled every 5 ms; the highest sum. GNU time's %M (the largest single
    // process's peak RSS) is given in the note.
    const nat = await nativePeak([BUSYBOX, 'sh', join(BENCH, 'workload.sh'), iters]);
    await figure({
      name: 'peak memory during the shell workload', unit: 'MiB',
      note: 'wasmux: kernel.memoryPeak, all process memories plus tmpfs at the highest point (compiled code and the ' +
        'kernel\'s JS heap are not in it); native: the highest sum of Pss over the process tree, sampled every 5 ms ' +
        `(${nat.samples} samples; the largest single process peaked at ${(nat.maxRssKb / 1024).toFixed(2)} MiB RSS, /usr/bin/time %M)`,
      w: async () => peak / MiB, n: async () => nat.pssKb / 1024,
    });
  }
}

// 7. Start-up of the CLI (a child process: Node start, image load, compile, run).
{
  const cli = join(ROOT, 'bin/wasmux.mjs');
  await figure({
    name: '`wasmux run -- true` end to end', unit: 'ms', target: 150, targetOn: 'wasmux',
    note: 'the CLI as a child process (Node start, image load, compile, run); native: `busybox true`; the target is on the wasmux time',
    // The warm-up may fail: bin/wasmux.mjs rebuilds dist/ first when runtime/ sources are newer.
    w: () => measure(runsOf(5), () => spawnTimed([process.execPath, cli, 'run', '--', 'true']),
      () => spawnTimed([process.execPath, cli, 'run', '--', 'true']).catch(() => {})),
    n: () => measure(runsOf(5), () => spawnTimed([BUSYBOX, 'true'])),
  });
  const PS1 = 'bench-prompt$ ';
  await figure({
    name: 'time to first prompt of `wasmux sh -i`', unit: 'ms',
    note: 'stdin and stdout are pipes, so -i makes ash print its prompt; timed until PS1 appears; native: `busybox sh -i`',
    w: () => measure(runsOf(5), () => spawnTimed([process.execPath, cli, 'sh', '--env', `PS1=${PS1}`, '--', '-i'], { until: PS1 })),
    n: () => measure(runsOf(5), () => spawnTimed([BUSYBOX, 'sh', '-i'], { env: { ...NENV, PS1 }, until: PS1 })),
  });
}

// 8. The edge: a public client -> edge proxy (edge/, in this process) -> tunnel WebSocket -> the Node host's
// tunnel client -> kernel.net.exposures -> a server in the sandbox, against the same server run natively and
// reached directly. BusyBox httpd closes the connection after every response (no keep-alive: each request is
// a new connection and a fork), so the server is tests/net/wsecho.c, which keeps connections alive and
// serves a fixed 18-byte body on GET / and N bytes on GET /bytes/N; built with -O2 for both.
{
  const sel = (name) => !ONLY || ONLY.test(name);
  const names = ['edge: keep-alive GETs', 'edge: p50', 'edge: p99', 'edge: 32 MiB'];
  if (names.some(sel)) {
    await pexec(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'edge/tsconfig.json')]);
    const { EdgeServer } = await import(join(ROOT, 'dist/edge/server.js'));
    const { nodeEdgeClient } = await import(join(ROOT, 'dist/runtime/host/node/edge.js'));
    const { connect } = await import('node:net');
    const src = join(ROOT, 'tests/net/wsecho.c');
    const [wsNative, wsWasm] = await Promise.all([build('wsecho', 'native', src), build('wsecho', 'wasmux', src)]);
    // Native server on a free port of 127.0.0.1.
    const nat = spawn(wsNative, ['0', 'local'], { stdio: ['ignore', 'pipe', 'inherit'] });
    process.on('exit', () => nat.kill());
    const natPort = await new Promise((res, rej) => {
      let out = '';
      nat.stdout.on('data', (d) => { out += d; const m = /listening (\d+)/.exec(out); if (m) res(Number(m[1])); });
      nat.on('exit', (c) => rej(new Error(`native wsecho exited ${c}`)));
    });
    // The sandbox's server on port 8081, exposed through an edge on a free port.
    const edge = new EdgeServer({ host: '127.0.0.1', port: 0 });
    const edgePort = (await edge.listen()).port;
    const k = kernelWith({ '/tmp/wsecho': new Uint8Array(readFileSync(wsWasm)) });
    const client = nodeEdgeClient(k.net.exposures, `http://127.0.0.1:${edgePort}`, { write: () => {} });
    await client.start();
    void runCaptured(k, { argv: ['/tmp/wsecho', '8081'], env: WENV, cwd: '/' });
    for (let i = 0; i < 400 && !client.urls.has('tcp:8081'); i++) await new Promise((r) => setTimeout(r, 25));
    if (!client.urls.has('tcp:8081')) throw new Error('edge bench: the sandbox server never got a public URL');
    const ends = { w: { port: edgePort, host: new URL(client.urls.get('tcp:8081')).host }, n: { port: natPort, host: '127.0.0.1' } };

    /** `conns` keep-alive connections sending GET / back to back for `ms`; returns { rps, p50, p99 } (ms). */
    const load = (end, conns, ms) => new Promise((resolve, reject) => {
      const lat = [];
      let open = conns;
      const stopAt = now() + ms, a = now();
      for (let c = 0; c < conns; c++) {
        const s = connect(end.port, '127.0.0.1');
        s.setNoDelay(true);
        const req = `GET / HTTP/1.1\r\nHost: ${end.host}\r\n\r\n`;
        let buf = '', t = 0;
        const send = () => { t = now(); s.write(req); };
        s.on('connect', send);
        s.on('error', reject);
        s.on('data', (d) => {
          buf += d.toString('latin1');
          const i = buf.indexOf('\r\n\r\n');
          if (i < 0) return;
          const m = /content-length: *(\d+)/i.exec(buf.slice(0, i));
          if (!m || !buf.startsWith('HTTP/1.1 200')) return reject(new Error(`edge bench: bad response ${JSON.stringify(buf.slice(0, 80))}`));
          if (buf.length < i + 4 + Number(m[1])) return;
          buf = buf.slice(i + 4 + Number(m[1]));
          const tn = now();
          lat.push(tn - t);
          if (tn < stopAt) return send();
          s.destroy();
          if (--open === 0) {
            lat.sort((x, y) => x - y);
            resolve({ rps: lat.length / ((now() - a) / 1000), p50: lat[lat.length >> 1], p99: lat[Math.floor(lat.length * 0.99)] });
          }
        });
      }
    });
    /** One keep-alive connection downloading `size` bytes; returns MB/s. */
    const bulk = (end, size) => new Promise((resolve, reject) => {
      const s = connect(end.port, '127.0.0.1');
      const a = now();
      let head = Buffer.alloc(0), got = -1;
      s.on('error', reject);
      s.on('data', (d) => {
        if (got < 0) {
          head = Buffer.concat([head, d]);
          const i = head.indexOf('\r\n\r\n');
          if (i < 0) return;
          got = head.length - i - 4;
        } else got += d.length;
        if (got >= size) { s.destroy(); resolve(size / 1e6 / ((now() - a) / 1000)); }
      });
      s.write(`GET /bytes/${size} HTTP/1.1\r\nHost: ${end.host}\r\n\r\n`);
    });

    const CONNS = 4, MS = QUICK ? 300 : 1000;
    const kaNote = `${CONNS} keep-alive connections, GET / back to back for ${MS / 1000} s per run, 18-byte body; ` +
      'native: the same server (tests/net/wsecho.c, cc -O2) on 127.0.0.1, reached directly; the edge, the tunnel ' +
      'client and the kernel share this Node process (one thread)';
    await figure({
      name: `edge: keep-alive GETs (${CONNS} connections) through the tunnel`, unit: 'req/s', target: 2000, targetOn: 'wasmux', better: 'higher',
      note: kaNote,
      w: () => measure(runsOf(3), async () => (await load(ends.w, CONNS, MS)).rps, () => load(ends.w, CONNS, MS / 2)),
      n: () => measure(runsOf(3), async () => (await load(ends.n, CONNS, MS)).rps, () => load(ends.n, CONNS, MS / 2)),
    });
    const latNote = `one keep-alive connection, sequential GET / for ${MS / 1000} s per run; the target is on the added latency (wasmux - native)`;
    const lat = { w: [], n: [] };
    const latRun = async (side) => { const r = await load(ends[side], 1, MS); lat[side].push(r); return r.p50; };
    await figure({
      name: 'edge: p50 latency of a keep-alive GET', unit: 'ms', target: 2, targetOn: 'added', note: latNote,
      w: () => measure(runsOf(3), () => latRun('w'), () => load(ends.w, 1, MS / 2)),
      n: () => measure(runsOf(3), () => latRun('n'), () => load(ends.n, 1, MS / 2)),
    });
    await figure({
      name: 'edge: p99 latency of a keep-alive GET', unit: 'ms', note: `the runs of the p50 figure (${latNote.split(';')[0]})`,
      w: async () => lat.w.length ? median(lat.w.map((r) => r.p99)) : (await load(ends.w, 1, MS)).p99,
      n: async () => lat.n.length ? median(lat.n.map((r) => r.p99)) : (await load(ends.n, 1, MS)).p99,
    });
    const SIZE = 32 * MiB / Q;
    await figure({
      name: `edge: ${SIZE / MiB} MiB response through the tunnel`, unit: 'MB/s', target: 100, targetOn: 'wasmux', better: 'higher',
      note: `GET /bytes/${SIZE} on a fresh connection; native: the same server reached directly`,
      w: () => measure(runsOf(3), () => bulk(ends.w, SIZE), () => bulk(ends.w, SIZE)),
      n: () => measure(runsOf(3), () => bulk(ends.n, SIZE), () => bulk(ends.n, SIZE)),
    });
    client.close();
    await edge.close();
    nat.kill();
  }
}

// 9. The browser app (scripts/measure-browser-boot.mjs): Debian's chromium against the server `npm start`
// runs, on loopback. "Native" is the browser's floor measured the same way: a one-line static page from the
// same server, navigation start to its load event; the targets are on the wasmux values.
{
  const names = ['browser: warm boot to a prompt', 'browser: cold first visit to a prompt', 'browser: image transferred on a first visit'];
  if (!ONLY || names.some((n) => ONLY.test(n))) {
    const { measureBrowserBoot, median: med } = await import('./measure-browser-boot.mjs');
    const b = await measureBrowserBoot({ runs: QUICK ? 2 : 10, log });
    const runsNote = `median of ${b.warm.length} runs, chromium ${b.version} headless`;
    await figure({
      name: names[0], unit: 'ms', target: 300, targetOn: 'wasmux',
      note: `${runsNote}: the browser restarted on a profile that visited before (service worker cache, new kernel), navigation start to the first shell output; native: the static page the same way`,
      w: async () => med(b.warm), n: async () => med(b.blankWarm),
    });
    await figure({
      name: names[1], unit: 'ms', target: 2000, targetOn: 'wasmux',
      note: `${runsNote}: a new browser context (empty caches, no service worker), navigation start to the first shell output; a second tab of a running sandbox ${Math.round(med(b.second))} ms, a reload ${Math.round(med(b.reload))} ms; native: the static page in a new context`,
      w: async () => med(b.cold), n: async () => med(b.blankCold),
    });
    await figure({
      name: names[2], unit: 'MB', target: 5, targetOn: 'wasmux',
      note: 'the image\'s encoded body in the cold runs (the server sends its brotli variant; Resource Timing in the kernel\'s worker); native: the image uncompressed',
      w: async () => med(b.transfer) / 1e6, n: async () => med(b.imageBytes) / 1e6,
    });
  }
}

// 10. Previews and public URLs of a server in the sandbox running in the browser (scripts/measure-preview.mjs):
// tests/net/wsecho.c in the sandbox, reached from a preview iframe through the service worker, and from Node
// through the public URL of the app's Share button (the edge, the tunnel WebSocket of the kernel's worker).
// Native: the same server built natively, reached from Node directly. Every request is a new connection.
{
  const names = ['preview: small GET', 'preview: 32 MiB', 'public URL: small GET', 'public URL: 32 MiB'];
  if (!ONLY || names.some((n) => ONLY.test(n))) {
    const { measurePreview, nodeFigures } = await import('./measure-preview.mjs');
    const src = join(ROOT, 'tests/net/wsecho.c');
    const [wsNative, wsWasm] = await Promise.all([build('wsecho', 'native', src), build('wsecho', 'wasmux', src)]);
    const count = QUICK ? 20 : 200, size = 32 * MiB / Q, runs = QUICK ? 1 : 3;
    const b = await measurePreview({ wsecho: readFileSync(wsWasm), count, size, runs, log });
    const nat = spawn(wsNative, ['0', 'local'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const natPort = await new Promise((res, rej) => {
      let out = '';
      nat.stdout.on('data', (d) => { out += d; const m = /listening (\d+)/.exec(out); if (m) res(Number(m[1])); });
      nat.on('exit', (c) => rej(new Error(`native wsecho exited ${c}`)));
    });
    const n = await nodeFigures(natPort, '127.0.0.1', { count, size, runs });
    nat.kill();
    const getNote = `median of ${count} sequential GET / (18-byte body), each on a new connection, after 10 untimed; native: the same server natively, from Node`;
    await figure({ name: `preview: small GET from the preview iframe`, unit: 'ms', note: `${getNote}; chromium ${b.version}: fetch() in the previewed page -> service worker -> kernel's worker -> server`,
      w: async () => median(b.preview.lat), n: async () => median(n.lat) });
    await figure({ name: `preview: ${size / MiB} MiB response in the preview iframe`, unit: 'MB/s', better: 'higher', note: `GET /bytes/${size}, median of ${runs}, read to the end by the page`,
      w: async () => b.preview.mbps, n: async () => n.mbps });
    await figure({ name: 'public URL: small GET through the edge', unit: 'ms', note: `${getNote}: Node -> edge -> the browser's tunnel WebSocket -> kernel's worker -> server`,
      w: async () => median(b.pub.lat), n: async () => median(n.lat) });
    await figure({ name: `public URL: ${size / MiB} MiB response through the edge`, unit: 'MB/s', better: 'higher', note: `GET /bytes/${size} from Node, median of ${runs}`,
      w: async () => b.pub.mbps, n: async () => n.mbps });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Report

const node = process.version;
const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown').trim();
const machine = `${cpus().length} cores, ${cpu}, Node ${node}, ${readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m)?.[1] ?? 'Linux'}`;
const date = new Date().toISOString().slice(0, 10);
const elapsed = (now() - t0) / 1000;

const tgt = (f) => f.target === null ? '—' : f.targetOn === 'wasmux' ? `${f.better === 'lower' ? '≤' : '≥'} ${f.target} ${f.unit}`
  : f.targetOn === 'added' ? `≤ +${f.target} ${f.unit}` : `${f.better === 'lower' ? '≤' : '≥'} ${f.target}`;
const met = (f) => f.met === null ? '' : f.met ? 'met' : 'missed';
const rows = [['figure', 'unit', 'wasmux', 'native', 'ratio', 'target', '']];
for (const f of figures) {
  rows.push([f.name, f.unit, fmt(f.wasmux), fmt(f.native), fmt(f.ratio), tgt(f), met(f)]);
  if (f.wasi) rows.push(['  node:wasi peer (same program)', f.unit, fmt(f.wasi.value), fmt(f.native), fmt(f.wasi.ratio), '', '']);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
console.log(`\nwasmux benchmarks, ${date}, ${machine}${QUICK ? ' (QUICK: reduced sizes)' : ''}`);
console.log('ratio = wasmux / native (for MB/s, higher is better); medians of 3-5 runs after a warm-up\n');
console.log(line(rows[0]));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows.slice(1)) console.log(line(r));
console.log('\nnotes:');
for (const f of figures) {
  if (f.note) console.log(`  ${f.name}: ${f.note}`);
  if (f.wasi?.note) console.log(`  ${f.name}, node:wasi: ${f.wasi.note}`);
}
console.log(`\ntotal bench time ${elapsed.toFixed(0)} s`);

if (!QUICK && !ONLY) {
  writeFileSync(join(ROOT, 'bench-results.json'), `${JSON.stringify({ date, machine, node, cpu, seconds: Math.round(elapsed), figures }, null, 2)}\n`);
  console.log('wrote bench-results.json');
}
// Do not wait for stray handles (timers of sandbox processes).
process.exit(0);
