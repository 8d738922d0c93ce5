/*
 * cniconv: configuration keys that the CNI conventions (CONVENTIONS.md)
 * and the reference plugins share among plugins: the pod's MAC address
 * from CNI_ARGS, "args" or the `mac` capability, and the configuration's
 * own "dns". Failures fill a struct xc_cni_err as core/cni does.
 *
 * Names: xc_cniconv_
 */
#ifndef XC_CNICONV_H
#define XC_CNICONV_H

#include <stdint.h>

#include "cni/cni.h"

/*
 * CNI_ARGS (syntax, and no key outside `known` unless IgnoreUnknown: code
 * 4 / 2), then the MAC from CNI_ARGS MAC=, args.cni.mac and
 * runtimeConfig.mac, a later one overriding an earlier one, as the
 * reference bridge reads them. A text that is not a unicast MAC is code 7.
 * Returns 1 with mac set, 0 when none is given.
 */
int xc_cniconv_mac(const struct xc_cni_conf *cf, const char *cni_args,
		   const char *const *known, uint8_t mac[6], struct xc_cni_err *err);

/*
 * The configuration's "dns" object (conf->dns) into d. Returns 1 when any
 * of its keys is present (then it replaces the IPAM plugin's dns, as in
 * the reference), 0 when none is; code 7 for a malformed one.
 */
int xc_cniconv_dns(const struct xc_json *dns, struct xc_cni_dns *d, struct xc_cni_err *err);

/*
 * Boolean keys of a configuration this plugin does not implement (keys,
 * NULL-terminated): absent or false is fine, true is code 2 naming the
 * key, another type code 7.
 */
int xc_cniconv_unsupported(const struct xc_json *root, const char *const *keys,
			   struct xc_cni_err *err);

/*
 * An interface name under key in root (dflt when absent) into name
 * (IFNAMSIZ bytes): 1 to 15 bytes, not "." or "..", no '/', ':' or blank,
 * else code 7.
 */
int xc_cniconv_ifname(const struct xc_json *root, const char *key, const char *dflt,
		      char *name, struct xc_cni_err *err);

#endif
