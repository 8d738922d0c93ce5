/*
 * routes: the engine's sync pass. See routes.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router/routes.h"
#include "router/routes_int.h"
#include "base/array.h"

void xc_rt_engine_free(struct xc_rt_engine *g)
{
	xc_rt_set_free(&g->want);
	xc_rt_set_free(&g->have);
	xc_rt_set_free(&g->gone);
	xc_rt_nhset_free(&g->nh);
	free(g->ops);
	g->ops = NULL;
	g->nops = g->opscap = 0;
	g->base_ok = 0;
}

/*
 * have's changes from a diff's additions and removals wait for the end of
 * the pass (have_merge): one at a time, each moved the entries after it,
 * and with VXLAN the routes sort before 200,000 neighbour and FDB entries
 * at 65,000 nodes (minutes of memmove). Replaces overwrite in place. They
 * are marked on the entries themselves (XC_RT_F_PUT on want's and on the
 * nexthop objects, _DROP on have's), not on the diff: the diff (4 bytes a
 * change: 0.8 MB at 65,000 nodes) is gone before have grows by a first
 * sync's every entry.
 */

/* A change into g->ops: op on what at names (as xc_rt_op_ent's at). */
static int add_op(struct xc_rt_engine *g, enum xc_rt_op op, size_t at)
{
	struct xc_rt_op_ent *v;

	if (at >= XC_RT_OPS_MAX)   /* a change names its entry in 28 bits */
		return -EOVERFLOW;
	if (!(v = xc_array_grow(g->ops, &g->opscap, g->nops, sizeof(*v), 256)))
		return -ENOMEM;
	g->ops = v;
	g->ops[g->nops++] = (struct xc_rt_op_ent){ (uint32_t)at, (unsigned)op, 0 };
	return 0;
}

/* A removal's change: of a copy (unsorted), as have changes while the pass goes on. */
static int add_del(struct xc_rt_engine *g, const struct xc_rt_entry *h)
{
	if (xc_rt_set_reserve(&g->gone, g->gone.n + 1))
		return -ENOMEM;
	g->gone.v[g->gone.n++] = *h;
	return add_op(g, XC_RT_DEL, g->gone.n - 1);
}

static int collect(void *arg, enum xc_rt_op op, const struct xc_rt_entry *w,
		   const struct xc_rt_entry *h)
{
	struct xc_rt_engine *g = arg;

	if (!w)
		return add_del(g, h);
	return add_op(g, op, xc_rt_want_find(&g->want, &g->nh, w));
}

/*
 * How many entries a pass adds when it adds every wanted one (the kernel
 * holds nothing of ours: a span, see next_span), else 0.
 */
static size_t adds_all(struct xc_rt_engine *g)
{
	size_t end = xc_rt_want_end(&g->want, &g->nh), n = 0;
	uint8_t *f;

	if (g->have.n || end >= XC_RT_OPS_MAX)
		return 0;
	for (size_t i = 0; i < end; i++)
		if ((f = xc_rt_want_flags_at(&g->want, &g->nh, i)) && (n++, *f & XC_RT_F_HAVE))
			return 0;
	return n;
}

/* The entry change o names (a nexthop object's: made in buf). */
static const struct xc_rt_entry *op_entry(const struct xc_rt_engine *g,
					  const struct xc_rt_op_ent *o, struct xc_rt_entry *buf)
{
	if (o->op == XC_RT_DEL)
		return &g->gone.v[o->at];
	return xc_rt_want_at(&g->want, &g->nh, o->at, buf);
}

/*
 * The kernel holds e now, made by op. One of want's takes the flag, and
 * have's entry of its key (a replaced one) goes; else have gets a copy,
 * at once or (defer: a change of g->ops) at the pass's end.
 */
static void have_put(struct xc_rt_engine *g, enum xc_rt_op op, const struct xc_rt_entry *e,
		     int defer, int foreign)
{
	struct xc_rt_entry c = xc_rt_have_copy(e, foreign), *h;
	uint8_t *w = xc_rt_want_flags(&g->want, &g->nh, e, 1);    /* e is wanted as it is */

	if (w && !foreign) {
		*w |= XC_RT_F_HAVE;
		if ((h = xc_rt_set_find(&g->have, e)) && defer)
			h->flags |= XC_RT_F_DROP;
		else if (h)
			xc_rt_set_del(&g->have, h);
	} else if (defer && op == XC_RT_ADD && w) {
		*w |= foreign ? XC_RT_F_PUT_FOREIGN : XC_RT_F_PUT;
	} else {
		xc_rt_set_put(&g->have, &c);
	}
}

