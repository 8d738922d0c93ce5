/*
 * podcheck: CHECK for a pod on a bridge. See podcheck.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>

#include "cni/podcheck.h"
#include "kernel/nl_addr.h"
#include "kernel/nl_link.h"
#include "kernel/nl_route.h"
#include "cni/podlink.h"

/* The interfaces CHECK is about, found in the kernel. */
struct found {
	struct xc_link br, pod, veth;
	int pod_i;                      /* index of the pod's interface in prev */
};

static int differ(struct xc_cni_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int differ(struct xc_cni_err *err, const char *fmt, ...)
{
	char msg[XC_CNI_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xc_cni_errf(err, XC_CNI_E_CHECK, "%s", msg);
	return -ENOENT;
}

static int kernel(struct xc_cni_err *err, struct xc_nl *nl, int rc, const char *what)
{
	xc_cni_errf(err, XC_CNI_E_KERNEL, "%s: %s", what, strerror(-rc));
	if (*xc_nl_errmsg(nl))
		xc_cni_err_details(err, "kernel: %s", xc_nl_errmsg(nl));
	return rc;
}

/* Look an interface up; 0, or code 106 when it is gone. */
static int lookup(struct xc_nl *nl, const char *name, const char *where, struct xc_link *l,
		  struct xc_cni_err *err)
{
	int rc = xc_nl_link_get(nl, name, l);

	if (rc == -ENODEV)
		return differ(err, "interface %s not found in %s", name, where);
	return rc ? kernel(err, nl, rc, name) : 0;
}

static int same_mac(const struct xc_cni_iface *f, const struct xc_link *l)
{
	char mac[XC_MAC_STRLEN];

	if (!f->mac[0])
		return 1;
	if (l->addr_len != 6 || xc_mac_format(l->addr, mac, sizeof(mac)))
		return 0;
	return !strcasecmp(mac, f->mac);
}

static int check_bridge(struct xc_nl *host, const struct xc_podcheck *c, struct found *f,
			struct xc_cni_err *err)
{
	const struct xc_cni_result *r = c->prev;
	int i, on;

	for (i = 0; i < r->n_ifaces; i++)
		if (!strcmp(r->ifaces[i].name, c->bridge) && !r->ifaces[i].sandbox[0])
			break;
	if (i == r->n_ifaces)
		return differ(err, "prevResult has no interface for bridge %s", c->bridge);
	if (lookup(host, c->bridge, "the host namespace", &f->br, err))
		return -ENOENT;
	if (strcmp(f->br.kind, "bridge"))
		return differ(err, "%s is a %s, not a bridge", c->bridge,
			      *f->br.kind ? f->br.kind : "device of no kind");
	if (!same_mac(&r->ifaces[i], &f->br))
		return differ(err, "bridge %s: MAC is not %s", c->bridge, r->ifaces[i].mac);
	on = !!(f->br.flags & IFF_PROMISC);
	if (on != !!c->promisc)
		return differ(err, "bridge %s: promiscuous mode is %s, promiscMode says %s",
			      c->bridge, on ? "on" : "off", c->promisc ? "true" : "false");
	return 0;
}

static int check_pod(struct xc_nl *pod, const struct xc_podcheck *c, struct found *f,
		     struct xc_cni_err *err)
{
	const struct xc_cni_result *r = c->prev;
	const struct xc_cni_iface *want;
	int i;

	for (i = 0; i < r->n_ifaces; i++)
		if (!strcmp(r->ifaces[i].name, c->ifname) &&
		    !strcmp(r->ifaces[i].sandbox, c->netns))
			break;
	if (i == r->n_ifaces)
		return differ(err, "prevResult has no interface %s with sandbox %s", c->ifname,
			      c->netns);
	want = &r->ifaces[i];
	f->pod_i = i;
	if (lookup(pod, c->ifname, c->netns, &f->pod, err))
		return -ENOENT;
	if (strcmp(f->pod.kind, "veth"))
		return differ(err, "%s in %s is not a veth", c->ifname, c->netns);
	if (!same_mac(want, &f->pod))
		return differ(err, "%s in %s: MAC is not %s", c->ifname, c->netns, want->mac);
	if (!(f->pod.flags & IFF_UP))
		return differ(err, "%s in %s is down", c->ifname, c->netns);
	if (c->mtu && f->pod.mtu != c->mtu)
		return differ(err, "%s in %s: MTU %u, the configuration says %u", c->ifname,
			      c->netns, f->pod.mtu, c->mtu);
	return 0;
}

/* The host end: a host interface of prev that is the pod's peer on our bridge. */
static int check_veth(struct xc_nl *host, const struct xc_podcheck *c, struct found *f,
		      struct xc_cni_err *err)
{
	const struct xc_cni_result *r = c->prev;
	const struct xc_cni_iface *want;

	for (int i = 0; i < r->n_ifaces; i++) {
		want = &r->ifaces[i];
		if (want->sandbox[0] || !strcmp(want->name, c->bridge))
			continue;
		if (lookup(host, want->name, "the host namespace", &f->veth, err))
			return -ENOENT;
		if (strcmp(f->veth.kind, "veth") || f->veth.link != f->pod.index ||
		    f->veth.link_netnsid < 0 || f->pod.link != f->veth.index)
			continue;
		if (f->veth.master != f->br.index)
			return differ(err, "%s is not a port of bridge %s", want->name,
				      c->bridge);
		if (!same_mac(want, &f->veth))
			return differ(err, "%s: MAC is not %s", want->name, want->mac);
		if (f->veth.hairpin >= 0 && !!f->veth.hairpin != !!c->hairpin)
			return differ(err, "%s: hairpin mode is %s, hairpinMode says %s",
				      want->name, f->veth.hairpin ? "on" : "off",
				      c->hairpin ? "true" : "false");
		return 0;
	}
	return differ(err, "no host interface of prevResult is the veth peer of %s on "
		      "bridge %s", c->ifname, c->bridge);
}

/* What the pod's namespace holds, read once: one dump per kind, not per item. */
#define TAB_MAX 256

struct tab {
	int n, full;
	struct xc_prefix addr[TAB_MAX];
	struct xc_route rt[TAB_MAX];
};

static int on_addr(const struct xc_addr *a, void *arg)
{
	struct tab *t = arg;

	if (t->n < TAB_MAX)
		t->addr[t->n++] = a->prefix;
	else
		t->full = 1;
	return 0;
}

static int on_route(const struct xc_route *r, void *arg)
{
	struct tab *t = arg;

	if (t->n < TAB_MAX)
		t->rt[t->n++] = *r;
	else
		t->full = 1;
	return 0;
}

static int check_ips(struct xc_nl *pod, const struct xc_podcheck *c, const struct found *f,
		     struct tab *t, struct xc_cni_err *err)
{
	const struct xc_cni_result *r = c->prev;
	char a[XC_IP_STRLEN];
	int rc, i, j;

	t->n = t->full = 0;
	if ((rc = xc_nl_addr_list(pod, AF_UNSPEC, f->pod.index, on_addr, t)))
		return kernel(err, pod, rc, "addresses");
	for (i = 0; i < r->n_ips; i++) {
		const struct xc_prefix *want = &r->ips[i].address;

		if (r->ips[i].iface >= 0 && r->ips[i].iface != f->pod_i)
			continue;
		for (j = 0; j < t->n; j++)
			if (t->addr[j].len == want->len && xc_ip_equal(&t->addr[j].ip, &want->ip))
				break;
		if (j < t->n || (t->full && xc_podlink_has_addr(pod, f->pod.index, want) > 0))
			continue;
		xc_prefix_format(want, a, sizeof(a));
		return differ(err, "address %s is not on %s in %s", a, c->ifname, c->netns);
	}
	return 0;
}

static int route_in(const struct tab *t, const struct xc_cni_route *rt)
{
	struct xc_prefix dst;
	uint32_t table = (rt->has & XC_CNI_RT_TABLE) ? (uint32_t)rt->table : RT_TABLE_MAIN;

	xc_prefix_network(&rt->dst, &dst);
	for (int i = 0; i < t->n; i++) {
		const struct xc_route *k = &t->rt[i];

		if (k->table == table && k->dst.len == dst.len &&
		    xc_ip_equal(&k->dst.ip, &dst.ip) &&
		    (!(rt->has & XC_CNI_RT_GW) || xc_ip_equal(&k->gw, &rt->gw)))
			return 1;
	}
	return 0;
}

static int check_routes(struct xc_nl *pod, const struct xc_podcheck *c, struct tab *t,
			struct xc_cni_err *err)
{
	const struct xc_cni_result *r = c->prev;
	char d[XC_IP_STRLEN], g[XC_IP_STRLEN];
	int rc, fam[2] = { AF_INET, AF_INET6 };

	t->n = t->full = 0;
	for (int f = 0; f < 2; f++) {
		for (rc = 0; rc < r->n_routes && r->routes[rc].dst.ip.family != fam[f]; rc++)
			;
		if (rc == r->n_routes)
			continue;
		if ((rc = xc_nl_route_list(pod, fam[f], 0, 0, on_route, t)))
			return kernel(err, pod, rc, "routes");
	}
	for (int i = 0; i < r->n_routes; i++) {
		const struct xc_cni_route *rt = &r->routes[i];

		if (route_in(t, rt) || (t->full && xc_podlink_has_route(pod, rt) > 0))
			continue;
		xc_prefix_format(&rt->dst, d, sizeof(d));
		if (rt->has & XC_CNI_RT_GW) {
			xc_ip_format(&rt->gw, g, sizeof(g));
			return differ(err, "route to %s via %s missing in %s", d, g, c->netns);
		}
		return differ(err, "route to %s missing in %s", d, c->netns);
	}
	return 0;
}

int xc_podcheck_run(struct xc_nl *host, struct xc_nl *pod, const struct xc_podcheck *c,
		    struct xc_cni_err *err)
{
	static struct tab t;
	struct found f;

	memset(&f, 0, sizeof(f));
	if (check_bridge(host, c, &f, err) || check_pod(pod, c, &f, err) ||
	    check_veth(host, c, &f, err) || check_ips(pod, c, &f, &t, err) ||
	    check_routes(pod, c, &t, err))
		return err->code == XC_CNI_E_KERNEL ? -EIO : -ENOENT;
	return 0;
}
