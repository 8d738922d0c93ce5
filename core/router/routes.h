/*
 * routes: the router's engine. From the node table and a description of
 * this host (struct xc_rt_env) it computes the kernel state wanted for
 * every other node's pod CIDRs (routes, and for VXLAN the neighbour and
 * FDB entries), diffs it against what the kernel holds, and applies the
 * difference over netlink.
 *
 * Everything is an entry (struct xc_rt_entry): a route, a neighbour or an
 * FDB entry, compact (~64 bytes) and kept in sorted arrays (struct
 * xc_rt_set), so a diff is one merge walk. What is wanted stores routes
 * alone: a VXLAN route carries the neighbour entry of its next hop and,
 * the first of its node's, the node's FDB entry, made where they are
 * needed (xc_rt_want_at, routes_int.h). What the kernel holds is one
 * set with what is wanted, not a second copy: a wanted entry it holds as
 * it is carries XC_RT_F_HAVE, and have keeps only the rest (see
 * struct xc_rt_engine). Ownership: routes are ours when
 * they carry our protocol number in our table; neighbour and FDB entries
 * are ours when they are permanent entries on our VXLAN device. Nothing
 * else is ever changed: a route of another protocol that holds a key we
 * want (same destination, table and metric) is left alone and reported.
 *
 * Next hops, per peer node P and pod CIDR C of family F (docs/router.md):
 *   direct  IPv4: P's IPv4 address (else an IPv6 next hop, as RTA_VIA).
 *           IPv6: P's IPv6 address; else IPV6_PREFIX + P's IPv4; else
 *           the address map; else the link-local address derived from
 *           P's MAC in the neighbour table (with that device).
 *           Via the interface of the connected subnet holding the next
 *           hop, else "onlink" through the underlay interface.
 *   sit     IPv6 "via ::P4 dev sit0 onlink" (src: our own pod address
 *           when it exists here and DAD is done with it), IPv4 "via P4
 *           dev tunl0 onlink".
 *   ipip    IPv4 through tunl0 as above; IPv6 direct.
 *   vxlan   "via NET(C) dev VX onlink", a permanent neighbour NET(C) ->
 *           MAC(P) and an FDB entry MAC(P) -> P's underlay address, where
 *           MAC(P) is derived from that address (xc_rt_vxlan_mac).
 *   auto    direct when P's underlay address is on a connected subnet,
 *           else the available tunnel (env->tunnel); a family that has no
 *           direct next hop also takes the tunnel.
 * A tunnel that cannot serve a peer (sit/ipip for a peer without IPv4)
 * falls back to direct routes.
 *
 * Nexthop objects: the IPv4 FIB finds a route's shared next-hop data
 * through a hash that leaves the gateway out, so IPv4 routes that differ
 * only in their gateway (ours: one per peer) make each insert walk all
 * the others: 88 s of kernel time for 65,000 routes (docs/router.md).
 * Routes naming a nexthop object by id do not. So where the kernel has
 * them (Linux 5.3+) and there are many IPv4 routes via IPv4 next hops
 * (conf->nexthops, xc_rt_nexthops_wanted), each such next hop becomes a
 * nexthop object of ours (id = the gateway address as a number: stable,
 * and unique per gateway) and the routes name it. What the router wants
 * of them is a table of its own (struct xc_rt_nhset: 12 bytes an object,
 * not an entry's 64); what the kernel holds that differs is in have, as
 * XC_RT_NH entries.
 *
 * Functions return 0 (or a count) or a negative errno; nothing prints.
 *
 * Names: xc_rt_
 */
#ifndef XC_ROUTES_H
#define XC_ROUTES_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "kernel/netlink.h"
#include "kernel/nl_route.h"
#include "router/nodetab.h"

enum xc_rt_mode { XC_RT_NONE = 0, XC_RT_SIT, XC_RT_IPIP, XC_RT_VXLAN, XC_RT_AUTO };

/* Device slots in env->dev[]; interfaces found on the host follow. */
enum { XC_RT_DEV_SIT = 1, XC_RT_DEV_TUNL, XC_RT_DEV_VXLAN, XC_RT_DEV_LINK0 };
#define XC_RT_DEVS 32
#define XC_RT_CONNS 64

#define XC_RT_PROTOCOL 202     /* default route protocol number */
#define XC_RT_TABLE_MAIN 254

