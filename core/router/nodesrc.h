/*
 * nodesrc: where the router's node table comes from, behind one face for
 * a poll loop.
 *
 *   file  A NodeList JSON file (`kubectl get nodes -o json`), re-read
 *         when it is replaced or rewritten (inotify on its folder: a
 *         close after writing, a rename onto it) or when asked (SIGHUP).
 *         For clusters without an API server in reach and for tests.
 *   k8s   The API server (core/kube/k8s), as client-go's reflector: a
 *         WatchList (the initial state streamed as ADDED events, complete
 *         at the k8s.io/initial-events-end bookmark, then the same watch
 *         goes on); where the server refuses or ignores it, LIST (the first
 *         at resourceVersion 0, from the watch cache; later ones not older
 *         than the last version seen) then WATCH from the list's version,
 *         for the rest of the process's life. A WatchList whose initial
 *         events stop coming or end early (a restart, a proxy) is a
 *         LIST+WATCH for that listing only, until WL_TRANSIENT_MAX (3, in
 *         nodesrc.c) of them in a row with no WatchList completed in
 *         between: then the server is taken to ignore it (an old one
 *         answers it as a plain watch that just stalls). A watch that
 *         cannot resume (410) is a relist from the last version seen.
 *
 * Either way changes land in a struct xc_nodetab, whose notify hook
 * hears about each one. A source that fails (file unreadable or not
 * JSON, API server down, slow or answering garbage) leaves the table as
 * it is: nothing is removed until a complete listing says so.
 *
 * Use: xc_nodesrc_list() for a full listing (at start, after an error,
 * on SIGHUP); then poll xc_nodesrc_fd() for input, waiting at most
 * xc_nodesrc_poll_ms(), and call xc_nodesrc_step(). On an error, back off
 * and call xc_nodesrc_list() again (k8s: xc_nodesrc_step() may also
 * resume a watch by itself). Errors carry a sentence in s->err.
 *
 * Names: xc_nodesrc_
 */
#ifndef XC_NODESRC_H
#define XC_NODESRC_H

#include <stddef.h>

#include "kube/k8s.h"
#include "router/nodetab.h"

#define XC_NODESRC_ERRLEN 600

enum xc_nodesrc_kind { XC_NODESRC_FILE = 1, XC_NODESRC_K8S };

struct xc_nodesrc {
	enum xc_nodesrc_kind kind;
	struct xc_node_parse pc;
	const char *annot[XC_K8S_ANNOT_MAX]; /* k8s: cidr, address annotation */
	char err[XC_NODESRC_ERRLEN];
	unsigned long listings, events;      /* for logs and metrics */
	void (*progress)(void *arg);         /* each event taken in (a watchdog's sign), or NULL */
	void *progress_arg;
	/* file */
	const char *path;
	char base[256];                      /* path's last component */
	int ifd;                             /* inotify, -1: none */
	/* k8s */
	struct xc_k8s_client *k;             /* allocated once at open */
	struct xc_k8s_watch w;
	char *buf;                           /* one object (XC_K8S_OBJ_MAX) */
	int watching;
	int no_watchlist;                    /* the server refused or ignored WatchList */
	int wl_fails;                        /* WatchLists in a row that failed but may pass */
	char rv[XC_K8S_RV_MAX + 1];          /* last resourceVersion synced, "" none */
};

/*
 * A file source. The file need not exist yet; its folder must (it is
 * watched). pc is copied (its strings must outlive s).
 */
int xc_nodesrc_open_file(struct xc_nodesrc *s, const char *path, const struct xc_node_parse *pc);

/*
 * An API server source (configuration found as xc_k8s_config_load does).
 * Nothing is connected yet. -ENOMEM, or the configuration's error.
 * s->k->insecure tells that certificates will not be checked.
 */
int xc_nodesrc_open_k8s(struct xc_nodesrc *s, const struct xc_k8s_opts *opts,
			const struct xc_node_parse *pc);

/*
 * A full listing into t (blocking for the API server: each wait bounded
 * by the client's timeout). k8s then starts a watch from it. Returns 0
 * (s->err then holds a notice to log, if any: WatchList failed), or a
 * negative errno (-EAGAIN: back off, retry_after in s->k) with the
 * table as it was before the listing, except for updated nodes.
 */
int xc_nodesrc_list(struct xc_nodesrc *s, struct xc_nodetab *t);

/*
 * The API server's address into ip when the source's server URL names it
 * by one (in-cluster configuration always does): 0, else -ENOENT (a file
 * source, or a host name) with ip zeroed. No pod CIDR may take its traffic.
 */
int xc_nodesrc_api_ip(const struct xc_nodesrc *s, struct xc_ip *ip);

/* The descriptor to poll for input, -1 when there is none now. */
int xc_nodesrc_fd(const struct xc_nodesrc *s);

/* Longest wait before xc_nodesrc_step() must run anyway (-1: none). */
int xc_nodesrc_poll_ms(const struct xc_nodesrc *s);

/*
 * Take in what arrived. Returns 0, 1 when a full listing is due (file
 * changed, watch expired: call xc_nodesrc_list), or a negative errno
 * (back off, then xc_nodesrc_list).
 */
int xc_nodesrc_step(struct xc_nodesrc *s, struct xc_nodetab *t);

/* Where xc_nodesrc_event puts what it takes in. */
struct xc_nodesrc_to {
	struct xc_nodesrc *s;                /* its annotations; counts events */
	struct xc_nodetab *t;
};

/*
 * The k8s source's callback for core/kube/k8s (arg: a struct
 * xc_nodesrc_to): a listed, added or changed node is set into t as the
 * source configures it (CIDRs from spec.podCIDRs or the CIDR annotation,
 * in network form; addresses from the address annotation, then
 * status.addresses), a deleted one removed, a LIST that starts over
 * begins t's listing again; bookmarks change nothing (the caller decides
 * when a listing is complete and sweeps). Returns 0 or -ENOMEM. Public
 * so that tests and fuzzers can build a table from bytes given to
 * xc_k8s_watch_feed or xc_k8s_listparse_feed, as the router does from a
 * socket.
 */
int xc_nodesrc_event(void *arg, const struct xc_k8s_event *ev);

/* A short name for logs ("file /path", "kubeconfig /path", "in-cluster"). */
const char *xc_nodesrc_name(const struct xc_nodesrc *s, char *buf, size_t size);

#endif
