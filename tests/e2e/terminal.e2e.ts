// The browser app end to end: the kernel in a SharedWorker, a shell on a pty in xterm.js, two pages on one
// sandbox (issue 6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellPid, openApp, serve, startE2E, screenText, typeLine, waitForScreen, TERMINAL, WEB_DIR, type E2E } from './browser.js';

let e2e: E2E;
beforeAll(async () => { e2e = await startE2E(); });
afterAll(async () => { await e2e?.close(); });

const PROMPT = /~ #$/;

describe('browser terminal', () => {
  it('boots to a prompt and runs a pipeline', async () => {
    const ctx = await e2e.browser.newContext();
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(e2e.url);
    await waitForScreen(page, PROMPT);
    const promptAt = await page.locator('#prompt-time').textContent();
    console.log(`first visit: ${promptAt} (page navigation start to the first shell output)`);
    await typeLine(page, 'echo hello | tr a-z A-Z');
    const text = await waitForScreen(page, /^HELLO$/m);
    expect(text).toContain('echo hello | tr a-z A-Z');
    expect(await page.locator('wasmux-app').locator('.status').textContent()).toContain('SharedWorker');
    // A first visit downloads the image, compressed (the server has precompressed variants).
    const info = await page.evaluate(() => (document.querySelector('wasmux-app') as unknown as { boot: { imageSource: string; imageBytes: number; imageTransferBytes: number } }).boot);
    expect(info.imageSource).toBe('network');
    expect(info.imageTransferBytes).toBeGreaterThan(0);
    expect(info.imageTransferBytes).toBeLessThan(info.imageBytes / 2);
    expect(await page.locator('#image-info').textContent()).toMatch(/MiB downloaded/);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('a second page in the same context sees the same sandbox', async () => {
    const ctx = await e2e.browser.newContext();
    const p1 = await openApp(ctx, e2e.url, PROMPT);
    await typeLine(p1, 'echo written-in-page-1 > /tmp/shared && echo ok-$((6*7))');
    await waitForScreen(p1, /^ok-42$/m);

    const p2 = await openApp(ctx, e2e.url, PROMPT);
    expect(await p2.locator('wasmux-app').locator('.status').textContent()).toContain('kernel already running');
    await typeLine(p2, 'cat /tmp/shared');
    await waitForScreen(p2, /^written-in-page-1$/m);
    // Page 1's terminal is unaffected by page 2's.
    expect(await screenText(p1)).not.toContain('cat /tmp/shared');
    await ctx.close();
  });

  it('shows the exited state and restarts the shell', async () => {
    const ctx = await e2e.browser.newContext();
    const page = await openApp(ctx, e2e.url, PROMPT);
    await typeLine(page, 'exit 3');
    const bar = page.locator(TERMINAL).locator('.exited');
    await bar.waitFor();
    expect(await bar.textContent()).toContain('exit status 3');
    await bar.locator('button').click();
    await bar.waitFor({ state: 'detached' });
    await waitForScreen(page, PROMPT);
    await typeLine(page, 'echo again');
    await waitForScreen(page, /^again$/m);
    await ctx.close();
  });

  it("closing a page ends its shell (Web Locks) and leaves the other page working", async () => {
    const ctx = await e2e.browser.newContext();
    const p1 = await openApp(ctx, e2e.url, PROMPT);
    const pid = await shellPid(p1);
    const p2 = await openApp(ctx, e2e.url, PROMPT);
    await typeLine(p2, `kill -0 ${pid} && echo alive-${pid}`);
    await waitForScreen(p2, new RegExp(`^alive-${pid}$`, 'm'));
    await p1.close();
    await typeLine(p2, `sleep 0.3; kill -0 ${pid} 2>/dev/null || echo gone-${pid}`);
    await waitForScreen(p2, new RegExp(`^gone-${pid}$`, 'm'));
    await typeLine(p2, 'echo still-$((1+1))');
    await waitForScreen(p2, /^still-2$/m);
    await ctx.close();
  });

  it('falls back to a dedicated Worker where SharedWorker does not exist', async () => {
    const ctx = await e2e.browser.newContext();
    await ctx.addInitScript(() => { delete (globalThis as { SharedWorker?: unknown }).SharedWorker; });
    const page = await openApp(ctx, e2e.url, PROMPT);
    expect(await page.locator('wasmux-app').locator('.status').textContent()).toContain('Worker (this tab)');
    await typeLine(page, 'echo hello | tr a-z A-Z');
    await waitForScreen(page, /^HELLO$/m);
    await ctx.close();
  });

  it('Ctrl-C interrupts sleep 100; ps in one page lists the other page\'s shell', async () => {
    const ctx = await e2e.browser.newContext();
    const p1 = await openApp(ctx, e2e.url, PROMPT);
    const pid = await shellPid(p1);
    await typeLine(p1, 'sleep 100');
    await p1.waitForTimeout(200);
    await p1.keyboard.press('Control+C');
    await typeLine(p1, 'echo after-$?');
    await waitForScreen(p1, /^after-130$/m, 5000);

    const p2 = await openApp(ctx, e2e.url, PROMPT);
    await typeLine(p2, `ps | grep -c "^ *${pid} "`);
    await waitForScreen(p2, /^1$/m);
    await ctx.close();
  });

  it('vi: open, type, save, quit', async () => {
    const ctx = await e2e.browser.newContext();
    const page = await openApp(ctx, e2e.url, PROMPT);
    await typeLine(page, 'vi /tmp/note.txt');
    await waitForScreen(page, /\/tmp\/note\.txt/);
    await page.keyboard.type('ihello from vi');
    await page.keyboard.press('Escape');
    // vi waits briefly after ESC for the rest of an escape sequence (a key typed that fast is read as Alt+key).
    await page.waitForTimeout(300);
    await page.keyboard.type(':wq');
    await page.keyboard.press('Enter');
    await waitForScreen(page, PROMPT);
    await typeLine(page, 'cat /tmp/note.txt | tr a-z A-Z');
    await waitForScreen(page, /^HELLO FROM VI$/m);
    await ctx.close();
  });

  it('shows an error screen, not a blank page, when the browser lacks WebAssembly', async () => {
    const ctx = await e2e.browser.newContext();
    await ctx.addInitScript(() => { delete (globalThis as { WebAssembly?: unknown }).WebAssembly; });
    const page = await ctx.newPage();
    await page.goto(e2e.url);
    const alert = page.locator('wasmux-app').locator('[role=alert]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('lacks WebAssembly');
    await ctx.close();
  });

  it('terminals in tabs: each its own shell, hidden ones keep their screen, closing one ends its shell', async () => {
    const ctx = await e2e.browser.newContext();
    const page = await openApp(ctx, e2e.url, PROMPT);
    await typeLine(page, 'echo first-$$');
    const pid1 = (await waitForScreen(page, /^first-\d+$/m)).match(/^first-(\d+)$/m)![1]!;
    await page.locator('wasmux-app').locator('button.add').click();
    await waitForScreen(page, PROMPT);
    expect(await screenText(page)).not.toContain('first-');
    await typeLine(page, 'echo second-$$');
    const pid2 = (await waitForScreen(page, /^second-\d+$/m)).match(/^second-(\d+)$/m)![1]!;
    expect(pid2).not.toBe(pid1);
    await page.locator('wasmux-app').locator('.tab', { hasText: 'sh 1' }).click();
    expect(await screenText(page)).toContain(`first-${pid1}`);
    await page.locator('wasmux-app').locator('.tab', { hasText: 'sh 2' }).locator('button.close').click();
    await typeLine(page, `sleep 0.3; kill -0 ${pid2} 2>/dev/null || echo closed-${pid2}`);
    await waitForScreen(page, new RegExp(`^closed-${pid2}$`, 'm'));
    await ctx.close();
  });

  it('terminal tabs from the keyboard: Alt+Shift+T, Alt+Shift+Left/Right, Alt+Shift+W', async () => {
    const ctx = await e2e.browser.newContext();
    const page = await openApp(ctx, e2e.url, PROMPT);
    const selected = (): Promise<string> => page.locator('wasmux-app').locator('.tab[aria-selected="true"]').innerText();
    await page.locator(TERMINAL).click();
    await page.keyboard.press('Alt+Shift+T');
    await expect.poll(() => page.locator('wasmux-app').locator('.tab').count()).toBe(2);
    await waitForScreen(page, PROMPT);
    expect(await selected()).toMatch(/sh 2/);
    await page.keyboard.press('Alt+Shift+ArrowLeft');
    expect(await selected()).toMatch(/sh 1/);
    await page.keyboard.press('Alt+Shift+ArrowRight');
    expect(await selected()).toMatch(/sh 2/);
    await page.keyboard.press('Alt+Shift+W');
    await expect.poll(() => page.locator('wasmux-app').locator('.tab').count()).toBe(1);
    // The keys went to the app, not to the shell: nothing was typed at the prompt.
    await typeLine(page, 'echo typed-$((1+1))');
    const text = await waitForScreen(page, /^typed-2$/m);
    expect(text).toMatch(/# echo typed-\$\(\(1\+1\)\)$/m);
    await ctx.close();
  });

  it('the bell fires wasmux-bell; Ctrl+Shift+C copies the selection', async () => {
    const ctx = await e2e.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await openApp(ctx, e2e.url, PROMPT);
    await page.evaluate(() => {
      (globalThis as { bells?: number }).bells = 0;
      document.addEventListener('wasmux-bell', () => { (globalThis as { bells?: number }).bells! += 1; });
    });
    await typeLine(page, "printf '\\a'; echo rang");
    await waitForScreen(page, /^rang$/m);
    await expect.poll(() => page.evaluate(() => (globalThis as { bells?: number }).bells)).toBe(1);

    await page.locator(TERMINAL).click();
    await page.evaluate(() => document.querySelector('wasmux-app')!.shadowRoot!
      .querySelector<HTMLElement & { selectAll(): void }>('wasmux-terminal:not([hidden])')!.selectAll());
    await page.keyboard.press('Control+Shift+C');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain('rang');
    await ctx.close();
  });

  it('shows an error screen when the worker script cannot be loaded', async () => {
    const ctx = await e2e.browser.newContext();
    await ctx.route('**/kernel-worker.*.js', (route) => route.fulfill({ status: 404, body: 'not found' }));
    const page = await ctx.newPage();
    await page.goto(e2e.url);
    const alert = page.locator('wasmux-app').locator('[role=alert]');
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toMatch(/The sandbox did not start: the kernel worker .* failed to start/);
    await ctx.close();
  });

  it('shows an error screen when the image cannot be fetched', async () => {
    // Playwright's routing does not see a SharedWorker's requests: serve a copy of the app without the image.
    const dir = mkdtempSync(join(tmpdir(), 'wasmux-noimage-'));
    for (const f of readdirSync(WEB_DIR).filter((f) => /^(index\.html|app\.js|kernel-worker\.[0-9a-f]+\.js)$/.test(f))) {
      copyFileSync(join(WEB_DIR, f), join(dir, f));
    }
    cpSync(join(WEB_DIR, 'chunks'), join(dir, 'chunks'), { recursive: true });
    const server = await serve({ dir, port: 0 });
    try {
      const ctx = await e2e.browser.newContext();
      const page = await ctx.newPage();
      await page.goto(server.url);
      const alert = page.locator('wasmux-app').locator('[role=alert]', { hasText: 'did not start' });
      await alert.waitFor({ timeout: 10_000 });
      expect(await alert.textContent()).toMatch(/The sandbox did not start: cannot fetch the image .*: HTTP 404/);
      await ctx.close();
    } finally {
      await server.close();
      rmSync(dir, { recursive: true });
    }
  });
});
