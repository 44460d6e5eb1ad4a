// Exposure points (issue 5): the one abstraction through which hosts reach servers inside a sandbox. Every
// listening socket on a configured UNIX path (default /tmp/server.sock) and every listening TCP socket of
// the sandbox's loopback becomes an exposure point; a host opens duplex byte streams to it, which the
// kernel delivers to the server as accepted connections. The browser terminal, the file explorer, the
// preview service worker and the edge tunnel all use this API.
//
// This file is the contract between the kernel's socket layer (net/) and host-side users (runtime/host,
// edge tunnel client). It holds types only; net/ implements them.

export interface ExposurePoint {
  /** Stable id while the point exists: "unix:/tmp/server.sock" or "tcp:8080". */
  readonly id: string;
  readonly kind: 'unix' | 'tcp';
  /** UNIX path (kind 'unix'). */
  readonly path?: string;
  /** TCP port and bound address, e.g. "0.0.0.0", "127.0.0.1", "::" (kind 'tcp'). */
  readonly port?: number;
  readonly address?: string;
}

/**
 * The host end of one connection. Flow control is end to end: write() returns false when the kernel-side
 * buffer is full (wait for onDrain before writing more), and pause() stops onData callbacks so that the
 * sandbox writer blocks once its socket buffer fills. end() is a half-close (the server reads EOF and can
 * still write); close() resets both directions.
 */
export interface HostStream {
  write(data: Uint8Array): boolean;
  end(): void;
  close(): void;
  pause(): void;
  resume(): void;
  /** Data from the server. The chunk is handed over: the kernel never reuses it, the callee may keep it. */
  onData(cb: (data: Uint8Array) => void): void;
  /** The server half-closed (shutdown(SHUT_WR) or close). */
  onEnd(cb: () => void): void;
  /** Both directions are done (closed by either side or reset); `error` is set for a reset. */
  onClose(cb: (error?: string) => void): void;
  onDrain(cb: () => void): void;
}

export interface Exposures {
  list(): ExposurePoint[];
  /** Subscribe to points appearing and disappearing; returns an unsubscribe function. */
  on(event: 'added' | 'removed', cb: (p: ExposurePoint) => void): () => void;
  /**
   * Open a stream to a point, delivered to the server as a new connection in its accept queue. Throws an
   * Error with code 'ECONNREFUSED' when the point is gone or its backlog is full.
   *
   * "unix:<absolute path>" also reaches a listening AF_UNIX stream socket whose path is NOT in unixPaths:
   * a private service for the host itself (the IDE's file service, /run/wasmux/fs.sock; see
   * docs/design/fs-protocol.md). Such sockets are never in list() nor announced by on('added'), so the
   * edge tunnel, which publishes list(), never exposes them. A host that forwards connect requests chosen
   * by someone else (the edge naming a point) must check the id against list() first.
   */
  connect(id: string): HostStream;
  /** UNIX paths that become exposure points when something listens there. */
  readonly unixPaths: Set<string>;
}
