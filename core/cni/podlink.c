/*
 * podlink: a pod on a Linux bridge, over rtnetlink. See podlink.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/veth.h>

#include "cni/podlink.h"
#include "base/deadline.h"
#include "kernel/netns.h"
#include "kernel/nl_addr.h"
#include "kernel/nl_route.h"
#include "kernel/sysctl.h"

#define REQ_WORDS 256
/* RFC 2863 "up", OPER_UP of <linux/if.h>, which clashes with <net/if.h>. */
#define OPER_UP 6
#define ALIAS_TAG "xcni:"

int xc_podlink_kfail(struct xc_cni_err *err, const struct xc_nl *nl, int rc,
		     const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* -ERESTART: the ruleset kept changing under retries (tagset.h), not a fault */
	if (rc == -ERESTART)
		xc_cni_errf(err, XC_CNI_E_TRY_AGAIN, "%s: other writers kept changing "
			    "nf_tables meanwhile; try again", what);
	else
		xc_cni_errf(err, XC_CNI_E_KERNEL, "%s: %s", what, strerror(rc < 0 ? -rc : rc));
	if (nl && *xc_nl_errmsg(nl))
		xc_cni_err_details(err, "kernel: %s", xc_nl_errmsg(nl));
	return rc < 0 ? rc : -EIO;
}

int xc_podlink_netns_open(const char *path, struct xc_cni_err *err)
{
	const char *kind;
	int fd = xc_netns_open_kind(path, &kind);

	if (fd >= 0)
		return fd;
	if (fd == -EINVAL)
		xc_cni_errf(err, XC_CNI_E_NETNS, "CNI_NETNS must be an absolute path without "
			    ". or .. components naming a network namespace: %s", path);
	else if (fd == -EMEDIUMTYPE)
		xc_cni_errf(err, XC_CNI_E_NETNS, "CNI_NETNS %s is a %s namespace, not a "
			    "network namespace", path, kind ? kind : "different kind of");
	else
		xc_cni_errf(err, XC_CNI_E_NETNS, "CNI_NETNS %s: %s", path,
			    fd == -ENOENT ? "no such network namespace" :
			    fd == -ENOTSUP ? "not a network namespace (not on nsfs)" :
			    strerror(-fd));
	return fd;
}

static uint32_t fnv32(uint32_t h, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n--)
		h = (h ^ *s++) * 16777619u;
	return h;
}

void xc_podlink_host_name(const char *cid, const char *ifname, unsigned salt,
			  char name[IFNAMSIZ])
{
	uint32_t h = 2166136261u;
	uint8_t s = (uint8_t)salt;

	/* The NULs keep ("ab", "c") and ("a", "bc") apart. */
	h = fnv32(h, cid, strlen(cid) + 1);
	h = fnv32(h, ifname, strlen(ifname) + 1);
	if (salt)
		h = fnv32(h, &s, 1);
	snprintf(name, IFNAMSIZ, "veth%08x", (unsigned)h);
}

