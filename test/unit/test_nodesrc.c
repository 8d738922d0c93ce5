/*
 * test_nodesrc: the router's k8s node source (core/router/nodesrc) builds the
 * same node table from a WatchList stream as from a LIST body of the same
 * nodes, however the stream is cut into reads, HTTP chunked framing
 * included; and a stream cut before the k8s.io/initial-events-end bookmark
 * never completes a listing (nothing is removed).
 *
 * Without a socket: the bytes go through the HTTP response parser
 * (xc_http_resp_head/_body, as xc_http_read decodes them), then
 * xc_k8s_watch_feed or xc_k8s_listparse_feed, with nodesrc's own callback
 * (xc_nodesrc_event) into a struct xc_nodetab. With a socket
 * (test/lib/httptest_server.py): xc_nodesrc_list itself on a WatchList
 * that ends before its bookmark: LIST+WATCH that time, WatchList again the
 * next, for good only after WL_TRANSIENT_MAX in a row (a completed one
 * starts the count again).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "router/nodesrc.h"
#include "httptest.h"
#include "tabsame.h"
#include "wlpaths.h"
#include "t.h"

/* ---- a node generator and what the table must then hold ------------------------- */

#define NNODES 5
#define ANN_CIDR "xcluster.example/pod-cidrs"
#define ANN_ADDR "xcluster.example/address"

/*
 * Node i as the API serves it (the bulk a real Node carries around the
 * fields that matter), and the record the router must make of it: annot
 * says whether the source reads the two annotations above.
 */
/* set-up steps that failed (checked once, not per cut) */
static int gen_bad;

