// Snapshots of the root filesystem's writable layer, for the browser IDE: save to IndexedDB and restore on
// a later visit, export/import as a .tar file, reset (boot without one). No Linux counterpart; the format
// is an OCI image layer (opencontainers image-spec, layer.md): a POSIX tar (fs/tar.ts) of what differs
// from the read-only image, a deleted image name as an empty ".wh.<name>" entry and a directory that hides
// the image's contents as a dir entry plus "<dir>/.wh..wh..opq". Design, limits, numbers:
// docs/design/snapshots.md.
//
// Export. The overlay (overlay.ts) keeps one merged tree, not two layers, so the layer is computed by
// walking the merged tree beside the image, path by path: a name the image lacks is new; an image name
// whose node is not the image's node at that path (another inode, copied-up data, changed mode, owner or
// mtime) is changed; an image name missing from a materialized directory is a whiteout; a directory that
// is not the image directory of its path (re-created, or another one moved there) is opaque and saved
// whole. Directories on the way to a saved entry are saved too (with their attributes), so the archive
// extracts anywhere. Entries are in pre-order with names sorted by bytes, so the same state gives the
// same bytes; the second and later names of an inode are tar hard links to the first, and when one name
// of a multiply-linked inode is saved, all of its names are. Mount points (/dev, /proc) are not crossed;
// sockets are skipped (they are endpoints of processes, which a snapshot does not keep).
//
// Import. A snapshot is applied to a freshly booted kernel before anything runs, all or nothing:
//   1. parse: decode and check the whole archive and build a plan, a tree keyed by path (later entries
//      replace earlier ones, as tar extraction does); names are checked (no "..", no absolute paths,
//      no NUL, NAME_MAX, depth) and nothing is ever written through a symlink or a non-directory;
//   2. resolve: place the plan on the tree and allocate every new node with its data, charged to the
//      sandbox's memory; the only step that can run out of memory. On any failure the new nodes are
//      freed and the tree has not been touched;
//   3. link: remove whited-out and replaced names, insert the new nodes, set directory attributes. Plain
//      map operations that cannot fail.
// Whiteouts apply to what is below the layer only (an entry and a whiteout of the same name give the
// entry), as the OCI spec says; whiteouts of names that do not exist are ignored. Archives written by
// other tools (GNU tar, BusyBox tar) import as plain files over the image.
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT, S_IFSOCK } from '../../abi/fcntl.js';
import { ENOMEM, ENOSPC, EFBIG } from '../../abi/errno.js';
import { byteLength, encodeBytes } from '../../lib/bytestring.js';
import { isErrno } from '../errors.js';
import { compareBytes, ROOT_INO, type Image, type ImageInode } from './image.js';
import { DirInode, Inode, LnkInode, SpecialInode, type SuperBlock } from './inode.js';
import { OverlayDir } from './overlay.js';
import { major, makedev, minor } from './stat.js';
import { readTar, TarError, TarWriter, type TarEntry, type TarHeader } from '../../lib/tar.js';
import { MAX_BUFFER, RegInode } from './tmpfs.js';
import type { Vfs } from './vfs.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
/** The pax global header "comment" every exported layer starts with. */
export const LAYER_COMMENT = 'wasmux layer';
const NAME_MAX = 255, PATH_MAX = 4096;
/**
 * Deepest path and longest archive name. Deeper than PATH_MAX allows, because a tree can be built deeper
 * with relative names; bounded so that both walks (recursive) stay far from the stack limit. Export
 * refuses a tree it could not import back.
 */
const MAX_DEPTH = 1024, MAX_NAME_BYTES = 65536;

export type SnapshotErrorCode =
  /** Not a well-formed tar: checksum, truncation, bad numbers or pax records, impossible entries. */
  | 'SNAPSHOT_ERR_CORRUPT'
  /** A name that would leave the root or write through a symlink/non-directory, or replace a mount point. */
  | 'SNAPSHOT_ERR_UNSAFE'
  /** Over a size or count limit (file, archive, entries, name length). */
  | 'SNAPSHOT_ERR_TOO_LARGE'
  /** A tar feature a layer cannot hold faithfully (sparse files, multi-volume archives). */
  | 'SNAPSHOT_ERR_UNSUPPORTED'
  /** The sandbox's memory limit does not leave room for the snapshot. */
  | 'SNAPSHOT_ERR_NOSPC';

