/*
 * test_tunnel: core/router/tunnel and the engine's sync against a real kernel, in
 * a network namespace of its own (unshare(CLONE_NEWNET) at start; without
 * root it reports itself skipped). This kernel may lack sit and ipip;
 * VXLAN and veth are enough for what is checked here:
 *   - the own IPv6 pod address is sit's route source only once DAD is done
 *     with it (the kernel refuses a tentative one: "Invalid source
 *     address"), and xc_tunnel_env says it waits;
 *   - the IPv4 tunnel device gets the network address of our IPv4 pod
 *     CIDR, labelled as ours; a mode without it removes ours and nothing
 *     else; cleanup removes the device; a router of another route protocol
 *     (a second network's) labels its own address apart and never takes
 *     the first one's;
 *   - none -> vxlan on a node with routes: the kernel refuses to replace
 *     the direct IPv6 route by the onlink one ("Nexthop has invalid gateway
 *     or device mismatch"); the engine removes and adds it instead;
 *   - a pass of 900 changes overflows a monitor socket nobody reads; read
 *     between its batches (the engine's between hook), nothing is lost and
 *     every announcement of its own changes is quiet (xc_rt_pass_quiet),
 *     while an event that may matter is not.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "t.h"
#include "base/json.h"
#include "kernel/nl_addr.h"
#include "kernel/nl_event.h"
#include "kernel/nl_link.h"
#include "router/nodetab.h"
#include "router/routes.h"
#include "router/tunnel.h"

static uint32_t nlbuf[XC_NL_BUFSIZE / 4];
static struct xc_nl nl;
static struct xc_nodetab tab;
static struct xc_tunnel tun;
static struct xc_rt_env env;
static struct xc_rt_engine g;

static struct xc_prefix pfx_of(const char *s)
{
	struct xc_prefix p = { 0 };

	if (xc_prefix_parse(s, &p) < 0)
		printf("bad test prefix %s\n", s);
	return p;
}

static int ifindex(const char *name)
{
	struct xc_link l;

	return xc_nl_link_get(&nl, name, &l) == 0 ? l.index : 0;
}

static int veth(const char *a, const char *b)
{
	struct xc_veth v = { .end = { .name = a }, .peer = { .name = b } };
	int err = xc_nl_veth_add(&nl, &v, NULL);

	if (!err)
		err = xc_nl_link_set_up(&nl, ifindex(a), 1);
	if (!err)
		err = xc_nl_link_set_up(&nl, ifindex(b), 1);
	return err;
}

static int addr(int add, const char *dev, const char *p, uint32_t flags)
{
	struct xc_addr a = { .ifindex = ifindex(dev), .prefix = pfx_of(p), .flags = flags };

	return add ? xc_nl_addr_add(&nl, &a) : xc_nl_addr_del(&nl, &a);
}

static int sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -EIO;
}

static void node(const char *name, const char *c4, const char *c6, const char *a4, const char *a6)
{
	char doc[1024];
	struct xc_json root;
	struct xc_node_rec rec;

	snprintf(doc, sizeof(doc),
		 "{\"metadata\":{\"name\":\"%s\"},\"spec\":{\"podCIDRs\":[\"%s\",\"%s\"]},"
		 "\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"%s\"},"
		 "{\"type\":\"InternalIP\",\"address\":\"%s\"}]}}", name, c4, c6, a4, a6);
	if (xc_json_parse(doc, strlen(doc), &root, NULL) < 0 || xc_nodetab_parse(&root, NULL, &rec) < 0)
		printf("bad test node %s\n", doc);
	else
		xc_nodetab_set(&tab, &rec);
}

/* Read the host as the router does for node n1. */
static int read_env(void)
{
	const struct xc_node *self = xc_nodetab_find(&tab, "n1");
	struct xc_prefix c4, c6;

	xc_ip_parse("198.18.0.1", &env.self4);
	xc_ip_parse("fd00:100::1", &env.self6);
	return xc_tunnel_env(&tun, &nl, &env, xc_node_cidr(self, AF_INET, &c4),
			     xc_node_cidr(self, AF_INET6, &c6), 0);
}

/* IPv4 addresses on dev: "ADDR/LEN LABEL" lines, sorted as the kernel lists them. */
struct alist {
	char text[512];
};

