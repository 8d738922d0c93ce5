/*
 * test_k8s: core/kube/k8s without a server: node records (a realistic Node of
 * any size, odd and broken ones), the watch event assembler cut at every
 * point, and the streaming list reader. test_k8s_config.c has the rest.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/k8s.h"
#include "t.h"

static struct xc_k8s_client client;  /* for error texts only */

/* ---- a Node generator: realistic shape, any size ------------------------------ */

static char *grow;
static size_t glen, gcap;

static void app(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void app(const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(grow + glen, gcap - glen, fmt, ap);
		va_end(ap);
		if ((size_t)n < gcap - glen)
			break;
		gcap = gcap * 2 + (size_t)n + 1;
		grow = realloc(grow, gcap);
	}
	glen += (size_t)n;
}

/* A Node of about `bulk` bytes: managedFields and images carry the weight. */
static const char *node_json(const char *name, int rv, int idx, size_t bulk)
{
	size_t start;
	int i;

	glen = 0;
	app("{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"%s\","
	    "\"uid\":\"00000000-0000-0000-0000-%012d\",\"resourceVersion\":\"%d\","
	    "\"creationTimestamp\":\"2024-01-01T00:00:00Z\",\"labels\":{\"kubernetes.io/hostname\":"
	    "\"%s\",\"kubernetes.io/os\":\"linux\"},\"annotations\":{\"node.alpha.kubernetes.io/ttl\":"
	    "\"0\",\"xc/cidrs\":\"10.%d.0.0/16\",\"xc/addr\":\"192.0.2.%d\"},\"managedFields\":[",
	    name, idx, rv, name, idx % 250, idx % 250);
	start = glen;
	for (i = 0; glen - start < bulk / 2; i++)
		app("%s{\"manager\":\"kubelet\",\"operation\":\"Update\",\"apiVersion\":\"v1\","
		    "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:status\":{\"f:conditions\":"
		    "{\"k:{\\\"type\\\":\\\"Ready\\\"}\":{\".\":{},\"f:lastHeartbeatTime\":{}}}}}}",
		    i ? "," : "");
	app("]},\"spec\":{\"podCIDR\":\"10.244.%d.0/24\",\"podCIDRs\":[\"10.244.%d.0/24\","
	    "\"fd00:10:244:%x::/64\"],\"providerID\":\"xc://%s\"},\"status\":{\"capacity\":"
	    "{\"cpu\":\"8\",\"memory\":\"32Gi\"},\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","
	    "\"message\":\"kubelet is posting ready status: \\\"ok\\\" {}[]\"}],\"addresses\":["
	    "{\"type\":\"InternalIP\",\"address\":\"192.168.%d.%d\"},{\"type\":\"Hostname\","
	    "\"address\":\"%s\"},{\"type\":\"ExternalIP\",\"address\":\"203.0.113.%d\"},"
	    "{\"type\":\"InternalIP\",\"address\":\"fd00::%x\"}],\"images\":[",
	    idx % 256, idx % 256, idx, name, idx / 256, idx % 256, name, idx % 256, idx);
	start = glen;
	for (i = 0; glen - start < bulk / 2; i++)
		app("%s{\"names\":[\"registry.example/team/image-%d@sha256:%064d\","
		    "\"registry.example/team/image-%d:v1.2.%d\"],\"sizeBytes\":%d}",
		    i ? "," : "", i, i, i, i, 1000000 + i);
	app("],\"nodeInfo\":{\"kubeletVersion\":\"v1.30.4\"}}}");
	return grow;
}

/* ---- node records ------------------------------------------------------------- */

static int parse_node(const char *text, const char *const *annot, struct xc_k8s_node *n,
		      char *err)
{
	struct xc_json root;

	if (xc_json_parse(text, strlen(text), &root, NULL))
		return -999;
	return xc_k8s_node_parse(&root, annot, n, err, 128);
}

