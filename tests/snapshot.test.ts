// Behaviour tests of snapshots (docs/design/snapshots.md): changes made by real shell commands in one
// sandbox, exported with kernel.exportLayer(), restored by booting a second kernel on the same image with
// the snapshot; the second sandbox must see the same tree, byte for byte, attribute for attribute. The
// archive must also be a tar that BusyBox tar (inside the sandbox) and GNU tar (on the host) read.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTar } from '../runtime/lib/tar.js';
import { importSnapshot, SnapshotError } from '../runtime/kernel/fs/snapshot.js';
import { bugCheckedRunner, sandbox, sh, sha256 } from './sandbox.js';

const { track } = bugCheckedRunner();
const hasGnuTar = spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout?.includes('GNU tar') ?? false;

/** Everything observable of the root filesystem except /proc and /dev: attributes, targets, contents. */
const LIST = `
find / \\( -path /proc -o -path /dev \\) -prune -o -exec stat -c '%n|%A|%u:%g|%s|%h|%y|%N' {} + | sort
find / \\( -path /proc -o -path /dev \\) -prune -o -type f -exec sha256sum {} + | sort
`;

const CHANGES = `set -e
cd /root
mkdir -p proj/src/deep/er
printf 'hello\\n' > proj/README
head -c 3145728 /dev/urandom > proj/blob.bin
ln -s ../README proj/src/readme-link
ln -s /etc/passwd proj/abs-link
ln proj/README proj/README.hard
chmod 0751 proj/src
chmod 0600 proj/README
chmod 4755 proj/blob.bin
printf '#!/bin/sh\\necho script ran "$@"\\n' > proj/run.sh && chmod +x proj/run.sh
cp /bin/busybox proj/busybox
mkfifo proj/fifo
touch -d '2001-02-03 04:05:06' proj/old
mkdir /home/user/work && echo mine > /home/user/work/notes && chown -R 1000:1000 /home/user/work
rm /etc/motd
rm /usr/bin/socat
rm -rf /etc/profile.d && mkdir /etc/profile.d && echo 'alias ll="ls -l"' > /etc/profile.d/new.sh
mv /www/index.html /www/home.html
mv proj/src/deep proj/deep2
echo 'extra:x:1001:1001::/home/extra:/bin/sh' >> /etc/passwd
mkdir -p "/root/$(printf 'n%.0s' $(seq 1 120))/$(printf 'm%.0s' $(seq 1 120))"
echo long > "/root/$(printf 'n%.0s' $(seq 1 120))/$(printf 'm%.0s' $(seq 1 120))/$(printf 'f%.0s' $(seq 1 100))"
`;

