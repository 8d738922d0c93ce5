/*
 * test_nft: core/kernel/nft's message encoding (checked byte for byte
 * against what nft 1.0.6 sends for the same set), its readers on messages
 * built here, and core/router/masq's intervals. The kernel side is
 * test/netns/masq.sh.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "kernel/nft.h"
#include "router/masq.h"

static uint32_t buf[4096];

/* `set pod4 { type ipv4_addr; flags interval; }` as nft 1.0.6 sends it (attributes). */
static const uint8_t nft_set[] = {
	17, 0, 1, 0, 'x', 'c', 'l', 'u', 's', 't', 'e', 'r', '-', 'c', 'n', 'i', 0, 0, 0, 0,
	9, 0, 2, 0, 'p', 'o', 'd', '4', 0, 0, 0, 0,
	8, 0, 3, 0, 0, 0, 0, 4,  8, 0, 4, 0, 0, 0, 0, 7,  8, 0, 5, 0, 0, 0, 0, 4,
	8, 0, 10, 0, 0, 0, 0, 1,  10, 0, 13, 0, 0, 4, 2, 0, 0, 0, 0, 0,
};

static void test_set_bytes(void)
{
	struct xc_nft_batch b;
	struct xc_nft_set s = { "pod4", NFT_SET_INTERVAL, XC_NFT_TYPE_IPADDR, 4, XC_NFT_BYTEORDER_BIG };
	const uint8_t *p;

	xc_nft_batch_init(&b, buf, sizeof(buf));
	xc_nft_set(&b, NFPROTO_INET, "xcluster-cni", &s);
	T_INT(b.m.err, 0);
	T_INT(b.m.nlh->nlmsg_type, XC_NFT_TYPE(NFT_MSG_NEWSET));
	T_INT(b.m.nlh->nlmsg_len, NLMSG_SPACE(4) + sizeof(nft_set));
	p = (const uint8_t *)b.m.nlh + NLMSG_SPACE(4);
	T(!memcmp(p, nft_set, sizeof(nft_set)));
}

/*
 * `set local4 { type ipv4_addr . ipv4_addr; flags interval; }` as nft
 * 1.0.6 sends it, but for NLA_F_NESTED on the nests, which we leave out
 * as the kernel does in its dumps (it ignores the flag on input).
 */
static const uint8_t nft_range_set[] = {
	6, 0, 1, 0, 't', 0, 0, 0,  11, 0, 2, 0, 'l', 'o', 'c', 'a', 'l', '4', 0, 0,
	8, 0, 3, 0, 0, 0, 0, 0x84,  8, 0, 4, 0, 0, 0, 0x01, 0xc7,  8, 0, 5, 0, 0, 0, 0, 8,
	8, 0, 10, 0, 0, 0, 0, 1,
	32, 0, 9, 0, 28, 0, 2, 0, 12, 0, 1, 0, 8, 0, 1, 0, 0, 0, 0, 4,
	12, 0, 1, 0, 8, 0, 1, 0, 0, 0, 0, 4,
	20, 0, 13, 0, 0, 4, 0, 0, 0, 0, 3, 8, 0, 4, 13, 0, 0, 0, 1, 0,
};

static void test_range_set_bytes(void)
{
	struct xc_nft_batch b;
	struct xc_nft_set s = { "local4", NFT_SET_INTERVAL | NFT_SET_CONCAT,
				XC_NFT_CONCAT(XC_NFT_TYPE_IPADDR, XC_NFT_TYPE_IPADDR), 8, 0 };
	struct xc_nft_setx x = { 0, 0, 0, 1, 0, { 4, 4, 0, 0 } };
	const uint8_t *p;

	xc_nft_batch_init(&b, buf, sizeof(buf));
	xc_nft_setx(&b, NFPROTO_INET, "t", &s, &x);
	T_INT(b.m.err, 0);
	T_INT(b.m.nlh->nlmsg_len, NLMSG_SPACE(4) + sizeof(nft_range_set));
	p = (const uint8_t *)b.m.nlh + NLMSG_SPACE(4);
	T(!memcmp(p, nft_range_set, sizeof(nft_range_set)));
}

/* A range element (pod . subnet) read back with its end and comment. */
static int on_range(void *arg, const struct xc_nft_elem_view *e)
{
	static const uint8_t key[8] = { 198, 18, 0, 2, 198, 18, 0, 0 };
	static const uint8_t end[8] = { 198, 18, 0, 2, 198, 18, 0, 255 };

	(*(int *)arg)++;
	T_INT(e->klen, 8);
	T(!memcmp(e->key, key, 8));
	T(e->kend && !memcmp(e->kend, end, 8));
	T(e->data == NULL);
	T_STR(e->comment, "xcni:1:eth0:cid");
	return 0;
}

