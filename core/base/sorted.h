/*
 * sorted: binary search in an array kept sorted, written once for every
 * sorted table of ours (the router's node table, its route sets, the
 * link-layer addresses of its neighbours).
 *
 * Names: xc_sorted_
 */
#ifndef XC_SORTED_H
#define XC_SORTED_H

#include <stddef.h>

/* Negative, 0 or positive as the element at elem sorts before, with or after key. */
typedef int (*xc_sorted_cmp)(const void *elem, const void *key);

/*
 * In base[0..n), elements of size bytes in cmp's order: the index of an
 * element equal to key (*found 1), or the index at which key would be
 * inserted to keep the order (*found 0). With keys that are unique, as in
 * a set, the element equal to key is the one.
 */
size_t xc_sorted_find(const void *base, size_t n, size_t size, const void *key,
		      xc_sorted_cmp cmp, int *found);

#endif