static void node_json(struct text *t, int i, int variant, int annot, struct xc_node_rec *want)
{
	static const char *const names[NNODES] = {
		"node-0", "worker-1.eu-west.example.internal", "a",
		"n-3-with-a-longer-name-as-cloud-providers-make-them-0123456789abcdef",
		"node-4",
	};
	char cidr4[32], cidr6[48], a4[20], a6[40], ext[20], acidr4[32], acidr6[48], aaddr[20];
	struct xc_node_rec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", names[i]);
	/* host bits set in node 2's CIDR: the table keeps the network */
	snprintf(cidr4, sizeof(cidr4), "10.%d.%d.%d/24", 244 + variant, i, i == 2 ? 7 : 0);
	snprintf(cidr6, sizeof(cidr6), "fd00:10:%x:%x::/64", 244 + variant, i);
	snprintf(a4, sizeof(a4), "198.18.0.%d", 10 + i);
	snprintf(a6, sizeof(a6), "fd00:18::%x", 10 + i);
	snprintf(ext, sizeof(ext), "198.19.1.%d", 10 + i);
	snprintf(acidr4, sizeof(acidr4), "192.168.%d.0/25", i + variant);
	snprintf(acidr6, sizeof(acidr6), "fd01::%x:0/112", i);
	snprintf(aaddr, sizeof(aaddr), "198.18.9.%d", i);

	app(t, "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"%s\","
	    "\"uid\":\"6a1f%04d-0000-4000-8000-00000000000%d\",\"resourceVersion\":\"%d\",",
	    r.name, i, i, 50 + i);
	if (i != 3) {   /* node 3 has no creation time: unknown, 0 */
		app(t, "\"creationTimestamp\":\"2024-0%d-1%dT0%d:3%d:00Z\",", 1 + i, i, i, i);
		r.created = (2024 * 10000 + (1 + i) * 100 + 10 + i) * 1000000LL + i * 10000 + (30 + i) * 100;
	}
	app(t, "\"labels\":{\"kubernetes.io/hostname\":\"%s\",\"kubernetes.io/os\":\"linux\"},",
	    r.name);
	app(t, "\"annotations\":{\"node.alpha.kubernetes.io/ttl\":\"0\"");
	if (i != 4)     /* node 4 lacks them: no CIDR on that network, addresses from status */
		app(t, ",\"" ANN_CIDR "\":\"%s, %s\",\"" ANN_ADDR "\":\"%s\"", acidr4,
		    acidr6, aaddr);
	app(t, "},\"managedFields\":[{\"manager\":\"kubelet\",\"operation\":\"Update\","
	    "\"fieldsV1\":{\"f:status\":{\"f:addresses\":{}}}}]},");
	if (i == 1)     /* IPv4 only */
		app(t, "\"spec\":{\"podCIDR\":\"%s\",\"podCIDRs\":[\"%s\"]},", cidr4, cidr4);
	else
		app(t, "\"spec\":{\"podCIDR\":\"%s\",\"podCIDRs\":[\"%s\",\"%s\"],"
		    "\"providerID\":\"kind://docker/x/%s\"},", cidr4, cidr4, cidr6, r.name);
	app(t, "\"status\":{\"capacity\":{\"cpu\":\"8\"},\"addresses\":["
	    "{\"type\":\"InternalIP\",\"address\":\"%s\"},{\"type\":\"Hostname\",\"address\":\"%s\"},"
	    "{\"type\":\"InternalIP\",\"address\":\"%s\"},{\"type\":\"ExternalIP\",\"address\":\"%s\"}],"
	    "\"images\":[{\"names\":[\"registry.example/pause@sha256:%064d\"],\"sizeBytes\":%d}]}}",
	    a4, r.name, a6, ext, i, 300000 + i);

	if (annot) {
		if (i != 4) {
			gen_bad += xc_prefix_parse(acidr4, &r.cidr[r.ncidr++]) != 0;
			gen_bad += xc_prefix_parse(acidr6, &r.cidr[r.ncidr++]) != 0;
			gen_bad += xc_ip_parse(aaddr, &r.addr[r.naddr].ip) != 0;
			r.addr[r.naddr++].kind = XC_NODE_ADDR_ANNOTATION;
		}
	} else {
		gen_bad += xc_prefix_parse(cidr4, &r.cidr[r.ncidr++]) != 0;
		if (i != 1)
			gen_bad += xc_prefix_parse(cidr6, &r.cidr[r.ncidr++]) != 0;
	}
	for (int k = 0; k < r.ncidr; k++)
		xc_prefix_network(&r.cidr[k], &r.cidr[k]);
	gen_bad += xc_ip_parse(a4, &r.addr[r.naddr].ip) != 0;
	r.addr[r.naddr++].kind = XC_NODE_ADDR_INTERNAL;
	gen_bad += xc_ip_parse(a6, &r.addr[r.naddr].ip) != 0;
	r.addr[r.naddr++].kind = XC_NODE_ADDR_INTERNAL;
	gen_bad += xc_ip_parse(ext, &r.addr[r.naddr].ip) != 0;
	r.addr[r.naddr++].kind = XC_NODE_ADDR_EXTERNAL;
	if (want)
		*want = r;
}

/* The NodeList a LIST answers with. */
static void list_body(struct text *t, int annot, int variant, struct xc_node_rec *want)
{
	app(t, "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":"
	    "{\"resourceVersion\":\"100\"},\"items\":[");
	for (int i = 0; i < NNODES; i++) {
		app(t, i ? "," : "");
		node_json(t, i, variant, annot, want ? &want[i] : NULL);
	}
	app(t, "]}");
}

static const char bookmark[] =
	"{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Node\",\"apiVersion\":\"v1\","
	"\"metadata\":{\"resourceVersion\":\"100\",\"creationTimestamp\":null,"
	"\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}},\"spec\":{},\"status\":"
	"{\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":0}},\"nodeInfo\":{}}}}\n";

static void chunk(struct text *t, const char *data, size_t n, const char *ext)
{
	app(t, "%zx%s\r\n%.*s\r\n", n, ext, (int)n, data);
}

/*
 * The WatchList response, chunked as the API server flushes it (one event
 * a chunk), with one event split over two chunks and two sharing one.
 * *bm_end: offset just past the bookmark's newline in the response.
 */
