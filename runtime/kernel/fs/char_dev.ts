// Character device registry (fs/char_dev.c: register_chrdev_region / chrdev_open). Opening a character
// device node looks up its (major, minor) here; drivers register an open function. devfs.ts registers
// the memory devices (1,3 null; 1,5 zero; 1,7 full; 1,8 random; 1,9 urandom); the tty layer registers
// 5,0 (/dev/tty), 5,1 (/dev/console), 5,2 (/dev/ptmx) and 136,N (pts).
import { ENXIO } from '../../abi/errno.js';
import { raise } from '../errors.js';
import type { Task } from '../proc/task.js';
import type { File } from './file.js';
import type { SpecialInode } from './inode.js';

/**
 * Opens a device: returns a new file description (with one reference) for `node`. `flags` are the kept
 * status flags; `openFlags` all flags open was given (O_NOCTTY matters to terminals).
 */
export type ChrdevOpen = (t: Task, node: SpecialInode, flags: number, openFlags?: number) => File;

export class ChrdevRegistry {
  private readonly devs = new Map<number, ChrdevOpen>();
  /** Drivers that take every minor of a major (pts). */
  private readonly majors = new Map<number, ChrdevOpen>();

  register(major: number, minor: number, open: ChrdevOpen): void { this.devs.set(major * 0x100000 + minor, open); }
  registerMajor(major: number, open: ChrdevOpen): void { this.majors.set(major, open); }
  unregister(major: number, minor: number): void { this.devs.delete(major * 0x100000 + minor); }

  /** chrdev_open: ENXIO when no driver is registered, as Linux. */
  open(t: Task, node: SpecialInode, major: number, minor: number, flags: number, openFlags = flags): File {
    const f = this.devs.get(major * 0x100000 + minor) ?? this.majors.get(major);
    if (!f) raise(ENXIO);
    return f(t, node, flags, openFlags);
  }
}
