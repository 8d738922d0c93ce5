/*
 * cni results: emission per spec version and parsing back (see cni.h).
 *
 * Key order and omission follow the reference plugins' output, so that a
 * result of ours and one of theirs differ only where the data does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cni/cni.h"

void xc_cni_result_init(struct xc_cni_result *r)
{
	memset(r, 0, sizeof(*r));
}

static void put_ip(struct xc_json_out *o, const char *key, const struct xc_ip *ip)
{
	char buf[XC_IP_STRLEN];

	if (xc_ip_format(ip, buf, sizeof(buf)))
		buf[0] = '\0';
	xc_json_key(o, key);
	xc_json_string(o, buf);
}

static void put_prefix(struct xc_json_out *o, const char *key, const struct xc_prefix *p)
{
	char buf[XC_IP_STRLEN];

	if (xc_prefix_format(p, buf, sizeof(buf)))
		buf[0] = '\0';
	xc_json_key(o, key);
	xc_json_string(o, buf);
}

static void put_int(struct xc_json_out *o, const char *key, int64_t v)
{
	xc_json_key(o, key);
	xc_json_int64(o, v);
}

static void put_str(struct xc_json_out *o, const char *key, const char *s)
{
	if (!s[0])
		return;
	xc_json_key(o, key);
	xc_json_string(o, s);
}

static void emit_ifaces(struct xc_json_out *o, const struct xc_cni_result *r, enum xc_cni_ver v)
{
	if (!r->n_ifaces)
		return;
	xc_json_key(o, "interfaces");
	xc_json_arr(o);
	for (int i = 0; i < r->n_ifaces; i++) {
		const struct xc_cni_iface *f = &r->ifaces[i];

		xc_json_obj(o);
		xc_json_key(o, "name");
		xc_json_string(o, f->name);
		put_str(o, "mac", f->mac);
		if (v >= XC_CNI_V_1_1_0 && f->mtu > 0)
			put_int(o, "mtu", f->mtu);
		put_str(o, "sandbox", f->sandbox);
		xc_json_end(o);
	}
	xc_json_end(o);
}

static void emit_ips(struct xc_json_out *o, const struct xc_cni_result *r, enum xc_cni_ver v)
{
	if (!r->n_ips)
		return;
	xc_json_key(o, "ips");
	xc_json_arr(o);
	for (int i = 0; i < r->n_ips; i++) {
		const struct xc_cni_ipconf *c = &r->ips[i];

		xc_json_obj(o);
		if (v < XC_CNI_V_1_0_0) {
			xc_json_key(o, "version");
			xc_json_string(o, c->address.ip.family == AF_INET6 ? "6" : "4");
		}
		if (c->iface >= 0)
			put_int(o, "interface", c->iface);
		put_prefix(o, "address", &c->address);
		if (c->has_gateway)
			put_ip(o, "gateway", &c->gateway);
		xc_json_end(o);
	}
	xc_json_end(o);
}

static void emit_routes(struct xc_json_out *o, const struct xc_cni_result *r, enum xc_cni_ver v)
{
	if (!r->n_routes)
		return;
	xc_json_key(o, "routes");
	xc_json_arr(o);
	for (int i = 0; i < r->n_routes; i++) {
		const struct xc_cni_route *rt = &r->routes[i];
		unsigned has = v >= XC_CNI_V_1_1_0 ? rt->has : rt->has & XC_CNI_RT_GW;

		xc_json_obj(o);
		put_prefix(o, "dst", &rt->dst);
		if (has & XC_CNI_RT_GW)
			put_ip(o, "gw", &rt->gw);
		if (has & XC_CNI_RT_MTU)
			put_int(o, "mtu", rt->mtu);
		if (has & XC_CNI_RT_ADVMSS)
			put_int(o, "advmss", rt->advmss);
		if (has & XC_CNI_RT_PRIORITY)
			put_int(o, "priority", rt->priority);
		if (has & XC_CNI_RT_TABLE)
			put_int(o, "table", rt->table);
		if (has & XC_CNI_RT_SCOPE)
			put_int(o, "scope", rt->scope);
		xc_json_end(o);
	}
	xc_json_end(o);
}

static void put_list(struct xc_json_out *o, const char *key, int n, const char *first, size_t stride)
{
	if (n <= 0)
		return;
	xc_json_key(o, key);
	xc_json_arr(o);
	for (int i = 0; i < n; i++)
		xc_json_string(o, first + (size_t)i * stride);
	xc_json_end(o);
}

static void emit_dns(struct xc_json_out *o, const struct xc_cni_dns *d)
{
	xc_json_key(o, "dns");
	xc_json_obj(o);
	put_list(o, "nameservers", d->n_nameservers, d->nameservers[0], sizeof(d->nameservers[0]));
	put_str(o, "domain", d->domain);
	put_list(o, "search", d->n_search, d->search[0], sizeof(d->search[0]));
	put_list(o, "options", d->n_options, d->options[0], sizeof(d->options[0]));
	xc_json_end(o);
}

void xc_cni_result_json(struct xc_json_out *o, const struct xc_cni_result *r,
			enum xc_cni_ver v)
{
	xc_json_obj(o);
	xc_json_key(o, "cniVersion");
	xc_json_string(o, xc_cni_version_str(v));
	emit_ifaces(o, r, v);
	emit_ips(o, r, v);
	emit_routes(o, r, v);
	emit_dns(o, &r->dns);
	xc_json_end(o);
}

long xc_cni_result_emit(const struct xc_cni_result *r, enum xc_cni_ver v,
			char *buf, size_t size)
{
	struct xc_json_out o;

	xc_json_out_init(&o, buf, size, 2);
	xc_cni_result_json(&o, r, v);
	return xc_json_out_end(&o);
}

/* --- parsing ----------------------------------------------------------- */

