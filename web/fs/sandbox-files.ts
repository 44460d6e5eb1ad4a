// The page's access to the sandbox's files: the file service (fsd, docs/design/fs-protocol.md) inside the
// sandbox, reached like any client through a byte stream to its UNIX socket (runtime/protocol/stream). One
// connection per page, shared by the explorer and the editor; it reconnects when the service restarts and
// re-establishes the directory watches. It is also the editor's FileAccess.
import { FsClient, type FsWatch } from '../../runtime/protocol/fs/client.js';
import type { FsDirent, FsEvent, FsStat } from '../../runtime/protocol/fs/wire.js';
import type { SandboxClient } from '../../runtime/host/browser/client.js';
import type { FileAccess, FileContents, FileStamp } from '../components/editor/file-access.js';

/** Where the kernel's worker starts fsd (runtime/host/browser/kernel-worker.ts). */
export const FS_POINT = 'unix:/run/wasmux/fs.sock';

export type { FsDirent, FsEvent, FsStat };

interface Watcher { cb: (ev: FsEvent) => void }
interface DirWatch { watchers: Set<Watcher>; handle: FsWatch | null }

export class SandboxFiles implements FileAccess {
  private current: Promise<FsClient> | null = null;
  private readonly dirs = new Map<string, DirWatch>();

  constructor(private readonly sandbox: SandboxClient) {}

  /** The connected client; connects (waiting up to about 10 s for the service to listen) when needed. */
  client(): Promise<FsClient> {
    this.current ??= this.connect().catch((e: unknown) => { this.current = null; throw e; });
    return this.current;
  }

  private async connect(): Promise<FsClient> {
    let last: unknown = null;
    for (let attempt = 0; attempt < 40; attempt++) {
      const stream = this.sandbox.connect(FS_POINT);
      try {
        await stream.opened;
      } catch (e) {
        last = e;
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      const c = new FsClient(stream);
      await c.hello();
      c.onClose(() => {
        if (this.current) void this.current.then((x) => { if (x === c) this.current = null; }, () => {});
        for (const d of this.dirs.values()) d.handle = null;
        // Re-establish the watches on a new connection (fsd restarted), if anyone still listens.
        if (this.dirs.size > 0) setTimeout(() => void this.rewatch(), 500);
      });
      return c;
    }
    throw new Error(`the file service does not answer (${(last as Error | null)?.message ?? 'no connection'})`);
  }

  async read(path: string): Promise<FileContents> {
    const c = await this.client();
    const st = await c.stat(path);
    const data = await c.readFile(path);
    return { data, mtimeMs: st.mtimeMs, size: data.length };
  }

  async write(path: string, data: Uint8Array): Promise<FileStamp> {
    const c = await this.client();
    const st = await c.writeFile(path, data);
    return { mtimeMs: st.mtimeMs, size: st.size };
  }

  /** Calls `cb` for every change in directory `dir` until the returned function is called. */
  watchDir(dir: string, cb: (ev: FsEvent) => void): () => void {
    let d = this.dirs.get(dir);
    if (!d) { d = { watchers: new Set(), handle: null }; this.dirs.set(dir, d); }
    const w: Watcher = { cb };
    d.watchers.add(w);
    if (d.watchers.size === 1) void this.startWatch(dir, d);
    return () => {
      const x = this.dirs.get(dir);
      if (!x || !x.watchers.delete(w) || x.watchers.size > 0) return;
      this.dirs.delete(dir);
      void x.handle?.close().catch(() => {});
    };
  }

  private async startWatch(dir: string, d: DirWatch): Promise<void> {
    try {
      const c = await this.client();
      const h = await c.watch(dir, (ev) => { for (const w of [...d.watchers]) w.cb(ev); });
      if (this.dirs.get(dir) !== d) { void h.close().catch(() => {}); return; }
      d.handle = h;
    } catch { /* the directory is gone, or no inotify: the explorer still refreshes on its own actions */ }
  }

  private async rewatch(): Promise<void> {
    for (const [dir, d] of this.dirs) {
      if (d.handle) continue;
      await this.startWatch(dir, d);
      // Things changed while nobody watched: tell the listeners to look again.
      for (const w of [...d.watchers]) w.cb({ type: 'overflow', name: '', isDir: false, cookie: 0, mask: 0 });
    }
  }
}