int xc_podlink_alias(const char *network, const char *cid, const char *ifname,
		     char *buf, size_t size)
{
	uint32_t h = fnv32(2166136261u, network, strlen(network));
	int n;

	if (size > XC_PODLINK_ALIAS_MAX)
		size = XC_PODLINK_ALIAS_MAX;
	n = snprintf(buf, size, ALIAS_TAG "%08x:%s:%s", (unsigned)h, ifname, cid);
	if (n < 0 || (size_t)n >= size) {
		if (size)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return n;
}

int xc_podlink_alias_parse(const char *alias, const char *network, char *cid, char *ifname)
{
	char want[sizeof(ALIAS_TAG) + 9];
	const char *p, *colon;
	size_t n;

	snprintf(want, sizeof(want), ALIAS_TAG "%08x:",
		 (unsigned)fnv32(2166136261u, network, strlen(network)));
	if (strncmp(alias, want, strlen(want)))
		return 0;
	p = alias + strlen(want);
	colon = strchr(p, ':');
	if (!colon || colon == p || (size_t)(colon - p) >= IFNAMSIZ)
		return 0;
	n = strlen(colon + 1);
	if (!n || n > XC_CNI_ID_MAX)
		return 0;
	memcpy(ifname, p, (size_t)(colon - p));
	ifname[colon - p] = '\0';
	memcpy(cid, colon + 1, n + 1);
	return 1;
}

int xc_podlink_alias_same_network(const char *a, const char *b)
{
	size_t n = strlen(ALIAS_TAG) + 9;       /* the tag, 8 hex digits, ':' */

	return !strncmp(a, ALIAS_TAG, strlen(ALIAS_TAG)) && strlen(a) > n &&
	       strlen(b) > n && a[n - 1] == ':' && !strncmp(a, b, n);
}

void xc_podlink_random_mac(uint8_t mac[6])
{
	static uint32_t seq;
	size_t got = 0;
	ssize_t n;

	while (got < 6) {
		n = getrandom(mac + got, 6 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < 6) {
		/* No entropy source: still unique enough within this process. */
		uint32_t h = fnv32(2166136261u, &seq, sizeof(seq));

		seq++;
		memcpy(mac + 2, &h, 4);
	}
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
}

/* ---- creation --------------------------------------------------------- */

int xc_podlink_veth_add(struct xc_nl *host, const struct xc_podlink_veth *v,
			struct xc_link *out)
{
	struct xc_veth pair = {
		.end = { .name = v->host_name, .mtu = v->mtu, .master = v->master, .up = 1,
			 .group = XC_PODLINK_GROUP_NEW },
		.peer = { .name = v->pod_name, .mtu = v->mtu, .mac = v->pod_mac,
			  .nsfd = v->pod_nsfd },
	};

	return xc_nl_veth_add(host, &pair, out);
}

int xc_podlink_port_set(struct xc_nl *host, int index, const char *alias, int hairpin)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct ifinfomsg *ifi;
	struct nlattr *li, *sd;

	ifi = xc_nl_msg_init(&m, req, sizeof(req), RTM_NEWLINK, 0, sizeof(*ifi));
	if (!ifi)
		return m.err;
	ifi->ifi_index = index;
	xc_nl_put_u32(&m, IFLA_GROUP, 0);
	if (alias)
		xc_nl_put_str(&m, IFLA_IFALIAS, alias);
	if (hairpin) {
		/* Handed to the bridge as port ("slave") data. */
		li = xc_nl_nest_begin(&m, IFLA_LINKINFO);
		sd = xc_nl_nest_begin(&m, IFLA_INFO_SLAVE_DATA);
		xc_nl_put_u8(&m, IFLA_BRPORT_MODE, 1);
		xc_nl_nest_end(&m, sd);
		xc_nl_nest_end(&m, li);
	}
	return xc_nl_request(host, &m, NULL, NULL);
}

/* Best effort: a node without IPv6 has no net/ipv6. */
static int if_sysctl(const char *family, const char *ifname, const char *leaf,
		     const char *value)
{
	char key[96];

	snprintf(key, sizeof(key), "net/%s/conf/%s/%s", family, ifname, leaf);
	return xc_sysctl_write(key, value);
}

int xc_podlink_bridge_add(struct xc_nl *host, const char *name, unsigned mtu,
			  const uint8_t mac[6], int vlan_filtering)
{
	struct xc_link_new br = { .name = name, .mtu = mtu, .mac = mac,
				  .vlan_filtering = vlan_filtering };
	int rc = xc_nl_bridge_add(host, &br);

	if (rc)
		return rc;
	/*
	 * Set while it is down, before its link-local address exists. No DAD:
	 * while that address is tentative the kernel has no source for the
	 * neighbour solicitations of packets it forwards to pods, so those (a
	 * hostPort's, other nodes') wait up to 2 s after each carrier change.
	 * The MAC is our random one: a duplicate is not a risk worth that.
	 */
	xc_podlink_no_ra(name);
	if_sysctl("ipv6", name, "accept_dad", "0");
	return 0;
}

void xc_podlink_no_ra(const char *ifname)
{
	if_sysctl("ipv6", ifname, "accept_ra", "0");
}

/* ---- VLANs -------------------------------------------------------------- */

int xc_podlink_vlan_set(struct xc_nl *host, int index, uint16_t vid, int access, int add)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct ifinfomsg *ifi;
	struct nlattr *spec;
	struct bridge_vlan_info vi = { 0, vid };

	if (!vid || vid >= 4095)
		return -EINVAL;
	if (access)
		vi.flags = BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED;
	ifi = xc_nl_msg_init(&m, req, sizeof(req), add ? RTM_SETLINK : RTM_DELLINK, 0,
			     sizeof(*ifi));
	if (!ifi)
		return m.err;
	/* AF_BRIDGE sends it to the bridge's VLAN table for this port. */
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_index = index;
	spec = xc_nl_nest_begin(&m, IFLA_AF_SPEC);
	xc_nl_put_u16(&m, IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_MASTER);
	xc_nl_put(&m, IFLA_BRIDGE_VLAN_INFO, &vi, sizeof(vi));
	xc_nl_nest_end(&m, spec);
	return xc_nl_request(host, &m, NULL, NULL);
}