static void test_elem_range(void)
{
	static const uint8_t key[8] = { 198, 18, 0, 2, 198, 18, 0, 0 };
	static const uint8_t end[8] = { 198, 18, 0, 2, 198, 18, 0, 255 };
	struct xc_nft_batch b;
	struct xc_nl_msg *m;
	int n = 0;

	xc_nft_batch_init(&b, buf, sizeof(buf));
	xc_nft_elems(&b, NFT_MSG_NEWSETELEM, NFPROTO_INET, "t", "local4");
	xc_nft_elem_range(&b, key, end, 8, "xcni:1:eth0:cid");
	xc_nft_elems_end(&b);
	T_INT(b.m.err, 0);
	T_INT(xc_nft_elems_each(b.m.nlh, on_range, &n), 0);
	T_INT(n, 1);
	/* a verdict without a chain: immediate return, as nft writes it */
	m = xc_nft_rule(&b, NFPROTO_INET, "t", "postrouting");
	xc_nft_verdict(m, NFT_RETURN);
	xc_nft_rule_end(&b, NULL);
	T_INT(b.m.err, 0);
}

static int seen;
static uint32_t seen_flags[4];

static int on_elem(void *arg, const uint8_t *key, size_t len, uint32_t flags)
{
	(void)arg;
	T_INT(len, 4);
	if (seen < 4)
		seen_flags[seen] = flags | (uint32_t)key[1] << 8;
	seen++;
	return 0;
}

static void test_elems_rule(void)
{
	struct xc_nft_batch b;
	struct xc_nft_rule_body r;
	uint8_t k1[4] = { 198, 19, 0, 0 }, k2[4] = { 198, 20, 0, 0 };

	xc_nft_batch_init(&b, buf, sizeof(buf));
	xc_nft_elems(&b, NFT_MSG_NEWSETELEM, NFPROTO_INET, "xcluster-cni", "pod4");
	xc_nft_elem(&b, k1, 4, 0);
	xc_nft_elem(&b, k2, 4, NFT_SET_ELEM_INTERVAL_END);
	xc_nft_elems_end(&b);
	T_INT(xc_nft_elems_parse(b.m.nlh, on_elem, NULL), 0);
	T_INT(seen, 2);
	T_INT(seen_flags[0], 19 << 8);
	T_INT(seen_flags[1], (20 << 8) | NFT_SET_ELEM_INTERVAL_END);

	xc_masq_ruleset(&b, XC_MASQ_TABLE, 1);
	T_INT(b.m.err, 0);
	T_INT(xc_nft_rule_body(b.m.nlh, &r), 0);
	T_STR(r.chain, XC_MASQ_CHAIN);
	T(r.expr != NULL && r.udata != NULL);
	T(xc_nft_attr_equal(r.expr, r.expr));
	T(!xc_nft_attr_equal(r.expr, r.udata));
	/* comment udata: type 0, length with the NUL, the text */
	T_INT(((const uint8_t *)xc_nl_attr_data(r.udata))[0], XC_NFT_UDATA_RULE_COMMENT);
	T_INT(((const uint8_t *)xc_nl_attr_data(r.udata))[1],
	      strlen("xcluster-cni: pod egress leaves with the node address") + 1);
}

static void add(struct xc_ivset *s, const char *cidr)
{
	struct xc_prefix p;

	T_INT(xc_prefix_parse(cidr, &p), 0);
	T_INT(xc_ivset_add(s, &p), 0);
}

static void test_intervals(void)
{
	struct xc_ivset s = { 0 }, t = { 0 };
	char f[100];
	size_t n;

	add(&s, "198.19.2.0/24");
	add(&s, "198.19.0.0/16");
	add(&s, "198.21.0.0/24");
	add(&s, "198.21.1.0/24");   /* adjacent: merged */
	add(&s, "10.0.0.1/32");
	xc_ivset_normalize(&s, 4);
	T_INT(s.n, 3);
	T_STR(xc_iv_format(&s.v[0], 4, f, sizeof(f)), "10.0.0.1");
	T_STR(xc_iv_format(&s.v[1], 4, f, sizeof(f)), "198.19.0.0/16");
	T_STR(xc_iv_format(&s.v[2], 4, f, sizeof(f)), "198.21.0.0/23");
	add(&t, "198.19.0.0/16");
	add(&t, "198.21.0.0/24");
	xc_ivset_normalize(&t, 4);
	n = xc_ivset_minus(&s, &t, 4, NULL, NULL);
	T_INT(n, 2);
	n = xc_ivset_minus(&t, &s, 4, NULL, NULL);
	T_INT(n, 1);
	t.n = 0;
	add(&t, "198.21.1.0/24");
	add(&t, "198.21.2.0/24");
	xc_ivset_normalize(&t, 4);
	T_STR(xc_iv_format(&t.v[0], 4, f, sizeof(f)), "198.21.1.0-198.21.2.255");
	t.n = 0;
	add(&t, "fd00::/8");
	add(&t, "::/0");
	xc_ivset_normalize(&t, 16);
	T_INT(t.n, 1);
	T_STR(xc_iv_format(&t.v[0], 16, f, sizeof(f)), "::/0");
	xc_ivset_free(&s);
	xc_ivset_free(&t);
}

