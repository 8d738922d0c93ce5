/*
 * masq: what one node event costs the router's masquerade (core/router/
 * masq), at a given cluster size, against the kernel's nf_tables.
 *
 *   masq NODES EVENTS [CLUSTER_CIDR,...]
 *
 * Fills a node table with NODES dual-stack nodes (node i: an IPv4 /31 and
 * an IPv6 /64 of its own; the IPv4 ones adjacent, so that they merge into
 * few intervals as a cluster's consecutive allocations do, the IPv6 ones
 * apart, one interval each), syncs the table once (the first sync: table,
 * sets, chain, every element), then makes EVENTS node events, alternately
 * removing a random node and adding it back, each followed by the pass a
 * node event causes in the router (xc_masq_sync, not full). Prints the
 * first sync's time, then each event's time (microseconds) and the number
 * of element changes it sent: "event US CHANGES". Writes only its own
 * table, inet xcluster-cni-250; run it in a network namespace of its own
 * (bench/router/masq.sh does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "kernel/nft.h"
#include "router/masq.h"
#include "router/nodetab.h"

static uint32_t nlbuf[(64 << 10) / 4];

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* Node i: 198.18.0.0/15 split in /31s, fd00:<i>:: /64s two apart. */
static void node_rec(unsigned i, struct xc_node_rec *r)
{
	char s[64];

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "node-%05u", i);
	r->created = 1700000000 + i;
	snprintf(s, sizeof(s), "198.%u.%u.%u/31", 18 + (i >> 15), (i >> 7) & 0xff, (i << 1) & 0xff);
	xc_prefix_parse(s, &r->cidr[0]);
	snprintf(s, sizeof(s), "fd00:%x:%x::/64", i >> 15, (i & 0x7fff) << 1);
	xc_prefix_parse(s, &r->cidr[1]);
	r->ncidr = 2;
}

/* As the router does: every node change told to the masquerade. */
static struct xc_masq *notify_q;
static const struct xc_masq_conf *notify_c;

static void on_node(void *arg, const struct xc_node *before, const struct xc_node_rec *after)
{
	(void)arg;
	xc_masq_node(notify_q, notify_c, before, after);
}

static int sync_once(struct xc_masq *q, struct xc_nl *nl, const struct xc_masq_conf *c,
		     const struct xc_nodetab *t, int full, double *us)
{
	double t0 = now_us();
	int rc = xc_masq_sync(q, nl, c, t, full, 0, NULL, NULL);

	*us = now_us() - t0;
	if (rc < 0)
		fprintf(stderr, "masq: sync: %s %s\n", strerror(-rc), xc_nl_errmsg(nl));
	return rc;
}

int main(int argc, char **argv)
{
	struct xc_masq_conf c = { .on = 1 };
	struct xc_masq q = { .buf = NULL };
	struct xc_nodetab t;
	struct xc_node_rec r;
	struct xc_nl nl;
	unsigned n, events;
	double us;
	int rc;

	if (argc < 3 || (n = (unsigned)atoi(argv[1])) < 2 || n > 65536) {
		fprintf(stderr, "usage: masq NODES(2-65536) EVENTS [CLUSTER_CIDR,...]\n");
		return 2;
	}
	events = (unsigned)atoi(argv[2]);
	xc_masq_table_name(250, c.table);
	q.table = c.table;
	if (argc > 3) {
		char why[128];

		rc = xc_masq_parse_cidrs(argv[3], c.cluster, XC_MASQ_CIDRS, why, sizeof(why));
		if (rc < 0) {
			fprintf(stderr, "masq: %s\n", why);
			return 2;
		}
		c.ncluster = (uint8_t)rc;
	}
	if ((rc = xc_nft_open(&nl, nlbuf, sizeof(nlbuf))) < 0) {
		fprintf(stderr, "masq: nf_tables: %s\n", strerror(-rc));
		return 1;
	}
	xc_nodetab_init(&t);
	notify_q = &q;
	notify_c = &c;
	t.notify = on_node;
	for (unsigned i = 0; i < n; i++) {
		node_rec(i, &r);
		if (xc_nodetab_set(&t, &r) < 0)
			return 1;
	}
	if (sync_once(&q, &nl, &c, &t, 1, &us) < 0)
		return 1;
	printf("first %.0f\n", us);
	srand(1);
	for (unsigned e = 0; e < events; e++) {
		unsigned i = (unsigned)rand() % n;

		node_rec(i, &r);
		if (xc_nodetab_del(&t, r.name) < 0)
			return 1;
		if ((rc = sync_once(&q, &nl, &c, &t, 0, &us)) < 0)
			return 1;
		printf("event %.0f %d\n", us, rc);
		if (xc_nodetab_set(&t, &r) < 0 || (rc = sync_once(&q, &nl, &c, &t, 0, &us)) < 0)
			return 1;
		printf("event %.0f %d\n", us, rc);
	}
	c.on = 0;
	xc_masq_sync(&q, &nl, &c, NULL, 0, 0, NULL, NULL);   /* our table away */
	xc_masq_free(&q);
	xc_nodetab_free(&t);
	xc_nl_close(&nl);
	return 0;
}
