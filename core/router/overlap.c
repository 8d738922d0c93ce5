/*
 * overlap: which of several nodes claiming overlapping pod CIDRs keeps its
 * route (xc_rt_contest, routes.h).
 *
 * Prefixes nest or are disjoint, so the claims form a forest: each claim's
 * parent is the closest prefix that contains it. Sorted by (family,
 * address, length), a stack of the open prefixes finds every parent in one
 * walk. Identical prefixes collapse onto the first-ranked of them. Then,
 * in rank order, a claim keeps its route unless an ancestor kept its own
 * (walk up, at most 129 steps) or a descendant did (a mark left on every
 * ancestor of a claim that kept its route).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/sorted.h"
#include "router/routes.h"

struct ctx {
	struct xc_rt_claim *c;
	int32_t *parent, *below;   /* below: a descendant that kept its route, -1 */
	uint8_t *kept;
};

/* Claims in rank order; the sort is stable: ties keep their order in c. */
static int by_rank(const void *pa, const void *pb, const void *arg)
{
	const struct xc_rt_claim *a = pa, *b = pb;

	(void)arg;
	return xc_node_rank_cmp(a->node, b->node);
}

static int by_prefix(const void *pa, const void *pb, const void *arg)
{
	const struct xc_prefix *x = ((const struct xc_rt_claim *)pa)->cidr;
	const struct xc_prefix *y = ((const struct xc_rt_claim *)pb)->cidr;
	int r = xc_ip_cmp(&x->ip, &y->ip);

	if (!r)
		r = (x->len > y->len) - (x->len < y->len);
	return r ? r : by_rank(pa, pb, arg);
}

static int same_prefix(const struct xc_prefix *a, const struct xc_prefix *b)
{
	return a->len == b->len && xc_ip_equal(&a->ip, &b->ip);
}

/*
 * Parents from the prefix order; a duplicate yields to its group's first.
 * Returns how many claims have a parent or yield: 0, nothing overlaps.
 */
static size_t build_forest(struct ctx *x, const uint32_t *ord, size_t n, int32_t *stack)
{
	size_t top = 0, linked = 0;

	for (size_t i = 0; i < n; i++) {
		int32_t k = (int32_t)ord[i];
		const struct xc_prefix *p = x->c[k].cidr;

		while (top && !xc_prefix_contains_prefix(x->c[stack[top - 1]].cidr, p))
			top--;
		linked += top > 0;
		if (top && same_prefix(x->c[stack[top - 1]].cidr, p)) {
			x->c[k].lost_to = stack[top - 1];
			x->parent[k] = -2;             /* settled */
			continue;
		}
		x->parent[k] = top ? stack[top - 1] : -1;
		stack[top++] = k;
	}
	return linked;
}

static void settle(struct ctx *x, int32_t k)
{
	int32_t p;

	for (p = x->parent[k]; p >= 0; p = x->parent[p]) {
		if (x->kept[p]) {
			x->c[k].lost_to = p;
			return;
		}
	}
	if (x->below[k] >= 0) {
		x->c[k].lost_to = x->below[k];
		return;
	}
	x->kept[k] = 1;
	for (p = x->parent[k]; p >= 0 && x->below[p] < 0; p = x->parent[p])
		x->below[p] = k;
}

int xc_rt_contest(struct xc_rt_claim *c, size_t n)
{
	uint32_t *mem = malloc(n * 5 * sizeof(*mem) + n), *ord;
	struct ctx x = { c, NULL, NULL, NULL };
	int32_t *stack;
	size_t i;

	if (!mem && n)
		return -ENOMEM;
	stack = (int32_t *)(mem + 2 * n);      /* mem[0..2n): the sorts' scratch */
	x.parent = (int32_t *)(mem + 3 * n);
	x.below = (int32_t *)(mem + 4 * n);
	x.kept = (uint8_t *)(mem + 5 * n);
	for (i = 0; i < n; i++) {
		c[i].lost_to = x.below[i] = -1;
		x.kept[i] = 0;
	}
	ord = xc_sorted_index(c, n, sizeof(*c), by_prefix, NULL, mem);
	if (build_forest(&x, ord, n, stack)) {  /* else every claim keeps its route */
		ord = xc_sorted_index(c, n, sizeof(*c), by_rank, NULL, mem);
		for (i = 0; i < n; i++)
			if (x.parent[ord[i]] != -2)
				settle(&x, (int32_t)ord[i]);
	}
	free(mem);
	return 0;
}
