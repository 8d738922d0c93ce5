/*
 * test_routes: core/router/nodetab and core/router/routes without a kernel.
 *
 * Node objects are parsed from JSON; the host is a hand-made struct
 * xc_rt_env (eth0 on 198.18.0.0/24 and fd00:100::/64, sit0, tunl0, the
 * VXLAN device); the plan of each mode is compared as the iproute2 lines
 * --dry-run prints, and sit/ipip requests byte for byte with what the
 * kernel is sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/rtnetlink.h>

#include "t.h"
#include "base/json.h"
#include "kernel/nl_route.h"
#include "kube/k8s.h"
#include "router/nodetab.h"
#include "router/routes.h"
#include "router/routes_int.h"

static struct xc_nodetab tab, amap;
static struct xc_rt_env env;
static struct xc_rt_set want, have;
static struct xc_rt_nhset nhs;
static char out[8192];
static char skips[2048];

static struct xc_ip ip_of(const char *s)
{
	struct xc_ip ip = { 0 };

	if (xc_ip_parse(s, &ip) < 0)
		printf("bad test address %s\n", s);
	return ip;
}

static struct xc_prefix pfx_of(const char *s)
{
	struct xc_prefix p = { 0 };

	if (xc_prefix_parse(s, &p) < 0)
		printf("bad test prefix %s\n", s);
	return p;
}

/* A Node object as the API serves it (trimmed), created at `created` ("": no field). */
static int rec_of(struct xc_node_rec *rec, const char *name, const char *cidrs, const char *addrs,
		  const char *created)
{
	char doc[2048], ca[512] = "", aa[512] = "", ts[80] = "", *p, *tok, tmp[512];
	struct xc_json root;
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s", cidrs);
	for (p = tmp, n = 0; (tok = strsep(&p, " ")) && *tok;)
		n += (size_t)snprintf(ca + n, sizeof(ca) - n, "%s\"%s\"", n ? "," : "", tok);
	snprintf(tmp, sizeof(tmp), "%s", addrs);
	for (p = tmp, n = 0; (tok = strsep(&p, " ")) && *tok;)
		n += (size_t)snprintf(aa + n, sizeof(aa) - n,
				      "%s{\"type\":\"InternalIP\",\"address\":\"%s\"}", n ? "," : "", tok);
	if (*created)
		snprintf(ts, sizeof(ts), ",\"creationTimestamp\":\"%s\"", created);
	snprintf(doc, sizeof(doc),
		 "{\"kind\":\"Node\",\"metadata\":{\"name\":\"%s\"%s},\"spec\":{\"podCIDRs\":[%s]},"
		 "\"status\":{\"addresses\":[%s,{\"type\":\"Hostname\",\"address\":\"%s\"}]}}",
		 name, ts, ca, aa, name);
	if (xc_json_parse(doc, strlen(doc), &root, NULL) < 0 || xc_nodetab_parse(&root, NULL, rec) < 0) {
		printf("bad test node %s\n", doc);
		return -1;
	}
	return 0;
}

static void node(struct xc_nodetab *t, const char *name, const char *cidrs, const char *addrs)
{
	struct xc_node_rec rec;

	if (!rec_of(&rec, name, cidrs, addrs, ""))
		xc_nodetab_set(t, &rec);
}

static void host(void)
{
	memset(&env, 0, sizeof(env));
	env.ndev = XC_RT_DEV_LINK0 + 2;
	strcpy(env.dev[XC_RT_DEV_SIT].name, "sit0");
	env.dev[XC_RT_DEV_SIT].ifindex = 10;
	strcpy(env.dev[XC_RT_DEV_TUNL].name, "tunl0");
	env.dev[XC_RT_DEV_TUNL].ifindex = 11;
	strcpy(env.dev[XC_RT_DEV_VXLAN].name, "xcvx0");
	env.dev[XC_RT_DEV_VXLAN].ifindex = 12;
	strcpy(env.dev[XC_RT_DEV_LINK0].name, "eth0");
	env.dev[XC_RT_DEV_LINK0].ifindex = 2;
	env.dev[XC_RT_DEV_LINK0].mtu = 1500;
	strcpy(env.dev[XC_RT_DEV_LINK0 + 1].name, "eth1");
	env.dev[XC_RT_DEV_LINK0 + 1].ifindex = 3;
	env.conn[0].net = pfx_of("198.18.0.0/24");
	env.conn[0].dev = XC_RT_DEV_LINK0;
	env.conn[1].net = pfx_of("fd00:100::/64");
	env.conn[1].dev = XC_RT_DEV_LINK0;
	env.nconn = 2;
	env.underlay = XC_RT_DEV_LINK0;
	env.self4 = ip_of("198.18.0.1");
	env.vx_family = AF_INET;
	env.tunnel = XC_RT_VXLAN;
}

static void on_skip(void *arg, const struct xc_node *n, const struct xc_prefix *cidr,
		    enum xc_rt_skip why, const char *reason)
{
	char c[XC_IP_STRLEN];
	size_t len = strlen(skips);

	(void)arg;
	xc_prefix_format(cidr, c, sizeof(c));
	snprintf(skips + len, sizeof(skips) - len, "%s %s %d%s%s\n", n->name, c, (int)why,
		 reason ? " " : "", reason ? reason : "");
}

/* The plan of conf against an empty kernel, as --dry-run prints it. */
static const char *plan(const struct xc_rt_conf *conf)
{
	struct xc_rt_set empty = { 0 };
	size_t n = 0;
	char line[256];

	out[0] = skips[0] = '\0';
	if (xc_rt_compute(conf, &env, &tab, &want, NULL, on_skip, NULL) < 0)
		return "compute failed";
	for (size_t i = 0; i < xc_rt_want_end(&want, NULL); i++) {
		struct xc_rt_entry buf;
		const struct xc_rt_entry *e = xc_rt_want_at(&want, NULL, i, &buf);

		if (!e)
			continue;
		xc_rt_format(conf, &env, XC_RT_ADD, e, line, sizeof(line));
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s\n", line);
	}
	(void)empty;
	return out;
}

static void cluster(void)
{
	xc_nodetab_free(&tab);
	node(&tab, "n1", "198.19.1.0/24 fd00:0:1::/64", "198.18.0.1");
	node(&tab, "n2", "198.19.2.0/24 fd00:0:2::/64", "198.18.0.2 fd00:100::2");
	node(&tab, "n3", "198.19.3.0/24 fd00:0:3::/64", "198.18.0.3");
	node(&tab, "n4", "198.19.4.0/24 fd00:0:4::/64", "198.18.5.4");
}

/* ---- nodetab ---------------------------------------------------------- */

static void test_nodetab(void)
{
	static const char list[] =
	"{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
	" {\"metadata\":{\"name\":\"a\",\"annotations\":{\"x/cidr\":\"10.1.0.0/16, fd00:9::/64\","
	"   \"x/addr\":\"198.18.9.1\"}},"
	"  \"spec\":{\"podCIDR\":\"198.19.0.0/24\",\"podCIDRs\":[\"198.19.0.0/24\",\"fd00::/64\"]},"
	"  \"status\":{\"addresses\":[{\"type\":\"ExternalIP\",\"address\":\"198.18.1.1\"},"
	"   {\"type\":\"InternalIP\",\"address\":\"198.18.0.1\"},{\"type\":\"Hostname\",\"address\":\"a\"}]}},"
	" {\"metadata\":{\"name\":\"b\"},\"spec\":{\"podCIDR\":\"198.19.1.7/24\"}},"
	" {\"metadata\":{}},"
	" 42]}";
	struct xc_node_parse ann = { "x/cidr", "x/addr" };
	struct xc_json root;
	const struct xc_node *a, *b;
	struct xc_ip ib;
	struct xc_prefix pb;
	char buf[64];
	size_t changed = 0, skipped = 0;

	xc_nodetab_init(&tab);
	T_INT(xc_json_parse(list, sizeof(list) - 1, &root, NULL), 0);
	T_INT(xc_nodetab_load_list(&tab, &root, NULL, &changed, &skipped), 0);
	T_INT(tab.n, 2);
	T_INT(changed, 2);
	T_INT(skipped, 2);
	a = xc_nodetab_find(&tab, "a");
	b = xc_nodetab_find(&tab, "b");
	T(a && b);
	if (!a || !b)
		return;
	T_INT(a->ncidr, 2);
	T_INT(a->naddr, 2);
	/* InternalIP is preferred over ExternalIP whatever the document order */
	xc_ip_format(xc_node_addr(a, AF_INET, &ib), buf, sizeof(buf));
	T_STR(buf, "198.18.0.1");
	T(xc_node_addr(a, AF_INET6, &ib) == NULL);
	xc_prefix_format(xc_node_cidr(a, AF_INET6, &pb), buf, sizeof(buf));
	T_STR(buf, "fd00::/64");
	/* the singular field, host bits cleared */
	xc_prefix_format(xc_node_cidr_at(b, 0, &pb), buf, sizeof(buf));
	T_STR(buf, "198.19.1.0/24");
	T_INT(b->naddr, 0);

	/* the same listing again: nothing changed */
	T_INT(xc_nodetab_load_list(&tab, &root, NULL, &changed, NULL), 0);
	T_INT(changed, 0);

	/* annotations replace spec.podCIDRs and lead the addresses */
	T_INT(xc_nodetab_load_list(&tab, &root, &ann, &changed, NULL), 0);
	T_INT(changed, 2);
	a = xc_nodetab_find(&tab, "a");
	b = xc_nodetab_find(&tab, "b");
	xc_prefix_format(xc_node_cidr(a, AF_INET, &pb), buf, sizeof(buf));
	T_STR(buf, "10.1.0.0/16");
	xc_prefix_format(xc_node_cidr(a, AF_INET6, &pb), buf, sizeof(buf));
	T_STR(buf, "fd00:9::/64");
	xc_ip_format(xc_node_addr(a, AF_INET, &ib), buf, sizeof(buf));
	T_STR(buf, "198.18.9.1");
	T_INT(b->ncidr, 0);

	/* a listing without "b" removes it; a failed listing removes nothing */
	{
		static const char one[] = "{\"items\":[{\"metadata\":{\"name\":\"a\"}}]}";
		static const char bad[] = "{\"kind\":\"Status\"}";

		T_INT(xc_json_parse(bad, sizeof(bad) - 1, &root, NULL), 0);
		T_INT(xc_nodetab_load_list(&tab, &root, NULL, &changed, NULL), -EINVAL);
		T_INT(tab.n, 2);
		T_INT(xc_json_parse(one, sizeof(one) - 1, &root, NULL), 0);
		T_INT(xc_nodetab_load_list(&tab, &root, NULL, &changed, NULL), 0);
		T_INT(tab.n, 1);
		T_INT(changed, 2); /* a changed (no CIDRs now), b removed */
	}
	T_INT(xc_nodetab_del(&tab, "a"), 1);
	T_INT(xc_nodetab_del(&tab, "a"), 0);
	T_INT(tab.n, 0);

	/* many nodes: sorted index, lookups */
	for (int i = 999; i >= 0; i--) {
		struct xc_node_rec r = { 0 };

		snprintf(r.name, sizeof(r.name), "node-%04d", i);
		T_INT(xc_nodetab_set(&tab, &r), 1);
	}
	T_INT(tab.n, 1000);
	T_STR(tab.v[0]->name, "node-0000");
	T(xc_nodetab_find(&tab, "node-0500") != NULL);
	xc_nodetab_free(&tab);
}

