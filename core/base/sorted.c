/*
 * sorted: binary search in a sorted array, and a sort (see sorted.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

#define ELEM(i) ((const char *)base + (size_t)(i) * size)

/* One pass of the bottom-up merge: runs of w from a into b. */
static void merge_pass(const void *base, size_t size, size_t n, size_t w, const uint32_t *a,
		       uint32_t *b, xc_sorted_order cmp, const void *arg)
{
	for (size_t i = 0; i < n; i += 2 * w) {
		size_t l = i, m = i + w < n ? i + w : n, r = m, e = i + 2 * w < n ? i + 2 * w : n;
		size_t k = i;

		if (r == e || cmp(ELEM(a[m - 1]), ELEM(a[r]), arg) <= 0) {
			memcpy(b + i, a + i, (e - i) * sizeof(*a));     /* in order already */
			continue;
		}
		while (l < m && r < e)
			b[k++] = cmp(ELEM(a[r]), ELEM(a[l]), arg) < 0 ? a[r++] : a[l++];
		memcpy(b + k, a + l, (m - l) * sizeof(*a));
		k += m - l;
		memcpy(b + k, a + r, (e - r) * sizeof(*a));
	}
}

/* Move each element to where a says (a[k]: the element that goes to k), cycle by cycle. */
static void permute(void *base, size_t size, uint32_t *a, size_t n)
{
	unsigned char tmp[XC_SORTED_ELEM_MAX];
	char *v = base;

	for (size_t i = 0; i < n; i++) {
		size_t j = i, k;

		if (a[i] == i)
			continue;       /* in place, or moved with an earlier cycle */
		memcpy(tmp, v + i * size, size);
		while ((k = a[j]) != i) {
			memcpy(v + j * size, v + k * size, size);
			a[j] = (uint32_t)j;
			j = k;
		}
		memcpy(v + j * size, tmp, size);
		a[j] = (uint32_t)j;
	}
}

uint32_t *xc_sorted_index(const void *base, size_t n, size_t size, xc_sorted_order cmp,
			  const void *arg, uint32_t *scratch)
{
	uint32_t *a = scratch, *b = scratch + n, *t;

	for (size_t i = 0; i < n; i++)
		a[i] = (uint32_t)i;
	for (size_t w = 1; w < n; w *= 2) {
		merge_pass(base, size, n, w, a, b, cmp, arg);
		t = a;
		a = b;
		b = t;
	}
	return a;
}

void xc_sorted_sort(void *base, size_t n, size_t size, xc_sorted_order cmp, const void *arg,
		    uint32_t *scratch)
{
	if (size > XC_SORTED_ELEM_MAX)
		abort();        /* a caller's type, never input: fails its first test */
	if (n > 1)
		permute(base, size, xc_sorted_index(base, n, size, cmp, arg, scratch), n);
}

int xc_sorted_sort_heap(void *base, size_t n, size_t size, xc_sorted_order cmp,
			const void *arg)
{
	uint32_t *scratch;

	if (n < 2)
		return 0;
	scratch = malloc(2 * n * sizeof(*scratch));
	if (!scratch)
		return -ENOMEM;
	xc_sorted_sort(base, n, size, cmp, arg, scratch);
	free(scratch);
	return 0;
}
