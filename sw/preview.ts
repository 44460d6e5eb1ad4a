// Previews: the service worker answers /preview/<point>/... by streaming the request into the server socket
// inside the sandbox and the server's response back (ARCHITECTURE.md §4), so a same-origin iframe shows
// what a server in the sandbox serves, offline too.
//
// Why it is shaped like this:
// - The kernel lives in the app's SharedWorker, which a service worker cannot open. An app page hands the
//   service worker a connector port into the kernel's worker (web/service-worker.ts); each request then
//   gets its own MessageChannel, connected by the kernel to the exposure point as a byte stream with flow
//   control (runtime/protocol/stream/port-stream.ts). A service worker is stopped when idle and loses the
//   port: it then asks the app's pages for a new one, and answers 503 if none comes (no app tab open).
// - One request per connection (`Connection: close`), so the server's response is framed by the parser
//   (runtime/protocol/http/response-parser.ts) and streamed: a ReadableStream that pauses the kernel
//   stream when the page stops reading. There is no timeout on the whole response (servers may stream for
//   ever); only reaching the kernel and the server accepting the connection are timed.
// - Request bodies are read whole and sent with Content-Length: the request's own length is not visible
//   here, and small servers (BusyBox httpd) do not take chunked request bodies.
// - A previewed page that asks for an absolute path (/style.css) is served by its own server: the request's
//   referrer says which preview it came from (navigations are redirected under /preview/ so that the
//   iframe stays there). Redirects the server sends to absolute paths are rewritten the same way.
// - HTML responses get a small script (SHIM_PATH, web/preview-shim/) that makes WebSockets opened by the
//   page reach the sandbox server: a service worker never sees WebSockets.
// - Cookies: the service worker keeps a cookie jar per point (the browser's own cookies never reach it).
import { PortStream, PortStreamError } from '../runtime/protocol/stream/port-stream.js';
import { HttpParseError, ResponseParser } from '../runtime/protocol/http/response-parser.js';
import { CookieJar, type JarData } from '../runtime/protocol/http/cookie-jar.js';
import { parsePreviewPath, PREVIEW_PREFIX, SHIM_PATH } from '../runtime/protocol/preview/paths.js';
import { matchPrecache } from 'workbox-precaching';

declare const self: ServiceWorkerGlobalScope;

/** How long to wait for an app page to hand over a connector port, and for the server to accept. */
const CONNECTOR_WAIT_MS = 3000;
const ACCEPT_WAIT_MS = 5000;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

let connector: MessagePort | null = null;
let waiters: Array<(p: MessagePort) => void> = [];

/** The app's pages send {type: 'wasmux-connector'} with a port, unasked after they boot and when asked. */
export function acceptConnector(port: MessagePort): void {
  connector?.close();
  connector = port;
  for (const w of waiters.splice(0)) w(port);
}

async function getConnector(): Promise<MessagePort | null> {
  if (connector) return connector;
  const wait = new Promise<MessagePort | null>((resolve) => {
    waiters.push(resolve);
    setTimeout(() => { waiters = waiters.filter((w) => w !== resolve); resolve(null); }, CONNECTOR_WAIT_MS);
  });
  for (const c of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
    c.postMessage({ type: 'wasmux-connector-request' });
  }
  return wait;
}

/** The route for a request, or null when it is not a preview's. */
export function previewRoute(req: Request): { point: string; slug: string; path: string; redirect?: string } | null {
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname === SHIM_PATH) return null;
  const direct = parsePreviewPath(url.pathname);
  if (direct) return { point: direct.point, slug: direct.slug, path: direct.rest + url.search };
  // An absolute path asked for by a previewed page belongs to that page's server.
  let ref: URL | null = null;
  try { ref = req.referrer ? new URL(req.referrer) : null; } catch { ref = null; }
  const from = ref && ref.origin === url.origin ? parsePreviewPath(ref.pathname) : null;
  if (!from) return null;
  const path = url.pathname + url.search;
  if (req.mode === 'navigate') return { point: from.point, slug: from.slug, path, redirect: `${PREVIEW_PREFIX}${from.slug}${path}` };
  return { point: from.point, slug: from.slug, path };
}

