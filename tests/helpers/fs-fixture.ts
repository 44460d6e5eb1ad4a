// A small root filesystem for the kernel's filesystem unit tests: packed with the real image writer
// (scripts/build-image.mjs) and mounted in a fresh Vfs.
// @ts-expect-error plain ESM script without type declarations
import { packImage } from '../../scripts/build-image.mjs';
import { Vfs, type VfsOptions } from '../../runtime/kernel/fs/vfs.js';

export function makeVfs(opts: VfsOptions = {}): Vfs {
  const { bytes } = packImage([
    { type: 'dir', path: '/bin' },
    { type: 'file', path: '/bin/busybox', data: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), mode: 0o755 },
    { type: 'symlink', path: '/bin/sh', target: '/bin/busybox' },
    { type: 'symlink', path: '/bin/ls', target: 'busybox' },
    { type: 'file', path: '/etc/passwd', data: 'root:x:0:0::/root:/bin/sh\n' },
    { type: 'file', path: '/etc/secret', data: 'x', mode: 0o600 },
    { type: 'file', path: '/etc/noexec', data: '#!/bin/sh\n', mode: 0o644 },
    { type: 'hardlink', path: '/etc/passwd.link', target: '/etc/passwd' },
    { type: 'dir', path: '/usr/share/doc' },
    { type: 'file', path: '/usr/share/doc/a', data: 'A' },
    { type: 'file', path: '/usr/share/doc/b', data: 'B' },
    { type: 'symlink', path: '/loop1', target: '/loop2' },
    { type: 'symlink', path: '/loop2', target: '/loop1' },
    { type: 'symlink', path: '/etcl', target: 'etc' },
    { type: 'dir', path: '/tmp', mode: 0o1777 },
    { type: 'dir', path: '/root', mode: 0o700 },
    { type: 'dir', path: '/home/user', uid: 1000, gid: 1000 },
    { type: 'dir', path: '/dev' },
    { type: 'dir', path: '/proc', mode: 0o555 },
  ], { mtime: 1700000000 });
  return new Vfs(bytes, opts);
}

