/*
 * test_ipam_store: ranges, the round-robin, and the state directory in
 * host-local's format: allocation, release, GC, damaged records, and the
 * index noticing every change made behind its back.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cni/ipam_store.h"
#include "t.h"

static struct xc_cni_err err;
static char root[128], net[192];
static const char *netname = "net";

/* Work in <root>/<name> from now on. */
static void set_net(const char *name)
{
	netname = name;
	snprintf(net, sizeof(net), "%s/%s", root, name);
}

/* --- helpers ----------------------------------------------------------- */

static int mkrange(struct xc_ipam_range *r, const char *subnet, const char *start,
		   const char *end, const char *gw)
{
	struct xc_prefix p;
	struct xc_ip s, e, g;

	if (xc_prefix_parse(subnet, &p) || (start && xc_ip_parse(start, &s)) ||
	    (end && xc_ip_parse(end, &e)) || (gw && xc_ip_parse(gw, &g)))
		return -100;
	xc_cni_err_init(&err);
	return xc_ipam_range_init(r, &p, start ? &s : NULL, end ? &e : NULL, gw ? &g : NULL,
				  "r", &err);
}

static void set1(struct xc_ipam_set *s, const char *subnet)
{
	s->n = 1;
	if (mkrange(&s->r[0], subnet, NULL, NULL, NULL))
		T(0);
}

static const char *ip_s(const struct xc_ip *ip)
{
	static char buf[4][XC_IP_STRLEN];
	static int i;

	i = (i + 1) % 4;
	xc_ip_format(ip, buf[i], sizeof(buf[i]));
	return buf[i];
}

static struct xc_ip ip_of(const char *s)
{
	struct xc_ip ip;

	memset(&ip, 0, sizeof(ip));
	if (xc_ip_parse(s, &ip))
		T(0);
	return ip;
}

static void put(const char *name, const char *content)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", net, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, content, strlen(content)) < 0)
		T(0);
	if (fd >= 0)
		close(fd);
}

/* Content of a file in the network directory; "(none)" when absent. */
static const char *get(const char *name)
{
	static char buf[512];
	char path[256];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", net, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return "(none)";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", net, name);
	return !access(path, F_OK);
}

static void del(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", net, name);
	unlink(path);
}