export async function handlePreview(req: Request, route: { point: string; slug: string; path: string; redirect?: string }): Promise<Response> {
  if (route.redirect) return Response.redirect(route.redirect, 302);
  const port = await getConnector();
  if (!port) {
    return page(503, 'The sandbox is not running', 'Previews are served by the sandbox in the wasmux app. Open wasmux in a tab of this browser, then reload this page.');
  }
  const channel = new MessageChannel();
  port.postMessage({ point: route.point, port: channel.port2 }, [channel.port2]);
  const stream = new PortStream(channel.port1);
  try {
    await Promise.race([stream.opened, new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ACCEPT_WAIT_MS))]);
  } catch (e) {
    stream.close();
    if (e instanceof PortStreamError && e.code === 'ECONNREFUSED') {
      return page(502, 'Nothing is listening', `No server in the sandbox accepts connections at <code>${esc(describe(route.point))}</code>. Start one in the terminal, for example <code>socat UNIX-LISTEN:/tmp/server.sock,fork EXEC:'httpd -i -h /www'</code>, then reload.`);
    }
    // The connector leads nowhere (the kernel's worker was stopped): ask for a new one next time.
    if (connector === port) connector = null;
    return page(504, 'The sandbox did not answer', 'The sandbox\'s kernel did not answer in time. Reload the wasmux app, then this page.');
  }
  const body = req.method === 'GET' || req.method === 'HEAD' ? null : new Uint8Array(await req.arrayBuffer());
  const url = new URL(req.url);
  let head = `${req.method} ${route.path} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  req.headers.forEach((v, k) => { if (!HOP_BY_HOP.has(k) && k !== 'host' && k !== 'content-length') head += `${k}: ${v}\r\n`; });
  if (body) head += `Content-Length: ${body.byteLength}\r\n`;
  const cookie = (await cookieJar()).header(route.point, route.path);
  if (cookie) head += `Cookie: ${cookie}\r\n`;
  head += 'Connection: close\r\n\r\n';
  stream.write(new TextEncoder().encode(head));
  if (body) void writeAll(stream, body);
  return respond(req, route, stream);
}

/** Writes `b` within the stream's window, waiting for drains. */
async function writeAll(stream: PortStream, b: Uint8Array): Promise<void> {
  const CHUNK = 64 * 1024;
  for (let o = 0; o < b.byteLength; o += CHUNK) {
    if (!stream.write(b.subarray(o, o + CHUNK))) await new Promise<void>((r) => stream.onDrain(r));
  }
}

function respond(req: Request, route: { slug: string; point: string; path: string }, stream: PortStream): Promise<Response> {
  return new Promise((resolve) => {
    let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
    let responded = false;
    let bodyDone = false;
    const fail = (status: number, why: string): void => {
      stream.close();
      if (!responded) { responded = true; resolve(page(status, 'Bad response from the server', esc(why))); }
      else if (!bodyDone) { bodyDone = true; controller?.error(new Error(why)); }
    };
    const parser = new ResponseParser(req.method === 'HEAD', (h) => {
      const headers = new Headers();
      const setCookies: string[] = [];
      for (const [k, v] of h.headers) {
        const name = k.toLowerCase();
        if (HOP_BY_HOP.has(name)) continue;
        if (name === 'set-cookie') { setCookies.push(v); continue; }
        try { headers.append(k, name === 'location' ? rewriteLocation(v, route.slug) : v); } catch { /* a value fetch refuses */ }
      }
      const isHtml = /^\s*text\/html/i.test(headers.get('content-type') ?? '');
      const nullBody = req.method === 'HEAD' || [204, 205, 304].includes(h.status);
      let rs: ReadableStream<Uint8Array> | null = null;
      if (!nullBody) {
        rs = new ReadableStream<Uint8Array>({
          start(c) { controller = c; },
          pull() { stream.resume(); },
          cancel() { bodyDone = true; stream.close(); },
        }, { highWaterMark: 4 });
        if (isHtml) { headers.delete('content-length'); rs = rs.pipeThrough(injectShim()); }
      }
      responded = true;
      let res: Response;
      try {
        res = new Response(rs, { status: h.status, statusText: h.statusText, headers });
      } catch (e) {
        responded = false;
        fail(502, `the server's response cannot be passed on: ${(e as Error).message}`);
        return;
      }
      // Cookies first, so that the page's next request already carries them.
      void cookieJar().then((j) => (j.store(route.point, setCookies, route.path) ? saveCookieJar(j) : undefined))
        .finally(() => resolve(res));
    }, (chunk) => {
      if (!controller || bodyDone) return;
      controller.enqueue(chunk);
      if ((controller.desiredSize ?? 1) <= 0) stream.pause();
    }, () => {
      if (!bodyDone) { bodyDone = true; controller?.close(); }
      stream.close();
    });
    stream.onData((d) => {
      try { parser.feed(d); } catch (e) { fail(502, e instanceof HttpParseError ? e.message : String(e)); }
    });
    const ended = (): void => {
      if (parser.done) return;
      try { parser.end(); } catch (e) { fail(502, (e as Error).message); }
    };
    stream.onEnd(ended);
    stream.onClose((err) => { if (err) fail(502, `the connection was reset (${err})`); else ended(); });
  });
}

