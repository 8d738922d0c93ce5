/*
 * nodesrc: the node table's sources. See nodesrc.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>

#include "router/nodesrc.h"

static void src_init(struct xc_nodesrc *s, enum xc_nodesrc_kind kind,
		     const struct xc_node_parse *pc)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->ifd = -1;
	if (pc)
		s->pc = *pc;
}

/* ---- file ------------------------------------------------------------- */

int xc_nodesrc_open_file(struct xc_nodesrc *s, const char *path, const struct xc_node_parse *pc)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t dlen;

	src_init(s, XC_NODESRC_FILE, pc);
	s->path = path;
	snprintf(s->base, sizeof(s->base), "%s", slash ? slash + 1 : path);
	if (!s->base[0]) {
		snprintf(s->err, sizeof(s->err), "%s: not a file name", path);
		return -EINVAL;
	}
	dlen = slash ? (size_t)(slash - path) : 1;
	if (dlen >= sizeof(dir))
		return -ENAMETOOLONG;
	if (slash)
		memcpy(dir, path, dlen);
	else
		dir[0] = '.';
	if (slash && !dlen)
		dir[dlen++] = '/';
	dir[dlen] = '\0';
	s->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->ifd < 0)
		return -errno;
	/* Whole-file events only: a half-written file is not read. */
	if (inotify_add_watch(s->ifd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		int err = -errno;

		snprintf(s->err, sizeof(s->err), "watching %.400s: %s", dir, strerror(-err));
		close(s->ifd);
		s->ifd = -1;
		return err;
	}
	return 0;
}

static int file_list(struct xc_nodesrc *s, struct xc_nodetab *t)
{
	char why[200];
	int rc;

	rc = xc_nodetab_load_file(t, s->path, &s->pc, NULL, NULL, why, sizeof(why));
	if (rc)
		snprintf(s->err, sizeof(s->err), "%.380s: %s", s->path, why[0] ? why : strerror(-rc));
	return rc;
}

/* 1 when an event named our file. */
static int file_step(struct xc_nodesrc *s)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int hit = 0;
	ssize_t n;

	while ((n = read(s->ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->len && !strcmp(ev->name, s->base))
				hit = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	return hit;
}

/* ---- k8s -------------------------------------------------------------- */

int xc_nodesrc_open_k8s(struct xc_nodesrc *s, const struct xc_k8s_opts *opts,
			const struct xc_node_parse *pc)
{
	int rc;

	src_init(s, XC_NODESRC_K8S, pc);
	xc_node_annot_names(&s->pc, s->annot);
	s->k = calloc(1, sizeof(*s->k));
	s->buf = malloc(XC_K8S_OBJ_MAX);
	if (!s->k || !s->buf) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -ENOMEM;
	}
	rc = xc_k8s_client_init(s->k, opts);
	if (rc) {
		snprintf(s->err, sizeof(s->err), "%s", s->k->err);
		return rc;
	}
	return 0;
}

int xc_nodesrc_event(void *arg, const struct xc_k8s_event *ev)
{
	struct xc_nodesrc_to *c = arg;
	struct xc_node_rec rec;

	c->s->events++;
	if (c->s->progress)
		c->s->progress(c->s->progress_arg);
	switch (ev->type) {
	case XC_K8S_LISTED:
	case XC_K8S_ADDED:
	case XC_K8S_MODIFIED:
		xc_node_from_k8s(&ev->node, &c->s->pc, &rec);
		return xc_nodetab_set(c->t, &rec) < 0 ? -ENOMEM : 0;
	case XC_K8S_DELETED:
		xc_nodetab_del(c->t, ev->node.name);
		return 0;
	case XC_K8S_RESTART:
		/* The list starts over: only what it lists from here on counts. */
		xc_nodetab_begin(c->t);
		return 0;
	default:
		return 0;
	}
}

static int k8s_fail(struct xc_nodesrc *s, int rc, const char *what)
{
	snprintf(s->err, sizeof(s->err), "%s: %.560s", what, s->k->err[0] ? s->k->err : strerror(-rc));
	return rc;
}

/*
 * WatchList failures that may pass (the initial events stopped coming or
 * ended early: an API server restart, a proxy) each fall back to LIST for
 * that one listing; this many in a row with no WatchList completed in
 * between (k8s_list starts the count again at one that completes), and the
 * server is taken to ignore it for good. An old server
 * answers it as a plain watch that looks just like a stalled one: without
 * the bound, every listing would wait for it to time out first.
 */
#define WL_TRANSIENT_MAX 3

/*
 * The WatchList failed as initial_events() says (rc -ENOMSG or -ENODATA):
 * close it, decide whether that is for good, and leave the notice to log.
 */
static void wl_failed(struct xc_nodesrc *s, int rc)
{
	char what[72];

	xc_k8s_watch_stop(&s->w);
	if (rc == -ENOMSG) {
		s->no_watchlist = 1;
		k8s_fail(s, rc, "WatchList refused or ignored, LIST+WATCH from now on");
		return;
	}
	s->no_watchlist = ++s->wl_fails >= WL_TRANSIENT_MAX;
	if (s->no_watchlist)
		snprintf(what, sizeof(what), "WatchList failed %d times in a row, "
			 "LIST+WATCH from now on", s->wl_fails);
	else
		snprintf(what, sizeof(what), "WatchList failed, LIST+WATCH this time");
	k8s_fail(s, rc, what);
}

/*
 * Read the WatchList's initial events until their end (each wait bounded).
 * -ENOMSG: the server refused (400, 403, 422) or ignored the WatchList (an
 * ordinary bookmark first). -ENODATA: its initial events stopped coming or
 * ended early, which may pass.
 */
