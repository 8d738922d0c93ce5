/*
 * test_routes_delta: a sync that recomputes only the changed nodes
 * (xc_rt_update through the engine) against a whole computation of the
 * same table, over random changes: the wanted entries, the counters and
 * the reports must be the same, in every mode, with and without nexthop
 * objects. Changes that reach other nodes' verdicts (an address moved
 * into a pod CIDR, this node changed) must take the whole computation; a
 * node added or removed, its CIDRs changed or another node's address
 * taken goes by an update unless the walk finds it reaches others.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "t.h"
#include "router/nodetab.h"
#include "router/routes.h"

#define NODES 160
#define REPORTS 2048

static struct xc_nodetab tab;
static struct xc_rt_engine eng;
static struct xc_rt_env env;
static unsigned fresh = 1000;   /* the next unused address */

static struct {
	char line[REPORTS][160];
	size_t n;
} said[2];                      /* [0]: the engine's sync, [1]: the whole computation */
static int saying;

static void on_skip(void *arg, const struct xc_node *n, const struct xc_prefix *cidr,
		    enum xc_rt_skip why, const char *reason)
{
	char c[XC_IP_STRLEN];

	(void)arg;
	xc_prefix_format(cidr, c, sizeof(c));
	if (said[saying].n < REPORTS)
		snprintf(said[saying].line[said[saying].n++], sizeof(said[0].line[0]), "%s %s %d %s",
			 n->name, c, (int)why, reason ? reason : "-");
}

static void on_change(void *arg, const struct xc_node *before, const struct xc_node_rec *after)
{
	(void)arg;
	xc_rt_engine_node(&eng, before, after);
}

static void v4(struct xc_ip *ip, unsigned a, unsigned b, unsigned c, unsigned d)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = AF_INET;
	ip->a[0] = (uint8_t)a, ip->a[1] = (uint8_t)b, ip->a[2] = (uint8_t)c, ip->a[3] = (uint8_t)d;
}

/* fd00:HI:LO::LAST */
static void v6(struct xc_ip *ip, unsigned hi, unsigned lo, unsigned last)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = AF_INET6;
	ip->a[0] = 0xfd;
	ip->a[3] = (uint8_t)hi;
	ip->a[4] = (uint8_t)(lo >> 8);
	ip->a[5] = (uint8_t)lo;
	ip->a[15] = (uint8_t)last;
}

/* Node i as first made: most ordinary, some refused, overlapping or address-less. */
static void make(struct xc_node_rec *r, int i)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "n%03d", i);
	r->created = 1000 + i % 50;
	if (i % 43 != 3) {
		r->cidr[r->ncidr].len = 16;
		v4(&r->cidr[r->ncidr++].ip, 10, (unsigned)i, 0, 0);
		if (i % 37 == 5)        /* loopback: refused */
			v4(&r->cidr[r->ncidr - 1].ip, 127, (unsigned)i, 0, 0);
		if (i % 41 == 7)        /* inside the previous node's: a contest */
			r->cidr[r->ncidr - 1].ip.a[1]--, r->cidr[r->ncidr - 1].len = 17,
			r->cidr[r->ncidr - 1].ip.a[2] = 128;
	}
	if (i == 1) {                   /* this node: a CIDR the peers refuse */
		r->cidr[r->ncidr].len = 24;
		v4(&r->cidr[r->ncidr++].ip, 169, 254, 1, 0);
	}
	if (i % 47 == 11) {             /* inside its own first one: it loses to it */
		r->cidr[r->ncidr].len = 24;
		v4(&r->cidr[r->ncidr++].ip, 10, (unsigned)i, 1, 0);
	}
	if (i % 3) {
		r->cidr[r->ncidr].len = 64;
		v6(&r->cidr[r->ncidr++].ip, 0x20, (unsigned)i, 0);
	}
	if (i % 29 != 4) {
		r->addr[r->naddr].kind = XC_NODE_ADDR_INTERNAL;
		v4(&r->addr[r->naddr++].ip, 198, 18, (unsigned)(i / 200 + 1), (unsigned)(i % 200 + 2));
	}
	if (r->naddr && (i % 13 == 6 || i % 17 == 8)) {
		/* The next node's VXLAN endpoint too (the FDB entry is ours: first by
		 * name), or the one before's (its entry stands); our own, second. */
		int j = i % 13 == 6 ? i + 1 : i - 1;

		r->addr[r->naddr].kind = XC_NODE_ADDR_INTERNAL;
		r->addr[r->naddr - 1].kind = XC_NODE_ADDR_EXTERNAL;
		v4(&r->addr[r->naddr++].ip, 198, 18, (unsigned)(j / 200 + 1), (unsigned)(j % 200 + 2));
	}
	if (i % 31 == 9) {              /* an address in the next node's CIDR: it is refused */
		r->addr[r->naddr].kind = XC_NODE_ADDR_INTERNAL;
		v4(&r->addr[r->naddr++].ip, 10, (unsigned)i + 1, 0, 9);
	}
	if (i % 2) {
		r->addr[r->naddr].kind = XC_NODE_ADDR_INTERNAL;
		v6(&r->addr[r->naddr++].ip, 0x19, (unsigned)i, 1);
	}
}

