// Public-side requests for edge tests: Node's http with an explicit Host header, so that
// <id>.localhost:PORT names need no DNS.
import { request, Agent, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';

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