static int initial_events(struct xc_nodesrc *s, struct xc_nodesrc_to *c)
{
	int rc = xc_k8s_watch_start(&s->w, s->rv), st = s->k->status;

	if (rc && (st == 400 || st == 403 || st == 422))
		return -ENOMSG;

	while (!rc && s->w.initial) {
		struct pollfd p = { xc_k8s_watch_fd(&s->w), POLLIN, 0 };

		if (!xc_k8s_watch_pending(&s->w) && poll(&p, 1, s->k->http.timeout_ms) == 0) {
			strcpy(s->k->err, "watch: the initial events stopped coming");
			return -ENODATA;
		}
		rc = xc_k8s_watch_step(&s->w, xc_nodesrc_event, c);
	}
	return rc;
}

/*
 * A WatchList; where it fails as initial_events() says, LIST (at the last
 * version synced, else 0: the watch cache) then WATCH, this time or from
 * then on (wl_failed). Nothing is removed from t before a listing is
 * complete.
 */
static int k8s_list(struct xc_nodesrc *s, struct xc_nodetab *t)
{
	struct xc_k8s_select sel = { .annot = { s->annot[0], s->annot[1] } };
	struct xc_nodesrc_to c = { s, t };
	char at[XC_K8S_RV_MAX + 1];
	int rc, list = s->no_watchlist;

	if (s->watching)
		memcpy(s->rv, s->w.rv, sizeof(s->rv));   /* relist from the last version seen */
	s->watching = 0;
	xc_k8s_watch_stop(&s->w);
	xc_nodetab_begin(t);
	rc = xc_k8s_watch_init(&s->w, s->k, &sel, s->buf, XC_K8S_OBJ_MAX);
	s->w.initial = !list;
	if (!rc && s->w.initial) {
		rc = initial_events(s, &c);
		if (rc == -ENOMSG || rc == -ENODATA) {
			wl_failed(s, rc);
			s->w.initial = rc = 0;
			list = 1;
			/*
			 * The LIST starts the listing over: a node only the abandoned
			 * initial events named may be gone by the LIST's version, and
			 * the watch from there would never say so.
			 */
			xc_nodetab_begin(t);
		} else if (rc == -ESTALE) {
			s->rv[0] = 0;      /* that version is gone: the next one asks for the latest */
		} else if (!rc) {
			memcpy(s->rv, s->w.rv, sizeof(s->rv));
			s->wl_fails = 0;
		}
	}
	if (!rc && list) {
		strcpy(at, s->rv[0] ? s->rv : "0");
		rc = xc_k8s_list_at(s->k, &sel, 500, at, s->buf, XC_K8S_OBJ_MAX, xc_nodesrc_event, &c, s->rv);
		if (rc)
			return k8s_fail(s, rc, "listing nodes");
		xc_nodetab_sweep(t);
		/* On an error the listing stands; the caller backs off and lists again. */
		rc = xc_k8s_watch_start(&s->w, s->rv);
	} else if (!rc) {
		xc_nodetab_sweep(t);
	}
	s->watching = !rc;
	return rc ? k8s_fail(s, rc, "watching nodes") : 0;
}

static int k8s_step(struct xc_nodesrc *s, struct xc_nodetab *t)
{
	struct xc_nodesrc_to c = { s, t };
	int rc;

	if (!s->watching)
		return 1;
	rc = xc_k8s_watch_step(&s->w, xc_nodesrc_event, &c);
	if (rc == -ESTALE)
		return 1;
	return rc ? k8s_fail(s, rc, "watching nodes") : 0;
}

/* ---- common ----------------------------------------------------------- */

int xc_nodesrc_list(struct xc_nodesrc *s, struct xc_nodetab *t)
{
	int rc;

	s->err[0] = '\0';
	rc = s->kind == XC_NODESRC_FILE ? file_list(s, t) : k8s_list(s, t);
	if (!rc)
		s->listings++;
	return rc;
}

int xc_nodesrc_api_ip(const struct xc_nodesrc *s, struct xc_ip *ip)
{
	struct xc_http_url u;

	if (s->k && !xc_http_url_parse(s->k->cfg.server, &u) && !xc_ip_parse(u.host, ip))
		return 0;
	memset(ip, 0, sizeof(*ip));
	return -ENOENT;
}

int xc_nodesrc_fd(const struct xc_nodesrc *s)
{
	if (s->kind == XC_NODESRC_FILE)
		return s->ifd;
	return s->watching ? xc_k8s_watch_fd(&s->w) : -1;
}

int xc_nodesrc_poll_ms(const struct xc_nodesrc *s)
{
	if (s->kind == XC_NODESRC_FILE || !s->watching)
		return -1;
	if (xc_k8s_watch_pending(&s->w))
		return 0;
	return xc_k8s_watch_poll_ms(&s->w);
}

int xc_nodesrc_step(struct xc_nodesrc *s, struct xc_nodetab *t)
{
	s->err[0] = '\0';
	if (s->kind == XC_NODESRC_FILE)
		return file_step(s);
	return k8s_step(s, t);
}

const char *xc_nodesrc_name(const struct xc_nodesrc *s, char *buf, size_t size)
{
	if (s->kind == XC_NODESRC_FILE)
		snprintf(buf, size, "file %s", s->path);
	else if (s->k)
		snprintf(buf, size, "%.300s (%.300s)", s->k->cfg.source, s->k->cfg.server);
	else
		snprintf(buf, size, "API server");
	return buf;
}