struct vlan_list {
	int index;
	uint16_t *vids;
	int max, n;
};

/* IFLA_AF_SPEC repeats IFLA_BRIDGE_VLAN_INFO: walk it by hand. */
static void vlans_of(const struct nlattr *spec, struct vlan_list *l)
{
	const uint8_t *p = xc_nl_attr_data(spec);
	size_t left = xc_nl_attr_len(spec);
	const struct nlattr *a;
	const struct bridge_vlan_info *vi;
	size_t step;

	while (left >= NLA_HDRLEN) {
		a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > left)
			return;
		if ((a->nla_type & NLA_TYPE_MASK) == IFLA_BRIDGE_VLAN_INFO &&
		    xc_nl_attr_len(a) >= sizeof(*vi) && l->n < l->max) {
			vi = xc_nl_attr_data(a);
			l->vids[l->n++] = vi->vid;
		}
		step = NLA_ALIGN((size_t)a->nla_len);
		if (step >= left)
			return;
		left -= step;
		p += step;
	}
}

static int on_vlan_port(const struct nlmsghdr *nlh, void *arg)
{
	struct vlan_list *l = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
	const struct nlattr *tb[IFLA_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWLINK || ifi->ifi_index != l->index)
		return 0;
	if (xc_nl_msg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX) < 0)
		return -EBADMSG;
	if (tb[IFLA_AF_SPEC])
		vlans_of(tb[IFLA_AF_SPEC], l);
	return 0;
}

int xc_podlink_vlan_list(struct xc_nl *host, int index, uint16_t *vids, int max)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct ifinfomsg *ifi;
	struct vlan_list l = { index, vids, max, 0 };
	int err;

	ifi = xc_nl_msg_init(&m, req, sizeof(req), RTM_GETLINK, 0, sizeof(*ifi));
	if (!ifi)
		return m.err;
	ifi->ifi_family = AF_BRIDGE;
	xc_nl_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN);
	err = xc_nl_dump(host, &m, on_vlan_port, &l);
	return err ? err : l.n;
}

/* ---- bridge ports ------------------------------------------------------- */

typedef int (*port_cb)(const struct xc_link *l, const char *alias, void *arg);

struct ports {
	int master;
	port_cb cb;
	void *arg;
};

static int on_port(const struct nlmsghdr *nlh, void *arg)
{
	struct ports *p = arg;
	const struct nlattr *tb[IFLA_MAX + 1];
	struct xc_link l;
	char alias[XC_PODLINK_ALIAS_MAX];

	if (nlh->nlmsg_type != RTM_NEWLINK || xc_nl_link_parse(nlh, &l) < 0)
		return 0;
	/* Kernels without strict dumps ignore the IFLA_MASTER filter. */
	if (l.master != p->master)
		return 0;
	if (xc_nl_msg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX) < 0)
		return -EBADMSG;
	xc_nl_get_str(tb[IFLA_IFALIAS], alias, sizeof(alias));
	return p->cb(&l, alias, p->arg);
}

/* Call cb for every interface enslaved to master, with its alias ("" if none). */
static int ports_of(struct xc_nl *host, int master, port_cb cb, void *arg)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct ports p = { master, cb, arg };

	if (!xc_nl_msg_init(&m, req, sizeof(req), RTM_GETLINK, 0, sizeof(struct ifinfomsg)))
		return m.err;
	xc_nl_put_u32(&m, IFLA_MASTER, (uint32_t)master);
	xc_nl_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return xc_nl_dump(host, &m, on_port, &p);
}

/* ---- the pod's addresses and routes ------------------------------------ */

static void describe(char *what, size_t size, const char *kind, const struct xc_prefix *p,
		     const struct xc_ip *gw)
{
	char a[XC_IP_STRLEN], g[XC_IP_STRLEN];

	if (!what || !size)
		return;
	xc_prefix_format(p, a, sizeof(a));
	if (gw && gw->family) {
		xc_ip_format(gw, g, sizeof(g));
		snprintf(what, size, "%s %s via %s", kind, a, g);
	} else {
		snprintf(what, size, "%s %s", kind, a);
	}
}

