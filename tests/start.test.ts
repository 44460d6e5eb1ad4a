// `npm start`'s server as a user runs it (scripts/serve.mjs after scripts/ensure.sh): a child Node process
// that builds the app, serves it and the edge on one port, prints the URL, and stops on SIGINT.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SERVE = fileURLToPath(new URL('../scripts/serve.mjs', import.meta.url));
let child: ChildProcess | null = null;
afterAll(() => { child?.kill('SIGKILL'); });

describe('npm start (scripts/serve.mjs)', () => {
  it('serves the app and the edge on one port and prints the URL', async () => {
    child = spawn(process.execPath, [SERVE, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const url = await new Promise<string>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`no URL printed in 60 s; stdout: ${out}; stderr: ${err}`)), 60_000);
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^wasmux: open (http:\/\/localhost:\d+\/)\n.*public URLs http:\/\/<id>\.localhost:\d+\//m.exec(out);
        if (m) { clearTimeout(t); ok(m[1]!); }
      });
      child!.once('exit', (code) => fail(new Error(`exited with ${code}; stderr: ${err}`)));
    });
    const port = new URL(url).port;
    // Through 127.0.0.1 (Node may resolve localhost to ::1, where nothing listens).
    const get = (path: string): Promise<Response> => fetch(`http://127.0.0.1:${port}${path}`);
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<wasmux-app>');
    const manifest = await get('/manifest.webmanifest');
    expect(manifest.headers.get('content-type')).toBe('application/manifest+json');
    expect(((await manifest.json()) as { display: string }).display).toBe('standalone');
    expect(await (await get('/_wasmux/status')).text()).toMatch(/^wasmux edge: 0 tunnel\(s\)/);
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    child = null;
  }, 90_000);
});
