/*
 * podmasq: the bridge's `ipMasq` and `macspoofchk` as tagged elements in
 * two nf_tables tables of their own (tagset.h), fixed rules, the pods
 * only in sets, each element tagged with its attachment.
 *
 * ipMasq, the reference's meaning (its pkg/ip/ipmasq_linux.go): traffic
 * from a pod's address to its own subnet keeps its source, to multicast
 * too, anything else leaving the node is masqueraded.
 *
 *   table inet xcluster-cni-masq
 *   set pods4 { ipv4_addr }                            the pod's address
 *   set local4 { ipv4_addr . ipv4_addr; interval }     pod . its subnet
 *   set pods6, local6                                  the same for IPv6
 *   chain postrouting { nat, srcnat:
 *       ip saddr . ip daddr @local4 return
 *       ip saddr @pods4 ip daddr != 224.0.0.0/4 masquerade
 *       ip6 saddr . ip6 daddr @local6 return
 *       ip6 saddr @pods6 ip6 daddr != ff00::/8 masquerade }
 *
 * macspoofchk (the reference's pkg/link/spoofcheck.go): a frame the pod
 * sends with a source MAC other than its interface's is dropped at the
 * bridge port.
 *
 *   table bridge xcluster-cni-spoofchk
 *   set ports { ifname }                   the pod's host veth
 *   set macs { ifname . ether_addr }       host veth . the pod's MAC
 *   chain prerouting { filter, -300:
 *       iifname @ports iifname . ether saddr != @macs drop }
 *
 * Neither is the router's table or portmap's: a table whose rules are
 * fixed never needs rebuilding while pods come and go, and each is
 * removed with its last element.
 *
 * Names: xc_podmasq_ xc_spoofchk_
 */
#ifndef XC_PODMASQ_H
#define XC_PODMASQ_H

#include <stdint.h>

#include "cni/cni.h"
#include "cni/tagset.h"

#define XC_PODMASQ_TABLE "xcluster-cni-masq"
#define XC_SPOOFCHK_TABLE "xcluster-cni-spoofchk"

enum { XC_PM_PODS4, XC_PM_LOCAL4, XC_PM_PODS6, XC_PM_LOCAL6, XC_PM_NSETS };
enum { XC_SC_PORTS, XC_SC_MACS, XC_SC_NSETS };

extern const struct xc_tagset xc_podmasq_tagset, xc_spoofchk_tagset;

/* The most elements one pod has in either table: two per address of a result. */
#define XC_PODMASQ_ELEMS (2 * XC_CNI_MAX_IPS)

/*
 * The masquerade elements of every address of r (two each: pod, and pod
 * . subnet) into e[0..max). Returns the count.
 */
int xc_podmasq_elems(const struct xc_cni_result *r, struct xc_tagset_elem *e, int max);

/* The spoof check's two elements of the host veth port and the pod's mac into e[0..2). */
int xc_spoofchk_elems(const char *port, const uint8_t mac[6], struct xc_tagset_elem *e);

/*
 * An element of either table (t: xc_podmasq_tagset or xc_spoofchk_tagset)
 * as nft prints it: "198.18.0.2 . 198.18.0.0/24", "\"veth1\" . 0a:..".
 */
char *xc_podmasq_elem_format(const struct xc_tagset *t, const struct xc_tagset_elem *e,
			     char *buf, size_t size);

#endif
