/*
 * router: this node's routes to every other node's pod CIDRs, kept in step
 * with the cluster's Nodes. One thread, one poll loop (core/router/health
 * answers probes on a thread of its own); the engine is in
 * core/router/routes, core/router/tunnel, core/router/nodetab and core/router/nodesrc (docs/router.md).
 */
const char router_usage[] =
"usage: router [OPTIONS]      (a daemon; see also --once, --dry-run, --cleanup)\n"
"\n"
"Routes every other node's pod CIDRs (IPv4 and IPv6) to that node; routes\n"
"carry protocol PROTOCOL and nothing else is touched. Restarting changes\n"
"nothing when nothing changed; a node source that fails leaves every route.\n"
"\n"
"options [environment]:\n"
"  --node-name NAME       this node [NODE_NAME] (default: the host name)\n"
"  --nodes-file FILE      read Nodes from a NodeList JSON file (kubectl get\n"
"                         nodes -o json), re-read when replaced or on SIGHUP\n"
"  --kubeconfig FILE      the API server [KUBECONFIG] (default: in-cluster)\n"
"  --tunnel-mode MODE     none, sit, ipip, vxlan or auto [TUNNEL_MODE]; default:\n"
"                         sit where the kernel has it, else none (and none in\n"
"                         an IPv6-only cluster)\n"
"  --ipv6-prefix P        IPv6 next hop = P + the node's IPv4 [IPV6_PREFIX]\n"
"                         (fd00:100::/96, or 1000::1: as xcluster writes it)\n"
"  --address-map FILE     'NODE IPV6' lines: IPv6 next hops [ADDRESS_MAP]\n"
"  --node-ip ADDR[,ADDR]  this node's address(es) [NODE_IP] (default: from its Node)\n"
"  --protocol N           route protocol number [PROTOCOL] (default 202); what\n"
"                         else is ours follows it (nft table, tunnel address\n"
"                         label, VXLAN device): one router per network\n"
"  --table N              routing table [TABLE] (default main)\n"
"  --cidr-annotation K    pod CIDRs from annotation K [CIDR_ANNOTATION]\n"
"  --address-annotation K node addresses from annotation K [ADDRESS_ANNOTATION]\n"
"  --vxlan-name NAME, --vxlan-vni N, --vxlan-port N   (xcvx0, 1, 4789;\n"
"                         xcvxN, N for another protocol N)\n"
"  --cache-dir DIR        this node's pod CIDRs go to DIR/NETWORK/podcidrs for\n"
"  --network NAME         node-local [CACHE_DIR] (/var/lib/cni/networks, xcluster-cni)\n"
"  --metrics-port N       /healthz and /metrics on 127.0.0.1:N [METRICS_PORT]\n"
"                         (default 9142, 0: off)\n"
"  --resync S             full resync every S seconds [RESYNC_SECONDS] (60)\n"
"  --debounce-ms N        coalesce node events for N ms (10)\n"
"  --log-level L          error, warn, info, debug [LOG_LEVEL]\n"
"  --masquerade BOOL      true: pods' traffic to outside the cluster's pod\n"
"                         CIDRs leaves with the node's address (nf_tables\n"
"                         table inet xcluster-cni[-N]) [MASQUERADE] (false)\n"
"  --cluster-cidr LIST    the cluster's pod ranges, comma-separated, added to\n"
"                         the Nodes' pod CIDRs [CLUSTER_CIDR]\n"
"  --no-masquerade-cidrs LIST  more destinations that keep the pod's source\n"
"                         [NO_MASQUERADE_CIDRS]\n"
"  --nexthops WHEN        IPv4 routes name nexthop objects: auto (from 1,024\n"
"                         IPv4 routes on: the kernel inserts those fast), on,\n"
"                         off [NEXTHOPS]\n"
"  --once                 sync once and exit (1 if a change failed)\n"
"  --dry-run              print the changes as ip/bridge/nft commands, change nothing\n"
"  --cleanup              remove our routes, VXLAN device, tunl0 address and\n"
"                         nf_tables table; exit\n"
"\n"
"SIGHUP re-reads the node source and the address map; SIGTERM and SIGINT\n"
"exit at once and leave the routes in place.\n";

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <netinet/in.h>
#include <linux/capability.h>
#include <linux/rtnetlink.h>

#include "base/deadline.h"
#include "router/health.h"
#include "router/masq.h"
#include "kube/k8s.h"
#include "base/log.h"
#include "kernel/nl_event.h"
#include "router/nodesrc.h"
#include "router/nodetab.h"
#include "base/podcidrs.h"
#include "router/routes.h"
#include "router/rtconf.h"
#include "router/schedule.h"
#include "router/tunnel.h"
#include "version.h"

#define LOG_DETAIL 20   /* changes logged one by one per sync; then a summary */

struct stats {
	unsigned long src_errors;
	size_t skipped, last_skipped, blocked;
	double last_sync;            /* realtime of the last sync without failures */
};

