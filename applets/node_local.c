/*
 * node-local: the IPAM plugin. Allocates like the reference host-local and
 * keeps the same state on disk (core/cni/ipam_store.h), so either can take
 * over from the other; ADD and DEL stay flat as allocations grow.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cni/cni.h"
#include "cni/ipam_store.h"
#include "base/fdio.h"
#include "base/log.h"
#include "kube/podcidr_cache.h"
#include "router/routes.h"

const char node_local_usage[] =
"usage: node-local      (a CNI IPAM plugin: CNI_* variables, config on stdin)\n"
"\n"
"Commands: ADD DEL CHECK GC STATUS VERSION (spec 0.3.0 .. 1.1.0; CHECK from\n"
"0.4.0, GC and STATUS from 1.1.0). The keys of host-local, in \"ipam\":\n"
"  ranges        [[{subnet, rangeStart, rangeEnd, gateway}, ...], ...]: one\n"
"                address per ADD from each range set, round-robin\n"
"  subnet, rangeStart, rangeEnd, gateway   one range set, the old way\n"
"  routes        [{dst, gw}]: copied into the result\n"
"  dataDir       state directory (default " XC_PODCIDRS_DATA_DIR ")\n"
"  resolvConf    a resolv.conf whose servers go into the result's dns\n"
"  fsync         true: sync each allocation before it becomes visible, so a\n"
"                power loss cannot leave an empty record (costs a disk flush)\n"
"Requested addresses: runtimeConfig.ips, args.cni.ips, CNI_ARGS IP=a[,b].\n"
"runtimeConfig.ipRanges: range sets put before the configured ones.\n"
"Without any range, the pod CIDRs of this node are read from\n"
"<dataDir>/<name>/podcidrs (one CIDR per line, written by the router). When\n"
"that file is missing and \"kubeconfig\" is set, node-local asks the API\n"
"server once for its Node and writes the file itself (a CIDR the router\n"
"would refuse by that Node alone written as refused):\n"
"  kubeconfig      path of a kubeconfig for the API server\n"
"  nodeName        this node's name (default: $NODE_NAME, else the host name)\n"
"  cidrAnnotation  take the CIDRs from this annotation (comma-separated)\n"
"                  instead of spec.podCIDRs: secondary networks\n"
"Until there are pod CIDRs ADD answers code 11 (try again later) and\n"
"STATUS code 50.\n"
"Errors: the spec's codes, and 101 range exhausted, 102 requested address\n"
"taken, 104 dataDir unusable, 108 duplicate ADD; CHECK without an allocation\n"
"is code 3 (unknown container).\n";

#define MAX_REQ 16
#define MAX_GC 65536
#define RESOLV_MAX 65536

struct nl_conf {
	char data_dir[XC_CNI_PATH_MAX + 1];
	char resolv_conf[XC_CNI_PATH_MAX + 1];
	int fsync;
	struct xc_json ipam;
	int nsets;
	struct xc_ipam_set sets[XC_IPAM_MAX_SETS];
	int nreq;
	struct xc_ip req[MAX_REQ];
	int nroutes;
	struct xc_cni_route routes[XC_CNI_MAX_ROUTES];
};

static char in_buf[XC_CNI_STDIN_MAX + 1], out_buf[XC_CNI_OUT_MAX];
static struct xc_cni_attachment gc_tab[MAX_GC];
static struct nl_conf conf;
static struct xc_cni_result res;

/* --- configuration ----------------------------------------------------- */

static int one_range(const struct xc_json *obj, const char *where, struct xc_ipam_range *r,
		     struct xc_cni_err *err)
{
	struct xc_ip start, end, gw;
	struct xc_prefix subnet;
	int rc, hs, he, hg;

	if (obj->type != XC_JSON_OBJECT)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s must be an object, not %s", where,
				   xc_json_type_name(obj->type));
	rc = xc_cni_get_prefix(obj, where, "subnet", 1, &subnet, err);
	if (rc)
		return rc;
	if ((hs = xc_cni_get_ip(obj, where, "rangeStart", 0, &start, err)) && hs != -ENOENT)
		return hs;
	if ((he = xc_cni_get_ip(obj, where, "rangeEnd", 0, &end, err)) && he != -ENOENT)
		return he;
	if ((hg = xc_cni_get_ip(obj, where, "gateway", 0, &gw, err)) && hg != -ENOENT)
		return hg;
	return xc_ipam_range_init(r, &subnet, hs ? NULL : &start, he ? NULL : &end,
				  hg ? NULL : &gw, where, err);
}