static void host(void)
{
	memset(&env, 0, sizeof(env));
	env.ndev = XC_RT_DEV_LINK0 + 1;
	strcpy(env.dev[XC_RT_DEV_SIT].name, "sit0");
	env.dev[XC_RT_DEV_SIT].ifindex = 10;
	strcpy(env.dev[XC_RT_DEV_TUNL].name, "tunl0");
	env.dev[XC_RT_DEV_TUNL].ifindex = 11;
	strcpy(env.dev[XC_RT_DEV_VXLAN].name, "xcvx0");
	env.dev[XC_RT_DEV_VXLAN].ifindex = 12;
	strcpy(env.dev[XC_RT_DEV_LINK0].name, "eth0");
	env.dev[XC_RT_DEV_LINK0].ifindex = 2;
	env.conn[0].net.len = 24;
	v4(&env.conn[0].net.ip, 198, 18, 1, 0);
	env.conn[0].dev = XC_RT_DEV_LINK0;
	env.nconn = 1;
	env.underlay = XC_RT_DEV_LINK0;
	v4(&env.self4, 198, 18, 1, 3);  /* n001's */
	env.vx_family = AF_INET;
	env.tunnel = XC_RT_VXLAN;
	env.nexthops = 1;
}

/* One random change; returns 1 when it must take the whole computation. */
static int change(void)
{
	struct xc_node_rec r;
	int i = 2 + rand() % (NODES - 2), dice = rand() % 100;
	const struct xc_node *n = xc_nodetab_find(&tab, (snprintf(r.name, sizeof(r.name), "n%03d", i),
							r.name));

	if (!n) {                       /* deleted earlier: back */
		make(&r, i);
		xc_nodetab_set(&tab, &r);
		return 0;
	}
	xc_node_unpack(n, &r);
	if (dice < 15 && r.naddr > 1) { /* another address preferred: the same set */
		uint8_t k = r.addr[0].kind;

		r.addr[0].kind = r.addr[1].kind;
		r.addr[1].kind = k;
		xc_nodetab_set(&tab, &r);
		return 0;
	}
	if (dice < 70 || !r.naddr) {    /* a new address, or a first one */
		if (!r.naddr)
			r.naddr = 1, r.addr[0].kind = XC_NODE_ADDR_INTERNAL;
		fresh++;
		if (r.addr[0].ip.family == AF_INET6)
			v6(&r.addr[0].ip, 0x19, 0x8000 + fresh, 1);
		else
			v4(&r.addr[0].ip, 198, 18, 100 + fresh / 250 % 100, 1 + fresh % 250);
		xc_nodetab_set(&tab, &r);
		return 0;
	}
	if (dice < 78) {                /* one address fewer */
		r.naddr--;
		xc_nodetab_set(&tab, &r);
		return 0;
	}
	if (dice < 84) {                /* an address into a node's pod CIDR */
		struct xc_prefix p;
		const struct xc_node *m;

		do
			m = tab.v[rand() % tab.n];
		while (!m->ncidr);
		xc_node_cidr_at(m, 0, &p);
		r.addr[0].ip = p.ip;
		r.addr[0].ip.a[p.ip.family == AF_INET ? 3 : 15] = 7;
	} else if (dice < 89) {         /* another node's address */
		const struct xc_node *m;

		do
			m = tab.v[rand() % tab.n];
		while (m == n || !m->naddr);
		xc_node_addr_at(m, 0, &r.addr[0].ip);
		xc_nodetab_set(&tab, &r);
		return 0;      /* a shared VXLAN endpoint it uses: the new keys' check */
	} else if (dice < 93 && r.ncidr) {      /* a CIDR changed: wider overlaps others */
		r.cidr[0].len = (uint8_t)(r.cidr[0].len ^ (r.cidr[0].ip.family == AF_INET ? 4 : 16));
		xc_nodetab_set(&tab, &r);
		return 0;
	} else if (dice < 96) {
		xc_nodetab_del(&tab, r.name);
		return 0;
	} else {                        /* this node changed */
		snprintf(r.name, sizeof(r.name), "n001");
		make(&r, 1);
		fresh++;
		v4(&r.addr[0].ip, 198, 18, 200, 1 + fresh % 250);
	}
	return xc_nodetab_set(&tab, &r) > 0;    /* an address may have been there already */
}