/* ---- plans per mode ---------------------------------------------------- */

static void test_mode_none(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1" };

	host();
	cluster();
	/*
	 * n2: its own IPv6 address; n3: IPv4 only and no IPv6 next hop (no
	 * prefix, no map, not in the neighbour table); n4: off-subnet,
	 * onlink through the underlay.
	 */
	T_STR(plan(&c),
	      "ip route replace 198.19.2.0/24 via 198.18.0.2 dev eth0 proto 202\n"
	      "ip route replace 198.19.3.0/24 via 198.18.0.3 dev eth0 proto 202\n"
	      "ip route replace 198.19.4.0/24 via 198.18.5.4 dev eth0 onlink proto 202\n"
	      "ip -6 route replace fd00:0:2::/64 via fd00:100::2 dev eth0 proto 202\n");
	T_STR(skips, "n3 fd00:0:3::/64 2\nn4 fd00:0:4::/64 2\n");
	/* the own node has no route; so does nobody without an address */
	T(!strstr(out, "198.19.1.0"));
}

static void test_v6_fallbacks(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1" };
	struct xc_rt_lladdr ll[1];

	host();
	cluster();
	/* the address map serves n3; n4 resolves through the neighbour table */
	xc_nodetab_init(&amap);
	node(&amap, "n3", "", "fd00:100::33");
	node(&amap, "n2", "", "fd00:100::22"); /* its own address wins */
	env.amap = &amap;
	memset(ll, 0, sizeof(ll));
	ll[0].ip = ip_of("198.18.5.4");
	memcpy(ll[0].mac, "\x02\x00\x00\xaa\xbb\xcc", 6);
	ll[0].dev = XC_RT_DEV_LINK0 + 1;
	env.ll = ll;
	env.nll = 1;
	T_STR(plan(&c),
	      "ip route replace 198.19.2.0/24 via 198.18.0.2 dev eth0 proto 202\n"
	      "ip route replace 198.19.3.0/24 via 198.18.0.3 dev eth0 proto 202\n"
	      "ip route replace 198.19.4.0/24 via 198.18.5.4 dev eth0 onlink proto 202\n"
	      "ip -6 route replace fd00:0:2::/64 via fd00:100::2 dev eth0 proto 202\n"
	      "ip -6 route replace fd00:0:3::/64 via fd00:100::33 dev eth0 proto 202\n"
	      "ip -6 route replace fd00:0:4::/64 via fe80::ff:feaa:bbcc dev eth1 proto 202\n");
	T_STR(skips, "");

	/* IPV6_PREFIX comes before the map: ::/96 + IPv4 */
	c.v6prefix = pfx_of("fd00:100::/96");
	plan(&c);
	T(strstr(out, "fd00:0:3::/64 via fd00:100::c612:3 dev eth0 proto 202\n") != NULL);
	T(strstr(out, "fd00:0:4::/64 via fd00:100::c612:504 dev eth0 proto 202\n") != NULL);
	T(strstr(out, "fd00:0:2::/64 via fd00:100::2 dev eth0") != NULL);
	env.amap = NULL;
	env.ll = NULL;
	env.nll = 0;
	xc_nodetab_free(&amap);

	/* an IPv4 CIDR of a node with only IPv6 goes via inet6 */
	xc_nodetab_free(&tab);
	node(&tab, "n1", "198.19.1.0/24", "198.18.0.1");
	node(&tab, "v6only", "198.19.9.0/24 fd00:0:9::/64", "fd00:100::9");
	c.v6prefix.ip.family = 0;
	T_STR(plan(&c),
	      "ip route replace 198.19.9.0/24 via inet6 fd00:100::9 dev eth0 proto 202\n"
	      "ip -6 route replace fd00:0:9::/64 via fd00:100::9 dev eth0 proto 202\n");
}

static void test_mode_sit(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_SIT, .protocol = 202, .self = "n1" };

	host();
	cluster();
	T_STR(plan(&c),
	      "ip route replace 198.19.2.0/24 via 198.18.0.2 dev tunl0 onlink proto 202\n"
	      "ip route replace 198.19.3.0/24 via 198.18.0.3 dev tunl0 onlink proto 202\n"
	      "ip route replace 198.19.4.0/24 via 198.18.5.4 dev tunl0 onlink proto 202\n"
	      "ip -6 route replace fd00:0:2::/64 via ::198.18.0.2 dev sit0 onlink proto 202\n"
	      "ip -6 route replace fd00:0:3::/64 via ::198.18.0.3 dev sit0 onlink proto 202\n"
	      "ip -6 route replace fd00:0:4::/64 via ::198.18.5.4 dev sit0 onlink proto 202\n");
	/* with our own pod address on the host it becomes the source */
	env.src6 = ip_of("fd00:0:1::1");
	c.table = 100;
	c.metric = 50;
	c.protocol = 203;
	plan(&c);
	T(strstr(out, "ip -6 route replace fd00:0:3::/64 via ::198.18.0.3 dev sit0 onlink "
		      "src fd00:0:1::1 proto 203 table 100 metric 50\n") != NULL);
	T(strstr(out, "ip route replace 198.19.3.0/24 via 198.18.0.3 dev tunl0 onlink "
		      "proto 203 table 100 metric 50\n") != NULL);
	/* a peer without IPv4 cannot be tunnelled: direct */
	node(&tab, "n5", "fd00:0:5::/64", "fd00:100::5");
	plan(&c);
	T(strstr(out, "ip -6 route replace fd00:0:5::/64 via fd00:100::5 dev eth0 proto 203") != NULL);
}

static void test_mode_ipip(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_IPIP, .protocol = 202, .self = "n1",
				.v6prefix = pfx_of("fd00:100::/96") };

	host();
	cluster();
	T_STR(plan(&c),
	      "ip route replace 198.19.2.0/24 via 198.18.0.2 dev tunl0 onlink proto 202\n"
	      "ip route replace 198.19.3.0/24 via 198.18.0.3 dev tunl0 onlink proto 202\n"
	      "ip route replace 198.19.4.0/24 via 198.18.5.4 dev tunl0 onlink proto 202\n"
	      "ip -6 route replace fd00:0:2::/64 via fd00:100::2 dev eth0 proto 202\n"
	      "ip -6 route replace fd00:0:3::/64 via fd00:100::c612:3 dev eth0 proto 202\n"
	      "ip -6 route replace fd00:0:4::/64 via fd00:100::c612:504 dev eth0 proto 202\n");
}

