// Behaviour tests of /proc: BusyBox's process tools (ps, top, free, uptime, pidof, pkill, killall, pgrep,
// lsof, fuser) and programs using /proc/self and /dev/fd, running in the real kernel. Where the output
// does not depend on the machine, the same script runs under Debian's native busybox and must match.
import { describe, expect, it } from 'vitest';
import { NATIVE_BUSYBOX, nativeSh, bugCheckedRunner } from './sandbox.js';

const { run } = bugCheckedRunner();

/** Lines of `ps`-style output as whitespace-split fields. */
const rows = (s: string): string[][] => s.trim().split('\n').map((l) => l.trim().split(/\s+/));

describe('/proc with BusyBox', () => {
  it('ps lists the shell, a background sleep (S) and itself', async () => {
    const r = await run('sleep 5 & echo $$ $!; sleep 0.1; ps; kill $!');
    const [hdr, title, sh, sl] = r.stdout.split('\n');
    expect(title).toBe('PID   USER     TIME  COMMAND');
    const [shPid, sleepPid] = hdr!.split(' ');
    expect(sh).toMatch(new RegExp(`^ +${shPid} root +0:00 sh -c sleep 5 &`));
    expect(sl).toMatch(new RegExp(`^ +${sleepPid} root +0:00 sleep 5$`));
    expect(r.stdout).toMatch(/\n +\d+ root +0:00 \{ps\} sh -c /);
  });

  it('ps -o pid,ppid,stat,comm shows states and parents', async () => {
    const r = await run('sleep 5 & s=$!; sleep 0.1; kill -STOP $s; sleep 0.1; echo $$ $s; ps -o pid,ppid,stat,comm; kill -CONT $s; kill $s');
    const lines = r.stdout.trim().split('\n');
    const [me, s] = lines[0]!.split(' ');
    expect(lines[1]).toBe('PID   PPID  STAT COMMAND');
    const ps = rows(lines.slice(2).join('\n'));
    expect(ps).toContainEqual([me, '0', 'R', 'sh']);
    expect(ps).toContainEqual([s, me, 'T', 'sleep']);
    expect(ps.find((l) => l[3] === 'ps')?.slice(1, 3)).toEqual([me, 'R']);
  });

  it('top -b -n 1 renders memory, CPU, load and the process list', async () => {
    const r = await run('top -b -n 1');
    const l = r.stdout.split('\n');
    expect(l[0]).toMatch(/^Mem: \d+K used, \d+K free, 0K shrd, 0K buff, \d+K cached$/);
    expect(l[1]).toMatch(/^CPU: +[\d.]+% usr +[\d.]+% sys .*idle/);
    expect(l[2]).toMatch(/^Load average: \d+\.\d\d \d+\.\d\d \d+\.\d\d \d+\/\d+ \d+$/);
    expect(l[3]).toMatch(/^ +PID +PPID USER +STAT +VSZ %VSZ/);
    expect(r.stdout).toMatch(/\n +\d+ +\d+ root +R +\d+ .* top -b -n 1\n/);
  });

  it('free and uptime print the sandbox memory and time', async () => {
    const r = await run('free; uptime');
    const l = r.stdout.split('\n');
    expect(l[0]).toMatch(/^ +total +used +free +shared +buff\/cache +available$/);
    const [, total, used, free, , , avail] = rows(l[1]!)[0]!.map(Number);
    expect(total).toBe(2 * 1024 * 1024);
    expect(used! + free!).toBe(total);
    expect(used).toBeGreaterThan(0);
    expect(avail).toBe(free);
    expect(l[2]).toMatch(/^Swap: +0 +0 +0$/);
    expect(l[3]).toMatch(/^ \d\d:\d\d:\d\d up 0 min, {2}load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d$/);
  });

  it('pidof, pgrep, pkill and killall find processes by name', async () => {
    const r = await run('sleep 5 & s=$!; sleep 0.1; [ "$(pidof sleep)" = $s ] && echo pidof-ok; '
      + '[ "$(pgrep sleep)" = $s ] && echo pgrep-ok; pgrep -l sleep | sed "s/^[0-9]*/N/"; pkill sleep; wait $s; echo pkill=$?; '
      + 'sleep 5 & s=$!; sleep 0.1; killall -USR1 sleep; wait $s; echo killall=$?; pidof nothing || echo none');
    expect(r.stdout).toBe('pidof-ok\npgrep-ok\nN sleep\npkill=143\nkillall=138\nnone\n');
  });

  it('lsof and fuser see open files', async () => {
    // Children inherit fd 3 too (lsof and awk are listed with it), as on Linux.
    const r = await run('exec 3</etc/passwd; lsof | awk -v p=$$ \'$1 == p && $3 < 4\' | sed "s/\\[[0-9]*\\]/[N]/"; '
      + 'echo "fuser: $(fuser /etc/passwd 2>&1)"; fuser /etc/group >/dev/null 2>&1 || echo unused');
    expect(r.stdout).toBe('1\t/bin/busybox\t0\tpipe:[N]\n1\t/bin/busybox\t1\tpipe:[N]\n1\t/bin/busybox\t2\tpipe:[N]\n'
      + '1\t/bin/busybox\t3\t/etc/passwd\nfuser: 1 \nunused\n');
  });

  it('/proc/self: cmdline, exe, cwd, fd', async () => {
    const r = await run("cat /proc/self/cmdline | tr '\\0' ' '; echo; readlink /proc/self/exe; readlink /proc/$$/cwd; "
      + 'cd /tmp; readlink /proc/$$/cwd; ls /proc/self/fd; ls /dev/fd/; readlink /proc/self/fd/0 | sed "s/[0-9]\\+/N/"');
    expect(r.stdout).toBe('cat /proc/self/cmdline \n/bin/busybox\n/root\n/tmp\n0\n1\n2\n3\n0\n1\n2\n3\npipe:[N]\n');
  });

  it('/dev/fd and /dev/stdin reach the descriptors', async () => {
    const r = await run('echo hi > /dev/fd/1; echo err > /dev/stderr; cat /dev/stdin; echo p | cat /dev/fd/0; '
      + 'echo f > /tmp/f; exec 4</tmp/f; cat /proc/self/fd/4 /dev/fd/4', 'input\n');
    expect(r.stdout).toBe('hi\ninput\np\nf\nf\n');
    expect(r.stderr).toBe('err\n');
  });

  it('BusyBox re-executes itself through /proc/self/exe', async () => {
    const r = await run('ln -s /proc/self/exe /tmp/echo; /tmp/echo via-exe; sleep 5 & sleep 0.1; cat /proc/$!/comm; '
      + 'readlink /proc/$!/exe; kill $!');
    expect(r.stdout).toBe('via-exe\nsleep\n/bin/busybox\n');
  });

  it('mounts, df and sysctl', async () => {
    const r = await run('cat /proc/mounts; sysctl kernel.hostname kernel.ostype; grep -c . /proc/filesystems');
    expect(r.stdout).toBe('overlay / overlay rw,relatime 0 0\ndevtmpfs /dev devtmpfs rw,nosuid,relatime,mode=755 0 0\n'
      + 'tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n'
      + 'devpts /dev/pts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=000 0 0\n'
      + 'kernel.hostname = wasmux\nkernel.ostype = Linux\n5\n');
  });

  const sameAsLinux: [string, string, string?][] = [
    ['cmdline', "cat /proc/self/cmdline | tr '\\0' ' '"],
    ['exe basename', 'basename $(readlink /proc/self/exe)'],
    ['cwd link', 'cd /; readlink /proc/$$/cwd; readlink /proc/self/root'],
    // (not /dev/stdout or /dev/stdin: Node gives the native busybox sockets, which cannot be re-opened)
    ['/dev/fd', 'echo x | cat /dev/stdin; cat /dev/fd/0 < /etc/hostname >/dev/null && echo ok; echo y > /tmp/y; exec 4</tmp/y; cat /dev/fd/4'],
    ['stat fields', 'wc -w < /proc/self/stat; cut -d" " -f3 /proc/self/stat; head -c 5 /proc/self/status'],
    ['status keys', "sed -n 's/:.*//p' /proc/self/status | grep -xE 'Name|State|Tgid|Pid|PPid|Uid|Gid|VmRSS|Threads|SigBlk' | tr '\\n' ' '"],
    ['statm shape', "sed 's/[0-9]\\+/N/g' /proc/self/statm"],
    ['self is a link', 'ls -ld /proc/self | cut -c1; test -d /proc/self/fd && echo dir'],
  ];
  for (const [name, script, input] of sameAsLinux) {
    it.skipIf(!NATIVE_BUSYBOX)(`same as Linux: ${name}`, async () => {
      const r = await run(script, input);
      const n = nativeSh(script, input);
      expect(r.stdout).toBe(n.stdout);
      expect(r.exitCode).toBe(n.exitCode);
    });
  }
});
