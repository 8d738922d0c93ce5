/*
 * k8s_watch: WATCH streams for a poll loop (see k8s.h).
 *
 * The body is newline-delimited JSON, but the chunked framing cuts it
 * anywhere: one read may end inside an event or hold several. Bytes are
 * read straight into the caller's buffer after what is pending there;
 * complete lines are handled in place and what is left of the last one is
 * moved to the front once per read, so each byte is copied at most once
 * more however the stream is cut.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/deadline.h"
#include "kube/k8s_priv.h"

/* Bytes one step reads before it lets the poll loop serve others. */
#define STEP_BUDGET (1u << 20)
#define IDLE_MS_DEFAULT 30000

__attribute__((format(printf, 3, 4)))
static int werr(struct xc_k8s_watch *w, int rc, const char *fmt, ...)
{
	va_list ap;

	if (w->k) {
		va_start(ap, fmt);
		vsnprintf(w->k->err, sizeof(w->k->err), fmt, ap);
		va_end(ap);
	}
	return rc;
}

int xc_k8s_watch_init(struct xc_k8s_watch *w, struct xc_k8s_client *k,
		      const struct xc_k8s_select *sel, char *buf, size_t size)
{
	memset(w, 0, offsetof(struct xc_k8s_watch, ev));
	if (!buf || size < 64)
		return -EINVAL;
	w->k = k;
	if (sel)
		w->sel = *sel;
	w->buf = buf;
	w->size = size;
	w->idle_ms = IDLE_MS_DEFAULT;
	return 0;
}

/* ---- events ------------------------------------------------------------ */

static int error_event(struct xc_k8s_watch *w, const struct xc_json *obj)
{
	char msg[360];
	long ra = -1;
	int rc = xc_k8s_status_text(obj, 0, msg, sizeof(msg), &ra);

	if (w->k)
		w->k->retry_after = ra;
	/* Only these codes are announced by ERROR events; others are a bug somewhere. */
	if (rc != -ESTALE && rc != -EAGAIN)
		rc = -EPROTO;
	return werr(w, rc, "watch: ERROR event: %s%s", msg,
		    rc == -ESTALE ? " (list again)" : "");
}

static int bookmark(struct xc_k8s_watch *w, const struct xc_json *obj,
		    xc_k8s_event_fn fn, void *arg)
{
	struct xc_json md;
	char rv[XC_K8S_RV_MAX + 1];
	long n;
	int rc;

	if (xc_json_get(obj, "metadata", &md) ||
	    (n = xc_json_get_str(&md, "resourceVersion", rv, sizeof(rv))) <= 0 ||
	    memchr(rv, 0, (size_t)n))
		return werr(w, -EINVAL, "watch: BOOKMARK without a usable metadata.resourceVersion");
	/* a bookmark is a few hundred bytes: its one annotation is found by its text */
	w->ev.initial_end = memmem(obj->p, obj->n, "\"k8s.io/initial-events-end\":\"true\"", 34) != NULL;
	if (w->initial && !w->ev.initial_end)
		return werr(w, -ENOMSG, "watch: a bookmark before the initial events ended: "
			    "the server does not stream them");
	w->initial &= !w->ev.initial_end;
	w->ev.type = XC_K8S_BOOKMARK;
	w->ev.rv = rv;
	w->ev.node.name[0] = 0;
	rc = fn ? fn(arg, &w->ev) : 0;
	if (!rc) {
		memcpy(w->rv, rv, (size_t)n + 1);
		w->bookmarks++;
	}
	return rc;
}

static int object_event(struct xc_k8s_watch *w, enum xc_k8s_event_type type,
			const struct xc_json *obj, xc_k8s_event_fn fn, void *arg)
{
	char perr[128];
	int rc = xc_k8s_node_parse(obj, w->sel.annot, &w->ev.node, perr, sizeof(perr));

	if (rc)
		return werr(w, -EINVAL, "watch: %s event: %s", xc_k8s_event_name(type), perr);
	w->ev.type = type;
	w->ev.initial_end = 0;
	w->ev.rv = w->ev.node.rv;
	rc = fn ? fn(arg, &w->ev) : 0;
	if (!rc) {
		if (w->ev.node.rv[0])
			strcpy(w->rv, w->ev.node.rv);
		w->events++;
	}
	return rc;
}

