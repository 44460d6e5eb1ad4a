// A POSIX tar codec: the ustar header of POSIX.1-1988 with the pax extended headers of POSIX.1-2001
// ("pax Interchange Format", XCU pax(1)), reading also what GNU tar and BusyBox write (GNU 'L'/'K' long
// names, base-256 numbers, the "ustar  " magic). No Linux counterpart (the kernel only unpacks cpio for
// its initramfs, init/initramfs.c); used by the kernel's snapshots (kernel/fs/snapshot.ts, an OCI image
// layer) and by the file explorer's folder downloads (web/fs/tar-tree.ts). runtime/lib/ holds such pure
// code that every layer may import: no platform API, no kernel state.
//
// Pure: bytes in, bytes out. The reader never copies file data (an entry's data is a view of the
// archive) and checks everything it decodes: header checksums, numeric fields, pax record lengths, that
// every header and its data lie inside the archive, and that the archive ends with a zero block (so a
// cut at a block boundary is detected too). Names are byte strings (./bytestring.ts): any bytes round
// trip. A pax path that is not valid UTF-8 is written as its raw bytes, as GNU tar does, without the
// "hdrcharset=BINARY" record of POSIX.1-2008, which GNU tar 1.34 warns about and does not need.
import { decodeBytes, encodeBytes } from './bytestring.js';
/** Seconds and nanoseconds (the kernel's stat Timespec has the same shape). */
export interface Timespec { sec: number; nsec: number }

export const BLOCK_SIZE = 512;

export type TarType = 'file' | 'hardlink' | 'symlink' | 'chardev' | 'blockdev' | 'dir' | 'fifo';

export interface TarHeader {
  /** Path in the archive; a directory's may end with "/" (the writer adds one). */
  name: string;
  type: TarType;
  /** Permission bits (07777). */
  mode: number;
  uid: number;
  gid: number;
  mtime: Timespec;
  /** Symlink target, or the archive path a hard link refers to. */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

export interface TarEntry extends Required<TarHeader> {
  /** Data bytes (regular files; empty for other types): a view of the archive. */
  data: Uint8Array;
  /** Offset of the entry's first header (the pax or GNU long-name header if any), for messages. */
  offset: number;
}

export type TarErrorCode =
  | 'TAR_ERR_CHECKSUM' | 'TAR_ERR_TRUNCATED' | 'TAR_ERR_FORMAT' | 'TAR_ERR_LIMIT' | 'TAR_ERR_UNSUPPORTED';

export class TarError extends Error {
  constructor(readonly code: TarErrorCode, message: string, readonly offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = 'TarError';
  }
}

export interface TarReadOptions {
  /** Largest data of one entry (default 2 GiB). */
  maxEntrySize?: number;
  /** Most entries (default 1,000,000). */
  maxEntries?: number;
  /** Called with the records of each pax global header ('g'), values decoded as byte strings. */
  onGlobal?: (records: Map<string, string>) => void;
}

/** Largest pax or GNU long-name header we accept (names are at most PATH_MAX anyway). */
const MAX_EXT_HEADER = 1 << 20;
const ZERO = new Uint8Array(BLOCK_SIZE * 2);
const TYPE_CHAR: Record<TarType, number> = {
  file: 0x30, hardlink: 0x31, symlink: 0x32, chardev: 0x33, blockdev: 0x34, dir: 0x35, fifo: 0x36,
};
/** Largest value of an octal field of `len` bytes (len - 1 digits and a NUL). */
const octalMax = (len: number): number => 8 ** (len - 1) - 1;

// ---------------------------------------------------------------------------------------------------
// Writer

/**
 * Builds an archive as a list of pieces (headers, views of the data, padding) and joins them once at the
 * end: the only large allocation is the result. Entries are written in the order they are added.
 */
export class TarWriter {
  private readonly parts: Uint8Array[] = [];
  private bytes = 0;

  /** `maxBytes` bounds the finished archive (TAR_ERR_LIMIT past it). */
  constructor(readonly maxBytes = 2 ** 31) {}

  /** Size of the finished archive so far, end-of-archive blocks included. */
  get size(): number { return this.bytes + ZERO.length; }

