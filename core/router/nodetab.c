/*
 * nodetab: the router's compact node table. See nodetab.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "base/array.h"
#include "base/sorted.h"
#include "kube/k8s.h"
#include "router/nodetab.h"

void xc_nodetab_init(struct xc_nodetab *t)
{
	memset(t, 0, sizeof(*t));
}

void xc_nodetab_free(struct xc_nodetab *t)
{
	xc_nodetab_notify notify = t->notify;
	void *arg = t->notify_arg;
	uint64_t changes = t->changes + (t->n > 0);

	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	xc_nodetab_init(t);
	t->notify = notify;
	t->notify_arg = arg;
	t->changes = changes;
}

static int cmp_name(const void *elem, const void *name)
{
	return strcmp((*(struct xc_node *const *)elem)->name, name);
}

/* Index of name, or of where it would go (then *found is 0). */
static size_t lookup(const struct xc_nodetab *t, const char *name, int *found)
{
	return xc_sorted_find(t->v, t->n, sizeof(*t->v), name, cmp_name, found);
}

const struct xc_node *xc_nodetab_find(const struct xc_nodetab *t, const char *name)
{
	int found;
	size_t i = lookup(t, name, &found);

	return found ? t->v[i] : NULL;
}

/*
 * The packed form of a CIDR or an address: family, tag (a CIDR's length,
 * an address's kind), then 4 or 16 bytes. An IPv4 one takes 6 bytes, not
 * the 18 of a fixed form: a dual-stack node's record drops from ~100 bytes
 * to ~75, a smaller allocator class (2 MB at 65,000 nodes).
 */
#define PACKED_MAX (2 + 16)

