/*
 * nl_route: routes over rtnetlink. See nl_route.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "kernel/nl_route.h"

#define REQ_WORDS 96

static int fam_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

/* ---- parsing ---------------------------------------------------------- */

/* RTA_VIA: a next hop of any family (struct rtvia). */
static int get_via(const struct nlattr *a, struct xc_ip *ip)
{
	const uint8_t *p;
	uint16_t fam;
	size_t n;

	memset(ip, 0, sizeof(*ip));
	if (!a || xc_nl_attr_len(a) < sizeof(fam))
		return -EINVAL;
	p = xc_nl_attr_data(a);
	memcpy(&fam, p, sizeof(fam));
	n = (size_t)fam_bits(fam) / 8;
	if (!n || xc_nl_attr_len(a) != sizeof(fam) + n)
		return -EINVAL;
	ip->family = (uint8_t)fam;
	memcpy(ip->a, p + sizeof(fam), n);
	return 0;
}

static void get_gw(const struct nlattr **tb, int family, struct xc_ip *gw)
{
	if (xc_nl_get_ip(tb[RTA_GATEWAY], family, gw) < 0)
		get_via(tb[RTA_VIA], gw);
}

/* Count the hops of RTA_MULTIPATH and take the first one's gateway and device. */
static int parse_multipath(const struct nlattr *mp, int family, struct xc_route *out)
{
	const uint8_t *p = xc_nl_attr_data(mp);
	size_t len = xc_nl_attr_len(mp), step;
	const struct nlattr *tb[RTA_MAX + 1];
	struct rtnexthop nh;

	out->nexthops = 0;
	while (len >= sizeof(nh)) {
		memcpy(&nh, p, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > len)
			return -EBADMSG;
		if (out->nexthops++ == 0) {
			out->oif = nh.rtnh_ifindex;
			out->flags |= nh.rtnh_flags;
			xc_nl_attr_parse(p + RTNH_LENGTH(0), nh.rtnh_len - RTNH_LENGTH(0),
					 tb, RTA_MAX);
			get_gw(tb, family, &out->gw);
		}
		step = RTNH_ALIGN((size_t)nh.rtnh_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

static void parse_metrics(const struct nlattr *mx, struct xc_route *out)
{
	const struct nlattr *tb[RTAX_MAX + 1];

	if (mx && xc_nl_nest_parse(mx, tb, RTAX_MAX) == 0)
		out->mtu = xc_nl_get_u32(tb[RTAX_MTU], 0);
}

int xc_nl_route_parse(const struct nlmsghdr *nlh, struct xc_route *out)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm = NLMSG_DATA(nlh);
	int fam;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
		return -EBADMSG;
	if (xc_nl_msg_parse(nlh, sizeof(*rtm), tb, RTA_MAX) < 0)
		return -EBADMSG;
	fam = rtm->rtm_family;
	if (!fam_bits(fam))
		return -EAFNOSUPPORT;
	if (rtm->rtm_dst_len > fam_bits(fam))
		return -EBADMSG;
	out->dst.ip.family = (uint8_t)fam;
	if (tb[RTA_DST] && xc_nl_get_ip(tb[RTA_DST], fam, &out->dst.ip) < 0)
		return -EBADMSG;
	out->dst.len = rtm->rtm_dst_len;
	out->table = xc_nl_get_u32(tb[RTA_TABLE], rtm->rtm_table);
	out->protocol = rtm->rtm_protocol;
	out->scope = rtm->rtm_scope;
	out->type = rtm->rtm_type;
	out->flags = rtm->rtm_flags;
	out->oif = (int)xc_nl_get_u32(tb[RTA_OIF], 0);
	out->metric = xc_nl_get_u32(tb[RTA_PRIORITY], 0);
	xc_nl_get_ip(tb[RTA_PREFSRC], fam, &out->src);
	get_gw(tb, fam, &out->gw);
	parse_metrics(tb[RTA_METRICS], out);
	out->nh_id = xc_nl_get_u32(tb[RTA_NH_ID], 0);
	out->nexthops = 1;
	if (tb[RTA_MULTIPATH])
		return parse_multipath(tb[RTA_MULTIPATH], fam, out);
	return 0;
}

/* ---- requests --------------------------------------------------------- */

static void mask_prefix(struct xc_prefix *p)
{
	int i, bits = fam_bits(p->ip.family);

	for (i = p->len; i < bits; i++)
		p->ip.a[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

static void put_gw(struct xc_nl_msg *m, int family, const struct xc_ip *gw)
{
	uint8_t via[2 + 16];
	uint16_t fam = gw->family;
	size_t n = (size_t)fam_bits(fam) / 8;

	if (gw->family == family) {
		xc_nl_put_ip(m, RTA_GATEWAY, gw);
		return;
	}
	memcpy(via, &fam, sizeof(fam));
	memcpy(via + sizeof(fam), gw->a, n);
	xc_nl_put(m, RTA_VIA, via, sizeof(fam) + n);
}

static uint8_t add_scope(const struct xc_route *r, uint8_t type)
{
	if (r->scope != RT_SCOPE_UNIVERSE)
		return r->scope;
	if (type == RTN_LOCAL)
		return RT_SCOPE_HOST;
	if (r->dst.ip.family == AF_INET && type == RTN_UNICAST && !r->gw.family)
		return RT_SCOPE_LINK;
	return RT_SCOPE_UNIVERSE;
}

static int check_route(const struct xc_route *r)
{
	int fam = r->dst.ip.family;

	if (!fam_bits(fam))
		return -EAFNOSUPPORT;
	if (r->dst.len > fam_bits(fam))
		return -EINVAL;
	if ((r->gw.family && !fam_bits(r->gw.family)) || (r->src.family && r->src.family != fam))
		return -EAFNOSUPPORT;
	return 0;
}

static void put_common(struct xc_nl_msg *m, const struct xc_route *r, uint32_t table)
{
	struct xc_prefix dst = r->dst;
	struct nlattr *mx;

	xc_nl_put_u32(m, RTA_TABLE, table);
	if (dst.len) {
		mask_prefix(&dst);
		xc_nl_put_ip(m, RTA_DST, &dst.ip);
	}
	if (r->gw.family)
		put_gw(m, dst.ip.family, &r->gw);
	if (r->oif > 0)
		xc_nl_put_u32(m, RTA_OIF, (uint32_t)r->oif);
	if (r->src.family)
		xc_nl_put_ip(m, RTA_PREFSRC, &r->src);
	if (r->metric)
		xc_nl_put_u32(m, RTA_PRIORITY, r->metric);
	if (r->mtu) {
		mx = xc_nl_nest_begin(m, RTA_METRICS);
		xc_nl_put_u32(m, RTAX_MTU, r->mtu);
		xc_nl_nest_end(m, mx);
	}
}

int xc_nl_route_add(struct xc_nl *nl, const struct xc_route *r)
{
	uint32_t req[REQ_WORDS];
	uint32_t table = r->table ? r->table : RT_TABLE_MAIN;
	struct xc_nl_msg m;
	struct rtmsg *rtm;
	int err;

	err = check_route(r);
	if (err)
		return err;
	rtm = xc_nl_msg_init(&m, req, sizeof(req), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
			     sizeof(*rtm));
	if (!rtm)
		return m.err;
	rtm->rtm_family = r->dst.ip.family;
	rtm->rtm_dst_len = r->dst.len;
	/* Tables past 255 exist only in RTA_TABLE. */
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_flags = r->flags;
	rtm->rtm_type = r->type ? r->type : RTN_UNICAST;
	rtm->rtm_protocol = r->protocol ? r->protocol : RTPROT_BOOT;
	rtm->rtm_scope = add_scope(r, rtm->rtm_type);
	put_common(&m, r, table);
	return xc_nl_request(nl, &m, NULL, NULL);
}

struct route_list {
	int family;
	uint32_t table;
	uint8_t protocol;
	xc_nl_route_cb cb;
	void *arg;
};

static int on_route(const struct nlmsghdr *nlh, void *arg)
{
	struct route_list *l = arg;
	struct xc_route r;
	int err;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	err = xc_nl_route_parse(nlh, &r);
	if (err == -EAFNOSUPPORT)
		return 0;
	if (err)
		return err;
	/* Filter here too: kernels without strict dumps send everything. */
	if (r.dst.ip.family != l->family || (r.flags & RTM_F_CLONED) ||
	    (l->table && r.table != l->table) ||
	    (l->protocol && r.protocol != l->protocol))
		return 0;
	return l->cb(&r, l->arg);
}

int xc_nl_route_list(struct xc_nl *nl, int family, uint32_t table, uint8_t protocol,
		     xc_nl_route_cb cb, void *arg)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct rtmsg *rtm;
	struct route_list l = { family, table, protocol, cb, arg };

	if (!fam_bits(family))
		return -EAFNOSUPPORT;
	rtm = xc_nl_msg_init(&m, req, sizeof(req), RTM_GETROUTE, 0, sizeof(*rtm));
	if (!rtm)
		return m.err;
	rtm->rtm_family = family;
	rtm->rtm_protocol = protocol;
	if (table < 256)
		rtm->rtm_table = (uint8_t)table;
	else
		xc_nl_put_u32(&m, RTA_TABLE, table);
	return xc_nl_dump(nl, &m, on_route, &l);
}

static int on_got(const struct nlmsghdr *nlh, void *arg)
{
	return xc_nl_route_parse(nlh, arg);
}

int xc_nl_route_get(struct xc_nl *nl, const struct xc_ip *dst, struct xc_route *out)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct rtmsg *rtm;

	memset(out, 0, sizeof(*out));
	if (!fam_bits(dst->family))
		return -EAFNOSUPPORT;
	rtm = xc_nl_msg_init(&m, req, sizeof(req), RTM_GETROUTE, 0, sizeof(*rtm));
	if (!rtm)
		return m.err;
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = (uint8_t)fam_bits(dst->family);
	xc_nl_put_ip(&m, RTA_DST, dst);
	return xc_nl_query(nl, &m, on_got, out);
}

/* ---- nexthop objects -------------------------------------------------- */

int xc_nl_nexthop_parse(const struct nlmsghdr *nlh, struct xc_nexthop *out)
{
	const struct nlattr *tb[NHA_MAX + 1];
	const struct nhmsg *nhm = NLMSG_DATA(nlh);

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != RTM_NEWNEXTHOP && nlh->nlmsg_type != RTM_DELNEXTHOP)
		return -EBADMSG;
	if (xc_nl_msg_parse(nlh, sizeof(*nhm), tb, NHA_MAX) < 0 || !tb[NHA_ID])
		return -EBADMSG;
	out->id = xc_nl_get_u32(tb[NHA_ID], 0);
	out->family = nhm->nh_family;
	out->protocol = nhm->nh_protocol;
	out->flags = nhm->nh_flags;
	out->group = tb[NHA_GROUP] != NULL;
	out->blackhole = tb[NHA_BLACKHOLE] != NULL;
	out->oif = (int)xc_nl_get_u32(tb[NHA_OIF], 0);
	if (tb[NHA_GATEWAY] && fam_bits(nhm->nh_family) &&
	    xc_nl_get_ip(tb[NHA_GATEWAY], nhm->nh_family, &out->gw) < 0)
		return -EBADMSG;
	return 0;
}

struct nexthop_list {
	xc_nl_nexthop_cb cb;
	void *arg;
};

static int on_nexthop(const struct nlmsghdr *nlh, void *arg)
{
	struct nexthop_list *l = arg;
	struct xc_nexthop nh;

	if (nlh->nlmsg_type != RTM_NEWNEXTHOP)
		return 0;
	if (xc_nl_nexthop_parse(nlh, &nh))
		return -EBADMSG;
	return l->cb(&nh, l->arg);
}

int xc_nl_nexthop_list(struct xc_nl *nl, xc_nl_nexthop_cb cb, void *arg)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct nhmsg *nhm;
	struct nexthop_list l = { cb, arg };

	nhm = xc_nl_msg_init(&m, req, sizeof(req), RTM_GETNEXTHOP, 0, sizeof(*nhm));
	if (!nhm)
		return m.err;
	return xc_nl_dump(nl, &m, on_nexthop, &l);
}