static int add_route(struct xc_nl *pod, int ifindex, const struct xc_cni_route *rt,
		     const struct xc_ip *gw)
{
	struct xc_route r;
	int err;

	memset(&r, 0, sizeof(r));
	/* A route's destination is a network: "10.1.2.3/16" means 10.1.0.0/16. */
	xc_prefix_network(&rt->dst, &r.dst);
	r.oif = ifindex;
	if (gw)
		r.gw = *gw;
	if (rt->has & XC_CNI_RT_PRIORITY)
		r.metric = (uint32_t)rt->priority;
	if (rt->has & XC_CNI_RT_MTU)
		r.mtu = (uint32_t)rt->mtu;
	if (rt->has & XC_CNI_RT_TABLE)
		r.table = (uint32_t)rt->table;
	if (rt->has & XC_CNI_RT_SCOPE)
		r.scope = (uint8_t)rt->scope;
	err = xc_nl_route_add(pod, &r);
	/* Already there (the subnet's own prefix route, say): what was asked holds. */
	return err == -EEXIST ? 0 : err;
}

int xc_podlink_configure(struct xc_nl *pod, int ifindex, const struct xc_cni_result *r,
			 int iface, int dad, char *what, size_t what_size)
{
	const struct xc_ip *gw4 = NULL, *gw6 = NULL, *gw;
	struct xc_addr a;
	int i, err, v6 = 0;

	for (i = 0; i < r->n_ips; i++) {
		const struct xc_cni_ipconf *ip = &r->ips[i];

		if (ip->iface != iface && ip->iface != -1)
			continue;
		memset(&a, 0, sizeof(a));
		a.ifindex = ifindex;
		a.prefix = ip->address;
		/*
		 * Without DAD an address is still tentative until the kernel's
		 * DAD work runs, seconds later on a busy node: NODAD makes it
		 * usable at once, and there is nothing to wait for.
		 */
		if (ip->address.ip.family == AF_INET6 && !dad)
			a.flags = IFA_F_NODAD;
		err = xc_nl_addr_add(pod, &a);
		if (err && err != -EEXIST) {
			describe(what, what_size, "address", &ip->address, NULL);
			return err;
		}
		if (ip->address.ip.family == AF_INET6 && dad)
			v6++;
		if (!ip->has_gateway)
			continue;
		if (ip->gateway.family == AF_INET && !gw4)
			gw4 = &ip->gateway;
		else if (ip->gateway.family == AF_INET6 && !gw6)
			gw6 = &ip->gateway;
	}
	for (i = 0; i < r->n_routes; i++) {
		const struct xc_cni_route *rt = &r->routes[i];

		if (rt->has & XC_CNI_RT_GW)
			gw = &rt->gw;
		else
			gw = rt->dst.ip.family == AF_INET ? gw4 : gw6;
		err = add_route(pod, ifindex, rt, gw);
		if (err) {
			describe(what, what_size, "route", &rt->dst, gw);
			return err;
		}
	}
	return v6;
}

struct find_addr {
	const struct xc_prefix *p;
	int found;
};

static int on_find_addr(const struct xc_addr *a, void *arg)
{
	struct find_addr *f = arg;

	if (a->prefix.len == f->p->len && xc_ip_equal(&a->prefix.ip, &f->p->ip))
		f->found = 1;
	return 0;
}

int xc_podlink_has_addr(struct xc_nl *pod, int ifindex, const struct xc_prefix *p)
{
	struct find_addr f = { p, 0 };
	int err;

	err = xc_nl_addr_list(pod, p->ip.family, ifindex, on_find_addr, &f);
	return err ? err : f.found;
}

struct find_route {
	struct xc_prefix dst;
	const struct xc_cni_route *rt;
	int found;
};

static int on_find_route(const struct xc_route *r, void *arg)
{
	struct find_route *f = arg;

	if (r->dst.len != f->dst.len || !xc_ip_equal(&r->dst.ip, &f->dst.ip))
		return 0;
	if ((f->rt->has & XC_CNI_RT_GW) && !xc_ip_equal(&r->gw, &f->rt->gw))
		return 0;
	f->found = 1;
	return 0;
}

int xc_podlink_has_route(struct xc_nl *pod, const struct xc_cni_route *rt)
{
	struct find_route f = { .rt = rt };
	uint32_t table = (rt->has & XC_CNI_RT_TABLE) ? (uint32_t)rt->table : RT_TABLE_MAIN;
	int err;

	xc_prefix_network(&rt->dst, &f.dst);
	err = xc_nl_route_list(pod, rt->dst.ip.family, table, 0, on_find_route, &f);
	return err ? err : f.found;
}

