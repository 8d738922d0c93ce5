/*
 * routes: the wanted state and the diff. See routes.h (kernel I/O:
 * routes_nl.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/rtnetlink.h>

#include "base/sorted.h"
#include "router/routes.h"
#include "router/routes_int.h"

#define IP6_DEFAULT_METRIC 1024

/* ---- sets ------------------------------------------------------------- */

void xc_rt_set_free(struct xc_rt_set *s)
{
	free(s->v);
	free(s->fdb);
	memset(s, 0, sizeof(*s));
}

int xc_rt_fdb_reserve(struct xc_rt_set *s, size_t n)
{
	uint32_t *v;

	if (n <= s->fdbcap)
		return 0;
	if (!(v = realloc(s->fdb, n * sizeof(*v))))
		return -ENOMEM;
	s->fdb = v;
	s->fdbcap = n;
	return 0;
}

size_t xc_rt_fdb_rank_of(const struct xc_rt_entry *r)
{
	const uint8_t *k = r->vx.rank;

	if (!xc_rt_has_neigh(r) || !r->vx.fdb)
		return SIZE_MAX;
	return (size_t)k[0] << 16 | (size_t)k[1] << 8 | k[2];
}

void xc_rt_fdb_set_rank(struct xc_rt_entry *r, size_t rank)
{
	r->vx.rank[0] = (uint8_t)(rank >> 16);
	r->vx.rank[1] = (uint8_t)(rank >> 8);
	r->vx.rank[2] = (uint8_t)rank;
}

void xc_rt_fdb_rank(struct xc_rt_set *s)
{
	for (size_t k = 0; k < s->nfdb; k++)
		xc_rt_fdb_set_rank(&s->v[s->fdb[k]], k);
}

int xc_rt_set_reserve(struct xc_rt_set *s, size_t n)
{
	struct xc_rt_entry *v;
	size_t cap;

	if (n <= s->cap)
		return 0;
	cap = s->cap + s->cap / 8 + 8;
	if (cap < n)
		cap = n;
	v = realloc(s->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->cap = cap;
	return 0;
}

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int xc_rt_cmp(const struct xc_rt_entry *a, const struct xc_rt_entry *b)
{
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->kind == XC_RT_NH)
		return a->nhid == b->nhid ? 0 : a->nhid < b->nhid ? -1 : 1;
	if (a->kind == XC_RT_FDB) {
		c = memcmp(a->mac, b->mac, sizeof(a->mac));
		if (c)
			return c;
		if (a->gw_family != b->gw_family)
			return a->gw_family < b->gw_family ? -1 : 1;
		return memcmp(a->gw, b->gw, sizeof(a->gw));
	}
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->dst, b->dst, sizeof(a->dst));
	if (c || a->kind == XC_RT_NEIGH)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	return 0;
}

#define VALUE_FLAGS (XC_RT_F_ONLINK | XC_RT_F_SRC | XC_RT_F_FOREIGN | XC_RT_F_ODD)

/* Non-zero when two entries of the same key also agree on every value. */
int xc_rt_same_values(const struct xc_rt_entry *a, const struct xc_rt_entry *b)
{
	struct xc_rt_entry x, y;

	a = xc_rt_as_made(a, &x);
	b = xc_rt_as_made(b, &y);
	if (a->kind == XC_RT_ROUTE && (a->nhid || b->nhid))
		/* the object holds the next hop (a dump shows it only in compat mode) */
		return a->nhid == b->nhid &&
		       (a->flags & (XC_RT_F_FOREIGN | XC_RT_F_ODD)) ==
		       (b->flags & (XC_RT_F_FOREIGN | XC_RT_F_ODD));
	if (a->oif != b->oif)
		return 0;
	switch (a->kind) {
	case XC_RT_NH:
	case XC_RT_ROUTE:
		return a->gw_family == b->gw_family &&
		       !memcmp(a->gw, b->gw, sizeof(a->gw)) &&
		       (a->flags & VALUE_FLAGS) == (b->flags & VALUE_FLAGS);
	case XC_RT_NEIGH:
		return !memcmp(a->mac, b->mac, sizeof(a->mac));
	default:
		return 1;
	}
}

static int cmp_entry(const void *elem, const void *e)
{
	return xc_rt_cmp(elem, e);
}

/* Index of e's key in s, or where it goes (*found 0). */
static size_t set_lookup(const struct xc_rt_set *s, const struct xc_rt_entry *e, int *found)
{
	return xc_sorted_find(s->v, s->n, sizeof(*s->v), e, cmp_entry, found);
}

struct xc_rt_entry *xc_rt_set_find(const struct xc_rt_set *s, const struct xc_rt_entry *e)
{
	int found;
	size_t i = set_lookup(s, e, &found);

	return found ? &s->v[i] : NULL;
}

int xc_rt_set_put(struct xc_rt_set *s, const struct xc_rt_entry *e)
{
	int found;
	size_t i = set_lookup(s, e, &found);

	if (found) {
		s->v[i] = *e;
		return 0;
	}
	if (xc_rt_set_reserve(s, s->n + 1))
		return -ENOMEM;
	memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof(*s->v));
	s->v[i] = *e;
	s->n++;
	return 0;
}

int xc_rt_set_del(struct xc_rt_set *s, const struct xc_rt_entry *e)
{
	int found;
	size_t i = set_lookup(s, e, &found);

	if (!found)
		return 0;
	memmove(s->v + i, s->v + i + 1, (s->n - i - 1) * sizeof(*s->v));
	s->n--;
	return 1;
}

