/*
 * routes: a computation brought up to date after a few node changes
 * (xc_rt_update) instead of made again. See routes.h.
 *
 * A whole computation sorts every node's addresses and pod CIDRs to judge
 * each CIDR against all the others: ~90 ms at 65,000 nodes, and ~7 MB of
 * judge on top of the wanted set. But a node changed, added or removed
 * leaves every other node's verdict as it was, unless one of its CIDRs,
 * as they are or as they were, overlaps another node's (the contest), or
 * an address it gained or lost lies in some node's CIDR ("contains a
 * node's address"), or was the endpoint of an FDB entry of its that
 * another node has too (a shared VXLAN endpoint's entry goes to the
 * first node by name: the other's may be the one to stand now). When one
 * walk over the table finds none of these and no new entry's key is an
 * unchanged node's already, only the changed nodes' entries change: they are judged and computed alone, as xc_rt_compute judges
 * and computes them, and put in place of their old ones. A node added is
 * a change from nothing, one removed a change to nothing.
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

static int rec_has(const struct xc_node_rec *r, const struct xc_ip *ip)
{
	for (int j = 0; j < r->naddr; j++)
		if (xc_ip_equal(&r->addr[j].ip, ip))
			return 1;
	return 0;
}

/* ip, gained or lost by a node, into d->moved. */
static void moved(struct xc_rt_delta *d, const struct xc_ip *ip)
{
	if (d->nmoved == XC_RT_DELTA_ADDRS)
		d->whole = 1;
	else
		d->moved[d->nmoved++] = *ip;
}

void xc_rt_delta_note(struct xc_rt_delta *d, const struct xc_node *before,
		      const struct xc_node_rec *after)
{
	const char *name = after ? after->name : before->name;
	struct xc_node_rec was;
	size_t who;

	d->notes++;
	for (who = 0; who < d->n && strcmp(d->name[who], name); who++)
		;
	if (d->whole || (who == d->n && d->n == XC_RT_DELTA_MAX) ||
	    (before && d->ngone == XC_RT_DELTA_MAX)) {
		d->whole = 1;
		return;
	}
	was.ncidr = was.naddr = 0;
	if (before)
		xc_node_unpack(before, &was);
	if (who == d->n) {      /* first heard of: kept as it was at the start */
		memcpy(d->name[d->n++], name, strlen(name) + 1);
		d->ncidr[who] = was.ncidr;
		memcpy(d->cidr[who], was.cidr, was.ncidr * sizeof(was.cidr[0]));
	}
	for (int k = 0; k < was.naddr; k++)
		if (!after || !rec_has(after, &was.addr[k].ip))
			moved(d, &was.addr[k].ip);
	for (int j = 0; after && j < after->naddr; j++)
		if (!rec_has(&was, &after->addr[j].ip))
			moved(d, &after->addr[j].ip);
	if (before)
		d->gone[d->ngone++] = (uintptr_t)before;
}

/* ---- bringing a computation up to date --------------------------------- */

/* The nodes judged again: the changed ones still in the table, then this node (its CIDRs' refusals are told too). */
#define UPD_NODES (XC_RT_DELTA_MAX + 1)
#define UPD_CIDRS ((UPD_NODES + XC_RT_DELTA_MAX) * XC_NODE_CIDRS)

struct upd {
	struct xc_rt_ctx c;         /* c.out: the changed nodes' new entries; c.st: their counts */
	const struct xc_rt_delta *d;
	const struct xc_node *node[UPD_NODES];
	size_t n, nchanged;         /* node[0..nchanged): changed; then this node, if any */
	/*
	 * The CIDRs that matter: cidr[0..nnow) the judged nodes' (of[i]'s,
	 * in node order), then the changed nodes' as they were (of NULL),
	 * but for a node whose CIDRs are as they were: its own are marked
	 * (was[i]) instead.
	 */
	size_t ncidr, nnow;
	struct xc_prefix cidr[UPD_CIDRS];
	struct xc_ip hit[UPD_CIDRS];        /* a node's address in it; family 0: none */
	const struct xc_node *of[UPD_CIDRS];
	uint8_t was[UPD_CIDRS];             /* 1: as it was at the start too */
	size_t peer_cidrs;                  /* every peer's CIDRs in the table */
	size_t gone[XC_RT_NH + 1];          /* the entries that go, of each kind */
	size_t held;                        /* of them, held by the kernel */
	size_t nfdb;                        /* the endpoints of the FDB entries that go: */
	struct xc_ip fdb[XC_RT_DELTA_MAX];  /* one a replaced record at most */
};

