/*
 * nl_neigh: neighbour (ARP/NDP) entries and bridge FDB entries over
 * rtnetlink (RTM_*NEIGH).
 *
 * A VXLAN device is programmed the way flannel does it: for each remote
 * node a permanent ARP/NDP entry (remote overlay IP -> remote VTEP MAC) on
 * the VXLAN device, and an FDB entry (family AF_BRIDGE, NTF_SELF, remote
 * VTEP MAC -> NDA_DST remote underlay IP). The router writes them in its
 * batches (core/router/routes_nl.c); this module parses and lists them.
 *
 * Names: xc_nl_neigh_
 */
#ifndef XC_NL_NEIGH_H
#define XC_NL_NEIGH_H

#include "kernel/netlink.h"

#define XC_NEIGH_LLADDR_MAX 32

struct xc_neigh {
	uint8_t family;      /* AF_INET, AF_INET6, or AF_BRIDGE for FDB entries */
	int ifindex;
	struct xc_ip dst;    /* NDA_DST: the neighbour's IP, or an FDB entry's
	                        remote VTEP; family 0: none */
	uint8_t lladdr_len;  /* 0: none */
	uint8_t lladdr[XC_NEIGH_LLADDR_MAX];
	uint16_t state;      /* NUD_* */
	uint8_t flags;       /* NTF_SELF, NTF_MASTER, NTF_ROUTER, ... */
	int master;          /* NDA_MASTER (reported) */
	uint32_t vni;        /* NDA_VNI; 0: none */
};

typedef int (*xc_nl_neigh_cb)(const struct xc_neigh *n, void *arg);

/*
 * Parse an RTM_NEWNEIGH/RTM_DELNEIGH message (dump answer or event).
 * -EBADMSG for anything else.
 */
int xc_nl_neigh_parse(const struct nlmsghdr *nlh, struct xc_neigh *out);

/*
 * Call cb for each entry of family (AF_INET, AF_INET6, AF_BRIDGE) on
 * ifindex (0: all interfaces).
 */
int xc_nl_neigh_list(struct xc_nl *nl, int family, int ifindex, xc_nl_neigh_cb cb, void *arg);

#endif