static int on_addr(const struct xc_addr *a, void *arg)
{
	struct alist *l = arg;
	size_t n = strlen(l->text);
	char s[XC_IP_STRLEN];

	xc_ip_format(&a->prefix.ip, s, sizeof(s));
	snprintf(l->text + n, sizeof(l->text) - n, "%s/%u %s\n", s, a->prefix.len, a->label);
	return 0;
}

static const char *addrs4(const char *dev)
{
	static struct alist l;

	l.text[0] = '\0';
	if (xc_nl_addr_list(&nl, AF_INET, ifindex(dev), on_addr, &l))
		return "(list failed)";
	return l.text;
}

static void test_src6(void)
{
	char path[128];

	/* A 30 s DAD: the address stays tentative for this test. */
	T_INT(veth("cni0", "cni0p"), 0);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/neigh/cni0/retrans_time_ms");
	T_INT(sysctl(path, "30000"), 0);
	T_INT(addr(1, "cni0", "fd00:0:1::1/64", 0), 0);
	T_INT(read_env(), 0);
	T_INT(env.src6.family, 0);
	T_INT(env.src6_wait, 1);

	/* Usable (no DAD): the source, and nothing waits. */
	T_INT(addr(0, "cni0", "fd00:0:1::1/64", 0), 0);
	T_INT(addr(1, "cni0", "fd00:0:1::1/64", IFA_F_NODAD), 0);
	T_INT(read_env(), 0);
	T_INT(env.src6.family, AF_INET6);
	T_INT(env.src6_wait, 0);
	T_INT(xc_nl_link_del(&nl, ifindex("cni0")), 0);
	T_INT(read_env(), 0);
	T_INT(env.src6.family, 0);
	T_INT(env.src6_wait, 0);
}

/* A second network's router (protocol 203) beside the first on one node. */
static void test_second_router(void)
{
	struct xc_tunnel t2;
	struct xc_rt_env env2 = env;
	char buf[1024];

	xc_tunnel_init(&t2);
	xc_tunnel_tag(203, t2.o.tag);
	T_STR(t2.o.tag, "xc203");
	xc_ip_parse("198.19.201.0", &env2.tun4);
	/* without a tunnel of its own it leaves the first router's address */
	T_INT(xc_tunnel_setup(&t2, &nl, XC_RT_NONE, &env2), 0);
	T_STR(addrs4("xcvx0"), "198.18.99.1/32 xcvx0\n198.19.1.0/32 xcvx0:xc\n");
	T_INT(xc_tunnel_plan(&t2, &nl, XC_RT_VXLAN, &env2, buf, sizeof(buf)), 56);
	T_STR(buf, "ip addr add 198.19.201.0/32 dev xcvx0 label xcvx0:xc203\n");
	T_INT(xc_tunnel_setup(&t2, &nl, XC_RT_VXLAN, &env2), 1);
	T_STR(addrs4("xcvx0"), "198.18.99.1/32 xcvx0\n198.19.1.0/32 xcvx0:xc\n"
	      "198.19.201.0/32 xcvx0:xc203\n");
	/* and each keeps to its own from then on */
	T_INT(xc_tunnel_setup(&tun, &nl, XC_RT_VXLAN, &env), 0);
	T_INT(xc_tunnel_setup(&t2, &nl, XC_RT_VXLAN, &env2), 0);
	T_INT(xc_tunnel_setup(&t2, &nl, XC_RT_NONE, &env2), 1);
	T_STR(addrs4("xcvx0"), "198.18.99.1/32 xcvx0\n198.19.1.0/32 xcvx0:xc\n");
	xc_tunnel_free(&t2);
}

