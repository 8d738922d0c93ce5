/*
 * rtconf: the router's flags and environment. See rtconf.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "base/podcidrs.h"
#include "kube/k8s.h"
#include "base/log.h"
#include "router/rtconf.h"

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max || *s == '-')
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* "fd00:100::/96", or xcluster's "1000::1:" (the IPv4 follows the colon). */
static int parse_v6prefix(const char *s, struct xc_prefix *p)
{
	char buf[XC_IP_STRLEN + 16];
	size_t n = strlen(s);

	if (xc_prefix_parse(s, p) == 0)
		return p->ip.family == AF_INET6 && p->len <= 96 ? 0 : -EINVAL;
	if (n && n < XC_IP_STRLEN && s[n - 1] == ':') {
		snprintf(buf, sizeof(buf), "%s0.0.0.0/96", s);
		if (xc_prefix_parse(buf, p) == 0 && p->ip.family == AF_INET6)
			return 0;
	}
	return -EINVAL;
}

static int bad(struct xc_rtconf *c, const char *what, const char *val)
{
	snprintf(c->err, sizeof(c->err), "%s: invalid value '%.120s'", what, val ? val : "");
	return -EINVAL;
}

/* A list of CIDRs refused: say which setting, before the CIDR's reason in c->err. */
static int cidrs_bad(struct xc_rtconf *c, const char *what, int rc)
{
	char why[sizeof(c->err)];

	memcpy(why, c->err, sizeof(why));
	snprintf(c->err, sizeof(c->err), "%s: %.150s", what, why);
	return rc;
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/* The values given as text (flag or variable), checked once all are read. */
struct raw {
	const char *mode, *v6, *proto, *table, *port, *resync, *name, *vni, *vport, *debounce;
	const char *masq, *cluster, *nomasq, *nh;
};

/* The environment variables that give a value of struct raw (a flag overrides one). */
static const struct {
	const char *name;
	uint8_t at;                /* offsetof(struct raw, ...) */
} raw_env[] = {
	{ "TUNNEL_MODE", offsetof(struct raw, mode) },
	{ "IPV6_PREFIX", offsetof(struct raw, v6) },
	{ "PROTOCOL", offsetof(struct raw, proto) },
	{ "TABLE", offsetof(struct raw, table) },
	{ "METRICS_PORT", offsetof(struct raw, port) },
	{ "RESYNC_SECONDS", offsetof(struct raw, resync) },
	{ "VXLAN_VNI", offsetof(struct raw, vni) },
	{ "VXLAN_PORT", offsetof(struct raw, vport) },
	{ "MASQUERADE", offsetof(struct raw, masq) },
	{ "CLUSTER_CIDR", offsetof(struct raw, cluster) },
	{ "NO_MASQUERADE_CIDRS", offsetof(struct raw, nomasq) },
	{ "NEXTHOPS", offsetof(struct raw, nh) },
};

static void defaults(struct xc_rtconf *c, struct raw *r)
{
	memset(c, 0, sizeof(*c));
	c->mode = -1;
	c->log_level = -1;
	c->port = 9142;
	c->resync_s = 60;
	c->debounce_ms = 10;
	c->addr_map = env_or("ADDRESS_MAP", NULL);
	c->node_ip = env_or("NODE_IP", NULL);
	c->cache_dir = env_or("CACHE_DIR", XC_PODCIDRS_DATA_DIR);
	c->network = "xcluster-cni";
	c->rc.protocol = XC_RT_PROTOCOL;
	c->np.cidr_annotation = env_or("CIDR_ANNOTATION", NULL);
	c->np.addr_annotation = env_or("ADDRESS_ANNOTATION", NULL);
	c->tun.port = XC_TUNNEL_VXLAN_PORT;
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < sizeof(raw_env) / sizeof(raw_env[0]); i++)
		*(const char **)((char *)r + raw_env[i].at) = env_or(raw_env[i].name, NULL);
}

/* enum xc_rt_nh's names, in its order. */
static int nh_parse(const char *text)
{
	static const char *const names[] = { "auto", "off", "on" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(text, names[i]))
			return (int)i;
	return -1;
}

