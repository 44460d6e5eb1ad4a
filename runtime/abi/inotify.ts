// inotify(7) constants and struct inotify_event (include/uapi/linux/inotify.h). Pure data.

/** Events a watch can ask for (also the event bits of struct inotify_event's mask). */
export const IN_ACCESS = 0x1, IN_MODIFY = 0x2, IN_ATTRIB = 0x4, IN_CLOSE_WRITE = 0x8, IN_CLOSE_NOWRITE = 0x10,
  IN_OPEN = 0x20, IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80, IN_CREATE = 0x100, IN_DELETE = 0x200,
  IN_DELETE_SELF = 0x400, IN_MOVE_SELF = 0x800;
export const IN_ALL_EVENTS = 0xfff;

/** Bits only the kernel sets in events. */
export const IN_UNMOUNT = 0x2000, IN_Q_OVERFLOW = 0x4000, IN_IGNORED = 0x8000, IN_ISDIR = 0x40000000;

/** inotify_add_watch flags. */
export const IN_ONLYDIR = 0x01000000, IN_DONT_FOLLOW = 0x02000000, IN_EXCL_UNLINK = 0x04000000,
  IN_MASK_CREATE = 0x10000000, IN_MASK_ADD = 0x20000000, IN_ONESHOT = 0x80000000;

/** Every bit inotify_add_watch accepts (fs/notify/inotify/inotify_user.c ALL_INOTIFY_BITS). */
export const ALL_INOTIFY_BITS = (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR |
  IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | IN_ONESHOT) >>> 0;

/** inotify_init1 flags (= O_CLOEXEC, O_NONBLOCK). */
export const IN_CLOEXEC = 0o2000000, IN_NONBLOCK = 0o4000;

/**
 * struct inotify_event: wd i32 @0, mask u32 @4, cookie u32 @8, len u32 @12, then `len` bytes of name (NUL
 * terminated, zero padded: Linux rounds len up to a multiple of the header size).
 */
export const INOTIFY_EVENT_SIZE = 16;