/* Optional integer member into *out, with its presence bit. */
static int opt_int(const struct xc_json *obj, const char *where, const char *key,
		   int64_t min, int64_t max, int *out, unsigned *has, unsigned bit,
		   struct xc_cni_err *err)
{
	int64_t v;
	int rc = xc_cni_get_int(obj, where, key, 0, min, max, &v, err);

	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	*out = (int)v;
	if (has)
		*has |= bit;
	return 0;
}

int xc_cni_route_parse(const struct xc_json *obj, const char *where, struct xc_cni_route *rt,
		       struct xc_cni_err *err)
{
	int rc;

	memset(rt, 0, sizeof(*rt));
	if (obj->type != XC_JSON_OBJECT)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s must be an object, not %s",
				   where, xc_json_type_name(obj->type));
	rc = xc_cni_get_prefix(obj, where, "dst", 1, &rt->dst, err);
	if (rc)
		return rc;
	rc = xc_cni_get_ip(obj, where, "gw", 0, &rt->gw, err);
	if (!rc) {
		if (rt->gw.family != rt->dst.ip.family)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s.gw is not of the family of "
					   "%s.dst", where, where);
		rt->has |= XC_CNI_RT_GW;
	} else if (rc != -ENOENT) {
		return rc;
	}
	if ((rc = opt_int(obj, where, "mtu", 0, 65535, &rt->mtu, &rt->has, XC_CNI_RT_MTU, err)) ||
	    (rc = opt_int(obj, where, "advmss", 0, 65535, &rt->advmss, &rt->has,
			  XC_CNI_RT_ADVMSS, err)) ||
	    (rc = opt_int(obj, where, "priority", 0, UINT32_MAX >> 1, &rt->priority, &rt->has,
			  XC_CNI_RT_PRIORITY, err)) ||
	    (rc = opt_int(obj, where, "table", 0, UINT32_MAX >> 1, &rt->table, &rt->has,
			  XC_CNI_RT_TABLE, err)) ||
	    (rc = opt_int(obj, where, "scope", 0, 255, &rt->scope, &rt->has, XC_CNI_RT_SCOPE, err)))
		return rc;
	return 0;
}

/* Iterate the array member `key` of obj, calling fn for each element. */
static int each(const struct xc_json *obj, const char *where, const char *key, int max,
		enum xc_json_type type, int (*fn)(const struct xc_json *el, const char *at, int i, void *ctx), void *ctx,
		struct xc_cni_err *err)
{
	struct xc_json arr, k, v;
	struct xc_json_iter it;
	char at[96];
	int i = 0, rc;

	rc = xc_cni_get_typed(obj, where, key, 0, XC_JSON_ARRAY, &arr, err);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	xc_json_iter_init(&it, &arr);
	while (xc_json_next(&it, &k, &v) > 0) {
		snprintf(at, sizeof(at), "%s.%s[%d]", where, key, i);
		if (i == max)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s.%s has more than %d entries",
					   where, key, max);
		if (v.type != type)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s must be %s %s, not %s", at,
					   type == XC_JSON_OBJECT ? "an" : "a", xc_json_type_name(type),
					   xc_json_type_name(v.type));
		rc = fn(&v, at, i, ctx);
		if (rc)
			return rc;
		i++;
	}
	return i;
}

struct pctx {
	struct xc_cni_result *r;
	enum xc_cni_ver v;
	struct xc_cni_err *err;
	char *list;               /* DNS string list being filled */
	size_t stride, len;
};

static int one_iface(const struct xc_json *el, const char *at, int i, void *ctx)
{
	struct pctx *c = ctx;
	struct xc_cni_iface *f = &c->r->ifaces[i];
	long n;

	n = xc_cni_get_str(el, at, "name", 1, f->name, sizeof(f->name), c->err);
	if (n < 0)
		return (int)n;
	n = xc_cni_get_str(el, at, "mac", 0, f->mac, sizeof(f->mac), c->err);
	if (n < 0 && n != -ENOENT)
		return (int)n;
	n = xc_cni_get_str(el, at, "sandbox", 0, f->sandbox, sizeof(f->sandbox), c->err);
	if (n < 0 && n != -ENOENT)
		return (int)n;
	c->r->n_ifaces = i + 1;
	return opt_int(el, at, "mtu", 0, 1 << 20, &f->mtu, NULL, 0, c->err);
}