static int same_entry(const struct xc_rt_entry *a, const struct xc_rt_entry *b)
{
	return a->kind == b->kind && a->family == b->family && a->len == b->len &&
	       a->gw_family == b->gw_family && a->dev == b->dev && a->flags == b->flags &&
	       !memcmp(a->mac, b->mac, 6) && a->oif == b->oif && a->metric == b->metric &&
	       !memcmp(a->dst, b->dst, 16) && !memcmp(a->gw, b->gw, 16) && a->nhid == b->nhid &&
	       a->node == b->node;
}

static int said_too(size_t who, const char *line)
{
	for (size_t i = 0; i < said[who].n; i++)
		if (!strcmp(said[who].line[i], line))
			return 1;
	return 0;
}

/* The engine's state against a whole computation of the table as it is now. */
static void check(const struct xc_rt_conf *conf, int round)
{
	struct xc_rt_set ref = { 0 };
	struct xc_rt_nhset nhs = { 0 };
	struct xc_rt_stats st;
	size_t bad = 0;
	int ok_reports = 1;

	saying = 1;
	said[1].n = 0;
	T_INT(xc_rt_compute(conf, &env, &tab, &ref, &st, on_skip, NULL), 0);
	st.nexthops = 0;
	if (eng.nh_on)
		st.nexthops = (size_t)xc_rt_nexthops(&ref, &nhs);
	for (size_t i = 0; i < ref.n; i++)
		ref.v[i].nhid = xc_rt_nhid(&nhs, &ref.v[i]);
	T_INT(eng.want.n, ref.n);
	for (size_t i = 0; i < ref.n && i < eng.want.n; i++)
		bad += !same_entry(&eng.want.v[i], &ref.v[i]);
	/* the FDB entries the routes carry, in the same order */
	T_INT(eng.want.nfdb, ref.nfdb);
	for (size_t i = 0; i < ref.nfdb && i < eng.want.nfdb; i++)
		bad += eng.want.fdb[i] != ref.fdb[i];
	T_INT(eng.nh.n, nhs.n);
	for (size_t i = 0; i < nhs.n && i < eng.nh.n; i++)
		bad += eng.nh.v[i].id != nhs.v[i].id || eng.nh.v[i].dev != nhs.v[i].dev ||
		       eng.nh.oif[eng.nh.v[i].dev] != nhs.oif[nhs.v[i].dev] ||
		       ((eng.nh.v[i].flags ^ nhs.v[i].flags) & XC_RT_F_ONLINK);
	if (bad || memcmp(&eng.cs, &st, sizeof(st)))
		printf("  round %d, mode %d: %zu entries differ; routes %zu/%zu skipped %zu/%zu "
		       "refused %zu/%zu fdbs %zu/%zu\n", round, conf->mode, bad, eng.cs.routes,
		       st.routes, eng.cs.skipped, st.skipped, eng.cs.refused, st.refused,
		       eng.cs.fdbs, st.fdbs);
	T_INT(bad, 0);
	T(!memcmp(&eng.cs, &st, sizeof(st)));
	/* what the engine said, the whole computation says; this node's refusals every time */
	for (size_t i = 0; i < said[0].n; i++)
		if (!said_too(1, said[0].line[i]))
			ok_reports = 0, printf("  round %d: the update alone said: %s\n", round,
					       said[0].line[i]);
	for (size_t i = 0; i < said[1].n; i++)
		if (!strncmp(said[1].line[i], "n001 ", 5) && strstr(said[1].line[i], " 6 ") &&
		    !said_too(0, said[1].line[i]))
			ok_reports = 0, printf("  round %d: the update did not say: %s\n", round,
					       said[1].line[i]);
	T(ok_reports);
	xc_rt_set_free(&ref);
	xc_rt_nhset_free(&nhs);
}