static void test_cidrs(void)
{
	struct xc_prefix p[3];
	char err[100];

	T_INT(xc_masq_parse_cidrs(" 198.19.0.0/16 , fd00:1::/56,", p, 3, err, sizeof(err)), 2);
	T_INT(p[1].len, 56);
	T_INT(xc_masq_parse_cidrs("", p, 3, err, sizeof(err)), 0);
	T_INT(xc_masq_parse_cidrs("198.19.0.0/16,nope", p, 3, err, sizeof(err)), -22);
	T(strstr(err, "nope") != NULL);
	T_INT(xc_masq_parse_cidrs("1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8", p, 3, err, sizeof(err)), -22);
}

/* A node change inside CLUSTER_CIDR leaves the sets as they are: no pass needed. */
static void test_masq_node(void)
{
	struct xc_masq_conf c = { .on = 1 };
	struct xc_masq q = { .changed = 0 };
	struct xc_nodetab t;
	struct xc_node_rec in = { .name = "in", .ncidr = 2 }, out = { .name = "out", .ncidr = 1 };
	char err[100];

	c.ncluster = (uint8_t)xc_masq_parse_cidrs("198.18.0.0/16,fd00:1::/48", c.cluster,
						  XC_MASQ_CIDRS, err, sizeof(err));
	xc_prefix_parse("198.18.7.0/24", &in.cidr[0]);
	xc_prefix_parse("fd00:1:0:7::/64", &in.cidr[1]);
	xc_prefix_parse("198.19.7.0/24", &out.cidr[0]);
	xc_nodetab_init(&t);
	xc_masq_node(&q, &c, NULL, &in);
	T_INT(q.changed, 0);
	T_INT(xc_nodetab_set(&t, &in), 1);
	xc_masq_node(&q, &c, xc_nodetab_find(&t, "in"), NULL);
	T_INT(q.changed, 0);
	xc_masq_node(&q, &c, NULL, &out);
	T_INT(q.changed, 1);            /* outside: the pod set grows */
	q.changed = 0;
	T_INT(xc_nodetab_set(&t, &out), 1);
	xc_masq_node(&q, &c, xc_nodetab_find(&t, "out"), &in);
	T_INT(q.changed, 1);            /* and shrinks when it goes */
	q.changed = 0;
	c.ncluster = 0;                 /* no CLUSTER_CIDR: every change counts */
	xc_masq_node(&q, &c, NULL, &in);
	T_INT(q.changed, 1);
	xc_nodetab_free(&t);
}

/* `map hostip4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }`
 * as nft 1.0.6 sends it (attributes after the table name). */
static const uint8_t nft_map[] = {
	12, 0, 2, 0, 'h', 'o', 's', 't', 'i', 'p', '4', 0,
	8, 0, 3, 0, 0, 0, 0, 8,  8, 0, 4, 0, 0, 0, 0x73, 0x0d,  8, 0, 5, 0, 0, 0, 0, 12,
	8, 0, 6, 0, 0, 0, 0x01, 0xcd,  8, 0, 7, 0, 0, 0, 0, 8,  8, 0, 10, 0, 0, 0, 0, 1,
	42, 0, 13, 0, 0, 4, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0, 3, 8, 0, 4, 13, 0, 0, 0, 1, 0,
	4, 8, 0, 4, 13, 0, 0, 0, 1, 0, 6, 4, 0, 0, 0, 0, 0, 0,
};
/* `set hairpin4 { type ipv4_addr . ipv4_addr; }` */
static const uint8_t nft_concat_set[] = {
	13, 0, 2, 0, 'h', 'a', 'i', 'r', 'p', 'i', 'n', '4', 0, 0, 0, 0,
	8, 0, 3, 0, 0, 0, 0, 0,  8, 0, 4, 0, 0, 0, 0x01, 0xc7,  8, 0, 5, 0, 0, 0, 0, 8,
	8, 0, 10, 0, 0, 0, 0, 1,
	20, 0, 13, 0, 0, 4, 0, 0, 0, 0, 3, 8, 0, 4, 13, 0, 0, 0, 1, 0,
};