/* Whether n is one of d's records replaced or removed: its entries go. */
static int replaced(const struct xc_rt_delta *d, const struct xc_node *n)
{
	for (size_t i = 0; i < d->ngone; i++)
		if (d->gone[i] == (uintptr_t)n)
			return 1;
	return 0;
}

/*
 * 1 when a verdict is not known alone: two CIDRs of one judged node
 * overlap, or two as they were at the start (the contest settles them),
 * or an address they gained or lost lies in one of those (it may have
 * been refused for it; in a judged node's, the walk sees it).
 */
static int unsure(const struct upd *u)
{
	for (size_t i = 0; i < u->ncidr; i++) {
		for (size_t j = i + 1; j < u->ncidr; j++)
			if ((u->of[i] == u->of[j] || (u->was[i] && u->was[j])) &&
			    xc_prefix_overlaps(&u->cidr[i], &u->cidr[j]))
				return 1;
		for (size_t j = 0; !u->of[i] && j < u->d->nmoved; j++)
			if (xc_prefix_contains(&u->cidr[i], &u->d->moved[j]))
				return 1;
	}
	return 0;
}

/* Whether node n's CIDRs, from u->cidr[at], are d's CIDRs of name i (both unpacked whole). */
static int as_they_were(const struct upd *u, size_t at, const struct xc_node *n, size_t i)
{
	return n && n->ncidr == u->d->ncidr[i] &&
	       !memcmp(&u->cidr[at], u->d->cidr[i], n->ncidr * sizeof(u->d->cidr[i][0]));
}

/* Node n judged: its CIDRs after the others'. */
static void add_node(struct upd *u, const struct xc_node *n)
{
	u->node[u->n++] = n;
	for (int k = 0; k < n->ncidr; k++) {
		u->of[u->ncidr] = n;
		xc_node_cidr_at(n, k, &u->cidr[u->ncidr++]);
	}
}

/*
 * The changed nodes as they are now, then this node, and the CIDRs that
 * matter; 1: not a case for an update.
 */
static int find_nodes(struct upd *u, const struct xc_nodetab *t)
{
	const struct xc_rt_delta *d = u->d;
	const char *self = u->c.conf->self;
	uint8_t same[XC_RT_DELTA_MAX];

	for (size_t i = 0; i < d->n; i++) {
		const struct xc_node *n = xc_nodetab_find(t, d->name[i]);
		size_t at = u->ncidr;

		if (self && !strcmp(d->name[i], self))
			return 1;
		if (n)
			add_node(u, n);
		same[i] = (uint8_t)as_they_were(u, at, n, i);
		memset(&u->was[at], same[i], u->ncidr - at);
	}
	u->nchanged = u->n;
	if ((u->c.self = self ? xc_nodetab_find(t, self) : NULL))
		add_node(u, u->c.self);
	u->nnow = u->ncidr;
	for (size_t i = 0; i < d->n; i++)
		for (int k = 0; !same[i] && k < d->ncidr[i]; k++) {
			u->was[u->ncidr] = 1;
			u->cidr[u->ncidr++] = d->cidr[i][k];
		}
	return unsure(u);
}

/* What goes: the replaced records' entries counted, their VXLAN endpoints noted; 1: too many. */
static int survey(struct upd *u, const struct xc_rt_set *out)
{
	struct xc_rt_entry e[3];

	for (size_t i = 0; i < out->n; i++) {
		if (!replaced(u->d, out->v[i].node))
			continue;
		for (int k = xc_rt_carried(&out->v[i], e); k-- > 0;) {
			u->gone[e[k].kind]++;
			u->held += (e[k].flags & XC_RT_F_HAVE) != 0;
			if (e[k].kind != XC_RT_FDB)
				continue;
			if (u->nfdb == XC_RT_DELTA_MAX)
				return 1;
			u->fdb[u->nfdb].family = e[k].gw_family;
			memcpy(u->fdb[u->nfdb++].a, e[k].gw, sizeof(e[k].gw));
		}
	}
	return 0;
}

/*
 * Address a of a node, changed or not (this host's own: not): noted
 * where it lies in a CIDR that matters. 1 when the node is not a changed
 * one and a was the endpoint of a changed node's FDB entry that goes:
 * this node's may be the one to stand now (the first node by name wins
 * a shared endpoint). A changed node's new entry on another's endpoint
 * shows in xc_rt_update's check of the new keys; an address gained or
 * lost that another node has too moves nothing else: the table holds
 * it either way, and it lies in a CIDR only where check_cidr looks.
 */
