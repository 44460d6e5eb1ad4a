// Renders the syscall table as the compatibility document docs/syscalls.md (scripts/gen-syscall-docs.mjs
// writes it; syscalls/docs.test.ts fails when the committed file is stale).
import { describe } from './table.js';

export function renderSyscallDocs(): string {
  const rows = describe();
  const impl = rows.filter((r) => r.entry);
  const count = (lvl: string): number => impl.filter((r) => r.entry!.level === lvl).length;
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const out: string[] = [
    '# wasmux syscalls',
    '',
    'Generated from `runtime/kernel/syscalls/table.ts` by `node scripts/gen-syscall-docs.mjs`; do not edit.',
    'Numbers are the wasm32 ABI of docs/design/process-abi.md (asm-generic, 32-bit, time64 only).',
    '',
    `${impl.length} of ${rows.length} syscalls implemented: ${count('full')} full, ${count('partial')} partial, ` +
      `${count('stub')} stubs. Any other number returns ENOSYS.`,
    '',
    '| nr | name | support | how it differs from Linux |',
    '| ---: | --- | --- | --- |',
  ];
  for (const r of rows) {
    const e = r.entry;
    out.push(`| ${r.nr} | ${r.name} | ${e ? e.level : 'ENOSYS'} | ${e?.note ? esc(e.note) : ''} |`);
  }
  return `${out.join('\n')}\n`;
}