/*
 * Keep have in step with op on e, whose status is rc: at once, or at the
 * pass's end (defer: one of its changes). Returns the status, 0 for a
 * removal of what was gone already.
 */
static int settle(struct xc_rt_engine *g, enum xc_rt_op op, const struct xc_rt_entry *e,
		  int rc, int defer, xc_rt_report_cb report, void *arg)
{
	struct xc_rt_entry *h;

	if (op == XC_RT_DEL && (rc == -ESRCH || rc == -ENOENT))
		rc = 0;     /* already gone */
	if (rc == -EEXIST && (e->kind == XC_RT_ROUTE || e->kind == XC_RT_NH)) {
		/* Someone else's route or nexthop object holds the key: never overwrite it. */
		have_put(g, op, e, defer, 1);
	} else if (rc) {
		g->errors++;
	} else if (op == XC_RT_DEL) {
		if (!defer)
			xc_rt_set_del(&g->have, e);
		else if ((h = xc_rt_set_find(&g->have, e)))
			h->flags |= XC_RT_F_DROP;
		g->dels++;
	} else {
		have_put(g, op, e, defer, 0);
		*(op == XC_RT_ADD ? &g->adds : &g->replaces) += 1;
	}
	if (report)
		report(arg, op, e, rc);
	return rc;
}

/* A status that counts as a failure: another's entry holding the key is left alone. */
static int failure(int rc)
{
	return rc && rc != -EEXIST;
}

/* settle for change o of the pass: 1 when it failed. */
static int settle_op(struct xc_rt_engine *g, struct xc_rt_op_ent *o, int rc,
		     xc_rt_report_cb report, void *arg)
{
	struct xc_rt_entry buf;

	rc = settle(g, (enum xc_rt_op)o->op, op_entry(g, o, &buf), rc, 1, report, arg);
	o->done = !rc;
	return failure(rc);
}

/*
 * The order a pass's changes go in, kind by kind: routes go before what
 * they use, and come after it. A nexthop object goes last of all: a route
 * replaced to stop naming it must be off it first, or the kernel removes
 * the route with it. Removals go in reverse key order, additions and
 * replaces in key order.
 */
static const struct {
	uint8_t del, kind;
} phases[] = {
	{ 1, XC_RT_ROUTE }, { 1, XC_RT_NEIGH }, { 1, XC_RT_FDB },
	{ 0, XC_RT_NH }, { 0, XC_RT_FDB }, { 0, XC_RT_NEIGH }, { 0, XC_RT_ROUTE },
	{ 1, XC_RT_NH },
};

/* The kind of what change o makes. */
static uint8_t op_kind(const struct xc_rt_engine *g, const struct xc_rt_op_ent *o)
{
	uint8_t k = XC_RT_ROUTE;
	size_t hi;

	if (o->op == XC_RT_DEL)
		return g->gone.v[o->at].kind;
	while (k < XC_RT_NH && (xc_rt_want_range(&g->want, &g->nh, k, &hi), o->at >= hi))
		k++;
	return k;
}

/* Where a pass is: phase ph, i changes of g->ops looked at in it. */
struct walk {
	size_t ph, i;
};

/*
 * A first sync into a kernel that holds nothing of ours adds every
 * wanted entry: its changes are what the router wants, in the order of
 * the phases, and need no diff (4 bytes each: 1.5 MB with VXLAN at
 * 65,000 nodes). Each is made here (and known made by its flag).
 */
static struct xc_rt_op_ent *next_span(struct xc_rt_engine *g, struct walk *w)
{
	static struct xc_rt_op_ent ring[2 * XC_RT_BATCH];   /* a batch's, and the next's */
	static unsigned next;

	for (; w->ph < sizeof(phases) / sizeof(phases[0]); w->ph++, w->i = 0) {
		size_t hi, lo = xc_rt_want_range(&g->want, &g->nh, phases[w->ph].kind, &hi);

		while (!phases[w->ph].del && lo + w->i < hi) {
			size_t at = lo + w->i++;
			struct xc_rt_op_ent *o;

			if (!xc_rt_want_flags_at(&g->want, &g->nh, at))
				continue;       /* a route without a neighbour entry */
			o = &ring[next++ % (2 * XC_RT_BATCH)];
			*o = (struct xc_rt_op_ent){ (uint32_t)at, XC_RT_ADD, 0 };
			return o;
		}
	}
	return NULL;
}

