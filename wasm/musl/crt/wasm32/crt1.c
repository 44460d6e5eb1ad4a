/* wasmux process entry (docs/design/process-abi.md, Process start).
 * The kernel enters every process (and every Asyncify rewind) through _start. */
#include <features.h>
#include "wasmux.h"

#define __NR_wasmux_init 1024

int __libc_start_main(int (*)(int, char **, char **), int, char **,
	void (*)(void), void (*)(void), void (*)(void));

/* clang names main(int, char **) __main_argc_argv and main(void) __main_void */
int __main_argc_argv(int, char **) __attribute__((__weak__));
int __main_void(void) __attribute__((__weak__));
void __wasm_call_ctors(void);

static int call_main(int argc, char **argv, char **envp)
{
	if (__main_argc_argv) return __main_argc_argv(argc, argv);
	return __main_void();
}

/* musl's __libc_start_main runs _init after __init_libc (environ, auxv,
 * TLS, stdio are ready): that is where the C constructors run. */
void _init(void)
{
	__wasm_call_ctors();
}

__attribute__((__export_name__("_start")))
void _start(void)
{
	long *p = (long *)__wasmux_import_syscall_nb(__NR_wasmux_init,
		(long)&__wasmux_sigpending, 0, 0, 0, 0, 0);
	int argc = p[0];
	char **argv = (void *)(p + 1);
	__libc_start_main(call_main, argc, argv, _init, 0, 0);
}
