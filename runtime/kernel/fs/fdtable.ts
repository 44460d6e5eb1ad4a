// The file descriptor table (include/linux/fdtable.h): lowest free number first, close-on-exec bit per fd.
import { EBADF, EMFILE } from '../../abi/errno.js';
import { raise } from '../errors.js';
import type { File } from './file.js';

export class FdTable {
  private files: (File | undefined)[] = [];
  private cloexec: boolean[] = [];

  /** Called with every description an fd stops referring to (POSIX record locks are dropped there). */
  onClose: ((f: File) => void) | null = null;

  constructor(public limit = 1024) {}

  get(fd: number): File {
    const f = fd >= 0 ? this.files[fd] : undefined;
    if (!f) raise(EBADF);
    return f;
  }

  has(fd: number): boolean { return fd >= 0 && this.files[fd] !== undefined; }

  /** Install `f` (whose reference the table takes over) at the lowest free fd >= min. */
  install(f: File, cloexec = false, min = 0): number {
    for (let fd = min; fd < this.limit; fd++) {
      if (this.files[fd] === undefined) {
        this.files[fd] = f;
        this.cloexec[fd] = cloexec;
        return fd;
      }
    }
    return raise(EMFILE);
  }

  /** Install at exactly `fd`, closing what was there (dup2/dup3 semantics). */
  installAt(fd: number, f: File, cloexec = false): void {
    if (fd < 0 || fd >= this.limit) raise(EBADF);
    const old = this.files[fd];
    this.files[fd] = f;
    this.cloexec[fd] = cloexec;
    if (old) { this.onClose?.(old); old.put(); }
  }

  close(fd: number): void {
    const f = this.get(fd);
    this.files[fd] = undefined;
    this.cloexec[fd] = false;
    this.onClose?.(f);
    f.put();
  }

  getCloexec(fd: number): boolean { this.get(fd); return this.cloexec[fd] === true; }
  setCloexec(fd: number, v: boolean): void { this.get(fd); this.cloexec[fd] = v; }

  /** A copy for fork: every description gains a reference. */
  fork(): FdTable {
    const t = new FdTable(this.limit);
    this.files.forEach((f, fd) => { if (f) { t.files[fd] = f.get(); t.cloexec[fd] = this.cloexec[fd]; } });
    return t;
  }

  /** execve: close every close-on-exec descriptor. */
  closeOnExec(): void {
    this.files.forEach((f, fd) => { if (f && this.cloexec[fd]) this.close(fd); });
  }

  closeAll(): void { this.files.forEach((f, fd) => { if (f) this.close(fd); }); }

  /** [fd, file] pairs in fd order (for /proc/<pid>/fd and poll). */
  entries(): [number, File][] {
    const out: [number, File][] = [];
    this.files.forEach((f, fd) => { if (f) out.push([fd, f]); });
    return out;
  }

  count(): number { let n = 0; for (const f of this.files) if (f) n++; return n; }
}