/** What export and import raise; crosses worker boundaries as {name, message, code}. */
export class SnapshotError extends Error {
  constructor(readonly code: SnapshotErrorCode, message: string, options?: { cause?: unknown }) {
    super(`snapshot: ${message}`, options);
    this.name = 'SnapshotError';
  }
}

const TAR_CODES: Record<TarError['code'], SnapshotErrorCode> = {
  TAR_ERR_CHECKSUM: 'SNAPSHOT_ERR_CORRUPT', TAR_ERR_TRUNCATED: 'SNAPSHOT_ERR_CORRUPT',
  TAR_ERR_FORMAT: 'SNAPSHOT_ERR_CORRUPT', TAR_ERR_LIMIT: 'SNAPSHOT_ERR_TOO_LARGE',
  TAR_ERR_UNSUPPORTED: 'SNAPSHOT_ERR_UNSUPPORTED',
};

function wrap(e: unknown): unknown {
  if (e instanceof SnapshotError) return e;
  if (e instanceof TarError) return new SnapshotError(TAR_CODES[e.code], e.message, { cause: e });
  if (isErrno(e) && (e.errno === ENOSPC || e.errno === ENOMEM)) {
    return new SnapshotError('SNAPSHOT_ERR_NOSPC', 'not enough sandbox memory for the snapshot', { cause: e });
  }
  if (isErrno(e) && e.errno === EFBIG) return new SnapshotError('SNAPSHOT_ERR_TOO_LARGE', 'file too large', { cause: e });
  return e; // anything else is a kernel bug: let it surface as is
}

/** A name for messages: quoted, control characters escaped, cut at 200 characters. */
function show(s: string): string {
  return `'${JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}...` : s).slice(1, -1)}'`;
}

function sameAttrs(n: Inode, i: ImageInode): boolean {
  return n.mode === i.mode && n.uid === i.uid && n.gid === i.gid && n.mtime.sec === i.mtime.sec
    && n.mtime.nsec === i.mtime.nsec;
}

/** The entries of a directory; an image directory not yet materialized is listed from the image. */
function listDir(dir: DirInode): [string, Inode][] {
  const out: [string, Inode][] = [];
  if (dir instanceof OverlayDir && !dir.materialized) {
    for (const { name } of dir.osb.image.entries(dir.lowerIno)) out.push([name, dir.lookup(name)!]);
  } else {
    for (const [name, d] of dir.iterate()) out.push([name, d.node]);
  }
  return out;
}

function byName<T extends { key: Uint8Array }>(a: T, b: T): number { return compareBytes(a.key, b.key); }

// ---------------------------------------------------------------------------------------------------
// Export

export interface ExportOptions {
  /** Largest archive (default 2 GiB): SNAPSHOT_ERR_TOO_LARGE past it. */
  maxBytes?: number;
  /** Told about each name not saved (sockets, names reserved for whiteouts). */
  onSkip?: (path: string, reason: string) => void;
}

type Rec =
  | { k: 'dir'; key: Uint8Array; path: string; node: DirInode; self: boolean; kids: Rec[] }
  | { k: 'leaf'; key: Uint8Array; path: string; node: Inode; changed: boolean }
  | { k: 'wh'; key: Uint8Array; path: string };

class LayerDiff {
  private readonly image: Image;
  private readonly sb: SuperBlock;
  /** Inodes with several names of which at least one is saved: all their names are saved. */
  private readonly linked = new Set<Inode>();
  /** First saved name of each inode with several names: later names become hard links to it. */
  private readonly first = new Map<Inode, string>();

  constructor(private readonly vfs: Vfs, private readonly opts: ExportOptions) {
    this.image = vfs.image;
    this.sb = vfs.root.sb;
  }

