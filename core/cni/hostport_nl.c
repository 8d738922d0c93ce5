/*
 * hostport_nl: a pod's hostPort elements added, removed and checked in
 * table inet xcluster-cni-portmap. See hostport.h.
 *
 * The table's common part (its rules, the guarded batch, removal by tag)
 * is tagset.h's; what is here is a hostPort's: keys, clashes, hairpins.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "cni/hostport.h"

#define TABLE XC_HOSTPORT_TABLE

/* The element of key in set into f (f->n 0: none). */
static int lookup(struct xc_nl *nl, int set, const uint8_t *key, struct xc_tagset_found *f)
{
	return xc_tagset_lookup(nl, &xc_hostport_tagset, set, key, xc_hostport_keylen(set), f);
}

/* ---- ADD --------------------------------------------------------------- */

/* The elements one ADD writes, per set. */
struct add_plan {
	struct xc_nft_batch *b;
	const struct xc_hostport_pod *p;
	struct xc_hostport_clash *c;
	int n, count[XC_HP_NSETS];
};

/* A hostIP mapping of another tag on the same protocol and port as m (any address). */
struct cross {
	const uint8_t *pp;      /* proto . port, 8 bytes */
	const char *tag;
	char other[XC_NFT_COMMENT_MAX + 2];
};

static int on_cross(void *arg, const struct xc_nft_elem_view *e)
{
	struct cross *x = arg;

	if (e->klen >= 8 && !memcmp(e->key + e->klen - 8, x->pp, 8) && strcmp(e->comment, x->tag))
		snprintf(x->other, sizeof(x->other), "%s", e->comment);
	return 0;
}

static int on_cross_msg(const struct nlmsghdr *nlh, void *arg)
{
	return xc_nft_elems_each(nlh, on_cross, arg);
}

static int clash(struct add_plan *a, int i, int family, const char *tag)
{
	a->c->index = i;
	a->c->family = family;
	snprintf(a->c->tag, sizeof(a->c->tag), "%s", tag);
	return -EADDRINUSE;
}

/*
 * Mapping i for family: 1 to add, 0 when it is there already (ours, the
 * same target), -EADDRINUSE when another attachment holds its key or the
 * other kind of mapping (hostIP or not) on the same protocol and port.
 */
static int mapping_free(struct xc_nl *nl, struct add_plan *a, const struct xc_hostport *m,
			int i, int family)
{
	int set = xc_hostport_set(m, family), other = set ^ 1;   /* hostipN <-> portN */
	int hostip = set == XC_HP_HOSTIP4 || set == XC_HP_HOSTIP6;
	uint8_t key[32], data[20];
	struct xc_tagset_found f, g;
	struct cross x = { NULL, a->p->tag, "" };
	size_t dlen = xc_hostport_data(&a->p->ip[family == AF_INET6], m->cont_port, data);
	int rc;

	x.pp = key + xc_hostport_keylen(set) - 8;
	xc_hostport_key(m, set, key);
	if ((rc = lookup(nl, set, key, &f)))
		return rc;
	if (f.n && strcmp(f.tag, a->p->tag))
		return clash(a, i, family, f.tag);
	if (f.n && (f.dlen != dlen || memcmp(f.data, data, dlen)))
		return clash(a, i, family, f.tag);     /* ours, to another target: DEL first */
	if (hostip) {
		if ((rc = lookup(nl, other, x.pp, &g)))
			return rc;
		if (g.n && strcmp(g.tag, a->p->tag))
			return clash(a, i, family, g.tag);
	} else {
		/* hostIP mappings are few: the map is read whole */
		rc = xc_nft_dump(nl, NFT_MSG_GETSETELEM, NFPROTO_INET, TABLE,
				 xc_hostport_set_name[other], on_cross_msg, &x);
		if (rc && rc != -ENOENT)
			return rc;
		if (x.other[0])
			return clash(a, i, family, x.other);
	}
	return !f.n;
}

/* The elements of one set: those of v that are not there yet, chunked into messages. */
static int put_set(struct xc_nl *nl, struct add_plan *a, const struct xc_hostport *v, int n,
		   int set, int family)
{
	const struct xc_ip *pod = &a->p->ip[family == AF_INET6];
	uint8_t key[32], data[20];
	int rc;

	for (int i = 0; i < n; i++) {
		if (!xc_hostport_applies(&v[i], family) || xc_hostport_set(&v[i], family) != set)
			continue;
		if ((rc = mapping_free(nl, a, &v[i], i, family)) <= 0) {
			if (rc < 0)
				return rc;
			continue;       /* there, ours, the same: idempotent */
		}
		xc_hostport_key(&v[i], set, key);
		if (a->count[set] % XC_TAGSET_ELEMS_PER_MSG == 0) {
			if (a->count[set])
				xc_nft_elems_end(a->b);
			xc_nft_elems(a->b, NFT_MSG_NEWSETELEM, NFPROTO_INET, TABLE,
				     xc_hostport_set_name[set]);
		}
		a->count[set]++;
		a->n++;
		xc_nft_elem_full(a->b, key, xc_hostport_keylen(set), data,
				 xc_hostport_data(pod, v[i].cont_port, data), a->p->tag);
	}
	if (a->count[set])
		xc_nft_elems_end(a->b);
	return 0;
}

