/*
 * nft: nf_tables batches, objects, expressions and dumps. See nft.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netlink.h>

#include "kernel/nft.h"

int xc_nft_open(struct xc_nl *nl, void *buf, size_t size)
{
	return xc_nl_open_proto(nl, buf, size, NETLINK_NETFILTER);
}

/* ---- attributes -------------------------------------------------------- */

/* A 32-bit attribute in network byte order, as nf_tables wants them. */
static int put_be32(struct xc_nl_msg *m, uint16_t type, uint32_t v)
{
	return xc_nl_put_u32(m, type, htonl(v));
}

/* A nest as the kernel writes it (no NLA_F_NESTED); end with xc_nl_nest_end. */
static struct nlattr *nft_nest(struct xc_nl_msg *m, uint16_t type)
{
	struct nlattr *a = xc_nl_nest_begin(m, type);

	if (a)
		a->nla_type = type;
	return a;
}

/* A value inside nest type: { NFTA_DATA_VALUE: data }. */
static int put_data(struct xc_nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = nft_nest(m, type);

	xc_nl_put(m, NFTA_DATA_VALUE, data, len);
	xc_nl_nest_end(m, a);
	return m->err;
}

/* ---- the batch --------------------------------------------------------- */

/* Account for the message built so far. */
static void close_msg(struct xc_nft_batch *b)
{
	if (b->m.err && !b->err)
		b->err = b->m.err;
	if (b->m.nlh && !b->m.err)
		b->len += NLMSG_ALIGN(b->m.nlh->nlmsg_len);
	b->m.nlh = NULL;
}

static struct xc_nl_msg *start(struct xc_nft_batch *b, uint16_t type, uint16_t flags,
			       uint8_t family, uint16_t res_id)
{
	struct nfgenmsg *g;

	close_msg(b);
	g = xc_nl_msg_init(&b->m, b->buf + b->len, b->cap - b->len, type, flags,
			   sizeof(*g));
	if (g) {
		g->nfgen_family = family;
		g->version = NFNETLINK_V0;
		g->res_id = htons(res_id);
	}
	return &b->m;
}

void xc_nft_batch_init(struct xc_nft_batch *b, void *buf, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap;
	start(b, NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
}

void xc_nft_batch_genid(struct xc_nft_batch *b, uint32_t genid)
{
	put_be32(&b->m, NFNL_BATCH_GENID, genid);
}

static int on_gen(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[NFTA_GEN_MAX + 1];

	if (xc_nft_parse(nlh, NFT_MSG_NEWGEN, tb, NFTA_GEN_MAX) || !tb[NFTA_GEN_ID])
		return -EBADMSG;
	*(uint32_t *)arg = xc_nft_get_be32(tb[NFTA_GEN_ID], 0);
	return 0;
}

int xc_nft_genid(struct xc_nl *nl, uint32_t *genid)
{
	uint32_t buf[8];
	struct xc_nl_msg m;
	struct nfgenmsg *g = xc_nl_msg_init(&m, buf, sizeof(buf), XC_NFT_TYPE(NFT_MSG_GETGEN), 0,
					    sizeof(*g));

	if (g)
		g->nfgen_family = AF_UNSPEC;
	return xc_nl_query(nl, &m, on_gen, genid);
}

/*
 * Close the message before and start a command of type NFT_MSG_* with
 * flags (NLM_F_CREATE, ...) for family (NFPROTO_INET, ...). Returns the
 * message for the builders; overflow is reported by xc_nft_send().
 */
static struct xc_nl_msg *nft_msg(struct xc_nft_batch *b, uint16_t cmd, uint16_t flags,
				 uint8_t family)
{
	b->n++;
	return start(b, XC_NFT_TYPE(cmd), flags, family, 0);
}

struct ack_ctx {
	struct xc_nl *nl;
	uint32_t first, last;
	int err, acked;
};

static int on_ack(const struct nlmsghdr *nlh, void *arg)
{
	struct ack_ctx *a = arg;
	char msg[XC_NL_ERRMSG_MAX];
	uint32_t off;
	int st;

	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq < a->first ||
	    nlh->nlmsg_seq > a->last) {
		a->nl->stray++;
		return 0;
	}
	st = xc_nl_ack_parse(nlh, msg, sizeof(msg), &off);
	if (st && !a->err) {
		a->err = st;
		memcpy(a->nl->errmsg, msg, sizeof(msg));
		a->nl->erroff = off;
	}
	a->acked |= nlh->nlmsg_seq == a->last;
	return 0;
}

