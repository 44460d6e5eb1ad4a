/* One process = one instance = one thread: the thread pointer is a plain
 * C global set by __set_thread_area (src/thread/wasm32/__set_thread_area.c). */
extern hidden uintptr_t __wasmux_tp;

static inline uintptr_t __get_tp()
{
	return __wasmux_tp;
}

#define MC_PC __regs[0]