/* A new table of every node as make() has it (this node with a CIDR inside its first), a new engine. */
static void start(int self_nested)
{
	struct xc_node_rec r;

	xc_nodetab_free(&tab);
	xc_rt_engine_free(&eng);
	memset(&eng, 0, sizeof(eng));
	for (int i = 0; i < NODES; i++) {
		make(&r, i);
		if (i == 1 && self_nested) {
			r.cidr[r.ncidr].len = 24;
			v4(&r.cidr[r.ncidr++].ip, 10, 1, 1, 0);
		}
		xc_nodetab_set(&tab, &r);
	}
}

/* A sync as the router makes one between full ones, without a kernel: what it says in said[0]. */
static int sync_dry(const struct xc_rt_conf *conf)
{
	saying = 0;
	said[0].n = 0;
	return xc_rt_sync(&eng, NULL, conf, &env, &tab, XC_RT_SYNC_DRY, on_skip, NULL, NULL);
}

static void run(enum xc_rt_mode mode, enum xc_rt_nh nh, int rounds)
{
	struct xc_rt_conf conf = { .mode = mode, .protocol = 202, .self = "n001", .nexthops = nh };
	unsigned long updates, wholes = 0, must = 0;

	start(0);
	T_INT(sync_dry(&conf), 0);
	check(&conf, 0);
	updates = eng.updates;
	for (int round = 1; round <= rounds; round++) {
		int whole = 0, k = 1 + rand() % 3;

		for (int i = 0; i < k; i++)
			whole |= change();
		updates = eng.updates;
		T_INT(sync_dry(&conf), 0);
		must += whole;
		/* a change that reaches others' verdicts never goes by an update */
		if (whole)
			T_INT(eng.updates, updates);
		wholes += eng.updates == updates;
		check(&conf, round);
	}
	/* most rounds went by an update (else this test proves nothing) */
	if ((unsigned long)rounds - wholes <= (unsigned long)rounds / 3)
		printf("  mode %d, nexthops %d: %lu of %d rounds went by an update\n", mode, nh,
		       (unsigned long)rounds - wholes, rounds);
	T((unsigned long)rounds - wholes > (unsigned long)rounds / 3);
	T(wholes >= must);
}

/* An engine nobody tells of changes, or told of some only, computes everything. */
static void test_untold(void)
{
	struct xc_rt_conf conf = { .mode = XC_RT_NONE, .protocol = 202, .self = "n001" };
	struct xc_node_rec r;

	start(0);
	T_INT(sync_dry(&conf), 0);
	tab.notify = NULL;              /* a change the engine does not hear of */
	make(&r, 10);
	v4(&r.addr[0].ip, 198, 18, 9, 9);
	xc_nodetab_set(&tab, &r);
	tab.notify = on_change;
	T_INT(sync_dry(&conf), 0);
	T_INT(eng.updates, 0);
	check(&conf, -1);
	/* told: an update */
	make(&r, 10);
	v4(&r.addr[0].ip, 198, 18, 9, 10);
	xc_nodetab_set(&tab, &r);
	T_INT(sync_dry(&conf), 0);
	T_INT(eng.updates, 1);
	check(&conf, -2);
	/* a new env: everything */
	make(&r, 10);
	v4(&r.addr[0].ip, 198, 18, 9, 11);
	xc_nodetab_set(&tab, &r);
	env.dev[XC_RT_DEV_LINK0].mtu = 1400;
	T_INT(sync_dry(&conf), 0);
	T_INT(eng.updates, 1);
	env.dev[XC_RT_DEV_LINK0].mtu = 0;
}

/* This node with CIDRs of its own that overlap: the contest's, so every sync is whole. */
static void test_self_nested(void)
{
	struct xc_rt_conf conf = { .mode = XC_RT_NONE, .protocol = 202, .self = "n001" };
	struct xc_node_rec r;

	start(1);
	T_INT(sync_dry(&conf), 0);
	make(&r, 20);
	v4(&r.addr[0].ip, 198, 18, 9, 20);
	xc_nodetab_set(&tab, &r);
	T_INT(sync_dry(&conf), 0);
	T_INT(eng.updates, 0);
	T(said_too(0, "n001 10.1.1.0/24 6 overlaps n001's 10.1.0.0/16 (its own)"));
	check(&conf, -3);
}

