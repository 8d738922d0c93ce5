/*
 * rtconf: the router's configuration from its flags and environment
 * (applets/router.c's usage text lists them). A flag wins over its
 * variable; the variables are the seed's names (NODE_NAME, KUBECONFIG,
 * TUNNEL_MODE, IPV6_PREFIX, ADDRESS_MAP, NODE_IP, PROTOCOL, TABLE,
 * CIDR_ANNOTATION, ADDRESS_ANNOTATION, VXLAN_VNI, VXLAN_PORT, CACHE_DIR,
 * METRICS_PORT, RESYNC_SECONDS, MASQUERADE, CLUSTER_CIDR,
 * NO_MASQUERADE_CIDRS). Kept apart from the applet so that the
 * loop is what applets/router.c holds.
 *
 * Names: xc_rtconf_
 */
#ifndef XC_RTCONF_H
#define XC_RTCONF_H

#include "router/masq.h"
#include "router/nodetab.h"
#include "router/routes.h"
#include "router/tunnel.h"

struct xc_rtconf {
	const char *nodes_file, *kubeconfig, *addr_map, *node_ip, *cache_dir, *network;
	char self[XC_NODE_NAME_MAX + 1];
	int mode;                    /* enum xc_rt_mode; -1: default (tunnel.h's pick) */
	int once, dry_run, cleanup;
	unsigned port, resync_s, debounce_ms;
	int log_level;               /* enum xc_log_level; -1: not set */
	struct xc_rt_conf rc;        /* rc.self points into self */
	struct xc_node_parse np;
	struct xc_tunnel_opts tun;
	struct xc_masq_conf masq;    /* egress masquerade (masq.h) */
	char err[200];               /* why parsing failed; "": usage */
};

/*
 * Fill c from argv (getopt_long from optind 1) and the environment, with
 * the defaults for the rest (metrics port 9142, resync 60 s, debounce
 * 10 ms, protocol 202, /var/lib/cni/networks and network xcluster-cni for
 * node-local's pod CIDR cache, VXLAN xcvx0/1/4789; node name: the host's).
 * Returns 0, or -EINVAL with c->err saying what is wrong (empty for an
 * unknown option: print the usage).
 */
int xc_rtconf_parse(struct xc_rtconf *c, int argc, char **argv);

#endif
