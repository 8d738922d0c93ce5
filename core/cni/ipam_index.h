/*
 * ipam_index: the owner index of ipam_store (internal to it; the design
 * is at the head of ipam_store.h).
 *
 * xc-index is a header and a power-of-two table of 32-byte slots, mapped
 * shared: key (hash of the owner record; 0 empty, 1 deleted), family,
 * address and a check. Linear probing. The header holds the directory
 * stamp, the boot id, a dirty flag raised before the first change of a
 * session and cleared by xc_ipam_idx_stamp once the directory's state is
 * recorded, and a check of its counts. The checks catch the index changed
 * in place, which the stamp cannot see (ipam_index.c).
 *
 * Functions return 0 or a negative errno.
 *
 * Names: xc_ipam_idx_
 */
#ifndef XC_IPAM_INDEX_H
#define XC_IPAM_INDEX_H

#include <stdint.h>

#include "cni/ipam_store.h"

#define XC_IPAM_IDX_NAME "xc-index"
#define XC_IPAM_IDX_TMP "xc-index.tmp"

/* Map xc-index into st and check that it can be trusted (-ESTALE if not). */
int xc_ipam_idx_load(struct xc_ipam_store *st);

/*
 * A new empty index sized for `entries`, in XC_IPAM_IDX_TMP, returned as
 * *fd and *map; fill it with xc_ipam_idx_put, then xc_ipam_idx_install
 * (or xc_ipam_idx_discard).
 */
int xc_ipam_idx_create(struct xc_ipam_store *st, uint64_t entries, int *fd, void **map);
/* Add an entry to a mapped index without growing it (-ENOSPC when full). */
int xc_ipam_idx_put(void *map, uint64_t key, const struct xc_ip *ip);
/* Rename the new index over xc-index and make it st's. */
int xc_ipam_idx_install(struct xc_ipam_store *st, int fd, void *map);
/* Throw a new index away. */
void xc_ipam_idx_discard(struct xc_ipam_store *st, int fd, void *map);

/*
 * Add (growing the table as needed) or remove an entry of st's index.
 * Insert fails with -EBADMSG when it meets a damaged slot (the caller then
 * drops the index); remove drops the index itself.
 */
int xc_ipam_idx_insert(struct xc_ipam_store *st, uint64_t key, const struct xc_ip *ip);
void xc_ipam_idx_remove(struct xc_ipam_store *st, uint64_t key, const struct xc_ip *ip);

/*
 * Walk entries: with key != 0 those of that key (its probe chain), with
 * key 0 all of them. Start with it->pos = it->steps = 0; returns 1 with
 * the next entry's address and key, 0 at the end. A damaged slot on the
 * way drops the index (st->map NULL after the walk): the caller must then
 * scan the directory instead.
 */
struct xc_ipam_idx_it {
	uint64_t key;
	uint32_t pos, steps;
};
int xc_ipam_idx_next(struct xc_ipam_store *st, struct xc_ipam_idx_it *it,
		     struct xc_ip *ip, uint64_t *key);

/* Raise the dirty flag (and st->dirty): the directory is about to change. */
void xc_ipam_idx_touch(struct xc_ipam_store *st);
/* Record the directory's state and clear the dirty flag (under the lock, last). */
void xc_ipam_idx_stamp(struct xc_ipam_store *st);
/* Unmap and close st's index. */
void xc_ipam_idx_unmap(struct xc_ipam_store *st);
/* Forget an index that may be wrong: remove the file, unmap. */
void xc_ipam_idx_drop(struct xc_ipam_store *st);

#endif