static void watch_response(struct text *t, int annot, int variant, int nodes, size_t *bm_end)
{
	struct text ev = { 0 };
	size_t at[NNODES + 2];
	int n = 0;

	for (int i = 0; i < nodes; i++) {
		at[n++] = ev.len;
		app(&ev, "{\"type\":\"ADDED\",\"object\":");
		node_json(&ev, i, variant, annot, NULL);
		app(&ev, "}\n");
	}
	at[n++] = ev.len;
	app(&ev, "%s", bookmark);
	at[n] = ev.len;
	app(t, "HTTP/1.1 200 OK\r\nAudit-Id: 0b3c\r\nCache-Control: no-cache, private\r\n"
	    "Content-Type: application/json\r\nDate: Sun, 06 Dec 2026 16:00:00 GMT\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	for (int k = 0; k < n; k++) {
		const char *p = ev.p + at[k];
		size_t len = at[k + 1] - at[k];

		if (k == 1) {
			chunk(t, p, 20, "");
			chunk(t, p + 20, len - 20, ";x=split");
		} else if (k == 2 && k + 1 < n - 1) {
			chunk(t, p, at[k + 2] - at[k], "");
			k++;
		} else {
			chunk(t, p, len, "");
		}
	}
	/* the bookmark's newline is the last byte of the last chunk's data */
	*bm_end = t->len - 2;
	free(ev.p);
}

/* ---- comparing tables ---------------------------------------------------------- */

static char why[300];

static int tab_same(const struct xc_nodetab *a, const struct xc_nodetab *b)
{
	return tabsame(a, b, why, sizeof(why));
}

/* ---- the router's two paths, without a socket ---------------------------------- */

static struct xc_nodesrc src;        /* opened as the router opens it */

/*
 * The table a previous listing left: a node since gone, and node 0 with
 * other CIDRs. What a cut stream must not remove.
 */
static void stale_table(struct xc_nodetab *t, int annot)
{
	struct text junk = { 0 };
	struct xc_node_rec r;
	struct xc_nodesrc_to to = { &src, t };
	struct xc_k8s_event ev = { .type = XC_K8S_LISTED, .rv = "1" };

	xc_nodetab_init(t);
	xc_nodetab_begin(t);
	node_json(&junk, 0, 7, annot, &r);
	gen_bad += xc_nodetab_set(t, &r) != 1;
	memset(&ev.node, 0, sizeof(ev.node));
	strcpy(ev.node.name, "gone-node");
	gen_bad += xc_prefix_parse("10.99.0.0/24", &ev.node.cidr[0]) != 0;
	ev.node.ncidrs = 1;
	gen_bad += xc_nodesrc_event(&to, &ev) != 0;
	xc_nodetab_sweep(t);
	free(junk.p);
}

