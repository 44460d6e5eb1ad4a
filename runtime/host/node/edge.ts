// The Node host's side of `wasmux run --edge URL`: the runtime-agnostic tunnel client
// (host/common/edge-client.ts) with the `ws` package as its WebSocket (Node 20 has no WebSocket client
// without a flag), printing `exposed <path or port> at <URL>` on stderr as each point gets its URL.
import { createRequire } from 'node:module';
import type WebSocketType from 'ws';
import type { ExposurePoint, Exposures } from '../../kernel/net/exposure.js';
import { EdgeClient, type EdgeClientOptions, type WebSocketLike } from '../common/edge-client.js';

// `ws` is CommonJS: loaded with require at run time rather than bundled into the CLI's ESM bundle
// (scripts/bundle-cli.mjs), where its require('events') would fail.
const WebSocket = createRequire(import.meta.url)('ws') as typeof WebSocketType;

export function pointName(p: ExposurePoint): string {
  return p.kind === 'unix' ? p.path ?? p.id : String(p.port ?? p.id);
}

export function nodeEdgeClient(exposures: Exposures, edgeUrl: string, o: Partial<EdgeClientOptions> & { write?: (line: string) => void } = {}): EdgeClient {
  let last = '';
  const write = o.write ?? ((l: string) => { process.stderr.write(l); });
  return new EdgeClient({
    edgeUrl,
    exposures,
    // A zero masking key: `ws` then skips masking here and unmasking at the edge (in JavaScript, without the
    // optional bufferutil addon, they were a fifth of the CPU time of a bulk transfer). Masking protects
    // intermediaries from bytes chosen by untrusted page script (RFC 6455 10.3); this client is not a browser,
    // and a browser host's native WebSocket masks as usual.
    createWebSocket: (url) => new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 20, generateMask: (m: Buffer) => { m.fill(0); } }) as unknown as WebSocketLike,
    ...(process.env['EDGE_SECRET'] ? { secret: process.env['EDGE_SECRET'] } : {}),
    onExposed: (p, url) => write(`exposed ${pointName(p)} at ${url}\n`),
    onStatus: (s, detail) => {
      // One line per change of state, not one per reconnect attempt.
      if (s !== 'connected' && detail !== last) write(`wasmux: edge: ${detail}\n`);
      last = s === 'connected' ? '' : detail;
    },
    ...o,
  });
}