/* ---- pod settings, bridge gateways, GC --------------------------------- */

void xc_podlink_pod_sysctls(const char *ifname, int enable_dad)
{
	if (enable_dad) {
		if_sysctl("ipv6", ifname, "enhanced_dad", "1");
		if_sysctl("ipv6", ifname, "accept_dad", "1");
	} else {
		/* No DAD: the addresses are usable as soon as the link is. */
		if_sysctl("ipv6", ifname, "accept_dad", "0");
	}
	if_sysctl("ipv4", ifname, "arp_notify", "1");
}

static const char *v6_dev(const char *ifname, int i)
{
	return i ? ifname : "lo";
}

int xc_podlink_ipv6_off(const char *ifname)
{
	char key[96], v[8];
	int off = 0;

	for (int i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "net/ipv6/conf/%s/disable_ipv6", v6_dev(ifname, i));
		if (xc_sysctl_read(key, v, sizeof(v)) >= 0 && strcmp(v, "0"))
			off |= 1 << i;
	}
	return off;
}

int xc_podlink_ipv6_on(const char *ifname, int off, char *key_out, size_t key_size)
{
	int rc;

	for (int i = 0; i < 2; i++) {
		if (!(off & (1 << i)))
			continue;
		snprintf(key_out, key_size, "net/ipv6/conf/%s/disable_ipv6", v6_dev(ifname, i));
		if ((rc = xc_sysctl_write(key_out, "0")))
			return rc;
	}
	return 0;
}

struct addr_tab {
	int n;
	struct xc_prefix a[32];
};

static int on_tab_addr(const struct xc_addr *a, void *arg)
{
	struct addr_tab *t = arg;

	if (t->n < 32)
		t->a[t->n++] = a->prefix;
	return 0;
}

int xc_podlink_gateway(struct xc_nl *host, int index, const struct xc_prefix *gw, int force,
		       struct xc_prefix *conflict)
{
	struct addr_tab t = { 0 };
	struct xc_addr a = { .ifindex = index, .prefix = *gw };
	int rc, fam = gw->ip.family;

	/* Ours by configuration: a tentative gateway would only stall the first pod. */
	if (fam == AF_INET6)
		a.flags = IFA_F_NODAD;

	if ((rc = xc_nl_addr_list(host, fam, index, on_tab_addr, &t)))
		return rc;
	for (int i = 0; i < t.n; i++) {
		struct xc_addr old = { .ifindex = index, .prefix = t.a[i] };

		if (t.a[i].len == gw->len && xc_ip_equal(&t.a[i].ip, &gw->ip))
			return 0;
		/* Several IPv6 subnets may share the bridge; IPv4 gets one. */
		if (fam == AF_INET6 && !xc_prefix_contains(&t.a[i], &gw->ip) &&
		    !xc_prefix_contains(gw, &t.a[i].ip))
			continue;
		if (!force) {
			*conflict = t.a[i];
			return -EEXIST;
		}
		if ((rc = xc_nl_addr_del(host, &old)) && rc != -EADDRNOTAVAIL)
			return rc;
	}
	rc = xc_nl_addr_add(host, &a);
	/* A concurrent ADD of the same network may have just added it. */
	return rc == -EEXIST ? 0 : rc ? rc : 1;
}

#define GC_BATCH 256

struct gc {
	const char *network;
	const struct xc_cni_attachment *valid;
	size_t n;
	int stale[GC_BATCH];
	int n_stale;
};

/* Whether name is what a valid attachment's host end is (or would be) called. */
static int valid_host_name(const struct gc *g, const char *name)
{
	char cid[XC_CNI_ID_MAX + 1], ifname[IFNAMSIZ], want[IFNAMSIZ];
	struct xc_json v;

	for (size_t i = 0; i < g->n; i++) {
		if (xc_json_get(&g->valid[i].obj, "containerID", &v) ||
		    xc_json_str(&v, cid, sizeof(cid)) < 0)
			continue;
		if (xc_json_get(&g->valid[i].obj, "ifname", &v) ||
		    xc_json_str(&v, ifname, sizeof(ifname)) < 0)
			continue;
		for (unsigned salt = 0; salt < XC_PODLINK_SALTS; salt++) {
			xc_podlink_host_name(cid, ifname, salt, want);
			if (!strcmp(want, name))
				return 1;
		}
	}
	return 0;
}