static void test_node_record(void)
{
	static const char *const annot[XC_K8S_ANNOT_MAX] = { "xc/cidrs", "xc/missing" };
	struct xc_k8s_node n;
	char err[128], buf[64];

	T_INT(parse_node(node_json("node-a", 42, 7, 3000), annot, &n, err), 0);
	T_STR(n.name, "node-a");
	T_STR(n.uid, "00000000-0000-0000-0000-000000000007");
	T_STR(n.rv, "42");
	T_INT(n.ncidrs, 2);
	xc_prefix_format(&n.cidr[0], buf, sizeof(buf));
	T_STR(buf, "10.244.7.0/24");
	xc_prefix_format(&n.cidr[1], buf, sizeof(buf));
	T_STR(buf, "fd00:10:244:7::/64");
	/* InternalIP, ExternalIP, InternalIP in document order; Hostname left out */
	T_INT(n.naddrs, 3);
	T_INT(n.addr[0].type, XC_K8S_INTERNAL_IP);
	xc_ip_format(&n.addr[0].ip, buf, sizeof(buf));
	T_STR(buf, "192.168.0.7");
	T_INT(n.addr[1].type, XC_K8S_EXTERNAL_IP);
	T_INT(n.addr[2].type, XC_K8S_INTERNAL_IP);
	xc_ip_format(&n.addr[2].ip, buf, sizeof(buf));
	T_STR(buf, "fd00::7");
	T_INT(n.annot_len[0], 11);
	T_STR(n.annot[0], "10.7.0.0/16");
	T_INT(n.annot_len[1], XC_K8S_ANNOT_ABSENT);
	T_INT(n.deleting, 0);
	T(n.created == 20240101000000);   /* 2024-01-01T00:00:00Z */
	T_INT(n.dropped, 0);
	T_STR(xc_k8s_addr_type_name(n.addr[1].type), "ExternalIP");
	/* no annotation names: none kept */
	T_INT(parse_node(node_json("node-a", 42, 7, 3000), NULL, &n, err), 0);
	T_INT(n.annot_len[0], XC_K8S_ANNOT_ABSENT);
}

static void test_node_big(void)
{
	struct xc_k8s_node n;
	char err[128];
	const char *text = node_json("node-big", 9, 3, 150000);

	T(strlen(text) > 150000);
	T_INT(parse_node(text, NULL, &n, err), 0);
	T_STR(n.name, "node-big");
	T_INT(n.ncidrs, 2);
	T_INT(n.naddrs, 3);
	/* truncated anywhere: never a record */
	for (size_t cut = 1; cut < strlen(text); cut += 997) {
		struct xc_json root;

		T(xc_json_parse(text, cut, &root, NULL) != 0);
	}
}

