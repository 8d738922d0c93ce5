/*
 * test_schedule: core/router/schedule driven by a fake clock - the
 * router's debounce, resync, back-off, relist and SIGHUP rules without a
 * kernel, an API server or a wait.
 */
#include "t.h"
#include "router/schedule.h"

#define T0 1000000   /* any monotonic time */
#define DEBOUNCE 10
#define RESYNC_S 60

enum { SYNC = XC_SCHED_SYNC, FULL_SYNC = XC_SCHED_SYNC | XC_SCHED_FULL | XC_SCHED_MASQ_FULL };

static const struct xc_sched_sync ok_full = { .full = 1, .masq = 1 };
static const struct xc_sched_sync ok_incr = { .masq = 1 };

/* A router that has listed and done its first full sync at `now`. */
static void running(struct xc_sched *s, int64_t now)
{
	xc_sched_init(s, DEBOUNCE, RESYNC_S, now);
	s->list_bo.seed = 1, s->sync_bo.seed = 2, s->masq_bo.seed = 3;
	xc_sched_listed(s, now);
	xc_sched_synced(s, now, &ok_full);
}

static void start(void)
{
	struct xc_sched s;

	xc_sched_init(&s, DEBOUNCE, RESYNC_S, T0);
	T_INT(xc_sched_due(&s, T0), XC_SCHED_LIST);
	T_INT(xc_sched_deadline(&s), T0);
	/* Before the first listing nothing syncs, and nothing wakes for it. */
	xc_sched_nodes_changed(&s, T0, 0);
	xc_sched_kernel_changed(&s, T0, 1);
	T_INT(xc_sched_due(&s, T0 + 100), XC_SCHED_LIST);
	xc_sched_source_failed(&s, T0, -1);
	T_INT(xc_sched_due(&s, T0 + 100), 0);
	T(xc_sched_deadline(&s) >= T0 + 250 && xc_sched_deadline(&s) <= T0 + 500);
	/* The first listing brings a full sync at once. */
	xc_sched_listed(&s, T0 + 600);
	T_INT(xc_sched_due(&s, T0 + 600), FULL_SYNC);
	xc_sched_synced(&s, T0 + 600, &ok_full);
	T_INT(xc_sched_due(&s, T0 + 600), 0);
	T_INT(xc_sched_deadline(&s), T0 + 600 + RESYNC_S * 1000);
	T_INT(s.listed, 1);
	T_INT(s.dirty, 0);
}

static void burst(void)
{
	struct xc_sched s;

	running(&s, T0);
	/* Three events in 7 ms: one sync, 10 ms after the first. */
	xc_sched_nodes_changed(&s, T0 + 100, 0);
	xc_sched_nodes_changed(&s, T0 + 103, 0);
	xc_sched_nodes_changed(&s, T0 + 107, 0);
	T_INT(xc_sched_deadline(&s), T0 + 110);
	T_INT(xc_sched_due(&s, T0 + 109), 0);
	T_INT(xc_sched_due(&s, T0 + 110), SYNC);
	T_INT(s.dirty, 1);
	xc_sched_synced(&s, T0 + 110, &ok_incr);
	T_INT(s.dirty, 0);
	T_INT(xc_sched_due(&s, T0 + 111), 0);
	/* The resync clock still counts from the last full sync. */
	T_INT(xc_sched_deadline(&s), T0 + RESYNC_S * 1000);
	/* This node's own change: a full sync (its addresses shape the env). */
	xc_sched_nodes_changed(&s, T0 + 200, 1);
	T_INT(xc_sched_due(&s, T0 + 210), FULL_SYNC);
}

