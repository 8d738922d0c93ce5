/*
 * schedule: when the router lists the Nodes and syncs its routes.
 *
 * All of the router's timing lives here as one state struct and functions
 * that take the time and an event and return nothing but the new state:
 * debounce of node and kernel events, the periodic full resync, back-off
 * after failures of the node source, of a sync and of the masquerade, the
 * relist after a watch ends. The router asks xc_sched_due() what to do now
 * and xc_sched_deadline() when to wake next, does the work, and reports the
 * outcome back. No clock is read and no descriptor touched, so the unit
 * tests drive every transition with a fake clock (test/unit/test_schedule.c).
 *
 * The rules:
 * - Nothing is synced before the first complete listing; that listing
 *   brings a full sync at once (adopt, repair, prune).
 * - A node event or a kernel event syncs at most debounce_ms after the
 *   first of a burst (later events of the burst do not push it back).
 * - A full sync (read the kernel, refresh interfaces and addresses) every
 *   resync_ms after the last full one, at once after lost kernel events,
 *   events read during a sync that may matter, or SIGHUP, after a debounce when this node's Node, one of our devices or
 *   an address changed; one due while a sync fails waits for the failure's
 *   back-off.
 * - Failures back off exponentially with jitter (each kind its own), a
 *   success of that kind resets it; the API server's Retry-After is a floor.
 * - A sync that left a peer's link-layer address unresolved is retried
 *   after XC_SCHED_NEIGH_MS (the kernel resolves it meanwhile).
 *
 * Names: xc_sched_ XC_SCHED_
 */
#ifndef XC_SCHEDULE_H
#define XC_SCHEDULE_H

#include <stdint.h>

#include "kube/k8s.h"

/* The wait before a sync that waits for a peer's neighbour entry. */
#define XC_SCHED_NEIGH_MS 1000

/* What xc_sched_due() asks for (bits). */
enum {
	XC_SCHED_LIST = 1,        /* list the Nodes (a full listing) */
	XC_SCHED_SYNC = 2,        /* sync the routes */
	XC_SCHED_FULL = 4,        /* ... a full one: interfaces, addresses and routes
				     read again from the kernel, the masquerade
				     table rewritten whole */
	XC_SCHED_MASQ_FULL = 8,   /* ... the masquerade table rewritten whole */
};

struct xc_sched {
	unsigned debounce_ms, resync_ms;
	struct xc_k8s_backoff list_bo, sync_bo, masq_bo;
	int64_t list_at, sync_at, full_at;   /* monotonic ms; 0: not due */
	int listed;       /* a complete listing has been taken in */
	int dirty;        /* the Nodes changed since the last sync */
	int need_full, masq_full;
};

/*
 * Start: a listing due at once, a full sync after it. Back-offs: node
 * source 0.5-30 s, sync 0.2-10 s, masquerade 1-60 s.
 */
void xc_sched_init(struct xc_sched *s, unsigned debounce_ms, unsigned resync_s, int64_t now);

/* What is due at `now` (XC_SCHED_* bits, 0: nothing). */
int xc_sched_due(const struct xc_sched *s, int64_t now);

/* The earliest time something becomes due (0: nothing is scheduled). */
int64_t xc_sched_deadline(const struct xc_sched *s);

/* A complete listing was taken in. */
void xc_sched_listed(struct xc_sched *s, int64_t now);

/*
 * The node source failed (a listing, or the watch after one), with the
 * server's Retry-After in seconds (-1 if none): a listing after a back-off.
 * Returns that delay (to log).
 */
unsigned xc_sched_source_failed(struct xc_sched *s, int64_t now, long retry_after_s);

/* The source needs a full listing now (a watch expired, the file changed). */
void xc_sched_relist(struct xc_sched *s, int64_t now);

/* SIGHUP: list again, then a full sync. */
void xc_sched_hangup(struct xc_sched *s, int64_t now);

/* Nodes changed (self: this node, whose addresses and CIDRs shape the env). */
void xc_sched_nodes_changed(struct xc_sched *s, int64_t now, int self);

/*
 * The kernel changed under us: a route of ours removed (env 0), or one of
 * our devices or an address changed (env 1).
 */
void xc_sched_kernel_changed(struct xc_sched *s, int64_t now, int env);

/* Kernel events were lost (ENOBUFS): a full sync at once. */
void xc_sched_events_lost(struct xc_sched *s, int64_t now);

/* The outcome of a sync, for xc_sched_synced(). */
struct xc_sched_sync {
	int full;          /* it was a full sync */
	int failed;        /* < 0: it failed as a whole; > 0: some changes failed */
	int neigh_wait;    /* a peer's link-layer address is being resolved */
	int masq;          /* the masquerade step: > 0 ran, < 0 failed, 0 not run */
	int kernel_moved;  /* kernel events read while it applied its changes may
			    * matter, or were lost: a full sync at once after it
			    * (after the back-off if changes failed) */
};

/*
 * A sync ran (as xc_sched_due() asked). Returns the delay before the
 * masquerade's retry when it failed (to log), else 0.
 */
unsigned xc_sched_synced(struct xc_sched *s, int64_t now, const struct xc_sched_sync *r);

#endif