/*
 * The kernel takes a batch in one sendmsg and refuses one longer than the
 * socket's send buffer (~200 KiB by default): make it that long, as nft
 * does. FORCE passes the system's cap with CAP_NET_ADMIN, which whoever
 * changes nf_tables has.
 */
static void sndbuf_fit(int fd, size_t len)
{
	int cur = 0, want = (int)(len + 4096);
	socklen_t sl = sizeof(cur);

	if (len > 0x3fffffff || (!getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &cur, &sl) && cur / 2 > want))
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
}

int xc_nft_send(struct xc_nl *nl, struct xc_nft_batch *b)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct ack_ctx a = { .nl = nl };
	struct nlmsghdr *last = b->m.nlh;
	size_t off;
	ssize_t n;
	int rc;

	if (!b->n)
		return 0;
	if (last && !b->m.err)
		last->nlmsg_flags |= NLM_F_ACK;
	start(b, NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
	close_msg(b);
	if (b->err)
		return b->err;
	nl->errmsg[0] = '\0';
	nl->erroff = 0;
	a.first = nl->seq + 1;
	for (off = 0; off < b->len; off += NLMSG_ALIGN(((struct nlmsghdr *)(b->buf + off))->nlmsg_len)) {
		struct nlmsghdr *h = (struct nlmsghdr *)(b->buf + off);

		h->nlmsg_seq = ++nl->seq;
		h->nlmsg_pid = nl->port;
		if (h->nlmsg_flags & NLM_F_ACK)
			a.last = h->nlmsg_seq;
	}
	if (b->len > 128 << 10)
		sndbuf_fit(nl->fd, b->len);
	do
		n = sendto(nl->fd, b->buf, b->len, 0, (struct sockaddr *)&sa, sizeof(sa));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* The kernel answered within sendmsg: what is queued is all there is. */
	while ((rc = xc_nl_recv(nl, on_ack, &a)) >= 0)
		;
	if (a.err)
		return a.err;
	if (rc != -EAGAIN)
		return rc;
	return a.acked ? 0 : -EIO;
}

/* ---- objects ----------------------------------------------------------- */

void xc_nft_table(struct xc_nft_batch *b, uint16_t cmd, uint8_t family, const char *name)
{
	struct xc_nl_msg *m = nft_msg(b, cmd, cmd == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0,
					 family);

	xc_nl_put_str(m, NFTA_TABLE_NAME, name);
	if (cmd == NFT_MSG_NEWTABLE)
		put_be32(m, NFTA_TABLE_FLAGS, 0);
}

/* The table and name attributes that start most messages (types 1 and 2). */
static struct xc_nl_msg *named(struct xc_nft_batch *b, uint16_t cmd, uint16_t flags,
			       uint8_t family, const char *table, const char *name)
{
	struct xc_nl_msg *m = nft_msg(b, cmd, flags, family);

	xc_nl_put_str(m, 1, table);
	if (name)
		xc_nl_put_str(m, 2, name);
	return m;
}

void xc_nft_chain(struct xc_nft_batch *b, uint8_t family, const char *table,
		  const struct xc_nft_chain *c)
{
	struct xc_nl_msg *m = named(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, family, table, NULL);
	struct nlattr *h;

	xc_nl_put_str(m, NFTA_CHAIN_NAME, c->name);
	if (!c->type)
		return;
	xc_nl_put_str(m, NFTA_CHAIN_TYPE, c->type);
	put_be32(m, NFTA_CHAIN_POLICY, c->policy);
	h = xc_nl_nest_begin(m, NFTA_CHAIN_HOOK);
	put_be32(m, NFTA_HOOK_HOOKNUM, c->hook);
	put_be32(m, NFTA_HOOK_PRIORITY, (uint32_t)c->prio);
	xc_nl_nest_end(m, h);
}

