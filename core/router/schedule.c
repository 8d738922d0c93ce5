/*
 * schedule: the router's timing as data (schedule.h has the rules).
 */
#include "router/schedule.h"

/* Due no later than at. */
static void sync_by(struct xc_sched *s, int64_t at)
{
	if (!s->sync_at || at < s->sync_at)
		s->sync_at = at;
}

void xc_sched_init(struct xc_sched *s, unsigned debounce_ms, unsigned resync_s, int64_t now)
{
	*s = (struct xc_sched){ .debounce_ms = debounce_ms, .resync_ms = resync_s * 1000u };
	xc_k8s_backoff_init(&s->list_bo, 500, 30000);
	xc_k8s_backoff_init(&s->sync_bo, 200, 10000);
	xc_k8s_backoff_init(&s->masq_bo, 1000, 60000);
	s->list_at = now;
	s->need_full = 1;
}

int xc_sched_due(const struct xc_sched *s, int64_t now)
{
	int due = 0, full;

	if (s->list_at && now >= s->list_at)
		due |= XC_SCHED_LIST;
	if (!s->listed)
		return due;
	full = s->need_full || (s->full_at && now >= s->full_at);
	if ((s->sync_at && now >= s->sync_at) || (s->full_at && now >= s->full_at)) {
		due |= XC_SCHED_SYNC;
		if (full)
			due |= XC_SCHED_FULL | XC_SCHED_MASQ_FULL;
		if (s->masq_full)
			due |= XC_SCHED_MASQ_FULL;
	}
	return due;
}

static int64_t earliest(int64_t a, int64_t b)
{
	return !a || (b && b < a) ? b : a;
}

int64_t xc_sched_deadline(const struct xc_sched *s)
{
	int64_t t = s->list_at;

	/* Before the first listing a sync waits for it, not for a clock. */
	if (s->listed)
		t = earliest(earliest(t, s->sync_at), s->full_at);
	return t;
}

void xc_sched_listed(struct xc_sched *s, int64_t now)
{
	if (!s->listed) {
		s->need_full = 1;
		s->sync_at = now;
	}
	s->listed = 1;
	s->list_at = 0;
	xc_k8s_backoff_reset(&s->list_bo);
}

unsigned xc_sched_source_failed(struct xc_sched *s, int64_t now, long retry_after_s)
{
	unsigned ms = xc_k8s_backoff_next(&s->list_bo, retry_after_s);

	s->list_at = now + ms;
	return ms;
}

void xc_sched_relist(struct xc_sched *s, int64_t now)
{
	s->list_at = now;
}

void xc_sched_hangup(struct xc_sched *s, int64_t now)
{
	s->list_at = now;
	s->need_full = 1;
	sync_by(s, now);
}

void xc_sched_nodes_changed(struct xc_sched *s, int64_t now, int self)
{
	s->dirty = 1;
	s->need_full |= self;
	sync_by(s, now + s->debounce_ms);
}

void xc_sched_kernel_changed(struct xc_sched *s, int64_t now, int env)
{
	s->need_full |= env;
	sync_by(s, now + s->debounce_ms);
}

void xc_sched_events_lost(struct xc_sched *s, int64_t now)
{
	s->need_full = 1;
	sync_by(s, now);
}

unsigned xc_sched_synced(struct xc_sched *s, int64_t now, const struct xc_sched_sync *r)
{
	unsigned masq_ms = 0;

	s->sync_at = 0;
	/* A periodic full sync that came due is owed until one succeeds. */
	if (s->full_at && now >= s->full_at) {
		s->need_full = 1;
		s->full_at = 0;
	}
	/* The masquerade runs whatever the routes did, and backs off on its own. */
	if (r->masq < 0) {
		masq_ms = xc_k8s_backoff_next(&s->masq_bo, -1);
		s->masq_full = 1;
		sync_by(s, now + masq_ms);
	} else if (r->masq > 0) {
		s->masq_full = 0;
		xc_k8s_backoff_reset(&s->masq_bo);
	}
	if (r->failed < 0) {
		s->need_full |= r->kernel_moved;
		sync_by(s, now + xc_k8s_backoff_next(&s->sync_bo, -1));
		return masq_ms;
	}
	s->dirty = 0;
	if (r->full) {
		s->need_full = 0;
		s->full_at = now + s->resync_ms;
	}
	/* A full sync owed, at once, or after the back-off of changes that failed. */
	s->need_full |= r->kernel_moved;
	if (r->kernel_moved && !r->failed)
		sync_by(s, now);
	if (r->failed > 0)
		sync_by(s, now + xc_k8s_backoff_next(&s->sync_bo, -1));
	else
		xc_k8s_backoff_reset(&s->sync_bo);
	if (r->neigh_wait)
		sync_by(s, now + XC_SCHED_NEIGH_MS);
	return masq_ms;
}