/* The next change in the safe order, or NULL when the pass has made them all. */
static struct xc_rt_op_ent *next_op(struct xc_rt_engine *g, struct walk *w)
{
	if (g->span)
		return next_span(g, w);
	for (; w->ph < sizeof(phases) / sizeof(phases[0]); w->ph++, w->i = 0) {
		int del = phases[w->ph].del;

		while (w->i < g->nops) {
			struct xc_rt_op_ent *o = &g->ops[del ? g->nops - 1 - w->i : w->i];

			w->i++;
			if ((o->op == XC_RT_DEL) == del && op_kind(g, o) == phases[w->ph].kind)
				return o;
		}
	}
	return NULL;
}

/*
 * The kernel checks an IPv6 onlink next hop against the routes already
 * there, the one being replaced included: "fd00:19:2::/64 via fd00:19:2::
 * dev xcvx0 onlink" cannot replace "fd00:19:2::/64 via fd00:18::12 dev
 * eth0" (EINVAL, "Nexthop has invalid gateway or device mismatch"), while
 * it can be added once that one is gone. So a replace refused with EINVAL
 * that changes the device or the next hop's family is made as a removal
 * and an addition; should the addition fail too, the old route is put
 * back. Returns -1 when this does not apply (the replace's failure
 * stands), else the number of changes that failed.
 */
static int del_add(struct xc_rt_engine *g, struct xc_nl *nl, const struct xc_rt_conf *conf,
		   const struct xc_rt_env *env, struct xc_rt_op_ent *o, int err,
		   xc_rt_report_cb report, void *arg)
{
	struct xc_rt_entry buf, old;
	const struct xc_rt_entry *e = op_entry(g, o, &buf), *h = xc_rt_set_find(&g->have, e);
	int rc, failed;

	if (err != -EINVAL || o->op != XC_RT_REPLACE || e->kind != XC_RT_ROUTE || !h ||
	    (h->oif == e->oif && h->gw_family == e->gw_family))
		return -1;
	old = *h;
	rc = xc_rt_apply(nl, conf, env, XC_RT_DEL, &old);
	if (rc && rc != -ESRCH && rc != -ENOENT)
		return -1;
	settle(g, XC_RT_DEL, &old, 0, 0, report, arg);
	g->changes++;   /* one change more than the diff planned */
	failed = failure(settle(g, XC_RT_ADD, e, xc_rt_apply(nl, conf, env, XC_RT_ADD, e), 0,
				report, arg));
	o->done = failed ? 0 : 2;
	if (failed)
		failed += failure(settle(g, XC_RT_ADD, &old,
					 xc_rt_apply(nl, conf, env, XC_RT_ADD, &old), 0, report, arg));
	return failed;
}

/*
 * The pass's marked changes into have, in two walks: have's removals, then
 * want's entries and nexthop objects merged in (in key order; the keys
 * put are not in have: additions). Without the room for them have loses
 * them; the next pass reads the kernel, which finds them again.
 */
static void have_merge(struct xc_rt_engine *g)
{
	struct xc_rt_entry *v = g->have.v, buf;
	size_t i, w = 0, j, k, p = 0, n = xc_rt_want_end(&g->want, &g->nh);
	uint8_t *f;

	for (i = 0; i < g->have.n; i++)
		if (!(v[i].flags & XC_RT_F_DROP))
			v[w++] = v[i];
	g->have.n = w;
	for (j = 0; j < n; j++)
		p += (f = xc_rt_want_flags_at(&g->want, &g->nh, j)) && (*f & XC_RT_F_MARKS);
	if (!p)
		return;
	if (xc_rt_set_reserve(&g->have, w + p)) {
		for (j = 0; j < n; j++)
			if ((f = xc_rt_want_flags_at(&g->want, &g->nh, j)))
				*f &= (uint8_t)~XC_RT_F_MARKS;
		g->reread = 1;  /* the kernel holds what have lost: read it next */
		return;
	}
	v = g->have.v;
	for (i = w, k = w + p, j = n; j-- > 0;) {
		const struct xc_rt_entry *x;

		if (!(f = xc_rt_want_flags_at(&g->want, &g->nh, j)) || !(*f & XC_RT_F_MARKS))
			continue;
		x = xc_rt_want_at(&g->want, &g->nh, j, &buf);
		while (i > 0 && xc_rt_cmp(&v[i - 1], x) > 0)
			v[--k] = v[--i];
		v[--k] = xc_rt_have_copy(x, *f & XC_RT_F_PUT_FOREIGN);
		*f &= (uint8_t)~XC_RT_F_MARKS;
	}
	g->have.n = w + p;
}

