/*
 * k8s_node: the fixed-size Node record, extracted in one pass over the
 * object's members (see k8s.h). A Node is mostly status.images and
 * metadata.managedFields; those are skipped by core/base/json's fast walk and
 * never decoded.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kube/k8s.h"

/* A JSON string into a C string; -ENOSPC when over, -EINVAL when it holds a NUL. */
static long cstr(const struct xc_json *v, char *buf, size_t size)
{
	long n = xc_json_str(v, buf, size);

	if (n >= 0 && memchr(buf, 0, (size_t)n)) {
		buf[0] = 0;
		return -EINVAL;
	}
	return n;
}

static int field_str(const struct xc_json *v, char *buf, size_t size, const char *what,
		     char *err, size_t errlen)
{
	long n = cstr(v, buf, size);

	if (n >= 0)
		return 0;
	if (err)
		snprintf(err, errlen, "%s: %s", what,
			 n == -ENOSPC ? "too long" : "not a string");
	return -EINVAL;
}

static void annotations(const struct xc_json *obj, const char *const *want,
			struct xc_k8s_node *n)
{
	struct xc_json_iter it;
	struct xc_json key, val;
	long len;
	int i;

	xc_json_iter_init(&it, obj);
	while (xc_json_next(&it, &key, &val) > 0) {
		for (i = 0; i < XC_K8S_ANNOT_MAX; i++) {
			if (!want[i] || !xc_json_str_eq(&key, want[i]))
				continue;
			len = cstr(&val, n->annot[i], sizeof(n->annot[i]));
			n->annot_len[i] = len >= 0 ? (int16_t)len : XC_K8S_ANNOT_TOO_LONG;
		}
	}
}

static int64_t time_of(const struct xc_json *v)
{
	char text[48];
	int64_t t;

	return cstr(v, text, sizeof(text)) > 0 && !xc_k8s_parse_time(text, &t) ? t : 0;
}

static int metadata(const struct xc_json *md, const char *const *annot, struct xc_k8s_node *n,
		    char *err, size_t errlen)
{
	struct xc_json_iter it;
	struct xc_json key, val;
	int rc = 0;

	if (md->type != XC_JSON_OBJECT) {
		if (err)
			snprintf(err, errlen, "metadata: not an object");
		return -EINVAL;
	}
	xc_json_iter_init(&it, md);
	while (!rc && xc_json_next(&it, &key, &val) > 0) {
		if (xc_json_str_eq(&key, "name"))
			rc = field_str(&val, n->name, sizeof(n->name), "metadata.name", err, errlen);
		else if (xc_json_str_eq(&key, "uid"))
			rc = field_str(&val, n->uid, sizeof(n->uid), "metadata.uid", err, errlen);
		else if (xc_json_str_eq(&key, "resourceVersion"))
			rc = field_str(&val, n->rv, sizeof(n->rv), "metadata.resourceVersion",
				       err, errlen);
		else if (xc_json_str_eq(&key, "creationTimestamp"))
			n->created = time_of(&val);
		else if (xc_json_str_eq(&key, "deletionTimestamp"))
			n->deleting = val.type != XC_JSON_NULL;
		else if (annot && xc_json_str_eq(&key, "annotations") &&
			 val.type == XC_JSON_OBJECT)
			annotations(&val, annot, n);
	}
	return rc;
}

static int one_cidr(const struct xc_json *v, struct xc_prefix *p)
{
	char text[XC_IP_STRLEN + 8];

	return cstr(v, text, sizeof(text)) < 0 || xc_prefix_parse(text, p) ? -EINVAL : 0;
}

static void spec(const struct xc_json *sp, struct xc_k8s_node *n)
{
	struct xc_json_iter it, ai;
	struct xc_json key, val, el;
	struct xc_prefix single;
	int have_single = 0;

	if (sp->type != XC_JSON_OBJECT)
		return;
	xc_json_iter_init(&it, sp);
	while (xc_json_next(&it, &key, &val) > 0) {
		if (xc_json_str_eq(&key, "podCIDR") && val.type == XC_JSON_STRING) {
			have_single = !one_cidr(&val, &single);
			if (!have_single && val.n > 2)
				n->dropped |= XC_K8S_DROP_CIDR;
		} else if (xc_json_str_eq(&key, "podCIDRs") && val.type == XC_JSON_ARRAY) {
			n->ncidrs = 0;
			xc_json_iter_init(&ai, &val);
			while (xc_json_next(&ai, NULL, &el) > 0) {
				if (n->ncidrs < XC_K8S_CIDRS_MAX && !one_cidr(&el, &n->cidr[n->ncidrs]))
					n->ncidrs++;
				else
					n->dropped |= XC_K8S_DROP_CIDR;
			}
		}
	}
	/* podCIDRs is the field since 1.16; podCIDR is its first entry, for old servers */
	if (!n->ncidrs && have_single) {
		n->cidr[0] = single;
		n->ncidrs = 1;
	}
}

static void address(const struct xc_json *a, struct xc_k8s_node *n)
{
	struct xc_json_iter it;
	struct xc_json key, val, type = { 0 }, addr = { 0 };
	char text[XC_IP_STRLEN + 8];
	struct xc_k8s_addr *out;
	int t;

	if (a->type != XC_JSON_OBJECT)
		return;
	xc_json_iter_init(&it, a);
	while (xc_json_next(&it, &key, &val) > 0) {
		if (xc_json_str_eq(&key, "type"))
			type = val;
		else if (xc_json_str_eq(&key, "address"))
			addr = val;
	}
	if (xc_json_str_eq(&type, "InternalIP"))
		t = XC_K8S_INTERNAL_IP;
	else if (xc_json_str_eq(&type, "ExternalIP"))
		t = XC_K8S_EXTERNAL_IP;
	else
		return; /* Hostname, InternalDNS, ExternalDNS: not for routes */
	if (n->naddrs == XC_K8S_ADDRS_MAX) {
		n->dropped |= XC_K8S_DROP_ADDR;
		return;
	}
	out = &n->addr[n->naddrs];
	if (cstr(&addr, text, sizeof(text)) < 0 || xc_ip_parse(text, &out->ip) || out->ip.zone[0]) {
		n->dropped |= XC_K8S_DROP_ADDR;
		return;
	}
	out->type = (uint8_t)t;
	n->naddrs++;
}

