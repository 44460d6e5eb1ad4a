#define _GNU_SOURCE
#include <unistd.h>
#include <signal.h>
#include <sched.h>
#include "syscall.h"

/* The child runs on a copy of memory; CLONE_VFORK keeps the parent waiting
 * until the child execs or exits, as on Linux. */
pid_t vfork(void)
{
	return syscall(SYS_clone, CLONE_VM|CLONE_VFORK|SIGCHLD, 0, 0, 0, 0);
}