static void test_tun4(void)
{
	struct xc_prefix p31 = pfx_of("198.19.9.0/31");
	char buf[1024];

	T_INT(read_env(), 0);
	T_INT(env.tun4.family, AF_INET);
	xc_ip_format(&env.tun4, buf, sizeof(buf));
	T_STR(buf, "198.19.1.0");
	/* A /31 has no address to spare. */
	T_INT(xc_tunnel_env(&tun, &nl, &env, &p31, NULL, 0), 0);
	T_INT(env.tun4.family, 0);

	/* The plan for ipip on a kernel without tunl0: up, then our address. */
	T_INT(read_env(), 0);
	if (!ifindex("tunl0")) {
		T(xc_tunnel_plan(&tun, &nl, XC_RT_IPIP, &env, buf, sizeof(buf)) > 0);
		T_STR(buf, "ip link set tunl0 up\nip addr add 198.19.1.0/32 dev tunl0 label tunl0:xc\n");
	}

	/* vxlan: the device, and our address on it. */
	T(xc_tunnel_setup(&tun, &nl, XC_RT_VXLAN, &env) >= 3);
	T_STR(addrs4("xcvx0"), "198.19.1.0/32 xcvx0:xc\n");
	T_INT(xc_tunnel_setup(&tun, &nl, XC_RT_VXLAN, &env), 0);
	/* Someone else's address on it stays; ours goes when no mode needs it. */
	T_INT(addr(1, "xcvx0", "198.18.99.1/32", 0), 0);
	T_INT(read_env(), 0);
	T_INT(xc_tunnel_setup(&tun, &nl, XC_RT_NONE, &env), 1);
	T_STR(addrs4("xcvx0"), "198.18.99.1/32 xcvx0\n");
	T_INT(xc_tunnel_plan(&tun, &nl, XC_RT_VXLAN, &env, buf, sizeof(buf)), 51);
	T_STR(buf, "ip addr add 198.19.1.0/32 dev xcvx0 label xcvx0:xc\n");
	T_INT(xc_tunnel_setup(&tun, &nl, XC_RT_VXLAN, &env), 1);
	T_STR(addrs4("xcvx0"), "198.18.99.1/32 xcvx0\n198.19.1.0/32 xcvx0:xc\n");
	test_second_router();
}

struct log {
	char text[2048];
};

static void on_report(void *arg, enum xc_rt_op op, const struct xc_rt_entry *e, int err)
{
	static const char *const verb[] = { "", "add", "replace", "remove" };
	struct log *l = arg;
	size_t n = strlen(l->text);
	char d[256];

	if (e->kind != XC_RT_ROUTE || e->family != AF_INET6)
		return;
	xc_rt_describe(&env, e, d, sizeof(d));
	snprintf(l->text + n, sizeof(l->text) - n, "%s %s%s\n", verb[op], err ? "FAILED " : "",
		 op == XC_RT_DEL ? strtok(d, " ") : d);
}

static void test_switch(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1" };
	struct log l = { "" };
	int rc;

	/* none: fd00:0:2::/64 via fd00:100::2 dev eth0 */
	T_INT(read_env(), 0);
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, on_report, &l), 0);
	T_STR(l.text, "add fd00:0:2::/64 via fd00:100::2 dev eth0\n");

	/* vxlan: the IPv6 route cannot be replaced in place; removed, then added */
	c.mode = XC_RT_VXLAN;
	l.text[0] = '\0';
	T(xc_tunnel_setup(&tun, &nl, XC_RT_VXLAN, &env) >= 0);
	rc = xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, on_report, &l);
	T_INT(rc, 0);
	T_STR(l.text, "remove fd00:0:2::/64\nadd fd00:0:2::/64 via fd00:0:2:: dev xcvx0 onlink\n");
	/* have follows, and agrees with the kernel: nothing left to do */
	l.text[0] = '\0';
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, on_report, &l), 0);
	T_INT(g.changes, 0);
	T_STR(l.text, "");

	/* and back: a replace in place works that way round */
	c.mode = XC_RT_NONE;
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, on_report, &l), 0);
	T_STR(l.text, "replace fd00:0:2::/64 via fd00:100::2 dev eth0\n");

	/* cleanup: our routes by the engine (nothing wanted), then the device */
	T_INT(xc_rt_sync(&g, &nl, &c, &env, NULL, XC_RT_SYNC_FULL, NULL, NULL, NULL), 0);
	T_INT(g.have.n, 0);
	T(xc_tunnel_cleanup(&tun, &nl) >= 1);
	T_INT(ifindex("xcvx0"), 0);
}

/* A monitor read between a pass's batches, as the router reads its own. */
struct pass_seen {
	struct xc_nl mon;
	const struct xc_rt_conf *conf;
	int in_pass;            /* judged only then (xc_rt_pass_quiet's contract) */
	int calls, events, loud, lost, probed;
	struct xc_route r;      /* an announcement of an addition: a route of ours */
	struct xc_nexthop nh;   /* and of a nexthop object */
	int have_r, have_nh;
};