static int check(struct xc_rtconf *c, const struct raw *r)
{
	unsigned u = 0;
	int rc;

	if (r->mode && (c->mode = xc_tunnel_mode_parse(r->mode)) < 0)
		return bad(c, "tunnel mode", r->mode);
	if (r->v6 && parse_v6prefix(r->v6, &c->rc.v6prefix))
		return bad(c, "IPv6 prefix", r->v6);
	if (r->proto && (parse_uint(r->proto, 255, &u) || !u))
		return bad(c, "protocol", r->proto);
	c->rc.protocol = r->proto ? (uint8_t)u : c->rc.protocol;
	/*
	 * What else is ours goes by the protocol, so that a second network's
	 * router (another PROTOCOL) never meets the first one: its nf_tables
	 * table, its tunnel address's label, and by default its VXLAN device.
	 */
	xc_masq_table_name(c->rc.protocol, c->masq.table);
	xc_tunnel_tag(c->rc.protocol, c->tun.tag);
	u = c->rc.protocol == XC_RT_PROTOCOL ? 0 : c->rc.protocol;
	c->tun.vni = u ? u : XC_TUNNEL_VXLAN_VNI;
	if (!c->tun.vxlan_name[0])      /* xcvx0 (XC_TUNNEL_VXLAN_NAME), or xcvxN */
		snprintf(c->tun.vxlan_name, IFNAMSIZ, "xcvx%u", u);
	if (r->table && (parse_uint(r->table, UINT32_MAX, &c->rc.table) || !c->rc.table))
		return bad(c, "table", r->table);
	if ((r->port && parse_uint(r->port, 65535, &c->port)) ||
	    (r->resync && (parse_uint(r->resync, 86400, &c->resync_s) || !c->resync_s)) ||
	    (r->debounce && parse_uint(r->debounce, 10000, &c->debounce_ms)))
		return bad(c, "number", r->port ? r->port : r->resync ? r->resync : r->debounce);
	if (r->vni && (parse_uint(r->vni, (1u << 24) - 1, &c->tun.vni) || !c->tun.vni))
		return bad(c, "VXLAN VNI", r->vni);
	if (r->vport && (parse_uint(r->vport, 65535, &u) || !u))
		return bad(c, "VXLAN port", r->vport);
	c->tun.port = r->vport ? (uint16_t)u : c->tun.port;
	if (r->masq && strcmp(r->masq, "true") && strcmp(r->masq, "false"))
		return bad(c, "MASQUERADE (true or false)", r->masq);
	c->masq.on = r->masq && !strcmp(r->masq, "true");
	if (r->nh && nh_parse(r->nh) < 0)
		return bad(c, "NEXTHOPS (auto, on or off)", r->nh);
	c->rc.nexthops = r->nh ? (uint8_t)nh_parse(r->nh) : XC_RT_NH_AUTO;
	if ((rc = xc_masq_parse_cidrs(r->cluster, c->masq.cluster, XC_MASQ_CIDRS, c->err,
				      sizeof(c->err))) < 0)
		return cidrs_bad(c, "--cluster-cidr [CLUSTER_CIDR]", rc);
	c->masq.ncluster = (uint8_t)rc;
	c->rc.cluster = c->masq.cluster;  /* one owner: the masquerade's */
	c->rc.ncluster = c->masq.ncluster;
	if ((rc = xc_masq_parse_cidrs(r->nomasq, c->masq.extra, XC_MASQ_CIDRS, c->err,
				      sizeof(c->err))) < 0)
		return cidrs_bad(c, "--no-masquerade-cidrs [NO_MASQUERADE_CIDRS]", rc);
	c->masq.nextra = (uint8_t)rc;
	if (r->name) {
		if (strlen(r->name) > XC_NODE_NAME_MAX)
			return bad(c, "node name", r->name);
		strcpy(c->self, r->name);
	} else if (xc_k8s_node_name(c->self, sizeof(c->self)) < 0) {
		snprintf(c->err, sizeof(c->err), "no node name: set NODE_NAME");
		return -EINVAL;
	}
	c->rc.self = c->self;
	return 0;
}

/* A flag's val for a value kept as given: where it goes, in struct raw or in the configuration. */
#define IN_RAW 0x10000
#define IN_CONF 0x20000
#define RAW(f) (IN_RAW | (int)offsetof(struct raw, f))
#define CONF(f) (IN_CONF | (int)offsetof(struct xc_rtconf, f))
_Static_assert(sizeof(struct xc_rtconf) < IN_RAW && sizeof(struct raw) < IN_RAW,
	       "an offset must fit below the flag bits");

int xc_rtconf_parse(struct xc_rtconf *c, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "node-name", 1, 0, RAW(name) }, { "nodes-file", 1, 0, CONF(nodes_file) },
		{ "kubeconfig", 1, 0, CONF(kubeconfig) }, { "tunnel-mode", 1, 0, RAW(mode) },
		{ "ipv6-prefix", 1, 0, RAW(v6) }, { "address-map", 1, 0, CONF(addr_map) },
		{ "node-ip", 1, 0, CONF(node_ip) }, { "protocol", 1, 0, RAW(proto) },
		{ "table", 1, 0, RAW(table) }, { "cidr-annotation", 1, 0, CONF(np.cidr_annotation) },
		{ "address-annotation", 1, 0, CONF(np.addr_annotation) },
		{ "vxlan-name", 1, 0, 'x' }, { "vxlan-vni", 1, 0, RAW(vni) },
		{ "vxlan-port", 1, 0, RAW(vport) }, { "cache-dir", 1, 0, CONF(cache_dir) },
		{ "network", 1, 0, CONF(network) }, { "metrics-port", 1, 0, RAW(port) },
		{ "resync", 1, 0, RAW(resync) }, { "debounce-ms", 1, 0, RAW(debounce) },
		{ "log-level", 1, 0, 'l' }, { "masquerade", 1, 0, RAW(masq) },
		{ "cluster-cidr", 1, 0, RAW(cluster) }, { "no-masquerade-cidrs", 1, 0, RAW(nomasq) },
		{ "nexthops", 1, 0, RAW(nh) },
		{ "once", 0, 0, 'o' }, { "dry-run", 0, 0, 'D' }, { "cleanup", 0, 0, 'X' }, { 0 },
	};
	struct raw r;
	int opt;

	defaults(c, &r);
	optind = 0;     /* a fresh scan, whoever parsed before */
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'x':
			if (!*optarg || strlen(optarg) >= IFNAMSIZ)
				return bad(c, "--vxlan-name", optarg);
			snprintf(c->tun.vxlan_name, IFNAMSIZ, "%s", optarg);
			break;
		case 'l':
			if ((c->log_level = xc_log_parse_level(optarg)) < 0)
				return bad(c, "--log-level", optarg);
			break;
		case 'o': c->once = 1; break;
		case 'D': c->dry_run = 1; break;
		case 'X': c->cleanup = 1; break;
		default:
			if (!(opt & (IN_RAW | IN_CONF)))
				return -EINVAL;   /* getopt said which; err "" asks for the usage */
			*(const char **)((opt & IN_RAW ? (char *)&r : (char *)c) + (opt & 0xffff)) = optarg;
		}
	}
	if (optind < argc)
		return bad(c, "argument", argv[optind]);
	return check(c, &r);
}