static int add_set(struct nl_conf *c, struct xc_cni_err *err)
{
	if (c->nsets == XC_IPAM_MAX_SETS)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "more than %d range sets",
				   XC_IPAM_MAX_SETS);
	c->sets[c->nsets].n = 0;
	return c->nsets++;
}

/* An array of range sets (arrays of range objects), as ranges and ipRanges. */
static int range_sets(struct nl_conf *c, const struct xc_json *arr, const char *where,
		      struct xc_cni_err *err)
{
	struct xc_json_iter it, it2;
	struct xc_json k, set, range;
	char at[96];
	int i = 0, s, rc;

	xc_json_iter_init(&it, arr);
	for (; xc_json_next(&it, &k, &set) > 0; i++) {
		snprintf(at, sizeof(at), "%s[%d]", where, i);
		if (set.type != XC_JSON_ARRAY)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s must be an array of ranges, "
					   "not %s", at, xc_json_type_name(set.type));
		if ((s = add_set(c, err)) < 0)
			return s;
		xc_json_iter_init(&it2, &set);
		for (int j = 0; xc_json_next(&it2, &k, &range) > 0; j++) {
			struct xc_ipam_set *rs = &c->sets[s];

			snprintf(at, sizeof(at), "%s[%d][%d]", where, i, j);
			if (rs->n == XC_IPAM_MAX_RANGES)
				return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s: more than %d ranges "
						   "in a set", at, XC_IPAM_MAX_RANGES);
			rc = one_range(&range, at, &rs->r[rs->n], err);
			if (rc)
				return rc;
			rs->n++;
		}
	}
	return 0;
}

static int parse_ranges(struct nl_conf *c, const struct xc_cni_conf *cc, struct xc_cni_err *err)
{
	struct xc_json arr, sub;
	int rc, s;

	if (cc->runtime_config.type == XC_JSON_OBJECT) {
		rc = xc_cni_get_typed(&cc->runtime_config, "runtimeConfig", "ipRanges", 0,
				      XC_JSON_ARRAY, &arr, err);
		if (rc != -ENOENT && (rc || (rc = range_sets(c, &arr, "runtimeConfig.ipRanges",
							     err))))
			return rc;
	}
	rc = xc_json_get(&c->ipam, "subnet", &sub);
	if (!rc && sub.type != XC_JSON_NULL) {
		if ((s = add_set(c, err)) < 0)
			return s;
		rc = one_range(&c->ipam, "ipam", &c->sets[s].r[0], err);
		if (rc)
			return rc;
		c->sets[s].n = 1;
	}
	rc = xc_cni_get_typed(&c->ipam, "ipam", "ranges", 0, XC_JSON_ARRAY, &arr, err);
	if (rc == -ENOENT)
		return 0;
	return rc ? rc : range_sets(c, &arr, "ipam.ranges", err);
}

/*
 * The router's verdict on one of this node's pod CIDRs, as far as its own
 * Node shows it (special ranges, the node's own addresses); the router
 * also weighs every other Node, the connected subnets and CLUSTER_CIDR,
 * and rewrites the file with its verdict.
 */
static const char *own_refusal(const struct xc_prefix *cidr, const struct xc_k8s_node *node)
{
	const char *why = xc_rt_cidr_refusal(cidr, NULL, 0, NULL, 0);

	for (int i = 0; !why && i < node->naddrs; i++)
		why = xc_rt_cidr_refusal(cidr, &node->addr[i].ip, 1, NULL, 0);
	return why;
}

/*
 * The cache is missing and the configuration names a kubeconfig: one GET
 * of this node's Node writes it (the router keeps it current afterwards).
 * Pod CIDRs never change once set, so this happens once per network.
 */
static int fetch_pod_cidrs(struct nl_conf *c, const char *name, struct xc_prefix *p,
			   struct xc_cni_err *err)
{
	static struct xc_k8s_client kc;
	static char node_buf[XC_K8S_OBJ_MAX];
	char kubeconfig[XC_CNI_PATH_MAX + 1], node[254], annot[254];
	struct xc_k8s_opts ko = { .kubeconfig = kubeconfig, .component = "node-local" };
	struct xc_podcidr_req rq = { .k8s = &ko, .data_dir = c->data_dir, .network = name,
				     .judge = own_refusal };
	int insecure = 0, n;
	long rc;

