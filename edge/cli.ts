// Command-line configuration of the edge proxy (`npm run edge`, entry point edge/main.ts).
//   --listen HOST:PORT   listen address (default 127.0.0.1:8080; env EDGE_LISTEN)
//   --domain DOMAIN      public base domain, with port (default localhost:<port>; env EDGE_DOMAIN)
//   --scheme http|https  scheme of the public URLs (https behind a TLS terminator; env EDGE_SCHEME)
//   --grace DURATION     how long a dropped tunnel keeps its id (default 10m; env EDGE_GRACE)
//   --trust-proxy        keep X-Forwarded-For/-Proto set by a TLS terminator in front
// The registration secret comes from the environment only (EDGE_SECRET), so that it stays out of `ps`.
import { EdgeServer } from './server.js';
import { EdgeError } from './errors.js';

const USAGE = 'usage: npm run edge -- [--listen HOST:PORT] [--domain DOMAIN] [--scheme http|https] [--grace 10m] [--trust-proxy]';

export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new EdgeError('EDGE_ERR_BAD_CONFIG', `bad duration "${s}" (e.g. 30s, 10m)`);
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h']);
}

export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(s);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new EdgeError('EDGE_ERR_BAD_CONFIG', `bad --listen "${s}" (HOST:PORT)`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function parseArgs(argv: string[], env: Record<string, string | undefined>): ConstructorParameters<typeof EdgeServer>[0] {
  let listen = env['EDGE_LISTEN'] ?? '127.0.0.1:8080', domain = env['EDGE_DOMAIN'], scheme = env['EDGE_SCHEME'] ?? 'http';
  let grace = env['EDGE_GRACE'] ?? '10m', trustProxy = false;
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const val = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new EdgeError('EDGE_ERR_BAD_CONFIG', `${k} needs a value`);
      return v;
    };
    if (k === '--listen') listen = val();
    else if (k === '--domain') domain = val();
    else if (k === '--scheme') scheme = val();
    else if (k === '--grace') grace = val();
    else if (k === '--trust-proxy') trustProxy = true;
    else throw new EdgeError('EDGE_ERR_BAD_CONFIG', `unknown option ${k}\n${USAGE}`);
  }
  if (scheme !== 'http' && scheme !== 'https') throw new EdgeError('EDGE_ERR_BAD_CONFIG', '--scheme must be http or https');
  const { host, port } = parseListen(listen);
  return {
    host, port, scheme, graceMs: parseDuration(grace), trustProxy,
    ...(domain ? { domain } : port === 0 ? {} : { domain: `localhost:${port}` }),
    ...(env['EDGE_SECRET'] ? { secret: env['EDGE_SECRET'] } : {}),
    log: (l) => process.stderr.write(`edge: ${l}\n`),
  };
}

export { USAGE };
