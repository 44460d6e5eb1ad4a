#!/usr/bin/env node
// Packs the read-only root filesystem image (format: docs/design/image-format.md; reader:
// runtime/kernel/fs/image.ts).
//
//   node scripts/build-image.mjs [--out build/rootfs.img] [--force]
//        [--busybox build/busybox.wasm] [--applets build/busybox.applets]    the real root filesystem
//        [--extra SRC:/PATH]...    more programs (default: build/socat.wasm as /usr/bin/socat and
//                                  build/fsd.wasm as /usr/libexec/wasmux/fsd, the file service)
//   node scripts/build-image.mjs --staging DIR [--out FILE]                 any directory tree, as is
//
// Incremental: the hash of every input plus this file is kept in <out>.stamp; when it matches, nothing is
// written. Also a library: packImage() (tests pack small trees), stageDirectory(), rootfsEntries().
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, renameSync, writeFileSync, mkdirSync,
  statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const IMAGE_MAGIC = 'WASMUXFS';
export const IMAGE_VERSION = 1;
const HEADER_SIZE = 128, INODE_SIZE = 40, DIRENT_SIZE = 12, DATA_ALIGN = 16;
const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000;
/** Programs packed next to busybox unless --extra is given. */
const DEFAULT_EXTRAS = [
  { src: 'build/socat.wasm', path: '/usr/bin/socat' },
  { src: 'build/fsd.wasm', path: '/usr/libexec/wasmux/fsd' },   // docs/design/fs-protocol.md
];
const enc = new TextEncoder();

function cmpBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function splitPath(p) { return p.split('/').filter((c) => c !== '' && c !== '.'); }

/**
 * Pack a tree into image bytes.
 * entries: [{ path, type: 'dir'|'file'|'symlink'|'hardlink', mode?, uid?, gid?, data?, target?, mtime? }]
 *   file: data (Uint8Array or string); symlink: target (link text); hardlink: target (path of an earlier
 *   'file' entry). Missing parent directories are created 0755 root:root. Later entries replace earlier.
 * opts.mtime: default mtime in seconds. Returns { bytes: Uint8Array, id: sha256 hex of the body }.
 */
