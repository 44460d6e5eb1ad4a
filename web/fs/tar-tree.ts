// A folder of the sandbox as a POSIX tar, for the explorer's "download folder": read through the file
// service and written with the tar codec the kernel's snapshots use (runtime/lib/tar.ts; PAX headers for
// long names and sub-second times). Regular files, directories and symlinks keep their modes, owners and
// mtimes; other file types (FIFOs, sockets, devices) are left out.
import type { FsClient } from '../../runtime/protocol/fs/client.js';
import type { FsStat } from '../../runtime/protocol/fs/wire.js';
import { TarWriter, type TarHeader } from '../../runtime/lib/tar.js';

export async function tarTree(c: FsClient, root: string): Promise<Uint8Array> {
  const tar = new TarWriter();
  const head = (name: string, st: FsStat, type: TarHeader['type'], linkname = ''): TarHeader => ({
    name, type, mode: st.perm, uid: st.uid, gid: st.gid, linkname,
    mtime: { sec: Math.floor(st.mtimeMs / 1000), nsec: Math.round((st.mtimeMs % 1000) * 1e6) },
  });
  const walk = async (path: string, name: string, st: FsStat): Promise<void> => {
    if (st.type === 'dir') {
      tar.add(head(name, st, 'dir'));
      const kids = await c.readdir(path);
      kids.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const k of kids) await walk(`${path === '/' ? '' : path}/${k.name}`, `${name}/${k.name}`, k);
    } else if (st.type === 'symlink') {
      tar.add(head(name, st, 'symlink', await c.readlink(path)));
    } else if (st.type === 'file') {
      tar.add(head(name, st, 'file'), await c.readFile(path));
    }
  };
  await walk(root, root.replace(/\/+$/, '').split('/').pop() || 'root', await c.lstat(root));
  return tar.finish();
}
