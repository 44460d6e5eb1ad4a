#!/usr/bin/env node
// Bundles the Node host and the kernel into one ES module, dist/wasmux.mjs, which bin/wasmux.mjs loads:
// loading one module instead of ~90 saves about 60 ms of every `wasmux` start (see README, start-up).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'runtime/host/node/cli.ts')],
  outfile: join(root, 'dist/wasmux.mjs'),
  bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning',
});