static size_t addr_bytes(uint8_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* The packed entry after p. */
static const uint8_t *packed_next(const uint8_t *p)
{
	return p + 2 + addr_bytes(p[0]);
}

static size_t pack_ip(uint8_t *p, const struct xc_ip *ip, uint8_t tag)
{
	p[0] = ip->family;
	p[1] = tag;
	memcpy(p + 2, ip->a, addr_bytes(ip->family));
	return (size_t)(packed_next(p) - p);
}

/* The tag of the packed p, its address into ip. */
static uint8_t unpack_ip(const uint8_t *p, struct xc_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = p[0];
	memcpy(ip->a, p + 2, addr_bytes(p[0]));
	return p[1];
}

static const uint8_t *packed(const struct xc_node *n)
{
	return (const uint8_t *)n->name + n->namelen + 1;
}

/* The k-th packed entry: CIDRs first (0..ncidr), then addresses. */
static const uint8_t *packed_at(const struct xc_node *n, int k)
{
	const uint8_t *p = packed(n);

	while (k-- > 0)
		p = packed_next(p);
	return p;
}

/* rec's CIDRs then addresses, packed into v; returns the bytes. */
static size_t pack_ips(const struct xc_node_rec *r, uint8_t *v)
{
	size_t len = 0;

	for (int i = 0; i < r->ncidr; i++)
		len += pack_ip(v + len, &r->cidr[i].ip, r->cidr[i].len);
	for (int i = 0; i < r->naddr; i++)
		len += pack_ip(v + len, &r->addr[i].ip, r->addr[i].kind);
	return len;
}

/* Compare only what was parsed: stale bytes past the counts do not matter. */
static int same_content(const struct xc_node *n, const struct xc_node_rec *r)
{
	uint8_t v[(XC_NODE_CIDRS + XC_NODE_ADDRS) * PACKED_MAX];
	size_t len;

	if (n->ncidr != r->ncidr || n->naddr != r->naddr || n->created != r->created)
		return 0;
	len = pack_ips(r, v);
	return packed_at(n, n->ncidr + n->naddr) - packed(n) == (ptrdiff_t)len &&
	       !memcmp(packed(n), v, len);
}

/* A new record of rec, seen by listing gen; NULL: out of memory. */
static struct xc_node *node_new(const struct xc_node_rec *r, uint32_t gen)
{
	uint8_t v[(XC_NODE_CIDRS + XC_NODE_ADDRS) * PACKED_MAX];
	size_t len = strnlen(r->name, XC_NODE_NAME_MAX), k = pack_ips(r, v);
	struct xc_node *n = malloc(sizeof(*n) + len + 1 + k);

	if (!n)
		return NULL;
	n->created = r->created;
	n->gen = gen;
	n->ncidr = r->ncidr;
	n->naddr = r->naddr;
	n->logged = 0;
	n->namelen = (uint8_t)len;
	memcpy(n->name, r->name, len);
	n->name[len] = '\0';
	memcpy((uint8_t *)n->name + len + 1, v, k);
	return n;
}

int xc_nodetab_set(struct xc_nodetab *t, const struct xc_node_rec *rec)
{
	struct xc_node *n, **v;
	size_t i;
	int found;

	i = lookup(t, rec->name, &found);
	if (found) {
		t->v[i]->gen = t->gen;
		if (same_content(t->v[i], rec))
			return 0;
		/* a new record: the counts, so its size, may change */
		n = node_new(rec, t->gen);
		if (!n)
			return -ENOMEM;
		if (t->notify)
			t->notify(t->notify_arg, t->v[i], rec);
		free(t->v[i]);
		t->v[i] = n;
		t->changes++;
		return 1;
	}
	if (!(v = xc_array_grow(t->v, &t->cap, t->n, sizeof(*v), 64)))
		return -ENOMEM;
	t->v = v;
	n = node_new(rec, t->gen);
	if (!n)
		return -ENOMEM;
	memmove(t->v + i + 1, t->v + i, (t->n - i) * sizeof(*t->v));
	t->v[i] = n;
	t->n++;
	t->changes++;
	if (t->notify)
		t->notify(t->notify_arg, NULL, rec);
	return 1;
}

int xc_nodetab_del(struct xc_nodetab *t, const char *name)
{
	int found;
	size_t i = lookup(t, name, &found);

	if (!found)
		return 0;
	if (t->notify)
		t->notify(t->notify_arg, t->v[i], NULL);
	free(t->v[i]);
	memmove(t->v + i, t->v + i + 1, (t->n - i - 1) * sizeof(*t->v));
	t->n--;
	t->changes++;
	return 1;
}

void xc_nodetab_begin(struct xc_nodetab *t)
{
	t->gen++;
}

size_t xc_nodetab_sweep(struct xc_nodetab *t)
{
	size_t i, j = 0, gone = 0;

	for (i = 0; i < t->n; i++) {
		if (t->v[i]->gen != t->gen) {
			if (t->notify)
				t->notify(t->notify_arg, t->v[i], NULL);
			free(t->v[i]);
			gone++;
			t->changes++;
			continue;
		}
		t->v[j++] = t->v[i];
	}
	t->n = j;
	return gone;
}

/* ---- reading Node objects --------------------------------------------- */

static void add_cidr(struct xc_node_rec *r, const struct xc_prefix *cidr)
{
	struct xc_prefix p;

	if (r->ncidr >= XC_NODE_CIDRS)
		return;
	xc_prefix_network(cidr, &p);
	for (int i = 0; i < r->ncidr; i++)
		if (r->cidr[i].len == p.len && xc_ip_equal(&r->cidr[i].ip, &p.ip))
			return;
	r->cidr[r->ncidr++] = p;
}

static void add_addr(struct xc_node_rec *r, const struct xc_ip *ip, uint8_t kind)
{
	if (r->naddr >= XC_NODE_ADDRS || ip->zone[0])
		return;
	for (int i = 0; i < r->naddr; i++)
		if (xc_ip_equal(&r->addr[i].ip, ip))
			return;
	r->addr[r->naddr].ip = *ip;
	r->addr[r->naddr++].kind = kind;
}

/* Each item of a comma-separated address list (blanks around items); bad ones skipped. */
static void add_addr_list(struct xc_node_rec *r, const char *text)
{
	char item[XC_IP_STRLEN + 8];
	struct xc_ip ip;

	for (const char *p = text; *p;) {
		size_t n = strcspn(p, ","), a = strspn(p, " \t"), b = n;

		while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
			b--;
		if (a < b && b - a < sizeof(item)) {
			memcpy(item, p + a, b - a);
			item[b - a] = '\0';
			if (!xc_ip_parse(item, &ip))
				add_addr(r, &ip, XC_NODE_ADDR_ANNOTATION);
		}
		p += n + (p[n] == ',');
	}
}

static int annotated(const char *name)
{
	return name && *name;
}

void xc_node_from_k8s(const struct xc_k8s_node *kn, const struct xc_node_parse *pc,
		      struct xc_node_rec *r)
{
	struct xc_prefix ann[XC_NODE_CIDRS];
	int n;

	memset(r, 0, sizeof(*r));
	memcpy(r->name, kn->name, strnlen(kn->name, XC_NODE_NAME_MAX));
	r->created = kn->created;
	if (pc && annotated(pc->cidr_annotation)) {
		n = kn->annot_len[0] >= 0 ? xc_k8s_parse_cidr_list(kn->annot[0], ann, XC_NODE_CIDRS) : 0;
		for (int i = 0; i < n; i++)
			add_cidr(r, &ann[i]);
	} else {
		for (int i = 0; i < kn->ncidrs; i++)
			add_cidr(r, &kn->cidr[i]);
	}
	if (pc && annotated(pc->addr_annotation) && kn->annot_len[1] > 0)
		add_addr_list(r, kn->annot[1]);
	/* Preference order, not document order: InternalIPs first (see xc_node_addr). */
	for (int t = XC_K8S_INTERNAL_IP; t <= XC_K8S_EXTERNAL_IP; t++)
		for (int i = 0; i < kn->naddrs; i++)
			if (kn->addr[i].type == t)
				add_addr(r, &kn->addr[i].ip, t == XC_K8S_INTERNAL_IP ?
					 XC_NODE_ADDR_INTERNAL : XC_NODE_ADDR_EXTERNAL);
}

void xc_node_annot_names(const struct xc_node_parse *pc, const char **names)
{
	names[0] = pc && annotated(pc->cidr_annotation) ? pc->cidr_annotation : NULL;
	names[1] = pc && annotated(pc->addr_annotation) ? pc->addr_annotation : NULL;
}

/* xc_nodetab_parse on a node's members, from an iterator over them. */
static int parse_node(struct xc_json_iter *it, const struct xc_node_parse *pc,
		      struct xc_node_rec *rec)
{
	const char *names[XC_K8S_ANNOT_MAX];
	struct xc_k8s_node kn;
	int rc;

	xc_node_annot_names(pc, names);
	rc = xc_k8s_node_parse_members(it, names, &kn, NULL, 0);
	if (rc)
		return rc;
	xc_node_from_k8s(&kn, pc, rec);
	return 0;
}

int xc_nodetab_parse(const struct xc_json *node, const struct xc_node_parse *pc,
		     struct xc_node_rec *rec)
{
	struct xc_json_iter it;

	memset(rec, 0, sizeof(*rec));
	if (node->type != XC_JSON_OBJECT)
		return -EINVAL;
	xc_json_iter_init(&it, node);
	return parse_node(&it, pc, rec);
}

int xc_nodetab_load_list(struct xc_nodetab *t, const struct xc_json *list,
			 const struct xc_node_parse *pc, size_t *changed, size_t *skipped)
{
	struct xc_node_rec rec;
	struct xc_json_iter it, item;
	struct xc_json node;
	size_t nchanged = 0, nskipped = 0;
	int rc;

	/*
	 * Not xc_json_get then xc_json_next: they would walk the whole list to
	 * find the items' end, then each item to find its end, before parsing
	 * it: three passes over the list instead of one.
	 */
	if (list->type == XC_JSON_ARRAY)
		xc_json_iter_init(&it, list);
	else if (xc_json_iter_member(&it, list, "items") != XC_JSON_ARRAY)
		return -EINVAL;
	xc_nodetab_begin(t);
	while (xc_json_next_enter(&it, NULL, &node, &item) > 0) {
		memset(&rec, 0, sizeof(rec));
		if (node.type != XC_JSON_OBJECT || parse_node(&item, pc, &rec) < 0) {
			nskipped++;
			continue;
		}
		rc = xc_nodetab_set(t, &rec);
		if (rc < 0)
			return rc;
		nchanged += (size_t)rc;
	}
	nchanged += xc_nodetab_sweep(t);
	if (changed)
		*changed = nchanged;
	if (skipped)
		*skipped = nskipped;
	return 0;
}

/* Map a whole file read-only; *len 0 and *data NULL for an empty one. */
static int map_file(const char *path, const char **data, size_t *len)
{
	struct stat st;
	void *p;
	int fd, rc = 0;

	*data = NULL;
	*len = 0;
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
	} else if (st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			rc = -errno;
		} else {
			*data = p;
			*len = (size_t)st.st_size;
		}
	}
	close(fd);
	return rc;
}

