/* struct wasmux_sigframe (docs/design/process-abi.md, Signals). Internal to libc. */
#ifndef _WASMUX_SIGFRAME_H
#define _WASMUX_SIGFRAME_H

#include <stdint.h>
#include <signal.h>

/* Filled by wasmux_sigdeliver (1025); 160 bytes. */
struct wasmux_sigframe {
	uint32_t sig;          /*   0 */
	uint32_t handler;      /*   4 function pointer (table index) */
	uint32_t flags;        /*   8 sa_flags */
	int32_t  result;       /*  12 the syscall result after this delivery */
	uint64_t oldmask;      /*  16 mask restored by rt_sigreturn */
	uint32_t pad[2];       /*  24 */
	siginfo_t info;        /*  32 128 bytes, Linux layout */
};

_Static_assert(sizeof(struct wasmux_sigframe) == 160, "wasmux_sigframe size");
_Static_assert(__builtin_offsetof(struct wasmux_sigframe, info) == 32, "wasmux_sigframe.info");
_Static_assert(sizeof(siginfo_t) == 128, "siginfo_t size");

#endif