async function shOk(script: string, kernel: ReturnType<typeof sandbox>): Promise<string> {
  const r = await sh(script, { kernel });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

describe('snapshots of a real sandbox', () => {
  it('restores the same tree in a new kernel, byte for byte', async () => {
    const k1 = sandbox();
    track(k1);
    await shOk(CHANGES, k1);
    const tar = k1.exportLayer();
    const k2 = sandbox({ snapshot: tar });
    track(k2);
    // The archive records the image it was made on; the host compares it with its own.
    expect(k1.snapshotImport).toBeNull();
    expect(k2.snapshotImport?.imageId).toBe(k1.vfs.image.id);
    expect(k2.snapshotImport?.files).toBeGreaterThan(0);

    const [l1, l2] = [await shOk(LIST, k1), await shOk(LIST, k2)];
    expect(l2).toBe(l1);
    expect(l1).toContain('/root/proj/blob.bin|-rwsr-xr-x|0:0|3145728|1|');
    expect(l1).toContain("'/root/proj/src/readme-link' -> '../README'");
    expect(l1).toContain('/root/proj/old|-rw-r--r--|0:0|0|1|2001-02-03 04:05:06.000000000');

    // Spot checks with the tools a user would use.
    const checks = `
      sha256sum /root/proj/blob.bin | cut -c1-64
      ls -l /root/proj/README | cut -c1-10
      stat -c '%h %i' /root/proj/README /root/proj/README.hard | awk '{print $1}' | uniq -c | sed 's/^ *//'
      [ "$(stat -c %i /root/proj/README)" = "$(stat -c %i /root/proj/README.hard)" ] && echo same-inode
      readlink /root/proj/src/readme-link; readlink /root/proj/abs-link
      stat -c '%F %a %u:%g' /root/proj/fifo /root/proj/src /home/user/work /home/user/work/notes
      for f in /etc/motd /usr/bin/socat /etc/profile.d/aliases.sh /www/index.html /root/proj/src/deep; do
        test -e "$f" && echo "still there: $f" || echo "deleted: $f"
      done
      ls /etc/profile.d /www /root/proj/deep2
      tail -n1 /etc/passwd
      /root/proj/run.sh a b
      /root/proj/busybox echo copied busybox runs
    `;
    const c1 = await shOk(checks, k1);
    expect(await shOk(checks, k2)).toBe(c1);
    expect(c1).toContain('-rw-------');
    expect(c1).toContain('2 2\n'); // two names, each with nlink 2
    expect(c1).toContain('same-inode');
    expect(c1).toContain('fifo 644 0:0');
    expect(c1).toContain('directory 751 0:0');
    expect(c1).toContain('directory 755 1000:1000');
    expect(c1).toMatch(/deleted: \/etc\/motd\ndeleted: \/usr\/bin\/socat\ndeleted: \/etc\/profile.d\/aliases.sh\ndeleted: \/www\/index.html\ndeleted: \/root\/proj\/src\/deep\n/);
    expect(c1).toContain('new.sh\n');
    expect(c1).toContain('home.html\n');
    expect(c1).toContain('extra:x:1001');
    expect(c1).toContain('script ran a b');
    expect(c1).toContain('copied busybox runs');

    // The snapshot of the restored sandbox is the same archive: the encoding is deterministic.
    expect(sha256(k2.exportLayer())).toBe(sha256(tar));

    // The restored sandbox works on: more changes, and another generation.
    await shOk('echo more > /root/proj/more; rm /root/proj/README.hard', k2);
    const k3 = sandbox({ snapshot: k2.exportLayer() });
    track(k3);
    expect(await shOk(LIST, k3)).toBe(await shOk(LIST, k2));
  });

  it('writes a tar that BusyBox tar in the sandbox and GNU tar on the host list and extract', async () => {
    const k1 = sandbox();
    track(k1);
    await shOk(CHANGES, k1);
    const tar = k1.exportLayer();
    const entries = [...readTar(tar)];
    const names = entries.map((e) => e.name);
    expect(names).toContain('etc/.wh.motd');
    expect(names).toContain('usr/bin/.wh.socat');
    expect(names).toContain('etc/profile.d/.wh..wh..opq');
    expect(names).toContain('www/.wh.index.html');
    expect(entries.find((e) => e.name === 'root/proj/README.hard')).toMatchObject({ type: 'hardlink', linkname: 'root/proj/README' });
    expect(names.some((n) => n.startsWith('proc/') || n.startsWith('dev/'))).toBe(false);

    // BusyBox tar, inside a sandbox.
    const k2 = sandbox();
    track(k2);
    k2.vfs.writeFile('/tmp/layer.tar', tar);
    const bb = await sh('tar -tvf /tmp/layer.tar && mkdir /tmp/x && tar -xf /tmp/layer.tar -C /tmp/x && sha256sum /tmp/x/root/proj/blob.bin', { kernel: k2 });
    expect(bb.stderr).toBe('');
    expect(bb.exitCode).toBe(0);
    const bbLines = bb.stdout.trim().split('\n');
    expect(bbLines).toHaveLength(entries.length + 1);
    expect(bb.stdout).toContain('root/proj/src/readme-link -> ../README');
    const blob = (await shOk('sha256sum /root/proj/blob.bin', k1)).slice(0, 64);
    expect(bbLines.at(-1)!.slice(0, 64)).toBe(blob);

    // GNU tar, natively.
    if (!hasGnuTar) return;
    const d = mkdtempSync(join(tmpdir(), 'wasmux-snap-'));
    try {
      writeFileSync(join(d, 'layer.tar'), tar);
      const list = spawnSync('tar', ['-tvf', join(d, 'layer.tar')], { encoding: 'utf8' });
      expect(list.stderr).toBe('');
      expect(list.status).toBe(0);
      expect(list.stdout.trim().split('\n')).toHaveLength(entries.length);
      expect(list.stdout).toContain('root/proj/README.hard link to root/proj/README');
      mkdirSync(join(d, 'x'));
      const x = spawnSync('tar', ['-xf', join(d, 'layer.tar'), '-C', join(d, 'x')], { encoding: 'utf8' });
      expect(x.stderr).toBe('');
      expect(sha256(readFileSync(join(d, 'x/root/proj/blob.bin')))).toBe(blob);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasGnuTar)('imports a tar of a host directory made by GNU tar as plain files', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wasmux-snap-'));
    try {
      const src = join(d, 'src');
      mkdirSync(join(src, 'home/user/project/lib'), { recursive: true });
      chmodSync(src, 0o700); // "./" of a foreign archive is not applied to "/"
      writeFileSync(join(src, 'home/user/project/main.c'), 'int main(void) { return 0; }\n');
      writeFileSync(join(src, 'home/user/project/lib/util.h'), '#pragma once\n');
      writeFileSync(join(src, 'home/user/motd'), 'from the host\n');
      const r = spawnSync('tar', ['--owner=1000', '--group=1000', '-C', src, '-cf', join(d, 'p.tar'), '.'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const k = sandbox({ snapshot: new Uint8Array(readFileSync(join(d, 'p.tar'))) });
      track(k);
      expect(k.snapshotImport?.imageId).toBeNull();
      const out = await shOk('cat /home/user/project/main.c /home/user/motd; stat -c "%U %a" / /home/user/project/main.c; test -s /etc/motd && echo image-underneath', k);
      expect(out).toBe('int main(void) { return 0; }\nfrom the host\nroot 755\nuser 644\nimage-underneath\n');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('refuses a damaged snapshot without touching the sandbox', async () => {
    const k1 = sandbox();
    track(k1);
    await shOk('echo a > /root/a; rm /etc/motd; mkdir /root/d', k1);
    const tar = k1.exportLayer();
    const k2 = sandbox();
    track(k2);
    const before = await shOk(LIST, k2);
    for (const bad of [tar.subarray(0, tar.length - 1024), (() => { const b = tar.slice(); b[512 * 3 + 1] ^= 1; return b; })()]) {
      let err: unknown;
      try { importSnapshot(k2.vfs, bad); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(SnapshotError);
      expect((err as SnapshotError).code).toBe('SNAPSHOT_ERR_CORRUPT');
    }
    expect(await shOk(LIST, k2)).toBe(before);
    // Through the kernel option, a bad snapshot makes the boot fail (the host then boots without it).
    expect(() => sandbox({ snapshot: tar.subarray(0, 700) })).toThrow(/snapshot: /);
  });

  it('measures a 50 MiB layer', async () => {
    const k1 = sandbox();
    track(k1);
    // 40 MiB in one file and 10 MiB in 1280 files of 8 KiB.
    await shOk('head -c 41943040 /dev/urandom > /root/big && mkdir /root/many && cd /root/many && head -c 10485760 /dev/urandom | split -b 8192 -a 3 - part.', k1);
    let t = performance.now();
    const tar = k1.exportLayer();
    const exportMs = performance.now() - t;
    t = performance.now();
    const k2 = sandbox({ snapshot: tar });
    const bootWithMs = performance.now() - t;
    track(k2);
    t = performance.now();
    sandbox();
    const bootMs = performance.now() - t;
    const sum = 'sha256sum /root/big; cat /root/many/* | sha256sum; ls /root/many | wc -l';
    expect(await shOk(sum, k2)).toBe(await shOk(sum, k1));
    const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
    console.log(`snapshot of a 50 MiB layer (1 x 40 MiB + 1280 x 8 KiB): ${mib(tar.length)} MiB archive, ` +
      `export ${exportMs.toFixed(0)} ms, boot with it ${bootWithMs.toFixed(0)} ms (without: ${bootMs.toFixed(0)} ms)`);
    expect(tar.length).toBeGreaterThan(50 * 2 ** 20);
    expect(tar.length).toBeLessThan(53 * 2 ** 20);
  });
});