int xc_nodetab_load_file(struct xc_nodetab *t, const char *path, const struct xc_node_parse *pc,
			 size_t *changed, size_t *skipped, char *err, size_t errlen)
{
	struct xc_json_error je;
	struct xc_json root;
	const char *data;
	size_t len;
	int rc;

	if (errlen)
		err[0] = '\0';
	rc = map_file(path, &data, &len);
	if (rc)
		return rc;
	rc = xc_json_parse(data ? data : "", len, &root, &je);
	if (rc) {
		if (errlen)
			xc_json_strerror(&je, err, errlen);
		rc = -EINVAL;
	} else {
		rc = xc_nodetab_load_list(t, &root, pc, changed, skipped);
		if (rc == -EINVAL && errlen)
			snprintf(err, errlen, "not a list of nodes (no items array)");
	}
	if (data)
		munmap((void *)data, len);
	return rc;
}

/* One line of a map: "NAME ADDRESS" into rec; 0 for a blank line, 1 for an entry. */
static int map_line(char *line, struct xc_node_rec *rec)
{
	char *name, *addr, *rest, *save;
	struct xc_ip ip;

	line[strcspn(line, "#\r\n")] = '\0';
	name = strtok_r(line, " \t", &save);
	if (!name)
		return 0;
	addr = strtok_r(NULL, " \t", &save);
	rest = strtok_r(NULL, " \t", &save);
	if (!addr || rest || strlen(name) > XC_NODE_NAME_MAX)
		return -EINVAL;
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->name, name, strlen(name));
	if (xc_ip_parse(addr, &ip) == 0)
		add_addr(rec, &ip, XC_NODE_ADDR_ANNOTATION);
	return rec->naddr ? 1 : -EINVAL;
}