static int on_pass_event(const struct xc_nl_event *ev, void *arg)
{
	struct pass_seen *p = arg;

	p->events++;
	if (!p->in_pass)
		return 0;
	if (ev->kind == XC_NL_EV_ROUTE) {
		p->loud += !xc_rt_pass_quiet(&g, p->conf, &env, ev->type, &ev->u.route);
		if (!p->have_r && ev->type == RTM_NEWROUTE && ev->u.route.dst.ip.family == AF_INET)
			p->r = ev->u.route, p->have_r = 1;
	} else if (ev->kind == XC_NL_EV_NEXTHOP) {
		p->loud += !xc_rt_pass_quiet_nh(&g, ev->type, &ev->u.nexthop);
		if (!p->have_nh && ev->type == RTM_NEWNEXTHOP)
			p->nh = ev->u.nexthop, p->have_nh = 1;
	}
	return 0;
}

static void drain(struct pass_seen *p)
{
	int rc;

	while ((rc = xc_nl_event_recv(&p->mon, on_pass_event, p)) >= 0 || rc == -EINTR)
		;
	p->lost += rc == -ENOBUFS;
}

/* What may matter while the pass goes on, shown with its own announcements altered. */
static void probe_quiet(struct pass_seen *p)
{
	const struct xc_rt_conf *c = p->conf;
	struct xc_route r = p->r;
	struct xc_nexthop nh = p->nh;

	p->probed = 1;
	T_INT(xc_rt_pass_quiet(&g, c, &env, RTM_NEWROUTE, &r), 1);
	T_INT(xc_rt_pass_quiet(&g, c, &env, RTM_DELROUTE, &r), 0);   /* what it adds, gone */
	r.nh_id = 0;
	xc_ip_parse("198.18.0.99", &r.gw);
	T_INT(xc_rt_pass_quiet(&g, c, &env, RTM_NEWROUTE, &r), 0);   /* another path */
	r.protocol = 4;
	T_INT(xc_rt_pass_quiet(&g, c, &env, RTM_NEWROUTE, &r), 0);   /* a key we want, taken */
	r.dst = pfx_of("198.18.250.0/24");
	T_INT(xc_rt_pass_quiet(&g, c, &env, RTM_NEWROUTE, &r), 1);   /* nobody's business */
	r.protocol = 202;
	T_INT(xc_rt_pass_quiet(&g, c, &env, RTM_NEWROUTE, &r), 0);   /* ours, not the pass's */
	r.table = 99;
	T_INT(xc_rt_pass_quiet(&g, c, &env, RTM_NEWROUTE, &r), 1);   /* another table */
	T_INT(xc_rt_pass_quiet_nh(&g, RTM_NEWNEXTHOP, &nh), 1);
	T_INT(xc_rt_pass_quiet_nh(&g, RTM_DELNEXTHOP, &nh), 0);      /* one it adds, gone */
	nh.id = 77;
	T_INT(xc_rt_pass_quiet_nh(&g, RTM_DELNEXTHOP, &nh), 1);      /* nobody's */
}

static void between(void *arg)
{
	struct pass_seen *p = arg;

	p->calls++;
	p->in_pass = 1;
	drain(p);
	p->in_pass = 0;
	if (!p->probed && p->have_r && p->have_nh)
		probe_quiet(p);
}

/* Entries of want and have that still carry a pass's private marks. */
static int have_marks(void)
{
	const uint8_t marks = XC_RT_F_PUT | XC_RT_F_PUT_FOREIGN | XC_RT_F_DROP;
	int n = 0;

	for (size_t i = 0; i < g.want.n; i++)
		n += (g.want.v[i].flags & marks) != 0;
	for (size_t i = 0; i < g.nh.n; i++)
		n += (g.nh.v[i].flags & marks) != 0;
	for (size_t i = 0; i < g.have.n; i++)
		n += (g.have.v[i].flags & marks) != 0;
	return n;
}

/* Entries of s of this kind that carry flag. */
static int count(const struct xc_rt_set *s, uint8_t kind, uint8_t flag)
{
	int n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->v[i].kind == kind && (s->v[i].flags & flag);
	return n;
}

