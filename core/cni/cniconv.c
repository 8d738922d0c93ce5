/*
 * cniconv: shared configuration conventions. See cniconv.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "cni/cniconv.h"

static int parse_mac(const char *text, const char *where, uint8_t mac[6],
		     struct xc_cni_err *err)
{
	if (xc_mac_parse(text, mac))
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s \"%.32s\" is not a MAC address",
				   where, text);
	if (mac[0] & 1)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s %s is a multicast address; "
				   "an interface needs a unicast one", where, text);
	return 1;
}

/* A string member that may be absent: 1 with its text, 0 absent, <0 error. */
static int opt_str(const struct xc_json *obj, const char *where, const char *key,
		   char *buf, size_t size, struct xc_cni_err *err)
{
	long n;

	if (obj->type != XC_JSON_OBJECT)
		return 0;
	n = xc_cni_get_str(obj, where, key, 0, buf, size, err);
	if (n == -ENOENT)
		return 0;
	if (n == -ENOSPC)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s.%s is not a MAC address", where,
				   key);
	return n < 0 ? (int)n : n > 0;
}

int xc_cniconv_mac(const struct xc_cni_conf *cf, const char *cni_args,
		   const char *const *known, uint8_t mac[6], struct xc_cni_err *err)
{
	struct xc_json cni = { XC_JSON_NONE, NULL, 0 };
	char text[32];
	int rc, found = 0;

	if (xc_cni_args_check(cni_args, err) || xc_cni_args_known(cni_args, known, err))
		return -EINVAL;
	if (xc_cni_args_get(cni_args, "MAC", text, sizeof(text)) > 0 &&
	    (found = parse_mac(text, "CNI_ARGS MAC", mac, err)) < 0)
		return found;
	if (cf->args.type == XC_JSON_OBJECT) {
		rc = xc_cni_get_typed(&cf->args, "args", "cni", 0, XC_JSON_OBJECT, &cni, err);
		if (rc && rc != -ENOENT)
			return rc;
	}
	rc = opt_str(&cni, "args.cni", "mac", text, sizeof(text), err);
	if (rc > 0)
		rc = found = parse_mac(text, "args.cni.mac", mac, err);
	if (rc < 0)
		return rc;
	rc = opt_str(&cf->runtime_config, "runtimeConfig", "mac", text, sizeof(text), err);
	if (rc > 0)
		rc = found = parse_mac(text, "runtimeConfig.mac", mac, err);
	return rc < 0 ? rc : found;
}

static int dns_list(const struct xc_json *dns, const char *key, char *list, size_t len,
		    int *count, int *set, struct xc_cni_err *err)
{
	struct xc_json arr, el;
	struct xc_json_iter it;
	int rc = xc_cni_get_typed(dns, "dns", key, 0, XC_JSON_ARRAY, &arr, err);

	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	*set = 1;
	xc_json_iter_init(&it, &arr);
	while (xc_json_next(&it, NULL, &el) > 0) {
		if (*count >= XC_CNI_MAX_DNS)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "dns.%s has more than %d "
					   "entries", key, XC_CNI_MAX_DNS);
		if (xc_json_str(&el, list + (size_t)*count * len, len) < 0)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "dns.%s[%d] must be a string "
					   "of at most %zu bytes", key, *count, len - 1);
		(*count)++;
	}
	return 0;
}

int xc_cniconv_dns(const struct xc_json *dns, struct xc_cni_dns *d, struct xc_cni_err *err)
{
	int set = 0;
	long n;

	memset(d, 0, sizeof(*d));
	if (dns->type != XC_JSON_OBJECT)
		return 0;
	if (dns_list(dns, "nameservers", d->nameservers[0], sizeof(d->nameservers[0]),
		     &d->n_nameservers, &set, err) ||
	    dns_list(dns, "search", d->search[0], sizeof(d->search[0]), &d->n_search, &set,
		     err) ||
	    dns_list(dns, "options", d->options[0], sizeof(d->options[0]), &d->n_options,
		     &set, err))
		return -EINVAL;
	n = xc_cni_get_str(dns, "dns", "domain", 0, d->domain, sizeof(d->domain), err);
	if (n < 0 && n != -ENOENT)
		return (int)n;
	return set || n > 0;
}

int xc_cniconv_unsupported(const struct xc_json *root, const char *const *keys,
			   struct xc_cni_err *err)
{
	int rc, on;

	for (const char *const *k = keys; *k; k++) {
		on = 0;
		rc = xc_cni_get_bool(root, NULL, *k, 0, &on, err);
		if (rc && rc != -ENOENT)
			return rc;
		if (on) {
			xc_cni_errf(err, XC_CNI_E_UNSUPPORTED, "%s: true is not supported yet", *k);
			xc_cni_err_details(err, "leave %s out or set it to false "
					   "(docs/cni-keys.md)", *k);
			return -ENOTSUP;
		}
	}
	return 0;
}

int xc_cniconv_ifname(const struct xc_json *root, const char *key, const char *dflt,
		      char *name, struct xc_cni_err *err)
{
	long n = xc_cni_get_str(root, NULL, key, 0, name, IF_NAMESIZE, err);

	if (n == -ENOENT) {
		snprintf(name, IF_NAMESIZE, "%s", dflt);
		return 0;
	}
	if (n < 0)
		return (int)n;
	if (!*name || !strcmp(name, ".") || !strcmp(name, "..") || strpbrk(name, "/: \t\n\r\v\f"))
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s \"%s\" is not a valid interface "
				   "name (1 to 15 bytes, no '/', ':' or blanks)", key, name);
	return 0;
}
