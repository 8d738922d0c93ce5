/*
 * podlink: the kernel side of plugging a pod into a Linux bridge, over
 * rtnetlink: the veth pair (created with its pod end directly in the pod's
 * namespace), bridge port settings, VLANs, the pod's addresses and routes
 * from a CNI result, and the look-ups CHECK and GC need.
 *
 * Everything works on contexts the caller opened (nl_link.h, netns.h):
 * `host` is a socket in the namespace holding the bridge, `pod` one in the
 * pod's namespace. Functions return 0 or a negative errno, as core/ does;
 * the kernel's extended-ACK text stays in the context (xc_nl_errmsg).
 *
 * Names: xc_podlink_
 */
#ifndef XC_PODLINK_H
#define XC_PODLINK_H

#include "cni/cni.h"
#include "kernel/nl_link.h"

/*
 * A kernel operation failed: code 105, "WHAT: reason" (WHAT from fmt), and
 * nl's extended-ACK text (nl may be NULL) in the details; -ERESTART (the
 * nf_tables ruleset kept changing, tagset.h) is code 11, try again.
 * Returns rc when it is a negative errno, else -EIO, for
 * `return xc_podlink_kfail(...)`.
 */
int xc_podlink_kfail(struct xc_cni_err *err, const struct xc_nl *nl, int rc,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Open CNI_NETNS for a plugin (xc_netns_open_kind): the descriptor, or a
 * negative errno with code 107 saying why in the user's terms (not an
 * absolute clean path, no such namespace, a namespace of another type,
 * not on nsfs).
 */
int xc_podlink_netns_open(const char *path, struct xc_cni_err *err);

/* Longest interface alias with its NUL (the kernel's IFALIASZ). */
#define XC_PODLINK_ALIAS_MAX 256

/*
 * Host-side name of the veth of an attachment: "veth" and 8 hex digits of
 * a hash of (container ID, ifname, salt). Deterministic, so that a stale
 * interface of the same attachment is recognisable; salt 1, 2, ... give
 * the alternatives to use when another attachment's hash collides
 * (salts 0 .. XC_PODLINK_SALTS - 1).
 */
void xc_podlink_host_name(const char *cid, const char *ifname, unsigned salt,
			  char name[IFNAMSIZ]);

#define XC_PODLINK_SALTS 4

/*
 * IFLA_IFALIAS marking a host veth as ours: "xcni:" then 8 hex digits of
 * the network name's hash, the ifname and the container ID, ':'-separated
 * (neither may hold ':'). Returns the length, or -ENOSPC when it does not
 * fit XC_PODLINK_ALIAS_MAX (a container ID over ~225 bytes): such a veth goes unmarked.
 */
int xc_podlink_alias(const char *network, const char *cid, const char *ifname,
		     char *buf, size_t size);

/*
 * The reverse: 1 if alias marks a veth of network, with its container ID
 * and ifname copied out (cid of XC_CNI_ID_MAX + 1 bytes, ifname of
 * IFNAMSIZ); 0 for any other alias.
 */
int xc_podlink_alias_parse(const char *alias, const char *network, char *cid, char *ifname);

/*
 * 1 if a and b are both aliases of ours (xc_podlink_alias) naming the
 * same network, whatever their attachments; 0 otherwise. Lets a table
 * shared by networks (tagset) tell another network's elements apart
 * without knowing the alias format.
 */
int xc_podlink_alias_same_network(const char *a, const char *b);

/*
 * The kernel takes no alias when it creates a link, so the host end is
 * created in this link group and leaves it when its alias is set
 * (xc_podlink_port_set): a veth left by an ADD killed in between is still
 * recognisable to GC. "xcni" in ASCII, unlikely to be anyone's group.
 */
#define XC_PODLINK_GROUP_NEW 0x78636e69u

struct xc_podlink_veth {
	const char *host_name;          /* created in host's namespace */
	const char *pod_name;           /* CNI_IFNAME, created in pod_nsfd */
	int pod_nsfd;
	unsigned mtu;                   /* both ends; 0: kernel default */
	const uint8_t *pod_mac;         /* 6 bytes; NULL: random */
	int master;                     /* bridge index for the host end, 0: none */
};

/*
 * Create the pair in one request: the host end enslaved to master and up,
 * the pod end down (so its IPv6 settings can be made before its link-local
 * address exists). Fills *out with the host end as the kernel reports it;
 * out->link is the pod end's ifindex in its namespace. -EEXIST when either
 * name is taken.
 */
int xc_podlink_veth_add(struct xc_nl *host, const struct xc_podlink_veth *v,
			struct xc_link *out);

/*
 * Bridge port settings in one request: alias (NULL: leave) and hairpin;
 * the port also leaves XC_PODLINK_GROUP_NEW for the default group.
 */
int xc_podlink_port_set(struct xc_nl *host, int index, const char *alias, int hairpin);

/*
 * Create a bridge, down, with a fixed MAC, so it keeps it whatever ports
 * come and go, and with VLAN filtering when asked; with IPv6 neither router
 * advertisements nor DAD on it. The caller sets it up.
 */