static int event_line(struct xc_k8s_watch *w, const char *line, size_t len,
		      xc_k8s_event_fn fn, void *arg)
{
	struct xc_json root, key, val, type = { 0 }, obj = { 0 };
	struct xc_json_error je;
	struct xc_json_iter it;
	char why[96];

	if (xc_json_parse(line, len, &root, &je))
		return werr(w, -EINVAL, "watch: an event is not JSON (%s)",
			    xc_json_strerror(&je, why, sizeof(why)));
	if (root.type != XC_JSON_OBJECT)
		return werr(w, -EINVAL, "watch: an event is not an object");
	xc_json_iter_init(&it, &root);
	while (xc_json_next(&it, &key, &val) > 0) {
		if (xc_json_str_eq(&key, "type"))
			type = val;
		else if (xc_json_str_eq(&key, "object"))
			obj = val;
	}
	if (obj.type != XC_JSON_OBJECT)
		return werr(w, -EINVAL, "watch: an event has no object");
	if (xc_json_str_eq(&type, "ADDED"))
		return object_event(w, XC_K8S_ADDED, &obj, fn, arg);
	if (xc_json_str_eq(&type, "MODIFIED"))
		return object_event(w, XC_K8S_MODIFIED, &obj, fn, arg);
	if (xc_json_str_eq(&type, "DELETED"))
		return object_event(w, XC_K8S_DELETED, &obj, fn, arg);
	if (xc_json_str_eq(&type, "BOOKMARK"))
		return bookmark(w, &obj, fn, arg);
	if (xc_json_str_eq(&type, "ERROR"))
		return error_event(w, &obj);
	return werr(w, -EINVAL, "watch: unknown event type");
}

/* Handle the complete lines in buf[0..len); keep the rest at the front. */
static int drain(struct xc_k8s_watch *w, xc_k8s_event_fn fn, void *arg)
{
	char *start = w->buf, *end = w->buf + w->len, *nl;
	int rc = 0;

	for (nl = memchr(w->buf + w->scan, '\n', w->len - w->scan); nl;
	     nl = memchr(start, '\n', (size_t)(end - start))) {
		size_t n = (size_t)(nl - start);

		while (n && (start[n - 1] == '\r' || start[n - 1] == ' ' || start[n - 1] == '\t'))
			n--;
		if (n)
			rc = event_line(w, start, n, fn, arg);
		start = nl + 1;
		if (rc)
			break;
	}
	if (rc) {
		w->len = w->scan = 0;
		return rc;
	}
	w->len = (size_t)(end - start);
	if (start != w->buf && w->len)
		memmove(w->buf, start, w->len);
	w->scan = w->len;
	if (w->len == w->size) {
		w->len = w->scan = 0;
		return werr(w, -EFBIG, "watch: an event over %zu bytes", w->size);
	}
	return 0;
}

