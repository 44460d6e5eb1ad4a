// Sockets end to end: servers from the image (BusyBox httpd and nc, socat) run inside a sandbox and are
// reached from inside it (wget, nc) and from the host through the exposure API (kernel.net.exposures),
// including half-close, added/removed events and backpressure both ways.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Kernel } from '../runtime/kernel/kernel.js';
import type { ExposurePoint, HostStream } from '../runtime/kernel/net/exposure.js';
import type { Task } from '../runtime/kernel/proc/task.js';
import { ENV, sandbox, sh, startProcess } from './sandbox.js';

const PAGE = '<!doctype html><title>wasmux</title><p>hello from the sandbox</p>\n';

function withWww(k: Kernel): Kernel {
  try { k.vfs.mkdir('/www'); } catch { /* the image may have it */ }
  k.vfs.writeFile('/www/index.html', PAGE);
  return k;
}

const start = (k: Kernel, argv: string[]): { task: Task; out: () => string } => startProcess(k, argv, ENV);

function waitPoint(k: Kernel, id: string, timeoutMs = 20_000): Promise<ExposurePoint> {
  const have = k.net.exposures.list().find((p) => p.id === id);
  if (have) return Promise.resolve(have);
  return new Promise((res, rej) => {
    const timer = setTimeout(() => { off(); rej(new Error(`no exposure point ${id}`)); }, timeoutMs);
    const off = k.net.exposures.on('added', (p) => { if (p.id === id) { clearTimeout(timer); off(); res(p); } });
  });
}

/** Send `req` over a new host stream to `id`, half-close, collect the whole response. */
function request(k: Kernel, id: string, req: string | Uint8Array): Promise<Buffer> {
  const s = k.net.exposures.connect(id);
  return collect(s, () => { s.write(typeof req === 'string' ? Buffer.from(req) : req); s.end(); });
}

function collect(s: HostStream, go: () => void): Promise<Buffer> {
  return new Promise((res, rej) => {
    const parts: Uint8Array[] = [];
    s.onData((d) => parts.push(d.slice()));
    s.onClose((err) => (err ? rej(new Error(err)) : res(Buffer.concat(parts))));
    go();
  });
}

