// The web platform APIs the WebSocket client uses, typed minimally. protocol/ compiles without the DOM and
// Node type libraries (runtime/protocol/tsconfig.json), so nothing here is a global declaration: the client
// reads these through `platform`, typed with only what it calls. Browsers (window and worker scopes) and
// Node 20 provide all of them; the optional ones are checked before use.
//
// Also the task queue: the WebSocket API fires its events from queued tasks, not from whatever callback
// delivered the bytes, and each message event is a task of its own (so the microtasks a handler queues run
// before the next message is dispatched, as in browsers).

export interface TextDecoderLike {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

export interface EventLike {
  readonly type: string;
}

export interface EventTargetLike {
  addEventListener(type: string, listener: ((ev: never) => unknown) | { handleEvent(ev: never): unknown } | null, options?: unknown): void;
  removeEventListener(type: string, listener: ((ev: never) => unknown) | { handleEvent(ev: never): unknown } | null, options?: unknown): void;
  dispatchEvent(ev: EventLike): boolean;
}

export interface BlobLike {
  readonly size: number;
  readonly type: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface URLLike {
  href: string;
  protocol: string;
  host: string;
  pathname: string;
  search: string;
  readonly origin: string;
}

interface PortLike {
  onmessage: ((ev: unknown) => void) | null;
  postMessage(m: unknown): void;
  /** Node only: let the process exit while the port is idle. */
  unref?(): void;
}

export interface Platform {
  crypto: {
    getRandomValues<T extends Uint8Array>(a: T): T;
    /** Present in secure contexts only; a previewed page is one, since it is served by a service worker. */
    subtle?: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> };
  };
  TextEncoder: new () => { encode(s: string): Uint8Array };
  TextDecoder: new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) => TextDecoderLike;
  URL: new (url: string, base?: string) => URLLike;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  EventTarget: new () => EventTargetLike;
  Event: new (type: string, init?: { bubbles?: boolean; cancelable?: boolean }) => EventLike;
  MessageEvent?: new (type: string, init: { data: unknown; origin?: string }) => EventLike;
  /** Browsers; Node from version 23. */
  CloseEvent?: new (type: string, init: { code?: number; reason?: string; wasClean?: boolean }) => EventLike;
  DOMException?: new (message?: string, name?: string) => Error;
  Blob?: new (parts: Uint8Array[], options?: { type?: string }) => BlobLike;
  MessageChannel?: new () => { port1: PortLike; port2: PortLike };
}

export const platform = globalThis as unknown as Platform;

export const utf8Encoder = new platform.TextEncoder();

/** A strict UTF-8 decoder: invalid input throws, and a leading BOM is kept as U+FEFF (not stripped). */
export function strictUtf8(): TextDecoderLike {
  return new platform.TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
}

// ---- tasks -----------------------------------------------------------------------------------------------

const tasks: Array<() => void> = [];
let channel: { port1: PortLike; port2: PortLike } | null = null;

function runOne(): void {
  const fn = tasks.shift();
  if (fn) fn();
}

/**
 * Queue a task (a macrotask, FIFO across all callers). A MessageChannel gives tasks without the 4 ms clamp
 * browsers apply to nested timers; without one, a zero timer.
 */
export function queueTask(fn: () => void): void {
  tasks.push(fn);
  if (!channel && platform.MessageChannel) {
    channel = new platform.MessageChannel();
    channel.port2.onmessage = runOne;
    channel.port2.unref?.();
    channel.port1.unref?.();
  }
  if (channel) channel.port1.postMessage(null);
  else platform.setTimeout(runOne, 0);
}