	rc = xc_cni_get_str(&c->ipam, "ipam", "kubeconfig", 0, kubeconfig, sizeof(kubeconfig), err);
	if (rc == -ENOENT || rc == 0)
		return -ENOENT;
	if (rc < 0)
		return (int)rc;
	rc = xc_cni_get_str(&c->ipam, "ipam", "nodeName", 0, node, sizeof(node), err);
	if (rc < 0 && rc != -ENOENT)
		return (int)rc;
	rq.node = rc > 0 ? node : NULL;
	rc = xc_cni_get_str(&c->ipam, "ipam", "cidrAnnotation", 0, annot, sizeof(annot), err);
	if (rc < 0 && rc != -ENOENT)
		return (int)rc;
	rq.annotation = rc > 0 ? annot : NULL;

	n = xc_podcidr_fetch(&rq, &kc, node_buf, sizeof(node_buf), p, XC_IPAM_MAX_SETS, &insecure);
	if (insecure)
		xc_warn("%s: insecure-skip-tls-verify: the API server's certificate is not checked",
			kubeconfig);
	if (n > 0)
		return n;
	xc_cni_errf(err, XC_CNI_E_TRY_AGAIN, n == -ENODATA ?
		    "no pod CIDRs for this node yet: its Node has no %s" :
		    "cannot read this node's pod CIDRs from the API server (%s)",
		    n == -ENODATA ? (rq.annotation ? "CIDR annotation" : "spec.podCIDRs") :
		    strerror(-n));
	xc_cni_err_details(err, "%s", kc.err);
	return -EAGAIN;
}

/*
 * A pod CIDR of this node's that no pod may use (the router gives it no
 * route either): the ADD waits (code 11) until the Node is fixed.
 */
static int refused_cidr(const struct nl_conf *c, const char *name, const struct xc_prefix *p,
			struct xc_cni_err *err)
{
	const char *why = xc_prefix_special(p);
	char text[XC_IP_STRLEN];

	if (!why)
		return 0;
	xc_prefix_format(p, text, sizeof(text));
	xc_cni_errf(err, XC_CNI_E_TRY_AGAIN, "this node's pod CIDR %s %s: no pod gets an "
		    "address from it", text, why);
	xc_cni_err_details(err, "from %s/%s/podcidrs, that is the Node's spec.podCIDRs (or its "
			   "CIDR annotation): fix it there", c->data_dir, name);
	return -EAGAIN;
}

/* No configured range: the node's pod CIDRs, as the router caches them. */
static int pod_cidr_sets(struct nl_conf *c, const char *name, struct xc_cni_err *err)
{
	struct xc_prefix p[XC_IPAM_MAX_SETS];
	char at[64];
	int n = xc_ipam_podcidrs(c->data_dir, name, p, XC_IPAM_MAX_SETS, err), rc;

	if (n == -ENOENT && (rc = fetch_pod_cidrs(c, name, p, err)) != -ENOENT) {
		if (rc <= 0)
			return rc;
		/* the file it wrote, refusals and all, as every later ADD reads it */
		n = xc_ipam_podcidrs(c->data_dir, name, p, XC_IPAM_MAX_SETS, err);
	}
	if (n == -EINVAL || n == -EAGAIN)
		return n;
	if (n <= 0) {
		xc_cni_errf(err, XC_CNI_E_TRY_AGAIN, "no pod CIDRs for this node yet: %s/%s/podcidrs "
			    "%s", c->data_dir, name, n == 0 ? "is empty" :
			    n == -ENOENT ? "does not exist" :
			    n == -ELOOP ? "is a symlink (not followed)" :
			    n == -EBADFD ? "is not a regular file" : strerror(-n));
		xc_cni_err_details(err, "the configuration has no ranges, so they come from that "
				   "file, which the router writes once the Node has spec.podCIDRs");
		return -EAGAIN;
	}
	for (int i = 0; i < n; i++) {
		if ((rc = refused_cidr(c, name, &p[i], err)))
			return rc;
		snprintf(at, sizeof(at), "podcidrs[%d]", i);
		rc = xc_ipam_range_init(&c->sets[i].r[0], &p[i], NULL, NULL, NULL, at, err);
		if (rc)
			return rc;
		c->sets[i].n = 1;
	}
	c->nsets = n;
	return 0;
}

static int add_req(struct nl_conf *c, const char *text, const char *where,
		   struct xc_cni_err *err)
{
	struct xc_prefix p;