static int on_gc_port(const struct xc_link *l, const char *alias, void *arg)
{
	struct gc *g = arg;
	char cid[XC_CNI_ID_MAX + 1], ifname[IFNAMSIZ];
	int stale;

	if (strcmp(l->kind, "veth") || g->n_stale == GC_BATCH)
		return 0;
	if (xc_podlink_alias_parse(alias, g->network, cid, ifname))
		stale = !xc_cni_attachment_find(g->valid, g->n, cid, ifname);
	else
		stale = !alias[0] && l->group == XC_PODLINK_GROUP_NEW &&
			!valid_host_name(g, l->name);
	if (stale)
		g->stale[g->n_stale++] = l->index;
	return 0;
}

int xc_podlink_gc(struct xc_nl *host, int master, const char *network,
		  const struct xc_cni_attachment *valid, size_t n)
{
	static struct gc g;
	int rc, deleted = 0;

	g.network = network;
	g.valid = valid;
	g.n = n;
	/* Collect, then delete: no changes while the dump runs. */
	do {
		g.n_stale = 0;
		if ((rc = ports_of(host, master, on_gc_port, &g)))
			return rc;
		for (int i = 0; i < g.n_stale; i++) {
			rc = xc_nl_link_del(host, g.stale[i]);
			if (rc && rc != -ENODEV)
				return rc;
			deleted++;
		}
	} while (g.n_stale == GC_BATCH);
	return deleted;
}

/* ---- waiting for a port to come up ------------------------------------- */

static int ignore(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
	return 0;
}

static int up_loop(struct xc_nl *nl, int index, long long deadline)
{
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	struct xc_link l;
	long long left;
	int rc;

	for (;;) {
		if ((rc = xc_nl_link_get_index(nl, index, &l)))
			return rc;
		if (l.operstate == OPER_UP)
			return 0;
		left = deadline - xc_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno != EINTR)
			return -errno;
		/* Any link event: look again (the request above drops stale ones). */
		while (xc_nl_recv(nl, ignore, NULL) > 0)
			;
	}
}

int xc_podlink_wait_up(struct xc_nl *nl, int index, int timeout_ms)
{
	struct xc_link l;
	int rc;

	/* The usual case costs one look-up and no subscription. */
	if ((rc = xc_nl_link_get_index(nl, index, &l)) || l.operstate == OPER_UP)
		return rc;
	if ((rc = xc_nl_join(nl, RTNLGRP_LINK)))
		return rc;
	rc = up_loop(nl, index, xc_now_ms() + (timeout_ms > 0 ? timeout_ms : 0));
	xc_nl_leave(nl, RTNLGRP_LINK);
	while (xc_nl_recv(nl, ignore, NULL) > 0)
		;
	return rc;
}

/* ---- gateways of a result ------------------------------------------------ */

static int has_default(const struct xc_cni_result *r, int family)
{
	for (int i = 0; i < r->n_routes; i++)
		if (r->routes[i].dst.ip.family == family && !r->routes[i].dst.len &&
		    (r->routes[i].has & XC_CNI_RT_GW))
			return 1;
	return 0;
}

static void add_default(struct xc_cni_result *r, const struct xc_ip *gw)
{
	struct xc_cni_route *rt;

	if (has_default(r, gw->family) || r->n_routes >= XC_CNI_MAX_ROUTES)
		return;
	rt = &r->routes[r->n_routes++];
	memset(rt, 0, sizeof(*rt));
	rt->dst.ip.family = gw->family;
	rt->gw = *gw;
	rt->has = XC_CNI_RT_GW;
}

void xc_podlink_gateways(struct xc_cni_result *r, int iface, int is_gw, int is_default_gw,
			 struct xc_podlink_gws *g4, struct xc_podlink_gws *g6)
{
	struct xc_prefix net;

	for (int i = 0; i < r->n_ips; i++) {
		struct xc_cni_ipconf *ip = &r->ips[i];
		struct xc_podlink_gws *g = ip->address.ip.family == AF_INET ? g4 : g6;

		ip->iface = iface;
		if (!ip->has_gateway && is_gw) {
			xc_prefix_network(&ip->address, &net);
			ip->gateway = net.ip;
			ip->has_gateway = !xc_ip_next(&ip->gateway);
		}
		if (!ip->has_gateway)
			continue;
		if (is_default_gw)
			add_default(r, &ip->gateway);
		if (is_gw && g->n < XC_PODLINK_MAX_GW) {
			g->gw[g->n].ip = ip->gateway;
			g->gw[g->n++].len = ip->address.len;
		}
	}
}