/** The previews' cookies (runtime/protocol/http/cookie-jar.ts says why the service worker keeps them),
 * saved in Cache Storage so that they outlive the service worker being stopped when idle. */
const JAR_CACHE = 'wasmux-preview-cookies';
const JAR_KEY = '/cookie-jar.json';
let jar: Promise<CookieJar> | null = null;

function cookieJar(): Promise<CookieJar> {
  jar ??= caches.open(JAR_CACHE).then((c) => c.match(JAR_KEY)).then((r) => (r ? r.json() as Promise<JarData> : {}))
    .then((d) => new CookieJar(d), () => new CookieJar());
  return jar;
}

async function saveCookieJar(j: CookieJar): Promise<void> {
  try { await (await caches.open(JAR_CACHE)).put(JAR_KEY, new Response(JSON.stringify(j))); } catch { /* kept in memory */ }
}

/** Location: /x from the server means /preview/<slug>/x to the iframe. */
function rewriteLocation(v: string, slug: string): string {
  if (v.startsWith('/') && !v.startsWith('//') && !v.startsWith(PREVIEW_PREFIX)) return `${PREVIEW_PREFIX}${slug}${v}`;
  try {
    const u = new URL(v);
    if (u.origin === self.location.origin && !u.pathname.startsWith(PREVIEW_PREFIX)) return `${PREVIEW_PREFIX}${slug}${u.pathname}${u.search}${u.hash}`;
  } catch { /* relative: the browser resolves it against the preview URL */ }
  return v;
}

/**
 * Inserts the WebSocket shim's script tag into an HTML body as it streams: after the <head> tag when it
 * comes within the first 4 KiB, else after the doctype, else at the start (after the doctype keeps the
 * page out of quirks mode).
 */
function injectShim(): TransformStream<Uint8Array, Uint8Array> {
  const tag = new TextEncoder().encode(`<script src="${SHIM_PATH}"></script>`);
  let pending: Uint8Array | null = new Uint8Array(0);
  const emit = (c: TransformStreamDefaultController<Uint8Array>, buf: Uint8Array): void => {
    const text = new TextDecoder('latin1').decode(buf);
    const m = /<head(\s[^>]*)?>/i.exec(text) ?? /<!doctype[^>]*>/i.exec(text);
    const at = m ? m.index + m[0].length : 0;
    c.enqueue(buf.subarray(0, at));
    c.enqueue(tag);
    c.enqueue(buf.subarray(at));
    pending = null;
  };
  return new TransformStream({
    transform(chunk, c) {
      if (pending === null) { c.enqueue(chunk); return; }
      const buf = new Uint8Array(pending.length + chunk.length);
      buf.set(pending);
      buf.set(chunk, pending.length);
      pending = buf;
      if (/<head(\s[^>]*)?>/i.test(new TextDecoder('latin1').decode(buf)) || buf.length >= 4096) emit(c, buf);
    },
    flush(c) { if (pending !== null) emit(c, pending); },
  });
}

/** The shim's script, from the precache (bundle-web.mjs builds it as preview-shim.js). */
export async function shimResponse(): Promise<Response> {
  const r = await matchPrecache('preview-shim.js') ?? await fetch('/preview-shim.js').catch(() => null);
  if (!r) return new Response('/* wasmux: the preview shim is not available */', { headers: { 'content-type': 'text/javascript' } });
  return new Response(r.body, { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' } });
}

function describe(point: string): string {
  return point.startsWith('tcp:') ? `port ${point.slice(4)}` : point.slice(5);
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, title: string, html: string): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#ddd;background:#1e1e1e}
code{background:#333;padding:0 .25em;border-radius:3px}small{color:#888}</style></head>
<body><h1>${esc(title)}</h1><p>${html}</p><p><small>wasmux preview · ${status}</small></p></body></html>`;
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-wasmux-preview-error': String(status) } });
}

/** Hooks the preview routes into the service worker; call before other fetch listeners. */
export function installPreviews(): void {
  self.addEventListener('fetch', (e) => {
    if (new URL(e.request.url).pathname === SHIM_PATH) { e.respondWith(shimResponse()); return; }
    const route = previewRoute(e.request);
    if (route) e.respondWith(handlePreview(e.request, route));
  });
  self.addEventListener('message', (e) => {
    const d = e.data as { type?: string } | null;
    if (d?.type === 'wasmux-connector' && e.ports[0]) acceptConnector(e.ports[0]);
  });
}