static size_t apply_all(struct xc_rt_engine *g, struct xc_nl *nl, const struct xc_rt_conf *conf,
			const struct xc_rt_env *env, xc_rt_report_cb report, void *arg)
{
	static int rc[XC_RT_BATCH];
	static char errs[XC_RT_BATCH][XC_NL_ERRMSG_MAX];
	static struct xc_rt_entry nhx[XC_RT_BATCH];    /* the batch's nexthop objects */
	struct xc_rt_op_ent *batch[XC_RT_BATCH];
	struct xc_rt_change ch[XC_RT_BATCH];
	struct walk w = { 0 };
	size_t n = 0, failed = 0;
	int unsure = 0, sent = 0;

	for (;;) {
		/* what the last batch did not send, then the next changes */
		while (n < XC_RT_BATCH && (batch[n] = next_op(g, &w)))
			n++;
		for (size_t k = 0; k < n; k++)
			ch[k] = (struct xc_rt_change){ (enum xc_rt_op)batch[k]->op,
						       op_entry(g, batch[k], &nhx[k]) };
		if (!n)
			break;
		if (g->between && sent > 0)
			g->between(g->between_arg);
		/* once nothing could go out, every change left counts as failed */
		if (sent >= 0)
			sent = xc_rt_apply_batch(nl, conf, env, ch, n, rc, errs, &unsure);
		for (size_t k = 0; sent < 0 && k < n; k++)
			failed += (size_t)settle_op(g, batch[k], sent, report, arg);
		if (sent < 0) {
			n = 0;
			continue;
		}
		for (int k = 0; k < sent; k++) {
			int da = rc[k] ? del_add(g, nl, conf, env, batch[k], rc[k], report, arg) : -1;

			if (da >= 0) {
				failed += (size_t)da;
				continue;
			}
			/* the kernel's reason, where report reads it */
			if (rc[k])
				memcpy(nl->errmsg, errs[k], sizeof(nl->errmsg));
			else
				nl->errmsg[0] = '\0';
			failed += (size_t)settle_op(g, batch[k], rc[k], report, arg);
		}
		n -= (size_t)sent;
		memmove(batch, batch + sent, n * sizeof(*batch));
	}
	/*
	 * Changes whose answers were lost count as failed, but the kernel may
	 * have made them: taken as not made, each would come back as an
	 * addition, meet its own route (EEXIST) and call it another's.
	 */
	if (unsure)
		g->reread = 1;
	return failed;
}

/*
 * The pass's change of e's key (made in ob for a span), or NULL: the ops
 * are in the diff's (key) order.
 */
static const struct xc_rt_op_ent *pass_op(const struct xc_rt_engine *g,
					  const struct xc_rt_entry *e, struct xc_rt_op_ent *ob)
{
	size_t lo = 0, hi = g->nops;

	if (g->span) {
		struct xc_rt_engine *m = (struct xc_rt_engine *)g;  /* the flags are read, not changed */
		size_t at = xc_rt_want_find(&m->want, &m->nh, e);

		if (at == xc_rt_want_end(&m->want, &m->nh))
			return NULL;
		*ob = (struct xc_rt_op_ent){ (uint32_t)at, XC_RT_ADD,
					     (*xc_rt_want_flags_at(&m->want, &m->nh, at) &
					      XC_RT_F_HAVE) != 0 };
		return ob;
	}
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		struct xc_rt_entry buf;
		int c = xc_rt_cmp(op_entry(g, &g->ops[m], &buf), e);

		if (!c)
			return &g->ops[m];
		if (c < 0)
			lo = m + 1;
		else
			hi = m;
	}
	return NULL;
}

int xc_rt_pass_quiet(const struct xc_rt_engine *g, const struct xc_rt_conf *conf,
		     const struct xc_rt_env *env, uint16_t type, const struct xc_route *r)
{
	struct xc_rt_entry e, buf;
	struct xc_rt_op_ent ob;
	const struct xc_rt_op_ent *o;
	const struct xc_rt_entry *w, *h;
	int ours = xc_rt_from_route(conf, env, r, &e);

	if (ours < 0)
		return 1;
	w = xc_rt_set_find(&g->want, &e);
	h = xc_rt_set_find(&g->have, &e);
	if (!ours)
		return !w && !h;
	if (!(o = pass_op(g, &e, &ob)))
		return type == RTM_NEWROUTE && ((w && (w->flags & XC_RT_F_HAVE) &&
						xc_rt_same_values(w, &e)) ||
					       (h && xc_rt_same_values(h, &e)));
	if (type == RTM_DELROUTE)
		return o->done && (o->op == XC_RT_DEL || o->done == 2);
	return o->done && o->op != XC_RT_DEL && xc_rt_same_values(op_entry(g, o, &buf), &e);
}

