/*
 * nl_route: routes over rtnetlink (RTM_*ROUTE).
 *
 * One struct describes a route to add or one read back (the router writes
 * its own routes in batches: core/router/routes_nl.c).
 * The gateway may be of the other family than the destination: an IPv4
 * route via an IPv6 next hop is sent as RTA_VIA (Linux 5.2 and later).
 * Nexthop objects (RTM_*NEXTHOP, Linux 5.3 and later) are read here too:
 * a route naming one by id has nh_id set.
 *
 * Names: xc_nl_route_ xc_nl_nexthop_
 */
#ifndef XC_NL_ROUTE_H
#define XC_NL_ROUTE_H

#include "kernel/netlink.h"

struct xc_route {
	struct xc_prefix dst;  /* its family is the route's; len 0: default */
	struct xc_ip gw;       /* family 0: no gateway */
	struct xc_ip src;      /* preferred source (RTA_PREFSRC); family 0: none */
	int oif;               /* output interface; 0: none */
	uint32_t table;        /* 0: main (add); every table (list) */
	uint8_t protocol;      /* RTPROT_*; 0: boot (add) */
	uint8_t scope;         /* RT_SCOPE_*; see xc_nl_route_add */
	uint8_t type;          /* RTN_*; 0: unicast (add) */
	uint32_t flags;        /* RTNH_F_ONLINK, ... */
	uint32_t metric;       /* RTA_PRIORITY; 0: kernel default */
	uint32_t mtu;          /* RTAX_MTU; 0: none */
	uint8_t nexthops;      /* reported: 1, or the count of a multipath route
	                          (gw and oif are then its first hop's) */
	uint32_t nh_id;        /* reported: the nexthop object it uses (RTA_NH_ID); 0: none */
};

typedef int (*xc_nl_route_cb)(const struct xc_route *r, void *arg);

/*
 * Parse an RTM_NEWROUTE/RTM_DELROUTE message (dump answer or event).
 * -EBADMSG for anything else; -EAFNOSUPPORT for families other than
 * IPv4/IPv6 (MPLS, multicast) which callers usually skip.
 */
int xc_nl_route_parse(const struct nlmsghdr *nlh, struct xc_route *out);

/*
 * Add a route; -EEXIST if it exists. Scope: as `ip route` does, an IPv4
 * unicast route without gateway given RT_SCOPE_UNIVERSE is sent with
 * RT_SCOPE_LINK, and a local route with RT_SCOPE_HOST.
 */
int xc_nl_route_add(struct xc_nl *nl, const struct xc_route *r);

/*
 * Call cb for each route of family (AF_INET, AF_INET6) in table (0: all)
 * with protocol (0: any). Cached clones are skipped.
 */
int xc_nl_route_list(struct xc_nl *nl, int family, uint32_t table, uint8_t protocol,
		     xc_nl_route_cb cb, void *arg);

/*
 * The route the kernel picks for dst (RTM_GETROUTE, as `ip route get`):
 * out->oif is the interface a packet to dst leaves by.
 */
int xc_nl_route_get(struct xc_nl *nl, const struct xc_ip *dst, struct xc_route *out);

/* A nexthop object as the kernel reports it. */
struct xc_nexthop {
	uint32_t id;
	uint8_t family;        /* AF_INET, AF_INET6; AF_UNSPEC for a group or blackhole */
	uint8_t protocol;      /* who made it (nh_protocol) */
	uint8_t group;         /* 1: a group of nexthops (gw, oif unset) */
	uint8_t blackhole;     /* 1: a blackhole (gw, oif unset) */
	uint32_t flags;        /* RTNH_F_ONLINK, ... */
	int oif;
	struct xc_ip gw;       /* family 0: none (a device route) */
};

typedef int (*xc_nl_nexthop_cb)(const struct xc_nexthop *nh, void *arg);

/* Parse an RTM_NEWNEXTHOP/RTM_DELNEXTHOP message. -EBADMSG for anything else. */
int xc_nl_nexthop_parse(const struct nlmsghdr *nlh, struct xc_nexthop *out);

/*
 * Call cb for each nexthop object (every protocol). -EOPNOTSUPP or
 * -EINVAL from a kernel without them (before 5.3).
 */
int xc_nl_nexthop_list(struct xc_nl *nl, xc_nl_nexthop_cb cb, void *arg);

#endif
