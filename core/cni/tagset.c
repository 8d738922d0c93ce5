/*
 * tagset: tables of tagged elements read, written and cleaned. See tagset.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <net/if.h>

#include "cni/podlink.h"
#include "cni/tagset.h"

#define CHUNK 2048              /* elements removed per batch */

/*
 * A dump the ruleset changed under (NLM_F_DUMP_INTR, -EINTR) read a view
 * that may be stale: as good a reason to read again as a refused batch.
 */
static int reread(int rc)
{
	return rc == -EINTR ? -ERESTART : rc;
}

int xc_tagset_there(struct xc_nl *nl, const struct xc_tagset *t)
{
	int rc = xc_nft_dump(nl, NFT_MSG_GETTABLE, t->family, t->table, NULL, NULL, NULL);

	return rc == -ENOENT ? 0 : rc < 0 ? rc : 1;
}

/* ---- the ruleset, read back -------------------------------------------- */

struct rules_rd {
	struct xc_nft_rule_body want[16];
	int nwant, seen, ok;
};

static int on_rule(const struct nlmsghdr *nlh, void *arg)
{
	struct rules_rd *r = arg;
	struct xc_nft_rule_body b;
	int i = r->seen++;

	if (xc_nft_rule_body(nlh, &b) || i >= r->nwant || strcmp(b.chain, r->want[i].chain) ||
	    !xc_nft_attr_equal(b.expr, r->want[i].expr) ||
	    !xc_nft_attr_equal(b.udata, r->want[i].udata))
		r->ok = 0;
	return 0;
}

int xc_tagset_rules_ok(struct xc_nl *nl, const struct xc_tagset *t)
{
	static uint32_t buf[4096];
	struct rules_rd r = { .ok = 1 };
	struct xc_nft_batch b;
	size_t off;
	int rc;

	xc_nft_batch_init(&b, buf, sizeof(buf));
	t->ruleset(&b, XC_TS_RULES);
	if (b.m.err)
		return b.m.err;
	/* the messages after BATCH_BEGIN, then the one still open */
	off = NLMSG_ALIGN(((struct nlmsghdr *)b.buf)->nlmsg_len);
	for (; off < b.len && r.nwant < 15; r.nwant++) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)(b.buf + off);

		xc_nft_rule_body(h, &r.want[r.nwant]);
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	xc_nft_rule_body(b.m.nlh, &r.want[r.nwant++]);
	rc = xc_nft_dump(nl, NFT_MSG_GETRULE, t->family, t->table, NULL, on_rule, &r);
	if (rc)
		return rc;
	return r.ok && r.seen == r.nwant;
}

int xc_tagset_begin(struct xc_nl *nl, const struct xc_tagset *t, struct xc_nft_batch *b,
		    void *buf, size_t cap)
{
	uint32_t gen;
	int rc, there, ok = 0;

	if ((rc = xc_nft_genid(nl, &gen)) || (rc = there = xc_tagset_there(nl, t)) < 0)
		return reread(rc);
	if (there && (rc = ok = xc_tagset_rules_ok(nl, t)) < 0)
		return reread(rc);
	xc_nft_batch_init(b, buf, cap);
	xc_nft_batch_genid(b, gen);
	if (!there || !ok)
		t->ruleset(b, there ? XC_TS_REBUILD : XC_TS_ALL);
	return there;
}

/* ---- one element ------------------------------------------------------- */

static int on_found(void *arg, const struct xc_nft_elem_view *e)
{
	struct xc_tagset_found *f = arg;

	f->n++;
	f->dlen = e->data ? e->dlen : 0;
	if (e->data)
		memcpy(f->data, e->data, e->dlen);
	snprintf(f->tag, sizeof(f->tag), "%s", e->comment);
	return 0;
}

static int on_get(const struct nlmsghdr *nlh, void *arg)
{
	return xc_nft_elems_each(nlh, on_found, arg);
}

int xc_tagset_lookup(struct xc_nl *nl, const struct xc_tagset *t, int set, const uint8_t *key,
		     size_t klen, struct xc_tagset_found *f)
{
	int rc;

	memset(f, 0, sizeof(*f));
	rc = xc_nft_elem_get(nl, t->family, t->table, t->sets[set], key, klen, on_get, f);
	return rc == -ENOENT ? 0 : rc;
}

/* ---- elements of a set, as dumped ------------------------------------- */

/* Elements to delete: one static list, a process makes one change at a time. */
static struct victim {
	uint8_t set, klen, range;
	uint8_t key[XC_TAGSET_KEY_MAX], kend[XC_TAGSET_KEY_MAX];
} victims[CHUNK];