static struct {
	struct xc_rtconf o;
	struct xc_rt_conf rc;
	struct xc_node_parse np;
	struct xc_nodetab nodes, amap;
	struct xc_nodesrc src;
	struct xc_tunnel tun;
	struct xc_rt_env env;
	struct xc_rt_engine g;
	struct xc_nl nl, mon, nft;
	struct xc_masq masq;
	struct xc_health health;     /* /healthz, /metrics: a thread of their own */
	struct xc_sched s;           /* when to list and sync (core/router/schedule) */
	struct stats st;
	int sfd, tfd, mode, in_full, noll, src6_wait, publish;
	int moved;                   /* during a pass: 1 an event may matter, 2 events lost */
	struct xc_ip tun4;           /* the tunnel address last logged */
	unsigned pod_mtu, nlog;
	/* why the peers refuse each of this node's CIDRs ("": they don't), for node-local */
	char self_why[XC_NODE_CIDRS][XC_PODCIDRS_REASON_MAX + 1];
} R;

static uint32_t nlbuf[XC_NL_BUFSIZE / 4], monbuf[XC_NL_BUFSIZE / 4], nftbuf[XC_NL_BUFSIZE / 4];

/* ---- logging what changed --------------------------------------------- */

static const char *node_text(const struct xc_prefix *cidr, int nc, const struct xc_node_addr *a,
			     int na, char *buf, size_t size)
{
	size_t n = 0;
	char t[XC_IP_STRLEN];

	buf[0] = '\0';
	for (int i = 0; i < nc && n < size; i++) {
		xc_prefix_format(&cidr[i], t, sizeof(t));
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "," : "podCIDRs ", t);
	}
	if (!nc && n < size)
		n += (size_t)snprintf(buf + n, size - n, "no podCIDRs");
	for (int i = 0; i < na && n < size; i++) {
		xc_ip_format(&a[i].ip, t, sizeof(t));
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "," : " addresses ", t);
	}
	return buf;
}

static void on_node(void *arg, const struct xc_node *before, const struct xc_node_rec *after)
{
	char a[400], b[400];
	struct xc_node_rec was;
	enum xc_log_level lvl = R.nlog++ < LOG_DETAIL ? XC_LOG_INFO : XC_LOG_DEBUG;
	const char *name = after ? after->name : before->name;

	(void)arg;
	xc_rt_engine_node(&R.g, before, after);
	xc_masq_node(&R.masq, &R.o.masq, before, after);
	xc_sched_nodes_changed(&R.s, xc_now_ms(), !strcmp(name, R.o.self));
	xc_health_progress(&R.health, xc_now_ms());
	if (!before)
		xc_log(lvl, "node %s added: %s", name,
		       node_text(after->cidr, after->ncidr, after->addr, after->naddr, a, sizeof(a)));
	else if (!after)
		xc_log(lvl, "node %s deleted", name);
	else {
		xc_node_unpack(before, &was);
		xc_log(lvl, "node %s changed: %s (was %s)", name,
		       node_text(after->cidr, after->ncidr, after->addr, after->naddr, a, sizeof(a)),
		       node_text(was.cidr, was.ncidr, was.addr, was.naddr, b, sizeof(b)));
	}
}

static const char *const skip_why[] = {
	"", "no address of the family the path needs", "IPv6 next hop: neighbour not resolved yet",
	"next hop off-subnet and no underlay interface", "CIDR already routed to another node",
	"CIDR overlaps this node's", "",
};

/* Which of n's CIDRs cidr is (skip hears of a copy). */
static int cidr_index(const struct xc_node *n, const struct xc_prefix *cidr)
{
	struct xc_prefix p;
	int k;

	for (k = 0; k + 1 < n->ncidr; k++)
		if (xc_node_cidr_at(n, k, &p)->len == cidr->len && xc_ip_equal(&p.ip, &cidr->ip))
			break;
	return k;
}

static void on_skip(void *arg, const struct xc_node *n, const struct xc_prefix *cidr,
		    enum xc_rt_skip why, const char *reason)
{
	char c[XC_IP_STRLEN];
	struct xc_ip b4;
	const struct xc_ip *a4 = xc_node_addr(n, AF_INET, &b4);
	uint8_t bit = (uint8_t)(1u << cidr_index(n, cidr));
	int first = R.g.cs.skipped != R.st.last_skipped;

	(void)arg;
	if (reason) {   /* once per node and CIDR; n is the table's, not const */
		first = !(n->logged & bit);
		((struct xc_node *)n)->logged |= bit;
	}
	xc_prefix_format(cidr, c, sizeof(c));
	if (!strcmp(n->name, R.o.self)) {
		snprintf(R.self_why[cidr_index(n, cidr)], sizeof(R.self_why[0]), "%s", reason);
		xc_log(first ? XC_LOG_WARN : XC_LOG_DEBUG, "this node's pod CIDR %s gets no route "
		       "from the peers: %s; node-local gives no pod an address from it", c, reason);
		return;
	}
	xc_log(first ? XC_LOG_INFO : XC_LOG_DEBUG, "node %s: no route for %s: %s", n->name, c,
	       reason ? reason : skip_why[why]);
	/* ARP for the peer; the resync after it finds its MAC. */
	if (why == XC_RT_SKIP_NOLL && R.in_full && a4 && !R.o.dry_run) {
		xc_tunnel_solicit(a4);
		R.noll = 1;
	}
}

/* ---- the pod CIDR cache for node-local ------------------------------- */

