/*
 * loopback: the CNI plugin that sets a pod's lo up. containerd's CRI runs
 * "loopback" from its CNI bin dir for every pod; this is a drop-in for the
 * reference plugin of that name (docs/runtime.md, docs/install.md).
 */
const char loopback_usage[] =
"usage: loopback        (a CNI plugin: CNI_* variables, config on stdin)\n"
"\n"
"ADD sets lo up in CNI_NETNS and reports it with its first IPv4 and IPv6\n"
"address, or passes prevResult on; DEL sets it down (nothing to do without\n"
"the namespace); CHECK fails while lo is down (code 106). STATUS and GC\n"
"have nothing to do. The interface is lo whatever CNI_IFNAME says.\n";

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "cni/cni.h"
#include "cni/podlink.h"
#include "kernel/netns.h"
#include "kernel/nl_addr.h"

extern char **environ;

struct lo {
	struct xc_cni_call cni;
	struct xc_cni_result prev, res;
	struct xc_nl nl;
	struct xc_link link;
	struct xc_prefix bad;           /* ADD: a non-loopback address on lo */
};

static struct lo L;
static uint32_t nl_buf[XC_NL_BUFSIZE / 4];

/* lo in CNI_NETNS, never in our own namespace (DEL would take the node's lo down). */
static int open_lo(struct lo *l, struct xc_cni_err *err)
{
	const char *ns = l->cni.env.netns;
	int fd = xc_podlink_netns_open(ns, err), rc;

	if (fd < 0)
		return fd;
	rc = xc_netns_is_current(fd);
	if (rc > 0)
		rc = xc_cni_errf(err, XC_CNI_E_NETNS, "CNI_NETNS %s is the plugin's own "
				 "network namespace, not a pod's", ns);
	else if (rc || (rc = xc_nl_open_nsfd(&l->nl, nl_buf, sizeof(nl_buf), fd)))
		rc = xc_podlink_kfail(err, NULL, rc, "netlink socket in %s", ns);
	close(fd);
	if (!rc && (rc = xc_nl_link_get(&l->nl, "lo", &l->link)))
		rc = xc_podlink_kfail(err, &l->nl, rc, "lo in %s", ns);
	return rc;
}

static int set_lo(struct lo *l, int up, struct xc_cni_err *err)
{
	int rc = xc_nl_link_set_up(&l->nl, l->link.index, up);

	return rc ? xc_podlink_kfail(err, &l->nl, rc, "setting lo %s in %s", up ? "up" : "down",
				     l->cni.env.netns) : 0;
}

/* 127.0.0.0/8 and ::1, as the reference tells a loopback address. */
static int is_loopback(const struct xc_ip *ip)
{
	return ip->family == AF_INET ? ip->a[0] == 127 :
		!memcmp(ip->a, in6addr_loopback.s6_addr, 16);
}

/* Each address of lo: the first of each family goes into the result. */
static int one_addr(const struct xc_addr *a, void *arg)
{
	struct lo *l = arg;
	struct xc_cni_result *r = &l->res;

	if (!is_loopback(&a->prefix.ip)) {
		l->bad = a->prefix;
		return -EADDRNOTAVAIL;
	}
	for (int i = 0; i < r->n_ips; i++)
		if (r->ips[i].address.ip.family == a->prefix.ip.family)
			return 0;
	r->ips[r->n_ips].address = a->prefix;
	r->ips[r->n_ips++].iface = 0;
	return 0;
}

static int lo_addrs(struct lo *l, struct xc_cni_err *err)
{
	char buf[XC_IP_STRLEN];
	int rc = xc_nl_addr_list(&l->nl, AF_UNSPEC, l->link.index, one_addr, l);

	if (rc != -EADDRNOTAVAIL)
		return rc ? xc_podlink_kfail(err, &l->nl, rc, "addresses of lo in %s",
					     l->cni.env.netns) : 0;
	xc_ip_format(&l->bad.ip, buf, sizeof(buf));
	return xc_cni_errf(err, XC_CNI_E_KERNEL, "lo in %s holds %s, not a loopback address",
			   l->cni.env.netns, buf);
}

static int cmd_add(void *ctx, struct xc_cni_err *err)
{
	struct lo *l = ctx;
	struct xc_cni_iface *i = &l->res.ifaces[0];
	int rc;

	if ((rc = open_lo(l, err)) || (rc = set_lo(l, 1, err)) || (rc = lo_addrs(l, err)))
		return rc;
	if (l->cni.conf.prev_result.type == XC_JSON_OBJECT) {
		l->res = l->prev;       /* an earlier plugin's result goes on as it is */
		return 0;
	}
	l->res.n_ifaces = 1;
	memcpy(i->name, "lo", 3);
	memcpy(i->mac, "00:00:00:00:00:00", 18);
	memcpy(i->sandbox, l->cni.env.netns, strlen(l->cni.env.netns) + 1);
	return 0;
}

/* Without a namespace, or with one that is gone, there is no lo to set down. */
static int cmd_del(void *ctx, struct xc_cni_err *err)
{
	struct lo *l = ctx;
	int rc;

	if (!l->cni.env.netns)
		return 0;
	rc = open_lo(l, err);
	if (rc == -ENOENT || rc == -ENOTSUP)
		return 0;
	return rc ? rc : set_lo(l, 0, err);
}

static int cmd_check(void *ctx, struct xc_cni_err *err)
{
	struct lo *l = ctx;
	int rc = open_lo(l, err);

	if (rc || (l->link.flags & IFF_UP))
		return rc;
	return xc_cni_errf(err, XC_CNI_E_CHECK, "lo in %s is down", l->cni.env.netns);
}

/* Ready at all times, and holding nothing that GC could free. */
static int cmd_none(void *ctx, struct xc_cni_err *err)
{
	(void)ctx;
	(void)err;
	return 0;
}

int loopback_main(int argc, char **argv)
{
	static char in[XC_CNI_STDIN_MAX + 1], out[XC_CNI_OUT_MAX];
	const struct xc_cni_plugin p = {
		.ctx = &L, .call = &L.cni, .prev = &L.prev, .res = &L.res,
		.in = in, .in_size = sizeof(in), .out = out, .out_size = sizeof(out),
		.add = cmd_add, .del = cmd_del, .check = cmd_check,
		.gc = cmd_none, .status = cmd_none,
	};

	(void)argc;
	(void)argv;
	return xc_cni_run(&p, environ);
}
