/* wasmux wasm32 system calls (docs/design/process-abi.md, Imports).
 *
 * A syscall whose number is a compile-time constant outside the "may block"
 * set goes straight to the wasmux.syscall_nb import. Everything else goes to
 * __wasmux_syscall (src/wasmux/syscall.c), which calls the wasmux.syscall import
 * (may unwind), then delivers pending signals and restarts the call when the
 * result is a restart code. */

#define __SYSCALL_LL_E(x) \
((union { long long ll; long l[2]; }){ .ll = x }).l[0], \
((union { long long ll; long l[2]; }){ .ll = x }).l[1]
#define __SYSCALL_LL_O(x) __SYSCALL_LL_E((x))

#define SYSCALL_MMAP2_UNIT 4096ULL
#define IPC_64 0

#include "wasmux.h"

hidden long __wasmux_syscall(long, long, long, long, long, long, long);

/* The may-block set of the ABI, plus a few more calls that can wait
 * (sending a call to wasmux.syscall is always allowed). */
static inline __attribute__((__always_inline__)) int __wasmux_may_block(long n)
{
	switch (n) {
	case __NR_read: case __NR_readv: case __NR_pread64: case __NR_preadv:
	case __NR_write: case __NR_writev: case __NR_pwrite64: case __NR_pwritev:
	case __NR_openat: case __NR_close: case __NR_wait4: case __NR_waitid:
	case __NR_nanosleep: case __NR_clock_nanosleep_time64:
	case __NR_rt_sigsuspend: case __NR_rt_sigtimedwait_time64: case __NR_rt_sigprocmask:
	case __NR_kill: case __NR_tkill: case __NR_tgkill: case __NR_rt_sigqueueinfo:
	case __NR_ppoll_time64: case __NR_pselect6_time64: case __NR_epoll_pwait:
	case __NR_clone: case __NR_clone3: case __NR_execve: case __NR_execveat:
	case __NR_exit: case __NR_exit_group:
	case __NR_accept: case __NR_accept4: case __NR_connect: case __NR_sendto:
	case __NR_recvfrom: case __NR_sendmsg: case __NR_recvmsg:
	case __NR_sched_yield: case __NR_flock: case __NR_fcntl64: case __NR_ioctl:
	case __NR_futex_time64: case __NR_splice: case __NR_sendfile64:
	case __NR_copy_file_range: case __NR_msgrcv: case __NR_msgsnd: case __NR_semop:
	case __NR_wasmux_sigdeliver:
	/* additions (see wasm/README.md) */
	case __NR_preadv2: case __NR_pwritev2: case __NR_epoll_pwait2:
	case __NR_recvmmsg_time64: case __NR_sendmmsg: case __NR_semtimedop_time64:
	case __NR_mq_timedsend_time64: case __NR_mq_timedreceive_time64:
	case __NR_rt_tgsigqueueinfo: case __NR_pidfd_send_signal:
		return 1;
	default:
		return 0;
	}
}

#define __WASMUX_SC(n,a,b,c,d,e,f) \
	((__builtin_constant_p(n) && !__wasmux_may_block(n)) \
	 ? __wasmux_import_syscall_nb(n,a,b,c,d,e,f) \
	 : __wasmux_syscall(n,a,b,c,d,e,f))

static inline __attribute__((__always_inline__)) long __syscall0(long n)
{
	return __WASMUX_SC(n,0,0,0,0,0,0);
}

static inline __attribute__((__always_inline__)) long __syscall1(long n, long a)
{
	return __WASMUX_SC(n,a,0,0,0,0,0);
}

static inline __attribute__((__always_inline__)) long __syscall2(long n, long a, long b)
{
	return __WASMUX_SC(n,a,b,0,0,0,0);
}

static inline __attribute__((__always_inline__)) long __syscall3(long n, long a, long b, long c)
{
	return __WASMUX_SC(n,a,b,c,0,0,0);
}

static inline __attribute__((__always_inline__)) long __syscall4(long n, long a, long b, long c, long d)
{
	return __WASMUX_SC(n,a,b,c,d,0,0);
}

static inline __attribute__((__always_inline__)) long __syscall5(long n, long a, long b, long c, long d, long e)
{
	return __WASMUX_SC(n,a,b,c,d,e,0);
}

static inline __attribute__((__always_inline__)) long __syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	return __WASMUX_SC(n,a,b,c,d,e,f);
}
