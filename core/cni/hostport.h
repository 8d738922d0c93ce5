/*
 * hostport: a pod's hostPorts (the CNI `portMappings` capability) as
 * nf_tables map elements, for the portmap applet.
 *
 * What is ours: the table `inet xcluster-cni-portmap`, nothing else. It is
 * not the router's `inet xcluster-cni`: the router rebuilds its table
 * whenever it differs from what it wants, which would drop every pod's
 * mappings, and a CNI plugin's state must not depend on a daemon's
 * resync. One fixed ruleset, the pods only in maps:
 *
 *   map hostip4 { ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service }
 *   map port4   { inet_proto . inet_service : ipv4_addr . inet_service }
 *   map hostip6, port6            the same for IPv6
 *   set hairpin4 { ipv4_addr . ipv4_addr }, hairpin6: pod . pod
 *   chain prerouting  { nat, dstnat:  fib daddr type local jump hostports }
 *   chain output      { nat, -100:    fib daddr type local jump hostports }
 *   chain hostports   { dnat through hostip4, port4, hostip6, port6, in that order }
 *   chain postrouting { nat, srcnat:  ip saddr . ip daddr @hairpin4 masquerade,
 *                       ct status dnat ip saddr 127.0.0.1 masquerade, hairpin6 }
 *
 * A mapping with a hostIP is an element of hostipN (looked up first), one
 * without of portN; its data is the pod's address and containerPort. Each
 * element carries nft's comment with its attachment, the bridge's alias
 * form "xcni:<network hash>:<ifname>:<containerID>", which is how DEL,
 * CHECK and GC find a pod's elements. One key is one pod: a hostPort
 * another attachment holds is refused, never shadowed.
 *
 * hostport.c is pure (mappings, keys, the ruleset); hostport_nl.c reads
 * and writes the kernel through tagset.h, which also removes by tag.
 *
 * Names: xc_hostport_
 */
#ifndef XC_HOSTPORT_H
#define XC_HOSTPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"
#include "cni/cni.h"
#include "cni/tagset.h"
#include "kernel/nft.h"

#define XC_HOSTPORT_TABLE "xcluster-cni-portmap"
/* Mappings in one call (a pod's containers' ports). */
#define XC_HOSTPORT_MAX 1024
/* A tag: nft's comment limit. */
#define XC_HOSTPORT_TAG_MAX (XC_NFT_COMMENT_MAX + 1)

enum { XC_HP_HOSTIP4, XC_HP_PORT4, XC_HP_HOSTIP6, XC_HP_PORT6, XC_HP_HAIRPIN4,
       XC_HP_HAIRPIN6, XC_HP_NSETS };

extern const char *const xc_hostport_set_name[XC_HP_NSETS];

struct xc_hostport {
	uint8_t proto;                  /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP */
	uint16_t host_port, cont_port;
	uint8_t any;                    /* hostIP 0.0.0.0 or ::: every address of its family */
	struct xc_ip host_ip;           /* family 0: every local address of both */
};

/*
 * runtimeConfig.portMappings of conf (rc: the runtimeConfig object, or
 * type NONE) into v[0..max): hostPort and containerPort 1..65535,
 * protocol tcp, udp or sctp (any case), hostIP an address ("", 0.0.0.0
 * and :: mean every address). A mapping given twice is kept once; the
 * same hostPort (protocol, hostIP) to two container ports is refused.
 * Failure: code 7 naming the entry and key. Returns the count.
 */
int xc_hostport_parse(const struct xc_json *rc, struct xc_hostport *v, int max,
		      struct xc_cni_err *err);

/* "tcp", "udp", "sctp". */
const char *xc_hostport_proto_name(uint8_t proto);

/* The set of a mapping for family (AF_INET, AF_INET6): XC_HP_HOSTIPn or XC_HP_PORTn. */
int xc_hostport_set(const struct xc_hostport *m, int family);

/* Does the mapping apply to the pod's address of family (its hostIP's family, or none)? */
int xc_hostport_applies(const struct xc_hostport *m, int family);

/* Key and data lengths of a set's elements (data 0 for the hairpin sets). */
size_t xc_hostport_keylen(int set);
size_t xc_hostport_datalen(int set);

/* The key of a mapping in its set into key (xc_hostport_keylen bytes). */
size_t xc_hostport_key(const struct xc_hostport *m, int set, uint8_t *key);
/* The data of a mapping to the pod's address (xc_hostport_datalen bytes). */
size_t xc_hostport_data(const struct xc_ip *pod, uint16_t port, uint8_t *data);
/* A hairpin element's key (pod . pod). */
size_t xc_hostport_hairpin_key(const struct xc_ip *pod, uint8_t *key);

/* An element as nft prints it: "tcp . 8080 : 198.18.1.2 . 80". */
char *xc_hostport_elem_format(int set, const uint8_t *key, const uint8_t *data, char *buf,
			      size_t size);

/* Put the ruleset into a batch (what: XC_TS_RULES, XC_TS_ALL, XC_TS_REBUILD). */
void xc_hostport_ruleset(struct xc_nft_batch *b, int what);

/* The table as a tagset: DEL and GC are xc_tagset_remove() on it. */
extern const struct xc_tagset xc_hostport_tagset;

/* ---- the kernel (hostport_nl.c) ---------------------------------------- */

/* One attachment's mappings to install. */
struct xc_hostport_pod {
	const char *tag;                /* xc_podlink_alias() of the attachment */
	struct xc_ip ip[2];             /* IPv4, IPv6 address; family 0: none */
	int snat;                       /* hairpin elements too */
};

/* What stopped an ADD: the mapping and the attachment that holds its hostPort. */
struct xc_hostport_clash {
	int index;                      /* into the mappings */
	int family;
	char tag[XC_NFT_COMMENT_MAX + 2];
};

/*
 * Install p's mappings v[0..n) in one batch (the ruleset with them when
 * it is missing or not as wanted): already there with p's tag is fine; a
 * key held by another tag (or a hostIP mapping against another's
 * every-address one, and the reverse) is -EADDRINUSE with *c filled and
 * nothing changed. buf (cap bytes, 4-aligned) holds the batch. Returns
 * the number of elements added, or a negative errno (the kernel's text in
 * xc_nl_errmsg(nl)).
 */
int xc_hostport_add(struct xc_nl *nl, const struct xc_hostport_pod *p,
		    const struct xc_hostport *v, int n, struct xc_hostport_clash *c,
		    void *buf, size_t cap);

/*
 * CHECK: every mapping of p in place with p's tag and data, the hairpin
 * element when p->snat, and the ruleset as wanted. 0, or -ENOENT with
 * what is missing in what (as nft would print it).
 */
int xc_hostport_verify(struct xc_nl *nl, const struct xc_hostport_pod *p,
		       const struct xc_hostport *v, int n, char *what, size_t size);

#endif
