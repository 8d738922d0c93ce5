/*
 * array: see array.h.
 */
#include <stdint.h>
#include <stdlib.h>

#include "base/array.h"

void *xc_array_grow(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t c = *cap ? *cap * 2 : first;

	if (n < *cap)
		return v;
	if (c < *cap || c > SIZE_MAX / size || !(v = realloc(v, c * size)))
		return NULL;
	*cap = c;
	return v;
}
