// FsClient: the file service client, the way the IDE's file explorer and editor reach the sandbox's files.
// It speaks docs/design/fs-protocol.md to fsd over any duplex byte stream: a HostStream from
// kernel.net.exposures.connect('unix:/run/wasmux/fs.sock') in the kernel's thread, a node:net socket in
// tests, or later a MessagePort-backed stream in the page. No DOM or Node APIs here.
//
// Every method sends one request (or, for readdir/readFile/writeFile, a few) and returns a promise; requests
// carry ids, so calls made without awaiting are pipelined and answered in order. Large files move in
// MAX_DATA chunks with a bounded number of chunks in flight (the server also stops reading a client whose
// replies pile up), so neither side buffers a whole large file twice.
import { FsError, serverError } from './errors.js';
import {
  EVENT, FieldReader, FrameDecoder, FrameWriter, MAX_DATA, MAX_PATH, MkdirFlag, Op, OP_NAMES, REPLY,
  RenameFlag, ReplyFlag, RmdirFlag, StatFlag, VERSION, WireError, WriteFlag, Feature, readEvent, readStat, utf8,
  type Frame, type FsDirent, type FsEvent, type FsStat,
} from './wire.js';

/**
 * The byte stream FsClient needs. HostStream (runtime/kernel/net/exposure.ts) fits as is. write() may
 * buffer; its result is ignored (the client bounds what it has in flight itself).
 */
export interface FsStream {
  write(data: Uint8Array): unknown;
  onData(cb: (data: Uint8Array) => void): void;
  /** The stream is finished (`error` set for a reset). */
  onClose(cb: (error?: string) => void): void;
  /** Optional: the server half-closed; it will answer nothing more. */
  onEnd?(cb: () => void): void;
  close(): void;
}

export interface FsClientOptions {
  /** Bytes per READ/WRITE request of readFile/writeFile (at most MAX_DATA). */
  chunkSize?: number;
  /** Chunk requests in flight per readFile/writeFile. */
  window?: number;
}

export interface ServerInfo { version: number; maxPayload: number; maxData: number; watch: boolean }

export interface WriteOptions {
  /** Byte offset (single write() only). */
  offset?: number;
  create?: boolean;
  truncate?: boolean;
  exclusive?: boolean;
  /** Replace the file through a temporary file and rename: readers never see a partial file. */
  atomic?: boolean;
  /** Permissions of a new file (applied exactly; default 0o644). An existing file keeps its own. */
  mode?: number;
}

export interface WriteFileOptions { mode?: number; atomic?: boolean; create?: boolean; exclusive?: boolean }

export interface FsWatch {
  readonly id: number;
  readonly path: string;
  /** Stop the watch (UNWATCH); no callback runs after this is called. */
  close(): Promise<void>;
}

interface Pending {
  op: number;
  path: string;
  resolve(f: Frame): void;
  reject(e: Error): void;
}

