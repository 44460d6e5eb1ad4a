// The root filesystem: a writable in-memory upper layer over the read-only image (cf. fs/overlayfs/).
//
// Instead of two directory trees merged at every lookup, each directory of the merged view is one
// in-memory DirInode that starts as a window on its image directory: lookups binary-search the image
// (no node is built for names never looked up) and the first listing or change "materializes" the
// directory (its entry map is filled from the image, once). After that the map is the merged view:
//   - copy-up of data happens in RegInode (tmpfs.ts) on the first write or truncate; attributes
//     (chmod/chown/utimes) and hard links need no copy because the node already lives in memory, as with
//     overlayfs's metacopy;
//   - a whiteout is the absence of an image name from a materialized map (unlink, rename away);
//   - an opaque directory is a fresh DirInode replacing an image directory (rmdir then mkdir): nothing
//     from the image shows through it;
//   - readdir of a merged directory is iteration of its map.
// Inode numbers: image nodes keep the image inode number (copy-up does not change it, like overlayfs
// with xino); new nodes get numbers above the image's. One st_dev for the whole root filesystem.
import { S_IFMT, S_IFDIR, S_IFLNK, S_IFREG } from '../../abi/fcntl.js';
import type { Image } from './image.js';
import { DirInode, Inode, LnkInode, SpecialInode, SuperBlock, type Dirent } from './inode.js';
import { OVERLAYFS_SUPER_MAGIC, RegInode } from './tmpfs.js';

export class OverlaySuper extends SuperBlock {
  /** Image inode number -> its node, so that hard links in the image share one node. */
  private readonly nodes = new Map<number, Inode>();

  constructor(readonly image: Image, dev: number, mntId: number, charge?: (delta: number) => void) {
    super(dev, 'overlay', OVERLAYFS_SUPER_MAGIC, mntId, charge, image.inodeCount + 1);
  }

  /** The node of image inode `ino` (built on first use). */
  node(ino: number, parent: DirInode | undefined, name = '/'): Inode {
    let n = this.nodes.get(ino);
    if (n) return n;
    const i = this.image.inode(ino);
    switch (i.mode & S_IFMT) {
      case S_IFDIR:
        n = new OverlayDir(this, i.mode, i.uid, i.gid, ino, parent);
        (n as OverlayDir).name = name;
        break;
      case S_IFREG: {
        const r = new RegInode(this, i.mode, i.uid, i.gid, ino, i.mtime);
        r.setLower(this.image.data(ino), `${this.image.id}:${ino}`);
        n = r;
        break;
      }
      case S_IFLNK:
        n = new LnkInode(this, this.image.readlink(ino), i.uid, i.gid, ino, i.mtime);
        break;
      default:
        n = new SpecialInode(this, i.mode, i.rdev, i.uid, i.gid, ino);
    }
    n.nlink = i.nlink;
    n.atime = n.mtime = n.ctime = n.btime = i.mtime;
    this.nodes.set(ino, n);
    return n;
  }
}

export class OverlayDir extends DirInode {
  private loaded = false;

  constructor(readonly osb: OverlaySuper, mode: number, uid: number, gid: number, readonly lowerIno: number,
    parent?: DirInode) {
    super(osb, mode, uid, gid, parent, lowerIno);
  }

  /** Materialize: fill the entry map from the image directory (once). */
  protected override load(): void {
    if (this.loaded) return;
    this.loaded = true;
    for (const { name, ino } of this.osb.image.entries(this.lowerIno)) {
      const d: Dirent = { node: this.osb.node(ino, this, name), seq: this.nextSeq++ };
      this.entries.set(name, d);
    }
  }

  override lookup(name: string): Inode | undefined {
    if (this.loaded) return super.lookup(name);
    const ino = this.osb.image.lookup(this.lowerIno, name);
    return ino ? this.osb.node(ino, this, name) : undefined;
  }

  override get count(): number {
    return this.loaded ? super.count : this.osb.image.inode(this.lowerIno).size;
  }

  get materialized(): boolean { return this.loaded; }
}

/** The root directory of the overlay over `image`. */
export function mountOverlay(image: Image, dev: number, mntId: number, charge?: (delta: number) => void): OverlayDir {
  const sb = new OverlaySuper(image, dev, mntId, charge);
  return sb.node(1, undefined) as OverlayDir;
}