static void status(const struct xc_json *st, struct xc_k8s_node *n)
{
	struct xc_json_iter it, ai;
	struct xc_json key, val, el;

	if (st->type != XC_JSON_OBJECT)
		return;
	xc_json_iter_init(&it, st);
	while (xc_json_next(&it, &key, &val) > 0) {
		if (!xc_json_str_eq(&key, "addresses") || val.type != XC_JSON_ARRAY)
			continue;
		n->naddrs = 0;
		xc_json_iter_init(&ai, &val);
		while (xc_json_next(&ai, NULL, &el) > 0)
			address(&el, n);
	}
}

/* Only the header, not the 800 bytes: most of the record is counted. */
static void node_clear(struct xc_k8s_node *n, char *err, size_t errlen)
{
	n->name[0] = n->uid[0] = n->rv[0] = 0;
	n->deleting = n->ncidrs = n->naddrs = n->dropped = 0;
	n->created = 0;
	for (int i = 0; i < XC_K8S_ANNOT_MAX; i++) {
		n->annot_len[i] = XC_K8S_ANNOT_ABSENT;
		n->annot[i][0] = 0;
	}
	if (err && errlen)
		err[0] = 0;
}

int xc_k8s_node_parse(const struct xc_json *obj, const char *const *annot,
		      struct xc_k8s_node *n, char *err, size_t errlen)
{
	struct xc_json_iter it;

	if (obj->type != XC_JSON_OBJECT) {
		node_clear(n, err, errlen);
		if (err)
			snprintf(err, errlen, "not an object");
		return -EINVAL;
	}
	xc_json_iter_init(&it, obj);
	return xc_k8s_node_parse_members(&it, annot, n, err, errlen);
}

int xc_k8s_node_parse_members(struct xc_json_iter *it, const char *const *annot,
			      struct xc_k8s_node *n, char *err, size_t errlen)
{
	struct xc_json key, val;
	int rc = 0, have_md = 0;

	node_clear(n, err, errlen);
	while (!rc && xc_json_next(it, &key, &val) > 0) {
		if (xc_json_str_eq(&key, "metadata")) {
			have_md = 1;
			rc = metadata(&val, annot, n, err, errlen);
		} else if (xc_json_str_eq(&key, "spec")) {
			spec(&val, n);
		} else if (xc_json_str_eq(&key, "status")) {
			status(&val, n);
		}
	}
	if (!rc && (!have_md || !n->name[0])) {
		if (err)
			snprintf(err, errlen, "metadata.name: missing");
		rc = -EINVAL;
	}
	return rc;
}

int xc_k8s_parse_time(const char *s, int64_t *out)
{
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	int64_t v = 0;

	for (int i = 0; form[i]; i++) {
		if (form[i] == 'd' && s[i] >= '0' && s[i] <= '9')
			v = v * 10 + s[i] - '0';
		else if (form[i] == 'd' || s[i] != form[i])
			return -EINVAL;
	}
	if (s[20])
		return -EINVAL;
	*out = v;
	return 0;
}

const char *xc_k8s_addr_type_name(int type)
{
	return type == XC_K8S_INTERNAL_IP ? "InternalIP" :
	       type == XC_K8S_EXTERNAL_IP ? "ExternalIP" : "?";
}

const char *xc_k8s_event_name(enum xc_k8s_event_type type)
{
	static const char *const names[] = {
		[XC_K8S_LISTED] = "LISTED", [XC_K8S_RESTART] = "RESTART",
		[XC_K8S_ADDED] = "ADDED", [XC_K8S_MODIFIED] = "MODIFIED",
		[XC_K8S_DELETED] = "DELETED", [XC_K8S_BOOKMARK] = "BOOKMARK",
	};

	return (unsigned)type < sizeof(names) / sizeof(names[0]) && names[type] ?
	       names[type] : "?";
}

int xc_k8s_parse_cidr_list(const char *text, struct xc_prefix *out, int max)
{
	char item[XC_IP_STRLEN + 8];
	const char *p = text, *e;
	size_t n;
	int count = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 0;
	for (;;) {
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		while (n && (*p == ' ' || *p == '\t'))
			p++, n--;
		if (!n || n >= sizeof(item))
			return -EINVAL;
		if (count == max)
			return -E2BIG;
		memcpy(item, p, n);
		item[n] = 0;
		if (xc_prefix_parse(item, &out[count]) || out[count].ip.zone[0])
			return -EINVAL;
		count++;
		if (!*e)
			return count;
		p = e + 1;
	}
}

int xc_k8s_node_name(char *buf, size_t size)
{
	const char *env = getenv("NODE_NAME");
	size_t i;

	if (env && *env) {
		if (strlen(env) >= size)
			return -ENAMETOOLONG;
		strcpy(buf, env);
		return 0;
	}
	if (gethostname(buf, size) < 0)
		return errno == ENAMETOOLONG ? -ENAMETOOLONG : -ENOENT;
	buf[size - 1] = 0;
	if (!buf[0])
		return -ENOENT;
	for (i = 0; buf[i]; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	return 0;
}