int xc_k8s_watch_feed(struct xc_k8s_watch *w, const void *data, size_t len,
		      xc_k8s_event_fn fn, void *arg)
{
	const char *p = data;
	size_t n;
	int rc;

	while (len) {
		n = w->size - w->len < len ? w->size - w->len : len;
		memcpy(w->buf + w->len, p, n);
		w->len += n;
		w->bytes += n;
		p += n;
		len -= n;
		rc = drain(w, fn, arg);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the connection ------------------------------------------------------ */

static void closed(struct xc_k8s_watch *w, int drop_conn)
{
	if (w->k) {
		if (drop_conn)
			xc_http_close(&w->k->http);
		w->k->watching = 0;
	}
	w->open = 0;
	w->len = w->scan = 0;
}

void xc_k8s_watch_stop(struct xc_k8s_watch *w)
{
	/* Unread body: the connection cannot carry another request. */
	closed(w, w->open);
}

static int watch_timeout(struct xc_k8s_watch *w)
{
	struct timespec ts;

	if (w->timeout_s > 0)
		return w->timeout_s;
	/* 5 to 10 minutes, as client-go: watches of many nodes should not end together */
	clock_gettime(CLOCK_REALTIME, &ts);
	return 300 + (int)(((unsigned)ts.tv_nsec ^ (unsigned)getpid() * 2654435761u) % 300);
}

int xc_k8s_watch_start(struct xc_k8s_watch *w, const char *rv)
{
	struct xc_k8s_client *k = w->k;
	char path[XC_K8S_REQ_PATH_MAX], num[16];
	int rc;

	if (!k)
		return -EINVAL;
	if (w->open)
		xc_k8s_watch_stop(w);
	if (rv != w->rv) {
		if (rv && strlen(rv) > XC_K8S_RV_MAX)
			return xc_k8s_fail(k, -EINVAL, "watch: resourceVersion too long");
		snprintf(w->rv, sizeof(w->rv), "%s", rv ? rv : "");
	}
	w->cur_timeout_s = watch_timeout(w);
	snprintf(num, sizeof(num), "%d", w->cur_timeout_s);
	strcpy(path, w->initial ? "/api/v1/nodes?watch=1&allowWatchBookmarks=true&sendInitialEvents=true"
		     "&resourceVersionMatch=NotOlderThan" : "/api/v1/nodes?watch=1&allowWatchBookmarks=true");
	rc = xc_k8s_query(path, sizeof(path), "timeoutSeconds", num);
	if (!rc && w->rv[0])
		rc = xc_k8s_query(path, sizeof(path), "resourceVersion", w->rv);
	if (!rc)
		rc = xc_k8s_query_sel(path, sizeof(path), &w->sel);
	if (rc)
		return xc_k8s_fail(k, rc, "watch: request path too long");
	k->http.body_max = 0;
	rc = xc_k8s_request(k, "GET", path);
	if (rc)
		return rc;
	if (k->status != 200) {
		rc = xc_k8s_http_error(k, "watch", w->buf, w->size);
		if (rc == -ESTALE)
			xc_k8s_fail(k, rc, "watch from resourceVersion %s: 410 Gone: list again",
				    w->rv);
		return rc;
	}
	w->open = 1;
	k->watching = 1;
	w->len = w->scan = 0;
	w->started_ms = w->last_ms = xc_now_ms();
	w->watches++;
	return 0;
}

int xc_k8s_watch_step(struct xc_k8s_watch *w, xc_k8s_event_fn fn, void *arg)
{
	struct xc_k8s_client *k = w->k;
	size_t budget = 0;
	int restarted = 0, rc;
	ssize_t n;

	if (!k)
		return -EINVAL;
	if (!w->open && (rc = xc_k8s_watch_start(w, w->rv)))
		return rc;
	for (;;) {
		n = xc_http_read(&k->http, w->buf + w->len, w->size - w->len, 0);
		if (n > 0) {
			w->bytes += (size_t)n;
			w->len += (size_t)n;
			w->last_ms = xc_now_ms();
			rc = drain(w, fn, arg);
			if (rc) {
				closed(w, 1);
				if (rc == -EFBIG)
					return xc_k8s_fail(k, -ESTALE, "watch: an event over %zu bytes: "
							   "list again", w->size);
				return rc == -EINVAL ? -EPROTO : rc;
			}
			budget += (size_t)n;
			if (budget >= STEP_BUDGET)
				return 0;
			continue;
		}
		if (n == -EAGAIN) {
			if (xc_now_ms() - w->last_ms >
			    (int64_t)w->cur_timeout_s * 1000 + w->idle_ms) {
				closed(w, 1);
				return xc_k8s_fail(k, -ETIMEDOUT, "watch: nothing received for %d s",
						   (int)((xc_now_ms() - w->last_ms) / 1000));
			}
			return 0;
		}
		if (n < 0) {
			closed(w, 1);
			return xc_k8s_fail(k, (int)n, "watch: %s", k->http.err);
		}
		/*
		 * The server ended the watch (its timeout): go on from the last
		 * resourceVersion. Twice in one call means it ends at once: back off.
		 */
		closed(w, 0);
		if (w->initial)
			return xc_k8s_fail(k, -ENODATA, "watch: it ended before the initial events did");
		if (restarted)
			return xc_k8s_fail(k, -EAGAIN, "watch: the server ends every watch at once");
		restarted = 1;
		rc = xc_k8s_watch_start(w, w->rv);
		if (rc)
			return rc;
	}
}

int xc_k8s_watch_fd(const struct xc_k8s_watch *w)
{
	return w->open && w->k ? xc_http_fd(&w->k->http) : -1;
}

int xc_k8s_watch_pending(const struct xc_k8s_watch *w)
{
	return w->open && w->k && xc_http_pending(&w->k->http);
}

int xc_k8s_watch_poll_ms(const struct xc_k8s_watch *w)
{
	int64_t left;

	if (!w->open)
		return -1;
	left = w->last_ms + (int64_t)w->cur_timeout_s * 1000 + w->idle_ms + 1 - xc_now_ms();
	return left < 0 ? 0 : left > 3600000 ? 3600000 : (int)left;
}
