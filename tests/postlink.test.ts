// scripts/postlink.mjs: preemption fuel, exported mutable globals, Asyncify through wasmux.syscall /
// wasmux.preempt, legacy-EH setjmp/longjmp surviving the pass. Needs clang-19 and wasm-ld-19 (CI installs them;
// a missing compiler is a failure, not a skip).
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STACK = 65536;

const C_SOURCE = String.raw`
#define IMPORT(n) __attribute__((import_module("wasmux"), import_name(n)))
#define EXPORT(n) __attribute__((export_name(n)))
IMPORT("syscall") int wasmux_syscall(int, int, int, int, int, int, int);
IMPORT("preempt") int wasmux_preempt(void);
IMPORT("log") void logi(int);

EXPORT("__wasmux_preempt") int __wasmux_preempt(void) { return wasmux_preempt(); }

volatile int sink;

/* (a) n loop iterations = n loop-header fuel checks (+1 function entry). */
EXPORT("spin") int spin(int n) {
  int s = 0;
#pragma clang loop unroll(disable) vectorize(disable)
  for (int i = 0; i < n; i++) { sink = i; s += i; }
  return s;
}

/* (b) a blocking syscall deep in a call chain, with live locals and stack memory on both sides. */
__attribute__((noinline)) static int leaf(int x) {
  char buf[32];
  for (int i = 0; i < 32; i++) buf[i] = (char)(x + i);
  sink = buf[5];
  int r = wasmux_syscall(63, x, (int)buf, 32, 0, 0, 0);
  return r + buf[31] - buf[0];            /* buf survives: +31 */
}
__attribute__((noinline)) static int mid(int x) { int a = x * 3; int r = leaf(x + 1); return a + r; }
EXPORT("blocking") int blocking(int x) { int r = mid(x); logi(r); return r * 10; }

/* (e) legacy wasm EH setjmp/longjmp (what our libc uses); the runtime functions are in RT_SOURCE. */
struct jmp { void *id; unsigned label; struct { void *env; int val; } arg; };
typedef struct jmp jmp_buf[1];
int setjmp(jmp_buf) __attribute__((returns_twice));
void longjmp(jmp_buf, int) __attribute__((noreturn));
static jmp_buf jb;
__attribute__((noinline)) static void deep(int v) {
  int r = wasmux_syscall(64, v, 0, 0, 0, 0, 0);   /* may unwind while a setjmp frame is live */
  longjmp(jb, v + r);
}
EXPORT("jumper") int jumper(int v) {
  volatile int before = 5;
  int k = setjmp(jb);
  if (k == 0) { deep(v); return -1; }
  return k * 100 + before;
}
`;

// Must be a separate translation unit: defining __wasm_setjmp next to a setjmp caller makes clang-19 emit
// invalid code ("catch does not match a try").
const RT_SOURCE = String.raw`
__asm__(".globl __c_longjmp\n.tagtype __c_longjmp i32\n__c_longjmp:\n");
struct jmp { void *id; unsigned label; struct { void *env; int val; } arg; };
void __wasm_setjmp(void *env, unsigned label, void *id) { struct jmp *j = env; j->id = id; j->label = label; }
unsigned __wasm_setjmp_test(void *env, void *id) { struct jmp *j = env; return j->id == id ? j->label : 0; }
void __wasm_longjmp(void *env, int val) {
  struct jmp *j = env;
  j->arg.env = env; j->arg.val = val ? val : 1;
  __builtin_wasm_throw(1, &j->arg);
}
`;

interface Exports {
  [k: string]: unknown;
  spin(n: number): number;
  blocking(x: number): number;
  jumper(v: number): number;
  asyncify_start_unwind(p: number): void;
  asyncify_stop_unwind(): void;
  asyncify_start_rewind(p: number): void;
  asyncify_stop_rewind(): void;
  asyncify_get_state(): number;
  wasmux_fuel: WebAssembly.Global;
}

