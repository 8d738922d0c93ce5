/*
 * ipam_store: the network directory, its lock, allocation files and the
 * owner records (design at the head of ipam_store.h; the index is
 * ipam_index.c, ranges ipam_range.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fdio.h"
#include "cni/ipam_index.h"
#include "cni/ipam_store.h"

#define TMP_PREFIX ".xc-tmp."
#define CURSOR_PREFIX "last_reserved_ip."
#define REC_MAX 512            /* an owner record is at most 255 + 2 + 15 bytes */

/* --- small helpers ----------------------------------------------------- */

static uint64_t rec_key(const char *rec, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)rec[i]) * 0x100000001b3ULL;
	return h < 2 ? h + 2 : h;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The record without surrounding white space, as the reference compares it. */
static size_t trim(const char **p, size_t n)
{
	while (n && is_space(**p)) {
		(*p)++;
		n--;
	}
	while (n && is_space((*p)[n - 1]))
		n--;
	return n;
}

/* Canonical text of ip is name: the only names we treat as allocations. */
static int ip_name(const char *name, struct xc_ip *ip)
{
	char back[XC_IP_STRLEN];

	return !xc_ip_parse(name, ip) && !ip->zone[0] &&
	       !xc_ip_format(ip, back, sizeof(back)) && !strcmp(back, name);
}

static void ip_text(const struct xc_ip *ip, char *buf)
{
	if (xc_ip_format(ip, buf, XC_IP_STRLEN))
		strcpy(buf, "?");
}

/* A small regular file under the directory (never a link); length or -errno. */
static long read_small(int dirfd, const char *name, char *buf, size_t size)
{
	return (long)xc_file_read(dirfd, name, O_NOFOLLOW, buf, size);
}

/* --- directory scan ---------------------------------------------------- */

struct dirent64_k {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Call fn for each entry name (without "." and ".."). Stops at fn < 0. */
static int scan(struct xc_ipam_store *st, int (*fn)(struct xc_ipam_store *, const char *, void *),
		void *ctx)
{
	char buf[8192] __attribute__((aligned(8)));
	int fd = openat(st->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	long n;

	if (fd < 0)
		return -errno;
	while (!rc && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; !rc && off < n;) {
			struct dirent64_k *d = (struct dirent64_k *)(buf + off);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				rc = fn(st, d->d_name, ctx);
		}
	}
	if (!rc && n < 0)
		rc = -errno;
	close(fd);
	return rc < 0 ? rc : 0;
}

/* --- rebuild (and GC) from a full scan --------------------------------- */

struct rebuild {
	void *map;                 /* the new index, or NULL: release only */
	uint64_t count;
	int (*keep)(void *ctx, const char *cid, const char *ifname);
	void *ctx;
	int released;
	int err;                   /* first record GC could not remove */
};

static int count_entry(struct xc_ipam_store *st, const char *name, void *ctx)
{
	struct xc_ip ip;

	(void)st;
	if (ip_name(name, &ip))
		((struct rebuild *)ctx)->count++;
	return 0;
}

/* May the GC's keep() let this record live? */
static int keep_record(struct rebuild *rb, const char *rec, size_t n, long len)
{
	char cid[REC_MAX], ifname[REC_MAX];
	const char *crlf = len < 0 ? NULL : memmem(rec, n, "\r\n", 2);

	if (!rb->keep)
		return 1;
	if (len < 0 || n >= sizeof(cid))
		return rb->keep(rb->ctx, "", NULL);
	memcpy(cid, rec, crlf ? (size_t)(crlf - rec) : n);
	cid[crlf ? (size_t)(crlf - rec) : n] = '\0';
	if (!crlf)
		return rb->keep(rb->ctx, cid, NULL);
	memcpy(ifname, crlf + 2, n - (size_t)(crlf - rec) - 2);
	ifname[n - (size_t)(crlf - rec) - 2] = '\0';
	return rb->keep(rb->ctx, cid, ifname);
}

static int fill_entry(struct xc_ipam_store *st, const char *name, void *ctx)
{
	struct rebuild *rb = ctx;
	char buf[REC_MAX];
	const char *rec = buf;
	struct xc_ip ip;
	long len;
	size_t n;

	if (!strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) && strcmp(name, st->tmp)) {
		unlinkat(st->dirfd, name, 0);
		return 0;
	}
	if (!ip_name(name, &ip))
		return 0;
	len = read_small(st->dirfd, name, buf, sizeof(buf));
	n = len < 0 ? 0 : trim(&rec, (size_t)len);
	if (!keep_record(rb, rec, n, len)) {
		if (!unlinkat(st->dirfd, name, 0) || errno == ENOENT) {
			rb->released++;
			return 0;
		}
		/* A directory named as an address is no record: not ours to remove. */
		if (!rb->err && errno != EISDIR)
			rb->err = -errno;
	}
	return rb->map ? xc_ipam_idx_put(rb->map, rec_key(rec, n), &ip) : 0;
}

