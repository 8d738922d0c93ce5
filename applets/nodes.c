/* nodes: what the cluster's Node objects say about pod networking. */
const char nodes_usage[] =
"usage: nodes [--kubeconfig PATH] [--context NAME] [--watch] [--json]\n"
"             [--limit N] [--selector LABELS] [--annotation NAME]...\n"
"             [--all-events] [--watch-timeout SECONDS]\n"
"       nodes --refused [--json] [--kubeconfig PATH] [--cluster-cidr CIDRS]\n"
"             [--cidr-annotation NAME] [--address-annotation NAME]\n"
"\n"
"Lists every Node: its name, pod CIDRs (spec.podCIDRs) and addresses\n"
"(InternalIP/ExternalIP, in order), one line each:\n"
"  NAME CIDR[,CIDR] TYPE=ADDR[,TYPE=ADDR]     (\"-\" when there are none)\n"
"A node being deleted gets \" deleting\" at the end.\n"
"\n"
"  --kubeconfig  the cluster to ask; else $KUBECONFIG (its first file), else\n"
"                the pod's service account (KUBERNETES_SERVICE_HOST and\n"
"                $XC_SA_DIR or /var/run/secrets/kubernetes.io/serviceaccount),\n"
"                else ~/.kube/config\n"
"  --context     a context other than current-context\n"
"  --watch       then follow changes; every line starts with what happened:\n"
"                LISTED (the list, again after a resync), ADDED, MODIFIED,\n"
"                DELETED. MODIFIED is shown only when something above\n"
"                changed, unless --all-events\n"
"  --json        one JSON object per line instead (with uid,\n"
"                resourceVersion, annotations; \"type\" in watch mode)\n"
"  --limit       nodes per LIST page (default 500)\n"
"  --selector    only nodes with these labels (a label selector)\n"
"  --annotation  also show this annotation's value (at most 2)\n"
"  --watch-timeout  ask the server to end each watch after this many\n"
"                seconds (it is then resumed; default 5-10 minutes)\n"
"\n"
"--refused lists the Nodes as the router does and prints each pod CIDR it\n"
"would give no route, and why, one line each (JSON: name, podCIDR, reason):\n"
"  NAME CIDR REASON\n"
"It judges as every router does (special ranges, a node's or the API\n"
"server's address, outside --cluster-cidr [CLUSTER_CIDR], overlaps settled\n"
"by age), except what only a node can tell (its connected subnets).\n"
"--cidr-annotation and --address-annotation are the router's (secondary\n"
"networks).\n"
"\n"
"Diagnostics go to stderr (LOG_LEVEL=debug shows bookmarks and retries).\n"
"Exit status: 0 listed, 1 the API could not be used, 2 usage.\n";

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "base/array.h"
#include "base/json.h"
#include "kube/k8s.h"
#include "base/log.h"
#include "router/masq.h"
#include "router/nodesrc.h"
#include "router/routes.h"

struct seen {
	char name[XC_K8S_NAME_MAX + 1];
	uint64_t hash;
};

struct state {
	int json, watch, all_events, nannot;
	const char *annot[XC_K8S_ANNOT_MAX];
	struct seen *seen;      /* what was last shown of each node (watch) */
	size_t nseen, cap;
};

static struct xc_k8s_client client;
static struct xc_k8s_watch watch;
static char objbuf[XC_K8S_OBJ_MAX];

/* ---- output ------------------------------------------------------------ */

static void text_line(const struct xc_k8s_event *ev, struct state *st)
{
	const struct xc_k8s_node *n = &ev->node;
	char ip[XC_IP_STRLEN];
	int i;

	if (st->watch)
		printf("%s ", xc_k8s_event_name(ev->type));
	printf("%s ", n->name);
	for (i = 0; i < n->ncidrs; i++) {
		xc_prefix_format(&n->cidr[i], ip, sizeof(ip));
		printf("%s%s", i ? "," : "", ip);
	}
	printf("%s ", n->ncidrs ? "" : "-");
	for (i = 0; i < n->naddrs; i++) {
		xc_ip_format(&n->addr[i].ip, ip, sizeof(ip));
		printf("%s%s=%s", i ? "," : "", xc_k8s_addr_type_name(n->addr[i].type), ip);
	}
	if (!n->naddrs)
		printf("-");
	for (i = 0; i < st->nannot; i++)
		printf(" %s=%s", st->annot[i], n->annot_len[i] >= 0 ? n->annot[i] :
		       n->annot_len[i] == XC_K8S_ANNOT_TOO_LONG ? "(too long)" : "-");
	printf("%s\n", n->deleting ? " deleting" : "");
}

