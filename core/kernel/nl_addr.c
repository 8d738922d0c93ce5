/*
 * nl_addr: interface addresses over rtnetlink. See nl_addr.h.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include <linux/if_addr.h>

#include "base/deadline.h"
#include "kernel/nl_addr.h"

#define REQ_WORDS 64

int xc_nl_addr_parse(const struct nlmsghdr *nlh, struct xc_addr *out)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa = NLMSG_DATA(nlh);
	const struct nlattr *ip;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return -EBADMSG;
	if (xc_nl_msg_parse(nlh, sizeof(*ifa), tb, IFA_MAX) < 0)
		return -EBADMSG;
	/* IFA_ADDRESS is the peer on point-to-point links; IFA_LOCAL is ours. */
	ip = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (xc_nl_get_ip(ip, ifa->ifa_family, &out->prefix.ip) < 0)
		return -EBADMSG;
	if (ifa->ifa_prefixlen > (ifa->ifa_family == AF_INET ? 32 : 128))
		return -EBADMSG;
	out->prefix.len = ifa->ifa_prefixlen;
	out->ifindex = (int)ifa->ifa_index;
	out->scope = ifa->ifa_scope;
	/* The header has room for the first 8 flags only. */
	out->flags = xc_nl_get_u32(tb[IFA_FLAGS], ifa->ifa_flags);
	xc_nl_get_str(tb[IFA_LABEL], out->label, sizeof(out->label));
	return 0;
}

/* IPv4 broadcast: the prefix's last address. */
static void broadcast4(const struct xc_prefix *p, struct xc_ip *brd)
{
	uint32_t a, mask = p->len ? ~0u << (32 - p->len) : 0;

	*brd = p->ip;
	a = ((uint32_t)p->ip.a[0] << 24 | (uint32_t)p->ip.a[1] << 16 |
	     (uint32_t)p->ip.a[2] << 8 | p->ip.a[3]) | ~mask;
	brd->a[0] = a >> 24;
	brd->a[1] = a >> 16;
	brd->a[2] = a >> 8;
	brd->a[3] = a;
}

static int addr_msg(struct xc_nl_msg *m, uint32_t *req, size_t cap, uint16_t type,
		    uint16_t flags, const struct xc_addr *a)
{
	const struct xc_prefix *p = &a->prefix;
	struct ifaddrmsg *ifa;
	int v4 = p->ip.family == AF_INET;

	if (!v4 && p->ip.family != AF_INET6)
		return -EAFNOSUPPORT;
	if (p->len > (v4 ? 32 : 128) || a->ifindex <= 0)
		return -EINVAL;
	ifa = xc_nl_msg_init(m, req, cap, type, flags, sizeof(*ifa));
	if (!ifa)
		return m->err;
	ifa->ifa_family = p->ip.family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_flags = (uint8_t)a->flags;
	ifa->ifa_scope = a->scope;
	ifa->ifa_index = (uint32_t)a->ifindex;
	xc_nl_put_ip(m, IFA_LOCAL, &p->ip);
	xc_nl_put_ip(m, IFA_ADDRESS, &p->ip);
	return 0;
}

int xc_nl_addr_add(struct xc_nl *nl, const struct xc_addr *a)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct xc_ip brd;
	int err;

	err = addr_msg(&m, req, sizeof(req), RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, a);
	if (err)
		return err;
	if (a->flags > 0xff)
		xc_nl_put_u32(&m, IFA_FLAGS, a->flags);
	if (a->prefix.ip.family == AF_INET && a->label[0])
		xc_nl_put_str(&m, IFA_LABEL, a->label);
	if (a->prefix.ip.family == AF_INET && a->prefix.len < 31) {
		broadcast4(&a->prefix, &brd);
		xc_nl_put_ip(&m, IFA_BROADCAST, &brd);
	}
	return xc_nl_request(nl, &m, NULL, NULL);
}

int xc_nl_addr_del(struct xc_nl *nl, const struct xc_addr *a)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct xc_addr d = *a;
	int err;

	d.flags = 0;
	err = addr_msg(&m, req, sizeof(req), RTM_DELADDR, 0, &d);
	if (err)
		return err;
	return xc_nl_request(nl, &m, NULL, NULL);
}