/* Key order, then node name: the node first by name wins a duplicate CIDR. */
static int cmp_sort(const void *pa, const void *pb, const void *arg)
{
	const struct xc_rt_entry *a = pa, *b = pb;
	int c = xc_rt_cmp(a, b);

	(void)arg;
	if (c || !a->node || !b->node)
		return c;
	return strcmp(a->node->name, b->node->name);
}

/* ---- computing -------------------------------------------------------- */

void xc_rt_vxlan_mac(const struct xc_ip *underlay, uint8_t mac[6])
{
	mac[0] = 0x0a;
	if (underlay->family == AF_INET) {
		mac[1] = 0x58;
		memcpy(mac + 2, underlay->a, 4);
	} else {
		mac[1] = 0x59;
		memcpy(mac + 2, underlay->a + 12, 4);
	}
}


static struct xc_rt_entry *emit(struct xc_rt_ctx *c, uint8_t kind, uint8_t family,
				const struct xc_node *n, uint8_t dev)
{
	struct xc_rt_entry *e = &c->out->v[c->out->n++];

	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->family = family;
	e->node = n;
	e->dev = dev;
	e->oif = dev ? c->env->dev[dev].ifindex : 0;
	return e;
}

static struct xc_rt_entry *emit_route(struct xc_rt_ctx *c, const struct xc_node *n,
				      const struct xc_prefix *cidr, const struct xc_ip *gw,
				      uint8_t dev, uint8_t flags)
{
	struct xc_rt_entry *e = emit(c, XC_RT_ROUTE, cidr->ip.family, n, dev);

	e->len = cidr->len;
	memcpy(e->dst, cidr->ip.a, sizeof(e->dst));
	e->gw_family = gw->family;
	memcpy(e->gw, gw->a, (size_t)addr_len(gw->family));
	e->flags = flags;
	e->metric = c->conf->metric;
	if (!e->metric && e->family == AF_INET6)
		e->metric = IP6_DEFAULT_METRIC;
	return e;
}

/* Where a next hop is reached: its connected subnet's device, else onlink. */
static int place(struct xc_rt_ctx *c, const struct xc_ip *nh, uint8_t *dev, uint8_t *flags)
{
	const struct xc_rt_env *env = c->env;

	for (int i = 0; i < env->nconn; i++)
		if (xc_prefix_contains(&env->conn[i].net, nh)) {
			*dev = env->conn[i].dev;
			*flags = 0;
			return 0;
		}
	if (!env->underlay)
		return XC_RT_SKIP_NODEV;
	*dev = env->underlay;
	*flags = XC_RT_F_ONLINK;
	return 0;
}

static int cmp_ll_ip(const void *elem, const void *ip)
{
	return xc_ip_cmp(&((const struct xc_rt_lladdr *)elem)->ip, ip);
}

static const struct xc_rt_lladdr *find_ll(const struct xc_rt_env *env, const struct xc_ip *ip)
{
	int found;
	size_t i = xc_sorted_find(env->ll, env->nll, sizeof(*env->ll), ip, cmp_ll_ip, &found);

	return found ? &env->ll[i] : NULL;
}

/*
 * IPv6 next hop of a node, in the documented order. *dev is set (and 0
 * returned with *placed 1) only for a link-local one, whose device is the
 * neighbour's.
 */
static int v6_nexthop(struct xc_rt_ctx *c, const struct xc_node *n, struct xc_ip *nh,
		      uint8_t *dev, int *placed)
{
	struct xc_ip b6, b4;
	const struct xc_ip *a6 = xc_node_addr(n, AF_INET6, &b6), *a4 = xc_node_addr(n, AF_INET, &b4);
	const struct xc_rt_env *env = c->env;
	const struct xc_rt_lladdr *ll;
	const struct xc_node *m;

	*placed = 0;
	if (a6) {
		*nh = *a6;
		return 0;
	}
	if (a4 && c->conf->v6prefix.ip.family == AF_INET6 &&
	    xc_ip_embed4(&c->conf->v6prefix, a4, nh) == 0)
		return 0;
	if (env->amap && (m = xc_nodetab_find(env->amap, n->name)) != NULL &&
	    (a6 = xc_node_addr(m, AF_INET6, &b6)) != NULL) {
		*nh = *a6;
		return 0;
	}
	if (!a4)
		return XC_RT_SKIP_NOADDR;
	ll = find_ll(env, a4);
	if (!ll)
		return XC_RT_SKIP_NOLL;
	xc_ip_link_local(ll->mac, nh);
	*dev = ll->dev;
	*placed = 1;
	return 0;
}

static int path_direct(struct xc_rt_ctx *c, const struct xc_node *n, const struct xc_prefix *cidr)
{
	struct xc_ip nh, b4;
	const struct xc_ip *a4 = cidr->ip.family == AF_INET ? xc_node_addr(n, AF_INET, &b4) : NULL;
	uint8_t dev = 0, flags = 0;
	int placed = 0, rc;

	if (a4) {
		nh = *a4;
	} else {
		/* An IPv4 CIDR without an IPv4 address goes via IPv6 (RTA_VIA). */
		rc = v6_nexthop(c, n, &nh, &dev, &placed);
		if (rc)
			return rc;
	}
	if (!placed) {
		rc = place(c, &nh, &dev, &flags);
		if (rc)
			return rc;
	}
	emit_route(c, n, cidr, &nh, dev, flags);
	return 0;
}

