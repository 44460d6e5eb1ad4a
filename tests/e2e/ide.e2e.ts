// The IDE in Debian's chromium against the server `npm start` runs: the file explorer (through the file
// service in the sandbox), the editor on sandbox files, previews through the service worker (a page, a 5 MiB
// POST, a WebSocket echo from the previewed page, offline), and public sharing through the edge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { startE2E, typeLine, waitForScreen, CHROMIUM, CHROMIUM_ARGS, type E2E } from './browser.js';
import { build } from '../helpers/cprog.js';

const PROMPT = /~ #$/m;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
let e2e: E2E;
let ctx: BrowserContext;
let page: Page;
let tmp: string;

beforeAll(async () => {
  e2e = await startE2E();
  tmp = mkdtempSync(join(tmpdir(), 'wasmux-ide-'));
  ctx = await e2e.browser.newContext({ acceptDownloads: true });
  page = await ctx.newPage();
  await page.goto(e2e.url);
  await waitForScreen(page, PROMPT);
  // The service worker must be active for previews.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
});
afterAll(async () => {
  await ctx?.close();
  await e2e?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs a command in the terminal and waits for a line matching `re`. */
async function sh(cmd: string, re: RegExp): Promise<string> {
  await typeLine(page, cmd);
  return waitForScreen(page, re);
}

const row = (path: string) => page.locator(`wasmux-explorer .row[data-path="${path}"]`);

describe('file explorer', () => {
  it('creates a file and a folder from the UI that ls -l shows; touch in the terminal shows up in the tree', async () => {
    await expect.poll(() => row('/root').count(), { timeout: 15_000 }).toBe(1);
    await row('/root').click(); // collapses
    await row('/root').click(); // expands again, selected
    await page.locator('wasmux-explorer button[aria-label="New folder"]').click();
    await page.locator('wasmux-explorer input[aria-label="New folder name"]').fill('ui-folder');
    await page.keyboard.press('Enter');
    await expect.poll(() => row('/root/ui-folder').count()).toBe(1);
    await row('/root').click();
    await row('/root').click();
    await page.locator('wasmux-explorer button[aria-label="New file"]').click();
    await page.locator('wasmux-explorer input[aria-label="New file name"]').fill('made-in-ui.txt');
    await page.keyboard.press('Enter');
    await expect.poll(() => row('/root/made-in-ui.txt').count()).toBe(1);
    await sh('ls -l /root | grep -c -e made-in-ui.txt -e "^d.* ui-folder$"', /^2$/m);
    await sh('touch /root/from-shell.txt; mkdir /root/shell-dir && echo made', /^made$/m);
    await expect.poll(() => row('/root/from-shell.txt').count(), { timeout: 5000 }).toBe(1);
    await expect.poll(() => row('/root/shell-dir').count(), { timeout: 5000 }).toBe(1);
    await sh('rm /root/from-shell.txt && echo removed', /^removed$/m);
    await expect.poll(() => row('/root/from-shell.txt').count(), { timeout: 5000 }).toBe(0);
  });

  it('uploads and downloads a binary file byte for byte, and a folder as a tar', async () => {
    const blob = randomBytes(300_000);
    await row('/root/ui-folder').click();
    await page.locator('wasmux-explorer input[type=file]').setInputFiles({ name: 'blob.bin', mimeType: 'application/octet-stream', buffer: blob });
    await expect.poll(() => row('/root/ui-folder/blob.bin').count(), { timeout: 10_000 }).toBe(1);
    await sh(`[ "$(sha256sum < /root/ui-folder/blob.bin)" = "${sha(blob)}  -" ] && echo same-bytes`, /^same-bytes$/m);
    await row('/root/ui-folder/blob.bin').click();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('wasmux-explorer button[title^="Download"]').click()]);
    const got = readFileSync((await dl.path())!);
    expect(sha(got)).toBe(sha(blob));
    // The folder, as a tar that GNU tar reads.
    await row('/root/ui-folder').click();
    const [dl2] = await Promise.all([page.waitForEvent('download'), page.locator('wasmux-explorer button[title^="Download"]').click()]);
    expect(dl2.suggestedFilename()).toBe('ui-folder.tar');
    const tarFile = join(tmp, 'ui-folder.tar');
    writeFileSync(tarFile, readFileSync((await dl2.path())!));
    execFileSync('tar', ['-xf', tarFile, '-C', tmp]);
    expect(sha(readFileSync(join(tmp, 'ui-folder/blob.bin')))).toBe(sha(blob));
  });
});