  write(w: TarWriter): void {
    const root = this.vfs.root;
    w.addGlobal([['comment', `${LAYER_COMMENT} image=${this.image.id}`]]);
    const rootRec: Rec = {
      k: 'dir', key: new Uint8Array(0), path: '.', node: root,
      self: !sameAttrs(root, this.image.inode(ROOT_INO)), kids: this.walk(root, ROOT_INO, ''),
    };
    const kept = this.prune(rootRec);
    if (kept) this.emit(kept, w);
  }

  /** Records of the entries of `dir` (sorted); `base` is the image directory showing through it, or 0. */
  private walk(dir: DirInode, base: number, prefix: string, depth = 1): Rec[] {
    if (depth > MAX_DEPTH || prefix.length > MAX_NAME_BYTES) {
      throw new SnapshotError('SNAPSHOT_ERR_TOO_LARGE', `the tree is deeper than ${MAX_DEPTH} levels at ${show(prefix)}`);
    }
    const recs: Rec[] = [];
    const seen = base ? new Set<string>() : null;
    const whiteout = (name: string): void => {
      const n = WHITEOUT_PREFIX + name;
      recs.push({ k: 'wh', key: encodeBytes(n), path: prefix + n });
    };
    for (const [name, node] of listDir(dir)) {
      seen?.add(name);
      const path = prefix + name;
      const key = encodeBytes(name);
      if (name.startsWith(WHITEOUT_PREFIX)) { this.opts.onSkip?.(path, 'name reserved for whiteouts'); continue; }
      const lowerIno = base ? this.image.lookup(base, name) : 0;
      const lower = lowerIno ? this.image.inode(lowerIno) : null;
      if (node instanceof DirInode) {
        if (node.mounted || node.sb !== this.sb) continue; // a mount point (/dev, /proc): not saved
        const lowerDir = lower !== null && (lower.mode & S_IFMT) === S_IFDIR;
        const same = lowerDir && node instanceof OverlayDir && node.lowerIno === lowerIno;
        const kids = this.walk(node, same ? lowerIno : 0, `${path}/`, depth + 1);
        if (lowerDir && !same) {
          kids.unshift({ k: 'wh', key: encodeBytes(OPAQUE_MARKER), path: `${path}/${OPAQUE_MARKER}` });
          kids.sort(byName);
        }
        recs.push({ k: 'dir', key, path, node, self: !same || !sameAttrs(node, lower!), kids });
      } else if (node.fmt === S_IFSOCK) {
        this.opts.onSkip?.(path, 'socket');
        if (lower) whiteout(name); // the image name it replaced stays deleted
      } else {
        const changed = lower === null || node.ino !== lowerIno || node.sb !== this.sb || !sameAttrs(node, lower)
          || (node instanceof RegInode && !node.lower);
        if (changed && node.nlink > 1) this.linked.add(node);
        recs.push({ k: 'leaf', key, path, node, changed });
      }
    }
    // Names of the image directory missing from the merged one were deleted. An image directory not yet
    // materialized has them all.
    if (seen && !(dir instanceof OverlayDir && !dir.materialized)) {
      for (const { name } of this.image.entries(base)) if (!seen.has(name)) whiteout(name);
    }
    return recs.sort(byName);
  }

  /** The record if it is saved (a directory with only its saved children), else null. */
  private prune(r: Rec): Rec | null {
    switch (r.k) {
      case 'wh': return r;
      case 'leaf': return r.changed || (r.node.nlink > 1 && this.linked.has(r.node)) ? r : null;
      case 'dir': {
        const kids: Rec[] = [];
        for (const k of r.kids) { const p = this.prune(k); if (p) kids.push(p); }
        return r.self || kids.length > 0 ? { ...r, kids } : null;
      }
    }
  }

