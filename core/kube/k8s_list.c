/*
 * k8s_list: LIST pages read as a stream (see k8s.h).
 *
 * A page of 500 nodes is 5 to 10 MB. Rather than hold it, a small state
 * machine follows the body's strings and nesting and cuts out the values
 * it needs: each element of the top-level "items" array, and the
 * top-level "metadata" (resourceVersion, continue). Each piece is then
 * validated and read by core/base/json on its own. Everything else is skipped
 * without being copied. The machine only has to be exact on valid JSON:
 * on anything else it stays within its buffer and the strict parse of a
 * piece, or the end check, reports the damage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kube/k8s_priv.h"

enum {
	S_START,      /* before the top-level '{' */
	S_KEY,        /* in the top object: a key or '}' next */
	S_COLON,
	S_VALUE,      /* a top-level member's value starts next */
	S_AFTER,      /* in or after a member's value we skip */
	S_ITEMS,      /* in "items": an element, ',' or ']' next */
	S_DONE,       /* after the top-level '}' */
};

enum { CAP_NONE, CAP_ITEM, CAP_META };

void xc_k8s_listparse_init(struct xc_k8s_listparse *lp, char *buf, size_t size,
			   const char *const *annot)
{
	memset(lp, 0, offsetof(struct xc_k8s_listparse, ev));
	lp->buf = buf;
	lp->size = size;
	lp->annot = annot;
	lp->err[0] = 0;
}

static int lfail(struct xc_k8s_listparse *lp, int rc, const char *what)
{
	snprintf(lp->err, sizeof(lp->err), "%s", what);
	return rc;
}

static int meta_done(struct xc_k8s_listparse *lp)
{
	struct xc_json root;
	long n;

	if (xc_json_parse(lp->buf, lp->len, &root, NULL))
		return lfail(lp, -EINVAL, "the list's metadata is not JSON");
	n = xc_json_get_str(&root, "resourceVersion", lp->rv, sizeof(lp->rv));
	if (n == -ENOSPC || n == -EINVAL)
		return lfail(lp, -EINVAL, "metadata.resourceVersion: not usable");
	n = xc_json_get_str(&root, "continue", lp->cont, sizeof(lp->cont));
	if (n == -ENOSPC || n == -EINVAL)
		return lfail(lp, -EINVAL, "metadata.continue: not usable");
	if ((n > 0 && memchr(lp->cont, 0, (size_t)n)) || memchr(lp->rv, 0, strlen(lp->rv)))
		return lfail(lp, -EINVAL, "metadata: a NUL in a string");
	lp->have_meta = 1;
	return 0;
}

static int item_done(struct xc_k8s_listparse *lp, xc_k8s_event_fn fn, void *arg)
{
	struct xc_json root;
	struct xc_json_error je;
	char why[120], perr[128];
	int rc;

	if (xc_json_parse(lp->buf, lp->len, &root, &je)) {
		snprintf(lp->err, sizeof(lp->err), "items[%u] is not JSON (%s)", lp->items,
			 xc_json_strerror(&je, why, sizeof(why)));
		return -EINVAL;
	}
	rc = xc_k8s_node_parse(&root, lp->annot, &lp->ev.node, perr, sizeof(perr));
	if (rc) {
		snprintf(lp->err, sizeof(lp->err), "items[%u]: %s", lp->items, perr);
		return rc;
	}
	lp->ev.type = XC_K8S_LISTED;
	lp->ev.rv = lp->ev.node.rv;
	lp->items++;
	return fn ? fn(arg, &lp->ev) : 0;
}

static void put(struct xc_k8s_listparse *lp, const char *p, size_t n)
{
	if (!lp->capture || lp->overflow)
		return;
	if (n > lp->size - lp->len) {
		lp->overflow = 1;
		return;
	}
	memcpy(lp->buf + lp->len, p, n);
	lp->len += n;
}

/* A value begins with byte c at depth 1 (a member) or 2 (an item). */
static int value_start(struct xc_k8s_listparse *lp, char c)
{
	int cap = CAP_NONE;

	if (lp->state == S_VALUE) {
		lp->state = S_AFTER;
		if (lp->klen == 5 && !memcmp(lp->key, "items", 5) && c == '[') {
			lp->state = S_ITEMS;
		} else if (lp->klen == 8 && !memcmp(lp->key, "metadata", 8)) {
			if (c != '{')
				return lfail(lp, -EINVAL, "the list's metadata is not an object");
			cap = CAP_META;
		}
	} else if (lp->state == S_ITEMS && lp->depth == 2 && !lp->capture) {
		if (c != '{')
			return lfail(lp, -EINVAL, "an element of items is not an object");
		cap = CAP_ITEM;
	}
	if (cap) {
		lp->capture = cap;
		lp->len = 0;
		lp->overflow = 0;
	}
	return 0;
}