static void kernel(void)
{
	struct xc_sched s;

	running(&s, T0);
	xc_sched_kernel_changed(&s, T0 + 5, 0);        /* a route of ours removed */
	T_INT(xc_sched_due(&s, T0 + 15), SYNC);
	xc_sched_synced(&s, T0 + 15, &ok_incr);
	xc_sched_kernel_changed(&s, T0 + 20, 1);       /* an address changed */
	T_INT(xc_sched_due(&s, T0 + 30), FULL_SYNC);
	xc_sched_synced(&s, T0 + 30, &ok_full);
	T_INT(xc_sched_due(&s, T0 + 40), 0);
	/* Lost netlink events: a full sync now, not after a debounce. */
	xc_sched_events_lost(&s, T0 + 50);
	T_INT(xc_sched_due(&s, T0 + 50), FULL_SYNC);
	xc_sched_synced(&s, T0 + 50, &ok_full);
	T_INT(xc_sched_deadline(&s), T0 + 50 + RESYNC_S * 1000);
	/*
	 * Events read while a sync applied its changes that may matter (or
	 * were lost): a full sync at once after it, full or not, and after a
	 * sync that failed as a whole, at its back-off.
	 */
	xc_sched_synced(&s, T0 + 60, &(struct xc_sched_sync){ .full = 1, .masq = 1,
							   .kernel_moved = 1 });
	T_INT(xc_sched_due(&s, T0 + 60), FULL_SYNC);
	xc_sched_synced(&s, T0 + 60, &(struct xc_sched_sync){ .masq = 1, .kernel_moved = 1 });
	T_INT(xc_sched_due(&s, T0 + 60), FULL_SYNC);
	xc_sched_synced(&s, T0 + 60, &ok_full);
	T_INT(xc_sched_due(&s, T0 + 60), 0);
	xc_sched_synced(&s, T0 + 70, &(struct xc_sched_sync){ .failed = -1, .masq = 1,
							   .kernel_moved = 1 });
	T_INT(xc_sched_due(&s, T0 + 70), 0);
	T_INT(xc_sched_due(&s, xc_sched_deadline(&s)), FULL_SYNC);
	/* some of its changes failed: the full sync waits for their back-off */
	xc_sched_synced(&s, T0 + 80, &ok_full);
	xc_sched_synced(&s, T0 + 90, &(struct xc_sched_sync){ .failed = 2, .masq = 1,
							   .kernel_moved = 1 });
	T_INT(xc_sched_due(&s, T0 + 90), 0);
	T(xc_sched_deadline(&s) > T0 + 90);
	T_INT(xc_sched_due(&s, xc_sched_deadline(&s)), FULL_SYNC);
}

static void resync(void)
{
	struct xc_sched s;
	int64_t due = T0 + RESYNC_S * 1000, at;

	running(&s, T0);
	T_INT(xc_sched_due(&s, due - 1), 0);
	T_INT(xc_sched_due(&s, due), FULL_SYNC);
	/* It fails: the full sync waits for the back-off, no loop meanwhile. */
	xc_sched_synced(&s, due, &(struct xc_sched_sync){ .full = 1, .failed = -1, .masq = 1 });
	T_INT(xc_sched_due(&s, due), 0);
	at = xc_sched_deadline(&s);
	T(at >= due + 100 && at <= due + 200);
	T_INT(xc_sched_due(&s, at - 1), 0);
	T_INT(xc_sched_due(&s, at), FULL_SYNC);
	/* An incremental sync in the way does not pay the full one's debt. */
	xc_sched_synced(&s, at, &ok_incr);
	T_INT(s.need_full, 1);
	xc_sched_nodes_changed(&s, at + 1, 0);
	T_INT(xc_sched_due(&s, at + 11), FULL_SYNC);
	xc_sched_synced(&s, at + 11, &ok_full);
	T_INT(xc_sched_deadline(&s), at + 11 + RESYNC_S * 1000);
}

static void backoff(void)
{
	struct xc_sched s;
	int64_t now = T0, prev = 0;
	const struct xc_sched_sync fail = { .failed = -1, .masq = 1 };

	running(&s, T0);
	xc_sched_nodes_changed(&s, now, 0);
	now += DEBOUNCE;
	/* 0.2 s doubling to 10 s, each delay in [cur/2, cur]. */
	for (unsigned cur = 200, i = 0; i < 9; i++, cur = cur * 2 > 10000 ? 10000 : cur * 2) {
		int64_t d;

		xc_sched_synced(&s, now, &fail);
		d = xc_sched_deadline(&s) - now;
		T(d >= cur / 2 && d <= cur);
		if (i == 8)
			T_INT(cur, 10000);
		prev = d;
		now += d;
		T_INT(xc_sched_due(&s, now), SYNC);
	}
	T(prev >= 5000);
	T_INT(s.dirty, 1);
	/* Partial failures retry on the same back-off; a success resets it. */
	xc_sched_synced(&s, now, &(struct xc_sched_sync){ .failed = 2, .masq = 1 });
	T_INT(s.dirty, 0);
	T(xc_sched_deadline(&s) - now >= 5000);
	now = xc_sched_deadline(&s);
	xc_sched_synced(&s, now, &ok_incr);
	xc_sched_kernel_changed(&s, now, 0);
	now += DEBOUNCE;
	xc_sched_synced(&s, now, &fail);
	T(xc_sched_deadline(&s) - now <= 200);
}

