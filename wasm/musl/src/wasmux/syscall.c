/* wasmux: the blocking syscall path, libc-side signal delivery and the
 * preemption hook (docs/design/process-abi.md, Imports and Signals). */
#include <signal.h>
#include <string.h>
#include "syscall.h"
#include "wasmux_sigframe.h"

#define ERESTARTSYS           512
#define ERESTARTNOHAND        514
#define ERESTART_RESTARTBLOCK 516

/* Address handed to the kernel by wasmux_init (crt1.c). */
volatile int __wasmux_sigpending;

static int is_restart(long r)
{
	return r == -ERESTARTSYS || r == -ERESTARTNOHAND || r == -ERESTART_RESTARTBLOCK;
}

/* Delivery loop: r is the result of the syscall just made (0 after preempt).
 * Returns the result the interrupted call should see. */
long __wasmux_deliver_signals(long r)
{
	struct wasmux_sigframe frame;

	frame.result = r;
	while (__wasmux_import_syscall(__NR_wasmux_sigdeliver, (long)&frame, r, 0, 0, 0, 0) > 0) {
		uintptr_t h = frame.handler;
		if (h > 1) {    /* never SIG_DFL/SIG_IGN: the kernel handles those */
			if (frame.flags & SA_SIGINFO) {
				ucontext_t uc;
				memset(&uc, 0, sizeof uc);
				memcpy(&uc.uc_sigmask, &frame.oldmask, sizeof frame.oldmask);
				((void (*)(int, siginfo_t *, void *))h)(frame.sig, &frame.info, &uc);
				/* a handler may change the mask to restore, as with sigreturn */
				memcpy(&frame.oldmask, &uc.uc_sigmask, sizeof frame.oldmask);
			} else {
				((void (*)(int))h)(frame.sig);
			}
		}
		__wasmux_import_syscall_nb(__NR_rt_sigreturn, (long)&frame, 0, 0, 0, 0, 0);
		r = frame.result;
	}
	return frame.result;
}

/* Every syscall that may block, or whose number is not known at compile time. */
long __wasmux_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	for (;;) {
		long r = __wasmux_import_syscall(n, a, b, c, d, e, f);
		if (!__wasmux_sigpending)
			return is_restart(r) ? -EINTR : r;
		r = __wasmux_deliver_signals(r);
		if (!is_restart(r)) return r;
	}
}

/* Set while __wasmux_preempt runs signal handlers. Until __wasmux_preempt
 * returns, the fuel global stays negative, so every instrumented function a
 * handler calls re-enters __wasmux_preempt: the nested calls only yield (the
 * import) and return fresh fuel, they do not deliver again. __wasm_longjmp
 * clears the flag (a handler may leave by siglongjmp); a spurious clear only
 * costs one more nesting level. */
hidden int __wasmux_in_preempt;

/* Called by the fuel check the post-link pass inserts; returns the new fuel.
 * The post-link pass must not instrument this function itself. */
__attribute__((__export_name__("__wasmux_preempt")))
int __wasmux_preempt(void)
{
	int fuel = __wasmux_import_preempt();
	if (__wasmux_in_preempt || !__wasmux_sigpending) return fuel;
	__wasmux_in_preempt = 1;
	__wasmux_deliver_signals(0);
	__wasmux_in_preempt = 0;
	return fuel;
}