/* Rebuild the index from the directory; with keep, release what it refuses. */
static int rebuild(struct xc_ipam_store *st, struct rebuild *rb)
{
	int fd, rc;

	xc_ipam_idx_touch(st);
	rb->count = 0;
	rc = scan(st, count_entry, rb);
	if (!rc)
		rc = xc_ipam_idx_create(st, rb->count + 16, &fd, &rb->map);
	if (rc)
		return rc;
	rc = scan(st, fill_entry, rb);
	if (rc) {
		xc_ipam_idx_discard(st, fd, rb->map);
		return rc;
	}
	st->rebuilt = 1;
	return xc_ipam_idx_install(st, fd, rb->map);
}

/* --- open / close ------------------------------------------------------ */

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

static int open_fail(struct xc_ipam_store *st, const char *what, const char *path, int rc,
		     struct xc_cni_err *err)
{
	xc_cni_errf(err, XC_CNI_E_STATE, "cannot %s %s: %s", what, path, strerror(-rc));
	xc_cni_err_details(err, "node-local keeps its allocations under dataDir (default %s); "
			   "it must be a writable local directory", XC_PODCIDRS_DATA_DIR);
	xc_ipam_close(st);
	return rc;
}

int xc_ipam_open(struct xc_ipam_store *st, const char *data_dir, const char *network,
		 struct xc_cni_err *err)
{
	char path[XC_CNI_PATH_MAX + 1];
	struct rebuild rb = { 0 };
	struct stat sb;
	int rc;

