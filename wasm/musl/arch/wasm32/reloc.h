/* wasm32 is linked statically by wasm-ld: there is no dynamic linker.
 * These definitions only let shared dynlink headers compile. */
#define LDSO_ARCH "wasm32"

#define REL_SYMBOLIC    1
#define REL_GOT         2
#define REL_PLT         3
#define REL_RELATIVE    4
#define REL_COPY        5
#define REL_DTPMOD      6
#define REL_DTPOFF      7
#define REL_TPOFF       8

#define CRTJMP(pc,sp) __builtin_trap()
#define GETFUNCSYM(fp, sym, got) (*(fp) = (void *)0)