  private emit(r: Rec, w: TarWriter): void {
    if (r.k === 'wh') {
      w.add({ name: r.path, type: 'file', mode: 0, uid: 0, gid: 0, mtime: { sec: 0, nsec: 0 } });
      return;
    }
    const n = r.node;
    const h: TarHeader = { name: r.path, type: 'file', mode: n.mode & 0o7777, uid: n.uid, gid: n.gid, mtime: n.mtime };
    if (r.k === 'dir') {
      w.add({ ...h, name: `${r.path}/`, type: 'dir' });
      for (const k of r.kids) this.emit(k, w);
      return;
    }
    if (n.nlink > 1) {
      const first = this.first.get(n);
      if (first !== undefined) { w.add({ ...h, type: 'hardlink', linkname: first }); return; }
      this.first.set(n, r.path);
    }
    if (n instanceof RegInode) {
      if (n.size > w.maxBytes - w.size) {
        throw new SnapshotError('SNAPSHOT_ERR_TOO_LARGE', `${show(r.path)} (${n.size} bytes) does not fit in the archive`);
      }
      w.add(h, n.contents());
    } else if (n instanceof LnkInode) {
      w.add({ ...h, type: 'symlink', linkname: n.readlink(null) });
    } else if (n.fmt === S_IFCHR || n.fmt === S_IFBLK) {
      w.add({ ...h, type: n.fmt === S_IFCHR ? 'chardev' : 'blockdev', devmajor: major(n.rdev), devminor: minor(n.rdev) });
    } else if (n.fmt === S_IFIFO) {
      w.add({ ...h, type: 'fifo' });
    } else {
      this.opts.onSkip?.(r.path, 'unsupported file type');
    }
  }
}

function buildLayer(vfs: Vfs, opts: ExportOptions): TarWriter {
  const w = new TarWriter(opts.maxBytes ?? 2 ** 31);
  try {
    new LayerDiff(vfs, opts).write(w);
  } catch (e) {
    throw wrap(e);
  }
  return w;
}

/**
 * The writable layer of `vfs`'s root filesystem as a tar (an OCI layer over the image), as one array.
 * Consistent as of the call: the kernel runs no process while it works.
 */
export function exportSnapshot(vfs: Vfs, opts: ExportOptions = {}): Uint8Array {
  return buildLayer(vfs, opts).finish();
}

/**
 * The same archive as its pieces in order (for `new Blob(chunks)` or a stream), without joining them.
 * File data pieces are views of the files' buffers: consume them before the sandbox runs again.
 */
export function exportSnapshotChunks(vfs: Vfs, opts: ExportOptions = {}): { size: number; chunks: Uint8Array[] } {
  const w = buildLayer(vfs, opts);
  return { size: w.size, chunks: w.chunks() };
}

// ---------------------------------------------------------------------------------------------------
// Import

export interface ImportOptions {
  /** Most archive entries (default 1,000,000). */
  maxEntries?: number;
  /** Largest file (default and at most 2 GiB, the largest tmpfs file buffer). */
  maxFileSize?: number;
  /** Told about each entry not applied (under a mount point, reserved names). */
  onSkip?: (path: string, reason: string) => void;
}

export interface ImportStats {
  entries: number;
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  /** FIFOs and device nodes. */
  special: number;
  whiteouts: number;
  opaque: number;
  /** Bytes of file data. */
  bytes: number;
  skipped: number;
  /** The image id recorded by the exporting kernel (null for archives from other tools). */
  imageId: string | null;
}

interface PlanDir {
  k: 'dir';
  /** The directory's own entry; null when only implied by the names below it. */
  entry: TarEntry | null;
  opaque: boolean;
  whiteouts: Set<string> | null;
  kids: Map<string, Plan>;
  // Set by resolve:
  target: DirInode | null;
  /** A new directory (nothing of the tree shows through it). */
  fresh: boolean;
  replaces: Inode | undefined;
  skip: boolean;
}

interface PlanLeaf {
  k: 'leaf';
  entry: TarEntry;
  /** Hard link: the target's path components. */
  link: string[] | null;
  // Set by resolve:
  node: Inode | null;
  replaces: Inode | undefined;
  resolving: boolean;
}

type Plan = PlanDir | PlanLeaf;

function newDir(entry: TarEntry | null): PlanDir {
  return {
    k: 'dir', entry, opaque: false, whiteouts: null, kids: new Map(), target: null, fresh: false,
    replaces: undefined, skip: false,
  };
}

