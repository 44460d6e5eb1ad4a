// wasmux-editor in Debian's chromium: tabs, typing, Ctrl+S writing UTF-8 bytes through the FileAccess, language
// detection, changes on disk, binary files and failed reads and writes. The page (tests/e2e/fixtures/
// editor-page.ts) mounts the editor over an in-memory FileAccess; the sandbox-backed one is the app's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';
import type { MemoryFiles } from './fixtures/editor-page.js';
import type WasmuxEditor from '../../web/components/editor/editor.component.js';

declare global {
  interface Window { files: MemoryFiles; editor: WasmuxEditor; editorEvents: { type: string; detail: unknown }[] }
}

let dir: string;
let server: Server;
let url: string;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wasmux-editor-e2e-'));
  await build({
    entryPoints: [new URL('./fixtures/editor-page.ts', import.meta.url).pathname],
    outfile: join(dir, 'page.js'), bundle: true, format: 'esm', platform: 'browser', target: 'chrome120',
    loader: { '.css': 'text' }, logLevel: 'warning',
  });
  const pages: Record<string, [string, Buffer]> = {
    '/': ['text/html', Buffer.from('<!doctype html><meta charset="utf-8"><title>editor</title><script type="module" src="page.js"></script>')],
    '/page.js': ['text/javascript', readFileSync(join(dir, 'page.js'))],
  };
  server = createServer((req, res) => {
    const page = pages[req.url ?? ''];
    if (!page) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': page[0] }).end(page[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no server address');
  url = `http://127.0.0.1:${addr.port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh page with the editor mounted; window.confirm/alert/prompt fail the test if used. */
async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(5000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => { errors.push(`unexpected ${d.type()} dialog: ${d.message()}`); void d.dismiss(); });
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(url);
  await page.waitForFunction(() => window.editor?.shadowRoot?.querySelector('.cm-editor'));
  return page;
}

const pageErrors = (page: Page): string[] => (page as Page & { errors: string[] }).errors;

/** Puts files on the in-memory disk: text, or bytes given as an array. */
function put(page: Page, files: Record<string, string | number[]>): Promise<Record<string, number>> {
  return page.evaluate((fs) => Object.fromEntries(Object.entries(fs).map(([p, c]) => [p, window.files.put(p, c)])), files);
}

const open = (page: Page, path: string): Promise<void> => page.evaluate((p) => window.editor.open(p), path);
const text = (page: Page, path?: string): Promise<string | null> => page.evaluate((p) => window.editor.text(p), path);
const bytes = (page: Page, path: string): Promise<number[] | null> => page.evaluate((p) => window.files.bytes(p), path);
const writeCount = (page: Page): Promise<number> => page.evaluate(() => window.files.writes.length);
const utf8 = (s: string): number[] => [...Buffer.from(s, 'utf8')];
const tab = (page: Page, path: string) => page.locator(`wasmux-editor .tab[data-path="${path}"]`);
const content = (page: Page) => page.locator('wasmux-editor .cm-content');

/** Types at the end of the shown file's text. */
async function typeAtEnd(page: Page, s: string): Promise<void> {
  await content(page).click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(s);
}

async function waitFor(page: Page, what: string, fn: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 5000;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(20);
  }
}

describe('wasmux-editor', () => {
  it('opens files in tabs, marks edits dirty and saves UTF-8 bytes with Ctrl+S', async () => {
    const page = await newPage();
    const c = '#include <stdio.h>\nint main(void) {\n  return 0;\n}\n';
    await put(page, { '/home/user/hello.c': c, '/home/user/notes.md': '# Notes\n' });
    await open(page, '/home/user/hello.c');
    await open(page, '/home/user/notes.md');

    const tabs = page.locator('wasmux-editor .tab');
    expect(await tabs.count()).toBe(2);
    expect(await tab(page, '/home/user/hello.c').locator('.name').textContent()).toBe('hello.c');
    expect(await tab(page, '/home/user/hello.c').getAttribute('title')).toBe('/home/user/hello.c');
    expect(await tab(page, '/home/user/notes.md').getAttribute('aria-selected')).toBe('true');
    expect(await text(page)).toBe('# Notes\n');
    expect(await page.evaluate(() => window.editorEvents.filter((e) => e.type === 'wasmux-editor-open').map((e) => e.detail)))
      .toEqual([{ path: '/home/user/hello.c' }, { path: '/home/user/notes.md' }]);

    // Opening an open file shows its tab instead of adding one.
    await open(page, '/home/user/hello.c');
    expect(await tabs.count()).toBe(2);
    expect(await tab(page, '/home/user/hello.c').getAttribute('aria-selected')).toBe('true');
    expect(await content(page).textContent()).toContain('return 0;');

    await typeAtEnd(page, '// café ✓');
    const edited = c + '// café ✓';
    expect(await text(page)).toBe(edited);
    await tab(page, '/home/user/hello.c').locator('.dirty').waitFor();
    expect(await tab(page, '/home/user/hello.c').getAttribute('data-dirty')).not.toBeNull();
    expect(await tab(page, '/home/user/notes.md').locator('.dirty').count()).toBe(0);
    expect(await bytes(page, '/home/user/hello.c')).toEqual(utf8(c));

    await page.keyboard.press('Control+s');
    await waitFor(page, 'the write', async () => (await writeCount(page)) === 1);
    expect(await bytes(page, '/home/user/hello.c')).toEqual(utf8(edited));
    await tab(page, '/home/user/hello.c').locator('.dirty').waitFor({ state: 'detached' });
    expect(await page.evaluate(() => window.editorEvents.filter((e) => e.type === 'wasmux-editor-save').map((e) => e.detail)))
      .toEqual([{ path: '/home/user/hello.c' }]);

    // The other tab kept its own text; switching back keeps the edited one.
    await tab(page, '/home/user/notes.md').click();
    expect(await text(page)).toBe('# Notes\n');
    expect(await content(page).textContent()).toContain('Notes');
    await tab(page, '/home/user/hello.c').click();
    expect(await text(page)).toBe(edited);
    // Undo after the save makes the buffer differ from the file again.
    await content(page).click();
    await page.keyboard.press('Control+z');
    await tab(page, '/home/user/hello.c').locator('.dirty').waitFor();
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('detects the language from the name or the #! line, and loads it', async () => {
    const page = await newPage();
    const cases: [string, string, string | null][] = [
      ['/src/a.c', 'int main(void) { return 0; }\n', 'cpp'],
      ['/src/a.h', '#define X 1\n', 'cpp'],
      ['/src/b.cpp', 'namespace n {}\n', 'cpp'],
      ['/etc/init.sh', 'if true; then echo hi; fi\n', 'shell'],
      ['/root/.profile', 'export PATH=/bin\n', 'shell'],
      ['/usr/bin/hello', '#!/bin/sh\nif true; then echo hi; fi\n', 'shell'],
      ['/usr/bin/hello-bash', '#!/usr/bin/env bash\necho hi\n', 'shell'],
      ['/usr/bin/hello-ash', '#!/bin/ash\necho hi\n', 'shell'],
      ['/src/x.js', 'const x = 1;\n', 'javascript'],
      ['/src/x.mjs', 'export {};\n', 'javascript'],
      ['/src/x.ts', 'let x: number = 1;\n', 'typescript'],
      // CodeMirror names the JSX dialects after their base language.
      ['/src/x.tsx', 'const e = <div/>;\n', 'typescript'],
      ['/src/x.jsx', 'const e = <div/>;\n', 'javascript'],
      ['/www/index.html', '<p>hi</p>\n', 'html'],
      ['/www/site.css', 'p { color: red }\n', 'css'],
      ['/etc/conf.json', '{"a": 1}\n', 'json'],
      ['/README.md', '# Title\n', 'markdown'],
      ['/src/m.lua', 'local x = 1\n', 'lua'],
      ['/etc/motd', 'Welcome\n', null],
    ];
    await put(page, Object.fromEntries(cases.map(([p, c]) => [p, c])));
    for (const [path, , lang] of cases) {
      await open(page, path);
      expect([path, await page.evaluate((p) => window.editor.languageName(p), path)]).toEqual([path, lang]);
    }
    // The highlighting reaches the DOM: keyword tokens carry classHighlighter's class.
    const keyword = (word: string) => page.locator('wasmux-editor .cm-content .tok-keyword', { hasText: word }).first();
    await open(page, '/src/a.c');
    await keyword('return').waitFor();
    await open(page, '/usr/bin/hello');
    await keyword('then').waitFor();
    await open(page, '/src/m.lua');
    await keyword('local').waitFor();
    // A reload that rebuilds the buffer (the line ends changed to CRLF) keeps the language.
    // The bar shows when the tab does; the tab is marked meanwhile.
    const { '/src/a.c': m } = await put(page, { '/src/a.c': 'int main(void) {\r\n  return 1;\r\n}\r\n' });
    await page.evaluate((mtime) => window.editor.notifyChanged('/src/a.c', mtime), m);
    await tab(page, '/src/a.c').locator('.changed').waitFor();
    expect(await page.locator('wasmux-editor .bar.disk-changed').count()).toBe(0);
    await tab(page, '/src/a.c').click();
    await page.locator('wasmux-editor .bar.disk-changed button.reload').click();
    await waitFor(page, 'the reload', async () => (await text(page)) === 'int main(void) {\r\n  return 1;\r\n}\r\n');
    expect(await page.evaluate(() => window.editor.languageName())).toBe('cpp');
    await keyword('return').waitFor();
    await open(page, '/etc/motd');
    expect(await page.locator('wasmux-editor .cm-content [class*="tok-"]').count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('shows a bar when an open file changes on disk; Reload brings the new text, Keep mine keeps the buffer', async () => {
    const page = await newPage();
    const path = '/tmp/a.txt';
    await put(page, { [path]: 'one\n' });
    await open(page, path);
    const bar = page.locator('wasmux-editor .bar.disk-changed');

    // A change at the mtime the editor read is not a change.
    await page.evaluate((p) => window.editor.notifyChanged(p, window.files.entries.get(p)!.mtimeMs), path);
    expect(await bar.count()).toBe(0);

    const { [path]: m1 } = await put(page, { [path]: 'two\n' });
    await page.evaluate(([p, m]) => window.editor.notifyChanged(p as string, m as number), [path, m1]);
    await bar.waitFor();
    expect(await bar.textContent()).toContain('changed on disk');
    expect(await bar.textContent()).not.toContain('loses');
    expect(await text(page)).toBe('one\n');
    await bar.locator('button.reload').click();
    await bar.waitFor({ state: 'detached' });
    expect(await text(page)).toBe('two\n');
    expect(await content(page).textContent()).toContain('two');
    expect(await page.evaluate((p) => window.editor.isDirty(p), path)).toBe(false);

    // With unsaved edits the bar warns that reloading loses them; Keep mine keeps them, and the next save
    // writes them without asking again.
    await typeAtEnd(page, 'mine');
    const { [path]: m2 } = await put(page, { [path]: 'three\n' });
    await page.evaluate(([p, m]) => window.editor.notifyChanged(p as string, m as number), [path, m2]);
    await bar.waitFor();
    expect(await bar.textContent()).toContain('reloading loses your unsaved changes');
    await bar.locator('button.keep').click();
    await bar.waitFor({ state: 'detached' });
    expect(await text(page)).toBe('two\nmine');
    expect(await page.evaluate(() => window.editor.save())).toBe(true);
    expect(await bytes(page, path)).toEqual(utf8('two\nmine'));

    // The app's watch reports our own write, possibly before the write resolves: no bar.
    const own = await page.evaluate(async (p) => {
      const next = (window.files as unknown as { clock: number }).clock + 1000;
      const saving = window.editor.save();
      window.editor.notifyChanged(p, next);
      const saved = await saving;
      window.editor.notifyChanged(p, window.files.entries.get(p)!.mtimeMs);
      return { saved, next, mtime: window.files.entries.get(p)!.mtimeMs };
    }, path);
    expect(own.saved).toBe(true);
    expect(own.mtime).toBe(own.next);
    await page.waitForTimeout(50);
    expect(await page.locator('wasmux-editor .bar').count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('asks before saving over a file that changed on disk since it was read', async () => {
    const page = await newPage();
    const path = '/home/user/conf';
    await put(page, { [path]: 'a=1\n' });
    await open(page, path);
    await typeAtEnd(page, 'b=2');
    await put(page, { [path]: 'a=1\nc=3\n' });
    await page.keyboard.press('Control+s');
    const bar = page.locator('wasmux-editor .bar.save-conflict');
    await bar.waitFor();
    expect(await writeCount(page)).toBe(0);
    expect(await bytes(page, path)).toEqual(utf8('a=1\nc=3\n'));
    expect(await page.evaluate((p) => window.editor.isDirty(p), path)).toBe(true);
    await bar.locator('button.overwrite').click();
    await waitFor(page, 'the write', async () => (await writeCount(page)) === 1);
    expect(await bytes(page, path)).toEqual(utf8('a=1\nb=2'));
    await bar.waitFor({ state: 'detached' });
    expect(await page.evaluate((p) => window.editor.isDirty(p), path)).toBe(false);
    await page.close();
  });

  it('writes back CRLF line ends, a byte order mark and a stray CR as they were', async () => {
    const page = await newPage();
    await put(page, { '/w/dos.txt': 'one\r\ntwo\r\n', '/w/bom.txt': '\uFEFFhi\n', '/w/cr.txt': 'a\rb\n' });
    await open(page, '/w/dos.txt');
    await typeAtEnd(page, 'three');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+s');
    await waitFor(page, 'the write', async () => (await writeCount(page)) === 1);
    expect(await bytes(page, '/w/dos.txt')).toEqual(utf8('one\r\ntwo\r\nthree\r\n'));
    for (const [p, t] of [['/w/bom.txt', '\uFEFFhi\n'], ['/w/cr.txt', 'a\rb\n']] as const) {
      await open(page, p);
      expect(await page.evaluate(() => window.editor.save())).toBe(true);
      expect(await bytes(page, p)).toEqual(utf8(t));
    }
    await page.close();
  });

  it('opens a binary file read-only and never writes it', async () => {
    const page = await newPage();
    const elf = [0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x41, 0x42];
    const latin1 = [0x63, 0x61, 0x66, 0xe9, 0x0a]; // "café" in ISO-8859-1: not UTF-8
    await put(page, { '/bin/tool': elf, '/tmp/latin1.txt': latin1 });
    for (const [path, data] of [['/bin/tool', elf], ['/tmp/latin1.txt', latin1]] as const) {
      await open(page, path);
      const notice = page.locator('wasmux-editor .bar.binary');
      await notice.waitFor();
      expect(await notice.textContent()).toContain('binary file');
      expect(await content(page).getAttribute('contenteditable')).toBe('false');
      const before = await text(page);
      await content(page).click();
      await page.keyboard.type('xyz');
      await page.keyboard.press('Control+s');
      expect(await page.evaluate(() => window.editor.save())).toBe(false);
      expect(await text(page)).toBe(before);
      expect(await tab(page, path).locator('.dirty').count()).toBe(0);
      expect(await bytes(page, path)).toEqual([...data]);
    }
    expect(await writeCount(page)).toBe(0);
    await page.close();
  });

  it('shows failed reads and writes in the tab and reports them', async () => {
    const page = await newPage();
    await put(page, { '/root/secret': 'hidden\n', '/tmp/ro.txt': 'x\n' });
    await page.evaluate(() => window.files.failRead.set('/root/secret', 'EACCES: permission denied'));
    await open(page, '/root/secret');
    await open(page, '/nonexistent');
    expect(await tab(page, '/nonexistent').getAttribute('data-error')).not.toBeNull();
    expect(await page.locator('wasmux-editor .read-failed').textContent()).toContain('ENOENT: no such file or directory');
    await tab(page, '/root/secret').click();
    const failed = page.locator('wasmux-editor .read-failed');
    expect(await failed.textContent()).toContain('EACCES: permission denied');
    expect(await page.locator('wasmux-editor .cm-host').isHidden()).toBe(true);
    expect(await page.evaluate(() => window.editorEvents.filter((e) => e.type === 'wasmux-editor-error').map((e) => e.detail))).toEqual([
      { path: '/root/secret', message: 'EACCES: permission denied' },
      { path: '/nonexistent', message: 'ENOENT: no such file or directory' },
    ]);
    // Retry reads again.
    await page.evaluate(() => window.files.failRead.delete('/root/secret'));
    await failed.locator('button').click();
    await waitFor(page, 'the retried read', async () => (await text(page)) === 'hidden\n');
    expect(await failed.count()).toBe(0);
    expect(await tab(page, '/root/secret').getAttribute('data-error')).toBeNull();

    // A failed write keeps the buffer dirty and says why.
    await open(page, '/tmp/ro.txt');
    await page.evaluate(() => window.files.failWrite.set('/tmp/ro.txt', 'EROFS: read-only file system'));
    await typeAtEnd(page, 'y');
    await page.keyboard.press('Control+s');
    const bar = page.locator('wasmux-editor .bar.error');
    await bar.waitFor();
    expect(await bar.textContent()).toContain('EROFS: read-only file system');
    expect(await tab(page, '/tmp/ro.txt').locator('.dirty').count()).toBe(1);
    expect(await tab(page, '/tmp/ro.txt').getAttribute('data-error')).not.toBeNull();
    expect(await bytes(page, '/tmp/ro.txt')).toEqual(utf8('x\n'));
    expect(await page.evaluate(() => window.editorEvents.at(-1))).toEqual(
      { type: 'wasmux-editor-error', detail: { path: '/tmp/ro.txt', message: 'EROFS: read-only file system' } });
    await page.close();
  });

  it('asks inline before closing a tab with unsaved changes', async () => {
    const page = await newPage();
    await put(page, { '/a.txt': 'a\n', '/b.txt': 'b\n' });
    await open(page, '/a.txt');
    await open(page, '/b.txt');
    await typeAtEnd(page, 'edit');

    const prompt = page.locator('wasmux-editor .bar.confirm-close');
    await tab(page, '/b.txt').locator('button.close').click();
    await prompt.waitFor();
    expect(await prompt.textContent()).toContain('b.txt has unsaved changes');
    await prompt.locator('button.cancel').click();
    await prompt.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => window.editor.openPaths)).toEqual(['/a.txt', '/b.txt']);
    expect(await text(page, '/b.txt')).toBe('b\nedit');

    await tab(page, '/b.txt').locator('button.close').click();
    await prompt.locator('button.discard').click();
    expect(await page.evaluate(() => window.editor.openPaths)).toEqual(['/a.txt']);
    expect(await page.evaluate(() => window.editor.activePath)).toBe('/a.txt');
    expect(await text(page)).toBe('a\n');
    expect(await bytes(page, '/b.txt')).toEqual(utf8('b\n'));

    // A clean tab closes at once; then nothing is open.
    await tab(page, '/a.txt').locator('button.close').click();
    expect(await page.locator('wasmux-editor .tab').count()).toBe(0);
    expect(await page.locator('wasmux-editor .empty').textContent()).toContain('No file open');
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});
