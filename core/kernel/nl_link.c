/*
 * nl_link: interfaces over rtnetlink. See nl_link.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/veth.h>

#include "kernel/nl_link.h"

/* Requests here are a few hundred bytes at most. */
#define REQ_WORDS 256

/* ---- parsing ---------------------------------------------------------- */

static void parse_vxlan(const struct nlattr *data, struct xc_link *out)
{
	const struct nlattr *tb[IFLA_VXLAN_MAX + 1];
	uint16_t port;

	if (!data || xc_nl_nest_parse(data, tb, IFLA_VXLAN_MAX) < 0)
		return;
	out->vxlan.vni = xc_nl_get_u32(tb[IFLA_VXLAN_ID], 0);
	port = xc_nl_get_u16(tb[IFLA_VXLAN_PORT], 0);
	out->vxlan.port = ntohs(port);
	out->vxlan.learning = tb[IFLA_VXLAN_LEARNING] ?
			      (int8_t)xc_nl_get_u8(tb[IFLA_VXLAN_LEARNING], 0) : -1;
	out->vxlan.link = (int)xc_nl_get_u32(tb[IFLA_VXLAN_LINK], 0);
	if (xc_nl_get_ip(tb[IFLA_VXLAN_LOCAL], AF_INET, &out->vxlan.local) < 0)
		xc_nl_get_ip(tb[IFLA_VXLAN_LOCAL6], AF_INET6, &out->vxlan.local);
}

static void parse_brport(const struct nlattr *data, struct xc_link *out)
{
	const struct nlattr *tb[IFLA_BRPORT_MAX + 1];

	if (!data || xc_nl_nest_parse(data, tb, IFLA_BRPORT_MAX) < 0)
		return;
	if (tb[IFLA_BRPORT_MODE])
		out->hairpin = (int8_t)xc_nl_get_u8(tb[IFLA_BRPORT_MODE], 0);
}

static void parse_linkinfo(const struct nlattr *info, struct xc_link *out)
{
	const struct nlattr *tb[IFLA_INFO_MAX + 1];

	if (!info || xc_nl_nest_parse(info, tb, IFLA_INFO_MAX) < 0)
		return;
	xc_nl_get_str(tb[IFLA_INFO_KIND], out->kind, sizeof(out->kind));
	xc_nl_get_str(tb[IFLA_INFO_SLAVE_KIND], out->slave_kind, sizeof(out->slave_kind));
	if (!strcmp(out->kind, "vxlan"))
		parse_vxlan(tb[IFLA_INFO_DATA], out);
	if (!strcmp(out->slave_kind, "bridge"))
		parse_brport(tb[IFLA_INFO_SLAVE_DATA], out);
}

int xc_nl_link_parse(const struct nlmsghdr *nlh, struct xc_link *out)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
	size_t alen;

	memset(out, 0, sizeof(*out));
	out->link_netnsid = -1;
	out->hairpin = -1;
	out->vxlan.learning = -1;
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EBADMSG;
	if (xc_nl_msg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX) < 0)
		return -EBADMSG;
	out->index = ifi->ifi_index;
	out->flags = ifi->ifi_flags;
	out->type = ifi->ifi_type;
	xc_nl_get_str(tb[IFLA_IFNAME], out->name, sizeof(out->name));
	out->mtu = xc_nl_get_u32(tb[IFLA_MTU], 0);
	out->master = (int)xc_nl_get_u32(tb[IFLA_MASTER], 0);
	out->link = (int)xc_nl_get_u32(tb[IFLA_LINK], 0);
	out->link_netnsid = (int)xc_nl_get_u32(tb[IFLA_LINK_NETNSID], (uint32_t)-1);
	out->operstate = xc_nl_get_u8(tb[IFLA_OPERSTATE], 0);
	out->group = xc_nl_get_u32(tb[IFLA_GROUP], 0);
	if (tb[IFLA_ADDRESS]) {
		alen = xc_nl_attr_len(tb[IFLA_ADDRESS]);
		if (alen > sizeof(out->addr))
			alen = sizeof(out->addr);
		memcpy(out->addr, xc_nl_attr_data(tb[IFLA_ADDRESS]), alen);
		out->addr_len = (uint8_t)alen;
	}
	parse_linkinfo(tb[IFLA_LINKINFO], out);
	return 0;
}

/* ---- lookups ---------------------------------------------------------- */

struct one_link {
	struct xc_link *out;
	int found;
};

static int on_one_link(const struct nlmsghdr *nlh, void *arg)
{
	struct one_link *o = arg;

	if (nlh->nlmsg_type != RTM_NEWLINK || o->found)
		return 0;
	if (xc_nl_link_parse(nlh, o->out) < 0)
		return -EBADMSG;
	o->found = 1;
	return 0;
}

