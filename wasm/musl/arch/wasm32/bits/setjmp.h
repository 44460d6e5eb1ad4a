/* wasm SjLj (clang -mllvm -wasm-enable-sjlj): __wasm_setjmp stores the
 * function invocation id and the label in the first two words. */
typedef unsigned long __jmp_buf[4];
