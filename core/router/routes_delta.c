/*
 * routes: a computation brought up to date after a few node changes
 * (xc_rt_update) instead of made again. See routes.h.
 *
 * A whole computation sorts every node's addresses and pod CIDRs to judge
 * each CIDR against all the others: ~90 ms at 65,000 nodes, paid by every
 * node event. But a node whose CIDRs and age stay as they were leaves
 * every other node's verdict as it was, unless an address it gained or
 * lost lies in some node's CIDR ("contains a node's address"), or is
 * another node's too, or was the endpoint of an FDB entry of its that
 * another node shares (a shared VXLAN endpoint's entry goes to the first
 * node by name: that node's may be the one to stand now). When one walk
 * over the table finds none of these, no CIDR of the changed nodes or of
 * this node overlaps another's, its own included (the contest), and no
 * new entry's key is held already, only the changed nodes' entries
 * change: they are judged and computed alone, as xc_rt_compute judges
 * and computes them, and put in place of their old ones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "router/routes.h"
#include "router/routes_int.h"

void xc_rt_delta_reset(struct xc_rt_delta *d, uint64_t base)
{
	d->base = base;
	d->notes = 0;
	d->whole = 0;
	d->n = d->ngone = d->nmoved = 0;
}

static int same_cidrs(const struct xc_node *a, const struct xc_node_rec *b)
{
	struct xc_prefix p;

	if (a->ncidr != b->ncidr)
		return 0;
	for (int k = 0; k < a->ncidr; k++) {
		xc_node_cidr_at(a, k, &p);
		if (p.len != b->cidr[k].len || !xc_ip_equal(&p.ip, &b->cidr[k].ip))
			return 0;
	}
	return 1;
}

static int rec_has(const struct xc_node_rec *r, const struct xc_ip *ip)
{
	for (int j = 0; j < r->naddr; j++)
		if (xc_ip_equal(&r->addr[j].ip, ip))
			return 1;
	return 0;
}

static int node_has(const struct xc_node *n, const struct xc_ip *ip)
{
	struct xc_ip a;

	for (int k = 0; k < n->naddr; k++) {
		xc_node_addr_at(n, k, &a);
		if (xc_ip_equal(&a, ip))
			return 1;
	}
	return 0;
}

static void moved(struct xc_rt_delta *d, const struct xc_ip *ip, size_t who)
{
	if (d->nmoved == XC_RT_DELTA_ADDRS) {
		d->whole = 1;
		return;
	}
	d->moved[d->nmoved].ip = *ip;
	d->moved[d->nmoved++].who = (uint8_t)who;
}

void xc_rt_delta_note(struct xc_rt_delta *d, const struct xc_node *before,
		      const struct xc_node_rec *after)
{
	struct xc_ip a;
	size_t who;

	d->notes++;
	if (d->whole || !before || !after || d->ngone == XC_RT_DELTA_MAX ||
	    before->created != after->created || !same_cidrs(before, after)) {
		d->whole = 1;
		return;
	}
	for (who = 0; who < d->n && strcmp(d->name[who], after->name); who++)
		;
	if (who == d->n)     /* names <= records gone <= XC_RT_DELTA_MAX */
		memcpy(d->name[d->n++], after->name, strlen(after->name) + 1);
	d->gone_who[d->ngone] = (uint8_t)who;
	d->gone[d->ngone++] = (uintptr_t)before;
	for (int k = 0; k < before->naddr; k++)
		if (!rec_has(after, (xc_node_addr_at(before, k, &a), &a)))
			moved(d, &a, who);
	for (int j = 0; j < after->naddr; j++)
		if (!node_has(before, &after->addr[j].ip))
			moved(d, &after->addr[j].ip, who);
}

/* ---- bringing a computation up to date --------------------------------- */

/* The nodes judged again: the changed ones, then this node (its CIDRs' refusals are told too). */
#define UPD_NODES (XC_RT_DELTA_MAX + 1)

struct upd {
	struct xc_rt_ctx c;         /* c.out: the changed nodes' new entries; c.st: their counts */
	const struct xc_rt_delta *d;
	const struct xc_node *node[UPD_NODES];
	size_t n, nchanged;         /* node[0..nchanged): changed; then this node, if any */
	struct xc_prefix cidr[UPD_NODES][XC_NODE_CIDRS];
	struct xc_ip hit[UPD_NODES][XC_NODE_CIDRS];  /* a node's address in it; family 0: none */
	struct {
		struct xc_ip ip;
		uint8_t who;        /* d->name[who]'s before the change */
	} fdb[XC_RT_DELTA_MAX];     /* the VXLAN endpoints of the entries that go */
	size_t nfdb, gone[XC_RT_NH + 1];  /* ... and how many entries of each kind go */
};

/* Which of d's replaced records n is: its index, or -1. */
static int gone_index(const struct xc_rt_delta *d, const struct xc_node *n)
{
	for (size_t i = 0; i < d->ngone; i++)
		if (d->gone[i] == (uintptr_t)n)
			return (int)i;
	return -1;
}

