/*
 * tabsame.h: two router node tables (core/router/nodetab) compared field
 * by field, for tests that build one table two ways (test_nodesrc,
 * fuzz_watchlist): names, creation times, each pod CIDR (family, length,
 * address) and each address (kind, family, address), in table order.
 */
#ifndef XC_TABSAME_H
#define XC_TABSAME_H

#include <stdio.h>
#include <string.h>

#include "router/nodetab.h"

static inline int tabsame_ip(const struct xc_ip *a, const struct xc_ip *b)
{
	return a->family == b->family && xc_ip_equal(a, b);
}

/* 1 when a and b hold the same nodes; else 0 and why (size bytes) says where. */
static inline int tabsame(const struct xc_nodetab *a, const struct xc_nodetab *b,
			  char *why, size_t size)
{
	if (a->n != b->n)
		return snprintf(why, size, "%zu nodes, %zu nodes", a->n, b->n), 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct xc_node *x = a->v[i], *y = b->v[i];
		struct xc_prefix p, q;
		struct xc_ip ip, iq;

		if (strcmp(x->name, y->name))
			return snprintf(why, size, "%s, %s", x->name, y->name), 0;
		if (x->created != y->created || x->ncidr != y->ncidr || x->naddr != y->naddr)
			return snprintf(why, size, "%s: created/ncidr/naddr", x->name), 0;
		for (int k = 0; k < x->ncidr; k++) {
			xc_node_cidr_at(x, k, &p);
			xc_node_cidr_at(y, k, &q);
			if (p.len != q.len || !tabsame_ip(&p.ip, &q.ip))
				return snprintf(why, size, "%s: CIDR %d", x->name, k), 0;
		}
		for (int k = 0; k < x->naddr; k++) {
			if (xc_node_addr_at(x, k, &ip) != xc_node_addr_at(y, k, &iq) ||
			    !tabsame_ip(&ip, &iq))
				return snprintf(why, size, "%s: address %d", x->name, k), 0;
		}
	}
	return 1;
}

#endif
