/*
 * masq: egress masquerade. A pod's traffic to a destination outside every
 * pod CIDR of the cluster (and outside NO_MASQUERADE_CIDRS) leaves with
 * the node's address; pod to pod, on the node or across nodes, keeps the
 * pod's source.
 *
 * What is ours: the nf_tables table `inet xcluster-cni`, nothing else; a
 * router with another PROTOCOL (a second network's) owns
 * `inet xcluster-cni-PROTOCOL` instead, so that two never touch each
 * other's table.
 * It holds four interval sets and one nat chain:
 *
 *   pod4, pod6        every Node's pod CIDRs and CLUSTER_CIDR
 *   nomasq4, nomasq6  NO_MASQUERADE_CIDRS
 *   chain postrouting { type nat hook postrouting priority srcnat; ...
 *     ip saddr @pod4 ip daddr != @pod4 ip daddr != @nomasq4 masquerade
 *     ip6 saddr @pod6 ip6 daddr != @pod6 ip6 daddr != @nomasq6 masquerade }
 *
 * The rules name no interface (a node's uplink, VXLAN device or tunnel
 * are all the same to them): a destination in the cluster's pod CIDRs is
 * never masqueraded whatever the route, anything else from a pod always
 * is, as ip-masq-agent and kindnet do. Only the sets follow the Nodes:
 * a node event is element removals and additions in one batch, never a
 * rebuild. Sets hold merged intervals (the kernel refuses overlapping
 * ones, and a node's CIDR usually lies inside CLUSTER_CIDR).
 *
 * masq.c is pure (wanted intervals, diffs, text); masq_nl.c reads and
 * writes the kernel (kernel/nft.h).
 *
 * Names: xc_iv_ xc_ivset_ xc_masq_
 */
#ifndef XC_MASQ_H
#define XC_MASQ_H

#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"
#include "kernel/nft.h"
#include "router/nodetab.h"

#define XC_MASQ_TABLE "xcluster-cni"
#define XC_MASQ_CHAIN "postrouting"
#define XC_MASQ_CIDRS 16        /* CLUSTER_CIDR and NO_MASQUERADE_CIDRS, each */

enum { XC_MASQ_POD4, XC_MASQ_POD6, XC_MASQ_NOMASQ4, XC_MASQ_NOMASQ6, XC_MASQ_NSETS };

extern const char *const xc_masq_set_name[XC_MASQ_NSETS];

/* Longest table name: XC_MASQ_TABLE "-255". */
#define XC_MASQ_TABLE_MAX 24

struct xc_masq_conf {
	int on;                                  /* MASQUERADE */
	char table[XC_MASQ_TABLE_MAX];           /* ours (xc_masq_table_name) */
	uint8_t ncluster, nextra;
	struct xc_prefix cluster[XC_MASQ_CIDRS]; /* CLUSTER_CIDR */
	struct xc_prefix extra[XC_MASQ_CIDRS];   /* NO_MASQUERADE_CIDRS */
};

/* An interval [lo, hi] of addresses (4 or 16 bytes, by the set's family). */
struct xc_iv {
	uint8_t lo[16], hi[16];
};

/* Sorted, disjoint, non-adjacent intervals; the array grows and stays. */
struct xc_ivset {
	struct xc_iv *v;
	size_t n, cap;
};

/* Told of each change; line is the nft command that makes it. */
typedef void (*xc_masq_say)(void *arg, const char *line);

struct xc_masq {
	struct xc_ivset want[XC_MASQ_NSETS], have[XC_MASQ_NSETS];
	int have_ok;                 /* the table is in place and have mirrors it */
	int changed;                 /* a node's CIDR outside CLUSTER_CIDR came or went */
	int on;                      /* masquerade is in place now */
	unsigned long errors, changes;
	uint8_t *buf;                /* the batch buffer: grown to what a pass sends */
	size_t cap;
	const char *table;           /* our table's name (the conf's), set by the caller */
};

/*
 * The table a router of this route protocol owns: XC_MASQ_TABLE for the
 * default protocol (202), else XC_MASQ_TABLE-PROTOCOL, into buf.
 */
void xc_masq_table_name(unsigned protocol, char buf[XC_MASQ_TABLE_MAX]);

/*
 * Parse a comma-separated list of CIDRs (blanks allowed) into p[0..max).
 * Returns the count, or -EINVAL naming the bad item in err.
 */
int xc_masq_parse_cidrs(const char *s, struct xc_prefix *p, int max, char *err, size_t errlen);

/* Key length of a set: 4 or 16. */
size_t xc_masq_keylen(int set);

/* Add the interval of a prefix to s (unsorted until xc_ivset_normalize). */
int xc_ivset_add(struct xc_ivset *s, const struct xc_prefix *p);
/* k + 1 in place (len bytes, big-endian); 1 when it wrapped past the last key. */
int xc_iv_key_inc(uint8_t *k, size_t len);
/* Sort and merge overlapping and adjacent intervals (keys of len bytes); -ENOMEM. */
int xc_ivset_normalize(struct xc_ivset *s, size_t len);
void xc_ivset_free(struct xc_ivset *s);

/* Free what q holds (its sets and batch buffer); q is empty and usable again. */
void xc_masq_free(struct xc_masq *q);

/*
 * Told of a node change (as the node table's notify hook is): a CIDR
 * inside CLUSTER_CIDR changes no set, since the cluster's ranges are in
 * them already; any other marks q changed, for the next xc_masq_sync.
 */
void xc_masq_node(struct xc_masq *q, const struct xc_masq_conf *c,
		  const struct xc_node *before, const struct xc_node_rec *after);

/* The wanted intervals of every set from the node table and c. -ENOMEM. */
int xc_masq_want(struct xc_masq *q, const struct xc_masq_conf *c, const struct xc_nodetab *t);

/*
 * The intervals of a in sorted order that b lacks, each passed to cb;
 * returns how many.
 */
size_t xc_ivset_minus(const struct xc_ivset *a, const struct xc_ivset *b, size_t len,
		      void (*cb)(void *arg, const struct xc_iv *iv), void *arg);

/* An interval as nft prints it: "198.18.0.0/16", "198.18.0.1", "a-b". */
char *xc_iv_format(const struct xc_iv *iv, size_t len, char *buf, size_t size);

/*
 * Put the table, sets, chain and rules (no elements) into a batch; the
 * rules alone with rules_only (to compare with what the kernel has).
 */
void xc_masq_ruleset(struct xc_nft_batch *b, const char *table, int rules_only);

/*
 * One pass (masq_nl.c): with c->on, make the table say what the nodes and
 * c want. full (or a previous failure) reads the kernel's table first and
 * adopts it when it matches, rebuilding it in one batch when it does not;
 * otherwise only the sets' differences from the last pass are sent, and
 * nothing is computed when no node change since the last pass reached
 * beyond CLUSTER_CIDR (xc_masq_node).
 * Without c->on (or with cleanup), our table is removed if it is there.
 * With dry, the changes go to say as nft commands and nothing is changed.
 * Returns the number of changes, or a negative errno (the kernel's text
 * in xc_nl_errmsg(nl)); q->errors counts failures.
 */
int xc_masq_sync(struct xc_masq *q, struct xc_nl *nl, const struct xc_masq_conf *c,
		 const struct xc_nodetab *t, int full, int dry, xc_masq_say say, void *arg);

/*
 * Prometheus text for q: masquerade on/off, intervals per set, nf_tables
 * failures. Returns the length written (cut at size).
 */
size_t xc_masq_metrics(const struct xc_masq *q, char *buf, size_t size);

#endif
