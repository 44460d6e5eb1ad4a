#include "syscall.h"

/* sa_restorer values for rt_sigaction. wasmux delivers signals from libc
 * (src/wasmux/syscall.c) and never calls these; they exist for the ABI. */
hidden void __restore_rt(void)
{
	__syscall(SYS_rt_sigreturn);
}

hidden void __restore(void)
{
	__syscall(SYS_rt_sigreturn);
}
