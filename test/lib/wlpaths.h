/*
 * wlpaths.h: the router's two ways to a node table, driven without a
 * socket, for the tests that compare them (test_nodesrc, fuzz_watchlist):
 * a LIST body as nodesrc's k8s_list takes one (begin, each item, sweep),
 * and a WatchList response as xc_http_read decodes it (chunked framing)
 * and k8s_list takes it (begin; sweep only once the initial events
 * ended). Both go through the router's own xc_nodesrc_event. Also a text
 * buffer that grows, to write the inputs in.
 */
#ifndef XC_WLPATHS_H
#define XC_WLPATHS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router/nodesrc.h"

struct text {
	char *p;
	size_t len, cap;
};

static void app(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void app(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!t->p) {
		t->cap = 4096;
		t->p = malloc(t->cap);
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n + 1;
		t->p = realloc(t->p, t->cap);
	}
	t->len += (size_t)n;
}

/* A LIST body into t: 0, or the parser's error (t then keeps what it had, marked). */
static inline int from_list(struct xc_nodesrc *s, struct xc_nodetab *t, const struct text *body)
{
	struct xc_k8s_listparse lp;
	struct xc_nodesrc_to to = { s, t };
	int rc;

	xc_nodetab_begin(t);
	xc_k8s_listparse_init(&lp, s->buf, XC_K8S_OBJ_MAX, s->annot);
	rc = xc_k8s_listparse_feed(&lp, body->p, body->len, xc_nodesrc_event, &to);
	if (!rc)
		rc = xc_k8s_listparse_end(&lp);
	if (!rc)
		xc_nodetab_sweep(t);
	return rc;
}

struct wl {
	struct xc_http_resp r;
	int head_done, rc;
	struct xc_k8s_watch w;
	struct xc_nodesrc_to to;
	char out[509];      /* small: decoded pieces cut events too */
};

/* A WatchList listing of s into t begins: 0, or xc_k8s_watch_init's error. */
static inline int wl_start(struct wl *f, struct xc_nodesrc *s, struct xc_nodetab *t)
{
	struct xc_k8s_select sel;
	int rc;

	memset(&sel, 0, sizeof(sel));
	sel.annot[0] = s->annot[0];
	sel.annot[1] = s->annot[1];
	memset(&f->r, 0, sizeof(f->r));
	xc_http_resp_init(&f->r, 0, 0);
	f->head_done = f->rc = 0;
	f->to.s = s;
	f->to.t = t;
	xc_nodetab_begin(t);
	rc = xc_k8s_watch_init(&f->w, NULL, &sel, s->buf, XC_K8S_OBJ_MAX);
	f->w.initial = 1;
	return rc;
}

/* The response's next n bytes: f->rc (0, or the first error, after which nothing is read). */
static inline int wl_feed(struct wl *f, const char *p, size_t n)
{
	size_t used, made;
	int rc;

	while (n && !f->rc) {
		used = made = 0;
		if (!f->head_done) {
			rc = xc_http_resp_head(&f->r, p, n, &used);
			f->head_done = rc == 1;
		} else {
			rc = xc_http_resp_body(&f->r, p, n, &used, f->out, sizeof(f->out), &made);
			if (rc >= 0 && made)
				rc = xc_k8s_watch_feed(&f->w, f->out, made, xc_nodesrc_event, &f->to);
		}
		if (rc < 0)
			f->rc = rc;
		else if (!used && !made)
			break;   /* the body ended: the rest is not ours */
		p += used;
		n -= used;
	}
	return f->rc;
}

/* k8s_list's rule: the listing is complete once the initial events ended. */
static inline void wl_finish(struct wl *f)
{
	if (!f->rc && !f->w.initial)
		xc_nodetab_sweep(f->to.t);
}

#endif
