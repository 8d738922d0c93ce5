/*
 * routes_int.h: what routes.c shares with routes_delta.c and
 * routes_sync.c. Private to core/router/routes*; not part of the API
 * (routes.h is).
 *
 * Names: xc_rt_cidr_pass xc_rt_local_refusal xc_rt_ctx xc_rt_same_values xc_rt_have_copy xc_rt_want_flags xc_rt_want_at xc_rt_want_end xc_rt_want_range xc_rt_want_find xc_rt_want_flags_at xc_rt_has_neigh xc_rt_as_made xc_rt_neigh_of xc_rt_fdb_of xc_rt_carried xc_rt_fdb_reserve xc_rt_fdb_order xc_rt_fdb_find xc_rt_fdb_rank_of xc_rt_fdb_set_rank xc_rt_fdb_rank XC_RT_RANK_NEW xc_rt_nhobj_same
 */
#ifndef XC_ROUTES_INT_H
#define XC_ROUTES_INT_H

#include "router/routes.h"

/* One computation: its inputs, where entries go, and the judge's tables. */
struct xc_rt_ctx {
	const struct xc_rt_conf *conf;
	const struct xc_rt_env *env;
	const struct xc_node *self;
	struct xc_rt_set *out;
	struct xc_rt_stats *st;
	int fdb_done;           /* the current peer's FDB entry is out */
	struct xc_ip *addrs;    /* every node's addresses, sorted (judge frees them) */
	size_t naddr;
	/*
	 * The judge's verdicts, per slot (every node's CIDRs in table order):
	 * what the entries need of it, 12 bytes a slot. The contest's claims
	 * (58 bytes a slot) are gone before the entries come.
	 */
	const char **refused;   /* xc_rt_cidr_refusal's or the local reason */
	uint32_t *lost_to;      /* the CIDR it yields to: 1 + node index * XC_NODE_CIDRS + k; 0: none */
	char why[XC_NODE_NAME_MAX + 2 * XC_IP_STRLEN + 48];
};

/*
 * Node n's CIDR k, whose verdict is r (NULL: the rules let it through):
 * its entries onto c->out (which has room), or the report of why there
 * are none, counted in c->st. Of this node's CIDRs (c->self) only a
 * refusal is reported, and nothing counted. A peer's first CIDR comes
 * after c->fdb_done = 0.
 */
void xc_rt_cidr_pass(struct xc_rt_ctx *c, const struct xc_node *n, int k, const char *r,
		     xc_rt_skip_cb skip, void *arg);

/* Non-zero when two entries of the same key also agree on every value. */
int xc_rt_same_values(const struct xc_rt_entry *a, const struct xc_rt_entry *b);

/* What have keeps of e: no node (the table's records go), foreign if it is. */
struct xc_rt_entry xc_rt_have_copy(const struct xc_rt_entry *e, int foreign);

/*
 * The flags of what the router wants on e's key: want's entry, for a
 * neighbour entry the route's that carries it, or for a nexthop object
 * nh's object of its id. NULL when it wants nothing there,
 * or (same) wants other values.
 */
uint8_t *xc_rt_want_flags(struct xc_rt_set *want, struct xc_rt_nhset *nh,
			  const struct xc_rt_entry *e, int same);

/*
 * Non-zero when r is a wanted route through the VXLAN device: it carries
 * a neighbour entry, maybe an FDB entry, and keeps the peer's underlay
 * address in gw (struct xc_rt_entry).
 */
int xc_rt_has_neigh(const struct xc_rt_entry *r);

/* r as the kernel has it: r, or for a wanted VXLAN route a copy in buf with its next hop. */
const struct xc_rt_entry *xc_rt_as_made(const struct xc_rt_entry *r, struct xc_rt_entry *buf);

/* The neighbour entry wanted VXLAN route r carries, into e. */
void xc_rt_neigh_of(const struct xc_rt_entry *r, struct xc_rt_entry *e);

/* The FDB entry wanted VXLAN route r would carry (r->vx.fdb says if it does), into e. */
void xc_rt_fdb_of(const struct xc_rt_entry *r, struct xc_rt_entry *e);

/*
 * What wanted route r stands for, into e: itself (as made), its
 * neighbour and FDB entries. Returns how many.
 */
int xc_rt_carried(const struct xc_rt_entry *r, struct xc_rt_entry e[3]);

/* Room for n FDB entries in s->fdb; -ENOMEM. */
int xc_rt_fdb_reserve(struct xc_rt_set *s, size_t n);

/*
 * s->fdb: s's routes that carry an FDB entry (vx.fdb), in the key order
 * of their entries, each told its rank. Of two on one key (two nodes on
 * one VXLAN endpoint) the first node by name keeps it, as with every key;
 * the other carries none. -ENOMEM; -EOVERFLOW from XC_RT_RANK_NEW entries.
 */
int xc_rt_fdb_order(struct xc_rt_set *s);

/* The rank of e's key among s's FDB entries (*found 1), or where it would go. */
size_t xc_rt_fdb_find(const struct xc_rt_set *s, const struct xc_rt_entry *e, int *found);

/* The rank route r was told (XC_RT_RANK_NEW: none yet), or SIZE_MAX if it carries no FDB entry. */
#define XC_RT_RANK_NEW 0xffffffu
size_t xc_rt_fdb_rank_of(const struct xc_rt_entry *r);
void xc_rt_fdb_set_rank(struct xc_rt_entry *r, size_t rank);

/* Each route of s->fdb told its rank. */
void xc_rt_fdb_rank(struct xc_rt_set *s);

/*
 * What the router wants, as one sequence in key order, indexed from 0 to
 * xc_rt_want_end: want's route i (xc_rt_as_made); from want->n the FDB
 * entries, of want->fdb's routes; from want->n + want->nfdb the neighbour
 * entry of want's route i - want->n - want->nfdb (NULL where it carries
 * none); then nh's objects (NULL: none). What is not a stored route is
 * made in buf. NULL past the end. With VXLAN at 65,000 nodes that is
 * 130,000 neighbour and 65,000 FDB entries want does not store (12.5 MB).
 */
const struct xc_rt_entry *xc_rt_want_at(const struct xc_rt_set *want,
					const struct xc_rt_nhset *nh, size_t i,
					struct xc_rt_entry *buf);

/* Where xc_rt_want_at's sequence ends. */
size_t xc_rt_want_end(const struct xc_rt_set *want, const struct xc_rt_nhset *nh);

/* Where the sequence's entries of kind (enum xc_rt_kind) are: from the index returned to *hi. */
size_t xc_rt_want_range(const struct xc_rt_set *want, const struct xc_rt_nhset *nh, uint8_t kind,
			size_t *hi);

/* The index in that sequence of e's key (e may be an entry it gave), or xc_rt_want_end. */
size_t xc_rt_want_find(const struct xc_rt_set *want, const struct xc_rt_nhset *nh,
		       const struct xc_rt_entry *e);

/* The flags of the sequence's entry i (i < xc_rt_want_end), or NULL where it has none. */
uint8_t *xc_rt_want_flags_at(struct xc_rt_set *want, struct xc_rt_nhset *nh, size_t i);

/* Non-zero when two nexthop objects are the same (id, device slot, onlink) within a set. */
int xc_rt_nhobj_same(const struct xc_rt_nhobj *a, const struct xc_rt_nhobj *b);

/*
 * Why cidr gets no route for a reason only this node knows (the API
 * server's address, a connected subnet), or NULL.
 */
const char *xc_rt_local_refusal(const struct xc_rt_ctx *c, const struct xc_prefix *cidr);

#endif