/* nft's set userdata records (libnftnl's NFTNL_UDATA_SET_*). */
enum { UD_KEYBYTEORDER, UD_DATABYTEORDER, UD_MERGE, UD_KEY_TYPEOF, UD_DATA_TYPEOF,
       UD_EXPR, UD_DATA_INTERVAL };

/* A u32 record, in host order as nft writes it. */
static size_t ud_u32(uint8_t *p, uint8_t type, uint32_t v)
{
	p[0] = type;
	p[1] = 4;
	memcpy(p + 2, &v, 4);
	return 6;
}

/* nft 1.0.6's "typeof" of a concatenation declared by type: expression 13, no data. */
static size_t ud_concat(uint8_t *p, uint8_t type)
{
	p[0] = type;
	p[1] = 8;
	ud_u32(p + 2, 0, 13);
	p[8] = 1;               /* the expression's data record, empty */
	p[9] = 0;
	return 10;
}

void xc_nft_setx(struct xc_nft_batch *b, uint8_t family, const char *table,
		 const struct xc_nft_set *s, const struct xc_nft_setx *x)
{
	struct xc_nl_msg *m = named(b, NFT_MSG_NEWSET, NLM_F_CREATE, family, table, s->name);
	int map = (s->flags & NFT_SET_MAP) != 0;
	uint8_t ud[40];
	size_t n = ud_u32(ud, UD_KEYBYTEORDER, s->byteorder);

	if (map)
		n += ud_u32(ud + n, UD_DATABYTEORDER, x->data_byteorder);
	if (x->key_concat)
		n += ud_concat(ud + n, UD_KEY_TYPEOF);
	if (map && x->data_concat)
		n += ud_concat(ud + n, UD_DATA_TYPEOF);
	if (map)
		n += ud_u32(ud + n, UD_DATA_INTERVAL, 0);
	put_be32(m, NFTA_SET_FLAGS, s->flags);
	put_be32(m, NFTA_SET_KEY_TYPE, s->key_type);
	put_be32(m, NFTA_SET_KEY_LEN, s->key_len);
	if (map) {
		put_be32(m, NFTA_SET_DATA_TYPE, x->data_type);
		put_be32(m, NFTA_SET_DATA_LEN, x->data_len);
	}
	put_be32(m, NFTA_SET_ID, b->n);    /* the kernel wants one */
	if (x->field[0]) {
		struct nlattr *d = nft_nest(m, NFTA_SET_DESC), *c = nft_nest(m, NFTA_SET_DESC_CONCAT);

		for (int i = 0; i < 4 && x->field[i]; i++) {
			struct nlattr *f = nft_nest(m, NFTA_LIST_ELEM);

			put_be32(m, NFTA_SET_FIELD_LEN, x->field[i]);
			xc_nl_nest_end(m, f);
		}
		xc_nl_nest_end(m, c);
		xc_nl_nest_end(m, d);
	}
	xc_nl_put(m, NFTA_SET_USERDATA, ud, n);
}

void xc_nft_set(struct xc_nft_batch *b, uint8_t family, const char *table,
		const struct xc_nft_set *s)
{
	static const struct xc_nft_setx none;

	xc_nft_setx(b, family, table, s, &none);
}

struct xc_nl_msg *xc_nft_elems(struct xc_nft_batch *b, uint16_t cmd, uint8_t family,
			       const char *table, const char *set)
{
	struct xc_nl_msg *m = named(b, cmd, cmd == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0,
				    family, table, set);

	nft_nest(m, NFTA_SET_ELEM_LIST_ELEMENTS);
	return m;
}

void xc_nft_elem(struct xc_nft_batch *b, const void *key, size_t len, uint32_t flags)
{
	struct nlattr *e = nft_nest(&b->m, NFTA_LIST_ELEM);

	put_data(&b->m, NFTA_SET_ELEM_KEY, key, len);
	if (flags)
		put_be32(&b->m, NFTA_SET_ELEM_FLAGS, flags);
	xc_nl_nest_end(&b->m, e);
}

