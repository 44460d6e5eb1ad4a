// The browser KernelHost's defer (MessageChannel: Node has it too): a macrotask, in order, never synchronous.
import { describe, expect, it } from 'vitest';
import { browserKernelHost } from './browser-host.js';

describe('browserKernelHost', () => {
  it('defers to a later macrotask, in order, including functions deferred while running', async () => {
    const host = browserKernelHost();
    const seen: string[] = [];
    host.defer(() => { seen.push('a'); host.defer(() => seen.push('c')); });
    host.defer(() => seen.push('b'));
    queueMicrotask(() => seen.push('micro'));
    expect(seen).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['micro', 'a', 'b', 'c']);
  });

  it('fills random buffers larger than getRandomValues allows at once', () => {
    const b = new Uint8Array(200_000);
    browserKernelHost().random(b);
    expect(b.subarray(150_000).some((x) => x !== 0)).toBe(true);
  });
});
