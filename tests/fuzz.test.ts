// Syscall fuzzing: random syscall numbers with random arguments, 100,000 calls, inside wasmux only (never
// natively). The kernel must never let an exception escape a handler (kernel.bugs stays empty), the
// fuzzer must survive, and the sandbox must still run `echo ok` afterwards.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, ROOT } from './helpers/cprog.js';
import { sandbox, ENV } from './sandbox.js';
import { runCaptured } from '../runtime/host/node/node-host.js';

describe('syscall fuzzing', () => {
  for (const seed of ['0x9e3779b97f4a7c15', '0x1234567']) {
    it(`100,000 random syscalls (seed ${seed}) leave the kernel and the sandbox working`, async () => {
      const wasm = await build(join(ROOT, 'tests/fuzz/fuzz.c'), 'wasm');
      const k = sandbox();
      k.vfs.writeFile('/tmp/fuzz', new Uint8Array(readFileSync(wasm)), 0o755);
      const r = await runCaptured(k, { argv: ['/tmp/fuzz', '100000', seed], env: ENV, cwd: '/tmp' });
      expect(k.bugs.map((b) => `${b.syscall}: ${String(b.error)}`)).toEqual([]);
      expect(r.exitCode).toBe(0);
      const ok = await runCaptured(k, { argv: ['sh', '-c', 'echo ok'], env: ENV });
      expect(ok.stdout).toBe('ok\n');
    }, 180_000);
  }
});
