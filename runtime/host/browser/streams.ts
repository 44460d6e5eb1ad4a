// The kernel's end of the browser's byte streams (runtime/protocol/stream/port-stream.ts): a MessagePort from
// a page, a preview page's WebSocket shim or the service worker becomes a connection to an exposure point,
// delivered to the server like any other client's (kernel.net.exposures.connect). Backpressure is end to
// end in both directions, as in the edge tunnel's relay.
import type { Exposures, HostStream } from '../../kernel/net/exposure.js';
import { PortStream, type PortLike } from '../../protocol/stream/port-stream.js';

/**
 * Connect `port` to the point `pointId` ("unix:/tmp/server.sock", "tcp:8080"); never throws. With
 * `listedOnly`, only exposure points (not the unlisted UNIX sockets such as the file service's).
 */
export function connectPort(exposures: Exposures, pointId: string, port: PortLike, listedOnly = false): void {
  const ps = new PortStream(port);
  if (listedOnly && !exposures.list().some((p) => p.id === pointId)) { ps.close('ECONNREFUSED'); return; }
  let hs: HostStream;
  try {
    hs = exposures.connect(pointId);
  } catch (e) {
    ps.close((e as { code?: string }).code ?? 'ECONNREFUSED');
    return;
  }
  ps.accept();
  bridge(hs, ps);
}

export function bridge(hs: HostStream, ps: PortStream): void {
  hs.onData((d) => { if (!ps.write(d)) hs.pause(); });
  ps.onDrain(() => hs.resume());
  ps.onData((d) => { if (!hs.write(d)) ps.pause(); });
  hs.onDrain(() => ps.resume());
  hs.onEnd(() => ps.end());
  ps.onEnd(() => hs.end());
  hs.onClose((err) => ps.close(err));
  ps.onClose(() => hs.close());
}

/**
 * A connector port: the service worker's way in, for previews. Each message {point, port} (the port
 * transferred) asks for one connection, to exposure points only. A malformed message is ignored (and its
 * port, if any, closed).
 */
export function serveConnector(exposures: () => Promise<Exposures>, port: PortLike): void {
  port.addEventListener('message', (ev) => {
    const m = ev.data as { point?: unknown; port?: unknown } | null;
    const p = m?.port as PortLike | undefined;
    if (!p || typeof p.postMessage !== 'function') return;
    const point = m?.point;
    if (typeof point !== 'string') { p.close(); return; }
    void exposures().then((ex) => connectPort(ex, point, p, true), () => p.close());
  });
  port.start?.();
}