static void test_mode_vxlan(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_VXLAN, .protocol = 202, .self = "n1" };

	host();
	cluster();
	T_STR(plan(&c),
	      "ip route replace 198.19.2.0/24 via 198.19.2.0 dev xcvx0 onlink proto 202\n"
	      "ip route replace 198.19.3.0/24 via 198.19.3.0 dev xcvx0 onlink proto 202\n"
	      "ip route replace 198.19.4.0/24 via 198.19.4.0 dev xcvx0 onlink proto 202\n"
	      "ip -6 route replace fd00:0:2::/64 via fd00:0:2:: dev xcvx0 onlink proto 202\n"
	      "ip -6 route replace fd00:0:3::/64 via fd00:0:3:: dev xcvx0 onlink proto 202\n"
	      "ip -6 route replace fd00:0:4::/64 via fd00:0:4:: dev xcvx0 onlink proto 202\n"
	      "bridge fdb replace 0a:58:c6:12:00:02 dev xcvx0 dst 198.18.0.2 self permanent\n"
	      "bridge fdb replace 0a:58:c6:12:00:03 dev xcvx0 dst 198.18.0.3 self permanent\n"
	      "bridge fdb replace 0a:58:c6:12:05:04 dev xcvx0 dst 198.18.5.4 self permanent\n"
	      "ip neigh replace 198.19.2.0 lladdr 0a:58:c6:12:00:02 dev xcvx0 nud permanent\n"
	      "ip neigh replace 198.19.3.0 lladdr 0a:58:c6:12:00:03 dev xcvx0 nud permanent\n"
	      "ip neigh replace 198.19.4.0 lladdr 0a:58:c6:12:05:04 dev xcvx0 nud permanent\n"
	      "ip -6 neigh replace fd00:0:2:: lladdr 0a:58:c6:12:00:02 dev xcvx0 nud permanent\n"
	      "ip -6 neigh replace fd00:0:3:: lladdr 0a:58:c6:12:00:03 dev xcvx0 nud permanent\n"
	      "ip -6 neigh replace fd00:0:4:: lladdr 0a:58:c6:12:05:04 dev xcvx0 nud permanent\n");
	/* an IPv6 underlay: the peers' IPv6 addresses, MAC from their last 4 bytes */
	env.vx_family = AF_INET6;
	plan(&c);
	T(strstr(out, "bridge fdb replace 0a:59:00:00:00:02 dev xcvx0 dst fd00:100::2 self permanent\n") != NULL);
	T(!strstr(out, "198.19.3.0"));
	T_STR(skips, "n3 198.19.3.0/24 1\nn3 fd00:0:3::/64 1\nn4 198.19.4.0/24 1\nn4 fd00:0:4::/64 1\n");
}

static void test_mode_auto(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_AUTO, .protocol = 202, .self = "n1" };

	host();
	cluster();
	/*
	 * n2, n3 share eth0's subnet: direct (n3 has no IPv6 next hop, so its
	 * IPv6 CIDR takes the tunnel); n4 is behind a router: tunnel.
	 */
	T_STR(plan(&c),
	      "ip route replace 198.19.2.0/24 via 198.18.0.2 dev eth0 proto 202\n"
	      "ip route replace 198.19.3.0/24 via 198.18.0.3 dev eth0 proto 202\n"
	      "ip route replace 198.19.4.0/24 via 198.19.4.0 dev xcvx0 onlink proto 202\n"
	      "ip -6 route replace fd00:0:2::/64 via fd00:100::2 dev eth0 proto 202\n"
	      "ip -6 route replace fd00:0:3::/64 via fd00:0:3:: dev xcvx0 onlink proto 202\n"
	      "ip -6 route replace fd00:0:4::/64 via fd00:0:4:: dev xcvx0 onlink proto 202\n"
	      "bridge fdb replace 0a:58:c6:12:00:03 dev xcvx0 dst 198.18.0.3 self permanent\n"
	      "bridge fdb replace 0a:58:c6:12:05:04 dev xcvx0 dst 198.18.5.4 self permanent\n"
	      "ip neigh replace 198.19.4.0 lladdr 0a:58:c6:12:05:04 dev xcvx0 nud permanent\n"
	      "ip -6 neigh replace fd00:0:3:: lladdr 0a:58:c6:12:00:03 dev xcvx0 nud permanent\n"
	      "ip -6 neigh replace fd00:0:4:: lladdr 0a:58:c6:12:05:04 dev xcvx0 nud permanent\n");
	/* with sit as the tunnel */
	env.tunnel = XC_RT_SIT;
	plan(&c);
	T(strstr(out, "ip route replace 198.19.4.0/24 via 198.18.5.4 dev tunl0 onlink proto 202\n") != NULL);
	T(strstr(out, "ip -6 route replace fd00:0:4::/64 via ::198.18.5.4 dev sit0 onlink proto 202\n") != NULL);
	T(strstr(out, "ip -6 route replace fd00:0:3::/64 via ::198.18.0.3 dev sit0 onlink proto 202\n") != NULL);
}

static void test_dup_own(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1" };
	struct xc_node_rec rec;

	host();
	xc_nodetab_free(&tab);
	node(&tab, "n1", "198.19.1.0/24", "198.18.0.1");
	node(&tab, "b", "198.19.2.0/24", "198.18.0.2");
	node(&tab, "a", "198.19.2.0/24", "198.18.0.3");
	node(&tab, "c", "198.19.1.0/25", "198.18.0.4");
	T_STR(plan(&c), "ip route replace 198.19.2.0/24 via 198.18.0.3 dev eth0 proto 202\n");
	/*
	 * c wins the contest with this node (its name sorts first): no route
	 * for c's CIDR here (it overlaps this node's), and this node's own CIDR
	 * is reported refused, as every peer sees it, for node-local.
	 */
	T_STR(skips, "b 198.19.2.0/24 6 overlaps a's 198.19.2.0/24 (same age, name first)\n"
		 "c 198.19.1.0/25 5\n"
		 "n1 198.19.1.0/24 6 overlaps c's 198.19.1.0/25 (same age, name first)\n");
	/* no own node in the table: every node is a peer; c's name sorts first */
	c.self = "elsewhere";
	plan(&c);
	T(strstr(out, "198.19.1.0/25 via 198.18.0.4") != NULL);
	T(strstr(skips, "n1 198.19.1.0/24 6 overlaps c's 198.19.1.0/25 (same age, name first)") != NULL);
	/* this node older: c yields to it, and this node keeps its CIDR */
	xc_nodetab_free(&tab);
	if (!rec_of(&rec, "n1", "198.19.1.0/24", "198.18.0.1", "2020-01-01T00:00:00Z"))
		xc_nodetab_set(&tab, &rec);
	if (!rec_of(&rec, "c", "198.19.1.0/25", "198.18.0.4", "2021-01-01T00:00:00Z"))
		xc_nodetab_set(&tab, &rec);
	c.self = "n1";
	plan(&c);
	T_STR(skips, "c 198.19.1.0/25 5\n");
	/* the rules for everyone's CIDRs hold for this node's own: here, its own address */
	xc_nodetab_free(&tab);
	node(&tab, "n1", "198.18.0.0/16", "198.18.0.1");
	plan(&c);
	T(!strncmp(skips, "n1 198.18.0.0/16 6 contains", 27));
}

/* xc_rt_cidr_refusal of text, NULL as "-". */
static const char *refusal(const char *cidr, const struct xc_ip *a, size_t na,
			   const struct xc_prefix *cl, size_t ncl)
{
	struct xc_prefix p = pfx_of(cidr);
	const char *r = xc_rt_cidr_refusal(&p, a, na, cl, ncl);

	return r ? r : "-";
}

