/*
 * portmap: the CNI portmap plugin (hostPort), a drop-in for the reference
 * chained one (containernetworking/plugins plugins/meta/portmap) in
 * nf_tables over netlink. docs/portmap.md lists its keys and what the
 * kernel must have; core/cni/hostport.h the ruleset.
 */
const char portmap_usage[] =
"usage: portmap (as a chained CNI plugin: CNI_COMMAND and the other CNI_*\n"
"       variables in the environment, the configuration with prevResult on stdin)\n"
"\n"
"Maps a node's hostPorts to the pod's addresses in prevResult: the\n"
"capability portMappings (runtimeConfig.portMappings: hostPort,\n"
"containerPort, protocol tcp/udp/sctp, hostIP), reachable from other\n"
"hosts, from the node itself (127.0.0.1 too) and from the pod itself.\n"
"The mappings are elements of the nf_tables table inet xcluster-cni-portmap\n"
"tagged with their attachment; a hostPort another pod holds is refused.\n"
"Commands: ADD, DEL, CHECK, STATUS, GC, VERSION (spec 0.3.0 to 1.1.0).\n"
"Keys: snat, markMasqBit, backend, runtimeConfig.portMappings, prevResult.\n"
"\n"
"Exit status: 0 success, 1 failure (a CNI error document on stdout).\n";

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>

#include "base/log.h"
#include "cni/cni.h"
#include "cni/cniconv.h"
#include "cni/hostport.h"
#include "cni/podlink.h"
#include "kernel/netlink.h"
#include "kernel/conntrack.h"
#include "kernel/nft.h"
#include "kernel/nl_link.h"
#include "kernel/nl_route.h"
#include "kernel/sysctl.h"

extern char **environ;

#define MAX_ATTACHMENTS 16384
/* A batch of a pod's elements: 1,024 mappings, both families, and the ruleset. */
#define BATCH_SIZE (512 * 1024)

struct pm {
	struct xc_cni_call cni;
	struct xc_cni_result prev;
	struct xc_hostport map[XC_HOSTPORT_MAX];
	int n, snat;
	char tag[XC_HOSTPORT_TAG_MAX];
	int tag_ok;                     /* the attachment fits a tag */
	struct xc_hostport_pod pod;
	struct xc_nl nl;
};

static struct pm P;
static uint32_t nl_buf[XC_NL_BUFSIZE / 4], rt_buf[XC_NL_BUFMIN / 4];
static uint32_t batch[BATCH_SIZE / 4];

/* A kernel operation failed: code 105 with the kernel's own words, or what nf_tables lacks. */
static __attribute__((format(printf, 3, 4)))
int kfail(struct xc_cni_err *err, int rc, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	rc = xc_podlink_kfail(err, &P.nl, rc, "%s", what);
	if (!*xc_nl_errmsg(&P.nl) && (rc == -ENOENT || rc == -EOPNOTSUPP || rc == -EPROTONOSUPPORT))
		xc_cni_err_details(err, "the node's kernel needs nf_tables with the nat "
				   "chain type, fib, masq and nat expressions (docs/portmap.md)");
	return rc;
}

/* ---- configuration ------------------------------------------------------ */

/* iptables-only keys: fine when they ask for nothing. */
static int iptables_keys(const struct xc_json *root, struct xc_cni_err *err)
{
	static const char *const bools[] = { "masqAll", NULL };
	static const char *const lists[] = { "conditionsV4", "conditionsV6", NULL };
	struct xc_json v;

	if (xc_cniconv_unsupported(root, bools, err))
		return -EINVAL;
	for (int i = 0; lists[i]; i++)
		if (!xc_json_get(root, lists[i], &v) && v.type != XC_JSON_NULL &&
		    !(v.type == XC_JSON_ARRAY && xc_json_count(&v) == 0))
			return xc_cni_errf(err, XC_CNI_E_UNSUPPORTED, "%s is not supported: its "
					   "entries are iptables arguments", lists[i]);
	if (!xc_json_get(root, "externalSetMarkChain", &v) && v.type != XC_JSON_NULL)
		return xc_cni_errf(err, XC_CNI_E_UNSUPPORTED, "externalSetMarkChain is not "
				   "supported: hostPorts are masqueraded without a mark");
	return 0;
}