/* The engine's nexthop objects that carry flag. */
static int count_nh(uint8_t flag)
{
	int n = 0;

	for (size_t i = 0; i < g.nh.n; i++)
		n += (g.nh.v[i].flags & flag) != 0;
	return n;
}

/*
 * The order a pass's changes reach the kernel in (report hears them as
 * they are made): removals of routes, neighbour and FDB entries, then
 * additions of nexthop objects, FDB and neighbour entries and routes, then
 * removals of nexthop objects. A change that comes after one of a later
 * step counts as out of order.
 */
struct order_seen {
	int step, out_of_order, made[8];
};

static void on_order(void *arg, enum xc_rt_op op, const struct xc_rt_entry *e, int err)
{
	static const uint8_t del_step[] = { 0, 0, 1, 2, 7 }, put_step[] = { 0, 6, 5, 4, 3 };
	struct order_seen *o = arg;
	int step = op == XC_RT_DEL ? del_step[e->kind] : put_step[e->kind];

	(void)err;
	o->out_of_order += step < o->step;
	if (step > o->step)
		o->step = step;
	o->made[step]++;
}

/* The table's changes, told to the engine (the router's hook). */
static void engine_heard(void *arg, const struct xc_node *before, const struct xc_node_rec *after)
{
	(void)arg;
	xc_rt_engine_node(&g, before, after);
}

