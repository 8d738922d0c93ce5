/*
 * ipam ranges: canonical ranges, range sets and the pod-CIDR cache file
 * (see ipam_store.h; the state directory is ipam_store.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/podcidrs.h"
#include "cni/ipam_store.h"

static void pfx_str(const struct xc_prefix *p, char *buf, size_t size)
{
	if (xc_prefix_format(p, buf, size))
		snprintf(buf, size, "?");
}

static void ip_str(const struct xc_ip *ip, char *buf, size_t size)
{
	if (xc_ip_format(ip, buf, size))
		snprintf(buf, size, "?");
}

/* A given address must be of the subnet's family and inside it. */
static int inside(const struct xc_prefix *net, const struct xc_ip *ip, const char *what,
		  const char *where, struct xc_cni_err *err)
{
	char a[XC_IP_STRLEN], n[XC_IP_STRLEN];

	if (xc_prefix_contains(net, ip))
		return 0;
	ip_str(ip, a, sizeof(a));
	pfx_str(net, n, sizeof(n));
	xc_cni_errf(err, XC_CNI_E_CONFIG, "%s.%s %s is not in the subnet %s", where, what, a, n);
	return -EINVAL;
}

int xc_ipam_range_init(struct xc_ipam_range *r, const struct xc_prefix *subnet,
		       const struct xc_ip *start, const struct xc_ip *end,
		       const struct xc_ip *gw, const char *where, struct xc_cni_err *err)
{
	char a[XC_IP_STRLEN], b[XC_IP_STRLEN];
	struct xc_ip first;
	int bits = xc_ip_bits(subnet->ip.family);

	memset(r, 0, sizeof(*r));
	xc_prefix_network(subnet, &r->subnet);
	r->subnet.ip.zone[0] = '\0';
	if (!bits || subnet->len > bits - 2) {
		pfx_str(&r->subnet, a, sizeof(a));
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s.subnet %s is too small to allocate "
				   "from (at most /%d)", where, a, bits ? bits - 2 : 30);
	}
	first = r->subnet.ip;
	xc_ip_next(&first);
	r->gateway = first;
	r->start = first;
	xc_prefix_last(&r->subnet, &r->end);
	if (r->subnet.ip.family == AF_INET)
		xc_ip_prev(&r->end);
	if ((gw && inside(&r->subnet, gw, "gateway", where, err)) ||
	    (start && inside(&r->subnet, start, "rangeStart", where, err)) ||
	    (end && inside(&r->subnet, end, "rangeEnd", where, err)))
		return -EINVAL;
	if (gw)
		r->gateway = *gw;
	if (start)
		r->start = *start;
	if (end)
		r->end = *end;
	r->gateway.zone[0] = r->start.zone[0] = r->end.zone[0] = '\0';
	if (xc_ip_cmp(&r->start, &r->end) > 0) {
		ip_str(&r->start, a, sizeof(a));
		ip_str(&r->end, b, sizeof(b));
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s: rangeStart %s is after rangeEnd %s",
				   where, a, b);
	}
	return 0;
}

static int ranges_overlap(const struct xc_ipam_range *a, const struct xc_ipam_range *b)
{
	return a->start.family == b->start.family &&
	       xc_ip_cmp(&a->start, &b->end) <= 0 && xc_ip_cmp(&b->start, &a->end) <= 0;
}

static int set_check(const struct xc_ipam_set *s, int i, struct xc_cni_err *err)
{
	if (s->n < 1)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "range set %d is empty", i);
	for (int a = 0; a < s->n; a++) {
		if (s->r[a].subnet.ip.family != s->r[0].subnet.ip.family)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "range set %d mixes IPv4 and "
					   "IPv6 (ranges %d and %d)", i, 0, a);
		for (int b = a + 1; b < s->n; b++)
			if (ranges_overlap(&s->r[a], &s->r[b]))
				return xc_cni_errf(err, XC_CNI_E_CONFIG, "range set %d: ranges "
						   "%d and %d overlap", i, a, b);
	}
	return 0;
}

int xc_ipam_sets_check(const struct xc_ipam_set *sets, int n, struct xc_cni_err *err)
{
	if (n < 1)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "no IP ranges specified");
	for (int i = 0; i < n; i++) {
		int rc = set_check(&sets[i], i, err);

		if (rc)
			return rc;
	}
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			for (int a = 0; a < sets[i].n; a++)
				for (int b = 0; b < sets[j].n; b++)
					if (ranges_overlap(&sets[i].r[a], &sets[j].r[b]))
						return xc_cni_errf(err, XC_CNI_E_CONFIG,
							"range set %d overlaps with %d", i, j);
	return 0;
}

int xc_ipam_set_find(const struct xc_ipam_set *s, const struct xc_ip *ip)
{
	for (int i = 0; i < s->n; i++)
		if (s->r[i].start.family == ip->family &&
		    xc_ip_cmp(&s->r[i].start, ip) <= 0 && xc_ip_cmp(ip, &s->r[i].end) <= 0)
			return i;
	return -1;
}