/* sit mode's tunnels: IPv6 in sit0 to ::P4, IPv4 in tunl0 (kernel bug 205501). */
static int path_sit(struct xc_rt_ctx *c, const struct xc_node *n, const struct xc_prefix *cidr,
		    int v4_only)
{
	struct xc_ip gw = { 0 }, b4;
	const struct xc_ip *a4 = xc_node_addr(n, AF_INET, &b4);

	if (!a4)
		return XC_RT_SKIP_NOADDR;
	if (cidr->ip.family == AF_INET) {
		emit_route(c, n, cidr, a4, XC_RT_DEV_TUNL, XC_RT_F_ONLINK);
		return 0;
	}
	if (v4_only)
		return path_direct(c, n, cidr);
	gw.family = AF_INET6;
	memcpy(gw.a + 12, a4->a, 4);
	emit_route(c, n, cidr, &gw, XC_RT_DEV_SIT,
		   XC_RT_F_ONLINK | (c->env->src6.family == AF_INET6 ? XC_RT_F_SRC : 0));
	return 0;
}

static int path_vxlan(struct xc_rt_ctx *c, const struct xc_node *n, const struct xc_prefix *cidr)
{
	struct xc_ip bu;
	const struct xc_ip *u = xc_node_addr(n, c->env->vx_family, &bu);
	struct xc_rt_entry *e;

	if (!u)
		return XC_RT_SKIP_NOADDR;
	/*
	 * The peer CIDR's network address stands for its VTEP, as flannel
	 * does: the route keeps the peer's address where its next hop would
	 * be, and carries that address's neighbour entry and (the node's
	 * first) the FDB entry, both made of it (struct xc_rt_entry).
	 */
	e = emit_route(c, n, cidr, u, XC_RT_DEV_VXLAN, XC_RT_F_ONLINK);
	e->vx.fdb = !c->fdb_done;
	c->fdb_done = 1;
	return 0;
}

static int path_tunnel(struct xc_rt_ctx *c, uint8_t kind, const struct xc_node *n,
		       const struct xc_prefix *cidr)
{
	struct xc_ip b4;

	if (kind == XC_RT_VXLAN)
		return path_vxlan(c, n, cidr);
	if (kind == XC_RT_NONE)
		return path_direct(c, n, cidr);
	/* A peer without IPv4 cannot be reached through sit/ipip. */
	if (!xc_node_addr(n, AF_INET, &b4))
		return path_direct(c, n, cidr);
	return path_sit(c, n, cidr, kind == XC_RT_IPIP);
}

static int on_connected_subnet(const struct xc_rt_env *env, const struct xc_ip *ip)
{
	for (int i = 0; i < env->nconn; i++)
		if (xc_prefix_contains(&env->conn[i].net, ip))
			return 1;
	return 0;
}

static int path_auto(struct xc_rt_ctx *c, const struct xc_node *n, const struct xc_prefix *cidr)
{
	int fam = c->env->vx_family ? c->env->vx_family : AF_INET;
	struct xc_ip bu;
	const struct xc_ip *u = xc_node_addr(n, fam, &bu);
	size_t mark = c->out->n;
	int rc;

	if (!u)
		u = xc_node_addr(n, fam == AF_INET ? AF_INET6 : AF_INET, &bu);
	if (u && on_connected_subnet(c->env, u)) {
		rc = path_direct(c, n, cidr);
		if (!rc)
			return 0;
		c->out->n = mark;
	}
	return path_tunnel(c, c->env->tunnel, n, cidr);
}

static int own_overlap(const struct xc_rt_ctx *c, const struct xc_prefix *cidr)
{
	struct xc_prefix p;

	if (!c->self)
		return 0;
	for (int i = 0; i < c->self->ncidr; i++)
		if (xc_prefix_overlaps(xc_node_cidr_at(c->self, i, &p), cidr))
			return 1;
	return 0;
}

static int one_cidr(struct xc_rt_ctx *c, const struct xc_node *n, const struct xc_prefix *cidr)
{
	if (own_overlap(c, cidr))
		return XC_RT_SKIP_OWN;
	switch (c->conf->mode) {
	case XC_RT_NONE:
		return path_direct(c, n, cidr);
	case XC_RT_SIT:
	case XC_RT_IPIP:
	case XC_RT_VXLAN:
		return path_tunnel(c, (uint8_t)c->conf->mode, n, cidr);
	case XC_RT_AUTO:
		return path_auto(c, n, cidr);
	}
	return XC_RT_SKIP_NOADDR;
}

void xc_rt_cidr_pass(struct xc_rt_ctx *c, const struct xc_node *n, int k, const char *r,
		     xc_rt_skip_cb skip, void *arg)
{
	struct xc_prefix p;
	int why;

	xc_node_cidr_at(n, k, &p);
	if (n == c->self) {
		if (r && skip)
			skip(arg, n, &p, XC_RT_SKIP_REFUSED, r);
		return;
	}
	why = r ? XC_RT_SKIP_REFUSED : one_cidr(c, n, &p);
	c->st->refused += !!r;
	if (why) {
		c->st->skipped++;
		if (skip)
			skip(arg, n, &p, (enum xc_rt_skip)why, r);
	}
}

const char *xc_rt_cidr_refusal(const struct xc_prefix *cidr, const struct xc_ip *addrs,
			       size_t naddr, const struct xc_prefix *cluster, size_t ncluster)
{
	const char *why = xc_prefix_special(cidr);
	size_t lo = 0, hi = naddr, i;
	struct xc_prefix net;
	int fam = 0, in = 0;

	if (why)
		return why;
	xc_prefix_network(cidr, &net);  /* host bits set would skip the addresses below them */
	while (lo < hi) {               /* the first address >= the CIDR's */
		size_t m = lo + (hi - lo) / 2;

		if (xc_ip_cmp(&addrs[m], &net.ip) < 0)
			lo = m + 1;
		else
			hi = m;
	}
	if (lo < naddr && xc_prefix_contains(cidr, &addrs[lo]))
		return "contains a node's address";
	for (i = 0; i < ncluster; i++) {
		if (cluster[i].ip.family != cidr->ip.family)
			continue;
		fam = 1;
		in |= xc_prefix_contains_prefix(&cluster[i], cidr);
	}
	return fam && !in ? "outside CLUSTER_CIDR" : NULL;
}

