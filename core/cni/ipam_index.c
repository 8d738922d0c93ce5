/*
 * ipam_index: the owner index file of ipam_store (see ipam_index.h and the
 * design at the head of ipam_store.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cni/ipam_index.h"

#define IDX_MAGIC "XCIPIDX2"
#define IDX_MIN_SLOTS 256u
#define IDX_MAX_SLOTS (1u << 22)
#define KEY_EMPTY 0
#define KEY_TOMB 1

struct idx_hdr {
	char magic[8];
	uint32_t nslots, used, tombs, dirty;
	uint64_t dev, ino;
	int64_t mtime_sec, mtime_nsec;
	char boot_id[40];
	uint32_t racy, pad;
	uint64_t check;            /* of nslots, used, tombs */
	char reserved[16];
};

struct idx_slot {
	uint64_t key;
	uint8_t family, pad[3];
	uint32_t check;            /* of the rest, the position and the table size */
	uint8_t a[16];
};

_Static_assert(sizeof(struct idx_hdr) == 128, "index header layout");
_Static_assert(sizeof(struct idx_slot) == 32, "index slot layout");

static struct idx_hdr *hdr(const struct xc_ipam_store *st)
{
	return st->map;
}

static struct idx_slot *slots_of(void *map)
{
	return (struct idx_slot *)((char *)map + sizeof(struct idx_hdr));
}

static size_t idx_len(uint32_t nslots)
{
	return sizeof(struct idx_hdr) + (size_t)nslots * sizeof(struct idx_slot);
}

/*
 * Checks. The directory's stamp cannot see writes into the index itself
 * (dd conv=notrunc leaves the directory alone), so the header's counts and
 * every slot carry a check of their own. The header's is verified at load;
 * a slot's whenever it is visited, which every lookup does for the slots
 * of its probe chain. A zeroed slot always fails (no check is 0), a
 * changed one but for a chance of 1 in 2^32; then the index is dropped,
 * the operation falls back to a scan and the next open rebuilds. Cost: a
 * hash per visited slot, nothing per allocation held, so ADD and DEL stay
 * flat (a check of every slot at load cost 0.2 ms per ADD at 10,000
 * entries: the whole file read on every call).
 */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static uint32_t slot_check(const struct idx_slot *s, uint32_t i, uint32_t nslots)
{
	uint64_t w[4] = { 0 }, h;

	memcpy(w, s, offsetof(struct idx_slot, check));
	memcpy(&w[2], s->a, sizeof(s->a));
	h = mix(mix(mix(mix(((uint64_t)nslots << 32) | i, w[0]), w[1]), w[2]), w[3]);
	return (uint32_t)(h >> 32) ? (uint32_t)(h >> 32) : 1;
}

static void slot_seal(struct idx_slot *s, uint32_t i, uint32_t nslots)
{
	s->check = slot_check(s, i, nslots);
}

static int slot_ok(const struct idx_slot *s, uint32_t i, uint32_t nslots)
{
	return s->check == slot_check(s, i, nslots);
}

static uint64_t hdr_check(const struct idx_hdr *h)
{
	return mix(mix(mix(0x584349504944582ULL, h->nslots), h->used), h->tombs) | 1;
}

static void slot_ip(const struct idx_slot *s, struct xc_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = s->family;
	memcpy(ip->a, s->a, 16);
}

