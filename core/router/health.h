/*
 * health: /healthz and /metrics answered on a thread of their own, so a
 * probe has its answer in milliseconds whatever the router's loop is doing
 * (a 65,000-node LIST, a first sync waiting for the rtnl lock, an API
 * server that does not answer).
 *
 * Healthy means the loop is not stuck: it waits for its next event, or it
 * works and has made progress within stall_ms (a turn of the loop, a node
 * taken in, a route change applied). An API server outage is healthy: the
 * loop backs off and waits, and a restart would not help. Every wait of
 * the loop is bounded (10 s for the API server), so stall_ms well above
 * that means a defect, which a restart may clear.
 *
 * The loop says where it is (xc_health_busy, xc_health_idle,
 * xc_health_progress: a few atomic stores) and publishes its metrics text
 * at the end of each turn (xc_health_publish); the thread answers /metrics
 * with the text last published. The struct is the caller's; the thread
 * lives as long as the process.
 *
 * Names: xc_health_ XC_HEALTH_
 */
#ifndef XC_HEALTH_H
#define XC_HEALTH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "router/httpd.h"

/* Working this long without progress is a stall (/healthz answers 503). */
#define XC_HEALTH_STALL_MS 60000
#define XC_HEALTH_TEXT_MAX 8192

struct xc_health {
	struct xc_httpd http;            /* the thread's alone once started */
	unsigned stall_ms;
	_Atomic int64_t busy_since;      /* monotonic ms the loop left its wait; 0: waiting */
	_Atomic int64_t progress_at;     /* its last progress */
	pthread_mutex_t mu;              /* guards text, len */
	size_t len;
	char text[XC_HEALTH_TEXT_MAX];
	char out[XC_HEALTH_TEXT_MAX];    /* the thread's copy while it answers */
};

/*
 * Listen on addr:port (port 0: any, as the tests do) and
 * start the thread, with every signal blocked in it. The loop counts as
 * busy from now. Returns 0 or a negative errno.
 */
int xc_health_start(struct xc_health *h, const char *addr, unsigned port, unsigned stall_ms);

/* The loop left its wait at `now` to work. */
void xc_health_busy(struct xc_health *h, int64_t now);

/* The loop goes back to waiting for events. */
void xc_health_idle(struct xc_health *h);

/* The loop's work moved on (a node, a route). */
void xc_health_progress(struct xc_health *h, int64_t now);

/* The /metrics text from now on (cut at XC_HEALTH_TEXT_MAX). */
void xc_health_publish(struct xc_health *h, const char *text, size_t len);

/*
 * The verdict at `now`: 0 when healthy, else how long (ms) the loop has
 * worked without progress. busy_since 0: waiting, healthy.
 */
int64_t xc_health_stalled(int64_t busy_since, int64_t progress_at, int64_t now,
			  unsigned stall_ms);

#endif