int xc_podlink_bridge_add(struct xc_nl *host, const char *name, unsigned mtu,
			  const uint8_t mac[6], int vlan_filtering);

/*
 * Routes on a host interface of ours are ours: no router advertisements
 * there (as the reference has it). Best effort, like every sysctl here.
 */
void xc_podlink_no_ra(const char *ifname);

/*
 * VLAN membership of a bridge port (the bridge's own VLAN table, not the
 * device's): add vid (as PVID and egress-untagged when access != 0) or
 * delete it.
 */
int xc_podlink_vlan_set(struct xc_nl *host, int index, uint16_t vid, int access, int add);

/* The VLAN ids of a bridge port into vids[0..max); returns the count. */
int xc_podlink_vlan_list(struct xc_nl *host, int index, uint16_t *vids, int max);

/* A random unicast, locally administered MAC address. */
void xc_podlink_random_mac(uint8_t mac[6]);

/*
 * Put the addresses of r that belong to interface iface (ips[].iface equal
 * to it, or -1) on ifindex, then r's routes through it. A route without a
 * gateway goes via the first gateway of its family among those addresses,
 * or is on-link when there is none (as the reference plugins do). With
 * dad == 0 IPv6 addresses are added with IFA_F_NODAD (usable at once).
 * Returns the number of IPv6 addresses that go through DAD (0 without it),
 * or a negative errno with *what set to the address or route that failed
 * ("address 10.0.0.2/24").
 */
int xc_podlink_configure(struct xc_nl *pod, int ifindex, const struct xc_cni_result *r,
			 int iface, int dad, char *what, size_t what_size);

/* 1 if ifindex holds exactly this address with this prefix length, 0 if not. */
int xc_podlink_has_addr(struct xc_nl *pod, int ifindex, const struct xc_prefix *p);

/*
 * 1 if the main table has a route to rt->dst (via rt->gw when it has one),
 * 0 if not.
 */
int xc_podlink_has_route(struct xc_nl *pod, const struct xc_cni_route *rt);

/*
 * Inside the pod's namespace (the caller entered it), before its interface
 * is up: accept_dad (0, or 1 with enhanced_dad when enable_dad) and
 * arp_notify on ifname. Failures are ignored, as the reference ignores
 * them: a kernel without IPv6 has no such files.
 */
void xc_podlink_pod_sysctls(const char *ifname, int enable_dad);

/*
 * Also inside the pod's namespace: which of lo (bit 0) and ifname (bit 1)
 * have IPv6 disabled, and switching it on for those in off before they get
 * an IPv6 address (a failure returned with its key in key_out).
 */
int xc_podlink_ipv6_off(const char *ifname);
int xc_podlink_ipv6_on(const char *ifname, int off, char *key_out, size_t key_size);

/*
 * Make gw (address and its subnet's length) an address of the bridge at
 * index, as the reference does: nothing when it is there; an address of
 * the same family (IPv4) or an overlapping subnet (IPv6) in the way is
 * removed when force, else -EEXIST with it in *conflict. An IPv6 gateway
 * is added with IFA_F_NODAD. Returns 1 when the address was added, 0 when
 * it was there.
 */
int xc_podlink_gateway(struct xc_nl *host, int index, const struct xc_prefix *gw, int force,
		       struct xc_prefix *conflict);

/*
 * GC: delete the veths on bridge master marked (alias) as network's whose
 * attachment is not among the n valid ones, and those still in
 * XC_PODLINK_GROUP_NEW without an alias (an ADD killed after creating
 * them) unless named for a valid attachment (an ADD under way). Returns
 * the number deleted.
 */
int xc_podlink_gc(struct xc_nl *host, int master, const char *network,
		  const struct xc_cni_attachment *valid, size_t n);

/*
 * Wait until the interface at index is operationally up (the kernel's link
 * watcher has seen its carrier: for a bridge port, until the bridge
 * forwards through it), at most timeout_ms. Listens for RTNLGRP_LINK
 * events rather than sleeping. Returns 0, -ETIMEDOUT, or -ENODEV.
 */
int xc_podlink_wait_up(struct xc_nl *nl, int index, int timeout_ms);

/* Gateway addresses for the bridge, per family. */
#define XC_PODLINK_MAX_GW 16
struct xc_podlink_gws {
	int n;
	struct xc_prefix gw[XC_PODLINK_MAX_GW];
};

/*
 * The reference bridge's reading of an IPAM result: every address is
 * interface iface's; with is_gw an address without a gateway gets its
 * subnet's first address, and each gateway (with its subnet's length)
 * goes into g4 or g6 for the bridge; with is_default_gw a default route
 * via the gateway is added per family unless the result has one.
 */
void xc_podlink_gateways(struct xc_cni_result *r, int iface, int is_gw, int is_default_gw,
			 struct xc_podlink_gws *g4, struct xc_podlink_gws *g6);

#endif