export function packImage(entries, opts = {}) {
  const mtime = opts.mtime ?? 0;
  const mkdir = (mode = 0o755, uid = 0, gid = 0, t = mtime) =>
    ({ kind: 'dir', mode: S_IFDIR | (mode & 0o7777), uid, gid, mtime: t, children: new Map() });
  const root = mkdir();
  const walkDir = (parts) => {
    let d = root;
    for (const c of parts) {
      let n = d.children.get(c);
      if (!n) { n = mkdir(); d.children.set(c, n); }
      if (n.kind !== 'dir') throw new Error(`build-image: ${c} is not a directory`);
      d = n;
    }
    return d;
  };
  for (const e of entries) {
    const parts = splitPath(e.path);
    const t = e.mtime ?? mtime, uid = e.uid ?? 0, gid = e.gid ?? 0;
    if (parts.length === 0) {
      if (e.type !== 'dir') throw new Error('build-image: / must be a directory');
      Object.assign(root, { mode: S_IFDIR | ((e.mode ?? 0o755) & 0o7777), uid, gid, mtime: t });
      continue;
    }
    const name = parts.pop();
    const dir = walkDir(parts);
    let node;
    if (e.type === 'dir') {
      const old = dir.children.get(name);
      node = old?.kind === 'dir' ? Object.assign(old, { mode: S_IFDIR | ((e.mode ?? 0o755) & 0o7777), uid, gid, mtime: t })
        : mkdir(e.mode, uid, gid, t);
    } else if (e.type === 'file') {
      const data = typeof e.data === 'string' ? enc.encode(e.data) : (e.data ?? new Uint8Array(0));
      node = { kind: 'file', mode: S_IFREG | ((e.mode ?? 0o644) & 0o7777), uid, gid, mtime: t, data };
    } else if (e.type === 'symlink') {
      node = { kind: 'symlink', mode: S_IFLNK | 0o777, uid, gid, mtime: t, target: enc.encode(e.target) };
    } else if (e.type === 'hardlink') {
      const tp = splitPath(e.target);
      const tn = walkDir(tp.slice(0, -1)).children.get(tp[tp.length - 1]);
      if (!tn || tn.kind === 'dir') throw new Error(`build-image: bad hard link target ${e.target}`);
      node = tn;
    } else throw new Error(`build-image: unknown entry type ${e.type}`);
    dir.children.set(name, node);
  }

  // Inode numbers in breadth-first order, children sorted by name bytes; a hard-linked node gets one.
  const inodes = [];
  const inoOf = new Map();
  const assign = (n) => { if (!inoOf.has(n)) { inodes.push(n); inoOf.set(n, inodes.length); n.links = 0; } n.links++; };
  assign(root);
  for (let i = 0; i < inodes.length; i++) {
    const n = inodes[i];
    if (n.kind !== 'dir') continue;
    n.sorted = [...n.children].map(([name, c]) => [enc.encode(name), c]).sort((a, b) => cmpBytes(a[0], b[0]));
    for (const [, c] of n.sorted) assign(c);
  }

  // Strings (names and link targets, deduplicated), dirents, data offsets.
  const strChunks = [], strOff = new Map();
  let strSize = 0;
  const addStr = (b) => {
    const k = Buffer.from(b).toString('latin1');
    let o = strOff.get(k);
    if (o === undefined) { o = strSize; strOff.set(k, o); strChunks.push(b); strSize += b.length; }
    return o;
  };
  const dirents = [];
  for (const n of inodes) {
    if (n.kind === 'dir') {
      n.first = dirents.length;
      for (const [name, c] of n.sorted) dirents.push([addStr(name), name.length, inoOf.get(c)]);
    } else if (n.kind === 'symlink') n.strOff = addStr(n.target);
  }
  const inodeOff = HEADER_SIZE;
  const direntOff = inodeOff + inodes.length * INODE_SIZE;
  const stringsOff = direntOff + dirents.length * DIRENT_SIZE;
  const align = (x) => Math.ceil(x / DATA_ALIGN) * DATA_ALIGN;
  const dataOff = align(stringsOff + strSize);
  let end = dataOff;
  for (const n of inodes) if (n.kind === 'file') { n.dataOff = end; end = align(end + n.data.length); }
  const total = end;
  if (total > 0xffffffff) throw new Error('build-image: image larger than 4 GiB');

  const bytes = new Uint8Array(total);
  const dv = new DataView(bytes.buffer);
  inodes.forEach((n, i) => {
    const p = inodeOff + i * INODE_SIZE;
    const subdirs = n.kind === 'dir' ? n.sorted.filter(([, c]) => c.kind === 'dir').length : 0;
    const size = n.kind === 'dir' ? n.sorted.length : n.kind === 'symlink' ? n.target.length : n.data.length;
    const off = n.kind === 'dir' ? n.first : n.kind === 'symlink' ? n.strOff : n.dataOff;
    const sec = Math.floor(n.mtime);
    dv.setUint32(p, n.mode, true);
    dv.setUint32(p + 4, n.uid, true);
    dv.setUint32(p + 8, n.gid, true);
    dv.setUint32(p + 12, n.kind === 'dir' ? 2 + subdirs : n.links, true);
    dv.setUint32(p + 16, size, true);
    dv.setUint32(p + 20, off, true);
    dv.setUint32(p + 24, sec >>> 0, true);
    dv.setInt32(p + 28, Math.floor(sec / 2 ** 32), true);
    dv.setUint32(p + 32, 0, true);
    dv.setUint32(p + 36, 0, true);
    if (n.kind === 'file') bytes.set(n.data, n.dataOff);
  });
  dirents.forEach(([o, len, ino], i) => {
    const p = direntOff + i * DIRENT_SIZE;
    dv.setUint32(p, o, true); dv.setUint32(p + 4, len, true); dv.setUint32(p + 8, ino, true);
  });
  let so = stringsOff;
  for (const c of strChunks) { bytes.set(c, so); so += c.length; }

  bytes.set(enc.encode(IMAGE_MAGIC), 0);
  const hdr = [IMAGE_VERSION, HEADER_SIZE, inodes.length, inodeOff, dirents.length, direntOff, stringsOff, strSize,
    dataOff, total - dataOff, total, 1, 0];
  hdr.forEach((v, i) => dv.setUint32(8 + 4 * i, v, true));
  const hash = createHash('sha256').update(bytes.subarray(HEADER_SIZE)).digest();
  bytes.set(hash, 64);
  return { bytes, id: hash.toString('hex') };
}

