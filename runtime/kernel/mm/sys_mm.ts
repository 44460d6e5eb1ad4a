// Memory syscalls (mm/mmap.c, mm/mremap.c, mm/madvise.c). Anonymous mappings and private file mappings
// (filled by reading the file). Shared writable file mappings cannot be honest without a page cache shared
// between instances and are refused with ENODEV rather than silently losing writes.
import { EACCES, EEXIST, EINVAL, ENODEV, ENOMEM } from '../../abi/errno.js';
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_TYPE,
  MADV_DONTNEED, MADV_FREE, MREMAP_FIXED, MREMAP_MAYMOVE, PAGE_SIZE, PROT_WRITE,
} from '../../abi/mman.js';
import { raise } from '../errors.js';
import { pageUp } from './mm.js';
import type { Task } from '../proc/task.js';
import type { SyscallDefs } from '../syscalls/types.js';

function sys_brk(t: Task, addr: number): number { return t.mm.setBrk(addr >>> 0); }

function sys_mmap2(t: Task, addr: number, len: number, prot: number, flags: number, fd: number, pgoff: number): number {
  addr >>>= 0; len >>>= 0;
  if (len === 0) raise(EINVAL);
  const type = flags & MAP_TYPE;
  if (type !== MAP_PRIVATE && type !== MAP_SHARED && type !== MAP_SHARED_VALIDATE) raise(EINVAL);
  if (len > 0xffff0000) raise(ENOMEM);
  let file = null;
  if (!(flags & MAP_ANONYMOUS)) {
    file = t.files.get(fd);
    if (!file.readable) raise(EACCES);
    if (type !== MAP_PRIVATE && (prot & PROT_WRITE)) raise(ENODEV);
    if (file.waitQueue() && !file.node) raise(ENODEV);
  }
  let at = -1;
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    if (addr % PAGE_SIZE) raise(EINVAL);
    if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) && t.mm.isMapped(addr, 1)) raise(EEXIST);
    at = addr;
  }
  const res = t.mm.map(len, at);
  if (file) {
    const dst = t.mem.view(res, len);
    let off = pgoff * PAGE_SIZE, done = 0;
    try {
      while (done < len) {
        const n = file.read(t, dst.subarray(done), off);
        if (n <= 0) break;
        done += n; off += n;
      }
    } catch (e) {
      t.mm.unmap(res, len);
      throw e;
    }
  }
  return res;
}

function sys_munmap(t: Task, addr: number, len: number): number {
  addr >>>= 0; len >>>= 0;
  if (addr % PAGE_SIZE || len === 0) raise(EINVAL);
  t.mm.unmap(addr, len);
  return 0;
}

function sys_mremap(t: Task, old: number, oldLen: number, newLen: number, flags: number): number {
  if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) raise(EINVAL);
  if (flags & MREMAP_FIXED) raise(EINVAL);
  return t.mm.remap(old >>> 0, oldLen >>> 0, newLen >>> 0, (flags & MREMAP_MAYMOVE) !== 0);
}

function sys_madvise(t: Task, addr: number, len: number, advice: number): number {
  addr >>>= 0; len >>>= 0;
  if (addr % PAGE_SIZE) raise(EINVAL);
  if ((advice === MADV_DONTNEED || advice === MADV_FREE) && len > 0 && t.mm.isMapped(addr, pageUp(len))) {
    t.mem.zero(addr, pageUp(len));
  }
  return 0;
}

function sys_mprotect(t: Task, addr: number, _len: number, _prot: number): number {
  if ((addr >>> 0) % PAGE_SIZE) raise(EINVAL);
  return 0;
}

export const mmSyscalls: SyscallDefs = {
  brk: { handler: sys_brk, level: 'partial', note: 'Once mappings exist the break can grow about 1 MiB (mappings are placed above a 1 MiB gap); past that brk fails (returns the old break) and musl\'s malloc uses mmap.' },
  mmap2: { handler: sys_mmap2, level: 'partial', note: 'Anonymous and MAP_PRIVATE file mappings; MAP_SHARED is private to the process (not shared across fork); writable MAP_SHARED file mappings give ENODEV.' },
  munmap: { handler: sys_munmap, level: 'full' },
  mremap: { handler: sys_mremap, level: 'partial', note: 'MREMAP_FIXED unsupported (EINVAL).' },
  madvise: { handler: sys_madvise, level: 'partial', note: 'MADV_DONTNEED/MADV_FREE zero the range; other advice ignored.' },
  mprotect: { handler: sys_mprotect, level: 'stub', note: 'wasm memory has no page protection: accepted, not enforced.' },
  msync: { handler: () => 0, level: 'stub' },
  mlock: { handler: () => 0, level: 'stub' },
  munlock: { handler: () => 0, level: 'stub' },
  mlockall: { handler: () => 0, level: 'stub' },
  munlockall: { handler: () => 0, level: 'stub' },
};