function sortedNames(m: Map<string, Plan>): string[] {
  return [...m.keys()].map((n) => ({ n, key: encodeBytes(n) })).sort(byName).map((x) => x.n);
}

class Importer {
  readonly stats: ImportStats = {
    entries: 0, files: 0, dirs: 0, symlinks: 0, hardlinks: 0, special: 0, whiteouts: 0, opaque: 0, bytes: 0,
    skipped: 0, imageId: null,
  };
  private readonly root = newDir(null);
  private readonly sb: SuperBlock;
  /** New nodes, freed if anything fails before they are linked. */
  private readonly allocated: Inode[] = [];
  private readonly links: { leaf: PlanLeaf; dir: DirInode; name: string }[] = [];

  constructor(private readonly vfs: Vfs, private readonly opts: ImportOptions) {
    this.sb = vfs.root.sb;
  }

  // ----- 1. parse -----

  parse(tar: Uint8Array): void {
    const maxEntrySize = Math.min(this.opts.maxFileSize ?? MAX_BUFFER, MAX_BUFFER);
    const onGlobal = (g: Map<string, string>): void => {
      const m = /^wasmux layer image=([0-9a-f]{64})$/.exec(g.get('comment') ?? '');
      if (m) this.stats.imageId = m[1]!;
    };
    for (const e of readTar(tar, { maxEntries: this.opts.maxEntries, maxEntrySize, onGlobal })) {
      this.stats.entries++;
      this.add(e);
    }
  }

  private add(e: TarEntry): void {
    const comps = this.split(e.name, e, 'name');
    if (comps.length === 0) {
      if (e.type !== 'dir') throw corrupt('the root must be a directory', e);
      this.root.entry = e;
      return;
    }
    const name = comps[comps.length - 1]!;
    const parent = this.ensureDir(comps.slice(0, -1), e);
    if (name.startsWith(WHITEOUT_PREFIX)) {
      if (name === OPAQUE_MARKER) {
        parent.opaque = true;
      } else if (name.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) {
        this.skip(e.name, 'reserved whiteout name'); // other ".wh..wh." names are aufs metadata
      } else {
        const victim = name.slice(WHITEOUT_PREFIX.length);
        if (victim === '' || victim === '.' || victim === '..') throw corrupt('bad whiteout name', e);
        (parent.whiteouts ??= new Set()).add(victim);
      }
      return;
    }
    this.check(e);
    const old = parent.kids.get(name);
    if (e.type === 'dir') {
      if (old?.k === 'dir') old.entry = e;
      else parent.kids.set(name, newDir(e));
      return;
    }
    if (old?.k === 'dir' && (old.kids.size > 0 || old.whiteouts || old.opaque)) {
      throw corrupt(`${show(e.name)} replaces a directory the archive fills`, e);
    }
    const link = e.type === 'hardlink' ? this.split(e.linkname, e, 'hard link target') : null;
    parent.kids.set(name, { k: 'leaf', entry: e, link, node: null, replaces: undefined, resolving: false });
  }

  /** Path components of an archive name; no "..", not absolute, no NUL, within the limits above. */
  private split(name: string, e: TarEntry, what: string): string[] {
    if (name.startsWith('/')) throw unsafe(`absolute ${what} ${show(name)}`, e);
    if (name.includes('\0')) throw corrupt(`NUL in ${what} ${show(name)}`, e);
    const comps: string[] = [];
    let bytes = 0;
    for (const c of name.split('/')) {
      if (c === '' || c === '.') continue;
      if (c === '..') throw unsafe(`'..' in ${what} ${show(name)}`, e);
      const n = byteLength(c);
      // A whiteout's own name is 4 bytes longer than the name it deletes.
      if (n > (c.startsWith(WHITEOUT_PREFIX) ? NAME_MAX + WHITEOUT_PREFIX.length : NAME_MAX)) {
        throw tooLarge(`a component of ${what} ${show(name)} is longer than ${NAME_MAX} bytes`, e);
      }
      bytes += n + 1;
      comps.push(c);
    }
    if (bytes > MAX_NAME_BYTES || comps.length > MAX_DEPTH) throw tooLarge(`${what} ${show(name)} is too long or too deep`, e);
    return comps;
  }

