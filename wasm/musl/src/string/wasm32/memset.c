#include <string.h>

/* bulk-memory: compiles to memory.fill */
void *memset(void *dest, int c, size_t n)
{
	return __builtin_memset(dest, c, n);
}
