// Bytes to editor text and back. Text is UTF-8; a file that is not valid UTF-8 or holds a NUL byte is
// "binary": shown (lossily decoded, truncated) but never written back, since encoding the shown text would
// not give the original bytes. A byte order mark is kept as U+FEFF so that it survives a save.

/** How much of a binary file is shown. */
export const BINARY_PREVIEW_BYTES = 256 * 1024;

export interface DecodedText {
  /** The text to show; for a binary file, a lossy preview. */
  text: string;
  binary: boolean;
  /** A binary file's preview was cut at BINARY_PREVIEW_BYTES. */
  truncated: boolean;
  /**
   * The line separator to edit with: "\r\n" when every line end is CRLF, else "\n". Either way the editor
   * splits lines on exactly this string and writes it back, so the bytes round-trip: a stray CR in an LF
   * file stays a character (shown as a special-character mark), not a line end.
   */
  lineSeparator: '\n' | '\r\n';
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

export function decodeText(data: Uint8Array): DecodedText {
  let text: string | null = null;
  if (!data.includes(0)) {
    try { text = strict.decode(data); } catch { text = null; }
  }
  if (text === null) {
    const truncated = data.length > BINARY_PREVIEW_BYTES;
    return { text: lossy.decode(truncated ? data.subarray(0, BINARY_PREVIEW_BYTES) : data), binary: true, truncated, lineSeparator: '\n' };
  }
  return { text, binary: false, truncated: false, lineSeparator: allCrlf(text) ? '\r\n' : '\n' };
}

export function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The first line, for #! detection. */
export function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

/** Every LF is preceded by a CR (and there is at least one). */
function allCrlf(text: string): boolean {
  let crlf = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (text.charCodeAt(i - 1) !== 13) return false;
    crlf++;
  }
  return crlf > 0;
}
