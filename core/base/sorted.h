/*
 * sorted: binary search in an array kept sorted, and the sort that makes
 * one, written once for every sorted table of ours (the router's node
 * table, its route sets, the addresses and claims it judges pod CIDRs by,
 * the link-layer addresses of its neighbours).
 *
 * Names: xc_sorted_
 */
#ifndef XC_SORTED_H
#define XC_SORTED_H

#include <stddef.h>
#include <stdint.h>

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

/* Negative, 0 or positive as a sorts before, with or after b (arg: the sort's). */
typedef int (*xc_sorted_order)(const void *a, const void *b, const void *arg);

/* The largest element xc_sorted_sort moves (it keeps one on its stack). */
#define XC_SORTED_ELEM_MAX 128

/*
 * The order of base[0..n) (elements of size bytes) by cmp, stable, as n
 * indexes (the first element's, the second's, ...) in scratch, the
 * caller's 2 * n of them: returned, a pointer into scratch. Nothing moves.
 * A merge sort that skips merging runs already in order (a sorted input
 * costs about n comparisons); it allocates nothing. n < 2^32.
 */
uint32_t *xc_sorted_index(const void *base, size_t n, size_t size, xc_sorted_order cmp,
			  const void *arg, uint32_t *scratch);

/*
 * Sort base[0..n) (elements of size <= XC_SORTED_ELEM_MAX bytes) by cmp,
 * stably: xc_sorted_index, then every element moved once. It moves 4
 * bytes per step where qsort moves an element (musl's, through memcpy:
 * most of the router's time at 65,000 nodes). scratch: as above.
 */
void xc_sorted_sort(void *base, size_t n, size_t size, xc_sorted_order cmp, const void *arg,
		    uint32_t *scratch);

/*
 * The same with the scratch taken from the heap for the sort alone (8
 * bytes an element), for callers with no buffer of their own to lend.
 * -ENOMEM: base is as it was.
 */
int xc_sorted_sort_heap(void *base, size_t n, size_t size, xc_sorted_order cmp,
			const void *arg);

#endif