static void cuts(int annot)
{
	struct text list = { 0 }, resp = { 0 }, other = { 0 };
	struct xc_node_rec want[NNODES];
	struct xc_nodetab tl, tw, tx;
	struct wl *f = calloc(1, sizeof(*f));
	size_t bm_end, bad_partial = 0, bad_whole = 0, bad_same = 0, bad_init = 0, first = 0;
	int checked = 0;

	list_body(&list, annot, 0, want);
	watch_response(&resp, annot, 0, NNODES, &bm_end);

	/* the LIST path holds exactly the generated nodes */
	xc_nodetab_init(&tl);
	T_INT(from_list(&src, &tl, &list), 0);
	xc_nodetab_init(&tx);
	for (int i = 0; i < NNODES; i++)
		T_INT(xc_nodetab_set(&tx, &want[i]), 1);
	if (!T(tab_same(&tl, &tx)))
		printf("     LIST vs generated (annot %d): %s\n", annot, why);
	T_INT(tl.n, NNODES);
	xc_nodetab_free(&tx);

	/* every cut: [0, k) then [k, end) */
	for (size_t k = 0; k <= resp.len; k++) {
		int ok = 1;

		stale_table(&tw, annot);
		gen_bad += wl_start(f, &src, &tw) != 0;
		ok &= !wl_feed(f, resp.p, k);
		/* before the bookmark's newline: still initial, nothing removed */
		if (f->w.initial != (k < bm_end)) {
			bad_init++;
			ok = 0;
		}
		if (k < bm_end) {
			wl_finish(f);
			if (!xc_nodetab_find(&tw, "gone-node") || tw.n < 2) {
				bad_partial++;
				ok = 0;
			}
		}
		ok &= !wl_feed(f, resp.p + k, resp.len - k);
		if (f->w.initial)
			bad_whole++, ok = 0;
		wl_finish(f);
		if (!tab_same(&tl, &tw))
			bad_same++, ok = 0;
		if (!ok && !first)
			first = k + 1;
		checked++;
		xc_nodetab_free(&tw);
	}
	if (first)
		printf("     annot %d: first bad cut at %zu of %zu (%s)\n", annot, first - 1,
		       resp.len, why);
	T_INT(bad_init, 0);
	T_INT(bad_partial, 0);
	T_INT(bad_whole, 0);
	T_INT(bad_same, 0);
	T_INT(checked, resp.len + 1);

	/* byte by byte, and in random pieces */
	for (unsigned seed = 0; seed < 64; seed++) {
		unsigned x = seed * 2654435761u + 1;
		size_t pos = 0, n;

		stale_table(&tw, annot);
		gen_bad += wl_start(f, &src, &tw) != 0;
		while (pos < resp.len) {
			n = seed ? 1 + (x = x * 1103515245u + 12345u) % (seed * 37) : 1;
			n = n > resp.len - pos ? resp.len - pos : n;
			wl_feed(f, resp.p + pos, n);
			pos += n;
		}
		wl_finish(f);
		if (f->rc || f->w.initial || !tab_same(&tl, &tw)) {
			T(0);
			printf("     seed %u: rc %d initial %d: %s\n", seed, f->rc, f->w.initial, why);
		}
		xc_nodetab_free(&tw);
	}

	/* the comparison can fail: other CIDRs, or a node left out */
	watch_response(&other, annot, 1, NNODES, &bm_end);
	stale_table(&tw, annot);
	gen_bad += wl_start(f, &src, &tw) != 0;
	T_INT(wl_feed(f, other.p, other.len), 0);
	wl_finish(f);
	T(!tab_same(&tl, &tw));
	xc_nodetab_free(&tw);
	other.len = 0;
	watch_response(&other, annot, 0, NNODES - 1, &bm_end);
	stale_table(&tw, annot);
	gen_bad += wl_start(f, &src, &tw) != 0;
	T_INT(wl_feed(f, other.p, other.len), 0);
	wl_finish(f);
	T(!tab_same(&tl, &tw));
	T_INT(tw.n, NNODES - 1);
	xc_nodetab_free(&tw);

	xc_nodetab_free(&tl);
	free(list.p);
	free(resp.p);
	free(other.p);
	free(f);
}

/* ---- xc_nodesrc_list itself, on a WatchList that ends before its bookmark -------- */

/* ---- odd Nodes: the file source and the API read them alike ------------------ */

/* Node name's record in t, unpacked; 0 if it is there. */
static int rec_of(const struct xc_nodetab *t, const char *name, struct xc_node_rec *r)
{
	const struct xc_node *n = xc_nodetab_find(t, name);

	if (!n)
		return -1;
	xc_node_unpack(n, r);
	return 0;
}

static int cidr_is(const struct xc_node_rec *r, int k, const char *text)
{
	struct xc_prefix p;

	return k < r->ncidr && !xc_prefix_parse(text, &p) && p.len == r->cidr[k].len &&
	       xc_ip_equal(&p.ip, &r->cidr[k].ip);
}

static int addr_is(const struct xc_node_rec *r, int k, const char *text, uint8_t kind)
{
	struct xc_ip ip;

	return k < r->naddr && !xc_ip_parse(text, &ip) && xc_ip_equal(&ip, &r->addr[k].ip) &&
	       r->addr[k].kind == kind;
}

/*
 * Nodes the API would store (it validates little of what matters here, and
 * annotations not at all), as a NodeList: read by the API source's LIST and
 * by the file source, the two tables must be equal, and say what the one
 * reading of a Node (xc_node_from_k8s) says.
 */