static void write_cache(void)
{
	const struct xc_node *self = xc_nodetab_find(&R.nodes, R.o.self);
	const char *why[XC_NODE_CIDRS];
	struct xc_node_rec r;
	int rc;

	if (!self || !self->ncidr || !R.o.cache_dir[0] || R.o.dry_run)
		return;
	xc_node_unpack(self, &r);
	for (int k = 0; k < r.ncidr; k++)
		why[k] = R.self_why[k][0] ? R.self_why[k] : NULL;
	rc = xc_podcidrs_write(R.o.cache_dir, R.o.network, r.name, r.cidr, why, r.ncidr);
	if (rc < 0)
		xc_warn("cannot write %s/%s/%s: %s", R.o.cache_dir, R.o.network, XC_PODCIDRS_FILE,
			strerror(-rc));
	else if (rc > 0)
		xc_info("pod CIDRs of this node written to %s/%s/%s", R.o.cache_dir, R.o.network,
			XC_PODCIDRS_FILE);
}

/* ---- the host --------------------------------------------------------- */

static void node_ips(struct xc_ip *v4, struct xc_ip *v6)
{
	const struct xc_node *self = xc_nodetab_find(&R.nodes, R.o.self);
	char buf[200], *p = buf, *item;
	struct xc_ip ip;

	memset(v4, 0, sizeof(*v4));
	memset(v6, 0, sizeof(*v6));
	snprintf(buf, sizeof(buf), "%s", R.o.node_ip ? R.o.node_ip : "");
	while ((item = strsep(&p, ",")))
		if (xc_ip_parse(item, &ip) == 0)
			*(ip.family == AF_INET ? v4 : v6) = ip;
	if (self && !v4->family)
		xc_node_addr(self, AF_INET, v4);   /* leaves it as it is when none */
	if (self && !v6->family)
		xc_node_addr(self, AF_INET6, v6);
}

static void resolve_mode(void)
{
	int m = xc_tunnel_pick(&R.tun, &R.nl, R.o.mode, &R.env, !R.o.dry_run && !R.o.cleanup);

	if (m != R.mode) {
		if (R.o.mode >= 0)
			xc_info("tunnel mode %s%s%s", xc_tunnel_mode_name(m),
				m == XC_RT_AUTO ? ": direct routes on connected subnets, else " : "",
				m == XC_RT_AUTO ? xc_tunnel_mode_name(R.env.tunnel) : "");
		else if (m == XC_RT_SIT)
			xc_info("tunnel mode sit: this kernel has sit (set TUNNEL_MODE to choose)");
		else
			xc_info("tunnel mode none (direct routes): %s", R.env.self4.family ?
				"this kernel has no sit" : "IPv6-only cluster");
	}
	R.mode = m;
	R.rc.mode = (enum xc_rt_mode)m;
}

/* Said once per address: the tunnel device's own IPv4 address (core/router/tunnel.h says why). */
static void log_tun4(int tm)
{
	const char *dev = xc_tunnel_addr_dev(&R.tun, tm);
	char a[XC_IP_STRLEN];

	if (!dev || !R.env.tun4.family || xc_ip_equal(&R.env.tun4, &R.tun4))
		return;
	R.tun4 = R.env.tun4;
	xc_ip_format(&R.tun4, a, sizeof(a));
	xc_info("%s has %s/32: the source of this node's own IPv4 packets to other nodes' pods",
		dev, a);
}

/* This host as the computation needs it: interfaces, addresses, the mode. */
static int env_read(void)
{
	const struct xc_node *self = xc_nodetab_find(&R.nodes, R.o.self);
	int want_ll = R.o.mode != XC_RT_SIT && R.o.mode != XC_RT_VXLAN, rc;
	struct xc_prefix c4, c6;

	node_ips(&R.env.self4, &R.env.self6);
	rc = xc_tunnel_env(&R.tun, &R.nl, &R.env, self ? xc_node_cidr(self, AF_INET, &c4) : NULL,
			   self ? xc_node_cidr(self, AF_INET6, &c6) : NULL, want_ll);
	if (rc) {
		xc_err("reading interfaces and addresses: %s", strerror(-rc));
		return rc;
	}
	R.env.amap = R.amap.n ? &R.amap : NULL;
	resolve_mode();
	return 0;
}

static int drop_event(const struct xc_nl_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	return 0;
}

/*
 * The kernel events queued now, dropped: they tell of states a full sync
 * reads afresh after this (no monitor outside the daemon).
 */
static void drop_queued_events(void)
{
	int rc;

	if (!R.g.between)
		return;
	while ((rc = xc_nl_event_recv(&R.mon, drop_event, NULL)) >= 0 || rc == -ENOBUFS)
		;
}