static void test_node_fields(void)
{
	static const char *const annot[XC_K8S_ANNOT_MAX] = { "a", "b" };
	struct xc_k8s_node n;
	char err[128], buf[64], longval[400];

	/* podCIDR alone (servers before 1.16) */
	T_INT(parse_node("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"podCIDR\":\"10.1.0.0/24\"}}",
			 NULL, &n, err), 0);
	T_INT(n.ncidrs, 1);
	/* podCIDRs wins, wherever podCIDR is */
	T_INT(parse_node("{\"spec\":{\"podCIDRs\":[\"fd00::/64\",\"10.2.0.0/24\"],"
			 "\"podCIDR\":\"10.1.0.0/24\"},\"metadata\":{\"name\":\"x\"}}", NULL, &n, err), 0);
	T_INT(n.ncidrs, 2);
	xc_prefix_format(&n.cidr[0], buf, sizeof(buf));
	T_STR(buf, "fd00::/64");
	/* an empty podCIDRs falls back */
	T_INT(parse_node("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"podCIDRs\":[],"
			 "\"podCIDR\":\"10.1.0.0/24\"}}", NULL, &n, err), 0);
	T_INT(n.ncidrs, 1);
	/* no spec at all, a node just registered */
	T_INT(parse_node("{\"metadata\":{\"name\":\"x\"}}", NULL, &n, err), 0);
	T_INT(n.ncidrs, 0);
	T_INT(n.naddrs, 0);
	/* bad and surplus entries are dropped and flagged */
	T_INT(parse_node("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"podCIDRs\":[\"garbage\",\"10.0.0.0/8\","
			 "7,\"fd00::/8\",\"10.1.0.0/16\"]}}", NULL, &n, err), 0);
	T_INT(n.ncidrs, 2);
	T(n.dropped & XC_K8S_DROP_CIDR);
	T_INT(parse_node("{\"metadata\":{\"name\":\"x\"},\"status\":{\"addresses\":["
			 "{\"type\":\"InternalIP\",\"address\":\"1.2.3\"},"
			 "{\"type\":\"InternalIP\",\"address\":\"1.1.1.1\"},"
			 "{\"address\":\"1.1.1.2\",\"type\":\"ExternalIP\"},"
			 "{\"type\":\"InternalIP\",\"address\":\"1.1.1.3\"},"
			 "{\"type\":\"InternalIP\",\"address\":\"1.1.1.4\"},"
			 "{\"type\":\"InternalIP\",\"address\":\"1.1.1.5\"},"
			 "{\"type\":\"InternalDNS\",\"address\":\"x.example\"}]}}", NULL, &n, err), 0);
	T_INT(n.naddrs, 4);
	T(n.dropped & XC_K8S_DROP_ADDR);
	xc_ip_format(&n.addr[1].ip, buf, sizeof(buf));
	T_STR(buf, "1.1.1.2");
	/* annotations: escapes decoded, too long flagged, a NUL refused */
	memset(longval, 'v', 300);
	longval[300] = 0;
	snprintf(err, sizeof(err), "x");
	glen = 0;
	app("{\"metadata\":{\"name\":\"x\",\"annotations\":{\"a\":\"10.0.0.0\\/8,\\u0066d00::\\/8\","
	    "\"b\":\"%s\"},\"deletionTimestamp\":\"2024-01-01T00:00:00Z\"}}", longval);
	T_INT(parse_node(grow, annot, &n, err), 0);
	T_STR(n.annot[0], "10.0.0.0/8,fd00::/8");
	T_INT(n.annot_len[1], XC_K8S_ANNOT_TOO_LONG);
	T_INT(n.deleting, 1);
	T_INT(parse_node("{\"metadata\":{\"name\":\"x\",\"annotations\":{\"a\":\"1\\u0000\"},"
			 "\"deletionTimestamp\":null}}", annot, &n, err), 0);
	T_INT(n.annot_len[0], XC_K8S_ANNOT_TOO_LONG);
	T_INT(n.deleting, 0);
	/* what is not a Node */
	T_INT(parse_node("[]", NULL, &n, err), -EINVAL);
	T_INT(parse_node("{\"spec\":{}}", NULL, &n, err), -EINVAL);
	T_STR(err, "metadata.name: missing");
	T_INT(parse_node("{\"metadata\":{\"name\":7}}", NULL, &n, err), -EINVAL);
	T_INT(parse_node("{\"metadata\":[]}", NULL, &n, err), -EINVAL);
	memset(longval, 'n', 254);
	longval[254] = 0;
	glen = 0;
	app("{\"metadata\":{\"name\":\"%s\"}}", longval);
	T_INT(parse_node(grow, NULL, &n, err), -EINVAL);
	T_STR(err, "metadata.name: too long");
	longval[253] = 0;
	glen = 0;
	app("{\"metadata\":{\"name\":\"%s\"}}", longval);
	T_INT(parse_node(grow, NULL, &n, err), 0);
}

/* ---- events ------------------------------------------------------------------ */

#define MAX_EV 64

struct rec {
	int n;
	int type[MAX_EV];
	char name[MAX_EV][XC_K8S_NAME_MAX + 1];
	char rv[MAX_EV][XC_K8S_RV_MAX + 1];
	int ncidrs[MAX_EV];
	int fail_at;    /* return -ECANCELED at this event (1-based), 0 never */
};