	if (c->nreq == MAX_REQ)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "more than %d requested IPs", MAX_REQ);
	if (xc_prefix_parse_loose(text, &p) || p.ip.zone[0])
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s: \"%.64s\" is not an IP address",
				   where, text);
	c->req[c->nreq++] = p.ip;
	return 0;
}

static int req_list(struct nl_conf *c, const struct xc_json *obj, const char *where,
		    struct xc_cni_err *err)
{
	struct xc_json arr, k, v;
	struct xc_json_iter it;
	char buf[XC_IP_STRLEN];
	int rc = xc_cni_get_typed(obj, where, "ips", 0, XC_JSON_ARRAY, &arr, err);

	if (rc)
		return rc == -ENOENT ? 0 : rc;
	xc_json_iter_init(&it, &arr);
	while (xc_json_next(&it, &k, &v) > 0) {
		if (xc_json_str(&v, buf, sizeof(buf)) < 0)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s.ips must hold address "
					   "strings", where);
		rc = add_req(c, buf, where, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* Requested addresses: CNI_ARGS IP=, args.cni.ips, runtimeConfig.ips. */
static int parse_requests(struct nl_conf *c, const struct xc_cni_call *call,
			  struct xc_cni_err *err)
{
	static const char *const known[] = { "IP", NULL };
	char ips[1024], *tok, *save;
	struct xc_json cni;
	int rc = xc_cni_args_known(call->env.args, known, err);

	if (rc)
		return rc;
	if (xc_cni_args_get(call->env.args, "IP", ips, sizeof(ips)) >= 0)
		for (tok = strtok_r(ips, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if ((rc = add_req(c, tok, "CNI_ARGS IP", err)))
				return rc;
	if (call->conf.args.type == XC_JSON_OBJECT &&
	    !xc_json_get(&call->conf.args, "cni", &cni) && cni.type == XC_JSON_OBJECT &&
	    (rc = req_list(c, &cni, "args.cni", err)))
		return rc;
	if (call->conf.runtime_config.type == XC_JSON_OBJECT)
		return req_list(c, &call->conf.runtime_config, "runtimeConfig", err);
	return 0;
}

static int parse_routes(struct nl_conf *c, struct xc_cni_err *err)
{
	struct xc_json arr, k, v;
	struct xc_json_iter it;
	char at[64];
	int rc = xc_cni_get_typed(&c->ipam, "ipam", "routes", 0, XC_JSON_ARRAY, &arr, err);

	if (rc)
		return rc == -ENOENT ? 0 : rc;
	xc_json_iter_init(&it, &arr);
	while (xc_json_next(&it, &k, &v) > 0) {
		snprintf(at, sizeof(at), "ipam.routes[%d]", c->nroutes);
		if (c->nroutes == XC_CNI_MAX_ROUTES)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "more than %d routes",
					   XC_CNI_MAX_ROUTES);
		rc = xc_cni_route_parse(&v, at, &c->routes[c->nroutes], err);
		if (rc)
			return rc;
		c->nroutes++;
	}
	return 0;
}

/* The keys every command needs: ipam itself and where the state lives. */
static int parse_base(struct nl_conf *c, const struct xc_cni_conf *cc, struct xc_cni_err *err)
{
	long n;

	if (cc->ipam.type != XC_JSON_OBJECT)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "IPAM config missing 'ipam' key");
	c->ipam = cc->ipam;
	n = xc_cni_get_str(&c->ipam, "ipam", "dataDir", 0, c->data_dir, sizeof(c->data_dir), err);
	if (n == -ENOENT || n == 0)
		strcpy(c->data_dir, XC_PODCIDRS_DATA_DIR);
	else if (n < 0)
		return (int)n;
	n = xc_cni_get_str(&c->ipam, "ipam", "resolvConf", 0, c->resolv_conf,
			   sizeof(c->resolv_conf), err);
	if (n == -ENOENT)
		c->resolv_conf[0] = '\0';
	else if (n < 0)
		return (int)n;
	n = xc_cni_get_bool(&c->ipam, "ipam", "fsync", 0, &c->fsync, err);
	return n == -ENOENT ? 0 : (int)n;
}

/* Everything ADD and STATUS need. */
static int parse_full(struct nl_conf *c, const struct xc_cni_call *call, struct xc_cni_err *err)
{
	int rc = parse_ranges(c, &call->conf, err);

	if (!rc && !c->nsets)
		rc = pod_cidr_sets(c, call->conf.name, err);
	if (!rc)
		rc = xc_ipam_sets_check(c->sets, c->nsets, err);
	if (!rc && call->env.cmd == XC_CNI_CMD_ADD)
		rc = parse_requests(c, call, err);
	if (!rc && call->env.cmd == XC_CNI_CMD_ADD)
		rc = parse_routes(c, err);
	return rc;
}

/* --- resolv.conf ------------------------------------------------------- */

static void dns_word(char *dst, size_t size, const char *w)
{
	snprintf(dst, size, "%s", w);
}

static void resolv_line(char *line, struct xc_cni_dns *d)
{
	char *save, *key = strtok_r(line, " \t\r", &save), *w;

	if (!key || key[0] == '#' || key[0] == ';')
		return;
	while ((w = strtok_r(NULL, " \t\r", &save))) {
		if (!strcmp(key, "nameserver") && d->n_nameservers < XC_CNI_MAX_DNS) {
			dns_word(d->nameservers[d->n_nameservers++], sizeof(d->nameservers[0]), w);
			return;
		} else if (!strcmp(key, "domain")) {
			dns_word(d->domain, sizeof(d->domain), w);
			return;
		} else if (!strcmp(key, "search") && d->n_search < XC_CNI_MAX_DNS) {
			dns_word(d->search[d->n_search++], sizeof(d->search[0]), w);
		} else if (!strcmp(key, "options") && d->n_options < XC_CNI_MAX_DNS) {
			dns_word(d->options[d->n_options++], sizeof(d->options[0]), w);
		} else {
			return;
		}
	}
}

static int read_resolv(const char *path, struct xc_cni_dns *d, struct xc_cni_err *err)
{
	static char buf[RESOLV_MAX + 1];
	char *line, *next;
	/* not a FIFO or a device: those would block or never end */
	ssize_t len = xc_file_read(AT_FDCWD, path, 0, buf, sizeof(buf));

	if (len == -EBADFD)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "ipam.resolvConf %s is not a regular "
				   "file", path);
	if (len == -EFBIG)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "ipam.resolvConf %s is larger than the "
				   "limit of %d bytes", path, RESOLV_MAX);
	if (len < 0)
		return xc_cni_errf(err, XC_CNI_E_IO, "cannot read ipam.resolvConf %s: %s", path,
				   strerror((int)-len));
	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		resolv_line(line, d);
	}
	return 0;
}