static int env_refresh(void)
{
	unsigned mtu;
	int rc, tm;

	if ((rc = env_read()))
		return rc;
	tm = R.mode == XC_RT_AUTO ? R.env.tunnel : R.mode;
	/* Its RTM_NEWADDR at the end of DAD brings a full sync, with src. */
	if (tm == XC_RT_SIT && R.env.src6_wait && !R.src6_wait)
		xc_info("this node's IPv6 pod address is still tentative (DAD): routes through "
			XC_TUNNEL_SIT_DEV " go without src until it is usable");
	R.src6_wait = R.env.src6_wait;
	if (!R.o.dry_run && !R.o.cleanup) {
		rc = xc_tunnel_setup(&R.tun, &R.nl, R.mode, &R.env);
		if (rc > 0) {
			xc_info("tunnel %s: %d change%s to its devices", xc_tunnel_mode_name(tm), rc,
				rc > 1 ? "s" : "");
			/*
			 * The kernel announces them (a new VXLAN device: three link
			 * events), and an event of our devices brings a full sync:
			 * this one would have a second at once. Dropped, and the
			 * host read again, which sees any other change meanwhile.
			 */
			drop_queued_events();
			if (env_read())
				return -EIO;
			tm = R.mode == XC_RT_AUTO ? R.env.tunnel : R.mode;
		}
		if (rc < 0)
			xc_warn("tunnel %s: cannot set up its devices: %s%s", xc_tunnel_mode_name(tm),
				strerror(-rc), rc == -ENODEV ? " (this kernel lacks the tunnel)" : "");
		else
			log_tun4(tm);
	}
	mtu = R.env.underlay ? R.env.dev[R.env.underlay].mtu : 0;
	if (mtu)
		mtu -= (unsigned)xc_tunnel_overhead(tm, R.env.vx_family ? R.env.vx_family : AF_INET);
	if (mtu != R.pod_mtu && mtu)
		xc_info("pod network MTU %u (%s MTU %u, %s overhead %d)", mtu,
			R.env.dev[R.env.underlay].name, R.env.dev[R.env.underlay].mtu,
			xc_tunnel_mode_name(tm), xc_tunnel_overhead(tm, R.env.vx_family));
	R.pod_mtu = mtu;
	return 0;
}

/* ---- syncing ---------------------------------------------------------- */

static void report(void *arg, enum xc_rt_op op, const struct xc_rt_entry *e, int err)
{
	static const char *const verb[] = { "", "add", "replace", "remove" };
	const char *kind = e->kind == XC_RT_ROUTE ? "route" :
			   e->kind == XC_RT_NEIGH ? "neighbour" :
			   e->kind == XC_RT_NH ? "nexthop" : "fdb entry";
	unsigned *nlogged = arg;
	char d[300];

	xc_health_progress(&R.health, xc_now_ms());
	if (R.o.dry_run) {
		if (xc_rt_format(&R.rc, &R.env, op, e, d, sizeof(d)) > 0)
			printf("%s\n", d);
		return;
	}
	xc_rt_describe(&R.env, e, d, sizeof(d));
	if (err == -EEXIST)
		xc_warn("route %s: another protocol's route is there; left alone", d);
	else if (err)
		xc_warn("cannot %s %s %s: %s%s%s", verb[op], kind, d, strerror(-err),
			*xc_nl_errmsg(&R.nl) ? ": " : "", xc_nl_errmsg(&R.nl));
	else
		xc_log((*nlogged)++ < LOG_DETAIL ? XC_LOG_INFO : XC_LOG_DEBUG, "%s %s %s",
		       verb[op], kind, d);
}

/* Wanted routes another protocol holds: said once, whenever their number changes. */
static void log_blocked(void)
{
	size_t n = 0;
	char d[256];

	for (size_t i = 0; i < R.g.have.n; i++)
		n += (R.g.have.v[i].flags & XC_RT_F_FOREIGN) != 0;
	if (n == R.st.blocked)
		return;
	R.st.blocked = n;
	for (size_t i = 0; i < R.g.have.n; i++)
		if (R.g.have.v[i].flags & XC_RT_F_FOREIGN)
			xc_warn("route %s: another protocol's route is there; left alone",
				xc_rt_describe(&R.env, &R.g.have.v[i], d, sizeof(d)));
}

/* ---- egress masquerade (core/router/masq) ------------------------------ */

static void masq_say(void *arg, const char *line)
{
	unsigned *n = arg;

	if (R.o.dry_run)
		printf("%s\n", line);
	else
		xc_log((*n)++ < LOG_DETAIL ? XC_LOG_INFO : XC_LOG_DEBUG, "masquerade: %s", line);
}

static const char *nft_why(int rc)
{
	if (rc == -EPROTONOSUPPORT || rc == -EOPNOTSUPP)
		return " (this kernel has no nf_tables)";
	if (rc == -ENOENT)
		return " (this kernel lacks nat chains or the masq expression: nft_chain_nat, nft_masq)";
	return "";
}

/*
 * After the routes, which go on whatever nf_tables does. Returns 1, or a
 * negative errno (logged by the caller, who knows when it is retried).
 */
static int masq_step(int full)
{
	unsigned n = 0;
	int rc = 0, was = R.masq.on;

	if (R.nft.fd < 0 && (rc = xc_nft_open(&R.nft, nftbuf, sizeof(nftbuf))) < 0)
		R.masq.errors += R.o.masq.on;
	if (rc == 0)
		rc = xc_masq_sync(&R.masq, &R.nft, &R.o.masq, R.o.cleanup ? NULL : &R.nodes,
				  full, R.o.dry_run, masq_say, &n);
	if (rc < 0 && (R.o.masq.on || rc != -EPROTONOSUPPORT))
		return rc;
	if ((R.masq.on != was || (!R.masq.on && rc > 0)) && !R.o.dry_run)
		xc_info(R.masq.on ? "masquerade on: pods' egress outside the cluster's pod "
			"CIDRs leaves with this node's address (table inet %s)" :
			"masquerade off: table inet %s removed", R.masq.table);
	return 1;
}