struct xc_rt_conf {
	enum xc_rt_mode mode;
	uint8_t protocol;          /* ours; default XC_RT_PROTOCOL */
	uint32_t table;            /* 0: main */
	uint32_t metric;           /* 0: the kernel's default (IPv6: 1024) */
	struct xc_prefix v6prefix; /* IPV6_PREFIX (len <= 96); family 0: none */
	const char *self;          /* this node's name: it gets no route */
	const struct xc_prefix *cluster; /* CLUSTER_CIDR (rtconf's masq.cluster) */
	size_t ncluster;
	uint8_t nexthops;          /* enum xc_rt_nh: when IPv4 routes use nexthop objects */
};

/* When IPv4 routes via IPv4 next hops use nexthop objects (the kernel permitting). */
enum xc_rt_nh {
	XC_RT_NH_AUTO = 0,         /* from XC_RT_NH_MIN such routes on (off again below half) */
	XC_RT_NH_OFF,
	XC_RT_NH_ON,
};
#define XC_RT_NH_MIN 1024

struct xc_rt_dev {
	char name[IFNAMSIZ];
	int ifindex;               /* 0: does not exist (yet) */
	unsigned mtu;
};

/* A subnet this host is connected to (a global address's prefix). */
struct xc_rt_conn {
	struct xc_prefix net;      /* host bits clear */
	uint8_t dev;
};

/* A resolved IPv4 neighbour, for the link-local fallback. */
struct xc_rt_lladdr {
	struct xc_ip ip;
	uint8_t mac[6];
	uint8_t dev;
};

/* This host, as the computation needs it (filled by core/router/tunnel). */
struct xc_rt_env {
	struct xc_rt_dev dev[XC_RT_DEVS];
	int ndev;                  /* slots in use (at least XC_RT_DEV_LINK0) */
	struct xc_rt_conn conn[XC_RT_CONNS];
	int nconn;
	uint8_t underlay;          /* slot holding this node's address; 0: unknown */
	struct xc_ip self4, self6; /* this node's addresses; family 0: none */
	struct xc_ip api;          /* the API server's, when known; family 0: none */
	struct xc_ip src6;         /* sit: our IPv6 pod address, when on this host and usable */
	uint8_t src6_wait;         /* 1: that address is there but still tentative (DAD) */
	struct xc_ip tun4;         /* the IPv4 tunnel device's own address; family 0: none */
	uint8_t tunnel;            /* auto: XC_RT_SIT or XC_RT_VXLAN */
	uint8_t vx_family;         /* VXLAN underlay family (AF_INET, AF_INET6) */
	const struct xc_rt_lladdr *ll;  /* sorted by ip (xc_ip_cmp) */
	size_t nll;
	const struct xc_nodetab *amap;  /* address map: name -> IPv6; NULL: none */
	uint8_t nexthops;          /* 1: the kernel has nexthop objects */
};

/*
 * Kinds, in key order: what the router wants is one sequence in that order
 * (xc_rt_want_at), FDB entries before the neighbours that want does not
 * store. The order changes go in is xc_rt_sync's.
 */
enum xc_rt_kind { XC_RT_ROUTE = 1, XC_RT_FDB, XC_RT_NEIGH, XC_RT_NH };

#define XC_RT_F_ONLINK  0x01   /* route: RTNH_F_ONLINK */
#define XC_RT_F_SRC     0x02   /* route: preferred source env->src6 */
#define XC_RT_F_FOREIGN 0x04   /* another protocol's route holds this key */
#define XC_RT_F_ODD     0x08   /* kernel entry with something we never set */
/* Private to a pass (xc_rt_sync): its changes to have, made at its end. */
#define XC_RT_F_PUT     0x10   /* want: have gets a copy */
#define XC_RT_F_PUT_FOREIGN 0x20 /* want: have gets a copy, flagged foreign */
#define XC_RT_F_DROP    0x40   /* have: the entry goes */
#define XC_RT_F_MARKS   (XC_RT_F_PUT | XC_RT_F_PUT_FOREIGN | XC_RT_F_DROP)
/*
 * want: the kernel holds this entry as it is (ours), and have holds
 * nothing of its key. What the kernel holds is then have and the flagged
 * entries of want: one set of entries, not two.
 */
#define XC_RT_F_HAVE    0x80

