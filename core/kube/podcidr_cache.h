/*
 * podcidr_cache: this node's pod CIDRs from its Node object, into the
 * podcidrs file (core/base/podcidrs.h owns its name, format and writing)
 * that node-local reads when its configuration has no ranges.
 *
 * Where the CIDRs come from: the value of a CIDR annotation when one is
 * configured and the node carries it (a comma-separated list: clusters
 * without the node IPAM controller), else spec.podCIDRs (spec.podCIDR on
 * old servers). spec.podCIDRs only ever goes from empty to set, so a cache
 * once written stays right for that node.
 *
 * node-local uses it on a cache miss (xc_podcidr_fetch: one GET of its
 * Node). The router writes the same file from its node table (applets/
 * router.c, with xc_podcidrs_write). Errors are negative errno values;
 * -ENODATA means the node has no pod CIDRs yet (node-local answers CNI
 * code 11, try again later).
 *
 * Names: xc_podcidr_
 */
#ifndef XC_PODCIDR_CACHE_H
#define XC_PODCIDR_CACHE_H

#include "base/ipaddr.h"
#include "base/podcidrs.h"
#include "kube/k8s.h"

/*
 * The pod CIDRs of `node`: annotation `annot_index` of the record when it
 * is >= 0 and present, else spec.podCIDRs. Returns the count (> 0),
 * -ENODATA when there are none, -EINVAL when the annotation's value is not
 * a CIDR list (or too long to have been kept), -E2BIG for more than max.
 */
int xc_podcidr_from_node(const struct xc_k8s_node *node, int annot_index,
			 struct xc_prefix *out, int max);

/* What xc_podcidr_fetch needs. */
struct xc_podcidr_req {
	const struct xc_k8s_opts *k8s;   /* how to find the API (NULL: the defaults) */
	const char *node;                /* this node's name; NULL: xc_k8s_node_name() */
	const char *annotation;          /* NULL, or a CIDR annotation that wins over spec */
	const char *data_dir;            /* the cache is <data_dir>/<network>/podcidrs */
	const char *network;
	int timeout_ms;                  /* bound on connect and each wait; 0: 5000 */
	/*
	 * NULL, or why a pod CIDR of the node fetched may give no pod an
	 * address (NULL: it may): such a CIDR is written as refused, so
	 * every ADD until the router rewrites the file refuses it alike.
	 */
	const char *(*judge)(const struct xc_prefix *cidr, const struct xc_k8s_node *node);
};

/*
 * Ask the API server for this node's pod CIDRs and write the cache: set
 * up the client in `k` (caller's storage, closed again before returning),
 * GET the Node into `buf` (size bytes; XC_K8S_OBJ_MAX for any node), pick
 * the CIDRs as xc_podcidr_from_node does, write them (with req->judge's
 * refusals) as xc_podcidrs_create does (a file the router wrote meanwhile
 * stays), and return them in out[0..max), refused ones too: the caller
 * reads the file's verdict. Returns
 * the count, or -ENODATA (the node has no pod CIDRs yet), -ENOENT (no such
 * node), or any error of core/kube/k8s; k->err then says what happened.
 * *insecure is set (when not NULL) if the kubeconfig turned certificate
 * checks off: the caller logs a warning.
 */
int xc_podcidr_fetch(const struct xc_podcidr_req *req, struct xc_k8s_client *k,
		     char *buf, size_t size, struct xc_prefix *out, int max, int *insecure);

#endif
