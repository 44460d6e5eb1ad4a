/* wasmux: no ELF program headers and no TLS segment (clang turns __thread
 * into ordinary globals without the atomics feature). The main thread
 * structure is a static object; the thread pointer is a C global. */
#include <string.h>
#include "pthread_impl.h"
#include "libc.h"
#include "syscall.h"

volatile int __thread_list_lock;

int __init_tp(void *p)
{
	pthread_t td = p;
	td->self = td;
	int r = __set_thread_area(TP_ADJ(p));
	if (r < 0) return -1;
	if (!r) libc.can_do_threads = 1;
	td->detach_state = DT_JOINABLE;
	td->tid = __syscall(SYS_set_tid_address, &__thread_list_lock);
	td->locale = &libc.global_locale;
	td->robust_list.head = &td->robust_list.head;
	td->sysinfo = __sysinfo;
	td->next = td->prev = td;
	return 0;
}

static struct pthread main_thread;
static uintptr_t main_dtv[1];

/* Only reachable from pthread_create, which fails on wasmux (no threads). */
void *__copy_tls(unsigned char *mem)
{
	pthread_t td;
	mem += -(uintptr_t)mem & (libc.tls_align-1);
	td = (pthread_t)mem;
	td->dtv = main_dtv;
	return td;
}

static void static_init_tls(size_t *aux)
{
	libc.tls_head = 0;
	libc.tls_cnt = 0;
	libc.tls_align = _Alignof(struct pthread);
	libc.tls_size = sizeof(struct pthread) + libc.tls_align;
	main_dtv[0] = 0;
	main_thread.dtv = main_dtv;
	if (__init_tp(&main_thread) < 0)
		a_crash();
}

weak_alias(static_init_tls, __init_tls);