static int check_addr(struct upd *u, int changed, const struct xc_ip *a)
{
	for (size_t i = 0; i < u->ncidr; i++)
		if (xc_prefix_contains(&u->cidr[i], a))
			u->hit[i] = *a;
	for (size_t j = 0; !changed && j < u->nfdb; j++)
		if (xc_ip_equal(&u->fdb[j], a))
			return 1;
	return 0;
}

/*
 * CIDR p of node m (changed or not): 1 if a moved address lies in it or
 * it overlaps another judged node's, or (m unchanged) a changed node's as
 * it was.
 */
static int check_cidr(struct upd *u, const struct xc_node *m, int changed,
		      const struct xc_prefix *p)
{
	for (size_t j = 0; j < u->d->nmoved; j++)
		if (xc_prefix_contains(p, &u->d->moved[j]))
			return 1;
	for (size_t i = 0; i < u->ncidr; i++)
		if ((u->of[i] ? u->of[i] != m : !changed) && xc_prefix_overlaps(&u->cidr[i], p))
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
		int ch = 0;

		for (size_t j = 0; j < u->nchanged; j++)
			ch |= u->node[j] == m;
		u->peer_cidrs += m == u->c.self ? 0 : m->ncidr;
		for (int k = 0; k < m->ncidr; k++)
			if (check_cidr(u, m, ch, xc_node_cidr_at(m, k, &p)))
				return 1;
		for (int k = 0; k < m->naddr; k++)
			if (check_addr(u, ch, (xc_node_addr_at(m, k, &a), &a)))
				return 1;
	}
	return (u->c.env->self4.family && check_addr(u, 0, &u->c.env->self4)) ||
	       (u->c.env->self6.family && check_addr(u, 0, &u->c.env->self6));
}

/* Why CIDR i of u gets no route: NULL, none (no contest: unsure). */
static const char *refusal(const struct upd *u, size_t i)
{
	const struct xc_rt_conf *conf = u->c.conf;
	const struct xc_ip *h = &u->hit[i];
	const char *r = xc_rt_cidr_refusal(&u->cidr[i], h, h->family ? 1 : 0, conf->cluster,
					   conf->ncluster);

	return r ? r : xc_rt_local_refusal(&u->c, &u->cidr[i]);
}

/*
 * The judged nodes' CIDRs, judged and computed as xc_rt_compute does,
 * with the verdicts that stand, into u->c.out (emptied first; it has room).
 */
static void judge(struct upd *u, xc_rt_skip_cb skip, void *arg)
{
	int k = 0;

	u->c.out->n = u->c.out->nfdb = 0;
	for (size_t i = 0; i < u->nnow; i++, k++) {
		if (!i || u->of[i] != u->of[i - 1])
			u->c.fdb_done = 0, k = 0;
		xc_rt_cidr_pass(&u->c, u->of[i], k, refusal(u, i), skip, arg);
	}
}

/*
 * 1 when a new entry's key is another's too: one that stays, or another
 * new route. (The new nodes' FDB entries are ordered as a computation
 * orders them, which settles two on one endpoint; neighbour entries share
 * a key only where their routes' destinations are one: overlapping
 * CIDRs, which the walk and unsure() refuse already.)
 */
static int taken(const struct upd *u, const struct xc_rt_set *out)
{
	const struct xc_rt_set *s = u->c.out;
	size_t end = xc_rt_want_end(out, NULL), j;

	for (size_t i = 0; i < xc_rt_want_end(s, NULL); i++) {
		struct xc_rt_entry b, ob;
		const struct xc_rt_entry *e = xc_rt_want_at(s, NULL, i, &b);

		if (e && (j = xc_rt_want_find(out, NULL, e)) < end &&
		    !replaced(u->d, xc_rt_want_at(out, NULL, j, &ob)->node))
			return 1;
		for (j = 0; i < s->n && j < i; j++)
			if (!xc_rt_cmp(&s->v[j], &s->v[i]))
				return 1;
	}
	return 0;
}

/*
 * out's FDB entries again, out's routes having moved: those that stay
 * by their rank, the new ones (rank XC_RT_RANK_NEW) put in their place
 * (out->fdb has room).
 */