static int cmp_ip(const void *a, const void *b, const void *arg)
{
	(void)arg;
	return xc_ip_cmp(a, b);
}

/*
 * c->addrs: every node's addresses of family, and this one's, sorted.
 * Room is taken for every address: the other family's part stays
 * untouched. -ENOMEM.
 */
static int gather_addrs(struct xc_rt_ctx *c, const struct xc_nodetab *t, int family)
{
	const struct xc_ip *self = family == AF_INET ? &c->env->self4 : &c->env->self6;
	size_t n = 1;

	for (size_t i = 0; i < t->n; i++)
		n += t->v[i]->naddr;
	if (!(c->addrs = malloc(n * sizeof(*c->addrs))))
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++)
		for (int k = 0; k < t->v[i]->naddr; k++) {
			xc_node_addr_at(t->v[i], k, &c->addrs[c->naddr]);
			c->naddr += c->addrs[c->naddr].family == family;
		}
	if (self->family)
		c->addrs[c->naddr++] = *self;
	return xc_sorted_sort_heap(c->addrs, c->naddr, sizeof(*c->addrs), cmp_ip, NULL);
}

/*
 * Sorted by index and moved once (xc_sorted_sort_heap): no second copy of
 * the entries (8 MB at 65,000 nodes), 4 bytes moved per step instead of
 * 64, and a scratch (8 bytes an entry) that lives only while it sorts.
 */
int xc_rt_set_sort(struct xc_rt_set *s)
{
	return xc_sorted_sort_heap(s->v, s->n, sizeof(*s->v), cmp_sort, NULL);
}

int xc_rt_set_sort_from(struct xc_rt_set *s, size_t n0)
{
	if (s->n == n0 || !xc_rt_set_sort(s))
		return 0;
	s->n = n0;
	return -ENOMEM;
}

/* Sort, then drop later duplicates of a key (a CIDR claimed twice). */
static int sort_dedupe(struct xc_rt_ctx *c, xc_rt_skip_cb skip, void *arg)
{
	struct xc_rt_set *s = c->out;
	size_t i, j = 0;

	if (xc_rt_set_sort(s))
		return -ENOMEM;
	for (i = 0; i < s->n; i++) {
		struct xc_rt_entry *r = &s->v[i];
		struct xc_prefix p = { .len = r->len };

		if (!j || xc_rt_cmp(&s->v[j - 1], r)) {
			s->v[j++] = *r;
			continue;
		}
		p.ip.family = r->family;
		memcpy(p.ip.a, r->dst, sizeof(p.ip.a));
		c->st->skipped++;
		if (skip)
			skip(arg, r->node, &p, XC_RT_SKIP_DUP, NULL);
		/* its node's FDB entry goes to another of its routes, kept or to come */
		for (size_t k = 0; r->vx.fdb && xc_rt_has_neigh(r) && k < s->n; k++)
			if ((k < j || k > i) && s->v[k].node == r->node && xc_rt_has_neigh(&s->v[k])) {
				s->v[k].vx.fdb = 1;
				break;
			}
	}
	s->n = j;
	return 0;
}

/* Order of the FDB entries routes a and b carry: key, then node name. */
static int cmp_fdb(const void *pa, const void *pb, const void *arg)
{
	const struct xc_rt_set *s = arg;
	const struct xc_rt_entry *a = &s->v[*(const uint32_t *)pa], *b = &s->v[*(const uint32_t *)pb];
	struct xc_rt_entry x, y;
	int c;

	xc_rt_fdb_of(a, &x);
	xc_rt_fdb_of(b, &y);
	c = xc_rt_cmp(&x, &y);
	return c ? c : strcmp(a->node->name, b->node->name);
}

int xc_rt_fdb_order(struct xc_rt_set *s)
{
	size_t k = 0, j = 0;

	for (size_t i = 0; i < s->n; i++)
		k += xc_rt_has_neigh(&s->v[i]) && s->v[i].vx.fdb;
	if (k >= XC_RT_RANK_NEW)        /* ranks are 24 bits */
		return -EOVERFLOW;
	if (xc_rt_fdb_reserve(s, k))
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		if (xc_rt_has_neigh(&s->v[i]) && s->v[i].vx.fdb)
			s->fdb[j++] = (uint32_t)i;
	if (xc_sorted_sort_heap(s->fdb, k, sizeof(*s->fdb), cmp_fdb, s))
		return -ENOMEM;
	for (size_t i = s->nfdb = 0; i < k; i++) {
		struct xc_rt_entry x, y;

		xc_rt_fdb_of(&s->v[s->fdb[i]], &y);
		if (s->nfdb && (xc_rt_fdb_of(&s->v[s->fdb[s->nfdb - 1]], &x), !xc_rt_cmp(&x, &y)))
			s->v[s->fdb[i]].vx.fdb = 0;     /* the endpoint's entry is the other's */
		else
			s->fdb[s->nfdb++] = s->fdb[i];
	}
	xc_rt_fdb_rank(s);
	return 0;
}

