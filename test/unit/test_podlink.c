/*
 * test_podlink: the pure parts of core/cni/podlink (host veth names, the GC
 * alias, the reference's gateway rules) and core/cni/cniconv (MAC sources,
 * dns, unsupported keys, interface names). The kernel parts are tested
 * through the bridge plugin in test/netns/bridge*.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "cni/cniconv.h"
#include "cni/podlink.h"
#include "t.h"

static struct xc_cni_err err;

static void test_names(void)
{
	char a[IFNAMSIZ], b[IFNAMSIZ], c[IFNAMSIZ], d[IFNAMSIZ];

	xc_podlink_host_name("abc", "eth0", 0, a);
	xc_podlink_host_name("abc", "eth0", 0, b);
	T_STR(a, b);
	T_INT(strlen(a), 12);
	T(!strncmp(a, "veth", 4));
	xc_podlink_host_name("abc", "eth0", 1, c);
	T(strcmp(a, c) != 0);
	xc_podlink_host_name("abc", "eth1", 0, c);
	T(strcmp(a, c) != 0);
	/* The separator keeps ("ab", "ceth0") and ("abc", "eth0") apart. */
	xc_podlink_host_name("ab", "ceth0", 0, d);
	T(strcmp(a, d) != 0);
}

static void test_alias(void)
{
	char buf[XC_PODLINK_ALIAS_MAX], cid[XC_CNI_ID_MAX + 1], ifname[IFNAMSIZ], long_id[300];

	T(xc_podlink_alias("net", "c0ffee", "eth0", buf, sizeof(buf)) > 0);
	T(!strncmp(buf, "xcni:", 5));
	T_INT(xc_podlink_alias_parse(buf, "net", cid, ifname), 1);
	T_STR(cid, "c0ffee");
	T_STR(ifname, "eth0");
	/* Another network's veth is not ours to collect. */
	T_INT(xc_podlink_alias_parse(buf, "other", cid, ifname), 0);
	T_INT(xc_podlink_alias_parse("", "net", cid, ifname), 0);
	T_INT(xc_podlink_alias_parse("some admin's note", "net", cid, ifname), 0);
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	T_INT(xc_podlink_alias("net", long_id, "eth0", buf, sizeof(buf)), -ENOSPC);
	T_STR(buf, "");
}

static void test_alias_same_network(void)
{
	char a[XC_PODLINK_ALIAS_MAX], b[XC_PODLINK_ALIAS_MAX], c[XC_PODLINK_ALIAS_MAX];

	xc_podlink_alias("net", "c0ffee", "eth0", a, sizeof(a));
	xc_podlink_alias("net", "beef", "net1", b, sizeof(b));
	xc_podlink_alias("other", "c0ffee", "eth0", c, sizeof(c));
	T_INT(xc_podlink_alias_same_network(a, b), 1);
	T_INT(xc_podlink_alias_same_network(b, a), 1);
	T_INT(xc_podlink_alias_same_network(a, c), 0);
	/* Only the network part: a cut alias or someone else's text is not ours. */
	T_INT(xc_podlink_alias_same_network(a, "xcni:"), 0);
	b[14] = '\0';
	T_INT(xc_podlink_alias_same_network(a, b), 0);
	T_INT(xc_podlink_alias_same_network("some admin's note", "some admin's note"), 0);
	T_INT(xc_podlink_alias_same_network("", ""), 0);
}

static void prefix(const char *s, struct xc_prefix *p)
{
	T_INT(xc_prefix_parse(s, p), 0);
}

static void test_gateways(void)
{
	struct xc_cni_result r;
	struct xc_podlink_gws g4 = { 0 }, g6 = { 0 };
	char buf[XC_IP_STRLEN];

	/* IPv4 without a gateway, IPv6 with one, and an IPAM default route for IPv6. */
	xc_cni_result_init(&r);
	r.n_ips = 2;
	prefix("198.18.5.7/24", &r.ips[0].address);
	prefix("fd00:5::7/64", &r.ips[1].address);
	xc_ip_parse("fd00:5::fe", &r.ips[1].gateway);
	r.ips[0].iface = r.ips[1].iface = -1;
	r.ips[1].has_gateway = 1;
	r.n_routes = 1;
	prefix("::/0", &r.routes[0].dst);
	xc_ip_parse("fd00:5::fe", &r.routes[0].gw);
	r.routes[0].has = XC_CNI_RT_GW;
	xc_podlink_gateways(&r, 2, 1, 1, &g4, &g6);
	T_INT(r.ips[0].iface, 2);
	T_INT(r.ips[1].iface, 2);
	T(r.ips[0].has_gateway);
	xc_ip_format(&r.ips[0].gateway, buf, sizeof(buf));
	T_STR(buf, "198.18.5.1");
	T_INT(g4.n, 1);
	xc_prefix_format(&g4.gw[0], buf, sizeof(buf));
	T_STR(buf, "198.18.5.1/24");
	T_INT(g6.n, 1);
	xc_prefix_format(&g6.gw[0], buf, sizeof(buf));
	T_STR(buf, "fd00:5::fe/64");
	/* One default route added (IPv4); IPAM's IPv6 one kept, not doubled. */
	T_INT(r.n_routes, 2);
	xc_prefix_format(&r.routes[1].dst, buf, sizeof(buf));
	T_STR(buf, "0.0.0.0/0");
	xc_ip_format(&r.routes[1].gw, buf, sizeof(buf));
	T_STR(buf, "198.18.5.1");

	/* Without isGateway nothing is invented. */
	xc_cni_result_init(&r);
	memset(&g4, 0, sizeof(g4));
	memset(&g6, 0, sizeof(g6));
	r.n_ips = 1;
	prefix("198.18.5.7/24", &r.ips[0].address);
	xc_podlink_gateways(&r, 2, 0, 0, &g4, &g6);
	T(!r.ips[0].has_gateway);
	T_INT(g4.n + g6.n + r.n_routes, 0);
}