int xc_rt_pass_quiet_nh(const struct xc_rt_engine *g, uint16_t type,
			const struct xc_nexthop *nh)
{
	struct xc_rt_entry key = { .kind = XC_RT_NH, .nhid = nh->id };
	struct xc_rt_op_ent ob;
	const struct xc_rt_op_ent *o;
	const struct xc_rt_nhobj *w;

	if (type != RTM_DELNEXTHOP)
		return 1;
	if ((o = pass_op(g, &key, &ob)))
		return o->op == XC_RT_DEL;
	w = xc_rt_nhset_find(&g->nh, nh->id);
	return !xc_rt_set_find(&g->have, &key) && !(w && (w->flags & XC_RT_F_HAVE));
}

/*
 * A first sync's diff is every entry (4 bytes each: 0.8 MB at 65,000
 * nodes; a removal's copy 64 more), later ones a few changes: past a
 * sync, keep room for those, not for the next first.
 */
#define OPS_KEEP 4096

static void ops_trim(struct xc_rt_engine *g)
{
	/* the pass is over: its changes name entries of want that move from now on */
	g->nops = g->gone.n = 0;
	g->span = 0;
	if (g->gone.cap > OPS_KEEP)
		xc_rt_set_free(&g->gone);
	if (g->opscap <= OPS_KEEP)
		return;
	free(g->ops);
	g->ops = NULL;
	g->opscap = 0;
}

/*
 * The kernel holds e as it was, e is about to change: have gets the
 * kernel's (room made before), and e loses its flag.
 */
static void held_apart(struct xc_rt_engine *g, struct xc_rt_entry *e, uint32_t nhid)
{
	if (!(e->flags & XC_RT_F_HAVE))
		return;
	g->have.v[g->have.n] = xc_rt_have_copy(e, 0);
	g->have.v[g->have.n++].nhid = nhid;
	e->flags &= (uint8_t)~XC_RT_F_HAVE;
}

/*
 * A nexthop object id another protocol holds (have flags it foreign) is
 * not ours to name: the routes that would go without one. Nexthop
 * objects sort last, so have's are at its end.
 */
static int nh_foreign(struct xc_rt_engine *g)
{
	const struct xc_rt_set *h = &g->have;
	struct xc_rt_entry key = { .kind = XC_RT_NH };
	size_t i = h->n, n0 = h->n, k = 0;

	while (i > 0 && h->v[i - 1].kind == XC_RT_NH && !(h->v[i - 1].flags & XC_RT_F_FOREIGN))
		i--;
	if (!i || h->v[i - 1].kind != XC_RT_NH)
		return 0;
	/* two walks: the routes the kernel holds that change, then (room made) the change */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t j = 0; j < g->want.n; j++) {
			struct xc_rt_entry *e = &g->want.v[j];
			const struct xc_rt_entry *o;

			if (e->kind != XC_RT_ROUTE || !e->nhid)
				continue;
			key.nhid = e->nhid;
			/* have as it was: what the second walk appends is not in order yet */
			o = xc_rt_set_find(&(struct xc_rt_set){ .v = h->v, .n = n0, .cap = n0 }, &key);
			if (!o || !(o->flags & XC_RT_F_FOREIGN))
				continue;
			k += !pass && (e->flags & XC_RT_F_HAVE);
			if (pass) {
				held_apart(g, e, e->nhid);
				e->nhid = 0;
			}
		}
		if (!pass && k && xc_rt_set_reserve(&g->have, g->have.n + k))
			return -ENOMEM;
	}
	return xc_rt_set_sort_from(&g->have, n0);
}

/*
 * The objects the kernel held as wanted (g->nh's flagged) against next,
 * made afresh: one next has as it was takes the flag (pass 1); have gets
 * the kernel's version of the rest (a replace or a removal is due) into
 * the room made for them. Returns how many those are (pass 0 counts).
 */
static size_t nh_carry(struct xc_rt_engine *g, struct xc_rt_nhset *next, int pass)
{
	size_t j = 0, k = 0;

	for (size_t i = 0; i < g->nh.n; i++) {
		const struct xc_rt_nhobj *o = &g->nh.v[i];
		struct xc_rt_entry e;

		if (!(o->flags & XC_RT_F_HAVE))
			continue;
		while (j < next->n && next->v[j].id < o->id)
			j++;
		if (j < next->n && xc_rt_nhobj_same(o, &next->v[j]) &&
		    g->nh.oif[o->dev] == next->oif[o->dev]) {
			next->v[j].flags |= (uint8_t)(pass ? XC_RT_F_HAVE : 0);
			continue;
		}
		k++;
		if (!pass)
			continue;
		xc_rt_nhobj_entry(&g->nh, o, &e);
		g->have.v[g->have.n++] = xc_rt_have_copy(&e, 0);
	}
	return k;
}

