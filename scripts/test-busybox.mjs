#!/usr/bin/env node
// `npm run test:busybox`: BusyBox's own test suite (testsuite/ of the Debian busybox 1.35 source) run twice in
// one invocation: natively against Debian's busybox-static (/bin/busybox, with Debian's static .config) and
// inside wasmux sandboxes against our build/busybox.wasm (with our build's .config, so tests of disabled
// features are skipped the same way). Ends with exactly two lines:
//   native: N passed, N failed, N skipped
//   wasmux: N passed, N failed, N skipped
//
// How. wasmux: `runtest` takes applet names; it runs once per applet that has tests, each in a fresh sandbox
// with its own copy of the testsuite and a timeout, so a hang costs one applet and never stalls CI. The
// applet list and order are what a plain `./runtest` uses ("busybox" plus the "Currently defined functions"
// of the binary). Native: one plain `./runtest` as debian/rules runs it (per-applet runs would cost a minute
// more: runtest re-creates ~270 applet links each time), bounded by BB_NATIVE_TIMEOUT. The layout is
// runtest's default: the binary and .config one directory above the testsuite (bindir). Both sides run
// runtest with busybox's own sh and find busybox applets first in PATH, so the harness is the same.
//
// Options: applet names (run only those); --native-only, --wasmux-only; -v (runtest -v: diffs of failures).
// Env: BB_TEST_TIMEOUT (seconds per wasmux applet, default 60; bc gets 8x), BB_NATIVE_TIMEOUT (seconds for
// the native run, default 600), BB_TEST_JOBS (wasmux worker threads, default 2). Full outputs go to build/tests/busybox-*.log.
// Exit status: 0 when the runner completed (whatever the counts), 1 when it could not run.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'build/src/busybox-1.35.0');
const TESTSUITE = join(SRC, 'testsuite');
const OUR_CONFIG = join(ROOT, 'build/busybox/src/.config');
const DEBIAN_CONFIG = join(SRC, 'debian/config/pkg/static');
const NATIVE_BUSYBOX = '/bin/busybox';
const LOGDIR = join(ROOT, 'build/tests');
const TIMEOUT_MS = Number(process.env.BB_TEST_TIMEOUT ?? 60) * 1000;
// Applets whose tests are long by design get a larger budget: bc's "parsing/printing of numbers" pipe 37 MB
// through two bc processes (about 20 s natively, 90 s in wasmux on an idle 2-core machine, 250 s on a
// loaded one).
const SLOW = { bc: 8 };
const budget = (applet) => TIMEOUT_MS * (SLOW[applet] ?? 1);
// As debian/rules runs the suite (TESTSUITE_ENV). The *.tests scripts start with #!/bin/sh, natively dash,
// whose echo lacks -ne: testing.sh then uses $ECHO.
const SUITE_ENV = { SKIP_KNOWN_BUGS: 'y', SKIP_INTERNET_TESTS: 'y', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', SHELL: '/bin/sh', ECHO: '/bin/echo' };

const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('-'));
const verbose = args.includes('-v');
const sides = { native: !args.includes('--wasmux-only'), wasmux: !args.includes('--native-only') };

/** Applets as runtest's `implemented`: "busybox" plus the list the binary prints when run bare. */
function implementedFrom(helpText) {
  const i = helpText.indexOf('Currently defined functions:');
  if (i < 0) throw new Error('busybox printed no applet list');
  return ['busybox', ...helpText.slice(i + 28).split(/[\s,]+/).filter(Boolean)];
}

/** The runtest arguments, in runtest's order: implemented applets that have tests (old- or new-style). */
function appletsWithTests(implemented) {
  const has = (a) => existsSync(join(TESTSUITE, `${a}.tests`)) ||
    (existsSync(join(TESTSUITE, a)) && statSync(join(TESTSUITE, a)).isDirectory());
  const list = implemented.filter(has);
  return only.length ? list.filter((a) => only.includes(a)) : list;
}

function count(out) {
  const c = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const line of out.split('\n')) {
    if (line.startsWith('PASS: ')) c.passed++;
    else if (line.startsWith('FAIL: ')) { c.failed++; c.failures.push(line.slice(6)); }
    else if (line.startsWith('SKIPPED: ') || line.startsWith('UNTESTED: ')) c.skipped++;
  }
  return c;
}