struct xc_rt_entry {
	uint8_t kind;              /* enum xc_rt_kind */
	uint8_t family;            /* of dst (FDB: of gw) */
	uint8_t len;               /* route: prefix length */
	uint8_t gw_family;         /* route: next hop family, 0: none; FDB: remote's */
	uint8_t dev;               /* slot in env->dev (for text); 0: none */
	uint8_t flags;             /* XC_RT_F_* */
	union {
		uint8_t mac[6];    /* neighbour, FDB */
		/*
		 * A wanted route through the VXLAN device (xc_rt_has_neigh)
		 * carries the neighbour entry of its next hop and, the first
		 * of its node's, the node's FDB entry: want stores neither
		 * (xc_rt_want_at makes them). Its gw is the peer's underlay
		 * address, which they are made of: the route's own next hop
		 * is its destination (xc_rt_have_copy, xc_rt_same_values).
		 */
		struct {
			uint8_t flags;      /* the neighbour entry's */
			uint8_t fdb_flags;  /* the FDB entry's */
			uint8_t fdb;        /* 1: carries the FDB entry */
			uint8_t rank[3];    /* its place among want's FDB entries */
		} vx;
	};
	int oif;                   /* ifindex (0: its device does not exist yet) */
	uint32_t metric;           /* route: as the kernel stores it */
	uint8_t dst[16];           /* route destination, neighbour address */
	uint8_t gw[16];            /* route, nexthop object: next hop; FDB: remote address */
	uint32_t nhid;             /* route: the nexthop object it names (0: none); NH: its id */
	const struct xc_node *node; /* wanted entries: the node it serves */
};

/*
 * A sorted array of entries (see xc_rt_cmp); grows, never shrinks. A
 * wanted set (xc_rt_compute's) also orders the FDB entries its routes
 * carry: fdb[k] is the route of the k-th (in xc_rt_cmp's order).
 */
struct xc_rt_set {
	struct xc_rt_entry *v;
	size_t n, cap;
	uint32_t *fdb;
	size_t nfdb, fdbcap;
};

/*
 * A nexthop object the router wants: what its XC_RT_NH entry would say
 * (xc_rt_nhobj_entry), in 8 bytes. Every IPv4 peer has one: as entries
 * they took 4 MB at 65,000 nodes.
 */
struct xc_rt_nhobj {
	uint32_t id;               /* its gateway, an IPv4 address as a number */
	uint8_t dev;               /* slot in env->dev; its ifindex: the set's oif[dev] */
	uint8_t flags;             /* XC_RT_F_ONLINK; XC_RT_F_HAVE and a pass's marks, as want's entries */
};

/* The nexthop objects wanted, sorted by id (xc_rt_nexthops reuses its room). */
struct xc_rt_nhset {
	struct xc_rt_nhobj *v;
	size_t n, cap;
	int clash;                 /* two paths through one gateway: see xc_rt_nhid */
	int oif[XC_RT_DEVS];       /* the ifindex of each device slot, as the routes had it */
};

/* Why a peer's CIDR got no route (xc_rt_compute's skip callback). */
enum xc_rt_skip {
	XC_RT_SKIP_NOADDR = 1,     /* no address of the family the path needs */
	XC_RT_SKIP_NOLL,           /* IPv6 via link-local: neighbour not resolved */
	XC_RT_SKIP_NODEV,          /* next hop off-subnet and no underlay device */
	XC_RT_SKIP_DUP,            /* CIDR already routed to another node */
	XC_RT_SKIP_OWN,            /* CIDR overlaps one of this node's */
	XC_RT_SKIP_REFUSED,        /* xc_rt_cidr_refusal: reason says why */
};

/* reason: xc_rt_cidr_refusal's for XC_RT_SKIP_REFUSED, else NULL. */
typedef void (*xc_rt_skip_cb)(void *arg, const struct xc_node *n, const struct xc_prefix *cidr,
			      enum xc_rt_skip why, const char *reason);

/* Counters of the last computation (refused: also counted in skipped). */
struct xc_rt_stats {
	size_t nodes, peers, routes, neighs, fdbs, skipped, refused, nexthops;
};

/* ---- sets ------------------------------------------------------------ */

/* Release a set's memory; it is empty and usable again. */
void xc_rt_set_free(struct xc_rt_set *s);

/* The same for a set of nexthop objects. */
void xc_rt_nhset_free(struct xc_rt_nhset *s);

/* The object with id in s, or NULL. */
struct xc_rt_nhobj *xc_rt_nhset_find(const struct xc_rt_nhset *s, uint32_t id);

/* The XC_RT_NH entry o, one of s's, stands for (no node; flags as o's), into e. */
void xc_rt_nhobj_entry(const struct xc_rt_nhset *s, const struct xc_rt_nhobj *o,
		       struct xc_rt_entry *e);

/*
 * Make room for n entries (no-op when there is): an eighth more than
 * there was, or exactly n when that is more. Sets are large and sized
 * once per computation: doubling would leave up to half of one idle.
 * -ENOMEM.
 */
int xc_rt_set_reserve(struct xc_rt_set *s, size_t n);