static void odd_nodes(int annot)
{
	struct text body = { 0 };
	struct xc_nodetab api, file;
	struct xc_node_parse pc = { annot ? ANN_CIDR : NULL, annot ? ANN_ADDR : NULL };
	struct xc_json root;
	struct xc_node_rec r;

	app(&body, "{\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"7\"},\"items\":["
	    /* one network twice (host bits differ), an address twice, ExternalIP first */
	    "{\"metadata\":{\"name\":\"dup\"},\"spec\":{\"podCIDRs\":[\"10.1.0.0/24\","
	    "\"10.1.0.9/24\"]},\"status\":{\"addresses\":[{\"type\":\"ExternalIP\","
	    "\"address\":\"198.19.0.1\"},{\"type\":\"InternalIP\",\"address\":\"198.18.0.1\"},"
	    "{\"type\":\"InternalIP\",\"address\":\"198.18.0.1\"}]}},"
	    /* three pod CIDRs (the API allows one per family), a bad one first */
	    "{\"metadata\":{\"name\":\"many\"},\"spec\":{\"podCIDRs\":[\"nonsense\","
	    "\"10.2.0.0/24\",\"fd00:2::/64\",\"10.3.0.0/24\"]}},"
	    /* annotations: a CIDR twice; addresses with junk, one followed by a word */
	    "{\"metadata\":{\"name\":\"ann\",\"annotations\":{\"" ANN_CIDR "\":"
	    "\"10.5.0.0/24, 10.5.0.0/24\",\"" ANN_ADDR "\":\" 198.18.5.1 , junk,"
	    "198.18.5.2 x, fd00::5 \"}},\"spec\":{\"podCIDRs\":[\"10.4.0.0/24\"]},"
	    "\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"198.18.4.1\"}]}},"
	    /* a CIDR annotation with one bad item: none of it */
	    "{\"metadata\":{\"name\":\"annbad\",\"annotations\":{\"" ANN_CIDR "\":"
	    "\"10.6.0.0/24,garbage\"}},\"spec\":{\"podCIDRs\":[\"10.7.0.0/24\"]}}]}");
	xc_nodetab_init(&api);
	xc_nodetab_init(&file);
	T_INT(from_list(&src, &api, &body), 0);
	if (T(xc_json_parse(body.p, body.len, &root, NULL) == 0))
		T_INT(xc_nodetab_load_list(&file, &root, &pc, NULL, NULL), 0);
	if (!T(tab_same(&api, &file)))
		printf("  odd nodes (annot %d): %s\n", annot, why);

	/* with the CIDR annotation read, a node without it has no pod CIDR */
	if (T(rec_of(&file, "dup", &r) == 0)) {
		T_INT(r.ncidr, !annot);
		T(annot || cidr_is(&r, 0, "10.1.0.0/24"));
		T_INT(r.naddr, 2);
		T(addr_is(&r, 0, "198.18.0.1", XC_NODE_ADDR_INTERNAL));
		T(addr_is(&r, 1, "198.19.0.1", XC_NODE_ADDR_EXTERNAL));
	}
	if (T(rec_of(&file, "many", &r) == 0)) {
		T_INT(r.ncidr, annot ? 0 : 2);
		T(annot || (cidr_is(&r, 0, "10.2.0.0/24") && cidr_is(&r, 1, "fd00:2::/64")));
	}
	if (T(rec_of(&file, "ann", &r) == 0)) {
		T_INT(r.ncidr, 1);
		T(cidr_is(&r, 0, annot ? "10.5.0.0/24" : "10.4.0.0/24"));
		if (annot) {
			T_INT(r.naddr, 3);
			T(addr_is(&r, 0, "198.18.5.1", XC_NODE_ADDR_ANNOTATION));
			T(addr_is(&r, 1, "fd00::5", XC_NODE_ADDR_ANNOTATION));
			T(addr_is(&r, 2, "198.18.4.1", XC_NODE_ADDR_INTERNAL));
		} else {
			T_INT(r.naddr, 1);
		}
	}
	if (T(rec_of(&file, "annbad", &r) == 0))
		T_INT(r.ncidr, annot ? 0 : 1);
	xc_nodetab_free(&api);
	xc_nodetab_free(&file);
	free(body.p);
}

static char kcdir[64];