  /** Append a pax global header ('g') with these records (e.g. a "comment"). */
  addGlobal(records: [key: string, value: string][]): void {
    const body = concat(records.map(([k, v]) => paxRecord(k, encodeBytes(v))));
    const padded = Math.ceil(body.length / BLOCK_SIZE) * BLOCK_SIZE;
    const out = new Uint8Array(BLOCK_SIZE + padded);
    out.set(extHeader(encodeBytes('pax_global_header'), 0x67, body.length, 0), 0);
    out.set(body, BLOCK_SIZE);
    this.push(out);
  }

  private push(p: Uint8Array): void {
    if (this.bytes + p.length + ZERO.length > this.maxBytes) {
      throw new TarError('TAR_ERR_LIMIT', `archive larger than ${this.maxBytes} bytes`, this.bytes);
    }
    this.parts.push(p);
    this.bytes += p.length;
  }

  /** Append one entry; `data` only for regular files (its bytes are referenced, not copied, until finish). */
  add(h: TarHeader, data?: Uint8Array): void {
    const size = h.type === 'file' ? data?.length ?? 0 : 0;
    const header = encodeHeader(h, size);
    const pad = (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
    if (this.bytes + header.length + size + pad + ZERO.length > this.maxBytes) {
      throw new TarError('TAR_ERR_LIMIT', `archive larger than ${this.maxBytes} bytes`, this.bytes);
    }
    this.push(header);
    if (size > 0) { this.push(data!); if (pad) this.push(ZERO.subarray(0, pad)); }
  }

  /**
   * The archive as its pieces in order, end-of-archive blocks included, for a consumer that streams them
   * (e.g. `new Blob(chunks)`). File data pieces are views of the data given to add().
   */
  chunks(): Uint8Array[] { return [...this.parts, ZERO]; }

  /** The archive as one array. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const p of this.parts) { out.set(p, off); off += p.length; }
    return out; // the trailing zero blocks are already zero
  }
}

/** One pax record "<len> <key>=<value>\n", where len counts the whole record in decimal. */
function paxRecord(key: string, value: Uint8Array): Uint8Array {
  const body = encodeBytes(` ${key}=`);
  const n = body.length + value.length + 1;
  let len = n + 1;
  while (String(len).length + n !== len) len = String(len).length + n;
  const digits = encodeBytes(String(len));
  const r = new Uint8Array(len);
  r.set(digits, 0);
  r.set(body, digits.length);
  r.set(value, digits.length + body.length);
  r[len - 1] = 0x0a;
  return r;
}

const ascii = (s: string): Uint8Array => encodeBytes(s);

function isPortable(b: Uint8Array): boolean {
  for (const c of b) if (c < 0x20 || c > 0x7e) return false;
  return true;
}

/** Seconds and nanoseconds as a pax decimal time ("-1.5" is 1.5 s before the epoch). */
export function formatPaxTime(t: Timespec): string {
  let { sec, nsec } = t;
  let sign = '';
  if (sec < 0 && nsec > 0) { sec += 1; nsec = 1e9 - nsec; }
  if (sec < 0 || (sec === 0 && t.sec < 0)) { sign = '-'; sec = -sec; }
  const frac = nsec ? `.${String(nsec).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${sign}${sec}${frac}`;
}

/** Split a name into ustar prefix (<= 155 bytes) and name (<= 100 bytes) at a "/", or null. */
function splitUstar(b: Uint8Array): { prefix: Uint8Array; name: Uint8Array } | null {
  if (b.length <= 100) return { prefix: new Uint8Array(0), name: b };
  for (let i = Math.max(1, b.length - 101); i <= Math.min(155, b.length - 2); i++) {
    if (b[i] === 0x2f) return { prefix: b.subarray(0, i), name: b.subarray(i + 1) };
  }
  return null;
}

function putOctal(h: Uint8Array, off: number, len: number, v: number): void {
  const s = v.toString(8).padStart(len - 1, '0');
  for (let i = 0; i < len - 1; i++) h[off + i] = s.charCodeAt(i);
  h[off + len - 1] = 0;
}

/** GNU base-256: 0x80 (or 0xff for negative numbers) then the two's complement big-endian value. */
function putBase256(h: Uint8Array, off: number, len: number, v: number): void {
  let x = BigInt(v);
  if (x < 0n) x += 1n << BigInt(8 * len);
  for (let i = len - 1; i >= 1; i--) { h[off + i] = Number(x & 0xffn); x >>= 8n; }
  h[off] = v < 0 ? 0xff : 0x80;
}

/** An octal field, or base-256 when the value does not fit; returns false when it did not fit. */
function putNumber(h: Uint8Array, off: number, len: number, v: number): boolean {
  if (v >= 0 && v <= octalMax(len)) { putOctal(h, off, len, v); return true; }
  putBase256(h, off, len, v);
  return false;
}

function encodeHeader(h: TarHeader, size: number): Uint8Array {
  const records: Uint8Array[] = [];
  let name = h.name;
  if (h.type === 'dir' && !name.endsWith('/')) name += '/';
  const nameBytes = encodeBytes(name);
  const linkBytes = encodeBytes(h.linkname ?? '');
  const split = isPortable(nameBytes) ? splitUstar(nameBytes) : null;
  if (!split) records.push(paxRecord('path', nameBytes));
  if (linkBytes.length > 100 || !isPortable(linkBytes)) records.push(paxRecord('linkpath', linkBytes));

  const u = new Uint8Array(BLOCK_SIZE);
  const fields = split ?? { prefix: new Uint8Array(0), name: nameBytes.subarray(0, 100) };
  u.set(fields.name, 0);
  putOctal(u, 100, 8, h.mode & 0o7777);
  if (!putNumber(u, 108, 8, h.uid)) records.push(paxRecord('uid', ascii(String(h.uid))));
  if (!putNumber(u, 116, 8, h.gid)) records.push(paxRecord('gid', ascii(String(h.gid))));
  if (!putNumber(u, 124, 12, size)) records.push(paxRecord('size', ascii(String(size))));
  const fits = putNumber(u, 136, 12, h.mtime.sec);
  if (!fits || h.mtime.nsec !== 0) records.push(paxRecord('mtime', ascii(formatPaxTime(h.mtime))));
  u[156] = TYPE_CHAR[h.type];
  u.set(linkBytes.subarray(0, 100), 157);
  u.set(ascii('ustar\u000000'), 257);
  if (h.type === 'chardev' || h.type === 'blockdev') {
    putNumber(u, 329, 8, h.devmajor ?? 0);
    putNumber(u, 337, 8, h.devminor ?? 0);
  }
  u.set(fields.prefix, 345);
  setChecksum(u);
  if (records.length === 0) return u;

  // The pax header: named after the entry (as GNU tar does) so that a reader without pax support
  // extracts it as a harmless file; dated like the entry so that the output is deterministic.
  const body = concat(records);
  const padded = Math.ceil(body.length / BLOCK_SIZE) * BLOCK_SIZE;
  const out = new Uint8Array(BLOCK_SIZE + padded + BLOCK_SIZE);
  const base = nameBytes.subarray(nameBytes.lastIndexOf(0x2f, nameBytes.length - 2) + 1);
  out.set(extHeader(concat([ascii('PaxHeaders/'), base]), 0x78, body.length, h.mtime.sec), 0);
  out.set(body, BLOCK_SIZE);
  out.set(u, BLOCK_SIZE + padded);
  return out;
}

/** The ustar header of a pax extended header ('x' or 'g') whose records take `size` bytes. */
function extHeader(name: Uint8Array, type: number, size: number, mtime: number): Uint8Array {
  const x = new Uint8Array(BLOCK_SIZE);
  x.set(name.subarray(0, 100), 0);
  putOctal(x, 100, 8, 0o644);
  putOctal(x, 108, 8, 0);
  putOctal(x, 116, 8, 0);
  putOctal(x, 124, 12, size);
  putOctal(x, 136, 12, Math.min(Math.max(mtime, 0), octalMax(12)));
  x[156] = type;
  x.set(ascii('ustar\u000000'), 257);
  setChecksum(x);
  return x;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) { out.set(p, n); n += p.length; }
  return out;
}

function headerSum(h: Uint8Array, signed: boolean): number {
  let s = 8 * 0x20; // the checksum field counts as eight spaces
  for (let i = 0; i < BLOCK_SIZE; i++) {
    if (i >= 148 && i < 156) continue;
    const c = h[i]!;
    s += signed && c > 127 ? c - 256 : c;
  }
  return s;
}

function setChecksum(h: Uint8Array): void {
  const s = headerSum(h, false).toString(8).padStart(6, '0');
  for (let i = 0; i < 6; i++) h[148 + i] = s.charCodeAt(i);
  h[154] = 0;
  h[155] = 0x20;
}

// ---------------------------------------------------------------------------------------------------
// Reader

/** A field up to its first NUL, as a byte string. */
function cstring(b: Uint8Array): string {
  const z = b.indexOf(0);
  return decodeBytes(z < 0 ? b : b.subarray(0, z));
}

/**
 * A numeric header field: octal digits with optional leading spaces and a space/NUL terminator (an empty
 * field is 0), or GNU base-256 (first byte 0x80 or 0xff).
 */
function parseNumber(b: Uint8Array, what: string, off: number, allowNegative = false): number {
  const first = b[0]!;
  if (first & 0x80) {
    if (first !== 0x80 && first !== 0xff) throw new TarError('TAR_ERR_FORMAT', `bad base-256 ${what}`, off);
    const neg = first === 0xff;
    let v = 0n;
    for (let i = 1; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
    if (neg) v -= 1n << BigInt(8 * (b.length - 1));
    if (neg && !allowNegative) throw new TarError('TAR_ERR_FORMAT', `negative ${what}`, off);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new TarError('TAR_ERR_LIMIT', `${what} out of range`, off);
    }
    return Number(v);
  }
  let i = 0;
  while (i < b.length && b[i] === 0x20) i++;
  let v = 0, digits = 0;
  for (; i < b.length && b[i]! >= 0x30 && b[i]! <= 0x37; i++, digits++) v = v * 8 + (b[i]! - 0x30);
  for (; i < b.length; i++) {
    if (b[i] !== 0 && b[i] !== 0x20) throw new TarError('TAR_ERR_FORMAT', `bad octal ${what}`, off);
  }
  if (digits > 17) throw new TarError('TAR_ERR_LIMIT', `${what} out of range`, off);
  return v;
}

function parseDecimal(s: string, key: string, off: number): number {
  if (!/^[0-9]{1,16}$/.test(s)) throw new TarError('TAR_ERR_FORMAT', `bad pax ${key} "${s}"`, off);
  return Number(s);
}

/** A pax time: [-]seconds[.fraction] (fraction digits past nanoseconds are dropped). */
export function parsePaxTime(s: string, off: number): Timespec {
  const m = /^(-?)([0-9]{1,16})(?:\.([0-9]+))?$/.exec(s);
  if (!m) throw new TarError('TAR_ERR_FORMAT', `bad pax time "${s}"`, off);
  let sec = Number(m[2]);
  let nsec = Number((m[3] ?? '').slice(0, 9).padEnd(9, '0'));
  if (m[1]) {
    sec = -sec;
    if (nsec) { sec -= 1; nsec = 1e9 - nsec; }
  }
  return { sec, nsec };
}

type Pax = Map<string, Uint8Array>;

/** Parse pax records into `into` (later records win; an empty value removes the key, as POSIX says). */
function parsePax(data: Uint8Array, into: Pax, off: number): void {
  let p = 0;
  while (p < data.length) {
    if (data[p] === 0) {
      // Some writers pad the record area with NULs; anything else after it is corruption.
      if (data.subarray(p).every((c) => c === 0)) return;
      throw new TarError('TAR_ERR_FORMAT', 'bad pax record', off);
    }
    let q = p, len = 0;
    while (q < data.length && data[q]! >= 0x30 && data[q]! <= 0x39 && q - p < 8) len = len * 10 + data[q++]! - 0x30;
    if (q === p || data[q] !== 0x20 || len < q - p + 4 || p + len > data.length || data[p + len - 1] !== 0x0a) {
      throw new TarError('TAR_ERR_FORMAT', 'bad pax record', off);
    }
    const rec = data.subarray(q + 1, p + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw new TarError('TAR_ERR_FORMAT', 'bad pax record', off);
    const key = decodeBytes(rec.subarray(0, eq));
    const value = rec.subarray(eq + 1);
    if (value.length === 0) into.delete(key); else into.set(key, value);
    p += len;
  }
}

function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Decode an archive entry by entry. Extended headers (pax 'x' and 'g', GNU 'L' and 'K') are applied to
 * the entries they describe and not returned; volume labels ('V') are skipped. Raises TarError on
 * anything malformed, including types this codec cannot represent faithfully (GNU sparse 'S' and pax
 * GNU.sparse files, multi-volume 'M', dump directories 'D').
 */
export function* readTar(buf: Uint8Array, opts: TarReadOptions = {}): Generator<TarEntry> {
  const maxEntrySize = opts.maxEntrySize ?? 2 ** 31;
  const maxEntries = opts.maxEntries ?? 1_000_000;
  const global: Pax = new Map();
  let pax: Pax | null = null;
  let longName: string | null = null, longLink: string | null = null;
  let entryStart = -1;
  let count = 0;
  for (let off = 0; ;) {
    if (off + BLOCK_SIZE > buf.length) {
      throw new TarError('TAR_ERR_TRUNCATED', off === buf.length
        ? 'archive ends without an end-of-archive block' : 'truncated header', off);
    }
    const h = buf.subarray(off, off + BLOCK_SIZE);
    if (isZeroBlock(h)) {
      if (pax || longName !== null || longLink !== null) {
        throw new TarError('TAR_ERR_FORMAT', 'extended header not followed by an entry', off);
      }
      return;
    }
    const stored = parseNumber(h.subarray(148, 156), 'checksum', off);
    if (stored !== headerSum(h, false) && stored !== headerSum(h, true)) {
      throw new TarError('TAR_ERR_CHECKSUM', 'header checksum mismatch', off);
    }
    const magic = h.subarray(257, 263);
    const ustar = magic[0] === 0x75 && cstring(magic.subarray(0, 5)) === 'ustar';
    if (!ustar && !isZeroBlock(magic)) throw new TarError('TAR_ERR_FORMAT', 'unknown header magic', off);
    const gnu = ustar && magic[5] === 0x20;
    const tf = h[156]!;
    if (entryStart < 0) entryStart = off;

    let size = parseNumber(h.subarray(124, 136), 'size', off);
    const isFile = tf === 0x30 || tf === 0 || tf === 0x37;
    const ext = tf === 0x78 || tf === 0x67 || tf === 0x4c || tf === 0x4b; // x g L K
    const paxSize = pax?.get('size');
    if (isFile && paxSize) size = parseDecimal(decodeBytes(paxSize), 'size', off);
    // POSIX: no data follows links, devices, directories and FIFOs whatever their size field says.
    const dataLen = isFile || ext || tf === 0x56 /* V */ ? size : tf >= 0x31 && tf <= 0x36 ? 0 : size;
    if (dataLen > buf.length - off - BLOCK_SIZE) {
      throw new TarError('TAR_ERR_TRUNCATED', `data of ${dataLen} bytes runs past the end of the archive`, off);
    }
    if (ext && dataLen > MAX_EXT_HEADER) throw new TarError('TAR_ERR_LIMIT', 'extended header too large', off);
    if (dataLen > maxEntrySize) throw new TarError('TAR_ERR_LIMIT', `entry of ${dataLen} bytes is too large`, off);
    const data = buf.subarray(off + BLOCK_SIZE, off + BLOCK_SIZE + dataLen);
    const hoff = off;
    off += BLOCK_SIZE + Math.ceil(dataLen / BLOCK_SIZE) * BLOCK_SIZE;

    switch (tf) {
      case 0x78: parsePax(data, pax ??= new Map(), hoff); continue; // x
      case 0x67: { // g
        const g: Pax = new Map();
        parsePax(data, g, hoff);
        for (const [k, v] of g) global.set(k, v);
        opts.onGlobal?.(new Map([...g].map(([k, v]) => [k, decodeBytes(v)])));
        entryStart = -1;
        continue;
      }
      case 0x4c: longName = cstring(data); continue; // L
      case 0x4b: longLink = cstring(data); continue; // K
      case 0x56: entryStart = -1; continue; // V: volume label
      default: break;
    }
    const field = cstring(h.subarray(0, 100));
    const prefix = ustar && !gnu ? cstring(h.subarray(345, 500)) : '';
    const local = (k: string): string | undefined => {
      const v = pax?.get(k);
      return v === undefined ? undefined : decodeBytes(v);
    };
    const name = local('path') ?? longName ?? (prefix ? `${prefix}/${field}` : field);
    let type = headerType(tf, hoff);
    // A regular file named with a trailing slash is a directory (pre-POSIX archives; GNU tar agrees).
    if (type === 'file' && name.endsWith('/')) type = 'dir';
    const ext2 = new Map([...global, ...(pax ?? [])]);
    for (const k of ext2.keys()) {
      if (k.startsWith('GNU.sparse.')) throw new TarError('TAR_ERR_UNSUPPORTED', 'GNU sparse file', hoff);
    }
    const str = (k: string): string | undefined => {
      const v = ext2.get(k);
      return v === undefined ? undefined : decodeBytes(v);
    };
    const linkname = local('linkpath') ?? longLink ?? cstring(h.subarray(157, 257));
    const num = (k: string, at: number, len: number, what: string): number => {
      const v = str(k);
      return v !== undefined ? parseDecimal(v, k, hoff) : parseNumber(h.subarray(at, at + len), what, hoff);
    };
    const mtimeStr = str('mtime');
    const entry: TarEntry = {
      name,
      type,
      mode: parseNumber(h.subarray(100, 108), 'mode', hoff) & 0o7777,
      uid: num('uid', 108, 8, 'uid'),
      gid: num('gid', 116, 8, 'gid'),
      mtime: mtimeStr !== undefined ? parsePaxTime(mtimeStr, hoff)
        : { sec: parseNumber(h.subarray(136, 148), 'mtime', hoff, true), nsec: 0 },
      linkname: type === 'hardlink' || type === 'symlink' ? linkname : '',
      devmajor: 0,
      devminor: 0,
      data: type === 'file' ? data : data.subarray(0, 0),
      offset: entryStart,
    };
    if (type === 'chardev' || type === 'blockdev') {
      entry.devmajor = num('SCHILY.devmajor', 329, 8, 'devmajor');
      entry.devminor = num('SCHILY.devminor', 337, 8, 'devminor');
    }
    if (entry.name === '') throw new TarError('TAR_ERR_FORMAT', 'entry without a name', hoff);
    if (++count > maxEntries) throw new TarError('TAR_ERR_LIMIT', `more than ${maxEntries} entries`, hoff);
    pax = null; longName = null; longLink = null; entryStart = -1;
    yield entry;
  }
}

function headerType(tf: number, off: number): TarType {
  switch (tf) {
    case 0: case 0x30: case 0x37: return 'file'; // '\0' (pre-POSIX), '0', '7' (contiguous)
    case 0x31: return 'hardlink';
    case 0x32: return 'symlink';
    case 0x33: return 'chardev';
    case 0x34: return 'blockdev';
    case 0x35: return 'dir';
    case 0x36: return 'fifo';
    case 0x53: throw new TarError('TAR_ERR_UNSUPPORTED', 'GNU sparse file', off);
    case 0x4d: throw new TarError('TAR_ERR_UNSUPPORTED', 'multi-volume continuation', off);
    case 0x44: throw new TarError('TAR_ERR_UNSUPPORTED', 'GNU dump directory', off);
    default: {
      const c = tf >= 0x20 && tf < 0x7f ? `'${String.fromCharCode(tf)}'` : `0x${tf.toString(16)}`;
      throw new TarError('TAR_ERR_UNSUPPORTED', `unknown entry type ${c}`, off);
    }
  }
}