/*
 * Order of entries: kind, then the key (routes: family, destination,
 * length, metric; neighbours: family, address; FDB: MAC, remote;
 * nexthop objects: id). Two
 * entries with the same key describe the same kernel object.
 */
int xc_rt_cmp(const struct xc_rt_entry *a, const struct xc_rt_entry *b);


/* The entry with e's key, or NULL. */
struct xc_rt_entry *xc_rt_set_find(const struct xc_rt_set *s, const struct xc_rt_entry *e);

/* Insert e, or overwrite the entry with its key; -ENOMEM. */
int xc_rt_set_put(struct xc_rt_set *s, const struct xc_rt_entry *e);

/* Sort s by key (xc_rt_cmp; wanted entries of one key by node name); -ENOMEM. */
int xc_rt_set_sort(struct xc_rt_set *s);

/*
 * Sort in the entries appended to s from n0 on (s[0..n0) is in order);
 * -ENOMEM: they are dropped and s is as it was.
 */
int xc_rt_set_sort_from(struct xc_rt_set *s, size_t n0);

/* Remove the entry with e's key: 1 if there was one, else 0. */
int xc_rt_set_del(struct xc_rt_set *s, const struct xc_rt_entry *e);

/* ---- computing ------------------------------------------------------- */

/* The MAC of a VXLAN endpoint: 0a:58 + IPv4, or 0a:59 + an IPv6's last 4 bytes. */
void xc_rt_vxlan_mac(const struct xc_ip *underlay, uint8_t mac[6]);

/*
 * Why a node's pod CIDR (host bits ignored) gets no route, or NULL: it
 * overlaps a range no pod network may use (0.0.0.0/8, ::, loopback,
 * link-local, multicast, 255.255.255.255), contains one of addrs (every node's
 * addresses, sorted by xc_ip_cmp), or lies outside every prefix of its
 * family in cluster (no rule for a family cluster has none of). Its
 * length alone is never a reason. (xc_rt_compute also refuses a CIDR that
 * contains env's API server address, overlaps a subnet connected on this
 * node other than its own pod CIDRs', or loses xc_rt_contest: "overlaps
 * n1's 198.19.0.0/16 (n1 is older)".)
 */
const char *xc_rt_cidr_refusal(const struct xc_prefix *cidr, const struct xc_ip *addrs,
			       size_t naddr, const struct xc_prefix *cluster, size_t ncluster);

/* One node's claim to a pod CIDR, for xc_rt_contest. */
struct xc_rt_claim {
	const struct xc_node *node;
	const struct xc_prefix *cidr;  /* network form */
	int32_t lost_to;               /* out: the claim it yields to; -1: it keeps its route */
};

/*
 * Settle overlapping claims (pod CIDRs of different nodes that share an
 * address): claims are taken in rank order (xc_node_rank_cmp, then their
 * order in c) and each keeps its route unless it overlaps a claim taken
 * before that kept its own. The outcome depends only on the set of claims,
 * never on the order nodes arrived in. Identical prefixes yield to the
 * first-ranked of them. O(n log n + n * prefix depth). -ENOMEM.
 */
int xc_rt_contest(struct xc_rt_claim *c, size_t n);

/*
 * The wanted entries for every node of t except conf->self, sorted, into
 * out (emptied first). The metric stored is the kernel's (IPv6 0 -> 1024).
 * skip (may be NULL) hears about each CIDR that got nothing, and why, and
 * about each of conf->self's own CIDRs that the peers refuse (n is then
 * self; no pod may get an address from it; not counted in st);
 * xc_rt_cidr_refusal is asked about each (with every node's addresses and
 * env's self4/self6, and conf's cluster); the peers' CIDRs it accepts then
 * go through xc_rt_contest, whose losers are refused too, the reason
 * naming the winner. -ENOMEM; out is then empty.
 */
int xc_rt_compute(const struct xc_rt_conf *conf, const struct xc_rt_env *env,
		  const struct xc_nodetab *t, struct xc_rt_set *out, struct xc_rt_stats *st,
		  xc_rt_skip_cb skip, void *arg);

/*
 * Whether out's routes should use nexthop objects: the kernel has them
 * and conf->nexthops is ON, or AUTO with at least XC_RT_NH_MIN IPv4
 * routes via IPv4 next hops (at least half that while on already: a
 * cluster near the mark does not switch forms back and forth).
 */
int xc_rt_nexthops_wanted(const struct xc_rt_conf *conf, const struct xc_rt_env *env,
			  const struct xc_rt_set *out, int on_now);

