/*
 * test_rtconf: the router's flags and environment (core/router/rtconf): defaults,
 * a flag over its variable, the values' checks and their messages.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "t.h"
#include "router/rtconf.h"

static struct xc_rtconf c;

/* Parse "router ARGS..." (at most 15 words, space-separated). */
static int parse(const char *args)
{
	static char buf[512];
	char *argv[16] = { "router" }, *p = buf, *w;
	int argc = 1;

	snprintf(buf, sizeof(buf), "%s", args);
	while (argc < 15 && (w = strsep(&p, " ")))
		if (*w)
			argv[argc++] = w;
	argv[argc] = NULL;
	return xc_rtconf_parse(&c, argc, argv);
}

static void clear_env(void)
{
	static const char *const vars[] = {
		"NODE_NAME", "TUNNEL_MODE", "IPV6_PREFIX", "ADDRESS_MAP", "NODE_IP", "PROTOCOL",
		"TABLE", "CIDR_ANNOTATION", "ADDRESS_ANNOTATION", "VXLAN_VNI", "VXLAN_PORT",
		"CACHE_DIR", "METRICS_PORT", "RESYNC_SECONDS",
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static void test_defaults(void)
{
	char p[XC_IP_STRLEN + 8];

	clear_env();
	T_INT(parse("--node-name n1"), 0);
	T_STR(c.self, "n1");
	T(c.rc.self == c.self);
	T_INT(c.mode, -1);
	T_INT(c.port, 9142);
	T_INT(c.resync_s, 60);
	T_INT(c.debounce_ms, 10);
	T_INT(c.rc.protocol, 202);
	T_INT(c.rc.table, 0);
	T_INT(c.log_level, -1);
	T_INT(c.once + c.dry_run + c.cleanup, 0);
	/* node-local's default dataDir and the network name install writes */
	T_STR(c.cache_dir, "/var/lib/cni/networks");
	T_STR(c.network, "xcluster-cni");
	T_STR(c.tun.vxlan_name, "xcvx0");
	T_INT(c.tun.vni, 1);
	T_INT(c.tun.port, 4789);
	T_STR(c.masq.table, "xcluster-cni");
	T_STR(c.tun.tag, "xc");
	T(c.nodes_file == NULL && c.kubeconfig == NULL && c.addr_map == NULL);
	T_INT((int)c.rc.ncluster, 0);
	/* CLUSTER_CIDR: the masquerade's list is the routes' too */
	T_INT(parse("--node-name n1 --cluster-cidr 198.19.0.0/16,1100::/8"), 0);
	T_INT((int)c.rc.ncluster, 2);
	T(c.rc.cluster == c.masq.cluster);

	/* the environment, and a flag over its variable */
	setenv("NODE_NAME", "from-env", 1);
	setenv("TUNNEL_MODE", "vxlan", 1);
	setenv("PROTOCOL", "77", 1);
	setenv("IPV6_PREFIX", "1000::1:", 1);
	setenv("CACHE_DIR", "/run/xc", 1);
	setenv("VXLAN_PORT", "8472", 1);
	T_INT(parse("--protocol 9 --once --log-level debug"), 0);
	T_STR(c.self, "from-env");
	T_INT(c.mode, XC_RT_VXLAN);
	T_INT(c.rc.protocol, 9);
	T_INT(c.tun.port, 8472);
	/* another protocol: another router's own table, label, VXLAN device */
	T_STR(c.masq.table, "xcluster-cni-9");
	T_STR(c.tun.tag, "xc9");
	T_STR(c.tun.vxlan_name, "xcvx9");
	T_INT(c.tun.vni, 9);
	T_STR(c.cache_dir, "/run/xc");
	T_INT(c.once, 1);
	T(c.log_level >= 0);
	xc_prefix_format(&c.rc.v6prefix, p, sizeof(p));
	T_STR(p, "1000::1:0:0/96");
	T_INT(parse("--node-name n2 --tunnel-mode sit --cache-dir /d --network podnet "
		    "--vxlan-name vx9"), 0);
	T_STR(c.self, "n2");
	T_INT(c.mode, XC_RT_SIT);
	T_STR(c.cache_dir, "/d");
	T_STR(c.network, "podnet");
	T_STR(c.tun.vxlan_name, "vx9");
	T_INT(c.tun.vni, 77);
	T_INT(parse("--node-name n2 --vxlan-vni 5"), 0);
	T_INT(c.tun.vni, 5);
	T_STR(c.tun.vxlan_name, "xcvx77");
	clear_env();
}

static void test_errors(void)
{
	T_INT(parse("--node-name n1 --tunnel-mode gre"), -EINVAL);
	T_STR(c.err, "tunnel mode: invalid value 'gre'");
	T_INT(parse("--node-name n1 --protocol 0"), -EINVAL);
	T_STR(c.err, "protocol: invalid value '0'");
	T_INT(parse("--node-name n1 --ipv6-prefix fd00::/112"), -EINVAL);
	T_STR(c.err, "IPv6 prefix: invalid value 'fd00::/112'");
	T_INT(parse("--node-name n1 --resync 0"), -EINVAL);
	T_STR(c.err, "number: invalid value '0'");
	/* a bad CIDR names the setting it came from */
	T_INT(parse("--node-name n1 --cluster-cidr 198.18.0.0/16,bogus"), -EINVAL);
	T_STR(c.err, "--cluster-cidr [CLUSTER_CIDR]: CIDR 'bogus': not a CIDR");
	T_INT(parse("--node-name n1 --no-masquerade-cidrs 1.2.3.4/33"), -EINVAL);
	T_STR(c.err, "--no-masquerade-cidrs [NO_MASQUERADE_CIDRS]: CIDR '1.2.3.4/33': not a CIDR");
	T_INT(parse("--node-name n1 --vxlan-vni 16777216"), -EINVAL);
	T_INT(parse("--node-name n1 --vxlan-name 0123456789abcdef"), -EINVAL);
	T_INT(parse("--node-name n1 --log-level loud"), -EINVAL);
	T_STR(c.err, "--log-level: invalid value 'loud'");
	T_INT(parse("--node-name n1 extra"), -EINVAL);
	T_STR(c.err, "argument: invalid value 'extra'");
	/* an unknown option: no message of ours, the caller prints the usage */
	opterr = 0;     /* getopt's own complaint is the applet's to show */
	T_INT(parse("--node-name n1 --bogus"), -EINVAL);
	opterr = 1;
	T_STR(c.err, "");
	setenv("METRICS_PORT", "70000", 1);
	T_INT(parse("--node-name n1"), -EINVAL);
	T_STR(c.err, "number: invalid value '70000'");
	T_INT(parse("--node-name n1 --metrics-port 0"), 0);
	T_INT(c.port, 0);
	clear_env();
}

/* Every flag reaches its own setting: the option table names each one's place. */
static void test_every_flag(void)
{
	char p[XC_IP_STRLEN + 8];

	clear_env();
	T_INT(parse("--node-name n7 --nodes-file /f --kubeconfig /k --address-map /m "
		    "--node-ip 198.18.0.7 --cidr-annotation ca --address-annotation aa"), 0);
	T_STR(c.self, "n7");
	T_STR(c.nodes_file, "/f");
	T_STR(c.kubeconfig, "/k");
	T_STR(c.addr_map, "/m");
	T_STR(c.node_ip, "198.18.0.7");
	T_STR(c.np.cidr_annotation, "ca");
	T_STR(c.np.addr_annotation, "aa");
	T_INT(parse("--node-name n1 --tunnel-mode ipip --ipv6-prefix fd00:7::/96 --table 7 "
		    "--vxlan-port 7777 --metrics-port 7070 --resync 77"), 0);
	T_INT(c.mode, XC_RT_IPIP);
	xc_prefix_format(&c.rc.v6prefix, p, sizeof(p));
	T_STR(p, "fd00:7::/96");
	T_INT(c.rc.table, 7);
	T_INT(c.tun.port, 7777);
	T_INT(c.port, 7070);
	T_INT(c.resync_s, 77);
	T_INT(parse("--node-name n1 --masquerade true --cluster-cidr 198.18.0.0/15 --debounce-ms 7 "
		    "--no-masquerade-cidrs 198.20.0.0/16 --nexthops on --dry-run --cleanup"), 0);
	T_INT(c.debounce_ms, 7);
	T_INT(c.masq.on, 1);
	T_INT((int)c.masq.ncluster, 1);
	T_INT((int)c.masq.nextra, 1);
	T_INT(c.rc.nexthops, XC_RT_NH_ON);
	T_INT(c.dry_run + c.cleanup, 2);
	clear_env();
}

int main(void)
{
	test_defaults();
	test_errors();
	test_every_flag();
	return t_done("test_rtconf");
}
