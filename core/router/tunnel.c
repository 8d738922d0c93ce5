/*
 * tunnel: the host's interfaces for the router, and its tunnel devices.
 * See tunnel.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "base/array.h"
#include "base/sorted.h"
#include "base/textbuf.h"
#include "kernel/nl_addr.h"
#include "kernel/nl_link.h"
#include "kernel/nl_neigh.h"
#include "router/tunnel.h"

#define MAX_ADDRS 256
#define REQ_WORDS 64

/*
 * The modes, indexed by enum xc_rt_mode: what TUNNEL_MODE and --tunnel-mode
 * accept (router and install alike), and the bytes each encapsulation
 * adds over an IPv4 / IPv6 underlay. sit and ipip only exist with an IPv4
 * outer header, so their IPv6 figure is the same 20; vxlan is outer IP +
 * UDP 8 + VXLAN 8 + inner Ethernet 14. auto carries what its tunnel does
 * (xc_tunnel_pick says which).
 */
static const struct {
	const char *name;
	int over4, over6;
} modes[] = {
	[XC_RT_NONE] = { "none", 0, 0 },
	[XC_RT_SIT] = { "sit", 20, 20 },
	[XC_RT_IPIP] = { "ipip", 20, 20 },
	[XC_RT_VXLAN] = { "vxlan", 50, 70 },
	[XC_RT_AUTO] = { "auto", 0, 0 },
};
#define NMODES (sizeof(modes) / sizeof(modes[0]))

void xc_tunnel_init(struct xc_tunnel *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->o.vxlan_name, sizeof(t->o.vxlan_name), "%s", XC_TUNNEL_VXLAN_NAME);
	t->o.vni = XC_TUNNEL_VXLAN_VNI;
	t->o.port = XC_TUNNEL_VXLAN_PORT;
	xc_tunnel_tag(XC_RT_PROTOCOL, t->o.tag);
}

void xc_tunnel_tag(unsigned protocol, char tag[8])
{
	/* %.0u writes nothing for 0: "xc" for the default protocol */
	snprintf(tag, 8, "xc%.0u", protocol == XC_RT_PROTOCOL ? 0 : protocol % 1000);
}

void xc_tunnel_free(struct xc_tunnel *t)
{
	free(t->ll);
	t->ll = NULL;
	t->nll = t->llcap = 0;
}

int xc_tunnel_mode_parse(const char *s)
{
	for (size_t i = 0; i < NMODES; i++)
		if (s && !strcmp(s, modes[i].name))
			return (int)i;
	return -EINVAL;
}

const char *xc_tunnel_mode_name(int mode)
{
	if (mode < 0 || (size_t)mode >= NMODES)
		return "?";
	return modes[mode].name;
}