/*
 * The nexthop objects of s's IPv4 routes via an IPv4 next hop: one per
 * distinct gateway into out (emptied first; id: the address as a number;
 * its device and onlink flag). Two paths through one gateway (it cannot
 * happen with the routes xc_rt_compute makes) keep the object of the
 * lower device index (then without onlink), whatever the routes' order;
 * a route of the other stays without (out->clash is set). Returns the
 * number of objects, or -ENOMEM (out empty).
 */
int xc_rt_nexthops(const struct xc_rt_set *s, struct xc_rt_nhset *out);

/* The id of the object route e names, of nh made from e's set (empty: none); 0: none. */
uint32_t xc_rt_nhid(const struct xc_rt_nhset *nh, const struct xc_rt_entry *e);

/* ---- following changes ----------------------------------------------- */

/*
 * The node changes since a computation, noted as the table makes them
 * (xc_rt_delta_note), so that the next can recompute the changed nodes
 * alone (xc_rt_update): a node changed, added or removed, at most
 * XC_RT_DELTA_MAX nodes and as many records replaced or removed; more,
 * or this node changed, ask for a whole computation. Each node's pod
 * CIDRs as they were at the start are kept: it may be gone from the
 * table, and their verdicts then are what its entries leave.
 */
#define XC_RT_DELTA_MAX 8
#define XC_RT_DELTA_ADDRS (2 * XC_RT_DELTA_MAX * XC_NODE_ADDRS)

struct xc_rt_delta {
	uint64_t base;             /* the table's changes count when it started */
	uint64_t notes;            /* changes noted since */
	int whole;                 /* 1: one asks for a whole computation */
	size_t n, ngone, nmoved;
	char name[XC_RT_DELTA_MAX][XC_NODE_NAME_MAX + 1];  /* the nodes changed */
	uint8_t ncidr[XC_RT_DELTA_MAX];   /* name[i]'s pod CIDRs at the start (0 too: it was not there) */
	struct xc_prefix cidr[XC_RT_DELTA_MAX][XC_NODE_CIDRS];
	uintptr_t gone[XC_RT_DELTA_MAX];  /* their records replaced or removed (entries name them) */
	struct xc_ip moved[XC_RT_DELTA_ADDRS];  /* addresses they gained or lost */
};

/* Start following from the table's changes count base (nothing noted). */
void xc_rt_delta_reset(struct xc_rt_delta *d, uint64_t base);

/* Note one change as the table's notify hears it (before NULL: added; after NULL: removed). */
void xc_rt_delta_note(struct xc_rt_delta *d, const struct xc_node *before,
		      const struct xc_node_rec *after);

/*
 * Bring out, xc_rt_compute's result for t as it was when d started (no
 * nexthop objects; its routes may still name the ones they had), and st
 * with it, up to date with the changes d noted, computing only the
 * changed nodes' entries: the same result and stats as xc_rt_compute
 * would give (st->nexthops aside: left as it was), and skip hears of the
 * changed nodes' CIDRs and this node's refused ones (not of other
 * nodes'). That holds while every verdict that depends on other nodes
 * stays, so one walk over t checks that no CIDR of the changed nodes (now
 * or at the start) or of this node overlaps another (their own
 * included), that no address they gained or lost lies in such a CIDR,
 * and that no FDB entry of theirs that goes had an endpoint an unchanged
 * node has; and no new entry's key may be an unchanged node's entry's
 * already. conf and env (its arrays included: env->ll is read in place)
 * must be those of the computation, with no address map. Returns 0 when
 * done; 1 when the changes need a whole computation, or -ENOMEM: out and
 * st are then as they were and skip heard nothing. An entry that goes
 * while the kernel holds it (XC_RT_F_HAVE) is copied into have (NULL:
 * nothing is copied). O(nodes) without sorting out (have, which holds
 * only what differs, is sorted again when entries are copied into it).
 */
int xc_rt_update(const struct xc_rt_conf *conf, const struct xc_rt_env *env,
		 const struct xc_nodetab *t, const struct xc_rt_delta *d, struct xc_rt_set *out,
		 struct xc_rt_set *have, struct xc_rt_stats *st, xc_rt_skip_cb skip, void *arg);

/* ---- diffing --------------------------------------------------------- */

enum xc_rt_op { XC_RT_ADD = 1, XC_RT_REPLACE, XC_RT_DEL };

/*
 * Called for each difference between what is wanted (want's entries, then
 * nh's nexthop objects: NULL, none) and have: ADD (w, h NULL), REPLACE (w
 * and the different h), DEL (h, w NULL). w is one of want's entries, or
 * for a nexthop object its entry made for the call. A wanted key held by
 * a foreign route (h flagged XC_RT_F_FOREIGN), foreign entries that
 * nobody wants and wanted entries the kernel holds (XC_RT_F_HAVE) produce
 * nothing. A non-zero return stops the walk and is returned.
 */
