/*
 * fuzz_ipam: core/cni/ipam_store on a network directory whose files are
 * arbitrary bytes, driven as node-local drives it (one open/close per
 * CNI call, fixed container IDs c0..c7 on eth0).
 *
 * The input is a list of at most MAX_OPS operations (the first byte of
 * each, modulo 12, picks one; the next bytes are its arguments):
 *   0 write an allocation record (address from a pool of 16 IPv4 and 16
 *     IPv6 names, plus non-canonical and out-of-range names)
 *   1 write last_reserved_ip.0/.1, 2 write xc-index whole,
 *   3 patch xc-index in place (dd conv=notrunc: the directory's mtime
 *     stays, so only the index's own checks can notice; B10),
 *   4 truncate or extend xc-index, or zero it in place from an offset,
 *   5 write lock, .xc-tmp.N or xc-index.tmp,
 *   6 make a FIFO, directory or symlink (to a file outside) of a name,
 *   7 ADD, 8 CHECK, 9 DEL, 10 GC, 11 STATUS.
 * The harness never touches a file it holds an allocation in: what it
 * allocated must stay exactly right. Beyond "no crash, no leak":
 *   - an ADD only returns addresses that had no file before, each now
 *     holding the caller's record; it fails when the caller already holds
 *     an address of a set it requests no address in, or the requested
 *     address is held; a failed ADD is an answer about addresses (7, 101,
 *     102, 108), never a disk error, and creates no allocation;
 *   - CHECK finds every address the harness holds for the ID; DEL releases
 *     them all (files gone, CHECK empty); GC keeps the valid ones and
 *     releases the others;
 *   - STATUS counts exactly the address names in the directory;
 *   - no fd is left open, and the file outside (a symlink's target) is
 *     never written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/cni/ipam_store.h"

#define MUST(c) do { if (!(c)) abort(); } while (0)
#define NCID 8
#define NPOOL 32
#define MAX_OPS 32

static const char *const extra[] = { "10.9.0.02", "fd00:0::3", "10.9.1.7", "fd00::1:2" };
static const char *const names[] = { "last_reserved_ip.0", "last_reserved_ip.1", "xc-index",
				     "lock", ".xc-tmp.1", "xc-index.tmp", "10.9.0.5",
				     "fd00::5", "podcidrs" };
static const char victim_text[] = "outside";

static char base[96], data_dir[128], net[160], victim[128];
static struct xc_ipam_set sets[2];
static struct xc_cni_err err;
static int fds0 = -1;

/* What the harness holds: a bit per pool address, per ID. */
static uint32_t held[NCID];
static int lock_bad;

static const uint8_t *in;
static size_t left;

static unsigned take(void)
{
	if (!left)
		return 0;
	left--;
	return *in++;
}

static const uint8_t *take_n(size_t *n)
{
	const uint8_t *p = in;

	if (*n > left)
		*n = left;
	in += *n;
	left -= *n;
	return p;
}

/* The pool, then extra[] (only the last two canonical); in set 0 / set 1. */
static char pool_txt[NPOOL + 4][XC_IP_STRLEN];
static struct xc_ip pool_ip[NPOOL];
static unsigned pool_inset[NPOOL + 4];

/* Pool index of an address, or -1. */
static int pool_of(const struct xc_ip *ip)
{
	const uint8_t *a = ip->a;

	if (ip->family == AF_INET && a[0] == 10 && a[1] == 9 && a[2] == 0 && a[3] < 16)
		return a[3];
	if (ip->family == AF_INET6 && a[0] == 0xfd && a[15] < 16) {
		for (int i = 1; i < 15; i++)
			if (a[i])
				return -1;
		return 16 + a[15];
	}
	return -1;
}

static uint32_t held_all(void)
{
	uint32_t m = 0;

	for (int k = 0; k < NCID; k++)
		m |= held[k];
	return m;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	MUST(d);
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

static void write_file(const char *name, const uint8_t *p, size_t n, int flags)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", net, name);
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | flags, 0600);
	if (fd < 0)
		return;
	if (n)
		MUST(write(fd, p, n) == (ssize_t)n);
	close(fd);
}

/* Regular files and directories named as pool addresses, and every address name. */
struct listing {
	uint32_t pool;
	int inset[2];
};

