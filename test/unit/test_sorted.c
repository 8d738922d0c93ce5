/* test_sorted: binary search in a sorted array (core/base/sorted.h). */
#include <string.h>

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

int main(void)
{
	test_ints();
	test_pointers();
	return t_done("sorted");
}