/*
 * Why the CIDR of slot s, one of node n's, gets no route, or NULL (after
 * judge). A peer's CIDR that yields to one of this node's is NULL:
 * one_cidr says "overlaps this node's" of it. The text of a lost contest
 * goes into c->why.
 */
static const char *refusal_of(struct xc_rt_ctx *c, const struct xc_nodetab *t, size_t s,
			      const struct xc_node *n)
{
	const struct xc_node *w;
	struct xc_prefix wp;
	char p[XC_IP_STRLEN];
	int k;

	if (c->refused[s] || !c->lost_to[s])
		return c->refused[s];
	w = t->v[(c->lost_to[s] - 1) / XC_NODE_CIDRS];
	k = (int)((c->lost_to[s] - 1) % XC_NODE_CIDRS);
	if (c->self && n != c->self && w == c->self)
		return NULL;
	xc_prefix_format(xc_node_cidr_at(w, k, &wp), p, sizeof(p));
	snprintf(c->why, sizeof(c->why), "overlaps %s's %s (%s)", w->name, p,
		 w == n ? "its own" : w->created == n->created ? "same age, name first" :
		 "created earlier");
	return c->why;
}

/*
 * What only this node can tell of a CIDR: it would take traffic for the
 * API server, or for a subnet an interface here is on. A subnet inside
 * one of this node's pod CIDRs is its pod bridge, no reason ("overlaps
 * this node's" covers a peer there); a subnet holding them is the node's
 * network, where pod CIDRs have no place.
 */
const char *xc_rt_local_refusal(const struct xc_rt_ctx *c, const struct xc_prefix *cidr)
{
	const struct xc_rt_env *env = c->env;
	struct xc_prefix own;

	if (env->api.family && xc_prefix_contains(cidr, &env->api))
		return "contains the API server's address";
	for (int i = 0; i < env->nconn; i++) {
		const struct xc_prefix *net = &env->conn[i].net;
		int bridge = 0;

		for (int k = 0; c->self && k < c->self->ncidr && !bridge; k++) {
			xc_node_cidr_at(c->self, k, &own);
			bridge = own.len <= net->len && xc_prefix_contains(&own, &net->ip);
		}
		if (!bridge && xc_prefix_overlaps(cidr, net))
			return "overlaps a subnet connected on this node";
	}
	return NULL;
}

/*
 * The CIDRs of one family of the table's slots (none overlaps another
 * family's or holds its addresses: judged alone, each family takes half
 * the scratch): xc_rt_cidr_refusal's reason (c->refused), and the contest
 * among the CIDRs it lets through (c->lost_to). -ENOMEM.
 */
static int judge_family(struct xc_rt_ctx *c, const struct xc_nodetab *t, size_t slots,
			int family)
{
	size_t n = 0, s = 0;
	struct xc_rt_claim *cl;
	uint32_t *who, *at;     /* claim -> its CIDR's name (as c->lost_to), its slot */
	struct xc_prefix *cp;
	const char *r;
	int rc;

	/* room for a claim on every slot: only this family's part is touched */
	if (!(cl = malloc(slots * (sizeof(*cl) + 2 * sizeof(*who) + sizeof(*cp)) + 1)))
		return -ENOMEM;
	who = (uint32_t *)(cl + slots);
	at = who + slots;
	cp = (struct xc_prefix *)(at + slots);
	rc = gather_addrs(c, t, family);
	for (size_t i = 0; !rc && i < t->n; i++)
		for (int k = 0; k < t->v[i]->ncidr; k++, s++) {
			if (xc_node_cidr_at(t->v[i], k, &cp[n])->ip.family != family)
				continue;
			r = xc_rt_cidr_refusal(&cp[n], c->addrs, c->naddr, c->conf->cluster,
					       c->conf->ncluster);
			if ((c->refused[s] = r ? r : xc_rt_local_refusal(c, &cp[n])))
				continue;
			cl[n] = (struct xc_rt_claim){ t->v[i], &cp[n], -1 };
			at[n] = (uint32_t)s;
			who[n++] = (uint32_t)(i * XC_NODE_CIDRS + (size_t)k + 1);
		}
	/* the addresses are judged by now: gone before the contest */
	free(c->addrs);
	c->addrs = NULL;
	c->naddr = 0;
	if (!rc)
		rc = xc_rt_contest(cl, n);
	for (size_t j = 0; !rc && j < n; j++)
		if (cl[j].lost_to >= 0)
			c->lost_to[at[j]] = who[cl[j].lost_to];
	free(cl);       /* the claims are settled: gone before the entries come */
	return rc;
}

/*
 * For every CIDR: why it gets no route (c->refused, c->lost_to). A slot is
 * one CIDR of one node: the nodes' CIDRs in table order, as xc_rt_compute
 * walks them. This node's CIDRs are judged as every other node judges
 * them, so that node-local here refuses exactly what the peers give no
 * route. -ENOMEM.
 */
static int judge(struct xc_rt_ctx *c, const struct xc_nodetab *t)
{
	size_t slots = 0;

	for (size_t i = 0; i < t->n; i++)
		slots += t->v[i]->ncidr;
	c->refused = calloc(slots + 1, sizeof(*c->refused) + sizeof(*c->lost_to));
	if (!c->refused)
		return -ENOMEM;
	c->lost_to = (uint32_t *)(c->refused + slots);
	return judge_family(c, t, slots, AF_INET) ? -ENOMEM : judge_family(c, t, slots, AF_INET6);
}

static void judge_free(struct xc_rt_ctx *c)
{
	free((void *)c->refused);  /* and lost_to */
	free(c->addrs);
}