let wasmBytes: Buffer;
let plainBytes: Buffer;
let postlinkLog = '';

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'wasmux-postlink-'));
  const c = join(dir, 't.c');
  writeFileSync(c, C_SOURCE);
  const o = join(dir, 't.o');
  const rtc = join(dir, 'rt.c');
  const rto = join(dir, 'rt.o');
  writeFileSync(rtc, RT_SOURCE);
  const linked = join(dir, 't.wasm');
  const out = join(dir, 't.post.wasm');
  // Compile and link separately: clang runs any wasm-opt on PATH after an optimised link.
  execFileSync('clang-19', ['--target=wasm32-unknown-unknown', '-O2', '-mexception-handling', '-mllvm',
    '-wasm-enable-sjlj', '-c', c, '-o', o], { stdio: 'pipe' });
  execFileSync('clang-19', ['--target=wasm32-unknown-unknown', '-O2', '-mexception-handling', '-c', rtc, '-o', rto],
    { stdio: 'pipe' });
  execFileSync('clang-19', ['--target=wasm32-unknown-unknown', '-nostdlib', '-Wl,--no-entry',
    '-Wl,--import-memory', '-Wl,--stack-first', `-Wl,-z,stack-size=${STACK}`, o, rto, '-o', linked], { stdio: 'pipe' });
  const r = execFileSync(process.execPath, [join(root, 'scripts/postlink.mjs'), linked, out], { stdio: 'pipe', encoding: 'utf8' });
  postlinkLog = r;
  plainBytes = readFileSync(linked);
  wasmBytes = readFileSync(out);
}, 120_000);

const UNWIND_BUF = 8 * 65536; // {i32 cur, i32 end} then data, as the kernel maps it

function instantiate(handlers: { syscall?: (...a: number[]) => number; preempt?: () => number }) {
  const memory = new WebAssembly.Memory({ initial: 16 });
  const logged: number[] = [];
  let ex!: Exports;
  const imports = {
    env: { memory },
    wasmux: {
      syscall: (...a: number[]) => handlers.syscall!(...a),
      preempt: () => handlers.preempt!(),
      log: (v: number) => { logged.push(v); },
    },
  };
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), imports);
  ex = inst.exports as unknown as Exports;
  const view = new Int32Array(memory.buffer);
  const armBuffer = () => { view[UNWIND_BUF / 4] = UNWIND_BUF + 8; view[UNWIND_BUF / 4 + 1] = UNWIND_BUF + 65536; };
  return { ex, memory, logged, armBuffer };
}