static void test_refusal(void)
{
	struct xc_ip a[3] = { ip_of("198.18.0.1"), ip_of("198.19.9.7"), ip_of("fd00:100::2") };
	struct xc_prefix cl[2] = { pfx_of("198.19.0.0/16"), pfx_of("1100::/8") };
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1" };

	T_STR(refusal("198.19.1.0/24", a, 3, NULL, 0), "-");
	T_STR(refusal("fd00::/64", a, 3, NULL, 0), "-");
	T_STR(refusal("1100:400::/24", a, 3, NULL, 0), "-");      /* length is no reason */
	T_STR(refusal("10.0.0.0/8", a, 3, NULL, 0), "-");
	T_STR(refusal("127.0.0.0/8", a, 3, NULL, 0), "overlaps loopback");
	T_STR(refusal("127.1.2.0/24", a, 3, NULL, 0), "overlaps loopback");
	T_STR(refusal("0.0.0.0/0", a, 3, NULL, 0), "overlaps 0.0.0.0/8");
	T_STR(refusal("0.0.0.0/1", a, 3, NULL, 0), "overlaps 0.0.0.0/8");
	T_STR(refusal("64.0.0.0/2", a, 3, NULL, 0), "overlaps loopback");
	T_STR(refusal("128.0.0.0/1", a, 3, NULL, 0), "overlaps link-local");
	T_STR(refusal("192.0.0.0/2", a, 3, NULL, 0), "overlaps multicast");
	T_STR(refusal("169.254.3.0/24", a, 3, NULL, 0), "overlaps link-local");
	T_STR(refusal("239.1.0.0/16", a, 3, NULL, 0), "overlaps multicast");
	T_STR(refusal("255.255.255.0/24", a, 3, NULL, 0), "overlaps the limited broadcast");
	T_STR(refusal("255.255.254.0/24", a, 3, NULL, 0), "-");
	T_STR(refusal("::/0", a, 3, NULL, 0), "overlaps the unspecified address");
	T_STR(refusal("::/1", a, 3, NULL, 0), "overlaps the unspecified address");
	T_STR(refusal("::1/128", a, 3, NULL, 0), "overlaps loopback");
	T_STR(refusal("8000::/1", a, 3, NULL, 0), "overlaps link-local");
	T_STR(refusal("fe80::/64", a, 3, NULL, 0), "overlaps link-local");
	T_STR(refusal("ff02::/16", a, 3, NULL, 0), "overlaps multicast");
	T_STR(refusal("198.18.0.1/32", a, 3, NULL, 0), "contains a node's address");
	T_STR(refusal("198.18.0.0/24", a, 3, NULL, 0), "contains a node's address");
	T_STR(refusal("198.19.9.0/24", a, 3, NULL, 0), "contains a node's address");
	T_STR(refusal("198.19.10.0/24", a, 3, NULL, 0), "-");
	/* host bits set (node-local judges a CIDR as the Node wrote it): an address below them counts */
	T_STR(refusal("198.19.9.20/24", a, 3, NULL, 0), "contains a node's address");
	T_STR(refusal("fd00:100::9/64", a, 3, NULL, 0), "contains a node's address");
	T_STR(refusal("fd00:100::/64", a, 3, NULL, 0), "contains a node's address");
	T_STR(refusal("fd00:100::3/128", a, 3, NULL, 0), "-");
	T_STR(refusal("198.19.1.0/24", a, 3, cl, 2), "-");
	T_STR(refusal("198.20.1.0/24", a, 3, cl, 2), "outside CLUSTER_CIDR");
	T_STR(refusal("198.19.0.0/15", a, 3, cl, 2), "contains a node's address");
	T_STR(refusal("1100:400::/24", a, 3, cl, 2), "-");
	T_STR(refusal("fd00::/64", a, 3, cl, 2), "outside CLUSTER_CIDR");
	T_STR(refusal("fd00::/64", a, 3, cl, 1), "-");            /* no IPv6 cluster CIDR */

	/* compute: every node's address and this host's count; the rest routes */
	host();
	xc_nodetab_free(&tab);
	node(&tab, "n1", "198.19.1.0/24", "198.18.0.1");
	node(&tab, "lo", "127.0.0.0/8 198.19.5.0/24", "198.18.0.5");
	node(&tab, "grab", "198.18.0.2/32", "198.18.0.3");
	node(&tab, "n2", "198.19.2.0/24 1100:400::/24", "198.18.0.2 fd00:100::2");
	T_STR(plan(&c), "ip route replace 198.19.2.0/24 via 198.18.0.2 dev eth0 proto 202\n"
		 "ip route replace 198.19.5.0/24 via 198.18.0.5 dev eth0 proto 202\n"
		 "ip -6 route replace 1100:400::/24 via fd00:100::2 dev eth0 proto 202\n");
	T_STR(skips, "grab 198.18.0.2/32 6 contains a node's address\n"
		 "lo 127.0.0.0/8 6 overlaps loopback\n");
	c.cluster = cl;
	c.ncluster = 1;
	plan(&c);
	T_STR(skips, "grab 198.18.0.2/32 6 contains a node's address\n"
		 "lo 127.0.0.0/8 6 overlaps loopback\n");
	cl[0] = pfx_of("198.19.2.0/24");
	plan(&c);
	T(strstr(skips, "lo 198.19.5.0/24 6 outside CLUSTER_CIDR\n") != NULL);

	/* what only this host knows: the API server, its connected subnets (its own pod CIDR's aside) */
	c.cluster = NULL;
	c.ncluster = 0;
	xc_nodetab_free(&tab);
	node(&tab, "n1", "198.19.1.0/24", "198.18.0.1");
	node(&tab, "api", "198.19.200.0/24", "198.18.0.6");
	node(&tab, "lan", "198.18.128.0/17 fd00:200::/64", "198.18.0.7");
	node(&tab, "ok", "198.19.7.0/24", "198.18.0.8");
	env.api = ip_of("198.19.200.10");
	env.conn[2].net = pfx_of("198.18.128.0/24");       /* another interface's subnet */
	env.conn[3].net = pfx_of("198.19.1.0/24");         /* our pod bridge: not a reason */
	env.nconn = 4;
	T_STR(plan(&c), "ip route replace 198.19.7.0/24 via 198.18.0.8 dev eth0 proto 202\n");
	T_STR(skips, "api 198.19.200.0/24 6 contains the API server's address\n"
		 "lan 198.18.128.0/17 6 overlaps a subnet connected on this node\n"
		 "lan fd00:200::/64 2\n");       /* (no IPv6 next hop: not refused) */
	/* a subnet holding our pod CIDR is the node's network, not its bridge: no pod CIDR there */
	env.conn[4].net = pfx_of("198.19.0.0/16");
	env.nconn = 5;
	plan(&c);
	T(strstr(skips, "ok 198.19.7.0/24 6 overlaps a subnet connected on this node\n") != NULL);
	T(strstr(skips, "n1 198.19.1.0/24 6 overlaps a subnet connected on this node\n") != NULL);
	host();
}

/* ---- overlapping pod CIDRs ---------------------------------------------- */

static const char *const contenders[][4] = {
	/* name, CIDRs, address, creationTimestamp */
	{ "old", "198.19.0.0/16", "198.18.0.10", "2020-01-01T00:00:00Z" },
	{ "new", "198.19.1.0/24 fd00:0:1::/64", "198.18.0.11", "2024-05-01T10:00:00Z" },
	{ "b", "198.20.0.0/24", "198.18.0.12", "2022-01-01T00:00:00Z" },
	{ "a", "198.20.0.0/24", "198.18.0.13", "2022-01-01T00:00:00Z" },
	{ "mid", "198.21.0.0/16", "198.18.0.14", "2020-12-31T23:00:00Z" },
	{ "x", "198.21.5.0/24", "198.18.0.15", "2019-12-31T23:59:59Z" },
	{ "y", "198.21.9.0/24 fd00:0:1::/48", "198.18.0.16", "2023-01-01T00:00:00Z" },
};
#define NCONT (sizeof(contenders) / sizeof(contenders[0]))

static const char overlap_plan[] =
	"ip route replace 198.19.0.0/16 via 198.18.0.10 dev eth0 proto 202\n"
	"ip route replace 198.20.0.0/24 via 198.18.0.13 dev eth0 proto 202\n"
	"ip route replace 198.21.5.0/24 via 198.18.0.15 dev eth0 proto 202\n"
	"ip route replace 198.21.9.0/24 via 198.18.0.16 dev eth0 proto 202\n";
static const char overlap_skips[] =
	"b 198.20.0.0/24 6 overlaps a's 198.20.0.0/24 (same age, name first)\n"
	"mid 198.21.0.0/16 6 overlaps x's 198.21.5.0/24 (created earlier)\n"
	"new 198.19.1.0/24 6 overlaps old's 198.19.0.0/16 (created earlier)\n"
	"new fd00:0:1::/64 6 overlaps y's fd00:0:1::/48 (created earlier)\n"
	"y fd00:0:1::/48 2\n";

/* Insert the contenders in the order perm gives, computing after each. */
static int overlap_order(const struct xc_rt_conf *c, const int *perm, struct xc_node_rec *recs)
{
	xc_nodetab_free(&tab);
	for (size_t i = 0; i < NCONT; i++) {
		xc_nodetab_set(&tab, &recs[perm[i]]);
		plan(c);
	}
	return strcmp(out, overlap_plan) || strcmp(skips, overlap_skips);
}

/* The next permutation in lexicographic order; 0 after the last. */
static int next_perm(int *p, size_t n)
{
	size_t i = n - 1, j = n - 1;

	while (i > 0 && p[i - 1] >= p[i])
		i--;
	if (!i)
		return 0;
	while (p[j] <= p[i - 1])
		j--;
	int t = p[i - 1];

	p[i - 1] = p[j];
	p[j] = t;
	for (j = n - 1; i < j; i++, j--)
		t = p[i], p[i] = p[j], p[j] = t;
	return 1;
}

