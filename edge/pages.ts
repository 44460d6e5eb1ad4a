// The edge's own responses (unknown tunnel, sandbox unreachable, bad request), as complete HTTP/1.1
// messages that close the connection.
const REASONS: Record<number, string> = {
  400: 'Bad Request', 404: 'Not Found', 408: 'Request Timeout', 431: 'Request Header Fields Too Large',
  502: 'Bad Gateway', 503: 'Service Unavailable',
};

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function page(status: number, title: string, message: string): Uint8Array {
  const body = `<!doctype html>
<html><head><meta charset="utf-8"><title>${status} ${esc(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}
h1{font-size:1.4em}p{color:#555}code{background:#f2f2f2;padding:0 .2em}</style></head>
<body><h1>${esc(title)}</h1><p>${message}</p><p><small>wasmux edge · ${status} ${REASONS[status] ?? ''}</small></p></body></html>
`;
  const b = Buffer.from(body);
  const head = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: text/html; charset=utf-8\r\n` +
    `Content-Length: ${b.length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), b]);
}

export const pages = {
  notFound: (host: string): Uint8Array => page(404, 'No such tunnel',
    `Nothing is registered at <code>${esc(host)}</code>. The sandbox may have stopped, or its tunnel expired.`),
  unreachable: (host: string): Uint8Array => page(502, 'Sandbox unreachable',
    `The sandbox behind <code>${esc(host)}</code> is reconnecting and did not come back in time. Try again shortly.`),
  noServer: (host: string, point: string): Uint8Array => page(502, 'No server listening',
    `The sandbox behind <code>${esc(host)}</code> is connected, but nothing accepts connections at <code>${esc(point)}</code>.`),
  badRequest: (why: string): Uint8Array => page(400, 'Bad request', esc(why)),
  tooLarge: (): Uint8Array => page(431, 'Request head too large', 'The request line and headers exceed the limit.'),
  timeout: (): Uint8Array => page(408, 'Request timeout', 'The request head did not arrive in time.'),
};