static void test_pass_events(void)
{
	static uint32_t monbuf[XC_NL_BUFSIZE / 4];
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1",
				.nexthops = XC_RT_NH_ON };
	struct pass_seen p = { .conf = &c };
	char n[16], c4[32], c6[32], a4[32], a6[32];
	unsigned long updates;
	struct xc_nexthop kn = { 0 };
	struct order_seen seen = { 0 };

	for (int k = 0; k < 300; k++) {
		snprintf(n, sizeof(n), "p%d", k);
		snprintf(c4, sizeof(c4), "198.19.%d.%d/28", 16 + k / 16, k % 16 * 16);
		snprintf(c6, sizeof(c6), "fd00:0:%x::/64", 16 + k);
		snprintf(a4, sizeof(a4), "198.18.%d.%d", 8 + k / 200, k % 200 + 1);
		snprintf(a6, sizeof(a6), "fd00:100::%x", 16 + k);
		node(n, c4, c6, a4, a6);
	}
	/* the default receive queue: a few hundred announcements fill it */
	T_INT(xc_nl_monitor_open(&p.mon, monbuf, sizeof(monbuf), XC_NL_MON_IPV4_ROUTE |
				 XC_NL_MON_IPV6_ROUTE | XC_NL_MON_NEXTHOP, 0), 0);
	T_INT(read_env(), 0);
	env.nexthops = 1;

	/* nobody reads while the pass goes on: announcements are lost */
	xc_rt_engine_free(&g);
	memset(&g, 0, sizeof(g));
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, NULL, NULL), 0);
	T_INT(g.changes, 903);  /* 301 peers: two routes and a nexthop object each */
	drain(&p);
	T_INT(p.lost, 1);
	T_INT(xc_rt_sync(&g, &nl, &c, &env, NULL, XC_RT_SYNC_FULL, NULL, NULL, NULL), 0);
	drain(&p);

	/* read between the batches: none lost, each of its own quiet, what may matter not */
	p.calls = p.events = p.loud = p.lost = p.probed = p.have_r = p.have_nh = 0;
	g.between = between;
	g.between_arg = &p;
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, NULL, NULL), 0);
	T_INT(g.changes, 903);
	T_INT(p.calls, 903 / XC_RT_BATCH);
	T(p.events >= 903 - XC_RT_BATCH);
	T_INT(p.lost, 0);
	T_INT(p.loud, 0);
	T_INT(p.probed, 1);
	drain(&p);              /* the last batch's, after the pass */
	T_INT(p.events, 903);
	T_INT(p.lost, 0);
	g.between = NULL;
	/*
	 * The kernel holds every addition: want's routes and nexthop objects
	 * flagged as held, have empty; and no mark stays behind.
	 */
	T_INT(count(&g.want, XC_RT_ROUTE, XC_RT_F_HAVE), 602);
	T_INT(count_nh(XC_RT_F_HAVE), 301);
	T_INT(g.have.n, 0);
	T_INT(have_marks(), 0);
	/* a held object removed by someone else matters: its flag names it */
	T_INT(g.nh.n, 301);
	kn.id = g.nh.v[g.nh.n - 1].id;
	T_INT(xc_rt_pass_quiet_nh(&g, RTM_DELNEXTHOP, &kn), 0);
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, 0, NULL, NULL, NULL), 0);
	T_INT(g.changes, 0);
	/*
	 * A peer's address changes, heard of: an update, whose nexthop objects
	 * are made afresh and keep what the kernel holds of them. Its route
	 * names a new object, the old one goes: three changes, not 301 more.
	 */
	tab.notify = engine_heard;
	updates = g.updates;
	node("p5", "198.19.16.80/28", "fd00:0:15::/64", "198.18.9.250", "fd00:100::15");
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, 0, NULL, on_order, &seen), 0);
	T_INT(g.updates, updates + 1);
	T_INT(g.changes, 3);
	/* the new object first, the route moved onto it, the old object last */
	T_INT(seen.made[3] * 100 + seen.made[6] * 10 + seen.made[7], 111);
	T_INT(seen.out_of_order, 0);
	T_INT(count(&g.want, XC_RT_ROUTE, XC_RT_F_HAVE), 602);
	T_INT(count_nh(XC_RT_F_HAVE), 301);
	T_INT(g.have.n, 0);
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, NULL, NULL), 0);
	T_INT(g.changes, 0);
	node("p5", "198.19.16.80/28", "fd00:0:15::/64", "198.18.8.6", "fd00:100::15");
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, 0, NULL, NULL, NULL), 0);
	T_INT(g.updates, updates + 2);
	T_INT(g.changes, 3);
	/*
	 * A peer's CIDR moves unheard of: a whole computation, which must
	 * still know the objects the kernel holds: the route goes and comes,
	 * the objects stay.
	 */
	tab.notify = NULL;
	node("p6", "198.19.200.0/28", "fd00:0:16::/64", "198.18.8.7", "fd00:100::16");
	tab.notify = engine_heard;
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, 0, NULL, NULL, NULL), 0);
	T_INT(g.updates, updates + 2);
	T_INT(g.changes, 2);
	T_INT(count_nh(XC_RT_F_HAVE), 301);
	T_INT(g.have.n, 0);
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, NULL, NULL), 0);
	T_INT(g.changes, 0);
	/* back, heard of: an update takes a moved CIDR too */
	node("p6", "198.19.16.96/28", "fd00:0:16::/64", "198.18.8.7", "fd00:100::16");
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, 0, NULL, NULL, NULL), 0);
	T_INT(g.updates, updates + 3);
	T_INT(g.changes, 2);
	T_INT(count_nh(XC_RT_F_HAVE), 301);
	tab.notify = NULL;
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, NULL, NULL), 0);
	T_INT(g.changes, 0);
	/* nexthop objects off: every IPv4 route replaced before its object goes */
	c.nexthops = XC_RT_NH_OFF;
	memset(&seen, 0, sizeof(seen));
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, 0, NULL, on_order, &seen), 0);
	T_INT(seen.made[6], 301);
	T_INT(seen.made[7], 301);
	T_INT(seen.out_of_order, 0);
	T_INT(g.nh.n, 0);
	c.nexthops = XC_RT_NH_ON;
	memset(&seen, 0, sizeof(seen));
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, 0, NULL, on_order, &seen), 0);
	T_INT(seen.made[3], 301);
	T_INT(seen.made[6], 301);
	T_INT(seen.out_of_order, 0);
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, NULL, NULL), 0);
	T_INT(g.changes, 0);
	/* removals from have alone, no read: the kernel is left with none of ours */
	T_INT(xc_rt_sync(&g, &nl, &c, &env, NULL, 0, NULL, NULL, NULL), 0);
	T_INT(g.changes, 903);
	T_INT(g.have.n, 0);
	T_INT(xc_rt_sync(&g, &nl, &c, &env, NULL, XC_RT_SYNC_FULL, NULL, NULL, NULL), 0);
	T_INT(g.changes, 0);
	xc_nl_close(&p.mon);
}

