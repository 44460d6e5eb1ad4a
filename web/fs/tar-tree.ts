// A folder of the sandbox as a POSIX tar (ustar; a PAX header carries names longer than ustar holds), for
// the explorer's "download folder". Read through the file service: regular files, directories and symlinks
// with their modes and mtimes; other file types (FIFOs, sockets, devices) are skipped.
import type { FsClient } from '../../runtime/protocol/fs/client.js';
import type { FsStat } from '../../runtime/protocol/fs/wire.js';

const enc = new TextEncoder();

export async function tarTree(c: FsClient, root: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const base = root.replace(/\/+$/, '').split('/').pop() || 'root';
  const walk = async (path: string, name: string, st: FsStat): Promise<void> => {
    if (st.type === 'dir') {
      parts.push(...entry(`${name}/`, st, '5', 0));
      const kids = await c.readdir(path);
      kids.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const k of kids) await walk(`${path === '/' ? '' : path}/${k.name}`, `${name}/${k.name}`, k);
    } else if (st.type === 'symlink') {
      parts.push(...entry(name, st, '2', 0, await c.readlink(path)));
    } else if (st.type === 'file') {
      const data = await c.readFile(path);
      parts.push(...entry(name, st, '0', data.length), data, new Uint8Array((512 - (data.length % 512)) % 512));
    }
  };
  await walk(root, base, await c.lstat(root));
  parts.push(new Uint8Array(1024));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** The header block(s) of one entry: a PAX record first when the name or link target is too long. */
function entry(name: string, st: FsStat, type: string, size: number, link = ''): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  const long = enc.encode(name).length > 100 || enc.encode(link).length > 100;
  if (long) {
    let recs = record('path', name);
    if (link) recs += record('linkpath', link);
    const body = enc.encode(recs);
    blocks.push(header('PaxHeader', 0o644, 0, 0, body.length, st.mtimeMs, 'x', ''), body, new Uint8Array((512 - (body.length % 512)) % 512));
  }
  blocks.push(header(long ? name.slice(-99) : name, st.perm, st.uid, st.gid, size, st.mtimeMs, type, long ? '' : link));
  return blocks;
}

/** One PAX record: "<len> <key>=<value>\n", where len counts itself. */
function record(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  const n = enc.encode(rest).length;
  let len = n + 1;
  while (String(len).length + n !== len) len = String(len).length + n;
  return `${len}${rest}`;
}

function header(name: string, mode: number, uid: number, gid: number, size: number, mtimeMs: number, type: string, link: string): Uint8Array {
  const h = new Uint8Array(512);
  const put = (off: number, len: number, s: string): void => { h.set(enc.encode(s).subarray(0, len), off); };
  const oct = (off: number, len: number, n: number): void => put(off, len, Math.max(0, Math.floor(n)).toString(8).padStart(len - 1, '0'));
  put(0, 100, name);
  oct(100, 8, mode & 0o7777);
  oct(108, 8, uid);
  oct(116, 8, gid);
  oct(124, 12, size);
  oct(136, 12, mtimeMs / 1000);
  put(148, 8, '        ');
  put(156, 1, type);
  put(157, 100, link);
  put(257, 8, 'ustar\x0000');
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}