/* --- commands ---------------------------------------------------------- */

static int cmd_add(void *ctx, struct xc_cni_err *err)
{
	const struct xc_cni_call *call = ctx;
	struct xc_ipam_lease lease[XC_IPAM_MAX_SETS];
	struct xc_ipam_store st;
	int rc = parse_full(&conf, call, err);

	if (!rc && conf.resolv_conf[0])
		rc = read_resolv(conf.resolv_conf, &res.dns, err);
	if (rc)
		return rc;
	rc = xc_ipam_open(&st, conf.data_dir, call->conf.name, err);
	if (rc)
		return rc;
	st.nosync = !conf.fsync;
	rc = xc_ipam_alloc(&st, conf.sets, conf.nsets, call->env.containerid, call->env.ifname,
			   conf.req, conf.nreq, lease, err);
	xc_ipam_close(&st);
	if (rc)
		return rc;
	for (int i = 0; i < conf.nsets; i++) {
		const struct xc_ipam_range *r = &conf.sets[i].r[lease[i].range];
		struct xc_cni_ipconf *ip = &res.ips[res.n_ips++];

		ip->address.ip = lease[i].ip;
		ip->address.len = r->subnet.len;
		ip->gateway = r->gateway;
		ip->has_gateway = 1;
		ip->iface = -1;
	}
	memcpy(res.routes, conf.routes, sizeof(conf.routes[0]) * (size_t)conf.nroutes);
	res.n_routes = conf.nroutes;
	return 0;
}


static int cmd_del(void *ctx, struct xc_cni_err *err)
{
	const struct xc_cni_call *call = ctx;
	struct xc_ipam_store st;
	int rc = xc_ipam_open(&st, conf.data_dir, call->conf.name, err);

	if (rc)
		return rc;
	rc = xc_ipam_release(&st, call->env.containerid, call->env.ifname);
	xc_ipam_close(&st);
	if (rc >= 0)
		return 0;
	return xc_cni_errf(err, XC_CNI_E_STATE, "cannot release the addresses of %s %s in %s/%s: "
			   "%s", call->env.containerid, call->env.ifname, conf.data_dir,
			   call->conf.name, strerror(-rc));
}