/* Two CIDRs of one node that overlap: the contest settles them. */
static int own_overlap(const struct xc_prefix *c, int n)
{
	for (int k = 0; k < n; k++)
		for (int j = k + 1; j < n; j++)
			if (xc_prefix_overlaps(&c[k], &c[j]))
				return 1;
	return 0;
}

/* The changed nodes as they are now, then this node; 1: not a case for an update. */
static int find_nodes(struct upd *u, const struct xc_nodetab *t)
{
	const struct xc_rt_delta *d = u->d;
	const char *self = u->c.conf->self;

	for (size_t i = 0; i < d->n; i++)
		if ((self && !strcmp(d->name[i], self)) ||
		    !(u->node[u->n++] = xc_nodetab_find(t, d->name[i])))
			return 1;
	u->nchanged = u->n;
	if ((u->c.self = self ? xc_nodetab_find(t, self) : NULL))
		u->node[u->n++] = u->c.self;
	for (size_t i = 0; i < u->n; i++) {
		for (int k = 0; k < u->node[i]->ncidr; k++)
			xc_node_cidr_at(u->node[i], k, &u->cidr[i][k]);
		if (own_overlap(u->cidr[i], u->node[i]->ncidr))
			return 1;
	}
	return 0;
}

/* What goes: the replaced records' entries counted, their VXLAN endpoints noted. */
static void survey(struct upd *u, const struct xc_rt_set *out)
{
	for (size_t i = 0; i < out->n; i++) {
		const struct xc_rt_entry *e = &out->v[i];
		int g = gone_index(u->d, e->node);

		if (g < 0)
			continue;
		u->gone[e->kind]++;
		if (e->kind == XC_RT_FDB && u->nfdb < XC_RT_DELTA_MAX) {
			u->fdb[u->nfdb].ip.family = e->gw_family;
			memcpy(u->fdb[u->nfdb].ip.a, e->gw, sizeof(e->gw));
			u->fdb[u->nfdb++].who = u->d->gone_who[g];
		}
	}
}

/*
 * Address a of node m (NULL: this host's own): noted where it lies in a
 * judged CIDR. 1 when another node has an address a changed node gained
 * or lost, or had as the endpoint of an FDB entry that goes: that node's
 * own entry may be the one to stand (the first node by name wins a
 * shared endpoint). One a changed node keeps using and another has shows
 * in xc_rt_update's check of the new keys.
 */
static int check_addr(struct upd *u, const struct xc_node *m, const struct xc_ip *a)
{
	const struct xc_rt_delta *d = u->d;

	for (size_t i = 0; i < u->n; i++)
		for (int k = 0; k < u->node[i]->ncidr; k++)
			if (xc_prefix_contains(&u->cidr[i][k], a))
				u->hit[i][k] = *a;
	for (size_t j = 0; j < d->nmoved; j++)
		if (xc_ip_equal(&d->moved[j].ip, a) && (!m || strcmp(d->name[d->moved[j].who], m->name)))
			return 1;
	for (size_t j = 0; j < u->nfdb; j++)
		if (xc_ip_equal(&u->fdb[j].ip, a) && (!m || strcmp(d->name[u->fdb[j].who], m->name)))
			return 1;
	return 0;
}

/* CIDR p of node m: 1 if a moved address lies in it or it overlaps a judged node's. */
static int check_cidr(struct upd *u, const struct xc_node *m, const struct xc_prefix *p)
{
	for (size_t j = 0; j < u->d->nmoved; j++)
		if (xc_prefix_contains(p, &u->d->moved[j].ip))
			return 1;
	for (size_t i = 0; i < u->n; i++)
		for (int k = 0; u->node[i] != m && k < u->node[i]->ncidr; k++)
			if (xc_prefix_overlaps(&u->cidr[i][k], p))
				return 1;
	return 0;
}

/* One walk over the table (and this node's own addresses): 1 when others' verdicts move. */
static int scan(struct upd *u, const struct xc_nodetab *t)
{
	struct xc_prefix p;
	struct xc_ip a;

	for (size_t i = 0; i < t->n; i++) {
		const struct xc_node *m = t->v[i];

		for (int k = 0; k < m->ncidr; k++)
			if (check_cidr(u, m, xc_node_cidr_at(m, k, &p)))
				return 1;
		for (int k = 0; k < m->naddr; k++)
			if (check_addr(u, m, (xc_node_addr_at(m, k, &a), &a)))
				return 1;
	}
	return (u->c.env->self4.family && check_addr(u, NULL, &u->c.env->self4)) ||
	       (u->c.env->self6.family && check_addr(u, NULL, &u->c.env->self6));
}

/*
 * The judged nodes' CIDRs, judged and computed as xc_rt_compute does,
 * with the verdicts that stand, into u->c.out (emptied first; it has room).
 */
