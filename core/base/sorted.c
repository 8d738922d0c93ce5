/*
 * sorted: binary search in a sorted array (see sorted.h).
 */
#include "base/sorted.h"

size_t xc_sorted_find(const void *base, size_t n, size_t size, const void *key,
		      xc_sorted_cmp cmp, int *found)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp((const char *)base + mid * size, key);

		if (!c) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}