static void source(void)
{
	struct xc_sched s;
	int64_t now = T0 + 1000;
	unsigned d;

	running(&s, T0);
	/* The watch expired (410): relist now; the routes are not touched. */
	xc_sched_relist(&s, now);
	T_INT(xc_sched_due(&s, now), XC_SCHED_LIST);
	/* The relist fails: back off (0.5 s doubling to 30 s) ... */
	d = xc_sched_source_failed(&s, now, -1);
	T(d >= 250 && d <= 500);
	T_INT(xc_sched_deadline(&s), now + d);
	/* ... while kernel events still sync with the table as it is. */
	xc_sched_kernel_changed(&s, now + 1, 0);
	T_INT(xc_sched_due(&s, now + 11), SYNC);
	xc_sched_synced(&s, now + 11, &ok_incr);
	d = xc_sched_source_failed(&s, now, -1);
	T(d >= 500 && d <= 1000);
	/* The server's Retry-After is a floor. */
	d = xc_sched_source_failed(&s, now, 20);
	T(d >= 20000 && d <= 25000);
	/* A listing that works resets the back-off, and syncs only what changed. */
	xc_sched_listed(&s, now + d);
	T_INT(xc_sched_due(&s, now + d), 0);
	d = xc_sched_source_failed(&s, now + d, -1);
	T(d >= 250 && d <= 500);
}

static void hangup(void)
{
	struct xc_sched s;

	running(&s, T0);
	xc_sched_hangup(&s, T0 + 5);
	T_INT(xc_sched_due(&s, T0 + 5), XC_SCHED_LIST | FULL_SYNC);
	/* The listing fails: the full sync still runs, with the table it has. */
	xc_sched_source_failed(&s, T0 + 5, -1);
	T_INT(xc_sched_due(&s, T0 + 5), FULL_SYNC);
}

static void neighbours_and_masq(void)
{
	struct xc_sched s;
	int64_t at;

	running(&s, T0);
	xc_sched_nodes_changed(&s, T0, 0);
	xc_sched_synced(&s, T0 + 10, &(struct xc_sched_sync){ .neigh_wait = 1, .masq = 1 });
	T_INT(xc_sched_deadline(&s), T0 + 10 + XC_SCHED_NEIGH_MS);
	T_INT(xc_sched_due(&s, T0 + 10 + XC_SCHED_NEIGH_MS), SYNC);
	/* The masquerade fails: its own back-off (1 s doubling to 60 s), and a whole rewrite. */
	T(xc_sched_synced(&s, T0 + 2000, &(struct xc_sched_sync){ .masq = -1 }) >= 500);
	at = xc_sched_deadline(&s);
	T(at >= T0 + 2500 && at <= T0 + 3000);
	T_INT(xc_sched_due(&s, at), SYNC | XC_SCHED_MASQ_FULL);
	/* A sync that never reached the masquerade leaves the debt. */
	xc_sched_synced(&s, at, &(struct xc_sched_sync){ .failed = -1 });
	T_INT(s.masq_full, 1);
	at = xc_sched_deadline(&s);
	T_INT(xc_sched_due(&s, at), SYNC | XC_SCHED_MASQ_FULL);
	xc_sched_synced(&s, at, &ok_incr);
	T_INT(s.masq_full, 0);
	xc_sched_nodes_changed(&s, at, 0);
	T_INT(xc_sched_due(&s, at + DEBOUNCE), SYNC);
}

int main(void)
{
	start();
	burst();
	kernel();
	resync();
	backoff();
	source();
	hangup();
	neighbours_and_masq();
	return t_done("schedule");
}