struct addr_list {
	int family, ifindex;
	xc_nl_addr_cb cb;
	void *arg;
};

static int on_addr(const struct nlmsghdr *nlh, void *arg)
{
	struct addr_list *l = arg;
	struct xc_addr a;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	if (xc_nl_addr_parse(nlh, &a) < 0)
		return -EBADMSG;
	/* Kernels without strict dumps ignore the filter in the request. */
	if (l->ifindex && a.ifindex != l->ifindex)
		return 0;
	if (l->family != AF_UNSPEC && a.prefix.ip.family != l->family)
		return 0;
	return l->cb(&a, l->arg);
}

int xc_nl_addr_list(struct xc_nl *nl, int family, int ifindex, xc_nl_addr_cb cb, void *arg)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct ifaddrmsg *ifa;
	struct addr_list l = { family, ifindex, cb, arg };

	ifa = xc_nl_msg_init(&m, req, sizeof(req), RTM_GETADDR, 0, sizeof(*ifa));
	if (!ifa)
		return m.err;
	ifa->ifa_family = family;
	ifa->ifa_index = ifindex > 0 ? (uint32_t)ifindex : 0;
	return xc_nl_dump(nl, &m, on_addr, &l);
}

/* ---- waiting for DAD -------------------------------------------------- */

struct dad_scan {
	unsigned flags;
	int tentative;
	int failed;
};

static int on_dad_addr(const struct xc_addr *a, void *arg)
{
	struct dad_scan *s = arg;

	if ((s->flags & XC_NL_WAIT_SKIP_LINKLOCAL) && a->scope == RT_SCOPE_LINK)
		return 0;
	if (a->flags & IFA_F_DADFAILED)
		s->failed = 1;
	else if ((a->flags & IFA_F_TENTATIVE) && !(a->flags & IFA_F_OPTIMISTIC))
		s->tentative++;
	return 0;
}

static int ignore_msg(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
	return 0;
}

/* Throw away queued events: they only said "look again". */
static void drain(struct xc_nl *nl)
{
	int n;

	do
		n = xc_nl_recv(nl, ignore_msg, NULL);
	while (n >= 0 || n == -ENOBUFS || n == -EBADMSG || n == -EMSGSIZE);
}

/* One look at the state; 1 when settled, 0 to wait on, negative errno. */
static int dad_settled(struct xc_nl *nl, int ifindex, unsigned flags, int *missed)
{
	struct dad_scan s = { flags, 0, 0 };
	unsigned stray = nl->stray;
	int err;

	err = xc_nl_addr_list(nl, AF_INET6, ifindex, on_dad_addr, &s);
	if (err)
		return err;
	if (s.failed)
		return -EADDRNOTAVAIL;
	/* An event passed by during the dump: what it said may be newer. */
	*missed = nl->stray != stray;
	return s.tentative == 0;
}

static int dad_loop(struct xc_nl *nl, int ifindex, unsigned flags, long long deadline)
{
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	int missed, ret;
	long long left;

	for (;;) {
		ret = dad_settled(nl, ifindex, flags, &missed);
		if (ret)
			return ret < 0 ? ret : 0;
		if (missed)
			continue;
		left = deadline - xc_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		ret = poll(&pfd, 1, (int)left);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret == 0)
			return -ETIMEDOUT;
		drain(nl);
	}
}

int xc_nl_addr_wait(struct xc_nl *nl, int ifindex, unsigned flags, int timeout_ms)
{
	long long deadline = xc_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int err;

	if (ifindex <= 0)
		return -EINVAL;
	/* Subscribe before looking, so no change can fall between the two. */
	err = xc_nl_join(nl, RTNLGRP_IPV6_IFADDR);
	if (err)
		return err;
	err = dad_loop(nl, ifindex, flags, deadline);
	xc_nl_leave(nl, RTNLGRP_IPV6_IFADDR);
	drain(nl);
	return err;
}