/*
 * The wanted state's form, in s (its routes may name the objects they
 * had): nexthop objects or not (xc_rt_nexthops_wanted), made afresh into
 * a table of their own that replaces g->nh (kept as a spare, a second
 * table would hold 0.8 MB more between events at 65,000 nodes; made anew
 * it costs an event 200 page faults, ~2 ms). What the kernel holds of the objects and routes that change or
 * go leaves the kernel's version in have. -ENOMEM: nothing changed, or
 * (have could not be sorted) have lost what was put in it: the next sync
 * reads the kernel.
 */
static int nh_form(struct xc_rt_engine *g, struct xc_rt_set *s, const struct xc_rt_conf *conf,
		   const struct xc_rt_env *env)
{
	struct xc_rt_nhset next = { 0 };
	size_t moved = 0, n0 = g->have.n;
	int on = xc_rt_nexthops_wanted(conf, env, s, g->nh_on);

	if (on && xc_rt_nexthops(s, &next) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		moved += (s->v[i].flags & XC_RT_F_HAVE) && xc_rt_nhid(&next, &s->v[i]) != s->v[i].nhid;
	moved += nh_carry(g, &next, 0);
	if (moved && xc_rt_set_reserve(&g->have, g->have.n + moved)) {
		xc_rt_nhset_free(&next);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->n; i++) {
		uint32_t id = xc_rt_nhid(&next, &s->v[i]);

		if (id != s->v[i].nhid) {
			held_apart(g, &s->v[i], s->v[i].nhid);
			s->v[i].nhid = id;
		}
	}
	nh_carry(g, &next, 1);
	xc_rt_nhset_free(&g->nh);
	g->nh = next;
	g->nh_on = on;
	g->cs.nexthops = next.n;
	return xc_rt_set_sort_from(&g->have, n0);
}

void xc_rt_engine_node(struct xc_rt_engine *g, const struct xc_node *before,
		       const struct xc_node_rec *after)
{
	xc_rt_delta_note(&g->delta, before, after);
}

/*
 * An update copies a changed node's held entries into have before they go
 * (xc_rt_update), and their successors come unflagged: where the kernel
 * holds one as it is now (an address of the node changed, its IPv6 route
 * did not), the flag goes back on want's entry and have's copy goes, so
 * that have keeps only what differs.
 */
static void rejoin(struct xc_rt_engine *g)
{
	size_t w = 0;

	for (size_t i = 0; i < g->have.n; i++) {
		const struct xc_rt_entry *h = &g->have.v[i];
		uint8_t *f;

		if (!(h->flags & XC_RT_F_FOREIGN) &&
		    (f = xc_rt_want_flags(&g->want, &g->nh, h, 1)) && !(*f & XC_RT_F_HAVE)) {
			*f |= XC_RT_F_HAVE;
			continue;
		}
		g->have.v[w++] = *h;
	}
	g->have.n = w;
}

/*
 * next, a new computation, becomes want, and what the kernel holds is
 * carried over: next's entries that the kernel held as want had them take
 * the flag, and have gets the kernel's of those that change or go.
 * -ENOMEM: want as it was (the nexthop table, made before for next, is
 * not: the sync fails, and the next one reads the kernel).
 */
static int carry(struct xc_rt_engine *g, struct xc_rt_set *next)
{
	struct xc_rt_set *old = &g->want;
	size_t n0 = g->have.n, on = xc_rt_want_end(old, NULL), nn = xc_rt_want_end(next, NULL);
	struct xc_rt_entry bo, bw;

	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0, j = 0, k = 0;

		while (i < on) {
			const struct xc_rt_entry *o = xc_rt_want_at(old, NULL, i, &bo);
			const struct xc_rt_entry *w = j < nn ? xc_rt_want_at(next, NULL, j, &bw) : NULL;
			int c;

			if (!o || (j < nn && !w)) {     /* a route without a neighbour entry */
				i += !o;
				j += !!o;
				continue;
			}
			if ((c = w ? xc_rt_cmp(o, w) : -1) > 0) {
				j++;
				continue;
			}
			i++;
			j += c == 0;
			if (!(o->flags & XC_RT_F_HAVE))
				continue;
			if (c == 0 && xc_rt_same_values(o, w)) {
				*xc_rt_want_flags_at(next, NULL, j - 1) |= (uint8_t)(pass ? XC_RT_F_HAVE : 0);
				continue;
			}
			if (pass)
				g->have.v[g->have.n++] = xc_rt_have_copy(o, 0);
			k++;
		}
		if (!pass && k && xc_rt_set_reserve(&g->have, g->have.n + k))
			return -ENOMEM;
	}
	if (xc_rt_set_sort_from(&g->have, n0)) {
		uint8_t *f;

		for (size_t j = 0; j < nn; j++)
			if ((f = xc_rt_want_flags_at(next, NULL, j)))
				*f &= (uint8_t)~XC_RT_F_HAVE;
		return -ENOMEM;
	}
	xc_rt_set_free(old);
	*old = *next;
	*next = (struct xc_rt_set){ 0 };
	return 0;
}