static int other_keys(const struct xc_json *root, struct xc_cni_err *err)
{
	char backend[16];
	int64_t bit;
	long n;
	int rc;

	P.snat = 1;
	rc = xc_cni_get_bool(root, NULL, "snat", 0, &P.snat, err);
	if (rc && rc != -ENOENT)
		return rc;
	/* the mark of the reference's iptables rules: checked, not needed here */
	rc = xc_cni_get_int(root, NULL, "markMasqBit", 0, 0, 31, &bit, err);
	if (rc && rc != -ENOENT)
		return rc;
	n = xc_cni_get_str(root, NULL, "backend", 0, backend, sizeof(backend), err);
	if (n >= 0 && strcmp(backend, "iptables") && strcmp(backend, "nftables"))
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "backend \"%s\" is not iptables or "
				   "nftables (both mean nf_tables here)", backend);
	if (n == -ENOSPC)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "backend is not iptables or nftables");
	return n < 0 && n != -ENOENT ? (int)n : 0;
}

/* The pod's first address of each family, as the reference picks them. */
static void pod_addresses(void)
{
	const struct xc_cni_result *r = &P.prev;

	for (int i = 0; i < r->n_ips; i++) {
		const struct xc_cni_ipconf *ip = &r->ips[i];
		int v6 = ip->address.ip.family == AF_INET6, k = ip->iface;

		if (P.pod.ip[v6].family)
			continue;
		/* an address of a host interface or of another of the pod's is not it */
		if (k >= 0 && k < r->n_ifaces &&
		    (strcmp(r->ifaces[k].name, P.cni.env.ifname) || !r->ifaces[k].sandbox[0]))
			continue;
		P.pod.ip[v6] = ip->address.ip;
	}
}

