/*
 * podcidrs: the file in which the router leaves this node's pod CIDRs for
 * node-local, read when node-local's configuration has no ranges.
 *
 * It is <dataDir>/<network>/podcidrs beside node-local's allocations: one
 * CIDR per line, '#' starts a comment, blank lines and blanks around a
 * CIDR are ignored. A line "refused CIDR REASON" is a pod CIDR of the node
 * that the router refuses (core/router/routes.h says why it would): no pod
 * may get an address from it, and node-local answers every ADD with the
 * reason until the Node is fixed. The router writes it (core/kube/
 * podcidr_cache.h says from what; node-local too, once, when it finds
 * none), node-local reads it on every ADD without ranges; this module is
 * the one place that knows its name, folder, size and syntax, so the
 * writers and the reader cannot drift apart.
 *
 * A reader never follows a symlink and never opens anything but a regular
 * file (a FIFO planted there must not hang an ADD); a writer writes the
 * whole file to a new inode, syncs it and renames (or links) it into
 * place, so a reader sees the old content or the new, never a part.
 *
 * Names: xc_podcidrs_
 */
#ifndef XC_PODCIDRS_H
#define XC_PODCIDRS_H

#include <stddef.h>

#include "base/ipaddr.h"

/* node-local's default dataDir (host-local's), so the router's default too */
#define XC_PODCIDRS_DATA_DIR "/var/lib/cni/networks"
#define XC_PODCIDRS_FILE "podcidrs"
#define XC_PODCIDRS_MAX 8            /* CIDRs in the file (an annotation may list several) */
#define XC_PODCIDRS_SIZE_MAX 4096    /* bytes in the file */

/* Longest reason on a "refused" line. */
#define XC_PODCIDRS_REASON_MAX 200

/*
 * Read <data_dir>/<network>/podcidrs into out[0..max). Returns the count
 * (0 for a file without CIDRs), -EACCES when a CIDR is refused (`why`
 * then holds the first one and its reason: "198.18.0.0/16 contains the
 * API server's address"), or -ENOENT (absent), -ELOOP (a symlink),
 * -EBADFD (not a regular file), -EFBIG (over XC_PODCIDRS_SIZE_MAX bytes),
 * -EINVAL (a line that is not a CIDR, or a bad network name), -E2BIG (more
 * than max CIDRs), -ENAMETOOLONG, or another negative errno. For -EINVAL
 * and -E2BIG, `why` (why_size bytes, may be NULL) says which line and
 * what it holds, e.g. `line 2 is not a CIDR: "nonsense"`.
 */
int xc_podcidrs_read(const char *data_dir, const char *network, struct xc_prefix *out,
		     int max, char *why, size_t why_size);

/*
 * Write <data_dir>/<network>/podcidrs with cidrs[0..n), 0 < n <=
 * XC_PODCIDRS_MAX, creating the folders (0755) when missing; `node` names
 * the source in a comment. refused (NULL: none) holds, for each CIDR, NULL
 * or why it is refused (cut at XC_PODCIDRS_REASON_MAX bytes). Returns 1 when the file was written, 0 when it
 * already said exactly that (each change of the folder makes node-local
 * rebuild its index), or a negative errno: -EINVAL for a bad n or network
 * name, -ELOOP when <data_dir>/<network> is a symlink (node-local would
 * refuse it too). The temporary file is always a new inode (O_EXCL after
 * an unlink), so nothing planted under its name is written through.
 */
int xc_podcidrs_write(const char *data_dir, const char *network, const char *node,
		      const struct xc_prefix *cidrs, const char *const *refused, int n);

/*
 * As xc_podcidrs_write, but never over a file already there (0 then): the
 * file is linked into place, not renamed. node-local's verdict from its
 * own Node must not replace the router's, written meanwhile from all of
 * them.
 */
int xc_podcidrs_create(const char *data_dir, const char *network, const char *node,
		       const struct xc_prefix *cidrs, const char *const *refused, int n);

#endif