/*
 * Answers lost: a receive queue too small for a batch's acknowledgements
 * (ENOBUFS). The kernel made the changes, the pass counts them failed;
 * the next pass must read the kernel, not add them again and take its
 * own routes for another protocol's (EEXIST).
 */
static void test_lost_answers(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1",
				.nexthops = XC_RT_NH_ON };
	int small = 1, was = 0, failed;
	socklen_t len = sizeof(was);
	struct timeval tv = { .tv_sec = 5 };

	T_INT(read_env(), 0);
	env.nexthops = 1;
	xc_rt_engine_free(&g);
	memset(&g, 0, sizeof(g));
	T_INT(getsockopt(nl.fd, SOL_SOCKET, SO_RCVBUF, &was, &len), 0);
	T_INT(setsockopt(nl.fd, SOL_SOCKET, SO_RCVBUFFORCE, &small, sizeof(small)), 0);
	failed = xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, NULL, NULL);
	/*
	 * the socket drops every answer after a told drop until its queue is
	 * read empty: a plain request now would wait for ever on a lost one
	 * (here 5 s, then a failure)
	 */
	T_INT(setsockopt(nl.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	T_INT(xc_nl_link_set_up(&nl, ifindex("lo"), 1), 0);
	tv.tv_sec = 0;
	T_INT(setsockopt(nl.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	was /= 2;               /* getsockopt tells the doubled size */
	T_INT(setsockopt(nl.fd, SOL_SOCKET, SO_RCVBUFFORCE, &was, sizeof(was)), 0);
	T(failed > 0);
	T_INT(g.reread, 1);
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, 0, NULL, NULL, NULL), 0);
	T_INT(g.full_syncs, 2);         /* the kernel was read again */
	T_INT(g.changes, 0);            /* it had made them all */
	T_INT(count(&g.have, XC_RT_ROUTE, XC_RT_F_FOREIGN), 0);
	T_INT(count(&g.want, XC_RT_ROUTE, XC_RT_F_HAVE), 602);
	T_INT(xc_rt_sync(&g, &nl, &c, &env, NULL, 0, NULL, NULL, NULL), 0);
	T_INT(g.changes, 903);
}

static void count_enodev(void *arg, enum xc_rt_op op, const struct xc_rt_entry *e, int err)
{
	(void)op;
	(void)e;
	*(int *)arg += err == -ENODEV;
}

/*
 * VXLAN before its device exists: each change is answered alone, without
 * a request (-ENODEV), and the rest of its batch goes in the next one.
 * Every change is tried and fails; none is dropped between batches.
 */
static void test_no_device(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_VXLAN, .protocol = 202, .self = "n1" };
	int enodev = 0, failed;

	T_INT(read_env(), 0);
	T_INT(env.dev[XC_RT_DEV_VXLAN].ifindex, 0);
	xc_rt_engine_free(&g);
	memset(&g, 0, sizeof(g));
	failed = xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, count_enodev, &enodev);
	T(g.changes > 2 * XC_RT_BATCH);
	T_INT(failed, (int)g.changes);
	T_INT(enodev, (int)g.changes);
	T_INT((int)g.adds, 0);
	T_INT(g.have.n, 0);
	xc_rt_engine_free(&g);
	memset(&g, 0, sizeof(g));
}

struct find_route {
	struct xc_prefix dst;
	long nhid;
};

static int on_route(const struct xc_route *r, void *arg)
{
	struct find_route *f = arg;

	if (r->protocol == 202 && r->dst.len == f->dst.len && xc_ip_equal(&r->dst.ip, &f->dst.ip))
		f->nhid = r->nh_id;
	return 0;
}

/* The nexthop object our route to dst names in the kernel (0: none), or -1: no route. */
static long kernel_nhid(const char *dst)
{
	struct find_route f = { pfx_of(dst), -1 };

	xc_nl_route_list(&nl, AF_INET, 254, 0, on_route, &f);
	return f.nhid;
}

/*
 * A nexthop object of another protocol on the id one of our routes would
 * name: the route goes without one, and keeps going without one through
 * incremental syncs (whose form names it again before finding it
 * foreign): no change, and the engine's idea of the kernel stays true.
 */
