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
import type { BootInfo, PointInfo, PtyOpenOptions, RestartInfo, SandboxApi } from '../../protocol/sandbox.js';
import { SIGKILL } from '../../abi/signal.js';
import { HostInput, HostOutput } from '../../kernel/drivers/hoststream.js';
import { createBrowserKernel } from './browser-host.js';
import { Sharing } from './sharing.js';
import { connectPort, serveConnector } from './streams.js';

/** Set by the bundler (scripts/bundle-web.mjs): the image's revisioned URL, relative to the worker, and its
 * size (the download's total for the progress bar: Content-Length counts compressed bytes). */
declare const WASMUX_IMAGE_URL: string;
declare const WASMUX_IMAGE_SIZE: number;

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

let booting: Promise<Booted> | null = null;
let bootedOnce = false;

function ms(t: number): number { return Math.round((t - t0) * 10) / 10; }

interface Booted { kernel: Kernel; info: BootInfo; sharing: Sharing; image: Uint8Array; unwatch: () => void }

async function bootKernel(): Promise<Booted> {
  const url = new URL(WASMUX_IMAGE_URL, scope.location.href).href;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot fetch the image ${url}: HTTP ${res.status}`);
  const image = await readWithProgress(res);
  const fetchMs = ms(performance.now());
  const { kernel, sharing, unwatch } = startKernel(image, null);
  startFirstShell(kernel);
  const info: BootInfo = {
    hostKind: isShared ? 'shared-worker' : 'dedicated-worker',
    imageUrl: url, imageBytes: image.byteLength, ...imageTransfer(url), fetchMs, kernelMs: ms(performance.now()),
    reused: false, workerOrigin: performance.timeOrigin,
  };
  return { kernel, info, sharing, image, unwatch };
}

/** A kernel on `image` with `snapshot` applied (throws a SnapshotError, touching nothing, when it is bad). */
function startKernel(image: Uint8Array, snapshot: Uint8Array | null): { kernel: Kernel; sharing: Sharing; unwatch: () => void } {
  const kernel = createBrowserKernel({ image, ...(snapshot ? { snapshot } : {}) });
  startInit(kernel);
  startFileService(kernel);
  // The edge that served the app (npm start) is on this origin.
  const sharing = new Sharing(kernel.net.exposures, new URL('/', scope.location.href).origin);
  const unwatch = sharing.watch((p) => { for (const cb of [...pointListeners]) cb(p); });
  return { kernel, sharing, unwatch };
}

/** Pages watching the exposure points; they outlive a restart of the sandbox. */
const pointListeners = new Set<(p: PointInfo[]) => void>();

let restarts: Promise<unknown> = Promise.resolve();

/** One restart at a time (two tabs may ask at once): each replaces the kernel the previous one made. */
function restartKernel(snapshot: Uint8Array | null): Promise<RestartInfo> {
  const r = restarts.then(() => replaceKernel(snapshot));
  restarts = r.catch(() => {});
  return r;
}

/**
 * Replace the sandbox: a new kernel on the same image with `snapshot` as its writable layer (an empty one
 * for a reset). The new kernel is made first, so a bad snapshot leaves the running sandbox as it was. Then
 * the old one is stopped: its terminals hang up (pages see their shells exit), its public URLs close, its
 * processes are killed.
 */
async function replaceKernel(snapshot: Uint8Array | null): Promise<RestartInfo> {
  const old = await getKernel();
  const next = startKernel(old.image, snapshot);
  const made = next.kernel.snapshotImport?.imageId ?? null;
  const imageId = next.kernel.vfs.image.id;
  // The old kernel's points vanish as it stops: the pages must hear only the new kernel's.
  old.unwatch();
  booting = Promise.resolve({ ...old, ...next });
  if (firstShell) { firstShell.close(); firstShell = null; }
  for (const id of [...sessions.keys()]) api.close(id);
  old.sharing.closeAll();
  for (const t of [...old.kernel.tasks.values()]) old.kernel.signals.kill(t, SIGKILL);
  for (const cb of [...pointListeners]) cb(next.sharing.list());
  return { files: next.kernel.snapshotImport?.files ?? 0, imageId, madeOnImage: made, sameImage: made === null || made === imageId };
}

/**
 * The first process a host starts is init (pid 1): when it exits the kernel kills every other process, as
 * Linux does when a pid namespace's init dies. Pages' shells are peers that come and go, so none of them may
 * be init: pid 1 is a placeholder shell with SIGCHLD ignored (the disposition survives exec), so the kernel
 * reaps the orphans it inherits, blocked for good in `read` on a host stream that never ends. One exec and
 * no fork: it is started while the first page boots, on the same thread, so it must cost little.
 */
function startInit(kernel: Kernel): void {
  const sink = (): HostOutput => new HostOutput(() => true);
  kernel.spawn({
    argv: ['sh', '-c', "trap '' CHLD; read _"],
    env: [`PATH=${BASE_ENV['PATH']}`], cwd: '/', stdio: [new HostInput(), sink(), sink()],
  });
}

/**
 * Where the image came from and how many bytes crossed the network, from the worker's Resource Timing entry:
 * a fetch answered by the service worker has a workerStart; one from the HTTP cache transferred nothing.
 */
function imageTransfer(url: string): Pick<BootInfo, 'imageSource' | 'imageTransferBytes'> {
  const e = performance.getEntriesByName(url, 'resource').at(-1) as PerformanceResourceTiming | undefined;
  if (!e) return { imageSource: 'unknown', imageTransferBytes: 0 };
  if (e.workerStart > 0) return { imageSource: 'service-worker', imageTransferBytes: 0 };
  if (e.transferSize === 0) return { imageSource: e.encodedBodySize > 0 ? 'http-cache' : 'unknown', imageTransferBytes: 0 };
  return { imageSource: 'network', imageTransferBytes: e.encodedBodySize };
}

/**
 * The file service the IDE's explorer and editor talk to (docs/design/fs-protocol.md): fsd, a process of
 * the sandbox listening on a UNIX socket that is not an exposure point (it is reached with
 * exposures.connect('unix:/run/wasmux/fs.sock') and never published). Restarted when it exits (killed from
 * the terminal, say), up to 5 times in a row within a minute.
 */
function startFileService(kernel: Kernel): void {
  let recent: number[] = [];
  const start = (): void => {
    const stdin = new HostInput();
    stdin.end();
    let t;
    try {
      t = kernel.spawn({
        argv: [FSD, FS_SOCKET], env: [`PATH=${BASE_ENV['PATH']}`], cwd: '/',
        stdio: [stdin, new HostOutput(() => true), new HostOutput((b) => { console.warn(`fsd: ${new TextDecoder().decode(b).trimEnd()}`); return true; })],
      });
    } catch (e) {
      console.warn(`wasmux: cannot start the file service ${FSD}: ${(e as Error).message}`);
      return;
    }
    void kernel.waitExit(t).then(() => {
      const now = Date.now();
      recent = [...recent.filter((x) => now - x < 60_000), now];
      if (recent.length <= 5) setTimeout(start, 200);
    });
  };
  start();
}

const FSD = '/usr/libexec/wasmux/fsd';
const FS_SOCKET = '/run/wasmux/fs.sock';

const progressListeners = new Set<(loaded: number, total: number) => void>();

/** The response body, telling the pages waiting in boot() how far the download is (at most every 5%). */
async function readWithProgress(res: Response): Promise<Uint8Array> {
  // The body arrives decoded, so Content-Length (of the encoded bytes) is no total when compressed.
  const total = WASMUX_IMAGE_SIZE;
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

function getKernel(): Promise<Booted> {
  booting ??= bootKernel().catch((e) => { booting = null; throw e; });
  return booting;
}

function openShell(kernel: Kernel, o: Partial<PtyOpenOptions>): PtySession {
  const env = { ...BASE_ENV };
  for (const kv of o.env ?? []) { const eq = kv.indexOf('='); if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1); }
  return kernel.openPtySession({
    argv: o.argv ?? ['sh'], env: Object.entries(env).map(([k, v]) => `${k}=${v}`), cwd: o.cwd ?? '/root',
    cols: o.cols ?? 80, rows: o.rows ?? 24,
  });
}

function isDefaultShell(o: PtyOpenOptions): boolean {
  return (o.argv === undefined || (o.argv.length === 1 && o.argv[0] === 'sh')) && !o.env?.length
    && (o.cwd === undefined || o.cwd === '/root');
}

/**
 * The first terminal's shell, started with the kernel rather than when the first page asks for it: the
 * page is still parsing its bundle then, so by the time it opens a terminal the prompt is already waiting
 * in the pty (the output stays there until a page subscribes). It is handed to the first open() that asks
 * for the default shell, resized to that terminal; later terminals start their own. Worth about 40 ms of
 * the time to the first prompt (docs/design/browser-host.md).
 */
let firstShell: PtySession | null = null;
function startFirstShell(kernel: Kernel): void {
  try {
    const s = openShell(kernel, {});
    firstShell = s;
    void s.exited.then(() => { if (firstShell === s) firstShell = null; });
  } catch { /* a page's open() reports the error */ }
}

const sessions = new Map<number, PtySession>();
let nextId = 1;

/** Run `fn` once the page holding `lock` is gone (Web Locks grant the lock when its holder's tab closes). */
function whenGone(lock: string, fn: () => void): void {
  const locks = navigator.locks as LockManager | undefined;
  if (!locks) return;
  void locks.request(lock, () => { fn(); });
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
    let s: PtySession;
    if (firstShell && isDefaultShell(o)) {
      s = firstShell;
      firstShell = null;
      s.resize(o.cols, o.rows);
    } else {
      s = openShell(kernel, o);
    }
    const id = nextId++;
    sessions.set(id, s);
    // The callbacks are comlink proxies into the page: each call is a postMessage (the data is copied).
    s.onData((d) => { void onData(d); });
    s.onExit((status) => { sessions.delete(id); void onExit(status); });
    if (o.ownerLock) whenGone(o.ownerLock, () => api.close(id));
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
  async points(onChange, ownerLock) {
    const { sharing } = await getKernel();
    if (onChange) {
      const cb = (p: PointInfo[]): void => { void onChange(p); };
      pointListeners.add(cb);
      if (ownerLock) whenGone(ownerLock, () => pointListeners.delete(cb));
    }
    return sharing.list();
  },
  connect(point, port) {
    void getKernel().then(({ kernel }) => connectPort(kernel.net.exposures, point, port), () => port.close());
  },
  serveConnector(port) {
    // Each connection goes to the sandbox running at that moment (it may have been restarted since).
    serveConnector(() => getKernel().then(({ kernel }) => kernel.net.exposures), port);
  },
  async exportLayer() {
    const { kernel } = await getKernel();
    const tar = kernel.exportLayer();
    return Comlink.transfer(tar, [tar.buffer]);
  },
  restart(snapshot) {
    return restartKernel(snapshot);
  },
  async share(point) {
    const { sharing } = await getKernel();
    return sharing.share(point);
  },
  unshare(point) {
    void getKernel().then(({ sharing }) => sharing.unshare(point));
  },
};

if (isShared) scope.onconnect = (e) => { Comlink.expose(api, e.ports[0]!); };
else Comlink.expose(api);

// Boot at once rather than on the first page's boot(): index.html starts this worker before the app's
// bundle is parsed, so the image download and the kernel's creation overlap the page's start-up. A failure
// is reported to the pages' boot() calls, which retry it.
getKernel().catch(() => {});