static int conf_parse(void *ctx, struct xc_cni_err *err)
{
	struct pm *p = ctx;
	const struct xc_cni_conf *c = &p->cni.conf;
	int rc;

	if ((rc = iptables_keys(&c->root, err)) || (rc = other_keys(&c->root, err)))
		return rc;
	p->n = xc_hostport_parse(&c->runtime_config, p->map, XC_HOSTPORT_MAX, err);
	if (p->n < 0)
		return p->n;
	if (p->cni.env.containerid && p->cni.env.ifname)
		p->tag_ok = xc_podlink_alias(c->name, p->cni.env.containerid, p->cni.env.ifname,
					     p->tag, sizeof(p->tag)) > 0;
	p->pod.tag = p->tag;
	p->pod.snat = p->snat;
	if (c->prev_result.type == XC_JSON_OBJECT)
		pod_addresses();
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static int open_nft(struct xc_cni_err *err)
{
	int rc = xc_nft_open(&P.nl, nl_buf, sizeof(nl_buf));
	int big = BATCH_SIZE + 65536;

	if (rc)
		return kfail(err, rc, "nf_tables netlink socket");
	/* a pod's batch may pass the default socket buffer */
	if (setsockopt(P.nl.fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		setsockopt(P.nl.fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return 0;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* Each hostIP must be of a family the pod has an address of. */
static int families_match(struct xc_cni_err *err)
{
	for (int i = 0; i < P.n; i++) {
		int f = P.map[i].host_ip.family;
		char ip[XC_IP_STRLEN];

		if (!f || P.pod.ip[f == AF_INET6].family)
			continue;
		xc_ip_format(&P.map[i].host_ip, ip, sizeof(ip));
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "runtimeConfig.portMappings[%d].hostIP "
				   "%s is %s, but prevResult gives the pod no %s address on %s",
				   i, ip, family_name(f), family_name(f), P.cni.env.ifname);
	}
	return 0;
}

/*
 * 127.0.0.1 to a hostPort leaves by the pod's interface only when that
 * interface takes a loopback source (route_localnet), as the reference
 * sets it; the localhost rule then masquerades it.
 */
static int localnet(struct xc_cni_err *err)
{
	struct xc_nl rt;
	struct xc_route r;
	struct xc_link l;
	char key[64];
	int rc;

	if (!P.snat || P.pod.ip[0].family != AF_INET)
		return 0;
	if ((rc = xc_nl_open(&rt, rt_buf, sizeof(rt_buf))))
		return kfail(err, rc, "netlink socket");
	rc = xc_nl_route_get(&rt, &P.pod.ip[0], &r);
	if (!rc && r.oif)
		rc = xc_nl_link_get_index(&rt, r.oif, &l);
	xc_nl_close(&rt);
	if (rc || !r.oif)
		return 0;               /* no route to the pod: nothing to open */
	snprintf(key, sizeof(key), "net/ipv4/conf/%s/route_localnet", l.name);
	rc = xc_sysctl_write(key, "1");
	return rc ? kfail(err, rc, "setting %s", key) : 0;
}

/*
 * UDP flows the kernel tracked before the mappings existed would keep going
 * where they went (conntrack.h): their entries go, as the reference does.
 * The mappings are in either way; a kernel without ctnetlink only loses this.
 */
static void flush_udp(void)
{
	uint32_t buf[XC_NL_BUFSIZE / 4];
	struct xc_nl ct = { .fd = -1 };
	int rc = 0;

	for (int i = 0; i < P.n && rc >= 0; i++) {
		for (int f = 0; f < 2 && rc >= 0; f++) {
			int family = f ? AF_INET6 : AF_INET;

			if (P.map[i].proto != IPPROTO_UDP || !P.pod.ip[f].family ||
			    (P.map[i].host_ip.family && P.map[i].host_ip.family != family))
				continue;
			if (ct.fd < 0 && (rc = xc_ct_open(&ct, buf, sizeof(buf))) < 0)
				break;
			rc = xc_ct_delete_port(&ct, family, IPPROTO_UDP, P.map[i].host_port);
		}
	}
	if (rc < 0)
		xc_warn("hostPorts of %s: stale UDP conntrack entries stay: %s%s%s",
			P.cni.env.containerid, strerror(-rc),
			ct.fd >= 0 && *xc_nl_errmsg(&ct) ? ": " : "",
			ct.fd >= 0 ? xc_nl_errmsg(&ct) : "");
	if (ct.fd >= 0)
		xc_nl_close(&ct);
}

/* ---- commands ----------------------------------------------------------- */

static int add_refused(int rc, const struct xc_hostport_clash *c, struct xc_cni_err *err)
{
	const struct xc_hostport *m = &P.map[c->index];
	char ip[XC_IP_STRLEN] = "";

	if (rc != -EADDRINUSE)
		return kfail(err, rc, "adding the hostPorts of %s", P.cni.env.containerid);
	if (m->host_ip.family)
		xc_ip_format(&m->host_ip, ip, sizeof(ip));
	xc_cni_errf(err, XC_CNI_E_ADDR_IN_USE, "hostPort %u/%s%s%s (%s) of "
		    "runtimeConfig.portMappings[%d] is taken by %s", m->host_port,
		    xc_hostport_proto_name(m->proto), *ip ? " on " : "", ip,
		    family_name(c->family), c->index, strcmp(c->tag, P.tag) ? "another pod" :
		    "this attachment, to another address or containerPort (DEL it first)");
	xc_cni_err_details(err, "held by %s; nothing was mapped", c->tag);
	return rc;
}

static int cmd_add(void *ctx, struct xc_cni_err *err)
{
	struct pm *p = ctx;
	struct xc_hostport_clash c;
	int rc;

	if (p->cni.conf.prev_result.type != XC_JSON_OBJECT)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "portmap is a chained plugin: the "
				   "configuration needs prevResult, the previous plugin's result");
	if (!p->n)
		return 0;
	if (!p->pod.ip[0].family && !p->pod.ip[1].family)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "prevResult has no address of %s in "
				   "the pod for runtimeConfig.portMappings", p->cni.env.ifname);
	if (!p->tag_ok)
		return xc_cni_errf(err, XC_CNI_E_ENV, "CNI_CONTAINERID is too long to tag "
				   "hostPorts with (network name, CNI_IFNAME and it in %d bytes)",
				   XC_NFT_COMMENT_MAX);
	if ((rc = families_match(err)) || (rc = open_nft(err)) || (rc = localnet(err)))
		return rc;
	rc = xc_hostport_add(&p->nl, &p->pod, p->map, p->n, &c, batch, sizeof(batch));
	if (rc < 0)
		return add_refused(rc, &c, err);
	flush_udp();
	return 0;
}

/* The runtime could not read the result: the mappings go again. */
static void add_undo(void *ctx)
{
	struct pm *p = ctx;

	if (p->n && p->tag_ok)
		xc_tagset_remove(&p->nl, &xc_hostport_tagset, xc_tagset_is, p->tag, batch, sizeof(batch));
}

/* Whatever is there with this attachment's tag; nothing there is success. */
static int cmd_del(void *ctx, struct xc_cni_err *err)
{
	struct pm *p = ctx;
	int rc;

	if (!p->tag_ok)
		return 0;               /* no ADD could have tagged it */
	rc = xc_nft_open(&p->nl, nl_buf, sizeof(nl_buf));
	if (rc == -EPROTONOSUPPORT)
		return 0;
	if (rc)
		return kfail(err, rc, "nf_tables netlink socket");
	rc = xc_tagset_remove(&p->nl, &xc_hostport_tagset, xc_tagset_is, p->tag, batch, sizeof(batch));
	return rc < 0 ? kfail(err, rc, "removing the hostPorts of %s", p->cni.env.containerid) : 0;
}

static int cmd_check(void *ctx, struct xc_cni_err *err)
{
	struct pm *p = ctx;
	char what[300];
	int rc;

	if (p->cni.conf.prev_result.type != XC_JSON_OBJECT)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "CHECK needs prevResult, the result "
				   "of the ADD it checks");
	if (!p->n)
		return 0;
	if (!p->tag_ok)
		return xc_cni_errf(err, XC_CNI_E_ENV, "CNI_CONTAINERID is too long for a "
				   "hostPort tag");
	if ((rc = open_nft(err)))
		return rc;
	what[0] = '\0';
	rc = xc_hostport_verify(&p->nl, &p->pod, p->map, p->n, what, sizeof(what));
	if (rc == -ENOENT)
		return xc_cni_errf(err, XC_CNI_E_CHECK, "hostPort %s", what);
	return rc ? kfail(err, rc, "reading table inet " XC_HOSTPORT_TABLE) : 0;
}

static int cmd_gc(void *ctx, struct xc_cni_err *err)
{
	static struct xc_cni_attachment valid[MAX_ATTACHMENTS];
	struct pm *p = ctx;
	struct xc_tagset_gc g = { valid, 0, p->cni.conf.name };
	long n;
	int rc;

	/* Without the list, "no valid attachment" would mean "delete everything". */
	if (p->cni.conf.valid_attachments.type != XC_JSON_ARRAY)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "GC needs cni.dev/valid-attachments "
				   "(an empty list removes every hostPort of %s)", g.network);
	if ((n = xc_cni_attachments(&p->cni.conf, valid, MAX_ATTACHMENTS, err)) < 0)
		return (int)n;
	g.n = (size_t)n;
	rc = xc_nft_open(&p->nl, nl_buf, sizeof(nl_buf));
	if (rc == -EPROTONOSUPPORT)
		return 0;
	if (rc)
		return kfail(err, rc, "nf_tables netlink socket");
	rc = xc_tagset_remove(&p->nl, &xc_hostport_tagset, xc_tagset_stale, &g, batch, sizeof(batch));
	return rc < 0 ? kfail(err, rc, "removing stale hostPorts of %s", g.network) : 0;
}

