// Errors of the edge proxy, with stable codes (EDGE_ERR_*) for logs, tests and callers.
export type EdgeErrorCode =
  | 'EDGE_ERR_BAD_REQUEST'
  | 'EDGE_ERR_HEAD_TOO_LARGE'
  | 'EDGE_ERR_BAD_CONFIG'
  | 'EDGE_ERR_AUTH'
  | 'EDGE_ERR_BAD_RESUME';

export class EdgeError extends Error {
  override readonly name = 'EdgeError';
  constructor(readonly code: EdgeErrorCode, message: string) { super(message); }
}
