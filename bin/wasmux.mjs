#!/usr/bin/env node
// Entry point of the `wasmux` command. Compiles the TypeScript sources on first use (or when they are
// newer than the build) so that a fresh clone works with `npx wasmux ...` after `npm install`.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist/runtime/host/node/cli.js');

function newestSource(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

if (!existsSync(entry) || statSync(entry).mtimeMs < newestSource(join(root, 'runtime'))) {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  if (!existsSync(tsc)) {
    process.stderr.write('wasmux: dependencies are missing; run `npm install` first\n');
    process.exit(2);
  }
  try {
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    process.stderr.write('wasmux: TypeScript build failed\n');
    process.exit(70);
  }
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
// Do not wait for stray handles (stdin, timers of processes that were killed).
setImmediate(() => process.exit(process.exitCode));