/* Ready when nf_tables answers. */
static int cmd_status(void *ctx, struct xc_cni_err *err)
{
	struct pm *p = ctx;
	uint32_t gen;
	int rc = xc_nft_open(&p->nl, nl_buf, sizeof(nl_buf));

	if (!rc)
		rc = xc_nft_genid(&p->nl, &gen);
	if (!rc)
		return 0;
	xc_cni_errf(err, XC_CNI_E_NOT_AVAILABLE, "nf_tables is not available: %s",
		    strerror(-rc));
	xc_cni_err_details(err, "the node's kernel needs nf_tables (docs/portmap.md)");
	return rc;
}

int portmap_main(int argc, char **argv)
{
	static char in[XC_CNI_STDIN_MAX + 1], out[XC_CNI_OUT_MAX];
	const struct xc_cni_plugin p = {
		.ctx = &P, .call = &P.cni, .prev = &P.prev, .res = &P.prev,
		.in = in, .in_size = sizeof(in), .out = out, .out_size = sizeof(out),
		.parse = conf_parse, .add = cmd_add, .del = cmd_del, .check = cmd_check,
		.gc = cmd_gc, .status = cmd_status, .undo_add = add_undo,
	};

	(void)argc;
	(void)argv;
	return xc_cni_run(&p, environ);
}