static int record(void *arg, const struct xc_k8s_event *ev)
{
	struct rec *r = arg;

	if (r->fail_at && r->n + 1 == r->fail_at)
		return -ECANCELED;
	if (r->n == MAX_EV)
		return -ENOSPC;
	r->type[r->n] = ev->type;
	snprintf(r->name[r->n], sizeof(r->name[0]), "%s", ev->node.name);
	snprintf(r->rv[r->n], sizeof(r->rv[0]), "%s", ev->rv);
	r->ncidrs[r->n] = ev->node.ncidrs;
	r->n++;
	return 0;
}

static int same(const struct rec *a, const struct rec *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++)
		if (a->type[i] != b->type[i] || strcmp(a->name[i], b->name[i]) ||
		    strcmp(a->rv[i], b->rv[i]) || a->ncidrs[i] != b->ncidrs[i])
			return 0;
	return 1;
}

static char stream[600000];
static size_t slen;

static void add_event(const char *type, const char *obj)
{
	slen += (size_t)snprintf(stream + slen, sizeof(stream) - slen,
				 "{\"type\":\"%s\",\"object\":%s}\n", type, obj);
}

static void build_stream(size_t bulk)
{
	char obj[128];

	slen = 0;
	add_event("ADDED", node_json("n1", 10, 1, bulk));
	add_event("MODIFIED", node_json("n2", 11, 2, bulk * 3));
	add_event("BOOKMARK", "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":"
			      "{\"resourceVersion\":\"12\"}}");
	snprintf(obj, sizeof(obj), "{\"metadata\":{\"name\":\"n3\",\"resourceVersion\":\"13\"}}");
	add_event("DELETED", obj);
	/* a server may end lines with CRLF and send blank lines: both harmless */
	slen -= 1;
	slen += (size_t)snprintf(stream + slen, sizeof(stream) - slen, "\r\n\n");
	add_event("ADDED", node_json("n4", 14, 4, bulk));
}

static char wbuf[400000];

static int feed_cut(struct rec *r, const size_t *cuts, int ncuts, char *rv_out)
{
	struct xc_k8s_watch w;
	size_t pos = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	xc_k8s_watch_init(&w, &client, NULL, wbuf, sizeof(wbuf));
	for (int i = 0; i <= ncuts && !rc; i++) {
		size_t end = i < ncuts ? cuts[i] : slen;

		rc = xc_k8s_watch_feed(&w, stream + pos, end - pos, record, r);
		pos = end;
	}
	strcpy(rv_out, w.rv);
	return rc;
}

static void test_watch_assembly(void)
{
	struct rec whole, part;
	char rv[XC_K8S_RV_MAX + 1], rv2[XC_K8S_RV_MAX + 1];
	size_t cuts[600];
	int bad = 0;

	build_stream(2000);
	T_INT(feed_cut(&whole, NULL, 0, rv), 0);
	T_INT(whole.n, 5);
	T_INT(whole.type[0], XC_K8S_ADDED);
	T_INT(whole.type[1], XC_K8S_MODIFIED);
	T_STR(whole.name[1], "n2");
	T_INT(whole.type[2], XC_K8S_BOOKMARK);
	T_STR(whole.rv[2], "12");
	T_INT(whole.type[3], XC_K8S_DELETED);
	T_STR(whole.name[3], "n3");
	T_INT(whole.ncidrs[3], 0);
	T_INT(whole.type[4], XC_K8S_ADDED);
	T_STR(rv, "14");
	/* every single cut point */
	for (size_t c = 1; c < slen; c++) {
		cuts[0] = c;
		if (feed_cut(&part, cuts, 1, rv2) || !same(&whole, &part) || strcmp(rv, rv2))
			bad++;
	}
	T_INT(bad, 0);
	/* every byte alone */
	for (size_t c = 0; c < 599 && c < slen - 1; c++)
		cuts[c] = c + 1;
	T_INT(feed_cut(&part, cuts, 599, rv2), 0);
	T(same(&whole, &part));
	/* random cuts, bigger objects: several events per piece and pieces per event */
	build_stream(40000);
	T_INT(feed_cut(&whole, NULL, 0, rv), 0);
	T_INT(whole.n, 5);
	srand(7);
	for (int round = 0; round < 30; round++) {
		int n = 1 + rand() % 40;
		size_t at = 0;

		for (int i = 0; i < n; i++) {
			at += 1 + (size_t)rand() % (slen / (size_t)n);
			cuts[i] = at < slen ? at : slen;
		}
		if (feed_cut(&part, cuts, n, rv2) || !same(&whole, &part) || strcmp(rv, rv2))
			bad++;
	}
	T_INT(bad, 0);
}