/* Remove a network directory (it has no subdirectories). */
static void clear_net(const char *name)
{
	struct dirent *d;
	DIR *dir;

	set_net(name);
	dir = opendir(net);
	while (dir && (d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			del(d->d_name);
	if (dir)
		closedir(dir);
	rmdir(net);
}

static int st_open(struct xc_ipam_store *st)
{
	xc_cni_err_init(&err);
	return xc_ipam_open(st, root, netname, &err);
}

/* ADD for one container over the sets; the leased addresses as text. */
static int add(const struct xc_ipam_set *sets, int n, const char *cid, const char *req,
	       char *out)
{
	struct xc_ipam_lease lease[XC_IPAM_MAX_SETS];
	struct xc_ipam_store st;
	struct xc_ip r;
	int rc = st_open(&st);

	if (rc)
		return rc;
	st.nosync = 1;
	if (req)
		r = ip_of(req);
	rc = xc_ipam_alloc(&st, sets, n, cid, "eth0", req ? &r : NULL, req ? 1 : 0, lease, &err);
	xc_ipam_close(&st);
	if (out) {
		out[0] = '\0';
		for (int i = 0; !rc && i < n; i++)
			sprintf(out + strlen(out), "%s%s", i ? " " : "", ip_s(&lease[i].ip));
	}
	return rc;
}

static int del_owner(const char *cid)
{
	struct xc_ipam_store st;
	int rc = st_open(&st);

	if (rc)
		return rc;
	rc = xc_ipam_release(&st, cid, "eth0");
	xc_ipam_close(&st);
	return rc;
}

/* Addresses of an owner (text, space separated) and whether open rebuilt. */
static const char *find(const char *cid, int *rebuilt)
{
	static char buf[256];
	struct xc_ip ips[8];
	struct xc_ipam_store st;
	int n;

	buf[0] = '\0';
	if (st_open(&st))
		return "(open failed)";
	if (rebuilt)
		*rebuilt = st.rebuilt;
	n = xc_ipam_find(&st, cid, "eth0", ips, 8);
	xc_ipam_close(&st);
	for (int i = 0; i < n && i < 8; i++)
		sprintf(buf + strlen(buf), "%s%s", i ? " " : "", ip_s(&ips[i]));
	return buf;
}

/* --- ranges ------------------------------------------------------------ */

static void test_ranges(void)
{
	struct xc_ipam_range r;
	struct xc_ipam_set s[2];
	char buf[128];

	T_INT(mkrange(&r, "10.1.2.77/24", NULL, NULL, NULL), 0);
	T_STR(ip_s(&r.subnet.ip), "10.1.2.0");
	T_STR(ip_s(&r.start), "10.1.2.1");
	T_STR(ip_s(&r.end), "10.1.2.254");
	T_STR(ip_s(&r.gateway), "10.1.2.1");
	T_INT(mkrange(&r, "fd00::/64", NULL, NULL, NULL), 0);
	T_STR(ip_s(&r.start), "fd00::1");
	T_STR(ip_s(&r.end), "fd00::ffff:ffff:ffff:ffff");
	T_INT(mkrange(&r, "10.0.0.0/24", "10.0.0.10", "10.0.0.20", "10.0.0.254"), 0);
	T_STR(ip_s(&r.gateway), "10.0.0.254");
	T_INT(mkrange(&r, "10.0.0.0/30", NULL, NULL, NULL), 0);
	T(mkrange(&r, "10.0.0.0/31", NULL, NULL, NULL) < 0);
	T_INT(err.code, 7);
	T(strstr(err.msg, "too small"));
	T(mkrange(&r, "fd00::/127", NULL, NULL, NULL) < 0);
	T(mkrange(&r, "10.0.0.0/24", NULL, NULL, "10.0.1.1") < 0);
	T_STR(err.msg, "r.gateway 10.0.1.1 is not in the subnet 10.0.0.0/24");
	T(mkrange(&r, "10.0.0.0/24", "10.0.0.30", "10.0.0.20", NULL) < 0);
	T(strstr(err.msg, "after rangeEnd"));
	T(mkrange(&r, "10.0.0.0/24", "fd00::1", NULL, NULL) < 0);

	/* capacity: network, broadcast and gateway never count */
	s[0].n = 1;
	T_INT(mkrange(&s[0].r[0], "10.1.2.0/29", NULL, NULL, NULL), 0);
	T_INT(xc_ipam_set_capacity(&s[0]), 5);
	T_INT(mkrange(&s[0].r[0], "10.1.2.0/29", "10.1.2.0", "10.1.2.7", NULL), 0);
	T_INT(xc_ipam_set_capacity(&s[0]), 5);
	T_INT(mkrange(&s[0].r[0], "fd00::/125", NULL, NULL, NULL), 0);
	T_INT(xc_ipam_set_capacity(&s[0]), 6);
	T_INT(mkrange(&s[0].r[0], "fd00::/64", NULL, NULL, NULL), 0);
	T(xc_ipam_set_capacity(&s[0]) == UINT64_MAX - 1);
	T_INT(mkrange(&s[0].r[0], "fd00::/48", NULL, NULL, NULL), 0);
	T(xc_ipam_set_capacity(&s[0]) == UINT64_MAX);

	/* sets: overlaps inside and across, families, emptiness */
	s[0].n = 2;
	mkrange(&s[0].r[0], "10.1.0.0/24", NULL, NULL, NULL);
	mkrange(&s[0].r[1], "10.1.0.0/25", NULL, NULL, NULL);
	T(xc_ipam_sets_check(s, 1, &err) < 0);
	T_STR(err.msg, "range set 0: ranges 0 and 1 overlap");
	mkrange(&s[0].r[1], "fd00::/64", NULL, NULL, NULL);
	T(xc_ipam_sets_check(s, 1, &err) < 0);
	T(strstr(err.msg, "mixes"));
	mkrange(&s[0].r[1], "10.1.1.0/24", NULL, NULL, NULL);
	T_INT(xc_ipam_sets_check(s, 1, &err), 0);
	xc_ipam_set_str(&s[0], buf, sizeof(buf));
	T_STR(buf, "10.1.0.1-10.1.0.254,10.1.1.1-10.1.1.254");
	s[1].n = 1;
	mkrange(&s[1].r[0], "10.1.1.128/25", NULL, NULL, NULL);
	T(xc_ipam_sets_check(s, 2, &err) < 0);
	T_STR(err.msg, "range set 0 overlaps with 1");
	mkrange(&s[1].r[0], "fd00::/64", NULL, NULL, NULL);
	T_INT(xc_ipam_sets_check(s, 2, &err), 0);
	s[1].n = 0;
	T(xc_ipam_sets_check(s, 2, &err) < 0);
	T(xc_ipam_sets_check(s, 0, &err) < 0);
	T_STR(err.msg, "no IP ranges specified");
}

static const char *walk(const struct xc_ipam_set *s, const char *last, int max)
{
	static char buf[512];
	struct xc_ipam_iter it;
	struct xc_ip ip, l;
	int range, n = 0;

	if (last)
		l = ip_of(last);
	xc_ipam_iter_init(&it, s, last ? &l : NULL);
	buf[0] = '\0';
	while (n++ < max && xc_ipam_iter_next(&it, &ip, &range))
		sprintf(buf + strlen(buf), "%s%s", n > 1 ? " " : "", ip_s(&ip));
	return buf;
}

static void test_order(void)
{
	struct xc_ipam_set s;

	set1(&s, "10.1.2.0/29");
	T_STR(walk(&s, NULL, 20), "10.1.2.2 10.1.2.3 10.1.2.4 10.1.2.5 10.1.2.6");
	/* from the cursor + 1, wrapping, the cursor itself last */
	T_STR(walk(&s, "10.1.2.4", 20), "10.1.2.5 10.1.2.6 10.1.2.2 10.1.2.3 10.1.2.4");
	T_STR(walk(&s, "10.1.2.6", 20), "10.1.2.2 10.1.2.3 10.1.2.4 10.1.2.5 10.1.2.6");
	/* a cursor outside the set: from the start */
	T_STR(walk(&s, "10.9.9.9", 3), "10.1.2.2 10.1.2.3 10.1.2.4");
	T_STR(walk(&s, "fd00::5", 2), "10.1.2.2 10.1.2.3");

	/* network and broadcast are skipped even when the range includes them */
	s.n = 1;
	mkrange(&s.r[0], "10.1.2.0/29", "10.1.2.0", "10.1.2.7", "10.1.2.3");
	T_STR(walk(&s, NULL, 20), "10.1.2.1 10.1.2.2 10.1.2.4 10.1.2.5 10.1.2.6");

	/* several ranges: in order, moving on after each end */
	s.n = 2;
	mkrange(&s.r[0], "10.0.0.0/24", "10.0.0.250", NULL, NULL);
	mkrange(&s.r[1], "10.0.9.0/29", NULL, "10.0.9.3", "10.0.9.3");
	T_STR(walk(&s, NULL, 20), "10.0.0.250 10.0.0.251 10.0.0.252 10.0.0.253 10.0.0.254 "
				  "10.0.9.1 10.0.9.2");
	T_STR(walk(&s, "10.0.0.254", 3), "10.0.9.1 10.0.9.2 10.0.0.250");

	set1(&s, "fd00::/125");
	T_STR(walk(&s, NULL, 20), "fd00::2 fd00::3 fd00::4 fd00::5 fd00::6 fd00::7");
}

/* --- the store --------------------------------------------------------- */

static void test_basic(void)
{
	struct xc_ipam_set s[2];
	struct xc_ipam_store st;
	char out[128];
	int rebuilt = -1;

	set1(&s[0], "10.1.2.0/29");
	set1(&s[1], "fd00::/125");
	T_INT(add(s, 2, "c1", NULL, out), 0);
	T_STR(out, "10.1.2.2 fd00::2");
	/* byte for byte what host-local writes */
	T_STR(get("10.1.2.2"), "c1\r\neth0");
	T_STR(get("fd00::2"), "c1\r\neth0");
	T_STR(get("last_reserved_ip.0"), "10.1.2.2");
	T_STR(get("last_reserved_ip.1"), "fd00::2");
	T(exists("lock"));
	T_INT(add(s, 2, "c2", NULL, out), 0);
	T_STR(out, "10.1.2.3 fd00::3");
	T_STR(find("c1", &rebuilt), "10.1.2.2 fd00::2");
	T_INT(rebuilt, 0);            /* our own changes keep the index trusted */
	T_STR(find("nobody", NULL), "");

	/* duplicate ADD for the same container and interface */
	T(add(s, 2, "c1", NULL, out) < 0);
	T_INT(err.code, 108);
	T(strstr(err.msg, "10.1.2.2 has been allocated to c1"));

	T_INT(del_owner("c1"), 2);
	T(!exists("10.1.2.2"));
	T(!exists("fd00::2"));
	T_INT(del_owner("c1"), 0);    /* DEL is idempotent */
	T_STR(find("c1", NULL), "");
	T_INT(add(s, 2, "c3", NULL, out), 0);
	T_STR(out, "10.1.2.4 fd00::4");

	/* used: exact from the index */
	T_INT(st_open(&st), 0);
	T_INT(xc_ipam_used(&st, &s[0]), 2);
	T_INT(xc_ipam_used(&st, &s[1]), 2);
	xc_ipam_close(&st);
}

static void test_requested(void)
{
	struct xc_ipam_set s[2];
	char out[128];

	set1(&s[0], "10.1.3.0/29");
	set1(&s[1], "fd00:3::/125");
	T_INT(add(s, 2, "r1", "10.1.3.5", out), 0);
	T_STR(out, "10.1.3.5 fd00:3::2");
	T_STR(get("last_reserved_ip.0"), "10.1.3.5");
	T(add(s, 2, "r2", "10.1.3.5", out) < 0);
	T_INT(err.code, 102);
	T_STR(err.msg, "requested IP address 10.1.3.5 is not available in range set "
		       "10.1.3.1-10.1.3.6");
	T(add(s, 2, "r2", "10.1.3.1", out) < 0);
	T_INT(err.code, 102);
	T(strstr(err.msg, "gateway"));
	T(add(s, 2, "r2", "10.1.4.1", out) < 0);
	T_INT(err.code, 7);
	T_INT(add(s, 2, "r3", "fd00:3::7", out), 0);
	T_STR(out, "10.1.3.6 fd00:3::7");
	/* nothing of the failed ADDs is left behind */
	T_STR(find("r2", NULL), "");
	T_STR(get("last_reserved_ip.1"), "fd00:3::7");
}

static void test_exhaustion(void)
{
	struct xc_ipam_set s[2];
	char out[128], name[64];

	set1(&s[0], "10.1.4.0/29");
	set1(&s[1], "fd00:4::/125");
	for (int i = 0; i < 5; i++) {
		sprintf(name, "e%d", i);
		T_INT(add(s, 2, name, NULL, out), 0);
	}
	T_STR(get("last_reserved_ip.0"), "10.1.4.6");
	T(add(s, 2, "e5", NULL, out) < 0);
	T_INT(err.code, 101);
	T_STR(err.msg, "no IP addresses available in range set: 10.1.4.1-10.1.4.6");

	/* dual stack is all or nothing: IPv6 full, IPv4 not */
	T_INT(del_owner("e1"), 2);
	put("fd00:4::3", "foreign\r\neth0");
	put("fd00:4::7", "foreign\r\neth0");
	T(add(s, 2, "e6", NULL, out) < 0);
	T_INT(err.code, 101);
	T(strstr(err.msg, "fd00:4::1-fd00:4::7"));
	T(!exists("10.1.4.3"));
	T_STR(get("last_reserved_ip.0"), "10.1.4.6");
	T_STR(find("e6", NULL), "");
	/* and with room again, the round-robin goes on from the cursor */
	del("fd00:4::3");
	del("fd00:4::7");
	T_INT(add(s, 2, "e6", NULL, out), 0);
	T_STR(out, "10.1.4.3 fd00:4::7");
}

/* Records written by others: old format, white space, empty, damaged names. */
static void test_records(void)
{
	struct xc_ipam_set s;
	char out[128];
	int rebuilt = -1;

	set1(&s, "10.1.5.0/29");
	put("10.1.5.2", "old1");
	put("10.1.5.3", "ws1\r\neth0\n");
	put("10.1.5.4", "");
	put("10.1.5.5", "both\r\neth0");
	put("10.1.5.6", "both");
	put("10.1.5.06", "odd\r\neth0");        /* not a canonical name: ignored */
	T_STR(find("old1", &rebuilt), "10.1.5.2");
	T_INT(rebuilt, 1);
	T_STR(find("ws1", NULL), "10.1.5.3");
	T_STR(find("both", NULL), "10.1.5.5");  /* new records first, as host-local */
	T_STR(find("odd", NULL), "");
	/* the empty record still holds its address */
	T(add(&s, 1, "n1", NULL, out) < 0);
	T_INT(err.code, 101);
	T_INT(del_owner("both"), 1);
	T(exists("10.1.5.6"));
	T_INT(del_owner("both"), 1);            /* then the old one */
	T(!exists("10.1.5.6"));
	T_INT(del_owner("old1"), 1);
	T_INT(del_owner("ws1"), 1);
	T_INT(add(&s, 1, "n1", NULL, out), 0);
	T_STR(out, "10.1.5.2");
}

struct keep_ctx {
	const char *keep;
	int calls, empty, legacy;
};

static int keep_fn(void *ctx, const char *cid, const char *ifname)
{
	struct keep_ctx *k = ctx;

	k->calls++;
	k->empty += !cid[0];
	k->legacy += cid[0] && !ifname;
	return cid[0] && strstr(k->keep, cid) != NULL && (!ifname || !strcmp(ifname, "eth0"));
}

static void test_gc(void)
{
	struct xc_ipam_set s;
	struct xc_ipam_store st;
	struct keep_ctx k = { "g2 old", 0, 0, 0 };
	char out[128], path[256];

	set_net("gc");
	set1(&s, "10.1.6.0/28");
	T_INT(add(&s, 1, "g1", NULL, out), 0);
	T_INT(add(&s, 1, "g2", NULL, out), 0);
	T_INT(add(&s, 1, "g3", NULL, out), 0);
	put("10.1.6.10", "");
	put("10.1.6.11", "old");
	put("10.1.6.12", "gone");
	put("10.1.6.13", "g2\r\net");            /* a truncated record: not g2's eth0 */
	put(".xc-tmp.999999", "g9\r\neth0");     /* left by a killed writer */
	snprintf(path, sizeof(path), "%s/10.1.6.14", net);
	T_INT(mkdir(path, 0755), 0);              /* no record, and not GC's to remove */
	T_INT(st_open(&st), 0);
	T_INT(xc_ipam_gc(&st, keep_fn, &k), 5);
	xc_ipam_close(&st);
	T_INT(k.calls, 8);
	T_INT(k.empty, 2);             /* the empty record and the directory */
	T_INT(k.legacy, 2);
	T(!exists("10.1.6.2"));
	T(exists("10.1.6.3"));
	T(!exists("10.1.6.4"));
	T(!exists("10.1.6.10"));
	T(exists("10.1.6.11"));
	T(!exists("10.1.6.12"));
	T(!exists("10.1.6.13"));
	T(!exists(".xc-tmp.999999"));
	T(exists("10.1.6.14"));
	T_INT(rmdir(path), 0);
	T(exists("lock"));
	T(exists("last_reserved_ip.0"));
	T_STR(find("g2", NULL), "10.1.6.3");
	T_STR(find("g1", NULL), "");
	set_net("net");
}

/* Every change made behind the index's back is noticed. */
static void test_staleness(void)
{
	struct xc_ipam_set s;
	char out[128], name[64], path[256];
	int rebuilt = -1, missed = 0, fd;

	set1(&s, "10.1.7.0/24");
	T_INT(add(&s, 1, "s1", NULL, out), 0);
	T_STR(find("s1", &rebuilt), "10.1.7.2");
	T_INT(rebuilt, 0);
	/* host-local allocates: create */
	put("10.1.7.50", "hl1\r\neth0");
	T_STR(find("hl1", &rebuilt), "10.1.7.50");
	T_INT(rebuilt, 1);
	T_STR(find("hl1", &rebuilt), "10.1.7.50");
	T_INT(rebuilt, 0);
	/* host-local releases: unlink */
	del("10.1.7.2");
	T_STR(find("s1", &rebuilt), "");
	T_INT(rebuilt, 1);
	/* released and re-allocated to someone else with the same name */
	del("10.1.7.50");
	put("10.1.7.50", "hl2\r\neth0");
	T_STR(find("hl1", NULL), "");
	T_STR(find("hl2", NULL), "10.1.7.50");

	/* within the same clock tick as our last change: still seen */
	for (int i = 0; i < 50; i++) {
		sprintf(name, "t%d", i);
		if (add(&s, 1, name, NULL, NULL))
			break;
		sprintf(name, "10.1.7.%d", 100 + i);
		put(name, "tick\r\neth0");
		sprintf(name, "10.1.7.%d", 100 + i);
		if (!strstr(find("tick", &rebuilt), name))
			missed++;
		del(name);
	}
	T_INT(missed, 0);

	/* an index that cannot be trusted is rebuilt, and still right */
	put("xc-index", "garbage");
	T_STR(find("hl2", &rebuilt), "10.1.7.50");
	T_INT(rebuilt, 1);
	snprintf(path, sizeof(path), "%s/xc-index", net);
	T_INT(truncate(path, 200), 0);
	T_STR(find("hl2", &rebuilt), "10.1.7.50");
	T_INT(rebuilt, 1);
	/* the dirty flag of a writer that died half-way */
	fd = open(path, O_RDWR);
	T(fd >= 0 && pwrite(fd, "\1", 1, 20) == 1);
	if (fd >= 0)
		close(fd);
	T_STR(find("hl2", &rebuilt), "10.1.7.50");
	T_INT(rebuilt, 1);
	del("xc-index");
	T_STR(find("hl2", &rebuilt), "10.1.7.50");
	T_INT(rebuilt, 1);
	T_STR(find("hl2", &rebuilt), "10.1.7.50");
	T_INT(rebuilt, 0);
}

/* Flip bits at `at` in the first live slot of the index (in place); 0 if none. */
static int corrupt_slot(int at, int bits)
{
	char path[256], one[32];
	uint64_t key;
	int fd, done = 0;

	snprintf(path, sizeof(path), "%s/xc-index", net);
	fd = open(path, O_RDWR);
	for (off_t off = 128; fd >= 0 && !done && pread(fd, one, 32, off) == 32; off += 32) {
		memcpy(&key, one, 8);
		if (key > 1) {
			one[at] ^= (char)bits;
			done = pwrite(fd, one, 32, off) == 32;
		}
	}
	if (fd >= 0)
		close(fd);
	return done;
}

/*
 * B10: the index changed in place (dd conv=notrunc: the directory's mtime
 * stays, so its stamp still matches) is not trusted: the owners are found
 * and released all the same, and the damaged index is dropped for a rebuild.
 */
static void test_index_in_place(void)
{
	struct xc_ipam_set s;
	struct xc_ipam_lease lease;
	struct xc_ipam_store st;
	struct stat sb;
	char path[256], name[32], zero[32] = { 0 };
	int rebuilt = -1, fd, ok = 0;

	set_net("b10");
	set1(&s, "10.1.9.0/24");
	T_INT(add(&s, 1, "c1", NULL, NULL), 0);
	T_INT(add(&s, 1, "c2", NULL, NULL), 0);
	T_STR(find("c1", &rebuilt), "10.1.9.2");
	T_INT(rebuilt, 0);
	/* every slot zeroed, the header kept */
	snprintf(path, sizeof(path), "%s/xc-index", net);
	fd = open(path, O_RDWR);
	T(fd >= 0 && !fstat(fd, &sb));
	for (off_t off = 128; fd >= 0 && off < sb.st_size; off += 32)
		T(pwrite(fd, zero, 32, off) == 32);
	if (fd >= 0)
		close(fd);
	T_STR(find("c1", NULL), "10.1.9.2");
	T(!exists("xc-index"));
	T_STR(find("c2", &rebuilt), "10.1.9.3");
	T_INT(rebuilt, 1);
	/* a live slot's family, then its address, changed */
	T(corrupt_slot(8, 0x40));
	T_STR(find("c1", NULL), "10.1.9.2");
	T_STR(find("c2", NULL), "10.1.9.3");
	T_INT(del_owner("c1"), 1);
	T(corrupt_slot(19, 0x10));
	T_INT(del_owner("c2"), 1);
	T(!exists("10.1.9.2") && !exists("10.1.9.3"));
	T_STR(find("c2", &rebuilt), "");
	T_INT(rebuilt, 1);
	/* the header's counts: the index is rebuilt at open */
	T_INT(add(&s, 1, "c3", NULL, NULL), 0);
	fd = open(path, O_RDWR);
	T(fd >= 0 && pwrite(fd, zero, 4, 12) == 4);
	if (fd >= 0)
		close(fd);
	T_STR(find("c3", &rebuilt), "10.1.9.4");
	T_INT(rebuilt, 1);
	clear_net("b10");

	/* a damaged slot met when the table grows (at the 129th entry of 256 slots) */
	set_net("b10g");
	set1(&s, "10.1.10.0/24");
	T_INT(st_open(&st), 0);
	st.nosync = 1;
	for (int i = 0; i < 128; i++) {
		sprintf(name, "g%d", i);
		ok += !xc_ipam_alloc(&st, &s, 1, name, "eth0", NULL, 0, &lease, &err);
	}
	xc_ipam_close(&st);
	T_INT(ok, 128);
	snprintf(path, sizeof(path), "%s/xc-index", net);
	fd = open(path, O_RDWR);
	T(fd >= 0 && !fstat(fd, &sb) && sb.st_size == 128 + 256 * 32);
	T(fd >= 0 && pwrite(fd, "\1", 1, sb.st_size - 32 + 8) == 1);
	if (fd >= 0)
		close(fd);
	T_INT(add(&s, 1, "grow", NULL, NULL), 0);
	T(!exists("xc-index"));
	T_INT(st_open(&st), 0);
	T_INT(st.rebuilt, 1);
	T_INT(xc_ipam_used(&st, &s), 129);
	xc_ipam_close(&st);
	T_STR(find("g0", NULL), "10.1.10.2");
	clear_net("b10g");
	set_net("net");
}

/*
 * A record rewritten in place (O_TRUNC: the directory's mtime stays) is
 * refiled under its present owner when met: the index still counts it, and
 * the new owner finds it from then on.
 */
static void test_record_in_place(void)
{
	struct xc_ipam_set s;
	struct xc_ipam_store st;
	int rebuilt = -1;

	set_net("rw");
	set1(&s, "10.1.11.0/24");
	T_INT(add(&s, 1, "r0", NULL, NULL), 0);
	put("10.1.11.5", "r1");
	T_STR(find("r1", &rebuilt), "10.1.11.5");
	T_INT(rebuilt, 1);
	put("10.1.11.5", "r2");
	T_STR(find("r1", &rebuilt), "");
	T_INT(rebuilt, 0);
	T_INT(st_open(&st), 0);
	T_INT(st.rebuilt, 0);
	T_INT(xc_ipam_used(&st, &s), 2);
	xc_ipam_close(&st);
	T_STR(find("r2", NULL), "10.1.11.5");
	T_INT(del_owner("r2"), 1);
	T(!exists("10.1.11.5"));
	clear_net("rw");
	set_net("net");
}

/* Growth: many allocations, all found again through a grown index. */
static void test_many(void)
{
	struct xc_ipam_set s;
	struct xc_ipam_lease lease;
	struct xc_ipam_store st;
	struct xc_ip ip;
	char name[32];
	int ok = 0, found = 0;

	set1(&s, "10.2.0.0/20");
	T_INT(st_open(&st), 0);
	st.nosync = 1;
	for (int i = 0; i < 1500; i++) {
		sprintf(name, "m%d", i);
		ok += !xc_ipam_alloc(&st, &s, 1, name, "eth0", NULL, 0, &lease, &err);
	}
	xc_ipam_close(&st);
	T_INT(ok, 1500);
	T_INT(st_open(&st), 0);
	T_INT(st.rebuilt, 0);
	T_INT(xc_ipam_used(&st, &s), 1500);
	for (int i = 0; i < 1500; i += 7) {
		sprintf(name, "m%d", i);
		found += xc_ipam_find(&st, name, "eth0", &ip, 1) == 1 &&
			 xc_ipam_set_find(&s, &ip) == 0;
	}
	T_INT(found, 215);
	T_INT(xc_ipam_release(&st, "m700", "eth0"), 1);
	xc_ipam_close(&st);
	T_STR(find("m700", NULL), "");
	T_STR(find("m1499", NULL), "10.2.5.221");
}

static void test_podcidrs(void)
{
	struct xc_prefix p[4];

	T_INT(xc_ipam_podcidrs(root, "net", p, 4, &err), -ENOENT);
	put("podcidrs", "# this node\n10.244.1.0/24\n\n  fd00:1::/64  # v6\n");
	T_INT(xc_ipam_podcidrs(root, "net", p, 4, &err), 2);
	T_INT(p[0].len, 24);
	T_STR(ip_s(&p[1].ip), "fd00:1::");
	T_INT(xc_ipam_podcidrs(root, "net", p, 1, &err), -EINVAL);
	T_STR(err.msg, "podcidrs: more than 1 CIDRs");
	put("podcidrs", "10.244.1.0/24\nnonsense\n");
	T_INT(xc_ipam_podcidrs(root, "net", p, 4, &err), -EINVAL);
	T_INT(err.code, 7);
	T_STR(err.msg, "podcidrs line 2 is not a CIDR: \"nonsense\"");
	put("podcidrs", "");
	T_INT(xc_ipam_podcidrs(root, "net", p, 4, &err), 0);
	/* a CIDR the router refuses: code 11 with its reason, whatever else is there */
	put("podcidrs", "10.244.1.0/24\nrefused fd00:1::/64 overlaps n2's fd00::/48 (created earlier)\n");
	T_INT(xc_ipam_podcidrs(root, "net", p, 4, &err), -EAGAIN);
	T_INT(err.code, 11);
	T(strstr(err.msg, "fd00:1::/64 overlaps n2's fd00::/48 (created earlier)") != NULL);
	put("podcidrs", "refused nonsense because\n");
	T_INT(xc_ipam_podcidrs(root, "net", p, 4, &err), -EINVAL);
	del("podcidrs");
}

/* The file's owner, core/base/podcidrs: what the router writes, node-local reads. */
static void test_podcidrs_file(void)
{
	struct xc_prefix w[2], r[XC_PODCIDRS_MAX];
	char big[XC_PODCIDRS_SIZE_MAX + 2], why[80];

	T_INT(xc_prefix_parse("10.244.7.0/24", &w[0]), 0);
	T_INT(xc_prefix_parse("fd00:7::/64", &w[1]), 0);
	T_INT(xc_podcidrs_write(root, "pcf", "node-7", w, NULL, 2), 1);
	T_INT(xc_podcidrs_write(root, "pcf", "node-7", w, NULL, 2), 0);     /* unchanged: untouched */
	T_INT(xc_podcidrs_read(root, "pcf", r, XC_PODCIDRS_MAX, why, sizeof(why)), 2);
	T(!memcmp(r, w, sizeof(w)));
	T_INT(xc_podcidrs_read(root, "pcf", r, 1, why, sizeof(why)), -E2BIG);
	T_STR(why, "more than 1 CIDRs");
	T_INT(xc_podcidrs_read(root, "../pcf", r, 2, NULL, 0), -EINVAL);
	T_INT(xc_podcidrs_write(root, "pcf", "n", w, NULL, 0), -EINVAL);
	T_INT(xc_podcidrs_write(root, "pcf", "n", w, NULL, XC_PODCIDRS_MAX + 1), -EINVAL);
	/* the router's verdict on one of them, a line break and '#' in it made harmless */
	{
		const char *refused[2] = { NULL, "overlaps\nn2's # fd00::/48" };
		char why2[XC_PODCIDRS_REASON_MAX + 64];

		T_INT(xc_podcidrs_write(root, "pcf", "node-7", w, refused, 2), 1);
		T_INT(xc_podcidrs_read(root, "pcf", r, XC_PODCIDRS_MAX, why2, sizeof(why2)), -EACCES);
		T_STR(why2, "fd00:7::/64 overlaps?n2's ? fd00::/48");
		T_INT(xc_podcidrs_write(root, "pcf", "node-7", w, NULL, 2), 1);  /* fixed: plain again */
		T_INT(xc_podcidrs_read(root, "pcf", r, XC_PODCIDRS_MAX, why2, sizeof(why2)), 2);
	}
	/* node-local's own verdict goes in only where the router's is not */
	{
		const char *refused[2] = { "contains a node's address", NULL };

		T_INT(xc_podcidrs_create(root, "pcf", "node-7", w, refused, 2), 0);
		T_INT(xc_podcidrs_read(root, "pcf", r, XC_PODCIDRS_MAX, why, sizeof(why)), 2);
		T_INT(xc_podcidrs_create(root, "pcf2", "node-7", w, refused, 2), 1);
		T_INT(xc_podcidrs_read(root, "pcf2", r, XC_PODCIDRS_MAX, why, sizeof(why)), -EACCES);
		T_INT(xc_podcidrs_create(root, "pcf2", "node-7", w, NULL, 2), 0);
		T_INT(xc_podcidrs_read(root, "pcf2", r, XC_PODCIDRS_MAX, why, sizeof(why)), -EACCES);
		T_INT(xc_podcidrs_write(root, "pcf2", "node-7", w, NULL, 2), 1);   /* the router's wins */
		T_INT(xc_podcidrs_read(root, "pcf2", r, XC_PODCIDRS_MAX, why, sizeof(why)), 2);
	}
	set_net("pcf");
	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	put("podcidrs", big);                           /* one byte over the limit */
	T_INT(xc_podcidrs_read(root, "pcf", r, 2, NULL, 0), -EFBIG);
	big[sizeof(big) - 2] = 0;
	put("podcidrs", big);                           /* exactly the limit: a comment */
	T_INT(xc_podcidrs_read(root, "pcf", r, 2, NULL, 0), 0);
	del("podcidrs");
}

/* Special files where records, cursors, the lock or podcidrs belong. */
static void test_special(void)
{
	struct xc_ipam_set s;
	struct xc_ipam_store st;
	struct xc_prefix p[2];
	char out[128], path[256];

	set_net("sp");
	set1(&s, "10.1.8.0/29");
	T_INT(add(&s, 1, "s0", NULL, out), 0);      /* creates the directory */
	del("last_reserved_ip.0");
	snprintf(path, sizeof(path), "%s/last_reserved_ip.0", net);
	T_INT(mkfifo(path, 0600), 0);
	T_INT(add(&s, 1, "s1", NULL, out), 0);      /* a FIFO cursor: no hang */
	T_STR(out, "10.1.8.3");
	snprintf(path, sizeof(path), "%s/podcidrs", net);
	T_INT(mkfifo(path, 0600), 0);
	T_INT(xc_ipam_podcidrs(root, "sp", p, 2, &err), -EBADFD);
	del("podcidrs");
	T_INT(symlink("/etc/hostname", path), 0);
	T_INT(xc_ipam_podcidrs(root, "sp", p, 2, &err), -ELOOP);
	del("podcidrs");
	del("lock");
	snprintf(path, sizeof(path), "%s/lock", net);
	T_INT(mkfifo(path, 0600), 0);
	T(st_open(&st) < 0);                         /* a FIFO lock: refused, no hang */
	T_INT(err.code, 104);
	T(strstr(err.msg, "lock"));
	del("lock");
	clear_net("sp");
	set_net("net");
}

static void test_open_fail(void)
{
	struct xc_ipam_store st;
	char path[256];

	snprintf(path, sizeof(path), "%s/file", root);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	xc_cni_err_init(&err);
	T(xc_ipam_open(&st, path, "net", &err) < 0);
	T_INT(err.code, 104);
	T(strstr(err.msg, path));
	xc_ipam_close(&st);          /* safe after a failed open */
	unlink(path);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/xc-test-ipam-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	set_net("net");
	test_ranges();
	test_order();
	test_basic();
	test_requested();
	test_exhaustion();
	test_records();
	test_gc();
	test_staleness();
	test_index_in_place();
	test_record_in_place();
	test_many();
	test_podcidrs();
	test_podcidrs_file();
	test_special();
	test_open_fail();
	clear_net("net");
	clear_net("gc");
	clear_net("pcf");
	rmdir(root);
	return t_done("test_ipam_store");
}