struct scan {
	const char *tag;                /* put, verify: the pod's */
	const struct xc_tagset_elem *e; /* its elements */
	int n, set;
	uint8_t *there;                 /* e[i] is there, as wanted */
	xc_tagset_match match;          /* remove */
	void *arg;
	int nv, total, more;
	int foreign;                    /* put: a key of the pod's is another network's */
};

static int victim(struct scan *s, const struct xc_nft_elem_view *v)
{
	struct victim *x = &victims[s->nv];

	if (v->klen > XC_TAGSET_KEY_MAX)
		return 0;
	if (s->nv == CHUNK) {
		s->more = 1;
		return 0;
	}
	x->set = (uint8_t)s->set;
	x->klen = (uint8_t)v->klen;
	x->range = v->kend != NULL;
	memcpy(x->key, v->key, v->klen);
	if (v->kend)
		memcpy(x->kend, v->kend, v->klen);
	s->nv++;
	return 0;
}

/* The same element: key, range and tag. */
static int same(const struct xc_tagset_elem *e, const struct xc_nft_elem_view *v,
		const char *tag)
{
	return v->klen == e->klen && !memcmp(v->key, e->key, e->klen) &&
	       !v->kend == !e->range && (!e->range || !memcmp(v->kend, e->kend, e->klen)) &&
	       !strcmp(v->comment, tag);
}

/* Do two tags name the same network ("xcni:<network hash>:...")? */
static int on_view(void *arg, const struct xc_nft_elem_view *v)
{
	struct scan *s = arg;
	int whose = 0, kept = 0;

	s->total++;
	if (s->match)
		return s->match(s->arg, v->comment) ? victim(s, v) : 0;
	for (int i = 0; i < s->n; i++) {
		const struct xc_tagset_elem *e = &s->e[i];

		if (e->set != s->set || v->klen != e->klen || memcmp(v->key, e->key, e->plen))
			continue;
		whose = 1;
		if (same(e, v, s->tag))
			kept = s->there[i] = 1;
	}
	if (!whose || kept)
		return 0;
	/*
	 * A key of the pod's held otherwise (another tag, range) is a stale
	 * attachment's of this network, which IPAM or the veth's name gave to
	 * this one; another network's is not ours to take (overlapping subnets).
	 */
	if (!xc_podlink_alias_same_network(v->comment, s->tag)) {
		s->foreign = 1;
		return 0;
	}
	return victim(s, v);
}

static int on_msg(const struct nlmsghdr *nlh, void *arg)
{
	return xc_nft_elems_each(nlh, on_view, arg);
}

/* Every set of t (only those e uses when e is set) read into s. */
static int scan(struct xc_nl *nl, const struct xc_tagset *t, struct scan *s)
{
	int rc;

	s->nv = s->total = s->more = 0;
	for (s->set = 0; s->set < t->nsets; s->set++) {
		int used = !s->e;

		for (int i = 0; i < s->n && !used; i++)
			used = s->e[i].set == s->set;
		if (!used)
			continue;
		rc = xc_nft_dump(nl, NFT_MSG_GETSETELEM, t->family, t->table, t->sets[s->set],
				 on_msg, s);
		if (rc && rc != -ENOENT)
			return rc;
	}
	return 0;
}

/* The victims deleted, grouped by set in messages of XC_TAGSET_ELEMS_PER_MSG. */
static void del_victims(struct xc_nft_batch *b, const struct xc_tagset *t, int nv)
{
	int last = -1, inmsg = 0;

	for (int i = 0; i < nv; i++) {
		const struct victim *x = &victims[i];

		if (x->set != last || inmsg == XC_TAGSET_ELEMS_PER_MSG) {
			if (last >= 0)
				xc_nft_elems_end(b);
			last = x->set;
			inmsg = 0;
			xc_nft_elems(b, NFT_MSG_DELSETELEM, t->family, t->table, t->sets[last]);
		}
		if (x->range)
			xc_nft_elem_range(b, x->key, x->kend, x->klen, NULL);
		else
			xc_nft_elem(b, x->key, x->klen, 0);
		inmsg++;
	}
	if (last >= 0)
		xc_nft_elems_end(b);
}

/* ---- put, verify ------------------------------------------------------- */


