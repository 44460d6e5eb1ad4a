// The kernel's syscall numbers must be the ones our libc was built with: compare runtime/abi/syscalls.ts
// with the sysroot's bits/syscall.h (generated from wasm/musl/arch/wasm32/bits/syscall.h.in).
import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NR } from './syscalls.js';

const header = new URL('../../build/sysroot/include/bits/syscall.h', import.meta.url);
const source = new URL('../../wasm/musl/arch/wasm32/bits/syscall.h.in', import.meta.url);

describe('syscall numbers', () => {
  const text = readFileSync(existsSync(header) ? header : source, 'utf8');
  const defs = new Map<string, number>();
  for (const m of text.matchAll(/^#define __NR_(\w+)\s+(\d+)/gm)) defs.set(m[1]!, Number(m[2]));

  it('every number libc can issue has the same name in the kernel table', () => {
    const byNr = new Map<number, string[]>();
    for (const [name, nr] of defs) byNr.set(nr, [...(byNr.get(nr) ?? []), name]);
    const kernelNames = new Map(Object.entries(NR).map(([n, nr]) => [nr, n]));
    const missing: string[] = [];
    for (const [nr, names] of byNr) {
      const k = kernelNames.get(nr);
      if (k === undefined || !names.some((n) => n === k || n === `${k}64` || n === `${k}_time64`)) {
        missing.push(`${nr}: libc ${names.join('/')} vs kernel ${k ?? '(none)'}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the kernel has no number libc does not know', () => {
    const libcNrs = new Set(defs.values());
    const extra = Object.entries(NR).filter(([, nr]) => !libcNrs.has(nr)).map(([n, nr]) => `${n}=${nr}`);
    expect(extra).toEqual([]);
  });
});