static int open_src(struct xc_nodesrc *s, const char *server, const struct xc_node_parse *pc)
{
	char path[128];
	struct text kc = { 0 };
	struct xc_k8s_opts o = { .kubeconfig = path, .no_env = 1, .sa_dir = kcdir };
	FILE *fp;
	int rc;

	snprintf(path, sizeof(path), "%s/kubeconfig", kcdir);
	app(&kc, "apiVersion: v1\nkind: Config\ncurrent-context: t\n"
	    "clusters:\n- name: c\n  cluster:\n    server: %s\n"
	    "contexts:\n- name: t\n  context:\n    cluster: c\n    user: u\n"
	    "users:\n- name: u\n  user:\n    token: test-token\n", server);
	fp = fopen(path, "w");
	if (!fp)
		return -errno;
	fputs(kc.p, fp);
	fclose(fp);
	free(kc.p);
	rc = xc_nodesrc_open_k8s(s, &o, pc);
	if (rc)
		printf("     open: %s\n", s->err);
	return rc;
}

static void close_src(struct xc_nodesrc *s)
{
	xc_k8s_watch_stop(&s->w);
	xc_k8s_client_close(s->k);
	free(s->k);
	free(s->buf);
}

/*
 * After the first cut WatchList: each listing tries WatchList again (its
 * request, then the fallback's WATCH: two watches), until the cuts in a
 * row reach the bound; then LIST+WATCH only (one watch), for good.
 */
static void wl_cut_again(struct xc_nodesrc *s, struct xc_nodetab *t)
{
	int n;

	for (n = 2; n <= 4; n++) {
		T_INT(xc_nodesrc_list(s, t), 0);
		T_INT(s->w.watches, n <= 3 ? 2 : 1);
		T_INT(s->no_watchlist, n >= 3);
		T_INT(t->n, 1);
		if (n == 3 && !T(strstr(s->err, "LIST+WATCH from now on")))
			printf("     notice: %s\n", s->err);
	}
}

/*
 * httptest_server.py's /wl-cut/: a WatchList that sends node-x and node-y,
 * then ends cleanly; its LIST (the fallback) has node-y only (node-x was
 * deleted in between). /wl-cut-fail/: that LIST answers 500.
 */
static void cut_watchlist(int port)
{
	struct xc_nodesrc s;
	struct xc_nodetab t;
	char url[80];
	int rc;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/wl-cut", port);
	if (!T(!open_src(&s, url, NULL)))
		return;
	xc_nodetab_init(&t);
	rc = xc_nodesrc_list(&s, &t);
	T_INT(rc, 0);
	/* one cut stream is no refusal: LIST this time, WatchList again next time */
	T(!s.no_watchlist);
	T_INT(s.w.watches, 2);
	/* the abandoned initial events do not count in the LIST's listing */
	T(xc_nodetab_find(&t, "node-y") != NULL);
	T(xc_nodetab_find(&t, "node-x") == NULL);
	T_INT(t.n, 1);
	wl_cut_again(&s, &t);
	xc_nodetab_free(&t);
	close_src(&s);

	/* the fallback LIST fails: nothing is removed, the old node stays */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/wl-cut-fail", port);
	if (!T(!open_src(&s, url, NULL)))
		return;
	xc_nodetab_init(&t);
	xc_nodetab_begin(&t);
	{
		struct xc_node_rec r = { .name = "old-node", .ncidr = 1 };

		T(!xc_prefix_parse("10.98.0.0/24", &r.cidr[0]));
		T_INT(xc_nodetab_set(&t, &r), 1);
	}
	xc_nodetab_sweep(&t);
	rc = xc_nodesrc_list(&s, &t);
	T(rc < 0);
	T(xc_nodetab_find(&t, "old-node") != NULL);
	xc_nodetab_free(&t);
	close_src(&s);
}

/*
 * httptest_server.py's /wl-flaky/: the third WatchList completes, the
 * others end early. The one that completes starts the count again: two
 * more cuts after it are still no reason to give up.
 */
static void flaky_watchlist(int port)
{
	struct xc_nodesrc s;
	struct xc_nodetab t;
	char url[80];
	int n;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/wl-flaky", port);
	if (!T(!open_src(&s, url, NULL)))
		return;
	xc_nodetab_init(&t);
	for (n = 1; n <= 5; n++) {
		T_INT(xc_nodesrc_list(&s, &t), 0);
		T_INT(s.w.watches, n == 3 ? 1 : 2);     /* 3: the WatchList goes on as the watch */
		T(!s.no_watchlist);
		T_INT(t.n, n == 3 ? 2 : 1);
	}
	xc_nodetab_free(&t);
	close_src(&s);
}

