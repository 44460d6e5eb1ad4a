// Saved snapshots of the sandbox's writable layer, in the browser's IndexedDB (through idb): the page's
// "Save snapshot" puts the tar the kernel exported here, and a later visit lists them and restores one.
// The sandbox itself stays ephemeral: nothing is saved unless the user asks. Page-side (STYLE.md: host/ is
// where IndexedDB is touched); the bytes are stored as a Blob, which IndexedDB keeps outside the JS heap.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export interface SnapshotMeta {
  id: number;
  name: string;
  /** ms since the epoch. */
  createdAt: number;
  size: number;
}

interface Schema extends DBSchema {
  snapshots: { key: number; value: SnapshotMeta & { tar: Blob } ; indexes: { createdAt: number } };
}

const DB = 'wasmux';

export class SnapshotStore {
  private db: Promise<IDBPDatabase<Schema>> | null = null;

  private open(): Promise<IDBPDatabase<Schema>> {
    this.db ??= openDB<Schema>(DB, 1, {
      upgrade(db) {
        const s = db.createObjectStore('snapshots', { keyPath: 'id', autoIncrement: true });
        s.createIndex('createdAt', 'createdAt');
      },
    });
    return this.db;
  }

  /** Newest first, without the bytes. */
  async list(): Promise<SnapshotMeta[]> {
    const all = await (await this.open()).getAllFromIndex('snapshots', 'createdAt');
    return all.reverse().map(({ id, name, createdAt, size }) => ({ id, name, createdAt, size }));
  }

  async save(name: string, tar: Uint8Array): Promise<SnapshotMeta> {
    const createdAt = Date.now();
    const rec = { name, createdAt, size: tar.byteLength, tar: new Blob([tar as Uint8Array<ArrayBuffer>], { type: 'application/x-tar' }) };
    const id = await (await this.open()).add('snapshots', rec as SnapshotMeta & { tar: Blob });
    return { id, name, createdAt, size: tar.byteLength };
  }

  async load(id: number): Promise<Uint8Array> {
    const rec = await (await this.open()).get('snapshots', id);
    if (!rec) throw new Error(`no snapshot ${id}`);
    return new Uint8Array(await rec.tar.arrayBuffer());
  }

  async remove(id: number): Promise<void> {
    await (await this.open()).delete('snapshots', id);
  }
}
