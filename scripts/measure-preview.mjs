// Preview and public-URL figures for `npm run bench` (scripts/bench.mjs, section 10): a server in the
// sandbox (tests/net/wsecho.c, built for wasmux) reached
//   - from a preview iframe in Debian's chromium, through the service worker, the connector port and the
//     kernel's worker (GET /preview/8081/...);
//   - from Node through the public URL the app's Share button gives (the edge, the tunnel WebSocket of the
//     kernel's worker);
// each as the median latency of sequential small GETs and the MB/s of one large response. Every request is
// a new connection to the server (previews use one stream per request; the Node client sends
// Connection: close), so the native figures do the same: Node against the same server built natively.
import { request } from 'node:http';
import { chromium } from 'playwright-core';
import { bundleWeb } from './bundle-web.mjs';
import { serve } from './serve.mjs';
import { CHROMIUM_ARGS, median } from './measure-browser-boot.mjs';

/** One GET with a fresh connection; resolves with [ms, bytes]. */
export function nodeGet(port, host, path) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let n = 0;
    request({ host: '127.0.0.1', port, path, agent: false, headers: { host, connection: 'close' } }, (res) => {
      res.on('data', (d) => { n += d.length; });
      res.on('end', () => resolve([performance.now() - t0, n, res.statusCode]));
    }).on('error', reject).end();
  });
}

/** `count` sequential small GETs and `runs` downloads of `size` bytes from Node: { lat: ms[], mbps }. */
export async function nodeFigures(port, host, { count, size, runs }) {
  for (let i = 0; i < 10; i++) await nodeGet(port, host, '/');
  const lat = [];
  for (let i = 0; i < count; i++) {
    const [ms, , status] = await nodeGet(port, host, `/?i=${i}`);
    if (status !== 200) throw new Error(`GET / through ${host} gave ${status}`);
    lat.push(ms);
  }
  const mbps = [];
  for (let i = 0; i < runs; i++) {
    const [ms, n] = await nodeGet(port, host, `/bytes/${size}`);
    if (n !== size) throw new Error(`GET /bytes/${size} through ${host} gave ${n} bytes`);
    mbps.push(size / 1e6 / (ms / 1000));
  }
  return { lat, mbps: median(mbps) };
}

export async function measurePreview({ wsecho, count = 200, size = 32 * 1024 * 1024, runs = 3, log = () => {} }) {
  await bundleWeb();
  const s = await serve({ port: 0 });
  const browser = await chromium.launch({ executablePath: process.env.WASMUX_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(s.url);
    await page.locator('#prompt-time').waitFor({ timeout: 30_000 });
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    log('preview: uploading wsecho into the sandbox');
    await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const c = await document.querySelector('wasmux-app').files.client();
      await c.writeFile('/root/wsecho', bytes, { mode: 0o755 });
    }, Buffer.from(wsecho).toString('base64'));
    await page.locator('wasmux-terminal:not([hidden])').click();
    await page.keyboard.type('/root/wsecho 8081 > /dev/null &\n');
    const iframe = page.locator('wasmux-preview iframe');
    await iframe.waitFor({ timeout: 15_000 });
    let frame = null;
    for (let i = 0; i < 100 && !frame; i++) {
      const f = await (await iframe.elementHandle()).contentFrame();
      if (f && /\/preview\/8081\//.test(f.url()) && /hello from wsecho/.test(await f.content().catch(() => ''))) frame = f;
      else await page.waitForTimeout(100);
    }
    if (!frame) throw new Error('preview bench: the preview never showed wsecho');
    log(`preview: ${count} GETs and ${runs} × ${size} bytes from the preview iframe`);
    const preview = await frame.evaluate(async ({ count, size, runs }) => {
      const get = async (path) => {
        const t0 = performance.now();
        const r = await fetch(path, { cache: 'no-store' });
        const reader = r.body.getReader();
        let n = 0;
        for (;;) { const { done, value } = await reader.read(); if (done) break; n += value.length; }
        return [performance.now() - t0, n, r.status];
      };
      for (let i = 0; i < 10; i++) await get('/preview/8081/');
      const lat = [];
      for (let i = 0; i < count; i++) {
        const [ms, , status] = await get(`/preview/8081/?i=${i}`);
        if (status !== 200) throw new Error(`preview GET gave ${status}`);
        lat.push(ms);
      }
      const mbps = [];
      for (let i = 0; i < runs; i++) {
        const [ms, n] = await get(`/preview/8081/bytes/${size}`);
        if (n !== size) throw new Error(`preview GET /bytes/${size} gave ${n} bytes`);
        mbps.push(size / 1e6 / (ms / 1000));
      }
      mbps.sort((a, b) => a - b);
      return { lat, mbps: mbps[mbps.length >> 1] };
    }, { count, size, runs });
    log('preview: sharing the server and measuring through its public URL');
    await page.locator('wasmux-preview button.share', { hasText: 'Share' }).click();
    const link = page.locator('wasmux-preview a.public-url');
    await link.waitFor({ timeout: 15_000 });
    const host = new URL(await link.textContent()).host;
    const pub = await nodeFigures(Number(new URL(s.url).port), host, { count, size, runs });
    await ctx.close();
    return { preview, pub, version: browser.version() };
  } finally {
    await browser.close();
    await s.close();
  }
}