static void json_line(const struct xc_k8s_event *ev, struct state *st)
{
	const struct xc_k8s_node *n = &ev->node;
	static char buf[8192];
	char ip[XC_IP_STRLEN];
	struct xc_json_out o;
	int i;

	xc_json_out_init(&o, buf, sizeof(buf), 0);
	xc_json_obj(&o);
	if (st->watch) {
		xc_json_key(&o, "type");
		xc_json_string(&o, xc_k8s_event_name(ev->type));
	}
	xc_json_key(&o, "name");
	xc_json_string(&o, n->name);
	xc_json_key(&o, "uid");
	xc_json_string(&o, n->uid);
	xc_json_key(&o, "resourceVersion");
	xc_json_string(&o, n->rv);
	xc_json_key(&o, "podCIDRs");
	xc_json_arr(&o);
	for (i = 0; i < n->ncidrs; i++) {
		xc_prefix_format(&n->cidr[i], ip, sizeof(ip));
		xc_json_string(&o, ip);
	}
	xc_json_end(&o);
	xc_json_key(&o, "addresses");
	xc_json_arr(&o);
	for (i = 0; i < n->naddrs; i++) {
		xc_ip_format(&n->addr[i].ip, ip, sizeof(ip));
		xc_json_obj(&o);
		xc_json_key(&o, "type");
		xc_json_string(&o, xc_k8s_addr_type_name(n->addr[i].type));
		xc_json_key(&o, "address");
		xc_json_string(&o, ip);
		xc_json_end(&o);
	}
	xc_json_end(&o);
	if (st->nannot) {
		xc_json_key(&o, "annotations");
		xc_json_obj(&o);
		for (i = 0; i < st->nannot; i++) {
			xc_json_key(&o, st->annot[i]);
			if (n->annot_len[i] >= 0)
				xc_json_string(&o, n->annot[i]);
			else
				xc_json_null(&o);
		}
		xc_json_end(&o);
	}
	xc_json_key(&o, "deleting");
	xc_json_boolean(&o, n->deleting);
	xc_json_end(&o);
	if (xc_json_out_end(&o) > 0)
		printf("%s\n", buf);
}

/* ---- what changed (watch) ------------------------------------------------ */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

/* A digest of what is shown, so heartbeats (resourceVersion only) stay quiet. */
static uint64_t shown_hash(const struct xc_k8s_node *n)
{
	uint64_t h = fnv(0xcbf29ce484222325ULL, n->uid, strlen(n->uid));
	int i;

	h = fnv(h, &n->deleting, 1);
	for (i = 0; i < n->ncidrs; i++)
		h = fnv(h, &n->cidr[i], sizeof(n->cidr[i]));
	for (i = 0; i < n->naddrs; i++)
		h = fnv(h, &n->addr[i], sizeof(n->addr[i]));
	for (i = 0; i < XC_K8S_ANNOT_MAX; i++)
		h = fnv(h, n->annot[i], n->annot_len[i] > 0 ? (size_t)n->annot_len[i] : 0);
	return h;
}

static struct seen *lookup(struct state *st, const char *name)
{
	for (size_t i = 0; i < st->nseen; i++)
		if (!strcmp(st->seen[i].name, name))
			return &st->seen[i];
	return NULL;
}

/* Remember the node; returns 0 when it looks the same as last shown. */
static int remember(struct state *st, const struct xc_k8s_event *ev)
{
	struct seen *s = lookup(st, ev->node.name), *grown;
	uint64_t h = shown_hash(&ev->node);

	if (ev->type == XC_K8S_DELETED) {
		if (s)
			*s = st->seen[--st->nseen];
		return 1;
	}
	if (s) {
		if (s->hash == h && ev->type == XC_K8S_MODIFIED)
			return 0;
		s->hash = h;
		return 1;
	}
	if (!(grown = xc_array_grow(st->seen, &st->cap, st->nseen, sizeof(*grown), 256)))
		return 1;
	st->seen = grown;
	s = &st->seen[st->nseen++];
	strcpy(s->name, ev->node.name);
	s->hash = h;
	return 1;
}