static void masq_failed(int rc, unsigned retry_ms)
{
	xc_warn("masquerade: nf_tables: %s%s%s%s; routing goes on, retry in %u ms",
		strerror(-rc), *xc_nl_errmsg(&R.nft) ? ": " : "", xc_nl_errmsg(&R.nft),
		nft_why(rc), retry_ms);
}

/*
 * One pass as xc_sched_due() asked (XC_SCHED_* bits): compute, (full: read
 * the kernel), diff, apply; then the masquerade. The outcome is for
 * xc_sched_synced(); r.masq < 0 is the masquerade's error to log.
 */
static struct xc_sched_sync sync_now(int what)
{
	struct xc_sched_sync r = { .full = !!(what & XC_SCHED_FULL) };
	int64_t t0 = xc_now_ms();
	unsigned nlogged = 0;
	int rc;

	if (r.full && env_refresh() < 0) {
		r.failed = -1;
		return r;
	}
	R.in_full = r.full;
	R.noll = 0;
	memset(R.self_why, 0, sizeof(R.self_why));
	rc = xc_rt_sync(&R.g, &R.nl, &R.rc, &R.env, R.o.cleanup ? NULL : &R.nodes,
			(r.full ? XC_RT_SYNC_FULL : 0) | (R.o.dry_run ? XC_RT_SYNC_DRY : 0),
			on_skip, report, &nlogged);
	r.masq = masq_step(r.full || (what & XC_SCHED_MASQ_FULL));
	R.st.skipped = R.st.last_skipped = R.g.cs.skipped;
	r.kernel_moved = R.moved;
	if (R.moved == 2)
		xc_warn("kernel events were lost: full resync");
	else if (R.moved)
		xc_info("the kernel changed while the sync applied its changes: full resync");
	R.moved = 0;
	if (rc < 0) {
		xc_err("sync: %s", strerror(-rc));
		r.failed = -1;
		return r;
	}
	r.failed = rc;
	r.neigh_wait = R.noll;
	if (r.full)
		log_blocked();
	if (!rc) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		R.st.last_sync = ts.tv_sec + ts.tv_nsec / 1e9;
	}
	if (R.g.changes && !R.o.dry_run)
		xc_info("%s sync: %zu change%s (%zu failed) in %lld ms; %zu routes for %zu peers",
			r.full ? "full" : "incremental", R.g.changes, R.g.changes == 1 ? "" : "s",
			R.g.failed, (long long)(xc_now_ms() - t0), R.g.cs.routes, R.g.cs.peers);
	write_cache();
	return r;
}

/* A sync the schedule asked for, its outcome reported back. */
static void sync_due(int what)
{
	struct xc_sched_sync r = sync_now(what);
	unsigned masq_ms = xc_sched_synced(&R.s, xc_now_ms(), &r);

	if (r.masq < 0)
		masq_failed(r.masq, masq_ms);
}

/* A sync outside the daemon's loop (--once, --dry-run, --cleanup): 1 on failure. */
static int sync_once(void)
{
	struct xc_sched_sync r = sync_now(XC_SCHED_SYNC | XC_SCHED_FULL);

	if (r.masq < 0)
		masq_failed(r.masq, 0);
	return r.failed != 0 || r.masq < 0;
}

/* ---- the node source -------------------------------------------------- */

/*
 * Run a source call that may block on the API server (connect, a LIST)
 * with SIGTERM and SIGINT at their default action: they end the process
 * at once instead of waiting in the signalfd. Nothing is half-done in the
 * kernel while the source talks.
 */
static int unblocked(int (*fn)(struct xc_nodesrc *, struct xc_nodetab *))
{
	sigset_t ss;
	int rc;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigprocmask(SIG_UNBLOCK, &ss, NULL);
	rc = fn(&R.src, &R.nodes);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	return rc;
}

/* The source failed; a listing says how long it had been read (ms, else -1). */
static void src_failed(int rc, long long listed_ms)
{
	unsigned ms = xc_sched_source_failed(&R.s, xc_now_ms(),
					     R.src.k ? R.src.k->retry_after : -1);
	char after[40] = "";

	R.st.src_errors++;
	R.publish = 1;
	if (listed_ms >= 0)
		snprintf(after, sizeof(after), " (a listing of %lld ms)", listed_ms);
	xc_warn("node source: %s; keeping %zu nodes and every route, retry in %u ms%s",
		R.src.err[0] ? R.src.err : strerror(-rc), R.nodes.n, ms, after);
}

static int src_list(void)
{
	size_t before = R.nodes.n;
	int64_t t0 = xc_now_ms();
	int rc;

	R.nlog = 0;
	rc = unblocked(xc_nodesrc_list);
	if (rc) {
		src_failed(rc, (long long)(xc_now_ms() - t0));
		return rc;
	}
	if (R.src.err[0])   /* a notice: WatchList failed, this time or for good */
		xc_warn("node source: %s", R.src.err);
	/* every one: until it is taken in, no change of a Node can reach the routes */
	xc_info("node listing: %zu nodes (was %zu) in %lld ms", R.nodes.n, before,
		(long long)(xc_now_ms() - t0));
	/* the first complete listing: adopt, repair and prune, even if empty */
	xc_sched_listed(&R.s, xc_now_ms());
	return 0;
}