static void test_overlap(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "self" };
	struct xc_node_rec recs[NCONT], r;
	int perm[NCONT], bad = 0, orders = 0;
	int64_t t;

	T(xc_k8s_parse_time("2019-12-31T23:59:59Z", &t) == 0 && t == 20191231235959);
	T(xc_k8s_parse_time("2024-02-29T12:00:00Z", &t) == 0 && t == 20240229120000);
	T(xc_k8s_parse_time("2019-12-31T23:59:59.5Z", &t) == -EINVAL);
	T(xc_k8s_parse_time("2021-01-01T00:00:00+01:00", &t) == -EINVAL);
	T(xc_k8s_parse_time("2021-01-01T00:00:00Z ", &t) == -EINVAL);
	T(xc_k8s_parse_time("2021-01-01T00:00", &t) == -EINVAL);
	T(xc_k8s_parse_time("2021-01-01 00:00:00Z", &t) == -EINVAL);
	T(xc_k8s_parse_time("2021-01-01T00:00:00", &t) == -EINVAL);
	host();
	for (size_t i = 0; i < NCONT; i++) {
		rec_of(&recs[i], contenders[i][0], contenders[i][1], contenders[i][2], contenders[i][3]);
		perm[i] = (int)i;
	}
	T(recs[5].created == 20191231235959);
	do {
		bad += overlap_order(&c, perm, recs);
		orders++;
	} while (next_perm(perm, NCONT));
	T(orders == 5040);
	T(bad == 0);
	/* the last order's table: the winner's deletion hands its CIDR on */
	T_STR(out, overlap_plan);
	T_STR(skips, overlap_skips);
	xc_nodetab_del(&tab, "a");
	plan(&c);
	T(strstr(out, "198.20.0.0/24 via 198.18.0.12") != NULL);
	xc_nodetab_del(&tab, "x");
	plan(&c);
	T(strstr(out, "198.21.0.0/16 via 198.18.0.14") != NULL);  /* mid is older than y */
	T(strstr(skips, "y 198.21.9.0/24 6 overlaps mid's 198.21.0.0/16 (created earlier)") != NULL);
	/* an unknown creation time ranks last; a refused CIDR takes part in nothing */
	xc_nodetab_free(&tab);
	rec_of(&r, "nots", "198.22.0.0/24", "198.18.0.20", "");
	xc_nodetab_set(&tab, &r);
	rec_of(&r, "z", "198.22.0.0/23", "198.18.0.21", "2025-01-01T00:00:00Z");
	xc_nodetab_set(&tab, &r);
	rec_of(&r, "grab", "198.22.0.0/22 198.18.0.0/24", "198.18.0.22", "2000-01-01T00:00:00Z");
	xc_nodetab_set(&tab, &r);
	plan(&c);
	T_STR(out, "ip route replace 198.22.0.0/22 via 198.18.0.22 dev eth0 proto 202\n");
	rec_of(&r, "grab", "198.18.0.0/24", "198.18.0.22", "2000-01-01T00:00:00Z");
	xc_nodetab_set(&tab, &r);
	plan(&c);
	T_STR(out, "ip route replace 198.22.0.0/23 via 198.18.0.21 dev eth0 proto 202\n");
	T_STR(skips, "grab 198.18.0.0/24 6 contains a node's address\n"
		 "nots 198.22.0.0/24 6 overlaps z's 198.22.0.0/23 (created earlier)\n");
}

/* ---- diff and adoption -------------------------------------------------- */

struct ops {
	char text[2048];
	int n;
};

static int on_op(void *arg, enum xc_rt_op op, const struct xc_rt_entry *w,
		 const struct xc_rt_entry *h)
{
	static const struct xc_rt_conf c = { .protocol = 202 };
	struct ops *o = arg;
	size_t len = strlen(o->text);
	char line[256];

	xc_rt_format(&c, &env, op, w ? w : h, line, sizeof(line));
	snprintf(o->text + len, sizeof(o->text) - len, "%s%s\n",
		 op == XC_RT_ADD ? "+" : op == XC_RT_DEL ? "-" : "~", line);
	o->n++;
	return 0;
}

/* A kernel route as a dump would report it. */
static struct xc_route kroute(const char *dst, const char *gw, int oif, uint8_t proto, uint32_t flags)
{
	struct xc_route r = { 0 };

	r.dst = pfx_of(dst);
	if (gw)
		r.gw = ip_of(gw);
	r.oif = oif;
	r.table = 254;
	r.protocol = proto;
	r.type = RTN_UNICAST;
	r.flags = flags;
	r.nexthops = 1;
	r.metric = r.dst.ip.family == AF_INET6 ? 1024 : 0;
	return r;
}

static void have_route(const struct xc_rt_conf *c, struct xc_route r)
{
	struct xc_rt_entry e;

	if (xc_rt_from_route(c, &env, &r, &e) >= 0)
		xc_rt_set_put(&have, &e);
}

static void test_diff(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1" };
	struct xc_rt_entry e;
	struct xc_route r;
	struct ops o;

	host();
	cluster();
	T_INT(xc_rt_compute(&c, &env, &tab, &want, NULL, NULL, NULL), 0);
	T_INT(want.n, 4);

	/* adoption: the kernel holds exactly what we want: no change at all */
	have.n = 0;
	have_route(&c, kroute("198.19.2.0/24", "198.18.0.2", 2, 202, 0));
	have_route(&c, kroute("198.19.3.0/24", "198.18.0.3", 2, 202, 0));
	have_route(&c, kroute("198.19.4.0/24", "198.18.5.4", 2, 202, RTNH_F_ONLINK));
	have_route(&c, kroute("fd00:0:2::/64", "fd00:100::2", 2, 202, 0));
	memset(&o, 0, sizeof(o));
	T_INT(xc_rt_diff(&want, NULL, &have, on_op, &o), 0);
	T_INT(o.n, 0);
	T_STR(o.text, "");

	/*
	 * Changed next hop, a deleted node's route, a route of another
	 * protocol on a wanted key (left alone) and one elsewhere (ignored),
	 * a route in another table (not ours).
	 */
	have.n = 0;
	have_route(&c, kroute("198.19.2.0/24", "198.18.0.22", 2, 202, 0));
	have_route(&c, kroute("198.19.3.0/24", "198.18.0.3", 2, 4, 0));
	have_route(&c, kroute("198.19.4.0/24", "198.18.5.4", 2, 202, 0));
	have_route(&c, kroute("198.19.7.0/24", "198.18.0.7", 2, 202, 0));
	have_route(&c, kroute("198.19.8.0/24", "198.18.0.8", 2, 3, 0));
	r = kroute("fd00:0:2::/64", "fd00:100::2", 2, 202, 0);
	r.table = 100;
	have_route(&c, r);
	memset(&o, 0, sizeof(o));
	T_INT(xc_rt_diff(&want, NULL, &have, on_op, &o), 0);
	T_STR(o.text,
	      "~ip route replace 198.19.2.0/24 via 198.18.0.2 dev eth0 proto 202\n"
	      "~ip route replace 198.19.4.0/24 via 198.18.5.4 dev eth0 onlink proto 202\n"
	      "-ip route del 198.19.7.0/24 proto 202\n"
	      "+ip -6 route replace fd00:0:2::/64 via fd00:100::2 dev eth0 proto 202\n");
	r = kroute("198.19.8.0/24", "198.18.0.8", 2, 3, 0);
	T_INT(xc_rt_from_route(&c, &env, &r, &e), 0);
	T(xc_rt_set_find(&have, &e) && (xc_rt_set_find(&have, &e)->flags & XC_RT_F_FOREIGN));
	r.table = 100;
	T_INT(xc_rt_from_route(&c, &env, &r, &e), -ENOENT);

	/* odd kernel routes (multipath, another source) are replaced */
	have.n = 0;
	r = kroute("fd00:0:2::/64", "fd00:100::2", 2, 202, 0);
	r.nexthops = 2;
	have_route(&c, r);
	T((have.v[0].flags & XC_RT_F_ODD) != 0);

	/* set operations */
	T_INT(xc_rt_set_del(&have, &have.v[0]), 1);
	T_INT(have.n, 0);
}

/* want's entry of r's key holds the kernel's flag; have's entry of it, if any. */
static int held(const struct xc_rt_conf *c, struct xc_route r)
{
	struct xc_rt_entry e, *w;

	xc_rt_from_route(c, &env, &r, &e);
	w = xc_rt_set_find(&want, &e);
	return w && (w->flags & XC_RT_F_HAVE);
}

static int in_have(const struct xc_rt_conf *c, struct xc_route r)
{
	struct xc_rt_entry e;

	xc_rt_from_route(c, &env, &r, &e);
	return xc_rt_set_find(&have, &e) != NULL;
}

/*
 * One set: what the kernel holds as wanted is a flag on want's entry, the
 * rest is have. Events keep it so: at most one of the two for a key.
 */