static void elem_put(struct xc_nft_batch *b, const void *key, const void *kend, size_t klen,
		     const void *data, size_t dlen, const char *comment)
{
	struct nlattr *e = nft_nest(&b->m, NFTA_LIST_ELEM);
	uint8_t ud[2 + XC_NFT_COMMENT_MAX + 1];
	size_t n;

	put_data(&b->m, NFTA_SET_ELEM_KEY, key, klen);
	if (kend)
		put_data(&b->m, NFTA_SET_ELEM_KEY_END, kend, klen);
	if (data)
		put_data(&b->m, NFTA_SET_ELEM_DATA, data, dlen);
	if (comment) {
		n = strnlen(comment, XC_NFT_COMMENT_MAX);
		ud[0] = XC_NFT_UDATA_ELEM_COMMENT;
		ud[1] = (uint8_t)(n + 1);
		memcpy(ud + 2, comment, n);
		ud[2 + n] = '\0';
		xc_nl_put(&b->m, NFTA_SET_ELEM_USERDATA, ud, n + 3);
	}
	xc_nl_nest_end(&b->m, e);
}

void xc_nft_elem_full(struct xc_nft_batch *b, const void *key, size_t klen, const void *data,
		      size_t dlen, const char *comment)
{
	elem_put(b, key, NULL, klen, data, dlen, comment);
}

void xc_nft_elem_range(struct xc_nft_batch *b, const void *key, const void *kend,
		       size_t klen, const char *comment)
{
	elem_put(b, key, kend, klen, NULL, 0, comment);
}

/* The first attribute after the family header: the nest a builder opened. */
static struct nlattr *nest_at(struct xc_nl_msg *m, unsigned skip)
{
	uint8_t *p = (uint8_t *)m->nlh + NLMSG_SPACE(sizeof(struct nfgenmsg));

	while (skip--)
		p += NLA_ALIGN(((struct nlattr *)p)->nla_len);
	return (struct nlattr *)p;
}

void xc_nft_elems_end(struct xc_nft_batch *b)
{
	if (b->m.nlh && !b->m.err)
		xc_nl_nest_end(&b->m, nest_at(&b->m, 2));
}

struct xc_nl_msg *xc_nft_rule(struct xc_nft_batch *b, uint8_t family, const char *table,
			      const char *chain)
{
	struct xc_nl_msg *m = named(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, family,
				    table, chain);

	nft_nest(m, NFTA_RULE_EXPRESSIONS);
	return m;
}

void xc_nft_rule_end(struct xc_nft_batch *b, const char *comment)
{
	struct xc_nl_msg *m = &b->m;
	uint8_t ud[2 + 128];
	size_t n;

	if (!m->nlh || m->err)
		return;
	xc_nl_nest_end(m, nest_at(m, 2));
	if (!comment)
		return;
	n = strnlen(comment, sizeof(ud) - 3) + 1;
	ud[0] = XC_NFT_UDATA_RULE_COMMENT;
	ud[1] = (uint8_t)n;
	memcpy(ud + 2, comment, n - 1);
	ud[n + 1] = '\0';
	xc_nl_put(m, NFTA_RULE_USERDATA, ud, n + 2);
}

void xc_nft_chain_flush(struct xc_nft_batch *b, uint8_t family, const char *table,
			const char *chain)
{
	named(b, NFT_MSG_DELRULE, 0, family, table, chain);
}

/* ---- expressions ------------------------------------------------------- */

/* { NFTA_LIST_ELEM: { NAME: name, DATA: { ... } } }: returns both nests. */
static struct nlattr *expr(struct xc_nl_msg *m, const char *name, struct nlattr **data)
{
	struct nlattr *e = nft_nest(m, NFTA_LIST_ELEM);

	xc_nl_put_str(m, NFTA_EXPR_NAME, name);
	*data = nft_nest(m, NFTA_EXPR_DATA);
	return e;
}

static void expr_end(struct xc_nl_msg *m, struct nlattr *e, struct nlattr *d)
{
	xc_nl_nest_end(m, d);
	xc_nl_nest_end(m, e);
}

