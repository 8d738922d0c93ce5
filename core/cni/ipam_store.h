/*
 * ipam_store: address allocation state on disk, in the reference
 * host-local plugin's format, with an index that keeps ADD, DEL and CHECK
 * cost flat as allocations grow.
 *
 * On-disk state, <dataDir>/<network>/ (byte for byte what host-local
 * writes, so either plugin can take over the other's state, both ways):
 *
 *   lock                  flock(2) target; one lock for the whole network,
 *                         so a dual-stack ADD is atomic (both or none)
 *   <ip>                  one file per allocated address, named by its
 *                         canonical text; content "<containerID>\r\n<ifname>"
 *                         (older host-local: the ID alone, still honoured)
 *   last_reserved_ip.<N>  text of the last address reserved in range set N
 *                         (no newline): the round-robin cursor
 *
 * Ours (never an address name; the reference's walk reads them but their
 * content can never equal a container ID, so they match no one):
 *
 *   xc-index              the owner index described below
 *   podcidrs              this node's pod CIDRs, one per line ('#'
 *                         comments, blank lines ignored), written by the
 *                         router; node-local's ranges when its config has none
 *   .xc-tmp.<pid>         an allocation being written (under the lock only;
 *                         a killed writer's leftover is removed on rebuild)
 *
 * Writing an allocation: the record is written to .xc-tmp.<pid>, then
 * link(2)ed to the address name. link fails with EEXIST when the address
 * is taken, which gives O_EXCL semantics, and the name never exists
 * without its content: no empty file after a failed write or a kill -9
 * (host-local can leave those, and they hold the address forever; GC
 * releases them here). Surviving a power loss as well takes an fdatasync
 * of the record before the link (st->nosync = 0, node-local's
 * "fsync": true): a disk flush per address, several milliseconds on
 * common disks, which the reference never pays; so it is a choice.
 *
 * The index. The reference reads every allocation file on every ADD and
 * DEL (2.7 ms empty, 33.8 ms with 5,052 allocations). xc-index is an
 * open-addressing hash table (mmap'd, fixed 32-byte slots) from a hash of
 * the owner record ("cid\r\nifname", or "cid" for old files) to addresses.
 * It is only a hint with two safety nets:
 *
 *   1. Entries it has are verified: every address it yields for an owner
 *      is re-read from its file before it is trusted or released, and a
 *      stale entry is dropped. Allocation never trusts the index at all:
 *      the link(2) above decides whether an address is free.
 *   2. Entries it lacks (the only unverifiable error) are prevented by a
 *      stamp of the directory: any create/unlink/rename in it changes the
 *      directory's mtime. After its own changes, under the lock, the store
 *      sets the directory's mtime to a marker value one nanosecond before
 *      the coarse clock (futimens) and records it in the index. Every
 *      later kernel timestamp is at least the coarse clock, so any change
 *      by anyone else (host-local, an admin) makes the mtime differ from
 *      the marker, even within the same clock tick, and the next open
 *      rebuilds the index with one full scan (the reference's cost, once).
 *
 *   The index is also rebuilt when: it is missing or malformed, or was
 *   written in place (a check of its header or of a slot a lookup visits
 *   fails: that lookup scans the directory instead); a process died
 *   while changing it (a dirty flag in its header); the machine
 *   rebooted (boot id recorded: page cache and journal may disagree after
 *   a power loss); the directory was replaced (device/inode); or the
 *   filesystem did not keep the marker exactly (coarse timestamps, no
 *   permission): then every open rebuilds, which is correct and only as
 *   slow as the reference.
 *
 * Addresses are handed out as the reference does: round-robin from
 * last_reserved_ip.N + 1 through the set's ranges in order, wrapping,
 * skipping each range's gateway; in addition the network address and
 * the IPv4 broadcast address are never handed out, even when
 * rangeStart/rangeEnd include them.
 *
 * Functions return 0 (or a count) or a negative errno; failures the user
 * must see also fill a struct xc_cni_err. Nothing allocates memory: the
 * index is a mapping of its file.
 *
 * Names: xc_ipam_
 */
#ifndef XC_IPAM_STORE_H
#define XC_IPAM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cni/cni.h"
#include "base/ipaddr.h"
#include "base/podcidrs.h"

#define XC_IPAM_MAX_RANGES 16   /* ranges in one range set */
#define XC_IPAM_MAX_SETS 8      /* range sets (addresses per ADD) */

/* One range, canonical (see xc_ipam_range_init). */
struct xc_ipam_range {
	struct xc_prefix subnet;   /* host bits cleared */
	struct xc_ip start, end;   /* inclusive */
	struct xc_ip gateway;      /* always set: given, or network + 1 */
};

/* A range set: one address per ADD comes from it. Same family throughout. */
struct xc_ipam_set {
	int n;
	struct xc_ipam_range r[XC_IPAM_MAX_RANGES];
};

/*
 * Canonicalize a range as the reference does: subnet's host bits cleared,
 * gateway defaults to network + 1, start to network + 1, end to the last
 * address (IPv4: broadcast - 1); given values must lie inside the subnet
 * and start <= end. Subnets with fewer than 4 addresses (/31, /32, /127,
 * /128) are refused. start, end and gw may be NULL. `where` names the
 * range in messages ("ipam.ranges[0][1]"). Failure: code 7.
 */
int xc_ipam_range_init(struct xc_ipam_range *r, const struct xc_prefix *subnet,
		       const struct xc_ip *start, const struct xc_ip *end,
		       const struct xc_ip *gw, const char *where, struct xc_cni_err *err);

/*
 * Check sets[0..n): each non-empty, one family per set, no overlapping
 * ranges within a set or between sets. Failure: code 7.
 */
