// An in-memory Exposures (the contract of runtime/kernel/net/exposure.ts) for testing the edge tunnel
// without the kernel's sockets: points are added by hand and each connect() is served by a handler, either
// an in-memory echo with a bounded buffer (for backpressure) or a bridge to a real TCP server on 127.0.0.1.
import { connect as netConnect } from 'node:net';
import type { ExposurePoint, Exposures, HostStream } from '../../runtime/kernel/net/exposure.js';

export class FakeExposures implements Exposures {
  readonly unixPaths = new Set(['/tmp/server.sock']);
  private readonly points = new Map<string, { point: ExposurePoint; serve: () => HostStream }>();
  private readonly subs = { added: new Set<(p: ExposurePoint) => void>(), removed: new Set<(p: ExposurePoint) => void>() };
  connects = 0;

  list(): ExposurePoint[] { return [...this.points.values()].map((e) => e.point); }

  on(event: 'added' | 'removed', cb: (p: ExposurePoint) => void): () => void {
    this.subs[event].add(cb);
    return () => { this.subs[event].delete(cb); };
  }

  connect(id: string): HostStream {
    const e = this.points.get(id);
    if (!e) throw Object.assign(new Error(`no exposure point ${id}`), { code: 'ECONNREFUSED' });
    this.connects++;
    return e.serve();
  }

  add(point: ExposurePoint, serve: () => HostStream): void {
    this.points.set(point.id, { point, serve });
    for (const cb of this.subs.added) cb(point);
  }

  remove(id: string): void {
    const e = this.points.get(id);
    if (!e) return;
    this.points.delete(id);
    for (const cb of this.subs.removed) cb(e.point);
  }
}

/** A HostStream onto a TCP connection to 127.0.0.1:port (a Node server standing in for the sandbox's). */
export function tcpBridge(port: number): () => HostStream {
  return () => {
    const sock = netConnect({ host: '127.0.0.1', port, allowHalfOpen: true });
    sock.setNoDelay(true);
    return {
      write: (d) => sock.write(d),
      end: () => { sock.end(); },
      close: () => { sock.destroy(); },
      pause: () => { sock.pause(); },
      resume: () => { sock.resume(); },
      onData: (cb) => { sock.on('data', (b: Buffer) => cb(new Uint8Array(b.buffer, b.byteOffset, b.length))); },
      onEnd: (cb) => { sock.on('end', cb); },
      onClose: (cb) => { sock.on('close', (hadError) => cb(hadError ? 'reset' : undefined)); },
      onDrain: (cb) => { sock.on('drain', cb); },
    };
  };
}

/**
 * An echo server behind a HostStream with a bounded buffer: write() returns false past `cap` buffered
 * bytes, and nothing is echoed while the host is paused, so a host that stops reading stops the echo.
 */
export function echoServer(cap = 64 * 1024): { serve: () => HostStream; stats: { maxBuffered: number } } {
  const stats = { maxBuffered: 0 };
  const serve = (): HostStream => {
    const queue: Uint8Array[] = [];
    let buffered = 0, paused = false, ended = false, closed = false, needDrain = false, scheduled = false, endSent = false;
    const cbs = { data: [] as ((d: Uint8Array) => void)[], end: [] as (() => void)[], close: [] as ((e?: string) => void)[], drain: [] as (() => void)[] };
    const pump = (): void => {
      scheduled = false;
      if (closed) return;
      while (!paused && queue.length > 0) {
        const d = queue.shift()!;
        buffered -= d.length;
        for (const f of cbs.data) f(d);
      }
      if (needDrain && buffered < cap) { needDrain = false; for (const f of cbs.drain) f(); }
      if (ended && queue.length === 0 && !endSent && !paused) {
        endSent = true;
        for (const f of cbs.end) f();
        closed = true;
        for (const f of cbs.close) f();
      }
    };
    const schedule = (): void => { if (!scheduled) { scheduled = true; setImmediate(pump); } };
    return {
      write(d) {
        if (closed || ended) return false;
        queue.push(d.slice());
        buffered += d.length;
        stats.maxBuffered = Math.max(stats.maxBuffered, buffered);
        schedule();
        if (buffered >= cap) { needDrain = true; return false; }
        return true;
      },
      end() { ended = true; schedule(); },
      close() { if (closed) return; closed = true; for (const f of cbs.close) f('reset'); },
      pause() { paused = true; },
      resume() { paused = false; schedule(); },
      onData(cb) { cbs.data.push(cb); },
      onEnd(cb) { cbs.end.push(cb); },
      onClose(cb) { cbs.close.push(cb); },
      onDrain(cb) { cbs.drain.push(cb); },
    };
  };
  return { serve, stats };
}