static int feed_text(const char *text, struct rec *r, char *rv, size_t bufsize)
{
	struct xc_k8s_watch w;
	int rc;

	memset(r, 0, sizeof(*r));
	xc_k8s_watch_init(&w, &client, NULL, wbuf, bufsize);
	strcpy(w.rv, "5");
	rc = xc_k8s_watch_feed(&w, text, strlen(text), record, r);
	if (rv)
		strcpy(rv, w.rv);
	return rc;
}

static void test_watch_errors(void)
{
	struct rec r;
	char rv[XC_K8S_RV_MAX + 1], *big;
	const char *ok = "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"6\"}}}\n";

	T_INT(feed_text("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
			"\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version: 5 (9)\","
			"\"reason\":\"Expired\",\"code\":410}}\n", &r, rv, 4096), -ESTALE);
	T(strstr(client.err, "410 Expired: too old resource version") != NULL);
	T_STR(rv, "5");
	client.retry_after = -1;
	T_INT(feed_text("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":429,"
			"\"reason\":\"TooManyRequests\",\"details\":{\"retryAfterSeconds\":3}}}\n",
			&r, NULL, 4096), -EAGAIN);
	T_INT(client.retry_after, 3);
	T_INT(feed_text("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":500}}\n",
			&r, NULL, 4096), -EAGAIN);
	T_INT(client.retry_after, -1);
	T_INT(feed_text("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":403}}\n",
			&r, NULL, 4096), -EPROTO);
	/* events before a bad line are delivered, the position stays at the last good one */
	glen = 0;
	app("%s%s", ok, "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"b\"\x01 not json }}\n");
	T_INT(feed_text(grow, &r, rv, 4096), -EINVAL);
	T_INT(r.n, 1);
	T_STR(rv, "6");
	T(strstr(client.err, "not JSON") != NULL);
	T_INT(feed_text("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"b\"}\n", &r, rv, 4096),
	      -EINVAL);
	T_INT(feed_text("{\"type\":\"SURPRISE\",\"object\":{}}\n", &r, rv, 4096), -EINVAL);
	T_INT(feed_text("{\"type\":\"ADDED\"}\n", &r, rv, 4096), -EINVAL);
	T_INT(feed_text("{\"type\":\"ADDED\",\"object\":{\"spec\":{}}}\n", &r, rv, 4096), -EINVAL);
	T_INT(feed_text("[1]\n", &r, rv, 4096), -EINVAL);
	T_INT(feed_text("{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{}}}\n", &r, rv, 4096), -EINVAL);
	/* an unfinished line is just waiting */
	T_INT(feed_text("{\"type\":\"ADDED\",\"obj", &r, rv, 4096), 0);
	T_INT(r.n, 0);
	/* over the buffer: an error (the caller lists again), not a crash */
	big = malloc(9000);
	memset(big, ' ', 8998);
	memcpy(big, "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}", 51);
	big[8998] = '\n';
	big[8999] = 0;
	T_INT(feed_text(big, &r, rv, 4096), -EFBIG);
	T_INT(feed_text(big, &r, rv, 9000), 0); /* a line that just fits */
	T_INT(r.n, 1);
	free(big);
	/* the callback's error stops the stream before the position moves */
	memset(&r, 0, sizeof(r));
	r.fail_at = 2;
	{
		struct xc_k8s_watch w;

		xc_k8s_watch_init(&w, &client, NULL, wbuf, 4096);
		glen = 0;
		app("%s%s", ok, "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"7\"}}}\n");
		T_INT(xc_k8s_watch_feed(&w, grow, glen, record, &r), -ECANCELED);
		T_STR(w.rv, "6");
		T_INT(w.events, 1);
	}
}

/* ---- lists ------------------------------------------------------------------ */

static char body[2000000];
static size_t blen;

