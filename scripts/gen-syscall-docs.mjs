#!/usr/bin/env node
// Writes docs/syscalls.md from the kernel's syscall table (compiles the TypeScript first).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
const { renderSyscallDocs } = await import(join(root, 'dist/runtime/kernel/syscalls/docs.js'));
writeFileSync(join(root, 'docs/syscalls.md'), renderSyscallDocs());
console.log('wrote docs/syscalls.md');