/** Entries for a directory on disk, mounted at `prefix`; every file is owned by uid:gid. */
export function stageDirectory(dir, { prefix = '/', uid = 0, gid = 0, mtime } = {}) {
  const out = [];
  const walk = (abs, rel) => {
    for (const name of readdirSync(abs).sort()) {
      const a = join(abs, name), p = `${rel}/${name}`, st = lstatSync(a);
      const t = mtime ?? Math.floor(st.mtimeMs / 1000);
      const common = { path: p, mode: st.mode & 0o7777, uid, gid, mtime: t };
      if (st.isDirectory()) { out.push({ ...common, type: 'dir' }); walk(a, p); }
      else if (st.isSymbolicLink()) out.push({ ...common, type: 'symlink', target: readlinkSync(a) });
      else if (st.isFile()) out.push({ ...common, type: 'file', data: readFileSync(a) });
    }
  };
  walk(dir, prefix === '/' ? '' : prefix.replace(/\/$/, ''));
  return out;
}

/** Applet paths from a busybox.applets file: lines "name /dir" (or a full path "/dir/name"). */
export function parseApplets(text) {
  const paths = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [a, b] = line.split(/\s+/);
    const p = b ? `${b.replace(/\/$/, '')}/${a}` : a;
    if (!p.startsWith('/')) throw new Error(`build-image: bad applet line: ${raw}`);
    if (!p.endsWith('/busybox')) paths.push(p);
  }
  return paths;
}

/**
 * The wasmux root filesystem: skeleton directories, /etc, /www (the default web root), /bin/busybox and
 * applet symlinks to it, and extra programs ({ path, data }, mode 0755).
 */
export function rootfsEntries({ busybox, applets, etcDir, wwwDir, extras = [], mtime }) {
  const d = (path, mode = 0o755, uid = 0, gid = 0) => ({ type: 'dir', path, mode, uid, gid, mtime });
  const out = [d('/'), d('/bin'), d('/sbin'), d('/usr'), d('/usr/bin'), d('/usr/sbin'), d('/usr/share'),
    d('/usr/lib'), d('/lib'), d('/etc'), d('/root', 0o700), d('/home'), d('/home/user', 0o755, 1000, 1000),
    d('/tmp', 0o1777), d('/var'), d('/var/tmp', 0o1777), d('/var/log'), d('/var/run'), d('/run'), d('/mnt'),
    d('/dev'), d('/proc', 0o555), d('/sys', 0o555)];
  // Modes come from fixed rules, not the checkout (git keeps only the x bit).
  for (const e of stageDirectory(etcDir, { prefix: '/etc', mtime })) {
    if (e.type === 'dir') e.mode = 0o755;
    else if (e.type === 'file') e.mode = e.path === '/etc/shadow' ? 0o600 : (e.mode & 0o111 ? 0o755 : 0o644);
    out.push(e);
  }
  if (wwwDir) {
    out.push(d('/www'));
    for (const e of stageDirectory(wwwDir, { prefix: '/www', mtime })) {
      e.mode = e.type === 'dir' ? 0o755 : 0o644;
      out.push(e);
    }
  }
  out.push({ type: 'file', path: '/bin/busybox', mode: 0o755, data: busybox, mtime });
  for (const x of extras) out.push({ type: 'file', path: x.path, mode: 0o755, data: x.data, mtime });
  const links = new Set(parseApplets(applets));
  links.add('/bin/sh');
  for (const p of [...links].sort()) out.push({ type: 'symlink', path: p, target: '/bin/busybox', mtime });
  return out;
}

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : p).update('\0');
  return h.digest('hex');
}

function digestEntries(entries) {
  return JSON.stringify(entries.map((e) => ({ ...e, data: e.data ? sha256(e.data) : undefined })));
}

/**
 * Build (or keep, when its inputs did not change) an image file. Either `staging` (a directory packed as
 * the whole tree) or the busybox inputs. Returns { out, size, id, skipped }.
 */