void xc_ipam_set_str(const struct xc_ipam_set *s, char *buf, size_t size)
{
	char a[XC_IP_STRLEN], b[XC_IP_STRLEN];
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (int i = 0; i < s->n && len < size; i++) {
		ip_str(&s->r[i].start, a, sizeof(a));
		ip_str(&s->r[i].end, b, sizeof(b));
		len += (size_t)snprintf(buf + len, size - len, "%s%s-%s", i ? "," : "", a, b);
	}
}

/* b - a as an unsigned count, saturated (a <= b, same family). */
static uint64_t ip_diff(const struct xc_ip *a, const struct xc_ip *b)
{
	int n = xc_ip_bytes(a->family);
	uint64_t hi = 0, d = 0;
	int borrow = 0;

	for (int i = n - 1, k = 0; i >= 0; i--, k++) {
		int x = b->a[i] - a->a[i] - borrow;

		borrow = x < 0;
		x &= 0xff;
		if (k < 8)
			d |= (uint64_t)x << (8 * k);
		else
			hi |= (uint64_t)x;
	}
	return hi ? UINT64_MAX : d;
}

int xc_ipam_reserved_addr(const struct xc_ipam_range *r, const struct xc_ip *ip)
{
	struct xc_ip last;

	if (xc_ip_equal(ip, &r->subnet.ip))
		return 1;
	xc_prefix_last(&r->subnet, &last);
	return r->subnet.ip.family == AF_INET && xc_ip_equal(ip, &last);
}

static int in_range(const struct xc_ipam_range *r, const struct xc_ip *ip)
{
	return xc_ip_cmp(&r->start, ip) <= 0 && xc_ip_cmp(ip, &r->end) <= 0;
}

uint64_t xc_ipam_set_capacity(const struct xc_ipam_set *s)
{
	uint64_t total = 0;

	for (int i = 0; i < s->n; i++) {
		const struct xc_ipam_range *r = &s->r[i];
		uint64_t n = ip_diff(&r->start, &r->end);
		struct xc_ip last;

		if (n == UINT64_MAX)
			return UINT64_MAX;
		n++;
		xc_prefix_last(&r->subnet, &last);
		n -= in_range(r, &r->gateway);
		n -= in_range(r, &r->subnet.ip) && !xc_ip_equal(&r->subnet.ip, &r->gateway);
		n -= r->subnet.ip.family == AF_INET && in_range(r, &last) &&
		     !xc_ip_equal(&last, &r->gateway);
		total = total + n < total ? UINT64_MAX : total + n;
	}
	return total;
}

void xc_ipam_iter_init(struct xc_ipam_iter *it, const struct xc_ipam_set *s,
		       const struct xc_ip *last)
{
	int i = last ? xc_ipam_set_find(s, last) : -1;

	memset(it, 0, sizeof(*it));
	it->s = s;
	if (i < 0)
		return;
	it->idx = i;
	it->cur = *last;
	it->have_cur = 1;
}

/* One step along the cycle; 0 when it closes. */
static int iter_step(struct xc_ipam_iter *it)
{
	const struct xc_ipam_range *r = &it->s->r[it->idx];

	if (!it->have_cur) {
		it->cur = r->start;
		it->start = it->cur;
		it->have_cur = it->have_start = 1;
		return 1;
	}
	if (xc_ip_equal(&it->cur, &r->end)) {
		it->idx = (it->idx + 1) % it->s->n;
		it->cur = it->s->r[it->idx].start;
	} else {
		xc_ip_next(&it->cur);
	}
	if (!it->have_start) {
		it->start = it->cur;
		it->have_start = 1;
	} else if (xc_ip_equal(&it->cur, &it->start)) {
		return 0;
	}
	return 1;
}

int xc_ipam_iter_next(struct xc_ipam_iter *it, struct xc_ip *ip, int *range)
{
	while (it->s->n > 0 && iter_step(it)) {
		const struct xc_ipam_range *r = &it->s->r[it->idx];

		if (xc_ip_equal(&it->cur, &r->gateway) || xc_ipam_reserved_addr(r, &it->cur))
			continue;
		*ip = it->cur;
		*range = it->idx;
		return 1;
	}
	return 0;
}

int xc_ipam_podcidrs(const char *data_dir, const char *network, struct xc_prefix *out,
		     int max, struct xc_cni_err *err)
{
	char why[XC_PODCIDRS_REASON_MAX + XC_IP_STRLEN + 16];
	int n = xc_podcidrs_read(data_dir, network, out, max, why, sizeof(why));

	if (n == -EINVAL || n == -E2BIG)   /* the file's text is wrong: say where */
		return xc_cni_errf(err, XC_CNI_E_CONFIG, XC_PODCIDRS_FILE "%s%s",
				   n == -EINVAL ? " " : ": ", why);
	if (n == -EACCES) {
		xc_cni_errf(err, XC_CNI_E_TRY_AGAIN, "this node's pod CIDR %s: the router gives "
			    "it no route, so no pod gets an address from it", why);
		xc_cni_err_details(err, "from %s/%s/" XC_PODCIDRS_FILE " (the router's verdict, or "
				   "node-local's from its own Node before the router ran): fix the "
				   "Node's spec.podCIDRs (or its CIDR annotation) or the router's "
				   "CLUSTER_CIDR", data_dir, network);
		return -EAGAIN;
	}
	return n;
}
