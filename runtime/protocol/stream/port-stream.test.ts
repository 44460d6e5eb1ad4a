// PortStream over Node's MessageChannel (the same structured-clone and transfer semantics as browsers').
import { describe, expect, it } from 'vitest';
import { PortStream, PortStreamError, WINDOW, type PortLike } from './port-stream.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

function pair(): [PortStream, PortStream, MessagePort, MessagePort] {
  const { port1, port2 } = new MessageChannel();
  return [new PortStream(port1 as unknown as PortLike), new PortStream(port2 as unknown as PortLike), port1, port2];
}

describe('PortStream', () => {
  it('carries bytes both ways, in order, and half-closes', async () => {
    const [a, b] = pair();
    const got: number[] = [];
    let ended = false;
    b.onData((d) => got.push(...d));
    b.onEnd(() => { ended = true; });
    a.write(new Uint8Array([1, 2]));
    a.write(new Uint8Array([3]));
    a.end();
    await tick();
    expect(got).toEqual([1, 2, 3]);
    expect(ended).toBe(true);
    // The other direction is still open.
    const back: number[] = [];
    a.onData((d) => back.push(...d));
    expect(b.write(new Uint8Array([9]))).toBe(true);
    await tick();
    expect(back).toEqual([9]);
  });

  it('does not let the caller\'s buffer be detached', async () => {
    const [a, b] = pair();
    const buf = new Uint8Array([7, 8, 9]);
    a.write(buf);
    expect(buf.byteLength).toBe(3);
    let got: Uint8Array | null = null;
    b.onData((d) => { got = d; });
    await tick();
    expect([...got!]).toEqual([7, 8, 9]);
  });

  it('flow control: the writer sees a full window until the paused reader resumes', async () => {
    const [a, b] = pair();
    let received = 0, drains = 0;
    b.pause();
    b.onData((d) => { received += d.byteLength; });
    a.onDrain(() => { drains++; });
    const chunk = new Uint8Array(64 * 1024);
    let writes = 0;
    while (a.write(chunk)) writes++;
    expect((writes + 1) * chunk.byteLength).toBeGreaterThanOrEqual(WINDOW);
    await tick(20);
    expect(received).toBe(0);
    expect(drains).toBe(0);
    b.resume();
    await tick(20);
    expect(received).toBe((writes + 1) * chunk.byteLength);
    expect(drains).toBe(1);
  });

  it('an orderly close delivers what is queued first; a reset drops it and says why', async () => {
    const [a, b] = pair();
    b.pause();
    const got: number[] = [];
    let closed: string | undefined | null = null;
    b.onData((d) => got.push(...d));
    b.onClose((e) => { closed = e; });
    a.write(new Uint8Array([1, 2, 3]));
    a.end();
    a.close();
    await tick();
    expect(closed).toBe(null);
    b.resume();
    expect(got).toEqual([1, 2, 3]);
    expect(closed).toBe(undefined);

    const [c, d] = pair();
    let why: string | undefined;
    d.onClose((e) => { why = e; });
    c.close('ECONNRESET');
    await tick();
    expect(why).toBe('ECONNRESET');
  });

  it('opened: resolves on accept, rejects with the errno when refused', async () => {
    const [a, b] = pair();
    b.accept();
    await expect(a.opened).resolves.toBeUndefined();
    expect(a.isOpen).toBe(true);
    const [c, d] = pair();
    d.close('ECONNREFUSED');
    await expect(c.opened).rejects.toBeInstanceOf(PortStreamError);
    await expect(c.opened).rejects.toMatchObject({ code: 'ECONNREFUSED', message: 'nothing is listening there' });
  });

  it('a malformed message resets that stream only', async () => {
    const [a, , , p2] = pair();
    const [x, y] = pair();
    let why: string | undefined;
    a.onClose((e) => { why = e; });
    p2.postMessage({ t: 'd', b: 'not a buffer' });
    await tick();
    expect(why).toBe('EPROTO');
    const got: number[] = [];
    y.onData((d) => got.push(...d));
    x.write(new Uint8Array([5]));
    await tick();
    expect(got).toEqual([5]);
  });
});