/* The harness only makes names of the pool and of extra[]: no parsing needed. */
static void list_dir(struct listing *l)
{
	DIR *d = opendir(net);
	struct dirent *e;

	memset(l, 0, sizeof(*l));
	MUST(d);
	while ((e = readdir(d))) {
		for (int i = 0; i < NPOOL + 4; i++) {
			if (strcmp(e->d_name, pool_txt[i]))
				continue;
			if (i < NPOOL)
				l->pool |= 1u << i;
			for (int s = 0; s < 2; s++)
				l->inset[s] += pool_inset[i] >> s & 1;
		}
	}
	closedir(d);
}

static int has_record(int p, int k)
{
	char path[256], buf[64], want[16];
	int fd, n;

	snprintf(path, sizeof(path), "%s/%s", net, pool_txt[p]);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return 0;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	snprintf(want, sizeof(want), "c%d\r\neth0", k);
	return n == (int)strlen(want) && !memcmp(buf, want, (size_t)n);
}

static int st_open(struct xc_ipam_store *st)
{
	int rc;

	xc_cni_err_init(&err);
	rc = xc_ipam_open(st, data_dir, "net", &err);
	MUST(!rc || lock_bad);
	st->nosync = 1;
	return rc;
}

/* --- the calls --------------------------------------------------------- */

static void op_add(void)
{
	unsigned a = take(), b = take(), k = a % NCID, mode = (a / NCID) % 3;
	const struct xc_ipam_set *s = mode == 1 ? &sets[1] : &sets[0];
	int nsets = mode == 2 ? 2 : 1, rc, dup = 0, taken = 0;
	struct xc_ipam_lease lease[2];
	struct xc_ipam_store st;
	struct listing before, after;
	struct xc_ip req;
	char cid[8];

	snprintf(cid, sizeof(cid), "c%u", k);
	if (b & 0x80)
		req = pool_ip[b % NPOOL];
	/* as the reference: a set given a requested address skips the check */
	for (int i = 0; i < NPOOL; i++)
		for (int j = 0; j < nsets; j++)
			if (held[k] >> i & 1 && xc_ipam_set_find(&s[j], &pool_ip[i]) >= 0 &&
			    !(b & 0x80 && xc_ipam_set_find(&s[j], &req) >= 0))
				dup = 1;
	if (b & 0x80)
		taken = held_all() >> pool_of(&req) & 1;
	list_dir(&before);
	if (st_open(&st))
		return;
	rc = xc_ipam_alloc(&st, s, nsets, cid, "eth0", &req, b & 0x80 ? 1 : 0, lease, &err);
	xc_ipam_close(&st);
	list_dir(&after);
	if (rc) {
		MUST(!(after.pool & ~before.pool));
		/* nothing here makes the disk fail: only an answer about addresses */
		MUST(err.code == XC_CNI_E_ADDR_IN_USE || err.code == XC_CNI_E_CONFIG ||
		     err.code == XC_CNI_E_DUPLICATE || err.code == XC_CNI_E_EXHAUSTED);
		return;
	}
	MUST(!dup);
	MUST(!taken);
	for (int j = 0; j < nsets; j++) {
		int p = pool_of(&lease[j].ip);

		MUST(p >= 0 && !(before.pool >> p & 1) && has_record(p, (int)k));
		MUST(xc_ipam_set_find(&s[j], &lease[j].ip) == lease[j].range);
		held[k] |= 1u << p;
	}
}

static void op_check(void)
{
	unsigned k = take() % NCID;
	struct xc_ipam_store st;
	struct xc_ip out[NPOOL + 8];
	uint32_t found = 0;
	char cid[8];
	int n;

	snprintf(cid, sizeof(cid), "c%u", k);
	if (st_open(&st))
		return;
	n = xc_ipam_find(&st, cid, "eth0", out, NPOOL + 8);
	xc_ipam_close(&st);
	MUST(n >= 0 && n <= NPOOL + 8);
	for (int i = 0; i < n; i++)
		if (pool_of(&out[i]) >= 0)
			found |= 1u << pool_of(&out[i]);
	MUST((found & held[k]) == held[k]);
}

static void op_del(void)
{
	unsigned k = take() % NCID;
	struct xc_ipam_store st;
	struct xc_ip out[NPOOL + 8];
	char cid[8];
	int n;

	snprintf(cid, sizeof(cid), "c%u", k);
	if (st_open(&st))
		return;
	n = xc_ipam_release(&st, cid, "eth0");
	MUST(n >= __builtin_popcount(held[k]));
	/* old records ("c1" alone) of the ID may remain: they come only now */
	n = xc_ipam_find(&st, cid, "eth0", out, NPOOL + 8);
	xc_ipam_close(&st);
	for (int i = 0; i < n && i < NPOOL + 8; i++)
		MUST(pool_of(&out[i]) < 0 || !(held[k] >> pool_of(&out[i]) & 1));
	for (int p = 0; p < NPOOL; p++)
		MUST(!(held[k] >> p & 1) || !has_record(p, (int)k));
	held[k] = 0;
}

