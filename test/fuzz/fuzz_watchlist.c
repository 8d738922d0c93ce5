/*
 * fuzz_watchlist: the router's node table built from a WatchList equals the
 * one built from a LIST of the same nodes, however the response is cut.
 *
 * The input describes nodes (names, creation times, pod CIDRs, addresses,
 * the CIDR and address annotations; well-formed or not), then how the
 * WatchList response is chunked (HTTP chunked framing) and cut into reads.
 * Both bodies are written from those nodes: a NodeList, and ADDED events
 * ending with the k8s.io/initial-events-end bookmark. Each goes the
 * router's way without a socket: the response through the HTTP parser
 * (xc_http_resp_head/_body, as xc_http_read decodes), then
 * xc_k8s_watch_feed or xc_k8s_listparse_feed, into a node table through
 * nodesrc's own callback (xc_nodesrc_event), with the source opened as
 * the router opens it (xc_nodesrc_open_k8s), plain or with annotations.
 * Checked:
 *   - the two paths accept or refuse the same input;
 *   - accepted, the tables are the same, field by field (tabsame.h);
 *   - before the bookmark's last byte the watch is still in its initial
 *     events (w.initial), so k8s_list would sweep nothing: a node of an
 *     earlier listing that is not in this one is still there;
 *   - refused, the WatchList never ended its initial events.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "router/nodesrc.h"
#include "../lib/tabsame.h"
#include "../lib/wlpaths.h"

#define MUST(c) do { if (!(c)) abort(); } while (0)
#define MAX_NODES 12
#define ANN_CIDR "x.example/cidrs"
#define ANN_ADDR "x.example/addr"

static struct xc_nodesrc src[2];     /* 0: plain, 1: with the annotations */

/* ---- input ------------------------------------------------------------------ */

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* ---- nodes from the input ------------------------------------------------------ */

static void name(struct text *t, struct in *in)
{
	static const char cs[] = "abcdefghijklmnopqrstuvwxyz0123456789-.";
	unsigned n = take(in), len = n < 240 ? 1 + n % 12 : n == 255 ? 260 : 240 + n % 20;

	for (unsigned i = 0; i < len; i++) {
		unsigned c = take(in);

		if (c == 250)
			app(t, "\\u00e9");
		else if (c == 251)
			app(t, "\\\"");
		else if (c == 252)
			app(t, "\\u0000");
		else
			app(t, "%c", cs[c % (sizeof(cs) - 1)]);
	}
}

static void ip(struct text *t, struct in *in)
{
	unsigned k = take(in);

	switch (k % 8) {
	case 0: case 1: case 2:
		app(t, "%u.%u.%u.%u", take(in), take(in), take(in), take(in));
		break;
	case 3: case 4:
		app(t, "fd%02x:%x::%x", take(in), take(in) << 8 | take(in), take(in));
		break;
	case 5:
		app(t, "fe80::%x%%eth0", take(in));
		break;
	case 6:
		app(t, "::ffff:10.%u.0.1", take(in));
		break;
	default:
		app(t, k & 8 ? "" : "not-an-ip");
	}
}

static void cidr(struct text *t, struct in *in)
{
	ip(t, in);
	app(t, "/%u", take(in) % 140);
}

/* Comma-separated items, spaces around some: an annotation value. */
static void list(struct text *t, struct in *in, void (*item)(struct text *, struct in *))
{
	unsigned n = take(in) % 5;

	for (unsigned i = 0; i < n; i++) {
		app(t, i ? (take(in) & 1 ? ", " : ",") : "");
		item(t, in);
	}
}

