/*
 * routes: a computation brought up to date after a few node changes
 * (xc_rt_update) instead of made again. See routes.h.
 *
 * A whole computation sorts every node's addresses and pod CIDRs to judge
 * each CIDR against all the others: ~90 ms at 65,000 nodes, paid by every
 * node event. But a node whose CIDRs and age stay as they were leaves
 * every other node's verdict as it was, unless an address it gained or
 * lost lies in some node's CIDR ("contains a node's address") or is
 * another node's too (the FDB entry of a shared VXLAN endpoint goes to
 * the first node by name). When one pass over the table finds neither,
 * and no CIDR of the changed nodes or of this node overlaps another node's
 * (the contest), only the changed nodes' entries change: they are judged
 * and computed alone, as xc_rt_compute judges and computes them, and
 * merged into the sorted set in one walk.
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
	d->gone[d->ngone++] = (uintptr_t)before;
	for (who = 0; who < d->n && strcmp(d->name[who], after->name); who++)
		;
	if (who == d->n)     /* names <= records gone <= XC_RT_DELTA_MAX */
		memcpy(d->name[d->n++], after->name, strlen(after->name) + 1);
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
};

static int is_gone(const struct xc_rt_delta *d, const struct xc_node *n)
{
	for (size_t i = 0; i < d->ngone; i++)
		if (d->gone[i] == (uintptr_t)n)
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
	for (size_t i = 0; i < u->n; i++)
		for (int k = 0; k < u->node[i]->ncidr; k++)
			xc_node_cidr_at(u->node[i], k, &u->cidr[i][k]);
	return 0;
}

/*
 * Address a of node m (NULL: this host's own): noted where it lies in a
 * judged CIDR; 1 if a changed node gained or lost it and another has it.
 * (One a changed node kept and another has was shared before: a key of
 * its that another node holds shows in xc_rt_update's put.)
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
			return 1;   /* another node has an address a changed node gained or lost */
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

int xc_rt_update(const struct xc_rt_conf *conf, const struct xc_rt_env *env,
		 const struct xc_nodetab *t, const struct xc_rt_delta *d, struct xc_rt_set *out,
		 struct xc_rt_stats *st, xc_rt_skip_cb skip, void *arg)
{
	struct upd *u = calloc(1, sizeof(*u));
	struct xc_rt_set fresh = { 0 };
	struct xc_rt_stats now = { 0 };
	size_t w = 0, gone[XC_RT_NH + 1] = { 0 }, made[XC_RT_NH + 1] = { 0 };
	int rc = 1;

	if (!u)
		return -ENOMEM;
	u->c = (struct xc_rt_ctx){ .conf = conf, .env = env, .out = &fresh, .st = &now };
	u->d = d;
	if (d->whole || env->amap || find_nodes(u, t) || scan(u, t))
		goto out;
	rc = -ENOMEM;
	if (xc_rt_set_reserve(&fresh, u->nchanged * (XC_NODE_CIDRS * 2 + 1)) ||
	    xc_rt_set_reserve(out, out->n + u->nchanged * (XC_NODE_CIDRS * 2 + 1)))
		goto out;
	/* judged and computed as xc_rt_compute does, with the verdicts that stand */
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
	for (size_t i = 0; i < out->n; i++) {
		if (is_gone(d, out->v[i].node))
			gone[out->v[i].kind]++;
		else
			out->v[w++] = out->v[i];
	}
	out->n = w;
	rc = 1;         /* a key held by an entry that stays: cannot be, but no guess either */
	for (size_t i = 0; i < fresh.n; i++) {
		if (xc_rt_set_find(out, &fresh.v[i]) || xc_rt_set_put(out, &fresh.v[i]))
			goto out;
		made[fresh.v[i].kind]++;
	}
	/* A peer's CIDR has a route or a reason: its old reasons were its CIDRs - its routes. */
	st->skipped = st->skipped - (now.skipped + made[XC_RT_ROUTE] - gone[XC_RT_ROUTE]) +
		      now.skipped;
	st->routes = st->routes - gone[XC_RT_ROUTE] + made[XC_RT_ROUTE];
	st->neighs = st->neighs - gone[XC_RT_NEIGH] + made[XC_RT_NEIGH];
	st->fdbs = st->fdbs - gone[XC_RT_FDB] + made[XC_RT_FDB];
	rc = 0;
out:
	xc_rt_set_free(&fresh);
	free(u);
	return rc;
}
