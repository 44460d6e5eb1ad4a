// strerror texts for the CLI's one-line errors (musl's wording).
export const ERRNO_NAMES: Record<number, [string, string]> = {
  1: ['EPERM', 'Operation not permitted'], 2: ['ENOENT', 'No such file or directory'],
  8: ['ENOEXEC', 'Exec format error'], 12: ['ENOMEM', 'Out of memory'], 13: ['EACCES', 'Permission denied'],
  20: ['ENOTDIR', 'Not a directory'], 21: ['EISDIR', 'Is a directory'], 36: ['ENAMETOOLONG', 'Filename too long'],
  40: ['ELOOP', 'Symbolic link loop'], 7: ['E2BIG', 'Argument list too long'], 11: ['EAGAIN', 'Resource temporarily unavailable'],
};
