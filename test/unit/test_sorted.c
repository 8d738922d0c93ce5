/* test_sorted: binary search in a sorted array, and the sort (core/base/sorted.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/sorted.h"
#include "t.h"

static int cmp_int(const void *elem, const void *key)
{
	int a = *(const int *)elem, b = *(const int *)key;

	return (a > b) - (a < b);
}

static int cmp_str(const void *elem, const void *key)
{
	return strcmp(*(const char *const *)elem, key);
}

static size_t find(const int *v, size_t n, int key, int *found)
{
	return xc_sorted_find(v, n, sizeof(*v), &key, cmp_int, found);
}

static void test_ints(void)
{
	static const int v[] = { 2, 4, 6, 8, 10, 12, 14 };
	size_t n = sizeof(v) / sizeof(v[0]);
	int found = -1;

	/* every element found where it is, every gap at its insertion point */
	for (size_t i = 0; i < n; i++) {
		T_INT(find(v, n, v[i], &found), i);
		T_INT(found, 1);
		T_INT(find(v, n, v[i] - 1, &found), i);
		T_INT(found, 0);
	}
	T_INT(find(v, n, 99, &found), n);
	T_INT(found, 0);
	T_INT(find(v, 0, 1, &found), 0);
	T_INT(found, 0);
	T_INT(find(NULL, 0, 1, &found), 0);   /* an empty table may have no array yet */
	T_INT(find(v, 1, 2, &found), 0);
	T_INT(found, 1);
}

static void test_pointers(void)
{
	/* an array of pointers, as the node table keeps: cmp gets the slot */
	static const char *const names[] = { "a", "node-1", "node-2", "z" };
	int found = -1;

	T_INT(xc_sorted_find(names, 4, sizeof(names[0]), "node-2", cmp_str, &found), 2);
	T_INT(found, 1);
	T_INT(xc_sorted_find(names, 4, sizeof(names[0]), "node-10", cmp_str, &found), 2);
	T_INT(found, 0);
}

/* An element of an odd size, as struct xc_ip is: the key, then where it started. */
struct odd {
	int key;
	uint32_t seq;
	char pad[25];
};

static int by_key(const void *pa, const void *pb, const void *arg)
{
	const struct odd *a = pa, *b = pb;

	if (arg)
		++*(size_t *)arg;       /* comparisons made */
	return (a->key > b->key) - (a->key < b->key);
}

/* Sorted by key, ties in their first order (stable), every element there once. */
static int in_order(const struct odd *v, size_t n)
{
	uint8_t *seen = calloc(n + 1, 1);
	int ok = 1;

	for (size_t i = 0; i < n; i++) {
		ok &= v[i].seq < n && !seen[v[i].seq] && v[i].pad[24] == (char)v[i].seq;
		if (v[i].seq < n)
			seen[v[i].seq] = 1;
		if (i)
			ok &= v[i - 1].key < v[i].key ||
			      (v[i - 1].key == v[i].key && v[i - 1].seq < v[i].seq);
	}
	free(seen);
	return ok;
}

static void fill(struct odd *v, size_t n, int how)
{
	for (size_t i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].key = how == 0 ? rand() % 50 : how == 1 ? (int)i : -(int)i;
		v[i].seq = (uint32_t)i;
		v[i].pad[24] = (char)i;
	}
}

static void test_sort(void)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 7, 64, 65, 1000, 4097 };
	struct odd *v = malloc(4097 * sizeof(*v)), *before = malloc(4097 * sizeof(*v));
	uint32_t *scratch = malloc(2 * 4097 * sizeof(*scratch)), *ord;

	srand(7);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k], cmps = 0;

		/* random keys with many ties; then reversed */
		fill(v, n, 0);
		xc_sorted_sort(v, n, sizeof(*v), by_key, NULL, scratch);
		T(in_order(v, n));
		fill(v, n, 2);
		xc_sorted_sort(v, n, sizeof(*v), by_key, NULL, scratch);
		T(in_order(v, n));
		/* an input in order already: about n comparisons, nothing moved */
		fill(v, n, 1);
		xc_sorted_sort(v, n, sizeof(*v), by_key, &cmps, scratch);
		T(in_order(v, n));
		T(cmps <= n);
		/* the order alone: the array is left as it was */
		fill(v, n, 0);
		memcpy(before, v, n * sizeof(*v));
		ord = xc_sorted_index(v, n, sizeof(*v), by_key, NULL, scratch);
		T(!n || !memcmp(before, v, n * sizeof(*v)));
		for (size_t i = 0; i < n; i++)
			before[i] = v[ord[i]];
		T(in_order(before, n));
		T(ord == scratch || ord == scratch + n);
		/* the same with the heap's scratch */
		fill(v, n, 0);
		T_INT(xc_sorted_sort_heap(v, n, sizeof(*v), by_key, NULL), 0);
		T(in_order(v, n));
	}
	free(v);
	free(before);
	free(scratch);
}

/* xc_array_grow: room when full, doubled, and nothing lost when it cannot be had */
static void test_grow(void)
{
	size_t cap = 0, n = 0;
	int *v = NULL, *w;

	for (int i = 0; i < 100; i++) {
		if (!T((w = xc_array_grow(v, &cap, n, sizeof(*v), 4)) != NULL))
			break;
		v = w;
		v[n++] = i;
	}
	T_INT((int)cap, 128);   /* 4, 8, ..., 128 */
	T_INT(v[99], 99);
	T(xc_array_grow(v, &cap, 50, sizeof(*v), 4) == v);     /* room left: as it is */
	T_INT((int)cap, 128);
	T(xc_array_grow(v, &cap, 128, SIZE_MAX / 200, 4) == NULL);  /* would not fit */
	T_INT((int)cap, 128);
	T_INT(v[0] + v[99], 99);
	free(v);
}

int main(void)
{
	test_ints();
	test_pointers();
	test_sort();
	test_grow();
	return t_done("sorted");
}
