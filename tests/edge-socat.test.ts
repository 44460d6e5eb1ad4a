// Issue 5's reference setup: `socat UNIX-LISTEN:/tmp/server.sock,fork EXEC:'httpd -i -h /www'` inside a
// sandbox, published as the default exposure point through an edge proxy started by the test, and fetched
// as a public client would (Node http with the public Host header). Listens on 127.0.0.1 only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeServer } from '../edge/server.js';
import type { EdgeClient } from '../runtime/host/common/edge-client.js';
import { runCaptured } from '../runtime/host/node/node-host.js';
import type { Kernel } from '../runtime/kernel/kernel.js';
import { ENV, sandbox } from './sandbox.js';
import { edgeForKernel, get, hostOf } from './helpers/edge-http.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let kernel: Kernel, edge: EdgeServer, edgePort: number, client: EdgeClient, lines: string[];

beforeAll(async () => {
  kernel = sandbox();
  ({ edge, edgePort, client, lines } = await edgeForKernel(kernel));
  void runCaptured(kernel, {
    argv: ['socat', 'UNIX-LISTEN:/tmp/server.sock,fork', "EXEC:httpd -i -h /www"], env: ENV, cwd: '/',
  });
  for (let i = 0; i < 600 && !client.urls.has('unix:/tmp/server.sock'); i++) await sleep(50);
}, 120_000);

afterAll(async () => {
  client?.close();
  await edge?.close();
});

describe('socat + httpd -i on /tmp/server.sock through the edge', () => {
  it('announces the public URL and serves /www', async () => {
    const url = client.urls.get('unix:/tmp/server.sock');
    expect(url).toBe(`http://${client.id}.localhost:${edgePort}/`);
    expect(lines.some((l) => l.startsWith('exposed /tmp/server.sock at '))).toBe(true);
    const page = kernel.vfs.readFile('/www/index.html');
    const r = await get(edgePort, hostOf(url!), '/');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(new TextDecoder().decode(page));
  });

  it('serves several requests, each on its own forked httpd', async () => {
    const rs = await Promise.all(Array.from({ length: 10 }, () => get(edgePort, hostOf(client.urls.get('unix:/tmp/server.sock')!), '/')));
    expect(rs.every((r) => r.status === 200)).toBe(true);
  });

  it('gives 404 for a path that does not exist', async () => {
    const r = await get(edgePort, hostOf(client.urls.get('unix:/tmp/server.sock')!), '/nope.html');
    expect(r.status).toBe(404);
    expect(kernel.bugs).toEqual([]);
  });
});
