/*
 * nl_event: rtnetlink notifications for a poll loop.
 *
 * A monitor is an ordinary context subscribed to groups; its descriptor
 * (nl->fd) goes into poll(2), and when it is readable xc_nl_event_recv()
 * turns each queued notification into one typed event with the same
 * parsers the dumps use.
 *
 * Names: xc_nl_event_ xc_nl_monitor_
 */
#ifndef XC_NL_EVENT_H
#define XC_NL_EVENT_H

#include "kernel/netlink.h"
#include "kernel/nl_link.h"
#include "kernel/nl_addr.h"
#include "kernel/nl_route.h"
#include "kernel/nl_neigh.h"

/* Groups for xc_nl_monitor_open(), combinable. */
#define XC_NL_MON_LINK      0x01u  /* RTNLGRP_LINK */
#define XC_NL_MON_IPV4_ADDR 0x02u  /* RTNLGRP_IPV4_IFADDR */
#define XC_NL_MON_IPV6_ADDR 0x04u  /* RTNLGRP_IPV6_IFADDR */
#define XC_NL_MON_IPV4_ROUTE 0x08u /* RTNLGRP_IPV4_ROUTE */
#define XC_NL_MON_IPV6_ROUTE 0x10u /* RTNLGRP_IPV6_ROUTE */
#define XC_NL_MON_NEIGH     0x20u  /* RTNLGRP_NEIGH */
#define XC_NL_MON_NEXTHOP   0x40u  /* RTNLGRP_NEXTHOP (only a kernel with them has it) */

enum xc_nl_event_kind {
	XC_NL_EV_LINK = 1, XC_NL_EV_ADDR, XC_NL_EV_ROUTE, XC_NL_EV_NEIGH, XC_NL_EV_NEXTHOP,
};

struct xc_nl_event {
	uint16_t type;              /* RTM_NEWLINK, RTM_DELROUTE, ... */
	enum xc_nl_event_kind kind; /* which member of u is filled */
	union {
		struct xc_link link;
		struct xc_addr addr;
		struct xc_route route;
		struct xc_neigh neigh;
		struct xc_nexthop nexthop;
	} u;
};

typedef int (*xc_nl_event_cb)(const struct xc_nl_event *ev, void *arg);

/*
 * Open a context in the calling thread's netns subscribed to the groups in
 * mask (XC_NL_MON_*), with the socket's receive queue raised to rcvbuf
 * bytes when rcvbuf > 0 (a burst of route changes can overflow the default
 * and cost a resync). Send requests and dumps through another context: a
 * request on this one would drop the events that arrive meanwhile.
 */
int xc_nl_monitor_open(struct xc_nl *nl, void *buf, size_t size, unsigned mask, int rcvbuf);

/*
 * Parse one notification. -ENOENT for message types this module does not
 * know (the caller skips them), -EAFNOSUPPORT for routes of other
 * families, -EBADMSG for malformed ones.
 */
int xc_nl_event_parse(const struct nlmsghdr *nlh, struct xc_nl_event *ev);

/*
 * Read one queued datagram and call cb for each event in it; messages
 * xc_nl_event_parse() refuses are skipped. Returns the number of events
 * passed to cb, -EAGAIN when nothing is queued, -ENOBUFS when events were
 * lost (resynchronise with dumps; the events queued behind the loss are
 * older than those dumps and have been dropped), or cb's error.
 */
int xc_nl_event_recv(struct xc_nl *nl, xc_nl_event_cb cb, void *arg);

#endif