static int one_ip(const struct xc_json *el, const char *at, int i, void *ctx)
{
	struct pctx *c = ctx;
	struct xc_cni_ipconf *ip = &c->r->ips[i];
	char ver[4];
	long n;
	int rc;

	ip->iface = -1;
	rc = xc_cni_get_prefix(el, at, "address", 1, &ip->address, c->err);
	if (rc)
		return rc;
	rc = xc_cni_get_ip(el, at, "gateway", 0, &ip->gateway, c->err);
	if (rc && rc != -ENOENT)
		return rc;
	ip->has_gateway = !rc;
	if (ip->has_gateway && ip->gateway.family != ip->address.ip.family)
		return xc_cni_errf(c->err, XC_CNI_E_CONFIG, "%s.gateway is not of the family "
				   "of %s.address", at, at);
	rc = opt_int(el, at, "interface", 0, XC_CNI_MAX_IFACES - 1, &ip->iface, NULL, 0, c->err);
	if (rc)
		return rc;
	n = xc_cni_get_str(el, at, "version", 0, ver, sizeof(ver), c->err);
	if (n >= 0 && strcmp(ver, ip->address.ip.family == AF_INET6 ? "6" : "4"))
		return xc_cni_errf(c->err, XC_CNI_E_CONFIG, "%s.version \"%s\" does not match "
				   "the address family", at, ver);
	if (n < 0 && n != -ENOENT)
		return (int)n;
	c->r->n_ips = i + 1;
	return 0;
}

static int one_route(const struct xc_json *el, const char *at, int i, void *ctx)
{
	struct pctx *c = ctx;
	int rc = xc_cni_route_parse(el, at, &c->r->routes[i], c->err);

	if (!rc)
		c->r->n_routes = i + 1;
	return rc;
}

static int one_str(const struct xc_json *el, const char *at, int i, void *ctx)
{
	struct pctx *c = ctx;
	long n;

	n = xc_json_str(el, c->list + (size_t)i * c->stride, c->len);
	if (n < 0)
		return xc_cni_errf(c->err, XC_CNI_E_CONFIG, "%s is too long (at most %zu bytes)",
				   at, c->len - 1);
	return 0;
}

static int dns_list(struct pctx *c, const struct xc_json *dns, const char *key, char *list,
		    size_t stride, size_t len, int *count)
{
	int n;

	c->list = list;
	c->stride = stride;
	c->len = len;
	n = each(dns, "dns", key, XC_CNI_MAX_DNS, XC_JSON_STRING, one_str, c, c->err);
	if (n < 0)
		return n;
	*count = n;
	return 0;
}

static int parse_dns(struct pctx *c, const struct xc_json *obj)
{
	struct xc_cni_dns *d = &c->r->dns;
	struct xc_json dns;
	long n;
	int rc;

	rc = xc_cni_get_typed(obj, "result", "dns", 0, XC_JSON_OBJECT, &dns, c->err);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	if ((rc = dns_list(c, &dns, "nameservers", d->nameservers[0], sizeof(d->nameservers[0]),
			   sizeof(d->nameservers[0]), &d->n_nameservers)) ||
	    (rc = dns_list(c, &dns, "search", d->search[0], sizeof(d->search[0]),
			   sizeof(d->search[0]), &d->n_search)) ||
	    (rc = dns_list(c, &dns, "options", d->options[0], sizeof(d->options[0]),
			   sizeof(d->options[0]), &d->n_options)))
		return rc;
	n = xc_cni_get_str(&dns, "dns", "domain", 0, d->domain, sizeof(d->domain), c->err);
	return n < 0 && n != -ENOENT ? (int)n : 0;
}

int xc_cni_result_parse(const struct xc_json *obj, enum xc_cni_ver v,
			struct xc_cni_result *r, struct xc_cni_err *err)
{
	struct pctx c = { r, v, err, NULL, 0, 0 };
	int n;

	xc_cni_result_init(r);
	if (obj->type != XC_JSON_OBJECT)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "a result must be an object, not %s",
				   xc_json_type_name(obj->type));
	n = each(obj, "result", "interfaces", XC_CNI_MAX_IFACES, XC_JSON_OBJECT, one_iface, &c, err);
	if (n >= 0)
		n = each(obj, "result", "ips", XC_CNI_MAX_IPS, XC_JSON_OBJECT, one_ip, &c, err);
	if (n >= 0)
		n = each(obj, "result", "routes", XC_CNI_MAX_ROUTES, XC_JSON_OBJECT, one_route, &c, err);
	if (n >= 0)
		n = parse_dns(&c, obj);
	if (n < 0)
		return n;
	for (int i = 0; i < r->n_ips; i++)
		if (r->ips[i].iface >= r->n_ifaces)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "result.ips[%d].interface %d "
					   "names no interface (%d listed)", i, r->ips[i].iface,
					   r->n_ifaces);
	return 0;
}
