/*
 * masq_nl: the masquerade table read back, compared, and changed in one
 * batch. See masq.h.
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

/* What the kernel's table says, as the dumps go by. */
struct rd {
	struct xc_masq *q;
	const char *table;
	int ok, sets, chains, rules, set;
	const struct nlattr *expr[2], *udata[2];   /* the wanted rules */
	struct key { uint8_t k[16]; uint32_t flags; } *e;
	size_t ne, cap;
};

/* Our table's name. */
static const char *tname(const struct xc_masq *q)
{
	return q->table ? q->table : XC_MASQ_TABLE;
}

/* A message of our table (dumps may not filter on it). */
static int ours(const struct rd *r, const struct nlmsghdr *nlh, uint16_t cmd,
		const struct nlattr **tb, unsigned max)
{
	char name[XC_MASQ_TABLE_MAX + 1];

	return !xc_nft_parse(nlh, cmd, tb, max) && !xc_nl_get_str(tb[1], name, sizeof(name)) &&
	       !strcmp(name, r->table);
}

static int on_chain(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[NFTA_CHAIN_MAX + 1], *hk[NFTA_HOOK_MAX + 1];
	struct rd *r = arg;
	char name[32], type[8];

	if (!ours(r, nlh, NFT_MSG_NEWCHAIN, tb, NFTA_CHAIN_MAX))
		return 0;
	r->chains++;
	xc_nl_get_str(tb[NFTA_CHAIN_NAME], name, sizeof(name));
	xc_nl_get_str(tb[NFTA_CHAIN_TYPE], type, sizeof(type));
	if (!tb[NFTA_CHAIN_HOOK] || xc_nl_nest_parse(tb[NFTA_CHAIN_HOOK], hk, NFTA_HOOK_MAX) ||
	    strcmp(name, XC_MASQ_CHAIN) || strcmp(type, "nat") ||
	    xc_nft_get_be32(hk[NFTA_HOOK_HOOKNUM], 0) != NF_INET_POST_ROUTING ||
	    xc_nft_get_be32(hk[NFTA_HOOK_PRIORITY], 0) != 100 ||
	    xc_nft_get_be32(tb[NFTA_CHAIN_POLICY], 0) != NF_ACCEPT)
		r->ok = 0;
	return 0;
}

static int on_set(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[NFTA_SET_MAX + 1];
	static const uint8_t ud[2] = { XC_NFT_UDATA_SET_KEYBYTEORDER, 4 };
	uint32_t order = XC_NFT_BYTEORDER_BIG;
	struct rd *r = arg;
	char name[16];
	int i;

	if (!ours(r, nlh, NFT_MSG_NEWSET, tb, NFTA_SET_MAX))
		return 0;
	xc_nl_get_str(tb[NFTA_SET_NAME], name, sizeof(name));
	for (i = 0; i < XC_MASQ_NSETS && strcmp(name, xc_masq_set_name[i]); i++)
		;
	if (i == XC_MASQ_NSETS || !tb[NFTA_SET_USERDATA] ||
	    xc_nl_attr_len(tb[NFTA_SET_USERDATA]) != 6 ||
	    memcmp(xc_nl_attr_data(tb[NFTA_SET_USERDATA]), ud, 2) ||
	    memcmp((const uint8_t *)xc_nl_attr_data(tb[NFTA_SET_USERDATA]) + 2, &order, 4) ||
	    xc_nft_get_be32(tb[NFTA_SET_FLAGS], 0) != NFT_SET_INTERVAL ||
	    xc_nft_get_be32(tb[NFTA_SET_KEY_LEN], 0) != xc_masq_keylen(i) ||
	    xc_nft_get_be32(tb[NFTA_SET_KEY_TYPE], 0) !=
		    (xc_masq_keylen(i) == 4 ? XC_NFT_TYPE_IPADDR : XC_NFT_TYPE_IP6ADDR)) {
		r->ok = 0;
		return 0;
	}
	r->sets |= 1 << i;
	return 0;
}

static int on_rule(const struct nlmsghdr *nlh, void *arg)
{
	struct xc_nft_rule_body b;
	struct rd *r = arg;
	int i = r->rules++;

	if (xc_nft_rule_body(nlh, &b) || i > 1 || !xc_nft_attr_equal(b.expr, r->expr[i]) ||
	    !xc_nft_attr_equal(b.udata, r->udata[i]))
		r->ok = 0;
	return 0;
}

