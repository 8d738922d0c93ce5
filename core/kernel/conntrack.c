/*
 * conntrack: dump the table, keep the entries that match, delete them by
 * their original tuple (conntrack.h says why).
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "kernel/conntrack.h"

#define TUPLE_MAX 128            /* CTA_TUPLE_ORIG of IPv6: about 80 bytes */
#define REQ_WORDS ((TUPLE_MAX + 64) / 4)

struct match {
	uint8_t proto;
	uint16_t port_be;
	int n, more;
	struct {
		uint16_t zone_be;    /* 0: the default zone */
		uint16_t len;
		uint8_t tuple[TUPLE_MAX];  /* the CTA_TUPLE_ORIG payload */
	} e[XC_CT_BATCH];
};

int xc_ct_open(struct xc_nl *nl, void *buf, size_t size)
{
	return xc_nl_open_proto(nl, buf, size, NETLINK_NETFILTER);
}

static int is_match(const struct nlattr *orig, const struct match *m)
{
	const struct nlattr *t[CTA_TUPLE_MAX + 1], *p[CTA_PROTO_MAX + 1];

	if (xc_nl_nest_parse(orig, t, CTA_TUPLE_MAX) || !t[CTA_TUPLE_PROTO] ||
	    xc_nl_nest_parse(t[CTA_TUPLE_PROTO], p, CTA_PROTO_MAX))
		return 0;
	return xc_nl_get_u8(p[CTA_PROTO_NUM], 0) == m->proto && p[CTA_PROTO_DST_PORT] &&
	       xc_nl_get_u16(p[CTA_PROTO_DST_PORT], 0) == m->port_be;
}

static int on_entry(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[CTA_MAX + 1];
	struct match *m = arg;
	size_t len;

	if (xc_nl_msg_parse(nlh, sizeof(struct nfgenmsg), tb, CTA_MAX) || !tb[CTA_TUPLE_ORIG] ||
	    !is_match(tb[CTA_TUPLE_ORIG], m))
		return 0;
	len = xc_nl_attr_len(tb[CTA_TUPLE_ORIG]);
	if (m->n == XC_CT_BATCH || len > TUPLE_MAX) {
		m->more = 1;         /* the next pass takes it */
		return 0;
	}
	m->e[m->n].zone_be = xc_nl_get_u16(tb[CTA_ZONE], 0);
	m->e[m->n].len = (uint16_t)len;
	memcpy(m->e[m->n].tuple, xc_nl_attr_data(tb[CTA_TUPLE_ORIG]), len);
	m->n++;
	return 0;
}

static void *ct_msg(struct xc_nl_msg *msg, void *buf, size_t cap, int type, uint16_t flags,
		    int family)
{
	struct nfgenmsg *g = xc_nl_msg_init(msg, buf, cap,
					    (uint16_t)(NFNL_SUBSYS_CTNETLINK << 8 | type), flags,
					    sizeof(*g));

	if (g) {
		g->nfgen_family = (uint8_t)family;
		g->version = NFNETLINK_V0;
	}
	return g;
}

static int delete_one(struct xc_nl *nl, int family, uint16_t zone_be, const void *tuple,
		      size_t len)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg msg;

	if (!ct_msg(&msg, req, sizeof(req), IPCTNL_MSG_CT_DELETE, 0, family))
		return msg.err;
	xc_nl_put(&msg, CTA_TUPLE_ORIG | NLA_F_NESTED, tuple, len);
	if (zone_be)
		xc_nl_put_u16(&msg, CTA_ZONE, zone_be);
	return xc_nl_request(nl, &msg, NULL, NULL);
}

int xc_ct_delete_port(struct xc_nl *nl, int family, uint8_t proto, uint16_t port)
{
	static struct match m;
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg msg;
	int rc, deleted = 0;

	/* Each pass deletes up to a batch; a table that keeps refilling ends after 64. */
	for (int pass = 0; pass < 64; pass++) {
		m.proto = proto;
		m.port_be = htons(port);
		m.n = m.more = 0;
		if (!ct_msg(&msg, req, sizeof(req), IPCTNL_MSG_CT_GET, 0, family))
			return msg.err;
		rc = xc_nl_dump(nl, &msg, on_entry, &m);
		if (rc == -EINTR)
			m.more = 1;  /* an interrupted dump: what it saw is still deletable */
		else if (rc)
			return rc;
		for (int i = 0; i < m.n; i++) {
			rc = delete_one(nl, family, m.e[i].zone_be, m.e[i].tuple, m.e[i].len);
			if (rc == 0)
				deleted++;
			else if (rc != -ENOENT)
				return rc;
		}
		if (!m.more)
			break;
	}
	return deleted;
}