/* The result could not be printed: give the addresses back. */
static void undo_add(void *ctx)
{
	struct xc_cni_err ignored;

	xc_cni_err_init(&ignored);
	cmd_del(ctx, &ignored);
}

static int cmd_check(void *ctx, struct xc_cni_err *err)
{
	const struct xc_cni_call *call = ctx;
	struct xc_ipam_store st;
	struct xc_ip ip;
	int rc = xc_ipam_open(&st, conf.data_dir, call->conf.name, err);

	if (rc)
		return rc;
	rc = xc_ipam_find(&st, call->env.containerid, call->env.ifname, &ip, 1);
	xc_ipam_close(&st);
	if (rc > 0)
		return 0;
	return xc_cni_errf(err, XC_CNI_E_UNKNOWN_CONTAINER, "node-local: no address is "
			   "allocated to container %s interface %s", call->env.containerid,
			   call->env.ifname);
}

struct gc_ctx {
	size_t n;
};

static int gc_keep(void *ctx, const char *cid, const char *ifname)
{
	struct gc_ctx *g = ctx;

	return cid[0] && xc_cni_attachment_find(gc_tab, g->n, cid, ifname);
}

static int cmd_gc(void *ctx, struct xc_cni_err *err)
{
	const struct xc_cni_call *call = ctx;
	struct xc_ipam_store st;
	struct gc_ctx g;
	long n;
	int rc;

	/* Without the list, every allocation would go: refuse rather than guess. */
	if (call->conf.valid_attachments.type != XC_JSON_ARRAY)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "GC needs cni.dev/valid-attachments "
				   "(an empty list releases every allocation)");
	n = xc_cni_attachments(&call->conf, gc_tab, MAX_GC, err);
	if (n < 0)
		return (int)n;
	g.n = (size_t)n;
	rc = xc_ipam_open(&st, conf.data_dir, call->conf.name, err);
	if (rc)
		return rc;
	rc = xc_ipam_gc(&st, gc_keep, &g);
	xc_ipam_close(&st);
	if (rc < 0)
		return xc_cni_errf(err, XC_CNI_E_STATE, "GC could not release every stale allocation "
				   "in %s/%s: %s", conf.data_dir, call->conf.name, strerror(-rc));
	return 0;
}

static int cmd_status(void *ctx, struct xc_cni_err *err)
{
	const struct xc_cni_call *call = ctx;
	struct xc_ipam_store st;
	char rs[256];
	int rc = parse_full(&conf, call, err);

	if (rc)
		err->code = err->code == XC_CNI_E_TRY_AGAIN ? XC_CNI_E_NOT_AVAILABLE : err->code;
	if (!rc)
		rc = xc_ipam_open(&st, conf.data_dir, call->conf.name, err);
	if (rc)
		return rc;
	for (int i = 0; i < conf.nsets; i++) {
		uint64_t used = xc_ipam_used(&st, &conf.sets[i]);
		uint64_t cap = xc_ipam_set_capacity(&conf.sets[i]);

		if (used < cap)
			continue;
		xc_ipam_close(&st);
		xc_ipam_set_str(&conf.sets[i], rs, sizeof(rs));
		return xc_cni_errf(err, XC_CNI_E_NOT_AVAILABLE, "range set %d (%s) is exhausted: "
				   "all %llu addresses are allocated", i, rs,
				   (unsigned long long)cap);
	}
	xc_ipam_close(&st);
	return 0;
}

static int parse(void *ctx, struct xc_cni_err *err)
{
	const struct xc_cni_call *call = ctx;

	return parse_base(&conf, &call->conf, err);
}

int node_local_main(int argc, char **argv)
{
	extern char **environ;
	static struct xc_cni_call call;
	const struct xc_cni_plugin p = {
		.ctx = &call, .call = &call, .res = &res,
		.in = in_buf, .in_size = sizeof(in_buf), .out = out_buf, .out_size = sizeof(out_buf),
		.parse = parse, .add = cmd_add, .del = cmd_del, .check = cmd_check,
		.gc = cmd_gc, .status = cmd_status, .undo_add = undo_add,
	};

	(void)argc;
	(void)argv;
	xc_cni_result_init(&res);
	return xc_cni_run(&p, environ);
}