  /** The plan directory at `comps`, creating implied ones; a file or link on the way is refused. */
  private ensureDir(comps: string[], e: TarEntry): PlanDir {
    let d = this.root;
    for (const c of comps) {
      if (c.startsWith(WHITEOUT_PREFIX)) throw corrupt(`whiteout name ${show(c)} used as a directory`, e);
      let k = d.kids.get(c);
      if (!k) d.kids.set(c, k = newDir(null));
      if (k.k !== 'dir') throw unsafe(`${show(e.name)} is below ${show(c)}, which the archive makes a non-directory`, e);
      d = k;
    }
    return d;
  }

  /** Checks of one entry that need no tree. */
  private check(e: TarEntry): void {
    if (e.uid > 0xffffffff || e.gid > 0xffffffff) throw corrupt(`bad owner of ${show(e.name)}`, e);
    if (e.type === 'symlink') {
      if (e.linkname === '' || e.linkname.includes('\0')) throw corrupt(`bad symlink target of ${show(e.name)}`, e);
      if (byteLength(e.linkname) >= PATH_MAX) throw tooLarge(`symlink target of ${show(e.name)} too long`, e);
    }
    if ((e.type === 'chardev' || e.type === 'blockdev') && (e.devmajor > 0xfff || e.devminor > 0xfffff)) {
      throw corrupt(`bad device number of ${show(e.name)}`, e);
    }
  }

  // ----- 2. resolve and allocate -----

  resolve(): void {
    if (this.root.opaque) throw unsafe('the archive makes the root directory opaque', null);
    this.rootEntry();
    this.root.target = this.vfs.root;
    this.resolveDir(this.root, this.vfs.root, false, '');
    for (const l of this.links) this.resolveLink(l.leaf);
  }

  private resolveDir(plan: PlanDir, dir: DirInode, fresh: boolean, path: string): void {
    if (!fresh && plan.whiteouts) {
      for (const name of plan.whiteouts) {
        const lower = dir.lookup(name);
        if (lower) this.checkRemovable(lower, path + name);
      }
    }
    for (const name of sortedNames(plan.kids)) {
      const kid = plan.kids.get(name)!;
      const kpath = path + name;
      const lower = !fresh && !plan.whiteouts?.has(name) ? dir.lookup(name) : undefined;
      if (lower instanceof DirInode && lower.mounted) {
        if (kid.k === 'dir' && !kid.opaque) {
          kid.skip = true;
          this.skip(kpath, 'mount point');
          continue;
        }
        throw unsafe(`the archive replaces the mount point /${kpath}`, kid.entry);
      }
      if (lower) kid.replaces = lower;
      if (kid.k === 'dir' && !kid.entry && lower && !(lower instanceof DirInode)) {
        // Only implied by the names below it: tar would write through a symlink here, we refuse.
        throw unsafe(`the archive writes below /${kpath}, which is not a directory`, null);
      }
      if (kid.k === 'dir') {
        if (!kid.opaque && lower instanceof DirInode) {
          kid.target = lower;
          kid.replaces = undefined;
        } else {
          if (lower) this.checkRemovable(lower, kpath);
          const e = kid.entry;
          const d = new DirInode(this.sb, e ? e.mode : 0o755, e?.uid ?? 0, e?.gid ?? 0, dir);
          this.alloc(d); // an implied directory is dated now, as tar does
          kid.target = d;
          kid.fresh = true;
        }
        if (kid.opaque) this.stats.opaque++;
        this.stats.dirs++;
        this.resolveDir(kid, kid.target, kid.fresh, `${kpath}/`);
      } else {
        if (lower) this.checkRemovable(lower, kpath);
        if (kid.link) this.links.push({ leaf: kid, dir, name });
        else kid.node = this.makeNode(kid.entry);
      }
    }
  }

