// The sandbox API a browser kernel host serves to pages (over comlink, see runtime/host/browser/client.ts):
// plain data and callbacks only, so it crosses a MessagePort unchanged. The Node host needs no such API
// (it holds the Kernel object itself).

/** What the kernel host measured while booting (milliseconds from the worker's start, image size). */
export interface BootInfo {
  /** Where the kernel runs: a SharedWorker shared by the origin's tabs, or a dedicated Worker of this tab. */
  readonly hostKind: 'shared-worker' | 'dedicated-worker';
  readonly imageUrl: string;
  readonly imageBytes: number;
  /** Where the image came from: the service worker's cache (offline-capable), the HTTP cache, or the
   * network; and the bytes that crossed the network for it (compressed; 0 from a cache). */
  readonly imageSource: 'service-worker' | 'http-cache' | 'network' | 'unknown';
  readonly imageTransferBytes: number;
  /** Worker start to image downloaded, and to the kernel created (image mounted, init started). */
  readonly fetchMs: number;
  readonly kernelMs: number;
  /** The worker's performance.timeOrigin (ms since the epoch): with the page's own, it places the worker's
   * figures on the page's clock. */
  readonly workerOrigin: number;
  /** True when this page connected to a kernel that was already running (another tab booted it). */
  readonly reused: boolean;
}

import type { PortLike } from './stream/port-stream.js';

export interface PtyOpenOptions {
  cols: number;
  rows: number;
  /** The shell by default: ['sh']. */
  argv?: string[];
  /** Extra K=V entries over the default environment. */
  env?: string[];
  cwd?: string;
  /** A Web Lock name the page holds for its lifetime: when the lock is released (the tab closed), the
   * kernel host closes the session (the shell gets SIGHUP). */
  ownerLock?: string;
}

/** An exposure point (runtime/kernel/net/exposure.ts): a listening UNIX socket on a configured path, or a
 * listening TCP port of the sandbox's loopback. */
export interface PointInfo {
  /** "unix:/tmp/server.sock" or "tcp:8080". */
  readonly id: string;
  readonly kind: 'unix' | 'tcp';
  readonly path?: string;
  readonly port?: number;
  readonly address?: string;
  /** The point's public URL while it is shared through the edge. */
  readonly publicUrl?: string;
}

/** Error crossing the worker boundary as plain data (STYLE.md: stable codes). */
export interface SandboxErrorData { name: string; message: string; code: string; }

export interface SandboxApi {
  /** Waits until the kernel is up (fetching the image on first use). `onProgress` hears the image download
   * (bytes so far, and the total when the server sent Content-Length, else 0) if it is still under way. */
  boot(onProgress?: (loaded: number, total: number) => void): Promise<BootInfo>;
  /** Starts a program on a new pty; returns the session id. `onData` receives the terminal output,
   * `onExit` the wait status once the session leader exited (after all its output). */
  open(o: PtyOpenOptions, onData: (d: Uint8Array) => void, onExit: (status: number) => void): Promise<number>;
  write(id: number, data: string | Uint8Array): void;
  resize(id: number, cols: number, rows: number): void;
  /** Signal the session leader (SIGHUP by default). */
  kill(id: number, sig?: number): void;
  /** Hang up the terminal and forget the session. */
  close(id: number): void;

  /** The exposure points now; `onChange` (if given) hears every later list, until the page holding
   * `ownerLock` is gone. */
  points(onChange?: (points: PointInfo[]) => void, ownerLock?: string): Promise<PointInfo[]>;
  /** Connect a MessagePort (transferred) to a point as a byte stream (runtime/protocol/stream): the kernel
   * answers {t:'o'} when a server accepted it, or closes it with the errno (ECONNREFUSED). */
  connect(point: string, port: PortLike): void;
  /** A connector port (transferred) for the service worker: each message {point, port} is a connect(). */
  serveConnector(port: PortLike): void;
  /** Share a point publicly through the edge that served the app (one tunnel per shared point); resolves
   * with its public URL. */
  share(point: string): Promise<string>;
  /** Stop sharing: the tunnel says goodbye and the edge forgets the URL at once. */
  unshare(point: string): void;
  /** The sandbox's writable layer as a tar (docs/design/snapshots.md), transferred. */
  exportLayer(): Promise<Uint8Array>;
  /** Replace the sandbox by a fresh one with `snapshot` as its writable layer (null: a reset). A bad
   * snapshot rejects (SNAPSHOT_ERR_*) and leaves the running sandbox untouched; otherwise every terminal
   * of every page hangs up and the pages start new ones. */
  restart(snapshot: Uint8Array | null): Promise<RestartInfo>;
}

/** What a restart with a snapshot found. */
export interface RestartInfo {
  /** Regular files the snapshot brought in. */
  files: number;
  /** The running image's id, and the one the snapshot was made on (null when another tool made the tar). */
  imageId: string;
  madeOnImage: string | null;
  /** False when the snapshot was made on another image: files of the image it changed may differ now. */
  sameImage: boolean;
}