	memset(st, 0, sizeof(*st));
	st->dirfd = st->lockfd = st->idxfd = -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", data_dir, network) >= sizeof(path))
		return open_fail(st, "use the directory", network, -ENAMETOOLONG, err);
	memcpy(st->path, path, sizeof(st->path));
	/* there already but for a network's first ADD: one call, not one per component */
	st->dirfd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (st->dirfd < 0 && errno == ENOENT) {
		if ((rc = mkdir_p(path)))
			return open_fail(st, "create the directory", path, rc, err);
		st->dirfd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (st->dirfd < 0)
		return open_fail(st, "open the directory", path, -errno, err);
	/* Whoever else may write there can plant FIFOs, links or records for root. */
	if (fstat(st->dirfd, &sb))
		return open_fail(st, "stat the directory", path, -errno, err);
	if (geteuid() == 0 && (sb.st_uid != 0 || (sb.st_mode & 022))) {
		xc_cni_errf(err, XC_CNI_E_STATE, "refusing the directory %s: %s", path,
			    sb.st_uid != 0 ? "it is not owned by root" :
			    "it is writable by group or others");
		xc_cni_err_details(err, "as root, node-local uses only a network dir owned by "
				   "root and not writable by others (host-local makes them "
				   "root's, 0755): chown root and chmod go-w it");
		xc_ipam_close(st);
		return -EPERM;
	}
	st->lockfd = openat(st->dirfd, "lock",
			    O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (st->lockfd < 0)
		return open_fail(st, "open the lock file in", path, -errno, err);
	if (fstat(st->lockfd, &sb) || !S_ISREG(sb.st_mode))
		return open_fail(st, "use as a lock (not a regular file):", path, -EINVAL, err);
	while ((rc = flock(st->lockfd, LOCK_EX)) && errno == EINTR)
		;
	if (rc)
		return open_fail(st, "lock", path, -errno, err);
	snprintf(st->tmp, sizeof(st->tmp), TMP_PREFIX "%d", (int)getpid());
	/* Without an index every lookup scans; no stale one may stay behind. */
	if (xc_ipam_idx_load(st) && rebuild(st, &rb))
		xc_ipam_idx_drop(st);
	return 0;
}

void xc_ipam_close(struct xc_ipam_store *st)
{
	if (st->dirfd >= 0 && st->tmp_live)
		unlinkat(st->dirfd, st->tmp, 0);
	if (st->dirty)
		xc_ipam_idx_stamp(st);
	xc_ipam_idx_unmap(st);
	if (st->lockfd >= 0)
		close(st->lockfd);
	if (st->dirfd >= 0)
		close(st->dirfd);
	st->lockfd = st->dirfd = -1;
}

/* --- owners ------------------------------------------------------------ */

struct walk {
	const char *rec;
	size_t n;
	uint64_t key;
	struct xc_ip *out;
	int max, count, release;
	int err;                   /* first failed removal */
};

/* A candidate address for the owner: verify its file; act on a match. */
static int candidate(struct xc_ipam_store *st, struct walk *w, const struct xc_ip *ip,
		     uint64_t slot_key)
{
	char name[XC_IP_STRLEN], buf[REC_MAX];
	const char *rec = buf;
	long len;
	size_t n;

	ip_text(ip, name);
	len = read_small(st->dirfd, name, buf, sizeof(buf));
	n = len < 0 ? 0 : trim(&rec, (size_t)len);
	if (slot_key && (len < 0 || rec_key(rec, n) != slot_key)) {
		/*
		 * A record rewritten in place (no directory change): file it under
		 * its present owner, as a rebuild would, so the index keeps every
		 * address. No growth (one entry out, one in): the walk stays valid.
		 */
		xc_ipam_idx_remove(st, slot_key, ip);
		if (len != -ENOENT && st->map && xc_ipam_idx_put(st->map, rec_key(rec, n), ip))
			xc_ipam_idx_drop(st);
		return 0;
	}
	if (len < 0 || n != w->n || memcmp(rec, w->rec, n))
		return 0;
	if (w->release) {
		xc_ipam_idx_touch(st);
		if (unlinkat(st->dirfd, name, 0) && errno != ENOENT) {
			if (!w->err)
				w->err = -errno;
			return 0;
		}
		xc_ipam_idx_remove(st, w->key, ip);
	}
	if (w->count < w->max)
		w->out[w->count] = *ip;
	w->count++;
	return 0;
}

static int walk_entry(struct xc_ipam_store *st, const char *name, void *ctx)
{
	struct xc_ip ip;

	if (ip_name(name, &ip))
		candidate(st, ctx, &ip, 0);
	return 0;
}

/* Every address whose record is exactly w->rec. */
static void owner_walk(struct xc_ipam_store *st, struct walk *w)
{
	struct xc_ipam_idx_it it = { 0 };
	struct xc_ip ip;
	uint64_t key;

	w->key = it.key = rec_key(w->rec, w->n);
	w->count = 0;
	if (!st->map) {
		scan(st, walk_entry, w);
		return;
	}
	while (xc_ipam_idx_next(st, &it, &ip, &key))
		candidate(st, w, &ip, key);
	/* A damaged index was dropped on the way: the directory has the answer. */
	if (!st->map) {
		if (!w->release)
			w->count = 0;
		scan(st, walk_entry, w);
	}
}

/* New record first, old (ID only) when there is none, as the reference. */
static int owner(struct xc_ipam_store *st, const char *cid, const char *ifname,
		 struct xc_ip *out, int max, int release)
{
	char rec[REC_MAX];
	int n = snprintf(rec, sizeof(rec), "%s\r\n%s", cid, ifname);
	struct walk w = { rec, (size_t)n, 0, out, max, 0, release, 0 };

	if (n < 0 || (size_t)n >= sizeof(rec))
		return 0;
	owner_walk(st, &w);
	if (!w.count && !w.err) {
		w.n = strlen(cid);
		owner_walk(st, &w);
	}
	return w.err ? w.err : w.count;
}

int xc_ipam_find(struct xc_ipam_store *st, const char *cid, const char *ifname,
		 struct xc_ip *out, int max)
{
	return owner(st, cid, ifname, out, max, 0);
}

int xc_ipam_release(struct xc_ipam_store *st, const char *cid, const char *ifname)
{
	return owner(st, cid, ifname, NULL, 0, 1);
}

int xc_ipam_gc(struct xc_ipam_store *st,
	       int (*keep)(void *ctx, const char *cid, const char *ifname), void *ctx)
{
	struct rebuild rb = { .keep = keep, .ctx = ctx };
	int rc = rebuild(st, &rb);

	if (rc) {
		/* No index can be written (a full disk): release all the same. */
		xc_ipam_idx_drop(st);
		rb.map = NULL;
		rc = scan(st, fill_entry, &rb);
	}
	if (rb.err)
		return rb.err;
	return rc ? rc : rb.released;
}

struct used {
	const struct xc_ipam_set *set;
	uint64_t n;
};

static int used_entry(struct xc_ipam_store *st, const char *name, void *ctx)
{
	struct used *u = ctx;
	struct xc_ip ip;

	(void)st;
	if (ip_name(name, &ip) && xc_ipam_set_find(u->set, &ip) >= 0)
		u->n++;
	return 0;
}

uint64_t xc_ipam_used(struct xc_ipam_store *st, const struct xc_ipam_set *set)
{
	struct xc_ipam_idx_it it = { 0 };
	struct used u = { set, 0 };
	struct xc_ip ip;
	uint64_t key;

	if (!st->map) {
		scan(st, used_entry, &u);
		return u.n;
	}
	while (xc_ipam_idx_next(st, &it, &ip, &key))
		u.n += xc_ipam_set_find(set, &ip) >= 0;
	if (!st->map) {
		u.n = 0;
		scan(st, used_entry, &u);
	}
	return u.n;
}


/* --- allocation -------------------------------------------------------- */

struct cursor {
	long len;                  /* < 0: there was no cursor file */
	char text[XC_IP_STRLEN];
};

static void cursor_name(int set, char *buf, size_t size)
{
	snprintf(buf, size, CURSOR_PREFIX "%d", set);
}

static void cursor_read(struct xc_ipam_store *st, int set, struct cursor *c)
{
	char name[32];

	cursor_name(set, name, sizeof(name));
	c->len = read_small(st->dirfd, name, c->text, sizeof(c->text));
}

/*
 * Rewritten in place, as the reference does (a lost cursor only costs the
 * round-robin), but never truncated first: a full disk must not leave an
 * empty one behind. The few bytes stay within the file's first block.
 */
static int cursor_write(struct xc_ipam_store *st, int set, const char *text, size_t len)
{
	struct stat sb;
	char name[32];
	int fd, rc = 0;

	cursor_name(set, name, sizeof(name));
	xc_ipam_idx_touch(st);
	fd = openat(st->dirfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (pwrite(fd, text, len, 0) != (ssize_t)len)
		rc = errno ? -errno : -EIO;
	else if ((size_t)sb.st_size > len && ftruncate(fd, (off_t)len))
		rc = -errno;
	close(fd);
	if (rc && sb.st_size == 0)
		unlinkat(st->dirfd, name, 0);
	return rc;
}

static void cursor_restore(struct xc_ipam_store *st, int set, const struct cursor *c)
{
	char name[32];

	if (c->len >= 0) {
		cursor_write(st, set, c->text, (size_t)c->len);
		return;
	}
	cursor_name(set, name, sizeof(name));
	xc_ipam_idx_touch(st);
	unlinkat(st->dirfd, name, 0);
}

/* Our record, complete and synced, under the temporary name. */
static int make_tmp(struct xc_ipam_store *st, const char *rec, size_t n)
{
	int fd = -1, rc = 0;

	xc_ipam_idx_touch(st);
	for (int tries = 0; tries < 2 && fd < 0; tries++) {
		fd = openat(st->dirfd, st->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd < 0 && errno == EEXIST)
			unlinkat(st->dirfd, st->tmp, 0);
	}
	if (fd < 0)
		return -errno;
	if (write(fd, rec, n) != (ssize_t)n || (!st->nosync && fdatasync(fd)))
		rc = errno ? -errno : -EIO;
	close(fd);
	if (rc)
		unlinkat(st->dirfd, st->tmp, 0);
	st->tmp_live = !rc;
	return rc;
}

/* 1 when ip is now ours, 0 when it was taken, < 0 on failure. */
static int reserve(struct xc_ipam_store *st, const struct xc_ip *ip, const char *rec, size_t n)
{
	char name[XC_IP_STRLEN];
	int rc;

	if (!st->tmp_live && (rc = make_tmp(st, rec, n)))
		return rc;
	ip_text(ip, name);
	if (linkat(st->dirfd, st->tmp, st->dirfd, name, 0))
		return errno == EEXIST ? 0 : -errno;
	unlinkat(st->dirfd, st->tmp, 0);
	st->tmp_live = 0;
	/* An index missing an allocation must not survive. */
	if (xc_ipam_idx_insert(st, rec_key(rec, n), ip))
		xc_ipam_idx_drop(st);
	return 1;
}

static int alloc_fail(const struct xc_ipam_store *st, int rc, const char *name,
		      struct xc_cni_err *err)
{
	return xc_cni_errf(err, XC_CNI_E_STATE, "cannot record the allocation of %s in %s: %s",
			   name, st->path, strerror(-rc));
}

static int alloc_req(struct xc_ipam_store *st, const struct xc_ipam_set *set, const char *rec,
		     size_t n, const struct xc_ip *req, struct xc_ipam_lease *out,
		     struct xc_cni_err *err)
{
	char a[XC_IP_STRLEN], rs[256];
	int range = xc_ipam_set_find(set, req), rc;

	ip_text(req, a);
	xc_ipam_set_str(set, rs, sizeof(rs));
	if (xc_ip_equal(req, &set->r[range].gateway) || xc_ipam_reserved_addr(&set->r[range], req))
		return xc_cni_errf(err, XC_CNI_E_ADDR_IN_USE, "requested IP %s is the gateway, "
				   "network or broadcast address of range set %s", a, rs);
	rc = reserve(st, req, rec, n);
	if (rc < 0)
		return alloc_fail(st, rc, a, err);
	if (!rc)
		return xc_cni_errf(err, XC_CNI_E_ADDR_IN_USE, "requested IP address %s is not "
				   "available in range set %s", a, rs);
	out->ip = *req;
	out->range = range;
	return 0;
}

static int alloc_next(struct xc_ipam_store *st, const struct xc_ipam_set *set,
		      const struct cursor *c, const char *rec, size_t n,
		      struct xc_ipam_lease *out, struct xc_cni_err *err)
{
	struct xc_ipam_iter it;
	struct xc_ip last;
	char a[XC_IP_STRLEN], rs[256];
	int have = c->len > 0 && !xc_ip_parse(c->text, &last) && !last.zone[0], rc = 0;

	xc_ipam_iter_init(&it, set, have ? &last : NULL);
	while (!rc && xc_ipam_iter_next(&it, &out->ip, &out->range))
		rc = reserve(st, &out->ip, rec, n);
	if (rc > 0)
		return 0;
	ip_text(&out->ip, a);
	if (rc < 0)
		return alloc_fail(st, rc, a, err);
	xc_ipam_set_str(set, rs, sizeof(rs));
	xc_cni_errf(err, XC_CNI_E_EXHAUSTED, "no IP addresses available in range set: %s", rs);
	xc_cni_err_details(err, "every address is allocated; addresses of deleted pods come "
			   "back with DEL or GC (CNI_COMMAND=GC with the valid attachments)");
	return -ENOSPC;
}

/* Undo sets [0, done): their files, index entries and cursors. */
static void rollback(struct xc_ipam_store *st, const struct xc_ipam_lease *out, int done,
		     const struct cursor *saved, uint64_t key)
{
	char name[XC_IP_STRLEN];

	for (int i = 0; i < done; i++) {
		ip_text(&out[i].ip, name);
		xc_ipam_idx_touch(st);
		unlinkat(st->dirfd, name, 0);
		xc_ipam_idx_remove(st, key, &out[i].ip);
		cursor_restore(st, i, &saved[i]);
	}
}

/* Each requested address goes to the first set containing it. */
static int match_requests(const struct xc_ipam_set *sets, int nsets, const struct xc_ip *req,
			  int nreq, const struct xc_ip **pick, struct xc_cni_err *err)
{
	char a[XC_IP_STRLEN];

	for (int j = 0; j < nreq; j++) {
		int i = 0;

		while (i < nsets && (pick[i] || xc_ipam_set_find(&sets[i], &req[j]) < 0))
			i++;
		if (i < nsets) {
			pick[i] = &req[j];
			continue;
		}
		ip_text(&req[j], a);
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "failed to allocate all requested IPs: "
				   "%s is in no range set, or another requested IP took its set", a);
	}
	return 0;
}

static int duplicate(const struct xc_ipam_set *set, const struct xc_ip *held, int nheld,
		     const char *cid, struct xc_cni_err *err)
{
	char a[XC_IP_STRLEN];

	for (int k = 0; k < nheld; k++) {
		if (xc_ipam_set_find(set, &held[k]) < 0)
			continue;
		ip_text(&held[k], a);
		xc_cni_errf(err, XC_CNI_E_DUPLICATE, "%s has been allocated to %s, duplicate "
			    "allocation is not allowed", a, cid);
		xc_cni_err_details(err, "DEL this container and interface first");
		return -EEXIST;
	}
	return 0;
}

int xc_ipam_alloc(struct xc_ipam_store *st, const struct xc_ipam_set *sets, int nsets,
		  const char *cid, const char *ifname, const struct xc_ip *req, int nreq,
		  struct xc_ipam_lease *out, struct xc_cni_err *err)
{
	const struct xc_ip *pick[XC_IPAM_MAX_SETS] = { 0 };
	struct cursor saved[XC_IPAM_MAX_SETS];
	struct xc_ip held[2 * XC_IPAM_MAX_SETS];
	char rec[REC_MAX], a[XC_IP_STRLEN];
	int n = snprintf(rec, sizeof(rec), "%s\r\n%s", cid, ifname), nheld, rc;

	if (nsets < 1 || nsets > XC_IPAM_MAX_SETS || n < 0 || (size_t)n >= sizeof(rec))
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "between 1 and %d range sets, please",
				   XC_IPAM_MAX_SETS);
	rc = match_requests(sets, nsets, req, nreq, pick, err);
	if (rc)
		return rc;
	nheld = xc_ipam_find(st, cid, ifname, held, 2 * XC_IPAM_MAX_SETS);
	if (nheld > 2 * XC_IPAM_MAX_SETS)
		nheld = 2 * XC_IPAM_MAX_SETS;
	for (int i = 0; i < nsets; i++) {
		cursor_read(st, i, &saved[i]);
		out[i].set = i;
		rc = pick[i] ? alloc_req(st, &sets[i], rec, (size_t)n, pick[i], &out[i], err) :
		     duplicate(&sets[i], held, nheld, cid, err);
		if (!rc && !pick[i])
			rc = alloc_next(st, &sets[i], &saved[i], rec, (size_t)n, &out[i], err);
		if (!rc) {
			ip_text(&out[i].ip, a);
			cursor_write(st, i, a, strlen(a));
			continue;
		}
		rollback(st, out, i, saved, rec_key(rec, (size_t)n));
		return rc;
	}
	return 0;
}
