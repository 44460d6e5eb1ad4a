// Errors of the WebSocket client. They carry stable codes (WS_ERR_*) so that callers on either side of a
// worker boundary can match on `code` rather than on messages, and, for failures detected on an open
// connection, the status code the client sent in its Close frame (RFC 6455 section 7.4.1).

export type WsErrorCode =
  /** The connection could not be opened (the stream factory threw or rejected, or the stream was reset). */
  | 'WS_ERR_CONNECT'
  /** The server's answer to the opening handshake was not a valid 101 for this request. */
  | 'WS_ERR_HANDSHAKE'
  /** A frame or frame sequence broke RFC 6455 (close code 1002). */
  | 'WS_ERR_PROTOCOL'
  /** A text message or close reason was not valid UTF-8 (close code 1007). */
  | 'WS_ERR_UTF8'
  /** A message exceeded the size limit (close code 1009). */
  | 'WS_ERR_TOO_BIG'
  /** The stream ended or was reset before the handshake completed. */
  | 'WS_ERR_CLOSED'
  /** The client gave up on the connection (close() while connecting, or a Blob it could not read). */
  | 'WS_ERR_ABORTED'
  /** An argument the caller passed was invalid (a header name, a subprotocol token). */
  | 'WS_ERR_ARG'
  /** An event callback threw while a frame was being handled (close code 1011). */
  | 'WS_ERR_INTERNAL';

export class WsError extends Error {
  override readonly name = 'WsError';
  constructor(
    readonly code: WsErrorCode,
    message: string,
    /** The status code sent to the server in the Close frame, for failures of an open connection. */
    readonly closeCode?: number,
  ) {
    super(message);
  }
}

export const protocolError = (message: string): WsError => new WsError('WS_ERR_PROTOCOL', message, 1002);