static int get_link(struct xc_nl *nl, const char *name, int index, struct xc_link *out)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct ifinfomsg *ifi;
	struct one_link o = { out, 0 };
	int err;

	ifi = xc_nl_msg_init(&m, req, sizeof(req), RTM_GETLINK, 0, sizeof(*ifi));
	if (!ifi)
		return m.err;
	ifi->ifi_index = index;
	if (name) {
		if (strlen(name) >= IFNAMSIZ)
			return -ENAMETOOLONG;
		xc_nl_put_str(&m, IFLA_IFNAME, name);
	}
	/* Statistics are the bulk of a link message and nobody here reads them. */
	xc_nl_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	err = xc_nl_query(nl, &m, on_one_link, &o);
	if (err)
		return err;
	return o.found ? 0 : -ENODEV;
}

int xc_nl_link_get(struct xc_nl *nl, const char *name, struct xc_link *out)
{
	if (!name || !*name)
		return -EINVAL;
	return get_link(nl, name, 0, out);
}

int xc_nl_link_get_index(struct xc_nl *nl, int index, struct xc_link *out)
{
	if (index <= 0)
		return -EINVAL;
	return get_link(nl, NULL, index, out);
}

/* ---- creation --------------------------------------------------------- */

static int check_new(const struct xc_link_new *ln)
{
	if (!ln->name || !*ln->name)
		return -EINVAL;
	return strlen(ln->name) < IFNAMSIZ ? 0 : -ENAMETOOLONG;
}

/* The attributes of one new interface, at top level or in a veth peer. */
static void put_new(struct xc_nl_msg *m, const struct xc_link_new *ln, unsigned mtu)
{
	xc_nl_put_str(m, IFLA_IFNAME, ln->name);
	if (mtu)
		xc_nl_put_u32(m, IFLA_MTU, mtu);
	if (ln->mac)
		xc_nl_put(m, IFLA_ADDRESS, ln->mac, 6);
	if (ln->nsfd > 0)
		xc_nl_put_u32(m, IFLA_NET_NS_FD, (uint32_t)ln->nsfd);
	if (ln->master > 0)
		xc_nl_put_u32(m, IFLA_MASTER, (uint32_t)ln->master);
	if (ln->group)
		xc_nl_put_u32(m, IFLA_GROUP, ln->group);
}

static int new_msg(struct xc_nl_msg *m, uint32_t *req, size_t cap,
		   const struct xc_link_new *ln, unsigned mtu, uint16_t flags)
{
	struct ifinfomsg *ifi;
	int err = check_new(ln);

	if (err)
		return err;
	ifi = xc_nl_msg_init(m, req, cap, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | flags,
			     sizeof(*ifi));
	if (!ifi)
		return m->err;
	if (ln->up) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	put_new(m, ln, mtu);
	return 0;
}

int xc_nl_bridge_add(struct xc_nl *nl, const struct xc_link_new *br)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct nlattr *li, *data;
	int err;

	err = new_msg(&m, req, sizeof(req), br, br->mtu, 0);
	if (err)
		return err;
	li = xc_nl_nest_begin(&m, IFLA_LINKINFO);
	xc_nl_put_str(&m, IFLA_INFO_KIND, "bridge");
	if (br->vlan_filtering) {
		data = xc_nl_nest_begin(&m, IFLA_INFO_DATA);
		xc_nl_put_u8(&m, IFLA_BR_VLAN_FILTERING, 1);
		xc_nl_nest_end(&m, data);
	}
	xc_nl_nest_end(&m, li);
	return xc_nl_request(nl, &m, NULL, NULL);
}

struct echo {
	const char *name;
	struct xc_link *out;
	int found;
};

static int on_echo(const struct nlmsghdr *nlh, void *arg)
{
	struct echo *e = arg;
	struct xc_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK || xc_nl_link_parse(nlh, &l) < 0)
		return 0;
	if (!strcmp(l.name, e->name)) {
		*e->out = l;
		e->found = 1;
	}
	return 0;
}

int xc_nl_veth_add(struct xc_nl *nl, const struct xc_veth *v, struct xc_link *out)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct nlattr *li, *data, *peer;
	struct echo e = { v->end.name, out, 0 };
	unsigned mtu = v->end.mtu ? v->end.mtu : v->peer.mtu;
	unsigned peer_mtu = v->peer.mtu ? v->peer.mtu : v->end.mtu;
	int err;

	err = check_new(&v->peer);
	if (err)
		return err;
	err = new_msg(&m, req, sizeof(req), &v->end, mtu, out ? NLM_F_ECHO : 0);
	if (err)
		return err;
	li = xc_nl_nest_begin(&m, IFLA_LINKINFO);
	xc_nl_put_str(&m, IFLA_INFO_KIND, "veth");
	data = xc_nl_nest_begin(&m, IFLA_INFO_DATA);
	peer = xc_nl_nest_begin(&m, VETH_INFO_PEER);
	/* The peer is described like a whole RTM_NEWLINK body. */
	xc_nl_reserve(&m, sizeof(struct ifinfomsg));
	put_new(&m, &v->peer, peer_mtu);
	xc_nl_nest_end(&m, peer);
	xc_nl_nest_end(&m, data);
	xc_nl_nest_end(&m, li);
	err = xc_nl_request(nl, &m, out ? on_echo : NULL, &e);
	if (err || !out || e.found)
		return err;
	return xc_nl_link_get(nl, v->end.name, out);
}