int xc_rt_compute(const struct xc_rt_conf *conf, const struct xc_rt_env *env,
		  const struct xc_nodetab *t, struct xc_rt_set *out, struct xc_rt_stats *st,
		  xc_rt_skip_cb skip, void *arg)
{
	struct xc_rt_stats local;
	struct xc_rt_ctx c = { .conf = conf, .env = env, .out = out, .st = st ? st : &local };
	size_t need = 0, s = 0;

	memset(c.st, 0, sizeof(*c.st));
	out->n = out->nfdb = 0;
	/* A node's entries: a route per CIDR (with VXLAN they carry the
	 * neighbour and FDB entries, nh the nexthop objects). */
	for (size_t i = 0; i < t->n; i++)
		need += t->v[i]->ncidr;
	if (conf->self)
		c.self = xc_nodetab_find(t, conf->self);
	if (xc_rt_set_reserve(out, need) || judge(&c, t)) {
		judge_free(&c);
		return -ENOMEM;
	}
	c.st->nodes = t->n;
	for (size_t i = 0; i < t->n; i++) {
		const struct xc_node *n = t->v[i];

		if (n != c.self)
			c.st->peers++, c.fdb_done = 0;
		for (int k = 0; k < n->ncidr; k++)
			xc_rt_cidr_pass(&c, n, k, refusal_of(&c, t, s++, n), skip, arg);
	}
	judge_free(&c);
	if (sort_dedupe(&c, skip, arg) || xc_rt_fdb_order(out)) {
		out->n = out->nfdb = 0;
		return -ENOMEM;
	}
	for (size_t i = 0; i < out->n; i++)
		c.st->neighs += xc_rt_has_neigh(&out->v[i]);
	c.st->routes = out->n;
	c.st->fdbs = out->nfdb;
	return 0;
}

/* ---- nexthop objects -------------------------------------------------- */

/* An IPv4 route via an IPv4 next hop, the kind that takes a nexthop object. */
static int nh_route(const struct xc_rt_entry *e)
{
	return e->kind == XC_RT_ROUTE && e->family == AF_INET &&
	       (e->gw_family == AF_INET || xc_rt_has_neigh(e));
}

int xc_rt_nexthops_wanted(const struct xc_rt_conf *conf, const struct xc_rt_env *env,
			  const struct xc_rt_set *out, int on_now)
{
	size_t n = 0, min = on_now ? XC_RT_NH_MIN / 2 : XC_RT_NH_MIN;

	if (!env->nexthops || conf->nexthops == XC_RT_NH_OFF)
		return 0;
	if (conf->nexthops == XC_RT_NH_ON)
		return 1;
	for (size_t i = 0; i < out->n && n < min; i++)
		n += nh_route(&out->v[i]);
	return n >= min;
}

void xc_rt_nhset_free(struct xc_rt_nhset *s)
{
	free(s->v);
	*s = (struct xc_rt_nhset){ 0 };
}

struct xc_rt_nhobj *xc_rt_nhset_find(const struct xc_rt_nhset *s, uint32_t id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (s->v[m].id == id)
			return &s->v[m];
		if (s->v[m].id < id)
			lo = m + 1;
		else
			hi = m;
	}
	return NULL;
}

void xc_rt_nhobj_entry(const struct xc_rt_nhset *s, const struct xc_rt_nhobj *o,
		       struct xc_rt_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = XC_RT_NH;
	e->family = AF_INET;
	e->gw_family = AF_INET;
	e->gw[0] = (uint8_t)(o->id >> 24);
	e->gw[1] = (uint8_t)(o->id >> 16);
	e->gw[2] = (uint8_t)(o->id >> 8);
	e->gw[3] = (uint8_t)o->id;
	e->nhid = o->id;
	e->dev = o->dev;
	e->oif = s->oif[o->dev];
	e->flags = o->flags;
}

struct xc_rt_entry xc_rt_have_copy(const struct xc_rt_entry *e, int foreign)
{
	struct xc_rt_entry b, c = *xc_rt_as_made(e, &b);

	c.node = NULL;
	if (c.kind == XC_RT_ROUTE)
		memset(c.mac, 0, sizeof(c.mac));        /* the kernel's routes have no neighbour */
	c.flags = (uint8_t)((c.flags & ~(XC_RT_F_MARKS | XC_RT_F_HAVE)) |
			    (foreign ? XC_RT_F_FOREIGN : 0));
	return c;
}

int xc_rt_has_neigh(const struct xc_rt_entry *r)
{
	return r->kind == XC_RT_ROUTE && r->dev == XC_RT_DEV_VXLAN && r->node;
}

const struct xc_rt_entry *xc_rt_as_made(const struct xc_rt_entry *r, struct xc_rt_entry *buf)
{
	if (!xc_rt_has_neigh(r))
		return r;
	*buf = *r;
	buf->gw_family = r->family;
	memcpy(buf->gw, r->dst, sizeof(buf->gw));
	return buf;
}

/* What route r's neighbour or FDB entry (kind) has in common: the peer's MAC, the device. */
static void vx_entry(const struct xc_rt_entry *r, uint8_t kind, struct xc_rt_entry *e)
{
	struct xc_ip u = { .family = r->gw_family };

	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->dev = r->dev;
	e->oif = r->oif;
	e->node = r->node;
	memcpy(u.a, r->gw, sizeof(u.a));
	xc_rt_vxlan_mac(&u, e->mac);
}

void xc_rt_neigh_of(const struct xc_rt_entry *r, struct xc_rt_entry *e)
{
	vx_entry(r, XC_RT_NEIGH, e);
	e->family = r->family;
	e->flags = r->vx.flags;
	memcpy(e->dst, r->dst, sizeof(e->dst));
}