static int on_key(void *arg, const uint8_t *key, size_t len, uint32_t flags)
{
	struct rd *r = arg;
	void *v;

	if (len != xc_masq_keylen(r->set)) {
		r->ok = 0;
		return 0;
	}
	if (!(v = xc_array_grow(r->e, &r->cap, r->ne, sizeof(*r->e), 64)))
		return -ENOMEM;
	r->e = v;
	memset(&r->e[r->ne], 0, sizeof(*r->e));
	memcpy(r->e[r->ne].k, key, len);
	r->e[r->ne++].flags = flags;
	return 0;
}

static int on_elems(const struct nlmsghdr *nlh, void *arg)
{
	return xc_nft_elems_parse(nlh, on_key, arg);
}

static int key_cmp(const void *a, const void *b, const void *arg)
{
	(void)arg;
	return memcmp(a, b, 16);
}

/*
 * Pair a set's elements into intervals: a start, then the end element one
 * past its last key (none for an interval to the last key). A leading end
 * (nft writes one at key 0) is skipped; anything else unpaired is not ours.
 */
static int to_intervals(struct rd *r, struct xc_ivset *s, size_t len)
{
	struct xc_iv *open = NULL;
	uint8_t ones[16];

	if (xc_sorted_sort_heap(r->e, r->ne, sizeof(*r->e), key_cmp, NULL))
		return -ENOMEM;
	memset(ones, 0xff, sizeof(ones));
	s->n = 0;
	for (size_t i = 0; i < r->ne; i++) {
		int end = (r->e[i].flags & NFT_SET_ELEM_INTERVAL_END) != 0;
		struct xc_prefix p = { .len = 0 };

		if (end && open) {
			memcpy(open->hi, r->e[i].k, len);
			for (size_t k = len; k-- > 0 && !open->hi[k]--;)
				;
			open = NULL;
		} else if (!end && !open) {
			p.ip.family = len == 4 ? AF_INET : AF_INET6;
			memcpy(p.ip.a, r->e[i].k, len);
			if (xc_ivset_add(s, &p))
				return -ENOMEM;
			open = &s->v[s->n - 1];
			memcpy(open->lo, r->e[i].k, len);
		} else if (!end || i) {
			r->ok = 0;
		}
	}
	if (open)
		memcpy(open->hi, ones, len);
	return 0;
}

/* Read our table: 1 when it is there, 0 when not; r->ok when it is as we want. */
static int read_table(struct xc_masq *q, struct xc_nl *nl, struct rd *r)
{
	uint32_t buf[512];
	struct xc_nft_batch b;
	struct xc_nft_rule_body w[2];
	int rc;

	r->ok = 1;
	r->table = tname(q);
	rc = xc_nft_dump(nl, NFT_MSG_GETTABLE, NFPROTO_INET, r->table, NULL, NULL, NULL);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	/* the wanted rules as built, to compare with the kernel's */
	xc_nft_batch_init(&b, buf, sizeof(buf));
	xc_masq_ruleset(&b, r->table, 1);
	xc_nft_rule_body((const struct nlmsghdr *)(b.buf + NLMSG_ALIGN(((struct nlmsghdr *)
				 b.buf)->nlmsg_len)), &w[0]);
	xc_nft_rule_body(b.m.nlh, &w[1]);
	for (int i = 0; i < 2; i++) {
		r->expr[i] = w[i].expr;
		r->udata[i] = w[i].udata;
	}
	if ((rc = xc_nft_dump(nl, NFT_MSG_GETCHAIN, NFPROTO_INET, r->table, NULL, on_chain, r)) ||
	    (rc = xc_nft_dump(nl, NFT_MSG_GETSET, NFPROTO_INET, r->table, NULL, on_set, r)) ||
	    (rc = xc_nft_dump(nl, NFT_MSG_GETRULE, NFPROTO_INET, r->table, NULL, on_rule, r)))
		return rc;
	if (r->chains != 1 || r->sets != (1 << XC_MASQ_NSETS) - 1 || r->rules != 2)
		r->ok = 0;
	for (int i = 0; i < XC_MASQ_NSETS && r->ok; i++) {
		r->set = i;
		r->ne = 0;
		rc = xc_nft_dump(nl, NFT_MSG_GETSETELEM, NFPROTO_INET, r->table,
				 xc_masq_set_name[i], on_elems, r);
		if (!rc)
			rc = to_intervals(r, &q->have[i], xc_masq_keylen(i));
		if (rc)
			return rc;
	}
	return 1;
}

