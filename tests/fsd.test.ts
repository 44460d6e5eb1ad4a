// The file service end to end: fsd (wasm/fsd) speaking docs/design/fs-protocol.md to FsClient
// (runtime/protocol/fs). One protocol suite runs twice: first against fsd built natively and run on Linux in
// a temp directory, then against /usr/libexec/wasmux/fsd inside a sandbox reached through
// kernel.net.exposures.connect('unix:/run/wasmux/fs.sock'). A case that passes natively and fails in
// wasmux is a wasmux bug. Kernel-only cases (readdir of / and /etc, the socket staying unlisted, SIGTERM)
// follow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Kernel } from '../runtime/kernel/kernel.js';
import type { Task } from '../runtime/kernel/proc/task.js';
import { FsClient, type FsStream } from '../runtime/protocol/fs/client.js';
import { FsError } from '../runtime/protocol/fs/errors.js';
import * as wire from '../runtime/protocol/fs/wire.js';
import type { FsEvent } from '../runtime/protocol/fs/wire.js';
import { ROOT } from './helpers/cprog.js';
import { ENV, sandbox, sh, startProcess } from './sandbox.js';

const pexec = promisify(execFile);
const FSD_SRC = join(ROOT, 'wasm/fsd');
const SOCK = '/run/wasmux/fs.sock';

// ---- environments ----

interface Env {
  /** A fresh, empty, writable directory for one test. */
  dir(): Promise<string>;
  connect(): Promise<FsStream>;
  /** Run `sh -c script` in `cwd` next to the server. */
  shell(script: string, cwd: string): Promise<{ stdout: string; stderr: string; code: number }>;
}

/** fsd built natively with clang (cached by source hash under build/tests/). */
async function nativeFsd(): Promise<string> {
  const h = createHash('sha256');
  for (const f of ['fsd.c', 'fsd.h', 'ops.c', 'watch.c', 'errname.c', 'proto.h']) h.update(readFileSync(join(FSD_SRC, f)));
  const out = join(ROOT, 'build/tests', `fsd-native-${h.digest('hex').slice(0, 16)}`);
  if (existsSync(out)) return out;
  mkdirSync(join(ROOT, 'build/tests'), { recursive: true });
  const srcs = ['fsd.c', 'ops.c', 'watch.c', 'errname.c'].map((f) => join(FSD_SRC, f));
  await pexec('clang-19', ['-O2', '-g', '-Wall', '-Wextra', '-Werror', ...srcs, '-o', `${out}.tmp`]);
  renameSync(`${out}.tmp`, out);
  return out;
}

function nodeStream(path: string): Promise<FsStream> {
  return new Promise((res, rej) => {
    const s = netConnect(path);
    s.once('error', rej);
    s.once('connect', () => {
      s.off('error', rej);
      s.on('error', () => { /* 'close' follows */ });
      res({
        write: (d) => s.write(d),
        onData: (cb) => { s.on('data', (d: Buffer) => cb(new Uint8Array(d.buffer, d.byteOffset, d.length))); },
        onClose: (cb) => { s.on('close', (hadError) => cb(hadError ? 'socket error' : undefined)); },
        onEnd: (cb) => { s.on('end', cb); },
        close: () => { s.destroy(); },
      });
    });
  });
}

