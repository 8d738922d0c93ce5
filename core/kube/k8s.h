/*
 * k8s: a Kubernetes API client for Node objects, small enough to live in
 * the CNI binary and steady enough to run a node's router for months.
 *
 * Four parts, each usable alone:
 *
 *   config   Where the API server is and who we are: a kubeconfig (YAML
 *            as kubectl writes it, or JSON), or the pod's service account.
 *            xc_k8s_config_parse works on memory only (fuzzed);
 *            xc_k8s_config_load does the discovery and reads files.
 *   client   One connection (core/kube/http over core/kube/tls) with bearer-token or
 *            client-certificate authentication. Token files are re-read
 *            when they change and once more on a 401 (service-account
 *            tokens rotate about hourly).
 *   nodes    A fixed-size record of what pod networking needs from a Node
 *            (name, uid, resourceVersion, pod CIDRs, addresses, selected
 *            annotations, being deleted). It is extracted lazily from the
 *            object's JSON: nothing of the object is kept, so memory does
 *            not grow with object size. GET one node; LIST all of them
 *            page by page, streaming each page item by item, so memory does
 *            not grow with the page size either.
 *   watch    A WATCH stream for a poll loop: the socket to wait on and a
 *            step function that delivers parsed events. Clean ends are
 *            re-watched from the last resourceVersion seen (bookmarks
 *            included); what cannot be resumed is reported as "relist".
 *
 * Memory: every object belongs to the caller; nothing is allocated. The
 * big ones are struct xc_k8s_client (~155 KB: TLS and HTTP buffers, the
 * configuration) and the object buffer given to list and watch (one event
 * or list item must fit: XC_K8S_OBJ_MAX is above what etcd stores, and
 * only the pages an object touches become resident).
 *
 * Errors are negative errno values with a sentence in the client's err[]
 * (or the config's) naming the file and field, or the request and the
 * server's message. Tokens, keys and passwords never appear in a text.
 *   -EINVAL     bad kubeconfig or argument         -ENOENT  no such node/file
 *   -EACCES     401 (after re-reading the token)   -EPERM   403
 *   -ESTALE     410 Gone/Expired: list again, then watch from the new list
 *   -EAGAIN     429 or 5xx: back off (retry_after says how long, or -1)
 *   -EFBIG      an object over the caller's buffer
 *   -EPROTO     a malformed response or an unexpected status
 *   -ENODATA    (podcidr_cache) the node has no pod CIDRs yet; (WatchList)
 *               the watch ended before its initial events did
 *   and transport errors from core/kube/http and core/kube/tls (-ECONNREFUSED,
 *   -ETIMEDOUT, -EKEYREJECTED, ...).
 *
 * Names: xc_k8s_
 */
#ifndef XC_K8S_H
#define XC_K8S_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kube/http.h"
#include "base/ipaddr.h"
#include "base/json.h"
#include "kube/tls.h"
#include "kube/yaml.h"

/* ---- limits -------------------------------------------------------------- */

#define XC_K8S_ERRLEN 512
#define XC_K8S_PATH_MAX 1024      /* file names in a kubeconfig */
#define XC_K8S_URL_MAX 1024       /* cluster server URL */
#define XC_K8S_TOKEN_MAX 4096     /* bearer token (a service-account JWT is ~1 KB) */
#define XC_K8S_PEM_MAX 32768      /* *-data of one kubeconfig, together (base64) */
#define XC_K8S_NAME_MAX 253       /* a Node name (DNS subdomain) */
#define XC_K8S_UID_MAX 63
#define XC_K8S_RV_MAX 63          /* resourceVersion (opaque; etcd's is <= 20 digits) */
#define XC_K8S_CIDRS_MAX 2        /* spec.podCIDRs: at most one per family */
#define XC_K8S_ADDRS_MAX 4        /* InternalIP/ExternalIP entries kept */
#define XC_K8S_ANNOT_MAX 2        /* annotations whose values are kept */
#define XC_K8S_ANNOT_LEN 127      /* longest annotation value kept */
#define XC_K8S_CA_MAX 16          /* trust anchors from one kubeconfig */
#define XC_K8S_TLS_MEM 32768      /* bytes for those anchors and a client key */
#define XC_K8S_OBJ_MAX (2u << 20) /* object buffer: etcd refuses objects over 1.5 MiB */
#define XC_K8S_CONTINUE_MAX 2048  /* LIST continue token */