static int on_event(void *arg, const struct xc_k8s_event *ev)
{
	struct state *st = arg;

	if (ev->type == XC_K8S_BOOKMARK) {
		xc_debug("bookmark at resourceVersion %s", ev->rv);
		return 0;
	}
	if (ev->type == XC_K8S_RESTART) {
		xc_info("the list's continue token expired: listing from the start");
		return 0;
	}
	if (st->watch && !remember(st, ev) && !st->all_events)
		return 0;
	if (st->json)
		json_line(ev, st);
	else
		text_line(ev, st);
	fflush(stdout);
	return 0;
}

/* ---- what the router refuses ---------------------------------------------- */

struct refused {
	int json;
	size_t n;
};

static void on_refused(void *arg, const struct xc_node *n, const struct xc_prefix *cidr,
		       enum xc_rt_skip why, const char *reason)
{
	struct refused *r = arg;
	char c[XC_IP_STRLEN], buf[1024];
	struct xc_json_out o;

	if (why != XC_RT_SKIP_REFUSED)
		return;         /* a path this host lacks, not the Node's fault */
	r->n++;
	xc_prefix_format(cidr, c, sizeof(c));
	if (!r->json) {
		printf("%s %s %s\n", n->name, c, reason);
		return;
	}
	xc_json_out_init(&o, buf, sizeof(buf), 0);
	xc_json_obj(&o);
	xc_json_key(&o, "name");
	xc_json_string(&o, n->name);
	xc_json_key(&o, "podCIDR");
	xc_json_string(&o, c);
	xc_json_key(&o, "reason");
	xc_json_string(&o, reason);
	xc_json_end(&o);
	if (xc_json_out_end(&o) > 0)
		printf("%s\n", buf);
}

/* The listing the router takes (core/router/nodesrc), judged as it judges it. */
static int show_refused(const struct xc_k8s_opts *opts, const struct xc_node_parse *np,
			const char *cluster, int json)
{
	static struct xc_nodesrc src;
	struct xc_prefix cl[XC_MASQ_CIDRS];
	struct xc_rt_conf conf = { .mode = XC_RT_NONE };
	struct xc_rt_env env = { .ndev = XC_RT_DEV_LINK0 + 1 };
	struct xc_rt_set out = { 0 };
	struct refused r = { .json = json };
	struct xc_nodetab t;
	char err[200];
	int rc;

	rc = xc_masq_parse_cidrs(cluster, cl, XC_MASQ_CIDRS, err, sizeof(err));
	if (rc < 0) {
		xc_err("--cluster-cidr [CLUSTER_CIDR]: %s", err);
		return 2;
	}
	conf.cluster = cl;
	conf.ncluster = (size_t)rc;
	xc_nodetab_init(&t);
	rc = xc_nodesrc_open_k8s(&src, opts, np);
	if (!rc)
		rc = xc_nodesrc_list(&src, &t);
	if (rc) {
		xc_err("%s", src.err[0] ? src.err : strerror(-rc));
		return 1;
	}
	xc_nodesrc_api_ip(&src, &env.api);
	if (xc_rt_compute(&conf, &env, &t, &out, NULL, on_refused, &r)) {
		xc_err("out of memory");
		return 1;
	}
	fflush(stdout);
	xc_info("%zu nodes, %zu pod CIDRs refused%s", t.n, r.n,
		conf.ncluster ? "" : " (CLUSTER_CIDR not set: not judged against it)");
	return 0;
}

/* ---- list and watch ------------------------------------------------------ */

/* Errors that another try cannot fix. */
static int fatal(int rc)
{
	return rc == -EINVAL || rc == -EACCES || rc == -EPERM || rc == -EKEYREJECTED ||
	       rc == -EKEYEXPIRED || rc == -ENOENT;
}

static void pause_ms(unsigned ms)
{
	poll(NULL, 0, (int)ms);
}

