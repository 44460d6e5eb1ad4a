/* Cancellation-point syscalls. Without threads, only self-cancellation
 * (pthread_cancel(pthread_self())) can request cancellation. */
#include "pthread_impl.h"
#include "syscall.h"

hidden long __cancel();

/* pthread_cancel.c compares a signal context's pc against these; wasm has no
 * code addresses, so they are empty markers that no pc can fall between. */
hidden const char __cp_begin[1], __cp_end[1], __cp_cancel[1];

hidden long __syscall_cp_asm(volatile int *cancel, syscall_arg_t nr,
	syscall_arg_t u, syscall_arg_t v, syscall_arg_t w,
	syscall_arg_t x, syscall_arg_t y, syscall_arg_t z)
{
	if (*cancel) return __cancel();
	return __wasmux_syscall(nr, u, v, w, x, y, z);
}