static int conf(const char *text, struct xc_cni_conf *c)
{
	xc_cni_err_init(&err);
	return xc_cni_conf_parse(text, strlen(text), c, NULL, &err);
}

static void test_mac(void)
{
	static struct xc_cni_conf c;
	static const char *const known[] = { "MAC", NULL };
	uint8_t mac[6];
	char buf[XC_MAC_STRLEN];

	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\"}", &c), 0);
	T_INT(xc_cniconv_mac(&c, NULL, known, mac, &err), 0);
	T_INT(xc_cniconv_mac(&c, "MAC=0a:00:00:00:00:01", known, mac, &err), 1);
	xc_mac_format(mac, buf, sizeof(buf));
	T_STR(buf, "0a:00:00:00:00:01");
	T(xc_cniconv_mac(&c, "FOO=1", known, mac, &err) < 0);
	T_INT(err.code, 2);
	T_INT(xc_cniconv_mac(&c, "IgnoreUnknown=1;FOO=1", known, mac, &err), 0);
	T(xc_cniconv_mac(&c, "MAC=01:00:00:00:00:01", known, mac, &err) < 0);
	T_INT(err.code, 7);
	/* runtimeConfig over args over CNI_ARGS. */
	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"args\":{\"cni\":{\"mac\":\"0a:00:00:00:00:02\"}},"
		   "\"runtimeConfig\":{\"mac\":\"0a:00:00:00:00:03\"}}", &c), 0);
	T_INT(xc_cniconv_mac(&c, "MAC=0a:00:00:00:00:01", known, mac, &err), 1);
	xc_mac_format(mac, buf, sizeof(buf));
	T_STR(buf, "0a:00:00:00:00:03");
	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"args\":{\"cni\":{\"mac\":\"0a:00:00:00:00:02\"}}}", &c), 0);
	T_INT(xc_cniconv_mac(&c, "MAC=0a:00:00:00:00:01", known, mac, &err), 1);
	xc_mac_format(mac, buf, sizeof(buf));
	T_STR(buf, "0a:00:00:00:00:02");
	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"runtimeConfig\":{\"mac\":\"nope\"}}", &c), 0);
	T(xc_cniconv_mac(&c, NULL, known, mac, &err) < 0);
	T_INT(err.code, 7);
}

static void test_conf_keys(void)
{
	static struct xc_cni_conf c;
	static const char *const keys[] = { "ipMasq", NULL };
	struct xc_cni_dns d;
	char name[IFNAMSIZ];

	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"dns\":{\"nameservers\":[\"198.18.0.53\"],\"domain\":\"x\"}}", &c), 0);
	T_INT(xc_cniconv_dns(&c.dns, &d, &err), 1);
	T_INT(d.n_nameservers, 1);
	T_STR(d.nameservers[0], "198.18.0.53");
	T_STR(d.domain, "x");
	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"dns\":{}}", &c), 0);
	T_INT(xc_cniconv_dns(&c.dns, &d, &err), 0);
	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"dns\":{\"search\":[1]}}", &c), 0);
	T(xc_cniconv_dns(&c.dns, &d, &err) < 0);
	T_INT(err.code, 7);

	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"ipMasq\":false}", &c), 0);
	T_INT(xc_cniconv_unsupported(&c.root, keys, &err), 0);
	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"ipMasq\":true}", &c), 0);
	T(xc_cniconv_unsupported(&c.root, keys, &err) < 0);
	T_INT(err.code, 2);
	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"ipMasq\":\"yes\"}", &c), 0);
	T(xc_cniconv_unsupported(&c.root, keys, &err) < 0);
	T_INT(err.code, 7);

	T_INT(xc_cniconv_ifname(&c.root, "bridge", "cni0", name, &err), 0);
	T_STR(name, "cni0");
	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"bridge\":\"br.1\"}", &c), 0);
	T_INT(xc_cniconv_ifname(&c.root, "bridge", "cni0", name, &err), 0);
	T_STR(name, "br.1");
	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"bridge\":\"a b\"}", &c), 0);
	T(xc_cniconv_ifname(&c.root, "bridge", "cni0", name, &err) < 0);
	T_INT(err.code, 7);
	T_INT(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		   "\"bridge\":\"sixteen-chars-xx\"}", &c), 0);
	T(xc_cniconv_ifname(&c.root, "bridge", "cni0", name, &err) < 0);
	T_INT(err.code, 7);
}

int main(void)
{
	test_names();
	test_alias();
	test_alias_same_network();
	test_gateways();
	test_mac();
	test_conf_keys();
	return t_done("test_podlink");
}
