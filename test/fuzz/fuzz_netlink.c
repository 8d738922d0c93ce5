/*
 * fuzz_netlink: core/kernel/netlink's message walker and the link, address,
 * route, neighbour, nexthop object and ACK parsers on arbitrary bytes
 * taken as a datagram received from the kernel.
 *
 * Every message is also copied into a buffer of exactly its length and
 * parsed as each message type in turn, so the sanitizers see any read past
 * a message's end, not only past the datagram's. On success the parsed
 * values must be within their documented ranges.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/kernel/netlink.h"
#include "../../core/kernel/nl_event.h"
#include "../../core/kernel/nl_route.h"

#define MUST(c) do { if (!(c)) abort(); } while (0)

static const uint16_t types[] = {
	RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR, RTM_NEWROUTE,
	RTM_DELROUTE, RTM_NEWNEIGH, RTM_DELNEIGH, RTM_NEWNEXTHOP, RTM_DELNEXTHOP,
	NLMSG_ERROR, NLMSG_DONE,
};

static int bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : -1;
}

static void check_event(const struct xc_nl_event *ev)
{
	switch (ev->kind) {
	case XC_NL_EV_LINK:
		MUST(strlen(ev->u.link.name) < sizeof(ev->u.link.name));
		MUST(strlen(ev->u.link.kind) < sizeof(ev->u.link.kind));
		MUST(ev->u.link.addr_len <= sizeof(ev->u.link.addr));
		break;
	case XC_NL_EV_ADDR:
		MUST(ev->u.addr.prefix.len <= bits(ev->u.addr.prefix.ip.family));
		break;
	case XC_NL_EV_ROUTE:
		MUST(ev->u.route.dst.len <= bits(ev->u.route.dst.ip.family));
		MUST(!ev->u.route.gw.family || bits(ev->u.route.gw.family) > 0);
		break;
	case XC_NL_EV_NEIGH:
		MUST(ev->u.neigh.lladdr_len <= sizeof(ev->u.neigh.lladdr));
		break;
	}
}

static void parse_as(struct nlmsghdr *nlh, uint16_t type)
{
	struct xc_nl_event ev;
	struct xc_nexthop nh;
	char msg[XC_NL_ERRMSG_MAX];
	uint32_t off;
	int st;

	nlh->nlmsg_type = type;
	if (type == RTM_NEWNEXTHOP || type == RTM_DELNEXTHOP) {
		if (xc_nl_nexthop_parse(nlh, &nh) == 0)
			MUST(!nh.gw.family || bits(nh.gw.family) > 0);
		return;
	}
	if (type == NLMSG_ERROR || type == NLMSG_DONE) {
		st = xc_nl_ack_parse(nlh, msg, sizeof(msg), &off);
		MUST(st <= 0 && st >= -4095);
		MUST(strlen(msg) < sizeof(msg));
		return;
	}
	if (xc_nl_event_parse(nlh, &ev) == 0)
		check_event(&ev);
}

static int on_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct xc_nl_event ev;
	struct nlmsghdr *copy;
	size_t i;

	(void)arg;
	if (xc_nl_event_parse(nlh, &ev) == 0)
		check_event(&ev);
	copy = malloc(nlh->nlmsg_len);
	MUST(copy);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memcpy(copy, nlh, nlh->nlmsg_len);
		parse_as(copy, types[i]);
	}
	free(copy);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlattr *tb[32];
	void *buf;

	if (size > XC_NL_BUFSIZE)
		return 0;
	/* Exactly size bytes, so a read past the end is caught. */
	buf = malloc(size ? size : 1);
	MUST(buf);
	memcpy(buf, data, size);
	xc_nl_walk(buf, size, on_msg, NULL);
	xc_nl_attr_parse(buf, size, tb, 31);
	free(buf);
	return 0;
}
