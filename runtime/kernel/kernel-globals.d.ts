// The few host globals the kernel may use: present both in Node and in workers, and not DOM APIs.
declare function setTimeout(fn: () => void, ms?: number): unknown;
declare function clearTimeout(h: unknown): void;
declare const console: { error(...a: unknown[]): void; log(...a: unknown[]): void };
declare const crypto: { getRandomValues<T extends ArrayBufferView>(a: T): T };
declare class TextEncoder { encode(s: string): Uint8Array; }
declare class TextDecoder { constructor(label?: string, opts?: { fatal?: boolean; ignoreBOM?: boolean }); decode(b?: ArrayBufferView): string; }