/* ---- writing ----------------------------------------------------------- */

struct emit {
	struct xc_nft_batch *b;
	const char *table;
	int set, n;
	uint16_t cmd;
	xc_masq_say say;
	void *arg;
};

#define ELEMS_PER_MSG 512     /* keeps a message's element nest under 64 KiB */
/*
 * What a batch can take, at most, in bytes: an interval is two elements
 * of up to 36 bytes (nest, key nest, a 16-byte key, the end flag); a
 * message of elements adds its header and names; the ruleset is ~1.5 KB.
 */
#define IV_BYTES 72
#define MSG_BYTES 96
#define RULESET_BYTES 4096

/*
 * Room in q's batch buffer for n intervals (and the ruleset): a cluster
 * whose pod CIDRs do not merge sends one interval per node, and a fixed
 * buffer would refuse the first fill of a large one. -ENOMEM.
 */
static int room(struct xc_masq *q, size_t n)
{
	size_t need = RULESET_BYTES + n * IV_BYTES + (n / ELEMS_PER_MSG + 2 * XC_MASQ_NSETS) * MSG_BYTES;
	void *p;

	if (need <= q->cap)
		return 0;
	need += need / 2;
	if (!(p = realloc(q->buf, need)))
		return -ENOMEM;
	q->buf = p;
	q->cap = need;
	return 0;
}

static void emit_iv(void *arg, const struct xc_iv *iv)
{
	struct emit *e = arg;
	size_t len = xc_masq_keylen(e->set);
	uint8_t end[16];
	char t[2 * XC_IP_STRLEN + 2], line[200];

	if (e->n % ELEMS_PER_MSG == 0) {
		if (e->n)
			xc_nft_elems_end(e->b);
		xc_nft_elems(e->b, e->cmd, NFPROTO_INET, e->table, xc_masq_set_name[e->set]);
	}
	e->n++;
	xc_nft_elem(e->b, iv->lo, len, 0);
	memcpy(end, iv->hi, len);
	if (!xc_iv_key_inc(end, len))
		xc_nft_elem(e->b, end, len, NFT_SET_ELEM_INTERVAL_END);
	if (e->say) {
		snprintf(line, sizeof(line), "nft %s element inet %s %s { %s }",
			 e->cmd == NFT_MSG_NEWSETELEM ? "add" : "delete", e->table,
			 xc_masq_set_name[e->set],
			 xc_iv_format(iv, len, t, sizeof(t)));
		e->say(e->arg, line);
	}
}

static int emit_set(struct emit *e, const struct xc_ivset *a, const struct xc_ivset *b)
{
	e->n = 0;
	xc_ivset_minus(a, b, xc_masq_keylen(e->set), emit_iv, e);
	if (e->n)
		xc_nft_elems_end(e->b);
	return e->n;
}

/* One nft command naming the table, to say. */
static void say_table(xc_masq_say say, void *arg, const char *fmt, const char *table)
{
	char line[200];

	if (!say)
		return;
	snprintf(line, sizeof(line), fmt, table);
	say(arg, line);
}

