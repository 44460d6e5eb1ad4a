// The `wasmux` command as a user runs it: a child Node process with real stdio.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/wasmux.mjs', import.meta.url));

function wasmux(args: string[], input = ''): { stdout: string; stderr: string; code: number | null } {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

describe('wasmux CLI', () => {
  it('runs a pipeline and prints what Linux prints', () => {
    const r = wasmux(['run', '--', 'sh', '-c', 'seq 1 100 | awk "{s+=\\$1} END {print s}"']);
    expect(r).toEqual({ stdout: '5050\n', stderr: '', code: 0 });
  });
  it('propagates the exit status', () => {
    expect(wasmux(['run', '--', 'false']).code).toBe(1);
    expect(wasmux(['run', '--', 'sh', '-c', 'exit 42']).code).toBe(42);
  });
  it('reports death by signal as 128+N', () => {
    expect(wasmux(['run', '--', 'sh', '-c', 'kill -KILL $$']).code).toBe(137);
  });
  it('gives a one-line error for a missing program', () => {
    const r = wasmux(['run', '--', 'no-such-program']);
    expect(r.code).toBe(127);
    expect(r.stderr).toBe('wasmux: no-such-program: No such file or directory\n');
  });
  it('gives a one-line error for a bad image', () => {
    const r = wasmux(['run', '--image', fileURLToPath(new URL('../package.json', import.meta.url)), '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^wasmux: bad image/);
  });
  it('passes stdin through and honours --env and --cwd', () => {
    const r = wasmux(['run', '--env', 'GREETING=hi', '--cwd', '/tmp', '--', 'sh', '-c', 'read x; echo "$GREETING $x $(pwd)"'], 'there\n');
    expect(r.stdout).toBe('hi there /tmp\n');
  });
  it('runs as the unprivileged user with --user', () => {
    const r = wasmux(['run', '--user', '--', 'sh', '-c', 'id -u; echo $HOME; touch /etc/x 2>/dev/null || echo denied']);
    expect(r.stdout).toBe('1000\n/home/user\ndenied\n');
  });
  it('sh reads commands from piped input', () => {
    const r = wasmux(['sh'], 'echo one\ncd /tmp && pwd\nexit 3\n');
    expect(r.stdout).toBe('one\n/tmp\n');
    expect(r.code).toBe(3);
  });
  it('rejects unknown options with usage', () => {
    const r = wasmux(['run', '--bogus', '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: wasmux run');
  });
});