describe('scripts/postlink.mjs', () => {
  it('exports the fuel, the asyncify API and the mutable globals (stack pointer) but not asyncify globals', () => {
    const mod = new WebAssembly.Module(wasmBytes);
    const exps = WebAssembly.Module.exports(mod);
    const globals = exps.filter((e) => e.kind === 'global').map((e) => e.name).sort();
    expect(globals).toEqual(['wasmux_fuel', 'wasmux_g0']);
    for (const f of ['asyncify_start_unwind', 'asyncify_stop_unwind', 'asyncify_start_rewind',
      'asyncify_stop_rewind', 'asyncify_get_state', '__wasmux_preempt']) {
      expect(exps.find((e) => e.name === f)?.kind).toBe('function');
    }
    const { ex } = instantiate({});
    expect(ex.wasmux_fuel.value).toBe(0);
    // wasmux_g0 is __stack_pointer: with --stack-first its initial value is the stack size.
    expect((ex.wasmux_g0 as WebAssembly.Global).value).toBe(STACK);
    // The plain link has no such exports (they really come from postlink).
    expect(WebAssembly.Module.exports(new WebAssembly.Module(plainBytes)).some((e) => e.name.startsWith('wasmux_'))).toBe(false);
  });

  it('calls __wasmux_preempt about every FUEL+1 loop iterations and takes the fuel it returns', () => {
    const FUEL = 1000;
    let calls = 0;
    const { ex } = instantiate({ preempt: () => { calls++; return FUEL; } });
    const N = 100_000;
    expect(ex.spin(N)).toBe((N * (N - 1) / 2) | 0);
    // N loop headers + 1 function entry, one preempt per FUEL+1 checks; fuel starts at 0.
    const checks = N + 1;
    expect(calls).toBeGreaterThanOrEqual(Math.floor(checks / (FUEL + 1)));
    expect(calls).toBeLessThanOrEqual(Math.ceil(checks / (FUEL + 1)) + 1);
    expect(ex.wasmux_fuel.value).toBeGreaterThanOrEqual(0);
    expect(ex.wasmux_fuel.value).toBeLessThanOrEqual(FUEL);
    // With plenty of fuel the loop runs without any call.
    calls = 0;
    ex.wasmux_fuel.value = 10 * N;
    ex.spin(N);
    expect(calls).toBe(0);
    expect(ex.wasmux_fuel.value).toBe(10 * N - N - 1);
  });

  it('can park a process inside the preemption check (preempt unwinds, rewinds, loop resumes)', () => {
    let state = 0;
    let parks = 0;
    const h = instantiate({
      preempt: () => {
        if (state === 0) { state = 1; parks++; h.armBuffer(); h.ex.asyncify_start_unwind(UNWIND_BUF); return 0; }
        h.ex.asyncify_stop_rewind(); state = 0; return 50;
      },
    });
    const N = 1000;
    let r = h.ex.spin(N);
    let rounds = 0;
    while (h.ex.asyncify_get_state() === 1) {
      h.ex.asyncify_stop_unwind();
      h.ex.asyncify_start_rewind(UNWIND_BUF);
      r = h.ex.spin(N);
      rounds++;
    }
    expect(h.ex.asyncify_get_state()).toBe(0);
    expect(r).toBe(N * (N - 1) / 2);
    expect(parks).toBe(rounds);
    expect(parks).toBeGreaterThanOrEqual(Math.floor((N + 1) / 51));
  });

  it('unwinds and rewinds through wasmux.syscall with locals and stack memory intact', () => {
    let state = 0;
    const seen: number[][] = [];
    const h = instantiate({
      preempt: () => 1 << 30,
      syscall: (...a: number[]) => {
        seen.push(a);
        if (state === 0) { state = 1; h.armBuffer(); h.ex.asyncify_start_unwind(UNWIND_BUF); return 0; }
        h.ex.asyncify_stop_rewind(); state = 2; return 1000;
      },
    });
    const x = 7;
    expect(h.ex.blocking(x)).toBe(0);                 // returned while unwinding
    expect(h.ex.asyncify_get_state()).toBe(1);
    expect(h.logged).toEqual([]);                     // nothing after the syscall ran
    h.ex.asyncify_stop_unwind();
    h.ex.asyncify_start_rewind(UNWIND_BUF);
    const r = h.ex.blocking(x);
    expect(h.ex.asyncify_get_state()).toBe(0);
    const expected = (x * 3 + 1000 + 31) * 10;
    expect(r).toBe(expected);
    expect(h.logged).toEqual([expected / 10]);
    expect(seen.length).toBe(2);
    expect(seen[1]).toEqual(seen[0]);                 // called again with the same arguments
    expect(seen[0][0]).toBe(63);
    expect(seen[0][1]).toBe(x + 1);
  });

  it('keeps exception handling: setjmp/longjmp work, also across an unwind/rewind', () => {
    let unwind = true;
    const h = instantiate({
      preempt: () => 1 << 30,
      syscall: () => {
        if (unwind) { unwind = false; h.armBuffer(); h.ex.asyncify_start_unwind(UNWIND_BUF); return 0; }
        h.ex.asyncify_stop_rewind(); return 2;
      },
    });
    let r = h.ex.jumper(4);
    expect(h.ex.asyncify_get_state()).toBe(1);
    h.ex.asyncify_stop_unwind();
    h.ex.asyncify_start_rewind(UNWIND_BUF);
    r = h.ex.jumper(4);
    expect(r).toBe((4 + 2) * 100 + 5);
    // and without an unwind
    const h2 = instantiate({ preempt: () => 1 << 30, syscall: () => 3 });
    expect(h2.ex.jumper(1)).toBe(405);
  });

  it('does not instrument __wasmux_preempt itself and reports what it did', () => {
    expect(postlinkLog).toBe('');
    const { ex } = instantiate({ preempt: () => 77 });
    ex.wasmux_fuel.value = 5;
    expect((ex.__wasmux_preempt as () => number)()).toBe(77);
    expect(ex.wasmux_fuel.value).toBe(5);             // no decrement on its own entry
  });
});