describe('sockets: servers in the sandbox', () => {
  it('BusyBox httpd over TCP, fetched with wget and nc inside the sandbox', async () => {
    const k = withWww(sandbox());
    const r = await sh(`httpd -f -p 127.0.0.1:8080 -h /www & pid=$!
      i=0; while ! nc -z 127.0.0.1 8080 2>/dev/null; do i=$((i+1)); [ $i -gt 100 ] && break; sleep 0.05; done
      wget -q -O - http://127.0.0.1:8080/
      printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8080 | head -n 1
      wget -q -O - http://localhost:8080/ | wc -c
      kill $pid; wait $pid; echo done`, { kernel: k });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${PAGE}HTTP/1.1 200 OK\r\n${String(PAGE.length).padStart(1)}\ndone\n`);
    expect(k.bugs).toEqual([]);
  }, 60_000);

  it('exposure points: a TCP listener appears and disappears; the host fetches a page through it', async () => {
    const k = withWww(sandbox());
    const added: string[] = [], removed: string[] = [];
    k.net.exposures.on('added', (p) => added.push(p.id));
    k.net.exposures.on('removed', (p) => removed.push(p.id));
    const srv = start(k, ['httpd', '-f', '-p', '8080', '-h', '/www']);
    const p = await waitPoint(k, 'tcp:8080');
    expect(p).toMatchObject({ kind: 'tcp', port: 8080 });
    const res = (await request(k, 'tcp:8080', 'GET / HTTP/1.0\r\nHost: x\r\n\r\n')).toString();
    expect(res.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(res.endsWith(PAGE)).toBe(true);
    k.signals.kill(srv.task, 15);
    await k.waitExit(srv.task);
    expect(added).toEqual(['tcp:8080']);
    expect(removed).toEqual(['tcp:8080']);
    expect(k.net.exposures.list()).toEqual([]);
    expect(() => k.net.exposures.connect('tcp:8080')).toThrow(expect.objectContaining({ code: 'ECONNREFUSED' }));
    expect(k.bugs).toEqual([]);
  }, 60_000);

  it('backpressure: 32 MiB each way through a HostStream with pause/resume', async () => {
    const k = sandbox();
    // cat echoes what it reads: host -> nc -> cat -> nc -> host.
    const srv = start(k, ['nc', '-l', '-p', '9000', '-e', 'cat']);
    await waitPoint(k, 'tcp:9000');
    const s = k.net.exposures.connect('tcp:9000');
    const total = 32 * 1024 * 1024, chunk = 256 * 1024;
    const sent = createHash('sha256'), got = createHash('sha256');
    let received = 0, written = 0, pauses = 0, falses = 0;
    const done = new Promise<void>((res, rej) => {
      s.onData((d) => {
        got.update(d);
        received += d.length;
        // A slow host reader: pause now and then, so the sandbox writer must block.
        if (received % (4 * 1024 * 1024) < d.length) {
          pauses++;
          s.pause();
          setTimeout(() => s.resume(), 20);
        }
      });
      s.onEnd(() => res());
      s.onClose((e) => (e ? rej(new Error(e)) : res()));
    });
    let seed = 1;
    const pump = (): void => {
      while (written < total) {
        const b = new Uint8Array(chunk);
        for (let i = 0; i < b.length; i += 4) { seed = (seed * 1103515245 + 12345) >>> 0; b[i] = seed >>> 24; }
        sent.update(b);
        written += b.length;
        if (!s.write(b)) { falses++; return; }
      }
      s.end();
    };
    s.onDrain(pump);
    pump();
    await done;
    expect(received).toBe(total);
    expect(got.digest('hex')).toBe(sent.digest('hex'));
    expect(falses).toBeGreaterThan(0);
    expect(pauses).toBeGreaterThan(0);
    await k.waitExit(srv.task);
    expect(k.bugs).toEqual([]);
  }, 120_000);

  it('socat UNIX-LISTEN:/tmp/server.sock,fork EXEC:httpd -i serves /www to the host through the exposure point', async () => {
    const k = sandbox();
    const removed: string[] = [];
    k.net.exposures.on('removed', (p) => removed.push(p.id));
    const srv = start(k, ['sh', '-c', "exec socat UNIX-LISTEN:/tmp/server.sock,fork EXEC:'httpd -i -h /www'"]);
    const p = await waitPoint(k, 'unix:/tmp/server.sock');
    expect(p).toEqual({ id: 'unix:/tmp/server.sock', kind: 'unix', path: '/tmp/server.sock' });
    const page = new TextDecoder().decode(k.vfs.readFile('/www/index.html'));
    for (let i = 0; i < 3; i++) {
      const res = (await request(k, p.id, 'GET / HTTP/1.0\r\nHost: sandbox\r\n\r\n')).toString();
      expect(res.split('\r\n')[0], srv.out()).toBe('HTTP/1.1 200 OK');
      expect(res.endsWith(page)).toBe(true);
    }
    // A client inside the sandbox reaches it too.
    const r = await sh(`printf 'GET / HTTP/1.0\\r\\n\\r\\n' | socat - UNIX-CONNECT:/tmp/server.sock | head -n 1`, { kernel: k });
    expect(r.stdout).toBe('HTTP/1.1 200 OK\r\n');
    k.signals.kill(srv.task, 15);
    await k.waitExit(srv.task);
    expect(removed).toEqual(['unix:/tmp/server.sock']);
    expect(k.bugs).toEqual([]);
  }, 60_000);

  it('half-close both ways through a HostStream; a non-loopback connect is ENETUNREACH', async () => {
    const k = sandbox();
    // The server reads to EOF, then answers with the byte count and closes.
    const srv = start(k, ['sh', '-c', 'nc -l -p 7000 -e sh -c "wc -c; echo bye"']);
    await waitPoint(k, 'tcp:7000');
    const s = k.net.exposures.connect('tcp:7000');
    let ended = false;
    const res = await collect(s, () => {
      s.onEnd(() => { ended = true; });
      s.write(new Uint8Array(100_000));
      s.end();
    });
    expect(ended).toBe(true);
    expect(res.toString().trim().split(/\s+/)).toEqual(['100000', 'bye']);
    await k.waitExit(srv.task);
    const r = await sh('nc -v 10.1.2.3 80 </dev/null; echo "status $?"', { kernel: k });
    expect(r.stderr, r.stdout).toContain('Network unreachable');
    expect(r.stdout).toBe('status 1\n');
    expect(k.bugs).toEqual([]);
  }, 60_000);
});