const char *xc_tunnel_mode_list(void)
{
	static char list[64];

	if (!list[0])
		for (size_t i = 0; i < NMODES; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", modes[i].name);
	return list;
}

int xc_tunnel_overhead(int mode, int family)
{
	if (mode < 0 || (size_t)mode >= NMODES)
		return 0;
	return family == AF_INET6 ? modes[mode].over6 : modes[mode].over4;
}

/* ---- sit availability ------------------------------------------------- */

#define SIT_PROBE "xcsitprobe"

/*
 * Whether sit tunnels can be used here: 1 when sit0 exists or appears
 * after creating (and deleting) a probe sit device, which makes the
 * kernel load the module; 0 when the kernel has no sit.
 */
static int sit_available(struct xc_nl *nl)
{
	uint32_t req[REQ_WORDS];
	struct xc_link l;
	struct xc_nl_msg m;
	struct nlattr *li;
	int rc;

	if (xc_nl_link_get(nl, XC_TUNNEL_SIT_DEV, &l) == 0)
		return 1;
	/* Creating a sit device makes the kernel load the module, and sit0 with it. */
	if (!xc_nl_msg_init(&m, req, sizeof(req), RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
			    sizeof(struct ifinfomsg)))
		return m.err;
	xc_nl_put_str(&m, IFLA_IFNAME, SIT_PROBE);
	li = xc_nl_nest_begin(&m, IFLA_LINKINFO);
	xc_nl_put_str(&m, IFLA_INFO_KIND, "sit");
	xc_nl_nest_end(&m, li);
	rc = xc_nl_request(nl, &m, NULL, NULL);
	if (rc == 0 || rc == -EEXIST) {
		if (xc_nl_link_get(nl, SIT_PROBE, &l) == 0)
			xc_nl_link_del(nl, l.index);
	}
	return xc_nl_link_get(nl, XC_TUNNEL_SIT_DEV, &l) == 0;
}

static int have_sit(struct xc_tunnel *t, struct xc_nl *nl, int probe)
{
	struct xc_link l;

	if (!t->sit)
		t->sit = (probe ? sit_available(nl) : xc_nl_link_get(nl, XC_TUNNEL_SIT_DEV, &l) == 0) ?
			 1 : -1;
	return t->sit > 0;
}

int xc_tunnel_pick(struct xc_tunnel *t, struct xc_nl *nl, int requested,
		   struct xc_rt_env *env, int probe)
{
	int m = requested;

	if (m < 0)
		m = !env->self4.family && env->self6.family ? XC_RT_NONE :
		    have_sit(t, nl, probe) ? XC_RT_SIT : XC_RT_NONE;
	if (m == XC_RT_AUTO)
		env->tunnel = have_sit(t, nl, probe) ? XC_RT_SIT : XC_RT_VXLAN;
	return m;
}

/* ---- reading the host ------------------------------------------------- */

struct addr_list {
	int n;
	struct {
		int ifindex;
		uint32_t flags;
		struct xc_prefix p;
	} a[MAX_ADDRS];
};

static int on_addr(const struct xc_addr *a, void *arg)
{
	struct addr_list *l = arg;

	if (a->scope != RT_SCOPE_UNIVERSE || l->n >= MAX_ADDRS)
		return 0;
	l->a[l->n].ifindex = a->ifindex;
	l->a[l->n].flags = a->flags;
	l->a[l->n].p = a->prefix;
	l->n++;
	return 0;
}

/*
 * Can an IPv6 address be a route's source? Not while DAD runs on it
 * (the kernel: "Invalid source address"), nor after DAD failed; an
 * optimistic one can.
 */
static int src_usable(uint32_t flags)
{
	if (flags & IFA_F_DADFAILED)
		return 0;
	return !(flags & IFA_F_TENTATIVE) || (flags & IFA_F_OPTIMISTIC);
}

static int is_tunnel_slot(const struct xc_rt_env *env, int ifindex)
{
	for (int s = XC_RT_DEV_SIT; s <= XC_RT_DEV_VXLAN; s++)
		if (env->dev[s].ifindex == ifindex)
			return 1;
	return 0;
}

/* The slot of an interface, added on first use; 0 for ones we skip. */
static uint8_t slot_for(struct xc_nl *nl, struct xc_rt_env *env, int ifindex)
{
	struct xc_link l;

	for (int i = XC_RT_DEV_LINK0; i < env->ndev; i++)
		if (env->dev[i].ifindex == ifindex)
			return (uint8_t)i;
	if (is_tunnel_slot(env, ifindex) || env->ndev >= XC_RT_DEVS ||
	    xc_nl_link_get_index(nl, ifindex, &l) < 0 || (l.flags & IFF_LOOPBACK))
		return 0;
	snprintf(env->dev[env->ndev].name, IFNAMSIZ, "%s", l.name);
	env->dev[env->ndev].ifindex = ifindex;
	env->dev[env->ndev].mtu = l.mtu;
	return (uint8_t)env->ndev++;
}

static void add_conn(struct xc_rt_env *env, const struct xc_prefix *p, uint8_t slot)
{
	struct xc_prefix net;

	xc_prefix_network(p, &net);
	net.ip.zone[0] = '\0';
	for (int i = 0; i < env->nconn; i++)
		if (env->conn[i].net.len == net.len && xc_ip_equal(&env->conn[i].net.ip, &net.ip))
			return;
	if (env->nconn < XC_RT_CONNS) {
		env->conn[env->nconn].net = net;
		env->conn[env->nconn++].dev = slot;
	}
}

static void fixed_dev(struct xc_nl *nl, struct xc_rt_env *env, int slot, const char *name)
{
	struct xc_link l;

	memset(&env->dev[slot], 0, sizeof(env->dev[slot]));
	snprintf(env->dev[slot].name, IFNAMSIZ, "%s", name);
	if (xc_nl_link_get(nl, name, &l) == 0) {
		env->dev[slot].ifindex = l.index;
		env->dev[slot].mtu = l.mtu;
	}
}

struct ll_ctx {
	struct xc_tunnel *t;
	const struct xc_rt_env *env;
	int err;
};

static int on_neigh(const struct xc_neigh *n, void *arg)
{
	struct ll_ctx *c = arg;
	struct xc_tunnel *t = c->t;
	const uint16_t ok = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT;
	struct xc_rt_lladdr *v;
	uint8_t slot = 0;

	if (n->lladdr_len != 6 || !(n->state & ok) || n->dst.family != AF_INET)
		return 0;
	for (int i = XC_RT_DEV_LINK0; i < c->env->ndev; i++)
		if (c->env->dev[i].ifindex == n->ifindex)
			slot = (uint8_t)i;
	if (!slot)
		return 0;
	if (!(v = xc_array_grow(t->ll, &t->llcap, t->nll, sizeof(*v), 64)))
		return -ENOMEM;
	t->ll = v;
	t->ll[t->nll].ip = n->dst;
	memcpy(t->ll[t->nll].mac, n->lladdr, 6);
	t->ll[t->nll].dev = slot;
	t->nll++;
	return 0;
}

static int cmp_ll(const void *a, const void *b, const void *arg)
{
	(void)arg;
	return xc_ip_cmp(&((const struct xc_rt_lladdr *)a)->ip, &((const struct xc_rt_lladdr *)b)->ip);
}

static int read_ll(struct xc_tunnel *t, struct xc_nl *nl, struct xc_rt_env *env)
{
	struct ll_ctx c = { t, env, 0 };
	int rc;

	t->nll = 0;
	rc = xc_nl_neigh_list(nl, AF_INET, 0, on_neigh, &c);
	if (rc)
		return rc;
	if (xc_sorted_sort_heap(t->ll, t->nll, sizeof(*t->ll), cmp_ll, NULL))
		return -ENOMEM;
	env->ll = t->ll;
	env->nll = t->nll;
	return 0;
}

int xc_tunnel_env(struct xc_tunnel *t, struct xc_nl *nl, struct xc_rt_env *env,
		  const struct xc_prefix *own_v4, const struct xc_prefix *own_v6, int want_ll)
{
	static struct addr_list al; /* 10 KB: too big for a daemon's stack frame */
	int rc, tentative = 0;

	env->ndev = XC_RT_DEV_LINK0;
	env->nconn = 0;
	env->underlay = 0;
	memset(&env->src6, 0, sizeof(env->src6));
	memset(&env->tun4, 0, sizeof(env->tun4));
	/* The network address: the IPAM never hands it to a pod (a /31 has no such room). */
	if (own_v4 && own_v4->ip.family == AF_INET && own_v4->len <= 30) {
		struct xc_prefix net;

		xc_prefix_network(own_v4, &net);
		env->tun4 = net.ip;
		env->tun4.zone[0] = '\0';
	}
	env->ll = NULL;
	env->nll = 0;
	fixed_dev(nl, env, XC_RT_DEV_SIT, XC_TUNNEL_SIT_DEV);
	fixed_dev(nl, env, XC_RT_DEV_TUNL, XC_TUNNEL_IPIP_DEV);
	fixed_dev(nl, env, XC_RT_DEV_VXLAN, t->o.vxlan_name);
	env->vx_family = env->self4.family ? AF_INET : env->self6.family ? AF_INET6 : 0;
	al.n = 0;
	rc = xc_nl_addr_list(nl, AF_UNSPEC, 0, on_addr, &al);
	if (rc)
		return rc;
	for (int i = 0; i < al.n; i++) {
		const struct xc_prefix *p = &al.a[i].p;
		uint8_t slot = slot_for(nl, env, al.a[i].ifindex);

		if (own_v6 && own_v6->ip.family == AF_INET6 && p->ip.family == AF_INET6 &&
		    !env->src6.family && xc_prefix_contains(own_v6, &p->ip)) {
			if (src_usable(al.a[i].flags)) {
				env->src6 = p->ip;
				env->src6.zone[0] = '\0';
			} else {
				tentative = 1;
			}
		}
		if (!slot)
			continue;
		add_conn(env, p, slot);
		if ((env->self4.family && xc_ip_equal(&p->ip, &env->self4)) ||
		    (env->self6.family && xc_ip_equal(&p->ip, &env->self6)))
			if (!env->underlay || p->ip.family == env->vx_family)
				env->underlay = slot;
	}
	env->src6_wait = tentative && !env->src6.family;
	return want_ll ? read_ll(t, nl, env) : 0;
}

/* ---- making the devices ----------------------------------------------- */

/* Our wanted VXLAN settings from env; -EADDRNOTAVAIL without an underlay address. */
static int vx_wanted(const struct xc_tunnel *t, const struct xc_rt_env *env,
		     const struct xc_ip **local, uint8_t mac[6], unsigned *mtu)
{
	*local = env->vx_family == AF_INET ? &env->self4 :
		 env->vx_family == AF_INET6 ? &env->self6 : NULL;
	if (!*local || !(*local)->family)
		return -EADDRNOTAVAIL;
	xc_rt_vxlan_mac(*local, mac);
	*mtu = 0;
	if (env->underlay && env->dev[env->underlay].mtu)
		*mtu = env->dev[env->underlay].mtu -
		       (unsigned)xc_tunnel_overhead(XC_RT_VXLAN, env->vx_family);
	(void)t;
	return 0;
}

/* Does the existing device l carry exactly our settings (MTU, MAC, up aside)? */
static int vx_matches(const struct xc_tunnel *t, const struct xc_link *l,
		      const struct xc_ip *local, int underlay)
{
	return !strcmp(l->kind, "vxlan") && l->vxlan.vni == t->o.vni &&
	       l->vxlan.port == t->o.port && l->vxlan.learning == 0 &&
	       xc_ip_equal(&l->vxlan.local, local) && (!underlay || l->vxlan.link == underlay);
}

static int setup_vxlan(struct xc_tunnel *t, struct xc_nl *nl, struct xc_rt_env *env)
{
	struct xc_rt_dev *d = &env->dev[XC_RT_DEV_VXLAN];
	int underlay = env->underlay ? env->dev[env->underlay].ifindex : 0;
	const struct xc_ip *local;
	struct xc_link l;
	uint8_t mac[6];
	unsigned mtu;
	int rc, changes = 0;

	rc = vx_wanted(t, env, &local, mac, &mtu);
	if (rc)
		return rc;
	if (xc_nl_link_get(nl, t->o.vxlan_name, &l) == 0 && !vx_matches(t, &l, local, underlay)) {
		rc = xc_nl_link_del(nl, l.index);
		if (rc)
			return rc;
		changes++;
	}
	if (xc_nl_link_get(nl, t->o.vxlan_name, &l) < 0) {
		struct xc_vxlan v = {
			.dev = { .name = t->o.vxlan_name, .mtu = mtu, .mac = mac },
			.vni = t->o.vni, .port = t->o.port, .local = local,
			.underlay = underlay, .learning = 0,
		};

		rc = xc_nl_vxlan_add(nl, &v);
		if (rc)
			return rc;
		changes++;
		rc = xc_nl_link_get(nl, t->o.vxlan_name, &l);
		if (rc)
			return rc;
	}
	if (l.addr_len != 6 || memcmp(l.addr, mac, 6)) {
		rc = xc_nl_link_set_addr(nl, l.index, mac, 6);
		if (rc)
			return rc;
		changes++;
	}
	if (mtu && l.mtu != mtu) {
		rc = xc_nl_link_set_mtu(nl, l.index, mtu);
		if (rc)
			return rc;
		l.mtu = mtu;
		changes++;
	}
	if (!(l.flags & IFF_UP)) {
		rc = xc_nl_link_set_up(nl, l.index, 1);
		if (rc)
			return rc;
		changes++;
	}
	d->ifindex = l.index;
	d->mtu = l.mtu;
	return changes;
}

static int up_fixed(struct xc_nl *nl, struct xc_rt_env *env, int slot)
{
	struct xc_link l;
	int rc;

	if (xc_nl_link_get(nl, env->dev[slot].name, &l) < 0)
		return -ENODEV;
	env->dev[slot].ifindex = l.index;
	env->dev[slot].mtu = l.mtu;
	if (l.flags & IFF_UP)
		return 0;
	rc = xc_nl_link_set_up(nl, l.index, 1);
	return rc ? rc : 1;
}

/* ---- the IPv4 tunnel device's address (see tunnel.h) ----------------- */

#define MAX_OURS 8

/* The label that marks an address ours: "DEV:TAG" (iproute2's rule: it starts with DEV). */
static void our_label(const char *dev, const char *tag, char label[IFNAMSIZ])
{
	snprintf(label, IFNAMSIZ, "%.*s:%s", (int)(IFNAMSIZ - 2 - strlen(tag)), dev, tag);
}

/* Which tunnel device carries IPv4 pod traffic in mode; 0: none does. */
static int v4_slot(int mode, const struct xc_rt_env *env)
{
	if (mode == XC_RT_AUTO)
		mode = env->tunnel;
	return mode == XC_RT_SIT || mode == XC_RT_IPIP ? XC_RT_DEV_TUNL :
	       mode == XC_RT_VXLAN ? XC_RT_DEV_VXLAN : 0;
}

struct dev_addrs {
	char label[IFNAMSIZ];
	const struct xc_ip *want;  /* NULL: none wanted here */
	int have_want;             /* want is there, ours or not */
	int n;
	struct xc_prefix ours[MAX_OURS];
};

static int on_dev_addr(const struct xc_addr *a, void *arg)
{
	struct dev_addrs *d = arg;

	if (a->prefix.ip.family != AF_INET)
		return 0;
	if (d->want && a->prefix.len == 32 && xc_ip_equal(&a->prefix.ip, d->want))
		d->have_want = 1;
	else if (!strcmp(a->label, d->label) && d->n < MAX_OURS)
		d->ours[d->n++] = a->prefix;
	return 0;
}

/*
 * Our address on slot's device: want (NULL: none) there, no other of
 * ours. With buf, print what would change as ip commands instead of
 * making it. Returns the number of changes, or a negative errno.
 */
static int dev_addr_sync(struct xc_nl *nl, const char *tag, const struct xc_rt_dev *dev,
			 const struct xc_ip *want, char *buf, size_t size, size_t *n)
{
	struct dev_addrs d = { .want = want };
	struct xc_addr a = { .ifindex = dev->ifindex };
	char s[XC_IP_STRLEN];
	int rc, changes = 0;

	our_label(dev->name, tag, d.label);
	if (dev->ifindex > 0) {
		rc = xc_nl_addr_list(nl, AF_INET, dev->ifindex, on_dev_addr, &d);
		if (rc)
			return rc;
	} else if (!buf || !want) {
		return 0;   /* no device (yet): nothing there, nothing can be put there */
	}
	for (int i = 0; i < d.n; i++, changes++) {
		a.prefix = d.ours[i];
		xc_ip_format(&a.prefix.ip, s, sizeof(s));
		if (buf)
			xc_textbuf_printf(buf, size, n, "ip addr del %s/%u dev %s\n", s, a.prefix.len,
					  dev->name);
		else if ((rc = xc_nl_addr_del(nl, &a)) && rc != -EADDRNOTAVAIL)
			return rc;
	}
	if (!want || d.have_want)
		return changes;
	xc_ip_format(want, s, sizeof(s));
	if (buf) {
		xc_textbuf_printf(buf, size, n, "ip addr add %s/32 dev %s label %s\n", s, dev->name,
				  d.label);
		return changes + 1;
	}
	a.prefix.ip = *want;
	a.prefix.len = 32;
	memcpy(a.label, d.label, sizeof(a.label));
	rc = xc_nl_addr_add(nl, &a);
	if (rc && rc != -EEXIST)
		return rc;
	return changes + 1;
}

/* env->tun4 on the device carrying IPv4 in mode, ours nowhere else. */
static int addr_sync(struct xc_nl *nl, const char *tag, int mode, const struct xc_rt_env *env,
		     char *buf, size_t size, size_t *n)
{
	int active = v4_slot(mode, env), changes = 0;

	for (int slot = XC_RT_DEV_TUNL; slot <= XC_RT_DEV_VXLAN; slot++) {
		const struct xc_ip *want = slot == active && env->tun4.family ? &env->tun4 : NULL;
		int rc = dev_addr_sync(nl, tag, &env->dev[slot], want, buf, size, n);

		if (rc < 0)
			return rc;
		changes += rc;
	}
	return changes;
}

static int setup_devices(struct xc_tunnel *t, struct xc_nl *nl, int mode, struct xc_rt_env *env)
{
	int a, b;

	if (mode == XC_RT_AUTO)
		mode = env->tunnel;
	switch (mode) {
	case XC_RT_SIT:
		a = up_fixed(nl, env, XC_RT_DEV_SIT);
		if (a < 0)
			return a;
		b = up_fixed(nl, env, XC_RT_DEV_TUNL);
		return b < 0 ? b : a + b;
	case XC_RT_IPIP:
		return up_fixed(nl, env, XC_RT_DEV_TUNL);
	case XC_RT_VXLAN:
		return setup_vxlan(t, nl, env);
	default:
		return 0;
	}
}

int xc_tunnel_setup(struct xc_tunnel *t, struct xc_nl *nl, int mode, struct xc_rt_env *env)
{
	int rc = setup_devices(t, nl, mode, env), a;

	/* Even when a device failed: ours may have to go from the other one. */
	a = addr_sync(nl, t->o.tag, mode, env, NULL, 0, NULL);
	if (rc < 0)
		return rc;
	return a < 0 ? a : rc + a;
}

static void plan_up(struct xc_nl *nl, const char *name, char *buf, size_t size, size_t *n)
{
	struct xc_link l;

	if (xc_nl_link_get(nl, name, &l) < 0 || !(l.flags & IFF_UP))
		xc_textbuf_printf(buf, size, n, "ip link set %s up\n", name);
}

static void plan_vxlan(struct xc_tunnel *t, struct xc_nl *nl, const struct xc_rt_env *env,
		       char *buf, size_t size, size_t *n)
{
	int underlay = env->underlay ? env->dev[env->underlay].ifindex : 0;
	const struct xc_ip *local;
	char a[XC_IP_STRLEN], m[XC_MAC_STRLEN];
	struct xc_link l;
	uint8_t mac[6];
	unsigned mtu;
	int have;

	if (vx_wanted(t, env, &local, mac, &mtu) < 0) {
		xc_textbuf_printf(buf, size, n, "# %s: no underlay address for this node yet\n",
				  t->o.vxlan_name);
		return;
	}
	xc_ip_format(local, a, sizeof(a));
	xc_mac_format(mac, m, sizeof(m));
	have = xc_nl_link_get(nl, t->o.vxlan_name, &l) == 0;
	if (have && !vx_matches(t, &l, local, underlay)) {
		xc_textbuf_printf(buf, size, n, "ip link del %s\n", t->o.vxlan_name);
		have = 0;
	}
	if (!have) {
		xc_textbuf_printf(buf, size, n, "ip link add %s address %s", t->o.vxlan_name, m);
		if (mtu)
			xc_textbuf_printf(buf, size, n, " mtu %u", mtu);
		xc_textbuf_printf(buf, size, n, " type vxlan id %u dstport %u local %s", t->o.vni,
				  t->o.port, a);
		if (underlay)
			xc_textbuf_printf(buf, size, n, " dev %s", env->dev[env->underlay].name);
		xc_textbuf_printf(buf, size, n, " nolearning\nip link set %s up\n", t->o.vxlan_name);
		return;
	}
	if (l.addr_len != 6 || memcmp(l.addr, mac, 6))
		xc_textbuf_printf(buf, size, n, "ip link set %s address %s\n", t->o.vxlan_name, m);
	if (mtu && l.mtu != mtu)
		xc_textbuf_printf(buf, size, n, "ip link set %s mtu %u\n", t->o.vxlan_name, mtu);
	if (!(l.flags & IFF_UP))
		xc_textbuf_printf(buf, size, n, "ip link set %s up\n", t->o.vxlan_name);
}

int xc_tunnel_plan(struct xc_tunnel *t, struct xc_nl *nl, int mode,
		   const struct xc_rt_env *env, char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return -ENOSPC;
	buf[0] = '\0';
	if (mode == XC_RT_AUTO)
		mode = env->tunnel;
	if (mode == XC_RT_SIT)
		plan_up(nl, XC_TUNNEL_SIT_DEV, buf, size, &n);
	if (mode == XC_RT_SIT || mode == XC_RT_IPIP)
		plan_up(nl, XC_TUNNEL_IPIP_DEV, buf, size, &n);
	if (mode == XC_RT_VXLAN)
		plan_vxlan(t, nl, env, buf, size, &n);
	addr_sync(nl, t->o.tag, mode, env, buf, size, &n);
	return n < size ? (int)n : -ENOSPC;
}

int xc_tunnel_cleanup(struct xc_tunnel *t, struct xc_nl *nl)
{
	struct xc_rt_dev tunl = { .name = XC_TUNNEL_IPIP_DEV };
	struct xc_link l;
	int rc, n = 0;

	if (xc_nl_link_get(nl, XC_TUNNEL_IPIP_DEV, &l) == 0) {
		tunl.ifindex = l.index;
		n = dev_addr_sync(nl, t->o.tag, &tunl, NULL, NULL, 0, NULL);
		if (n < 0)
			return n;
	}
	if (xc_nl_link_get(nl, t->o.vxlan_name, &l) < 0 || strcmp(l.kind, "vxlan"))
		return n;
	rc = xc_nl_link_del(nl, l.index);
	return rc ? rc : n + 1;
}

int xc_tunnel_solicit(const struct xc_ip *v4)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd, rc = 0;

	if (v4->family != AF_INET)
		return -EAFNOSUPPORT;
	memcpy(&sa.sin_addr, v4->a, 4);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, "", 0, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EAGAIN)
		rc = -errno;
	close(fd);
	return rc;
}

const char *xc_tunnel_addr_dev(const struct xc_tunnel *t, int mode)
{
	if (mode == XC_RT_VXLAN)
		return t->o.vxlan_name;
	return mode == XC_RT_SIT || mode == XC_RT_IPIP ? XC_TUNNEL_IPIP_DEV : NULL;
}

int xc_tunnel_dev_is_ours(const struct xc_rt_env *env, const char *name, int ifindex)
{
	for (int i = XC_RT_DEV_SIT; i < env->ndev; i++)
		if (i < XC_RT_DEV_LINK0 ? !strcmp(env->dev[i].name, name) :
					  env->dev[i].ifindex == ifindex)
			return 1;
	return 0;
}
