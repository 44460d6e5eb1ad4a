// Installability (issue 6): Chromium, in a persistent profile, reports no installability errors for the app
// (manifest, icons, start_url, scope, display standalone).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { bundleWeb, serve, CHROMIUM, CHROMIUM_ARGS } from './browser.js';

let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  await bundleWeb();
  server = await serve({ port: 0 });
});
afterAll(async () => { await server?.close(); });

it('Chromium reports the app installable', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'wasmux-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    await page.goto(server.url);
    await page.locator('#prompt-time').waitFor();
    const cdp = await ctx.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest', {});
    expect(manifest.errors).toEqual([]);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true });
  }
});