typedef int (*xc_rt_diff_cb)(void *arg, enum xc_rt_op op, const struct xc_rt_entry *w,
			     const struct xc_rt_entry *h);

int xc_rt_diff(const struct xc_rt_set *want, const struct xc_rt_nhset *nh,
	       const struct xc_rt_set *have, xc_rt_diff_cb cb, void *arg);

/* One change to send: what xc_rt_diff reported. */
struct xc_rt_change {
	enum xc_rt_op op;
	const struct xc_rt_entry *e;
};

/*
 * One change of a pass, as the engine keeps it: the index of what it
 * makes in what the router wants (want's entries, then the nexthop
 * objects: an addition, a replace; they do not change while a pass
 * applies it) or, for a removal, in the engine's copies of have's (have
 * does). 4 bytes, so that a first sync's diff (every entry) costs 0.8 MB
 * at 65,000 nodes, not a copy of the set.
 */
#define XC_RT_OPS_MAX (1u << 28)   /* entries a diff may name */
struct xc_rt_op_ent {
	uint32_t at : 28;          /* want.v[at] or nh.v[at - want.n]; gone.v[at] for XC_RT_DEL */
	uint32_t op : 2;           /* enum xc_rt_op */
	uint32_t done : 2;         /* private: made (1), or as a removal and an addition (2) */
};

/* ---- the kernel ------------------------------------------------------ */

/*
 * Read what the kernel holds: our routes of both families in our table,
 * and with a VXLAN device (env->dev[VXLAN] existing) its permanent
 * neighbour and FDB entries, and its nexthop objects. An entry want has
 * as it is (a nexthop object: nh has) is flagged XC_RT_F_HAVE there; the
 * rest go into have (emptied first, as the flags are). Routes and nexthop
 * objects of other protocols are recorded (flagged XC_RT_F_FOREIGN) only
 * when want has their key (nh their id), so that they are left alone
 * (beside ours on one key, theirs counts). -EINTR: a
 * concurrent change made the dump inconsistent; read again. On failure
 * have is empty and nothing flagged.
 */
int xc_rt_read(struct xc_nl *nl, const struct xc_rt_conf *conf, const struct xc_rt_env *env,
	       struct xc_rt_set *want, struct xc_rt_nhset *nh, struct xc_rt_set *have);

/*
 * Turn a kernel route (a dump answer or a monitor event) into an entry.
 * Returns 1 if it is ours (our protocol, our table), 0 if it is another
 * protocol's in our table (e is filled and flagged XC_RT_F_FOREIGN), or
 * -ENOENT when it is in another table or is not a unicast route.
 */
int xc_rt_from_route(const struct xc_rt_conf *conf, const struct xc_rt_env *env,
		     const struct xc_route *r, struct xc_rt_entry *e);

/* What a kernel route event meant for the set of what the kernel holds. */
enum xc_rt_event {
	XC_RT_EV_NONE = 0,         /* nothing of ours, or our own change echoed */
	XC_RT_EV_LOST,             /* a wanted route of ours was removed: sync */
	XC_RT_EV_TAKEN,            /* another protocol's route replaced one of ours */
	XC_RT_EV_UNSURE,           /* no memory to record it: read the kernel (full sync) */
};

/*
 * Keep what the kernel holds (have and want's XC_RT_F_HAVE) in step with
 * a route event (RTM_NEWROUTE, RTM_DELROUTE): our routes are added (as
 * want's flag when it has them as they are) or removed; another
 * protocol's route is recorded (flagged foreign) when it takes a key the
 * kernel held for us, and forgotten when it goes. want tells whether a
 * removal matters; the removal of a route of ours other than the one the
 * kernel holds for us on that key is an old one's (NONE). e receives the
 * entry.
 */
enum xc_rt_event xc_rt_event(struct xc_rt_set *have, struct xc_rt_set *want,
			     const struct xc_rt_conf *conf, const struct xc_rt_env *env,
			     uint16_t type, const struct xc_route *r, struct xc_rt_entry *e);

/*
 * The same for a nexthop object event: one that the kernel held for us
 * (want's, flagged in the table) or that have holds was removed (RTM_DELNEXTHOP) by
 * someone else, and with it, silently (the kernel sends no route event
 * then), every route naming it: LOST, and the caller must read the kernel
 * again (a full sync). That goes for another protocol's object too (have
 * holds one only where we want its id): a route of ours may have come to
 * name it in a race with its owner. Our own removals are out of have by
 * the time their echo comes; other events: NONE.
 */
