// Errors raised by the tunnel session API. They carry stable codes (TUNNEL_ERR_*) so that callers on either
// side of a worker boundary can match on `code` rather than on messages.
export class TunnelError extends Error {
  override readonly name = 'TunnelError';
  constructor(readonly code: string, message: string) { super(message); }
}
