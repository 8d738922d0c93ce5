/*
 * nodetab: the router's compact table of Kubernetes Nodes.
 *
 * Of a Node object only what routing needs is kept: its name, its pod
 * CIDRs and its addresses. A Node is ~10-20 KB of JSON; a record here
 * (struct xc_node) holds only what its node carries: the name, then its
 * pod CIDRs and addresses packed (family, a length or kind, then 4 or 16
 * bytes of address; no zone, which a Node never has), in one allocation of
 * ~75 bytes for a dual-stack node with two addresses and a short name, so
 * 65,000 nodes fit in ~6 MB. The accessors below unpack them. A record is allocated when a
 * node appears or changes and freed when it goes or changes: events that
 * change nothing allocate nothing.
 *
 * Secondary networks: with a CIDR annotation the pod CIDRs come from that
 * annotation (comma-separated) instead of spec.podCIDRs, and a node without
 * it has none on that network; with an address annotation the node's
 * addresses come from it (comma-separated) when present, else from
 * status.addresses.
 *
 * Functions return 0 (or a count / a flag where documented) or a negative
 * errno.
 *
 * Names: xc_node_ xc_nodetab_
 */
#ifndef XC_NODETAB_H
#define XC_NODETAB_H

#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"
#include "base/json.h"

struct xc_k8s_node;

#define XC_NODE_NAME_MAX 253   /* a DNS subdomain, as Kubernetes allows */
#define XC_NODE_CIDRS 4
#define XC_NODE_ADDRS 4
#define XC_NODE_ANN_MAX 128    /* longest annotation key accepted */

/* Where an address came from; lower values are preferred as next hops. */
enum xc_node_addr_kind {
	XC_NODE_ADDR_ANNOTATION = 1, /* the configured address annotation */
	XC_NODE_ADDR_INTERNAL,       /* status.addresses type InternalIP */
	XC_NODE_ADDR_EXTERNAL,       /* type ExternalIP */
};

struct xc_node_addr {
	struct xc_ip ip;
	uint8_t kind;                /* enum xc_node_addr_kind */
};

/* One node as parsed (stack-sized; the table stores a copy). */
struct xc_node_rec {
	char name[XC_NODE_NAME_MAX + 1];
	int64_t created;             /* metadata.creationTimestamp (xc_k8s_parse_time); 0: unknown */
	uint8_t ncidr, naddr;
	struct xc_prefix cidr[XC_NODE_CIDRS];   /* network form, host bits clear */
	struct xc_node_addr addr[XC_NODE_ADDRS];
};

/*
 * A stored node: this header, the name, then ncidr CIDRs and naddr
 * addresses, packed (read them with the accessors). A changed node is a new
 * record: a pointer to one is good until the next xc_nodetab_set or _del
 * of its name, or a sweep.
 */
struct xc_node {
	int64_t created;             /* as in xc_node_rec: ranks overlapping claims */
	uint32_t gen;                /* last full listing that named it */
	uint8_t ncidr, naddr;
	uint8_t logged;              /* the router's: bit k, CIDR k's refusal logged; 0 on change */
	uint8_t namelen;             /* strlen(name) (<= XC_NODE_NAME_MAX) */
	char name[];                 /* NUL-terminated; the packed CIDRs and addresses follow */
};

/*
 * Told of every change as it is made: before NULL for a new node, after
 * NULL for a removed one; before still holds the old content otherwise.
 */
typedef void (*xc_nodetab_notify)(void *arg, const struct xc_node *before,
				  const struct xc_node_rec *after);

struct xc_nodetab {
	struct xc_node **v;          /* sorted by name (strcmp) */
	size_t n, cap;
	uint32_t gen;
	uint64_t changes;            /* changes made (each one notify hears of), never reset */
	xc_nodetab_notify notify;    /* NULL: nobody listens */
	void *notify_arg;
};

/* What to read from a Node object besides the standard fields. */
struct xc_node_parse {
	const char *cidr_annotation; /* NULL or "": spec.podCIDRs */
	const char *addr_annotation; /* NULL or "": status.addresses only */
};

/* An empty table (notify NULL: set it after this if wanted). */
void xc_nodetab_init(struct xc_nodetab *t);

/* Free every record and the index; the table is empty and usable again. */
void xc_nodetab_free(struct xc_nodetab *t);

/* The node named name, or NULL. */
const struct xc_node *xc_nodetab_find(const struct xc_nodetab *t, const char *name);

/*
 * Insert or update a node (and mark it seen by the current listing).
 * Returns 1 when the table changed (new node, other CIDRs or addresses),
 * 0 when the stored record already said the same, -ENOMEM.
 */
int xc_nodetab_set(struct xc_nodetab *t, const struct xc_node_rec *rec);

/* Remove a node by name: 1 if it was there, 0 if not. */
int xc_nodetab_del(struct xc_nodetab *t, const char *name);

