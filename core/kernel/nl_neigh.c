/*
 * nl_neigh: neighbour and FDB entries over rtnetlink. See nl_neigh.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "kernel/nl_neigh.h"

#define REQ_WORDS 64

int xc_nl_neigh_parse(const struct nlmsghdr *nlh, struct xc_neigh *out)
{
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm = NLMSG_DATA(nlh);
	size_t n;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH)
		return -EBADMSG;
	if (xc_nl_msg_parse(nlh, sizeof(*ndm), tb, NDA_MAX) < 0)
		return -EBADMSG;
	out->family = ndm->ndm_family;
	out->ifindex = ndm->ndm_ifindex;
	out->state = ndm->ndm_state;
	out->flags = ndm->ndm_flags;
	/* An FDB entry's remote may be of either family: its length tells. */
	if (tb[NDA_DST] && xc_nl_get_ip(tb[NDA_DST], AF_INET, &out->dst) < 0)
		xc_nl_get_ip(tb[NDA_DST], AF_INET6, &out->dst);
	if (tb[NDA_LLADDR]) {
		n = xc_nl_attr_len(tb[NDA_LLADDR]);
		if (n > sizeof(out->lladdr))
			return -EBADMSG;
		memcpy(out->lladdr, xc_nl_attr_data(tb[NDA_LLADDR]), n);
		out->lladdr_len = (uint8_t)n;
	}
	out->master = (int)xc_nl_get_u32(tb[NDA_MASTER], 0);
	out->vni = xc_nl_get_u32(tb[NDA_VNI], 0);
	return 0;
}

struct neigh_list {
	int family, ifindex;
	xc_nl_neigh_cb cb;
	void *arg;
};

static int on_neigh(const struct nlmsghdr *nlh, void *arg)
{
	struct neigh_list *l = arg;
	struct xc_neigh n;

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return 0;
	if (xc_nl_neigh_parse(nlh, &n) < 0)
		return -EBADMSG;
	if (n.family != l->family || (l->ifindex && n.ifindex != l->ifindex))
		return 0;
	return l->cb(&n, l->arg);
}

int xc_nl_neigh_list(struct xc_nl *nl, int family, int ifindex, xc_nl_neigh_cb cb, void *arg)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct ndmsg *ndm;
	struct neigh_list l = { family, ifindex, cb, arg };

	ndm = xc_nl_msg_init(&m, req, sizeof(req), RTM_GETNEIGH, 0, sizeof(*ndm));
	if (!ndm)
		return m.err;
	ndm->ndm_family = family;
	/* Strict dumps take the device filter as an attribute, not in the header. */
	if (ifindex > 0)
		xc_nl_put_u32(&m, NDA_IFINDEX, (uint32_t)ifindex);
	return xc_nl_dump(nl, &m, on_neigh, &l);
}