static void test_held(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1" };
	struct xc_route ok = kroute("198.19.2.0/24", "198.18.0.2", 2, 202, 0);
	struct xc_route other = kroute("198.19.2.0/24", "198.18.0.22", 2, 202, 0);
	struct xc_route theirs = kroute("198.19.2.0/24", "198.18.0.2", 2, 4, 0);
	struct xc_rt_entry e;
	struct ops o;

	host();
	cluster();
	T_INT(xc_rt_compute(&c, &env, &tab, &want, NULL, NULL, NULL), 0);
	have.n = 0;
	/* ours as wanted: the flag, nothing in have; the diff has nothing for it */
	T_INT(xc_rt_event(&have, &want, &c, &env, RTM_NEWROUTE, &ok, &e), XC_RT_EV_NONE);
	T_INT(held(&c, ok), 1);
	T_INT(have.n, 0);
	memset(&o, 0, sizeof(o));
	T_INT(xc_rt_diff(&want, NULL, &have, on_op, &o), 0);
	T(!strstr(o.text, "198.19.2.0"));
	T_INT(o.n, 3);
	/* ours, another path: into have, the flag gone; the diff replaces it */
	T_INT(xc_rt_event(&have, &want, &c, &env, RTM_NEWROUTE, &other, &e), XC_RT_EV_NONE);
	T_INT(held(&c, ok), 0);
	T_INT(in_have(&c, ok), 1);
	memset(&o, 0, sizeof(o));
	xc_rt_diff(&want, NULL, &have, on_op, &o);
	T(strstr(o.text, "~ip route replace 198.19.2.0/24 via 198.18.0.2 ") != NULL);
	/* as wanted again: the flag, and have's entry goes */
	xc_rt_event(&have, &want, &c, &env, RTM_NEWROUTE, &ok, &e);
	T_INT(held(&c, ok), 1);
	T_INT(in_have(&c, ok), 0);
	/*
	 * the removal of another route of ours on the key (a replace made as a
	 * removal and an addition, its removal read late): what the kernel
	 * holds is still as wanted
	 */
	T_INT(xc_rt_event(&have, &want, &c, &env, RTM_DELROUTE, &other, &e), XC_RT_EV_NONE);
	T_INT(held(&c, ok), 1);
	T_INT(have.n, 0);
	/* removed by someone: LOST, the flag gone, have still empty */
	T_INT(xc_rt_event(&have, &want, &c, &env, RTM_DELROUTE, &ok, &e), XC_RT_EV_LOST);
	T_INT(held(&c, ok), 0);
	T_INT(have.n, 0);
	/* another protocol takes a key the kernel held for us: TAKEN, recorded foreign */
	xc_rt_event(&have, &want, &c, &env, RTM_NEWROUTE, &ok, &e);
	T_INT(xc_rt_event(&have, &want, &c, &env, RTM_NEWROUTE, &theirs, &e), XC_RT_EV_TAKEN);
	T_INT(held(&c, ok), 0);
	T(xc_rt_set_find(&have, &e) && (xc_rt_set_find(&have, &e)->flags & XC_RT_F_FOREIGN));
	memset(&o, 0, sizeof(o));
	xc_rt_diff(&want, NULL, &have, on_op, &o);
	T(!strstr(o.text, "198.19.2.0"));
	/* it goes: LOST (ours is wanted there) */
	T_INT(xc_rt_event(&have, &want, &c, &env, RTM_DELROUTE, &theirs, &e), XC_RT_EV_LOST);
	T_INT(have.n, 0);
	/* ours removed while the flag is not set (never held): nothing */
	T_INT(xc_rt_event(&have, &want, &c, &env, RTM_DELROUTE, &ok, &e), XC_RT_EV_NONE);
	for (size_t i = 0; i < want.n; i++)
		want.v[i].flags &= (uint8_t)~XC_RT_F_HAVE;
}

/*
 * xc_rt_pass_quiet on a pass's changes as they stand: an announcement is
 * its own only once the change is made; a removal of a replaced key only
 * when the replace went as a removal and an addition; a route of ours no
 * change names is quiet only as the engine knows the kernel holds it.
 */
static void test_pass_quiet(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1" };
	struct xc_route ok = kroute("198.19.2.0/24", "198.18.0.2", 2, 202, 0);
	struct xc_route other = kroute("198.19.2.0/24", "198.18.0.22", 2, 202, 0);
	struct xc_route held = kroute("198.19.3.0/24", "198.18.0.3", 2, 202, 0);
	struct xc_route theirs = kroute("198.19.9.0/24", "198.18.0.9", 2, 4, 0);
	struct xc_rt_engine g = { 0 };
	struct xc_rt_op_ent op = { .op = XC_RT_ADD };
	struct xc_rt_entry e, gone;

	host();
	cluster();
	T_INT(xc_rt_compute(&c, &env, &tab, &g.want, NULL, NULL, NULL), 0);
	xc_rt_from_route(&c, &env, &ok, &e);
	op.at = (uint32_t)(xc_rt_set_find(&g.want, &e) - g.want.v);
	gone = e;       /* a removal names the engine's copy of have's */
	g.gone = (struct xc_rt_set){ .v = &gone, .n = 1, .cap = 1 };
	g.ops = &op;
	g.nops = 1;
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_NEWROUTE, &ok), 0);   /* not made yet */
	op.done = 1;
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_NEWROUTE, &ok), 1);
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_NEWROUTE, &other), 0);
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_DELROUTE, &ok), 0);
	op.op = XC_RT_REPLACE;
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_DELROUTE, &ok), 0);   /* replaced in place */
	op.done = 2;
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_DELROUTE, &ok), 1);   /* removed, then added */
	op.op = XC_RT_DEL;
	op.at = 0;
	op.done = 0;
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_DELROUTE, &ok), 0);
	op.done = 1;
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_DELROUTE, &ok), 1);
	/* no change of the pass names it: quiet as the kernel is known to hold it */
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_NEWROUTE, &held), 0);
	xc_rt_from_route(&c, &env, &held, &e);
	xc_rt_set_find(&g.want, &e)->flags |= XC_RT_F_HAVE;
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_NEWROUTE, &held), 1);
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_DELROUTE, &held), 0);
	/* another protocol's, on a key nobody wants: quiet unless have records it */
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_DELROUTE, &theirs), 1);
	xc_rt_from_route(&c, &env, &theirs, &e);
	T_INT(xc_rt_set_put(&g.have, &e), 0);
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_DELROUTE, &theirs), 0);
	g.ops = NULL;
	g.nops = 0;
	g.gone = (struct xc_rt_set){ 0 };
	/*
	 * A first sync into an empty kernel (a span: no ops, every wanted entry
	 * added): its own announcement once made (flagged), nothing else.
	 */
	g.have.n = 0;
	g.span = 1;
	xc_rt_from_route(&c, &env, &ok, &e);
	xc_rt_set_find(&g.want, &e)->flags &= (uint8_t)~XC_RT_F_HAVE;
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_NEWROUTE, &ok), 0);   /* not made yet */
	xc_rt_set_find(&g.want, &e)->flags |= XC_RT_F_HAVE;
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_NEWROUTE, &ok), 1);
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_NEWROUTE, &other), 0);
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_DELROUTE, &ok), 0);   /* someone else's doing */
	T_INT(xc_rt_pass_quiet(&g, &c, &env, RTM_DELROUTE, &theirs), 1);
	xc_rt_engine_free(&g);
}

static void test_diff_fixed(void)
{
	/* The foreign-route case above, checked without the op text. */
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1" };
	struct ops o;

	host();
	cluster();
	xc_rt_compute(&c, &env, &tab, &want, NULL, NULL, NULL);
	have.n = 0;
	have_route(&c, kroute("198.19.8.0/24", "198.18.0.8", 2, 3, 0));
	have_route(&c, kroute("198.19.3.0/24", "198.18.0.9", 2, 3, 0));
	memset(&o, 0, sizeof(o));
	xc_rt_diff(&want, NULL, &have, on_op, &o);
	/* adds for 2, 4 and the IPv6 one; nothing for the two foreign routes */
	T_INT(o.n, 3);
	T(!strstr(o.text, "198.19.8.0"));
	T(!strstr(o.text, "198.19.3.0"));
}

/* ---- nexthop objects -------------------------------------------------- */

/* The wanted set of c, then in nexthop form, as --dry-run prints it. */
static const char *nh_plan(const struct xc_rt_conf *c, int *count)
{
	size_t n = 0;
	char line[256];

	out[0] = '\0';
	if (xc_rt_compute(c, &env, &tab, &want, NULL, NULL, NULL) < 0)
		return "compute failed";
	*count = xc_rt_nexthops(&want, &nhs);
	for (size_t i = 0; i < want.n; i++)
		want.v[i].nhid = xc_rt_nhid(&nhs, &want.v[i]);
	for (size_t i = 0; i < want.n + nhs.n; i++) {
		struct xc_rt_entry e;

		if (i < want.n)
			e = want.v[i];
		else
			xc_rt_nhobj_entry(&nhs, &nhs.v[i - want.n], &e);
		xc_rt_format(c, &env, XC_RT_ADD, &e, line, sizeof(line));
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s\n", line);
	}
	return out;
}

