/*
 * masq: wanted set intervals, their differences, the ruleset. See masq.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "base/array.h"
#include "base/sorted.h"
#include "router/masq.h"
#include "router/routes.h"

const char *const xc_masq_set_name[XC_MASQ_NSETS] = { "pod4", "pod6", "nomasq4", "nomasq6" };

size_t xc_masq_keylen(int set)
{
	return set == XC_MASQ_POD4 || set == XC_MASQ_NOMASQ4 ? 4 : 16;
}

int xc_masq_parse_cidrs(const char *s, struct xc_prefix *p, int max, char *err, size_t errlen)
{
	char buf[64];
	int n = 0;

	while (s && *s) {
		size_t k = strcspn(s, ",");
		const char *a = s, *e = s + k;

		s = *e ? e + 1 : e;
		while (a < e && (*a == ' ' || *a == '\t'))
			a++;
		while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (a == e)
			continue;
		if ((size_t)(e - a) >= sizeof(buf) || n >= max ||
		    (memcpy(buf, a, (size_t)(e - a)), buf[e - a] = '\0',
		     xc_prefix_parse(buf, &p[n]))) {
			snprintf(err, errlen, "CIDR '%.*s': %s", (int)(e - a > 60 ? 60 : e - a), a,
				 n >= max ? "too many" : "not a CIDR");
			return -EINVAL;
		}
		n++;
	}
	return n;
}

/* ---- intervals --------------------------------------------------------- */

int xc_ivset_add(struct xc_ivset *s, const struct xc_prefix *p)
{
	size_t len = p->ip.family == AF_INET ? 4 : 16;
	struct xc_iv *iv;

	if (!(iv = xc_array_grow(s->v, &s->cap, s->n, sizeof(*s->v), 16)))
		return -ENOMEM;
	s->v = iv;
	iv = &s->v[s->n++];
	memset(iv, 0, sizeof(*iv));
	for (size_t i = 0; i < len; i++) {
		int bits = (int)p->len - (int)i * 8;
		uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));

		iv->lo[i] = p->ip.a[i] & mask;
		iv->hi[i] = iv->lo[i] | (uint8_t)~mask;
	}
	return 0;
}

static int iv_cmp(const void *a, const void *b, const void *len)
{
	return memcmp(((const struct xc_iv *)a)->lo, ((const struct xc_iv *)b)->lo,
		      *(const size_t *)len);
}

/* k + 1 in place; returns 1 when it wrapped (k was the last key). */
int xc_iv_key_inc(uint8_t *k, size_t len)
{
	for (size_t i = len; i-- > 0;)
		if (++k[i])
			return 0;
	return 1;
}

int xc_ivset_normalize(struct xc_ivset *s, size_t len)
{
	size_t o = 0;

	if (xc_sorted_sort_heap(s->v, s->n, sizeof(*s->v), iv_cmp, &len))
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		struct xc_iv *last = o ? &s->v[o - 1] : NULL;
		uint8_t next[16];

		if (last) {
			memcpy(next, last->hi, len);
			/* overlapping or adjacent: one interval */
			if (xc_iv_key_inc(next, len) || memcmp(s->v[i].lo, next, len) <= 0) {
				if (memcmp(s->v[i].hi, last->hi, len) > 0)
					memcpy(last->hi, s->v[i].hi, len);
				continue;
			}
		}
		s->v[o++] = s->v[i];
	}
	s->n = o;
	return 0;
}

