// Starting the kernel's worker: a SharedWorker shared by the origin's tabs where the browser has it, else a
// dedicated Worker of this tab (same script, same API). Kept apart from client.ts so that index.html can
// start the worker from a few hundred bytes of inline script, before the app's bundle (Lit, xterm.js) is
// even parsed: the image download and the kernel's boot then overlap the page's own start-up
// (docs/design/browser-host.md, "Boot"). The page's client adopts the started worker.
//
// Why `extendedLifetime`: without it a SharedWorker (and the sandbox in it) dies within about 200 ms of the
// last tab closing, so a reload would lose the sandbox; with it Chromium keeps the worker about 5 minutes.
// Browsers that do not know the option ignore it.

export const WORKER_NAME = 'wasmux-kernel';

export interface StartedWorker {
  readonly url: string;
  /** What comlink talks to: the SharedWorker's port, or the dedicated Worker itself. */
  readonly endpoint: MessagePort | Worker;
  /** Rejects when the worker script fails to load or to start (404, syntax error); never resolves. */
  readonly failed: Promise<never>;
  /** The Web Lock this page holds while it lives (the kernel closes the page's sessions once it is free),
   * resolved with its name once held, so that the kernel never sees it free before that; undefined where
   * Web Locks do not exist. Taken here, as early as possible: the grant is a round trip through the
   * browser that would otherwise delay the first terminal by tens of milliseconds. */
  readonly pageLock: Promise<string | undefined>;
}

function takePageLock(): Promise<string | undefined> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return Promise.resolve(undefined);
  const name = `wasmux-page-${crypto.randomUUID()}`;
  return new Promise((held) => {
    void locks.request(name, () => { held(name); return new Promise<void>(() => {}); });
  });
}

export function startKernelWorker(url: string | URL): StartedWorker {
  let worker: SharedWorker | Worker;
  let endpoint: MessagePort | Worker;
  if (typeof SharedWorker !== 'undefined') {
    const w = new SharedWorker(url, { name: WORKER_NAME, extendedLifetime: true } as WorkerOptions);
    worker = w;
    endpoint = w.port;
  } else {
    worker = endpoint = new Worker(url, { name: WORKER_NAME });
  }
  // A worker that fails only says so with an error event; without a listener from the start, an early
  // failure would be missed and every call would wait forever on a port nobody listens to.
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', () => reject(new Error(`the kernel worker ${String(url)} failed to start`)), { once: true });
  });
  failed.catch(() => {});
  return { url: String(url), endpoint, failed, pageLock: takePageLock() };
}

const EARLY = 'wasmuxKernelWorker';

/** The early inline script's entry: start the worker and leave it for the page's client. */
export function startEarly(url: string | URL): void {
  try { (globalThis as Record<string, unknown>)[EARLY] = startKernelWorker(url); } catch { /* the app reports it */ }
}

/** The worker started by index.html, once (a second client starts its own). */
export function takeEarlyWorker(): StartedWorker | undefined {
  const g = globalThis as Record<string, unknown>;
  const w = g[EARLY] as StartedWorker | undefined;
  delete g[EARLY];
  return w;
}
