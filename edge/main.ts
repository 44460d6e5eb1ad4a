// `npm run edge`: the edge proxy as a command; flags are described in edge/cli.ts and docs/edge.md.
import { EdgeServer } from './server.js';
import { parseArgs } from './cli.js';

async function main(): Promise<void> {
  let edge: EdgeServer;
  try { edge = new EdgeServer(parseArgs(process.argv.slice(2), process.env)); } catch (e) {
    process.stderr.write(`edge: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const { url } = await edge.listen().catch((e: NodeJS.ErrnoException) => {
    process.stderr.write(`edge: cannot listen: ${e.code ?? e.message}\n`);
    process.exit(1);
  });
  process.stderr.write(`edge: listening on ${url}; public URLs ${edge.opts.scheme}://<id>.${edge.domain}/; tunnel endpoint ws${url.slice(4)}/_wasmux/tunnel${edge.opts.secret ? ' (secret required)' : ''}\n`);
  const stop = (): void => { void edge.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