static void build_list(int nodes, size_t bulk, const char *cont, int meta_last, int pretty)
{
	const char *sep = pretty ? "\n  " : "";
	char meta[300];

	snprintf(meta, sizeof(meta), "\"metadata\":%s{\"resourceVersion\":\"77\"%s%s%s}",
		 pretty ? " " : "", cont ? ",\"continue\":\"" : "", cont ? cont : "",
		 cont ? "\",\"remainingItemCount\":3" : "");
	blen = (size_t)snprintf(body, sizeof(body), "{%s\"kind\":\"NodeList\",%s\"apiVersion\":\"v1\",%s%s%s"
				"\"items\":%s[", sep, sep, sep, meta_last ? "" : meta,
				meta_last ? "" : ",", pretty ? " " : "");
	for (int i = 0; i < nodes; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%d", i);
		blen += (size_t)snprintf(body + blen, sizeof(body) - blen, "%s%s%s", i ? "," : "",
					 sep, node_json(name, 100 + i, i, bulk));
	}
	blen += (size_t)snprintf(body + blen, sizeof(body) - blen, "]%s%s%s}%s",
				 meta_last ? "," : "", meta_last ? sep : "", meta_last ? meta : "",
				 pretty ? "\n" : "");
}

static char lbuf[400000];

static int list_cut(struct rec *r, struct xc_k8s_listparse *lp, size_t step, size_t bufsize)
{
	size_t pos = 0, n;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	xc_k8s_listparse_init(lp, lbuf, bufsize, NULL);
	while (pos < blen && !rc) {
		n = step && blen - pos > step ? step : blen - pos;
		rc = xc_k8s_listparse_feed(lp, body + pos, n, record, r);
		pos += n;
	}
	return rc ? rc : xc_k8s_listparse_end(lp);
}

static void test_list_stream(void)
{
	struct xc_k8s_listparse lp;
	struct rec whole, part;
	int bad = 0;

	build_list(5, 3000, "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NzcsInN0YXJ0Ijoibj\\u003d\\u003d", 0, 0);
	T_INT(list_cut(&whole, &lp, 0, sizeof(lbuf)), 0);
	T_INT(whole.n, 5);
	T_INT(whole.type[0], XC_K8S_LISTED);
	T_STR(whole.name[4], "n4");
	T_STR(whole.rv[4], "104");
	T_INT(whole.ncidrs[2], 2);
	T_STR(lp.rv, "77");
	T_STR(lp.cont, "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NzcsInN0YXJ0Ijoibj==");
	for (size_t step = 1; step < 300; step += 7)
		if (list_cut(&part, &lp, step, sizeof(lbuf)) || !same(&whole, &part) ||
		    strcmp(lp.rv, "77"))
			bad++;
	T_INT(bad, 0);
	/* metadata at the end, indented text: the same */
	build_list(5, 3000, NULL, 1, 1);
	T_INT(list_cut(&part, &lp, 13, sizeof(lbuf)), 0);
	T(same(&whole, &part));
	T_STR(lp.rv, "77");
	T_STR(lp.cont, "");
	/* the buffer holds one item, not the page */
	build_list(40, 20000, NULL, 0, 0);
	T(blen > 800000);
	T_INT(list_cut(&part, &lp, 4096, 60000), 0);
	T_INT(part.n, 40);
	T_INT(list_cut(&part, &lp, 4096, 15000), -EFBIG);
	T(strstr(lp.err, "items[0] is over") != NULL);
	/* an empty list */
	blen = (size_t)snprintf(body, sizeof(body), "{\"metadata\":{\"resourceVersion\":\"3\"},\"items\":[]}");
	T_INT(list_cut(&part, &lp, 1, sizeof(lbuf)), 0);
	T_INT(part.n, 0);
	T_STR(lp.rv, "3");
	blen = (size_t)snprintf(body, sizeof(body), "{\"items\":null,\"metadata\":{\"resourceVersion\":\"3\"}} \n");
	T_INT(list_cut(&part, &lp, 2, sizeof(lbuf)), 0);
	/* a key that only looks like ours, nested keys named items */
	blen = (size_t)snprintf(body, sizeof(body), "{\"itemsX\":[1],\"x\":{\"items\":[2],"
				"\"metadata\":3},\"metadata\":{\"resourceVersion\":\"4\"},\"items\":"
				"[{\"metadata\":{\"name\":\"a\\\"}{[\"}}]}");
	T_INT(list_cut(&part, &lp, 3, sizeof(lbuf)), 0);
	T_INT(part.n, 1);
	T_STR(part.name[0], "a\"}{[");
	/* malformed */
	const char *bad_bodies[] = {
		"[]", "{\"items\":[1],\"metadata\":{}}", "{\"items\":[{\"metadata\":{\"name\":\"a\"}}],",
		"{\"items\":[]}", "{\"metadata\":\"x\"}", "{\"metadata\":{},\"items\":[{\"metadata\":{}}]}",
		"{\"metadata\":{}} x", "{\"metadata\":{\"resourceVersion\":5}}", "}}}", "\"x\"",
		"{\"metadata\":{},\"items\":[{\"metadata\":{\"name\":\"a\",}}]}",
	};
	for (size_t i = 0; i < sizeof(bad_bodies) / sizeof(bad_bodies[0]); i++) {
		blen = strlen(bad_bodies[i]);
		memcpy(body, bad_bodies[i], blen);
		if (list_cut(&part, &lp, 1, sizeof(lbuf)) == 0) {
			printf("     accepted: %s\n", bad_bodies[i]);
			bad++;
		}
	}
	T_INT(bad, 0);
}

