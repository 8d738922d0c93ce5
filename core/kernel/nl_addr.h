/*
 * nl_addr: interface addresses over rtnetlink (RTM_*ADDR), and waiting for
 * IPv6 duplicate address detection to finish.
 *
 * Names: xc_nl_addr_
 */
#ifndef XC_NL_ADDR_H
#define XC_NL_ADDR_H

#include "kernel/netlink.h"

/* One address; also the argument of add and delete. */
struct xc_addr {
	int ifindex;
	struct xc_prefix prefix;   /* the address and its prefix length */
	uint32_t flags;            /* IFA_F_* (IFA_F_NODAD, IFA_F_NOPREFIXROUTE, ...) */
	uint8_t scope;             /* RT_SCOPE_*; 0 (universe) is the usual one */
	char label[IFNAMSIZ];      /* IPv4 label; "": the interface's name */
};

typedef int (*xc_nl_addr_cb)(const struct xc_addr *addr, void *arg);

/*
 * Parse an RTM_NEWADDR/RTM_DELADDR message (dump answer or event).
 * -EBADMSG for anything else or a message without an address.
 */
int xc_nl_addr_parse(const struct nlmsghdr *nlh, struct xc_addr *out);

/*
 * Add an address; -EEXIST if the interface already has it. An IPv4
 * address shorter than /31 gets its broadcast address, as the reference
 * plugins' netlink library sets it.
 */
int xc_nl_addr_add(struct xc_nl *nl, const struct xc_addr *a);

/* Remove an address (ifindex, prefix); -EADDRNOTAVAIL if absent. */
int xc_nl_addr_del(struct xc_nl *nl, const struct xc_addr *a);

/*
 * Call cb for each address of family (AF_INET, AF_INET6, AF_UNSPEC for
 * both) on ifindex (0: every interface).
 */
int xc_nl_addr_list(struct xc_nl *nl, int family, int ifindex, xc_nl_addr_cb cb, void *arg);

/* xc_nl_addr_wait() flags */
#define XC_NL_WAIT_SKIP_LINKLOCAL 1u  /* ignore scope-link (fe80::/10) addresses */

/*
 * Wait until no IPv6 address on ifindex is tentative (still in duplicate
 * address detection), at most timeout_ms. It listens for the kernel's
 * RTNLGRP_IPV6_IFADDR events: joins the group first, then reads the
 * current state with a dump, then sleeps in poll(2) until an event or the
 * deadline and dumps again; it never sleeps a fixed time. Optimistic
 * addresses count as settled. DAD runs only while the link is up with a
 * carrier, so a down interface times out.
 * Returns 0, -ETIMEDOUT, or -EADDRNOTAVAIL when DAD found a duplicate.
 * Events that arrive meanwhile are consumed; nl must not be subscribed to
 * RTNLGRP_IPV6_IFADDR by its caller.
 */
int xc_nl_addr_wait(struct xc_nl *nl, int ifindex, unsigned flags, int timeout_ms);

#endif