static void read_boot_id(char out[40])
{
	int fd = openat(AT_FDCWD, "/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, out, 39);

	if (fd >= 0)
		close(fd);
	out[n > 0 ? n : 0] = '\0';
}

void xc_ipam_idx_touch(struct xc_ipam_store *st)
{
	if (st->map && !hdr(st)->dirty)
		hdr(st)->dirty = 1;
	st->dirty = 1;
}

void xc_ipam_idx_unmap(struct xc_ipam_store *st)
{
	if (st->map)
		munmap(st->map, st->map_len);
	if (st->idxfd >= 0)
		close(st->idxfd);
	st->map = NULL;
	st->idxfd = -1;
}

void xc_ipam_idx_drop(struct xc_ipam_store *st)
{
	unlinkat(st->dirfd, XC_IPAM_IDX_NAME, 0);
	xc_ipam_idx_unmap(st);
	st->dirty = 1;
}

int xc_ipam_idx_put(void *map, uint64_t key, const struct xc_ip *ip)
{
	struct idx_hdr *h = map;
	struct idx_slot *s = slots_of(map);
	uint32_t mask = h->nslots - 1, i = (uint32_t)key & mask;

	if (h->used + 1 >= h->nslots)
		return -ENOSPC;
	for (uint32_t steps = 0;; i = (i + 1) & mask) {
		if (!slot_ok(&s[i], i, h->nslots) || steps++ > mask)
			return -EBADMSG;
		if (s[i].key <= KEY_TOMB)
			break;
	}
	if (s[i].key == KEY_TOMB)
		h->tombs--;
	memset(&s[i], 0, sizeof(s[i]));
	s[i].key = key;
	s[i].family = ip->family;
	memcpy(s[i].a, ip->a, 16);
	slot_seal(&s[i], i, h->nslots);
	h->used++;
	h->check = hdr_check(h);
	return 0;
}

/* Zero-filled file whose blocks exist: no SIGBUS through the mapping on a full disk. */
static int fill_file(int fd, size_t len)
{
	static char zero[4096];         /* never written; not const: .bss, not 4 KB of the file */

	if (!fallocate(fd, 0, 0, (off_t)len))
		return 0;
	for (size_t off = 0; off < len;) {
		size_t n = len - off < sizeof(zero) ? len - off : sizeof(zero);
		ssize_t w = pwrite(fd, zero, n, (off_t)off);

		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		off += (size_t)w;
	}
	return 0;
}

static uint32_t slots_for(uint64_t entries)
{
	uint32_t n = IDX_MIN_SLOTS;

	while (n < IDX_MAX_SLOTS && (uint64_t)n < entries * 3)
		n <<= 1;
	return n;
}

int xc_ipam_idx_create(struct xc_ipam_store *st, uint64_t entries, int *fd, void **map)
{
	uint32_t nslots = slots_for(entries);
	size_t len = idx_len(nslots);
	struct idx_hdr *h;
	int rc;

	xc_ipam_idx_touch(st);
	unlinkat(st->dirfd, XC_IPAM_IDX_TMP, 0);
	*fd = openat(st->dirfd, XC_IPAM_IDX_TMP,
		     O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -errno;
	rc = fill_file(*fd, len);
	*map = rc ? MAP_FAILED : mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (*map == MAP_FAILED) {
		rc = rc ? rc : -errno;
		close(*fd);
		unlinkat(st->dirfd, XC_IPAM_IDX_TMP, 0);
		return rc;
	}
	h = *map;
	memcpy(h->magic, IDX_MAGIC, 8);
	h->nslots = nslots;
	h->dirty = 1;
	h->check = hdr_check(h);
	for (uint32_t i = 0; i < nslots; i++)
		slot_seal(&slots_of(*map)[i], i, nslots);
	read_boot_id(h->boot_id);
	return 0;
}

void xc_ipam_idx_discard(struct xc_ipam_store *st, int fd, void *map)
{
	munmap(map, idx_len(((struct idx_hdr *)map)->nslots));
	close(fd);
	unlinkat(st->dirfd, XC_IPAM_IDX_TMP, 0);
}

int xc_ipam_idx_install(struct xc_ipam_store *st, int fd, void *map)
{
	if (renameat(st->dirfd, XC_IPAM_IDX_TMP, st->dirfd, XC_IPAM_IDX_NAME)) {
		int rc = -errno;

		xc_ipam_idx_discard(st, fd, map);
		return rc;
	}
	xc_ipam_idx_unmap(st);
	st->map = map;
	st->idxfd = fd;
	st->map_len = idx_len(hdr(st)->nslots);
	st->dirty = 1;
	return 0;
}

/* Rehash the live entries into a table sized for them (no directory scan). */
static int idx_grow(struct xc_ipam_store *st)
{
	struct idx_slot *old = slots_of(st->map);
	uint32_t n = hdr(st)->nslots;
	struct xc_ip ip;
	void *map;
	int fd, rc;

	rc = xc_ipam_idx_create(st, hdr(st)->used + 1, &fd, &map);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < n && !rc; i++) {
		if (!slot_ok(&old[i], i, n)) {
			rc = -EBADMSG;
		} else if (old[i].key > KEY_TOMB) {
			slot_ip(&old[i], &ip);
			rc = xc_ipam_idx_put(map, old[i].key, &ip);
		}
	}
	if (rc) {
		xc_ipam_idx_discard(st, fd, map);
		return rc;
	}
	return xc_ipam_idx_install(st, fd, map);
}

int xc_ipam_idx_insert(struct xc_ipam_store *st, uint64_t key, const struct xc_ip *ip)
{
	int rc;

	if (!st->map)
		return 0;
	xc_ipam_idx_touch(st);
	if ((uint64_t)(hdr(st)->used + hdr(st)->tombs + 1) * 2 > hdr(st)->nslots) {
		rc = idx_grow(st);
		if (rc)
			return rc;
	}
	return xc_ipam_idx_put(st->map, key, ip);
}

void xc_ipam_idx_remove(struct xc_ipam_store *st, uint64_t key, const struct xc_ip *ip)
{
	struct idx_slot *s;
	uint32_t mask, i, steps = 0;

	if (!st->map)
		return;
	s = slots_of(st->map);
	mask = hdr(st)->nslots - 1;
	for (i = (uint32_t)key & mask; steps++ <= mask; i = (i + 1) & mask) {
		if (!slot_ok(&s[i], i, mask + 1)) {
			xc_ipam_idx_drop(st);
			return;
		}
		if (s[i].key == KEY_EMPTY)
			return;
		if (s[i].key == key && s[i].family == ip->family && !memcmp(s[i].a, ip->a, 16)) {
			xc_ipam_idx_touch(st);
			s[i].key = KEY_TOMB;
			slot_seal(&s[i], i, mask + 1);
			hdr(st)->used--;
			hdr(st)->tombs++;
			hdr(st)->check = hdr_check(hdr(st));
			return;
		}
	}
}

int xc_ipam_idx_next(struct xc_ipam_store *st, struct xc_ipam_idx_it *it,
		     struct xc_ip *ip, uint64_t *key)
{
	const struct idx_slot *s;
	uint32_t mask;

	if (!st->map)
		return 0;
	s = slots_of(st->map);
	mask = hdr(st)->nslots - 1;
	if (it->key && !it->steps)
		it->pos = (uint32_t)it->key & mask;
	while (it->steps <= mask) {
		const struct idx_slot *sl = &s[it->pos];

		if (!slot_ok(sl, it->pos, mask + 1)) {
			xc_ipam_idx_drop(st);
			return 0;
		}
		it->pos = (it->pos + 1) & mask;
		it->steps++;
		if (it->key && sl->key == KEY_EMPTY)
			break;
		if (sl->key <= KEY_TOMB || (it->key && sl->key != it->key))
			continue;
		slot_ip(sl, ip);
		*key = sl->key;
		return 1;
	}
	it->steps = mask + 1;
	return 0;
}

/* Can the mapped index be trusted as an exact picture of the directory? */
static int idx_trusted(const struct xc_ipam_store *st)
{
	const struct idx_hdr *h = hdr(st);
	char boot[40];
	struct stat sb;

	if (memcmp(h->magic, IDX_MAGIC, 8) || h->nslots < IDX_MIN_SLOTS ||
	    (h->nslots & (h->nslots - 1)) || h->nslots > IDX_MAX_SLOTS ||
	    st->map_len != idx_len(h->nslots) || h->used + h->tombs >= h->nslots ||
	    h->check != hdr_check(h) || h->dirty || h->racy || fstat(st->dirfd, &sb))
		return 0;
	read_boot_id(boot);
	return !strncmp(boot, h->boot_id, sizeof(boot)) &&
	       h->dev == (uint64_t)sb.st_dev && h->ino == (uint64_t)sb.st_ino &&
	       h->mtime_sec == (int64_t)sb.st_mtim.tv_sec &&
	       h->mtime_nsec == (int64_t)sb.st_mtim.tv_nsec;
}

int xc_ipam_idx_load(struct xc_ipam_store *st)
{
	struct stat sb;

	st->idxfd = openat(st->dirfd, XC_IPAM_IDX_NAME, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (st->idxfd < 0)
		return -errno;
	if (fstat(st->idxfd, &sb) || !S_ISREG(sb.st_mode) ||
	    (size_t)sb.st_size < sizeof(struct idx_hdr)) {
		xc_ipam_idx_unmap(st);
		return -ESTALE;
	}
	st->map_len = (size_t)sb.st_size;
	st->map = mmap(NULL, st->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, st->idxfd, 0);
	if (st->map == MAP_FAILED) {
		st->map = NULL;
		xc_ipam_idx_unmap(st);
		return -ENOMEM;
	}
	if (idx_trusted(st))
		return 0;
	xc_ipam_idx_unmap(st);
	return -ESTALE;
}

/*
 * Set the directory's mtime to a marker just below the coarse clock, which
 * no later change by anyone can reproduce, and record it.
 */
void xc_ipam_idx_stamp(struct xc_ipam_store *st)
{
	struct timespec ts[2];
	struct stat sb;
	int ok;

	if (!st->map)
		return;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts[1]);
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	if (ts[1].tv_nsec > 0) {
		ts[1].tv_nsec--;
	} else {
		ts[1].tv_sec--;
		ts[1].tv_nsec = 999999999;
	}
	ok = !futimens(st->dirfd, ts);
	if (fstat(st->dirfd, &sb))
		return;
	ok = ok && sb.st_mtim.tv_sec == ts[1].tv_sec && sb.st_mtim.tv_nsec == ts[1].tv_nsec;
	hdr(st)->dev = (uint64_t)sb.st_dev;
	hdr(st)->ino = (uint64_t)sb.st_ino;
	hdr(st)->mtime_sec = (int64_t)sb.st_mtim.tv_sec;
	hdr(st)->mtime_nsec = (int64_t)sb.st_mtim.tv_nsec;
	hdr(st)->racy = !ok;
	hdr(st)->dirty = 0;
}
