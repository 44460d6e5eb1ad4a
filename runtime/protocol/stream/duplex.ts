// The duplex byte stream every client of a server in the sandbox speaks through: the kernel's HostStream
// (runtime/kernel/net/exposure.ts) has this shape, and so do the MessagePort streams of the browser
// (port-stream.ts). The WebSocket client (ws/) and the file service client (fs/) take any of them.

/**
 * A duplex byte stream: the part of the kernel's HostStream clients use. write() returns false when
 * the stream's buffer is full (the data is still taken; wait for onDrain before writing more). end() is a
 * half-close; close() ends both directions. Chunks passed to onData are handed over (not reused).
 */
export interface DuplexStream {
  write(data: Uint8Array): boolean;
  end(): void;
  close(): void;
  onData(cb: (data: Uint8Array) => void): void;
  /** The server half-closed: no more data will come. */
  onEnd(cb: () => void): void;
  /** Both directions are done; `error` names the cause of a reset or of a connection that never opened. */
  onClose(cb: (error?: string) => void): void;
  onDrain(cb: () => void): void;
}

