/*
 * routes: the engine's sync pass. See routes.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

void xc_rt_engine_free(struct xc_rt_engine *g)
{
	xc_rt_set_free(&g->want);
	xc_rt_set_free(&g->have);
	free(g->ops);
	g->ops = NULL;
	g->nops = g->opscap = 0;
}

static int collect(void *arg, enum xc_rt_op op, const struct xc_rt_entry *w,
		   const struct xc_rt_entry *h)
{
	struct xc_rt_engine *g = arg;

	if (g->nops == g->opscap) {
		size_t cap = g->opscap ? g->opscap * 2 : 256;
		struct xc_rt_op_ent *v = realloc(g->ops, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		g->ops = v;
		g->opscap = cap;
	}
	g->ops[g->nops].op = op;
	g->ops[g->nops].e = w ? *w : *h;
	g->nops++;
	return 0;
}

/* Make one change and keep have in step; 0 or the failure. */
static int apply(struct xc_rt_engine *g, struct xc_nl *nl, const struct xc_rt_conf *conf,
		 const struct xc_rt_env *env, struct xc_rt_op_ent *o,
		 xc_rt_report_cb report, void *arg)
{
	struct xc_rt_entry *e = &o->e;
	int rc = xc_rt_apply(nl, conf, env, o->op, e);

	if (o->op == XC_RT_DEL && (rc == -ESRCH || rc == -ENOENT))
		rc = 0;     /* already gone */
	if (rc == -EEXIST && e->kind == XC_RT_ROUTE) {
		/* Someone else's route holds the key: never overwrite it. */
		e->flags |= XC_RT_F_FOREIGN;
		xc_rt_set_put(&g->have, e);
	} else if (rc) {
		g->errors++;
	} else if (o->op == XC_RT_DEL) {
		xc_rt_set_del(&g->have, e);
		g->dels++;
	} else {
		xc_rt_set_put(&g->have, e);
		*(o->op == XC_RT_ADD ? &g->adds : &g->replaces) += 1;
	}
	if (report)
		report(arg, o->op, e, rc);
	return rc == -EEXIST ? 0 : rc;
}

int xc_rt_sync(struct xc_rt_engine *g, struct xc_nl *nl, const struct xc_rt_conf *conf,
	       const struct xc_rt_env *env, const struct xc_nodetab *t, unsigned flags,
	       xc_rt_skip_cb skip, xc_rt_report_cb report, void *arg)
{
	size_t failed = 0;
	int rc = 0;

	g->changes = g->failed = 0;
	if (t)
		rc = xc_rt_compute(conf, env, t, &g->want, &g->cs, skip, arg);
	else
		memset(&g->cs, 0, sizeof(g->cs)), g->want.n = 0;
	if (rc)
		return rc;
	if (flags & XC_RT_SYNC_FULL) {
		/* An interrupted dump is inconsistent: read it again. */
		for (int i = 0; i < 3; i++)
			if ((rc = xc_rt_read(nl, conf, env, &g->want, &g->have)) != -EINTR)
				break;
		if (rc)
			return rc;
		g->full_syncs++;
	}
	g->nops = 0;
	rc = xc_rt_diff(&g->want, &g->have, collect, g);
	if (rc)
		return rc;
	/* Entries were copied: the nodes they name may go before the next pass. */
	for (size_t i = 0; i < g->nops; i++)
		g->ops[i].e.node = NULL;
	g->changes = g->nops;
	if (flags & XC_RT_SYNC_DRY) {
		for (size_t i = 0; report && i < g->nops; i++)
			report(arg, g->ops[i].op, &g->ops[i].e, 0);
		return 0;
	}
	for (size_t i = 0; i < g->nops; i++)
		if (g->ops[i].op == XC_RT_DEL)
			failed += apply(g, nl, conf, env, &g->ops[i], report, arg) != 0;
	for (size_t i = g->nops; i-- > 0;)
		if (g->ops[i].op != XC_RT_DEL)
			failed += apply(g, nl, conf, env, &g->ops[i], report, arg) != 0;
	g->syncs++;
	g->failed = failed;
	return (int)failed;
}