int xc_nodetab_load_map(struct xc_nodetab *t, const char *path, size_t *changed,
			char *err, size_t errlen)
{
	struct xc_node_rec rec;
	char line[XC_NODE_NAME_MAX + XC_IP_STRLEN + 64];
	size_t nchanged = 0;
	unsigned lineno = 0;
	FILE *f;
	int rc = 0;

	if (errlen)
		err[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return -errno;
	xc_nodetab_begin(t);
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		rc = map_line(line, &rec);
		if (rc < 0) {
			if (errlen)
				snprintf(err, errlen, "line %u: not \"NAME ADDRESS\"", lineno);
			break;
		}
		if (rc == 0)
			continue;
		rc = xc_nodetab_set(t, &rec);
		if (rc < 0)
			break;
		nchanged += (size_t)rc;
		rc = 0;
	}
	fclose(f);
	if (rc < 0)
		return rc;
	nchanged += xc_nodetab_sweep(t);
	if (changed)
		*changed = nchanged;
	return 0;
}

const struct xc_ip *xc_node_addr(const struct xc_node *n, int family, struct xc_ip *buf)
{
	const uint8_t *p = packed_at(n, n->ncidr), *best = NULL;

	for (int i = 0; i < n->naddr; i++, p = packed_next(p))
		if (p[0] == family && (!best || p[1] < best[1]))
			best = p;
	if (!best)
		return NULL;
	unpack_ip(best, buf);
	return buf;
}

const struct xc_prefix *xc_node_cidr_at(const struct xc_node *n, int k, struct xc_prefix *buf)
{
	buf->len = unpack_ip(packed_at(n, k), &buf->ip);
	return buf;
}

uint8_t xc_node_addr_at(const struct xc_node *n, int k, struct xc_ip *buf)
{
	return unpack_ip(packed_at(n, n->ncidr + k), buf);
}

const struct xc_prefix *xc_node_cidr(const struct xc_node *n, int family, struct xc_prefix *buf)
{
	const uint8_t *p = packed(n);

	for (int i = 0; i < n->ncidr; i++, p = packed_next(p))
		if (p[0] == family)
			return xc_node_cidr_at(n, i, buf);
	return NULL;
}

void xc_node_unpack(const struct xc_node *n, struct xc_node_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->name, n->name, n->namelen);
	rec->created = n->created;
	rec->ncidr = n->ncidr;
	rec->naddr = n->naddr;
	for (int i = 0; i < n->ncidr; i++)
		xc_node_cidr_at(n, i, &rec->cidr[i]);
	for (int i = 0; i < n->naddr; i++)
		rec->addr[i].kind = xc_node_addr_at(n, i, &rec->addr[i].ip);
}

int xc_node_rank_cmp(const struct xc_node *a, const struct xc_node *b)
{
	uint64_t ta = (uint64_t)a->created - 1, tb = (uint64_t)b->created - 1; /* 0: the latest */

	if (ta != tb)
		return ta < tb ? -1 : 1;
	return strcmp(a->name, b->name);
}
