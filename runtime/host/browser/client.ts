// The one module through which pages talk to the kernel (STYLE.md: web/ -> one client module wraps
// comlink). It starts the kernel's worker, a SharedWorker shared by the origin's tabs where the browser has
// SharedWorker, else a dedicated Worker of this tab (same script, same API), and returns a typed proxy.
//
// Why `extendedLifetime`: without it a SharedWorker (and the sandbox in it) dies within about 200 ms of the
// last tab closing, so a reload would lose the sandbox; with it Chromium keeps the worker about 5 minutes.
// Browsers that do not know the option ignore it.
import * as Comlink from 'comlink';
import type { BootInfo, PtyOpenOptions, SandboxApi } from '../../protocol/sandbox.js';

export type { BootInfo, PtyOpenOptions };

/** A pty session as seen from the page. */
export interface TerminalSession {
  readonly id: number;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  kill(sig?: number): void;
  close(): void;
}

export interface SandboxClient {
  readonly boot: Promise<BootInfo>;
  openTerminal(o: PtyOpenOptions, onData: (d: Uint8Array) => void, onExit: (status: number) => void): Promise<TerminalSession>;
}

const WORKER_NAME = 'wasmux-kernel';
/** Set by the bundler (scripts/bundle-web.mjs): the worker's revisioned URL, relative to the page. */
declare const WASMUX_WORKER_URL: string;

/** Takes the Web Lock this page holds while it lives (the kernel closes the page's sessions once it is
 * free); resolves with its name once it is held, so that the kernel never sees it free before that. */
function pageLock(): Promise<string | undefined> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return Promise.resolve(undefined);
  const name = `wasmux-page-${crypto.randomUUID()}`;
  return new Promise((held) => {
    void locks.request(name, () => { held(name); return new Promise<void>(() => {}); });
  });
}

export interface ConnectOptions {
  /** The worker script (the build's kernel-worker.<hash>.js beside the page by default). */
  workerUrl?: string | URL;
  /** Hears the image download while the kernel boots (bytes so far; total 0 when unknown). */
  onProgress?: (loaded: number, total: number) => void;
}

export function connectSandbox(o: ConnectOptions = {}): SandboxClient {
  const workerUrl = o.workerUrl ?? new URL(WASMUX_WORKER_URL, document.baseURI);
  let remote: Comlink.Remote<SandboxApi>;
  let worker: SharedWorker | Worker;
  if (typeof SharedWorker !== 'undefined') {
    const w = new SharedWorker(workerUrl, { name: WORKER_NAME, extendedLifetime: true } as WorkerOptions);
    remote = Comlink.wrap<SandboxApi>(w.port);
    worker = w;
  } else {
    const w = new Worker(workerUrl, { name: WORKER_NAME });
    remote = Comlink.wrap<SandboxApi>(w);
    worker = w;
  }
  // A worker that fails to load or to start (404, syntax error) only says so with an error event; without
  // this, every call would wait forever on a port nobody listens to.
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', () => reject(new Error(`the kernel worker ${String(workerUrl)} failed to start`)), { once: true });
  });
  failed.catch(() => {});
  const lock = pageLock();
  return {
    boot: Promise.race([remote.boot(o.onProgress ? Comlink.proxy(o.onProgress) : undefined), failed]),
    async openTerminal(o, onData, onExit) {
      const id = await Promise.race([failed, remote.open({ ...o, ownerLock: o.ownerLock ?? await lock }, Comlink.proxy(onData), Comlink.proxy(onExit))]);
      return {
        id,
        write: (d) => { void remote.write(id, d); },
        resize: (c, r) => { void remote.resize(id, c, r); },
        kill: (sig) => { void remote.kill(id, sig); },
        close: () => { void remote.close(id); },
      };
    },
  };
}