/* pod . pod in hairpinN, taken over from a stale attachment of the same address. */
static int put_hairpin(struct xc_nl *nl, struct add_plan *a, int family)
{
	int set = family == AF_INET ? XC_HP_HAIRPIN4 : XC_HP_HAIRPIN6;
	uint8_t key[32];
	size_t klen = xc_hostport_hairpin_key(&a->p->ip[family == AF_INET6], key);
	struct xc_tagset_found f;
	int rc = lookup(nl, set, key, &f);

	if (rc || (f.n && !strcmp(f.tag, a->p->tag)))
		return rc;
	if (f.n) {
		xc_nft_elems(a->b, NFT_MSG_DELSETELEM, NFPROTO_INET, TABLE,
			     xc_hostport_set_name[set]);
		xc_nft_elem(a->b, key, klen, 0);
		xc_nft_elems_end(a->b);
	}
	xc_nft_elems(a->b, NFT_MSG_NEWSETELEM, NFPROTO_INET, TABLE, xc_hostport_set_name[set]);
	xc_nft_elem_full(a->b, key, klen, NULL, 0, a->p->tag);
	xc_nft_elems_end(a->b);
	a->n++;
	return 0;
}

static int add_family(struct xc_nl *nl, struct add_plan *a, const struct xc_hostport *v,
		      int n, int family)
{
	int v6 = family == AF_INET6, any = 0, rc;

	if (a->p->ip[v6].family != family)
		return 0;
	for (int i = 0; i < n; i++)
		any |= xc_hostport_applies(&v[i], family);
	if (!any)
		return 0;
	if ((rc = put_set(nl, a, v, n, v6 ? XC_HP_HOSTIP6 : XC_HP_HOSTIP4, family)) ||
	    (rc = put_set(nl, a, v, n, v6 ? XC_HP_PORT6 : XC_HP_PORT4, family)))
		return rc;
	return a->p->snat ? put_hairpin(nl, a, family) : 0;
}

static int add_once(struct xc_nl *nl, const struct xc_hostport_pod *p,
		    const struct xc_hostport *v, int n, struct xc_hostport_clash *c,
		    void *buf, size_t cap)
{
	struct xc_nft_batch b;
	struct add_plan a = { .b = &b, .p = p, .c = c };
	int rc = xc_tagset_begin(nl, &xc_hostport_tagset, &b, buf, cap);

	if (rc < 0)
		return rc;
	/* without the table every lookup finds nothing: all goes in */
	if ((rc = add_family(nl, &a, v, n, AF_INET)) || (rc = add_family(nl, &a, v, n, AF_INET6)))
		return rc;
	rc = xc_nft_send(nl, &b);
	return rc < 0 ? rc : a.n;
}

int xc_hostport_add(struct xc_nl *nl, const struct xc_hostport_pod *p,
		    const struct xc_hostport *v, int n, struct xc_hostport_clash *c,
		    void *buf, size_t cap)
{
	int rc = -ERESTART;

	for (int i = 0; i < XC_TAGSET_RETRIES && rc == -ERESTART; i++)
		rc = add_once(nl, p, v, n, c, buf, cap);
	return rc;
}

/* ---- CHECK ------------------------------------------------------------- */

static int missing(char *what, size_t size, int set, const uint8_t *key, const uint8_t *data,
		   const char *why)
{
	char e[160];

	snprintf(what, size, "element %s of %s %s: %s",
		 xc_hostport_elem_format(set, key, data, e, sizeof(e)),
		 set >= XC_HP_HAIRPIN4 ? "set" : "map", xc_hostport_set_name[set], why);
	return -ENOENT;
}

static int verify_one(struct xc_nl *nl, const struct xc_hostport_pod *p, int set,
		      const uint8_t *key, const uint8_t *data, size_t dlen, char *what,
		      size_t size)
{
	struct xc_tagset_found f;
	int rc = lookup(nl, set, key, &f);

	if (rc)
		return rc;
	if (!f.n)
		return missing(what, size, set, key, data, "missing");
	if (strcmp(f.tag, p->tag))
		return missing(what, size, set, key, data, "held by another attachment");
	if (f.dlen != dlen || (dlen && memcmp(f.data, data, dlen)))
		return missing(what, size, set, key, data, "maps elsewhere");
	return 0;
}

int xc_hostport_verify(struct xc_nl *nl, const struct xc_hostport_pod *p,
		       const struct xc_hostport *v, int n, char *what, size_t size)
{
	uint8_t key[32], data[20];
	int rc = xc_tagset_there(nl, &xc_hostport_tagset);

	if (rc <= 0) {
		snprintf(what, size, "table inet " TABLE " is missing");
		return rc ? rc : -ENOENT;
	}
	if ((rc = xc_tagset_rules_ok(nl, &xc_hostport_tagset)) <= 0) {
		snprintf(what, size, "the rules of table inet " TABLE " differ from ours");
		return rc ? rc : -ENOENT;
	}
	for (int f = 0; f < 2; f++) {
		int fam = f ? AF_INET6 : AF_INET, any = 0;
		const struct xc_ip *pod = &p->ip[f];

		if (pod->family != fam)
			continue;
		for (int i = 0; i < n; i++) {
			int set = xc_hostport_set(&v[i], fam);
			size_t dlen = xc_hostport_data(pod, v[i].cont_port, data);

			if (!xc_hostport_applies(&v[i], fam))
				continue;
			any = 1;
			xc_hostport_key(&v[i], set, key);
			if ((rc = verify_one(nl, p, set, key, data, dlen, what, size)))
				return rc;
		}
		if (any && p->snat) {
			xc_hostport_hairpin_key(pod, key);
			rc = verify_one(nl, p, f ? XC_HP_HAIRPIN6 : XC_HP_HAIRPIN4, key, NULL, 0,
					what, size);
			if (rc)
				return rc;
		}
	}
	return 0;
}