static void fdb_again(struct xc_rt_set *out, size_t n0)
{
	size_t k = 0;

	for (size_t i = 0; i < n0; i++)
		out->fdb[i] = UINT32_MAX;
	for (size_t i = 0; i < out->n; i++) {
		size_t r = xc_rt_fdb_rank_of(&out->v[i]);

		if (r < n0)
			out->fdb[r] = (uint32_t)i;
	}
	for (size_t i = 0; i < n0; i++)
		if (out->fdb[i] != UINT32_MAX)
			out->fdb[k++] = out->fdb[i];
	out->nfdb = k;
	for (size_t i = 0; i < out->n; i++) {
		struct xc_rt_entry f;
		size_t at;
		int found;

		if (xc_rt_fdb_rank_of(&out->v[i]) != XC_RT_RANK_NEW)
			continue;
		xc_rt_fdb_of(&out->v[i], &f);
		at = xc_rt_fdb_find(out, &f, &found);
		memmove(out->fdb + at + 1, out->fdb + at, (out->nfdb++ - at) * sizeof(*out->fdb));
		out->fdb[at] = (uint32_t)i;
	}
	xc_rt_fdb_rank(out);
}

/*
 * have gets a copy of each of out's entries that goes (a changed node's)
 * while the kernel holds it: room first, so that nothing fails halfway.
 */
static int keep_held(const struct upd *u, const struct xc_rt_set *out, struct xc_rt_set *have)
{
	size_t n0 = have ? have->n : 0;

	if (!have || !u->held)
		return 0;
	if (xc_rt_set_reserve(have, have->n + u->held))
		return -ENOMEM;
	for (size_t i = 0; i < out->n; i++) {
		struct xc_rt_entry e[3];

		if (!replaced(u->d, out->v[i].node))
			continue;
		for (int k = xc_rt_carried(&out->v[i], e); k-- > 0;)
			if (e[k].flags & XC_RT_F_HAVE)
				have->v[have->n++] = xc_rt_have_copy(&e[k], 0);
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
	size_t w = 0, n0, made[XC_RT_NH + 1] = { 0 };
	int rc = 1;

	if (!u)
		return -ENOMEM;
	u->c = (struct xc_rt_ctx){ .conf = conf, .env = env, .out = &fresh, .st = &now };
	u->d = d;
	if (d->whole || env->amap || find_nodes(u, t))
		goto out;
	if (survey(u, out) || scan(u, t))
		goto out;
	rc = -ENOMEM;
	if (xc_rt_set_reserve(&fresh, u->n * (XC_NODE_CIDRS * 2 + 1)))
		goto out;
	judge(u, NULL, NULL);
	if (xc_rt_fdb_order(&fresh))
		goto out;
	rc = 1;
	if (taken(u, out))
		goto out;
	if (out->nfdb + fresh.nfdb >= XC_RT_RANK_NEW)
		goto out;       /* ranks are 24 bits: the computation says so */
	/* the wanted set grows (and may move) only for an update that is made */
	rc = -ENOMEM;
	n0 = out->nfdb;
	if (xc_rt_set_reserve(out, out->n + fresh.n) ||
	    xc_rt_fdb_reserve(out, out->nfdb + fresh.nfdb) || (rc = keep_held(u, out, have)))
		goto out;
	for (size_t i = 0; i < out->n; i++)
		if (!replaced(d, out->v[i].node))
			out->v[w++] = out->v[i];
	out->n = w;
	made[XC_RT_FDB] = fresh.nfdb;
	for (size_t i = 0; i < fresh.n; i++) {
		struct xc_rt_entry *e = &fresh.v[i];

		if (xc_rt_fdb_rank_of(e) != SIZE_MAX)
			xc_rt_fdb_set_rank(e, XC_RT_RANK_NEW);
		xc_rt_set_put(out, e);          /* a new key, with room */
		made[e->kind]++;
		made[XC_RT_NEIGH] += (size_t)xc_rt_has_neigh(e);
	}
	fdb_again(out, n0);
	/* the changed nodes' refusals as they were make way for theirs now */
	for (size_t i = 0; i < u->ncidr; i++)
		now.refused -= u->was[i] && refusal(u, i);
	st->refused += now.refused;
	st->nodes = t->n;
	st->peers = t->n - !!u->c.self;
	st->routes = st->routes - u->gone[XC_RT_ROUTE] + made[XC_RT_ROUTE];
	st->skipped = u->peer_cidrs - st->routes;       /* a peer's CIDR: a route or a reason */
	st->neighs = st->neighs - u->gone[XC_RT_NEIGH] + made[XC_RT_NEIGH];
	st->fdbs = st->fdbs - u->gone[XC_RT_FDB] + made[XC_RT_FDB];
	judge(u, skip, arg);            /* again, to tell (now's counts are spent): only now is the outcome sure */
	rc = 0;
out:
	xc_rt_set_free(&fresh);
	free(u);
	return rc;
}
