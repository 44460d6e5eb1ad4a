/* wasmux: __clone is fork-like (docs/design/process-abi.md). The kernel gives
 * the child a copy of memory (CLONE_VM is ignored, CLONE_VFORK makes the parent
 * wait until the child execs or exits); the child runs fn(arg) on its copy of
 * the current stack, not on `stack`, and exits with the result. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <errno.h>
#include <sched.h>
#include "pthread_impl.h"
#include "syscall.h"

int __clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	pid_t *ptid = 0, *ctid = 0;
	long r;

	/* threads cannot be emulated by a copy */
	if (flags & CLONE_THREAD) return -EAGAIN;
	if (flags & (CLONE_PARENT_SETTID|CLONE_SETTLS|CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID)) {
		va_start(ap, arg);
		ptid = va_arg(ap, pid_t *);
		(void)va_arg(ap, void *);
		ctid = va_arg(ap, pid_t *);
		va_end(ap);
	}
	r = __syscall(SYS_clone, flags & ~CLONE_SETTLS, 0, ptid, 0, ctid);
	if (r) return r;
	for (;;) __syscall(SYS_exit, fn(arg));
}