static void say_ruleset(const char *table, xc_masq_say say, void *arg)
{
	static const char *const lines[] = {
		"nft add table inet %s",
		"nft add set inet %s pod4 '{ type ipv4_addr; flags interval; }'",
		"nft add set inet %s pod6 '{ type ipv6_addr; flags interval; }'",
		"nft add set inet %s nomasq4 '{ type ipv4_addr; flags interval; }'",
		"nft add set inet %s nomasq6 '{ type ipv6_addr; flags interval; }'",
		"nft add chain inet %s " XC_MASQ_CHAIN
		" '{ type nat hook postrouting priority srcnat; policy accept; }'",
		"nft add rule inet %s " XC_MASQ_CHAIN
		" ip saddr @pod4 ip daddr != @pod4 ip daddr != @nomasq4 masquerade",
		"nft add rule inet %s " XC_MASQ_CHAIN
		" ip6 saddr @pod6 ip6 daddr != @pod6 ip6 daddr != @nomasq6 masquerade",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		say_table(say, arg, lines[i], table);
}

#define SAY_DELETE "nft delete table inet %s"

static int masq_off(struct xc_masq *q, struct xc_nl *nl, int dry, xc_masq_say say, void *arg)
{
	struct xc_nft_batch b;
	int rc;

	q->on = 0;
	q->have_ok = 0;
	rc = xc_nft_dump(nl, NFT_MSG_GETTABLE, NFPROTO_INET, tname(q), NULL, NULL, NULL);
	if (rc == -ENOENT || rc == -EPROTONOSUPPORT || rc == -EOPNOTSUPP)
		return 0;
	if (rc)
		return rc;
	say_table(say, arg, SAY_DELETE, tname(q));
	if (dry)
		return 1;
	if ((rc = room(q, 0)))
		return rc;
	xc_nft_batch_init(&b, q->buf, q->cap);
	xc_nft_table(&b, NFT_MSG_DELTABLE, NFPROTO_INET, tname(q));
	rc = xc_nft_send(nl, &b);
	return rc == -ENOENT ? 0 : rc < 0 ? rc : 1;
}

int xc_masq_sync(struct xc_masq *q, struct xc_nl *nl, const struct xc_masq_conf *c,
		 const struct xc_nodetab *t, int full, int dry, xc_masq_say say, void *arg)
{
	struct rd r = { .q = q };
	struct xc_nft_batch b;
	struct emit e = { .b = &b, .table = tname(q), .say = say, .arg = arg };
	int rc = 0, there = 1, n = 0;
	size_t ivs = 0;

	if (!c->on || !t)
		rc = masq_off(q, nl, dry, say, arg);
	else if (!full && q->have_ok && !q->changed)
		return 0;       /* every change since was inside CLUSTER_CIDR: the sets hold */
	else if ((rc = xc_masq_want(q, c, t)) == 0 && (full || !q->have_ok)) {
		q->have_ok = 0;
		rc = there = read_table(q, nl, &r);
		q->have_ok = rc > 0 && r.ok;
	}
	free(r.e);
	if (rc < 0 || !c->on || !t)
		goto out;
	for (int i = 0; i < XC_MASQ_NSETS; i++)
		ivs += (q->have_ok ? q->have[i].n : 0) + q->want[i].n;
	if ((rc = room(q, ivs)) < 0)
		goto out;
	xc_nft_batch_init(&b, q->buf, q->cap);
	if (!q->have_ok) {
		if (there) {
			xc_nft_table(&b, NFT_MSG_DELTABLE, NFPROTO_INET, e.table);
			say_table(say, arg, SAY_DELETE, e.table);
		}
		xc_masq_ruleset(&b, e.table, 0);
		say_ruleset(e.table, say, arg);
		n++;
		for (int i = 0; i < XC_MASQ_NSETS; i++)
			q->have[i].n = 0;
	}
	for (e.set = 0, e.cmd = NFT_MSG_DELSETELEM; e.set < XC_MASQ_NSETS; e.set++)
		n += emit_set(&e, &q->have[e.set], &q->want[e.set]);
	for (e.set = 0, e.cmd = NFT_MSG_NEWSETELEM; e.set < XC_MASQ_NSETS; e.set++)
		n += emit_set(&e, &q->want[e.set], &q->have[e.set]);
	rc = n;
	if (dry || !n)
		goto out;
	rc = xc_nft_send(nl, &b);
	if (rc < 0)
		goto out;
	for (int i = 0; i < XC_MASQ_NSETS; i++) {
		struct xc_ivset tmp = q->have[i];

		q->have[i] = q->want[i];
		q->want[i] = tmp;
	}
	q->have_ok = 1;
	rc = n;
out:
	if (rc < 0) {
		q->errors++;
		q->have_ok = 0;
	} else if (!dry) {
		q->on = c->on && t;
		q->changes += (unsigned long)rc;
		q->changed = 0;
	}
	return rc;
}