static void test_nexthops(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_NONE, .protocol = 202, .self = "n1" };
	struct xc_rt_set s = { 0 };
	struct xc_rt_entry e;
	struct xc_route r;
	struct ops o;
	int count = -1, bad = 0;

	host();
	cluster();
	node(&tab, "n5", "198.19.5.0/24", "fd00:100::5");      /* IPv4 via IPv6: no object */
	/* one per IPv4 gateway (id: the address as a number), IPv6 routes as they were */
	T_STR(nh_plan(&c, &count),
	      "ip route replace 198.19.2.0/24 nhid 3323068418 proto 202\n"
	      "ip route replace 198.19.3.0/24 nhid 3323068419 proto 202\n"
	      "ip route replace 198.19.4.0/24 nhid 3323069700 proto 202\n"
	      "ip route replace 198.19.5.0/24 via inet6 fd00:100::5 dev eth0 proto 202\n"
	      "ip -6 route replace fd00:0:2::/64 via fd00:100::2 dev eth0 proto 202\n"
	      "ip nexthop replace id 3323068418 via 198.18.0.2 dev eth0 proto 202\n"
	      "ip nexthop replace id 3323068419 via 198.18.0.3 dev eth0 proto 202\n"
	      "ip nexthop replace id 3323069700 via 198.18.5.4 dev eth0 onlink proto 202\n");
	T_INT(count, 3);
	for (size_t i = 1; i < want.n; i++)
		bad += xc_rt_cmp(&want.v[i - 1], &want.v[i]) >= 0;
	for (size_t i = 1; i < nhs.n; i++)
		bad += nhs.v[i - 1].id >= nhs.v[i].id;
	T_INT(bad, 0);

	/* VXLAN: the peer CIDR's network address, onlink on the VXLAN device */
	c.mode = XC_RT_VXLAN;
	nh_plan(&c, &count);
	T(strstr(out, "ip nexthop replace id 3323134464 via 198.19.2.0 dev xcvx0 onlink proto 202\n"));
	T(strstr(out, "ip route replace 198.19.2.0/24 nhid 3323134464 proto 202\n"));
	c.mode = XC_RT_NONE;

	/* two paths through one gateway: the lower device keeps the object, the other goes without */
	xc_rt_set_reserve(&s, 4);
	memset(&s.v[0], 0, sizeof(s.v[0]));
	s.v[0].kind = XC_RT_ROUTE;
	s.v[0].family = s.v[0].gw_family = AF_INET;
	s.v[0].len = 24;
	s.v[0].dst[0] = 10;
	memcpy(s.v[0].gw, "\xc6\x12\x00\x09", 4);
	s.v[0].oif = 2, s.v[0].dev = 5;
	s.v[1] = s.v[0];
	s.v[1].dst[1] = 1;
	s.v[1].oif = 3, s.v[1].dev = 6;
	s.n = 2;
	T_INT(xc_rt_nexthops(&s, &nhs), 1);
	T_INT(nhs.clash, 1);
	T_INT(xc_rt_nhid(&nhs, &s.v[0]), 0xc6120009);
	T_INT(xc_rt_nhid(&nhs, &s.v[1]), 0);
	T_INT(nhs.n, 1);
	T_INT(nhs.v[0].id, 0xc6120009);
	T_INT(nhs.oif[nhs.v[0].dev], 2);
	/* the paths the other way round: whatever the routes' order, the same object */
	s.v[0].oif = 3, s.v[0].dev = 6;
	s.v[1].oif = 2, s.v[1].dev = 5;
	T_INT(xc_rt_nexthops(&s, &nhs), 1);
	T_INT(xc_rt_nhid(&nhs, &s.v[0]), 0);
	T_INT(xc_rt_nhid(&nhs, &s.v[1]), 0xc6120009);
	T_INT(nhs.oif[nhs.v[0].dev], 2);
	/* no clash: each route names its gateway's object */
	s.v[1].oif = 3, s.v[1].dev = 6;
	T_INT(xc_rt_nexthops(&s, &nhs), 1);
	T_INT(nhs.clash, 0);
	T_INT(xc_rt_nhid(&nhs, &s.v[0]), 0xc6120009);
	T_INT(xc_rt_nhid(&nhs, &s.v[1]), 0xc6120009);
	xc_rt_set_free(&s);

	/* when: the kernel must have them; ON, OFF; AUTO from XC_RT_NH_MIN, off below half */
	nh_plan(&c, &count);
	env.nexthops = 0;
	c.nexthops = XC_RT_NH_ON;
	T_INT(xc_rt_nexthops_wanted(&c, &env, &want, 1), 0);
	env.nexthops = 1;
	T_INT(xc_rt_nexthops_wanted(&c, &env, &want, 0), 1);
	c.nexthops = XC_RT_NH_OFF;
	T_INT(xc_rt_nexthops_wanted(&c, &env, &want, 1), 0);
	c.nexthops = XC_RT_NH_AUTO;
	T_INT(xc_rt_nexthops_wanted(&c, &env, &want, 1), 0);
	xc_rt_set_reserve(&s, XC_RT_NH_MIN);
	for (s.n = 0; s.n < XC_RT_NH_MIN - 1; s.n++) {
		s.v[s.n] = want.v[0];
		s.v[s.n].nhid = 0;
	}
	T_INT(xc_rt_nexthops_wanted(&c, &env, &s, 0), 0);
	T_INT(xc_rt_nexthops_wanted(&c, &env, &s, 1), 1);
	s.v[s.n++] = want.v[0];
	T_INT(xc_rt_nexthops_wanted(&c, &env, &s, 0), 1);
	s.n = XC_RT_NH_MIN / 2 - 1;
	T_INT(xc_rt_nexthops_wanted(&c, &env, &s, 1), 0);
	xc_rt_set_free(&s);
	env.nexthops = 0;

	/*
	 * The kernel's routes name the objects (a dump in compat mode shows
	 * their gateway too; without it only the id): no change either way.
	 * One naming another object, one still in the old form: replaced.
	 */
	nh_plan(&c, &count);
	have.n = 0;
	r = kroute("198.19.2.0/24", "198.18.0.2", 2, 202, 0);
	r.nh_id = 3323068418u;
	have_route(&c, r);
	r = kroute("198.19.3.0/24", NULL, 0, 202, 0);
	r.nh_id = 3323068419u;
	have_route(&c, r);
	r = kroute("198.19.4.0/24", "198.18.5.4", 2, 202, RTNH_F_ONLINK);
	have_route(&c, r);
	memset(&o, 0, sizeof(o));
	T_INT(xc_rt_diff(&want, &nhs, &have, on_op, &o), 0);
	T(strstr(o.text, "~ip route replace 198.19.4.0/24 nhid 3323069700 proto 202\n") != NULL);
	T(!strstr(o.text, "198.19.2.0/24") && !strstr(o.text, "198.19.3.0/24"));
	T(strstr(o.text, "+ip nexthop replace id 3323068418 via 198.18.0.2 dev eth0 proto 202\n") != NULL);
	/* an object the kernel holds as wanted: nothing; one it holds otherwise: replaced */
	nhs.v[0].flags |= XC_RT_F_HAVE;
	xc_rt_nhobj_entry(&nhs, &nhs.v[1], &e);
	e.oif = 9;
	T_INT(xc_rt_set_put(&have, &e), 0);
	memset(&o, 0, sizeof(o));
	T_INT(xc_rt_diff(&want, &nhs, &have, on_op, &o), 0);
	T(!strstr(o.text, "id 3323068418"));
	T(strstr(o.text, "~ip nexthop replace id 3323068419 via 198.18.0.3 dev eth0 proto 202\n") != NULL);
	T(strstr(o.text, "+ip nexthop replace id 3323069700 ") != NULL);
	nhs.v[0].flags = 0;
	/*
	 * An object have holds, deleted by someone else: its routes went with
	 * it, unannounced (LOST, and it leaves have); another protocol's too
	 * (a route of ours may name it); one of want's that the kernel held
	 * for us (LOST, the flag gone); an id neither holds, or a new object:
	 * nothing.
	 */
	{
		struct xc_nexthop kn = { .id = 3323068418u };
		struct xc_rt_entry k = { .kind = XC_RT_NH, .nhid = 3323068418u };
		struct xc_rt_nhobj *w;

		have.n = 0;
		k.flags = XC_RT_F_FOREIGN;
		xc_rt_set_put(&have, &k);
		T_INT(xc_rt_nexthop_event(&have, &nhs, RTM_NEWNEXTHOP, &kn), XC_RT_EV_NONE);
		T_INT(xc_rt_nexthop_event(&have, &nhs, RTM_DELNEXTHOP, &kn), XC_RT_EV_LOST);
		T_INT(have.n, 0);
		T((w = xc_rt_nhset_find(&nhs, kn.id)) && !(w->flags & XC_RT_F_HAVE));
		T_INT(xc_rt_nexthop_event(&have, &nhs, RTM_DELNEXTHOP, &kn), XC_RT_EV_NONE);
		k.flags = 0;
		xc_rt_set_put(&have, &k);
		T_INT(xc_rt_nexthop_event(&have, &nhs, RTM_DELNEXTHOP, &kn), XC_RT_EV_LOST);
		if (T((w = xc_rt_nhset_find(&nhs, kn.id)) != NULL)) {
			w->flags |= XC_RT_F_HAVE;
			T_INT(xc_rt_nexthop_event(&have, &nhs, RTM_DELNEXTHOP, &kn), XC_RT_EV_LOST);
			T(!(w->flags & XC_RT_F_HAVE));
			T_INT(xc_rt_nexthop_event(&have, &nhs, RTM_DELNEXTHOP, &kn), XC_RT_EV_NONE);
		}
	}
	/* a route event with RTA_NH_ID keeps the id */
	T_INT(xc_rt_from_route(&c, &env, &r, &e), 1);
	T_INT(e.nhid, 0);
	r.nh_id = 7;
	T_INT(xc_rt_from_route(&c, &env, &r, &e), 1);
	T_INT(e.nhid, 7);
}

