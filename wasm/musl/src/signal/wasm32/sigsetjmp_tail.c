#include <setjmp.h>
#include <signal.h>
#include "syscall.h"

/* sigsetjmp is a macro on wasm32 (include/setjmp.h, patched): setjmp must be
 * called directly by the function that uses it. The macro stores savemask in
 * __fl and passes setjmp's result here: 0 saves the signal mask, nonzero
 * (return from siglongjmp) restores it. */
int __sigsetjmp_tail(sigjmp_buf jb, int ret)
{
	if (jb->__fl) {
		void *p = jb->__ss;
		__syscall(SYS_rt_sigprocmask, SIG_SETMASK, ret?p:0, ret?0:p, _NSIG/8);
	}
	return ret;
}