/*
 * A full listing (a LIST, a re-read file) replaces the table in three
 * steps: xc_nodetab_begin(), xc_nodetab_set() for each node listed, then
 * xc_nodetab_sweep(), which removes every node the listing did not name
 * and returns how many. Nothing is removed if the listing is abandoned
 * before the sweep (a source that failed midway keeps every node).
 */
void xc_nodetab_begin(struct xc_nodetab *t);
size_t xc_nodetab_sweep(struct xc_nodetab *t);

/*
 * A Node as core/kube decoded it (xc_k8s_node_parse, a LIST or a watch
 * event; pc's annotation names in its annot[0] and annot[1]) into rec:
 * the one reading of a Node every source shares. Pod CIDRs from pc's CIDR
 * annotation when pc names one (a comma-separated list, all valid or none
 * taken), else spec.podCIDRs; addresses from pc's address annotation
 * (comma-separated, items that are not addresses skipped), then the
 * InternalIPs, then the ExternalIPs. CIDRs are put in network form;
 * repeated CIDRs and addresses are kept once; beyond XC_NODE_CIDRS /
 * XC_NODE_ADDRS the rest are ignored.
 */
void xc_node_from_k8s(const struct xc_k8s_node *kn, const struct xc_node_parse *pc,
		      struct xc_node_rec *rec);

/*
 * The annotation names to ask core/kube to keep for pc (names[0]: the
 * CIDR annotation, names[1]: the address one, NULL where pc has none), in
 * the order xc_node_from_k8s reads them: XC_K8S_ANNOT_MAX (2) entries.
 */
void xc_node_annot_names(const struct xc_node_parse *pc, const char **names);

/*
 * Read a Node object (JSON as the API serves it) into rec: core/kube's
 * xc_k8s_node_parse, then xc_node_from_k8s. -EINVAL when the object has
 * no usable name, or a uid or resourceVersion over core/kube's limits.
 */
int xc_nodetab_parse(const struct xc_json *node, const struct xc_node_parse *pc,
		     struct xc_node_rec *rec);

/*
 * Apply a NodeList (or a List of Nodes, as `kubectl get nodes -o json`
 * prints, or a bare array of Nodes) as a full listing. Sets *changed to
 * the number of nodes added, changed or removed. Items that are not Nodes
 * with a name are skipped and counted in *skipped (may be NULL). On
 * -EINVAL (no items array) or -ENOMEM the table is left as it was before
 * the sweep (nodes may have been updated, none removed).
 */
int xc_nodetab_load_list(struct xc_nodetab *t, const struct xc_json *list,
			 const struct xc_node_parse *pc, size_t *changed, size_t *skipped);

/*
 * xc_nodetab_load_list() on the JSON document in the file at path (mapped
 * read-only while it is read: nothing is copied). Errors: open's, or
 * -EINVAL with the reason ("offset 120: expected ','", "no items array")
 * in err (errlen bytes, may be 0).
 */
int xc_nodetab_load_file(struct xc_nodetab *t, const char *path, const struct xc_node_parse *pc,
			 size_t *changed, size_t *skipped, char *err, size_t errlen);

/*
 * An address map file as a full listing: one "NAME ADDRESS" per line
 * (blanks between, '#' starts a comment), each becoming a node with that
 * one address (kind XC_NODE_ADDR_ANNOTATION). -EINVAL with "line N: ..."
 * in err for a line that is not that; then nothing is removed.
 */
int xc_nodetab_load_map(struct xc_nodetab *t, const char *path, size_t *changed,
			char *err, size_t errlen);

/*
 * The address a node is best reached at in family (AF_INET, AF_INET6):
 * the first of the most preferred kind (annotation, then InternalIP, then
 * ExternalIP), unpacked into buf. Returns buf, or NULL if it has none of
 * that family.
 */
const struct xc_ip *xc_node_addr(const struct xc_node *n, int family, struct xc_ip *buf);

/*
 * Which of two nodes ranks first when their pod CIDRs overlap: the one
 * created earlier (an unknown creation time counts as the latest), then
 * the name first in strcmp order. Negative when a ranks first, positive
 * when b does, 0 only for the same name.
 */
int xc_node_rank_cmp(const struct xc_node *a, const struct xc_node *b);

/* The node's pod CIDR of family into buf: buf, or NULL if it has none. */
const struct xc_prefix *xc_node_cidr(const struct xc_node *n, int family, struct xc_prefix *buf);

/* The node's pod CIDR k (k < n->ncidr) into buf. Returns buf. */
const struct xc_prefix *xc_node_cidr_at(const struct xc_node *n, int k, struct xc_prefix *buf);

/* The node's address k (k < n->naddr) into buf; returns its kind. */
uint8_t xc_node_addr_at(const struct xc_node *n, int k, struct xc_ip *buf);

/* All of a stored node, unpacked (for what wants arrays: logs, the cache). */
void xc_node_unpack(const struct xc_node *n, struct xc_node_rec *rec);

#endif