/*
 * The wanted state for t (NULL: nothing) in its form: brought up to date
 * from the last pass's when that stands for this table, conf and env, the
 * engine heard of every change since and xc_rt_update can; else computed
 * whole: in place when the kernel is read next (fresh), else into a set of
 * its own, and what the kernel holds carried over.
 */
static int want_for(struct xc_rt_engine *g, const struct xc_rt_conf *conf,
		    const struct xc_rt_env *env, const struct xc_nodetab *t, int fresh,
		    xc_rt_skip_cb skip, void *arg)
{
	struct xc_rt_set next = { 0 }, *into = fresh ? &g->want : &next;
	int rc = 1;

	if (t && g->base_ok && !fresh && t == g->base_t &&
	    t->changes - g->delta.base == g->delta.notes &&
	    !memcmp(conf, &g->base_conf, sizeof(*conf)) && !memcmp(env, &g->base_env, sizeof(*env))) {
		rc = xc_rt_update(conf, env, t, &g->delta, &g->want, &g->have, &g->cs, skip, arg);
		if (!rc)
			rc = nh_form(g, &g->want, conf, env);
		if (!rc)
			rejoin(g);
		g->updates += !rc;
		if (rc <= 0)
			goto done;
	}
	if (t) {
		rc = xc_rt_compute(conf, env, t, into, &g->cs, skip, arg);
	} else {
		memset(&g->cs, 0, sizeof(g->cs));
		into->n = into->nfdb = 0;
		rc = 0;
	}
	if (!rc)
		rc = nh_form(g, into, conf, env);
	if (!rc && !fresh)
		rc = carry(g, &next);
done:
	xc_rt_set_free(&next);
	g->base_ok = !rc && t;
	g->base_t = t;
	memcpy(&g->base_conf, conf, sizeof(*conf));
	memcpy(&g->base_env, env, sizeof(*env));
	if (t)
		xc_rt_delta_reset(&g->delta, t->changes);
	return rc;
}

int xc_rt_sync(struct xc_rt_engine *g, struct xc_nl *nl, const struct xc_rt_conf *conf,
	       const struct xc_rt_env *env, const struct xc_nodetab *t, unsigned flags,
	       xc_rt_skip_cb skip, xc_rt_report_cb report, void *arg)
{
	size_t failed = 0;
	struct xc_rt_entry buf;
	int rc = 0, fresh;

	g->changes = g->failed = 0;
	fresh = (flags & XC_RT_SYNC_FULL) || g->reread;
	/* Failing midway, the engine may no longer know what the kernel holds. */
	g->reread = 1;
	rc = want_for(g, conf, env, t, fresh, skip, arg);
	if (rc)
		return rc;
	if (fresh) {
		/* An interrupted dump is inconsistent: read it again. */
		for (int i = 0; i < 3; i++)
			if ((rc = xc_rt_read(nl, conf, env, &g->want, &g->nh, &g->have)) != -EINTR)
				break;
		if (rc)
			return rc;
		g->full_syncs++;
	}
	if (g->nh_on && (rc = nh_foreign(g)))
		return rc;
	g->reread = 0;
	g->nops = g->gone.n = 0;
	g->changes = adds_all(g);
	if (!(g->span = g->changes > 0)) {
		if ((rc = xc_rt_diff(&g->want, &g->nh, &g->have, collect, g)))
			return rc;
		g->changes = g->nops;
	}
	if (flags & XC_RT_SYNC_DRY) {
		/* in key order: a span's changes are the wanted sequence */
		size_t n = g->span ? xc_rt_want_end(&g->want, &g->nh) : g->nops;
		const struct xc_rt_entry *e;

		for (size_t i = 0; report && i < n; i++)
			if ((e = g->span ? xc_rt_want_at(&g->want, &g->nh, i, &buf) :
				 op_entry(g, &g->ops[i], &buf)))
				report(arg, g->span ? XC_RT_ADD : (enum xc_rt_op)g->ops[i].op, e, 0);
		ops_trim(g);
		return 0;
	}
	failed = apply_all(g, nl, conf, env, report, arg);
	ops_trim(g);
	have_merge(g);
	g->syncs++;
	g->failed = failed;
	return (int)failed;
}