const errMsg = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class FsClient {
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<number, Pending>();
  private readonly watches = new Map<number, (ev: FsEvent) => void>();
  private readonly closeCbs: ((reason: FsError) => void)[] = [];
  private nextId = 1;
  private closedWith: FsError | null = null;
  private readonly chunk: number;
  private readonly window: number;

  constructor(private readonly stream: FsStream, opts: FsClientOptions = {}) {
    this.chunk = Math.max(1, Math.min(opts.chunkSize ?? MAX_DATA, MAX_DATA));
    this.window = Math.max(1, opts.window ?? 4);
    stream.onData((d) => this.receive(d));
    stream.onEnd?.(() => this.shutdown(new FsError('FS_ERR_CLOSED', 'the file service closed the connection')));
    stream.onClose((err) => this.shutdown(new FsError('FS_ERR_CLOSED', `the file service connection closed${err ? `: ${err}` : ''}`)));
  }

  /** Why the client stopped, or null while it works. */
  get closed(): FsError | null { return this.closedWith; }

  /** Called once when the connection ends (every pending call has been rejected by then). */
  onClose(cb: (reason: FsError) => void): void {
    if (this.closedWith) cb(this.closedWith); else this.closeCbs.push(cb);
  }

  close(): void {
    this.shutdown(new FsError('FS_ERR_CLOSED', 'the client was closed'));
  }

  // ---- operations ----

  async hello(): Promise<ServerInfo> {
    return this.call(Op.HELLO, 0, '', (w) => w.u32(VERSION), (r) => {
      const version = r.u32(), maxPayload = r.u32(), maxData = r.u32(), features = r.u32();
      return { version, maxPayload, maxData, watch: (features & Feature.WATCH) !== 0 };
    });
  }

  /** stat(2): follows symlinks. */
  stat(path: string): Promise<FsStat> { return this.statOp(path, 0); }
  /** lstat(2): a symlink itself; `target` tells what it points to. */
  lstat(path: string): Promise<FsStat> { return this.statOp(path, StatFlag.NOFOLLOW); }

  private async statOp(path: string, flags: number): Promise<FsStat> {
    const p = this.path(path, 'stat');
    return this.call(Op.STAT, flags, path, (w) => w.str(p), readStat);
  }

  /** Every entry but . and .., each with its lstat; one round trip unless the directory is very large. */
  async readdir(path: string): Promise<FsDirent[]> {
    const p = this.path(path, 'readdir');
    const out: FsDirent[] = [];
    for (let start = 0; ;) {
      const page = await this.call(Op.READDIR, 0, path, (w) => w.u32(start).str(p), (r, f) => {
        const count = r.u32(), next = r.u32();
        for (let i = 0; i < count; i++) {
          const name = r.str();
          out.push({ name, ...readStat(r) });
        }
        const more = (f.flags & ReplyFlag.MORE) !== 0;
        if (more && next <= start) throw new WireError('readdir did not advance');
        return more ? next : -1;
      });
      if (page < 0) return out;
      start = page;
    }
  }

  /** One chunk: up to `length` bytes (at most MAX_DATA) from `offset`; shorter only at end of file. */
  async read(path: string, offset = 0, length = MAX_DATA): Promise<{ data: Uint8Array; stat: FsStat }> {
    const p = this.path(path, 'read');
    return this.call(Op.READ, 0, path, (w) => w.u64(offset).u32(Math.min(length, MAX_DATA)).str(p),
      (r) => ({ stat: readStat(r), data: r.rest() }));
  }

  /** The whole file, read in chunks (several in flight). Retries when the file changes meanwhile. */
  async readFile(path: string): Promise<Uint8Array> {
    const ch = this.chunk;
    for (let attempt = 0; ; attempt++) {
      const first = await this.read(path, 0, ch);
      if (first.data.length < ch) return first.data;
      const size = first.stat.size;
      const n = size > ch ? Math.ceil((size - ch) / ch) : 0;
      const parts: Uint8Array[] = [first.data];
      let changed = false;
      await this.windowed(n, async (i) => {
        const c = await this.read(path, (i + 1) * ch, ch);
        if (c.stat.mtimeNs !== first.stat.mtimeNs || c.stat.size !== size) changed = true;
        parts[i + 1] = c.data;
      });
      let total = parts.reduce((a, b) => a + b.length, 0);
      // A file longer than its size said (growing, or reporting no size as /proc files do): read on.
      for (let last = parts[parts.length - 1]!; !changed && last.length === ch;) {
        const c = await this.read(path, total, ch);
        last = c.data;
        if (last.length) { parts.push(last); total += last.length; }
      }
      if (!changed) changed = parts.slice(0, -1).some((b) => b.length !== ch);
      if (!changed) return concat(parts, total);
      if (attempt === 2) throw new FsError('FS_ERR_CHANGED', `readFile '${path}': the file kept changing while it was read`, 0, path, 'read');
    }
  }

  /** One WRITE request (data of at most MAX_DATA bytes); returns the file's stat after the write. */
  async write(path: string, data: Uint8Array, o: WriteOptions = {}): Promise<FsStat> {
    const p = this.path(path, 'write');
    if (data.length > MAX_DATA) throw new FsError('FS_ERR_TOO_LARGE', `write '${path}': ${data.length} bytes in one request (max ${MAX_DATA}; use writeFile)`, 0, path, 'write');
    const flags = (o.create ? WriteFlag.CREATE : 0) | (o.truncate ? WriteFlag.TRUNC : 0) |
      (o.exclusive ? WriteFlag.EXCL : 0) | (o.atomic ? WriteFlag.ATOMIC : 0);
    return this.call(Op.WRITE, flags, path, (w) => w.u64(o.offset ?? 0).u32(o.mode ?? 0o644).str(p).bytes(data),
      readStat, data.length + p.length + 16);
  }

  /**
   * Create or replace a whole file. Atomic by default: up to one chunk is one atomic WRITE; larger files
   * are written to a temporary name in the same directory (".<name>.fsd-<random>.part") and renamed over
   * the file, so readers see the old or the new content. A symlink is written through, non-atomically.
   */
  async writeFile(path: string, data: Uint8Array, o: WriteFileOptions = {}): Promise<FsStat> {
    const create = o.create ?? true, atomic = o.atomic ?? true, exclusive = o.exclusive ?? false;
    const ch = this.chunk;
    if (data.length <= ch) return this.write(path, data, { create, truncate: true, exclusive, atomic, mode: o.mode });
    let target = path, mode = o.mode ?? 0o644;
    if (atomic) {
      const lst = await this.lstat(path).catch((e: unknown) => { if (e instanceof FsError && e.code === 'FS_ERR_ENOENT') return null; throw e; });
      if (lst && exclusive) throw serverError('write', 17, 'EEXIST', path);
      if (!lst && !create) throw serverError('write', 2, 'ENOENT', path);
      if (lst?.type === 'dir') throw serverError('write', 21, 'EISDIR', path);
      if (lst && lst.type !== 'symlink') mode = lst.perm;
      if (lst?.type !== 'symlink') {
        const slash = path.lastIndexOf('/');
        target = `${path.slice(0, slash + 1)}.${path.slice(slash + 1).slice(0, 200)}.fsd-${randomHex()}.part`;
      }
    }
    const tmp = target !== path;
    try {
      let last = await this.write(target, data.subarray(0, ch), { create: create || tmp, truncate: true, exclusive: exclusive || tmp, mode });
      const n = Math.ceil((data.length - ch) / ch);
      await this.windowed(n, async (i) => {
        const off = (i + 1) * ch;
        const st = await this.write(target, data.subarray(off, off + ch), { offset: off });
        if (i === n - 1) last = st;
      });
      if (!tmp) return last;
      await this.rename(target, path);
      return { ...last };
    } catch (e) {
      if (tmp) await this.unlink(target).catch(() => undefined);
      throw e;
    }
  }

  async mkdir(path: string, o: { parents?: boolean; mode?: number } = {}): Promise<void> {
    const p = this.path(path, 'mkdir');
    await this.call(Op.MKDIR, o.parents ? MkdirFlag.PARENTS : 0, path, (w) => w.u32(o.mode ?? 0o755).str(p), none);
  }

  /** rename(2): moves files and directories; with noReplace, fails with EEXIST instead of replacing. */
  async rename(from: string, to: string, o: { noReplace?: boolean } = {}): Promise<void> {
    const a = this.path(from, 'rename'), b = this.path(to, 'rename');
    await this.call(Op.RENAME, o.noReplace ? RenameFlag.NOREPLACE : 0, from, (w) => w.str(a).str(b), none);
  }

  async unlink(path: string): Promise<void> {
    const p = this.path(path, 'unlink');
    await this.call(Op.UNLINK, 0, path, (w) => w.str(p), none);
  }

  /** rmdir(2); with recursive, the directory and everything in it (symlinks are removed, not followed). */
  async rmdir(path: string, o: { recursive?: boolean } = {}): Promise<void> {
    const p = this.path(path, 'rmdir');
    await this.call(Op.RMDIR, o.recursive ? RmdirFlag.RECURSIVE : 0, path, (w) => w.str(p), none);
  }

  /** Create `path` as a symlink to `target`. */
  async symlink(target: string, path: string): Promise<void> {
    const t = this.path(target, 'symlink'), p = this.path(path, 'symlink');
    await this.call(Op.SYMLINK, 0, path, (w) => w.str(t).str(p), none);
  }

  async readlink(path: string): Promise<string> {
    const p = this.path(path, 'readlink');
    return this.call(Op.READLINK, 0, path, (w) => w.str(p), (r) => r.str());
  }

  async chmod(path: string, mode: number): Promise<void> {
    const p = this.path(path, 'chmod');
    await this.call(Op.CHMOD, 0, path, (w) => w.u32(mode).str(p), none);
  }

  /**
   * Watch a directory (events about its entries) or a file (events about itself). Callbacks run in
   * stream order. Needs inotify in the kernel: FS_ERR_ENOSYS where there is none.
   */
  async watch(path: string, cb: (ev: FsEvent) => void): Promise<FsWatch> {
    const p = this.path(path, 'watch');
    const id = this.allocId();
    this.watches.set(id, cb);
    try {
      await this.call(Op.WATCH, 0, path, (w) => w.str(p), none, 0, id);
    } catch (e) {
      this.watches.delete(id);
      throw e;
    }
    return {
      id, path,
      close: async () => {
        if (!this.watches.delete(id)) return;
        await this.call(Op.UNWATCH, 0, path, (w) => w.u32(id), none);
      },
    };
  }

  // ---- plumbing ----

  private path(s: string, op: string): Uint8Array {
    const b = utf8(s);
    if (b.length > MAX_PATH) throw new FsError('FS_ERR_ENAMETOOLONG', `ENAMETOOLONG: ${op} (path of ${b.length} bytes)`, 36, s, op);
    return b;
  }

  private allocId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
      if (!this.pending.has(id) && !this.watches.has(id)) return id;
    }
  }

  /**
   * Send one request. `parse` reads the reply payload when it arrives (in stream order); a reply it cannot
   * read is a protocol error. Error replies reject as FsError.
   */
  private call<T>(op: number, flags: number, path: string, fill: (w: FrameWriter) => void,
    parse: (r: FieldReader, f: Frame) => T, sizeHint = 0, id = this.allocId()): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const w = new FrameWriter(sizeHint || path.length * 3 + 32);
    fill(w);
    const frame = w.finish(op, flags, id);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {
        op, path, reject,
        resolve: (f) => {
          const r = new FieldReader(f.payload);
          const v = parse(r, f);
          r.end();
          resolve(v);
        },
      });
      this.stream.write(frame);
    });
  }

  private async windowed(count: number, fn: (i: number) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => { while (next < count) await fn(next++); };
    await Promise.all(Array.from({ length: Math.min(this.window, count) }, worker));
  }

  private receive(chunk: Uint8Array): void {
    if (this.closedWith) return;
    const frames = this.decoder.push(chunk);
    for (const f of frames) {
      if (this.closedWith) return;
      try { this.dispatch(f); } catch (e) { this.protocolError(errMsg(e)); return; }
    }
    if (this.decoder.error) this.protocolError(this.decoder.error);
  }

  private dispatch(f: Frame): void {
    if (f.type === EVENT) {
      const cb = this.watches.get(f.id);
      if (!cb) return;   // events already on their way when the watch was closed
      const ev = readEvent(new FieldReader(f.payload));
      if (ev.type === 'gone') this.watches.delete(f.id);
      cb(ev);
      return;
    }
    const p = this.pending.get(f.id);
    const op = f.type - REPLY;
    if (!p || p.op !== op) throw new WireError(`reply ${OP_NAMES[op] ?? op} for request ${f.id} that is not pending`);
    this.pending.delete(f.id);
    if (f.flags & ReplyFlag.ERROR) {
      const r = new FieldReader(f.payload);
      const errno = r.u32(), name = r.str(), path = r.str();
      r.end();
      p.reject(serverError(OP_NAMES[op] ?? String(op), errno, name, path || p.path));
      return;
    }
    try { p.resolve(f); } catch (e) { p.reject(this.protocolError(errMsg(e))); }
  }

  private protocolError(message: string): FsError {
    const e = new FsError('FS_ERR_PROTOCOL', `file service protocol error: ${message}`);
    this.shutdown(e);
    return e;
  }

  private shutdown(reason: FsError): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    this.watches.clear();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(reason);
    try { this.stream.close(); } catch { /* already closed */ }
    for (const cb of this.closeCbs.splice(0)) {
      try { cb(reason); } catch { /* a listener's bug is not the client's */ }
    }
  }
}

const none = (): void => undefined;

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

function randomHex(): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0');
  return s;
}