/* Gather a top-level key; one longer than any we look for just never matches. */
static void key_add(struct xc_k8s_listparse *lp, const char *p, size_t n)
{
	if (lp->state != S_COLON || lp->depth != 1)
		return;
	if (lp->klen + n > sizeof(lp->key)) {
		lp->klen = sizeof(lp->key) + 1;
		return;
	}
	memcpy(lp->key + lp->klen, p, n);
	lp->klen += (unsigned)n;
}

/* A container closed, now at lp->depth: a captured value may be complete. */
static int value_end(struct xc_k8s_listparse *lp, xc_k8s_event_fn fn, void *arg)
{
	int cap = lp->capture, rc;

	if (!cap || lp->depth != (cap == CAP_ITEM ? 2 : 1))
		return 0;
	lp->capture = CAP_NONE;
	if (lp->overflow) {
		snprintf(lp->err, sizeof(lp->err), "items[%u] is over %zu bytes", lp->items,
			 lp->size);
		return -EFBIG;
	}
	rc = cap == CAP_ITEM ? item_done(lp, fn, arg) : meta_done(lp);
	lp->len = 0;
	return rc;
}

static int structural(struct xc_k8s_listparse *lp, char c, xc_k8s_event_fn fn, void *arg)
{
	int rc = 0;

	switch (c) {
	case ' ': case '\t': case '\r': case '\n':
		return 0;
	case '{': case '[':
		if (lp->state == S_START) {
			if (c != '{')
				return lfail(lp, -EINVAL, "the body is not a JSON object");
			lp->state = S_KEY;
			lp->depth = 1;
			return 0;
		}
		if ((rc = value_start(lp, c)))
			return rc;
		if (lp->depth >= XC_JSON_MAX_DEPTH)
			return lfail(lp, -EINVAL, "nesting too deep");
		lp->depth++;
		put(lp, &c, 1);
		return 0;
	case '}': case ']':
		if (lp->depth <= 0 || lp->state == S_START || lp->state == S_DONE)
			return lfail(lp, -EINVAL, "unbalanced brackets");
		put(lp, &c, 1);
		lp->depth--;
		if (!lp->depth) {
			lp->state = S_DONE;
			return 0;
		}
		if (lp->depth == 1 && lp->state == S_ITEMS)
			lp->state = S_AFTER;
		return value_end(lp, fn, arg);
	case ',':
		put(lp, &c, 1);
		if (lp->depth == 1)
			lp->state = S_KEY;
		return 0;
	case ':':
		put(lp, &c, 1);
		if (lp->depth == 1 && lp->state == S_COLON)
			lp->state = S_VALUE;
		return 0;
	}
	if (lp->state == S_START || lp->state == S_DONE)
		return lfail(lp, -EINVAL, "the body is not one JSON object");
	if ((rc = value_start(lp, c)))
		return rc;
	put(lp, &c, 1);
	return 0;
}

int xc_k8s_listparse_feed(struct xc_k8s_listparse *lp, const void *data, size_t len,
			  xc_k8s_event_fn fn, void *arg)
{
	const char *p = data, *end = p + len, *q;
	int rc;

	while (p < end) {
		if (lp->in_str && lp->esc) {
			lp->esc = 0;
			put(lp, p, 1);
			key_add(lp, p, 1);
			p++;
		} else if (lp->in_str) {
			/* the bulk of a Node is string bytes: take runs at once */
			for (q = p; q < end && *q != '"' && *q != '\\'; q++)
				;
			put(lp, p, (size_t)(q - p));
			key_add(lp, p, (size_t)(q - p));
			if (q == end)
				break;
			put(lp, q, 1);
			if (*q == '\\') {
				lp->esc = 1;
				key_add(lp, q, 1);
			} else {
				lp->in_str = 0;
			}
			p = q + 1;
		} else if (*p == '"') {
			if (lp->state == S_START || lp->state == S_DONE)
				return lfail(lp, -EINVAL, "the body is not one JSON object");
			if (lp->depth == 1 && lp->state == S_KEY) {
				lp->state = S_COLON; /* the key's text is gathered on the way */
				lp->klen = 0;
			} else if ((rc = value_start(lp, '"'))) {
				return rc;
			}
			put(lp, p, 1);
			lp->in_str = 1;
			p++;
		} else {
			rc = structural(lp, *p, fn, arg);
			if (rc)
				return rc;
			p++;
		}
	}
	return 0;
}