/* A dry sync; then eng.updates must be updates, and the state a whole computation's. */
static void synced(const struct xc_rt_conf *conf, unsigned long updates, int round)
{
	T_INT(sync_dry(conf), 0);
	if (eng.updates != updates)
		printf("  round %d: %lu updates, not %lu\n", round, eng.updates, updates);
	T(eng.updates == updates);
	check(conf, round);
}

/*
 * A node removed, added back, its CIDR narrowed, a new one, two gone at
 * once, one replaced by another with its CIDRs and address: each an
 * update that gives what a whole computation does. n030 and its
 * neighbours share nothing (see make).
 */
static void test_add_remove(enum xc_rt_mode mode)
{
	struct xc_rt_conf conf = { .mode = mode, .protocol = 202, .self = "n001" };
	struct xc_node_rec r;
	unsigned long updates;

	start(0);
	T_INT(sync_dry(&conf), 0);
	xc_nodetab_del(&tab, "n030");
	synced(&conf, 1, -10);
	make(&r, 30);
	xc_nodetab_set(&tab, &r);
	T_INT(sync_dry(&conf), 0);
	r.cidr[0].len = 20;
	xc_nodetab_set(&tab, &r);
	synced(&conf, 3, -11);
	make(&r, 200);
	xc_nodetab_set(&tab, &r);
	synced(&conf, 4, -12);
	xc_nodetab_del(&tab, "n200");
	xc_nodetab_del(&tab, "n030");
	synced(&conf, 5, -13);
	xc_node_unpack(xc_nodetab_find(&tab, "n031"), &r);
	xc_nodetab_del(&tab, "n031");
	snprintf(r.name, sizeof(r.name), "n201");
	xc_nodetab_set(&tab, &r);
	synced(&conf, 6, -14);
	/* n047's CIDR holds n048's, which loses to it: n047 reaches n048 */
	xc_nodetab_del(&tab, "n047");
	synced(&conf, 6, -15);
	make(&r, 47);
	xc_nodetab_set(&tab, &r);
	synced(&conf, 6, -16);
	/* n048 readdressed as n047 goes: the same */
	xc_node_unpack(xc_nodetab_find(&tab, "n048"), &r);
	v4(&r.addr[0].ip, 198, 18, 9, 48);
	xc_nodetab_set(&tab, &r);
	xc_nodetab_del(&tab, "n047");
	synced(&conf, 6, -17);
	make(&r, 47);
	xc_nodetab_set(&tab, &r);
	T_INT(sync_dry(&conf), 0);
	/* both gone: what n048's CIDR was refused for is not known alone */
	xc_nodetab_del(&tab, "n047");
	xc_nodetab_del(&tab, "n048");
	synced(&conf, 6, -18);
	/* n103's CIDR was refused for n102's address in it: both gone, not known alone */
	xc_nodetab_del(&tab, "n102");
	xc_nodetab_del(&tab, "n103");
	synced(&conf, 6, -19);
	/*
	 * n019's VXLAN endpoint is n020's address too, and its FDB entry the
	 * one that stands: once n019 prefers its own, n020's must come.
	 */
	xc_node_unpack(xc_nodetab_find(&tab, "n019"), &r);
	r.addr[0].kind = XC_NODE_ADDR_INTERNAL;
	r.addr[1].kind = XC_NODE_ADDR_EXTERNAL;
	xc_nodetab_set(&tab, &r);
	synced(&conf, mode == XC_RT_VXLAN ? 6 : 7, -20);
	/* n032's CIDR widened over others': the contest, whole */
	updates = eng.updates;
	xc_node_unpack(xc_nodetab_find(&tab, "n032"), &r);
	r.cidr[0].len = 8;
	xc_nodetab_set(&tab, &r);
	synced(&conf, updates, -21);
}

int main(void)
{
	static const enum xc_rt_mode modes[] = { XC_RT_NONE, XC_RT_VXLAN, XC_RT_SIT, XC_RT_AUTO };

	srand(12);
	host();
	xc_nodetab_init(&tab);
	tab.notify = on_change;
	test_untold();
	test_self_nested();
	test_add_remove(XC_RT_NONE);
	test_add_remove(XC_RT_VXLAN);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		run(modes[m], XC_RT_NH_OFF, 150);
		run(modes[m], XC_RT_NH_ON, 60);
	}
	xc_nodetab_free(&tab);
	xc_rt_engine_free(&eng);
	return t_done("test_routes_delta");
}
