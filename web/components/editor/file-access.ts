// What the editor needs from a file system: whole-file reads and writes with the file's modification time.
// The editor does not know about the sandbox; the app passes an implementation backed by the kernel (and tests
// pass one backed by a Map). Paths are absolute paths in that file system; the editor never interprets them
// beyond taking the basename for a tab.

/** A file's identity for change detection: the modification time and size a read or write reported. */
export interface FileStamp {
  /** st_mtime in milliseconds (fractional parts allowed; compared for equality only). */
  mtimeMs: number;
  /** st_size in bytes. */
  size: number;
}

/** A whole file as read: its bytes and the stamp they were read at. */
export interface FileContents extends FileStamp {
  data: Uint8Array;
}

/**
 * The file operations the editor uses. Both reject with an Error whose message is shown to the user as is
 * (e.g. "ENOENT: no such file or directory"), so the message should name the failure, not the path.
 */
export interface FileAccess {
  /** Reads the whole file. */
  read(path: string): Promise<FileContents>;
  /** Replaces the file's contents (creating it if it does not exist) and reports the resulting stamp. */
  write(path: string, data: Uint8Array): Promise<FileStamp>;
}