export function buildImage({ root = process.cwd(), out, staging, busybox, applets, etcDir, wwwDir, extras,
  force = false } = {}) {
  out = resolve(root, out ?? 'build/rootfs.img');
  const self = readFileSync(fileURLToPath(import.meta.url));
  let inputs, make;
  if (staging) {
    const dir = resolve(root, staging);
    const mtime = process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) : undefined;
    const entries = stageDirectory(dir, { mtime });
    inputs = [self, digestEntries(entries)];
    make = () => packImage(entries, { mtime: mtime ?? Math.floor(statSync(dir).mtimeMs / 1000) });
  } else {
    const bb = resolve(root, busybox ?? 'build/busybox.wasm');
    const ap = resolve(root, applets ?? 'build/busybox.applets');
    const etc = resolve(root, etcDir ?? 'wasm/rootfs/etc');
    const www = resolve(root, wwwDir ?? 'wasm/rootfs/www');
    const xs = (extras ?? DEFAULT_EXTRAS)
      .map((x) => ({ path: x.path, src: resolve(root, x.src) }));
    for (const f of [bb, ap, etc, www, ...xs.map((x) => x.src)]) {
      if (!existsSync(f)) throw new Error(`build-image: missing input ${f} (build busybox first, or use --staging DIR)`);
    }
    const bbData = readFileSync(bb), apText = readFileSync(ap, 'utf8');
    const mtime = process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH)
      : Math.floor(Math.max(statSync(bb).mtimeMs, statSync(ap).mtimeMs) / 1000);
    const etcEntries = stageDirectory(etc, { prefix: '/etc', mtime });
    const extraFiles = xs.map((x) => ({ path: x.path, data: readFileSync(x.src) }));
    inputs = [self, bbData, apText, String(mtime), digestEntries(etcEntries),
      digestEntries(stageDirectory(www, { prefix: '/www', mtime })), digestEntries(extraFiles)];
    make = () => packImage(rootfsEntries({ busybox: bbData, applets: apText, etcDir: etc, wwwDir: www,
      extras: extraFiles, mtime }), { mtime });
  }
  const stamp = sha256(...inputs);
  const stampFile = `${out}.stamp`;
  if (!force && existsSync(out) && existsSync(stampFile)) {
    const [s, id] = readFileSync(stampFile, 'utf8').trim().split(' ');
    if (s === stamp) return { out, size: statSync(out).size, id, skipped: true };
  }
  const { bytes, id } = make();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, bytes);
  renameSync(`${out}.tmp`, out);
  writeFileSync(stampFile, `${stamp} ${id}\n`);
  return { out, size: bytes.length, id, skipped: false };
}

function main(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`build-image: ${a} needs a value`); return argv[++i]; };
    // Paths given on the command line are relative to the current directory, defaults to the repository.
    if (a === '--out') opts.out = resolve(val());
    else if (a === '--staging') opts.staging = resolve(val());
    else if (a === '--busybox') opts.busybox = resolve(val());
    else if (a === '--applets') opts.applets = resolve(val());
    else if (a === '--etc') opts.etcDir = resolve(val());
    else if (a === '--www') opts.wwwDir = resolve(val());
    else if (a === '--extra') {
      const v = val(), i2 = v.lastIndexOf(':');
      if (i2 <= 0 || !v.slice(i2 + 1).startsWith('/')) throw new Error(`build-image: --extra wants SRC:/PATH, got ${v}`);
      (opts.extras ??= []).push({ src: resolve(v.slice(0, i2)), path: v.slice(i2 + 1) });
    } else if (a === '--force') opts.force = true;
    else throw new Error(`build-image: unknown argument ${a}`);
  }
  const r = buildImage({ root: resolve(dirname(fileURLToPath(import.meta.url)), '..'), ...opts });
  const mib = (r.size / 1048576).toFixed(2);
  console.log(`${r.skipped ? 'up to date' : 'wrote'}: ${r.out} (${r.size} bytes, ${mib} MiB, id ${r.id.slice(0, 16)})`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try { main(process.argv.slice(2)); } catch (e) { console.error(e.message); process.exit(1); }
}
