// Errors of the file service client. `code` is stable and safe to match on, also after the error crossed a
// worker boundary as a plain {name, message, code}:
//   FS_ERR_<ERRNO>       the server's operation failed with that errno (FS_ERR_ENOENT, FS_ERR_EISDIR, ...);
//                        `errno` holds the number and `path` the path it failed on.
//   FS_ERR_CLOSED        the stream closed before the reply came (or the client was closed).
//   FS_ERR_PROTOCOL      the server sent something that is not this protocol; the client closed the stream.
//   FS_ERR_CHANGED       a chunked read saw the file change between chunks, three times in a row.
//   FS_ERR_TOO_LARGE     a single write() with more than MAX_DATA bytes (use writeFile, which chunks).
//   FS_ERR_ENAMETOOLONG  also raised by the client itself for a path longer than MAX_PATH bytes.

export class FsError extends Error {
  override readonly name = 'FsError';
  constructor(
    readonly code: string,
    message: string,
    /** The errno (0 for the client's own errors). */
    readonly errno = 0,
    /** The path the operation failed on ("" when none). */
    readonly path = '',
    /** The operation: "stat", "readdir", "write", ... */
    readonly op = '',
  ) {
    super(message);
  }
}

/** An error reply: "ENOENT: stat '/nope'". */
export function serverError(op: string, errno: number, errname: string, path: string): FsError {
  const name = /^E[A-Z0-9]+$/.test(errname) ? errname : 'EUNKNOWN';
  return new FsError(`FS_ERR_${name}`, `${name}: ${op}${path ? ` '${path}'` : ''} (errno ${errno})`, errno, path, op);
}