/*
 * Records pack an IPv4 entry in 6 bytes and an IPv6 one in 18: every mix
 * of families in any order reads back as it went in, each accessor finds
 * its entry past entries of the other size, and the same content is no
 * change while one address of another family is.
 */
static void packed_records(void)
{
	static const char *c[] = { "fd00:0:7::/64", "198.19.7.0/29", "fd00:0:8::/80", "198.19.8.0/30" };
	static const char *a[] = { "198.18.0.7", "fd00:100::7", "198.18.1.7", "fd00:100::8" };
	static const uint8_t kind[] = { XC_NODE_ADDR_EXTERNAL, XC_NODE_ADDR_EXTERNAL,
					XC_NODE_ADDR_INTERNAL, XC_NODE_ADDR_INTERNAL };
	struct xc_nodetab t;
	struct xc_node_rec r = { .name = "packed", .created = 5, .ncidr = 4, .naddr = 4 }, back;
	struct xc_prefix p;
	struct xc_ip ip;
	const struct xc_node *n;
	int same = 1;

	xc_nodetab_init(&t);
	for (int k = 0; k < 4; k++) {
		T_INT(xc_prefix_parse(c[k], &r.cidr[k]), 0);
		T_INT(xc_ip_parse(a[k], &r.addr[k].ip), 0);
		r.addr[k].kind = kind[k];
	}
	T_INT(xc_nodetab_set(&t, &r), 1);
	T_INT(rec_of(&t, "packed", &back), 0);
	for (int k = 0; k < 4; k++)
		same &= cidr_is(&back, k, c[k]) && addr_is(&back, k, a[k], kind[k]);
	T(same);
	T_INT(back.created, 5);
	n = xc_nodetab_find(&t, "packed");
	T(n && xc_node_cidr(n, AF_INET, &p) && p.len == 29 && p.ip.a[2] == 7);
	T(n && xc_node_cidr(n, AF_INET6, &p) && p.len == 64);
	/* the best kind per family: InternalIP before ExternalIP, wherever it lies */
	T(n && xc_node_addr(n, AF_INET, &ip) && ip.a[2] == 1);
	T(n && xc_node_addr(n, AF_INET6, &ip) && ip.a[15] == 8);
	T_INT(xc_nodetab_set(&t, &r), 0);
	/* one address of the other family, the counts as they were: a change */
	T_INT(xc_ip_parse("fd00:100::9", &r.addr[0].ip), 0);
	T_INT(xc_nodetab_set(&t, &r), 1);
	T_INT(rec_of(&t, "packed", &back), 0);
	T(addr_is(&back, 0, "fd00:100::9", XC_NODE_ADDR_EXTERNAL) &&
	  addr_is(&back, 3, "fd00:100::8", XC_NODE_ADDR_INTERNAL) && cidr_is(&back, 3, c[3]));
	xc_nodetab_free(&t);
}

int main(void)
{
	struct xc_node_parse plain = { 0 }, ann = { ANN_CIDR, ANN_ADDR };

	snprintf(kcdir, sizeof(kcdir), "/tmp/xc-nodesrc.XXXXXX");
	if (!mkdtemp(kcdir))
		return 1;
	packed_records();
	if (!T(!open_src(&src, "http://127.0.0.1:1", &plain)))
		return t_done("test_nodesrc");
	cuts(0);
	odd_nodes(0);
	close_src(&src);
	if (!T(!open_src(&src, "http://127.0.0.1:1", &ann)))
		return t_done("test_nodesrc");
	cuts(1);
	odd_nodes(1);
	close_src(&src);
	T_INT(gen_bad, 0);

	if (T(ht_start() == 0)) {
		cut_watchlist(ht_port("plain"));
		flaky_watchlist(ht_port("plain"));
	}
	{
		char p[128];

		snprintf(p, sizeof(p), "%s/kubeconfig", kcdir);
		unlink(p);
		rmdir(kcdir);
	}
	return t_done("test_nodesrc");
}