/* ---- configuration -------------------------------------------------------- */

/* Where to look for the cluster; every field may be NULL or 0. */
struct xc_k8s_opts {
	const char *kubeconfig;  /* explicit file (--kubeconfig, a config key) */
	const char *context;     /* context to use instead of current-context */
	const char *sa_dir;      /* service-account folder; NULL: $XC_SA_DIR, else
				    /var/run/secrets/kubernetes.io/serviceaccount */
	int no_env;              /* ignore $KUBECONFIG and $HOME (tests) */
	const char *component;   /* named in the User-Agent: "xcluster-cni/VERSION (router)" */
};

struct xc_k8s_config {
	char source[XC_K8S_PATH_MAX + 16]; /* "kubeconfig PATH" or "in-cluster config" */
	int in_cluster;
	char server[XC_K8S_URL_MAX];
	char ca_file[XC_K8S_PATH_MAX];     /* resolved against the kubeconfig's folder */
	char cert_file[XC_K8S_PATH_MAX];
	char key_file[XC_K8S_PATH_MAX];
	char token_file[XC_K8S_PATH_MAX];
	char tls_server_name[XC_TLS_NAME_MAX + 1];
	int insecure;                      /* insecure-skip-tls-verify: true */
	char token[XC_K8S_TOKEN_MAX + 1];  /* a token given inline */
	size_t ca_len, cert_len, key_len;  /* decoded *-data, in that order in pem[] */
	char ca_field[96], cert_field[96], key_field[96], token_field[96]; /* for messages */
	unsigned char pem[XC_K8S_PEM_MAX];
	char err[XC_K8S_ERRLEN];
};

/*
 * Interpret a kubeconfig held in memory (YAML or JSON: a document whose
 * first non-blank byte is '{' is JSON). `path` names it in error texts and
 * its folder anchors relative file names (NULL: "kubeconfig (memory)",
 * relative names stay as written). `context` overrides current-context. Reads no
 * file: certificate-authority, client-certificate, client-key and
 * tokenFile are kept as paths. Honoured keys of the selected context's
 * cluster: server, certificate-authority(-data), tls-server-name,
 * insecure-skip-tls-verify; of its user: token, tokenFile,
 * client-certificate(-data), client-key(-data). *-data wins over the file
 * form, token over tokenFile (as client-go). Refused: exec and
 * auth-provider users, basic auth and impersonation (unless a token or
 * certificate is there too), proxy-url, and a CA together with
 * insecure-skip-tls-verify. YAML needs room for its nodes: `nodes` has
 * `cap` of them (a kubeconfig takes about 4 per line; len + 16 is plenty).
 * Errors (-EINVAL, -E2BIG, -ENOSPC) put "kubeconfig PATH: FIELD: reason"
 * in cfg->err, e.g. "users[0].user.client-key-data: not valid base64".
 * Returns 0 or a negative errno.
 */
int xc_k8s_config_parse(struct xc_k8s_config *cfg, const char *text, size_t len,
			const char *path, const char *context,
			struct xc_yaml_node *nodes, size_t cap);

/*
 * Find and read the configuration, in this order:
 *   1. opts->kubeconfig;
 *   2. $KUBECONFIG: its first non-empty entry of a ':' list (kubectl
 *      merges them all; one file is what a node agent is given);
 *   3. in-cluster: $KUBERNETES_SERVICE_HOST and _PORT (an IPv6 host gets
 *      brackets), with the folder's token (as a token file, re-read when it
 *      rotates) and ca.crt;
 *   4. $HOME/.kube/config, when it exists (people running the nodes applet).
 * 1 and 2 must exist when named. A kubeconfig (at most 1 MiB) is mapped
 * read-only while it is parsed; no buffer is needed. Files it names are
 * not read here (the client does). Returns 0, or a negative errno with
 * cfg->err set (-ENOENT when nothing was found at all).
 */
int xc_k8s_config_load(struct xc_k8s_config *cfg, const struct xc_k8s_opts *opts);

/* Overwrite the secrets a config holds (token, key data). */
void xc_k8s_config_wipe(struct xc_k8s_config *cfg);

/* ---- the client ------------------------------------------------------------ */

