#!/usr/bin/env node
// Browser boot figures (docs/design/browser-host.md), median of N runs in Debian's chromium:
//   cold    a new browser context (empty HTTP cache, no kernel): navigation start to the first shell output;
//   second  a second page of the same context (the kernel is running): the same figure;
//   reload  page 1 reloaded (its shell ends, the kernel stays): the same figure;
//   warm    the browser restarted on a profile that visited before (the service worker's cache; a new kernel):
//           the same figure;
// plus, for the cold runs, the worker's own clock: image fetched, kernel created (ms from the worker's start).
//   node scripts/measure-browser-boot.mjs [--runs N] [--screenshot FILE]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { bundleWeb } from './bundle-web.mjs';
import { serve } from './serve.mjs';

const arg = (n) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : undefined; };
const runs = Number(arg('--runs') ?? 10);
await bundleWeb();
const s = await serve({ port: 0 });
const launchOptions = {
  executablePath: process.env.WASMUX_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};
const browser = await chromium.launch(launchOptions);
const promptAt = async (page) => {
  const el = page.locator('#prompt-time');
  await el.waitFor();
  return Number((await el.textContent()).match(/\d+/)[0]);
};
const r = { cold: [], second: [], reload: [], warm: [], fetch: [], kernel: [] };
for (let i = 0; i < runs; i++) {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.goto(s.url);
  r.cold.push(await promptAt(p));
  const b = await p.evaluate(() => document.querySelector('wasmux-app').boot);
  r.fetch.push(b.fetchMs);
  r.kernel.push(b.kernelMs);
  const p2 = await ctx.newPage();
  await p2.goto(s.url);
  r.second.push(await promptAt(p2));
  await p.reload();
  r.reload.push(await promptAt(p));
  await ctx.close();
}
const profile = mkdtempSync(join(tmpdir(), 'wasmux-profile-'));
for (let i = 0; i <= runs; i++) {
  const ctx = await chromium.launchPersistentContext(profile, launchOptions);
  const p = ctx.pages()[0] ?? await ctx.newPage();
  await p.goto(s.url);
  const t = await promptAt(p);
  if (i === 0) await p.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  else r.warm.push(t);
  await ctx.close();
}
rmSync(profile, { recursive: true, force: true });
const shot = arg('--screenshot');
if (shot) {
  const ctx = await browser.newContext({ viewport: { width: 720, height: 300 } });
  const p = await ctx.newPage();
  await p.goto(s.url);
  await promptAt(p);
  await p.locator('wasmux-terminal:not([hidden])').click();
  for (const line of ['echo hello | tr a-z A-Z', 'uname -a', 'ls /']) {
    await p.keyboard.type(line);
    await p.keyboard.press('Enter');
    await p.waitForTimeout(300);
  }
  await p.screenshot({ path: shot });
  await ctx.close();
}
const version = browser.version();
await browser.close();
await s.close();
const median = (a) => { const b = [...a].sort((x, y) => x - y); const m = b.length >> 1; return b.length % 2 ? b[m] : (b[m - 1] + b[m]) / 2; };
console.log(`${runs} runs, chromium ${version}`);
for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(7)} median ${Math.round(median(v))} ms  [${v.map(Math.round).join(', ')}]`);