/* The attributes below go in the order the kernel dumps them. */
static void expr_u32s(struct xc_nl_msg *m, const char *name, const uint16_t *t,
		      const uint32_t *v, int n)
{
	struct nlattr *d, *e = expr(m, name, &d);

	for (int i = 0; i < n; i++)
		put_be32(m, t[i], v[i]);
	expr_end(m, e, d);
}

void xc_nft_meta(struct xc_nl_msg *m, uint32_t key, uint32_t dreg)
{
	static const uint16_t t[] = { NFTA_META_KEY, NFTA_META_DREG };
	uint32_t v[] = { key, dreg };

	expr_u32s(m, "meta", t, v, 2);
}

void xc_nft_ct(struct xc_nl_msg *m, uint32_t key, uint32_t dreg)
{
	static const uint16_t t[] = { NFTA_CT_DREG, NFTA_CT_KEY };
	uint32_t v[] = { dreg, key };

	expr_u32s(m, "ct", t, v, 2);
}

void xc_nft_payload(struct xc_nl_msg *m, uint32_t base, uint32_t off, uint32_t len,
		    uint32_t dreg)
{
	static const uint16_t t[] = { NFTA_PAYLOAD_DREG, NFTA_PAYLOAD_BASE,
				      NFTA_PAYLOAD_OFFSET, NFTA_PAYLOAD_LEN };
	uint32_t v[] = { dreg, base, off, len };

	expr_u32s(m, "payload", t, v, 4);
}

void xc_nft_match_nfproto(struct xc_nl_msg *m, uint8_t nfproto)
{
	xc_nft_meta(m, NFT_META_NFPROTO, NFT_REG_1);
	xc_nft_cmp(m, NFT_REG_1, NFT_CMP_EQ, &nfproto, 1);
}

void xc_nft_load_addr_pair(struct xc_nl_msg *m, int v6)
{
	uint32_t len = v6 ? 16 : 4;

	xc_nft_payload(m, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, len, NFT_REG_1);
	xc_nft_payload(m, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16, len,
		       v6 ? NFT_REG_2 : NFT_REG32_01);
}

void xc_nft_masq(struct xc_nl_msg *m)
{
	expr_u32s(m, "masq", NULL, NULL, 0);
}

void xc_nft_cmp(struct xc_nl_msg *m, uint32_t sreg, uint32_t op, const void *data, size_t len)
{
	struct nlattr *d, *e = expr(m, "cmp", &d);

	put_be32(m, NFTA_CMP_SREG, sreg);
	put_be32(m, NFTA_CMP_OP, op);
	put_data(m, NFTA_CMP_DATA, data, len);
	expr_end(m, e, d);
}

void xc_nft_lookup(struct xc_nl_msg *m, uint32_t sreg, const char *set, int invert)
{
	struct nlattr *d, *e = expr(m, "lookup", &d);

	xc_nl_put_str(m, NFTA_LOOKUP_SET, set);
	put_be32(m, NFTA_LOOKUP_SREG, sreg);
	put_be32(m, NFTA_LOOKUP_FLAGS, invert ? NFT_LOOKUP_F_INV : 0);
	expr_end(m, e, d);
}

