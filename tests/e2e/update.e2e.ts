// The update flow (issue 6): a new service worker waits while the old version runs; the app announces it
// and applies it only when asked (SKIP_WAITING, then a reload onto the new version).
import { expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { bundleWeb, serve, waitForScreen, CHROMIUM, CHROMIUM_ARGS, WEB_DIR } from './browser.js';

it('announces a new version and applies it on request', async () => {
  await bundleWeb();
  const dir = mkdtempSync(join(tmpdir(), 'wasmux-update-'));
  cpSync(WEB_DIR, dir, { recursive: true });
  const server = await serve({ dir, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(server.url);
    await waitForScreen(page, /~ #$/);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const update = page.locator('wasmux-app').locator('.update');
    expect(await update.count()).toBe(0);

    // A new build: a byte-different sw.js. The reload finds it; it installs and waits.
    appendFileSync(join(dir, 'sw.js'), '\n// next version\n');
    await page.reload();
    await waitForScreen(page, /~ #$/);
    await update.waitFor({ timeout: 15_000 });
    expect(await update.textContent()).toContain('A new version is ready');
    // The running version keeps control until asked.
    const before = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
    expect(before).toBeTruthy();

    await Promise.all([page.waitForEvent('load'), update.locator('button').click()]);
    await waitForScreen(page, /~ #$/);
    expect(await update.count()).toBe(0);
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.waiting === null))).toBe(true);
    await ctx.close();
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