function add(total, applet, out, timedOut, limit = budget(applet)) {
  const c = count(out);
  if (timedOut) { c.failed++; c.failures.push(`${applet}: timed out after ${limit / 1000} s`); }
  total.passed += c.passed; total.failed += c.failed; total.skipped += c.skipped;
  for (const f of c.failures) total.failures.push(`[${applet}] ${f}`);
}

// ---- native ----------------------------------------------------------------------------------------------

async function runNative() {
  if (!existsSync(NATIVE_BUSYBOX)) throw new Error(`${NATIVE_BUSYBOX} missing: run scripts/setup-toolchain.sh`);
  const work = mkdtempSync(join(tmpdir(), 'wasmux-bbtest-'));
  try {
    cpSync(TESTSUITE, join(work, 'testsuite'), { recursive: true, verbatimSymlinks: true });
    copyFileSync(NATIVE_BUSYBOX, join(work, 'busybox'));
    copyFileSync(DEBIAN_CONFIG, join(work, '.config'));
    // Every applet as a link to native busybox, first in PATH (old-style tests run `sh -x -e` from PATH).
    const links = join(work, '.links');
    mkdirSync(links);
    spawnSync(NATIVE_BUSYBOX, ['--install', '-s', links]);
    const env = { ...SUITE_ENV, PATH: `${links}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, HOME: work, TERM: 'dumb' };
    const timeout = Number(process.env.BB_NATIVE_TIMEOUT ?? 600) * 1000;
    const r = await new Promise((res) => {
      const p = spawn(join(work, 'busybox'), ['sh', './runtest', ...(verbose ? ['-v'] : []), ...only],
        { cwd: join(work, 'testsuite'), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '', timedOut = false;
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { err += d; });
      const killAll = () => { try { process.kill(-p.pid, 'SIGKILL'); } catch { /* the group is gone */ } };
      const timer = setTimeout(() => { timedOut = true; killAll(); }, timeout);
      p.on('close', () => { clearTimeout(timer); killAll(); res({ out, err, timedOut }); });
    });
    const total = { passed: 0, failed: 0, skipped: 0, failures: [] };
    add(total, 'runtest', r.out, r.timedOut, timeout);
    writeFileSync(join(LOGDIR, 'busybox-native.log'), `${r.out}${r.err ? `---- stderr\n${r.err}` : ''}`);
    return total;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- wasmux ----------------------------------------------------------------------------------------------
// One fresh sandbox per applet. Sandboxes run in BB_TEST_JOBS worker threads (default 2): a kernel uses one
// thread, and the slow applets go first so the workers finish together.

/** In a worker: a wasmux sandbox runner. */
async function wasmuxWorker() {
  const host = await import(join(ROOT, 'dist/runtime/host/node/node-host.js'));
  const { HostInput, HostOutput } = await import(join(ROOT, 'dist/runtime/kernel/drivers/hoststream.js'));
  const image = host.loadImage();
  const config = new Uint8Array(readFileSync(OUR_CONFIG));
  const ENV = ['PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', 'HOME=/root', 'TERM=dumb',
    ...Object.entries(SUITE_ENV).map(([k, v]) => `${k}=${v}`)];

  /** Run argv in `kernel`, capturing output; kills every process of the sandbox after `timeoutMs`. */
  async function run(kernel, argv, cwd, timeoutMs) {
    const out = [], err = [];
    const stdin = new HostInput();
    stdin.end();
    const t = kernel.spawn({ argv, env: ENV, cwd, stdio: [stdin,
      new HostOutput((d) => { out.push(d); return true; }), new HostOutput((d) => { err.push(d); return true; })] });
    let timedOut = false;
    const killAll = () => { for (const task of [...kernel.tasks.values()]) kernel.signals.kill(task, 9); };
    const timer = setTimeout(() => { timedOut = true; killAll(); }, timeoutMs);
    await kernel.waitExit(t);
    clearTimeout(timer);
    killAll(); // leftover background processes
    const dec = (p) => Buffer.concat(p).toString('utf8');
    const bugs = kernel.bugs.map((b) => `${b.syscall}: ${b.error instanceof Error ? b.error.message : String(b.error)}`);
    return { out: dec(out), err: dec(err), timedOut, bugs };
  }

  parentPort.on('message', async (m) => {
    const kernel = host.createKernel({ image });
    if (m.applet === null) { // the applet list
      parentPort.postMessage(await run(kernel, ['busybox'], '/', TIMEOUT_MS));
      return;
    }
    kernel.vfs.mkdir('/tmp/bb');
    kernel.vfs.symlink('/bin/busybox', '/tmp/bb/busybox');
    kernel.vfs.writeFile('/tmp/bb/.config', config);
    host.copyTreeIn(kernel, TESTSUITE, '/tmp/bb/testsuite');
    const t0 = performance.now();
    const r = await run(kernel, ['sh', './runtest', ...(verbose ? ['-v'] : []), m.applet], '/tmp/bb/testsuite', budget(m.applet));
    parentPort.postMessage({ ...r, seconds: (performance.now() - t0) / 1000 });
  });
}

async function runWasmux() {
  const jobs = Math.max(1, Number(process.env.BB_TEST_JOBS ?? 2));
  const workers = [];
  const spawnWorker = () => {
    const w = new Worker(fileURLToPath(import.meta.url), { argv: args, workerData: { wasmuxWorker: true } });
    let pending = null;
    w.on('message', (r) => { const p = pending; pending = null; p.res(r); });
    w.on('error', (e) => { if (pending) pending.rej(e); });
    w.on('exit', (code) => { if (pending) pending.rej(new Error(`wasmux worker exited with ${code}`)); });
    const ask = (applet) => new Promise((res, rej) => { pending = { res, rej }; w.postMessage({ applet }); });
    workers.push(w);
    return ask;
  };
  try {
    const asks = Array.from({ length: jobs }, spawnWorker);
    const help = await asks[0](null);
    const applets = appletsWithTests(implementedFrom(help.out + help.err));
    const results = new Array(applets.length);
    const queue = applets.map((_, i) => i).sort((x, y) => (SLOW[applets[y]] ?? 1) - (SLOW[applets[x]] ?? 1));
    await Promise.all(asks.map(async (ask) => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) results[i] = await ask(applets[i]);
    }));
    const total = { passed: 0, failed: 0, skipped: 0, failures: [], bugs: [] };
    let log = '';
    applets.forEach((a, i) => {
      const r = results[i];
      add(total, a, r.out, r.timedOut);
      for (const b of r.bugs) total.bugs.push(`[${a}] ${b}`);
      log += `==== ${a} ${r.seconds.toFixed(1)} s${r.timedOut ? ' (timed out)' : ''}\n${r.out}${r.err ? `---- stderr\n${r.err}` : ''}`;
    });
    writeFileSync(join(LOGDIR, 'busybox-wasmux.log'), log);
    return total;
  } finally {
    for (const w of workers) await w.terminate();
  }
}

// ---- main ------------------------------------------------------------------------------------------------

function line(name, t) { return `${name}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`; }

async function main() {
  for (const f of [TESTSUITE, OUR_CONFIG]) {
    if (!existsSync(f)) throw new Error(`${f} missing: run npm run build:image (it fetches and builds busybox)`);
  }
  if (sides.native && !existsSync(DEBIAN_CONFIG)) throw new Error(`${DEBIAN_CONFIG} missing`);
  mkdirSync(LOGDIR, { recursive: true });
  const start = performance.now();
  // The two sides run at the same time: native in child processes, wasmux in worker threads.
  const timed = async (fn) => { const t0 = performance.now(); const r = await fn(); r.seconds = (performance.now() - t0) / 1000; return r; };
  const [nat, wx] = await Promise.all([
    sides.native ? timed(runNative) : null,
    sides.wasmux ? timed(runWasmux) : null,
  ]);
  for (const [name, t] of [['native', nat], ['wasmux', wx]]) {
    if (!t) continue;
    console.log(`---- ${name}: ${t.seconds.toFixed(1)} s; failures:`);
    for (const f of t.failures) console.log(`  ${f}`);
    if (t.bugs?.length) {
      console.log(`---- ${name}: ${t.bugs.length} kernel bug(s):`);
      for (const b of t.bugs) console.log(`  ${b}`);
    }
  }
  console.log(`---- total ${((performance.now() - start) / 1000).toFixed(1)} s; logs in ${LOGDIR}`);
  if (nat) console.log(line('native', nat));
  if (wx) console.log(line('wasmux', wx));
}

if (!isMainThread && workerData?.wasmuxWorker) {
  await wasmuxWorker();
} else {
  main().then(() => process.exit(0), (e) => {
    console.error(`test-busybox: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  });
}