static void judge(struct upd *u, xc_rt_skip_cb skip, void *arg)
{
	const struct xc_rt_conf *conf = u->c.conf;

	u->c.out->n = 0;
	for (size_t i = 0; i < u->n; i++) {
		u->c.fdb_done = 0;
		for (int k = 0; k < u->node[i]->ncidr; k++) {
			const struct xc_prefix *p = &u->cidr[i][k];
			const struct xc_ip *h = &u->hit[i][k];
			const char *r = xc_rt_cidr_refusal(p, h, h->family ? 1 : 0, conf->cluster,
							   conf->ncluster);

			xc_rt_cidr_pass(&u->c, u->node[i], k, r ? r : xc_rt_local_refusal(&u->c, p),
					skip, arg);
		}
	}
}

/* 1 when a new entry's key is another's too: one that stays, or another new one. */
static int taken(const struct upd *u, const struct xc_rt_set *out)
{
	const struct xc_rt_set *s = u->c.out;

	for (size_t i = 0; i < s->n; i++) {
		const struct xc_rt_entry *o = xc_rt_set_find(out, &s->v[i]);

		if (o && gone_index(u->d, o->node) < 0)
			return 1;
		for (size_t j = 0; j < i; j++)
			if (!xc_rt_cmp(&s->v[j], &s->v[i]))
				return 1;
	}
	return 0;
}

/*
 * have gets a copy of each of out's entries that goes (a changed node's)
 * while the kernel holds it: room first, so that nothing fails halfway.
 */
static int keep_held(const struct upd *u, const struct xc_rt_set *out, struct xc_rt_set *have)
{
	size_t k = 0, n0 = have ? have->n : 0;

	for (size_t i = 0; have && i < out->n; i++)
		k += (out->v[i].flags & XC_RT_F_HAVE) && gone_index(u->d, out->v[i].node) >= 0;
	if (!k)
		return 0;
	if (xc_rt_set_reserve(have, have->n + k))
		return -ENOMEM;
	for (size_t i = 0; i < out->n; i++) {
		const struct xc_rt_entry *e = &out->v[i];

		if (!(e->flags & XC_RT_F_HAVE) || gone_index(u->d, e->node) < 0)
			continue;
		have->v[have->n++] = xc_rt_have_copy(e, 0);
	}
	return xc_rt_set_sort_from(have, n0);
}

int xc_rt_update(const struct xc_rt_conf *conf, const struct xc_rt_env *env,
		 const struct xc_nodetab *t, const struct xc_rt_delta *d, struct xc_rt_set *out,
		 struct xc_rt_set *have, struct xc_rt_stats *st, xc_rt_skip_cb skip, void *arg)
{
	struct upd *u = calloc(1, sizeof(*u));
	struct xc_rt_set fresh = { 0 };
	struct xc_rt_stats now = { 0 };
	size_t w = 0, made[XC_RT_NH + 1] = { 0 };
	int rc = 1;

	if (!u)
		return -ENOMEM;
	u->c = (struct xc_rt_ctx){ .conf = conf, .env = env, .out = &fresh, .st = &now };
	u->d = d;
	if (d->whole || env->amap || find_nodes(u, t))
		goto out;
	survey(u, out);
	if (scan(u, t))
		goto out;
	rc = -ENOMEM;
	if (xc_rt_set_reserve(&fresh, u->n * (XC_NODE_CIDRS * 2 + 1)) ||
	    xc_rt_set_reserve(out, out->n + u->n * (XC_NODE_CIDRS * 2 + 1)))
		goto out;
	judge(u, NULL, NULL);
	rc = 1;
	if (taken(u, out))
		goto out;
	if ((rc = keep_held(u, out, have)))
		goto out;
	for (size_t i = 0; i < out->n; i++)
		if (gone_index(d, out->v[i].node) < 0)
			out->v[w++] = out->v[i];
	out->n = w;
	for (size_t i = 0; i < fresh.n; i++) {
		xc_rt_set_put(out, &fresh.v[i]);        /* a new key, with room */
		made[fresh.v[i].kind]++;
	}
	/*
	 * Every verdict stands, so refused stays; a peer's CIDR has a route or
	 * a reason, so skipped moves against the routes.
	 */
	st->skipped = st->skipped + u->gone[XC_RT_ROUTE] - made[XC_RT_ROUTE];
	st->routes = st->routes - u->gone[XC_RT_ROUTE] + made[XC_RT_ROUTE];
	st->neighs = st->neighs - u->gone[XC_RT_NEIGH] + made[XC_RT_NEIGH];
	st->fdbs = st->fdbs - u->gone[XC_RT_FDB] + made[XC_RT_FDB];
	judge(u, skip, arg);            /* again, to tell: only now is the outcome sure */
	rc = 0;
out:
	xc_rt_set_free(&fresh);
	free(u);
	return rc;
}
