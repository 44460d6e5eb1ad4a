#!/usr/bin/env node
// Post-link step for wasmux programs (docs/design/process-abi.md, "Post-link").
//
//   node scripts/postlink.mjs in.wasm out.wasm [--asyncify-removelist=a,b] [--no-opt] [--debug-names]
//
// 1. Preemption fuel: a mutable i32 global exported as `wasmux_fuel` (initial 0). At every function entry
//    and every loop header:  fuel = fuel - 1; if (fuel < 0) fuel = __wasmux_preempt();
//    where __wasmux_preempt is the function exported under that name (libc). It is not instrumented itself.
// 2. Every other defined mutable global (notably __stack_pointer) is exported as wasmux_g0, wasmux_g1, ...
//    in module order, before Asyncify adds its own globals (which are not exported).
// 3. Asyncify with asyncify-imports=wasmux.syscall,wasmux.preempt (indirect calls stay instrumented),
//    exception handling kept enabled (setjmp/longjmp use legacy wasm EH), validate, write.
//
// Optimisation: with an optimize level set, the asyncify pass itself runs binaryen's default function
// optimisation pipeline (-O2) on every function it instruments; the fuel check can unwind, so that is every
// function. A second module-wide -O2 afterwards (--full-opt) gains ~0.2% size on busybox and doubles the time
// (26 s -> 49 s), so it is off by default. --no-opt: no optimisation at all (6 s, about 2x bigger).
//
// The binaryen version is pinned in package.json (>= 125 is required for Asyncify + EH).
import binaryen from 'binaryen';
import { readFileSync, writeFileSync, renameSync, realpathSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PREEMPT_EXPORT = '__wasmux_preempt';
const FUEL_EXPORT = 'wasmux_fuel';
const GLOBAL_EXPORT_PREFIX = 'wasmux_g';
const ASYNCIFY_IMPORTS = 'wasmux.syscall,wasmux.preempt';

function usage(msg) {
  if (msg) console.error(`postlink: ${msg}`);
  console.error('usage: node scripts/postlink.mjs in.wasm out.wasm [--asyncify-removelist=a,b] [--no-opt|--full-opt] [--debug-names] [--quiet]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { removeList: '', opt: true, fullOpt: false, debugNames: false, quiet: false, files: [] };
  for (const a of argv) {
    if (a.startsWith('--asyncify-removelist=')) opts.removeList = a.slice('--asyncify-removelist='.length);
    else if (a === '--no-opt') opts.opt = false;
    else if (a === '--full-opt') opts.fullOpt = true;
    else if (a === '--debug-names') opts.debugNames = true;
    else if (a === '--quiet' || a === '-q') opts.quiet = true;
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else opts.files.push(a);
  }
  if (opts.files.length !== 2) usage('need exactly an input and an output file');
  return opts;
}

// ---- IR walk: collect every loop of a function body (iteratively; deep nesting is common). ----
// Children getters per expression id. An id that is not listed aborts: silently skipping a kind could
// hide loops from the instrumentation.
const B = binaryen;
const none = () => [];
const CHILDREN = new Map([
  [B.NopId, none], [B.LocalGetId, none], [B.GlobalGetId, none], [B.ConstId, none], [B.MemorySizeId, none],
  [B.UnreachableId, none], [B.PopId, none], [B.DataDropId, none], [B.RefNullId, none], [B.RefFuncId, none],
  [B.TableSizeId, none], [B.AtomicFenceId, none], [B.RethrowId, none],
  [B.BlockId, (e) => B.Block.getChildren(e)],
  [B.IfId, (e) => [B.If.getCondition(e), B.If.getIfTrue(e), B.If.getIfFalse(e)]],
  [B.LoopId, (e) => [B.Loop.getBody(e)]],
  [B.BreakId, (e) => [B.Break.getCondition(e), B.Break.getValue(e)]],
  [B.SwitchId, (e) => [B.Switch.getCondition(e), B.Switch.getValue(e)]],
  [B.CallId, (e) => B.Call.getOperands(e)],
  [B.CallIndirectId, (e) => [...B.CallIndirect.getOperands(e), B.CallIndirect.getTarget(e)]],
  [B.LocalSetId, (e) => [B.LocalSet.getValue(e)]],
  [B.GlobalSetId, (e) => [B.GlobalSet.getValue(e)]],
  [B.LoadId, (e) => [B.Load.getPtr(e)]],
  [B.StoreId, (e) => [B.Store.getPtr(e), B.Store.getValue(e)]],
  [B.UnaryId, (e) => [B.Unary.getValue(e)]],
  [B.BinaryId, (e) => [B.Binary.getLeft(e), B.Binary.getRight(e)]],
  [B.SelectId, (e) => [B.Select.getIfTrue(e), B.Select.getIfFalse(e), B.Select.getCondition(e)]],
  [B.DropId, (e) => [B.Drop.getValue(e)]],
  [B.ReturnId, (e) => [B.Return.getValue(e)]],
  [B.MemoryGrowId, (e) => [B.MemoryGrow.getDelta(e)]],
  [B.MemoryInitId, (e) => [B.MemoryInit.getDest(e), B.MemoryInit.getOffset(e), B.MemoryInit.getSize(e)]],
  [B.MemoryCopyId, (e) => [B.MemoryCopy.getDest(e), B.MemoryCopy.getSource(e), B.MemoryCopy.getSize(e)]],
  [B.MemoryFillId, (e) => [B.MemoryFill.getDest(e), B.MemoryFill.getValue(e), B.MemoryFill.getSize(e)]],
  [B.TryId, (e) => [B.Try.getBody(e), ...B.Try.getCatchBodies(e)]],
  [B.ThrowId, (e) => B.Throw.getOperands(e)],
  [B.TupleMakeId, (e) => B.TupleMake.getOperands(e)],
  [B.TupleExtractId, (e) => [B.TupleExtract.getTuple(e)]],
  [B.RefIsNullId, (e) => [B.RefIsNull.getValue(e)]],
  [B.RefEqId, (e) => [B.RefEq.getLeft(e), B.RefEq.getRight(e)]],
  [B.TableGetId, (e) => [B.TableGet.getIndex(e)]],
  [B.TableSetId, (e) => [B.TableSet.getIndex(e), B.TableSet.getValue(e)]],
  [B.TableGrowId, (e) => [B.TableGrow.getValue(e), B.TableGrow.getDelta(e)]],
]);

function collectLoops(body, fname) {
  const loops = [];
  const stack = [body];
  while (stack.length) {
    const e = stack.pop();
    if (!e) continue;
    const id = B.getExpressionId(e);
    const get = CHILDREN.get(id);
    if (!get) {
      throw new Error(`postlink: function ${fname}: unsupported expression kind ${id} ` +
        `(${B.getExpressionInfo(e).constructor?.name ?? ''}); extend CHILDREN in scripts/postlink.mjs`);
    }
    if (id === B.LoopId) loops.push(e);
    const kids = get(e);
    for (let i = kids.length - 1; i >= 0; i--) if (kids[i]) stack.push(kids[i]);
  }
  return loops;
}

// Steps 1 and 2 on a binaryen module (exported for experiments and tests).
export function instrument(m, lap = () => {}) {

  // --- 1. preemption fuel ---
  const preemptExp = m.getExport(PREEMPT_EXPORT);
  if (!preemptExp) throw new Error(`postlink: the module has no export named ${PREEMPT_EXPORT}`);
  const pe = binaryen.getExportInfo(preemptExp);
  if (pe.kind !== binaryen.ExternalFunction) throw new Error(`postlink: ${PREEMPT_EXPORT} is not a function`);
  const preemptName = pe.value;
  const pf = binaryen.getFunctionInfo(m.getFunction(preemptName));
  if (pf.params !== binaryen.none || pf.results !== binaryen.i32) {
    throw new Error(`postlink: ${PREEMPT_EXPORT} must have type () -> i32`);
  }
  if (m.getExport(FUEL_EXPORT)) throw new Error(`postlink: ${FUEL_EXPORT} already exported (postlink run twice?)`);

  let fuelName = 'wasmux_fuel';
  while (m.getGlobal(fuelName)) fuelName += '_';
  // Collect the existing mutable globals first (the fuel global is not one of the wasmux_g*).
  const mutableGlobals = [];
  for (let i = 0; i < m.getNumGlobals(); i++) {
    const gi = binaryen.getGlobalInfo(m.getGlobalByIndex(i));
    if (gi.mutable && !gi.module) mutableGlobals.push(gi.name);
  }
  m.addGlobal(fuelName, binaryen.i32, true, m.i32.const(0));
  m.addGlobalExport(fuelName, FUEL_EXPORT);

  const check = () => m.block(null, [
    m.global.set(fuelName, m.i32.sub(m.global.get(fuelName, binaryen.i32), m.i32.const(1))),
    m.if(m.i32.lt_s(m.global.get(fuelName, binaryen.i32), m.i32.const(0)),
      m.global.set(fuelName, m.call(preemptName, [], binaryen.i32))),
  ], binaryen.none);

  let nFuncs = 0, nLoops = 0;
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = m.getFunctionByIndex(i);
    const info = binaryen.getFunctionInfo(f);
    if (info.module || info.name === preemptName) continue; // imports have no body
    for (const loop of collectLoops(info.body, info.name)) {
      const body = binaryen.Loop.getBody(loop);
      binaryen.Loop.setBody(loop, m.block(null, [check(), body], binaryen.getExpressionType(body)));
      nLoops++;
    }
    binaryen.Function.setBody(f, m.block(null, [check(), info.body], info.results));
    nFuncs++;
  }
  lap(`fuel: ${nFuncs} function entries, ${nLoops} loop headers`);

  // --- 2. export the mutable globals (before Asyncify adds __asyncify_state / __asyncify_data) ---
  mutableGlobals.forEach((g, i) => m.addGlobalExport(g, `${GLOBAL_EXPORT_PREFIX}${i}`));
  lap(`exported ${mutableGlobals.length} mutable globals (${mutableGlobals.join(', ')})`);

  return { mutableGlobals, nFuncs, nLoops };
}

export function postlink(inputBytes, { removeList = '', opt = true, fullOpt = false, debugNames = false, log = () => {} } = {}) {
  const t0 = performance.now();
  const lap = (what) => log(`${what}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  const m = binaryen.readBinary(inputBytes);
  // Features come from the target_features section; exception handling must stay on for setjmp/longjmp.
  m.setFeatures(m.getFeatures() | binaryen.Features.ExceptionHandling | binaryen.Features.MutableGlobals);
  lap('read');
  const { mutableGlobals, nFuncs, nLoops } = instrument(m, lap);

  // --- 3. Asyncify, optimise ---
  binaryen.setDebugInfo(debugNames);
  binaryen.setOptimizeLevel(opt ? 2 : 0);
  binaryen.setShrinkLevel(0);
  binaryen.clearPassArguments();
  binaryen.setPassArgument('asyncify-imports', ASYNCIFY_IMPORTS);
  if (removeList) binaryen.setPassArgument('asyncify-removelist', removeList);
  m.runPasses(['asyncify']);
  lap('asyncify');
  if (opt && fullOpt) {
    m.optimize();
    lap('optimize');
  }
  if (!m.validate()) throw new Error('postlink: the result does not validate');
  const out = m.emitBinary();
  m.dispose();
  binaryen.clearPassArguments();
  lap('write');
  return { binary: out, mutableGlobals, nFuncs, nLoops };
}

const isMain = process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (isMain) {
  const opts = parseArgs(process.argv.slice(2));
  const [input, output] = opts.files;
  const log = opts.quiet ? () => {} : (s) => console.error(`postlink: ${s}`);
  try {
    const { binary } = postlink(readFileSync(input), { ...opts, log });
    // Write via a temporary file and rename, except onto something that is not a regular file
    // (e.g. configure-style probes linking to -o /dev/null: never replace the device node).
    let regular = true;
    try { regular = statSync(output).isFile(); } catch { /* does not exist yet */ }
    if (regular) {
      const tmp = `${output}.tmp${process.pid}`;
      writeFileSync(tmp, binary);
      renameSync(tmp, output);
    } else {
      writeFileSync(output, binary);
    }
  } catch (e) {
    console.error(e.message ?? e);
    process.exit(1);
  }
}