static void src_input(void)
{
	int rc;

	R.nlog = 0;
	R.publish = 1;
	rc = unblocked(xc_nodesrc_step);
	if (rc == 1)
		xc_sched_relist(&R.s, xc_now_ms());
	else if (rc < 0)
		src_failed(rc, -1);
}

/* ---- kernel events ---------------------------------------------------- */

static void route_event(uint16_t type, const struct xc_route *r)
{
	struct xc_rt_entry e;
	char d[256];

	switch (xc_rt_event(&R.g.have, &R.g.want, &R.rc, &R.env, type, r, &e)) {
	case XC_RT_EV_TAKEN:
		xc_warn("route %s replaced by protocol %u: left alone",
			xc_rt_describe(&R.env, &e, d, sizeof(d)), r->protocol);
		break;
	case XC_RT_EV_LOST:
		xc_info("route %s was removed outside the router: restoring",
			xc_rt_describe(&R.env, &e, d, sizeof(d)));
		xc_sched_kernel_changed(&R.s, xc_now_ms(), 0);
		break;
	case XC_RT_EV_UNSURE:
		xc_warn("out of memory recording a route event: full resync");
		xc_sched_events_lost(&R.s, xc_now_ms());
		break;
	default:
		break;
	}
}

/* A link or address event that changes what the computation knows of this host. */
static int env_event(const struct xc_nl_event *ev)
{
	/* Pods' veths come and go; only our devices and the underlay matter. */
	if (ev->kind == XC_NL_EV_LINK)
		return xc_tunnel_dev_is_ours(&R.env, ev->u.link.name, ev->u.link.index);
	return ev->kind == XC_NL_EV_ADDR && ev->u.addr.scope == RT_SCOPE_UNIVERSE;
}

static int on_event(const struct xc_nl_event *ev, void *arg)
{
	(void)arg;
	if (ev->kind == XC_NL_EV_ROUTE) {
		route_event(ev->type, &ev->u.route);
	} else if (ev->kind == XC_NL_EV_NEXTHOP) {
		if (xc_rt_nexthop_event(&R.g.have, &R.g.nh, ev->type, &ev->u.nexthop) ==
		    XC_RT_EV_LOST) {
			xc_info("nexthop id %u was removed outside the router, and its routes "
				"with it: full resync", ev->u.nexthop.id);
			xc_sched_events_lost(&R.s, xc_now_ms());
		}
	} else if (env_event(ev)) {
		xc_sched_kernel_changed(&R.s, xc_now_ms(), 1);
	}
	return 0;
}

static void monitor_input(void)
{
	int rc;

	while ((rc = xc_nl_event_recv(&R.mon, on_event, NULL)) >= 0)
		;
	if (rc == -ENOBUFS) {
		xc_warn("kernel events were lost: full resync");
		xc_sched_events_lost(&R.s, xc_now_ms());
	}
}

/*
 * Between a pass's batches (R.g.between): its own changes' announcements
 * are read and dropped, or a first sync's would overflow the socket and
 * cost a second, full one. An event that may matter is not acted on here
 * (have lags until the pass ends): a full sync follows the pass.
 */
static int on_event_in_pass(const struct xc_nl_event *ev, void *arg)
{
	int quiet;

	(void)arg;
	if (ev->kind == XC_NL_EV_ROUTE)
		quiet = xc_rt_pass_quiet(&R.g, &R.rc, &R.env, ev->type, &ev->u.route);
	else if (ev->kind == XC_NL_EV_NEXTHOP)
		quiet = xc_rt_pass_quiet_nh(&R.g, ev->type, &ev->u.nexthop);
	else
		quiet = !env_event(ev);
	if (!quiet && !R.moved)
		R.moved = 1;
	return 0;
}

static void monitor_in_pass(void *arg)
{
	int rc;

	(void)arg;
	while ((rc = xc_nl_event_recv(&R.mon, on_event_in_pass, NULL)) >= 0)
		;
	if (rc == -ENOBUFS)
		R.moved = 2;
}

/* ---- health and metrics (core/router/health) --------------------------- */

/* The /metrics text, as of now, for the health thread. */
static void publish_metrics(void)
{
	static char body[XC_HEALTH_TEXT_MAX];
	struct xc_rt_metrics_in in = {
		xc_tunnel_mode_name(R.mode), R.src.kind == XC_NODESRC_FILE ? "file" : "api",
		R.o.self, XC_VERSION, R.nodes.n, R.st.skipped, R.st.src_errors,
		!R.s.list_at && R.s.listed, R.st.last_sync, R.pod_mtu,
	};
	size_t n;

	R.publish = 0;
	if (!R.o.port)
		return;
	n = xc_rt_metrics(&R.g, &in, body, sizeof(body));
	n += xc_masq_metrics(&R.masq, body + n, sizeof(body) - n);
	xc_health_publish(&R.health, body, n);
}

static void on_source_progress(void *arg)
{
	(void)arg;
	xc_health_progress(&R.health, xc_now_ms());
}

/* ---- the loop --------------------------------------------------------- */

