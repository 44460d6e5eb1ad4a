// One file open in wasmux-editor: its editor state and what the editor knows about the file on disk. A plain
// record; the component does the reading, writing and rendering.

import type { EditorState, StateEffect, Text } from '@codemirror/state';
import type { FileStamp } from './file-access.js';
import type { LanguageId } from './languages.js';

/** A bar over the file offering a choice about the file on disk. */
export type DiskNotice =
  /** The app reported a change (notifyChanged) at an mtime the editor did not read or write. */
  | { kind: 'changed'; mtimeMs: number }
  /** A save found the file changed since it was read, and did not write. */
  | { kind: 'save-conflict'; mtimeMs: number };

/** The last failure: a read leaves no content to edit; a write leaves the buffer as it was (dirty). */
export interface FileError { op: 'read' | 'write'; message: string }

export class OpenFile {
  /** The editor state; null until the first read succeeds. For the file the view shows, view.state is newer. */
  state: EditorState | null = null;
  /** The document as last read or written; the buffer is dirty when it differs. */
  saved: Text | null = null;
  /** The file's mtime and size at the last read or write. */
  stamp: FileStamp | null = null;
  /** An on-disk mtime the user chose to keep their buffer over ("Keep mine"): saving over it does not warn. */
  keptMtimeMs: number | null = null;
  /** The scroll position while another tab is shown. */
  scroll: StateEffect<unknown> | null = null;
  language: LanguageId | null = null;
  dirty = false;
  /** Not UTF-8 text (invalid UTF-8 or a NUL byte): shown read-only and never written. */
  binary = false;
  /** A binary file's preview does not show the whole file. */
  truncated = false;
  loading = true;
  saving = false;
  error: FileError | null = null;
  disk: DiskNotice | null = null;
  /** A notifyChanged that arrived while a save was in flight, judged once the write reports its mtime. */
  notifiedDuringSave: number | null = null;

  constructor(readonly path: string) {}

  get name(): string {
    return this.path.slice(this.path.lastIndexOf('/') + 1) || this.path;
  }
}

/** Two documents are the same text (cheap when the lengths differ). */
export function sameDoc(a: Text, b: Text): boolean {
  return a === b || (a.length === b.length && a.eq(b));
}
