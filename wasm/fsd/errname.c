/*
 * errno names for error replies (the client builds its stable codes from them: FS_ERR_ENOENT). musl has
 * no strerrorname_np; the numbers are Linux's, the same in wasmux and on every Linux architecture fsd is
 * tested on.
 */
#include <errno.h>
#include "fsd.h"

#define E(x) { x, #x }
static const struct { int e; const char *name; } names[] = {
  E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC), E(EBADF), E(ECHILD),
  E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR),
  E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE),
  E(EROFS), E(EMLINK), E(EPIPE), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS),
  E(ENOTEMPTY), E(ELOOP), E(ENODATA), E(ENOSR), E(EPROTO), E(EOVERFLOW), E(EILSEQ), E(ENOTSOCK),
  E(EOPNOTSUPP), E(EADDRINUSE), E(ECONNREFUSED), E(ECONNRESET), E(ETIMEDOUT), E(ESTALE), E(EDQUOT),
  E(ECANCELED),
};

const char *fsd_errname(int e) {
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) if (names[i].e == e) return names[i].name;
  return "EUNKNOWN";
}