struct xc_k8s_client {
	struct xc_k8s_config cfg;
	struct xc_tls_config tls;
	struct xc_http_conn http;
	struct xc_tls_conn tconn;
	int insecure;            /* certificates are not verified: the caller warns */
	int plain;               /* credentials go over plain http to loopback: the caller warns */
	long retry_after;        /* seconds from the last 429/5xx (Retry-After), or -1 */
	int status;              /* HTTP status of the last response, 0 if none */
	int watching;            /* a watch owns the connection */
	unsigned requests;       /* requests sent (for tests and logs) */
	unsigned token_reads;    /* times the token file was read */
	char err[XC_K8S_ERRLEN];
	char agent[80];          /* the User-Agent field sent with every request */
	/* private */
	int have_token;
	uint64_t tok_dev, tok_ino, tok_size;
	int64_t tok_mtime_ns;
	char auth[XC_K8S_TOKEN_MAX + 32];
	br_x509_trust_anchor ta[XC_K8S_CA_MAX];
	unsigned char tls_mem[XC_K8S_TLS_MEM];
};

/*
 * Load the configuration (xc_k8s_config_load), then set up TLS and the
 * connection object; nothing is connected yet. A token file is read now,
 * so a missing one is reported here. If k->insecure is set afterwards,
 * the caller must log a warning: the server's certificate will not be
 * checked. A plain http server with a token or client certificate is
 * refused (-EINVAL) unless its host is loopback (localhost, 127.0.0.0/8,
 * ::1); then k->plain is set and the caller must warn too. Every request
 * names us: "User-Agent: xcluster-cni/VERSION (COMPONENT)", the component
 * from opts (left out when NULL). Returns 0 or a negative errno with k->err
 * set.
 */
int xc_k8s_client_init(struct xc_k8s_client *k, const struct xc_k8s_opts *opts);

/*
 * The same from a configuration the caller already has (it is copied, and
 * files it names are read now).
 */
int xc_k8s_client_init_config(struct xc_k8s_client *k, const struct xc_k8s_config *cfg);

/* Close the connection and overwrite the token and keys held. */
void xc_k8s_client_close(struct xc_k8s_client *k);

/*
 * One request with authentication: a 401 re-reads the token file and is
 * retried once. The response head is in k->http.resp; the body is left
 * for the caller (xc_http_read). Returns 0 for any status (k->status), or
 * a transport error. For code that needs a verb this module lacks.
 */
int xc_k8s_request(struct xc_k8s_client *k, const char *method, const char *path);

/* ---- node records ------------------------------------------------------------ */

enum xc_k8s_addr_type { XC_K8S_INTERNAL_IP = 1, XC_K8S_EXTERNAL_IP = 2 };

struct xc_k8s_addr {
	uint8_t type;            /* enum xc_k8s_addr_type */
	struct xc_ip ip;
};

/* What `dropped` flags: entries seen but not kept. */
#define XC_K8S_DROP_CIDR 1   /* a pod CIDR that is not a CIDR, or over the limit */
#define XC_K8S_DROP_ADDR 2   /* an IP address that is not one, or over the limit */

#define XC_K8S_ANNOT_ABSENT (-1)
#define XC_K8S_ANNOT_TOO_LONG (-2) /* over XC_K8S_ANNOT_LEN, or holds a NUL */

/* A Node as pod networking sees it (860 bytes, fixed). */
struct xc_k8s_node {
	char name[XC_K8S_NAME_MAX + 1];
	char uid[XC_K8S_UID_MAX + 1];
	char rv[XC_K8S_RV_MAX + 1];
	int64_t created;         /* metadata.creationTimestamp (xc_k8s_parse_time); 0: none */
	uint8_t deleting;        /* metadata.deletionTimestamp is set */
	uint8_t ncidrs;          /* spec.podCIDRs, else spec.podCIDR, in order */
	uint8_t naddrs;          /* status.addresses of the two types, in order */
	uint8_t dropped;         /* XC_K8S_DROP_* */
	struct xc_prefix cidr[XC_K8S_CIDRS_MAX];
	struct xc_k8s_addr addr[XC_K8S_ADDRS_MAX];
	int16_t annot_len[XC_K8S_ANNOT_MAX]; /* length, or XC_K8S_ANNOT_ABSENT/_TOO_LONG */
	char annot[XC_K8S_ANNOT_MAX][XC_K8S_ANNOT_LEN + 1];
};

