/* wasmux private interface between libc and the kernel (docs/design/process-abi.md).
 * Internal to libc: not installed. */
#ifndef _WASMUX_H
#define _WASMUX_H

/* The three kernel imports. syscall may unwind (Asyncify); syscall_nb never does. */
long __wasmux_import_syscall(long, long, long, long, long, long, long)
	__attribute__((__import_module__("wasmux"), __import_name__("syscall")));
long __wasmux_import_syscall_nb(long, long, long, long, long, long, long)
	__attribute__((__import_module__("wasmux"), __import_name__("syscall_nb")));
int __wasmux_import_preempt(void)
	__attribute__((__import_module__("wasmux"), __import_name__("preempt")));

/* Set by the kernel to 1 while a signal is pending and unblocked. */
extern volatile int __wasmux_sigpending;

/* Runs the delivery loop for a syscall that returned r; returns the final result. */
hidden long __wasmux_deliver_signals(long r);

#endif