int xc_ipam_sets_check(const struct xc_ipam_set *sets, int n, struct xc_cni_err *err);

/* Index of the range of s containing ip (between start and end), or -1. */
int xc_ipam_set_find(const struct xc_ipam_set *s, const struct xc_ip *ip);

/* Non-zero for an address r never hands out: its network, its IPv4 broadcast. */
int xc_ipam_reserved_addr(const struct xc_ipam_range *r, const struct xc_ip *ip);

/* "start-end,start-end" of a set, for messages (truncated to size). */
void xc_ipam_set_str(const struct xc_ipam_set *s, char *buf, size_t size);

/* Addresses the set can hand out (saturated at UINT64_MAX). */
uint64_t xc_ipam_set_capacity(const struct xc_ipam_set *s);

/*
 * The reference's round-robin over a set. xc_ipam_iter_init starts after
 * `last` (the cursor) when the set contains it, else at the first range's
 * start; xc_ipam_iter_next yields the next candidate and its range index,
 * skipping each range's gateway, network and IPv4 broadcast, moving to
 * the next range after a range's end and wrapping; it returns 0 once back
 * where it started (every address tried), 1 otherwise.
 */
struct xc_ipam_iter {
	const struct xc_ipam_set *s;
	int idx, have_cur, have_start;
	struct xc_ip cur, start;
};
void xc_ipam_iter_init(struct xc_ipam_iter *it, const struct xc_ipam_set *s,
		       const struct xc_ip *last);
int xc_ipam_iter_next(struct xc_ipam_iter *it, struct xc_ip *ip, int *range);

/*
 * Pod CIDRs from <dataDir>/<network>/podcidrs (core/base/podcidrs.h) into
 * out[0..max). Returns what xc_podcidrs_read returns, except that a line
 * that is not a CIDR, or more than max of them, is -EINVAL with a message
 * in err (code 7) naming the line, and a CIDR the router refuses is
 * -EAGAIN with its reason in err (code 11: until the Node is fixed).
 */
int xc_ipam_podcidrs(const char *data_dir, const char *network, struct xc_prefix *out,
		     int max, struct xc_cni_err *err);

/* An open, locked network directory. */
struct xc_ipam_store {
	int dirfd, lockfd, idxfd;
	void *map;                 /* the index file, mapped */
	size_t map_len;
	int dirty;                 /* we changed the directory or the index */
	int nosync;                /* no fdatasync before link (set after open) */
	int rebuilt;               /* the index was rebuilt at open (for tests) */
	int tmp_live;              /* tmp holds a record not yet linked */
	char tmp[32];              /* our temporary record's name */
	char path[XC_CNI_PATH_MAX + 1]; /* <dataDir>/<network>, for messages */
};

/*
 * Create <data_dir>/<network> (mode 0755, as host-local does) if needed,
 * open it, take the network's lock (blocks while another plugin holds
 * it) and load the index, rebuilding it when it cannot be trusted (and
 * working without one, by scanning, when none can be written). Every
 * file is opened without following symlinks and without blocking, and
 * must be a regular file. Failure: code 104 naming the path and reason.
 */
int xc_ipam_open(struct xc_ipam_store *st, const char *data_dir, const char *network,
		 struct xc_cni_err *err);

/* Stamp the index, drop the lock, close everything. Safe after a failed open. */
void xc_ipam_close(struct xc_ipam_store *st);

/* One allocated address and the range it came from. */
struct xc_ipam_lease {
	struct xc_ip ip;
	int set, range;            /* indexes into the sets given */
};

/*
 * The ADD: one address from each of sets[0..nsets) for (cid, ifname), all
 * or none. req[0..nreq) are requested addresses: each set takes the first
 * one it contains (code 7 when one fits no set; code 102 when it is taken
 * or is a gateway); the others are allocated round-robin (code 108 when
 * this cid+ifname already holds an address in the set, code 101 when the
 * set is exhausted). On failure nothing is left behind: addresses and
 * cursors written by this call are restored. Fills out[0..nsets).
 */
int xc_ipam_alloc(struct xc_ipam_store *st, const struct xc_ipam_set *sets, int nsets,
		  const char *cid, const char *ifname, const struct xc_ip *req, int nreq,
		  struct xc_ipam_lease *out, struct xc_cni_err *err);

/*
 * Addresses held by (cid, ifname), verified against their files, into
 * out[0..max) in index order: the records "cid\r\nifname", or when there
 * are none the old records "cid" (as the reference matches). Returns the
 * count (which may exceed max: then only max are stored).
 */
int xc_ipam_find(struct xc_ipam_store *st, const char *cid, const char *ifname,
		 struct xc_ip *out, int max);

/*
 * The DEL: release every address held by (cid, ifname) (old records of
 * cid when there are no new ones, as the reference does). Returns the
 * number released (0 is not an error), or a negative errno when a record
 * could not be removed (a read-only file system): then the caller must not
 * claim success.
 */
int xc_ipam_release(struct xc_ipam_store *st, const char *cid, const char *ifname);

/*
 * The GC: scan every allocation file and release those keep() refuses.
 * keep(ctx, cid, ifname) gets ifname NULL for an old record without one,
 * and cid "" for an empty or unreadable record. Rebuilds the index from
 * the scan; when no index can be written (a full disk) it releases all
 * the same and works without one. Returns the number released, or the
 * first errno of a record it could not remove or a directory it could
 * not read (after doing all it could).
 */
int xc_ipam_gc(struct xc_ipam_store *st,
	       int (*keep)(void *ctx, const char *cid, const char *ifname), void *ctx);

/* Addresses of set s currently allocated (from the index: exact after open). */
uint64_t xc_ipam_used(struct xc_ipam_store *st, const struct xc_ipam_set *s);

#endif