/* What to ask for and what to keep; every field may be NULL. */
struct xc_k8s_select {
	const char *annot[XC_K8S_ANNOT_MAX]; /* annotation names whose values to keep */
	const char *label_selector;          /* e.g. "kubernetes.io/os=linux" */
	const char *field_selector;          /* e.g. "metadata.name=node-1" */
};

/*
 * Fill `node` from a Node object parsed by core/base/json (one pass over its
 * members; the big ones are skipped, not read). `annot` is NULL or the
 * XC_K8S_ANNOT_MAX annotation names to keep. Returns 0, or -EINVAL when
 * it is not an object, has no metadata.name, or a name, uid or
 * resourceVersion over the limits (err names which, when not NULL).
 */
int xc_k8s_node_parse(const struct xc_json *obj, const char *const *annot,
		      struct xc_k8s_node *node, char *err, size_t errlen);

/*
 * The same from an iterator over the object's members (one that
 * xc_json_next_enter gave for an item of a list: the object is read once,
 * its end found on the way).
 */
int xc_k8s_node_parse_members(struct xc_json_iter *members, const char *const *annot,
			      struct xc_k8s_node *node, char *err, size_t errlen);

/*
 * A Kubernetes timestamp (metav1.Time as the API writes it: RFC 3339 in
 * UTC to the second, "2024-01-01T00:00:00Z") as the number 20240101000000,
 * which orders as the times do (no calendar arithmetic needed to rank;
 * the digits are not range-checked). Returns 0, or -EINVAL for anything
 * else (fractions and offsets too).
 */
int xc_k8s_parse_time(const char *text, int64_t *out);

/* Name of an address type ("InternalIP", "ExternalIP"). */
const char *xc_k8s_addr_type_name(int type);

/*
 * The pod CIDRs an annotation value gives: a comma-separated list of
 * CIDRs (spaces around items allowed). Returns the count (0..max), or
 * -EINVAL for an item that is not a CIDR, -E2BIG for more than max.
 */
int xc_k8s_parse_cidr_list(const char *text, struct xc_prefix *out, int max);

/*
 * GET /api/v1/nodes/NAME into `node`; `buf` (size bytes) holds the
 * object while it is read (XC_K8S_OBJ_MAX for any node). Returns 0,
 * -ENOENT (no such node) or another error listed at the head.
 */
int xc_k8s_get_node(struct xc_k8s_client *k, const char *name, const struct xc_k8s_select *sel,
		    char *buf, size_t size, struct xc_k8s_node *node);

/* ---- events --------------------------------------------------------------- */

enum xc_k8s_event_type {
	XC_K8S_LISTED = 1,   /* an item of a LIST */
	XC_K8S_RESTART,      /* the LIST started over (continue expired): forget its items */
	XC_K8S_ADDED,
	XC_K8S_MODIFIED,
	XC_K8S_DELETED,
	XC_K8S_BOOKMARK,     /* only rv is set */
};

struct xc_k8s_event {
	enum xc_k8s_event_type type;
	const char *rv;          /* the resourceVersion this event brings us to */
	int initial_end;         /* BOOKMARK: k8s.io/initial-events-end (WatchList) */
	struct xc_k8s_node node; /* not for BOOKMARK and RESTART */
};

/*
 * Called for each event; return 0 to go on, a negative errno to stop (the
 * list or step returns it; a watch keeps its position before this event).
 */
typedef int (*xc_k8s_event_fn)(void *arg, const struct xc_k8s_event *ev);

/* Name of an event type ("ADDED", ...). */
const char *xc_k8s_event_name(enum xc_k8s_event_type type);

/* ---- LIST -------------------------------------------------------------- */

/*
 * The streaming reader of a list body (used by xc_k8s_list; public for
 * tests and fuzzing). Items of the top-level "items" array are cut out one
 * at a time into the caller's buffer, parsed and delivered; the list's
 * metadata (resourceVersion, continue) is kept. Memory: the buffer, which
 * must hold one item, whatever the page size.
 */
