/*
 * podcidr_cache: this node's pod CIDRs on disk (see podcidr_cache.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kube/podcidr_cache.h"

int xc_podcidr_from_node(const struct xc_k8s_node *n, int annot_index,
			 struct xc_prefix *out, int max)
{
	int i, count;

	if (annot_index >= 0 && annot_index < XC_K8S_ANNOT_MAX &&
	    n->annot_len[annot_index] != XC_K8S_ANNOT_ABSENT) {
		if (n->annot_len[annot_index] < 0)
			return -EINVAL;
		count = xc_k8s_parse_cidr_list(n->annot[annot_index], out, max);
		if (count)
			return count;
	}
	if (!n->ncidrs)
		return -ENODATA;
	if (n->ncidrs > max)
		return -E2BIG;
	for (i = 0; i < n->ncidrs; i++)
		out[i] = n->cidr[i];
	return n->ncidrs;
}

int xc_podcidr_fetch(const struct xc_podcidr_req *r, struct xc_k8s_client *k,
		     char *buf, size_t size, struct xc_prefix *out, int max, int *insecure)
{
	struct xc_k8s_select sel = { .annot = { r->annotation, NULL } };
	char name[XC_K8S_NAME_MAX + 1];
	const char *refused[XC_PODCIDRS_MAX];
	struct xc_k8s_node node;
	int rc, n;

	if (max > XC_PODCIDRS_MAX)
		max = XC_PODCIDRS_MAX;    /* the file holds no more */
	if (insecure)
		*insecure = 0;
	k->err[0] = 0;
	if (r->node && *r->node) {
		snprintf(name, sizeof(name), "%s", r->node);
	} else if ((rc = xc_k8s_node_name(name, sizeof(name)))) {
		snprintf(k->err, sizeof(k->err), "this node's name: not in NODE_NAME, "
			 "and no usable host name");
		return rc;
	}
	rc = xc_k8s_client_init(k, r->k8s);
	if (rc)
		return rc;
	if (insecure)
		*insecure = k->insecure;
	k->http.connect_timeout_ms = k->http.timeout_ms = r->timeout_ms > 0 ? r->timeout_ms : 5000;
	rc = xc_k8s_get_node(k, name, &sel, buf, size, &node);
	xc_k8s_client_close(k);
	if (rc)
		return rc;
	n = xc_podcidr_from_node(&node, r->annotation ? 0 : -1, out, max);
	if (n == -ENODATA) {
		snprintf(k->err, sizeof(k->err), "node %s has no pod CIDRs yet (spec.podCIDRs%s%.80s)",
			 name, r->annotation ? " and annotation " : "",
			 r->annotation ? r->annotation : "");
		return n;
	}
	if (n < 0) {
		snprintf(k->err, sizeof(k->err), "node %s: annotation %.80s: not a list of CIDRs",
			 name, r->annotation ? r->annotation : "");
		return n;
	}
	for (int i = 0; i < n; i++)
		refused[i] = r->judge ? r->judge(&out[i], &node) : NULL;
	rc = xc_podcidrs_create(r->data_dir, r->network, name, out, refused, n);
	if (rc < 0) {
		snprintf(k->err, sizeof(k->err), "%s/%.200s/%s: cannot write: %s", r->data_dir,
			 r->network, XC_PODCIDRS_FILE, strerror(-rc));
		return rc;
	}
	return n;
}