void xc_rt_fdb_of(const struct xc_rt_entry *r, struct xc_rt_entry *e)
{
	vx_entry(r, XC_RT_FDB, e);
	e->family = e->gw_family = r->gw_family;
	e->flags = r->vx.fdb_flags;
	memcpy(e->gw, r->gw, sizeof(e->gw));
}

int xc_rt_carried(const struct xc_rt_entry *r, struct xc_rt_entry e[3])
{
	const struct xc_rt_entry *m = xc_rt_as_made(r, &e[0]);
	int n = 1;

	if (m != &e[0])
		e[0] = *m;
	if (!xc_rt_has_neigh(r))
		return n;
	xc_rt_neigh_of(r, &e[n++]);
	if (r->vx.fdb)
		xc_rt_fdb_of(r, &e[n++]);
	return n;
}

/*
 * The index of the route carrying neighbour entry e's key, or want->n.
 * Wanted routes never overlap, so one destination is one route's at most.
 */
static size_t neigh_route(const struct xc_rt_set *want, const struct xc_rt_entry *e)
{
	struct xc_rt_entry key = { .kind = XC_RT_ROUTE, .family = e->family };
	int found;
	size_t i;

	memcpy(key.dst, e->dst, sizeof(key.dst));
	i = set_lookup(want, &key, &found);    /* length 0: before every route of dst */
	if (i < want->n && xc_rt_has_neigh(&want->v[i]) && want->v[i].family == e->family &&
	    !memcmp(want->v[i].dst, e->dst, sizeof(e->dst)))
		return i;
	return want->n;
}

uint8_t *xc_rt_want_flags(struct xc_rt_set *want, struct xc_rt_nhset *nh,
			  const struct xc_rt_entry *e, int same)
{
	struct xc_rt_entry x;
	size_t i = xc_rt_want_find(want, nh, e);

	if (i == xc_rt_want_end(want, nh) ||
	    (same && !xc_rt_same_values(xc_rt_want_at(want, nh, i, &x), e)))
		return NULL;
	return xc_rt_want_flags_at(want, nh, i);
}

/* The nexthop object of route e: the gateway, its device, onlink or not. */
static struct xc_rt_nhobj nh_of(const struct xc_rt_entry *r)
{
	struct xc_rt_entry buf;
	const struct xc_rt_entry *e = xc_rt_as_made(r, &buf);

	return (struct xc_rt_nhobj){
		(uint32_t)e->gw[0] << 24 | (uint32_t)e->gw[1] << 16 | (uint32_t)e->gw[2] << 8 |
		e->gw[3], e->dev, (uint8_t)(e->flags & XC_RT_F_ONLINK) };
}

int xc_rt_nhobj_same(const struct xc_rt_nhobj *a, const struct xc_rt_nhobj *b)
{
	return a->id == b->id && a->dev == b->dev && !((a->flags ^ b->flags) & XC_RT_F_ONLINK);
}

/*
 * v by id, in place (a scratch would be 0.5 MB more at 65,000 nodes, on
 * every node event), a byte of the id at a time from the top: an
 * American flag sort, a few milliseconds for 65,000 objects. Objects of
 * one id end up together, in no given order.
 */
static void sort_by_id(struct xc_rt_nhobj *v, size_t n, int shift)
{
	uint32_t at[257] = { 0 }, next[256];

	if (n < 2 || shift < 0)
		return;
	for (size_t i = 0; i < n; i++)
		at[(v[i].id >> shift & 255) + 1]++;
	for (int b = 0; b < 256; b++) {
		at[b + 1] += at[b];
		next[b] = at[b];
	}
	for (int b = 0; b < 256; b++)
		for (; next[b] < at[b + 1]; next[b]++) {
			unsigned d;

			while ((d = v[next[b]].id >> shift & 255) != (unsigned)b) {
				struct xc_rt_nhobj t = v[next[b]];

				v[next[b]] = v[next[d]];
				v[next[d]++] = t;
			}
		}
	for (int b = 0; b < 256; b++)
		sort_by_id(v + at[b], at[b + 1] - at[b], shift - 8);
}

int xc_rt_nexthops(const struct xc_rt_set *s, struct xc_rt_nhset *out)
{
	size_t k = 0, j;

	out->n = 0;
	out->clash = 0;
	memset(out->oif, 0, sizeof(out->oif));
	for (size_t i = 0; i < s->n; i++)
		k += nh_route(&s->v[i]);
	if (k > out->cap) {
		struct xc_rt_nhobj *v = realloc(out->v, k * sizeof(*v));

		if (!v)
			return -ENOMEM;
		out->v = v;
		out->cap = k;
	}
	for (size_t i = 0; i < s->n; i++)
		if (nh_route(&s->v[i])) {
			out->v[out->n++] = nh_of(&s->v[i]);
			out->oif[s->v[i].dev] = s->v[i].oif;
		}
	sort_by_id(out->v, out->n, 24);
	/*
	 * One object per id: of two that differ, the lower device index (then
	 * the one without onlink), whatever order they came in.
	 */
	for (j = 1, k = !!out->n; j < out->n; j++) {
		struct xc_rt_nhobj *w = &out->v[k - 1], *o = &out->v[j];

		if (w->id != o->id) {
			out->v[k++] = *o;
			continue;
		}
		out->clash |= !xc_rt_nhobj_same(w, o);
		if (out->oif[o->dev] < out->oif[w->dev] ||
		    (o->dev == w->dev && (w->flags & ~o->flags & XC_RT_F_ONLINK)))
			*w = *o;
	}
	out->n = k;
	return (int)out->n;
}