static void arm_timer(void)
{
	int64_t next = 0, cand[2] = { xc_sched_deadline(&R.s), 0 };
	struct itimerspec its = { 0 };
	int ms = xc_nodesrc_poll_ms(&R.src);

	if (ms >= 0)
		cand[1] = xc_now_ms() + ms;
	for (int i = 0; i < 2; i++)
		if (cand[i] && (!next || cand[i] < next))
			next = cand[i];
	if (next) {
		/* CLOCK_MONOTONIC ms -> absolute timespec; 0 would disarm: nudge */
		its.it_value.tv_sec = next / 1000;
		its.it_value.tv_nsec = (long)(next % 1000) * 1000000 + 1;
	}
	timerfd_settime(R.tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int signal_input(void)
{
	struct signalfd_siginfo si;
	char e[200];

	while (read(R.sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGHUP) {
			xc_info("exiting on %s; routes stay (--cleanup removes them)",
				si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			return 1;
		}
		xc_info("SIGHUP: re-reading the node source%s", R.o.addr_map ? " and address map" : "");
		if (R.o.addr_map && xc_nodetab_load_map(&R.amap, R.o.addr_map, NULL, e, sizeof(e)))
			xc_warn("address map %s: %s", R.o.addr_map, e[0] ? e : strerror(errno));
		xc_sched_hangup(&R.s, xc_now_ms());
	}
	return 0;
}

static int loop(void)
{
	for (;;) {
		int64_t now = xc_now_ms();
		int due = xc_sched_due(&R.s, now);
		uint64_t ticks;

		if (due & XC_SCHED_LIST) {
			src_list();
			due = xc_sched_due(&R.s, now = xc_now_ms());
		}
		if (due & XC_SCHED_SYNC)
			sync_due(due);
		if (due || R.publish)
			publish_metrics();
		arm_timer();
		xc_health_idle(&R.health);
		/* After the work: a listing opens a new watch, whose descriptor is polled. */
		struct pollfd p[4] = {
			{ R.sfd, POLLIN, 0 }, { R.tfd, POLLIN, 0 }, { R.mon.fd, POLLIN, 0 },
			{ xc_nodesrc_fd(&R.src), POLLIN, 0 },
		};
		if (poll(p, 4, xc_nodesrc_poll_ms(&R.src) == 0 ? 0 : -1) < 0 && errno != EINTR)
			return xc_err("poll: %s", strerror(errno)), 1;
		xc_health_busy(&R.health, xc_now_ms());
		if (p[0].revents && signal_input())
			return 0;
		if (p[1].revents && read(R.tfd, &ticks, sizeof(ticks)) < 0)
			ticks = 0;
		if (p[2].revents)
			monitor_input();
		if (p[3].revents || (p[3].fd >= 0 && xc_nodesrc_poll_ms(&R.src) == 0) ||
		    (R.src.kind == XC_NODESRC_K8S && R.s.listed && !R.s.list_at && p[3].fd < 0))
			src_input();
	}
}

/* ---- configuration (core/router/rtconf) ------------------------------------- */

static int configure(int argc, char **argv)
{
	if (xc_rtconf_parse(&R.o, argc, argv)) {
		if (R.o.err[0])
			xc_err("%s", R.o.err);
		else
			fputs(router_usage, stderr);
		return 2;
	}
	if (R.o.log_level >= 0)
		xc_log_set_level((enum xc_log_level)R.o.log_level);
	R.rc = R.o.rc;
	R.np = R.o.np;
	xc_tunnel_init(&R.tun);
	R.tun.o = R.o.tun;
	return 0;
}

/* ---- main ------------------------------------------------------------- */

/*
 * The router holds the API token for months and needs only CAP_NET_ADMIN
 * (routes, links, neighbours and device settings all go through netlink;
 * its files are root's, so uid 0 needs no DAC override): whoever subverts it
 * gets no more, and cannot core-dump or ptrace the token out of it.
 */
static void drop_privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	const uint32_t keep = 1u << CAP_NET_ADMIN;
	const char *step = "capget";
	int c;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		xc_debug("no_new_privs: %s", strerror(errno));
	if (geteuid() != 0) {
		xc_debug("not uid 0: capabilities left as they are");
		return;
	}
	if (syscall(SYS_capget, &h, d))
		goto fail;
	step = "dropping the bounding set";
	for (c = 0; prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0; c++)
		if (c != CAP_NET_ADMIN && prctl(PR_CAPBSET_DROP, c, 0, 0, 0))
			goto fail;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	d[0].effective &= keep;
	d[0].permitted &= keep;
	d[0].inheritable = 0;
	memset(&d[1], 0, sizeof(d[1]));
	step = "capset";
	if (syscall(SYS_capset, &h, d))
		goto fail;
	xc_debug("capabilities: CAP_NET_ADMIN only%s", d[0].effective ? "" : " (not held)");
	return;
fail:
	xc_debug("%s: %s: capabilities left as they are", step, strerror(errno));
}

static int cleanup(void)
{
	unsigned long before;
	int rc, failed;

	xc_info("cleanup: removing routes of protocol %u, the tunnel device and table inet %s",
		R.rc.protocol, R.masq.table);
	before = R.g.dels;
	failed = sync_once();
	rc = xc_tunnel_cleanup(&R.tun, &R.nl);
	if (rc < 0)
		xc_warn("cannot remove %s or our address on %s: %s", R.tun.o.vxlan_name,
			XC_TUNNEL_IPIP_DEV, strerror(-rc));
	xc_info("cleanup: %lu removed; tunnel devices and addresses: %d removed", R.g.dels - before,
		rc > 0 ? rc : 0);
	return failed || rc < 0 ? 1 : 0;
}

static int open_source(void)
{
	struct xc_k8s_opts ko = { .kubeconfig = R.o.kubeconfig, .component = "router" };
	char name[700];
	int rc;

	if (R.o.nodes_file)
		rc = xc_nodesrc_open_file(&R.src, R.o.nodes_file, &R.np);
	else
		rc = xc_nodesrc_open_k8s(&R.src, &ko, &R.np);
	if (rc) {
		xc_err("node source: %s", R.src.err[0] ? R.src.err : strerror(-rc));
		return 1;
	}
	if (R.src.k && R.src.k->insecure)
		xc_warn("the API server's certificate is not verified (insecure-skip-tls-verify)");
	if (R.src.k && R.src.k->plain)
		xc_warn("%s is plain http: credentials are sent unencrypted (loopback only)",
			R.src.k->cfg.server);
	if (R.src.k)
		R.src.k->http.timeout_ms = 10000;  /* a wait well under XC_HEALTH_STALL_MS */
	xc_nodesrc_api_ip(&R.src, &R.env.api);
	R.src.progress = on_source_progress;
	xc_info("node %s, nodes from %s, protocol %u, table %u", R.o.self,
		xc_nodesrc_name(&R.src, name, sizeof(name)), R.rc.protocol,
		R.rc.table ? R.rc.table : XC_RT_TABLE_MAIN);
	return 0;
}

/*
 * Nexthop objects are listed at start to learn that the kernel has them,
 * and whether our routes use them already (a restart keeps their form).
 */
static int our_nexthop(const struct xc_nexthop *nh, void *arg)
{
	(void)arg;
	R.g.nh_on |= nh->protocol == R.rc.protocol;
	return 0;
}

static int start_daemon(void)
{
	int rc;

	/* Subscribe before the first dump: no change can fall between them. */
	rc = xc_nl_monitor_open(&R.mon, monbuf, sizeof(monbuf),
				XC_NL_MON_LINK | XC_NL_MON_IPV4_ADDR | XC_NL_MON_IPV6_ADDR |
				XC_NL_MON_IPV4_ROUTE | XC_NL_MON_IPV6_ROUTE |
				(R.env.nexthops ? XC_NL_MON_NEXTHOP : 0), 4 << 20);
	if (rc)
		return xc_err("netlink monitor: %s", strerror(-rc)), 1;
	R.g.between = monitor_in_pass;
	R.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (R.tfd < 0)
		return xc_err("timerfd: %s", strerror(errno)), 1;
	if (R.o.port) {
		rc = xc_health_start(&R.health, "127.0.0.1", R.o.port, XC_HEALTH_STALL_MS);
		if (rc)
			return xc_err("health and metrics on 127.0.0.1:%u: %s", R.o.port,
				      strerror(-rc)), 1;
	}
	return 0;
}

int router_main(int argc, char **argv)
{
	char e[200], plan[4096];
	sigset_t ss;
	int rc;

	xc_log_init("router", 1);
	R.sfd = R.tfd = R.mon.fd = R.nft.fd = -1;
	R.mode = -1;
	xc_httpd_init(&R.health.http);
	rc = configure(argc, argv);
	if (rc)
		return rc;
	R.masq.table = R.o.masq.table;
	drop_privileges();
	xc_nodetab_init(&R.nodes);
	xc_nodetab_init(&R.amap);
	R.nodes.notify = on_node;
	xc_sched_init(&R.s, R.o.debounce_ms, R.o.resync_s, xc_now_ms());
	rc = xc_nl_open(&R.nl, nlbuf, sizeof(nlbuf));
	if (rc)
		return xc_err("netlink: %s", strerror(-rc)), 1;
	R.env.nexthops = xc_nl_nexthop_list(&R.nl, our_nexthop, NULL) == 0;
	if (R.o.cleanup)
		return cleanup();
	if (R.o.addr_map && xc_nodetab_load_map(&R.amap, R.o.addr_map, NULL, e, sizeof(e)))
		return xc_err("address map %s: %s", R.o.addr_map, e[0] ? e : strerror(errno)), 1;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	R.sfd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
	if (open_source())
		return 1;
	if (R.o.once || R.o.dry_run) {
		if (src_list())
			return 1;
		if (R.o.dry_run && env_refresh() == 0 &&
		    xc_tunnel_plan(&R.tun, &R.nl, R.mode, &R.env, plan, sizeof(plan)) > 0)
			fputs(plan, stdout);
		rc = sync_once();
		fflush(stdout);
		return rc;
	}
	if (start_daemon())
		return 1;
	publish_metrics();   /* before the first listing, which may take long */
	if (R.o.port)
		xc_info("xcluster-cni %s router running; health and metrics on 127.0.0.1:%u",
			XC_VERSION, R.o.port);
	else
		xc_info("xcluster-cni %s router running; health and metrics off", XC_VERSION);
	if (!R.o.masq.ncluster)
		xc_info("CLUSTER_CIDR is not set: a Node's pod CIDRs are trusted wherever the "
			"refusal rules allow (docs/router.md); set it to the cluster's pod ranges");
	return loop();
}