int xc_k8s_listparse_end(struct xc_k8s_listparse *lp)
{
	if (lp->state != S_DONE || lp->in_str)
		return lfail(lp, -EINVAL, "the list ended early");
	if (!lp->have_meta)
		return lfail(lp, -EINVAL, "the list has no metadata");
	return 0;
}

/* ---- LIST with continue ------------------------------------------------------ */

static int one_page(struct xc_k8s_client *k, struct xc_k8s_listparse *lp, const char *path,
		    xc_k8s_event_fn fn, void *arg)
{
	char chunk[XC_HTTP_RBUF];
	ssize_t n;
	int rc;

	for (;;) {
		n = xc_http_read(&k->http, chunk, sizeof(chunk), k->http.timeout_ms);
		if (n == 0)
			break;
		if (n < 0)
			return xc_k8s_fail(k, (int)n, "LIST %s: %s", path, k->http.err);
		rc = xc_k8s_listparse_feed(lp, chunk, (size_t)n, fn, arg);
		if (rc) {
			xc_http_close(&k->http);
			if (rc == -EINVAL || rc == -EFBIG)
				return xc_k8s_fail(k, rc == -EINVAL ? -EPROTO : rc, "LIST %s: %s",
						   path, lp->err);
			return rc;
		}
	}
	rc = xc_k8s_listparse_end(lp);
	return rc ? xc_k8s_fail(k, -EPROTO, "LIST %s: %s", path, lp->err) : 0;
}

/* The path of a LIST page: at "" or NULL quorum, "0" the cache, else no older than at. */
static int page_path(char *path, const char *num, const char *at, const char *cont,
		     const struct xc_k8s_select *sel)
{
	int rc = 0;

	strcpy(path, "/api/v1/nodes");
	/* A list not older than a given version is served whole from the watch cache: no limit. */
	if (!at[0] || !strcmp(at, "0") || cont[0])
		rc = xc_k8s_query(path, XC_K8S_REQ_PATH_MAX, "limit", num);
	if (!rc && at[0] && !cont[0])
		rc = xc_k8s_query(path, XC_K8S_REQ_PATH_MAX, "resourceVersion", at);
	if (!rc && cont[0])
		rc = xc_k8s_query(path, XC_K8S_REQ_PATH_MAX, "continue", cont);
	if (!rc)
		rc = xc_k8s_query_sel(path, XC_K8S_REQ_PATH_MAX, sel);
	return rc;
}

int xc_k8s_list_at(struct xc_k8s_client *k, const struct xc_k8s_select *sel, unsigned limit,
		   const char *at, char *buf, size_t size, xc_k8s_event_fn fn, void *arg,
		   char rv[XC_K8S_RV_MAX + 1])
{
	struct xc_k8s_listparse lp;
	struct xc_k8s_event restart = { .type = XC_K8S_RESTART, .rv = "" };
	char path[XC_K8S_REQ_PATH_MAX], num[16], cont[XC_K8S_CONTINUE_MAX + 1] = "";
	int restarts = 0, rc;

	snprintf(num, sizeof(num), "%u", limit ? limit : 500);
	rv[0] = 0;
	at = at ? at : "";
	for (;;) {
		if (page_path(path, num, at, cont, sel))
			return xc_k8s_fail(k, -E2BIG, "LIST: request path too long");
		rc = xc_k8s_request(k, "GET", path);
		if (rc)
			return rc;
		/*
		 * A continue token expired (~5 min): only a new list is consistent.
		 * A version gone (or not there yet, 504): the latest, from etcd.
		 */
		if ((k->status == 410 && cont[0] && restarts < 3) ||
		    ((k->status == 410 || k->status == 504) && !cont[0] && at[0])) {
			xc_http_close(&k->http);
			restarts += !!cont[0];
			at = cont[0] ? at : "";
			cont[0] = 0;
			rv[0] = 0;
			rc = fn ? fn(arg, &restart) : 0;
			if (rc)
				return rc;
			continue;
		}
		if (k->status != 200)
			return xc_k8s_http_error(k, "LIST nodes", buf, size);
		xc_k8s_listparse_init(&lp, buf, size, sel ? sel->annot : NULL);
		rc = one_page(k, &lp, path, fn, arg);
		if (rc)
			return rc;
		/* every page of one list carries the list's resourceVersion */
		if (!rv[0])
			memcpy(rv, lp.rv, sizeof(lp.rv));
		if (!lp.cont[0])
			return 0;
		memcpy(cont, lp.cont, sizeof(cont));
	}
}
