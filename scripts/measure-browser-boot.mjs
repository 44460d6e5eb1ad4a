#!/usr/bin/env node
// Browser boot figures (docs/design/browser-host.md), medians of N runs in Debian's chromium, against the
// server `npm start` runs (the app and the edge on one port, loopback):
//   cold    a new browser context (empty HTTP cache, no service worker, no kernel): navigation start to the
//           first shell output;
//   second  a second page of the same context (the kernel is running): the same figure;
//   reload  page 1 reloaded (its shell ends, the kernel stays): the same figure;
//   warm    the browser restarted on a profile that visited before (the service worker's cache; a new
//           kernel): the same figure;
//   image   the image's bytes on the wire in the cold runs (compressed) and its size;
// and, as the browser's own floor measured the same way, a one-line static page from the same server, cold
// and warm (navigation start to the load event). Also the worker's clock for the cold runs: image fetched,
// kernel created (ms from the worker's start).
//   node scripts/measure-browser-boot.mjs [--runs N] [--screenshot FILE]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { bundleWeb } from './bundle-web.mjs';
import { serve } from './serve.mjs';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const median = (a) => { const b = [...a].sort((x, y) => x - y); const m = b.length >> 1; return b.length % 2 ? b[m] : (b[m - 1] + b[m]) / 2; };

const promptAt = async (page) => {
  const el = page.locator('#prompt-time');
  await el.waitFor({ timeout: 30_000 });
  return Number((await el.textContent()).match(/\d+/)[0]);
};
const loadAt = (page) => page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventStart);

/** Runs the measurements; returns arrays of samples (ms, bytes) and the browser's version. */
export async function measureBrowserBoot({ runs = 10, screenshot, log = () => {} } = {}) {
  await bundleWeb();
  const s = await serve({ port: 0 });
  const blankDir = mkdtempSync(join(tmpdir(), 'wasmux-blank-'));
  writeFileSync(join(blankDir, 'index.html'), '<!doctype html><html lang="en"><title>blank</title><p>a static page</p></html>\n');
  const blank = await serve({ port: 0, dir: blankDir });
  const launchOptions = { executablePath: process.env.WASMUX_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS };
  const browser = await chromium.launch(launchOptions);
  const r = { cold: [], second: [], reload: [], warm: [], fetch: [], kernel: [], transfer: [], imageBytes: [], blankCold: [], blankWarm: [] };
  try {
    for (let i = 0; i < runs; i++) {
      log(`browser boot: cold run ${i + 1}/${runs}`);
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      await p.goto(s.url);
      r.cold.push(await promptAt(p));
      const b = await p.evaluate(() => document.querySelector('wasmux-app').boot);
      if (b.imageSource !== 'network') throw new Error(`a cold run got the image from ${b.imageSource}`);
      r.fetch.push(b.fetchMs);
      r.kernel.push(b.kernelMs);
      r.transfer.push(b.imageTransferBytes);
      r.imageBytes.push(b.imageBytes);
      const p2 = await ctx.newPage();
      await p2.goto(s.url);
      r.second.push(await promptAt(p2));
      await p.reload();
      r.reload.push(await promptAt(p));
      await ctx.close();
      const bctx = await browser.newContext();
      const bp = await bctx.newPage();
      await bp.goto(blank.url, { waitUntil: 'load' });
      r.blankCold.push(await loadAt(bp));
      await bctx.close();
    }
    const base = mkdtempSync(join(tmpdir(), 'wasmux-profile-'));
    for (const [url, out, at] of [[s.url, r.warm, promptAt], [blank.url, r.blankWarm, loadAt]]) {
      const profile = join(base, String(out === r.warm));
      mkdirSync(profile);
      for (let i = 0; i <= runs; i++) {
        log(`browser boot: warm run ${i}/${runs}${out === r.warm ? '' : ' (static page)'}`);
        const ctx = await chromium.launchPersistentContext(profile, launchOptions);
        const p = ctx.pages()[0] ?? await ctx.newPage();
        await p.goto(url, { waitUntil: 'load' });
        const t = await at(p);
        if (i === 0 && out === r.warm) await p.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
        if (i > 0) out.push(t);
        await ctx.close();
      }
    }
    rmSync(base, { recursive: true, force: true });
    if (screenshot) {
      // The IDE as a user sees it: a server started in the terminal, its page in the preview, a file open.
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      const p = await ctx.newPage();
      await p.goto(s.url);
      await promptAt(p);
      await p.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      await p.locator('wasmux-terminal:not([hidden])').click();
      for (const line of ['echo hello | tr a-z A-Z', "socat UNIX-LISTEN:/tmp/server.sock,fork EXEC:'httpd -i -h /www' &", 'ls /www']) {
        await p.keyboard.type(line);
        await p.keyboard.press('Enter');
        await p.waitForTimeout(300);
      }
      await p.locator('wasmux-explorer .row[data-path="/www"]').click();
      await p.locator('wasmux-explorer .row[data-path="/www/index.html"]').click();
      await p.locator('wasmux-editor .cm-content').waitFor();
      await p.locator('wasmux-preview iframe').waitFor();
      await p.waitForTimeout(1000);
      await p.screenshot({ path: screenshot });
      await ctx.close();
    }
    return { ...r, version: browser.version() };
  } finally {
    await browser.close();
    await s.close();
    await blank.close();
    rmSync(blankDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (n) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : undefined; };
  const runs = Number(arg('--runs') ?? 10);
  const { version, ...r } = await measureBrowserBoot({ runs, screenshot: arg('--screenshot'), log: (m) => process.stderr.write(`${m}\n`) });
  console.log(`${runs} runs, chromium ${version}`);
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(10)} median ${Math.round(median(v))}  [${v.map(Math.round).join(', ')}]`);
}
