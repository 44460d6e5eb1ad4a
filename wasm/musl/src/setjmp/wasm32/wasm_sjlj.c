/* Runtime for clang's WebAssembly SjLj lowering (LLVM 19,
 * -mexception-handling -mllvm -wasm-enable-sjlj).
 *
 * In a function that calls setjmp, the compiler replaces each setjmp call
 * with __wasm_setjmp(env, label, id), where label > 0 names the call site and
 * id is unique to the running invocation of that function. longjmp becomes
 * __wasm_longjmp(env, val), which throws the __c_longjmp tag with a pointer to
 * {env, val}; every such function catches it and asks __wasm_setjmp_test
 * whether env belongs to this invocation (returns the label) or not (0, then
 * it rethrows). env->__jb[0] holds the invocation id, env->__jb[1] the label. */
#include <setjmp.h>

struct __wasm_longjmp_args {
	void *env;
	int val;
};

static struct __wasm_longjmp_args longjmp_args;

/* src/wasmux/syscall.c: a handler run from __wasmux_preempt may leave by longjmp */
extern __attribute__((__visibility__("hidden"))) int __wasmux_in_preempt;

void __wasm_setjmp(void *env, unsigned label, void *func_invocation_id)
{
	struct __jmp_buf_tag *jb = env;
	jb->__jb[0] = (unsigned long)func_invocation_id;
	jb->__jb[1] = label;
}

unsigned __wasm_setjmp_test(void *env, void *func_invocation_id)
{
	struct __jmp_buf_tag *jb = env;
	if (jb->__jb[0] == (unsigned long)func_invocation_id)
		return jb->__jb[1];
	return 0;
}

_Noreturn void __wasm_longjmp(void *env, int val)
{
	__wasmux_in_preempt = 0;
	longjmp_args.env = env;
	longjmp_args.val = val ? val : 1;
	__builtin_wasm_throw(1, &longjmp_args);
}