describe('editor', () => {
  it('edits and saves /www/index.html; a sed -i underneath is offered for reload', async () => {
    await expect.poll(() => row('/www').count()).toBe(1);
    await row('/www').click();
    await row('/www/index.html').click();
    const editor = page.locator('wasmux-editor .cm-content');
    await editor.waitFor({ timeout: 15_000 });
    await editor.click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('<!-- edited in the browser -->\n');
    await page.keyboard.press('Control+s');
    await sh('head -n 1 /www/index.html', /^<!-- edited in the browser -->$/m);
    await sh("sed -i 's/edited in the browser/changed by sed/' /www/index.html && echo sed-done", /^sed-done$/m);
    const reload = page.locator('wasmux-editor button', { hasText: /^Reload$/ });
    await reload.waitFor({ timeout: 10_000 });
    await reload.click();
    await expect.poll(() => page.evaluate(() => document.querySelector('wasmux-app')!.shadowRoot!.querySelector('wasmux-editor')!.text())).toMatch(/^<!-- changed by sed -->/);
  });
});

describe('preview', () => {
  let frame: Frame;

  it('shows the page served by socat + httpd on /tmp/server.sock', async () => {
    await sh("mkdir -p /www/cgi-bin && printf '#!/bin/sh\\necho Content-Type: application/octet-stream\\necho\\nexec head -c $CONTENT_LENGTH\\n' > /www/cgi-bin/echo && chmod +x /www/cgi-bin/echo && echo cgi-ok", /^cgi-ok$/m);
    await sh("socat UNIX-LISTEN:/tmp/server.sock,fork EXEC:'httpd -i -h /www' & sleep 0.3; echo started", /^started$/m);
    const iframe = page.locator('wasmux-preview iframe');
    await iframe.waitFor({ timeout: 10_000 });
    await expect.poll(async () => (await (await iframe.elementHandle())!.contentFrame())?.content() ?? '', { timeout: 10_000 }).toContain('It works');
    frame = (await (await iframe.elementHandle())!.contentFrame())!;
    expect(frame.url()).toMatch(/\/preview\/unix~tmp~server\.sock\/$/);
    // The file as the server sent it (the edit is a comment before the doctype, which the DOM drops).
    expect(await frame.evaluate(async () => (await fetch('index.html')).text())).toMatch(/^<!-- changed by sed -->/);
  });

  it('round-trips a 5 MiB POST body', async () => {
    const r = await frame.evaluate(async () => {
      const body = new Uint8Array(5 * 1024 * 1024);
      for (let i = 0; i < body.length; i += 65536) crypto.getRandomValues(body.subarray(i, i + 65536));
      const res = await fetch('cgi-bin/echo', { method: 'POST', body });
      const back = new Uint8Array(await res.arrayBuffer());
      const hex = async (b: Uint8Array): Promise<string> => [...new Uint8Array(await crypto.subtle.digest('SHA-256', b))].map((x) => x.toString(16).padStart(2, '0')).join('');
      return { status: res.status, len: back.length, same: await hex(body) === await hex(back) };
    });
    expect(r).toEqual({ status: 200, len: 5 * 1024 * 1024, same: true });
  });

  it('carries cookies: a Set-Cookie from the server comes back on the next request', async () => {
    await sh("printf '#!/bin/sh\\necho Content-Type: text/plain\\necho \"Set-Cookie: session=abc123; Path=/\"\\necho\\necho \"cookie=[$HTTP_COOKIE]\"\\n' > /www/cgi-bin/cookie && chmod +x /www/cgi-bin/cookie && echo cookie-cgi", /^cookie-cgi$/m);
    const seen = await frame.evaluate(async () => {
      const first = await (await fetch('cgi-bin/cookie')).text();
      const second = await (await fetch('cgi-bin/cookie')).text();
      return { first: first.trim(), second: second.trim(), scriptsSeeIt: document.cookie.includes('session') };
    });
    // The service worker's jar sends it back; like an HttpOnly cookie, the page's scripts do not see it.
    expect(seen).toEqual({ first: 'cookie=[]', second: 'cookie=[session=abc123]', scriptsSeeIt: false });
  });

  it('a WebSocket opened by the previewed page reaches the sandbox server', async () => {
    const wsecho = readFileSync(await build(join(process.cwd(), 'tests/net/wsecho.c'), 'wasm'));
    await row('/root').click();
    await page.locator('wasmux-explorer input[type=file]').setInputFiles({ name: 'wsecho', mimeType: 'application/octet-stream', buffer: wsecho });
    await expect.poll(() => row('/root/wsecho').count(), { timeout: 10_000 }).toBe(1);
    await sh('chmod +x /root/wsecho && (/root/wsecho 8081 &) ; sleep 0.5; echo ws-started', /^ws-started$/m);
    const echoed = await frame.evaluate(() => new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/preview/8081/ws`);
      ws.onopen = () => ws.send('hello through the shim');
      ws.onmessage = (e) => { resolve(String(e.data)); ws.close(); };
      ws.onerror = () => reject(new Error('websocket error'));
      setTimeout(() => reject(new Error('timeout')), 10_000);
    }));
    expect(echoed).toBe('hello through the shim');
  });

  it('still works with the network cut', async () => {
    await ctx.setOffline(true);
    try {
      const r = await frame.evaluate(async () => (await fetch('index.html', { cache: 'no-store' })).text());
      expect(r).toContain('changed by sed');
    } finally {
      await ctx.setOffline(false);
    }
  });
});

describe('sharing', () => {
  it('gives a public URL that serves the page from Node, and stops within a second', async () => {
    await page.locator('wasmux-preview button.share', { hasText: 'Share' }).click();
    const link = page.locator('wasmux-preview a.public-url');
    await link.waitFor({ timeout: 10_000 });
    const url = new URL((await link.textContent())!);
    const port = new URL(e2e.url).port;
    // node:http, which sends the Host header given (fetch may not).
    const get = (): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/', headers: { host: url.host } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      }).on('error', reject).end();
    });
    const r = await get();
    expect(r.status).toBe(200);
    expect(r.body).toContain('changed by sed');
    await page.locator('wasmux-preview button.share', { hasText: 'Stop sharing' }).click();
    const t0 = Date.now();
    let status = 200;
    while (Date.now() - t0 < 1000) {
      status = (await get()).status;
      if (status === 404 || status === 502) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect([404, 502]).toContain(status);
  });
});

describe('snapshots', () => {
  it('saves to IndexedDB, and a later browser on the same profile restores the files byte for byte; export, reset', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'wasmux-snap-'));
    const launch = () => chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, acceptDownloads: true });
    try {
      let pctx = await launch();
      let p = pctx.pages()[0] ?? await pctx.newPage();
      await p.goto(e2e.url);
      await waitForScreen(p, PROMPT);
      const blob = randomBytes(200_000);
      await p.evaluate(async (b64) => {
        const c = await (document.querySelector('wasmux-app') as unknown as { files: { client(): Promise<{ writeFile(p: string, d: Uint8Array): Promise<unknown> }> } }).files.client();
        await c.writeFile('/root/keep.bin', Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0)));
      }, blob.toString('base64'));
      await typeLine(p, 'mkdir -p /root/proj && echo kept > /root/proj/note && rm /etc/motd && echo prepared');
      await waitForScreen(p, /^prepared$/m);
      await p.locator('wasmux-app .status button', { hasText: 'Snapshots' }).click();
      await p.locator('wasmux-snapshots button', { hasText: 'Save snapshot' }).click();
      await p.locator('wasmux-snapshots [role=status]', { hasText: /^Saved snapshot/ }).waitFor({ timeout: 15_000 });
      // Export as .tar: GNU tar lists the files.
      const [dl] = await Promise.all([p.waitForEvent('download'), p.locator('wasmux-snapshots button', { hasText: 'Export .tar' }).click()]);
      const listing = execFileSync('tar', ['-tvf', (await dl.path())!]).toString();
      expect(listing).toMatch(/root\/keep\.bin/);
      expect(listing).toMatch(/etc\/\.wh\.motd/);
      await pctx.close();

      // A later visit: a new browser process on the same profile, a new sandbox (without the files).
      pctx = await launch();
      p = pctx.pages()[0] ?? await pctx.newPage();
      await p.goto(e2e.url);
      await waitForScreen(p, PROMPT);
      await typeLine(p, 'test -e /root/keep.bin || echo fresh-sandbox');
      await waitForScreen(p, /^fresh-sandbox$/m);
      await p.locator('wasmux-app .status button', { hasText: 'Snapshots' }).click();
      await p.locator('wasmux-snapshots li[data-id] button', { hasText: 'Restore' }).first().click();
      await p.locator('wasmux-snapshots [role=status]', { hasText: /^Restored/ }).waitFor({ timeout: 15_000 });
      await waitForScreen(p, PROMPT);
      await typeLine(p, `[ "$(sha256sum < /root/keep.bin)" = "${sha(blob)}  -" ] && cat /root/proj/note && test ! -e /etc/motd && echo restored-ok`);
      await waitForScreen(p, /^restored-ok$/m);
      // Reset: the bare image again.
      await p.locator('wasmux-snapshots button', { hasText: 'Reset…' }).click();
      await p.locator('wasmux-snapshots button.danger', { hasText: 'Reset' }).click();
      await p.locator('wasmux-snapshots [role=status]', { hasText: /^Reset/ }).waitFor({ timeout: 15_000 });
      await waitForScreen(p, PROMPT);
      await typeLine(p, 'test ! -e /root/keep.bin && test -e /etc/motd && echo reset-ok');
      await waitForScreen(p, /^reset-ok$/m);
      // A damaged archive is refused with its reason, and the running sandbox is left as it was.
      await typeLine(p, 'echo survivor > /root/survivor && echo marked');
      await waitForScreen(p, /^marked$/m);
      await p.locator('wasmux-snapshots input[type=file]').setInputFiles({ name: 'bad.tar', mimeType: 'application/x-tar', buffer: Buffer.concat([Buffer.from('not a tar'), Buffer.alloc(2000)]) });
      await p.locator('wasmux-snapshots [role=status]', { hasText: /^Import failed: / }).waitFor({ timeout: 15_000 });
      await typeLine(p, 'cat /root/survivor');
      await waitForScreen(p, /^survivor$/m);
      await pctx.close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