static void verdict(struct xc_nl_msg *m, int32_t code, const char *chain)
{
	struct nlattr *d, *e = expr(m, "immediate", &d), *v, *vv;

	put_be32(m, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	v = nft_nest(m, NFTA_IMMEDIATE_DATA);
	vv = nft_nest(m, NFTA_DATA_VERDICT);
	put_be32(m, NFTA_VERDICT_CODE, (uint32_t)code);
	if (chain)
		xc_nl_put_str(m, NFTA_VERDICT_CHAIN, chain);
	xc_nl_nest_end(m, vv);
	xc_nl_nest_end(m, v);
	expr_end(m, e, d);
}

void xc_nft_jump(struct xc_nl_msg *m, const char *chain)
{
	verdict(m, NFT_JUMP, chain);
}

void xc_nft_verdict(struct xc_nl_msg *m, int32_t code)
{
	verdict(m, code, NULL);
}

void xc_nft_lookup_map(struct xc_nl_msg *m, uint32_t sreg, const char *set, uint32_t dreg)
{
	struct nlattr *d, *e = expr(m, "lookup", &d);

	xc_nl_put_str(m, NFTA_LOOKUP_SET, set);
	put_be32(m, NFTA_LOOKUP_SREG, sreg);
	put_be32(m, NFTA_LOOKUP_DREG, dreg);
	put_be32(m, NFTA_LOOKUP_FLAGS, 0);
	expr_end(m, e, d);
}

void xc_nft_fib(struct xc_nl_msg *m, uint32_t result, uint32_t flags, uint32_t dreg)
{
	static const uint16_t t[] = { NFTA_FIB_DREG, NFTA_FIB_RESULT, NFTA_FIB_FLAGS };
	uint32_t v[] = { dreg, result, flags };

	expr_u32s(m, "fib", t, v, 3);
}

void xc_nft_bitwise(struct xc_nl_msg *m, uint32_t sreg, uint32_t dreg, uint32_t len,
		    const void *mask, const void *xor)
{
	struct nlattr *d, *e = expr(m, "bitwise", &d);

	put_be32(m, NFTA_BITWISE_SREG, sreg);
	put_be32(m, NFTA_BITWISE_DREG, dreg);
	put_be32(m, NFTA_BITWISE_LEN, len);
	put_be32(m, NFTA_BITWISE_OP, NFT_BITWISE_BOOL);
	put_data(m, NFTA_BITWISE_MASK, mask, len);
	put_data(m, NFTA_BITWISE_XOR, xor, len);
	expr_end(m, e, d);
}

void xc_nft_nat(struct xc_nl_msg *m, uint32_t type, uint32_t family, uint32_t reg_addr,
		uint32_t reg_proto)
{
	static const uint16_t t[] = { NFTA_NAT_TYPE, NFTA_NAT_FAMILY, NFTA_NAT_REG_ADDR_MIN,
				      NFTA_NAT_REG_ADDR_MAX, NFTA_NAT_REG_PROTO_MIN,
				      NFTA_NAT_REG_PROTO_MAX, NFTA_NAT_FLAGS };
	/* the flags the kernel derives from the registers (NF_NAT_RANGE_*) */
	uint32_t v[] = { type, family, reg_addr, reg_addr, reg_proto, reg_proto,
			 (reg_addr ? 1u : 0u) | (reg_proto ? 2u : 0u) };

	if (reg_proto)
		expr_u32s(m, "nat", t, v, 7);
	else {
		uint32_t w[] = { type, family, reg_addr, reg_addr, v[6] };
		static const uint16_t u[] = { NFTA_NAT_TYPE, NFTA_NAT_FAMILY,
					      NFTA_NAT_REG_ADDR_MIN, NFTA_NAT_REG_ADDR_MAX,
					      NFTA_NAT_FLAGS };

		expr_u32s(m, "nat", u, w, 5);
	}
}

/* ---- reading back ------------------------------------------------------ */

int xc_nft_dump(struct xc_nl *nl, uint16_t cmd, uint8_t family, const char *table,
		const char *name, xc_nl_cb cb, void *arg)
{
	uint32_t buf[256];
	struct xc_nl_msg m;
	struct nfgenmsg *g = xc_nl_msg_init(&m, buf, sizeof(buf), XC_NFT_TYPE(cmd), 0,
					    sizeof(*g));

	if (g)
		g->nfgen_family = family;
	xc_nl_put_str(&m, 1, table);
	if (name)
		xc_nl_put_str(&m, 2, name);
	if (cmd == NFT_MSG_GETTABLE)
		return xc_nl_query(nl, &m, cb, arg);
	return xc_nl_dump(nl, &m, cb, arg);
}

int xc_nft_parse(const struct nlmsghdr *nlh, uint16_t cmd, const struct nlattr **tb,
		 unsigned max)
{
	if (nlh->nlmsg_type != XC_NFT_TYPE(cmd)) {
		memset(tb, 0, sizeof(*tb) * (max + 1));
		return -EBADMSG;
	}
	return xc_nl_msg_parse(nlh, sizeof(struct nfgenmsg), tb, max);
}

uint32_t xc_nft_get_be32(const struct nlattr *a, uint32_t dflt)
{
	return a && xc_nl_attr_len(a) >= 4 ? ntohl(xc_nl_get_u32(a, 0)) : dflt;
}

/* Each attribute of a list nest (NFTA_LIST_ELEM members), in order. */
static int each(const struct nlattr *list, int (*fn)(const struct nlattr *, void *), void *arg)
{
	const uint8_t *p = xc_nl_attr_data(list);
	size_t len = xc_nl_attr_len(list);
	int rc;

	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t step;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return -EBADMSG;
		rc = fn(a, arg);
		if (rc < 0)
			return rc;
		step = NLA_ALIGN(a->nla_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

struct elem_ctx {
	xc_nft_elem_cb cb;
	void *arg;
};

static int one_elem(const struct nlattr *a, void *arg)
{
	const struct elem_ctx *c = arg;
	const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1], *kb[NFTA_DATA_MAX + 1];
	size_t n;

	if ((a->nla_type & NLA_TYPE_MASK) != NFTA_LIST_ELEM ||
	    xc_nl_nest_parse(a, tb, NFTA_SET_ELEM_MAX) || !tb[NFTA_SET_ELEM_KEY] ||
	    xc_nl_nest_parse(tb[NFTA_SET_ELEM_KEY], kb, NFTA_DATA_MAX) || !kb[NFTA_DATA_VALUE])
		return 0;
	n = xc_nl_attr_len(kb[NFTA_DATA_VALUE]);
	if (n > 16)
		return 0;
	return c->cb(c->arg, xc_nl_attr_data(kb[NFTA_DATA_VALUE]), n,
		     xc_nft_get_be32(tb[NFTA_SET_ELEM_FLAGS], 0));
}

int xc_nft_elems_parse(const struct nlmsghdr *nlh, xc_nft_elem_cb cb, void *arg)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1];
	struct elem_ctx c = { cb, arg };
	int rc = xc_nft_parse(nlh, NFT_MSG_NEWSETELEM, tb, NFTA_SET_ELEM_LIST_MAX);

	if (rc || !tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		return rc;
	return each(tb[NFTA_SET_ELEM_LIST_ELEMENTS], one_elem, &c);
}

static int on_elem_get(const struct nlmsghdr *nlh, void *arg)
{
	struct { xc_nl_cb cb; void *arg; } *g = arg;

	return g->cb ? g->cb(nlh, g->arg) : 0;
}

int xc_nft_elem_get(struct xc_nl *nl, uint8_t family, const char *table, const char *set,
		    const void *key, size_t klen, xc_nl_cb cb, void *arg)
{
	uint32_t buf[128];
	struct xc_nl_msg m;
	struct { xc_nl_cb cb; void *arg; } g = { cb, arg };
	struct nfgenmsg *gm = xc_nl_msg_init(&m, buf, sizeof(buf),
					     XC_NFT_TYPE(NFT_MSG_GETSETELEM), 0, sizeof(*gm));
	struct nlattr *l, *e;

	if (gm)
		gm->nfgen_family = family;
	xc_nl_put_str(&m, NFTA_SET_ELEM_LIST_TABLE, table);
	xc_nl_put_str(&m, NFTA_SET_ELEM_LIST_SET, set);
	l = nft_nest(&m, NFTA_SET_ELEM_LIST_ELEMENTS);
	e = nft_nest(&m, NFTA_LIST_ELEM);
	put_data(&m, NFTA_SET_ELEM_KEY, key, klen);
	xc_nl_nest_end(&m, e);
	xc_nl_nest_end(&m, l);
	return xc_nl_query(nl, &m, on_elem_get, &g);
}

struct view_ctx {
	xc_nft_elem_view_cb cb;
	void *arg;
};

/* The value of a { NFTA_DATA_VALUE } nest, up to 64 bytes; NULL otherwise. */
static const uint8_t *data_value(const struct nlattr *a, size_t *len)
{
	const struct nlattr *tb[NFTA_DATA_MAX + 1];

	if (!a || xc_nl_nest_parse(a, tb, NFTA_DATA_MAX) || !tb[NFTA_DATA_VALUE] ||
	    xc_nl_attr_len(tb[NFTA_DATA_VALUE]) > 64)
		return NULL;
	*len = xc_nl_attr_len(tb[NFTA_DATA_VALUE]);
	return xc_nl_attr_data(tb[NFTA_DATA_VALUE]);
}

/* nft's comment record in an element's userdata (a TLV list) into out. */
static void udata_comment(const struct nlattr *a, char *out, size_t size)
{
	const uint8_t *p = a ? xc_nl_attr_data(a) : NULL;
	size_t len = a ? xc_nl_attr_len(a) : 0, i = 0;

	out[0] = '\0';
	while (i + 2 <= len && i + 2 + p[i + 1] <= len) {
		if (p[i] == XC_NFT_UDATA_ELEM_COMMENT) {
			size_t n = strnlen((const char *)p + i + 2, p[i + 1]);

			if (n >= size)
				n = size - 1;
			memcpy(out, p + i + 2, n);
			out[n] = '\0';
			return;
		}
		i += 2 + p[i + 1];
	}
}

static int one_view(const struct nlattr *a, void *arg)
{
	const struct view_ctx *c = arg;
	const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1];
	struct xc_nft_elem_view v;
	size_t n;

	memset(&v, 0, sizeof(v));
	if ((a->nla_type & NLA_TYPE_MASK) != NFTA_LIST_ELEM ||
	    xc_nl_nest_parse(a, tb, NFTA_SET_ELEM_MAX) ||
	    !(v.key = data_value(tb[NFTA_SET_ELEM_KEY], &v.klen)))
		return 0;
	if (tb[NFTA_SET_ELEM_DATA] && !(v.data = data_value(tb[NFTA_SET_ELEM_DATA], &v.dlen)))
		return 0;
	if (tb[NFTA_SET_ELEM_KEY_END] &&
	    (!(v.kend = data_value(tb[NFTA_SET_ELEM_KEY_END], &n)) || n != v.klen))
		return 0;
	v.flags = xc_nft_get_be32(tb[NFTA_SET_ELEM_FLAGS], 0);
	udata_comment(tb[NFTA_SET_ELEM_USERDATA], v.comment, sizeof(v.comment));
	return c->cb(c->arg, &v);
}

