// The kernel's thread in the browser: one sandbox per origin, shared by all of its tabs. Loaded as a
// SharedWorker (each connecting page gets a MessagePort, served by comlink) or, where SharedWorker does not
// exist, as a dedicated Worker of one tab (the worker's own scope is the single port). All processes run in
// this thread (ARCHITECTURE.md §1): the worker never spawns workers and needs no SharedArrayBuffer.
//
// Lifetime: the kernel is created once, on the first boot() of any page, and lives as long as the worker.
// A SharedWorker lives while a tab holds a port to it (the client asks for `extendedLifetime`, which keeps
// it about 5 minutes after the last tab closed). Sessions belong to the page that opened them: the page holds
// a Web Lock for its lifetime and the worker closes the page's sessions once it can take that lock.
import * as Comlink from 'comlink';
import type { Kernel } from '../../kernel/kernel.js';
import type { PtySession } from '../../kernel/drivers/tty/session.js';
import type { BootInfo, PtyOpenOptions, SandboxApi } from '../../protocol/sandbox.js';
import { HostInput, HostOutput } from '../../kernel/drivers/hoststream.js';
import { createBrowserKernel } from './browser-host.js';

/** Set by the bundler (scripts/bundle-web.mjs): the image's revisioned URL, relative to the worker. */
declare const WASMUX_IMAGE_URL: string;

const BASE_ENV: Record<string, string> = {
  PATH: '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin',
  HOME: '/root', USER: 'root', LOGNAME: 'root', SHELL: '/bin/sh', TERM: 'xterm-256color', LANG: 'C.UTF-8',
};

interface WorkerScope {
  onconnect: ((e: MessageEvent) => void) | null;
  location: { href: string };
}
const scope = globalThis as unknown as WorkerScope;
const isShared = 'onconnect' in globalThis;
const t0 = performance.now();

let booting: Promise<{ kernel: Kernel; info: BootInfo }> | null = null;
let bootedOnce = false;

function ms(t: number): number { return Math.round((t - t0) * 10) / 10; }

async function bootKernel(): Promise<{ kernel: Kernel; info: BootInfo }> {
  const url = new URL(WASMUX_IMAGE_URL, scope.location.href).href;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot fetch the image ${url}: HTTP ${res.status}`);
  const image = await readWithProgress(res);
  const fetchMs = ms(performance.now());
  const kernel = createBrowserKernel({ image });
  startInit(kernel);
  const info: BootInfo = {
    hostKind: isShared ? 'shared-worker' : 'dedicated-worker',
    imageUrl: url, imageBytes: image.byteLength, fetchMs, kernelMs: ms(performance.now()), reused: false,
  };
  return { kernel, info };
}

/**
 * The first process a host starts is init (pid 1): when it exits the kernel kills every other process, as
 * Linux does when a pid namespace's init dies. Pages' shells are peers that come and go, so none of them may
 * be init: pid 1 is a placeholder that sleeps with SIGCHLD ignored (the disposition survives exec), so the
 * kernel reaps the orphans it inherits. Each sleep stays under 2^31 ms, the longest host timer.
 */
function startInit(kernel: Kernel): void {
  const stdin = new HostInput();
  stdin.end();
  const sink = (): HostOutput => new HostOutput(() => true);
  kernel.spawn({
    argv: ['sh', '-c', "trap '' CHLD; while sleep 2000000; do :; done"],
    env: [`PATH=${BASE_ENV['PATH']}`], cwd: '/', stdio: [stdin, sink(), sink()],
  });
}

const progressListeners = new Set<(loaded: number, total: number) => void>();

/** The response body, telling the pages waiting in boot() how far the download is (at most every 5%). */
async function readWithProgress(res: Response): Promise<Uint8Array> {
  const total = Number(res.headers.get('content-length') ?? 0);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0, reported = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    if (total === 0 || loaded - reported >= total / 20 || loaded === total) {
      reported = loaded;
      for (const cb of progressListeners) void cb(loaded, total);
    }
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}

function getKernel(): Promise<{ kernel: Kernel; info: BootInfo }> {
  booting ??= bootKernel().catch((e) => { booting = null; throw e; });
  return booting;
}

const sessions = new Map<number, PtySession>();
let nextId = 1;

/** Close `id` once the page holding `lock` is gone (Web Locks grant the lock when its holder's tab closes). */
function closeWithOwner(id: number, lock: string): void {
  const locks = navigator.locks as LockManager | undefined;
  if (!locks) return;
  void locks.request(lock, () => { api.close(id); });
}

const api: SandboxApi = {
  async boot(onProgress) {
    if (onProgress) progressListeners.add(onProgress);
    let info: BootInfo;
    try { ({ info } = await getKernel()); } finally { if (onProgress) progressListeners.delete(onProgress); }
    const reused = bootedOnce;
    bootedOnce = true;
    return { ...info, reused };
  },
  async open(o: PtyOpenOptions, onData, onExit) {
    const { kernel } = await getKernel();
    const env = { ...BASE_ENV };
    for (const kv of o.env ?? []) { const eq = kv.indexOf('='); if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1); }
    const s = kernel.openPtySession({
      argv: o.argv ?? ['sh'], env: Object.entries(env).map(([k, v]) => `${k}=${v}`), cwd: o.cwd ?? '/root',
      cols: o.cols, rows: o.rows,
    });
    const id = nextId++;
    sessions.set(id, s);
    // The callbacks are comlink proxies into the page: each call is a postMessage (the data is copied).
    s.onData((d) => { void onData(d); });
    s.onExit((status) => { sessions.delete(id); void onExit(status); });
    if (o.ownerLock) closeWithOwner(id, o.ownerLock);
    return id;
  },
  write(id, data) { sessions.get(id)?.write(data); },
  resize(id, cols, rows) { sessions.get(id)?.resize(cols, rows); },
  kill(id, sig) { sessions.get(id)?.kill(sig); },
  close(id) {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    s.close();
  },
};

if (isShared) scope.onconnect = (e) => { Comlink.expose(api, e.ports[0]!); };
else Comlink.expose(api);