static int put_once(struct xc_nl *nl, const struct xc_tagset *t, const char *tag,
		    const struct xc_tagset_elem *e, int n, void *buf, size_t cap)
{
	uint8_t there[XC_TAGSET_ELEMS_MAX] = { 0 };
	struct scan s = { .tag = tag, .e = e, .n = n, .there = there };
	struct xc_nft_batch b;
	int rc, added = 0;

	if (n > (int)sizeof(there))
		return -E2BIG;
	if ((rc = xc_tagset_begin(nl, t, &b, buf, cap)) < 0)
		return rc;
	if (rc && (rc = scan(nl, t, &s)))
		return reread(rc);
	if (s.foreign)
		return -EADDRINUSE;
	del_victims(&b, t, s.nv);
	for (int i = 0; i < n; i++) {
		if (there[i])
			continue;
		xc_nft_elems(&b, NFT_MSG_NEWSETELEM, t->family, t->table, t->sets[e[i].set]);
		if (e[i].range)
			xc_nft_elem_range(&b, e[i].key, e[i].kend, e[i].klen, tag);
		else
			xc_nft_elem_full(&b, e[i].key, e[i].klen, NULL, 0, tag);
		xc_nft_elems_end(&b);
		added++;
	}
	rc = xc_nft_send(nl, &b);
	return rc < 0 ? rc : added;
}

int xc_tagset_put(struct xc_nl *nl, const struct xc_tagset *t, const char *tag,
		  const struct xc_tagset_elem *e, int n, void *buf, size_t cap)
{
	int rc = -ERESTART;

	for (int i = 0; i < XC_TAGSET_RETRIES && rc == -ERESTART; i++)
		rc = put_once(nl, t, tag, e, n, buf, cap);
	return rc;
}

int xc_tagset_verify(struct xc_nl *nl, const struct xc_tagset *t, const char *tag,
		     const struct xc_tagset_elem *e, int n, int *bad, char *what, size_t size)
{
	uint8_t there[XC_TAGSET_ELEMS_MAX] = { 0 };
	struct scan s = { .tag = tag, .e = e, .n = n, .there = there };
	int rc = xc_tagset_there(nl, t);

	*bad = -1;
	if (rc <= 0) {
		snprintf(what, size, "table %s is missing", t->table);
		return rc ? rc : -ENOENT;
	}
	if ((rc = xc_tagset_rules_ok(nl, t)) <= 0) {
		snprintf(what, size, "the rules of table %s differ from ours", t->table);
		return rc ? rc : -ENOENT;
	}
	if (n > (int)sizeof(there))
		return -E2BIG;
	if ((rc = scan(nl, t, &s)))
		return rc;
	for (int i = 0; i < n; i++)
		if (!there[i]) {
			*bad = i;
			snprintf(what, size, "missing from set %s of table %s (or not tagged %s)",
				 t->sets[e[i].set], t->table, tag);
			return -ENOENT;
		}
	return 0;
}

/* ---- DEL, GC ----------------------------------------------------------- */

/* One batch: up to CHUNK elements, or the table when they are all there is. */
static int remove_once(struct xc_nl *nl, const struct xc_tagset *t, struct scan *s,
		       void *buf, size_t cap)
{
	struct xc_nft_batch b;
	uint32_t gen;
	int rc;

	/* more is scan's to set: a table gone meanwhile leaves nothing more */
	s->nv = s->total = s->more = 0;
	if ((rc = xc_nft_genid(nl, &gen)) || (rc = xc_tagset_there(nl, t)) <= 0 ||
	    (rc = scan(nl, t, s)) || !s->nv)
		return reread(rc);
	xc_nft_batch_init(&b, buf, cap);
	xc_nft_batch_genid(&b, gen);
	if (s->nv == s->total)
		xc_nft_table(&b, NFT_MSG_DELTABLE, t->family, t->table);
	else
		del_victims(&b, t, s->nv);
	rc = xc_nft_send(nl, &b);
	return rc == -ENOENT ? 0 : rc < 0 ? rc : s->nv;
}

int xc_tagset_remove(struct xc_nl *nl, const struct xc_tagset *t, xc_tagset_match match,
		     void *arg, void *buf, size_t cap)
{
	struct scan s = { .match = match, .arg = arg };
	int rc, done = 0, tries = 0;

	do {
		rc = remove_once(nl, t, &s, buf, cap);
		if (rc == -ERESTART && ++tries < XC_TAGSET_RETRIES) {
			s.more = 1;
			continue;
		}
		if (rc < 0)
			return rc == -EPROTONOSUPPORT || rc == -EOPNOTSUPP ? done : rc;
		done += rc;
	} while (s.more);
	return done;
}

int xc_tagset_is(void *arg, const char *tag)
{
	return !strcmp(tag, arg);
}

int xc_tagset_stale(void *arg, const char *tag)
{
	const struct xc_tagset_gc *g = arg;
	char cid[XC_CNI_ID_MAX + 1], ifname[IFNAMSIZ];

	return xc_podlink_alias_parse(tag, g->network, cid, ifname) == 1 &&
	       !xc_cni_attachment_find(g->valid, g->n, cid, ifname);
}
