// Shared setup of the end-to-end tests: bundle the app, serve it on a free port, launch Debian's chromium
// (apt-get install chromium; scripts/setup-toolchain.sh) through playwright-core, and read the terminal.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
// @ts-expect-error plain ES modules without declarations
import { bundleWeb } from '../../scripts/bundle-web.mjs';
import { startAppServer, type AppServer } from '../../edge/app-server.js';

export { bundleWeb };
export const WEB_DIR = new URL('../../dist/web/', import.meta.url).pathname;

/** The server `npm start` runs (the app and the edge on one port), on a free port. */
export function serve(o: { dir?: string; port?: number } = {}): Promise<AppServer> {
  return startAppServer({ dir: o.dir ?? WEB_DIR, port: o.port ?? 0 });
}

export const CHROMIUM = process.env['WASMUX_CHROMIUM'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface E2E { browser: Browser; url: string; close(): Promise<void>; }

export async function startE2E(): Promise<E2E> {
  await bundleWeb();
  const server = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return { browser, url: server.url, async close() { await browser.close(); await server.close(); } };
}

/** The shown terminal (the app has one per tab). */
export const TERMINAL = 'wasmux-terminal:not([hidden])';

/** The shown terminal's text (the xterm.js buffer, through wasmux-terminal's screenText()). */
export function screenText(page: Page): Promise<string> {
  return page.evaluate((sel) => document.querySelector('wasmux-app')?.shadowRoot
    ?.querySelector<HTMLElement & { screenText(): string }>(sel)?.screenText() ?? '', TERMINAL);
}

/** Waits until the terminal's text matches `re`; returns the text. */
export async function waitForScreen(page: Page, re: RegExp, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = await screenText(page);
    if (re.test(text)) return text;
    if (Date.now() > end) throw new Error(`timed out waiting for ${re} on the terminal; it shows:\n${text}`);
    await page.waitForTimeout(50);
  }
}

/** Types a line at the terminal (focus first: xterm.js reads a hidden textarea). */
export async function typeLine(page: Page, line: string): Promise<void> {
  await page.locator(TERMINAL).click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** A new page of `ctx` on the app, once the terminal shows `prompt`. */
export async function openApp(ctx: BrowserContext, url: string, prompt: RegExp): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(url);
  await waitForScreen(page, prompt);
  return page;
}

/** The pid of the shown terminal's shell (asked with echo). */
export async function shellPid(page: Page): Promise<string> {
  await typeLine(page, 'echo pid=$$');
  return (await waitForScreen(page, /^pid=\d+$/m)).match(/^pid=(\d+)$/m)![1]!;
}