/* WatchList: the initial events end at the annotated bookmark, wherever the stream is cut. */
static void test_watchlist(void)
{
	const char *end = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Node\",\"apiVersion\":\"v1\","
			  "\"metadata\":{\"resourceVersion\":\"12\",\"annotations\":"
			  "{\"k8s.io/initial-events-end\":\"true\"}}}}\n";
	const char *plain = "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"12\"}}}\n";
	char text[1024];
	struct xc_k8s_watch w;
	struct rec r;
	int bad = 0;

	snprintf(text, sizeof(text), "%s%s%s", "{\"type\":\"ADDED\",\"object\":{\"metadata\":"
		 "{\"name\":\"a\",\"resourceVersion\":\"6\"}}}\n", end,
		 "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"b\",\"resourceVersion\":\"13\"}}}\n");
	for (size_t cut = 0; cut <= strlen(text); cut++) {
		memset(&r, 0, sizeof(r));
		xc_k8s_watch_init(&w, &client, NULL, wbuf, sizeof(wbuf));
		w.initial = 1;
		bad += xc_k8s_watch_feed(&w, text, cut, record, &r) != 0;
		bad += xc_k8s_watch_feed(&w, text + cut, strlen(text) - cut, record, &r) != 0;
		bad += r.n != 3 || w.initial || r.type[1] != XC_K8S_BOOKMARK || strcmp(w.rv, "13");
	}
	T_INT(bad, 0);
	/* an ordinary bookmark first: the server does not stream initial events */
	memset(&r, 0, sizeof(r));
	xc_k8s_watch_init(&w, &client, NULL, wbuf, sizeof(wbuf));
	w.initial = 1;
	T_INT(xc_k8s_watch_feed(&w, plain, strlen(plain), record, &r), -ENOMSG);
	T_INT(r.n, 0);
	T(strstr(client.err, "does not stream them") != NULL);
	/* outside a WatchList both bookmarks are bookmarks */
	xc_k8s_watch_init(&w, &client, NULL, wbuf, sizeof(wbuf));
	T_INT(xc_k8s_watch_feed(&w, plain, strlen(plain), record, &r), 0);
	T_INT(xc_k8s_watch_feed(&w, end, strlen(end), record, &r), 0);
	T_INT(r.n, 2);
}

int main(void)
{
	test_node_record();
	test_node_big();
	test_node_fields();
	test_watch_assembly();
	test_watch_errors();
	test_watchlist();
	test_list_stream();
	free(grow);
	return t_done("test_k8s");
}
