// Reassembly of the server's data frames into messages (RFC 6455 section 5.4, 5.6): a message is a text or
// binary frame followed by continuation frames up to one with FIN set; control frames may come between
// them (the frame reader hands those elsewhere). Checks the sequence (a continuation with no message open,
// a new message before the last one ended: 1002), the size limit before the payload is buffered (1009),
// and text as it arrives with a streaming fatal UTF-8 decoder, so bad text fails at the first bad byte
// rather than at the end of a long message (1007).
import { WsError, protocolError } from './errors.js';
import { Op } from './frames.js';
import { strictUtf8, type TextDecoderLike } from './platform.js';

/** The default limit on a received message's size, in bytes. */
export const DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024;

export class MessageAssembler {
  private open = false;
  private text = false;
  private size = 0;
  private parts: Uint8Array[] = [];
  private strings: string[] = [];
  private decoder: TextDecoderLike | null = null;

  /**
   * @param maxSize largest message accepted, in bytes
   * @param deliver a complete message: a string for text; for binary, a Uint8Array that is the whole of
   *   its own ArrayBuffer (byteOffset 0, exact length), so `.buffer` is the message
   */
  constructor(
    private readonly maxSize: number,
    private readonly deliver: (data: string | Uint8Array) => void,
  ) {}

  dataStart(opcode: number, _fin: boolean, length: number): void {
    if (opcode === Op.CONTINUATION) {
      if (!this.open) throw protocolError('continuation frame with no message to continue');
    } else {
      if (this.open) throw protocolError('new data frame before the fragmented message ended');
      this.open = true;
      this.text = opcode === Op.TEXT;
      this.size = 0;
    }
    if (length > this.maxSize - this.size) throw new WsError('WS_ERR_TOO_BIG', `message larger than ${this.maxSize} bytes`, 1009);
    this.size += length;
  }

  dataChunk(bytes: Uint8Array): void {
    if (!this.text) { this.parts.push(bytes); return; }
    this.decoder ??= strictUtf8();
    try {
      this.strings.push(this.decoder.decode(bytes, { stream: true }));
    } catch {
      throw new WsError('WS_ERR_UTF8', 'text message is not valid UTF-8', 1007);
    }
  }

  dataEnd(fin: boolean): void {
    if (!fin) return;
    this.open = false;
    if (this.text) {
      let tail: string;
      try {
        tail = this.decoder ? this.decoder.decode() : '';
      } catch {
        throw new WsError('WS_ERR_UTF8', 'text message ends inside a UTF-8 sequence', 1007);
      }
      const s = this.strings.length === 0 ? tail : this.strings.join('') + tail;
      this.strings = [];
      this.decoder = null;
      this.deliver(s);
    } else {
      const parts = this.parts;
      this.parts = [];
      this.deliver(wholeBuffer(parts, this.size));
    }
  }
}

/** The parts joined into a Uint8Array that owns its whole ArrayBuffer (no copy when one part already does). */
function wholeBuffer(parts: Uint8Array[], size: number): Uint8Array {
  const only = parts[0];
  if (parts.length === 1 && only!.byteOffset === 0 && only!.byteLength === only!.buffer.byteLength) return only!;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
