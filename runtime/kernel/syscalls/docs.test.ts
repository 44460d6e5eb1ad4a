import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSyscallDocs } from './docs.js';

describe('docs/syscalls.md', () => {
  it('is up to date with the syscall table (run: node scripts/gen-syscall-docs.mjs)', () => {
    const committed = readFileSync(new URL('../../../docs/syscalls.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderSyscallDocs());
  });
});
