#!/usr/bin/env node
// Entry point of the `wasmux` command. Loads the single-file bundle dist/wasmux.mjs (kernel + Node host),
// building it first when it is missing or older than the TypeScript sources, so that a fresh clone works
// with `npx wasmux ...` after `npm install`.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist/wasmux.mjs');

function newerSource(dir, than) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { if (newerSource(p, than)) return true; }
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && statSync(p).mtimeMs > than) return true;
  }
  return false;
}

if (!existsSync(bundle) || newerSource(join(root, 'runtime'), statSync(bundle).mtimeMs)) {
  const esbuildScript = join(root, 'scripts/bundle-cli.mjs');
  if (!existsSync(join(root, 'node_modules/esbuild'))) {
    process.stderr.write('wasmux: dependencies are missing; run `npm install` first\n');
    process.exit(2);
  }
  try {
    execFileSync(process.execPath, [esbuildScript], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    process.stderr.write('wasmux: build of dist/wasmux.mjs failed\n');
    process.exit(70);
  }
}
const { main } = await import(bundle);
process.exitCode = await main(process.argv.slice(2));
// Do not wait for stray handles (stdin, timers of processes that were killed).
setImmediate(() => process.exit(process.exitCode));
