// Offline (issue 6): after a first visit the service worker has precached the app and the image; with the
// browser restarted on the same profile, the network cut and the server stopped, the app boots to a prompt.
import { expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { bundleWeb, serve, typeLine, waitForScreen, CHROMIUM, CHROMIUM_ARGS } from './browser.js';

it('boots from the cache with the network cut and the server stopped', async () => {
  await bundleWeb();
  const profile = mkdtempSync(join(tmpdir(), 'wasmux-profile-'));
  const launch = () => chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const server = await serve({ port: 0 });
  try {
    let ctx = await launch();
    let page = ctx.pages()[0] ?? await ctx.newPage();
    await page.goto(server.url);
    await waitForScreen(page, /~ #$/);
    // Active means installed, and installing precached every file.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await ctx.close();
    await server.close();

    ctx = await launch();
    page = ctx.pages()[0] ?? await ctx.newPage();
    await ctx.setOffline(true);
    // Empty the HTTP cache (the image is cached there for a year too): everything must come from the
    // service worker, including the image the kernel's SharedWorker fetches.
    await (await ctx.newCDPSession(page)).send('Network.clearBrowserCache');
    await page.goto(server.url);
    await waitForScreen(page, /~ #$/);
    await typeLine(page, 'echo hello | tr a-z A-Z');
    await waitForScreen(page, /^HELLO$/m);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    expect(await page.locator('wasmux-app').locator('#image-info').textContent()).toMatch(/from the offline cache/);
    await ctx.close();
  } finally {
    await server.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
});