  /** A directory may be replaced or whited out unless a filesystem is mounted in it. */
  private checkRemovable(node: Inode, path: string): void {
    if (!(node instanceof DirInode)) return;
    if (node.mounted) throw unsafe(`the archive removes the mount point /${path}`, null);
    for (const [name, kid] of listDir(node)) if (kid instanceof DirInode) this.checkRemovable(kid, `${path}/${name}`);
  }

  private alloc(n: Inode, extra = 0): void {
    this.allocated.push(n);
    n.charge(extra);
  }

  private makeNode(e: TarEntry): Inode {
    const perm = e.mode & 0o7777;
    let n: Inode;
    switch (e.type) {
      case 'file': {
        const r = new RegInode(this.sb, perm, e.uid, e.gid);
        this.alloc(r);
        if (e.data.length > 0) r.write(e.data, 0);
        this.stats.files++;
        this.stats.bytes += e.data.length;
        n = r;
        break;
      }
      case 'symlink': {
        const l = new LnkInode(this.sb, e.linkname, e.uid, e.gid);
        this.alloc(l, l.size);
        this.stats.symlinks++;
        n = l;
        break;
      }
      default: {
        const fmt = e.type === 'chardev' ? S_IFCHR : e.type === 'blockdev' ? S_IFBLK : S_IFIFO;
        const rdev = fmt === S_IFIFO ? 0 : makedev(e.devmajor, e.devminor);
        n = new SpecialInode(this.sb, fmt | perm, rdev, e.uid, e.gid);
        this.alloc(n);
        this.stats.special++;
      }
    }
    n.mtime = n.atime = e.mtime;
    return n;
  }

  private resolveLink(leaf: PlanLeaf): Inode {
    if (leaf.node) return leaf.node;
    if (leaf.resolving) throw corrupt(`hard link loop at ${show(leaf.entry.name)}`, leaf.entry);
    leaf.resolving = true;
    const t = this.finalLookup(leaf.link!, leaf.entry);
    if (!t) throw corrupt(`hard link target ${show(leaf.entry.linkname)} does not exist`, leaf.entry);
    if (t.isDir) throw unsafe(`hard link to the directory ${show(leaf.entry.linkname)}`, leaf.entry);
    leaf.resolving = false;
    this.stats.hardlinks++;
    return (leaf.node = t);
  }

  /**
   * The node `comps` names once the plan is applied (a new node, or one of the tree). Symlinks are never
   * followed: a hard link names a file, not what a link points to.
   */
  private finalLookup(comps: string[], e: TarEntry): Inode | undefined {
    let plan: PlanDir | null = this.root;
    let dir: DirInode = this.vfs.root;
    let fresh = false;
    if (comps.length === 0) return dir;
    for (let i = 0; i < comps.length; i++) {
      const c = comps[i]!, last = i === comps.length - 1;
      const kid: Plan | undefined = plan?.kids.get(c);
      if (kid) {
        if (kid.k === 'dir') {
          if (kid.skip) throw unsafe(`hard link into the mount point ${show(c)}`, e);
          if (last) return kid.target!;
          plan = kid; dir = kid.target!; fresh = kid.fresh;
          continue;
        }
        if (!last) throw unsafe(`hard link target ${show(e.linkname)} goes through a non-directory`, e);
        return kid.link ? this.resolveLink(kid) : kid.node!;
      }
      if (fresh || plan?.whiteouts?.has(c)) return undefined;
      const lower = dir.lookup(c);
      if (!lower) return undefined;
      if (lower instanceof DirInode && lower.mounted) throw unsafe(`hard link into the mount point ${show(c)}`, e);
      if (last) return lower;
      if (!(lower instanceof DirInode)) throw unsafe(`hard link target ${show(e.linkname)} goes through a non-directory`, e);
      plan = null; dir = lower; fresh = false;
    }
    return undefined;
  }

  /** Free every node allocated so far (resolve failed: nothing was linked). */
  rollback(): void {
    for (const n of this.allocated) {
      n.nlink = 0;
      if (n instanceof RegInode) n.maybeFree(); else n.uncharge();
    }
    this.allocated.length = 0;
  }

  // ----- 3. link -----