/* The attributes after the (padded) table name "xcluster-cni-portmap". */
static const uint8_t *after_table(const struct xc_nft_batch *b)
{
	return (const uint8_t *)b->m.nlh + NLMSG_SPACE(4) + 28;
}

static void test_map_bytes(void)
{
	struct xc_nft_batch b;
	struct xc_nft_set s = { "hostip4", NFT_SET_MAP,
		XC_NFT_CONCAT(XC_NFT_CONCAT(XC_NFT_TYPE_IPADDR, XC_NFT_TYPE_INET_PROTO),
			      XC_NFT_TYPE_INET_SERVICE), 12, 0 };
	struct xc_nft_setx x = { XC_NFT_CONCAT(XC_NFT_TYPE_IPADDR, XC_NFT_TYPE_INET_SERVICE),
				 8, 0, 1, 1, { 0 } };
	struct xc_nft_set h = { "hairpin4", 0, XC_NFT_CONCAT(XC_NFT_TYPE_IPADDR, XC_NFT_TYPE_IPADDR),
				8, 0 };
	struct xc_nft_setx hx = { 0, 0, 0, 1, 0, { 0 } };

	xc_nft_batch_init(&b, buf, sizeof(buf));
	xc_nft_setx(&b, NFPROTO_INET, "xcluster-cni-portmap", &s, &x);
	T_INT(b.m.err, 0);
	T_INT(b.m.nlh->nlmsg_len, NLMSG_SPACE(4) + 28 + sizeof(nft_map));
	T(!memcmp(after_table(&b), nft_map, sizeof(nft_map)));
	xc_nft_batch_init(&b, buf, sizeof(buf));
	xc_nft_setx(&b, NFPROTO_INET, "xcluster-cni-portmap", &h, &hx);
	T_INT(b.m.nlh->nlmsg_len, NLMSG_SPACE(4) + 28 + sizeof(nft_concat_set));
	T(!memcmp(after_table(&b), nft_concat_set, sizeof(nft_concat_set)));
}

static int views;

static int on_view(void *arg, const struct xc_nft_elem_view *e)
{
	static const uint8_t key[8] = { 6, 0, 0, 0, 0x1f, 0x90, 0, 0 };
	static const uint8_t data[8] = { 198, 18, 1, 2, 0, 80, 0, 0 };

	(void)arg;
	views++;
	T_INT(e->klen, 8);
	T(!memcmp(e->key, key, 8));
	if (views == 1) {
		T_INT(e->dlen, 8);
		T(e->data && !memcmp(e->data, data, 8));
		T_STR(e->comment, "xcni:1:eth0:cid");
	} else {
		T(e->data == NULL);
		T_STR(e->comment, "");
	}
	return 0;
}

static void test_elem_view(void)
{
	static const uint8_t key[8] = { 6, 0, 0, 0, 0x1f, 0x90, 0, 0 };
	static const uint8_t data[8] = { 198, 18, 1, 2, 0, 80, 0, 0 };
	char longc[300];
	struct xc_nft_batch b;

	xc_nft_batch_init(&b, buf, sizeof(buf));
	xc_nft_batch_genid(&b, 7);
	xc_nft_elems(&b, NFT_MSG_NEWSETELEM, NFPROTO_INET, "t", "port4");
	xc_nft_elem_full(&b, key, 8, data, 8, "xcni:1:eth0:cid");
	xc_nft_elem_full(&b, key, 8, NULL, 0, NULL);
	xc_nft_elems_end(&b);
	T_INT(b.m.err, 0);
	T_INT(xc_nft_elems_each(b.m.nlh, on_view, NULL), 0);
	T_INT(views, 2);
	/* a comment is cut at nft's limit */
	memset(longc, 'a', sizeof(longc) - 1);
	longc[sizeof(longc) - 1] = '\0';
	xc_nft_batch_init(&b, buf, sizeof(buf));
	xc_nft_elems(&b, NFT_MSG_NEWSETELEM, NFPROTO_INET, "t", "port4");
	xc_nft_elem_full(&b, key, 8, data, 8, longc);
	xc_nft_elems_end(&b);
	T_INT(b.m.err, 0);
}

int main(void)
{
	test_set_bytes();
	test_map_bytes();
	test_elem_view();
	test_range_set_bytes();
	test_elem_range();
	test_elems_rule();
	test_intervals();
	test_cidrs();
	test_masq_node();
	return t_done("test_nft");
}