struct xc_k8s_listparse {
	char rv[XC_K8S_RV_MAX + 1];
	char cont[XC_K8S_CONTINUE_MAX + 1];
	unsigned items;          /* delivered so far */
	/* private */
	const char *const *annot;
	char *buf;
	size_t size, len;
	int state, depth, in_str, esc, capture, overflow, have_meta;
	unsigned klen;
	char key[12];
	struct xc_k8s_event ev;
	char err[160];
};

/* Start reading a list body; buf (size bytes) must hold one item. */
void xc_k8s_listparse_init(struct xc_k8s_listparse *lp, char *buf, size_t size,
			   const char *const *annot);

/*
 * Feed body bytes; each item is delivered as XC_K8S_LISTED. Returns 0, the
 * callback's error, -EFBIG (an item over the buffer), -EINVAL (malformed
 * item or list; lp->err says what).
 */
int xc_k8s_listparse_feed(struct xc_k8s_listparse *lp, const void *data, size_t len,
			  xc_k8s_event_fn fn, void *arg);

/* The body ended: 0 if it was one complete list with metadata, else -EINVAL. */
int xc_k8s_listparse_end(struct xc_k8s_listparse *lp);

/*
 * LIST every Node, `limit` per page (0: 500), following continue tokens.
 * Each node is delivered as XC_K8S_LISTED; a continue token that expired
 * (410) restarts the list from the start, announced as XC_K8S_RESTART.
 * The list's resourceVersion (where a watch starts) goes to rv. `buf`
 * holds one item at a time (XC_K8S_OBJ_MAX for any node). Blocking; each
 * wait is bounded by k->http.timeout_ms. Returns 0 or an error listed at
 * the head (-EAGAIN with k->retry_after for 429/5xx).
 *
 * At resourceVersion `at`, as client-go's reflector lists: "0" is any
 * version, served from the API server's watch cache (limit is sent; the
 * cache ignores it); another version means no older than that one, also
 * from the cache, so no limit is sent; "" or NULL is the latest, a quorum
 * read from etcd, paginated. A version the server no longer has or does
 * not have yet (410, 504) is listed again at "" at once (`at` must not be
 * rv's buffer, which is cleared first). xc_k8s_list is the quorum read.
 */
int xc_k8s_list_at(struct xc_k8s_client *k, const struct xc_k8s_select *sel, unsigned limit,
		   const char *at, char *buf, size_t size, xc_k8s_event_fn fn, void *arg,
		   char rv[XC_K8S_RV_MAX + 1]);

static inline int xc_k8s_list(struct xc_k8s_client *k, const struct xc_k8s_select *sel,
			      unsigned limit, char *buf, size_t size, xc_k8s_event_fn fn, void *arg,
			      char rv[XC_K8S_RV_MAX + 1])
{
	return xc_k8s_list_at(k, sel, limit, "", buf, size, fn, arg, rv);
}

/* ---- WATCH -------------------------------------------------------------- */

struct xc_k8s_watch {
	struct xc_k8s_client *k;
	struct xc_k8s_select sel;
	char rv[XC_K8S_RV_MAX + 1]; /* last resourceVersion seen */
	int timeout_s;           /* timeoutSeconds asked of the server; 0: 300..599 */
	int initial;             /* WatchList: set, the next start asks for the initial
				    events; their end (a BOOKMARK with k8s.io/initial-events-end)
				    clears it */
	unsigned idle_ms;        /* no byte for timeout_s plus this: the connection is dead */
	/* counters, for logs and tests */
	unsigned long events, bookmarks, watches, bytes;
	/* private */
	char *buf;
	size_t size, len, scan;
	int open, cur_timeout_s;
	int64_t last_ms, started_ms;
	struct xc_k8s_event ev;
};

/*
 * Prepare a watch over the client's connection (which it owns while
 * open). buf (size bytes) assembles one event (XC_K8S_OBJ_MAX for any
 * node). sel is copied (its strings must outlive w). Returns 0 or -EINVAL.
 */
int xc_k8s_watch_init(struct xc_k8s_watch *w, struct xc_k8s_client *k,
		      const struct xc_k8s_select *sel, char *buf, size_t size);