uint32_t xc_rt_nhid(const struct xc_rt_nhset *nh, const struct xc_rt_entry *e)
{
	struct xc_rt_nhobj o = nh_of(e);
	const struct xc_rt_nhobj *w = nh->clash ? xc_rt_nhset_find(nh, o.id) : &o;

	return nh->n && nh_route(e) && w && xc_rt_nhobj_same(w, &o) ? o.id : 0;
}

/* ---- diffing ---------------------------------------------------------- */

size_t xc_rt_want_end(const struct xc_rt_set *want, const struct xc_rt_nhset *nh)
{
	return 2 * want->n + want->nfdb + (nh ? nh->n : 0);
}

size_t xc_rt_want_range(const struct xc_rt_set *want, const struct xc_rt_nhset *nh, uint8_t kind,
			size_t *hi)
{
	size_t at[] = { 0, want->n, want->n + want->nfdb, 2 * want->n + want->nfdb,
			xc_rt_want_end(want, nh) };

	*hi = at[kind];
	return at[kind - 1];
}

/* A key for xc_sorted_find in a set's FDB order: the set and the FDB entry sought. */
struct fdb_key {
	const struct xc_rt_set *s;
	const struct xc_rt_entry *e;
};

static int cmp_fdb_key(const void *elem, const void *key)
{
	const struct fdb_key *k = key;
	struct xc_rt_entry x;

	xc_rt_fdb_of(&k->s->v[*(const uint32_t *)elem], &x);
	return xc_rt_cmp(&x, k->e);
}

size_t xc_rt_fdb_find(const struct xc_rt_set *s, const struct xc_rt_entry *e, int *found)
{
	struct fdb_key k = { s, e };

	return xc_sorted_find(s->fdb, s->nfdb, sizeof(*s->fdb), &k, cmp_fdb_key, found);
}

size_t xc_rt_want_find(const struct xc_rt_set *want, const struct xc_rt_nhset *nh,
		       const struct xc_rt_entry *e)
{
	const struct xc_rt_nhobj *o;
	size_t end = xc_rt_want_end(want, nh), i;
	int found;

	if ((uintptr_t)e - (uintptr_t)want->v < want->n * sizeof(*e))  /* one of want's */
		return (size_t)(e - want->v);
	if (e->kind == XC_RT_NH)
		return nh && (o = xc_rt_nhset_find(nh, e->nhid)) ?
		       2 * want->n + want->nfdb + (size_t)(o - nh->v) : end;
	if (e->kind == XC_RT_NEIGH)
		return (i = neigh_route(want, e)) < want->n ? want->n + want->nfdb + i : end;
	if (e->kind == XC_RT_FDB)
		return (i = xc_rt_fdb_find(want, e, &found)), found ? want->n + i : end;
	i = set_lookup(want, e, &found);
	return found ? i : end;
}

const struct xc_rt_entry *xc_rt_want_at(const struct xc_rt_set *want,
					const struct xc_rt_nhset *nh, size_t i,
					struct xc_rt_entry *buf)
{
	if (i < want->n)
		return xc_rt_as_made(&want->v[i], buf);
	if ((i -= want->n) < want->nfdb) {
		xc_rt_fdb_of(&want->v[want->fdb[i]], buf);
		return buf;
	}
	if ((i -= want->nfdb) < want->n) {
		if (!xc_rt_has_neigh(&want->v[i]))
			return NULL;
		xc_rt_neigh_of(&want->v[i], buf);
		return buf;
	}
	if (!nh || (i -= want->n) >= nh->n)
		return NULL;
	xc_rt_nhobj_entry(nh, &nh->v[i], buf);
	return buf;
}

uint8_t *xc_rt_want_flags_at(struct xc_rt_set *want, struct xc_rt_nhset *nh, size_t i)
{
	if (i < want->n)
		return &want->v[i].flags;
	if ((i -= want->n) < want->nfdb)
		return &want->v[want->fdb[i]].vx.fdb_flags;
	if ((i -= want->nfdb) < want->n)
		return xc_rt_has_neigh(&want->v[i]) ? &want->v[i].vx.flags : NULL;
	return nh && (i -= want->n) < nh->n ? &nh->v[i].flags : NULL;
}

int xc_rt_diff(const struct xc_rt_set *want, const struct xc_rt_nhset *nh,
	       const struct xc_rt_set *have, xc_rt_diff_cb cb, void *arg)
{
	size_t i = 0, j = 0, end = xc_rt_want_end(want, nh);
	struct xc_rt_entry buf;
	int rc = 0;

	for (;;) {
		const struct xc_rt_entry *w = NULL;
		const struct xc_rt_entry *h = j < have->n ? &have->v[j] : NULL;
		int c;

		while (i < end && !(w = xc_rt_want_at(want, nh, i, &buf)))
			i++;    /* a route without a neighbour entry */
		c = !w ? 1 : !h ? -1 : xc_rt_cmp(w, h);
		if (rc || (!w && !h))
			break;
		if (c < 0) {
			if (!(w->flags & XC_RT_F_HAVE))
				rc = cb(arg, XC_RT_ADD, w, NULL);
			i++;
		} else if (c > 0) {
			if (!(h->flags & XC_RT_F_FOREIGN))
				rc = cb(arg, XC_RT_DEL, NULL, h);
			j++;
		} else {
			if (!(h->flags & XC_RT_F_FOREIGN) && !xc_rt_same_values(w, h))
				rc = cb(arg, XC_RT_REPLACE, w, h);
			i++;
			j++;
		}
	}
	return rc;
}
