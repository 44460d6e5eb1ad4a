// Inlined into index.html by scripts/bundle-web.mjs: starts the kernel's worker as the page starts
// (start-worker.ts says why).
import { startEarly } from './start-worker.js';

/** Set by the bundler: the worker's revisioned URL, relative to the page. */
declare const WASMUX_WORKER_URL: string;

startEarly(new URL(WASMUX_WORKER_URL, document.baseURI));
