// Public-side requests for edge tests: Node's http with an explicit Host header, so that
// <id>.localhost:PORT names need no DNS; and an edge with a sandbox's tunnel registered.
import { request, Agent, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { EdgeServer } from '../../edge/server.js';
import { nodeEdgeClient } from '../../runtime/host/node/edge.js';
import type { EdgeClient } from '../../runtime/host/common/edge-client.js';
import type { Kernel } from '../../runtime/kernel/kernel.js';

export interface Resp { status: number; headers: IncomingMessage['headers']; body: Buffer }

export function get(edgePort: number, host: string, path = '/', o: { agent?: Agent; method?: string; body?: Buffer; headers?: Record<string, string> } = {}): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: edgePort, path, method: o.method ?? 'GET', agent: o.agent ?? false,
      headers: { host, ...o.headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Send raw bytes and collect everything until the server closes (or `ms`). */
export function raw(edgePort: number, bytes: string | Buffer, ms = 3000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(edgePort, '127.0.0.1');
    const parts: Buffer[] = [];
    const done = (): void => { clearTimeout(t); s.destroy(); resolve(Buffer.concat(parts).toString('latin1')); };
    const t = setTimeout(done, ms);
    s.on('data', (d) => parts.push(d));
    s.on('close', done);
    s.on('error', done);
    s.write(bytes);
  });
}

export const hostOf = (url: string): string => new URL(url).host;

/** GET `path` (a server-sent event stream) on a fresh connection; ms since the request of each "data: tick". */
export function sseArrivals(edgePort: number, host: string, path: string): Promise<number[]> {
  const arrivals: number[] = [];
  return new Promise((resolve, reject) => {
    const s = connect(edgePort, '127.0.0.1');
    const t0 = Date.now();
    s.on('data', (d) => { for (const _ of d.toString().matchAll(/data: tick/g)) arrivals.push(Date.now() - t0); });
    s.on('end', () => { s.destroy(); resolve(arrivals); });
    s.on('error', reject);
    s.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

/** An edge on a free port of 127.0.0.1 with `kernel`'s exposures registered through a tunnel client;
 * `lines` collects what the client prints ("exposed ... at ..."). */
export async function edgeForKernel(kernel: Kernel): Promise<{ edge: EdgeServer; edgePort: number; client: EdgeClient; lines: string[] }> {
  const edge = new EdgeServer({ host: '127.0.0.1', port: 0 });
  const edgePort = (await edge.listen()).port;
  const lines: string[] = [];
  const client = nodeEdgeClient(kernel.net.exposures, `http://127.0.0.1:${edgePort}`, { write: (l) => lines.push(l) });
  await client.start();
  return { edge, edgePort, client, lines };
}