static int keep(void *ctx, const char *cid, const char *ifname)
{
	unsigned mask = *(unsigned *)ctx;

	if (ifname && strcmp(ifname, "eth0"))
		return 0;
	return cid[0] == 'c' && cid[1] >= '0' && cid[1] < '0' + NCID && !cid[2] &&
	       mask >> (cid[1] - '0') & 1;
}

static void op_gc(void)
{
	unsigned mask = take();
	struct xc_ipam_store st;
	struct listing after;
	int n;

	if (st_open(&st))
		return;
	n = xc_ipam_gc(&st, keep, &mask);
	xc_ipam_close(&st);
	MUST(n >= 0);
	list_dir(&after);
	for (int k = 0; k < NCID; k++) {
		for (int p = 0; p < NPOOL; p++) {
			if (!(held[k] >> p & 1))
				continue;
			MUST(has_record(p, k) == (int)(mask >> k & 1));
		}
		if (!(mask >> k & 1))
			held[k] = 0;
	}
}

static void op_status(void)
{
	struct xc_ipam_store st;
	struct listing l;
	uint64_t u[2];

	if (st_open(&st))
		return;
	u[0] = xc_ipam_used(&st, &sets[0]);
	u[1] = xc_ipam_used(&st, &sets[1]);
	xc_ipam_close(&st);
	list_dir(&l);
	MUST(u[0] == (uint64_t)l.inset[0] && u[1] == (uint64_t)l.inset[1]);
}

/* --- the disk ---------------------------------------------------------- */

static void op_record(void)
{
	unsigned a = take(), len = take();
	const uint8_t *p;
	size_t n = len < 200 ? len : 200 + (len - 200) * 16;   /* past REC_MAX too */
	int i = (int)(a % (NPOOL + 4));

	p = take_n(&n);
	if (i < NPOOL && held_all() >> i & 1)
		return;
	write_file(pool_txt[i], p, n, O_TRUNC);
}

static void op_index_patch(void)
{
	unsigned off = take() << 8;
	char path[256];
	const uint8_t *p;
	struct stat sb;
	size_t n;
	int fd;

	off |= take();
	n = take();
	p = take_n(&n);
	snprintf(path, sizeof(path), "%s/xc-index", net);
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return;
	/* only within the file: growing it is op 4's */
	if (!fstat(fd, &sb) && S_ISREG(sb.st_mode) && off + n <= (size_t)sb.st_size)
		MUST(pwrite(fd, p, n, off) == (ssize_t)n);
	close(fd);
}

/* Truncate or extend xc-index to v, or zero it in place from v on. */
static void op_index_size(void)
{
	static const char zero[4096];
	unsigned mode = take(), v = take() << 8;
	char path[256];
	struct stat sb;
	int fd;

	v |= take();
	snprintf(path, sizeof(path), "%s/xc-index", net);
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return;
	if (!(mode & 1))
		MUST(!ftruncate(fd, v) || errno == EINVAL);
	else if (!fstat(fd, &sb))
		for (off_t off = v; off < sb.st_size; off += sizeof(zero))
			MUST(pwrite(fd, zero, sizeof(zero) < (size_t)(sb.st_size - off) ?
				    sizeof(zero) : (size_t)(sb.st_size - off), off) > 0);
	close(fd);
}

static void op_special(void)
{
	unsigned a = take(), kind = a % 3;
	const char *name = names[(a / 3) % (sizeof(names) / sizeof(names[0]))];
	char path[256];

	if (!strcmp(name, "10.9.0.5") && held_all() >> 5 & 1)
		return;
	if (!strcmp(name, "fd00::5") && held_all() >> 21 & 1)
		return;
	snprintf(path, sizeof(path), "%s/%s", net, name);
	if (!strcmp(name, "lock"))
		lock_bad = 1;
	unlink(path);
	rmdir(path);
	if (kind == 0)
		mkfifo(path, 0600);
	else if (kind == 1)
		mkdir(path, 0700);
	else
		MUST(!symlink(victim, path));
}

