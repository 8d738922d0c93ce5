/*
 * podcidr_cache: this node's pod CIDRs from its Node object, kept in a file
 * for node-local (the IPAM plugin) when its configuration has no ranges.
 *
 * The file is <dataDir>/<network>/podcidrs, the format core/cni/ipam_store.h
 * reads (xc_ipam_podcidrs): one CIDR per line, '#' comments. It is written
 * whole to a temporary name, synced and renamed, so a reader sees the old
 * file or the new one, never a part; and only when its content changes,
 * because each change of that folder makes node-local rebuild its index.
 *
 * Where the CIDRs come from: the value of a CIDR annotation when one is
 * configured and the node carries it (a comma-separated list: clusters
 * without the node IPAM controller), else spec.podCIDRs (spec.podCIDR on
 * old servers). spec.podCIDRs only ever goes from empty to set, so a cache
 * once written stays right for that node.
 *
 * Two writers use it: node-local on a cache miss (xc_podcidr_fetch: one GET
 * of its Node) and the router whenever its own Node changes
 * (xc_podcidr_cache_update). Errors are negative errno values; -ENODATA
 * means the node has no pod CIDRs yet (node-local answers CNI code 11,
 * try again later).
 */
#ifndef XC_PODCIDR_CACHE_H
#define XC_PODCIDR_CACHE_H

#include "base/ipaddr.h"
#include "kube/k8s.h"

#define XC_PODCIDR_MAX 8          /* CIDRs in the file (an annotation may list several) */
#define XC_PODCIDR_FILE "podcidrs"

/*
 * The pod CIDRs of `node`: annotation `annot_index` of the record when it
 * is >= 0 and present, else spec.podCIDRs. Returns the count (> 0),
 * -ENODATA when there are none, -EINVAL when the annotation's value is not
 * a CIDR list (or too long to have been kept), -E2BIG for more than max.
 */
int xc_podcidr_from_node(const struct xc_k8s_node *node, int annot_index,
			 struct xc_prefix *out, int max);

/*
 * Write <data_dir>/<network>/podcidrs with cidrs[0..n) (n > 0), creating
 * the folders (0755) when missing; `node` names the source in a comment.
 * Returns 1 when the file was written, 0 when it already said exactly
 * that, or a negative errno (-EINVAL for n < 1 or a bad name; -ELOOP when
 * <data_dir>/<network> is a symlink, which node-local would refuse too).
 * The temporary file is always a new inode (O_EXCL after an unlink), so
 * nothing planted under its name is written through.
 */
int xc_podcidr_cache_write(const char *data_dir, const char *network, const char *node,
			   const struct xc_prefix *cidrs, int n);

/*
 * The same from a node record (xc_podcidr_from_node, then write). The
 * router calls it for each event about its own node. Returns 1 written,
 * 0 unchanged, -ENODATA (no pod CIDRs yet: nothing written), or an error.
 */
int xc_podcidr_cache_update(const char *data_dir, const char *network,
			    const struct xc_k8s_node *node, int annot_index);

/*
 * Read the file: CIDRs into out[0..max). Returns the count (0 for a file
 * with none), -ENOENT when absent, -EINVAL for a line that is not a CIDR,
 * -E2BIG for more than max.
 */
int xc_podcidr_cache_read(const char *data_dir, const char *network,
			  struct xc_prefix *out, int max);

/* What xc_podcidr_fetch needs. */
struct xc_podcidr_req {
	const struct xc_k8s_opts *k8s;   /* how to find the API (NULL: the defaults) */
	const char *node;                /* this node's name; NULL: xc_k8s_node_name() */
	const char *annotation;          /* NULL, or a CIDR annotation that wins over spec */
	const char *data_dir;            /* the cache is <data_dir>/<network>/podcidrs */
	const char *network;
	int timeout_ms;                  /* bound on connect and each wait; 0: 5000 */
};

/*
 * Ask the API server for this node's pod CIDRs and write the cache: set
 * up the client in `k` (caller's storage, closed again before returning),
 * GET the Node into `buf` (size bytes; XC_K8S_OBJ_MAX for any node), pick
 * the CIDRs as xc_podcidr_from_node does, write them as
 * xc_podcidr_cache_write does, and return them in out[0..max). Returns
 * the count, or -ENODATA (the node has no pod CIDRs yet), -ENOENT (no such
 * node), or any error of core/kube/k8s; k->err then says what happened.
 * *insecure is set (when not NULL) if the kubeconfig turned certificate
 * checks off: the caller logs a warning.
 */
int xc_podcidr_fetch(const struct xc_podcidr_req *req, struct xc_k8s_client *k,
		     char *buf, size_t size, struct xc_prefix *out, int max, int *insecure);

#endif