static int follow(struct state *st, const struct xc_k8s_select *sel, unsigned limit,
		  int watch_timeout)
{
	struct xc_k8s_backoff bo;
	char rv[XC_K8S_RV_MAX + 1];
	struct pollfd p;
	unsigned d;
	int rc, ms;

	xc_k8s_backoff_init(&bo, 500, 30000);
	xc_k8s_watch_init(&watch, &client, sel, objbuf, sizeof(objbuf));
	watch.timeout_s = watch_timeout;
relist:
	for (st->nseen = 0;;) {
		rc = xc_k8s_list(&client, sel, limit, objbuf, sizeof(objbuf), on_event, st, rv);
		if (!rc)
			break;
		if (fatal(rc)) {
			xc_err("%s", client.err);
			return 1;
		}
		d = xc_k8s_backoff_next(&bo, client.retry_after);
		xc_warn("%s; again in %u ms", client.err, d);
		pause_ms(d);
	}
	xc_debug("listed at resourceVersion %s", rv);
	rc = xc_k8s_watch_start(&watch, rv);
	for (;;) {
		if (!rc)
			rc = xc_k8s_watch_step(&watch, on_event, st);
		if (rc == -ESTALE) {
			xc_info("%s", client.err);
			goto relist;
		}
		if (rc == -EACCES || rc == -EPERM) {
			xc_err("%s", client.err);
			return 1;
		}
		if (rc < 0) {
			d = xc_k8s_backoff_next(&bo, client.retry_after);
			xc_warn("%s; again in %u ms", client.err, d);
			pause_ms(d);
			rc = 0;
			continue;
		}
		xc_k8s_backoff_reset(&bo);
		if (xc_k8s_watch_pending(&watch))
			continue;
		p.fd = xc_k8s_watch_fd(&watch);
		p.events = POLLIN;
		ms = xc_k8s_watch_poll_ms(&watch);
		if (p.fd >= 0)
			poll(&p, 1, ms);
	}
}

int nodes_main(int argc, char **argv)
{
	static struct state st;
	struct xc_k8s_opts opts = { .component = "nodes" };
	struct xc_node_parse np = { 0 };
	const char *cluster = getenv("CLUSTER_CIDR");
	int refused = 0;
	struct xc_k8s_select sel;
	char rv[XC_K8S_RV_MAX + 1];
	unsigned long limit = 0;
	int watch_timeout = 0, i, rc;
	char *end;

	/* It holds the token (for hours with --watch): no core dump, no ptrace by peers. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	memset(&sel, 0, sizeof(sel));
	xc_log_init("nodes", 0);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--watch") || !strcmp(a, "-w")) {
			st.watch = 1;
		} else if (!strcmp(a, "--json")) {
			st.json = 1;
		} else if (!strcmp(a, "--all-events")) {
			st.all_events = 1;
		} else if (!strcmp(a, "--refused")) {
			refused = 1;
		} else if (v && !strcmp(a, "--cluster-cidr")) {
			cluster = argv[++i];
		} else if (v && !strcmp(a, "--cidr-annotation")) {
			np.cidr_annotation = argv[++i];
		} else if (v && !strcmp(a, "--address-annotation")) {
			np.addr_annotation = argv[++i];
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(nodes_usage, stdout);
			return 0;
		} else if (v && !strcmp(a, "--kubeconfig")) {
			opts.kubeconfig = argv[++i];
		} else if (v && !strcmp(a, "--context")) {
			opts.context = argv[++i];
		} else if (v && !strcmp(a, "--selector")) {
			sel.label_selector = argv[++i];
		} else if (v && !strcmp(a, "--annotation") && st.nannot < XC_K8S_ANNOT_MAX) {
			st.annot[st.nannot] = sel.annot[st.nannot] = argv[++i];
			st.nannot++;
		} else if (v && !strcmp(a, "--limit")) {
			limit = strtoul(argv[++i], &end, 10);
			if (*end || !limit || limit > 100000)
				goto usage;
		} else if (v && !strcmp(a, "--watch-timeout")) {
			watch_timeout = (int)strtol(argv[++i], &end, 10);
			if (*end || watch_timeout < 1)
				goto usage;
		} else {
			goto usage;
		}
	}
	if (refused && (st.watch || st.nannot || sel.label_selector || limit))
		goto usage;     /* the router's whole listing, nothing else */
	if (refused)
		return show_refused(&opts, &np, cluster, st.json);
	if (st.watch)
		xc_log_init("nodes", 1);
	rc = xc_k8s_client_init(&client, &opts);
	if (rc) {
		xc_err("%s", client.err);
		return 1;
	}
	if (client.insecure)
		xc_warn("%s: insecure-skip-tls-verify: the API server's certificate is not checked",
			client.cfg.source);
	if (client.plain)
		xc_warn("%s: %s is plain http: credentials are sent unencrypted (loopback only)",
			client.cfg.source, client.cfg.server);
	if (st.watch)
		return follow(&st, &sel, (unsigned)limit, watch_timeout);
	rc = xc_k8s_list(&client, &sel, (unsigned)limit, objbuf, sizeof(objbuf), on_event, &st, rv);
	if (rc) {
		xc_err("%s", client.err);
		xc_k8s_client_close(&client);
		return 1;
	}
	xc_k8s_client_close(&client);
	return 0;
usage:
	fputs(nodes_usage, stderr);
	return 2;
}