static void op_file(int what)
{
	unsigned a = take(), hi = take();
	const uint8_t *p;
	size_t n = ((size_t)hi << 8 | take()) % 12000;
	char name[32];

	p = take_n(&n);
	switch (what) {
	case 1:
		snprintf(name, sizeof(name), "last_reserved_ip.%u", a & 1);
		break;
	case 2:
		snprintf(name, sizeof(name), "xc-index");
		break;
	default:
		snprintf(name, sizeof(name), "%s",
			 a % 3 == 0 ? "lock" : a % 3 == 1 ? ".xc-tmp.1" : "xc-index.tmp");
	}
	write_file(name, p, n, O_TRUNC);
}

/* --- setup ------------------------------------------------------------- */

static void set_init(struct xc_ipam_set *s, const char *cidr)
{
	struct xc_prefix p;

	MUST(!xc_prefix_parse(cidr, &p));
	s->n = 1;
	MUST(!xc_ipam_range_init(&s->r[0], &p, NULL, NULL, NULL, "r", &err));
}

static void empty_dir(void)
{
	DIR *d = opendir(net);
	struct dirent *e;

	MUST(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0))
			MUST(!unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR));
	}
	closedir(d);
}

/* The state dir of this process goes at exit (libFuzzer ends with exit()). */
static void teardown(void)
{
	empty_dir();
	rmdir(net);
	rmdir(data_dir);
	unlink(victim);
	rmdir(base);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(base, sizeof(base), "%s/xc-fuzz-ipam.%d",
		 !access("/dev/shm", W_OK) ? "/dev/shm" : tmp && *tmp ? tmp : "/tmp", (int)getpid());
	mkdir(base, 0700);
	snprintf(data_dir, sizeof(data_dir), "%s/data", base);
	snprintf(net, sizeof(net), "%s/net", data_dir);
	snprintf(victim, sizeof(victim), "%s/victim", base);
	mkdir(data_dir, 0700);
	mkdir(net, 0755);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	MUST(fd >= 0 && write(fd, victim_text, sizeof(victim_text) - 1) > 0);
	close(fd);
	atexit(teardown);
	set_init(&sets[0], "10.9.0.0/28");
	set_init(&sets[1], "fd00::/124");
	for (int i = 0; i < NPOOL + 4; i++) {
		struct xc_ip ip;

		if (i < 16)
			sprintf(pool_txt[i], "10.9.0.%d", i);
		else if (i < NPOOL)
			sprintf(pool_txt[i], "fd00::%x", i - 16);
		else
			strcpy(pool_txt[i], extra[i - NPOOL]);
		if (i == NPOOL || i == NPOOL + 1)
			continue;       /* not canonical: never an allocation */
		MUST(!xc_ip_parse(pool_txt[i], &ip));
		if (i < NPOOL)
			pool_ip[i] = ip;
		for (int s = 0; s < 2; s++)
			pool_inset[i] |= (unsigned)(xc_ipam_set_find(&sets[s], &ip) >= 0) << s;
	}
}

/* Outside the network dir: only what setup made, the victim as it was. */
static void check_outside(void)
{
	char buf[32];
	struct stat sb;
	DIR *d;
	struct dirent *e;
	int n = 0, fd = open(victim, O_RDONLY);

	MUST(fd >= 0);
	MUST(read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(victim_text) - 1);
	MUST(!memcmp(buf, victim_text, sizeof(victim_text) - 1));
	MUST(!fstat(fd, &sb) && sb.st_nlink == 1);
	close(fd);
	for (int i = 0; i < 2; i++) {
		d = opendir(i ? data_dir : base);
		MUST(d);
		while ((e = readdir(d)))
			n++;
		closedir(d);
	}
	MUST(n == 7);   /* . .. data victim, and . .. net: nothing else */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fds0 < 0) {
		setup();
		fds0 = count_fds();
	}
	empty_dir();
	memset(held, 0, sizeof(held));
	lock_bad = 0;
	in = data;
	left = size;
	for (int i = 0; i < MAX_OPS && left; i++) {
		switch (take() % 12) {
		case 0: op_record(); break;
		case 1: op_file(1); break;
		case 2: op_file(2); break;
		case 3: op_index_patch(); break;
		case 4: op_index_size(); break;
		case 5: op_file(5); break;
		case 6: op_special(); break;
		case 7: op_add(); break;
		case 8: op_check(); break;
		case 9: op_del(); break;
		case 10: op_gc(); break;
		default: op_status(); break;
		}
	}
	MUST(count_fds() == fds0);
	check_outside();
	return 0;
}