static void test_nh_foreign(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1",
				.nexthops = XC_RT_NH_ON };
	struct xc_rt_conf other = { .protocol = 99 };
	struct xc_rt_entry nh = { .kind = XC_RT_NH, .family = AF_INET, .gw_family = AF_INET,
				  .flags = XC_RT_F_ONLINK };
	struct xc_ip gw;

	T_INT(read_env(), 0);
	env.nexthops = 1;
	xc_ip_parse("198.18.8.1", &gw);         /* p0's address: off the subnet, onlink */
	memcpy(nh.gw, gw.a, 4);
	nh.nhid = (uint32_t)gw.a[0] << 24 | (uint32_t)gw.a[1] << 16 | (uint32_t)gw.a[2] << 8 | gw.a[3];
	nh.oif = ifindex("eth0");
	T_INT(xc_rt_apply(&nl, &other, &env, XC_RT_ADD, &nh), 0);
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, NULL, NULL), 0);
	T_INT(g.changes, 902);  /* all but p0's object, which is not ours */
	T_INT(kernel_nhid("198.19.16.0/28"), 0);        /* there, naming no object */
	T_INT(kernel_nhid("198.19.16.16/28"), 0xc6120802);      /* p1's names its own */
	for (int i = 0; i < 2; i++) {
		T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, 0, NULL, NULL, NULL), 0);
		T_INT(g.changes, 0);
	}
	T_INT(xc_rt_sync(&g, &nl, &c, &env, &tab, XC_RT_SYNC_FULL, NULL, NULL, NULL), 0);
	T_INT(g.changes, 0);
	T_INT(xc_rt_sync(&g, &nl, &c, &env, NULL, 0, NULL, NULL, NULL), 0);
	T_INT(g.changes, 902);
	T_INT(xc_rt_apply(&nl, &other, &env, XC_RT_DEL, &nh), 0);
}

/* Which link events matter to the router, and where the tunnel address lives. */
static void test_devices(void)
{
	T_INT(read_env(), 0);
	T_INT(xc_tunnel_dev_is_ours(&env, "sit0", 0), 1);       /* not there yet: by name */
	T_INT(xc_tunnel_dev_is_ours(&env, "tunl0", 0), 1);
	T_INT(xc_tunnel_dev_is_ours(&env, "xcvx0", 0), 1);
	T_INT(xc_tunnel_dev_is_ours(&env, "eth0", ifindex("eth0")), 1);   /* the underlay */
	T_INT(xc_tunnel_dev_is_ours(&env, "veth1234", 999), 0);            /* a pod's */
	T_INT(xc_tunnel_dev_is_ours(&env, "lo", ifindex("lo")), 0);
	T_STR(xc_tunnel_addr_dev(&tun, XC_RT_SIT), "tunl0");
	T_STR(xc_tunnel_addr_dev(&tun, XC_RT_IPIP), "tunl0");
	T_STR(xc_tunnel_addr_dev(&tun, XC_RT_VXLAN), "xcvx0");
	T(xc_tunnel_addr_dev(&tun, XC_RT_NONE) == NULL);
}

int main(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		printf("SKIP test_tunnel: needs root and network namespaces\n");
		printf("test_tunnel: 0 passed, 0 failed, 1 skipped\n");
		return 0;
	}
	if (xc_nl_open(&nl, nlbuf, sizeof(nlbuf))) {
		printf("FAIL test_tunnel: netlink\n");
		return 1;
	}
	xc_nl_link_set_up(&nl, ifindex("lo"), 1);
	T_INT(veth("eth0", "eth0p"), 0);
	T_INT(addr(1, "eth0", "198.18.0.1/24", 0), 0);
	T_INT(addr(1, "eth0", "fd00:100::1/64", IFA_F_NODAD), 0);
	xc_nodetab_init(&tab);
	node("n1", "198.19.1.0/24", "fd00:0:1::/64", "198.18.0.1", "fd00:100::1");
	node("n2", "198.19.2.0/24", "fd00:0:2::/64", "198.18.0.2", "fd00:100::2");
	xc_tunnel_init(&tun);

	test_devices();
	test_src6();
	test_tun4();
	test_switch();
	test_pass_events();
	test_lost_answers();
	test_no_device();
	test_nh_foreign();

	xc_rt_engine_free(&g);
	xc_tunnel_free(&tun);
	xc_nodetab_free(&tab);
	xc_nl_close(&nl);
	printf("test_tunnel: %d passed, %d failed, 0 skipped\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}
