#include <setjmp.h>

/* Direct calls to setjmp are rewritten by the compiler (see wasm_sjlj.c).
 * This out-of-line version is only reached through a function pointer or from
 * code compiled without -mllvm -wasm-enable-sjlj: it cannot record a context,
 * so a later longjmp to env is an uncaught exception (the process traps). */
int (setjmp)(jmp_buf env)
{
	env->__jb[0] = 0;
	env->__jb[1] = 0;
	return 0;
}

/* not an alias: the SjLj lowering rejects any other use of setjmp */
int (_setjmp)(jmp_buf env)
{
	env->__jb[0] = 0;
	env->__jb[1] = 0;
	return 0;
}
