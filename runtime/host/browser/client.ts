// The one module through which pages talk to the kernel (STYLE.md: web/ -> one client module wraps
// comlink). It adopts the kernel's worker started by index.html (start-worker.ts), or starts it, and
// returns a typed proxy.
import * as Comlink from 'comlink';
import type { BootInfo, PointInfo, PtyOpenOptions, RestartInfo, SandboxApi } from '../../protocol/sandbox.js';
import { PortStream } from '../../protocol/stream/port-stream.js';
import { startKernelWorker, takeEarlyWorker } from './start-worker.js';

export type { BootInfo, PointInfo, PtyOpenOptions, PortStream };

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
  /** The exposure points now; `onChange` hears later lists while this page lives. */
  points(onChange?: (points: PointInfo[]) => void): Promise<PointInfo[]>;
  /** A byte stream to a server in the sandbox (its `opened` rejects with ECONNREFUSED when none listens). */
  connect(point: string): PortStream;
  /** A port the service worker uses to reach the kernel (sw/preview.ts). */
  connectorPort(): MessagePort;
  share(point: string): Promise<string>;
  unshare(point: string): void;
  /** The writable layer as a tar (a snapshot). */
  exportLayer(): Promise<Uint8Array>;
  /** A fresh sandbox with `snapshot` as its writable layer, or an empty one (reset). */
  restart(snapshot: Uint8Array | null): Promise<RestartInfo>;
}

/** Set by the bundler (scripts/bundle-web.mjs): the worker's revisioned URL, relative to the page. */
declare const WASMUX_WORKER_URL: string;

export interface ConnectOptions {
  /** The worker script (the build's kernel-worker.<hash>.js beside the page by default). */
  workerUrl?: string | URL;
  /** Hears the image download while the kernel boots (bytes so far; total 0 when unknown). */
  onProgress?: (loaded: number, total: number) => void;
}

export function connectSandbox(o: ConnectOptions = {}): SandboxClient {
  const started = (o.workerUrl === undefined ? takeEarlyWorker() : undefined)
    ?? startKernelWorker(o.workerUrl ?? new URL(WASMUX_WORKER_URL, document.baseURI));
  const remote = Comlink.wrap<SandboxApi>(started.endpoint);
  const failed = started.failed;
  const lock = started.pageLock;
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
    async points(onChange) {
      return Promise.race([failed, remote.points(onChange ? Comlink.proxy(onChange) : undefined, await lock)]);
    },
    connect(point) {
      const { port1, port2 } = new MessageChannel();
      void remote.connect(point, Comlink.transfer(port2, [port2]));
      return new PortStream(port1);
    },
    connectorPort() {
      const { port1, port2 } = new MessageChannel();
      void remote.serveConnector(Comlink.transfer(port2, [port2]));
      return port1;
    },
    share: (point) => Promise.race([failed, remote.share(point)]),
    unshare: (point) => { void remote.unshare(point); },
    exportLayer: () => Promise.race([failed, remote.exportLayer()]),
    restart: (snapshot) => Promise.race([failed, remote.restart(snapshot ? Comlink.transfer(snapshot, [snapshot.buffer]) : null)]),
  };
}
