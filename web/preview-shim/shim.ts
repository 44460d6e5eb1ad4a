// Injected by the service worker into every HTML page it serves under /preview/ (sw/preview.ts): makes
// WebSockets opened by the previewed page reach the server in the sandbox. A service worker never sees
// WebSocket connections, so the page's `WebSocket` is replaced by a class (runtime/protocol/ws/socket.ts)
// that speaks RFC 6455 itself over a byte stream from the kernel: this page connects to the same SharedWorker
// as the app (start-worker.ts, the same URL and name) and asks it for a stream to the exposure point.
//
// Which URLs go to the sandbox: same-origin ones. ws://<this host>/preview/<point>/path goes to that point
// with /path; any other same-origin path goes to this page's own point (a page served at /preview/8080/
// that opens ws://<host>/chat meant its own server's /chat). Other origins use the browser's WebSocket.
import * as Comlink from 'comlink';
import type { SandboxApi } from '../../runtime/protocol/sandbox.js';
import { PortStream } from '../../runtime/protocol/stream/port-stream.js';
import { parsePreviewPath } from '../../runtime/protocol/preview/paths.js';
import { webSocketClass } from '../../runtime/protocol/ws/socket.js';
import { startKernelWorker } from '../../runtime/host/browser/start-worker.js';

/** Set by the bundler: the kernel worker's URL, relative to the app's root. */
declare const WASMUX_WORKER_URL: string;

const NativeWebSocket = globalThis.WebSocket;
const here = parsePreviewPath(location.pathname);
let kernel: Comlink.Remote<SandboxApi> | null = null;

function api(): Comlink.Remote<SandboxApi> {
  kernel ??= Comlink.wrap<SandboxApi>(startKernelWorker(new URL(`/${WASMUX_WORKER_URL}`, location.origin)).endpoint);
  return kernel;
}

/** The point and the path the server sees for a same-origin URL, or null when it is not for the sandbox. */
function route(href: string): { point: string; path: string } | null {
  const u = new URL(href, location.href);
  if (u.host !== location.host || !here) return null;
  const p = parsePreviewPath(u.pathname);
  return p ? { point: p.point, path: p.rest + u.search } : { point: here.point, path: u.pathname + u.search };
}

const SandboxWebSocket = webSocketClass({
  base: location.href,
  origin: location.origin,
  connect: async (href) => {
    const r = route(href)!;
    const { port1, port2 } = new MessageChannel();
    await api().connect(r.point, Comlink.transfer(port2, [port2]));
    const s = new PortStream(port1);
    await s.opened;
    return s;
  },
  request: (href) => {
    const r = route(href);
    return r ? { host: location.host, path: r.path } : undefined;
  },
});

if (here && NativeWebSocket) {
  const Shim = function WebSocket(this: unknown, url: string | URL, protocols?: string | string[]): WebSocket {
    const href = new URL(String(url), location.href).href.replace(/^http/, 'ws');
    if (!route(href)) return new NativeWebSocket(url, protocols);
    return new SandboxWebSocket(href, protocols) as unknown as WebSocket;
  } as unknown as typeof WebSocket;
  Object.assign(Shim, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  Shim.prototype = NativeWebSocket.prototype;
  (globalThis as { WebSocket: typeof WebSocket }).WebSocket = Shim;
}