/* The metrics page's rows, in its order; their values are xc_rt_metrics' v[]. */
enum { M_PLAIN, M_INFO, M_CHANGES, M_TIME };
static const struct {
	const char *name, *help, *type;
	uint8_t form;
} metric[] = {
	{ "info", "Mode, node source and node of this router.", "gauge", M_INFO },
	{ "nodes", "Nodes in the table.", "gauge", M_PLAIN },
	{ "peers", "Nodes that get routes (all but this one).", "gauge", M_PLAIN },
	{ "routes_wanted", "Routes to other nodes' pod CIDRs.", "gauge", M_PLAIN },
	{ "routes_installed", "Our routes in the kernel.", "gauge", M_PLAIN },
	{ "routes_blocked", "Wanted routes held by another protocol's route.", "gauge", M_PLAIN },
	{ "nexthops", "Nexthop objects wanted (IPv4 routes name them; 0: plain routes).",
	  "gauge", M_PLAIN },
	{ "cidrs_skipped", "Pod CIDRs without a route (no next hop).", "gauge", M_PLAIN },
	{ "cidrs_refused", "Pod CIDRs refused a route (reserved range, a node's address, "
	  "outside CLUSTER_CIDR).", "gauge", M_PLAIN },
	{ "syncs_total", "Syncs (compute, diff, apply).", "counter", M_PLAIN },
	{ "full_syncs_total", "Syncs that re-read the kernel.", "counter", M_PLAIN },
	{ "changes_total", "Kernel changes made.", "counter", M_CHANGES },
	{ "netlink_errors_total", "Kernel changes that failed.", "counter", M_PLAIN },
	{ "source_errors_total", "Failures of the node source (API errors).", "counter", M_PLAIN },
	{ "source_ok", "1 while the node source answers.", "gauge", M_PLAIN },
	{ "last_sync_timestamp_seconds", "Time of the last sync without failures.", "gauge", M_TIME },
	{ "pod_mtu", "Pod network MTU implied (underlay MTU - tunnel overhead).", "gauge", M_PLAIN },
};

size_t xc_rt_metrics(const struct xc_rt_engine *g, const struct xc_rt_metrics_in *in,
		     char *buf, size_t size)
{
	size_t n = 0, installed = 0, blocked = 0;
	/* milliseconds in integers: printf's float formatting costs the binary ~6 KB */
	long long last_ms = (long long)(in->last_sync * 1000.0 + 0.5);

	for (size_t i = 0; i < g->have.n; i++)
		if (g->have.v[i].kind == XC_RT_ROUTE)
			*(g->have.v[i].flags & XC_RT_F_FOREIGN ? &blocked : &installed) += 1;
	for (size_t i = 0; i < g->want.n; i++)
		installed += g->want.v[i].kind == XC_RT_ROUTE && (g->want.v[i].flags & XC_RT_F_HAVE);
	const unsigned long long v[] = { 0, in->nodes, g->cs.peers, g->cs.routes, installed,
		blocked, g->cs.nexthops, in->skipped, g->cs.refused, g->syncs, g->full_syncs, 0,
		g->errors, in->source_errors, (unsigned long long)in->source_ok, 0, in->pod_mtu };

	_Static_assert(sizeof(v) / sizeof(v[0]) == sizeof(metric) / sizeof(metric[0]),
		       "a value for each row");
	if (!size)
		return 0;
#define OUT(...) (n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
	for (size_t i = 0; i < sizeof(metric) / sizeof(metric[0]); i++) {
		const char *m = metric[i].name;

		OUT("# HELP xcluster_router_%s %s\n# TYPE xcluster_router_%s %s\nxcluster_router_%s",
		    m, metric[i].help, m, metric[i].type, m);
		if (metric[i].form == M_INFO)
			OUT("{mode=\"%s\",source=\"%s\",node=\"%s\",version=\"%s\"} 1\n",
			    in->mode, in->source, in->node, in->version);
		else if (metric[i].form == M_CHANGES)
			OUT("{op=\"add\"} %lu\nxcluster_router_changes_total{op=\"replace\"} %lu\n"
			    "xcluster_router_changes_total{op=\"remove\"} %lu\n",
			    g->adds, g->replaces, g->dels);
		else if (metric[i].form == M_TIME)
			OUT(" %lld.%03lld\n", last_ms / 1000, last_ms % 1000);
		else
			OUT(" %llu\n", v[i]);
	}
#undef OUT
	return n < size ? n : size - 1;
}