async function retry<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try { return await fn(); } catch (e) {
      if (Date.now() > until) throw new Error(`${what}: ${String(e)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

function nativeEnv(): { env: Env; setup(): Promise<void>; teardown(): Promise<void> } {
  let tmp = '', proc: ChildProcess | null = null, n = 0, stderr = '';
  const env: Env = {
    dir: async () => { const d = join(tmp, 'root', `t${n++}`); mkdirSync(d, { recursive: true }); return d; },
    connect: () => nodeStream(join(tmp, 'run/wasmux/fs.sock')),
    shell: (script, cwd) => new Promise((res) => {
      const p = spawn('/bin/sh', ['-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '', err = '';
      p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      p.on('close', (code) => res({ stdout, stderr: err, code: code ?? -1 }));
    }),
  };
  return {
    env,
    async setup() {
      const exe = await nativeFsd();
      tmp = mkdtempSync(join(tmpdir(), 'wasmux-fsd-'));
      proc = spawn(exe, [join(tmp, 'run/wasmux/fs.sock')], { stdio: ['ignore', 'inherit', 'pipe'] });
      proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
      const s = await retry('native fsd did not start', () => env.connect());
      s.close();
    },
    async teardown() {
      if (proc && proc.exitCode === null) {
        const exited = new Promise((r) => proc!.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      expect(stderr).toBe('');
      expect(proc?.exitCode).toBe(0);
      expect(existsSync(join(tmp, 'run/wasmux/fs.sock'))).toBe(false);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

const start = (k: Kernel, argv: string[]): { task: Task; out: () => string } => startProcess(k, argv, ENV);

function wasmuxEnv(): { env: Env; kernel(): Kernel; server(): { task: Task; out: () => string }; setup(): Promise<void> } {
  let k: Kernel | null = null, srv: { task: Task; out: () => string } | null = null, n = 0;
  const env: Env = {
    dir: async () => { const d = `/tmp/fsd-t${n++}`; k!.vfs.mkdir(d); return d; },
    connect: async () => k!.net.exposures.connect(`unix:${SOCK}`),
    shell: async (script, cwd) => {
      const r = await sh(script, { kernel: k!, cwd });
      return { stdout: r.stdout, stderr: r.stderr, code: r.exitCode ?? -1 };
    },
  };
  return {
    env,
    kernel: () => k!,
    server: () => srv!,
    async setup() {
      k = sandbox();
      srv = start(k, ['/usr/libexec/wasmux/fsd']);
      let exited = false;
      void k.waitExit(srv.task).then(() => { exited = true; });
      const s = await retry(`fsd did not listen on ${SOCK}`, () => {
        if (exited) return Promise.reject(new Error(`fsd exited: ${srv!.out()}`));
        return env.connect();
      });
      s.close();
    },
  };
}

// ---- helpers ----

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; b[i] = x & 0xff; }
  return b;
}

/** Byte equality (vitest's toEqual walks big arrays element by element: seconds per MiB). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

async function fsErr(p: Promise<unknown>): Promise<FsError> {
  try { await p; } catch (e) {
    expect(e).toBeInstanceOf(FsError);
    return e as FsError;
  }
  throw new Error('expected an FsError');
}

/** A raw frame (for malformed-input tests). */
function frame(len: number, type: number, flags: number, id: number, payload = new Uint8Array(0), reserved = 0): Uint8Array {
  const b = new Uint8Array(12 + payload.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, len, true); dv.setUint8(4, type); dv.setUint8(5, flags); dv.setUint16(6, reserved, true); dv.setUint32(8, id, true);
  b.set(payload, 12);
  return b;
}

/** Resolves when the stream closes; collects what it received. */
function whenClosed(s: FsStream): Promise<Uint8Array[]> {
  const got: Uint8Array[] = [];
  s.onData((d) => got.push(d.slice()));
  return new Promise((res) => s.onClose(() => res(got)));
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  await retry(what, () => { if (!cond()) throw new Error('not yet'); }, timeoutMs);
}

// ---- the protocol suite ----

function protocolSuite(env: () => Env): void {
  let c: FsClient;
  beforeAll(async () => { c = new FsClient(await env().connect()); });
  afterAll(() => { c.close(); });

  it('hello: version and limits', async () => {
    const info = await c.hello();
    expect(info).toMatchObject({ version: 1, maxPayload: wire.MAX_PAYLOAD, maxData: wire.MAX_DATA });
  });

  it('mkdir -p, write, stat/lstat, symlink/readlink, chmod, readdir with types, sizes, modes and mtimes', async () => {
    const d = await env().dir();
    await c.mkdir(`${d}/a/b/c`, { parents: true });
    await c.mkdir(`${d}/a/b/c`, { parents: true });   // -p: an existing directory is fine
    await c.mkdir(`${d}/plain`, { mode: 0o700 });
    const before = Date.now();
    const st = await c.writeFile(`${d}/a/hello.txt`, text('hello\n'));
    expect(st).toMatchObject({ type: 'file', size: 6, perm: 0o644, target: 'file' });
    expect(Math.abs(st.mtimeMs - before)).toBeLessThan(60_000);
    await c.symlink('hello.txt', `${d}/a/link`);
    await c.symlink('nowhere', `${d}/a/dangling`);
    expect(await c.readlink(`${d}/a/link`)).toBe('hello.txt');
    expect(await c.lstat(`${d}/a/link`)).toMatchObject({ type: 'symlink', target: 'file', size: 9 });
    expect(await c.lstat(`${d}/a/dangling`)).toMatchObject({ type: 'symlink', target: null });
    expect(await c.stat(`${d}/a/link`)).toMatchObject({ type: 'file', size: 6 });
    await c.chmod(`${d}/a/hello.txt`, 0o600);
    expect((await c.stat(`${d}/a/hello.txt`)).perm).toBe(0o600);
    expect((await c.stat(`${d}/plain`))).toMatchObject({ type: 'dir', perm: 0o700 });
    const ents = (await c.readdir(`${d}/a`)).sort((x, y) => (x.name < y.name ? -1 : 1));
    expect(ents.map((e) => [e.name, e.type, e.target])).toEqual([
      ['b', 'dir', 'dir'], ['dangling', 'symlink', null], ['hello.txt', 'file', 'file'], ['link', 'symlink', 'file'],
    ]);
    const hello = ents.find((e) => e.name === 'hello.txt')!;
    expect(hello).toMatchObject({ size: 6, perm: 0o600, nlink: 1, mode: 0o100600 });
    expect(hello.mtimeNs).toBe(st.mtimeNs);
    expect(await c.readdir(`${d}/a/b/c`)).toEqual([]);
    expect(str(await c.readFile(`${d}/a/link`))).toBe('hello\n');
  });

  it('a 5 MiB binary file round-trips byte for byte (chunked, atomic), and reads at an offset', async () => {
    const d = await env().dir();
    const data = bytes(5 * 1024 * 1024 + 12345, 7);
    const st = await c.writeFile(`${d}/big.bin`, data);
    expect(st.size).toBe(data.length);
    const back = await c.readFile(`${d}/big.bin`);
    expect(back.length).toBe(data.length);
    expect(same(back, data)).toBe(true);
    // No temporary file left behind by the atomic save.
    expect((await c.readdir(d)).map((e) => e.name)).toEqual(['big.bin']);
    const part = await c.read(`${d}/big.bin`, 3 * 1024 * 1024 + 5, 1000);
    expect(same(part.data, data.subarray(3 * 1024 * 1024 + 5, 3 * 1024 * 1024 + 1005))).toBe(true);
    expect(part.stat.size).toBe(data.length);
    // Overwrite in place, chunked without the temporary file; then a smaller atomic save keeps the mode.
    await c.chmod(`${d}/big.bin`, 0o640);
    const data2 = bytes(2 * 1024 * 1024 + 1, 9);
    await c.writeFile(`${d}/big.bin`, data2, { atomic: false });
    expect(same(await c.readFile(`${d}/big.bin`), data2)).toBe(true);
    const small = await c.writeFile(`${d}/big.bin`, text('small'));
    expect(small).toMatchObject({ size: 5, perm: 0o640 });
    // Chunked writes at offsets (an upload), past the end of the file too.
    await c.write(`${d}/up`, text('abc'), { create: true, exclusive: true });
    await c.write(`${d}/up`, text('XY'), { offset: 1 });
    await c.write(`${d}/up`, text('Z'), { offset: 5 });
    expect(await c.readFile(`${d}/up`)).toEqual(new Uint8Array([97, 88, 89, 0, 0, 90]));
    // An empty file.
    await c.writeFile(`${d}/empty`, new Uint8Array(0));
    expect(await c.readFile(`${d}/empty`)).toEqual(new Uint8Array(0));
  });

  it('rename moves files and directories; noReplace refuses to clobber', async () => {
    const d = await env().dir();
    await c.mkdir(`${d}/src/sub`, { parents: true });
    await c.mkdir(`${d}/dst`);
    await c.writeFile(`${d}/src/sub/f`, text('1'));
    await c.writeFile(`${d}/g`, text('2'));
    await c.rename(`${d}/src/sub/f`, `${d}/dst/f`);
    await c.rename(`${d}/src`, `${d}/dst/src`);
    expect((await c.readdir(`${d}/dst`)).map((e) => e.name).sort()).toEqual(['f', 'src']);
    expect(await c.readdir(`${d}/dst/src`)).toMatchObject([{ name: 'sub', type: 'dir' }]);
    const e = await fsErr(c.rename(`${d}/g`, `${d}/dst/f`, { noReplace: true }));
    expect(e.code).toBe('FS_ERR_EEXIST');
    await c.rename(`${d}/g`, `${d}/dst/f`);
    expect(str(await c.readFile(`${d}/dst/f`))).toBe('2');
    expect((await fsErr(c.stat(`${d}/g`))).code).toBe('FS_ERR_ENOENT');
  });

  it('recursive delete removes a tree without following symlinks out of it', async () => {
    const d = await env().dir();
    await c.mkdir(`${d}/keep`);
    await c.writeFile(`${d}/keep/precious`, text('x'));
    await c.mkdir(`${d}/tree/a/b/c`, { parents: true });
    for (let i = 0; i < 20; i++) await c.writeFile(`${d}/tree/a/f${i}`, text(String(i)));
    await c.writeFile(`${d}/tree/a/b/c/deep`, text('deep'));
    await c.symlink(`${d}/keep`, `${d}/tree/a/b/out`);
    await c.mkdir(`${d}/tree/empty`);
    expect((await fsErr(c.rmdir(`${d}/tree`))).code).toBe('FS_ERR_ENOTEMPTY');
    await c.rmdir(`${d}/tree`, { recursive: true });
    expect((await fsErr(c.lstat(`${d}/tree`))).code).toBe('FS_ERR_ENOENT');
    expect(str(await c.readFile(`${d}/keep/precious`))).toBe('x');
    expect((await fsErr(c.rmdir(`${d}/keep/precious`, { recursive: true }))).code).toBe('FS_ERR_ENOTDIR');
    await c.unlink(`${d}/keep/precious`);
    await c.rmdir(`${d}/keep`);
    expect(await c.readdir(d)).toEqual([]);
  });

  it('errors: ENOENT, ENOTDIR, EISDIR, EEXIST, ENOTEMPTY, EINVAL, ENAMETOOLONG, with errno, op and path', async () => {
    const d = await env().dir();
    await c.writeFile(`${d}/file`, text('f'));
    await c.mkdir(`${d}/dir`);
    let e = await fsErr(c.stat(`${d}/missing`));
    expect(e).toMatchObject({ code: 'FS_ERR_ENOENT', errno: 2, path: `${d}/missing`, op: 'stat' });
    expect(e.message).toContain('ENOENT');
    expect((await fsErr(c.readdir(`${d}/file`))).code).toBe('FS_ERR_ENOTDIR');
    expect((await fsErr(c.stat(`${d}/file/x`))).code).toBe('FS_ERR_ENOTDIR');
    expect((await fsErr(c.readFile(`${d}/dir`))).code).toBe('FS_ERR_EISDIR');
    expect((await fsErr(c.writeFile(`${d}/dir`, text('x')))).code).toBe('FS_ERR_EISDIR');
    expect((await fsErr(c.unlink(`${d}/dir`))).code).toMatch(/^FS_ERR_(EISDIR|EPERM)$/);
    expect((await fsErr(c.mkdir(`${d}/dir`))).code).toBe('FS_ERR_EEXIST');
    expect((await fsErr(c.mkdir(`${d}/file`, { parents: true }))).code).toBe('FS_ERR_ENOTDIR');
    e = await fsErr(c.mkdir(`${d}/file/sub/x`, { parents: true }));
    expect(e).toMatchObject({ code: 'FS_ERR_ENOTDIR', path: `${d}/file` });
    expect((await fsErr(c.writeFile(`${d}/file`, text('x'), { exclusive: true }))).code).toBe('FS_ERR_EEXIST');
    expect((await fsErr(c.write(`${d}/file`, text('x'), { create: true, exclusive: true }))).code).toBe('FS_ERR_EEXIST');
    expect((await fsErr(c.write(`${d}/nofile`, text('x')))).code).toBe('FS_ERR_ENOENT');
    expect((await fsErr(c.writeFile(`${d}/nodir/f`, text('x')))).code).toBe('FS_ERR_ENOENT');
    expect((await fsErr(c.symlink('x', `${d}/file`))).code).toBe('FS_ERR_EEXIST');
    expect((await fsErr(c.readlink(`${d}/file`))).code).toBe('FS_ERR_EINVAL');
    expect((await fsErr(c.rmdir(`${d}/missing`, { recursive: true }))).code).toBe('FS_ERR_ENOENT');
    expect((await fsErr(c.stat(`${d}/nul\0byte`))).code).toBe('FS_ERR_EINVAL');
    expect((await fsErr(c.stat(''))).code).toBe('FS_ERR_ENOENT');
    expect((await fsErr(c.mkdir('', { parents: true }))).code).toBe('FS_ERR_ENOENT');
    e = await fsErr(c.stat(`/${'x'.repeat(5000)}`));
    expect(e).toMatchObject({ code: 'FS_ERR_ENAMETOOLONG', errno: 36 });
    expect((await fsErr(c.stat(`${d}/${'n'.repeat(300)}`))).code).toBe('FS_ERR_ENAMETOOLONG');
    expect((await fsErr(c.write(`${d}/f2`, new Uint8Array(wire.MAX_DATA + 1), { create: true }))).code).toBe('FS_ERR_TOO_LARGE');
    // The connection is still fine after all that.
    expect((await c.stat(`${d}/file`)).size).toBe(1);
  });

  it('many pipelined requests are answered in order; a large directory comes back in pages', async () => {
    const d = await env().dir();
    const N = 1500;
    const name = (i: number): string => `${String(i).padStart(5, '0')}-${'n'.repeat(180)}`;
    const order: number[] = [];
    await Promise.all(Array.from({ length: N }, (_, i) =>
      c.writeFile(`${d}/${name(i)}`, text(String(i))).then(() => order.push(i))));
    expect(order).toEqual(Array.from({ length: N }, (_, i) => i));
    const sizes = await Promise.all(Array.from({ length: N }, (_, i) => c.stat(`${d}/${name(i)}`).then((s) => s.size)));
    expect(sizes).toEqual(Array.from({ length: N }, (_, i) => String(i).length));
    // ~290 KiB of entries: more than one READDIR page.
    const ents = await c.readdir(d);
    expect(ents.length).toBe(N);
    expect(new Set(ents.map((e) => e.name)).size).toBe(N);
    // Reads of many files in flight at once.
    const got = await Promise.all(Array.from({ length: 200 }, (_, i) => c.readFile(`${d}/${name(i * 7)}`).then(str)));
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => String(i * 7)));
    await c.rmdir(d, { recursive: true });
  });

  it('a malformed frame closes only that client; unknown ops get ENOSYS', async () => {
    const d = await env().dir();
    const other = new FsClient(await env().connect());
    // Oversized length.
    const bad = await env().connect();
    const closed = whenClosed(bad);
    bad.write(frame(0xffffffff, wire.Op.STAT, 0, 1));
    expect(await closed).toEqual([]);
    // A string longer than the payload.
    const bad2 = await env().connect();
    const closed2 = whenClosed(bad2);
    bad2.write(frame(4, wire.Op.STAT, 0, 1, new Uint8Array([200, 0, 47, 47])));
    await closed2;
    // Non-zero reserved bits, and a reply type sent to the server.
    for (const f of [frame(0, wire.Op.HELLO, 0, 1, undefined, 1), frame(0, wire.REPLY | wire.Op.STAT, 0, 1), frame(0, 0, 0, 1)]) {
      const s = await env().connect();
      const cl = whenClosed(s);
      s.write(f);
      await cl;
    }
    // An op from the future is answered, not fatal; then a good request on the same stream.
    const fut = await env().connect();
    const replies: Uint8Array[] = [];
    fut.onData((x) => replies.push(x.slice()));
    fut.write(frame(0, 63, 0, 77));
    fut.write(frame(4, wire.Op.HELLO, 0, 78, new Uint8Array([1, 0, 0, 0])));
    await waitFor('two replies', () => Buffer.concat(replies).length >= 12 * 2 + 4 + 2 + 6 + 2 + 16);
    const dec = new wire.FrameDecoder();
    const frames = dec.push(Buffer.concat(replies));
    expect(frames.map((f) => [f.type, f.flags, f.id])).toEqual([[wire.REPLY | 63, wire.ReplyFlag.ERROR, 77], [wire.REPLY | wire.Op.HELLO, 0, 78]]);
    const r = new wire.FieldReader(frames[0]!.payload);
    expect([r.u32(), r.str()]).toEqual([38, 'ENOSYS']);
    fut.close();
    // The other client and the suite's client never noticed.
    await other.writeFile(`${d}/still`, text('ok'));
    expect(str(await c.readFile(`${d}/still`))).toBe('ok');
    other.close();
  });

  it(`at most ${wire.MAX_CLIENTS} clients: one more is closed at once, a slot frees when a client leaves`, async () => {
    const more: FsClient[] = [];
    for (let i = 1; i < wire.MAX_CLIENTS; i++) {   // the suite's client holds one slot
      const x = new FsClient(await env().connect());
      await x.hello();
      more.push(x);
    }
    const extra = await env().connect();
    const closed = whenClosed(extra);
    extra.write(frame(4, wire.Op.HELLO, 0, 1, new Uint8Array([1, 0, 0, 0])));
    expect(await closed).toEqual([]);
    const gone = new Promise<void>((res) => more[0]!.onClose(() => res()));
    more[0]!.close();
    await gone;
    await retry('a freed slot', async () => {
      const y = new FsClient(await env().connect());
      try { await y.hello(); } finally { y.close(); }
    });
    for (const x of more) x.close();
    expect((await c.hello()).version).toBe(1);
  });

  it('a client closing with requests in flight does not disturb the server', async () => {
    const d = await env().dir();
    await c.writeFile(`${d}/f`, bytes(3 * 1024 * 1024, 3));
    const quitter = new FsClient(await env().connect());
    const reads = Array.from({ length: 8 }, () => quitter.readFile(`${d}/f`).catch((e: FsError) => e.code));
    quitter.close();
    expect(new Set(await Promise.all(reads))).toEqual(new Set(['FS_ERR_CLOSED']));
    expect((await c.readFile(`${d}/f`)).length).toBe(3 * 1024 * 1024);
  });

  it('watch reports touch, write, mv, rm, mkdir and chmod done by a shell; unwatch stops events', async () => {
    const d = await env().dir();
    await c.mkdir(`${d}/w`);
    const evs: FsEvent[] = [];
    const w = await c.watch(`${d}/w`, (ev) => evs.push(ev));
    const r = await env().shell('touch f && echo hi >> f && mv f g && chmod 600 g && mkdir sub && rm g && rmdir sub', `${d}/w`);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    await waitFor('the last event', () => evs.some((e) => e.type === 'deleted' && e.name === 'sub'));
    const seen = evs.filter((e) => e.type !== 'attrib' || e.name === 'g').map((e) => `${e.type} ${e.name}${e.isDir ? '/' : ''}`);
    // Linux may merge or repeat modify events; the order of distinct steps is fixed.
    const steps = seen.filter((s, i) => s !== seen[i - 1]);
    expect(steps).toEqual(['created f', 'modified f', 'moved-from f', 'moved-to g', 'attrib g', 'created sub/', 'deleted g', 'deleted sub/']);
    const from = evs.find((e) => e.type === 'moved-from')!, to = evs.find((e) => e.type === 'moved-to')!;
    expect(from.cookie).not.toBe(0);
    expect(to.cookie).toBe(from.cookie);
    await w.close();
    const n = evs.length;
    await env().shell('touch late', `${d}/w`);
    await c.stat(`${d}/w/late`);   // a round trip after the change
    await new Promise((res) => setTimeout(res, 100));
    expect(evs.length).toBe(n);
  });

  it('a watched directory that is removed reports self-deleted, then gone; two clients watch the same directory', async () => {
    const d = await env().dir();
    await c.mkdir(`${d}/w`);
    const c2 = new FsClient(await env().connect());
    const a: FsEvent[] = [], b: FsEvent[] = [];
    await c.watch(`${d}/w`, (ev) => a.push(ev));
    const wb = await c2.watch(`${d}/w`, (ev) => b.push(ev));
    await c.writeFile(`${d}/w/x`, text('1'));
    await waitFor('both see x', () => a.some((e) => e.name === 'x') && b.some((e) => e.name === 'x'));
    await wb.close();   // the other client's watch of the same directory keeps working
    await c.rmdir(`${d}/w`, { recursive: true });
    await waitFor('gone', () => a.some((e) => e.type === 'gone'));
    // The atomic save shows as events on a temporary name, then moved-to x.
    expect(a.filter((e) => e.name === 'x' || e.name === '').map((e) => e.type)).toEqual(['moved-to', 'deleted', 'self-deleted', 'gone']);
    expect(b.some((e) => e.type === 'deleted')).toBe(false);
    c2.close();
  });
}

// ---- the suites ----

describe('fsd protocol, native Linux (the reference)', () => {
  const n = nativeEnv();
  beforeAll(() => n.setup(), 60_000);
  afterAll(() => n.teardown());
  protocolSuite(() => n.env);
});

describe('fsd protocol, in wasmux', () => {
  const w = wasmuxEnv();
  beforeAll(() => w.setup(), 60_000);
  afterAll(() => { expect(w.kernel().bugs).toEqual([]); });
  protocolSuite(() => w.env);
});

describe('fsd in wasmux: kernel specifics', () => {
  it('serves / and /etc from the image; the socket is connectable but not an exposure point; SIGTERM stops it cleanly', async () => {
    const w = wasmuxEnv();
    await w.setup();
    const k = w.kernel();
    expect(k.net.exposures.list()).toEqual([]);
    const c = new FsClient(await w.env.connect());
    const root = await c.readdir('/');
    const names = root.map((e) => e.name);
    for (const n of ['bin', 'etc', 'tmp', 'usr', 'proc', 'dev', 'run']) expect(names).toContain(n);
    expect(root.find((e) => e.name === 'tmp')).toMatchObject({ type: 'dir', perm: 0o1777 });
    expect(root.find((e) => e.name === 'bin')).toMatchObject({ type: 'dir', uid: 0 });
    const etc = await c.readdir('/etc');
    const passwd = etc.find((e) => e.name === 'passwd')!;
    expect(passwd).toMatchObject({ type: 'file', perm: 0o644 });
    expect(etc.find((e) => e.name === 'shadow')).toMatchObject({ perm: 0o600 });
    const pw = str(await c.readFile('/etc/passwd'));
    expect(pw).toBe(new TextDecoder().decode(k.vfs.readFile('/etc/passwd')));
    expect(passwd.size).toBe(pw.length);
    expect(await c.lstat('/bin/sh')).toMatchObject({ type: 'symlink', target: 'file' });
    expect(await c.readlink('/bin/sh')).toBe('/bin/busybox');
    expect(await c.stat(SOCK)).toMatchObject({ type: 'socket', perm: 0o600 });
    expect((await c.readdir('/usr/libexec/wasmux')).map((e) => e.name)).toEqual(['fsd']);
    // Writes land in the sandbox's filesystem, as a shell sees it.
    await c.writeFile('/root/from-ide.txt', text('saved\n'));
    expect((await sh('cat /root/from-ide.txt', { kernel: k })).stdout).toBe('saved\n');
    // Never listed, never announced.
    expect(k.net.exposures.list()).toEqual([]);
    c.close();
    k.signals.kill(w.server().task, 15);
    expect(await k.waitExit(w.server().task)).toBe(0);
    expect(w.server().out()).toBe('');
    expect((await sh('ls -A /run/wasmux; echo end', { kernel: k })).stdout).toBe('end\n');
    expect(() => k.net.exposures.connect(`unix:${SOCK}`)).toThrow(expect.objectContaining({ code: 'ECONNREFUSED' }));
    expect(k.bugs).toEqual([]);
  }, 60_000);

  it('a second fsd on the same socket refuses to start', async () => {
    const w = wasmuxEnv();
    await w.setup();
    const k = w.kernel();
    const r = await sh('/usr/libexec/wasmux/fsd; echo "status $?"', { kernel: k });
    expect(r.stdout).toBe('status 1\n');
    expect(r.stderr).toContain('another server is listening');
    const c = new FsClient(await w.env.connect());
    expect((await c.hello()).version).toBe(1);
    c.close();
    k.signals.kill(w.server().task, 15);
    await k.waitExit(w.server().task);
  }, 60_000);
});

describe('fs protocol constants', () => {
  it('wasm/fsd/proto.h and runtime/protocol/fs/wire.ts agree', () => {
    const defs = [...readFileSync(join(FSD_SRC, 'proto.h'), 'utf8').matchAll(/^#define FSD_(\w+) (\d+)\s*$/gm)]
      .map((m) => [m[1]!, Number(m[2])] as const);
    expect(defs.length).toBeGreaterThan(40);
    const pre = (p: string, o: Record<string, number>): [string, number][] => Object.entries(o).map(([k, v]) => [p + k, v]);
    const ts = new Map<string, number>([
      ...pre('OP_', wire.Op), ...pre('R_', wire.ReplyFlag), ...pre('STAT_', wire.StatFlag), ...pre('WRITE_', wire.WriteFlag),
      ...pre('MKDIR_', wire.MkdirFlag), ...pre('RENAME_', wire.RenameFlag), ...pre('RMDIR_', wire.RmdirFlag),
      ...pre('FEATURE_', wire.Feature), ...pre('EV_', wire.EventMask),
      ['VERSION', wire.VERSION], ['HEADER_SIZE', wire.HEADER_SIZE], ['MAX_PAYLOAD', wire.MAX_PAYLOAD],
      ['MAX_DATA', wire.MAX_DATA], ['MAX_PATH', wire.MAX_PATH], ['READDIR_PAGE', wire.READDIR_PAGE],
      ['MAX_CLIENTS', wire.MAX_CLIENTS], ['MAX_WATCHES', wire.MAX_WATCHES], ['STAT_SIZE', wire.STAT_SIZE],
      ['OP_LIMIT', wire.OP_LIMIT], ['REPLY', wire.REPLY], ['EVENT', wire.EVENT],
    ]);
    for (const [name, v] of defs) expect([name, ts.get(name)]).toEqual([name, v]);
    expect(ts.size).toBe(defs.length);
  });
});