int xc_nft_elems_each(const struct nlmsghdr *nlh, xc_nft_elem_view_cb cb, void *arg)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1];
	struct view_ctx c = { cb, arg };
	int rc = xc_nft_parse(nlh, NFT_MSG_NEWSETELEM, tb, NFTA_SET_ELEM_LIST_MAX);

	if (rc || !tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		return rc;
	return each(tb[NFTA_SET_ELEM_LIST_ELEMENTS], one_view, &c);
}

int xc_nft_rule_body(const struct nlmsghdr *nlh, struct xc_nft_rule_body *r)
{
	const struct nlattr *tb[NFTA_RULE_MAX + 1];
	uint32_t h[2] = { 0, 0 };
	int rc = xc_nft_parse(nlh, NFT_MSG_NEWRULE, tb, NFTA_RULE_MAX);

	memset(r, 0, sizeof(*r));
	if (rc)
		return rc;
	r->expr = tb[NFTA_RULE_EXPRESSIONS];
	r->udata = tb[NFTA_RULE_USERDATA];
	if (tb[NFTA_RULE_HANDLE] && xc_nl_attr_len(tb[NFTA_RULE_HANDLE]) == 8)
		memcpy(h, xc_nl_attr_data(tb[NFTA_RULE_HANDLE]), 8);
	r->handle = (uint64_t)ntohl(h[0]) << 32 | ntohl(h[1]);
	xc_nl_get_str(tb[NFTA_RULE_CHAIN], r->chain, sizeof(r->chain));
	return 0;
}

int xc_nft_attr_equal(const struct nlattr *a, const struct nlattr *b)
{
	if (!a || !b)
		return a == b;
	return a->nla_len == b->nla_len && !memcmp(a, b, a->nla_len);
}
