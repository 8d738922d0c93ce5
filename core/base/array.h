/*
 * array: making room in the arrays our tables append to one element at a
 * time, written once (node table, masquerade sets, neighbour addresses, a
 * sync pass's changes, the nodes applet's names).
 *
 * Names: xc_array_
 */
#ifndef XC_ARRAY_H
#define XC_ARRAY_H

#include <stddef.h>

/*
 * Room for one more element (size bytes) after the n that v holds, *cap
 * the room it has: v itself while n < *cap, else v moved into twice the
 * room (first elements when it had none) and *cap updated. NULL when there
 * is no memory, or the room would not fit a size_t: v and *cap are then as
 * they were.
 */
void *xc_array_grow(void *v, size_t *cap, size_t n, size_t size, size_t first);

#endif
