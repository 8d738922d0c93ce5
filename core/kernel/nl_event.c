/*
 * nl_event: rtnetlink notifications. See nl_event.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "kernel/nl_event.h"

static const struct {
	unsigned bit, group;
} groups[] = {
	{ XC_NL_MON_LINK, RTNLGRP_LINK },
	{ XC_NL_MON_IPV4_ADDR, RTNLGRP_IPV4_IFADDR },
	{ XC_NL_MON_IPV6_ADDR, RTNLGRP_IPV6_IFADDR },
	{ XC_NL_MON_IPV4_ROUTE, RTNLGRP_IPV4_ROUTE },
	{ XC_NL_MON_IPV6_ROUTE, RTNLGRP_IPV6_ROUTE },
	{ XC_NL_MON_NEIGH, RTNLGRP_NEIGH },
	{ XC_NL_MON_NEXTHOP, RTNLGRP_NEXTHOP },
};

int xc_nl_monitor_open(struct xc_nl *nl, void *buf, size_t size, unsigned mask, int rcvbuf)
{
	size_t i;
	int err;

	err = xc_nl_open(nl, buf, size);
	if (err)
		return err;
	/* FORCE passes the rmem_max cap when we have CAP_NET_ADMIN. */
	if (rcvbuf > 0 &&
	    setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (!(mask & groups[i].bit))
			continue;
		err = xc_nl_join(nl, groups[i].group);
		if (err) {
			xc_nl_close(nl);
			return err;
		}
	}
	return 0;
}

int xc_nl_event_parse(const struct nlmsghdr *nlh, struct xc_nl_event *ev)
{
	ev->type = nlh->nlmsg_type;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		ev->kind = XC_NL_EV_LINK;
		return xc_nl_link_parse(nlh, &ev->u.link);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		ev->kind = XC_NL_EV_ADDR;
		return xc_nl_addr_parse(nlh, &ev->u.addr);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		ev->kind = XC_NL_EV_ROUTE;
		return xc_nl_route_parse(nlh, &ev->u.route);
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		ev->kind = XC_NL_EV_NEIGH;
		return xc_nl_neigh_parse(nlh, &ev->u.neigh);
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		ev->kind = XC_NL_EV_NEXTHOP;
		return xc_nl_nexthop_parse(nlh, &ev->u.nexthop);
	default:
		ev->kind = 0;
		return -ENOENT;
	}
}

struct ev_ctx {
	xc_nl_event_cb cb;
	void *arg;
	int n;
};

static int on_event(const struct nlmsghdr *nlh, void *arg)
{
	struct ev_ctx *c = arg;
	struct xc_nl_event ev;
	int err;

	if (xc_nl_event_parse(nlh, &ev) < 0)
		return 0;
	err = c->cb(&ev, c->arg);
	if (err < 0)
		return err;
	c->n++;
	return 0;
}

/*
 * The kernel reports a loss before the events still queued. Those are
 * older than any dump the caller makes next; applied after it they would
 * put the caller's copy back in the past. A datagram read into one byte
 * with MSG_TRUNC is gone whole.
 */
static void drop_queued(struct xc_nl *nl)
{
	char b;

	while (recv(nl->fd, &b, 1, MSG_DONTWAIT | MSG_TRUNC) >= 0 || errno == ENOBUFS ||
	       errno == EINTR)
		;
}

int xc_nl_event_recv(struct xc_nl *nl, xc_nl_event_cb cb, void *arg)
{
	struct ev_ctx c = { cb, arg, 0 };
	int err;

	err = xc_nl_recv(nl, on_event, &c);
	if (err == -ENOBUFS)
		drop_queued(nl);
	return err < 0 ? err : c.n;
}