static void node(struct text *t, struct in *in)
{
	static const char *const types[] = { "InternalIP", "ExternalIP", "Hostname", "InternalDNS" };
	unsigned f = take(in), n;

	app(t, "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"");
	name(t, in);
	app(t, "\",\"uid\":\"u-%u\",\"resourceVersion\":\"%u\"", take(in), 10 + take(in));
	switch (f & 3) {
	case 1:
		app(t, ",\"creationTimestamp\":\"20%02u-%02u-%02uT%02u:%02u:%02uZ\"", take(in) % 100,
		    1 + take(in) % 12, 1 + take(in) % 28, take(in) % 24, take(in) % 60, take(in) % 60);
		break;
	case 2:
		app(t, ",\"creationTimestamp\":\"2024-01-01T00:00:00.%uZ\"", take(in));
		break;
	case 3:
		app(t, ",\"creationTimestamp\":null");
		break;
	}
	app(t, ",\"annotations\":{\"other\":\"x\"");
	if (f & 4) {
		app(t, ",\"" ANN_CIDR "\":\"");
		list(t, in, cidr);
		app(t, "\"");
	}
	if (f & 8) {
		app(t, ",\"" ANN_ADDR "\":\"");
		list(t, in, ip);
		app(t, "\"");
	}
	app(t, "}},\"spec\":{");
	if (f & 16) {
		app(t, "\"podCIDR\":\"");
		cidr(t, in);
		app(t, "\"%s", f & 32 ? "," : "");
	}
	if (f & 32) {
		n = take(in) % 4;
		app(t, "\"podCIDRs\":[");
		for (unsigned i = 0; i < n; i++) {
			app(t, i ? ",\"" : "\"");
			cidr(t, in);
			app(t, "\"");
		}
		app(t, "]");
	}
	app(t, "},\"status\":{\"addresses\":[");
	n = f & 64 ? take(in) % 7 : 0;
	for (unsigned i = 0; i < n; i++) {
		app(t, "%s{\"type\":\"%s\",\"address\":\"", i ? "," : "", types[take(in) % 4]);
		ip(t, in);
		app(t, "\"}");
	}
	app(t, "]}}");
}

/* ---- the two paths ----------------------------------------------------------- */

static const char bookmark[] =
	"{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":"
	"{\"resourceVersion\":\"900\",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}}\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const struct xc_node_parse pc[2] = { { 0 }, { ANN_CIDR, ANN_ADDR } };
	char path[] = "/tmp/xc-fuzz-watchlist-XXXXXX";
	struct xc_k8s_opts o = { .kubeconfig = path, .no_env = 1, .sa_dir = "/nonexistent" };
	static const char kc[] =
		"apiVersion: v1\nkind: Config\ncurrent-context: t\n"
		"clusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:1\n"
		"contexts:\n- name: t\n  context:\n    cluster: c\n    user: u\n"
		"users:\n- name: u\n  user:\n    token: fuzz\n";
	int fd = mkstemp(path);

	(void)argc, (void)argv;
	MUST(fd >= 0 && write(fd, kc, sizeof(kc) - 1) == (ssize_t)sizeof(kc) - 1);
	close(fd);
	for (int i = 0; i < 2; i++)
		MUST(!xc_nodesrc_open_k8s(&src[i], &o, &pc[i]));
	unlink(path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wl f;
	struct in in = { data, size };
	struct text list = { 0 }, events = { 0 }, resp = { 0 };
	struct xc_nodetab tl, tw;
	struct xc_nodesrc *s;
	struct xc_k8s_event stale = { .type = XC_K8S_LISTED, .rv = "1" };
	size_t pos, n, bm_end;
	unsigned nodes, h;
	int lrc, wrc;
	char why[300];

	h = take(&in);
	s = &src[h & 1];
	nodes = (h >> 1) % (MAX_NODES + 1);
	app(&list, "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":"
	    "{\"resourceVersion\":\"900\"},\"items\":[");
	for (unsigned i = 0; i < nodes; i++) {
		size_t at = list.len + (i ? 1 : 0);

		app(&list, i ? "," : "");
		node(&list, &in);
		app(&events, "{\"type\":\"ADDED\",\"object\":%.*s}\n", (int)(list.len - at),
		    list.p + at);
	}
	app(&list, "]}");
	app(&events, "%s", bookmark);

	/* the response: chunks of input-chosen sizes (one event a chunk if 0) */
	app(&resp, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	for (pos = 0; pos < events.len; pos += n) {
		unsigned c = take(&in);

		if (c) {
			n = c;
		} else {
			const char *nl = memchr(events.p + pos, '\n', events.len - pos);

			n = (size_t)(nl - (events.p + pos)) + 1;
		}
		n = n > events.len - pos ? events.len - pos : n;
		app(&resp, "%zx%s\r\n%.*s\r\n", n, c == 7 ? ";ext=1" : "", (int)n, events.p + pos);
	}
	bm_end = resp.len - 2;   /* just past the bookmark's newline */

	xc_nodetab_init(&tl);
	lrc = from_list(s, &tl, &list);

	/* an earlier listing's node, gone from this one */
	xc_nodetab_init(&tw);
	xc_nodetab_begin(&tw);
	memset(&stale.node, 0, sizeof(stale.node));
	strcpy(stale.node.name, "stale_node");
	f.to.s = s;
	f.to.t = &tw;
	MUST(!xc_nodesrc_event(&f.to, &stale));
	xc_nodetab_sweep(&tw);

	/* k8s_list: begin the listing, ask for the initial events */
	MUST(!wl_start(&f, s, &tw));
	for (pos = 0; pos < resp.len && !f.rc; pos += n) {
		unsigned c = take(&in);

		n = c ? c : in.n ? (size_t)take(&in) * 64 + 1 : resp.len - pos;
		n = n > resp.len - pos ? resp.len - pos : n;
		wl_feed(&f, resp.p + pos, n);
		if (pos + n < bm_end) {
			MUST(f.w.initial);
			MUST(xc_nodetab_find(&tw, "stale_node"));
		}
	}
	wrc = f.rc;
	wl_finish(&f);

	MUST(!lrc == !wrc);
	if (!wrc) {
		MUST(!f.w.initial);
		MUST(!xc_nodetab_find(&tw, "stale_node"));
		if (!tabsame(&tl, &tw, why, sizeof(why))) {
			fprintf(stderr, "tables differ: %s\n", why);
			abort();
		}
	} else {
		MUST(f.w.initial);
		MUST(xc_nodetab_find(&tw, "stale_node"));
	}
	xc_nodetab_free(&tl);
	xc_nodetab_free(&tw);
	free(list.p);
	free(events.p);
	free(resp.p);
	return 0;
}