enum xc_rt_event xc_rt_nexthop_event(struct xc_rt_set *have, struct xc_rt_nhset *want,
				     uint16_t type, const struct xc_nexthop *nh);

/*
 * Build the netlink request for op on e into buf (cap bytes, 4-byte
 * aligned). ADD is exclusive (never overwrites a route someone else just
 * added), REPLACE overwrites ours, DEL names our protocol so that it can
 * only remove ours. Returns 0 with m ready for xc_nl_request.
 */
int xc_rt_msg(const struct xc_rt_conf *conf, const struct xc_rt_env *env, enum xc_rt_op op,
	      const struct xc_rt_entry *e, struct xc_nl_msg *m, void *buf, size_t cap);

/* Send op on e and wait for the kernel's answer (text in xc_nl_errmsg). */
int xc_rt_apply(struct xc_nl *nl, const struct xc_rt_conf *conf, const struct xc_rt_env *env,
		enum xc_rt_op op, const struct xc_rt_entry *e);

/* ---- the engine: one sync ------------------------------------------- */

#define XC_RT_SYNC_FULL 1u     /* re-read the kernel before the diff */
#define XC_RT_SYNC_DRY  2u     /* report the changes, make none */

/*
 * Told of each change: err 0 when made (or, dry, when it would be);
 * -EEXIST for a route another protocol's route holds (left alone, and
 * recorded so that it is not tried again); another error when the kernel
 * refused it (its text in xc_nl_errmsg()).
 */
typedef void (*xc_rt_report_cb)(void *arg, enum xc_rt_op op, const struct xc_rt_entry *e,
				int err);

/*
 * What the router wants (want, and the nexthop objects its routes name:
 * nh), what the kernel holds (want's entries and nh's objects flagged
 * XC_RT_F_HAVE, and have: what differs from them, foreign entries), and
 * counters. Zero it to start.
 */
struct xc_rt_engine {
	struct xc_rt_set want, have;
	struct xc_rt_nhset nh;
	struct xc_rt_stats cs;          /* of the last computation */
	size_t changes, failed;         /* of the last sync */
	unsigned long adds, replaces, dels, errors, syncs, full_syncs;
	int nh_on;                      /* the last sync's routes used nexthop objects */
	unsigned long updates;          /* syncs that recomputed only the changed nodes */
	struct xc_rt_delta delta;       /* private: changes since want's computation */
	int reread;                     /* private: a pass failed midway: the next reads the kernel */
	int base_ok;                    /* private: want stands for base_t under these: */
	const struct xc_nodetab *base_t;
	struct xc_rt_conf base_conf;
	struct xc_rt_env base_env;
	struct xc_rt_op_ent *ops;       /* private: the diff being applied, in key order */
	size_t nops, opscap;
	int span;                       /* private: or, when it adds every wanted entry, none */
	struct xc_rt_set gone;          /* private: the copies its removals name (unsorted) */
	/*
	 * Called between the batches of a pass (NULL: not called). The kernel
	 * announces every change the pass makes; a first sync's (15,000 at
	 * 5,000 nodes) overflow a monitor socket not read meanwhile, and the
	 * loss costs a second, full sync. The router reads its events here,
	 * asking xc_rt_pass_quiet which of them need nothing.
	 */
	void (*between)(void *arg);
	void *between_arg;
};

/*
 * One pass: compute the wanted state for t (NULL: nothing wanted, which
 * removes everything of ours; only the nodes changed since the last pass
 * when xc_rt_engine_node heard of them all and xc_rt_update can) in the
 * form xc_rt_nexthops_wanted picks
 * (the engine remembers it), with XC_RT_SYNC_FULL re-read the kernel
 * (have) first, diff, and apply in batches (xc_rt_apply_batch): removals
 * first (routes before the neighbour and FDB entries they use), then
 * additions in the opposite order, then the nexthop objects no route
 * names any more. A route replace the kernel refuses
 * with EINVAL while the device or the next hop's family changes (an IPv6
 * onlink next hop is checked against the route it replaces) is made as a
 * removal and an addition, reported as such; if the addition fails, the
 * old route is put back. have follows every change made. Returns the
 * number of changes that failed, or a negative errno when none could be
 * tried (-ENOMEM, a kernel read that failed).
 */
int xc_rt_sync(struct xc_rt_engine *g, struct xc_nl *nl, const struct xc_rt_conf *conf,
	       const struct xc_rt_env *env, const struct xc_nodetab *t, unsigned flags,
	       xc_rt_skip_cb skip, xc_rt_report_cb report, void *arg);