/* ---- exact netlink requests ------------------------------------------- */

static void hex(const void *p, size_t n, char *buf, size_t size)
{
	const uint8_t *b = p;
	size_t k = 0;

	for (size_t i = 0; i < n && k + 3 < size; i++)
		k += (size_t)snprintf(buf + k, size - k, "%02x", b[i]);
}

static void test_messages(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_SIT, .protocol = 202, .self = "n1" };
	uint32_t buf[64];
	char h[600];
	struct xc_nl_msg m;
	struct xc_route r;
	const struct xc_rt_entry *v6 = NULL, *v4 = NULL;

	host();
	cluster();
	xc_rt_compute(&c, &env, &tab, &want, NULL, NULL, NULL);
	for (size_t i = 0; i < want.n; i++) {
		if (want.v[i].family == AF_INET6 && want.v[i].dst[5] == 3)
			v6 = &want.v[i];
		if (want.v[i].family == AF_INET && want.v[i].dst[2] == 3)
			v4 = &want.v[i];
	}
	T(v6 && v4);
	if (!v6 || !v4)
		return;

	/*
	 * ip -6 route replace fd00:0:3::/64 via ::198.18.0.3 dev sit0 onlink proto 202:
	 * nlmsghdr (len 92, RTM_NEWROUTE, REQUEST|CREATE|REPLACE), rtmsg
	 * (AF_INET6, /64, table main, proto 202, scope universe, unicast,
	 * flags ONLINK), RTA_TABLE 254, RTA_DST, RTA_PRIORITY 1024,
	 * RTA_GATEWAY ::c612:3, RTA_OIF 10 (sit0).
	 */
	T_INT(xc_rt_msg(&c, &env, XC_RT_REPLACE, v6, &m, buf, sizeof(buf)), 0);
	hex(buf, m.nlh->nlmsg_len, h, sizeof(h));
	T_STR(h, "5c000000180001050000000000000000"
		 "0a400000feca0001" "04000000"
		 "08000f00fe000000"
		 "14000100fd000000000300000000000000000000"
		 "0800060000040000"
		 "14000500000000000000000000000000c6120003"
		 "080004000a000000");
	/* what the kernel would echo parses back to the same route */
	T_INT(xc_nl_route_parse(m.nlh, &r), 0);
	T_INT(r.oif, 10);
	T_INT(r.flags & RTNH_F_ONLINK, RTNH_F_ONLINK);
	T_INT(r.protocol, 202);

	/* ip route replace 198.19.3.0/24 via 198.18.0.3 dev tunl0 onlink proto 202, as an add */
	T_INT(xc_rt_msg(&c, &env, XC_RT_ADD, v4, &m, buf, sizeof(buf)), 0);
	hex(buf, m.nlh->nlmsg_len, h, sizeof(h));
	T_STR(h, "3c000000180001060000000000000000"
		 "02180000feca0001" "04000000"
		 "08000f00fe000000"
		 "08000100c6130300"
		 "08000500c6120003"
		 "080004000b000000");

	/* the delete names only the key and our protocol */
	T_INT(xc_rt_msg(&c, &env, XC_RT_DEL, v6, &m, buf, sizeof(buf)), 0);
	hex(buf, m.nlh->nlmsg_len, h, sizeof(h));
	T_STR(h, "40000000190001000000000000000000"
		 "0a400000feca" "ff01" "00000000"
		 "08000f00fe000000"
		 "14000100fd000000000300000000000000000000"
		 "0800060000040000");
}

static void test_vxlan_messages(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_VXLAN, .protocol = 202, .self = "n1" };
	uint32_t buf[64];
	char h[600];
	struct xc_nl_msg m;
	struct xc_rt_entry nb;

	host();
	xc_nodetab_free(&tab);
	node(&tab, "n2", "198.19.2.0/24", "198.18.0.2");
	xc_rt_compute(&c, &env, &tab, &want, NULL, NULL, NULL);
	T_INT(want.n, 1);       /* the route, which carries the FDB and neighbour entries */
	T_INT(want.nfdb, 1);
	if (want.n != 1 || want.nfdb != 1)
		return;
	/* neighbour: AF_INET, ifindex 12, PERMANENT, dst, lladdr */
	T_INT(xc_rt_msg(&c, &env, XC_RT_ADD, xc_rt_want_at(&want, NULL, 2, &nb), &m, buf,
			sizeof(buf)), 0);
	hex(buf, m.nlh->nlmsg_len, h, sizeof(h));
	T_STR(h, "300000001c0001050000000000000000"
		 "020000000c000000" "80000001"
		 "08000100c6130200"
		 "0a0002000a58c6120002" "0000");
	/* FDB: AF_BRIDGE, NTF_SELF, lladdr then the remote */
	T_INT(xc_rt_msg(&c, &env, XC_RT_ADD, xc_rt_want_at(&want, NULL, 1, &nb), &m, buf,
			sizeof(buf)), 0);
	hex(buf, m.nlh->nlmsg_len, h, sizeof(h));
	T_STR(h, "300000001c0001050000000000000000"
		 "070000000c000000" "80000201"
		 "0a0002000a58c6120002" "0000"
		 "08000100c6120002");
}

/*
 * Routes carry their neighbour entries, one per network address: two
 * CIDRs that share one overlap, and only one of them gets a route (and
 * the address's entry), of one node as of two.
 */
static void test_vxlan_same_net(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_VXLAN, .protocol = 202, .self = "n1" };
	const char *one = "ip route replace 198.19.2.0/24 via 198.19.2.0 dev xcvx0 onlink proto 202\n"
			  "bridge fdb replace 0a:58:c6:12:00:02 dev xcvx0 dst 198.18.0.2 self permanent\n"
			  "ip neigh replace 198.19.2.0 lladdr 0a:58:c6:12:00:02 dev xcvx0 nud permanent\n";

	host();
	xc_nodetab_free(&tab);
	node(&tab, "n1", "198.19.1.0/24", "198.18.0.1");
	node(&tab, "n2", "198.19.2.0/24 198.19.2.0/23", "198.18.0.2");
	T_STR(plan(&c), one);
	T_STR(skips, "n2 198.19.2.0/23 6 overlaps n2's 198.19.2.0/24 (its own)\n");
	xc_nodetab_del(&tab, "n2");
	node(&tab, "n2", "198.19.2.0/24", "198.18.0.2");
	node(&tab, "n3", "198.19.2.0/23", "198.18.0.3");
	T_STR(plan(&c), one);
	xc_nodetab_free(&tab);
}

/* Many nodes in scrambled order: the sort (indexes, then one in-place move) keeps every entry. */
static void test_sort_many(void)
{
	struct xc_rt_conf c = { .mode = XC_RT_VXLAN, .protocol = 202, .self = "n-0000" };
	struct xc_rt_stats st;
	char name[32], cidrs[80], addr[32];
	int bad = 0;

	host();
	env.conn[0].net = pfx_of("198.18.0.0/16");
	xc_nodetab_free(&tab);
	for (int i = 0; i < 600; i++) {
		int k = (i * 37) % 600, j = (i * 7919) % 600;

		snprintf(name, sizeof(name), "n-%04d", j);
		snprintf(cidrs, sizeof(cidrs), "198.19.%d.%d/30 fd00:0:%x::/64", k * 4 / 256,
			 k * 4 % 256, j);
		snprintf(addr, sizeof(addr), "198.18.%d.%d", j / 250, j % 250 + 2);
		node(&tab, name, cidrs, addr);
	}
	T_INT(tab.n, 600);
	T_INT(xc_rt_compute(&c, &env, &tab, &want, &st, NULL, NULL), 0);
	T_INT(st.routes, 2 * 599);
	T_INT(st.neighs, 2 * 599);
	T_INT(st.fdbs, 599);
	T_INT(want.n, 2 * 599);
	T_INT(want.nfdb, 599);
	/* the whole sequence, the neighbour entries the routes carry included */
	size_t k = 0;
	struct xc_rt_entry prev, buf;

	for (size_t i = 0; i < xc_rt_want_end(&want, NULL); i++) {
		const struct xc_rt_entry *e = xc_rt_want_at(&want, NULL, i, &buf);

		if (!e)
			continue;
		bad += k++ && xc_rt_cmp(&prev, e) >= 0;
		prev = *e;
	}
	T_INT(k, 5 * 599);
	T_INT(bad, 0);
	xc_nodetab_free(&tab);
}

int main(void)
{
	test_nodetab();
	test_mode_none();
	test_v6_fallbacks();
	test_mode_sit();
	test_mode_ipip();
	test_mode_vxlan();
	test_vxlan_same_net();
	test_mode_auto();
	test_dup_own();
	test_refusal();
	test_overlap();
	test_diff();
	test_diff_fixed();
	test_held();
	test_pass_quiet();
	test_nexthops();
	test_messages();
	test_vxlan_messages();
	test_sort_many();
	xc_nodetab_free(&tab);
	xc_rt_set_free(&want);
	xc_rt_nhset_free(&nhs);
	xc_rt_set_free(&have);
	return t_done("test_routes");
}
