/* wasm32 has no assembly entry point: _start is written in C
 * (crt/wasm32/crt1.c) and exported by name. */