static void put_vxlan_data(struct xc_nl_msg *m, const struct xc_vxlan *v)
{
	struct nlattr *data = xc_nl_nest_begin(m, IFLA_INFO_DATA);

	xc_nl_put_u32(m, IFLA_VXLAN_ID, v->vni);
	if (v->local && v->local->family == AF_INET)
		xc_nl_put_ip(m, IFLA_VXLAN_LOCAL, v->local);
	else if (v->local && v->local->family == AF_INET6)
		xc_nl_put_ip(m, IFLA_VXLAN_LOCAL6, v->local);
	if (v->underlay > 0)
		xc_nl_put_u32(m, IFLA_VXLAN_LINK, (uint32_t)v->underlay);
	if (v->port)
		xc_nl_put_u16(m, IFLA_VXLAN_PORT, htons(v->port));
	xc_nl_put_u8(m, IFLA_VXLAN_LEARNING, v->learning ? 1 : 0);
	xc_nl_nest_end(m, data);
}

int xc_nl_vxlan_add(struct xc_nl *nl, const struct xc_vxlan *v)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct nlattr *li;
	int err;

	if (v->vni >= 1u << 24)
		return -EINVAL;
	if (v->local && v->local->family != AF_INET && v->local->family != AF_INET6)
		return -EAFNOSUPPORT;
	err = new_msg(&m, req, sizeof(req), &v->dev, v->dev.mtu, 0);
	if (err)
		return err;
	li = xc_nl_nest_begin(&m, IFLA_LINKINFO);
	xc_nl_put_str(&m, IFLA_INFO_KIND, "vxlan");
	put_vxlan_data(&m, v);
	xc_nl_nest_end(&m, li);
	return xc_nl_request(nl, &m, NULL, NULL);
}

/* ---- changes ---------------------------------------------------------- */

static struct ifinfomsg *set_msg(struct xc_nl_msg *m, uint32_t *req, size_t cap,
				 uint16_t type, int index)
{
	struct ifinfomsg *ifi;

	ifi = xc_nl_msg_init(m, req, cap, type, 0, sizeof(*ifi));
	if (ifi)
		ifi->ifi_index = index;
	return ifi;
}

int xc_nl_link_del(struct xc_nl *nl, int index)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;

	if (index <= 0)
		return -EINVAL;
	set_msg(&m, req, sizeof(req), RTM_DELLINK, index);
	return xc_nl_request(nl, &m, NULL, NULL);
}

static int set_flag(struct xc_nl *nl, int index, unsigned flag, int on)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	struct ifinfomsg *ifi;

	if (index <= 0)
		return -EINVAL;
	ifi = set_msg(&m, req, sizeof(req), RTM_NEWLINK, index);
	if (!ifi)
		return m.err;
	ifi->ifi_flags = on ? flag : 0;
	ifi->ifi_change = flag;
	return xc_nl_request(nl, &m, NULL, NULL);
}

int xc_nl_link_set_up(struct xc_nl *nl, int index, int up)
{
	return set_flag(nl, index, IFF_UP, up);
}

int xc_nl_link_set_promisc(struct xc_nl *nl, int index, int on)
{
	return set_flag(nl, index, IFF_PROMISC, on);
}

/* One attribute changed on an existing interface. */
static int set_attr(struct xc_nl *nl, int index, uint16_t type, const void *data, size_t len)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;

	if (index <= 0)
		return -EINVAL;
	set_msg(&m, req, sizeof(req), RTM_NEWLINK, index);
	xc_nl_put(&m, type, data, len);
	return xc_nl_request(nl, &m, NULL, NULL);
}

int xc_nl_link_set_mtu(struct xc_nl *nl, int index, unsigned mtu)
{
	uint32_t v = mtu;

	return set_attr(nl, index, IFLA_MTU, &v, sizeof(v));
}

int xc_nl_link_set_addr(struct xc_nl *nl, int index, const uint8_t *addr, size_t len)
{
	if (!len || len > XC_LINK_ADDR_MAX)
		return -EINVAL;
	return set_attr(nl, index, IFLA_ADDRESS, addr, len);
}