/* Release the engine's memory. */
void xc_rt_engine_free(struct xc_rt_engine *g);

/*
 * For a route event read while a pass applies its changes (from
 * g->between, where want and the pass's changes hold still and have
 * lags): 1 when it needs nothing, being the kernel's announcement of one
 * of the pass's own changes made by now (our protocol; a new route with
 * the values an addition or replacement of its key sent, the removal of a
 * key the pass removed, or replaced as a removal and an addition), a new
 * route of ours as the engine knows the kernel holds it (the kernel
 * announces the routes of a nexthop object replaced), or a route of
 * another protocol on a key the engine neither wants nor holds, or of
 * another table; 0 when it may matter (our route changed by someone
 * else, a key we want taken): the caller syncs again, full, after the
 * pass.
 */
int xc_rt_pass_quiet(const struct xc_rt_engine *g, const struct xc_rt_conf *conf,
		     const struct xc_rt_env *env, uint16_t type, const struct xc_route *r);

/*
 * The same for a nexthop object event: a new object is quiet (as for
 * xc_rt_nexthop_event), and so is the removal of an id the pass removes,
 * or one that neither the pass, nor have, nor the nexthop table's flag
 * (the kernel held it for us) names.
 */
int xc_rt_pass_quiet_nh(const struct xc_rt_engine *g, uint16_t type,
			const struct xc_nexthop *nh);

/*
 * Tell the engine of a change of the table it syncs (call it from the
 * table's notify): the next sync, unless full, then recomputes only the
 * nodes changed where it can (xc_rt_update). An engine told nothing, or
 * whose table changed without telling it, computes everything.
 */
void xc_rt_engine_node(struct xc_rt_engine *g, const struct xc_node *before,
		       const struct xc_node_rec *after);

/* What the metrics page says besides the engine's own counters. */
struct xc_rt_metrics_in {
	const char *mode, *source, *node, *version;
	size_t nodes, skipped;
	unsigned long source_errors;
	int source_ok;
	double last_sync;          /* realtime seconds */
	unsigned pod_mtu;
};

/*
 * The Prometheus text exposition of a router (xcluster_router_*: nodes,
 * peers, routes wanted/installed/blocked, syncs, changes by op, errors,
 * source state, last sync time, pod MTU) into buf. Returns the length
 * (cut to size - 1 if short; buf stays NUL-terminated).
 */
size_t xc_rt_metrics(const struct xc_rt_engine *g, const struct xc_rt_metrics_in *in,
		     char *buf, size_t size);

/*
 * Send several changes in one datagram and collect every answer: ch[0..n),
 * at most XC_RT_BATCH of them, each as xc_rt_apply would send it. Each status
 * goes to rc[k] (0 or the kernel's negative errno; for a failure its text,
 * if any, in errs[k], XC_NL_ERRMSG_MAX bytes each; errs may be NULL).
 * Returns how many were handled (at least 1 when n > 0), or a negative
 * errno when nothing was sent. Answers lost (the receive queue overflowed:
 * ENOBUFS; or another socket error while they are read) give the changes
 * not answered that status, and *unsure is set to 1: the kernel got them
 * and may have made them (else *unsure is left alone). It never waits: the
 * kernel has answered by the time sendto returns. Much cheaper than one
 * request per change when thousands are due (a first sync); the batch is
 * small enough for the answers to fit a default socket receive queue.
 */
#define XC_RT_BATCH 64
int xc_rt_apply_batch(struct xc_nl *nl, const struct xc_rt_conf *conf,
		      const struct xc_rt_env *env, const struct xc_rt_change *ch, size_t n,
		      int *rc, char (*errs)[XC_NL_ERRMSG_MAX], int *unsure);

/*
 * The same change as an iproute2 command line into buf ("ip -6 route
 * replace fd00:0:1::/64 via ::198.18.0.2 dev sit0 onlink proto 202",
 * "ip neigh replace ... nud permanent", "bridge fdb replace ... self
 * permanent"). Returns the length or -ENOSPC.
 */
int xc_rt_format(const struct xc_rt_conf *conf, const struct xc_rt_env *env, enum xc_rt_op op,
		 const struct xc_rt_entry *e, char *buf, size_t size);

/*
 * A short description of e for log lines ("fd00:0:2::/64 via ::198.18.0.2
 * dev sit0 onlink"). Returns buf.
 */
const char *xc_rt_describe(const struct xc_rt_env *env, const struct xc_rt_entry *e,
			   char *buf, size_t size);

#endif