/*
 * Start watching from resourceVersion rv (normally a list's; "" or NULL:
 * from now, the server first sends every node as ADDED), with bookmarks.
 * With w->initial set, a WatchList: sendInitialEvents=true and
 * resourceVersionMatch=NotOlderThan (rv "": the latest), every node comes
 * as ADDED, then a BOOKMARK with k8s.io/initial-events-end. A server that
 * refuses it answers 422 (-EPROTO) or 403 (-EPERM); one that ignores it
 * sends an ordinary bookmark first, which step reports as -ENOMSG (a
 * clean end before the initial events did is -ENODATA: a restart or a
 * proxy may do that to any server). Blocks until the response head arrives. Returns 0,
 * -ESTALE (rv too old: list again), -EAGAIN (back off, k->retry_after) or
 * another error.
 */
int xc_k8s_watch_start(struct xc_k8s_watch *w, const char *rv);

/*
 * Read what is available (never waiting for the socket) and deliver the
 * events. A watch the server ended cleanly is restarted from w->rv here
 * (once per call); a closed watch (after an error) is restarted from
 * w->rv too, so after a transport error the caller backs off and calls
 * step again. Returns:
 *   0         nothing more for now: poll xc_k8s_watch_fd for POLLIN
 *             (and call again at once while xc_k8s_watch_pending)
 *   -ESTALE   relist needed (410 as status or ERROR event, an event over
 *             the buffer); the watch is closed
 *   -EAGAIN   back off (429, 5xx, or an ERROR event with such a code);
 *             k->retry_after gives the server's seconds or -1
 *   -ETIMEDOUT  nothing arrived for timeout_s + idle_ms: reconnect
 *   -ENOMSG   w->initial: the server does not send initial events (see
 *             xc_k8s_watch_start); the watch is closed
 *   -ENODATA  w->initial: the server ended the watch before the initial
 *             events did; the watch is closed
 *   other < 0 transport or protocol errors; the watch is closed
 */
int xc_k8s_watch_step(struct xc_k8s_watch *w, xc_k8s_event_fn fn, void *arg);

/*
 * Body bytes of a watch stream, as step reads them (public for tests and
 * fuzzing): events are assembled across any cut of the input. Returns 0,
 * the callback's error, -ESTALE, -EAGAIN or -EPROTO (an ERROR event),
 * -EFBIG (an event over the buffer) or -EINVAL (a line that is not an
 * event; w->k->err says why when w->k is set).
 */
int xc_k8s_watch_feed(struct xc_k8s_watch *w, const void *data, size_t len,
		      xc_k8s_event_fn fn, void *arg);

/* The socket to poll, -1 when no watch is open. */
int xc_k8s_watch_fd(const struct xc_k8s_watch *w);

/* Non-zero when step has input without the socket becoming readable. */
int xc_k8s_watch_pending(const struct xc_k8s_watch *w);

/*
 * Milliseconds the caller may sleep before step must run anyway to notice
 * a dead connection (-1: no watch open).
 */
int xc_k8s_watch_poll_ms(const struct xc_k8s_watch *w);

/* Close the watch (the client's connection is free again). */
void xc_k8s_watch_stop(struct xc_k8s_watch *w);

/* ---- back-off ------------------------------------------------------------ */

struct xc_k8s_backoff {
	unsigned base_ms, max_ms, cur_ms;
	uint32_t seed;
};

/*
 * Exponential back-off with jitter: each delay is drawn from
 * [cur/2, cur], cur doubling from base_ms up to max_ms. Seeded from the
 * clock and pid, so nodes restarted together spread out.
 */
void xc_k8s_backoff_init(struct xc_k8s_backoff *b, unsigned base_ms, unsigned max_ms);

/*
 * The next delay in ms. A server's Retry-After (seconds, >= 0; -1 if none)
 * is honoured: the delay is at least that (capped at 10 minutes).
 */
unsigned xc_k8s_backoff_next(struct xc_k8s_backoff *b, long retry_after_s);

/* After a success: start again from base_ms. */
void xc_k8s_backoff_reset(struct xc_k8s_backoff *b);

/* ---- small helpers --------------------------------------------------------- */

/*
 * This node's name: $NODE_NAME, else the host name in lower case (what
 * kubelet registers by default). Returns 0, -ENAMETOOLONG or -ENOENT.
 */
int xc_k8s_node_name(char *buf, size_t size);

/*
 * Decode standard base64 (padding required, CR/LF ignored, as Go's
 * decoder). Returns the length or -EINVAL, -ENOSPC.
 */
long xc_k8s_base64_decode(const char *in, size_t len, unsigned char *out, size_t size);

#endif
