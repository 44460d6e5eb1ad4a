#!/usr/bin/env node
// `npm start` (after scripts/ensure.sh): builds the browser app into dist/web (scripts/bundle-web.mjs) and
// serves it with the edge proxy on one port (edge/app-server.ts, compiled to dist/edge by ensure.sh):
// the app at http://localhost:8080/, servers shared from the sandbox at http://<id>.localhost:8080/.
//   node scripts/serve.mjs [--port N] [--host H] [--no-build]
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Starts the server; resolves once it listens. `port` 0 picks a free port (tests, benchmarks). */
export async function serve({ dir = join(root, 'dist/web'), port = 8080, host = '127.0.0.1', log } = {}) {
  const { startAppServer } = await import(pathToFileURL(join(root, 'dist/edge/app-server.js')).href);
  return startAppServer({ dir, port, host, ...(log ? { log } : {}) });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
  if (!process.argv.includes('--no-build')) {
    const { bundleWeb } = await import('./bundle-web.mjs');
    await bundleWeb();
  }
  let s;
  try {
    s = await serve({ port: Number(arg('--port') ?? 8080), host: arg('--host') ?? '127.0.0.1', log: (l) => console.error(`edge: ${l}`) });
  } catch (e) {
    console.error(`wasmux: cannot listen: ${e.code ?? e.message}${e.code === 'EADDRINUSE' ? ' (another server has the port; use --port N)' : ''}`);
    process.exit(1);
  }
  console.log(`wasmux: open ${s.url}`);
  console.log(`  shared servers get public URLs http://<id>.${s.edge.domain}/ (tunnel endpoint ${s.tunnelUrl})`);
  const stop = () => { void s.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