  link(): void {
    this.linkDir(this.root, this.vfs.root, false);
    for (const { leaf, dir, name } of this.links) {
      const n = leaf.node!;
      n.nlink++; // before the replaced name goes, so that a file never drops to 0 links on the way
      if (leaf.replaces) this.detach(dir, name, leaf.replaces);
      dir.insert(name, n);
    }
    if (this.root.entry) setAttrs(this.vfs.root, this.root.entry);
  }

  /**
   * The attributes of "./" are applied from our own layers only: a tar of some project directory made
   * elsewhere ("tar -C dir -cf x.tar .") would otherwise give the sandbox's "/" that directory's mode
   * and owner.
   */
  private rootEntry(): void {
    if (this.root.entry && this.stats.imageId === null) {
      this.root.entry = null;
      this.skip('.', 'root attributes of an archive not made by wasmux');
    }
  }

  private linkDir(plan: PlanDir, dir: DirInode, fresh: boolean): void {
    if (!fresh && plan.whiteouts) {
      for (const name of plan.whiteouts) {
        const n = dir.lookup(name);
        if (n) { this.detach(dir, name, n); this.stats.whiteouts++; }
      }
    }
    for (const name of sortedNames(plan.kids)) {
      const kid = plan.kids.get(name)!;
      if (kid.k === 'dir') {
        if (kid.skip) continue;
        const d = kid.target!;
        if (kid.fresh) {
          if (kid.replaces) this.detach(dir, name, kid.replaces);
          dir.insert(name, d);
          dir.nlink++;
        }
        this.linkDir(kid, d, kid.fresh);
        if (kid.entry) setAttrs(d, kid.entry);
      } else if (!kid.link) {
        if (kid.replaces) this.detach(dir, name, kid.replaces);
        dir.insert(name, kid.node!);
      }
    }
  }

  /** Remove a name as unlink/rmdir would (a directory with everything below it). */
  private detach(dir: DirInode, name: string, node: Inode): void {
    dir.remove(name);
    if (node instanceof DirInode) { dir.nlink--; dropTree(node); } else dropLink(node);
  }

  private skip(path: string, reason: string): void {
    this.stats.skipped++;
    this.opts.onSkip?.(path, reason);
  }
}

function dropLink(n: Inode): void {
  n.nlink--;
  if (n instanceof RegInode) n.maybeFree(); else if (n.nlink === 0) n.uncharge();
}

function dropTree(d: DirInode): void {
  for (const [, n] of listDir(d)) if (n instanceof DirInode) dropTree(n); else dropLink(n);
  d.dead = true;
  d.nlink = 0;
  d.uncharge();
}

function setAttrs(n: Inode, e: TarEntry): void {
  n.mode = (n.mode & S_IFMT) | (e.mode & 0o7777);
  n.uid = e.uid;
  n.gid = e.gid;
  n.mtime = n.atime = e.mtime;
}

function where(e: TarEntry | null): string { return e ? ` (entry at byte ${e.offset})` : ''; }
function corrupt(msg: string, e: TarEntry | null): SnapshotError { return new SnapshotError('SNAPSHOT_ERR_CORRUPT', msg + where(e)); }
function unsafe(msg: string, e: TarEntry | null): SnapshotError { return new SnapshotError('SNAPSHOT_ERR_UNSAFE', msg + where(e)); }
function tooLarge(msg: string, e: TarEntry | null): SnapshotError { return new SnapshotError('SNAPSHOT_ERR_TOO_LARGE', msg + where(e)); }

/**
 * Apply a layer (exportSnapshot's output, or any tar) to `vfs`'s root filesystem: all of it, or nothing
 * and a SnapshotError. Meant for a kernel that has just booted (KernelOptions.snapshot): processes, open
 * files and working directories are not looked at.
 */
export function importSnapshot(vfs: Vfs, tar: Uint8Array, opts: ImportOptions = {}): ImportStats {
  const imp = new Importer(vfs, opts);
  try {
    imp.parse(tar);
    imp.resolve();
  } catch (e) {
    imp.rollback();
    throw wrap(e);
  }
  imp.link();
  return imp.stats;
}