void xc_ivset_free(struct xc_ivset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void xc_masq_free(struct xc_masq *q)
{
	const char *table = q->table;

	for (int i = 0; i < XC_MASQ_NSETS; i++) {
		xc_ivset_free(&q->want[i]);
		xc_ivset_free(&q->have[i]);
	}
	free(q->buf);
	memset(q, 0, sizeof(*q));
	q->table = table;
}

/* Is p inside one of the cluster's ranges? */
static int in_cluster(const struct xc_masq_conf *c, const struct xc_prefix *p)
{
	for (int i = 0; i < c->ncluster; i++)
		if (xc_prefix_contains_prefix(&c->cluster[i], p))
			return 1;
	return 0;
}

void xc_masq_node(struct xc_masq *q, const struct xc_masq_conf *c,
		  const struct xc_node *before, const struct xc_node_rec *after)
{
	struct xc_prefix pb;

	for (int k = 0; before && !q->changed && k < before->ncidr; k++)
		q->changed = !in_cluster(c, xc_node_cidr_at(before, k, &pb));
	for (int k = 0; after && !q->changed && k < after->ncidr; k++)
		q->changed = !in_cluster(c, &after->cidr[k]);
}

int xc_masq_want(struct xc_masq *q, const struct xc_masq_conf *c, const struct xc_nodetab *t)
{
	int rc = 0;

	for (int i = 0; i < XC_MASQ_NSETS; i++)
		q->want[i].n = 0;
	for (size_t i = 0; i < t->n; i++)
		for (int k = 0; k < t->v[i]->ncidr; k++) {
			struct xc_prefix pb;
			const struct xc_prefix *p = xc_node_cidr_at(t->v[i], k, &pb);

			rc |= xc_ivset_add(&q->want[p->ip.family == AF_INET ? XC_MASQ_POD4 :
						    XC_MASQ_POD6], p);
		}
	for (int i = 0; i < c->ncluster; i++)
		rc |= xc_ivset_add(&q->want[c->cluster[i].ip.family == AF_INET ? XC_MASQ_POD4 :
					    XC_MASQ_POD6], &c->cluster[i]);
	for (int i = 0; i < c->nextra; i++)
		rc |= xc_ivset_add(&q->want[c->extra[i].ip.family == AF_INET ? XC_MASQ_NOMASQ4 :
					    XC_MASQ_NOMASQ6], &c->extra[i]);
	for (int i = 0; i < XC_MASQ_NSETS; i++)
		rc |= xc_ivset_normalize(&q->want[i], xc_masq_keylen(i));
	return rc ? -ENOMEM : 0;
}

size_t xc_ivset_minus(const struct xc_ivset *a, const struct xc_ivset *b, size_t len,
		      void (*cb)(void *arg, const struct xc_iv *iv), void *arg)
{
	size_t j = 0, n = 0;

	for (size_t i = 0; i < a->n; i++) {
		int d = 1;

		while (j < b->n && (d = memcmp(b->v[j].lo, a->v[i].lo, len)) < 0)
			j++;
		if (j < b->n && !d && !memcmp(b->v[j].hi, a->v[i].hi, len))
			continue;
		n++;
		if (cb)
			cb(arg, &a->v[i]);
	}
	return n;
}

char *xc_iv_format(const struct xc_iv *iv, size_t len, char *buf, size_t size)
{
	struct xc_prefix p = { .ip.family = len == 4 ? AF_INET : AF_INET6 };
	char a[XC_IP_STRLEN], b[XC_IP_STRLEN];
	unsigned bits = (unsigned)len * 8;

	memcpy(p.ip.a, iv->lo, len);
	xc_ip_format(&p.ip, a, sizeof(a));
	/* the longest prefix starting at lo; it is the interval when it ends at hi */
	for (p.len = (uint8_t)bits; p.len > 0; p.len--) {
		unsigned bit = p.len - 1u;

		if (iv->lo[bit / 8] & (0x80 >> (bit % 8)))
			break;
	}
	for (; p.len <= bits; p.len++) {
		struct xc_iv one;
		struct xc_ivset t = { &one, 0, 1 };

		xc_ivset_add(&t, &p);
		if (!memcmp(one.hi, iv->hi, len)) {
			if (p.len == bits)
				snprintf(buf, size, "%s", a);
			else
				snprintf(buf, size, "%s/%u", a, p.len);
			return buf;
		}
	}
	memcpy(p.ip.a, iv->hi, len);
	xc_ip_format(&p.ip, b, sizeof(b));
	snprintf(buf, size, "%s-%s", a, b);
	return buf;
}

/* ---- the ruleset ------------------------------------------------------- */

void xc_masq_table_name(unsigned protocol, char buf[XC_MASQ_TABLE_MAX])
{
	if (protocol == XC_RT_PROTOCOL)
		snprintf(buf, XC_MASQ_TABLE_MAX, XC_MASQ_TABLE);
	else
		snprintf(buf, XC_MASQ_TABLE_MAX, XC_MASQ_TABLE "-%u", protocol);
}

static void rule(struct xc_nft_batch *b, const char *table, int v6)
{
	struct xc_nl_msg *m = xc_nft_rule(b, NFPROTO_INET, table, XC_MASQ_CHAIN);
	uint32_t len = v6 ? 16 : 4, src = v6 ? 8 : 12, dst = v6 ? 24 : 16;
	const char *pod = xc_masq_set_name[v6 ? XC_MASQ_POD6 : XC_MASQ_POD4];

	xc_nft_match_nfproto(m, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	xc_nft_payload(m, NFT_PAYLOAD_NETWORK_HEADER, src, len, NFT_REG_1);
	xc_nft_lookup(m, NFT_REG_1, pod, 0);
	xc_nft_payload(m, NFT_PAYLOAD_NETWORK_HEADER, dst, len, NFT_REG_1);
	xc_nft_lookup(m, NFT_REG_1, pod, 1);
	xc_nft_payload(m, NFT_PAYLOAD_NETWORK_HEADER, dst, len, NFT_REG_1);
	xc_nft_lookup(m, NFT_REG_1, xc_masq_set_name[v6 ? XC_MASQ_NOMASQ6 : XC_MASQ_NOMASQ4], 1);
	xc_nft_masq(m);
	xc_nft_rule_end(b, "xcluster-cni: pod egress leaves with the node address");
}

void xc_masq_ruleset(struct xc_nft_batch *b, const char *table, int rules_only)
{
	static const struct xc_nft_chain ch = {
		XC_MASQ_CHAIN, "nat", NF_INET_POST_ROUTING, 100, NF_ACCEPT,
	};

	if (!rules_only) {
		xc_nft_table(b, NFT_MSG_NEWTABLE, NFPROTO_INET, table);
		for (int i = 0; i < XC_MASQ_NSETS; i++) {
			struct xc_nft_set s = {
				xc_masq_set_name[i], NFT_SET_INTERVAL,
				xc_masq_keylen(i) == 4 ? XC_NFT_TYPE_IPADDR : XC_NFT_TYPE_IP6ADDR,
				(uint32_t)xc_masq_keylen(i), XC_NFT_BYTEORDER_BIG,
			};

			xc_nft_set(b, NFPROTO_INET, table, &s);
		}
		xc_nft_chain(b, NFPROTO_INET, table, &ch);
	}
	rule(b, table, 0);
	rule(b, table, 1);
}

size_t xc_masq_metrics(const struct xc_masq *q, char *buf, size_t size)
{
	int n = snprintf(buf, size,
		"# HELP xcluster_router_masquerade 1 when pods' egress is masqueraded\n"
		"# TYPE xcluster_router_masquerade gauge\nxcluster_router_masquerade %d\n"
		"# HELP xcluster_router_masquerade_set_intervals Intervals in each set of "
		"our table\n# TYPE xcluster_router_masquerade_set_intervals gauge\n", q->on);

	for (int i = 0; i < XC_MASQ_NSETS && n >= 0 && (size_t)n < size; i++)
		n += snprintf(buf + n, size - (size_t)n,
			      "xcluster_router_masquerade_set_intervals{set=\"%s\"} %zu\n",
			      xc_masq_set_name[i], q->on ? q->have[i].n : 0);
	if (n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n,
			      "# HELP xcluster_router_nftables_errors_total Failed nf_tables reads "
			      "and batches\n# TYPE xcluster_router_nftables_errors_total counter\n"
			      "xcluster_router_nftables_errors_total %lu\n", q->errors);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}
