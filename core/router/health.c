/*
 * health: the answering thread (health.h says what healthy means).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/deadline.h"
#include "router/health.h"

int64_t xc_health_stalled(int64_t busy_since, int64_t progress_at, int64_t now,
			  unsigned stall_ms)
{
	int64_t last = progress_at > busy_since ? progress_at : busy_since;

	if (!busy_since || now - last <= (int64_t)stall_ms)
		return 0;
	return now - last;
}

static void answer(struct xc_health *h, const char *path, int64_t now)
{
	int64_t stall;
	size_t n;

	if (!strcmp(path, "/healthz") || !strcmp(path, "/")) {
		stall = xc_health_stalled(atomic_load(&h->busy_since),
					  atomic_load(&h->progress_at), now, h->stall_ms);
		if (!stall) {
			xc_httpd_reply(&h->http, 200, "text/plain", "ok\n", 3);
			return;
		}
		n = (size_t)snprintf(h->out, sizeof(h->out),
				     "stalled: working for %lld s without progress\n",
				     (long long)(stall / 1000));
		xc_httpd_reply(&h->http, 503, "text/plain", h->out, n);
	} else if (!strcmp(path, "/metrics")) {
		pthread_mutex_lock(&h->mu);
		n = h->len;
		memcpy(h->out, h->text, n);
		pthread_mutex_unlock(&h->mu);
		xc_httpd_reply(&h->http, 200, "text/plain; version=0.0.4", h->out, n);
	} else {
		xc_httpd_reply(&h->http, 404, "text/plain", "not found\n", 10);
	}
}

static void *serve(void *arg)
{
	struct xc_health *h = arg;
	char path[XC_HTTPD_PATH_MAX];

	for (;;) {
		struct pollfd p[1 + XC_HTTPD_CLIENTS];
		int64_t now = xc_now_ms();
		int wait, n = xc_httpd_pollfds(&h->http, p, now, &wait), rc;

		if (poll(p, (nfds_t)n, wait) < 0 && errno != EINTR)
			return NULL;
		now = xc_now_ms();
		xc_httpd_expire(&h->http, now);
		while ((rc = xc_httpd_step(&h->http, now, path, sizeof(path))) != 0)
			if (rc == 1)
				answer(h, path, now);
	}
}

int xc_health_start(struct xc_health *h, const char *addr, unsigned port, unsigned stall_ms)
{
	sigset_t all, old;
	pthread_t t;
	int rc;

	h->stall_ms = stall_ms;
	atomic_store(&h->busy_since, xc_now_ms());
	atomic_store(&h->progress_at, 0);
	h->len = 0;
	rc = pthread_mutex_init(&h->mu, NULL);
	if (rc)
		return -rc;
	rc = xc_httpd_listen(&h->http, addr, port);
	if (rc)
		return rc;
	/* Signals stay with the loop's signalfd. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, NULL, serve, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		close(h->http.lfd);
		h->http.lfd = -1;
		return -rc;
	}
	pthread_detach(t);
	return 0;
}

void xc_health_busy(struct xc_health *h, int64_t now)
{
	atomic_store(&h->busy_since, now);
}

void xc_health_idle(struct xc_health *h)
{
	atomic_store(&h->busy_since, 0);
}

void xc_health_progress(struct xc_health *h, int64_t now)
{
	atomic_store(&h->progress_at, now);
}

void xc_health_publish(struct xc_health *h, const char *text, size_t len)
{
	if (len > sizeof(h->text))
		len = sizeof(h->text);
	pthread_mutex_lock(&h->mu);
	memcpy(h->text, text, len);
	h->len = len;
	pthread_mutex_unlock(&h->mu);
}
